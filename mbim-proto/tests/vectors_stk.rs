//! SIM Toolkit vectors (MBIM 1.0 §10.5.35–37), both directions, plus a
//! terminal response whose length exceeds the buffer.

mod alloc_guard;
mod common;

use common::check_vector;
use mbim_proto::services::stk::*;
use mbim_proto::services::{Decoded, Kind, RawBytes, decode_payload};
use mbim_proto::{DecodeErrorKind, ExtendedVersion};

fn stk(p: Any) -> Decoded {
    Decoded::Stk(p)
}

#[test]
fn pac_query_is_empty() {
    check_vector("stk_1_query_empty.hex", stk(Any::StkPacQuery(StkPacQuery)));
}

#[test]
fn pac_set_is_a_256_bit_mask() {
    let mut pac_host_control = [0u8; 32];
    pac_host_control[4] = 0x26;
    check_vector(
        "stk_1_set_host_control.hex",
        stk(Any::SetStkPac(SetStkPac { pac_host_control })),
    );
}

#[test]
fn pac_response_has_one_profile_per_command_type() {
    let mut info = StkPacInfo::default();
    info.pac_support[0x01] = StkPacProfile::HANDLED_BY_FUNCTION_NOTIFICATION_TO_HOST_POSSIBLE;
    for cmd in [0x21, 0x22, 0x25] {
        info.pac_support[cmd] = StkPacProfile::HANDLED_BY_HOST_FUNCTION_ABLE_TO_HANDLE;
    }
    check_vector("stk_1_response_profiles.hex", stk(Any::StkPacInfo(info)));
}

#[test]
fn pac_indication_data_runs_to_the_end_of_the_buffer() {
    check_vector(
        "stk_1_indication_display_text.hex",
        stk(Any::StkPac(StkPac {
            pac_type: StkPacType::PROACTIVE_COMMAND,
            data_buffer: RawBytes(vec![
                0xd0, 0x0f, 0x81, 0x03, 0x01, 0x21, 0x80, 0x82, 0x02, 0x81, 0x02, 0x8d, 0x04, 0x04,
                0x48, 0x69, 0x21,
            ]),
        })),
    );
}

#[test]
fn terminal_response_set_is_length_prefixed_and_padded() {
    check_vector(
        "stk_2_set_terminal_response.hex",
        stk(Any::SetStkTerminalResponse(SetStkTerminalResponse {
            response: RawBytes(vec![
                0x81, 0x03, 0x02, 0x22, 0x00, 0x82, 0x02, 0x82, 0x81, 0x83, 0x01, 0x00, 0x8d, 0x04,
                0x04, 0x59, 0x65, 0x73,
            ]),
        })),
    );
}

#[test]
fn terminal_response_response_carries_status_words() {
    check_vector(
        "stk_2_response_ok.hex",
        stk(Any::StkTerminalResponseInfo(StkTerminalResponseInfo {
            result_data: RawBytes::default(),
            status_words: 0x9000,
        })),
    );
}

#[test]
fn envelope_query_response_and_unpadded_set() {
    check_vector(
        "stk_3_query_empty.hex",
        stk(Any::StkEnvelopeQuery(StkEnvelopeQuery)),
    );
    let mut envelope_support = [0u8; 32];
    envelope_support[26] = 0x4a;
    check_vector(
        "stk_3_response_support.hex",
        stk(Any::StkEnvelopeInfo(StkEnvelopeInfo { envelope_support })),
    );
    check_vector(
        "stk_3_set_menu_selection.hex",
        stk(Any::SetStkEnvelope(SetStkEnvelope {
            data_buffer: RawBytes(vec![0xd3, 0x07, 0x82, 0x02, 0x01, 0x81, 0x90, 0x01, 0x02]),
        })),
    );
}

#[test]
fn terminal_response_length_beyond_the_buffer_is_truncated_without_allocating() {
    // ResponseLength 0xffffffff with 4 bytes of response present.
    let mut info = u32::MAX.to_le_bytes().to_vec();
    info.extend_from_slice(&[0x81, 0x03, 0x01, 0x21]);
    let (r, allocated) = alloc_guard::allocated_during(|| {
        decode_payload(
            &mbim_proto::uuid::STK,
            cid::TERMINAL_RESPONSE,
            Kind::Set,
            ExtendedVersion::V1,
            &info,
        )
    });
    let e = r.unwrap_err();
    assert_eq!((e.field, e.offset), ("Response", 4));
    assert!(matches!(
        e.kind,
        DecodeErrorKind::Truncated { available: 4, .. }
    ));
    assert!(allocated < 4096, "allocated {allocated} bytes");
}

#[test]
fn short_pac_support_is_truncated() {
    let e = decode_payload(
        &mbim_proto::uuid::STK,
        cid::PAC,
        Kind::Response,
        ExtendedVersion::V1,
        &[0u8; 255],
    )
    .unwrap_err();
    assert_eq!((e.field, e.offset), ("PacSupport", 0));
}
