//! `mbcli raw --device` end to end: the built `mbcli sim` serves a pty, and
//! the built `mbcli raw` talks MBIM to it directly (no daemon) — caps, status,
//! PIN, scan, register, attach, connect/ip/disconnect, SMS list, USSD, a
//! generic request — in text and JSON, plus a device error and a bad path.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Sim {
    child: Child,
    link: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim(scenario: Option<&str>) -> Sim {
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("cdc-wdm-sim");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mbcli"));
    cmd.arg("sim").arg("--pty-link").arg(&link);
    if let Some(s) = scenario {
        let p = dir.path().join("scenario.toml");
        std::fs::write(&p, s).expect("write scenario");
        cmd.arg("--scenario").arg(p);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mbcli sim");
    // The simulator prints its link once it serves it.
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read link line");
    assert!(first.contains(link.to_str().expect("path")), "{first}");
    Sim {
        child,
        link,
        _dir: dir,
    }
}

fn raw(link: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .arg("raw")
        .arg("--device")
        .arg(link)
        .args(args)
        .output()
        .expect("run mbcli raw");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(link: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = raw(link, &a);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[test]
fn raw_commands_against_the_simulator() {
    let sim = start_sim(Some(
        r#"
[device]
imei = "356938035643809"
firmware = "RAW-TEST 2.0"
[sim]
imsi = "001019876543210"
[[apn]]
name = "internet"
ip_type = "ipv4"
ipv4 = "10.1.2.3/24"
ipv4_gateway = "10.1.2.1"
ipv4_dns = ["10.1.2.53"]
[[ussd]]
request = "*100#"
reply = "Credit 5.00"
"#,
    ));
    let l = &sim.link;

    let (code, out, err) = raw(l, &["caps"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("device_id: 356938035643809"), "{out}");
    let caps = json(l, &["caps"]);
    assert_eq!(caps["firmware_info"], "RAW-TEST 2.0");

    let st = json(l, &["status"]);
    assert_eq!(st["subscriber"]["subscriber_id"], "001019876543210");
    assert_eq!(st["registration"]["register_state"], "home");
    assert_eq!(st["radio"]["sw_radio_state"], "on");

    let pin = json(l, &["pin"]);
    assert_eq!(pin["pin"]["pin_state"], "unlocked");

    let scan = json(l, &["scan"]);
    assert!(
        scan["providers"].as_array().is_some_and(|a| !a.is_empty()),
        "{scan}"
    );
    let reg = json(l, &["register"]);
    assert_eq!(reg["register_state"], "home");
    let att = json(l, &["attach"]);
    assert_eq!(att["packet_service_state"], "attached");

    let c = json(l, &["connect", "--apn", "internet", "--ip-type", "ipv4"]);
    assert_eq!(c["connect"]["activation_state"], "activated");
    assert_eq!(c["ip"]["ipv4_address"][0]["ipv4_address"], "10.1.2.3");
    // The connection survives between runs, like on a real modem.
    let ip = json(l, &["ip"]);
    assert_eq!(ip["ipv4_gateway"], "10.1.2.1");
    let d = json(l, &["disconnect"]);
    assert_eq!(d["activation_state"], "deactivated");

    let sms = json(l, &["sms", "list"]);
    assert!(sms["messages"].is_array(), "{sms}");
    let u = json(l, &["ussd", "*100#"]);
    assert_eq!(u["text"], "Credit 5.00");

    let r = json(l, &["request", "basic-connect", "1"]);
    assert_eq!(
        r["decoded"]["payload"]["fields"]["device_id"],
        "356938035643809"
    );

    // A device error is reported with its status and exit code 1.
    let (code, _, err) = raw(l, &["connect", "--apn", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("invalid-access-string"), "{err}");
}

#[test]
fn raw_refuses_a_path_that_is_not_a_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("plain-file");
    std::fs::write(&f, b"x").expect("write");
    let (code, _, err) = raw(&f, &["caps"]);
    assert_ne!(code, 0);
    assert!(err.contains("not a character device"), "{err}");
    let (code, _, err) = raw(&dir.path().join("missing"), &["caps"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot open"), "{err}");
}
