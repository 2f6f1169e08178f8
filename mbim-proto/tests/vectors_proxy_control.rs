//! libmbim proxy-control vectors: the CONFIGURATION set exactly as mbimcli
//! sends it (mbim-and-libmbim.md §2), its empty response, the VERSION indication.

mod common;

use common::check_vector;
use mbim_proto::services::proxy_control::*;
use mbim_proto::services::{Decoded, Empty, Kind, decode_payload};
use mbim_proto::{DecodeErrorKind, ExtendedVersion};

#[test]
fn configuration_set_matches_mbimcli_capture() {
    check_vector(
        "proxy_control_1_set_dev_null.hex",
        Decoded::ProxyControl(Any::ProxyConfiguration(ProxyConfiguration {
            device_path: "/dev/null".into(),
            timeout: 30,
        })),
    );
}

#[test]
fn configuration_response_is_empty() {
    check_vector(
        "proxy_control_1_response_empty.hex",
        Decoded::ProxyControl(Any::Empty(Empty)),
    );
}

#[test]
fn version_indication_has_two_u16() {
    check_vector(
        "proxy_control_2_indication_mbimex_v2.hex",
        Decoded::ProxyControl(Any::ProxyVersion(ProxyVersion {
            mbim_version: 0x0100,
            mbim_extended_version: 0x0200,
        })),
    );
}

#[test]
fn version_indication_cut_short_names_the_missing_field() {
    let e = decode_payload(
        &mbim_proto::uuid::PROXY_CONTROL,
        cid::VERSION,
        Kind::Indication,
        ExtendedVersion::V1,
        &[0x00, 0x01, 0x00],
    )
    .unwrap_err();
    assert_eq!((e.field, e.offset), ("MbimExtendedVersion", 2));
    assert_eq!(
        e.kind,
        DecodeErrorKind::Truncated {
            needed: 2,
            available: 1
        }
    );
}
