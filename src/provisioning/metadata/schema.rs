//! Typed service-metadata files (windows-operator-formats.md §2.2–§2.5):
//! `PackageInfo.xml`, `ServiceInfo.xml`, `MobileBroadbandInfo.xml`,
//! `SoftwareInfo.xml`, and the MBN profile files the MobileBroadbandInfo
//! names (Win32 `MBNProfile`, §2.4).
//!
//! Structs are named after the elements and fields after their children.
//! Child order and cardinality follow the XSDs in `shared/data/xsd`
//! (`mbi.xsd`, `swi.xsd`); PackageInfo and ServiceInfo follow the element
//! tables of §2.2/§2.3. Elements of another namespace are skipped where the
//! schema has an `##other` wildcard. Accepted leniently (§10): the
//! ServiceInfo example's root `DeviceInfo` and its `ServiceIcon` element;
//! elements without a namespace in place of the target namespace; MBN
//! profiles in either the `http://` or `https://` namespace and in any child
//! order (their schema is not among our sources).
//!
//! Nothing here reads files: parsers take the text.

use super::error::MetadataError;
use super::xml::{Document, Element, parse};
use serde::Serialize;

/// `PackageInfo` namespace (2007/11).
pub const NS_PACKAGE_INFO: &str =
    "http://schemas.microsoft.com/windows/DeviceMetadata/PackageInfo/2007/11/";
/// `PackageInfo` v2 namespace (`MultipleLocale`).
pub const NS_PACKAGE_INFO_V2: &str =
    "http://schemas.microsoft.com/windows/2010/08/DeviceMetadata/PackageInfov2";
/// `ServiceInfo` namespace.
pub const NS_SERVICE_INFO: &str =
    "http://schemas.microsoft.com/windows/2010/05/DeviceMetadata/ServiceInfo";
/// `MobileBroadbandInfo` namespace.
pub const NS_MOBILE_BROADBAND_INFO: &str =
    "http://schemas.microsoft.com/windows/2010/12/DeviceMetadata/MobileBroadbandInfo";
/// `SoftwareInfo` namespace.
pub const NS_SOFTWARE_INFO: &str =
    "http://schemas.microsoft.com/windows/2010/08/DeviceMetadata/SoftwareInfo";

// ---------------------------------------------------------------- helpers

/// One entry of a sequence: element name, min and max occurrences.
type Slot = (&'static str, usize, usize);
const UNBOUNDED: usize = usize::MAX;

/// Whether `child` belongs to the parent's vocabulary: same namespace as
/// `ns`, or no namespace (lenient, §10).
fn own(child: &Element, ns: &[&str]) -> bool {
    match &child.ns {
        None => true,
        Some(n) => ns.iter().any(|x| x == n),
    }
}

/// Check `parent`'s children against an ordered `spec`; returns the
/// children of each slot. Elements of other namespaces are skipped when
/// `other` (an `##other` wildcard), else refused.
fn sequence<'a>(
    doc: &Document,
    parent: &'a Element,
    ns: &[&str],
    spec: &[Slot],
    other: bool,
) -> Result<Vec<Vec<&'a Element>>, MetadataError> {
    let mut out: Vec<Vec<&Element>> = vec![Vec::new(); spec.len()];
    let mut cur = 0usize;
    for c in &parent.children {
        if !own(c, ns) {
            if other {
                continue;
            }
            return Err(doc.error(
                c,
                format!(
                    "element of namespace {:?} not allowed in <{}>",
                    c.ns, parent.name
                ),
            ));
        }
        match spec.iter().position(|s| s.0 == c.name) {
            Some(p) if p >= cur => {
                if out[p].len() >= spec[p].2 {
                    return Err(doc.error(
                        c,
                        format!("more than {} <{}> in <{}>", spec[p].2, c.name, parent.name),
                    ));
                }
                out[p].push(c);
                cur = p;
            }
            Some(_) => {
                let after = spec[cur].0;
                return Err(doc.error(c, format!("<{}> must come before <{after}>", c.name)));
            }
            None => {
                return Err(doc.error(
                    c,
                    format!("unexpected element <{}> in <{}>", c.name, parent.name),
                ));
            }
        }
    }
    for (i, s) in spec.iter().enumerate() {
        if out[i].len() < s.1 {
            return Err(doc.error(parent, format!("missing <{}>", s.0)));
        }
    }
    Ok(out)
}

/// Whitespace-collapsed text (xs:token / xs:boolean facets).
fn token(e: &Element) -> String {
    e.text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn boolean(doc: &Document, e: &Element) -> Result<bool, MetadataError> {
    parse_bool(&token(e)).ok_or_else(|| doc.error(e, format!("{:?} is not a boolean", e.text)))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn one(v: &[&Element]) -> Option<String> {
    v.first().map(|e| token(e))
}

fn len_between(
    doc: &Document,
    e: &Element,
    s: &str,
    min: usize,
    max: usize,
) -> Result<(), MetadataError> {
    let n = s.chars().count();
    if n < min || n > max {
        return Err(doc.error(e, format!("length {n} is outside {min}–{max}")));
    }
    Ok(())
}

fn check_root(doc: &Document, names: &[&str], ns: &[&str]) -> Result<(), MetadataError> {
    let r = &doc.root;
    if !names.contains(&r.name.as_str()) {
        return Err(doc.error(r, format!("root element must be <{}>", names[0])));
    }
    if !own(r, ns) {
        return Err(doc.error(r, format!("namespace must be {}", ns[0])));
    }
    Ok(())
}

/// A GUID as 8-4-4-4-12 hex digits, braces allowed; returned upper case without braces.
pub fn guid(s: &str) -> Option<String> {
    let t = s.trim().trim_start_matches('{').trim_end_matches('}');
    let parts: Vec<&str> = t.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    if parts.len() != 5
        || parts
            .iter()
            .zip(lens)
            .any(|(p, l)| p.len() != l || !p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    Some(t.to_ascii_uppercase())
}

/// An `xs:dateTime` as seconds since 1970 (UTC; no zone = UTC).
pub fn date_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let mo: i64 = d.next()?.parse().ok()?;
    let da: i64 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&da) {
        return None;
    }
    let (clock, offset) = if let Some(c) = time.strip_suffix('Z') {
        (c, 0)
    } else if let Some(i) = time.rfind(['+', '-']).filter(|&i| i >= 8) {
        let (c, z) = time.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (hh, mm) = z[1..].split_once(':')?;
        let off = hh.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60;
        (c, sign * off)
    } else {
        (time, 0)
    };
    let mut c = clock.split(':');
    let h: i64 = c.next()?.parse().ok()?;
    let mi: i64 = c.next()?.parse().ok()?;
    let sec: f64 = c.next()?.parse().ok()?;
    if c.next().is_some() || h > 24 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    // mo and da were range-checked above.
    let days = crate::calendar::days_from_civil(y, mo as u32, da as u32);
    Some(days * 86_400 + h * 3600 + mi * 60 + sec as i64 - offset)
}

// ---------------------------------------------------------------- PackageInfo

/// `PackageInfo.xml` (§2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageInfo {
    /// `MetadataKey`.
    pub metadata_key: MetadataKey,
    /// `PackageStructure`.
    pub package_structure: Vec<MetadataEntry>,
    /// `Relationships/ExperienceID`.
    pub experience_id: Option<String>,
    /// `Relationships/LanguageNeutralIdentifier`.
    pub language_neutral_identifier: Option<String>,
    /// `MetadataBuilderInformation/Application`.
    pub builder_application: Option<String>,
    /// `MetadataBuilderInformation/Version`.
    pub builder_version: Option<String>,
}

/// `PackageInfo/MetadataKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataKey {
    /// `HardwareIDList/HardwareID`, as written.
    pub hardware_ids: Vec<String>,
    /// `ModelIDList/ModelID` (device metadata only).
    pub model_ids: Vec<String>,
    /// `Locale`.
    pub locale: Locale,
    /// `LastModifiedDate` as written.
    pub last_modified_date: String,
    /// `LastModifiedDate` in seconds since 1970 (UTC).
    pub last_modified: i64,
    /// `v2:MultipleLocale`.
    pub multiple_locale: Option<bool>,
}

/// `MetadataKey/Locale`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Locale {
    /// The tag, e.g. `EN-US`.
    pub tag: String,
    /// `@default`.
    pub default: bool,
}

/// `PackageStructure/Metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataEntry {
    /// `@MetadataID`: the schema URI of the part.
    pub metadata_id: String,
    /// Text: the file or folder name.
    pub name: String,
}

/// Is `s` a valid `HardwareID` (1–207 printable ASCII, none of space `"` `,` `'`)?
pub fn is_hardware_id(s: &str) -> bool {
    (1..=207).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b'\''))
}

impl PackageInfo {
    /// Parse `PackageInfo.xml`.
    pub fn parse(file: &str, xml: &str) -> Result<Self, MetadataError> {
        let doc = parse(file, xml)?;
        let ns = [NS_PACKAGE_INFO, NS_PACKAGE_INFO_V2];
        check_root(&doc, &["PackageInfo"], &ns)?;
        let top = sequence(
            &doc,
            &doc.root,
            &ns,
            &[
                ("MetadataKey", 1, 1),
                ("PackageStructure", 1, 1),
                ("Relationships", 0, 1),
                ("MetadataBuilderInformation", 0, 1),
            ],
            true,
        )?;
        let mk = top[0][0];
        let k = sequence(
            &doc,
            mk,
            &ns,
            &[
                ("HardwareIDList", 0, 1),
                ("ModelIDList", 0, 1),
                ("Locale", 1, 1),
                ("LastModifiedDate", 1, 1),
                ("MultipleLocale", 0, 1),
            ],
            true,
        )?;
        let mut hardware_ids = Vec::new();
        if let Some(list) = k[0].first() {
            let ids = sequence(&doc, list, &ns, &[("HardwareID", 1, UNBOUNDED)], true)?;
            for e in &ids[0] {
                let id = e.text.trim().to_owned();
                if !is_hardware_id(&id) {
                    return Err(doc.error(e, format!("{id:?} is not a valid hardware ID")));
                }
                hardware_ids.push(id);
            }
        }
        let mut model_ids = Vec::new();
        if let Some(list) = k[1].first() {
            let ids = sequence(&doc, list, &ns, &[("ModelID", 1, UNBOUNDED)], true)?;
            for e in &ids[0] {
                model_ids
                    .push(guid(&e.text).ok_or_else(|| doc.error(e, "ModelID must be a GUID"))?);
            }
        }
        if hardware_ids.is_empty() && model_ids.is_empty() {
            return Err(doc.error(
                mk,
                "missing <HardwareIDList>: nothing to match the package by",
            ));
        }
        let le = k[2][0];
        let locale = Locale {
            tag: token(le),
            default: match le.attr("default") {
                Some(v) => parse_bool(v)
                    .ok_or_else(|| doc.error(le, format!("default={v:?} is not a boolean")))?,
                None => return Err(doc.error(le, "missing attribute default")),
            },
        };
        if locale.tag.is_empty() {
            return Err(doc.error(le, "empty locale"));
        }
        let de = k[3][0];
        let last_modified_date = token(de);
        let last_modified = date_time(&last_modified_date).ok_or_else(|| {
            doc.error(de, format!("{last_modified_date:?} is not an xs:dateTime"))
        })?;
        let multiple_locale = match k[4].first() {
            Some(e) => Some(boolean(&doc, e)?),
            None => None,
        };
        let ps = sequence(&doc, top[1][0], &ns, &[("Metadata", 1, UNBOUNDED)], true)?;
        let mut package_structure = Vec::new();
        for e in &ps[0] {
            let metadata_id = e
                .attr("MetadataID")
                .ok_or_else(|| doc.error(e, "missing attribute MetadataID"))?
                .trim()
                .to_owned();
            let name = token(e);
            if name.is_empty() {
                return Err(doc.error(e, "empty Metadata name"));
            }
            package_structure.push(MetadataEntry { metadata_id, name });
        }
        let (mut experience_id, mut language_neutral_identifier) = (None, None);
        if let Some(r) = top[2].first() {
            let s = sequence(
                &doc,
                r,
                &ns,
                &[("ExperienceID", 0, 1), ("LanguageNeutralIdentifier", 0, 1)],
                true,
            )?;
            for (slot, out) in [
                (&s[0], &mut experience_id),
                (&s[1], &mut language_neutral_identifier),
            ] {
                if let Some(e) = slot.first() {
                    *out = Some(guid(&e.text).ok_or_else(|| doc.error(e, "must be a GUID"))?);
                }
            }
        }
        let (mut builder_application, mut builder_version) = (None, None);
        if let Some(b) = top[3].first() {
            let s = sequence(
                &doc,
                b,
                &ns,
                &[("Application", 0, 1), ("Version", 0, 1)],
                true,
            )?;
            builder_application = one(&s[0]);
            builder_version = one(&s[1]);
        }
        Ok(PackageInfo {
            metadata_key: MetadataKey {
                hardware_ids,
                model_ids,
                locale,
                last_modified_date,
                last_modified,
                multiple_locale,
            },
            package_structure,
            experience_id,
            language_neutral_identifier,
            builder_application,
            builder_version,
        })
    }

    /// The folder (or file) the package structure gives for the part whose
    /// schema URI contains `part` (e.g. `ServiceInfo`).
    pub fn part(&self, part: &str) -> Option<&str> {
        self.package_structure
            .iter()
            .find(|m| m.metadata_id.contains(part))
            .map(|m| m.name.as_str())
    }
}

// ---------------------------------------------------------------- ServiceInfo

/// `ServiceInfo.xml` (§2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// `ServiceCategoryList/ServiceCategory`.
    pub service_category_list: Vec<String>,
    /// `ServiceName` (0–200).
    pub service_name: Option<String>,
    /// `ServiceDescription1`.
    pub service_description1: Option<String>,
    /// `ServiceDescription2`.
    pub service_description2: Option<String>,
    /// `ServiceNumber`: a GUID, the provisioning `CarrierId` (upper case, no braces).
    pub service_number: String,
    /// `ServiceProvider` (1–20): the operator name shown on the home network.
    pub service_provider: String,
    /// `ServiceIconFile` (`.ico`).
    pub service_icon_file: Option<String>,
    /// `ServiceSpecificExtension`: the MobileBroadbandInfo file name.
    pub service_specific_extension: Option<ServiceSpecificExtension>,
}

/// `ServiceInfo/ServiceSpecificExtension`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceSpecificExtension {
    /// The file name.
    pub file: String,
    /// `@namespace` (the MobileBroadbandInfo namespace).
    pub namespace: Option<String>,
}

impl ServiceInfo {
    /// Parse `ServiceInfo.xml`.
    pub fn parse(file: &str, xml: &str) -> Result<Self, MetadataError> {
        let doc = parse(file, xml)?;
        let ns = [NS_SERVICE_INFO];
        check_root(&doc, &["ServiceInfo", "DeviceInfo"], &ns)?;
        // The Microsoft example writes <ServiceIcon> where the XSD has
        // <ServiceIconFile>: take either, in the same place.
        let mut root = doc.root.clone();
        for c in &mut root.children {
            if c.name == "ServiceIcon" && own(c, &ns) {
                c.name = "ServiceIconFile".into();
            }
        }
        let s = sequence(
            &doc,
            &root,
            &ns,
            &[
                ("ServiceCategoryList", 1, 1),
                ("ServiceName", 0, 1),
                ("ServiceDescription1", 0, 1),
                ("ServiceDescription2", 0, 1),
                ("ServiceNumber", 1, 1),
                ("ServiceProvider", 1, 1),
                ("ServiceIconFile", 0, 1),
                ("ServiceSpecificExtension", 0, 1),
            ],
            true,
        )?;
        let cats = sequence(
            &doc,
            s[0][0],
            &ns,
            &[("ServiceCategory", 1, UNBOUNDED)],
            true,
        )?;
        let service_category_list = cats[0].iter().map(|e| token(e)).collect();
        let service_name = s[1].first().map(|e| e.text.trim().to_owned());
        if let (Some(e), Some(n)) = (s[1].first(), &service_name) {
            len_between(&doc, e, n, 0, 200)?;
        }
        let mut descs = [None, None];
        for (i, slot) in [&s[2], &s[3]].into_iter().enumerate() {
            if let Some(e) = slot.first() {
                let t = e.text.trim().to_owned();
                len_between(&doc, e, &t, 1, 1024)?;
                descs[i] = Some(t);
            }
        }
        let ne = s[4][0];
        let service_number =
            guid(&ne.text).ok_or_else(|| doc.error(ne, "ServiceNumber must be a GUID"))?;
        let pe = s[5][0];
        let service_provider = pe.text.trim().to_owned();
        len_between(&doc, pe, &service_provider, 1, 20)?;
        let service_icon_file = match s[6].first() {
            Some(e) => {
                let f = e.text.trim().to_owned();
                if f.len() < 5 || !f.to_ascii_lowercase().ends_with(".ico") {
                    return Err(doc.error(e, format!("{f:?} is not an .ico file name")));
                }
                Some(f)
            }
            None => None,
        };
        let service_specific_extension = match s[7].first() {
            Some(e) => {
                let f = e.text.trim().to_owned();
                if f.is_empty() {
                    return Err(doc.error(e, "empty file name"));
                }
                Some(ServiceSpecificExtension {
                    file: f,
                    namespace: e.attr("namespace").map(str::to_owned),
                })
            }
            None => None,
        };
        let [service_description1, service_description2] = descs;
        Ok(ServiceInfo {
            service_category_list,
            service_name,
            service_description1,
            service_description2,
            service_number,
            service_provider,
            service_icon_file,
            service_specific_extension,
        })
    }
}

// ---------------------------------------------------------------- MobileBroadbandInfo

/// `AllowTethering` (mbi.xsd `TetheringAllowedType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AllowTethering {
    /// `Never`.
    Never,
    /// `Always` (also the meaning when the element is absent).
    Always,
    /// `EntitlementCheckRequired`.
    EntitlementCheckRequired,
}

impl AllowTethering {
    /// The XSD spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AllowTethering::Never => "Never",
            AllowTethering::Always => "Always",
            AllowTethering::EntitlementCheckRequired => "EntitlementCheckRequired",
        }
    }
}

/// `MobileBroadbandInfo.xml` (§2.4, `mbi.xsd`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MobileBroadbandInfo {
    /// `NetworkConfiguration`.
    pub network_configuration: Option<NetworkConfiguration>,
    /// `ProvisioningEngine/TrustedCertificates/TrustedCertificate`.
    pub trusted_certificates: Vec<TrustedCertificate>,
}

/// `NetworkConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NetworkConfiguration {
    /// `MobileBroadbandProfiles/Purchase`: a file name.
    pub purchase: Option<String>,
    /// `MobileBroadbandProfiles/Internet`: a file name.
    pub internet: Option<String>,
    /// `AllowStandardUserPinUnlock`.
    pub allow_standard_user_pin_unlock: Option<bool>,
    /// `AllowTethering`.
    pub allow_tethering: Option<AllowTethering>,
}

/// `TrustedCertificate`: a certificate trusted to sign provisioning files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedCertificate {
    /// `SubjectName` (distinguished name as written).
    pub subject_name: String,
    /// `IssuerName`.
    pub issuer_name: String,
}

/// Is `s` a valid mbi.xsd `FileType` (`[\p{L}\p{N}.\-_ ]+`, 1–260)?
pub fn is_file_type(s: &str) -> bool {
    let n = s.chars().count();
    (1..=260).contains(&n)
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
}

impl MobileBroadbandInfo {
    /// Parse `MobileBroadbandInfo.xml`.
    pub fn parse(file: &str, xml: &str) -> Result<Self, MetadataError> {
        let doc = parse(file, xml)?;
        let ns = [NS_MOBILE_BROADBAND_INFO];
        check_root(&doc, &["MobileBroadbandInfo"], &ns)?;
        let s = sequence(
            &doc,
            &doc.root,
            &ns,
            &[("NetworkConfiguration", 0, 1), ("ProvisioningEngine", 0, 1)],
            true,
        )?;
        let network_configuration = match s[0].first() {
            Some(nc) => {
                let n = sequence(
                    &doc,
                    nc,
                    &ns,
                    &[
                        ("MobileBroadbandProfiles", 0, 1),
                        ("AllowStandardUserPinUnlock", 0, 1),
                        ("AllowTethering", 0, 1),
                    ],
                    true,
                )?;
                let mut out = NetworkConfiguration::default();
                if let Some(p) = n[0].first() {
                    let f = sequence(
                        &doc,
                        p,
                        &ns,
                        &[("Purchase", 0, 1), ("Internet", 0, 1)],
                        true,
                    )?;
                    for (slot, dst) in [(&f[0], &mut out.purchase), (&f[1], &mut out.internet)] {
                        if let Some(e) = slot.first() {
                            // FileType preserves whitespace: no trimming.
                            if !is_file_type(&e.text) {
                                return Err(
                                    doc.error(e, format!("{:?} is not a file name", e.text))
                                );
                            }
                            *dst = Some(e.text.clone());
                        }
                    }
                }
                if let Some(e) = n[1].first() {
                    out.allow_standard_user_pin_unlock = Some(boolean(&doc, e)?);
                }
                if let Some(e) = n[2].first() {
                    out.allow_tethering = Some(match token(e).as_str() {
                        "Never" => AllowTethering::Never,
                        "Always" => AllowTethering::Always,
                        "EntitlementCheckRequired" => AllowTethering::EntitlementCheckRequired,
                        other => {
                            return Err(doc.error(
                                e,
                                format!(
                                    "{other:?} is not Never, Always or EntitlementCheckRequired"
                                ),
                            ));
                        }
                    });
                }
                Some(out)
            }
            None => None,
        };
        let mut trusted_certificates = Vec::new();
        if let Some(pe) = s[1].first() {
            let p = sequence(&doc, pe, &ns, &[("TrustedCertificates", 0, 1)], true)?;
            if let Some(tc) = p[0].first() {
                let list = sequence(&doc, tc, &ns, &[("TrustedCertificate", 0, 256)], true)?;
                for c in &list[0] {
                    let f = sequence(
                        &doc,
                        c,
                        &ns,
                        &[("SubjectName", 1, 1), ("IssuerName", 1, 1)],
                        true,
                    )?;
                    trusted_certificates.push(TrustedCertificate {
                        subject_name: f[0][0].text.clone(),
                        issuer_name: f[1][0].text.clone(),
                    });
                }
            }
        }
        Ok(MobileBroadbandInfo {
            network_configuration,
            trusted_certificates,
        })
    }

    /// The tethering policy (absent = allowed, §2.4).
    pub fn allow_tethering(&self) -> AllowTethering {
        self.network_configuration
            .as_ref()
            .and_then(|n| n.allow_tethering)
            .unwrap_or(AllowTethering::Always)
    }

    /// Whether standard users may unlock the PIN (absent = no: our choice,
    /// the documentation gives no default).
    pub fn allow_standard_user_pin_unlock(&self) -> bool {
        self.network_configuration
            .as_ref()
            .and_then(|n| n.allow_standard_user_pin_unlock)
            .unwrap_or(false)
    }
}

// ---------------------------------------------------------------- SoftwareInfo

/// `SoftwareInfo.xml` (§2.5, `swi.xsd`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SoftwareInfo {
    /// `DeviceCompanionApplications/Package`: the operator app(s).
    pub device_companion_applications: Vec<CompanionPackage>,
    /// `PrivilegedApplications`.
    pub privileged_applications: Option<PrivilegedApplications>,
}

/// `Identity@Name`/`@Publisher`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `@Name` (3–50, `[-_. A-Za-z0-9]`, no `_` or space).
    pub name: String,
    /// `@Publisher` (a distinguished name, ≤ 8192).
    pub publisher: String,
}

/// `DeviceCompanionApplications/Package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanionPackage {
    /// `Identity`.
    pub identity: Identity,
    /// `Applications/Application@Id`.
    pub application_id: String,
    /// `DeviceNotificationHandlers/DeviceNotificationHandler`.
    pub device_notification_handlers: Vec<DeviceNotificationHandler>,
}

/// `DeviceNotificationHandler`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceNotificationHandler {
    /// `@EventID` (e.g. `MobileOperatorNotificationHandler`).
    pub event_id: String,
    /// `@EventAsset`.
    pub event_asset: String,
}

/// `PrivilegedApplications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PrivilegedApplications {
    /// `AnyApplication`: every app is privileged.
    AnyApplication,
    /// `Package+`.
    Packages(Vec<PrivilegedPackage>),
}

/// `PrivilegedApplications/Package`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivilegedPackage {
    /// `Identity@Name`/`@Publisher`.
    pub identity: Identity,
    /// `Identity@AccessCustomDriver`.
    pub access_custom_driver: Option<bool>,
}

fn non_empty_string(s: &str) -> bool {
    // swi.xsd NonEmptyStringType: no leading/trailing whitespace, 1–32767.
    !s.is_empty() && s.len() <= 32767 && s.trim() == s
}

fn identity(doc: &Document, e: &Element) -> Result<Identity, MetadataError> {
    let name = e
        .attr("Name")
        .ok_or_else(|| doc.error(e, "missing attribute Name"))?;
    let ok_name = (3..=50).contains(&name.len())
        && non_empty_string(name)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
    if !ok_name {
        return Err(doc.error(
            e,
            format!("Name {name:?}: 3–50 of [-. A-Za-z0-9], no '_' or space"),
        ));
    }
    let publisher = e
        .attr("Publisher")
        .ok_or_else(|| doc.error(e, "missing attribute Publisher"))?;
    if !non_empty_string(publisher) || publisher.len() > 8192 {
        return Err(doc.error(
            e,
            "Publisher must be a non-empty name of at most 8192 characters",
        ));
    }
    Ok(Identity {
        name: name.to_owned(),
        publisher: publisher.to_owned(),
    })
}

fn is_application_id(s: &str) -> bool {
    // AsciiWindowsIdType: dotted identifiers, each [A-Za-z][A-Za-z0-9]*; ≤ 64.
    s.len() <= 64
        && s.split('.').all(|p| {
            let mut b = p.bytes();
            b.next().is_some_and(|c| c.is_ascii_alphabetic())
                && b.all(|c| c.is_ascii_alphanumeric())
        })
}

impl SoftwareInfo {
    /// Parse `SoftwareInfo.xml`.
    pub fn parse(file: &str, xml: &str) -> Result<Self, MetadataError> {
        let doc = parse(file, xml)?;
        let ns = [NS_SOFTWARE_INFO];
        check_root(&doc, &["SoftwareInfo"], &ns)?;
        // xs:choice of (DeviceCompanionApplications, PrivilegedApplications?,
        // ##other*) or PrivilegedApplications alone: both are this sequence
        // with an optional first element, except that the wildcard needs the
        // companion element.
        let s = sequence(
            &doc,
            &doc.root,
            &ns,
            &[
                ("DeviceCompanionApplications", 0, 1),
                ("PrivilegedApplications", 0, 1),
            ],
            true,
        )?;
        if s[0].is_empty() && s[1].is_empty() {
            return Err(doc.error(
                &doc.root,
                "needs <DeviceCompanionApplications> or <PrivilegedApplications>",
            ));
        }
        if s[0].is_empty() && doc.root.children.iter().any(|c| !own(c, &ns)) {
            return Err(doc.error(
                &doc.root,
                "extension elements need <DeviceCompanionApplications>",
            ));
        }
        let mut out = SoftwareInfo::default();
        if let Some(dca) = s[0].first() {
            let pk = sequence(&doc, dca, &ns, &[("Package", 1, UNBOUNDED)], true)?;
            for p in &pk[0] {
                let f = sequence(
                    &doc,
                    p,
                    &ns,
                    &[("Identity", 1, 1), ("Applications", 1, 1)],
                    true,
                )?;
                let identity = identity(&doc, f[0][0])?;
                let apps = sequence(&doc, f[1][0], &ns, &[("Application", 1, 1)], true)?;
                let app = apps[0][0];
                let id = app
                    .attr("Id")
                    .ok_or_else(|| doc.error(app, "missing attribute Id"))?;
                if !is_application_id(id) {
                    return Err(doc.error(
                        app,
                        format!("Id {id:?} is not a dotted identifier of at most 64"),
                    ));
                }
                let h = sequence(
                    &doc,
                    app,
                    &ns,
                    &[("DeviceNotificationHandlers", 0, 1)],
                    true,
                )?;
                let mut handlers = Vec::new();
                if let Some(hs) = h[0].first() {
                    let l = sequence(
                        &doc,
                        hs,
                        &ns,
                        &[("DeviceNotificationHandler", 1, UNBOUNDED)],
                        true,
                    )?;
                    for e in &l[0] {
                        let get = |a: &str| {
                            e.attr(a)
                                .map(str::to_owned)
                                .ok_or_else(|| doc.error(e, format!("missing attribute {a}")))
                        };
                        handlers.push(DeviceNotificationHandler {
                            event_id: get("EventID")?,
                            event_asset: get("EventAsset")?,
                        });
                    }
                }
                out.device_companion_applications.push(CompanionPackage {
                    identity,
                    application_id: id.to_owned(),
                    device_notification_handlers: handlers,
                });
            }
        }
        if let Some(pa) = s[1].first() {
            let own_children: Vec<&Element> = pa.children.iter().filter(|c| own(c, &ns)).collect();
            let any = own_children
                .iter()
                .filter(|c| c.name == "AnyApplication")
                .count();
            let pkgs: Vec<&Element> = own_children
                .iter()
                .copied()
                .filter(|c| c.name == "Package")
                .collect();
            if let Some(bad) = own_children
                .iter()
                .find(|c| c.name != "AnyApplication" && c.name != "Package")
            {
                return Err(doc.error(
                    bad,
                    format!(
                        "unexpected element <{}> in <PrivilegedApplications>",
                        bad.name
                    ),
                ));
            }
            out.privileged_applications = Some(match (any, pkgs.len()) {
                (1, 0) => PrivilegedApplications::AnyApplication,
                (0, _) => {
                    let mut v = Vec::new();
                    for p in pkgs {
                        let f = sequence(&doc, p, &ns, &[("Identity", 1, 1)], true)?;
                        let ie = f[0][0];
                        let access_custom_driver = match ie.attr("AccessCustomDriver") {
                            Some(v) => Some(parse_bool(v).ok_or_else(|| {
                                doc.error(ie, format!("AccessCustomDriver={v:?} is not a boolean"))
                            })?),
                            None => None,
                        };
                        v.push(PrivilegedPackage {
                            identity: identity(&doc, ie)?,
                            access_custom_driver,
                        });
                    }
                    PrivilegedApplications::Packages(v)
                }
                _ => {
                    return Err(doc.error(
                        pa,
                        "either one <AnyApplication> or <Package> elements, not both",
                    ));
                }
            });
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------- MBN profile

/// An MBN connection profile file (Win32 `MBNProfile`, §2.4), the fields
/// the daemon uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MbnProfile {
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `IsDefault`.
    pub is_default: Option<bool>,
    /// `SubscriberID`.
    pub subscriber_id: Option<String>,
    /// `SimIccID`.
    pub sim_icc_id: Option<String>,
    /// `HomeProviderName`.
    pub home_provider_name: Option<String>,
    /// `IsPurchaseProfile` (v2).
    pub is_purchase_profile: Option<bool>,
    /// `Context/AccessString`.
    pub access_string: Option<String>,
    /// `Context/UserLogonCred/UserName`.
    pub user_name: Option<String>,
    /// `Context/UserLogonCred/Password`.
    pub password: Option<String>,
    /// `Context/Compression` (`ENABLE`/`DISABLE`).
    pub compression: Option<String>,
    /// `Context/AuthProtocol` (`NONE`/`PAP`/`CHAP`/`MsCHAPv2`).
    pub auth_protocol: Option<String>,
}

impl MbnProfile {
    /// Parse a profile file.
    pub fn parse(file: &str, xml: &str) -> Result<Self, MetadataError> {
        let doc = parse(file, xml)?;
        let r = &doc.root;
        if r.name != "MBNProfile" && r.name != "MBNProfileExt" {
            return Err(doc.error(r, "root element must be <MBNProfile>"));
        }
        if let Some(n) = &r.ns {
            let tail = n
                .strip_prefix("http://")
                .or_else(|| n.strip_prefix("https://"))
                .unwrap_or("");
            if !tail.starts_with("www.microsoft.com/networking/WWAN/profile/") {
                return Err(doc.error(r, format!("unknown MBN profile namespace {n}")));
            }
        }
        let mut p = MbnProfile::default();
        let mut has_name = false;
        for c in &r.children {
            let t = || Some(c.text.trim().to_owned());
            match c.name.as_str() {
                "Name" => {
                    p.name = c.text.trim().to_owned();
                    has_name = true;
                }
                "Description" => p.description = t(),
                "IsDefault" => p.is_default = Some(boolean(&doc, c)?),
                "SubscriberID" => p.subscriber_id = t(),
                "SimIccID" => p.sim_icc_id = t(),
                "HomeProviderName" => p.home_provider_name = t(),
                "IsPurchaseProfile" => p.is_purchase_profile = Some(boolean(&doc, c)?),
                "Context" => {
                    for x in &c.children {
                        let t = || Some(x.text.trim().to_owned());
                        match x.name.as_str() {
                            "AccessString" => {
                                let a = x.text.trim().to_owned();
                                len_between(&doc, x, &a, 0, 100)?;
                                p.access_string = Some(a);
                            }
                            "UserLogonCred" => {
                                for u in &x.children {
                                    match u.name.as_str() {
                                        "UserName" => p.user_name = Some(u.text.trim().to_owned()),
                                        "Password" => p.password = Some(u.text.clone()),
                                        _ => {}
                                    }
                                }
                            }
                            "Compression" => p.compression = t(),
                            "AuthProtocol" => {
                                let a = x.text.trim();
                                if !matches!(a, "NONE" | "PAP" | "CHAP" | "MsCHAPv2") {
                                    return Err(doc.error(
                                        x,
                                        format!("{a:?} is not NONE, PAP, CHAP or MsCHAPv2"),
                                    ));
                                }
                                p.auth_protocol = t();
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if !has_name || p.name.is_empty() {
            return Err(doc.error(r, "missing <Name>"));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_handles_zones() {
        assert_eq!(date_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(date_time("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(date_time("2012-03-04T05:06:07"), Some(1_330_837_567));
        assert_eq!(date_time("2012-13-04T05:06:07"), None);
        assert_eq!(date_time("yesterday"), None);
    }

    #[test]
    fn guids_are_normalised() {
        assert_eq!(
            guid("{a1b2c3d4-0000-1111-2222-333344445555}").as_deref(),
            Some("A1B2C3D4-0000-1111-2222-333344445555")
        );
        assert_eq!(guid("a1b2c3d4-0000-1111-2222-33334444555"), None);
    }

    #[test]
    fn hardware_id_charset() {
        assert!(is_hardware_id("DOID:MBAE:0:L9@E}}DT2.*F65MQA57Y+L"));
        assert!(!is_hardware_id("has space"));
        assert!(!is_hardware_id("a,b"));
        assert!(!is_hardware_id(""));
    }
}
