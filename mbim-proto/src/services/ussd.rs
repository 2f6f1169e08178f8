//! USSD service (`e550a0c8-5e82-479e-82f7-10abf4c3351f`), MBIM 1.0 §10.5.30:
//! starting, continuing and cancelling USSD sessions.
//!
//! The payload is kept as the raw bytes in the coding scheme the network uses
//! (3GPP TS 23.038); packing and unpacking text is not this module's job.

use super::{Payload, RawBytes, impl_indication, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::uuid::USSD;
use crate::wire::{PError, Writer, bytes, u32le};

/// CID numbers (MBIM 1.0 Table 10-3).
pub mod cid {
    pub const USSD: u32 = 1;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "ussd"];

/// Largest USSD payload in bytes (MBIM 1.0 §10.5.30; Windows `USSD string 160`).
pub const MAX_USSD_PAYLOAD: usize = 160;

crate::wire_enum! {
    /// MBIM_USSD_ACTION.
    pub struct UssdAction(u32) {
        INITIATE = 0 => "initiate",
        CONTINUE = 1 => "continue",
        CANCEL = 2 => "cancel",
    }
}

crate::wire_enum! {
    /// MBIM_USSD_RESPONSE.
    pub struct UssdResponse(u32) {
        NO_ACTION_REQUIRED = 0 => "no-action-required",
        ACTION_REQUIRED = 1 => "action-required",
        TERMINATED_BY_NETWORK = 2 => "terminated-by-network",
        OTHER_LOCAL_CLIENT = 3 => "other-local-client",
        OPERATION_NOT_SUPPORTED = 4 => "operation-not-supported",
        NETWORK_TIMEOUT = 5 => "network-timeout",
    }
}

crate::wire_enum! {
    /// MBIM_USSD_SESSION_STATE.
    pub struct UssdSessionState(u32) {
        NEW_SESSION = 0 => "new-session",
        EXISTING_SESSION = 1 => "existing-session",
    }
}

fn check_payload(p: &RawBytes) -> Result<(), EncodeError> {
    if p.0.len() > MAX_USSD_PAYLOAD {
        return Err(EncodeError::StringTooLong {
            field: "USSDPayload",
            len: p.0.len(),
            max: MAX_USSD_PAYLOAD,
        });
    }
    Ok(())
}

/// MBIM_SET_USSD.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SetUssd {
    pub ussd_action: UssdAction,
    /// Cell-broadcast data coding scheme (3GPP TS 23.038 §5).
    pub ussd_data_coding_scheme: u32,
    /// At most [`MAX_USSD_PAYLOAD`] bytes.
    pub ussd_payload: RawBytes,
}

impl Payload for SetUssd {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, ussd_action) = u32le("USSDAction")(r)?;
            let (r, ussd_data_coding_scheme) = u32le("USSDDataCodingScheme")(r)?;
            let (r, ussd_payload) = bytes(s, "USSDPayload")(r)?;
            Ok((
                r,
                SetUssd {
                    ussd_action: ussd_action.into(),
                    ussd_data_coding_scheme,
                    ussd_payload: RawBytes(ussd_payload),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_payload(&self.ussd_payload)?;
        let mut w = Writer::new(out, 16);
        w.u32(self.ussd_action.0);
        w.u32(self.ussd_data_coding_scheme);
        w.bytes("USSDPayload", &self.ussd_payload.0)
    }
}

/// MBIM_USSD_INFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct UssdInfo {
    pub ussd_response: UssdResponse,
    pub ussd_session_state: UssdSessionState,
    pub ussd_data_coding_scheme: u32,
    pub ussd_payload: RawBytes,
}

impl Payload for UssdInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, ussd_response) = u32le("USSDResponse")(r)?;
            let (r, ussd_session_state) = u32le("USSDSessionState")(r)?;
            let (r, ussd_data_coding_scheme) = u32le("USSDDataCodingScheme")(r)?;
            let (r, ussd_payload) = bytes(s, "USSDPayload")(r)?;
            Ok((
                r,
                UssdInfo {
                    ussd_response: ussd_response.into(),
                    ussd_session_state: ussd_session_state.into(),
                    ussd_data_coding_scheme,
                    ussd_payload: RawBytes(ussd_payload),
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_payload(&self.ussd_payload)?;
        let mut w = Writer::new(out, 20);
        w.u32(self.ussd_response.0);
        w.u32(self.ussd_session_state.0);
        w.u32(self.ussd_data_coding_scheme);
        w.bytes("USSDPayload", &self.ussd_payload.0)
    }
}

impl_request!(SetUssd, USSD, cid::USSD, SET, UssdInfo);
impl_indication!(UssdInfo, USSD, cid::USSD);

payload_table! {
    /// Every USSD payload.
    pub enum Any {
        SetUssd(SetUssd) = [(1, Set)],
        UssdInfo(UssdInfo) = [(1, Response), (1, Indication)],
    }
}
