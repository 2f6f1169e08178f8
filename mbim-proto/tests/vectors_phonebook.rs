//! Phonebook service vectors (MBIM 1.0 §10.5.31–34), both directions, plus
//! entry pointers outside the buffer and a hostile ElementCount.

mod alloc_guard;
mod common;

use common::{check_vector, read_vector};
use mbim_proto::services::phonebook::*;
use mbim_proto::services::{Decoded, Empty, Kind, decode_payload};
use mbim_proto::{DecodeErrorKind, ExtendedVersion, Message};

fn pb(p: Any) -> Decoded {
    Decoded::Phonebook(p)
}

fn read_info() -> Vec<u8> {
    let bytes = read_vector("phonebook_2_response_two_entries.hex");
    let m = Message::decode(&bytes).unwrap();
    m.payload().unwrap().2.to_vec()
}

fn decode_read(info: &[u8]) -> Result<Decoded, mbim_proto::DecodeError> {
    decode_payload(
        &mbim_proto::uuid::PHONEBOOK,
        cid::READ,
        Kind::Response,
        ExtendedVersion::V1,
        info,
    )
}

#[test]
fn configuration_query_response_and_indication() {
    check_vector(
        "phonebook_1_query_empty.hex",
        pb(Any::PhonebookConfigurationQuery(
            PhonebookConfigurationQuery,
        )),
    );
    check_vector(
        "phonebook_1_response_initialized.hex",
        pb(Any::PhonebookConfigurationInfo(
            PhonebookConfigurationInfo {
                phonebook_state: PhonebookState::INITIALIZED,
                total_number_of_entries: 250,
                used_entries: 2,
                max_number_length: 40,
                max_name_length: 14,
            },
        )),
    );
    check_vector(
        "phonebook_1_indication_not_initialized.hex",
        pb(Any::PhonebookConfigurationInfo(
            PhonebookConfigurationInfo::default(),
        )),
    );
}

#[test]
fn read_query_by_index() {
    check_vector(
        "phonebook_2_query_index.hex",
        pb(Any::PhonebookReadReq(PhonebookReadReq {
            filter_flag: PhonebookFlag::INDEX,
            filter_message_index: 2,
        })),
    );
}

#[test]
fn read_response_with_two_entries_one_unnamed() {
    check_vector(
        "phonebook_2_response_two_entries.hex",
        pb(Any::PhonebookReadInfo(PhonebookReadInfo {
            entries: vec![
                PhonebookEntry {
                    entry_index: 1,
                    number: "+15551234".into(),
                    name: "Bob".into(),
                },
                PhonebookEntry {
                    entry_index: 2,
                    number: "911".into(),
                    name: String::new(),
                },
            ],
        })),
    );
}

#[test]
fn delete_set_all_and_empty_response() {
    check_vector(
        "phonebook_3_set_all.hex",
        pb(Any::SetPhonebookDelete(SetPhonebookDelete {
            filter_flag: PhonebookFlag::ALL_ENTRIES,
            filter_message_index: 0,
        })),
    );
    check_vector("phonebook_3_response_empty.hex", pb(Any::Empty(Empty)));
}

#[test]
fn write_set_at_index_and_empty_response() {
    check_vector(
        "phonebook_4_set_index.hex",
        pb(Any::SetPhonebookWrite(SetPhonebookWrite {
            save_flag: PhonebookWriteFlag::SAVE_INDEX,
            save_index: 4,
            number: "+1555".into(),
            name: "Ann".into(),
        })),
    );
    check_vector("phonebook_4_response_empty.hex", pb(Any::Empty(Empty)));
}

#[test]
fn entry_offset_outside_the_buffer_names_the_list() {
    let mut info = read_info();
    // PhonebookRefList[1] (pair at 12) now claims 40 bytes from offset 68 of 96.
    info[16..20].copy_from_slice(&40u32.to_le_bytes());
    let e = decode_read(&info).unwrap_err();
    assert_eq!((e.field, e.offset), ("PhonebookRefList", 12));
    assert_eq!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 68,
            size: 40,
            len: 96
        }
    );
}

#[test]
fn name_offset_outside_its_entry_names_name() {
    let mut info = read_info();
    // Entry 0 is 48 bytes at 20; its Name pair (+12) now points at +48.
    info[32..36].copy_from_slice(&48u32.to_le_bytes());
    let e = decode_read(&info).unwrap_err();
    assert_eq!((e.field, e.offset), ("Name", 32));
}

#[test]
fn hostile_element_count_is_rejected_without_allocating() {
    let mut info = read_info();
    info[0..4].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    let (r, allocated) = alloc_guard::allocated_during(|| decode_read(&info));
    let e = r.unwrap_err();
    assert_eq!(e.field, "PhonebookRefList");
    assert!(matches!(
        e.kind,
        DecodeErrorKind::BadLength {
            value: 0x4000_0000,
            ..
        }
    ));
    assert!(allocated < 4096, "allocated {allocated} bytes");
}
