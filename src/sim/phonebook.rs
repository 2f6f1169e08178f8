//! The simulated Phonebook service (MBIM 1.0 §10.5.31–34): a SIM phonebook
//! seeded from the scenario's `[[phonebook]]` entries, with CONFIGURATION,
//! READ (all or by index), DELETE (all or by index) and WRITE (at an index
//! or the first free one). A change is announced with a CONFIGURATION
//! indication, as its used-entry count moves. Offered only when the
//! scenario has a phonebook ([`super::scenario::Scenario::has_phonebook`]).
//!
//! Entries are personal data: nothing here logs them.

use super::modem::{Modem, Reply, invalid};
use super::scenario::{PHONEBOOK_MAX_NAME, PHONEBOOK_MAX_NUMBER};
use mbim_proto::Status;
use mbim_proto::services::phonebook::{
    PhonebookConfigurationInfo, PhonebookEntry, PhonebookFlag, PhonebookReadInfo, PhonebookReadReq,
    PhonebookState, PhonebookWriteFlag, SetPhonebookDelete, SetPhonebookWrite, cid,
};
use mbim_proto::services::{Empty, Payload};
use mbim_proto::uuid::PHONEBOOK;

/// Phonebook CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::CONFIGURATION, cid::READ, cid::DELETE, cid::WRITE];

impl Modem {
    /// Answer a Phonebook command.
    pub(super) fn phonebook(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        if !self.scenario().has_phonebook() {
            return Reply::status(Status::NO_DEVICE_SUPPORT);
        }
        // The phonebook lives on the SIM: no card or a locked one, no phonebook.
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        match (c, set) {
            (cid::CONFIGURATION, false) => Reply::ok(&self.phonebook_configuration()),
            (cid::READ, false) => match PhonebookReadReq::decode(buf) {
                Ok(r) => self.phonebook_read(r),
                Err(_) => invalid(),
            },
            (cid::DELETE, true) => match SetPhonebookDelete::decode(buf) {
                Ok(r) => self.phonebook_delete(r),
                Err(_) => invalid(),
            },
            (cid::WRITE, true) => match SetPhonebookWrite::decode(buf) {
                Ok(r) => self.phonebook_write(r),
                Err(_) => invalid(),
            },
            _ => Reply::status(Status::NO_DEVICE_SUPPORT),
        }
    }

    fn phonebook_configuration(&self) -> PhonebookConfigurationInfo {
        PhonebookConfigurationInfo {
            phonebook_state: PhonebookState::INITIALIZED,
            total_number_of_entries: self.scenario().phonebook_capacity(),
            used_entries: self.phonebook_entries.len() as u32,
            max_number_length: PHONEBOOK_MAX_NUMBER,
            max_name_length: PHONEBOOK_MAX_NAME,
        }
    }

    fn phonebook_read(&self, r: PhonebookReadReq) -> Reply {
        let entries: Vec<PhonebookEntry> = match r.filter_flag {
            PhonebookFlag::ALL_ENTRIES => self.phonebook_entries.values().cloned().collect(),
            PhonebookFlag::INDEX => match self.phonebook_entries.get(&r.filter_message_index) {
                Some(e) => vec![e.clone()],
                None => return Reply::status(Status::INVALID_MEMORY_INDEX),
            },
            _ => return invalid(),
        };
        Reply::ok(&PhonebookReadInfo { entries })
    }

    fn phonebook_delete(&mut self, r: SetPhonebookDelete) -> Reply {
        match r.filter_flag {
            PhonebookFlag::ALL_ENTRIES => self.phonebook_entries.clear(),
            PhonebookFlag::INDEX => {
                if self
                    .phonebook_entries
                    .remove(&r.filter_message_index)
                    .is_none()
                {
                    return Reply::status(Status::INVALID_MEMORY_INDEX);
                }
            }
            _ => return invalid(),
        }
        self.phonebook_changed();
        Reply::ok(&Empty)
    }

    fn phonebook_write(&mut self, r: SetPhonebookWrite) -> Reply {
        if r.number.is_empty()
            || r.number.chars().count() > PHONEBOOK_MAX_NUMBER as usize
            || r.name.chars().count() > PHONEBOOK_MAX_NAME as usize
        {
            return invalid();
        }
        let capacity = self.scenario().phonebook_capacity();
        let index = match r.save_flag {
            PhonebookWriteFlag::SAVE_UNUSED => {
                match (1..=capacity).find(|i| !self.phonebook_entries.contains_key(i)) {
                    Some(i) => i,
                    None => return Reply::status(Status::MEMORY_FULL),
                }
            }
            PhonebookWriteFlag::SAVE_INDEX if (1..=capacity).contains(&r.save_index) => {
                r.save_index
            }
            PhonebookWriteFlag::SAVE_INDEX => return Reply::status(Status::INVALID_MEMORY_INDEX),
            _ => return invalid(),
        };
        self.phonebook_entries.insert(
            index,
            PhonebookEntry {
                entry_index: index,
                number: r.number,
                name: r.name,
            },
        );
        self.phonebook_changed();
        Reply::ok(&Empty)
    }

    fn phonebook_changed(&mut self) {
        let info = self.phonebook_configuration();
        self.notify_on(PHONEBOOK, cid::CONFIGURATION, &info);
    }
}
