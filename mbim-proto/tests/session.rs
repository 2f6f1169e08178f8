//! The host session against a scripted device, with a deterministic clock:
//! time is an `Instant` base plus `Duration`s handed to the session, nothing
//! sleeps. Device messages are built with mbim-proto's own message and
//! fragment API; what the session transmits is decoded the same way.

mod common;

use mbim_proto::fragment::{Reassembled, Reassembler, fragment};
use mbim_proto::framer::FramingError;
use mbim_proto::message::MessageType;
use mbim_proto::session::{Malformed, OpenState, SessionError, TransactionFailure};
use mbim_proto::uuid as u;
use mbim_proto::{
    Command, CommandDone, CommandType, Event, ExtendedVersion, IndicateStatus, Message,
    ProtocolErrorCode, Session, SessionConfig, Status, Uuid,
};
use std::borrow::Cow;
use std::time::{Duration, Instant};

const CMD_TIMEOUT: Duration = Duration::from_secs(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ---------------------------------------------------------------------------
// The scripted device side
// ---------------------------------------------------------------------------

fn open_done(tid: u32, status: Status) -> Vec<u8> {
    Message::OpenDone {
        transaction_id: tid,
        status,
    }
    .to_bytes()
    .unwrap()
}

fn close_done(tid: u32) -> Vec<u8> {
    Message::CloseDone {
        transaction_id: tid,
        status: Status::SUCCESS,
    }
    .to_bytes()
    .unwrap()
}

fn command_done(tid: u32, service: Uuid, cid: u32, status: Status, info: &[u8]) -> Vec<u8> {
    Message::CommandDone(CommandDone {
        transaction_id: tid,
        service,
        cid,
        status,
        information_buffer: Cow::Owned(info.to_vec()),
    })
    .to_bytes()
    .unwrap()
}

fn indicate(tid: u32, service: Uuid, cid: u32, info: &[u8]) -> Vec<u8> {
    Message::IndicateStatus(IndicateStatus {
        transaction_id: tid,
        service,
        cid,
        information_buffer: Cow::Owned(info.to_vec()),
    })
    .to_bytes()
    .unwrap()
}

fn function_error(tid: u32, code: ProtocolErrorCode) -> Vec<u8> {
    Message::FunctionError {
        transaction_id: tid,
        error_status_code: code,
    }
    .to_bytes()
    .unwrap()
}

/// A recognisable information buffer of `n` bytes.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

/// Everything the session wants written, one buffer per write.
fn transmitted(s: &mut Session) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| s.poll_transmit()).collect()
}

/// Decode what the session wrote as the device would: reassemble fragments.
fn transmitted_messages(s: &mut Session) -> Vec<Message<'static>> {
    let mut r = Reassembler::default();
    let t = Instant::now();
    let mut out = Vec::new();
    for w in transmitted(s) {
        if let Reassembled::Complete(m) = r.push(t, &w).expect("host fragments are in order") {
            out.push(
                Message::decode(&m)
                    .expect("host message decodes")
                    .into_owned(),
            );
        }
    }
    assert_eq!(r.outstanding(), 0, "a host message was left incomplete");
    out
}

fn events(s: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// A session that has completed the open handshake at `t0`.
fn open_session(t0: Instant, config: SessionConfig) -> Session {
    let mut s = Session::new(config);
    let tid = s.open(t0).unwrap();
    transmitted(&mut s);
    s.handle_bytes(t0, &open_done(tid, Status::SUCCESS));
    assert_eq!(
        events(&mut s),
        [Event::OpenDone {
            status: Status::SUCCESS
        }]
    );
    s
}

fn query(s: &mut Session, now: Instant, cid: u32, timeout: Duration) -> u32 {
    s.command(now, u::BASIC_CONNECT, cid, CommandType::QUERY, &[], timeout)
        .unwrap()
}

// ---------------------------------------------------------------------------
// Open / close
// ---------------------------------------------------------------------------

#[test]
fn open_sends_open_with_max_control_transfer_and_succeeds_on_open_done() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    let tid = s.open(t0).unwrap();
    // Same bytes as mbimcli's OPEN in the transcript (mbim-and-libmbim.md §1.2).
    assert_eq!(
        transmitted(&mut s),
        [mbim_proto::hex::decode("01000000 10000000 01000000 00100000").unwrap()]
    );
    assert_eq!(
        s.state(),
        OpenState::Opening {
            transaction_id: tid
        }
    );
    assert_eq!(
        s.poll_timeout(),
        Some(t0 + SessionConfig::default().open_timeout)
    );
    s.handle_bytes(t0 + ms(20), &open_done(tid, Status::SUCCESS));
    assert_eq!(
        events(&mut s),
        [Event::OpenDone {
            status: Status::SUCCESS
        }]
    );
    assert!(s.is_open());
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn failed_open_done_leaves_the_session_closed() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    let tid = s.open(t0).unwrap();
    s.handle_bytes(t0, &open_done(tid, Status::FAILURE));
    assert_eq!(
        events(&mut s),
        [Event::OpenDone {
            status: Status::FAILURE
        }]
    );
    assert_eq!(s.state(), OpenState::Closed);
    assert_eq!(
        s.command(
            t0,
            u::BASIC_CONNECT,
            1,
            CommandType::QUERY,
            &[],
            CMD_TIMEOUT
        ),
        Err(SessionError::NotOpen)
    );
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn open_times_out_and_a_retry_uses_a_new_transaction_id() {
    let t0 = Instant::now();
    let config = SessionConfig::default();
    let mut s = Session::new(config.clone());
    let first = s.open(t0).unwrap();
    s.handle_timeout(t0 + config.open_timeout - ms(1));
    assert_eq!(events(&mut s), Vec::<Event>::new());
    s.handle_timeout(t0 + config.open_timeout);
    assert_eq!(events(&mut s), [Event::OpenTimedOut]);
    assert_eq!(s.state(), OpenState::Closed);
    assert_eq!(s.poll_timeout(), None);

    let t1 = t0 + config.open_timeout + ms(100);
    let second = s.open(t1).unwrap();
    assert_ne!(first, second);
    let sent = transmitted_messages(&mut s);
    assert_eq!(sent.len(), 2, "both OPENs were transmitted");
    assert_eq!(sent[1].transaction_id(), second);
    // A late answer to the first OPEN does not open the session.
    s.handle_bytes(t1, &open_done(first, Status::SUCCESS));
    assert_eq!(
        events(&mut s),
        [Event::Malformed(Malformed::UnknownTransaction {
            message_type: MessageType::OPEN_DONE,
            transaction_id: first
        })]
    );
    assert_eq!(
        s.state(),
        OpenState::Opening {
            transaction_id: second
        }
    );
    s.handle_bytes(t1, &open_done(second, Status::SUCCESS));
    assert!(s.is_open());
}

#[test]
fn close_completes_on_close_done_or_fails_at_its_deadline() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = s.close(t0).unwrap();
    assert_eq!(
        transmitted_messages(&mut s),
        [Message::Close {
            transaction_id: tid
        }]
    );
    s.handle_bytes(t0, &close_done(tid));
    assert_eq!(
        events(&mut s),
        [Event::CloseDone {
            status: Status::SUCCESS
        }]
    );
    assert_eq!(s.state(), OpenState::Closed);

    let mut s = open_session(t0, SessionConfig::default());
    s.close(t0).unwrap();
    let deadline = s.poll_timeout().unwrap();
    s.handle_timeout(deadline);
    assert_eq!(
        events(&mut s),
        [Event::CloseDone {
            status: Status::FAILURE
        }]
    );
    assert_eq!(s.state(), OpenState::Closed);
}

#[test]
fn commands_still_pending_when_close_completes_are_aborted() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let answered = query(&mut s, t0, 1, CMD_TIMEOUT);
    let unanswered = query(&mut s, t0, 2, CMD_TIMEOUT);
    let close = s.close(t0).unwrap();
    // Answered before CLOSE_DONE: delivered normally.
    s.handle_bytes(
        t0,
        &command_done(answered, u::BASIC_CONNECT, 1, Status::SUCCESS, &[]),
    );
    s.handle_bytes(t0, &close_done(close));
    let ev = events(&mut s);
    assert!(
        matches!(&ev[0], Event::CommandDone { transaction_id, .. } if *transaction_id == answered)
    );
    assert_eq!(
        ev[1..],
        [
            Event::CloseDone {
                status: Status::SUCCESS
            },
            Event::TransactionFailed {
                transaction_id: unanswered,
                failure: TransactionFailure::Aborted
            }
        ]
    );
    assert_eq!(s.pending_transactions(), 0);
    assert_eq!(s.poll_timeout(), None);
}

// ---------------------------------------------------------------------------
// Commands and responses
// ---------------------------------------------------------------------------

#[test]
fn command_is_answered_by_its_command_done() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 1, CMD_TIMEOUT);
    // The same COMMAND bytes mbimcli sent for --query-device-caps.
    assert_eq!(
        transmitted(&mut s),
        [mbim_proto::hex::decode(
            "03000000 30000000 02000000 01000000 00000000 \
             a289cc33bcbb8b4fb6b0133ec2aae6df 01000000 00000000 00000000"
        )
        .unwrap()]
    );
    assert_eq!(s.pending_transactions(), 1);
    // The transcript's reply (TID 2) answers it.
    let reply = common::read_vector("basic_connect_device_caps_response_mbimcli.hex");
    s.handle_bytes(t0 + ms(30), &reply);
    let Message::CommandDone(expected) = Message::decode(&reply).unwrap() else {
        panic!("vector is a COMMAND_DONE")
    };
    assert_eq!(
        events(&mut s),
        [Event::CommandDone {
            transaction_id: tid,
            service: u::BASIC_CONNECT,
            cid: 1,
            status: Status::SUCCESS,
            information_buffer: expected.information_buffer.to_vec(),
        }]
    );
    assert_eq!(s.pending_transactions(), 0);
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn error_status_is_delivered_as_a_command_done() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 2, CMD_TIMEOUT);
    s.handle_bytes(
        t0,
        &command_done(tid, u::BASIC_CONNECT, 2, Status::SIM_NOT_INSERTED, &[]),
    );
    assert!(matches!(
        events(&mut s)[..],
        [Event::CommandDone { transaction_id, status: Status::SIM_NOT_INSERTED, .. }] if transaction_id == tid
    ));
}

#[test]
fn response_naming_another_service_or_cid_fails_the_transaction() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let a = query(&mut s, t0, 9, CMD_TIMEOUT);
    let b = query(&mut s, t0, 9, CMD_TIMEOUT);
    s.handle_bytes(
        t0,
        &command_done(a, u::BASIC_CONNECT, 10, Status::SUCCESS, &[]),
    );
    s.handle_bytes(t0, &command_done(b, u::SMS, 9, Status::SUCCESS, &[]));
    assert_eq!(
        events(&mut s),
        [
            Event::TransactionFailed {
                transaction_id: a,
                failure: TransactionFailure::Mismatch {
                    got_service: u::BASIC_CONNECT,
                    got_cid: 10
                }
            },
            Event::TransactionFailed {
                transaction_id: b,
                failure: TransactionFailure::Mismatch {
                    got_service: u::SMS,
                    got_cid: 9
                }
            }
        ]
    );
    assert_eq!(s.pending_transactions(), 0);
}

#[test]
fn response_with_unknown_transaction_id_is_reported_and_changes_nothing() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 3, CMD_TIMEOUT);
    let stranger = tid + 100;
    s.handle_bytes(
        t0,
        &command_done(stranger, u::BASIC_CONNECT, 3, Status::SUCCESS, &[]),
    );
    assert_eq!(
        events(&mut s),
        [Event::Malformed(Malformed::UnknownTransaction {
            message_type: MessageType::COMMAND_DONE,
            transaction_id: stranger
        })]
    );
    assert_eq!(s.pending_transactions(), 1);
    assert_eq!(s.poll_timeout(), Some(t0 + CMD_TIMEOUT));
}

#[test]
fn command_without_response_times_out_and_a_late_response_is_unknown() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 11, CMD_TIMEOUT);
    transmitted(&mut s);
    s.handle_timeout(t0 + CMD_TIMEOUT - ms(1));
    assert_eq!(events(&mut s), Vec::<Event>::new());
    s.handle_timeout(t0 + CMD_TIMEOUT);
    assert_eq!(
        events(&mut s),
        [Event::TransactionTimedOut {
            transaction_id: tid,
            service: u::BASIC_CONNECT,
            cid: 11,
            partial: false
        }]
    );
    // No fragments had arrived: nothing to report to the device.
    assert_eq!(transmitted(&mut s), Vec::<Vec<u8>>::new());
    s.handle_bytes(
        t0 + CMD_TIMEOUT + ms(5),
        &command_done(tid, u::BASIC_CONNECT, 11, Status::SUCCESS, &[]),
    );
    assert!(matches!(
        events(&mut s)[..],
        [Event::Malformed(Malformed::UnknownTransaction { .. })]
    ));
}

#[test]
fn timeout_after_some_fragments_is_partial_and_sends_host_error_timeout_fragment() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 8, CMD_TIMEOUT);
    transmitted(&mut s);
    let frags = fragment(
        &command_done(tid, u::BASIC_CONNECT, 8, Status::SUCCESS, &pattern(600)),
        256,
    )
    .unwrap();
    assert_eq!(frags.len(), 3);
    s.handle_bytes(t0 + ms(100), &frags[0]);
    s.handle_bytes(t0 + ms(200), &frags[1]);
    // The response keeps the command's deadline, not the fragment timeout.
    assert_eq!(s.poll_timeout(), Some(t0 + CMD_TIMEOUT));
    s.handle_timeout(t0 + ms(5000));
    assert_eq!(events(&mut s), Vec::<Event>::new());
    s.handle_timeout(t0 + CMD_TIMEOUT);
    assert_eq!(
        transmitted_messages(&mut s),
        [Message::HostError {
            transaction_id: tid,
            error_status_code: ProtocolErrorCode::TIMEOUT_FRAGMENT
        }]
    );
    assert_eq!(
        events(&mut s),
        [Event::TransactionTimedOut {
            transaction_id: tid,
            service: u::BASIC_CONNECT,
            cid: 8,
            partial: true
        }]
    );
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn fragmented_response_is_reassembled_even_when_slower_than_the_fragment_timeout() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 8, CMD_TIMEOUT);
    let info = pattern(1000);
    let frags = fragment(
        &command_done(tid, u::BASIC_CONNECT, 8, Status::SUCCESS, &info),
        128,
    )
    .unwrap();
    assert_eq!(frags.len(), 10);
    // One fragment every 700 ms: 6.3 s in all, far beyond 1.25 s.
    let mut now = t0;
    for f in &frags {
        now += ms(700);
        s.handle_timeout(now);
        s.handle_bytes(now, f);
    }
    assert_eq!(
        events(&mut s),
        [Event::CommandDone {
            transaction_id: tid,
            service: u::BASIC_CONNECT,
            cid: 8,
            status: Status::SUCCESS,
            information_buffer: info,
        }]
    );
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn out_of_order_fragment_sends_host_error_and_fails_the_transaction() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 8, CMD_TIMEOUT);
    transmitted(&mut s);
    let frags = fragment(
        &command_done(tid, u::BASIC_CONNECT, 8, Status::SUCCESS, &pattern(600)),
        128,
    )
    .unwrap();
    s.handle_bytes(t0, &frags[0]);
    s.handle_bytes(t0, &frags[2]);
    assert_eq!(
        transmitted_messages(&mut s),
        [Message::HostError {
            transaction_id: tid,
            error_status_code: ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE
        }]
    );
    let ev = events(&mut s);
    let [
        Event::TransactionFailed {
            transaction_id,
            failure: TransactionFailure::Fragment(e),
        },
    ] = &ev[..]
    else {
        panic!("unexpected events {ev:?}")
    };
    assert_eq!(*transaction_id, tid);
    assert_eq!(e.code, ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE);
    assert_eq!(e.message_type, MessageType::COMMAND_DONE);
    assert_eq!(s.pending_transactions(), 0);
    assert_eq!(s.poll_timeout(), None);
}

// ---------------------------------------------------------------------------
// Indications
// ---------------------------------------------------------------------------

#[test]
fn fragmented_indication_is_delivered_whole() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let info = pattern(300);
    for f in fragment(&indicate(0, u::BASIC_CONNECT, 9, &info), 100).unwrap() {
        s.handle_bytes(t0, &f);
    }
    assert_eq!(
        events(&mut s),
        [Event::Indication {
            service: u::BASIC_CONNECT,
            cid: 9,
            information_buffer: info
        }]
    );
}

#[test]
fn incomplete_fragmented_indication_times_out_with_host_error_timeout_fragment() {
    let t0 = Instant::now();
    let config = SessionConfig::default();
    let mut s = open_session(t0, config.clone());
    let frags = fragment(&indicate(5, u::BASIC_CONNECT, 12, &pattern(300)), 100).unwrap();
    s.handle_bytes(t0 + ms(10), &frags[0]);
    s.handle_bytes(t0 + ms(20), &frags[1]);
    // Measured from the first fragment.
    let deadline = t0 + ms(10) + config.fragment_timeout;
    assert_eq!(s.poll_timeout(), Some(deadline));
    s.handle_timeout(deadline - ms(1));
    assert_eq!(events(&mut s), Vec::<Event>::new());
    s.handle_timeout(deadline);
    assert_eq!(
        transmitted_messages(&mut s),
        [Message::HostError {
            transaction_id: 5,
            error_status_code: ProtocolErrorCode::TIMEOUT_FRAGMENT
        }]
    );
    let ev = events(&mut s);
    assert!(
        matches!(&ev[..], [Event::Malformed(Malformed::Fragment(e))]
            if e.code == ProtocolErrorCode::TIMEOUT_FRAGMENT
            && e.transaction_id == 5
            && e.message_type == MessageType::INDICATE_STATUS),
        "{ev:?}"
    );
    // The stray last fragment is out of sequence now.
    s.handle_bytes(deadline, &frags[2]);
    assert!(matches!(
        &events(&mut s)[..],
        [Event::Malformed(Malformed::Fragment(e))] if e.code == ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE
    ));
}

// ---------------------------------------------------------------------------
// FUNCTION_ERROR
// ---------------------------------------------------------------------------

#[test]
fn function_error_not_opened_closes_the_session_and_aborts_pending_commands() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let a = query(&mut s, t0, 1, CMD_TIMEOUT);
    let b = query(&mut s, t0, 2, CMD_TIMEOUT);
    let c = query(&mut s, t0, 3, CMD_TIMEOUT);
    // A partial response for `c` is forgotten with the session.
    let frags = fragment(
        &command_done(c, u::BASIC_CONNECT, 3, Status::SUCCESS, &pattern(200)),
        100,
    )
    .unwrap();
    s.handle_bytes(t0, &frags[0]);
    // FUNCTION_ERROR and an indication in one read: the indication survives.
    let mut read = function_error(a, ProtocolErrorCode::NOT_OPENED);
    read.extend(indicate(0, u::BASIC_CONNECT, 3, &[0, 0, 0, 0, 1, 0, 0, 0]));
    s.handle_bytes(t0 + ms(1), &read);
    assert_eq!(
        events(&mut s),
        [
            Event::FunctionError {
                transaction_id: a,
                code: ProtocolErrorCode::NOT_OPENED
            },
            Event::TransactionFailed {
                transaction_id: b,
                failure: TransactionFailure::Aborted
            },
            Event::TransactionFailed {
                transaction_id: c,
                failure: TransactionFailure::Aborted
            },
            Event::Indication {
                service: u::BASIC_CONNECT,
                cid: 3,
                information_buffer: vec![0, 0, 0, 0, 1, 0, 0, 0]
            },
        ]
    );
    assert_eq!(s.state(), OpenState::Closed);
    assert_eq!(s.pending_transactions(), 0);
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(
        s.command(
            t0,
            u::BASIC_CONNECT,
            1,
            CommandType::QUERY,
            &[],
            CMD_TIMEOUT
        ),
        Err(SessionError::NotOpen)
    );
}

#[test]
fn other_function_errors_fail_only_their_transaction() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let a = query(&mut s, t0, 1, CMD_TIMEOUT);
    let _b = query(&mut s, t0, 2, CMD_TIMEOUT);
    s.handle_bytes(t0, &function_error(a, ProtocolErrorCode::DUPLICATED_TID));
    assert_eq!(
        events(&mut s),
        [Event::FunctionError {
            transaction_id: a,
            code: ProtocolErrorCode::DUPLICATED_TID
        }]
    );
    assert!(s.is_open());
    assert_eq!(s.pending_transactions(), 1);
}

// ---------------------------------------------------------------------------
// Malformed input and stream framing
// ---------------------------------------------------------------------------

#[test]
fn garbage_bytes_are_reported_and_the_next_message_is_handled() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let tid = query(&mut s, t0, 10, CMD_TIMEOUT);
    s.handle_bytes(t0, &[0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04]);
    assert_eq!(
        events(&mut s),
        [Event::Malformed(Malformed::Framing(
            FramingError::UnknownType {
                message_type: 0xefbeadde,
                discarded: 9
            }
        ))]
    );
    // A length the framer cannot trust is discarded as well.
    s.handle_bytes(t0, &[0x03, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f]);
    assert!(matches!(
        &events(&mut s)[..],
        [Event::Malformed(Malformed::Framing(
            FramingError::BadLength { .. }
        ))]
    ));
    assert_eq!(s.pending_transactions(), 1);
    s.handle_bytes(
        t0,
        &command_done(tid, u::BASIC_CONNECT, 10, Status::SUCCESS, &[1, 2, 3, 4]),
    );
    assert!(matches!(
        &events(&mut s)[..],
        [Event::CommandDone { transaction_id, .. }] if *transaction_id == tid
    ));
}

#[test]
fn undecodable_response_fails_its_transaction_and_the_next_one_works() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let a = query(&mut s, t0, 10, CMD_TIMEOUT);
    let b = query(&mut s, t0, 10, CMD_TIMEOUT);
    // InformationBufferLength claims 8 bytes, only 4 follow.
    let mut bad = command_done(a, u::BASIC_CONNECT, 10, Status::SUCCESS, &[1, 2, 3, 4]);
    bad[44..48].copy_from_slice(&8u32.to_le_bytes());
    s.handle_bytes(t0, &bad);
    let ev = events(&mut s);
    assert!(
        matches!(&ev[..], [Event::TransactionFailed { transaction_id, failure: TransactionFailure::Malformed(e) }]
            if *transaction_id == a && e.field == "InformationBufferLength" && e.offset == 44),
        "{ev:?}"
    );
    // An undecodable indication has no transaction to fail.
    let mut bad_ind = indicate(0, u::BASIC_CONNECT, 9, &[0; 4]);
    bad_ind[40..44].copy_from_slice(&100u32.to_le_bytes());
    s.handle_bytes(t0, &bad_ind);
    assert!(matches!(
        &events(&mut s)[..],
        [Event::Malformed(Malformed::Decode(e))] if e.field == "InformationBufferLength"
    ));
    s.handle_bytes(
        t0,
        &command_done(b, u::BASIC_CONNECT, 10, Status::SUCCESS, &[]),
    );
    assert!(matches!(
        &events(&mut s)[..],
        [Event::CommandDone { transaction_id, .. }] if *transaction_id == b
    ));
}

#[test]
fn host_to_device_message_from_the_device_is_wrong_direction() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let cmd = Message::Command(Command {
        transaction_id: 4,
        service: u::BASIC_CONNECT,
        cid: 1,
        command_type: CommandType::QUERY,
        information_buffer: Cow::Borrowed(&[]),
    })
    .to_bytes()
    .unwrap();
    s.handle_bytes(t0, &cmd);
    assert_eq!(
        events(&mut s),
        [Event::Malformed(Malformed::WrongDirection(
            MessageType::COMMAND
        ))]
    );
}

#[test]
fn split_and_merged_stream_writes_yield_every_message_in_order() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let a = query(&mut s, t0, 11, CMD_TIMEOUT);
    let b = query(&mut s, t0, 12, CMD_TIMEOUT);
    let mut stream = command_done(a, u::BASIC_CONNECT, 11, Status::SUCCESS, &pattern(20));
    stream.extend(indicate(0, u::BASIC_CONNECT, 10, &pattern(40)));
    stream.extend(command_done(
        b,
        u::BASIC_CONNECT,
        12,
        Status::SUCCESS,
        &pattern(36),
    ));
    // Odd cut points, including inside headers: 1, 7, 13, ... bytes.
    let mut rest = &stream[..];
    let mut n = 1;
    while !rest.is_empty() {
        let k = n.min(rest.len());
        s.handle_bytes(t0, &rest[..k]);
        rest = &rest[k..];
        n += 6;
    }
    let ev = events(&mut s);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert!(
        matches!(&ev[0], Event::CommandDone { transaction_id, information_buffer, .. }
        if *transaction_id == a && *information_buffer == pattern(20))
    );
    assert!(
        matches!(&ev[1], Event::Indication { cid: 10, information_buffer, .. }
        if *information_buffer == pattern(40))
    );
    assert!(
        matches!(&ev[2], Event::CommandDone { transaction_id, information_buffer, .. }
        if *transaction_id == b && *information_buffer == pattern(36))
    );
    // Everything at once works too.
    let c = query(&mut s, t0, 11, CMD_TIMEOUT);
    let d = query(&mut s, t0, 11, CMD_TIMEOUT);
    let mut merged = command_done(d, u::BASIC_CONNECT, 11, Status::SUCCESS, &[]);
    merged.extend(command_done(c, u::BASIC_CONNECT, 11, Status::BUSY, &[]));
    s.handle_bytes(t0, &merged);
    let ev = events(&mut s);
    assert!(
        matches!(&ev[..], [
        Event::CommandDone { transaction_id: x, status: Status::SUCCESS, .. },
        Event::CommandDone { transaction_id: y, status: Status::BUSY, .. },
    ] if *x == d && *y == c),
        "{ev:?}"
    );
}

// ---------------------------------------------------------------------------
// Our own fragmentation
// ---------------------------------------------------------------------------

#[test]
fn large_command_is_fragmented_at_max_control_transfer() {
    let t0 = Instant::now();
    let config = SessionConfig {
        max_control_transfer: 64,
        ..SessionConfig::default()
    };
    let mut s = open_session(t0, config);
    let info = pattern(300);
    let tid = s
        .command(
            t0,
            u::BASIC_CONNECT,
            12,
            CommandType::SET,
            &info,
            CMD_TIMEOUT,
        )
        .unwrap();
    let writes = transmitted(&mut s);
    // 48 + 300 bytes of message; 20-byte headers leave 44 per fragment.
    assert_eq!(writes.len(), (48 + 300 - 20usize).div_ceil(64 - 20));
    for (i, w) in writes.iter().enumerate() {
        assert!(w.len() <= 64, "fragment {i} is {} bytes", w.len());
        let word = |o: usize| u32::from_le_bytes(w[o..o + 4].try_into().unwrap());
        assert_eq!(word(0), MessageType::COMMAND.0);
        assert_eq!(word(4) as usize, w.len(), "MessageLength of fragment {i}");
        assert_eq!(word(8), tid);
        assert_eq!(word(12) as usize, writes.len(), "TotalFragments");
        assert_eq!(word(16) as usize, i, "CurrentFragment");
    }
    // The device reassembles the original command.
    let mut r = Reassembler::default();
    let mut whole = None;
    for w in &writes {
        if let Reassembled::Complete(m) = r.push(t0, w).unwrap() {
            whole = Some(m);
        }
    }
    let whole = whole.expect("reassembled");
    assert_eq!(
        Message::decode(&whole).unwrap(),
        Message::Command(Command {
            transaction_id: tid,
            service: u::BASIC_CONNECT,
            cid: 12,
            command_type: CommandType::SET,
            information_buffer: Cow::Owned(info),
        })
    );
}

// ---------------------------------------------------------------------------
// MBIMEx version
// ---------------------------------------------------------------------------

#[test]
fn ms_bce_version_response_negotiates_the_extended_version() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    assert_eq!(s.version(), ExtendedVersion::V1);
    // Query: bcdMBIMVersion 1.0, bcdMBIMExtendedVersion 3.0 (LE u16 each).
    let host = [0x00, 0x01, 0x00, 0x03];
    let tid = s
        .command(
            t0,
            u::MS_BASIC_CONNECT_EXTENSIONS,
            15,
            CommandType::QUERY,
            &host,
            CMD_TIMEOUT,
        )
        .unwrap();
    // The device answers with min(host, device) = 2.0, spelling the service
    // UUID the other way (accepted as the same service).
    let device = [0x00, 0x01, 0x00, 0x02];
    s.handle_bytes(
        t0,
        &command_done(
            tid,
            u::MS_BASIC_CONNECT_EXTENSIONS_ALT,
            15,
            Status::SUCCESS,
            &device,
        ),
    );
    let ev = events(&mut s);
    assert_eq!(ev[0], Event::VersionNegotiated(ExtendedVersion::V2));
    assert!(matches!(&ev[1], Event::CommandDone { transaction_id, .. } if *transaction_id == tid));
    assert_eq!(s.version(), ExtendedVersion::V2);
    // A failed VERSION does not change it; reopening goes back to 1.0.
    let tid = s
        .command(
            t0,
            u::MS_BASIC_CONNECT_EXTENSIONS,
            15,
            CommandType::QUERY,
            &host,
            CMD_TIMEOUT,
        )
        .unwrap();
    s.handle_bytes(
        t0,
        &command_done(
            tid,
            u::MS_BASIC_CONNECT_EXTENSIONS,
            15,
            Status::FAILURE,
            &[0, 1, 0, 4],
        ),
    );
    assert!(
        !events(&mut s)
            .iter()
            .any(|e| matches!(e, Event::VersionNegotiated(_)))
    );
    assert_eq!(s.version(), ExtendedVersion::V2);
    s.open(t0).unwrap();
    assert_eq!(s.version(), ExtendedVersion::V1);
}

#[test]
fn typed_version_request_negotiates_4_0_and_payloads_then_use_the_3_0_layouts() {
    use mbim_proto::services::ms_basic_connect_extensions::Version;
    use mbim_proto::services::{Decoded, Kind, Payload, Request, decode_payload};
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let q = Version::host(ExtendedVersion::V4);
    let tid = s
        .command(
            t0,
            <Version as Request>::SERVICE,
            <Version as Request>::CID,
            <Version as Request>::COMMAND_TYPE,
            &q.to_bytes().unwrap(),
            CMD_TIMEOUT,
        )
        .unwrap();
    let agreed = Version::host(ExtendedVersion::V4).to_bytes().unwrap();
    s.handle_bytes(
        t0,
        &command_done(
            tid,
            u::MS_BASIC_CONNECT_EXTENSIONS,
            15,
            Status::SUCCESS,
            &agreed,
        ),
    );
    let ev = events(&mut s);
    assert_eq!(ev[0], Event::VersionNegotiated(ExtendedVersion::V4));
    assert_eq!(s.version(), ExtendedVersion::V4);
    // The typed response decodes to the same agreement.
    let Event::CommandDone {
        information_buffer, ..
    } = &ev[1]
    else {
        panic!("{:?}", ev[1]);
    };
    assert_eq!(
        Version::decode(information_buffer).unwrap().extended(),
        ExtendedVersion::V4
    );
    // Under the agreed 4.0, a CONNECT query is the 3.0 one (just SessionId).
    let d = decode_payload(
        &u::BASIC_CONNECT,
        12,
        Kind::Query,
        s.version(),
        &[1, 0, 0, 0],
    )
    .unwrap();
    assert!(matches!(d, Decoded::BasicConnectV3(_)), "{d:?}");
}

// ---------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------

#[test]
fn poll_timeout_is_the_earliest_deadline_and_expiries_come_in_order() {
    let t0 = Instant::now();
    let config = SessionConfig::default();
    let mut s = open_session(t0, config.clone());
    let slow = query(&mut s, t0, 1, ms(10_000));
    let fast = query(&mut s, t0, 2, ms(3_000));
    let mid = query(&mut s, t0, 3, ms(7_000));
    assert_eq!(s.poll_timeout(), Some(t0 + ms(3_000)));
    s.handle_timeout(t0 + ms(3_000));
    assert!(matches!(&events(&mut s)[..],
        [Event::TransactionTimedOut { transaction_id, .. }] if *transaction_id == fast));
    assert_eq!(s.poll_timeout(), Some(t0 + ms(7_000)));

    // A fragmented indication starting at 5.9 s is due at 7.15 s: after `mid`.
    let frags = fragment(&indicate(3, u::BASIC_CONNECT, 9, &pattern(200)), 100).unwrap();
    s.handle_bytes(t0 + ms(5_900), &frags[0]);
    assert_eq!(s.poll_timeout(), Some(t0 + ms(7_000)));
    // One starting at 5.5 s is due at 6.75 s: before `mid`.
    let frags2 = fragment(&indicate(4, u::BASIC_CONNECT, 9, &pattern(200)), 100).unwrap();
    s.handle_bytes(t0 + ms(5_500), &frags2[0]);
    assert_eq!(
        s.poll_timeout(),
        Some(t0 + ms(5_500) + config.fragment_timeout)
    );

    // Jumping far ahead expires everything due, each exactly once.
    s.handle_timeout(t0 + ms(20_000));
    let ev = events(&mut s);
    let timed_out: Vec<u32> = ev
        .iter()
        .filter_map(|e| match e {
            Event::TransactionTimedOut { transaction_id, .. } => Some(*transaction_id),
            _ => None,
        })
        .collect();
    assert_eq!(timed_out, [slow, mid], "in transaction order");
    let fragment_timeouts: Vec<u32> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Malformed(Malformed::Fragment(f)) => Some(f.transaction_id),
            _ => None,
        })
        .collect();
    assert_eq!(fragment_timeouts, [3, 4]);
    assert_eq!(s.poll_timeout(), None);
    s.handle_timeout(t0 + ms(30_000));
    assert_eq!(events(&mut s), Vec::<Event>::new());
}

#[test]
fn reset_aborts_everything_and_forgets_queued_writes() {
    let t0 = Instant::now();
    let mut s = open_session(t0, SessionConfig::default());
    let a = query(&mut s, t0, 1, CMD_TIMEOUT);
    s.reset();
    assert_eq!(
        events(&mut s),
        [Event::TransactionFailed {
            transaction_id: a,
            failure: TransactionFailure::Aborted
        }]
    );
    assert_eq!(s.poll_transmit(), None);
    assert_eq!(s.state(), OpenState::Closed);
    assert_eq!(s.poll_timeout(), None);
}

// ---------------------------------------------------------------------------
// Properties over scripted chaos
// ---------------------------------------------------------------------------

mod chaos {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        /// Send a query with this timeout (ms).
        Command(u64),
        /// The device answers pending command `k % n` with a response of
        /// `len` bytes cut into `mct`-byte fragments, delivering `keep` of them
        /// in the given order (`shuffle` swaps two).
        Respond {
            k: usize,
            len: usize,
            mct: usize,
            keep: usize,
            shuffle: bool,
        },
        /// A fragmented indication, possibly incomplete.
        Indicate { tid: u32, len: usize, keep: usize },
        /// Raw bytes.
        Garbage(Vec<u8>),
        /// Let time pass (ms), handling any deadline on the way.
        Wait(u64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (100u64..5_000).prop_map(Step::Command),
            (
                any::<usize>(),
                0usize..400,
                40usize..200,
                0usize..8,
                any::<bool>()
            )
                .prop_map(|(k, len, mct, keep, shuffle)| Step::Respond {
                    k,
                    len,
                    mct,
                    keep,
                    shuffle
                }),
            (0u32..4, 0usize..300, 0usize..6).prop_map(|(tid, len, keep)| Step::Indicate {
                tid,
                len,
                keep
            }),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Step::Garbage),
            (0u64..3_000).prop_map(Step::Wait),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever the device does, the session never panics, every command
        /// ends exactly once, and handling the advertised deadline always
        /// moves it forward (no busy loop).
        #[test]
        fn every_command_ends_once_and_deadlines_make_progress(steps in proptest::collection::vec(step(), 1..40)) {
            let t0 = Instant::now();
            let mut s = open_session(t0, SessionConfig::default());
            let mut now = t0;
            let mut sent: Vec<u32> = Vec::new();
            let mut ended: Vec<u32> = Vec::new();
            let record = |s: &mut Session, ended: &mut Vec<u32>| {
                for e in events(s) {
                    match e {
                        Event::CommandDone { transaction_id, .. }
                        | Event::TransactionTimedOut { transaction_id, .. }
                        | Event::TransactionFailed { transaction_id, .. } => ended.push(transaction_id),
                        _ => {}
                    }
                }
                transmitted(s);
            };
            for st in steps {
                match st {
                    Step::Command(t) => sent.push(query(&mut s, now, 8, ms(t))),
                    Step::Respond { k, len, mct, keep, shuffle } => {
                        if sent.is_empty() { continue; }
                        let tid = sent[k % sent.len()];
                        let msg = command_done(tid, u::BASIC_CONNECT, 8, Status::SUCCESS, &pattern(len));
                        let mut frags = fragment(&msg, mct).unwrap();
                        if shuffle && frags.len() > 2 { frags.swap(0, 1); }
                        for f in frags.iter().take(keep.max(1)) { s.handle_bytes(now, f); }
                    }
                    Step::Indicate { tid, len, keep } => {
                        let msg = indicate(tid, u::BASIC_CONNECT, 9, &pattern(len));
                        for f in fragment(&msg, 100).unwrap().iter().take(keep.max(1)) {
                            s.handle_bytes(now, f);
                        }
                    }
                    Step::Garbage(g) => s.handle_bytes(now, &g),
                    Step::Wait(d) => {
                        let until = now + ms(d);
                        while let Some(t) = s.poll_timeout() {
                            if t > until { break; }
                            now = now.max(t);
                            s.handle_timeout(now);
                            if let Some(next) = s.poll_timeout() {
                                prop_assert!(next > now, "deadline did not move past {now:?}");
                            }
                        }
                        now = until;
                    }
                }
                record(&mut s, &mut ended);
            }
            // Run every remaining deadline out.
            while let Some(t) = s.poll_timeout() {
                now = now.max(t);
                s.handle_timeout(now);
                prop_assert!(s.poll_timeout().is_none_or(|n| n > now));
                record(&mut s, &mut ended);
            }
            prop_assert_eq!(s.pending_transactions(), 0);
            let mut a = sent.clone();
            a.sort_unstable();
            let mut b = ended.clone();
            b.sort_unstable();
            prop_assert_eq!(a, b, "each command ends exactly once");
        }
    }
}
