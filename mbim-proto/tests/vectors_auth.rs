//! Auth service vectors (MBIM 1.0 §10.5.38–40): fixed inline arrays, AKA
//! responses padded to 68 bytes, and a truncated response.

mod common;

use common::check_vector;
use mbim_proto::services::auth::*;
use mbim_proto::services::{Decoded, Kind, decode_payload};
use mbim_proto::{DecodeErrorKind, ExtendedVersion};

fn auth(p: Any) -> Decoded {
    Decoded::Auth(p)
}

fn seq(start: u8) -> [u8; 16] {
    std::array::from_fn(|i| start + i as u8)
}

#[test]
fn aka_query_carries_rand_and_autn() {
    check_vector(
        "auth_1_query_challenge.hex",
        auth(Any::AkaAuthReq(AkaAuthReq {
            rand: seq(0x00),
            autn: seq(0x10),
        })),
    );
}

#[test]
fn aka_response_keys_and_padding() {
    let mut res = [0u8; 16];
    res[..8].copy_from_slice(&[0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8]);
    check_vector(
        "auth_1_response_keys.hex",
        auth(Any::AkaAuthInfo(AkaAuthInfo {
            res,
            res_len: 8,
            ik: seq(0xb0),
            ck: seq(0xc0),
            auts: [0; 14],
        })),
    );
}

#[test]
fn akap_query_adds_network_name() {
    check_vector(
        "auth_2_query_wlan.hex",
        auth(Any::AkapAuthReq(AkapAuthReq {
            rand: seq(0x00),
            autn: seq(0x10),
            network_name: "WLAN".into(),
        })),
    );
}

#[test]
fn akap_sync_failure_carries_auts() {
    let mut auts = [0u8; 14];
    auts.copy_from_slice(&seq(0xd0)[..14]);
    check_vector(
        "auth_2_response_sync_failure.hex",
        auth(Any::AkaAuthInfo(AkaAuthInfo {
            auts,
            ..AkaAuthInfo::default()
        })),
    );
}

#[test]
fn sim_query_and_response_with_two_triplets() {
    check_vector(
        "auth_3_query_two_triplets.hex",
        auth(Any::SimAuthReq(SimAuthReq {
            rand1: [0x11; 16],
            rand2: [0x22; 16],
            rand3: [0; 16],
            n: 2,
        })),
    );
    check_vector(
        "auth_3_response_two_triplets.hex",
        auth(Any::SimAuthInfo(SimAuthInfo {
            sres1: 0x1122_3344,
            kc1: 0x0102_0304_0506_0708,
            sres2: 0x5566_7788,
            kc2: 0x1112_1314_1516_1718,
            sres3: 0,
            kc3: 0,
            n: 2,
        })),
    );
}

#[test]
fn unpadded_66_byte_aka_response_still_decodes() {
    let mut info = vec![0u8; 66];
    info[16] = 4; // ResLen
    info[65] = 0xee; // last byte of Auts
    let d = decode_payload(
        &mbim_proto::uuid::AUTH,
        cid::AKA,
        Kind::Response,
        ExtendedVersion::V1,
        &info,
    )
    .unwrap();
    let Decoded::Auth(Any::AkaAuthInfo(a)) = d else {
        panic!("wrong type: {d:?}")
    };
    assert_eq!((a.res_len, a.auts[13]), (4, 0xee));
}

#[test]
fn truncated_auts_names_the_field() {
    let e = decode_payload(
        &mbim_proto::uuid::AUTH,
        cid::AKA,
        Kind::Response,
        ExtendedVersion::V1,
        &[0u8; 60],
    )
    .unwrap_err();
    assert_eq!((e.field, e.offset), ("Auts", 52));
    assert_eq!(
        e.kind,
        DecodeErrorKind::Truncated {
            needed: 14,
            available: 8
        }
    );
}
