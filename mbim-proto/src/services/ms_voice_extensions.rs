//! Microsoft Voice Extensions service (`8d8b9eba-37be-449b-8f1e-61cb034a702e`):
//! only CID 10, NITZ — network time and time zone as received from the network
//! (windows-operator-formats.md §7.2). CIDs 1–9 are phone-era and unused.
//!
//! Turning NITZ into a system clock or time zone is not this module's job.

use super::{Empty, empty_request, fixed_struct, impl_indication, payload_table};
use crate::services::basic_connect::DataClass;
use crate::uuid::MS_VOICE_EXTENSIONS;

/// CID numbers (libmbim `MbimCidMsVoiceExtensions`).
pub mod cid {
    pub const NITZ: u32 = 10;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "", "", "", "", "", "", "", "", "", "nitz"];

fixed_struct! {
    /// MBIM_NITZ_INFO: the network's date and time (UTC) and its offsets.
    pub struct NitzInfo {
        /// Full year, e.g. 2026.
        year: u32 = u32 "Year",
        month: u32 = u32 "Month",
        day: u32 = u32 "Day",
        hour: u32 = u32 "Hour",
        minute: u32 = u32 "Minute",
        second: u32 = u32 "Second",
        /// Offset from UTC in minutes, a signed value on the wire (see
        /// [`NitzInfo::time_zone_offset`]); 0xFFFFFFFF = not available.
        time_zone_offset_minutes: u32 = u32 "TimeZoneOffsetMinutes",
        /// Daylight-saving adjustment in minutes; 0xFFFFFFFF = not available.
        daylight_saving_time_offset_minutes: u32 = u32 "DaylightSavingTimeOffsetMinutes",
        /// The radio technology the time came over.
        data_class: DataClass = u32 "DataClass",
    }
}

impl NitzInfo {
    /// The time-zone offset in minutes as the signed value it is
    /// (`None` for the 0xFFFFFFFF "not available" marker).
    pub fn time_zone_offset(&self) -> Option<i32> {
        (self.time_zone_offset_minutes != u32::MAX)
            .then(|| i32::from_le_bytes(self.time_zone_offset_minutes.to_le_bytes()))
    }
}

empty_request!(
    /// NITZ query.
    NitzQuery, MS_VOICE_EXTENSIONS, cid::NITZ, QUERY, NitzInfo
);
impl_indication!(NitzInfo, MS_VOICE_EXTENSIONS, cid::NITZ);

payload_table! {
    /// Every MS Voice Extensions payload.
    pub enum Any {
        Empty(Empty) = [(10, Query)],
        NitzInfo(NitzInfo) = [(10, Response), (10, Indication)],
    }
}
