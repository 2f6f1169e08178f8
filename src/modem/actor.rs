//! The modem actor: one tokio task per modem that owns the transport and the
//! `mbim_proto::Session`, and serves requests from cloneable `ModemHandle`s.
//!
//! Its loop selects over handle commands, bytes from the transport and the
//! session's next deadline; it never awaits another actor (state goes out by
//! `watch`, events by `broadcast`, replies by `oneshot`), so it cannot deadlock.
//!
//! Failure policy (architecture.md, "The modem actor"):
//! * FUNCTION_ERROR NotOpened → pending requests fail with `Reset`, the
//!   function is reopened and the last subscribe list is sent again;
//! * `max_consecutive_timeouts` timeouts in a row → `Unresponsive`: pending
//!   requests fail, the modem is re-probed by reopening it;
//! * EOF / ENODEV / a write error → the actor ends and reports `Removed`;
//! * malformed bytes are counted and logged (never their content), never fatal.

use super::error::RequestError;
use super::state::{Link, ModemEvent, ModemState};
use crate::transport::Transport;
use mbim_proto::services::basic_connect::{self as bc, DeviceServicesInfo};
use mbim_proto::services::ms_basic_connect_extensions as ms_bce;
use mbim_proto::services::{ExtendedVersion, Payload, Request};
use mbim_proto::session::{Event, OpenState, SessionError, TransactionFailure};
use mbim_proto::{CommandType, ProtocolErrorCode, Session, SessionConfig, Status, Uuid, uuid};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;
use tracing::{debug, info, warn};

/// Tunables of one actor.
#[derive(Debug, Clone)]
pub struct ActorConfig {
    /// Name for logs and the state snapshot.
    pub name: String,
    /// Max control transfer of the transport.
    pub max_control_transfer: u32,
    /// Default request timeout.
    pub request_timeout: Duration,
    /// OPEN is re-sent with a new transaction id this often while unanswered.
    pub open_retry: Duration,
    /// Give up opening after this many OPEN attempts.
    pub open_attempts: u32,
    /// Consecutive timeouts that mark the modem unresponsive (MM uses 10).
    pub max_consecutive_timeouts: u32,
    /// Highest MBIMEx version to negotiate (1.0 = no negotiation).
    pub mbimex: ExtendedVersion,
}

impl Default for ActorConfig {
    fn default() -> Self {
        ActorConfig {
            name: "modem".into(),
            max_control_transfer: crate::transport::DEFAULT_MAX_CONTROL_TRANSFER,
            request_timeout: Duration::from_secs(30),
            open_retry: Duration::from_secs(5),
            open_attempts: 6,
            max_consecutive_timeouts: 5,
            mbimex: ExtendedVersion::V1,
        }
    }
}

/// A request from a handle.
pub(crate) struct RawRequest {
    pub service: Uuid,
    pub cid: u32,
    pub command_type: CommandType,
    pub payload: Vec<u8>,
    pub timeout: Duration,
    pub reply: oneshot::Sender<Result<Vec<u8>, RequestError>>,
}

pub(crate) enum ModemCommand {
    Request(RawRequest),
    /// Close the function and end the actor.
    Shutdown,
}

/// Why the actor ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorExit {
    /// Every handle was dropped or shutdown was asked for.
    Shutdown,
    /// The device went away.
    DeviceGone(String),
    /// The device never completed OPEN.
    OpenFailed,
}

/// The phase of bringing the function up after OPEN_DONE: MBIMEx negotiation
/// must be the very first commands (windows-operator-formats.md §7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bringup {
    Idle,
    DeviceServices(u32),
    Version(u32),
    Resubscribe(u32),
    Done,
}

pub(crate) struct ModemActor<T: Transport> {
    transport: T,
    session: Session,
    config: ActorConfig,
    rx: mpsc::Receiver<ModemCommand>,
    state: watch::Sender<ModemState>,
    events: broadcast::Sender<ModemEvent>,
    /// Requests sent and awaiting their response, kept whole so that one the
    /// device refused with NOT_OPENED (never executed) can be sent again.
    waiting: HashMap<u32, (RawRequest, bool)>,
    /// Requests that arrived while the function was not ready.
    deferred: Vec<(RawRequest, Instant)>,
    /// Requests refused with NOT_OPENED, re-sent (once) when ready again.
    deferred_retry: Vec<(RawRequest, Instant)>,
    consecutive_timeouts: u32,
    open_attempts: u32,
    bringup: Bringup,
    /// The last DEVICE_SERVICE_SUBSCRIBE_LIST set, replayed after a reopen.
    subscribe_list: Option<Vec<u8>>,
    ready_once: bool,
    /// Set when the function was reset and is being reopened.
    reopening: bool,
}

fn now_std() -> std::time::Instant {
    Instant::now().into_std()
}

impl<T: Transport> ModemActor<T> {
    pub(crate) fn new(
        transport: T,
        config: ActorConfig,
        rx: mpsc::Receiver<ModemCommand>,
        state: watch::Sender<ModemState>,
        events: broadcast::Sender<ModemEvent>,
    ) -> Self {
        let session = Session::new(SessionConfig {
            max_control_transfer: config.max_control_transfer,
            open_timeout: config.open_retry,
            ..SessionConfig::default()
        });
        ModemActor {
            transport,
            session,
            config,
            rx,
            state,
            events,
            waiting: HashMap::new(),
            deferred: Vec::new(),
            deferred_retry: Vec::new(),
            consecutive_timeouts: 0,
            open_attempts: 0,
            bringup: Bringup::Idle,
            subscribe_list: None,
            ready_once: false,
            reopening: false,
        }
    }

    fn set_link(&mut self, link: Link) {
        self.state.send_modify(|s| s.link = link);
    }

    fn start_open(&mut self) {
        self.open_attempts += 1;
        self.bringup = Bringup::Idle;
        self.set_link(Link::Opening);
        if let Err(e) = self.session.open(now_std()) {
            warn!(error = %e, "cannot encode OPEN");
        }
    }

    pub(crate) async fn run(mut self) -> ActorExit {
        let span = tracing::info_span!("modem", name = %self.config.name);
        let _enter = span.enter();
        info!(
            "opening MBIM function (max control transfer {})",
            self.config.max_control_transfer
        );
        self.start_open();
        let mut buf = vec![0u8; 64 * 1024];
        let exit = loop {
            if let Err(e) = self.flush().await {
                break ActorExit::DeviceGone(e.to_string());
            }
            if let Some(exit) = self.drain_events() {
                break exit;
            }
            if let Err(e) = self.flush().await {
                break ActorExit::DeviceGone(e.to_string());
            }
            let deadline = self.next_deadline();
            tokio::select! {
                cmd = self.rx.recv() => match cmd {
                    None | Some(ModemCommand::Shutdown) => {
                        self.shutdown().await;
                        break ActorExit::Shutdown;
                    }
                    Some(ModemCommand::Request(r)) => self.submit(r),
                },
                r = self.transport.read(&mut buf) => match r {
                    Ok(0) => break ActorExit::DeviceGone("end of stream".into()),
                    Ok(n) => self.session.handle_bytes(now_std(), &buf[..n]),
                    Err(e) => break ActorExit::DeviceGone(e.to_string()),
                },
                _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.session.handle_timeout(now_std());
                    self.expire_deferred();
                }
            }
        };
        self.finish(&exit);
        exit
    }

    fn next_deadline(&self) -> Option<Instant> {
        let s = self.session.poll_timeout().map(Instant::from_std);
        let d = self
            .deferred
            .iter()
            .chain(&self.deferred_retry)
            .map(|(_, d)| *d)
            .min();
        [s, d].into_iter().flatten().min()
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        while let Some(b) = self.session.poll_transmit() {
            self.transport.write_all(&b).await?;
        }
        self.transport.flush().await
    }

    async fn shutdown(&mut self) {
        if self.session.is_open() {
            let _ = self.session.close(now_std());
            let _ = self.flush().await;
        }
    }

    fn finish(&mut self, exit: &ActorExit) {
        let gone = match exit {
            ActorExit::Shutdown => RequestError::ModemGone,
            ActorExit::OpenFailed => RequestError::NotOpen,
            ActorExit::DeviceGone(_) => RequestError::ModemGone,
        };
        for (_, (r, _)) in self.waiting.drain() {
            let _ = r.reply.send(Err(gone.clone()));
        }
        for (r, _) in self.deferred.drain(..).chain(self.deferred_retry.drain(..)) {
            let _ = r.reply.send(Err(gone.clone()));
        }
        self.set_link(Link::Gone);
        let reason = match exit {
            ActorExit::Shutdown => "shut down".to_string(),
            ActorExit::OpenFailed => "the device never answered OPEN".to_string(),
            ActorExit::DeviceGone(e) => format!("device gone: {e}"),
        };
        info!(%reason, "modem actor ends");
        let _ = self.events.send(ModemEvent::Removed { reason });
    }

    fn ready(&self) -> bool {
        self.session.is_open() && self.bringup == Bringup::Done
    }

    fn submit(&mut self, r: RawRequest) {
        if r.reply.is_closed() {
            return;
        }
        if !self.ready() {
            let deadline = Instant::now() + r.timeout;
            self.deferred.push((r, deadline));
            return;
        }
        self.send_request(r);
    }

    fn send_request(&mut self, r: RawRequest) {
        self.send_request_retry(r, false);
    }

    fn send_request_retry(&mut self, r: RawRequest, retried: bool) {
        if uuid::canonical(r.service) == uuid::BASIC_CONNECT
            && r.cid == bc::cid::DEVICE_SERVICE_SUBSCRIBE_LIST
            && r.command_type == CommandType::SET
        {
            self.subscribe_list = Some(r.payload.clone());
        }
        match self.session.command(
            now_std(),
            r.service,
            r.cid,
            r.command_type,
            &r.payload,
            r.timeout,
        ) {
            Ok(tid) => {
                self.waiting.insert(tid, (r, retried));
            }
            Err(SessionError::Encode(e)) => {
                let _ = r.reply.send(Err(RequestError::Encode(e)));
            }
            Err(_) => {
                let _ = r.reply.send(Err(RequestError::NotOpen));
            }
        }
    }

    fn expire_deferred(&mut self) {
        let now = Instant::now();
        let (gone, keep): (Vec<_>, Vec<_>) =
            self.deferred_retry.drain(..).partition(|(_, d)| *d <= now);
        self.deferred_retry = keep;
        for (r, _) in gone {
            let _ = r.reply.send(Err(RequestError::Reset));
        }
        let (expired, keep): (Vec<_>, Vec<_>) =
            self.deferred.drain(..).partition(|(_, d)| *d <= now);
        self.deferred = keep;
        for (r, _) in expired {
            let err = if self.state.borrow().link == Link::Unresponsive {
                RequestError::Unresponsive
            } else {
                RequestError::NotOpen
            };
            let _ = r.reply.send(Err(err));
        }
    }

    fn release_deferred(&mut self) {
        for (r, _) in std::mem::take(&mut self.deferred_retry) {
            self.send_request_retry(r, true);
        }
        for (r, _) in std::mem::take(&mut self.deferred) {
            self.send_request(r);
        }
    }

    fn internal(
        &mut self,
        service: Uuid,
        cid: u32,
        ct: CommandType,
        payload: &[u8],
    ) -> Option<u32> {
        self.session
            .command(
                now_std(),
                service,
                cid,
                ct,
                payload,
                self.config.request_timeout,
            )
            .ok()
    }

    /// Next step of bringing the function up after OPEN_DONE.
    fn advance_bringup(&mut self, done_tid: Option<u32>, status: Status, info: &[u8]) {
        match self.bringup {
            Bringup::Idle => {
                if self.config.mbimex > ExtendedVersion::V1
                    && let Some(t) = self.internal(
                        uuid::BASIC_CONNECT,
                        bc::cid::DEVICE_SERVICES,
                        CommandType::QUERY,
                        &[],
                    )
                {
                    self.bringup = Bringup::DeviceServices(t);
                    return;
                }
                self.after_negotiation();
            }
            Bringup::DeviceServices(t) if done_tid == Some(t) => {
                let offers_version = status == Status::SUCCESS
                    && DeviceServicesInfo::decode(info).is_ok_and(|d| {
                        d.device_services.iter().any(|s| {
                            uuid::canonical(s.device_service_id)
                                == uuid::MS_BASIC_CONNECT_EXTENSIONS
                                && s.cids.contains(&ms_bce::cid::VERSION)
                        })
                    });
                if offers_version {
                    let q = ms_bce::Version::host(self.config.mbimex);
                    if let Ok(q) = q.to_bytes()
                        && let Some(t) = self.internal(
                            <ms_bce::Version as Request>::SERVICE,
                            <ms_bce::Version as Request>::CID,
                            <ms_bce::Version as Request>::COMMAND_TYPE,
                            &q,
                        )
                    {
                        self.bringup = Bringup::Version(t);
                        return;
                    }
                }
                self.after_negotiation();
            }
            Bringup::Version(t) if done_tid == Some(t) => self.after_negotiation(),
            Bringup::Resubscribe(t) if done_tid == Some(t) => self.become_ready(),
            _ => {}
        }
    }

    fn after_negotiation(&mut self) {
        let v = self.session.version();
        self.state.send_modify(|s| s.version = v);
        if self.reopening
            && let Some(list) = self.subscribe_list.clone()
            && let Some(t) = self.internal(
                uuid::BASIC_CONNECT,
                bc::cid::DEVICE_SERVICE_SUBSCRIBE_LIST,
                CommandType::SET,
                &list,
            )
        {
            self.bringup = Bringup::Resubscribe(t);
            return;
        }
        self.become_ready();
    }

    fn become_ready(&mut self) {
        self.bringup = Bringup::Done;
        self.open_attempts = 0;
        self.consecutive_timeouts = 0;
        let reopened = self.ready_once;
        self.ready_once = true;
        if self.reopening {
            self.state.send_modify(|s| s.reopens += 1);
        }
        self.reopening = false;
        self.set_link(Link::Ready);
        info!(version = %self.session.version(), reopened, "MBIM function ready");
        let _ = self.events.send(ModemEvent::Ready { reopened });
        self.release_deferred();
    }

    fn reply(&mut self, tid: u32, r: Result<Vec<u8>, RequestError>) {
        if let Some((req, _)) = self.waiting.remove(&tid) {
            let _ = req.reply.send(r);
        }
    }

    fn reopen(&mut self) {
        self.reopening = true;
        self.open_attempts = 0;
        self.start_open();
    }

    /// Handle session events; returns an exit if the actor must end.
    fn drain_events(&mut self) -> Option<ActorExit> {
        while let Some(ev) = self.session.poll_event() {
            match ev {
                Event::OpenDone { status } => {
                    if status == Status::SUCCESS {
                        debug!("OPEN_DONE");
                        self.advance_bringup(None, status, &[]);
                    } else {
                        warn!(%status, "OPEN refused");
                        if self.open_attempts >= self.config.open_attempts {
                            return Some(ActorExit::OpenFailed);
                        }
                        self.start_open();
                    }
                }
                Event::OpenTimedOut => {
                    if self.open_attempts >= self.config.open_attempts {
                        warn!(attempts = self.open_attempts, "no answer to OPEN");
                        return Some(ActorExit::OpenFailed);
                    }
                    debug!("OPEN unanswered; sending it again");
                    self.start_open();
                }
                Event::CloseDone { .. } => {}
                Event::CommandDone {
                    transaction_id,
                    service,
                    cid,
                    status,
                    information_buffer,
                } => {
                    self.consecutive_timeouts = 0;
                    if status.is_success() {
                        self.state
                            .send_modify(|s| s.apply(&service, cid, &information_buffer));
                    }
                    if self.bringup != Bringup::Done {
                        self.advance_bringup(Some(transaction_id), status, &information_buffer);
                    }
                    let r = if status.is_success() {
                        Ok(information_buffer)
                    } else {
                        Err(RequestError::Status {
                            status,
                            information_buffer,
                        })
                    };
                    self.reply(transaction_id, r);
                }
                Event::Indication {
                    service,
                    cid,
                    information_buffer,
                } => {
                    if uuid::canonical(service) == uuid::BASIC_CONNECT
                        && cid == bc::cid::SUBSCRIBER_READY_STATUS
                        && let Some(sub) =
                            subscriber_ready(&information_buffer, self.session.version())
                    {
                        use mbim_proto::personal::Personal;
                        info!(
                            state = %sub.ready_state,
                            imsi = %Personal(&sub.subscriber_id),
                            iccid = %Personal(&sub.sim_icc_id),
                            "subscriber ready status changed"
                        );
                    }
                    self.state.send_modify(|s| {
                        s.apply(&service, cid, &information_buffer);
                        if uuid::canonical(service) == uuid::BASIC_CONNECT
                            && cid == bc::cid::SIGNAL_STATE
                        {
                            s.signal_indications += 1;
                        }
                    });
                    let _ = self.events.send(ModemEvent::Indication {
                        service,
                        cid,
                        information_buffer: Arc::new(information_buffer),
                    });
                }
                Event::FunctionError {
                    transaction_id,
                    code,
                } => {
                    warn!(%code, transaction_id, "FUNCTION_ERROR from the modem");
                    if code == ProtocolErrorCode::NOT_OPENED {
                        // The session already aborted everything else pending
                        // (their fate is unknown: TransactionFailed(Aborted) →
                        // Reset). This request was refused, not executed, so
                        // it is sent once more after the reopen.
                        match self.waiting.remove(&transaction_id) {
                            Some((req, false)) if !req.reply.is_closed() => {
                                let deadline = Instant::now() + req.timeout;
                                self.deferred_retry.push((req, deadline));
                            }
                            Some((req, _)) => {
                                let _ = req.reply.send(Err(RequestError::Reset));
                            }
                            None => {}
                        }
                        self.reopen();
                    } else {
                        self.reply(transaction_id, Err(RequestError::Function(code)));
                    }
                }
                Event::TransactionTimedOut {
                    transaction_id,
                    service,
                    cid,
                    ..
                } => {
                    self.consecutive_timeouts += 1;
                    self.state.send_modify(|s| s.timeouts += 1);
                    warn!(
                        transaction_id,
                        cid,
                        consecutive = self.consecutive_timeouts,
                        "request timed out"
                    );
                    self.reply(transaction_id, Err(RequestError::Timeout { service, cid }));
                    if self.bringup != Bringup::Done && self.session.state() == OpenState::Open {
                        // A bring-up step went unanswered: carry on without it.
                        self.advance_bringup(
                            match self.bringup {
                                Bringup::DeviceServices(t)
                                | Bringup::Version(t)
                                | Bringup::Resubscribe(t) => Some(t),
                                _ => None,
                            },
                            Status::FAILURE,
                            &[],
                        );
                    }
                    if self.consecutive_timeouts >= self.config.max_consecutive_timeouts {
                        warn!("modem unresponsive; failing pending requests and re-probing");
                        self.set_link(Link::Unresponsive);
                        let _ = self.events.send(ModemEvent::Unresponsive);
                        let tids: Vec<u32> = self.waiting.keys().copied().collect();
                        for t in tids {
                            self.reply(t, Err(RequestError::Unresponsive));
                        }
                        self.consecutive_timeouts = 0;
                        self.reopen();
                        self.set_link(Link::Unresponsive);
                    }
                }
                Event::TransactionFailed {
                    transaction_id,
                    failure,
                } => {
                    let e = match failure {
                        TransactionFailure::Aborted => {
                            if self.state.borrow().link == Link::Unresponsive {
                                RequestError::Unresponsive
                            } else {
                                RequestError::Reset
                            }
                        }
                        TransactionFailure::Malformed(d) => RequestError::Decode(d),
                        other => RequestError::Transaction(other),
                    };
                    self.reply(transaction_id, Err(e));
                }
                Event::Malformed(m) => {
                    self.state.send_modify(|s| s.malformed += 1);
                    warn!(error = %m, "dropped malformed bytes from the modem");
                }
                Event::VersionNegotiated(v) => {
                    info!(version = %v, "MBIMEx version agreed");
                    self.state.send_modify(|s| s.version = v);
                }
            }
        }
        None
    }
}

/// A SUBSCRIBER_READY_STATUS payload in the negotiated layout, as 1.0 fields.
fn subscriber_ready(info: &[u8], version: ExtendedVersion) -> Option<bc::SubscriberReadyInfo> {
    use mbim_proto::services::{Decoded, Kind, basic_connect_v3 as v3, decode_basic_connect};
    match decode_basic_connect(
        bc::cid::SUBSCRIBER_READY_STATUS,
        Kind::Indication,
        version,
        info,
    ) {
        Ok(Decoded::BasicConnect(bc::Any::SubscriberReadyInfo(x))) => Some(x),
        Ok(Decoded::BasicConnectV3(v3::Any::SubscriberReadyInfoV3(x))) => Some(x.into()),
        _ => None,
    }
}
