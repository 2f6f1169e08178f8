//! Reads the USIM's EF_SPN and EF_GID1 over Microsoft UICC low-level access
//! READ_BINARY (windows-operator-formats.md §7.2; files per 3GPP TS 31.102
//! §4.2.12 and §4.2.10), for the APN lookup's MVNO matches.
//!
//! Both reads are best effort: an unsupported CID, a failed request or a
//! status word other than 90 00 gives `None` for that file, never an error.
//! It only reads; it never updates a file.

use crate::messaging::gsm7;
use crate::modem::ModemHandle;
use mbim_proto::services::ms_uicc_low_level_access::{UiccAccessBinary, cid};
use mbim_proto::uuid::MS_UICC_LOW_LEVEL_ACCESS;

/// File identifier of EF_SPN under ADF USIM (TS 31.102 §4.2.12).
pub const EF_SPN: u16 = 0x6F46;
/// File identifier of EF_GID1 under ADF USIM (TS 31.102 §4.2.10).
pub const EF_GID1: u16 = 0x6F3E;
/// The ADF of the selected USIM application, as a path element (TS 31.101 §8.4.2).
pub const ADF_USIM: u16 = 0x7FFF;

/// What the SIM's files say; either may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UiccFiles {
    /// EF_SPN's name, decoded (`None` when absent or empty).
    pub spn: Option<String>,
    /// EF_GID1 as upper-case hex, 0xFF padding kept (apn-db compares it as
    /// a prefix, case-insensitively).
    pub gid1: Option<String>,
}

/// The READ_BINARY file path of a USIM elementary file: ADF USIM then the
/// file id, big-endian (the way ModemManager addresses EF_AD, 7FFF/6FAD).
pub fn usim_path(file_id: u16) -> Vec<u8> {
    let mut p = ADF_USIM.to_be_bytes().to_vec();
    p.extend_from_slice(&file_id.to_be_bytes());
    p
}

/// The READ_BINARY query for a whole USIM transparent file.
pub fn read_binary_request(file_id: u16) -> UiccAccessBinary {
    UiccAccessBinary {
        version: 1,
        file_path: usim_path(file_id),
        ..UiccAccessBinary::default()
    }
}

/// Decode EF_SPN (TS 31.102 §4.2.12): byte 1 is the display condition, the
/// rest the name in the SIM alphabet of TS 31.102 Annex A / TS 11.11 Annex B
/// (unpacked GSM 7-bit default alphabet, or one of the three UCS-2 forms
/// 0x80 / 0x81 / 0x82), padded with 0xFF. `None` when the name is empty.
pub fn decode_spn(file: &[u8]) -> Option<String> {
    let name = file.get(1..)?;
    let text = decode_sim_alphabet(name);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The SIM alphabet of TS 11.11 Annex B (also TS 31.102 Annex A).
fn decode_sim_alphabet(b: &[u8]) -> String {
    match b.first() {
        Some(0x80) => {
            // UCS-2 big-endian, 0xFFFF padding.
            let units: Vec<u16> = b[1..]
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0xFFFF)
                .collect();
            String::from_utf16_lossy(&units)
        }
        Some(&form @ (0x81 | 0x82)) => {
            // Length, base (0x81: one byte = bits 15..8 of base >> 1;
            // 0x82: two bytes), then a byte per character: below 0x80 a
            // default-alphabet character, else base + low 7 bits.
            let (len, base, rest) = if form == 0x81 {
                match b {
                    [_, len, base, rest @ ..] => (*len, u32::from(*base) << 7, rest),
                    _ => return String::new(),
                }
            } else {
                match b {
                    [_, len, hi, lo, rest @ ..] => {
                        (*len, u32::from(u16::from_be_bytes([*hi, *lo])), rest)
                    }
                    _ => return String::new(),
                }
            };
            rest.iter()
                .take(usize::from(len))
                .map(|&c| {
                    if c < 0x80 {
                        gsm7::from_septets(&[c])
                    } else {
                        char::from_u32(base + u32::from(c & 0x7F))
                            .map(String::from)
                            .unwrap_or_default()
                    }
                })
                .collect()
        }
        _ => {
            let end = b.iter().position(|&c| c == 0xFF).unwrap_or(b.len());
            gsm7::from_septets(&b[..end])
        }
    }
}

/// Upper-case hex of EF_GID1; `None` when the file is empty or all 0xFF
/// (an unset GID1).
pub fn gid1_hex(file: &[u8]) -> Option<String> {
    if file.iter().all(|&b| b == 0xFF) {
        return None;
    }
    Some(file.iter().map(|b| format!("{b:02X}")).collect())
}

/// Read one transparent file; `None` on any failure or a non-90 00 status.
async fn read_file(h: &ModemHandle, file_id: u16) -> Option<Vec<u8>> {
    let r = h.request(&read_binary_request(file_id)).await.ok()?;
    (r.status_word1 == 0x90 && r.status_word2 == 0x00).then_some(r.data)
}

/// Read EF_SPN and EF_GID1 when the modem offers READ_BINARY; `None` when it
/// does not (the caller then falls back to what MBIM 1.0 gives).
pub async fn read_uicc_files(h: &ModemHandle) -> Option<UiccFiles> {
    if !h
        .state()
        .supports(&MS_UICC_LOW_LEVEL_ACCESS, cid::READ_BINARY)
    {
        return None;
    }
    let spn = read_file(h, EF_SPN).await.and_then(|f| decode_spn(&f));
    let gid1 = read_file(h, EF_GID1).await.and_then(|f| gid1_hex(&f));
    Some(UiccFiles { spn, gid1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(mut v: Vec<u8>, len: usize) -> Vec<u8> {
        v.resize(len, 0xFF);
        v
    }

    #[test]
    fn a_gsm_default_alphabet_spn_stops_at_the_ff_padding() {
        let f = padded([&[0x01][..], b"Tesco Mobile"].concat(), 17);
        assert_eq!(decode_spn(&f).as_deref(), Some("Tesco Mobile"));
    }

    #[test]
    fn gsm_default_alphabet_characters_are_mapped_not_taken_as_ascii() {
        // 0x00 is '@', 0x02 is '$', 0x11 is '_' in the default alphabet.
        let f = padded(vec![0x00, b'A', 0x00, 0x02, 0x11], 17);
        assert_eq!(decode_spn(&f).as_deref(), Some("A@$_"));
    }

    #[test]
    fn a_ucs2_spn_is_decoded_up_to_the_ffff_padding() {
        let mut f = vec![0x00, 0x80];
        for u in "Мегафон".encode_utf16() {
            f.extend_from_slice(&u.to_be_bytes());
        }
        let f = padded(f, 17);
        assert_eq!(decode_spn(&f).as_deref(), Some("Мегафон"));
    }

    #[test]
    fn the_0x81_ucs2_form_adds_the_base_to_high_bytes() {
        // Base 0x0400 (0x08 << 7); 0x9C → U+041C 'М', 0x41 → 'A'.
        let f = padded(vec![0x00, 0x81, 0x02, 0x08, 0x9C, 0x41], 17);
        assert_eq!(decode_spn(&f).as_deref(), Some("МA"));
    }

    #[test]
    fn the_0x82_ucs2_form_uses_a_two_byte_base() {
        let f = padded(vec![0x00, 0x82, 0x01, 0x04, 0x10, 0x9C], 17);
        assert_eq!(decode_spn(&f).as_deref(), Some("Ь"));
    }

    #[test]
    fn an_empty_or_all_padding_spn_is_none() {
        assert_eq!(decode_spn(&[0x00; 0]), None);
        assert_eq!(decode_spn(&[0x01]), None);
        assert_eq!(decode_spn(&padded(vec![0x00], 17)), None);
    }

    #[test]
    fn truncated_ucs2_forms_decode_without_panicking() {
        assert_eq!(decode_spn(&[0x00, 0x81, 0x05]), None);
        assert_eq!(decode_spn(&[0x00, 0x82, 0x05, 0x04]), None);
        assert_eq!(decode_spn(&[0x00, 0x80, 0x04]), None);
    }

    #[test]
    fn gid1_is_upper_hex_and_unset_gid1_is_none() {
        assert_eq!(gid1_hex(&[0xde, 0xad, 0xFF]).as_deref(), Some("DEADFF"));
        assert_eq!(gid1_hex(&[0xFF, 0xFF]), None);
        assert_eq!(gid1_hex(&[]), None);
    }

    #[test]
    fn the_path_is_adf_usim_then_the_file_id() {
        assert_eq!(usim_path(EF_SPN), vec![0x7F, 0xFF, 0x6F, 0x46]);
        assert_eq!(
            read_binary_request(EF_GID1).file_path,
            vec![0x7F, 0xFF, 0x6F, 0x3E]
        );
    }
}
