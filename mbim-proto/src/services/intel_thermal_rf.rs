//! Intel thermal/RF service (`fdc22af2-f441-4d46-af8d-259fcdde4635`): CID 9
//! RFIM, radio-frequency interference mitigation — which frequencies the
//! modem uses, so that the platform can move other radios (Wi-Fi, DDR
//! clocks) away from them (layouts as libmbim 1.28 `intel-thermal-rf`).

use super::{
    Empty, Payload, empty_request, fixed_struct, impl_indication, impl_request, parse_all,
    payload_table,
};
use crate::error::EncodeError;
use crate::uuid::INTEL_THERMAL_RF;
use crate::wire::{PError, Writer, count_u32, ol_list, u32le};

/// CID numbers (libmbim `MbimCidIntelThermalRf`).
pub mod cid {
    pub const RFIM: u32 = 9;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "", "", "", "", "", "", "", "", "rfim"];

crate::wire_enum! {
    /// MbimIntelServingCellInfo.
    pub struct IntelServingCellInfo(u32) {
        PCELL = 0 => "pcell",
        SCELL = 1 => "scell",
        PSCELL = 2 => "pscell",
        SSCELL = 3 => "sscell",
        RADIO_OFF = 0xFFFF_FFFF => "radio-off",
    }
}

fixed_struct! {
    /// RFIM set: turn RFIM reporting on (1) or off (0).
    pub struct RfimActivation {
        activation_state: u32 = u32 "ActivationState",
    }
}

fixed_struct! {
    /// MbimIntelRfimFrequencyValue: one carrier in use.
    pub struct IntelRfimFrequencyValue {
        serving_cell_info: IntelServingCellInfo = u32 "ServingCellInfo",
        /// Centre frequency in Hz.
        center_frequency: u64 = u64 "CenterFrequency",
        /// Bandwidth in Hz.
        bandwidth: u32 = u32 "Bandwidth",
        /// 0–97 (−140 dBm + n), 0xFFFFFFFF unknown.
        rsrp: u32 = u32 "RSRP",
        /// 0–34 (−19.5 dB + n/2), 0xFFFFFFFF unknown.
        rsrq: u32 = u32 "RSRQ",
        /// 0–127 (n/2 − 23 dB), 0xFFFFFFFF unknown.
        sinr: u32 = u32 "SINR",
        /// 0–31 (−113 dBm + 2·n), 99 unknown.
        rssi: u32 = u32 "RSSI",
        /// Boolean: connected on this carrier.
        connection_status: u32 = u32 "ConnectionStatus",
    }
}

/// RFIM response and indication: an OL-pair list of frequency values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct RfimInfo {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::list::<IntelRfimFrequencyValue>()")
    )]
    pub rfim_frequency_values: Vec<IntelRfimFrequencyValue>,
}

impl Payload for RfimInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, count) = u32le("RfimFrequencyValuesCount")(r)?;
            let (r, rfim_frequency_values) = ol_list(
                s,
                count,
                "RfimFrequencyValues",
                IntelRfimFrequencyValue::parse,
            )(r)?;
            Ok((
                r,
                RfimInfo {
                    rfim_frequency_values,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.rfim_frequency_values.len();
        let mut w = Writer::new(out, 4 + 8 * n);
        w.u32(count_u32("RfimFrequencyValuesCount", n)?);
        w.ol_list(
            "RfimFrequencyValues",
            &self.rfim_frequency_values,
            |v, out| v.encode(out),
        )
    }
}

empty_request!(
    /// RFIM query.
    RfimQuery, INTEL_THERMAL_RF, cid::RFIM, QUERY, RfimInfo
);
impl_request!(RfimActivation, INTEL_THERMAL_RF, cid::RFIM, SET, RfimInfo);
impl_indication!(RfimInfo, INTEL_THERMAL_RF, cid::RFIM);

payload_table! {
    /// Every Intel thermal/RF payload.
    pub enum Any {
        Empty(Empty) = [(9, Query)],
        RfimActivation(RfimActivation) = [(9, Set)],
        RfimInfo(RfimInfo) = [(9, Response), (9, Indication)],
    }
}
