//! USSD over MBIM (USSD service, modemmanager-api.md §8.2): requests go out
//! GSM 7-bit packed with DCS 0x0F (TS 23.038 §5, "language unspecified"),
//! replies are decoded from GSM 7-bit or UCS-2. Only the characters the GSM
//! default alphabet shares with ASCII are handled here; the full codec lives
//! with the SMS PDU work.

use super::errors::from_operation;
use super::modem::ModemCtx;
use dbus_interfaces::MmError;
use dbus_interfaces::enums::UssdSessionState;
use mbim_proto::services::ussd::{UssdAction, UssdResponse};
use std::sync::Arc;

/// DCS: GSM 7-bit, language unspecified.
const DCS_GSM7: u32 = 0x0F;

fn gsm7_code(c: char) -> Option<u8> {
    match c {
        'A'..='Z'
        | 'a'..='z'
        | '0'..='9'
        | ' '
        | '!'
        | '"'
        | '#'
        | '%'
        | '&'
        | '\''
        | '('
        | ')'
        | '*'
        | '+'
        | ','
        | '-'
        | '.'
        | '/'
        | ':'
        | ';'
        | '<'
        | '='
        | '>'
        | '?' => Some(c as u8),
        '@' => Some(0),
        '\n' => Some(0x0A),
        '\r' => Some(0x0D),
        _ => None,
    }
}

fn gsm7_char(b: u8) -> char {
    match b {
        0 => '@',
        0x0A => '\n',
        0x0D => '\r',
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => b as char,
        b' ' | b'!' | b'"' | b'#' | b'%' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b','
        | b'-' | b'.' | b'/' | b':' | b';' | b'<' | b'=' | b'>' | b'?' => b as char,
        _ => '?',
    }
}

/// Pack septets (TS 23.038 §6.1.2.1).
pub fn pack7(text: &str) -> Result<Vec<u8>, MmError> {
    let mut septets = Vec::new();
    for c in text.chars() {
        septets.push(gsm7_code(c).ok_or_else(|| {
            MmError::InvalidArgs(format!("'{c}' cannot be sent in a GSM 7-bit USSD string"))
        })?);
    }
    let mut out = Vec::with_capacity(septets.len() * 7 / 8 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for s in septets {
        acc |= u32::from(s) << bits;
        bits += 7;
        while bits >= 8 {
            out.push((acc & 0xFF) as u8);
            acc >>= 8;
            bits -= 8;
        }
    }
    if bits > 0 {
        out.push((acc & 0xFF) as u8);
    }
    Ok(out)
}

/// Unpack septets; a trailing CR padding septet is dropped.
pub fn unpack7(data: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    let total = data.len() * 8 / 7;
    let mut n = 0;
    for &b in data {
        acc |= u32::from(b) << bits;
        bits += 8;
        while bits >= 7 && n < total {
            out.push(gsm7_char((acc & 0x7F) as u8));
            acc >>= 7;
            bits -= 7;
            n += 1;
        }
    }
    if out.ends_with('\r') && data.len().is_multiple_of(7) {
        out.pop();
    }
    out
}

fn decode(dcs: u32, payload: &[u8]) -> String {
    // DCS group 0100/01xx bits 3..2 = 10 means UCS-2 (TS 23.038 §5).
    if dcs == 0x48 || (dcs & 0xF0 == 0x40 && dcs & 0x0C == 0x08) || dcs == 0x11 {
        let units: Vec<u16> = payload
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    unpack7(payload)
}

async fn exchange(ctx: &Arc<ModemCtx>, action: UssdAction, text: &str) -> Result<String, MmError> {
    let payload = if text.is_empty() {
        Vec::new()
    } else {
        pack7(text)?
    };
    {
        let mut b = ctx.book();
        b.ussd.state = UssdSessionState::Active.value();
    }
    ctx.sync().await;
    let r = crate::modem::ops::ussd::ussd(&ctx.handle, action, DCS_GSM7, payload).await;
    let out = match r {
        Ok(info) => {
            let reply = decode(info.ussd_data_coding_scheme, &info.ussd_payload.0);
            let more = info.ussd_response == UssdResponse::ACTION_REQUIRED;
            let mut b = ctx.book();
            if more {
                b.ussd.state = UssdSessionState::UserResponse.value();
                b.ussd.network_request = reply.clone();
            } else {
                b.ussd.state = UssdSessionState::Idle.value();
                b.ussd.network_request.clear();
            }
            Ok(reply)
        }
        Err(e) => {
            ctx.book().ussd.state = UssdSessionState::Idle.value();
            Err(from_operation(&e))
        }
    };
    ctx.sync().await;
    out
}

/// `Ussd.Initiate`.
pub async fn initiate(ctx: &Arc<ModemCtx>, command: &str) -> Result<String, MmError> {
    if ctx.book().ussd.state != UssdSessionState::Idle.value() {
        return Err(MmError::WrongState(
            "a USSD session is already active".into(),
        ));
    }
    exchange(ctx, UssdAction::INITIATE, command).await
}

/// `Ussd.Respond`.
pub async fn respond(ctx: &Arc<ModemCtx>, response: &str) -> Result<String, MmError> {
    if ctx.book().ussd.state != UssdSessionState::UserResponse.value() {
        return Err(MmError::WrongState(
            "no USSD session waits for a response".into(),
        ));
    }
    exchange(ctx, UssdAction::CONTINUE, response).await
}

/// `Ussd.Cancel`.
pub async fn cancel(ctx: &Arc<ModemCtx>) -> Result<(), MmError> {
    let r =
        crate::modem::ops::ussd::ussd(&ctx.handle, UssdAction::CANCEL, DCS_GSM7, Vec::new()).await;
    {
        let mut b = ctx.book();
        b.ussd.state = UssdSessionState::Idle.value();
        b.ussd.network_request.clear();
    }
    ctx.sync().await;
    r.map(|_| ()).map_err(|e| from_operation(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_packing_matches_the_spec_example_and_round_trips() {
        // "*100#" packs to AA 18 0C 36 02 (TS 23.038 packing of 5 septets).
        assert_eq!(pack7("*100#").unwrap(), vec![0xAA, 0x18, 0x0C, 0x36, 0x02]);
        assert_eq!(unpack7(&pack7("Balance: 10.00").unwrap()), "Balance: 10.00");
        assert!(pack7("€").is_err());
    }
}
