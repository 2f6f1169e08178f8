//! SQLite persistence of the usage engine (`<state-dir>/usage.sqlite`):
//! local traffic samples, connectivity intervals, the engine state (plan,
//! last operator figure, last passed threshold, counter bases) and an
//! outbox of events not yet announced.
//!
//! No event lost or fired twice across a restart: the service commits the
//! engine state *with* the events that state change produced (one
//! transaction), then announces them, then deletes them from the outbox
//! ([`UsageStore::ack`]). After a restart the engine resumes from the
//! committed state (so a threshold already passed is not passed again) and
//! the outbox is announced first (so an event committed but not announced
//! before a crash still goes out). Only a crash between announcing and the
//! acknowledgement repeats an event, and it carries the same sequence
//! number, so a client can drop it.
//!
//! This module does no modem I/O and announces nothing. Times are Unix
//! seconds supplied by the caller. Migrations by `PRAGMA user_version`.

use super::engine::{EngineState, Interval, RECENT_WINDOW, Sample, UsageEvent};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::path::Path;
use std::str::FromStr;

/// Schema migrations, applied in order; `PRAGMA user_version` records the last.
const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    r#"
CREATE TABLE sample (
    modem TEXT NOT NULL,
    -- MBIM session id; 0 = whole-device counters
    session INTEGER NOT NULL,
    -- the interval (start, end], Unix seconds
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    rx INTEGER NOT NULL,
    tx INTEGER NOT NULL
);
-- covering: period sums read the index only
CREATE INDEX sample_modem_end ON sample (modem, "end", rx, tx);

CREATE TABLE interval (
    modem TEXT NOT NULL,
    start INTEGER NOT NULL,
    -- NULL while connected
    "end" INTEGER,
    PRIMARY KEY (modem, start)
);

CREATE TABLE engine (
    modem TEXT PRIMARY KEY,
    -- the plan in force (JSON), for inspection; the state holds it too
    plan TEXT,
    figure_bytes INTEGER,
    figure_time INTEGER,
    last_threshold INTEGER NOT NULL,
    threshold_step INTEGER NOT NULL,
    -- the whole EngineState (JSON)
    state TEXT NOT NULL,
    updated INTEGER NOT NULL
);

CREATE TABLE outbox (
    modem TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (modem, sequence)
);
"#,
)];

/// Newest schema this code knows.
pub const SCHEMA_VERSION: i64 = 1;

/// Most buckets one usage query may return.
pub const MAX_BUCKETS: u64 = 1_000_000;

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("usage store: {0}")]
    Sqlite(#[from] sqlx::Error),
    /// State or event JSON could not be written or read back.
    #[error("usage store: bad stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The file was written by a newer mbimd.
    #[error("usage store schema version {found} is newer than this mbimd supports ({supported})")]
    SchemaTooNew {
        /// Version in the file.
        found: i64,
        /// Newest known here.
        supported: i64,
    },
    /// A query asked for too many buckets or an empty/backwards period.
    #[error("{0}")]
    BadQuery(String),
}

/// What a restart resumes from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The engine state.
    pub state: EngineState,
    /// Local traffic in the recent window, `(end, bytes)`.
    pub recent: Vec<(i64, u64)>,
    /// Events committed but not acknowledged, in sequence order.
    pub pending: Vec<UsageEvent>,
}

/// Traffic in one bucket of a usage query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageBucket {
    /// Bucket start.
    pub start: u64,
    /// Bytes received.
    pub rx: u64,
    /// Bytes sent.
    pub tx: u64,
}

/// One engine step to persist atomically.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    /// State after the step.
    pub state: &'a EngineState,
    /// New samples.
    pub samples: &'a [Sample],
    /// Interval changes.
    pub intervals: &'a [Interval],
    /// Events produced.
    pub events: &'a [UsageEvent],
}

/// The usage database (cloneable; one pool).
#[derive(Debug, Clone)]
pub struct UsageStore {
    pool: SqlitePool,
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl UsageStore {
    /// Open (creating) the file at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // WAL + NORMAL: a sample lost to power failure costs seconds of
            // an estimate the operator corrects anyway; a clean stop or a
            // daemon crash loses nothing.
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
        Self::open_with(opts).await
    }

    /// An in-memory store (tests, benchmarks).
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        Self::open_with(SqliteConnectOptions::from_str("sqlite::memory:")?).await
    }

    async fn open_with(opts: SqliteConnectOptions) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        let store = UsageStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Close the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let current: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&self.pool)
            .await?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for (version, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {version}"
            )))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The state of `modem` to resume from (`None`: never seen).
    pub async fn load(&self, modem: &str) -> Result<Option<Loaded>, StoreError> {
        let Some(row) = sqlx::query("SELECT state FROM engine WHERE modem = ?")
            .bind(modem)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let state: EngineState = serde_json::from_str(row.get::<&str, _>(0))?;
        let recent =
            sqlx::query(r#"SELECT "end", rx + tx FROM sample WHERE modem = ? AND "end" >= ?"#)
                .bind(modem)
                .bind(state.now - RECENT_WINDOW)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| (r.get::<i64, _>(0), u(r.get::<i64, _>(1))))
                .collect();
        let mut pending = Vec::new();
        for r in sqlx::query("SELECT event FROM outbox WHERE modem = ? ORDER BY sequence")
            .bind(modem)
            .fetch_all(&self.pool)
            .await?
        {
            pending.push(serde_json::from_str(r.get::<&str, _>(0))?);
        }
        Ok(Some(Loaded {
            state,
            recent,
            pending,
        }))
    }

    /// Persist one engine step in one transaction. Samples without traffic
    /// are not stored (they add nothing to any usage query).
    pub async fn commit(&self, modem: &str, c: Commit<'_>) -> Result<(), StoreError> {
        let state = serde_json::to_string(c.state)?;
        let plan = c
            .state
            .plan
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        let mut tx = self.pool.begin().await?;
        for s in c.samples.iter().filter(|s| s.rx > 0 || s.tx > 0) {
            sqlx::query(r#"INSERT INTO sample (modem, session, start, "end", rx, tx) VALUES (?, ?, ?, ?, ?, ?)"#)
                .bind(modem)
                .bind(i64::from(s.session))
                .bind(s.start)
                .bind(s.end)
                .bind(i(s.rx))
                .bind(i(s.tx))
                .execute(&mut *tx)
                .await?;
        }
        for iv in c.intervals {
            sqlx::query(
                r#"INSERT INTO interval (modem, start, "end") VALUES (?, ?, ?)
                   ON CONFLICT (modem, start) DO UPDATE SET "end" = excluded."end""#,
            )
            .bind(modem)
            .bind(iv.start)
            .bind(iv.end)
            .execute(&mut *tx)
            .await?;
        }
        for e in c.events {
            sqlx::query("INSERT OR REPLACE INTO outbox (modem, sequence, event) VALUES (?, ?, ?)")
                .bind(modem)
                .bind(i(e.sequence))
                .bind(serde_json::to_string(e)?)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO engine (modem, plan, figure_bytes, figure_time, last_threshold, threshold_step, state, updated)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (modem) DO UPDATE SET plan = excluded.plan, figure_bytes = excluded.figure_bytes,
               figure_time = excluded.figure_time, last_threshold = excluded.last_threshold,
               threshold_step = excluded.threshold_step, state = excluded.state, updated = excluded.updated",
        )
        .bind(modem)
        .bind(plan)
        .bind(c.state.figure.map(|f| i(f.bytes)))
        .bind(c.state.figure.map(|f| f.timestamp))
        .bind(i(c.state.last_threshold))
        .bind(i(c.state.threshold_step))
        .bind(state)
        .bind(c.state.now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Events up to `sequence` were announced.
    pub async fn ack(&self, modem: &str, sequence: u64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox WHERE modem = ? AND sequence <= ?")
            .bind(modem)
            .bind(i(sequence))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Traffic of `modem` in `[from, to)` in buckets of `granularity`
    /// seconds (0: one bucket for the whole period), every bucket listed
    /// (zeros included) so charts need no gap filling. A sample counts in
    /// the bucket holding its end time (the seed's GetNetworkUsageAsync).
    pub async fn network_usage(
        &self,
        modem: &str,
        from: u64,
        to: u64,
        granularity: u64,
    ) -> Result<Vec<UsageBucket>, StoreError> {
        if to <= from {
            return Err(StoreError::BadQuery(format!(
                "the period [{from}, {to}) is empty"
            )));
        }
        let g = if granularity == 0 {
            to - from
        } else {
            granularity
        };
        let n = (to - from).div_ceil(g);
        if n > MAX_BUCKETS {
            return Err(StoreError::BadQuery(format!(
                "{n} buckets asked for; at most {MAX_BUCKETS}"
            )));
        }
        let mut out: Vec<UsageBucket> = (0..n)
            .map(|k| UsageBucket {
                start: from + k * g,
                rx: 0,
                tx: 0,
            })
            .collect();
        let rows = sqlx::query(
            r#"SELECT ("end" - ?1) / ?2 AS b, SUM(rx), SUM(tx) FROM sample
               WHERE modem = ?3 AND "end" >= ?1 AND "end" < ?4 GROUP BY b"#,
        )
        .bind(i(from))
        .bind(i(g))
        .bind(modem)
        .bind(i(to))
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let b = u(r.get::<i64, _>(0));
            if let Some(slot) = usize::try_from(b).ok().and_then(|b| out.get_mut(b)) {
                slot.rx = u(r.get::<i64, _>(1));
                slot.tx = u(r.get::<i64, _>(2));
            }
        }
        Ok(out)
    }

    /// Connectivity intervals of `modem` overlapping `[from, to)`, as
    /// `(connect time, duration)`; an open interval lasts until `now`.
    pub async fn connectivity_intervals(
        &self,
        modem: &str,
        from: u64,
        to: u64,
        now: i64,
    ) -> Result<Vec<(u64, u64)>, StoreError> {
        let rows = sqlx::query(
            r#"SELECT start, "end" FROM interval
               WHERE modem = ? AND start < ? AND ("end" IS NULL OR "end" > ?) ORDER BY start"#,
        )
        .bind(modem)
        .bind(i(to))
        .bind(i(from))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let start: i64 = r.get(0);
                let end: Option<i64> = r.get(1);
                (u(start), u(end.unwrap_or(now).max(start) - start))
            })
            .collect())
    }

    /// Close intervals left open by a daemon that stopped (at `at`, the
    /// last time it saw the modem).
    pub async fn close_open_intervals(&self, modem: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            r#"UPDATE interval SET "end" = MAX(start, ?) WHERE modem = ? AND "end" IS NULL"#,
        )
        .bind(at)
        .bind(modem)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::engine::{Engine, NetworkStatus, RawCounters};
    use crate::usage::plan::{MEGABYTE, Plan, PlanType};

    async fn step(store: &UsageStore, e: &mut Engine) -> Vec<UsageEvent> {
        let samples: Vec<_> = std::iter::from_fn(|| e.poll_sample()).collect();
        let intervals: Vec<_> = std::iter::from_fn(|| e.poll_interval()).collect();
        let events: Vec<_> = std::iter::from_fn(|| e.poll_event()).collect();
        store
            .commit(
                "m",
                Commit {
                    state: e.state(),
                    samples: &samples,
                    intervals: &intervals,
                    events: &events,
                },
            )
            .await
            .unwrap();
        events
    }

    #[tokio::test]
    async fn usage_buckets_and_intervals_come_back_from_a_reopened_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.sqlite");
        let store = UsageStore::open(&path).await.unwrap();
        let mut e = Engine::new();
        let up = NetworkStatus {
            connected: true,
            internet: true,
            roaming: false,
        };
        e.handle_network(1000, up);
        e.handle_counters(1000, 0, RawCounters::default());
        // 10 samples of 100 rx / 10 tx, one every 30 s: ends at 1030..1300.
        for k in 1..=10u64 {
            e.handle_counters(
                1000 + 30 * k as i64,
                0,
                RawCounters {
                    rx: 100 * k,
                    tx: 10 * k,
                },
            );
        }
        e.handle_network(1400, NetworkStatus::default());
        step(&store, &mut e).await;
        store.close().await;

        let store = UsageStore::open(&path).await.unwrap();
        let b = store.network_usage("m", 1000, 1300, 100).await.unwrap();
        // Ends 1030,1060,1090 | 1120..1180 (3) | 1210..1270 (3); 1300 is outside.
        assert_eq!(
            b,
            vec![
                UsageBucket {
                    start: 1000,
                    rx: 300,
                    tx: 30
                },
                UsageBucket {
                    start: 1100,
                    rx: 300,
                    tx: 30
                },
                UsageBucket {
                    start: 1200,
                    rx: 300,
                    tx: 30
                },
            ]
        );
        let all = store.network_usage("m", 0, 5000, 0).await.unwrap();
        assert_eq!(
            all,
            vec![UsageBucket {
                start: 0,
                rx: 1000,
                tx: 100
            }]
        );
        assert!(store.network_usage("other", 0, 5000, 0).await.unwrap()[0].rx == 0);
        assert!(store.network_usage("m", 10, 10, 1).await.is_err());
        assert!(store.network_usage("m", 0, u64::MAX / 2, 1).await.is_err());
        assert_eq!(
            store
                .connectivity_intervals("m", 0, 5000, 9999)
                .await
                .unwrap(),
            vec![(1000, 400)]
        );
        assert!(
            store
                .connectivity_intervals("m", 1400, 5000, 9999)
                .await
                .unwrap()
                .is_empty()
        );
        let loaded = store.load("m").await.unwrap().unwrap();
        assert_eq!(&loaded.state, e.state());
        assert_eq!(loaded.recent.iter().map(|r| r.1).sum::<u64>(), 1100);
    }

    #[tokio::test]
    async fn outbox_keeps_events_until_acknowledged() {
        let store = UsageStore::open_in_memory().await.unwrap();
        let mut e = Engine::new();
        e.handle_plan(
            0,
            Some(Plan {
                plan_type: PlanType::Fixed,
                data_limit_megabytes: Some(100),
                usage_notifications: true,
                ..Plan::default()
            }),
        );
        e.handle_counters(0, 0, RawCounters::default());
        e.handle_counters(
            60,
            0,
            RawCounters {
                rx: 11 * MEGABYTE,
                tx: 0,
            },
        );
        let events = step(&store, &mut e).await;
        let thresholds = events
            .iter()
            .filter(|x| {
                matches!(
                    x.kind,
                    crate::usage::engine::EventKind::ThresholdReached { .. }
                )
            })
            .count();
        assert_eq!(thresholds, 2);
        let pending = store.load("m").await.unwrap().unwrap().pending;
        assert_eq!(pending, events);
        store.ack("m", events[0].sequence).await.unwrap();
        let pending = store.load("m").await.unwrap().unwrap().pending;
        assert_eq!(pending, events[1..].to_vec());
        store.ack("m", e.state().sequence).await.unwrap();
        assert!(store.load("m").await.unwrap().unwrap().pending.is_empty());
        assert!(store.load("nobody").await.unwrap().is_none());
    }
}
