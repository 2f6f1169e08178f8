//! `Extensions` and `v2:Extensions_v2` (windows-operator-formats.md §1.9):
//! carrier network metadata (MTUs, DNS retries, radio-class names, support
//! number), additional PDP contexts with the apps allowed to use them, and
//! the tethering profile and device limit.

use super::mbn_profiles::{Context, context};
use super::tree::Node;
use super::xsd::{self, Ctx, Process};
use super::{NS_CC, NS_CC2};

/// `NetworkSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct NetworkSettings {
    /// `IPv4LinkMTU` 1280…1500.
    pub ipv4_link_mtu: Option<u16>,
    /// `IPv6LinkMTU` 1280…1500.
    pub ipv6_link_mtu: Option<u16>,
    /// `DNSRetrySettings/DNSRetryIntervalInSeconds` 1…4.
    pub dns_retry_interval_in_seconds: Option<u8>,
    /// `DNSRetrySettings/DNSRetryCount` 1…4.
    pub dns_retry_count: Option<u8>,
}

/// `CarrierNetworkMetadata`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct CarrierNetworkMetadata {
    /// `NetworkSettings`.
    pub network_settings: Option<NetworkSettings>,
    /// `DataClassFriendlyNames`: (radio class element name, UI name).
    pub data_class_friendly_names: Vec<(String, String)>,
    /// `CustomerSupportPhoneNumber`.
    pub customer_support_phone_number: Option<String>,
}

/// `PDPContextPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PdpContextPolicy {
    /// `Name`.
    pub name: String,
    /// `Context`.
    pub context: Context,
    /// `AppIDList/AppID`.
    pub app_ids: Vec<String>,
}

/// `TetheringProfile`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TetheringProfile {
    /// `Name`.
    pub name: String,
    /// `Context`.
    pub context: Context,
}

/// `TetheringSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct TetheringSettings {
    /// `TetheringProfile`.
    pub tethering_profile: Option<TetheringProfile>,
    /// `MaxNumberOfDevices` 3…10.
    pub max_number_of_devices: Option<u8>,
}

/// `AdditionalPDPContexts`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct AdditionalPdpContexts {
    /// `MultiplePDPContextPolicies@MultiplePDPContextSupport` (default true);
    /// `None` when the element is absent.
    pub multiple_pdp_context_support: Option<bool>,
    /// `MultiplePDPContextPolicies/PDPContextPolicy`.
    pub policies: Vec<PdpContextPolicy>,
    /// `TetheringSettings`.
    pub tethering_settings: Option<TetheringSettings>,
}

/// `v2:Extensions_v2`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ExtensionsV2 {
    /// `CarrierNetworkMetadata`.
    pub carrier_network_metadata: Option<CarrierNetworkMetadata>,
    /// `AdditionalPDPContexts`.
    pub additional_pdp_contexts: Option<AdditionalPdpContexts>,
}

const DATA_CLASSES: [&str; 15] = [
    "NONE",
    "GPRS",
    "EDGE",
    "UMTS",
    "HSDPA",
    "HSUPA",
    "LTE",
    "ONEXRTT",
    "ONEXEVDO",
    "ONEXEVDO_REVA",
    "ONEXEVDV",
    "THREEXRTT",
    "ONEXEVDO_REVB",
    "UMB",
    "CUSTOM",
];

/// Check `cc:Extensions` (a strict `##other` wildcard) and convert the
/// first `v2:Extensions_v2` in it.
pub fn parse_extensions(cx: &mut Ctx<'_>, node: &Node) -> Option<ExtensionsV2> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let mut first = None;
    for n in s.take_others(NS_CC) {
        if n.is(NS_CC2, "Extensions_v2") {
            let v = parse(cx, n);
            if first.is_none() {
                first = v;
            }
        } else {
            xsd::wildcard(cx, n, Process::Strict, super::validate_global);
        }
    }
    s.end(cx);
    first
}

fn int_el(cx: &mut Ctx<'_>, n: &Node, what: &str, min: i128, max: i128) -> Option<i128> {
    cx.attrs(n, &[]);
    xsd::text_integer(cx, n, what, min, max)
}

fn network_settings(cx: &mut Ctx<'_>, node: &Node) -> NetworkSettings {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let mut ns = NetworkSettings {
        ipv4_link_mtu: s
            .opt(NS_CC2, "IPv4LinkMTU")
            .and_then(|n| int_el(cx, n, "MTU (1280…1500)", 1280, 1500))
            .map(|v| v as u16),
        ipv6_link_mtu: s
            .opt(NS_CC2, "IPv6LinkMTU")
            .and_then(|n| int_el(cx, n, "MTU (1280…1500)", 1280, 1500))
            .map(|v| v as u16),
        ..NetworkSettings::default()
    };
    if let Some(d) = s.opt(NS_CC2, "DNSRetrySettings") {
        cx.attrs(d, &[]);
        let mut ds = cx.seq(d);
        ns.dns_retry_interval_in_seconds = ds
            .req(cx, NS_CC2, "DNSRetryIntervalInSeconds")
            .and_then(|n| int_el(cx, n, "DNSRetryIntervalInSeconds (1…4)", 1, 4))
            .map(|v| v as u8);
        ns.dns_retry_count = ds
            .req(cx, NS_CC2, "DNSRetryCount")
            .and_then(|n| int_el(cx, n, "DNSRetryCount (1…4)", 1, 4))
            .map(|v| v as u8);
        ds.end(cx);
    }
    s.end(cx);
    ns
}

fn metadata(cx: &mut Ctx<'_>, node: &Node) -> CarrierNetworkMetadata {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let mut m = CarrierNetworkMetadata {
        network_settings: s
            .opt(NS_CC2, "NetworkSettings")
            .map(|n| network_settings(cx, n)),
        ..CarrierNetworkMetadata::default()
    };
    if let Some(f) = s.opt(NS_CC2, "DataClassFriendlyNames") {
        cx.attrs(f, &[]);
        let mut fs = cx.seq(f);
        for class in DATA_CLASSES {
            if let Some(n) = fs.opt(NS_CC2, class) {
                cx.attrs(n, &[]);
                if let Some(v) = xsd::text_token(cx, n, 1, 15) {
                    m.data_class_friendly_names.push((class.to_owned(), v));
                }
            }
        }
        fs.end(cx);
    }
    m.customer_support_phone_number = s.opt(NS_CC2, "CustomerSupportPhoneNumber").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::text_token(cx, n, 0, 25)
    });
    s.end(cx);
    m
}

fn name_and_context(cx: &mut Ctx<'_>, s: &mut xsd::Seq<'_>) -> (Option<String>, Option<Context>) {
    let name = s.req(cx, NS_CC2, "Name").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::name_type(cx, n)
    });
    let ctx = s.req(cx, NS_CC2, "Context").map(|n| context(cx, n, NS_CC2));
    (name, ctx)
}

fn additional(cx: &mut Ctx<'_>, node: &Node) -> AdditionalPdpContexts {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let mut a = AdditionalPdpContexts::default();
    if let Some(m) = s.opt(NS_CC2, "MultiplePDPContextPolicies") {
        cx.attrs(m, &["MultiplePDPContextSupport"]);
        a.multiple_pdp_context_support =
            Some(xsd::attr_boolean(cx, m, "MultiplePDPContextSupport", true));
        let mut ms = cx.seq(m);
        for p in ms.many(NS_CC2, "PDPContextPolicy") {
            cx.attrs(p, &[]);
            let mut ps = cx.seq(p);
            let (name, ctx) = name_and_context(cx, &mut ps);
            let apps = ps.req(cx, NS_CC2, "AppIDList").map(|l| {
                cx.attrs(l, &[]);
                let mut ls = cx.seq(l);
                let ids: Vec<String> = ls
                    .many(NS_CC2, "AppID")
                    .into_iter()
                    .map(|n| {
                        cx.attrs(n, &[]);
                        cx.simple(n).to_owned()
                    })
                    .collect();
                ls.end(cx);
                ids
            });
            ps.end(cx);
            if let (Some(name), Some(context), Some(app_ids)) = (name, ctx, apps) {
                a.policies.push(PdpContextPolicy {
                    name,
                    context,
                    app_ids,
                });
            }
        }
        ms.end(cx);
    }
    if let Some(t) = s.opt(NS_CC2, "TetheringSettings") {
        cx.attrs(t, &[]);
        let mut ts = cx.seq(t);
        let mut out = TetheringSettings::default();
        if let Some(p) = ts.opt(NS_CC2, "TetheringProfile") {
            cx.attrs(p, &[]);
            let mut ps = cx.seq(p);
            let (name, ctx) = name_and_context(cx, &mut ps);
            ps.end(cx);
            if let (Some(name), Some(context)) = (name, ctx) {
                out.tethering_profile = Some(TetheringProfile { name, context });
            }
        }
        out.max_number_of_devices = ts
            .opt(NS_CC2, "MaxNumberOfDevices")
            .and_then(|n| int_el(cx, n, "MaxNumberOfDevices (3…10)", 3, 10))
            .map(|v| v as u8);
        ts.end(cx);
        a.tethering_settings = Some(out);
    }
    s.end(cx);
    a
}

/// Check and convert `v2:Extensions_v2`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Option<ExtensionsV2> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let e = ExtensionsV2 {
        carrier_network_metadata: s
            .opt(NS_CC2, "CarrierNetworkMetadata")
            .map(|n| metadata(cx, n)),
        additional_pdp_contexts: s
            .opt(NS_CC2, "AdditionalPDPContexts")
            .map(|n| additional(cx, n)),
    };
    s.end(cx);
    Some(e)
}
