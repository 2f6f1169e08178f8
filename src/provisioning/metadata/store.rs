//! Installed service-metadata packages: `<state-dir>/metadata/`.
//!
//! ```text
//! metadata/index.json          what is installed (id, HWIDs, dates, source)
//! metadata/packages/<id>/…     each package extracted (the layout of package.rs)
//! ```
//!
//! Install is all or nothing: the package is copied or extracted into a
//! staging folder inside `metadata/`, parsed and checked completely
//! ([`Package::validate`]), and only then renamed into place and the index
//! replaced (written to a temporary file and renamed). A refused package
//! leaves the installed ones and the index as they were. The package id is
//! the cabinet's (or directory's) GUID name (§2.1: `<GUID>.devicemetadata-ms`,
//! a new GUID per revision); other names get `sha256-<hex>` of their
//! `PackageInfo.xml`. Installing the same id again replaces it.
//!
//! Matching a SIM ([`MetadataStore::find`]): HWIDs (apn-db's `MBAE-OSS`
//! scheme, in a `HardwareID` with or without the `DOID:` prefix) are tried
//! kind by kind in the configured [`MatchConfig::order`]; among packages
//! matching the same HWID the newest `LastModifiedDate` wins (then the
//! greater id, so the choice is stable).
//!
//! Default order: ICCID → IMSI → SID → provider name. §2.6 notes that one
//! Microsoft page checks the home provider name first and the same page
//! later gives "ICCID ranges get first priority"; we take the second (the
//! most specific key first, and apn-db's `hwids` order). The order is
//! configurable (`MatchConfig`, the daemon's `--metadata-match-order`).

use super::error::MetadataError;
use super::package::{Package, ServiceContent};
use super::schema::{
    AllowTethering, CompanionPackage, MbnProfile, PrivilegedApplications, TrustedCertificate,
};
use apn_db::hwid::{Hwid, HwidKind, hwids};
use apn_db::lookup::Identity;
use apn_db::model::{Auth, Purpose};
use apn_db::resolver::{ServiceMetadataSource, Settings};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Index file format version.
const INDEX_VERSION: u32 = 1;

/// One installed package, as the index records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Package id (folder name under `packages/`).
    pub id: String,
    /// `HardwareID`s as written in PackageInfo.
    pub hardware_ids: Vec<String>,
    /// `LastModifiedDate` as written.
    pub last_modified_date: String,
    /// `LastModifiedDate`, seconds since 1970 UTC.
    pub last_modified: i64,
    /// `ServiceNumber` of the neutral/default service part (= CarrierId).
    pub service_number: String,
    /// `ServiceProvider` of that part.
    pub service_provider: String,
    /// Locale folders.
    pub locales: Vec<String>,
    /// Where it was installed from.
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    packages: Vec<IndexEntry>,
}

/// How packages are matched to a SIM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchConfig {
    /// HWID kinds in the order they are tried.
    pub order: Vec<HwidKind>,
    /// Locale for branding (`None`: the neutral copy / package default).
    pub locale: Option<String>,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            order: DEFAULT_ORDER.to_vec(),
            locale: super::package::environment_locale(),
        }
    }
}

/// ICCID → IMSI → SID → provider name (see the module docs).
pub const DEFAULT_ORDER: [HwidKind; 4] = [
    HwidKind::Iccid100,
    HwidKind::Imsi100,
    HwidKind::Sid,
    HwidKind::Provider,
];

/// Parse a match order such as `iccid,imsi,sid,provider` (every kind once;
/// kinds left out are never used).
pub fn parse_order(s: &str) -> Result<Vec<HwidKind>, String> {
    let mut v = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let k = match part.to_ascii_lowercase().as_str() {
            "iccid" | "iccid100" => HwidKind::Iccid100,
            "imsi" | "imsi100" => HwidKind::Imsi100,
            "sid" => HwidKind::Sid,
            "provider" | "home-provider-name" | "spn" => HwidKind::Provider,
            other => {
                return Err(format!(
                    "unknown HWID kind {other:?} (iccid, imsi, sid, provider)"
                ));
            }
        };
        if v.contains(&k) {
            return Err(format!("{part} is listed twice"));
        }
        v.push(k);
    }
    if v.is_empty() {
        return Err("empty match order".into());
    }
    Ok(v)
}

/// What service metadata says about one SIM.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceMetadata {
    /// The package.
    pub package_id: String,
    /// The HWID kind that matched.
    pub matched_by: HwidKind,
    /// Locale folder used (`None`: neutral copy).
    pub locale: Option<String>,
    /// `ServiceNumber` (= provisioning CarrierId).
    pub service_number: String,
    /// `ServiceProvider`: the operator name for branding.
    pub operator_name: String,
    /// `ServiceName`.
    pub service_name: Option<String>,
    /// The installed icon file.
    pub icon: Option<PathBuf>,
    /// Tethering policy.
    pub allow_tethering: AllowTethering,
    /// Standard users may unlock the PIN.
    pub allow_standard_user_pin_unlock: bool,
    /// The purchase profile.
    pub purchase_profile: Option<MbnProfile>,
    /// The Internet profile.
    pub internet_profile: Option<MbnProfile>,
    /// Certificates trusted to sign provisioning documents (for the
    /// association rule of §1.10).
    pub trusted_certificates: Vec<TrustedCertificate>,
    /// The operator (companion) app.
    pub operator_app: Option<CompanionPackage>,
    /// `PrivilegedApplications/Package/Identity@Name`s.
    pub privileged_apps: Vec<String>,
    /// `PrivilegedApplications/AnyApplication`.
    pub any_application_privileged: bool,
}

impl ServiceMetadata {
    fn from_parts(entry: &IndexEntry, kind: HwidKind, pkg: &Package, s: ServiceContent) -> Self {
        let mbi = s.mobile_broadband_info.unwrap_or_default();
        let sw = pkg.software_info.clone().unwrap_or_default();
        let (privileged_apps, any) = match &sw.privileged_applications {
            Some(PrivilegedApplications::AnyApplication) => (Vec::new(), true),
            Some(PrivilegedApplications::Packages(p)) => {
                (p.iter().map(|p| p.identity.name.clone()).collect(), false)
            }
            None => (Vec::new(), false),
        };
        ServiceMetadata {
            package_id: entry.id.clone(),
            matched_by: kind,
            locale: s.locale,
            service_number: s.service_info.service_number,
            operator_name: s.service_info.service_provider,
            service_name: s.service_info.service_name,
            icon: s.icon,
            allow_tethering: mbi.allow_tethering(),
            allow_standard_user_pin_unlock: mbi.allow_standard_user_pin_unlock(),
            purchase_profile: s.purchase_profile,
            internet_profile: s.internet_profile,
            trusted_certificates: mbi.trusted_certificates,
            operator_app: sw.device_companion_applications.into_iter().next(),
            privileged_apps,
            any_application_privileged: any,
        }
    }

    /// Connection settings for `purpose`: the Internet profile for
    /// [`Purpose::Internet`]; nothing else (the purchase profile has no
    /// purpose of its own in apn-db; see [`ServiceMetadata::purchase_settings`]).
    pub fn settings(&self, purpose: Purpose) -> Vec<Settings> {
        match (purpose, &self.internet_profile) {
            (Purpose::Internet, Some(p)) => vec![self.to_settings(p, purpose, "Internet")],
            _ => Vec::new(),
        }
    }

    /// The purchase profile as settings (tagged [`Purpose::Internet`]: it is
    /// the limited-connectivity Internet profile used to buy a plan).
    pub fn purchase_settings(&self) -> Option<Settings> {
        self.purchase_profile
            .as_ref()
            .map(|p| self.to_settings(p, Purpose::Internet, "Purchase"))
    }

    fn to_settings(&self, p: &MbnProfile, purpose: Purpose, which: &str) -> Settings {
        let auth = match p.auth_protocol.as_deref() {
            Some("NONE") => Some(Auth::None),
            Some("PAP") => Some(Auth::Pap),
            Some("CHAP") => Some(Auth::Chap),
            // MsCHAPv2 has no apn-db value: leave it to the modem.
            _ => None,
        };
        Settings {
            apn: p.access_string.clone().unwrap_or_default(),
            username: p.user_name.clone().filter(|s| !s.is_empty()),
            password: p.password.clone().filter(|s| !s.is_empty()),
            auth,
            ip_type: None,
            purpose,
            purchase_url: None,
            auto_connect_order: None,
            origin: format!(
                "service metadata {} {which} profile {:?}",
                self.package_id, p.name
            ),
        }
    }
}

/// The installed packages.
#[derive(Debug)]
pub struct MetadataStore {
    dir: PathBuf,
    config: MatchConfig,
    inner: Mutex<Inner>,
    changed: tokio::sync::watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    index: Index,
    cache: HashMap<String, Arc<Package>>,
    /// The service part of each package in the configured locale: getters
    /// and every modem-state change ask for it, the files do not change.
    content: HashMap<String, ServiceContent>,
}

static STAGING: AtomicU64 = AtomicU64::new(0);

/// Copy the directory tree `from` into `to` (regular files and folders
/// only; symlinks are refused), bounded like a cabinet.
fn copy_tree(
    from: &Path,
    to: &Path,
    total: &mut u64,
    count: &mut usize,
) -> Result<(), MetadataError> {
    std::fs::create_dir_all(to).map_err(|e| MetadataError::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| MetadataError::io(from, e))? {
        let entry = entry.map_err(|e| MetadataError::io(from, e))?;
        let ty = entry
            .file_type()
            .map_err(|e| MetadataError::io(entry.path(), e))?;
        let dst = to.join(entry.file_name());
        *count += 1;
        if *count > super::cab::MAX_MEMBERS {
            return Err(MetadataError::Package("too many files".into()));
        }
        if ty.is_symlink() {
            return Err(MetadataError::Package(format!(
                "{} is a symbolic link",
                entry.path().display()
            )));
        } else if ty.is_dir() {
            copy_tree(&entry.path(), &dst, total, count)?;
        } else if ty.is_file() {
            let data = super::package::read_limited(&entry.path())?;
            *total += data.len() as u64;
            if *total > super::cab::MAX_TOTAL {
                return Err(MetadataError::Package("package too large".into()));
            }
            std::fs::write(&dst, data).map_err(|e| MetadataError::io(&dst, e))?;
        }
    }
    Ok(())
}

/// The id for a package named `name` (file or folder name).
fn id_from_name(name: &str) -> Option<String> {
    let stem = name.strip_suffix(".devicemetadata-ms").unwrap_or(name);
    super::schema::guid(stem).map(|g| g.to_ascii_lowercase())
}

impl MetadataStore {
    /// Open (or create) the store under `state_dir/metadata`.
    pub fn open(state_dir: &Path, config: MatchConfig) -> Result<MetadataStore, MetadataError> {
        let dir = state_dir.join("metadata");
        std::fs::create_dir_all(dir.join("packages")).map_err(|e| MetadataError::io(&dir, e))?;
        let index_path = dir.join("index.json");
        let index = match std::fs::read(&index_path) {
            Ok(b) => {
                let i: Index = serde_json::from_slice(&b).map_err(|e| {
                    MetadataError::Package(format!("{}: {e}", index_path.display()))
                })?;
                if i.version > INDEX_VERSION {
                    return Err(MetadataError::Package(format!(
                        "{} has version {}, newer than {INDEX_VERSION}",
                        index_path.display(),
                        i.version
                    )));
                }
                i
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Index {
                version: INDEX_VERSION,
                packages: Vec::new(),
            },
            Err(e) => return Err(MetadataError::io(index_path, e)),
        };
        // Leftovers of an interrupted install.
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                if e.file_name().to_string_lossy().starts_with(".staging-") {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let (changed, _) = tokio::sync::watch::channel(0);
        Ok(MetadataStore {
            dir,
            config,
            inner: Mutex::new(Inner {
                index,
                cache: HashMap::new(),
                content: HashMap::new(),
            }),
            changed,
        })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store's directory (`<state-dir>/metadata`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The match configuration.
    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// A receiver that changes whenever a package is installed or removed.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Installed packages.
    pub fn list(&self) -> Vec<IndexEntry> {
        self.inner().index.packages.clone()
    }

    /// Install the package at `src`: a directory, or a `.devicemetadata-ms`
    /// cabinet. All or nothing (module docs).
    pub fn install(&self, src: &Path) -> Result<IndexEntry, MetadataError> {
        let mut inner = self.inner();
        let n = STAGING.fetch_add(1, Ordering::Relaxed);
        let staging = self
            .dir
            .join(format!(".staging-{}-{n}", std::process::id()));
        let r = self.install_staged(&mut inner, src, &staging);
        let _ = std::fs::remove_dir_all(&staging);
        if r.is_ok() {
            self.changed.send_modify(|g| *g += 1);
        }
        r
    }

    fn install_staged(
        &self,
        inner: &mut Inner,
        src: &Path,
        staging: &Path,
    ) -> Result<IndexEntry, MetadataError> {
        let meta = std::fs::metadata(src).map_err(|e| MetadataError::io(src, e))?;
        std::fs::create_dir(staging).map_err(|e| MetadataError::io(staging, e))?;
        if meta.is_dir() {
            let (mut total, mut count) = (0, 0);
            copy_tree(src, staging, &mut total, &mut count)?;
        } else {
            super::cab::extract(src, staging)?;
        }
        let pkg = Package::open(staging)?;
        pkg.validate()?;
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = match id_from_name(&name) {
            Some(id) => id,
            None => {
                let pi = super::package::find_ci(staging, "PackageInfo.xml")
                    .ok_or_else(|| MetadataError::Package("no PackageInfo.xml".into()))?;
                let bytes = super::package::read_limited(&pi)?;
                let h = Sha256::digest(&bytes);
                let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
                format!("sha256-{hex}")
            }
        };
        let head = pkg.service(self.config.locale.as_deref())?;
        let entry = IndexEntry {
            id: id.clone(),
            hardware_ids: pkg.package_info.metadata_key.hardware_ids.clone(),
            last_modified_date: pkg.package_info.metadata_key.last_modified_date.clone(),
            last_modified: pkg.package_info.metadata_key.last_modified,
            service_number: head.service_info.service_number.clone(),
            service_provider: head.service_info.service_provider.clone(),
            locales: pkg.locales.clone(),
            source: src.display().to_string(),
        };
        // Swap into place: the old copy (same id) is moved aside and comes
        // back if anything after this fails.
        let packages = self.dir.join("packages");
        let target = packages.join(&id);
        let aside = self.dir.join(format!(".old-{id}"));
        let _ = std::fs::remove_dir_all(&aside);
        let had_old = target.exists();
        if had_old {
            std::fs::rename(&target, &aside).map_err(|e| MetadataError::io(&target, e))?;
        }
        let restore = |e: MetadataError| {
            let _ = std::fs::remove_dir_all(&target);
            if had_old {
                let _ = std::fs::rename(&aside, &target);
            }
            e
        };
        std::fs::rename(staging, &target).map_err(|e| restore(MetadataError::io(&target, e)))?;
        let mut index = inner.index.clone();
        index.version = INDEX_VERSION;
        index.packages.retain(|p| p.id != id);
        index.packages.push(entry.clone());
        self.write_index(&index).map_err(restore)?;
        let _ = std::fs::remove_dir_all(&aside);
        inner.index = index;
        inner.cache.remove(&id);
        inner.content.remove(&id);
        Ok(entry)
    }

    fn write_index(&self, index: &Index) -> Result<(), MetadataError> {
        let path = self.dir.join("index.json");
        let tmp = self.dir.join("index.json.tmp");
        let text = serde_json::to_vec_pretty(index)
            .map_err(|e| MetadataError::Package(format!("index: {e}")))?;
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(|e| MetadataError::io(&tmp, e))?;
            f.write_all(&text).map_err(|e| MetadataError::io(&tmp, e))?;
            f.sync_all().map_err(|e| MetadataError::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, &path).map_err(|e| MetadataError::io(&path, e))
    }

    /// Remove package `id`; false if it is not installed.
    pub fn remove(&self, id: &str) -> Result<bool, MetadataError> {
        let mut inner = self.inner();
        if !inner.index.packages.iter().any(|p| p.id == id) {
            return Ok(false);
        }
        let mut index = inner.index.clone();
        index.packages.retain(|p| p.id != id);
        self.write_index(&index)?;
        inner.index = index;
        inner.cache.remove(id);
        inner.content.remove(id);
        let _ = std::fs::remove_dir_all(self.dir.join("packages").join(id));
        drop(inner);
        self.changed.send_modify(|g| *g += 1);
        Ok(true)
    }

    /// The package matching `hwids` (module docs), with the HWID that matched.
    pub fn find(&self, hwids: &[Hwid]) -> Option<(IndexEntry, Hwid)> {
        let inner = self.inner();
        for kind in &self.config.order {
            for h in hwids.iter().filter(|h| h.kind == *kind) {
                let long = h.package_form();
                let best = inner
                    .index
                    .packages
                    .iter()
                    .filter(|p| p.hardware_ids.iter().any(|x| *x == long || *x == h.id))
                    .max_by(|a, b| (a.last_modified, &a.id).cmp(&(b.last_modified, &b.id)));
                if let Some(p) = best {
                    return Some((p.clone(), h.clone()));
                }
            }
        }
        None
    }

    /// The opened package `id` (cached).
    pub fn package(&self, id: &str) -> Result<Arc<Package>, MetadataError> {
        if let Some(p) = self.inner().cache.get(id) {
            return Ok(p.clone());
        }
        let p = Arc::new(Package::open(&self.dir.join("packages").join(id))?);
        self.inner().cache.insert(id.to_owned(), p.clone());
        Ok(p)
    }

    /// Service metadata for the package matching `hwids`.
    pub fn for_hwids(&self, hwids: &[Hwid]) -> Option<ServiceMetadata> {
        let (entry, hwid) = self.find(hwids)?;
        let r = self.package(&entry.id).and_then(|pkg| {
            let cached = self.inner().content.get(&entry.id).cloned();
            let s = match cached {
                Some(s) => s,
                None => {
                    let s = pkg.service(self.config.locale.as_deref())?;
                    self.inner().content.insert(entry.id.clone(), s.clone());
                    s
                }
            };
            Ok(ServiceMetadata::from_parts(&entry, hwid.kind, &pkg, s))
        });
        match r {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(package = %entry.id, error = %e, "installed service metadata cannot be read");
                None
            }
        }
    }

    /// Service metadata for a SIM.
    pub fn for_identity(&self, id: &Identity) -> Option<ServiceMetadata> {
        self.for_hwids(&hwids(id))
    }

    /// Every trusted provisioning certificate of every installed package
    /// (for a signature check that does not know the SIM yet).
    pub fn all_trusted_certificates(&self) -> Vec<TrustedCertificate> {
        let ids: Vec<String> = self.list().into_iter().map(|e| e.id).collect();
        let mut out: Vec<TrustedCertificate> = Vec::new();
        for id in ids {
            let Ok(pkg) = self.package(&id) else { continue };
            let Ok(s) = pkg.service(self.config.locale.as_deref()) else {
                continue;
            };
            for c in s
                .mobile_broadband_info
                .map(|m| m.trusted_certificates)
                .unwrap_or_default()
            {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

impl ServiceMetadataSource for MetadataStore {
    fn settings(&self, hwids: &[Hwid], purpose: Purpose) -> Vec<Settings> {
        self.for_hwids(hwids)
            .map(|m| m.settings(purpose))
            .unwrap_or_default()
    }
}
