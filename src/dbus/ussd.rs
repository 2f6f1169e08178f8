//! USSD over MBIM (USSD service, modemmanager-api.md §8.2): requests go out
//! GSM 7-bit (DCS 0x0F) or UCS-2 as `messaging::ussd::encode` chooses
//! (TS 23.038), replies are decoded per their DCS; the session state
//! (idle / active / user-response) is published on the Ussd interface.

use super::errors::from_operation;
use super::modem::ModemCtx;
use crate::messaging::CbsDataCodingScheme;
use crate::messaging::ussd as coding;
use dbus_interfaces::MmError;
use dbus_interfaces::enums::UssdSessionState;
use mbim_proto::services::ussd::{UssdAction, UssdResponse};
use std::sync::Arc;

fn decode(dcs: u32, payload: &[u8]) -> String {
    let dcs = CbsDataCodingScheme(u8::try_from(dcs).unwrap_or(0x0F));
    coding::decode(dcs, payload).unwrap_or_else(|e| format!("(undecodable reply: {e})"))
}

async fn exchange(ctx: &Arc<ModemCtx>, action: UssdAction, text: &str) -> Result<String, MmError> {
    let (dcs, payload) = if text.is_empty() {
        (u32::from(CbsDataCodingScheme::GSM7.0), Vec::new())
    } else {
        let u = coding::encode(text).map_err(|e| MmError::InvalidArgs(e.to_string()))?;
        (u32::from(u.data_coding_scheme.0), u.data)
    };
    {
        let mut b = ctx.book();
        b.ussd.state = UssdSessionState::Active.value();
    }
    ctx.sync().await;
    let r = crate::modem::ops::ussd::ussd(&ctx.handle, action, dcs, payload).await;
    let out = match r {
        Ok(info) => {
            let reply = decode(info.ussd_data_coding_scheme, &info.ussd_payload.0);
            let more = info.ussd_response == UssdResponse::ACTION_REQUIRED;
            let mut b = ctx.book();
            if more {
                b.ussd.state = UssdSessionState::UserResponse.value();
                b.ussd.network_request = reply.clone();
            } else {
                b.ussd.state = UssdSessionState::Idle.value();
                b.ussd.network_request.clear();
            }
            Ok(reply)
        }
        Err(e) => {
            ctx.book().ussd.state = UssdSessionState::Idle.value();
            Err(from_operation(&e))
        }
    };
    ctx.sync().await;
    out
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
    {
        let mut b = ctx.book();
        b.ussd.state = UssdSessionState::Idle.value();
        b.ussd.network_request.clear();
    }
    ctx.sync().await;
    r.map(|_| ()).map_err(|e| from_operation(&e))
}
