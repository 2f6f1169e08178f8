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
    /// The APN database; default: `apn.db` in the state directory (the file
    /// `mbcli apn` uses), a temporary one with --sim and no --state-dir.
    #[arg(long)]
    apn_db: Option<std::path::PathBuf>,
    /// APN data imported at start when present and changed (repeatable);
    /// default: /usr/share/mobile-broadband-provider-info/serviceproviders.xml.
    #[arg(long)]
    apn_import: Vec<std::path::PathBuf>,
    /// Import no APN data at start (keep what the database has).
    #[arg(long, conflicts_with = "apn_import")]
    no_apn_import: bool,
    /// Connect with the resolved settings once the SIM is ready and the
    /// modem registered (per modem: org.mbimd.Modem1.Connection.AutoConnect).
    #[arg(long)]
    auto_connect: bool,
    /// Operator purchase page published for a connection without internet
    /// when the chosen settings carry none (SubId/DevId/IccId are appended).
    #[arg(long)]
    purchase_url: Option<String>,
    /// Internet check for real modems: an http:// URL answering 204 (off by
    /// default: a connected session is assumed to have internet).
    #[arg(long)]
    connectivity_check: Option<String>,
    /// Operator-message rules (a provisioning `Messages` document, Windows
    /// format) in force from the start. A file that does not parse stops the
    /// daemon with the line and column of the problem. Without it, rules
    /// loaded over D-Bus in an earlier run (saved in the state directory) are
    /// used.
    #[arg(long, value_name = "FILE")]
    operator_rules: Option<std::path::PathBuf>,
    /// Privileged-apps configuration (TOML, see docs/privileged-apps.md);
    /// default: <state-dir>/privileged-apps.toml, else
    /// /etc/mbimd/privileged-apps.toml, when present.
    #[arg(long)]
    privileged_apps: Option<std::path::PathBuf>,
    /// Order in which SIM HWIDs select service metadata (comma-separated
    /// kinds of iccid, imsi, sid, provider).
    #[arg(long, default_value = "iccid,imsi,sid,provider")]
    metadata_match_order: String,
    /// Locale for service-metadata branding (default: LC_ALL/LC_MESSAGES/LANG).
    #[arg(long)]
    metadata_locale: Option<String>,
    /// Trust anchors for signed provisioning documents: a PEM/DER file or a
    /// directory of them; default /etc/mbimd/trust-anchors when present.
    /// Without anchors a signed document is trusted only from privileged
    /// callers.
    #[arg(long, value_name = "PATH")]
    trust_anchors: Option<std::path::PathBuf>,
    /// CA bundle (PEM) for provisioning refresh over HTTPS; default the
    /// system bundle /etc/ssl/certs/ca-certificates.crt.
    #[arg(long, value_name = "FILE")]
    refresh_trust_anchors: Option<std::path::PathBuf>,
    /// Seconds between data-usage counter samples (fractions allowed).
    #[arg(long, default_value_t = 60.0)]
    usage_interval: f64,
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

    // State (saved operator rules): --state-dir; none for a simulator run
    // without one (nothing of a simulated modem should outlive the run).
    let state_dir = match (&args.state_dir, &args.sim) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(_)) => None,
        (None, None) => apn_db::paths::default_db_path()
            .parent()
            .map(std::path::Path::to_path_buf),
    };
    // Checked before touching the bus: a broken rules file must not leave a
    // daemon running without the rules its operator expects.
    let operator_rules =
        mbimd::messaging::ingest::Rules::open(state_dir.as_deref(), args.operator_rules.as_deref())
            .map_err(|e| anyhow::anyhow!("cannot use the operator rules: {e}"))?;
    let active = operator_rules.active();
    if !active.set.is_empty() {
        tracing::info!(source = %active.source, rules = active.set.len(), "operator rules in force");
    }

    // Also checked before the bus: given trust anchors must be usable.
    let mut agent = mbimd::provisioning::agent::AgentConfig::default();
    let default_anchors =
        std::path::PathBuf::from(mbimd::provisioning::agent::DEFAULT_TRUST_ANCHORS);
    match &args.trust_anchors {
        // Given: a broken anchor set stops the daemon.
        Some(p) => {
            agent.anchors = mbimd::provisioning::agent::load_anchors(p)
                .with_context(|| format!("--trust-anchors {}", p.display()))?;
        }
        // The default location: a broken one is logged, signed documents
        // are then trusted only from privileged callers.
        None if default_anchors.exists() => {
            match mbimd::provisioning::agent::load_anchors(&default_anchors) {
                Ok(a) => agent.anchors = a,
                Err(e) => tracing::warn!(error = %e, "provisioning trust anchors not used"),
            }
        }
        None => {}
    }
    if !agent.anchors.is_empty() {
        tracing::info!(
            anchors = agent.anchors.len(),
            "provisioning trust anchors loaded"
        );
    }
    if let Some(p) = &args.refresh_trust_anchors {
        agent.fetch.trust = mbimd::provisioning::refresh::TrustAnchors::PemFile(p.clone());
    }
    let bus = match (&args.address, args.session) {
        (Some(a), _) => Bus::Address(a.clone()),
        (None, true) => Bus::Session,
        (None, false) => Bus::System,
    };
    let conn = connect(&bus)
        .await
        .with_context(|| format!("cannot connect to the {bus:?} bus"))?;
    let state_dir = match (&args.state_dir, &args.sim) {
        (Some(d), _) => d.clone(),
        // A simulated modem's metadata must not mix with a real one's.
        (None, Some(_)) => std::env::temp_dir().join(format!("mbimd-sim-{}", std::process::id())),
        (None, None) => apn_db::paths::default_db_path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| std::path::PathBuf::from(".")),
    };
    let temporary_state = args.state_dir.is_none() && args.sim.is_some();
    let apps_path = args.privileged_apps.clone().or_else(|| {
        [
            state_dir.join("privileged-apps.toml"),
            std::path::PathBuf::from("/etc/mbimd/privileged-apps.toml"),
        ]
        .into_iter()
        .find(|p| p.exists())
    });
    let apps_config = match &apps_path {
        Some(p) => mbimd::provisioning::privileged::PrivilegedConfig::load(p)?,
        None => Default::default(),
    };
    let mut policy = Policy {
        allowed_uids: args.allow_uid.clone(),
        allow_all: false,
        apps: Some(std::sync::Arc::new(
            mbimd::provisioning::privileged::PrivilegedApps::new(apps_config),
        )),
    };
    if bus != Bus::System {
        // On a session or private bus the bus owner is the user running us.
        policy.allowed_uids.push(rustix::process::getuid().as_raw());
    }
    let mut daemon = Daemon::serve(conn, policy)
        .await
        .context("cannot serve objects")?;
    daemon.manager.set_operator_rules(operator_rules);
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

    let temporary_apn_db = args.apn_db.is_none() && temporary_sms_db;
    let apn_db = match (&args.apn_db, &args.state_dir, temporary_apn_db) {
        (Some(p), _, _) => p.clone(),
        (None, Some(d), _) => d.join("apn.db"),
        (None, None, true) => {
            let p = std::env::temp_dir().join(format!("mbimd-sim-{}-apn.db", std::process::id()));
            let _ = std::fs::remove_file(&p);
            p
        }
        (None, None, false) => apn_db::paths::default_db_path(),
    };
    let apn_imports = if args.no_apn_import {
        Vec::new()
    } else if args.apn_import.is_empty() {
        vec![std::path::PathBuf::from(
            mbimd::connection::data::DEFAULT_MBPI,
        )]
    } else {
        args.apn_import.clone()
    };
    let probe: std::sync::Arc<dyn mbimd::connection::InternetProbe> = match &args.connectivity_check
    {
        Some(u) => std::sync::Arc::new(
            mbimd::connection::probe::HttpProbe::from_url(u).map_err(anyhow::Error::msg)?,
        ),
        None => std::sync::Arc::new(mbimd::connection::probe::AssumeInternet),
    };
    let match_order = mbimd::provisioning::metadata::store::parse_order(&args.metadata_match_order)
        .map_err(anyhow::Error::msg)
        .context("--metadata-match-order")?;
    let metadata_config = mbimd::provisioning::metadata::MatchConfig {
        order: match_order,
        locale: args
            .metadata_locale
            .clone()
            .or_else(mbimd::provisioning::metadata::package::environment_locale),
    };
    let metadata_store = match mbimd::provisioning::metadata::MetadataStore::open(
        &state_dir,
        metadata_config,
    ) {
        Ok(store) => {
            let store = std::sync::Arc::new(store);
            daemon.manager.set_metadata_store(store.clone());
            Some(store)
        }
        Err(e) => {
            tracing::warn!(dir = %state_dir.display(), error = %e, "cannot open the service-metadata store; service metadata disabled");
            None
        }
    };
    let prov_db = match &args.state_dir {
        Some(d) => d.join("provisioning.sqlite"),
        // Same rule as the SMS store: a simulated modem gets a temporary one.
        None => sms_db.with_file_name(
            sms_db
                .file_name()
                .map(|n| n.to_string_lossy().replace("sms.db", "provisioning.sqlite"))
                .unwrap_or_else(|| "provisioning.sqlite".into()),
        ),
    };
    if temporary_sms_db {
        let _ = std::fs::remove_file(&prov_db);
    }
    daemon.manager.set_provisioning_config(agent);
    let prov_store = match mbimd::provisioning::store::ProvisioningStore::open(&prov_db).await {
        Ok(store) => {
            daemon.manager.set_provisioning_store(store.clone());
            Some(store)
        }
        Err(e) => {
            tracing::warn!(path = %prov_db.display(), error = %e, "cannot open the provisioning store; provisioning disabled");
            None
        }
    };
    // The resolver's sources, highest first (windows-operator-formats.md
    // §3.3): the provisioning store's snapshot, the service-metadata store,
    // then the APN database. Opening and importing the APN data run in the
    // background: the name is not delayed.
    let provisioned = prov_store
        .as_ref()
        .map(|_| mbimd::connection::sources::ProvisionedSource::new());
    let mut env = mbimd::connection::ConnectionEnv {
        data: mbimd::connection::ApnData::start(apn_db.clone(), apn_imports),
        config: mbimd::connection::ConnectionConfig {
            auto_connect: args.auto_connect,
            purchase_url: args.purchase_url.clone(),
        },
        probe,
        provisioned: provisioned.clone(),
        metadata_store: metadata_store.clone(),
        ..mbimd::connection::ConnectionEnv::default()
    };
    if let Some(p) = &provisioned {
        env.provisioning = p.clone();
    }
    if let Some(m) = &metadata_store {
        env.metadata = m.clone();
    }
    daemon.manager.set_connection_env(env);
    let env = daemon.manager.connection_env();
    if let (Some(store), Some(source)) = (prov_store, provisioned) {
        tokio::spawn(mbimd::connection::sources::follow_provisioning(
            store,
            source,
            env.clone(),
        ));
    }
    if let Some(m) = metadata_store {
        tokio::spawn(mbimd::connection::sources::follow_metadata(m, env));
    }
    // Data usage: `usage.sqlite` beside the SMS store (a temporary one in
    // the same cases).
    let usage_db = sms_db.with_file_name(if temporary_sms_db {
        format!("mbimd-sim-{}-usage.sqlite", std::process::id())
    } else {
        "usage.sqlite".to_string()
    });
    if temporary_sms_db {
        let _ = std::fs::remove_file(&usage_db);
    }
    match mbimd::usage::store::UsageStore::open(&usage_db).await {
        Ok(store) => daemon.manager.set_usage(mbimd::manager::UsageConfig {
            store,
            sampler: mbimd::usage::service::SamplerConfig {
                interval: Duration::from_secs_f64(args.usage_interval.max(0.01)),
            },
            sysfs: std::path::PathBuf::from("/sys"),
        }),
        Err(e) => {
            tracing::warn!(path = %usage_db.display(), error = %e, "cannot open the usage store; data usage not tracked")
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
    let mut temporary = Vec::new();
    if temporary_sms_db {
        temporary.push(&sms_db);
        temporary.push(&prov_db);
        temporary.push(&usage_db);
    }
    if temporary_apn_db {
        temporary.push(&apn_db);
    }
    for db in temporary {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    if temporary_state {
        let _ = std::fs::remove_dir_all(&state_dir);
    }
    tracing::info!("mbimd stopped");
    Ok(())
}
