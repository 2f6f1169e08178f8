//! MBIMEx negotiation and version-aware requests through the modem actor,
//! against a scripted MBIM function that speaks MBIMEx 3.0: the actor sends
//! the typed VERSION query after DEVICE_SERVICES, adopts the agreed version,
//! and then connects with the 3.0 CONNECT layouts (strings in TLVs).

use mbim_proto::framer::Framer;
use mbim_proto::services::basic_connect::{
    self as bc, ActivationState, DeviceServiceElement, DeviceServicesInfo,
};
use mbim_proto::services::basic_connect_v3::{self as v3, ConnectInfoV3, SetConnectV3};
use mbim_proto::services::ms_basic_connect_extensions::{self as ms_bce, Version};
use mbim_proto::services::{Decoded, ExtendedVersion, Kind, Payload, decode_payload};
use mbim_proto::{CommandDone, Message, Status, uuid};
use mbimd::modem::{self, ActorConfig, Link};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// What the device saw, for the test to check.
#[derive(Default)]
struct Seen {
    version_query: Option<Version>,
    connect_sets: Vec<SetConnectV3>,
    undecodable_connects: usize,
}

/// Answer one COMMAND as a 3.0 device would (NO_DEVICE_SUPPORT for the rest).
fn answer(c: &mbim_proto::Command<'_>, seen: &Mutex<Seen>) -> (Status, Vec<u8>) {
    let svc = uuid::canonical(c.service);
    let info = &c.information_buffer[..];
    if svc == uuid::BASIC_CONNECT && c.cid == bc::cid::DEVICE_SERVICES {
        let ds = DeviceServicesInfo {
            max_dss_sessions: 0,
            device_services: vec![DeviceServiceElement {
                device_service_id: uuid::MS_BASIC_CONNECT_EXTENSIONS,
                cids: vec![ms_bce::cid::VERSION],
                ..DeviceServiceElement::default()
            }],
        };
        return (Status::SUCCESS, ds.to_bytes().unwrap());
    }
    if svc == uuid::MS_BASIC_CONNECT_EXTENSIONS && c.cid == ms_bce::cid::VERSION {
        let q = Version::decode(info).unwrap();
        seen.lock().unwrap().version_query = Some(q);
        // min(host, device 3.0)
        let agreed = q.mbim_extended_version.min(0x0300);
        let v = Version {
            mbim_version: 0x0100,
            mbim_extended_version: agreed,
        };
        return (Status::SUCCESS, v.to_bytes().unwrap());
    }
    if svc == uuid::BASIC_CONNECT && c.cid == bc::cid::CONNECT {
        let kind = if c.command_type == mbim_proto::CommandType::SET {
            Kind::Set
        } else {
            Kind::Query
        };
        let (session_id, state) = match decode_payload(&svc, c.cid, kind, ExtendedVersion::V3, info)
        {
            Ok(Decoded::BasicConnectV3(v3::Any::SetConnectV3(s))) => {
                let st = if s.activation_command == bc::ActivationCommand::ACTIVATE {
                    ActivationState::ACTIVATED
                } else {
                    ActivationState::DEACTIVATED
                };
                let id = s.session_id;
                seen.lock().unwrap().connect_sets.push(s);
                (id, st)
            }
            Ok(Decoded::BasicConnectV3(v3::Any::ConnectQueryV3(q))) => {
                (q.session_id, ActivationState::DEACTIVATED)
            }
            _ => {
                seen.lock().unwrap().undecodable_connects += 1;
                return (Status::INVALID_PARAMETERS, Vec::new());
            }
        };
        let r = ConnectInfoV3 {
            session_id,
            activation_state: state,
            access_string: "internet".into(),
            ..ConnectInfoV3::default()
        };
        return (Status::SUCCESS, r.to_bytes().unwrap());
    }
    (Status::NO_DEVICE_SUPPORT, Vec::new())
}

async fn device(mut io: DuplexStream, seen: Arc<Mutex<Seen>>) {
    let mut framer = Framer::default();
    let mut buf = [0u8; 4096];
    loop {
        let n = match io.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        framer.push(&buf[..n]);
        while let Some(Ok(bytes)) = framer.next_message() {
            let Ok(msg) = Message::decode(&bytes) else {
                continue;
            };
            let reply = match msg {
                Message::Open { transaction_id, .. } => Message::OpenDone {
                    transaction_id,
                    status: Status::SUCCESS,
                },
                Message::Close { transaction_id } => Message::CloseDone {
                    transaction_id,
                    status: Status::SUCCESS,
                },
                Message::Command(c) => {
                    let (status, info) = answer(&c, &seen);
                    Message::CommandDone(CommandDone {
                        transaction_id: c.transaction_id,
                        service: c.service,
                        cid: c.cid,
                        status,
                        information_buffer: info.into(),
                    })
                }
                _ => continue,
            };
            if io.write_all(&reply.to_bytes().unwrap()).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn negotiates_3_0_and_connects_with_the_3_0_layouts() {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let seen = Arc::new(Mutex::new(Seen::default()));
    tokio::spawn(device(b, seen.clone()));
    let (handle, _join) = modem::spawn(
        a,
        ActorConfig {
            name: "m0".into(),
            request_timeout: Duration::from_secs(10),
            mbimex: ExtendedVersion::V4,
            ..ActorConfig::default()
        },
    );
    handle.ready().await.unwrap();
    assert_eq!(handle.state().link, Link::Ready);
    // The host offered its native 4.0; the device agreed on 3.0.
    assert_eq!(
        seen.lock().unwrap().version_query,
        Some(Version::host(ExtendedVersion::V4))
    );
    assert_eq!(handle.state().version, ExtendedVersion::V3);

    let params = modem::ops::ConnectParams {
        session_id: 1,
        apn: "internet".into(),
        user: "u".into(),
        password: "p".into(),
        ..modem::ops::ConnectParams::default()
    };
    let r = modem::ops::connect(&handle, &params).await.unwrap();
    assert_eq!(r.connect.session_id, 1);
    assert_eq!(r.connect.activation_state, ActivationState::ACTIVATED);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.undecodable_connects, 0);
    let set = seen.connect_sets.last().expect("a CONNECT set");
    assert_eq!(set.access_string, "internet");
    assert_eq!(set.user_name, "u");
    assert_eq!(set.auth_protocol, bc::AuthProtocol::CHAP);
}
