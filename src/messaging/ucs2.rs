//! The UCS-2 alphabet of TS 23.038 §6.2.3, read as UTF-16 big-endian so that
//! characters outside the BMP (emoji) travel as surrogate pairs, as phones do.
//!
//! Pure text <-> octets conversion; no lengths or headers here.

/// Encode `text` as UTF-16BE (two octets per unit, four per surrogate pair).
pub fn encode(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Number of UTF-16 code units `text` takes.
pub fn unit_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Decode UTF-16BE octets. A lone surrogate (e.g. a pair cut between two
/// parts of a concatenated message by the sender) becomes U+FFFD rather than
/// an error: the text is the user's, the PDU is still well formed. An odd
/// final octet is half a character and is dropped (keeping it as U+FFFD
/// would make the text longer than its PDU allows).
pub fn decode(octets: &[u8]) -> String {
    let units = octets
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_travels_as_a_surrogate_pair() {
        assert_eq!(encode("😀"), vec![0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(unit_len("a😀"), 3);
        assert_eq!(decode(&[0xD8, 0x3D, 0xDE, 0x00]), "😀");
    }

    #[test]
    fn a_lone_surrogate_becomes_a_replacement_character() {
        // The high half of a pair whose low half went to the next part.
        assert_eq!(decode(&[0x00, 0x41, 0xD8, 0x3D]), "A\u{FFFD}");
    }

    #[test]
    fn an_odd_final_octet_is_dropped() {
        assert_eq!(decode(&[0x00, 0x41, 0x00]), "A");
    }
}
