//! Plans and usage from account provisioning (windows-operator-formats.md
//! §1.8, §4): the `Plans` a committed document stored for the modem's SIM
//! become the usage engine's [`Plan`], and a plan's `Usage` element
//! (`CurrentUsage` in MB, `UsageTimestamp`, `OverLimit`, `Congested`) an
//! operator figure.
//!
//! [`follow`] is a per-modem task on the provisioning store's change
//! notifications; the mapping ([`plan_from_row`], [`update_from_row`]) is
//! pure. It never parses XML (the store holds the parsed values) and does
//! not touch the bus.

use super::engine::{OperatorFigure, OperatorUpdate};
use super::plan::{BillingCycle, CycleDuration, MEGABYTE, Plan, PlanType, parse_datetime};
use super::service::UsageService;
use crate::provisioning::store::{PlanRow, ProvisioningStore, SimKey};
use std::sync::Arc;

/// The usage engine's plan for a stored provisioning plan. A billing cycle
/// whose start or duration does not parse is left out (the plan still
/// counts; the store accepted the document, so this is not expected).
pub fn plan_from_row(r: &PlanRow) -> Plan {
    let billing_cycle = match (&r.billing_start, &r.billing_duration) {
        (Some(start), Some(d)) => match (parse_datetime(start), CycleDuration::parse(d)) {
            (Some(start), Ok(duration)) => Some(BillingCycle {
                start,
                duration,
                resets: r.billing_resets.unwrap_or(true),
            }),
            _ => {
                tracing::warn!(plan = %r.name, start = %start, duration = %d, "provisioned billing cycle not understood");
                None
            }
        },
        _ => None,
    };
    let mb = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
    let kbps = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    Plan {
        name: r.name.clone(),
        plan_type: r
            .plan_type
            .as_deref()
            .and_then(PlanType::from_name)
            .unwrap_or_default(),
        billing_cycle,
        data_limit_megabytes: mb(r.data_limit_mb),
        inbound_bandwidth_kbps: kbps(r.inbound_kbps),
        outbound_bandwidth_kbps: kbps(r.outbound_kbps),
        max_transfer_size_megabytes: mb(r.max_transfer_mb),
        // Absent: the schema defaults.
        security_updates_exempt: r.security_updates_exempt.unwrap_or(false),
        usage_notifications: r.usage_notification.unwrap_or(false),
        user_sms_enabled: r.user_sms_enabled.unwrap_or(true),
    }
}

/// The operator update a stored plan's `Usage` carries (`None` without a
/// usage figure or with a timestamp that does not parse).
pub fn update_from_row(r: &PlanRow) -> Option<OperatorUpdate> {
    let mb = u64::try_from(r.current_usage_mb?).ok()?;
    let timestamp = parse_datetime(r.usage_timestamp.as_deref()?)?;
    Some(OperatorUpdate {
        figure: Some(OperatorFigure {
            bytes: mb.saturating_mul(MEGABYTE),
            timestamp,
        }),
        over_data_limit: r.over_limit,
        congested: r.congested,
        data_limit_bytes: None,
        plan_type: None,
    })
}

/// Follow the provisioning store for one modem: now and after every
/// committed document, the plan stored for `sim` (the default profile's
/// associated plan, else the first) goes to [`UsageService::set_plan`] and
/// its usage figure to [`UsageService::set_usage`], each only when it
/// differs from what this task applied last (so a document that changes
/// something else does not restart counting). Ends with the store.
pub async fn follow(svc: Arc<UsageService>, store: ProvisioningStore, sim: SimKey) {
    if sim.imsi.is_none() && sim.iccid.is_none() {
        return;
    }
    let mut changes = store.changes();
    let mut last_plan: Option<Plan> = None;
    let mut last_update: Option<OperatorUpdate> = None;
    loop {
        match store.plans_for(&sim).await {
            Ok(rows) => {
                if let Some(row) = rows.first() {
                    let plan = plan_from_row(row);
                    if last_plan.as_ref() != Some(&plan) {
                        tracing::info!(modem = %svc.modem, plan = %plan.name, "plan from provisioning");
                        match svc.set_plan(Some(plan.clone())).await {
                            Ok(()) => last_plan = Some(plan),
                            Err(e) => {
                                tracing::warn!(error = %e, "cannot store the provisioned plan")
                            }
                        }
                    }
                    let update = update_from_row(row);
                    if let Some(u) = update.filter(|u| last_update.as_ref() != Some(u)) {
                        match svc.set_usage(u).await {
                            Ok(()) => last_update = Some(u),
                            Err(e) => {
                                tracing::warn!(error = %e, "cannot store the provisioned usage")
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read provisioned plans"),
        }
        if changes.changed().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> PlanRow {
        PlanRow {
            carrier_id: "c".into(),
            subscriber_id: "s".into(),
            name: "Data5GB".into(),
            plan_type: Some("Fixed".into()),
            billing_start: Some("2025-01-01T00:00:00Z".into()),
            billing_duration: Some("P1M".into()),
            billing_resets: Some(true),
            data_limit_mb: Some(5120),
            inbound_kbps: Some(50_000),
            outbound_kbps: Some(10_000),
            max_transfer_mb: None,
            current_usage_mb: Some(1234),
            usage_timestamp: Some("2025-01-12T08:30:00Z".into()),
            over_limit: Some(false),
            congested: Some(true),
            security_updates_exempt: None,
            usage_notification: Some(true),
            user_sms_enabled: None,
        }
    }

    #[test]
    fn a_stored_plan_maps_field_by_field() {
        let p = plan_from_row(&row());
        assert_eq!(p.name, "Data5GB");
        assert_eq!(p.plan_type, PlanType::Fixed);
        assert_eq!(p.limit_bytes(), Some(5120 * MEGABYTE));
        assert_eq!(p.inbound_bandwidth_kbps, Some(50_000));
        assert!(p.usage_notifications);
        assert!(p.user_sms_enabled, "schema default");
        assert!(!p.security_updates_exempt, "schema default");
        let c = p.billing_cycle.expect("cycle");
        assert_eq!(c.start, parse_datetime("2025-01-01T00:00:00Z").unwrap());
        assert_eq!(c.duration, CycleDuration::parse("P1M").unwrap());
        assert!(c.resets);
    }

    #[test]
    fn usage_becomes_an_operator_figure_in_bytes() {
        let u = update_from_row(&row()).expect("figure");
        let f = u.figure.expect("figure");
        assert_eq!(f.bytes, 1234 * MEGABYTE);
        assert_eq!(f.timestamp, parse_datetime("2025-01-12T08:30:00Z").unwrap());
        assert_eq!(u.congested, Some(true));
        assert_eq!(u.over_data_limit, Some(false));
        let none = PlanRow {
            current_usage_mb: None,
            ..row()
        };
        assert!(update_from_row(&none).is_none());
        let bad = PlanRow {
            billing_duration: Some("monthly".into()),
            ..row()
        };
        assert!(plan_from_row(&bad).billing_cycle.is_none());
    }
}
