//! `mbcli apn import|list|lookup` and `mbcli hwids`: thin clap wrappers over
//! the `apn-db` library. The database defaults to
//! [`apn_db::paths::default_db_path`]: `$STATE_DIRECTORY/apn.db`, else
//! `/var/lib/mbimd/apn.db` for root, else `$XDG_STATE_HOME/mbimd/apn.db`
//! (`~/.local/state/mbimd/apn.db`).

use anyhow::Context;
use apn_db::lookup::{Identity, MncLength, Plmn};
use apn_db::{ApnDb, ImportOptions, Purpose};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `mbcli apn`.
#[derive(Args, Debug)]
pub struct ApnArgs {
    #[command(subcommand)]
    /// The APN subcommand.
    pub command: ApnCmd,
}

/// `mbcli apn` subcommands.
#[derive(Subcommand, Debug)]
pub enum ApnCmd {
    /// Import serviceproviders.xml / apns-conf.xml files (one transaction each).
    Import {
        /// Files to import (format detected from the root element).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Database file (default: $STATE_DIRECTORY/apn.db, /var/lib/mbimd/apn.db
        /// for root, else $XDG_STATE_HOME/mbimd/apn.db).
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// List stored APNs, optionally of one MCC/MNC (`310410` or `310-410`).
    List {
        /// MCC and MNC.
        #[arg(long = "mcc-mnc")]
        mcc_mnc: Option<String>,
        /// Database file.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Rank the candidate APNs for a SIM.
    Lookup(LookupArgs),
}

/// Arguments of `mbcli apn lookup`.
#[derive(Args, Debug)]
pub struct LookupArgs {
    /// IMSI of the SIM.
    #[arg(long)]
    pub imsi: String,
    /// MNC length from EF_AD (2 or 3); unknown: 3 digits tried first.
    #[arg(long = "mnc-length", value_parser = clap::value_parser!(u8).range(2..=3))]
    pub mnc_length: Option<u8>,
    /// Service provider name (EF_SPN).
    #[arg(long)]
    pub spn: Option<String>,
    /// EF_GID1 in hex.
    #[arg(long)]
    pub gid1: Option<String>,
    /// ICCID.
    #[arg(long)]
    pub iccid: Option<String>,
    /// CDMA SID.
    #[arg(long)]
    pub sid: Option<i64>,
    /// The SIM is roaming (selects the roaming IP type; the key stays the home network).
    #[arg(long)]
    pub roaming: bool,
    /// Database file.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `mbcli hwids`.
#[derive(Args, Debug)]
pub struct HwidsArgs {
    /// IMSI.
    #[arg(long)]
    pub imsi: Option<String>,
    /// ICCID.
    #[arg(long)]
    pub iccid: Option<String>,
    /// CDMA SID.
    #[arg(long)]
    pub sid: Option<i64>,
    /// Home provider name.
    #[arg(long)]
    pub provider: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Run `mbcli apn`.
pub fn run(args: ApnArgs) -> anyhow::Result<ExitCode> {
    let r = runtime()?.block_on(async move {
        match args.command {
            ApnCmd::Import { files, db } => import(files, db).await,
            ApnCmd::List { mcc_mnc, db } => list(mcc_mnc, db).await,
            ApnCmd::Lookup(a) => lookup(a).await,
        }
    });
    quiet_broken_pipe(r)
}

/// A closed stdout (`mbcli apn list | head`) ends the listing, not an error.
fn quiet_broken_pipe(r: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    match r {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

async fn open(db: Option<PathBuf>) -> anyhow::Result<ApnDb> {
    let path = db.unwrap_or_else(apn_db::paths::default_db_path);
    ApnDb::open(&path)
        .await
        .with_context(|| format!("opening {}", path.display()))
}

async fn import(files: Vec<PathBuf>, db: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let db = open(db).await?;
    let tty = std::io::stderr().is_terminal();
    let mut failed = false;
    for (i, f) in files.iter().enumerate() {
        if tty {
            eprint!("[{}/{}] importing {} …\r", i + 1, files.len(), f.display());
        }
        let t = std::time::Instant::now();
        match db.import_file(f, &ImportOptions::default()).await {
            Ok(r) => {
                let c = &r.counts;
                let state = if r.unchanged {
                    "unchanged"
                } else if r.replaced {
                    "replaced"
                } else {
                    "imported"
                };
                println!(
                    "{}: {} ({}): {} apns, {} rows, {} without MCC/MNC, {} CDMA SIDs, {} MVNO rows, {} warnings, {:.1} ms",
                    f.display(),
                    state,
                    r.kind.as_str(),
                    c.apns,
                    c.rows,
                    c.rows_without_plmn,
                    c.cdma_sids,
                    c.mvno_rows,
                    c.warnings,
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
            Err(e) => {
                eprintln!("mbcli: {e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn list(mcc_mnc: Option<String>, db: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let plmn = match mcc_mnc {
        Some(s) => Some(Plmn::parse(&s).with_context(|| format!("bad MCC/MNC {s:?}"))?),
        None => None,
    };
    let db = open(db).await?;
    let mut out = std::io::stdout().lock();
    for r in db.list(plmn).await? {
        writeln!(
            out,
            "{}-{}\t{}\t{}\t{}\t{}\t{}",
            r.mcc.as_deref().unwrap_or("-"),
            r.mnc.as_deref().unwrap_or("-"),
            r.source.as_str(),
            r.provider,
            r.apn,
            r.purposes,
            r.mvno.as_deref().unwrap_or("")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn lookup(a: LookupArgs) -> anyhow::Result<ExitCode> {
    // One lookup: the SQLite path answers it faster than loading the index.
    let db = open(a.db).await?;
    let id = Identity {
        imsi: Some(a.imsi.trim().to_owned()),
        mnc_length: a.mnc_length.and_then(MncLength::from_digits),
        spn: a.spn,
        gid1: a.gid1,
        iccid: a.iccid,
        sid: a.sid,
        provider_name: None,
    };
    let l = db.lookup(&id, Purpose::Internet, a.roaming).await?;
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&l)?)?;
    } else {
        match l.plmn {
            Some(p) => writeln!(out, "home network {p} ({:?})", l.key_rule)?,
            None => writeln!(out, "key: {:?}", l.key_rule)?,
        }
        if let Some(alt) = l.alternative_plmn {
            writeln!(out, "note: {alt} exists too; give --mnc-length to choose")?;
        }
        writeln!(
            out,
            "mvno: {:?}; decided by: {:?}{}",
            l.selected.mvno,
            l.decided_by(),
            if l.ambiguous() {
                " (AMBIGUOUS: only document order separates the first two)"
            } else {
                ""
            }
        )?;
        for (i, c) in l.selected.candidates.iter().enumerate() {
            writeln!(
                out,
                "{:2}. {:<24} {:<28} {:<8} ip={} rule={}",
                i + 1,
                if c.apn.is_empty() { "(empty)" } else { &c.apn },
                c.provider,
                c.source.as_str(),
                c.ip_type_for(a.roaming).map(|t| t.as_str()).unwrap_or("-"),
                serde_json::to_string(&c.rule)?
            )?;
        }
    }
    Ok(if l.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Run `mbcli hwids`.
pub fn run_hwids(a: HwidsArgs) -> anyhow::Result<ExitCode> {
    quiet_broken_pipe(hwids_inner(a))
}

fn hwids_inner(a: HwidsArgs) -> anyhow::Result<ExitCode> {
    let id = Identity {
        imsi: a.imsi,
        iccid: a.iccid,
        sid: a.sid,
        provider_name: a.provider,
        ..Default::default()
    };
    let h = apn_db::hwid::hwids(&id);
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&h)?)?;
    } else {
        for x in &h {
            writeln!(out, "{}\t{}", x.kind.as_str(), x.id)?;
        }
    }
    Ok(if h.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
