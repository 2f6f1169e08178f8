//! The manager object `/org/freedesktop/ModemManager1`: the Manager interface
//! (ScanDevices, SetLogging, ReportKernelEvent, InhibitDevice, Version) and
//! our own `org.freedesktop.DBus.ObjectManager`, which lists exactly the
//! exported modem objects (zbus's would also list the empty intermediate
//! nodes `…/Modem` and `…/Bearer`, rust-stack.md §3 pitfall 1). Bearer, SIM
//! and SMS objects are standalone, as in ModemManager (§1).

use super::modem::ModemCtx;
use super::policy::Policy;
use super::view::Dict;
use dbus_interfaces::MmError;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{OwnedObjectPath, interface};

/// Requests the Manager interface hands to the device manager.
#[derive(Debug)]
pub enum ManagerRequest {
    /// Re-enumerate devices.
    Scan,
    /// Inhibit (true) or release (false) the device with this uid.
    Inhibit {
        uid: String,
        inhibit: bool,
        reply: oneshot::Sender<Result<(), MmError>>,
    },
    /// A kernel event reported by a hotplug script (udev-less systems).
    KernelEvent {
        action: String,
        name: String,
        subsystem: String,
        reply: oneshot::Sender<Result<(), MmError>>,
    },
    /// Change the log level.
    SetLogging {
        level: String,
        reply: oneshot::Sender<Result<(), MmError>>,
    },
}

/// The exported modems, by index.
#[derive(Debug, Default)]
pub struct Registry {
    modems: Mutex<BTreeMap<u32, Arc<ModemCtx>>>,
}

impl Registry {
    /// Track a modem.
    pub fn insert(&self, ctx: Arc<ModemCtx>) {
        self.lock().insert(ctx.index, ctx);
    }
    /// Stop tracking a modem.
    pub fn remove(&self, index: u32) -> Option<Arc<ModemCtx>> {
        self.lock().remove(&index)
    }
    /// All modems.
    pub fn all(&self) -> Vec<Arc<ModemCtx>> {
        self.lock().values().cloned().collect()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u32, Arc<ModemCtx>>> {
        self.modems.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `org.freedesktop.ModemManager1`.
#[derive(Debug)]
pub struct ManagerIface {
    pub version: String,
    pub policy: Arc<Policy>,
    pub requests: mpsc::Sender<ManagerRequest>,
}

const CONTROL: &str = "org.freedesktop.ModemManager1.Control";

impl ManagerIface {
    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, MmError>>) -> ManagerRequest,
    ) -> Result<T, MmError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(make(tx))
            .await
            .map_err(|_| MmError::Failed("the daemon is shutting down".into()))?;
        rx.await
            .map_err(|_| MmError::Failed("the daemon is shutting down".into()))?
    }
}

#[interface(name = "org.freedesktop.ModemManager1")]
impl ManagerIface {
    async fn scan_devices(
        &self,
        #[zbus(header)] hdr: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), MmError> {
        self.policy.check(conn, &hdr, CONTROL).await?;
        self.requests
            .send(ManagerRequest::Scan)
            .await
            .map_err(|_| MmError::Failed("the daemon is shutting down".into()))
    }

    async fn set_logging(
        &self,
        level: String,
        #[zbus(header)] hdr: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), MmError> {
        if !matches!(
            level.as_str(),
            "ERR" | "WARN" | "INFO" | "DEBUG" | "TRACE" | "MSG"
        ) {
            return Err(MmError::InvalidArgs(format!(
                "invalid log level '{level}' (ERR, WARN, MSG, INFO, DEBUG, TRACE)"
            )));
        }
        self.policy.check(conn, &hdr, CONTROL).await?;
        self.ask(|reply| ManagerRequest::SetLogging { level, reply })
            .await
    }

    async fn report_kernel_event(
        &self,
        properties: Dict,
        #[zbus(header)] hdr: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), MmError> {
        let get = |k: &str| -> Result<Option<String>, MmError> {
            properties
                .get(k)
                .map(|v| {
                    String::try_from(v.clone())
                        .map_err(|_| MmError::InvalidArgs(format!("'{k}' must be a string")))
                })
                .transpose()
        };
        for k in properties.keys() {
            if !matches!(k.as_str(), "action" | "name" | "subsystem" | "uid") {
                return Err(MmError::InvalidArgs(format!("unknown key '{k}'")));
            }
        }
        let action =
            get("action")?.ok_or_else(|| MmError::InvalidArgs("missing 'action'".into()))?;
        if !matches!(action.as_str(), "add" | "remove") {
            return Err(MmError::InvalidArgs(format!("invalid action '{action}'")));
        }
        let name = get("name")?.ok_or_else(|| MmError::InvalidArgs("missing 'name'".into()))?;
        let subsystem =
            get("subsystem")?.ok_or_else(|| MmError::InvalidArgs("missing 'subsystem'".into()))?;
        self.policy.check(conn, &hdr, CONTROL).await?;
        self.ask(|reply| ManagerRequest::KernelEvent {
            action,
            name,
            subsystem,
            reply,
        })
        .await
    }

    async fn inhibit_device(
        &self,
        uid: String,
        inhibit: bool,
        #[zbus(header)] hdr: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), MmError> {
        if uid.is_empty() {
            return Err(MmError::InvalidArgs("empty device uid".into()));
        }
        self.policy.check(conn, &hdr, CONTROL).await?;
        self.ask(|reply| ManagerRequest::Inhibit {
            uid,
            inhibit,
            reply,
        })
        .await
    }

    #[zbus(property, name = "Version")]
    fn version(&self) -> String {
        self.version.clone()
    }
}

/// Our `org.freedesktop.DBus.ObjectManager` on the manager object.
#[derive(Debug)]
pub struct ObjectManagerIface {
    pub registry: Arc<Registry>,
}

#[interface(name = "org.freedesktop.DBus.ObjectManager")]
impl ObjectManagerIface {
    async fn get_managed_objects(
        &self,
    ) -> HashMap<OwnedObjectPath, HashMap<String, HashMap<String, zbus::OwnedVariant>>> {
        self.registry
            .all()
            .into_iter()
            .filter_map(|m| m.managed_object().map(|o| (m.path.clone(), o)))
            .collect()
    }

    /// Emitted by `ModemCtx::sync` when a modem or an interface appears.
    #[zbus(signal)]
    async fn interfaces_added(
        emitter: &SignalEmitter<'_>,
        object_path: OwnedObjectPath,
        interfaces_and_properties: HashMap<String, Dict>,
    ) -> zbus::Result<()>;

    /// Emitted when a modem or an interface goes away.
    #[zbus(signal)]
    async fn interfaces_removed(
        emitter: &SignalEmitter<'_>,
        object_path: OwnedObjectPath,
        interfaces: Vec<String>,
    ) -> zbus::Result<()>;
}
