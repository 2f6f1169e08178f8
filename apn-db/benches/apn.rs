//! APN database benchmark (apn-data.md §4.3 W2, W7, W8). Prints figures:
//! import of MBPI + LineageOS apns-conf into a fresh file; lookup of
//! 1,000,000 random IMSIs (fixed seed; 90% from known home networks with the
//! SIM's MNC length, 10% random MCC/MNC with unknown length) through the
//! in-memory index and through SQLite only; cold start (open + first lookup).
//!
//! `cargo bench -p apn-db --bench apn` (env `APN_BENCH_N` changes the number
//! of IMSIs, `MBIMD_SHARED_DATA` the data directory).

use apn_db::lookup::{Identity, MncLength, Plmn};
use apn_db::{ApnDb, ApnIndex, ImportOptions, Purpose};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MBIMD_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in manifest.ancestors() {
        for cand in [up.join("shared/data"), up.join("../shared/data")] {
            if cand.join("serviceproviders.xml").exists() {
                return cand;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// CPU time of the whole process (all threads, exited ones included) in ms,
/// from /proc/self/stat (utime + stime, 100 Hz ticks): a figure that does not
/// grow when other processes load the machine. `None` off Linux.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of proc(5); `after` starts at field 3.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// (imsi digits, mnc length given to the lookup)
fn workload(plmns: &[Plmn], n: usize) -> Vec<([u8; 15], Option<MncLength>)> {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| {
            let mut imsi = [b'0'; 15];
            let (prefix_len, len) = if rng.below(10) < 9 {
                let p = plmns[rng.below(plmns.len() as u64) as usize];
                let s = format!("{}{}", p.mcc_str(), p.mnc_str());
                imsi[..s.len()].copy_from_slice(s.as_bytes());
                (s.len(), MncLength::from_digits(p.mnc_digits))
            } else {
                let s = format!("{:03}{:02}", 200 + rng.below(600), rng.below(100));
                imsi[..5].copy_from_slice(s.as_bytes());
                (5, None)
            };
            for d in imsi.iter_mut().skip(prefix_len) {
                *d = b'0' + rng.below(10) as u8;
            }
            (imsi, len)
        })
        .collect()
}

fn main() {
    let n: usize = std::env::var("APN_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir();
    let files = [
        data.join("serviceproviders.xml"),
        data.join("apns-conf.xml"),
    ];

    // W8: import into a fresh file, 5 runs.
    let mut imports = Vec::new();
    let mut db_path = PathBuf::new();
    let cpu0 = cpu_ms();
    for run in 0..5 {
        let path = dir.path().join(format!("import{run}.db"));
        let t = Instant::now();
        rt.block_on(async {
            let db = ApnDb::open(&path).await.unwrap();
            for f in &files {
                db.import_file(f, &ImportOptions::default()).await.unwrap();
            }
            db.close().await;
        });
        imports.push(t.elapsed());
        db_path = path;
    }
    let import_cpu = cpu_ms().zip(cpu0).map(|(b, a)| (b - a) / 5.0);
    let t = Instant::now();
    rt.block_on(async {
        let db = ApnDb::open(&db_path).await.unwrap();
        for f in &files {
            assert!(
                db.import_file(f, &ImportOptions::default())
                    .await
                    .unwrap()
                    .unchanged
            );
        }
    });
    let reimport = t.elapsed();
    let size = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);
    println!(
        "import MBPI + apns-conf (open, create schema, 2 files, close): min {:.1} ms, median {:.1} ms; \
         CPU {:.0} ms per run; second import (unchanged) {:.1} ms; file {} KB",
        us(*imports.iter().min().unwrap()) / 1e3,
        us(pct(&mut imports.clone(), 0.5)) / 1e3,
        import_cpu.unwrap_or(f64::NAN),
        us(reimport) / 1e3,
        size / 1024
    );

    // W7: cold start (new handle on the existing file; OS page cache warm).
    let probe = Identity {
        imsi: Some("262011234567890".into()),
        mnc_length: Some(MncLength::Two),
        ..Default::default()
    };
    let (mut cold_sql, mut cold_idx) = (Vec::new(), Vec::new());
    let (mut cpu_sql, mut cpu_idx) = (0.0, 0.0);
    for _ in 0..5 {
        let c0 = cpu_ms().unwrap_or(0.0);
        let t = Instant::now();
        rt.block_on(async {
            let db = ApnDb::open(&db_path).await.unwrap();
            let l = db.lookup(&probe, Purpose::Internet, false).await.unwrap();
            assert!(!l.is_empty());
            db.close().await;
        });
        cold_sql.push(t.elapsed());
        let c1 = cpu_ms().unwrap_or(0.0);
        cpu_sql += c1 - c0;
        let t = Instant::now();
        rt.block_on(async {
            let db = ApnDb::open(&db_path).await.unwrap();
            let idx = ApnIndex::load(&db).await.unwrap();
            assert!(
                !idx.lookup(&probe, Purpose::Internet, false)
                    .unwrap()
                    .is_empty()
            );
            db.close().await;
        });
        cold_idx.push(t.elapsed());
        cpu_idx += cpu_ms().unwrap_or(0.0) - c1;
    }
    println!(
        "cold start: open + first SQLite lookup median {:.2} ms (CPU {:.0} ms); \
         open + load index + first lookup median {:.2} ms (CPU {:.0} ms)",
        us(pct(&mut cold_sql, 0.5)) / 1e3,
        cpu_sql / 5.0,
        us(pct(&mut cold_idx, 0.5)) / 1e3,
        cpu_idx / 5.0
    );

    // W2: 1M IMSIs.
    let db = rt.block_on(ApnDb::open(&db_path)).unwrap();
    let idx = rt.block_on(ApnIndex::load(&db)).unwrap();
    let plmns: Vec<Plmn> = idx.plmns().collect();
    let work = workload(&plmns, n);
    let mut id = Identity {
        imsi: Some(String::with_capacity(15)),
        ..Default::default()
    };
    let mut lat = Vec::with_capacity(n);
    let mut hits = 0usize;
    let total = Instant::now();
    for (imsi, len) in &work {
        let s = id.imsi.as_mut().unwrap();
        s.clear();
        s.push_str(std::str::from_utf8(imsi).unwrap());
        id.mnc_length = *len;
        let t = Instant::now();
        let r = idx.lookup_ref(&id, Purpose::Internet);
        let found = !r.selected.candidates.is_empty();
        std::hint::black_box(&r);
        lat.push(t.elapsed());
        hits += usize::from(found);
    }
    let total = total.elapsed();
    println!(
        "lookup, in-memory index, {n} IMSIs: p50 {:.3} µs, p99 {:.3} µs, max {:.1} µs, total {:.0} ms (incl. timer), {:.1}% with candidates",
        us(pct(&mut lat, 0.5)),
        us(pct(&mut lat, 0.99)),
        us(*lat.iter().max().unwrap()),
        total.as_secs_f64() * 1e3,
        hits as f64 * 100.0 / n as f64
    );

    let mut lat = Vec::with_capacity(n);
    let mut hits_sql = 0usize;
    let total = Instant::now();
    rt.block_on(async {
        for (imsi, len) in &work {
            let s = id.imsi.as_mut().unwrap();
            s.clear();
            s.push_str(std::str::from_utf8(imsi).unwrap());
            id.mnc_length = *len;
            let t = Instant::now();
            let r = db.lookup(&id, Purpose::Internet, false).await.unwrap();
            lat.push(t.elapsed());
            hits_sql += usize::from(!r.is_empty());
        }
    });
    let total = total.elapsed();
    assert_eq!(hits, hits_sql, "both paths find the same keys");
    println!(
        "lookup, SQLite only (sqlx, one pooled connection, cached statement), {n} IMSIs: p50 {:.1} µs, p99 {:.1} µs, total {:.1} s",
        us(pct(&mut lat, 0.5)),
        us(pct(&mut lat, 0.99)),
        total.as_secs_f64()
    );
}
