//! Messaging: SMS objects at `/org/freedesktop/ModemManager1/SMS/N`.
//! The interface is exported with its complete (empty) property set so
//! clients see a messaging-capable modem; reading the modem's store and
//! sending need the SMS PDU codec, which lands separately — until then
//! `Create` answers `Core.Unsupported` cleanly.

use super::modem::ModemCtx;
use super::view::Dict;
use dbus_interfaces::MmError;
use std::sync::Arc;
use zbus::OwnedObjectPath;

/// `Messaging.Create`: validates the dictionary (so bad arguments get
/// `Core.InvalidArgs` like MM), then reports that sending is not wired yet.
pub async fn create(ctx: &Arc<ModemCtx>, props: &Dict) -> Result<OwnedObjectPath, MmError> {
    let _ = ctx;
    let mut number = None;
    let mut body = false;
    for (k, v) in props {
        match k.as_str() {
            "number" => {
                number = Some(
                    String::try_from(v.clone())
                        .map_err(|_| MmError::InvalidArgs("'number' must be a string".into()))?,
                )
            }
            "text" => {
                String::try_from(v.clone())
                    .map_err(|_| MmError::InvalidArgs("'text' must be a string".into()))?;
                body = true;
            }
            "data" => body = true,
            "smsc"
            | "validity"
            | "class"
            | "delivery-report-request"
            | "storage"
            | "teleservice-id"
            | "service-category" => {}
            other => {
                return Err(MmError::InvalidArgs(format!(
                    "Invalid properties: unexpected property '{other}'"
                )));
            }
        }
    }
    if number.as_deref().is_none_or(str::is_empty) {
        return Err(MmError::InvalidArgs("'number' is required".into()));
    }
    if !body {
        return Err(MmError::InvalidArgs("'text' or 'data' is required".into()));
    }
    Err(MmError::Unsupported(
        "creating SMS is not supported yet by mbimd".into(),
    ))
}

/// `Messaging.Delete`.
pub async fn delete(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let found = ctx.book().sms.iter().any(|s| &s.path == path);
    if !found {
        return Err(MmError::NotFound(format!("no SMS {}", path.as_str())));
    }
    Err(MmError::Unsupported(
        "deleting SMS is not supported yet by mbimd".into(),
    ))
}

/// `Sms.Send`.
pub async fn send(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let _ = (ctx, path);
    Err(MmError::Unsupported(
        "sending SMS is not supported yet by mbimd".into(),
    ))
}
