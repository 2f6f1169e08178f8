//! MBIMEx 3.0 TLVs ("unnamed information elements", `MBIM_TLV_IE`): the
//! variable part of the 3.0 payloads (CONNECT v3, MS Basic Connect Extensions
//! DEVICE_CAPS v3, REGISTRATION_PARAMETERS, WAKE_REASON…) is a run of them.
//!
//! Wire form (windows-operator-formats.md §7.3, libmbim `mbim-tlv.h`):
//! `Type u16, Reserved u8, PaddingLength u8, DataLength u32, Data[DataLength]`,
//! then `PaddingLength` zero bytes so the next TLV starts 4-aligned. TLVs sit
//! inline one after the other, not behind OL pairs.
//!
//! This module only frames TLVs and converts the few typed contents it knows
//! (WCHAR string, UINT16 table); it does not interpret NSSAI/LADN/URSP data.

use crate::error::{DecodeErrorKind, EncodeError};
use crate::wire::{self, PError, PResult, count_u32};

crate::wire_enum! {
    /// MBIM_TLV_TYPE (windows-operator-formats.md §7.3). Open: unknown types
    /// are kept as they are.
    pub struct TlvType(u16) {
        INVALID = 0 => "invalid",
        UE_POLICIES = 1 => "ue-policies",
        SINGLE_NSSAI = 2 => "single-nssai",
        ALLOWED_NSSAI = 3 => "allowed-nssai",
        CFG_NSSAI = 4 => "cfg-nssai",
        DFLT_CFG_NSSAI = 5 => "dflt-cfg-nssai",
        PRECFG_DFLT_CFG_NSSAI = 6 => "precfg-dflt-cfg-nssai",
        REJ_NSSAI = 7 => "rej-nssai",
        LADN = 8 => "ladn",
        TAI = 9 => "tai",
        WCHAR_STR = 10 => "wchar-str",
        UINT16_TBL = 11 => "uint16-tbl",
        EAP_PACKET = 12 => "eap-packet",
        PCO = 13 => "pco",
        ROUTE_SELECTION_DESCRIPTORS = 14 => "route-selection-descriptors",
        TRAFFIC_PARAMETERS = 15 => "traffic-parameters",
        WAKE_COMMAND = 16 => "wake-command",
        WAKE_PACKET = 17 => "wake-packet",
    }
}

/// Size of the TLV header (type, reserved, padding length, data length).
pub const HEADER_LEN: usize = 8;

/// One TLV. The padding is not stored: it is recomputed on encoding, so a TLV
/// that a device padded oddly decodes to the same value as a well-padded one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct Tlv {
    pub tlv_type: TlvType,
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_hex"))]
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub data: Vec<u8>,
}

#[cfg(feature = "serde")]
fn ser_hex<S: serde::Serializer>(d: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&crate::hex::Hex(d))
}

impl Tlv {
    /// A TLV of `tlv_type` holding `data`.
    pub fn new(tlv_type: TlvType, data: Vec<u8>) -> Tlv {
        Tlv { tlv_type, data }
    }

    /// A WCHAR_STR TLV holding `s` as UTF-16LE (no terminator).
    pub fn wchar_str(s: &str) -> Tlv {
        Tlv::new(TlvType::WCHAR_STR, utf16le(s))
    }

    /// A UINT16_TBL TLV holding `v` as little-endian u16s.
    pub fn uint16_tbl(v: &[u16]) -> Tlv {
        Tlv::new(
            TlvType::UINT16_TBL,
            v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        )
    }

    /// Number of padding bytes after the data.
    pub fn padding_len(&self) -> usize {
        (4 - self.data.len() % 4) % 4
    }

    /// Encoded size including header and padding.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.data.len() + self.padding_len()
    }

    /// Append the TLV (header, data, padding) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = count_u32("DataLength", self.data.len())?;
        let pad = self.padding_len();
        out.extend_from_slice(&self.tlv_type.0.to_le_bytes());
        out.push(0);
        // `pad` is at most 3 by construction.
        out.push(pad as u8);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&self.data);
        out.resize(out.len() + pad, 0);
        Ok(())
    }
}

/// UTF-16LE bytes of `s`.
pub(crate) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// Parse one TLV named `field` at the start of the input.
pub fn tlv<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Tlv> {
    move |i: &'a [u8]| {
        let (r, tlv_type) = wire::u16le(field)(i)?;
        let (r, _reserved) = wire::take(field, 1)(r)?;
        let (r, pad) = wire::take(field, 1)(r)?;
        let pad = pad[0];
        if pad > 3 {
            return Err(nom::Err::Error(PError::new(
                field,
                &i[3..],
                DecodeErrorKind::BadLength {
                    value: u64::from(pad),
                    limit: 3,
                },
            )));
        }
        let at_len = r;
        let (r, len) = wire::u32le(field)(r)?;
        if len as usize > r.len() {
            return Err(nom::Err::Error(PError::new(
                field,
                at_len,
                DecodeErrorKind::BadLength {
                    value: u64::from(len),
                    limit: r.len() as u64,
                },
            )));
        }
        let (r, data) = wire::take(field, len as usize)(r)?;
        let (r, _padding) = wire::take(field, pad as usize)(r)?;
        Ok((
            r,
            Tlv {
                tlv_type: TlvType(tlv_type),
                data: data.to_vec(),
            },
        ))
    }
}

/// Parse a TLV that must be of type `want`, returning its data.
pub fn tlv_of<'a>(field: &'static str, want: TlvType) -> impl Fn(&'a [u8]) -> PResult<'a, Vec<u8>> {
    move |i: &'a [u8]| {
        let (r, t) = tlv(field)(i)?;
        if t.tlv_type != want {
            return Err(nom::Err::Error(PError::new(
                field,
                i,
                DecodeErrorKind::BadValue {
                    value: u64::from(t.tlv_type.0),
                },
            )));
        }
        Ok((r, t.data))
    }
}

/// A WCHAR_STR TLV decoded to a string.
pub fn tlv_string<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, String> {
    move |i: &'a [u8]| {
        let (r, d) = tlv_of(field, TlvType::WCHAR_STR)(i)?;
        // Report a bad string at the TLV's data, past its 8-byte header.
        let s = wire::utf16_to_string(field, &d).map_err(|_| {
            nom::Err::Error(PError::new(
                field,
                &i[HEADER_LEN.min(i.len())..],
                DecodeErrorKind::InvalidUtf16,
            ))
        })?;
        Ok((r, s))
    }
}

/// A UINT16_TBL TLV decoded to its values.
pub fn tlv_u16s<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Vec<u16>> {
    move |i: &'a [u8]| {
        let (r, d) = tlv_of(field, TlvType::UINT16_TBL)(i)?;
        if d.len() % 2 != 0 {
            return Err(nom::Err::Error(PError::new(
                field,
                &i[HEADER_LEN.min(i.len())..],
                DecodeErrorKind::BadLength {
                    value: d.len() as u64,
                    limit: (d.len() - 1) as u64,
                },
            )));
        }
        Ok((
            r,
            d.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        ))
    }
}

/// Every TLV up to the end of the input (the "unnamed IEs" that end a 3.0
/// payload). Each TLV is at least 8 bytes, so the loop is bounded by the input.
pub fn tlv_list<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Vec<Tlv>> {
    move |i: &'a [u8]| {
        let mut out = Vec::new();
        let mut r = i;
        while !r.is_empty() {
            let (rest, t) = tlv(field)(r)?;
            out.push(t);
            r = rest;
        }
        Ok((r, out))
    }
}

/// Append every TLV of `list`.
pub fn encode_list(list: &[Tlv], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    list.iter().try_for_each(|t| t.encode(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{done, finish};

    #[test]
    fn wchar_string_tlv_is_padded_to_four_bytes() {
        let mut out = Vec::new();
        Tlv::wchar_str("u").encode(&mut out).unwrap();
        assert_eq!(out, [0x0a, 0, 0, 2, 2, 0, 0, 0, b'u', 0, 0, 0]);
        let (rest, s) = done(tlv_string("S")(&out)).unwrap();
        assert!(rest.is_empty());
        assert_eq!(s, "u");
    }

    #[test]
    fn data_length_past_the_buffer_is_a_bad_length_at_the_length_field() {
        let b = [0x0a, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x41, 0];
        let e = finish(&b, done(tlv("AccessString")(&b))).unwrap_err();
        assert_eq!((e.field, e.offset), ("AccessString", 4));
        assert!(matches!(e.kind, DecodeErrorKind::BadLength { .. }));
    }

    #[test]
    fn padding_length_above_three_is_rejected() {
        let b = [0x0d, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0];
        let e = finish(&b, done(tlv("Ie")(&b))).unwrap_err();
        assert_eq!(e.offset, 3);
    }

    #[test]
    fn wrong_type_where_a_string_is_expected_is_rejected() {
        let mut out = Vec::new();
        Tlv::uint16_tbl(&[1, 2]).encode(&mut out).unwrap();
        let e = finish(&out, done(tlv_string("AccessString")(&out))).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::BadValue { value: 11 });
    }

    #[test]
    fn list_runs_to_the_end_and_a_short_tail_is_truncation() {
        let mut out = Vec::new();
        Tlv::new(TlvType::PCO, vec![1, 2, 3])
            .encode(&mut out)
            .unwrap();
        Tlv::uint16_tbl(&[7]).encode(&mut out).unwrap();
        let (_, l) = done(tlv_list("UnnamedIes")(&out)).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].tlv_type, TlvType::UINT16_TBL);
        out.extend_from_slice(&[0, 0, 0, 0]);
        let e = finish(&out, done(tlv_list("UnnamedIes")(&out))).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::Truncated { .. }));
    }
}
