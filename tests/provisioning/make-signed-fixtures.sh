#!/usr/bin/env bash
# Make the signed provisioning fixtures: a test PKI (openssl) and XML-DSig
# signatures over the example provisioning document (xmlsec1), plus the
# tampered and mis-signed variants the signature tests need.
#
#   tests/provisioning/make-signed-fixtures.sh [OUT_DIR] [EXAMPLE_XML]
#
# OUT_DIR defaults to tests/provisioning/fixtures/signature (the committed
# set); the signature test also runs this into a temporary directory and
# compares mbimd's verdicts with `xmlsec1 --verify` on the fresh files.
# EXAMPLE_XML defaults to the copy committed next to this script.
#
# Certificates carry fixed dates so verdicts do not depend on the day the
# tests run; verify them at VERIFY_TIME (the tests use the same instant):
#   root CA, intermediate CA, leaves  2000/2024 .. 2050/2060 (valid)
#   expired leaf                      2001-01-01 .. 2002-01-01
# Private keys stay in a temporary work directory: only certificates and
# documents are written to OUT_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/fixtures/signature}"
example="${2:-$here/example-provisioning.xml}"
for tool in openssl xmlsec1; do
  command -v "$tool" >/dev/null || { echo "make-signed-fixtures: $tool is not installed" >&2; exit 2; }
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

VERIFY_TIME="2030-06-01 00:00:00"

# --- a tiny CA with fixed validity dates (`openssl ca` takes -startdate/-enddate)
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = testca
[ testca ]
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = anything
unique_subject = no
preserve = yes
email_in_dn = no
[ anything ]
countryName = optional
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
mkdir newcerts
: > index.txt
echo 1000 > serial

# issue NAME SUBJECT EXTENSIONS START END [ISSUER]   (no ISSUER = self-signed)
issue() {
  local name=$1 subject=$2 ext=$3 start=$4 end=$5 issuer=${6:-}
  openssl genrsa -out "$name.key" 2048 2>/dev/null
  openssl req -new -config ca.cnf -key "$name.key" -subj "$subject" -out "$name.csr"
  if [ -z "$issuer" ]; then
    openssl ca -batch -preserveDN -config ca.cnf -selfsign -keyfile "$name.key" -in "$name.csr" \
      -extensions "$ext" -startdate "$start" -enddate "$end" -notext -out "$name.pem" 2>/dev/null
  else
    openssl ca -batch -preserveDN -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" -in "$name.csr" \
      -extensions "$ext" -startdate "$start" -enddate "$end" -notext -out "$name.pem" 2>/dev/null
  fi
}

issue ca       "/C=US/O=Example Trust/CN=Example EV CA"                   v3_ca   20000101000000Z 20600101000000Z
issue inter    "/C=US/O=Example Trust/CN=Example Issuing CA"              v3_ca   20200101000000Z 20550101000000Z ca
issue leaf     "/C=US/O=Example Mobile/CN=provisioning.example.net"       v3_leaf 20240101000000Z 20500101000000Z ca
issue deep     "/C=US/O=Example Mobile/CN=provisioning.example.net"       v3_leaf 20240101000000Z 20500101000000Z inter
issue other    "/C=US/O=Other Operator/CN=provisioning.other.example.org" v3_leaf 20240101000000Z 20500101000000Z ca
issue expired  "/C=US/O=Example Mobile/CN=provisioning.example.net"       v3_leaf 20010101000000Z 20020101000000Z ca
issue rogueca  "/C=US/O=Example Trust/CN=Example EV CA"                   v3_ca   20000101000000Z 20600101000000Z
issue rogue    "/C=US/O=Example Mobile/CN=provisioning.example.net"       v3_leaf 20240101000000Z 20500101000000Z rogueca

# --- signature templates from the example (its Signature block holds placeholders)
C14N="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
EXC="http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1="http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA256="http://www.w3.org/2001/04/xmlenc#sha256"
SHA1="http://www.w3.org/2000/09/xmldsig#sha1"

# template C14N SIGNATURE_METHOD DIGEST_METHOD > file
template() {
  sed -e "s|<CanonicalizationMethod Algorithm=\"[^\"]*\"/>|<CanonicalizationMethod Algorithm=\"$1\"/>|" \
      -e "s|<SignatureMethod Algorithm=\"[^\"]*\"/>|<SignatureMethod Algorithm=\"$2\"/>|" \
      -e "s|<DigestMethod Algorithm=\"[^\"]*\"/>|<DigestMethod Algorithm=\"$3\"/>|" \
      -e 's#<DigestValue>[^<]*</DigestValue>#<DigestValue/>#' \
      -e 's#<SignatureValue>[^<]*</SignatureValue>#<SignatureValue/>#' \
      -e 's#<X509Certificate>[^<]*</X509Certificate>##' \
      "$example"
}

# sign OUT C14N SIGNATURE_METHOD DIGEST_METHOD KEY [CERTS...]
sign() {
  local dest=$1 c14n=$2 sm=$3 dm=$4 key=$5; shift 5
  local certs; certs=$(IFS=,; echo "$*")
  template "$c14n" "$sm" "$dm" > tmpl.xml
  xmlsec1 --sign --privkey-pem "$key.key,$certs" --output "$dest" tmpl.xml
}

sign "$out/valid-rsa-sha256-c14n.xml"              "$C14N"              "$RSA_SHA256" "$SHA256" leaf leaf.pem
sign "$out/valid-rsa-sha256-c14n-comments.xml"     "$C14N#WithComments" "$RSA_SHA256" "$SHA256" leaf leaf.pem
sign "$out/valid-rsa-sha256-exc-c14n.xml"          "$EXC"               "$RSA_SHA256" "$SHA256" leaf leaf.pem
sign "$out/valid-rsa-sha256-exc-c14n-comments.xml" "$EXC""WithComments" "$RSA_SHA256" "$SHA256" leaf leaf.pem
sign "$out/valid-rsa-sha1-c14n.xml"                "$C14N"              "$RSA_SHA1"   "$SHA1"   leaf leaf.pem
sign "$out/valid-rsa-sha1-exc-c14n.xml"            "$EXC"               "$RSA_SHA1"   "$SHA1"   leaf leaf.pem
sign "$out/valid-intermediate-chain.xml"           "$C14N"              "$RSA_SHA256" "$SHA256" deep deep.pem inter.pem
sign "$out/not-associated.xml"                     "$EXC"               "$RSA_SHA256" "$SHA256" other other.pem
sign "$out/expired-certificate.xml"                "$C14N"              "$RSA_SHA256" "$SHA256" expired expired.pem
sign "$out/wrong-certificate.xml"                  "$C14N"              "$RSA_SHA256" "$SHA256" rogue rogue.pem

base="$out/valid-rsa-sha256-c14n.xml"
# Comments are outside the digest (Reference URI="" drops them), and line
# ends are normalised before canonicalisation: both edits keep it valid.
sed -e 's#usage report by SMS#edited comment#' "$base" > "$out/valid-comment-edited.xml"
sed -e 's/$/\r/' "$base" > "$out/valid-crlf.xml"
# An operator APN swapped after signing.
sed -e 's#internet.example.net#attacker.example.com#' "$base" > "$out/tampered-content.xml"
# One base64 character of the signature value changed (first char A<->B).
perl -0pe 's#<SignatureValue>(.)#"<SignatureValue>".($1 eq "A" ? "B" : "A")#e' "$base" > "$out/tampered-signature.xml"
# KeyInfo names a different (trusted) certificate than the signing key's.
leaf_b64=$(openssl x509 -in leaf.pem -outform DER | openssl base64 -A)
other_b64=$(openssl x509 -in other.pem -outform DER | openssl base64 -A)
perl -0pe 's#<X509Certificate>[^<]*</X509Certificate>#<X509Certificate>'"$other_b64"'</X509Certificate>#' "$base" \
  > "$out/swapped-certificate.xml"
[ -n "$leaf_b64" ]
# The example without its Signature element.
perl -0pe 's#\s*<!--[^>]*-->\s*<Signature .*</Signature>##s' "$example" > "$out/unsigned.xml"

# Certificates the tests use as trust anchors and association references.
cp ca.pem "$out/trust-anchor.pem"
openssl x509 -in ca.pem -outform DER -out "$out/trust-anchor.der"
cp rogueca.pem "$out/rogue-anchor.pem"
cp leaf.pem "$out/leaf.pem"
cp other.pem "$out/other.pem"
echo "$VERIFY_TIME" > "$out/VERIFY_TIME"

# Sanity: xmlsec1 accepts the valid files at VERIFY_TIME.
for f in "$out"/valid-*.xml; do
  xmlsec1 --verify --trusted-pem ca.pem --enabled-key-data x509 \
    --verification-gmt-time "$VERIFY_TIME" "$f" 2>/dev/null >/dev/null \
    || { echo "make-signed-fixtures: xmlsec1 rejects $f" >&2; exit 1; }
done
echo "fixtures written to $out"
