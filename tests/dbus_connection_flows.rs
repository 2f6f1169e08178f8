//! The connection flows end to end: `mbimd --sim` on a private bus with a
//! real SQLite APN database imported at start from a serviceproviders.xml
//! written by the test, then `Simple.Connect` without an `apn` key:
//! hot SIM → connected with internet from the APN database; warm SIM →
//! connected, `Limited` with the purchase URL and `LimitedConnectivity`;
//! cold SIM → `OperatorAppNeeded` and ServiceOptionNotSubscribed to the
//! caller; the try order (the first APN is refused, the second connects);
//! auto-connect off and on; the default import into the state directory
//! (idempotent) and from the system's mobile-broadband-provider-info file.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::names::IFACE_MBIMD_CONNECTION;
use dbus_interfaces::proxies::*;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zbus::OwnedVariant;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";
const WAIT: Duration = Duration::from_secs(60);

type Dict = HashMap<String, OwnedVariant>;

/// The built-in scenario's network (00101, 2-digit MNC) with `apns` in
/// document order.
fn mbpi(apns: &[&str]) -> String {
    let apns: String = apns
        .iter()
        .map(|a| format!("    <apn value=\"{a}\"><usage type=\"internet\"/></apn>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<serviceproviders format=\"2.0\">\n <country code=\"xx\">\n  <provider>\n   <name>Test Network</name>\n   <gsm>\n    <network-id mcc=\"001\" mnc=\"01\"/>\n{apns}   </gsm>\n  </provider>\n </country>\n</serviceproviders>\n"
    )
}

struct Setup {
    dir: tempfile::TempDir,
    xml: PathBuf,
    scenario: PathBuf,
}

fn setup(scenario: &str, apns: &[&str]) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let xml = dir.path().join("serviceproviders.xml");
    std::fs::write(&xml, mbpi(apns)).expect("write xml");
    let sc = dir.path().join("scenario.toml");
    std::fs::write(&sc, scenario).expect("write scenario");
    Setup {
        dir,
        xml,
        scenario: sc,
    }
}

impl Setup {
    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    async fn start(&self, bus: &PrivateBus, extra: &[&str]) -> Daemon {
        let mut args: Vec<String> = vec![
            "--sim".into(),
            self.scenario.display().to_string(),
            "--state-dir".into(),
            self.state().display().to_string(),
            "--apn-import".into(),
            self.xml.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        Daemon::start(bus, &refs).await
    }
}

async fn connection(conn: &zbus::Connection) -> zbus::Proxy<'static> {
    zbus::proxy::Builder::new(conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MODEM0)
        .interface(IFACE_MBIMD_CONNECTION)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("connection proxy")
}

fn s(d: &Dict, k: &str) -> String {
    d.get(k)
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

async fn prop<T>(p: &zbus::Proxy<'_>, name: &str) -> T
where
    T: serde::de::DeserializeOwned + zbus::zvariant::Type,
{
    p.get_property(name).await.expect(name)
}

/// Wait (bounded) until `f` holds for the property `name`.
async fn wait_prop<T, F>(p: &zbus::Proxy<'_>, name: &str, f: F) -> T
where
    T: serde::de::DeserializeOwned + zbus::zvariant::Type + std::fmt::Debug,
    F: Fn(&T) -> bool,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let v: T = prop(p, name).await;
        if f(&v) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} never satisfied the condition; last {v:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn simple(conn: &zbus::Connection) -> SimpleProxy<'static> {
    SimpleProxy::builder(conn)
        .path(MODEM0)
        .build()
        .await
        .expect("simple")
}

async fn bearer_apn(conn: &zbus::Connection, path: &zbus::OwnedObjectPath) -> String {
    let b = BearerProxy::builder(conn)
        .path(path.clone())
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("bearer");
    assert!(b.connected().await.expect("connected"));
    s(&b.properties().await.expect("properties"), "apn")
}

fn outcomes(log: &[Dict]) -> Vec<(String, String)> {
    log.iter().map(|a| (s(a, "apn"), s(a, "outcome"))).collect()
}

fn error_name(e: zbus::Error) -> String {
    match e {
        zbus::Error::MethodError(n, _, _) => n.to_string(),
        e => panic!("not a method error: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_sim_connects_without_an_apn_using_the_apn_database() {
    let t = setup("", &["internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    let mut connected = c.receive_signal("Connected").await.expect("subscribe");

    let path = simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect("Simple.Connect without apn");
    assert_eq!(bearer_apn(&conn, &path).await, "internet");

    let resolved: Dict = prop(&c, "ResolvedSettings").await;
    assert_eq!(s(&resolved, "apn"), "internet");
    assert_eq!(s(&resolved, "source"), "apn-database");
    assert!(s(&resolved, "rule").contains("operator"), "{resolved:?}");
    assert!(!prop::<bool>(&c, "Limited").await);
    let log: Vec<Dict> = prop(&c, "AttemptLog").await;
    assert_eq!(outcomes(&log), [("internet".into(), "connected".into())]);
    let hwids: Vec<String> = prop(&c, "Hwids").await;
    assert!(
        hwids.iter().any(|h| h.starts_with("MBAE-OSS:1:ICCID100:")),
        "{hwids:?}"
    );
    assert!(hwids.iter().any(|h| h.starts_with("MBAE-OSS:1:IMSI100:")));

    let sig = tokio::time::timeout(WAIT, connected.next())
        .await
        .expect("Connected signal")
        .expect("stream");
    let (settings,): (Dict,) = sig.body().deserialize().expect("body");
    assert_eq!(s(&settings, "apn"), "internet");
    assert_eq!(s(&settings, "source"), "apn-database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_sim_is_limited_with_the_purchase_url_published() {
    let t = setup("[sim]\nplan = \"warm\"\n", &["internet"]);
    let bus = PrivateBus::start();
    let _d = t
        .start(&bus, &["--purchase-url", "https://operator.example/buy"])
        .await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    let mut limited = c
        .receive_signal("LimitedConnectivity")
        .await
        .expect("subscribe");
    let props = zbus::fdo::PropertiesProxy::builder(&conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MODEM0)
        .build()
        .await
        .expect("properties proxy");
    let mut changed = props.receive_properties_changed().await.expect("subscribe");

    let path = simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect("a warm SIM connects");
    assert_eq!(bearer_apn(&conn, &path).await, "internet");
    assert!(prop::<bool>(&c, "Limited").await);
    let url: String = prop(&c, "PurchaseUrl").await;
    let imei = mbimd::sim::Scenario::builtin().device.imei;
    assert_eq!(
        url,
        format!(
            "https://operator.example/buy?SubId=001010123456789&DevId={imei}&IccId=8988211000000000001"
        )
    );
    let log: Vec<Dict> = prop(&c, "AttemptLog").await;
    assert_eq!(outcomes(&log), [("internet".into(), "limited".into())]);

    let sig = tokio::time::timeout(WAIT, limited.next())
        .await
        .expect("LimitedConnectivity signal")
        .expect("stream");
    let (signalled,): (String,) = sig.body().deserialize().expect("body");
    assert_eq!(signalled, url);
    // PropertiesChanged carried the new values.
    let announced = tokio::time::timeout(WAIT, async {
        while let Some(sig) = changed.next().await {
            let args = sig.args().expect("args");
            if args.interface_name().as_str() != IFACE_MBIMD_CONNECTION {
                continue;
            }
            let d = args.changed_properties();
            if d.get("Limited").and_then(|v| bool::try_from(v).ok()) == Some(true) {
                return true;
            }
        }
        false
    })
    .await
    .expect("PropertiesChanged with Limited");
    assert!(announced);

    // Disconnected: no longer limited.
    simple(&conn)
        .await
        .disconnect(&zbus::ObjectPath::from_static_str_unchecked("/"))
        .await
        .expect("disconnect");
    wait_prop(&c, "Limited", |l: &bool| !l).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_sim_fails_with_not_subscribed_and_asks_for_the_operator_app() {
    let t = setup("[sim]\nplan = \"cold\"\n", &["internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    let mut app = c
        .receive_signal("OperatorAppNeeded")
        .await
        .expect("subscribe");

    let e = simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect_err("a cold SIM cannot connect");
    assert_eq!(
        error_name(e),
        "org.freedesktop.ModemManager1.Error.MobileEquipment.ServiceOptionNotSubscribed"
    );
    let sig = tokio::time::timeout(WAIT, app.next())
        .await
        .expect("OperatorAppNeeded signal")
        .expect("stream");
    let (d,): (Dict,) = sig.body().deserialize().expect("body");
    assert_eq!(
        s(&d, "error"),
        "org.freedesktop.ModemManager1.Error.MobileEquipment.ServiceOptionNotSubscribed"
    );
    assert_eq!(s(&d, "iccid"), "8988211000000000001");
    let log: Vec<Dict> = prop(&c, "AttemptLog").await;
    assert_eq!(
        outcomes(&log),
        [("internet".into(), "not-activated".into())]
    );
    assert!(!prop::<bool>(&c, "Limited").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_try_order_moves_past_a_refused_apn_to_the_next_candidate() {
    // The simulator knows only `internet`: `wrong.example` is refused with
    // INVALID_ACCESS_STRING (MissingOrUnknownApn).
    let t = setup("", &["wrong.example", "internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;

    let path = simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect("the second candidate connects");
    assert_eq!(bearer_apn(&conn, &path).await, "internet");
    let cands: Vec<Dict> = prop(&c, "Candidates").await;
    let apns: Vec<String> = cands.iter().map(|d| s(d, "apn")).collect();
    assert_eq!(apns, ["wrong.example", "internet"]);
    let log: Vec<Dict> = prop(&c, "AttemptLog").await;
    assert_eq!(
        outcomes(&log),
        [
            ("wrong.example".into(), "failed".into()),
            ("internet".into(), "connected".into())
        ]
    );
    assert_eq!(
        s(&log[0], "error"),
        "org.freedesktop.ModemManager1.Error.MobileEquipment.MissingOrUnknownApn"
    );
    let resolved: Dict = prop(&c, "ResolvedSettings").await;
    assert_eq!(s(&resolved, "apn"), "internet");

    // An explicit APN keeps ModemManager's behaviour: the bearer uses it as given.
    simple(&conn)
        .await
        .disconnect(&zbus::ObjectPath::from_static_str_unchecked("/"))
        .await
        .expect("disconnect");
    let e = simple(&conn)
        .await
        .connect(
            [(
                "apn".to_string(),
                zbus::Variant::from("wrong.example")
                    .try_into_owned()
                    .expect("v"),
            )]
            .into(),
        )
        .await
        .expect_err("the explicit APN is not replaced");
    assert_eq!(
        error_name(e),
        "org.freedesktop.ModemManager1.Error.MobileEquipment.MissingOrUnknownApn"
    );
    let log: Vec<Dict> = prop(&c, "AttemptLog").await;
    let last = log.last().expect("an attempt");
    assert_eq!(
        (s(last, "apn"), s(last, "source"), s(last, "outcome")),
        ("wrong.example".into(), "user".into(), "failed".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_created_without_an_apn_connects_through_the_resolver() {
    let t = setup("", &["wrong.example", "internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("modem");
    let path = modem
        .create_bearer(Dict::new())
        .await
        .expect("CreateBearer without apn");
    let b = BearerProxy::builder(&conn)
        .path(path.clone())
        .build()
        .await
        .expect("bearer");
    b.connect().await.expect("Bearer.Connect");
    assert_eq!(bearer_apn(&conn, &path).await, "internet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_sim_connected_with_an_explicit_apn_is_reported_limited_too() {
    let t = setup("[sim]\nplan = \"warm\"\n", &["internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    simple(&conn)
        .await
        .connect(
            [(
                "apn".to_string(),
                zbus::Variant::from("internet").try_into_owned().expect("v"),
            )]
            .into(),
        )
        .await
        .expect("ModemManager's answer: connected");
    assert!(prop::<bool>(&c, "Limited").await);
    // No purchase page configured or carried by the settings.
    assert_eq!(prop::<String>(&c, "PurchaseUrl").await, "");
    let resolved: Dict = prop(&c, "ResolvedSettings").await;
    assert_eq!(s(&resolved, "source"), "user");
    assert_eq!(s(&resolved, "apn"), "internet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_connect_is_off_by_default_and_connects_once_switched_on() {
    let t = setup("", &["internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    // The SIM was read and resolved without connecting.
    wait_prop(&c, "Candidates", |v: &Vec<Dict>| !v.is_empty()).await;
    assert!(!prop::<bool>(&c, "AutoConnect").await);
    let log: Vec<Dict> = prop(&c, "AttemptLog").await;
    assert!(log.is_empty(), "{log:?}");

    c.set_property("AutoConnect", true)
        .await
        .expect("set AutoConnect");
    let log = wait_prop(&c, "AttemptLog", |v: &Vec<Dict>| !v.is_empty()).await;
    assert_eq!(outcomes(&log), [("internet".into(), "connected".into())]);
    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("modem");
    let deadline = tokio::time::Instant::now() + WAIT;
    while modem.state().await.expect("state") != 11 {
        assert!(tokio::time::Instant::now() < deadline, "never connected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_connect_flag_connects_once_the_sim_is_ready_and_registered() {
    let t = setup("", &["internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &["--auto-connect"]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    assert!(prop::<bool>(&c, "AutoConnect").await);
    let log = wait_prop(&c, "AttemptLog", |v: &Vec<Dict>| {
        v.iter().any(|a| s(a, "outcome") == "connected")
    })
    .await;
    assert_eq!(s(&log[0], "source"), "apn-database");
    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("modem");
    let bearers = modem.bearers().await.expect("bearers");
    assert_eq!(bearers.len(), 1);
    assert_eq!(bearer_apn(&conn, &bearers[0]).await, "internet");
}

async fn sources(db: &Path) -> Vec<apn_db::db::SourceInfo> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if db.exists()
            && let Ok(d) = apn_db::ApnDb::open_read_only(db).await
        {
            let s = d.sources().await.unwrap_or_default();
            d.close().await;
            if !s.is_empty() {
                return s;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing imported into {}",
            db.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_import_fills_the_state_dir_once() {
    let t = setup("", &["internet"]);
    let db = t.state().join("apn.db");
    let first = {
        let bus = PrivateBus::start();
        let _d = t.start(&bus, &[]).await;
        let s = sources(&db).await;
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].rows, 1);
        s
    };
    // A second start with the same file: the import settles (the modem's
    // candidates are published after it) and changed nothing.
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;
    let conn = bus.client().await;
    let c = connection(&conn).await;
    wait_prop(&c, "Candidates", |v: &Vec<Dict>| !v.is_empty()).await;
    let again = sources(&db).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].imported_at, first[0].imported_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_serviceproviders_file_is_imported_by_default() {
    let system = Path::new(mbimd::connection::data::DEFAULT_MBPI);
    if !system.exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "{} missing; CI must install mobile-broadband-provider-info",
                system.display()
            );
        }
        eprintln!("NOTICE: {} not installed; skipping", system.display());
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let bus = PrivateBus::start();
    let state = dir.path().join("state");
    let _d = Daemon::start(
        &bus,
        &["--sim", "--state-dir", state.to_str().expect("utf8")],
    )
    .await;
    let s = sources(&state.join("apn.db")).await;
    assert_eq!(s.len(), 1);
    let canonical = std::fs::canonicalize(system).expect("canonical");
    assert_eq!(Path::new(&s[0].path), canonical);
    // apn-data.md: the Debian file has well over a thousand APN rows.
    assert!(s[0].rows > 1000, "{} rows", s[0].rows);
}

fn mbcli(bus: &PrivateBus, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(args)
        .arg("--address")
        .arg(&bus.address)
        .output()
        .expect("run mbcli");
    assert!(
        out.status.success(),
        "mbcli {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbcli_connects_without_an_apn_and_shows_the_connection() {
    let t = setup("", &["wrong.example", "internet"]);
    let bus = PrivateBus::start();
    let _d = t.start(&bus, &[]).await;

    let j: serde_json::Value =
        serde_json::from_str(&mbcli(&bus, &["connect", "--json"])).expect("connect json");
    assert!(
        j["bearer"]
            .as_str()
            .is_some_and(|b| b.starts_with("/org/freedesktop/ModemManager1/Bearer/")),
        "{j}"
    );

    let j: serde_json::Value =
        serde_json::from_str(&mbcli(&bus, &["connection", "0", "--json"])).expect("json");
    assert_eq!(j["resolved_settings"]["apn"], "internet");
    assert_eq!(j["resolved_settings"]["source"], "apn-database");
    assert_eq!(j["candidates"][0]["apn"], "wrong.example");
    assert_eq!(j["candidates"][1]["apn"], "internet");
    assert_eq!(j["limited"], false);
    assert_eq!(j["auto_connect"], false);
    assert_eq!(j["attempt_log"][0]["outcome"], "failed");
    assert_eq!(j["attempt_log"][1]["outcome"], "connected");
    assert!(
        j["hwids"].as_array().is_some_and(|h| h.len() >= 2
            && h.iter()
                .all(|x| x.as_str().is_some_and(|s| s.starts_with("MBAE-OSS:1:")))),
        "{j}"
    );

    let human = mbcli(&bus, &["connection"]);
    assert!(human.contains("internet (source apn-database"), "{human}");
    assert!(
        human.contains("MobileEquipment.MissingOrUnknownApn"),
        "{human}"
    );
    assert!(human.contains("auto-connect: off"), "{human}");
}
