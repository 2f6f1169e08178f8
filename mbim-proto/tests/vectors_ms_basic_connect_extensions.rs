//! MS Basic Connect Extensions vectors: every (CID, kind) of both payload
//! tables ([`Any`] for the MBIMEx 1.0/2.0 layouts, [`AnyV3`] for 3.0) has an
//! annotated whole-message vector in `tests/vectors/`, checked both ways
//! under the version its header comment names. `_v3_` in a file name marks
//! a 3.0 layout. The `_invalid_` vectors carry one defect each (hostile
//! counts, bad TLV lengths, wrong TLV types); decoding must fail naming the
//! field and offset, without allocating for the hostile count.
//!
//! Cross-checks done when the vectors were written (libmbim 1.28, not run
//! here): every valid vector prints with all fields through
//! `mbim_message_get_printable_full` at its version, except NETWORK_DENYLIST
//! and DEVICE_RESET, which libmbim 1.28 names without a layout; the vectors
//! marked "bytes as built by libmbim" are byte-identical to its builders'
//! output. libmbim prints neighbour [0] for every index of a
//! BASE_STATIONS_INFO cell array whose elements hold strings; it reads the
//! first element right, and our layout follows Microsoft's (each element's
//! offsets count from the element).

mod common;

use common::{check_vector, check_vector_version, read_vector, vector_path};
use mbim_proto::services::basic_connect::{
    AuthProtocol, CellularClass, Compression, ContextIpType, CtrlCaps, DataClass, DeviceType,
    NwError, SimClass, SmsCaps, VoiceClass,
};
use mbim_proto::services::ms_basic_connect_extensions::*;
use mbim_proto::services::{Decoded, Empty, Kind, RawBytes, decode_payload};
use mbim_proto::tlv::{Tlv, TlvType};
use mbim_proto::uuid as u;
use mbim_proto::{DecodeError, DecodeErrorKind, ExtendedVersion, Message};
use std::collections::BTreeSet;

const V1: ExtendedVersion = ExtendedVersion::V1;
const V2: ExtendedVersion = ExtendedVersion::V2;
const V3: ExtendedVersion = ExtendedVersion::V3;

fn ms(p: Any) -> Decoded {
    Decoded::MsBasicConnectExtensions(Box::new(p))
}

fn ms3(p: AnyV3) -> Decoded {
    Decoded::MsBasicConnectExtensionsV3(Box::new(p))
}

fn s(x: &str) -> String {
    x.to_string()
}

const PREFIX: &str = "ms_basic_connect_extensions_";

/// Every valid vector of this service, with its (CID, kind).
fn valid_vectors() -> Vec<(String, u32, Kind)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(vector_path("")).expect("vectors dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf8");
        if !name.starts_with(PREFIX) || name.contains("_invalid_") {
            continue;
        }
        let bytes = read_vector(&name);
        let m = Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let kind = Kind::of(&m).expect("payload message");
        let (service, cid, _) = m.payload().expect("payload");
        assert_eq!(service, u::MS_BASIC_CONNECT_EXTENSIONS, "{name}");
        out.push((name, cid, kind));
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
fn every_table_entry_has_a_vector_in_each_layout() {
    let have: BTreeSet<(u32, &str, bool)> = valid_vectors()
        .iter()
        .map(|(n, c, k)| (*c, kind_name(*k), n.contains("_v3_")))
        .collect();
    for (keys, v3) in [(Any::KEYS, false), (AnyV3::KEYS, true)] {
        let missing: Vec<_> = keys
            .iter()
            .filter(|(c, k)| !have.contains(&(*c, kind_name(*k), v3)))
            .collect();
        assert!(missing.is_empty(), "no vector (v3: {v3}) for {missing:?}");
    }
}

#[test]
fn vector_file_names_match_their_cid_and_kind() {
    for (name, cid, kind) in valid_vectors() {
        let cid_name = mbim_proto::services::cid_name(&u::MS_BASIC_CONNECT_EXTENSIONS, cid)
            .expect("named CID")
            .replace('-', "_");
        let prefix = format!("{PREFIX}{cid_name}_{}_", kind_name(kind));
        assert!(
            name.starts_with(&prefix),
            "{name} should start with {prefix}"
        );
    }
}

#[test]
fn every_valid_vector_is_checked_here() {
    let source = include_str!("vectors_ms_basic_connect_extensions.rs");
    for (name, _, _) in valid_vectors() {
        let short = name.trim_start_matches(PREFIX);
        assert!(
            source.contains(&format!("\"{short}\"")),
            "{name} is not checked by any test"
        );
    }
}

fn v(name: &str) -> String {
    format!("{PREFIX}{name}")
}

// ---------------------------------------------------------------------------
// 1 PROVISIONED_CONTEXTS
// ---------------------------------------------------------------------------

#[test]
fn provisioned_contexts_vectors() {
    check_vector(
        &v("provisioned_contexts_query_empty.hex"),
        ms(Any::ProvisionedContextsQuery(ProvisionedContextsQuery)),
    );
    check_vector(
        &v("provisioned_contexts_set_internet.hex"),
        ms(Any::SetProvisionedContextV2(SetProvisionedContextV2 {
            operation: ContextOperation::DEFAULT,
            context_type: u::CONTEXT_TYPE_INTERNET,
            ip_type: ContextIpType::IPV4V6,
            state: ContextState::ENABLED,
            roaming: ContextRoamingControl::ALLOW_ALL,
            media_type: ContextMediaType::CELLULAR_ONLY,
            source: ContextSource::OPERATOR,
            access_string: s("apn"),
            user_name: s("u"),
            password: s("p"),
            compression: Compression::NONE,
            auth_protocol: AuthProtocol::PAP,
        })),
    );
    check_vector(
        &v("provisioned_contexts_response_two.hex"),
        ms(Any::ProvisionedContextsInfoV2(ProvisionedContextsInfoV2 {
            provisioned_contexts: vec![
                ProvisionedContextElementV2 {
                    context_id: 1,
                    context_type: u::CONTEXT_TYPE_INTERNET,
                    ip_type: ContextIpType::IPV4V6,
                    state: ContextState::ENABLED,
                    roaming: ContextRoamingControl::HOME_AND_PARTNER,
                    media_type: ContextMediaType::CELLULAR_ONLY,
                    source: ContextSource::MODEM,
                    access_string: s("internet"),
                    user_name: String::new(),
                    password: String::new(),
                    compression: Compression::NONE,
                    auth_protocol: AuthProtocol::NONE,
                },
                ProvisionedContextElementV2 {
                    context_id: 2,
                    context_type: u::CONTEXT_TYPE_IMS,
                    ip_type: ContextIpType::IPV6,
                    state: ContextState::DISABLED,
                    roaming: ContextRoamingControl::HOME_ONLY,
                    media_type: ContextMediaType::CELLULAR_AND_WIFI,
                    source: ContextSource::OPERATOR,
                    access_string: s("ims"),
                    user_name: s("user"),
                    password: s("secret"),
                    compression: Compression::NONE,
                    auth_protocol: AuthProtocol::CHAP,
                },
            ],
        })),
    );
    check_vector(
        &v("provisioned_contexts_indication_none.hex"),
        ms(Any::ProvisionedContextsInfoV2(
            ProvisionedContextsInfoV2::default(),
        )),
    );
}

// ---------------------------------------------------------------------------
// 2 NETWORK_DENYLIST
// ---------------------------------------------------------------------------

fn denied(mcc: u32, mnc: u32, t: NetworkDenylistType) -> NetworkDenylistProvider {
    NetworkDenylistProvider {
        mcc,
        mnc,
        network_denylist_type: t,
    }
}

#[test]
fn network_denylist_vectors() {
    check_vector(
        &v("network_denylist_query_empty.hex"),
        ms(Any::NetworkDenylistQuery(NetworkDenylistQuery)),
    );
    check_vector(
        &v("network_denylist_set_two.hex"),
        ms(Any::NetworkDenylistInfo(NetworkDenylistInfo {
            denylist_state: NetworkDenylistState::SIM_PROVIDER_ACTUATED
                | NetworkDenylistState::NETWORK_PROVIDER_ACTUATED,
            providers: vec![
                denied(262, 1, NetworkDenylistType::SIM),
                denied(208, 10, NetworkDenylistType::NETWORK),
            ],
        })),
    );
    check_vector(
        &v("network_denylist_response_empty.hex"),
        ms(Any::NetworkDenylistInfo(NetworkDenylistInfo::default())),
    );
    check_vector(
        &v("network_denylist_indication_sim.hex"),
        ms(Any::NetworkDenylistInfo(NetworkDenylistInfo {
            denylist_state: NetworkDenylistState::SIM_PROVIDER_ACTUATED,
            providers: vec![denied(310, 260, NetworkDenylistType::SIM)],
        })),
    );
}

// ---------------------------------------------------------------------------
// 3 LTE_ATTACH_CONFIGURATION, 4 LTE_ATTACH_INFO
// ---------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
fn lac(
    ip: ContextIpType,
    roaming: LteAttachContextRoamingControl,
    source: ContextSource,
    apn: &str,
    user: &str,
    pw: &str,
    auth: AuthProtocol,
) -> LteAttachConfiguration {
    LteAttachConfiguration {
        ip_type: ip,
        roaming,
        source,
        access_string: s(apn),
        user_name: s(user),
        password: s(pw),
        compression: Compression::NONE,
        auth_protocol: auth,
    }
}

#[test]
fn lte_attach_configuration_vectors() {
    use LteAttachContextRoamingControl as R;
    check_vector(
        &v("lte_attach_configuration_query_empty.hex"),
        ms(Any::LteAttachConfigurationQuery(
            LteAttachConfigurationQuery,
        )),
    );
    check_vector(
        &v("lte_attach_configuration_set_one.hex"),
        ms(Any::SetLteAttachConfiguration(SetLteAttachConfiguration {
            operation: LteAttachContextOperation::DEFAULT,
            configurations: vec![lac(
                ContextIpType::IPV4,
                R::HOME,
                ContextSource::ADMIN,
                "a",
                "",
                "",
                AuthProtocol::NONE,
            )],
        })),
    );
    check_vector(
        &v("lte_attach_configuration_response_three.hex"),
        ms(Any::LteAttachConfigurationInfo(
            LteAttachConfigurationInfo {
                configurations: vec![
                    lac(
                        ContextIpType::IPV4V6,
                        R::HOME,
                        ContextSource::MODEM,
                        "ims",
                        "",
                        "",
                        AuthProtocol::NONE,
                    ),
                    lac(
                        ContextIpType::IPV4V6,
                        R::PARTNER,
                        ContextSource::MODEM,
                        "ims",
                        "",
                        "",
                        AuthProtocol::NONE,
                    ),
                    lac(
                        ContextIpType::IPV4,
                        R::NON_PARTNER,
                        ContextSource::USER,
                        "roam.example",
                        "me",
                        "pw",
                        AuthProtocol::CHAP,
                    ),
                ],
            },
        )),
    );
    check_vector(
        &v("lte_attach_configuration_indication_one.hex"),
        ms(Any::LteAttachConfigurationInfo(
            LteAttachConfigurationInfo {
                configurations: vec![lac(
                    ContextIpType::IPV6,
                    R::HOME,
                    ContextSource::USER,
                    "internet.v6",
                    "",
                    "",
                    AuthProtocol::NONE,
                )],
            },
        )),
    );
}

#[test]
fn lte_attach_info_vectors_in_both_layouts() {
    check_vector(
        &v("lte_attach_info_query_empty.hex"),
        ms(Any::LteAttachInfoQuery(LteAttachInfoQuery)),
    );
    check_vector(
        &v("lte_attach_info_response_attached.hex"),
        ms(Any::LteAttachInfo(LteAttachInfo {
            lte_attach_state: LteAttachState::ATTACHED,
            ip_type: ContextIpType::IPV4V6,
            access_string: s("internet"),
            ..LteAttachInfo::default()
        })),
    );
    check_vector(
        &v("lte_attach_info_indication_detached.hex"),
        ms(Any::LteAttachInfo(LteAttachInfo::default())),
    );
    check_vector_version(
        &v("lte_attach_info_response_v3_attached.hex"),
        V3,
        ms3(AnyV3::LteAttachInfoV3(LteAttachInfoV3 {
            lte_attach_state: LteAttachState::ATTACHED,
            ip_type: ContextIpType::IPV6,
            access_string: s("ims"),
            ..LteAttachInfoV3::default()
        })),
    );
    let rejected = LteAttachInfoV3 {
        lte_attach_state: LteAttachState::DETACHED,
        nw_error: NwError::MISSING_OR_UNKNOWN_APN,
        ip_type: ContextIpType::IPV4,
        access_string: s("bad.apn"),
        user_name: s("u"),
        password: s("p"),
        compression: Compression::NONE,
        auth_protocol: AuthProtocol::PAP,
    };
    check_vector_version(
        &v("lte_attach_info_indication_v3_rejected.hex"),
        V3,
        ms3(AnyV3::LteAttachInfoV3(rejected.clone())),
    );
    // MBIMEx 4.0 keeps the 3.0 layout.
    check_vector_version(
        &v("lte_attach_info_indication_v3_rejected.hex"),
        ExtendedVersion::V4,
        ms3(AnyV3::LteAttachInfoV3(rejected)),
    );
}

// ---------------------------------------------------------------------------
// 5 SYS_CAPS, 6 DEVICE_CAPS, 7 DEVICE_SLOT_MAPPINGS, 8 SLOT_INFO_STATUS
// ---------------------------------------------------------------------------

#[test]
fn sys_caps_vectors() {
    check_vector(
        &v("sys_caps_query_empty.hex"),
        ms(Any::SysCapsQuery(SysCapsQuery)),
    );
    check_vector(
        &v("sys_caps_response_dual_sim.hex"),
        ms(Any::SysCapsInfo(SysCapsInfo {
            number_of_executors: 1,
            number_of_slots: 2,
            concurrency: 1,
            modem_id: 0x0123_4567_89ab_cdef,
        })),
    );
}

#[test]
fn device_caps_vectors_in_both_layouts() {
    check_vector(
        &v("device_caps_query_empty.hex"),
        ms(Any::DeviceCapsQuery(DeviceCapsQuery)),
    );
    check_vector(
        &v("device_caps_response_executor0.hex"),
        ms(Any::DeviceCapsInfoV2(DeviceCapsInfoV2 {
            device_type: DeviceType::EMBEDDED,
            cellular_class: CellularClass::GSM,
            voice_class: VoiceClass::NO_VOICE,
            sim_class: SimClass::REMOVABLE,
            data_class: DataClass(0x3f),
            sms_caps: SmsCaps::PDU_RECEIVE | SmsCaps::PDU_SEND,
            control_caps: CtrlCaps::REG_MANUAL,
            max_sessions: 8,
            custom_data_class: String::new(),
            device_id: s("867530900000001"),
            firmware_info: s("FW 1.2"),
            hardware_info: s("HW A"),
            executor_index: 0,
        })),
    );
    check_vector_version(
        &v("device_caps_response_v3_5g.hex"),
        V3,
        ms3(AnyV3::DeviceCapsInfoV3(DeviceCapsInfoV3 {
            device_type: DeviceType::EMBEDDED,
            cellular_class: CellularClass::GSM,
            voice_class: VoiceClass::NO_VOICE,
            sim_class: SimClass::REMOVABLE,
            data_class: DataClass::LTE | DataClass::NR5G_NSA | DataClass::NR5G_SA,
            sms_caps: SmsCaps::PDU_RECEIVE | SmsCaps::PDU_SEND,
            control_caps: CtrlCaps::REG_MANUAL | CtrlCaps::ESIM,
            data_subclass: 3,
            max_sessions: 4,
            executor_index: 0,
            wcdma_band_class: 0x15,
            lte_band_class: vec![1, 3, 7],
            nr_band_class: vec![78],
            custom_data_class: String::new(),
            device_id: s("350000000000001"),
            firmware_info: s("fw-5g"),
            hardware_info: s("hw"),
        })),
    );
}

#[test]
fn device_caps_v3_vector_under_an_older_version_is_not_read_as_v3() {
    // Under 1.0 the same bytes are read with the MS 1.0 layout, whose string
    // OL pairs then point nowhere sensible: a decode error, never a panic,
    // never a silent v3 value.
    let bytes = read_vector(&v("device_caps_response_v3_5g.hex"));
    let m = Message::decode(&bytes).expect("message");
    let (svc, cid, info) = m.payload().expect("payload");
    let r = decode_payload(&svc, cid, Kind::Response, V1, info);
    assert!(
        !matches!(r, Ok(Decoded::MsBasicConnectExtensionsV3(_))),
        "{r:?}"
    );
}

#[test]
fn device_slot_mappings_vectors() {
    check_vector(
        &v("device_slot_mappings_query_empty.hex"),
        ms(Any::DeviceSlotMappingsQuery(DeviceSlotMappingsQuery)),
    );
    check_vector(
        &v("device_slot_mappings_set_two.hex"),
        ms(Any::DeviceSlotMappingInfo(DeviceSlotMappingInfo {
            slot_map: vec![Slot { slot: 0 }, Slot { slot: 1 }],
        })),
    );
    check_vector(
        &v("device_slot_mappings_response_one.hex"),
        ms(Any::DeviceSlotMappingInfo(DeviceSlotMappingInfo {
            slot_map: vec![Slot { slot: 1 }],
        })),
    );
}

#[test]
fn slot_info_status_vectors() {
    check_vector(
        &v("slot_info_status_query_slot1.hex"),
        ms(Any::SlotInfoReq(SlotInfoReq { slot_index: 1 })),
    );
    check_vector(
        &v("slot_info_status_response_active.hex"),
        ms(Any::SlotInfo(SlotInfo {
            slot_index: 0,
            state: UiccSlotState::ACTIVE,
        })),
    );
    check_vector(
        &v("slot_info_status_indication_esim_no_profiles.hex"),
        ms(Any::SlotInfo(SlotInfo {
            slot_index: 1,
            state: UiccSlotState::ACTIVE_ESIM_NO_PROFILES,
        })),
    );
}

// ---------------------------------------------------------------------------
// 9 PCO, 10 DEVICE_RESET, 12 LOCATION_INFO_STATUS, 15 VERSION
// ---------------------------------------------------------------------------

#[test]
fn pco_vectors() {
    check_vector(
        &v("pco_query_session1.hex"),
        ms(Any::PcoValue(PcoValue {
            session_id: 1,
            pco_data_type: PcoType(2),
            pco_data_buffer: RawBytes(vec![1, 2, 3, 4, 5]),
        })),
    );
    check_vector(
        &v("pco_response_partial.hex"),
        ms(Any::PcoValue(PcoValue {
            session_id: 0,
            pco_data_type: PcoType::PARTIAL,
            pco_data_buffer: RawBytes(vec![0x80, 0x80, 0x21, 0x10, 0x00, 0x01, 0x00, 0x10]),
        })),
    );
    check_vector(
        &v("pco_indication_complete.hex"),
        ms(Any::PcoValue(PcoValue {
            session_id: 2,
            pco_data_type: PcoType::COMPLETE,
            pco_data_buffer: RawBytes(vec![0xff, 0x00, 0x01]),
        })),
    );
}

#[test]
fn device_reset_vectors() {
    check_vector(
        &v("device_reset_set_empty.hex"),
        ms(Any::DeviceResetSet(DeviceResetSet)),
    );
    check_vector(&v("device_reset_response_empty.hex"), ms(Any::Empty(Empty)));
}

#[test]
fn location_info_status_vectors() {
    check_vector(
        &v("location_info_status_query_empty.hex"),
        ms(Any::LocationInfoStatusQuery(LocationInfoStatusQuery)),
    );
    check_vector(
        &v("location_info_status_response_lte.hex"),
        ms(Any::LocationInfo(LocationInfo {
            location_area_code: 0,
            tracking_area_code: 12345,
            cell_id: 0x1234567,
        })),
    );
    check_vector(
        &v("location_info_status_indication_gsm.hex"),
        ms(Any::LocationInfo(LocationInfo {
            location_area_code: 1000,
            tracking_area_code: 0,
            cell_id: 2000,
        })),
    );
}

#[test]
fn version_vectors_decode_under_every_version() {
    let q = Version::host(ExtendedVersion::V3);
    assert_eq!(
        q,
        Version {
            mbim_version: 0x0100,
            mbim_extended_version: 0x0300
        }
    );
    for ver in [V1, V2, V3, ExtendedVersion::V4] {
        check_vector_version(&v("version_query_host_3_0.hex"), ver, ms(Any::Version(q)));
        let agreed = check_vector_version(
            &v("version_response_agreed_2_0.hex"),
            ver,
            ms(Any::Version(Version {
                mbim_version: 0x0100,
                mbim_extended_version: 0x0200,
            })),
        );
        assert_eq!(agreed.payload().map(|p| p.2.len()), Some(4));
    }
    assert_eq!(
        Version {
            mbim_version: 0x0100,
            mbim_extended_version: 0x0200
        }
        .extended(),
        V2
    );
}

// ---------------------------------------------------------------------------
// 11 BASE_STATIONS_INFO
// ---------------------------------------------------------------------------

fn lte_neighbour(provider_id: &str, cell_id: u32, pci: u32, rsrp: i32) -> CellInfoNeighboringLte {
    CellInfoNeighboringLte {
        provider_id: s(provider_id),
        cell_id,
        earfcn: 6300,
        physical_cell_id: pci,
        tac: 12345,
        rsrp,
        rsrq: -12,
    }
}

#[test]
fn base_stations_info_vectors_in_both_layouts() {
    let limits = BaseStationsInfoReq {
        max_gsm_count: 1,
        max_umts_count: 2,
        max_tdscdma_count: 3,
        max_lte_count: 4,
        max_cdma_count: 5,
    };
    check_vector(
        &v("base_stations_info_query_limits.hex"),
        ms(Any::BaseStationsInfoReq(limits.clone())),
    );
    check_vector_version(
        &v("base_stations_info_query_v3_limits.hex"),
        V3,
        ms3(AnyV3::BaseStationsInfoReqV3(BaseStationsInfoReqV3 {
            max_gsm_count: 1,
            max_umts_count: 2,
            max_tdscdma_count: 3,
            max_lte_count: 4,
            max_cdma_count: 5,
            max_nr_count: 6,
        })),
    );
    check_vector(
        &v("base_stations_info_response_lte.hex"),
        ms(Any::BaseStationsInfo(BaseStationsInfo {
            system_type: DataClass::LTE,
            lte_serving_cell: Some(CellInfoServingLte {
                provider_id: s("26201"),
                cell_id: 0x1234567,
                earfcn: 6300,
                physical_cell_id: 101,
                tac: 12345,
                rsrp: -95,
                rsrq: -10,
                timing_advance: 3,
            }),
            lte_neighboring_cells: vec![
                lte_neighbour("26201", 77, 102, -100),
                lte_neighbour("", 78, 103, -110),
            ],
            ..BaseStationsInfo::default()
        })),
    );
    check_vector_version(
        &v("base_stations_info_response_v3_nr.hex"),
        V3,
        ms3(AnyV3::BaseStationsInfoV3(BaseStationsInfoV3 {
            system_type: DataClass::NR5G_SA,
            system_sub_type: DataSubclass::NR5G_NR,
            gsm_neighboring_cells: vec![CellInfoNeighboringGsm {
                provider_id: s("310410"),
                location_area_code: 1000,
                cell_id: 2000,
                arfcn: 128,
                base_station_id: 7,
                rx_level: 40,
            }],
            nr_serving_cells: vec![CellInfoServingNr {
                provider_id: s("310410"),
                nci: 0x1_2345_6789,
                physical_cell_id: 500,
                nrarfcn: 632_628,
                tac: 0x10203,
                rsrp: 60,
                rsrq: 40,
                sinr: 70,
                timing_advance: u64::MAX,
            }],
            nr_neighbor_cells: vec![CellInfoNeighboringNr {
                system_sub_type: DataSubclass::NR5G_NR,
                provider_id: s("310410"),
                cell_id: s("4660"),
                physical_cell_id: 501,
                tac: 0x10203,
                rsrp: 50,
                rsrq: 30,
                sinr: 60,
            }],
            ..BaseStationsInfoV3::default()
        })),
    );
}

// ---------------------------------------------------------------------------
// 16 MODEM_CONFIGURATION, 17 REGISTRATION_PARAMETERS, 19 WAKE_REASON (3.0)
// ---------------------------------------------------------------------------

#[test]
fn modem_configuration_vectors() {
    check_vector_version(
        &v("modem_configuration_query_v3_empty.hex"),
        V3,
        ms3(AnyV3::ModemConfigurationQuery(ModemConfigurationQuery)),
    );
    check_vector_version(
        &v("modem_configuration_response_v3_completed.hex"),
        V3,
        ms3(AnyV3::ModemConfigurationInfo(ModemConfigurationInfo {
            configuration_status: ModemConfigurationStatus::COMPLETED,
            configuration_name: s("ROW"),
            unnamed_ies: vec![],
        })),
    );
    check_vector_version(
        &v("modem_configuration_indication_v3_started.hex"),
        V3,
        ms3(AnyV3::ModemConfigurationInfo(ModemConfigurationInfo {
            configuration_status: ModemConfigurationStatus::STARTED,
            configuration_name: String::new(),
            unnamed_ies: vec![Tlv::new(TlvType::SINGLE_NSSAI, vec![1, 1])],
        })),
    );
}

#[test]
fn modem_configuration_is_raw_before_mbimex_3() {
    // A 3.0-only CID has no layout under 2.0: its bytes are kept, not guessed.
    let bytes = read_vector(&v("modem_configuration_response_v3_completed.hex"));
    let m = Message::decode(&bytes).expect("message");
    let (svc, cid, info) = m.payload().expect("payload");
    assert_eq!(
        decode_payload(&svc, cid, Kind::Response, V2, info).expect("raw"),
        Decoded::Raw(RawBytes(info.to_vec()))
    );
}

#[test]
fn registration_parameters_vectors() {
    check_vector_version(
        &v("registration_parameters_query_v3_empty.hex"),
        V3,
        ms3(AnyV3::RegistrationParametersQuery(
            RegistrationParametersQuery,
        )),
    );
    check_vector_version(
        &v("registration_parameters_set_v3_pco.hex"),
        V3,
        ms3(AnyV3::RegistrationParameters(RegistrationParameters {
            mico_mode: MicoMode::ENABLED,
            drx_cycle: DrxCycle::CYCLE_32,
            ladn_info: LadnInfo::NOT_NEEDED,
            default_pdu_activation_hint: DefaultPduActivationHint::LIKELY,
            re_register_if_needed: 1,
            unnamed_ies: vec![Tlv::new(TlvType::PCO, vec![0x80, 0x21, 0x10])],
        })),
    );
    check_vector_version(
        &v("registration_parameters_response_v3_defaults.hex"),
        V3,
        ms3(AnyV3::RegistrationParameters(RegistrationParameters {
            mico_mode: MicoMode::DEFAULT,
            ..RegistrationParameters::default()
        })),
    );
}

#[test]
fn wake_reason_vectors() {
    check_vector_version(
        &v("wake_reason_query_v3_empty.hex"),
        V3,
        ms3(AnyV3::WakeReasonQuery(WakeReasonQuery)),
    );
    let mut packet = Vec::new();
    for x in [7u32, 64, 16, 4] {
        packet.extend_from_slice(&x.to_le_bytes());
    }
    packet.extend_from_slice(&[0x45, 0, 0, 0x40]);
    check_vector_version(
        &v("wake_reason_response_v3_packet.hex"),
        V3,
        ms3(AnyV3::WakeReason(WakeReason {
            wake_type: WakeType::PACKET,
            session_id: 0,
            wake_tlv: Tlv::new(TlvType::WAKE_PACKET, packet),
        })),
    );
}

// ---------------------------------------------------------------------------
// UUID spellings
// ---------------------------------------------------------------------------

#[test]
fn the_9d3a_spelling_decodes_like_the_0d3a_one() {
    let bytes = read_vector(&v("sys_caps_response_dual_sim.hex"));
    let m = Message::decode(&bytes).expect("message");
    let (_, cid, info) = m.payload().expect("payload");
    let a = decode_payload(
        &u::MS_BASIC_CONNECT_EXTENSIONS,
        cid,
        Kind::Response,
        V1,
        info,
    )
    .expect("0d3a");
    let b = decode_payload(
        &u::MS_BASIC_CONNECT_EXTENSIONS_ALT,
        cid,
        Kind::Response,
        V1,
        info,
    )
    .expect("9d3a");
    assert_eq!(a, b);
    assert!(matches!(
        a,
        Decoded::MsBasicConnectExtensions(ref b) if matches!(**b, Any::SysCapsInfo(_))
    ));
    // What we send is always the 0D3A spelling.
    use mbim_proto::services::Request;
    assert_eq!(
        <SysCapsQuery as Request>::SERVICE,
        u::MS_BASIC_CONNECT_EXTENSIONS
    );
}

// ---------------------------------------------------------------------------
// Negative vectors
// ---------------------------------------------------------------------------

/// Decode an invalid vector's payload under `version`; return the error with
/// offsets counted from the information buffer and from the message start.
fn payload_error(name: &str, version: ExtendedVersion) -> (DecodeError, DecodeError) {
    let bytes = read_vector(name);
    let m = Message::decode(&bytes).unwrap_or_else(|e| panic!("{name}: header must be valid: {e}"));
    let kind = Kind::of(&m).expect("payload");
    let (svc, cid, info) = m.payload().expect("payload");
    let e = decode_payload(&svc, cid, kind, version, info).expect_err("must be rejected");
    let whole = mbim_proto::message::decode_in_message(m.message_type(), info, |b| {
        decode_payload(&svc, cid, kind, version, b)
    })
    .expect_err("must be rejected");
    (e, whole)
}

#[test]
fn tlv_data_length_past_the_buffer_is_rejected_at_its_length_field() {
    let (e, _) = payload_error(&v("device_caps_response_invalid_v3_tlv_length.hex"), V3);
    assert_eq!((e.field, e.offset), ("DeviceId", 80), "{e}");
    assert!(
        matches!(e.kind, DecodeErrorKind::BadLength { value: 4096, .. }),
        "{e}"
    );
}

#[test]
fn tlv_padding_length_above_three_is_rejected() {
    let (e, _) = payload_error(
        &v("modem_configuration_response_invalid_v3_padding.hex"),
        V3,
    );
    assert_eq!((e.field, e.offset), ("ConfigurationName", 7), "{e}");
    assert!(
        matches!(e.kind, DecodeErrorKind::BadLength { value: 7, limit: 3 }),
        "{e}"
    );
}

#[test]
fn hostile_context_count_is_rejected_without_allocating() {
    let (e, _) = payload_error(
        &v("provisioned_contexts_response_invalid_hostile_count.hex"),
        V1,
    );
    assert_eq!(e.field, "ProvisionedContexts", "{e}");
    assert!(
        matches!(
            e.kind,
            DecodeErrorKind::BadLength {
                value: 0xffff_ffff,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn hostile_neighbour_count_is_rejected_at_the_count() {
    let (e, whole) = payload_error(
        &v("base_stations_info_response_invalid_hostile_neighbor_count.hex"),
        V1,
    );
    assert_eq!((e.field, e.offset), ("LteNeighboringCells", 76), "{e}");
    assert!(
        matches!(
            e.kind,
            DecodeErrorKind::BadLength {
                value: 0x4000_0000,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(whole.offset, 48 + 76, "{whole}");
}

#[test]
fn pco_size_larger_than_the_buffer_is_rejected() {
    let (e, _) = payload_error(&v("pco_response_invalid_size.hex"), V1);
    assert_eq!((e.field, e.offset), ("PcoDataSize", 4), "{e}");
}
