//! Microsoft SAR control service (`68223d04-9f6c-4e0f-822d-28441fb72340`):
//! specific-absorption-rate back-off (who controls it, which back-off table
//! index each antenna uses) and transmission-activity notifications
//! (windows-operator-formats.md §7.2; layouts as libmbim 1.28 `ms-sar`).
//!
//! Only the payloads live here; deciding back-off levels is the platform's job.

use super::{
    Empty, Payload, empty_request, fixed_struct, impl_indication, impl_request, parse_all,
    payload_table,
};
use crate::error::EncodeError;
use crate::uuid::MS_SAR;
use crate::wire::{PError, Writer, count_u32, ol_list, u32le};

/// CID numbers (Microsoft MBIM extensions, libmbim `MbimCidMsSar`).
pub mod cid {
    pub const CONFIG: u32 = 1;
    pub const TRANSMISSION_STATUS: u32 = 2;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "config", "transmission-status"];

crate::wire_enum! {
    /// MBIM_MS_SAR_CONTROL_MODE: who sets the back-off.
    pub struct SarControlMode(u32) {
        DEVICE = 0 => "device",
        OS = 1 => "os",
    }
}

crate::wire_enum! {
    /// MBIM_MS_SAR_BACKOFF_STATE.
    pub struct SarBackoffState(u32) {
        DISABLED = 0 => "disabled",
        ENABLED = 1 => "enabled",
    }
}

crate::wire_enum! {
    /// MBIM_MS_SAR_WIFI_HARDWARE_INTEGRATION.
    pub struct SarWifiHardwareState(u32) {
        INTEGRATED = 0 => "integrated",
        NOT_INTEGRATED = 1 => "not-integrated",
    }
}

crate::wire_enum! {
    /// MBIM_MS_TRANSMISSION_NOTIFICATION_STATUS.
    pub struct TransmissionNotificationStatus(u32) {
        DISABLED = 0 => "disabled",
        ENABLED = 1 => "enabled",
    }
}

crate::wire_enum! {
    /// MBIM_MS_TRANSMISSION_STATE.
    pub struct TransmissionState(u32) {
        INACTIVE = 0 => "inactive",
        ACTIVE = 1 => "active",
    }
}

fixed_struct! {
    /// MBIM_MS_SAR_CONFIG_STATE: the back-off table index of one antenna
    /// (AntennaIndex 0xFFFFFFFF = every antenna).
    pub struct SarConfigState {
        antenna_index: u32 = u32 "AntennaIndex",
        backoff_index: u32 = u32 "BackoffIndex",
    }
}

/// MBIM_MS_SET_SAR_CONFIG.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetSarConfig {
    pub mode: SarControlMode,
    pub backoff_state: SarBackoffState,
    /// One entry per antenna (an OL-pair list on the wire).
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<SarConfigState>()")
    )]
    pub config_states: Vec<SarConfigState>,
}

impl Payload for SetSarConfig {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, mode) = u32le("Mode")(r)?;
            let (r, backoff_state) = u32le("BackoffState")(r)?;
            let (r, count) = u32le("ConfigStatesCount")(r)?;
            let (r, config_states) = ol_list(s, count, "ConfigStates", SarConfigState::parse)(r)?;
            Ok((
                r,
                SetSarConfig {
                    mode: mode.into(),
                    backoff_state: backoff_state.into(),
                    config_states,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.config_states.len();
        let mut w = Writer::new(out, 12 + 8 * n);
        w.u32(self.mode.0);
        w.u32(self.backoff_state.0);
        w.u32(count_u32("ConfigStatesCount", n)?);
        w.ol_list("ConfigStates", &self.config_states, |c, out| c.encode(out))
    }
}

/// MBIM_MS_SAR_CONFIG: the response to CONFIG set and query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SarConfig {
    pub mode: SarControlMode,
    pub backoff_state: SarBackoffState,
    pub wifi_integration: SarWifiHardwareState,
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<SarConfigState>()")
    )]
    pub config_states: Vec<SarConfigState>,
}

impl Payload for SarConfig {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, mode) = u32le("Mode")(r)?;
            let (r, backoff_state) = u32le("BackoffState")(r)?;
            let (r, wifi_integration) = u32le("WifiIntegration")(r)?;
            let (r, count) = u32le("ConfigStatesCount")(r)?;
            let (r, config_states) = ol_list(s, count, "ConfigStates", SarConfigState::parse)(r)?;
            Ok((
                r,
                SarConfig {
                    mode: mode.into(),
                    backoff_state: backoff_state.into(),
                    wifi_integration: wifi_integration.into(),
                    config_states,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.config_states.len();
        let mut w = Writer::new(out, 16 + 8 * n);
        w.u32(self.mode.0);
        w.u32(self.backoff_state.0);
        w.u32(self.wifi_integration.0);
        w.u32(count_u32("ConfigStatesCount", n)?);
        w.ol_list("ConfigStates", &self.config_states, |c, out| c.encode(out))
    }
}

fixed_struct! {
    /// MBIM_MS_SET_TRANSMISSION_STATUS: enable TX-activity notifications.
    pub struct SetTransmissionStatus {
        channel_notification: TransmissionNotificationStatus = u32 "ChannelNotification",
        /// Seconds of inactivity before "inactive" is reported.
        hysteresis_timer: u32 = u32 "HysteresisTimer",
    }
}

fixed_struct! {
    /// MBIM_MS_TRANSMISSION_STATUS_INFO: response and indication.
    pub struct TransmissionStatusInfo {
        channel_notification: TransmissionNotificationStatus = u32 "ChannelNotification",
        transmission_status: TransmissionState = u32 "TransmissionStatus",
        hysteresis_timer: u32 = u32 "HysteresisTimer",
    }
}

empty_request!(
    /// CONFIG query.
    SarConfigQuery, MS_SAR, cid::CONFIG, QUERY, SarConfig
);
impl_request!(SetSarConfig, MS_SAR, cid::CONFIG, SET, SarConfig);
empty_request!(
    /// TRANSMISSION_STATUS query.
    TransmissionStatusQuery, MS_SAR, cid::TRANSMISSION_STATUS, QUERY, TransmissionStatusInfo
);
impl_request!(
    SetTransmissionStatus,
    MS_SAR,
    cid::TRANSMISSION_STATUS,
    SET,
    TransmissionStatusInfo
);
impl_indication!(TransmissionStatusInfo, MS_SAR, cid::TRANSMISSION_STATUS);

payload_table! {
    /// Every MS SAR payload.
    pub enum Any {
        Empty(Empty) = [(1, Query), (2, Query)],
        SetSarConfig(SetSarConfig) = [(1, Set)],
        SarConfig(SarConfig) = [(1, Response)],
        SetTransmissionStatus(SetTransmissionStatus) = [(2, Set)],
        TransmissionStatusInfo(TransmissionStatusInfo) = [(2, Response), (2, Indication)],
    }
}
