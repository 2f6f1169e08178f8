//! The simulated function's MBIM behaviour with our own raw host: open state,
//! status codes, fragmentation both ways, the subscribe list, indications,
//! the timeline and per-plan connect outcomes. In-process, paused time.

mod common;

use common::{Got, Host, scenario, start};
use mbim_proto::fragment::{Reassembled, Reassembler, fragment};
use mbim_proto::message::{CommandType, Message};
use mbim_proto::services::basic_connect::{
    self as bc, ActivationCommand, ActivationState, ContextIpType, DeviceCapsQuery,
    DeviceServiceSubscribeList, EventEntry, PinOperation, PinState, PinType, Providers,
    RegisterState, SetConnect, SetPin, SetProvisionedContext, SetRadioState,
};
use mbim_proto::services::{Payload, Request};
use mbim_proto::uuid::{BASIC_CONNECT, CONTEXT_TYPE_INTERNET, MS_BASIC_CONNECT_EXTENSIONS};
use mbim_proto::{ProtocolErrorCode, Status};
use mbimd::sim::scenario::EventKind;
use std::borrow::Cow;
use std::time::Duration;

fn connect(session_id: u32, apn: &str) -> SetConnect {
    SetConnect {
        session_id,
        activation_command: ActivationCommand::ACTIVATE,
        access_string: apn.into(),
        ip_type: ContextIpType::DEFAULT,
        context_type: CONTEXT_TYPE_INTERNET,
        ..SetConnect::default()
    }
}

/// Collect indications until the device goes quiet: (cid, payload).
async fn indications(host: &mut Host) -> Vec<(u32, Vec<u8>)> {
    let mut out = Vec::new();
    while let Got::Piece(p) = host.piece().await {
        if let Message::IndicateStatus(i) = Message::decode(&p).unwrap() {
            assert_eq!(i.transaction_id, 0);
            if i.service == BASIC_CONNECT {
                out.push((i.cid, i.information_buffer.into_owned()));
            }
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn command_before_open_gets_function_error_not_opened() {
    let (mut host, handle) = start(scenario(""));
    let tid = host.request(&DeviceCapsQuery).await;
    assert_eq!(
        host.reply().await,
        Message::FunctionError {
            transaction_id: tid,
            error_status_code: ProtocolErrorCode::NOT_OPENED
        }
    );
    host.open().await;
    host.call(&DeviceCapsQuery).await;
    // After CLOSE it is not open any more.
    host.send(&Message::Close { transaction_id: 99 }).await;
    assert_eq!(
        host.reply().await,
        Message::CloseDone {
            transaction_id: 99,
            status: Status::SUCCESS
        }
    );
    let tid = host.request(&DeviceCapsQuery).await;
    assert!(matches!(
        host.reply().await,
        Message::FunctionError { transaction_id, error_status_code: ProtocolErrorCode::NOT_OPENED } if transaction_id == tid
    ));
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn repeated_open_with_new_tids_host_error_and_reopen_are_tolerated() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    host.open().await;
    host.send(&Message::HostError {
        transaction_id: 7,
        error_status_code: ProtocolErrorCode::TIMEOUT_FRAGMENT,
    })
    .await;
    host.call(&DeviceCapsQuery).await;
    host.send(&Message::Close { transaction_id: 50 }).await;
    host.reply().await;
    host.open().await;
    host.call(&DeviceCapsQuery).await;
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unknown_cids_and_services_get_no_device_support() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    for (svc, cid, ct) in [
        (BASIC_CONNECT, 99, CommandType::QUERY),
        // DEVICE_CAPS cannot be set.
        (BASIC_CONNECT, bc::cid::DEVICE_CAPS, CommandType::SET),
        (
            BASIC_CONNECT,
            bc::cid::MULTICARRIER_PROVIDERS,
            CommandType::QUERY,
        ),
        (mbim_proto::uuid::PHONEBOOK, 1, CommandType::QUERY),
        (MS_BASIC_CONNECT_EXTENSIONS, 15, CommandType::QUERY),
        (mbim_proto::wire::Uuid([7; 16]), 1, CommandType::QUERY),
    ] {
        let tid = host.command(svc, cid, ct, &[]).await;
        let Message::CommandDone(d) = host.reply().await else {
            panic!()
        };
        assert_eq!(d.transaction_id, tid);
        assert_eq!(d.status, Status::NO_DEVICE_SUPPORT, "{svc} {cid}");
    }
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn malformed_payloads_get_invalid_parameters() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let tid = host
        .command(
            BASIC_CONNECT,
            bc::cid::RADIO_STATE,
            CommandType::SET,
            &[1, 0],
        )
        .await;
    let Message::CommandDone(d) = host.reply().await else {
        panic!()
    };
    assert_eq!(
        (d.transaction_id, d.status),
        (tid, Status::INVALID_PARAMETERS)
    );
    // A session id beyond max_sessions.
    assert_eq!(
        host.status_of(&connect(8, "internet")).await,
        Status::INVALID_PARAMETERS
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn host_fragments_are_reassembled_and_bad_sequences_refused() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let req = SetProvisionedContext {
        context_id: u32::MAX,
        context_type: CONTEXT_TYPE_INTERNET,
        access_string: "a-rather-long-apn.example.net".into(),
        user_name: "someone".into(),
        password: "secret".into(),
        ..SetProvisionedContext::default()
    };
    let msg = req.to_message(40).unwrap().to_bytes().unwrap();
    let frags = fragment(&msg, 64).unwrap();
    assert!(frags.len() >= 3);
    for f in &frags {
        host.send_bytes(f).await;
    }
    let Message::CommandDone(d) = host.reply().await else {
        panic!()
    };
    assert_eq!((d.transaction_id, d.status), (40, Status::SUCCESS));
    let info = bc::ProvisionedContextsInfo::decode(&d.information_buffer).unwrap();
    assert_eq!(info.contexts.len(), 2);
    assert_eq!(info.contexts[1].context_id, 2);
    assert_eq!(
        info.contexts[1].access_string,
        "a-rather-long-apn.example.net"
    );

    // Fragment 1 without fragment 0.
    let msg = req.to_message(41).unwrap().to_bytes().unwrap();
    let frags = fragment(&msg, 64).unwrap();
    host.send_bytes(&frags[1]).await;
    assert_eq!(
        host.reply().await,
        Message::FunctionError {
            transaction_id: 41,
            error_status_code: ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE
        }
    );
    // A collection left incomplete times out.
    host.send_bytes(&frags[0]).await;
    assert_eq!(
        host.reply().await,
        Message::FunctionError {
            transaction_id: 41,
            error_status_code: ProtocolErrorCode::TIMEOUT_FRAGMENT
        }
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn responses_are_fragmented_at_the_smaller_max_control_transfer() {
    let mut text = String::from("[device]\nmax_control_transfer = 256\n");
    for i in 0..6 {
        text += &format!("[[network]]\nid = \"0010{i}\"\nname = \"Network number {i}\"\n");
    }
    for (host_max, limit) in [(4096u32, 256usize), (100, 100)] {
        let (mut host, handle) = start(scenario(&text));
        host.send(&Message::Open {
            transaction_id: 1,
            max_control_transfer: host_max,
        })
        .await;
        host.reply().await;
        host.next_tid = 2;
        host.request(&bc::VisibleProvidersReq::default()).await;
        let mut r = Reassembler::default();
        let mut n = 0;
        let whole = loop {
            let Got::Piece(p) = host.piece().await else {
                panic!("response incomplete")
            };
            assert!(p.len() <= limit, "{} > {limit}", p.len());
            n += 1;
            if let Reassembled::Complete(m) = r.push(std::time::Instant::now(), &p).unwrap() {
                break m;
            }
        };
        assert!(n > 1);
        let Message::CommandDone(d) = Message::decode(&whole).unwrap() else {
            panic!()
        };
        let p = Providers::decode(&d.information_buffer).unwrap();
        assert_eq!(p.providers.len(), 6);
        assert_eq!(p.providers[5].provider_name, "Network number 5");
        handle.stop().await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn radio_off_sends_register_packet_and_connect_indications() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    host.call(&connect(0, "internet")).await;
    host.call(&SetRadioState {
        radio_state: bc::RadioSwitchState::OFF,
    })
    .await;
    let ind = indications(&mut host).await;
    let cids: Vec<u32> = ind.iter().map(|(c, _)| *c).collect();
    assert!(cids.contains(&bc::cid::CONNECT), "{cids:?}");
    assert!(cids.contains(&bc::cid::PACKET_SERVICE), "{cids:?}");
    assert!(cids.contains(&bc::cid::REGISTER_STATE), "{cids:?}");
    for (c, p) in &ind {
        match *c {
            bc::cid::CONNECT => assert_eq!(
                bc::ConnectInfo::decode(p).unwrap().activation_state,
                ActivationState::DEACTIVATED
            ),
            bc::cid::REGISTER_STATE => assert_eq!(
                bc::RegistrationStateInfo::decode(p).unwrap().register_state,
                RegisterState::DEREGISTERED
            ),
            _ => {}
        }
    }
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn subscribe_list_limits_indications() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let list = DeviceServiceSubscribeList {
        events: vec![EventEntry {
            device_service_id: BASIC_CONNECT,
            cids: vec![bc::cid::SIGNAL_STATE],
        }],
    };
    assert_eq!(host.call(&list).await, list);
    handle.trigger(EventKind::Register {
        state: RegisterState::ROAMING,
        provider_id: "00102".into(),
        provider_name: String::new(),
    });
    handle.trigger(EventKind::Signal {
        rssi: 7,
        error_rate: None,
    });
    let ind = indications(&mut host).await;
    assert_eq!(ind.len(), 1, "{ind:?}");
    assert_eq!(ind[0].0, bc::cid::SIGNAL_STATE);
    assert_eq!(bc::SignalStateInfo::decode(&ind[0].1).unwrap().rssi, 7);
    // The registration did change, only silently.
    let reg = host.call(&bc::RegisterStateQuery).await;
    assert_eq!(reg.register_state, RegisterState::ROAMING);
    assert_eq!(reg.provider_name, "Other Network");
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn no_indications_while_closed() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    host.send(&Message::Close { transaction_id: 9 }).await;
    host.reply().await;
    handle.trigger(EventKind::Signal {
        rssi: 3,
        error_rate: None,
    });
    assert!(matches!(host.piece().await, Got::Nothing));
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn timeline_events_happen_at_their_time_after_open() {
    let (mut host, handle) = start(scenario(
        r#"
        [[sms]]
        pdu = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"
        [[event]]
        at = 5
        kind = "signal"
        rssi = 4
        [[event]]
        at = 6.5
        kind = "sms"
        pdu = "0001000B915121551532F400000CC8F79D9C07E54F61363B04"
        [[event]]
        at = 8
        kind = "disconnect"
        "#,
    ));
    let t0 = tokio::time::Instant::now();
    host.open().await;
    host.call(&connect(2, "internet")).await;
    let first = host.message().await;
    let Message::IndicateStatus(i) = first else {
        panic!("{first:?}")
    };
    assert_eq!(i.cid, bc::cid::SIGNAL_STATE);
    assert!(t0.elapsed() >= Duration::from_secs(5));
    let second = host.message().await;
    let Message::IndicateStatus(i) = second else {
        panic!("{second:?}")
    };
    // The SMS arrival is announced by SMS MESSAGE_STORE_STATUS.
    assert_eq!((i.service, i.cid), (mbim_proto::uuid::SMS, 5));
    assert!(t0.elapsed() >= Duration::from_millis(6500));
    let third = host.message().await;
    let Message::IndicateStatus(i) = third else {
        panic!("{third:?}")
    };
    assert_eq!(i.cid, bc::cid::CONNECT);
    assert_eq!(
        bc::ConnectInfo::decode(&i.information_buffer)
            .unwrap()
            .session_id,
        2
    );
    assert!(t0.elapsed() >= Duration::from_secs(8));
    let (_, device) = handle.stop().await.unwrap();
    let store = &device.modem().sms_store;
    assert_eq!(store.len(), 2);
    assert_eq!(store[1].index, 2);
    assert_eq!(store[1].pdu[..4], [0x00, 0x01, 0x00, 0x0B]);
}

#[tokio::test(start_paused = true)]
async fn a_second_scan_while_scanning_is_busy() {
    let (mut host, handle) = start(scenario("[timing]\nscan_ms = 5000\n"));
    host.open().await;
    let first = host.request(&bc::VisibleProvidersReq::default()).await;
    assert_eq!(
        host.status_of(&bc::VisibleProvidersReq::default()).await,
        Status::BUSY
    );
    let Message::CommandDone(d) = host.reply().await else {
        panic!()
    };
    assert_eq!((d.transaction_id, d.status), (first, Status::SUCCESS));
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
async fn plan_decides_connect_and_internet() {
    for (plan, status, internet) in [
        ("cold", Status::SERVICE_NOT_ACTIVATED, None),
        ("warm", Status::SUCCESS, Some(false)),
        ("hot", Status::SUCCESS, Some(true)),
    ] {
        let (mut host, handle) = start(scenario(&format!("[sim]\nplan = \"{plan}\"\n")));
        host.open().await;
        assert_eq!(
            host.status_of(&connect(0, "internet")).await,
            status,
            "{plan}"
        );
        let (_, device) = handle.stop().await.unwrap();
        assert_eq!(device.modem().internet(0), internet, "{plan}");
    }
}

#[tokio::test(start_paused = true)]
async fn buying_a_plan_makes_a_warm_session_reach_the_internet() {
    let (mut host, handle) = start(scenario("[sim]\nplan = \"warm\"\n"));
    host.open().await;
    host.call(&connect(0, "internet")).await;
    let internet = |d: &mbimd::sim::Device| d.modem().internet(0);
    assert_eq!(handle.inspect(internet).await, Some(Some(false)));
    handle.trigger(EventKind::Plan {
        plan: mbimd::sim::scenario::Plan::Hot,
    });
    assert_eq!(handle.inspect(internet).await, Some(Some(true)));
    assert_eq!(handle.inspect(|d| d.modem().internet(1)).await, Some(None));
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn pin_retries_run_out_into_puk_and_puk_sets_a_new_pin() {
    let (mut host, handle) = start(scenario(
        "[sim]\nlock = \"pin\"\npin = \"1111\"\npin_retries = 2\npuk = \"87654321\"\n",
    ));
    host.open().await;
    let enter = |t, pin: &str, new_pin: &str| SetPin {
        pin_type: t,
        pin_operation: PinOperation::ENTER,
        pin: pin.into(),
        new_pin: new_pin.into(),
    };
    assert_eq!(
        host.status_of(&connect(0, "internet")).await,
        Status::PIN_REQUIRED
    );
    assert_eq!(
        host.status_of(&enter(PinType::PIN1, "0000", "")).await,
        Status::FAILURE
    );
    assert_eq!(
        host.status_of(&enter(PinType::PIN1, "0000", "")).await,
        Status::FAILURE
    );
    let pin = host.call(&bc::PinQuery).await;
    assert_eq!(
        (pin.pin_type, pin.pin_state, pin.remaining_attempts),
        (PinType::PUK1, PinState::LOCKED, 10)
    );
    let ok = host.call(&enter(PinType::PUK1, "87654321", "2222")).await;
    assert_eq!(ok.pin_state, PinState::UNLOCKED);
    let ready = indications(&mut host).await;
    assert!(
        ready
            .iter()
            .any(|(c, _)| *c == bc::cid::SUBSCRIBER_READY_STATUS)
    );
    assert!(ready.iter().any(|(c, _)| *c == bc::cid::REGISTER_STATE));
    host.call(&connect(0, "internet")).await;
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn mbimex_version_exchange_agrees_on_the_lower_version() {
    let (mut host, handle) = start(scenario("[device]\nmbimex_version = \"2.0\"\n"));
    host.open().await;
    let services = host.call(&bc::DeviceServicesQuery).await;
    let bce = services
        .device_services
        .iter()
        .find(|s| s.device_service_id == MS_BASIC_CONNECT_EXTENSIONS)
        .expect("MS-BCE listed");
    // VERSION (15) and the query CIDs the simulator answers (DEVICE_CAPS 6, ...).
    assert!(bce.cids.contains(&15), "{:?}", bce.cids);
    assert!(bce.cids.contains(&6), "{:?}", bce.cids);
    // The host asks for 3.0; a 2.0 device answers 2.0.
    let tid = host
        .command(
            MS_BASIC_CONNECT_EXTENSIONS,
            15,
            CommandType::QUERY,
            &[0x00, 0x01, 0x00, 0x03],
        )
        .await;
    let Message::CommandDone(d) = host.reply().await else {
        panic!()
    };
    assert_eq!((d.transaction_id, d.status), (tid, Status::SUCCESS));
    assert_eq!(
        d.information_buffer,
        Cow::Borrowed(&[0x00, 0x01, 0x00, 0x02][..])
    );
    // MBIMEx 2.0 SIGNAL_STATE: the 1.0 fields plus an (empty) RSRP/SNR list.
    let tid = host.request(&bc::SignalStateQuery).await;
    let Message::CommandDone(d) = host.reply().await else {
        panic!()
    };
    assert_eq!(d.transaction_id, tid);
    // An empty list is an OL pair of zeros: 5 u32 + offset + size.
    assert_eq!(d.information_buffer.len(), 28);
    let sig =
        mbim_proto::services::basic_connect_v2::SignalStateInfoV2::decode(&d.information_buffer)
            .unwrap();
    assert_eq!((sig.rssi, sig.rsrp_snr.len()), (20, 0));
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn every_listed_basic_connect_query_is_answered() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let services = host.call(&bc::DeviceServicesQuery).await;
    let bc_cids = &services.device_services[0].cids;
    assert_eq!(services.device_services[0].device_service_id, BASIC_CONNECT);
    // Queries need a session-id payload for these CIDs; the others are empty.
    let session_payload = |cid| match cid {
        bc::cid::CONNECT => bc::ConnectQuery::session(0).to_bytes().unwrap(),
        bc::cid::IP_CONFIGURATION => bc::IpConfigurationQuery::session(0).to_bytes().unwrap(),
        bc::cid::IP_PACKET_FILTERS => bc::PacketFilters::default().to_bytes().unwrap(),
        bc::cid::VISIBLE_PROVIDERS => bc::VisibleProvidersReq::default().to_bytes().unwrap(),
        _ => Vec::new(),
    };
    host.call(&connect(0, "internet")).await;
    for &cid in bc_cids {
        if matches!(
            cid,
            bc::cid::SERVICE_ACTIVATION | bc::cid::DEVICE_SERVICE_SUBSCRIBE_LIST
        ) {
            continue; // set-only CIDs
        }
        let tid = host
            .command(
                BASIC_CONNECT,
                cid,
                CommandType::QUERY,
                &session_payload(cid),
            )
            .await;
        let Message::CommandDone(d) = host.reply().await else {
            panic!()
        };
        assert_eq!(d.transaction_id, tid);
        assert_eq!(d.status, Status::SUCCESS, "cid {cid}");
        let decoded = mbim_proto::decode_payload(
            &BASIC_CONNECT,
            cid,
            mbim_proto::Kind::Response,
            mbim_proto::ExtendedVersion::V1,
            &d.information_buffer,
        );
        assert!(decoded.is_ok(), "cid {cid}: {decoded:?}");
    }
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn denied_registration_reports_its_cause_and_blocks_attach_and_connect() {
    let (mut host, handle) = start(scenario(
        "[registration]\nstate = \"denied\"\nnw_error = \"plmn-not-allowed\"\n",
    ));
    host.open().await;
    let reg = host.call(&bc::RegisterStateQuery).await;
    assert_eq!(reg.register_state, RegisterState::DENIED);
    assert_eq!(reg.nw_error, bc::NwError::PLMN_NOT_ALLOWED);
    assert_eq!(
        host.status_of(&bc::SetPacketService {
            packet_service_action: bc::PacketServiceAction::ATTACH
        })
        .await,
        Status::NOT_REGISTERED
    );
    assert_eq!(
        host.status_of(&connect(0, "internet")).await,
        Status::NOT_REGISTERED
    );
    // Manual selection of a forbidden network is denied too; of an unseen one, not visible.
    let manual = |id: &str| bc::SetRegistrationState {
        provider_id: id.into(),
        register_action: bc::RegisterAction::MANUAL,
        data_class: bc::DataClass::NONE,
    };
    assert_eq!(host.status_of(&manual("00102")).await, Status::FAILURE);
    assert_eq!(
        host.status_of(&manual("99999")).await,
        Status::PROVIDER_NOT_VISIBLE
    );
    let reg = host.call(&manual("00101")).await;
    assert_eq!(reg.register_state, RegisterState::HOME);
    assert_eq!(reg.register_mode, bc::RegisterMode::MANUAL);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn signal_is_reported_every_interval_once_set() {
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let t0 = tokio::time::Instant::now();
    host.call(&bc::SetSignalState {
        signal_strength_interval: 10,
        rssi_threshold: 0,
        error_rate_threshold: 0,
    })
    .await;
    let mut at = Vec::new();
    for _ in 0..3 {
        let Message::IndicateStatus(i) = host.message().await else {
            panic!()
        };
        assert_eq!(i.cid, bc::cid::SIGNAL_STATE);
        at.push(t0.elapsed().as_secs());
    }
    assert_eq!(at, [10, 20, 30]);
    // Interval 0 stops the reports.
    host.call(&bc::SetSignalState::default()).await;
    assert!(matches!(host.piece().await, Got::Nothing));
    handle.stop().await.unwrap();
}
