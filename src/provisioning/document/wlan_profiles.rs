//! `WLANProfiles` (windows-operator-formats.md §1.7): operator Wi-Fi
//! profiles with their SSIDs (WLAN v1, plus the v2 SSID and prefix lists),
//! MSM security settings and the `hs:HotspotProfile` (WISPr credentials) or
//! `onex:OneX` (802.1X/EAP) blocks inserted under `MSM/security`.
//!
//! The OneX block has no schema of ours: it is processed laxly and kept as
//! XML text, with the EAP method type picked out when present.

use super::tree::Node;
use super::xsd::{self, Ctx, Process};
use super::{NS_HS, NS_ONEX, NS_WLAN, NS_WLAN2, others};

/// An SSID or SSID prefix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ssid {
    /// `hex`: raw octets.
    Hex(Vec<u8>),
    /// `name`: text.
    Name(String),
}

/// `MSM/security/sharedKey`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SharedKey {
    /// `keyType`: `networkKey` or `passPhrase`.
    pub key_type: String,
    /// `protected`.
    pub protected: bool,
    /// `keyMaterial`.
    pub key_material: String,
}

/// How the hotspot gets its credentials.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HotspotAuth {
    /// `BasicAuth`: static user name and password.
    Basic {
        /// `UserName`.
        user_name: String,
        /// `Password`.
        password: String,
    },
    /// `ExtAuth`: an app supplies them.
    Ext {
        /// `ExtensionId`: the app's identity.
        extension_id: String,
    },
}

/// One `hs:SSIDConfig/SSID` ("secondary" SSIDs).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HotspotSsid {
    /// `hex`.
    Hex(Vec<u8>),
    /// `hexPrefix`.
    HexPrefix(Vec<u8>),
    /// `name`.
    Name(String),
    /// `namePrefix`.
    NamePrefix(String),
}

/// `hs:HotspotProfile`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HotspotProfile {
    /// Credentials source.
    pub auth: HotspotAuth,
    /// `TrustedDomains/TrustedDomain`.
    pub trusted_domains: Vec<String>,
    /// `UserAgent`.
    pub user_agent: Option<String>,
    /// `SSIDConfig/SSID`.
    pub ssids: Vec<HotspotSsid>,
}

/// The 802.1X block, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OneX {
    /// EAP method type (18 EAP-SIM, 23 EAP-AKA, 50 EAP-AKA′), when found.
    pub eap_type: Option<u32>,
    /// The element's XML.
    pub xml: String,
}

/// `MSM/security`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Security {
    /// `authEncryption/authentication`.
    pub authentication: String,
    /// `authEncryption/encryption`.
    pub encryption: String,
    /// `authEncryption/useOneX`.
    pub use_one_x: Option<bool>,
    /// `sharedKey`.
    pub shared_key: Option<SharedKey>,
    /// `keyIndex` 0…3.
    pub key_index: Option<u8>,
    /// `PMKCacheMode`.
    pub pmk_cache_mode: Option<String>,
    /// `PMKCacheTTL` 5…1440 minutes.
    pub pmk_cache_ttl: Option<u16>,
    /// `PMKCacheSize` 1…255.
    pub pmk_cache_size: Option<u8>,
    /// `preAuthMode`.
    pub pre_auth_mode: Option<String>,
    /// `preAuthThrottle` 1…16.
    pub pre_auth_throttle: Option<u8>,
    /// `hs:HotspotProfile`.
    pub hotspot: Option<HotspotProfile>,
    /// `onex:OneX`.
    pub one_x: Option<OneX>,
}

/// `wlan:WLANProfile`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WlanProfile {
    /// `@Priority` 0…9, default 5.
    pub priority: u8,
    /// `name`.
    pub name: String,
    /// `AssociatedPlan`.
    pub associated_plan: Option<String>,
    /// v1 `SSID`s and v2 `SSID`s, in order.
    pub ssids: Vec<Ssid>,
    /// v2 `SSIDPrefix`es.
    pub ssid_prefixes: Vec<Ssid>,
    /// `MSM/security`.
    pub security: Option<Security>,
}

/// Check and convert `WLANProfiles`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Vec<WlanProfile> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let v = s.many(NS_WLAN, "WLANProfile");
    s.end(cx);
    v.into_iter().filter_map(|n| profile(cx, n)).collect()
}

fn ssid_choice(cx: &mut Ctx<'_>, node: &Node, ns: &str, min: usize) -> Option<Ssid> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let r = if let Some(h) = s.opt(ns, "hex") {
        cx.attrs(h, &[]);
        let raw = cx.simple(h).to_owned();
        match xsd::hex_value(&raw) {
            Some(b) if (min..=32).contains(&b.len()) => Some(Ssid::Hex(b)),
            Some(b) => {
                cx.err(h, format!("hex: {} octets; {min}…32 allowed", b.len()));
                None
            }
            None => {
                cx.bad_value(h, "xs:hexBinary", raw.trim());
                None
            }
        }
    } else if let Some(n) = s.opt(ns, "name") {
        cx.attrs(n, &[]);
        xsd::text_string(cx, n, min, 32).map(Ssid::Name)
    } else {
        s.missing(cx, "hex or name");
        None
    };
    s.end(cx);
    r
}

/// Check a WLAN v2 `SSID` (`min` 1) or `SSIDPrefix` (`min` 4).
pub fn ssid(cx: &mut Ctx<'_>, node: &Node, min: usize) -> Option<Ssid> {
    ssid_choice(cx, node, NS_WLAN2, min)
}

fn enumeration(cx: &mut Ctx<'_>, node: &Node, allowed: &[&str]) -> Option<String> {
    cx.attrs(node, &[]);
    // xs:string restriction: white space is significant.
    let v = cx.simple(node).to_owned();
    if allowed.contains(&v.as_str()) {
        Some(v)
    } else {
        cx.bad_value(node, &format!("value (one of {})", allowed.join(", ")), &v);
        None
    }
}

fn int_el(cx: &mut Ctx<'_>, node: &Node, what: &str, min: i128, max: i128) -> Option<i128> {
    cx.attrs(node, &[]);
    xsd::text_integer(cx, node, what, min, max)
}

fn security(cx: &mut Ctx<'_>, node: &Node) -> Security {
    cx.attrs(node, &[]);
    let mut out = Security::default();
    let mut s = cx.seq(node);
    if let Some(ae) = s.req(cx, NS_WLAN, "authEncryption") {
        cx.attrs(ae, &[]);
        let mut a = cx.seq(ae);
        out.authentication = a
            .req(cx, NS_WLAN, "authentication")
            .and_then(|n| {
                enumeration(
                    cx,
                    n,
                    &["open", "shared", "WPA", "WPAPSK", "WPA2", "WPA2PSK"],
                )
            })
            .unwrap_or_default();
        out.encryption = a
            .req(cx, NS_WLAN, "encryption")
            .and_then(|n| enumeration(cx, n, &["none", "WEP", "TKIP", "AES"]))
            .unwrap_or_default();
        out.use_one_x = a.opt(NS_WLAN, "useOneX").and_then(|n| {
            cx.attrs(n, &[]);
            xsd::text_boolean(cx, n)
        });
        others(cx, &mut a, NS_WLAN, Process::Lax);
        a.end(cx);
    }
    if let Some(sk) = s.opt(NS_WLAN, "sharedKey") {
        cx.attrs(sk, &[]);
        let mut k = cx.seq(sk);
        let key_type = k
            .req(cx, NS_WLAN, "keyType")
            .and_then(|n| enumeration(cx, n, &["networkKey", "passPhrase"]));
        let protected = k.req(cx, NS_WLAN, "protected").and_then(|n| {
            cx.attrs(n, &[]);
            xsd::text_boolean(cx, n)
        });
        let key_material = k.req(cx, NS_WLAN, "keyMaterial").map(|n| {
            cx.attrs(n, &[]);
            cx.simple(n).to_owned()
        });
        others(cx, &mut k, NS_WLAN, Process::Lax);
        k.end(cx);
        if let (Some(key_type), Some(protected), Some(key_material)) =
            (key_type, protected, key_material)
        {
            out.shared_key = Some(SharedKey {
                key_type,
                protected,
                key_material,
            });
        }
    }
    out.key_index = s
        .opt(NS_WLAN, "keyIndex")
        .and_then(|n| int_el(cx, n, "keyIndex (0…3)", 0, 3))
        .map(|v| v as u8);
    out.pmk_cache_mode = s
        .opt(NS_WLAN, "PMKCacheMode")
        .and_then(|n| enumeration(cx, n, &["disabled", "enabled"]));
    out.pmk_cache_ttl = s
        .opt(NS_WLAN, "PMKCacheTTL")
        .and_then(|n| int_el(cx, n, "PMKCacheTTL (5…1440)", 5, 1440))
        .map(|v| v as u16);
    out.pmk_cache_size = s
        .opt(NS_WLAN, "PMKCacheSize")
        .and_then(|n| int_el(cx, n, "PMKCacheSize (1…255)", 1, 255))
        .map(|v| v as u8);
    out.pre_auth_mode = s
        .opt(NS_WLAN, "preAuthMode")
        .and_then(|n| enumeration(cx, n, &["disabled", "enabled"]));
    out.pre_auth_throttle = s
        .opt(NS_WLAN, "preAuthThrottle")
        .and_then(|n| int_el(cx, n, "preAuthThrottle (1…16)", 1, 16))
        .map(|v| v as u8);
    for n in s.take_others(NS_WLAN) {
        if n.is(NS_HS, "HotspotProfile") {
            let h = hotspot_profile(cx, n);
            out.hotspot = out.hotspot.take().or(h);
            continue;
        }
        xsd::wildcard(cx, n, Process::Lax, super::validate_global);
        if n.is(NS_ONEX, "OneX") && out.one_x.is_none() {
            out.one_x = Some(OneX {
                eap_type: eap_type(n),
                xml: cx.xml.get(n.span.clone()).unwrap_or("").to_owned(),
            });
        }
    }
    s.end(cx);
    out
}

/// `EapMethod/Type` anywhere under the OneX block.
fn eap_type(n: &Node) -> Option<u32> {
    if n.name == "EapMethod"
        && let Some(t) = n.children.iter().find(|c| c.name == "Type")
    {
        return t.text.trim().parse().ok();
    }
    n.children.iter().find_map(eap_type)
}

/// Check and convert `wlan:WLANProfile`.
pub fn profile(cx: &mut Ctx<'_>, node: &Node) -> Option<WlanProfile> {
    cx.attrs(node, &["Priority"]);
    let priority =
        xsd::attr_integer(cx, node, "Priority", "base:Priority (0…9)", 0, 9).unwrap_or(5) as u8;
    let mut s = cx.seq(node);
    let name = s.req(cx, NS_WLAN, "name").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::name_type(cx, n)
    });
    let associated_plan = s.opt(NS_WLAN, "AssociatedPlan").map(|n| {
        cx.attrs(n, &[]);
        cx.simple(n).to_owned()
    });
    let mut ssids = Vec::new();
    let mut ssid_prefixes = Vec::new();
    if let Some(sc) = s.req(cx, NS_WLAN, "SSIDConfig") {
        cx.attrs(sc, &[]);
        let mut ss = cx.seq(sc);
        for n in ss.count(cx, NS_WLAN, "SSID", 1, 25) {
            ssids.extend(ssid_choice(cx, n, NS_WLAN, 1));
        }
        let mut v2 = 0usize;
        for n in ss.take_others(NS_WLAN) {
            if n.is(NS_WLAN2, "SSID") {
                v2 += 1;
                if v2 == 10_001 {
                    cx.err(n, "at most 10000 WLAN v2 SSIDs are allowed in a profile");
                }
                ssids.extend(ssid(cx, n, 1));
            } else if n.is(NS_WLAN2, "SSIDPrefix") {
                ssid_prefixes.extend(ssid(cx, n, 4));
            } else {
                xsd::wildcard(cx, n, Process::Lax, super::validate_global);
            }
        }
        ss.end(cx);
    }
    let mut sec = None;
    if let Some(msm) = s.opt(NS_WLAN, "MSM") {
        cx.attrs(msm, &[]);
        let mut ms = cx.seq(msm);
        sec = ms.opt(NS_WLAN, "security").map(|n| security(cx, n));
        others(cx, &mut ms, NS_WLAN, Process::Lax);
        ms.end(cx);
    }
    s.end(cx);
    Some(WlanProfile {
        priority,
        name: name?,
        associated_plan,
        ssids,
        ssid_prefixes,
        security: sec,
    })
}

fn token_el(cx: &mut Ctx<'_>, n: &Node) -> String {
    cx.attrs(n, &[]);
    xsd::collapse(cx.simple(n))
}

fn trusted_domains(cx: &mut Ctx<'_>, node: &Node) -> Vec<String> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let v = s.count(cx, NS_HS, "TrustedDomain", 1, usize::MAX);
    s.end(cx);
    v.into_iter().map(|n| token_el(cx, n)).collect()
}

fn basic_auth(cx: &mut Ctx<'_>, node: &Node) -> Option<HotspotAuth> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let u = s.req(cx, NS_HS, "UserName").map(|n| token_el(cx, n));
    let p = s.req(cx, NS_HS, "Password").map(|n| token_el(cx, n));
    s.end(cx);
    Some(HotspotAuth::Basic {
        user_name: u?,
        password: p?,
    })
}

fn ext_auth(cx: &mut Ctx<'_>, node: &Node) -> Option<HotspotAuth> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let e = s.req(cx, NS_HS, "ExtensionId").map(|n| token_el(cx, n));
    s.end(cx);
    Some(HotspotAuth::Ext { extension_id: e? })
}

fn hs_ssid_config(cx: &mut Ctx<'_>, node: &Node) -> Vec<HotspotSsid> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let list = s.count(cx, NS_HS, "SSID", 1, 250);
    s.end(cx);
    let mut out = Vec::new();
    for n in list {
        cx.attrs(n, &[]);
        let mut c = cx.seq(n);
        let hex = |cx: &mut Ctx<'_>, h: &Node, min: usize| {
            cx.attrs(h, &[]);
            let raw = cx.simple(h).to_owned();
            match xsd::hex_value(&raw) {
                Some(b) if (min..=32).contains(&b.len()) => Some(b),
                _ => {
                    cx.bad_value(h, &format!("xs:hexBinary of {min}…32 octets"), raw.trim());
                    None
                }
            }
        };
        let v = if let Some(h) = c.opt(NS_HS, "hex") {
            hex(cx, h, 1).map(HotspotSsid::Hex)
        } else if let Some(h) = c.opt(NS_HS, "hexPrefix") {
            hex(cx, h, 4).map(HotspotSsid::HexPrefix)
        } else if let Some(h) = c.opt(NS_HS, "name") {
            cx.attrs(h, &[]);
            xsd::text_string(cx, h, 1, 32).map(HotspotSsid::Name)
        } else if let Some(h) = c.opt(NS_HS, "namePrefix") {
            cx.attrs(h, &[]);
            xsd::text_string(cx, h, 4, 32).map(HotspotSsid::NamePrefix)
        } else {
            c.missing(cx, "hex, hexPrefix, name or namePrefix");
            None
        };
        c.end(cx);
        out.extend(v);
    }
    out
}

/// Check and convert `hs:HotspotProfile`.
pub fn hotspot_profile(cx: &mut Ctx<'_>, node: &Node) -> Option<HotspotProfile> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let auth;
    let mut domains = Vec::new();
    if let Some(b) = s.opt(NS_HS, "BasicAuth") {
        auth = basic_auth(cx, b);
        if let Some(t) = s.req(cx, NS_HS, "TrustedDomains") {
            domains = trusted_domains(cx, t);
        }
    } else if let Some(e) = s.opt(NS_HS, "ExtAuth") {
        auth = ext_auth(cx, e);
        if let Some(t) = s.opt(NS_HS, "TrustedDomains") {
            domains = trusted_domains(cx, t);
        }
    } else if let Some(u) = s.opt(NS_HS, "UserName") {
        // Leniency (§1.7): credentials without the BasicAuth wrapper, as in
        // one of Microsoft's examples.
        let user_name = token_el(cx, u);
        let password = s.req(cx, NS_HS, "Password").map(|n| token_el(cx, n));
        auth = password.map(|password| HotspotAuth::Basic {
            user_name,
            password,
        });
        if let Some(t) = s.opt(NS_HS, "TrustedDomains") {
            domains = trusted_domains(cx, t);
        }
    } else {
        s.missing(cx, "BasicAuth or ExtAuth");
        auth = None;
    }
    let user_agent = s.opt(NS_HS, "UserAgent").map(|n| token_el(cx, n));
    let ssids = s
        .opt(NS_HS, "SSIDConfig")
        .map(|n| hs_ssid_config(cx, n))
        .unwrap_or_default();
    others(cx, &mut s, NS_HS, Process::Lax);
    s.end(cx);
    Some(HotspotProfile {
        auth: auth?,
        trusted_domains: domains,
        user_agent,
        ssids,
    })
}

/// Global elements of the HotspotProfile namespace.
pub fn hotspot_global(cx: &mut Ctx<'_>, node: &Node) -> bool {
    match node.name.as_str() {
        "HotspotProfile" => {
            hotspot_profile(cx, node);
        }
        "BasicAuth" => {
            basic_auth(cx, node);
        }
        "ExtAuth" => {
            ext_auth(cx, node);
        }
        "TrustedDomains" => {
            trusted_domains(cx, node);
        }
        "SSIDConfig" => {
            hs_ssid_config(cx, node);
        }
        _ => return false,
    }
    true
}
