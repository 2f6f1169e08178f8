//! Data coding schemes: TP-DCS of SMS (TS 23.038 §4) and the Cell Broadcast
//! coding that USSD uses (TS 23.038 §5). Both are kept as the raw octet (so a
//! PDU re-encodes to the same value) with accessors for what it means.

/// Character set of user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// GSM 7-bit default alphabet, packed.
    Gsm7,
    /// 8-bit data (opaque octets).
    EightBit,
    /// UCS-2 (read as UTF-16BE).
    Ucs2,
}

impl Alphabet {
    /// Short name for display.
    pub fn name(self) -> &'static str {
        match self {
            Alphabet::Gsm7 => "gsm7",
            Alphabet::EightBit => "8bit",
            Alphabet::Ucs2 => "ucs2",
        }
    }
}

/// Message class (TS 23.038 §4, bits 1..0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageClass {
    /// Class 0: flash, display immediately.
    Class0,
    /// Class 1: ME specific.
    Class1,
    /// Class 2: (U)SIM specific.
    Class2,
    /// Class 3: TE specific.
    Class3,
}

impl MessageClass {
    fn from_bits(b: u8) -> Self {
        match b & 3 {
            0 => MessageClass::Class0,
            1 => MessageClass::Class1,
            2 => MessageClass::Class2,
            _ => MessageClass::Class3,
        }
    }

    /// The class number 0..=3.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// Message Waiting Indication carried in the DCS (TS 23.038 §4, groups
/// 1100..1110).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageWaiting {
    /// Whether the message may be discarded after showing the indication.
    pub discard: bool,
    /// Indication set (true) or cleared.
    pub active: bool,
    /// 0 voicemail, 1 fax, 2 e-mail, 3 other.
    pub kind: u8,
}

/// TP-Data-Coding-Scheme (TS 23.038 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DataCodingScheme(pub u8);

impl DataCodingScheme {
    /// GSM 7-bit, no class.
    pub const GSM7: Self = Self(0x00);
    /// 8-bit data, no class.
    pub const EIGHT_BIT: Self = Self(0x04);
    /// UCS-2, no class.
    pub const UCS2: Self = Self(0x08);

    /// The DCS for `alphabet` with no class and no compression.
    pub fn for_alphabet(alphabet: Alphabet) -> Self {
        match alphabet {
            Alphabet::Gsm7 => Self::GSM7,
            Alphabet::EightBit => Self::EIGHT_BIT,
            Alphabet::Ucs2 => Self::UCS2,
        }
    }

    fn group(self) -> u8 {
        self.0 >> 4
    }

    /// Character set of the user data. Reserved values are read as GSM
    /// 7-bit, as TS 23.038 §4 asks of a receiver.
    pub fn alphabet(self) -> Alphabet {
        match self.group() {
            0x0..=0x7 => match (self.0 >> 2) & 3 {
                1 => Alphabet::EightBit,
                2 => Alphabet::Ucs2,
                _ => Alphabet::Gsm7,
            },
            0xE => Alphabet::Ucs2,
            0xF if self.0 & 0x04 != 0 => Alphabet::EightBit,
            _ => Alphabet::Gsm7,
        }
    }

    /// Whether the user data is compressed (TS 23.042); then TP-UDL counts
    /// octets and the codec hands the octets over undecoded.
    pub fn compressed(self) -> bool {
        self.group() <= 0x7 && self.0 & 0x20 != 0
    }

    /// Message class, if the DCS gives one.
    pub fn class(self) -> Option<MessageClass> {
        match self.group() {
            0x0..=0x7 if self.0 & 0x10 != 0 => Some(MessageClass::from_bits(self.0)),
            0xF => Some(MessageClass::from_bits(self.0)),
            _ => None,
        }
    }

    /// Whether the message is marked for automatic deletion (groups 01xx).
    pub fn automatic_deletion(self) -> bool {
        (0x4..=0x7).contains(&self.group())
    }

    /// Message Waiting Indication, if the DCS is one.
    pub fn message_waiting(self) -> Option<MessageWaiting> {
        let discard = match self.group() {
            0xC => true,
            0xD | 0xE => false,
            _ => return None,
        };
        Some(MessageWaiting {
            discard,
            active: self.0 & 0x08 != 0,
            kind: self.0 & 0x03,
        })
    }
}

/// Cell Broadcast / USSD data coding scheme (TS 23.038 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CbsDataCodingScheme(pub u8);

impl CbsDataCodingScheme {
    /// GSM 7-bit, language unspecified: what handsets send USSD with.
    pub const GSM7: Self = Self(0x0F);
    /// UCS-2 via the general data coding group (01xx, alphabet bits 10).
    pub const UCS2: Self = Self(0x48);

    /// Character set (reserved values read as GSM 7-bit).
    pub fn alphabet(self) -> Alphabet {
        match self.0 >> 4 {
            0x0 | 0x2 | 0x3 => Alphabet::Gsm7,
            0x1 => {
                if self.0 & 0x0F == 1 {
                    Alphabet::Ucs2
                } else {
                    Alphabet::Gsm7
                }
            }
            0x4..=0x7 | 0x9 => match (self.0 >> 2) & 3 {
                1 => Alphabet::EightBit,
                2 => Alphabet::Ucs2,
                _ => Alphabet::Gsm7,
            },
            0xF if self.0 & 0x04 != 0 => Alphabet::EightBit,
            _ => Alphabet::Gsm7,
        }
    }

    /// Whether the text starts with an ISO 639 language indication
    /// (0x10: three GSM 7-bit characters "xx\r"; 0x11: two packed GSM 7-bit
    /// characters in the first two octets, then UCS-2).
    pub fn language_prefixed(self) -> bool {
        self.0 == 0x10 || self.0 == 0x11
    }

    /// Whether the data is compressed (groups 01xx, bit 5).
    pub fn compressed(self) -> bool {
        (0x4..=0x7).contains(&(self.0 >> 4)) && self.0 & 0x20 != 0
    }
}
