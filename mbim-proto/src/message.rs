//! The nine MBIM control messages (MBIM 1.0 §9): decode and encode of whole,
//! unfragmented messages, and of the headers every fragment carries.
//!
//! Fragmented COMMAND / COMMAND_DONE / INDICATE_STATUS pieces are handled by
//! [`crate::fragment`]; a reassembled message decodes here like any other.
//! The information buffer is borrowed when decoding so that no copy is made.

use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::status::{ProtocolErrorCode, Status};
use crate::wire::{PError, PResult, Uuid, done, finish, u32le, uuid};
use std::borrow::Cow;

crate::wire_enum! {
    /// MBIM_MESSAGE_TYPE (MBIM 1.0 Table 9-3).
    pub struct MessageType(u32) {
        OPEN = 0x0000_0001 => "open",
        CLOSE = 0x0000_0002 => "close",
        COMMAND = 0x0000_0003 => "command",
        HOST_ERROR = 0x0000_0004 => "host-error",
        OPEN_DONE = 0x8000_0001 => "open-done",
        CLOSE_DONE = 0x8000_0002 => "close-done",
        COMMAND_DONE = 0x8000_0003 => "command-done",
        FUNCTION_ERROR = 0x8000_0004 => "function-error",
        INDICATE_STATUS = 0x8000_0007 => "indicate-status",
    }
}

impl MessageType {
    /// Whether messages of this type carry the fragment header (MBIM 1.0 §9.2).
    pub fn is_fragmentable(self) -> bool {
        matches!(
            self,
            MessageType::COMMAND | MessageType::COMMAND_DONE | MessageType::INDICATE_STATUS
        )
    }

    /// The smallest MessageLength a message of this type may have.
    pub fn min_length(self) -> usize {
        match self {
            MessageType::CLOSE => 12,
            MessageType::COMMAND | MessageType::COMMAND_DONE | MessageType::INDICATE_STATUS => 20,
            _ => 16,
        }
    }

    /// Length of the full (unfragmented) fixed header, before the information buffer.
    pub fn full_header_length(self) -> usize {
        match self {
            MessageType::COMMAND | MessageType::COMMAND_DONE => 48,
            MessageType::INDICATE_STATUS => 44,
            other => other.min_length(),
        }
    }
}

crate::wire_enum! {
    /// MBIM_COMMAND_TYPE.
    pub struct CommandType(u32) {
        QUERY = 0 => "query",
        SET = 1 => "set",
    }
}

/// MBIM_MESSAGE_HEADER: present at the start of every message and fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Header {
    pub message_type: MessageType,
    pub message_length: u32,
    pub transaction_id: u32,
}

/// MBIM_FRAGMENT_HEADER: follows the header in COMMAND, COMMAND_DONE, INDICATE_STATUS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FragmentHeader {
    pub total_fragments: u32,
    pub current_fragment: u32,
}

impl FragmentHeader {
    /// The header of an unfragmented message.
    pub const SINGLE: FragmentHeader = FragmentHeader {
        total_fragments: 1,
        current_fragment: 0,
    };
}

impl Header {
    /// Read the 12-byte header at the start of `bytes` (any message type accepted).
    pub fn peek(bytes: &[u8]) -> Result<Header, DecodeError> {
        finish(bytes, done(parse_header_raw(bytes)).map(|(_, h)| h))
    }
}

fn parse_header_raw(i: &[u8]) -> PResult<'_, Header> {
    let (r, message_type) = u32le("MessageType")(i)?;
    let (r, message_length) = u32le("MessageLength")(r)?;
    let (r, transaction_id) = u32le("TransactionId")(r)?;
    Ok((
        r,
        Header {
            message_type: MessageType(message_type),
            message_length,
            transaction_id,
        },
    ))
}

/// MBIM_COMMAND_MSG (host → device).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Command<'a> {
    pub transaction_id: u32,
    pub service: Uuid,
    pub cid: u32,
    pub command_type: CommandType,
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_hex"))]
    pub information_buffer: Cow<'a, [u8]>,
}

/// MBIM_COMMAND_DONE (device → host).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CommandDone<'a> {
    pub transaction_id: u32,
    pub service: Uuid,
    pub cid: u32,
    pub status: Status,
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_hex"))]
    pub information_buffer: Cow<'a, [u8]>,
}

/// MBIM_INDICATE_STATUS_MSG (device → host, unsolicited).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IndicateStatus<'a> {
    pub transaction_id: u32,
    pub service: Uuid,
    pub cid: u32,
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_hex"))]
    pub information_buffer: Cow<'a, [u8]>,
}

#[cfg(feature = "serde")]
fn ser_hex<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&crate::hex::Hex(b))
}

/// One whole MBIM control message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
pub enum Message<'a> {
    Open {
        transaction_id: u32,
        max_control_transfer: u32,
    },
    Close {
        transaction_id: u32,
    },
    Command(Command<'a>),
    HostError {
        transaction_id: u32,
        error_status_code: ProtocolErrorCode,
    },
    OpenDone {
        transaction_id: u32,
        status: Status,
    },
    CloseDone {
        transaction_id: u32,
        status: Status,
    },
    CommandDone(CommandDone<'a>),
    FunctionError {
        transaction_id: u32,
        error_status_code: ProtocolErrorCode,
    },
    IndicateStatus(IndicateStatus<'a>),
}

impl<'a> Message<'a> {
    /// The message type.
    pub fn message_type(&self) -> MessageType {
        match self {
            Message::Open { .. } => MessageType::OPEN,
            Message::Close { .. } => MessageType::CLOSE,
            Message::Command(_) => MessageType::COMMAND,
            Message::HostError { .. } => MessageType::HOST_ERROR,
            Message::OpenDone { .. } => MessageType::OPEN_DONE,
            Message::CloseDone { .. } => MessageType::CLOSE_DONE,
            Message::CommandDone(_) => MessageType::COMMAND_DONE,
            Message::FunctionError { .. } => MessageType::FUNCTION_ERROR,
            Message::IndicateStatus(_) => MessageType::INDICATE_STATUS,
        }
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> u32 {
        match self {
            Message::Open { transaction_id, .. }
            | Message::Close { transaction_id }
            | Message::HostError { transaction_id, .. }
            | Message::OpenDone { transaction_id, .. }
            | Message::CloseDone { transaction_id, .. }
            | Message::FunctionError { transaction_id, .. } => *transaction_id,
            Message::Command(c) => c.transaction_id,
            Message::CommandDone(c) => c.transaction_id,
            Message::IndicateStatus(c) => c.transaction_id,
        }
    }

    /// The service, CID and information buffer, for the three message types that have them.
    pub fn payload(&self) -> Option<(Uuid, u32, &[u8])> {
        match self {
            Message::Command(c) => Some((c.service, c.cid, &c.information_buffer)),
            Message::CommandDone(c) => Some((c.service, c.cid, &c.information_buffer)),
            Message::IndicateStatus(c) => Some((c.service, c.cid, &c.information_buffer)),
            _ => None,
        }
    }

    /// Decode one whole message. `bytes` must be exactly one message (as cut by
    /// the [`crate::framer::Framer`]); a message with `TotalFragments > 1` is a
    /// fragment and must go through the [`crate::fragment::Reassembler`] first.
    pub fn decode(bytes: &'a [u8]) -> Result<Message<'a>, DecodeError> {
        finish(bytes, parse_message(bytes))
    }

    /// Detach from the input buffer.
    pub fn into_owned(self) -> Message<'static> {
        match self {
            Message::Open {
                transaction_id,
                max_control_transfer,
            } => Message::Open {
                transaction_id,
                max_control_transfer,
            },
            Message::Close { transaction_id } => Message::Close { transaction_id },
            Message::Command(c) => Message::Command(Command {
                transaction_id: c.transaction_id,
                service: c.service,
                cid: c.cid,
                command_type: c.command_type,
                information_buffer: Cow::Owned(c.information_buffer.into_owned()),
            }),
            Message::HostError {
                transaction_id,
                error_status_code,
            } => Message::HostError {
                transaction_id,
                error_status_code,
            },
            Message::OpenDone {
                transaction_id,
                status,
            } => Message::OpenDone {
                transaction_id,
                status,
            },
            Message::CloseDone {
                transaction_id,
                status,
            } => Message::CloseDone {
                transaction_id,
                status,
            },
            Message::CommandDone(c) => Message::CommandDone(CommandDone {
                transaction_id: c.transaction_id,
                service: c.service,
                cid: c.cid,
                status: c.status,
                information_buffer: Cow::Owned(c.information_buffer.into_owned()),
            }),
            Message::FunctionError {
                transaction_id,
                error_status_code,
            } => Message::FunctionError {
                transaction_id,
                error_status_code,
            },
            Message::IndicateStatus(c) => Message::IndicateStatus(IndicateStatus {
                transaction_id: c.transaction_id,
                service: c.service,
                cid: c.cid,
                information_buffer: Cow::Owned(c.information_buffer.into_owned()),
            }),
        }
    }

    /// Length of the encoded (unfragmented) message.
    pub fn encoded_len(&self) -> usize {
        let t = self.message_type();
        t.full_header_length() + self.payload().map_or(0, |(_, _, b)| b.len())
    }

    /// Append the encoded, unfragmented message to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = self.encoded_len();
        let len32 = u32::try_from(len).map_err(|_| EncodeError::TooLarge {
            field: "MessageLength",
            len,
        })?;
        out.reserve(len);
        let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
        put(out, self.message_type().0);
        put(out, len32);
        put(out, self.transaction_id());
        match self {
            Message::Open {
                max_control_transfer,
                ..
            } => put(out, *max_control_transfer),
            Message::Close { .. } => {}
            Message::HostError {
                error_status_code, ..
            }
            | Message::FunctionError {
                error_status_code, ..
            } => put(out, error_status_code.0),
            Message::OpenDone { status, .. } | Message::CloseDone { status, .. } => {
                put(out, status.0)
            }
            Message::Command(c) => {
                put(out, 1);
                put(out, 0);
                out.extend_from_slice(&c.service.0);
                put(out, c.cid);
                put(out, c.command_type.0);
                put(out, c.information_buffer.len() as u32);
                out.extend_from_slice(&c.information_buffer);
            }
            Message::CommandDone(c) => {
                put(out, 1);
                put(out, 0);
                out.extend_from_slice(&c.service.0);
                put(out, c.cid);
                put(out, c.status.0);
                put(out, c.information_buffer.len() as u32);
                out.extend_from_slice(&c.information_buffer);
            }
            Message::IndicateStatus(c) => {
                put(out, 1);
                put(out, 0);
                out.extend_from_slice(&c.service.0);
                put(out, c.cid);
                put(out, c.information_buffer.len() as u32);
                out.extend_from_slice(&c.information_buffer);
            }
        }
        Ok(())
    }

    /// Encode into a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode(&mut v)?;
        Ok(v)
    }
}

fn bad_len(field: &'static str, at: &[u8], value: usize, limit: usize) -> PError {
    PError::new(
        field,
        at,
        DecodeErrorKind::BadLength {
            value: value as u64,
            limit: limit as u64,
        },
    )
}

fn parse_message(bytes: &[u8]) -> Result<Message<'_>, PError> {
    let (r, h) = done(parse_header_raw(bytes))?;
    let t = h.message_type;
    if t.name().is_none() {
        return Err(PError::new(
            "MessageType",
            bytes,
            DecodeErrorKind::UnknownMessageType { value: t.0 },
        ));
    }
    let len = h.message_length as usize;
    let len_field = &bytes[4..];
    if len != bytes.len() {
        return Err(bad_len("MessageLength", len_field, len, bytes.len()));
    }
    if len < t.min_length() {
        return Err(bad_len("MessageLength", len_field, len, t.min_length()));
    }
    let tid = h.transaction_id;
    let u32f = |f, i| done(u32le(f)(i));
    Ok(match t {
        MessageType::OPEN => Message::Open {
            transaction_id: tid,
            max_control_transfer: u32f("MaxControlTransfer", r)?.1,
        },
        MessageType::CLOSE => Message::Close {
            transaction_id: tid,
        },
        MessageType::HOST_ERROR => Message::HostError {
            transaction_id: tid,
            error_status_code: ProtocolErrorCode(u32f("ErrorStatusCode", r)?.1),
        },
        MessageType::FUNCTION_ERROR => Message::FunctionError {
            transaction_id: tid,
            error_status_code: ProtocolErrorCode(u32f("ErrorStatusCode", r)?.1),
        },
        MessageType::OPEN_DONE => Message::OpenDone {
            transaction_id: tid,
            status: Status(u32f("Status", r)?.1),
        },
        MessageType::CLOSE_DONE => Message::CloseDone {
            transaction_id: tid,
            status: Status(u32f("Status", r)?.1),
        },
        _ => {
            // COMMAND, COMMAND_DONE, INDICATE_STATUS: fragment header first.
            let (r, total) = u32f("TotalFragments", r)?;
            let (r2, current) = u32f("CurrentFragment", r)?;
            if total != 1 || current != 0 {
                // A fragment of a larger message (or a nonsensical header).
                return Err(PError::new(
                    "TotalFragments",
                    &bytes[12..],
                    DecodeErrorKind::BadValue {
                        value: total as u64,
                    },
                ));
            }
            let (r, service) = done(uuid("DeviceServiceId")(r2))?;
            let (r, cid) = u32f("CID", r)?;
            let (r, third) = if t == MessageType::INDICATE_STATUS {
                (r, 0)
            } else {
                u32f(
                    if t == MessageType::COMMAND {
                        "CommandType"
                    } else {
                        "Status"
                    },
                    r,
                )?
            };
            let ibl_at = r;
            let (r, ibl) = u32f("InformationBufferLength", r)?;
            if ibl as usize > r.len() {
                return Err(bad_len(
                    "InformationBufferLength",
                    ibl_at,
                    ibl as usize,
                    r.len(),
                ));
            }
            let info = Cow::Borrowed(&r[..ibl as usize]);
            match t {
                MessageType::COMMAND => Message::Command(Command {
                    transaction_id: tid,
                    service,
                    cid,
                    command_type: CommandType(third),
                    information_buffer: info,
                }),
                MessageType::COMMAND_DONE => Message::CommandDone(CommandDone {
                    transaction_id: tid,
                    service,
                    cid,
                    status: Status(third),
                    information_buffer: info,
                }),
                _ => Message::IndicateStatus(IndicateStatus {
                    transaction_id: tid,
                    service,
                    cid,
                    information_buffer: info,
                }),
            }
        }
    })
}

impl Message<'static> {
    /// The message that carries `info` as a payload of `kind`: a COMMAND (query
    /// or set), a successful COMMAND_DONE, or an INDICATE_STATUS (whose
    /// transaction id is always 0, as devices send them). For tests, fuzz
    /// seeds, benchmarks and tools that build messages from payloads.
    pub fn with_payload(
        kind: crate::services::Kind,
        transaction_id: u32,
        service: Uuid,
        cid: u32,
        info: Vec<u8>,
    ) -> Message<'static> {
        use crate::services::Kind;
        let information_buffer = Cow::Owned(info);
        match kind {
            Kind::Query | Kind::Set => Message::Command(Command {
                transaction_id,
                service,
                cid,
                command_type: if kind == Kind::Set {
                    CommandType::SET
                } else {
                    CommandType::QUERY
                },
                information_buffer,
            }),
            Kind::Response => Message::CommandDone(CommandDone {
                transaction_id,
                service,
                cid,
                status: Status::SUCCESS,
                information_buffer,
            }),
            Kind::Indication => Message::IndicateStatus(IndicateStatus {
                transaction_id: 0,
                service,
                cid,
                information_buffer,
            }),
        }
    }
}

/// Offset of the information buffer inside an unfragmented message of type `t`.
pub fn information_buffer_offset(t: MessageType) -> usize {
    t.full_header_length()
}

/// Helper for payload decoders: decode `T` from an information buffer and
/// shift error offsets so they count from the start of the message.
pub fn decode_in_message<T>(
    t: MessageType,
    info: &[u8],
    f: impl FnOnce(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    f(info).map_err(|e| e.shifted(information_buffer_offset(t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uuid::BASIC_CONNECT;

    fn hex(s: &str) -> Vec<u8> {
        crate::hex::decode(s).unwrap()
    }

    #[test]
    fn decodes_open_from_mbimcli_transcript() {
        let b = hex("01000000 10000000 01000000 00100000");
        let m = Message::decode(&b).unwrap();
        assert_eq!(
            m,
            Message::Open {
                transaction_id: 1,
                max_control_transfer: 4096
            }
        );
        assert_eq!(m.to_bytes().unwrap(), b);
    }

    #[test]
    fn decodes_device_caps_query_command() {
        let b = hex(
            "03000000 30000000 02000000 01000000 00000000 a289cc33bcbb8b4fb6b0133ec2aae6df 01000000 00000000 00000000",
        );
        let m = Message::decode(&b).unwrap();
        let Message::Command(c) = &m else {
            panic!("not a command")
        };
        assert_eq!(c.service, BASIC_CONNECT);
        assert_eq!(c.cid, 1);
        assert_eq!(c.command_type, CommandType::QUERY);
        assert_eq!(m.to_bytes().unwrap(), b);
    }

    #[test]
    fn rejects_unknown_type_and_bad_lengths() {
        let e = Message::decode(&hex("09000000 0c000000 01000000")).unwrap_err();
        assert_eq!(e.field, "MessageType");
        let e = Message::decode(&hex("01000000 14000000 01000000 00100000")).unwrap_err();
        assert_eq!((e.field, e.offset), ("MessageLength", 4));
        // InformationBufferLength 0x15 with only 0x14 bytes present.
        let mut b = hex(
            "07000080 40000000 00000000 01000000 00000000 a289cc33bcbb8b4fb6b0133ec2aae6df 0b000000 15000000",
        );
        b.extend_from_slice(&[0; 20]);
        let e = Message::decode(&b).unwrap_err();
        assert_eq!((e.field, e.offset), ("InformationBufferLength", 40));
    }

    #[test]
    fn truncated_header_names_field() {
        let e = Message::decode(&hex("01000000 10")).unwrap_err();
        assert_eq!(e.field, "MessageLength");
    }
}
