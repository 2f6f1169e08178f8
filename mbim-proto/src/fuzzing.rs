//! Fuzz target bodies, shared by the cargo-fuzz targets in `fuzz/` and the
//! stable replay test `tests/fuzz_corpus.rs` (so a corpus file means the same
//! thing in both places). Not part of the API.
//!
//! Each function takes arbitrary bytes and checks the codec's promises:
//! nothing panics on device input, and what decodes re-encodes to something
//! that decodes to the same value. An invariant violation is reported by
//! panicking, which is what libFuzzer and the test harness catch — hence the
//! lint allowances below, which hold for this module only. No clock is read:
//! callers pass the starting [`Instant`].

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use crate::error::EncodeError;
use crate::fragment::{DEFAULT_FRAGMENT_TIMEOUT, Reassembled, Reassembler};
use crate::framer::Framer;
use crate::message::{CommandType, Header, Message};
use crate::services::{ExtendedVersion, Kind, all_keys, decode_payload};
use crate::session::{Event, Session, SessionConfig};
use crate::status::ProtocolErrorCode;
use crate::wire::Uuid;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Services the `payload_decode` target can pick: every service with typed
/// payloads, plus one unknown UUID (which must decode as raw bytes).
fn services() -> &'static [Uuid] {
    static S: OnceLock<Vec<Uuid>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v: Vec<Uuid> = Vec::new();
        for (s, _, _) in all_keys() {
            if !v.contains(&s) {
                v.push(s);
            }
        }
        v.push(Uuid([0x5a; 16]));
        v
    })
}

const KINDS: [Kind; 4] = [Kind::Query, Kind::Set, Kind::Response, Kind::Indication];

/// Target `message_decode`: one whole message. If it decodes, it must
/// encode, and the encoding must decode to the same message; its payload
/// goes through the typed decoders for every MBIMEx version.
pub fn message_decode(data: &[u8]) {
    let _ = Header::peek(data);
    let Ok(m) = Message::decode(data) else {
        return;
    };
    let bytes = m
        .to_bytes()
        .unwrap_or_else(|e| panic!("decoded message does not encode: {e}: {m:?}"));
    let back = Message::decode(&bytes)
        .unwrap_or_else(|e| panic!("re-encoded message does not decode: {e}: {m:?}"));
    assert_eq!(back, m, "message changed through encode/decode");
    if let (Some(kind), Some((service, cid, info))) = (Kind::of(&m), m.payload()) {
        for v in [1u16, 2, 3, 4] {
            let _ = decode_payload(&service, cid, kind, ExtendedVersion(v << 8), info);
        }
    }
}

/// The `payload_decode` input for a buffer meant for (service, CID, kind)
/// at MBIM 1.0 (for seed corpora). `None` if the service is not one of
/// [`services`] or the CID does not fit the one-byte selector.
pub fn payload_seed(service: &Uuid, cid: u32, kind: Kind, buf: &[u8]) -> Option<Vec<u8>> {
    let s = services().iter().position(|u| u == service)?;
    let k = KINDS.iter().position(|x| *x == kind)?;
    let mut v = vec![u8::try_from(s).ok()?, u8::try_from(cid).ok()?, k as u8, 0];
    v.extend_from_slice(buf);
    Some(v)
}

/// Target `payload_decode`: byte 0 picks the service, byte 1 is the CID,
/// byte 2 the kind, byte 3 the MBIMEx version (1.0–4.0); the rest is the
/// information buffer. Decoding must not panic; a decoded value must
/// encode (unless a string exceeds its spec maximum, see below), and decode
/// back equal.
pub fn payload_decode(data: &[u8]) {
    let [s, cid, k, v, buf @ ..] = data else {
        return;
    };
    let services = services();
    let service = services[*s as usize % services.len()];
    let cid = u32::from(*cid);
    let kind = KINDS[*k as usize % 4];
    let version = ExtendedVersion((u16::from(*v % 4) + 1) << 8);
    let Ok(value) = decode_payload(&service, cid, kind, version, buf) else {
        return;
    };
    let mut out = Vec::new();
    match value.encode(&mut out) {
        Ok(()) => {}
        // Deliberate asymmetry: decoding accepts strings longer than the
        // spec's maxima (devices overshoot them; rejecting a whole response
        // for a long provider name helps nobody) while encoding never sends
        // one. Found by this target (corpus file regress-set-pin-long-new-pin).
        Err(EncodeError::StringTooLong { .. }) => return,
        Err(e) => panic!(
            "{service} CID {cid} {kind:?} {version}: decoded value does not encode: {e}: {value:?}"
        ),
    }
    let back = decode_payload(&service, cid, kind, version, &out).unwrap_or_else(|e| {
        panic!("{service} CID {cid} {kind:?} {version}: re-encoded value does not decode: {e}: {value:?}")
    });
    assert_eq!(
        back, value,
        "{service} CID {cid} {kind:?} {version}: value changed through encode/decode"
    );
}

/// Largest message the fuzzed framer accepts (small, so limits are reached).
const FUZZ_MAX_MESSAGE: usize = 4096;
/// Largest reassembled message.
const FUZZ_MAX_REASSEMBLED: usize = 8192;

/// Target `framer_reassembler`: a script of operations. A byte `0x00..=0x7f`
/// is followed by that many stream bytes, pushed into the framer, whose
/// messages go to the reassembler; a byte `0x80..=0xff` advances the clock by
/// `(b & 0x7f) * 20` ms and expires fragment collections.
pub fn framer_reassembler(data: &[u8], start: Instant) {
    let mut framer = Framer::new(FUZZ_MAX_MESSAGE);
    let mut reassembler = Reassembler::new(FUZZ_MAX_REASSEMBLED, DEFAULT_FRAGMENT_TIMEOUT);
    let mut now = start;
    let mut rest = data;
    while let [op, tail @ ..] = rest {
        if op & 0x80 != 0 {
            now += Duration::from_millis(u64::from(op & 0x7f) * 20);
            for e in reassembler.handle_timeout(now) {
                assert_eq!(e.code, ProtocolErrorCode::TIMEOUT_FRAGMENT, "{e}");
            }
            rest = tail;
            continue;
        }
        let n = (*op as usize).min(tail.len());
        framer.push(&tail[..n]);
        rest = &tail[n..];
        while let Some(r) = framer.next_message() {
            let Ok(piece) = r else { continue };
            assert!(
                (12..=FUZZ_MAX_MESSAGE).contains(&piece.len()),
                "framer returned {} bytes",
                piece.len()
            );
            if let Ok(Reassembled::Complete(m)) = reassembler.push(now, &piece) {
                assert!(m.len() <= FUZZ_MAX_REASSEMBLED.max(FUZZ_MAX_MESSAGE));
                // Bytes after the information buffer but inside
                // MessageLength are ignored (as libmbim does), so the
                // re-encoding may be shorter, never longer. Found by this
                // target (corpus file regress-trailing-bytes-in-message).
                if let Ok(msg) = Message::decode(&m) {
                    assert!(msg.encoded_len() <= m.len(), "decoded message grew");
                }
            }
        }
        assert!(
            framer.pending() < FUZZ_MAX_MESSAGE,
            "framer holds {} bytes after draining",
            framer.pending()
        );
        assert!(reassembler.outstanding() <= 32);
        if let Some(t) = reassembler.poll_timeout() {
            assert!(
                t <= now + DEFAULT_FRAGMENT_TIMEOUT,
                "deadline beyond the fragment timeout"
            );
        }
    }
}

/// MaxControlTransfer of the fuzzed session: small, so commands fragment.
const FUZZ_MAX_TRANSFER: u32 = 64;

/// Target `session`: a script driving [`Session`] after an OPEN (transaction 1):
/// * `0x00..=0x7f n`: the next `n` bytes arrive from the device;
/// * `0x80..=0xbf`: the clock advances `(b & 0x3f) * 100` ms, timeouts run;
/// * `0xc0..=0xdf n`: a Basic Connect command, CID `b & 0x1f`, with an
///   `n`-byte buffer, 2 s timeout (set if `n` is odd);
/// * `0xe0..=0xef`: OPEN again; `0xf0..=0xf7`: CLOSE;
/// * `0xf8..=0xff t`: cancel transaction `t`.
///
/// After every step all output is drained and checked: every write is one
/// well-formed message or fragment no larger than MaxControlTransfer.
/// What a [`session`] run went through, so tests can check that a seed
/// reaches the paths it was written for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// OPEN_DONE with success seen.
    pub opened: bool,
    /// Commands the session accepted.
    pub commands: usize,
    /// COMMAND_DONE events.
    pub command_done: usize,
    /// Indication events.
    pub indications: usize,
    /// Transactions that timed out.
    pub timeouts: usize,
    /// Writes to the device (messages and fragments).
    pub writes: usize,
}

pub fn session(data: &[u8], start: Instant) -> SessionStats {
    let mut stats = SessionStats::default();
    let mut s = Session::new(SessionConfig {
        max_control_transfer: FUZZ_MAX_TRANSFER,
        max_message: FUZZ_MAX_REASSEMBLED,
        fragment_timeout: DEFAULT_FRAGMENT_TIMEOUT,
        open_timeout: Duration::from_secs(5),
    });
    let mut now = start;
    let _ = s.open(now);
    drain(&mut s, &mut stats);
    let mut rest = data;
    while let [op, tail @ ..] = rest {
        rest = tail;
        match *op {
            0x00..=0x7f => {
                let n = (*op as usize).min(rest.len());
                s.handle_bytes(now, &rest[..n]);
                rest = &rest[n..];
            }
            0x80..=0xbf => {
                now += Duration::from_millis(u64::from(op & 0x3f) * 100);
                s.handle_timeout(now);
            }
            0xc0..=0xdf => {
                let n = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or(&[]);
                let buf: Vec<u8> = (0..n).collect();
                let ct = if n % 2 == 1 {
                    CommandType::SET
                } else {
                    CommandType::QUERY
                };
                let was_open = s.is_open();
                let r = s.command(
                    now,
                    crate::uuid::BASIC_CONNECT,
                    u32::from(op & 0x1f),
                    ct,
                    &buf,
                    Duration::from_secs(2),
                );
                assert_eq!(r.is_ok(), was_open, "command accepted iff open: {r:?}");
                stats.commands += usize::from(r.is_ok());
            }
            0xe0..=0xef => {
                let _ = s.open(now);
            }
            0xf0..=0xf7 => {
                let _ = s.close(now);
            }
            0xf8..=0xff => {
                let t = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or(&[]);
                s.cancel(u32::from(t));
            }
        }
        drain(&mut s, &mut stats);
        if let Some(t) = s.poll_timeout() {
            // Every deadline is at most one command/open timeout away.
            assert!(
                t <= now + Duration::from_secs(5),
                "deadline too far in the future"
            );
        }
    }
    stats
}

fn drain(s: &mut Session, stats: &mut SessionStats) {
    while let Some(w) = s.poll_transmit() {
        assert!(
            w.len() <= FUZZ_MAX_TRANSFER as usize,
            "a write of {} bytes exceeds MaxControlTransfer",
            w.len()
        );
        stats.writes += 1;
        let h = Header::peek(&w).expect("a write starts with a message header");
        assert_eq!(
            h.message_length as usize,
            w.len(),
            "MessageLength differs from the write"
        );
    }
    while let Some(e) = s.poll_event() {
        match e {
            Event::OpenDone { status } => stats.opened |= status == crate::Status::SUCCESS,
            Event::CommandDone { transaction_id, .. } => {
                assert_ne!(transaction_id, 0, "command done for transaction 0");
                stats.command_done += 1;
            }
            Event::Indication { .. } => stats.indications += 1,
            Event::TransactionTimedOut { .. } => stats.timeouts += 1,
            _ => {}
        }
    }
}

/// Target `ntb_decode`: one NTB (either format) from a device. Decoding must
/// not panic; every datagram must lie inside the input; what decodes,
/// re-packed by [`NtbBuilder`](crate::ntb::NtbBuilder), must decode to the
/// same datagrams per session. The input also goes through the
/// NTB_PARAMETERS decoder, whose encoding must give back the 28 bytes.
pub fn ntb_decode(data: &[u8]) {
    use crate::ntb::{NtbConfig, NtbFormat, NtbParameters, PushError, Stream, decode, encode_all};
    use std::collections::BTreeMap;

    if let Ok(p) = NtbParameters::decode(data) {
        assert_eq!(&p.encode()[..], &data[..28], "NTB_PARAMETERS changed");
    }
    let Ok((header, datagrams)) = decode(data) else {
        return;
    };
    assert!(header.block_length <= data.len(), "block beyond the input");
    // Overlapping NDPs are refused, so every datagram has an entry of its own.
    assert!(
        datagrams.len() <= data.len() / 4,
        "more datagrams than entries fit"
    );
    let range = data.as_ptr_range();
    for d in &datagrams {
        let r = d.data.as_ptr_range();
        assert!(
            r.start >= range.start && r.end <= range.end,
            "datagram outside the NTB"
        );
        assert!(!d.data.is_empty(), "empty datagram decoded");
    }
    let group = |it: &mut dyn Iterator<Item = (Stream, Vec<u8>)>| {
        let mut m: BTreeMap<Stream, Vec<Vec<u8>>> = BTreeMap::new();
        for (s, d) in it {
            m.entry(s).or_default().push(d);
        }
        m
    };
    let max = match header.format {
        NtbFormat::Ntb16 => 65535,
        NtbFormat::Ntb32 => data.len().saturating_mul(2).saturating_add(4096),
    };
    let input: Vec<(Stream, &[u8])> = datagrams.iter().map(|d| (d.stream, d.data)).collect();
    let ntbs = match encode_all(NtbConfig::new(header.format, max), &input) {
        Ok(n) => n,
        // A datagram as long as the whole NTB16 cannot fit a new one with headers.
        Err(PushError::TooLarge { .. }) => return,
        Err(e) => panic!("re-packing failed: {e}"),
    };
    let mut again = Vec::new();
    for ntb in &ntbs {
        let (_, d) = decode(ntb).unwrap_or_else(|e| panic!("re-packed NTB does not decode: {e}"));
        again.extend(d.into_iter().map(|g| (g.stream, g.data.to_vec())));
    }
    let before = group(&mut datagrams.iter().map(|d| (d.stream, d.data.to_vec())));
    let after = group(&mut again.into_iter());
    assert_eq!(before, after, "datagrams changed through re-packing");
}
