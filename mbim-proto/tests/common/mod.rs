//! Shared helpers for the vector tests.
//!
//! A vector file `tests/vectors/<service>_<cid>_<kind>_<case>.hex` holds one
//! whole MBIM message as hex, annotated with `#` comments (one field per line
//! is the house style). [`check_vector`] checks both directions: the bytes
//! decode to the expected value, and the expected value, wrapped in a message
//! with the file's header fields, encodes to exactly the file's bytes.

#![allow(dead_code)]

use mbim_proto::services::{Decoded, Kind, decode_payload};
use mbim_proto::{ExtendedVersion, Message};
use std::borrow::Cow;
use std::path::PathBuf;

/// Path of a vector file.
pub fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name)
}

/// Read and parse a vector file's hex.
pub fn read_vector(name: &str) -> Vec<u8> {
    let p = vector_path(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    mbim_proto::hex::decode(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Check a vector both ways (MBIM 1.0 layouts) and return the decoded message.
pub fn check_vector(name: &str, expected: Decoded) -> Message<'static> {
    check_vector_version(name, ExtendedVersion::V1, expected)
}

/// Check a vector both ways with the layouts of `version`.
pub fn check_vector_version(
    name: &str,
    version: ExtendedVersion,
    expected: Decoded,
) -> Message<'static> {
    let bytes = read_vector(name);
    let msg = Message::decode(&bytes)
        .unwrap_or_else(|e| panic!("{name}: message does not decode: {e}"))
        .into_owned();
    let kind = Kind::of(&msg).unwrap_or_else(|| panic!("{name}: message has no payload"));
    let (service, cid, info) = msg.payload().expect("payload");
    let got = decode_payload(&service, cid, kind, version, info)
        .unwrap_or_else(|e| panic!("{name}: payload does not decode: {e}"));
    assert_eq!(got, expected, "{name}: decoded value differs");

    // Encode the expected value into the same message and compare bytes.
    let mut info2 = Vec::new();
    expected.encode(&mut info2).expect("encode");
    let rebuilt = match &msg {
        Message::Command(c) => Message::Command(mbim_proto::Command {
            information_buffer: Cow::Owned(info2),
            ..c.clone()
        }),
        Message::CommandDone(c) => Message::CommandDone(mbim_proto::CommandDone {
            information_buffer: Cow::Owned(info2),
            ..c.clone()
        }),
        Message::IndicateStatus(c) => Message::IndicateStatus(mbim_proto::IndicateStatus {
            information_buffer: Cow::Owned(info2),
            ..c.clone()
        }),
        _ => unreachable!(),
    };
    let out = rebuilt.to_bytes().expect("encode message");
    assert_eq!(
        mbim_proto::hex::encode(&out),
        mbim_proto::hex::encode(&bytes),
        "{name}: encoding differs from the vector"
    );
    msg
}
