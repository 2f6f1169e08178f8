//! The multi-step D-Bus methods, built on `modem::ops` over the context's
//! `ModemHandle`: enable/disable, `Simple.Connect` ("do everything",
//! modemmanager-api.md §3.1 and §9), bearer connect/disconnect, PIN entry.
//! Each passes the modem through MM's transient states so clients see the
//! same ladder as with ModemManager.

use super::errors::from_operation;
use super::modem::{BearerRec, ModemCtx};
use super::settings::BearerSettings;
use super::view::{BearerView, lock_of};
use crate::modem::ops::{self, ConnectParams, PinAction};
use dbus_interfaces::MmError;
use dbus_interfaces::enums::{ModemLock, ModemState as MmState, StateChangeReason};
use mbim_proto::services::basic_connect::{PacketServiceState, RegisterState};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zbus::OwnedObjectPath;

/// How long to wait for registration after enabling (MM uses 60 s).
const REGISTER_WAIT: Duration = Duration::from_secs(60);
/// How long to wait for the SIM after a PIN.
const SIM_WAIT: Duration = Duration::from_secs(20);

fn registered(s: &crate::modem::ModemState) -> bool {
    s.registration.as_ref().is_some_and(|r| {
        matches!(
            r.register_state,
            RegisterState::HOME | RegisterState::ROAMING | RegisterState::PARTNER
        )
    })
}

fn gone_or(ctx: &ModemCtx, e: MmError) -> MmError {
    if ctx.handle.is_alive() {
        e
    } else {
        MmError::WrongState("the modem is gone".into())
    }
}

/// `Modem.Enable(b)`.
pub async fn enable(ctx: &Arc<ModemCtx>, on: bool) -> Result<(), MmError> {
    let st = ctx.current_state();
    match st {
        MmState::Failed => {
            return Err(MmError::WrongState(
                "modem in failed state (no SIM?)".into(),
            ));
        }
        MmState::Locked => return Err(MmError::WrongState("modem is locked".into())),
        MmState::Unknown | MmState::Initializing => {
            return Err(MmError::WrongState("modem not initialized yet".into()));
        }
        _ => {}
    }
    let already = if on {
        st >= MmState::Enabled
    } else {
        st == MmState::Disabled
    };
    if already {
        return Ok(());
    }
    if !on {
        // Disabling tears down data sessions first (MM does the same).
        disconnect(ctx, None).await?;
    }
    ctx.set_transient(
        Some(if on {
            MmState::Enabling
        } else {
            MmState::Disabling
        }),
        StateChangeReason::UserRequested,
    )
    .await;
    let r = ops::set_radio(&ctx.handle, on).await;
    ctx.set_transient(None, StateChangeReason::UserRequested)
        .await;
    r.map(|_| ()).map_err(|e| from_operation(&e))
}

/// `Sim.SendPin` / `SendPuk` / `EnablePin` / `ChangePin`.
pub async fn pin(ctx: &Arc<ModemCtx>, action: PinAction) -> Result<(), MmError> {
    let unlocking = matches!(action, PinAction::Unlock { .. } | PinAction::Puk { .. });
    if unlocking && lock_of(&ctx.handle.state()) == ModemLock::None {
        return Err(MmError::WrongState("the SIM is not locked".into()));
    }
    let r = ops::pin(&ctx.handle, action).await;
    let r = match r {
        Err(e) => Err(match from_operation(&e) {
            // A wrong PIN reads as "incorrect password" to NM.
            MmError::Failed(m) => MmError::IncorrectPassword(m),
            other => other,
        }),
        Ok(info) => Ok(info),
    };
    // Publish retries / lock state whatever happened.
    let _ = ctx
        .handle
        .request(&mbim_proto::services::basic_connect::PinQuery)
        .await;
    if unlocking && r.is_ok() {
        // MM re-initializes after an unlock: LOCKED → INITIALIZING → ...
        ctx.set_transient(
            Some(MmState::Initializing),
            StateChangeReason::UserRequested,
        )
        .await;
        ctx.wait_for(SIM_WAIT, |s| {
            s.subscriber.as_ref().is_some_and(|x| {
                x.ready_state
                    == mbim_proto::services::basic_connect::SubscriberReadyState::INITIALIZED
            })
        })
        .await;
        ctx.set_transient(None, StateChangeReason::UserRequested)
            .await;
    } else {
        ctx.sync().await;
    }
    r.map(|_| ())
}

/// Allocate and export a new (disconnected) bearer.
pub async fn create_bearer(
    ctx: &Arc<ModemCtx>,
    settings: BearerSettings,
) -> Result<OwnedObjectPath, MmError> {
    let max = ctx.book().modem.max_bearers as usize;
    if ctx.book().bearers.len() >= max.max(1) {
        return Err(MmError::TooMany(
            "cannot add new bearer: already reached maximum".into(),
        ));
    }
    let path = ctx.counters.bearer();
    ctx.book().bearers.push(BearerRec {
        path: path.clone(),
        settings,
        session_id: 0,
        active: false,
        connection_error: (String::new(), String::new()),
        ip: None,
        start_date: 0,
        attempts: 0,
        failed_attempts: 0,
        view: BearerView::default(),
        exported: false,
    });
    ctx.sync().await;
    Ok(path)
}

/// Connect one bearer (by path). A bearer created without an `apn` key
/// connects through the resolver's flow (`dbus::flows`).
pub async fn connect_bearer(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let resolve = ctx
        .book()
        .bearers
        .iter()
        .any(|r| &r.path == path && r.settings.resolve_apn && !r.active);
    if resolve {
        return super::flows::connect_bearer_resolved(ctx, path).await;
    }
    let r = connect_bearer_as_set(ctx, path).await;
    super::flows::explicit_outcome(ctx, path, &r).await;
    r
}

/// Connect one bearer (by path) with the settings it holds now.
pub async fn connect_bearer_as_set(
    ctx: &Arc<ModemCtx>,
    path: &OwnedObjectPath,
) -> Result<(), MmError> {
    let settings = {
        let b = ctx.book();
        let r = b
            .bearers
            .iter()
            .find(|r| &r.path == path)
            .ok_or_else(|| MmError::NotFound("no such bearer".into()))?;
        if r.active {
            return Ok(());
        }
        if b.bearers
            .iter()
            .any(|o| o.active && o.session_id == r.session_id)
        {
            return Err(MmError::TooMany(
                "another bearer is connected on the data port".into(),
            ));
        }
        r.settings.clone()
    };
    let st = ctx.current_state();
    if st < MmState::Registered {
        return Err(MmError::WrongState(format!(
            "not registered (state {})",
            st.nick()
        )));
    }
    if let Some(false) = settings.allow_roaming
        && ctx
            .handle
            .state()
            .registration
            .is_some_and(|r| r.register_state != RegisterState::HOME)
    {
        return Err(MmError::Unauthorized(
            "roaming is not allowed by the bearer settings".into(),
        ));
    }
    ctx.set_transient(Some(MmState::Connecting), StateChangeReason::UserRequested)
        .await;
    let params = ConnectParams {
        session_id: 0,
        apn: settings.apn.clone(),
        user: settings.user.clone(),
        password: settings.password.clone(),
        auth: settings.mbim_auth(),
        ip_type: settings.mbim_ip_type(),
        ..ConnectParams::default()
    };
    let r = ops::connect(&ctx.handle, &params).await;
    {
        let mut b = ctx.book();
        if let Some(rec) = b.bearers.iter_mut().find(|r| &r.path == path) {
            rec.attempts += 1;
            match &r {
                Ok(res) => {
                    rec.active = true;
                    rec.ip = res.ip.clone();
                    rec.connection_error = (String::new(), String::new());
                    rec.start_date = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                }
                Err(e) => {
                    use zbus::DBusError as _;
                    let m = from_operation(e);
                    rec.failed_attempts += 1;
                    rec.connection_error = (m.name().to_string(), e.to_string());
                }
            }
        }
    }
    ctx.set_transient(None, StateChangeReason::UserRequested)
        .await;
    r.map(|_| ()).map_err(|e| gone_or(ctx, from_operation(&e)))
}

/// Disconnect one bearer (`Some(path)`) or all (`None`, or the path `/`).
pub async fn disconnect(
    ctx: &Arc<ModemCtx>,
    which: Option<&OwnedObjectPath>,
) -> Result<(), MmError> {
    let targets: Vec<(OwnedObjectPath, u32)> = {
        let b = ctx.book();
        if let Some(p) = which
            && !b.bearers.iter().any(|r| &r.path == p)
        {
            return Err(MmError::NotFound(format!("no bearer {}", p.as_str())));
        }
        b.bearers
            .iter()
            .filter(|r| r.active && which.is_none_or(|p| &r.path == p))
            .map(|r| (r.path.clone(), r.session_id))
            .collect()
    };
    if targets.is_empty() {
        return Ok(());
    }
    ctx.set_transient(
        Some(MmState::Disconnecting),
        StateChangeReason::UserRequested,
    )
    .await;
    let mut result = Ok(());
    for (p, session) in targets {
        let r = ops::disconnect(&ctx.handle, session).await;
        if let Err(e) = &r {
            result = Err(gone_or(ctx, from_operation(e)));
        }
        let mut b = ctx.book();
        if let Some(rec) = b.bearers.iter_mut().find(|r| r.path == p) {
            rec.active = false;
            rec.ip = None;
        }
    }
    ctx.set_transient(None, StateChangeReason::UserRequested)
        .await;
    result
}

/// `Simple.Connect`: unlock, enable, register, attach, reuse or create a
/// bearer, connect it; returns the bearer path. Idempotent for an already
/// connected identical bearer.
pub async fn simple_connect(
    ctx: &Arc<ModemCtx>,
    settings: BearerSettings,
) -> Result<OwnedObjectPath, MmError> {
    let mut st = ctx.current_state();
    if st == MmState::Failed {
        return Err(MmError::SimNotInserted(
            "modem in failed state: no usable SIM".into(),
        ));
    }
    if st == MmState::Locked {
        match &settings.pin {
            Some(p) => {
                pin(ctx, PinAction::Unlock { pin: p.clone() }).await?;
                st = ctx.current_state();
                if st == MmState::Locked {
                    return Err(MmError::SimPuk("the SIM is still locked".into()));
                }
            }
            None => return Err(MmError::SimPin("SIM PIN required".into())),
        }
    }
    if st < MmState::Enabled {
        enable(ctx, true).await?;
    }
    if let Some(op) = settings.operator_id.as_deref().filter(|o| !o.is_empty()) {
        ops::register_manual(&ctx.handle, op)
            .await
            .map_err(|e| gone_or(ctx, from_operation(&e)))?;
    }
    if !ctx.wait_for(REGISTER_WAIT, registered).await {
        return Err(gone_or(
            ctx,
            MmError::NoNetwork("not registered to a network".into()),
        ));
    }
    let attached = ctx
        .handle
        .state()
        .packet_service
        .is_some_and(|p| p.packet_service_state == PacketServiceState::ATTACHED);
    if !attached {
        ops::attach(&ctx.handle)
            .await
            .map_err(|e| gone_or(ctx, from_operation(&e)))?;
    }
    if settings.resolve_apn {
        return super::flows::connect_resolved(ctx, settings).await;
    }
    // Reuse an identical bearer (connected: done; else connect it).
    let existing = ctx
        .book()
        .bearers
        .iter()
        .find(|r| r.settings.same_bearer(&settings))
        .map(|r| (r.path.clone(), r.active));
    let path = match existing {
        Some((p, true)) => return Ok(p),
        Some((p, false)) => p,
        None => {
            // A different bearer holding the data port is replaced, like MM
            // does when the maximum is reached with disconnected bearers.
            let stale: Vec<OwnedObjectPath> = ctx
                .book()
                .bearers
                .iter()
                .filter(|r| !r.active)
                .map(|r| r.path.clone())
                .collect();
            for p in stale {
                delete_bearer(ctx, &p).await?;
            }
            let mut s = settings.clone();
            s.pin = None;
            s.operator_id = None;
            create_bearer(ctx, s).await?
        }
    };
    connect_bearer(ctx, &path).await?;
    Ok(path)
}

/// `Modem.DeleteBearer`.
pub async fn delete_bearer(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let active = ctx
        .book()
        .bearers
        .iter()
        .find(|r| &r.path == path)
        .map(|r| r.active)
        .ok_or_else(|| MmError::NotFound(format!("no bearer {}", path.as_str())))?;
    if active {
        disconnect(ctx, Some(path)).await?;
    }
    ctx.book().bearers.retain(|r| &r.path != path);
    let _ = ctx
        .conn
        .object_server()
        .remove::<super::objects::BearerIface, _>(path)
        .await;
    ctx.sync().await;
    Ok(())
}
