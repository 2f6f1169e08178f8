//! The simulated USSD service (MBIM 1.0 §10.5.29): requests are matched
//! against the scenario's `[[ussd]]` scripts and the network's reply comes
//! back in the SET response, in the request's data coding scheme. A script
//! with `more = true` keeps the session open for a CONTINUE.
//!
//! USSD strings are coded per 3GPP TS 23.038: the GSM 7-bit default
//! alphabet (packed, §6.1.2.3) or UCS-2; the small codec here covers the
//! default alphabet without its extension table (enough for menus and
//! balances). TODO(messaging): use the project's 3GPP text codec once the
//! SMS PDU work lands, and drop this one.

use super::modem::{Modem, Reply, invalid};
use mbim_proto::Status;
use mbim_proto::services::ussd::{
    SetUssd, UssdAction, UssdInfo, UssdResponse, UssdSessionState, cid,
};
use mbim_proto::services::{Payload, RawBytes};

/// USSD CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::USSD];

/// 3GPP TS 23.038 §6.2.1: the GSM 7-bit default alphabet, by septet value.
const GSM7: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1b}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    Gsm7,
    Eight,
    Ucs2,
}

/// The alphabet a cell-broadcast data coding scheme selects (TS 23.038 §5).
fn alphabet(dcs: u32) -> Alphabet {
    match dcs as u8 {
        0x11 => Alphabet::Ucs2,
        d if d & 0xc0 == 0x40 => match (d >> 2) & 3 {
            1 => Alphabet::Eight,
            2 => Alphabet::Ucs2,
            _ => Alphabet::Gsm7,
        },
        d if d & 0xf0 == 0xf0 && d & 0x04 != 0 => Alphabet::Eight,
        _ => Alphabet::Gsm7,
    }
}

/// Unpack GSM 7-bit septets (TS 23.038 §6.1.2.3.1) and map them to text.
pub(crate) fn gsm7_unpack(octets: &[u8]) -> String {
    let n = octets.len() * 8 / 7;
    let mut out = String::with_capacity(n);
    for i in 0..n {
        let bit = i * 7;
        let (byte, shift) = (bit / 8, bit % 8);
        let lo = u16::from(octets[byte]);
        let hi = octets.get(byte + 1).map_or(0, |b| u16::from(*b));
        let septet = (((hi << 8) | lo) >> shift) & 0x7f;
        out.push(GSM7[septet as usize]);
    }
    // §6.1.2.3.1: seven spare bits at the end are filled with CR.
    if (octets.len() * 8).is_multiple_of(7) && out.ends_with('\r') {
        out.pop();
    }
    out
}

/// Map text to septets ('?' for characters outside the default alphabet) and pack them.
pub(crate) fn gsm7_pack(text: &str) -> Vec<u8> {
    let mut septets: Vec<u8> = text
        .chars()
        .map(|c| GSM7.iter().position(|g| *g == c).unwrap_or(0x3f) as u8)
        .collect();
    if septets.len() % 8 == 7 {
        septets.push(0x0d);
    }
    let mut out = vec![0u8; (septets.len() * 7).div_ceil(8)];
    for (i, s) in septets.iter().enumerate() {
        let bit = i * 7;
        let (byte, shift) = (bit / 8, bit % 8);
        let v = u16::from(*s) << shift;
        out[byte] |= v as u8;
        if let Some(next) = out.get_mut(byte + 1) {
            *next |= (v >> 8) as u8;
        }
    }
    out
}

fn decode_text(dcs: u32, payload: &[u8]) -> Option<String> {
    match alphabet(dcs) {
        Alphabet::Gsm7 => Some(gsm7_unpack(payload)),
        Alphabet::Eight => String::from_utf8(payload.to_vec()).ok(),
        Alphabet::Ucs2 => {
            let units: Vec<u16> = payload
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
    }
}

fn encode_text(dcs: u32, text: &str) -> Vec<u8> {
    match alphabet(dcs) {
        Alphabet::Gsm7 => gsm7_pack(text),
        Alphabet::Eight => text.as_bytes().to_vec(),
        Alphabet::Ucs2 => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    }
}

impl Modem {
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
            ussd_payload: RawBytes(encode_text(dcs, text)),
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
    fn gsm7_packs_like_the_spec_example() {
        // TS 23.038 style: "*100#" packs to AA 18 0C 36 02.
        assert_eq!(gsm7_pack("*100#"), [0xaa, 0x18, 0x0c, 0x36, 0x02]);
        assert_eq!(gsm7_unpack(&[0xaa, 0x18, 0x0c, 0x36, 0x02]), "*100#");
    }

    #[test]
    fn seven_septets_get_a_cr_pad_that_unpacking_drops() {
        let packed = gsm7_pack("1234567");
        assert_eq!(packed.len(), 7);
        assert_eq!(gsm7_unpack(&packed), "1234567");
        let text = "Balance: 5.00 EUR, valid until 31/12 @home";
        assert_eq!(gsm7_unpack(&gsm7_pack(text)), text);
    }

    #[test]
    fn picks_alphabet_from_dcs() {
        assert_eq!(alphabet(0x0f), Alphabet::Gsm7);
        assert_eq!(alphabet(0x48), Alphabet::Ucs2);
        assert_eq!(alphabet(0x44), Alphabet::Eight);
        assert_eq!(
            decode_text(0x48, &encode_text(0x48, "Grüße €")).unwrap(),
            "Grüße €"
        );
    }
}
