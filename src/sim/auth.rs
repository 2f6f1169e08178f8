//! The simulated Auth service (MBIM 1.0 §10.5.31–33): AKA, AKA' and SIM
//! authentication answered from the challenge by a fixed, documented
//! transformation — a stand-in with the right shapes and status codes, not
//! Milenage or COMP128 (the simulator has no subscriber key). Given the same
//! RAND a test can compute the expected answer:
//! * AKA/AKA': RES = RAND[0..8] (8 bytes), IK = RAND reversed, CK = AUTN
//!   reversed; an all-zero AUTN is a MAC failure (AUTH_INCORRECT_AUTN);
//! * SIM: SRESn = RANDn[0..4] (LE u32), Kcn = RANDn[4..12] (LE u64).

use super::modem::{Modem, Reply, invalid};
use mbim_proto::Status;
use mbim_proto::services::Payload;
use mbim_proto::services::auth::{
    AkaAuthInfo, AkaAuthReq, AkapAuthReq, SimAuthInfo, SimAuthReq, cid,
};

/// Auth CIDs the simulator answers.
pub(super) const CIDS: &[u32] = &[cid::AKA, cid::AKAP, cid::SIM];

fn aka(rand: [u8; 16], autn: [u8; 16]) -> Reply {
    if autn == [0; 16] {
        return Reply::status(Status::AUTH_INCORRECT_AUTN);
    }
    let mut res = [0u8; 16];
    res[..8].copy_from_slice(&rand[..8]);
    let mut ik = rand;
    ik.reverse();
    let mut ck = autn;
    ck.reverse();
    Reply::ok(&AkaAuthInfo {
        res,
        res_len: 8,
        ik,
        ck,
        auts: [0; 14],
    })
}

fn triplet(rand: &[u8; 16]) -> (u32, u64) {
    let sres = u32::from_le_bytes([rand[0], rand[1], rand[2], rand[3]]);
    let mut kc = [0u8; 8];
    kc.copy_from_slice(&rand[4..12]);
    (sres, u64::from_le_bytes(kc))
}

impl Modem {
    pub(super) fn auth(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        if set {
            return Reply::status(Status::NO_DEVICE_SUPPORT);
        }
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        match c {
            cid::AKA => match AkaAuthReq::decode(buf) {
                Ok(r) => aka(r.rand, r.autn),
                Err(_) => invalid(),
            },
            cid::AKAP => match AkapAuthReq::decode(buf) {
                Ok(r) => aka(r.rand, r.autn),
                Err(_) => invalid(),
            },
            cid::SIM => match SimAuthReq::decode(buf) {
                Ok(r) if r.n == 2 || r.n == 3 => {
                    let (sres1, kc1) = triplet(&r.rand1);
                    let (sres2, kc2) = triplet(&r.rand2);
                    let (sres3, kc3) = if r.n == 3 { triplet(&r.rand3) } else { (0, 0) };
                    Reply::ok(&SimAuthInfo {
                        sres1,
                        kc1,
                        sres2,
                        kc2,
                        sres3,
                        kc3,
                        n: r.n,
                    })
                }
                Ok(_) | Err(_) => invalid(),
            },
            _ => Reply::status(Status::NO_DEVICE_SUPPORT),
        }
    }
}
