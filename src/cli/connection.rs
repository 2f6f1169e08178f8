//! `mbcli connection [MODEM] [--json]`: what mbimd's connection flows
//! resolved and did on a modem (`org.mbimd.Modem1.Connection`): the settings
//! in use and their source, the candidates in try order, the SIM's HWIDs,
//! the limited state with the purchase URL and purchase profile,
//! auto-connect and the attempt
//! log. Reads the modem's properties from the ObjectManager; changes nothing.

use super::client::{ClientArgs, connect, dict_json, pick};
use anyhow::bail;
use dbus_interfaces::Dict;
use dbus_interfaces::names::IFACE_MBIMD_CONNECTION;
use serde_json::{Value, json};
use std::process::ExitCode;
use zbus::OwnedVariant;

fn get<T: TryFrom<OwnedVariant>>(d: &Dict, k: &str) -> Option<T> {
    d.get(k).and_then(|v| T::try_from(v.clone()).ok())
}

fn text(d: &Dict, k: &str) -> String {
    get::<String>(d, k).unwrap_or_default()
}

fn dicts(d: &Dict, k: &str) -> Vec<Dict> {
    get::<Vec<Dict>>(d, k).unwrap_or_default()
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

fn settings_line(s: &Dict) -> String {
    use dbus_interfaces::enums::{ALLOWED_AUTH, IP_FAMILY, flag_nicks};
    let ip = get::<u32>(s, "ip-type").unwrap_or(0);
    let auth = get::<u32>(s, "allowed-auth").unwrap_or(0);
    format!(
        "{} (source {}, user {}, ip-type {}, auth {}; {})",
        or_dash(&text(s, "apn")),
        or_dash(&text(s, "source")),
        or_dash(&text(s, "user")),
        if ip == 0 {
            "-".into()
        } else {
            flag_nicks(IP_FAMILY, ip)
        },
        if auth == 0 {
            "-".into()
        } else {
            flag_nicks(ALLOWED_AUTH, auth)
        },
        or_dash(&text(s, "rule")),
    )
}

/// Show the modem's connection-flow state.
pub async fn show(c: &ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let (path, ifaces) = pick(&conn, c.modem.as_deref()).await?;
    let Some(p) = ifaces.get(IFACE_MBIMD_CONNECTION) else {
        bail!(
            "{} has no {IFACE_MBIMD_CONNECTION} interface (not mbimd, or the SIM is locked or missing)",
            path.as_str()
        );
    };
    let resolved = get::<Dict>(p, "ResolvedSettings").unwrap_or_default();
    let candidates = dicts(p, "Candidates");
    let hwids = get::<Vec<String>>(p, "Hwids").unwrap_or_default();
    let limited = get::<bool>(p, "Limited").unwrap_or(false);
    let url = text(p, "PurchaseUrl");
    let purchase = get::<Dict>(p, "PurchaseProfile").unwrap_or_default();
    let auto = get::<bool>(p, "AutoConnect").unwrap_or(false);
    let log = dicts(p, "AttemptLog");
    if c.json {
        let j = json!({
            "path": path.as_str(),
            "resolved_settings": dict_json(&resolved),
            "candidates": candidates.iter().map(dict_json).collect::<Vec<Value>>(),
            "hwids": hwids,
            "limited": limited,
            "purchase_url": url,
            "purchase_profile": dict_json(&purchase),
            "auto_connect": auto,
            "attempt_log": log.iter().map(dict_json).collect::<Vec<Value>>(),
        });
        println!("{}", serde_json::to_string_pretty(&j)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:>13}: {}", "modem", path.as_str());
    println!(
        "{:>13}: {}",
        "settings",
        if resolved.is_empty() {
            "- (no SIM identity read yet)".to_string()
        } else {
            settings_line(&resolved)
        }
    );
    println!("{:>13}: {}", "limited", if limited { "yes" } else { "no" });
    println!("{:>13}: {}", "purchase url", or_dash(&url));
    if !purchase.is_empty() {
        println!("{:>13}: {}", "purchase apn", settings_line(&purchase));
    }
    println!(
        "{:>13}: {}",
        "auto-connect",
        if auto { "on" } else { "off" }
    );
    println!("{:>13}:", "hwids");
    for h in &hwids {
        println!("    {h}");
    }
    println!("{:>13}:", "candidates");
    for cand in &candidates {
        println!(
            "    {:>2}. {}",
            get::<u32>(cand, "order").unwrap_or(0) + 1,
            settings_line(cand)
        );
    }
    println!("{:>13}:", "attempts");
    for a in &log {
        println!(
            "    {} {:<24} {:<14} {:<13} {}",
            get::<u64>(a, "timestamp").unwrap_or(0),
            or_dash(&text(a, "apn")),
            text(a, "source"),
            text(a, "outcome"),
            text(a, "error")
                .strip_prefix(dbus_interfaces::error::ERROR_PREFIX)
                .unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}
