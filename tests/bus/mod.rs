//! Test helpers: a private `dbus-daemon` per test, and the `mbimd` binary
//! started on it. Both are killed on drop.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private bus started with `dbus-daemon --session --fork`.
pub struct PrivateBus {
    pub address: String,
    pid: i32,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        let out = Command::new("dbus-daemon")
            .args(["--session", "--print-address=1", "--print-pid=1", "--fork"])
            .output()
            .expect("dbus-daemon must be installed (package dbus-daemon)");
        assert!(out.status.success(), "dbus-daemon failed: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let address = lines.next().expect("address").trim().to_string();
        let pid = lines
            .next()
            .expect("pid")
            .trim()
            .parse()
            .expect("pid number");
        PrivateBus { address, pid }
    }

    pub async fn client(&self) -> zbus::Connection {
        zbus::connection::Builder::address(self.address.as_str())
            .build()
            .await
            .expect("connect to the private bus")
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
    }
}

/// The `mbimd` binary serving on a private bus.
pub struct Daemon {
    pub child: Child,
}

impl Daemon {
    /// Start `mbimd --address BUS extra...` and wait until it owns the name.
    pub async fn start(bus: &PrivateBus, extra: &[&str]) -> Daemon {
        let child = Command::new(env!("CARGO_BIN_EXE_mbimd"))
            .arg("--address")
            .arg(&bus.address)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mbimd");
        let d = Daemon { child };
        wait_for_name(bus).await;
        d
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Wait (at most 60 s) until the ModemManager1 name has an owner.
pub async fn wait_for_name(bus: &PrivateBus) {
    let conn = bus.client().await;
    let dbus = zbus::fdo::DBusProxy::new(&conn).await.expect("dbus proxy");
    let start = Instant::now();
    loop {
        let name = zbus::names::BusName::try_from(dbus_interfaces::BUS_NAME).expect("name");
        if dbus.name_has_owner(name).await.unwrap_or(false) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "mbimd did not own the name"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether Debian's `mmcli` is installed; skips (or fails under CI=true).
pub fn mmcli_present() -> bool {
    let found = Command::new("mmcli")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("mmcli is not installed (package modemmanager); CI must have it");
        }
        eprintln!("NOTICE: mmcli not installed; skipping the mmcli end-to-end test");
    }
    found
}

impl PrivateBus {
    /// A private bus any local user may connect to (the session
    /// configuration admits only its owner), for tests calling as another
    /// uid.
    pub fn start_open_to_all_users() -> PrivateBus {
        let dir = std::env::temp_dir().join(format!("mbimd-test-bus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("config dir");
        let config = dir.join(format!(
            "open-{}.conf",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::write(
            &config,
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        )
        .expect("write bus config");
        let out = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address=1", "--print-pid=1", "--fork"])
            .output()
            .expect("dbus-daemon must be installed (package dbus-daemon)");
        let _ = std::fs::remove_file(&config);
        assert!(out.status.success(), "dbus-daemon failed: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let address = lines.next().expect("address").trim().to_string();
        let pid = lines
            .next()
            .expect("pid")
            .trim()
            .parse()
            .expect("pid number");
        PrivateBus { address, pid }
    }
}
