//! Basic Connect vectors: every (CID, kind) of the Basic Connect payload table
//! has at least one annotated whole-message vector in `tests/vectors/`, laid
//! out by hand from the MBIM 1.0 structures (and cross-checked with libmbim's
//! printer). Each is checked both ways against a value written out here.
//! The `_invalid_` vectors carry one deliberate defect each; decoding them
//! must fail naming the field and the byte offset.
//!
//! Cross-checks done when the vectors were written (libmbim 1.28, not run
//! here): every valid vector prints with all fields through
//! `mbim_message_get_printable_full`; the host-built ones (sets and queries
//! with a payload) are byte-identical, TransactionId aside, to what libmbim's
//! `mbim_message_*_new` builders produce, except SERVICE_ACTIVATION set, whose
//! unsized trailing buffer libmbim pads and we do not (see that vector).
//! libmbim accepts the misaligned-offset and odd-size-string vectors; we
//! reject them (MBIM 1.0 §10.3, §10.4).

mod common;

use common::{check_vector, read_vector, vector_path};
use mbim_proto::message::{MessageType, decode_in_message};
use mbim_proto::services::basic_connect::*;
use mbim_proto::services::{Decoded, Kind, RawBytes, decode_payload};
use mbim_proto::uuid as u;
use mbim_proto::{DecodeError, DecodeErrorKind, ExtendedVersion, Message, Uuid};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

fn bc(p: Any) -> Decoded {
    Decoded::BasicConnect(p)
}

fn s(x: &str) -> String {
    x.to_string()
}

fn provider(id: &str, state: u32, name: &str, cc: u32, rssi: u32, error_rate: u32) -> Provider {
    Provider {
        provider_id: s(id),
        provider_state: ProviderState(state),
        provider_name: s(name),
        cellular_class: CellularClass(cc),
        rssi,
        error_rate,
    }
}

fn providers(list: Vec<Provider>) -> Any {
    Any::Providers(Providers { providers: list })
}

// ---------------------------------------------------------------------------
// Coverage and naming
// ---------------------------------------------------------------------------

/// Every valid vector file, with the (CID, kind) its message carries.
fn valid_vectors() -> Vec<(String, u32, Kind)> {
    let dir = vector_path("");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("vectors dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf8");
        // MBIMEx 2.0/3.0 layouts (`_v2_`, `_v3_`) are checked in vectors_basic_connect_v2v3.rs.
        if !name.starts_with("basic_connect_")
            || name.contains("_invalid_")
            || name.contains("_v2_")
            || name.contains("_v3_")
        {
            continue;
        }
        let bytes = read_vector(&name);
        let m = Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let kind = Kind::of(&m).expect("payload message");
        let (service, cid, _) = m.payload().expect("payload");
        assert_eq!(service, u::BASIC_CONNECT, "{name}");
        out.push((name, cid, kind));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_table_entry_has_a_vector() {
    let have: BTreeSet<(u32, String)> = valid_vectors()
        .into_iter()
        .map(|(_, c, k)| (c, format!("{k:?}")))
        .collect();
    let missing: Vec<_> = Any::KEYS
        .iter()
        .filter(|(c, k)| !have.contains(&(*c, format!("{k:?}"))))
        .collect();
    assert!(missing.is_empty(), "no vector for {missing:?}");
}

#[test]
fn vector_file_names_match_their_cid_and_kind() {
    for (name, cid, kind) in valid_vectors() {
        let cid_name = mbim_proto::services::cid_name(&u::BASIC_CONNECT, cid)
            .expect("named CID")
            .replace('-', "_");
        let kind_name = match kind {
            Kind::Query => "query",
            Kind::Set => "set",
            Kind::Response => "response",
            Kind::Indication => "indication",
        };
        let prefix = format!("basic_connect_{cid_name}_{kind_name}_");
        assert!(
            name.starts_with(&prefix),
            "{name} should start with {prefix}"
        );
    }
}

/// Every valid vector is exercised by a test in this file: the list below
/// is compared with the directory so a new file cannot go unchecked.
#[test]
fn every_valid_vector_is_checked_here() {
    let source = include_str!("vectors_basic_connect.rs");
    for (name, _, _) in valid_vectors() {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{name} is not checked by any test"
        );
    }
}

// ---------------------------------------------------------------------------
// 1 DEVICE_CAPS
// ---------------------------------------------------------------------------

#[test]
fn device_caps_vectors() {
    check_vector(
        "basic_connect_device_caps_query_empty.hex",
        bc(Any::DeviceCapsQuery(DeviceCapsQuery)),
    );
    let m = check_vector(
        "basic_connect_device_caps_response_mbimcli.hex",
        bc(Any::DeviceCapsInfo(DeviceCapsInfo {
            device_type: DeviceType::EMBEDDED,
            cellular_class: CellularClass::GSM,
            voice_class: VoiceClass::NO_VOICE,
            sim_class: SimClass::REMOVABLE,
            data_class: DataClass::GPRS
                | DataClass::EDGE
                | DataClass::UMTS
                | DataClass::HSDPA
                | DataClass::HSUPA
                | DataClass::LTE,
            sms_caps: SmsCaps::PDU_RECEIVE | SmsCaps::PDU_SEND,
            control_caps: CtrlCaps::REG_MANUAL,
            max_sessions: 8,
            custom_data_class: String::new(),
            device_id: s("867530900000001"),
            firmware_info: s("FAKEFW.01.02.03"),
            hardware_info: s("FAKEHW-rev1"),
        })),
    );
    // The transcript's framing: 200 bytes, TID 2, InformationBufferLength 152.
    assert_eq!(m.encoded_len(), 200);
    assert_eq!(m.transaction_id(), 2);
    check_vector(
        "basic_connect_device_caps_response_custom_class.hex",
        bc(Any::DeviceCapsInfo(DeviceCapsInfo {
            device_type: DeviceType::REMOVABLE,
            cellular_class: CellularClass::GSM | CellularClass::CDMA,
            voice_class: VoiceClass::SIMULTANEOUS_VOICE_DATA,
            sim_class: SimClass::LOGICAL,
            data_class: DataClass::LTE | DataClass::NR5G_SA | DataClass::CUSTOM,
            sms_caps: SmsCaps(0xf),
            control_caps: CtrlCaps::MULTI_CARRIER | CtrlCaps::ESIM,
            max_sessions: 16,
            custom_data_class: s("HSPA+"),
            device_id: s("35000000000000A"),
            firmware_info: s("RM500Q.v2"),
            hardware_info: s("Rev ß"),
        })),
    );
}

// ---------------------------------------------------------------------------
// 2 SUBSCRIBER_READY_STATUS
// ---------------------------------------------------------------------------

#[test]
fn subscriber_ready_status_vectors() {
    check_vector(
        "basic_connect_subscriber_ready_status_query_empty.hex",
        bc(Any::SubscriberReadyStatusQuery(SubscriberReadyStatusQuery)),
    );
    check_vector(
        "basic_connect_subscriber_ready_status_response_two_numbers.hex",
        bc(Any::SubscriberReadyInfo(SubscriberReadyInfo {
            ready_state: SubscriberReadyState::INITIALIZED,
            subscriber_id: s("310260000000001"),
            sim_icc_id: s("89014103211118510720"),
            ready_info: ReadyInfoFlag::NONE,
            telephone_numbers: vec![s("+15555550100"), s("15555550199")],
        })),
    );
    check_vector(
        "basic_connect_subscriber_ready_status_indication_sim_not_inserted.hex",
        bc(Any::SubscriberReadyInfo(SubscriberReadyInfo {
            ready_state: SubscriberReadyState::SIM_NOT_INSERTED,
            ..SubscriberReadyInfo::default()
        })),
    );
    check_vector(
        "basic_connect_subscriber_ready_status_indication_device_locked.hex",
        bc(Any::SubscriberReadyInfo(SubscriberReadyInfo {
            ready_state: SubscriberReadyState::DEVICE_LOCKED,
            subscriber_id: s("23410"),
            sim_icc_id: s("8944"),
            ready_info: ReadyInfoFlag::PROTECT_UNIQUE_ID,
            telephone_numbers: vec![s("07700900123")],
        })),
    );
}

// ---------------------------------------------------------------------------
// 3 RADIO_STATE, 4 PIN, 5 PIN_LIST
// ---------------------------------------------------------------------------

#[test]
fn radio_state_vectors() {
    check_vector(
        "basic_connect_radio_state_query_empty.hex",
        bc(Any::RadioStateQuery(RadioStateQuery)),
    );
    check_vector(
        "basic_connect_radio_state_set_off.hex",
        bc(Any::SetRadioState(SetRadioState {
            radio_state: RadioSwitchState::OFF,
        })),
    );
    check_vector(
        "basic_connect_radio_state_response_on.hex",
        bc(Any::RadioStateInfo(RadioStateInfo {
            hw_radio_state: RadioSwitchState::ON,
            sw_radio_state: RadioSwitchState::ON,
        })),
    );
    check_vector(
        "basic_connect_radio_state_indication_hw_off.hex",
        bc(Any::RadioStateInfo(RadioStateInfo {
            hw_radio_state: RadioSwitchState::OFF,
            sw_radio_state: RadioSwitchState::ON,
        })),
    );
}

#[test]
fn pin_vectors() {
    check_vector(
        "basic_connect_pin_query_empty.hex",
        bc(Any::PinQuery(PinQuery)),
    );
    check_vector(
        "basic_connect_pin_set_enter_pin1.hex",
        bc(Any::SetPin(SetPin {
            pin_type: PinType::PIN1,
            pin_operation: PinOperation::ENTER,
            pin: s("1234"),
            new_pin: String::new(),
        })),
    );
    check_vector(
        "basic_connect_pin_set_change_pin1.hex",
        bc(Any::SetPin(SetPin {
            pin_type: PinType::PIN1,
            pin_operation: PinOperation::CHANGE,
            pin: s("1234"),
            new_pin: s("98765"),
        })),
    );
    check_vector(
        "basic_connect_pin_response_puk_locked.hex",
        bc(Any::PinInfo(PinInfo {
            pin_type: PinType::PUK1,
            pin_state: PinState::LOCKED,
            remaining_attempts: 10,
        })),
    );
}

#[test]
fn pin_list_vectors() {
    check_vector(
        "basic_connect_pin_list_query_empty.hex",
        bc(Any::PinListQuery(PinListQuery)),
    );
    let d = |mode, format, min, max| PinDesc {
        pin_mode: mode,
        pin_format: format,
        pin_length_min: min,
        pin_length_max: max,
    };
    let none = PinDesc::default();
    check_vector(
        "basic_connect_pin_list_response_mixed.hex",
        bc(Any::PinListInfo(PinListInfo {
            pin_desc_pin1: d(PinMode::ENABLED, PinFormat::NUMERIC, 4, 8),
            pin_desc_pin2: d(PinMode::DISABLED, PinFormat::NUMERIC, 4, 8),
            pin_desc_device_sim_pin: none,
            pin_desc_device_first_sim_pin: none,
            pin_desc_network_pin: d(PinMode::DISABLED, PinFormat::NUMERIC, 8, 8),
            pin_desc_network_subset_pin: none,
            pin_desc_service_provider_pin: none,
            pin_desc_corporate_pin: none,
            pin_desc_subsidy_lock: none,
            pin_desc_custom: d(PinMode::ENABLED, PinFormat::ALPHANUMERIC, 4, 16),
        })),
    );
}

// ---------------------------------------------------------------------------
// 6 HOME_PROVIDER, 7 PREFERRED_PROVIDERS, 8 VISIBLE_PROVIDERS, 24 MULTICARRIER
// ---------------------------------------------------------------------------

#[test]
fn home_provider_vectors() {
    check_vector(
        "basic_connect_home_provider_query_empty.hex",
        bc(Any::HomeProviderQuery(HomeProviderQuery)),
    );
    check_vector(
        "basic_connect_home_provider_set_provider.hex",
        bc(Any::Provider(provider("310260", 1, "T-Mobile", 1, 99, 99))),
    );
    check_vector(
        "basic_connect_home_provider_response_home.hex",
        bc(Any::Provider(provider(
            "23415",
            1,
            "Vodafone UK",
            1,
            99,
            99,
        ))),
    );
}

#[test]
fn preferred_providers_vectors() {
    check_vector(
        "basic_connect_preferred_providers_query_empty.hex",
        bc(Any::PreferredProvidersQuery(PreferredProvidersQuery)),
    );
    check_vector(
        "basic_connect_preferred_providers_set_two.hex",
        bc(providers(vec![
            provider("26201", 4, "Telekom.de", 1, 99, 99),
            provider("26202", 4, "Vodafone.de", 1, 99, 99),
        ])),
    );
    check_vector(
        "basic_connect_preferred_providers_response_empty_list.hex",
        bc(providers(vec![])),
    );
    check_vector(
        "basic_connect_preferred_providers_indication_one.hex",
        bc(providers(vec![provider("20801", 4, "Orange F", 1, 99, 99)])),
    );
}

#[test]
fn visible_providers_vectors() {
    check_vector(
        "basic_connect_visible_providers_query_full_scan.hex",
        bc(Any::VisibleProvidersReq(VisibleProvidersReq {
            action: VisibleProvidersAction::FULL_SCAN,
        })),
    );
    check_vector(
        "basic_connect_visible_providers_query_restricted_scan.hex",
        bc(Any::VisibleProvidersReq(VisibleProvidersReq {
            action: VisibleProvidersAction::RESTRICTED_SCAN,
        })),
    );
    let home = ProviderState::HOME | ProviderState::VISIBLE | ProviderState::REGISTERED;
    check_vector(
        "basic_connect_visible_providers_response_four.hex",
        bc(providers(vec![
            provider("310260", home.0, "T-Mobile", 1, 20, 0),
            provider("310410", ProviderState::VISIBLE.0, "AT&T", 1, 15, 99),
            provider(
                "311480",
                (ProviderState::FORBIDDEN | ProviderState::VISIBLE).0,
                "Verizon",
                1,
                12,
                99,
            ),
            provider("310120", ProviderState::VISIBLE.0, "Sprint", 2, 31, 7),
        ])),
    );
    check_vector(
        "basic_connect_visible_providers_response_none.hex",
        bc(providers(vec![])),
    );
}

#[test]
fn multicarrier_providers_vectors() {
    check_vector(
        "basic_connect_multicarrier_providers_query_empty.hex",
        bc(Any::MulticarrierProvidersQuery(MulticarrierProvidersQuery)),
    );
    check_vector(
        "basic_connect_multicarrier_providers_set_two.hex",
        bc(providers(vec![
            provider("310260", 0x24, "T-Mobile", 1, 99, 99),
            provider("310410", 0x24, "AT&T", 1, 99, 99),
        ])),
    );
    check_vector(
        "basic_connect_multicarrier_providers_response_one.hex",
        bc(providers(vec![provider(
            "310260", 0x35, "T-Mobile", 1, 25, 0,
        )])),
    );
    check_vector(
        "basic_connect_multicarrier_providers_indication_none.hex",
        bc(providers(vec![])),
    );
    // Element sizes include the element's trailing padding, as libmbim builds them.
    let vodafone = provider("23415", 1, "Vodafone UK", 1, 99, 99);
    let m = check_vector(
        "basic_connect_multicarrier_providers_set_padded_elements.hex",
        bc(providers(vec![vodafone.clone(), vodafone])),
    );
    let info = m.payload().unwrap().2;
    assert_eq!(&info[8..12], &68u32.to_le_bytes(), "Providers[0] size");
}

// ---------------------------------------------------------------------------
// 9 REGISTER_STATE, 10 PACKET_SERVICE, 11 SIGNAL_STATE
// ---------------------------------------------------------------------------

#[test]
fn register_state_vectors() {
    check_vector(
        "basic_connect_register_state_query_empty.hex",
        bc(Any::RegisterStateQuery(RegisterStateQuery)),
    );
    check_vector(
        "basic_connect_register_state_set_manual.hex",
        bc(Any::SetRegistrationState(SetRegistrationState {
            provider_id: s("26203"),
            register_action: RegisterAction::MANUAL,
            data_class: DataClass::LTE,
        })),
    );
    check_vector(
        "basic_connect_register_state_set_automatic.hex",
        bc(Any::SetRegistrationState(SetRegistrationState {
            provider_id: String::new(),
            register_action: RegisterAction::AUTOMATIC,
            data_class: DataClass::NONE,
        })),
    );
    check_vector(
        "basic_connect_register_state_response_home.hex",
        bc(Any::RegistrationStateInfo(RegistrationStateInfo {
            nw_error: NwError::NONE,
            register_state: RegisterState::HOME,
            register_mode: RegisterMode::AUTOMATIC,
            available_data_classes: DataClass(0x3f),
            current_cellular_class: CellularClass::GSM,
            provider_id: s("310260"),
            provider_name: s("T-Mobile"),
            roaming_text: String::new(),
            registration_flag: RegistrationFlag::PACKET_SERVICE_AUTOMATIC_ATTACH,
        })),
    );
    check_vector(
        "basic_connect_register_state_indication_roaming.hex",
        bc(Any::RegistrationStateInfo(RegistrationStateInfo {
            nw_error: NwError::NONE,
            register_state: RegisterState::ROAMING,
            register_mode: RegisterMode::AUTOMATIC,
            available_data_classes: DataClass::LTE,
            current_cellular_class: CellularClass::GSM,
            provider_id: s("20801"),
            provider_name: s("Orange"),
            roaming_text: s("Itinérance €"),
            registration_flag: RegistrationFlag::NONE,
        })),
    );
    check_vector(
        "basic_connect_register_state_indication_denied.hex",
        bc(Any::RegistrationStateInfo(RegistrationStateInfo {
            nw_error: NwError::PLMN_NOT_ALLOWED,
            register_state: RegisterState::DENIED,
            register_mode: RegisterMode::AUTOMATIC,
            current_cellular_class: CellularClass::GSM,
            ..RegistrationStateInfo::default()
        })),
    );
}

#[test]
fn packet_service_vectors() {
    check_vector(
        "basic_connect_packet_service_query_empty.hex",
        bc(Any::PacketServiceQuery(PacketServiceQuery)),
    );
    check_vector(
        "basic_connect_packet_service_set_attach.hex",
        bc(Any::SetPacketService(SetPacketService {
            packet_service_action: PacketServiceAction::ATTACH,
        })),
    );
    check_vector(
        "basic_connect_packet_service_response_attached.hex",
        bc(Any::PacketServiceInfo(PacketServiceInfo {
            nw_error: NwError::NONE,
            packet_service_state: PacketServiceState::ATTACHED,
            highest_available_data_class: DataClass::LTE,
            uplink_speed: 50_000_000,
            downlink_speed: 150_000_000,
        })),
    );
    check_vector(
        "basic_connect_packet_service_indication_detached.hex",
        bc(Any::PacketServiceInfo(PacketServiceInfo {
            nw_error: NwError::GPRS_NOT_ALLOWED,
            packet_service_state: PacketServiceState::DETACHED,
            highest_available_data_class: DataClass::NONE,
            uplink_speed: 0,
            downlink_speed: 1 << 32,
        })),
    );
}

#[test]
fn signal_state_vectors() {
    check_vector(
        "basic_connect_signal_state_query_empty.hex",
        bc(Any::SignalStateQuery(SignalStateQuery)),
    );
    check_vector(
        "basic_connect_signal_state_set_thresholds.hex",
        bc(Any::SetSignalState(SetSignalState {
            signal_strength_interval: 5,
            rssi_threshold: 2,
            error_rate_threshold: u32::MAX,
        })),
    );
    check_vector(
        "basic_connect_signal_state_response_good.hex",
        bc(Any::SignalStateInfo(SignalStateInfo {
            rssi: 20,
            error_rate: 99,
            signal_strength_interval: 5,
            rssi_threshold: 2,
            error_rate_threshold: u32::MAX,
        })),
    );
    check_vector(
        "basic_connect_signal_state_indication_unknown.hex",
        bc(Any::SignalStateInfo(SignalStateInfo {
            rssi: 99,
            error_rate: 99,
            ..SignalStateInfo::default()
        })),
    );
}

// ---------------------------------------------------------------------------
// 12 CONNECT, 13 PROVISIONED_CONTEXTS, 14 SERVICE_ACTIVATION
// ---------------------------------------------------------------------------

#[test]
fn connect_vectors() {
    check_vector(
        "basic_connect_connect_query_session0.hex",
        bc(Any::ConnectQuery(ConnectQuery::session(0))),
    );
    check_vector(
        "basic_connect_connect_set_non_ascii_apn.hex",
        bc(Any::SetConnect(SetConnect {
            session_id: 1,
            activation_command: ActivationCommand::ACTIVATE,
            access_string: s("интернет.рф"),
            user_name: s("gdata"),
            password: s("gdata"),
            compression: Compression::NONE,
            auth_protocol: AuthProtocol::PAP,
            ip_type: ContextIpType::IPV4V6,
            context_type: u::CONTEXT_TYPE_INTERNET,
        })),
    );
    check_vector(
        "basic_connect_connect_set_deactivate.hex",
        bc(Any::SetConnect(SetConnect {
            session_id: 0,
            activation_command: ActivationCommand::DEACTIVATE,
            context_type: u::CONTEXT_TYPE_INTERNET,
            ..SetConnect::default()
        })),
    );
    check_vector(
        "basic_connect_connect_response_activated.hex",
        bc(Any::ConnectInfo(ConnectInfo {
            session_id: 1,
            activation_state: ActivationState::ACTIVATED,
            voice_call_state: VoiceCallState::NONE,
            ip_type: ContextIpType::IPV4V6,
            context_type: u::CONTEXT_TYPE_INTERNET,
            nw_error: NwError::NONE,
        })),
    );
    check_vector(
        "basic_connect_connect_indication_deactivated.hex",
        bc(Any::ConnectInfo(ConnectInfo {
            session_id: 1,
            activation_state: ActivationState::DEACTIVATED,
            voice_call_state: VoiceCallState::NONE,
            ip_type: ContextIpType::DEFAULT,
            context_type: u::CONTEXT_TYPE_INTERNET,
            nw_error: NwError(36),
        })),
    );
}

#[test]
fn provisioned_contexts_vectors() {
    check_vector(
        "basic_connect_provisioned_contexts_query_empty.hex",
        bc(Any::ProvisionedContextsQuery(ProvisionedContextsQuery)),
    );
    check_vector(
        "basic_connect_provisioned_contexts_set_internet.hex",
        bc(Any::SetProvisionedContext(SetProvisionedContext {
            context_id: 1,
            context_type: u::CONTEXT_TYPE_INTERNET,
            access_string: s("fast.t-mobile.com"),
            user_name: String::new(),
            password: String::new(),
            compression: Compression::NONE,
            auth_protocol: AuthProtocol::NONE,
            provider_id: s("310260"),
        })),
    );
    check_vector(
        "basic_connect_provisioned_contexts_response_two.hex",
        bc(Any::ProvisionedContextsInfo(ProvisionedContextsInfo {
            contexts: vec![
                Context {
                    context_id: 1,
                    context_type: u::CONTEXT_TYPE_INTERNET,
                    access_string: s("internet"),
                    ..Context::default()
                },
                Context {
                    context_id: 2,
                    context_type: u::CONTEXT_TYPE_IMS,
                    access_string: s("ims"),
                    user_name: s("user"),
                    password: s("pässword"),
                    compression: Compression::ENABLE,
                    auth_protocol: AuthProtocol::CHAP,
                },
            ],
        })),
    );
    check_vector(
        "basic_connect_provisioned_contexts_indication_one.hex",
        bc(Any::ProvisionedContextsInfo(ProvisionedContextsInfo {
            contexts: vec![Context {
                context_id: 3,
                context_type: u::CONTEXT_TYPE_MMS,
                access_string: s("mms.example"),
                ..Context::default()
            }],
        })),
    );
}

#[test]
fn service_activation_vectors() {
    check_vector(
        "basic_connect_service_activation_set_vendor.hex",
        bc(Any::SetServiceActivation(SetServiceActivation {
            vendor_specific_buffer: RawBytes(vec![0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]),
        })),
    );
    check_vector(
        "basic_connect_service_activation_response_ok.hex",
        bc(Any::ServiceActivationInfo(ServiceActivationInfo {
            nw_error: NwError::NONE,
            vendor_specific_buffer: RawBytes(vec![0xaa, 0xbb, 0xcc]),
        })),
    );
}

// ---------------------------------------------------------------------------
// 15 IP_CONFIGURATION
// ---------------------------------------------------------------------------

#[test]
fn ip_configuration_vectors() {
    check_vector(
        "basic_connect_ip_configuration_query_session0.hex",
        bc(Any::IpConfigurationQuery(IpConfigurationQuery::session(0))),
    );
    let all = IpConfigurationAvailableFlag::ADDRESS
        | IpConfigurationAvailableFlag::GATEWAY
        | IpConfigurationAvailableFlag::DNS
        | IpConfigurationAvailableFlag::MTU;
    check_vector(
        "basic_connect_ip_configuration_response_dual_stack.hex",
        bc(Any::IpConfigurationInfo(IpConfigurationInfo {
            session_id: 1,
            ipv4_configuration_available: all,
            ipv6_configuration_available: all,
            ipv4_address: vec![
                Ipv4Element {
                    on_link_prefix_length: 30,
                    ipv4_address: Ipv4Addr::new(10, 64, 12, 9),
                },
                Ipv4Element {
                    on_link_prefix_length: 32,
                    ipv4_address: Ipv4Addr::new(100, 64, 0, 2),
                },
            ],
            ipv6_address: vec![Ipv6Element {
                on_link_prefix_length: 64,
                ipv6_address: "2001:db8:1:2::9".parse::<Ipv6Addr>().unwrap(),
            }],
            ipv4_gateway: Some(Ipv4Addr::new(10, 64, 12, 10)),
            ipv6_gateway: Some("fe80::1".parse().unwrap()),
            ipv4_dns_server: vec![Ipv4Addr::new(8, 8, 8, 8), Ipv4Addr::new(1, 1, 1, 1)],
            ipv6_dns_server: vec![
                "2001:4860:4860::8888".parse().unwrap(),
                "2606:4700:4700::1111".parse().unwrap(),
            ],
            ipv4_mtu: 1500,
            ipv6_mtu: 1428,
        })),
    );
    check_vector(
        "basic_connect_ip_configuration_indication_v4_only.hex",
        bc(Any::IpConfigurationInfo(IpConfigurationInfo {
            session_id: 0,
            ipv4_configuration_available: IpConfigurationAvailableFlag::ADDRESS
                | IpConfigurationAvailableFlag::DNS,
            ipv4_address: vec![Ipv4Element {
                on_link_prefix_length: 24,
                ipv4_address: Ipv4Addr::new(192, 168, 8, 100),
            }],
            ipv4_dns_server: vec![Ipv4Addr::new(192, 168, 8, 1)],
            ..IpConfigurationInfo::default()
        })),
    );
}

// ---------------------------------------------------------------------------
// 16 DEVICE_SERVICES, 19 DEVICE_SERVICE_SUBSCRIBE_LIST
// ---------------------------------------------------------------------------

#[test]
fn device_services_vectors() {
    check_vector(
        "basic_connect_device_services_query_empty.hex",
        bc(Any::DeviceServicesQuery(DeviceServicesQuery)),
    );
    let el = |svc: Uuid, cids: Vec<u32>| DeviceServiceElement {
        device_service_id: svc,
        dss_payload: 0,
        max_dss_instances: 0,
        cids,
    };
    let mut bc_cids: Vec<u32> = (1..=16).collect();
    bc_cids.extend([19, 20, 21, 22, 23, 24]);
    check_vector(
        "basic_connect_device_services_response_four_services.hex",
        bc(Any::DeviceServicesInfo(DeviceServicesInfo {
            max_dss_sessions: 1,
            device_services: vec![
                el(u::BASIC_CONNECT, bc_cids),
                el(u::SMS, vec![1, 2, 3, 4, 5]),
                el(u::USSD, vec![1]),
                el(u::MS_BASIC_CONNECT_EXTENSIONS, vec![1, 2, 3, 4, 5, 15]),
            ],
        })),
    );
}

#[test]
fn device_service_subscribe_list_vectors() {
    let set = DeviceServiceSubscribeList {
        events: vec![
            EventEntry {
                device_service_id: u::BASIC_CONNECT,
                cids: vec![2, 9, 10, 11, 12, 15],
            },
            EventEntry {
                device_service_id: u::SMS,
                cids: vec![],
            },
        ],
    };
    check_vector(
        "basic_connect_device_service_subscribe_list_set_two_services.hex",
        bc(Any::DeviceServiceSubscribeList(set.clone())),
    );
    // An empty CID list subscribes to every CID of the service.
    assert!(set.allows(&u::SMS, 7));
    assert!(set.allows(&u::BASIC_CONNECT, 12));
    assert!(!set.allows(&u::BASIC_CONNECT, 1));
    check_vector(
        "basic_connect_device_service_subscribe_list_response_one_service.hex",
        bc(Any::DeviceServiceSubscribeList(
            DeviceServiceSubscribeList {
                events: vec![EventEntry {
                    device_service_id: u::BASIC_CONNECT,
                    cids: vec![9, 12],
                }],
            },
        )),
    );
}

// ---------------------------------------------------------------------------
// 20 PACKET_STATISTICS, 21 NETWORK_IDLE_HINT, 22 EMERGENCY_MODE, 23 IP_PACKET_FILTERS
// ---------------------------------------------------------------------------

#[test]
fn packet_statistics_vectors() {
    check_vector(
        "basic_connect_packet_statistics_query_empty.hex",
        bc(Any::PacketStatisticsQuery(PacketStatisticsQuery)),
    );
    check_vector(
        "basic_connect_packet_statistics_response_counters.hex",
        bc(Any::PacketStatisticsInfo(PacketStatisticsInfo {
            in_discards: 1,
            in_errors: 2,
            in_octets: 0x1_2345_6789,
            in_packets: 4_000_000,
            out_octets: 987_654_321,
            out_packets: 1_000_000,
            out_errors: 3,
            out_discards: 4,
        })),
    );
}

#[test]
fn network_idle_hint_vectors() {
    check_vector(
        "basic_connect_network_idle_hint_query_empty.hex",
        bc(Any::NetworkIdleHintQuery(NetworkIdleHintQuery)),
    );
    check_vector(
        "basic_connect_network_idle_hint_set_enabled.hex",
        bc(Any::NetworkIdleHint(NetworkIdleHint {
            network_idle_hint_state: NetworkIdleHintState::ENABLED,
        })),
    );
    check_vector(
        "basic_connect_network_idle_hint_response_disabled.hex",
        bc(Any::NetworkIdleHint(NetworkIdleHint {
            network_idle_hint_state: NetworkIdleHintState::DISABLED,
        })),
    );
}

#[test]
fn emergency_mode_vectors() {
    check_vector(
        "basic_connect_emergency_mode_query_empty.hex",
        bc(Any::EmergencyModeQuery(EmergencyModeQuery)),
    );
    let on = bc(Any::EmergencyModeInfo(EmergencyModeInfo {
        emergency_mode: EmergencyModeState::ON,
    }));
    check_vector("basic_connect_emergency_mode_set_on.hex", on.clone());
    check_vector(
        "basic_connect_emergency_mode_response_off.hex",
        bc(Any::EmergencyModeInfo(EmergencyModeInfo {
            emergency_mode: EmergencyModeState::OFF,
        })),
    );
    check_vector("basic_connect_emergency_mode_indication_on.hex", on);
}

#[test]
fn ip_packet_filters_vectors() {
    let filter = |f: &str, m: &str| PacketFilter {
        packet_filter: RawBytes(mbim_proto::hex::decode(f).unwrap()),
        packet_mask: RawBytes(mbim_proto::hex::decode(m).unwrap()),
    };
    check_vector(
        "basic_connect_ip_packet_filters_query_session0.hex",
        bc(Any::PacketFilters(PacketFilters::default())),
    );
    check_vector(
        "basic_connect_ip_packet_filters_set_two_filters.hex",
        bc(Any::PacketFilters(PacketFilters {
            session_id: 1,
            packet_filters: vec![
                filter(
                    "4500000000000000000000000600",
                    "f000000000000000000000000fff",
                ),
                filter("0a40", "ffff"),
            ],
        })),
    );
    check_vector(
        "basic_connect_ip_packet_filters_response_one_filter.hex",
        bc(Any::PacketFilters(PacketFilters {
            session_id: 1,
            packet_filters: vec![filter("0a400c09", "ffffffff")],
        })),
    );
}

// ---------------------------------------------------------------------------
// Invalid vectors: the error names the field and the offset
// ---------------------------------------------------------------------------

/// Decode an invalid vector's payload; return the error with offsets counted
/// from the information buffer and, shifted, from the message start.
fn payload_error(name: &str) -> (DecodeError, DecodeError) {
    let bytes = read_vector(name);
    let m =
        Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: framing must be valid: {e}"));
    let kind = Kind::of(&m).unwrap();
    let (service, cid, info) = m.payload().unwrap();
    let e = decode_payload(&service, cid, kind, ExtendedVersion::V1, info)
        .expect_err("decoding must fail");
    let in_msg = decode_in_message(m.message_type(), info, |b| {
        decode_payload(&service, cid, kind, ExtendedVersion::V1, b).map(|_| ())
    })
    .unwrap_err();
    assert_eq!(
        in_msg.offset,
        e.offset
            + if m.message_type() == MessageType::INDICATE_STATUS {
                44
            } else {
                48
            }
    );
    // The text names both, for logs and `mbcli decode`.
    let text = e.to_string();
    assert!(text.contains(e.field), "{text}");
    assert!(text.contains(&format!("offset {}", e.offset)), "{text}");
    (e, in_msg)
}

#[test]
fn offset_past_the_buffer_names_the_string_and_its_pointer() {
    let (e, in_msg) =
        payload_error("basic_connect_device_caps_response_invalid_offset_out_of_bounds.hex");
    assert_eq!(e.field, "DeviceId");
    // The DeviceId OL pair follows 8 u32 and the CustomDataClass pair.
    assert_eq!(e.offset, 40);
    assert_eq!(in_msg.offset, 88);
    assert_eq!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 64,
            size: 256,
            len: 72
        }
    );
}

#[test]
fn nested_offset_is_checked_against_its_element_and_reported_from_the_buffer() {
    let (e, _) = payload_error(
        "basic_connect_visible_providers_response_invalid_nested_offset_out_of_bounds.hex",
    );
    assert_eq!(e.field, "ProviderName");
    // Element at 12, ProviderName pair at +12 in the element.
    assert_eq!(e.offset, 24);
    assert_eq!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 40,
            size: 16,
            len: 40
        }
    );
}

#[test]
fn odd_string_size_is_invalid_utf16_at_the_string_data() {
    let (e, _) =
        payload_error("basic_connect_subscriber_ready_status_response_invalid_odd_string_size.hex");
    assert_eq!(e.field, "SubscriberId");
    assert_eq!(e.offset, 28);
    assert_eq!(e.kind, DecodeErrorKind::InvalidUtf16);
}

#[test]
fn misaligned_offset_is_rejected_at_its_pointer() {
    let (e, _) =
        payload_error("basic_connect_register_state_response_invalid_misaligned_offset.hex");
    assert_eq!(e.field, "ProviderName");
    assert_eq!(e.offset, 28);
    assert_eq!(e.kind, DecodeErrorKind::Misaligned { offset: 50 });
}

#[test]
fn truncated_fixed_part_names_the_first_missing_field() {
    let (e, _) = payload_error("basic_connect_packet_service_response_invalid_truncated.hex");
    assert_eq!((e.field, e.offset), ("UplinkSpeed", 12));
    assert_eq!(
        e.kind,
        DecodeErrorKind::Truncated {
            needed: 8,
            available: 0
        }
    );
    let (e, _) = payload_error("basic_connect_connect_response_invalid_truncated_uuid.hex");
    assert_eq!((e.field, e.offset), ("ContextType", 16));
    assert_eq!(
        e.kind,
        DecodeErrorKind::Truncated {
            needed: 16,
            available: 8
        }
    );
}

#[test]
fn truncated_pin_list_reports_the_offset_inside_the_cut_descriptor() {
    let (e, _) = payload_error("basic_connect_pin_list_response_invalid_truncated_pin_list.hex");
    // Descriptor 4 (network PIN) starts at 64; its PinLengthMax at 76 has 2 of 4 bytes.
    assert_eq!((e.field, e.offset), ("PinLengthMax", 76));
    assert_eq!(
        e.kind,
        DecodeErrorKind::Truncated {
            needed: 4,
            available: 2
        }
    );
}

#[test]
fn hostile_element_count_fails_before_allocating() {
    let (e, _) =
        payload_error("basic_connect_provisioned_contexts_response_invalid_hostile_count.hex");
    assert_eq!((e.field, e.offset), ("ProvisionedContexts", 4));
    // Only one 8-byte pair fits after ElementCount.
    assert_eq!(
        e.kind,
        DecodeErrorKind::BadLength {
            value: u32::MAX as u64,
            limit: 1
        }
    );
    let (e, _) =
        payload_error("basic_connect_device_services_response_invalid_hostile_cid_count.hex");
    // Element at 16; CidList starts 28 bytes in.
    assert_eq!((e.field, e.offset), ("CidList", 44));
    assert_eq!(
        e.kind,
        DecodeErrorKind::BadLength {
            value: 0x4000_0000,
            limit: 1
        }
    );
    let (e, _) =
        payload_error("basic_connect_ip_configuration_response_invalid_hostile_address_count.hex");
    // The (count, offset) table is reported at its count field.
    assert_eq!((e.field, e.offset), ("IPv4Address", 12));
    assert!(matches!(
        e.kind,
        DecodeErrorKind::OffsetOutOfBounds {
            offset: 60,
            len: 68,
            ..
        }
    ));
}

#[test]
fn decode_error_display_names_field_offset_and_reason() {
    let e = DecodeError {
        field: "ProviderName",
        offset: 24,
        kind: DecodeErrorKind::OffsetOutOfBounds {
            offset: 40,
            size: 16,
            len: 40,
        },
    };
    let t = e.to_string();
    assert!(t.starts_with("ProviderName at offset 24: "), "{t}");
    assert!(t.contains("offset 40 + size 16"), "{t}");
    let t = DecodeError {
        field: "SubscriberId",
        offset: 28,
        kind: DecodeErrorKind::InvalidUtf16,
    }
    .shifted(48)
    .to_string();
    assert!(t.contains("SubscriberId") && t.contains("offset 76"), "{t}");
}

/// Every prefix and every single-byte corruption of every valid vector's
/// information buffer decodes or fails cleanly: no panic, and the error
/// points inside the buffer that was given.
#[test]
fn truncated_or_corrupted_vectors_fail_cleanly_inside_the_buffer() {
    let mut failures = 0usize;
    for (name, cid, kind) in valid_vectors() {
        let bytes = read_vector(&name);
        let m = Message::decode(&bytes).unwrap();
        let info = m.payload().unwrap().2.to_vec();
        let check = |buf: &[u8], what: &str| -> bool {
            match decode_payload(&u::BASIC_CONNECT, cid, kind, ExtendedVersion::V1, buf) {
                Ok(_) => false,
                Err(e) => {
                    assert!(
                        e.offset <= buf.len(),
                        "{name} {what}: offset {} beyond {} bytes ({e})",
                        e.offset,
                        buf.len()
                    );
                    assert!(!e.field.is_empty() && e.field != "?", "{name} {what}: {e}");
                    true
                }
            }
        };
        for cut in 0..info.len() {
            failures += usize::from(check(&info[..cut], &format!("cut at {cut}")));
        }
        for i in 0..info.len() {
            for v in [0x00u8, 0x01, 0x7f, 0x80, 0xff] {
                let mut b = info.clone();
                b[i] = v;
                failures += usize::from(check(&b, &format!("byte {i} = {v:#x}")));
            }
        }
        // The whole message, cut anywhere, never panics either.
        for cut in 0..bytes.len() {
            assert!(
                Message::decode(&bytes[..cut]).is_err(),
                "{name} cut at {cut}"
            );
        }
    }
    assert!(
        failures > 1000,
        "corruptions should mostly be detected: {failures}"
    );
}
