//! libmbim's proxy-control service (`838cf7fb-8d0d-4d7f-871e-d71dbefbb39b`):
//! not part of the MBIM spec, spoken only between `mbim-proxy` and its
//! clients and never forwarded to a modem (mbim-and-libmbim.md §2).
//!
//! Needed so that our proxy-compatible socket can serve unmodified libmbim
//! clients; this module only maps the payloads.

use super::{Payload, impl_indication, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::uuid::PROXY_CONTROL;
use crate::wire::{PError, Writer, string, u16le, u32le};

/// CID numbers (libmbim `MbimCidProxyControl`).
pub mod cid {
    pub const CONFIGURATION: u32 = 1;
    pub const VERSION: u32 = 2;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "configuration", "version"];

/// CONFIGURATION set: which device the client wants, and its open timeout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ProxyConfiguration {
    /// Path of the control device, e.g. `/dev/cdc-wdm0`.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub device_path: String,
    /// Seconds the proxy may take to open the device.
    pub timeout: u32,
}

impl Payload for ProxyConfiguration {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, device_path) = string(s, "DevicePath")(r)?;
            let (r, timeout) = u32le("Timeout")(r)?;
            Ok((
                r,
                ProxyConfiguration {
                    device_path,
                    timeout,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 12);
        w.string("DevicePath", &self.device_path, None)?;
        w.u32(self.timeout);
        Ok(())
    }
}

/// VERSION indication: the MBIM and MBIMEx versions agreed with the device,
/// both BCD with the point between the bytes (`0x0200` = 2.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct ProxyVersion {
    pub mbim_version: u16,
    pub mbim_extended_version: u16,
}

impl Payload for ProxyVersion {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, mbim_version) = u16le("MbimVersion")(r)?;
            let (r, mbim_extended_version) = u16le("MbimExtendedVersion")(r)?;
            Ok((
                r,
                ProxyVersion {
                    mbim_version,
                    mbim_extended_version,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 4);
        w.u16(self.mbim_version);
        w.u16(self.mbim_extended_version);
        Ok(())
    }
}

impl_request!(
    ProxyConfiguration,
    PROXY_CONTROL,
    cid::CONFIGURATION,
    SET,
    super::Empty
);
impl_indication!(ProxyVersion, PROXY_CONTROL, cid::VERSION);

payload_table! {
    /// Every proxy-control payload.
    pub enum Any {
        ProxyConfiguration(ProxyConfiguration) = [(1, Set)],
        Empty(super::Empty) = [(1, Response)],
        ProxyVersion(ProxyVersion) = [(2, Indication)],
    }
}
