//! MS Basic Connect Extensions service (`3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf`;
//! the `9d3a` misprint is accepted on input by [`crate::uuid::canonical`]):
//! every CID of windows-operator-formats.md §7.2 for which a layout is known,
//! in its MBIMEx 1.0/2.0 form ([`Any`]) and, where MBIMEx 3.0 changes or adds
//! it, its 3.0 form ([`AnyV3`]).
//!
//! Layout sources: Microsoft's MBIMEx pages (field lists) and libmbim 1.28
//! (field order and types, `mbim-ms-basic-connect-extensions.h`), cross-checked
//! with libmbim's builders and printer. Not decoded (they stay
//! [`super::Decoded::Raw`]) because no field layout was available:
//! MODEM_LOGGING_CONFIG (13), PIN_INFO_EX2 (14) and NETWORK_PARAMETERS (18);
//! nor any MBIMEx 4.0 CID (UE_POLICY…, whose numbers and payloads are only
//! published as images, §9.8). Under MBIMEx 4.0 the 3.0 layouts apply.
//!
//! VERSION (15) is an MBIMEx 2.0 CID, but it is what negotiates the version,
//! so it decodes whatever the version in force (which is still 1.0 when the
//! VERSION response arrives).
//!
//! This module only encodes and decodes; it never decides which version is
//! in force (that is [`crate::session::Session`]'s job).

use super::basic_connect::{
    AuthProtocol, CellularClass, Compression, ContextIpType, CtrlCaps, DataClass, DeviceType,
    NwError, SimClass, SmsCaps, VoiceClass,
};
use super::{
    Empty, Payload, empty_request, impl_indication, impl_request, parse_all, payload_table,
};
use crate::error::EncodeError;
use crate::tlv::{self, Tlv};
use crate::uuid::MS_BASIC_CONNECT_EXTENSIONS as MS_BCE;
use crate::wire::{self, PError, Uuid, Writer, count_u32, ol_list, u32le};

/// CID numbers (windows-operator-formats.md §7.2).
pub mod cid {
    pub const PROVISIONED_CONTEXTS: u32 = 1;
    pub const NETWORK_DENYLIST: u32 = 2;
    pub const LTE_ATTACH_CONFIGURATION: u32 = 3;
    pub const LTE_ATTACH_INFO: u32 = 4;
    pub const SYS_CAPS: u32 = 5;
    pub const DEVICE_CAPS: u32 = 6;
    pub const DEVICE_SLOT_MAPPINGS: u32 = 7;
    pub const SLOT_INFO_STATUS: u32 = 8;
    pub const PCO: u32 = 9;
    pub const DEVICE_RESET: u32 = 10;
    pub const BASE_STATIONS_INFO: u32 = 11;
    pub const LOCATION_INFO_STATUS: u32 = 12;
    pub const MODEM_LOGGING_CONFIG: u32 = 13;
    pub const PIN_INFO_EX2: u32 = 14;
    pub const VERSION: u32 = 15;
    pub const MODEM_CONFIGURATION: u32 = 16;
    pub const REGISTRATION_PARAMETERS: u32 = 17;
    pub const NETWORK_PARAMETERS: u32 = 18;
    pub const WAKE_REASON: u32 = 19;
}

/// CID names indexed by number (libmbim's names where it has one).
pub const CID_NAMES: &[&str] = &[
    "",
    "provisioned-contexts",
    "network-denylist",
    "lte-attach-configuration",
    "lte-attach-info",
    "sys-caps",
    "device-caps",
    "device-slot-mappings",
    "slot-info-status",
    "pco",
    "device-reset",
    "base-stations-info",
    "location-info-status",
    "modem-logging-config",
    "pin-info-ex2",
    "version",
    "modem-configuration",
    "registration-parameters",
    "network-parameters",
    "wake-reason",
];

// ---------------------------------------------------------------------------
// A declarative layout for the many flat structures of this service
// ---------------------------------------------------------------------------

/// Declare a structure of u32/i32/u64/UUID fields and OL-pair strings, in wire
/// order, with its `Payload` impl. String OL offsets count from the
/// structure's first byte (MBIM 1.0 §10.3).
macro_rules! ms_struct {
    (
        $(#[$m:meta])*
        pub struct $N:ident {
            $( $(#[$fm:meta])* $f:ident : $T:ty = $w:ident $name:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
        pub struct $N { $( $(#[$fm])* pub $f: $T, )* }

        impl $N {
            /// Size of the fixed part in bytes.
            pub const FIXED: usize = 0 $( + $crate::services::ms_basic_connect_extensions::ms_struct!(@size $w) )*;
        }

        impl $crate::services::Payload for $N {
            fn parse(s: &[u8]) -> Result<Self, nom::Err<$crate::wire::PError>> {
                $crate::services::parse_all(s, |r| {
                    $( let (r, $f) = $crate::services::ms_basic_connect_extensions::ms_struct!(@parse $w $name s r); )*
                    Ok((r, $N { $( $f: $crate::services::ms_basic_connect_extensions::ms_struct!(@conv $w $f), )* }))
                })
            }
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                #[allow(unused_mut)]
                let mut w = $crate::wire::Writer::new(out, Self::FIXED);
                $( $crate::services::ms_basic_connect_extensions::ms_struct!(@write $w $name w self.$f); )*
                Ok(())
            }
        }
    };
    (@size u32) => { 4 };
    (@size i32) => { 4 };
    (@size u64) => { 8 };
    (@size uuid) => { 16 };
    (@size str) => { 8 };
    (@parse u32 $name:literal $s:ident $r:ident) => { $crate::wire::u32le($name)($r)? };
    (@parse i32 $name:literal $s:ident $r:ident) => { $crate::wire::u32le($name)($r)? };
    (@parse u64 $name:literal $s:ident $r:ident) => { $crate::wire::u64le($name)($r)? };
    (@parse uuid $name:literal $s:ident $r:ident) => { $crate::wire::uuid($name)($r)? };
    (@parse str $name:literal $s:ident $r:ident) => { $crate::wire::string($s, $name)($r)? };
    (@conv u32 $f:ident) => { $f.into() };
    (@conv i32 $f:ident) => { $f as i32 };
    (@conv u64 $f:ident) => { $f };
    (@conv uuid $f:ident) => { $f };
    (@conv str $f:ident) => { $f };
    (@write u32 $name:literal $w:ident $v:expr) => { $w.u32(u32::from($v)) };
    (@write i32 $name:literal $w:ident $v:expr) => { $w.u32($v as u32) };
    (@write u64 $name:literal $w:ident $v:expr) => { $w.u64($v) };
    (@write uuid $name:literal $w:ident $v:expr) => { $w.uuid(&$v) };
    (@write str $name:literal $w:ident $v:expr) => { $w.string($name, &$v, None)? };
}
pub(crate) use ms_struct;

/// Decode a count-prefixed list of OL pairs (MBIM 1.0 §10.3) of `T`.
fn parse_ol_list<'a, T: Payload>(
    s: &'a [u8],
    r: &'a [u8],
    count_name: &'static str,
    field: &'static str,
) -> wire::PResult<'a, Vec<T>> {
    let (r, count) = u32le(count_name)(r)?;
    ol_list(s, count, field, T::parse)(r)
}

/// Encode `items` as an OL-pair list after the fixed part written by `head`.
fn encode_ol_list<T: Payload>(
    out: &mut Vec<u8>,
    head_len: usize,
    head: impl FnOnce(&mut Writer<'_>),
    count_name: &'static str,
    field: &'static str,
    items: &[T],
) -> Result<(), EncodeError> {
    let n = items.len();
    let mut w = Writer::new(out, head_len + 4 + 8 * n);
    head(&mut w);
    w.u32(count_u32(count_name, n)?);
    w.ol_list(field, items, |it, out| it.encode(out))
}

// ---------------------------------------------------------------------------
// Enumerations and flags
// ---------------------------------------------------------------------------

crate::wire_enum! {
    /// MBIM_MS_CONTEXT_OPERATION (PROVISIONED_CONTEXTS set).
    pub struct ContextOperation(u32) {
        DEFAULT = 0 => "default",
        DELETE = 1 => "delete",
        RESTORE_FACTORY = 2 => "restore-factory",
    }
}

crate::wire_enum! {
    /// MBIM_MS_CONTEXT_STATE.
    pub struct ContextState(u32) {
        DISABLED = 0 => "disabled",
        ENABLED = 1 => "enabled",
    }
}

crate::wire_enum! {
    /// MBIM_MS_CONTEXT_ROAMING_CONTROL.
    pub struct ContextRoamingControl(u32) {
        HOME_ONLY = 0 => "home-only",
        PARTNER_ONLY = 1 => "partner-only",
        NON_PARTNER_ONLY = 2 => "non-partner-only",
        HOME_AND_PARTNER = 3 => "home-and-partner",
        HOME_AND_NON_PARTNER = 4 => "home-and-non-partner",
        PARTNER_AND_NON_PARTNER = 5 => "partner-and-non-partner",
        ALLOW_ALL = 6 => "allow-all",
    }
}

crate::wire_enum! {
    /// MBIM_MS_CONTEXT_MEDIA_TYPE.
    pub struct ContextMediaType(u32) {
        CELLULAR_ONLY = 0 => "cellular-only",
        WIFI_ONLY = 1 => "wifi-only",
        CELLULAR_AND_WIFI = 2 => "all",
    }
}

crate::wire_enum! {
    /// MBIM_MS_CONTEXT_SOURCE.
    pub struct ContextSource(u32) {
        ADMIN = 0 => "admin",
        USER = 1 => "user",
        OPERATOR = 2 => "operator",
        MODEM = 3 => "modem",
        DEVICE = 4 => "device",
    }
}

crate::wire_flags! {
    /// MBIM_MS_NETWORK_BLACKLIST_STATE: which deny lists are in force.
    pub struct NetworkDenylistState(u32) {
        SIM_PROVIDER_ACTUATED = 1 => "sim-provider-actuated",
        NETWORK_PROVIDER_ACTUATED = 2 => "network-provider-actuated",
    }
}

crate::wire_enum! {
    /// MBIM_MS_NETWORK_BLACKLIST_TYPE: which list a provider belongs to.
    pub struct NetworkDenylistType(u32) {
        SIM = 0 => "sim",
        NETWORK = 1 => "network",
    }
}

crate::wire_enum! {
    /// MBIM_MS_LTE_ATTACH_CONTEXT_OPERATION.
    pub struct LteAttachContextOperation(u32) {
        DEFAULT = 0 => "default",
        RESTORE_FACTORY = 1 => "restore-factory",
    }
}

crate::wire_enum! {
    /// MBIM_MS_LTE_ATTACH_CONTEXT_ROAMING_CONTROL.
    pub struct LteAttachContextRoamingControl(u32) {
        HOME = 0 => "home",
        PARTNER = 1 => "partner",
        NON_PARTNER = 2 => "non-partner",
    }
}

crate::wire_enum! {
    /// MBIM_MS_LTE_ATTACH_STATE.
    pub struct LteAttachState(u32) {
        DETACHED = 0 => "detached",
        ATTACHED = 1 => "attached",
    }
}

crate::wire_enum! {
    /// MBIM_MS_UICC_SLOT_STATE (windows-operator-formats.md §7.2, CID 8).
    pub struct UiccSlotState(u32) {
        UNKNOWN = 0 => "unknown",
        OFF_EMPTY = 1 => "off-empty",
        OFF = 2 => "off",
        EMPTY = 3 => "empty",
        NOT_READY = 4 => "not-ready",
        ACTIVE = 5 => "active",
        ERROR = 6 => "error",
        ACTIVE_ESIM = 7 => "active-esim",
        ACTIVE_ESIM_NO_PROFILES = 8 => "active-esim-no-profiles",
    }
}

crate::wire_enum! {
    /// MBIM_MS_PCO_TYPE.
    pub struct PcoType(u32) {
        COMPLETE = 0 => "complete",
        PARTIAL = 1 => "partial",
    }
}

crate::wire_flags! {
    /// MBIM_DATA_SUBCLASS (MBIMEx 3.0; windows-operator-formats.md §7.3).
    pub struct DataSubclass(u32) {
        NR5G_ENDC = 0x1 => "5g-endc",
        NR5G_NR = 0x2 => "5g-nr",
        NR5G_NEDC = 0x4 => "5g-nedc",
        NR5G_ELTE = 0x8 => "5g-elte",
        NR5G_NGENDC = 0x10 => "5g-ngendc",
    }
}

crate::wire_enum! {
    /// MBIM_MODEM_CONFIGURATION_STATUS (MBIMEx 3.0).
    pub struct ModemConfigurationStatus(u32) {
        UNKNOWN = 0 => "unknown",
        STARTED = 1 => "started",
        COMPLETED = 2 => "completed",
    }
}

crate::wire_enum! {
    /// MBIM_MICO_MODE (MBIMEx 3.0).
    pub struct MicoMode(u32) {
        DISABLED = 0 => "disabled",
        ENABLED = 1 => "enabled",
        UNSUPPORTED = 2 => "unsupported",
        DEFAULT = 3 => "default",
    }
}

crate::wire_enum! {
    /// MBIM_DRX_CYCLE (MBIMEx 3.0).
    pub struct DrxCycle(u32) {
        NOT_SPECIFIED = 0 => "not-specified",
        NOT_SUPPORTED = 1 => "not-supported",
        CYCLE_32 = 2 => "32",
        CYCLE_64 = 3 => "64",
        CYCLE_128 = 4 => "128",
        CYCLE_256 = 5 => "256",
    }
}

crate::wire_enum! {
    /// MBIM_LADN_INFO (MBIMEx 3.0).
    pub struct LadnInfo(u32) {
        NOT_NEEDED = 0 => "not-needed",
        REQUESTED = 1 => "requested",
    }
}

crate::wire_enum! {
    /// MBIM_DEFAULT_PDU_ACTIVATION_HINT (MBIMEx 3.0).
    pub struct DefaultPduActivationHint(u32) {
        UNLIKELY = 0 => "unlikely",
        LIKELY = 1 => "likely",
    }
}

crate::wire_enum! {
    /// MBIM_WAKE_TYPE (MBIMEx 3.0).
    pub struct WakeType(u32) {
        CID_RESPONSE = 0 => "cid-response",
        CID_INDICATION = 1 => "cid-indication",
        PACKET = 2 => "packet",
    }
}

// ---------------------------------------------------------------------------
// 1 PROVISIONED_CONTEXTS (MBIM_CID_MS_PROVISIONED_CONTEXT_V2)
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_SET_PROVISIONED_CONTEXT_V2.
    pub struct SetProvisionedContextV2 {
        operation: ContextOperation = u32 "Operation",
        context_type: Uuid = uuid "ContextType",
        ip_type: ContextIpType = u32 "IpType",
        state: ContextState = u32 "State",
        roaming: ContextRoamingControl = u32 "Roaming",
        media_type: ContextMediaType = u32 "MediaType",
        source: ContextSource = u32 "Source",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        access_string: String = str "AccessString",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        user_name: String = str "UserName",
        /// Personal data; never logged.
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        password: String = str "Password",
        compression: Compression = u32 "Compression",
        auth_protocol: AuthProtocol = u32 "AuthProtocol",
    }
}

ms_struct! {
    /// MBIM_MS_CONTEXT_V2: one provisioned context.
    pub struct ProvisionedContextElementV2 {
        context_id: u32 = u32 "ContextId",
        context_type: Uuid = uuid "ContextType",
        ip_type: ContextIpType = u32 "IpType",
        state: ContextState = u32 "State",
        roaming: ContextRoamingControl = u32 "Roaming",
        media_type: ContextMediaType = u32 "MediaType",
        source: ContextSource = u32 "Source",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        access_string: String = str "AccessString",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        user_name: String = str "UserName",
        /// Personal data; never logged.
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        password: String = str "Password",
        compression: Compression = u32 "Compression",
        auth_protocol: AuthProtocol = u32 "AuthProtocol",
    }
}

/// MBIM_MS_PROVISIONED_CONTEXTS_INFO_V2 (response and indication).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ProvisionedContextsInfoV2 {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<ProvisionedContextElementV2>()")
    )]
    pub provisioned_contexts: Vec<ProvisionedContextElementV2>,
}

impl Payload for ProvisionedContextsInfoV2 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, provisioned_contexts) =
                parse_ol_list(s, r, "ProvisionedContextsCount", "ProvisionedContexts")?;
            Ok((
                r,
                ProvisionedContextsInfoV2 {
                    provisioned_contexts,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        encode_ol_list(
            out,
            0,
            |_| {},
            "ProvisionedContextsCount",
            "ProvisionedContexts",
            &self.provisioned_contexts,
        )
    }
}

empty_request!(
    /// MS PROVISIONED_CONTEXTS query.
    ProvisionedContextsQuery, MS_BCE, cid::PROVISIONED_CONTEXTS, QUERY, ProvisionedContextsInfoV2
);
impl_request!(
    SetProvisionedContextV2,
    MS_BCE,
    cid::PROVISIONED_CONTEXTS,
    SET,
    ProvisionedContextsInfoV2
);
impl_indication!(ProvisionedContextsInfoV2, MS_BCE, cid::PROVISIONED_CONTEXTS);

// ---------------------------------------------------------------------------
// 2 NETWORK_DENYLIST (MBIM_CID_MS_NETWORK_BLACKLIST)
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_NETWORK_BLACKLIST_PROVIDER: one MCC/MNC pair and its list.
    pub struct NetworkDenylistProvider {
        mcc: u32 = u32 "Mcc",
        mnc: u32 = u32 "Mnc",
        network_denylist_type: NetworkDenylistType = u32 "NetworkDenylistType",
    }
}

/// MBIM_MS_NETWORK_BLACKLIST_INFO (set, response, indication): the state
/// flags, then an OL-pair list of providers. libmbim 1.28 names this CID but
/// has no layout for it; this is Microsoft's field list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct NetworkDenylistInfo {
    pub denylist_state: NetworkDenylistState,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<NetworkDenylistProvider>()")
    )]
    pub providers: Vec<NetworkDenylistProvider>,
}

impl Payload for NetworkDenylistInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, state) = u32le("DenylistState")(r)?;
            let (r, providers) = parse_ol_list(s, r, "ElementCount", "DenylistProviders")?;
            Ok((
                r,
                NetworkDenylistInfo {
                    denylist_state: state.into(),
                    providers,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let st = self.denylist_state.0;
        encode_ol_list(
            out,
            4,
            |w| w.u32(st),
            "ElementCount",
            "DenylistProviders",
            &self.providers,
        )
    }
}

empty_request!(
    /// NETWORK_DENYLIST query.
    NetworkDenylistQuery, MS_BCE, cid::NETWORK_DENYLIST, QUERY, NetworkDenylistInfo
);
impl_request!(
    NetworkDenylistInfo,
    MS_BCE,
    cid::NETWORK_DENYLIST,
    SET,
    NetworkDenylistInfo
);
impl_indication!(NetworkDenylistInfo, MS_BCE, cid::NETWORK_DENYLIST);

// ---------------------------------------------------------------------------
// 3 LTE_ATTACH_CONFIGURATION
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_LTE_ATTACH_CONTEXT: the initial-attach APN for one roaming condition.
    pub struct LteAttachConfiguration {
        ip_type: ContextIpType = u32 "IpType",
        roaming: LteAttachContextRoamingControl = u32 "Roaming",
        source: ContextSource = u32 "Source",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        access_string: String = str "AccessString",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        user_name: String = str "UserName",
        /// Personal data; never logged.
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        password: String = str "Password",
        compression: Compression = u32 "Compression",
        auth_protocol: AuthProtocol = u32 "AuthProtocol",
    }
}

/// MBIM_MS_SET_LTE_ATTACH_CONFIG.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetLteAttachConfiguration {
    pub operation: LteAttachContextOperation,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<LteAttachConfiguration>()")
    )]
    pub configurations: Vec<LteAttachConfiguration>,
}

impl Payload for SetLteAttachConfiguration {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, operation) = u32le("Operation")(r)?;
            let (r, configurations) = parse_ol_list(s, r, "ConfigurationCount", "Configurations")?;
            Ok((
                r,
                SetLteAttachConfiguration {
                    operation: operation.into(),
                    configurations,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let op = self.operation.0;
        encode_ol_list(
            out,
            4,
            |w| w.u32(op),
            "ConfigurationCount",
            "Configurations",
            &self.configurations,
        )
    }
}

/// MBIM_MS_LTE_ATTACH_CONFIG_INFO (response and indication).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct LteAttachConfigurationInfo {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<LteAttachConfiguration>()")
    )]
    pub configurations: Vec<LteAttachConfiguration>,
}

impl Payload for LteAttachConfigurationInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, configurations) = parse_ol_list(s, r, "ConfigurationCount", "Configurations")?;
            Ok((r, LteAttachConfigurationInfo { configurations }))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        encode_ol_list(
            out,
            0,
            |_| {},
            "ConfigurationCount",
            "Configurations",
            &self.configurations,
        )
    }
}

empty_request!(
    /// LTE_ATTACH_CONFIGURATION query.
    LteAttachConfigurationQuery, MS_BCE, cid::LTE_ATTACH_CONFIGURATION, QUERY, LteAttachConfigurationInfo
);
impl_request!(
    SetLteAttachConfiguration,
    MS_BCE,
    cid::LTE_ATTACH_CONFIGURATION,
    SET,
    LteAttachConfigurationInfo
);
impl_indication!(
    LteAttachConfigurationInfo,
    MS_BCE,
    cid::LTE_ATTACH_CONFIGURATION
);

// ---------------------------------------------------------------------------
// 4 LTE_ATTACH_INFO (MBIM_CID_MS_LTE_ATTACH_STATUS)
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_LTE_ATTACH_STATUS (MBIMEx 1.0/2.0 layout).
    pub struct LteAttachInfo {
        lte_attach_state: LteAttachState = u32 "LteAttachState",
        ip_type: ContextIpType = u32 "IpType",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        access_string: String = str "AccessString",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        user_name: String = str "UserName",
        /// Personal data; never logged.
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        password: String = str "Password",
        compression: Compression = u32 "Compression",
        auth_protocol: AuthProtocol = u32 "AuthProtocol",
    }
}

ms_struct! {
    /// MBIM_MS_LTE_ATTACH_STATUS_V2 (MBIMEx 3.0): NwError after the state.
    pub struct LteAttachInfoV3 {
        lte_attach_state: LteAttachState = u32 "LteAttachState",
        nw_error: NwError = u32 "NwError",
        ip_type: ContextIpType = u32 "IpType",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        access_string: String = str "AccessString",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        user_name: String = str "UserName",
        /// Personal data; never logged.
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        password: String = str "Password",
        compression: Compression = u32 "Compression",
        auth_protocol: AuthProtocol = u32 "AuthProtocol",
    }
}

empty_request!(
    /// LTE_ATTACH_INFO query (answered with [`LteAttachInfo`], or
    /// [`LteAttachInfoV3`] under MBIMEx 3.0).
    LteAttachInfoQuery, MS_BCE, cid::LTE_ATTACH_INFO, QUERY, LteAttachInfo
);
impl_indication!(LteAttachInfo, MS_BCE, cid::LTE_ATTACH_INFO);
impl_indication!(LteAttachInfoV3, MS_BCE, cid::LTE_ATTACH_INFO);

// ---------------------------------------------------------------------------
// 5 SYS_CAPS
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_SYS_CAPS_INFO.
    pub struct SysCapsInfo {
        number_of_executors: u32 = u32 "NumberOfExecutors",
        number_of_slots: u32 = u32 "NumberOfSlots",
        concurrency: u32 = u32 "Concurrency",
        modem_id: u64 = u64 "ModemId",
    }
}

empty_request!(
    /// SYS_CAPS query.
    SysCapsQuery, MS_BCE, cid::SYS_CAPS, QUERY, SysCapsInfo
);

// ---------------------------------------------------------------------------
// 6 DEVICE_CAPS (MBIM_CID_MS_DEVICE_CAPS_V2)
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_DEVICE_CAPS_INFO_V2 (MBIMEx 1.0/2.0 layout): MBIM_DEVICE_CAPS_INFO
    /// without the subscriber fields, plus the executor index.
    pub struct DeviceCapsInfoV2 {
        device_type: DeviceType = u32 "DeviceType",
        cellular_class: CellularClass = u32 "CellularClass",
        voice_class: VoiceClass = u32 "VoiceClass",
        sim_class: SimClass = u32 "SimClass",
        data_class: DataClass = u32 "DataClass",
        sms_caps: SmsCaps = u32 "SmsCaps",
        control_caps: CtrlCaps = u32 "ControlCaps",
        max_sessions: u32 = u32 "MaxSessions",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        custom_data_class: String = str "CustomDataClass",
        /// The IMEI (personal data).
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        device_id: String = str "DeviceId",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        firmware_info: String = str "FirmwareInfo",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        hardware_info: String = str "HardwareInfo",
        executor_index: u32 = u32 "ExecutorIndex",
    }
}

/// MBIM_MS_DEVICE_CAPS_INFO_V3 (MBIMEx 3.0): fixed fields, then the band
/// tables and the four strings as TLVs, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct DeviceCapsInfoV3 {
    pub device_type: DeviceType,
    pub cellular_class: CellularClass,
    pub voice_class: VoiceClass,
    pub sim_class: SimClass,
    pub data_class: DataClass,
    pub sms_caps: SmsCaps,
    pub control_caps: CtrlCaps,
    /// MBIM_DATA_SUBCLASS bits in a 64-bit field.
    pub data_subclass: u64,
    pub max_sessions: u32,
    pub executor_index: u32,
    pub wcdma_band_class: u32,
    /// LTE bands (UINT16_TBL TLV).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "proptest::collection::vec(proptest::prelude::any::<u16>(), 0..6)")
    )]
    pub lte_band_class: Vec<u16>,
    /// NR bands (UINT16_TBL TLV).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "proptest::collection::vec(proptest::prelude::any::<u16>(), 0..6)")
    )]
    pub nr_band_class: Vec<u16>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub custom_data_class: String,
    /// The IMEI (personal data).
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

impl Payload for DeviceCapsInfoV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, device_type) = u32le("DeviceType")(r)?;
            let (r, cellular_class) = u32le("CellularClass")(r)?;
            let (r, voice_class) = u32le("VoiceClass")(r)?;
            let (r, sim_class) = u32le("SimClass")(r)?;
            let (r, data_class) = u32le("DataClass")(r)?;
            let (r, sms_caps) = u32le("SmsCaps")(r)?;
            let (r, control_caps) = u32le("ControlCaps")(r)?;
            let (r, data_subclass) = wire::u64le("DataSubclass")(r)?;
            let (r, max_sessions) = u32le("MaxSessions")(r)?;
            let (r, executor_index) = u32le("ExecutorIndex")(r)?;
            let (r, wcdma_band_class) = u32le("WcdmaBandClass")(r)?;
            let (r, lte_band_class) = tlv::tlv_u16s("LteBandClass")(r)?;
            let (r, nr_band_class) = tlv::tlv_u16s("NrBandClass")(r)?;
            let (r, custom_data_class) = tlv::tlv_string("CustomDataClass")(r)?;
            let (r, device_id) = tlv::tlv_string("DeviceId")(r)?;
            let (r, firmware_info) = tlv::tlv_string("FirmwareInfo")(r)?;
            let (r, hardware_info) = tlv::tlv_string("HardwareInfo")(r)?;
            Ok((
                r,
                DeviceCapsInfoV3 {
                    device_type: device_type.into(),
                    cellular_class: cellular_class.into(),
                    voice_class: voice_class.into(),
                    sim_class: sim_class.into(),
                    data_class: data_class.into(),
                    sms_caps: sms_caps.into(),
                    control_caps: control_caps.into(),
                    data_subclass,
                    max_sessions,
                    executor_index,
                    wcdma_band_class,
                    lte_band_class,
                    nr_band_class,
                    custom_data_class,
                    device_id,
                    firmware_info,
                    hardware_info,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 48);
        w.u32(self.device_type.0);
        w.u32(self.cellular_class.0);
        w.u32(self.voice_class.0);
        w.u32(self.sim_class.0);
        w.u32(self.data_class.0);
        w.u32(self.sms_caps.0);
        w.u32(self.control_caps.0);
        w.u64(self.data_subclass);
        w.u32(self.max_sessions);
        w.u32(self.executor_index);
        w.u32(self.wcdma_band_class);
        Tlv::uint16_tbl(&self.lte_band_class).encode(out)?;
        Tlv::uint16_tbl(&self.nr_band_class).encode(out)?;
        Tlv::wchar_str(&self.custom_data_class).encode(out)?;
        Tlv::wchar_str(&self.device_id).encode(out)?;
        Tlv::wchar_str(&self.firmware_info).encode(out)?;
        Tlv::wchar_str(&self.hardware_info).encode(out)
    }
}

empty_request!(
    /// MS DEVICE_CAPS query (answered with [`DeviceCapsInfoV2`], or
    /// [`DeviceCapsInfoV3`] under MBIMEx 3.0).
    DeviceCapsQuery, MS_BCE, cid::DEVICE_CAPS, QUERY, DeviceCapsInfoV2
);

// ---------------------------------------------------------------------------
// 7 DEVICE_SLOT_MAPPINGS
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_DEVICE_SLOT_MAPPING element: the slot bound to one executor
    /// (the element's position is the executor index).
    pub struct Slot {
        slot: u32 = u32 "Slot",
    }
}

/// MBIM_MS_DEVICE_SLOT_MAPPING_INFO (set and response).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct DeviceSlotMappingInfo {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Slot>()")
    )]
    pub slot_map: Vec<Slot>,
}

impl Payload for DeviceSlotMappingInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, slot_map) = parse_ol_list(s, r, "MapCount", "SlotMap")?;
            Ok((r, DeviceSlotMappingInfo { slot_map }))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        encode_ol_list(out, 0, |_| {}, "MapCount", "SlotMap", &self.slot_map)
    }
}

empty_request!(
    /// DEVICE_SLOT_MAPPINGS query.
    DeviceSlotMappingsQuery, MS_BCE, cid::DEVICE_SLOT_MAPPINGS, QUERY, DeviceSlotMappingInfo
);
impl_request!(
    DeviceSlotMappingInfo,
    MS_BCE,
    cid::DEVICE_SLOT_MAPPINGS,
    SET,
    DeviceSlotMappingInfo
);

// ---------------------------------------------------------------------------
// 8 SLOT_INFO_STATUS
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_SLOT_INFO_REQ.
    pub struct SlotInfoReq {
        slot_index: u32 = u32 "SlotIndex",
    }
}

ms_struct! {
    /// MBIM_MS_SLOT_INFO (response and indication).
    pub struct SlotInfo {
        slot_index: u32 = u32 "SlotIndex",
        state: UiccSlotState = u32 "State",
    }
}

impl_request!(SlotInfoReq, MS_BCE, cid::SLOT_INFO_STATUS, QUERY, SlotInfo);
impl_indication!(SlotInfo, MS_BCE, cid::SLOT_INFO_STATUS);

// ---------------------------------------------------------------------------
// 9 PCO
// ---------------------------------------------------------------------------

/// MBIM_MS_PCO_VALUE (query, response, indication): the PCO bytes are inline,
/// sized by PcoDataSize, padded to 4.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PcoValue {
    pub session_id: u32,
    pub pco_data_type: PcoType,
    pub pco_data_buffer: super::RawBytes,
}

impl Payload for PcoValue {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            let at = r;
            let (r, size) = u32le("PcoDataSize")(r)?;
            let (r, pco_data_type) = u32le("PcoDataType")(r)?;
            wire::check_count("PcoDataSize", at, size, 1, r.len())?;
            let (r, data) = wire::take("PcoDataBuffer", size as usize)(r)?;
            Ok((
                r,
                PcoValue {
                    session_id,
                    pco_data_type: pco_data_type.into(),
                    pco_data_buffer: super::RawBytes(data.to_vec()),
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let d = &self.pco_data_buffer.0;
        let mut w = Writer::new(out, 12);
        w.u32(self.session_id);
        w.u32(count_u32("PcoDataSize", d.len())?);
        w.u32(self.pco_data_type.0);
        w.tail(d);
        wire::pad4(out);
        Ok(())
    }
}

impl_request!(PcoValue, MS_BCE, cid::PCO, QUERY, PcoValue);
impl_indication!(PcoValue, MS_BCE, cid::PCO);

// ---------------------------------------------------------------------------
// 10 DEVICE_RESET
// ---------------------------------------------------------------------------

empty_request!(
    /// DEVICE_RESET set: an empty buffer; the empty response comes before
    /// the modem resets.
    DeviceResetSet, MS_BCE, cid::DEVICE_RESET, SET, Empty
);

// ---------------------------------------------------------------------------
// 11 BASE_STATIONS_INFO
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_BASE_STATIONS_INFO_REQ (MBIMEx 1.0/2.0 layout).
    pub struct BaseStationsInfoReq {
        max_gsm_count: u32 = u32 "MaxGsmCount",
        max_umts_count: u32 = u32 "MaxUmtsCount",
        max_tdscdma_count: u32 = u32 "MaxTdscdmaCount",
        max_lte_count: u32 = u32 "MaxLteCount",
        max_cdma_count: u32 = u32 "MaxCdmaCount",
    }
}

ms_struct! {
    /// MBIM_MS_BASE_STATIONS_INFO_REQ_V2 (MBIMEx 3.0): adds MaxNrCount.
    pub struct BaseStationsInfoReqV3 {
        max_gsm_count: u32 = u32 "MaxGsmCount",
        max_umts_count: u32 = u32 "MaxUmtsCount",
        max_tdscdma_count: u32 = u32 "MaxTdscdmaCount",
        max_lte_count: u32 = u32 "MaxLteCount",
        max_cdma_count: u32 = u32 "MaxCdmaCount",
        max_nr_count: u32 = u32 "MaxNrCount",
    }
}

ms_struct! {
    /// MBIM_MS_GSM_SERVING_CELL_INFO.
    pub struct CellInfoServingGsm {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        location_area_code: u32 = u32 "LocationAreaCode",
        cell_id: u32 = u32 "CellId",
        timing_advance: u32 = u32 "TimingAdvance",
        arfcn: u32 = u32 "Arfcn",
        base_station_id: u32 = u32 "BaseStationId",
        rx_level: u32 = u32 "RxLevel",
    }
}

ms_struct! {
    /// MBIM_MS_UMTS_SERVING_CELL_INFO.
    pub struct CellInfoServingUmts {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        location_area_code: u32 = u32 "LocationAreaCode",
        cell_id: u32 = u32 "CellId",
        frequency_info_ul: u32 = u32 "FrequencyInfoUl",
        frequency_info_dl: u32 = u32 "FrequencyInfoDl",
        frequency_info_nt: u32 = u32 "FrequencyInfoNt",
        uarfcn: u32 = u32 "Uarfcn",
        primary_scrambling_code: u32 = u32 "PrimaryScramblingCode",
        rscp: i32 = i32 "Rscp",
        ecno: i32 = i32 "Ecno",
        path_loss: u32 = u32 "PathLoss",
    }
}

ms_struct! {
    /// MBIM_MS_TDSCDMA_SERVING_CELL_INFO.
    pub struct CellInfoServingTdscdma {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        location_area_code: u32 = u32 "LocationAreaCode",
        cell_id: u32 = u32 "CellId",
        uarfcn: u32 = u32 "Uarfcn",
        cell_parameter_id: u32 = u32 "CellParameterId",
        timing_advance: u32 = u32 "TimingAdvance",
        rscp: i32 = i32 "Rscp",
        path_loss: u32 = u32 "PathLoss",
    }
}

ms_struct! {
    /// MBIM_MS_LTE_SERVING_CELL_INFO.
    pub struct CellInfoServingLte {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        cell_id: u32 = u32 "CellId",
        earfcn: u32 = u32 "Earfcn",
        physical_cell_id: u32 = u32 "PhysicalCellId",
        tac: u32 = u32 "Tac",
        rsrp: i32 = i32 "Rsrp",
        rsrq: i32 = i32 "Rsrq",
        timing_advance: u32 = u32 "TimingAdvance",
    }
}

ms_struct! {
    /// MBIM_MS_GSM_NMR_INFO: one GSM neighbour.
    pub struct CellInfoNeighboringGsm {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        location_area_code: u32 = u32 "LocationAreaCode",
        cell_id: u32 = u32 "CellId",
        arfcn: u32 = u32 "Arfcn",
        base_station_id: u32 = u32 "BaseStationId",
        rx_level: u32 = u32 "RxLevel",
    }
}

ms_struct! {
    /// MBIM_MS_UMTS_MRL_INFO: one UMTS neighbour.
    pub struct CellInfoNeighboringUmts {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        location_area_code: u32 = u32 "LocationAreaCode",
        cell_id: u32 = u32 "CellId",
        uarfcn: u32 = u32 "Uarfcn",
        primary_scrambling_code: u32 = u32 "PrimaryScramblingCode",
        rscp: i32 = i32 "Rscp",
        ecno: i32 = i32 "Ecno",
        path_loss: u32 = u32 "PathLoss",
    }
}

ms_struct! {
    /// MBIM_MS_TDSCDMA_MRL_INFO: one TD-SCDMA neighbour.
    pub struct CellInfoNeighboringTdscdma {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        location_area_code: u32 = u32 "LocationAreaCode",
        cell_id: u32 = u32 "CellId",
        uarfcn: u32 = u32 "Uarfcn",
        cell_parameter_id: u32 = u32 "CellParameterId",
        timing_advance: u32 = u32 "TimingAdvance",
        rscp: i32 = i32 "Rscp",
        path_loss: u32 = u32 "PathLoss",
    }
}

ms_struct! {
    /// MBIM_MS_LTE_MRL_INFO: one LTE neighbour.
    pub struct CellInfoNeighboringLte {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        cell_id: u32 = u32 "CellId",
        earfcn: u32 = u32 "Earfcn",
        physical_cell_id: u32 = u32 "PhysicalCellId",
        tac: u32 = u32 "Tac",
        rsrp: i32 = i32 "Rsrp",
        rsrq: i32 = i32 "Rsrq",
    }
}

ms_struct! {
    /// MBIM_MS_CDMA_MRL_INFO: one CDMA cell (serving or not).
    pub struct CellInfoCdma {
        serving_cell_flag: u32 = u32 "ServingCellFlag",
        nid: u32 = u32 "Nid",
        sid: u32 = u32 "Sid",
        base_station_id: u32 = u32 "BaseStationId",
        base_latitude: u32 = u32 "BaseLatitude",
        base_longitude: u32 = u32 "BaseLongitude",
        ref_pn: u32 = u32 "RefPn",
        gps_seconds: u32 = u32 "GpsSeconds",
        pilot_strength: u32 = u32 "PilotStrength",
    }
}

ms_struct! {
    /// MBIM_MS_NR_SERVING_CELL_INFO (MBIMEx 3.0).
    pub struct CellInfoServingNr {
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        nci: u64 = u64 "Nci",
        physical_cell_id: u32 = u32 "PhysicalCellId",
        nrarfcn: u32 = u32 "Nrarfcn",
        tac: u32 = u32 "Tac",
        rsrp: u32 = u32 "Rsrp",
        rsrq: u32 = u32 "Rsrq",
        sinr: u32 = u32 "Sinr",
        timing_advance: u64 = u64 "TimingAdvance",
    }
}

ms_struct! {
    /// MBIM_MS_NR_NEIGHBOR_CELL_INFO (MBIMEx 3.0).
    pub struct CellInfoNeighboringNr {
        system_sub_type: DataSubclass = u32 "SystemSubType",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        cell_id: String = str "CellId",
        physical_cell_id: u32 = u32 "PhysicalCellId",
        tac: u32 = u32 "Tac",
        rsrp: u32 = u32 "Rsrp",
        rsrq: u32 = u32 "Rsrq",
        sinr: u32 = u32 "Sinr",
    }
}

/// An OL pair pointing at one optional structure (size 0 = absent).
fn opt_struct<'a, T: Payload>(
    s: &'a [u8],
    field: &'static str,
) -> impl Fn(&'a [u8]) -> wire::PResult<'a, Option<T>> {
    move |i: &'a [u8]| {
        let (r, d) = wire::ol(s, field)(i)?;
        if d.is_empty() {
            return Ok((r, None));
        }
        Ok((r, Some(T::parse(d)?)))
    }
}

/// An OL pair pointing at a "count, then the elements inline" block (the
/// MS_*_NMR/MRL structures). Each element's own OL offsets count from the
/// element's first byte; its variable data follows all the fixed parts.
fn ms_array<'a, T: Payload + HasFixed>(
    s: &'a [u8],
    field: &'static str,
) -> impl Fn(&'a [u8]) -> wire::PResult<'a, Vec<T>> {
    move |i: &'a [u8]| {
        let (r, d) = wire::ol(s, field)(i)?;
        if d.is_empty() {
            return Ok((r, Vec::new()));
        }
        let (mut e, count) = u32le(field)(d)?;
        wire::check_count(field, d, count, T::FIXED_LEN, e.len())?;
        let mut out = Vec::with_capacity(count as usize);
        for _ in 0..count {
            out.push(T::parse(e)?);
            e = &e[T::FIXED_LEN..];
        }
        Ok((r, out))
    }
}

/// The fixed size of an element of an inline array.
pub trait HasFixed {
    /// Bytes taken by one element's fixed part.
    const FIXED_LEN: usize;
}

macro_rules! has_fixed {
    ($($T:ty),*) => { $( impl HasFixed for $T { const FIXED_LEN: usize = <$T>::FIXED; } )* };
}
has_fixed!(
    CellInfoNeighboringGsm,
    CellInfoNeighboringUmts,
    CellInfoNeighboringTdscdma,
    CellInfoNeighboringLte,
    CellInfoCdma,
    CellInfoServingNr,
    CellInfoNeighboringNr
);

/// Write `items` as "count, fixed parts, then every element's variable data":
/// each element is encoded alone, then its OL offsets are moved to where its
/// data lands. Only OL pairs whose size is non-zero are moved.
fn encode_ms_array<T: Payload + HasFixed>(
    items: &[T],
    ol_at: &[usize],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    out.extend_from_slice(&count_u32("ElementCount", items.len())?.to_le_bytes());
    let base = out.len();
    let n = items.len();
    out.resize(base + n * T::FIXED_LEN, 0);
    for (k, it) in items.iter().enumerate() {
        let mut one = Vec::new();
        it.encode(&mut one)?;
        let elem_start = base + k * T::FIXED_LEN;
        let data_start = out.len();
        // Shift each OL offset: it was relative to `one`'s start, where the
        // data began at FIXED_LEN; now the data begins at `data_start`.
        for &at in ol_at {
            let off = u32::from_le_bytes([one[at], one[at + 1], one[at + 2], one[at + 3]]);
            let size = u32::from_le_bytes([one[at + 4], one[at + 5], one[at + 6], one[at + 7]]);
            if size != 0 {
                let moved = (data_start - elem_start) + (off as usize - T::FIXED_LEN);
                let moved = count_u32("Offset", moved)?;
                one[at..at + 4].copy_from_slice(&moved.to_le_bytes());
            }
        }
        out[elem_start..elem_start + T::FIXED_LEN].copy_from_slice(&one[..T::FIXED_LEN]);
        out.extend_from_slice(&one[T::FIXED_LEN..]);
    }
    Ok(())
}

/// MBIM_MS_BASE_STATIONS_INFO (MBIMEx 1.0/2.0 layout).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct BaseStationsInfo {
    pub system_type: DataClass,
    pub gsm_serving_cell: Option<CellInfoServingGsm>,
    pub umts_serving_cell: Option<CellInfoServingUmts>,
    pub tdscdma_serving_cell: Option<CellInfoServingTdscdma>,
    pub lte_serving_cell: Option<CellInfoServingLte>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringGsm>()")
    )]
    pub gsm_neighboring_cells: Vec<CellInfoNeighboringGsm>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringUmts>()")
    )]
    pub umts_neighboring_cells: Vec<CellInfoNeighboringUmts>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringTdscdma>()")
    )]
    pub tdscdma_neighboring_cells: Vec<CellInfoNeighboringTdscdma>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringLte>()")
    )]
    pub lte_neighboring_cells: Vec<CellInfoNeighboringLte>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoCdma>()")
    )]
    pub cdma_cells: Vec<CellInfoCdma>,
}

/// MBIM_MS_BASE_STATIONS_INFO_V2 (MBIMEx 3.0): SystemSubType after
/// SystemType, NR serving and neighbour arrays at the end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct BaseStationsInfoV3 {
    pub system_type: DataClass,
    pub system_sub_type: DataSubclass,
    pub gsm_serving_cell: Option<CellInfoServingGsm>,
    pub umts_serving_cell: Option<CellInfoServingUmts>,
    pub tdscdma_serving_cell: Option<CellInfoServingTdscdma>,
    pub lte_serving_cell: Option<CellInfoServingLte>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringGsm>()")
    )]
    pub gsm_neighboring_cells: Vec<CellInfoNeighboringGsm>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringUmts>()")
    )]
    pub umts_neighboring_cells: Vec<CellInfoNeighboringUmts>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringTdscdma>()")
    )]
    pub tdscdma_neighboring_cells: Vec<CellInfoNeighboringTdscdma>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringLte>()")
    )]
    pub lte_neighboring_cells: Vec<CellInfoNeighboringLte>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoCdma>()")
    )]
    pub cdma_cells: Vec<CellInfoCdma>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoServingNr>()")
    )]
    pub nr_serving_cells: Vec<CellInfoServingNr>,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<CellInfoNeighboringNr>()")
    )]
    pub nr_neighbor_cells: Vec<CellInfoNeighboringNr>,
}

/// Byte positions of the OL pairs inside each element type.
const PROVIDER_ID_AT: &[usize] = &[0];
const NO_OL: &[usize] = &[];
const NR_NEIGHBOR_OL: &[usize] = &[4, 12];

/// The cell sections shared by both BASE_STATIONS_INFO layouts.
#[derive(Default)]
struct Cells {
    gsm_serving_cell: Option<CellInfoServingGsm>,
    umts_serving_cell: Option<CellInfoServingUmts>,
    tdscdma_serving_cell: Option<CellInfoServingTdscdma>,
    lte_serving_cell: Option<CellInfoServingLte>,
    gsm_neighboring_cells: Vec<CellInfoNeighboringGsm>,
    umts_neighboring_cells: Vec<CellInfoNeighboringUmts>,
    tdscdma_neighboring_cells: Vec<CellInfoNeighboringTdscdma>,
    lte_neighboring_cells: Vec<CellInfoNeighboringLte>,
    cdma_cells: Vec<CellInfoCdma>,
}

fn parse_cells<'a>(s: &'a [u8], r: &'a [u8]) -> wire::PResult<'a, Cells> {
    let (r, gsm_serving_cell) = opt_struct(s, "GsmServingCell")(r)?;
    let (r, umts_serving_cell) = opt_struct(s, "UmtsServingCell")(r)?;
    let (r, tdscdma_serving_cell) = opt_struct(s, "TdscdmaServingCell")(r)?;
    let (r, lte_serving_cell) = opt_struct(s, "LteServingCell")(r)?;
    let (r, gsm_neighboring_cells) = ms_array(s, "GsmNeighboringCells")(r)?;
    let (r, umts_neighboring_cells) = ms_array(s, "UmtsNeighboringCells")(r)?;
    let (r, tdscdma_neighboring_cells) = ms_array(s, "TdscdmaNeighboringCells")(r)?;
    let (r, lte_neighboring_cells) = ms_array(s, "LteNeighboringCells")(r)?;
    let (r, cdma_cells) = ms_array(s, "CdmaCells")(r)?;
    Ok((
        r,
        Cells {
            gsm_serving_cell,
            umts_serving_cell,
            tdscdma_serving_cell,
            lte_serving_cell,
            gsm_neighboring_cells,
            umts_neighboring_cells,
            tdscdma_neighboring_cells,
            lte_neighboring_cells,
            cdma_cells,
        },
    ))
}

/// Write an optional structure behind an OL pair ((0, 0) when absent).
fn write_opt<T: Payload>(
    w: &mut Writer<'_>,
    field: &'static str,
    v: &Option<T>,
) -> Result<(), EncodeError> {
    match v {
        Some(x) => w.element(field, |out| x.encode(out)),
        None => w.bytes(field, &[]),
    }
}

/// Write an MS array behind an OL pair ((0, 0) when empty, as libmbim does).
fn write_ms_array<T: Payload + HasFixed>(
    w: &mut Writer<'_>,
    field: &'static str,
    items: &[T],
    ol_at: &[usize],
) -> Result<(), EncodeError> {
    if items.is_empty() {
        return w.bytes(field, &[]);
    }
    w.element(field, |out| encode_ms_array(items, ol_at, out))
}

fn write_cells(w: &mut Writer<'_>, c: CellsRef<'_>) -> Result<(), EncodeError> {
    write_opt(w, "GsmServingCell", c.gsm_serving_cell)?;
    write_opt(w, "UmtsServingCell", c.umts_serving_cell)?;
    write_opt(w, "TdscdmaServingCell", c.tdscdma_serving_cell)?;
    write_opt(w, "LteServingCell", c.lte_serving_cell)?;
    write_ms_array(
        w,
        "GsmNeighboringCells",
        c.gsm_neighboring_cells,
        PROVIDER_ID_AT,
    )?;
    write_ms_array(
        w,
        "UmtsNeighboringCells",
        c.umts_neighboring_cells,
        PROVIDER_ID_AT,
    )?;
    write_ms_array(
        w,
        "TdscdmaNeighboringCells",
        c.tdscdma_neighboring_cells,
        PROVIDER_ID_AT,
    )?;
    write_ms_array(
        w,
        "LteNeighboringCells",
        c.lte_neighboring_cells,
        PROVIDER_ID_AT,
    )?;
    write_ms_array(w, "CdmaCells", c.cdma_cells, NO_OL)
}

/// Borrowed view of the shared cell sections, for encoding.
struct CellsRef<'a> {
    gsm_serving_cell: &'a Option<CellInfoServingGsm>,
    umts_serving_cell: &'a Option<CellInfoServingUmts>,
    tdscdma_serving_cell: &'a Option<CellInfoServingTdscdma>,
    lte_serving_cell: &'a Option<CellInfoServingLte>,
    gsm_neighboring_cells: &'a [CellInfoNeighboringGsm],
    umts_neighboring_cells: &'a [CellInfoNeighboringUmts],
    tdscdma_neighboring_cells: &'a [CellInfoNeighboringTdscdma],
    lte_neighboring_cells: &'a [CellInfoNeighboringLte],
    cdma_cells: &'a [CellInfoCdma],
}

macro_rules! cells_ref {
    ($x:expr) => {
        CellsRef {
            gsm_serving_cell: &$x.gsm_serving_cell,
            umts_serving_cell: &$x.umts_serving_cell,
            tdscdma_serving_cell: &$x.tdscdma_serving_cell,
            lte_serving_cell: &$x.lte_serving_cell,
            gsm_neighboring_cells: &$x.gsm_neighboring_cells,
            umts_neighboring_cells: &$x.umts_neighboring_cells,
            tdscdma_neighboring_cells: &$x.tdscdma_neighboring_cells,
            lte_neighboring_cells: &$x.lte_neighboring_cells,
            cdma_cells: &$x.cdma_cells,
        }
    };
}

impl Payload for BaseStationsInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, system_type) = u32le("SystemType")(r)?;
            let (r, c) = parse_cells(s, r)?;
            Ok((
                r,
                BaseStationsInfo {
                    system_type: system_type.into(),
                    gsm_serving_cell: c.gsm_serving_cell,
                    umts_serving_cell: c.umts_serving_cell,
                    tdscdma_serving_cell: c.tdscdma_serving_cell,
                    lte_serving_cell: c.lte_serving_cell,
                    gsm_neighboring_cells: c.gsm_neighboring_cells,
                    umts_neighboring_cells: c.umts_neighboring_cells,
                    tdscdma_neighboring_cells: c.tdscdma_neighboring_cells,
                    lte_neighboring_cells: c.lte_neighboring_cells,
                    cdma_cells: c.cdma_cells,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 4 + 9 * 8);
        w.u32(self.system_type.0);
        write_cells(&mut w, cells_ref!(self))
    }
}

impl Payload for BaseStationsInfoV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, system_type) = u32le("SystemType")(r)?;
            let (r, system_sub_type) = u32le("SystemSubType")(r)?;
            let (r, c) = parse_cells(s, r)?;
            let (r, nr_serving_cells) = ms_array(s, "NrServingCells")(r)?;
            let (r, nr_neighbor_cells) = ms_array(s, "NrNeighborCells")(r)?;
            Ok((
                r,
                BaseStationsInfoV3 {
                    system_type: system_type.into(),
                    system_sub_type: system_sub_type.into(),
                    gsm_serving_cell: c.gsm_serving_cell,
                    umts_serving_cell: c.umts_serving_cell,
                    tdscdma_serving_cell: c.tdscdma_serving_cell,
                    lte_serving_cell: c.lte_serving_cell,
                    gsm_neighboring_cells: c.gsm_neighboring_cells,
                    umts_neighboring_cells: c.umts_neighboring_cells,
                    tdscdma_neighboring_cells: c.tdscdma_neighboring_cells,
                    lte_neighboring_cells: c.lte_neighboring_cells,
                    cdma_cells: c.cdma_cells,
                    nr_serving_cells,
                    nr_neighbor_cells,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 8 + 11 * 8);
        w.u32(self.system_type.0);
        w.u32(self.system_sub_type.0);
        write_cells(&mut w, cells_ref!(self))?;
        write_ms_array(
            &mut w,
            "NrServingCells",
            &self.nr_serving_cells,
            PROVIDER_ID_AT,
        )?;
        write_ms_array(
            &mut w,
            "NrNeighborCells",
            &self.nr_neighbor_cells,
            NR_NEIGHBOR_OL,
        )
    }
}

impl_request!(
    BaseStationsInfoReq,
    MS_BCE,
    cid::BASE_STATIONS_INFO,
    QUERY,
    BaseStationsInfo
);
impl_request!(
    BaseStationsInfoReqV3,
    MS_BCE,
    cid::BASE_STATIONS_INFO,
    QUERY,
    BaseStationsInfoV3
);

// ---------------------------------------------------------------------------
// 12 LOCATION_INFO_STATUS
// ---------------------------------------------------------------------------

ms_struct! {
    /// MBIM_MS_LOCATION_INFO (response and indication).
    pub struct LocationInfo {
        location_area_code: u32 = u32 "LocationAreaCode",
        tracking_area_code: u32 = u32 "TrackingAreaCode",
        cell_id: u32 = u32 "CellId",
    }
}

empty_request!(
    /// LOCATION_INFO_STATUS query.
    LocationInfoStatusQuery, MS_BCE, cid::LOCATION_INFO_STATUS, QUERY, LocationInfo
);
impl_indication!(LocationInfo, MS_BCE, cid::LOCATION_INFO_STATUS);

// ---------------------------------------------------------------------------
// 15 VERSION (MBIMEx 2.0; windows-operator-formats.md §7.4)
// ---------------------------------------------------------------------------

/// MBIM_MS_VERSION_INFO (query and response): BCD versions, `0x0100` = 1.0.
/// The query carries the host's native versions; the response the agreed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Version {
    /// bcdMBIMVersion (1.0 for every device so far).
    pub mbim_version: u16,
    /// bcdMBIMExtendedVersion.
    pub mbim_extended_version: u16,
}

impl Version {
    /// The VERSION query a host speaking MBIM 1.0 and MBIMEx `ext` sends.
    pub fn host(ext: super::ExtendedVersion) -> Version {
        Version {
            mbim_version: 0x0100,
            mbim_extended_version: ext.0,
        }
    }

    /// The extended version this structure carries.
    pub fn extended(&self) -> super::ExtendedVersion {
        super::ExtendedVersion(self.mbim_extended_version)
    }
}

impl Payload for Version {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, mbim_version) = wire::u16le("MbimVersion")(r)?;
            let (r, mbim_extended_version) = wire::u16le("MbimExtendedVersion")(r)?;
            Ok((
                r,
                Version {
                    mbim_version,
                    mbim_extended_version,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 4);
        w.u16(self.mbim_version);
        w.u16(self.mbim_extended_version);
        Ok(())
    }
}

impl_request!(Version, MS_BCE, cid::VERSION, QUERY, Version);

// ---------------------------------------------------------------------------
// 16 MODEM_CONFIGURATION (MBIMEx 3.0)
// ---------------------------------------------------------------------------

/// MBIM_MS_MODEM_CONFIG_INFO (response and indication): status, the
/// configuration name as a WCHAR_STR TLV, then unnamed TLVs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ModemConfigurationInfo {
    pub configuration_status: ModemConfigurationStatus,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub configuration_name: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Tlv>()")
    )]
    pub unnamed_ies: Vec<Tlv>,
}

impl Payload for ModemConfigurationInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, st) = u32le("ConfigurationStatus")(r)?;
            let (r, configuration_name) = tlv::tlv_string("ConfigurationName")(r)?;
            let (r, unnamed_ies) = tlv::tlv_list("UnnamedIes")(r)?;
            Ok((
                r,
                ModemConfigurationInfo {
                    configuration_status: st.into(),
                    configuration_name,
                    unnamed_ies,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.configuration_status.0.to_le_bytes());
        Tlv::wchar_str(&self.configuration_name).encode(out)?;
        tlv::encode_list(&self.unnamed_ies, out)
    }
}

empty_request!(
    /// MODEM_CONFIGURATION query (MBIMEx 3.0).
    ModemConfigurationQuery, MS_BCE, cid::MODEM_CONFIGURATION, QUERY, ModemConfigurationInfo
);
impl_indication!(ModemConfigurationInfo, MS_BCE, cid::MODEM_CONFIGURATION);

// ---------------------------------------------------------------------------
// 17 REGISTRATION_PARAMETERS (MBIMEx 3.0)
// ---------------------------------------------------------------------------

/// MBIM_MS_REGISTRATION_PARAMS_INFO (set and response).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct RegistrationParameters {
    pub mico_mode: MicoMode,
    pub drx_cycle: DrxCycle,
    pub ladn_info: LadnInfo,
    pub default_pdu_activation_hint: DefaultPduActivationHint,
    /// A boolean on the wire (u32, non-zero = true); kept as sent.
    pub re_register_if_needed: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Tlv>()")
    )]
    pub unnamed_ies: Vec<Tlv>,
}

impl Payload for RegistrationParameters {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, mico_mode) = u32le("MicoMode")(r)?;
            let (r, drx_cycle) = u32le("DrxCycle")(r)?;
            let (r, ladn_info) = u32le("LadnInfo")(r)?;
            let (r, hint) = u32le("DefaultPduActivationHint")(r)?;
            let (r, re_register_if_needed) = u32le("ReRegisterIfNeeded")(r)?;
            let (r, unnamed_ies) = tlv::tlv_list("UnnamedIes")(r)?;
            Ok((
                r,
                RegistrationParameters {
                    mico_mode: mico_mode.into(),
                    drx_cycle: drx_cycle.into(),
                    ladn_info: ladn_info.into(),
                    default_pdu_activation_hint: hint.into(),
                    re_register_if_needed,
                    unnamed_ies,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 20);
        w.u32(self.mico_mode.0);
        w.u32(self.drx_cycle.0);
        w.u32(self.ladn_info.0);
        w.u32(self.default_pdu_activation_hint.0);
        w.u32(self.re_register_if_needed);
        tlv::encode_list(&self.unnamed_ies, out)
    }
}

empty_request!(
    /// REGISTRATION_PARAMETERS query (MBIMEx 3.0).
    RegistrationParametersQuery, MS_BCE, cid::REGISTRATION_PARAMETERS, QUERY, RegistrationParameters
);
impl_request!(
    RegistrationParameters,
    MS_BCE,
    cid::REGISTRATION_PARAMETERS,
    SET,
    RegistrationParameters
);

// ---------------------------------------------------------------------------
// 19 WAKE_REASON (MBIMEx 3.0)
// ---------------------------------------------------------------------------

/// MBIM_MS_WAKE_REASON (response): why the modem woke the host, with one TLV
/// (WAKE_COMMAND or WAKE_PACKET) kept undecoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct WakeReason {
    pub wake_type: WakeType,
    pub session_id: u32,
    pub wake_tlv: Tlv,
}

impl Payload for WakeReason {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, wake_type) = u32le("WakeType")(r)?;
            let (r, session_id) = u32le("SessionId")(r)?;
            let (r, wake_tlv) = tlv::tlv("WakeTlv")(r)?;
            Ok((
                r,
                WakeReason {
                    wake_type: wake_type.into(),
                    session_id,
                    wake_tlv,
                },
            ))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.wake_type.0.to_le_bytes());
        out.extend_from_slice(&self.session_id.to_le_bytes());
        self.wake_tlv.encode(out)
    }
}

empty_request!(
    /// WAKE_REASON query (MBIMEx 3.0).
    WakeReasonQuery, MS_BCE, cid::WAKE_REASON, QUERY, WakeReason
);

// ---------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------

payload_table! {
    /// Every MS Basic Connect Extensions payload in its MBIMEx 1.0/2.0 layout.
    // BASE_STATIONS_INFO is large; payloads are short-lived, boxing buys nothing.
    #[allow(clippy::large_enum_variant)]
    pub enum Any {
        ProvisionedContextsQuery(ProvisionedContextsQuery) = [(1, Query)],
        SetProvisionedContextV2(SetProvisionedContextV2) = [(1, Set)],
        ProvisionedContextsInfoV2(ProvisionedContextsInfoV2) = [(1, Response), (1, Indication)],
        NetworkDenylistQuery(NetworkDenylistQuery) = [(2, Query)],
        NetworkDenylistInfo(NetworkDenylistInfo) = [(2, Set), (2, Response), (2, Indication)],
        LteAttachConfigurationQuery(LteAttachConfigurationQuery) = [(3, Query)],
        SetLteAttachConfiguration(SetLteAttachConfiguration) = [(3, Set)],
        LteAttachConfigurationInfo(LteAttachConfigurationInfo) = [(3, Response), (3, Indication)],
        LteAttachInfoQuery(LteAttachInfoQuery) = [(4, Query)],
        LteAttachInfo(LteAttachInfo) = [(4, Response), (4, Indication)],
        SysCapsQuery(SysCapsQuery) = [(5, Query)],
        SysCapsInfo(SysCapsInfo) = [(5, Response)],
        DeviceCapsQuery(DeviceCapsQuery) = [(6, Query)],
        DeviceCapsInfoV2(DeviceCapsInfoV2) = [(6, Response)],
        DeviceSlotMappingsQuery(DeviceSlotMappingsQuery) = [(7, Query)],
        DeviceSlotMappingInfo(DeviceSlotMappingInfo) = [(7, Set), (7, Response)],
        SlotInfoReq(SlotInfoReq) = [(8, Query)],
        SlotInfo(SlotInfo) = [(8, Response), (8, Indication)],
        PcoValue(PcoValue) = [(9, Query), (9, Response), (9, Indication)],
        DeviceResetSet(DeviceResetSet) = [(10, Set)],
        Empty(Empty) = [(10, Response)],
        BaseStationsInfoReq(BaseStationsInfoReq) = [(11, Query)],
        BaseStationsInfo(BaseStationsInfo) = [(11, Response)],
        LocationInfoStatusQuery(LocationInfoStatusQuery) = [(12, Query)],
        LocationInfo(LocationInfo) = [(12, Response), (12, Indication)],
        Version(Version) = [(15, Query), (15, Response)],
    }
}

payload_table! {
    /// The MS Basic Connect Extensions payloads that MBIMEx 3.0 adds or
    /// changes; every other (CID, kind) keeps its [`Any`] layout.
    #[allow(clippy::large_enum_variant)]
    pub enum AnyV3 {
        LteAttachInfoV3(LteAttachInfoV3) = [(4, Response), (4, Indication)],
        DeviceCapsInfoV3(DeviceCapsInfoV3) = [(6, Response)],
        BaseStationsInfoReqV3(BaseStationsInfoReqV3) = [(11, Query)],
        BaseStationsInfoV3(BaseStationsInfoV3) = [(11, Response)],
        ModemConfigurationQuery(ModemConfigurationQuery) = [(16, Query)],
        ModemConfigurationInfo(ModemConfigurationInfo) = [(16, Response), (16, Indication)],
        RegistrationParametersQuery(RegistrationParametersQuery) = [(17, Query)],
        RegistrationParameters(RegistrationParameters) = [(17, Set), (17, Response)],
        WakeReasonQuery(WakeReasonQuery) = [(19, Query)],
        WakeReason(WakeReason) = [(19, Response)],
    }
}
