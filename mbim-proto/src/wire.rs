//! Wire primitives shared by every message and payload: little-endian integers,
//! UUIDs, offset/size (OL) pairs, UTF-16LE strings with 4-byte padding, OL-pair
//! lists and IP addresses — each with a bounds-checked nom parser and an encoder.
//!
//! Rules (MBIM 1.0 §10.3, §10.4): every field starts on a 4-byte boundary; a
//! variable field is referenced by an (offset, size) pair counted from the start
//! of the structure holding the pair; strings are UTF-16LE, not NUL-terminated,
//! their size in bytes; an empty field is (0, 0); variable data is padded to 4.
//!
//! Parsers here take the slice that starts at the current field and the `base`
//! slice of the enclosing structure. Errors record the *address* of the failing
//! field so that [`finish`] can turn it into a byte offset relative to whatever
//! buffer the caller started from, however deeply the structure was nested.

use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use nom::Parser;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The internal nom error: a [`DecodeErrorKind`], a field name, and the address
/// of the bytes where it happened (resolved to an offset by [`finish`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PError {
    pub(crate) kind: DecodeErrorKind,
    pub(crate) field: &'static str,
    pub(crate) at: usize,
}

impl PError {
    pub(crate) fn new(field: &'static str, at: &[u8], kind: DecodeErrorKind) -> Self {
        PError {
            kind,
            field,
            at: at.as_ptr() as usize,
        }
    }
}

impl<'a> nom::error::ParseError<&'a [u8]> for PError {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        // The only nom primitives used are fixed-size takes, so any nom-level
        // failure is a truncation; `field()` fills in the name.
        PError::new(
            "",
            input,
            DecodeErrorKind::Truncated {
                needed: 0,
                available: input.len(),
            },
        )
    }
    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Result of an internal parser.
pub type PResult<'a, T> = nom::IResult<&'a [u8], T, PError>;

fn fail<T>(e: PError) -> PResult<'static, T> {
    Err(nom::Err::Error(e))
}

/// Convert a parse result into a public [`DecodeError`] with offsets relative to `base`.
pub(crate) fn finish<T>(base: &[u8], r: Result<T, PError>) -> Result<T, DecodeError> {
    r.map_err(|e| {
        let start = base.as_ptr() as usize;
        let offset = e.at.saturating_sub(start).min(base.len());
        DecodeError {
            field: if e.field.is_empty() { "?" } else { e.field },
            offset,
            kind: e.kind,
        }
    })
}

/// Unwrap a nom result into the error type (parsers here are complete, never Incomplete).
pub(crate) fn done<'a, T>(r: PResult<'a, T>) -> Result<(&'a [u8], T), PError> {
    match r {
        Ok(v) => Ok(v),
        Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(_)) => Err(PError {
            kind: DecodeErrorKind::Truncated {
                needed: 0,
                available: 0,
            },
            field: "",
            at: 0,
        }),
    }
}

/// The error inside a nom error (parsers here are complete, never Incomplete).
pub(crate) fn err_inner(e: nom::Err<PError>) -> PError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(_) => PError {
            kind: DecodeErrorKind::Truncated {
                needed: 0,
                available: 0,
            },
            field: "",
            at: 0,
        },
    }
}

/// Take `n` bytes for `field`, or fail with a Truncated error that names it.
#[inline]
pub fn take<'a>(field: &'static str, n: usize) -> impl Fn(&'a [u8]) -> PResult<'a, &'a [u8]> {
    move |i: &'a [u8]| {
        if i.len() < n {
            return fail(PError::new(
                field,
                i,
                DecodeErrorKind::Truncated {
                    needed: n,
                    available: i.len(),
                },
            ));
        }
        let (a, b) = i.split_at(n);
        Ok((b, a))
    }
}

/// A little-endian u32 named `field`.
#[inline]
pub fn u32le<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, u32> {
    move |i: &'a [u8]| {
        let (r, b) = take(field, 4)(i)?;
        Ok((r, u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    }
}

/// A little-endian u16 named `field`.
#[inline]
pub fn u16le<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, u16> {
    move |i: &'a [u8]| {
        let (r, b) = take(field, 2)(i)?;
        Ok((r, u16::from_le_bytes([b[0], b[1]])))
    }
}

/// A little-endian u64 named `field`.
#[inline]
pub fn u64le<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, u64> {
    move |i: &'a [u8]| {
        let (r, b) = take(field, 8)(i)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok((r, u64::from_le_bytes(a)))
    }
}

/// A fixed-size byte array named `field`.
#[inline]
pub fn array<'a, const N: usize>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, [u8; N]> {
    move |i: &'a [u8]| {
        let (r, b) = take(field, N)(i)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok((r, a))
    }
}

/// A 16-byte UUID in wire order (the textual order).
#[inline]
pub fn uuid<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Uuid> {
    move |i: &'a [u8]| array::<16>(field)(i).map(|(r, a)| (r, Uuid(a)))
}

/// An IPv4 address (4 bytes, network order).
#[inline]
pub fn ipv4<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Ipv4Addr> {
    move |i: &'a [u8]| array::<4>(field)(i).map(|(r, a)| (r, Ipv4Addr::from(a)))
}

/// An IPv6 address (16 bytes, network order).
#[inline]
pub fn ipv6<'a>(field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Ipv6Addr> {
    move |i: &'a [u8]| array::<16>(field)(i).map(|(r, a)| (r, Ipv6Addr::from(a)))
}

/// Read an (offset, size) pair for `field` and return the slice of `base` it
/// points at. (0, 0) or any pair with size 0 gives an empty slice. The offset
/// must be 4-aligned and the range must lie inside `base`.
pub fn ol<'a>(base: &'a [u8], field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, &'a [u8]> {
    move |i: &'a [u8]| {
        let (r, offset) = u32le(field)(i)?;
        let (r, size) = u32le(field)(r)?;
        let data = resolve(base, i, field, offset, size)?;
        Ok((r, data))
    }
}

/// Resolve an (offset, size) pair read at `at` against `base`.
pub(crate) fn resolve<'a>(
    base: &'a [u8],
    at: &[u8],
    field: &'static str,
    offset: u32,
    size: u32,
) -> Result<&'a [u8], nom::Err<PError>> {
    if size == 0 {
        return Ok(&base[..0]);
    }
    if !offset.is_multiple_of(4) {
        return Err(nom::Err::Error(PError::new(
            field,
            at,
            DecodeErrorKind::Misaligned { offset },
        )));
    }
    let start = offset as usize;
    match start.checked_add(size as usize) {
        Some(end) if end <= base.len() => Ok(&base[start..end]),
        _ => Err(nom::Err::Error(PError::new(
            field,
            at,
            DecodeErrorKind::OffsetOutOfBounds {
                offset,
                size,
                len: base.len(),
            },
        ))),
    }
}

/// Decode UTF-16LE bytes (MBIM 1.0 §10.4) into a `String`.
pub fn utf16_to_string(field: &'static str, bytes: &[u8]) -> Result<String, nom::Err<PError>> {
    if !bytes.len().is_multiple_of(2) {
        return Err(nom::Err::Error(PError::new(
            field,
            bytes,
            DecodeErrorKind::InvalidUtf16,
        )));
    }
    let mut s = String::with_capacity(bytes.len() / 2);
    // Fast path: most MBIM strings (operator ids, names, APNs) are ASCII.
    let ascii = bytes
        .chunks_exact(2)
        .take_while(|c| c[1] == 0 && c[0] < 0x80)
        .count();
    s.extend(bytes[..ascii * 2].iter().step_by(2).map(|b| *b as char));
    let units = bytes[ascii * 2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => s.push(c),
            Err(_) => {
                return Err(nom::Err::Error(PError::new(
                    field,
                    bytes,
                    DecodeErrorKind::InvalidUtf16,
                )));
            }
        }
    }
    Ok(s)
}

/// An OL pair pointing at a UTF-16LE string.
pub fn string<'a>(base: &'a [u8], field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, String> {
    move |i: &'a [u8]| {
        let (r, data) = ol(base, field)(i)?;
        Ok((r, utf16_to_string(field, data)?))
    }
}

/// An OL pair pointing at raw bytes.
pub fn bytes<'a>(base: &'a [u8], field: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, Vec<u8>> {
    move |i: &'a [u8]| {
        let (r, data) = ol(base, field)(i)?;
        Ok((r, data.to_vec()))
    }
}

/// Check that `count` elements of `each` bytes can possibly be present in
/// `available` bytes before allocating for them: a hostile count must never
/// drive an allocation.
pub(crate) fn check_count(
    field: &'static str,
    at: &[u8],
    count: u32,
    each: usize,
    available: usize,
) -> Result<(), nom::Err<PError>> {
    let need = (count as u64).saturating_mul(each.max(1) as u64);
    if need > available as u64 {
        return Err(nom::Err::Error(PError::new(
            field,
            at,
            DecodeErrorKind::BadLength {
                value: count as u64,
                limit: (available / each.max(1)) as u64,
            },
        )));
    }
    Ok(())
}

/// An OL-pair list (MBIM 1.0 §10.3): `count` pairs, each pointing at one element
/// in `base`, decoded with `elem` (which receives exactly the element's bytes).
pub fn ol_list<'a, T>(
    base: &'a [u8],
    count: u32,
    field: &'static str,
    elem: impl Fn(&'a [u8]) -> Result<T, nom::Err<PError>>,
) -> impl FnOnce(&'a [u8]) -> PResult<'a, Vec<T>> {
    move |i: &'a [u8]| {
        check_count(field, i, count, 8, i.len())?;
        let mut out = Vec::with_capacity(count as usize);
        let mut r = i;
        for _ in 0..count {
            let (rest, data) = ol(base, field)(r)?;
            out.push(elem(data)?);
            r = rest;
        }
        Ok((r, out))
    }
}

/// A count-prefixed inline array of fixed-size items.
pub fn inline_array<'a, T>(
    count: u32,
    each: usize,
    field: &'static str,
    item: impl Fn(&'a [u8]) -> PResult<'a, T>,
) -> impl FnOnce(&'a [u8]) -> PResult<'a, Vec<T>> {
    move |i: &'a [u8]| {
        check_count(field, i, count, each, i.len())?;
        let mut out = Vec::with_capacity(count as usize);
        let mut r = i;
        for _ in 0..count {
            let (rest, v) = item(r)?;
            out.push(v);
            r = rest;
        }
        Ok((r, out))
    }
}

/// Apply a parser with nom's `Parser` trait (keeps call sites short).
#[inline]
pub fn run<'a, O, P>(mut p: P, i: &'a [u8]) -> PResult<'a, O>
where
    P: Parser<&'a [u8], Output = O, Error = PError>,
{
    p.parse(i)
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/// Pad `out` with zero bytes to a multiple of 4 (MBIM 1.0 §10.3).
#[inline]
pub fn pad4(out: &mut Vec<u8>) {
    let rem = out.len() % 4;
    if rem != 0 {
        out.resize(out.len() + (4 - rem), 0);
    }
}

/// Length of a string in UTF-16 bytes.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count() * 2
}

fn to_u32(field: &'static str, v: usize) -> Result<u32, EncodeError> {
    u32::try_from(v).map_err(|_| EncodeError::TooLarge { field, len: v })
}

/// Writes one structure: a fixed part of known length followed by its data
/// buffer. OL pairs are written into the fixed part with offsets relative to the
/// structure's first byte; the data they point at is appended (and padded).
#[derive(Debug)]
pub struct Writer<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
    pos: usize,
    fixed_end: usize,
}

impl<'o> Writer<'o> {
    /// Start a structure at the end of `out` with a `fixed_len`-byte fixed part.
    pub fn new(out: &'o mut Vec<u8>, fixed_len: usize) -> Self {
        let start = out.len();
        out.resize(start + fixed_len, 0);
        Writer {
            out,
            start,
            pos: start,
            fixed_end: start + fixed_len,
        }
    }

    #[inline]
    fn put(&mut self, b: &[u8]) {
        debug_assert!(self.pos + b.len() <= self.fixed_end, "fixed part overflow");
        self.out[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }

    #[inline]
    pub fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    #[inline]
    pub fn u16(&mut self, v: u16) {
        self.put(&v.to_le_bytes());
    }
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.put(&v.to_le_bytes());
    }
    #[inline]
    pub fn raw(&mut self, b: &[u8]) {
        self.put(b);
    }
    #[inline]
    pub fn uuid(&mut self, u: &Uuid) {
        self.put(&u.0);
    }
    #[inline]
    pub fn ipv4(&mut self, a: &Ipv4Addr) {
        self.put(&a.octets());
    }
    #[inline]
    pub fn ipv6(&mut self, a: &Ipv6Addr) {
        self.put(&a.octets());
    }

    /// Current offset of the data end, relative to the structure start.
    fn data_offset(&self) -> usize {
        self.out.len() - self.start
    }

    fn ol_pair(
        &mut self,
        field: &'static str,
        offset: usize,
        size: usize,
    ) -> Result<(), EncodeError> {
        let o = to_u32(field, offset)?;
        let s = to_u32(field, size)?;
        self.u32(o);
        self.u32(s);
        Ok(())
    }

    /// An OL pair + UTF-16LE data for `s`; `max` bytes if the spec limits it.
    pub fn string(
        &mut self,
        field: &'static str,
        s: &str,
        max: Option<usize>,
    ) -> Result<(), EncodeError> {
        if s.is_empty() {
            return self.ol_pair(field, 0, 0);
        }
        let offset = self.data_offset();
        let before = self.out.len();
        for u in s.encode_utf16() {
            self.out.extend_from_slice(&u.to_le_bytes());
        }
        let size = self.out.len() - before;
        if let Some(max) = max
            && size > max
        {
            self.out.truncate(before);
            return Err(EncodeError::StringTooLong {
                field,
                len: size,
                max,
            });
        }
        pad4(self.out);
        self.ol_pair(field, offset, size)
    }

    /// An OL pair + raw bytes.
    pub fn bytes(&mut self, field: &'static str, b: &[u8]) -> Result<(), EncodeError> {
        if b.is_empty() {
            return self.ol_pair(field, 0, 0);
        }
        let offset = self.data_offset();
        self.out.extend_from_slice(b);
        pad4(self.out);
        self.ol_pair(field, offset, b.len())
    }

    /// Append data that is referenced by a bare offset (no size), returning the
    /// offset to write; used by IP_CONFIGURATION's address tables.
    pub fn append_data(&mut self, b: &[u8]) -> Result<u32, EncodeError> {
        let offset = self.data_offset();
        self.out.extend_from_slice(b);
        pad4(self.out);
        to_u32("offset", offset)
    }

    /// An OL pair pointing at a nested structure written by `f` into the data part.
    pub fn element(
        &mut self,
        field: &'static str,
        f: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        let offset = self.data_offset();
        let before = self.out.len();
        f(self.out)?;
        let size = self.out.len() - before;
        pad4(self.out);
        if size == 0 {
            return self.ol_pair(field, 0, 0);
        }
        self.ol_pair(field, offset, size)
    }

    /// An OL-pair list: the pairs go in the fixed part (which must have room for
    /// `items.len()` pairs), each element is written into the data part by `f`.
    pub fn ol_list<T>(
        &mut self,
        field: &'static str,
        items: &[T],
        mut f: impl FnMut(&T, &mut Vec<u8>) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        for it in items {
            self.element(field, |out| f(it, out))?;
        }
        Ok(())
    }

    /// Append raw bytes after the fixed part (for payloads whose tail is an
    /// unstructured buffer, e.g. SERVICE_ACTIVATION's vendor data).
    pub fn tail(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// Length in bytes of what has been written for this structure so far.
    pub fn len(&self) -> usize {
        self.out.len() - self.start
    }

    /// Whether nothing at all was written (a zero-length fixed part and no data).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Convert a `usize` count to the wire's u32.
pub fn count_u32(field: &'static str, n: usize) -> Result<u32, EncodeError> {
    to_u32(field, n)
}

// ---------------------------------------------------------------------------
// UUID
// ---------------------------------------------------------------------------

/// A 16-byte UUID in MBIM wire order, which is the order of its textual form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid(pub [u8; 16]);

// Only reached from const UUID literals, where a bad digit is a compile error.
#[allow(clippy::panic)]
const fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("invalid hex digit in UUID literal"),
    }
}

impl Uuid {
    /// The all-zero UUID.
    pub const NIL: Uuid = Uuid([0; 16]);

    /// Parse `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` at compile time (panics on a
    /// malformed literal, which is then a compile error in a `const`).
    #[allow(clippy::panic)] // asserts run at compile time for const literals
    pub const fn from_str_const(s: &str) -> Uuid {
        let b = s.as_bytes();
        assert!(b.len() == 36, "UUID literal must be 36 characters");
        let mut out = [0u8; 16];
        let mut i = 0;
        let mut o = 0;
        while i < 36 {
            if b[i] == b'-' {
                i += 1;
                continue;
            }
            out[o] = hex_val(b[i]) << 4 | hex_val(b[i + 1]);
            o += 1;
            i += 2;
        }
        assert!(o == 16, "UUID literal must hold 32 hex digits");
        Uuid(out)
    }

    /// Parse a textual UUID at run time (for CLI input).
    pub fn parse(s: &str) -> Option<Uuid> {
        let hex: Vec<u8> = s.bytes().filter(|c| *c != b'-').collect();
        if hex.len() != 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let mut out = [0u8; 16];
        for (k, pair) in hex.chunks_exact(2).enumerate() {
            out[k] = hex_val(pair[0]) << 4 | hex_val(pair[1]);
        }
        Some(Uuid(out))
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            b[0],
            b[1],
            b[2],
            b[3],
            b[4],
            b[5],
            b[6],
            b[7],
            b[8],
            b[9],
            b[10],
            b[11],
            b[12],
            b[13],
            b[14],
            b[15]
        )
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match crate::uuid::name(self) {
            Some(n) => write!(f, "{self} ({n})"),
            None => write!(f, "{self}"),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Uuid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_literal_and_display_round_trip() {
        let u = Uuid::from_str_const("a289cc33-bcbb-8b4f-b6b0-133ec2aae6df");
        assert_eq!(u.0[0], 0xa2);
        assert_eq!(u.0[15], 0xdf);
        assert_eq!(u.to_string(), "a289cc33-bcbb-8b4f-b6b0-133ec2aae6df");
        assert_eq!(Uuid::parse("A289CC33-BCBB-8B4F-B6B0-133EC2AAE6DF"), Some(u));
        assert_eq!(Uuid::parse("zz"), None);
    }

    #[test]
    fn rejects_offset_outside_buffer_naming_field() {
        let base = [8u8, 0, 0, 0, 8, 0, 0, 0, 0, 0];
        let r = done(string(&base, "ProviderId")(&base));
        let e = finish(&base, r).unwrap_err();
        assert_eq!(e.field, "ProviderId");
        assert_eq!(e.offset, 0);
        assert!(matches!(
            e.kind,
            DecodeErrorKind::OffsetOutOfBounds {
                offset: 8,
                size: 8,
                len: 10
            }
        ));
    }

    #[test]
    fn rejects_misaligned_offset_and_odd_string() {
        let base = [2u8, 0, 0, 0, 2, 0, 0, 0, 0x41, 0];
        let e = finish(&base, done(string(&base, "S")(&base))).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::Misaligned { offset: 2 }));
        let base = [8u8, 0, 0, 0, 1, 0, 0, 0, 0x41, 0];
        let e = finish(&base, done(string(&base, "S")(&base))).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::InvalidUtf16);
    }

    #[test]
    fn string_round_trip_with_padding_and_surrogates() {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out, 8);
        w.string("S", "a😀", None).unwrap();
        assert_eq!(out.len(), 8 + 8);
        let (_, s) = done(string(&out, "S")(&out)).unwrap();
        assert_eq!(s, "a😀");
    }

    #[test]
    fn hostile_count_does_not_allocate() {
        let base = [0u8; 16];
        let r = done(ol_list(&base, u32::MAX, "Providers", |_d| Ok(()))(
            &base[..],
        ));
        let e = finish(&base, r).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::BadLength { .. }));
    }

    #[test]
    fn decode_error_text_names_field_and_offset() {
        // A nested OL pair: the error offset counts from the outer buffer.
        let mut outer = vec![0u8; 8];
        outer.extend_from_slice(&[12, 0, 0, 0, 2, 0, 0, 0]);
        let inner = &outer[8..];
        let e = finish(&outer, done(string(inner, "ProviderName")(inner))).unwrap_err();
        assert_eq!((e.field, e.offset), ("ProviderName", 8));
        let text = e.to_string();
        assert!(text.contains("ProviderName"), "{text}");
        assert!(text.contains("at offset 8"), "{text}");
        assert!(text.contains("offset 12 + size 2"), "{text}");
        let text = e.shifted(48).to_string();
        assert!(text.contains("at offset 56"), "{text}");
    }

    #[test]
    fn truncated_u32_reports_offset() {
        let base = [1u8, 0, 0, 0, 2, 0];
        let r = done(u32le("A")(&base)).and_then(|(r, _)| done(u32le("B")(r)));
        let e = finish(&base, r).unwrap_err();
        assert_eq!((e.field, e.offset), ("B", 4));
    }
}
