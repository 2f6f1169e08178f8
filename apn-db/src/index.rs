//! The in-memory index in front of SQLite: every row of the database loaded
//! once, grouped by home network, with the operator-only answer for the
//! internet purpose precomputed per key.
//!
//! Hot path (IMSI → internet APNs): parse the MCC/MNC digits, binary-search
//! the sorted keys, check the key's few MVNO rows against the identity; when
//! none matches (and no operator name equals the SPN) the precomputed answer
//! is returned borrowed, without allocating. Anything else goes through
//! [`lookup::select`], the same function the SQLite-only path uses, so both
//! paths give the same answer (checked by the tests).
//!
//! The index is a snapshot: rebuild it after an import.

use crate::db::ApnDb;
use crate::error::Error;
use crate::lookup::{self, Identity, KeyRule, Lookup, LookupRef, Plmn, Rule, Selected, StoredRow};
use crate::model::Purpose;
use std::borrow::Cow;

#[derive(Debug)]
struct Entry {
    key: u32,
    plmn: Plmn,
    /// Row indices in document order.
    rows: Vec<u32>,
    /// Indices of rows that can make the identity matter (MVNO rows).
    mvno_rows: Vec<u32>,
    /// Lower-cased provider names of operator rows (SPN = name rule).
    names: Vec<String>,
    /// Operator-only answer for [`Purpose::Internet`].
    internet: Selected,
}

/// All rows in memory, indexed by home network, CDMA SID and provider name.
#[derive(Debug)]
pub struct ApnIndex {
    rows: Vec<StoredRow>,
    entries: Vec<Entry>,
    /// (sid, row) sorted by sid then document order.
    cdma: Vec<(i64, StoredRow)>,
}

impl ApnIndex {
    /// Load every row of `db` and build the index.
    pub async fn load(db: &ApnDb) -> Result<Self, Error> {
        let rows = db.all_rows().await?;
        let cdma = db.all_cdma().await?;
        Ok(Self::build(rows, cdma))
    }

    /// Build from rows (document order) and CDMA rows.
    pub fn build(rows: Vec<StoredRow>, mut cdma: Vec<(i64, StoredRow)>) -> Self {
        let mut keyed: Vec<(u32, Plmn, u32)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let p = Plmn::from_strs(r.row.mcc.as_deref()?, r.row.mnc.as_deref()?)?;
                Some((p.key(), p, i as u32))
            })
            .collect();
        // Stable: rows of one key stay in document order.
        keyed.sort_by_key(|k| k.0);
        let mut entries: Vec<Entry> = Vec::new();
        for (key, plmn, i) in keyed {
            if entries.last().is_none_or(|e| e.key != key) {
                entries.push(Entry {
                    key,
                    plmn,
                    rows: Vec::new(),
                    mvno_rows: Vec::new(),
                    names: Vec::new(),
                    internet: Selected {
                        mvno: lookup::MvnoOutcome::NoMvnoRows,
                        ambiguous: false,
                        decided_by: lookup::TieBreak::None,
                        candidates: Vec::new(),
                    },
                });
            }
            if let Some(e) = entries.last_mut() {
                e.rows.push(i);
            }
        }
        for e in &mut entries {
            for &i in &e.rows {
                let r = &rows[i as usize];
                if r.row.mvno.is_some() {
                    e.mvno_rows.push(i);
                } else {
                    let n = r.row.provider.to_lowercase();
                    if !n.is_empty() && !e.names.contains(&n) {
                        e.names.push(n);
                    }
                }
            }
            e.internet = lookup::select(
                e.rows.iter().map(|&i| &rows[i as usize]),
                &Identity::default(),
                Purpose::Internet,
            );
        }
        cdma.sort_by_key(|(sid, _)| *sid);
        ApnIndex {
            rows,
            entries,
            cdma,
        }
    }

    /// Number of keys (distinct home networks).
    pub fn plmn_count(&self) -> usize {
        self.entries.len()
    }

    /// Every home network in the data, sorted.
    pub fn plmns(&self) -> impl Iterator<Item = Plmn> + '_ {
        self.entries.iter().map(|e| e.plmn)
    }

    /// Number of rows loaded.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The rows of one home network, in document order.
    pub fn rows_for(&self, p: Plmn) -> impl Iterator<Item = &StoredRow> + '_ {
        self.entry(p.key())
            .into_iter()
            .flat_map(|e| e.rows.iter().map(|&i| &self.rows[i as usize]))
    }

    /// Every CDMA SID in the data (with repeats for shared SIDs).
    pub fn sids(&self) -> impl Iterator<Item = i64> + '_ {
        self.cdma.iter().map(|(s, _)| *s)
    }

    fn entry(&self, key: u32) -> Option<&Entry> {
        self.entries
            .binary_search_by_key(&key, |e| e.key)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Whether the SIM's SPN equals an operator provider name of the entry.
    fn spn_names(e: &Entry, id: &Identity) -> bool {
        match id.spn.as_deref() {
            Some(s) => {
                let s = s.trim_end_matches(['\u{ff}', '\0']).trim();
                !s.is_empty() && e.names.iter().any(|n| *n == s.to_lowercase())
            }
            None => false,
        }
    }

    fn select_entry<'a>(
        &'a self,
        e: &'a Entry,
        id: &Identity,
        purpose: Purpose,
    ) -> Cow<'a, Selected> {
        let specific = Self::spn_names(e, id)
            || lookup::identity_specific(e.mvno_rows.iter().map(|&i| &self.rows[i as usize]), id);
        if purpose == Purpose::Internet && !specific {
            Cow::Borrowed(&e.internet)
        } else {
            Cow::Owned(lookup::select(
                e.rows.iter().map(|&i| &self.rows[i as usize]),
                id,
                purpose,
            ))
        }
    }

    /// The hot path: borrowed result, no allocation when the precomputed
    /// answer applies. Invalid IMSIs simply find nothing here; use
    /// [`ApnIndex::lookup`] for input checking.
    pub fn lookup_ref(&self, id: &Identity, purpose: Purpose) -> LookupRef<'_> {
        if let Some(imsi) = id.imsi.as_deref() {
            let b = imsi.as_bytes();
            let mut first: Option<(&Entry, KeyRule)> = None;
            let mut alternative = None;
            let tries: [(lookup::MncLength, KeyRule); 2] = match id.mnc_length {
                Some(l) => [(l, KeyRule::ImsiMncLength), (l, KeyRule::NotFound)],
                None => [
                    (lookup::MncLength::Three, KeyRule::ImsiGuessThreeDigits),
                    (lookup::MncLength::Two, KeyRule::ImsiGuessTwoDigits),
                ],
            };
            for (len, rule) in tries {
                if rule == KeyRule::NotFound {
                    break;
                }
                if let Some(e) = Plmn::from_imsi(b, len).and_then(|p| self.entry(p.key())) {
                    if first.is_none() {
                        first = Some((e, rule));
                    } else {
                        alternative = Some(e.plmn);
                    }
                }
            }
            if let Some((e, rule)) = first {
                return LookupRef {
                    plmn: Some(e.plmn),
                    key_rule: rule,
                    alternative_plmn: alternative,
                    selected: self.select_entry(e, id, purpose),
                };
            }
        }
        if let Some(sid) = id.sid {
            let start = self.cdma.partition_point(|(s, _)| *s < sid);
            let rows: Vec<&StoredRow> = self.cdma[start..]
                .iter()
                .take_while(|(s, _)| *s == sid)
                .map(|(_, r)| r)
                .collect();
            if !rows.is_empty() {
                return LookupRef {
                    plmn: None,
                    key_rule: KeyRule::CdmaSid,
                    alternative_plmn: None,
                    selected: Cow::Owned(lookup::select_with_rule(
                        rows,
                        id,
                        purpose,
                        Rule::CdmaSid,
                    )),
                };
            }
        }
        if let Some(name) = id.provider_name.as_deref() {
            let name = name.trim().to_lowercase();
            let rows: Vec<&StoredRow> = self
                .rows
                .iter()
                .filter(|r| r.row.provider.to_lowercase() == name)
                .collect();
            if !rows.is_empty() {
                return LookupRef {
                    plmn: None,
                    key_rule: KeyRule::ProviderName,
                    alternative_plmn: None,
                    selected: Cow::Owned(lookup::select_with_rule(
                        rows,
                        id,
                        purpose,
                        Rule::ProviderName,
                    )),
                };
            }
        }
        LookupRef {
            plmn: None,
            key_rule: KeyRule::NotFound,
            alternative_plmn: None,
            selected: Cow::Owned(crate::db::not_found(purpose, false).selected),
        }
    }

    /// Owned lookup with input checking (same answer as [`ApnDb::lookup`]).
    pub fn lookup(&self, id: &Identity, purpose: Purpose, roaming: bool) -> Result<Lookup, Error> {
        if let Some(imsi) = id.imsi.as_deref() {
            crate::db::check_imsi(imsi)?;
        }
        Ok(self.lookup_ref(id, purpose).into_owned(purpose, roaming))
    }
}
