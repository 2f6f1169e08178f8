//! Split a byte stream into MBIM messages by their MessageLength.
//!
//! A cdc-wdm character device hands over one message per read, but a pty or a
//! socket may split or merge them; the framer copes with both. It never trusts
//! MessageLength beyond the configured maximum: a header claiming more, or less
//! than the 12-byte header itself, or an unknown message type, makes the stream
//! unsynchronisable, so everything buffered is discarded and reported (the same
//! recovery libmbim uses), and framing restarts with the next bytes.

use crate::message::MessageType;

/// Default upper bound for one message or fragment on the wire.
pub const DEFAULT_MAX_MESSAGE: usize = 64 * 1024;

/// Why bytes were discarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("unknown message type 0x{message_type:08x}; discarded {discarded} bytes")]
    UnknownType { message_type: u32, discarded: usize },
    #[error("MessageLength {length} outside 12..={max}; discarded {discarded} bytes")]
    BadLength {
        length: u32,
        max: usize,
        discarded: usize,
    },
}

/// Accumulates stream bytes and yields whole messages.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    start: usize,
    max: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new(DEFAULT_MAX_MESSAGE)
    }
}

impl Framer {
    /// A framer that refuses messages longer than `max` bytes.
    pub fn new(max: usize) -> Self {
        Framer {
            buf: Vec::new(),
            start: 0,
            max: max.max(12),
        }
    }

    /// The configured maximum message length.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Add bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes buffered but not yet returned.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Drop everything buffered (e.g. after the device was reopened).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// The next whole message, `None` if more bytes are needed, or an error
    /// after discarding an unsynchronisable buffer.
    pub fn next_message(&mut self) -> Option<Result<Vec<u8>, FramingError>> {
        let avail = &self.buf[self.start..];
        if avail.len() < 8 {
            // Check the type early so that garbage is reported promptly.
            if avail.len() >= 4 {
                let t = u32::from_le_bytes([avail[0], avail[1], avail[2], avail[3]]);
                if MessageType(t).name().is_none() {
                    return Some(Err(self.discard_unknown(t)));
                }
            }
            return None;
        }
        let t = u32::from_le_bytes([avail[0], avail[1], avail[2], avail[3]]);
        if MessageType(t).name().is_none() {
            return Some(Err(self.discard_unknown(t)));
        }
        let len = u32::from_le_bytes([avail[4], avail[5], avail[6], avail[7]]);
        if (len as usize) < 12 || len as usize > self.max {
            let discarded = self.pending();
            self.reset();
            return Some(Err(FramingError::BadLength {
                length: len,
                max: self.max,
                discarded,
            }));
        }
        let len = len as usize;
        if avail.len() < len {
            return None;
        }
        let msg = avail[..len].to_vec();
        self.start += len;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 4096 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        Some(Ok(msg))
    }

    fn discard_unknown(&mut self, t: u32) -> FramingError {
        let discarded = self.pending();
        self.reset();
        FramingError::UnknownType {
            message_type: t,
            discarded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: [u8; 16] = [1, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0x10, 0, 0];

    #[test]
    fn reassembles_split_and_merged_writes() {
        let mut f = Framer::default();
        let mut stream = OPEN.to_vec();
        stream.extend_from_slice(&OPEN);
        for chunk in stream.chunks(5) {
            f.push(chunk);
        }
        assert_eq!(f.next_message(), Some(Ok(OPEN.to_vec())));
        assert_eq!(f.next_message(), Some(Ok(OPEN.to_vec())));
        assert_eq!(f.next_message(), None);
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn waits_for_the_rest_of_a_message() {
        let mut f = Framer::default();
        f.push(&OPEN[..10]);
        assert_eq!(f.next_message(), None);
        f.push(&OPEN[10..]);
        assert_eq!(f.next_message(), Some(Ok(OPEN.to_vec())));
    }

    #[test]
    fn discards_garbage_and_resynchronises() {
        let mut f = Framer::default();
        f.push(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5]);
        assert!(matches!(
            f.next_message(),
            Some(Err(FramingError::UnknownType { discarded: 9, .. }))
        ));
        f.push(&OPEN);
        assert_eq!(f.next_message(), Some(Ok(OPEN.to_vec())));
    }

    #[test]
    fn refuses_length_above_maximum() {
        let mut f = Framer::new(4096);
        let mut m = OPEN;
        m[4..8].copy_from_slice(&5000u32.to_le_bytes());
        f.push(&m);
        assert!(matches!(
            f.next_message(),
            Some(Err(FramingError::BadLength { length: 5000, .. }))
        ));
    }
}
