//! MS UICC low-level access vectors (windows-operator-formats.md §7.2;
//! libmbim 1.28 layouts, including the (size, offset) references of the
//! ATR/channel/APDU CIDs), plus hostile-input checks.

mod common;

use common::{check_vector, read_vector};
use mbim_proto::services::ms_uicc_low_level_access::*;
use mbim_proto::services::{Decoded, Empty, Kind, basic_connect::PinType, decode_payload};
use mbim_proto::{DecodeErrorKind, ExtendedVersion, uuid};

fn d(a: Any) -> Decoded {
    Decoded::MsUiccLowLevelAccess(a)
}

const AID: [u8; 7] = [0xa0, 0, 0, 0, 0x87, 0x10, 0x02];
const PATH: [u8; 4] = [0x7f, 0xff, 0x6f, 0x07];

#[test]
fn atr_uses_size_then_offset() {
    check_vector(
        "ms_uicc_low_level_access_1_query_empty.hex",
        d(Any::Empty(Empty)),
    );
    check_vector(
        "ms_uicc_low_level_access_1_response_usim.hex",
        d(Any::AtrInfo(AtrInfo {
            atr: vec![
                0x3b, 0x9f, 0x96, 0x80, 0x1f, 0xc7, 0x80, 0x31, 0xe0, 0x73, 0xfe, 0x21, 0x1b,
            ],
        })),
    );
}

#[test]
fn open_and_close_channel() {
    check_vector(
        "ms_uicc_low_level_access_2_set_usim_aid.hex",
        d(Any::SetUiccOpenChannel(SetUiccOpenChannel {
            app_id: AID.to_vec(),
            select_p2_arg: 4,
            channel_group: 1,
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_2_response_channel_1.hex",
        d(Any::UiccOpenChannelInfo(UiccOpenChannelInfo {
            status: 0x9000,
            channel: 1,
            response: vec![0x6f, 0x1a],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_3_set_channel_1.hex",
        d(Any::SetUiccCloseChannel(SetUiccCloseChannel {
            channel: 1,
            channel_group: 1,
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_3_response_ok.hex",
        d(Any::UiccCloseChannelInfo(UiccCloseChannelInfo {
            status: 0x9000,
        })),
    );
}

#[test]
fn apdu_command_and_response() {
    check_vector(
        "ms_uicc_low_level_access_4_set_read_binary.hex",
        d(Any::SetUiccApdu(SetUiccApdu {
            channel: 1,
            secure_messaging: UiccSecureMessaging::NONE,
            class_byte_type: UiccClassByteType::INTER_INDUSTRY,
            command: vec![0x00, 0xb0, 0x00, 0x00, 0x0a],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_4_response_ten_bytes.hex",
        d(Any::UiccApduInfo(UiccApduInfo {
            status: 0x9000,
            response: vec![0x98, 0x94, 0x20, 0, 0, 0, 0, 0, 0, 0x10],
        })),
    );
}

#[test]
fn terminal_capability_set_and_response_share_a_layout() {
    check_vector(
        "ms_uicc_low_level_access_5_query_empty.hex",
        d(Any::Empty(Empty)),
    );
    check_vector(
        "ms_uicc_low_level_access_5_set_one_tlv.hex",
        d(Any::UiccTerminalCapability(UiccTerminalCapability {
            terminal_capability: vec![vec![0xa9, 0x03, 0x83, 0x01, 0x00]],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_5_response_two_tlvs.hex",
        d(Any::UiccTerminalCapability(UiccTerminalCapability {
            terminal_capability: vec![vec![0x80, 0x01, 0x07], vec![0x81, 0x00]],
        })),
    );
}

#[test]
fn reset_pass_through() {
    check_vector(
        "ms_uicc_low_level_access_6_query_empty.hex",
        d(Any::Empty(Empty)),
    );
    check_vector(
        "ms_uicc_low_level_access_6_set_enable.hex",
        d(Any::SetUiccReset(SetUiccReset {
            pass_through_action: UiccPassThroughAction::ENABLE,
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_6_response_enabled.hex",
        d(Any::UiccResetInfo(UiccResetInfo {
            pass_through_status: UiccPassThroughStatus::ENABLED,
        })),
    );
}

#[test]
fn application_list_with_utf8_names() {
    check_vector(
        "ms_uicc_low_level_access_7_query_empty.hex",
        d(Any::Empty(Empty)),
    );
    check_vector(
        "ms_uicc_low_level_access_7_response_usim_isim.hex",
        d(Any::UiccAppList(UiccAppList {
            version: 1,
            active_application_index: 0,
            application_list_size_bytes: 100,
            applications: vec![
                UiccApplication {
                    application_type: UiccApplicationType::USIM,
                    application_id: vec![
                        0xa0, 0, 0, 0, 0x87, 0x10, 0x02, 0xff, 0x33, 0xff, 0x01, 0x89, 0, 0, 0x01,
                        0,
                    ],
                    application_name: "USIM".into(),
                    pin_key_reference_count: 1,
                    pin_key_references: vec![1],
                },
                UiccApplication {
                    application_type: UiccApplicationType::ISIM,
                    application_id: vec![0xa0, 0, 0, 0, 0x87, 0x10, 0x04],
                    application_name: "ISIM".into(),
                    pin_key_reference_count: 0,
                    pin_key_references: vec![],
                },
            ],
        })),
    );
}

#[test]
fn file_status_query_and_response() {
    check_vector(
        "ms_uicc_low_level_access_8_query_ef_iccid.hex",
        d(Any::UiccFilePath(UiccFilePath {
            version: 1,
            application_id: AID.to_vec(),
            file_path: PATH.to_vec(),
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_8_response_transparent.hex",
        d(Any::UiccFileStatus(UiccFileStatus {
            version: 1,
            status_word1: 0x90,
            status_word2: 0,
            file_accessibility: UiccFileAccessibility::NOT_SHAREABLE,
            file_type: UiccFileType::WORKING_EF,
            file_structure: UiccFileStructure::TRANSPARENT,
            file_item_count: 1,
            file_item_size: 9,
            access_condition_read: PinType::PIN1,
            access_condition_update: PinType::PIN2,
            access_condition_activate: PinType::CUSTOM,
            access_condition_deactivate: PinType::CUSTOM,
        })),
    );
}

#[test]
fn read_and_update_binary() {
    check_vector(
        "ms_uicc_low_level_access_9_query_nine_bytes.hex",
        d(Any::UiccAccessBinary(UiccAccessBinary {
            version: 1,
            application_id: AID.to_vec(),
            file_path: PATH.to_vec(),
            read_offset: 0,
            read_size: 9,
            local_pin: String::new(),
            data: vec![],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_9_set_update_with_pin.hex",
        d(Any::UiccAccessBinary(UiccAccessBinary {
            version: 1,
            application_id: AID.to_vec(),
            file_path: PATH.to_vec(),
            read_offset: 2,
            read_size: 3,
            local_pin: "1234".into(),
            data: vec![1, 2, 3],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_9_response_iccid.hex",
        d(Any::UiccResponse(UiccResponse {
            version: 1,
            status_word1: 0x90,
            status_word2: 0,
            data: vec![0x98, 0x94, 0x20, 0, 0, 0, 0, 0, 0],
        })),
    );
}

#[test]
fn read_and_update_record() {
    let msisdn = vec![0x7f, 0xff, 0x6f, 0x40];
    check_vector(
        "ms_uicc_low_level_access_10_query_record_1.hex",
        d(Any::UiccAccessRecord(UiccAccessRecord {
            version: 1,
            application_id: AID.to_vec(),
            file_path: msisdn.clone(),
            record_number: 1,
            local_pin: String::new(),
            data: vec![],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_10_set_update_record_2.hex",
        d(Any::UiccAccessRecord(UiccAccessRecord {
            version: 1,
            application_id: AID.to_vec(),
            file_path: msisdn,
            record_number: 2,
            local_pin: "0000".into(),
            data: vec![0xff; 4],
        })),
    );
    check_vector(
        "ms_uicc_low_level_access_10_response_file_not_found.hex",
        d(Any::UiccResponse(UiccResponse {
            version: 1,
            status_word1: 0x6a,
            status_word2: 0x82,
            data: vec![],
        })),
    );
}

fn payload(name: &str) -> Vec<u8> {
    // Information buffer of a COMMAND_DONE vector: after the 48-byte header.
    read_vector(name)[48..].to_vec()
}

#[test]
fn atr_size_past_the_buffer_is_an_error_naming_the_field() {
    let mut buf = payload("ms_uicc_low_level_access_1_response_usim.hex");
    buf[0] = 200; // size 200 at offset 8
    let e = decode_payload(
        &uuid::MS_UICC_LOW_LEVEL_ACCESS,
        1,
        Kind::Response,
        ExtendedVersion::V1,
        &buf,
    )
    .unwrap_err();
    assert_eq!((e.field, e.offset), ("Atr", 0));
    assert!(matches!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 8,
            size: 200,
            ..
        }
    ));
}

#[test]
fn hostile_application_count_does_not_allocate() {
    let mut buf = payload("ms_uicc_low_level_access_7_response_usim_isim.hex");
    buf[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = decode_payload(
        &uuid::MS_UICC_LOW_LEVEL_ACCESS,
        7,
        Kind::Response,
        ExtendedVersion::V1,
        &buf,
    )
    .unwrap_err();
    assert_eq!(e.field, "Applications");
    assert!(matches!(e.kind, DecodeErrorKind::BadLength { .. }));
}

#[test]
fn invalid_utf8_application_name_decodes_leniently() {
    let mut buf = payload("ms_uicc_low_level_access_7_response_usim_isim.hex");
    buf[80] = 0xff; // first byte of "USIM"
    let Decoded::MsUiccLowLevelAccess(Any::UiccAppList(l)) = decode_payload(
        &uuid::MS_UICC_LOW_LEVEL_ACCESS,
        7,
        Kind::Response,
        ExtendedVersion::V1,
        &buf,
    )
    .unwrap() else {
        panic!("not an application list");
    };
    assert_eq!(l.applications[0].application_name, "\u{fffd}SIM");
}
