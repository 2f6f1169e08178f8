//! The simulated function at MBIMEx 3.0 and its phonebook, with our own raw
//! host: every listed query answers in the layout `mbim_proto` expects for
//! the negotiated version, indications follow that version, a new OPEN
//! returns to 1.0 layouts, and the phonebook's write/delete/full/gating
//! rules. In-process, paused time.

mod common;

use common::{Got, Host, scenario, start};
use mbim_proto::message::{CommandType, Message};
use mbim_proto::services::basic_connect::{
    self as bc, ActivationCommand, ActivationState, ContextIpType, RadioSwitchState, SetRadioState,
};
use mbim_proto::services::basic_connect_v3::{
    ConnectInfoV3, ConnectQueryV3, PacketFilterV3, PacketFiltersV3, SetConnectV3,
};
use mbim_proto::services::ms_basic_connect_extensions::{self as ms_bce, SlotInfoReq, Version};
use mbim_proto::services::phonebook::{
    PhonebookConfigurationInfo, PhonebookConfigurationQuery, PhonebookFlag, PhonebookReadReq,
    PhonebookWriteFlag, SetPhonebookDelete, SetPhonebookWrite,
};
use mbim_proto::services::{
    Decoded, ExtendedVersion, Kind, Payload, RawBytes, basic_connect_v2 as v2,
    basic_connect_v3 as v3, decode_payload,
};
use mbim_proto::uuid::{
    BASIC_CONNECT, CONTEXT_TYPE_INTERNET, MS_BASIC_CONNECT_EXTENSIONS, PHONEBOOK,
};
use mbim_proto::{Status, Uuid};

const V3_SCENARIO: &str = r#"
[device]
mbimex_version = "3.0"
[sim]
phonebook_capacity = 2
"#;

/// Negotiate `want` and return the version the device agreed on.
async fn negotiate(host: &mut Host, want: ExtendedVersion) -> ExtendedVersion {
    host.call(&Version::host(want)).await.extended()
}

fn connect_v3(session_id: u32, apn: &str) -> SetConnectV3 {
    SetConnectV3 {
        session_id,
        activation_command: ActivationCommand::ACTIVATE,
        access_string: apn.into(),
        ip_type: ContextIpType::IPV4V6,
        context_type: CONTEXT_TYPE_INTERNET,
        ..SetConnectV3::default()
    }
}

/// Query (service, cid) with `payload`; returns (status, response buffer).
async fn query(host: &mut Host, service: Uuid, cid: u32, payload: &[u8]) -> (Status, Vec<u8>) {
    let tid = host
        .command(service, cid, CommandType::QUERY, payload)
        .await;
    let Message::CommandDone(d) = host.reply().await else {
        panic!("expected COMMAND_DONE")
    };
    assert_eq!(d.transaction_id, tid);
    (d.status, d.information_buffer.into_owned())
}

/// Collect indications until the device goes quiet: (service, cid, payload).
async fn indications(host: &mut Host) -> Vec<(Uuid, u32, Vec<u8>)> {
    let mut out = Vec::new();
    while let Got::Piece(p) = host.piece().await {
        if let Message::IndicateStatus(i) = Message::decode(&p).unwrap() {
            out.push((i.service, i.cid, i.information_buffer.into_owned()));
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn every_listed_query_answers_in_the_layout_of_the_negotiated_3_0() {
    let (mut host, handle) = start(scenario(V3_SCENARIO));
    host.open().await;
    assert_eq!(
        negotiate(&mut host, ExtendedVersion::V4).await,
        ExtendedVersion::V3
    );
    let c = host.call(&connect_v3(0, "internet")).await;
    assert_eq!(c.activation_state, ActivationState::ACTIVATED);
    assert_eq!(c.access_string, "internet");
    let services = host.call(&bc::DeviceServicesQuery).await;
    let mut checked = 0;
    for s in &services.device_services {
        let svc = s.device_service_id;
        if svc != BASIC_CONNECT && svc != MS_BASIC_CONNECT_EXTENSIONS {
            continue; // the other services have no versioned layouts
        }
        for &cid in &s.cids {
            let payload = match (svc == BASIC_CONNECT, cid) {
                (true, bc::cid::SERVICE_ACTIVATION | bc::cid::DEVICE_SERVICE_SUBSCRIBE_LIST) => {
                    continue; // set-only
                }
                (true, bc::cid::CONNECT) => ConnectQueryV3 { session_id: 0 }.to_bytes(),
                (true, bc::cid::IP_CONFIGURATION) => {
                    bc::IpConfigurationQuery::session(0).to_bytes()
                }
                (true, bc::cid::IP_PACKET_FILTERS) => PacketFiltersV3::default().to_bytes(),
                (true, bc::cid::VISIBLE_PROVIDERS) => bc::VisibleProvidersReq::default().to_bytes(),
                (false, ms_bce::cid::SLOT_INFO_STATUS) => SlotInfoReq { slot_index: 0 }.to_bytes(),
                (false, ms_bce::cid::VERSION) => Version::host(ExtendedVersion::V3).to_bytes(),
                _ => Ok(Vec::new()),
            }
            .unwrap();
            let (status, info) = query(&mut host, svc, cid, &payload).await;
            assert_eq!(status, Status::SUCCESS, "{svc} cid {cid}");
            let decoded = decode_payload(&svc, cid, Kind::Response, ExtendedVersion::V3, &info);
            assert!(decoded.is_ok(), "{svc} cid {cid}: {decoded:?}");
            checked += 1;
        }
    }
    assert!(checked >= 24, "only {checked} queries checked");
    // Spot-check the payloads 3.0 redefines.
    let (_, info) = query(
        &mut host,
        BASIC_CONNECT,
        bc::cid::SUBSCRIBER_READY_STATUS,
        &[],
    )
    .await;
    assert!(matches!(
        decode_payload(&BASIC_CONNECT, 2, Kind::Response, ExtendedVersion::V3, &info),
        Ok(Decoded::BasicConnectV3(v3::Any::SubscriberReadyInfoV3(s))) if s.subscriber_id == "001010123456789"
    ));
    let (_, info) = query(
        &mut host,
        MS_BASIC_CONNECT_EXTENSIONS,
        ms_bce::cid::DEVICE_CAPS,
        &[],
    )
    .await;
    let caps = ms_bce::DeviceCapsInfoV3::decode(&info).unwrap();
    assert_eq!(caps.device_id, "359072060000001");
    assert_eq!(caps.lte_band_class, [1, 3, 7, 20]);
    let (_, info) = query(
        &mut host,
        MS_BASIC_CONNECT_EXTENSIONS,
        ms_bce::cid::LTE_ATTACH_INFO,
        &[],
    )
    .await;
    let lte = ms_bce::LteAttachInfoV3::decode(&info).unwrap();
    assert_eq!(lte.lte_attach_state, ms_bce::LteAttachState::ATTACHED);
    assert_eq!(lte.access_string, "internet");
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn indications_follow_3_0_and_a_new_open_returns_to_1_0() {
    let (mut host, handle) = start(scenario(V3_SCENARIO));
    host.open().await;
    negotiate(&mut host, ExtendedVersion::V3).await;
    host.call(&connect_v3(1, "internet")).await;
    host.call(&SetRadioState {
        radio_state: RadioSwitchState::OFF,
    })
    .await;
    let got = indications(&mut host).await;
    let decode = |cid: u32| {
        let (s, c, p) = got
            .iter()
            .find(|(s, c, _)| *s == BASIC_CONNECT && *c == cid)
            .unwrap_or_else(|| panic!("no indication for cid {cid}: {got:?}"));
        decode_payload(s, *c, Kind::Indication, ExtendedVersion::V3, p).unwrap()
    };
    assert!(matches!(
        decode(bc::cid::CONNECT),
        Decoded::BasicConnectV3(v3::Any::ConnectInfoV3(ConnectInfoV3 {
            session_id: 1,
            activation_state: ActivationState::DEACTIVATED,
            ..
        }))
    ));
    assert!(matches!(
        decode(bc::cid::PACKET_SERVICE),
        Decoded::BasicConnectV3(v3::Any::PacketServiceInfoV3(p)) if p.packet_service_state == bc::PacketServiceState::DETACHED
    ));
    // REGISTER_STATE keeps its 2.0 layout under 3.0.
    assert!(matches!(
        decode(bc::cid::REGISTER_STATE),
        Decoded::BasicConnectV2(v2::Any::RegistrationStateInfoV2(r)) if r.register_state == bc::RegisterState::DEREGISTERED
    ));

    // A new OPEN without VERSION: 1.0 layouts again.
    host.open().await;
    let sub = host.call(&bc::SubscriberReadyStatusQuery).await;
    assert_eq!(sub.subscriber_id, "001010123456789");
    let c = host.call(&bc::ConnectQuery::session(1)).await;
    assert_eq!(c.activation_state, ActivationState::DEACTIVATED);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn packet_filters_keep_their_3_0_filter_ids() {
    let (mut host, handle) = start(scenario(V3_SCENARIO));
    host.open().await;
    negotiate(&mut host, ExtendedVersion::V3).await;
    let filter = |id: u32, last: u8| PacketFilterV3 {
        packet_filter: RawBytes(vec![0x45, 0, 0, last]),
        packet_mask: RawBytes(vec![0xff, 0, 0, 0xff]),
        filter_id: id,
    };
    let set = PacketFiltersV3 {
        session_id: 0,
        packet_filters: vec![filter(7, 1), filter(9, 2)],
    };
    let r = host.call(&set).await;
    assert_eq!(r, set);
    let (status, info) = query(
        &mut host,
        BASIC_CONNECT,
        bc::cid::IP_PACKET_FILTERS,
        &PacketFiltersV3::default().to_bytes().unwrap(),
    )
    .await;
    assert_eq!(status, Status::SUCCESS);
    assert_eq!(PacketFiltersV3::decode(&info).unwrap(), set);
    // A 1.0-layout CONNECT set does not decode as 3.0: refused, not misread.
    let v1 = bc::SetConnect {
        session_id: 0,
        activation_command: ActivationCommand::ACTIVATE,
        access_string: "internet".into(),
        ..bc::SetConnect::default()
    };
    assert_eq!(host.status_of(&v1).await, Status::INVALID_PARAMETERS);
    handle.stop().await.unwrap();
}

fn write(flag: PhonebookWriteFlag, index: u32, number: &str, name: &str) -> SetPhonebookWrite {
    SetPhonebookWrite {
        save_flag: flag,
        save_index: index,
        number: number.into(),
        name: name.into(),
    }
}

#[tokio::test(start_paused = true)]
async fn phonebook_fills_up_announces_changes_and_needs_the_sim() {
    let (mut host, handle) = start(scenario(V3_SCENARIO));
    host.open().await;
    let conf = host.call(&PhonebookConfigurationQuery).await;
    assert_eq!((conf.total_number_of_entries, conf.used_entries), (2, 0));
    host.call(&write(
        PhonebookWriteFlag::SAVE_UNUSED,
        0,
        "+15550001",
        "One",
    ))
    .await;
    // The write is announced with the new used-entry count.
    let got = indications(&mut host).await;
    let conf = got
        .iter()
        .find(|(s, c, _)| *s == PHONEBOOK && *c == 1)
        .map(|(_, _, p)| PhonebookConfigurationInfo::decode(p).unwrap())
        .expect("CONFIGURATION indication");
    assert_eq!(conf.used_entries, 1);
    host.call(&write(
        PhonebookWriteFlag::SAVE_UNUSED,
        0,
        "+15550002",
        "Two",
    ))
    .await;
    assert_eq!(
        host.status_of(&write(
            PhonebookWriteFlag::SAVE_UNUSED,
            0,
            "+15550003",
            "Three"
        ))
        .await,
        Status::MEMORY_FULL
    );
    assert_eq!(
        host.status_of(&write(
            PhonebookWriteFlag::SAVE_INDEX,
            3,
            "+15550003",
            "Three"
        ))
        .await,
        Status::INVALID_MEMORY_INDEX
    );
    let long = "9".repeat(41);
    assert_eq!(
        host.status_of(&write(PhonebookWriteFlag::SAVE_INDEX, 1, &long, "Long"))
            .await,
        Status::INVALID_PARAMETERS
    );
    let all = host
        .call(&PhonebookReadReq {
            filter_flag: PhonebookFlag::ALL_ENTRIES,
            filter_message_index: 0,
        })
        .await;
    let got: Vec<(u32, &str)> = all
        .entries
        .iter()
        .map(|e| (e.entry_index, e.name.as_str()))
        .collect();
    assert_eq!(got, [(1, "One"), (2, "Two")]);
    host.call(&SetPhonebookDelete {
        filter_flag: PhonebookFlag::INDEX,
        filter_message_index: 1,
    })
    .await;
    let conf = host.call(&PhonebookConfigurationQuery).await;
    assert_eq!(conf.used_entries, 1);
    handle.stop().await.unwrap();

    // A locked SIM keeps its phonebook closed.
    let (mut host, handle) = start(scenario(
        "[sim]\nlock = \"pin\"\n[[phonebook]]\nindex = 1\nnumber = \"1\"\n",
    ));
    host.open().await;
    assert_eq!(
        host.status_of(&PhonebookConfigurationQuery).await,
        Status::PIN_REQUIRED
    );
    handle.stop().await.unwrap();

    // No phonebook in the scenario: not listed, not answered.
    let (mut host, handle) = start(scenario(""));
    host.open().await;
    let services = host.call(&bc::DeviceServicesQuery).await;
    assert!(
        services
            .device_services
            .iter()
            .all(|s| s.device_service_id != PHONEBOOK)
    );
    assert_eq!(
        host.status_of(&PhonebookConfigurationQuery).await,
        Status::NO_DEVICE_SUPPORT
    );
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn lte_attach_configuration_set_moves_the_default_bearer_apn() {
    use ms_bce::{
        LteAttachConfiguration, LteAttachConfigurationQuery, LteAttachContextOperation,
        LteAttachContextRoamingControl as Roaming, LteAttachInfoQuery, SetLteAttachConfiguration,
    };
    let (mut host, handle) = start(scenario(V3_SCENARIO));
    host.open().await;
    negotiate(&mut host, ExtendedVersion::V3).await;
    let factory = host.call(&LteAttachConfigurationQuery).await;
    assert_eq!(factory.configurations.len(), 3);
    let conf = |roaming, apn: &str| LteAttachConfiguration {
        ip_type: ContextIpType::IPV4,
        roaming,
        access_string: apn.into(),
        ..LteAttachConfiguration::default()
    };
    let set = SetLteAttachConfiguration {
        operation: LteAttachContextOperation::DEFAULT,
        configurations: vec![
            conf(Roaming::HOME, "ims.home"),
            conf(Roaming::PARTNER, "roam"),
        ],
    };
    let r = host.call(&set).await;
    assert_eq!(r.configurations, set.configurations);
    let (_, info) = query(
        &mut host,
        MS_BASIC_CONNECT_EXTENSIONS,
        ms_bce::cid::LTE_ATTACH_INFO,
        &LteAttachInfoQuery.to_bytes().unwrap(),
    )
    .await;
    let lte = ms_bce::LteAttachInfoV3::decode(&info).unwrap();
    assert_eq!(lte.access_string, "ims.home");
    assert_eq!(lte.ip_type, ContextIpType::IPV4);
    // The same roaming condition twice is refused.
    let twice = SetLteAttachConfiguration {
        operation: LteAttachContextOperation::DEFAULT,
        configurations: vec![conf(Roaming::HOME, "a"), conf(Roaming::HOME, "b")],
    };
    assert_eq!(host.status_of(&twice).await, Status::INVALID_PARAMETERS);
    let restored = host
        .call(&SetLteAttachConfiguration {
            operation: LteAttachContextOperation::RESTORE_FACTORY,
            configurations: Vec::new(),
        })
        .await;
    assert_eq!(restored, factory);
    handle.stop().await.unwrap();
}

#[test]
fn phonebook_entries_outside_the_capacity_or_repeated_are_refused() {
    use mbimd::sim::scenario::Scenario;
    let bad = [
        "[sim]\nphonebook_capacity = 2\n[[phonebook]]\nindex = 3\nnumber = \"1\"\n",
        "[[phonebook]]\nindex = 0\nnumber = \"1\"\n",
        "[[phonebook]]\nindex = 1\nnumber = \"1\"\n[[phonebook]]\nindex = 1\nnumber = \"2\"\n",
    ];
    for toml in bad {
        assert!(Scenario::from_toml(toml, "t").is_err(), "{toml}");
    }
    let ok = Scenario::from_toml("[[phonebook]]\nindex = 7\nnumber = \"1\"\n", "t").unwrap();
    assert!(ok.has_phonebook());
    assert!(!Scenario::builtin().has_phonebook());
}

#[test]
fn every_shipped_scenario_file_loads() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = mbimd::sim::scenario::Scenario::load(&path);
            assert!(s.is_ok(), "{}: {:?}", path.display(), s.err());
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} scenario files");
    let v3 = mbimd::sim::scenario::Scenario::load(std::path::Path::new(&format!(
        "{dir}/mbimex-v3-phonebook.toml"
    )))
    .unwrap();
    assert_eq!(v3.device.mbimex_version, 0x0300);
    assert_eq!(v3.phonebook.len(), 2);
}
