//! The simulated MS Voice Extensions service: only NITZ (CID 10), the
//! network's time and time zone as the modem last received them
//! (windows-operator-formats.md §7.2). Query answers the last values; a
//! timeline `nitz` event stands for the network sending new ones and goes
//! out as an indication. It holds no clock: the time is the scenario's.

use super::modem::{Modem, Reply};
use super::scenario::{NitzSpec, UtcTime};
use mbim_proto::Status;
use mbim_proto::services::basic_connect::DataClass;
use mbim_proto::services::ms_voice_extensions::{NitzInfo, cid};

/// MS Voice Extensions CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::NITZ];

/// MBIM_NITZ_INFO for a time and offsets (the offsets are signed minutes,
/// sent as their two's-complement u32 as MBIM does).
fn info(time: &UtcTime, tz_offset: i32, dst_offset: i32, data_class: DataClass) -> NitzInfo {
    NitzInfo {
        year: time.year,
        month: time.month,
        day: time.day,
        hour: time.hour,
        minute: time.minute,
        second: time.second,
        time_zone_offset_minutes: u32::from_le_bytes(tz_offset.to_le_bytes()),
        daylight_saving_time_offset_minutes: u32::from_le_bytes(dst_offset.to_le_bytes()),
        data_class,
    }
}

/// The NITZ a modem starts with: the scenario's `[nitz]`, received over the
/// data class it registers with.
pub(super) fn nitz_info(spec: &NitzSpec, data_class: DataClass) -> NitzInfo {
    info(&spec.time, spec.tz_offset, spec.dst_offset, data_class)
}

impl Modem {
    /// Answer an MS Voice Extensions command: NITZ query only.
    pub(super) fn voice_extensions(&mut self, c: u32, set: bool) -> Reply {
        match (c, set) {
            (cid::NITZ, false) if self.is_registered() => Reply::ok(&self.nitz),
            // No network, no network time.
            (cid::NITZ, false) => Reply::status(Status::NOT_REGISTERED),
            _ => Reply::status(Status::NO_DEVICE_SUPPORT),
        }
    }

    /// On registration the network sends its time again (the last one
    /// received stands for it): announced when the service is offered.
    pub(super) fn nitz_on_registration(&mut self) {
        if self.scenario.device.nitz {
            let n = self.nitz;
            self.notify_on(mbim_proto::uuid::MS_VOICE_EXTENSIONS, cid::NITZ, &n);
        }
    }

    /// The network sent its time (a timeline `nitz` event): keep it and
    /// announce it when the service is offered.
    pub(super) fn nitz_received(
        &mut self,
        time: &UtcTime,
        tz_offset: Option<i32>,
        dst_offset: Option<i32>,
    ) {
        let old = self.nitz;
        let tz = tz_offset.unwrap_or(i32::from_le_bytes(
            old.time_zone_offset_minutes.to_le_bytes(),
        ));
        let dst = dst_offset.unwrap_or(i32::from_le_bytes(
            old.daylight_saving_time_offset_minutes.to_le_bytes(),
        ));
        let data_class = self.scenario.registration.data_class;
        self.nitz = info(time, tz, dst, data_class);
        if self.scenario.device.nitz {
            let n = self.nitz;
            self.notify_on(mbim_proto::uuid::MS_VOICE_EXTENSIONS, cid::NITZ, &n);
        }
    }
}
