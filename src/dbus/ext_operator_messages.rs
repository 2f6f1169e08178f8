//! `org.mbimd.Modem1.OperatorMessages` on each modem object: the operator
//! rules in force (windows-operator-formats.md §1.6) and the events the SMS
//! engine classifies with them (§5.1).
//!
//! * `LoadOperatorRules(s xml)` (privileged) puts a `Messages` document in
//!   force for the whole daemon and saves it in the state directory; a bad
//!   document is refused with `InvalidArgs` naming its line and column, and
//!   the old rules stay. `ClearOperatorRules()` (privileged) drops them.
//! * Properties `RulesSource` (`s`: `file:PATH`, `dbus`, `provisioning`, ...,
//!   empty when no rules are loaded) and `RuleCount` (`u`), updated with
//!   `PropertiesChanged` on every modem whoever replaces the rules.
//! * Signals `OperatorNotification(a{sv})` (a message matched a rule; it is
//!   not an SMS/USSD event unless the rule says `Silent="false"`),
//!   `IncomingSms(o path, a{sv})` (a public SMS, after `Messaging.Added`)
//!   and `IncomingUssd(a{sv})` (a network-initiated USSD no silent rule
//!   claimed). Dictionary keys are kebab-case and present only when known.
//!
//! The object holds only the modem context. It neither parses PDUs nor
//! matches rules: `messaging::ingest` does, and `dbus::messaging::follow`
//! calls the emitters here.

use super::modem::{ModemCtx, emit_properties_changed};
use super::view::{Dict, ov};
use crate::messaging::ingest::{
    IncomingSms, IncomingUssd, NotificationBearer, OperatorNotification, Rules,
};
use crate::messaging::rules::{OperatorValues, PlanType, RuleTimestamp};
use dbus_interfaces::MmError;
use dbus_interfaces::names::IFACE_MBIMD_OPERATOR_MESSAGES;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{OwnedObjectPath, interface};

/// The action named in refusals of the privileged methods.
const ACTION: &str = "org.mbimd.OperatorMessages";

/// The source recorded for rules loaded through `LoadOperatorRules`.
pub const DBUS_SOURCE: &str = "dbus";

/// D-Bus object state: the modem context only.
#[derive(Debug)]
pub struct OperatorMessagesIface {
    ctx: Arc<ModemCtx>,
}

impl OperatorMessagesIface {
    /// The interface object of modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        OperatorMessagesIface { ctx }
    }

    fn rules(&self) -> Result<&Rules, MmError> {
        self.ctx
            .operator_rules
            .get()
            .ok_or_else(|| MmError::Unsupported("operator rules are not available".into()))
    }
}

/// `(RulesSource, RuleCount)` of the rules in force.
fn summary(ctx: &ModemCtx) -> (String, u32) {
    ctx.operator_rules.get().map_or((String::new(), 0), |r| {
        let a = r.active();
        (a.source, u32::try_from(a.set.len()).unwrap_or(u32::MAX))
    })
}

/// The interface's properties (for `GetManagedObjects` / `InterfacesAdded`).
pub fn props(ctx: &ModemCtx) -> Dict {
    let (source, count) = summary(ctx);
    let mut d = Dict::new();
    d.insert("RulesSource".into(), ov(source));
    d.insert("RuleCount".into(), ov(count));
    d
}

#[interface(name = "org.mbimd.Modem1.OperatorMessages")]
impl OperatorMessagesIface {
    /// Put the rules of a provisioning `Messages` document in force.
    async fn load_operator_rules(
        &self,
        xml: String,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), MmError> {
        self.ctx.policy.check(&self.ctx.conn, &hdr, ACTION).await?;
        let rules = self.rules()?;
        match rules.load_xml(&xml, "LoadOperatorRules", DBUS_SOURCE) {
            Err(e) => Err(MmError::InvalidArgs(format!(
                "operator rules XML, line {}, column {}: {}",
                e.line, e.column, e.message
            ))),
            Ok(Err(e)) => Err(MmError::Failed(format!("the rules are in force, but {e}"))),
            Ok(Ok(n)) => {
                tracing::info!(
                    modem = self.ctx.index,
                    rules = n,
                    "operator rules loaded over D-Bus"
                );
                Ok(())
            }
        }
    }

    /// Drop every operator rule.
    async fn clear_operator_rules(&self, #[zbus(header)] hdr: Header<'_>) -> Result<(), MmError> {
        self.ctx.policy.check(&self.ctx.conn, &hdr, ACTION).await?;
        self.rules()?
            .clear()
            .map_err(|e| MmError::Failed(format!("the rules are cleared, but {e}")))
    }

    #[zbus(property, name = "RulesSource")]
    fn rules_source(&self) -> String {
        summary(&self.ctx).0
    }

    #[zbus(property, name = "RuleCount")]
    fn rule_count(&self) -> u32 {
        summary(&self.ctx).1
    }

    #[zbus(signal)]
    async fn operator_notification(emitter: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn incoming_sms(
        emitter: &SignalEmitter<'_>,
        path: OwnedObjectPath,
        details: Dict,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn incoming_ussd(emitter: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;
}

/// Publish `RulesSource`/`RuleCount` whenever the daemon's rules change,
/// until the modem goes (the task is aborted) or the holder is dropped.
pub async fn follow_rules(ctx: Arc<ModemCtx>) {
    let Some(rules) = ctx.operator_rules.get() else {
        return;
    };
    let mut changes = rules.changes();
    changes.mark_unchanged();
    while changes.changed().await.is_ok() {
        let (source, count) = summary(&ctx);
        let c = vec![("RulesSource", ov(source)), ("RuleCount", ov(count))];
        if let Err(e) =
            emit_properties_changed(&ctx.conn, &ctx.path, IFACE_MBIMD_OPERATOR_MESSAGES, &c).await
        {
            tracing::warn!(modem = ctx.index, error = %e, "publishing the operator rules failed");
        }
    }
}

/// `2026-11-25T15:07:00`, or `--11-25T15:07:00` without a year (ISO 8601's
/// reduced form: the rule's format had no year).
fn timestamp(t: &RuleTimestamp) -> String {
    let date = match t.year {
        Some(y) => format!("{y:04}-{:02}-{:02}", t.month, t.day),
        None => format!("--{:02}-{:02}", t.month, t.day),
    };
    format!("{date}T{:02}:{:02}:{:02}", t.hour, t.minute, t.second)
}

/// The extracted figures as dictionary entries (only those present).
pub fn values_dict(v: &OperatorValues, d: &mut Dict) {
    let mut u64s = |k: &str, x: Option<u64>| {
        if let Some(x) = x {
            d.insert(k.into(), ov(x));
        }
    };
    u64s("usage-bytes", v.usage_bytes);
    u64s("usage-overage-bytes", v.usage_overage_bytes);
    u64s("data-limit-bytes", v.data_limit_bytes);
    u64s("inbound-bandwidth", v.inbound_bandwidth);
    u64s("outbound-bandwidth", v.outbound_bandwidth);
    for (k, x) in [
        ("usage-percentage", v.usage_percentage),
        ("usage-overage-percentage", v.usage_overage_percentage),
    ] {
        if let Some(x) = x {
            d.insert(k.into(), ov(x));
        }
    }
    for (k, x) in [
        ("over-data-limit", v.over_data_limit),
        ("congested", v.congested),
        ("refresh-provisioning", v.refresh_provisioning),
        ("activation-complete", v.activation_complete),
        ("roaming", v.roaming),
    ] {
        if let Some(x) = x {
            d.insert(k.into(), ov(x));
        }
    }
    if let Some(t) = &v.usage_timestamp {
        d.insert("usage-timestamp".into(), ov(timestamp(t)));
    }
    if let Some(p) = v.plan_type {
        let name = match p {
            PlanType::Unrestricted => "unrestricted",
            PlanType::Fixed => "fixed",
            PlanType::Variable => "variable",
        };
        d.insert("plan-type".into(), ov(name));
    }
    if let Some(e) = &v.expiry {
        d.insert("expiry".into(), ov(e.as_str()));
    }
}

/// The `OperatorNotification` dictionary.
pub fn notification_dict(n: &OperatorNotification) -> Dict {
    let mut d = Dict::new();
    let kind = match n.bearer {
        NotificationBearer::Sms => "sms",
        NotificationBearer::Ussd => "ussd",
    };
    d.insert("kind".into(), ov(kind));
    d.insert("text".into(), ov(n.text.as_str()));
    d.insert("visible".into(), ov(n.visible));
    if let Some(s) = &n.sender {
        d.insert("sender".into(), ov(s.as_str()));
    }
    if let Some(r) = &n.rule_id {
        d.insert("rule-id".into(), ov(r.as_str()));
    }
    values_dict(&n.values, &mut d);
    d
}

/// The `IncomingSms` dictionary.
pub fn sms_dict(m: &IncomingSms) -> Dict {
    let mut d = Dict::new();
    d.insert("number".into(), ov(m.sender.as_str()));
    if let Some(t) = &m.text {
        d.insert("text".into(), ov(t.as_str()));
    }
    if let Some(b) = &m.data {
        d.insert("data".into(), ov(b.clone()));
    }
    if let Some(t) = &m.scts {
        d.insert("timestamp".into(), ov(t.as_str()));
    }
    d.insert("class".into(), ov(m.class.map_or(-1, i32::from)));
    d.insert("complete".into(), ov(m.complete));
    d.insert("parts-received".into(), ov(u32::from(m.parts_received)));
    d.insert("parts-total".into(), ov(u32::from(m.parts_total)));
    d
}

/// The `IncomingUssd` dictionary.
pub fn ussd_dict(u: &IncomingUssd) -> Dict {
    let mut d = Dict::new();
    d.insert("text".into(), ov(u.text.as_str()));
    let kind = if u.request { "request" } else { "notification" };
    d.insert("type".into(), ov(kind));
    d
}

async fn emit<B>(ctx: &ModemCtx, member: &str, body: &B)
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    let r = match SignalEmitter::new(&ctx.conn, &ctx.path) {
        Ok(em) => em.emit(IFACE_MBIMD_OPERATOR_MESSAGES, member, body).await,
        Err(e) => Err(e),
    };
    if let Err(e) = r {
        tracing::warn!(modem = ctx.index, error = %e, "emitting {member} failed");
    }
}

/// Emit `OperatorNotification`.
pub async fn operator_notification(ctx: &ModemCtx, n: &OperatorNotification) {
    emit(ctx, "OperatorNotification", &(notification_dict(n),)).await;
}

/// Emit `IncomingSms` for the exported SMS at `path`.
pub async fn incoming_sms(ctx: &ModemCtx, path: &OwnedObjectPath, m: &IncomingSms) {
    emit(ctx, "IncomingSms", &(path, sms_dict(m))).await;
}

/// Emit `IncomingUssd`.
pub async fn incoming_ussd(ctx: &ModemCtx, u: &IncomingUssd) {
    emit(ctx, "IncomingUssd", &(ussd_dict(u),)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_dictionary_carries_the_extracted_figures_in_kebab_case() {
        let n = OperatorNotification {
            modem: "m".into(),
            bearer: NotificationBearer::Sms,
            message_id: Some(3),
            sender: Some("12345".into()),
            rule_id: Some("usage".into()),
            visible: false,
            values: OperatorValues {
                usage_bytes: Some(1_500_000_000),
                data_limit_bytes: Some(5_000_000_000),
                usage_timestamp: Some(RuleTimestamp {
                    year: None,
                    month: 11,
                    day: 25,
                    hour: 15,
                    minute: 7,
                    second: 0,
                }),
                roaming: Some(true),
                expiry: Some("2026-12-01".into()),
                ..OperatorValues::default()
            },
            text: "t".into(),
        };
        let d = notification_dict(&n);
        assert_eq!(u64::try_from(&d["usage-bytes"]).ok(), Some(1_500_000_000));
        assert_eq!(
            u64::try_from(&d["data-limit-bytes"]).ok(),
            Some(5_000_000_000)
        );
        assert_eq!(
            String::try_from(d["usage-timestamp"].clone())
                .ok()
                .as_deref(),
            Some("--11-25T15:07:00")
        );
        assert_eq!(bool::try_from(&d["roaming"]).ok(), Some(true));
        assert_eq!(
            String::try_from(d["kind"].clone()).ok().as_deref(),
            Some("sms")
        );
        assert!(!d.contains_key("usage-percentage"));
    }
}
