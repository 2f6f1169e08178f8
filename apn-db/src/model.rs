//! Value types shared by the importers, the database and the lookup: one
//! [`ApnRow`] per (APN × network-id), purposes as a bit set, normalised
//! authentication and IP types, and the MVNO discriminator of a row.
//!
//! Nothing here does I/O.

use serde::Serialize;

/// Which file format a source was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// mobile-broadband-provider-info `serviceproviders.xml` (either DTD version).
    Mbpi,
    /// Android `apns-conf.xml` / `apns-full-conf.xml`.
    Android,
}

impl SourceKind {
    /// The name stored in the database and printed by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Mbpi => "mbpi",
            SourceKind::Android => "android",
        }
    }

    /// Parse the stored name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "mbpi" => Some(SourceKind::Mbpi),
            "android" => Some(SourceKind::Android),
            _ => None,
        }
    }

    /// Default tie-break priority (lower wins). MBPI first: it is curated for
    /// data-only modems (the laptop case mbimd serves, and what NetworkManager
    /// uses); Android's phone-oriented rows follow. MVNO matches from any
    /// source still replace operator rows before this priority is consulted.
    pub fn default_priority(self) -> i64 {
        match self {
            SourceKind::Mbpi => 10,
            SourceKind::Android => 20,
        }
    }
}

/// A set of purposes (APN types / MBPI usages), as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Purposes(pub u32);

/// One purpose a connection can serve (APN-data.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Purpose {
    Internet,
    Mms,
    Supl,
    Dun,
    Hipri,
    Fota,
    Ims,
    Cbs,
    Ia,
    Emergency,
    Mcx,
    Xcap,
    Wap,
    Vsim,
    Bip,
    Enterprise,
    Rcs,
}

impl Purpose {
    /// Every purpose, in bit order.
    pub const ALL: [Purpose; 17] = [
        Purpose::Internet,
        Purpose::Mms,
        Purpose::Supl,
        Purpose::Dun,
        Purpose::Hipri,
        Purpose::Fota,
        Purpose::Ims,
        Purpose::Cbs,
        Purpose::Ia,
        Purpose::Emergency,
        Purpose::Mcx,
        Purpose::Xcap,
        Purpose::Wap,
        Purpose::Vsim,
        Purpose::Bip,
        Purpose::Enterprise,
        Purpose::Rcs,
    ];

    /// The bit of this purpose in [`Purposes`].
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Lower-case name (Android type token; `internet` for Android's `default`).
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Internet => "internet",
            Purpose::Mms => "mms",
            Purpose::Supl => "supl",
            Purpose::Dun => "dun",
            Purpose::Hipri => "hipri",
            Purpose::Fota => "fota",
            Purpose::Ims => "ims",
            Purpose::Cbs => "cbs",
            Purpose::Ia => "ia",
            Purpose::Emergency => "emergency",
            Purpose::Mcx => "mcx",
            Purpose::Xcap => "xcap",
            Purpose::Wap => "wap",
            Purpose::Vsim => "vsim",
            Purpose::Bip => "bip",
            Purpose::Enterprise => "enterprise",
            Purpose::Rcs => "rcs",
        }
    }

    /// Parse a purpose name as the CLI accepts it (`default` = internet).
    pub fn from_name(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s == "default" {
            return Some(Purpose::Internet);
        }
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl Purposes {
    /// Every purpose (Android's `*`, or a row with no type at all).
    pub const ALL: Purposes = Purposes((1 << 17) - 1);

    /// Whether `p` is in the set.
    pub fn contains(self, p: Purpose) -> bool {
        self.0 & p.bit() != 0
    }

    /// Add `p`.
    pub fn insert(&mut self, p: Purpose) {
        self.0 |= p.bit();
    }

    /// The purposes in bit order.
    pub fn iter(self) -> impl Iterator<Item = Purpose> {
        Purpose::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// Names joined by commas.
    pub fn names(self) -> String {
        let v: Vec<&str> = self.iter().map(Purpose::as_str).collect();
        v.join(",")
    }
}

/// Authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Auth {
    None,
    Pap,
    Chap,
    /// Android `authtype=3`: PAP or CHAP, the modem chooses.
    PapChap,
}

impl Auth {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Pap => "pap",
            Auth::Chap => "chap",
            Auth::PapChap => "pap-chap",
        }
    }

    /// Parse the stored name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Auth::None),
            "pap" => Some(Auth::Pap),
            "chap" => Some(Auth::Chap),
            "pap-chap" => Some(Auth::PapChap),
            _ => None,
        }
    }
}

/// PDP / PDU session type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum IpType {
    Ipv4,
    Ipv6,
    Ipv4v6,
    Ppp,
    NonIp,
    Unstructured,
}

impl IpType {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            IpType::Ipv4 => "ipv4",
            IpType::Ipv6 => "ipv6",
            IpType::Ipv4v6 => "ipv4v6",
            IpType::Ppp => "ppp",
            IpType::NonIp => "nonip",
            IpType::Unstructured => "unstructured",
        }
    }

    /// Parse the stored name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "ipv4" => Some(IpType::Ipv4),
            "ipv6" => Some(IpType::Ipv6),
            "ipv4v6" => Some(IpType::Ipv4v6),
            "ppp" => Some(IpType::Ppp),
            "nonip" => Some(IpType::NonIp),
            "unstructured" => Some(IpType::Unstructured),
            _ => None,
        }
    }

    /// Parse Android's `protocol` attribute (case-insensitive; the
    /// non-standard `IPV4` seen in real files is accepted as `IP`).
    pub fn from_android(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "IP" | "IPV4" => Some(IpType::Ipv4),
            "IPV6" => Some(IpType::Ipv6),
            "IPV4V6" => Some(IpType::Ipv4v6),
            "PPP" => Some(IpType::Ppp),
            "NON-IP" => Some(IpType::NonIp),
            "UNSTRUCTURED" => Some(IpType::Unstructured),
            _ => None,
        }
    }
}

/// The MVNO discriminator of a row (Android `mvno_type`/`mvno_match_data`,
/// MBPI `<gid1>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum MvnoType {
    /// ICCID prefixes, comma separated.
    Iccid,
    /// IMSI prefix pattern, `x` = any digit.
    Imsi,
    /// EF_GID1 hex prefix, case-insensitive.
    Gid1,
    /// EF_SPN, whole string, case-insensitive.
    Spn,
}

impl MvnoType {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MvnoType::Iccid => "iccid",
            MvnoType::Imsi => "imsi",
            MvnoType::Gid1 => "gid1",
            MvnoType::Spn => "spn",
        }
    }

    /// Parse the stored name, or Android's `mvno_type` (any case; `gid` = GID1).
    pub fn from_name(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "iccid" => Some(MvnoType::Iccid),
            "imsi" => Some(MvnoType::Imsi),
            "gid" | "gid1" => Some(MvnoType::Gid1),
            "spn" => Some(MvnoType::Spn),
            _ => None,
        }
    }
}

/// One APN for one network (an MBPI `<apn>` under one `<network-id>`, or one
/// Android `<apn/>` record). Mirrors a row of the `apn` table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApnRow {
    /// Row order within the source file (document order, network-id inner).
    pub seq: i64,
    /// Index of the `<apn>` element within the file; rows of one element share it.
    pub record: i64,
    /// MCC, 3 digits, as written. `None` when the provider lists no network-id.
    pub mcc: Option<String>,
    /// MNC as written (1–3 digits; `"05"` and `"005"` are different keys).
    pub mnc: Option<String>,
    /// The `<country code>` the entry sits under (MBPI only). Informational:
    /// it is wrong for some entries (quirk 9), lookups use the MCC.
    pub country: Option<String>,
    /// Provider (MBPI default-language `<name>`) or Android `carrier`.
    pub provider: String,
    /// MBPI `primary` attribute of the provider.
    pub primary: Option<bool>,
    /// The APN, trimmed (may be empty).
    pub apn: String,
    /// APN display name (MBPI default-language `<name>`).
    pub name: Option<String>,
    /// Purposes the APN serves.
    pub purposes: Purposes,
    /// `false` when the purposes are "all" by default (no type, or `*`).
    pub types_explicit: bool,
    /// The type/usage text as written.
    pub types_raw: Option<String>,
    /// MBPI plan types (`prepaid,postpaid`).
    pub plan: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Authentication protocol, when stated.
    pub auth: Option<Auth>,
    /// IP type at home, when stated.
    pub ip_type: Option<IpType>,
    /// IP type when roaming, when stated.
    pub roaming_ip_type: Option<IpType>,
    /// MVNO discriminator.
    pub mvno: Option<(MvnoType, String)>,
    /// Android carrier id.
    pub carrier_id: Option<i64>,
    /// Android network type bitmask (0 or absent = any).
    pub network_types: Option<i64>,
    /// Android `carrier_enabled` (default true).
    pub enabled: bool,
    /// MMSC URL.
    pub mmsc: Option<String>,
    /// MMS proxy (host or host:port).
    pub mmsproxy: Option<String>,
    /// MMS port.
    pub mmsport: Option<String>,
    /// HTTP proxy.
    pub proxy: Option<String>,
    /// HTTP proxy port.
    pub port: Option<String>,
    /// DNS servers, comma separated.
    pub dns: Option<String>,
    /// MBPI gateway.
    pub gateway: Option<String>,
    /// Everything else as `key=value` lines (unknown attributes, unmapped tokens).
    pub extra: Option<String>,
}

/// One CDMA provider entry for one SID (MBPI `<cdma>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CdmaRow {
    /// Order within the file.
    pub seq: i64,
    /// The system identifier.
    pub sid: i64,
    /// Provider name.
    pub provider: String,
    /// `<country code>` the provider sits under.
    pub country: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// DNS servers, comma separated.
    pub dns: Option<String>,
}

/// Whether `s` is 1..=max ASCII digits.
pub(crate) fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}
