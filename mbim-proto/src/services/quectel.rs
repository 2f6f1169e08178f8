//! Quectel vendor service (`11223344-5566-7788-99aa-bbccddeeff11`): CID 1
//! RADIO_STATE, which unlike Basic Connect's can report an FCC lock
//! (layouts as libmbim 1.28 `quectel`).

use super::{Empty, empty_request, fixed_struct, impl_request, payload_table};
use crate::uuid::QUECTEL;

/// CID numbers (libmbim `MbimCidQuectel`).
pub mod cid {
    pub const RADIO_STATE: u32 = 1;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "radio-state"];

crate::wire_enum! {
    /// MbimQuectelRadioSwitchState.
    pub struct QuectelRadioSwitchState(u32) {
        OFF = 0 => "off",
        ON = 1 => "on",
        /// The radio is locked until the host unlocks it (FCC lock).
        FCC_LOCKED = 4 => "fcc-locked",
    }
}

fixed_struct! {
    /// RADIO_STATE set and response.
    pub struct QuectelRadioState {
        radio_state: QuectelRadioSwitchState = u32 "RadioState",
    }
}

empty_request!(
    /// RADIO_STATE query.
    QuectelRadioStateQuery, QUECTEL, cid::RADIO_STATE, QUERY, QuectelRadioState
);
impl_request!(
    QuectelRadioState,
    QUECTEL,
    cid::RADIO_STATE,
    SET,
    QuectelRadioState
);

payload_table! {
    /// Every Quectel payload.
    pub enum Any {
        Empty(Empty) = [(1, Query)],
        QuectelRadioState(QuectelRadioState) = [(1, Set), (1, Response)],
    }
}
