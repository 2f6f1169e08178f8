//! The simulated modem's radio, SIM and network state, and the handlers that
//! answer each CID from it (MBIM 1.0 §10.5 for Basic Connect).
//!
//! Sans-I/O: every input carries `now`, deferred work is a timer the caller
//! drives through [`Modem::poll_timeout`] / [`Modem::handle_timeout`], and the
//! outputs are replies, deferred completions and indications to drain. It
//! knows nothing of transactions on the wire, fragments, the open state or the
//! subscribe list — [`super::device::Device`] owns those. Payloads are built
//! and parsed only with `mbim_proto::services` types.
//!
//! SMS, USSD, Auth, DSS, Phonebook and MS Basic Connect Extensions live in
//! their own modules ([`super::sms`], [`super::ussd`], [`super::auth`],
//! [`super::dss`], [`super::phonebook`], [`super::ms_bce`]) as further
//! `impl Modem` blocks, dispatched from [`Modem::handle`] (MS BCE from the
//! device, which knows the negotiated version); any other service gets
//! NO_DEVICE_SUPPORT, as from a real modem without it. Basic Connect is
//! answered in MBIM 1.0 layouts; [`super::mbimex`] converts to 2.0/3.0.

use super::scenario::{ApnSpec, EventKind, Lock, Plan, Scenario};
use mbim_proto::Status;
use mbim_proto::message::CommandType;
use mbim_proto::services::Payload;
use mbim_proto::services::basic_connect::{
    self as bc, ActivationCommand, ActivationState, AuthProtocol, CellularClass, Compression,
    ConnectInfo, ContextIpType, CtrlCaps, DataClass, DeviceCapsInfo, EmergencyModeInfo,
    EmergencyModeState, IpConfigurationAvailableFlag, IpConfigurationInfo, Ipv4Element,
    Ipv6Element, NetworkIdleHint, NetworkIdleHintState, NwError, PacketFilters,
    PacketServiceAction, PacketServiceInfo, PacketServiceState, PacketStatisticsInfo, PinDesc,
    PinFormat, PinInfo, PinListInfo, PinMode, PinOperation, PinState, PinType, Provider,
    ProviderState, Providers, ProvisionedContextsInfo, RadioStateInfo, RadioSwitchState,
    RegisterAction, RegisterMode, RegisterState, RegistrationFlag, RegistrationStateInfo,
    SetConnect, SetPacketService, SetPin, SetProvisionedContext, SetRadioState,
    SetRegistrationState, SetSignalState, SignalStateInfo, SimClass, SmsCaps, SubscriberReadyInfo,
    SubscriberReadyState, VoiceClass, cid,
};
use mbim_proto::services::ms_basic_connect_extensions::{LocationInfo, LteAttachConfiguration};
use mbim_proto::services::ms_voice_extensions::NitzInfo;
use mbim_proto::services::phonebook::PhonebookEntry;
use mbim_proto::uuid::{self as uuids, BASIC_CONNECT};
use mbim_proto::wire::Uuid;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The answer to one command: a status and an information buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: Status,
    pub payload: Vec<u8>,
}

impl Reply {
    /// A status with an empty information buffer.
    pub fn status(status: Status) -> Reply {
        Reply {
            status,
            payload: Vec::new(),
        }
    }

    /// SUCCESS carrying `p`.
    pub fn ok<P: Payload>(p: &P) -> Reply {
        Reply::with(Status::SUCCESS, p)
    }

    /// `status` carrying `p` (some failures still describe the state, e.g. PIN_INFO).
    pub fn with<P: Payload>(status: Status, p: &P) -> Reply {
        match p.to_bytes() {
            Ok(payload) => Reply { status, payload },
            // Only scenario strings over the spec's limits get here.
            Err(_) => Reply::status(Status::FAILURE),
        }
    }
}

/// What the modem does with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Answer now.
    Reply(Reply),
    /// Answer later, through [`Modem::poll_completion`].
    Later,
}

/// A deferred answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub transaction_id: u32,
    pub service: Uuid,
    pub cid: u32,
    pub reply: Reply,
}

/// An indication to send (if the function is open and subscribed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub service: Uuid,
    pub cid: u32,
    pub payload: Vec<u8>,
}

/// The SIM card as the modem sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimState {
    Absent,
    PinLocked,
    PukLocked,
    /// PUK retries exhausted: the card is dead.
    Blocked,
    Ready,
}

/// A message in the SMS store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSms {
    pub index: u32,
    pub status: String,
    pub pdu: Vec<u8>,
}

#[derive(Debug, Clone)]
struct DataSession {
    apn: String,
    ip_type: ContextIpType,
    context_type: Uuid,
    since: Instant,
    internet: bool,
    /// Octets added by `traffic` events (scripted ramps): (in, out).
    added: (u64, u64),
}

#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    in_octets: u64,
    out_octets: u64,
    in_packets: u64,
    out_packets: u64,
}

#[derive(Debug, Clone)]
enum Timer {
    RegisterDone,
    ScanDone {
        transaction_id: u32,
    },
    ConnectDone {
        transaction_id: u32,
        session_id: u32,
        request: SetConnect,
    },
    Timeline(usize),
    /// Periodic SIGNAL_STATE report of a given SET (older ones are stale).
    SignalReport {
        generation: u32,
    },
}

/// The simulated modem.
#[derive(Debug)]
pub struct Modem {
    pub(super) scenario: Scenario,
    sw_radio: bool,
    hw_radio: bool,
    sim: SimState,
    pin: String,
    pin_enabled: bool,
    pin_left: u32,
    puk_left: u32,
    plan: Plan,
    home: Provider,
    preferred: Vec<Provider>,
    registration: RegistrationStateInfo,
    manual_provider: Option<String>,
    packet: PacketServiceState,
    packet_nw_error: NwError,
    rssi: u32,
    error_rate: u32,
    signal_config: SetSignalState,
    signal_generation: u32,
    sessions: BTreeMap<u32, DataSession>,
    /// Traffic of sessions already closed (interface counters keep counting).
    closed_traffic: Counters,
    pub(super) contexts: Vec<bc::Context>,
    /// MBIMEx attributes of provisioned contexts set through MS
    /// PROVISIONED_CONTEXTS, by context id (absent = the defaults).
    pub(super) context_v2: BTreeMap<u32, super::ms_bce::ContextAttributes>,
    idle_hint: NetworkIdleHintState,
    emergency: EmergencyModeState,
    filters: HashMap<u32, PacketFilters>,
    /// The SMS store (index order).
    pub sms_store: Vec<StoredSms>,
    scanning: bool,
    connecting: Vec<u32>,
    timers: BTreeMap<(Instant, u64), Timer>,
    timer_seq: u64,
    epoch: Option<Instant>,
    completions: VecDeque<Completion>,
    notifications: VecDeque<Notification>,
    /// SMS message reference counter (SMS SEND).
    pub(super) sms_reference: u32,
    /// Whether a USSD session is open (the last reply asked for more).
    pub(super) ussd_session: bool,
    /// Active DSS sessions: (device service, DSS session id).
    pub(super) dss_sessions: Vec<(Uuid, u32)>,
    /// The SIM phonebook, by 1-based location.
    pub(super) phonebook_entries: BTreeMap<u32, PhonebookEntry>,
    /// Initial-attach APNs the host set (MS LTE_ATTACH_CONFIGURATION);
    /// `None` = the factory ones.
    pub(super) lte_attach_config: Option<Vec<LteAttachConfiguration>>,
    /// The serving cell's codes (MS LOCATION_INFO_STATUS), reported while
    /// registered.
    pub(super) cell: LocationInfo,
    /// The network's time as last received (MS Voice Extensions NITZ).
    pub(super) nitz: NitzInfo,
}

impl Modem {
    /// A modem in the scenario's initial state.
    pub fn new(scenario: Scenario) -> Modem {
        let sim = if !scenario.sim.present {
            SimState::Absent
        } else {
            match scenario.sim.lock {
                Lock::None => SimState::Ready,
                Lock::Pin => SimState::PinLocked,
                Lock::Puk => SimState::PukLocked,
            }
        };
        let home = Provider {
            provider_id: scenario.home.id.clone(),
            provider_state: ProviderState::HOME,
            provider_name: scenario.home.name.clone(),
            cellular_class: scenario.home.cellular_class,
            rssi: scenario.home.rssi,
            error_rate: scenario.home.error_rate,
        };
        let preferred = scenario
            .preferred
            .iter()
            .map(|n| Provider {
                provider_id: n.id.clone(),
                provider_state: ProviderState::PREFERRED,
                provider_name: n.name.clone(),
                cellular_class: n.cellular_class,
                rssi: n.rssi,
                error_rate: n.error_rate,
            })
            .collect();
        let contexts = scenario_contexts(&scenario);
        let sms_store = scenario
            .sms
            .iter()
            .enumerate()
            .map(|(i, s)| StoredSms {
                index: i as u32 + 1,
                status: s.status.clone(),
                pdu: s.pdu.clone(),
            })
            .collect();
        let phonebook_entries = scenario
            .phonebook
            .iter()
            .map(|e| {
                let entry = PhonebookEntry {
                    entry_index: e.index,
                    number: e.number.clone(),
                    name: e.name.clone(),
                };
                (e.index, entry)
            })
            .collect();
        let mut m = Modem {
            sw_radio: scenario.device.radio_on,
            hw_radio: scenario.device.hw_radio_on,
            sim,
            pin: scenario.sim.pin.clone(),
            pin_enabled: scenario.sim.lock != Lock::None,
            pin_left: scenario.sim.pin_retries,
            puk_left: scenario.sim.puk_retries,
            plan: scenario.sim.plan,
            home,
            preferred,
            registration: deregistered(),
            manual_provider: None,
            packet: PacketServiceState::DETACHED,
            packet_nw_error: NwError::NONE,
            rssi: scenario.signal.rssi,
            error_rate: scenario.signal.error_rate,
            signal_config: SetSignalState::default(),
            signal_generation: 0,
            sessions: BTreeMap::new(),
            closed_traffic: Counters::default(),
            contexts,
            idle_hint: NetworkIdleHintState::DISABLED,
            emergency: EmergencyModeState::OFF,
            filters: HashMap::new(),
            sms_store,
            scanning: false,
            connecting: Vec::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
            epoch: None,
            completions: VecDeque::new(),
            notifications: VecDeque::new(),
            sms_reference: 0,
            ussd_session: false,
            dss_sessions: Vec::new(),
            phonebook_entries,
            lte_attach_config: None,
            context_v2: BTreeMap::new(),
            cell: LocationInfo {
                location_area_code: scenario.registration.lac,
                tracking_area_code: scenario.registration.tac,
                cell_id: scenario.registration.cell_id,
            },
            nitz: super::voice::nitz_info(&scenario.nitz, scenario.registration.data_class),
            scenario,
        };
        // At power-up a ready modem is already registered (and attached):
        // no indications, nobody is listening yet.
        if m.radio_on() && m.sim == SimState::Ready {
            m.registration = m.registration_target();
            if m.is_registered() && m.scenario.packet_service.auto_attach {
                m.packet = PacketServiceState::ATTACHED;
            }
        }
        m
    }

    /// The scenario this modem runs.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The SIM state.
    pub fn sim_state(&self) -> SimState {
        self.sim
    }

    /// The current registration.
    pub fn registration(&self) -> &RegistrationStateInfo {
        &self.registration
    }

    /// Whether the radio is on (hardware and software switches).
    pub fn radio_on(&self) -> bool {
        self.sw_radio && self.hw_radio
    }

    /// The subscription plan now (cold / warm / hot).
    pub fn plan(&self) -> Plan {
        self.plan
    }

    /// Whether data session `session_id` is up and the internet is reachable
    /// through it (`None`: no such session). The warm-SIM "limited
    /// connectivity" case is `Some(false)`.
    pub fn internet(&self, session_id: u32) -> Option<bool> {
        self.sessions.get(&session_id).map(|s| s.internet)
    }

    /// Active data sessions: (session id, APN).
    pub fn sessions(&self) -> Vec<(u32, String)> {
        self.sessions
            .iter()
            .map(|(k, s)| (*k, s.apn.clone()))
            .collect()
    }

    /// Start the timeline clock (the first OPEN); later calls do nothing.
    pub fn start(&mut self, now: Instant) {
        if self.epoch.is_some() {
            return;
        }
        self.epoch = Some(now);
        for i in 0..self.scenario.timeline.len() {
            let at = Duration::from_secs_f64(self.scenario.timeline[i].at.max(0.0));
            self.schedule(now + at, Timer::Timeline(i));
        }
    }

    /// Back to the scenario's initial state (a device reset), keeping the timeline clock.
    pub fn reset(&mut self) {
        let epoch = self.epoch;
        *self = Modem::new(self.scenario.clone());
        self.epoch = epoch;
    }

    /// The next deadline of deferred work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.keys().next().map(|(t, _)| *t)
    }

    /// Run deferred work that is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((&(at, seq), _)) = self.timers.iter().next() {
            if at > now {
                break;
            }
            let Some(t) = self.timers.remove(&(at, seq)) else {
                break;
            };
            self.fire(now, t);
        }
    }

    /// A deferred answer that is ready.
    pub fn poll_completion(&mut self) -> Option<Completion> {
        self.completions.pop_front()
    }

    /// An indication caused by a state change.
    pub fn poll_notification(&mut self) -> Option<Notification> {
        self.notifications.pop_front()
    }

    /// Apply an event now (timeline entries and run-time triggers).
    pub fn apply_event(&mut self, now: Instant, event: &EventKind) {
        match event {
            EventKind::Signal { rssi, error_rate } => {
                self.rssi = *rssi;
                if let Some(e) = error_rate {
                    self.error_rate = *e;
                }
                let info = self.signal_info();
                self.notify(cid::SIGNAL_STATE, &info);
            }
            EventKind::Register {
                state,
                provider_id,
                provider_name,
            } => {
                let mut info = self.registration_target();
                info.register_state = *state;
                if !provider_id.is_empty() {
                    info.provider_id = provider_id.clone();
                    info.provider_name = self.network_name(provider_id);
                }
                if !provider_name.is_empty() {
                    info.provider_name = provider_name.clone();
                }
                if !is_registered_state(*state) {
                    info.available_data_classes = DataClass::NONE;
                }
                self.set_registration(now, info);
            }
            EventKind::Disconnect => self.drop_sessions(now),
            EventKind::Plan { plan } => self.set_plan(*plan),
            EventKind::Sms { pdu } => {
                self.sms_arrived(pdu.clone());
            }
            EventKind::Ussd { text, request } => self.ussd_from_network(text, *request),
            EventKind::UssdEnd => self.ussd_ended_by_network(),
            EventKind::Traffic {
                session_id,
                in_octets,
                out_octets,
            } => {
                // Counted on the given session, else the first connected
                // one; with none connected there is no link to carry it.
                let sid = session_id.or_else(|| self.sessions.keys().next().copied());
                if let Some(s) = sid.and_then(|sid| self.sessions.get_mut(&sid)) {
                    s.added.0 = s.added.0.saturating_add(*in_octets);
                    s.added.1 = s.added.1.saturating_add(*out_octets);
                }
            }
            EventKind::Cell { lac, tac, cell_id } => {
                self.move_to_cell(*lac, *tac, *cell_id);
            }
            EventKind::Nitz {
                time,
                tz_offset,
                dst_offset,
            } => self.nitz_received(time, *tz_offset, *dst_offset),
        }
    }

    /// Answer a command for `service`/`cid`.
    pub fn handle(
        &mut self,
        now: Instant,
        transaction_id: u32,
        service: Uuid,
        cid: u32,
        command_type: CommandType,
        buf: &[u8],
    ) -> Handled {
        let set = command_type == CommandType::SET;
        let reply = if service == BASIC_CONNECT {
            return self.basic_connect(now, transaction_id, cid, command_type, buf);
        } else if service == uuids::SMS {
            self.sms(cid, set, buf)
        } else if service == uuids::USSD {
            self.ussd(cid, set, buf)
        } else if service == uuids::AUTH {
            self.auth(cid, set, buf)
        } else if service == uuids::DSS {
            self.dss(cid, set, buf)
        } else if service == uuids::PHONEBOOK {
            self.phonebook(cid, set, buf)
        } else if service == uuids::MS_VOICE_EXTENSIONS && self.scenario.device.nitz {
            self.voice_extensions(cid, set)
        } else if service == uuids::MS_UICC_LOW_LEVEL_ACCESS && self.scenario.device.uicc_files {
            self.uicc_low_level_access(cid, set, buf)
        } else {
            Reply::status(Status::NO_DEVICE_SUPPORT)
        };
        Handled::Reply(reply)
    }

    /// The (service, CIDs) this modem answers, for DEVICE_SERVICES.
    pub fn supported_services(&self) -> Vec<(Uuid, Vec<u32>)> {
        let mut v = vec![
            (BASIC_CONNECT, BASIC_CONNECT_CIDS.to_vec()),
            (uuids::SMS, super::sms::CIDS.to_vec()),
            (uuids::USSD, super::ussd::CIDS.to_vec()),
            (uuids::AUTH, super::auth::CIDS.to_vec()),
            (uuids::DSS, super::dss::CIDS.to_vec()),
        ];
        if self.scenario.has_phonebook() {
            v.push((uuids::PHONEBOOK, super::phonebook::CIDS.to_vec()));
        }
        // MS Basic Connect Extensions come with MBIMEx 2.0 (VERSION is its
        // CID 15; the device answers that one itself).
        if self.scenario.device.mbimex_version >= 0x0200 {
            v.push((uuids::MS_BASIC_CONNECT_EXTENSIONS, self.ms_bce_cids()));
        }
        if self.scenario.device.nitz {
            v.push((uuids::MS_VOICE_EXTENSIONS, super::voice::CIDS.to_vec()));
        }
        if self.scenario.device.uicc_files {
            v.push((uuids::MS_UICC_LOW_LEVEL_ACCESS, super::uicc::CIDS.to_vec()));
        }
        v
    }

    /// The phonebook entries (location order).
    pub fn phonebook_entries(&self) -> Vec<PhonebookEntry> {
        self.phonebook_entries.values().cloned().collect()
    }

    /// The packet service state.
    pub fn packet_service_state(&self) -> PacketServiceState {
        self.packet
    }

    // -----------------------------------------------------------------------
    // Basic Connect (MBIM 1.0 §10.5)
    // -----------------------------------------------------------------------

    fn basic_connect(
        &mut self,
        now: Instant,
        tid: u32,
        c: u32,
        ct: CommandType,
        buf: &[u8],
    ) -> Handled {
        let set = ct == CommandType::SET;
        let r = match (c, set) {
            (cid::DEVICE_CAPS, false) => Reply::ok(&self.device_caps()),
            (cid::SUBSCRIBER_READY_STATUS, false) => Reply::ok(&self.subscriber_ready()),
            (cid::RADIO_STATE, false) => Reply::ok(&self.radio_info()),
            (cid::RADIO_STATE, true) => match SetRadioState::decode(buf) {
                Ok(req) => self.set_radio(now, req.radio_state == RadioSwitchState::ON),
                Err(_) => invalid(),
            },
            (cid::PIN, false) => self.pin_query(),
            (cid::PIN, true) => match SetPin::decode(buf) {
                Ok(req) => self.pin_set(now, req),
                Err(_) => invalid(),
            },
            (cid::PIN_LIST, false) => self.pin_list(),
            (cid::HOME_PROVIDER, false) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) => Reply::ok(&self.home),
            },
            (cid::HOME_PROVIDER, true) => match (self.sim_gate(), Provider::decode(buf)) {
                (Err(s), _) => Reply::status(s),
                (_, Err(_)) => invalid(),
                (Ok(()), Ok(p)) => {
                    self.home = Provider {
                        provider_state: ProviderState::HOME,
                        ..p
                    };
                    Reply::ok(&self.home)
                }
            },
            (cid::PREFERRED_PROVIDERS, false) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) => Reply::ok(&Providers {
                    providers: self.preferred.clone(),
                }),
            },
            (cid::PREFERRED_PROVIDERS, true) => match (self.sim_gate(), Providers::decode(buf)) {
                (Err(s), _) => Reply::status(s),
                (_, Err(_)) => invalid(),
                (Ok(()), Ok(p)) => {
                    self.preferred = p.providers;
                    Reply::ok(&Providers {
                        providers: self.preferred.clone(),
                    })
                }
            },
            (cid::VISIBLE_PROVIDERS, false) => return self.visible_providers(now, tid),
            (cid::REGISTER_STATE, false) => Reply::ok(&self.registration),
            (cid::REGISTER_STATE, true) => match SetRegistrationState::decode(buf) {
                Ok(req) => self.set_registration_request(now, req),
                Err(_) => invalid(),
            },
            (cid::PACKET_SERVICE, false) => Reply::ok(&self.packet_info()),
            (cid::PACKET_SERVICE, true) => match SetPacketService::decode(buf) {
                Ok(req) => self.set_packet_service(now, req.packet_service_action),
                Err(_) => invalid(),
            },
            (cid::SIGNAL_STATE, false) => Reply::ok(&self.signal_info()),
            (cid::SIGNAL_STATE, true) => match SetSignalState::decode(buf) {
                Ok(req) => {
                    self.signal_config = req;
                    // MBIM 1.0 §10.5.11: reports at most every
                    // SignalStrengthInterval seconds; the simulator reports
                    // exactly that often (0 = only on change).
                    self.signal_generation += 1;
                    if req.signal_strength_interval > 0 {
                        let every = Duration::from_secs(u64::from(req.signal_strength_interval));
                        let generation = self.signal_generation;
                        self.schedule(now + every, Timer::SignalReport { generation });
                    }
                    Reply::ok(&self.signal_info())
                }
                Err(_) => invalid(),
            },
            (cid::CONNECT, false) => match bc::ConnectQuery::decode(buf) {
                Ok(q) => self.connect_query(q.0.session_id),
                Err(_) => invalid(),
            },
            (cid::CONNECT, true) => match SetConnect::decode(buf) {
                Ok(req) => return self.connect_set(now, tid, req),
                Err(_) => invalid(),
            },
            (cid::PROVISIONED_CONTEXTS, false) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) => Reply::ok(&ProvisionedContextsInfo {
                    contexts: self.contexts.clone(),
                }),
            },
            (cid::PROVISIONED_CONTEXTS, true) => {
                match (self.sim_gate(), SetProvisionedContext::decode(buf)) {
                    (Err(s), _) => Reply::status(s),
                    (_, Err(_)) => invalid(),
                    (Ok(()), Ok(req)) => self.provision(req),
                }
            }
            (cid::SERVICE_ACTIVATION, true) => match self.sim_gate() {
                Err(s) => Reply::status(s),
                Ok(()) => self.service_activation(buf),
            },
            (cid::IP_CONFIGURATION, false) => match bc::IpConfigurationQuery::decode(buf) {
                Ok(q) => self.ip_configuration(q.0.session_id),
                Err(_) => invalid(),
            },
            (cid::PACKET_STATISTICS, false) => Reply::ok(&self.packet_statistics(now)),
            (cid::NETWORK_IDLE_HINT, false) => Reply::ok(&NetworkIdleHint {
                network_idle_hint_state: self.idle_hint,
            }),
            (cid::NETWORK_IDLE_HINT, true) => match NetworkIdleHint::decode(buf) {
                Ok(req) => {
                    self.idle_hint = req.network_idle_hint_state;
                    Reply::ok(&req)
                }
                Err(_) => invalid(),
            },
            (cid::EMERGENCY_MODE, false) => Reply::ok(&EmergencyModeInfo {
                emergency_mode: self.emergency,
            }),
            (cid::EMERGENCY_MODE, true) => match EmergencyModeInfo::decode(buf) {
                Ok(req) => {
                    self.emergency = req.emergency_mode;
                    Reply::ok(&req)
                }
                Err(_) => invalid(),
            },
            (cid::IP_PACKET_FILTERS, _) => match PacketFilters::decode(buf) {
                Ok(req) if req.session_id >= self.scenario.device.max_sessions => invalid(),
                Ok(req) if set => {
                    self.filters.insert(req.session_id, req.clone());
                    Reply::ok(&req)
                }
                Ok(req) => Reply::ok(self.filters.get(&req.session_id).unwrap_or(&PacketFilters {
                    session_id: req.session_id,
                    packet_filters: Vec::new(),
                })),
                Err(_) => invalid(),
            },
            _ => Reply::status(Status::NO_DEVICE_SUPPORT),
        };
        Handled::Reply(r)
    }

    pub(super) fn device_caps(&self) -> DeviceCapsInfo {
        let d = &self.scenario.device;
        DeviceCapsInfo {
            device_type: d.device_type,
            cellular_class: d.cellular_class,
            voice_class: VoiceClass::NO_VOICE,
            sim_class: SimClass::REMOVABLE,
            data_class: d.data_class,
            sms_caps: SmsCaps::PDU_RECEIVE | SmsCaps::PDU_SEND,
            control_caps: CtrlCaps::REG_MANUAL,
            max_sessions: d.max_sessions,
            custom_data_class: d.custom_data_class.clone(),
            device_id: d.imei.clone(),
            firmware_info: d.firmware.clone(),
            hardware_info: d.hardware.clone(),
        }
    }

    fn subscriber_ready(&self) -> SubscriberReadyInfo {
        let s = &self.scenario.sim;
        let (ready_state, imsi, iccid, numbers) = match self.sim {
            SimState::Absent => (SubscriberReadyState::SIM_NOT_INSERTED, "", "", Vec::new()),
            // The ICCID is readable without the PIN; the IMSI is not.
            SimState::PinLocked | SimState::PukLocked => (
                SubscriberReadyState::DEVICE_LOCKED,
                "",
                s.iccid.as_str(),
                Vec::new(),
            ),
            SimState::Blocked => (
                SubscriberReadyState::BAD_SIM,
                "",
                s.iccid.as_str(),
                Vec::new(),
            ),
            SimState::Ready => (
                SubscriberReadyState::INITIALIZED,
                s.imsi.as_str(),
                s.iccid.as_str(),
                s.msisdns.clone(),
            ),
        };
        SubscriberReadyInfo {
            ready_state,
            subscriber_id: imsi.into(),
            sim_icc_id: iccid.into(),
            ready_info: Default::default(),
            telephone_numbers: numbers,
        }
    }

    pub(super) fn sim_gate(&self) -> Result<(), Status> {
        match self.sim {
            SimState::Ready => Ok(()),
            SimState::Absent => Err(Status::SIM_NOT_INSERTED),
            SimState::PinLocked | SimState::PukLocked => Err(Status::PIN_REQUIRED),
            SimState::Blocked => Err(Status::BAD_SIM),
        }
    }

    fn radio_info(&self) -> RadioStateInfo {
        let s = |on| {
            if on {
                RadioSwitchState::ON
            } else {
                RadioSwitchState::OFF
            }
        };
        RadioStateInfo {
            hw_radio_state: s(self.hw_radio),
            sw_radio_state: s(self.sw_radio),
        }
    }

    fn set_radio(&mut self, now: Instant, on: bool) -> Reply {
        let was = self.radio_on();
        self.sw_radio = on;
        match (was, self.radio_on()) {
            (true, false) => {
                self.drop_sessions(now);
                self.detach();
                self.set_registration(now, deregistered());
            }
            (false, true) => self.start_registration(now),
            _ => {}
        }
        Reply::ok(&self.radio_info())
    }

    fn pin_query(&self) -> Reply {
        match self.sim {
            SimState::Absent => Reply::status(Status::SIM_NOT_INSERTED),
            SimState::Blocked => Reply::status(Status::BAD_SIM),
            SimState::PinLocked => Reply::ok(&PinInfo {
                pin_type: PinType::PIN1,
                pin_state: PinState::LOCKED,
                remaining_attempts: self.pin_left,
            }),
            SimState::PukLocked => Reply::ok(&PinInfo {
                pin_type: PinType::PUK1,
                pin_state: PinState::LOCKED,
                remaining_attempts: self.puk_left,
            }),
            SimState::Ready => Reply::ok(&PinInfo {
                pin_type: PinType::UNKNOWN,
                pin_state: PinState::UNLOCKED,
                remaining_attempts: self.pin_left,
            }),
        }
    }

    fn pin_set(&mut self, now: Instant, req: SetPin) -> Reply {
        let locked = |t, n| PinInfo {
            pin_type: t,
            pin_state: PinState::LOCKED,
            remaining_attempts: n,
        };
        match (self.sim, req.pin_operation) {
            (SimState::Absent, _) => Reply::status(Status::SIM_NOT_INSERTED),
            (SimState::Blocked, _) => Reply::status(Status::BAD_SIM),
            (SimState::PinLocked, PinOperation::ENTER) if req.pin_type == PinType::PIN1 => {
                if req.pin == self.pin {
                    self.pin_left = self.scenario.sim.pin_retries;
                    self.unlocked(now)
                } else {
                    self.pin_left = self.pin_left.saturating_sub(1);
                    if self.pin_left == 0 {
                        self.sim = SimState::PukLocked;
                        Reply::with(Status::FAILURE, &locked(PinType::PUK1, self.puk_left))
                    } else {
                        Reply::with(Status::FAILURE, &locked(PinType::PIN1, self.pin_left))
                    }
                }
            }
            (SimState::PukLocked, PinOperation::ENTER) if req.pin_type == PinType::PUK1 => {
                if req.pin == self.scenario.sim.puk && !req.new_pin.is_empty() {
                    self.pin = req.new_pin;
                    self.pin_left = self.scenario.sim.pin_retries;
                    self.puk_left = self.scenario.sim.puk_retries;
                    self.unlocked(now)
                } else {
                    self.puk_left = self.puk_left.saturating_sub(1);
                    if self.puk_left == 0 {
                        self.sim = SimState::Blocked;
                        self.notify(cid::SUBSCRIBER_READY_STATUS, &self.subscriber_ready());
                        Reply::status(Status::BAD_SIM)
                    } else {
                        Reply::with(Status::FAILURE, &locked(PinType::PUK1, self.puk_left))
                    }
                }
            }
            (SimState::PinLocked | SimState::PukLocked, _) => Reply::status(Status::PIN_REQUIRED),
            (SimState::Ready, op) if req.pin_type == PinType::PIN1 => {
                if req.pin != self.pin {
                    self.pin_left = self.pin_left.saturating_sub(1);
                    return Reply::with(Status::FAILURE, &locked(PinType::PIN1, self.pin_left));
                }
                self.pin_left = self.scenario.sim.pin_retries;
                match op {
                    PinOperation::ENABLE => self.pin_enabled = true,
                    PinOperation::DISABLE => self.pin_enabled = false,
                    PinOperation::CHANGE if !req.new_pin.is_empty() => self.pin = req.new_pin,
                    PinOperation::ENTER => {}
                    _ => return invalid(),
                }
                Reply::ok(&PinInfo {
                    pin_type: PinType::UNKNOWN,
                    pin_state: PinState::UNLOCKED,
                    remaining_attempts: self.pin_left,
                })
            }
            (SimState::Ready, _) => Reply::status(Status::NO_DEVICE_SUPPORT),
        }
    }

    fn unlocked(&mut self, now: Instant) -> Reply {
        self.sim = SimState::Ready;
        let info = self.subscriber_ready();
        self.notify(cid::SUBSCRIBER_READY_STATUS, &info);
        self.start_registration(now);
        Reply::ok(&PinInfo {
            pin_type: PinType::UNKNOWN,
            pin_state: PinState::UNLOCKED,
            remaining_attempts: self.pin_left,
        })
    }

    fn pin_list(&self) -> Reply {
        if self.sim == SimState::Absent {
            return Reply::status(Status::SIM_NOT_INSERTED);
        }
        let numeric = |mode| PinDesc {
            pin_mode: mode,
            pin_format: PinFormat::NUMERIC,
            pin_length_min: 4,
            pin_length_max: 8,
        };
        let unsupported = PinDesc {
            pin_mode: PinMode::NOT_SUPPORTED,
            pin_format: PinFormat::UNKNOWN,
            pin_length_min: 0,
            pin_length_max: 0,
        };
        Reply::ok(&PinListInfo {
            pin_desc_pin1: numeric(if self.pin_enabled {
                PinMode::ENABLED
            } else {
                PinMode::DISABLED
            }),
            pin_desc_pin2: numeric(PinMode::ENABLED),
            pin_desc_device_sim_pin: unsupported,
            pin_desc_device_first_sim_pin: unsupported,
            pin_desc_network_pin: unsupported,
            pin_desc_network_subset_pin: unsupported,
            pin_desc_service_provider_pin: unsupported,
            pin_desc_corporate_pin: unsupported,
            pin_desc_subsidy_lock: unsupported,
            pin_desc_custom: unsupported,
        })
    }

    fn visible_providers(&mut self, now: Instant, tid: u32) -> Handled {
        if !self.radio_on() {
            return Handled::Reply(Reply::status(Status::RADIO_POWER_OFF));
        }
        if self.scanning {
            return Handled::Reply(Reply::status(Status::BUSY));
        }
        let scan = self.scenario.timing.scan_ms;
        if scan == 0 {
            return Handled::Reply(Reply::ok(&self.visible()));
        }
        self.scanning = true;
        self.schedule(
            now + Duration::from_millis(scan),
            Timer::ScanDone {
                transaction_id: tid,
            },
        );
        Handled::Later
    }

    fn visible(&self) -> Providers {
        let registered_on = self
            .is_registered()
            .then(|| self.registration.provider_id.clone());
        let providers = self
            .scenario
            .networks
            .iter()
            .map(|n| {
                let mut state = ProviderState::VISIBLE;
                if n.id == self.home.provider_id {
                    state |= ProviderState::HOME;
                }
                if n.forbidden {
                    state |= ProviderState::FORBIDDEN;
                }
                if registered_on.as_deref() == Some(n.id.as_str()) {
                    state |= ProviderState::REGISTERED;
                }
                Provider {
                    provider_id: n.id.clone(),
                    provider_state: state,
                    provider_name: n.name.clone(),
                    cellular_class: n.cellular_class,
                    rssi: n.rssi,
                    error_rate: n.error_rate,
                }
            })
            .collect();
        Providers { providers }
    }

    pub(super) fn is_registered(&self) -> bool {
        is_registered_state(self.registration.register_state)
    }

    /// The name of network `id`: the home operator's or a visible one's.
    fn network_name(&self, id: &str) -> String {
        if id == self.home.provider_id {
            return self.home.provider_name.clone();
        }
        self.scenario
            .networks
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_default()
    }

    /// Where the modem registers given the scenario and any manual selection.
    fn registration_target(&self) -> RegistrationStateInfo {
        let r = &self.scenario.registration;
        let flag = if self.scenario.packet_service.auto_attach {
            RegistrationFlag::PACKET_SERVICE_AUTOMATIC_ATTACH
        } else {
            RegistrationFlag::NONE
        };
        let (id, state, mode) = match &self.manual_provider {
            Some(id) => {
                let state = if *id == self.home.provider_id {
                    RegisterState::HOME
                } else {
                    RegisterState::ROAMING
                };
                (id.clone(), state, RegisterMode::MANUAL)
            }
            None => {
                let id = if r.provider_id.is_empty() {
                    self.home.provider_id.clone()
                } else {
                    r.provider_id.clone()
                };
                (id, r.state, RegisterMode::AUTOMATIC)
            }
        };
        if !is_registered_state(state) && state != RegisterState::DENIED {
            return RegistrationStateInfo {
                nw_error: r.nw_error,
                register_state: state,
                register_mode: mode,
                registration_flag: flag,
                ..deregistered()
            };
        }
        let name = if !r.provider_name.is_empty() && self.manual_provider.is_none() {
            r.provider_name.clone()
        } else {
            self.network_name(&id)
        };
        RegistrationStateInfo {
            nw_error: if state == RegisterState::DENIED {
                r.nw_error
            } else {
                NwError::NONE
            },
            register_state: state,
            register_mode: mode,
            available_data_classes: if state == RegisterState::DENIED {
                DataClass::NONE
            } else {
                r.data_class
            },
            current_cellular_class: self.scenario.device.cellular_class,
            provider_id: id,
            provider_name: name,
            roaming_text: if state == RegisterState::ROAMING {
                r.roaming_text.clone()
            } else {
                String::new()
            },
            registration_flag: flag,
        }
    }

    fn start_registration(&mut self, now: Instant) {
        if !self.radio_on() || self.sim != SimState::Ready {
            return;
        }
        let delay = self.scenario.timing.register_ms;
        if delay == 0 {
            let target = self.registration_target();
            self.set_registration(now, target);
        } else {
            let searching = RegistrationStateInfo {
                register_state: RegisterState::SEARCHING,
                register_mode: RegisterMode::AUTOMATIC,
                ..deregistered()
            };
            self.set_registration(now, searching);
            self.schedule(now + Duration::from_millis(delay), Timer::RegisterDone);
        }
    }

    /// Change the registration, announcing it; losing it detaches.
    fn set_registration(&mut self, now: Instant, info: RegistrationStateInfo) {
        let changed = info != self.registration;
        let was_registered = self.is_registered();
        self.registration = info;
        if changed {
            let r = self.registration.clone();
            self.notify(cid::REGISTER_STATE, &r);
        }
        if self.is_registered() != was_registered {
            // A serving cell appears or goes; a network gives its time on
            // registration.
            self.serving_cell_changed();
            if self.is_registered() {
                self.nitz_on_registration();
            }
        }
        if self.is_registered() {
            if self.packet != PacketServiceState::ATTACHED
                && self.scenario.packet_service.auto_attach
                && self.scenario.packet_service.attach_status == Status::SUCCESS
            {
                self.packet = PacketServiceState::ATTACHED;
                let p = self.packet_info();
                self.notify(cid::PACKET_SERVICE, &p);
            }
        } else {
            self.drop_sessions(now);
            self.detach();
        }
    }

    fn set_registration_request(&mut self, now: Instant, req: SetRegistrationState) -> Reply {
        if !self.radio_on() {
            return Reply::status(Status::RADIO_POWER_OFF);
        }
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        if req.register_action == RegisterAction::MANUAL {
            let Some(net) = self
                .scenario
                .networks
                .iter()
                .find(|n| n.id == req.provider_id)
            else {
                return Reply::status(Status::PROVIDER_NOT_VISIBLE);
            };
            if net.forbidden {
                let denied = RegistrationStateInfo {
                    nw_error: NwError::PLMN_NOT_ALLOWED,
                    register_state: RegisterState::DENIED,
                    register_mode: RegisterMode::MANUAL,
                    provider_id: net.id.clone(),
                    provider_name: net.name.clone(),
                    ..deregistered()
                };
                self.set_registration(now, denied.clone());
                return Reply::with(Status::FAILURE, &denied);
            }
            self.manual_provider = Some(req.provider_id);
        } else {
            self.manual_provider = None;
        }
        let target = self.registration_target();
        // The response reports the new state; no indication for the asker's own change.
        self.registration = target.clone();
        self.set_registration(now, target);
        Reply::ok(&self.registration)
    }

    fn packet_info(&self) -> PacketServiceInfo {
        let attached = self.packet == PacketServiceState::ATTACHED;
        PacketServiceInfo {
            nw_error: self.packet_nw_error,
            packet_service_state: self.packet,
            highest_available_data_class: if attached {
                self.registration.available_data_classes
            } else {
                DataClass::NONE
            },
            uplink_speed: if attached {
                self.scenario.packet_service.uplink_bps
            } else {
                0
            },
            downlink_speed: if attached {
                self.scenario.packet_service.downlink_bps
            } else {
                0
            },
        }
    }

    fn detach(&mut self) {
        if self.packet != PacketServiceState::DETACHED {
            self.packet = PacketServiceState::DETACHED;
            let p = self.packet_info();
            self.notify(cid::PACKET_SERVICE, &p);
        }
    }

    fn set_packet_service(&mut self, now: Instant, action: PacketServiceAction) -> Reply {
        if !self.radio_on() {
            return Reply::status(Status::RADIO_POWER_OFF);
        }
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        match action {
            PacketServiceAction::ATTACH => {
                if !self.is_registered() {
                    return Reply::status(Status::NOT_REGISTERED);
                }
                let st = self.scenario.packet_service.attach_status;
                if st != Status::SUCCESS {
                    return Reply::with(st, &self.packet_info());
                }
                self.packet = PacketServiceState::ATTACHED;
                self.packet_nw_error = NwError::NONE;
                Reply::ok(&self.packet_info())
            }
            PacketServiceAction::DETACH => {
                self.drop_sessions(now);
                self.packet = PacketServiceState::DETACHED;
                Reply::ok(&self.packet_info())
            }
            _ => invalid(),
        }
    }

    fn signal_info(&self) -> SignalStateInfo {
        let on = self.radio_on();
        SignalStateInfo {
            rssi: if on { self.rssi } else { 99 },
            error_rate: if on { self.error_rate } else { 99 },
            signal_strength_interval: self.signal_config.signal_strength_interval,
            rssi_threshold: self.signal_config.rssi_threshold,
            error_rate_threshold: self.signal_config.error_rate_threshold,
        }
    }

    fn connect_info(&self, session_id: u32) -> ConnectInfo {
        match self.sessions.get(&session_id) {
            Some(s) => ConnectInfo {
                session_id,
                activation_state: ActivationState::ACTIVATED,
                voice_call_state: Default::default(),
                ip_type: s.ip_type,
                context_type: s.context_type,
                nw_error: NwError::NONE,
            },
            None => ConnectInfo {
                session_id,
                activation_state: ActivationState::DEACTIVATED,
                context_type: uuids::CONTEXT_TYPE_NONE,
                ..ConnectInfo::default()
            },
        }
    }

    fn connect_query(&self, session_id: u32) -> Reply {
        if session_id >= self.scenario.device.max_sessions {
            return invalid();
        }
        Reply::ok(&self.connect_info(session_id))
    }

    fn connect_set(&mut self, now: Instant, tid: u32, req: SetConnect) -> Handled {
        let sid = req.session_id;
        if sid >= self.scenario.device.max_sessions {
            return Handled::Reply(invalid());
        }
        if self.connecting.contains(&sid) {
            return Handled::Reply(Reply::status(Status::BUSY));
        }
        if req.activation_command == ActivationCommand::DEACTIVATE {
            return Handled::Reply(match self.sessions.remove(&sid) {
                None => Reply::with(Status::CONTEXT_NOT_ACTIVATED, &self.connect_info(sid)),
                Some(s) => {
                    self.fold_traffic(now, &s);
                    self.filters.remove(&sid);
                    Reply::ok(&self.connect_info(sid))
                }
            });
        }
        if req.activation_command != ActivationCommand::ACTIVATE {
            return Handled::Reply(invalid());
        }
        let delay = self.scenario.timing.connect_ms;
        if delay > 0 && !self.sessions.contains_key(&sid) {
            self.connecting.push(sid);
            self.schedule(
                now + Duration::from_millis(delay),
                Timer::ConnectDone {
                    transaction_id: tid,
                    session_id: sid,
                    request: req,
                },
            );
            return Handled::Later;
        }
        Handled::Reply(self.activate(now, req))
    }

    fn activate(&mut self, now: Instant, req: SetConnect) -> Reply {
        let sid = req.session_id;
        let failed = |m: &Modem, status: Status, nw_error: NwError| {
            Reply::with(
                status,
                &ConnectInfo {
                    nw_error,
                    ip_type: req.ip_type,
                    context_type: req.context_type,
                    ..m.connect_info(sid)
                },
            )
        };
        if !self.radio_on() {
            return Reply::status(Status::RADIO_POWER_OFF);
        }
        if let Err(s) = self.sim_gate() {
            return Reply::status(s);
        }
        if !self.is_registered() {
            return Reply::status(Status::NOT_REGISTERED);
        }
        if self.packet != PacketServiceState::ATTACHED {
            return Reply::status(Status::PACKET_SERVICE_DETACHED);
        }
        if let Some(s) = self.sessions.get(&sid) {
            return if s.apn.eq_ignore_ascii_case(&req.access_string) {
                Reply::ok(&self.connect_info(sid))
            } else {
                Reply::status(Status::SESSION_ALREADY_EXISTS)
            };
        }
        if self.sessions.len() as u32 >= self.scenario.device.max_sessions {
            return Reply::status(Status::MAX_ACTIVATED_CONTEXTS);
        }
        let Some(apn) = self.scenario.apn(&req.access_string).cloned() else {
            return failed(
                self,
                self.scenario.unknown_apn_status,
                NwError::MISSING_OR_UNKNOWN_APN,
            );
        };
        if let Some(e) = apn.error {
            return failed(self, e, apn.nw_error);
        }
        if self.plan == Plan::Cold {
            return failed(
                self,
                Status::SERVICE_NOT_ACTIVATED,
                NwError::REQUESTED_SERVICE_OPTION_NOT_SUBSCRIBED,
            );
        }
        if let Some(auth) = &apn.auth {
            let proto_ok =
                auth.protocol == AuthProtocol::NONE || auth.protocol == req.auth_protocol;
            if req.user_name != auth.user || req.password != auth.password || !proto_ok {
                return failed(
                    self,
                    Status::INVALID_USER_NAME_PWD,
                    NwError::USER_AUTHENTICATION_FAILED,
                );
            }
        }
        let Some(ip_type) = grant_ip_type(req.ip_type, &apn) else {
            let nw = if apn.ipv4.is_some() {
                NwError::PDP_TYPE_IPV4_ONLY_ALLOWED
            } else {
                NwError::PDP_TYPE_IPV6_ONLY_ALLOWED
            };
            return failed(self, Status::FAILURE, nw);
        };
        let context_type = if req.context_type == Uuid::default()
            || req.context_type == uuids::CONTEXT_TYPE_NONE
        {
            uuids::CONTEXT_TYPE_INTERNET
        } else {
            req.context_type
        };
        let internet = apn.internet.unwrap_or(self.plan == Plan::Hot);
        self.sessions.insert(
            sid,
            DataSession {
                apn: apn.name.clone(),
                ip_type,
                context_type,
                since: now,
                internet,
                added: (0, 0),
            },
        );
        Reply::ok(&self.connect_info(sid))
    }

    /// A new subscription plan; open sessions reach the internet or not by it.
    fn set_plan(&mut self, plan: Plan) {
        self.plan = plan;
        let hot = plan == Plan::Hot;
        let scenario = &self.scenario;
        for s in self.sessions.values_mut() {
            s.internet = scenario.apn(&s.apn).and_then(|a| a.internet).unwrap_or(hot);
        }
    }

    /// SERVICE_ACTIVATION set (MBIM 1.0 §10.5.14): the network checks the
    /// carrier data against the scenario's `sim.activation_data`; accepted
    /// data activates the subscription (`sim.activated_plan`), anything else
    /// fails and leaves the plan alone.
    fn service_activation(&mut self, buf: &[u8]) -> Reply {
        let accepted = match &self.scenario.sim.activation_data {
            Some(want) => want.as_slice() == buf,
            None => true,
        };
        if !accepted {
            return Reply::with(
                Status::FAILURE,
                &bc::ServiceActivationInfo {
                    nw_error: NwError::USER_AUTHENTICATION_FAILED,
                    ..Default::default()
                },
            );
        }
        self.set_plan(self.scenario.sim.activated_plan);
        Reply::ok(&bc::ServiceActivationInfo::default())
    }

    /// The network (or radio off, or detach) ends every data session.
    fn drop_sessions(&mut self, now: Instant) {
        let ids: Vec<u32> = self.sessions.keys().copied().collect();
        for sid in ids {
            if let Some(s) = self.sessions.remove(&sid) {
                self.fold_traffic(now, &s);
                let info = self.connect_info(sid);
                self.notify(cid::CONNECT, &info);
            }
        }
    }

    fn traffic_of(&self, now: Instant, s: &DataSession) -> Counters {
        let t = self
            .scenario
            .apn(&s.apn)
            .map(|a| a.traffic)
            .unwrap_or_default();
        let secs = now.saturating_duration_since(s.since).as_secs();
        Counters {
            in_octets: t.in_octets + t.in_octets_per_sec * secs + s.added.0,
            out_octets: t.out_octets + t.out_octets_per_sec * secs + s.added.1,
            in_packets: t.in_packets,
            out_packets: t.out_packets,
        }
    }

    fn fold_traffic(&mut self, now: Instant, s: &DataSession) {
        let c = self.traffic_of(now, s);
        let t = &mut self.closed_traffic;
        t.in_octets += c.in_octets;
        t.out_octets += c.out_octets;
        t.in_packets += c.in_packets;
        t.out_packets += c.out_packets;
    }

    fn packet_statistics(&self, now: Instant) -> PacketStatisticsInfo {
        let mut t = self.closed_traffic;
        for s in self.sessions.values() {
            let c = self.traffic_of(now, s);
            t.in_octets += c.in_octets;
            t.out_octets += c.out_octets;
            t.in_packets += c.in_packets;
            t.out_packets += c.out_packets;
        }
        PacketStatisticsInfo {
            in_octets: t.in_octets,
            in_packets: t.in_packets,
            out_octets: t.out_octets,
            out_packets: t.out_packets,
            ..PacketStatisticsInfo::default()
        }
    }

    fn ip_configuration(&self, session_id: u32) -> Reply {
        let Some(s) = self.sessions.get(&session_id) else {
            return Reply::status(Status::CONTEXT_NOT_ACTIVATED);
        };
        let Some(apn) = self.scenario.apn(&s.apn) else {
            return Reply::status(Status::FAILURE);
        };
        let v4 = matches!(
            s.ip_type,
            ContextIpType::IPV4 | ContextIpType::IPV4V6 | ContextIpType::IPV4_AND_IPV6
        );
        let v6 = matches!(
            s.ip_type,
            ContextIpType::IPV6 | ContextIpType::IPV4V6 | ContextIpType::IPV4_AND_IPV6
        );
        let mut info = IpConfigurationInfo {
            session_id,
            ..IpConfigurationInfo::default()
        };
        let flags = |addr: bool, gw: bool, dns: bool| {
            let mut f = IpConfigurationAvailableFlag::NONE;
            if addr {
                f |= IpConfigurationAvailableFlag::ADDRESS;
            }
            if gw {
                f |= IpConfigurationAvailableFlag::GATEWAY;
            }
            if dns {
                f |= IpConfigurationAvailableFlag::DNS;
            }
            f | IpConfigurationAvailableFlag::MTU
        };
        if v4 && let Some(net) = apn.ipv4 {
            info.ipv4_address = vec![Ipv4Element {
                on_link_prefix_length: net.prefix,
                ipv4_address: net.address,
            }];
            info.ipv4_gateway = apn.ipv4_gateway;
            info.ipv4_dns_server = apn.ipv4_dns.clone();
            info.ipv4_mtu = apn.mtu;
            info.ipv4_configuration_available =
                flags(true, apn.ipv4_gateway.is_some(), !apn.ipv4_dns.is_empty());
        }
        if v6 && let Some(net) = apn.ipv6 {
            info.ipv6_address = vec![Ipv6Element {
                on_link_prefix_length: net.prefix,
                ipv6_address: net.address,
            }];
            info.ipv6_gateway = apn.ipv6_gateway;
            info.ipv6_dns_server = apn.ipv6_dns.clone();
            info.ipv6_mtu = apn.mtu;
            info.ipv6_configuration_available =
                flags(true, apn.ipv6_gateway.is_some(), !apn.ipv6_dns.is_empty());
        }
        Reply::ok(&info)
    }

    fn provision(&mut self, req: SetProvisionedContext) -> Reply {
        let ctx = bc::Context {
            context_id: req.context_id,
            context_type: req.context_type,
            access_string: req.access_string,
            user_name: req.user_name,
            password: req.password,
            compression: req.compression,
            auth_protocol: req.auth_protocol,
        };
        // 0xFFFFFFFF asks the device to pick a free id (MBIM 1.0 §10.5.13).
        if ctx.context_id == u32::MAX {
            let id = self
                .contexts
                .iter()
                .map(|c| c.context_id)
                .max()
                .unwrap_or(0)
                + 1;
            self.contexts.push(bc::Context {
                context_id: id,
                ..ctx
            });
        } else if let Some(c) = self
            .contexts
            .iter_mut()
            .find(|c| c.context_id == ctx.context_id)
        {
            *c = ctx;
        } else {
            self.contexts.push(ctx);
        }
        Reply::ok(&ProvisionedContextsInfo {
            contexts: self.contexts.clone(),
        })
    }

    // -----------------------------------------------------------------------
    // Timers and indications
    // -----------------------------------------------------------------------

    fn schedule(&mut self, at: Instant, t: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), t);
    }

    fn fire(&mut self, now: Instant, t: Timer) {
        match t {
            Timer::RegisterDone => {
                if self.radio_on() && self.sim == SimState::Ready {
                    let target = self.registration_target();
                    self.set_registration(now, target);
                }
            }
            Timer::ScanDone { transaction_id } => {
                self.scanning = false;
                let reply = if self.radio_on() {
                    Reply::ok(&self.visible())
                } else {
                    Reply::status(Status::RADIO_POWER_OFF)
                };
                self.complete(transaction_id, cid::VISIBLE_PROVIDERS, reply);
            }
            Timer::ConnectDone {
                transaction_id,
                session_id,
                request,
            } => {
                self.connecting.retain(|s| *s != session_id);
                let reply = self.activate(now, request);
                self.complete(transaction_id, cid::CONNECT, reply);
            }
            Timer::SignalReport { generation } => {
                let interval = self.signal_config.signal_strength_interval;
                if generation == self.signal_generation && interval > 0 {
                    let info = self.signal_info();
                    self.notify(cid::SIGNAL_STATE, &info);
                    let every = Duration::from_secs(u64::from(interval));
                    self.schedule(now + every, Timer::SignalReport { generation });
                }
            }
            Timer::Timeline(i) => {
                if let Some(e) = self.scenario.timeline.get(i).map(|e| e.what.clone()) {
                    self.apply_event(now, &e);
                }
            }
        }
    }

    fn complete(&mut self, transaction_id: u32, c: u32, reply: Reply) {
        self.completions.push_back(Completion {
            transaction_id,
            service: BASIC_CONNECT,
            cid: c,
            reply,
        });
    }

    fn notify<P: Payload>(&mut self, c: u32, p: &P) {
        self.notify_on(BASIC_CONNECT, c, p);
    }

    /// Queue an indication of any service.
    pub(super) fn notify_on<P: Payload>(&mut self, service: Uuid, c: u32, p: &P) {
        if let Ok(payload) = p.to_bytes() {
            self.notifications.push_back(Notification {
                service,
                cid: c,
                payload,
            });
        }
    }
}

/// Basic Connect CIDs the simulator answers (listed in DEVICE_SERVICES).
pub const BASIC_CONNECT_CIDS: &[u32] = &[
    cid::DEVICE_CAPS,
    cid::SUBSCRIBER_READY_STATUS,
    cid::RADIO_STATE,
    cid::PIN,
    cid::PIN_LIST,
    cid::HOME_PROVIDER,
    cid::PREFERRED_PROVIDERS,
    cid::VISIBLE_PROVIDERS,
    cid::REGISTER_STATE,
    cid::PACKET_SERVICE,
    cid::SIGNAL_STATE,
    cid::CONNECT,
    cid::PROVISIONED_CONTEXTS,
    cid::SERVICE_ACTIVATION,
    cid::IP_CONFIGURATION,
    cid::DEVICE_SERVICES,
    cid::DEVICE_SERVICE_SUBSCRIBE_LIST,
    cid::PACKET_STATISTICS,
    cid::NETWORK_IDLE_HINT,
    cid::EMERGENCY_MODE,
    cid::IP_PACKET_FILTERS,
];

/// The provisioned contexts a scenario starts with (its `[[context]]`s).
pub(super) fn scenario_contexts(scenario: &Scenario) -> Vec<bc::Context> {
    scenario
        .contexts
        .iter()
        .map(|c| bc::Context {
            context_id: c.id,
            context_type: uuids::by_name(&c.context_type).unwrap_or(uuids::CONTEXT_TYPE_INTERNET),
            access_string: c.apn.clone(),
            user_name: c.user.clone(),
            password: c.password.clone(),
            compression: Compression::NONE,
            auth_protocol: c.auth,
        })
        .collect()
}

pub(super) fn invalid() -> Reply {
    Reply::status(Status::INVALID_PARAMETERS)
}

fn is_registered_state(s: RegisterState) -> bool {
    matches!(
        s,
        RegisterState::HOME | RegisterState::ROAMING | RegisterState::PARTNER
    )
}

fn deregistered() -> RegistrationStateInfo {
    RegistrationStateInfo {
        nw_error: NwError::NONE,
        register_state: RegisterState::DEREGISTERED,
        register_mode: RegisterMode::AUTOMATIC,
        available_data_classes: DataClass::NONE,
        current_cellular_class: CellularClass::GSM,
        provider_id: String::new(),
        provider_name: String::new(),
        roaming_text: String::new(),
        registration_flag: RegistrationFlag::NONE,
    }
}

/// The IP families granted for a request, or `None` if the APN offers none of them.
fn grant_ip_type(requested: ContextIpType, apn: &ApnSpec) -> Option<ContextIpType> {
    let has4 = apn.ipv4.is_some()
        && matches!(
            apn.ip_type,
            ContextIpType::IPV4 | ContextIpType::IPV4V6 | ContextIpType::IPV4_AND_IPV6
        );
    let has6 = apn.ipv6.is_some()
        && matches!(
            apn.ip_type,
            ContextIpType::IPV6 | ContextIpType::IPV4V6 | ContextIpType::IPV4_AND_IPV6
        );
    let both = |t| match (has4, has6) {
        (true, true) => Some(t),
        (true, false) => Some(ContextIpType::IPV4),
        (false, true) => Some(ContextIpType::IPV6),
        (false, false) => None,
    };
    match requested {
        ContextIpType::IPV4 => has4.then_some(ContextIpType::IPV4),
        ContextIpType::IPV6 => has6.then_some(ContextIpType::IPV6),
        ContextIpType::IPV4_AND_IPV6 => both(ContextIpType::IPV4_AND_IPV6),
        _ => both(ContextIpType::IPV4V6),
    }
}
