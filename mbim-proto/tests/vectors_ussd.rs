//! USSD service vectors (MBIM 1.0 §10.5.30), both directions, and a payload
//! pointer outside the buffer.

mod common;

use common::{check_vector, read_vector};
use mbim_proto::services::ussd::*;
use mbim_proto::services::{Decoded, Kind, RawBytes, decode_payload};
use mbim_proto::{DecodeErrorKind, EncodeError, ExtendedVersion, Message, Payload};

#[test]
fn set_initiates_a_session() {
    check_vector(
        "ussd_1_set_initiate.hex",
        Decoded::Ussd(Any::SetUssd(SetUssd {
            ussd_action: UssdAction::INITIATE,
            ussd_data_coding_scheme: 0x0f,
            ussd_payload: RawBytes(vec![0xaa, 0x18, 0x0c, 0x36, 0x02]),
        })),
    );
}

#[test]
fn response_asks_for_action() {
    check_vector(
        "ussd_1_response_action_required.hex",
        Decoded::Ussd(Any::UssdInfo(UssdInfo {
            ussd_response: UssdResponse::ACTION_REQUIRED,
            ussd_session_state: UssdSessionState::EXISTING_SESSION,
            ussd_data_coding_scheme: 0x0f,
            ussd_payload: RawBytes(vec![0xcf, 0x25]),
        })),
    );
}

#[test]
fn indication_reports_network_termination() {
    check_vector(
        "ussd_1_indication_terminated.hex",
        Decoded::Ussd(Any::UssdInfo(UssdInfo {
            ussd_response: UssdResponse::TERMINATED_BY_NETWORK,
            ussd_session_state: UssdSessionState::NEW_SESSION,
            ussd_data_coding_scheme: 0x48,
            ussd_payload: RawBytes(vec![0x00, 0x48, 0x00, 0x69]),
        })),
    );
}

#[test]
fn payload_offset_outside_the_buffer_names_ussd_payload() {
    let bytes = read_vector("ussd_1_response_action_required.hex");
    let m = Message::decode(&bytes).unwrap();
    let mut info = m.payload().unwrap().2.to_vec();
    // USSDPayload size (at 16) grown past the 24-byte buffer.
    info[16..20].copy_from_slice(&40u32.to_le_bytes());
    let e = decode_payload(
        &mbim_proto::uuid::USSD,
        cid::USSD,
        Kind::Response,
        ExtendedVersion::V1,
        &info,
    )
    .unwrap_err();
    assert_eq!((e.field, e.offset), ("USSDPayload", 12));
    assert_eq!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 20,
            size: 40,
            len: 24
        }
    );
}

#[test]
fn payload_longer_than_160_bytes_is_refused() {
    let set = SetUssd {
        ussd_payload: RawBytes(vec![0; MAX_USSD_PAYLOAD + 1]),
        ..SetUssd::default()
    };
    assert!(matches!(
        set.to_bytes(),
        Err(EncodeError::StringTooLong {
            field: "USSDPayload",
            len: 161,
            max: 160
        })
    ));
}
