//! From a SIM's identity to ranked candidate APNs.
//!
//! # Key
//! The lookup always uses the *home* identity (the IMSI's MCC/MNC), never the
//! serving network, also when roaming (apn-data.md §3, "What follows" 1). The
//! MNC length comes from the SIM (EF_AD, or MBIM's home ProviderId): 2- and
//! 3-digit MNCs are different keys (`310-41` ≠ `310-410`). When the length is
//! unknown, the 3-digit key is tried first and then the 2-digit one; the
//! result says which matched ([`KeyRule`]) and names the other key when it
//! exists too ([`Lookup::alternative_plmn`]). Without an IMSI, a CDMA SID and
//! then a provider name (case-insensitive, exact) are used.
//!
//! # Candidates (Android's rule, `TelephonyProvider`)
//! 1. All enabled rows of the key, from every source.
//! 2. MVNO rows are evaluated against the SIM: ICCID (comma list of prefixes),
//!    IMSI (prefix pattern, `x` = any digit), GID1 (hex prefix,
//!    case-insensitive, trailing `FF` padding ignored on both sides), SPN
//!    (whole string, case-insensitive, trailing 0xFF/space trimmed). If any
//!    MVNO row matches, **only** the matching MVNO rows stay: they replace the
//!    host operator's rows. Otherwise only the rows without an MVNO
//!    discriminator stay.
//! 3. Rows must serve the requested purpose (default: internet).
//! 4. Identical settings (APN case-insensitive, user, password, auth) are
//!    merged, keeping the best-ranked.
//!
//! # Ranking (lower key first; every step is total, so the order is the same
//! on every run and platform)
//! 1. usage: the row names the purpose explicitly (MBPI `internet`, Android
//!    `default`) < the row serves everything by default (no type, `*`) <
//!    internet only through MBPI `wap`;
//! 2. MVNO specificity: ICCID < IMSI < GID1 < SPN, a longer matching
//!    prefix/pattern first;
//! 3. provider name: among operator rows, a provider whose name equals the SIM's
//!    SPN (case-insensitive) first — this separates MBPI's MVNOs that share a
//!    network-id without a discriminator (505-02: Optus + 15 MVNOs);
//! 4. source priority (default MBPI 10 < Android 20; set per import);
//! 5. MBPI `primary="true"` < unmarked < `primary="false"`;
//! 6. document order (source id, then row order).
//!
//! [`Lookup::decided_by`] names the step that put the first candidate ahead
//! of the second one with a different APN; [`Lookup::ambiguous`] is true
//! when only document order did, i.e. the data itself does not say which APN
//! is right and the caller should try them in order (or ask).

use crate::model::{ApnRow, Auth, IpType, MvnoType, Purpose, SourceKind};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// The MNC length read from the SIM (EF_AD byte 4), when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MncLength {
    /// 2-digit MNC.
    Two,
    /// 3-digit MNC.
    Three,
}

impl MncLength {
    /// From a digit count (2 or 3).
    pub fn from_digits(n: u8) -> Option<Self> {
        match n {
            2 => Some(MncLength::Two),
            3 => Some(MncLength::Three),
            _ => None,
        }
    }

    fn digits(self) -> usize {
        match self {
            MncLength::Two => 2,
            MncLength::Three => 3,
        }
    }
}

/// What is known about the SIM. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// IMSI digits (the home PLMN is its prefix).
    pub imsi: Option<String>,
    /// MNC length from EF_AD / the home ProviderId.
    pub mnc_length: Option<MncLength>,
    /// Service provider name (EF_SPN).
    pub spn: Option<String>,
    /// EF_GID1 as hex.
    pub gid1: Option<String>,
    /// ICCID digits.
    pub iccid: Option<String>,
    /// CDMA system identifier.
    pub sid: Option<i64>,
    /// Home provider name (MBIM home provider / CDMA provider name).
    pub provider_name: Option<String>,
}

/// A home network: MCC and MNC with its digit count kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Plmn {
    /// MCC as a number (always 3 digits).
    pub mcc: u16,
    /// MNC as a number.
    pub mnc: u16,
    /// MNC digit count as written (1–3): `05` (2) ≠ `005` (3).
    pub mnc_digits: u8,
}

impl Plmn {
    /// From MCC and MNC strings of digits.
    pub fn from_strs(mcc: &str, mnc: &str) -> Option<Self> {
        if !crate::model::is_digits(mcc, 3, 3) || !crate::model::is_digits(mnc, 1, 3) {
            return None;
        }
        Some(Plmn {
            mcc: mcc.parse().ok()?,
            mnc: mnc.parse().ok()?,
            mnc_digits: mnc.len() as u8,
        })
    }

    /// `MCCMNC` (5 or 6 digits) or `MCC-MNC`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some((a, b)) = s.split_once(['-', '/', ' ']) {
            return Plmn::from_strs(a.trim(), b.trim());
        }
        if s.len() < 4 {
            return None;
        }
        Plmn::from_strs(&s[..3], &s[3..])
    }

    /// From the first digits of an IMSI (no allocation: this is the hot path).
    pub fn from_imsi(imsi: &[u8], mnc_len: MncLength) -> Option<Self> {
        let n = 3 + mnc_len.digits();
        if imsi.len() < n || !imsi[..n].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let num = |s: &[u8]| s.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0'));
        Some(Plmn {
            mcc: num(&imsi[..3]),
            mnc: num(&imsi[3..n]),
            mnc_digits: mnc_len.digits() as u8,
        })
    }

    /// Packed key for the in-memory index.
    pub fn key(self) -> u32 {
        u32::from(self.mcc) * 10_000 + u32::from(self.mnc_digits) * 1000 + u32::from(self.mnc)
    }

    /// MCC as 3 digits.
    pub fn mcc_str(self) -> String {
        format!("{:03}", self.mcc)
    }

    /// MNC with its digit count.
    pub fn mnc_str(self) -> String {
        format!("{:0w$}", self.mnc, w = usize::from(self.mnc_digits))
    }
}

impl fmt::Display for Plmn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:03}-{:0w$}",
            self.mcc,
            self.mnc,
            w = usize::from(self.mnc_digits)
        )
    }
}

impl Serialize for Plmn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How the lookup key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyRule {
    /// MCC/MNC from the IMSI with the MNC length the SIM gave.
    ImsiMncLength,
    /// MNC length unknown: the 3-digit MNC was found.
    ImsiGuessThreeDigits,
    /// MNC length unknown: no 3-digit match, the 2-digit MNC was found.
    ImsiGuessTwoDigits,
    /// CDMA SID.
    CdmaSid,
    /// Provider name (exact, case-insensitive).
    ProviderName,
    /// Nothing matched.
    NotFound,
}

/// Why a candidate is in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Rule {
    /// MVNO row matched by ICCID prefix.
    MvnoIccid {
        /// The prefix that matched.
        prefix: String,
    },
    /// MVNO row matched by IMSI pattern.
    MvnoImsi {
        /// The pattern that matched.
        pattern: String,
    },
    /// MVNO row matched by GID1 prefix.
    MvnoGid1 {
        /// The match data.
        prefix: String,
    },
    /// MVNO row matched by SPN.
    MvnoSpn {
        /// The match data.
        spn: String,
    },
    /// Host operator row whose provider name equals the SIM's SPN.
    OperatorSpnName,
    /// Host operator row (no MVNO row matched).
    Operator,
    /// CDMA provider listing the SIM's SID.
    CdmaSid,
    /// Provider found by name.
    ProviderName,
}

/// Whether MVNO data decided the candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MvnoOutcome {
    /// The key has no MVNO rows.
    NoMvnoRows,
    /// MVNO rows exist but none matched: operator rows are used.
    NoneMatched,
    /// MVNO rows matched and replaced the operator rows.
    Matched,
}

/// The ranking step that separated the first two distinct candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreak {
    /// Fewer than two distinct candidates: nothing to break.
    None,
    /// Step 1, usage type.
    Usage,
    /// Step 2, MVNO specificity.
    MvnoSpecificity,
    /// Step 3, provider name = SPN.
    ProviderName,
    /// Step 4, source priority.
    SourcePriority,
    /// Step 5, MBPI `primary`.
    Primary,
    /// Step 6, document order: the result is ambiguous.
    DocumentOrder,
}

/// Where a row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// `source.id`.
    pub id: i64,
    /// File format.
    pub kind: SourceKind,
    /// Tie-break priority, lower wins.
    pub priority: i64,
}

/// A stored row with its source (input of [`select`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    /// Source of the row.
    pub source: SourceRef,
    /// The row.
    pub row: ApnRow,
}

/// One candidate APN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The APN (may be empty: "let the network choose").
    pub apn: String,
    /// Provider / carrier name.
    pub provider: String,
    /// APN display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// User name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Authentication protocol, when the data says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// IP type at home, when the data says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_type: Option<IpType>,
    /// IP type when roaming, when the data says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roaming_ip_type: Option<IpType>,
    /// Purposes served, comma separated.
    pub purposes: String,
    /// MMSC, for MMS candidates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmsc: Option<String>,
    /// MMS proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmsproxy: Option<String>,
    /// Source format.
    pub source: SourceKind,
    /// Source id in the database.
    pub source_id: i64,
    /// Row order in the source.
    pub seq: i64,
    /// Why it was chosen.
    pub rule: Rule,
    /// Identical rows merged into this one (other sources or duplicates).
    pub merged: u32,
    #[serde(skip)]
    rank: RankKey,
}

impl Candidate {
    /// The IP type to request: `roaming_ip_type` while roaming (Android's
    /// rule), else `ip_type`.
    pub fn ip_type_for(&self, roaming: bool) -> Option<IpType> {
        if roaming {
            self.roaming_ip_type.or(self.ip_type)
        } else {
            self.ip_type
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct RankKey {
    usage: u8,
    mvno_kind: u8,
    mvno_len: std::cmp::Reverse<u16>,
    name: u8,
    source_priority: i64,
    primary: u8,
    source_id: i64,
    seq: i64,
}

impl RankKey {
    fn decided_by(&self, other: &RankKey) -> TieBreak {
        if self.usage != other.usage {
            TieBreak::Usage
        } else if (self.mvno_kind, self.mvno_len) != (other.mvno_kind, other.mvno_len) {
            TieBreak::MvnoSpecificity
        } else if self.name != other.name {
            TieBreak::ProviderName
        } else if self.source_priority != other.source_priority {
            TieBreak::SourcePriority
        } else if self.primary != other.primary {
            TieBreak::Primary
        } else {
            TieBreak::DocumentOrder
        }
    }
}

/// The ranked candidates for one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selected {
    /// Whether MVNO data decided.
    pub mvno: MvnoOutcome,
    /// Only document order separated the first two distinct APNs.
    pub ambiguous: bool,
    /// The step that separated the first two distinct APNs.
    pub decided_by: TieBreak,
    /// Best first.
    pub candidates: Vec<Candidate>,
}

/// A full lookup result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lookup {
    /// The home network used as key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plmn: Option<Plmn>,
    /// How it was found.
    pub key_rule: KeyRule,
    /// With an unknown MNC length: the other key, when it exists too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative_plmn: Option<Plmn>,
    /// The purpose asked for.
    pub purpose: Purpose,
    /// Roaming (changes the IP type to request, never the key).
    pub roaming: bool,
    /// The candidates and how they were decided.
    #[serde(flatten)]
    pub selected: Selected,
}

impl Lookup {
    /// Whether the data gave nothing.
    pub fn is_empty(&self) -> bool {
        self.selected.candidates.is_empty()
    }

    /// The best candidate.
    pub fn best(&self) -> Option<&Candidate> {
        self.selected.candidates.first()
    }

    /// Convenience: [`Selected::ambiguous`].
    pub fn ambiguous(&self) -> bool {
        self.selected.ambiguous
    }

    /// Convenience: [`Selected::decided_by`].
    pub fn decided_by(&self) -> TieBreak {
        self.selected.decided_by
    }
}

/// A borrowed lookup result (the in-memory index's hot path).
#[derive(Debug, Clone)]
pub struct LookupRef<'a> {
    /// See [`Lookup::plmn`].
    pub plmn: Option<Plmn>,
    /// See [`Lookup::key_rule`].
    pub key_rule: KeyRule,
    /// See [`Lookup::alternative_plmn`].
    pub alternative_plmn: Option<Plmn>,
    /// Candidates (borrowed when precomputed).
    pub selected: Cow<'a, Selected>,
}

impl LookupRef<'_> {
    /// Make it owned.
    pub fn into_owned(self, purpose: Purpose, roaming: bool) -> Lookup {
        Lookup {
            plmn: self.plmn,
            key_rule: self.key_rule,
            alternative_plmn: self.alternative_plmn,
            purpose,
            roaming,
            selected: self.selected.into_owned(),
        }
    }
}

/// Trim what SIMs pad EF_SPN with.
fn clean_spn(s: &str) -> &str {
    s.trim_end_matches(['\u{ff}', '\0']).trim()
}

fn strip_ff(s: &str) -> &str {
    let mut s = s;
    while s.len() >= 2 && s[s.len() - 2..].eq_ignore_ascii_case("ff") {
        s = &s[..s.len() - 2];
    }
    s
}

/// Does MVNO rule (`t`, `data`) match the identity? Returns the length of
/// what matched (for specificity).
pub fn mvno_matches(t: MvnoType, data: &str, id: &Identity) -> Option<u16> {
    match t {
        MvnoType::Spn => {
            let spn = clean_spn(id.spn.as_deref()?);
            let data = data.trim();
            (!data.is_empty() && spn.to_lowercase() == data.to_lowercase())
                .then(|| data.chars().count() as u16)
        }
        MvnoType::Imsi => {
            let imsi = id.imsi.as_deref()?.as_bytes();
            let pat = data.trim().as_bytes();
            let ok = !pat.is_empty()
                && pat.len() <= imsi.len()
                && pat
                    .iter()
                    .zip(imsi)
                    .all(|(p, d)| p.eq_ignore_ascii_case(&b'x') || p == d);
            ok.then_some(pat.len() as u16)
        }
        MvnoType::Gid1 => {
            let sim = id.gid1.as_deref()?.trim();
            let data = data.trim();
            let (s, d) = match (strip_ff(sim), strip_ff(data)) {
                (s, d) if !d.is_empty() => (s, d),
                _ => (sim, data),
            };
            let ok = !d.is_empty() && s.len() >= d.len() && s[..d.len()].eq_ignore_ascii_case(d);
            ok.then_some(d.len() as u16)
        }
        MvnoType::Iccid => {
            let iccid = id.iccid.as_deref()?.trim();
            data.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty() && iccid.starts_with(p))
                .map(|p| p.len() as u16)
                .max()
        }
    }
}

fn usage_rank(row: &ApnRow, purpose: Purpose) -> Option<u8> {
    if row.types_explicit && row.purposes.contains(purpose) {
        Some(0)
    } else if !row.types_explicit && row.purposes.contains(purpose) {
        Some(1)
    } else if purpose == Purpose::Internet && row.purposes.contains(Purpose::Wap) {
        Some(2)
    } else {
        None
    }
}

fn mvno_kind_rank(t: MvnoType) -> u8 {
    match t {
        MvnoType::Iccid => 0,
        MvnoType::Imsi => 1,
        MvnoType::Gid1 => 2,
        MvnoType::Spn => 3,
    }
}

/// Whether any MVNO row among `rows` matches, or an operator provider name
/// equals the SPN (i.e. whether the identity changes the operator-only result).
pub fn identity_specific<'r>(rows: impl IntoIterator<Item = &'r StoredRow>, id: &Identity) -> bool {
    let spn = id.spn.as_deref().map(|s| clean_spn(s).to_lowercase());
    rows.into_iter().any(|r| match &r.row.mvno {
        Some((t, d)) => r.row.enabled && mvno_matches(*t, d, id).is_some(),
        None => spn
            .as_deref()
            .is_some_and(|s| !s.is_empty() && r.row.provider.to_lowercase() == s),
    })
}

/// Rank the rows of one key for `id` and `purpose` (see the module docs).
/// `rows` must be in document order (source id, seq).
pub fn select<'r>(
    rows: impl IntoIterator<Item = &'r StoredRow>,
    id: &Identity,
    purpose: Purpose,
) -> Selected {
    let spn = id.spn.as_deref().map(|s| clean_spn(s).to_lowercase());
    let mut any_mvno = false;
    // (row, mvno match) for every enabled row.
    let mut evaluated: Vec<(&StoredRow, Option<(MvnoType, u16)>)> = Vec::new();
    for r in rows {
        if !r.row.enabled {
            continue;
        }
        let m = match &r.row.mvno {
            Some((t, d)) => {
                any_mvno = true;
                mvno_matches(*t, d, id).map(|n| (*t, n))
            }
            None => None,
        };
        evaluated.push((r, m));
    }
    let matched = evaluated.iter().any(|(_, m)| m.is_some());
    let mvno = match (any_mvno, matched) {
        (_, true) => MvnoOutcome::Matched,
        (true, false) => MvnoOutcome::NoneMatched,
        (false, false) => MvnoOutcome::NoMvnoRows,
    };
    let mut cands: Vec<Candidate> = Vec::new();
    for (r, m) in evaluated {
        let row = &r.row;
        if matched != m.is_some() || (!matched && row.mvno.is_some()) {
            continue;
        }
        let Some(usage) = usage_rank(row, purpose) else {
            continue;
        };
        let name_match = m.is_none()
            && spn
                .as_deref()
                .is_some_and(|s| !s.is_empty() && row.provider.to_lowercase() == s);
        let (mvno_kind, mvno_len, rule) = match (m, &row.mvno) {
            (Some((t, n)), Some((_, data))) => {
                let rule = match t {
                    MvnoType::Iccid => {
                        let iccid = id.iccid.as_deref().unwrap_or("");
                        let prefix = data
                            .split(',')
                            .map(str::trim)
                            .filter(|p| !p.is_empty() && iccid.starts_with(p))
                            .max_by_key(|p| p.len())
                            .unwrap_or("");
                        Rule::MvnoIccid {
                            prefix: prefix.to_owned(),
                        }
                    }
                    MvnoType::Imsi => Rule::MvnoImsi {
                        pattern: data.clone(),
                    },
                    MvnoType::Gid1 => Rule::MvnoGid1 {
                        prefix: data.clone(),
                    },
                    MvnoType::Spn => Rule::MvnoSpn { spn: data.clone() },
                };
                (mvno_kind_rank(t), n, rule)
            }
            _ if name_match => (4, 0, Rule::OperatorSpnName),
            _ => (4, 0, Rule::Operator),
        };
        let rank = RankKey {
            usage,
            mvno_kind,
            mvno_len: std::cmp::Reverse(mvno_len),
            name: u8::from(!name_match),
            source_priority: r.source.priority,
            primary: match row.primary {
                Some(true) => 0,
                None => 1,
                Some(false) => 2,
            },
            source_id: r.source.id,
            seq: row.seq,
        };
        cands.push(candidate(r, rule, rank));
    }
    cands.sort_by_key(|c| c.rank);
    // Merge identical settings, keeping the best-ranked.
    let mut out: Vec<Candidate> = Vec::with_capacity(cands.len());
    for c in cands {
        if let Some(prev) = out.iter_mut().find(|p| same_settings(p, &c)) {
            prev.merged += 1;
        } else {
            out.push(c);
        }
    }
    let decided_by = match (out.first(), out.get(1)) {
        (Some(a), Some(b)) => a.rank.decided_by(&b.rank),
        _ => TieBreak::None,
    };
    Selected {
        mvno,
        ambiguous: decided_by == TieBreak::DocumentOrder,
        decided_by,
        candidates: out,
    }
}

fn same_settings(a: &Candidate, b: &Candidate) -> bool {
    a.apn.eq_ignore_ascii_case(&b.apn)
        && a.username == b.username
        && a.password == b.password
        && a.auth == b.auth
}

fn candidate(r: &StoredRow, rule: Rule, rank: RankKey) -> Candidate {
    let row = &r.row;
    Candidate {
        apn: row.apn.clone(),
        provider: row.provider.clone(),
        name: row.name.clone(),
        username: row.username.clone(),
        password: row.password.clone(),
        auth: row.auth,
        ip_type: row.ip_type,
        roaming_ip_type: row.roaming_ip_type,
        purposes: row.purposes.names(),
        mmsc: row.mmsc.clone(),
        mmsproxy: row.mmsproxy.clone(),
        source: r.source.kind,
        source_id: r.source.id,
        seq: row.seq,
        rule,
        merged: 0,
        rank,
    }
}

/// Candidates from rows found by a non-PLMN key (CDMA SID, provider name):
/// same ranking, every candidate carries `rule`.
pub fn select_with_rule<'r>(
    rows: impl IntoIterator<Item = &'r StoredRow>,
    id: &Identity,
    purpose: Purpose,
    rule: Rule,
) -> Selected {
    let mut s = select(rows, id, purpose);
    for c in &mut s.candidates {
        if matches!(c.rule, Rule::Operator | Rule::OperatorSpnName) {
            c.rule = rule.clone();
        }
    }
    s
}

/// The keys to try for an IMSI: with a known MNC length one key, else the
/// 3-digit key then the 2-digit key.
pub fn imsi_keys(imsi: &str, len: Option<MncLength>) -> Vec<(Plmn, KeyRule)> {
    let b = imsi.trim().as_bytes();
    match len {
        Some(l) => Plmn::from_imsi(b, l)
            .map(|p| (p, KeyRule::ImsiMncLength))
            .into_iter()
            .collect(),
        None => [
            (MncLength::Three, KeyRule::ImsiGuessThreeDigits),
            (MncLength::Two, KeyRule::ImsiGuessTwoDigits),
        ]
        .into_iter()
        .filter_map(|(l, r)| Plmn::from_imsi(b, l).map(|p| (p, r)))
        .collect(),
    }
}
