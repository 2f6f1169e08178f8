//! The provisioning result document (windows-operator-formats.md §1.11):
//! `CarrierProvisioningResult` with per-element HRESULT error codes, built
//! as XML text in the schema's form (`errorCode`, eight lower-case hex
//! digits).
//!
//! Hard failures (an invalid document, a bad signature, an unprivileged
//! caller) are errors of the caller's request, not result documents.
//! This module only formats; it decides nothing.

/// `http://www.microsoft.com/networking/CarrierControlResults/v1`.
pub const NS_RESULTS: &str = "http://www.microsoft.com/networking/CarrierControlResults/v1";

/// HRESULTs used in results.
pub mod hresult {
    /// Success.
    pub const S_OK: u32 = 0;
    /// `E_ABORT`: not applied because another element of the document
    /// failed (the document is applied all or nothing; our choice).
    pub const E_ABORT: u32 = 0x8000_4004;
    /// `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)`: e.g. an `AssociatedPlan` that
    /// names no plan.
    pub const NOT_FOUND: u32 = 0x8007_0490;
    /// `E_ACCESSDENIED`.
    pub const ACCESS_DENIED: u32 = 0x8007_0005;
    /// `E_FAIL`: the store could not be written.
    pub const E_FAIL: u32 = 0x8000_4005;
}

/// One element's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// HRESULT.
    pub error_code: u32,
    /// Why (not part of the schema; kept for logs and mbcli).
    pub reason: Option<String>,
}

impl Outcome {
    /// Success.
    pub fn ok() -> Self {
        Outcome {
            error_code: hresult::S_OK,
            reason: None,
        }
    }

    /// A failure with its reason.
    pub fn fail(error_code: u32, reason: impl Into<String>) -> Self {
        Outcome {
            error_code,
            reason: Some(reason.into()),
        }
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        self.error_code != hresult::S_OK
    }
}

/// What the result document reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProvisioningResult {
    /// Document-level HRESULT (`None`: every element succeeded).
    pub error_code: Option<u32>,
    /// `Issuer`: the document's `CarrierId`.
    pub issuer: String,
    /// `Subscriber`: the document's `SubscriberId`.
    pub subscriber: String,
    /// `Activation@errorCode`.
    pub activation: Option<Outcome>,
    /// `MBNProfiles/DefaultProfile@errorCode`.
    pub default_profile: Option<Outcome>,
    /// `MBNProfiles/PurchaseProfile@errorCode`.
    pub purchase_profile: Option<Outcome>,
    /// `WLANProfiles/WLANProfile` (name, outcome).
    pub wlan_profiles: Option<Vec<(String, Outcome)>>,
    /// `Provisioning/RefreshParameters@errorCode`.
    pub refresh_parameters: Option<Outcome>,
    /// `Provisioning/TrustedCertificate@errorCode`.
    pub trusted_certificates: Option<Outcome>,
    /// `Provisioning/Policy@errorCode` (message rules, plans, extensions).
    pub policy: Option<Outcome>,
    /// `Signature` (subject, base64 thumbprint) of a verified signature.
    pub signature: Option<(String, String)>,
}

impl ProvisioningResult {
    /// Whether every element was provisioned (`AllElementsProvisioned`).
    pub fn all_elements_provisioned(&self) -> bool {
        self.error_code.is_none()
    }

    /// The result document as XML text.
    pub fn to_xml(&self) -> String {
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x.push_str(&format!(
            "<CarrierProvisioningResult xmlns=\"{NS_RESULTS}\""
        ));
        if let Some(c) = self.error_code {
            x.push_str(&format!(" errorCode=\"{c:08x}\""));
        }
        x.push_str(">\n");
        x.push_str(&format!("  <Issuer>{}</Issuer>\n", escape(&self.issuer)));
        x.push_str(&format!(
            "  <Subscriber>{}</Subscriber>\n",
            escape(&self.subscriber)
        ));
        if let Some(o) = &self.activation {
            x.push_str(&format!("  <Activation{}/>\n", code(o)));
        }
        if self.default_profile.is_some() || self.purchase_profile.is_some() {
            x.push_str("  <MBNProfiles>\n");
            if let Some(o) = &self.default_profile {
                x.push_str(&format!("    <DefaultProfile{}/>\n", code(o)));
            }
            if let Some(o) = &self.purchase_profile {
                x.push_str(&format!("    <PurchaseProfile{}/>\n", code(o)));
            }
            x.push_str("  </MBNProfiles>\n");
        }
        if let Some(w) = &self.wlan_profiles {
            x.push_str("  <WLANProfiles>\n");
            for (name, o) in w {
                x.push_str(&format!(
                    "    <WLANProfile Name=\"{}\"{}/>\n",
                    escape(name),
                    code(o)
                ));
            }
            x.push_str("  </WLANProfiles>\n");
        }
        let prov = [
            ("RefreshParameters", &self.refresh_parameters),
            ("TrustedCertificate", &self.trusted_certificates),
            ("Policy", &self.policy),
        ];
        if prov.iter().any(|(_, o)| o.is_some()) {
            x.push_str("  <Provisioning>\n");
            for (name, o) in prov {
                if let Some(o) = o {
                    x.push_str(&format!("    <{name}{}/>\n", code(o)));
                }
            }
            x.push_str("  </Provisioning>\n");
        }
        if let Some((subject, thumb)) = &self.signature {
            x.push_str(&format!(
                "  <Signature>\n    <Subject>{}</Subject>\n    <Thumbprint>{}</Thumbprint>\n  </Signature>\n",
                escape(subject),
                escape(thumb)
            ));
        }
        x.push_str("</CarrierProvisioningResult>\n");
        x
    }
}

fn code(o: &Outcome) -> String {
    format!(" errorCode=\"{:08x}\"", o.error_code)
}

/// Escape text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            _ => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_document_uses_the_schema_attribute_and_hex_form() {
        let r = ProvisioningResult {
            error_code: Some(hresult::NOT_FOUND),
            issuer: "{A}".into(),
            subscriber: "1<2".into(),
            default_profile: Some(Outcome::fail(hresult::NOT_FOUND, "no plan")),
            wlan_profiles: Some(vec![("W \"1\"".into(), Outcome::ok())]),
            ..Default::default()
        };
        let x = r.to_xml();
        assert!(x.contains(r#"<CarrierProvisioningResult xmlns="http://www.microsoft.com/networking/CarrierControlResults/v1" errorCode="80070490">"#));
        assert!(x.contains(r#"<DefaultProfile errorCode="80070490"/>"#));
        assert!(x.contains(r#"<WLANProfile Name="W &quot;1&quot;" errorCode="00000000"/>"#));
        assert!(x.contains("<Subscriber>1&lt;2</Subscriber>"));
        assert!(!x.contains("ErrorCode"));
        assert!(!r.all_elements_provisioned());
    }
}
