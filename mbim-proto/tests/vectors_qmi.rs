//! QMI-over-MBIM vectors: the QMUX frame is carried as is, unpadded.

mod common;

use common::check_vector;
use mbim_proto::services::Decoded;
use mbim_proto::services::qmi::*;

fn hex(s: &str) -> Vec<u8> {
    mbim_proto::hex::decode(s).unwrap()
}

#[test]
fn qmux_frames_travel_unchanged_and_unpadded() {
    check_vector(
        "qmi_1_set_ctl_get_version.hex",
        Decoded::Qmi(Any::QmiMsg(QmiMsg {
            qmux: hex("010b0000000000000121000000"),
        })),
    );
    let odd = hex("0116008000000101210b00020400000000000100010000");
    assert_eq!(odd.len(), 23);
    check_vector(
        "qmi_1_response_odd_length.hex",
        Decoded::Qmi(Any::QmiMsg(QmiMsg { qmux: odd })),
    );
    check_vector(
        "qmi_1_indication_wds_indication.hex",
        Decoded::Qmi(Any::QmiMsg(QmiMsg {
            qmux: hex("011100800105040000220005000102000200"),
        })),
    );
}
