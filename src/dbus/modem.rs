//! One exported modem: the [`ModemCtx`] every D-Bus object of the modem
//! shares (its `ModemHandle`, object paths and the daemon's bookkeeping), and
//! [`ModemCtx::sync`], the single place that turns a state change into D-Bus
//! traffic.
//!
//! `sync` recomputes every view from the handle's state snapshot, stores the
//! new values (so getters see them), adds or removes interfaces as the state
//! requires (modemmanager-api.md §1: LOCKED keeps Modem, Simple and 3GPP;
//! FAILED keeps Modem only), emits `PropertiesChanged` **with values** for
//! every changed property and only then `StateChanged` (§0.5, NetworkManager
//! reads `State` inside its `StateChanged` handler). It never talks to the
//! modem.

use super::ext_connection::ConnectionIface;
use super::ext_location::LocationIface;
use super::ext_operator_messages::OperatorMessagesIface;
use super::ext_time::TimeIface;
use super::objects::{
    BearerIface, MessagingIface, Modem3gppIface, ModemIface, SignalIface, SimIface, SimpleIface,
    SmsIface, UssdIface,
};
use super::policy::Policy;
use super::settings::BearerSettings;
use super::view::{self, *};
use crate::modem::{ModemHandle, ModemState};
use dbus_interfaces::enums::{ModemState as MmState, StateChangeReason};
use dbus_interfaces::names::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use zbus::object_server::SignalEmitter;
use zbus::{Connection, OwnedObjectPath, OwnedVariant};

/// Per-class object counters: start at 0, never reused during the daemon's
/// lifetime (MM's `static guint id`, §1).
#[derive(Debug, Default)]
pub struct Counters {
    pub modem: AtomicU32,
    pub bearer: AtomicU32,
    pub sim: AtomicU32,
    pub sms: AtomicU32,
}

impl Counters {
    fn next(c: &AtomicU32, prefix: &str) -> OwnedObjectPath {
        let n = c.fetch_add(1, Ordering::Relaxed);
        path(&format!("{prefix}{n}"))
    }
    /// A new bearer path.
    pub fn bearer(&self) -> OwnedObjectPath {
        Self::next(&self.bearer, BEARER_PREFIX)
    }
    /// A new SIM path.
    pub fn sim(&self) -> OwnedObjectPath {
        Self::next(&self.sim, SIM_PREFIX)
    }
    /// A new SMS path.
    pub fn sms(&self) -> OwnedObjectPath {
        Self::next(&self.sms, SMS_PREFIX)
    }
}

/// An object path built from a string known to be valid.
pub fn path(s: &str) -> OwnedObjectPath {
    OwnedObjectPath::try_from(s).unwrap_or_default()
}

/// The modem interfaces mbimd exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Iface {
    Modem,
    Simple,
    Modem3gpp,
    Ussd,
    Messaging,
    Signal,
    Connection,
    OperatorMessages,
    ServiceMetadata,
    Provisioning,
    DataUsage,
    Location,
    Time,
}

impl Iface {
    /// The D-Bus interface name.
    pub fn name(self) -> &'static str {
        match self {
            Iface::Modem => IFACE_MODEM,
            Iface::Simple => IFACE_SIMPLE,
            Iface::Modem3gpp => IFACE_3GPP,
            Iface::Ussd => IFACE_USSD,
            Iface::Messaging => IFACE_MESSAGING,
            Iface::Signal => IFACE_SIGNAL,
            Iface::Connection => IFACE_MBIMD_CONNECTION,
            Iface::OperatorMessages => IFACE_MBIMD_OPERATOR_MESSAGES,
            Iface::ServiceMetadata => IFACE_MBIMD_SERVICE_METADATA,
            Iface::Provisioning => IFACE_MBIMD_PROVISIONING,
            Iface::DataUsage => IFACE_MBIMD_DATA_USAGE,
            Iface::Location => IFACE_LOCATION,
            Iface::Time => IFACE_TIME,
        }
    }

    /// Which interfaces a modem in `state` carries (§1 table).
    pub fn for_state(state: MmState) -> BTreeSet<Iface> {
        use Iface::*;
        let mut set: BTreeSet<Iface> = match state {
            MmState::Failed => [Modem].into(),
            MmState::Locked | MmState::Unknown | MmState::Initializing => {
                [Modem, Simple, Modem3gpp].into()
            }
            _ => [Modem, Simple, Modem3gpp, Ussd, Messaging, Signal].into(),
        };
        set.extend(Self::extensions(state));
        set
    }

    /// The optional MM interfaces (Location, Time) and the `org.mbimd.*`
    /// extension interfaces a modem in `state` carries. One `push` per
    /// interface, so features add themselves without touching the table above.
    fn extensions(state: MmState) -> Vec<Iface> {
        #[allow(unused_mut)] // each feature pushes its interface here
        let mut v: Vec<Iface> = Vec::new();
        let _ = state;
        if state > MmState::Locked {
            v.push(Iface::Connection);
        }
        // With Messaging: operator messages come from the SMS/USSD engine.
        // Service metadata is matched on the SIM's identity, which is only
        // known once the SIM is ready (not locked, failed or initializing).
        // Provisioning works on the SIM's account: only once the SIM is readable.
        if !matches!(
            state,
            MmState::Failed | MmState::Locked | MmState::Unknown | MmState::Initializing
        ) {
            v.push(Iface::OperatorMessages);
            v.push(Iface::ServiceMetadata);
            v.push(Iface::Provisioning);
            v.push(Iface::DataUsage);
        }
        // Like ModemManager: once initialised (not LOCKED/FAILED), and only
        // where the modem has the data (`Iface::available`).
        if state >= MmState::Disabled {
            v.push(Iface::Location);
            v.push(Iface::Time);
        }
        v
    }

    /// Whether the modem offers what the interface needs (its CIDs in
    /// DEVICE_SERVICES).
    pub fn available(self, snap: &ModemState) -> bool {
        match self {
            Iface::Location => super::ext_location::supported(snap),
            Iface::Time => super::ext_time::supported(snap),
            _ => true,
        }
    }
}

/// A bearer object's record.
#[derive(Debug, Clone)]
pub struct BearerRec {
    pub path: OwnedObjectPath,
    pub settings: BearerSettings,
    /// MBIM session id (0: not multiplexed).
    pub session_id: u32,
    /// Connected by us and not dropped since.
    pub active: bool,
    pub connection_error: (String, String),
    pub ip: Option<mbim_proto::services::basic_connect::IpConfigurationInfo>,
    pub start_date: u64,
    pub attempts: u32,
    pub failed_attempts: u32,
    /// What was last published.
    pub view: BearerView,
    pub exported: bool,
}

/// An SMS object's record.
#[derive(Debug, Clone)]
pub struct SmsRec {
    pub path: OwnedObjectPath,
    /// Index in the modem's store, when stored there.
    pub index: Option<u32>,
    /// The PDU to send (SUBMIT), once built.
    pub pdu: Option<Vec<u8>>,
    /// Row id in the daemon's SMS store, once stored there.
    pub message_id: Option<i64>,
    pub view: SmsView,
}

/// The SMS engine behind a modem's Messaging interface.
#[derive(Debug, Clone)]
pub struct SmsBackend {
    /// The daemon's store.
    pub store: crate::messaging::store::SmsStore,
    /// The identity the store keys this modem's messages on.
    pub modem: String,
}

/// What the daemon knows beyond the modem's own state, and what it last
/// published.
#[derive(Debug, Default)]
pub struct Book {
    pub transient: Option<MmState>,
    pub reason: Option<StateChangeReason>,
    pub sim_path: Option<OwnedObjectPath>,
    pub bearers: Vec<BearerRec>,
    pub sms: Vec<SmsRec>,
    pub ussd: UssdView,
    pub signal_rate: u32,
    pub signal_thresholds: (u32, bool),
    // Last published:
    pub exported: bool,
    pub removed: bool,
    pub ifaces: BTreeSet<Iface>,
    pub state: Option<MmState>,
    pub modem: ModemView,
    pub m3gpp: Modem3gppView,
    pub messaging: MessagingView,
    pub signal: SignalView,
    pub sim: SimView,
    pub sim_exported: bool,
    pub location_setup: super::ext_location::LocationSetup,
    pub location: super::ext_location::LocationView,
    pub time: super::ext_time::TimeView,
}

/// Everything the D-Bus objects of one modem share.
#[derive(Debug)]
pub struct ModemCtx {
    pub handle: ModemHandle,
    pub index: u32,
    pub path: OwnedObjectPath,
    pub ports: PortInfo,
    pub conn: Connection,
    pub counters: Arc<Counters>,
    pub policy: Arc<Policy>,
    /// The SMS engine, once the daemon attached one.
    pub sms: std::sync::OnceLock<SmsBackend>,
    /// The connection flows' state, once the daemon attached it.
    pub connection: std::sync::OnceLock<Arc<crate::connection::ModemConnection>>,
    /// The daemon's operator-message rules (set before the first export).
    pub operator_rules: std::sync::OnceLock<crate::messaging::ingest::Rules>,
    /// The daemon's service-metadata store, once attached.
    pub metadata: std::sync::OnceLock<Arc<crate::provisioning::metadata::MetadataStore>>,
    /// The provisioning store, once the daemon attached one.
    pub provisioning: std::sync::OnceLock<super::ext_provisioning::ProvisioningBackend>,
    /// The usage service, once the daemon attached one.
    pub usage: std::sync::OnceLock<Arc<crate::usage::service::UsageService>>,
    book: Mutex<Book>,
    sync_lock: tokio::sync::Mutex<()>,
}

type Props = HashMap<String, OwnedVariant>;

impl ModemCtx {
    /// A context for modem number `index`; nothing is exported yet.
    pub fn new(
        handle: ModemHandle,
        index: u32,
        ports: PortInfo,
        conn: Connection,
        counters: Arc<Counters>,
        policy: Arc<Policy>,
    ) -> Arc<Self> {
        Arc::new(ModemCtx {
            handle,
            index,
            path: path(&modem_path(index)),
            ports,
            conn,
            counters,
            policy,
            sms: std::sync::OnceLock::new(),
            connection: std::sync::OnceLock::new(),
            operator_rules: std::sync::OnceLock::new(),
            metadata: std::sync::OnceLock::new(),
            provisioning: std::sync::OnceLock::new(),
            usage: std::sync::OnceLock::new(),
            book: Mutex::new(Book::default()),
            sync_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The bookkeeping (never held across an await).
    pub fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The MM state as last published.
    pub fn published_state(&self) -> MmState {
        self.book().state.unwrap_or(MmState::Unknown)
    }

    /// The MM state right now (from the current snapshot).
    pub fn current_state(&self) -> MmState {
        let t = self.book().transient;
        view::mm_state(&self.handle.state(), t).0
    }

    /// Pass through a transient state (ENABLING, CONNECTING, ...) and publish it.
    pub async fn set_transient(self: &Arc<Self>, t: Option<MmState>, reason: StateChangeReason) {
        {
            let mut b = self.book();
            b.transient = t;
            b.reason = Some(reason);
        }
        self.sync().await;
    }

    /// Wait until `pred` holds for the snapshot, the modem goes away (false)
    /// or `timeout` passes (false).
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&ModemState) -> bool) -> bool {
        let mut w = self.handle.watch();
        let fut = async {
            loop {
                if pred(&w.borrow_and_update()) {
                    return true;
                }
                if w.changed().await.is_err() {
                    return false;
                }
            }
        };
        tokio::time::timeout(timeout, fut).await.unwrap_or(false)
    }

    /// Publish the current state: see the module docs. Errors sending
    /// signals are logged (a client going away must not stop the daemon).
    pub async fn sync(self: &Arc<Self>) {
        if let Err(e) = self.sync_inner().await {
            tracing::warn!(modem = self.index, error = %e, "publishing modem state failed");
        }
    }

    async fn sync_inner(self: &Arc<Self>) -> zbus::Result<()> {
        let _g = self.sync_lock.lock().await;
        let snap = self.handle.state();
        let added: Vec<Iface>;
        let mut removed: Vec<Iface> = Vec::new();
        let mut changes: Vec<(OwnedObjectPath, &'static str, Vec<Change>)> = Vec::new();
        let mut new_bearers: Vec<OwnedObjectPath> = Vec::new();
        let mut export_sim: Option<OwnedObjectPath> = None;
        let mut unexport_sim: Option<OwnedObjectPath> = None;
        let state_change;
        let first_export;
        {
            let mut b = self.book();
            if b.removed {
                return Ok(());
            }
            let st = view::mm_state(&snap, b.transient);
            // The SIM object exists while a card is present.
            if st.0 != MmState::Failed && b.sim_path.is_none() && snap.subscriber.is_some() {
                b.sim_path = Some(self.counters.sim());
            }
            if st.0 == MmState::Failed
                && let Some(p) = b.sim_path.take()
                && b.sim_exported
            {
                // The card went away: its object goes too (a new card gets a
                // new number).
                b.sim_exported = false;
                unexport_sim = Some(p);
            }
            // Bearers: a session the network dropped is no longer ours.
            for r in b.bearers.iter_mut() {
                if r.active {
                    let up = snap.connections.get(&r.session_id).is_some_and(|c| {
                        c.activation_state
                            == mbim_proto::services::basic_connect::ActivationState::ACTIVATED
                    });
                    if !up {
                        r.active = false;
                        r.connection_error = (
                            "org.freedesktop.ModemManager1.Error.MobileEquipment.Unknown".into(),
                            "the network ended the data session".into(),
                        );
                    }
                }
                if r.active
                    && let Some(ip) = snap.ip_configurations.get(&r.session_id)
                {
                    r.ip = Some(ip.clone());
                }
            }
            let bearer_paths: Vec<OwnedObjectPath> =
                b.bearers.iter().map(|r| r.path.clone()).collect();
            let modem = modem_view(&snap, &self.ports, st, b.sim_path.as_ref(), bearer_paths);
            let m3gpp = modem3gpp_view(&snap, st.0);
            let messaging = MessagingView {
                messages: b.sms.iter().map(|s| s.path.clone()).collect(),
                ..MessagingView::default()
            };
            let mut signal = signal_view(&snap, b.signal_rate, modem.access_technologies);
            signal.rssi_threshold = b.signal_thresholds.0;
            signal.error_rate_threshold = b.signal_thresholds.1;
            let sim = sim_view(&snap);
            let mut wanted = Iface::for_state(st.0);
            wanted.retain(|k| k.available(&snap));
            let location = super::ext_location::location_view(&snap, st.0, &mut b.location_setup);
            let time = super::ext_time::time_view(&snap, st.0);
            first_export = !b.exported;
            if first_export {
                added = wanted.iter().copied().collect();
            } else {
                added = wanted.difference(&b.ifaces).copied().collect();
                removed = b.ifaces.difference(&wanted).copied().collect();
                let keep: Vec<Iface> = wanted.intersection(&b.ifaces).copied().collect();
                for k in keep {
                    let c = match k {
                        Iface::Modem => modem.changes(&b.modem),
                        Iface::Modem3gpp => m3gpp.changes(&b.m3gpp),
                        Iface::Messaging => messaging.changes(&b.messaging),
                        Iface::Signal => signal.changes(&b.signal),
                        Iface::Simple | Iface::Ussd => Vec::new(),
                        Iface::Connection => super::ext_connection::changes_with(
                            self,
                            b.bearers.iter().any(|r| r.active),
                        ),
                        // Published by ext_operator_messages when the rules change.
                        Iface::OperatorMessages => Vec::new(),
                        // ext_metadata::follow publishes its own changes.
                        Iface::ServiceMetadata => Vec::new(),
                        Iface::Provisioning => Vec::new(),
                        // Published by `ext_data_usage::follow`.
                        Iface::DataUsage => Vec::new(),
                        Iface::Location => location.changes(&b.location),
                        Iface::Time => time.changes(&b.time),
                    };
                    if !c.is_empty() {
                        changes.push((self.path.clone(), k.name(), c));
                    }
                }
            }
            if let Some(p) = b.sim_path.clone() {
                if b.sim_exported {
                    let c = sim.changes(&b.sim);
                    if !c.is_empty() {
                        changes.push((p, IFACE_SIM, c));
                    }
                } else {
                    export_sim = Some(p);
                }
            }
            for r in b.bearers.iter_mut() {
                let v = bearer_view(r, &self.ports);
                if r.exported {
                    let c = v.changes(&r.view);
                    if !c.is_empty() {
                        changes.push((r.path.clone(), IFACE_BEARER, c));
                    }
                } else {
                    new_bearers.push(r.path.clone());
                    r.exported = true;
                }
                r.view = v;
            }
            b.exported = true;
            b.ifaces = wanted;
            b.modem = modem;
            b.m3gpp = m3gpp;
            b.messaging = messaging;
            b.signal = signal;
            b.sim = sim;
            b.location = location;
            b.time = time;
            if export_sim.is_some() {
                b.sim_exported = true;
            }
            let old = b.state;
            b.state = Some(st.0);
            let reason = b.reason.take().unwrap_or(StateChangeReason::Unknown);
            state_change = match old {
                Some(o) if o != st.0 => Some((o, st.0, reason)),
                _ => None,
            };
        }
        let server = self.conn.object_server();
        if let Some(p) = &unexport_sim {
            let _ = server.remove::<SimIface, _>(p).await;
        }
        // Standalone objects first, so that paths in modem properties resolve.
        if let Some(p) = &export_sim {
            server.at(p, SimIface::new(self.clone())).await?;
        }
        for p in &new_bearers {
            server
                .at(p, BearerIface::new(self.clone(), p.clone()))
                .await?;
        }
        for k in &removed {
            self.remove_iface(*k).await?;
        }
        if !removed.is_empty() {
            let names: Vec<&str> = removed.iter().map(|k| k.name()).collect();
            emit_interfaces_removed(&self.conn, &self.path, &names).await?;
        }
        for k in &added {
            self.add_iface(*k).await?;
        }
        if !added.is_empty() {
            let maps: HashMap<String, Props> = added
                .iter()
                .map(|k| (k.name().to_string(), self.iface_props(*k)))
                .collect();
            emit_interfaces_added(&self.conn, &self.path, &maps).await?;
        }
        for (p, iface, c) in &changes {
            emit_properties_changed(&self.conn, p, iface, c).await?;
        }
        if let Some((o, n, r)) = state_change {
            SignalEmitter::new(&self.conn, &self.path)?
                .emit(
                    IFACE_MODEM,
                    "StateChanged",
                    &(o.value(), n.value(), r.value()),
                )
                .await?;
        }
        Ok(())
    }

    /// The properties of one exported interface, as last published.
    pub fn iface_props(&self, k: Iface) -> Props {
        let b = self.book();
        match k {
            Iface::Modem => b.modem.to_map(),
            Iface::Modem3gpp => b.m3gpp.to_map(),
            Iface::Messaging => b.messaging.to_map(),
            Iface::Signal => b.signal.to_map(),
            Iface::Ussd => b.ussd.to_map(),
            Iface::Simple => Props::new(),
            Iface::Connection => {
                drop(b);
                super::ext_connection::props(self)
            }
            Iface::OperatorMessages => super::ext_operator_messages::props(self),
            Iface::ServiceMetadata => {
                drop(b);
                super::ext_metadata::view(self).to_map()
            }
            Iface::Provisioning => Props::new(),
            Iface::DataUsage => super::ext_data_usage::props(self),
            Iface::Location => b.location.to_map(),
            Iface::Time => b.time.to_map(),
        }
    }

    /// Every exported interface with its properties (for GetManagedObjects).
    pub fn managed_object(&self) -> Option<HashMap<String, Props>> {
        let ifaces = {
            let b = self.book();
            if !b.exported || b.removed {
                return None;
            }
            b.ifaces.clone()
        };
        Some(
            ifaces
                .into_iter()
                .map(|k| (k.name().to_string(), self.iface_props(k)))
                .collect(),
        )
    }

    async fn add_iface(self: &Arc<Self>, k: Iface) -> zbus::Result<()> {
        let s = self.conn.object_server();
        let c = self.clone();
        let p = &self.path;
        match k {
            Iface::Modem => s.at(p, ModemIface::new(c)).await?.is_none(),
            Iface::Simple => s.at(p, SimpleIface::new(c)).await?.is_none(),
            Iface::Modem3gpp => s.at(p, Modem3gppIface::new(c)).await?.is_none(),
            Iface::Ussd => s.at(p, UssdIface::new(c)).await?.is_none(),
            Iface::Messaging => s.at(p, MessagingIface::new(c)).await?.is_none(),
            Iface::Signal => s.at(p, SignalIface::new(c)).await?.is_none(),
            Iface::Connection => s.at(p, ConnectionIface::new(c)).await?.is_none(),
            Iface::OperatorMessages => s.at(p, OperatorMessagesIface::new(c)).await?.is_none(),
            Iface::ServiceMetadata => s
                .at(p, super::ext_metadata::ServiceMetadataIface::new(c))
                .await?
                .is_none(),
            Iface::Provisioning => s
                .at(p, super::ext_provisioning::ProvisioningIface::new(c))
                .await?
                .is_none(),
            Iface::DataUsage => s
                .at(p, super::ext_data_usage::DataUsageIface::new(c))
                .await?
                .is_none(),
            Iface::Location => s.at(p, LocationIface::new(c)).await?.is_none(),
            Iface::Time => s.at(p, TimeIface::new(c)).await?.is_none(),
        };
        Ok(())
    }

    async fn remove_iface(&self, k: Iface) -> zbus::Result<()> {
        let s = self.conn.object_server();
        let p = &self.path;
        let r = match k {
            Iface::Modem => s.remove::<ModemIface, _>(p).await,
            Iface::Simple => s.remove::<SimpleIface, _>(p).await,
            Iface::Modem3gpp => s.remove::<Modem3gppIface, _>(p).await,
            Iface::Ussd => s.remove::<UssdIface, _>(p).await,
            Iface::Messaging => s.remove::<MessagingIface, _>(p).await,
            Iface::Signal => s.remove::<SignalIface, _>(p).await,
            Iface::Connection => s.remove::<ConnectionIface, _>(p).await,
            Iface::OperatorMessages => s.remove::<OperatorMessagesIface, _>(p).await,
            Iface::ServiceMetadata => {
                s.remove::<super::ext_metadata::ServiceMetadataIface, _>(p)
                    .await
            }
            Iface::Provisioning => {
                s.remove::<super::ext_provisioning::ProvisioningIface, _>(p)
                    .await
            }
            Iface::DataUsage => {
                s.remove::<super::ext_data_usage::DataUsageIface, _>(p)
                    .await
            }
            Iface::Location => s.remove::<LocationIface, _>(p).await,
            Iface::Time => s.remove::<TimeIface, _>(p).await,
        };
        match r {
            Ok(_) | Err(zbus::Error::InterfaceNotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Take the modem off the bus: every interface (InterfacesRemoved) and
    /// its bearer, SIM and SMS objects. Later `sync`s do nothing.
    pub async fn unexport(self: &Arc<Self>) {
        let _g = self.sync_lock.lock().await;
        let (ifaces, bearers, sms, sim, was) = {
            let mut b = self.book();
            let was = b.exported && !b.removed;
            b.removed = true;
            (
                std::mem::take(&mut b.ifaces),
                b.bearers.iter().map(|r| r.path.clone()).collect::<Vec<_>>(),
                b.sms.iter().map(|r| r.path.clone()).collect::<Vec<_>>(),
                b.sim_path.clone().filter(|_| b.sim_exported),
                was,
            )
        };
        let s = self.conn.object_server();
        for k in &ifaces {
            let _ = self.remove_iface(*k).await;
        }
        if was && !ifaces.is_empty() {
            let names: Vec<&str> = ifaces.iter().map(|k| k.name()).collect();
            let _ = emit_interfaces_removed(&self.conn, &self.path, &names).await;
        }
        for p in bearers {
            let _ = s.remove::<BearerIface, _>(&p).await;
        }
        for p in sms {
            let _ = s.remove::<SmsIface, _>(&p).await;
        }
        if let Some(p) = sim {
            let _ = s.remove::<SimIface, _>(&p).await;
        }
    }

    /// Keep the published state in step with the modem until it goes away.
    pub async fn follow(self: Arc<Self>) {
        let mut w = self.handle.watch();
        loop {
            self.sync().await;
            if w.changed().await.is_err() {
                break;
            }
        }
    }
}

/// The Bearer view of a record.
pub fn bearer_view(r: &BearerRec, ports: &PortInfo) -> BearerView {
    use dbus_interfaces::enums::ip_family;
    let want_v4 = matches!(
        r.settings.ip_type,
        0 | ip_family::IPV4 | ip_family::IPV4V6 | ip_family::ANY
    );
    let want_v6 = matches!(
        r.settings.ip_type,
        0 | ip_family::IPV6 | ip_family::IPV4V6 | ip_family::ANY
    );
    let (ip4, ip6) = if r.active {
        ip_configs(r.ip.as_ref(), want_v4, want_v6)
    } else {
        (no_ip_config(), no_ip_config())
    };
    let mut stats = Props::new();
    if r.start_date != 0 {
        stats.insert("start-date".into(), ov(r.start_date));
    }
    stats.insert("attempts".into(), ov(r.attempts));
    stats.insert("failed-attempts".into(), ov(r.failed_attempts));
    BearerView {
        interface: if r.active {
            ports.net_port.clone()
        } else {
            String::new()
        },
        connected: r.active,
        connection_error: r.connection_error.clone(),
        ip4_config: ip4,
        ip6_config: ip6,
        stats,
        profile_id: r.settings.profile_id,
        properties: r.settings.to_properties(),
        ..BearerView::default()
    }
}

/// `PropertiesChanged(iface, changed, [])` with values.
pub async fn emit_properties_changed(
    conn: &Connection,
    path: &OwnedObjectPath,
    iface: &str,
    changes: &[Change],
) -> zbus::Result<()> {
    let changed: HashMap<&str, &OwnedVariant> = changes.iter().map(|(k, v)| (*k, v)).collect();
    let invalidated: Vec<&str> = Vec::new();
    SignalEmitter::new(conn, path)?
        .emit(
            "org.freedesktop.DBus.Properties",
            "PropertiesChanged",
            &(iface, changed, invalidated),
        )
        .await
}

/// `InterfacesAdded` from the manager object.
pub async fn emit_interfaces_added(
    conn: &Connection,
    object: &OwnedObjectPath,
    maps: &HashMap<String, Props>,
) -> zbus::Result<()> {
    SignalEmitter::new(conn, MANAGER_PATH)?
        .emit(IFACE_OBJECT_MANAGER, "InterfacesAdded", &(object, maps))
        .await
}

/// `InterfacesRemoved` from the manager object.
pub async fn emit_interfaces_removed(
    conn: &Connection,
    object: &OwnedObjectPath,
    names: &[&str],
) -> zbus::Result<()> {
    SignalEmitter::new(conn, MANAGER_PATH)?
        .emit(IFACE_OBJECT_MANAGER, "InterfacesRemoved", &(object, names))
        .await
}
