//! Who may call privileged methods. The caller's uid comes from the bus
//! (`GetConnectionUnixUser` on the sender's unique name), never from the
//! daemon's own process. Allowed: root, plus an explicit allow-list (the
//! daemon adds its own uid when it runs on a private or session bus, where the
//! bus owner is the user). There is no polkit client yet: deployments that
//! want desktop users to control modems add their uids (or, later, polkit);
//! see `systemd/README.md`.

use dbus_interfaces::MmError;
use zbus::Connection;
use zbus::message::Header;

/// The caller check.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Uids besides root that may call privileged methods.
    pub allowed_uids: Vec<u32>,
    /// Allow everyone (tests on a private bus).
    pub allow_all: bool,
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
        if self.allow_all {
            return Ok(());
        }
        let sender = hdr
            .sender()
            .ok_or_else(|| MmError::Unauthorized("the call has no sender".into()))?;
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
