//! The host side of an MBIM function as a sans-I/O state machine.
//!
//! Inputs: [`Session::open`], [`Session::close`], [`Session::command`],
//! [`Session::handle_bytes`] (whatever the transport read), and
//! [`Session::handle_timeout`] (the caller's clock, when [`Session::poll_timeout`]
//! says so). Outputs: [`Session::poll_transmit`] (one fragment per write) and
//! [`Session::poll_event`]. The session owns the open state, transaction ids,
//! the transaction table with deadlines, framing and reassembly, HOST_ERROR
//! replies to fragment errors (MBIM 1.0 §9.3.4), and the MBIMEx version agreed
//! with MS Basic Connect Extensions VERSION (windows-operator-formats.md §7.4).

use crate::error::EncodeError;
use crate::fragment::{self, FragmentError, Reassembled, Reassembler};
use crate::framer::{Framer, FramingError};
use crate::message::{Command, CommandType, Message, MessageType};
use crate::services::ExtendedVersion;
use crate::status::{ProtocolErrorCode, Status};
use crate::wire::Uuid;
use crate::{DecodeError, uuid};
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Session parameters.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// MaxControlTransfer sent in OPEN and the fragment size for our commands:
    /// the device's wMaxControlMessage (or 4096 when it cannot be read).
    pub max_control_transfer: u32,
    /// Largest message accepted from the device, whole or reassembled.
    pub max_message: usize,
    /// How long an indication may take to arrive in fragments.
    pub fragment_timeout: Duration,
    /// How long to wait for OPEN_DONE / CLOSE_DONE.
    pub open_timeout: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            max_control_transfer: 4096,
            max_message: 256 * 1024,
            fragment_timeout: fragment::DEFAULT_FRAGMENT_TIMEOUT,
            open_timeout: Duration::from_secs(5),
        }
    }
}

/// Where the session stands with the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    Closed,
    Opening { transaction_id: u32 },
    Open,
    Closing { transaction_id: u32 },
}

/// Why a transaction failed without a COMMAND_DONE.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionFailure {
    /// Reassembly of the response failed; a HOST_ERROR was queued.
    #[error("{0}")]
    Fragment(FragmentError),
    /// The COMMAND_DONE named a different service or CID than the request.
    #[error("response for {got_service} CID {got_cid} does not match the request")]
    Mismatch { got_service: Uuid, got_cid: u32 },
    /// The response could not be decoded as an MBIM message.
    #[error("malformed response: {0}")]
    Malformed(DecodeError),
    /// The session was reset (device reopened or gone) while it was pending.
    #[error("aborted")]
    Aborted,
}

/// Why bytes from the device were dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("{0}")]
    Framing(FramingError),
    #[error("{0}")]
    Decode(DecodeError),
    #[error("{0}")]
    Fragment(FragmentError),
    #[error("unexpected {0} message from the device")]
    WrongDirection(MessageType),
    #[error("{message_type} for unknown transaction {transaction_id}")]
    UnknownTransaction {
        message_type: MessageType,
        transaction_id: u32,
    },
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// OPEN_DONE arrived; the session is open if `status` is success.
    OpenDone { status: Status },
    /// No OPEN_DONE within the open timeout; the caller may retry.
    OpenTimedOut,
    /// CLOSE_DONE arrived (or timed out, with `Status::FAILURE`); the session
    /// is closed, and commands still pending fail as aborted right after.
    CloseDone { status: Status },
    /// The response to a command.
    CommandDone {
        transaction_id: u32,
        service: Uuid,
        cid: u32,
        status: Status,
        information_buffer: Vec<u8>,
    },
    /// An unsolicited indication.
    Indication {
        service: Uuid,
        cid: u32,
        information_buffer: Vec<u8>,
    },
    /// FUNCTION_ERROR from the device. `NOT_OPENED` also closes the session:
    /// the caller should reopen and re-subscribe.
    FunctionError {
        transaction_id: u32,
        code: ProtocolErrorCode,
    },
    /// A command got no complete response before its deadline.
    TransactionTimedOut {
        transaction_id: u32,
        service: Uuid,
        cid: u32,
        /// Whether some fragments of the response had arrived.
        partial: bool,
    },
    /// A command failed without a response.
    TransactionFailed {
        transaction_id: u32,
        failure: TransactionFailure,
    },
    /// Bytes from the device were dropped (count them, log them redacted).
    Malformed(Malformed),
    /// The MBIMEx version was agreed (MS BCE VERSION response).
    VersionNegotiated(ExtendedVersion),
}

/// Errors from session inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the MBIM session is not open")]
    NotOpen,
    #[error("a transaction is already in progress for OPEN/CLOSE")]
    Busy,
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

#[derive(Debug)]
struct Pending {
    service: Uuid,
    cid: u32,
    deadline: Instant,
}

/// MS Basic Connect Extensions VERSION CID.
const MS_BCE_VERSION_CID: u32 = 15;

/// The host side of one MBIM function.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    state: OpenState,
    open_deadline: Option<Instant>,
    next_tid: u32,
    pending: HashMap<u32, Pending>,
    framer: Framer,
    reassembler: Reassembler,
    transmit: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    version: ExtendedVersion,
}

impl Session {
    pub fn new(config: SessionConfig) -> Self {
        Session {
            framer: Framer::new(config.max_message.max(config.max_control_transfer as usize)),
            reassembler: Reassembler::new(config.max_message, config.fragment_timeout),
            config,
            state: OpenState::Closed,
            open_deadline: None,
            next_tid: 1,
            pending: HashMap::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            version: ExtendedVersion::V1,
        }
    }

    /// The open state.
    pub fn state(&self) -> OpenState {
        self.state
    }

    /// Whether commands may be sent.
    pub fn is_open(&self) -> bool {
        self.state == OpenState::Open
    }

    /// The MBIMEx version in force (1.0 until negotiated).
    pub fn version(&self) -> ExtendedVersion {
        self.version
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Number of commands awaiting a response.
    pub fn pending_transactions(&self) -> usize {
        self.pending.len()
    }

    fn alloc_tid(&mut self) -> u32 {
        loop {
            let t = self.next_tid;
            self.next_tid = self.next_tid.wrapping_add(1);
            if self.next_tid == 0 {
                self.next_tid = 1;
            }
            if t != 0 && !self.pending.contains_key(&t) {
                return t;
            }
        }
    }

    fn queue(&mut self, m: &Message<'_>) -> Result<(), EncodeError> {
        let bytes = m.to_bytes()?;
        for f in fragment::fragment(&bytes, self.config.max_control_transfer as usize)? {
            self.transmit.push_back(f);
        }
        Ok(())
    }

    /// Send OPEN (again, with a new transaction id, if already opening).
    /// Anything pending from an earlier session is aborted.
    pub fn open(&mut self, now: Instant) -> Result<u32, SessionError> {
        self.abort_all();
        let tid = self.alloc_tid();
        self.queue(&Message::Open {
            transaction_id: tid,
            max_control_transfer: self.config.max_control_transfer,
        })?;
        self.state = OpenState::Opening {
            transaction_id: tid,
        };
        self.open_deadline = Some(now + self.config.open_timeout);
        self.version = ExtendedVersion::V1;
        Ok(tid)
    }

    /// Send CLOSE.
    pub fn close(&mut self, now: Instant) -> Result<u32, SessionError> {
        let tid = self.alloc_tid();
        self.queue(&Message::Close {
            transaction_id: tid,
        })?;
        self.state = OpenState::Closing {
            transaction_id: tid,
        };
        self.open_deadline = Some(now + self.config.open_timeout);
        Ok(tid)
    }

    /// Send a command; the response or a timeout arrives as an event with the
    /// returned transaction id.
    pub fn command(
        &mut self,
        now: Instant,
        service: Uuid,
        cid: u32,
        command_type: CommandType,
        information_buffer: &[u8],
        timeout: Duration,
    ) -> Result<u32, SessionError> {
        if self.state != OpenState::Open {
            return Err(SessionError::NotOpen);
        }
        let tid = self.alloc_tid();
        self.queue(&Message::Command(Command {
            transaction_id: tid,
            service,
            cid,
            command_type,
            information_buffer: Cow::Borrowed(information_buffer),
        }))?;
        self.pending.insert(
            tid,
            Pending {
                service,
                cid,
                deadline: now + timeout,
            },
        );
        Ok(tid)
    }

    /// Forget a pending command (the caller gave up on it).
    pub fn cancel(&mut self, transaction_id: u32) {
        self.pending.remove(&transaction_id);
        self.reassembler
            .cancel(MessageType::COMMAND_DONE, transaction_id);
    }

    /// Abort every pending command (device gone or reopened) and drop buffered bytes.
    pub fn abort_all(&mut self) {
        self.abort_pending();
        self.framer.reset();
    }

    /// Fail every pending command as aborted and forget partial reassemblies,
    /// but keep the framer: bytes already read may hold further whole messages.
    fn abort_pending(&mut self) {
        let mut tids: Vec<u32> = self.pending.keys().copied().collect();
        tids.sort_unstable();
        for t in tids {
            self.pending.remove(&t);
            self.events.push_back(Event::TransactionFailed {
                transaction_id: t,
                failure: TransactionFailure::Aborted,
            });
        }
        self.reassembler.reset();
    }

    /// Mark the session closed without talking to the device (transport lost).
    pub fn reset(&mut self) {
        self.abort_all();
        self.transmit.clear();
        self.state = OpenState::Closed;
        self.open_deadline = None;
        self.version = ExtendedVersion::V1;
    }

    /// The next bytes to write (exactly one write per returned buffer).
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let p = self.pending.values().map(|p| p.deadline).min();
        [p, self.open_deadline, self.reassembler.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Expire deadlines up to `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(d) = self.open_deadline
            && now >= d
        {
            self.open_deadline = None;
            match self.state {
                OpenState::Opening { .. } => {
                    self.state = OpenState::Closed;
                    self.events.push_back(Event::OpenTimedOut);
                }
                OpenState::Closing { .. } => {
                    self.state = OpenState::Closed;
                    self.events.push_back(Event::CloseDone {
                        status: Status::FAILURE,
                    });
                    self.abort_pending();
                }
                _ => {}
            }
        }
        let mut expired: Vec<u32> = self
            .pending
            .iter()
            .filter(|(_, p)| now >= p.deadline)
            .map(|(t, _)| *t)
            .collect();
        expired.sort_unstable();
        for tid in expired {
            if let Some(p) = self.pending.remove(&tid) {
                let partial = self.reassembler.outstanding() > 0 && {
                    let before = self.reassembler.outstanding();
                    self.reassembler.cancel(MessageType::COMMAND_DONE, tid);
                    self.reassembler.outstanding() < before
                };
                if partial {
                    self.host_error(tid, ProtocolErrorCode::TIMEOUT_FRAGMENT);
                }
                self.events.push_back(Event::TransactionTimedOut {
                    transaction_id: tid,
                    service: p.service,
                    cid: p.cid,
                    partial,
                });
            }
        }
        for e in self.reassembler.handle_timeout(now) {
            self.fragment_failed(e);
        }
    }

    fn host_error(&mut self, tid: u32, code: ProtocolErrorCode) {
        // HOST_ERROR is 16 bytes; encoding it cannot fail.
        if let Ok(b) = (Message::HostError {
            transaction_id: tid,
            error_status_code: code,
        })
        .to_bytes()
        {
            self.transmit.push_back(b);
        }
    }

    fn fragment_failed(&mut self, e: FragmentError) {
        self.host_error(e.transaction_id, e.code);
        if e.message_type == MessageType::COMMAND_DONE
            && self.pending.remove(&e.transaction_id).is_some()
        {
            self.events.push_back(Event::TransactionFailed {
                transaction_id: e.transaction_id,
                failure: TransactionFailure::Fragment(e),
            });
        } else {
            self.events
                .push_back(Event::Malformed(Malformed::Fragment(e)));
        }
    }

    /// Feed bytes read from the transport.
    pub fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        self.framer.push(bytes);
        while let Some(r) = self.framer.next_message() {
            match r {
                Err(e) => self
                    .events
                    .push_back(Event::Malformed(Malformed::Framing(e))),
                Ok(piece) => match self
                    .reassembler
                    .push_with_deadline(&piece, self.collection_deadline(now, &piece))
                {
                    Err(e) => self.fragment_failed(e),
                    Ok(Reassembled::Pending) => {}
                    Ok(Reassembled::Complete(msg)) => self.handle_message(&msg),
                },
            }
        }
    }

    /// How long the fragments starting with `piece` may take to arrive: the
    /// response to a pending command has the command's deadline (as libmbim
    /// does; its partial arrival is then reported by `TransactionTimedOut`),
    /// anything else the fragment timeout.
    fn collection_deadline(&self, now: Instant, piece: &[u8]) -> Instant {
        let fragment_deadline = now + self.config.fragment_timeout;
        match crate::message::Header::peek(piece) {
            Ok(h) if h.message_type == MessageType::COMMAND_DONE => self
                .pending
                .get(&h.transaction_id)
                .map_or(fragment_deadline, |p| p.deadline),
            _ => fragment_deadline,
        }
    }

    fn handle_message(&mut self, bytes: &[u8]) {
        let m = match Message::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                // A response we can tie to a transaction fails that transaction.
                let tid = crate::message::Header::peek(bytes).ok();
                if let Some(h) = tid
                    && h.message_type == MessageType::COMMAND_DONE
                    && self.pending.remove(&h.transaction_id).is_some()
                {
                    self.events.push_back(Event::TransactionFailed {
                        transaction_id: h.transaction_id,
                        failure: TransactionFailure::Malformed(e),
                    });
                } else {
                    self.events
                        .push_back(Event::Malformed(Malformed::Decode(e)));
                }
                return;
            }
        };
        match m {
            Message::OpenDone {
                transaction_id,
                status,
            } => match self.state {
                OpenState::Opening { transaction_id: t } if t == transaction_id => {
                    self.open_deadline = None;
                    self.state = if status == Status::SUCCESS {
                        OpenState::Open
                    } else {
                        OpenState::Closed
                    };
                    self.events.push_back(Event::OpenDone { status });
                }
                _ => self.unknown(MessageType::OPEN_DONE, transaction_id),
            },
            Message::CloseDone {
                transaction_id,
                status,
            } => match self.state {
                OpenState::Closing { transaction_id: t } if t == transaction_id => {
                    self.open_deadline = None;
                    self.state = OpenState::Closed;
                    self.events.push_back(Event::CloseDone { status });
                    // After CLOSE_DONE the function is closed (MBIM 1.0 §9.3.2)
                    // and will not answer: fail what is pending now rather
                    // than at each command's deadline.
                    self.abort_pending();
                }
                _ => self.unknown(MessageType::CLOSE_DONE, transaction_id),
            },
            Message::CommandDone(c) => {
                let Some(p) = self.pending.remove(&c.transaction_id) else {
                    self.unknown(MessageType::COMMAND_DONE, c.transaction_id);
                    return;
                };
                if uuid::canonical(p.service) != uuid::canonical(c.service) || p.cid != c.cid {
                    self.events.push_back(Event::TransactionFailed {
                        transaction_id: c.transaction_id,
                        failure: TransactionFailure::Mismatch {
                            got_service: c.service,
                            got_cid: c.cid,
                        },
                    });
                    return;
                }
                if uuid::canonical(c.service) == uuid::MS_BASIC_CONNECT_EXTENSIONS
                    && c.cid == MS_BCE_VERSION_CID
                    && c.status == Status::SUCCESS
                    && c.information_buffer.len() >= 4
                {
                    let ib = &c.information_buffer;
                    let ext = u16::from_le_bytes([ib[2], ib[3]]);
                    self.version = ExtendedVersion(ext);
                    self.events
                        .push_back(Event::VersionNegotiated(self.version));
                }
                self.events.push_back(Event::CommandDone {
                    transaction_id: c.transaction_id,
                    service: c.service,
                    cid: c.cid,
                    status: c.status,
                    information_buffer: c.information_buffer.into_owned(),
                });
            }
            Message::IndicateStatus(i) => self.events.push_back(Event::Indication {
                service: i.service,
                cid: i.cid,
                information_buffer: i.information_buffer.into_owned(),
            }),
            Message::FunctionError {
                transaction_id,
                error_status_code,
            } => {
                self.pending.remove(&transaction_id);
                self.reassembler
                    .cancel(MessageType::COMMAND_DONE, transaction_id);
                self.events.push_back(Event::FunctionError {
                    transaction_id,
                    code: error_status_code,
                });
                if error_status_code == ProtocolErrorCode::NOT_OPENED {
                    // The function lost its open state (reset, or another
                    // client closed it): everything pending is gone with it.
                    // The framer is kept: this runs while it is being drained,
                    // and later messages in the same read are still whole.
                    self.state = OpenState::Closed;
                    self.open_deadline = None;
                    self.version = ExtendedVersion::V1;
                    self.abort_pending();
                }
            }
            other => self
                .events
                .push_back(Event::Malformed(Malformed::WrongDirection(
                    other.message_type(),
                ))),
        }
    }

    fn unknown(&mut self, message_type: MessageType, transaction_id: u32) {
        self.events
            .push_back(Event::Malformed(Malformed::UnknownTransaction {
                message_type,
                transaction_id,
            }));
    }
}
