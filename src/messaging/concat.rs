//! Splitting a long text into concatenated SMS parts for sending, and
//! joining the parts' texts back (TS 23.040 §9.2.3.24.1, TS 23.038 §6).
//!
//! Splitting chooses GSM 7-bit when every character fits (extension
//! characters count two septets) and UCS-2 otherwise; part boundaries never
//! cut an escape sequence or a surrogate pair. Reassembly across modem reads,
//! restarts and timeouts is the messaging store's job, not this module's:
//! [`reassemble_text`] only joins a complete, validated set of parts.

use super::dcs::{Alphabet, DataCodingScheme};
use super::error::EncodeError;
use super::gsm7;
use super::udh::{
    Concat, ConcatReference, InformationElement, MAX_UD_OCTETS, MAX_UD_SEPTETS, UserData,
    UserDataBody, UserDataHeader,
};

/// The user data of each part of a text, ready for [`super::pdu::Submit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitText {
    /// Coding shared by every part.
    pub data_coding_scheme: DataCodingScheme,
    /// Parts in order; a single part carries no header.
    pub parts: Vec<UserData>,
}

/// Most parts a concatenated message can have.
pub const MAX_PARTS: usize = 255;

/// Capacity of one part, in septets (GSM 7-bit) or UTF-16 units (UCS-2),
/// for a message with no header (`None`) or a concatenation header with this
/// reference size: 160/153(/152) septets, 70/67(/66) units.
pub fn part_capacity(alphabet: Alphabet, reference: Option<ConcatReference>) -> usize {
    // UDHL octet + the concatenation element.
    let header = reference.map_or(0, |r| 1 + r.element_len());
    match alphabet {
        Alphabet::Gsm7 => MAX_UD_SEPTETS - (header * 8).div_ceil(7),
        Alphabet::Ucs2 => (MAX_UD_OCTETS - header) / 2,
        Alphabet::EightBit => MAX_UD_OCTETS - header,
    }
}

/// Split `text` into as few parts as possible; `reference` is used when more
/// than one part is needed (its size picks IEI 0x00 or 0x08).
pub fn split_text(text: &str, reference: ConcatReference) -> Result<SplitText, EncodeError> {
    let alphabet = if gsm7::is_gsm7(text) {
        Alphabet::Gsm7
    } else {
        Alphabet::Ucs2
    };
    // Every char is atomic: its septets (1 or 2) or UTF-16 units (1 or 2).
    let cost = |c: char| match alphabet {
        Alphabet::Gsm7 => gsm7::char_septets(c).map_or(1, gsm7::Septets::len),
        _ => c.len_utf16(),
    };
    let total: usize = text.chars().map(cost).sum();
    let data_coding_scheme = DataCodingScheme::for_alphabet(alphabet);
    if total <= part_capacity(alphabet, None) {
        return Ok(SplitText {
            data_coding_scheme,
            parts: vec![UserData::text(text)],
        });
    }
    let capacity = part_capacity(alphabet, Some(reference));
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for c in text.chars() {
        let n = cost(c);
        if used + n > capacity {
            chunks.push(std::mem::take(&mut current));
            used = 0;
        }
        current.push(c);
        used += n;
    }
    chunks.push(current);
    let count = chunks.len();
    let total_parts = u8::try_from(count).map_err(|_| EncodeError::TooLong {
        field: "TP-UD",
        len: count,
        max: MAX_PARTS,
        unit: "parts",
    })?;
    let parts = chunks
        .into_iter()
        .zip(1..=total_parts)
        .map(|(chunk, sequence)| UserData {
            header: Some(UserDataHeader {
                elements: vec![InformationElement::Concat(Concat {
                    reference,
                    total: total_parts,
                    sequence,
                })],
            }),
            body: UserDataBody::Text(chunk),
        })
        .collect();
    Ok(SplitText {
        data_coding_scheme,
        parts,
    })
}

/// Why a set of parts cannot be joined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReassemblyError {
    /// No parts given.
    #[error("no parts")]
    Empty,
    /// A part has no text body (8-bit data).
    #[error("part {index} carries data, not text")]
    NotText {
        /// Index in the input.
        index: usize,
    },
    /// Parts disagree on reference or total, or one lacks the header.
    #[error("part {index} belongs to another message")]
    Mismatch {
        /// Index in the input.
        index: usize,
    },
    /// A sequence number is missing or repeated.
    #[error("parts do not cover 1..={total} exactly once")]
    Incomplete {
        /// Expected number of parts.
        total: u8,
    },
}

/// Join the texts of all parts of one message, given in any order. A single
/// part without concatenation header is returned as is.
pub fn reassemble_text(parts: &[UserData]) -> Result<String, ReassemblyError> {
    let first = parts.first().ok_or(ReassemblyError::Empty)?;
    let Some(head) = first.concat() else {
        return match (parts.len(), first.body_text()) {
            (1, Some(t)) => Ok(t.to_owned()),
            (1, None) => Err(ReassemblyError::NotText { index: 0 }),
            _ => Err(ReassemblyError::Mismatch { index: 1 }),
        };
    };
    let mut slots: Vec<Option<&str>> = vec![None; usize::from(head.total)];
    for (index, p) in parts.iter().enumerate() {
        let c = p.concat().ok_or(ReassemblyError::Mismatch { index })?;
        if c.reference != head.reference || c.total != head.total {
            return Err(ReassemblyError::Mismatch { index });
        }
        let text = p.body_text().ok_or(ReassemblyError::NotText { index })?;
        let slot = slots
            .get_mut(usize::from(c.sequence).wrapping_sub(1))
            .ok_or(ReassemblyError::Incomplete { total: head.total })?;
        if slot.replace(text).is_some() {
            return Err(ReassemblyError::Incomplete { total: head.total });
        }
    }
    slots
        .into_iter()
        .map(|s| s.ok_or(ReassemblyError::Incomplete { total: head.total }))
        .collect()
}
