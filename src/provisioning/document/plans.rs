//! `Plans` (windows-operator-formats.md §1.8): data plans with their cost
//! class, billing cycle, limits and current usage.

use super::NS_PLANS;
use super::tree::Node;
use super::xsd::{self, Ctx};

/// `PlanType`: the incremental cost of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PlanType {
    /// No incremental cost.
    Unrestricted,
    /// Quota already paid for.
    Fixed,
    /// Billed per use.
    Variable,
}

impl PlanType {
    /// The schema's name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanType::Unrestricted => "Unrestricted",
            PlanType::Fixed => "Fixed",
            PlanType::Variable => "Variable",
        }
    }

    /// From the schema's name.
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "Unrestricted" => PlanType::Unrestricted,
            "Fixed" => PlanType::Fixed,
            "Variable" => PlanType::Variable,
            _ => return None,
        })
    }
}

/// `BillingCycle`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BillingCycle {
    /// `@StartDate` as written (xs:dateTime, collapsed).
    pub start_date: String,
    /// `@StartDate` in Unix seconds (UTC when the value has a zone).
    pub start_unix: i64,
    /// `@Duration` as an xs:duration (an end dateTime is converted, §10).
    pub duration: String,
    /// `@Resets` (default true).
    pub resets: bool,
}

/// `Description`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanDescription {
    /// `@PlanType`.
    pub plan_type: PlanType,
    /// `BillingCycle`.
    pub billing_cycle: Option<BillingCycle>,
    /// `DataLimitInMegabytes`.
    pub data_limit_in_megabytes: Option<u64>,
    /// `InboundBandwidthInKbps`.
    pub inbound_bandwidth_in_kbps: Option<u64>,
    /// `OutboundBandwidthInKbps`.
    pub outbound_bandwidth_in_kbps: Option<u64>,
    /// `MaxTransferSizeInMegabytes`.
    pub max_transfer_size_in_megabytes: Option<u64>,
    /// `SecurityUpdatesExempt` (default false).
    pub security_updates_exempt: bool,
    /// `DataUsageInMobileOperatorNotificationEnabled` (default false).
    pub data_usage_in_mobile_operator_notification_enabled: bool,
    /// `UserSMSEnabled` (default true).
    pub user_sms_enabled: bool,
}

/// `Usage`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanUsage {
    /// `@CurrentUsage` in megabytes.
    pub current_usage: u64,
    /// `@UsageTimestamp` as written.
    pub usage_timestamp: String,
    /// `@OverLimit`.
    pub over_limit: Option<bool>,
    /// `@Congested`.
    pub congested: Option<bool>,
}

/// `plans:Plan`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    /// `@Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<PlanDescription>,
    /// `Usage`.
    pub usage: Option<PlanUsage>,
}

/// Check and convert `Plans` (one or more `Plan`).
pub fn parse_plans(cx: &mut Ctx<'_>, node: &Node) -> Vec<Plan> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let v = s.count(cx, NS_PLANS, "Plan", 1, usize::MAX);
    s.end(cx);
    v.into_iter().filter_map(|n| plan(cx, n)).collect()
}

/// Check and convert `Plan`.
pub fn plan(cx: &mut Ctx<'_>, node: &Node) -> Option<Plan> {
    cx.attrs(node, &["Name"]);
    let name = node.attr("Name").map(str::to_owned);
    if name.is_none() {
        cx.err(node, "Plan needs the attribute Name");
    }
    let mut s = cx.seq(node);
    let (description, usage_el) = if let Some(d) = s.opt(NS_PLANS, "Description") {
        (description(cx, d), s.opt(NS_PLANS, "Usage"))
    } else {
        (None, s.req(cx, NS_PLANS, "Usage"))
    };
    let usage = usage_el.and_then(|u| usage(cx, u));
    s.end(cx);
    Some(Plan {
        name: name?,
        description,
        usage,
    })
}

fn datetime_attr(cx: &mut Ctx<'_>, node: &Node, name: &str) -> Option<(String, xsd::DateTime)> {
    let Some(raw) = node.attr(name) else {
        cx.err(node, format!("{} needs the attribute {name}", node.name));
        return None;
    };
    match xsd::datetime_value(raw) {
        Some(d) => Some((xsd::collapse(raw), d)),
        None => {
            cx.bad_value(node, &format!("{name} (xs:dateTime)"), raw);
            None
        }
    }
}

fn billing_cycle(cx: &mut Ctx<'_>, node: &Node) -> Option<BillingCycle> {
    cx.attrs(node, &["StartDate", "Duration", "Resets"]);
    cx.empty(node);
    let start = datetime_attr(cx, node, "StartDate");
    let resets = xsd::attr_boolean(cx, node, "Resets", true);
    let duration = match node.attr("Duration") {
        None => {
            cx.err(node, "BillingCycle needs the attribute Duration");
            None
        }
        Some(raw) => match xsd::duration_value(raw) {
            Some(d) if !d.negative && !d.is_zero() => Some(xsd::collapse(raw)),
            Some(_) => {
                cx.err(node, format!("Duration: {raw:?} must be longer than PT0S"));
                None
            }
            // Leniency (§10): the element page calls Duration a dateTime;
            // read it as the cycle's end.
            None => match (xsd::datetime_value(raw), &start) {
                (Some(end), Some((_, s))) if end.unix > s.unix => {
                    Some(format!("PT{}S", end.unix - s.unix))
                }
                _ => {
                    cx.bad_value(node, "Duration (xs:duration)", raw);
                    None
                }
            },
        },
    };
    let (start_date, st) = start?;
    Some(BillingCycle {
        start_date,
        start_unix: st.unix,
        duration: duration?,
        resets,
    })
}

fn uint_el(cx: &mut Ctx<'_>, node: &Node, what: &str, min: i128) -> Option<u64> {
    cx.attrs(node, &[]);
    let v = xsd::text_integer(cx, node, what, min, i128::MAX)?;
    match u64::try_from(v) {
        Ok(v) => Some(v),
        Err(_) => {
            cx.err(
                node,
                format!("{}: {v} is too large for this implementation", node.name),
            );
            None
        }
    }
}

fn bool_el(cx: &mut Ctx<'_>, node: &Node) -> Option<bool> {
    cx.attrs(node, &[]);
    xsd::text_boolean(cx, node)
}

/// Check and convert `Description`.
pub fn description(cx: &mut Ctx<'_>, node: &Node) -> Option<PlanDescription> {
    cx.attrs(node, &["PlanType"]);
    // xs:string enumeration: no white-space collapsing.
    let plan_type = match node.attr("PlanType") {
        Some(v) => {
            let p = PlanType::from_name(v);
            if p.is_none() {
                cx.bad_value(node, "PlanType (Unrestricted, Fixed or Variable)", v);
            }
            p
        }
        None => {
            cx.err(node, "Description needs the attribute PlanType");
            None
        }
    };
    let mut s = cx.seq(node);
    let billing_cycle = s
        .opt(NS_PLANS, "BillingCycle")
        .and_then(|n| billing_cycle(cx, n));
    let dl = s
        .opt(NS_PLANS, "DataLimitInMegabytes")
        .and_then(|n| uint_el(cx, n, "xs:positiveInteger", 1));
    let ib = s
        .opt(NS_PLANS, "InboundBandwidthInKbps")
        .and_then(|n| uint_el(cx, n, "xs:nonNegativeInteger", 0));
    let ob = s
        .opt(NS_PLANS, "OutboundBandwidthInKbps")
        .and_then(|n| uint_el(cx, n, "xs:nonNegativeInteger", 0));
    let mt = s
        .opt(NS_PLANS, "MaxTransferSizeInMegabytes")
        .and_then(|n| uint_el(cx, n, "xs:positiveInteger", 1));
    let se = s
        .opt(NS_PLANS, "SecurityUpdatesExempt")
        .and_then(|n| bool_el(cx, n));
    let dn = s
        .opt(NS_PLANS, "DataUsageInMobileOperatorNotificationEnabled")
        .and_then(|n| bool_el(cx, n));
    let us = s
        .opt(NS_PLANS, "UserSMSEnabled")
        .and_then(|n| bool_el(cx, n));
    s.end(cx);
    Some(PlanDescription {
        plan_type: plan_type?,
        billing_cycle,
        data_limit_in_megabytes: dl,
        inbound_bandwidth_in_kbps: ib,
        outbound_bandwidth_in_kbps: ob,
        max_transfer_size_in_megabytes: mt,
        security_updates_exempt: se.unwrap_or(false),
        data_usage_in_mobile_operator_notification_enabled: dn.unwrap_or(false),
        user_sms_enabled: us.unwrap_or(true),
    })
}

/// Check and convert `Usage`.
pub fn usage(cx: &mut Ctx<'_>, node: &Node) -> Option<PlanUsage> {
    cx.attrs(
        node,
        &["OverLimit", "Congested", "CurrentUsage", "UsageTimestamp"],
    );
    cx.empty(node);
    let over_limit = node
        .attr("OverLimit")
        .and_then(|v| xsd::boolean(cx, node, v));
    let congested = node
        .attr("Congested")
        .and_then(|v| xsd::boolean(cx, node, v));
    let current = match node.attr("CurrentUsage") {
        Some(v) => xsd::integer_in(
            cx,
            node,
            v,
            "CurrentUsage (xs:nonNegativeInteger)",
            0,
            i128::MAX,
        )
        .map(|v| u64::try_from(v).unwrap_or(u64::MAX)),
        None => {
            cx.err(node, "Usage needs the attribute CurrentUsage");
            None
        }
    };
    let ts = datetime_attr(cx, node, "UsageTimestamp");
    Some(PlanUsage {
        current_usage: current?,
        usage_timestamp: ts?.0,
        over_limit,
        congested,
    })
}
