//! `org.mbimd.Modem1.DataUsage` end to end: the daemon in-process on a
//! private bus with a simulated modem whose traffic the test ramps up
//! (`SimControl::add_traffic`), sampled every 50 ms. Checks the 5 % rule
//! through the D-Bus signals (one per threshold, payloads), the 100 MB and
//! roaming 5 MB variants, silence when the plan disables notifications, the
//! usage-over-period and connectivity-interval queries against the traffic
//! sent, and a daemon restart in the middle of a ramp.

mod bus;

use bus::PrivateBus;
use dbus_interfaces::names::IFACE_MBIMD_DATA_USAGE;
use dbus_interfaces::proxies::SimpleProxy;
use dbus_interfaces::{BUS_NAME, Dict};
use futures_util::StreamExt;
use mbim_proto::services::basic_connect::RegisterState;
use mbimd::daemon::{Bus, Daemon, connect};
use mbimd::dbus::Policy;
use mbimd::manager::UsageConfig;
use mbimd::sim::scenario::EventKind;
use mbimd::sim::{Scenario, SimControl};
use mbimd::usage::service::SamplerConfig;
use mbimd::usage::store::UsageStore;
use std::time::Duration;
use zbus::{MatchRule, MessageStream, OwnedVariant};

const MODEM0: &str = "/org/freedesktop/ModemManager1/Modem/0";
const MB: u64 = 1_000_000;
/// What the simulator counts when a session connects (builtin scenario).
const CONNECT_RX: u64 = 4096;
const CONNECT_TX: u64 = 1024;
const WAIT: Duration = Duration::from_secs(30);

fn v<'a, T: Into<zbus::Variant<'a>>>(x: T) -> OwnedVariant {
    x.into().try_into_owned().expect("owned")
}

fn dict(items: Vec<(&str, OwnedVariant)>) -> Dict {
    items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

struct Running {
    daemon: Daemon,
    sim: SimControl,
    client: zbus::Connection,
    signals: MessageStream,
}

async fn start(bus: &PrivateBus, store: &std::path::Path) -> Running {
    let conn = connect(&Bus::Address(bus.address.clone()))
        .await
        .expect("bus");
    let mut daemon = Daemon::serve(
        conn,
        Policy {
            allowed_uids: Vec::new(),
            allow_all: true,
            apps: None,
        },
    )
    .await
    .expect("serve");
    daemon.manager.set_usage(UsageConfig {
        store: UsageStore::open(store).await.expect("usage store"),
        sampler: SamplerConfig {
            interval: Duration::from_millis(50),
        },
        sysfs: "/nonexistent".into(),
    });
    daemon.add_sims(&Scenario::builtin(), 1);
    daemon.settle(WAIT).await;
    daemon.own_name(BUS_NAME).await.expect("name");
    let sim = daemon.manager.sim("sim0").expect("sim").control();
    let client = bus.client().await;
    let rule = MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path(MODEM0)
        .build()
        .expect("rule");
    let signals = MessageStream::for_match_rule(rule, &client, std::num::NonZeroUsize::new(1024))
        .await
        .expect("match");
    Running {
        daemon,
        sim,
        client,
        signals,
    }
}

impl Running {
    async fn usage(&self) -> zbus::Proxy<'static> {
        zbus::Proxy::new(&self.client, BUS_NAME, MODEM0, IFACE_MBIMD_DATA_USAGE)
            .await
            .expect("proxy")
    }

    async fn set_plan(&self, plan: Dict) {
        let p = self.usage().await;
        let _: () = p.call("SetPlan", &(plan,)).await.expect("SetPlan");
    }

    async fn connect(&self) {
        let simple = SimpleProxy::builder(&self.client)
            .path(MODEM0)
            .build()
            .await
            .expect("proxy");
        simple
            .connect(dict(vec![
                ("apn", v("internet")),
                ("allow-roaming", v(true)),
            ]))
            .await
            .expect("Simple.Connect");
    }

    /// Collect usage signals until DataPlanStatus shows `used` bytes (the
    /// status is published after the events of the same step).
    async fn signals_until_used(&mut self, used: u64) -> Vec<(String, Dict)> {
        let mut got = Vec::new();
        let fut = async {
            while let Some(Ok(m)) = self.signals.next().await {
                let h = m.header();
                let (Some(iface), Some(member)) = (h.interface(), h.member()) else {
                    continue;
                };
                if iface.as_str() == IFACE_MBIMD_DATA_USAGE {
                    let (d,): (Dict,) = m.body().deserialize().expect("a{sv}");
                    got.push((member.to_string(), d));
                } else if iface.as_str() == "org.freedesktop.DBus.Properties" {
                    let (name, changed, _): (String, Dict, Vec<String>) =
                        m.body().deserialize().expect("PropertiesChanged");
                    if name != IFACE_MBIMD_DATA_USAGE {
                        continue;
                    }
                    if let Some(s) = changed.get("DataPlanStatus") {
                        let s = Dict::try_from(s.clone()).expect("dict");
                        let u = s
                            .get("used-bytes")
                            .map(|x| u64::try_from(x.clone()).expect("t"));
                        if u == Some(used) {
                            return;
                        }
                    }
                }
            }
            panic!("signal stream ended");
        };
        tokio::time::timeout(WAIT, fut)
            .await
            .unwrap_or_else(|_| panic!("DataPlanStatus never showed {used} bytes used"));
        got
    }
}

fn thresholds(sigs: &[(String, Dict)]) -> Vec<Dict> {
    sigs.iter()
        .filter(|(n, _)| n == "UsageThresholdReached")
        .map(|(_, d)| d.clone())
        .collect()
}

fn t(d: &Dict, k: &str) -> u64 {
    u64::try_from(d.get(k).unwrap_or_else(|| panic!("no {k}")).clone()).expect("t")
}

fn plan(limit_mb: Option<u32>, notify: bool) -> Dict {
    let mut d = dict(vec![
        ("name", v("Test")),
        ("plan-type", v("Fixed")),
        ("usage-notifications", v(notify)),
    ]);
    if let Some(l) = limit_mb {
        d.insert("data-limit-megabytes".into(), v(l));
    }
    d
}

/// Ramp: `steps` × (`rx`, `tx`) bytes, a little apart so several samples
/// see it (some steps still share a sample).
async fn ramp(sim: &SimControl, steps: u64, rx: u64, tx: u64) {
    for i in 0..steps {
        sim.add_traffic(rx, tx);
        if i % 3 == 0 {
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_percent_rule_fires_once_per_threshold_with_its_payload() {
    let dir = tempfile::tempdir().expect("dir");
    let bus = PrivateBus::start();
    let mut r = start(&bus, &dir.path().join("usage.sqlite")).await;
    r.set_plan(plan(Some(100), true)).await;
    r.connect().await;
    // 25 × 4 MB = 100 MB on a 100 MB plan: 5 %, 10 %, ... 100 %.
    ramp(&r.sim, 25, 3 * MB, MB).await;
    let used = 100 * MB + CONNECT_RX + CONNECT_TX;
    let sigs = r.signals_until_used(used).await;
    let th = thresholds(&sigs);
    let got: Vec<u64> = th.iter().map(|d| t(d, "threshold-bytes")).collect();
    let want: Vec<u64> = (1..=20).map(|k| k * 5 * MB).collect();
    assert_eq!(got, want, "one event per threshold, in order");
    for (k, d) in th.iter().enumerate() {
        assert_eq!(
            u32::try_from(d["percent"].clone()).expect("u"),
            (k as u32 + 1) * 5
        );
        assert_eq!(t(d, "limit-bytes"), 100 * MB);
        assert_eq!(t(d, "step-bytes"), 5 * MB);
        assert!(t(d, "used-bytes") >= t(d, "threshold-bytes"));
        assert!(!bool::try_from(d["roaming"].clone()).expect("b"));
    }
    let seqs: Vec<u64> = th.iter().map(|d| t(d, "sequence")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // Reaching the limit makes the account over-limit and the cost says so.
    assert!(
        sigs.iter().any(|(n, d)| n == "AccountStatusChanged"
            && String::try_from(d["status"].clone()).expect("s") == "over-limit"),
        "{sigs:?}"
    );
    let cost: Dict = r.usage().await.get_property("Cost").await.expect("Cost");
    assert!(bool::try_from(cost["over-data-limit"].clone()).expect("b"));
    assert!(bool::try_from(cost["metered"].clone()).expect("b"));
    let flags = u32::try_from(cost["flags"].clone()).expect("u");
    assert_eq!(flags, 0x2 | 0x1_0000, "FIXED | OVERDATALIMIT");

    // The period query returns exactly the traffic sent.
    let p = r.usage().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let all: Vec<(u64, u64, u64)> = p
        .call("GetNetworkUsage", &(0u64, now + 3600, 0u64))
        .await
        .expect("GetNetworkUsage");
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].1, all[0].2),
        (75 * MB + CONNECT_RX, 25 * MB + CONNECT_TX)
    );
    let hourly: Vec<(u64, u64, u64)> = p
        .call("GetNetworkUsage", &(now - 7200, now + 3600, 3600u64))
        .await
        .expect("GetNetworkUsage");
    assert_eq!(hourly.len(), 3);
    assert_eq!(hourly.iter().map(|b| b.1 + b.2).sum::<u64>(), used);
    // Connected once, still connected: one open interval.
    let iv: Vec<(u64, u64)> = p
        .call("GetConnectivityIntervals", &(0u64, now + 3600))
        .await
        .expect("GetConnectivityIntervals");
    assert_eq!(iv.len(), 1, "{iv:?}");
    assert!(iv[0].0 <= now && iv[0].0 + 120 >= now, "{iv:?}");

    // mbcli shows the same figures.
    let addr = bus.address.clone();
    let svg = dir.path().join("usage.svg");
    let svg_arg = svg.to_str().expect("utf8").to_string();
    let (summary, json, hist, wrote) = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_mbcli"))
                .args(args)
                .output()
                .expect("mbcli");
            assert!(o.status.success(), "mbcli {args:?}: {o:?}");
            String::from_utf8(o.stdout).expect("utf8")
        };
        (
            run(&["usage", "--address", &addr]),
            run(&["usage", "--address", &addr, "--json"]),
            run(&["usage", "history", "--address", &addr, "--days", "2"]),
            run(&["usage", "history", "--address", &addr, "--svg", &svg_arg]),
        )
    })
    .await
    .expect("mbcli runs");
    assert!(summary.contains("Test (Fixed)"), "{summary}");
    assert!(summary.contains("100.0%"), "{summary}");
    assert!(summary.contains("over-limit"), "{summary}");
    let j: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(j["data-plan-status"]["used-bytes"], serde_json::json!(used));
    assert_eq!(hist.lines().count(), 2, "{hist}");
    assert!(
        hist.lines().last().expect("today").contains("100.01 MB"),
        "{hist}"
    );
    assert!(wrote.contains("usage.svg"));
    let svg = std::fs::read_to_string(&svg).expect("svg written");
    assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    drop(r.daemon);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_limit_every_100_mb_and_roaming_every_5_mb() {
    let dir = tempfile::tempdir().expect("dir");
    let bus = PrivateBus::start();
    let mut r = start(&bus, &dir.path().join("usage.sqlite")).await;
    r.set_plan(plan(None, true)).await;
    r.connect().await;
    ramp(&r.sim, 21, 10 * MB, 3 * MB).await;
    let used = 273 * MB + CONNECT_RX + CONNECT_TX;
    let th = thresholds(&r.signals_until_used(used).await);
    let got: Vec<u64> = th.iter().map(|d| t(d, "threshold-bytes")).collect();
    assert_eq!(got, vec![100 * MB, 200 * MB]);
    assert!(th.iter().all(|d| !d.contains_key("percent")));

    // Roaming: the step is 5 MB from the usage reached (the change re-bases
    // without a burst).
    r.sim.trigger(EventKind::Register {
        state: RegisterState::ROAMING,
        provider_id: String::new(),
        provider_name: String::new(),
    });
    // Wait for the roaming status to be seen.
    let p = r.usage().await;
    let mut roaming = false;
    for _ in 0..600 {
        let cost: Dict = p.get_property("Cost").await.expect("Cost");
        roaming = bool::try_from(cost["roaming"].clone()).expect("b");
        if roaming {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(roaming, "registration on a roaming network shows in Cost");
    ramp(&r.sim, 6, 4 * MB, 0).await;
    let used2 = used + 24 * MB;
    let th = thresholds(&r.signals_until_used(used2).await);
    let got: Vec<u64> = th.iter().map(|d| t(d, "threshold-bytes")).collect();
    let want: Vec<u64> = (used / (5 * MB) + 1..=used2 / (5 * MB))
        .map(|k| k * 5 * MB)
        .collect();
    assert_eq!(got, want);
    assert!(
        th.iter()
            .all(|d| bool::try_from(d["roaming"].clone()).expect("b"))
    );
    assert!(th.iter().all(|d| t(d, "step-bytes") == 5 * MB));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_progress_events_when_the_plan_disables_them() {
    let dir = tempfile::tempdir().expect("dir");
    let bus = PrivateBus::start();
    let mut r = start(&bus, &dir.path().join("usage.sqlite")).await;
    r.set_plan(plan(Some(100), false)).await;
    r.connect().await;
    ramp(&r.sim, 10, 5 * MB, MB).await;
    let sigs = r
        .signals_until_used(60 * MB + CONNECT_RX + CONNECT_TX)
        .await;
    assert!(thresholds(&sigs).is_empty(), "{sigs:?}");
    assert!(
        sigs.iter().any(|(n, d)| n == "NetworkStatusChanged"
            && String::try_from(d["change"].clone()).expect("s") == "connected"),
        "connect is announced: {sigs:?}"
    );
    // An operator figure through SetUsage replaces the estimate; local
    // traffic after it adds to it.
    let p = r.usage().await;
    let _: () = p
        .call(
            "SetUsage",
            &(dict(vec![
                ("megabytes-used", v(20u32)),
                ("congested", v(true)),
            ]),),
        )
        .await
        .expect("SetUsage");
    r.signals_until_used(20 * MB).await;
    ramp(&r.sim, 2, 3 * MB, 0).await;
    r.signals_until_used(26 * MB).await;
    let status: Dict = p.get_property("DataPlanStatus").await.expect("status");
    assert!(status.contains_key("last-sync-time"));
    let cost: Dict = p.get_property("Cost").await.expect("Cost");
    assert!(bool::try_from(cost["congested"].clone()).expect("b"));
    assert!(
        p.call::<_, _, ()>("SetUsage", &(dict(vec![("bogus", v(1u32))]),))
            .await
            .is_err(),
        "unknown keys are refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_cycle_loses_nothing_and_repeats_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("usage.sqlite");
    let bus = PrivateBus::start();
    let first_used = 32 * MB + CONNECT_RX + CONNECT_TX;
    {
        let mut r = start(&bus, &store).await;
        r.set_plan(plan(Some(100), true)).await;
        r.connect().await;
        ramp(&r.sim, 8, 4 * MB, 0).await;
        let got: Vec<u64> = thresholds(&r.signals_until_used(first_used).await)
            .iter()
            .map(|d| t(d, "threshold-bytes"))
            .collect();
        assert_eq!(
            got,
            vec![5 * MB, 10 * MB, 15 * MB, 20 * MB, 25 * MB, 30 * MB]
        );
        let mut d = r.daemon;
        let _ = d.conn.release_name(BUS_NAME).await;
        d.manager.stop_all(&mut d.ended).await;
    }
    // A new daemon (a new simulator: its counters start again from zero).
    let mut r = start(&bus, &store).await;
    let status: Dict = r
        .usage()
        .await
        .get_property("DataPlanStatus")
        .await
        .expect("status");
    assert_eq!(
        t(&status, "used-bytes"),
        first_used,
        "usage survives the restart"
    );
    assert_eq!(
        String::try_from(status["plan-name"].clone()).expect("s"),
        "Test"
    );
    r.connect().await;
    ramp(&r.sim, 3, 4 * MB, 0).await;
    let used = first_used + 12 * MB + CONNECT_RX + CONNECT_TX;
    let got: Vec<u64> = thresholds(&r.signals_until_used(used).await)
        .iter()
        .map(|d| t(d, "threshold-bytes"))
        .collect();
    assert_eq!(
        got,
        vec![35 * MB, 40 * MB],
        "continues where it stopped, no repeats"
    );
}
