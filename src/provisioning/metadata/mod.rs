//! Operator service metadata (MBAE packages, windows-operator-formats.md §2):
//! parse the package files, install packages from a directory or a
//! `.devicemetadata-ms` cabinet into `<state-dir>/metadata/`, match them to a
//! SIM by our HWIDs, and expose what they supply (branding, profiles,
//! tethering and PIN policy, trusted certificates, operator and privileged
//! apps). The resolver's service-metadata source is [`MetadataStore`].
//!
//! It must not talk to the modem or the bus; the D-Bus side is
//! `dbus::ext_metadata`.
//!
//! Layers: [`xml`] (element tree with positions) → [`schema`] (typed files)
//! → [`package`] (directory layout, locale fallback) → [`cab`] (cabinet
//! extraction) → [`store`] (install, index, matching).

pub mod cab;
pub mod error;
pub mod package;
pub mod schema;
pub mod store;
pub mod xml;

pub use error::MetadataError;
pub use package::{Package, ServiceContent};
pub use schema::{
    AllowTethering, MbnProfile, MobileBroadbandInfo, PackageInfo, ServiceInfo, SoftwareInfo,
    TrustedCertificate,
};
pub use store::{IndexEntry, MatchConfig, MetadataStore, ServiceMetadata};

/// Parse `data` as each kind of metadata file; for fuzzing. Never panics;
/// returns how many kinds accepted it.
pub fn parse_any(data: &[u8]) -> usize {
    let Ok(text) = xml::decode_bytes("fuzz", data) else {
        return 0;
    };
    [
        PackageInfo::parse("fuzz", &text).is_ok(),
        ServiceInfo::parse("fuzz", &text).is_ok(),
        MobileBroadbandInfo::parse("fuzz", &text).is_ok(),
        SoftwareInfo::parse("fuzz", &text).is_ok(),
        MbnProfile::parse("fuzz", &text).is_ok(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}
