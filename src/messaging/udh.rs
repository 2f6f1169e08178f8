//! TP-User-Data with its optional User Data Header (TS 23.040 §9.2.3.24):
//! TP-UDL semantics per alphabet, the header's information elements
//! (concatenation with 8- and 16-bit references, application ports), and the
//! fill bits that align GSM 7-bit text after a header.
//!
//! The body is decoded to text for GSM 7-bit and UCS-2 and kept as octets for
//! 8-bit and compressed data. Reassembly of parts belongs to `concat`.

use super::dcs::{Alphabet, DataCodingScheme};
use super::error::{EncodeError, PduError, Reader};
use super::{gsm7, ucs2};

/// IEI of concatenated short messages with an 8-bit reference.
pub const IEI_CONCAT_8: u8 = 0x00;
/// IEI of application port addressing with 8-bit ports.
pub const IEI_PORTS_8: u8 = 0x04;
/// IEI of application port addressing with 16-bit ports.
pub const IEI_PORTS_16: u8 = 0x05;
/// IEI of concatenated short messages with a 16-bit reference.
pub const IEI_CONCAT_16: u8 = 0x08;

/// Maximum TP-UD length in octets (TS 23.040 §9.2.3.24).
pub const MAX_UD_OCTETS: usize = 140;
/// Maximum TP-UD length in septets for GSM 7-bit.
pub const MAX_UD_SEPTETS: usize = 160;

/// One information element of a user data header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InformationElement {
    /// Concatenated short message, IEI 0x00 (8-bit reference) or 0x08
    /// (16-bit reference), TS 23.040 §9.2.3.24.1 and .8.
    Concat(Concat),
    /// Application port addressing, IEI 0x04 (8-bit, `wide == false`) or
    /// 0x05 (16-bit), TS 23.040 §9.2.3.24.3 and .4.
    Ports {
        /// Destination port.
        destination: u16,
        /// Originator port.
        originator: u16,
        /// 16-bit ports (IEI 0x05) rather than 8-bit (0x04).
        wide: bool,
    },
    /// Any other element, or a known one whose contents the spec says to
    /// ignore (wrong length, sequence number 0 or above the total).
    Other {
        /// Information element identifier.
        iei: u8,
        /// Its data.
        data: Vec<u8>,
    },
}

/// Reference size of a concatenation element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConcatReference {
    /// IEI 0x00.
    Eight(u8),
    /// IEI 0x08.
    Sixteen(u16),
}

impl ConcatReference {
    /// The reference as a number.
    pub fn value(self) -> u16 {
        match self {
            ConcatReference::Eight(r) => u16::from(r),
            ConcatReference::Sixteen(r) => r,
        }
    }

    /// Bits in the reference (8 or 16).
    pub fn bits(self) -> u8 {
        match self {
            ConcatReference::Eight(_) => 8,
            ConcatReference::Sixteen(_) => 16,
        }
    }

    /// Octets the whole element takes in a header (IEI, length, data).
    pub fn element_len(self) -> usize {
        match self {
            ConcatReference::Eight(_) => 5,
            ConcatReference::Sixteen(_) => 6,
        }
    }
}

/// Which part of which concatenated message this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Concat {
    /// Reference shared by all parts.
    pub reference: ConcatReference,
    /// Number of parts, 1..=255.
    pub total: u8,
    /// This part's number, 1..=total.
    pub sequence: u8,
}

impl InformationElement {
    fn decode(iei: u8, data: &[u8]) -> Self {
        let other = || InformationElement::Other {
            iei,
            data: data.to_vec(),
        };
        let concat = |reference, total: u8, sequence: u8| {
            if total == 0 || sequence == 0 || sequence > total {
                other()
            } else {
                InformationElement::Concat(Concat {
                    reference,
                    total,
                    sequence,
                })
            }
        };
        match (iei, data) {
            (IEI_CONCAT_8, &[r, t, s]) => concat(ConcatReference::Eight(r), t, s),
            (IEI_CONCAT_16, &[r1, r2, t, s]) => {
                concat(ConcatReference::Sixteen(u16::from_be_bytes([r1, r2])), t, s)
            }
            (IEI_PORTS_8, &[d, o]) => InformationElement::Ports {
                destination: u16::from(d),
                originator: u16::from(o),
                wide: false,
            },
            (IEI_PORTS_16, &[d1, d2, o1, o2]) => InformationElement::Ports {
                destination: u16::from_be_bytes([d1, d2]),
                originator: u16::from_be_bytes([o1, o2]),
                wide: true,
            },
            _ => other(),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            InformationElement::Concat(c) => {
                if c.total == 0 || c.sequence == 0 || c.sequence > c.total {
                    return Err(EncodeError::Invalid {
                        field: "TP-UDH",
                        reason: "concatenation sequence must be in 1..=total",
                    });
                }
                match c.reference {
                    ConcatReference::Eight(r) => out.extend([IEI_CONCAT_8, 3, r]),
                    ConcatReference::Sixteen(r) => {
                        out.extend([IEI_CONCAT_16, 4]);
                        out.extend(r.to_be_bytes());
                    }
                }
                out.extend([c.total, c.sequence]);
            }
            InformationElement::Ports {
                destination,
                originator,
                wide: false,
            } => {
                let (Ok(d), Ok(o)) = (u8::try_from(*destination), u8::try_from(*originator)) else {
                    return Err(EncodeError::Invalid {
                        field: "TP-UDH",
                        reason: "8-bit application port above 255",
                    });
                };
                out.extend([IEI_PORTS_8, 2, d, o]);
            }
            InformationElement::Ports {
                destination,
                originator,
                wide: true,
            } => {
                out.extend([IEI_PORTS_16, 4]);
                out.extend(destination.to_be_bytes());
                out.extend(originator.to_be_bytes());
            }
            InformationElement::Other { iei, data } => {
                let len = u8::try_from(data.len()).map_err(|_| EncodeError::TooLong {
                    field: "TP-UDH",
                    len: data.len(),
                    max: 255,
                    unit: "octets",
                })?;
                out.extend([*iei, len]);
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }
}

/// A user data header: its information elements in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UserDataHeader {
    /// Elements as they appear.
    pub elements: Vec<InformationElement>,
}

impl UserDataHeader {
    /// The first valid concatenation element.
    pub fn concat(&self) -> Option<Concat> {
        self.elements.iter().find_map(|e| match e {
            InformationElement::Concat(c) => Some(*c),
            _ => None,
        })
    }

    /// The first application-port element as (destination, originator).
    pub fn ports(&self) -> Option<(u16, u16)> {
        self.elements.iter().find_map(|e| match e {
            InformationElement::Ports {
                destination,
                originator,
                ..
            } => Some((*destination, *originator)),
            _ => None,
        })
    }

    /// Encoded header including the UDHL octet.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = vec![0u8];
        for e in &self.elements {
            e.encode(&mut out)?;
        }
        let udhl = out.len() - 1;
        out[0] = u8::try_from(udhl).map_err(|_| EncodeError::TooLong {
            field: "TP-UDHL",
            len: udhl,
            max: 255,
            unit: "octets",
        })?;
        Ok(out)
    }

    /// Decode a header (UDHL octet first) from the start of `r`.
    fn decode(r: &mut Reader<'_>) -> Result<Self, PduError> {
        let udhl = usize::from(r.u8("TP-UDHL")?);
        let at = r.offset();
        let body = r.take(udhl, "TP-UDH")?;
        let mut h = Reader::new(body, at);
        let mut elements = Vec::new();
        while h.remaining() > 0 {
            let iei = h.u8("TP-UDH")?;
            let len = usize::from(h.u8("TP-UDH")?);
            let data = h.take(len, "TP-UDH")?;
            elements.push(InformationElement::decode(iei, data));
        }
        Ok(UserDataHeader { elements })
    }
}

/// Body of the user data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserDataBody {
    /// GSM 7-bit or UCS-2 text.
    Text(String),
    /// 8-bit or compressed data.
    Data(Vec<u8>),
}

/// TP-User-Data: optional header plus body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserData {
    /// The header (TP-UDHI set), possibly with no elements.
    pub header: Option<UserDataHeader>,
    /// The body.
    pub body: UserDataBody,
}

impl UserData {
    /// Text body without a header.
    pub fn text(text: &str) -> Self {
        UserData {
            header: None,
            body: UserDataBody::Text(text.to_owned()),
        }
    }

    /// The text, if the body is text.
    pub fn body_text(&self) -> Option<&str> {
        match &self.body {
            UserDataBody::Text(t) => Some(t),
            UserDataBody::Data(_) => None,
        }
    }

    /// The concatenation element, if any.
    pub fn concat(&self) -> Option<Concat> {
        self.header.as_ref().and_then(UserDataHeader::concat)
    }

    /// Decode TP-UDL and TP-UD from `r` per `dcs`; `udhi` is TP-UDHI.
    pub(crate) fn decode(
        r: &mut Reader<'_>,
        dcs: DataCodingScheme,
        udhi: bool,
    ) -> Result<Self, PduError> {
        let udl_at = r.offset();
        let udl = usize::from(r.u8("TP-UDL")?);
        let septets = dcs.alphabet() == Alphabet::Gsm7 && !dcs.compressed();
        let (octets, max) = if septets {
            ((udl * 7).div_ceil(8), MAX_UD_SEPTETS)
        } else {
            (udl, MAX_UD_OCTETS)
        };
        if udl > max {
            return Err(PduError::Invalid {
                field: "TP-UDL",
                offset: udl_at,
                value: udl as u32,
                reason: if septets {
                    "more than 160 septets"
                } else {
                    "more than 140 octets"
                },
            });
        }
        let ud_at = r.offset();
        let ud = r.take(octets, "TP-UD")?;
        let mut u = Reader::new(ud, ud_at);
        let header = if udhi {
            Some(UserDataHeader::decode(&mut u)?)
        } else {
            None
        };
        let header_octets = ud.len() - u.remaining();
        let body = if septets {
            // Text starts at the first septet boundary after the header:
            // that is where the fill bits end (TS 23.040 §9.2.3.24).
            let header_septets = (header_octets * 8).div_ceil(7);
            if header_septets > udl {
                return Err(PduError::Invalid {
                    field: "TP-UDL",
                    offset: udl_at,
                    value: udl as u32,
                    reason: "shorter than the user data header",
                });
            }
            let s = gsm7::unpack(ud, header_septets * 7, udl - header_septets);
            UserDataBody::Text(gsm7::from_septets(&s))
        } else {
            let rest = u.rest();
            match dcs.alphabet() {
                Alphabet::Ucs2 if !dcs.compressed() => UserDataBody::Text(ucs2::decode(rest)),
                _ => UserDataBody::Data(rest.to_vec()),
            }
        };
        Ok(UserData { header, body })
    }

    /// Encode TP-UDL and TP-UD per `dcs`. Returns whether TP-UDHI is set.
    pub fn encode(&self, dcs: DataCodingScheme, out: &mut Vec<u8>) -> Result<bool, EncodeError> {
        let header = match &self.header {
            Some(h) => h.encode()?,
            None => Vec::new(),
        };
        let septets = dcs.alphabet() == Alphabet::Gsm7 && !dcs.compressed();
        let (udl, ud) = match (&self.body, septets) {
            (UserDataBody::Text(t), true) => {
                let s = gsm7::to_septets(t, "TP-UD")?;
                let header_septets = (header.len() * 8).div_ceil(7);
                let mut ud = gsm7::pack(&s, header_septets * 7);
                ud[..header.len()].copy_from_slice(&header);
                let udl = header_septets + s.len();
                if udl > MAX_UD_SEPTETS {
                    return Err(EncodeError::TooLong {
                        field: "TP-UD",
                        len: udl,
                        max: MAX_UD_SEPTETS,
                        unit: "septets",
                    });
                }
                (udl, ud)
            }
            (UserDataBody::Text(t), false)
                if dcs.alphabet() == Alphabet::Ucs2 && !dcs.compressed() =>
            {
                let mut ud = header;
                ud.extend(ucs2::encode(t));
                (ud.len(), ud)
            }
            (UserDataBody::Data(d), false) => {
                let mut ud = header;
                ud.extend_from_slice(d);
                (ud.len(), ud)
            }
            _ => {
                return Err(EncodeError::Invalid {
                    field: "TP-DCS",
                    reason: "body kind does not match the alphabet (text needs GSM 7-bit or UCS-2, data needs 8-bit or compressed)",
                });
            }
        };
        if ud.len() > MAX_UD_OCTETS {
            return Err(EncodeError::TooLong {
                field: "TP-UD",
                len: ud.len(),
                max: MAX_UD_OCTETS,
                unit: "octets",
            });
        }
        out.push(udl as u8);
        out.extend_from_slice(&ud);
        Ok(self.header.is_some())
    }
}
