//! Errors of the SMS/USSD codec: what went wrong, in which 3GPP field and at
//! which octet. Decoding reports the TP-/RP- field name from TS 23.040 so a
//! user of `mbcli sms decode` can find the culprit in the hex.

/// A PDU (or USSD string) that cannot be decoded.
///
/// `offset` counts octets from the start of the input given to the decoder
/// (the SMSC length octet when decoding a message as MBIM/AT deliver it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PduError {
    /// The input ends before the field does.
    #[error(
        "{field} at octet {offset}: PDU ends early ({needed} octet(s) needed, {available} left)"
    )]
    Truncated {
        /// TS 23.040 field name, e.g. "TP-OA".
        field: &'static str,
        /// Octet offset of the field.
        offset: usize,
        /// Octets the field needs.
        needed: usize,
        /// Octets that were left.
        available: usize,
    },
    /// The field holds a value the spec does not allow.
    #[error("{field} at octet {offset}: {reason} (value {value:#x})")]
    Invalid {
        /// TS 23.040 field name, e.g. "TP-UDL".
        field: &'static str,
        /// Octet offset of the field.
        offset: usize,
        /// The offending value.
        value: u32,
        /// Why it is refused.
        reason: &'static str,
    },
}

impl PduError {
    /// The TS 23.040 name of the field that failed.
    pub fn field(&self) -> &'static str {
        match self {
            PduError::Truncated { field, .. } | PduError::Invalid { field, .. } => field,
        }
    }

    /// Octet offset of the field that failed.
    pub fn offset(&self) -> usize {
        match self {
            PduError::Truncated { offset, .. } | PduError::Invalid { offset, .. } => *offset,
        }
    }
}

/// A message that cannot be encoded as a PDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A character outside the GSM 7-bit default alphabet and its extension
    /// table (TS 23.038 §6.2.1) where GSM 7-bit was asked for.
    #[error("{field}: character {ch:?} has no GSM 7-bit encoding")]
    NotGsm7 {
        /// Field being encoded.
        field: &'static str,
        /// The character.
        ch: char,
    },
    /// A field is longer than the spec allows.
    #[error("{field}: {len} {unit} exceed the maximum of {max}")]
    TooLong {
        /// Field being encoded.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
        /// What `len` and `max` count ("septets", "octets", "digits", ...).
        unit: &'static str,
    },
    /// A field value the spec does not allow.
    #[error("{field}: {reason}")]
    Invalid {
        /// Field being encoded.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// Cursor over a PDU that turns short reads into [`PduError::Truncated`].
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// Reader over `data`, whose first octet is at `base` in the caller's input.
    pub(crate) fn new(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base }
    }

    /// Offset of the next octet in the caller's input.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Octets not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, PduError> {
        Ok(self.take(1, field)?[0])
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], PduError> {
        let available = self.remaining();
        if n > available {
            return Err(PduError::Truncated {
                field,
                offset: self.offset(),
                needed: n,
                available,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Everything not read yet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = &self.data[self.pos..];
        self.pos = self.data.len();
        s
    }
}
