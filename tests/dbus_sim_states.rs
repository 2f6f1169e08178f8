//! ModemManager's SIM behaviours (modemmanager-api.md §9): a PIN-locked SIM
//! is LOCKED with `UnlockRequired` = sim-pin and only Modem, Simple and 3GPP
//! exported, `Simple.Connect{"pin"}` unlocks and the remaining interfaces
//! arrive with InterfacesAdded; a missing SIM is FAILED / sim-missing with
//! `Sim` = `/` and only the Modem interface.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::names::*;
use dbus_interfaces::proxies::*;
use futures_util::StreamExt;
use std::time::Duration;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";

fn scenario(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp");
    std::fs::write(f.path(), text).expect("write");
    f
}

async fn interfaces(conn: &zbus::Connection) -> Vec<String> {
    let om = zbus::fdo::ObjectManagerProxy::builder(conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(dbus_interfaces::MANAGER_PATH)
        .build()
        .await
        .expect("om");
    let objs = om.get_managed_objects().await.expect("objects");
    let mut v: Vec<String> = objs
        .iter()
        .find(|(p, _)| p.as_str() == MODEM0)
        .map(|(_, i)| i.keys().map(|k| k.to_string()).collect())
        .unwrap_or_default();
    // ModemManager's table only: org.mbimd.* extensions come and go on their own.
    v.retain(|n: &String| n.starts_with("org.freedesktop.ModemManager1"));
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_locked_sim_is_locked_until_simple_connect_brings_the_pin() {
    let f = scenario("[sim]\nlock = \"pin\"\npin = \"4321\"\n");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let conn = bus.client().await;
    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    assert_eq!(modem.state().await.expect("state"), 2, "LOCKED");
    assert_eq!(modem.unlock_required().await.expect("lock"), 2, "SIM_PIN");
    assert_ne!(
        modem.sim().await.expect("sim").as_str(),
        "/",
        "SIM object present"
    );
    let mut want = vec![
        IFACE_MODEM.to_string(),
        IFACE_3GPP.to_string(),
        IFACE_SIMPLE.to_string(),
    ];
    want.sort();
    assert_eq!(interfaces(&conn).await, want);

    let om = zbus::fdo::ObjectManagerProxy::builder(&conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(dbus_interfaces::MANAGER_PATH)
        .build()
        .await
        .expect("om");
    let mut added = om.receive_interfaces_added().await.expect("signal");

    let simple = SimpleProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("proxy");
    let no_pin = simple
        .connect(
            [(
                "apn".to_string(),
                zbus::Variant::from("internet").try_into_owned().expect("v"),
            )]
            .into(),
        )
        .await
        .unwrap_err();
    match no_pin {
        zbus::Error::MethodError(n, _, _) => assert_eq!(
            n.as_str(),
            "org.freedesktop.ModemManager1.Error.MobileEquipment.SimPin"
        ),
        e => panic!("{e}"),
    }
    let d: dbus_interfaces::Dict = [
        (
            "apn".to_string(),
            zbus::Variant::from("internet").try_into_owned().expect("v"),
        ),
        (
            "pin".to_string(),
            zbus::Variant::from("4321").try_into_owned().expect("v"),
        ),
    ]
    .into();
    simple.connect(d).await.expect("connect with PIN");
    // The proxy's property cache is updated by PropertiesChanged, which zbus
    // handles on its own task: wait (bounded) for it to catch up.
    let mut state = modem.state().await.expect("state");
    for _ in 0..200 {
        if state == 11 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        state = modem.state().await.expect("state");
    }
    assert_eq!(state, 11);
    let sig = tokio::time::timeout(Duration::from_secs(10), added.next())
        .await
        .expect("InterfacesAdded")
        .expect("signal");
    let args = sig.args().expect("args");
    assert_eq!(args.object_path().as_str(), MODEM0);
    let names: Vec<String> = args
        .interfaces_and_properties()
        .keys()
        .map(|k| k.to_string())
        .collect();
    assert!(names.iter().any(|n| n == IFACE_MESSAGING), "{names:?}");
    // The six of an unlocked modem, and Time (the scenario's modem has NITZ);
    // org.mbimd.* extensions come on top.
    let mm: Vec<String> = interfaces(&conn)
        .await
        .into_iter()
        .filter(|i| i.starts_with("org.freedesktop.ModemManager1."))
        .collect();
    assert_eq!(mm.len(), 7, "{mm:?}");
    assert!(
        mm.iter().any(|n| n == dbus_interfaces::names::IFACE_TIME),
        "{mm:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_sim_is_failed_with_only_the_modem_interface() {
    let f = scenario("[sim]\npresent = false\n");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let conn = bus.client().await;
    let modem = ModemProxy::builder(&conn)
        .path(MODEM0)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    assert_eq!(modem.state().await.expect("state"), -1, "FAILED");
    assert_eq!(
        modem.state_failed_reason().await.expect("reason"),
        2,
        "SIM_MISSING"
    );
    assert_eq!(modem.sim().await.expect("sim").as_str(), "/");
    assert_eq!(interfaces(&conn).await, vec![IFACE_MODEM.to_string()]);
    match modem.enable(true).await.unwrap_err() {
        zbus::Error::MethodError(n, _, _) => {
            assert_eq!(
                n.as_str(),
                "org.freedesktop.ModemManager1.Error.Core.WrongState"
            )
        }
        e => panic!("{e}"),
    }
}
