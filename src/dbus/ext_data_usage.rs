//! `org.mbimd.Modem1.DataUsage` on modem objects: the seed's Data Usage and
//! Subscription Manager (windows-operator-formats.md §4, §5) over D-Bus.
//!
//! Properties (a{sv}, kebab-case keys):
//! * `Cost` — `network-cost-type` (u: 0 unknown, 1 unrestricted, 2 fixed,
//!   3 variable), `flags` (u: WCM bits 0x1/0x2/0x4, over-limit 0x10000,
//!   congested 0x20000, roaming 0x40000, approaching 0x80000), `metered`,
//!   `roaming`, `over-data-limit`, `approaching-data-limit`, `congested`,
//!   `background-data-usage-restricted` (b), `next-billing-cycle` (t, Unix
//!   seconds; absent without a resetting cycle).
//! * `DataPlanStatus` — `plan-name` (s), `plan-type` (s), `used-bytes` (t),
//!   `megabytes-used` (u), `local-bytes` (t), `last-sync-time` (t),
//!   `data-limit-megabytes` (u), `inbound-bits-per-second`,
//!   `outbound-bits-per-second` (t, kbps × 1000), `max-transfer-size-megabytes`
//!   (u), `security-updates-exempt`, `usage-notifications`, `user-sms-enabled`,
//!   `expired` (b), `cycle-start`, `next-billing-cycle`, `expires` (t),
//!   `billing-cycle-duration` (s), `billing-cycle-resets` (b),
//!   `account-status` (s). Absent keys were not supplied.
//!
//! Methods: `GetNetworkUsage(t from, t to, t granularity) -> a(ttt)` (bucket
//! start, rx, tx; granularity 0 = one bucket), `GetConnectivityIntervals(t
//! from, t to) -> a(tt)` (connect time, duration), and the privileged
//! `SetUsage(a{sv})` / `SetPlan(a{sv})` (empty dict: no plan).
//!
//! Signals (a{sv}, each with `sequence` (t) and `time` (t)):
//! `UsageThresholdReached`, `PlanReset`, `PlanExpired`,
//! `AccountStatusChanged`, `NetworkStatusChanged`. The object holds the modem
//! context only; the usage engine is `crate::usage`.

use super::modem::{ModemCtx, emit_properties_changed};
use super::view::{Change, Dict, ov};
use crate::usage::engine::{
    Cost, EventKind, OperatorFigure, OperatorUpdate, PlanStatus, UsageEvent,
};
use crate::usage::plan::{BillingCycle, CycleDuration, MEGABYTE, Plan, PlanType, parse_datetime};
use crate::usage::service::{Notice, UsageService};
use dbus_interfaces::MmError;
use dbus_interfaces::names::IFACE_MBIMD_DATA_USAGE;
use std::sync::Arc;
use tokio::sync::mpsc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{OwnedVariant, interface};

/// The polkit-style action of the privileged methods.
const USAGE_ACTION: &str = "org.mbimd.DataUsage";

type Result<T> = std::result::Result<T, MmError>;

/// The interface object.
#[derive(Debug)]
pub struct DataUsageIface {
    ctx: Arc<ModemCtx>,
}

impl DataUsageIface {
    /// An interface object for the modem `ctx`.
    pub fn new(ctx: Arc<ModemCtx>) -> Self {
        DataUsageIface { ctx }
    }

    fn svc(&self) -> Result<&Arc<UsageService>> {
        self.ctx.usage.get().ok_or_else(|| {
            MmError::Unsupported("data usage is not tracked (no usage store)".into())
        })
    }
}

/// The `Cost` dictionary.
pub fn cost_dict(c: &Cost) -> Dict {
    let mut d = Dict::new();
    d.insert("network-cost-type".into(), ov(c.plan_type.value()));
    d.insert("flags".into(), ov(c.flags()));
    d.insert("metered".into(), ov(c.metered));
    d.insert("roaming".into(), ov(c.roaming));
    d.insert("over-data-limit".into(), ov(c.over_data_limit));
    d.insert(
        "approaching-data-limit".into(),
        ov(c.approaching_data_limit),
    );
    d.insert("congested".into(), ov(c.congested));
    d.insert(
        "background-data-usage-restricted".into(),
        ov(c.background_data_restricted),
    );
    if let Some(t) = c.next_billing_cycle {
        d.insert("next-billing-cycle".into(), ov(secs(t)));
    }
    d
}

fn secs(t: i64) -> u64 {
    u64::try_from(t).unwrap_or(0)
}

/// The `DataPlanStatus` dictionary.
pub fn status_dict(s: &PlanStatus) -> Dict {
    let mut d = Dict::new();
    d.insert("used-bytes".into(), ov(s.used_bytes));
    d.insert(
        "megabytes-used".into(),
        ov(u32::try_from(s.used_bytes / MEGABYTE).unwrap_or(u32::MAX)),
    );
    d.insert("local-bytes".into(), ov(s.local_bytes));
    d.insert("account-status".into(), ov(s.account_status.name()));
    d.insert("expired".into(), ov(s.expired));
    if let Some(t) = s.last_sync_time {
        d.insert("last-sync-time".into(), ov(secs(t)));
    }
    if let Some(t) = s.cycle_start {
        d.insert("cycle-start".into(), ov(secs(t)));
    }
    if let Some(t) = s.next_billing_cycle {
        d.insert("next-billing-cycle".into(), ov(secs(t)));
    }
    if let Some(t) = s.expires {
        d.insert("expires".into(), ov(secs(t)));
    }
    if let Some(p) = &s.plan {
        d.insert("plan-name".into(), ov(p.name.as_str()));
        d.insert("plan-type".into(), ov(p.plan_type.name()));
        if let Some(l) = p.data_limit_megabytes {
            d.insert("data-limit-megabytes".into(), ov(l));
        }
        if let Some(k) = p.inbound_bandwidth_kbps {
            d.insert("inbound-bits-per-second".into(), ov(k.saturating_mul(1000)));
        }
        if let Some(k) = p.outbound_bandwidth_kbps {
            d.insert(
                "outbound-bits-per-second".into(),
                ov(k.saturating_mul(1000)),
            );
        }
        if let Some(m) = p.max_transfer_size_megabytes {
            d.insert("max-transfer-size-megabytes".into(), ov(m));
        }
        d.insert(
            "security-updates-exempt".into(),
            ov(p.security_updates_exempt),
        );
        d.insert("usage-notifications".into(), ov(p.usage_notifications));
        d.insert("user-sms-enabled".into(), ov(p.user_sms_enabled));
        if let Some(c) = p.billing_cycle {
            d.insert("billing-cycle-start".into(), ov(secs(c.start)));
            d.insert("billing-cycle-duration".into(), ov(c.duration.to_xs()));
            d.insert("billing-cycle-resets".into(), ov(c.resets));
        }
    } else {
        d.insert("plan-type".into(), ov(PlanType::Unknown.name()));
    }
    d
}

/// A signal's name and payload.
pub fn event_signal(e: &UsageEvent) -> (&'static str, Dict) {
    let mut d = Dict::new();
    d.insert("sequence".into(), ov(e.sequence));
    d.insert("time".into(), ov(secs(e.at)));
    let name = match &e.kind {
        EventKind::ThresholdReached {
            threshold_bytes,
            used_bytes,
            step_bytes,
            limit_bytes,
            percent,
            roaming,
        } => {
            d.insert("threshold-bytes".into(), ov(*threshold_bytes));
            d.insert("used-bytes".into(), ov(*used_bytes));
            d.insert("step-bytes".into(), ov(*step_bytes));
            if let Some(l) = limit_bytes {
                d.insert("limit-bytes".into(), ov(*l));
            }
            if let Some(p) = percent {
                d.insert("percent".into(), ov(*p));
            }
            d.insert("roaming".into(), ov(*roaming));
            "UsageThresholdReached"
        }
        EventKind::PlanReset {
            cycle_start,
            next_cycle,
            previous_used_bytes,
            cycles,
        } => {
            d.insert("cycle-start".into(), ov(secs(*cycle_start)));
            d.insert("next-billing-cycle".into(), ov(secs(*next_cycle)));
            d.insert("previous-used-bytes".into(), ov(*previous_used_bytes));
            d.insert("cycles".into(), ov(*cycles));
            "PlanReset"
        }
        EventKind::PlanExpired { plan, expired_at } => {
            d.insert("plan-name".into(), ov(plan.as_str()));
            d.insert("expired-at".into(), ov(secs(*expired_at)));
            "PlanExpired"
        }
        EventKind::AccountStatusChanged { status, previous } => {
            d.insert("status".into(), ov(status.name()));
            d.insert("previous".into(), ov(previous.name()));
            "AccountStatusChanged"
        }
        EventKind::NetworkStatusChanged { status, previous } => {
            d.insert("connected".into(), ov(status.connected));
            d.insert("internet".into(), ov(status.internet));
            d.insert("roaming".into(), ov(status.roaming));
            let what = if status.connected != previous.connected {
                if status.connected {
                    "connected"
                } else {
                    "disconnected"
                }
            } else if status.internet != previous.internet {
                "internet-changed"
            } else {
                "roaming-changed"
            };
            d.insert("change".into(), ov(what));
            "NetworkStatusChanged"
        }
    };
    (name, d)
}

fn views(ctx: &ModemCtx) -> (Cost, PlanStatus) {
    ctx.usage.get().map(|s| s.snapshot()).unwrap_or_default()
}

/// The interface's properties (for InterfacesAdded / GetManagedObjects).
pub fn props(ctx: &ModemCtx) -> Dict {
    let (c, s) = views(ctx);
    let mut d = Dict::new();
    d.insert("Cost".into(), ov(cost_dict(&c)));
    d.insert("DataPlanStatus".into(), ov(status_dict(&s)));
    d
}

fn want<T: TryFrom<OwnedVariant>>(key: &str, v: &OwnedVariant) -> Result<T> {
    T::try_from(v.clone()).map_err(|_| {
        MmError::InvalidArgs(format!("invalid type for '{key}': {}", v.value_signature()))
    })
}

fn unexpected(k: &str) -> MmError {
    MmError::InvalidArgs(format!("unexpected key '{k}'"))
}

fn plan_type(k: &str, v: &OwnedVariant) -> Result<PlanType> {
    let s: String = want(k, v)?;
    PlanType::from_name(&s).ok_or_else(|| {
        MmError::InvalidArgs(format!(
            "invalid plan-type '{s}' (Unrestricted, Fixed, Variable)"
        ))
    })
}

/// Parse a `SetUsage` dictionary (at `now`).
pub fn usage_from_dict(d: &Dict, now: i64) -> Result<OperatorUpdate> {
    let mut u = OperatorUpdate::default();
    let mut bytes: Option<u64> = None;
    let mut timestamp = now;
    for (k, v) in d {
        match k.as_str() {
            "used-bytes" => bytes = Some(want(k, v)?),
            "megabytes-used" => {
                bytes = Some(u64::from(want::<u32>(k, v)?) * MEGABYTE);
            }
            "timestamp" => {
                timestamp = i64::try_from(want::<u64>(k, v)?)
                    .map_err(|_| MmError::InvalidArgs("timestamp out of range".into()))?;
            }
            "over-data-limit" => u.over_data_limit = Some(want(k, v)?),
            "congested" => u.congested = Some(want(k, v)?),
            "data-limit-megabytes" => {
                u.data_limit_bytes = Some(u64::from(want::<u32>(k, v)?) * MEGABYTE);
            }
            "plan-type" => u.plan_type = Some(plan_type(k, v)?),
            other => return Err(unexpected(other)),
        }
    }
    u.figure = bytes.map(|bytes| OperatorFigure { bytes, timestamp });
    Ok(u)
}

/// Parse a `SetPlan` dictionary (empty: no plan).
pub fn plan_from_dict(d: &Dict) -> Result<Option<Plan>> {
    if d.is_empty() {
        return Ok(None);
    }
    let mut p = Plan {
        user_sms_enabled: true,
        ..Plan::default()
    };
    let mut start: Option<i64> = None;
    let mut duration: Option<CycleDuration> = None;
    let mut resets = true;
    for (k, v) in d {
        match k.as_str() {
            "name" => p.name = want(k, v)?,
            "plan-type" => p.plan_type = plan_type(k, v)?,
            "billing-cycle-start" => {
                start = Some(match want::<u64>(k, v) {
                    Ok(t) => i64::try_from(t).map_err(|_| {
                        MmError::InvalidArgs("billing-cycle-start out of range".into())
                    })?,
                    Err(_) => {
                        let s: String = want(k, v)?;
                        parse_datetime(&s).ok_or_else(|| {
                            MmError::InvalidArgs(format!("invalid billing-cycle-start '{s}'"))
                        })?
                    }
                });
            }
            "billing-cycle-duration" => {
                let s: String = want(k, v)?;
                duration = Some(
                    CycleDuration::parse(&s).map_err(|e| MmError::InvalidArgs(e.to_string()))?,
                );
            }
            "billing-cycle-resets" => resets = want(k, v)?,
            "data-limit-megabytes" => p.data_limit_megabytes = Some(want(k, v)?),
            "inbound-bandwidth-kbps" => p.inbound_bandwidth_kbps = Some(want(k, v)?),
            "outbound-bandwidth-kbps" => p.outbound_bandwidth_kbps = Some(want(k, v)?),
            "max-transfer-size-megabytes" => p.max_transfer_size_megabytes = Some(want(k, v)?),
            "security-updates-exempt" => p.security_updates_exempt = want(k, v)?,
            "usage-notifications" => p.usage_notifications = want(k, v)?,
            "user-sms-enabled" => p.user_sms_enabled = want(k, v)?,
            other => return Err(unexpected(other)),
        }
    }
    p.billing_cycle = match (start, duration) {
        (Some(start), Some(duration)) => Some(BillingCycle {
            start,
            duration,
            resets,
        }),
        (None, None) => None,
        _ => {
            return Err(MmError::InvalidArgs(
                "billing-cycle-start and billing-cycle-duration go together".into(),
            ));
        }
    };
    Ok(Some(p))
}

fn store_err(e: crate::usage::store::StoreError) -> MmError {
    match e {
        crate::usage::store::StoreError::BadQuery(m) => MmError::InvalidArgs(m),
        other => MmError::Failed(other.to_string()),
    }
}

#[interface(name = "org.mbimd.Modem1.DataUsage")]
impl DataUsageIface {
    /// Connection cost.
    #[zbus(property, name = "Cost")]
    fn cost(&self) -> Dict {
        cost_dict(&views(&self.ctx).0)
    }

    /// Plan and usage.
    #[zbus(property, name = "DataPlanStatus")]
    fn data_plan_status(&self) -> Dict {
        status_dict(&views(&self.ctx).1)
    }

    /// Traffic per bucket of `granularity` seconds in `[from, to)`.
    async fn get_network_usage(
        &self,
        from: u64,
        to: u64,
        granularity: u64,
    ) -> Result<Vec<(u64, u64, u64)>> {
        let s = self.svc()?;
        let b = s
            .store()
            .network_usage(&s.modem, from, to, granularity)
            .await
            .map_err(store_err)?;
        Ok(b.into_iter().map(|b| (b.start, b.rx, b.tx)).collect())
    }

    /// Connect times and durations of connections overlapping `[from, to)`.
    async fn get_connectivity_intervals(&self, from: u64, to: u64) -> Result<Vec<(u64, u64)>> {
        let s = self.svc()?;
        s.store()
            .connectivity_intervals(&s.modem, from, to, s.now())
            .await
            .map_err(store_err)
    }

    /// Report usage from the operator (privileged).
    async fn set_usage(&self, #[zbus(header)] hdr: Header<'_>, usage: Dict) -> Result<()> {
        let s = self.svc()?;
        let u = usage_from_dict(&usage, s.now())?;
        self.ctx
            .policy
            .check(&self.ctx.conn, &hdr, USAGE_ACTION)
            .await?;
        s.set_usage(u).await.map_err(store_err)
    }

    /// Set the plan (privileged; until provisioning supplies plans).
    async fn set_plan(&self, #[zbus(header)] hdr: Header<'_>, plan: Dict) -> Result<()> {
        let s = self.svc()?;
        let p = plan_from_dict(&plan)?;
        self.ctx
            .policy
            .check(&self.ctx.conn, &hdr, USAGE_ACTION)
            .await?;
        s.set_plan(p).await.map_err(store_err)
    }

    /// A progress threshold was crossed (§4.2).
    #[zbus(signal, name = "UsageThresholdReached")]
    async fn usage_threshold_reached(e: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;
    /// The billing cycle reset usage to zero.
    #[zbus(signal, name = "PlanReset")]
    async fn plan_reset(e: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;
    /// A pre-paid plan expired.
    #[zbus(signal, name = "PlanExpired")]
    async fn plan_expired(e: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;
    /// The account status changed.
    #[zbus(signal, name = "AccountStatusChanged")]
    async fn account_status_changed(e: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;
    /// Connected, disconnected, internet or roaming changed.
    #[zbus(signal, name = "NetworkStatusChanged")]
    async fn network_status_changed(e: &SignalEmitter<'_>, details: Dict) -> zbus::Result<()>;
}

/// Announce a modem's usage notices until the service goes away: each
/// event as its signal, then acknowledged; after each batch, the changed
/// properties (after the events, so a client that sees a new usage figure
/// has already seen the thresholds it crossed).
pub async fn follow(
    ctx: Arc<ModemCtx>,
    svc: Arc<UsageService>,
    mut rx: mpsc::UnboundedReceiver<Notice>,
) {
    let mut last: Option<(Dict, Dict)> = None;
    while let Some(n) = rx.recv().await {
        match n {
            Notice::Event(e) => {
                let (name, d) = event_signal(&e);
                let r = match SignalEmitter::new(&ctx.conn, &ctx.path) {
                    Ok(em) => em.emit(IFACE_MBIMD_DATA_USAGE, name, &(d,)).await,
                    Err(e) => Err(e),
                };
                match r {
                    Ok(()) => svc.ack(e.sequence).await,
                    Err(err) => tracing::warn!(error = %err, "cannot send {name}"),
                }
            }
            Notice::Changed => {
                let (c, s) = svc.snapshot();
                let now = (cost_dict(&c), status_dict(&s));
                let mut changes: Vec<Change> = Vec::new();
                if last.as_ref().is_none_or(|l| l.0 != now.0) {
                    changes.push(("Cost", ov(now.0.clone())));
                }
                if last.as_ref().is_none_or(|l| l.1 != now.1) {
                    changes.push(("DataPlanStatus", ov(now.1.clone())));
                }
                if !changes.is_empty() {
                    let _ = emit_properties_changed(
                        &ctx.conn,
                        &ctx.path,
                        IFACE_MBIMD_DATA_USAGE,
                        &changes,
                    )
                    .await;
                }
                last = Some(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(items: Vec<(&str, OwnedVariant)>) -> Dict {
        items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    #[test]
    fn set_plan_dictionary_maps_onto_the_plan_fields() {
        let p = plan_from_dict(&d(vec![
            ("name", ov("Data5GB")),
            ("plan-type", ov("Fixed")),
            ("billing-cycle-start", ov("2025-01-01T00:00:00Z")),
            ("billing-cycle-duration", ov("P1M")),
            ("data-limit-megabytes", ov(5120u32)),
            ("usage-notifications", ov(true)),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(p.name, "Data5GB");
        assert_eq!(p.plan_type, PlanType::Fixed);
        assert_eq!(p.limit_bytes(), Some(5120 * MEGABYTE));
        let c = p.billing_cycle.unwrap();
        assert!(c.resets);
        assert_eq!(c.duration.months, 1);
        assert!(plan_from_dict(&Dict::new()).unwrap().is_none());
        assert!(plan_from_dict(&d(vec![("bogus", ov(1u32))])).is_err());
        assert!(plan_from_dict(&d(vec![("plan-type", ov("Cheap"))])).is_err());
        assert!(plan_from_dict(&d(vec![("billing-cycle-duration", ov("P1M"))])).is_err());
        assert!(plan_from_dict(&d(vec![("data-limit-megabytes", ov("x"))])).is_err());
    }

    #[test]
    fn set_usage_dictionary_defaults_the_timestamp_to_now() {
        let u = usage_from_dict(
            &d(vec![("megabytes-used", ov(12u32)), ("congested", ov(true))]),
            77,
        )
        .unwrap();
        assert_eq!(
            u.figure,
            Some(OperatorFigure {
                bytes: 12 * MEGABYTE,
                timestamp: 77
            })
        );
        assert_eq!(u.congested, Some(true));
    }
}
