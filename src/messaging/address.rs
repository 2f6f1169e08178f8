//! Addresses: TP-OA/TP-DA/TP-RA (TS 23.040 §9.1.2.5) and the SMSC address
//! that MBIM and AT `+CMGR` put in front of a TPDU (TS 24.011 §8.2.5.1 RP
//! address, with its length in octets as TS 27.005 §3.1 PDU mode shows it).
//!
//! Digits are semi-octet BCD (with `*`, `#`, `a`, `b`, `c`); alphanumeric
//! addresses are GSM 7-bit packed. No number normalisation happens here.

use super::error::{EncodeError, PduError, Reader};
use super::gsm7;
use std::fmt;

/// Type of number (TS 23.040 §9.1.2.5, bits 6..4 of the type octet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeOfNumber {
    /// 000 unknown.
    Unknown,
    /// 001 international (shown with a leading `+`).
    International,
    /// 010 national.
    National,
    /// 011 network specific.
    NetworkSpecific,
    /// 100 subscriber number.
    Subscriber,
    /// 101 alphanumeric (GSM 7-bit packed).
    Alphanumeric,
    /// 110 abbreviated number.
    Abbreviated,
    /// 111 reserved for extension.
    Reserved,
}

impl TypeOfNumber {
    /// From the 3-bit value.
    pub fn from_bits(b: u8) -> Self {
        match b & 7 {
            0 => Self::Unknown,
            1 => Self::International,
            2 => Self::National,
            3 => Self::NetworkSpecific,
            4 => Self::Subscriber,
            5 => Self::Alphanumeric,
            6 => Self::Abbreviated,
            _ => Self::Reserved,
        }
    }

    /// The 3-bit value.
    pub fn bits(self) -> u8 {
        self as u8
    }

    /// Lower-case name for display.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::International => "international",
            Self::National => "national",
            Self::NetworkSpecific => "network-specific",
            Self::Subscriber => "subscriber",
            Self::Alphanumeric => "alphanumeric",
            Self::Abbreviated => "abbreviated",
            Self::Reserved => "reserved",
        }
    }
}

/// Numbering plan identification (TS 23.040 §9.1.2.5, bits 3..0): an open
/// value with the named plans as constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NumberingPlan(pub u8);

impl NumberingPlan {
    /// 0000 unknown.
    pub const UNKNOWN: Self = Self(0);
    /// 0001 ISDN/telephone (E.164/E.163).
    pub const ISDN: Self = Self(1);
    /// 0011 data (X.121).
    pub const DATA: Self = Self(3);
    /// 0100 telex.
    pub const TELEX: Self = Self(4);
    /// 0101 service centre specific.
    pub const SC_SPECIFIC_5: Self = Self(5);
    /// 0110 service centre specific.
    pub const SC_SPECIFIC_6: Self = Self(6);
    /// 1000 national.
    pub const NATIONAL: Self = Self(8);
    /// 1001 private.
    pub const PRIVATE: Self = Self(9);
    /// 1010 ERMES.
    pub const ERMES: Self = Self(10);
}

/// A TP or SMSC address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// Type of number.
    pub type_of_number: TypeOfNumber,
    /// Numbering plan.
    pub numbering_plan: NumberingPlan,
    /// Digits (`0-9 * # a b c`) without any `+`, or the text of an
    /// alphanumeric address.
    pub value: String,
}

/// Largest address value: 10 octets = 20 semi-octets (TS 23.040 §9.1.2.5).
const MAX_VALUE_OCTETS: usize = 10;

impl Address {
    /// An international E.164 number (`digits` without `+`).
    pub fn international(digits: &str) -> Self {
        Address {
            type_of_number: TypeOfNumber::International,
            numbering_plan: NumberingPlan::ISDN,
            value: digits.to_owned(),
        }
    }

    /// An alphanumeric sender such as "Operator".
    pub fn alphanumeric(text: &str) -> Self {
        Address {
            type_of_number: TypeOfNumber::Alphanumeric,
            numbering_plan: NumberingPlan::UNKNOWN,
            value: text.to_owned(),
        }
    }

    /// Read a number the way a user writes it: a leading `+` makes it
    /// international ISDN; digits (and `* #`) alone make it unknown-type
    /// ISDN; anything else is alphanumeric.
    pub fn from_user(s: &str) -> Self {
        if let Some(d) = s.strip_prefix('+')
            && !d.is_empty()
            && d.chars().all(is_bcd_char)
        {
            return Self::international(d);
        }
        if !s.is_empty() && s.chars().all(is_bcd_char) {
            return Address {
                type_of_number: TypeOfNumber::Unknown,
                numbering_plan: NumberingPlan::ISDN,
                value: s.to_owned(),
            };
        }
        Self::alphanumeric(s)
    }

    fn type_octet(&self) -> u8 {
        0x80 | self.type_of_number.bits() << 4 | (self.numbering_plan.0 & 0x0F)
    }

    fn value_octets(&self, field: &'static str) -> Result<(Vec<u8>, usize), EncodeError> {
        if self.type_of_number == TypeOfNumber::Alphanumeric {
            let septets = gsm7::to_septets(&self.value, field)?;
            let packed = gsm7::pack(&septets, 0);
            // Semi-octets actually used by the packed septets.
            let semi = (septets.len() * 7).div_ceil(4);
            Ok((packed, semi))
        } else {
            let nibbles = self
                .value
                .chars()
                .map(|c| {
                    bcd_nibble(c).ok_or(EncodeError::Invalid {
                        field,
                        reason: "address digit outside 0-9 * # a b c",
                    })
                })
                .collect::<Result<Vec<u8>, _>>()?;
            let octets = nibbles
                .chunks(2)
                .map(|p| p[0] | p.get(1).copied().unwrap_or(0x0F) << 4)
                .collect();
            Ok((octets, nibbles.len()))
        }
    }

    /// Encode as a TP address: length in semi-octets, type, value.
    pub fn encode_tp(&self, out: &mut Vec<u8>, field: &'static str) -> Result<(), EncodeError> {
        let (octets, semi) = self.value_octets(field)?;
        if octets.len() > MAX_VALUE_OCTETS {
            return Err(EncodeError::TooLong {
                field,
                len: octets.len(),
                max: MAX_VALUE_OCTETS,
                unit: "address octets",
            });
        }
        out.push(semi as u8);
        out.push(self.type_octet());
        out.extend_from_slice(&octets);
        Ok(())
    }

    /// Decode a TP address (length in semi-octets).
    pub(crate) fn decode_tp(r: &mut Reader<'_>, field: &'static str) -> Result<Self, PduError> {
        let at = r.offset();
        let semi = usize::from(r.u8(field)?);
        let octets = semi.div_ceil(2);
        if octets > MAX_VALUE_OCTETS {
            return Err(PduError::Invalid {
                field,
                offset: at,
                value: semi as u32,
                reason: "address longer than 20 semi-octets",
            });
        }
        let toa = r.u8(field)?;
        let value = r.take(octets, field)?;
        Ok(Self::from_parts(toa, value, semi))
    }

    /// Encode as the SMSC prefix: length in octets (type octet included),
    /// or a single 0 for `None` ("use the SMSC stored in the SIM").
    pub fn encode_smsc(
        smsc: Option<&Self>,
        out: &mut Vec<u8>,
        field: &'static str,
    ) -> Result<(), EncodeError> {
        let Some(a) = smsc else {
            out.push(0);
            return Ok(());
        };
        let (octets, _) = a.value_octets(field)?;
        if octets.len() > MAX_VALUE_OCTETS {
            return Err(EncodeError::TooLong {
                field,
                len: octets.len(),
                max: MAX_VALUE_OCTETS,
                unit: "address octets",
            });
        }
        out.push(octets.len() as u8 + 1);
        out.push(a.type_octet());
        out.extend_from_slice(&octets);
        Ok(())
    }

    /// Decode the SMSC prefix (length in octets).
    pub(crate) fn decode_smsc(
        r: &mut Reader<'_>,
        field: &'static str,
    ) -> Result<Option<Self>, PduError> {
        let at = r.offset();
        let len = usize::from(r.u8(field)?);
        if len == 0 {
            return Ok(None);
        }
        if len > MAX_VALUE_OCTETS + 1 {
            return Err(PduError::Invalid {
                field,
                offset: at,
                value: len as u32,
                reason: "SMSC address longer than 11 octets",
            });
        }
        let toa = r.u8(field)?;
        let value = r.take(len - 1, field)?;
        let mut a = Self::from_parts(toa, value, value.len() * 2);
        // An octet-counted alphanumeric value whose septets end exactly on an
        // octet boundary may carry 7 zero padding bits that read as '@'.
        if a.type_of_number == TypeOfNumber::Alphanumeric
            && value.len().is_multiple_of(7)
            && a.value.ends_with('@')
        {
            a.value.pop();
        }
        Ok(Some(a))
    }

    fn from_parts(toa: u8, value: &[u8], semi: usize) -> Self {
        let type_of_number = TypeOfNumber::from_bits(toa >> 4);
        let numbering_plan = NumberingPlan(toa & 0x0F);
        let value = if type_of_number == TypeOfNumber::Alphanumeric {
            gsm7::from_septets(&gsm7::unpack(value, 0, semi * 4 / 7))
        } else {
            value
                .iter()
                .flat_map(|b| [b & 0x0F, b >> 4])
                .take(semi)
                // 0xF is the filler; one in mid-number is skipped rather
                // than refusing the message.
                .filter_map(bcd_char)
                .collect()
        };
        Address {
            type_of_number,
            numbering_plan,
            value,
        }
    }
}

impl fmt::Display for Address {
    /// International numbers get a leading `+`; others are shown as stored.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.type_of_number == TypeOfNumber::International {
            write!(f, "+{}", self.value)
        } else {
            f.write_str(&self.value)
        }
    }
}

fn is_bcd_char(c: char) -> bool {
    bcd_nibble(c).is_some()
}

fn bcd_nibble(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '*' => Some(0xA),
        '#' => Some(0xB),
        'a' => Some(0xC),
        'b' => Some(0xD),
        'c' => Some(0xE),
        _ => None,
    }
}

fn bcd_char(n: u8) -> Option<char> {
    match n {
        0..=9 => Some(char::from(b'0' + n)),
        0xA => Some('*'),
        0xB => Some('#'),
        0xC => Some('a'),
        0xD => Some('b'),
        0xE => Some('c'),
        _ => None,
    }
}
