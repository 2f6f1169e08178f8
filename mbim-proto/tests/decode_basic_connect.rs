//! `decode_basic_connect` reads Basic Connect exactly as `decode_payload`
//! does, in every MBIMEx layout (it exists so that Basic-Connect-only
//! callers do not link the other services' decoders).

use mbim_proto::services::basic_connect::{self as bc, RegisterState};
use mbim_proto::services::basic_connect_v2::RegistrationStateInfoV2;
use mbim_proto::services::basic_connect_v3::ConnectInfoV3;
use mbim_proto::services::{ExtendedVersion, Kind, Payload, decode_basic_connect, decode_payload};
use mbim_proto::uuid::BASIC_CONNECT;

fn same(cid: u32, kind: Kind, version: ExtendedVersion, buf: &[u8]) {
    let a = decode_payload(&BASIC_CONNECT, cid, kind, version, buf);
    let b = decode_basic_connect(cid, kind, version, buf);
    assert_eq!(
        format!("{a:?}"),
        format!("{b:?}"),
        "cid {cid} {kind:?} {version:?}"
    );
}

#[test]
fn basic_connect_decodes_as_the_full_table_in_every_layout() {
    let reg = RegistrationStateInfoV2 {
        register_state: RegisterState::ROAMING,
        provider_id: "26202".into(),
        provider_name: "Op".into(),
        ..RegistrationStateInfoV2::default()
    }
    .to_bytes()
    .unwrap();
    let reg1 = bc::RegistrationStateInfo {
        register_state: RegisterState::HOME,
        provider_id: "00101".into(),
        ..bc::RegistrationStateInfo::default()
    }
    .to_bytes()
    .unwrap();
    let conn = ConnectInfoV3 {
        session_id: 2,
        access_string: "internet".into(),
        ..ConnectInfoV3::default()
    }
    .to_bytes()
    .unwrap();
    for v in [
        ExtendedVersion::V1,
        ExtendedVersion::V2,
        ExtendedVersion::V3,
    ] {
        same(bc::cid::REGISTER_STATE, Kind::Response, v, &reg);
        same(bc::cid::REGISTER_STATE, Kind::Indication, v, &reg1);
        same(bc::cid::CONNECT, Kind::Response, v, &conn);
        // Unknown CID: raw bytes; truncated input: the same error.
        same(999, Kind::Response, v, &[1, 2, 3]);
        same(bc::cid::SIGNAL_STATE, Kind::Response, v, &[0; 3]);
    }
}
