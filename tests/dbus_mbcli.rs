//! `mbcli` daemon mode end-to-end: `mbimd --sim` on a private bus, then
//! `mbcli list/show/connect/signal/scan/disconnect/watch/sms` over D-Bus,
//! human and JSON output checked against the built-in scenario.

mod bus;

use bus::{Daemon, PrivateBus};
use mbimd::sim::Scenario;
use std::process::Command;

fn mbcli(bus: &PrivateBus, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(args)
        .arg("--address")
        .arg(&bus.address)
        .output()
        .expect("run mbcli");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(bus: &PrivateBus, args: &[&str]) -> String {
    let (success, out, err) = mbcli(bus, args);
    assert!(success, "mbcli {args:?} failed: {out}{err}");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbcli_lists_shows_connects_and_watches_over_dbus() {
    let sc = Scenario::builtin();
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim"]).await;

    let list = ok(&bus, &["list"]);
    assert!(
        list.contains("/org/freedesktop/ModemManager1/Modem/0"),
        "{list}"
    );
    assert!(
        list.contains("registered") && list.contains(&sc.device.hardware),
        "{list}"
    );

    let j: serde_json::Value = serde_json::from_str(&ok(&bus, &["list", "--json"])).expect("json");
    assert_eq!(j["modems"][0]["state"], "registered");

    let show = ok(&bus, &["show", "0"]);
    assert!(show.contains(&sc.device.imei), "{show}");
    assert!(show.contains(&sc.home.name), "{show}");
    let j: serde_json::Value = serde_json::from_str(&ok(&bus, &["show", "--json"])).expect("json");
    assert_eq!(
        j["interfaces"]["org.freedesktop.ModemManager1.Modem"]["EquipmentIdentifier"],
        sc.device.imei.as_str()
    );

    // Start watching before connecting; its first line ("present") comes
    // after it subscribed, so nothing later is missed.
    let mut watcher = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(["watch", "--json", "--address", &bus.address])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("watch");
    let stdout = watcher.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("watch prints the present modems");
    assert!(first.contains("\"present\""), "{first}");

    let apn = &sc.apns[0];
    let c = ok(&bus, &["connect", "--apn", &apn.name]);
    let v4 = apn.ipv4.expect("v4");
    assert!(c.contains(&format!("{}/{}", v4.address, v4.prefix)), "{c}");
    let j: serde_json::Value =
        serde_json::from_str(&ok(&bus, &["connect", "--apn", &apn.name, "--json"])).expect("json");
    assert_eq!(
        j["bearer"], "/org/freedesktop/ModemManager1/Bearer/0",
        "same bearer reused"
    );
    assert_eq!(j["ipv4"]["address"], v4.address.to_string());

    let s = ok(&bus, &["signal"]);
    assert!(
        s.contains(&format!("{:.1}", -113.0 + 2.0 * f64::from(sc.signal.rssi))),
        "{s}"
    );
    let scan = ok(&bus, &["scan"]);
    assert!(
        scan.contains(&sc.networks[1].name) && scan.contains("forbidden"),
        "{scan}"
    );
    assert!(ok(&bus, &["disconnect"]).contains("disconnected"));
    assert!(ok(&bus, &["show"]).contains("registered"));
    assert!(ok(&bus, &["sms", "list"]).contains("No messages"));
    let sent = ok(&bus, &["sms", "send", "--number", "+1555", "--text", "hi"]);
    assert!(
        sent.contains("sent: /org/freedesktop/ModemManager1/SMS/"),
        "{sent}"
    );

    // The watcher saw connecting → connected → disconnecting → registered.
    let mut states = Vec::new();
    while states.len() < 4 {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("state events");
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON lines");
        if v["event"] == "state" {
            states.push(v["new"].as_str().unwrap_or_default().to_string());
        }
    }
    let _ = Command::new("kill").arg(watcher.id().to_string()).status();
    let _ = watcher.wait();
    assert_eq!(
        states,
        ["connecting", "connected", "disconnecting", "registered"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbcli_reports_a_missing_daemon_cleanly() {
    let bus = PrivateBus::start();
    let (success, _, err) = mbcli(&bus, &["list"]);
    assert!(!success);
    assert!(err.contains("not running"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbcli_show_includes_the_serving_cell_and_network_time_where_present() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/location-time.toml");
    let sc = Scenario::load(&path).expect("scenario");
    let bus = PrivateBus::start();
    let d = Daemon::start(&bus, &["--sim", path.to_str().expect("utf8")]).await;
    let reg = &sc.registration;
    let (mcc, mnc) = sc.home.id.split_at(3);
    let (mcc, mnc): (u32, u32) = (mcc.parse().expect("mcc"), mnc.parse().expect("mnc"));

    let show = ok(&bus, &["show"]);
    let cell = format!(
        "MCC {mcc}, MNC {mnc}, LAC {:X}, TAC {:X}, cell {:X}",
        reg.lac, reg.tac, reg.cell_id
    );
    assert!(show.contains(&cell), "{show}");
    // The scenario's NITZ: 10:20:30 UTC, one hour east.
    assert!(
        show.contains("network time: 2026-11-25T11:20:30+01:00"),
        "{show}"
    );
    assert!(
        show.contains(&format!(
            "time zone: UTC{:+} min (DST {:+} min)",
            sc.nitz.tz_offset, sc.nitz.dst_offset
        )),
        "{show}"
    );

    let j: serde_json::Value = serde_json::from_str(&ok(&bus, &["show", "--json"])).expect("json");
    assert_eq!(
        j["location"]["3gpp"],
        format!("{mcc},{mnc},{:X},{:X},{:X}", reg.lac, reg.cell_id, reg.tac).as_str(),
        "{j}"
    );
    assert_eq!(j["network-time"], "2026-11-25T11:20:30+01:00");
    assert_eq!(j["network-timezone"]["offset"], sc.nitz.tz_offset);
    assert_eq!(j["network-timezone"]["dst-offset"], sc.nitz.dst_offset);
    drop(d);
    drop(bus);

    // The built-in modem (MBIM 1.0, no MS Basic Connect Extensions) has no
    // serving cell to show.
    let bus = PrivateBus::start();
    let _d = Daemon::start(&bus, &["--sim"]).await;
    let show = ok(&bus, &["show"]);
    assert!(!show.contains("location:"), "{show}");
    assert!(show.contains("network time:"), "{show}");
    let j: serde_json::Value = serde_json::from_str(&ok(&bus, &["show", "--json"])).expect("json");
    assert!(j.get("location").is_none(), "{j}");
}
