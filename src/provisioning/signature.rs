//! Signatures on provisioning documents: the restricted enveloped XML-DSig
//! profile of the CarrierControl schema and the trust rules around it
//! (windows-operator-formats.md §1.10, XSD `ds.xsd`).
//!
//! [`verify`] checks what the signature itself proves: the one `Reference`
//! (`URI=""`, enveloped-signature transform, SHA-1/SHA-256 digest of the
//! Canonical XML 1.0 form, XML-DSig §4.3.3.2–3), the `SignatureValue` over the
//! canonicalised `SignedInfo` (any of the four schema canonicalisations;
//! RSA PKCS#1 v1.5 with SHA-1/SHA-256), the certificate from `KeyInfo`, its
//! path to a configured trust anchor at a caller-given instant, and whether
//! the certificate is one that service metadata or an earlier provisioning
//! document named (`TrustedCertificate`). [`admit`] then applies the
//! account-provisioning trust table: privileged callers (the operator's app)
//! may send unsigned documents, everyone else needs a signed, anchored and
//! associated one.
//!
//! This module reads no configuration, clock or store: anchors, associated
//! certificates and the time come in as parameters. It does not parse the
//! provisioning content either (that is `provisioning::document`).

pub mod c14n;
mod tree;
mod x509;

use std::path::Path;
use std::time::SystemTime;

use base64::Engine as _;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::sha2::{Digest as _, Sha256};
use sha1::Sha1;

pub use c14n::Canonicalization;

use super::document::{CarrierProvisioning, SignatureVerdict, SignatureVerifier};
pub use x509::CertificateInfo;

use c14n::NodeSet;
use tree::{NodeId, Tree};
use x509::{Cert, PathError};

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The only transform the schema allows.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// Namespace of Exclusive C14N's `InclusiveNamespaces`.
const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// `SignatureMethod` algorithms we verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureMethod {
    /// `http://www.w3.org/2000/09/xmldsig#rsa-sha1`.
    RsaSha1,
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`.
    RsaSha256,
}

impl SignatureMethod {
    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        }
    }

    fn from_uri(uri: &str) -> Option<Self> {
        [Self::RsaSha1, Self::RsaSha256]
            .into_iter()
            .find(|m| m.uri() == uri)
    }
}

/// `DigestMethod` algorithms we verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestMethod {
    /// `http://www.w3.org/2000/09/xmldsig#sha1`.
    Sha1,
    /// `http://www.w3.org/2001/04/xmlenc#sha256`.
    Sha256,
}

impl DigestMethod {
    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
        }
    }

    fn from_uri(uri: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256]
            .into_iter()
            .find(|m| m.uri() == uri)
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
        }
    }
}

/// Why a document's signature could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The bytes are not a document we can canonicalise.
    #[error("not well-formed XML at line {line}, column {column}: {reason}")]
    MalformedXml {
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// The `Signature` element does not follow the schema's XML-DSig profile.
    #[error("malformed signature at line {line}, column {column}: {reason}")]
    MalformedSignature {
        /// 1-based line of the offending element.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// An algorithm outside what we verify.
    #[error("unsupported {role} algorithm {uri}")]
    UnsupportedAlgorithm {
        /// Which slot: canonicalization, signature, digest, transform, certificate.
        role: &'static str,
        /// The URI or OID found.
        uri: String,
    },
    /// The document (minus the signature) does not hash to `DigestValue`.
    #[error("digest mismatch on reference URI {uri:?} ({algorithm})")]
    DigestMismatch {
        /// The `Reference/@URI` (always empty in this profile).
        uri: String,
        /// The digest algorithm used.
        algorithm: &'static str,
    },
    /// `SignatureValue` is not the signer's signature over `SignedInfo`.
    #[error("bad signature value: it does not verify with the key of {subject}")]
    BadSignatureValue {
        /// Subject of the certificate whose key was tried.
        subject: String,
    },
    /// `KeyInfo` names no certificate (a bare key cannot be chained).
    #[error("KeyInfo carries no X509Certificate")]
    NoCertificate,
    /// An `X509Certificate` is not a certificate.
    #[error("X509Certificate {index} cannot be parsed: {reason}")]
    BadCertificate {
        /// 0-based position in `X509Data`.
        index: usize,
        /// Decoder message.
        reason: String,
    },
    /// No acceptable path from the signer to a configured trust anchor.
    #[error("untrusted certificate chain for {subject}: {reason}")]
    UntrustedChain {
        /// The signer's subject.
        subject: String,
        /// The last obstacle found.
        reason: String,
    },
    /// A certificate of the path has expired at the verification time.
    #[error("certificate {subject} expired ({not_after})")]
    CertificateExpired {
        /// The expired certificate's subject.
        subject: String,
        /// Its notAfter.
        not_after: String,
    },
    /// A certificate of the path is not valid yet at the verification time.
    #[error("certificate {subject} is not valid before {not_before}")]
    CertificateNotYetValid {
        /// The certificate's subject.
        subject: String,
        /// Its notBefore.
        not_before: String,
    },
    /// A trust-anchor file could not be used.
    #[error("trust anchor {source_name}: {reason}")]
    BadTrustAnchor {
        /// File name or other label of the anchor source.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
}

impl SignatureError {
    /// Whether the error proves that the signed content or the signature
    /// value was altered (as opposed to a signature we cannot evaluate, or a
    /// signer we do not trust). Such a document is refused from every
    /// caller, privileged ones included.
    pub fn is_tampering(&self) -> bool {
        matches!(
            self,
            Self::DigestMismatch { .. } | Self::BadSignatureValue { .. }
        )
    }

    /// Whether the signature could not be evaluated at all (malformed
    /// signature element, unsupported algorithm, no or unparsable
    /// certificate, unusable anchors): it proves nothing either way.
    pub fn is_unverifiable(&self) -> bool {
        matches!(
            self,
            Self::MalformedXml { .. }
                | Self::MalformedSignature { .. }
                | Self::UnsupportedAlgorithm { .. }
                | Self::NoCertificate
                | Self::BadCertificate { .. }
                | Self::BadTrustAnchor { .. }
        )
    }
}

/// Why a document is not admitted for this caller (the trust table of
/// windows-operator-formats.md §1.10).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The signature itself failed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// Unsigned documents come only from privileged callers (the operator's app).
    #[error("unsigned provisioning documents are accepted only from privileged callers")]
    UnsignedFromUnprivilegedCaller,
    /// The signer chains to an anchor but neither service metadata nor an
    /// earlier provisioning document named its certificate.
    #[error(
        "signing certificate {subject} (issuer {issuer}) is not associated with this SIM by service metadata or an earlier provisioning document"
    )]
    NotAssociated {
        /// The signer's subject.
        subject: String,
        /// The signer's issuer.
        issuer: String,
    },
    /// The verdict came from an integrity-only check, which says nothing
    /// about trust.
    #[error("the signer's certificate chain was not checked against trust anchors")]
    TrustNotChecked,
}

/// A certificate that service metadata or a provisioning document trusts for
/// signing future provisioning documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CertificateRef {
    /// `TrustedCertificate` (`SubjectName`, `IssuerName`): DNs as Windows
    /// writes them (`CN=…, O=…, C=…`), matched case-insensitively in either
    /// RDN order against the Subject/Issuer DN or an alternative-name
    /// DirectoryName.
    Names {
        /// Compared with the certificate subject.
        subject_name: String,
        /// Compared with the certificate issuer.
        issuer_name: String,
    },
    /// SHA-1 of the DER certificate (the Windows thumbprint).
    Thumbprint([u8; 20]),
}

impl CertificateRef {
    /// A `TrustedCertificate` reference.
    pub fn names(subject_name: impl Into<String>, issuer_name: impl Into<String>) -> Self {
        Self::Names {
            subject_name: subject_name.into(),
            issuer_name: issuer_name.into(),
        }
    }

    fn matches(&self, cert: &Cert) -> bool {
        match self {
            Self::Names {
                subject_name,
                issuer_name,
            } => cert.matches_names(subject_name, issuer_name),
            Self::Thumbprint(t) => cert.info().thumbprint_sha1 == *t,
        }
    }
}

/// A configured root of trust.
#[derive(Debug, Clone)]
pub struct TrustAnchor(Cert);

impl TrustAnchor {
    /// Every certificate in `bytes`: PEM (one or more `CERTIFICATE` blocks) or
    /// one DER certificate. `source_name` labels errors.
    pub fn parse(bytes: &[u8], source_name: &str) -> Result<Vec<Self>, SignatureError> {
        x509::parse_certificates(bytes)
            .map(|certs| certs.into_iter().map(Self).collect())
            .map_err(|reason| SignatureError::BadTrustAnchor {
                source_name: source_name.to_owned(),
                reason,
            })
    }

    /// Reads a PEM or DER file of anchors.
    pub fn load(path: &Path) -> Result<Vec<Self>, SignatureError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| SignatureError::BadTrustAnchor {
            source_name: name.clone(),
            reason: e.to_string(),
        })?;
        Self::parse(&bytes, &name)
    }

    /// Reads every `*.pem`, `*.crt`, `*.cer` and `*.der` file of a directory
    /// (sorted by name; other files are ignored), e.g. a configured anchor
    /// directory like `/etc/mbimd/provisioning-anchors`.
    pub fn load_dir(dir: &Path) -> Result<Vec<Self>, SignatureError> {
        let bad = |reason: String| SignatureError::BadTrustAnchor {
            source_name: dir.display().to_string(),
            reason,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| bad(e.to_string()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(
                        e.to_ascii_lowercase().as_str(),
                        "pem" | "crt" | "cer" | "der"
                    )
                })
            })
            .collect();
        files.sort();
        let mut anchors = Vec::new();
        for f in files {
            anchors.extend(Self::load(&f)?);
        }
        Ok(anchors)
    }

    /// The anchor's summary.
    pub fn info(&self) -> CertificateInfo {
        self.0.info()
    }
}

/// What a signature must chain to and be associated with.
#[derive(Debug, Clone, Default)]
pub struct TrustPolicy {
    anchors: Vec<Cert>,
    associated: Vec<CertificateRef>,
    integrity_only: bool,
}

impl TrustPolicy {
    /// Chain to one of `anchors`; association against `associated` (the
    /// `TrustedCertificates` of service metadata and earlier documents).
    pub fn new(anchors: Vec<TrustAnchor>, associated: Vec<CertificateRef>) -> Self {
        Self {
            anchors: anchors.into_iter().map(|a| a.0).collect(),
            associated,
            integrity_only: false,
        }
    }

    /// Checks only what the document proves by itself (digest, signature
    /// value, the signer certificate's validity period), as an offline
    /// `validate` does: no anchors, no association. [`admit`] refuses such
    /// verdicts for unprivileged callers.
    pub fn integrity_only() -> Self {
        Self {
            integrity_only: true,
            ..Self::default()
        }
    }
}

/// How far the signer's certificate was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// A valid path to a configured anchor was found.
    Anchored,
    /// [`TrustPolicy::integrity_only`]: no path was built.
    NotChecked,
}

/// A verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The signing certificate.
    pub certificate: CertificateInfo,
    /// Its issuers up to and including the trust anchor (empty if not checked).
    pub chain: Vec<CertificateInfo>,
    /// Whether the chain was checked.
    pub trust: Trust,
    /// The reference that associates the certificate with this SIM, if any.
    pub association: Option<CertificateRef>,
    /// `SignedInfo/CanonicalizationMethod`.
    pub canonicalization: Canonicalization,
    /// `SignedInfo/SignatureMethod`.
    pub signature_method: SignatureMethod,
    /// `Reference/DigestMethod`.
    pub digest_method: DigestMethod,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No `Signature` element: trust depends on the caller alone.
    Unsigned,
    /// A signature that verified.
    Signed(Box<Signer>),
}

impl Verdict {
    /// The signer, for signed documents.
    pub fn signer(&self) -> Option<&Signer> {
        match self {
            Self::Unsigned => None,
            Self::Signed(s) => Some(s),
        }
    }
}

/// Verifies the signature of a provisioning document at time `now`.
///
/// `Ok(Verdict::Unsigned)` when the document element has no `ds:Signature`
/// child; every failure of a present signature is an error.
pub fn verify(
    document: &[u8],
    policy: &TrustPolicy,
    now: SystemTime,
) -> Result<Verdict, SignatureError> {
    let tree = parse_tree(document)?;
    let Some(sig_el) = find_signature(&tree)? else {
        return Ok(Verdict::Unsigned);
    };
    let sig = parse_signature(&tree, sig_el)?;

    let octets = octets(&tree, sig_el, &sig);
    if sig.digest_method.digest(&octets.reference) != sig.digest_value {
        return Err(SignatureError::DigestMismatch {
            uri: sig.reference_uri,
            algorithm: sig.digest_method.name(),
        });
    }

    let signer = select_signer(&sig.certificates).ok_or(SignatureError::NoCertificate)?;
    let key = signer.rsa_key().map_err(|e| path_error(e, signer))?;
    let signed_info = &octets.signed_info;
    let ok = match sig.signature_method {
        SignatureMethod::RsaSha1 => key.verify(
            Pkcs1v15Sign::new::<Sha1>(),
            &Sha1::digest(signed_info),
            &sig.signature_value,
        ),
        SignatureMethod::RsaSha256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signed_info),
            &sig.signature_value,
        ),
    };
    if ok.is_err() {
        return Err(SignatureError::BadSignatureValue {
            subject: signer.subject(),
        });
    }

    let (chain, trust, association) = if policy.integrity_only {
        check_validity_only(signer, now)?;
        (Vec::new(), Trust::NotChecked, None)
    } else {
        let path = x509::build_path(signer, &sig.certificates, &policy.anchors, now)
            .map_err(|e| path_error(e, signer))?;
        let chain = path.iter().skip(1).map(|c| c.info()).collect();
        let association = policy
            .associated
            .iter()
            .find(|r| r.matches(signer))
            .cloned();
        (chain, Trust::Anchored, association)
    };
    Ok(Verdict::Signed(Box::new(Signer {
        certificate: signer.info(),
        chain,
        trust,
        association,
        canonicalization: sig.canonicalization,
        signature_method: sig.signature_method,
        digest_method: sig.digest_method,
    })))
}

/// Applies the trust table to a verdict: privileged callers (the operator's
/// app) may provision with unsigned documents; anyone else needs a signature
/// that chains to an anchor and whose certificate is associated with the SIM.
pub fn admit(verdict: &Verdict, caller_privileged: bool) -> Result<(), Rejection> {
    if caller_privileged {
        return Ok(());
    }
    match verdict {
        Verdict::Unsigned => Err(Rejection::UnsignedFromUnprivilegedCaller),
        Verdict::Signed(s) if s.trust == Trust::NotChecked => Err(Rejection::TrustNotChecked),
        Verdict::Signed(s) if s.association.is_none() => Err(Rejection::NotAssociated {
            subject: s.certificate.subject.clone(),
            issuer: s.certificate.issuer.clone(),
        }),
        Verdict::Signed(_) => Ok(()),
    }
}

/// [`verify`] then [`admit`]: what the provisioning agent runs before it
/// applies a document.
pub fn verify_document(
    document: &[u8],
    policy: &TrustPolicy,
    now: SystemTime,
    caller_privileged: bool,
) -> Result<Verdict, Rejection> {
    let verdict = verify(document, policy, now)?;
    admit(&verdict, caller_privileged)?;
    Ok(verdict)
}

/// A configured verifier: a trust policy and a clock, for the provisioning
/// agent and `mbcli provision validate` (the document parser's verifier
/// interface wraps [`XmlDsigVerifier::verify_xml`]).
#[derive(Debug, Clone)]
pub struct XmlDsigVerifier {
    /// Anchors and associated certificates.
    pub policy: TrustPolicy,
    clock: fn() -> SystemTime,
}

impl XmlDsigVerifier {
    /// A verifier that checks certificate validity at the system time.
    pub fn new(policy: TrustPolicy) -> Self {
        Self {
            policy,
            clock: SystemTime::now,
        }
    }

    /// A verifier with its own clock (tests pin the time).
    pub fn with_clock(policy: TrustPolicy, clock: fn() -> SystemTime) -> Self {
        Self { policy, clock }
    }

    /// [`verify`] with this verifier's policy and clock.
    pub fn verify_xml(&self, xml: &str) -> Result<Verdict, SignatureError> {
        verify(xml.as_bytes(), &self.policy, (self.clock)())
    }

    /// [`verify_document`] with this verifier's policy and clock.
    pub fn admit_xml(&self, xml: &str, caller_privileged: bool) -> Result<Verdict, Rejection> {
        verify_document(
            xml.as_bytes(),
            &self.policy,
            (self.clock)(),
            caller_privileged,
        )
    }
}

impl Signer {
    /// The document parser's verdict for this signer (subject and the
    /// base64 SHA-1 thumbprint the result document reports).
    pub fn document_verdict(&self) -> SignatureVerdict {
        SignatureVerdict::Valid {
            subject: self.certificate.subject.clone(),
            thumbprint: self.certificate.thumbprint_base64(),
        }
    }
}

impl SignatureVerifier for XmlDsigVerifier {
    /// Integrity and trust failures are [`SignatureVerdict::Invalid`]; a
    /// signature that cannot be evaluated is [`SignatureVerdict::NotVerified`]
    /// (it counts as unsigned); the caller-dependent trust table
    /// ([`admit`]) is not applied here.
    fn verify(&self, xml: &str, _doc: &CarrierProvisioning) -> SignatureVerdict {
        match self.verify_xml(xml) {
            Ok(Verdict::Unsigned) => SignatureVerdict::Unsigned,
            Ok(Verdict::Signed(s)) => s.document_verdict(),
            Err(e) if e.is_unverifiable() => SignatureVerdict::NotVerified {
                reason: e.to_string(),
            },
            Err(e) => SignatureVerdict::Invalid {
                reason: e.to_string(),
            },
        }
    }
}

/// The octets a document's signature covers, for diagnostics and for
/// comparing our canonicalisation with other XML-DSig implementations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOctets {
    /// The Reference data: the document minus the signature, Canonical XML
    /// 1.0 without comments (what `DigestValue` hashes).
    pub reference: Vec<u8>,
    /// `SignedInfo` canonicalised with its `CanonicalizationMethod` (what
    /// `SignatureValue` signs).
    pub signed_info: Vec<u8>,
}

/// The [`SignedOctets`] of a signed document; `None` when it is unsigned.
pub fn signed_octets(document: &[u8]) -> Result<Option<SignedOctets>, SignatureError> {
    let tree = parse_tree(document)?;
    let Some(sig_el) = find_signature(&tree)? else {
        return Ok(None);
    };
    let sig = parse_signature(&tree, sig_el)?;
    Ok(Some(octets(&tree, sig_el, &sig)))
}

fn octets(tree: &Tree, sig_el: NodeId, sig: &ParsedSignature) -> SignedOctets {
    // XML-DSig §4.3.3.2–3: URI="" is the document without comments; after the
    // enveloped-signature transform the node-set becomes octets through
    // Canonical XML 1.0 (the CanonicalizationMethod is for SignedInfo only).
    let reference = c14n::canonicalize(
        tree,
        NodeSet {
            apex: None,
            excluded: Some(sig_el),
        },
        &Canonicalization::C14n10 {
            with_comments: false,
        },
    );
    let signed_info = c14n::canonicalize(
        tree,
        NodeSet {
            apex: Some(sig.signed_info),
            excluded: None,
        },
        &sig.canonicalization,
    );
    SignedOctets {
        reference,
        signed_info,
    }
}

fn parse_tree(document: &[u8]) -> Result<Tree, SignatureError> {
    tree::parse(document).map_err(|e| SignatureError::MalformedXml {
        line: e.line,
        column: e.column,
        reason: e.reason,
    })
}

/// Canonicalises a whole document (tests compare this with `xmllint --c14n`
/// and `--exc-c14n`).
pub fn canonicalize_document(
    document: &[u8],
    method: &Canonicalization,
) -> Result<Vec<u8>, SignatureError> {
    let tree = parse_tree(document)?;
    Ok(c14n::canonicalize(
        &tree,
        NodeSet {
            apex: None,
            excluded: None,
        },
        method,
    ))
}

/// The signer's own checks without a chain: validity period, key usage,
/// critical extensions (a path that trusts the certificate itself).
fn check_validity_only(signer: &Cert, now: SystemTime) -> Result<(), SignatureError> {
    let own = [signer.clone()];
    x509::build_path(signer, &[], &own, now).map_err(|e| path_error(e, signer))?;
    Ok(())
}

fn path_error(e: PathError, signer: &Cert) -> SignatureError {
    match e {
        PathError::Untrusted(reason) => SignatureError::UntrustedChain {
            subject: signer.subject(),
            reason,
        },
        PathError::Expired { subject, not_after } => {
            SignatureError::CertificateExpired { subject, not_after }
        }
        PathError::NotYetValid {
            subject,
            not_before,
        } => SignatureError::CertificateNotYetValid {
            subject,
            not_before,
        },
        PathError::Unsupported(what) => SignatureError::UnsupportedAlgorithm {
            role: "certificate",
            uri: what,
        },
    }
}

/// The signing certificate among `KeyInfo`'s: the one that issued none of
/// the others (the end of the chain), else the first.
fn select_signer(certs: &[Cert]) -> Option<&Cert> {
    certs
        .iter()
        .enumerate()
        .find(|(i, c)| {
            !certs.iter().enumerate().any(|(j, other)| {
                j != *i
                    && other.parsed.tbs_certificate().issuer()
                        == c.parsed.tbs_certificate().subject()
            })
        })
        .map(|(_, c)| c)
        .or_else(|| certs.first())
}

/// The parts of a `Signature` we use.
struct ParsedSignature {
    signed_info: NodeId,
    canonicalization: Canonicalization,
    signature_method: SignatureMethod,
    reference_uri: String,
    digest_method: DigestMethod,
    digest_value: Vec<u8>,
    signature_value: Vec<u8>,
    certificates: Vec<Cert>,
}

/// The `ds:Signature` child of the document element, if any.
fn find_signature(tree: &Tree) -> Result<Option<NodeId>, SignatureError> {
    let mut found = tree
        .child_elements(tree.root)
        .filter(|(_, e)| e.ns == DSIG_NS && e.local == "Signature");
    let first = found.next().map(|(id, _)| id);
    if let Some((second, _)) = found.next() {
        return Err(malformed(tree, second, "more than one Signature element"));
    }
    Ok(first)
}

fn malformed(tree: &Tree, id: NodeId, reason: impl Into<String>) -> SignatureError {
    let (line, column) = tree.element(id).map_or((0, 0), |e| tree.position(e.offset));
    SignatureError::MalformedSignature {
        line,
        column,
        reason: reason.into(),
    }
}

/// The `ds:` element children of `id`, refusing anything else (the
/// profile's content models are element-only, in a fixed order).
fn ds_children(
    tree: &Tree,
    id: NodeId,
    expected: &[(&str, bool)],
) -> Result<Vec<Option<NodeId>>, SignatureError> {
    if tree.has_text(id) {
        return Err(malformed(tree, id, "unexpected text content"));
    }
    let children: Vec<(NodeId, &tree::Element)> = tree.child_elements(id).collect();
    let mut out = Vec::with_capacity(expected.len());
    let mut it = children.iter().peekable();
    for &(name, required) in expected {
        match it.peek() {
            Some((cid, e)) if e.ns == DSIG_NS && e.local == name => {
                out.push(Some(*cid));
                it.next();
            }
            _ if required => {
                let parent = tree
                    .element(id)
                    .map(|e| e.local.clone())
                    .unwrap_or_default();
                return Err(malformed(tree, id, format!("{parent} lacks {name}")));
            }
            _ => out.push(None),
        }
    }
    if let Some((cid, e)) = it.next() {
        return Err(malformed(
            tree,
            *cid,
            format!("unexpected element {}", e.qname()),
        ));
    }
    Ok(out)
}

fn required(v: &[Option<NodeId>], i: usize) -> NodeId {
    // ds_children guarantees required slots are filled.
    v.get(i).copied().flatten().unwrap_or_default()
}

fn algorithm(tree: &Tree, id: NodeId) -> Result<&str, SignatureError> {
    tree.element(id)
        .and_then(|e| e.attr("Algorithm"))
        .ok_or_else(|| malformed(tree, id, "missing Algorithm attribute"))
}

fn base64_content(tree: &Tree, id: NodeId) -> Result<Vec<u8>, SignatureError> {
    if tree.child_elements(id).next().is_some() {
        return Err(malformed(tree, id, "unexpected element in base64 content"));
    }
    let text: String = tree
        .text_content(id)
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| malformed(tree, id, format!("bad base64: {e}")))
}

fn parse_signature(tree: &Tree, sig: NodeId) -> Result<ParsedSignature, SignatureError> {
    let parts = ds_children(
        tree,
        sig,
        &[
            ("SignedInfo", true),
            ("SignatureValue", true),
            ("KeyInfo", false),
        ],
    )?;
    let signed_info = required(&parts, 0);
    let si = ds_children(
        tree,
        signed_info,
        &[
            ("CanonicalizationMethod", true),
            ("SignatureMethod", true),
            ("Reference", true),
        ],
    )?;

    let cm = required(&si, 0);
    let cm_uri = algorithm(tree, cm)?;
    let mut canonicalization =
        Canonicalization::from_uri(cm_uri).ok_or_else(|| SignatureError::UnsupportedAlgorithm {
            role: "canonicalization",
            uri: cm_uri.to_owned(),
        })?;
    for (child, e) in tree.child_elements(cm) {
        match &mut canonicalization {
            Canonicalization::ExcC14n {
                inclusive_prefixes, ..
            } if e.ns == EXC_C14N_NS && e.local == "InclusiveNamespaces" => {
                let list = e.attr("PrefixList").unwrap_or_default();
                inclusive_prefixes.extend(list.split_ascii_whitespace().map(|p| {
                    if p == "#default" {
                        String::new()
                    } else {
                        p.to_owned()
                    }
                }));
            }
            _ => {
                return Err(malformed(
                    tree,
                    child,
                    format!("unexpected element {}", e.qname()),
                ));
            }
        }
    }

    let sm = required(&si, 1);
    let sm_uri = algorithm(tree, sm)?;
    let signature_method =
        SignatureMethod::from_uri(sm_uri).ok_or_else(|| SignatureError::UnsupportedAlgorithm {
            role: "signature",
            uri: sm_uri.to_owned(),
        })?;
    if let Some((child, e)) = tree.child_elements(sm).next() {
        return Err(malformed(
            tree,
            child,
            format!("unexpected element {}", e.qname()),
        ));
    }

    let reference = required(&si, 2);
    let reference_uri = tree
        .element(reference)
        .and_then(|e| e.attr("URI"))
        .unwrap_or_default()
        .to_owned();
    if !reference_uri.is_empty() {
        // ds.xsd: Reference/@URI has maxLength 0 — the whole document only.
        return Err(malformed(
            tree,
            reference,
            format!("Reference URI must be empty, found {reference_uri:?}"),
        ));
    }
    let r = ds_children(
        tree,
        reference,
        &[
            ("Transforms", true),
            ("DigestMethod", true),
            ("DigestValue", true),
        ],
    )?;
    let transforms = required(&r, 0);
    let list = ds_children(tree, transforms, &[("Transform", true)])?;
    let transform = required(&list, 0);
    let t_uri = algorithm(tree, transform)?;
    if t_uri != ENVELOPED_SIGNATURE {
        return Err(SignatureError::UnsupportedAlgorithm {
            role: "transform",
            uri: t_uri.to_owned(),
        });
    }
    let dm = required(&r, 1);
    let dm_uri = algorithm(tree, dm)?;
    let digest_method =
        DigestMethod::from_uri(dm_uri).ok_or_else(|| SignatureError::UnsupportedAlgorithm {
            role: "digest",
            uri: dm_uri.to_owned(),
        })?;
    let digest_value = base64_content(tree, required(&r, 2))?;
    let signature_value = base64_content(tree, required(&parts, 1))?;

    let mut certificates = Vec::new();
    if let Some(key_info) = parts.get(2).copied().flatten() {
        let data: Vec<NodeId> = tree
            .child_elements(key_info)
            .filter(|(_, e)| e.ns == DSIG_NS && e.local == "X509Data")
            .map(|(id, _)| id)
            .collect();
        if data.len() > 1 {
            return Err(malformed(tree, key_info, "more than one X509Data"));
        }
        for &x509_data in &data {
            for (cid, e) in tree.child_elements(x509_data) {
                if e.ns != DSIG_NS || e.local != "X509Certificate" {
                    return Err(malformed(
                        tree,
                        cid,
                        format!("unexpected element {}", e.qname()),
                    ));
                }
                let der = base64_content(tree, cid)?;
                let index = certificates.len();
                let cert = Cert::from_der(&der)
                    .map_err(|reason| SignatureError::BadCertificate { index, reason })?;
                certificates.push(cert);
            }
        }
    }
    if certificates.is_empty() {
        return Err(SignatureError::NoCertificate);
    }
    Ok(ParsedSignature {
        signed_info,
        canonicalization,
        signature_method,
        reference_uri,
        digest_method,
        digest_value,
        signature_value,
        certificates,
    })
}
