//! MS Firmware ID vectors (windows-operator-formats.md §7.2).

mod common;

use common::check_vector;
use mbim_proto::Uuid;
use mbim_proto::services::{Decoded, Empty, ms_firmware_id};

#[test]
fn firmware_id_get_returns_a_uuid() {
    use ms_firmware_id::*;
    check_vector(
        "ms_firmware_id_1_query_empty.hex",
        Decoded::MsFirmwareId(Any::Empty(Empty)),
    );
    check_vector(
        "ms_firmware_id_1_response_sku.hex",
        Decoded::MsFirmwareId(Any::FirmwareIdInfo(FirmwareIdInfo {
            firmware_id: Uuid::parse("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9").unwrap(),
        })),
    );
}
