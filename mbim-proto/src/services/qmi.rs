//! QMI-over-MBIM service (`d1a30bc2-f97a-6e43-bf65-c7e24fb0f0d3`): Qualcomm
//! modems tunnel QMUX frames in CID 1 MSG (set, response, indication).
//!
//! The QMUX frame is opaque here: it is carried exactly as given, without
//! the 4-byte padding other MBIM buffers get (libmbim sends it unpadded, and
//! the frame carries its own length). Interpreting QMI is not this crate's job.

use super::{Payload, impl_indication, impl_request, payload_table};
use crate::error::EncodeError;
use crate::uuid::QMI;
use crate::wire::PError;

/// CID numbers (libmbim `MbimCidQmi`).
pub mod cid {
    pub const MSG: u32 = 1;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "msg"];

/// A QMUX frame (QmiMsg in the set, QMUX in the response and indication):
/// the whole information buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct QmiMsg {
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::bytes()")
    )]
    pub qmux: Vec<u8>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for QmiMsg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("QmiMsg", 1)?;
        st.serialize_field("qmux", &crate::hex::Hex(&self.qmux).to_string())?;
        st.end()
    }
}

impl Payload for QmiMsg {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        Ok(QmiMsg { qmux: s.to_vec() })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.qmux);
        Ok(())
    }
}

impl_request!(QmiMsg, QMI, cid::MSG, SET, QmiMsg);
impl_indication!(QmiMsg, QMI, cid::MSG);

payload_table! {
    /// Every QMI payload.
    pub enum Any {
        QmiMsg(QmiMsg) = [(1, Set), (1, Response), (1, Indication)],
    }
}
