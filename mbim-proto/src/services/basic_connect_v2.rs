//! Basic Connect payloads whose layout MBIMEx 2.0 changes
//! (windows-operator-formats.md §7.3; field order from libmbim 1.28
//! `mbim_message_ms_basic_connect_v2_*`): REGISTER_STATE, PACKET_SERVICE and
//! SIGNAL_STATE responses and indications. Every other Basic Connect payload
//! keeps its MBIM 1.0 layout ([`super::basic_connect`]) under 2.0.
//!
//! Codec only: choosing this layout is [`super::decode_payload`]'s job, from
//! the version the session negotiated.

use super::basic_connect::{
    CellularClass, DataClass, NwError, PacketServiceState, RegisterMode, RegisterState,
    RegistrationFlag,
};
use super::ms_basic_connect_extensions::{HasFixed, ms_struct};
use super::{Payload, impl_indication, parse_all, payload_table};
use crate::error::EncodeError;
use crate::uuid::BASIC_CONNECT;
use crate::wire::{self, PError, Writer, count_u32, u32le};

crate::wire_flags! {
    /// MBIM_FREQUENCY_RANGE (MBIMEx 2.0): 5G frequency ranges in use.
    pub struct FrequencyRange(u32) {
        FR1 = 1 => "fr1",
        FR2 = 2 => "fr2",
    }
}

ms_struct! {
    /// MBIM_REGISTRATION_STATE_INFO_V2: the 1.0 structure plus PreferredDataClasses.
    pub struct RegistrationStateInfoV2 {
        nw_error: NwError = u32 "NwError",
        register_state: RegisterState = u32 "RegisterState",
        register_mode: RegisterMode = u32 "RegisterMode",
        available_data_classes: DataClass = u32 "AvailableDataClasses",
        current_cellular_class: CellularClass = u32 "CurrentCellularClass",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::digits()"))]
        provider_id: String = str "ProviderId",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        provider_name: String = str "ProviderName",
        #[cfg_attr(feature = "arbitrary", proptest(strategy = "crate::services::arb::text()"))]
        roaming_text: String = str "RoamingText",
        registration_flag: RegistrationFlag = u32 "RegistrationFlag",
        preferred_data_classes: DataClass = u32 "PreferredDataClasses",
    }
}

ms_struct! {
    /// MBIM_PACKET_SERVICE_INFO_V2: CurrentDataClass replaces
    /// HighestAvailableDataClass; FrequencyRange is appended.
    pub struct PacketServiceInfoV2 {
        nw_error: NwError = u32 "NwError",
        packet_service_state: PacketServiceState = u32 "PacketServiceState",
        current_data_class: DataClass = u32 "CurrentDataClass",
        uplink_speed: u64 = u64 "UplinkSpeed",
        downlink_speed: u64 = u64 "DownlinkSpeed",
        frequency_range: FrequencyRange = u32 "FrequencyRange",
    }
}

ms_struct! {
    /// MBIM_RSRP_SNR_INFO: one radio's RSRP/SNR (coded as in MBIMEx 2.0).
    pub struct RsrpSnrInfo {
        rsrp: u32 = u32 "Rsrp",
        snr: u32 = u32 "Snr",
        rsrp_threshold: u32 = u32 "RsrpThreshold",
        snr_threshold: u32 = u32 "SnrThreshold",
        system_type: DataClass = u32 "SystemType",
    }
}

impl HasFixed for RsrpSnrInfo {
    const FIXED_LEN: usize = RsrpSnrInfo::FIXED;
}

/// MBIM_SIGNAL_STATE_INFO_V2: the 1.0 fields, then an OL pair pointing at
/// `{ElementCount, RsrpSnr[ElementCount]}`. Rssi is 99 when only RSRP/SNR
/// are meaningful.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SignalStateInfoV2 {
    pub rssi: u32,
    pub error_rate: u32,
    pub signal_strength_interval: u32,
    pub rssi_threshold: u32,
    pub error_rate_threshold: u32,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<RsrpSnrInfo>()")
    )]
    pub rsrp_snr: Vec<RsrpSnrInfo>,
}

impl Payload for SignalStateInfoV2 {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, rssi) = u32le("Rssi")(r)?;
            let (r, error_rate) = u32le("ErrorRate")(r)?;
            let (r, signal_strength_interval) = u32le("SignalStrengthInterval")(r)?;
            let (r, rssi_threshold) = u32le("RssiThreshold")(r)?;
            let (r, error_rate_threshold) = u32le("ErrorRateThreshold")(r)?;
            let (r, d) = wire::ol(s, "RsrpSnr")(r)?;
            let rsrp_snr = if d.is_empty() {
                Vec::new()
            } else {
                let (e, count) = u32le("RsrpSnrCount")(d)?;
                wire::inline_array(count, RsrpSnrInfo::FIXED, "RsrpSnr", |i| {
                    let v = RsrpSnrInfo::parse(i)?;
                    Ok((&i[RsrpSnrInfo::FIXED..], v))
                })(e)?
                .1
            };
            Ok((
                r,
                SignalStateInfoV2 {
                    rssi,
                    error_rate,
                    signal_strength_interval,
                    rssi_threshold,
                    error_rate_threshold,
                    rsrp_snr,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 28);
        w.u32(self.rssi);
        w.u32(self.error_rate);
        w.u32(self.signal_strength_interval);
        w.u32(self.rssi_threshold);
        w.u32(self.error_rate_threshold);
        if self.rsrp_snr.is_empty() {
            return w.bytes("RsrpSnr", &[]);
        }
        w.element("RsrpSnr", |out| {
            out.extend_from_slice(&count_u32("RsrpSnrCount", self.rsrp_snr.len())?.to_le_bytes());
            self.rsrp_snr.iter().try_for_each(|x| x.encode(out))
        })
    }
}

impl_indication!(
    RegistrationStateInfoV2,
    BASIC_CONNECT,
    super::basic_connect::cid::REGISTER_STATE
);
impl_indication!(
    PacketServiceInfoV2,
    BASIC_CONNECT,
    super::basic_connect::cid::PACKET_SERVICE
);
impl_indication!(
    SignalStateInfoV2,
    BASIC_CONNECT,
    super::basic_connect::cid::SIGNAL_STATE
);

payload_table! {
    /// The Basic Connect payloads whose layout MBIMEx 2.0 changes.
    pub enum Any {
        RegistrationStateInfoV2(RegistrationStateInfoV2) = [(9, Response), (9, Indication)],
        PacketServiceInfoV2(PacketServiceInfoV2) = [(10, Response), (10, Indication)],
        SignalStateInfoV2(SignalStateInfoV2) = [(11, Response), (11, Indication)],
    }
}

// The MBIM 1.0 view of each 2.0 structure, for callers that cache one type
// whatever the version (the added fields are dropped).

impl From<RegistrationStateInfoV2> for super::basic_connect::RegistrationStateInfo {
    fn from(v: RegistrationStateInfoV2) -> Self {
        super::basic_connect::RegistrationStateInfo {
            nw_error: v.nw_error,
            register_state: v.register_state,
            register_mode: v.register_mode,
            available_data_classes: v.available_data_classes,
            current_cellular_class: v.current_cellular_class,
            provider_id: v.provider_id,
            provider_name: v.provider_name,
            roaming_text: v.roaming_text,
            registration_flag: v.registration_flag,
        }
    }
}

impl From<PacketServiceInfoV2> for super::basic_connect::PacketServiceInfo {
    /// CurrentDataClass stands in for HighestAvailableDataClass.
    fn from(v: PacketServiceInfoV2) -> Self {
        super::basic_connect::PacketServiceInfo {
            nw_error: v.nw_error,
            packet_service_state: v.packet_service_state,
            highest_available_data_class: v.current_data_class,
            uplink_speed: v.uplink_speed,
            downlink_speed: v.downlink_speed,
        }
    }
}

impl From<SignalStateInfoV2> for super::basic_connect::SignalStateInfo {
    fn from(v: SignalStateInfoV2) -> Self {
        super::basic_connect::SignalStateInfo {
            rssi: v.rssi,
            error_rate: v.error_rate,
            signal_strength_interval: v.signal_strength_interval,
            rssi_threshold: v.rssi_threshold,
            error_rate_threshold: v.error_rate_threshold,
        }
    }
}
