//! Zero-copy views agree with the owned decoders: every generated payload
//! decodes to the same value through its view, and on damaged bytes the view
//! and the owned decoder fail (or succeed) together, with the same field and
//! offset.

use mbim_proto::services::view::{View, decode_view};
use mbim_proto::services::{Decoded, ExtendedVersion, Kind, arbitrary_payload, decode_payload};
use mbim_proto::{Uuid, uuid};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn viewable() -> Vec<(Uuid, u32, Kind)> {
    let mut v = Vec::new();
    for cid in [3, 9, 10, 11, 12, 15, 7, 8, 24] {
        v.push((uuid::BASIC_CONNECT, cid, Kind::Response));
    }
    for cid in [3, 9, 10, 11, 12, 15] {
        v.push((uuid::BASIC_CONNECT, cid, Kind::Indication));
    }
    v.push((uuid::SMS, 2, Kind::Response));
    v.push((uuid::SMS, 5, Kind::Indication));
    v
}

/// The owned value a view stands for.
fn owned(v: &View<'_>) -> Option<Decoded> {
    use mbim_proto::services::basic_connect::Any as Bc;
    use mbim_proto::services::sms::Any as Sms;
    Some(match v {
        View::RegistrationState(x) => {
            Decoded::BasicConnect(Bc::RegistrationStateInfo(x.to_owned()))
        }
        View::PacketService(x) => Decoded::BasicConnect(Bc::PacketServiceInfo(*x)),
        View::SignalState(x) => Decoded::BasicConnect(Bc::SignalStateInfo(*x)),
        View::RadioState(x) => Decoded::BasicConnect(Bc::RadioStateInfo(*x)),
        View::Connect(x) => Decoded::BasicConnect(Bc::ConnectInfo(*x)),
        View::IpConfiguration(x) => Decoded::BasicConnect(Bc::IpConfigurationInfo(x.to_owned())),
        View::Providers(x) => Decoded::BasicConnect(Bc::Providers(x.to_owned())),
        View::SmsRead(x) => Decoded::Sms(Sms::SmsReceiveInfo(x.to_owned())),
        View::SmsStoreStatus(x) => Decoded::Sms(Sms::SmsStatusInfo(*x)),
        View::Other => return None,
    })
}

#[test]
fn views_decode_to_the_owned_values() {
    for (service, cid, kind) in viewable() {
        let strat = arbitrary_payload(&service, cid, kind).expect("strategy");
        let mut runner = TestRunner::new(Config {
            cases: 128,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strat, |value| {
                let mut buf = Vec::new();
                value
                    .encode(&mut buf)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let view = decode_view(&service, cid, kind, ExtendedVersion::V1, &buf)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                match owned(&view) {
                    Some(o) => prop_assert_eq!(o, value),
                    // Only CDMA-format SMS READ has no view.
                    None => prop_assert!(service == uuid::SMS && cid == 2),
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{service} cid {cid} {kind:?}: {e}"));
    }
}

#[test]
fn views_fail_exactly_like_the_owned_decoders() {
    for (service, cid, kind) in viewable() {
        let strat = arbitrary_payload(&service, cid, kind)
            .expect("strategy")
            .prop_flat_map(|v| {
                let mut buf = Vec::new();
                v.encode(&mut buf).expect("encode");
                let n = buf.len().max(1);
                (Just(buf), 0..n, any::<u8>(), 0..n + 1)
            });
        let mut runner = TestRunner::new(Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strat, |(mut buf, at, byte, cut)| {
                if !buf.is_empty() {
                    buf[at] = byte;
                }
                buf.truncate(cut);
                let o = decode_payload(&service, cid, kind, ExtendedVersion::V1, &buf);
                let v = decode_view(&service, cid, kind, ExtendedVersion::V1, &buf);
                match (o, v) {
                    (Ok(o), Ok(v)) => {
                        if let Some(ov) = owned(&v) {
                            prop_assert_eq!(ov, o);
                        }
                    }
                    (Err(a), Err(b)) => prop_assert_eq!(a, b),
                    (Err(_), Ok(View::Other)) => {} // no view for this format
                    (a, b) => prop_assert!(false, "owned {a:?} vs view {b:?}"),
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{service} cid {cid} {kind:?}: {e}"));
    }
}

#[test]
fn decoded_stays_small_enough_to_move_cheaply() {
    // Decoded is returned by value on every decode: keep it small (box big variants).
    let size = std::mem::size_of::<Decoded>();
    println!("size_of::<Decoded>() = {size}");
    assert!(size <= 256, "Decoded grew to {size} bytes");
}
