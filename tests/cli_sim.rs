//! `mbcli sim` end to end: the built binary prints its link, serves several
//! `mbimcli` runs in a row from an example scenario file, stops on SIGTERM
//! and removes its link; a scenario with a mistake is refused with the file,
//! line and field.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn mbimcli_present() -> bool {
    let found = Command::new("mbimcli")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("mbimcli is not installed (package libmbim-utils); CI must have it");
        }
        eprintln!("NOTICE: mbimcli not installed; skipping");
    }
    found
}

fn mbimcli(link: &std::path::Path, arg: &str) -> String {
    let out = Command::new("mbimcli")
        .arg("-d")
        .arg(link)
        .arg(arg)
        .output()
        .expect("run mbimcli");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "mbimcli {arg}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn serves_mbimcli_runs_from_a_scenario_file_until_terminated() {
    if !mbimcli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("wwan-sim");
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/pin-locked-roaming.toml"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(["sim", "--scenario", scenario, "--pty-link"])
        .arg(&link)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mbcli sim");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim_end(), link.display().to_string());
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let caps = mbimcli(&link, "--query-device-caps");
    assert!(caps.contains("Device ID: '356938035643809'"), "{caps}");
    let pin = mbimcli(&link, "--query-pin-state");
    assert!(pin.contains("PIN state: 'locked'"), "{pin}");
    mbimcli(&link, "--enter-pin=0000");
    let reg = mbimcli(&link, "--query-registration-state");
    assert!(reg.contains("Register state: 'roaming'"), "{reg}");
    assert!(reg.contains("Provider name: 'Partner DE'"), "{reg}");
    assert!(reg.contains("Roaming text: 'Welcome to Germany'"), "{reg}");

    // SIGTERM to the child we started, by its pid.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "link left behind"
    );
}

#[test]
fn refuses_a_scenario_with_a_mistake_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[device]\nimei = \"1\"\n\n[sim]\npin_retires = 3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mbcli"))
        .args(["sim", "--pty-link"])
        .arg(dir.path().join("link"))
        .arg("--scenario")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:5:", bad.display())), "{err}");
    assert!(err.contains("pin_retires"), "{err}");
    assert!(!dir.path().join("link").exists());
}
