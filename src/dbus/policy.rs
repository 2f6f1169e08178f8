//! Who may call privileged methods. The caller's uid comes from the bus
//! (`GetConnectionUnixUser` on the sender's unique name), never from the
//! daemon's own process. Allowed: root, plus an explicit allow-list (the
//! daemon adds its own uid when it runs on a private or session bus, where the
//! bus owner is the user). There is no polkit client yet: deployments that
//! want desktop users to control modems add their uids (or, later, polkit);
//! see `systemd/README.md`.
//!
//! With a privileged-apps check configured ([`Policy::apps`]), callers that
//! are not allowed by uid are also allowed when they are privileged apps
//! (`provisioning::privileged`: Flatpak app id, snap, systemd unit, unix
//! user, or named by the service metadata matched to the modem's SIM).

use crate::provisioning::privileged::{MetadataApps, PrivilegedApps, caller};
use dbus_interfaces::MmError;
use std::sync::Arc;
use zbus::Connection;
use zbus::message::Header;

/// The caller check.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Uids besides root that may call privileged methods.
    pub allowed_uids: Vec<u32>,
    /// Allow everyone (tests on a private bus).
    pub allow_all: bool,
    /// Privileged apps besides the uids (None: uids only).
    pub apps: Option<Arc<PrivilegedApps>>,
}

impl Policy {
    /// Check the sender of `hdr`; `action` names the polkit-style action
    /// for the error message.
    pub async fn check(
        &self,
        conn: &Connection,
        hdr: &Header<'_>,
        action: &str,
    ) -> Result<(), MmError> {
        self.check_with(conn, hdr, action, MetadataApps::default())
            .await
    }

    /// [`Policy::check`], also allowing the apps that `metadata` (the
    /// service metadata matched to the modem's SIM) names.
    pub async fn check_with(
        &self,
        conn: &Connection,
        hdr: &Header<'_>,
        action: &str,
        metadata: MetadataApps<'_>,
    ) -> Result<(), MmError> {
        if self.allow_all {
            return Ok(());
        }
        let sender = hdr
            .sender()
            .ok_or_else(|| MmError::Unauthorized("the call has no sender".into()))?;
        if let Some(apps) = &self.apps {
            let who = caller(conn, sender.as_str()).await.map_err(|e| {
                MmError::Failed(format!("cannot ask the bus about the caller: {e}"))
            })?;
            if self.allowed_uids.contains(&who.uid) {
                return Ok(());
            }
            let d = apps.decide(&who, metadata);
            return if d.allowed {
                Ok(())
            } else {
                Err(MmError::Unauthorized(format!(
                    "{action}: {} (uid {})",
                    d.reason, who.uid
                )))
            };
        }
        let dbus = zbus::fdo::DBusProxy::new(conn)
            .await
            .map_err(|e| MmError::Failed(format!("cannot ask the bus about the caller: {e}")))?;
        let uid = dbus
            .get_connection_unix_user(sender.clone().into())
            .await
            .map_err(|e| MmError::Failed(format!("cannot ask the bus about the caller: {e}")))?;
        if uid == 0 || self.allowed_uids.contains(&uid) {
            Ok(())
        } else {
            Err(MmError::Unauthorized(format!(
                "uid {uid} is not allowed to use {action}"
            )))
        }
    }
}
