//! Device Service Stream service (`c08a26dd-7718-4382-8482-6e0d583c4d0e`),
//! MBIM 1.0 §10.5.41: opening and closing a DSS session for a device service.
//!
//! Only the control payload lives here; the stream's data travels on the data
//! interface and is not this module's concern.

use super::{fixed_struct, impl_request, payload_table};
use crate::uuid::DSS;
use crate::wire::Uuid;

/// CID numbers (MBIM 1.0 Table 10-3).
pub mod cid {
    pub const CONNECT: u32 = 1;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "connect"];

crate::wire_enum! {
    /// MBIM_DSS_LINK_STATE.
    pub struct DssLinkState(u32) {
        DEACTIVATE = 0 => "deactivate",
        ACTIVATE = 1 => "activate",
    }
}

fixed_struct! {
    /// MBIM_SET_DSS_CONNECT.
    pub struct SetDssConnect {
        /// The device service whose stream is opened or closed.
        device_service_id: Uuid = uuid "DeviceServiceId",
        dss_session_id: u32 = u32 "DssSessionId",
        dss_link_state: DssLinkState = u32 "DssLinkState",
    }
}

impl_request!(SetDssConnect, DSS, cid::CONNECT, SET, super::Empty);

payload_table! {
    /// Every DSS payload.
    pub enum Any {
        SetDssConnect(SetDssConnect) = [(1, Set)],
        Empty(super::Empty) = [(1, Response)],
    }
}
