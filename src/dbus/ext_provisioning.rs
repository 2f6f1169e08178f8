//! `org.mbimd.Modem1.Provisioning`: apply CarrierControl provisioning
//! documents to a modem's account and publish what is provisioned.
//!
//! * `ProvisionFromXml(s xml) -> s result_document` — parse (an invalid
//!   document is `InvalidArgs` with every error's line and column), check
//!   the signature, apply in one transaction, answer the result document
//!   (windows-operator-formats.md §1.11). Trust follows the account-provisioning
//!   table (§1.10): a document with a valid signature is accepted from any
//!   caller; an unsigned (or unverifiable) one only from privileged callers
//!   (`policy.rs`); a bad signature is refused.
//! * Properties `Profiles`, `Plans`, `Hotspots` (`aa{sv}`, kebab-case keys;
//!   passwords and keys are never published).
//! * Signal `ProvisioningChanged(s result_document)` after a committed apply.
//!
//! After a commit the document's operator-message rules go to
//! [`apply_message_rules`], the one place that hands them to the live
//! operator-message classifier. This object holds only the modem context.

use super::modem::ModemCtx;
use crate::messaging::rules::RuleSet;
use crate::provisioning::document::{self, SignatureVerdict};
use crate::provisioning::store::{ProvisioningStore, SimKey};
use dbus_interfaces::MmError;
use dbus_interfaces::names::IFACE_MBIMD_PROVISIONING;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
    /// The operator-message rules last applied for this modem.
    pub live_rules: Arc<Mutex<Option<RuleSet>>>,
}

/// Attach the store to a modem before it is first published, and make the
/// message rules stored for its SIM live again (after a restart).
pub fn attach(ctx: &ModemCtx, store: Option<ProvisioningStore>) {
    let Some(store) = store else {
        return;
    };
    let backend = ProvisioningBackend {
        store,
        live_rules: Arc::new(Mutex::new(None)),
    };
    let _ = ctx.provisioning.set(backend.clone());
    let sim = sim_key(ctx);
    if sim.imsi.is_none() && sim.iccid.is_none() {
        return;
    }
    tokio::spawn(async move {
        match backend.store.message_rules(&sim).await {
            Ok(Some(rules)) => {
                // A document applied meanwhile wins over the stored rules.
                let fresh = backend
                    .live_rules
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .is_none();
                if fresh {
                    apply_message_rules(&backend, rules);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read stored operator-message rules"),
        }
    });
}

/// Hand operator-message rules from a committed document to the live
/// classifier of this modem (they replace the file-loaded rules).
pub fn apply_message_rules(backend: &ProvisioningBackend, rules: RuleSet) {
    let mut live = backend.live_rules.lock().unwrap_or_else(|p| p.into_inner());
    *live = Some(rules);
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
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, MmError> {
        let backend = self.backend()?.clone();
        let doc = document::parse(&xml).map_err(|e| {
            let all: Vec<String> = e.errors.iter().map(ToString::to_string).collect();
            MmError::InvalidArgs(format!("invalid provisioning document: {}", all.join("; ")))
        })?;
        let verdict = document::signature::default_verifier().verify(&xml, &doc);
        match &verdict {
            SignatureVerdict::Invalid { reason } => {
                return Err(MmError::Unauthorized(format!(
                    "signature rejected: {reason}"
                )));
            }
            SignatureVerdict::Valid { .. } => {}
            SignatureVerdict::Unsigned | SignatureVerdict::NotVerified => {
                self.ctx
                    .policy
                    .check(&self.ctx.conn, &hdr, ACTION_PROVISION_UNSIGNED)
                    .await?;
            }
        }
        let applied = backend
            .store
            .apply(&doc, &sim_key(&self.ctx), &verdict)
            .await
            .map_err(store_err)?;
        let result = applied.result.to_xml();
        if applied.committed {
            if let Some(rules) = applied.message_rules {
                apply_message_rules(&backend, rules);
            }
            let _ = self.profiles_changed(&emitter).await;
            let _ = self.plans_changed(&emitter).await;
            let _ = self.hotspots_changed(&emitter).await;
            let _ = Self::provisioning_changed(&emitter, &result).await;
        }
        Ok(result)
    }

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

    #[tokio::test]
    async fn applied_message_rules_replace_the_live_ones() {
        let backend = ProvisioningBackend {
            store: ProvisioningStore::open_in_memory().await.unwrap(),
            live_rules: Arc::new(Mutex::new(None)),
        };
        let xml = |id: &str| {
            format!(
                r#"<Messages><Message RuleId="{id}"><USSDBearer/><Pattern>x</Pattern></Message></Messages>"#
            )
        };
        apply_message_rules(&backend, RuleSet::from_xml(&xml("a"), "t").unwrap());
        apply_message_rules(&backend, RuleSet::from_xml(&xml("b"), "t").unwrap());
        let live = backend.live_rules.lock().unwrap();
        assert_eq!(
            live.as_ref().unwrap().rule_ids(),
            vec![Some("b".to_string())]
        );
    }

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
