//! Fragmentation both ways (MBIM 1.0 §9.2).
//!
//! * [`fragment`] splits an encoded COMMAND / COMMAND_DONE / INDICATE_STATUS
//!   longer than the negotiated max control transfer: every fragment repeats the
//!   12-byte header (same type and TransactionId, its own MessageLength) and the
//!   fragment header; the first carries the rest of the fixed header and the
//!   start of the information buffer, the others carry continuation bytes.
//! * [`Reassembler`] collects fragments per (message type, TransactionId),
//!   enforcing that they arrive in order from fragment 0, that every piece
//!   agrees on TotalFragments, and that the result matches its declared
//!   InformationBufferLength. Errors carry the protocol error code the caller
//!   should send back in a HOST_ERROR (or FUNCTION_ERROR, on the device side).
//!   Time is passed in: [`Reassembler::handle_timeout`] expires collections
//!   whose deadline has passed. By default a collection's deadline is the
//!   fragment timeout after its first fragment; the response to a command may
//!   instead be given the command's own deadline
//!   ([`Reassembler::push_with_deadline`]), as libmbim does, so that a slow
//!   multi-fragment response is not cut short by the shorter fragment timeout.

use crate::error::EncodeError;
use crate::message::MessageType;
use crate::status::ProtocolErrorCode;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Size of the message header plus the fragment header.
pub const FRAGMENT_HEADER_LEN: usize = 20;

/// Split an encoded message into fragments of at most `max_transfer` bytes.
/// A message that fits (or whose type has no fragment header) is returned as is.
pub fn fragment(message: &[u8], max_transfer: usize) -> Result<Vec<Vec<u8>>, EncodeError> {
    if message.len() <= max_transfer {
        return Ok(vec![message.to_vec()]);
    }
    let t = message
        .get(..4)
        .map(|b| MessageType(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        .ok_or(EncodeError::InvalidValue {
            field: "MessageType",
        })?;
    if !t.is_fragmentable() || message.len() < FRAGMENT_HEADER_LEN {
        return Err(EncodeError::ExceedsMaxTransfer {
            len: message.len(),
            max: max_transfer,
        });
    }
    if max_transfer <= FRAGMENT_HEADER_LEN {
        return Err(EncodeError::InvalidValue {
            field: "MaxControlTransfer",
        });
    }
    let payload = &message[FRAGMENT_HEADER_LEN..];
    let chunk = max_transfer - FRAGMENT_HEADER_LEN;
    let total = payload.len().div_ceil(chunk);
    let total32 = u32::try_from(total).map_err(|_| EncodeError::TooLarge {
        field: "TotalFragments",
        len: total,
    })?;
    let mut out = Vec::with_capacity(total);
    for (i, piece) in payload.chunks(chunk).enumerate() {
        let mut f = Vec::with_capacity(FRAGMENT_HEADER_LEN + piece.len());
        f.extend_from_slice(&message[0..4]);
        f.extend_from_slice(&((FRAGMENT_HEADER_LEN + piece.len()) as u32).to_le_bytes());
        f.extend_from_slice(&message[8..12]);
        f.extend_from_slice(&total32.to_le_bytes());
        f.extend_from_slice(&(i as u32).to_le_bytes());
        f.extend_from_slice(piece);
        out.push(f);
    }
    Ok(out)
}

/// A reassembly failure for one transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message_type} transaction {transaction_id}: {reason} ({code})")]
pub struct FragmentError {
    pub message_type: MessageType,
    pub transaction_id: u32,
    /// The protocol error code to report to the peer.
    pub code: ProtocolErrorCode,
    pub reason: String,
}

/// What one pushed piece produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reassembled {
    /// A whole message, rewritten as unfragmented (TotalFragments 1).
    Complete(Vec<u8>),
    /// More fragments are needed.
    Pending,
}

#[derive(Debug)]
struct Partial {
    total: u32,
    next: u32,
    bytes: Vec<u8>,
    deadline: Instant,
}

/// Collects fragments into whole messages.
#[derive(Debug)]
pub struct Reassembler {
    partial: HashMap<(u32, u32), Partial>,
    max_message: usize,
    max_partial: usize,
    fragment_timeout: Duration,
}

/// libmbim's MAX_TIME_BETWEEN_FRAGMENTS_MS; MBIM 1.0 suggests the host pick one.
pub const DEFAULT_FRAGMENT_TIMEOUT: Duration = Duration::from_millis(1250);

impl Default for Reassembler {
    fn default() -> Self {
        Reassembler::new(256 * 1024, DEFAULT_FRAGMENT_TIMEOUT)
    }
}

impl Reassembler {
    /// A reassembler refusing messages over `max_message` bytes in total.
    pub fn new(max_message: usize, fragment_timeout: Duration) -> Self {
        Reassembler {
            partial: HashMap::new(),
            max_message,
            max_partial: 32,
            fragment_timeout,
        }
    }

    /// Number of transactions with fragments outstanding.
    pub fn outstanding(&self) -> usize {
        self.partial.len()
    }

    /// Feed one framed piece. Messages without a fragment header, and
    /// unfragmented ones, pass straight through as `Complete`. A piece that
    /// starts a collection gives it `now` + the fragment timeout to complete.
    pub fn push(&mut self, now: Instant, piece: &[u8]) -> Result<Reassembled, FragmentError> {
        self.push_with_deadline(piece, now + self.fragment_timeout)
    }

    /// Like [`Reassembler::push`], but a collection started by this piece
    /// must complete by `deadline` (e.g. the deadline of the command it
    /// answers). Later pieces of the collection do not move its deadline.
    pub fn push_with_deadline(
        &mut self,
        piece: &[u8],
        deadline: Instant,
    ) -> Result<Reassembled, FragmentError> {
        if piece.len() < 12 {
            return Ok(Reassembled::Complete(piece.to_vec()));
        }
        let rd =
            |o: usize| u32::from_le_bytes([piece[o], piece[o + 1], piece[o + 2], piece[o + 3]]);
        let t = MessageType(rd(0));
        let tid = rd(8);
        if !t.is_fragmentable() || piece.len() < FRAGMENT_HEADER_LEN {
            return Ok(Reassembled::Complete(piece.to_vec()));
        }
        let total = rd(12);
        let current = rd(16);
        let key = (t.0, tid);
        let err = |code, reason: String| FragmentError {
            message_type: t,
            transaction_id: tid,
            code,
            reason,
        };
        if total <= 1 && current == 0 && !self.partial.contains_key(&key) {
            return Ok(Reassembled::Complete(piece.to_vec()));
        }
        if current >= total {
            self.partial.remove(&key);
            return Err(err(
                ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE,
                format!("invalid fragment {current}/{total}"),
            ));
        }
        let data = &piece[FRAGMENT_HEADER_LEN..];
        match self.partial.get_mut(&key) {
            None => {
                if current != 0 {
                    return Err(err(
                        ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE,
                        format!("expected fragment 0/{total}, got {current}/{total}"),
                    ));
                }
                if self.partial.len() >= self.max_partial {
                    return Err(err(
                        ProtocolErrorCode::MAX_TRANSFER,
                        "too many transactions being reassembled".into(),
                    ));
                }
                let mut bytes = Vec::with_capacity(piece.len().min(self.max_message));
                bytes.extend_from_slice(piece);
                self.partial.insert(
                    key,
                    Partial {
                        total,
                        next: 1,
                        bytes,
                        deadline,
                    },
                );
                Ok(Reassembled::Pending)
            }
            Some(p) => {
                if current != p.next || total != p.total {
                    let expected = (p.next, p.total);
                    self.partial.remove(&key);
                    return Err(err(
                        ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE,
                        format!(
                            "expected fragment {}/{}, got {current}/{total}",
                            expected.0, expected.1
                        ),
                    ));
                }
                if p.bytes.len() + data.len() > self.max_message {
                    self.partial.remove(&key);
                    return Err(err(
                        ProtocolErrorCode::MAX_TRANSFER,
                        format!("reassembled message exceeds {} bytes", self.max_message),
                    ));
                }
                p.bytes.extend_from_slice(data);
                p.next += 1;
                if p.next < p.total {
                    return Ok(Reassembled::Pending);
                }
                let Some(mut p) = self.partial.remove(&key) else {
                    return Ok(Reassembled::Pending);
                };
                let len = p.bytes.len();
                let hdr = t.full_header_length();
                let ibl_at = hdr - 4;
                if len < hdr {
                    return Err(err(
                        ProtocolErrorCode::LENGTH_MISMATCH,
                        format!("reassembled {len} bytes, shorter than the {hdr}-byte header"),
                    ));
                }
                let ibl = u32::from_le_bytes([
                    p.bytes[ibl_at],
                    p.bytes[ibl_at + 1],
                    p.bytes[ibl_at + 2],
                    p.bytes[ibl_at + 3],
                ]) as usize;
                if hdr + ibl != len {
                    return Err(err(
                        ProtocolErrorCode::LENGTH_MISMATCH,
                        format!(
                            "InformationBufferLength {ibl} but {} bytes arrived",
                            len - hdr
                        ),
                    ));
                }
                p.bytes[4..8].copy_from_slice(&(len as u32).to_le_bytes());
                p.bytes[12..16].copy_from_slice(&1u32.to_le_bytes());
                p.bytes[16..20].copy_from_slice(&0u32.to_le_bytes());
                Ok(Reassembled::Complete(p.bytes))
            }
        }
    }

    /// The earliest instant at which an outstanding collection times out.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.partial.values().map(|p| p.deadline).min()
    }

    /// Expire collections whose time is up; each yields a TIMEOUT_FRAGMENT error.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<FragmentError> {
        let mut expired: Vec<(u32, u32)> = self
            .partial
            .iter()
            .filter(|(_, p)| now >= p.deadline)
            .map(|(k, _)| *k)
            .collect();
        // HashMap order is random; report in a stable order.
        expired.sort_unstable();
        let mut out = Vec::with_capacity(expired.len());
        for key in expired {
            if let Some(p) = self.partial.remove(&key) {
                out.push(FragmentError {
                    message_type: MessageType(key.0),
                    transaction_id: key.1,
                    code: ProtocolErrorCode::TIMEOUT_FRAGMENT,
                    reason: format!("fragment timed out after {}/{}", p.next, p.total),
                });
            }
        }
        out
    }

    /// Forget a transaction's fragments (e.g. after its command timed out).
    pub fn cancel(&mut self, message_type: MessageType, transaction_id: u32) {
        self.partial.remove(&(message_type.0, transaction_id));
    }

    /// Forget everything (device reopened).
    pub fn reset(&mut self) {
        self.partial.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{CommandDone, Message};
    use crate::status::Status;
    use std::borrow::Cow;

    fn done_msg(n: usize) -> Vec<u8> {
        Message::CommandDone(CommandDone {
            transaction_id: 7,
            service: crate::uuid::BASIC_CONNECT,
            cid: 8,
            status: Status::SUCCESS,
            information_buffer: Cow::Owned((0..n).map(|i| i as u8).collect()),
        })
        .to_bytes()
        .unwrap()
    }

    #[test]
    fn splits_like_libmbim_and_reassembles() {
        // libmbim: a 5068-byte COMMAND at 4096 → 4096 (0/2) + 992 (1/2).
        let msg = done_msg(5068 - 48);
        let frags = fragment(&msg, 4096).unwrap();
        assert_eq!(frags.iter().map(Vec::len).collect::<Vec<_>>(), [4096, 992]);
        let mut r = Reassembler::default();
        let t = Instant::now();
        assert_eq!(r.push(t, &frags[0]).unwrap(), Reassembled::Pending);
        assert_eq!(r.push(t, &frags[1]).unwrap(), Reassembled::Complete(msg));
        assert_eq!(r.outstanding(), 0);
    }

    #[test]
    fn rejects_out_of_order_fragment() {
        let frags = fragment(&done_msg(300), 64).unwrap();
        let mut r = Reassembler::default();
        let t = Instant::now();
        let e = r.push(t, &frags[1]).unwrap_err();
        assert_eq!(e.code, ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE);
        r.push(t, &frags[0]).unwrap();
        let e = r.push(t, &frags[2]).unwrap_err();
        assert_eq!(e.code, ProtocolErrorCode::FRAGMENT_OUT_OF_SEQUENCE);
        assert_eq!(e.transaction_id, 7);
        assert_eq!(r.outstanding(), 0);
    }

    #[test]
    fn times_out_incomplete_collection() {
        let frags = fragment(&done_msg(300), 64).unwrap();
        let mut r = Reassembler::default();
        let t0 = Instant::now();
        r.push(t0, &frags[0]).unwrap();
        assert_eq!(r.poll_timeout(), Some(t0 + DEFAULT_FRAGMENT_TIMEOUT));
        assert!(
            r.handle_timeout(t0 + Duration::from_millis(1000))
                .is_empty()
        );
        let errs = r.handle_timeout(t0 + DEFAULT_FRAGMENT_TIMEOUT);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, ProtocolErrorCode::TIMEOUT_FRAGMENT);
    }

    #[test]
    fn a_collection_can_be_given_a_longer_deadline() {
        let frags = fragment(&done_msg(300), 64).unwrap();
        let mut r = Reassembler::default();
        let t0 = Instant::now();
        let deadline = t0 + Duration::from_secs(10);
        assert_eq!(
            r.push_with_deadline(&frags[0], deadline).unwrap(),
            Reassembled::Pending
        );
        assert_eq!(r.poll_timeout(), Some(deadline));
        assert!(r.handle_timeout(t0 + DEFAULT_FRAGMENT_TIMEOUT).is_empty());
        let later = t0 + Duration::from_secs(9);
        let mut last = Reassembled::Pending;
        for f in &frags[1..] {
            // Later pieces keep the collection's deadline.
            last = r.push(later, f).unwrap();
        }
        assert_eq!(last, Reassembled::Complete(done_msg(300)));
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn rejects_length_mismatch_after_reassembly() {
        let mut frags = fragment(&done_msg(100), 64).unwrap();
        frags.last_mut().unwrap().push(0); // one stray byte
        let mut r = Reassembler::default();
        let t = Instant::now();
        let mut last = None;
        for f in &frags {
            last = Some(r.push(t, f));
        }
        assert_eq!(
            last.unwrap().unwrap_err().code,
            ProtocolErrorCode::LENGTH_MISMATCH
        );
    }

    #[test]
    fn bounds_total_size() {
        let frags = fragment(&done_msg(1000), 100).unwrap();
        let mut r = Reassembler::new(500, DEFAULT_FRAGMENT_TIMEOUT);
        let t = Instant::now();
        let res: Vec<_> = frags.iter().map(|f| r.push(t, f)).collect();
        assert!(
            res.iter()
                .any(|x| matches!(x, Err(e) if e.code == ProtocolErrorCode::MAX_TRANSFER))
        );
    }
}
