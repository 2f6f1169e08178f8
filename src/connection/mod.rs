//! The connection flows: from a SIM to the internet with no typing
//! (windows-operator-formats.md §3.3, apn-data.md "What follows").
//!
//! * [`data`] — the APN database at run time: opened in the state directory,
//!   the system's `serviceproviders.xml` imported in the background;
//! * [`identity`] — the SIM identity the lookup needs, read from the modem;
//! * [`flow`] — the active-device flow: try the resolved candidates in order
//!   until one connects with internet, and classify the outcome (connected,
//!   limited = warm SIM, operator app needed = cold SIM, error);
//! * [`probe`] — "is there internet behind this session?";
//! * [`policy`] — failure classes, the purchase URL and the daemon's
//!   connection configuration (auto-connect);
//! * [`state`] — what one modem publishes about its flows (resolved
//!   settings, candidates, HWIDs, limited/purchase URL, attempt log);
//! * [`sources`] — the provisioning and service-metadata sources kept
//!   current while the daemon runs (re-resolution on their changes).
//!
//! This module decides and records; it does not talk D-Bus (the extension
//! interface `org.mbimd.Modem1.Connection` and the bearer glue live in
//! `dbus::ext_connection` and `dbus::flows`) and it never talks MBIM except
//! through a `ModemHandle` when reading the SIM identity.

pub mod data;
pub mod flow;
pub mod identity;
pub mod policy;
pub mod probe;
pub mod sources;
pub mod state;

pub use data::ApnData;
pub use flow::{Connector, FlowOutcome};
pub use policy::ConnectionConfig;
pub use probe::{Connectivity, InternetProbe};
pub use state::ConnState;

use apn_db::resolver::{
    NoProvisioning, NoServiceMetadata, ProvisioningSource, ServiceMetadataSource,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// What every modem's flows share: the APN data, the configuration, the
/// upper settings sources and the probe used for real hardware.
pub struct ConnectionEnv {
    /// The APN database.
    pub data: Arc<ApnData>,
    /// Auto-connect default, purchase URL.
    pub config: ConnectionConfig,
    /// Account provisioning metadata (the provisioning store's snapshot in
    /// the daemon, `sources::ProvisionedSource`).
    pub provisioning: Arc<dyn ProvisioningSource + Send + Sync>,
    /// Operator service metadata keyed by HWIDs (the metadata store in the
    /// daemon).
    pub metadata: Arc<dyn ServiceMetadataSource + Send + Sync>,
    /// The same provisioning snapshot, for what the resolver's trait does
    /// not carry (the purchase profile).
    pub provisioned: Option<Arc<sources::ProvisionedSource>>,
    /// The same metadata store, for what the resolver's trait does not
    /// carry (purchase profile, operator app).
    pub metadata_store: Option<Arc<crate::provisioning::metadata::MetadataStore>>,
    /// Bumped when a settings source changed: every modem resolves again.
    pub changed: tokio::sync::watch::Sender<u64>,
    /// The internet check for modems that are not simulated.
    pub probe: Arc<dyn InternetProbe>,
}

impl std::fmt::Debug for ConnectionEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionEnv")
            .field("data", &self.data)
            .field("config", &self.config)
            .field("probe", &self.probe)
            .finish_non_exhaustive()
    }
}

impl Default for ConnectionEnv {
    /// No APN data, no upper sources, auto-connect off, internet assumed.
    fn default() -> Self {
        ConnectionEnv {
            data: ApnData::none(),
            config: ConnectionConfig::default(),
            provisioning: Arc::new(NoProvisioning),
            metadata: Arc::new(NoServiceMetadata),
            provisioned: None,
            metadata_store: None,
            changed: tokio::sync::watch::channel(0).0,
            probe: Arc::new(probe::AssumeInternet),
        }
    }
}

/// One modem's flow state: its probe, its auto-connect switch and what it
/// publishes. Owned by the modem's D-Bus context.
#[derive(Debug)]
pub struct ModemConnection {
    /// The daemon's environment.
    pub env: Arc<ConnectionEnv>,
    /// The internet check for this modem (the simulator's answer for a
    /// simulated modem, else the daemon's probe).
    pub probe: Arc<dyn InternetProbe>,
    auto_connect: AtomicBool,
    state: Mutex<ConnState>,
    /// One flow at a time per modem (a Simple.Connect racing auto-connect
    /// waits for it and then finds the bearer connected).
    pub flow_lock: tokio::sync::Mutex<()>,
    /// Wakes the modem's policy task (auto-connect switched on).
    pub wake: tokio::sync::Notify,
    /// What `org.mbimd.Modem1.Connection` last published (compared to emit
    /// only changed properties).
    pub published: Mutex<Option<crate::dbus::ext_connection::ConnectionView>>,
}

impl ModemConnection {
    /// A modem's flow state; `probe` overrides the environment's probe.
    pub fn new(env: Arc<ConnectionEnv>, probe: Option<Arc<dyn InternetProbe>>) -> Self {
        let probe = probe.unwrap_or_else(|| env.probe.clone());
        let auto = env.config.auto_connect;
        ModemConnection {
            env,
            probe,
            auto_connect: AtomicBool::new(auto),
            state: Mutex::new(ConnState::default()),
            flow_lock: tokio::sync::Mutex::new(()),
            wake: tokio::sync::Notify::new(),
            published: Mutex::new(None),
        }
    }

    /// The published state (never held across an await).
    pub fn state(&self) -> MutexGuard<'_, ConnState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether auto-connect is on for this modem.
    pub fn auto_connect(&self) -> bool {
        self.auto_connect.load(Ordering::Relaxed)
    }

    /// Turn auto-connect on or off for this modem.
    pub fn set_auto_connect(&self, on: bool) {
        self.auto_connect.store(on, Ordering::Relaxed);
        if on {
            self.wake.notify_one();
        }
    }
}
