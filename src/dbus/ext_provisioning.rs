//! `org.mbimd.Modem1.Provisioning`: apply CarrierControl provisioning
//! documents to a modem's account and publish what is provisioned.
//!
//! * `ProvisionFromXml(s xml) -> s result_document` — parse (an invalid
//!   document is `InvalidArgs` with every error's line and column), check
//!   the signature and the trust table (`provisioning::agent`: a valid,
//!   anchored and associated signature is accepted from any caller; unsigned,
//!   unassociated or unverifiable documents only from privileged callers
//!   (`policy.rs`, privileged apps); a tampered signature from nobody —
//!   refusals are `Unauthorized` and change nothing), apply in one
//!   transaction, answer the result document (windows-operator-formats.md
//!   §1.11).
//! * Properties `Profiles`, `Plans`, `Hotspots` (`aa{sv}`, kebab-case keys;
//!   passwords and keys are never published).
//! * Signal `ProvisioningChanged(s result_document)` after a committed apply.
//! * Signal `ActivationFinished(a{sv})` when a document's activation action
//!   ended (`carrier-id`, `subscriber-id`, `method`, `succeeded`,
//!   `error-code` as in the result document, `attempts`, `error`).
//!
//! After a commit ([`after_commit`]) the document's operator-message rules
//! replace the daemon's live rules (source `provisioning:<CarrierId>`), its
//! activation action runs in its own task (the answer does not wait for
//! `Delay`), and its `RefreshParameters` reschedule the refresh task, whose
//! fetched documents go through the same apply path as a trusted source.
//! An operator message with `RefreshProvisioning` triggers a refresh
//! ([`operator_notification`]). This object holds only the modem context.

use super::modem::ModemCtx;
use crate::messaging::ingest::OperatorNotification;
use crate::messaging::rules::RuleSet;
use crate::provisioning::activation::{self, ActivationMethod, ModemTarget, Outcome};
use crate::provisioning::agent::{self, AgentConfig};
use crate::provisioning::document::{self, CarrierProvisioning};
use crate::provisioning::refresh::{self, Fetcher, RefreshEvent, RefreshHandle};
use crate::provisioning::store::{ProvisioningStore, SimKey};
use dbus_interfaces::names::IFACE_MBIMD_PROVISIONING;
use dbus_interfaces::{Dict, MmError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{OwnedVariant, interface};

/// The polkit-style action name for applying unsigned documents.
pub const ACTION_PROVISION_UNSIGNED: &str = "org.mbimd.Provisioning.ApplyUnsigned";

/// What a modem's Provisioning interface works with.
#[derive(Debug, Clone)]
pub struct ProvisioningBackend {
    /// The daemon's provisioning store.
    pub store: ProvisioningStore,
    /// Trust anchors, clock and refresh client settings.
    pub config: Arc<AgentConfig>,
    /// The modem's refresh task (None: no HTTPS client could be made).
    pub refresh: Option<RefreshHandle>,
    /// The account (`CarrierId`, `SubscriberId`) whose `RefreshURL` is
    /// scheduled.
    pub refresh_account: Arc<Mutex<Option<(String, String)>>>,
}

/// Who hands a document in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A D-Bus caller.
    Caller {
        /// Whether the caller is privileged (may send unsigned documents).
        privileged: bool,
    },
    /// The refresh task, from the `RefreshURL` set by this carrier's
    /// accepted document.
    Refresh {
        /// The `CarrierId` the fetched document must be for.
        carrier_id: String,
    },
}

/// Attach the store to a modem before it is first published, start its
/// refresh task and resume the refresh schedule stored for its SIM.
pub fn attach(ctx: &Arc<ModemCtx>, store: Option<ProvisioningStore>, config: Arc<AgentConfig>) {
    let Some(store) = store else {
        return;
    };
    let refresh = match Fetcher::new(&config.fetch) {
        Ok(fetcher) => {
            let (tx, rx) = tokio::sync::mpsc::channel(4);
            let (handle, _task) = refresh::spawn(fetcher, config.backoff.clone(), tx);
            tokio::spawn(follow_refresh(Arc::downgrade(ctx), rx));
            Some(handle)
        }
        Err(e) => {
            tracing::warn!(modem = ctx.index, error = %e, "no HTTPS client for provisioning refresh");
            None
        }
    };
    let backend = ProvisioningBackend {
        store,
        config,
        refresh,
        refresh_account: Arc::new(Mutex::new(None)),
    };
    let _ = ctx.provisioning.set(backend.clone());
    let sim = sim_key(ctx);
    if sim.imsi.is_none() && sim.iccid.is_none() {
        return;
    }
    tokio::spawn(async move {
        match backend.store.refresh_settings(&sim).await {
            Ok(Some(row)) => {
                let since = agent::elapsed_since(
                    row.last_refresh_ms.unwrap_or(row.applied_ms),
                    (backend.config.clock)(),
                );
                let params = refresh::RefreshParameters {
                    delay_in_days: row.delay_in_days,
                    refresh_url: row.refresh_url.clone(),
                    user_name: row.user_name.clone(),
                    password: row.password.clone(),
                };
                schedule_refresh(&backend, params, since, &row.carrier_id, &row.subscriber_id);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the stored refresh settings"),
        }
    });
}

fn schedule_refresh(
    backend: &ProvisioningBackend,
    params: refresh::RefreshParameters,
    since: Duration,
    carrier_id: &str,
    subscriber_id: &str,
) {
    let Some(h) = &backend.refresh else { return };
    match h.set_parameters(Some(params), since) {
        Ok(()) => {
            *backend
                .refresh_account
                .lock()
                .unwrap_or_else(|p| p.into_inner()) =
                Some((carrier_id.to_owned(), subscriber_id.to_owned()));
        }
        Err(e) => tracing::warn!(error = %e, "refresh parameters refused"),
    }
}

/// Apply refresh results until the refresh task or the modem is gone.
async fn follow_refresh(
    ctx: Weak<ModemCtx>,
    mut events: tokio::sync::mpsc::Receiver<RefreshEvent>,
) {
    while let Some(ev) = events.recv().await {
        let Some(ctx) = ctx.upgrade() else { return };
        match ev {
            RefreshEvent::Fetched { document } => {
                let account = ctx.provisioning.get().and_then(|b| {
                    b.refresh_account
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .clone()
                });
                let Some((carrier_id, subscriber_id)) = account else {
                    continue;
                };
                let xml = String::from_utf8_lossy(&document).into_owned();
                let src = Source::Refresh {
                    carrier_id: carrier_id.clone(),
                };
                match apply_xml(&ctx, &xml, src).await {
                    Ok(result) => {
                        tracing::info!(modem = ctx.index, "provisioning refreshed");
                        tracing::debug!(modem = ctx.index, "refresh result: {result}");
                        if let Some(b) = ctx.provisioning.get() {
                            let now = agent::unix_ms((b.config.clock)());
                            if let Err(e) =
                                b.store.refreshed(&carrier_id, &subscriber_id, now).await
                            {
                                tracing::warn!(error = %e, "cannot store the refresh time");
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(modem = ctx.index, error = %e, "refreshed provisioning document not applied")
                    }
                }
            }
            RefreshEvent::Failed {
                error, failures, ..
            } => {
                tracing::info!(
                    modem = ctx.index,
                    failures,
                    "provisioning refresh failed: {error}"
                )
            }
        }
    }
}

/// An operator message arrived: one saying `RefreshProvisioning` triggers
/// a refresh.
pub fn operator_notification(ctx: &ModemCtx, n: &OperatorNotification) {
    if n.values.refresh_provisioning != Some(true) {
        return;
    }
    if let Some(h) = ctx.provisioning.get().and_then(|b| b.refresh.as_ref()) {
        tracing::info!(modem = ctx.index, rule = ?n.rule_id, "operator message asks for a provisioning refresh");
        h.trigger();
    }
}

/// Hand operator-message rules from a committed document to the daemon's
/// live rule holder (they replace the file-loaded or D-Bus-loaded rules).
pub fn apply_message_rules(ctx: &ModemCtx, rules: RuleSet, carrier_id: &str) {
    let Some(live) = ctx.operator_rules.get() else {
        return;
    };
    if let Err(e) = live.set_rules(rules, &format!("provisioning:{carrier_id}")) {
        tracing::warn!(error = %e, "provisioned operator rules are in force but not saved");
    }
}

/// Parse, check and apply `xml` for the modem (see the module docs);
/// returns the result document.
pub async fn apply_xml(ctx: &Arc<ModemCtx>, xml: &str, source: Source) -> Result<String, MmError> {
    let backend = ctx
        .provisioning
        .get()
        .cloned()
        .ok_or_else(|| MmError::Unsupported("no provisioning store is configured".into()))?;
    let doc = document::parse(xml).map_err(|e| {
        let all: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
        MmError::InvalidArgs(format!("invalid provisioning document: {}", all.join("; ")))
    })?;
    let privileged = match &source {
        Source::Caller { privileged } => *privileged,
        Source::Refresh { carrier_id } => {
            if doc.global.carrier_id != *carrier_id {
                return Err(MmError::Unauthorized(format!(
                    "refreshed document is for carrier {}, not {carrier_id}",
                    doc.global.carrier_id
                )));
            }
            true
        }
    };
    let sim = sim_key(ctx);
    let metadata: Vec<(String, String)> = super::ext_metadata::current(ctx)
        .map(|m| {
            m.trusted_certificates
                .into_iter()
                .map(|c| (c.subject_name, c.issuer_name))
                .collect()
        })
        .unwrap_or_default();
    let stored = backend
        .store
        .trusted_certificates(&sim)
        .await
        .map_err(store_err)?;
    let associated = agent::associated(metadata, stored);
    let verdict = agent::check_signature(xml, &backend.config, associated, privileged)
        .map_err(|e| MmError::Unauthorized(format!("provisioning document refused: {e}")))?;
    let applied = backend
        .store
        .apply(&doc, &sim, &verdict)
        .await
        .map_err(store_err)?;
    let result = applied.result.to_xml();
    if applied.committed {
        after_commit(ctx, &backend, &doc, applied.message_rules);
        publish_changes(ctx, &result).await;
    }
    Ok(result)
}

/// What a committed document sets in motion besides the store.
pub fn after_commit(
    ctx: &Arc<ModemCtx>,
    backend: &ProvisioningBackend,
    doc: &CarrierProvisioning,
    rules: Option<RuleSet>,
) {
    let g = &doc.global;
    if let Some(rules) = rules {
        apply_message_rules(ctx, rules, &g.carrier_id);
    }
    if let Some(r) = doc
        .provisioning
        .as_ref()
        .and_then(|p| p.refresh_parameters.as_ref())
    {
        schedule_refresh(
            backend,
            agent::refresh_parameters(r),
            Duration::ZERO,
            &g.carrier_id,
            &g.subscriber_id,
        );
    }
    if let Some(a) = &doc.activation {
        let action = agent::activation_action(a);
        let connect = agent::connect_params(
            doc.mbn_profiles
                .as_ref()
                .and_then(|m| m.default_profile.as_ref())
                .and_then(|p| p.context.as_ref()),
        );
        tokio::spawn(run_activation(
            ctx.clone(),
            backend.store.clone(),
            action,
            connect,
            g.carrier_id.clone(),
            g.subscriber_id.clone(),
        ));
    }
}

/// Run an activation action to its end, record how it went and announce it.
async fn run_activation(
    ctx: Arc<ModemCtx>,
    store: ProvisioningStore,
    action: activation::ActivationAction,
    connect: crate::modem::ops::ConnectParams,
    carrier_id: String,
    subscriber_id: String,
) {
    let method = match &action.method {
        ActivationMethod::ReregisterToNetwork => "reregister-to-network",
        ActivationMethod::ReconnectToNetwork => "reconnect-to-network",
        ActivationMethod::ServiceActivation { .. } => "service-activation",
    };
    let mut target = ModemTarget {
        handle: ctx.handle.clone(),
        connect,
    };
    let (succeeded, code, attempts, error) = match activation::run(action, &mut target).await {
        Ok(o) => {
            let code = o.error_code();
            match o {
                Outcome::Succeeded { attempts } => (true, code, attempts, None),
                Outcome::GaveUp {
                    attempts,
                    operation,
                    error,
                } => (false, code, attempts, Some(format!("{operation}: {error}"))),
            }
        }
        // The parser enforces the ranges; this is the executor's own check
        // (E_INVALIDARG).
        Err(e) => (false, 0x8007_0057, 0, Some(e.to_string())),
    };
    match &error {
        None => tracing::info!(
            modem = ctx.index,
            method,
            attempts,
            "activation action succeeded"
        ),
        Some(e) => tracing::warn!(
            modem = ctx.index,
            method,
            attempts,
            code = format!("{code:08x}"),
            "activation action failed: {e}"
        ),
    }
    if let Err(e) = store
        .activation_finished(&carrier_id, &subscriber_id, succeeded, code)
        .await
    {
        tracing::warn!(error = %e, "cannot store the activation outcome");
    }
    let ov = |v: zbus::Variant<'_>| v.try_into_owned().ok();
    let mut d = Dict::new();
    for (k, v) in [
        ("carrier-id", ov(carrier_id.as_str().into())),
        ("subscriber-id", ov(subscriber_id.as_str().into())),
        ("method", ov(method.into())),
        ("succeeded", ov(succeeded.into())),
        ("error-code", ov(code.into())),
        ("attempts", ov(attempts.into())),
        ("error", error.as_deref().and_then(|e| ov(e.into()))),
    ] {
        if let Some(v) = v {
            d.insert(k.to_owned(), v);
        }
    }
    let r = match SignalEmitter::new(&ctx.conn, &ctx.path) {
        Ok(em) => {
            em.emit(IFACE_MBIMD_PROVISIONING, "ActivationFinished", &(d,))
                .await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = r {
        tracing::warn!(modem = ctx.index, error = %e, "emitting ActivationFinished failed");
    }
}

/// Announce a committed document: the properties and `ProvisioningChanged`.
async fn publish_changes(ctx: &ModemCtx, result: &str) {
    let iface = match ctx
        .conn
        .object_server()
        .interface::<_, ProvisioningIface>(&ctx.path)
        .await
    {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(modem = ctx.index, error = %e, "provisioning interface not exported");
            return;
        }
    };
    let em = iface.signal_emitter();
    let obj = iface.get().await;
    let _ = obj.profiles_changed(em).await;
    let _ = obj.plans_changed(em).await;
    let _ = obj.hotspots_changed(em).await;
    let _ = ProvisioningIface::provisioning_changed(em, result).await;
}

/// The SIM a modem has now.
fn sim_key(ctx: &ModemCtx) -> SimKey {
    let snap = ctx.handle.state();
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    SimKey {
        imsi: snap
            .subscriber
            .as_ref()
            .and_then(|s| non_empty(&s.subscriber_id)),
        iccid: snap
            .subscriber
            .as_ref()
            .and_then(|s| non_empty(&s.sim_icc_id)),
    }
}

/// A JSON object as `a{sv}` (nulls left out; arrays of strings as `as`).
fn to_dict(v: &Value) -> HashMap<String, OwnedVariant> {
    let mut out = HashMap::new();
    let Some(obj) = v.as_object() else {
        return out;
    };
    for (k, v) in obj {
        let var: Option<OwnedVariant> = match v {
            Value::Null => None,
            Value::Bool(b) => Some(OwnedVariant::from(*b)),
            Value::Number(n) => n
                .as_i64()
                .map(OwnedVariant::from)
                .or_else(|| n.as_f64().map(OwnedVariant::from)),
            Value::String(s) => zbus::Variant::from(s.as_str()).try_into_owned().ok(),
            Value::Array(a) => {
                let strings: Vec<String> = a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect();
                zbus::Variant::from(strings).try_into_owned().ok()
            }
            Value::Object(_) => zbus::Variant::from(v.to_string()).try_into_owned().ok(),
        };
        if let Some(var) = var {
            out.insert(k.clone(), var);
        }
    }
    out
}

fn rows<T: serde::Serialize>(rows: &[T]) -> Vec<HashMap<String, OwnedVariant>> {
    rows.iter()
        .map(|r| to_dict(&serde_json::to_value(r).unwrap_or(Value::Null)))
        .collect()
}

/// The interface object.
#[derive(Debug)]
pub struct ProvisioningIface {
    ctx: Arc<ModemCtx>,
}

impl ProvisioningIface {
    /// The interface for modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        ProvisioningIface { ctx }
    }

    fn backend(&self) -> Result<&ProvisioningBackend, MmError> {
        self.ctx
            .provisioning
            .get()
            .ok_or_else(|| MmError::Unsupported("no provisioning store is configured".into()))
    }
}

fn store_err(e: impl std::fmt::Display) -> MmError {
    MmError::Failed(format!("provisioning store: {e}"))
}

#[interface(name = "org.mbimd.Modem1.Provisioning")]
impl ProvisioningIface {
    /// Apply a provisioning document; returns the result document.
    async fn provision_from_xml(
        &self,
        xml: String,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<String, MmError> {
        self.backend()?;
        let privileged = match super::ext_metadata::authorize(
            &self.ctx,
            &hdr,
            ACTION_PROVISION_UNSIGNED,
        )
        .await
        {
            Ok(()) => true,
            Err(MmError::Unauthorized(_)) => false,
            Err(e) => return Err(e),
        };
        apply_xml(&self.ctx, &xml, Source::Caller { privileged }).await
    }

    /// An activation action ended (see the module docs for the keys).
    #[zbus(signal)]
    async fn activation_finished(emitter: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;

    /// A document was applied (its result document).
    #[zbus(signal)]
    async fn provisioning_changed(emitter: &SignalEmitter<'_>, result: &str) -> zbus::Result<()>;

    /// Provisioned connection profiles (default, purchase, additional PDP
    /// contexts with `app-ids`, tethering).
    #[zbus(property)]
    async fn profiles(&self) -> Vec<HashMap<String, OwnedVariant>> {
        match self.ctx.provisioning.get() {
            Some(b) => rows(&b.store.profiles().await.unwrap_or_default()),
            None => Vec::new(),
        }
    }

    /// Provisioned data plans.
    #[zbus(property)]
    async fn plans(&self) -> Vec<HashMap<String, OwnedVariant>> {
        match self.ctx.provisioning.get() {
            Some(b) => rows(&b.store.plans().await.unwrap_or_default()),
            None => Vec::new(),
        }
    }

    /// Provisioned Wi-Fi hotspot profiles.
    #[zbus(property)]
    async fn hotspots(&self) -> Vec<HashMap<String, OwnedVariant>> {
        match self.ctx.provisioning.get() {
            Some(b) => rows(&b.store.hotspots().await.unwrap_or_default()),
            None => Vec::new(),
        }
    }
}

/// The interface name (for `Iface::name`).
pub const NAME: &str = IFACE_MBIMD_PROVISIONING;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_become_kebab_dictionaries_without_nulls() {
        let d = to_dict(&serde_json::json!({"a-b": "x", "n": 5, "none": null, "list": ["p", "q"]}));
        assert_eq!(String::try_from(d["a-b"].clone()).unwrap(), "x");
        assert_eq!(i64::try_from(d["n"].clone()).unwrap(), 5);
        assert!(!d.contains_key("none"));
        assert_eq!(
            Vec::<String>::try_from(d["list"].clone()).unwrap(),
            ["p", "q"]
        );
    }
}
