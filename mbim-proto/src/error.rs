//! Codec errors: one type for decoding, one for encoding.
//!
//! Decoding never panics and never surfaces a raw `nom::Err`: every failure is a
//! [`DecodeError`] that names the field and the byte offset where it happened, so
//! a log line or `mbcli decode` can point at the exact bad bytes.

use std::fmt;

/// What went wrong while decoding (see [`DecodeError`] for where).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum DecodeErrorKind {
    /// The field needs more bytes than the buffer holds.
    Truncated { needed: usize, available: usize },
    /// An offset/size pair points outside the buffer it is relative to.
    OffsetOutOfBounds { offset: u32, size: u32, len: usize },
    /// An offset is not a multiple of 4 (MBIM 1.0 §10.3).
    Misaligned { offset: u32 },
    /// A UTF-16LE string has an odd byte size or an unpaired surrogate (MBIM 1.0 §10.4).
    InvalidUtf16,
    /// A length or count field is inconsistent with the bytes present.
    BadLength { value: u64, limit: u64 },
    /// The message type is not one MBIM defines.
    UnknownMessageType { value: u32 },
    /// A value that must take one of a few values does not.
    BadValue { value: u64 },
}

/// A decoding failure, naming the field and the byte offset (from the start of
/// the buffer that was given to the decoder) where it was detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DecodeError {
    /// The spec name of the field being read (`"ProviderId"`, `"MessageLength"`, ...).
    pub field: &'static str,
    /// Byte offset of the field (or of the pointer to it) in the decoded buffer.
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}: ", self.field, self.offset)?;
        match &self.kind {
            DecodeErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} available")
            }
            DecodeErrorKind::OffsetOutOfBounds { offset, size, len } => write!(
                f,
                "offset {offset} + size {size} lies outside the {len}-byte buffer"
            ),
            DecodeErrorKind::Misaligned { offset } => {
                write!(f, "offset {offset} is not a multiple of 4")
            }
            DecodeErrorKind::InvalidUtf16 => write!(f, "invalid UTF-16LE string"),
            DecodeErrorKind::BadLength { value, limit } => {
                write!(f, "length {value} is inconsistent (limit {limit})")
            }
            DecodeErrorKind::UnknownMessageType { value } => {
                write!(f, "unknown message type 0x{value:08x}")
            }
            DecodeErrorKind::BadValue { value } => write!(f, "invalid value {value}"),
        }
    }
}

impl DecodeError {
    /// The same error with its offset moved by `by` bytes, for when the decoded
    /// buffer was a slice of a larger one (e.g. the information buffer of a message).
    #[must_use]
    pub fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }
}

/// An encoding failure: the value cannot be represented on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EncodeError {
    /// A string is longer than the spec allows for its field.
    #[error("{field}: {len} bytes exceeds the maximum of {max}")]
    StringTooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    /// A field does not fit the 32-bit size or count the wire format has for it.
    #[error("{field}: {len} does not fit in 32 bits")]
    TooLarge { field: &'static str, len: usize },
    /// The encoded message exceeds the transfer size the caller allows.
    #[error("message of {len} bytes exceeds the maximum transfer of {max}")]
    ExceedsMaxTransfer { len: usize, max: usize },
    /// A value is not valid for its field (e.g. a fragment count of zero).
    #[error("{field}: invalid value")]
    InvalidValue { field: &'static str },
}
