//! `Global` (windows-operator-formats.md §1.3): who issued the document
//! (`CarrierId`), for which subscriber and optionally which device.

use super::tree::Node;
use super::xsd::{self, Ctx, Process};
use super::{NS_CC, others};

/// `Global`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Global {
    /// `CarrierId`: `base:GUID`, braces included, as written (collapsed).
    pub carrier_id: String,
    /// `SubscriberId`: `\w+`, at most 20 characters.
    pub subscriber_id: String,
    /// `DeviceId`: IMEI/ESN-like digits or a MAC address.
    pub device_id: Option<String>,
}

/// `base:GUID`: `{8-4-4-4-12 hex}`.
pub fn is_guid(v: &str) -> bool {
    let Some(inner) = v.strip_prefix('{').and_then(|r| r.strip_suffix('}')) else {
        return false;
    };
    let parts: Vec<&str> = inner.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `base:GUID` element text.
pub fn guid(cx: &mut Ctx<'_>, node: &Node) -> Option<String> {
    let v = xsd::collapse(cx.simple(node));
    if is_guid(&v) {
        Some(v)
    } else {
        cx.bad_value(node, "GUID ({8-4-4-4-12 hex digits})", &v);
        None
    }
}

fn device_id_ok(v: &str) -> bool {
    let n = v.chars().count();
    let digits = (15..=16).contains(&n) && v.chars().all(xsd::is_schema_digit);
    let mac = v.len() == 17
        && v.bytes().enumerate().all(|(i, b)| {
            if i % 3 == 2 {
                b == b':'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    digits || mac
}

/// Check and convert `Global`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Option<Global> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let carrier_id = s.req(cx, NS_CC, "CarrierId").and_then(|n| {
        cx.attrs(n, &[]);
        guid(cx, n)
    });
    let subscriber_id = s.req(cx, NS_CC, "SubscriberId").and_then(|n| {
        cx.attrs(n, &[]);
        let v = xsd::text_token(cx, n, 0, 20)?;
        if v.is_empty() || !v.chars().all(xsd::is_schema_word_char) {
            cx.bad_value(n, "SubscriberId (\\w+)", &v);
            return None;
        }
        Some(v)
    });
    let device_id = s.opt(NS_CC, "DeviceId").and_then(|n| {
        cx.attrs(n, &[]);
        let v = xsd::collapse(cx.simple(n));
        if device_id_ok(&v) {
            Some(v)
        } else {
            cx.bad_value(n, "DeviceId (15-16 digits or a MAC address)", &v);
            None
        }
    });
    others(cx, &mut s, NS_CC, Process::Strict);
    s.end(cx);
    Some(Global {
        carrier_id: carrier_id?,
        subscriber_id: subscriber_id?,
        device_id,
    })
}
