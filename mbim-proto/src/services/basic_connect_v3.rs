//! Basic Connect payloads whose layout MBIMEx 3.0 changes
//! (windows-operator-formats.md §7.3; field order from libmbim 1.28
//! `mbim_message_ms_basic_connect_v3_*`): SUBSCRIBER_READY_STATUS,
//! PACKET_SERVICE, CONNECT (all four kinds, strings moved into TLVs) and
//! IP_PACKET_FILTERS. Under 3.0, REGISTER_STATE and SIGNAL_STATE keep their
//! 2.0 layouts ([`super::basic_connect_v2`]) and the rest their 1.0 layouts.
//!
//! Codec only: choosing this layout is [`super::decode_payload`]'s job.

use super::basic_connect::{
    ActivationCommand, ActivationState, AuthProtocol, Compression, ContextIpType, DataClass,
    NwError, PacketServiceState, ReadyInfoFlag, SubscriberReadyState, VoiceCallState,
};
use super::basic_connect_v2::FrequencyRange;
use super::ms_basic_connect_extensions::DataSubclass;
use super::{Payload, RawBytes, impl_indication, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::tlv::{self, Tlv};
use crate::uuid::BASIC_CONNECT;
use crate::wire::{self, PError, Uuid, Writer, count_u32, ol_list, string, u32le, uuid};

use super::basic_connect::cid;

crate::wire_flags! {
    /// MBIM_SUBSCRIBER_READY_STATUS_FLAGS (MBIMEx 3.0).
    pub struct SubscriberReadyStatusFlag(u32) {
        ESIM = 1 => "esim",
        SIM_REMOVABILITY_KNOWN = 2 => "sim-removability-known",
        SIM_REMOVABLE = 4 => "sim-removable",
    }
}

crate::wire_enum! {
    /// MBIM_ACCESS_MEDIA_TYPE (MBIMEx 3.0 CONNECT MediaPreference).
    pub struct AccessMediaType(u32) {
        UNKNOWN = 0 => "unknown",
        THREE_GPP = 1 => "3gpp",
        THREE_GPP_PREFERRED = 2 => "3gpp-preferred",
    }
}

// ---------------------------------------------------------------------------
// 2 SUBSCRIBER_READY_STATUS
// ---------------------------------------------------------------------------

/// MBIM_SUBSCRIBER_READY_INFO_V3: Flags inserted after ReadyState.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SubscriberReadyInfoV3 {
    pub ready_state: SubscriberReadyState,
    pub flags: SubscriberReadyStatusFlag,
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

impl Payload for SubscriberReadyInfoV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, ready_state) = u32le("ReadyState")(r)?;
            let (r, flags) = u32le("Flags")(r)?;
            let (r, subscriber_id) = string(s, "SubscriberId")(r)?;
            let (r, sim_icc_id) = string(s, "SimIccId")(r)?;
            let (r, ready_info) = u32le("ReadyInfo")(r)?;
            let (r, count) = u32le("TelephoneNumbersCount")(r)?;
            let (r, telephone_numbers) = ol_list(s, count, "TelephoneNumbers", |d| {
                wire::utf16_to_string("TelephoneNumbers", d)
            })(r)?;
            Ok((
                r,
                SubscriberReadyInfoV3 {
                    ready_state: ready_state.into(),
                    flags: flags.into(),
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
        let mut w = Writer::new(out, 32 + 8 * n);
        w.u32(self.ready_state.0);
        w.u32(self.flags.0);
        w.string("SubscriberId", &self.subscriber_id, Some(30))?;
        w.string("SimIccId", &self.sim_icc_id, Some(40))?;
        w.u32(self.ready_info.0);
        w.u32(count_u32("TelephoneNumbersCount", n)?);
        w.ol_list("TelephoneNumbers", &self.telephone_numbers, |t, out| {
            out.extend_from_slice(&tlv::utf16le(t));
            Ok(())
        })
    }
}

impl_indication!(
    SubscriberReadyInfoV3,
    BASIC_CONNECT,
    cid::SUBSCRIBER_READY_STATUS
);

// ---------------------------------------------------------------------------
// 10 PACKET_SERVICE
// ---------------------------------------------------------------------------

/// MBIM_TAI: tracking area identity, inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Tai {
    pub plmn_mcc: u16,
    pub plmn_mnc: u16,
    pub tac: u32,
}

/// MBIM_PACKET_SERVICE_INFO_V3: the 1.0 fields, then FrequencyRange,
/// DataSubclass and an inline TAI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PacketServiceInfoV3 {
    pub nw_error: NwError,
    pub packet_service_state: PacketServiceState,
    pub highest_available_data_class: DataClass,
    pub uplink_speed: u64,
    pub downlink_speed: u64,
    pub frequency_range: FrequencyRange,
    pub data_subclass: DataSubclass,
    pub tai: Tai,
}

impl Payload for PacketServiceInfoV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, nw_error) = u32le("NwError")(r)?;
            let (r, state) = u32le("PacketServiceState")(r)?;
            let (r, dc) = u32le("HighestAvailableDataClass")(r)?;
            let (r, uplink_speed) = wire::u64le("UplinkSpeed")(r)?;
            let (r, downlink_speed) = wire::u64le("DownlinkSpeed")(r)?;
            let (r, fr) = u32le("FrequencyRange")(r)?;
            let (r, sub) = u32le("DataSubclass")(r)?;
            let (r, plmn_mcc) = wire::u16le("PlmnMcc")(r)?;
            let (r, plmn_mnc) = wire::u16le("PlmnMnc")(r)?;
            let (r, tac) = u32le("Tac")(r)?;
            Ok((
                r,
                PacketServiceInfoV3 {
                    nw_error: nw_error.into(),
                    packet_service_state: state.into(),
                    highest_available_data_class: dc.into(),
                    uplink_speed,
                    downlink_speed,
                    frequency_range: fr.into(),
                    data_subclass: sub.into(),
                    tai: Tai {
                        plmn_mcc,
                        plmn_mnc,
                        tac,
                    },
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 44);
        w.u32(self.nw_error.0);
        w.u32(self.packet_service_state.0);
        w.u32(self.highest_available_data_class.0);
        w.u64(self.uplink_speed);
        w.u64(self.downlink_speed);
        w.u32(self.frequency_range.0);
        w.u32(self.data_subclass.0);
        w.u16(self.tai.plmn_mcc);
        w.u16(self.tai.plmn_mnc);
        w.u32(self.tai.tac);
        Ok(())
    }
}

impl_indication!(PacketServiceInfoV3, BASIC_CONNECT, cid::PACKET_SERVICE);

// ---------------------------------------------------------------------------
// 12 CONNECT
// ---------------------------------------------------------------------------

/// MBIM_SET_CONNECT_V3: fixed fields, then AccessString, UserName and
/// Password as WCHAR_STR TLVs (always present, empty allowed), then any
/// unnamed TLVs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetConnectV3 {
    pub session_id: u32,
    pub activation_command: ActivationCommand,
    pub compression: Compression,
    pub auth_protocol: AuthProtocol,
    pub ip_type: ContextIpType,
    pub context_type: Uuid,
    pub media_preference: AccessMediaType,
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
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Tlv>()")
    )]
    pub unnamed_ies: Vec<Tlv>,
}

impl Payload for SetConnectV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            let (r, activation_command) = u32le("ActivationCommand")(r)?;
            let (r, compression) = u32le("Compression")(r)?;
            let (r, auth_protocol) = u32le("AuthProtocol")(r)?;
            let (r, ip_type) = u32le("IpType")(r)?;
            let (r, context_type) = uuid("ContextType")(r)?;
            let (r, media_preference) = u32le("MediaPreference")(r)?;
            let (r, access_string) = tlv::tlv_string("AccessString")(r)?;
            let (r, user_name) = tlv::tlv_string("UserName")(r)?;
            let (r, password) = tlv::tlv_string("Password")(r)?;
            let (r, unnamed_ies) = tlv::tlv_list("UnnamedIes")(r)?;
            Ok((
                r,
                SetConnectV3 {
                    session_id,
                    activation_command: activation_command.into(),
                    compression: compression.into(),
                    auth_protocol: auth_protocol.into(),
                    ip_type: ip_type.into(),
                    context_type,
                    media_preference: media_preference.into(),
                    access_string,
                    user_name,
                    password,
                    unnamed_ies,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 40);
        w.u32(self.session_id);
        w.u32(self.activation_command.0);
        w.u32(self.compression.0);
        w.u32(self.auth_protocol.0);
        w.u32(self.ip_type.0);
        w.uuid(&self.context_type);
        w.u32(self.media_preference.0);
        Tlv::wchar_str(&self.access_string).encode(out)?;
        Tlv::wchar_str(&self.user_name).encode(out)?;
        Tlv::wchar_str(&self.password).encode(out)?;
        tlv::encode_list(&self.unnamed_ies, out)
    }
}

/// CONNECT query under MBIMEx 3.0: only the session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ConnectQueryV3 {
    pub session_id: u32,
}

impl Payload for ConnectQueryV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            Ok((r, ConnectQueryV3 { session_id }))
        })
    }
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.session_id.to_le_bytes());
        Ok(())
    }
}

/// MBIM_CONNECT_INFO_V3 (response and indication): the 1.0 fields, then
/// MediaPreference, the AccessString TLV and unnamed TLVs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ConnectInfoV3 {
    pub session_id: u32,
    pub activation_state: ActivationState,
    pub voice_call_state: VoiceCallState,
    pub ip_type: ContextIpType,
    pub context_type: Uuid,
    pub nw_error: NwError,
    pub media_preference: AccessMediaType,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub access_string: String,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<Tlv>()")
    )]
    pub unnamed_ies: Vec<Tlv>,
}

impl Payload for ConnectInfoV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            let (r, activation_state) = u32le("ActivationState")(r)?;
            let (r, voice_call_state) = u32le("VoiceCallState")(r)?;
            let (r, ip_type) = u32le("IpType")(r)?;
            let (r, context_type) = uuid("ContextType")(r)?;
            let (r, nw_error) = u32le("NwError")(r)?;
            let (r, media_preference) = u32le("MediaPreference")(r)?;
            let (r, access_string) = tlv::tlv_string("AccessString")(r)?;
            let (r, unnamed_ies) = tlv::tlv_list("UnnamedIes")(r)?;
            Ok((
                r,
                ConnectInfoV3 {
                    session_id,
                    activation_state: activation_state.into(),
                    voice_call_state: voice_call_state.into(),
                    ip_type: ip_type.into(),
                    context_type,
                    nw_error: nw_error.into(),
                    media_preference: media_preference.into(),
                    access_string,
                    unnamed_ies,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 40);
        w.u32(self.session_id);
        w.u32(self.activation_state.0);
        w.u32(self.voice_call_state.0);
        w.u32(self.ip_type.0);
        w.uuid(&self.context_type);
        w.u32(self.nw_error.0);
        w.u32(self.media_preference.0);
        Tlv::wchar_str(&self.access_string).encode(out)?;
        tlv::encode_list(&self.unnamed_ies, out)
    }
}

impl_request!(
    SetConnectV3,
    BASIC_CONNECT,
    cid::CONNECT,
    SET,
    ConnectInfoV3
);
impl_request!(
    ConnectQueryV3,
    BASIC_CONNECT,
    cid::CONNECT,
    QUERY,
    ConnectInfoV3
);
impl_indication!(ConnectInfoV3, BASIC_CONNECT, cid::CONNECT);

// ---------------------------------------------------------------------------
// 23 IP_PACKET_FILTERS
// ---------------------------------------------------------------------------

/// MBIM_SINGLE_PACKET_FILTER_V3: the 1.0 element plus FilterId.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PacketFilterV3 {
    pub packet_filter: RawBytes,
    pub packet_mask: RawBytes,
    pub filter_id: u32,
}

#[cfg(feature = "arbitrary")]
impl proptest::arbitrary::Arbitrary for PacketFilterV3 {
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<PacketFilterV3>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        use proptest::prelude::*;
        // Filter and mask share one FilterSize field.
        (0usize..24, any::<u32>())
            .prop_flat_map(|(n, id)| {
                (
                    proptest::collection::vec(any::<u8>(), n),
                    proptest::collection::vec(any::<u8>(), n),
                    Just(id),
                )
            })
            .prop_map(|(f, m, filter_id)| PacketFilterV3 {
                packet_filter: RawBytes(f),
                packet_mask: RawBytes(m),
                filter_id,
            })
            .boxed()
    }
}

impl Payload for PacketFilterV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, size) = u32le("FilterSize")(r)?;
            let at = r;
            let (r, f_off) = u32le("PacketFilterOffset")(r)?;
            let at_m = r;
            let (r, m_off) = u32le("PacketMaskOffset")(r)?;
            let (r, filter_id) = u32le("FilterId")(r)?;
            let f = wire::resolve(s, at, "PacketFilter", f_off, size)?;
            let m = wire::resolve(s, at_m, "PacketMask", m_off, size)?;
            Ok((
                r,
                PacketFilterV3 {
                    packet_filter: RawBytes(f.to_vec()),
                    packet_mask: RawBytes(m.to_vec()),
                    filter_id,
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
        let mut w = Writer::new(out, 16);
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
        w.u32(self.filter_id);
        Ok(())
    }
}

/// MBIM_PACKET_FILTERS_V3 (set, query, response).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct PacketFiltersV3 {
    pub session_id: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<PacketFilterV3>()")
    )]
    pub packet_filters: Vec<PacketFilterV3>,
}

impl Payload for PacketFiltersV3 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, session_id) = u32le("SessionId")(r)?;
            let (r, count) = u32le("PacketFiltersCount")(r)?;
            let (r, packet_filters) = ol_list(s, count, "PacketFilters", PacketFilterV3::parse)(r)?;
            Ok((
                r,
                PacketFiltersV3 {
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
    PacketFiltersV3,
    BASIC_CONNECT,
    cid::IP_PACKET_FILTERS,
    SET,
    PacketFiltersV3
);

payload_table! {
    /// The Basic Connect payloads whose layout MBIMEx 3.0 changes.
    pub enum Any {
        SubscriberReadyInfoV3(SubscriberReadyInfoV3) = [(2, Response), (2, Indication)],
        PacketServiceInfoV3(PacketServiceInfoV3) = [(10, Response), (10, Indication)],
        ConnectQueryV3(ConnectQueryV3) = [(12, Query)],
        SetConnectV3(SetConnectV3) = [(12, Set)],
        ConnectInfoV3(ConnectInfoV3) = [(12, Response), (12, Indication)],
        PacketFiltersV3(PacketFiltersV3) = [(23, Query), (23, Set), (23, Response)],
    }
}

// The MBIM 1.0 view of each 3.0 structure, for callers that cache one type
// whatever the version (the added fields are dropped).

impl From<SubscriberReadyInfoV3> for super::basic_connect::SubscriberReadyInfo {
    fn from(v: SubscriberReadyInfoV3) -> Self {
        super::basic_connect::SubscriberReadyInfo {
            ready_state: v.ready_state,
            subscriber_id: v.subscriber_id,
            sim_icc_id: v.sim_icc_id,
            ready_info: v.ready_info,
            telephone_numbers: v.telephone_numbers,
        }
    }
}

impl From<PacketServiceInfoV3> for super::basic_connect::PacketServiceInfo {
    fn from(v: PacketServiceInfoV3) -> Self {
        super::basic_connect::PacketServiceInfo {
            nw_error: v.nw_error,
            packet_service_state: v.packet_service_state,
            highest_available_data_class: v.highest_available_data_class,
            uplink_speed: v.uplink_speed,
            downlink_speed: v.downlink_speed,
        }
    }
}

impl From<ConnectInfoV3> for super::basic_connect::ConnectInfo {
    fn from(v: ConnectInfoV3) -> Self {
        super::basic_connect::ConnectInfo {
            session_id: v.session_id,
            activation_state: v.activation_state,
            voice_call_state: v.voice_call_state,
            ip_type: v.ip_type,
            context_type: v.context_type,
            nw_error: v.nw_error,
        }
    }
}

impl From<super::basic_connect::SetConnect> for SetConnectV3 {
    /// The 3.0 form of a 1.0 CONNECT set: same fields, strings as TLVs,
    /// MediaPreference unknown (let the modem choose) and no extra IEs.
    fn from(v: super::basic_connect::SetConnect) -> Self {
        SetConnectV3 {
            session_id: v.session_id,
            activation_command: v.activation_command,
            compression: v.compression,
            auth_protocol: v.auth_protocol,
            ip_type: v.ip_type,
            context_type: v.context_type,
            media_preference: AccessMediaType::UNKNOWN,
            access_string: v.access_string,
            user_name: v.user_name,
            password: v.password,
            unnamed_ies: Vec::new(),
        }
    }
}
