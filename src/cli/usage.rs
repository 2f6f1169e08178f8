//! `mbcli usage [MODEM] [--json]`: plan, used/limit with a bar, cost flags
//! and next billing cycle from `org.mbimd.Modem1.DataUsage`;
//! `mbcli usage history [MODEM] [--days N] [--svg FILE]`: traffic per day
//! as a terminal bar chart, or an SVG file. Glue only: the numbers are the
//! daemon's (`crate::usage`).

use super::client::{ClientArgs, connect, pick, to_json};
use crate::usage::plan::format_datetime;
use anyhow::Context;
use clap::{Args, Subcommand};
use dbus_interfaces::names::IFACE_MBIMD_DATA_USAGE;
use dbus_interfaces::{BUS_NAME, Dict};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Arguments of `mbcli usage`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct UsageArgs {
    /// `history`, or nothing for the summary.
    #[command(subcommand)]
    pub command: Option<UsageCommand>,
    #[command(flatten)]
    pub c: ClientArgs,
    /// Modem index or path (same as -m).
    #[arg(value_name = "MODEM")]
    pub target: Option<String>,
}

/// `mbcli usage` subcommands.
#[derive(Subcommand, Debug)]
pub enum UsageCommand {
    /// Traffic per day.
    History(HistoryArgs),
}

/// Arguments of `mbcli usage history`.
#[derive(Args, Debug)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub c: ClientArgs,
    /// Modem index or path (same as -m).
    #[arg(value_name = "MODEM")]
    pub target: Option<String>,
    /// Days to show, today included.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Write an SVG bar chart to this file instead of printing.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
}

/// Run `mbcli usage`.
pub fn run(args: UsageArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match args.command {
            Some(UsageCommand::History(h)) => history(h).await,
            None => summary(args.c, args.target).await,
        }
    })
}

fn get_u64(d: &Dict, k: &str) -> Option<u64> {
    d.get(k).and_then(|v| u64::try_from(v.clone()).ok())
}

fn get_u32(d: &Dict, k: &str) -> Option<u32> {
    d.get(k).and_then(|v| u32::try_from(v.clone()).ok())
}

fn get_bool(d: &Dict, k: &str) -> bool {
    d.get(k)
        .and_then(|v| bool::try_from(v.clone()).ok())
        .unwrap_or(false)
}

fn get_str(d: &Dict, k: &str) -> Option<String> {
    d.get(k).and_then(|v| String::try_from(v.clone()).ok())
}

fn dict_json(d: &Dict) -> Value {
    let mut keys: Vec<&String> = d.keys().collect();
    keys.sort();
    Value::Object(
        keys.into_iter()
            .map(|k| (k.clone(), to_json(&d[k])))
            .collect::<Map<String, Value>>(),
    )
}

/// Bytes in decimal units (the plan's megabytes are decimal).
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}

/// A `width`-cell bar filled to `fraction` (clamped to 0..=1).
pub fn bar(fraction: f64, width: usize) -> String {
    let f = fraction.clamp(0.0, 1.0);
    let full = (f * width as f64).round() as usize;
    format!("[{}{}]", "#".repeat(full), "-".repeat(width - full))
}

async fn summary(mut c: ClientArgs, target: Option<String>) -> anyhow::Result<ExitCode> {
    if target.is_some() {
        c.modem = target;
    }
    let conn = connect(&c).await?;
    let (path, ifaces) = pick(&conn, c.modem.as_deref()).await?;
    let props = ifaces
        .get(IFACE_MBIMD_DATA_USAGE)
        .with_context(|| format!("{} has no data-usage interface", path.as_str()))?;
    let dict_of = |name: &str| -> Dict {
        props
            .get(name)
            .and_then(|v| Dict::try_from(v.clone()).ok())
            .unwrap_or_default()
    };
    // GetManagedObjects may predate the latest step: ask for fresh values.
    let proxy = zbus::Proxy::new(&conn, BUS_NAME, path.as_str(), IFACE_MBIMD_DATA_USAGE).await?;
    let cost: Dict = proxy
        .get_property("Cost")
        .await
        .unwrap_or_else(|_| dict_of("Cost"));
    let status: Dict = proxy
        .get_property("DataPlanStatus")
        .await
        .unwrap_or_else(|_| dict_of("DataPlanStatus"));
    if c.json {
        println!(
            "{}",
            json!({"modem": path.as_str(), "cost": dict_json(&cost), "data-plan-status": dict_json(&status)})
        );
        return Ok(ExitCode::SUCCESS);
    }
    let used = get_u64(&status, "used-bytes").unwrap_or(0);
    let plan = match get_str(&status, "plan-name") {
        Some(n) => format!(
            "{} ({})",
            if n.is_empty() { "unnamed" } else { &n },
            get_str(&status, "plan-type").unwrap_or_default()
        ),
        None => "none".into(),
    };
    let used_line = match get_u32(&status, "data-limit-megabytes") {
        Some(l) if l > 0 => {
            let limit = u64::from(l) * crate::usage::plan::MEGABYTE;
            let f = used as f64 / limit as f64;
            format!(
                "{} {:5.1}%  {} of {}",
                bar(f, 30),
                f * 100.0,
                human_bytes(used),
                human_bytes(limit)
            )
        }
        _ => format!("{} (no limit)", human_bytes(used)),
    };
    let flags: Vec<&str> = [
        ("metered", "metered"),
        ("roaming", "roaming"),
        ("over-data-limit", "over-limit"),
        ("approaching-data-limit", "approaching-limit"),
        ("congested", "congested"),
        ("background-data-usage-restricted", "background-restricted"),
    ]
    .into_iter()
    .filter(|(k, _)| get_bool(&cost, k))
    .map(|(_, n)| n)
    .collect();
    let time = |k: &str, d: &Dict| {
        get_u64(d, k)
            .and_then(|t| i64::try_from(t).ok())
            .map_or_else(|| "-".to_string(), format_datetime)
    };
    let rows = [
        ("plan", plan),
        ("used", used_line),
        (
            "cost",
            if flags.is_empty() {
                "unmetered".into()
            } else {
                flags.join(", ")
            },
        ),
        (
            "account",
            get_str(&status, "account-status").unwrap_or_default(),
        ),
        ("last sync", time("last-sync-time", &status)),
        ("next cycle", time("next-billing-cycle", &cost)),
    ];
    println!("{}", path.as_str());
    for (k, v) in rows {
        println!("{k:>12}: {v}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn history(mut h: HistoryArgs) -> anyhow::Result<ExitCode> {
    if h.target.is_some() {
        h.c.modem = h.target.clone();
    }
    let days = u64::from(h.days.max(1));
    let conn = connect(&h.c).await?;
    let (path, _) = pick(&conn, h.c.modem.as_deref()).await?;
    let proxy = zbus::Proxy::new(&conn, BUS_NAME, path.as_str(), IFACE_MBIMD_DATA_USAGE).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Whole UTC days, today last.
    let tomorrow = (now / 86_400 + 1) * 86_400;
    let from = tomorrow.saturating_sub(days * 86_400);
    let buckets: Vec<(u64, u64, u64)> = proxy
        .call("GetNetworkUsage", &(from, tomorrow, 86_400u64))
        .await
        .context("GetNetworkUsage")?;
    if h.c.json {
        let v: Vec<Value> = buckets
            .iter()
            .map(|(s, rx, tx)| json!({"day": day(*s), "start": s, "rx": rx, "tx": tx}))
            .collect();
        println!("{}", Value::Array(v));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(file) = &h.svg {
        std::fs::write(file, svg_chart(&buckets))
            .with_context(|| format!("cannot write {}", file.display()))?;
        println!("wrote {}", file.display());
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", terminal_chart(&buckets, 40));
    Ok(ExitCode::SUCCESS)
}

fn day(start: u64) -> String {
    let t = i64::try_from(start).unwrap_or(0);
    format_datetime(t).get(..10).unwrap_or_default().to_string()
}

/// One line per day: date, a bar scaled to the busiest day, rx/tx.
pub fn terminal_chart(buckets: &[(u64, u64, u64)], width: usize) -> String {
    let max = buckets.iter().map(|b| b.1 + b.2).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (s, rx, tx) in buckets {
        let total = rx + tx;
        let n = ((total as f64 / max as f64) * width as f64).round() as usize;
        let _ = writeln!(
            out,
            "{}  {:<width$}  {:>10}  (rx {}, tx {})",
            day(*s),
            "█".repeat(n),
            human_bytes(total),
            human_bytes(*rx),
            human_bytes(*tx),
        );
    }
    out
}

/// A bar chart of daily totals (rx stacked under tx) as an SVG document.
pub fn svg_chart(buckets: &[(u64, u64, u64)]) -> String {
    let (bw, gap, h, top, bottom, left) = (40u64, 10u64, 200u64, 30u64, 40u64, 70u64);
    let width = left + buckets.len() as u64 * (bw + gap) + gap;
    let height = top + h + bottom;
    let max = buckets.iter().map(|b| b.1 + b.2).max().unwrap_or(0).max(1);
    let scale = |v: u64| (v as f64 / max as f64 * h as f64).round() as u64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="18">Data usage per day (max {})</text>"#,
        human_bytes(max)
    );
    let _ = writeln!(
        s,
        r#"<line x1="{left}" y1="{}" x2="{width}" y2="{}" stroke="black"/>"#,
        top + h,
        top + h
    );
    for (i, (start, rx, tx)) in buckets.iter().enumerate() {
        let x = left + gap + i as u64 * (bw + gap);
        let hr = scale(*rx);
        let ht = scale(rx + tx) - hr;
        let _ = writeln!(
            s,
            r##"<rect x="{x}" y="{}" width="{bw}" height="{hr}" fill="#3b7dd8"><title>rx {}</title></rect>"##,
            top + h - hr,
            human_bytes(*rx)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{x}" y="{}" width="{bw}" height="{ht}" fill="#e08a2c"><title>tx {}</title></rect>"##,
            top + h - hr - ht,
            human_bytes(*tx)
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x + bw / 2,
            top + h + 15,
            day(*start).get(5..).unwrap_or_default()
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="4" y="{}" fill="#3b7dd8">rx</text><text x="24" y="{}" fill="#e08a2c">tx</text>"##,
        top + h + 32,
        top + h + 32
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_and_units_render_as_expected() {
        assert_eq!(bar(0.5, 10), "[#####-----]");
        assert_eq!(bar(1.7, 4), "[####]");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(2_660_000_000), "2.66 GB");
    }

    #[test]
    fn charts_scale_to_the_busiest_day() {
        let b = [(0u64, 100u64, 0u64), (86_400, 25, 25)];
        let t = terminal_chart(&b, 8);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("1970-01-01  ████████ "), "{t}");
        assert!(lines[1].starts_with("1970-01-02  ████ "), "{t}");
        let svg = svg_chart(&b);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(r##"height="200" fill="#3b7dd8""##), "{svg}");
    }
}
