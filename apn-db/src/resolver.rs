//! Which connection settings to use: precedence between sources
//! (windows-operator-formats.md §3.3).
//!
//! 1. account provisioning metadata (most specific; later issue),
//! 2. operator service metadata, keyed by our HWIDs (later issue),
//! 3. the APN database ([`crate::lookup`]).
//!
//! The highest source that has settings for the purpose wins **all** of it:
//! lower sources are not mixed in (they are named in
//! [`Resolution::overridden`]). Inside a source, entries with an
//! `auto_connect_order` come first in ascending order, the others after them
//! in their given order (the §3.3 reading of AutoConnectOrder). Every result
//! carries its source and the rule that chose it.
//!
//! This module does no I/O; the first two sources are traits the daemon
//! implements.

use crate::hwid::Hwid;
use crate::lookup::{Identity, Lookup};
use crate::model::{Auth, IpType, Purpose};
use serde::Serialize;

/// Where a setting came from, in precedence order (first wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettingsSource {
    /// Account provisioning metadata (CarrierControlSchema MBNProfiles).
    Provisioning,
    /// Operator service metadata (MBAE package, Internet/Purchase profiles).
    ServiceMetadata,
    /// The APN database.
    ApnDatabase,
}

/// One set of connection settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Access point name (empty: let the network choose).
    pub apn: String,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Authentication protocol.
    pub auth: Option<Auth>,
    /// IP type to request.
    pub ip_type: Option<IpType>,
    /// Purpose.
    pub purpose: Purpose,
    /// Operator purchase / account page, for a connected-but-limited SIM.
    pub purchase_url: Option<String>,
    /// Try order inside the source (ascending), when the source gives one.
    pub auto_connect_order: Option<u32>,
    /// Free-form label of where inside the source it came from (profile
    /// name, file, rule).
    pub origin: String,
}

/// A setting with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    /// Which source.
    pub source: SettingsSource,
    /// Position in the try order, from 0.
    pub order: usize,
    /// The settings.
    #[serde(flatten)]
    pub settings: Settings,
}

/// The resolver's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// The winning source, if any had settings.
    pub source: Option<SettingsSource>,
    /// Settings in try order.
    pub candidates: Vec<Resolved>,
    /// Lower-precedence sources that had settings but were overridden.
    pub overridden: Vec<SettingsSource>,
    /// The APN lookup was ambiguous (only relevant when it won).
    pub ambiguous: bool,
}

/// Provisioning metadata applied to this SIM (implemented by the daemon).
pub trait ProvisioningSource {
    /// Profiles for `purpose` that apply to the SIM.
    fn settings(&self, id: &Identity, purpose: Purpose) -> Vec<Settings>;
}

/// Service metadata keyed by HWIDs (implemented by the daemon).
pub trait ServiceMetadataSource {
    /// Profiles for `purpose` from the first package matching one of `hwids`
    /// (given in match order).
    fn settings(&self, hwids: &[Hwid], purpose: Purpose) -> Vec<Settings>;
}

/// No provisioning data.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProvisioning;

impl ProvisioningSource for NoProvisioning {
    fn settings(&self, _: &Identity, _: Purpose) -> Vec<Settings> {
        Vec::new()
    }
}

/// No service metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoServiceMetadata;

impl ServiceMetadataSource for NoServiceMetadata {
    fn settings(&self, _: &[Hwid], _: Purpose) -> Vec<Settings> {
        Vec::new()
    }
}

/// Settings from an APN lookup, in its ranked order.
pub fn from_lookup(l: &Lookup) -> Vec<Settings> {
    l.selected
        .candidates
        .iter()
        .map(|c| Settings {
            apn: c.apn.clone(),
            username: c.username.clone(),
            password: c.password.clone(),
            auth: c.auth,
            ip_type: c.ip_type_for(l.roaming),
            purpose: l.purpose,
            purchase_url: None,
            auto_connect_order: None,
            origin: format!(
                "{} row {} ({})",
                c.source.as_str(),
                c.seq,
                serde_json_rule(&c.rule)
            ),
        })
        .collect()
}

fn serde_json_rule(r: &crate::lookup::Rule) -> String {
    use crate::lookup::Rule;
    match r {
        Rule::MvnoIccid { prefix } => format!("mvno iccid {prefix}"),
        Rule::MvnoImsi { pattern } => format!("mvno imsi {pattern}"),
        Rule::MvnoGid1 { prefix } => format!("mvno gid1 {prefix}"),
        Rule::MvnoSpn { spn } => format!("mvno spn {spn}"),
        Rule::OperatorSpnName => "operator, provider name = SPN".into(),
        Rule::Operator => "operator".into(),
        Rule::CdmaSid => "cdma sid".into(),
        Rule::ProviderName => "provider name".into(),
    }
}

/// Resolve the settings for a SIM: provisioning > service metadata > APN
/// database.
pub fn resolve(
    id: &Identity,
    hwids: &[Hwid],
    purpose: Purpose,
    provisioning: &dyn ProvisioningSource,
    metadata: &dyn ServiceMetadataSource,
    apn_lookup: Option<&Lookup>,
) -> Resolution {
    let layers = [
        (
            SettingsSource::Provisioning,
            provisioning.settings(id, purpose),
        ),
        (
            SettingsSource::ServiceMetadata,
            metadata.settings(hwids, purpose),
        ),
        (
            SettingsSource::ApnDatabase,
            apn_lookup.map(from_lookup).unwrap_or_default(),
        ),
    ];
    let mut res = Resolution {
        source: None,
        candidates: Vec::new(),
        overridden: Vec::new(),
        ambiguous: false,
    };
    for (source, mut settings) in layers {
        settings.retain(|s| s.purpose == purpose);
        if settings.is_empty() {
            continue;
        }
        if res.source.is_some() {
            res.overridden.push(source);
            continue;
        }
        res.source = Some(source);
        // Stable sort: ordered entries first (ascending), unordered after, in given order.
        settings.sort_by_key(|s| (s.auto_connect_order.is_none(), s.auto_connect_order));
        res.candidates = settings
            .into_iter()
            .enumerate()
            .map(|(order, settings)| Resolved {
                source,
                order,
                settings,
            })
            .collect();
        if source == SettingsSource::ApnDatabase {
            res.ambiguous = apn_lookup.is_some_and(|l| l.ambiguous());
        }
    }
    res
}
