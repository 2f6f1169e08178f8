//! CarrierControl account-provisioning documents, v1 and v2
//! (windows-operator-formats.md §1): parse, check against the published
//! schemas, and give typed values named after the schema elements.
//!
//! What the XSDs accept is accepted and what they reject is rejected —
//! element order, cardinality, ranges, lengths, patterns, required elements
//! and attributes, unknown attributes, strict and lax wildcards — with these
//! documented leniencies (§10), each accepted on purpose:
//! * `wwan:Message@RuleId` and `wwan:UsageTimestamp@AmToken`/`@PmToken`;
//! * `wwan:Locale` in the `en-US` form besides `English_United States.1252`;
//! * `base:ProviderID`/`ProviderName` and `base:SubjectName`/`IssuerName`
//!   also in the parent element's namespace (§1.1);
//! * `hs:HotspotProfile` with `UserName`/`Password` directly inside (no
//!   `BasicAuth` wrapper);
//! * `RefreshParameters/Username` for `UserName`;
//! * `plans:BillingCycle@Duration` written as an end `xs:dateTime`.
//!
//! Stricter than the XSD (the value could not be used): a `wwan:Pattern`
//! that does not compile as a regular expression or names a group it does
//! not have, and integers beyond 64 bits.
//!
//! The parser reads the whole document first ([`tree`]), then each section
//! module checks and converts its element. Every error names the element,
//! line and column; all errors found are reported, not just the first.
//! This module does no I/O and knows nothing of the store or the bus.

pub mod activation;
pub mod extensions_v2;
pub mod global;
pub mod mbn_profiles;
pub mod plans;
pub mod provisioning;
pub mod signature;
pub mod tree;
pub mod wlan_profiles;
pub mod xsd;

pub use activation::{Activation, ActivationMethod};
pub use extensions_v2::ExtensionsV2;
pub use global::Global;
pub use mbn_profiles::{CarrierMbnProfile, Context, MbnProfiles};
pub use plans::Plan;
pub use provisioning::Provisioning;
pub use signature::{Signature, SignatureVerdict, SignatureVerifier};
pub use wlan_profiles::WlanProfile;

use tree::Node;
use xsd::{Ctx, Process};

/// `http://www.microsoft.com/networking/CarrierControl/v1`.
pub const NS_CC: &str = "http://www.microsoft.com/networking/CarrierControl/v1";
/// `…/CarrierControl/v2` (`Extensions_v2`).
pub const NS_CC2: &str = "http://www.microsoft.com/networking/CarrierControl/v2";
/// `…/CarrierControl/WWAN/v1`.
pub const NS_WWAN: &str = "http://www.microsoft.com/networking/CarrierControl/WWAN/v1";
/// `…/CarrierControl/WLAN/v1`.
pub const NS_WLAN: &str = "http://www.microsoft.com/networking/CarrierControl/WLAN/v1";
/// `…/CarrierControl/WLAN/v2` (extra SSIDs and prefixes).
pub const NS_WLAN2: &str = "http://www.microsoft.com/networking/CarrierControl/WLAN/v2";
/// `…/CarrierControl/Plans/v1`.
pub const NS_PLANS: &str = "http://www.microsoft.com/networking/CarrierControl/Plans/v1";
/// `…/CarrierControl/Base/v1`.
pub const NS_BASE: &str = "http://www.microsoft.com/networking/CarrierControl/Base/v1";
/// `…/networking/WLAN/HotspotProfile/v1`.
pub const NS_HS: &str = "http://www.microsoft.com/networking/WLAN/HotspotProfile/v1";
/// XML-DSig.
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The 802.1X block (no schema of ours: processed laxly).
pub const NS_ONEX: &str = "http://www.microsoft.com/networking/OneX/v1";

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Local name of the element concerned (empty when none).
    pub element: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if !self.element.is_empty() {
            write!(f, "{}: ", self.element)?;
        }
        f.write_str(&self.message)
    }
}

/// A document that is not valid: every error found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ParseError {
    /// In discovery order (document order within a section).
    pub errors: Vec<DocError>,
}

/// A parsed, schema-valid `CarrierProvisioning` document.
#[derive(Debug, Clone)]
pub struct CarrierProvisioning {
    /// `Global`.
    pub global: Global,
    /// `Activation`.
    pub activation: Option<Activation>,
    /// `MBNProfiles`.
    pub mbn_profiles: Option<MbnProfiles>,
    /// `WLANProfiles` (present and empty: delete every operator WLAN profile).
    pub wlan_profiles: Option<Vec<WlanProfile>>,
    /// `Plans`.
    pub plans: Option<Vec<Plan>>,
    /// `Provisioning`.
    pub provisioning: Option<Provisioning>,
    /// `Extensions/v2:Extensions_v2` (the first one, when several).
    pub extensions_v2: Option<ExtensionsV2>,
    /// `ds:Signature`.
    pub signature: Option<Signature>,
}

/// Parse and validate a document.
pub fn parse(xml: &str) -> Result<CarrierProvisioning, ParseError> {
    let root = tree::build(xml).map_err(|e| ParseError { errors: vec![e] })?;
    let mut cx = Ctx::new(xml);
    let doc = carrier_provisioning(&mut cx, &root);
    match doc {
        Some(d) if cx.errors.is_empty() => Ok(d),
        _ => {
            if cx.errors.is_empty() {
                cx.err(&root, "document is not valid");
            }
            Err(ParseError { errors: cx.errors })
        }
    }
}

fn carrier_provisioning(cx: &mut Ctx<'_>, root: &Node) -> Option<CarrierProvisioning> {
    if !root.is(NS_CC, "CarrierProvisioning") {
        cx.err(
            root,
            format!(
                "the root element must be {{{NS_CC}}}CarrierProvisioning, not {{{}}}{}",
                root.ns.as_deref().unwrap_or(""),
                root.name
            ),
        );
        return None;
    }
    cx.attrs(root, &[]);
    let mut s = cx.seq(root);
    let global = s
        .req(cx, NS_CC, "Global")
        .and_then(|n| global::parse(cx, n));
    let activation = s
        .opt(NS_CC, "Activation")
        .and_then(|n| activation::parse(cx, n));
    let mbn_profiles = s
        .opt(NS_CC, "MBNProfiles")
        .and_then(|n| mbn_profiles::parse(cx, n));
    let wlan_profiles = s
        .opt(NS_CC, "WLANProfiles")
        .map(|n| wlan_profiles::parse(cx, n));
    let plans = s.opt(NS_CC, "Plans").map(|n| plans::parse_plans(cx, n));
    let provisioning = s
        .opt(NS_CC, "Provisioning")
        .and_then(|n| provisioning::parse(cx, n));
    let extensions_v2 = s
        .opt(NS_CC, "Extensions")
        .and_then(|n| extensions_v2::parse_extensions(cx, n));
    let signature = s
        .opt(NS_DS, "Signature")
        .and_then(|n| signature::parse(cx, n));
    s.end(cx);
    Some(CarrierProvisioning {
        global: global?,
        activation,
        mbn_profiles,
        wlan_profiles,
        plans,
        provisioning,
        extensions_v2,
        signature,
    })
}

/// Validate `node` against its global element declaration, if the schema
/// set (CarrierControl v1/v2, WWAN, WLAN v1/v2, Plans, Base, HotspotProfile,
/// XML-DSig) has one. Used for elements matched by wildcards.
pub fn validate_global(cx: &mut Ctx<'_>, node: &Node) -> bool {
    let Some(ns) = node.ns.as_deref() else {
        return false;
    };
    let name = node.name.as_str();
    match ns {
        NS_CC if name == "CarrierProvisioning" => {
            carrier_provisioning(cx, node);
        }
        NS_CC2 if name == "Extensions_v2" => {
            extensions_v2::parse(cx, node);
        }
        NS_WWAN => match name {
            "ReregisterToNetwork" | "ReconnectToNetwork" | "ServiceActivation" => {
                activation::method(cx, node);
            }
            "ActivationMethod" => cx.err(
                node,
                "ActivationMethod is abstract; use one of its substitutes",
            ),
            "DefaultProfile" | "PurchaseProfile" => {
                mbn_profiles::profile(cx, node);
            }
            "Messages" => {
                mbn_profiles::messages(cx, node);
            }
            "Branding" => {
                mbn_profiles::branding(cx, node);
            }
            "SMSBearer" => mbn_profiles::sms_bearer(cx, node),
            "USSDBearer" => {}
            _ => return false,
        },
        NS_WLAN if name == "WLANProfile" => {
            wlan_profiles::profile(cx, node);
        }
        NS_WLAN2 if name == "SSID" => {
            wlan_profiles::ssid(cx, node, 1);
        }
        NS_WLAN2 if name == "SSIDPrefix" => {
            wlan_profiles::ssid(cx, node, 4);
        }
        NS_PLANS => match name {
            "Plan" => {
                plans::plan(cx, node);
            }
            "Description" => {
                plans::description(cx, node);
            }
            "Usage" => {
                plans::usage(cx, node);
            }
            _ => return false,
        },
        NS_HS => return wlan_profiles::hotspot_global(cx, node),
        NS_DS => return signature::validate_global(cx, node),
        _ => return false,
    }
    true
}

/// Process `xs:any` children strictly or laxly (shorthand for the sections).
pub(crate) fn others<'n>(
    cx: &mut Ctx<'_>,
    s: &mut xsd::Seq<'n>,
    target: &str,
    process: Process,
) -> Vec<&'n Node> {
    s.others(cx, target, process, validate_global)
}

/// The fuzz target's check (also replayed on stable over the corpus): any
/// bytes parse without panicking; a valid document's spans lie inside it and
/// every error carries a position.
pub fn check_parser(data: &[u8]) -> Result<(), String> {
    let Ok(xml) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match parse(xml) {
        Ok(d) => {
            if let Some(s) = &d.signature {
                let text = xml
                    .get(s.span.clone())
                    .ok_or_else(|| format!("signature span {:?} outside the document", s.span))?;
                if !text.starts_with('<') || !text.ends_with('>') {
                    return Err(format!("signature span {:?} is not an element", s.span));
                }
            }
            if let Some(m) = d.mbn_profiles.as_ref().and_then(|m| m.messages.as_ref())
                && !m.xml.starts_with('<')
            {
                return Err("Messages text is not an element".into());
            }
            Ok(())
        }
        Err(e) => {
            if e.errors.is_empty() {
                return Err("rejected without an error".into());
            }
            match e.errors.iter().find(|e| e.line == 0 || e.column == 0) {
                Some(bad) => Err(format!("error without a position: {bad}")),
                None => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_document_parses() {
        let x = format!(
            r#"<CarrierProvisioning xmlns="{NS_CC}"><Global><CarrierId>{{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}}</CarrierId><SubscriberId>310260123456700</SubscriberId></Global></CarrierProvisioning>"#
        );
        let d = parse(&x).unwrap();
        assert_eq!(d.global.subscriber_id, "310260123456700");
        assert!(d.activation.is_none() && d.signature.is_none());
    }

    #[test]
    fn wrong_root_and_missing_global_are_errors_with_positions() {
        let e = parse(r#"<Foo xmlns="urn:x"/>"#).unwrap_err();
        assert_eq!((e.errors[0].line, e.errors[0].column), (1, 1));
        let x =
            format!("<CarrierProvisioning xmlns=\"{NS_CC}\">\n  <Plans/>\n</CarrierProvisioning>");
        let e = parse(&x).unwrap_err();
        assert_eq!(e.errors[0].line, 2);
        assert!(e.errors[0].message.contains("Global"), "{e}");
    }
}
