//! The device side of MBIM, sans-I/O: bytes and time in, bytes and timers out.
//!
//! [`Device`] frames the host's byte stream, reassembles host fragments,
//! keeps the function's open state, transaction ids, negotiated MBIMEx version
//! and subscribe list, answers OPEN / CLOSE / COMMAND / HOST_ERROR
//! (MBIM 1.0 §9), fragments what it sends at the max control transfer, turns
//! the [`Modem`]'s state changes into INDICATE_STATUS messages the host
//! subscribed to, and applies injected [`Fault`]s. It reads no clock and does
//! no I/O: callers feed `handle_bytes(now, ..)` / `handle_timeout(now)` and
//! drain `poll_transmit()` (one item = one write) and `poll_event()`.

use super::fault::{Fault, FaultRule};
use super::mbimex;
use super::modem::{Handled, Modem, Notification, Reply};
use super::scenario::{EventKind, Scenario};
use mbim_proto::fragment::{Reassembled, Reassembler, fragment};
use mbim_proto::framer::Framer;
use mbim_proto::message::{CommandDone, IndicateStatus};
use mbim_proto::services::basic_connect::{
    DeviceServiceElement, DeviceServiceSubscribeList, DeviceServicesInfo, cid,
};
use mbim_proto::services::ms_basic_connect_extensions::{self as ms_bce, Version};
use mbim_proto::services::{Kind, Payload};
use mbim_proto::uuid::{self as uuids, BASIC_CONNECT, MS_BASIC_CONNECT_EXTENSIONS};
use mbim_proto::wire::Uuid;
use mbim_proto::{CommandType, Message, ProtocolErrorCode, Status};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One thing to write to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Bytes for one write (a message, a fragment, or injected garbage).
    Bytes(Vec<u8>),
    /// The device is gone: end the stream.
    Eof,
}

/// What happened inside the device, for logs and tests.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceEvent {
    Opened {
        transaction_id: u32,
        max_control_transfer: u32,
    },
    Closed {
        transaction_id: u32,
    },
    /// A whole command arrived (before any fault).
    Command {
        transaction_id: u32,
        service: Uuid,
        cid: u32,
        command_type: CommandType,
    },
    /// A command before OPEN (answered with FUNCTION_ERROR NOT_OPENED).
    NotOpened {
        transaction_id: u32,
    },
    HostError {
        transaction_id: u32,
        code: ProtocolErrorCode,
    },
    /// A fault rule fired.
    FaultFired {
        fault: Fault,
        transaction_id: Option<u32>,
    },
    /// Bytes from the host that could not be used.
    Discarded {
        reason: String,
    },
    /// MBIMEx version agreed with the host.
    VersionNegotiated {
        version: u16,
    },
}

#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    seen: u32,
    fired: u32,
    /// For time-triggered rules: armed (scheduled) already.
    scheduled: bool,
}

#[derive(Debug)]
enum DeviceTimer {
    Release(Vec<Transmit>),
    Rule(usize),
}

/// The simulated MBIM function.
#[derive(Debug)]
pub struct Device {
    modem: Modem,
    framer: Framer,
    reassembler: Reassembler,
    open: bool,
    host_max: u32,
    version: u16,
    /// FilterIds of the MBIMEx 3.0 IP_PACKET_FILTERS last set, per session
    /// (the modem keeps 1.0 filters, which carry none).
    filter_ids: HashMap<u32, Vec<u32>>,
    /// `None` = every indication (the state after OPEN).
    subscriptions: Option<DeviceServiceSubscribeList>,
    rules: Vec<ActiveRule>,
    /// Response faults decided when a deferred command arrived.
    deferred_faults: HashMap<u32, Fault>,
    timers: BTreeMap<(Instant, u64), DeviceTimer>,
    seq: u64,
    epoch: Option<Instant>,
    out: VecDeque<Transmit>,
    events: VecDeque<DeviceEvent>,
    unplugged: bool,
}

impl Device {
    /// A device running `scenario` (its `[[fault]]` rules armed).
    pub fn new(scenario: Scenario) -> Device {
        let rules = scenario
            .faults
            .iter()
            .cloned()
            .map(|rule| ActiveRule {
                rule,
                seen: 0,
                fired: 0,
                scheduled: false,
            })
            .collect();
        Device {
            modem: Modem::new(scenario),
            framer: Framer::default(),
            reassembler: Reassembler::default(),
            open: false,
            host_max: 4096,
            version: 0x0100,
            filter_ids: HashMap::new(),
            subscriptions: None,
            rules,
            deferred_faults: HashMap::new(),
            timers: BTreeMap::new(),
            seq: 0,
            epoch: None,
            out: VecDeque::new(),
            events: VecDeque::new(),
            unplugged: false,
        }
    }

    /// The modem state behind the function.
    pub fn modem(&self) -> &Modem {
        &self.modem
    }

    /// Whether the function is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The negotiated MBIMEx version (BCD, 0x0100 = none).
    pub fn version(&self) -> u16 {
        self.version
    }

    /// Add a fault rule at run time.
    pub fn inject(&mut self, rule: FaultRule) {
        self.rules.push(ActiveRule {
            rule,
            seen: 0,
            fired: 0,
            scheduled: false,
        });
        self.arm_time_rules();
    }

    /// Make something happen now (an SMS arrives, the signal drops, ...).
    pub fn trigger(&mut self, now: Instant, event: &EventKind) {
        self.modem.apply_event(now, event);
        self.flush_modem(now);
    }

    /// Bytes from the host.
    pub fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        if self.unplugged {
            return;
        }
        self.framer.push(bytes);
        while let Some(next) = self.framer.next_message() {
            match next {
                Err(e) => self.event(DeviceEvent::Discarded {
                    reason: e.to_string(),
                }),
                Ok(piece) => match self.reassembler.push(now, &piece) {
                    Ok(Reassembled::Pending) => {}
                    Ok(Reassembled::Complete(msg)) => self.handle_message(now, &msg),
                    Err(e) => {
                        self.event(DeviceEvent::Discarded {
                            reason: e.to_string(),
                        });
                        self.send_message(&Message::FunctionError {
                            transaction_id: e.transaction_id,
                            error_status_code: e.code,
                        });
                    }
                },
            }
            if self.unplugged {
                return;
            }
        }
        self.flush_modem(now);
    }

    /// The next instant at which [`Device::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.timers.keys().next().map(|(t, _)| *t),
            self.modem.poll_timeout(),
            self.reassembler.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Run whatever is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.unplugged {
            return;
        }
        for e in self.reassembler.handle_timeout(now) {
            self.send_message(&Message::FunctionError {
                transaction_id: e.transaction_id,
                error_status_code: e.code,
            });
        }
        while let Some((&(at, seq), _)) = self.timers.iter().next() {
            if at > now {
                break;
            }
            let Some(t) = self.timers.remove(&(at, seq)) else {
                break;
            };
            match t {
                DeviceTimer::Release(items) => self.out.extend(items),
                DeviceTimer::Rule(i) => self.fire_time_rule(i),
            }
            if self.unplugged {
                return;
            }
        }
        self.modem.handle_timeout(now);
        self.flush_modem(now);
    }

    /// The next write for the host.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }

    /// The next internal event.
    pub fn poll_event(&mut self) -> Option<DeviceEvent> {
        self.events.pop_front()
    }

    // -----------------------------------------------------------------------

    fn event(&mut self, e: DeviceEvent) {
        // Keep a bounded backlog: nobody may be draining events.
        if self.events.len() >= 1024 {
            self.events.pop_front();
        }
        self.events.push_back(e);
    }

    fn max_transfer(&self) -> usize {
        let dev = self.modem.scenario().device.max_control_transfer;
        dev.min(self.host_max).max(64) as usize
    }

    fn handle_message(&mut self, now: Instant, bytes: &[u8]) {
        let msg = match Message::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                self.event(DeviceEvent::Discarded {
                    reason: e.to_string(),
                });
                if let Ok(h) = mbim_proto::message::Header::peek(bytes) {
                    self.send_message(&Message::FunctionError {
                        transaction_id: h.transaction_id,
                        error_status_code: ProtocolErrorCode::LENGTH_MISMATCH,
                    });
                }
                return;
            }
        };
        match msg {
            Message::Open {
                transaction_id,
                max_control_transfer,
            } => {
                let fault = self.match_rule("open", None, transaction_id);
                if self.device_fault(&fault) {
                    return;
                }
                self.open = true;
                self.host_max = max_control_transfer;
                self.version = 0x0100;
                self.subscriptions = None;
                self.reassembler.reset();
                if self.epoch.is_none() {
                    self.epoch = Some(now);
                    self.modem.start(now);
                }
                self.arm_time_rules();
                self.event(DeviceEvent::Opened {
                    transaction_id,
                    max_control_transfer,
                });
                let done = Message::OpenDone {
                    transaction_id,
                    status: Status::SUCCESS,
                };
                self.send_with_fault(now, &done, fault, transaction_id);
            }
            Message::Close { transaction_id } => {
                let fault = self.match_rule("close", None, transaction_id);
                if self.device_fault(&fault) {
                    return;
                }
                self.open = false;
                self.event(DeviceEvent::Closed { transaction_id });
                let done = Message::CloseDone {
                    transaction_id,
                    status: Status::SUCCESS,
                };
                self.send_with_fault(now, &done, fault, transaction_id);
            }
            Message::HostError {
                transaction_id,
                error_status_code,
            } => {
                self.reassembler
                    .cancel(mbim_proto::MessageType::COMMAND, transaction_id);
                self.event(DeviceEvent::HostError {
                    transaction_id,
                    code: error_status_code,
                });
            }
            Message::Command(c) => {
                let tid = c.transaction_id;
                self.event(DeviceEvent::Command {
                    transaction_id: tid,
                    service: c.service,
                    cid: c.cid,
                    command_type: c.command_type,
                });
                if !self.open {
                    self.event(DeviceEvent::NotOpened {
                        transaction_id: tid,
                    });
                    self.send_message(&Message::FunctionError {
                        transaction_id: tid,
                        error_status_code: ProtocolErrorCode::NOT_OPENED,
                    });
                    return;
                }
                let service = uuids::canonical(c.service);
                let name =
                    uuids::name(&service).map_or_else(|| service.to_string(), str::to_string);
                let fault = self.match_rule(&name, Some(c.cid), tid);
                if self.device_fault(&fault) {
                    return;
                }
                let handled = self.dispatch(
                    now,
                    tid,
                    service,
                    c.cid,
                    c.command_type,
                    &c.information_buffer,
                );
                match handled {
                    Handled::Reply(r) => self.respond(now, tid, service, c.cid, r, fault),
                    Handled::Later => {
                        if let Some(f) = fault {
                            self.deferred_faults.insert(tid, f);
                        }
                    }
                }
            }
            other => self.event(DeviceEvent::Discarded {
                reason: format!("unexpected {} from the host", other.message_type()),
            }),
        }
    }

    /// Apply a fault that stops the message from being handled at all
    /// (stuck, reset, unplug); returns whether it did.
    fn device_fault(&mut self, fault: &Option<Fault>) -> bool {
        match fault {
            Some(Fault::Stuck) => true,
            Some(Fault::Reset) => {
                self.reset();
                true
            }
            Some(Fault::Unplug) => {
                self.unplug();
                true
            }
            _ => false,
        }
    }

    /// Protocol-level CIDs are answered here; the rest goes to the modem.
    fn dispatch(
        &mut self,
        now: Instant,
        tid: u32,
        service: Uuid,
        c: u32,
        ct: CommandType,
        buf: &[u8],
    ) -> Handled {
        let set = ct == CommandType::SET;
        if service == BASIC_CONNECT && c == cid::DEVICE_SERVICES && !set {
            return Handled::Reply(Reply::ok(&self.device_services()));
        }
        if service == BASIC_CONNECT && c == cid::DEVICE_SERVICE_SUBSCRIBE_LIST {
            if !set {
                return Handled::Reply(Reply::status(Status::NO_DEVICE_SUPPORT));
            }
            return Handled::Reply(match DeviceServiceSubscribeList::decode(buf) {
                Ok(list) => {
                    let r = Reply::ok(&list);
                    self.subscriptions = Some(list);
                    r
                }
                Err(_) => Reply::status(Status::INVALID_PARAMETERS),
            });
        }
        if service == MS_BASIC_CONNECT_EXTENSIONS {
            if self.modem.scenario().device.mbimex_version < 0x0200 {
                return Handled::Reply(Reply::status(Status::NO_DEVICE_SUPPORT));
            }
            if c == ms_bce::cid::VERSION && !set {
                return Handled::Reply(self.negotiate(buf));
            }
            return Handled::Reply(self.modem.ms_bce(self.version, c, set, buf));
        }
        if service == BASIC_CONNECT && self.version >= 0x0300 {
            let v1 = match mbimex::request_to_v1(self.version, c, set, buf) {
                Ok(v1) => v1,
                Err(status) => return Handled::Reply(Reply::status(status)),
            };
            let handled = self
                .modem
                .handle(now, tid, service, c, ct, v1.as_deref().unwrap_or(buf));
            if c == cid::IP_PACKET_FILTERS
                && set
                && matches!(&handled, Handled::Reply(r) if r.status == Status::SUCCESS)
                && let Some((session, ids)) = mbimex::filter_ids(buf)
            {
                self.filter_ids.insert(session, ids);
            }
            return handled;
        }
        self.modem.handle(now, tid, service, c, ct, buf)
    }

    fn device_services(&self) -> DeviceServicesInfo {
        let device_services: Vec<DeviceServiceElement> = self
            .modem
            .supported_services()
            .into_iter()
            .map(|(id, cids)| DeviceServiceElement {
                device_service_id: id,
                dss_payload: 0,
                max_dss_instances: 0,
                cids,
            })
            .collect();
        DeviceServicesInfo {
            max_dss_sessions: super::dss::MAX_DSS_SESSIONS,
            device_services,
        }
    }

    /// MS Basic Connect Extensions VERSION (MBIMEx 2.0): agree on the lower
    /// of the host's and the scenario's extended version; Basic Connect
    /// payloads use that version's layouts from now until the next OPEN.
    fn negotiate(&mut self, buf: &[u8]) -> Reply {
        let Ok(host) = Version::decode(buf) else {
            return Reply::status(Status::INVALID_PARAMETERS);
        };
        let ours = self.modem.scenario().device.mbimex_version;
        let agreed = host.mbim_extended_version.min(ours);
        self.version = agreed;
        self.event(DeviceEvent::VersionNegotiated { version: agreed });
        Reply::ok(&Version {
            mbim_version: 0x0100,
            mbim_extended_version: agreed,
        })
    }

    /// A Basic Connect payload of `kind` from the modem (MBIM 1.0 layout)
    /// in the layout of the negotiated version.
    fn versioned(&self, c: u32, kind: Kind, payload: Vec<u8>) -> Vec<u8> {
        if self.version < 0x0200 {
            return payload;
        }
        let ids = |session: u32| self.filter_ids.get(&session).cloned().unwrap_or_default();
        mbimex::to_version(self.version, &self.modem, c, kind, payload, &ids)
    }

    fn respond(
        &mut self,
        now: Instant,
        tid: u32,
        service: Uuid,
        c: u32,
        mut reply: Reply,
        fault: Option<Fault>,
    ) {
        if service == BASIC_CONNECT {
            reply.payload = self.versioned(c, Kind::Response, reply.payload);
        }
        let msg = Message::CommandDone(CommandDone {
            transaction_id: tid,
            service,
            cid: c,
            status: reply.status,
            information_buffer: Cow::Owned(reply.payload),
        });
        self.send_with_fault(now, &msg, fault, tid);
    }

    /// Encode, fragment and queue `msg`, bent by `fault`.
    fn send_with_fault(&mut self, now: Instant, msg: &Message<'_>, fault: Option<Fault>, tid: u32) {
        let Ok(bytes) = msg.to_bytes() else {
            return;
        };
        let max = self.max_transfer();
        let frags = |size: usize| fragment(&bytes, size).unwrap_or_else(|_| vec![bytes.clone()]);
        let items: Vec<Transmit> = match &fault {
            None | Some(Fault::Stuck | Fault::Reset | Fault::Unplug) => {
                frags(max).into_iter().map(Transmit::Bytes).collect()
            }
            Some(Fault::Delay { ms }) => {
                let items = frags(max).into_iter().map(Transmit::Bytes).collect();
                self.seq += 1;
                self.timers.insert(
                    (now + Duration::from_millis(*ms), self.seq),
                    DeviceTimer::Release(items),
                );
                Vec::new()
            }
            Some(Fault::Drop) => Vec::new(),
            Some(Fault::Garbage { bytes: g }) => std::iter::once(Transmit::Bytes(g.clone()))
                .chain(frags(max).into_iter().map(Transmit::Bytes))
                .collect(),
            Some(Fault::Truncate { keep }) => {
                let cut: Vec<u8> = bytes.iter().copied().take(*keep).collect();
                vec![Transmit::Bytes(cut)]
            }
            Some(Fault::OutOfOrderFragments { fragment_size }) => {
                let mut f = frags((*fragment_size).clamp(24, max));
                if f.len() >= 2 {
                    f.swap(0, 1);
                }
                f.into_iter().map(Transmit::Bytes).collect()
            }
        };
        if let Some(f) = fault.filter(|f| !matches!(f, Fault::Stuck | Fault::Reset | Fault::Unplug))
        {
            self.event(DeviceEvent::FaultFired {
                fault: f,
                transaction_id: Some(tid),
            });
        }
        self.out.extend(items);
    }

    fn send_message(&mut self, msg: &Message<'_>) {
        if let Ok(bytes) = msg.to_bytes() {
            let max = self.max_transfer();
            match fragment(&bytes, max) {
                Ok(frags) => self.out.extend(frags.into_iter().map(Transmit::Bytes)),
                Err(_) => self.out.push_back(Transmit::Bytes(bytes)),
            }
        }
    }

    /// Send deferred completions and the indications the host subscribed to.
    fn flush_modem(&mut self, now: Instant) {
        while let Some(c) = self.modem.poll_completion() {
            let fault = self.deferred_faults.remove(&c.transaction_id);
            if self.open {
                self.respond(now, c.transaction_id, c.service, c.cid, c.reply, fault);
            }
        }
        while let Some(n) = self.modem.poll_notification() {
            self.indicate(n);
        }
    }

    fn indicate(&mut self, n: Notification) {
        if !self.open {
            return;
        }
        let allowed = self
            .subscriptions
            .as_ref()
            .is_none_or(|s| s.allows(&n.service, n.cid));
        if !allowed {
            return;
        }
        let mut payload = n.payload;
        if n.service == BASIC_CONNECT {
            payload = self.versioned(n.cid, Kind::Indication, payload);
        }
        self.send_message(&Message::IndicateStatus(IndicateStatus {
            transaction_id: 0,
            service: n.service,
            cid: n.cid,
            information_buffer: Cow::Owned(payload),
        }));
    }

    /// Find the rule a command (or OPEN/CLOSE, by pseudo-service name) fires.
    fn match_rule(&mut self, service: &str, c: Option<u32>, tid: u32) -> Option<Fault> {
        for r in &mut self.rules {
            let t = &r.rule.trigger;
            if t.at.is_some() || r.fired >= r.rule.count {
                continue;
            }
            let svc_ok = match &t.service {
                None => service != "open" && service != "close",
                Some(s) => s.eq_ignore_ascii_case(service),
            };
            let cid_ok = t.cid.is_none() || t.cid == c;
            if !svc_ok || !cid_ok {
                continue;
            }
            if r.seen < t.skip {
                r.seen += 1;
                continue;
            }
            r.fired += 1;
            let f = r.rule.fault.clone();
            if matches!(f, Fault::Stuck | Fault::Reset | Fault::Unplug) {
                self.events.push_back(DeviceEvent::FaultFired {
                    fault: f.clone(),
                    transaction_id: Some(tid),
                });
            }
            return Some(f);
        }
        None
    }

    fn arm_time_rules(&mut self) {
        let Some(epoch) = self.epoch else {
            return;
        };
        for i in 0..self.rules.len() {
            let r = &mut self.rules[i];
            if let Some(at) = r.rule.trigger.at
                && !r.scheduled
            {
                r.scheduled = true;
                self.seq += 1;
                self.timers
                    .insert((epoch + at, self.seq), DeviceTimer::Rule(i));
            }
        }
    }

    fn fire_time_rule(&mut self, i: usize) {
        let Some(r) = self.rules.get_mut(i) else {
            return;
        };
        if r.fired >= r.rule.count {
            return;
        }
        r.fired += 1;
        let fault = r.rule.fault.clone();
        self.event(DeviceEvent::FaultFired {
            fault: fault.clone(),
            transaction_id: None,
        });
        match fault {
            Fault::Reset => self.reset(),
            Fault::Unplug => self.unplug(),
            Fault::Garbage { bytes } => self.out.push_back(Transmit::Bytes(bytes)),
            // A response fault at a time: arm it for the next command.
            other => {
                self.rules.push(ActiveRule {
                    rule: FaultRule::on_command(other, None, None),
                    seen: 0,
                    fired: 0,
                    scheduled: false,
                });
            }
        }
    }

    /// The device reboots: modem state from the scenario, function closed.
    fn reset(&mut self) {
        self.modem.reset();
        self.open = false;
        self.version = 0x0100;
        self.filter_ids.clear();
        self.subscriptions = None;
        self.reassembler.reset();
        self.deferred_faults.clear();
        self.timers.retain(|_, t| matches!(t, DeviceTimer::Rule(_)));
    }

    fn unplug(&mut self) {
        self.unplugged = true;
        self.timers.clear();
        self.out.push_back(Transmit::Eof);
    }
}
