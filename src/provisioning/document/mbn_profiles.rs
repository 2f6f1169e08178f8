//! `MBNProfiles` (windows-operator-formats.md §1.5–1.6): the default and
//! purchase connection profiles, the operator-message rules (`Messages`,
//! converted to the messaging layer's [`RuleSet`]) and `Branding`.

use super::tree::{Node, line_column};
use super::xsd::{self, Ctx, Process};
use super::{DocError, NS_BASE, NS_WWAN, others};
use crate::messaging::rules::RuleSet;

/// `wwan:ContextType` / `v2:ApnContextType`: how to open the data session.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Context {
    /// `AccessString`: the APN (token, 1…100).
    pub access_string: Option<String>,
    /// `UserLogonCred/UserName`.
    pub user_name: Option<String>,
    /// `UserLogonCred/Password`.
    pub password: Option<String>,
    /// `Compression`: `DISABLE` or `ENABLE`.
    pub compression: Option<String>,
    /// `AuthProtocol`: `NONE`, `PAP`, `CHAP` or `MsCHAPv2`.
    pub auth_protocol: Option<String>,
}

/// A preferred roaming partner (`DataRoamingPartners/Provider`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provider {
    /// `ProviderID`: MCC+MNC or SID, 1–6 digits.
    pub provider_id: String,
    /// `ProviderName`, 1–20 characters.
    pub provider_name: String,
}

/// `wwan:CarrierMBNProfile` (`DefaultProfile`, `PurchaseProfile`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CarrierMbnProfile {
    /// `@Priority` 0…9, default 5.
    pub priority: u8,
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `AssociatedPlan`: a `plans:Plan@Name`.
    pub associated_plan: Option<String>,
    /// `HomeProviderName`.
    pub home_provider_name: Option<String>,
    /// `Context`.
    pub context: Option<Context>,
    /// `DataRoamingPartners`.
    pub data_roaming_partners: Vec<Provider>,
}

/// `wwan:Messages`: operator SMS/USSD rules.
#[derive(Debug, Clone)]
pub struct Messages {
    /// The rules, as the messaging layer uses them.
    pub rules: RuleSet,
    /// The element's XML as written (what the store keeps).
    pub xml: String,
}

/// `wwan:Branding` (deprecated by Windows, kept for the operator name/logo).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Branding {
    /// `Logo`: 32×32 BMP or PNG bytes.
    pub logo: Option<Vec<u8>>,
    /// `Name`, at most 20 characters.
    pub name: Option<String>,
}

/// `MBNProfiles`.
#[derive(Debug, Clone, Default)]
pub struct MbnProfiles {
    /// `wwan:DefaultProfile`.
    pub default_profile: Option<CarrierMbnProfile>,
    /// `wwan:PurchaseProfile`.
    pub purchase_profile: Option<CarrierMbnProfile>,
    /// `wwan:Messages`.
    pub messages: Option<Messages>,
    /// `wwan:Branding`.
    pub branding: Option<Branding>,
}

/// Check and convert `MBNProfiles`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Option<MbnProfiles> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let default_profile = s
        .opt(NS_WWAN, "DefaultProfile")
        .and_then(|n| profile(cx, n));
    let purchase_profile = s
        .opt(NS_WWAN, "PurchaseProfile")
        .and_then(|n| profile(cx, n));
    let messages = s.opt(NS_WWAN, "Messages").and_then(|n| messages(cx, n));
    let branding = s.opt(NS_WWAN, "Branding").and_then(|n| branding(cx, n));
    s.end(cx);
    Some(MbnProfiles {
        default_profile,
        purchase_profile,
        messages,
        branding,
    })
}

fn enumeration(cx: &mut Ctx<'_>, node: &Node, allowed: &[&str]) -> Option<String> {
    cx.attrs(node, &[]);
    let v = xsd::collapse(cx.simple(node));
    if allowed.contains(&v.as_str()) {
        Some(v)
    } else {
        cx.bad_value(node, &format!("value (one of {})", allowed.join(", ")), &v);
        None
    }
}

/// Check and convert a context (`ns` is WWAN for MBN profiles, CC v2 for
/// additional PDP contexts).
pub fn context(cx: &mut Ctx<'_>, node: &Node, ns: &str) -> Context {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let mut c = Context {
        access_string: s.opt(ns, "AccessString").and_then(|n| {
            cx.attrs(n, &[]);
            xsd::text_token(cx, n, 1, 100)
        }),
        ..Context::default()
    };
    if let Some(cred) = s.opt(ns, "UserLogonCred") {
        cx.attrs(cred, &[]);
        let mut cs = cx.seq(cred);
        c.user_name = cs.req(cx, ns, "UserName").and_then(|n| {
            cx.attrs(n, &[]);
            xsd::name_type(cx, n)
        });
        c.password = cs.opt(ns, "Password").map(|n| {
            cx.attrs(n, &[]);
            cx.simple(n).to_owned()
        });
        cs.end(cx);
    }
    c.compression = s
        .opt(ns, "Compression")
        .and_then(|n| enumeration(cx, n, &["DISABLE", "ENABLE"]));
    c.auth_protocol = s
        .opt(ns, "AuthProtocol")
        .and_then(|n| enumeration(cx, n, &["NONE", "PAP", "CHAP", "MsCHAPv2"]));
    s.end(cx);
    c
}

/// `base:ProviderNameType`: normalizedString, collapse, 1…20.
fn provider_name(cx: &mut Ctx<'_>, node: &Node) -> Option<String> {
    cx.attrs(node, &[]);
    xsd::text_token(cx, node, 1, 20)
}

/// Check and convert a `CarrierMBNProfile`.
pub fn profile(cx: &mut Ctx<'_>, node: &Node) -> Option<CarrierMbnProfile> {
    cx.attrs(node, &["Priority"]);
    let priority =
        xsd::attr_integer(cx, node, "Priority", "base:Priority (0…9)", 0, 9).unwrap_or(5) as u8;
    let mut s = cx.seq(node);
    let name = s.req(cx, NS_WWAN, "Name").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::name_type(cx, n)
    });
    let description = s.opt(NS_WWAN, "Description").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::name_type(cx, n)
    });
    let associated_plan = s.opt(NS_WWAN, "AssociatedPlan").map(|n| {
        cx.attrs(n, &[]);
        cx.simple(n).to_owned()
    });
    let home_provider_name = s
        .opt(NS_WWAN, "HomeProviderName")
        .and_then(|n| provider_name(cx, n));
    let context = s.opt(NS_WWAN, "Context").map(|n| context(cx, n, NS_WWAN));
    let mut partners = Vec::new();
    if let Some(drp) = s.opt(NS_WWAN, "DataRoamingPartners") {
        cx.attrs(drp, &[]);
        let mut ds = cx.seq(drp);
        let providers = ds.count(cx, NS_WWAN, "Provider", 1, usize::MAX);
        ds.end(cx);
        for p in providers {
            cx.attrs(p, &[]);
            let mut ps = cx.seq(p);
            // The XSD puts these in the Base namespace; Microsoft's prose
            // writes them unqualified under the WWAN default: accept both.
            let id = ps
                .req_any(cx, &[NS_BASE, NS_WWAN], "ProviderID")
                .and_then(|n| {
                    cx.attrs(n, &[]);
                    let v = xsd::collapse(cx.simple(n));
                    let len = v.chars().count();
                    if (1..=6).contains(&len) && v.chars().all(xsd::is_schema_digit) {
                        Some(v)
                    } else {
                        cx.bad_value(n, "ProviderID (1–6 digits)", &v);
                        None
                    }
                });
            let pname = ps
                .req_any(cx, &[NS_BASE, NS_WWAN], "ProviderName")
                .and_then(|n| provider_name(cx, n));
            ps.end(cx);
            if let (Some(provider_id), Some(provider_name)) = (id, pname) {
                partners.push(Provider {
                    provider_id,
                    provider_name,
                });
            }
        }
    }
    if let Some(ext) = s.opt(NS_WWAN, "Extensions") {
        cx.attrs(ext, &[]);
        let mut es = cx.seq(ext);
        others(cx, &mut es, NS_WWAN, Process::Lax);
        es.end(cx);
    }
    s.end(cx);
    Some(CarrierMbnProfile {
        priority,
        name: name?,
        description,
        associated_plan,
        home_provider_name,
        context,
        data_roaming_partners: partners,
    })
}

/// Check and convert `Branding`.
pub fn branding(cx: &mut Ctx<'_>, node: &Node) -> Option<Branding> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let logo = s.opt(NS_WWAN, "Logo").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::text_base64(cx, n)
    });
    let name = s.opt(NS_WWAN, "Name").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::text_string(cx, n, 0, 20)
    });
    others(cx, &mut s, NS_WWAN, Process::Strict);
    s.end(cx);
    Some(Branding { logo, name })
}

/// Check `SMSBearer`.
pub fn sms_bearer(cx: &mut Ctx<'_>, node: &Node) {
    cx.attrs(node, &["Sender", "ClassZeroOnly"]);
    xsd::attr_boolean(cx, node, "ClassZeroOnly", true);
    cx.empty(node);
}

fn positive(cx: &mut Ctx<'_>, node: &Node, attr: &str, required: bool) {
    match node.attr(attr) {
        Some(v) => {
            xsd::integer_in(
                cx,
                node,
                v,
                &format!("{attr} (xs:positiveInteger)"),
                1,
                i128::MAX,
            );
        }
        None if required => cx.err(node, format!("{} needs the attribute {attr}", node.name)),
        None => {}
    }
}

fn field(cx: &mut Ctx<'_>, f: &Node) {
    cx.empty(f);
    let units = ["None", "K", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"];
    match f.name.as_str() {
        "Usage" | "UsageOverage" | "DataLimit" | "InboundBandwidth" | "OutboundBandwidth" => {
            cx.attrs(f, &["Group", "UnitGroup", "DefaultUnit"]);
            positive(cx, f, "Group", true);
            positive(cx, f, "UnitGroup", false);
            if let Some(u) = f.attr("DefaultUnit")
                && !units.contains(&xsd::collapse(u).as_str())
            {
                cx.bad_value(f, "DefaultUnit", u);
            }
        }
        "UsagePercentage" | "UsageOveragePercentage" => {
            cx.attrs(f, &["Group"]);
            positive(cx, f, "Group", true);
        }
        "UsageTimestamp" => {
            // AmToken/PmToken: documented on the element page, not in the XSD.
            cx.attrs(f, &["Format", "Group", "AmToken", "PmToken"]);
            positive(cx, f, "Group", true);
            if f.attr("Format").is_none() {
                cx.err(f, "UsageTimestamp needs the attribute Format");
            }
        }
        "OverDataLimit" | "Congested" | "RefreshProvisioning" | "ActivationComplete" => {
            cx.attrs(f, &["TrueToken", "FalseToken", "Default", "Group"]);
            xsd::attr_boolean(cx, f, "Default", false);
            positive(cx, f, "Group", false);
        }
        "PlanType" => {
            cx.attrs(
                f,
                &[
                    "Group",
                    "Default",
                    "UnrestrictedTokens",
                    "FixedTokens",
                    "VariableTokens",
                ],
            );
            positive(cx, f, "Group", false);
            if let Some(d) = f.attr("Default")
                && !["Unrestricted", "Fixed", "Variable"].contains(&d)
            {
                cx.bad_value(f, "PlanType", d);
            }
        }
        _ => {}
    }
}

const FIELDS: [&str; 13] = [
    "Usage",
    "UsagePercentage",
    "UsageTimestamp",
    "UsageOverage",
    "UsageOveragePercentage",
    "DataLimit",
    "OverDataLimit",
    "Congested",
    "InboundBandwidth",
    "OutboundBandwidth",
    "PlanType",
    "RefreshProvisioning",
    "ActivationComplete",
];

fn locale_ok(v: &str) -> bool {
    // XSD: \w+(_[\w ]+)?(\.\d+)? — the C-runtime form.
    let (head, num) = match v.rsplit_once('.') {
        Some((h, n)) if !n.is_empty() && n.chars().all(xsd::is_schema_digit) => (h, Some(n)),
        _ => (v, None),
    };
    let _ = num;
    let (lang, region) = match head.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (head, None),
    };
    let crt = !lang.is_empty()
        && lang.chars().all(xsd::is_schema_word_char)
        && region.is_none_or(|r| {
            !r.is_empty() && r.chars().all(|c| c == ' ' || xsd::is_schema_word_char(c))
        });
    // Leniency (§10): the element page's `en-US` form.
    let bcp47 = {
        let mut parts = v.split('-');
        parts.next().is_some_and(|l| {
            (2..=8).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic())
        }) && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    crt || bcp47
}

fn message(cx: &mut Ctx<'_>, m: &Node) {
    // RuleId: documented and used by Microsoft, missing from the XSD.
    cx.attrs(m, &["Silent", "RuleId"]);
    xsd::attr_boolean(cx, m, "Silent", true);
    let mut s = cx.seq(m);
    let sms = s.many(NS_WWAN, "SMSBearer");
    for b in &sms {
        sms_bearer(cx, b);
    }
    let ussd = s.opt(NS_WWAN, "USSDBearer");
    if let Some(u) = ussd {
        for c in &u.children {
            xsd::wildcard(cx, c, Process::Lax, super::validate_global);
        }
    }
    if sms.is_empty() && ussd.is_none() {
        s.missing(cx, "SMSBearer or USSDBearer");
    }
    if let Some(p) = s.req(cx, NS_WWAN, "Pattern") {
        cx.attrs(p, &[]);
        cx.simple(p);
    }
    if let Some(l) = s.opt(NS_WWAN, "Locale") {
        cx.attrs(l, &[]);
        let v = xsd::collapse(cx.simple(l));
        if !locale_ok(&v) {
            cx.bad_value(l, "Locale", &v);
        }
    }
    if let Some(u) = s.opt(NS_WWAN, "Units") {
        cx.attrs(u, &["K", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"]);
        cx.empty(u);
    }
    if let Some(f) = s.opt(NS_WWAN, "Fields") {
        cx.attrs(f, &[]);
        cx.element_only(f);
        let mut seen: Vec<&str> = Vec::new();
        for c in &f.children {
            let known = c.ns.as_deref() == Some(NS_WWAN) && FIELDS.contains(&c.name.as_str());
            if !known {
                cx.err(c, format!("unexpected element {} in Fields", c.name));
            } else if seen.contains(&c.name.as_str()) {
                cx.err(c, format!("{} appears twice in Fields", c.name));
            } else {
                seen.push(&c.name);
                field(cx, c);
            }
        }
    }
    s.end(cx);
}

/// Check `Messages` and convert it to the messaging layer's rules.
pub fn messages(cx: &mut Ctx<'_>, node: &Node) -> Option<Messages> {
    let before = cx.errors.len();
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let msgs = s.count(cx, NS_WWAN, "Message", 1, usize::MAX);
    s.end(cx);
    for m in msgs {
        message(cx, m);
    }
    if cx.errors.len() != before {
        return None;
    }
    let xml = cx.xml.get(node.span.clone()).unwrap_or("").to_owned();
    match RuleSet::from_xml(&xml, "Messages") {
        Ok(rules) => Some(Messages { rules, xml }),
        Err(e) => {
            // Positions are relative to the element: shift them.
            let (l0, c0) = line_column(cx.xml, node.span.start);
            let (line, column) = if e.line <= 1 {
                (l0, c0 + e.column.saturating_sub(1))
            } else {
                (l0 + e.line - 1, e.column)
            };
            cx.errors.push(DocError {
                line,
                column,
                element: "Messages".into(),
                message: e.message,
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_accept_both_documented_forms() {
        for ok in [
            "English_United States.1252",
            "German_Germany",
            "en-US",
            "de",
            "C.65001",
        ] {
            assert!(locale_ok(ok), "{ok}");
        }
        for bad in ["", "en_", "_x", "a.b", "en US-x!"] {
            assert!(!locale_ok(bad), "{bad}");
        }
    }
}
