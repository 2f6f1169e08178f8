//! Messaging: the 3GPP SMS PDU codec (TS 23.040 TPDUs, TS 23.038 alphabets
//! and coding schemes), splitting texts into concatenated parts, and USSD
//! string coding.
//!
//! The codec modules are pure data transformation: no modem I/O, no storage,
//! no clock. Decoding outside input never panics; errors name the 3GPP field
//! and octet offset ([`PduError`]). On top of them: [`store`] (the SQLite SMS
//! store), [`ingest`] (the no-loss pipeline for one modem, reassembly with a
//! timeout, and the messaging events), [`rules`] (operator-message
//! recognition) and [`live_rules`] (the daemon's rules in force, saved in the
//! state directory), [`send`] (texts out, with delivery reports) and
//! [`ussd_session`] (the USSD state machine).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod address;
pub mod concat;
pub mod dcs;
pub mod error;
pub mod gsm7;
pub mod ingest;
pub mod live_rules;
pub mod pdu;
pub mod rules;
pub mod send;
pub mod store;
pub mod timestamp;
pub mod ucs2;
pub mod udh;
pub mod ussd;
pub mod ussd_session;

pub use address::{Address, NumberingPlan, TypeOfNumber};
pub use concat::{ReassemblyError, SplitText, reassemble_text, split_text};
pub use dcs::{Alphabet, CbsDataCodingScheme, DataCodingScheme, MessageClass};
pub use error::{EncodeError, PduError};
pub use pdu::{Deliver, Message, Status, StatusReport, Submit, Tpdu};
pub use timestamp::{Timestamp, ValidityPeriod};
pub use udh::{
    Concat, ConcatReference, InformationElement, UserData, UserDataBody, UserDataHeader,
};
