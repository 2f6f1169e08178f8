//! `ds:Signature` (windows-operator-formats.md §1.10): checks the element
//! against Microsoft's restricted XML-DSig schema, keeps its byte span and
//! values for the verifier, and defines the verifier interface.
//!
//! This module verifies nothing: cryptographic verification (digest over
//! the canonicalised document, RSA, X.509 chains, the association rule)
//! lives behind [`SignatureVerifier`], implemented by
//! `provisioning::signature::XmlDsigVerifier`.

use super::tree::{Node, line_column};
use super::xsd::{self, Ctx, Process};
use super::{CarrierProvisioning, NS_DS};
use std::ops::Range;

/// Canonicalisation algorithms the schema allows.
pub const C14N_ALGORITHMS: [&str; 4] = [
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
];

pub use crate::provisioning::signature::ENVELOPED_SIGNATURE;

/// A checked `ds:Signature` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Bytes of the whole `Signature` element in the document.
    pub span: Range<usize>,
    /// Bytes of its `SignedInfo` element.
    pub signed_info_span: Range<usize>,
    /// Position of the `Signature` start tag (1-based line, column).
    pub line: usize,
    /// Column of the start tag.
    pub column: usize,
    /// `SignedInfo/CanonicalizationMethod@Algorithm`.
    pub canonicalization_method: String,
    /// `SignedInfo/SignatureMethod@Algorithm`.
    pub signature_method: String,
    /// `Reference@URI` (empty or absent: the whole document).
    pub reference_uri: Option<String>,
    /// `Reference/DigestMethod@Algorithm`.
    pub digest_method: String,
    /// `Reference/DigestValue`, decoded.
    pub digest_value: Vec<u8>,
    /// `SignatureValue`, decoded.
    pub signature_value: Vec<u8>,
    /// `KeyInfo/X509Data/X509Certificate` (DER), in order.
    pub x509_certificates: Vec<Vec<u8>>,
    /// `KeyInfo/KeyValue/RSAKeyValue` (modulus, exponent), when given.
    pub rsa_key_value: Option<(Vec<u8>, Vec<u8>)>,
    /// Whether `KeyInfo` is present (the element page requires it; the XSD
    /// does not).
    pub has_key_info: bool,
}

/// What signature verification concluded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum SignatureVerdict {
    /// The document carries no signature.
    Unsigned,
    /// Signed, but the signature could not be evaluated (no verifier, a
    /// placeholder or unparsable certificate, an algorithm we do not
    /// verify): it proves nothing, so the document counts as unsigned.
    NotVerified {
        /// Why.
        reason: String,
    },
    /// The signature holds and the signer is trusted.
    Valid {
        /// Subject DN of the signing certificate.
        subject: String,
        /// Certificate thumbprint (SHA-1 of the DER, base64) as the result
        /// document reports it.
        thumbprint: String,
    },
    /// The signature is present and wrong (or the signer is not trusted).
    Invalid {
        /// Why.
        reason: String,
    },
}

/// Verifies a document's signature.
pub trait SignatureVerifier: Send + Sync + std::fmt::Debug {
    /// Verify `doc`, parsed from `xml`.
    fn verify(&self, xml: &str, doc: &CarrierProvisioning) -> SignatureVerdict;
}

/// The verifier used when none is configured: a signed document is
/// reported [`SignatureVerdict::NotVerified`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NotVerified;

impl SignatureVerifier for NotVerified {
    fn verify(&self, _xml: &str, doc: &CarrierProvisioning) -> SignatureVerdict {
        if doc.signature.is_some() {
            SignatureVerdict::NotVerified {
                reason: "no signature verifier".into(),
            }
        } else {
            SignatureVerdict::Unsigned
        }
    }
}

/// The verifier of offline checks (`mbcli provision validate` without
/// anchors): XML-DSig integrity only (digest, signature value, the signer
/// certificate's validity at the system time), no trust anchors and no
/// association — whether a signer is trusted depends on the daemon's
/// configuration and the caller. The daemon builds its own verifier per
/// call (`provisioning::agent`).
pub fn default_verifier() -> &'static dyn SignatureVerifier {
    static INTEGRITY_ONLY: std::sync::LazyLock<crate::provisioning::signature::XmlDsigVerifier> =
        std::sync::LazyLock::new(|| {
            crate::provisioning::signature::XmlDsigVerifier::new(
                crate::provisioning::signature::TrustPolicy::integrity_only(),
            )
        });
    &*INTEGRITY_ONLY
}

fn algorithm(cx: &mut Ctx<'_>, node: &Node, allowed: Option<&[&str]>) -> Option<String> {
    let Some(a) = node.attr("Algorithm") else {
        cx.err(node, format!("{} needs the attribute Algorithm", node.name));
        return None;
    };
    let a = xsd::collapse(a);
    if let Some(allowed) = allowed
        && !allowed.contains(&a.as_str())
    {
        cx.bad_value(node, "Algorithm", &a);
        return None;
    }
    Some(a)
}

fn id_attr(cx: &mut Ctx<'_>, node: &Node) {
    if let Some(v) = node.attr("Id") {
        cx.id(node, v);
    }
}

/// Mixed content with no child elements allowed.
fn text_only_mixed(cx: &mut Ctx<'_>, node: &Node) {
    if let Some(c) = node.children.first() {
        cx.err(c, format!("{} must not contain elements", node.name));
    }
}

fn base64_el(cx: &mut Ctx<'_>, node: &Node, attrs: &[&str]) -> Option<Vec<u8>> {
    cx.attrs(node, attrs);
    xsd::text_base64(cx, node)
}

/// (c14n, signature method, reference URI, digest method, digest value).
type SignedInfo = (String, String, Option<String>, String, Vec<u8>);

fn signed_info(cx: &mut Ctx<'_>, node: &Node) -> Option<SignedInfo> {
    cx.attrs(node, &["Id"]);
    id_attr(cx, node);
    let mut s = cx.seq(node);
    let c14n = s.req(cx, NS_DS, "CanonicalizationMethod").and_then(|n| {
        cx.attrs(n, &["Algorithm"]);
        text_only_mixed(cx, n);
        algorithm(cx, n, Some(&C14N_ALGORITHMS))
    });
    let sig = s
        .req(cx, NS_DS, "SignatureMethod")
        .and_then(|n| signature_method(cx, n));
    let r = s.req(cx, NS_DS, "Reference").and_then(|n| reference(cx, n));
    s.end(cx);
    let (uri, dm, dv) = r?;
    Some((c14n?, sig?, uri, dm, dv))
}

fn signature_method(cx: &mut Ctx<'_>, n: &Node) -> Option<String> {
    cx.attrs(n, &["Algorithm"]);
    let mut ms = xsd::Seq::mixed(n);
    if let Some(h) = ms.opt(NS_DS, "HMACOutputLength") {
        cx.attrs(h, &[]);
        xsd::text_integer(cx, h, "xs:integer", i128::MIN, i128::MAX);
    }
    super::others(cx, &mut ms, NS_DS, Process::Strict);
    ms.end(cx);
    algorithm(cx, n, None)
}

fn reference(cx: &mut Ctx<'_>, n: &Node) -> Option<(Option<String>, String, Vec<u8>)> {
    cx.attrs(n, &["Id", "URI"]);
    id_attr(cx, n);
    let uri = n.attr("URI").map(xsd::collapse);
    if let Some(u) = &uri
        && !u.is_empty()
    {
        cx.err(
            n,
            format!("Reference URI must be empty (the whole document), not {u:?}"),
        );
    }
    let mut s = cx.seq(n);
    if let Some(t) = s.req(cx, NS_DS, "Transforms") {
        transforms(cx, t);
    }
    let dm = s
        .req(cx, NS_DS, "DigestMethod")
        .and_then(|d| digest_method(cx, d));
    let dv = s
        .req(cx, NS_DS, "DigestValue")
        .and_then(|d| base64_el(cx, d, &[]));
    s.end(cx);
    Some((uri, dm?, dv?))
}

fn transforms(cx: &mut Ctx<'_>, t: &Node) {
    cx.attrs(t, &[]);
    let mut ts = cx.seq(t);
    if let Some(x) = ts.req(cx, NS_DS, "Transform") {
        transform(cx, x);
    }
    ts.end(cx);
}

fn transform(cx: &mut Ctx<'_>, x: &Node) {
    cx.attrs(x, &["Algorithm"]);
    text_only_mixed(cx, x);
    algorithm(cx, x, Some(&[ENVELOPED_SIGNATURE]));
}

fn digest_method(cx: &mut Ctx<'_>, d: &Node) -> Option<String> {
    cx.attrs(d, &["Algorithm"]);
    let mut ds = xsd::Seq::mixed(d);
    super::others(cx, &mut ds, NS_DS, Process::Lax);
    ds.end(cx);
    algorithm(cx, d, None)
}

fn x509_data(cx: &mut Ctx<'_>, x: &Node) -> Vec<Vec<u8>> {
    cx.attrs(x, &[]);
    let mut s = cx.seq(x);
    let certs = s.count(cx, NS_DS, "X509Certificate", 1, usize::MAX);
    s.end(cx);
    certs
        .into_iter()
        .filter_map(|c| base64_el(cx, c, &[]))
        .collect()
}

fn rsa_key_value(cx: &mut Ctx<'_>, r: &Node) -> Option<(Vec<u8>, Vec<u8>)> {
    cx.attrs(r, &[]);
    let mut s = cx.seq(r);
    let m = s
        .req(cx, NS_DS, "Modulus")
        .and_then(|n| base64_el(cx, n, &[]));
    let e = s
        .req(cx, NS_DS, "Exponent")
        .and_then(|n| base64_el(cx, n, &[]));
    s.end(cx);
    Some((m?, e?))
}

fn dsa_key_value(cx: &mut Ctx<'_>, d: &Node) {
    cx.attrs(d, &[]);
    let mut s = cx.seq(d);
    let b64 = |cx: &mut Ctx<'_>, n: Option<&Node>| {
        if let Some(n) = n {
            base64_el(cx, n, &[]);
        }
    };
    if let Some(p) = s.opt(NS_DS, "P") {
        b64(cx, Some(p));
        let q = s.req(cx, NS_DS, "Q");
        b64(cx, q);
    }
    let g = s.opt(NS_DS, "G");
    b64(cx, g);
    let y = s.req(cx, NS_DS, "Y");
    b64(cx, y);
    let j = s.opt(NS_DS, "J");
    b64(cx, j);
    if let Some(seed) = s.opt(NS_DS, "Seed") {
        b64(cx, Some(seed));
        let pg = s.req(cx, NS_DS, "PgenCounter");
        b64(cx, pg);
    }
    s.end(cx);
}

fn key_value(cx: &mut Ctx<'_>, k: &Node) -> Option<(Vec<u8>, Vec<u8>)> {
    cx.attrs(k, &[]);
    let mut s = xsd::Seq::mixed(k);
    let r = if let Some(r) = s.opt(NS_DS, "RSAKeyValue") {
        rsa_key_value(cx, r)
    } else if let Some(d) = s.opt(NS_DS, "DSAKeyValue") {
        dsa_key_value(cx, d);
        None
    } else {
        match s.peek() {
            Some(n) if n.ns.as_deref().is_some_and(|ns| ns != NS_DS) => {
                s.take();
                xsd::wildcard(cx, n, Process::Lax, super::validate_global);
            }
            _ => s.missing(cx, "RSAKeyValue or DSAKeyValue"),
        }
        None
    };
    s.end(cx);
    r
}

type KeyInfo = (Vec<Vec<u8>>, Option<(Vec<u8>, Vec<u8>)>);

fn key_info(cx: &mut Ctx<'_>, k: &Node) -> KeyInfo {
    cx.attrs(k, &["Id"]);
    id_attr(cx, k);
    let mut certs = Vec::new();
    let mut rsa = None;
    if k.children.is_empty() {
        cx.err(k, "KeyInfo needs KeyValue, X509Data or another key element");
    }
    for c in &k.children {
        match c.ns.as_deref() {
            Some(NS_DS) if c.name == "KeyValue" => {
                let r = key_value(cx, c);
                rsa = rsa.or(r);
            }
            Some(NS_DS) if c.name == "X509Data" => certs.extend(x509_data(cx, c)),
            Some(ns) if ns != NS_DS => xsd::wildcard(cx, c, Process::Lax, super::validate_global),
            _ => cx.err(c, format!("unexpected element {} in KeyInfo", c.name)),
        }
    }
    (certs, rsa)
}

/// Check and convert `ds:Signature`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Option<Signature> {
    cx.attrs(node, &["Id"]);
    id_attr(cx, node);
    let mut s = cx.seq(node);
    let si_node = s.req(cx, NS_DS, "SignedInfo");
    let si = si_node.and_then(|n| signed_info(cx, n));
    let sv = s.req(cx, NS_DS, "SignatureValue").and_then(|n| {
        if let Some(v) = n.attr("Id") {
            cx.id(n, v);
        }
        base64_el(cx, n, &["Id"])
    });
    let ki = s.opt(NS_DS, "KeyInfo").map(|n| key_info(cx, n));
    s.end(cx);
    let (c14n, sig, uri, dm, dv) = si?;
    let (line, column) = line_column(cx.xml, node.span.start);
    let has_key_info = ki.is_some();
    let (certs, rsa) = ki.unwrap_or_default();
    Some(Signature {
        span: node.span.clone(),
        signed_info_span: si_node.map(|n| n.span.clone()).unwrap_or_default(),
        line,
        column,
        canonicalization_method: c14n,
        signature_method: sig,
        reference_uri: uri,
        digest_method: dm,
        digest_value: dv,
        signature_value: sv?,
        x509_certificates: certs,
        rsa_key_value: rsa,
        has_key_info,
    })
}

/// Global elements of the XML-DSig schema (for wildcards).
pub fn validate_global(cx: &mut Ctx<'_>, node: &Node) -> bool {
    match node.name.as_str() {
        "Signature" => {
            parse(cx, node);
        }
        "SignedInfo" => {
            signed_info(cx, node);
        }
        "SignatureValue" => {
            if let Some(v) = node.attr("Id") {
                cx.id(node, v);
            }
            base64_el(cx, node, &["Id"]);
        }
        "CanonicalizationMethod" => {
            cx.attrs(node, &["Algorithm"]);
            text_only_mixed(cx, node);
            algorithm(cx, node, Some(&C14N_ALGORITHMS));
        }
        "SignatureMethod" => {
            signature_method(cx, node);
        }
        "Reference" => {
            reference(cx, node);
        }
        "Transforms" => transforms(cx, node),
        "Transform" => transform(cx, node),
        "DigestMethod" => {
            digest_method(cx, node);
        }
        "DigestValue" => {
            base64_el(cx, node, &[]);
        }
        "KeyInfo" => {
            key_info(cx, node);
        }
        "KeyValue" => {
            key_value(cx, node);
        }
        "X509Data" => {
            x509_data(cx, node);
        }
        "RSAKeyValue" => {
            rsa_key_value(cx, node);
        }
        "DSAKeyValue" => dsa_key_value(cx, node),
        _ => return false,
    }
    true
}
