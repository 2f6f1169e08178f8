//! Debian's `mmcli` (ModemManager 1.20) against `mbimd --sim` on a private
//! bus (`DBUS_SYSTEM_BUS_ADDRESS`): every command's output is checked against
//! the built-in scenario, and stderr must carry no GLib WARNING/CRITICAL
//! (libmm-glib reports mistyped or missing properties that way,
//! modemmanager-api.md §6.5).

mod bus;

use bus::{Daemon, PrivateBus, mmcli_present};
use mbimd::sim::Scenario;

fn mmcli(bus: &PrivateBus, args: &[&str]) -> String {
    let out = std::process::Command::new("mmcli")
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .output()
        .expect("run mmcli");
    // mmcli colours some states even when not on a terminal.
    let stdout = strip_ansi(&String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("WARNING") && !stderr.contains("CRITICAL"),
        "mmcli {args:?} printed GLib warnings:\n{stderr}"
    );
    assert!(
        out.status.success(),
        "mmcli {args:?} failed: {stdout}\n{stderr}"
    );
    stdout
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value on the line of a human `mmcli` table whose label is `label`.
fn field<'a>(out: &'a str, label: &str) -> Option<&'a str> {
    out.lines().find_map(|l| {
        let (left, right) = l.split_once(": ")?;
        let name = left.rsplit('|').next()?.trim();
        (name == label).then(|| right.trim())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmcli_lists_shows_connects_and_disconnects_the_simulated_modem() {
    if !mmcli_present() {
        return;
    }
    let sc = Scenario::builtin();
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim"]).await;

    let list = mmcli(&bus, &["-L"]);
    assert!(
        list.contains("/org/freedesktop/ModemManager1/Modem/0")
            && list.contains(&sc.device.hardware),
        "{list}"
    );

    let m = mmcli(&bus, &["-m", "0"]);
    assert_eq!(
        field(&m, "equipment id"),
        Some(sc.device.imei.as_str()),
        "{m}"
    );
    assert_eq!(
        field(&m, "firmware revision"),
        Some(sc.device.firmware.as_str())
    );
    assert_eq!(field(&m, "state"), Some("registered"), "{m}");
    assert_eq!(field(&m, "operator id"), Some(sc.home.id.as_str()));
    assert_eq!(field(&m, "operator name"), Some(sc.home.name.as_str()));
    assert_eq!(field(&m, "registration"), Some("home"));
    assert_eq!(field(&m, "own"), Some(sc.sim.msisdns[0].as_str()));
    let pct = sc.signal.rssi * 100 / 31;
    assert_eq!(
        field(&m, "signal quality"),
        Some(format!("{pct}% (recent)").as_str())
    );
    assert_eq!(
        field(&m, "primary sim path"),
        Some("/org/freedesktop/ModemManager1/SIM/0")
    );

    let j: serde_json::Value =
        serde_json::from_str(&mmcli(&bus, &["-m", "0", "-J"])).expect("json");
    assert_eq!(j["modem"]["generic"]["state"], "registered");
    assert_eq!(j["modem"]["3gpp"]["imei"], sc.device.imei.as_str());
    assert_eq!(
        j["modem"]["generic"]["equipment-identifier"],
        sc.device.imei.as_str()
    );

    let sim = mmcli(&bus, &["-i", "0"]);
    assert_eq!(field(&sim, "imsi"), Some(sc.sim.imsi.as_str()), "{sim}");
    assert_eq!(field(&sim, "iccid"), Some(sc.sim.iccid.as_str()));

    let apn = &sc.apns[0];
    let c = mmcli(
        &bus,
        &["-m", "0", &format!("--simple-connect=apn={}", apn.name)],
    );
    assert!(c.contains("successfully connected"), "{c}");
    let m = mmcli(&bus, &["-m", "0"]);
    assert_eq!(field(&m, "state"), Some("connected"), "{m}");

    let b = mmcli(&bus, &["-b", "0"]);
    assert_eq!(field(&b, "connected"), Some("yes"), "{b}");
    assert_eq!(field(&b, "apn"), Some(apn.name.as_str()));
    let v4 = apn.ipv4.expect("scenario has IPv4");
    assert_eq!(
        field(&b, "address"),
        Some(v4.address.to_string().as_str()),
        "{b}"
    );
    assert_eq!(field(&b, "prefix"), Some(v4.prefix.to_string().as_str()));
    assert_eq!(
        field(&b, "gateway"),
        Some(apn.ipv4_gateway.expect("gateway").to_string().as_str())
    );

    let s = mmcli(&bus, &["-m", "0", "--signal-get"]);
    let dbm = -113 + 2 * sc.signal.rssi as i32;
    assert_eq!(
        field(&s, "rssi"),
        Some(format!("{dbm}.00 dBm").as_str()),
        "{s}"
    );

    let d = mmcli(&bus, &["-m", "0", "--simple-disconnect"]);
    assert!(d.contains("successfully disconnected"), "{d}");
    let m = mmcli(&bus, &["-m", "0"]);
    assert_eq!(field(&m, "state"), Some("registered"));
    let b = mmcli(&bus, &["-b", "0"]);
    assert_eq!(field(&b, "connected"), Some("no"), "{b}");

    let sms = mmcli(&bus, &["-m", "0", "--messaging-list-sms"]);
    assert!(sms.contains("No sms messages were found"), "{sms}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmcli_disables_and_enables_through_the_state_ladder() {
    if !mmcli_present() {
        return;
    }
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim"]).await;
    assert!(mmcli(&bus, &["-m", "0", "-d"]).contains("successfully disabled"));
    let m = mmcli(&bus, &["-m", "0"]);
    assert_eq!(field(&m, "state"), Some("disabled"), "{m}");
    assert_eq!(field(&m, "power state"), Some("low"));
    assert!(mmcli(&bus, &["-m", "0", "-e"]).contains("successfully enabled"));
    let m = mmcli(&bus, &["-m", "0"]);
    assert_eq!(field(&m, "state"), Some("registered"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmcli_initiates_ussd_and_gets_the_scripted_reply() {
    if !mmcli_present() {
        return;
    }
    let f = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp");
    std::fs::write(
        f.path(),
        "[[ussd]]\nrequest = \"*100#\"\nreply = \"Balance: 10.00 EUR\"\n",
    )
    .expect("write");
    let sc = Scenario::load(f.path()).expect("scenario");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", f.path().to_str().expect("utf8")]).await;
    let out = mmcli(&bus, &["-m", "0", "--3gpp-ussd-initiate=*100#"]);
    assert!(out.contains(&sc.ussd[0].reply), "{out}");
    let st = mmcli(&bus, &["-m", "0", "--3gpp-ussd-status"]);
    assert_eq!(field(&st, "status"), Some("idle"), "{st}");
}

/// A stored SMS; its expected sender and text come from the PDU decoder.
const STORED_SMS_PDU: &str =
    "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmcli_lists_shows_creates_sends_and_deletes_sms() {
    if !mmcli_present() {
        return;
    }
    let Some(mbimd::messaging::store::PartBody::Deliver { sender, text, .. }) =
        mbimd::messaging::ingest::decode_part(&hex(STORED_SMS_PDU))
    else {
        panic!("the scenario PDU is a DELIVER");
    };
    let text = text.expect("a text message");
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("sms.toml");
    std::fs::write(&scenario, format!("[[sms]]\npdu = \"{STORED_SMS_PDU}\"\n"))
        .expect("write scenario");
    let state = dir.path().join("state");
    let bus = PrivateBus::start();
    let _d = Daemon::start(
        &bus,
        &[
            "--sim",
            scenario.to_str().expect("utf-8 path"),
            "--state-dir",
            state.to_str().expect("utf-8 path"),
        ],
    )
    .await;

    // The ingest pipeline reads the modem's store right after export.
    let mut list = String::new();
    for _ in 0..200 {
        list = mmcli(&bus, &["-m", "0", "--messaging-list-sms"]);
        if list.contains("(received)") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let received = list
        .split_whitespace()
        .find(|w| w.starts_with("/org/freedesktop/ModemManager1/SMS/"))
        .unwrap_or_else(|| panic!("no SMS listed: {list}"))
        .to_string();
    assert!(list.contains("(received)"), "{list}");

    let shown = mmcli(&bus, &["-s", &received]);
    assert_eq!(field(&shown, "number"), Some(sender.as_str()), "{shown}");
    assert_eq!(field(&shown, "text"), Some(text.as_str()), "{shown}");
    assert_eq!(field(&shown, "state"), Some("received"), "{shown}");
    assert_eq!(field(&shown, "pdu type"), Some("deliver"), "{shown}");

    let created = mmcli(
        &bus,
        &["-m", "0", "--messaging-create-sms=number=+123,text=hi"],
    );
    let new = created
        .split_whitespace()
        .find(|w| w.starts_with("/org/freedesktop/ModemManager1/SMS/"))
        .unwrap_or_else(|| panic!("no path in: {created}"))
        .to_string();
    assert_ne!(new, received);
    let draft = mmcli(&bus, &["-s", &new]);
    assert_eq!(field(&draft, "pdu type"), Some("submit"), "{draft}");
    assert_ne!(field(&draft, "state"), Some("sent"), "{draft}");

    mmcli(&bus, &["-s", &new, "--send"]);
    let sent = mmcli(&bus, &["-s", &new]);
    assert_eq!(field(&sent, "state"), Some("sent"), "{sent}");
    assert_eq!(field(&sent, "number"), Some("+123"), "{sent}");
    assert_eq!(field(&sent, "text"), Some("hi"), "{sent}");
    let again = std::process::Command::new("mmcli")
        .args(["-s", &new, "--send"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .output()
        .expect("run mmcli");
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        !again.status.success() && err.contains("WrongState"),
        "a sent SMS is not sent twice: {err}"
    );

    mmcli(
        &bus,
        &["-m", "0", &format!("--messaging-delete-sms={received}")],
    );
    let after = mmcli(&bus, &["-m", "0", "--messaging-list-sms"]);
    assert!(!after.contains(&format!("{received} ")), "{after}");
    assert!(after.contains(&new), "{after}");
    assert!(
        state.join("sms.db").exists(),
        "the store lives in --state-dir"
    );
}

/// The scenario with a serving cell and network time (MBIMEx 2.0 brings
/// LOCATION_INFO_STATUS; NITZ is offered by default).
fn location_time_scenario() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/location-time.toml")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmcli_reads_the_serving_cell_and_the_network_time() {
    if !mmcli_present() {
        return;
    }
    let path = location_time_scenario();
    let sc = Scenario::load(&path).expect("scenario");
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim", path.to_str().expect("utf8")]).await;

    let st = mmcli(&bus, &["-m", "0", "--location-status"]);
    assert_eq!(field(&st, "capabilities"), Some("3gpp-lac-ci"), "{st}");
    assert_eq!(field(&st, "enabled"), Some("3gpp-lac-ci"), "{st}");
    assert_eq!(field(&st, "signals"), Some("no"), "{st}");

    // mmcli prints the codes zero-padded (LAC 4, TAC 6, cell id 8 digits).
    let reg = &sc.registration;
    let (mcc, mnc) = sc.home.id.split_at(3);
    let loc = mmcli(&bus, &["-m", "0", "--location-get"]);
    assert_eq!(field(&loc, "operator mcc"), Some(mcc), "{loc}");
    assert_eq!(field(&loc, "operator mnc"), Some(mnc), "{loc}");
    let lac = format!("{:04X}", reg.lac);
    let tac = format!("{:06X}", reg.tac);
    let ci = format!("{:08X}", reg.cell_id);
    assert_eq!(field(&loc, "location area code"), Some(lac.as_str()));
    assert_eq!(field(&loc, "tracking area code"), Some(tac.as_str()));
    assert_eq!(field(&loc, "cell id"), Some(ci.as_str()), "{loc}");
    let j: serde_json::Value =
        serde_json::from_str(&mmcli(&bus, &["-m", "0", "--location-get", "-J"])).expect("json");
    assert_eq!(j["modem"]["location"]["3gpp"]["cid"], ci.as_str(), "{j}");

    // The scenario's NITZ is 10:20:30 UTC in a zone one hour east.
    let t = mmcli(&bus, &["-m", "0", "--time"]);
    assert_eq!(field(&t, "current").map(|s| s.len()), Some(25), "{t}");
    assert!(t.contains("2026-11-25T11:20:30+01:00"), "{t}");
    let tz = sc.nitz.tz_offset.to_string();
    let dst = sc.nitz.dst_offset.to_string();
    assert!(
        t.lines()
            .any(|l| l.contains("current:") && l.ends_with(&format!(" {tz}"))),
        "{t}"
    );
    assert_eq!(field(&t, "dst offset"), Some(dst.as_str()), "{t}");

    // GPS is not there to enable; MM's error name, no crash.
    let out = std::process::Command::new("mmcli")
        .args(["-m", "0", "--location-enable-gps-raw"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .output()
        .expect("run mmcli");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("Error.Core.Unsupported"), "{err}");

    // Signalled location, then a disabled modem has none to give.
    let s = mmcli(&bus, &["-m", "0", "--location-set-enable-signal"]);
    assert!(s.contains("successfully"), "{s}");
    let st = mmcli(&bus, &["-m", "0", "--location-status"]);
    assert_eq!(field(&st, "signals"), Some("yes"), "{st}");
    assert!(mmcli(&bus, &["-m", "0", "-d"]).contains("successfully disabled"));
    let out = std::process::Command::new("mmcli")
        .args(["-m", "0", "--location-get"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .output()
        .expect("run mmcli");
    assert!(!out.status.success(), "no location while disabled");
}
