//! X.509 for provisioning signatures: certificates from `KeyInfo` and trust
//! anchor files, path building to a configured anchor (RFC 5280 §6 subset:
//! names, signatures, validity at a given instant, basic constraints, key
//! usage, path length, unknown critical extensions), distinguished-name
//! matching for `TrustedCertificate` references (windows-operator-formats.md
//! §1.9) and the certificate summary a verdict carries.
//!
//! No revocation checking (no CRL/OCSP: the daemon cannot assume network
//! access while provisioning) and no name constraints (a critical one fails
//! the path). It must not read files or clocks itself: callers pass both.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::sha2::{Digest as _, Sha256, Sha384, Sha512};
use sha1::Sha1;
use x509_cert::der::{Decode as _, Encode as _, Tag, Tagged as _};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, IssuerAltName, KeyUsage, SubjectAltName};
use x509_cert::name::Name;

/// Longest path (leaf + intermediates) searched below an anchor.
const MAX_PATH: usize = 8;

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";
const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";

/// Extensions whose meaning we know; any other critical one fails the path.
const KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.15", // keyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.18", // issuerAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.32", // certificatePolicies (not enforced; openssl's default neither)
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.37", // extKeyUsage
];

/// A parsed certificate with its exact DER (thumbprints and TBS bytes come
/// from the original encoding, never from a re-encoding).
#[derive(Clone)]
pub(crate) struct Cert {
    pub der: Vec<u8>,
    pub parsed: x509_cert::Certificate,
}

impl fmt::Debug for Cert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cert")
            .field(
                "subject",
                &display_name(self.parsed.tbs_certificate().subject()),
            )
            .finish()
    }
}

/// Why a certificate or a path was refused; the caller maps it to a
/// `SignatureError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathError {
    /// No acceptable path to an anchor (reason says the last obstacle).
    Untrusted(String),
    Expired {
        subject: String,
        not_after: String,
    },
    NotYetValid {
        subject: String,
        not_before: String,
    },
    /// A signature or key algorithm we do not implement.
    Unsupported(String),
}

impl Cert {
    /// Parses DER bytes.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let parsed = x509_cert::Certificate::from_der(der).map_err(|e| e.to_string())?;
        Ok(Self {
            der: der.to_vec(),
            parsed,
        })
    }

    fn tbs(&self) -> &x509_cert::TbsCertificate {
        self.parsed.tbs_certificate()
    }

    fn subject_der(&self) -> Vec<u8> {
        self.tbs().subject().to_der().unwrap_or_default()
    }

    fn issuer_der(&self) -> Vec<u8> {
        self.tbs().issuer().to_der().unwrap_or_default()
    }

    /// The subject in the order Windows and the provisioning examples write
    /// it (most specific first): `CN=…, O=…, C=…`.
    pub fn subject(&self) -> String {
        display_name(self.tbs().subject())
    }

    /// The issuer, written like [`Cert::subject`].
    pub fn issuer(&self) -> String {
        display_name(self.tbs().issuer())
    }

    /// The RSA public key of the subject.
    pub fn rsa_key(&self) -> Result<rsa::PublicKey, PathError> {
        let spki = self.tbs().subject_public_key_info();
        let alg = spki.algorithm.oid.to_string();
        if alg != RSA_ENCRYPTION {
            return Err(PathError::Unsupported(format!(
                "public key algorithm {alg}"
            )));
        }
        let der = spki
            .to_der()
            .map_err(|e| PathError::Untrusted(format!("bad public key: {e}")))?;
        rsa::PublicKey::from_public_key_der(&der)
            .map_err(|e| PathError::Untrusted(format!("bad RSA public key: {e}")))
    }

    /// Whether `issuer`'s key made this certificate's signature.
    fn signed_by(&self, issuer: &Cert) -> Result<bool, PathError> {
        let Some(tbs) = tbs_bytes(&self.der) else {
            return Ok(false);
        };
        let sig = self.parsed.signature().raw_bytes();
        let key = issuer.rsa_key()?;
        let alg = self.parsed.signature_algorithm().oid.to_string();
        let ok = match alg.as_str() {
            SHA1_WITH_RSA => key
                .verify(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(tbs), sig)
                .is_ok(),
            SHA256_WITH_RSA => key
                .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(tbs), sig)
                .is_ok(),
            SHA384_WITH_RSA => key
                .verify(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(tbs), sig)
                .is_ok(),
            SHA512_WITH_RSA => key
                .verify(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(tbs), sig)
                .is_ok(),
            other => {
                return Err(PathError::Unsupported(format!(
                    "certificate signature algorithm {other}"
                )));
            }
        };
        Ok(ok)
    }

    fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.tbs()
            .get_extension::<BasicConstraints>()
            .ok()
            .flatten()
            .map(|(_, bc)| bc)
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        self.tbs()
            .get_extension::<KeyUsage>()
            .ok()
            .flatten()
            .map(|(_, ku)| ku)
    }

    /// A critical extension we do not understand, if any (RFC 5280 §4.2).
    fn unknown_critical(&self) -> Option<String> {
        self.tbs()
            .extensions()
            .into_iter()
            .flatten()
            .filter(|e| e.critical)
            .map(|e| e.extn_id.to_string())
            .find(|oid| !KNOWN_EXTENSIONS.contains(&oid.as_str()))
    }

    /// Whether this certificate may issue `below` further CA certificates
    /// under it (basic constraints, key usage, path length).
    fn may_issue(&self, is_anchor: bool, below: usize) -> Result<(), String> {
        let subject = self.subject();
        match self.basic_constraints() {
            Some(bc) if bc.ca => {
                if let Some(max) = bc.path_len_constraint
                    && below > usize::from(max)
                {
                    return Err(format!("{subject}: path length constraint {max} exceeded"));
                }
            }
            Some(_) => return Err(format!("{subject} is not a CA certificate")),
            // A v1 root (no extensions at all) is still a usable anchor.
            None if is_anchor && self.tbs().extensions().is_none() => {}
            None => return Err(format!("{subject} has no basic constraints")),
        }
        if let Some(ku) = self.key_usage()
            && !ku.key_cert_sign()
        {
            return Err(format!(
                "{subject}: key usage does not allow certificate signing"
            ));
        }
        Ok(())
    }

    /// The validity period check at `now`.
    fn valid_at(&self, now: SystemTime) -> Result<(), PathError> {
        let validity = self.tbs().validity();
        if now < validity.not_before.to_system_time() {
            return Err(PathError::NotYetValid {
                subject: self.subject(),
                not_before: validity.not_before.to_string(),
            });
        }
        if now > validity.not_after.to_system_time() {
            return Err(PathError::Expired {
                subject: self.subject(),
                not_after: validity.not_after.to_string(),
            });
        }
        Ok(())
    }

    /// The summary a verdict carries.
    pub fn info(&self) -> CertificateInfo {
        let tbs = self.tbs();
        let validity = tbs.validity();
        CertificateInfo {
            subject: self.subject(),
            issuer: self.issuer(),
            serial_number: hex(tbs.serial_number().as_bytes()),
            thumbprint_sha1: Sha1::digest(&self.der).into(),
            fingerprint_sha256: Sha256::digest(&self.der).into(),
            not_before: validity.not_before.to_system_time(),
            not_after: validity.not_after.to_system_time(),
        }
    }

    /// Whether `TrustedCertificate` (SubjectName, IssuerName) names this
    /// certificate: the subject against the Subject DN or a SubjectAltName
    /// DirectoryName, the issuer against the Issuer DN or an IssuerAltName
    /// DirectoryName (Base schema `CertificateDetails`).
    pub fn matches_names(&self, subject_name: &str, issuer_name: &str) -> bool {
        let (Some(want_subject), Some(want_issuer)) =
            (parse_dn(subject_name), parse_dn(issuer_name))
        else {
            return false;
        };
        let tbs = self.tbs();
        let mut subjects = vec![name_rdns(tbs.subject())];
        if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
            subjects.extend(directory_names(&san.0).map(name_rdns));
        }
        let mut issuers = vec![name_rdns(tbs.issuer())];
        if let Ok(Some((_, ian))) = tbs.get_extension::<IssuerAltName>() {
            issuers.extend(directory_names(&ian.0).map(name_rdns));
        }
        subjects.iter().any(|n| dn_equal(&want_subject, n))
            && issuers.iter().any(|n| dn_equal(&want_issuer, n))
    }
}

fn directory_names(names: &[GeneralName]) -> impl Iterator<Item = &Name> {
    names.iter().filter_map(|g| match g {
        GeneralName::DirectoryName(n) => Some(n),
        _ => None,
    })
}

/// Summary of a certificate, as a verdict reports the signer and its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Subject DN, most specific first (`CN=…, O=…, C=…`).
    pub subject: String,
    /// Issuer DN, written the same way.
    pub issuer: String,
    /// Serial number in upper-case hex.
    pub serial_number: String,
    /// SHA-1 of the DER certificate: the Windows thumbprint that the
    /// provisioning result document reports (base64) under `Signature/Thumbprint`.
    pub thumbprint_sha1: [u8; 20],
    /// SHA-256 of the DER certificate.
    pub fingerprint_sha256: [u8; 32],
    /// Start of the validity period.
    pub not_before: SystemTime,
    /// End of the validity period.
    pub not_after: SystemTime,
}

impl CertificateInfo {
    /// The thumbprint as the result document writes it (base64).
    pub fn thumbprint_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.thumbprint_sha1)
    }
}

/// Finds a path from `leaf` through `pool` to one of `anchors`, checks it at
/// `now` and returns it leaf first, anchor last.
pub(crate) fn build_path<'a>(
    leaf: &'a Cert,
    pool: &'a [Cert],
    anchors: &'a [Cert],
    now: SystemTime,
) -> Result<Vec<&'a Cert>, PathError> {
    let mut path = vec![leaf];
    let mut last = format!("no trust anchor issued {}", leaf.issuer());
    if !extend(&mut path, pool, anchors, &mut last)? {
        return Err(PathError::Untrusted(last));
    }
    if let Some(ku) = leaf.key_usage()
        && !ku.digital_signature()
        && !ku.non_repudiation()
    {
        return Err(PathError::Untrusted(format!(
            "{}: key usage does not allow signing",
            leaf.subject()
        )));
    }
    for cert in &path {
        if let Some(oid) = cert.unknown_critical() {
            return Err(PathError::Untrusted(format!(
                "{}: unsupported critical extension {oid}",
                cert.subject()
            )));
        }
    }
    for cert in &path {
        cert.valid_at(now)?;
    }
    Ok(path)
}

/// Depth-first search; `last` keeps the most telling reason for a failure.
fn extend<'a>(
    path: &mut Vec<&'a Cert>,
    pool: &'a [Cert],
    anchors: &'a [Cert],
    last: &mut String,
) -> Result<bool, PathError> {
    let Some(&cur) = path.last() else {
        return Ok(false);
    };
    // The certificate itself is configured as trusted.
    if anchors.iter().any(|a| a.der == cur.der) {
        return Ok(true);
    }
    let below = path.len() - 1;
    let issuer = cur.issuer_der();
    for anchor in anchors.iter().filter(|a| a.subject_der() == issuer) {
        if !cur.signed_by(anchor)? {
            *last = format!(
                "signature of {} does not verify with anchor {}",
                cur.subject(),
                anchor.subject()
            );
            continue;
        }
        if let Err(why) = anchor.may_issue(true, below) {
            *last = why;
            continue;
        }
        path.push(anchor);
        return Ok(true);
    }
    if path.len() >= MAX_PATH {
        *last = format!("no trust anchor within {MAX_PATH} certificates");
        return Ok(false);
    }
    for cand in pool.iter().filter(|c| c.subject_der() == issuer) {
        if path.iter().any(|p| p.der == cand.der) {
            continue;
        }
        if !cur.signed_by(cand)? {
            *last = format!(
                "signature of {} does not verify with {}",
                cur.subject(),
                cand.subject()
            );
            continue;
        }
        if let Err(why) = cand.may_issue(false, below) {
            *last = why;
            continue;
        }
        path.push(cand);
        if extend(path, pool, anchors, last)? {
            return Ok(true);
        }
        path.pop();
    }
    Ok(false)
}

/// The `tbsCertificate` TLV inside a DER `Certificate` SEQUENCE: the exact
/// bytes the issuer signed.
fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    let (_, body) = tlv(der)?;
    let (len, _) = tlv(body)?;
    body.get(..len)
}

/// Splits one DER TLV: (total length of the TLV, its contents).
fn tlv(b: &[u8]) -> Option<(usize, &[u8])> {
    let first = *b.get(1)?;
    let (hdr, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (2 + n, len)
    };
    let end = hdr.checked_add(len)?;
    Some((end, b.get(hdr..end)?))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Parses certificates from PEM (any number of `CERTIFICATE` blocks) or DER.
pub(crate) fn parse_certificates(bytes: &[u8]) -> Result<Vec<Cert>, String> {
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN"));
    let Some(text) = text else {
        return Cert::from_der(bytes).map(|c| vec![c]);
    };
    let mut certs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body = &rest[start + "-----BEGIN CERTIFICATE-----".len()..];
        let end = body
            .find("-----END CERTIFICATE-----")
            .ok_or_else(|| "PEM block without END line".to_string())?;
        let b64: String = body[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| format!("bad PEM base64: {e}"))?;
        certs.push(Cert::from_der(&der)?);
        rest = &body[end..];
    }
    if certs.is_empty() {
        return Err("no CERTIFICATE block in PEM".into());
    }
    Ok(certs)
}

// ---------------------------------------------------------------------------
// Distinguished names

/// One attribute of a name: upper-case short type and normalised value.
type Ava = (String, String);

/// Short names for attribute types, as Windows and OpenSSL write them.
const ATTRIBUTE_TYPES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "T"),
    ("2.5.4.15", "BUSINESSCATEGORY"),
    ("2.5.4.17", "POSTALCODE"),
    ("2.5.4.42", "G"),
    ("2.5.4.43", "I"),
    ("1.2.840.113549.1.9.1", "E"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.3.6.1.4.1.311.60.2.1.1", "JURISDICTIONL"),
    ("1.3.6.1.4.1.311.60.2.1.2", "JURISDICTIONST"),
    ("1.3.6.1.4.1.311.60.2.1.3", "JURISDICTIONC"),
];

/// Aliases accepted in `SubjectName`/`IssuerName` strings.
fn canonical_type(t: &str) -> String {
    let up = t.trim().to_ascii_uppercase();
    let up = up.strip_prefix("OID.").map(str::to_owned).unwrap_or(up);
    let alias = match up.as_str() {
        "S" | "STATEORPROVINCENAME" => "ST",
        "EMAIL" | "EMAILADDRESS" => "E",
        "COMMONNAME" => "CN",
        "COUNTRYNAME" => "C",
        "LOCALITYNAME" => "L",
        "ORGANIZATIONNAME" => "O",
        "ORGANIZATIONALUNITNAME" => "OU",
        "TITLE" => "T",
        "GN" | "GIVENNAME" => "G",
        "SURNAME" => "SN",
        "STREETADDRESS" => "STREET",
        "DOMAINCOMPONENT" => "DC",
        "USERID" => "UID",
        other => {
            // A dotted OID with a short name is the short name.
            return ATTRIBUTE_TYPES
                .iter()
                .find(|(oid, _)| *oid == other)
                .map_or_else(|| other.to_owned(), |(_, s)| (*s).to_owned());
        }
    };
    alias.to_owned()
}

/// caseIgnoreMatch-style comparison form: trimmed, inner whitespace runs
/// collapsed, lower case.
fn normalize_value(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A name as RDNs in DER order, each RDN's attributes sorted.
fn name_rdns(name: &Name) -> Vec<Vec<Ava>> {
    name.iter_rdn()
        .map(|rdn| {
            let mut avas: Vec<Ava> = rdn
                .iter()
                .map(|atv| {
                    let oid = atv.oid.to_string();
                    let short = ATTRIBUTE_TYPES
                        .iter()
                        .find(|(o, _)| *o == oid)
                        .map_or(oid.clone(), |(_, s)| (*s).to_owned());
                    (short, normalize_value(&directory_string(&atv.value)))
                })
                .collect();
            avas.sort();
            avas
        })
        .collect()
}

/// The text of a DirectoryString-like value; other types as `#hex` of the DER.
fn directory_string(v: &x509_cert::attr::AttributeValue) -> String {
    let bytes = v.value();
    match v.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::NumericString => String::from_utf8_lossy(bytes).into_owned(),
        // T.61 in practice carries Latin-1.
        Tag::TeletexString => bytes.iter().map(|&b| char::from(b)).collect(),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => format!("#{}", hex(&v.to_der().unwrap_or_default())),
    }
}

/// A name written most specific first, as Windows shows it.
fn display_name(name: &Name) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.oid.to_string();
                    let short = ATTRIBUTE_TYPES
                        .iter()
                        .find(|(o, _)| *o == oid)
                        .map_or(oid.clone(), |(_, s)| (*s).to_owned());
                    format!("{short}={}", quote_value(&directory_string(&atv.value)))
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

fn quote_value(v: &str) -> String {
    if v.contains([',', '+', ';', '"', '=', '<', '>', '#'])
        || v.starts_with(' ')
        || v.ends_with(' ')
    {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

/// Parses `CN=a, O="b, c", C=US` (RDNs separated by `,` or `;`, attributes
/// of one RDN by `+`; values quoted with `"` or escaped with `\`). Returns
/// the RDNs in written order, or `None` when it is not a DN.
pub(crate) fn parse_dn(s: &str) -> Option<Vec<Vec<Ava>>> {
    let mut rdns = Vec::new();
    let mut rdn: Vec<Ava> = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        // attribute type
        let mut ty = String::new();
        for c in chars.by_ref() {
            if c == '=' {
                break;
            }
            ty.push(c);
        }
        let ty = canonical_type(&ty);
        if ty.is_empty() {
            return None;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        let mut sep = None;
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        value.push('"');
                    }
                    Some('"') => break,
                    Some('\\') => value.push(chars.next()?),
                    Some(c) => value.push(c),
                    None => return None,
                }
            }
            for c in chars.by_ref() {
                if matches!(c, ',' | ';' | '+') {
                    sep = Some(c);
                    break;
                }
                if !c.is_whitespace() {
                    return None;
                }
            }
        } else {
            while let Some(c) = chars.next() {
                match c {
                    ',' | ';' | '+' => {
                        sep = Some(c);
                        break;
                    }
                    '\\' => {
                        let next = chars.next()?;
                        if next.is_ascii_hexdigit()
                            && chars.peek().is_some_and(char::is_ascii_hexdigit)
                        {
                            // \XX hex pair (RFC 4514); only ASCII results are kept simple.
                            let lo = chars.next()?;
                            let byte = u8::from_str_radix(&format!("{next}{lo}"), 16).ok()?;
                            value.push(char::from(byte));
                        } else {
                            value.push(next);
                        }
                    }
                    c => value.push(c),
                }
            }
        }
        rdn.push((ty, normalize_value(&value)));
        match sep {
            Some('+') => {}
            Some(_) => {
                rdn.sort();
                rdns.push(std::mem::take(&mut rdn));
            }
            None => {
                rdn.sort();
                rdns.push(rdn);
                return Some(rdns);
            }
        }
    }
}

/// A written DN equals a certificate name in either RDN order.
fn dn_equal(written: &[Vec<Ava>], name: &[Vec<Ava>]) -> bool {
    written == name || written.iter().eq(name.iter().rev())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_strings_parse_with_quotes_escapes_and_aliases() {
        let dn = parse_dn(r#"CN=provisioning.example.net, O="Example, Inc", S=Bavaria; E=a\,b@x"#)
            .unwrap();
        assert_eq!(
            dn,
            vec![
                vec![("CN".into(), "provisioning.example.net".into())],
                vec![("O".into(), "example, inc".into())],
                vec![("ST".into(), "bavaria".into())],
                vec![("E".into(), "a,b@x".into())],
            ]
        );
    }

    #[test]
    fn multi_valued_rdns_compare_as_sets() {
        let a = parse_dn("CN=x + OU=y, C=US").unwrap();
        let b = parse_dn("OU=Y+CN=X,C=us").unwrap();
        assert!(dn_equal(&a, &b));
    }

    #[test]
    fn names_match_in_either_order_but_not_partially() {
        let a = parse_dn("CN=a, O=b, C=US").unwrap();
        let der_order = parse_dn("C=US, O=b, CN=a").unwrap();
        let partial = parse_dn("CN=a, O=b").unwrap();
        assert!(dn_equal(&a, &der_order));
        assert!(!dn_equal(&a, &partial));
    }

    #[test]
    fn garbage_is_not_a_dn() {
        assert!(parse_dn("").is_none());
        assert!(parse_dn("CN=\"unterminated").is_none());
    }

    #[test]
    fn tlv_lengths_in_long_form_are_read() {
        let mut der = vec![0x30, 0x82, 0x01, 0x00];
        der.extend(std::iter::repeat_n(0u8, 0x100));
        let (total, body) = tlv(&der).unwrap();
        assert_eq!(total, 0x104);
        assert_eq!(body.len(), 0x100);
        assert!(tlv(&der[..10]).is_none());
    }
}
