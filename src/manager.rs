//! The device manager: spawns a modem actor per device (discovery events,
//! `--device PATH`, simulated modems), initializes it, exports it on D-Bus
//! once it is valid (ModemManager exports a modem after its first
//! initialization pass, modemmanager-api.md §1) and takes it off the bus
//! when the actor ends (InterfacesRemoved). It also serves the Manager
//! interface's requests (ScanDevices, InhibitDevice, ReportKernelEvent).
//! It decides nothing about MBIM; that is the actor's and the ops' job.

use crate::dbus::view::PortInfo;
use crate::dbus::{Counters, ManagerRequest, ModemCtx, Policy, Registry};
use crate::discovery::{DeviceEvent, DeviceInfo};
use crate::modem::{self, ActorConfig, ModemHandle};
use crate::sim::{Scenario, SimHandle};
use crate::transport::Transport;
use dbus_interfaces::MmError;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;
use tracing::{info, warn};
use zbus::Connection;

/// What the manager shares with each modem's task.
#[derive(Debug, Clone)]
pub struct Shared {
    pub conn: Connection,
    pub registry: Arc<Registry>,
    pub counters: Arc<Counters>,
    pub policy: Arc<Policy>,
    /// The SMS store every modem's messaging uses (None: messaging has no
    /// backend and its methods answer Unsupported).
    pub sms_store: Option<crate::messaging::store::SmsStore>,
    /// APN data, settings sources and policy of the connection flows.
    pub connection: Arc<crate::connection::ConnectionEnv>,
    /// The operator-message rules every modem's SMS engine classifies with.
    pub operator_rules: crate::messaging::ingest::Rules,
    /// Installed service metadata every modem matches its SIM against.
    pub metadata: Option<Arc<crate::provisioning::metadata::MetadataStore>>,
    /// The provisioning store (None: the Provisioning interface answers Unsupported).
    pub provisioning: Option<crate::provisioning::store::ProvisioningStore>,
    /// Signature trust, clock and refresh client of provisioning.
    pub provisioning_agent: Arc<crate::provisioning::agent::AgentConfig>,
    /// Usage tracking for every modem (None: not tracked).
    pub usage: Option<UsageConfig>,
}

/// How modems' data usage is tracked.
#[derive(Debug, Clone)]
pub struct UsageConfig {
    /// The daemon's usage database.
    pub store: crate::usage::store::UsageStore,
    /// Counter sampling.
    pub sampler: crate::usage::service::SamplerConfig,
    /// Where interface statistics live (`/sys`).
    pub sysfs: PathBuf,
}

/// A running modem (its source).
#[derive(Debug)]
struct Running {
    handle: ModemHandle,
    device: String,
    sim: Option<SimHandle>,
}

/// Spawns and stops modems.
#[derive(Debug)]
pub struct DeviceManager {
    shared: Shared,
    running: HashMap<String, Running>,
    inhibited: HashSet<String>,
    sysfs: PathBuf,
    dev: PathBuf,
    /// Told when a modem's task ends (its source name).
    ended_tx: mpsc::UnboundedSender<String>,
    /// Set by the daemon to change the log filter.
    pub set_logging: Option<LogControl>,
}

/// Changes the daemon's log filter (`Manager.SetLogging`).
pub struct LogControl(pub Box<SetLevel>);

/// A function setting the log level from MM's level names.
pub type SetLevel = dyn Fn(&str) -> Result<(), String> + Send + Sync;

impl std::fmt::Debug for LogControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogControl")
    }
}

impl DeviceManager {
    /// A manager for the objects on `shared.conn`. Returns the receiver of
    /// "modem task ended" notices, to be passed to [`DeviceManager::ended`].
    pub fn new(shared: Shared) -> (Self, mpsc::UnboundedReceiver<String>) {
        let (ended_tx, ended_rx) = mpsc::unbounded_channel();
        (
            DeviceManager {
                shared,
                running: HashMap::new(),
                inhibited: HashSet::new(),
                sysfs: PathBuf::from("/sys"),
                dev: PathBuf::from("/dev"),
                ended_tx,
                set_logging: None,
            },
            ended_rx,
        )
    }

    /// Use `store` for the SMS of modems started from now on.
    pub fn set_sms_store(&mut self, store: crate::messaging::store::SmsStore) {
        self.shared.sms_store = Some(store);
    }

    /// Use `env` for the connection flows of modems started from now on.
    pub fn set_connection_env(&mut self, env: crate::connection::ConnectionEnv) {
        self.shared.connection = Arc::new(env);
    }

    /// The connection flows' environment in force.
    pub fn connection_env(&self) -> Arc<crate::connection::ConnectionEnv> {
        self.shared.connection.clone()
    }

    /// Use `rules` as the operator-message rules of modems started from now on.
    pub fn set_operator_rules(&mut self, rules: crate::messaging::ingest::Rules) {
        self.shared.operator_rules = rules;
    }

    /// The operator-message rules holder (replace its rules with
    /// [`crate::messaging::ingest::Rules::set_rules`]).
    pub fn operator_rules(&self) -> &crate::messaging::ingest::Rules {
        &self.shared.operator_rules
    }

    /// Use `store` for the service metadata of modems started from now on.
    pub fn set_metadata_store(&mut self, store: Arc<crate::provisioning::metadata::MetadataStore>) {
        self.shared.metadata = Some(store);
    }

    /// Use `store` for the provisioning of modems started from now on.
    pub fn set_provisioning_store(&mut self, store: crate::provisioning::store::ProvisioningStore) {
        self.shared.provisioning = Some(store);
    }

    /// Use `config` for the provisioning of modems started from now on.
    pub fn set_provisioning_config(&mut self, config: crate::provisioning::agent::AgentConfig) {
        self.shared.provisioning_agent = Arc::new(config);
    }

    /// Track the data usage of modems started from now on.
    pub fn set_usage(&mut self, usage: UsageConfig) {
        self.shared.usage = Some(usage);
    }

    /// Number of modems exported right now.
    pub fn exported(&self) -> usize {
        self.shared
            .registry
            .all()
            .iter()
            .filter(|m| m.managed_object().is_some())
            .count()
    }

    /// Number of modems started (exported or still initializing).
    pub fn running(&self) -> usize {
        self.running.len()
    }

    /// The simulator behind source `name`, if it is simulated (tests inject
    /// faults through it).
    pub fn sim(&self, name: &str) -> Option<&SimHandle> {
        self.running.get(name).and_then(|r| r.sim.as_ref())
    }

    /// Start a simulated modem named `name`.
    pub fn add_sim(&mut self, name: &str, scenario: Scenario) {
        let (io, sim) = crate::sim::spawn_duplex(scenario);
        let n = self.running.len();
        let ports = PortInfo {
            primary_port: name.to_string(),
            // No netdev exists for a simulated modem; the name says so.
            net_port: format!("simwwan{n}"),
            driver: "mbimd-sim".into(),
            device: format!("/sim/{name}"),
            usb_ids: None,
        };
        self.spawn(name.to_string(), io, 4096, ports, Some(sim));
    }

    /// Start a modem on a control port path (`--device`).
    pub fn add_path(&mut self, path: &str) -> Result<(), String> {
        let t = crate::transport::cdc_wdm::CdcWdm::open(path).map_err(|e| e.to_string())?;
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string());
        let mct = t.max_control_transfer();
        let ports = PortInfo {
            primary_port: name.clone(),
            net_port: String::new(),
            driver: String::new(),
            device: path.to_string(),
            usb_ids: None,
        };
        self.spawn(name, t, mct, ports, None);
        Ok(())
    }

    /// Start a modem found by discovery.
    pub fn add_device(&mut self, d: &DeviceInfo) {
        if self.running.contains_key(&d.name) {
            return;
        }
        let device = d
            .sysfs
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| d.path.display().to_string());
        if self.inhibited.contains(&device) {
            info!(device = %device, "device inhibited; not managing it");
            return;
        }
        let t = match crate::transport::cdc_wdm::CdcWdm::open(&d.path.to_string_lossy()) {
            Ok(t) => t,
            Err(e) => {
                warn!(device = %d.name, error = %e, "cannot open control port");
                return;
            }
        };
        let mct = t.max_control_transfer();
        let ports = PortInfo {
            primary_port: d.name.clone(),
            net_port: d.net.first().cloned().unwrap_or_default(),
            driver: d.driver.clone(),
            device,
            usb_ids: d.usb_ids,
        };
        self.spawn(d.name.clone(), t, mct, ports, None);
    }

    /// Apply a discovery event.
    pub async fn device_event(&mut self, ev: DeviceEvent) {
        match ev {
            DeviceEvent::Added(d) => self.add_device(&d),
            DeviceEvent::Removed { name } => self.stop(&name).await,
        }
    }

    /// Enumerate sysfs and start what is new.
    pub fn scan(&mut self) {
        for d in crate::discovery::enumerate(&self.sysfs, &self.dev) {
            self.add_device(&d);
        }
    }

    /// Stop the modem from source `name` (its objects vanish when its actor ends).
    pub async fn stop(&mut self, name: &str) {
        if let Some(r) = self.running.get(name) {
            r.handle.shutdown().await;
        }
    }

    /// Stop every modem and wait for their objects to go.
    pub async fn stop_all(&mut self, ended: &mut mpsc::UnboundedReceiver<String>) {
        let names: Vec<String> = self.running.keys().cloned().collect();
        for n in &names {
            self.stop(n).await;
        }
        while !self.running.is_empty() {
            match ended.recv().await {
                Some(n) => self.ended(&n),
                None => break,
            }
        }
    }

    /// A modem task ended.
    pub fn ended(&mut self, name: &str) {
        self.running.remove(name);
    }

    /// Serve a Manager-interface request.
    pub async fn request(&mut self, r: ManagerRequest) {
        match r {
            ManagerRequest::Scan => self.scan(),
            ManagerRequest::SetLogging { level, reply } => {
                let r = match &self.set_logging {
                    Some(f) => (f.0)(&level).map_err(MmError::Failed),
                    None => Err(MmError::Unsupported("log level cannot be changed".into())),
                };
                let _ = reply.send(r);
            }
            ManagerRequest::Inhibit {
                uid,
                inhibit,
                reply,
            } => {
                let r = if inhibit {
                    let name = self
                        .running
                        .iter()
                        .find(|(_, r)| r.device == uid)
                        .map(|(n, _)| n.clone());
                    match name {
                        Some(n) => {
                            self.inhibited.insert(uid);
                            self.stop(&n).await;
                            Ok(())
                        }
                        None => Err(MmError::NotFound(format!("no modem with uid '{uid}'"))),
                    }
                } else if self.inhibited.remove(&uid) {
                    self.scan();
                    Ok(())
                } else {
                    Err(MmError::NotFound(format!(
                        "device '{uid}' is not inhibited"
                    )))
                };
                let _ = reply.send(r);
            }
            ManagerRequest::KernelEvent {
                action,
                name,
                subsystem,
                reply,
            } => {
                let r = match (action.as_str(), subsystem.as_str()) {
                    ("add", "usbmisc" | "usb" | "wwan") => {
                        match crate::discovery::describe(&self.sysfs, &self.dev, &name) {
                            Some(d) => {
                                self.add_device(&d);
                                Ok(())
                            }
                            None => Ok(()),
                        }
                    }
                    ("remove", _) => {
                        self.stop(&name).await;
                        Ok(())
                    }
                    // Other subsystems (net, tty) carry nothing mbimd manages.
                    _ => Ok(()),
                };
                let _ = reply.send(r);
            }
        }
    }

    fn spawn<T: Transport>(
        &mut self,
        name: String,
        transport: T,
        max_control_transfer: u32,
        ports: PortInfo,
        sim: Option<SimHandle>,
    ) {
        let cfg = ActorConfig {
            name: name.clone(),
            max_control_transfer,
            ..ActorConfig::default()
        };
        let (handle, join) = modem::spawn(transport, cfg);
        let shared = self.shared.clone();
        let ended = self.ended_tx.clone();
        let h = handle.clone();
        let n = name.clone();
        let device = ports.device.clone();
        let probe: Option<Arc<dyn crate::connection::InternetProbe>> = sim
            .as_ref()
            .map(|s| Arc::new(crate::connection::probe::SimulatorProbe(s.inspector())) as Arc<_>);
        tokio::spawn(async move {
            run_modem(shared, &n, h, join, ports, probe).await;
            let _ = ended.send(n);
        });
        self.running.insert(
            name,
            Running {
                handle,
                device,
                sim,
            },
        );
    }
}

/// One modem's life: initialize, export, follow, unexport.
async fn run_modem(
    shared: Shared,
    name: &str,
    handle: ModemHandle,
    join: tokio::task::JoinHandle<modem::ActorExit>,
    ports: PortInfo,
    probe: Option<Arc<dyn crate::connection::InternetProbe>>,
) {
    let mut w = handle.watch();
    let init = tokio::select! {
        r = modem::ops::initialize(&handle) => r,
        _ = w.wait_for(|s| s.link == modem::Link::Gone) => {
            Err(modem::OperationError::Request(modem::RequestError::ModemGone))
        }
    };
    if let Err(e) = init {
        warn!(modem = name, error = %e, "initialization failed; not exporting");
        handle.shutdown().await;
        let _ = join.await;
        return;
    }
    let _ = handle
        .request(&mbim_proto::services::basic_connect::PinQuery)
        .await;
    let index = shared.counters.modem.fetch_add(1, Ordering::Relaxed);
    let ctx = ModemCtx::new(
        handle.clone(),
        index,
        ports,
        shared.conn.clone(),
        shared.counters.clone(),
        shared.policy.clone(),
    );
    let _ = ctx
        .connection
        .set(Arc::new(crate::connection::ModemConnection::new(
            shared.connection.clone(),
            probe,
        )));
    let _ = ctx.operator_rules.set(shared.operator_rules.clone());
    if let Some(m) = &shared.metadata {
        let _ = ctx.metadata.set(m.clone());
    }
    crate::dbus::ext_provisioning::attach(
        &ctx,
        shared.provisioning.clone(),
        shared.provisioning_agent.clone(),
    );
    shared.registry.insert(ctx.clone());
    // The usage service exists before the interface is exported, so its
    // methods never answer "not tracked" to an early caller.
    let usage_svc = match &shared.usage {
        Some(u) => open_usage(&ctx, &handle, u).await,
        None => None,
    };
    if let Some(store) = &shared.sms_store {
        attach_sms_backend(&ctx, &handle, store.clone());
    }
    ctx.sync().await;
    info!(modem = name, path = %ctx.path.as_str(), "modem exported");
    let follow = tokio::spawn(ctx.clone().follow());
    let rules = tokio::spawn(crate::dbus::ext_operator_messages::follow_rules(
        ctx.clone(),
    ));
    let follow_metadata = tokio::spawn(crate::dbus::ext_metadata::follow(ctx.clone()));
    let mut operator_messages = None;
    let messaging = shared.sms_store.clone().map(|store| {
        let (tasks, rx) = start_messaging(&ctx, &handle, store, shared.operator_rules.clone());
        operator_messages = Some(rx);
        tasks
    });
    let flows = tokio::spawn(crate::dbus::flows::follow(ctx.clone()));
    let mut usage = match (&shared.usage, usage_svc) {
        (Some(u), Some((svc, notices))) => {
            start_usage(&ctx, &handle, u, svc, notices, operator_messages)
        }
        _ => Vec::new(),
    };
    // Plans and usage figures of documents applied for this SIM.
    if let (Some(store), Some(svc)) = (&shared.provisioning, ctx.usage.get()) {
        let snap = handle.state();
        let sub = snap.subscriber.as_ref();
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let sim = crate::provisioning::store::SimKey {
            imsi: sub.and_then(|s| non_empty(&s.subscriber_id)),
            iccid: sub.and_then(|s| non_empty(&s.sim_icc_id)),
        };
        usage.push(tokio::spawn(crate::usage::provisioned::follow(
            svc.clone(),
            store.clone(),
            sim,
        )));
    }
    let exit = join.await;
    for t in usage {
        t.abort();
    }
    follow.abort();
    flows.abort();
    rules.abort();
    follow_metadata.abort();
    if let Some(tasks) = messaging {
        for t in tasks {
            t.abort();
        }
    }
    info!(modem = name, exit = ?exit, "modem gone");
    ctx.unexport().await;
    shared.registry.remove(index);
}

/// Attach the SMS store to the modem's context (keyed on the modem's
/// identity: IMSI, else device id, else its port) and return that key. Done
/// before the modem is exported, so Messaging never answers "no SMS store"
/// to a client that sees the object; idempotent.
fn attach_sms_backend(
    ctx: &Arc<ModemCtx>,
    handle: &ModemHandle,
    store: crate::messaging::store::SmsStore,
) -> String {
    let snap = handle.state();
    let modem = snap
        .subscriber
        .as_ref()
        .map(|s| s.subscriber_id.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            snap.device_caps
                .as_ref()
                .map(|c| c.device_id.clone())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| ctx.ports.device.clone());
    match ctx.sms.get() {
        Some(b) => b.modem.clone(),
        None => {
            let _ = ctx.sms.set(crate::dbus::modem::SmsBackend {
                store,
                modem: modem.clone(),
            });
            modem
        }
    }
}

/// Attach the SMS engine to an exported modem: the ingest pipeline keyed on
/// the modem's identity (IMSI, else device id, else its port), and the task
/// publishing its messages as Sms objects. The receiver subscribes before the
/// pipeline starts so no announcement is missed.
fn start_messaging(
    ctx: &Arc<ModemCtx>,
    handle: &ModemHandle,
    store: crate::messaging::store::SmsStore,
    rules: crate::messaging::ingest::Rules,
) -> (
    [tokio::task::JoinHandle<()>; 2],
    tokio::sync::broadcast::Receiver<crate::messaging::ingest::MessagingEvent>,
) {
    use crate::messaging::ingest::{Ingest, IngestConfig};
    let modem = attach_sms_backend(ctx, handle, store.clone());
    let (tx, rx) = tokio::sync::broadcast::channel(64);
    let usage_rx = tx.subscribe();
    let ingest = Ingest::new(handle.clone(), store, rules, tx, IngestConfig::new(modem));
    let name = ctx.index;
    let ingest = tokio::spawn(async move {
        if let Err(e) = ingest.run().await {
            warn!(modem = name, error = %e, "SMS pipeline stopped");
        }
    });
    let publish = tokio::spawn(crate::dbus::messaging::follow(ctx.clone(), rx));
    ([ingest, publish], usage_rx)
}

/// Open a modem's usage service, keyed on the modem's identity (as the SMS
/// store keys it), and attach it to the context.
async fn open_usage(
    ctx: &Arc<ModemCtx>,
    handle: &ModemHandle,
    cfg: &UsageConfig,
) -> Option<(
    Arc<crate::usage::service::UsageService>,
    mpsc::UnboundedReceiver<crate::usage::service::Notice>,
)> {
    let snap = handle.state();
    let modem = snap
        .subscriber
        .as_ref()
        .map(|s| s.subscriber_id.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            snap.device_caps
                .as_ref()
                .map(|c| c.device_id.clone())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| ctx.ports.device.clone());
    let clock = crate::messaging::ingest::Clock::system();
    match crate::usage::service::UsageService::open(cfg.store.clone(), modem, clock).await {
        Ok((svc, notices)) => {
            let svc = Arc::new(svc);
            let _ = ctx.usage.set(svc.clone());
            Some((svc, notices))
        }
        Err(e) => {
            warn!(modem = ctx.index, error = %e, "usage tracking unavailable");
            None
        }
    }
}

/// Start an exported modem's usage tasks: sampling (fed by operator
/// messages too) and announcing its events on D-Bus.
fn start_usage(
    ctx: &Arc<ModemCtx>,
    handle: &ModemHandle,
    cfg: &UsageConfig,
    svc: Arc<crate::usage::service::UsageService>,
    notices: mpsc::UnboundedReceiver<crate::usage::service::Notice>,
    messages: Option<tokio::sync::broadcast::Receiver<crate::messaging::ingest::MessagingEvent>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    use crate::usage::counters::CounterSource;
    let source = CounterSource::pick(&cfg.sysfs, &ctx.ports.net_port, handle);
    let follow = tokio::spawn(crate::dbus::ext_data_usage::follow(
        ctx.clone(),
        svc.clone(),
        notices,
    ));
    let sample = tokio::spawn(crate::usage::service::run(
        svc,
        handle.clone(),
        source,
        cfg.sampler,
        messages,
    ));
    vec![follow, sample]
}
