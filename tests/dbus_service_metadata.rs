//! `org.mbimd.Modem1.ServiceMetadata` end to end on the simulator (mbimd
//! binary on a private bus): defaults before any package, install through
//! D-Bus with `PropertiesChanged` and `ServiceMetadataChanged`, refusal of a
//! bad package with the published values unchanged, `mbcli metadata
//! show/install` in daemon mode and offline (with a cabinet), and the
//! branding locale option.

mod bus;

use bus::{Daemon, PrivateBus};
use dbus_interfaces::names::IFACE_MBIMD_SERVICE_METADATA;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use zbus::{MatchRule, MessageStream, OwnedVariant};

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";
const ID: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/service-metadata")
        .join(ID)
}

async fn proxy(conn: &zbus::Connection) -> zbus::Proxy<'static> {
    zbus::Proxy::new(
        conn,
        dbus_interfaces::BUS_NAME,
        MODEM0,
        IFACE_MBIMD_SERVICE_METADATA,
    )
    .await
    .unwrap()
}

fn dict_str(d: &std::collections::HashMap<String, OwnedVariant>, k: &str) -> Option<String> {
    d.get(k).and_then(|v| String::try_from(v.clone()).ok())
}

fn err_name(e: zbus::Error) -> String {
    match e {
        zbus::Error::MethodError(name, _, _) => name.to_string(),
        other => format!("not a method error: {other}"),
    }
}

fn mbcli(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_over_dbus_publishes_branding_and_policies_for_the_sim() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &[
            "--sim",
            "--state-dir",
            state.to_str().unwrap(),
            "--metadata-locale",
            "ja-JP",
        ],
    )
    .await;
    let conn = bus.client().await;
    let p = proxy(&conn).await;

    // Nothing installed: the documented defaults.
    assert_eq!(p.get_property::<String>("PackageId").await.unwrap(), "");
    assert!(p.get_property::<bool>("AllowTethering").await.unwrap());
    assert!(
        !p.get_property::<bool>("AllowStandardUserPinUnlock")
            .await
            .unwrap()
    );
    let branding: std::collections::HashMap<String, OwnedVariant> =
        p.get_property("Branding").await.unwrap();
    assert!(branding.is_empty());

    // The interface is part of the modem object.
    let om = zbus::fdo::ObjectManagerProxy::builder(&conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(dbus_interfaces::MANAGER_PATH)
        .build()
        .await
        .unwrap();
    let objs = om.get_managed_objects().await.unwrap();
    let modem = objs
        .iter()
        .find(|(k, _)| k.as_str() == MODEM0)
        .map(|(_, v)| v)
        .unwrap();
    assert!(
        modem
            .keys()
            .any(|k| k.as_str() == IFACE_MBIMD_SERVICE_METADATA)
    );

    let rule = MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path(MODEM0)
        .build()
        .unwrap();
    let mut signals = MessageStream::for_match_rule(rule, &conn, std::num::NonZeroUsize::new(4096))
        .await
        .unwrap();

    // A relative path and a broken package are refused.
    let e = p
        .call::<_, _, String>("InstallServiceMetadata", &("relative/path",))
        .await
        .unwrap_err();
    assert_eq!(
        err_name(e),
        "org.freedesktop.ModemManager1.Error.Core.InvalidArgs"
    );
    let broken = tmp.path().join("broken").join(ID);
    copy_dir(&fixture(), &broken);
    std::fs::write(
        broken.join("ServiceInformation/MobileBroadbandInfo.xml"),
        "<nope",
    )
    .unwrap();
    let e = p
        .call::<_, _, String>("InstallServiceMetadata", &(broken.to_str().unwrap(),))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("MobileBroadbandInfo.xml:1:"), "{text}");
    assert_eq!(p.get_property::<String>("PackageId").await.unwrap(), "");

    let id: String = p
        .call("InstallServiceMetadata", &(fixture().to_str().unwrap(),))
        .await
        .unwrap();
    assert_eq!(id, ID);

    // PropertiesChanged (with values) and then ServiceMetadataChanged(id).
    let mut saw_props = false;
    let wait = async {
        // An error item (e.g. a lagging queue under load) is skipped, not
        // taken for the end of the stream.
        while let Some(m) = signals.next().await {
            let Ok(m) = m else { continue };
            let h = m.header();
            let member = h.member().map(|m| m.to_string()).unwrap_or_default();
            if member == "PropertiesChanged" {
                let (iface, changed, _): (
                    String,
                    std::collections::HashMap<String, OwnedVariant>,
                    Vec<String>,
                ) = m.body().deserialize().unwrap();
                if iface == IFACE_MBIMD_SERVICE_METADATA {
                    let b = changed.get("Branding").cloned().expect("Branding changed");
                    let b: std::collections::HashMap<String, OwnedVariant> = b.try_into().unwrap();
                    assert_eq!(
                        dict_str(&b, "operator-name").as_deref(),
                        Some("Example Mobile")
                    );
                    saw_props = true;
                }
            } else if member == "ServiceMetadataChanged" {
                let (pkg,): (String,) = m.body().deserialize().unwrap();
                return pkg;
            }
        }
        String::new()
    };
    let pkg = tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("ServiceMetadataChanged");
    assert_eq!(pkg, ID);
    assert!(
        saw_props,
        "PropertiesChanged came before ServiceMetadataChanged"
    );

    assert_eq!(p.get_property::<String>("PackageId").await.unwrap(), ID);
    assert_eq!(
        p.get_property::<String>("MatchedBy").await.unwrap(),
        "IMSI100"
    );
    assert_eq!(
        p.get_property::<String>("TetheringPolicy").await.unwrap(),
        "EntitlementCheckRequired"
    );
    assert!(
        p.get_property::<bool>("AllowStandardUserPinUnlock")
            .await
            .unwrap()
    );
    assert_eq!(
        p.get_property::<Vec<String>>("PrivilegedApps")
            .await
            .unwrap(),
        vec!["ExampleMobile.OperatorApp".to_string()]
    );
    let app: std::collections::HashMap<String, OwnedVariant> =
        p.get_property("OperatorApp").await.unwrap();
    assert_eq!(dict_str(&app, "application-id").as_deref(), Some("App"));
    let branding: std::collections::HashMap<String, OwnedVariant> =
        p.get_property("Branding").await.unwrap();
    let icon = dict_str(&branding, "icon").unwrap();
    assert!(icon.starts_with(state.to_str().unwrap()), "{icon}");
    assert_eq!(
        std::fs::read(&icon).unwrap(),
        std::fs::read(fixture().join("ServiceInformation/ExampleMobile.ico")).unwrap()
    );

    // The CLI reads the same values.
    let (code, out) = mbcli(&["metadata", "show", "--address", &bus.address, "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Branding"]["operator-name"], "Example Mobile");
    assert_eq!(v["AllowTethering"], true);
    assert_eq!(v["InternetProfile"]["apn"], "internet.example.net");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_cabinet_install_is_served_by_the_daemon_in_the_configured_locale() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    // A cabinet made with our writer from the fixture's files.
    let mut files = Vec::new();
    collect(&fixture(), &fixture(), &mut files);
    let members: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let cab = tmp.path().join(format!("{ID}.devicemetadata-ms"));
    std::fs::write(
        &cab,
        mbimd::provisioning::metadata::cab::build(&members).unwrap(),
    )
    .unwrap();

    let s = state.to_str().unwrap();
    let (code, out) = mbcli(&[
        "metadata",
        "install",
        "--state-dir",
        s,
        cab.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(ID), "{out}");
    let (code, out) = mbcli(&[
        "metadata",
        "show",
        "--state-dir",
        s,
        "--imsi",
        "001010123456789",
        "--locale",
        "fr-FR",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["operator_name"], "Exemple Mobile");
    let (code, _) = mbcli(&[
        "metadata",
        "show",
        "--state-dir",
        s,
        "--imsi",
        "310410999999999",
    ]);
    assert_eq!(code, 2, "no package matches another SIM");

    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &["--sim", "--state-dir", s, "--metadata-locale", "de-DE"],
    )
    .await;
    let conn = bus.client().await;
    let p = proxy(&conn).await;
    let branding: std::collections::HashMap<String, OwnedVariant> =
        p.get_property("Branding").await.unwrap();
    assert_eq!(
        dict_str(&branding, "operator-name").as_deref(),
        Some("Beispiel Mobil")
    );
    assert_eq!(dict_str(&branding, "locale").as_deref(), Some("de-DE"));
}

fn collect(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(d).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            collect(base, &e.path(), out);
        } else {
            let rel = e
                .path()
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('/', "\\");
            out.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}
