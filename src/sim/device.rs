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
use super::modem::{Handled, Modem, Notification, Reply};
use super::scenario::{EventKind, Scenario};
use mbim_proto::fragment::{Reassembled, Reassembler, fragment};
use mbim_proto::framer::Framer;
use mbim_proto::message::{CommandDone, IndicateStatus};
use mbim_proto::services::Payload;
use mbim_proto::services::basic_connect::{
    DataClass, DeviceServiceElement, DeviceServiceSubscribeList, DeviceServicesInfo,
    RegistrationStateInfo, cid,
};
use mbim_proto::uuid::{self as uuids, BASIC_CONNECT, MS_BASIC_CONNECT_EXTENSIONS};
use mbim_proto::wire::Uuid;
use mbim_proto::wire::Writer;
use mbim_proto::{CommandType, Message, ProtocolErrorCode, Status};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// MS Basic Connect Extensions VERSION (MBIMEx 2.0).
const MS_BCE_VERSION: u32 = 15;

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
            return Handled::Reply(self.ms_bce(c, set, buf));
        }
        self.modem.handle(now, tid, service, c, ct, buf)
    }

    fn device_services(&self) -> DeviceServicesInfo {
        let mut device_services: Vec<DeviceServiceElement> = self
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
        if self.modem.scenario().device.mbimex_version >= 0x0200 {
            device_services.push(DeviceServiceElement {
                device_service_id: MS_BASIC_CONNECT_EXTENSIONS,
                dss_payload: 0,
                max_dss_instances: 0,
                cids: vec![MS_BCE_VERSION],
            });
        }
        DeviceServicesInfo {
            max_dss_sessions: super::dss::MAX_DSS_SESSIONS,
            device_services,
        }
    }

    /// MS Basic Connect Extensions: only VERSION, when the scenario offers MBIMEx ≥ 2.0.
    fn ms_bce(&mut self, c: u32, set: bool, buf: &[u8]) -> Reply {
        let ours = self.modem.scenario().device.mbimex_version;
        if c != MS_BCE_VERSION || set || ours < 0x0200 {
            return Reply::status(Status::NO_DEVICE_SUPPORT);
        }
        // MBIM_MS_VERSION_INFO {u16 MbimVersion, u16 MbimExtendedVersion}.
        // TODO(extensions codec): use the typed payload once mbim_proto has one.
        let Some(host) = buf.get(2..4).map(|b| u16::from_le_bytes([b[0], b[1]])) else {
            return Reply::status(Status::INVALID_PARAMETERS);
        };
        let agreed = host.min(ours);
        self.version = agreed;
        self.event(DeviceEvent::VersionNegotiated { version: agreed });
        let mut payload = Vec::with_capacity(4);
        payload.extend_from_slice(&0x0100u16.to_le_bytes());
        payload.extend_from_slice(&agreed.to_le_bytes());
        Reply {
            status: Status::SUCCESS,
            payload,
        }
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
        if self.version >= 0x0200 && service == BASIC_CONNECT && reply.status == Status::SUCCESS {
            reply.payload = self.mbimex_v2(c, reply.payload);
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
        if self.version >= 0x0200 && n.service == BASIC_CONNECT {
            payload = self.mbimex_v2(n.cid, payload);
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

/// MBIMEx 2.0 layouts of the Basic Connect payloads that changed
/// (mbim-and-libmbim.md §3.1), built from the 1.0 payload with mbim_proto's
/// public types and `Writer`.
/// TODO(extensions codec): replace with the typed v2 payloads once
/// mbim_proto has them.
impl Device {
    fn mbimex_v2(&self, c: u32, mut payload: Vec<u8>) -> Vec<u8> {
        match c {
            // MBIM_REGISTRATION_STATE_INFO_V2: PreferredDataClasses (u32)
            // after RegistrationFlag, so the strings move back by 4 bytes.
            cid::REGISTER_STATE => {
                let preferred = self.modem.scenario().device.data_class;
                registration_v2(&payload, preferred).unwrap_or(payload)
            }
            // MBIM_PACKET_SERVICE_INFO_V2: HighestAvailableDataClass becomes
            // CurrentDataClass in place; FrequencyRange (u32, 0 = unknown) follows.
            cid::PACKET_SERVICE => {
                payload.extend_from_slice(&0u32.to_le_bytes());
                payload
            }
            // MBIM_SIGNAL_STATE_INFO_V2: an OL pair to an empty RSRP/SNR list
            // (count 0) after the five u32 of the 1.0 layout.
            cid::SIGNAL_STATE if payload.len() == 20 => {
                for v in [28u32, 4, 0] {
                    payload.extend_from_slice(&v.to_le_bytes());
                }
                payload
            }
            _ => payload,
        }
    }
}

fn registration_v2(v1: &[u8], preferred: DataClass) -> Option<Vec<u8>> {
    let r = RegistrationStateInfo::decode(v1).ok()?;
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out, 52);
    w.u32(r.nw_error.0);
    w.u32(r.register_state.0);
    w.u32(r.register_mode.0);
    w.u32(r.available_data_classes.0);
    w.u32(r.current_cellular_class.0);
    w.string("ProviderId", &r.provider_id, None).ok()?;
    w.string("ProviderName", &r.provider_name, None).ok()?;
    w.string("RoamingText", &r.roaming_text, None).ok()?;
    w.u32(r.registration_flag.0);
    w.u32(preferred.0);
    Some(out)
}
