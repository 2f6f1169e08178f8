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
