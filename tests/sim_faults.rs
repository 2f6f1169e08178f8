//! Each injected fault happens exactly as configured: on the configured
//! command, the configured number of times, and nothing else changes.
//! In-process over a duplex pipe with tokio's paused clock.

mod common;

use common::{Got, Host, NOTHING, scenario, start};
use mbim_proto::fragment::Reassembler;
use mbim_proto::message::{CommandType, Message};
use mbim_proto::services::Payload;
use mbim_proto::services::basic_connect::{
    self as bc, DeviceCapsQuery, Providers, RadioStateQuery, RadioSwitchState, SetRadioState,
};
use mbim_proto::{ProtocolErrorCode, Status};
use mbimd::sim::device::DeviceEvent;
use mbimd::sim::fault::{Fault, FaultRule};
use mbimd::sim::runner::RunEnd;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

fn tid_of(m: &Message<'_>) -> u32 {
    m.transaction_id()
}

async fn radio(host: &mut Host) -> RadioSwitchState {
    host.call(&RadioStateQuery).await.sw_radio_state
}

fn set_radio(on: bool) -> SetRadioState {
    SetRadioState {
        radio_state: if on {
            RadioSwitchState::ON
        } else {
            RadioSwitchState::OFF
        },
    }
}

/// Read everything the device writes until it goes quiet.
async fn drain(host: &mut Host) -> Vec<u8> {
    let mut all = Vec::new();
    while let Got::Piece(p) = host.read_raw().await {
        all.extend(p);
    }
    all
}

#[tokio::test(start_paused = true)]
async fn delay_holds_the_response_for_the_configured_time_once() {
    let (mut host, handle) = start(scenario(
        "[[fault]]\nkind = \"delay\"\nms = 3000\nservice = \"basic-connect\"\ncid = 1\n",
    ));
    host.open().await;
    let t0 = Instant::now();
    let tid = host.request(&DeviceCapsQuery).await;
    let early = tokio::time::timeout(Duration::from_millis(2999), host.message()).await;
    assert!(early.is_err(), "response came before the delay: {early:?}");
    let m = host.message().await;
    assert_eq!(tid_of(&m), tid);
    assert!(t0.elapsed() >= Duration::from_secs(3));
    // Spent after one use: the next query is answered at once.
    let t1 = Instant::now();
    host.call(&DeviceCapsQuery).await;
    assert_eq!(t1.elapsed(), Duration::ZERO);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn drop_loses_the_response_but_carries_out_the_command() {
    let (mut host, handle) = start(scenario(
        "[[fault]]\nkind = \"drop\"\nservice = \"basic-connect\"\ncid = 3\n",
    ));
    host.open().await;
    host.request(&set_radio(false)).await;
    assert_eq!(host.reply_or_nothing().await, None);
    // The rule fired once; the query is answered and shows the set happened.
    assert_eq!(radio(&mut host).await, RadioSwitchState::OFF);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn skip_and_count_pick_exactly_which_commands_are_hit() {
    let (mut host, handle) = start(scenario(
        "[[fault]]\nkind = \"drop\"\ncid = 1\nskip = 1\ncount = 2\n",
    ));
    host.open().await;
    let mut answered = Vec::new();
    for _ in 0..4 {
        let tid = host.request(&DeviceCapsQuery).await;
        if let Got::Piece(p) = host.piece().await {
            let m = Message::decode(&p).unwrap();
            assert_eq!(tid_of(&m), tid);
            answered.push(tid);
        }
    }
    // TIDs 2..=5 were sent (1 was OPEN): the 1st and 4th answered.
    assert_eq!(answered, [2, 5]);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn garbage_bytes_precede_the_response() {
    let (mut host, handle) = start(scenario(
        "[[fault]]\nkind = \"garbage\"\nbytes = \"de ad be ef 00 11\"\ncid = 1\n",
    ));
    host.open().await;
    let tid = host.request(&DeviceCapsQuery).await;
    let all = drain(&mut host).await;
    assert_eq!(&all[..6], &[0xde, 0xad, 0xbe, 0xef, 0x00, 0x11]);
    let m = Message::decode(&all[6..]).unwrap();
    let Message::CommandDone(d) = m else {
        panic!("{m:?}")
    };
    assert_eq!(d.transaction_id, tid);
    assert_eq!(
        bc::DeviceCapsInfo::decode(&d.information_buffer)
            .unwrap()
            .device_id,
        "359072060000001"
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn truncate_writes_only_the_first_bytes_of_the_response() {
    let (mut host, handle) = start(scenario(
        "[[fault]]\nkind = \"truncate\"\nkeep = 30\ncid = 1\n",
    ));
    host.open().await;
    let tid = host.request(&DeviceCapsQuery).await;
    let cut = drain(&mut host).await;
    assert_eq!(cut.len(), 30);
    // Compare with an intact response to the same query (TID aside).
    let tid2 = host.request(&DeviceCapsQuery).await;
    let full = drain(&mut host).await;
    assert!(full.len() > 48);
    assert_eq!(&cut[..8], &full[..8], "type and full MessageLength kept");
    assert_eq!(&cut[8..12], &tid.to_le_bytes());
    assert_eq!(&full[8..12], &tid2.to_le_bytes());
    assert_eq!(&cut[12..], &full[12..30]);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn out_of_order_fragments_swap_the_first_two() {
    let (mut host, handle) = start(scenario(
        "[[fault]]\nkind = \"out-of-order-fragments\"\nfragment_size = 64\ncid = 8\n",
    ));
    host.open().await;
    let tid = host.request(&bc::VisibleProvidersReq::default()).await;
    let mut pieces = Vec::new();
    while let Got::Piece(p) = host.piece().await {
        pieces.push(p);
    }
    assert!(pieces.len() >= 3, "{} fragments", pieces.len());
    let current = |p: &Vec<u8>| u32::from_le_bytes([p[16], p[17], p[18], p[19]]);
    assert!(pieces.iter().all(|p| p.len() <= 64));
    assert_eq!(current(&pieces[0]), 1);
    assert_eq!(current(&pieces[1]), 0);
    for (i, p) in pieces.iter().enumerate().skip(2) {
        assert_eq!(current(p), i as u32);
    }
    // A host reassembler rejects the first piece...
    let now = std::time::Instant::now();
    let e = Reassembler::default().push(now, &pieces[0]).unwrap_err();
    assert_eq!(e.code, ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE);
    assert_eq!(e.transaction_id, tid);
    // ...and the pieces in the right order make the intact response.
    pieces.swap(0, 1);
    let mut r = Reassembler::default();
    let mut whole = None;
    for p in &pieces {
        if let mbim_proto::fragment::Reassembled::Complete(m) = r.push(now, p).unwrap() {
            whole = Some(m);
        }
    }
    let whole = whole.unwrap();
    let Message::CommandDone(d) = Message::decode(&whole).unwrap() else {
        panic!()
    };
    assert_eq!(
        Providers::decode(&d.information_buffer)
            .unwrap()
            .providers
            .len(),
        2
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn stuck_transaction_is_never_answered_nor_carried_out() {
    let (mut host, handle) = start(scenario("[[fault]]\nkind = \"stuck\"\ncid = 3\n"));
    host.open().await;
    let stuck = host.request(&set_radio(false)).await;
    assert!(matches!(host.piece().await, Got::Nothing));
    // Later commands are answered; the stuck one never was.
    let m = {
        let tid = host.request(&RadioStateQuery).await;
        let m = host.reply().await;
        assert_eq!(tid_of(&m), tid);
        m
    };
    assert_ne!(tid_of(&m), stuck);
    let Message::CommandDone(d) = m else { panic!() };
    let info = bc::RadioStateInfo::decode(&d.information_buffer).unwrap();
    assert_eq!(info.sw_radio_state, RadioSwitchState::ON);
    assert!(matches!(host.piece().await, Got::Nothing));
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn reset_closes_the_function_and_restores_the_scenario_state() {
    let (mut host, mut handle) = start(scenario("[[fault]]\nkind = \"reset\"\ncid = 1\n"));
    host.open().await;
    host.call(&set_radio(false)).await;
    let lost = host.request(&DeviceCapsQuery).await;
    assert_eq!(host.reply_or_nothing().await, None);
    let tid = host.request(&RadioStateQuery).await;
    match host.reply().await {
        Message::FunctionError {
            transaction_id,
            error_status_code,
        } => {
            assert_eq!(transaction_id, tid);
            assert_eq!(error_status_code, ProtocolErrorCode::NOT_OPENED);
        }
        m => panic!("expected FUNCTION_ERROR, got {m:?}"),
    }
    host.open().await;
    assert_eq!(radio(&mut host).await, RadioSwitchState::ON);
    let mut fired = Vec::new();
    while let Ok(e) = handle.events.try_recv() {
        if let DeviceEvent::FaultFired {
            fault,
            transaction_id,
        } = e
        {
            fired.push((fault, transaction_id));
        }
    }
    assert_eq!(fired, [(Fault::Reset, Some(lost))]);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unplug_ends_the_stream() {
    let (mut host, handle) = start(scenario("[[fault]]\nkind = \"unplug\"\ncid = 2\n"));
    host.open().await;
    host.call(&DeviceCapsQuery).await;
    host.request(&bc::SubscriberReadyStatusQuery).await;
    assert!(matches!(host.read_raw().await, Got::Eof));
    let (end, _) = handle.join().await.unwrap();
    assert_eq!(end, RunEnd::Unplugged);
}

#[tokio::test(start_paused = true)]
async fn unplug_at_a_time_after_open() {
    let (mut host, handle) = start(scenario("[[fault]]\nkind = \"unplug\"\nat = 10\n"));
    let t0 = Instant::now();
    host.open().await;
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(9_999), host.io.read(&mut buf)).await;
    assert!(early.is_err(), "stream ended early: {early:?}");
    let n = tokio::time::timeout(NOTHING, host.io.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 0);
    assert!(t0.elapsed() >= Duration::from_secs(10));
    let (end, _) = handle.join().await.unwrap();
    assert_eq!(end, RunEnd::Unplugged);
}

#[tokio::test(start_paused = true)]
async fn faults_injected_at_run_time_apply_to_the_next_matching_command() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    host.call(&DeviceCapsQuery).await;
    handle.inject(FaultRule::on_command(
        Fault::Drop,
        Some("basic-connect"),
        Some(bc::cid::DEVICE_CAPS),
    ));
    // A different CID is not affected.
    assert_eq!(radio(&mut host).await, RadioSwitchState::ON);
    host.request(&DeviceCapsQuery).await;
    assert!(matches!(host.piece().await, Got::Nothing));
    host.call(&DeviceCapsQuery).await;
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_dropped_open_is_answered_when_the_host_retries() {
    let (mut host, handle) = start(scenario("[[fault]]\nkind = \"drop\"\nservice = \"open\"\n"));
    host.send(&Message::Open {
        transaction_id: 1,
        max_control_transfer: 4096,
    })
    .await;
    assert!(matches!(host.piece().await, Got::Nothing));
    host.next_tid = 2;
    host.open().await;
    host.call(&DeviceCapsQuery).await;
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn faults_do_not_touch_other_services() {
    let (mut host, handle) = start(scenario("[[fault]]\nkind = \"drop\"\nservice = \"sms\"\n"));
    host.open().await;
    host.call(&DeviceCapsQuery).await;
    // The SMS command is the one dropped (the simulator answers it otherwise).
    host.command(mbim_proto::uuid::SMS, 1, CommandType::QUERY, &[])
        .await;
    assert!(matches!(host.piece().await, Got::Nothing));
    let tid = host
        .command(mbim_proto::uuid::SMS, 1, CommandType::QUERY, &[])
        .await;
    let Message::CommandDone(d) = host.reply().await else {
        panic!()
    };
    assert_eq!(d.transaction_id, tid);
    assert_eq!(d.status, Status::SUCCESS);
    handle.stop().await.unwrap();
}
