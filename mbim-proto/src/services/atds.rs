//! AT&T Device Service (`5967bdcc-7fd2-49a2-9f5c-b2e70e527db3`): signal,
//! location, operator list, RAT preference and registration state in the
//! shapes AT&T's device requirements define (layouts as libmbim 1.28 `atds`).
//!
//! Only the payloads live here. Signal fields use 3GPP TS 27.007 `+CESQ`
//! scales (255 = unknown); the conversions are the caller's business.

use super::{Empty, Payload, empty_request, fixed_struct, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::services::basic_connect::{
    CellularClass, DataClass, NwError, ProviderState, RegisterMode, RegisterState, RegistrationFlag,
};
use crate::uuid::ATDS;
use crate::wire::{PError, Writer, count_u32, ol_list, string, u32le};

/// CID numbers (libmbim `MbimCidAtds`).
pub mod cid {
    pub const SIGNAL: u32 = 1;
    pub const LOCATION: u32 = 2;
    pub const OPERATORS: u32 = 3;
    pub const RAT: u32 = 4;
    pub const REGISTER_STATE: u32 = 9;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &[
    "",
    "signal",
    "location",
    "operators",
    "rat",
    "",
    "",
    "",
    "",
    "register-state",
];

crate::wire_enum! {
    /// MBIM_ATDS_RAT_MODE.
    pub struct AtdsRatMode(u32) {
        AUTOMATIC = 0 => "automatic",
        ONLY_2G = 1 => "2g-only",
        ONLY_3G = 2 => "3g-only",
        ONLY_4G = 3 => "4g-only",
    }
}

crate::wire_enum! {
    /// MBIM_ATDS_PROVIDER_PLMN_MODE (3GPP TS 27.007 `<AcT>` values).
    pub struct AtdsProviderPlmnMode(u32) {
        GSM = 0 => "gsm",
        UTRAN = 6 => "utran",
        LTE = 7 => "lte",
    }
}

fixed_struct! {
    /// SIGNAL response.
    pub struct AtdsSignal {
        /// 0–31 (−113 dBm + 2·n), 99 unknown.
        rssi: u32 = u32 "Rssi",
        /// 0–7, 99 unknown.
        error_rate: u32 = u32 "ErrorRate",
        /// 0–96 (−120 dBm + n), 255 unknown.
        rscp: u32 = u32 "Rscp",
        /// 0–49 (−24 dB + n/2), 255 unknown.
        ecno: u32 = u32 "Ecno",
        /// 0–34 (−19.5 dB + n/2), 255 unknown.
        rsrq: u32 = u32 "Rsrq",
        /// 0–97 (−140 dBm + n), 255 unknown.
        rsrp: u32 = u32 "Rsrp",
        /// 0–35 (−5 dB + n), 255 unknown.
        rssnr: u32 = u32 "Rssnr",
    }
}

fixed_struct! {
    /// LOCATION response.
    pub struct AtdsLocation {
        lac: u32 = u32 "Lac",
        tac: u32 = u32 "Tac",
        cell_id: u32 = u32 "CellId",
    }
}

/// MBIM_ATDS_PROVIDER: one element of the OPERATORS list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AtdsProvider {
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
    pub plmn_mode: AtdsProviderPlmnMode,
    pub rssi: u32,
    pub error_rate: u32,
}

impl Payload for AtdsProvider {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, provider_id) = string(s, "ProviderId")(r)?;
            let (r, provider_state) = u32le("ProviderState")(r)?;
            let (r, provider_name) = string(s, "ProviderName")(r)?;
            let (r, plmn_mode) = u32le("PlmnMode")(r)?;
            let (r, rssi) = u32le("Rssi")(r)?;
            let (r, error_rate) = u32le("ErrorRate")(r)?;
            Ok((
                r,
                AtdsProvider {
                    provider_id,
                    provider_state: provider_state.into(),
                    provider_name,
                    plmn_mode: plmn_mode.into(),
                    rssi,
                    error_rate,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 32);
        w.string("ProviderId", &self.provider_id, None)?;
        w.u32(self.provider_state.0);
        w.string("ProviderName", &self.provider_name, None)?;
        w.u32(self.plmn_mode.0);
        w.u32(self.rssi);
        w.u32(self.error_rate);
        Ok(())
    }
}

/// OPERATORS response: an OL-pair list of [`AtdsProvider`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AtdsOperators {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<AtdsProvider>()")
    )]
    pub providers: Vec<AtdsProvider>,
}

impl Payload for AtdsOperators {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("ProvidersCount")(r)?;
            let (r, providers) = ol_list(s, count, "Providers", AtdsProvider::parse)(r)?;
            Ok((r, AtdsOperators { providers }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.providers.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("ProvidersCount", n)?);
        w.ol_list("Providers", &self.providers, |p, out| p.encode(out))
    }
}

fixed_struct! {
    /// RAT set and response.
    pub struct AtdsRat {
        mode: AtdsRatMode = u32 "Mode",
    }
}

/// REGISTER_STATE response (MBIM_REGISTRATION_STATE_INFO's fields, in AT&T's order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AtdsRegisterState {
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

impl Payload for AtdsRegisterState {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, nw_error) = u32le("NwError")(r)?;
            let (r, register_state) = u32le("RegisterState")(r)?;
            let (r, register_mode) = u32le("RegisterMode")(r)?;
            let (r, available_data_classes) = u32le("AvailableDataClasses")(r)?;
            let (r, current_cellular_class) = u32le("CurrentCellularClass")(r)?;
            let (r, provider_id) = string(s, "ProviderId")(r)?;
            let (r, provider_name) = string(s, "ProviderName")(r)?;
            let (r, roaming_text) = string(s, "RoamingText")(r)?;
            let (r, registration_flag) = u32le("RegistrationFlag")(r)?;
            Ok((
                r,
                AtdsRegisterState {
                    nw_error: nw_error.into(),
                    register_state: register_state.into(),
                    register_mode: register_mode.into(),
                    available_data_classes: available_data_classes.into(),
                    current_cellular_class: current_cellular_class.into(),
                    provider_id,
                    provider_name,
                    roaming_text,
                    registration_flag: registration_flag.into(),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 48);
        w.u32(self.nw_error.0);
        w.u32(self.register_state.0);
        w.u32(self.register_mode.0);
        w.u32(self.available_data_classes.0);
        w.u32(self.current_cellular_class.0);
        w.string("ProviderId", &self.provider_id, None)?;
        w.string("ProviderName", &self.provider_name, None)?;
        w.string("RoamingText", &self.roaming_text, None)?;
        w.u32(self.registration_flag.0);
        Ok(())
    }
}

empty_request!(
    /// SIGNAL query.
    AtdsSignalQuery, ATDS, cid::SIGNAL, QUERY, AtdsSignal
);
empty_request!(
    /// LOCATION query.
    AtdsLocationQuery, ATDS, cid::LOCATION, QUERY, AtdsLocation
);
empty_request!(
    /// OPERATORS query.
    AtdsOperatorsQuery, ATDS, cid::OPERATORS, QUERY, AtdsOperators
);
empty_request!(
    /// RAT query.
    AtdsRatQuery, ATDS, cid::RAT, QUERY, AtdsRat
);
impl_request!(AtdsRat, ATDS, cid::RAT, SET, AtdsRat);
empty_request!(
    /// REGISTER_STATE query.
    AtdsRegisterStateQuery, ATDS, cid::REGISTER_STATE, QUERY, AtdsRegisterState
);

payload_table! {
    /// Every ATDS payload.
    pub enum Any {
        Empty(Empty) = [(1, Query), (2, Query), (3, Query), (4, Query), (9, Query)],
        AtdsSignal(AtdsSignal) = [(1, Response)],
        AtdsLocation(AtdsLocation) = [(2, Response)],
        AtdsOperators(AtdsOperators) = [(3, Response)],
        AtdsRat(AtdsRat) = [(4, Set), (4, Response)],
        AtdsRegisterState(AtdsRegisterState) = [(9, Response)],
    }
}
