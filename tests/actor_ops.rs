//! Every modem operation end to end against the simulator — in-process and
//! over a real pseudo-terminal opened by the cdc-wdm transport — plus each
//! simulator fault injected mid-operation with a second modem on the same
//! runtime that must not notice, and hotplug of a pty link.

use mbim_proto::services::basic_connect::{
    ActivationState, ContextIpType, PacketServiceState, PinState, RadioSwitchState, RegisterState,
};
use mbim_proto::{Status, uuid};
use mbimd::discovery::DeviceEvent;
use mbimd::discovery::watch_dir::DirWatcher;
use mbimd::modem::ops::{self, ConnectParams, PinAction};
use mbimd::modem::{self, ActorConfig, ActorExit, Link, ModemHandle, OperationError, RequestError};
use mbimd::sim::fault::{Fault, FaultRule};
use mbimd::sim::runner::{SimHandle, spawn_duplex};
use mbimd::sim::scenario::Scenario;
use mbimd::transport::cdc_wdm::CdcWdm;
use std::time::Duration;

fn scenario(toml: &str) -> Scenario {
    Scenario::from_toml(toml, "test").expect("scenario")
}

fn config(name: &str) -> ActorConfig {
    ActorConfig {
        name: name.into(),
        request_timeout: Duration::from_secs(5),
        max_consecutive_timeouts: 3,
        ..ActorConfig::default()
    }
}

fn modem_on(
    s: Scenario,
    name: &str,
) -> (ModemHandle, tokio::task::JoinHandle<ActorExit>, SimHandle) {
    let (io, sim) = spawn_duplex(s);
    let (h, join) = modem::spawn(io, config(name));
    (h, join, sim)
}

const TWO_APNS: &str = r#"
[[apn]]
name = "internet"
ip_type = "ipv4"
ipv4 = "10.0.0.2/30"
ipv4_gateway = "10.0.0.1"
ipv4_dns = ["10.0.0.53"]
[[apn]]
name = "ims"
ip_type = "ipv6"
ipv6 = "2001:db8::2/64"
"#;

async fn all_operations(h: &ModemHandle) {
    let init = ops::initialize(h).await.expect("initialize");
    assert_eq!(init.caps.device_id, "359072060000001");
    assert_eq!(
        init.subscriber.expect("SIM ready").subscriber_id,
        "001010123456789"
    );

    // Radio off deregisters; on registers again.
    let off = ops::set_radio(h, false).await.expect("radio off");
    assert_eq!(off.sw_radio_state, RadioSwitchState::OFF);
    let on = ops::set_radio(h, true).await.expect("radio on");
    assert_eq!(on.sw_radio_state, RadioSwitchState::ON);

    // Registration, automatic and manual; scanning.
    let reg = ops::register_automatic(h).await.expect("register");
    assert_eq!(reg.register_state, RegisterState::HOME);
    let nets = ops::scan(h).await.expect("scan");
    let ids: Vec<&str> = nets.iter().map(|p| p.provider_id.as_str()).collect();
    assert!(ids.contains(&"00101") && ids.contains(&"00102"), "{ids:?}");
    let reg = ops::register_manual(h, "00101")
        .await
        .expect("manual registration");
    assert_eq!(reg.provider_id, "00101");
    assert!(matches!(
        ops::register_manual(h, "1").await,
        Err(OperationError::InvalidArgument(_))
    ));

    // Packet service.
    let ps = ops::detach(h).await.expect("detach");
    assert_eq!(ps.packet_service_state, PacketServiceState::DETACHED);
    let ps = ops::attach(h).await.expect("attach");
    assert_eq!(ps.packet_service_state, PacketServiceState::ATTACHED);

    // Two PDP contexts at once.
    let a = ops::connect(
        h,
        &ConnectParams {
            session_id: 0,
            apn: "internet".into(),
            ip_type: ContextIpType::IPV4,
            ..ConnectParams::default()
        },
    )
    .await
    .expect("connect session 0");
    let b = ops::connect(
        h,
        &ConnectParams {
            session_id: 1,
            apn: "ims".into(),
            ip_type: ContextIpType::IPV6,
            ..ConnectParams::default()
        },
    )
    .await
    .expect("connect session 1");
    assert_eq!(a.connect.activation_state, ActivationState::ACTIVATED);
    assert_eq!(b.connect.session_id, 1);
    let ip0 = a.ip.expect("ip 0");
    assert_eq!(ip0.ipv4_address[0].ipv4_address.to_string(), "10.0.0.2");
    assert_eq!(
        ip0.ipv4_gateway.map(|g| g.to_string()).as_deref(),
        Some("10.0.0.1")
    );
    let ip1 = ops::ip_configuration(h, 1).await.expect("ip 1");
    assert_eq!(ip1.ipv6_address[0].ipv6_address.to_string(), "2001:db8::2");
    assert_eq!(h.state().connections.len(), 2);

    // A wrong APN is the device's error, not ours.
    let e = ops::connect(
        h,
        &ConnectParams {
            session_id: 2,
            apn: "nope".into(),
            ..ConnectParams::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        OperationError::Request(RequestError::Status {
            status: Status::INVALID_ACCESS_STRING,
            information_buffer: e_buf(&e)
        })
    );

    let d = ops::disconnect(h, 1).await.expect("disconnect 1");
    assert_eq!(d.activation_state, ActivationState::DEACTIVATED);
    ops::disconnect(h, 0).await.expect("disconnect 0");

    // SMS: send one, list, delete.
    let pdu = mbim_proto::hex::decode("0001000b915155255155f50000044a3a5d0e").expect("pdu");
    ops::sms::send_pdu(h, pdu).await.expect("send");
    ops::sms::list(h).await.expect("list");
    ops::sms::delete(h, None).await.expect("delete all");
    assert!(ops::sms::list(h).await.expect("list").is_empty());
}

fn e_buf(e: &OperationError) -> Vec<u8> {
    match e {
        OperationError::Request(RequestError::Status {
            information_buffer, ..
        }) => information_buffer.clone(),
        _ => Vec::new(),
    }
}

#[tokio::test(start_paused = true)]
async fn every_operation_in_process() {
    let (h, join, sim) = modem_on(scenario(TWO_APNS), "sim:ops");
    all_operations(&h).await;
    h.shutdown().await;
    assert_eq!(join.await.expect("join"), ActorExit::Shutdown);
    let _ = sim.stop().await;
}

#[tokio::test]
async fn every_operation_over_a_pty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("cdc-wdm-sim");
    let sim = mbimd::sim::pty::spawn_pty(scenario(TWO_APNS), &link).expect("pty");
    let dev = CdcWdm::open(link.to_str().expect("utf-8 path")).expect("open pty link");
    // A pty has no IOCTL_WDM_MAX_COMMAND: the fallback applies.
    assert_eq!(dev.max_control_transfer(), 4096);
    let (h, join) = modem::spawn(
        dev,
        ActorConfig {
            max_control_transfer: 4096,
            ..config("pty")
        },
    );
    all_operations(&h).await;
    h.shutdown().await;
    assert_eq!(join.await.expect("join"), ActorExit::Shutdown);
    let _ = sim.stop().await;
}

#[tokio::test(start_paused = true)]
async fn pin_operations() {
    let (h, _join, _sim) = modem_on(
        scenario("[sim]\nlock = \"pin\"\npin = \"1234\"\n"),
        "sim:pin",
    );
    h.ready().await.expect("ready");
    let wrong = ops::pin(&h, PinAction::Unlock { pin: "0000".into() })
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, OperationError::Request(RequestError::Status { .. })),
        "{wrong:?}"
    );
    let ok = ops::pin(&h, PinAction::Unlock { pin: "1234".into() })
        .await
        .expect("unlock");
    assert_eq!(ok.pin_state, PinState::UNLOCKED);
    ops::pin(
        &h,
        PinAction::Change {
            old: "1234".into(),
            new: "4321".into(),
        },
    )
    .await
    .expect("change");
    ops::pin(&h, PinAction::Disable { pin: "4321".into() })
        .await
        .expect("disable");
    ops::pin(&h, PinAction::Enable { pin: "4321".into() })
        .await
        .expect("enable");
    assert!(matches!(
        ops::pin(&h, PinAction::Unlock { pin: "12".into() }).await,
        Err(OperationError::InvalidArgument(_))
    ));

    let (h, _join, _sim) = modem_on(
        scenario("[sim]\nlock = \"puk\"\npuk = \"87654321\"\n"),
        "sim:puk",
    );
    h.ready().await.expect("ready");
    let r = ops::pin(
        &h,
        PinAction::Puk {
            puk: "87654321".into(),
            new_pin: "1111".into(),
        },
    )
    .await
    .expect("puk");
    assert_eq!(r.pin_state, PinState::UNLOCKED);
}

/// Inject `fault` on the next RADIO_STATE query of modem A, check the
/// outcome, check A keeps serving, and that modem B never noticed.
async fn fault_case(fault: Fault, check: impl FnOnce(Result<(), RequestError>)) {
    let (a, _ja, sim_a) = modem_on(Scenario::builtin(), "sim:a");
    let (b, _jb, _sim_b) = modem_on(Scenario::builtin(), "sim:b");
    a.ready().await.expect("a ready");
    b.ready().await.expect("b ready");
    let fault_name = format!("{fault:?}");
    sim_a.inject(FaultRule::on_command(fault, Some("basic-connect"), Some(3)));
    let (r, rb) = tokio::join!(
        a.request(&mbim_proto::services::basic_connect::RadioStateQuery),
        b.request(&mbim_proto::services::basic_connect::DeviceCapsQuery),
    );
    check(r.map(|_| ()));
    assert!(rb.is_ok(), "{fault_name}: modem B affected: {rb:?}");
    // B keeps answering regardless of what A does next.
    assert!(
        b.request(&mbim_proto::services::basic_connect::RadioStateQuery)
            .await
            .is_ok()
    );
}

#[tokio::test(start_paused = true)]
async fn delay_is_waited_out() {
    fault_case(Fault::Delay { ms: 2000 }, |r| assert!(r.is_ok(), "{r:?}")).await;
}

#[tokio::test(start_paused = true)]
async fn dropped_response_times_out_and_the_actor_keeps_serving() {
    let (a, _j, sim) = modem_on(Scenario::builtin(), "sim:a");
    a.ready().await.expect("ready");
    sim.inject(FaultRule::on_command(
        Fault::Drop,
        Some("basic-connect"),
        Some(3),
    ));
    let e = a
        .request(&mbim_proto::services::basic_connect::RadioStateQuery)
        .await
        .unwrap_err();
    assert!(matches!(e, RequestError::Timeout { cid: 3, .. }), "{e:?}");
    assert!(
        a.request(&mbim_proto::services::basic_connect::RadioStateQuery)
            .await
            .is_ok()
    );
    fault_case(Fault::Drop, |r| {
        assert!(matches!(r, Err(RequestError::Timeout { .. })), "{r:?}")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn garbage_before_a_response_is_counted() {
    let (a, _j, sim) = modem_on(Scenario::builtin(), "sim:a");
    a.ready().await.expect("ready");
    sim.inject(FaultRule::on_command(
        Fault::Garbage {
            bytes: vec![0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3],
        },
        Some("basic-connect"),
        Some(3),
    ));
    // The framer discards what it holds with the garbage; the response may go with it.
    let _ = a
        .request(&mbim_proto::services::basic_connect::RadioStateQuery)
        .await;
    assert!(a.state().malformed >= 1);
    assert!(
        a.request(&mbim_proto::services::basic_connect::RadioStateQuery)
            .await
            .is_ok()
    );
    fault_case(
        Fault::Garbage {
            bytes: vec![0xff; 8],
        },
        |_| {},
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn truncated_response_fails_the_request_only() {
    fault_case(Fault::Truncate { keep: 30 }, |r| {
        assert!(r.is_err(), "{r:?}")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn out_of_order_fragments_fail_with_a_fragment_error() {
    fault_case(Fault::OutOfOrderFragments { fragment_size: 32 }, |r| {
        assert!(matches!(r, Err(RequestError::Transaction(_))), "{r:?}")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn stuck_transaction_times_out() {
    fault_case(Fault::Stuck, |r| {
        assert!(matches!(r, Err(RequestError::Timeout { .. })), "{r:?}")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn reset_is_recovered_by_reopening() {
    let (a, _j, sim) = modem_on(Scenario::builtin(), "sim:a");
    a.ready().await.expect("ready");
    sim.inject(FaultRule::on_command(
        Fault::Reset,
        Some("basic-connect"),
        Some(3),
    ));
    // The command that meets the reset fails; the actor reopens; the next works.
    let _ = a
        .request(&mbim_proto::services::basic_connect::RadioStateQuery)
        .await;
    let r = a
        .request(&mbim_proto::services::basic_connect::RadioStateQuery)
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert!(a.state().reopens >= 1);
    fault_case(Fault::Reset, |_| {}).await;
}

#[tokio::test(start_paused = true)]
async fn unplug_removes_only_that_modem() {
    fault_case(Fault::Unplug, |r| {
        assert_eq!(r, Err(RequestError::ModemGone))
    })
    .await;
}

#[tokio::test]
async fn hotplug_of_a_pty_link_is_picked_up_and_released() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut watcher = DirWatcher::new(dir.path());
    assert!(watcher.scan().is_empty());
    let link = dir.path().join("modem0");
    let sim = mbimd::sim::pty::spawn_pty(Scenario::builtin(), &link).expect("pty");
    let added = watcher.scan();
    let info = match added.as_slice() {
        [DeviceEvent::Added(info)] => info.clone(),
        other => panic!("expected one Added, got {other:?}"),
    };
    assert_eq!(info.name, "modem0");
    let dev = CdcWdm::open(info.path.to_str().expect("path")).expect("open");
    let (h, join) = modem::spawn(dev, config("modem0"));
    h.ready().await.expect("ready");
    assert_eq!(
        h.request(&mbim_proto::services::basic_connect::DeviceCapsQuery)
            .await
            .expect("caps")
            .device_id,
        "359072060000001"
    );
    // Unplug: the simulator goes away with its link.
    let _ = sim.stop().await;
    let _ = std::fs::remove_file(&link);
    assert_eq!(
        watcher.scan(),
        vec![DeviceEvent::Removed {
            name: "modem0".into()
        }]
    );
    h.shutdown().await;
    let _ = join.await;
    assert_eq!(h.state().link, Link::Gone);
    let _ = uuid::BASIC_CONNECT;
}
