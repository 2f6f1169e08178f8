//! QDU (Qualcomm device update) vectors, including the 16-bit
//! QUECTEL_REBOOT / QUECTEL_READ_VERSION sets.

mod common;

use common::check_vector;
use mbim_proto::services::{Decoded, Empty, Kind, decode_payload, qdu};
use mbim_proto::{DecodeErrorKind, ExtendedVersion, uuid};

fn d(a: qdu::Any) -> Decoded {
    Decoded::Qdu(a)
}

#[test]
fn update_session() {
    use qdu::*;
    check_vector("qdu_1_query_empty.hex", d(Any::Empty(Empty)));
    check_vector(
        "qdu_1_set_start_le.hex",
        d(Any::QduUpdateSessionReq(QduUpdateSessionReq {
            session_action: QduSessionAction::START,
            session_type: QduSessionType::LE,
        })),
    );
    check_vector(
        "qdu_1_response_file_transfer.hex",
        d(Any::QduUpdateSessionInfo(QduUpdateSessionInfo {
            current_session_type: QduSessionType::LE,
            current_session_status: QduSessionStatus::FILE_TRANSFER,
            last_session_type: QduSessionType::NONE,
            last_session_result: QduSessionResult::SUCCESS,
            last_session_error_offset: 0,
            last_session_error_size: 0,
        })),
    );
}

#[test]
fn file_open_and_write() {
    use qdu::*;
    check_vector("qdu_2_query_empty.hex", d(Any::Empty(Empty)));
    check_vector(
        "qdu_2_set_package.hex",
        d(Any::QduFileOpenReq(QduFileOpenReq {
            file_type: QduFileType::LITTLE_ENDIAN_PACKAGE,
            file_size: 50 << 20,
        })),
    );
    check_vector(
        "qdu_2_response_chunking.hex",
        d(Any::QduFileOpenInfo(QduFileOpenInfo {
            max_transfer_size: 4096,
            max_window_size: 4,
        })),
    );
    check_vector(
        "qdu_3_set_ten_bytes.hex",
        d(Any::QduFileWrite(QduFileWrite {
            data_buffer: vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0],
        })),
    );
    check_vector("qdu_3_response_empty.hex", d(Any::Empty(Empty)));
}

#[test]
fn quectel_reboot_and_version_use_16_bit_values() {
    use qdu::*;
    check_vector(
        "qdu_4_set_edl.hex",
        d(Any::QduQuectelReboot(QduQuectelReboot {
            reboot_type: QduQuectelRebootType::EDL,
        })),
    );
    check_vector("qdu_4_response_empty.hex", d(Any::Empty(Empty)));
    check_vector(
        "qdu_7_set_fw_build_id.hex",
        d(Any::QduQuectelReadVersionReq(QduQuectelReadVersionReq {
            version_type: QduQuectelVersionType::FW_BUILD_ID,
        })),
    );
    check_vector(
        "qdu_7_response_build.hex",
        d(Any::QduQuectelVersionInfo(QduQuectelVersionInfo {
            version_id: 256,
            version: "EM05GFAR07A07M1G".into(),
        })),
    );
    // One byte is not enough for the 16-bit RebootType.
    let e = decode_payload(
        &uuid::QDU,
        cid::QUECTEL_REBOOT,
        Kind::Set,
        ExtendedVersion::V1,
        &[17],
    )
    .unwrap_err();
    assert_eq!(e.field, "RebootType");
    assert!(matches!(
        e.kind,
        DecodeErrorKind::Truncated {
            needed: 2,
            available: 1
        }
    ));
}
