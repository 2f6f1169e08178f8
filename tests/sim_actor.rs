//! The daemon's modem actor driving the simulator over an in-process byte
//! stream: initialisation, PIN unlock, connect with IP configuration,
//! indications reaching the state snapshot, and the failure policy against
//! injected faults (reset → reopen, unplug → removal). Paused tokio time.

use mbim_proto::services::ExtendedVersion;
use mbim_proto::services::basic_connect::{ActivationState, ContextIpType, RegisterState};
use mbim_proto::uuid;
use mbimd::modem::ops::connect::{self, ConnectParams};
use mbimd::modem::ops::{init, radio, sim};
use mbimd::modem::{self, ActorConfig, ActorExit, Link, ModemEvent};
use mbimd::sim::fault::{Fault, FaultRule};
use mbimd::sim::runner::{RunEnd, spawn_duplex};
use mbimd::sim::scenario::{EventKind, Scenario};
use std::net::Ipv4Addr;
use std::time::Duration;

fn scenario(toml: &str) -> Scenario {
    Scenario::from_toml(toml, "test").unwrap()
}

fn config() -> ActorConfig {
    ActorConfig {
        name: "sim:test".into(),
        request_timeout: Duration::from_secs(10),
        ..ActorConfig::default()
    }
}

#[tokio::test(start_paused = true)]
async fn actor_initialises_unlocks_and_connects_through_the_simulator() {
    let (io, sim_handle) = spawn_duplex(scenario(
        r#"
        [device]
        imei = "356938035643809"
        [sim]
        lock = "pin"
        pin = "2468"
        [[apn]]
        name = "internet"
        ip_type = "ipv4"
        ipv4 = "192.0.2.10/24"
        ipv4_gateway = "192.0.2.1"
        ipv4_dns = ["192.0.2.53"]
        "#,
    ));
    let (h, actor) = modem::spawn(io, config());
    let init = init::initialize(&h).await.unwrap();
    assert_eq!(init.caps.device_id, "356938035643809");
    assert!(h.state().supports(&uuid::SMS, 5));

    let pin = sim::pin(&h, sim::PinAction::Unlock { pin: "2468".into() })
        .await
        .unwrap();
    assert_eq!(
        pin.pin_state,
        mbim_proto::services::basic_connect::PinState::UNLOCKED
    );
    // The registration indication that follows the unlock lands in the snapshot.
    let mut w = h.watch();
    loop {
        let reg = w.borrow_and_update().registration.clone();
        if reg.is_some_and(|r| r.register_state == RegisterState::HOME) {
            break;
        }
        w.changed().await.unwrap();
    }

    let res = connect::connect(
        &h,
        &ConnectParams {
            apn: "internet".into(),
            ip_type: ContextIpType::IPV4,
            ..ConnectParams::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(res.connect.activation_state, ActivationState::ACTIVATED);
    let ip = res.ip.expect("IP configuration");
    assert_eq!(
        ip.ipv4_address[0].ipv4_address,
        Ipv4Addr::new(192, 0, 2, 10)
    );
    assert_eq!(ip.ipv4_gateway, Some(Ipv4Addr::new(192, 0, 2, 1)));

    // A network-side disconnect reaches the actor as a CONNECT indication.
    let mut events = h.events();
    sim_handle.trigger(EventKind::Disconnect);
    loop {
        if let ModemEvent::Indication { service, cid, .. } = events.recv().await.unwrap()
            && service == uuid::BASIC_CONNECT
            && cid == 12
        {
            break;
        }
    }
    let state = h.state();
    assert_eq!(
        state.connections.get(&0).map(|c| c.activation_state),
        Some(ActivationState::DEACTIVATED)
    );
    h.shutdown().await;
    assert_eq!(actor.await.unwrap(), ActorExit::Shutdown);
    let _ = sim_handle.stop().await;
}

#[tokio::test(start_paused = true)]
async fn actor_reopens_after_a_simulated_device_reset() {
    let (io, sim_handle) = spawn_duplex(Scenario::builtin());
    let (h, actor) = modem::spawn(io, config());
    init::initialize(&h).await.unwrap();
    radio::set_radio(&h, false).await.unwrap();
    // The device resets on the next RADIO_STATE command: that command is
    // lost, the function is closed, the radio back on (scenario default).
    sim_handle.inject(FaultRule::on_command(
        Fault::Reset,
        Some("basic-connect"),
        Some(3),
    ));
    let mut events = h.events();
    let _ = radio::set_radio(&h, true).await;
    // The next request gets FUNCTION_ERROR NOT_OPENED; the actor reopens.
    let _ = h
        .request(&mbim_proto::services::basic_connect::DeviceCapsQuery)
        .await;
    loop {
        if let ModemEvent::Ready { reopened: true } = events.recv().await.unwrap() {
            break;
        }
    }
    assert_eq!(h.state().link, Link::Ready);
    assert!(h.state().reopens >= 1);
    let radio = h
        .request(&mbim_proto::services::basic_connect::RadioStateQuery)
        .await
        .unwrap();
    assert_eq!(
        radio.sw_radio_state,
        mbim_proto::services::basic_connect::RadioSwitchState::ON
    );
    h.shutdown().await;
    actor.await.unwrap();
    let _ = sim_handle.stop().await;
}

#[tokio::test(start_paused = true)]
async fn actor_removes_the_modem_when_the_simulator_is_unplugged() {
    let (io, sim_handle) = spawn_duplex(scenario("[[fault]]\nkind = \"unplug\"\nat = 30\n"));
    let (h, actor) = modem::spawn(io, config());
    init::initialize(&h).await.unwrap();
    let exit = actor.await.unwrap();
    assert!(matches!(exit, ActorExit::DeviceGone(_)), "{exit:?}");
    assert_eq!(h.state().link, Link::Gone);
    let (end, _) = sim_handle.join().await.unwrap();
    assert_eq!(end, RunEnd::Unplugged);
}

#[tokio::test(start_paused = true)]
async fn actor_sms_and_ussd_operations_work_against_the_simulator() {
    use mbimd::messaging::ussd as coding;
    use mbimd::modem::ops::{sms as sms_ops, ussd as ussd_ops};
    let stored = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07";
    let arriving = "0001000B915121551532F400000CC8F79D9C07E54F61363B04";
    let (io, sim_handle) = spawn_duplex(scenario(&format!(
        "[[sms]]\npdu = \"{stored}\"\n[[ussd]]\nrequest = \"*101#\"\nreply = \"Your balance: 12.34\"\n\
         [[event]]\nat = 3\nkind = \"sms\"\npdu = \"{arriving}\"\n"
    )));
    let (h, actor) = modem::spawn(io, config());
    init::initialize(&h).await.unwrap();
    let mut events = h.events();
    // The timeline SMS arrives 3 s after OPEN; the actor subscribed to SMS 5.
    loop {
        if let ModemEvent::Indication { service, cid, .. } = events.recv().await.unwrap()
            && service == uuid::SMS
            && cid == 5
        {
            break;
        }
    }
    let list = sms_ops::list(&h).await.unwrap();
    let pdus: Vec<Vec<u8>> = list.into_iter().map(|r| r.pdu_data.0).collect();
    assert_eq!(
        pdus,
        [
            mbim_proto::hex::decode(stored).unwrap(),
            mbim_proto::hex::decode(arriving).unwrap()
        ]
    );
    sms_ops::delete(&h, Some(1)).await.unwrap();
    assert_eq!(sms_ops::list(&h).await.unwrap().len(), 1);

    let req = coding::encode("*101#").unwrap();
    let info = ussd_ops::ussd(
        &h,
        mbim_proto::services::ussd::UssdAction::INITIATE,
        u32::from(req.data_coding_scheme.0),
        req.data,
    )
    .await
    .unwrap();
    let dcs = mbimd::messaging::CbsDataCodingScheme(info.ussd_data_coding_scheme as u8);
    assert_eq!(
        coding::decode(dcs, &info.ussd_payload.0).unwrap(),
        "Your balance: 12.34"
    );
    h.shutdown().await;
    actor.await.unwrap();
    let _ = sim_handle.stop().await;
}

#[tokio::test(start_paused = true)]
async fn actor_negotiates_3_0_with_the_simulator_initialises_and_connects() {
    let (io, sim_handle) = spawn_duplex(scenario(
        r#"
        [device]
        mbimex_version = "3.0"
        imei = "356938035643810"
        [sim]
        imsi = "262019876543210"
        msisdns = ["+491719876543"]
        [packet_service]
        uplink_bps = 7000000
        [[apn]]
        name = "internet"
        ip_type = "ipv4"
        ipv4 = "192.0.2.20/24"
        ipv4_gateway = "192.0.2.1"
        ipv4_dns = ["192.0.2.53"]
        "#,
    ));
    let (h, actor) = modem::spawn(
        io,
        ActorConfig {
            mbimex: ExtendedVersion::V4,
            ..config()
        },
    );
    let init = init::initialize(&h).await.unwrap();
    // The actor offered 4.0; the simulated device agreed on its 3.0.
    assert_eq!(h.state().version, ExtendedVersion::V3);
    assert_eq!(
        sim_handle.inspect(|d| d.version()).await,
        Some(ExtendedVersion::V3.0)
    );
    assert_eq!(init.caps.device_id, "356938035643810");
    // SUBSCRIBER_READY_STATUS and PACKET_SERVICE came in their 3.0 layouts.
    let sub = init.subscriber.expect("subscriber ready status");
    assert_eq!(sub.subscriber_id, "262019876543210");
    assert_eq!(sub.telephone_numbers, ["+491719876543"]);
    let ps = init.packet_service.expect("packet service");
    assert_eq!(
        ps.packet_service_state,
        mbim_proto::services::basic_connect::PacketServiceState::ATTACHED
    );
    assert_eq!(ps.uplink_speed, 7_000_000);
    assert_eq!(
        init.registration.map(|r| r.register_state),
        Some(RegisterState::HOME)
    );

    let res = connect::connect(
        &h,
        &ConnectParams {
            apn: "internet".into(),
            ip_type: ContextIpType::IPV4,
            ..ConnectParams::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(res.connect.activation_state, ActivationState::ACTIVATED);
    assert_eq!(res.connect.ip_type, ContextIpType::IPV4);
    let ip = res.ip.expect("IP configuration");
    assert_eq!(
        ip.ipv4_address[0].ipv4_address,
        Ipv4Addr::new(192, 0, 2, 20)
    );
    assert_eq!(ip.ipv4_dns_server, [Ipv4Addr::new(192, 0, 2, 53)]);
    assert_eq!(
        sim_handle.inspect(|d| d.modem().sessions()).await,
        Some(vec![(0, "internet".to_string())])
    );

    // The network drops the session: the 3.0 CONNECT indication decodes
    // and lands in the snapshot.
    let mut events = h.events();
    sim_handle.trigger(EventKind::Disconnect);
    loop {
        if let ModemEvent::Indication { service, cid, .. } = events.recv().await.unwrap()
            && service == uuid::BASIC_CONNECT
            && cid == 12
        {
            break;
        }
    }
    assert_eq!(
        h.state().connections.get(&0).map(|c| c.activation_state),
        Some(ActivationState::DEACTIVATED)
    );
    assert_eq!(h.state().malformed, 0);
    h.shutdown().await;
    assert_eq!(actor.await.unwrap(), ActorExit::Shutdown);
    let _ = sim_handle.stop().await;
}

#[tokio::test(start_paused = true)]
async fn actor_settles_on_2_0_with_a_2_0_simulator_and_reads_the_2_0_layouts() {
    let (io, sim_handle) = spawn_duplex(scenario(
        "[device]\nmbimex_version = \"2.0\"\n[signal]\nrssi = 13\n\
         [registration]\nstate = \"roaming\"\nroaming_text = \"Partner net\"\n",
    ));
    let (h, actor) = modem::spawn(
        io,
        ActorConfig {
            mbimex: ExtendedVersion::V3,
            ..config()
        },
    );
    let init = init::initialize(&h).await.unwrap();
    assert_eq!(h.state().version, ExtendedVersion::V2);
    // REGISTER_STATE and SIGNAL_STATE came in their 2.0 layouts.
    let reg = init.registration.expect("registration");
    assert_eq!(reg.register_state, RegisterState::ROAMING);
    assert_eq!(reg.roaming_text, "Partner net");
    assert_eq!(init.signal.map(|s| s.rssi), Some(13));
    assert!(init.packet_service.is_some());
    let res = connect::connect(
        &h,
        &ConnectParams {
            apn: "internet".into(),
            ..ConnectParams::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(res.connect.activation_state, ActivationState::ACTIVATED);
    assert_eq!(h.state().malformed, 0);
    h.shutdown().await;
    assert_eq!(actor.await.unwrap(), ActorExit::Shutdown);
    let _ = sim_handle.stop().await;
}
