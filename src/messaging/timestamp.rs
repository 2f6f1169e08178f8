//! TP-SCTS / TP-DT timestamps (TS 23.040 §9.2.3.11) and TP-VP validity
//! periods (§9.2.3.12). Values are kept as sent (two-digit year, local time
//! plus zone); nothing here reads a clock.

use super::error::{EncodeError, PduError, Reader};
use std::fmt;

/// A service-centre timestamp: local time and its offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Year within the century, 0..=99 (read as 20YY).
    pub year: u8,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=59.
    pub second: u8,
    /// Offset of local time from UTC in quarter hours, -79..=79.
    pub tz_quarters: i8,
}

/// Swapped-nibble BCD octet: low nibble is the tens digit.
fn bcd(v: u8, field: &'static str, offset: usize) -> Result<u8, PduError> {
    let (tens, units) = (v & 0x0F, v >> 4);
    if tens > 9 || units > 9 {
        return Err(PduError::Invalid {
            field,
            offset,
            value: u32::from(v),
            reason: "semi-octet is not a decimal digit",
        });
    }
    Ok(tens * 10 + units)
}

fn to_bcd(v: u8) -> u8 {
    (v % 10) << 4 | (v / 10 % 10)
}

impl Timestamp {
    /// Decode the 7 octets.
    pub(crate) fn decode(r: &mut Reader<'_>, field: &'static str) -> Result<Self, PduError> {
        let at = r.offset();
        let o = r.take(7, field)?;
        let d = |i: usize| bcd(o[i], field, at + i);
        // TZ: first semi-octet (low nibble) carries the sign in bit 3.
        let tz = o[6];
        let magnitude = bcd(tz & 0xF7, field, at + 6)?;
        let negative = tz & 0x08 != 0;
        if magnitude > 79 {
            return Err(PduError::Invalid {
                field,
                offset: at + 6,
                value: u32::from(tz),
                reason: "time zone beyond ±19:45",
            });
        }
        let q = magnitude as i8;
        Ok(Timestamp {
            year: d(0)?,
            month: d(1)?,
            day: d(2)?,
            hour: d(3)?,
            minute: d(4)?,
            second: d(5)?,
            tz_quarters: if negative { -q } else { q },
        })
    }

    /// Encode the 7 octets. Fields must be in 0..=99 and the zone within
    /// ±79 quarter hours.
    pub fn encode(&self, out: &mut Vec<u8>, field: &'static str) -> Result<(), EncodeError> {
        let parts = [
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        ];
        if parts.iter().any(|&p| p > 99) {
            return Err(EncodeError::Invalid {
                field,
                reason: "timestamp field above 99",
            });
        }
        if !(-79..=79).contains(&self.tz_quarters) {
            return Err(EncodeError::Invalid {
                field,
                reason: "time zone beyond ±79 quarter hours",
            });
        }
        out.extend(parts.iter().map(|&p| to_bcd(p)));
        let tz = to_bcd(self.tz_quarters.unsigned_abs());
        out.push(if self.tz_quarters < 0 { tz | 0x08 } else { tz });
        Ok(())
    }

    /// Offset from UTC in minutes.
    pub fn offset_minutes(&self) -> i32 {
        i32::from(self.tz_quarters) * 15
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 with the zone, e.g. `2021-03-04T05:06:07+01:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let off = self.offset_minutes();
        let sign = if off < 0 { '-' } else { '+' };
        let off = off.unsigned_abs();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
            2000 + u32::from(self.year),
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        )
    }
}

/// TP-VP (TS 23.040 §9.2.3.12), in the format TP-VPF selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidityPeriod {
    /// TP-VPF 10: one octet, see [`ValidityPeriod::relative_minutes`].
    Relative(u8),
    /// TP-VPF 11: an absolute time in the TP-SCTS format.
    Absolute(Timestamp),
    /// TP-VPF 01: seven octets, kept raw; see
    /// [`ValidityPeriod::enhanced_seconds`].
    Enhanced([u8; 7]),
}

impl ValidityPeriod {
    /// The TP-VPF bits (4..3 of the first octet) for this format.
    pub fn vpf(&self) -> u8 {
        match self {
            ValidityPeriod::Relative(_) => 0b10,
            ValidityPeriod::Enhanced(_) => 0b01,
            ValidityPeriod::Absolute(_) => 0b11,
        }
    }

    /// Minutes of a relative TP-VP octet (TS 23.040 §9.2.3.12.1).
    pub fn relative_minutes(v: u8) -> u32 {
        let v = u32::from(v);
        match v {
            0..=143 => (v + 1) * 5,
            144..=167 => 12 * 60 + (v - 143) * 30,
            168..=196 => (v - 166) * 24 * 60,
            _ => (v - 192) * 7 * 24 * 60,
        }
    }

    /// The smallest relative TP-VP octet lasting at least `minutes`
    /// (capped at 63 weeks).
    pub fn relative_from_minutes(minutes: u32) -> Self {
        let v = (0..=255u8)
            .find(|&v| Self::relative_minutes(v) >= minutes)
            .unwrap_or(255);
        ValidityPeriod::Relative(v)
    }

    /// Duration in seconds of an enhanced validity period
    /// (TS 23.040 §9.2.3.12.3), or `None` when it gives none or uses a
    /// reserved format.
    pub fn enhanced_seconds(raw: &[u8; 7]) -> Option<u32> {
        let dec = |b: u8| {
            let (t, u) = (b & 0x0F, b >> 4);
            (t <= 9 && u <= 9).then_some(u32::from(t) * 10 + u32::from(u))
        };
        match raw[0] & 0x07 {
            0b001 => Some(Self::relative_minutes(raw[1]) * 60),
            0b010 => Some(u32::from(raw[1])),
            0b011 => Some(dec(raw[1])? * 3600 + dec(raw[2])? * 60 + dec(raw[3])?),
            _ => None,
        }
    }

    /// Whether an enhanced validity period asks for single-shot delivery.
    pub fn enhanced_single_shot(raw: &[u8; 7]) -> bool {
        raw[0] & 0x40 != 0
    }

    /// How long the message stays valid, in seconds, when the format says
    /// (absolute periods are a point in time, so `None`).
    pub fn duration_seconds(&self) -> Option<u32> {
        match self {
            ValidityPeriod::Relative(v) => Some(Self::relative_minutes(*v) * 60),
            ValidityPeriod::Enhanced(raw) => Self::enhanced_seconds(raw),
            ValidityPeriod::Absolute(_) => None,
        }
    }

    pub(crate) fn decode(
        vpf: u8,
        r: &mut Reader<'_>,
        field: &'static str,
    ) -> Result<Option<Self>, PduError> {
        Ok(match vpf & 3 {
            0b00 => None,
            0b10 => Some(ValidityPeriod::Relative(r.u8(field)?)),
            0b11 => Some(ValidityPeriod::Absolute(Timestamp::decode(r, field)?)),
            _ => {
                let mut raw = [0u8; 7];
                raw.copy_from_slice(r.take(7, field)?);
                Some(ValidityPeriod::Enhanced(raw))
            }
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>, field: &'static str) -> Result<(), EncodeError> {
        match self {
            ValidityPeriod::Relative(v) => out.push(*v),
            ValidityPeriod::Absolute(t) => t.encode(out, field)?,
            ValidityPeriod::Enhanced(raw) => out.extend_from_slice(raw),
        }
        Ok(())
    }
}

impl fmt::Display for ValidityPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidityPeriod::Relative(v) => {
                write!(f, "relative {} minutes", Self::relative_minutes(*v))
            }
            ValidityPeriod::Absolute(t) => write!(f, "absolute {t}"),
            ValidityPeriod::Enhanced(raw) => match Self::enhanced_seconds(raw) {
                Some(s) => write!(f, "enhanced {s} seconds"),
                None => write!(f, "enhanced (format {:#04x}, no duration)", raw[0]),
            },
        }
    }
}
