//! Basic Connect service (`a289cc33-bcbb-8b4f-b6b0-133ec2aae6df`), MBIM 1.0 §10.5:
//! every MBIM 1.0 CID, its request, response and indication structures.
//!
//! MBIMEx v2/v3 layouts of REGISTER_STATE, PACKET_SERVICE, SIGNAL_STATE,
//! CONNECT, SUBSCRIBER_READY_STATUS and IP_PACKET_FILTERS live with the
//! extensions; this module is the MBIM 1.0 layout.

use super::{
    Payload, empty_request, fixed_struct, impl_indication, impl_request, parse_all, payload_table,
};
use crate::error::EncodeError;
use crate::uuid::BASIC_CONNECT;
use crate::wire::{
    self, PError, Uuid, Writer, count_u32, inline_array, ol_list, string, u32le, uuid,
};
use std::net::{Ipv4Addr, Ipv6Addr};

/// CID numbers (MBIM 1.0 Table 10-3).
pub mod cid {
    pub const DEVICE_CAPS: u32 = 1;
    pub const SUBSCRIBER_READY_STATUS: u32 = 2;
    pub const RADIO_STATE: u32 = 3;
    pub const PIN: u32 = 4;
    pub const PIN_LIST: u32 = 5;
    pub const HOME_PROVIDER: u32 = 6;
    pub const PREFERRED_PROVIDERS: u32 = 7;
    pub const VISIBLE_PROVIDERS: u32 = 8;
    pub const REGISTER_STATE: u32 = 9;
    pub const PACKET_SERVICE: u32 = 10;
    pub const SIGNAL_STATE: u32 = 11;
    pub const CONNECT: u32 = 12;
    pub const PROVISIONED_CONTEXTS: u32 = 13;
    pub const SERVICE_ACTIVATION: u32 = 14;
    pub const IP_CONFIGURATION: u32 = 15;
    pub const DEVICE_SERVICES: u32 = 16;
    pub const DEVICE_SERVICE_SUBSCRIBE_LIST: u32 = 19;
    pub const PACKET_STATISTICS: u32 = 20;
    pub const NETWORK_IDLE_HINT: u32 = 21;
    pub const EMERGENCY_MODE: u32 = 22;
    pub const IP_PACKET_FILTERS: u32 = 23;
    pub const MULTICARRIER_PROVIDERS: u32 = 24;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &[
    "",
    "device-caps",
    "subscriber-ready-status",
    "radio-state",
    "pin",
    "pin-list",
    "home-provider",
    "preferred-providers",
    "visible-providers",
    "register-state",
    "packet-service",
    "signal-state",
    "connect",
    "provisioned-contexts",
    "service-activation",
    "ip-configuration",
    "device-services",
    "",
    "",
    "device-service-subscribe-list",
    "packet-statistics",
    "network-idle-hint",
    "emergency-mode",
    "ip-packet-filters",
    "multicarrier-providers",
];

// Maximum string sizes in bytes (MBIM 1.0 Table 10-… and Microsoft's CID tables,
// windows-operator-formats.md §8.1).
const MAX_ACCESS_STRING: usize = 200;
const MAX_USER_NAME: usize = 510;
const MAX_PASSWORD: usize = 510;
const MAX_PROVIDER_ID: usize = 12;
const MAX_PROVIDER_NAME: usize = 40;
const MAX_ROAMING_TEXT: usize = 126;
const MAX_PIN: usize = 32;

// ---------------------------------------------------------------------------
// Enumerations and flags
// ---------------------------------------------------------------------------

crate::wire_enum! {
    /// MBIM_DEVICE_TYPE.
    pub struct DeviceType(u32) {
        UNKNOWN = 0 => "unknown",
        EMBEDDED = 1 => "embedded",
        REMOVABLE = 2 => "removable",
        REMOTE = 3 => "remote",
    }
}

crate::wire_flags! {
    /// MBIM_CELLULAR_CLASS.
    pub struct CellularClass(u32) {
        GSM = 1 => "gsm",
        CDMA = 2 => "cdma",
    }
}

crate::wire_enum! {
    /// MBIM_VOICE_CLASS.
    pub struct VoiceClass(u32) {
        UNKNOWN = 0 => "unknown",
        NO_VOICE = 1 => "no-voice",
        SEPARATED_VOICE_DATA = 2 => "separated-voice-data",
        SIMULTANEOUS_VOICE_DATA = 3 => "simultaneous-voice-data",
    }
}

crate::wire_flags! {
    /// MBIM_SIM_CLASS.
    pub struct SimClass(u32) {
        LOGICAL = 1 => "logical",
        REMOVABLE = 2 => "removable",
    }
}

crate::wire_flags! {
    /// MBIM_DATA_CLASS (5G values from MBIMEx 2.0).
    pub struct DataClass(u32) {
        GPRS = 0x1 => "gprs",
        EDGE = 0x2 => "edge",
        UMTS = 0x4 => "umts",
        HSDPA = 0x8 => "hsdpa",
        HSUPA = 0x10 => "hsupa",
        LTE = 0x20 => "lte",
        NR5G_NSA = 0x40 => "5g-nsa",
        NR5G_SA = 0x80 => "5g-sa",
        RTT1X = 0x1_0000 => "1xrtt",
        EVDO1X = 0x2_0000 => "1xevdo",
        EVDO1X_REVA = 0x4_0000 => "1xevdo-reva",
        EVDV1X = 0x8_0000 => "1xevdv",
        RTT3X = 0x10_0000 => "3xrtt",
        EVDO1X_REVB = 0x20_0000 => "1xevdo-revb",
        UMB = 0x40_0000 => "umb",
        CUSTOM = 0x8000_0000 => "custom",
    }
}

crate::wire_flags! {
    /// MBIM_SMS_CAPS.
    pub struct SmsCaps(u32) {
        PDU_RECEIVE = 1 => "pdu-receive",
        PDU_SEND = 2 => "pdu-send",
        TEXT_RECEIVE = 4 => "text-receive",
        TEXT_SEND = 8 => "text-send",
    }
}

crate::wire_flags! {
    /// MBIM_CTRL_CAPS.
    pub struct CtrlCaps(u32) {
        REG_MANUAL = 0x1 => "reg-manual",
        HW_RADIO_SWITCH = 0x2 => "hw-radio-switch",
        CDMA_MOBILE_IP = 0x4 => "cdma-mobile-ip",
        CDMA_SIMPLE_IP = 0x8 => "cdma-simple-ip",
        MULTI_CARRIER = 0x10 => "multi-carrier",
        ESIM = 0x20 => "esim",
        UE_POLICY_ROUTE_SELECTION = 0x40 => "ue-policy-route-selection",
        SIM_HOT_SWAP_CAPABLE = 0x80 => "sim-hot-swap-capable",
    }
}

crate::wire_enum! {
    /// MBIM_SUBSCRIBER_READY_STATE.
    pub struct SubscriberReadyState(u32) {
        NOT_INITIALIZED = 0 => "not-initialized",
        INITIALIZED = 1 => "initialized",
        SIM_NOT_INSERTED = 2 => "sim-not-inserted",
        BAD_SIM = 3 => "bad-sim",
        FAILURE = 4 => "failure",
        NOT_ACTIVATED = 5 => "not-activated",
        DEVICE_LOCKED = 6 => "device-locked",
        NO_ESIM_PROFILE = 7 => "no-esim-profile",
    }
}

crate::wire_flags! {
    /// MBIM_UNIQUE_ID_FLAGS (ReadyInfo).
    pub struct ReadyInfoFlag(u32) {
        PROTECT_UNIQUE_ID = 1 => "protect-unique-id",
    }
}

crate::wire_enum! {
    /// MBIM_RADIO_SWITCH_STATE.
    pub struct RadioSwitchState(u32) {
        OFF = 0 => "off",
        ON = 1 => "on",
    }
}

crate::wire_enum! {
    /// MBIM_PIN_TYPE.
    pub struct PinType(u32) {
        UNKNOWN = 0 => "unknown",
        CUSTOM = 1 => "custom",
        PIN1 = 2 => "pin1",
        PIN2 = 3 => "pin2",
        DEVICE_SIM_PIN = 4 => "device-sim-pin",
        DEVICE_FIRST_SIM_PIN = 5 => "device-first-sim-pin",
        NETWORK_PIN = 6 => "network-pin",
        NETWORK_SUBSET_PIN = 7 => "network-subset-pin",
        SERVICE_PROVIDER_PIN = 8 => "service-provider-pin",
        CORPORATE_PIN = 9 => "corporate-pin",
        SUBSIDY_PIN = 10 => "subsidy-pin",
        PUK1 = 11 => "puk1",
        PUK2 = 12 => "puk2",
        DEVICE_FIRST_SIM_PUK = 13 => "device-first-sim-puk",
        NETWORK_PUK = 14 => "network-puk",
        NETWORK_SUBSET_PUK = 15 => "network-subset-puk",
        SERVICE_PROVIDER_PUK = 16 => "service-provider-puk",
        CORPORATE_PUK = 17 => "corporate-puk",
        NEV = 18 => "nev",
        ADM = 19 => "adm",
    }
}

crate::wire_enum! {
    /// MBIM_PIN_STATE.
    pub struct PinState(u32) {
        UNLOCKED = 0 => "unlocked",
        LOCKED = 1 => "locked",
    }
}

crate::wire_enum! {
    /// MBIM_PIN_OPERATION.
    pub struct PinOperation(u32) {
        ENTER = 0 => "enter",
        ENABLE = 1 => "enable",
        DISABLE = 2 => "disable",
        CHANGE = 3 => "change",
    }
}

crate::wire_enum! {
    /// MBIM_PIN_MODE.
    pub struct PinMode(u32) {
        NOT_SUPPORTED = 0 => "not-supported",
        ENABLED = 1 => "enabled",
        DISABLED = 2 => "disabled",
    }
}

crate::wire_enum! {
    /// MBIM_PIN_FORMAT.
    pub struct PinFormat(u32) {
        UNKNOWN = 0 => "unknown",
        NUMERIC = 1 => "numeric",
        ALPHANUMERIC = 2 => "alphanumeric",
    }
}

crate::wire_flags! {
    /// MBIM_PROVIDER_STATE.
    pub struct ProviderState(u32) {
        HOME = 0x1 => "home",
        FORBIDDEN = 0x2 => "forbidden",
        PREFERRED = 0x4 => "preferred",
        VISIBLE = 0x8 => "visible",
        REGISTERED = 0x10 => "registered",
        PREFERRED_MULTICARRIER = 0x20 => "preferred-multicarrier",
    }
}

crate::wire_enum! {
    /// MBIM_VISIBLE_PROVIDERS_ACTION.
    pub struct VisibleProvidersAction(u32) {
        FULL_SCAN = 0 => "full-scan",
        RESTRICTED_SCAN = 1 => "restricted-scan",
    }
}

crate::wire_enum! {
    /// 3GPP network error causes (TS 24.008 / 24.301 / 24.501) carried as NwError.
    pub struct NwError(u32) {
        NONE = 0 => "none",
        IMSI_UNKNOWN_IN_HLR = 2 => "imsi-unknown-in-hlr",
        ILLEGAL_MS = 3 => "illegal-ms",
        IMSI_UNKNOWN_IN_VLR = 4 => "imsi-unknown-in-vlr",
        IMEI_NOT_ACCEPTED = 5 => "imei-not-accepted",
        ILLEGAL_ME = 6 => "illegal-me",
        GPRS_NOT_ALLOWED = 7 => "gprs-not-allowed",
        GPRS_AND_NON_GPRS_NOT_ALLOWED = 8 => "gprs-and-non-gprs-not-allowed",
        MS_IDENTITY_NOT_DERIVED_BY_NETWORK = 9 => "ms-identity-not-derived-by-network",
        IMPLICITLY_DETACHED = 10 => "implicitly-detached",
        PLMN_NOT_ALLOWED = 11 => "plmn-not-allowed",
        LOCATION_AREA_NOT_ALLOWED = 12 => "location-area-not-allowed",
        ROAMING_NOT_ALLOWED_IN_LOCATION_AREA = 13 => "roaming-not-allowed-in-location-area",
        GPRS_NOT_ALLOWED_IN_PLMN = 14 => "gprs-not-allowed-in-plmn",
        NO_CELLS_IN_LOCATION_AREA = 15 => "no-cells-in-location-area",
        MSC_TEMPORARILY_NOT_REACHABLE = 16 => "msc-temporarily-not-reachable",
        NETWORK_FAILURE = 17 => "network-failure",
        MAC_FAILURE = 20 => "mac-failure",
        SYNCH_FAILURE = 21 => "synch-failure",
        CONGESTION = 22 => "congestion",
        GSM_AUTHENTICATION_UNACCEPTABLE = 23 => "gsm-authentication-unacceptable",
        NOT_AUTHORIZED_FOR_CSG = 25 => "not-authorized-for-csg",
        INSUFFICIENT_RESOURCES = 26 => "insufficient-resources",
        MISSING_OR_UNKNOWN_APN = 27 => "missing-or-unknown-apn",
        UNKNOWN_PDP_ADDRESS_OR_TYPE = 28 => "unknown-pdp-address-or-type",
        USER_AUTHENTICATION_FAILED = 29 => "user-authentication-failed",
        ACTIVATION_REJECTED_BY_GGSN_OR_GW = 30 => "activation-rejected-by-ggsn-or-gw",
        ACTIVATION_REJECTED_UNSPECIFIED = 31 => "activation-rejected-unspecified",
        SERVICE_OPTION_NOT_SUPPORTED = 32 => "service-option-not-supported",
        REQUESTED_SERVICE_OPTION_NOT_SUBSCRIBED = 33 => "requested-service-option-not-subscribed",
        SERVICE_OPTION_TEMPORARILY_OUT_OF_ORDER = 34 => "service-option-temporarily-out-of-order",
        NO_PDP_CONTEXT_ACTIVATED = 40 => "no-pdp-context-activated",
        PDP_TYPE_IPV4_ONLY_ALLOWED = 50 => "pdp-type-ipv4-only-allowed",
        PDP_TYPE_IPV6_ONLY_ALLOWED = 51 => "pdp-type-ipv6-only-allowed",
        MAXIMUM_NUMBER_OF_PDP_CONTEXTS_REACHED = 65 => "maximum-number-of-pdp-contexts-reached",
        REQUESTED_APN_NOT_SUPPORTED_IN_CURRENT_RAT_AND_PLMN = 66 => "requested-apn-not-supported-in-current-rat-and-plmn",
        SEMANTICALLY_INCORRECT_MESSAGE = 95 => "semantically-incorrect-message",
        INVALID_MANDATORY_INFORMATION = 96 => "invalid-mandatory-information",
        PROTOCOL_ERROR_UNSPECIFIED = 111 => "protocol-error-unspecified",
    }
}

crate::wire_enum! {
    /// MBIM_REGISTER_ACTION.
    pub struct RegisterAction(u32) {
        AUTOMATIC = 0 => "automatic",
        MANUAL = 1 => "manual",
    }
}

crate::wire_enum! {
    /// MBIM_REGISTER_STATE.
    pub struct RegisterState(u32) {
        UNKNOWN = 0 => "unknown",
        DEREGISTERED = 1 => "deregistered",
        SEARCHING = 2 => "searching",
        HOME = 3 => "home",
        ROAMING = 4 => "roaming",
        PARTNER = 5 => "partner",
        DENIED = 6 => "denied",
    }
}

crate::wire_enum! {
    /// MBIM_REGISTER_MODE.
    pub struct RegisterMode(u32) {
        UNKNOWN = 0 => "unknown",
        AUTOMATIC = 1 => "automatic",
        MANUAL = 2 => "manual",
    }
}

crate::wire_flags! {
    /// MBIM_REGISTRATION_FLAGS.
    pub struct RegistrationFlag(u32) {
        MANUAL_SELECTION_NOT_AVAILABLE = 1 => "manual-selection-not-available",
        PACKET_SERVICE_AUTOMATIC_ATTACH = 2 => "packet-service-automatic-attach",
    }
}

crate::wire_enum! {
    /// MBIM_PACKET_SERVICE_ACTION.
    pub struct PacketServiceAction(u32) {
        ATTACH = 0 => "attach",
        DETACH = 1 => "detach",
    }
}

crate::wire_enum! {
    /// MBIM_PACKET_SERVICE_STATE.
    pub struct PacketServiceState(u32) {
        UNKNOWN = 0 => "unknown",
        ATTACHING = 1 => "attaching",
        ATTACHED = 2 => "attached",
        DETACHING = 3 => "detaching",
        DETACHED = 4 => "detached",
    }
}

crate::wire_enum! {
    /// MBIM_ACTIVATION_COMMAND.
    pub struct ActivationCommand(u32) {
        DEACTIVATE = 0 => "deactivate",
        ACTIVATE = 1 => "activate",
    }
}

crate::wire_enum! {
    /// MBIM_COMPRESSION.
    pub struct Compression(u32) {
        NONE = 0 => "none",
        ENABLE = 1 => "enable",
    }
}

crate::wire_enum! {
    /// MBIM_AUTH_PROTOCOL.
    pub struct AuthProtocol(u32) {
        NONE = 0 => "none",
        PAP = 1 => "pap",
        CHAP = 2 => "chap",
        MSCHAPV2 = 3 => "mschapv2",
    }
}

crate::wire_enum! {
    /// MBIM_CONTEXT_IP_TYPE.
    pub struct ContextIpType(u32) {
        DEFAULT = 0 => "default",
        IPV4 = 1 => "ipv4",
        IPV6 = 2 => "ipv6",
        IPV4V6 = 3 => "ipv4v6",
        IPV4_AND_IPV6 = 4 => "ipv4-and-ipv6",
    }
}

crate::wire_enum! {
    /// MBIM_ACTIVATION_STATE.
    pub struct ActivationState(u32) {
        UNKNOWN = 0 => "unknown",
        ACTIVATED = 1 => "activated",
        ACTIVATING = 2 => "activating",
        DEACTIVATED = 3 => "deactivated",
        DEACTIVATING = 4 => "deactivating",
    }
}

crate::wire_enum! {
    /// MBIM_VOICE_CALL_STATE.
    pub struct VoiceCallState(u32) {
        NONE = 0 => "none",
        IN_PROGRESS = 1 => "in-progress",
        HANG_UP = 2 => "hang-up",
    }
}

crate::wire_flags! {
    /// MBIM_IP_CONFIGURATION_AVAILABLE_FLAGS.
    pub struct IpConfigurationAvailableFlag(u32) {
        ADDRESS = 1 => "address",
        GATEWAY = 2 => "gateway",
        DNS = 4 => "dns",
        MTU = 8 => "mtu",
    }
}

crate::wire_enum! {
    /// MBIM_NETWORK_IDLE_HINT_STATE.
    pub struct NetworkIdleHintState(u32) {
        DISABLED = 0 => "disabled",
        ENABLED = 1 => "enabled",
    }
}

crate::wire_enum! {
    /// MBIM_EMERGENCY_MODE_STATE.
    pub struct EmergencyModeState(u32) {
        OFF = 0 => "off",
        ON = 1 => "on",
    }
}

// ---------------------------------------------------------------------------
// 1 DEVICE_CAPS (MBIM 1.0 §10.5.1)
// ---------------------------------------------------------------------------

/// MBIM_DEVICE_CAPS_INFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct DeviceCapsInfo {
    pub device_type: DeviceType,
    pub cellular_class: CellularClass,
    pub voice_class: VoiceClass,
    pub sim_class: SimClass,
    pub data_class: DataClass,
    pub sms_caps: SmsCaps,
    pub control_caps: CtrlCaps,
    pub max_sessions: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub custom_data_class: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub device_id: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub firmware_info: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub hardware_info: String,
}

impl Payload for DeviceCapsInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, device_type) = u32le("DeviceType")(r)?;
            let (r, cellular_class) = u32le("CellularClass")(r)?;
            let (r, voice_class) = u32le("VoiceClass")(r)?;
            let (r, sim_class) = u32le("SimClass")(r)?;
            let (r, data_class) = u32le("DataClass")(r)?;
            let (r, sms_caps) = u32le("SmsCaps")(r)?;
            let (r, control_caps) = u32le("ControlCaps")(r)?;
            let (r, max_sessions) = u32le("MaxSessions")(r)?;
            let (r, custom_data_class) = string(s, "CustomDataClass")(r)?;
            let (r, device_id) = string(s, "DeviceId")(r)?;
            let (r, firmware_info) = string(s, "FirmwareInfo")(r)?;
            let (r, hardware_info) = string(s, "HardwareInfo")(r)?;
            Ok((
                r,
                DeviceCapsInfo {
                    device_type: device_type.into(),
                    cellular_class: cellular_class.into(),
                    voice_class: voice_class.into(),
                    sim_class: sim_class.into(),
                    data_class: data_class.into(),
                    sms_caps: sms_caps.into(),
                    control_caps: control_caps.into(),
                    max_sessions,
                    custom_data_class,
                    device_id,
                    firmware_info,
                    hardware_info,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 64);
        w.u32(self.device_type.0);
        w.u32(self.cellular_class.0);
        w.u32(self.voice_class.0);
        w.u32(self.sim_class.0);
        w.u32(self.data_class.0);
        w.u32(self.sms_caps.0);
        w.u32(self.control_caps.0);
        w.u32(self.max_sessions);
        w.string("CustomDataClass", &self.custom_data_class, Some(22))?;
        w.string("DeviceId", &self.device_id, Some(36))?;
        w.string("FirmwareInfo", &self.firmware_info, Some(64))?;
        w.string("HardwareInfo", &self.hardware_info, Some(64))?;
        Ok(())
    }
}

empty_request!(
    /// DEVICE_CAPS query.
    DeviceCapsQuery, BASIC_CONNECT, cid::DEVICE_CAPS, QUERY, DeviceCapsInfo
);

// ---------------------------------------------------------------------------
// 2 SUBSCRIBER_READY_STATUS (§10.5.2)
// ---------------------------------------------------------------------------

/// MBIM_SUBSCRIBER_READY_INFO (MBIM 1.0 layout).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SubscriberReadyInfo {
    pub ready_state: SubscriberReadyState,
    /// The IMSI (personal data).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub subscriber_id: String,
    /// The ICCID (personal data).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub sim_icc_id: String,
    pub ready_info: ReadyInfoFlag,
    /// MSISDNs (personal data).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::texts()")
    )]
    pub telephone_numbers: Vec<String>,
}

impl Payload for SubscriberReadyInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, ready_state) = u32le("ReadyState")(r)?;
            let (r, subscriber_id) = string(s, "SubscriberId")(r)?;
            let (r, sim_icc_id) = string(s, "SimIccId")(r)?;
            let (r, ready_info) = u32le("ReadyInfo")(r)?;
            let (r, count) = u32le("ElementCount")(r)?;
            let (r, telephone_numbers) = ol_list(s, count, "TelephoneNumbers", |d| {
                wire::utf16_to_string("TelephoneNumbers", d)
            })(r)?;
            Ok((
                r,
                SubscriberReadyInfo {
                    ready_state: ready_state.into(),
                    subscriber_id,
                    sim_icc_id,
                    ready_info: ready_info.into(),
                    telephone_numbers,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.telephone_numbers.len();
        let mut w = Writer::new(out, 28 + 8 * n);
        w.u32(self.ready_state.0);
        w.string("SubscriberId", &self.subscriber_id, Some(30))?;
        w.string("SimIccId", &self.sim_icc_id, Some(40))?;
        w.u32(self.ready_info.0);
        w.u32(count_u32("ElementCount", n)?);
        w.ol_list("TelephoneNumbers", &self.telephone_numbers, |t, out| {
            for u in t.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            Ok(())
        })?;
        Ok(())
    }
}

empty_request!(
    /// SUBSCRIBER_READY_STATUS query.
    SubscriberReadyStatusQuery, BASIC_CONNECT, cid::SUBSCRIBER_READY_STATUS, QUERY, SubscriberReadyInfo
);
impl_indication!(
    SubscriberReadyInfo,
    BASIC_CONNECT,
    cid::SUBSCRIBER_READY_STATUS
);

// ---------------------------------------------------------------------------
// 3 RADIO_STATE (§10.5.3)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_SET_RADIO_STATE.
    pub struct SetRadioState {
        radio_state: RadioSwitchState = u32 "RadioState",
    }
}

fixed_struct! {
    /// MBIM_RADIO_STATE_INFO.
    pub struct RadioStateInfo {
        hw_radio_state: RadioSwitchState = u32 "HwRadioState",
        sw_radio_state: RadioSwitchState = u32 "SwRadioState",
    }
}

empty_request!(
    /// RADIO_STATE query.
    RadioStateQuery, BASIC_CONNECT, cid::RADIO_STATE, QUERY, RadioStateInfo
);
impl_request!(
    SetRadioState,
    BASIC_CONNECT,
    cid::RADIO_STATE,
    SET,
    RadioStateInfo
);
impl_indication!(RadioStateInfo, BASIC_CONNECT, cid::RADIO_STATE);

// ---------------------------------------------------------------------------
// 4 PIN (§10.5.4)
// ---------------------------------------------------------------------------

/// MBIM_SET_PIN.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetPin {
    pub pin_type: PinType,
    pub pin_operation: PinOperation,
    /// The PIN (personal data; never logged).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub pin: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub new_pin: String,
}

impl Payload for SetPin {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, pin_type) = u32le("PinType")(r)?;
            let (r, pin_operation) = u32le("PinOperation")(r)?;
            let (r, pin) = string(s, "Pin")(r)?;
            let (r, new_pin) = string(s, "NewPin")(r)?;
            Ok((
                r,
                SetPin {
                    pin_type: pin_type.into(),
                    pin_operation: pin_operation.into(),
                    pin,
                    new_pin,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 24);
        w.u32(self.pin_type.0);
        w.u32(self.pin_operation.0);
        w.string("Pin", &self.pin, Some(MAX_PIN))?;
        w.string("NewPin", &self.new_pin, Some(MAX_PIN))?;
        Ok(())
    }
}

fixed_struct! {
    /// MBIM_PIN_INFO.
    pub struct PinInfo {
        pin_type: PinType = u32 "PinType",
        pin_state: PinState = u32 "PinState",
        remaining_attempts: u32 = u32 "RemainingAttempts",
    }
}

empty_request!(
    /// PIN query.
    PinQuery, BASIC_CONNECT, cid::PIN, QUERY, PinInfo
);
impl_request!(SetPin, BASIC_CONNECT, cid::PIN, SET, PinInfo);

// ---------------------------------------------------------------------------
// 5 PIN_LIST (§10.5.5)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_PIN_DESC.
    pub struct PinDesc {
        pin_mode: PinMode = u32 "PinMode",
        pin_format: PinFormat = u32 "PinFormat",
        pin_length_min: u32 = u32 "PinLengthMin",
        pin_length_max: u32 = u32 "PinLengthMax",
    }
}

/// MBIM_PIN_LIST_INFO: ten inline MBIM_PIN_DESC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PinListInfo {
    pub pin_desc_pin1: PinDesc,
    pub pin_desc_pin2: PinDesc,
    pub pin_desc_device_sim_pin: PinDesc,
    pub pin_desc_device_first_sim_pin: PinDesc,
    pub pin_desc_network_pin: PinDesc,
    pub pin_desc_network_subset_pin: PinDesc,
    pub pin_desc_service_provider_pin: PinDesc,
    pub pin_desc_corporate_pin: PinDesc,
    pub pin_desc_subsidy_lock: PinDesc,
    pub pin_desc_custom: PinDesc,
}

impl PinListInfo {
    fn descs(&self) -> [&PinDesc; 10] {
        [
            &self.pin_desc_pin1,
            &self.pin_desc_pin2,
            &self.pin_desc_device_sim_pin,
            &self.pin_desc_device_first_sim_pin,
            &self.pin_desc_network_pin,
            &self.pin_desc_network_subset_pin,
            &self.pin_desc_service_provider_pin,
            &self.pin_desc_corporate_pin,
            &self.pin_desc_subsidy_lock,
            &self.pin_desc_custom,
        ]
    }
}

impl Payload for PinListInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        let mut d = [PinDesc::default(); 10];
        for (k, slot) in d.iter_mut().enumerate() {
            let at = s.get(k * PinDesc::SIZE..).unwrap_or(&[]);
            *slot = PinDesc::parse(at)?;
        }
        Ok(PinListInfo {
            pin_desc_pin1: d[0],
            pin_desc_pin2: d[1],
            pin_desc_device_sim_pin: d[2],
            pin_desc_device_first_sim_pin: d[3],
            pin_desc_network_pin: d[4],
            pin_desc_network_subset_pin: d[5],
            pin_desc_service_provider_pin: d[6],
            pin_desc_corporate_pin: d[7],
            pin_desc_subsidy_lock: d[8],
            pin_desc_custom: d[9],
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        for d in self.descs() {
            d.encode(out)?;
        }
        Ok(())
    }
}

empty_request!(
    /// PIN_LIST query.
    PinListQuery, BASIC_CONNECT, cid::PIN_LIST, QUERY, PinListInfo
);

// ---------------------------------------------------------------------------
// 6 HOME_PROVIDER, 7 PREFERRED_PROVIDERS, 8 VISIBLE_PROVIDERS,
// 24 MULTICARRIER_PROVIDERS (§10.5.6–8, §10.5.23)
// ---------------------------------------------------------------------------

/// MBIM_PROVIDER.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Provider {
    /// MCC+MNC, 5 or 6 digits.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub provider_id: String,
    pub provider_state: ProviderState,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub provider_name: String,
    pub cellular_class: CellularClass,
    /// 0–31 (−113 dBm + 2·n), 99 unknown.
    pub rssi: u32,
    /// 0–7, 99 unknown.
    pub error_rate: u32,
}

impl Payload for Provider {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        // One parser for both forms: the zero-copy view validates every field
        // (same errors, same offsets); the owned value is copied out of it.
        super::view::ProviderView::parse(s).map(|v| v.to_owned())
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 32);
        w.string("ProviderId", &self.provider_id, Some(MAX_PROVIDER_ID))?;
        w.u32(self.provider_state.0);
        w.string("ProviderName", &self.provider_name, Some(MAX_PROVIDER_NAME))?;
        w.u32(self.cellular_class.0);
        w.u32(self.rssi);
        w.u32(self.error_rate);
        Ok(())
    }
}

/// MBIM_PROVIDERS: an OL-pair list of MBIM_PROVIDER.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Providers {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Provider>()")
    )]
    pub providers: Vec<Provider>,
}

impl Payload for Providers {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        // One parser for both forms: the zero-copy view validates every field
        // (same errors, same offsets); the owned value is copied out of it.
        super::view::ProvidersView::parse(s).map(|v| v.to_owned())
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.providers.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("ElementCount", n)?);
        w.ol_list("Providers", &self.providers, |p, out| p.encode(out))
    }
}

fixed_struct! {
    /// MBIM_VISIBLE_PROVIDERS_REQ.
    pub struct VisibleProvidersReq {
        action: VisibleProvidersAction = u32 "Action",
    }
}

empty_request!(
    /// HOME_PROVIDER query.
    HomeProviderQuery, BASIC_CONNECT, cid::HOME_PROVIDER, QUERY, Provider
);
impl_request!(Provider, BASIC_CONNECT, cid::HOME_PROVIDER, SET, Provider);
empty_request!(
    /// PREFERRED_PROVIDERS query.
    PreferredProvidersQuery, BASIC_CONNECT, cid::PREFERRED_PROVIDERS, QUERY, Providers
);
empty_request!(
    /// MULTICARRIER_PROVIDERS query (MBIM 1.0 §10.5.23: the query has no payload).
    MulticarrierProvidersQuery, BASIC_CONNECT, cid::MULTICARRIER_PROVIDERS, QUERY, Providers
);
impl_request!(
    VisibleProvidersReq,
    BASIC_CONNECT,
    cid::VISIBLE_PROVIDERS,
    QUERY,
    Providers
);

// ---------------------------------------------------------------------------
// 9 REGISTER_STATE (§10.5.9)
// ---------------------------------------------------------------------------

/// MBIM_SET_REGISTRATION_STATE.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetRegistrationState {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub provider_id: String,
    pub register_action: RegisterAction,
    pub data_class: DataClass,
}

impl Payload for SetRegistrationState {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, provider_id) = string(s, "ProviderId")(r)?;
            let (r, register_action) = u32le("RegisterAction")(r)?;
            let (r, data_class) = u32le("DataClass")(r)?;
            Ok((
                r,
                SetRegistrationState {
                    provider_id,
                    register_action: register_action.into(),
                    data_class: data_class.into(),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 16);
        w.string("ProviderId", &self.provider_id, Some(MAX_PROVIDER_ID))?;
        w.u32(self.register_action.0);
        w.u32(self.data_class.0);
        Ok(())
    }
}

/// MBIM_REGISTRATION_STATE_INFO (MBIM 1.0 layout).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct RegistrationStateInfo {
    pub nw_error: NwError,
    pub register_state: RegisterState,
    pub register_mode: RegisterMode,
    pub available_data_classes: DataClass,
    pub current_cellular_class: CellularClass,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub provider_id: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub provider_name: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub roaming_text: String,
    pub registration_flag: RegistrationFlag,
}

impl Payload for RegistrationStateInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        // One parser for both forms: the zero-copy view validates every field
        // (same errors, same offsets); the owned value is copied out of it.
        super::view::RegistrationStateInfoView::parse(s).map(|v| v.to_owned())
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 48);
        w.u32(self.nw_error.0);
        w.u32(self.register_state.0);
        w.u32(self.register_mode.0);
        w.u32(self.available_data_classes.0);
        w.u32(self.current_cellular_class.0);
        w.string("ProviderId", &self.provider_id, Some(MAX_PROVIDER_ID))?;
        w.string("ProviderName", &self.provider_name, Some(MAX_PROVIDER_NAME))?;
        w.string("RoamingText", &self.roaming_text, Some(MAX_ROAMING_TEXT))?;
        w.u32(self.registration_flag.0);
        Ok(())
    }
}

empty_request!(
    /// REGISTER_STATE query.
    RegisterStateQuery, BASIC_CONNECT, cid::REGISTER_STATE, QUERY, RegistrationStateInfo
);
impl_request!(
    SetRegistrationState,
    BASIC_CONNECT,
    cid::REGISTER_STATE,
    SET,
    RegistrationStateInfo
);
impl_indication!(RegistrationStateInfo, BASIC_CONNECT, cid::REGISTER_STATE);

// ---------------------------------------------------------------------------
// 10 PACKET_SERVICE (§10.5.10)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_SET_PACKET_SERVICE.
    pub struct SetPacketService {
        packet_service_action: PacketServiceAction = u32 "PacketServiceAction",
    }
}

fixed_struct! {
    /// MBIM_PACKET_SERVICE_INFO (MBIM 1.0 layout).
    pub struct PacketServiceInfo {
        nw_error: NwError = u32 "NwError",
        packet_service_state: PacketServiceState = u32 "PacketServiceState",
        highest_available_data_class: DataClass = u32 "HighestAvailableDataClass",
        /// Bits per second.
        uplink_speed: u64 = u64 "UplinkSpeed",
        /// Bits per second.
        downlink_speed: u64 = u64 "DownlinkSpeed",
    }
}

empty_request!(
    /// PACKET_SERVICE query.
    PacketServiceQuery, BASIC_CONNECT, cid::PACKET_SERVICE, QUERY, PacketServiceInfo
);
impl_request!(
    SetPacketService,
    BASIC_CONNECT,
    cid::PACKET_SERVICE,
    SET,
    PacketServiceInfo
);
impl_indication!(PacketServiceInfo, BASIC_CONNECT, cid::PACKET_SERVICE);

// ---------------------------------------------------------------------------
// 11 SIGNAL_STATE (§10.5.11)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_SET_SIGNAL_STATE.
    pub struct SetSignalState {
        /// Seconds between reports; 0 = device default.
        signal_strength_interval: u32 = u32 "SignalStrengthInterval",
        rssi_threshold: u32 = u32 "RssiThreshold",
        error_rate_threshold: u32 = u32 "ErrorRateThreshold",
    }
}

fixed_struct! {
    /// MBIM_SIGNAL_STATE_INFO (MBIM 1.0 layout).
    pub struct SignalStateInfo {
        /// 0–31 (−113 dBm + 2·n), 99 unknown.
        rssi: u32 = u32 "Rssi",
        /// 0–7, 99 unknown.
        error_rate: u32 = u32 "ErrorRate",
        signal_strength_interval: u32 = u32 "SignalStrengthInterval",
        rssi_threshold: u32 = u32 "RssiThreshold",
        error_rate_threshold: u32 = u32 "ErrorRateThreshold",
    }
}

empty_request!(
    /// SIGNAL_STATE query.
    SignalStateQuery, BASIC_CONNECT, cid::SIGNAL_STATE, QUERY, SignalStateInfo
);
impl_request!(
    SetSignalState,
    BASIC_CONNECT,
    cid::SIGNAL_STATE,
    SET,
    SignalStateInfo
);
impl_indication!(SignalStateInfo, BASIC_CONNECT, cid::SIGNAL_STATE);

// ---------------------------------------------------------------------------
// 12 CONNECT (§10.5.12)
// ---------------------------------------------------------------------------

/// MBIM_SET_CONNECT (MBIM 1.0 layout).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetConnect {
    pub session_id: u32,
    pub activation_command: ActivationCommand,
    /// The APN.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub access_string: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub user_name: String,
    /// Personal data; never logged.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub password: String,
    pub compression: Compression,
    pub auth_protocol: AuthProtocol,
    pub ip_type: ContextIpType,
    pub context_type: Uuid,
}

impl Payload for SetConnect {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            let (r, activation_command) = u32le("ActivationCommand")(r)?;
            let (r, access_string) = string(s, "AccessString")(r)?;
            let (r, user_name) = string(s, "UserName")(r)?;
            let (r, password) = string(s, "Password")(r)?;
            let (r, compression) = u32le("Compression")(r)?;
            let (r, auth_protocol) = u32le("AuthProtocol")(r)?;
            let (r, ip_type) = u32le("IPType")(r)?;
            let (r, context_type) = uuid("ContextType")(r)?;
            Ok((
                r,
                SetConnect {
                    session_id,
                    activation_command: activation_command.into(),
                    access_string,
                    user_name,
                    password,
                    compression: compression.into(),
                    auth_protocol: auth_protocol.into(),
                    ip_type: ip_type.into(),
                    context_type,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 60);
        w.u32(self.session_id);
        w.u32(self.activation_command.0);
        w.string("AccessString", &self.access_string, Some(MAX_ACCESS_STRING))?;
        w.string("UserName", &self.user_name, Some(MAX_USER_NAME))?;
        w.string("Password", &self.password, Some(MAX_PASSWORD))?;
        w.u32(self.compression.0);
        w.u32(self.auth_protocol.0);
        w.u32(self.ip_type.0);
        w.uuid(&self.context_type);
        Ok(())
    }
}

fixed_struct! {
    /// MBIM_CONNECT_INFO. The query carries the same structure with only
    /// SessionId meaningful (as libmbim sends it).
    pub struct ConnectInfo {
        session_id: u32 = u32 "SessionId",
        activation_state: ActivationState = u32 "ActivationState",
        voice_call_state: VoiceCallState = u32 "VoiceCallState",
        ip_type: ContextIpType = u32 "IPType",
        context_type: Uuid = uuid "ContextType",
        nw_error: NwError = u32 "NwError",
    }
}

/// CONNECT query: an MBIM_CONNECT_INFO naming the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ConnectQuery(pub ConnectInfo);

impl Payload for ConnectQuery {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        ConnectInfo::parse(s).map(ConnectQuery)
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.0.encode(out)
    }
}

impl ConnectQuery {
    /// Query the state of `session_id`.
    pub fn session(session_id: u32) -> Self {
        ConnectQuery(ConnectInfo {
            session_id,
            ..ConnectInfo::default()
        })
    }
}

impl_request!(SetConnect, BASIC_CONNECT, cid::CONNECT, SET, ConnectInfo);
impl_request!(
    ConnectQuery,
    BASIC_CONNECT,
    cid::CONNECT,
    QUERY,
    ConnectInfo
);
impl_indication!(ConnectInfo, BASIC_CONNECT, cid::CONNECT);

// ---------------------------------------------------------------------------
// 13 PROVISIONED_CONTEXTS (§10.5.13)
// ---------------------------------------------------------------------------

/// MBIM_CONTEXT: one provisioned context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Context {
    pub context_id: u32,
    pub context_type: Uuid,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub access_string: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub user_name: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub password: String,
    pub compression: Compression,
    pub auth_protocol: AuthProtocol,
}

impl Payload for Context {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, context_id) = u32le("ContextId")(r)?;
            let (r, context_type) = uuid("ContextType")(r)?;
            let (r, access_string) = string(s, "AccessString")(r)?;
            let (r, user_name) = string(s, "UserName")(r)?;
            let (r, password) = string(s, "Password")(r)?;
            let (r, compression) = u32le("Compression")(r)?;
            let (r, auth_protocol) = u32le("AuthProtocol")(r)?;
            Ok((
                r,
                Context {
                    context_id,
                    context_type,
                    access_string,
                    user_name,
                    password,
                    compression: compression.into(),
                    auth_protocol: auth_protocol.into(),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 52);
        w.u32(self.context_id);
        w.uuid(&self.context_type);
        w.string("AccessString", &self.access_string, Some(MAX_ACCESS_STRING))?;
        w.string("UserName", &self.user_name, Some(MAX_USER_NAME))?;
        w.string("Password", &self.password, Some(MAX_PASSWORD))?;
        w.u32(self.compression.0);
        w.u32(self.auth_protocol.0);
        Ok(())
    }
}

/// MBIM_PROVISIONED_CONTEXTS_INFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ProvisionedContextsInfo {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Context>()")
    )]
    pub contexts: Vec<Context>,
}

impl Payload for ProvisionedContextsInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("ElementCount")(r)?;
            let (r, contexts) = ol_list(s, count, "ProvisionedContexts", Context::parse)(r)?;
            Ok((r, ProvisionedContextsInfo { contexts }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.contexts.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("ElementCount", n)?);
        w.ol_list("ProvisionedContexts", &self.contexts, |c, out| {
            c.encode(out)
        })
    }
}

/// MBIM_SET_PROVISIONED_CONTEXT.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetProvisionedContext {
    pub context_id: u32,
    pub context_type: Uuid,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub access_string: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub user_name: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub password: String,
    pub compression: Compression,
    pub auth_protocol: AuthProtocol,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::digits()")
    )]
    pub provider_id: String,
}

impl Payload for SetProvisionedContext {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, context_id) = u32le("ContextId")(r)?;
            let (r, context_type) = uuid("ContextType")(r)?;
            let (r, access_string) = string(s, "AccessString")(r)?;
            let (r, user_name) = string(s, "UserName")(r)?;
            let (r, password) = string(s, "Password")(r)?;
            let (r, compression) = u32le("Compression")(r)?;
            let (r, auth_protocol) = u32le("AuthProtocol")(r)?;
            let (r, provider_id) = string(s, "ProviderId")(r)?;
            Ok((
                r,
                SetProvisionedContext {
                    context_id,
                    context_type,
                    access_string,
                    user_name,
                    password,
                    compression: compression.into(),
                    auth_protocol: auth_protocol.into(),
                    provider_id,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 60);
        w.u32(self.context_id);
        w.uuid(&self.context_type);
        w.string("AccessString", &self.access_string, Some(MAX_ACCESS_STRING))?;
        w.string("UserName", &self.user_name, Some(MAX_USER_NAME))?;
        w.string("Password", &self.password, Some(MAX_PASSWORD))?;
        w.u32(self.compression.0);
        w.u32(self.auth_protocol.0);
        w.string("ProviderId", &self.provider_id, Some(MAX_PROVIDER_ID))?;
        Ok(())
    }
}

empty_request!(
    /// PROVISIONED_CONTEXTS query.
    ProvisionedContextsQuery, BASIC_CONNECT, cid::PROVISIONED_CONTEXTS, QUERY, ProvisionedContextsInfo
);
impl_request!(
    SetProvisionedContext,
    BASIC_CONNECT,
    cid::PROVISIONED_CONTEXTS,
    SET,
    ProvisionedContextsInfo
);
impl_indication!(
    ProvisionedContextsInfo,
    BASIC_CONNECT,
    cid::PROVISIONED_CONTEXTS
);

// ---------------------------------------------------------------------------
// 14 SERVICE_ACTIVATION (§10.5.14)
// ---------------------------------------------------------------------------

/// MBIM_SET_SERVICE_ACTIVATION: opaque carrier data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetServiceActivation {
    pub vendor_specific_buffer: super::RawBytes,
}

impl Payload for SetServiceActivation {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        Ok(SetServiceActivation {
            vendor_specific_buffer: super::RawBytes(s.to_vec()),
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.vendor_specific_buffer.0);
        Ok(())
    }
}

/// MBIM_SERVICE_ACTIVATION_INFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ServiceActivationInfo {
    pub nw_error: NwError,
    pub vendor_specific_buffer: super::RawBytes,
}

impl Payload for ServiceActivationInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, nw_error) = u32le("NwError")(r)?;
            Ok((
                &r[r.len()..],
                ServiceActivationInfo {
                    nw_error: nw_error.into(),
                    vendor_specific_buffer: super::RawBytes(r.to_vec()),
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 4);
        w.u32(self.nw_error.0);
        w.tail(&self.vendor_specific_buffer.0);
        Ok(())
    }
}

impl_request!(
    SetServiceActivation,
    BASIC_CONNECT,
    cid::SERVICE_ACTIVATION,
    SET,
    ServiceActivationInfo
);

// ---------------------------------------------------------------------------
// 15 IP_CONFIGURATION (§10.5.15)
// ---------------------------------------------------------------------------

/// MBIM_IPV4_ELEMENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Ipv4Element {
    pub on_link_prefix_length: u32,
    pub ipv4_address: Ipv4Addr,
}

/// MBIM_IPV6_ELEMENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Ipv6Element {
    pub on_link_prefix_length: u32,
    pub ipv6_address: Ipv6Addr,
}

/// MBIM_IP_CONFIGURATION_INFO. Address tables are (count, offset) pairs into the
/// data buffer; gateways are bare offsets (0 = absent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct IpConfigurationInfo {
    pub session_id: u32,
    pub ipv4_configuration_available: IpConfigurationAvailableFlag,
    pub ipv6_configuration_available: IpConfigurationAvailableFlag,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Ipv4Element>()")
    )]
    pub ipv4_address: Vec<Ipv4Element>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Ipv6Element>()")
    )]
    pub ipv6_address: Vec<Ipv6Element>,
    pub ipv4_gateway: Option<Ipv4Addr>,
    pub ipv6_gateway: Option<Ipv6Addr>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Ipv4Addr>()")
    )]
    pub ipv4_dns_server: Vec<Ipv4Addr>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Ipv6Addr>()")
    )]
    pub ipv6_dns_server: Vec<Ipv6Addr>,
    pub ipv4_mtu: u32,
    pub ipv6_mtu: u32,
}

impl Payload for IpConfigurationInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        // One parser for both forms: the zero-copy view validates every field
        // (same errors, same offsets); the owned value is copied out of it.
        super::view::IpConfigurationInfoView::parse(s).map(|v| v.to_owned())
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 60);
        w.u32(self.session_id);
        w.u32(self.ipv4_configuration_available.0);
        w.u32(self.ipv6_configuration_available.0);
        let data = |w: &mut Writer<'_>, bytes: Vec<u8>| -> Result<u32, EncodeError> {
            if bytes.is_empty() {
                Ok(0)
            } else {
                w.append_data(&bytes)
            }
        };
        // Data goes in field order: addresses, gateways, DNS servers.
        let v4: Vec<u8> = self
            .ipv4_address
            .iter()
            .flat_map(|e| {
                let mut b = e.on_link_prefix_length.to_le_bytes().to_vec();
                b.extend_from_slice(&e.ipv4_address.octets());
                b
            })
            .collect();
        let v6: Vec<u8> = self
            .ipv6_address
            .iter()
            .flat_map(|e| {
                let mut b = e.on_link_prefix_length.to_le_bytes().to_vec();
                b.extend_from_slice(&e.ipv6_address.octets());
                b
            })
            .collect();
        let v4_off = data(&mut w, v4)?;
        let v6_off = data(&mut w, v6)?;
        let gw4_off = data(
            &mut w,
            self.ipv4_gateway
                .map(|a| a.octets().to_vec())
                .unwrap_or_default(),
        )?;
        let gw6_off = data(
            &mut w,
            self.ipv6_gateway
                .map(|a| a.octets().to_vec())
                .unwrap_or_default(),
        )?;
        let dns4: Vec<u8> = self
            .ipv4_dns_server
            .iter()
            .flat_map(|a| a.octets())
            .collect();
        let dns6: Vec<u8> = self
            .ipv6_dns_server
            .iter()
            .flat_map(|a| a.octets())
            .collect();
        let dns4_off = data(&mut w, dns4)?;
        let dns6_off = data(&mut w, dns6)?;
        w.u32(count_u32("IPv4AddressCount", self.ipv4_address.len())?);
        w.u32(v4_off);
        w.u32(count_u32("IPv6AddressCount", self.ipv6_address.len())?);
        w.u32(v6_off);
        w.u32(gw4_off);
        w.u32(gw6_off);
        w.u32(count_u32("IPv4DnsServerCount", self.ipv4_dns_server.len())?);
        w.u32(dns4_off);
        w.u32(count_u32("IPv6DnsServerCount", self.ipv6_dns_server.len())?);
        w.u32(dns6_off);
        w.u32(self.ipv4_mtu);
        w.u32(self.ipv6_mtu);
        Ok(())
    }
}

/// IP_CONFIGURATION query: an MBIM_IP_CONFIGURATION_INFO naming the session
/// (libmbim sends the full structure with everything else zero).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct IpConfigurationQuery(pub IpConfigurationInfo);

impl IpConfigurationQuery {
    /// Query the IP configuration of `session_id`.
    pub fn session(session_id: u32) -> Self {
        IpConfigurationQuery(IpConfigurationInfo {
            session_id,
            ..IpConfigurationInfo::default()
        })
    }
}

impl Payload for IpConfigurationQuery {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        IpConfigurationInfo::parse(s).map(IpConfigurationQuery)
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.0.encode(out)
    }
}

impl_request!(
    IpConfigurationQuery,
    BASIC_CONNECT,
    cid::IP_CONFIGURATION,
    QUERY,
    IpConfigurationInfo
);
impl_indication!(IpConfigurationInfo, BASIC_CONNECT, cid::IP_CONFIGURATION);

// ---------------------------------------------------------------------------
// 16 DEVICE_SERVICES (§10.5.16), 19 DEVICE_SERVICE_SUBSCRIBE_LIST (§10.5.18)
// ---------------------------------------------------------------------------

/// MBIM_DEVICE_SERVICE_ELEMENT.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct DeviceServiceElement {
    pub device_service_id: Uuid,
    /// Bit 0: the service can be used with DSS; bit 1: host to device; ...
    pub dss_payload: u32,
    pub max_dss_instances: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::u32s()")
    )]
    pub cids: Vec<u32>,
}

impl Payload for DeviceServiceElement {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, device_service_id) = uuid("DeviceServiceId")(r)?;
            let (r, dss_payload) = u32le("DssPayload")(r)?;
            let (r, max_dss_instances) = u32le("MaxDssInstances")(r)?;
            let (r, count) = u32le("CidCount")(r)?;
            let (r, cids) = inline_array(count, 4, "CidList", u32le("CidList"))(r)?;
            Ok((
                r,
                DeviceServiceElement {
                    device_service_id,
                    dss_payload,
                    max_dss_instances,
                    cids,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.cids.len();
        let mut w = Writer::new(out, 28 + 4 * n);
        w.uuid(&self.device_service_id);
        w.u32(self.dss_payload);
        w.u32(self.max_dss_instances);
        w.u32(count_u32("CidCount", n)?);
        for c in &self.cids {
            w.u32(*c);
        }
        Ok(())
    }
}

/// MBIM_DEVICE_SERVICES_INFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct DeviceServicesInfo {
    pub max_dss_sessions: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<DeviceServiceElement>()")
    )]
    pub device_services: Vec<DeviceServiceElement>,
}

impl Payload for DeviceServicesInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("DeviceServicesCount")(r)?;
            let (r, max_dss_sessions) = u32le("MaxDssSessions")(r)?;
            let (r, device_services) =
                ol_list(s, count, "DeviceServices", DeviceServiceElement::parse)(r)?;
            Ok((
                r,
                DeviceServicesInfo {
                    max_dss_sessions,
                    device_services,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.device_services.len();
        let mut w = Writer::new(out, 8 + 8 * n);
        w.u32(count_u32("DeviceServicesCount", n)?);
        w.u32(self.max_dss_sessions);
        w.ol_list("DeviceServices", &self.device_services, |e, out| {
            e.encode(out)
        })
    }
}

/// MBIM_EVENT_ENTRY.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct EventEntry {
    pub device_service_id: Uuid,
    /// Empty = every CID of the service.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::u32s()")
    )]
    pub cids: Vec<u32>,
}

impl Payload for EventEntry {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, device_service_id) = uuid("DeviceServiceId")(r)?;
            let (r, count) = u32le("CidCount")(r)?;
            let (r, cids) = inline_array(count, 4, "CidList", u32le("CidList"))(r)?;
            Ok((
                r,
                EventEntry {
                    device_service_id,
                    cids,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.cids.len();
        let mut w = Writer::new(out, 20 + 4 * n);
        w.uuid(&self.device_service_id);
        w.u32(count_u32("CidCount", n)?);
        for c in &self.cids {
            w.u32(*c);
        }
        Ok(())
    }
}

/// MBIM_DEVICE_SERVICE_SUBSCRIBE_LIST (set and response).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct DeviceServiceSubscribeList {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<EventEntry>()")
    )]
    pub events: Vec<EventEntry>,
}

impl Payload for DeviceServiceSubscribeList {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("ElementCount")(r)?;
            let (r, events) =
                ol_list(s, count, "DeviceServiceSubscribeList", EventEntry::parse)(r)?;
            Ok((r, DeviceServiceSubscribeList { events }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.events.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("ElementCount", n)?);
        w.ol_list("DeviceServiceSubscribeList", &self.events, |e, out| {
            e.encode(out)
        })
    }
}

impl DeviceServiceSubscribeList {
    /// Whether an indication for (`service`, `cid`) is enabled by this list.
    pub fn allows(&self, service: &Uuid, cid: u32) -> bool {
        self.events.iter().any(|e| {
            crate::uuid::canonical(e.device_service_id) == crate::uuid::canonical(*service)
                && (e.cids.is_empty() || e.cids.contains(&cid))
        })
    }
}

empty_request!(
    /// DEVICE_SERVICES query.
    DeviceServicesQuery, BASIC_CONNECT, cid::DEVICE_SERVICES, QUERY, DeviceServicesInfo
);
impl_request!(
    DeviceServiceSubscribeList,
    BASIC_CONNECT,
    cid::DEVICE_SERVICE_SUBSCRIBE_LIST,
    SET,
    DeviceServiceSubscribeList
);

// ---------------------------------------------------------------------------
// 20 PACKET_STATISTICS (§10.5.19)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_PACKET_STATISTICS_INFO.
    pub struct PacketStatisticsInfo {
        in_discards: u32 = u32 "InDiscards",
        in_errors: u32 = u32 "InErrors",
        in_octets: u64 = u64 "InOctets",
        in_packets: u64 = u64 "InPackets",
        out_octets: u64 = u64 "OutOctets",
        out_packets: u64 = u64 "OutPackets",
        out_errors: u32 = u32 "OutErrors",
        out_discards: u32 = u32 "OutDiscards",
    }
}

empty_request!(
    /// PACKET_STATISTICS query.
    PacketStatisticsQuery, BASIC_CONNECT, cid::PACKET_STATISTICS, QUERY, PacketStatisticsInfo
);

// ---------------------------------------------------------------------------
// 21 NETWORK_IDLE_HINT (§10.5.20), 22 EMERGENCY_MODE (§10.5.21)
// ---------------------------------------------------------------------------

fixed_struct! {
    /// MBIM_NETWORK_IDLE_HINT.
    pub struct NetworkIdleHint {
        network_idle_hint_state: NetworkIdleHintState = u32 "NetworkIdleHintState",
    }
}

fixed_struct! {
    /// MBIM_EMERGENCY_MODE_INFO.
    pub struct EmergencyModeInfo {
        emergency_mode: EmergencyModeState = u32 "EmergencyMode",
    }
}

empty_request!(
    /// NETWORK_IDLE_HINT query.
    NetworkIdleHintQuery, BASIC_CONNECT, cid::NETWORK_IDLE_HINT, QUERY, NetworkIdleHint
);
impl_request!(
    NetworkIdleHint,
    BASIC_CONNECT,
    cid::NETWORK_IDLE_HINT,
    SET,
    NetworkIdleHint
);
empty_request!(
    /// EMERGENCY_MODE query.
    EmergencyModeQuery, BASIC_CONNECT, cid::EMERGENCY_MODE, QUERY, EmergencyModeInfo
);
impl_indication!(EmergencyModeInfo, BASIC_CONNECT, cid::EMERGENCY_MODE);

// ---------------------------------------------------------------------------
// 23 IP_PACKET_FILTERS (§10.5.22)
// ---------------------------------------------------------------------------

/// MBIM_SINGLE_PACKET_FILTER.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PacketFilter {
    pub packet_filter: super::RawBytes,
    pub packet_mask: super::RawBytes,
}

#[cfg(feature = "arbitrary")]
impl proptest::arbitrary::Arbitrary for PacketFilter {
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<PacketFilter>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        use proptest::prelude::*;
        // Filter and mask have the same size (one FilterSize field).
        (0usize..24)
            .prop_flat_map(|n| {
                (
                    proptest::collection::vec(any::<u8>(), n),
                    proptest::collection::vec(any::<u8>(), n),
                )
            })
            .prop_map(|(f, m)| PacketFilter {
                packet_filter: super::RawBytes(f),
                packet_mask: super::RawBytes(m),
            })
            .boxed()
    }
}

impl Payload for PacketFilter {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, size) = u32le("FilterSize")(r)?;
            let at = r;
            let (r, f_off) = u32le("PacketFilterOffset")(r)?;
            let at_m = r;
            let (r, m_off) = u32le("PacketMaskOffset")(r)?;
            let f = wire::resolve(s, at, "PacketFilter", f_off, size)?;
            let m = wire::resolve(s, at_m, "PacketMask", m_off, size)?;
            Ok((
                r,
                PacketFilter {
                    packet_filter: super::RawBytes(f.to_vec()),
                    packet_mask: super::RawBytes(m.to_vec()),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.packet_filter.0.len() != self.packet_mask.0.len() {
            return Err(EncodeError::InvalidValue {
                field: "FilterSize",
            });
        }
        let mut w = Writer::new(out, 12);
        w.u32(count_u32("FilterSize", self.packet_filter.0.len())?);
        if self.packet_filter.0.is_empty() {
            w.u32(0);
            w.u32(0);
        } else {
            let f = w.append_data(&self.packet_filter.0)?;
            let m = w.append_data(&self.packet_mask.0)?;
            w.u32(f);
            w.u32(m);
        }
        Ok(())
    }
}

/// MBIM_PACKET_FILTERS (set, query, response; MBIM 1.0 layout).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PacketFilters {
    pub session_id: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<PacketFilter>()")
    )]
    pub packet_filters: Vec<PacketFilter>,
}

impl Payload for PacketFilters {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            let (r, count) = u32le("PacketFiltersCount")(r)?;
            let (r, packet_filters) = ol_list(s, count, "PacketFilters", PacketFilter::parse)(r)?;
            Ok((
                r,
                PacketFilters {
                    session_id,
                    packet_filters,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.packet_filters.len();
        let mut w = Writer::new(out, 8 + 8 * n);
        w.u32(self.session_id);
        w.u32(count_u32("PacketFiltersCount", n)?);
        w.ol_list("PacketFilters", &self.packet_filters, |f, out| {
            f.encode(out)
        })
    }
}

impl_request!(
    PacketFilters,
    BASIC_CONNECT,
    cid::IP_PACKET_FILTERS,
    SET,
    PacketFilters
);

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

payload_table! {
    /// Every Basic Connect payload.
    pub enum Any {
        DeviceCapsQuery(DeviceCapsQuery) = [(1, Query)],
        DeviceCapsInfo(DeviceCapsInfo) = [(1, Response)],
        SubscriberReadyStatusQuery(SubscriberReadyStatusQuery) = [(2, Query)],
        SubscriberReadyInfo(SubscriberReadyInfo) = [(2, Response), (2, Indication)],
        RadioStateQuery(RadioStateQuery) = [(3, Query)],
        SetRadioState(SetRadioState) = [(3, Set)],
        RadioStateInfo(RadioStateInfo) = [(3, Response), (3, Indication)],
        PinQuery(PinQuery) = [(4, Query)],
        SetPin(SetPin) = [(4, Set)],
        PinInfo(PinInfo) = [(4, Response)],
        PinListQuery(PinListQuery) = [(5, Query)],
        PinListInfo(PinListInfo) = [(5, Response)],
        HomeProviderQuery(HomeProviderQuery) = [(6, Query)],
        Provider(Provider) = [(6, Set), (6, Response)],
        PreferredProvidersQuery(PreferredProvidersQuery) = [(7, Query)],
        Providers(Providers) = [(7, Set), (7, Response), (7, Indication), (8, Response), (24, Set), (24, Response), (24, Indication)],
        VisibleProvidersReq(VisibleProvidersReq) = [(8, Query)],
        RegisterStateQuery(RegisterStateQuery) = [(9, Query)],
        SetRegistrationState(SetRegistrationState) = [(9, Set)],
        RegistrationStateInfo(RegistrationStateInfo) = [(9, Response), (9, Indication)],
        PacketServiceQuery(PacketServiceQuery) = [(10, Query)],
        SetPacketService(SetPacketService) = [(10, Set)],
        PacketServiceInfo(PacketServiceInfo) = [(10, Response), (10, Indication)],
        SignalStateQuery(SignalStateQuery) = [(11, Query)],
        SetSignalState(SetSignalState) = [(11, Set)],
        SignalStateInfo(SignalStateInfo) = [(11, Response), (11, Indication)],
        ConnectQuery(ConnectQuery) = [(12, Query)],
        SetConnect(SetConnect) = [(12, Set)],
        ConnectInfo(ConnectInfo) = [(12, Response), (12, Indication)],
        ProvisionedContextsQuery(ProvisionedContextsQuery) = [(13, Query)],
        SetProvisionedContext(SetProvisionedContext) = [(13, Set)],
        ProvisionedContextsInfo(ProvisionedContextsInfo) = [(13, Response), (13, Indication)],
        SetServiceActivation(SetServiceActivation) = [(14, Set)],
        ServiceActivationInfo(ServiceActivationInfo) = [(14, Response)],
        IpConfigurationQuery(IpConfigurationQuery) = [(15, Query)],
        IpConfigurationInfo(IpConfigurationInfo) = [(15, Response), (15, Indication)],
        DeviceServicesQuery(DeviceServicesQuery) = [(16, Query)],
        DeviceServicesInfo(DeviceServicesInfo) = [(16, Response)],
        DeviceServiceSubscribeList(DeviceServiceSubscribeList) = [(19, Set), (19, Response)],
        PacketStatisticsQuery(PacketStatisticsQuery) = [(20, Query)],
        PacketStatisticsInfo(PacketStatisticsInfo) = [(20, Response)],
        NetworkIdleHintQuery(NetworkIdleHintQuery) = [(21, Query)],
        NetworkIdleHint(NetworkIdleHint) = [(21, Set), (21, Response)],
        EmergencyModeQuery(EmergencyModeQuery) = [(22, Query)],
        EmergencyModeInfo(EmergencyModeInfo) = [(22, Set), (22, Response), (22, Indication)],
        PacketFilters(PacketFilters) = [(23, Query), (23, Set), (23, Response)],
        MulticarrierProvidersQuery(MulticarrierProvidersQuery) = [(24, Query)],
    }
}
