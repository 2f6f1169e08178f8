//! mbimd: the MBIM modem daemon, serving ModemManager's D-Bus API.
//! This file parses arguments, sets up logging and signals, and hands over to
//! `mbimd::daemon`.

use anyhow::Context;
use clap::Parser;
use mbimd::daemon::{Bus, Daemon, connect};
use mbimd::dbus::Policy;
use mbimd::manager::LogControl;
use mbimd::sim::Scenario;
use std::time::Duration;
use tracing_subscriber::{EnvFilter, prelude::*, reload};

#[derive(Parser, Debug)]
#[command(
    name = "mbimd",
    version,
    about = "MBIM modem daemon with a ModemManager1-compatible D-Bus API"
)]
struct Args {
    /// Use the session bus instead of the system bus.
    #[arg(long, conflicts_with = "address")]
    session: bool,
    /// Use the bus at this address (e.g. a private dbus-daemon).
    #[arg(long)]
    address: Option<String>,
    /// Well-known name to own (change it to run beside a real ModemManager).
    #[arg(long, default_value = dbus_interfaces::BUS_NAME)]
    bus_name: String,
    /// Start with simulated modem(s): the built-in scenario, or a scenario TOML file.
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    sim: Option<String>,
    /// How many simulated modems to start.
    #[arg(long, default_value_t = 1, requires = "sim")]
    sim_count: usize,
    /// Manage this control port (e.g. /dev/cdc-wdm0); repeatable.
    #[arg(long)]
    device: Vec<String>,
    /// Enumerate and follow devices (the default unless --sim or --device is given).
    #[arg(long)]
    discover: bool,
    /// Uids (besides root) allowed to call privileged methods.
    #[arg(long = "allow-uid")]
    allow_uid: Vec<u32>,
    /// Show personal data (IMSI, ICCID, numbers, PINs excepted) in logs.
    #[arg(long)]
    log_personal_info: bool,
    /// Directory of the SMS store (`sms.db`); default: $STATE_DIRECTORY,
    /// /var/lib/mbimd for root, else $XDG_STATE_HOME/mbimd. With --sim and no
    /// --state-dir a temporary store is used.
    #[arg(long)]
    state_dir: Option<std::path::PathBuf>,
    /// Log filter (tracing EnvFilter syntax; RUST_LOG overrides).
    #[arg(long, default_value = "info")]
    log: String,
}

fn level_filter(mm: &str) -> &'static str {
    match mm {
        "ERR" => "error",
        "WARN" => "warn",
        "MSG" | "INFO" => "info",
        "DEBUG" => "debug",
        _ => "trace",
    }
}

// One worker thread: the work is waiting on devices and the bus, and SQLite
// has its own thread. Each further worker costs a stack and a malloc arena
// in the idle footprint (issue 6). Not the current-thread runtime: measured
// with 64 simulated modems it holds ~2.8 MB more heap than one worker.
#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&args.log));
    let (filter, handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .init();
    mbim_proto::personal::set_show_personal_info(args.log_personal_info);

    let bus = match (&args.address, args.session) {
        (Some(a), _) => Bus::Address(a.clone()),
        (None, true) => Bus::Session,
        (None, false) => Bus::System,
    };
    let conn = connect(&bus)
        .await
        .with_context(|| format!("cannot connect to the {bus:?} bus"))?;
    let mut policy = Policy {
        allowed_uids: args.allow_uid.clone(),
        allow_all: false,
    };
    if bus != Bus::System {
        // On a session or private bus the bus owner is the user running us.
        policy.allowed_uids.push(rustix::process::getuid().as_raw());
    }
    let mut daemon = Daemon::serve(conn, policy)
        .await
        .context("cannot serve objects")?;
    daemon.manager.set_logging = Some(LogControl(Box::new(move |level| {
        handle
            .modify(|f| *f = EnvFilter::new(level_filter(level)))
            .map_err(|e| e.to_string())
    })));

    let temporary_sms_db = args.state_dir.is_none() && args.sim.is_some();
    let sms_db = match (&args.state_dir, &args.sim) {
        (Some(d), _) => d.join("sms.db"),
        // A simulated modem's messages must not mix with a real one's.
        (None, Some(_)) => {
            let p = std::env::temp_dir().join(format!("mbimd-sim-{}-sms.db", std::process::id()));
            let _ = std::fs::remove_file(&p);
            p
        }
        (None, None) => apn_db::paths::default_db_path().with_file_name("sms.db"),
    };
    if let Some(dir) = sms_db.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match mbimd::messaging::store::SmsStore::open(&sms_db).await {
        Ok(store) => daemon.manager.set_sms_store(store),
        Err(e) => {
            tracing::warn!(path = %sms_db.display(), error = %e, "cannot open the SMS store; messaging disabled")
        }
    }

    if let Some(s) = &args.sim {
        let scenario = if s.is_empty() {
            Scenario::builtin()
        } else {
            Scenario::load(std::path::Path::new(s)).with_context(|| format!("scenario {s}"))?
        };
        daemon.add_sims(&scenario, args.sim_count);
    }
    for d in &args.device {
        daemon.manager.add_path(d).map_err(anyhow::Error::msg)?;
    }
    let discover = args.discover || (args.sim.is_none() && args.device.is_empty());
    let mut events = None;
    if discover {
        daemon.manager.scan();
        match mbimd::discovery::uevent::UeventSocket::open(
            std::path::Path::new("/sys"),
            std::path::Path::new("/dev"),
        ) {
            Ok(sock) => {
                let (tx, rx) = tokio::sync::mpsc::channel(16);
                tokio::spawn(async move {
                    while let Ok(ev) = sock.next().await {
                        if tx.send(ev).await.is_err() {
                            break;
                        }
                    }
                });
                events = Some(rx);
            }
            Err(e) => tracing::warn!(error = %e, "no kernel uevents; hotplug will not be followed"),
        }
    }
    // Serve every object first, request the name last.
    daemon.settle(Duration::from_secs(30)).await;
    daemon
        .own_name(&args.bus_name)
        .await
        .with_context(|| format!("cannot own {}", args.bus_name))?;
    tracing::info!(name = %args.bus_name, modems = daemon.manager.exported(), "mbimd ready");

    let stop = async {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = term.recv() => {},
            _ = tokio::signal::ctrl_c() => {},
        }
    };
    match events {
        Some(mut rx) => {
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    _ = &mut stop => break,
                    Some(ev) = rx.recv() => daemon.manager.device_event(ev).await,
                    Some(r) = daemon.requests.recv() => daemon.manager.request(r).await,
                    Some(n) = daemon.ended.recv() => daemon.manager.ended(&n),
                }
            }
            daemon.manager.stop_all(&mut daemon.ended).await;
        }
        None => daemon.run_until(stop).await,
    }
    let _ = daemon.conn.release_name(args.bus_name.as_str()).await;
    if temporary_sms_db {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = sms_db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    tracing::info!("mbimd stopped");
    Ok(())
}
