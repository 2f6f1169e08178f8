//! A service-metadata package laid out in a directory (§2.1): the files of
//! the `.devicemetadata-ms` cabinet, extracted.
//!
//! ```text
//! PackageInfo.xml
//! ServiceInformation/ServiceInfo.xml            neutral copy (the fallback)
//! ServiceInformation/MobileBroadbandInfo.xml    named by ServiceInfo
//! ServiceInformation/<icon>.ico, <profile>.xml  named by ServiceInfo / MobileBroadbandInfo
//! ServiceInformation/<locale>/…                 complete per-locale copies
//! SoftwareInformation/SoftwareInfo.xml          (or SoftwareInfo.xml at the top; not localised)
//! WindowsInformation/WindowsInfo.xml            not used
//! ```
//!
//! Folder names come from `PackageStructure/Metadata` when given (matched
//! by the schema URI). File names match case-insensitively, as on Windows.
//!
//! Locale fallback ([`Package::locale_order`]): the exact locale folder, then
//! a folder named by the language alone, then any folder of the same
//! language, then the neutral top-level copy, then the folder of the
//! package's default `Locale`, then the remaining folders in name order. A
//! file missing from a locale folder is taken from the neutral folder.
//!
//! This module reads files but never writes.

use super::error::MetadataError;
use super::schema::{MbnProfile, MobileBroadbandInfo, PackageInfo, ServiceInfo, SoftwareInfo};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest metadata file read (they are a few KiB; icons are bigger).
pub const MAX_FILE: u64 = 4 * 1024 * 1024;

/// A package directory with its parsed `PackageInfo`.
#[derive(Debug, Clone)]
pub struct Package {
    /// The directory.
    pub root: PathBuf,
    /// `PackageInfo.xml`.
    pub package_info: PackageInfo,
    /// The ServiceInformation folder.
    pub service_dir: PathBuf,
    /// Locale folder names found in it (as on disk), sorted.
    pub locales: Vec<String>,
    /// Whether the folder has a neutral top-level `ServiceInfo.xml`.
    pub has_neutral: bool,
    /// `SoftwareInfo.xml`, when the package has one.
    pub software_info: Option<SoftwareInfo>,
}

/// The service part of a package in one locale.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceContent {
    /// The locale folder used (`None`: the neutral copy).
    pub locale: Option<String>,
    /// `ServiceInfo.xml`.
    pub service_info: ServiceInfo,
    /// The MobileBroadbandInfo file, when ServiceInfo names one.
    pub mobile_broadband_info: Option<MobileBroadbandInfo>,
    /// The purchase profile file, parsed.
    pub purchase_profile: Option<MbnProfile>,
    /// The Internet profile file, parsed.
    pub internet_profile: Option<MbnProfile>,
    /// The icon file, when ServiceInfo names one.
    pub icon: Option<PathBuf>,
}

/// Read a file of at most [`MAX_FILE`] bytes.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, MetadataError> {
    let f = std::fs::File::open(path).map_err(|e| MetadataError::io(path, e))?;
    let mut v = Vec::new();
    f.take(MAX_FILE + 1)
        .read_to_end(&mut v)
        .map_err(|e| MetadataError::io(path, e))?;
    if v.len() as u64 > MAX_FILE {
        return Err(MetadataError::Package(format!(
            "{} is larger than {MAX_FILE} bytes",
            path.display()
        )));
    }
    Ok(v)
}

/// Find `name` in `dir`, case-insensitively (exact match first).
pub fn find_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.exists() {
        return Some(exact);
    }
    let rd = std::fs::read_dir(dir).ok()?;
    let mut hits: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name))
        .map(|e| e.path())
        .collect();
    hits.sort();
    hits.into_iter().next()
}

/// A file name a package may reference: one path component, no `..`.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

fn text_of(path: &Path, label: &str) -> Result<String, MetadataError> {
    super::xml::decode_bytes(label, &read_limited(path)?)
}

/// Normalised locale tag: `en_US` / `EN-us` → `en-us`.
pub fn normalise_locale(tag: &str) -> String {
    tag.trim().replace('_', "-").to_ascii_lowercase()
}

/// The locale of the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`), as a
/// tag like `en-US`; `None` for `C`/`POSIX` or unset.
pub fn environment_locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| {
            let base = v.split(['.', '@']).next().unwrap_or("").to_owned();
            (!base.is_empty() && base != "C" && base != "POSIX").then(|| base.replace('_', "-"))
        })
}

fn looks_like_locale(name: &str) -> bool {
    let n = name.len();
    (2..=35).contains(&n)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && name.bytes().take(2).all(|b| b.is_ascii_alphabetic())
}

impl Package {
    /// Open the package in `root`: parse `PackageInfo.xml` and
    /// `SoftwareInfo.xml`, list the locale folders. [`Package::validate`]
    /// checks the rest.
    pub fn open(root: &Path) -> Result<Package, MetadataError> {
        let pi_path = find_ci(root, "PackageInfo.xml").ok_or_else(|| {
            MetadataError::Package(format!("no PackageInfo.xml in {}", root.display()))
        })?;
        let package_info =
            PackageInfo::parse("PackageInfo.xml", &text_of(&pi_path, "PackageInfo.xml")?)?;
        let service_folder = package_info
            .part("ServiceInfo")
            .unwrap_or("ServiceInformation")
            .to_owned();
        if !plain_name(&service_folder) {
            return Err(MetadataError::Package(format!(
                "PackageStructure names {service_folder:?}, not a plain folder name"
            )));
        }
        let service_dir = find_ci(root, &service_folder)
            .filter(|p| p.is_dir())
            .ok_or_else(|| {
                MetadataError::Package(format!("no {service_folder} folder in the package"))
            })?;
        let has_neutral = find_ci(&service_dir, "ServiceInfo.xml").is_some_and(|p| p.is_file());
        let mut locales: Vec<String> = std::fs::read_dir(&service_dir)
            .map_err(|e| MetadataError::io(&service_dir, e))?
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| looks_like_locale(n))
            .filter(|n| find_ci(&service_dir.join(n), "ServiceInfo.xml").is_some())
            .collect();
        locales.sort();
        if !has_neutral && locales.is_empty() {
            return Err(MetadataError::Package(format!(
                "no ServiceInfo.xml in {service_folder} or its locale folders"
            )));
        }
        let software_info = Self::software_path(root, &package_info)
            .map(|p| {
                let label = "SoftwareInfo.xml";
                SoftwareInfo::parse(label, &text_of(&p, label)?)
            })
            .transpose()?;
        Ok(Package {
            root: root.to_owned(),
            package_info,
            service_dir,
            locales,
            has_neutral,
            software_info,
        })
    }

    fn software_path(root: &Path, pi: &PackageInfo) -> Option<PathBuf> {
        let named = pi.part("SoftwareInfo").filter(|n| plain_name(n));
        let mut tries: Vec<PathBuf> = Vec::new();
        if let Some(n) = named
            && let Some(p) = find_ci(root, n)
        {
            if p.is_dir() {
                tries.extend(find_ci(&p, "SoftwareInfo.xml"));
            } else {
                tries.push(p);
            }
        }
        if let Some(d) = find_ci(root, "SoftwareInformation") {
            tries.extend(find_ci(&d, "SoftwareInfo.xml"));
        }
        tries.extend(find_ci(root, "SoftwareInfo.xml"));
        tries.into_iter().find(|p| p.is_file())
    }

    /// The folders to try for `want` (a locale tag such as `en-US`), best
    /// first; `None` stands for the neutral copy. See the module docs.
    pub fn locale_order(&self, want: Option<&str>) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = Vec::new();
        let push = |v: Option<String>, out: &mut Vec<Option<String>>| {
            if !out.contains(&v) {
                out.push(v);
            }
        };
        let by_norm = |n: &str| {
            self.locales
                .iter()
                .find(|l| normalise_locale(l) == n)
                .cloned()
        };
        if let Some(w) = want.map(normalise_locale).filter(|w| !w.is_empty()) {
            if let Some(l) = by_norm(&w) {
                push(Some(l), &mut out);
            }
            let lang = w.split('-').next().unwrap_or("").to_owned();
            if let Some(l) = by_norm(&lang) {
                push(Some(l), &mut out);
            }
            for l in &self.locales {
                if normalise_locale(l).split('-').next() == Some(lang.as_str()) {
                    push(Some(l.clone()), &mut out);
                }
            }
        }
        if self.has_neutral {
            push(None, &mut out);
        }
        let default = normalise_locale(&self.package_info.metadata_key.locale.tag);
        if let Some(l) = by_norm(&default) {
            push(Some(l), &mut out);
        }
        for l in &self.locales {
            push(Some(l.clone()), &mut out);
        }
        out
    }

    /// The service part for `want`, following [`Package::locale_order`].
    pub fn service(&self, want: Option<&str>) -> Result<ServiceContent, MetadataError> {
        let first = self
            .locale_order(want)
            .into_iter()
            .next()
            .ok_or_else(|| MetadataError::Package("no ServiceInfo.xml".into()))?;
        self.service_in(first)
    }

    /// The service part of one locale folder (`None`: neutral).
    pub fn service_in(&self, locale: Option<String>) -> Result<ServiceContent, MetadataError> {
        let folder = match &locale {
            Some(l) => self.service_dir.join(l),
            None => self.service_dir.clone(),
        };
        let prefix = match &locale {
            Some(l) => format!("ServiceInformation/{l}/"),
            None => "ServiceInformation/".to_owned(),
        };
        // A referenced file: the locale folder first, then the neutral one.
        let locate = |name: &str| -> Result<PathBuf, MetadataError> {
            if !plain_name(name) {
                return Err(MetadataError::Package(format!(
                    "{prefix}: {name:?} is not a plain file name"
                )));
            }
            find_ci(&folder, name)
                .or_else(|| find_ci(&self.service_dir, name))
                .filter(|p| p.is_file())
                .ok_or_else(|| {
                    MetadataError::Package(format!("{prefix}{name} is named but missing"))
                })
        };
        let si_label = format!("{prefix}ServiceInfo.xml");
        let si_path = find_ci(&folder, "ServiceInfo.xml")
            .ok_or_else(|| MetadataError::Package(format!("{si_label} is missing")))?;
        let service_info = ServiceInfo::parse(&si_label, &text_of(&si_path, &si_label)?)?;
        let mut content = ServiceContent {
            locale: locale.clone(),
            service_info,
            mobile_broadband_info: None,
            purchase_profile: None,
            internet_profile: None,
            icon: None,
        };
        if let Some(icon) = &content.service_info.service_icon_file {
            content.icon = Some(locate(icon)?);
        }
        if let Some(ext) = &content.service_info.service_specific_extension {
            let label = format!("{prefix}{}", ext.file);
            let mbi = MobileBroadbandInfo::parse(&label, &text_of(&locate(&ext.file)?, &label)?)?;
            if let Some(nc) = &mbi.network_configuration {
                for (name, dst) in [
                    (&nc.purchase, &mut content.purchase_profile),
                    (&nc.internet, &mut content.internet_profile),
                ] {
                    if let Some(n) = name {
                        let label = format!("{prefix}{n}");
                        *dst = Some(MbnProfile::parse(&label, &text_of(&locate(n)?, &label)?)?);
                    }
                }
            }
            content.mobile_broadband_info = Some(mbi);
        }
        Ok(content)
    }

    /// Check every locale's service part (and the neutral one): a package
    /// is installed only when all of it parses and every named file exists.
    pub fn validate(&self) -> Result<(), MetadataError> {
        if self.has_neutral {
            self.service_in(None)?;
        }
        for l in &self.locales {
            self.service_in(Some(l.clone()))?;
        }
        Ok(())
    }
}
