//! The connection flows on a modem's bearers (`connection::flow` run over
//! `actions`): `Simple.Connect` and `Bearer.Connect` without an `apn` key,
//! and the auto-connect policy. Reads the SIM identity, resolves the
//! candidates (provisioning > service metadata > APN database), tries them
//! on one bearer, records every attempt, publishes the outcome on
//! `org.mbimd.Modem1.Connection` and answers the caller with
//! ModemManager's error names.
//!
//! It must not bypass `actions` to talk to the modem (the MM state ladder
//! stays the same as for an explicit APN).

use super::actions;
use super::ext_connection;
use super::modem::ModemCtx;
use super::settings::BearerSettings;
use crate::connection::flow::{self, Attempt, AttemptOutcome, BoxFut, Connector, FlowOutcome};
use crate::connection::state::{Published, SOURCE_USER};
use crate::connection::{Connectivity, ModemConnection, identity, policy};
use apn_db::resolver::{Resolution, Resolved};
use apn_db::{Auth, IpType, Purpose};
use dbus_interfaces::MmError;
use dbus_interfaces::enums::{auth, ip_family};
use mbim_proto::services::basic_connect::RegisterState;
use std::sync::Arc;
use zbus::DBusError as _;
use zbus::OwnedObjectPath;

fn conn_of(ctx: &ModemCtx) -> Option<&Arc<ModemConnection>> {
    ctx.connection.get()
}

fn roaming(ctx: &ModemCtx) -> bool {
    ctx.handle.state().registration.is_some_and(|r| {
        matches!(
            r.register_state,
            RegisterState::ROAMING | RegisterState::PARTNER
        )
    })
}

/// Read the SIM identity, derive its HWIDs and resolve the candidates;
/// store and publish them. `None` without a flow state or a SIM identity.
pub async fn refresh(ctx: &Arc<ModemCtx>) -> Option<Resolution> {
    let mc = conn_of(ctx)?.clone();
    let id = identity::read(&ctx.handle).await?;
    let hwids = apn_db::hwid::hwids(&id);
    let lookup = match mc
        .env
        .data
        .lookup(&id, Purpose::Internet, roaming(ctx))
        .await
    {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(modem = ctx.index, error = %e, "APN lookup failed");
            None
        }
    };
    let res = apn_db::resolver::resolve(
        &id,
        &hwids,
        Purpose::Internet,
        mc.env.provisioning.as_ref(),
        mc.env.metadata.as_ref(),
        lookup.as_ref(),
    );
    let purchase = crate::connection::sources::purchase_profile(
        mc.env.provisioned.as_deref(),
        mc.env.metadata_store.as_deref(),
        &id,
        &hwids,
    );
    {
        let mut st = mc.state();
        st.identity = Some(id);
        st.hwids = hwids;
        st.resolution = Some(res.clone());
        st.purchase_profile = purchase.as_ref().map(Published::from_resolved);
    }
    ext_connection::publish(ctx).await;
    Some(res)
}

/// `Simple.Connect` without an `apn` key (the modem is registered and
/// attached): reuse a connected resolved bearer, else replace the idle
/// bearers by one new bearer and run the flow on it.
pub async fn connect_resolved(
    ctx: &Arc<ModemCtx>,
    settings: BearerSettings,
) -> Result<OwnedObjectPath, MmError> {
    let _flow = match conn_of(ctx) {
        Some(mc) => Some(mc.flow_lock.lock().await),
        None => None,
    };
    let (active, idle): (Vec<_>, Vec<_>) = {
        let b = ctx.book();
        b.bearers
            .iter()
            .map(|r| (r.path.clone(), r.active, r.settings.resolve_apn))
            .partition(|(_, active, _)| *active)
    };
    if let Some((p, _, _)) = active.iter().find(|(_, _, resolved)| *resolved) {
        return Ok(p.clone());
    }
    for (p, _, _) in idle {
        actions::delete_bearer(ctx, &p).await?;
    }
    let mut s = settings;
    s.pin = None;
    s.operator_id = None;
    let path = actions::create_bearer(ctx, s).await?;
    run(ctx, &path).await?;
    Ok(path)
}

/// `Bearer.Connect` on a bearer created without an `apn` key.
pub async fn connect_bearer_resolved(
    ctx: &Arc<ModemCtx>,
    path: &OwnedObjectPath,
) -> Result<(), MmError> {
    let _flow = match conn_of(ctx) {
        Some(mc) => Some(mc.flow_lock.lock().await),
        None => None,
    };
    run(ctx, path).await
}

/// The bearer glue the flow drives.
struct BearerConnector<'c> {
    ctx: &'c Arc<ModemCtx>,
    path: &'c OwnedObjectPath,
    probe: Arc<dyn crate::connection::InternetProbe>,
}

/// MMBearerAllowedAuth of an APN database auth value (0: not given).
pub fn mm_auth(a: Option<Auth>) -> u32 {
    match a {
        None => auth::UNKNOWN,
        Some(Auth::None) => auth::NONE,
        Some(Auth::Pap) => auth::PAP,
        Some(Auth::Chap) => auth::CHAP,
        Some(Auth::PapChap) => auth::PAP | auth::CHAP,
    }
}

/// MMBearerIpFamily of an APN database IP type (0: not given).
pub fn mm_ip_family(t: Option<IpType>) -> u32 {
    match t {
        Some(IpType::Ipv4) => ip_family::IPV4,
        Some(IpType::Ipv6) => ip_family::IPV6,
        Some(IpType::Ipv4v6) => ip_family::IPV4V6,
        // PPP / non-IP are not MBIM IP sessions: let the modem choose.
        _ => 0,
    }
}

impl Connector for BearerConnector<'_> {
    fn connect<'a>(&'a mut self, c: &'a Resolved) -> BoxFut<'a, Result<u32, MmError>> {
        Box::pin(async move {
            let session = {
                let mut b = self.ctx.book();
                let rec = b
                    .bearers
                    .iter_mut()
                    .find(|r| &r.path == self.path)
                    .ok_or_else(|| MmError::NotFound("the bearer was deleted".into()))?;
                rec.settings.apn = c.settings.apn.clone();
                rec.settings.user = c.settings.username.clone().unwrap_or_default();
                rec.settings.password = c.settings.password.clone().unwrap_or_default();
                rec.settings.allowed_auth = mm_auth(c.settings.auth);
                rec.settings.ip_type = mm_ip_family(c.settings.ip_type);
                rec.session_id
            };
            actions::connect_bearer_as_set(self.ctx, self.path).await?;
            Ok(session)
        })
    }

    fn disconnect(&mut self) -> BoxFut<'_, ()> {
        Box::pin(async move {
            let _ = actions::disconnect(self.ctx, Some(self.path)).await;
        })
    }

    fn probe(&mut self, session: u32) -> BoxFut<'_, Connectivity> {
        Box::pin(async move { self.probe.check(session).await })
    }
}

fn imei(ctx: &ModemCtx) -> Option<String> {
    ctx.handle
        .state()
        .device_caps
        .as_ref()
        .map(|c| c.device_id.clone())
        .filter(|d| !d.is_empty())
}

/// Resolve and run the flow on bearer `path`; publish and signal the outcome.
async fn run(ctx: &Arc<ModemCtx>, path: &OwnedObjectPath) -> Result<(), MmError> {
    let Some(mc) = conn_of(ctx).cloned() else {
        return actions::connect_bearer_as_set(ctx, path).await;
    };
    let candidates = refresh(ctx).await.map(|r| r.candidates).unwrap_or_default();
    if candidates.is_empty() {
        // Nothing resolved: ModemManager's behaviour, the bearer's own
        // (empty) APN lets the network choose.
        let apn = ctx
            .book()
            .bearers
            .iter()
            .find(|r| &r.path == path)
            .map(|r| r.settings.apn.clone())
            .unwrap_or_default();
        let r = actions::connect_bearer_as_set(ctx, path).await;
        let outcome = match &r {
            Ok(()) => AttemptOutcome::Connected,
            Err(e) if policy::classify(e) == policy::FailureClass::NotActivated => {
                AttemptOutcome::NotActivated
            }
            Err(_) => AttemptOutcome::Failed,
        };
        {
            let mut st = mc.state();
            st.record(Attempt::now(&apn, SOURCE_USER, outcome, r.as_ref().err()));
            if r.is_ok() {
                st.chosen = Some(Published {
                    apn,
                    source: SOURCE_USER.into(),
                    rule: "no settings resolved: the network's default APN".into(),
                    ..Published::default()
                });
                st.limited = false;
            }
        }
        ext_connection::publish(ctx).await;
        return r;
    }
    let mut connector = BearerConnector {
        ctx,
        path,
        probe: mc.probe.clone(),
    };
    let outcome = {
        let mc2 = mc.clone();
        flow::run(&candidates, &mut connector, move |a| mc2.state().record(a)).await
    };
    match outcome {
        FlowOutcome::Connected { index } => {
            let chosen = Published::from_resolved(&candidates[index]);
            tracing::info!(modem = ctx.index, apn = %chosen.apn, source = %chosen.source, "connected with resolved settings");
            {
                let mut st = mc.state();
                st.chosen = Some(chosen.clone());
                st.limited = false;
                st.purchase_url.clear();
            }
            ext_connection::publish(ctx).await;
            ext_connection::emit_connected(ctx, &chosen).await;
            Ok(())
        }
        FlowOutcome::Limited { index } => {
            let chosen = Published::from_resolved(&candidates[index]);
            let url = {
                let mut st = mc.state();
                let url = policy::purchase_url(
                    Some(chosen.purchase_url.as_str()),
                    mc.env.config.purchase_url.as_deref(),
                    st.identity.as_ref(),
                    imei(ctx).as_deref(),
                )
                .unwrap_or_default();
                st.chosen = Some(chosen.clone());
                st.limited = true;
                st.purchase_url = url.clone();
                url
            };
            tracing::info!(modem = ctx.index, apn = %chosen.apn, purchase_url = %url, "connected without internet: limited");
            ext_connection::publish(ctx).await;
            ext_connection::emit_limited(ctx, &url).await;
            Ok(())
        }
        FlowOutcome::OperatorAppNeeded { error } => {
            tracing::info!(modem = ctx.index, error = %error.name(), "service not activated: the operator app is needed");
            {
                let mut st = mc.state();
                st.limited = false;
            }
            ext_connection::publish(ctx).await;
            ext_connection::emit_operator_app_needed(ctx, &error).await;
            Err(error)
        }
        FlowOutcome::Failed { error } => {
            tracing::info!(modem = ctx.index, error = %error.name(), "no resolved settings connected");
            ext_connection::publish(ctx).await;
            ext_connection::emit_connect_failed(ctx, &error).await;
            Err(error)
        }
    }
}

/// After a connection with the client's own settings (an `apn` key): record
/// the attempt with source `user` and, on success, check for internet like
/// the resolver's flow does, so a warm SIM is reported limited and a cold
/// one gets `OperatorAppNeeded` whichever way it was connected. The caller's
/// answer is not changed (ModemManager's behaviour).
pub async fn explicit_outcome(
    ctx: &Arc<ModemCtx>,
    path: &OwnedObjectPath,
    r: &Result<(), MmError>,
) {
    let Some(mc) = conn_of(ctx).cloned() else {
        return;
    };
    let Some((settings, session)) = ctx
        .book()
        .bearers
        .iter()
        .find(|b| &b.path == path)
        .map(|b| (b.settings.clone(), b.session_id))
    else {
        return;
    };
    let chosen = Published {
        apn: settings.apn.clone(),
        user: settings.user.clone(),
        source: SOURCE_USER.into(),
        rule: "given by the client".into(),
        ..Published::default()
    };
    match r {
        Ok(()) => {
            let connectivity = mc.probe.check(session).await;
            let outcome = match connectivity {
                Connectivity::Full => AttemptOutcome::Connected,
                Connectivity::Limited => AttemptOutcome::Limited,
            };
            let url = {
                let mut st = mc.state();
                st.record(Attempt::now(&settings.apn, SOURCE_USER, outcome, None));
                st.chosen = Some(chosen.clone());
                st.limited = connectivity == Connectivity::Limited;
                st.purchase_url = if st.limited {
                    policy::purchase_url(
                        None,
                        mc.env.config.purchase_url.as_deref(),
                        st.identity.as_ref(),
                        imei(ctx).as_deref(),
                    )
                    .unwrap_or_default()
                } else {
                    String::new()
                };
                st.purchase_url.clone()
            };
            ext_connection::publish(ctx).await;
            match connectivity {
                Connectivity::Full => ext_connection::emit_connected(ctx, &chosen).await,
                Connectivity::Limited => ext_connection::emit_limited(ctx, &url).await,
            }
        }
        Err(e) => {
            let class = policy::classify(e);
            let outcome = if class == policy::FailureClass::NotActivated {
                AttemptOutcome::NotActivated
            } else {
                AttemptOutcome::Failed
            };
            mc.state()
                .record(Attempt::now(&settings.apn, SOURCE_USER, outcome, Some(e)));
            ext_connection::publish(ctx).await;
            if class == policy::FailureClass::NotActivated {
                ext_connection::emit_operator_app_needed(ctx, e).await;
            } else {
                ext_connection::emit_connect_failed(ctx, e).await;
            }
        }
    }
}

fn registered(ctx: &ModemCtx) -> bool {
    ctx.handle.state().registration.is_some_and(|r| {
        matches!(
            r.register_state,
            RegisterState::HOME | RegisterState::ROAMING | RegisterState::PARTNER
        )
    })
}

/// The per-modem policy task: on a new SIM identity, resolve and publish
/// (HWIDs, candidates) without connecting; when auto-connect is on and the
/// SIM is ready and the modem registered with no bearer connected, connect
/// through the resolver once per registration (a failure is not retried
/// until the modem registers again or auto-connect is switched on again).
pub async fn follow(ctx: Arc<ModemCtx>) {
    let Some(mc) = conn_of(&ctx).cloned() else {
        return;
    };
    let mut w = ctx.handle.watch();
    let mut sources = mc.env.changed.subscribe();
    let mut last_sim: Option<(String, String)> = None;
    let mut tried = false;
    let mut sources_changed = false;
    loop {
        let sim = identity::sim_ready(&ctx.handle)
            .then(|| {
                ctx.handle
                    .state()
                    .subscriber
                    .as_ref()
                    .map(|s| (s.subscriber_id.clone(), s.sim_icc_id.clone()))
            })
            .flatten();
        if sim != last_sim {
            last_sim = sim.clone();
            mc.state().reset_sim();
            tried = false;
            if sim.is_some() {
                refresh(&ctx).await;
            } else {
                ext_connection::publish(&ctx).await;
            }
        } else if std::mem::take(&mut sources_changed) && sim.is_some() {
            // Provisioning or service metadata changed: resolve again. The
            // settings of a connection that is down are no longer "in use".
            {
                let _flow = mc.flow_lock.lock().await;
                if !ctx.book().bearers.iter().any(|b| b.active) {
                    mc.state().chosen = None;
                }
            }
            tracing::info!(
                modem = ctx.index,
                "settings sources changed: resolving again"
            );
            refresh(&ctx).await;
        }
        let is_registered = registered(&ctx);
        if !is_registered {
            tried = false;
        }
        let connected = ctx.book().bearers.iter().any(|b| b.active);
        if mc.auto_connect() && sim.is_some() && is_registered && !connected && !tried {
            tried = true;
            let settings = BearerSettings {
                profile_id: -1,
                resolve_apn: true,
                ..BearerSettings::default()
            };
            tracing::info!(
                modem = ctx.index,
                "auto-connect: connecting with the resolved settings"
            );
            match actions::simple_connect(&ctx, settings).await {
                Ok(p) => {
                    tracing::info!(modem = ctx.index, bearer = %p.as_str(), "auto-connect: connected")
                }
                Err(e) => {
                    tracing::info!(modem = ctx.index, error = %e.name(), "auto-connect: not connected")
                }
            }
            continue;
        }
        tokio::select! {
            r = w.changed() => if r.is_err() { break },
            _ = mc.wake.notified() => { tried = false; }
            r = sources.changed() => {
                if r.is_err() { break }
                sources_changed = true;
                // New settings may connect where the old ones failed.
                tried = false;
            }
        }
    }
}
