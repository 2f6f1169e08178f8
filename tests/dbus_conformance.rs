//! Conformance with ModemManager 1.20's introspection XML (Debian
//! `libmm-glib-dev`, `/usr/share/dbus-1/interfaces`): every property of
//! every interface mbimd exports is present, read-only and of the XML's
//! type; every method and signal has the XML's signature
//! (modemmanager-api.md §3, §6.5, §12). Checked on the live objects
//! (`Introspect` on the modem, SIM, bearer and manager objects).

mod bus;

use bus::{Daemon, PrivateBus};
use std::collections::BTreeMap;

const XML_DIR: &str = "/usr/share/dbus-1/interfaces";

#[derive(Debug, Default, PartialEq)]
struct Iface {
    /// name → (type, access)
    properties: BTreeMap<String, (String, String)>,
    /// name → (in signature, out signature)
    methods: BTreeMap<String, (String, String)>,
    /// name → signature
    signals: BTreeMap<String, String>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_string())
}

/// A small scanner for D-Bus introspection XML (comments stripped).
fn parse(xml: &str) -> BTreeMap<String, Iface> {
    let mut text = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<!--") {
        text.push_str(&rest[..i]);
        rest = rest[i..]
            .find("-->")
            .map(|j| &rest[i + j + 3..])
            .unwrap_or("");
    }
    text.push_str(rest);
    let mut out = BTreeMap::new();
    let mut iface: Option<(String, Iface)> = None;
    // (kind, name, in, out)
    let mut member: Option<(char, String, String, String)> = None;
    for piece in text.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or("");
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        let name = tag
            .trim_start_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        match (name, closing) {
            ("interface", false) => {
                iface = Some((attr(tag, "name").unwrap_or_default(), Iface::default()));
            }
            ("interface", true) => {
                if let Some((n, i)) = iface.take() {
                    out.insert(n, i);
                }
            }
            ("method" | "signal", false) => {
                let kind = if name == "method" { 'm' } else { 's' };
                member = Some((
                    kind,
                    attr(tag, "name").unwrap_or_default(),
                    String::new(),
                    String::new(),
                ));
                if self_closing {
                    finish(&mut iface, &mut member);
                }
            }
            ("method" | "signal", true) => finish(&mut iface, &mut member),
            ("arg", false) => {
                if let Some((kind, _, ins, outs)) = member.as_mut() {
                    let ty = attr(tag, "type").unwrap_or_default();
                    let dir = attr(tag, "direction").unwrap_or_else(|| "in".into());
                    if *kind == 's' || dir == "in" {
                        ins.push_str(&ty);
                    } else {
                        outs.push_str(&ty);
                    }
                }
            }
            ("property", false) => {
                if let Some((_, i)) = iface.as_mut() {
                    i.properties.insert(
                        attr(tag, "name").unwrap_or_default(),
                        (
                            attr(tag, "type").unwrap_or_default(),
                            attr(tag, "access").unwrap_or_default(),
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

fn finish(
    iface: &mut Option<(String, Iface)>,
    member: &mut Option<(char, String, String, String)>,
) {
    if let (Some((_, i)), Some((kind, name, ins, outs))) = (iface.as_mut(), member.take()) {
        if kind == 'm' {
            i.methods.insert(name, (ins, outs));
        } else {
            i.signals.insert(name, ins);
        }
    }
}

fn reference(name: &str) -> Option<Iface> {
    let text = std::fs::read_to_string(format!("{XML_DIR}/{name}.xml")).ok()?;
    parse(&text).remove(name)
}

async fn introspect(conn: &zbus::Connection, path: &str) -> BTreeMap<String, Iface> {
    let p = zbus::fdo::IntrospectableProxy::builder(conn)
        .destination(dbus_interfaces::BUS_NAME)
        .path(path.to_string())
        .build()
        .await
        .expect("proxy");
    parse(&p.introspect().await.expect("Introspect"))
}

/// Properties mbimd publishes beyond 1.20 (additions of later MM versions).
const LATER_PROPERTIES: &[&str] = &["Physdev"];

fn compare(ours: &Iface, theirs: &Iface, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (p, (ty, _)) in &theirs.properties {
        match ours.properties.get(p) {
            None => problems.push(format!("{name}.{p}: missing")),
            Some((t, access)) => {
                if t != ty {
                    problems.push(format!("{name}.{p}: type {t}, expected {ty}"));
                }
                if access != "read" {
                    problems.push(format!("{name}.{p}: access {access}, expected read"));
                }
            }
        }
    }
    for p in ours.properties.keys() {
        if !theirs.properties.contains_key(p) && !LATER_PROPERTIES.contains(&p.as_str()) {
            problems.push(format!("{name}.{p}: not in ModemManager's interface"));
        }
    }
    for (m, sig) in &theirs.methods {
        match ours.methods.get(m) {
            None => problems.push(format!("{name}.{m}(): missing")),
            Some(s) if s != sig => problems.push(format!("{name}.{m}(): {s:?}, expected {sig:?}")),
            _ => {}
        }
    }
    for (s, sig) in &theirs.signals {
        match ours.signals.get(s) {
            None => problems.push(format!("{name}::{s}: signal missing")),
            Some(x) if x != sig => problems.push(format!("{name}::{s}: {x}, expected {sig}")),
            _ => {}
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exported_interface_matches_modemmanager_introspection() {
    if !std::path::Path::new(&format!(
        "{XML_DIR}/org.freedesktop.ModemManager1.Modem.xml"
    ))
    .exists()
    {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("ModemManager's XML is missing (package libmm-glib-dev); CI must have it");
        }
        eprintln!("NOTICE: libmm-glib-dev not installed; skipping the conformance test");
        return;
    }
    // The scanner reads the reference in full (so an empty parse cannot pass).
    let modem_xml = reference("org.freedesktop.ModemManager1.Modem").expect("Modem XML");
    assert!(
        modem_xml.properties.len() >= 35,
        "{:?}",
        modem_xml.properties.keys()
    );
    assert_eq!(modem_xml.properties["State"].0, "i");
    assert_eq!(
        modem_xml.methods["CreateBearer"],
        ("a{sv}".to_string(), "o".to_string())
    );
    assert_eq!(modem_xml.signals["StateChanged"], "iiu");

    // A modem with every optional interface mbimd has: the serving cell
    // (MBIMEx 2.0 brings LOCATION_INFO_STATUS) and NITZ.
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/location-time.toml");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", scenario.to_str().expect("utf8")]).await;
    let conn = bus.client().await;
    let simple = dbus_interfaces::proxies::SimpleProxy::builder(&conn)
        .path("/org/freedesktop/ModemManager1/Modem/0")
        .build()
        .await
        .expect("proxy");
    let mut d = dbus_interfaces::Dict::new();
    d.insert(
        "apn".into(),
        zbus::Variant::from("internet").try_into_owned().expect("v"),
    );
    let bearer = simple.connect(d).await.expect("connect");

    let mut problems = Vec::new();
    let mut checked = 0;
    let mut names = Vec::new();
    for path in [
        dbus_interfaces::MANAGER_PATH,
        "/org/freedesktop/ModemManager1/Modem/0",
        "/org/freedesktop/ModemManager1/SIM/0",
        bearer.as_str(),
    ] {
        for (name, ours) in introspect(&conn, path).await {
            if !name.starts_with("org.freedesktop.ModemManager1") {
                continue;
            }
            let theirs = reference(&name).unwrap_or_else(|| panic!("no XML for {name}"));
            problems.extend(compare(&ours, &theirs, &name));
            checked += 1;
            names.push(name);
        }
    }
    assert!(
        checked >= 11,
        "manager, 8 modem interfaces, SIM and bearer: {checked}"
    );
    for optional in [
        "org.freedesktop.ModemManager1.Modem.Location",
        "org.freedesktop.ModemManager1.Modem.Time",
    ] {
        assert!(
            names.iter().any(|n| n == optional),
            "{optional} not exported"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
