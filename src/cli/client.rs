//! `mbcli` daemon mode: talk to mbimd (or any ModemManager1 service) over
//! D-Bus: `list`, `show`, `enable`, `disable`, `pin`, `scan`, `connect`,
//! `disconnect`, `ussd`, `signal`, `watch`, and `sms list/read/send/delete`
//! (flattened into `mbcli sms`, see `cli::sms`). Human tables by default,
//! `--json` for scripts; a spinner on stderr during scan and connect when it
//! is a terminal. It only uses the public API (`dbus_interfaces` proxies), so
//! it works against ModemManager too.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use dbus_interfaces::enums::{self as mm, ModemState};
use dbus_interfaces::names::*;
use dbus_interfaces::proxies::*;
use dbus_interfaces::{Dict, MANAGER_PATH};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use zbus::{Connection, OwnedObjectPath, OwnedVariant, Variant};

/// Options every daemon-mode command takes.
#[derive(Args, Debug, Clone)]
pub struct ClientArgs {
    /// Use the session bus (default: the system bus).
    #[arg(long, conflicts_with = "address")]
    pub session: bool,
    /// Use the bus at this address.
    #[arg(long)]
    pub address: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The modem: index (`0`) or object path; default: the first one.
    #[arg(long, short = 'm')]
    pub modem: Option<String>,
}

/// A daemon-mode command.
#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// List modems.
    List(ClientArgs),
    /// Show a modem's properties.
    Show {
        #[command(flatten)]
        c: ClientArgs,
        /// Index or path (same as -m).
        #[arg(value_name = "MODEM")]
        target: Option<String>,
    },
    /// Enable (radio on, register).
    Enable(ClientArgs),
    /// Disable (disconnect, radio off).
    Disable(ClientArgs),
    /// Send the SIM PIN (or PUK with --puk).
    Pin {
        #[command(flatten)]
        c: ClientArgs,
        /// The PIN (the new PIN with --puk).
        pin: String,
        #[arg(long)]
        puk: Option<String>,
    },
    /// Scan for networks.
    Scan(ClientArgs),
    /// Connect (Simple.Connect); without --apn mbimd chooses the settings
    /// (APN database / operator data, see `mbcli connection`).
    Connect {
        #[command(flatten)]
        c: ClientArgs,
        /// The APN (`--apn ""` asks for the network's default APN).
        #[arg(long)]
        apn: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        password: Option<String>,
        /// ipv4, ipv6 or ipv4v6.
        #[arg(long)]
        ip_type: Option<String>,
        /// SIM PIN to unlock first.
        #[arg(long)]
        pin: Option<String>,
    },
    /// Disconnect every bearer.
    Disconnect(ClientArgs),
    /// mbimd's connection flows on a modem: resolved settings and their
    /// source, candidates, HWIDs, limited state / purchase URL, attempts.
    Connection {
        #[command(flatten)]
        c: ClientArgs,
        /// Index or path (same as -m).
        #[arg(value_name = "MODEM")]
        target: Option<String>,
    },
    /// Send a USSD request (e.g. `*100#`) and print the reply.
    Ussd {
        #[command(flatten)]
        c: ClientArgs,
        command: String,
    },
    /// Show signal measurements.
    Signal(ClientArgs),
    /// Stream state changes and events until interrupted.
    Watch {
        #[command(flatten)]
        c: ClientArgs,
        /// Stop after this many events.
        #[arg(long)]
        count: Option<usize>,
    },
}

/// `mbcli sms list/read/send/delete` (flattened into `mbcli sms`).
#[derive(Subcommand, Debug)]
pub enum SmsDaemonCommand {
    /// List messages.
    List(ClientArgs),
    /// Show one message (index or path).
    Read {
        #[command(flatten)]
        c: ClientArgs,
        sms: String,
    },
    /// Create and send a message.
    Send {
        #[command(flatten)]
        c: ClientArgs,
        #[arg(long)]
        number: String,
        #[arg(long)]
        text: String,
    },
    /// Delete a message (index or path).
    Delete {
        #[command(flatten)]
        c: ClientArgs,
        sms: String,
    },
}

/// Run `mbcli sms list/read/send/delete`.
pub fn run_sms(cmd: SmsDaemonCommand) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(sms(cmd))
}

/// Run a daemon-mode command.
pub fn run(cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(dispatch(cmd))
}

/// Connect to the bus `c` names.
pub async fn connect(c: &ClientArgs) -> anyhow::Result<Connection> {
    let b = if let Some(a) = &c.address {
        zbus::connection::Builder::address(a.as_str())
    } else if c.session {
        zbus::connection::Builder::session()
    } else {
        zbus::connection::Builder::system()
    };
    b.build().await.context("cannot connect to the bus")
}

type Objects = HashMap<OwnedObjectPath, HashMap<String, Dict>>;

async fn objects(conn: &Connection) -> anyhow::Result<Objects> {
    let om = zbus::fdo::ObjectManagerProxy::builder(conn)
        .destination(BUS_NAME)
        .path(MANAGER_PATH)
        .build()
        .await?;
    let o = om
        .get_managed_objects()
        .await
        .context("mbimd (org.freedesktop.ModemManager1) is not running on this bus")?;
    Ok(o.into_iter()
        .map(|(p, ifs)| {
            (
                p,
                ifs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            )
        })
        .collect())
}

/// The modem `want` names (index or path; default: the first), with its interfaces.
pub async fn pick(
    conn: &Connection,
    want: Option<&str>,
) -> anyhow::Result<(OwnedObjectPath, HashMap<String, Dict>)> {
    let objs = objects(conn).await?;
    let mut modems: Vec<_> = objs
        .into_iter()
        .filter(|(p, _)| p.as_str().starts_with(MODEM_PREFIX))
        .collect();
    modems.sort_by_key(|(p, _)| index_of(p.as_str(), MODEM_PREFIX).unwrap_or(u32::MAX));
    let found = match want {
        None => modems.into_iter().next(),
        Some(w) => {
            let path = if w.starts_with('/') {
                w.to_string()
            } else {
                format!("{MODEM_PREFIX}{w}")
            };
            modems.into_iter().find(|(p, _)| p.as_str() == path)
        }
    };
    found.ok_or_else(|| match want {
        Some(w) => anyhow::anyhow!("no modem '{w}'"),
        None => anyhow::anyhow!("no modems found"),
    })
}

/// A variant as JSON.
pub fn to_json(v: &Variant<'_>) -> Value {
    match v {
        Variant::U8(x) => json!(x),
        Variant::Bool(x) => json!(x),
        Variant::I16(x) => json!(x),
        Variant::U16(x) => json!(x),
        Variant::I32(x) => json!(x),
        Variant::U32(x) => json!(x),
        Variant::I64(x) => json!(x),
        Variant::U64(x) => json!(x),
        Variant::F64(x) => json!(x),
        Variant::Str(s) => json!(s.as_str()),
        Variant::ObjectPath(p) => json!(p.as_str()),
        Variant::Variant(b) => to_json(b),
        Variant::Array(a) => Value::Array(a.inner().iter().map(to_json).collect()),
        Variant::Dict(d) => {
            let mut m = Map::new();
            for (k, v) in d.iter() {
                let key = match to_json(k) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                m.insert(key, to_json(v));
            }
            Value::Object(m)
        }
        Variant::Structure(s) => Value::Array(s.fields().iter().map(to_json).collect()),
        _ => Value::Null,
    }
}

pub(crate) fn dict_json(d: &Dict) -> Value {
    let mut keys: Vec<&String> = d.keys().collect();
    keys.sort();
    let mut m = Map::new();
    for k in keys {
        m.insert(k.clone(), to_json(&d[k]));
    }
    Value::Object(m)
}

fn s(d: Option<&Dict>, k: &str) -> String {
    d.and_then(|d| d.get(k))
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

fn u(d: Option<&Dict>, k: &str) -> u32 {
    d.and_then(|d| d.get(k))
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0)
}

fn state_of(d: Option<&Dict>) -> ModemState {
    d.and_then(|d| d.get("State"))
        .and_then(|v| i32::try_from(v).ok())
        .and_then(ModemState::from_value)
        .unwrap_or(ModemState::Unknown)
}

/// A spinner on stderr while `fut` runs, only when stderr is a terminal.
async fn with_spinner<T>(label: &str, fut: impl std::future::Future<Output = T>) -> T {
    if !std::io::stderr().is_terminal() {
        return fut.await;
    }
    let frames = ['|', '/', '-', '\\'];
    let spin = async {
        let mut i = 0usize;
        let start = std::time::Instant::now();
        loop {
            eprint!(
                "\r{} {label} ({}s)",
                frames[i % 4],
                start.elapsed().as_secs()
            );
            i += 1;
            tokio::time::sleep(std::time::Duration::from_millis(120)).await;
        }
    };
    let r = tokio::select! {
        r = fut => r,
        _ = spin => unreachable!(),
    };
    eprint!("\r\x1b[K");
    r
}

fn method_error(e: zbus::Error) -> anyhow::Error {
    match e {
        zbus::Error::MethodError(name, msg, _) => {
            let short = name
                .as_str()
                .strip_prefix(dbus_interfaces::error::ERROR_PREFIX)
                .unwrap_or(name.as_str());
            anyhow::anyhow!("{} ({short})", msg.unwrap_or_default())
        }
        other => other.into(),
    }
}

async fn dispatch(cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ClientCommand::List(c) => list(&c).await,
        ClientCommand::Show { c, target } => {
            let c = ClientArgs {
                modem: target.or(c.modem.clone()),
                ..c
            };
            show(&c).await
        }
        ClientCommand::Enable(c) => enable(&c, true).await,
        ClientCommand::Disable(c) => enable(&c, false).await,
        ClientCommand::Pin { c, pin, puk } => send_pin(&c, &pin, puk.as_deref()).await,
        ClientCommand::Scan(c) => scan(&c).await,
        ClientCommand::Connect {
            c,
            apn,
            user,
            password,
            ip_type,
            pin,
        } => {
            let mut d = Dict::new();
            if let Some(apn) = apn {
                d.insert("apn".into(), ov(apn.as_str()));
            }
            if let Some(x) = user {
                d.insert("user".into(), ov(x.as_str()));
            }
            if let Some(x) = password {
                d.insert("password".into(), ov(x.as_str()));
            }
            if let Some(x) = pin {
                d.insert("pin".into(), ov(x.as_str()));
            }
            if let Some(t) = ip_type {
                let v = match t.as_str() {
                    "ipv4" => mm::ip_family::IPV4,
                    "ipv6" => mm::ip_family::IPV6,
                    "ipv4v6" => mm::ip_family::IPV4V6,
                    other => bail!("unknown IP type '{other}' (ipv4, ipv6, ipv4v6)"),
                };
                d.insert("ip-type".into(), ov(v));
            }
            connect_cmd(&c, d).await
        }
        ClientCommand::Disconnect(c) => disconnect(&c).await,
        ClientCommand::Connection { c, target } => {
            let c = ClientArgs {
                modem: target.or(c.modem.clone()),
                ..c
            };
            super::connection::show(&c).await
        }
        ClientCommand::Ussd { c, command } => ussd(&c, &command).await,
        ClientCommand::Signal(c) => signal(&c).await,
        ClientCommand::Watch { c, count } => watch(&c, count).await,
    }
}

fn ov<'a, T: Into<Variant<'a>>>(v: T) -> OwnedVariant {
    v.into()
        .try_into_owned()
        .unwrap_or_else(|_| OwnedVariant::from(0u32))
}

async fn list(c: &ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let objs = objects(&conn).await?;
    let mut rows: Vec<(String, String, String, ModemState)> = objs
        .iter()
        .map(|(p, ifs)| {
            let m = ifs.get(IFACE_MODEM);
            (
                p.to_string(),
                s(m, "Manufacturer"),
                s(m, "Model"),
                state_of(m),
            )
        })
        .collect();
    rows.sort_by_key(|r| index_of(&r.0, MODEM_PREFIX).unwrap_or(u32::MAX));
    if c.json {
        let v: Vec<Value> = rows
            .iter()
            .map(|(p, ma, mo, st)| json!({"path": p, "manufacturer": ma, "model": mo, "state": st.nick()}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&json!({ "modems": v }))?);
    } else if rows.is_empty() {
        println!("No modems were found");
    } else {
        println!("{:<42} {:<14} MODEL", "PATH", "STATE");
        for (p, ma, mo, st) in rows {
            println!("{p:<42} {:<14} [{ma}] {mo}", st.nick());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The serving cell and the network time, where the modem has the
/// Location and Time interfaces. Both are method calls that need privileges
/// (and an enabled, registered modem), so a refusal just leaves them out.
#[derive(Debug, Default)]
struct Whereabouts {
    /// ModemManager's 3GPP string, `MCC,MNC,LAC,CI,TAC`.
    location_3gpp: Option<String>,
    network_time: Option<String>,
    /// `NetworkTimezone` (a{sv}).
    timezone: Option<Dict>,
}

async fn whereabouts(
    conn: &Connection,
    path: &OwnedObjectPath,
    ifs: &HashMap<String, Dict>,
) -> Whereabouts {
    let mut w = Whereabouts::default();
    if ifs.contains_key(IFACE_LOCATION)
        && let Ok(p) = LocationProxy::builder(conn)
            .path(path.clone())
            .build()
            .await
        && let Ok(d) = p.get_location().await
    {
        w.location_3gpp = d.get(&1).and_then(|v| String::try_from(v.clone()).ok());
    }
    if let Some(t) = ifs.get(IFACE_TIME) {
        w.timezone = t
            .get("NetworkTimezone")
            .and_then(|v| Dict::try_from(v.clone()).ok())
            .filter(|d| !d.is_empty());
        if let Ok(p) = TimeProxy::builder(conn).path(path.clone()).build().await {
            w.network_time = p.get_network_time().await.ok().filter(|t| !t.is_empty());
        }
    }
    w
}

/// "MCC 262, MNC 2, LAC 1F40, TAC 2A, cell 123ABCD" from MM's string.
fn describe_3gpp(s: &str) -> String {
    let f: Vec<&str> = s.split(',').collect();
    match f.as_slice() {
        [mcc, mnc, lac, ci, tac] => {
            format!("MCC {mcc}, MNC {mnc}, LAC {lac}, TAC {tac}, cell {ci}")
        }
        _ => s.to_string(),
    }
}

async fn show(c: &ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let (path, ifs) = pick(&conn, c.modem.as_deref()).await?;
    let w = whereabouts(&conn, &path, &ifs).await;
    if c.json {
        let mut m = Map::new();
        let mut names: Vec<&String> = ifs.keys().collect();
        names.sort();
        for n in names {
            m.insert(n.clone(), dict_json(&ifs[n]));
        }
        let mut j = json!({"path": path.as_str(), "interfaces": m});
        if let Some(l) = &w.location_3gpp {
            j["location"] = json!({ "3gpp": l });
        }
        if let Some(t) = &w.network_time {
            j["network-time"] = json!(t);
        }
        if let Some(tz) = &w.timezone {
            j["network-timezone"] = dict_json(tz);
        }
        println!("{}", serde_json::to_string_pretty(&j)?);
        return Ok(ExitCode::SUCCESS);
    }
    let m = ifs.get(IFACE_MODEM);
    let g = ifs.get(IFACE_3GPP);
    let sq = m
        .and_then(|d| d.get("SignalQuality"))
        .map(|v| to_json(v))
        .and_then(|v| v.get(0).and_then(Value::as_u64))
        .unwrap_or(0);
    let bearers = m
        .and_then(|d| d.get("Bearers"))
        .map(|v| to_json(v))
        .and_then(|v| {
            v.as_array().map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
        })
        .unwrap_or_default();
    let rows = [
        ("path", path.to_string()),
        ("manufacturer", s(m, "Manufacturer")),
        ("model", s(m, "Model")),
        ("firmware", s(m, "Revision")),
        ("equipment id", s(m, "EquipmentIdentifier")),
        ("primary port", s(m, "PrimaryPort")),
        ("state", state_of(m).nick().to_string()),
        (
            "failed reason",
            mm::StateFailedReason::nick_of(u(m, "StateFailedReason")).to_string(),
        ),
        (
            "unlock required",
            mm::ModemLock::nick_of(u(m, "UnlockRequired")).to_string(),
        ),
        (
            "power state",
            mm::PowerState::nick_of(u(m, "PowerState")).to_string(),
        ),
        (
            "access tech",
            mm::flag_nicks(mm::ACCESS_TECHNOLOGY, u(m, "AccessTechnologies")),
        ),
        ("signal quality", format!("{sq}%")),
        (
            "operator",
            format!("{} ({})", s(g, "OperatorName"), s(g, "OperatorCode")),
        ),
        (
            "registration",
            mm::RegistrationState::nick_of(u(g, "RegistrationState")).to_string(),
        ),
        (
            "sim",
            m.and_then(|d| d.get("Sim"))
                .map(|v| to_json(v))
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ),
        (
            "bearers",
            if bearers.is_empty() {
                "none".into()
            } else {
                bearers.join(", ")
            },
        ),
    ];
    for (k, v) in rows {
        println!("{k:>16}: {v}");
    }
    if let Some(l) = &w.location_3gpp {
        println!("{:>16}: {}", "location", describe_3gpp(l));
    }
    if let Some(t) = &w.network_time {
        println!("{:>16}: {t}", "network time");
    }
    if let Some(tz) = &w.timezone {
        let i = |k: &str| tz.get(k).and_then(|v| i32::try_from(v).ok());
        let mut z = match i("offset") {
            Some(o) => format!("UTC{o:+} min"),
            None => "unknown".into(),
        };
        if let Some(d) = i("dst-offset") {
            z += &format!(" (DST {d:+} min)");
        }
        println!("{:>16}: {z}", "time zone");
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn modem_path(
    conn: &Connection,
    c: &ClientArgs,
) -> anyhow::Result<OwnedObjectPath> {
    Ok(pick(conn, c.modem.as_deref()).await?.0)
}

async fn enable(c: &ClientArgs, on: bool) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let path = modem_path(&conn, c).await?;
    let m = ModemProxy::builder(&conn)
        .path(path.clone())
        .build()
        .await?;
    m.enable(on).await.map_err(method_error)?;
    let st = ModemState::nick_of(m.state().await.unwrap_or(0));
    if c.json {
        println!("{}", json!({"path": path.as_str(), "state": st}));
    } else {
        println!(
            "{}: {}",
            path.as_str(),
            if on { "enabled" } else { "disabled" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn send_pin(c: &ClientArgs, pin: &str, puk: Option<&str>) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let path = modem_path(&conn, c).await?;
    let m = ModemProxy::builder(&conn).path(path).build().await?;
    let sim_path = m.sim().await?;
    if sim_path.as_str() == "/" {
        bail!("the modem has no SIM");
    }
    let sim = SimProxy::builder(&conn).path(sim_path).build().await?;
    match puk {
        Some(p) => sim.send_puk(p, pin).await,
        None => sim.send_pin(pin).await,
    }
    .map_err(method_error)?;
    println!("SIM unlocked");
    Ok(ExitCode::SUCCESS)
}

async fn scan(c: &ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let path = modem_path(&conn, c).await?;
    let g = Modem3gppProxy::builder(&conn).path(path).build().await?;
    let nets = with_spinner("scanning", g.scan())
        .await
        .map_err(method_error)?;
    if c.json {
        let v: Vec<Value> = nets.iter().map(dict_json).collect();
        println!("{}", serde_json::to_string_pretty(&json!({"networks": v}))?);
    } else {
        println!("{:<8} {:<24} STATUS", "CODE", "NAME");
        for n in &nets {
            println!(
                "{:<8} {:<24} {}",
                s(Some(n), "operator-code"),
                s(Some(n), "operator-long"),
                mm::NetworkAvailability::nick_of(u(Some(n), "status"))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn connect_cmd(c: &ClientArgs, d: Dict) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let path = modem_path(&conn, c).await?;
    let simple = SimpleProxy::builder(&conn).path(path).build().await?;
    let bearer = with_spinner("connecting", simple.connect(d))
        .await
        .map_err(method_error)?;
    let b = BearerProxy::builder(&conn)
        .path(bearer.clone())
        .build()
        .await?;
    let iface = b.interface().await.unwrap_or_default();
    let ip4 = b.ip4_config().await.unwrap_or_default();
    let ip6 = b.ip6_config().await.unwrap_or_default();
    if c.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "bearer": bearer.as_str(), "interface": iface,
                "ipv4": dict_json(&ip4), "ipv6": dict_json(&ip6)
            }))?
        );
    } else {
        println!("connected: {}", bearer.as_str());
        println!("interface: {iface}");
        let a4 = s(Some(&ip4), "address");
        if !a4.is_empty() {
            println!(
                "     ipv4: {a4}/{} gw {}",
                u(Some(&ip4), "prefix"),
                s(Some(&ip4), "gateway")
            );
        }
        let a6 = s(Some(&ip6), "address");
        if !a6.is_empty() {
            println!("     ipv6: {a6}/{}", u(Some(&ip6), "prefix"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn disconnect(c: &ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let path = modem_path(&conn, c).await?;
    let simple = SimpleProxy::builder(&conn).path(path).build().await?;
    simple
        .disconnect(&zbus::ObjectPath::from_static_str_unchecked("/"))
        .await
        .map_err(method_error)?;
    println!("disconnected");
    Ok(ExitCode::SUCCESS)
}

fn sms_path(w: &str) -> String {
    if w.starts_with('/') {
        w.to_string()
    } else {
        format!("{SMS_PREFIX}{w}")
    }
}

async fn sms_props(conn: &Connection, path: &str) -> anyhow::Result<Dict> {
    let p = zbus::fdo::PropertiesProxy::builder(conn)
        .destination(BUS_NAME)
        .path(path.to_string())
        .build()
        .await?;
    let iface = zbus::names::InterfaceName::try_from(IFACE_SMS)?;
    Ok(p.get_all(iface).await?.into_iter().collect())
}

async fn sms(cmd: SmsDaemonCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SmsDaemonCommand::List(c) => {
            let conn = connect(&c).await?;
            let (_, ifs) = pick(&conn, c.modem.as_deref()).await?;
            let Some(msg) = ifs.get(IFACE_MESSAGING) else {
                bail!("the modem has no messaging support (not enabled?)");
            };
            let paths = msg
                .get("Messages")
                .map(|v| to_json(v))
                .unwrap_or(Value::Null);
            let paths: Vec<String> = paths
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let mut out = Vec::new();
            for p in &paths {
                out.push((p.clone(), sms_props(&conn, p).await?));
            }
            if c.json {
                let v: Vec<Value> = out
                    .iter()
                    .map(|(p, d)| json!({"path": p, "properties": dict_json(d)}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&json!({"messages": v}))?);
            } else if out.is_empty() {
                println!("No messages");
            } else {
                for (p, d) in out {
                    println!(
                        "{p} ({}) {}: {}",
                        mm::SmsState::nick_of(u(Some(&d), "State")),
                        s(Some(&d), "Number"),
                        s(Some(&d), "Text")
                    );
                }
            }
        }
        SmsDaemonCommand::Read { c, sms } => {
            let conn = connect(&c).await?;
            let d = sms_props(&conn, &sms_path(&sms)).await?;
            if c.json {
                println!("{}", serde_json::to_string_pretty(&dict_json(&d))?);
            } else {
                println!("   from/to: {}", s(Some(&d), "Number"));
                println!(" timestamp: {}", s(Some(&d), "Timestamp"));
                println!("      text: {}", s(Some(&d), "Text"));
            }
        }
        SmsDaemonCommand::Send { c, number, text } => {
            let conn = connect(&c).await?;
            let path = modem_path(&conn, &c).await?;
            let m = MessagingProxy::builder(&conn).path(path).build().await?;
            let mut d = Dict::new();
            d.insert("number".into(), ov(number.as_str()));
            d.insert("text".into(), ov(text.as_str()));
            let p = m.create(d).await.map_err(method_error)?;
            let sp = SmsProxy::builder(&conn).path(p.clone()).build().await?;
            sp.send().await.map_err(method_error)?;
            println!("sent: {}", p.as_str());
        }
        SmsDaemonCommand::Delete { c, sms } => {
            let conn = connect(&c).await?;
            let path = modem_path(&conn, &c).await?;
            let m = MessagingProxy::builder(&conn).path(path).build().await?;
            let p = zbus::ObjectPath::try_from(sms_path(&sms))?;
            m.delete(&p).await.map_err(method_error)?;
            println!("deleted");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn ussd(c: &ClientArgs, command: &str) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let path = modem_path(&conn, c).await?;
    let u = UssdProxy::builder(&conn).path(path).build().await?;
    let reply = u.initiate(command).await.map_err(method_error)?;
    if c.json {
        println!("{}", json!({"reply": reply}));
    } else {
        println!("{reply}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn signal(c: &ClientArgs) -> anyhow::Result<ExitCode> {
    let conn = connect(c).await?;
    let (_, ifs) = pick(&conn, c.modem.as_deref()).await?;
    let Some(sig) = ifs.get(IFACE_SIGNAL) else {
        bail!("the modem has no signal interface (not enabled?)");
    };
    if c.json {
        println!("{}", serde_json::to_string_pretty(&dict_json(sig))?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut any = false;
    for tech in ["Gsm", "Umts", "Lte", "Nr5g"] {
        let Some(v) = sig.get(tech).map(|v| to_json(v)) else {
            continue;
        };
        let Some(o) = v.as_object().filter(|o| !o.is_empty()) else {
            continue;
        };
        any = true;
        for (k, x) in o {
            println!("{:>5} {k:>10}: {}", tech.to_lowercase(), x);
        }
    }
    if !any {
        println!("no signal measurements");
    }
    Ok(ExitCode::SUCCESS)
}

async fn watch(c: &ClientArgs, count: Option<usize>) -> anyhow::Result<ExitCode> {
    use futures_util::StreamExt;
    let conn = connect(c).await?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path_namespace("/org/freedesktop/ModemManager1")
        .build()?;
    let mut stream = zbus::MessageStream::for_match_rule(rule, &conn, None).await?;
    // Print the starting point after subscribing, so nothing is missed.
    for (p, ifs) in objects(&conn).await? {
        let st = state_of(ifs.get(IFACE_MODEM));
        emit(
            c.json,
            json!({"event": "present", "path": p.as_str(), "state": st.nick()}),
            &format!("{}: {}", p.as_str(), st.nick()),
        );
    }
    let mut n = 0usize;
    while let Some(Ok(msg)) = stream.next().await {
        let h = msg.header();
        let path = h.path().map(|p| p.to_string()).unwrap_or_default();
        let member = h.member().map(|m| m.to_string()).unwrap_or_default();
        let line = match member.as_str() {
            "StateChanged" => {
                let Ok((old, new, reason)) = msg.body().deserialize::<(i32, i32, u32)>() else {
                    continue;
                };
                let (o, nw) = (ModemState::nick_of(old), ModemState::nick_of(new));
                let r = mm::StateChangeReason::nick_of(reason);
                Some((
                    json!({"event": "state", "path": path, "old": o, "new": nw, "reason": r}),
                    format!("{path}: {o} -> {nw} ({r})"),
                ))
            }
            "InterfacesAdded" => {
                let Ok((obj, ifs)) = msg
                    .body()
                    .deserialize::<(OwnedObjectPath, HashMap<String, Dict>)>()
                else {
                    continue;
                };
                let mut names: Vec<&String> = ifs.keys().collect();
                names.sort();
                Some((
                    json!({"event": "added", "path": obj.as_str(), "interfaces": names}),
                    format!(
                        "(+) {} {}",
                        obj.as_str(),
                        names
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                ))
            }
            "InterfacesRemoved" => {
                let Ok((obj, ifs)) = msg.body().deserialize::<(OwnedObjectPath, Vec<String>)>()
                else {
                    continue;
                };
                Some((
                    json!({"event": "removed", "path": obj.as_str(), "interfaces": ifs}),
                    format!("(-) {} {}", obj.as_str(), ifs.join(" ")),
                ))
            }
            "PropertiesChanged" => {
                let Ok((iface, changed, _)) =
                    msg.body().deserialize::<(String, Dict, Vec<String>)>()
                else {
                    continue;
                };
                if iface == IFACE_SMS
                    && let Some(st) = changed
                        .get("DeliveryState")
                        .and_then(|v| u32::try_from(v).ok())
                {
                    let nick = mm::sms_delivery_state_nick(st);
                    let discharged = s(Some(&changed), "DischargeTimestamp");
                    Some((
                        json!({"event": "delivery-report", "path": path, "delivery-state": nick,
                               "value": st, "discharge-timestamp": discharged}),
                        format!("{path}: delivery report: {nick}"),
                    ))
                } else {
                    let d = dict_json(&changed);
                    let short = iface.rsplit('.').next().unwrap_or(&iface).to_string();
                    Some((
                        json!({"event": "properties", "path": path, "interface": iface, "changed": d}),
                        format!("{path} {short}: {d}"),
                    ))
                }
            }
            "OperatorNotification" | "IncomingSms" | "IncomingUssd"
                if h.interface().map(|i| i.as_str()) == Some(IFACE_MBIMD_OPERATOR_MESSAGES) =>
            {
                operator_event(&member, &path, &msg)
            }
            "Added" | "Deleted" => Some((
                json!({"event": member.to_lowercase(), "path": path}),
                format!("{path}: sms {member}"),
            )),
            _ => None,
        };
        if let Some((j, h)) = line {
            emit(c.json, j, &h);
            n += 1;
            if count.is_some_and(|c| n >= c) {
                break;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Bytes for people: `1.5 GB` (powers of 1000, as operators write them).
fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < UNITS.len() {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{:.1} {}", v, UNITS[i]).replace(".0 ", " ")
    }
}

/// The figures of an operator notification as one human line.
fn figures(d: &Dict) -> String {
    let num = |k: &str| d.get(k).and_then(|v| u64::try_from(v).ok());
    let flag = |k: &str| d.get(k).and_then(|v| bool::try_from(v).ok());
    let mut parts = Vec::new();
    match (num("usage-bytes"), num("data-limit-bytes")) {
        (Some(u), Some(l)) => parts.push(format!("used {} of {}", human_bytes(u), human_bytes(l))),
        (Some(u), None) => parts.push(format!("used {}", human_bytes(u))),
        (None, Some(l)) => parts.push(format!("limit {}", human_bytes(l))),
        (None, None) => {}
    }
    if let Some(p) = d
        .get("usage-percentage")
        .and_then(|v| f64::try_from(v).ok())
    {
        parts.push(format!("{p}% used"));
    }
    if let Some(o) = num("usage-overage-bytes") {
        parts.push(format!("{} over", human_bytes(o)));
    }
    let t = s(Some(d), "usage-timestamp");
    if !t.is_empty() {
        parts.push(format!("as of {t}"));
    }
    let e = s(Some(d), "expiry");
    if !e.is_empty() {
        parts.push(format!("expires {e}"));
    }
    for (k, label) in [
        ("roaming", "roaming"),
        ("over-data-limit", "over the limit"),
        ("congested", "congested"),
        ("activation-complete", "activation complete"),
        ("refresh-provisioning", "refresh provisioning"),
    ] {
        if flag(k) == Some(true) {
            parts.push(label.to_string());
        }
    }
    let p = s(Some(d), "plan-type");
    if !p.is_empty() {
        parts.push(format!("plan {p}"));
    }
    parts.join(", ")
}

/// A signal of `org.mbimd.Modem1.OperatorMessages` as (JSON, human line).
fn operator_event(member: &str, path: &str, msg: &zbus::Message) -> Option<(Value, String)> {
    match member {
        "OperatorNotification" => {
            let (d,) = msg.body().deserialize::<(Dict,)>().ok()?;
            let kind = s(Some(&d), "kind");
            let sender = s(Some(&d), "sender");
            let rule = s(Some(&d), "rule-id");
            let mut line = format!("{path}: operator {kind}");
            if !sender.is_empty() {
                line.push_str(&format!(" from {sender}"));
            }
            if !rule.is_empty() {
                line.push_str(&format!(" [{rule}]"));
            }
            let f = figures(&d);
            if !f.is_empty() {
                line.push_str(&format!(": {f}"));
            }
            line.push_str(&format!(" \"{}\"", s(Some(&d), "text")));
            Some((
                json!({"event": "operator-notification", "path": path, "details": dict_json(&d)}),
                line,
            ))
        }
        "IncomingSms" => {
            let (sms, d) = msg.body().deserialize::<(OwnedObjectPath, Dict)>().ok()?;
            Some((
                json!({"event": "incoming-sms", "path": path, "sms": sms.as_str(),
                       "details": dict_json(&d)}),
                format!(
                    "{path}: SMS from {}: {} ({})",
                    s(Some(&d), "number"),
                    s(Some(&d), "text"),
                    sms.as_str()
                ),
            ))
        }
        "IncomingUssd" => {
            let (d,) = msg.body().deserialize::<(Dict,)>().ok()?;
            Some((
                json!({"event": "incoming-ussd", "path": path, "details": dict_json(&d)}),
                format!(
                    "{path}: USSD {}: {}",
                    s(Some(&d), "type"),
                    s(Some(&d), "text")
                ),
            ))
        }
        _ => None,
    }
}

fn emit(json_mode: bool, j: Value, human: &str) {
    if json_mode {
        println!("{j}");
    } else {
        println!("{human}");
    }
}
