//! `Provisioning` (windows-operator-formats.md §1.9): certificates trusted
//! for future signed documents, and where and when to fetch a refresh.

use super::tree::Node;
use super::xsd::{self, Ctx};
use super::{NS_BASE, NS_CC};

/// `TrustedCertificate` (`base:CertificateDetails`): matched against a
/// certificate's subject/issuer DN or directory-name alternative names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrustedCertificate {
    /// `SubjectName`.
    pub subject_name: String,
    /// `IssuerName`.
    pub issuer_name: String,
}

/// `RefreshParameters`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefreshParameters {
    /// `DelayInDays` 1…730.
    pub delay_in_days: Option<u16>,
    /// `RefreshURL` (`https://…`).
    pub refresh_url: String,
    /// `UserName` (HTTP authentication).
    pub user_name: Option<String>,
    /// `Password`.
    pub password: Option<String>,
}

/// `Provisioning`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Provisioning {
    /// `TrustedCertificates/TrustedCertificate` (`None`: element absent).
    pub trusted_certificates: Option<Vec<TrustedCertificate>>,
    /// `RefreshParameters`.
    pub refresh_parameters: Option<RefreshParameters>,
}

fn certificate(cx: &mut Ctx<'_>, node: &Node) -> Option<TrustedCertificate> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    // Base namespace per the XSD; the parent's namespace accepted too (§1.1).
    let subject = s.req_any(cx, &[NS_BASE, NS_CC], "SubjectName").map(|n| {
        cx.attrs(n, &[]);
        cx.simple(n).to_owned()
    });
    let issuer = s.req_any(cx, &[NS_BASE, NS_CC], "IssuerName").map(|n| {
        cx.attrs(n, &[]);
        cx.simple(n).to_owned()
    });
    s.end(cx);
    Some(TrustedCertificate {
        subject_name: subject?,
        issuer_name: issuer?,
    })
}

fn refresh(cx: &mut Ctx<'_>, node: &Node) -> Option<RefreshParameters> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let delay_in_days = s.opt(NS_CC, "DelayInDays").and_then(|n| {
        cx.attrs(n, &[]);
        xsd::text_integer(cx, n, "DelayInDays (1…730)", 1, 730).map(|v| v as u16)
    });
    let url = s.req(cx, NS_CC, "RefreshURL").and_then(|n| {
        cx.attrs(n, &[]);
        let v = xsd::collapse(cx.simple(n));
        if v.len() > "https://".len() && v.starts_with("https://") {
            Some(v)
        } else {
            cx.bad_value(n, "RefreshURL (https://…)", &v);
            None
        }
    });
    let token = |cx: &mut Ctx<'_>, n: &Node| {
        cx.attrs(n, &[]);
        xsd::collapse(cx.simple(n))
    };
    // `Username`: the spelling of one Microsoft example (§10).
    let user_name = s
        .opt(NS_CC, "UserName")
        .or_else(|| s.opt(NS_CC, "Username"))
        .map(|n| token(cx, n));
    let password = s.opt(NS_CC, "Password").map(|n| token(cx, n));
    s.end(cx);
    Some(RefreshParameters {
        delay_in_days,
        refresh_url: url?,
        user_name,
        password,
    })
}

/// Check and convert `Provisioning`.
pub fn parse(cx: &mut Ctx<'_>, node: &Node) -> Option<Provisioning> {
    cx.attrs(node, &[]);
    let mut s = cx.seq(node);
    let trusted_certificates = s.opt(NS_CC, "TrustedCertificates").map(|tc| {
        cx.attrs(tc, &[]);
        let mut ts = cx.seq(tc);
        let v = ts.count(cx, NS_CC, "TrustedCertificate", 1, usize::MAX);
        ts.end(cx);
        v.into_iter().filter_map(|n| certificate(cx, n)).collect()
    });
    let refresh_parameters = s
        .opt(NS_CC, "RefreshParameters")
        .and_then(|n| refresh(cx, n));
    s.end(cx);
    Some(Provisioning {
        trusted_certificates,
        refresh_parameters,
    })
}
