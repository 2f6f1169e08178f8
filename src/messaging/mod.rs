//! Messaging: the 3GPP SMS PDU codec (TS 23.040 TPDUs, TS 23.038 alphabets
//! and coding schemes), splitting texts into concatenated parts, and USSD
//! string coding.
//!
//! Everything here is pure data transformation: no modem I/O, no storage, no
//! clock. Decoding outside input never panics; errors name the 3GPP field and
//! octet offset ([`PduError`]). Reassembly across reads/restarts, the SMS
//! store and operator-message rules build on this and live elsewhere.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod address;
pub mod concat;
pub mod dcs;
pub mod error;
pub mod gsm7;
pub mod pdu;
pub mod timestamp;
pub mod ucs2;
pub mod udh;
pub mod ussd;

pub use address::{Address, NumberingPlan, TypeOfNumber};
pub use concat::{ReassemblyError, SplitText, reassemble_text, split_text};
pub use dcs::{Alphabet, CbsDataCodingScheme, DataCodingScheme, MessageClass};
pub use error::{EncodeError, PduError};
pub use pdu::{Deliver, Message, Status, StatusReport, Submit, Tpdu};
pub use timestamp::{Timestamp, ValidityPeriod};
pub use udh::{
    Concat, ConcatReference, InformationElement, UserData, UserDataBody, UserDataHeader,
};
