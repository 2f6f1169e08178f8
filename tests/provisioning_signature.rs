//! Signature verification of provisioning documents (issue 9): every verdict
//! on the committed fixtures of `tests/provisioning/fixtures/signature`
//! (made by `tests/provisioning/make-signed-fixtures.sh`), the trust table,
//! and — where `xmlsec1`/`xmllint` are installed (always in CI) — our
//! verdicts and canonical forms against Debian's `xmlsec1` and libxml2 on
//! freshly signed files.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use mbimd::provisioning::signature::{
    self, Canonicalization, CertificateRef, DigestMethod, Rejection, SignatureError,
    SignatureMethod, Trust, TrustAnchor, TrustPolicy, Verdict,
};
use sha1::Digest as _;

const FIXTURES: &str = "tests/provisioning/fixtures/signature";

/// The example document's own `TrustedCertificate` (an "earlier
/// provisioning document" naming the signer).
const EXAMPLE_SUBJECT: &str = "CN=provisioning.example.net, O=Example Mobile, C=US";
const EXAMPLE_ISSUER: &str = "CN=Example EV CA, O=Example Trust, C=US";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES)
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Unix time of a UTC calendar date (days-from-civil; no date crate needed).
fn utc(y: i64, m: i64, d: i64) -> SystemTime {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(days * 86_400).unwrap())
}

/// The instant the fixtures are verified at (their VERIFY_TIME file).
fn verify_time() -> SystemTime {
    utc(2030, 6, 1)
}

fn anchors(dir: &Path, file: &str) -> Vec<TrustAnchor> {
    TrustAnchor::load(&dir.join(file)).unwrap()
}

fn example_policy(dir: &Path) -> TrustPolicy {
    TrustPolicy::new(
        anchors(dir, "trust-anchor.pem"),
        vec![CertificateRef::names(EXAMPLE_SUBJECT, EXAMPLE_ISSUER)],
    )
}

fn verify_fixture(name: &str) -> Result<Verdict, SignatureError> {
    let dir = fixtures();
    signature::verify(&read(&dir, name), &example_policy(&dir), verify_time())
}

fn signed(name: &str) -> Box<signature::Signer> {
    match verify_fixture(name) {
        Ok(Verdict::Signed(s)) => s,
        other => panic!("{name}: expected a valid signature, got {other:?}"),
    }
}

// --- valid signatures -------------------------------------------------------

#[test]
fn rsa_sha256_and_rsa_sha1_verify_with_every_canonicalization() {
    let cases = [
        (
            "valid-rsa-sha256-c14n.xml",
            SignatureMethod::RsaSha256,
            DigestMethod::Sha256,
            signature::c14n::C14N10,
        ),
        (
            "valid-rsa-sha256-c14n-comments.xml",
            SignatureMethod::RsaSha256,
            DigestMethod::Sha256,
            signature::c14n::C14N10_COMMENTS,
        ),
        (
            "valid-rsa-sha256-exc-c14n.xml",
            SignatureMethod::RsaSha256,
            DigestMethod::Sha256,
            signature::c14n::EXC_C14N,
        ),
        (
            "valid-rsa-sha256-exc-c14n-comments.xml",
            SignatureMethod::RsaSha256,
            DigestMethod::Sha256,
            signature::c14n::EXC_C14N_COMMENTS,
        ),
        (
            "valid-rsa-sha1-c14n.xml",
            SignatureMethod::RsaSha1,
            DigestMethod::Sha1,
            signature::c14n::C14N10,
        ),
        (
            "valid-rsa-sha1-exc-c14n.xml",
            SignatureMethod::RsaSha1,
            DigestMethod::Sha1,
            signature::c14n::EXC_C14N,
        ),
    ];
    for (name, sm, dm, c14n) in cases {
        let s = signed(name);
        assert_eq!(s.signature_method, sm, "{name}");
        assert_eq!(s.digest_method, dm, "{name}");
        assert_eq!(s.canonicalization.uri(), c14n, "{name}");
        assert_eq!(s.trust, Trust::Anchored, "{name}");
        assert_eq!(s.certificate.subject, EXAMPLE_SUBJECT, "{name}");
        assert_eq!(s.certificate.issuer, EXAMPLE_ISSUER, "{name}");
        assert_eq!(s.chain.len(), 1, "{name}: leaf directly under the anchor");
        assert_eq!(s.chain[0].subject, EXAMPLE_ISSUER, "{name}");
        assert!(
            s.association.is_some(),
            "{name}: named by the example's TrustedCertificate"
        );
        signature::admit(&Verdict::Signed(s), false).unwrap();
    }
}

#[test]
fn a_chain_through_an_intermediate_in_keyinfo_verifies() {
    let s = signed("valid-intermediate-chain.xml");
    let subjects: Vec<&str> = s.chain.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "CN=Example Issuing CA, O=Example Trust, C=US",
            EXAMPLE_ISSUER
        ]
    );
    assert_eq!(
        s.certificate.issuer,
        "CN=Example Issuing CA, O=Example Trust, C=US"
    );
}

#[test]
fn comments_and_line_ends_are_outside_the_signed_octets() {
    // Reference URI="" drops comments; XML line-end normalisation drops CRs.
    signed("valid-comment-edited.xml");
    signed("valid-crlf.xml");
}

#[test]
fn a_der_trust_anchor_works_like_the_pem_one() {
    let dir = fixtures();
    let policy = TrustPolicy::new(anchors(&dir, "trust-anchor.der"), vec![]);
    let v = signature::verify(
        &read(&dir, "valid-rsa-sha256-c14n.xml"),
        &policy,
        verify_time(),
    )
    .unwrap();
    assert_eq!(v.signer().unwrap().trust, Trust::Anchored);
}

#[test]
fn the_thumbprint_is_the_sha1_of_the_der_certificate() {
    let dir = fixtures();
    let pem = String::from_utf8(read(&dir, "leaf.pem")).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let sha1: [u8; 20] = sha1::Sha1::digest(&der).into();
    let s = signed("valid-rsa-sha256-c14n.xml");
    assert_eq!(s.certificate.thumbprint_sha1, sha1);
    assert_eq!(
        s.certificate.thumbprint_base64(),
        base64::engine::general_purpose::STANDARD.encode(sha1)
    );
    // and a thumbprint reference associates the certificate
    let policy = TrustPolicy::new(
        anchors(&dir, "trust-anchor.pem"),
        vec![CertificateRef::Thumbprint(sha1)],
    );
    let v = signature::verify(
        &read(&dir, "valid-rsa-sha1-c14n.xml"),
        &policy,
        verify_time(),
    )
    .unwrap();
    assert_eq!(
        v.signer().unwrap().association,
        Some(CertificateRef::Thumbprint(sha1))
    );
}

#[test]
fn trusted_certificate_names_match_in_der_order_and_case_insensitively() {
    let dir = fixtures();
    let policy = TrustPolicy::new(
        anchors(&dir, "trust-anchor.pem"),
        vec![CertificateRef::names(
            "c=us,o=example mobile,cn=PROVISIONING.EXAMPLE.NET",
            "C=US; O=Example Trust; CN=Example EV CA",
        )],
    );
    let v = signature::verify(
        &read(&dir, "valid-rsa-sha256-c14n.xml"),
        &policy,
        verify_time(),
    )
    .unwrap();
    assert!(v.signer().unwrap().association.is_some());
}

// --- rejected signatures ----------------------------------------------------

#[test]
fn tampered_content_is_a_digest_mismatch_on_the_empty_reference() {
    assert_eq!(
        verify_fixture("tampered-content.xml"),
        Err(SignatureError::DigestMismatch {
            uri: String::new(),
            algorithm: "SHA-256"
        })
    );
}

#[test]
fn a_tampered_signature_value_is_a_bad_signature() {
    assert!(matches!(
        verify_fixture("tampered-signature.xml"),
        Err(SignatureError::BadSignatureValue { .. })
    ));
}

#[test]
fn a_keyinfo_certificate_other_than_the_signers_is_a_bad_signature() {
    assert!(matches!(
        verify_fixture("swapped-certificate.xml"),
        Err(SignatureError::BadSignatureValue { subject }) if subject.contains("other.example.org")
    ));
}

#[test]
fn a_certificate_from_another_ca_is_untrusted() {
    // Same subject and issuer names as the real ones; a different CA key.
    assert!(matches!(
        verify_fixture("wrong-certificate.xml"),
        Err(SignatureError::UntrustedChain { .. })
    ));
    // ... and trusted once that CA is the configured anchor.
    let dir = fixtures();
    let policy = TrustPolicy::new(anchors(&dir, "rogue-anchor.pem"), vec![]);
    assert!(
        signature::verify(&read(&dir, "wrong-certificate.xml"), &policy, verify_time()).is_ok()
    );
    assert!(matches!(
        signature::verify(
            &read(&dir, "valid-rsa-sha256-c14n.xml"),
            &policy,
            verify_time()
        ),
        Err(SignatureError::UntrustedChain { .. })
    ));
}

#[test]
fn no_anchors_means_no_trust() {
    let dir = fixtures();
    let policy = TrustPolicy::new(
        vec![],
        vec![CertificateRef::names(EXAMPLE_SUBJECT, EXAMPLE_ISSUER)],
    );
    assert!(matches!(
        signature::verify(
            &read(&dir, "valid-rsa-sha256-c14n.xml"),
            &policy,
            verify_time()
        ),
        Err(SignatureError::UntrustedChain { .. })
    ));
}

#[test]
fn an_expired_certificate_is_rejected() {
    assert!(matches!(
        verify_fixture("expired-certificate.xml"),
        Err(SignatureError::CertificateExpired { subject, .. }) if subject == EXAMPLE_SUBJECT
    ));
}

#[test]
fn validity_follows_the_given_clock() {
    let dir = fixtures();
    let doc = read(&dir, "valid-rsa-sha256-c14n.xml");
    let policy = example_policy(&dir);
    // leaf: 2024-01-01 .. 2050-01-01
    assert!(matches!(
        signature::verify(&doc, &policy, utc(2023, 12, 31)),
        Err(SignatureError::CertificateNotYetValid { .. })
    ));
    assert!(signature::verify(&doc, &policy, utc(2024, 1, 2)).is_ok());
    assert!(signature::verify(&doc, &policy, utc(2049, 12, 31)).is_ok());
    assert!(matches!(
        signature::verify(&doc, &policy, utc(2050, 1, 2)),
        Err(SignatureError::CertificateExpired { .. })
    ));
    // The expired fixture was fine in its own time.
    let expired = read(&dir, "expired-certificate.xml");
    assert!(signature::verify(&expired, &policy, utc(2001, 6, 1)).is_ok());
}

// --- the trust table ----------------------------------------------------------

#[test]
fn a_signer_not_named_by_metadata_or_an_earlier_document_is_not_associated() {
    let s = signed("not-associated.xml");
    assert_eq!(s.association, None);
    let verdict = Verdict::Signed(s);
    assert!(matches!(
        signature::admit(&verdict, false),
        Err(Rejection::NotAssociated { subject, .. }) if subject.contains("other.example.org")
    ));
    // The operator's own (privileged) app needs no association.
    signature::admit(&verdict, true).unwrap();
}

#[test]
fn unsigned_documents_are_admitted_only_from_privileged_callers() {
    let verdict = verify_fixture("unsigned.xml").unwrap();
    assert_eq!(verdict, Verdict::Unsigned);
    assert_eq!(
        signature::admit(&verdict, false),
        Err(Rejection::UnsignedFromUnprivilegedCaller)
    );
    signature::admit(&verdict, true).unwrap();
}

#[test]
fn a_broken_signature_is_refused_even_for_privileged_callers() {
    let dir = fixtures();
    let policy = example_policy(&dir);
    let doc = read(&dir, "tampered-content.xml");
    assert!(matches!(
        signature::verify_document(&doc, &policy, verify_time(), true),
        Err(Rejection::Signature(SignatureError::DigestMismatch { .. }))
    ));
}

#[test]
fn integrity_only_checks_the_signature_but_admits_only_privileged_callers() {
    let dir = fixtures();
    let policy = TrustPolicy::integrity_only();
    // A certificate from an unknown CA still has a correct signature ...
    let v =
        signature::verify(&read(&dir, "wrong-certificate.xml"), &policy, verify_time()).unwrap();
    assert_eq!(v.signer().unwrap().trust, Trust::NotChecked);
    assert_eq!(signature::admit(&v, false), Err(Rejection::TrustNotChecked));
    // ... tampering and expiry are still found.
    assert!(
        signature::verify(&read(&dir, "tampered-content.xml"), &policy, verify_time()).is_err()
    );
    assert!(matches!(
        signature::verify(
            &read(&dir, "expired-certificate.xml"),
            &policy,
            verify_time()
        ),
        Err(SignatureError::CertificateExpired { .. })
    ));
}

// --- the schema's XML-DSig profile -------------------------------------------

fn edited(name: &str, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(read(&fixtures(), name)).unwrap();
    assert!(text.contains(from), "{name} lacks {from:?}");
    text.replacen(from, to, 1).into_bytes()
}

fn verify_bytes(doc: &[u8]) -> Result<Verdict, SignatureError> {
    let dir = fixtures();
    signature::verify(doc, &example_policy(&dir), verify_time())
}

#[test]
fn algorithms_outside_the_profile_are_named_as_unsupported() {
    let base = "valid-rsa-sha256-c14n.xml";
    let cases = [
        (
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            "signature",
        ),
        (
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2001/04/xmlenc#sha512",
            "digest",
        ),
        (
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"",
            "http://www.w3.org/2006/12/xml-c14n11\"",
            "canonicalization",
        ),
        (
            "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
            "http://www.w3.org/2000/09/xmldsig#base64",
            "transform",
        ),
    ];
    for (from, to, role) in cases {
        match verify_bytes(&edited(base, from, to)) {
            Err(SignatureError::UnsupportedAlgorithm { role: r, uri }) => {
                assert_eq!(r, role);
                assert_eq!(uri, to.trim_end_matches('"'));
            }
            other => panic!("{role}: {other:?}"),
        }
    }
}

#[test]
fn a_reference_to_anything_but_the_whole_document_is_refused() {
    let doc = edited(
        "valid-rsa-sha256-c14n.xml",
        "<Reference URI=\"\">",
        "<Reference URI=\"#x\">",
    );
    assert!(matches!(
        verify_bytes(&doc),
        Err(SignatureError::MalformedSignature { reason, .. }) if reason.contains("Reference URI")
    ));
}

#[test]
fn two_signatures_are_refused_with_a_position() {
    let text = String::from_utf8(read(&fixtures(), "valid-rsa-sha256-c14n.xml")).unwrap();
    let start = text.find("<Signature ").unwrap();
    let end = text.find("</Signature>").unwrap() + "</Signature>".len();
    let doc = format!("{}{}{}", &text[..end], &text[start..end], &text[end..]);
    match verify_bytes(doc.as_bytes()) {
        Err(SignatureError::MalformedSignature { line, reason, .. }) => {
            assert!(reason.contains("more than one"));
            let first_line = text[..start].matches('\n').count() + 1;
            assert!(line >= first_line, "line {line}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_signature_without_a_certificate_is_refused() {
    let text = String::from_utf8(read(&fixtures(), "valid-rsa-sha256-c14n.xml")).unwrap();
    let start = text.find("<KeyInfo>").unwrap();
    let end = text.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
    let doc = format!("{}{}", &text[..start], &text[end..]);
    assert_eq!(
        verify_bytes(doc.as_bytes()),
        Err(SignatureError::NoCertificate)
    );
}

#[test]
fn documents_with_a_dtd_or_bad_xml_are_refused_with_line_and_column() {
    let doc = edited(
        "valid-rsa-sha256-c14n.xml",
        "<CarrierProvisioning",
        "<!DOCTYPE CarrierProvisioning [<!ENTITY e \"x\">]>\n<CarrierProvisioning",
    );
    assert!(matches!(
        verify_bytes(&doc),
        Err(SignatureError::MalformedXml { line: 2, .. })
    ));
    let doc = edited("valid-rsa-sha256-c14n.xml", "</Global>", "</Globa>");
    assert!(matches!(
        verify_bytes(&doc),
        Err(SignatureError::MalformedXml { .. })
    ));
    let doc = edited("valid-rsa-sha256-c14n.xml", "<Name>", "<x:Name>");
    assert!(matches!(
        verify_bytes(&doc),
        Err(SignatureError::MalformedXml { reason, .. }) if reason.contains("unbound")
    ));
}

// --- against xmlsec1 and xmllint ---------------------------------------------

/// Whether `tool` runs; in CI (CI=true) it must.
fn have(tool: &str) -> bool {
    // openssl has a `version` command instead of the usual flag.
    let arg = if tool == "openssl" {
        "version"
    } else {
        "--version"
    };
    let ok = Command::new(tool)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{tool} missing in CI"
        );
        eprintln!("skipping: {tool} is not installed");
    }
    ok
}

fn gmt(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let days = i64::try_from(secs / 86_400).unwrap();
    // civil-from-days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `xmlsec1 --verify`'s verdict and its canonical buffers (PreDigest,
/// PreSigned) for `file`.
fn xmlsec_verify(
    file: &Path,
    anchor: &Path,
    now: SystemTime,
) -> (bool, Option<String>, Option<String>) {
    let out = Command::new("xmlsec1")
        .args(["--verify", "--store-references", "--store-signatures"])
        .args([
            "--enabled-key-data",
            "x509",
            "--enabled-reference-uris",
            "empty",
        ])
        .arg("--trusted-pem")
        .arg(anchor)
        .args(["--verification-gmt-time", &gmt(now)])
        .arg(file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let buffer = |what: &str| {
        let start = format!("== {what} data - start buffer:\n");
        let end = format!("\n== {what} data - end buffer");
        let s = text.find(&start)? + start.len();
        let e = s + text[s..].find(&end)?;
        Some(text[s..e].to_owned())
    };
    (
        out.status.success(),
        buffer("PreDigest"),
        buffer("PreSigned"),
    )
}

fn compare_with_xmlsec(dir: &Path, now: SystemTime) -> usize {
    let anchor = dir.join("trust-anchor.pem");
    let policy = TrustPolicy::new(anchors(dir, "trust-anchor.pem"), vec![]);
    let mut checked = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    entries.sort();
    for file in entries {
        let doc = std::fs::read(&file).unwrap();
        let ours = signature::verify(&doc, &policy, now);
        let (theirs, pre_digest, pre_signed) = xmlsec_verify(&file, &anchor, now);
        assert_eq!(
            matches!(ours, Ok(Verdict::Signed(_))),
            theirs,
            "{} at {}: ours {ours:?}, xmlsec1 {}",
            file.display(),
            gmt(now),
            if theirs { "valid" } else { "invalid" }
        );
        if let Some(octets) = signature::signed_octets(&doc).unwrap() {
            if let Some(pre) = pre_digest {
                assert_eq!(
                    String::from_utf8(octets.reference).unwrap(),
                    pre,
                    "{}",
                    file.display()
                );
            }
            if let Some(pre) = pre_signed {
                assert_eq!(
                    String::from_utf8(octets.signed_info).unwrap(),
                    pre,
                    "{}",
                    file.display()
                );
            }
        }
        checked += 1;
    }
    checked
}

#[test]
fn committed_fixtures_get_xmlsec1s_verdicts() {
    if !have("xmlsec1") {
        return;
    }
    let dir = fixtures();
    for now in [
        verify_time(),
        utc(2023, 12, 31),
        utc(2051, 1, 1),
        utc(2001, 6, 1),
    ] {
        assert_eq!(compare_with_xmlsec(&dir, now), 16);
    }
}

#[test]
fn freshly_signed_fixtures_get_xmlsec1s_verdicts() {
    if !have("xmlsec1") || !have("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/provisioning/make-signed-fixtures.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(compare_with_xmlsec(tmp.path(), verify_time()), 16);
    // expected verdicts hold for the fresh keys too
    let policy = example_policy(tmp.path());
    let v = |n: &str| signature::verify(&read(tmp.path(), n), &policy, verify_time());
    assert!(v("valid-rsa-sha1-exc-c14n.xml").is_ok());
    assert!(matches!(
        v("tampered-content.xml"),
        Err(SignatureError::DigestMismatch { .. })
    ));
    assert!(matches!(
        v("tampered-signature.xml"),
        Err(SignatureError::BadSignatureValue { .. })
    ));
    assert!(matches!(
        v("wrong-certificate.xml"),
        Err(SignatureError::UntrustedChain { .. })
    ));
    assert!(matches!(
        v("expired-certificate.xml"),
        Err(SignatureError::CertificateExpired { .. })
    ));
    assert_eq!(v("unsigned.xml"), Ok(Verdict::Unsigned));
}

/// A document that exercises canonicalisation: namespaces declared,
/// redeclared and undeclared, prefixed attributes out of order, references,
/// CR/TAB/LF in attributes and text, CDATA, comments and PIs inside and
/// around the root, `xml:` attributes that inclusive C14N inherits into
/// `SignedInfo`. `SIGNATURE` marks where the signature template goes.
const TRICKY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<?before  pi data ?>\n\
<!-- before root -->\n\
<r:Root xmlns:r=\"urn:example:root\" xmlns=\"urn:example:default\" xmlns:unused=\"urn:example:unused\"\n    \
xml:lang=\"en\" xml:space=\"preserve\" b=\"2\"  a='1' r:z=\"&lt;&amp;&gt;&quot;'\">\r\n  \
<child attr=\"tab&#9;nl&#10;cr&#13;literal\ttab and\nnewline  two\" xmlns:r=\"urn:example:root\" r:b=\"x\" unused:a=\"y\">\
text &amp; &lt; &gt; &#xD; &#x10FFFF; ]&gt; \u{e9}\t</child>\n  \
<empty/><empty2></empty2>\n  \
<n:ns xmlns:n=\"urn:example:n\" xmlns=\"\" n:at=\"v\"><inner xmlns=\"urn:example:default\"><deeper xmlns=\"\"/></inner></n:ns>\n  \
<![CDATA[ <cdata> & ]]>\n  \
<!-- inner comment -->\n  \
<?inner-pi  spaced   data ?><?bare?>\n  \
SIGNATURE\n\
</r:Root>\n\
<!-- after root -->\n\
<?after?>\n";

/// An xmlsec1 signing template; `prefix` is "" (default namespace) or e.g.
/// "ds" (every XML-DSig element prefixed).
fn signature_template(c14n: &str, sm: SignatureMethod, dm: DigestMethod, prefix: &str) -> String {
    let body = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>\
<CanonicalizationMethod Algorithm=\"{c14n}\"/>\n<SignatureMethod Algorithm=\"{}\"/>\
<!-- in SignedInfo --><Reference URI=\"\"><Transforms><Transform Algorithm=\"{}\"/></Transforms>\
<DigestMethod Algorithm=\"{}\"/><DigestValue/></Reference></SignedInfo><SignatureValue/>\
<KeyInfo><X509Data/></KeyInfo></Signature>",
        sm.uri(),
        signature::ENVELOPED_SIGNATURE,
        dm.uri()
    );
    if prefix.is_empty() {
        return body;
    }
    body.replace("<!--", "\u{0}")
        .replace("</", &format!("\u{1}{prefix}:"))
        .replace('<', &format!("<{prefix}:"))
        .replace('\u{1}', "</")
        .replace('\u{0}', "<!--")
        .replace(" xmlns=", &format!(" xmlns:{prefix}="))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn canonical_octets_of_a_tricky_document_equal_xmlsec1s() {
    if !have("xmlsec1") || !have("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "36500",
        ])
        .args(["-subj", "/CN=c14n test signer", "-keyout"])
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem")));
    let methods = [
        signature::c14n::C14N10,
        signature::c14n::C14N10_COMMENTS,
        signature::c14n::EXC_C14N,
        signature::c14n::EXC_C14N_COMMENTS,
    ];
    let now = SystemTime::now();
    let policy = TrustPolicy::new(anchors(dir, "cert.pem"), vec![]);
    let cases = methods.iter().flat_map(|m| [(*m, ""), (*m, "ds")]);
    for (i, (m, prefix)) in cases.enumerate() {
        let (sm, dm) = if i % 3 == 0 {
            (SignatureMethod::RsaSha1, DigestMethod::Sha1)
        } else {
            (SignatureMethod::RsaSha256, DigestMethod::Sha256)
        };
        let doc = TRICKY.replace("SIGNATURE", &signature_template(m, sm, dm, prefix));
        let tmpl = dir.join(format!("tmpl{i}.xml"));
        let signed_path = dir.join(format!("signed{i}.xml"));
        std::fs::write(&tmpl, doc).unwrap();
        let mut key = dir.join("key.pem").into_os_string();
        key.push(",");
        key.push(dir.join("cert.pem"));
        run(Command::new("xmlsec1")
            .args(["--sign", "--privkey-pem"])
            .arg(&key)
            .arg("--output")
            .arg(&signed_path)
            .arg(&tmpl));
        let signed_doc = std::fs::read(&signed_path).unwrap();
        let text = String::from_utf8_lossy(&signed_doc);
        assert_eq!(text.contains("<ds:SignedInfo>"), prefix == "ds");
        assert!(text.contains("<!-- in SignedInfo -->"));
        let (theirs, pre_digest, pre_signed) =
            xmlsec_verify(&signed_path, &dir.join("cert.pem"), now);
        assert!(
            theirs,
            "xmlsec1 rejects its own signature for {m} {prefix:?}"
        );
        let octets = signature::signed_octets(&signed_doc).unwrap().unwrap();
        assert_eq!(
            String::from_utf8(octets.reference).unwrap(),
            pre_digest.unwrap(),
            "{m} {prefix:?}"
        );
        assert_eq!(
            String::from_utf8(octets.signed_info).unwrap(),
            pre_signed.unwrap(),
            "{m} {prefix:?}"
        );
        let v = signature::verify(&signed_doc, &policy, now).unwrap();
        assert_eq!(v.signer().unwrap().canonicalization.uri(), m);
    }
}

fn xmllint(flag: &str, doc: &str) -> String {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), doc).unwrap();
    let out = Command::new("xmllint")
        .arg(flag)
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xmllint {flag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ours(doc: &str, method: &Canonicalization) -> String {
    String::from_utf8(signature::canonicalize_document(doc.as_bytes(), method).unwrap()).unwrap()
}

/// Small documents, one canonicalisation concern each.
const C14N_CASES: &[(&str, &str)] = &[
    (
        "attribute order",
        "<a xmlns:z=\"urn:a\" xmlns:b=\"urn:z\" z:x=\"1\" b:x=\"2\" y=\"3\" b=\"4\" xmlns=\"urn:d\"/>",
    ),
    (
        "redundant and undeclared namespaces",
        "<a xmlns=\"urn:d\" xmlns:p=\"urn:p\"><b xmlns=\"urn:d\" xmlns:p=\"urn:p\"><c xmlns=\"\"><d xmlns=\"\"/></c></b></a>",
    ),
    (
        "namespaces used only by attributes",
        "<a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><b p:x=\"1\"><c q:y=\"2\"/></b></a>",
    ),
    (
        "entities and character references",
        "<a t=\"&lt;&amp;&gt;&quot;&apos;&#x9;&#xA;&#xD;\">&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#13;</a>",
    ),
    (
        "whitespace",
        "<a  b = \"  x  y \"\n\tc=\"\t\">\n  <d>  </d>\r\n\t</a  >",
    ),
    (
        "comments and PIs",
        "<?p  data ?><!--a--><a><!-- b --><?q?><?r   s  ?></a><!--c--><?t u?>",
    ),
    ("CDATA", "<a><![CDATA[<&>]]>]]&gt;</a>"),
    (
        "xml attributes",
        "<a xml:lang=\"en\" xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"><b xml:space=\"preserve\"/></a>",
    ),
    (
        "prefix rebinding",
        "<p:a xmlns:p=\"urn:one\"><p:b xmlns:p=\"urn:two\"><p:c xmlns:p=\"urn:one\"/></p:b></p:a>",
    ),
];

#[test]
fn canonical_xml_with_comments_equals_xmllint() {
    if !have("xmllint") {
        return;
    }
    let method = Canonicalization::C14n10 {
        with_comments: true,
    };
    for (what, doc) in C14N_CASES {
        assert_eq!(ours(doc, &method), xmllint("--c14n", doc), "{what}");
    }
    assert_eq!(
        ours(&TRICKY.replace("SIGNATURE", ""), &method),
        xmllint("--c14n", &TRICKY.replace("SIGNATURE", ""))
    );
}

#[test]
fn exclusive_canonical_xml_with_comments_equals_xmllint() {
    if !have("xmllint") {
        return;
    }
    let method = Canonicalization::ExcC14n {
        with_comments: true,
        inclusive_prefixes: vec![],
    };
    for (what, doc) in C14N_CASES {
        assert_eq!(ours(doc, &method), xmllint("--exc-c14n", doc), "{what}");
    }
    assert_eq!(
        ours(&TRICKY.replace("SIGNATURE", ""), &method),
        xmllint("--exc-c14n", &TRICKY.replace("SIGNATURE", ""))
    );
}

#[test]
fn without_comments_only_comments_disappear() {
    // The outputs without comments are the with-comments ones minus the
    // comment nodes (and the line feeds that separate top-level ones).
    let doc = "<!--x--><a><!--y--><b/></a><!--z-->";
    for (with, without) in [
        (
            Canonicalization::C14n10 {
                with_comments: true,
            },
            Canonicalization::C14n10 {
                with_comments: false,
            },
        ),
        (
            Canonicalization::ExcC14n {
                with_comments: true,
                inclusive_prefixes: vec![],
            },
            Canonicalization::ExcC14n {
                with_comments: false,
                inclusive_prefixes: vec![],
            },
        ),
    ] {
        assert_eq!(
            ours(doc, &with),
            "<!--x-->\n<a><!--y--><b></b></a>\n<!--z-->"
        );
        assert_eq!(ours(doc, &without), "<a><b></b></a>");
    }
}

#[test]
fn exclusive_inclusive_prefix_list_renders_unused_namespaces() {
    let doc = "<a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><b/></a>";
    let plain = Canonicalization::ExcC14n {
        with_comments: false,
        inclusive_prefixes: vec![],
    };
    let listed = Canonicalization::ExcC14n {
        with_comments: false,
        inclusive_prefixes: vec!["q".into()],
    };
    assert_eq!(ours(doc, &plain), "<a><b></b></a>");
    assert_eq!(ours(doc, &listed), "<a xmlns:q=\"urn:q\"><b></b></a>");
}

#[test]
fn relative_namespace_uris_are_refused_like_libxml2() {
    let method = Canonicalization::C14n10 {
        with_comments: false,
    };
    assert!(matches!(
        signature::canonicalize_document(b"<a xmlns:b=\"rel\"/>", &method),
        Err(SignatureError::MalformedXml { .. })
    ));
}

// --- robustness ---------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Tamper detection: a one-byte change is accepted only when the
        /// octets the signature covers stay the same (a comment, the
        /// whitespace inside a tag, a line end ...).
        #[test]
        fn a_mutated_document_verifies_only_if_its_signed_octets_are_unchanged(
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let dir = fixtures();
            let doc = read(&dir, "valid-rsa-sha256-exc-c14n.xml");
            let original = signature::signed_octets(&doc).unwrap().unwrap();
            let mut mutated = doc.clone();
            let i = at.index(mutated.len());
            mutated[i] = byte;
            if let Ok(Verdict::Signed(_)) = signature::verify(&mutated, &example_policy(&dir), verify_time()) {
                let now = signature::signed_octets(&mutated).unwrap().unwrap();
                prop_assert_eq!(now.reference, original.reference);
                prop_assert_eq!(now.signed_info, original.signed_info);
            }
        }

        /// Any input gets an answer, never a panic.
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = signature::verify(&bytes, &TrustPolicy::integrity_only(), verify_time());
            let _ = signature::canonicalize_document(&bytes, &Canonicalization::C14n10 { with_comments: true });
        }

        /// Truncations of a signed document never verify.
        #[test]
        fn truncated_documents_never_verify(at in any::<prop::sample::Index>()) {
            let dir = fixtures();
            let doc = read(&dir, "valid-rsa-sha1-c14n.xml");
            let cut = at.index(doc.len());
            let end = doc.iter().rposition(|&b| b == b'>').unwrap();
            prop_assume!(cut <= end);
            prop_assert!(!matches!(
                signature::verify(&doc[..cut], &example_policy(&dir), verify_time()),
                Ok(Verdict::Signed(_))
            ));
        }
    }
}

#[test]
fn the_configured_verifier_uses_its_clock() {
    let dir = fixtures();
    let xml = String::from_utf8(read(&dir, "valid-rsa-sha256-c14n.xml")).unwrap();
    let now = signature::XmlDsigVerifier::with_clock(example_policy(&dir), || utc(2030, 6, 1));
    let later = signature::XmlDsigVerifier::with_clock(example_policy(&dir), || utc(2055, 1, 1));
    assert!(now.admit_xml(&xml, false).is_ok());
    assert!(matches!(
        later.verify_xml(&xml),
        Err(SignatureError::CertificateExpired { .. })
    ));
}

#[test]
fn an_anchor_directory_loads_pem_and_der_files_and_ignores_others() {
    let dir = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("trust-anchor.der"), tmp.path().join("a.der")).unwrap();
    std::fs::copy(dir.join("rogue-anchor.pem"), tmp.path().join("b.PEM")).unwrap();
    std::fs::write(tmp.path().join("README"), "not a certificate").unwrap();
    let loaded = TrustAnchor::load_dir(tmp.path()).unwrap();
    assert_eq!(loaded.len(), 2);
    let policy = TrustPolicy::new(loaded, vec![]);
    for name in ["valid-rsa-sha256-c14n.xml", "wrong-certificate.xml"] {
        assert!(
            signature::verify(&read(&dir, name), &policy, verify_time()).is_ok(),
            "{name}"
        );
    }
    std::fs::write(
        tmp.path().join("c.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    assert!(matches!(
        TrustAnchor::load_dir(tmp.path()),
        Err(SignatureError::BadTrustAnchor { source_name, .. }) if source_name.ends_with("c.pem")
    ));
}
