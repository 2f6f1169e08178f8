//! `org.mbimd.Modem1.Provisioning` end to end on the simulator (private
//! bus, the `mbimd` binary with a state directory): the published example
//! applies and shows up in Profiles/Plans/Hotspots with a
//! ProvisioningChanged signal; an invalid document is refused with
//! positions; a failing document changes nothing; the resolver then picks
//! the provisioned profile from `provisioning.sqlite`; `mbcli provision
//! apply/show` drive the same interface.

mod bus;

use apn_db::lookup::{Identity, MncLength};
use apn_db::resolver::{self, NoServiceMetadata, SettingsSource};
use apn_db::{ApnDb, ApnIndex, ImportOptions, Purpose};
use bus::{Daemon, PrivateBus};
use dbus_interfaces::BUS_NAME;
use dbus_interfaces::names::IFACE_MBIMD_PROVISIONING;
use futures_util::StreamExt;
use mbimd::provisioning::store::ProvisioningStore;
use mbimd::sim::Scenario;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use zbus::OwnedVariant;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";

fn shared_data() -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        for cand in [up.join("shared/data"), up.join("../shared/data")] {
            if cand.join("xsd/cc.xsd").exists() {
                return cand;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}

fn example() -> String {
    std::fs::read_to_string(shared_data().join("examples/provisioning-full.xml")).unwrap()
}

async fn proxy(conn: &zbus::Connection) -> zbus::Proxy<'static> {
    // No property cache: each read asks the daemon (the cache would only
    // catch up with PropertiesChanged asynchronously).
    zbus::proxy::Builder::<zbus::Proxy<'_>>::new(conn)
        .destination(BUS_NAME)
        .path(MODEM0)
        .interface(IFACE_MBIMD_PROVISIONING)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy")
}

async fn prop(p: &zbus::Proxy<'_>, name: &str) -> Vec<HashMap<String, OwnedVariant>> {
    let v: OwnedVariant = p.get_property(name).await.expect(name);
    Vec::<HashMap<String, OwnedVariant>>::try_from(v).expect("aa{sv}")
}

fn text(d: &HashMap<String, OwnedVariant>, k: &str) -> String {
    d.get(k)
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_apply_through_dbus_and_feed_the_resolver() {
    let state = tempfile::tempdir().unwrap();
    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &["--sim", "--state-dir", state.path().to_str().unwrap()],
    )
    .await;
    let conn = bus.client().await;
    let p = proxy(&conn).await;
    let mut changed = p
        .receive_signal("ProvisioningChanged")
        .await
        .expect("signal");
    assert!(prop(&p, "Profiles").await.is_empty());

    // The published example (its placeholder signature cannot be verified,
    // so it counts as unsigned: we are a privileged caller on our own bus).
    let result: String = p
        .call("ProvisionFromXml", &(example(),))
        .await
        .expect("apply");
    assert!(result.contains("<CarrierProvisioningResult"), "{result}");
    assert!(!result.contains("errorCode=\"8"), "{result}");
    let sig = tokio::time::timeout(Duration::from_secs(30), changed.next())
        .await
        .expect("ProvisioningChanged")
        .expect("stream");
    let body: String = sig.body().deserialize().expect("s");
    assert_eq!(body, result);

    let profiles = prop(&p, "Profiles").await;
    let kinds: Vec<String> = profiles.iter().map(|d| text(d, "kind")).collect();
    assert_eq!(kinds, ["default", "purchase", "additional", "tethering"]);
    assert_eq!(text(&profiles[0], "access-string"), "internet.example.net");
    assert!(
        !profiles[0].contains_key("password"),
        "no secrets on the bus"
    );
    let apps = Vec::<String>::try_from(profiles[2]["app-ids"].clone()).unwrap();
    assert_eq!(apps, ["Example.VideoApp_abcdefghijk12"]);
    let plans = prop(&p, "Plans").await;
    assert_eq!(text(&plans[0], "name"), "Data5GB");
    let hotspots = prop(&p, "Hotspots").await;
    assert_eq!(hotspots.len(), 2);
    assert_eq!(text(&hotspots[0], "hotspot-auth"), "basic");

    // Invalid: refused with the position of the error.
    let bad = example().replacen("<MaxNumberOfDevices>5<", "<MaxNumberOfDevices>2<", 1);
    let e = p
        .call::<_, _, String>("ProvisionFromXml", &(bad,))
        .await
        .expect_err("invalid");
    let msg = e.to_string();
    assert!(
        msg.contains("InvalidArgs") && msg.contains("MaxNumberOfDevices"),
        "{msg}"
    );
    assert!(msg.contains(":11:"), "line:column in {msg}");

    // Failing (a plan nobody defines): the result says so, nothing changes.
    let store_path = state.path().join("provisioning.sqlite");
    let before = ProvisioningStore::open(&store_path)
        .await
        .unwrap()
        .fingerprint()
        .await
        .unwrap();
    let failing = example()
        .replace("internet.example.net", "changed.example.net")
        .replacen(
            "<AssociatedPlan>Data5GB</AssociatedPlan>",
            "<AssociatedPlan>Gone</AssociatedPlan>",
            1,
        );
    let result: String = p
        .call("ProvisionFromXml", &(failing,))
        .await
        .expect("answer");
    assert!(
        result.contains(r#"<DefaultProfile errorCode="80070490"/>"#),
        "{result}"
    );
    let after = ProvisioningStore::open(&store_path)
        .await
        .unwrap()
        .fingerprint()
        .await
        .unwrap();
    assert_eq!(before, after);
    assert_eq!(
        text(&prop(&p, "Profiles").await[0], "access-string"),
        "internet.example.net"
    );

    // The resolver reads the store: provisioning beats the APN database.
    let sim = Scenario::builtin().sim;
    let db = ApnDb::open_in_memory().await.unwrap();
    let apns = format!(
        r#"<apns version="8"><apn carrier="Db" mcc="{}" mnc="{}" apn="db.internet" type="default"/></apns>"#,
        &sim.imsi[..3],
        &sim.imsi[3..5]
    );
    db.import_bytes(
        apns.as_bytes(),
        std::path::Path::new("/t/apns.xml"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let idx = ApnIndex::load(&db).await.unwrap();
    let id = Identity {
        imsi: Some(sim.imsi.clone()),
        iccid: Some(sim.iccid.clone()),
        mnc_length: Some(MncLength::Two),
        ..Default::default()
    };
    let lookup = idx.lookup(&id, Purpose::Internet, false).unwrap();
    let prov = ProvisioningStore::open(&store_path)
        .await
        .unwrap()
        .settings()
        .await
        .unwrap();
    let r = resolver::resolve(
        &id,
        &[],
        Purpose::Internet,
        &prov,
        &NoServiceMetadata,
        Some(&lookup),
    );
    assert_eq!(r.source, Some(SettingsSource::Provisioning));
    assert_eq!(r.candidates[0].settings.apn, "internet.example.net");
    assert_eq!(r.overridden, [SettingsSource::ApnDatabase]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbcli_provision_apply_and_show_use_the_interface() {
    let state = tempfile::tempdir().unwrap();
    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &["--sim", "--state-dir", state.path().to_str().unwrap()],
    )
    .await;
    let file = state.path().join("doc.xml");
    std::fs::write(&file, example()).unwrap();
    let mbcli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"))
            .args(args)
            .args(["--address", &bus.address])
            .output()
            .expect("mbcli")
    };
    let out = mbcli(&["provision", "apply", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("<CarrierProvisioningResult"));
    let out = mbcli(&["provision", "show", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Profiles"][0]["name"], "Example Mobile Internet");
    assert_eq!(v["Plans"][0]["data-limit-mb"], 5120);
    assert_eq!(v["Hotspots"][1]["eap-type"], 23);
}

#[test]
fn mbcli_provision_validate_exits_zero_only_for_valid_documents() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xml");
    std::fs::write(&good, example()).unwrap();
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        example()
            .replacen("<DNSRetryCount>3<", "<DNSRetryCount>9<", 1)
            .replacen("<IPv4LinkMTU>1430<", "<IPv4LinkMTU>9000<", 1),
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"))
            .args(args)
            .output()
            .expect("mbcli")
    };
    let out = run(&["provision", "validate", good.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["provision", "validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("out of range"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines.iter().all(|l| {
        l.split(':')
            .nth(1)
            .is_some_and(|n| n.parse::<u32>().is_ok())
    }));
    let out = run(&["provision", "validate", "--json", bad.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"][0]["element"], "IPv4LinkMTU");
    assert!(v["errors"][0]["line"].as_u64().unwrap() > 1);
}
