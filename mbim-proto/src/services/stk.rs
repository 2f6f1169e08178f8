//! SIM Toolkit service (`d8f20131-fcb5-4e17-8602-d6ed3816164c`), MBIM 1.0
//! §10.5.35–37: proactive-command (PAC) routing, terminal responses and
//! envelopes between the host and the UICC.
//!
//! Proactive commands, terminal responses and envelopes are BER-TLV blobs
//! (ETSI TS 102 223) kept as raw bytes; interpreting them is not this module's job.

use super::{
    Payload, RawBytes, empty_request, impl_indication, impl_request, parse_all, payload_table,
};
use crate::error::EncodeError;
use crate::uuid::STK;
use crate::wire::{self, PError, Writer, array, bytes, count_u32, take, u32le};

/// CID numbers (MBIM 1.0 Table 10-3).
pub mod cid {
    pub const PAC: u32 = 1;
    pub const TERMINAL_RESPONSE: u32 = 2;
    pub const ENVELOPE: u32 = 3;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "pac", "terminal-response", "envelope"];

/// Number of proactive-command types described by PacSupport (one byte each).
pub const PAC_SUPPORT_LEN: usize = 256;

crate::wire_enum! {
    /// MBIM_STK_PAC_PROFILE: how one proactive command type is handled
    /// (one byte per command type in MBIM_STK_PAC_INFO).
    pub struct StkPacProfile(u8) {
        NOT_HANDLED_BY_FUNCTION_HANDLED_BY_HOST = 0 => "not-handled-by-function-handled-by-host",
        NOT_HANDLED_BY_FUNCTION_MAY_BE_HANDLED_BY_HOST = 1 => "not-handled-by-function-may-be-handled-by-host",
        HANDLED_BY_FUNCTION_ONLY_TRANSPARENT_TO_HOST = 2 => "handled-by-function-only-transparent-to-host",
        HANDLED_BY_FUNCTION_NOTIFICATION_TO_HOST_POSSIBLE = 3 => "handled-by-function-notification-to-host-possible",
        HANDLED_BY_FUNCTION_NOTIFICATIONS_TO_HOST_ENABLED = 4 => "handled-by-function-notifications-to-host-enabled",
        HANDLED_BY_FUNCTION_CAN_BE_OVERRIDEN_BY_HOST = 5 => "handled-by-function-can-be-overriden-by-host",
        HANDLED_BY_HOST_FUNCTION_NOT_ABLE_TO_HANDLE = 6 => "handled-by-host-function-not-able-to-handle",
        HANDLED_BY_HOST_FUNCTION_ABLE_TO_HANDLE = 7 => "handled-by-host-function-able-to-handle",
    }
}

crate::wire_enum! {
    /// MBIM_STK_PAC_TYPE.
    pub struct StkPacType(u32) {
        PROACTIVE_COMMAND = 0 => "proactive-command",
        NOTIFICATION = 1 => "notification",
    }
}

// ---------------------------------------------------------------------------
// 1 PAC (§10.5.35)
// ---------------------------------------------------------------------------

/// MBIM_SET_STK_PAC: a 256-bit mask, bit n set = the host wants to handle
/// proactive command type n.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetStkPac {
    pub pac_host_control: [u8; 32],
}

impl Payload for SetStkPac {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, pac_host_control) = array::<32>("PacHostControl")(r)?;
            Ok((r, SetStkPac { pac_host_control }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.pac_host_control);
        Ok(())
    }
}

/// MBIM_STK_PAC_INFO: the handling profile of every proactive command type,
/// indexed by the command type (ETSI TS 102 223 §9.4). Boxed: 256 bytes
/// would bloat every payload enum that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StkPacInfo {
    #[cfg_attr(feature = "serde", serde(serialize_with = "serialize_profiles"))]
    pub pac_support: Box<[StkPacProfile; PAC_SUPPORT_LEN]>,
}

impl Default for StkPacInfo {
    fn default() -> Self {
        StkPacInfo {
            pac_support: Box::new([StkPacProfile::default(); PAC_SUPPORT_LEN]),
        }
    }
}

// serde implements arrays only up to 32 elements.
#[cfg(feature = "serde")]
fn serialize_profiles<S: serde::Serializer>(
    v: &[StkPacProfile; PAC_SUPPORT_LEN],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter())
}

// proptest implements arrays only up to 32 elements.
#[cfg(feature = "arbitrary")]
impl proptest::arbitrary::Arbitrary for StkPacInfo {
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<StkPacInfo>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        use proptest::prelude::*;
        proptest::collection::vec(any::<StkPacProfile>(), PAC_SUPPORT_LEN)
            .prop_map(|v| {
                let mut info = StkPacInfo::default();
                info.pac_support.copy_from_slice(&v);
                info
            })
            .boxed()
    }
}

impl Payload for StkPacInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, raw) = array::<PAC_SUPPORT_LEN>("PacSupport")(r)?;
            Ok((
                r,
                StkPacInfo {
                    pac_support: Box::new(raw.map(StkPacProfile)),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend(self.pac_support.iter().map(|p| p.0));
        Ok(())
    }
}

/// MBIM_STK_PAC (indication): a proactive command, or a notification of one
/// the function handled itself. `DataBuffer` runs to the end of the buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct StkPac {
    pub pac_type: StkPacType,
    pub data_buffer: RawBytes,
}

impl Payload for StkPac {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, pac_type) = u32le("PacType")(r)?;
            Ok((
                &r[r.len()..],
                StkPac {
                    pac_type: pac_type.into(),
                    data_buffer: RawBytes(r.to_vec()),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        // No padding: the buffer's length is the only length the data has.
        let mut w = Writer::new(out, 4);
        w.u32(self.pac_type.0);
        w.tail(&self.data_buffer.0);
        Ok(())
    }
}

empty_request!(
    /// STK PAC query.
    StkPacQuery, STK, cid::PAC, QUERY, StkPacInfo
);
impl_request!(SetStkPac, STK, cid::PAC, SET, StkPacInfo);
impl_indication!(StkPac, STK, cid::PAC);

// ---------------------------------------------------------------------------
// 2 TERMINAL_RESPONSE (§10.5.36)
// ---------------------------------------------------------------------------

/// MBIM_SET_STK_TERMINAL_RESPONSE: `ResponseLength` then the terminal
/// response inline (padded to 4 on the wire, as libmbim sends it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetStkTerminalResponse {
    pub response: RawBytes,
}

impl Payload for SetStkTerminalResponse {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, len) = u32le("ResponseLength")(r)?;
            // `take` checks the length against the bytes present before copying.
            let (r, response) = take("Response", len as usize)(r)?;
            Ok((
                r,
                SetStkTerminalResponse {
                    response: RawBytes(response.to_vec()),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 4);
        w.u32(count_u32("ResponseLength", self.response.0.len())?);
        w.tail(&self.response.0);
        wire::pad4(out);
        Ok(())
    }
}

/// MBIM_STK_TERMINAL_RESPONSE_INFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct StkTerminalResponseInfo {
    /// Response data from the UICC, if any.
    pub result_data: RawBytes,
    /// SW1 SW2 of the TERMINAL RESPONSE APDU.
    pub status_words: u32,
}

impl Payload for StkTerminalResponseInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, result_data) = bytes(s, "ResultData")(r)?;
            let (r, status_words) = u32le("StatusWords")(r)?;
            Ok((
                r,
                StkTerminalResponseInfo {
                    result_data: RawBytes(result_data),
                    status_words,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 12);
        w.bytes("ResultData", &self.result_data.0)?;
        w.u32(self.status_words);
        Ok(())
    }
}

impl_request!(
    SetStkTerminalResponse,
    STK,
    cid::TERMINAL_RESPONSE,
    SET,
    StkTerminalResponseInfo
);

// ---------------------------------------------------------------------------
// 3 ENVELOPE (§10.5.37)
// ---------------------------------------------------------------------------

/// MBIM_STK_ENVELOPE_INFO: a 256-bit mask of the envelope types (BER-TLV
/// tags) the function lets the host send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct StkEnvelopeInfo {
    pub envelope_support: [u8; 32],
}

impl Payload for StkEnvelopeInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, envelope_support) = array::<32>("EnvelopeSupport")(r)?;
            Ok((r, StkEnvelopeInfo { envelope_support }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.envelope_support);
        Ok(())
    }
}

/// MBIM_SET_STK_ENVELOPE: the envelope, filling the whole buffer.
///
/// Encoded without padding: the buffer length is the envelope's only length,
/// so padding would change the value. (libmbim pads it to 4; the extra zero
/// bytes then decode as part of the envelope.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetStkEnvelope {
    pub data_buffer: RawBytes,
}

impl Payload for SetStkEnvelope {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        Ok(SetStkEnvelope {
            data_buffer: RawBytes(s.to_vec()),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.data_buffer.0);
        Ok(())
    }
}

empty_request!(
    /// STK ENVELOPE query.
    StkEnvelopeQuery, STK, cid::ENVELOPE, QUERY, StkEnvelopeInfo
);
// The set's COMMAND_DONE carries no structure (MBIM 1.0 §10.5.37).
impl_request!(SetStkEnvelope, STK, cid::ENVELOPE, SET, super::Empty);

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

payload_table! {
    /// Every STK payload. The ENVELOPE response is the query's
    /// MBIM_STK_ENVELOPE_INFO (a set's empty response does not decode as it).
    pub enum Any {
        StkPacQuery(StkPacQuery) = [(1, Query)],
        SetStkPac(SetStkPac) = [(1, Set)],
        StkPacInfo(StkPacInfo) = [(1, Response)],
        StkPac(StkPac) = [(1, Indication)],
        SetStkTerminalResponse(SetStkTerminalResponse) = [(2, Set)],
        StkTerminalResponseInfo(StkTerminalResponseInfo) = [(2, Response)],
        StkEnvelopeQuery(StkEnvelopeQuery) = [(3, Query)],
        SetStkEnvelope(SetStkEnvelope) = [(3, Set)],
        StkEnvelopeInfo(StkEnvelopeInfo) = [(3, Response)],
    }
}
