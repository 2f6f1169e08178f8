//! USSD strings (TS 23.038 §5 coding, §6.1.2.3 packing; TS 24.080 carries
//! them): GSM 7-bit packed with the CR padding rule, or UCS-2, chosen by the
//! Cell Broadcast data coding scheme.
//!
//! Text <-> octets only; USSD sessions (initiate/respond/cancel, network
//! requests) live with the modem actor.

use super::dcs::{Alphabet, CbsDataCodingScheme};
use super::error::{EncodeError, PduError};
use super::{gsm7, ucs2};

/// Longest USSD string in octets (TS 24.080 `maxUSSD-StringLength`).
pub const MAX_USSD_OCTETS: usize = 160;

/// An encoded USSD string with its coding scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UssdString {
    /// The coding scheme to send along.
    pub data_coding_scheme: CbsDataCodingScheme,
    /// The octets.
    pub data: Vec<u8>,
}

/// Pack text as GSM 7-bit for USSD (TS 23.038 §6.1.2.3.1): when 7 spare bits
/// would remain in the last octet they are filled with a CR (so they cannot
/// read as `@`), and a text that itself ends in CR on an octet boundary gets
/// a second CR.
pub fn pack_gsm7(text: &str) -> Result<Vec<u8>, EncodeError> {
    let mut septets = gsm7::to_septets(text, "USSD string")?;
    let n = septets.len();
    if n % 8 == 7 || (n.is_multiple_of(8) && n > 0 && septets.last() == Some(&0x0D)) {
        septets.push(0x0D);
    }
    Ok(gsm7::pack(&septets, 0))
}

/// Unpack GSM 7-bit USSD octets: every whole septet, minus a final CR that
/// ends exactly on an octet boundary (the padding of [`pack_gsm7`]).
pub fn unpack_gsm7(octets: &[u8]) -> String {
    let count = octets.len() * 8 / 7;
    let mut septets = gsm7::unpack(octets, 0, count);
    if count.is_multiple_of(8) && septets.last() == Some(&0x0D) {
        septets.pop();
    }
    gsm7::from_septets(&septets)
}

/// Encode `text` for sending: GSM 7-bit (DCS 0x0F) if every character
/// fits, else UCS-2 (DCS 0x48).
pub fn encode(text: &str) -> Result<UssdString, EncodeError> {
    let (data_coding_scheme, data) = if gsm7::is_gsm7(text) {
        (CbsDataCodingScheme::GSM7, pack_gsm7(text)?)
    } else {
        (CbsDataCodingScheme::UCS2, ucs2::encode(text))
    };
    if data.len() > MAX_USSD_OCTETS {
        return Err(EncodeError::TooLong {
            field: "USSD string",
            len: data.len(),
            max: MAX_USSD_OCTETS,
            unit: "octets",
        });
    }
    Ok(UssdString {
        data_coding_scheme,
        data,
    })
}

/// Decode a USSD string per its coding scheme. A language indication
/// (DCS 0x10/0x11) is dropped from the text. 8-bit and compressed strings
/// have no text and are refused, naming the DCS.
pub fn decode(dcs: CbsDataCodingScheme, data: &[u8]) -> Result<String, PduError> {
    if data.len() > MAX_USSD_OCTETS {
        return Err(PduError::Invalid {
            field: "USSD string",
            offset: 0,
            value: data.len() as u32,
            reason: "longer than 160 octets",
        });
    }
    if dcs.compressed() {
        return Err(PduError::Invalid {
            field: "USSD DCS",
            offset: 0,
            value: u32::from(dcs.0),
            reason: "compressed USSD is not supported",
        });
    }
    match (dcs.alphabet(), dcs.language_prefixed()) {
        (Alphabet::Gsm7, false) => Ok(unpack_gsm7(data)),
        (Alphabet::Gsm7, true) => {
            // "xx" then CR, then the text (TS 23.038 §5, 0001 0000).
            let text = unpack_gsm7(data);
            Ok(text.chars().skip(3).collect())
        }
        (Alphabet::Ucs2, false) => Ok(ucs2::decode(data)),
        (Alphabet::Ucs2, true) => {
            // Two GSM 7-bit characters packed in the first two octets.
            Ok(ucs2::decode(data.get(2..).unwrap_or_default()))
        }
        (Alphabet::EightBit, _) => Err(PduError::Invalid {
            field: "USSD DCS",
            offset: 0,
            value: u32::from(dcs.0),
            reason: "8-bit USSD data has no text",
        }),
    }
}
