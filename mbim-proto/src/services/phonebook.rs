//! Phonebook service (`4bf38476-1e6a-41db-b1d8-bed289c25bdb`), MBIM 1.0
//! §10.5.31–34: the SIM/device phonebook's configuration, and reading,
//! deleting and writing entries.
//!
//! Entries are personal data; this module decodes them but never logs them.

use super::{
    Payload, empty_request, fixed_struct, impl_indication, impl_request, parse_all, payload_table,
};
use crate::error::EncodeError;
use crate::uuid::PHONEBOOK;
use crate::wire::{PError, Writer, count_u32, ol_list, string, u32le};

/// CID numbers (MBIM 1.0 Table 10-3).
pub mod cid {
    pub const CONFIGURATION: u32 = 1;
    pub const READ: u32 = 2;
    pub const DELETE: u32 = 3;
    pub const WRITE: u32 = 4;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "configuration", "read", "delete", "write"];

crate::wire_enum! {
    /// MBIM_PHONEBOOK_STATE.
    pub struct PhonebookState(u32) {
        NOT_INITIALIZED = 0 => "not-initialized",
        INITIALIZED = 1 => "initialized",
    }
}

crate::wire_enum! {
    /// MBIM_PHONEBOOK_FLAG: which entries a READ or DELETE addresses.
    pub struct PhonebookFlag(u32) {
        /// MBIMPhonebookFlagAll (`ALL` is taken by the list of named values).
        ALL_ENTRIES = 0 => "all",
        INDEX = 1 => "index",
    }
}

crate::wire_enum! {
    /// MBIM_PHONEBOOK_WRITE_FLAG.
    pub struct PhonebookWriteFlag(u32) {
        SAVE_UNUSED = 0 => "save-unused",
        SAVE_INDEX = 1 => "save-index",
    }
}

// ---------------------------------------------------------------------------
// 1 CONFIGURATION (§10.5.31)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_PHONEBOOK_CONFIGURATION_INFO.
    pub struct PhonebookConfigurationInfo {
        phonebook_state: PhonebookState = u32 "PhonebookState",
        total_number_of_entries: u32 = u32 "TotalNumberOfEntries",
        used_entries: u32 = u32 "UsedEntries",
        /// In characters.
        max_number_length: u32 = u32 "MaxNumberLength",
        /// In characters.
        max_name_length: u32 = u32 "MaxNameLength",
    }
}

empty_request!(
    /// Phonebook CONFIGURATION query.
    PhonebookConfigurationQuery, PHONEBOOK, cid::CONFIGURATION, QUERY, PhonebookConfigurationInfo
);
impl_indication!(PhonebookConfigurationInfo, PHONEBOOK, cid::CONFIGURATION);

// ---------------------------------------------------------------------------
// 2 READ (§10.5.32)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_PHONEBOOK_READ_REQ.
    pub struct PhonebookReadReq {
        filter_flag: PhonebookFlag = u32 "FilterFlag",
        /// Only meaningful with [`PhonebookFlag::INDEX`].
        filter_message_index: u32 = u32 "FilterMessageIndex",
    }
}

/// MBIM_PHONEBOOK_ENTRY.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PhonebookEntry {
    pub entry_index: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub number: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub name: String,
}

impl Payload for PhonebookEntry {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, entry_index) = u32le("EntryIndex")(r)?;
            let (r, number) = string(s, "Number")(r)?;
            let (r, name) = string(s, "Name")(r)?;
            Ok((
                r,
                PhonebookEntry {
                    entry_index,
                    number,
                    name,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 20);
        w.u32(self.entry_index);
        w.string("Number", &self.number, None)?;
        w.string("Name", &self.name, None)?;
        Ok(())
    }
}

/// MBIM_PHONEBOOK_READ_INFO: an OL-pair list of MBIM_PHONEBOOK_ENTRY.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PhonebookReadInfo {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<PhonebookEntry>()")
    )]
    pub entries: Vec<PhonebookEntry>,
}

impl Payload for PhonebookReadInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("ElementCount")(r)?;
            let (r, entries) = ol_list(s, count, "PhonebookRefList", PhonebookEntry::parse)(r)?;
            Ok((r, PhonebookReadInfo { entries }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.entries.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("ElementCount", n)?);
        w.ol_list("PhonebookRefList", &self.entries, |e, out| e.encode(out))
    }
}

impl_request!(
    PhonebookReadReq,
    PHONEBOOK,
    cid::READ,
    QUERY,
    PhonebookReadInfo
);

// ---------------------------------------------------------------------------
// 3 DELETE (§10.5.33)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_SET_PHONEBOOK_DELETE.
    pub struct SetPhonebookDelete {
        filter_flag: PhonebookFlag = u32 "FilterFlag",
        /// Only meaningful with [`PhonebookFlag::INDEX`].
        filter_message_index: u32 = u32 "FilterMessageIndex",
    }
}

impl_request!(
    SetPhonebookDelete,
    PHONEBOOK,
    cid::DELETE,
    SET,
    super::Empty
);

// ---------------------------------------------------------------------------
// 4 WRITE (§10.5.34)
// ---------------------------------------------------------------------------

/// MBIM_SET_PHONEBOOK_WRITE.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetPhonebookWrite {
    pub save_flag: PhonebookWriteFlag,
    /// Only meaningful with [`PhonebookWriteFlag::SAVE_INDEX`].
    pub save_index: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub number: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub name: String,
}

impl Payload for SetPhonebookWrite {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, save_flag) = u32le("SaveFlag")(r)?;
            let (r, save_index) = u32le("SaveIndex")(r)?;
            let (r, number) = string(s, "Number")(r)?;
            let (r, name) = string(s, "Name")(r)?;
            Ok((
                r,
                SetPhonebookWrite {
                    save_flag: save_flag.into(),
                    save_index,
                    number,
                    name,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 24);
        w.u32(self.save_flag.0);
        w.u32(self.save_index);
        w.string("Number", &self.number, None)?;
        w.string("Name", &self.name, None)?;
        Ok(())
    }
}

impl_request!(SetPhonebookWrite, PHONEBOOK, cid::WRITE, SET, super::Empty);

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

payload_table! {
    /// Every Phonebook payload.
    pub enum Any {
        PhonebookConfigurationQuery(PhonebookConfigurationQuery) = [(1, Query)],
        PhonebookConfigurationInfo(PhonebookConfigurationInfo) = [(1, Response), (1, Indication)],
        PhonebookReadReq(PhonebookReadReq) = [(2, Query)],
        PhonebookReadInfo(PhonebookReadInfo) = [(2, Response)],
        SetPhonebookDelete(SetPhonebookDelete) = [(3, Set)],
        SetPhonebookWrite(SetPhonebookWrite) = [(4, Set)],
        Empty(super::Empty) = [(3, Response), (4, Response)],
    }
}
