//! MVNO discrimination by the SIM's own files, end to end: the simulator
//! serves EF_SPN and EF_GID1 over MS UICC low-level access READ_BINARY
//! (`[device] uicc_files`), mbimd reads them into the SIM identity, and
//! `Simple.Connect` without an `apn` key uses the APN database imported from
//! an Android apns-conf written by the test. A GID1 or SPN that matches an
//! MVNO row picks the MVNO's APN (and `ResolvedSettings.rule` says which
//! rule); values that match nothing leave the host operator's APN.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::names::IFACE_MBIMD_CONNECTION;
use dbus_interfaces::proxies::*;
use std::collections::HashMap;
use zbus::OwnedVariant;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";

type Dict = HashMap<String, OwnedVariant>;

/// The simulator's home network (00101) with a host operator entry and two
/// MVNO entries, one keyed on GID1 and one on SPN.
const APNS_CONF: &str = r#"<?xml version="1.0"?>
<apns version="8">
  <apn carrier="Test Network" mcc="001" mnc="01" apn="internet" type="default,supl"/>
  <apn carrier="Gid MVNO" mcc="001" mnc="01" apn="gid.mvno" type="default" mvno_type="gid" mvno_match_data="a1b2"/>
  <apn carrier="Spn MVNO" mcc="001" mnc="01" apn="spn.mvno" type="default" mvno_type="spn" mvno_match_data="Tiny Mobile"/>
</apns>
"#;

/// A scenario offering READ_BINARY with the given `[sim]` file values; the
/// network accepts all three APNs.
fn scenario(sim: &str) -> String {
    format!(
        "[device]\nuicc_files = true\n\n[sim]\n{sim}\n\n[[apn]]\nname = \"internet\"\n\n[[apn]]\nname = \"gid.mvno\"\n\n[[apn]]\nname = \"spn.mvno\"\n"
    )
}

fn s(d: &Dict, k: &str) -> String {
    d.get(k)
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

/// Start mbimd on `sim`, connect without an APN and return the bearer's APN
/// and the resolved settings.
async fn connect_without_apn(sim: &str) -> (String, Dict) {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("apns-conf.xml");
    std::fs::write(&conf, APNS_CONF).expect("write apns-conf");
    let sc = dir.path().join("scenario.toml");
    std::fs::write(&sc, scenario(sim)).expect("write scenario");
    let state = dir.path().join("state");
    let args = [
        "--sim".to_string(),
        sc.display().to_string(),
        "--state-dir".into(),
        state.display().to_string(),
        "--apn-import".into(),
        conf.display().to_string(),
    ];
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &refs).await;
    let conn = bus.client().await;

    let path = SimpleProxy::builder(&conn)
        .path(MODEM0)
        .build()
        .await
        .expect("simple")
        .connect(Dict::new())
        .await
        .expect("Simple.Connect without apn");
    let b = BearerProxy::builder(&conn)
        .path(path)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("bearer");
    assert!(b.connected().await.expect("connected"));
    let apn = s(&b.properties().await.expect("properties"), "apn");

    let c = zbus::proxy::Builder::<zbus::Proxy<'_>>::new(&conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MODEM0)
        .interface(IFACE_MBIMD_CONNECTION)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("connection proxy");
    let resolved: Dict = c.get_property("ResolvedSettings").await.expect("resolved");
    (apn, resolved)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matching_gid1_on_the_sim_selects_the_mvno_apn() {
    // Padded with FF like real cards; the match is a hex prefix.
    let (apn, resolved) = connect_without_apn("gid1 = \"A1B2FFFF\"").await;
    assert_eq!(apn, "gid.mvno");
    assert_eq!(s(&resolved, "apn"), "gid.mvno");
    assert!(s(&resolved, "rule").contains("mvno gid1"), "{resolved:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matching_spn_on_the_sim_selects_the_mvno_apn() {
    // The home provider's name stays "Test Network": only EF_SPN can match.
    let (apn, resolved) = connect_without_apn("spn = \"Tiny Mobile\"\ngid1 = \"0C\"").await;
    assert_eq!(apn, "spn.mvno");
    assert!(s(&resolved, "rule").contains("mvno spn"), "{resolved:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_matching_sim_files_keep_the_host_operators_apn() {
    let (apn, resolved) = connect_without_apn("spn = \"Someone Else\"\ngid1 = \"0C\"").await;
    assert_eq!(apn, "internet");
    assert!(s(&resolved, "rule").contains("operator"), "{resolved:?}");
    assert!(!s(&resolved, "rule").contains("mvno"), "{resolved:?}");
}
