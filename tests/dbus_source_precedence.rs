//! Settings-source precedence in the running daemon
//! (windows-operator-formats.md §3.3): `mbimd --sim` on a private bus with an
//! APN database imported at start, then a service-metadata package installed
//! over D-Bus, then a provisioning document applied over D-Bus. The modem's
//! `org.mbimd.Modem1.Connection.ResolvedSettings` follows the highest source
//! (apn-database → service-metadata → provisioning) and `Simple.Connect`
//! without an `apn` key uses that source's APN. A cold SIM's
//! `OperatorAppNeeded` names the operator app of the matched metadata, and a
//! provisioned plan with its usage shows on `org.mbimd.Modem1.DataUsage`.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::names::{
    IFACE_MBIMD_CONNECTION, IFACE_MBIMD_DATA_USAGE, IFACE_MBIMD_PROVISIONING,
    IFACE_MBIMD_SERVICE_METADATA,
};
use dbus_interfaces::proxies::*;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zbus::OwnedVariant;

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";
const WAIT: Duration = Duration::from_secs(60);
const PACKAGE: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

type Dict = HashMap<String, OwnedVariant>;

/// The simulator accepts the APN database's, the metadata package's and the
/// provisioned APN (any credentials).
const SCENARIO_APNS: &str = r#"
[[apn]]
name = "internet"
[[apn]]
name = "internet.example.net"
[[apn]]
name = "prov.example.net"
"#;

const MBPI: &str = "<?xml version=\"1.0\"?>\n<serviceproviders format=\"2.0\">\n <country code=\"xx\">\n  <provider>\n   <name>Test Network</name>\n   <gsm>\n    <network-id mcc=\"001\" mnc=\"01\"/>\n    <apn value=\"internet\"><usage type=\"internet\"/></apn>\n   </gsm>\n  </provider>\n </country>\n</serviceproviders>\n";

/// A provisioning document for the simulated SIM: a default profile on
/// `prov.example.net`, a purchase profile, and plan `Data5GB` (5120 MB)
/// with `used_mb` used at `usage_time`.
fn document(used_mb: u64, usage_time: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<CarrierProvisioning xmlns="http://www.microsoft.com/networking/CarrierControl/v1">
  <Global>
    <CarrierId>{{5D3F2A71-9C4E-4B8A-A0E2-7F1C0B9D6E34}}</CarrierId>
    <SubscriberId>001010123456789</SubscriberId>
  </Global>
  <MBNProfiles>
    <DefaultProfile xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <Name>Provisioned Internet</Name>
      <AssociatedPlan>Data5GB</AssociatedPlan>
      <Context>
        <AccessString>prov.example.net</AccessString>
        <AuthProtocol>NONE</AuthProtocol>
      </Context>
    </DefaultProfile>
    <PurchaseProfile xmlns="http://www.microsoft.com/networking/CarrierControl/WWAN/v1">
      <Name>Provisioned Top-Up</Name>
      <Context>
        <AccessString>prov-shop.example.net</AccessString>
        <AuthProtocol>NONE</AuthProtocol>
      </Context>
    </PurchaseProfile>
  </MBNProfiles>
  <Plans>
    <Plan xmlns="http://www.microsoft.com/networking/CarrierControl/Plans/v1" Name="Data5GB">
      <Description PlanType="Fixed">
        <BillingCycle StartDate="2025-01-01T00:00:00Z" Duration="P1M" Resets="true"/>
        <DataLimitInMegabytes>5120</DataLimitInMegabytes>
      </Description>
      <Usage CurrentUsage="{used_mb}" UsageTimestamp="{usage_time}" OverLimit="false" Congested="false"/>
    </Plan>
  </Plans>
</CarrierProvisioning>
"#
    )
}

/// Ten minutes ago as xs:dateTime (inside the current billing cycle unless
/// the test runs in the first ten minutes of a month, where the figure
/// would belong to the previous cycle).
fn recent() -> (String, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let mut t = now - 600;
    let month_start = mbimd::usage::plan::parse_datetime(&format!(
        "{}-01T00:00:00Z",
        &mbimd::usage::plan::format_datetime(now)[..7]
    ))
    .expect("month start");
    if t < month_start {
        t = now;
    }
    (mbimd::usage::plan::format_datetime(t), t as u64)
}

fn package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/service-metadata")
        .join(PACKAGE)
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(plan: &str) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("serviceproviders.xml"), MBPI).expect("xml");
        std::fs::write(
            dir.path().join("scenario.toml"),
            format!("[sim]\nplan = \"{plan}\"\n{SCENARIO_APNS}"),
        )
        .expect("scenario");
        Setup { dir }
    }

    async fn start(&self, bus: &PrivateBus) -> Daemon {
        let p = |n: &str| self.dir.path().join(n).display().to_string();
        let (sc, state, xml) = (p("scenario.toml"), p("state"), p("serviceproviders.xml"));
        Daemon::start(
            bus,
            &["--sim", &sc, "--state-dir", &state, "--apn-import", &xml],
        )
        .await
    }
}

async fn iface(conn: &zbus::Connection, name: &'static str) -> zbus::Proxy<'static> {
    zbus::proxy::Builder::new(conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(MODEM0)
        .interface(name)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy")
}

fn s(d: &Dict, k: &str) -> String {
    d.get(k)
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

fn n(d: &Dict, k: &str) -> Option<u64> {
    let v = d.get(k)?.clone();
    u64::try_from(v.clone())
        .ok()
        .or_else(|| u32::try_from(v).ok().map(u64::from))
}

/// Wait (bounded) until the dictionary property `name` satisfies `f`.
async fn wait_dict(p: &zbus::Proxy<'_>, name: &str, f: impl Fn(&Dict) -> bool) -> Dict {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let v: Dict = p.get_property(name).await.expect(name);
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

async fn install_package(conn: &zbus::Connection) {
    let m = iface(conn, IFACE_MBIMD_SERVICE_METADATA).await;
    let id: String = m
        .call(
            "InstallServiceMetadata",
            &(package().to_str().expect("utf8"),),
        )
        .await
        .expect("install the package");
    assert_eq!(id, PACKAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolved_settings_follow_apn_database_then_service_metadata_then_provisioning() {
    let t = Setup::new("hot");
    let bus = PrivateBus::start();
    let _d = t.start(&bus).await;
    let conn = bus.client().await;
    let c = iface(&conn, IFACE_MBIMD_CONNECTION).await;

    // The APN database alone.
    let r = wait_dict(&c, "ResolvedSettings", |d| !s(d, "source").is_empty()).await;
    assert_eq!(s(&r, "source"), "apn-database");
    assert_eq!(s(&r, "apn"), "internet");

    // A package matching the simulated SIM: its Internet profile wins.
    install_package(&conn).await;
    let r = wait_dict(&c, "ResolvedSettings", |d| {
        s(d, "source") == "service-metadata"
    })
    .await;
    assert_eq!(s(&r, "apn"), "internet.example.net");
    assert_eq!(s(&r, "user"), "web");
    let purchase: Dict = c.get_property("PurchaseProfile").await.expect("purchase");
    assert_eq!(s(&purchase, "apn"), "shop.example.net");
    assert_eq!(s(&purchase, "source"), "service-metadata");
    let path = simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect("connect with the package's profile");
    assert_eq!(bearer_apn(&conn, &path).await, "internet.example.net");
    simple(&conn)
        .await
        .disconnect(&zbus::ObjectPath::from_static_str_unchecked("/"))
        .await
        .expect("disconnect");

    // A provisioning document for the SIM: it wins over both.
    let p = iface(&conn, IFACE_MBIMD_PROVISIONING).await;
    let (when, _) = recent();
    let result: String = p
        .call("ProvisionFromXml", &(document(10, &when),))
        .await
        .expect("apply");
    assert!(!result.contains("errorCode=\"8"), "{result}");
    let r = wait_dict(&c, "ResolvedSettings", |d| s(d, "source") == "provisioning").await;
    assert_eq!(s(&r, "apn"), "prov.example.net");
    let purchase: Dict = c.get_property("PurchaseProfile").await.expect("purchase");
    assert_eq!(s(&purchase, "apn"), "prov-shop.example.net");
    assert_eq!(s(&purchase, "source"), "provisioning");
    let cands: Vec<Dict> = c.get_property("Candidates").await.expect("candidates");
    assert!(cands.iter().all(|d| s(d, "source") == "provisioning"));
    let path = simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect("connect with the provisioned profile");
    assert_eq!(bearer_apn(&conn, &path).await, "prov.example.net");
    let r: Dict = c.get_property("ResolvedSettings").await.expect("resolved");
    assert_eq!(
        (s(&r, "apn"), s(&r, "source")),
        ("prov.example.net".into(), "provisioning".into())
    );

    // mbcli shows the same.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(["connection", "--json", "--address", &bus.address])
        .output()
        .expect("mbcli");
    assert!(out.status.success(), "{out:?}");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["resolved_settings"]["source"], "provisioning");
    assert_eq!(j["purchase_profile"]["apn"], "prov-shop.example.net");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_sim_is_told_the_operator_app_of_the_matched_metadata() {
    let t = Setup::new("cold");
    let bus = PrivateBus::start();
    let _d = t.start(&bus).await;
    let conn = bus.client().await;
    let c = iface(&conn, IFACE_MBIMD_CONNECTION).await;
    let mut app = c
        .receive_signal("OperatorAppNeeded")
        .await
        .expect("subscribe");
    install_package(&conn).await;
    wait_dict(&c, "ResolvedSettings", |d| {
        s(d, "source") == "service-metadata"
    })
    .await;

    simple(&conn)
        .await
        .connect(Dict::new())
        .await
        .expect_err("a cold SIM cannot connect");
    let sig = tokio::time::timeout(WAIT, app.next())
        .await
        .expect("OperatorAppNeeded signal")
        .expect("stream");
    let (d,): (Dict,) = sig.body().deserialize().expect("body");
    assert_eq!(
        s(&d, "error"),
        "org.freedesktop.ModemManager1.Error.MobileEquipment.ServiceOptionNotSubscribed"
    );
    assert_eq!(s(&d, "operator-app-name"), "ExampleMobile.OperatorApp");
    assert_eq!(s(&d, "operator-app-id"), "App");
    assert_eq!(
        s(&d, "operator-app-publisher"),
        "CN=Example Mobile, O=Example Mobile, C=US"
    );
    let family = s(&d, "operator-app-family-name");
    assert!(
        family.starts_with("ExampleMobile.OperatorApp_") && family.len() == 26 + 13,
        "{family}"
    );
    assert_eq!(
        s(&d, "operator-app-store-link"),
        format!("ms-windows-store://pdp/?PFN={family}")
    );
    assert_eq!(s(&d, "service-metadata-package"), PACKAGE);
    assert_eq!(s(&d, "purchase-apn"), "shop.example.net");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provisioned_plan_and_its_usage_show_in_the_data_plan_status() {
    let t = Setup::new("hot");
    let bus = PrivateBus::start();
    let _d = t.start(&bus).await;
    let conn = bus.client().await;
    let u = iface(&conn, IFACE_MBIMD_DATA_USAGE).await;
    let before: Dict = u.get_property("DataPlanStatus").await.expect("status");
    assert_eq!(s(&before, "plan-type"), "Unknown", "{before:?}");

    let p = iface(&conn, IFACE_MBIMD_PROVISIONING).await;
    let (when, at) = recent();
    let result: String = p
        .call("ProvisionFromXml", &(document(1234, &when),))
        .await
        .expect("apply");
    assert!(!result.contains("errorCode=\"8"), "{result}");

    let st = wait_dict(&u, "DataPlanStatus", |d| {
        s(d, "plan-name") == "Data5GB" && n(d, "last-sync-time").is_some()
    })
    .await;
    assert_eq!(s(&st, "plan-type"), "Fixed");
    assert_eq!(n(&st, "data-limit-megabytes"), Some(5120));
    assert_eq!(n(&st, "last-sync-time"), Some(at));
    // Not connected: nothing counted locally after the figure.
    assert_eq!(n(&st, "used-bytes"), Some(1234 * 1_000_000));

    // A newer figure in a later document replaces it.
    let (when2, _) = recent();
    p.call::<_, _, String>("ProvisionFromXml", &(document(2000, &when2),))
        .await
        .expect("apply again");
    let st = wait_dict(&u, "DataPlanStatus", |d| {
        n(d, "used-bytes") == Some(2000 * 1_000_000)
    })
    .await;
    assert_eq!(s(&st, "plan-name"), "Data5GB");
}
