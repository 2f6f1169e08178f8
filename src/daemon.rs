//! Assembling the daemon: connect to the bus, serve the manager object, start
//! the modems, wait for the initial ones to be exported, and only then
//! request the well-known name (so a client that sees the name sees the
//! objects). Used by `bin/mbimd.rs` and by in-process tests.

use crate::dbus::{Counters, ManagerIface, ManagerRequest, ObjectManagerIface, Policy, Registry};
use crate::manager::{DeviceManager, Shared};
use crate::sim::Scenario;
use dbus_interfaces::MANAGER_PATH;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use zbus::Connection;

/// Which bus to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bus {
    System,
    Session,
    Address(String),
}

/// Connect to `bus` (no name requested yet).
pub async fn connect(bus: &Bus) -> zbus::Result<Connection> {
    let b = match bus {
        Bus::System => zbus::connection::Builder::system(),
        Bus::Session => zbus::connection::Builder::session(),
        Bus::Address(a) => zbus::connection::Builder::address(a.as_str()),
    };
    b.build().await
}

/// A daemon being served on a connection.
#[derive(Debug)]
pub struct Daemon {
    pub conn: Connection,
    pub manager: DeviceManager,
    pub requests: mpsc::Receiver<ManagerRequest>,
    pub ended: mpsc::UnboundedReceiver<String>,
}

impl Daemon {
    /// Serve the manager object on `conn` (nothing else yet).
    pub async fn serve(conn: Connection, policy: Policy) -> zbus::Result<Daemon> {
        let registry = Arc::new(Registry::default());
        let policy = Arc::new(policy);
        let (tx, requests) = mpsc::channel(16);
        let server = conn.object_server();
        server
            .at(
                MANAGER_PATH,
                ManagerIface {
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    policy: policy.clone(),
                    requests: tx,
                },
            )
            .await?;
        server
            .at(
                MANAGER_PATH,
                ObjectManagerIface {
                    registry: registry.clone(),
                },
            )
            .await?;
        let (manager, ended) = DeviceManager::new(Shared {
            conn: conn.clone(),
            registry,
            counters: Arc::new(Counters::default()),
            policy,
            sms_store: None,
            connection: Arc::new(crate::connection::ConnectionEnv::default()),
            operator_rules: crate::messaging::ingest::Rules::default(),
            metadata: None,
            provisioning: None,
            provisioning_agent: Arc::default(),
            usage: None,
        });
        Ok(Daemon {
            conn,
            manager,
            requests,
            ended,
        })
    }

    /// Start `n` simulated modems with `scenario` (named `sim0`, `sim1`, ...).
    pub fn add_sims(&mut self, scenario: &Scenario, n: usize) {
        for i in 0..n {
            let name = format!("sim{}", self.manager.running());
            let _ = i;
            self.manager.add_sim(&name, scenario.clone());
        }
    }

    /// Wait until every started modem is exported or has ended, at most `limit`.
    pub async fn settle(&mut self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.manager.exported() < self.manager.running()
            && tokio::time::Instant::now() < deadline
        {
            tokio::select! {
                Some(n) = self.ended.recv() => self.manager.ended(&n),
                _ = tokio::time::sleep(Duration::from_millis(2)) => {}
            }
        }
    }

    /// Request the well-known name.
    pub async fn own_name(&self, name: &str) -> zbus::Result<()> {
        self.conn.request_name(name).await
    }

    /// Serve manager requests and modem endings until `stop` resolves, then
    /// take every modem off the bus.
    pub async fn run_until(&mut self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                Some(r) = self.requests.recv() => self.manager.request(r).await,
                Some(n) = self.ended.recv() => self.manager.ended(&n),
            }
        }
        self.manager.stop_all(&mut self.ended).await;
    }
}
