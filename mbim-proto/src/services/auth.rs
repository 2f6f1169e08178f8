//! Authentication service (`1d2b5ff7-0aa1-48b2-aa52-50f15767174e`), MBIM 1.0
//! §10.5.38–40: running the SIM's AKA, AKA' and GSM (SIM) authentication
//! algorithms on challenges the host supplies (EAP-AKA, EAP-AKA', EAP-SIM).
//!
//! Keys and responses are secrets: this module decodes them but never logs
//! them. All arrays are fixed-size and inline (MBIM 1.0 §10.3).

use super::{Payload, fixed_struct, impl_request, parse_all, payload_table};
use crate::error::EncodeError;
use crate::uuid::AUTH;
use crate::wire::{PError, Writer, array, string, u32le};

/// CID numbers (MBIM 1.0 Table 10-3).
pub mod cid {
    pub const AKA: u32 = 1;
    pub const AKAP: u32 = 2;
    pub const SIM: u32 = 3;
}

/// CID names indexed by number (empty = unassigned).
pub const CID_NAMES: &[&str] = &["", "aka", "akap", "sim"];

// ---------------------------------------------------------------------------
// 1 AKA (§10.5.38), 2 AKAP (§10.5.39)
// ---------------------------------------------------------------------------

/// MBIM_AKA_AUTH_REQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AkaAuthReq {
    /// RAND challenge (3GPP TS 33.102).
    pub rand: [u8; 16],
    /// Authentication token.
    pub autn: [u8; 16],
}

impl Payload for AkaAuthReq {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, rand) = array::<16>("Rand")(r)?;
            let (r, autn) = array::<16>("Autn")(r)?;
            Ok((r, AkaAuthReq { rand, autn }))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 32);
        w.raw(&self.rand);
        w.raw(&self.autn);
        Ok(())
    }
}

/// MBIM_AKA_AUTH_INFO, also the layout of MBIM_AKAP_AUTH_INFO.
///
/// The fixed part is 66 bytes (Auts is 14); it is encoded padded to 68, the
/// next 4-byte boundary (MBIM 1.0 §10.3), and either length decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AkaAuthInfo {
    /// RES, `res_len` bytes of it meaningful.
    pub res: [u8; 16],
    /// Length of RES in bytes (4–16).
    pub res_len: u32,
    /// Integrity key IK.
    pub ik: [u8; 16],
    /// Ciphering key CK.
    pub ck: [u8; 16],
    /// Resynchronisation token, after a synchronisation failure.
    pub auts: [u8; 14],
}

/// MBIM_AKAP_AUTH_INFO has the same layout as MBIM_AKA_AUTH_INFO.
pub type AkapAuthInfo = AkaAuthInfo;

impl Payload for AkaAuthInfo {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, res) = array::<16>("Res")(r)?;
            let (r, res_len) = u32le("ResLen")(r)?;
            let (r, ik) = array::<16>("IK")(r)?;
            let (r, ck) = array::<16>("CK")(r)?;
            let (r, auts) = array::<14>("Auts")(r)?;
            Ok((
                r,
                AkaAuthInfo {
                    res,
                    res_len,
                    ik,
                    ck,
                    auts,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        // 66 bytes of fields, 2 of padding (left zero by Writer::new).
        let mut w = Writer::new(out, 68);
        w.raw(&self.res);
        w.u32(self.res_len);
        w.raw(&self.ik);
        w.raw(&self.ck);
        w.raw(&self.auts);
        Ok(())
    }
}

/// MBIM_AKAP_AUTH_REQ.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct AkapAuthReq {
    pub rand: [u8; 16],
    pub autn: [u8; 16],
    /// Access network identity (RFC 5448 §3.1), e.g. `"WLAN"`.
    #[cfg_attr(
        feature = "arbitrary",
        proptest(strategy = "crate::services::arb::text()")
    )]
    pub network_name: String,
}

impl Payload for AkapAuthReq {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, rand) = array::<16>("Rand")(r)?;
            let (r, autn) = array::<16>("Autn")(r)?;
            let (r, network_name) = string(s, "NetworkName")(r)?;
            Ok((
                r,
                AkapAuthReq {
                    rand,
                    autn,
                    network_name,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 40);
        w.raw(&self.rand);
        w.raw(&self.autn);
        w.string("NetworkName", &self.network_name, None)?;
        Ok(())
    }
}

impl_request!(AkaAuthReq, AUTH, cid::AKA, QUERY, AkaAuthInfo);
impl_request!(AkapAuthReq, AUTH, cid::AKAP, QUERY, AkapAuthInfo);

// ---------------------------------------------------------------------------
// 3 SIM (§10.5.40)
// ---------------------------------------------------------------------------

/// MBIM_SIM_AUTH_REQ: up to three GSM challenges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(proptest_derive::Arbitrary))]
pub struct SimAuthReq {
    pub rand1: [u8; 16],
    pub rand2: [u8; 16],
    pub rand3: [u8; 16],
    /// How many of the RANDs are used (2 or 3).
    pub n: u32,
}

impl Payload for SimAuthReq {
    fn parse(s: &[u8]) -> Result<Self, nom::Err<PError>> {
        parse_all(s, |r| {
            let (r, rand1) = array::<16>("Rand1")(r)?;
            let (r, rand2) = array::<16>("Rand2")(r)?;
            let (r, rand3) = array::<16>("Rand3")(r)?;
            let (r, n) = u32le("n")(r)?;
            Ok((
                r,
                SimAuthReq {
                    rand1,
                    rand2,
                    rand3,
                    n,
                },
            ))
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = Writer::new(out, 52);
        w.raw(&self.rand1);
        w.raw(&self.rand2);
        w.raw(&self.rand3);
        w.u32(self.n);
        Ok(())
    }
}

fixed_struct! {
    /// MBIM_SIM_AUTH_INFO. SRES and Kc are little-endian integers on the
    /// wire, as libmbim reads them.
    pub struct SimAuthInfo {
        sres1: u32 = u32 "Sres1",
        kc1: u64 = u64 "Kc1",
        sres2: u32 = u32 "Sres2",
        kc2: u64 = u64 "Kc2",
        sres3: u32 = u32 "Sres3",
        kc3: u64 = u64 "Kc3",
        /// How many triplets are valid.
        n: u32 = u32 "n",
    }
}

impl_request!(SimAuthReq, AUTH, cid::SIM, QUERY, SimAuthInfo);

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

payload_table! {
    /// Every Auth payload.
    pub enum Any {
        AkaAuthReq(AkaAuthReq) = [(1, Query)],
        AkaAuthInfo(AkaAuthInfo) = [(1, Response), (2, Response)],
        AkapAuthReq(AkapAuthReq) = [(2, Query)],
        SimAuthReq(SimAuthReq) = [(3, Query)],
        SimAuthInfo(SimAuthInfo) = [(3, Response)],
    }
}
