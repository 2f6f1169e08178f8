//! `Activation` (windows-operator-formats.md §1.4): the one action to take
//! after the document is applied, with its delay and retry policy.

use super::NS_WWAN;
use super::tree::Node;
use super::xsd::{self, Ctx};
use std::time::Duration;

/// Which action (`wwan:ActivationMethod` substitution group).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActivationMethod {
    /// Radio off and on, then connect with the default profile.
    ReregisterToNetwork,
    /// Deactivate and re-activate the data session.
    ReconnectToNetwork,
    /// Send `CarrierSpecificData` to the device (MBIM SERVICE_ACTIVATION).
    ServiceActivation {
        /// The decoded `CarrierSpecificData`.
        carrier_specific_data: Vec<u8>,
    },
}

/// `Activation`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Activation {
    /// The action.
    pub method: ActivationMethod,
    /// `@Delay` (PT0S ≤ x < PT1H, default PT0S).
    pub delay: Duration,
    /// `@RetryCount` (0…10, default 0).
    pub retry_count: u8,
    /// `@RetryInterval` (PT1M…PT1H, default PT1M).
    pub retry_interval: Duration,
}

/// Check and convert `Activation`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Option<Activation> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let m = match s.peek() {
        Some(n)
            if n.ns.as_deref() == Some(NS_WWAN)
                && matches!(
                    n.name.as_str(),
                    "ReregisterToNetwork" | "ReconnectToNetwork" | "ServiceActivation"
                ) =>
        {
            s.opt(NS_WWAN, &n.name).and_then(|n| method(cx, n))
        }
        _ => {
            s.missing(cx, "an activation method (ReregisterToNetwork, ReconnectToNetwork or ServiceActivation)");
            None
        }
    };
    s.end(cx);
    m
}

fn duration_attr(
    cx: &mut Ctx<'_>,
    node: &Node,
    name: &str,
    default: Duration,
    min_s: f64,
    max_s: f64,
    max_inclusive: bool,
) -> Duration {
    let Some(raw) = node.attr(name) else {
        return default;
    };
    let Some(d) = xsd::duration_value(raw) else {
        cx.bad_value(node, &format!("{name} (xs:duration)"), raw);
        return default;
    };
    let v = d.min_seconds();
    let ok = v >= min_s && if max_inclusive { v <= max_s } else { v < max_s };
    if !ok {
        let hi = if max_inclusive { "≤" } else { "<" };
        cx.err(
            node,
            format!("{name}: {raw:?} is out of range ({min_s} s ≤ x {hi} {max_s} s)"),
        );
        return default;
    }
    d.to_std()
}

/// Check and convert one activation-method element.
pub fn method(cx: &mut Ctx<'_>, node: &Node) -> Option<Activation> {
    cx.attrs(node, &["Delay", "RetryCount", "RetryInterval"]);
    let delay = duration_attr(cx, node, "Delay", Duration::ZERO, 0.0, 3600.0, false);
    let retry_count =
        xsd::attr_integer(cx, node, "RetryCount", "RetryCount (0…10)", 0, 10).unwrap_or(0) as u8;
    let retry_interval = duration_attr(
        cx,
        node,
        "RetryInterval",
        Duration::from_secs(60),
        60.0,
        3600.0,
        true,
    );
    let method = match node.name.as_str() {
        "ReregisterToNetwork" => {
            cx.empty(node);
            ActivationMethod::ReregisterToNetwork
        }
        "ReconnectToNetwork" => {
            cx.empty(node);
            ActivationMethod::ReconnectToNetwork
        }
        _ => {
            let mut s = cx.seq(node);
            let data = s.req(cx, NS_WWAN, "CarrierSpecificData").and_then(|n| {
                cx.attrs(n, &[]);
                xsd::text_base64(cx, n)
            });
            s.end(cx);
            ActivationMethod::ServiceActivation {
                carrier_specific_data: data?,
            }
        }
    };
    Some(Activation {
        method,
        delay,
        retry_count,
        retry_interval,
    })
}
