//! Basic Connect vectors in the MBIMEx 2.0 and 3.0 layouts: every (CID, kind)
//! of the `basic_connect_v2` and `basic_connect_v3` tables has an annotated
//! whole-message vector (`basic_connect_<cid>_<kind>_v2_<case>.hex`, `_v3_`),
//! checked both ways under its version; plus the fallback rules (3.0 keeps
//! the 2.0 REGISTER_STATE/SIGNAL_STATE layouts and the 1.0 layouts of the
//! rest, 4.0 keeps the 3.0 layouts) and negative vectors.
//!
//! Cross-checks done when the vectors were written (libmbim 1.28, not run
//! here): every valid vector prints with all fields through
//! `mbim_message_get_printable_full` at its version; the CONNECT v3 query and
//! sets and the IP_PACKET_FILTERS v3 set are byte-identical to what
//! libmbim's `mbim_message_ms_basic_connect_v3_*_new` builders produce.

mod common;

use common::{check_vector_version, read_vector, vector_path};
use mbim_proto::services::basic_connect::{
    self as bc, ActivationCommand, ActivationState, AuthProtocol, CellularClass, Compression,
    ContextIpType, DataClass, NwError, PacketServiceState, ReadyInfoFlag, RegisterMode,
    RegisterState, RegistrationFlag, SubscriberReadyState, VoiceCallState,
};
use mbim_proto::services::basic_connect_v2::{self as v2, *};
use mbim_proto::services::basic_connect_v3::{self as v3, *};
use mbim_proto::services::ms_basic_connect_extensions::DataSubclass;
use mbim_proto::services::{Decoded, Kind, RawBytes, decode_payload, layout_version};
use mbim_proto::tlv::{Tlv, TlvType};
use mbim_proto::uuid as u;
use mbim_proto::{DecodeErrorKind, ExtendedVersion, Message};
use std::collections::BTreeSet;

const V1: ExtendedVersion = ExtendedVersion::V1;
const V2: ExtendedVersion = ExtendedVersion::V2;
const V3: ExtendedVersion = ExtendedVersion::V3;
const V4: ExtendedVersion = ExtendedVersion::V4;

fn b2(p: v2::Any) -> Decoded {
    Decoded::BasicConnectV2(p)
}

fn b3(p: v3::Any) -> Decoded {
    Decoded::BasicConnectV3(p)
}

fn s(x: &str) -> String {
    x.to_string()
}

/// Every valid 2.0/3.0 Basic Connect vector: (name, CID, kind, "v2"|"v3").
fn valid_vectors() -> Vec<(String, u32, Kind, &'static str)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(vector_path("")).expect("vectors dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf8");
        if !name.starts_with("basic_connect_") || name.contains("_invalid_") {
            continue;
        }
        let tag = if name.contains("_v2_") {
            "v2"
        } else if name.contains("_v3_") {
            "v3"
        } else {
            continue;
        };
        let bytes = read_vector(&name);
        let m = Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let kind = Kind::of(&m).expect("payload message");
        let (service, cid, _) = m.payload().expect("payload");
        assert_eq!(service, u::BASIC_CONNECT, "{name}");
        out.push((name, cid, kind, tag));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Query => "query",
        Kind::Set => "set",
        Kind::Response => "response",
        Kind::Indication => "indication",
    }
}

#[test]
fn every_table_entry_has_a_vector_in_its_version() {
    let have: BTreeSet<(u32, &str, &str)> = valid_vectors()
        .iter()
        .map(|(_, c, k, t)| (*c, kind_name(*k), *t))
        .collect();
    for (keys, tag) in [(v2::Any::KEYS, "v2"), (v3::Any::KEYS, "v3")] {
        let missing: Vec<_> = keys
            .iter()
            .filter(|(c, k)| !have.contains(&(*c, kind_name(*k), tag)))
            .collect();
        assert!(missing.is_empty(), "no {tag} vector for {missing:?}");
    }
}

#[test]
fn vector_file_names_match_their_cid_kind_and_version() {
    for (name, cid, kind, tag) in valid_vectors() {
        let cid_name = mbim_proto::services::cid_name(&u::BASIC_CONNECT, cid)
            .expect("named CID")
            .replace('-', "_");
        let prefix = format!("basic_connect_{cid_name}_{}_{tag}_", kind_name(kind));
        assert!(
            name.starts_with(&prefix),
            "{name} should start with {prefix}"
        );
        // The header comment names the version (the libmbim oracle reads it).
        let text = std::fs::read_to_string(vector_path(&name)).expect("read");
        let want = if tag == "v2" {
            "MBIMEx 2.0"
        } else {
            "MBIMEx 3.0"
        };
        assert!(text.contains(want), "{name} should say {want}");
    }
}

#[test]
fn every_valid_vector_is_checked_here() {
    let source = include_str!("vectors_basic_connect_v2v3.rs");
    for (name, _, _, _) in valid_vectors() {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{name} is not checked by any test"
        );
    }
}

// ---------------------------------------------------------------------------
// Layout selection
// ---------------------------------------------------------------------------

#[test]
fn layout_falls_back_from_newer_to_older_versions() {
    let bcu = u::BASIC_CONNECT;
    let r = Kind::Response;
    // REGISTER_STATE: 2.0 redefines it, 3.0 does not.
    assert_eq!(
        layout_version(&bcu, bc::cid::REGISTER_STATE, r, V1),
        Some(V1)
    );
    assert_eq!(
        layout_version(&bcu, bc::cid::REGISTER_STATE, r, V2),
        Some(V2)
    );
    assert_eq!(
        layout_version(&bcu, bc::cid::REGISTER_STATE, r, V3),
        Some(V2)
    );
    assert_eq!(
        layout_version(&bcu, bc::cid::REGISTER_STATE, r, V4),
        Some(V2)
    );
    // PACKET_SERVICE: both do.
    assert_eq!(
        layout_version(&bcu, bc::cid::PACKET_SERVICE, r, V2),
        Some(V2)
    );
    assert_eq!(
        layout_version(&bcu, bc::cid::PACKET_SERVICE, r, V3),
        Some(V3)
    );
    // CONNECT: 3.0 only; its set stays 1.0 under 2.0.
    assert_eq!(
        layout_version(&bcu, bc::cid::CONNECT, Kind::Set, V2),
        Some(V1)
    );
    assert_eq!(
        layout_version(&bcu, bc::cid::CONNECT, Kind::Set, V4),
        Some(V3)
    );
    // Untouched CIDs stay 1.0.
    assert_eq!(layout_version(&bcu, bc::cid::PIN, r, V3), Some(V1));
    let ms = u::MS_BASIC_CONNECT_EXTENSIONS;
    assert_eq!(layout_version(&ms, 16, r, V2), None);
    assert_eq!(layout_version(&ms, 16, r, V3), Some(V3));
    assert_eq!(
        layout_version(&u::MS_BASIC_CONNECT_EXTENSIONS_ALT, 6, r, V3),
        Some(V3)
    );
}

#[test]
fn a_1_0_vector_is_read_with_the_1_0_layout_only_under_1_0() {
    // The MBIM 1.0 PACKET_SERVICE response lacks FrequencyRange: under 2.0
    // the missing field is reported, not invented.
    let bytes = read_vector("basic_connect_packet_service_response_attached.hex");
    let m = Message::decode(&bytes).expect("message");
    let (svc, cid, info) = m.payload().expect("payload");
    assert!(matches!(
        decode_payload(&svc, cid, Kind::Response, V1, info),
        Ok(Decoded::BasicConnect(bc::Any::PacketServiceInfo(_)))
    ));
    let e = decode_payload(&svc, cid, Kind::Response, V2, info).expect_err("2.0 needs more");
    assert_eq!((e.field, e.offset), ("FrequencyRange", 28), "{e}");
    assert!(matches!(e.kind, DecodeErrorKind::Truncated { .. }), "{e}");
}

// ---------------------------------------------------------------------------
// MBIMEx 2.0: REGISTER_STATE, PACKET_SERVICE, SIGNAL_STATE
// ---------------------------------------------------------------------------

#[test]
fn register_state_v2_vectors() {
    let home = RegistrationStateInfoV2 {
        nw_error: NwError::NONE,
        register_state: RegisterState::HOME,
        register_mode: RegisterMode::AUTOMATIC,
        available_data_classes: DataClass::LTE | DataClass::NR5G_NSA,
        current_cellular_class: CellularClass::GSM,
        provider_id: s("310260"),
        provider_name: s("T-Mobile"),
        roaming_text: String::new(),
        registration_flag: RegistrationFlag::PACKET_SERVICE_AUTOMATIC_ATTACH,
        preferred_data_classes: DataClass::LTE | DataClass::NR5G_NSA | DataClass::NR5G_SA,
    };
    for ver in [V2, V3, V4] {
        check_vector_version(
            "basic_connect_register_state_response_v2_home.hex",
            ver,
            b2(v2::Any::RegistrationStateInfoV2(home.clone())),
        );
    }
    check_vector_version(
        "basic_connect_register_state_indication_v2_roaming.hex",
        V2,
        b2(v2::Any::RegistrationStateInfoV2(RegistrationStateInfoV2 {
            register_state: RegisterState::ROAMING,
            register_mode: RegisterMode::AUTOMATIC,
            available_data_classes: DataClass::LTE,
            current_cellular_class: CellularClass::GSM,
            provider_id: s("20801"),
            provider_name: s("Orange"),
            roaming_text: s("Roam"),
            preferred_data_classes: DataClass::LTE,
            ..RegistrationStateInfoV2::default()
        })),
    );
}

#[test]
fn packet_service_v2_vectors() {
    check_vector_version(
        "basic_connect_packet_service_response_v2_nr.hex",
        V2,
        b2(v2::Any::PacketServiceInfoV2(PacketServiceInfoV2 {
            nw_error: NwError::NONE,
            packet_service_state: PacketServiceState::ATTACHED,
            current_data_class: DataClass::NR5G_NSA,
            uplink_speed: 100_000_000,
            downlink_speed: 1_000_000_000,
            frequency_range: FrequencyRange::FR1,
        })),
    );
    check_vector_version(
        "basic_connect_packet_service_indication_v2_detached.hex",
        V2,
        b2(v2::Any::PacketServiceInfoV2(PacketServiceInfoV2 {
            nw_error: NwError::GPRS_NOT_ALLOWED,
            packet_service_state: PacketServiceState::DETACHED,
            ..PacketServiceInfoV2::default()
        })),
    );
}

#[test]
fn signal_state_v2_vectors() {
    let two = SignalStateInfoV2 {
        rssi: 99,
        error_rate: 99,
        signal_strength_interval: 5,
        rssi_threshold: 2,
        error_rate_threshold: 0xffff_ffff,
        rsrp_snr: vec![
            RsrpSnrInfo {
                rsrp: 50,
                snr: 30,
                rsrp_threshold: 2,
                snr_threshold: 2,
                system_type: DataClass::LTE,
            },
            RsrpSnrInfo {
                rsrp: 60,
                snr: 40,
                rsrp_threshold: 2,
                snr_threshold: 2,
                system_type: DataClass::NR5G_NSA,
            },
        ],
    };
    // 3.0 keeps the 2.0 SIGNAL_STATE layout.
    for ver in [V2, V3] {
        check_vector_version(
            "basic_connect_signal_state_response_v2_two_rsrp.hex",
            ver,
            b2(v2::Any::SignalStateInfoV2(two.clone())),
        );
    }
    check_vector_version(
        "basic_connect_signal_state_indication_v2_no_rsrp.hex",
        V2,
        b2(v2::Any::SignalStateInfoV2(SignalStateInfoV2 {
            rssi: 20,
            error_rate: 3,
            ..SignalStateInfoV2::default()
        })),
    );
}

// ---------------------------------------------------------------------------
// MBIMEx 3.0: SUBSCRIBER_READY_STATUS, PACKET_SERVICE, CONNECT, IP_PACKET_FILTERS
// ---------------------------------------------------------------------------

#[test]
fn subscriber_ready_status_v3_vectors() {
    check_vector_version(
        "basic_connect_subscriber_ready_status_response_v3_esim.hex",
        V3,
        b3(v3::Any::SubscriberReadyInfoV3(SubscriberReadyInfoV3 {
            ready_state: SubscriberReadyState::INITIALIZED,
            flags: SubscriberReadyStatusFlag::ESIM
                | SubscriberReadyStatusFlag::SIM_REMOVABILITY_KNOWN,
            subscriber_id: s("310260000000001"),
            sim_icc_id: s("8901260000000000001"),
            ready_info: ReadyInfoFlag::NONE,
            telephone_numbers: vec![s("15555550100")],
        })),
    );
    check_vector_version(
        "basic_connect_subscriber_ready_status_indication_v3_removed.hex",
        V3,
        b3(v3::Any::SubscriberReadyInfoV3(SubscriberReadyInfoV3 {
            ready_state: SubscriberReadyState::SIM_NOT_INSERTED,
            flags: SubscriberReadyStatusFlag::SIM_REMOVABILITY_KNOWN
                | SubscriberReadyStatusFlag::SIM_REMOVABLE,
            ..SubscriberReadyInfoV3::default()
        })),
    );
}

#[test]
fn packet_service_v3_vectors() {
    let sa = PacketServiceInfoV3 {
        nw_error: NwError::NONE,
        packet_service_state: PacketServiceState::ATTACHED,
        highest_available_data_class: DataClass::NR5G_SA,
        uplink_speed: 200_000_000,
        downlink_speed: 2_000_000_000,
        frequency_range: FrequencyRange::FR1 | FrequencyRange::FR2,
        data_subclass: DataSubclass::NR5G_NR,
        tai: Tai {
            plmn_mcc: 310,
            plmn_mnc: 410,
            tac: 0x1234,
        },
    };
    for ver in [V3, V4] {
        check_vector_version(
            "basic_connect_packet_service_response_v3_sa.hex",
            ver,
            b3(v3::Any::PacketServiceInfoV3(sa)),
        );
    }
    check_vector_version(
        "basic_connect_packet_service_indication_v3_attaching.hex",
        V3,
        b3(v3::Any::PacketServiceInfoV3(PacketServiceInfoV3 {
            packet_service_state: PacketServiceState::ATTACHING,
            highest_available_data_class: DataClass::LTE,
            data_subclass: DataSubclass::NR5G_ENDC,
            tai: Tai {
                plmn_mcc: 262,
                plmn_mnc: 1,
                tac: 7,
            },
            ..PacketServiceInfoV3::default()
        })),
    );
}

#[test]
fn connect_v3_vectors() {
    check_vector_version(
        "basic_connect_connect_query_v3_session1.hex",
        V3,
        b3(v3::Any::ConnectQueryV3(ConnectQueryV3 { session_id: 1 })),
    );
    let set = SetConnectV3 {
        session_id: 1,
        activation_command: ActivationCommand::ACTIVATE,
        compression: Compression::NONE,
        auth_protocol: AuthProtocol::CHAP,
        ip_type: ContextIpType::IPV4V6,
        context_type: u::CONTEXT_TYPE_INTERNET,
        media_preference: AccessMediaType::THREE_GPP,
        access_string: s("internet"),
        user_name: String::new(),
        password: String::new(),
        unnamed_ies: vec![],
    };
    check_vector_version(
        "basic_connect_connect_set_v3_internet.hex",
        V3,
        b3(v3::Any::SetConnectV3(set.clone())),
    );
    check_vector_version(
        "basic_connect_connect_set_v3_with_pco.hex",
        V3,
        b3(v3::Any::SetConnectV3(SetConnectV3 {
            access_string: s("ab"),
            user_name: s("u"),
            password: s("p"),
            unnamed_ies: vec![Tlv::new(TlvType::PCO, vec![0x80, 0x21, 0x10])],
            ..set
        })),
    );
    check_vector_version(
        "basic_connect_connect_response_v3_activated.hex",
        V3,
        b3(v3::Any::ConnectInfoV3(ConnectInfoV3 {
            session_id: 1,
            activation_state: ActivationState::ACTIVATED,
            voice_call_state: VoiceCallState::NONE,
            ip_type: ContextIpType::IPV4V6,
            context_type: u::CONTEXT_TYPE_INTERNET,
            nw_error: NwError::NONE,
            media_preference: AccessMediaType::THREE_GPP,
            access_string: s("internet"),
            unnamed_ies: vec![],
        })),
    );
    check_vector_version(
        "basic_connect_connect_indication_v3_deactivated.hex",
        V3,
        b3(v3::Any::ConnectInfoV3(ConnectInfoV3 {
            session_id: 2,
            activation_state: ActivationState::DEACTIVATED,
            context_type: u::CONTEXT_TYPE_IMS,
            nw_error: NwError(36),
            unnamed_ies: vec![Tlv::new(TlvType::PCO, vec![0x80, 0, 0, 0, 1])],
            ..ConnectInfoV3::default()
        })),
    );
}

#[test]
fn ip_packet_filters_v3_vectors() {
    let f = |filter: &[u8], mask: &[u8], filter_id| PacketFilterV3 {
        packet_filter: RawBytes(filter.to_vec()),
        packet_mask: RawBytes(mask.to_vec()),
        filter_id,
    };
    check_vector_version(
        "basic_connect_ip_packet_filters_set_v3_one.hex",
        V3,
        b3(v3::Any::PacketFiltersV3(PacketFiltersV3 {
            session_id: 1,
            packet_filters: vec![f(&[1, 2, 3], &[0xff; 3], 7)],
        })),
    );
    check_vector_version(
        "basic_connect_ip_packet_filters_query_v3_session0.hex",
        V3,
        b3(v3::Any::PacketFiltersV3(PacketFiltersV3::default())),
    );
    check_vector_version(
        "basic_connect_ip_packet_filters_response_v3_two.hex",
        V3,
        b3(v3::Any::PacketFiltersV3(PacketFiltersV3 {
            session_id: 0,
            packet_filters: vec![
                f(&[0x45, 0, 0, 0], &[0xf0, 0, 0, 0], 1),
                f(&[0x60, 0, 0, 0, 0, 0], &[0xf0, 0, 0, 0, 0, 0], 2),
            ],
        })),
    );
}

// ---------------------------------------------------------------------------
// Negative vectors
// ---------------------------------------------------------------------------

fn payload_error(name: &str, version: ExtendedVersion) -> mbim_proto::DecodeError {
    let bytes = read_vector(name);
    let m = Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: header must be valid: {e}"));
    let kind = Kind::of(&m).expect("payload");
    let (svc, cid, info) = m.payload().expect("payload");
    decode_payload(&svc, cid, kind, version, info).expect_err("must be rejected")
}

#[test]
fn access_string_tlv_of_the_wrong_type_is_rejected() {
    let e = payload_error(
        "basic_connect_connect_set_invalid_v3_wrong_tlv_type.hex",
        V3,
    );
    assert_eq!((e.field, e.offset), ("AccessString", 40), "{e}");
    assert_eq!(e.kind, DecodeErrorKind::BadValue { value: 11 }, "{e}");
}

#[test]
fn hostile_rsrp_snr_count_is_rejected_without_allocating() {
    let e = payload_error(
        "basic_connect_signal_state_response_invalid_v2_hostile_rsrp_count.hex",
        V2,
    );
    assert_eq!(e.field, "RsrpSnr", "{e}");
    assert!(
        matches!(
            e.kind,
            DecodeErrorKind::BadLength {
                value: 0x1000_0000,
                ..
            }
        ),
        "{e}"
    );
}
