//! Intel firmware-update service (`0ed374cb-f835-4474-bc11-3b3fd76f5641`):
//! CID 1 MODEM_REBOOT asks an Intel (XMM) modem to reboot, e.g. into its
//! download mode before flashing.
//!
//! The set's layout depends on the negotiated MBIMEx version
//! (mbim-and-libmbim.md §3.1): empty in 1.0, {BootMode, Timeout} from 2.0 on.
//! [`Any`] holds the 1.0 table and [`AnyV2`] the 2.0 overrides; the service
//! dispatch in `services` tries `AnyV2` first when the version is ≥ 2.0.

use super::{Empty, fixed_struct, impl_request, payload_table};
use crate::uuid::INTEL_FIRMWARE_UPDATE;

/// CID numbers (libmbim `MbimCidIntelFirmwareUpdate`).
pub mod cid {
    pub const MODEM_REBOOT: u32 = 1;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "modem-reboot"];

crate::wire_enum! {
    /// MbimIntelBootMode: what the modem boots into.
    pub struct IntelBootMode(u32) {
        NORMAL_MODE = 0 => "normal-mode",
        DOWNLOAD_MODE = 1 => "download-mode",
        POWER_OFF_DEVICE = 2 => "power-off-device",
        NON_RESETABLE_REGISTER = 3 => "non-resetable-register",
        WITHOUT_REBOOT_POWER_OFF = 4 => "without-reboot-power-off",
        FAST_DOWNLOAD_MODE = 5 => "fast-download-mode",
    }
}

/// MODEM_REBOOT set, MBIMEx 1.0: no payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ModemReboot;

impl super::Payload for ModemReboot {
    fn parse(_s: &[u8]) -> Result<Self, nom::Err<crate::wire::PError>> {
        Ok(ModemReboot)
    }
    fn encode(&self, _out: &mut Vec<u8>) -> Result<(), crate::error::EncodeError> {
        Ok(())
    }
}

fixed_struct! {
    /// MODEM_REBOOT set, MBIMEx 2.0 and later.
    pub struct ModemRebootV2 {
        boot_mode: IntelBootMode = u32 "BootMode",
        /// Seconds to wait before rebooting.
        timeout: u32 = u32 "Timeout",
    }
}

impl_request!(
    ModemReboot,
    INTEL_FIRMWARE_UPDATE,
    cid::MODEM_REBOOT,
    SET,
    Empty
);
impl_request!(
    ModemRebootV2,
    INTEL_FIRMWARE_UPDATE,
    cid::MODEM_REBOOT,
    SET,
    Empty
);

payload_table! {
    /// Every Intel firmware-update payload, MBIMEx 1.0 layouts.
    pub enum Any {
        ModemReboot(ModemReboot) = [(1, Set)],
        Empty(Empty) = [(1, Response)],
    }
}

payload_table! {
    /// The Intel firmware-update payloads whose layout MBIMEx 2.0 redefines.
    pub enum AnyV2 {
        ModemRebootV2(ModemRebootV2) = [(1, Set)],
    }
}
