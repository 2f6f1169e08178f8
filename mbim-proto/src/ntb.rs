//! NCM Transfer Blocks (NTBs), the framing of MBIM's data interface: IP
//! packets (and DSS stream data) travel in NTB16 or NTB32 blocks, each an NTH
//! header, the datagrams, and one or more datagram pointer tables (NDPs)
//! chained by their next-index, one per session (USB NCM 1.0 §3;
//! MBIM 1.0 §7; windows-operator-formats.md §8.4).
//!
//! [`decode`] hands back borrowed datagram slices with their session, never
//! copying a packet, and treats the block as hostile: every index and length
//! is bounds-checked and a failure is an [`NtbError`] naming the field.
//! [`NtbBuilder`] aggregates datagrams of any number of sessions into one
//! NTB until the device's maximum size or datagram count is reached,
//! honouring the NDP alignment and datagram divisor/remainder rules of
//! GET_NTB_PARAMETERS ([`NtbParameters`]).
//!
//! On Linux the kernel's `cdc_mbim` does this framing; this module exists for
//! the simulator, user-space data paths and tests. It does no I/O.

use std::fmt;

/// `"NCMH"`: the NTH16 signature.
pub const NTH16_SIGNATURE: u32 = 0x484D_434E;
/// `"ncmh"`: the NTH32 signature.
pub const NTH32_SIGNATURE: u32 = 0x686D_636E;
/// NTH16 length in bytes.
pub const NTH16_LEN: usize = 12;
/// NTH32 length in bytes.
pub const NTH32_LEN: usize = 16;
/// NDP16 header length (signature, length, next index).
pub const NDP16_HEADER_LEN: usize = 8;
/// NDP32 header length (signature, length, reserved, next index, reserved).
pub const NDP32_HEADER_LEN: usize = 16;
/// Length of GET_NTB_PARAMETERS' response.
pub const NTB_PARAMETERS_LEN: usize = 28;

/// Low 24 bits of an MBIM NDP16 signature for IP sessions (`"IPS"`).
const IPS16: u32 = 0x0053_5049;
/// Low 24 bits of an MBIM NDP16 signature for DSS streams (`"DSS"`).
const DSS16: u32 = 0x0053_5344;
/// Low 24 bits of an MBIM NDP32 signature for IP sessions (`"ips"`).
const IPS32: u32 = 0x0073_7069;
/// Low 24 bits of an MBIM NDP32 signature for DSS streams (`"dss"`).
const DSS32: u32 = 0x0073_7364;

/// Which of the two NTB formats (SET_NTB_FORMAT 0 = 16-bit, 1 = 32-bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NtbFormat {
    /// NTH16/NDP16: 16-bit indices, blocks up to 65535 bytes.
    Ntb16,
    /// NTH32/NDP32: 32-bit indices.
    Ntb32,
}

impl NtbFormat {
    fn nth_len(self) -> usize {
        match self {
            NtbFormat::Ntb16 => NTH16_LEN,
            NtbFormat::Ntb32 => NTH32_LEN,
        }
    }
    fn ndp_header_len(self) -> usize {
        match self {
            NtbFormat::Ntb16 => NDP16_HEADER_LEN,
            NtbFormat::Ntb32 => NDP32_HEADER_LEN,
        }
    }
    /// Size of one datagram pointer entry (index, length).
    fn entry_len(self) -> usize {
        match self {
            NtbFormat::Ntb16 => 4,
            NtbFormat::Ntb32 => 8,
        }
    }
    /// Largest index or length the format can express.
    fn max_value(self) -> usize {
        match self {
            NtbFormat::Ntb16 => u16::MAX as usize,
            NtbFormat::Ntb32 => u32::MAX as usize,
        }
    }
    /// Length of an NDP holding `n` entries plus the 0/0 terminator, at
    /// least the NCM minimum of two entries (16 bytes for NDP16, 32 for NDP32;
    /// always a multiple of 4, resp. 8, as NCM 1.0 §3.3 asks).
    fn ndp_len(self, n: usize) -> usize {
        self.ndp_header_len() + (n + 1).max(2) * self.entry_len()
    }
}

/// The logical stream an NDP belongs to: an IP session (`IPS<n>`) or a device
/// service stream (`DSS<n>`), with its session id in the signature's top byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stream {
    /// IP data of session n (raw IPv4/IPv6 packets, no Ethernet header).
    Ip(u8),
    /// Device service stream n (MBIM 1.0 §10.5.41).
    Dss(u8),
}

impl Stream {
    /// The NDP signature of this stream in `format`.
    pub fn signature(self, format: NtbFormat) -> u32 {
        let (low, session) = match (self, format) {
            (Stream::Ip(s), NtbFormat::Ntb16) => (IPS16, s),
            (Stream::Dss(s), NtbFormat::Ntb16) => (DSS16, s),
            (Stream::Ip(s), NtbFormat::Ntb32) => (IPS32, s),
            (Stream::Dss(s), NtbFormat::Ntb32) => (DSS32, s),
        };
        low | (u32::from(session) << 24)
    }

    /// The stream an NDP signature names, if it is an MBIM one for `format`.
    pub fn from_signature(sig: u32, format: NtbFormat) -> Option<Stream> {
        let session = (sig >> 24) as u8;
        match (sig & 0x00FF_FFFF, format) {
            (IPS16, NtbFormat::Ntb16) | (IPS32, NtbFormat::Ntb32) => Some(Stream::Ip(session)),
            (DSS16, NtbFormat::Ntb16) | (DSS32, NtbFormat::Ntb32) => Some(Stream::Dss(session)),
            _ => None,
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stream::Ip(s) => write!(f, "IPS{s}"),
            Stream::Dss(s) => write!(f, "DSS{s}"),
        }
    }
}

/// Why an NTB (or NTB_PARAMETERS) could not be decoded. Every variant names
/// the NCM field (`wNdpIndex`, `wDatagramLength`, ...) that was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NtbError {
    /// The field lies beyond the end of the buffer.
    #[error("{field} at offset {offset}: truncated, {available} bytes available")]
    Truncated {
        field: &'static str,
        offset: usize,
        available: usize,
    },
    /// A signature is not the one the format requires.
    #[error("{field} at offset {offset}: unexpected signature {value:#010x}")]
    BadSignature {
        field: &'static str,
        offset: usize,
        value: u32,
    },
    /// A value breaks a rule of NCM 1.0 (alignment, minimum, header length).
    #[error("{field} at offset {offset}: invalid value {value} ({rule})")]
    BadValue {
        field: &'static str,
        offset: usize,
        value: u64,
        rule: &'static str,
    },
    /// An index/length pair points outside the block.
    #[error("{field} at offset {offset}: {start}+{len} lies outside the {block}-byte block")]
    OutOfBounds {
        field: &'static str,
        offset: usize,
        start: u64,
        len: u64,
        block: usize,
    },
    /// The chained NDPs are together longer than the block, so they overlap
    /// (or the chain loops). Refused because overlapping tables could make a
    /// small NTB list millions of datagrams.
    #[error(
        "wNextNdpIndex: NDP at offset {offset} overlaps earlier NDPs (looping or overlapping chain)"
    )]
    NdpOverlap { offset: usize },
}

// ---------------------------------------------------------------------------
// Little-endian readers with field names
// ---------------------------------------------------------------------------

#[inline]
fn rd16(b: &[u8], at: usize, field: &'static str) -> Result<u16, NtbError> {
    match b.get(at..at.wrapping_add(2)) {
        Some(s) if at.checked_add(2).is_some() => Ok(u16::from_le_bytes([s[0], s[1]])),
        _ => Err(NtbError::Truncated {
            field,
            offset: at,
            available: b.len(),
        }),
    }
}

#[inline]
fn rd32(b: &[u8], at: usize, field: &'static str) -> Result<u32, NtbError> {
    match b.get(at..at.wrapping_add(4)) {
        Some(s) if at.checked_add(4).is_some() => Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]])),
        _ => Err(NtbError::Truncated {
            field,
            offset: at,
            available: b.len(),
        }),
    }
}

// ---------------------------------------------------------------------------
// NTB_PARAMETERS
// ---------------------------------------------------------------------------

/// The 28-byte response to GET_NTB_PARAMETERS (USB NCM 1.0 §6.2.1): what
/// the function accepts and produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NtbParameters {
    /// wLength: 28.
    pub length: u16,
    /// bmNtbFormatsSupported: bit 0 NTB16, bit 1 NTB32.
    pub ntb_formats_supported: u16,
    /// dwNtbInMaxSize: largest NTB the device sends.
    pub ntb_in_max_size: u32,
    /// wNdpInDivisor: IN datagrams start at offset ≡ remainder (mod divisor).
    pub ndp_in_divisor: u16,
    pub ndp_in_payload_remainder: u16,
    /// wNdpInAlignment: IN NDPs start on a multiple of this.
    pub ndp_in_alignment: u16,
    pub reserved: u16,
    /// dwNtbOutMaxSize: largest NTB the host may send.
    pub ntb_out_max_size: u32,
    /// wNdpOutDivisor: OUT datagrams start at offset ≡ remainder (mod divisor).
    pub ndp_out_divisor: u16,
    pub ndp_out_payload_remainder: u16,
    /// wNdpOutAlignment: OUT NDPs start on a multiple of this.
    pub ndp_out_alignment: u16,
    /// wNtbOutMaxDatagrams: most datagrams per OUT NTB (0 = no limit).
    pub ntb_out_max_datagrams: u16,
}

impl NtbParameters {
    /// bmNtbFormatsSupported bit for NTB16.
    pub const FORMAT_NTB16: u16 = 0x1;
    /// bmNtbFormatsSupported bit for NTB32.
    pub const FORMAT_NTB32: u16 = 0x2;

    /// Decode the 28-byte structure (longer buffers: the rest is ignored).
    pub fn decode(b: &[u8]) -> Result<NtbParameters, NtbError> {
        let p = NtbParameters {
            length: rd16(b, 0, "wLength")?,
            ntb_formats_supported: rd16(b, 2, "bmNtbFormatsSupported")?,
            ntb_in_max_size: rd32(b, 4, "dwNtbInMaxSize")?,
            ndp_in_divisor: rd16(b, 8, "wNdpInDivisor")?,
            ndp_in_payload_remainder: rd16(b, 10, "wNdpInPayloadRemainder")?,
            ndp_in_alignment: rd16(b, 12, "wNdpInAlignment")?,
            reserved: rd16(b, 14, "wReserved")?,
            ntb_out_max_size: rd32(b, 16, "dwNtbOutMaxSize")?,
            ndp_out_divisor: rd16(b, 20, "wNdpOutDivisor")?,
            ndp_out_payload_remainder: rd16(b, 22, "wNdpOutPayloadRemainder")?,
            ndp_out_alignment: rd16(b, 24, "wNdpOutAlignment")?,
            ntb_out_max_datagrams: rd16(b, 26, "wNtbOutMaxDatagrams")?,
        };
        if (p.length as usize) < NTB_PARAMETERS_LEN {
            return Err(NtbError::BadValue {
                field: "wLength",
                offset: 0,
                value: p.length.into(),
                rule: "must be at least 28",
            });
        }
        Ok(p)
    }

    /// Encode the 28-byte structure.
    pub fn encode(&self) -> [u8; NTB_PARAMETERS_LEN] {
        let mut b = [0u8; NTB_PARAMETERS_LEN];
        b[0..2].copy_from_slice(&self.length.to_le_bytes());
        b[2..4].copy_from_slice(&self.ntb_formats_supported.to_le_bytes());
        b[4..8].copy_from_slice(&self.ntb_in_max_size.to_le_bytes());
        b[8..10].copy_from_slice(&self.ndp_in_divisor.to_le_bytes());
        b[10..12].copy_from_slice(&self.ndp_in_payload_remainder.to_le_bytes());
        b[12..14].copy_from_slice(&self.ndp_in_alignment.to_le_bytes());
        b[14..16].copy_from_slice(&self.reserved.to_le_bytes());
        b[16..20].copy_from_slice(&self.ntb_out_max_size.to_le_bytes());
        b[20..22].copy_from_slice(&self.ndp_out_divisor.to_le_bytes());
        b[22..24].copy_from_slice(&self.ndp_out_payload_remainder.to_le_bytes());
        b[24..26].copy_from_slice(&self.ndp_out_alignment.to_le_bytes());
        b[26..28].copy_from_slice(&self.ntb_out_max_datagrams.to_le_bytes());
        b
    }

    /// Whether the function supports `format`.
    pub fn supports(&self, format: NtbFormat) -> bool {
        let bit = match format {
            NtbFormat::Ntb16 => Self::FORMAT_NTB16,
            NtbFormat::Ntb32 => Self::FORMAT_NTB32,
        };
        self.ntb_formats_supported & bit != 0
    }
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// One datagram of an NTB: its stream and a slice of the NTB's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram<'a> {
    pub stream: Stream,
    pub data: &'a [u8],
}

/// The NTH fields of a decoded NTB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtbHeader {
    pub format: NtbFormat,
    /// wSequence.
    pub sequence: u16,
    /// The block length used: wBlockLength/dwBlockLength, or the buffer
    /// length when the header says 0 (a block ended by a short packet).
    pub block_length: usize,
}

/// Decode an NTB of either format (chosen by its signature) into `out`,
/// appending its datagrams in NDP-chain order. `out` is not cleared, so a
/// caller can reuse its capacity. On error, `out` may hold the datagrams of
/// the NDPs before the bad one.
pub fn decode_into<'a>(buf: &'a [u8], out: &mut Vec<Datagram<'a>>) -> Result<NtbHeader, NtbError> {
    let sig = rd32(buf, 0, "dwSignature")?;
    let format = match sig {
        NTH16_SIGNATURE => NtbFormat::Ntb16,
        NTH32_SIGNATURE => NtbFormat::Ntb32,
        value => {
            return Err(NtbError::BadSignature {
                field: "dwSignature",
                offset: 0,
                value,
            });
        }
    };
    let header_len = rd16(buf, 4, "wHeaderLength")?;
    if header_len as usize != format.nth_len() {
        return Err(NtbError::BadValue {
            field: "wHeaderLength",
            offset: 4,
            value: header_len.into(),
            rule: "must be 12 (NTH16) or 16 (NTH32)",
        });
    }
    let sequence = rd16(buf, 6, "wSequence")?;
    let (block_len, first_ndp, bl_field, ndp_field) = match format {
        NtbFormat::Ntb16 => (
            rd16(buf, 8, "wBlockLength")? as usize,
            rd16(buf, 10, "wNdpIndex")? as usize,
            "wBlockLength",
            "wNdpIndex",
        ),
        NtbFormat::Ntb32 => (
            rd32(buf, 8, "dwBlockLength")? as usize,
            rd32(buf, 12, "dwNdpIndex")? as usize,
            "dwBlockLength",
            "dwNdpIndex",
        ),
    };
    let block_len = if block_len == 0 { buf.len() } else { block_len };
    if block_len > buf.len() {
        return Err(NtbError::Truncated {
            field: bl_field,
            offset: 8,
            available: buf.len(),
        });
    }
    if block_len < format.nth_len() {
        return Err(NtbError::BadValue {
            field: bl_field,
            offset: 8,
            value: block_len as u64,
            rule: "shorter than the NTH",
        });
    }
    let block = &buf[..block_len];
    let header = NtbHeader {
        format,
        sequence,
        block_length: block_len,
    };

    // Non-overlapping NDPs fit in the block together; refusing chains whose
    // lengths add up to more bounds the datagram count by the block length
    // (one 4- or 8-byte entry each) and ends any loop.
    let mut ndp = first_ndp;
    let mut ndp_field = ndp_field;
    let mut ndp_field_at = if format == NtbFormat::Ntb16 { 10 } else { 12 };
    let mut ndp_bytes = 0usize;
    loop {
        check_ndp_index(ndp, ndp_field, ndp_field_at, format, block_len)?;
        ndp_bytes += ndp_length(block, ndp)?;
        if ndp_bytes > block_len {
            return Err(NtbError::NdpOverlap { offset: ndp });
        }
        let next = decode_ndp(block, ndp, format, out)?;
        if next == 0 {
            return Ok(header);
        }
        ndp_field = match format {
            NtbFormat::Ntb16 => "wNextNdpIndex",
            NtbFormat::Ntb32 => "dwNextNdpIndex",
        };
        ndp_field_at = ndp + if format == NtbFormat::Ntb16 { 6 } else { 8 };
        ndp = next;
    }
}

/// Decode an NTB into a new vector of datagrams (see [`decode_into`]).
pub fn decode(buf: &[u8]) -> Result<(NtbHeader, Vec<Datagram<'_>>), NtbError> {
    let mut v = Vec::new();
    let h = decode_into(buf, &mut v)?;
    Ok((h, v))
}

fn check_ndp_index(
    ndp: usize,
    field: &'static str,
    at: usize,
    format: NtbFormat,
    block_len: usize,
) -> Result<(), NtbError> {
    if ndp < format.nth_len() || !ndp.is_multiple_of(4) {
        return Err(NtbError::BadValue {
            field,
            offset: at,
            value: ndp as u64,
            rule: "must be a multiple of 4 past the NTH",
        });
    }
    if ndp.saturating_add(format.ndp_len(1)) > block_len {
        return Err(NtbError::OutOfBounds {
            field,
            offset: at,
            start: ndp as u64,
            len: format.ndp_len(1) as u64,
            block: block_len,
        });
    }
    Ok(())
}

/// The wLength of the NDP at `at` (known to lie in the block).
fn ndp_length(block: &[u8], at: usize) -> Result<usize, NtbError> {
    rd16(block, at + 4, "NDP wLength").map(usize::from)
}

/// Decode the NDP at `at` (already known to lie in the block with room for
/// its minimum length) and return its next-NDP index.
fn decode_ndp<'a>(
    block: &'a [u8],
    at: usize,
    format: NtbFormat,
    out: &mut Vec<Datagram<'a>>,
) -> Result<usize, NtbError> {
    let sig = rd32(block, at, "NDP dwSignature")?;
    let stream = Stream::from_signature(sig, format).ok_or(NtbError::BadSignature {
        field: "NDP dwSignature",
        offset: at,
        value: sig,
    })?;
    let len = rd16(block, at + 4, "NDP wLength")? as usize;
    let (min, multiple) = match format {
        NtbFormat::Ntb16 => (16, 4),
        NtbFormat::Ntb32 => (32, 8),
    };
    if len < min || !len.is_multiple_of(multiple) {
        return Err(NtbError::BadValue {
            field: "NDP wLength",
            offset: at + 4,
            value: len as u64,
            rule: "NDP16: multiple of 4, at least 16; NDP32: multiple of 8, at least 32",
        });
    }
    if at + len > block.len() {
        return Err(NtbError::OutOfBounds {
            field: "NDP wLength",
            offset: at + 4,
            start: at as u64,
            len: len as u64,
            block: block.len(),
        });
    }
    let ndp = &block[at..at + len];
    let (next, entries) = match format {
        NtbFormat::Ntb16 => (
            rd16(ndp, 6, "wNextNdpIndex")? as usize,
            &ndp[NDP16_HEADER_LEN..],
        ),
        NtbFormat::Ntb32 => (
            rd32(ndp, 8, "dwNextNdpIndex")? as usize,
            &ndp[NDP32_HEADER_LEN..],
        ),
    };
    let entry_base = at + format.ndp_header_len();
    let mut k = 0usize;
    // Entries run to a 0/0 terminator (either field zero ends the table, as
    // NCM 1.0 §3.3.1 and Linux read it) or to the end of wLength.
    match format {
        NtbFormat::Ntb16 => {
            for e in entries.chunks_exact(4) {
                let idx = u16::from_le_bytes([e[0], e[1]]) as usize;
                let dlen = u16::from_le_bytes([e[2], e[3]]) as usize;
                if idx == 0 || dlen == 0 {
                    break;
                }
                let at = entry_base + 4 * k;
                push_datagram(
                    block,
                    stream,
                    idx,
                    dlen,
                    at,
                    "wDatagramIndex/wDatagramLength",
                    out,
                )?;
                k += 1;
            }
        }
        NtbFormat::Ntb32 => {
            for e in entries.chunks_exact(8) {
                let idx = u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize;
                let dlen = u32::from_le_bytes([e[4], e[5], e[6], e[7]]) as usize;
                if idx == 0 || dlen == 0 {
                    break;
                }
                let at = entry_base + 8 * k;
                push_datagram(
                    block,
                    stream,
                    idx,
                    dlen,
                    at,
                    "dwDatagramIndex/dwDatagramLength",
                    out,
                )?;
                k += 1;
            }
        }
    }
    Ok(next)
}

#[inline]
fn push_datagram<'a>(
    block: &'a [u8],
    stream: Stream,
    idx: usize,
    len: usize,
    entry_at: usize,
    field: &'static str,
    out: &mut Vec<Datagram<'a>>,
) -> Result<(), NtbError> {
    match idx.checked_add(len) {
        Some(end) if end <= block.len() => {
            out.push(Datagram {
                stream,
                data: &block[idx..end],
            });
            Ok(())
        }
        _ => Err(NtbError::OutOfBounds {
            field,
            offset: entry_at,
            start: idx as u64,
            len: len as u64,
            block: block.len(),
        }),
    }
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/// The OUT-direction rules an [`NtbBuilder`] follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtbConfig {
    pub format: NtbFormat,
    /// Largest NTB in bytes (dwNtbOutMaxSize; at most 65535 for NTB16).
    pub max_size: usize,
    /// NDPs start on a multiple of this (wNdpOutAlignment; 0 or 1 = 4).
    pub ndp_alignment: usize,
    /// Datagrams start at offset ≡ `remainder` (mod `divisor`) (wNdpOutDivisor
    /// and wNdpOutPayloadRemainder; 0 or 1 = no constraint).
    pub divisor: usize,
    pub remainder: usize,
    /// Most datagrams per NTB (wNtbOutMaxDatagrams; 0 = no limit).
    pub max_datagrams: usize,
}

impl NtbConfig {
    /// A plain configuration: `max_size`, 4-byte alignment, no datagram limit.
    pub fn new(format: NtbFormat, max_size: usize) -> NtbConfig {
        NtbConfig {
            format,
            max_size,
            ndp_alignment: 4,
            divisor: 4,
            remainder: 0,
            max_datagrams: 0,
        }
    }

    /// The host's OUT rules from the device's NTB_PARAMETERS.
    pub fn from_parameters(p: &NtbParameters, format: NtbFormat) -> NtbConfig {
        NtbConfig {
            format,
            max_size: p.ntb_out_max_size as usize,
            ndp_alignment: p.ndp_out_alignment.into(),
            divisor: p.ndp_out_divisor.into(),
            remainder: p.ndp_out_payload_remainder.into(),
            max_datagrams: p.ntb_out_max_datagrams.into(),
        }
    }
}

/// Why a datagram could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The NTB has no room left (size or datagram count): finish it and push
    /// the datagram into the next one.
    #[error("NTB full")]
    Full,
    /// The datagram cannot fit even in an empty NTB.
    #[error("datagram of {len} bytes cannot fit an NTB of at most {max} bytes")]
    TooLarge { len: usize, max: usize },
}

/// Pointer entries of one stream's NDP.
#[derive(Debug, Clone)]
struct StreamEntries {
    stream: Stream,
    entries: Vec<(u32, u32)>,
}

/// Aggregates datagrams of any sessions into NTBs: [`push`](Self::push)
/// until it says [`PushError::Full`], then [`finish`](Self::finish) to get
/// the block; the next push starts a new NTB with the next sequence number.
///
/// Layout: the NTH, then the datagrams (each at offset ≡ remainder mod
/// divisor), then one NDP per stream (each aligned to the NDP
/// alignment), chained in order of each stream's first datagram.
#[derive(Debug, Clone)]
pub struct NtbBuilder {
    cfg: NtbConfig,
    ndp_align: usize,
    divisor: usize,
    remainder: usize,
    max_size: usize,
    buf: Vec<u8>,
    streams: Vec<StreamEntries>,
    ndp_offsets: Vec<usize>,
    active: usize,
    count: usize,
    sequence: u16,
    finished: bool,
}

fn align_up(v: usize, a: usize) -> usize {
    v.div_ceil(a) * a
}

impl NtbBuilder {
    /// A builder for `cfg` (alignments below 4 become 4; NTB16's size is
    /// capped at 65535, which its 16-bit fields can express).
    pub fn new(cfg: NtbConfig) -> NtbBuilder {
        let ndp_align = cfg.ndp_alignment.max(4);
        let (divisor, remainder) = if cfg.divisor <= 1 {
            (1, 0)
        } else {
            (cfg.divisor, cfg.remainder % cfg.divisor)
        };
        let max_size = cfg.max_size.min(cfg.format.max_value());
        let mut b = NtbBuilder {
            cfg,
            ndp_align,
            divisor,
            remainder,
            max_size,
            buf: Vec::with_capacity(max_size.min(1 << 20)),
            streams: Vec::new(),
            ndp_offsets: Vec::new(),
            active: 0,
            count: 0,
            sequence: 0,
            finished: false,
        };
        b.reset();
        b
    }

    /// The configuration in use.
    pub fn config(&self) -> &NtbConfig {
        &self.cfg
    }

    /// Number of datagrams in the NTB being built.
    pub fn len(&self) -> usize {
        if self.finished { 0 } else { self.count }
    }

    /// Whether the NTB being built has no datagram yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Set the sequence number of the next NTB.
    pub fn set_sequence(&mut self, sequence: u16) {
        self.sequence = sequence;
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.buf.resize(self.cfg.format.nth_len(), 0);
        for s in &mut self.streams[..self.active] {
            s.entries.clear();
        }
        self.active = 0;
        self.count = 0;
        self.finished = false;
    }

    /// Where a datagram would start if appended now: the first offset at or
    /// after the data end with offset ≡ remainder (mod divisor).
    fn next_datagram_offset(&self) -> usize {
        let at = self.buf.len();
        at + (self.remainder + self.divisor - at % self.divisor) % self.divisor
    }

    /// Size of the finished NTB if the data ends at `data_end`, counting one
    /// more entry for stream `i` (`extra = Some((i, false))`) or a new stream
    /// (`Some((_, true))`).
    fn finished_size(&self, data_end: usize, extra: Option<(usize, bool)>) -> usize {
        let f = self.cfg.format;
        let mut at = data_end;
        for (i, s) in self.streams[..self.active].iter().enumerate() {
            let n = s.entries.len() + usize::from(matches!(extra, Some((j, false)) if j == i));
            at = align_up(at, self.ndp_align) + f.ndp_len(n);
        }
        if let Some((_, true)) = extra {
            at = align_up(at, self.ndp_align) + f.ndp_len(1);
        }
        at
    }

    /// Append a datagram of `stream`. Nothing changes on error.
    pub fn push(&mut self, stream: Stream, datagram: &[u8]) -> Result<(), PushError> {
        if self.finished {
            self.reset();
        }
        if datagram.is_empty() {
            // A zero length would read as the table's terminator; an empty
            // datagram carries nothing, so it is accepted and dropped.
            return Ok(());
        }
        if self.cfg.max_datagrams != 0 && self.count >= self.cfg.max_datagrams {
            return Err(PushError::Full);
        }
        let slot = self.streams[..self.active]
            .iter()
            .position(|s| s.stream == stream);
        // wLength is 16 bits in both formats: an NDP32 cannot list more than
        // (65535 − 16) / 8 − 1 datagrams.
        if let Some(i) = slot
            && self.cfg.format.ndp_len(self.streams[i].entries.len() + 1) > u16::MAX as usize
        {
            return Err(PushError::Full);
        }
        let at = self.next_datagram_offset();
        let end = at.saturating_add(datagram.len());
        let needed = match slot {
            Some(i) => self.finished_size(end, Some((i, false))),
            None => self.finished_size(end, Some((0, true))),
        };
        if needed > self.max_size {
            if self.count == 0 {
                return Err(PushError::TooLarge {
                    len: datagram.len(),
                    max: self.max_size,
                });
            }
            return Err(PushError::Full);
        }
        self.buf.resize(at, 0);
        self.buf.extend_from_slice(datagram);
        // Both fit in u32 (and u16 for NTB16): `needed` ≤ max_size ≤ the format's maximum.
        let entry = (at as u32, datagram.len() as u32);
        match slot {
            Some(i) => self.streams[i].entries.push(entry),
            None => {
                if self.active == self.streams.len() {
                    self.streams.push(StreamEntries {
                        stream,
                        entries: Vec::new(),
                    });
                }
                let s = &mut self.streams[self.active];
                s.stream = stream;
                s.entries.clear();
                s.entries.push(entry);
                self.active += 1;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Write the NDPs and the NTH and return the finished NTB (also for an
    /// NTB without datagrams: one empty NDP, as NCM requires at least one).
    pub fn finish(&mut self) -> &[u8] {
        if self.finished {
            self.reset();
        }
        let f = self.cfg.format;
        if self.active == 0 {
            // An empty NTB still needs one (empty) NDP: use IP session 0's.
            if self.streams.is_empty() {
                self.streams.push(StreamEntries {
                    stream: Stream::Ip(0),
                    entries: Vec::new(),
                });
            }
            self.streams[0].stream = Stream::Ip(0);
            self.streams[0].entries.clear();
            self.active = 1;
        }
        let mut ndp_offsets = std::mem::take(&mut self.ndp_offsets);
        ndp_offsets.clear();
        for i in 0..self.active {
            let at = align_up(self.buf.len(), self.ndp_align);
            ndp_offsets.push(at);
            let s = &self.streams[i];
            let n = s.entries.len();
            let len = f.ndp_len(n);
            self.buf.resize(at, 0);
            let sig = s.stream.signature(f);
            match f {
                NtbFormat::Ntb16 => {
                    self.buf.extend_from_slice(&sig.to_le_bytes());
                    self.buf.extend_from_slice(&(len as u16).to_le_bytes());
                    self.buf.extend_from_slice(&0u16.to_le_bytes()); // next, patched below
                    for &(idx, l) in &s.entries {
                        self.buf.extend_from_slice(&(idx as u16).to_le_bytes());
                        self.buf.extend_from_slice(&(l as u16).to_le_bytes());
                    }
                }
                NtbFormat::Ntb32 => {
                    self.buf.extend_from_slice(&sig.to_le_bytes());
                    self.buf.extend_from_slice(&(len as u16).to_le_bytes());
                    self.buf.extend_from_slice(&[0u8; 2]); // wReserved6
                    self.buf.extend_from_slice(&0u32.to_le_bytes()); // next, patched below
                    self.buf.extend_from_slice(&[0u8; 4]); // dwReserved12
                    for &(idx, l) in &s.entries {
                        self.buf.extend_from_slice(&idx.to_le_bytes());
                        self.buf.extend_from_slice(&l.to_le_bytes());
                    }
                }
            }
            // The 0/0 terminator (and a second empty entry in an empty NDP).
            self.buf.resize(at + len, 0);
        }
        // Chain the NDPs.
        for w in ndp_offsets.windows(2) {
            let (this, next) = (w[0], w[1]);
            match f {
                NtbFormat::Ntb16 => {
                    self.buf[this + 6..this + 8].copy_from_slice(&(next as u16).to_le_bytes())
                }
                NtbFormat::Ntb32 => {
                    self.buf[this + 8..this + 12].copy_from_slice(&(next as u32).to_le_bytes())
                }
            }
        }
        let total = self.buf.len();
        let first = ndp_offsets.first().copied().unwrap_or(0);
        self.ndp_offsets = ndp_offsets;
        match f {
            NtbFormat::Ntb16 => {
                self.buf[0..4].copy_from_slice(&NTH16_SIGNATURE.to_le_bytes());
                self.buf[4..6].copy_from_slice(&(NTH16_LEN as u16).to_le_bytes());
                self.buf[6..8].copy_from_slice(&self.sequence.to_le_bytes());
                self.buf[8..10].copy_from_slice(&(total as u16).to_le_bytes());
                self.buf[10..12].copy_from_slice(&(first as u16).to_le_bytes());
            }
            NtbFormat::Ntb32 => {
                self.buf[0..4].copy_from_slice(&NTH32_SIGNATURE.to_le_bytes());
                self.buf[4..6].copy_from_slice(&(NTH32_LEN as u16).to_le_bytes());
                self.buf[6..8].copy_from_slice(&self.sequence.to_le_bytes());
                self.buf[8..12].copy_from_slice(&(total as u32).to_le_bytes());
                self.buf[12..16].copy_from_slice(&(first as u32).to_le_bytes());
            }
        }
        self.sequence = self.sequence.wrapping_add(1);
        self.finished = true;
        &self.buf
    }
}

/// Pack `datagrams` into as many NTBs as needed (each an owned buffer).
pub fn encode_all(
    cfg: NtbConfig,
    datagrams: &[(Stream, &[u8])],
) -> Result<Vec<Vec<u8>>, PushError> {
    let mut b = NtbBuilder::new(cfg);
    let mut out = Vec::new();
    for &(stream, d) in datagrams {
        match b.push(stream, d) {
            Ok(()) => {}
            Err(PushError::Full) => {
                out.push(b.finish().to_vec());
                b.push(stream, d)?;
            }
            Err(e) => return Err(e),
        }
    }
    if !b.is_empty() {
        out.push(b.finish().to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An NTB16 with two IPS0 datagrams and one IPS3 datagram, laid out by hand.
    fn hand_ntb16() -> Vec<u8> {
        let mut b = vec![0u8; 64];
        b[0..4].copy_from_slice(b"NCMH");
        b[4..6].copy_from_slice(&12u16.to_le_bytes());
        b[6..8].copy_from_slice(&7u16.to_le_bytes());
        b[8..10].copy_from_slice(&64u16.to_le_bytes());
        b[10..12].copy_from_slice(&24u16.to_le_bytes());
        b[12..16].copy_from_slice(&[0x45, 1, 2, 3]); // datagram A
        b[16..20].copy_from_slice(&[0x60, 4, 5, 6]); // datagram B
        b[20..22].copy_from_slice(&[0x45, 9]); // datagram C (IPS3)
        // NDP16 for IPS0 at 24: two entries + terminator = 8 + 12 = 20.
        b[24..28].copy_from_slice(&[b'I', b'P', b'S', 0]);
        b[28..30].copy_from_slice(&20u16.to_le_bytes());
        b[30..32].copy_from_slice(&44u16.to_le_bytes());
        b[32..36].copy_from_slice(&[12, 0, 4, 0]);
        b[36..40].copy_from_slice(&[16, 0, 4, 0]);
        // NDP16 for IPS3 at 44: one entry + terminator = 16.
        b[44..48].copy_from_slice(&[b'I', b'P', b'S', 3]);
        b[48..50].copy_from_slice(&16u16.to_le_bytes());
        b[52..56].copy_from_slice(&[20, 0, 2, 0]);
        b
    }

    #[test]
    fn decodes_hand_built_ntb16_with_two_sessions() {
        let b = hand_ntb16();
        let (h, d) = decode(&b).unwrap();
        assert_eq!(h.format, NtbFormat::Ntb16);
        assert_eq!(h.sequence, 7);
        assert_eq!(h.block_length, 64);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].stream, Stream::Ip(0));
        assert_eq!(d[0].data, &[0x45, 1, 2, 3]);
        assert_eq!(d[1].data, &[0x60, 4, 5, 6]);
        assert_eq!(d[2].stream, Stream::Ip(3));
        assert_eq!(d[2].data, &[0x45, 9]);
        // Borrowed, not copied: the slice points into the NTB.
        assert_eq!(d[2].data.as_ptr(), b[20..].as_ptr());
    }

    #[test]
    fn signature_carries_session_in_top_byte() {
        assert_eq!(
            Stream::Ip(0).signature(NtbFormat::Ntb16).to_le_bytes(),
            *b"IPS\0"
        );
        assert_eq!(Stream::Ip(5).signature(NtbFormat::Ntb16), 0x0553_5049);
        assert_eq!(
            Stream::Dss(1).signature(NtbFormat::Ntb16).to_le_bytes(),
            *b"DSS\x01"
        );
        assert_eq!(
            Stream::Ip(2).signature(NtbFormat::Ntb32).to_le_bytes(),
            *b"ips\x02"
        );
        assert_eq!(
            Stream::Dss(9).signature(NtbFormat::Ntb32).to_le_bytes(),
            *b"dss\x09"
        );
        for s in [
            Stream::Ip(0),
            Stream::Ip(255),
            Stream::Dss(0),
            Stream::Dss(200),
        ] {
            for f in [NtbFormat::Ntb16, NtbFormat::Ntb32] {
                assert_eq!(Stream::from_signature(s.signature(f), f), Some(s));
            }
        }
        // A 16-bit signature is not a 32-bit one, and plain NCM is not MBIM.
        assert_eq!(Stream::from_signature(0x0053_5049, NtbFormat::Ntb32), None);
        assert_eq!(Stream::from_signature(0x304D_434E, NtbFormat::Ntb16), None);
    }

    #[test]
    fn errors_name_the_bad_field() {
        let good = hand_ntb16();
        let mut b = good.clone();
        b[10] = 26; // wNdpIndex not a multiple of 4
        assert!(matches!(
            decode(&b),
            Err(NtbError::BadValue {
                field: "wNdpIndex",
                ..
            })
        ));
        let mut b = good.clone();
        b[30] = 200; // wNextNdpIndex beyond the block
        assert!(matches!(
            decode(&b),
            Err(NtbError::OutOfBounds {
                field: "wNextNdpIndex",
                ..
            })
        ));
        let mut b = good.clone();
        b[34] = 200; // first datagram length runs past the block
        assert!(matches!(
            decode(&b),
            Err(NtbError::OutOfBounds {
                field: "wDatagramIndex/wDatagramLength",
                offset: 32,
                ..
            })
        ));
        let mut b = good.clone();
        b[24] = b'X';
        assert!(matches!(
            decode(&b),
            Err(NtbError::BadSignature {
                field: "NDP dwSignature",
                offset: 24,
                ..
            })
        ));
        let mut b = good.clone();
        b[8] = 65; // wBlockLength longer than the buffer
        assert!(matches!(
            decode(&b),
            Err(NtbError::Truncated {
                field: "wBlockLength",
                ..
            })
        ));
        let mut b = good.clone();
        b[28] = 12; // NDP wLength below the minimum
        assert!(matches!(
            decode(&b),
            Err(NtbError::BadValue {
                field: "NDP wLength",
                ..
            })
        ));
        let mut b = good;
        b[4] = 16;
        assert!(matches!(
            decode(&b),
            Err(NtbError::BadValue {
                field: "wHeaderLength",
                ..
            })
        ));
    }

    #[test]
    fn ndp_chain_loop_is_an_error() {
        let mut b = hand_ntb16();
        b[50..52].copy_from_slice(&24u16.to_le_bytes()); // IPS3's next → IPS0
        // The second visit of IPS3's NDP takes the chain past the block.
        assert_eq!(decode(&b), Err(NtbError::NdpOverlap { offset: 44 }));
    }

    #[test]
    fn overlapping_ndps_cannot_multiply_datagrams() {
        // 2000 NDPs 16 bytes apart, each claiming entries almost to the end
        // of the block: without the length budget this would list ~30 million
        // datagrams from a 64 KiB NTB.
        let mut b = vec![0u8; 65532];
        b[0..4].copy_from_slice(b"NCMH");
        b[4..6].copy_from_slice(&12u16.to_le_bytes());
        b[8..10].copy_from_slice(&65532u16.to_le_bytes());
        b[10..12].copy_from_slice(&16u16.to_le_bytes());
        for i in 0..2000usize {
            let at = 16 + 16 * i;
            // Long enough to span the later NDPs, whose header fields then
            // read as valid entries too.
            let len = ((65532 - at - 32) / 4 * 4) as u16;
            b[at..at + 4].copy_from_slice(&[b'I', b'P', b'S', 0]);
            b[at + 4..at + 6].copy_from_slice(&len.to_le_bytes());
            b[at + 6..at + 8].copy_from_slice(&((at + 16) as u16).to_le_bytes());
            b[at + 8..at + 12].copy_from_slice(&[12, 0, 4, 0]);
            b[at + 12..at + 16].copy_from_slice(&[12, 0, 4, 0]);
        }
        assert_eq!(decode(&b), Err(NtbError::NdpOverlap { offset: 32 }));
        // The first NDP alone is fine, and bounded by its length.
        b[22..24].copy_from_slice(&0u16.to_le_bytes());
        let (_, d) = decode(&b).unwrap();
        assert!(d.len() <= 65532 / 4, "{} datagrams", d.len());
    }

    #[test]
    fn zero_block_length_means_the_whole_buffer() {
        let mut b = hand_ntb16();
        b[8..10].copy_from_slice(&0u16.to_le_bytes());
        let (h, d) = decode(&b).unwrap();
        assert_eq!((h.block_length, d.len()), (64, 3));
    }

    #[test]
    fn ntb_parameters_round_trip_and_reject_short() {
        let p = NtbParameters {
            length: 28,
            ntb_formats_supported: 3,
            ntb_in_max_size: 32768,
            ndp_in_divisor: 4,
            ndp_in_payload_remainder: 0,
            ndp_in_alignment: 4,
            reserved: 0,
            ntb_out_max_size: 16384,
            ndp_out_divisor: 4,
            ndp_out_payload_remainder: 0,
            ndp_out_alignment: 4,
            ntb_out_max_datagrams: 16,
        };
        let b = p.encode();
        assert_eq!(&b[0..4], &[28, 0, 3, 0]);
        assert_eq!(&b[16..20], &16384u32.to_le_bytes());
        assert_eq!(NtbParameters::decode(&b), Ok(p));
        assert!(p.supports(NtbFormat::Ntb32));
        let cfg = NtbConfig::from_parameters(&p, NtbFormat::Ntb16);
        assert_eq!((cfg.max_size, cfg.max_datagrams), (16384, 16));
        assert!(matches!(
            NtbParameters::decode(&b[..27]),
            Err(NtbError::Truncated {
                field: "wNtbOutMaxDatagrams",
                ..
            })
        ));
        let mut short = b;
        short[0] = 20;
        assert!(matches!(
            NtbParameters::decode(&short),
            Err(NtbError::BadValue {
                field: "wLength",
                ..
            })
        ));
    }

    #[test]
    fn builder_honours_divisor_remainder_and_ndp_alignment() {
        let cfg = NtbConfig {
            format: NtbFormat::Ntb16,
            max_size: 4096,
            ndp_alignment: 16,
            divisor: 8,
            remainder: 2,
            max_datagrams: 0,
        };
        let mut b = NtbBuilder::new(cfg);
        b.push(Stream::Ip(0), &[1, 2, 3]).unwrap();
        b.push(Stream::Ip(1), &[4; 5]).unwrap();
        b.push(Stream::Ip(0), &[6; 7]).unwrap();
        let ntb = b.finish().to_vec();
        let first_ndp = u16::from_le_bytes([ntb[10], ntb[11]]) as usize;
        assert_eq!(first_ndp % 16, 0);
        let (_, d) = decode(&ntb).unwrap();
        assert_eq!(d.len(), 3);
        for g in &d {
            let off = g.data.as_ptr() as usize - ntb.as_ptr() as usize;
            assert_eq!(off % 8, 2, "datagram at {off}");
        }
        // Grouped per stream, in order of first appearance, order kept within.
        assert_eq!(d[0].data, &[1, 2, 3]);
        assert_eq!(d[1].data, &[6; 7]);
        assert_eq!((d[2].stream, d[2].data), (Stream::Ip(1), &[4u8; 5][..]));
    }

    #[test]
    fn builder_reports_full_and_too_large() {
        let mut b = NtbBuilder::new(NtbConfig::new(NtbFormat::Ntb16, 128));
        let pkt = [0xAB; 40];
        b.push(Stream::Ip(0), &pkt).unwrap();
        b.push(Stream::Ip(0), &pkt).unwrap();
        assert_eq!(b.push(Stream::Ip(0), &pkt), Err(PushError::Full));
        assert_eq!(b.len(), 2);
        let ntb = b.finish().to_vec();
        assert!(ntb.len() <= 128);
        assert_eq!(decode(&ntb).unwrap().1.len(), 2);
        // Next NTB: sequence advanced, starts empty.
        b.push(Stream::Ip(0), &pkt).unwrap();
        assert_eq!(b.len(), 1);
        let ntb2 = b.finish();
        assert_eq!(decode(ntb2).unwrap().0.sequence, 1);
        assert_eq!(
            b.push(Stream::Ip(0), &[0; 200]),
            Err(PushError::TooLarge { len: 200, max: 128 })
        );
    }

    #[test]
    fn builder_respects_max_datagrams() {
        let mut cfg = NtbConfig::new(NtbFormat::Ntb32, 1 << 16);
        cfg.max_datagrams = 3;
        let all: Vec<(Stream, &[u8])> = (0..7).map(|_| (Stream::Ip(0), &[1u8, 2][..])).collect();
        let ntbs = encode_all(cfg, &all).unwrap();
        let counts: Vec<usize> = ntbs.iter().map(|n| decode(n).unwrap().1.len()).collect();
        assert_eq!(counts, vec![3, 3, 1]);
    }

    #[test]
    fn empty_ntb_has_one_empty_ndp() {
        for f in [NtbFormat::Ntb16, NtbFormat::Ntb32] {
            let mut b = NtbBuilder::new(NtbConfig::new(f, 2048));
            let ntb = b.finish().to_vec();
            let (h, d) = decode(&ntb).unwrap();
            assert_eq!((h.format, d.len()), (f, 0));
        }
    }
}
