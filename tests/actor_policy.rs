//! The modem actor's failure policy against a minimal scripted MBIM function
//! over an in-process byte stream (tokio paused time for every timeout):
//! reopen after FUNCTION_ERROR NotOpened, unresponsive after consecutive
//! timeouts, removal on EOF, malformed bytes counted but not fatal, and a
//! second modem on the same runtime unaffected.

use mbim_proto::framer::Framer;
use mbim_proto::services::basic_connect::{
    self as bc, DeviceCapsInfo, DeviceCapsQuery, RadioStateInfo, RadioStateQuery, RadioSwitchState,
};
use mbim_proto::services::{Payload, Request};
use mbim_proto::{CommandDone, Message, ProtocolErrorCode, Status, uuid};
use mbimd::modem::{self, ActorConfig, ActorExit, Link, ModemEvent, RequestError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;

/// What the scripted device does with the next COMMAND.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Answer,
    Ignore,
    NotOpened,
    Garbage,
    Hangup,
}

/// A tiny MBIM function: answers OPEN/CLOSE, DEVICE_CAPS and RADIO_STATE,
/// and NO_DEVICE_SUPPORT for the rest, unless the script says otherwise.
async fn device(
    mut io: DuplexStream,
    mut script: mpsc::UnboundedReceiver<Script>,
    opens: Arc<AtomicU32>,
) {
    let mut framer = Framer::default();
    let mut buf = [0u8; 4096];
    let mut next = Script::Answer;
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
            if let Ok(s) = script.try_recv() {
                next = s;
            }
            let reply = match msg {
                Message::Open { transaction_id, .. } => {
                    opens.fetch_add(1, Ordering::SeqCst);
                    Some(Message::OpenDone {
                        transaction_id,
                        status: Status::SUCCESS,
                    })
                }
                Message::Close { transaction_id } => Some(Message::CloseDone {
                    transaction_id,
                    status: Status::SUCCESS,
                }),
                Message::Command(c) => match next {
                    Script::Ignore => None,
                    Script::Hangup => return,
                    Script::Garbage => {
                        let _ = io.write_all(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]).await;
                        next = Script::Answer;
                        None
                    }
                    Script::NotOpened => {
                        next = Script::Answer;
                        Some(Message::FunctionError {
                            transaction_id: c.transaction_id,
                            error_status_code: ProtocolErrorCode::NOT_OPENED,
                        })
                    }
                    Script::Answer => {
                        let (status, info) = if c.service == uuid::BASIC_CONNECT
                            && c.cid == bc::cid::DEVICE_CAPS
                        {
                            let caps = DeviceCapsInfo {
                                device_id: "867530900000001".into(),
                                firmware_info: "FW1".into(),
                                max_sessions: 8,
                                ..DeviceCapsInfo::default()
                            };
                            (Status::SUCCESS, caps.to_bytes().unwrap())
                        } else if c.service == uuid::BASIC_CONNECT && c.cid == bc::cid::RADIO_STATE
                        {
                            let r = RadioStateInfo {
                                hw_radio_state: RadioSwitchState::ON,
                                sw_radio_state: RadioSwitchState::ON,
                            };
                            (Status::SUCCESS, r.to_bytes().unwrap())
                        } else {
                            (Status::NO_DEVICE_SUPPORT, Vec::new())
                        };
                        Some(Message::CommandDone(CommandDone {
                            transaction_id: c.transaction_id,
                            service: c.service,
                            cid: c.cid,
                            status,
                            information_buffer: info.into(),
                        }))
                    }
                },
                _ => None,
            };
            if let Some(r) = reply
                && io.write_all(&r.to_bytes().unwrap()).await.is_err()
            {
                return;
            }
        }
    }
}

struct Rig {
    handle: modem::ModemHandle,
    join: tokio::task::JoinHandle<ActorExit>,
    script: mpsc::UnboundedSender<Script>,
    opens: Arc<AtomicU32>,
}

fn rig(name: &str) -> Rig {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (script, rx) = mpsc::unbounded_channel();
    let opens = Arc::new(AtomicU32::new(0));
    tokio::spawn(device(b, rx, opens.clone()));
    let (handle, join) = modem::spawn(
        a,
        ActorConfig {
            name: name.into(),
            request_timeout: Duration::from_secs(10),
            max_consecutive_timeouts: 3,
            ..ActorConfig::default()
        },
    );
    Rig {
        handle,
        join,
        script,
        opens,
    }
}

#[tokio::test(start_paused = true)]
async fn typed_request_round_trip_and_status_error() {
    let r = rig("m0");
    r.handle.ready().await.unwrap();
    let caps = r.handle.request(&DeviceCapsQuery).await.unwrap();
    assert_eq!(caps.device_id, "867530900000001");
    assert_eq!(r.handle.state().device_caps.unwrap().firmware_info, "FW1");
    let e = r.handle.request(&bc::PinListQuery).await.unwrap_err();
    assert_eq!(e.status(), Some(Status::NO_DEVICE_SUPPORT));
}

#[tokio::test(start_paused = true)]
async fn not_opened_makes_the_actor_reopen_and_keep_serving() {
    let r = rig("m0");
    r.handle.ready().await.unwrap();
    let mut events = r.handle.events();
    r.script.send(Script::NotOpened).unwrap();
    // The device refused the command (never executed it): the actor reopens
    // the function and sends it once more, so the caller sees the answer.
    let radio = r.handle.request(&RadioStateQuery).await.unwrap();
    assert_eq!(radio.sw_radio_state, RadioSwitchState::ON);
    // And later requests work as usual.
    let radio = r.handle.request(&RadioStateQuery).await.unwrap();
    assert_eq!(radio.sw_radio_state, RadioSwitchState::ON);
    assert_eq!(r.opens.load(Ordering::SeqCst), 2);
    assert_eq!(r.handle.state().reopens, 1);
    loop {
        if let ModemEvent::Ready { reopened: true } = events.recv().await.unwrap() {
            break;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn consecutive_timeouts_mark_unresponsive_then_recover() {
    let r = rig("m0");
    r.handle.ready().await.unwrap();
    let mut events = r.handle.events();
    r.script.send(Script::Ignore).unwrap();
    for _ in 0..3 {
        let e = r
            .handle
            .request_with_timeout(&RadioStateQuery, Some(Duration::from_secs(2)))
            .await
            .unwrap_err();
        assert!(matches!(e, RequestError::Timeout { cid: 3, .. }), "{e:?}");
    }
    loop {
        if let ModemEvent::Unresponsive = events.recv().await.unwrap() {
            break;
        }
    }
    assert_eq!(r.handle.state().timeouts, 3);
    // Re-probe: the device answers OPEN again; make it answer commands too.
    r.script.send(Script::Answer).unwrap();
    let radio = r.handle.request(&RadioStateQuery).await.unwrap();
    assert_eq!(radio.hw_radio_state, RadioSwitchState::ON);
    assert_eq!(r.handle.state().link, Link::Ready);
}

#[tokio::test(start_paused = true)]
async fn garbage_is_counted_not_fatal() {
    let r = rig("m0");
    r.handle.ready().await.unwrap();
    r.script.send(Script::Garbage).unwrap();
    let e = r
        .handle
        .request_with_timeout(&RadioStateQuery, Some(Duration::from_secs(2)))
        .await
        .unwrap_err();
    assert!(matches!(e, RequestError::Timeout { .. }));
    assert!(r.handle.state().malformed >= 1);
    let caps = r.handle.request(&DeviceCapsQuery).await.unwrap();
    assert_eq!(caps.max_sessions, 8);
}

#[tokio::test(start_paused = true)]
async fn unplug_ends_the_actor_and_leaves_another_modem_alone() {
    let a = rig("m0");
    let b = rig("m1");
    a.handle.ready().await.unwrap();
    b.handle.ready().await.unwrap();
    let mut events = a.handle.events();
    a.script.send(Script::Hangup).unwrap();
    let e = a.handle.request(&RadioStateQuery).await.unwrap_err();
    assert_eq!(e, RequestError::ModemGone);
    assert!(matches!(a.join.await.unwrap(), ActorExit::DeviceGone(_)));
    loop {
        if let ModemEvent::Removed { .. } = events.recv().await.unwrap() {
            break;
        }
    }
    assert_eq!(a.handle.state().link, Link::Gone);
    assert_eq!(
        a.handle.request(&DeviceCapsQuery).await.unwrap_err(),
        RequestError::ModemGone
    );
    // The other modem still answers.
    assert_eq!(
        b.handle.request(&DeviceCapsQuery).await.unwrap().device_id,
        "867530900000001"
    );
    let _ = <DeviceCapsQuery as Request>::CID;
}
