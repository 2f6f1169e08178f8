//! The simulated USSD service (MBIM 1.0 §10.5.29): requests are matched
//! against the scenario's `[[ussd]]` scripts and the network's reply comes
//! back in the SET response, in the request's data coding scheme. A script
//! with `more = true` keeps the session open for a CONTINUE. A `ussd`
//! event sends a network-initiated notification or request as an
//! indication, a `ussd-end` event ends the session from the network side.
//!
//! USSD strings are coded per 3GPP TS 23.038 with the project's codec
//! (`crate::messaging::ussd`): 8-bit requests are taken as bytes of text.

use super::modem::{Modem, Reply, invalid};
use crate::messaging::ussd as coding;
use crate::messaging::{Alphabet, CbsDataCodingScheme, ucs2};
use mbim_proto::Status;
use mbim_proto::services::ussd::{
    SetUssd, UssdAction, UssdInfo, UssdResponse, UssdSessionState, cid,
};
use mbim_proto::services::{Payload, RawBytes};
use mbim_proto::uuid::USSD;

/// USSD CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::USSD];

fn decode_text(dcs: u32, payload: &[u8]) -> Option<String> {
    let dcs = CbsDataCodingScheme(u8::try_from(dcs).ok()?);
    match dcs.alphabet() {
        Alphabet::EightBit => String::from_utf8(payload.to_vec()).ok(),
        _ => coding::decode(dcs, payload).ok(),
    }
}

/// The reply in the request's alphabet (characters outside GSM 7-bit make a
/// GSM 7-bit reply fail, as the network would have chosen UCS-2 instead).
fn encode_text(dcs: u32, text: &str) -> Option<Vec<u8>> {
    let dcs = CbsDataCodingScheme(u8::try_from(dcs).ok()?);
    match dcs.alphabet() {
        Alphabet::Gsm7 => coding::pack_gsm7(text).ok(),
        Alphabet::EightBit => Some(text.as_bytes().to_vec()),
        Alphabet::Ucs2 => Some(ucs2::encode(text)),
    }
}

impl Modem {
    /// The network sends `text` (TS 23.038: GSM 7-bit when it fits, else
    /// UCS-2): a notification, or a request that opens a session for the
    /// host's CONTINUE.
    pub(super) fn ussd_from_network(&mut self, text: &str, request: bool) {
        let (dcs, payload) = match coding::encode(text) {
            Ok(u) => (u32::from(u.data_coding_scheme.0), u.data),
            Err(_) => (0x48, ucs2::encode(text)),
        };
        self.ussd_session = request;
        let info = UssdInfo {
            ussd_response: if request {
                UssdResponse::ACTION_REQUIRED
            } else {
                UssdResponse::NO_ACTION_REQUIRED
            },
            ussd_session_state: UssdSessionState::NEW_SESSION,
            ussd_data_coding_scheme: dcs,
            ussd_payload: RawBytes(payload),
        };
        self.notify_on(USSD, cid::USSD, &info);
    }

    /// The network ends the session.
    pub(super) fn ussd_ended_by_network(&mut self) {
        self.ussd_session = false;
        let info = UssdInfo {
            ussd_response: UssdResponse::TERMINATED_BY_NETWORK,
            ussd_session_state: UssdSessionState::EXISTING_SESSION,
            ussd_data_coding_scheme: u32::from(CbsDataCodingScheme::GSM7.0),
            ussd_payload: RawBytes(Vec::new()),
        };
        self.notify_on(USSD, cid::USSD, &info);
    }

    pub(super) fn ussd(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        if c != cid::USSD || !set {
            return Reply::status(Status::NO_DEVICE_SUPPORT);
        }
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        if !self.is_registered() {
            return Reply::status(Status::NOT_REGISTERED);
        }
        let Ok(req) = SetUssd::decode(buf) else {
            return invalid();
        };
        let dcs = req.ussd_data_coding_scheme;
        let info = |response, state, text: &str| UssdInfo {
            ussd_response: response,
            ussd_session_state: state,
            ussd_data_coding_scheme: dcs,
            ussd_payload: RawBytes(encode_text(dcs, text).unwrap_or_default()),
        };
        let state = match req.ussd_action {
            UssdAction::CANCEL => {
                self.ussd_session = false;
                return Reply::ok(&info(
                    UssdResponse::NO_ACTION_REQUIRED,
                    UssdSessionState::EXISTING_SESSION,
                    "",
                ));
            }
            UssdAction::CONTINUE if !self.ussd_session => {
                return Reply::status(Status::OPERATION_NOT_ALLOWED);
            }
            UssdAction::CONTINUE => UssdSessionState::EXISTING_SESSION,
            UssdAction::INITIATE => UssdSessionState::NEW_SESSION,
            _ => return invalid(),
        };
        let Some(text) = decode_text(dcs, &req.ussd_payload.0) else {
            return invalid();
        };
        let script = self
            .scenario
            .ussd
            .iter()
            .find(|s| s.request.trim() == text.trim())
            .cloned();
        match script {
            None => {
                self.ussd_session = false;
                Reply::ok(&info(UssdResponse::OPERATION_NOT_SUPPORTED, state, ""))
            }
            Some(s) => {
                self.ussd_session = s.more;
                let response = if s.more {
                    UssdResponse::ACTION_REQUIRED
                } else {
                    UssdResponse::NO_ACTION_REQUIRED
                };
                Reply::ok(&info(response, state, &s.reply))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_in_the_request_alphabet() {
        assert_eq!(
            encode_text(0x0f, "*100#").unwrap(),
            [0xaa, 0x18, 0x0c, 0x36, 0x02]
        );
        assert_eq!(
            decode_text(0x0f, &[0xaa, 0x18, 0x0c, 0x36, 0x02]).unwrap(),
            "*100#"
        );
        let t = "Grüße €";
        assert_eq!(
            decode_text(0x48, &encode_text(0x48, t).unwrap()).unwrap(),
            t
        );
        assert_eq!(decode_text(0x44, b"abc").unwrap(), "abc");
        assert!(decode_text(0x1ff, b"x").is_none());
    }
}
