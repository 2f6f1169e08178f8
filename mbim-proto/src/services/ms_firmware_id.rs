//! Microsoft Firmware ID service (`e9f7dea2-feaf-4009-93ce-90a3694103b6`):
//! one query returning a UUID that names the firmware SKU, which Windows
//! uses to pick a firmware-update package (windows-operator-formats.md §7.2).
//!
//! Only the payload lives here; firmware updating is not this module's concern.

use super::{Empty, empty_request, fixed_struct, payload_table};
use crate::uuid::MS_FIRMWARE_ID;
use crate::wire::Uuid;

/// CID numbers (libmbim `MbimCidMsFirmwareId`).
pub mod cid {
    pub const GET: u32 = 1;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "get"];

fixed_struct! {
    /// MBIM_MSFWID_FIRMWAREID_INFO (`CID_MBIM_MSFWID_FIRMWAREID` response).
    pub struct FirmwareIdInfo {
        firmware_id: Uuid = uuid "FirmwareId",
    }
}

empty_request!(
    /// GET query.
    FirmwareIdQuery, MS_FIRMWARE_ID, cid::GET, QUERY, FirmwareIdInfo
);

payload_table! {
    /// Every MS Firmware ID payload.
    pub enum Any {
        Empty(Empty) = [(1, Query)],
        FirmwareIdInfo(FirmwareIdInfo) = [(1, Response)],
    }
}
