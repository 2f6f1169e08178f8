//! `mbcli provision ...`: CarrierControl provisioning documents.
//!
//! * `validate FILE [--json] [--trust-anchors PATH]` — offline: parse,
//!   check the schema rules and verify the signature if the document has
//!   one: integrity only (digest, signature value, certificate validity), or
//!   also the chain to the given anchors. An unsigned document validates
//!   (whether it is trusted depends on who applies it), so does one whose
//!   signature cannot be evaluated (a placeholder; reported). Exit 0 only
//!   for a valid document; otherwise each error with line and column.
//! * `apply FILE` — `ProvisionFromXml` on the daemon; prints the result
//!   document.
//! * `show [--json]` — the daemon's provisioned profiles, plans and hotspots.
//!
//! Glue only: parsing is `mbimd::provisioning::document`.

use super::client::{ClientArgs, connect, modem_path, to_json};
use crate::provisioning::document::{self, SignatureVerdict, SignatureVerifier};
use crate::provisioning::signature::{TrustPolicy, XmlDsigVerifier};
use anyhow::Context;
use clap::{Args, Subcommand};
use dbus_interfaces::BUS_NAME;
use dbus_interfaces::names::IFACE_MBIMD_PROVISIONING;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use zbus::OwnedVariant;

/// Arguments of `mbcli provision`.
#[derive(Args, Debug)]
pub struct ProvisionArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ProvisionCommand,
}

/// `mbcli provision` subcommands.
#[derive(Subcommand, Debug)]
pub enum ProvisionCommand {
    /// Check a provisioning document offline (schema rules and signature).
    /// Exit status 0 only when it is valid.
    Validate {
        /// The document.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also check the signer's chain to these anchors (PEM/DER file or
        /// directory); without it only the signature's integrity is checked.
        #[arg(long, value_name = "PATH")]
        trust_anchors: Option<PathBuf>,
    },
    /// Apply a document through the daemon and print the result document.
    Apply {
        #[command(flatten)]
        c: ClientArgs,
        /// The document.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Show the provisioned profiles, plans and Wi-Fi hotspots.
    Show(ClientArgs),
}

/// Run `mbcli provision`.
pub fn run(args: ProvisionArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ProvisionCommand::Validate {
            file,
            json,
            trust_anchors,
        } => validate(&file, json, trust_anchors.as_deref()),
        ProvisionCommand::Apply { c, file } => block(apply(c, file)),
        ProvisionCommand::Show(c) => block(show(c)),
    }
}

fn block(
    f: impl std::future::Future<Output = anyhow::Result<ExitCode>>,
) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f)
}

fn validate(
    file: &PathBuf,
    as_json: bool,
    trust_anchors: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    let anchored = match trust_anchors {
        Some(p) => Some(XmlDsigVerifier::new(TrustPolicy::new(
            crate::provisioning::agent::load_anchors(p)
                .with_context(|| format!("--trust-anchors {}", p.display()))?,
            Vec::new(),
        ))),
        None => None,
    };
    let verifier: &dyn SignatureVerifier = match &anchored {
        Some(v) => v,
        None => document::signature::default_verifier(),
    };
    let name = file.display().to_string();
    let parsed = document::parse(&text);
    let (errors, verdict) = match &parsed {
        Ok(doc) => {
            let v = verifier.verify(&text, doc);
            (Vec::new(), Some(v))
        }
        Err(e) => (e.errors.clone(), None),
    };
    let sig_ok = !matches!(verdict, Some(SignatureVerdict::Invalid { .. }));
    let valid = parsed.is_ok() && sig_ok;
    if as_json {
        let summary = parsed.as_ref().ok().map(|d| {
            json!({
                "carrier-id": d.global.carrier_id,
                "subscriber-id": d.global.subscriber_id,
                "sections": sections(d),
            })
        });
        let out = json!({
            "file": name,
            "valid": valid,
            "errors": errors,
            "signature": verdict,
            "document": summary,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for e in &errors {
            println!("{name}:{e}");
        }
        match (&parsed, &verdict) {
            (Ok(d), Some(v)) => {
                let sig = match v {
                    SignatureVerdict::Unsigned => "unsigned".to_string(),
                    SignatureVerdict::NotVerified { reason } => {
                        format!("present but not verifiable ({reason}); counts as unsigned")
                    }
                    SignatureVerdict::Valid { subject, .. } => {
                        format!("valid, signed by {subject}")
                    }
                    SignatureVerdict::Invalid { reason } => format!("INVALID: {reason}"),
                };
                println!(
                    "{name}: {} ({}; {}; signature {sig})",
                    if valid { "valid" } else { "invalid" },
                    d.global.carrier_id,
                    sections(d).join(", ")
                );
            }
            _ => println!("{name}: invalid ({} errors)", errors.len()),
        }
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn sections(d: &document::CarrierProvisioning) -> Vec<&'static str> {
    let mut v = vec!["Global"];
    let m = d.mbn_profiles.as_ref();
    for (present, name) in [
        (d.activation.is_some(), "Activation"),
        (
            m.is_some_and(|m| m.default_profile.is_some()),
            "DefaultProfile",
        ),
        (
            m.is_some_and(|m| m.purchase_profile.is_some()),
            "PurchaseProfile",
        ),
        (m.is_some_and(|m| m.messages.is_some()), "Messages"),
        (m.is_some_and(|m| m.branding.is_some()), "Branding"),
        (d.wlan_profiles.is_some(), "WLANProfiles"),
        (d.plans.is_some(), "Plans"),
        (d.provisioning.is_some(), "Provisioning"),
        (d.extensions_v2.is_some(), "Extensions_v2"),
        (d.signature.is_some(), "Signature"),
    ] {
        if present {
            v.push(name);
        }
    }
    v
}

async fn proxy<'a>(conn: &'a zbus::Connection, c: &ClientArgs) -> anyhow::Result<zbus::Proxy<'a>> {
    let path = modem_path(conn, c).await?;
    Ok(zbus::proxy::Builder::<zbus::Proxy<'_>>::new(conn)
        .destination(BUS_NAME)
        .path(path)
        .interface(IFACE_MBIMD_PROVISIONING)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?)
}

async fn apply(c: ClientArgs, file: PathBuf) -> anyhow::Result<ExitCode> {
    let xml = std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
    let conn = connect(&c).await?;
    let p = proxy(&conn, &c).await?;
    let result: String = p
        .call("ProvisionFromXml", &(xml,))
        .await
        .context("ProvisionFromXml")?;
    print!("{result}");
    // A result with a document-level errorCode means nothing was applied.
    let root_end = result
        .find("<CarrierProvisioningResult")
        .and_then(|i| result[i..].find('>').map(|j| &result[i..i + j]))
        .unwrap_or("");
    Ok(if root_end.contains("errorCode=") {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn show(c: ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(&c).await?;
    let p = proxy(&conn, &c).await?;
    let mut out = serde_json::Map::new();
    for prop in ["Profiles", "Plans", "Hotspots"] {
        let v: OwnedVariant = p
            .get_property(prop)
            .await
            .with_context(|| format!("reading {prop}"))?;
        out.insert(prop.to_string(), to_json(&v));
    }
    if c.json {
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
        return Ok(ExitCode::SUCCESS);
    }
    for (title, key, cols) in [
        (
            "Profiles",
            "Profiles",
            &["kind", "name", "access-string", "auth-protocol", "app-ids"][..],
        ),
        (
            "Plans",
            "Plans",
            &[
                "name",
                "plan-type",
                "data-limit-mb",
                "current-usage-mb",
                "usage-timestamp",
            ][..],
        ),
        (
            "Hotspots",
            "Hotspots",
            &["name", "ssids", "authentication", "hotspot-auth"][..],
        ),
    ] {
        println!("{title}:");
        let rows = out
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if rows.is_empty() {
            println!("  (none)");
        }
        for r in rows {
            let cells: Vec<String> = cols
                .iter()
                .map(|k| match r.get(*k) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    Some(v) => v.to_string(),
                    None => "-".into(),
                })
                .collect();
            println!("  {}", cells.join("  "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
