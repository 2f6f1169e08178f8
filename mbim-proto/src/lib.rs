//! `mbim-proto`: a sans-I/O codec for MBIM, the USB Mobile Broadband Interface
//! Model, and the session state machine that drives it.
//!
//! It takes bytes and time in and hands back values and events; it does no I/O,
//! reads no clock, touches no file and depends on no runtime. Decoding bytes
//! from a device never panics: every failure is a [`DecodeError`] naming the
//! field and offset.
//!
//! Layers, bottom up:
//! * [`wire`] — primitives (integers, UUIDs, OL pairs, UTF-16 strings) with nom;
//! * [`message`] — the nine control messages;
//! * [`framer`] and [`fragment`] — stream framing and (de)fragmentation;
//! * [`services`] — typed payloads, one module per device service;
//! * [`session`] — transactions, deadlines, open state, indications;
//! * [`ntb`] — NCM transfer blocks of the data interface (NTB16/NTB32).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_debug_implementations)]

#[macro_use]
mod macros;

pub mod error;
pub mod fragment;
pub mod framer;
#[doc(hidden)]
pub mod fuzzing;
pub mod hex;
pub mod message;
pub mod ntb;
pub mod personal;
pub mod services;
pub mod session;
pub mod status;
pub mod tlv;
pub mod uuid;
pub mod wire;

pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use message::{Command, CommandDone, CommandType, IndicateStatus, Message, MessageType};
pub use services::{Decoded, ExtendedVersion, Kind, Payload, Request, decode_payload};
pub use session::{Event, Session, SessionConfig};
pub use status::{ProtocolErrorCode, Status};
pub use wire::Uuid;
