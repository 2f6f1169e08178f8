//! Round-trip properties for every typed payload: decode(encode(x)) == x,
//! for every (service, CID, kind) in the payload tables, in every MBIMEx
//! version layout (decoded under the version that defines it), and the same through
//! a whole COMMAND / COMMAND_DONE / INDICATE_STATUS message, fragmented at a
//! small transfer size and reassembled.

use mbim_proto::Message;
use mbim_proto::fragment::{Reassembled, Reassembler, fragment};
use mbim_proto::services::{Kind, all_versioned_keys, arbitrary_payload_version, decode_payload};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::time::Instant;

fn wrap(service: mbim_proto::Uuid, cid: u32, kind: Kind, info: Vec<u8>) -> Message<'static> {
    Message::with_payload(kind, 9, service, cid, info)
}

#[test]
fn every_payload_round_trips() {
    let keys = all_versioned_keys();
    assert!(
        keys.len() >= 60,
        "payload tables unexpectedly small: {}",
        keys.len()
    );
    for (service, cid, kind, version) in keys {
        let strat = arbitrary_payload_version(&service, cid, kind, version)
            .unwrap_or_else(|| panic!("no strategy for {service} {cid} {kind:?} {version}"));
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strat, |value| {
                let mut info = Vec::new();
                value
                    .encode(&mut info)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let back = decode_payload(&service, cid, kind, version, &info).map_err(|e| {
                    TestCaseError::fail(format!("{service} cid {cid} {kind:?} {version}: {e}"))
                })?;
                prop_assert_eq!(&back, &value);

                // Through a whole message, fragmented at 64 bytes and reassembled.
                let msg = wrap(service, cid, kind, info.clone()).to_bytes().unwrap();
                let mut r = Reassembler::default();
                let mut whole = None;
                for f in fragment(&msg, 64).unwrap() {
                    if let Reassembled::Complete(m) = r.push(Instant::now(), &f).unwrap() {
                        whole = Some(m);
                    }
                }
                let whole = whole.expect("reassembled");
                prop_assert_eq!(&whole, &msg);
                let m = Message::decode(&whole).unwrap();
                prop_assert_eq!(m.payload().unwrap().2, &info[..]);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{service} cid {cid} {kind:?} {version}: {e}"));
    }
}
