//! Messaging: SMS objects at `/org/freedesktop/ModemManager1/SMS/N`, backed
//! by the daemon's SMS engine (`crate::messaging`). Received messages come
//! from the store (what the ingest pipeline committed) and from its
//! `IncomingSms` events; operator notifications and messages still
//! assembling are not shown (they are not SMS for a client). `Create` makes
//! an unsent SUBMIT object held in memory; `Store` records it in the store
//! (state `stored`, kept across restarts); `Send` records and sends it
//! through `messaging::send` (a stored one from its row). Outgoing messages
//! of earlier runs are listed again; delivery reports update the sent
//! object. Public SMS, operator notifications and network USSD are also
//! signalled on `org.mbimd.Modem1.OperatorMessages` (`ext_operator_messages`).
//! This module never talks MBIM itself and never decodes PDUs.

use super::errors::from_operation;
use super::ext_operator_messages as ext;
use super::modem::{ModemCtx, SmsRec, emit_properties_changed};
use super::objects::SmsIface;
use super::view::{Dict, SmsView};
use crate::messaging::ingest::{Clock, DeliveryReport, MessagingEvent};
use crate::messaging::send::{self, OutgoingText, SendError};
use crate::messaging::store::{Assembly, StoredMessage};
use dbus_interfaces::MmError;
use dbus_interfaces::enums::{SmsPduType, SmsState, SmsStorage};
use dbus_interfaces::names::{IFACE_MESSAGING, IFACE_SMS};
use std::sync::Arc;
use tokio::sync::broadcast;
use zbus::OwnedObjectPath;
use zbus::object_server::SignalEmitter;

/// Whether a stored message is one a Messaging client should see: an
/// outgoing message (sent, or stored by `Sms.Store`), or a received one past
/// assembly that no silent operator rule claimed.
fn visible(m: &StoredMessage) -> bool {
    !m.received || (m.assembly != Assembly::Assembling && m.kind.as_deref() != Some("operator"))
}

/// The Sms properties of a stored message (MM 1.20 `org.freedesktop.ModemManager1.Sms`).
/// A delivery report's TP-ST and TP-DT land on the sent message it matched
/// (`DeliveryState`, `DischargeTimestamp`), which MM documents for status
/// report objects only; mbimd has no separate status-report objects.
pub fn view_of(m: &StoredMessage) -> SmsView {
    let state = if m.received {
        SmsState::Received
    } else {
        match m.state.as_str() {
            "sent" => SmsState::Sent,
            "sending" => SmsState::Sending,
            "stored" => SmsState::Stored,
            _ => SmsState::Unknown,
        }
    };
    SmsView {
        state: state.value(),
        pdu_type: if m.received {
            SmsPduType::Deliver.value()
        } else {
            SmsPduType::Submit.value()
        },
        number: m.number.clone(),
        text: m.text.clone().unwrap_or_default(),
        data: m.data.clone().unwrap_or_default(),
        class: m.class.map_or(-1, i32::from),
        message_reference: m.message_reference.map_or(0, u32::from),
        timestamp: m.scts.clone().unwrap_or_default(),
        delivery_report_request: m.delivery_report_requested,
        delivery_state: m.delivery_state.map_or(
            dbus_interfaces::enums::SMS_DELIVERY_STATE_UNKNOWN,
            u32::from,
        ),
        discharge_timestamp: m.discharge_time.clone().unwrap_or_default(),
        storage: SmsStorage::Mt.value(),
        ..SmsView::default()
    }
}

/// Publish the store's visible messages of the modem, then follow the
/// engine's events until the channel closes (the ingest task ended): public
/// SMS become objects (`Added`, then `IncomingSms`), operator notifications
/// and network USSD are signalled on `org.mbimd.Modem1.OperatorMessages`
/// (USSD also reaches the Ussd properties), delivery reports update the
/// sent message's object.
pub async fn follow(ctx: Arc<ModemCtx>, mut events: broadcast::Receiver<MessagingEvent>) {
    load_all(&ctx).await;
    loop {
        match events.recv().await {
            Ok(MessagingEvent::IncomingSms(m)) => {
                let Some(b) = ctx.sms.get() else { return };
                match b.store.message(m.message_id).await {
                    Ok(Some(msg)) if visible(&msg) => {
                        if let Some(path) = publish(&ctx, &msg, true).await {
                            ext::incoming_sms(&ctx, &path, &m).await;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reading a received SMS failed"),
                }
            }
            Ok(MessagingEvent::OperatorNotification(n)) => {
                ext::operator_notification(&ctx, &n).await;
                super::ext_provisioning::operator_notification(&ctx, &n);
            }
            Ok(MessagingEvent::IncomingUssd(u)) => {
                super::ussd::network_initiated(&ctx, &u).await;
                ext::incoming_ussd(&ctx, &u).await;
            }
            Ok(MessagingEvent::UssdSessionEnded(_)) => super::ussd::network_ended(&ctx).await,
            Ok(MessagingEvent::DeliveryReport(r)) => delivery_report(&ctx, &r).await,
            // Missed events: what they announced is in the store.
            Err(broadcast::error::RecvError::Lagged(_)) => load_all(&ctx).await,
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// A status report for a sent message: its object's `DeliveryState` and
/// `DischargeTimestamp` follow (with `PropertiesChanged`).
async fn delivery_report(ctx: &Arc<ModemCtx>, r: &DeliveryReport) {
    let Some(id) = r.message_id else { return };
    let found = {
        let mut b = ctx.book();
        b.sms
            .iter_mut()
            .find(|s| s.message_id == Some(id))
            .map(|rec| {
                let before = rec.view.clone();
                rec.view.delivery_state = u32::from(r.status);
                rec.view.discharge_timestamp = r.discharge_time.clone();
                (rec.path.clone(), rec.view.changes(&before))
            })
    };
    if let Some((path, changes)) = found
        && !changes.is_empty()
    {
        let _ = emit_properties_changed(&ctx.conn, &path, IFACE_SMS, &changes).await;
    }
}

/// Export every visible stored message not exported yet (no `Added`: they
/// are not new). Received messages not announced yet are left to their
/// `IncomingSms` event, which the ingest publishes before classifying them
/// as announced.
async fn load_all(ctx: &Arc<ModemCtx>) {
    let Some(b) = ctx.sms.get() else { return };
    match b.store.messages(&b.modem).await {
        Ok(list) => {
            for m in list
                .iter()
                .filter(|m| visible(m) && (m.announced || !m.received))
            {
                publish(ctx, m, false).await;
            }
        }
        Err(e) => tracing::warn!(error = %e, "reading the SMS store failed"),
    }
}

/// Export `m` unless it already is; `Added(path, true)` when `announce`.
/// Returns the new object's path.
async fn publish(
    ctx: &Arc<ModemCtx>,
    m: &StoredMessage,
    announce: bool,
) -> Option<OwnedObjectPath> {
    let path = {
        let mut b = ctx.book();
        if b.sms.iter().any(|r| r.message_id == Some(m.id)) {
            return None;
        }
        let path = ctx.counters.sms();
        b.sms.push(SmsRec {
            path: path.clone(),
            index: None,
            pdu: None,
            message_id: Some(m.id),
            view: view_of(m),
        });
        path
    };
    if let Err(e) = export(ctx, &path, m.received, announce).await {
        tracing::warn!(error = %e, "exporting an SMS failed");
    }
    Some(path)
}

async fn export(
    ctx: &Arc<ModemCtx>,
    path: &OwnedObjectPath,
    received: bool,
    signal: bool,
) -> zbus::Result<()> {
    ctx.conn
        .object_server()
        .at(path, SmsIface::new(ctx.clone(), path.clone()))
        .await?;
    ctx.sync().await;
    if signal {
        SignalEmitter::new(&ctx.conn, &ctx.path)?
            .emit(IFACE_MESSAGING, "Added", &(path, received))
            .await?;
    }
    Ok(())
}

/// `Messaging.Create`: validates the dictionary (bad arguments get
/// `Core.InvalidArgs` like MM) and exports an unsent SUBMIT object.
pub async fn create(ctx: &Arc<ModemCtx>, props: &Dict) -> Result<OwnedObjectPath, MmError> {
    let mut number = None;
    let mut text = None;
    let mut delivery_report = false;
    for (k, v) in props {
        match k.as_str() {
            "number" => {
                number = Some(
                    String::try_from(v.clone())
                        .map_err(|_| MmError::InvalidArgs("'number' must be a string".into()))?,
                )
            }
            "text" => {
                text = Some(
                    String::try_from(v.clone())
                        .map_err(|_| MmError::InvalidArgs("'text' must be a string".into()))?,
                );
            }
            "data" => {
                return Err(MmError::Unsupported(
                    "sending data SMS is not supported by mbimd".into(),
                ));
            }
            "delivery-report-request" => {
                delivery_report = bool::try_from(&**v).map_err(|_| {
                    MmError::InvalidArgs("'delivery-report-request' must be a boolean".into())
                })?;
            }
            "smsc" | "validity" | "class" | "storage" | "teleservice-id" | "service-category" => {}
            other => {
                return Err(MmError::InvalidArgs(format!(
                    "Invalid properties: unexpected property '{other}'"
                )));
            }
        }
    }
    let number = number
        .filter(|n| !n.is_empty())
        .ok_or_else(|| MmError::InvalidArgs("'number' is required".into()))?;
    let text = text.ok_or_else(|| MmError::InvalidArgs("'text' or 'data' is required".into()))?;
    if ctx.sms.get().is_none() {
        return Err(MmError::Unsupported("no SMS store is open in mbimd".into()));
    }
    let path = ctx.counters.sms();
    ctx.book().sms.push(SmsRec {
        path: path.clone(),
        index: None,
        pdu: None,
        message_id: None,
        view: SmsView {
            state: SmsState::Unknown.value(),
            pdu_type: SmsPduType::Submit.value(),
            number,
            text,
            delivery_report_request: delivery_report,
            storage: SmsStorage::Unknown.value(),
            ..SmsView::default()
        },
    });
    export(ctx, &path, false, true)
        .await
        .map_err(|e| MmError::Failed(format!("cannot export the SMS: {e}")))?;
    Ok(path)
}

/// `Messaging.Delete`: drop the object and its stored message.
pub async fn delete(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let rec = {
        let mut b = ctx.book();
        let i = b
            .sms
            .iter()
            .position(|s| &s.path == path)
            .ok_or_else(|| MmError::NotFound(format!("no SMS {}", path.as_str())))?;
        b.sms.remove(i)
    };
    if let (Some(id), Some(b)) = (rec.message_id, ctx.sms.get()) {
        b.store
            .delete_message(id)
            .await
            .map_err(|e| MmError::Failed(format!("cannot delete the SMS: {e}")))?;
    }
    let _ = ctx.conn.object_server().remove::<SmsIface, _>(path).await;
    ctx.sync().await;
    if let Ok(em) = SignalEmitter::new(&ctx.conn, &ctx.path) {
        let _ = em.emit(IFACE_MESSAGING, "Deleted", &(path,)).await;
    }
    Ok(())
}

/// `Sms.Send`: record and send the text; the object's State becomes `sent`.
pub async fn send(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let backend = ctx
        .sms
        .get()
        .cloned()
        .ok_or_else(|| MmError::Unsupported("no SMS store is open in mbimd".into()))?;
    // Claim the object (state `sending`) under the lock, so a second Send
    // racing this one is refused instead of sending the text twice.
    let (view, before, stored_id) = {
        let mut b = ctx.book();
        let rec = b
            .sms
            .iter_mut()
            .find(|s| &s.path == path)
            .ok_or_else(|| MmError::NotFound(format!("no SMS {}", path.as_str())))?;
        let v = &rec.view;
        if v.pdu_type != SmsPduType::Submit.value()
            || v.state == SmsState::Sent.value()
            || v.state == SmsState::Sending.value()
        {
            return Err(MmError::WrongState("only unsent SMS can be sent".into()));
        }
        let before = rec.view.clone();
        rec.view.state = SmsState::Sending.value();
        (rec.view.clone(), before, rec.message_id)
    };
    let _ = emit_properties_changed(&ctx.conn, path, IFACE_SMS, &view.changes(&before)).await;
    let out = OutgoingText {
        modem: &backend.modem,
        number: &view.number,
        text: &view.text,
        delivery_report: view.delivery_report_request,
        now_ms: Clock::system().now_ms(),
    };
    // A message kept by `Store` is sent from its store row (no second copy).
    let r = match stored_id {
        Some(id) => send::send_stored(&ctx.handle, &backend.store, id, &out).await,
        None => send::send_text(&ctx.handle, &backend.store, &out).await,
    };
    let (id, new_view) = match &r {
        Ok(sent) => (
            Some(sent.message_id),
            SmsView {
                state: SmsState::Sent.value(),
                message_reference: sent.message_references.last().map_or(0, |m| u32::from(*m)),
                storage: SmsStorage::Mt.value(),
                ..view.clone()
            },
        ),
        Err(SendError::Modem { message_id, .. }) => (
            Some(*message_id),
            SmsView {
                state: SmsState::Stored.value(),
                storage: SmsStorage::Mt.value(),
                ..view.clone()
            },
        ),
        Err(_) => (stored_id, before.clone()),
    };
    let changes = new_view.changes(&view);
    {
        let mut b = ctx.book();
        if let Some(rec) = b.sms.iter_mut().find(|s| &s.path == path) {
            if id.is_some() {
                rec.message_id = id;
            }
            rec.view = new_view;
        }
    }
    if !changes.is_empty() {
        let _ = emit_properties_changed(&ctx.conn, path, IFACE_SMS, &changes).await;
    }
    match r {
        Ok(_) => Ok(()),
        Err(SendError::Modem { source, .. }) => Err(from_operation(&source)),
        Err(e @ SendError::Encode(_)) => Err(MmError::InvalidArgs(e.to_string())),
        Err(e) => Err(MmError::Failed(e.to_string())),
    }
}

/// `Sms.Store(storage)` with ModemManager's semantics: a message already
/// stored succeeds when asked for the storage it is in and fails otherwise;
/// `UNKNOWN` means the default storage. mbimd keeps messages in its own
/// store, published as `MT` (the only storage the MBIM plugin reports), so
/// `MT` is the only storage accepted for storing. A created, unsent message
/// becomes `stored`: it survives a restart and `Send` sends that copy.
pub async fn store(
    ctx: &Arc<ModemCtx>,
    path: &OwnedObjectPath,
    storage: u32,
) -> Result<(), MmError> {
    let backend = ctx
        .sms
        .get()
        .cloned()
        .ok_or_else(|| MmError::Unsupported("no SMS store is open in mbimd".into()))?;
    let wanted = if storage == SmsStorage::Unknown.value() {
        SmsStorage::Mt.value()
    } else {
        storage
    };
    let view = {
        let b = ctx.book();
        let rec = b
            .sms
            .iter()
            .find(|s| &s.path == path)
            .ok_or_else(|| MmError::NotFound(format!("no SMS {}", path.as_str())))?;
        if rec.view.storage != SmsStorage::Unknown.value() {
            return if rec.view.storage == wanted {
                Ok(())
            } else {
                Err(MmError::Failed("SMS is already stored".into()))
            };
        }
        rec.view.clone()
    };
    if wanted != SmsStorage::Mt.value() {
        return Err(MmError::Unsupported(format!(
            "Storage '{}' is not supported for storing",
            SmsStorage::nick_of(wanted)
        )));
    }
    let out = OutgoingText {
        modem: &backend.modem,
        number: &view.number,
        text: &view.text,
        delivery_report: view.delivery_report_request,
        now_ms: Clock::system().now_ms(),
    };
    let id = send::store_text(&backend.store, &out)
        .await
        .map_err(|e| match e {
            SendError::Encode(_) => MmError::InvalidArgs(e.to_string()),
            other => MmError::Failed(other.to_string()),
        })?;
    let changes = {
        let mut b = ctx.book();
        let Some(rec) = b.sms.iter_mut().find(|s| &s.path == path) else {
            return Ok(());
        };
        let before = rec.view.clone();
        rec.message_id = Some(id);
        rec.view.state = SmsState::Stored.value();
        rec.view.storage = SmsStorage::Mt.value();
        rec.view.changes(&before)
    };
    let _ = emit_properties_changed(&ctx.conn, path, IFACE_SMS, &changes).await;
    Ok(())
}
