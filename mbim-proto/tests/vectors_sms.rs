//! SMS service vectors (MBIM 1.0 §10.5.25–29): every CID and kind, checked in
//! both directions, plus malformed buffers that must give a precise error.

mod alloc_guard;
mod common;

use common::{check_vector, read_vector};
use mbim_proto::services::sms::*;
use mbim_proto::services::{Decoded, Empty, Kind, RawBytes, decode_payload};
use mbim_proto::{DecodeErrorKind, ExtendedVersion, Message};

fn sms(p: Any) -> Decoded {
    Decoded::Sms(p)
}

/// "Hi" from 123, SMS-DELIVER (the PDU of sms_2_* vectors).
fn deliver_hi() -> RawBytes {
    RawBytes(vec![
        0x00, 0x04, 0x03, 0x81, 0x21, 0xf3, 0x00, 0x00, 0x42, 0x11, 0x52, 0x21, 0x43, 0x00, 0x00,
        0x02, 0xc8, 0x34,
    ])
}

/// The information buffer of a vector file.
fn info_of(name: &str) -> Vec<u8> {
    let bytes = read_vector(name);
    let m = Message::decode(&bytes).unwrap();
    m.payload().unwrap().2.to_vec()
}

fn decode_response(cid: u32, info: &[u8]) -> Result<Decoded, mbim_proto::DecodeError> {
    decode_payload(
        &mbim_proto::uuid::SMS,
        cid,
        Kind::Response,
        ExtendedVersion::V1,
        info,
    )
}

#[test]
fn configuration_query_is_empty() {
    check_vector(
        "sms_1_query_empty.hex",
        sms(Any::SmsConfigurationQuery(SmsConfigurationQuery)),
    );
}

#[test]
fn configuration_set_carries_sc_address() {
    check_vector(
        "sms_1_set_sc_address.hex",
        sms(Any::SetSmsConfiguration(SetSmsConfiguration {
            format: SmsFormat::PDU,
            sc_address: "+4917".into(),
        })),
    );
}

#[test]
fn configuration_response_decodes_every_field() {
    check_vector(
        "sms_1_response_initialized.hex",
        sms(Any::SmsConfigurationInfo(SmsConfigurationInfo {
            sms_storage_state: SmsStorageState::INITIALIZED,
            format: SmsFormat::PDU,
            max_messages: 30,
            cdma_short_message_size: 160,
            sc_address: "+4917".into(),
        })),
    );
}

#[test]
fn configuration_indication_with_empty_sc_address() {
    check_vector(
        "sms_1_indication_cdma_no_smsc.hex",
        sms(Any::SmsConfigurationInfo(SmsConfigurationInfo {
            sms_storage_state: SmsStorageState::INITIALIZED,
            format: SmsFormat::CDMA,
            max_messages: 100,
            cdma_short_message_size: 140,
            sc_address: String::new(),
        })),
    );
}

#[test]
fn read_query_by_index() {
    check_vector(
        "sms_2_query_index.hex",
        sms(Any::SmsReadReq(SmsReadReq {
            format: SmsFormat::PDU,
            flag: SmsFlag::INDEX,
            message_index: 7,
        })),
    );
}

#[test]
fn read_response_with_two_pdu_records() {
    check_vector(
        "sms_2_response_two_pdus.hex",
        sms(Any::SmsReceiveInfo(SmsReceiveInfo::Pdu(vec![
            SmsPduRecord {
                message_index: 1,
                message_status: SmsMessageStatus::NEW,
                pdu_data: deliver_hi(),
            },
            SmsPduRecord {
                message_index: 2,
                message_status: SmsMessageStatus::OLD,
                pdu_data: RawBytes(vec![
                    0x00, 0x04, 0x03, 0x81, 0x21, 0xf3, 0x00, 0x00, 0x42, 0x11, 0x52, 0x21, 0x44,
                    0x00, 0x00, 0x01, 0x41,
                ]),
            },
        ]))),
    );
}

#[test]
fn read_response_with_a_cdma_record() {
    check_vector(
        "sms_2_response_cdma.hex",
        sms(Any::SmsReceiveInfo(SmsReceiveInfo::Cdma(vec![
            SmsCdmaRecord {
                message_index: 3,
                message_status: SmsMessageStatus::NEW,
                address: "5551234".into(),
                timestamp: "241125123400".into(),
                encoding_id: SmsCdmaEncoding::SEVEN_BIT_ASCII,
                language_id: SmsCdmaLang::ENGLISH,
                encoded_message: RawBytes(b"Hi".to_vec()),
                size_in_characters: 2,
            },
        ]))),
    );
}

#[test]
fn read_indication_pushes_a_new_message() {
    check_vector(
        "sms_2_indication_new_pdu.hex",
        sms(Any::SmsReceiveInfo(SmsReceiveInfo::Pdu(vec![
            SmsPduRecord {
                message_index: 5,
                message_status: SmsMessageStatus::NEW,
                pdu_data: deliver_hi(),
            },
        ]))),
    );
}

#[test]
fn send_pdu_record_is_inline_after_format() {
    check_vector(
        "sms_3_set_pdu.hex",
        sms(Any::SmsSend(SmsSend::Pdu(SmsSendPdu {
            pdu_data: RawBytes(vec![
                0x00, 0x11, 0x00, 0x03, 0x81, 0x21, 0xf3, 0x00, 0x00, 0xaa, 0x02, 0xc8, 0x34,
            ]),
        }))),
    );
}

#[test]
fn send_cdma_record_is_inline_after_format() {
    check_vector(
        "sms_3_set_cdma.hex",
        sms(Any::SmsSend(SmsSend::Cdma(SmsSendCdma {
            encoding_id: SmsCdmaEncoding::SEVEN_BIT_ASCII,
            language_id: SmsCdmaLang::ENGLISH,
            address: "5551234".into(),
            encoded_message: RawBytes(b"Hi".to_vec()),
            size_in_characters: 2,
        }))),
    );
}

#[test]
fn send_response_carries_message_reference() {
    check_vector(
        "sms_3_response_reference.hex",
        sms(Any::SmsSendInfo(SmsSendInfo {
            message_reference: 42,
        })),
    );
}

#[test]
fn delete_set_by_index_and_empty_response() {
    check_vector(
        "sms_4_set_index.hex",
        sms(Any::SetSmsDelete(SetSmsDelete {
            flag: SmsFlag::INDEX,
            message_index: 3,
        })),
    );
    check_vector("sms_4_response_empty.hex", sms(Any::Empty(Empty)));
}

#[test]
fn message_store_status_query_response_and_indication() {
    check_vector(
        "sms_5_query_empty.hex",
        sms(Any::SmsMessageStoreStatusQuery(SmsMessageStoreStatusQuery)),
    );
    check_vector(
        "sms_5_response_store_full.hex",
        sms(Any::SmsStatusInfo(SmsStatusInfo {
            flag: SmsStatusFlag::MESSAGE_STORE_FULL,
            message_index: 0,
        })),
    );
    check_vector(
        "sms_5_indication_new_message.hex",
        sms(Any::SmsStatusInfo(SmsStatusInfo {
            flag: SmsStatusFlag::NEW_MESSAGE,
            message_index: 5,
        })),
    );
}

#[test]
fn record_offset_outside_the_buffer_names_the_list() {
    let mut info = info_of("sms_2_response_two_pdus.hex");
    // SmsRefList[1] offset (at 16) pushed past the 96-byte buffer.
    info[16..20].copy_from_slice(&0x60u32.to_le_bytes());
    let e = decode_response(cid::READ, &info).unwrap_err();
    assert_eq!(e.field, "SmsRefList");
    assert_eq!(e.offset, 16);
    assert_eq!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 0x60,
            size: 36,
            len: 96
        }
    );
}

#[test]
fn pdu_offset_outside_its_record_names_pdu_data() {
    let mut info = info_of("sms_2_response_two_pdus.hex");
    // Record 0 starts at 24; its PduData offset (record +8) now points past
    // the 36-byte record although it would still be inside the buffer.
    info[32..36].copy_from_slice(&0x20u32.to_le_bytes());
    let e = decode_response(cid::READ, &info).unwrap_err();
    assert_eq!(e.field, "PduData");
    assert_eq!(e.offset, 32);
    assert!(matches!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds { offset: 0x20, .. }
    ));
}

#[test]
fn hostile_element_count_is_rejected_without_allocating() {
    let mut info = info_of("sms_2_response_two_pdus.hex");
    // The guard does see allocations: decoding the intact buffer allocates.
    let (ok, allocated) = alloc_guard::allocated_during(|| decode_response(cid::READ, &info));
    assert!(ok.is_ok() && allocated > 0);

    info[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let (r, allocated) = alloc_guard::allocated_during(|| decode_response(cid::READ, &info));
    let e = r.unwrap_err();
    assert_eq!(e.field, "SmsRefList");
    assert!(
        matches!(e.kind, DecodeErrorKind::BadLength { value, .. } if value == u64::from(u32::MAX))
    );
    // A Vec sized from the count would need 4 G elements; the check comes first.
    assert!(allocated < 4096, "allocated {allocated} bytes");
}

#[test]
fn unknown_format_is_a_decode_error_on_format() {
    let mut info = info_of("sms_2_response_two_pdus.hex");
    info[0..4].copy_from_slice(&7u32.to_le_bytes());
    let e = decode_response(cid::READ, &info).unwrap_err();
    assert_eq!((e.field, e.offset), ("Format", 0));
    assert_eq!(e.kind, DecodeErrorKind::BadValue { value: 7 });

    let mut send = info_of("sms_3_set_pdu.hex");
    send[0..4].copy_from_slice(&2u32.to_le_bytes());
    let e = decode_payload(
        &mbim_proto::uuid::SMS,
        cid::SEND,
        Kind::Set,
        ExtendedVersion::V1,
        &send,
    )
    .unwrap_err();
    assert_eq!((e.field, e.offset), ("Format", 0));
}

#[test]
fn oversized_pdu_is_refused_by_the_encoder() {
    let send = SmsSend::Pdu(SmsSendPdu {
        pdu_data: RawBytes(vec![0; MAX_PDU + 1]),
    });
    let mut out = Vec::new();
    let e = mbim_proto::Payload::encode(&send, &mut out).unwrap_err();
    assert!(matches!(
        e,
        mbim_proto::EncodeError::StringTooLong {
            field: "PduData",
            len: 184,
            max: 183
        }
    ));
}
