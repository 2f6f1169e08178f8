//! mbimd on D-Bus, figures for issue 6 (run: `cargo bench --bench dbus`):
//! * daemon RSS when idle with 1 and with 64 simulated modems;
//! * start → bus name owned (all modems exported first);
//! * SIM ready → Connected: `Simple.Connect` on a registered modem with a
//!   zero-latency simulator, until the call returns with State = CONNECTED;
//! * ModemManager 1.20's idle RSS on the same private bus, when it can start.
//!
//! Prints figures; asserts nothing (a benchmark, not a test). To measure the
//! shipped build: `cargo build --profile daemon --bin mbimd` and
//! `MBIMD_BIN=target/daemon/mbimd cargo bench --bench dbus`.

use dbus_interfaces::proxies::{ModemProxy, SimpleProxy};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Bus {
    address: String,
    pid: String,
}

impl Bus {
    fn start() -> Bus {
        let out = Command::new("dbus-daemon")
            .args(["--session", "--print-address=1", "--print-pid=1", "--fork"])
            .output()
            .expect("dbus-daemon");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut l = text.lines();
        Bus {
            address: l.next().expect("address").trim().into(),
            pid: l.next().expect("pid").trim().into(),
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.pid).status();
    }
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn kib(file: &str, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(file).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn rss_kib(pid: u32) -> Option<u64> {
    kib(&format!("/proc/{pid}/status"), "VmRSS:")
}

/// "RSS N kB (anon A, file F; PSS P)": file pages are mostly code, shared
/// libraries included, so PSS and anon say more than RSS alone.
fn memory(pid: u32) -> String {
    let st = format!("/proc/{pid}/status");
    let g = |k| kib(&st, k).unwrap_or(0);
    let pss = kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:").unwrap_or(0);
    format!(
        "RSS {} kB (anon {} kB, file {} kB; PSS {} kB)",
        g("VmRSS:"),
        g("RssAnon:"),
        g("RssFile:"),
        pss
    )
}

async fn wait_name(conn: &zbus::Connection, name: &str, limit: Duration) -> bool {
    let dbus = zbus::fdo::DBusProxy::new(conn).await.expect("dbus");
    let start = Instant::now();
    while start.elapsed() < limit {
        let n = zbus::names::BusName::try_from(name).expect("name");
        if dbus.name_has_owner(n).await.unwrap_or(false) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    false
}

async fn client(bus: &Bus) -> zbus::Connection {
    zbus::connection::Builder::address(bus.address.as_str())
        .build()
        .await
        .expect("client")
}

/// Start mbimd with `n` simulated modems; returns (process, start → name owned).
async fn start_mbimd(bus: &Bus, n: usize) -> (Proc, Duration) {
    let conn = client(bus).await;
    let t0 = Instant::now();
    let child = Command::new(mbimd_bin())
        .args([
            "--address",
            &bus.address,
            "--sim",
            "--sim-count",
            &n.to_string(),
            "--log",
            "warn",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("mbimd");
    let p = Proc(child);
    assert!(wait_name(&conn, dbus_interfaces::BUS_NAME, Duration::from_secs(120)).await);
    (p, t0.elapsed())
}

/// The daemon to measure: `MBIMD_BIN` (e.g. the `daemon` profile build,
/// `target/daemon/mbimd`), else the binary built with the bench profile.
fn mbimd_bin() -> String {
    std::env::var("MBIMD_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_mbimd").to_string())
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("mbimd D-Bus benchmark; daemon binary: {}", mbimd_bin());

    // Idle RSS and start-up, 1 and 64 modems.
    let mut rss1 = None;
    for n in [1usize, 64] {
        let bus = Bus::start();
        let mut starts = Vec::new();
        let mut rss = 0;
        let mut mem = String::new();
        for _ in 0..3 {
            let (p, t) = start_mbimd(&bus, n).await;
            starts.push(t);
            tokio::time::sleep(Duration::from_secs(1)).await;
            rss = rss_kib(p.0.id()).unwrap_or(0);
            mem = memory(p.0.id());
            drop(p);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if n == 1 {
            rss1 = Some(rss);
        }
        println!(
            "mbimd, {n:>2} simulated modem(s): idle {mem}; start -> name owned (all modems exported) median {:.1} ms",
            median(&mut starts).as_secs_f64() * 1e3
        );
    }

    // SIM ready (registered) -> Connected, through D-Bus.
    {
        let bus = Bus::start();
        let (_p, _) = start_mbimd(&bus, 1).await;
        let conn = client(&bus).await;
        let path = "/org/freedesktop/ModemManager1/Modem/0";
        let modem = ModemProxy::builder(&conn)
            .path(path)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .expect("modem");
        let simple = SimpleProxy::builder(&conn)
            .path(path)
            .build()
            .await
            .expect("simple");
        let root = zbus::ObjectPath::try_from("/").expect("root");
        let mut times = Vec::new();
        for _ in 0..50 {
            let mut d = dbus_interfaces::Dict::new();
            d.insert(
                "apn".into(),
                zbus::Variant::from("internet").try_into_owned().expect("v"),
            );
            let t = Instant::now();
            simple.connect(d).await.expect("connect");
            let connected = modem.state().await.expect("state") == 11;
            times.push(t.elapsed());
            assert!(connected);
            simple.disconnect(&root).await.expect("disconnect");
        }
        let min = *times.iter().min().expect("min");
        println!(
            "SIM ready -> Connected (Simple.Connect + State read, zero-latency simulator, 50 runs): median {:.2} ms, min {:.2} ms",
            median(&mut times).as_secs_f64() * 1e3,
            min.as_secs_f64() * 1e3
        );
    }

    // ModemManager 1.20 on the same kind of private bus.
    let bus = Bus::start();
    let mm = Command::new("/usr/sbin/ModemManager")
        .args([
            "--debug",
            "--test-no-udev",
            "--test-no-suspend-resume",
            "--test-no-qrtr",
            "--no-auto-scan",
        ])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match mm {
        Err(e) => println!("ModemManager: could not start ({e})"),
        Ok(child) => {
            let p = Proc(child);
            let conn = client(&bus).await;
            if wait_name(
                &conn,
                "org.freedesktop.ModemManager1",
                Duration::from_secs(30),
            )
            .await
            {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let rss = rss_kib(p.0.id()).unwrap_or(0);
                let ratio = rss1.map(|r| r as f64 / rss.max(1) as f64).unwrap_or(0.0);
                println!(
                    "ModemManager 1.20 idle (no modem): {}; mbimd RSS with 1 simulated modem = {ratio:.2} x ModemManager's",
                    memory(p.0.id())
                );
            } else {
                println!("ModemManager: did not own its name on the private bus within 30 s");
            }
        }
    }
}
