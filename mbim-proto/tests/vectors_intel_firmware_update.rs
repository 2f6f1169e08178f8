//! Intel firmware-update vectors: MODEM_REBOOT, whose set changes with MBIMEx 2.0.

mod common;

use common::{check_vector, check_vector_version, read_vector};
use mbim_proto::services::{Decoded, Empty, Kind, Payload, decode_payload, intel_firmware_update};
use mbim_proto::{ExtendedVersion, uuid};

#[test]
fn modem_reboot_set_is_empty_in_mbimex_1() {
    use intel_firmware_update::*;
    check_vector(
        "intel_firmware_update_1_set_v1_empty.hex",
        Decoded::IntelFirmwareUpdate(Any::ModemReboot(ModemReboot)),
    );
    check_vector(
        "intel_firmware_update_1_response_empty.hex",
        Decoded::IntelFirmwareUpdate(Any::Empty(Empty)),
    );
}

#[test]
fn modem_reboot_set_carries_boot_mode_from_mbimex_2() {
    use intel_firmware_update::*;
    let v2 = ModemRebootV2 {
        boot_mode: IntelBootMode::DOWNLOAD_MODE,
        timeout: 10,
    };
    for version in [ExtendedVersion::V2, ExtendedVersion::V3] {
        check_vector_version(
            "intel_firmware_update_1_set_v2_download_mode.hex",
            version,
            Decoded::IntelFirmwareUpdateV2(AnyV2::ModemRebootV2(v2)),
        );
    }
    // At 1.0 the same bytes are the (empty) v1 set: trailing bytes are ignored.
    let info = &read_vector("intel_firmware_update_1_set_v2_download_mode.hex")[48..];
    assert_eq!(
        decode_payload(
            &uuid::INTEL_FIRMWARE_UPDATE,
            cid::MODEM_REBOOT,
            Kind::Set,
            ExtendedVersion::V1,
            info
        )
        .unwrap(),
        Decoded::IntelFirmwareUpdate(Any::ModemReboot(ModemReboot))
    );
    // The response keeps its v1 layout under v2.
    assert_eq!(
        decode_payload(
            &uuid::INTEL_FIRMWARE_UPDATE,
            cid::MODEM_REBOOT,
            Kind::Response,
            ExtendedVersion::V2,
            &[]
        )
        .unwrap(),
        Decoded::IntelFirmwareUpdate(Any::Empty(Empty))
    );
    assert_eq!(ModemRebootV2::decode(&v2.to_bytes().unwrap()).unwrap(), v2);
}
