//! Modem.Location and Modem.Time asserted with a zbus client on a private
//! bus: the serving cell in ModemManager's `MCC,MNC,LAC,CI,TAC` string,
//! Location's PropertiesChanged when signalling is switched on and when the
//! modem changes cell, NetworkTimeChanged for each NITZ the network sends
//! (after the NetworkTimezone change it brings), and the interfaces existing
//! only on modems that list the MBIM CIDs behind them.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::MANAGER_PATH;
use dbus_interfaces::names::{IFACE_LOCATION, IFACE_TIME};
use dbus_interfaces::proxies::{LocationProxy, TimeProxy};
use futures_util::StreamExt;
use mbimd::sim::Scenario;
use std::collections::HashMap;
use std::time::Duration;
use zbus::{MatchRule, MessageStream, OwnedVariant};

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";

fn base_scenario() -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/location-time.toml");
    std::fs::read_to_string(p).expect("scenarios/location-time.toml")
}

fn temp_scenario(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp");
    std::fs::write(f.path(), text).expect("write");
    f
}

/// ModemManager's 3GPP location string for a cell of `sc`'s home network.
fn lac_ci(sc: &Scenario, lac: u32, ci: u32, tac: u32) -> String {
    let (mcc, mnc) = sc.home.id.split_at(3);
    let mcc: u32 = mcc.parse().expect("mcc");
    let mnc: u32 = mnc.parse().expect("mnc");
    format!("{mcc},{mnc},{lac:X},{ci:X},{tac:X}")
}

fn location_string(d: &HashMap<u32, OwnedVariant>) -> Option<String> {
    d.get(&1)
        .and_then(|v| <&str>::try_from(&**v).ok())
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_and_network_time_follow_the_modem() {
    // The network repeats its time (in a new zone) and the modem changes
    // cell every 2 s, so the client sees both whenever it starts listening.
    let mut text = base_scenario();
    let cells: Vec<u32> = (1..=40).map(|i| 0x0042_0000 + i).collect();
    for (i, ci) in cells.iter().enumerate() {
        let at = 2 * (i + 1);
        text += &format!(
            "[[event]]\nat = {at}\nkind = \"cell\"\ncell_id = {ci}\n\
             [[event]]\nat = {at}\nkind = \"nitz\"\ntime = \"2026-11-25T10:30:{:02}\"\ntz_offset = 120\ndst_offset = 60\n",
            i % 60
        );
    }
    let f = temp_scenario(&text);
    let sc = Scenario::load(f.path()).expect("scenario");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let conn = bus.client().await;
    let rule = MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path(MODEM0)
        .build()
        .expect("rule");
    let mut stream = MessageStream::for_match_rule(rule, &conn, std::num::NonZeroUsize::new(512))
        .await
        .expect("match");

    let location = LocationProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    assert_eq!(location.capabilities().await.expect("caps"), 1);
    assert_eq!(location.enabled().await.expect("enabled"), 1);
    assert!(location.location().await.expect("location").is_empty());
    let reg = &sc.registration;
    let first = lac_ci(&sc, reg.lac, reg.cell_id, reg.tac);
    let got = location.get_location().await.expect("GetLocation");
    // The cell may already have moved on the timeline.
    let s = location_string(&got).expect("3GPP location");
    assert!(
        s == first || cells.iter().any(|c| s == lac_ci(&sc, reg.lac, *c, reg.tac)),
        "{s}"
    );

    location.setup(1, true).await.expect("Setup");
    assert!(location.signals_location().await.expect("signals"));

    let mut signalled = None;
    let mut moved = None;
    let mut zone_before_time = false;
    let mut zone_changed = false;
    let mut time = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while signalled.is_none() || moved.is_none() || time.is_none() {
        let msg = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("signals within 60 s")
            .expect("stream")
            .expect("message");
        let h = msg.header();
        let member = h.member().map(|m| m.to_string()).unwrap_or_default();
        let iface = h.interface().map(|i| i.to_string()).unwrap_or_default();
        if member == "PropertiesChanged" {
            let (name, changed, _): (String, HashMap<String, OwnedVariant>, Vec<String>) =
                msg.body().deserialize().expect("body");
            if name == IFACE_LOCATION
                && let Some(v) = changed.get("Location")
            {
                let d: HashMap<u32, OwnedVariant> =
                    HashMap::try_from((**v).try_clone().expect("clone")).expect("a{uv}");
                let s = location_string(&d).expect("signalled location has 3GPP");
                if signalled.is_none() {
                    signalled = Some(s);
                } else if moved.is_none() {
                    moved = Some(s);
                }
            }
            if name == IFACE_TIME
                && let Some(v) = changed.get("NetworkTimezone")
            {
                let d: HashMap<String, OwnedVariant> =
                    HashMap::try_from((**v).try_clone().expect("clone")).expect("a{sv}");
                assert_eq!(i32::try_from(&*d["offset"]).expect("i"), 120);
                assert_eq!(i32::try_from(&*d["dst-offset"]).expect("i"), 60);
                zone_changed = true;
            }
        } else if iface == IFACE_TIME && member == "NetworkTimeChanged" {
            let (t,): (String,) = msg.body().deserialize().expect("body");
            zone_before_time = zone_changed;
            time = Some(t);
        }
    }
    // Switching signalling on publishes the current cell; a move publishes
    // the next one.
    let is_cell =
        |s: &str| s == first || cells.iter().any(|c| s == lac_ci(&sc, reg.lac, *c, reg.tac));
    let signalled = signalled.expect("signalled");
    let moved = moved.expect("moved");
    assert!(is_cell(&signalled), "{signalled}");
    assert!(is_cell(&moved) && moved != signalled, "{moved}");
    // 10:30:SS UTC two hours east (DST included).
    let t = time.expect("time");
    assert!(
        t.starts_with("2026-11-25T12:30:") && t.ends_with("+02:00") && t.len() == 25,
        "{t}"
    );
    assert!(
        zone_before_time,
        "NetworkTimezone changes before NetworkTimeChanged"
    );

    let clock = TimeProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let now = clock.get_network_time().await.expect("GetNetworkTime");
    assert!(now.starts_with("2026-11-25T12:30:"), "{now}");
}

/// The MM1 interfaces on Modem/0, from GetManagedObjects.
async fn modem_interfaces(bus: &PrivateBus) -> Vec<String> {
    let conn = bus.client().await;
    let om = zbus::fdo::ObjectManagerProxy::builder(&conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MANAGER_PATH)
        .build()
        .await
        .expect("om");
    let objects = om.get_managed_objects().await.expect("objects");
    let (_, ifaces) = objects
        .into_iter()
        .find(|(p, _)| p.as_str() == MODEM0)
        .expect("Modem/0");
    ifaces.keys().map(|k| k.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_and_time_exist_only_where_the_modem_offers_them() {
    // Both CIDs listed.
    let f = temp_scenario(&base_scenario());
    let bus = PrivateBus::start();
    let d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let ifaces = modem_interfaces(&bus).await;
    assert!(ifaces.iter().any(|i| i == IFACE_LOCATION), "{ifaces:?}");
    assert!(ifaces.iter().any(|i| i == IFACE_TIME), "{ifaces:?}");
    drop(d);
    drop(bus);

    // MBIM 1.0 without Microsoft Basic Connect Extensions: no serving cell,
    // but NITZ.
    let bus = PrivateBus::start();
    let d = Daemon::start(&bus, &["--sim"]).await;
    let ifaces = modem_interfaces(&bus).await;
    assert!(!ifaces.iter().any(|i| i == IFACE_LOCATION), "{ifaces:?}");
    assert!(ifaces.iter().any(|i| i == IFACE_TIME), "{ifaces:?}");
    drop(d);
    drop(bus);

    // Neither CID listed.
    let f = temp_scenario(&format!(
        "{}\n",
        base_scenario().replace(
            "mbimex_version = \"2.0\"",
            "mbimex_version = \"2.0\"\nlocation_info = false\nnitz = false"
        )
    ));
    let bus = PrivateBus::start();
    let d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let ifaces = modem_interfaces(&bus).await;
    assert!(ifaces.iter().any(|i| i.ends_with(".Modem")), "{ifaces:?}");
    assert!(!ifaces.iter().any(|i| i == IFACE_LOCATION), "{ifaces:?}");
    assert!(!ifaces.iter().any(|i| i == IFACE_TIME), "{ifaces:?}");
    drop(d);
    drop(bus);

    // A locked modem has neither until it is unlocked (as ModemManager).
    let f = temp_scenario(&format!("{}\n[sim]\nlock = \"pin\"\n", base_scenario()));
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let ifaces = modem_interfaces(&bus).await;
    assert!(!ifaces.iter().any(|i| i == IFACE_LOCATION), "{ifaces:?}");
    assert!(!ifaces.iter().any(|i| i == IFACE_TIME), "{ifaces:?}");
    // Unlocked, the modem registers: both appear, and the zone the network
    // sends on registration is published.
    let conn = bus.client().await;
    let sim = dbus_interfaces::proxies::SimProxy::builder(&conn)
        .path("/org/freedesktop/ModemManager1/SIM/0")
        .build()
        .await
        .expect("proxy");
    sim.send_pin("1234").await.expect("SendPin");
    let clock = TimeProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    let mut zone = None;
    for _ in 0..600 {
        if let Ok(z) = clock.network_timezone().await
            && let Some(o) = z.get("offset")
        {
            zone = i32::try_from(&**o).ok();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sc = Scenario::load(f.path()).expect("scenario");
    assert_eq!(zone, Some(sc.nitz.tz_offset));
    let ifaces = modem_interfaces(&bus).await;
    assert!(ifaces.iter().any(|i| i == IFACE_LOCATION), "{ifaces:?}");
}
