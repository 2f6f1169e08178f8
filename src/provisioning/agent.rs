//! The provisioning agent's decisions around applying a document, shared by
//! `ProvisionFromXml` and refresh: the daemon-wide configuration (signature
//! trust anchors and the clock they are checked at, the refresh client), the
//! signature check with the trust table (windows-operator-formats.md §1.10),
//! and the mapping of a document's `Activation` and `RefreshParameters` onto
//! the executors of `activation` and `refresh`.
//!
//! Trust decisions (our reading of §1.10 and §1.11):
//! * a document whose signature proves tampering (digest or signature value
//!   mismatch) is refused from every caller;
//! * a valid signature that chains to a configured anchor and whose
//!   certificate is associated (service metadata `TrustedCertificates` or an
//!   earlier document's) is accepted from any caller;
//! * everything else — unsigned, unassociated, untrusted chain, expired
//!   certificate, a signature we cannot evaluate (placeholder, unsupported
//!   algorithm) — only from privileged callers (the operator's app), who may
//!   send unsigned documents anyway; the result then carries no `Signature`.
//! * a refresh document fetched over HTTPS from the `RefreshURL` of an
//!   accepted document counts as coming from a privileged caller: the URL
//!   was set by a trusted document and the server is authenticated by TLS.
//!   It must be for the same `CarrierId` as the document that set the URL.
//!
//! This module does no D-Bus, store or modem I/O.

use super::activation::{ActivationAction, ActivationMethod};
use super::document::{SignatureVerdict, activation::Activation};
use super::document::{mbn_profiles::Context, provisioning::RefreshParameters as DocRefresh};
use super::refresh::{Backoff, FetchConfig, RefreshParameters};
use super::signature::{CertificateRef, Rejection, TrustAnchor, TrustPolicy, XmlDsigVerifier};
use crate::modem::ops::ConnectParams;
use mbim_proto::services::basic_connect::AuthProtocol;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Default directory (or file) of document-signature trust anchors.
pub const DEFAULT_TRUST_ANCHORS: &str = "/etc/mbimd/trust-anchors";

/// Daemon-wide provisioning configuration.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Roots a document signature must chain to (`--trust-anchors`).
    pub anchors: Vec<TrustAnchor>,
    /// The clock certificate validity is checked at (tests pin it).
    pub clock: fn() -> SystemTime,
    /// The HTTPS client settings of refresh (`--refresh-trust-anchors`).
    pub fetch: FetchConfig,
    /// Retries after a failed refresh fetch.
    pub backoff: Backoff,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            anchors: Vec::new(),
            clock: SystemTime::now,
            fetch: FetchConfig::default(),
            backoff: Backoff::default(),
        }
    }
}

/// Trust anchors from a PEM/DER file or a directory of them.
pub fn load_anchors(path: &Path) -> Result<Vec<TrustAnchor>, super::signature::SignatureError> {
    if path.is_dir() {
        TrustAnchor::load_dir(path)
    } else {
        TrustAnchor::load(path)
    }
}

/// The certificates associated with a SIM: those its service metadata
/// names and those earlier documents applied for it named, as
/// (`SubjectName`, `IssuerName`).
pub fn associated(
    metadata: impl IntoIterator<Item = (String, String)>,
    stored: impl IntoIterator<Item = (String, String)>,
) -> Vec<CertificateRef> {
    let mut out: Vec<CertificateRef> = Vec::new();
    for (s, i) in metadata.into_iter().chain(stored) {
        let r = CertificateRef::names(s, i);
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Verify `xml`'s signature against `anchors`/`associated` at `clock()` and
/// apply the trust table for a caller (see the module docs). `Ok` is the
/// verdict to record with the applied document.
pub fn check_signature(
    xml: &str,
    config: &AgentConfig,
    associated: Vec<CertificateRef>,
    privileged: bool,
) -> Result<SignatureVerdict, Rejection> {
    let verifier = XmlDsigVerifier::with_clock(
        TrustPolicy::new(config.anchors.clone(), associated),
        config.clock,
    );
    match verifier.verify_xml(xml) {
        Ok(verdict) => {
            super::signature::admit(&verdict, privileged)?;
            Ok(match verdict.signer() {
                Some(s) => s.document_verdict(),
                None => SignatureVerdict::Unsigned,
            })
        }
        Err(e) if e.is_tampering() || !privileged => Err(Rejection::Signature(e)),
        Err(e) => {
            tracing::warn!(
                target: "mbimd::provisioning",
                "signature not verified ({e}); accepted as unsigned from a privileged source"
            );
            Ok(SignatureVerdict::NotVerified {
                reason: e.to_string(),
            })
        }
    }
}

/// The executor's action for a document's `Activation`.
pub fn activation_action(a: &Activation) -> ActivationAction {
    use super::document::activation::ActivationMethod as Doc;
    let method = match &a.method {
        Doc::ReregisterToNetwork => ActivationMethod::ReregisterToNetwork,
        Doc::ReconnectToNetwork => ActivationMethod::ReconnectToNetwork,
        Doc::ServiceActivation {
            carrier_specific_data,
        } => ActivationMethod::ServiceActivation {
            carrier_specific_data: carrier_specific_data.clone(),
        },
    };
    ActivationAction {
        method,
        delay: a.delay,
        retry_count: u32::from(a.retry_count),
        retry_interval: a.retry_interval,
    }
}

/// Connect parameters (session 0) for a provisioned profile's `Context`.
pub fn connect_params(c: Option<&Context>) -> ConnectParams {
    let Some(c) = c else {
        return ConnectParams::default();
    };
    ConnectParams {
        apn: c.access_string.clone().unwrap_or_default(),
        user: c.user_name.clone().unwrap_or_default(),
        password: c.password.clone().unwrap_or_default(),
        auth: c.auth_protocol.as_deref().and_then(|a| match a {
            "NONE" => Some(AuthProtocol::NONE),
            "PAP" => Some(AuthProtocol::PAP),
            "CHAP" => Some(AuthProtocol::CHAP),
            "MsCHAPv2" => Some(AuthProtocol::MSCHAPV2),
            _ => None,
        }),
        ..ConnectParams::default()
    }
}

/// The refresh executor's parameters for a document's `RefreshParameters`.
pub fn refresh_parameters(r: &DocRefresh) -> RefreshParameters {
    RefreshParameters {
        delay_in_days: r.delay_in_days.map(u32::from),
        refresh_url: r.refresh_url.clone(),
        user_name: r.user_name.clone(),
        password: r.password.clone(),
    }
}

/// Time since `since_ms` (Unix ms) at `now` (zero when in the future).
pub fn elapsed_since(since_ms: i64, now: SystemTime) -> Duration {
    let since =
        SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(since_ms).unwrap_or(0));
    now.duration_since(since).unwrap_or(Duration::ZERO)
}

/// Unix milliseconds of `t`.
pub fn unix_ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_documents_need_a_privileged_source() {
        let xml = "<CarrierProvisioning xmlns=\"http://www.microsoft.com/networking/CarrierControl/v1\"/>";
        let c = AgentConfig::default();
        assert_eq!(
            check_signature(xml, &c, Vec::new(), true),
            Ok(SignatureVerdict::Unsigned)
        );
        assert_eq!(
            check_signature(xml, &c, Vec::new(), false),
            Err(Rejection::UnsignedFromUnprivilegedCaller)
        );
    }

    #[test]
    fn associated_certificates_are_listed_once() {
        let pair = || ("CN=a".to_string(), "CN=b".to_string());
        assert_eq!(associated([pair()], [pair()]).len(), 1);
    }

    #[test]
    fn elapsed_time_is_never_negative() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        assert_eq!(elapsed_since(40_000, now), Duration::from_secs(60));
        assert_eq!(elapsed_since(200_000, now), Duration::ZERO);
    }
}
