//! GSM 7-bit default alphabet and its extension table (TS 23.038 §6.2.1,
//! §6.2.1.1), and septet packing (TS 23.038 §6.1.2.1.1).
//!
//! This module maps characters to septets and packs septets into octets; it
//! knows nothing of PDUs, lengths or headers (the caller passes the bit offset
//! at which packing starts, which is how UDH fill bits are expressed). National
//! language shift tables (TS 23.038 §6.2.1.2.4) are not implemented.

use super::error::EncodeError;

/// The escape septet that selects the extension table for the next septet.
pub const ESCAPE: u8 = 0x1B;

/// Default alphabet, indexed by septet. 0x1B is the escape and decodes to a
/// space when it is not followed by anything (TS 23.038 §6.2.1.1 note 1).
const DEFAULT: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ' ', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// Extension table entries (septet after the escape, character).
const EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{0C}'), // page break (form feed)
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// Septets encoding one character: one from the default table, or the
/// escape plus one from the extension table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Septets {
    /// A default-table character.
    One(u8),
    /// An extension-table character (`ESCAPE`, then this septet).
    Escaped(u8),
}

impl Septets {
    /// How many septets the character takes (1 or 2).
    pub fn len(self) -> usize {
        match self {
            Septets::One(_) => 1,
            Septets::Escaped(_) => 2,
        }
    }

    /// Always false: a character takes at least one septet.
    pub fn is_empty(self) -> bool {
        false
    }
}

/// The septet(s) for `ch`, or `None` if the default alphabet cannot carry it.
pub fn char_septets(ch: char) -> Option<Septets> {
    // The escape slot (0x1B) decodes to a space but must never be produced
    // for one: the real space is 0x20.
    if let Some(i) = DEFAULT
        .iter()
        .enumerate()
        .position(|(i, &c)| c == ch && i != usize::from(ESCAPE))
    {
        return u8::try_from(i).ok().map(Septets::One);
    }
    EXTENSION
        .iter()
        .find(|&&(_, c)| c == ch)
        .map(|&(s, _)| Septets::Escaped(s))
}

/// Whether every character of `text` is in the default alphabet or its
/// extension table.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| char_septets(c).is_some())
}

/// Number of septets `text` takes, or `None` if it is not GSM 7-bit.
pub fn septet_len(text: &str) -> Option<usize> {
    text.chars()
        .map(|c| char_septets(c).map(Septets::len))
        .sum()
}

/// Encode `text` to unpacked septets (escape sequences included).
pub fn to_septets(text: &str, field: &'static str) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(text.len());
    for ch in text.chars() {
        match char_septets(ch).ok_or(EncodeError::NotGsm7 { field, ch })? {
            Septets::One(s) => out.push(s),
            Septets::Escaped(s) => {
                out.push(ESCAPE);
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// Decode unpacked septets to text (only the low 7 bits of each are used).
///
/// An escape followed by a septet missing from the extension table shows the
/// default-table character, as TS 23.038 §6.2.1.1 asks of a receiver; a
/// trailing escape shows as a space.
pub fn from_septets(septets: &[u8]) -> String {
    let mut out = String::with_capacity(septets.len());
    let mut it = septets.iter().map(|s| s & 0x7F);
    while let Some(s) = it.next() {
        if s == ESCAPE {
            match it.next() {
                Some(e) => {
                    let ch = EXTENSION
                        .iter()
                        .find(|&&(x, _)| x == e)
                        .map(|&(_, c)| c)
                        .unwrap_or(DEFAULT[usize::from(e)]);
                    out.push(ch);
                }
                None => out.push(' '),
            }
        } else {
            out.push(DEFAULT[usize::from(s)]);
        }
    }
    out
}

/// Pack septets into octets, LSB first, the first septet starting at bit
/// `start_bit` of the output (the bits before it are zero). `start_bit` is
/// how the fill bits after a user data header are expressed
/// (TS 23.040 §9.2.3.24): the caller overwrites the leading octets.
pub fn pack(septets: &[u8], start_bit: usize) -> Vec<u8> {
    let total_bits = start_bit + septets.len() * 7;
    let mut out = vec![0u8; total_bits.div_ceil(8)];
    for (i, &s) in septets.iter().enumerate() {
        let bit = start_bit + i * 7;
        let (byte, shift) = (bit / 8, bit % 8);
        let v = u16::from(s & 0x7F) << shift;
        if let Some(b) = out.get_mut(byte) {
            *b |= (v & 0xFF) as u8;
        }
        if let Some(b) = out.get_mut(byte + 1) {
            *b |= (v >> 8) as u8;
        }
    }
    out
}

/// Unpack `count` septets starting at bit `start_bit` of `octets`. Septets
/// that would run past the end are not returned, so the result may be short;
/// callers check lengths first to report the field.
pub fn unpack(octets: &[u8], start_bit: usize, count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let bit = start_bit + i * 7;
        let (byte, shift) = (bit / 8, bit % 8);
        let Some(&lo) = octets.get(byte) else { break };
        let hi = octets.get(byte + 1).copied().unwrap_or(0);
        if shift > 1 && octets.get(byte + 1).is_none() {
            break;
        }
        let v = (u16::from(hi) << 8 | u16::from(lo)) >> shift;
        out.push((v & 0x7F) as u8);
    }
    out
}

/// Pack `text` as GSM 7-bit from bit 0.
pub fn pack_text(text: &str, field: &'static str) -> Result<Vec<u8>, EncodeError> {
    Ok(pack(&to_septets(text, field)?, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_character_round_trips_through_its_septet() {
        for (i, &c) in DEFAULT.iter().enumerate() {
            if i == usize::from(ESCAPE) {
                continue;
            }
            assert_eq!(char_septets(c), Some(Septets::One(i as u8)), "{c:?}");
        }
    }

    #[test]
    fn unpack_stops_at_the_end_of_the_octets() {
        // 1 octet holds one full septet and one bit of the next.
        assert_eq!(unpack(&[0x41], 0, 2), vec![0x41]);
    }
}
