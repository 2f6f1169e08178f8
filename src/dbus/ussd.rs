//! USSD over MBIM (USSD service, modemmanager-api.md §8.2): requests go out
//! GSM 7-bit (DCS 0x0F) or UCS-2 as `messaging::ussd::encode` chooses
//! (TS 23.038), replies are decoded per their DCS; the session state
//! (idle / active / user-response) is published on the Ussd interface.
//!
//! Network-initiated USSD (classified by the ingest pipeline, handed over by
//! `dbus::messaging::follow`) follows ModemManager: a notification sets
//! `NetworkNotification` and leaves the session idle; a request sets
//! `NetworkRequest` and the state `user-response`, so `Respond` answers it;
//! the network ending the session makes it idle. `Initiate` starts afresh
//! (both strings cleared). A USSD indication arriving while a request of
//! ours is with the network is taken as that request's reply and left to
//! the request. Messages a silent operator rule claimed never get here.
//! Every change is published with `PropertiesChanged` (values included).

use super::errors::from_operation;
use super::modem::{Iface, ModemCtx, emit_properties_changed};
use super::view::UssdView;
use crate::messaging::CbsDataCodingScheme;
use crate::messaging::ingest::IncomingUssd;
use crate::messaging::ussd as coding;
use dbus_interfaces::MmError;
use dbus_interfaces::enums::UssdSessionState;
use dbus_interfaces::names::IFACE_USSD;
use mbim_proto::services::ussd::{UssdAction, UssdResponse};
use std::sync::Arc;

fn decode(dcs: u32, payload: &[u8]) -> String {
    let dcs = CbsDataCodingScheme(u8::try_from(dcs).unwrap_or(0x0F));
    coding::decode(dcs, payload).unwrap_or_else(|e| format!("(undecodable reply: {e})"))
}

/// Apply `f` to the Ussd view and publish what changed (when the interface
/// is exported).
async fn update(ctx: &Arc<ModemCtx>, f: impl FnOnce(&mut UssdView)) {
    let changes = {
        let mut b = ctx.book();
        let before = b.ussd.clone();
        f(&mut b.ussd);
        if !b.ifaces.contains(&Iface::Ussd) {
            return;
        }
        b.ussd.changes(&before)
    };
    if !changes.is_empty()
        && let Err(e) = emit_properties_changed(&ctx.conn, &ctx.path, IFACE_USSD, &changes).await
    {
        tracing::warn!(modem = ctx.index, error = %e, "publishing the USSD state failed");
    }
}

/// A network-initiated USSD notification or request (see the module docs).
pub async fn network_initiated(ctx: &Arc<ModemCtx>, u: &IncomingUssd) {
    update(ctx, |v| {
        if v.state == UssdSessionState::Active.value() {
            return;
        }
        if u.request {
            v.network_request = u.text.clone();
            v.state = UssdSessionState::UserResponse.value();
        } else {
            v.network_notification = u.text.clone();
            v.network_request.clear();
            v.state = UssdSessionState::Idle.value();
        }
    })
    .await;
}

/// The network ended the session (or it failed): idle, no pending request.
pub async fn network_ended(ctx: &Arc<ModemCtx>) {
    update(ctx, |v| {
        if v.state == UssdSessionState::Active.value() {
            return;
        }
        v.state = UssdSessionState::Idle.value();
        v.network_request.clear();
    })
    .await;
}

async fn exchange(ctx: &Arc<ModemCtx>, action: UssdAction, text: &str) -> Result<String, MmError> {
    let (dcs, payload) = if text.is_empty() {
        (u32::from(CbsDataCodingScheme::GSM7.0), Vec::new())
    } else {
        let u = coding::encode(text).map_err(|e| MmError::InvalidArgs(e.to_string()))?;
        (u32::from(u.data_coding_scheme.0), u.data)
    };
    update(ctx, |v| {
        if action == UssdAction::INITIATE {
            v.network_notification.clear();
            v.network_request.clear();
        }
        v.state = UssdSessionState::Active.value();
    })
    .await;
    let r = crate::modem::ops::ussd::ussd(&ctx.handle, action, dcs, payload).await;
    match r {
        Ok(info) => {
            let reply = decode(info.ussd_data_coding_scheme, &info.ussd_payload.0);
            let more = info.ussd_response == UssdResponse::ACTION_REQUIRED;
            update(ctx, |v| {
                if more {
                    v.state = UssdSessionState::UserResponse.value();
                    v.network_request = reply.clone();
                } else {
                    v.state = UssdSessionState::Idle.value();
                    v.network_request.clear();
                }
            })
            .await;
            Ok(reply)
        }
        Err(e) => {
            update(ctx, |v| v.state = UssdSessionState::Idle.value()).await;
            Err(from_operation(&e))
        }
    }
}

/// `Ussd.Initiate`.
pub async fn initiate(ctx: &Arc<ModemCtx>, command: &str) -> Result<String, MmError> {
    if ctx.book().ussd.state != UssdSessionState::Idle.value() {
        return Err(MmError::WrongState(
            "a USSD session is already active".into(),
        ));
    }
    exchange(ctx, UssdAction::INITIATE, command).await
}

/// `Ussd.Respond`.
pub async fn respond(ctx: &Arc<ModemCtx>, response: &str) -> Result<String, MmError> {
    if ctx.book().ussd.state != UssdSessionState::UserResponse.value() {
        return Err(MmError::WrongState(
            "no USSD session waits for a response".into(),
        ));
    }
    exchange(ctx, UssdAction::CONTINUE, response).await
}

/// `Ussd.Cancel`.
pub async fn cancel(ctx: &Arc<ModemCtx>) -> Result<(), MmError> {
    let r = crate::modem::ops::ussd::ussd(
        &ctx.handle,
        UssdAction::CANCEL,
        u32::from(CbsDataCodingScheme::GSM7.0),
        Vec::new(),
    )
    .await;
    update(ctx, |v| {
        v.state = UssdSessionState::Idle.value();
        v.network_request.clear();
    })
    .await;
    r.map(|_| ()).map_err(|e| from_operation(&e))
}
