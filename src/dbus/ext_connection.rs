//! `org.mbimd.Modem1.Connection` (`IFACE_MBIMD_CONNECTION`): what the
//! connection flows resolved and did, on the modem object.
//!
//! Properties (kebab-case dictionary keys, like ModemManager's):
//! * `ResolvedSettings` a{sv}: `apn`, `user`, `ip-type` (MMBearerIpFamily),
//!   `allowed-auth` (MMBearerAllowedAuth), `source` (`provisioning`,
//!   `service-metadata`, `apn-database` or `user`), `rule` — the settings in
//!   use, else the first candidate; empty before a SIM is read;
//! * `Candidates` aa{sv}: the same keys plus `order` and `purchase-url`, in
//!   try order;
//! * `Hwids` as: the SIM's hardware IDs (our MBAE-OSS scheme), match order;
//! * `Limited` b: connected without internet (warm SIM);
//! * `PurchaseUrl` s: where to buy a plan (empty: unknown);
//! * `PurchaseProfile` a{sv}: the limited-connectivity profile to buy a plan
//!   with, from provisioning (`PurchaseProfile`) or else the matched service
//!   metadata (same keys as `ResolvedSettings`; empty: none);
//! * `AttemptLog` aa{sv}: `timestamp` (t, unix seconds), `apn`, `source`,
//!   `outcome` (`connected`, `limited`, `not-activated`, `failed`), `error`
//!   (MM error name), `message`; oldest first, bounded;
//! * `AutoConnect` b, settable by privileged callers.
//!
//! Signals: `Connected(a{sv} settings)`, `LimitedConnectivity(s
//! purchase_url)`, `OperatorAppNeeded(a{sv}: error, message, iccid, imsi)`,
//! `ConnectFailed(s error_name, s message)`. Property changes are announced
//! with `PropertiesChanged` carrying the values.
//!
//! The object holds only the modem context; values come from the modem's
//! `connection::ModemConnection`.

use super::modem::{ModemCtx, emit_properties_changed};
use super::view::{Change, Dict, ov};
use crate::connection::state::{ConnState, Published};
use dbus_interfaces::MmError;
use dbus_interfaces::names::IFACE_MBIMD_CONNECTION;
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{DBusError as _, interface};

const DEVICE_CONTROL: &str = "org.freedesktop.ModemManager1.Device.Control";

/// The complete property set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectionView {
    pub resolved_settings: Dict,
    pub candidates: Vec<Dict>,
    pub hwids: Vec<String>,
    pub limited: bool,
    pub purchase_url: String,
    pub purchase_profile: Dict,
    pub attempt_log: Vec<Dict>,
    pub auto_connect: bool,
}

impl ConnectionView {
    /// Property names.
    pub const NAMES: &'static [&'static str] = &[
        "ResolvedSettings",
        "Candidates",
        "Hwids",
        "Limited",
        "PurchaseUrl",
        "PurchaseProfile",
        "AttemptLog",
        "AutoConnect",
    ];

    /// Every property.
    pub fn to_map(&self) -> HashMap<String, zbus::OwnedVariant> {
        let mut m = HashMap::new();
        for (k, v) in self.changes(None) {
            m.insert(k.to_string(), v);
        }
        m
    }

    /// The properties that differ from `old` (all when `None`).
    pub fn changes(&self, old: Option<&Self>) -> Vec<Change> {
        let mut v: Vec<Change> = Vec::new();
        if old.is_none_or(|o| o.resolved_settings != self.resolved_settings) {
            v.push(("ResolvedSettings", ov(self.resolved_settings.clone())));
        }
        if old.is_none_or(|o| o.candidates != self.candidates) {
            v.push(("Candidates", ov(self.candidates.clone())));
        }
        if old.is_none_or(|o| o.hwids != self.hwids) {
            v.push(("Hwids", ov(self.hwids.clone())));
        }
        if old.is_none_or(|o| o.limited != self.limited) {
            v.push(("Limited", ov(self.limited)));
        }
        if old.is_none_or(|o| o.purchase_url != self.purchase_url) {
            v.push(("PurchaseUrl", ov(self.purchase_url.clone())));
        }
        if old.is_none_or(|o| o.purchase_profile != self.purchase_profile) {
            v.push(("PurchaseProfile", ov(self.purchase_profile.clone())));
        }
        if old.is_none_or(|o| o.attempt_log != self.attempt_log) {
            v.push(("AttemptLog", ov(self.attempt_log.clone())));
        }
        if old.is_none_or(|o| o.auto_connect != self.auto_connect) {
            v.push(("AutoConnect", ov(self.auto_connect)));
        }
        v
    }
}

fn settings_dict(p: &Published, full: bool) -> Dict {
    use super::flows::{mm_auth, mm_ip_family};
    let mut d = Dict::new();
    d.insert("apn".into(), ov(p.apn.clone()));
    d.insert("user".into(), ov(p.user.clone()));
    d.insert("ip-type".into(), ov(mm_ip_family(p.ip_type)));
    d.insert("allowed-auth".into(), ov(mm_auth(p.auth)));
    d.insert("source".into(), ov(p.source.clone()));
    d.insert("rule".into(), ov(p.rule.clone()));
    if full {
        d.insert("order".into(), ov(p.order));
        d.insert("purchase-url".into(), ov(p.purchase_url.clone()));
    }
    d
}

/// The view of a flow state; `connected` = a bearer of the modem is up
/// (`Limited` describes a live connection only).
pub fn view(st: &ConnState, auto_connect: bool, connected: bool) -> ConnectionView {
    ConnectionView {
        resolved_settings: st
            .resolved()
            .map(|p| settings_dict(&p, false))
            .unwrap_or_default(),
        candidates: st
            .candidates()
            .iter()
            .map(|p| settings_dict(p, true))
            .collect(),
        hwids: st.hwids.iter().map(|h| h.id.clone()).collect(),
        limited: st.limited && connected,
        purchase_url: st.purchase_url.clone(),
        purchase_profile: st
            .purchase_profile
            .as_ref()
            .map(|p| settings_dict(p, false))
            .unwrap_or_default(),
        attempt_log: st
            .log
            .iter()
            .map(|a| {
                let mut d = Dict::new();
                d.insert("timestamp".into(), ov(a.timestamp));
                d.insert("apn".into(), ov(a.apn.clone()));
                d.insert("source".into(), ov(a.source.clone()));
                d.insert("outcome".into(), ov(a.outcome.as_str()));
                d.insert("error".into(), ov(a.error.clone()));
                d.insert("message".into(), ov(a.message.clone()));
                d
            })
            .collect(),
        auto_connect,
    }
}

/// The current view of `ctx` (empty without a flow state).
pub fn current(ctx: &ModemCtx) -> ConnectionView {
    let connected = ctx.book().bearers.iter().any(|b| b.active);
    current_with(ctx, connected)
}

fn current_with(ctx: &ModemCtx, connected: bool) -> ConnectionView {
    match ctx.connection.get() {
        Some(mc) => view(&mc.state(), mc.auto_connect(), connected),
        None => ConnectionView::default(),
    }
}

/// Every property, recorded as published (InterfacesAdded, GetManagedObjects).
pub fn props(ctx: &ModemCtx) -> HashMap<String, zbus::OwnedVariant> {
    let v = current(ctx);
    if let Some(mc) = ctx.connection.get() {
        *mc.published.lock().unwrap_or_else(|p| p.into_inner()) = Some(v.clone());
    }
    v.to_map()
}

/// The changed properties since the last publication (recorded as
/// published); `connected` = a bearer is up. Callable while the modem's
/// book is locked (`ModemCtx::sync`).
pub fn changes_with(ctx: &ModemCtx, connected: bool) -> Vec<Change> {
    let Some(mc) = ctx.connection.get() else {
        return Vec::new();
    };
    let v = current_with(ctx, connected);
    let mut p = mc.published.lock().unwrap_or_else(|p| p.into_inner());
    let Some(old) = p.as_ref() else {
        // Not exported yet: InterfacesAdded will carry everything.
        return Vec::new();
    };
    let c = v.changes(Some(old));
    *p = Some(v);
    c
}

/// Emit `PropertiesChanged` for what changed (if the interface is exported).
pub async fn publish(ctx: &Arc<ModemCtx>) {
    let connected = ctx.book().bearers.iter().any(|b| b.active);
    let c = changes_with(ctx, connected);
    if c.is_empty() {
        return;
    }
    if let Err(e) = emit_properties_changed(&ctx.conn, &ctx.path, IFACE_MBIMD_CONNECTION, &c).await
    {
        tracing::warn!(modem = ctx.index, error = %e, "publishing connection state failed");
    }
}

async fn emit<B>(ctx: &ModemCtx, name: &str, body: &B)
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    let r = match SignalEmitter::new(&ctx.conn, &ctx.path) {
        Ok(s) => s.emit(IFACE_MBIMD_CONNECTION, name, body).await,
        Err(e) => Err(e),
    };
    if let Err(e) = r {
        tracing::warn!(modem = ctx.index, signal = name, error = %e, "emitting a connection signal failed");
    }
}

/// `Connected(a{sv})`: connected with internet using `p`.
pub async fn emit_connected(ctx: &ModemCtx, p: &Published) {
    emit(ctx, "Connected", &(settings_dict(p, false),)).await;
}

/// `LimitedConnectivity(s)`: connected without internet.
pub async fn emit_limited(ctx: &ModemCtx, purchase_url: &str) {
    emit(ctx, "LimitedConnectivity", &(purchase_url,)).await;
}

/// `OperatorAppNeeded(a{sv})`: the SIM has no service yet.
pub async fn emit_operator_app_needed(ctx: &ModemCtx, e: &MmError) {
    let mut d = Dict::new();
    d.insert("error".into(), ov(e.name().to_string()));
    d.insert(
        "message".into(),
        ov(e.description().unwrap_or_default().to_string()),
    );
    if let Some(mc) = ctx.connection.get() {
        let (id, hwids, purchase) = {
            let st = mc.state();
            (
                st.identity.clone(),
                st.hwids.clone(),
                st.purchase_profile.clone(),
            )
        };
        if let Some(id) = id {
            d.insert("imsi".into(), ov(id.imsi.unwrap_or_default()));
            d.insert("iccid".into(), ov(id.iccid.unwrap_or_default()));
        }
        if let Some(app) =
            crate::connection::sources::operator_app(mc.env.metadata_store.as_deref(), &hwids)
        {
            d.insert("operator-app-name".into(), ov(app.name));
            d.insert("operator-app-publisher".into(), ov(app.publisher));
            d.insert("operator-app-id".into(), ov(app.application_id));
            d.insert("operator-app-family-name".into(), ov(app.family_name));
            d.insert("operator-app-store-link".into(), ov(app.store_link));
            d.insert("service-metadata-package".into(), ov(app.package_id));
        }
        if let Some(p) = purchase {
            d.insert("purchase-apn".into(), ov(p.apn));
            d.insert("purchase-source".into(), ov(p.source));
        }
    }
    emit(ctx, "OperatorAppNeeded", &(d,)).await;
}

/// `ConnectFailed(s, s)`: no candidate connected.
pub async fn emit_connect_failed(ctx: &ModemCtx, e: &MmError) {
    emit(
        ctx,
        "ConnectFailed",
        &(
            e.name().to_string(),
            e.description().unwrap_or_default().to_string(),
        ),
    )
    .await;
}

/// The interface object.
#[derive(Debug)]
pub struct ConnectionIface {
    ctx: Arc<ModemCtx>,
}

impl ConnectionIface {
    /// The interface of modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        ConnectionIface { ctx }
    }
    fn v<T>(&self, f: impl FnOnce(&ConnectionView) -> T) -> T {
        f(&current(&self.ctx))
    }
}

#[interface(name = "org.mbimd.Modem1.Connection")]
impl ConnectionIface {
    #[zbus(property, name = "ResolvedSettings")]
    fn resolved_settings(&self) -> Dict {
        self.v(|v| v.resolved_settings.clone())
    }
    #[zbus(property, name = "Candidates")]
    fn candidates(&self) -> Vec<Dict> {
        self.v(|v| v.candidates.clone())
    }
    #[zbus(property, name = "Hwids")]
    fn hwids(&self) -> Vec<String> {
        self.v(|v| v.hwids.clone())
    }
    #[zbus(property, name = "Limited")]
    fn limited(&self) -> bool {
        self.v(|v| v.limited)
    }
    #[zbus(property, name = "PurchaseUrl")]
    fn purchase_url(&self) -> String {
        self.v(|v| v.purchase_url.clone())
    }
    #[zbus(property, name = "PurchaseProfile")]
    fn purchase_profile(&self) -> Dict {
        self.v(|v| v.purchase_profile.clone())
    }
    #[zbus(property, name = "AttemptLog")]
    fn attempt_log(&self) -> Vec<Dict> {
        self.v(|v| v.attempt_log.clone())
    }
    #[zbus(property, name = "AutoConnect")]
    fn auto_connect(&self) -> bool {
        self.v(|v| v.auto_connect)
    }
    #[zbus(property, name = "AutoConnect")]
    async fn set_auto_connect(
        &self,
        on: bool,
        #[zbus(header)] hdr: Option<Header<'_>>,
    ) -> zbus::fdo::Result<()> {
        let Some(hdr) = hdr else {
            return Err(zbus::fdo::Error::AccessDenied("no caller to check".into()));
        };
        self.ctx
            .policy
            .check(&self.ctx.conn, &hdr, DEVICE_CONTROL)
            .await
            .map_err(|e| {
                zbus::fdo::Error::AccessDenied(e.description().unwrap_or_default().into())
            })?;
        let Some(mc) = self.ctx.connection.get() else {
            return Err(zbus::fdo::Error::NotSupported(
                "connection flows are not set up for this modem".into(),
            ));
        };
        mc.set_auto_connect(on);
        // zbus announces the new value itself; record it as published.
        if let Some(p) = mc
            .published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            p.auto_connect = on;
        }
        Ok(())
    }

    /// Connected with internet using these settings.
    #[zbus(signal, name = "Connected")]
    async fn connected_signal(e: &SignalEmitter<'_>, settings: Dict) -> zbus::Result<()>;

    /// Connected without internet: the operator's purchase page.
    #[zbus(signal, name = "LimitedConnectivity")]
    async fn limited_connectivity(e: &SignalEmitter<'_>, purchase_url: &str) -> zbus::Result<()>;

    /// The SIM has no service yet: the operator's app is needed.
    #[zbus(signal, name = "OperatorAppNeeded")]
    async fn operator_app_needed(e: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;

    /// No candidate connected.
    #[zbus(signal, name = "ConnectFailed")]
    async fn connect_failed(
        e: &SignalEmitter<'_>,
        error_name: &str,
        message: &str,
    ) -> zbus::Result<()>;
}
