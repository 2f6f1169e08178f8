//! Data-usage figures for issue 10 (run: `cargo bench --bench usage`):
//! * CPU per sample with 256 modems each sampled every second (simulated
//!   time: 60 rounds of 256 samples, as fast as they go): the engine step
//!   alone, plus the sysfs counter read (`lo`'s statistics), plus the
//!   SQLite commit the daemon makes per sample (WAL, one transaction each);
//! * query time over a year of hourly samples: usage per day, per hour,
//!   the whole year in one bucket, and connectivity intervals.
//!
//! CPU time is the process's user + system time from /proc/self/stat
//! (single-threaded runtime, so it is the work done). Prints figures;
//! asserts nothing (a benchmark, not a test).

use mbimd::usage::counters::CounterSource;
use mbimd::usage::engine::{Engine, NetworkStatus, RawCounters};
use mbimd::usage::plan::{MEGABYTE, Plan, PlanType};
use mbimd::usage::store::{Commit, UsageStore};
use std::time::{Duration, Instant};

const MODEMS: usize = 256;
const ROUNDS: i64 = 60;
const T0: i64 = 1_760_000_000;

/// Process CPU time (user + system) in seconds.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn plan() -> Plan {
    Plan {
        name: "Bench".into(),
        plan_type: PlanType::Fixed,
        data_limit_megabytes: Some(10_000),
        usage_notifications: true,
        ..Plan::default()
    }
}

fn engines() -> Vec<Engine> {
    (0..MODEMS)
        .map(|_| {
            let mut e = Engine::new();
            e.handle_network(
                T0,
                NetworkStatus {
                    connected: true,
                    internet: true,
                    roaming: false,
                },
            );
            e.handle_plan(T0, Some(plan()));
            e.handle_counters(T0, 0, RawCounters::default());
            while e.poll_event().is_some() {}
            while e.poll_interval().is_some() {}
            e
        })
        .collect()
}

fn report(label: &str, samples: usize, wall: Duration, cpu_s: f64) {
    if cpu_s < 0.05 {
        // Under a few /proc ticks (10 ms each): single-threaded and CPU
        // bound, so wall time is the better figure.
        println!(
            "{label:<44} {:>8.3} µs wall/sample (CPU below /proc's resolution)",
            wall.as_secs_f64() * 1e6 / samples as f64
        );
        return;
    }
    println!(
        "{label:<44} {:>8.2} µs CPU/sample  {:>8.2} µs wall/sample  ({:.1}% of one core at 256 samples/s)",
        cpu_s * 1e6 / samples as f64,
        wall.as_secs_f64() * 1e6 / samples as f64,
        cpu_s / samples as f64 * MODEMS as f64 * 100.0,
    );
}

async fn sampling() {
    let n = MODEMS * ROUNDS as usize;
    // Engine only.
    let mut es = engines();
    let (w, c) = (Instant::now(), cpu());
    let mut events = 0usize;
    for r in 1..=ROUNDS {
        for (i, e) in es.iter_mut().enumerate() {
            let total = (r as u64) * 1_000_000 + i as u64;
            e.handle_network(
                T0 + r,
                NetworkStatus {
                    connected: true,
                    internet: true,
                    roaming: false,
                },
            );
            e.handle_counters(
                T0 + r,
                0,
                RawCounters {
                    rx: total,
                    tx: total / 4,
                },
            );
            e.handle_tick(T0 + r);
            while e.poll_sample().is_some() {}
            while e.poll_event().is_some() {
                events += 1;
            }
        }
    }
    report("engine step", n, w.elapsed(), cpu() - c);
    println!("  ({events} progress/status events over {n} samples)");

    // Engine + reading counters from sysfs.
    let src = CounterSource::Sysfs("/sys/class/net/lo/statistics".into());
    if src.read().await.is_ok() {
        let mut es = engines();
        let (w, c) = (Instant::now(), cpu());
        for r in 1..=ROUNDS {
            for e in es.iter_mut() {
                let raw = src.read().await.unwrap_or_default();
                e.handle_counters(T0 + r, 0, raw);
                e.handle_tick(T0 + r);
                while e.poll_sample().is_some() {}
                while e.poll_event().is_some() {}
            }
        }
        report("engine step + sysfs read", n, w.elapsed(), cpu() - c);
    }

    // Engine + SQLite commit per sample (what the daemon does).
    let dir = tempfile::tempdir().expect("dir");
    let store = UsageStore::open(&dir.path().join("usage.sqlite"))
        .await
        .expect("store");
    let mut es = engines();
    let names: Vec<String> = (0..MODEMS).map(|i| format!("modem{i}")).collect();
    let (w, c) = (Instant::now(), cpu());
    for r in 1..=ROUNDS {
        for (i, e) in es.iter_mut().enumerate() {
            let total = (r as u64) * 1_000_000 + i as u64;
            e.handle_counters(
                T0 + r,
                0,
                RawCounters {
                    rx: total,
                    tx: total / 4,
                },
            );
            e.handle_tick(T0 + r);
            let samples: Vec<_> = std::iter::from_fn(|| e.poll_sample()).collect();
            let events: Vec<_> = std::iter::from_fn(|| e.poll_event()).collect();
            store
                .commit(
                    &names[i],
                    Commit {
                        state: e.state(),
                        samples: &samples,
                        intervals: &[],
                        events: &events,
                    },
                )
                .await
                .expect("commit");
            if let Some(last) = events.last() {
                store.ack(&names[i], last.sequence).await.expect("ack");
            }
        }
    }
    report("engine step + SQLite commit", n, w.elapsed(), cpu() - c);
    store.close().await;
}

async fn queries() {
    let dir = tempfile::tempdir().expect("dir");
    let store = UsageStore::open(&dir.path().join("usage.sqlite"))
        .await
        .expect("store");
    // A year of hourly samples for one modem (and a neighbour, so the
    // index has to pick), connected 8 h a day.
    let mut e = Engine::new();
    e.handle_plan(T0, Some(plan()));
    e.handle_counters(T0, 0, RawCounters::default());
    let hours = 365 * 24;
    let (mut rx, mut tx) = (0u64, 0u64);
    let fill = Instant::now();
    for h in 1..=hours {
        let t = T0 + h * 3600;
        let day_hour = h % 24;
        e.handle_network(
            t,
            NetworkStatus {
                connected: (8..16).contains(&day_hour),
                internet: true,
                roaming: false,
            },
        );
        rx += 3 * MEGABYTE + (h as u64 % 7) * 100_000;
        tx += MEGABYTE / 2;
        e.handle_counters(t, 0, RawCounters { rx, tx });
        e.handle_tick(t);
        let samples: Vec<_> = std::iter::from_fn(|| e.poll_sample()).collect();
        let intervals: Vec<_> = std::iter::from_fn(|| e.poll_interval()).collect();
        let events: Vec<_> = std::iter::from_fn(|| e.poll_event()).collect();
        for name in ["year", "other"] {
            store
                .commit(
                    name,
                    Commit {
                        state: e.state(),
                        samples: &samples,
                        intervals: &intervals,
                        events: &events,
                    },
                )
                .await
                .expect("commit");
        }
    }
    println!(
        "filled {} hourly samples × 2 modems in {:.2} s",
        hours,
        fill.elapsed().as_secs_f64()
    );
    let from = u64::try_from(T0).unwrap_or(0);
    let to = from + u64::try_from(hours * 3600 + 1).unwrap_or(0);
    let time = |label: &str, reps: u32, d: Duration, n: usize| {
        println!(
            "{label:<44} {:>8.3} ms/query  ({n} buckets)",
            d.as_secs_f64() * 1e3 / f64::from(reps)
        );
    };
    for (label, g, reps) in [
        ("GetNetworkUsage, year, per day", 86_400u64, 50u32),
        ("GetNetworkUsage, year, per hour", 3_600, 20),
        ("GetNetworkUsage, year, one bucket", 0, 50),
    ] {
        let start = Instant::now();
        let mut n = 0;
        for _ in 0..reps {
            n = store
                .network_usage("year", from, to, g)
                .await
                .expect("query")
                .len();
        }
        time(label, reps, start.elapsed(), n);
    }
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..50 {
        n = store
            .connectivity_intervals("year", from, to, T0 + hours * 3600)
            .await
            .expect("query")
            .len();
    }
    time("GetConnectivityIntervals, year", 50, start.elapsed(), n);
    store.close().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("== sampling: {MODEMS} modems × {ROUNDS} rounds (1 s apart in engine time)");
    rt.block_on(sampling());
    println!("== queries over a year of hourly samples");
    rt.block_on(queries());
}
