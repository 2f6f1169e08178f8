//! Hardware IDs (HWIDs) from a SIM's identity: **our own scheme**, not
//! Windows'.
//!
//! Windows derives `MBAE:0:<hash>` HWIDs from the IMSI, ICCID, CDMA SID and
//! provider name to find an operator's service metadata, but the hash, its
//! input and its alphabet are not published (windows-operator-formats.md
//! §2.6, §9.1). What is published, and kept here: IMSI and ICCID lose their
//! last two digits before hashing, so that one HWID covers a block of 100
//! SIMs (`…00`–`…99`) and the full values never leave the machine; CDMA
//! provider names match exactly and case-sensitively, and only when the SID
//! is blank or 0.
//!
//! Scheme, version 1 (stable; a change gets a new version number):
//!
//! ```text
//! MBAE-OSS:1:<KIND>:<base32(SHA-256("<KIND>:<value>"))>
//! ```
//!
//! | KIND | value |
//! |---|---|
//! | `ICCID100` | ICCID digits without trailing `F` padding, minus the last 2 digits |
//! | `IMSI100` | the IMSI's 15 (or fewer) digits minus the last 2 |
//! | `SID` | CDMA SID in decimal, no leading zeros (not for SID 0) |
//! | `PROVIDER` | home provider name exactly as the SIM/modem reports it (case-sensitive, not trimmed) |
//!
//! base32 is RFC 4648 upper case without padding (52 characters for 32
//! bytes), so an HWID is 68–72 characters of `A-Z 2-7 : -`, inside the
//! 207-character PackageInfo limit; in a PackageInfo `HardwareID` it is
//! prefixed with `DOID:` ([`Hwid::package_form`]). An operator covering a
//! range lists one HWID per 100-block.
//!
//! Match order (GSM), following the "ICCID ranges get first priority" text
//! (the same Microsoft page also gives the reverse; §2.6 notes the
//! conflict): ICCID, then IMSI, then provider name. CDMA: SID, then
//! provider name. [`hwids`] returns them in that order.

use crate::lookup::Identity;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The identity element a HWID was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum HwidKind {
    /// ICCID without its last two digits.
    #[serde(rename = "ICCID100")]
    Iccid100,
    /// IMSI without its last two digits.
    #[serde(rename = "IMSI100")]
    Imsi100,
    /// CDMA SID.
    #[serde(rename = "SID")]
    Sid,
    /// Home provider name.
    #[serde(rename = "PROVIDER")]
    Provider,
}

impl HwidKind {
    /// The tag used in the HWID and in the hash input.
    pub fn as_str(self) -> &'static str {
        match self {
            HwidKind::Iccid100 => "ICCID100",
            HwidKind::Imsi100 => "IMSI100",
            HwidKind::Sid => "SID",
            HwidKind::Provider => "PROVIDER",
        }
    }
}

/// One hardware ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Hwid {
    /// What it was made from.
    pub kind: HwidKind,
    /// The hashed input after canonicalisation (`ICCID100` → 17–18 digits).
    /// Personal data: log it redacted.
    pub input: String,
    /// `MBAE-OSS:1:<KIND>:<hash>`.
    pub id: String,
}

impl Hwid {
    /// Make a HWID from an already canonical input.
    pub fn new(kind: HwidKind, input: &str) -> Self {
        let mut h = Sha256::new();
        h.update(kind.as_str().as_bytes());
        h.update(b":");
        h.update(input.as_bytes());
        let id = format!("MBAE-OSS:1:{}:{}", kind.as_str(), base32(&h.finalize()));
        Hwid {
            kind,
            input: input.to_owned(),
            id,
        }
    }

    /// The form for a PackageInfo `HardwareID` element.
    pub fn package_form(&self) -> String {
        format!("DOID:{}", self.id)
    }

    /// From an ICCID (19–20 digits, `F` padding allowed); `None` if malformed.
    pub fn from_iccid(iccid: &str) -> Option<Self> {
        let d = iccid.trim().trim_end_matches(['F', 'f']);
        if !crate::model::is_digits(d, 18, 20) {
            return None;
        }
        Some(Hwid::new(HwidKind::Iccid100, &d[..d.len() - 2]))
    }

    /// From an IMSI (6–15 digits); `None` if malformed.
    pub fn from_imsi(imsi: &str) -> Option<Self> {
        let d = imsi.trim();
        if !crate::model::is_digits(d, 6, 15) {
            return None;
        }
        Some(Hwid::new(HwidKind::Imsi100, &d[..d.len() - 2]))
    }

    /// From a CDMA SID (1–32767).
    pub fn from_sid(sid: i64) -> Option<Self> {
        (1..=32767)
            .contains(&sid)
            .then(|| Hwid::new(HwidKind::Sid, &sid.to_string()))
    }

    /// From a provider name (exact; empty names give none).
    pub fn from_provider(name: &str) -> Option<Self> {
        (!name.is_empty()).then(|| Hwid::new(HwidKind::Provider, name))
    }
}

/// The HWIDs of an identity in match order: ICCID, IMSI, SID, provider name
/// (the provider name only for GSM, or for CDMA when the SID is absent or 0).
pub fn hwids(id: &Identity) -> Vec<Hwid> {
    let mut v = Vec::new();
    v.extend(id.iccid.as_deref().and_then(Hwid::from_iccid));
    v.extend(id.imsi.as_deref().and_then(Hwid::from_imsi));
    v.extend(id.sid.and_then(Hwid::from_sid));
    let cdma_with_sid = id.sid.is_some_and(|s| s != 0);
    if !cdma_with_sid {
        v.extend(id.provider_name.as_deref().and_then(Hwid::from_provider));
    }
    v
}

/// RFC 4648 base32, upper case, no padding.
pub fn base32(data: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for &b in data {
        buf = (buf << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(A[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(A[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}
