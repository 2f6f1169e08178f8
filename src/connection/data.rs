//! The APN database at run time.
//!
//! At start the daemon opens `<state-dir>/apn.db` (the same file
//! `mbcli apn` uses by default, `apn_db::paths`; `--apn-db` overrides it) and
//! imports the system's mobile-broadband-provider-info file
//! ([`DEFAULT_MBPI`], or the files given with `--apn-import`) when present.
//! Both happen in a background task so the daemon requests its bus name
//! without waiting; lookups wait (bounded by [`SETTLE_WAIT`]) until the
//! import has settled so the first auto-connect after a fresh install sees
//! the data. An unchanged file is recognised by its SHA-256 before parsing
//! and nothing is done; any failure is logged and the daemon keeps the data
//! it has (an import is one transaction in `apn-db`).
//!
//! It must not block the caller on I/O outside async waits and never panics
//! on a broken file.

use apn_db::lookup::{Identity, Lookup};
use apn_db::{ApnDb, ImportOptions, Purpose};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where Debian's `mobile-broadband-provider-info` installs its data.
pub const DEFAULT_MBPI: &str = "/usr/share/mobile-broadband-provider-info/serviceproviders.xml";

/// How long a lookup waits for the database to open and the import to settle.
pub const SETTLE_WAIT: Duration = Duration::from_secs(30);

/// Where the background task is.
#[derive(Debug, Clone)]
pub enum Phase {
    /// Opening the file.
    Opening,
    /// Open; importing the default files.
    Importing(ApnDb),
    /// Open and up to date (as far as the files allowed).
    Ready(ApnDb),
    /// No database: it could not be opened, or none was configured.
    Unavailable(String),
}

/// What one background import did (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The file is not there.
    Missing,
    /// Same content as already imported: nothing done.
    Unchanged,
    /// Imported: rows stored.
    Imported { rows: u64, apns: u64 },
    /// Refused (the old data stays).
    Failed(String),
}

/// The daemon's APN database handle.
#[derive(Debug)]
pub struct ApnData {
    phase: watch::Sender<Phase>,
}

impl ApnData {
    /// No database at all (lookups find nothing).
    pub fn none() -> Arc<Self> {
        let (tx, _) = watch::channel(Phase::Unavailable("no APN database configured".into()));
        Arc::new(ApnData { phase: tx })
    }

    /// Open `db_path` and import `imports` in a background task (needs a
    /// tokio runtime).
    pub fn start(db_path: PathBuf, imports: Vec<PathBuf>) -> Arc<Self> {
        let (tx, _) = watch::channel(Phase::Opening);
        let data = Arc::new(ApnData { phase: tx });
        let d = data.clone();
        tokio::spawn(async move { d.open_and_import(&db_path, &imports).await });
        data
    }

    /// Use an already open database (tests, tools).
    pub fn with_db(db: ApnDb) -> Arc<Self> {
        let (tx, _) = watch::channel(Phase::Ready(db));
        Arc::new(ApnData { phase: tx })
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase.borrow().clone()
    }

    /// Wait until the import has settled (Ready or Unavailable), at most
    /// `limit`; returns the phase reached.
    pub async fn settled(&self, limit: Duration) -> Phase {
        let mut rx = self.phase.subscribe();
        let wait = rx.wait_for(|p| matches!(p, Phase::Ready(_) | Phase::Unavailable(_)));
        match tokio::time::timeout(limit, wait).await {
            Ok(Ok(p)) => p.clone(),
            _ => self.phase(),
        }
    }

    /// Look `id` up for `purpose` (waits for the import to settle, at most
    /// [`SETTLE_WAIT`]; during a slow import the data present is used).
    /// `Ok(None)`: there is no database.
    pub async fn lookup(
        &self,
        id: &Identity,
        purpose: Purpose,
        roaming: bool,
    ) -> Result<Option<Lookup>, apn_db::Error> {
        let db = match self.settled(SETTLE_WAIT).await {
            Phase::Ready(db) | Phase::Importing(db) => db,
            Phase::Opening | Phase::Unavailable(_) => return Ok(None),
        };
        db.lookup(id, purpose, roaming).await.map(Some)
    }

    async fn open_and_import(&self, db_path: &Path, imports: &[PathBuf]) {
        if let Some(dir) = db_path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let db = match ApnDb::open(db_path).await {
            Ok(db) => db,
            Err(e) => {
                tracing::warn!(path = %db_path.display(), error = %e, "cannot open the APN database; connecting without it");
                self.phase
                    .send_replace(Phase::Unavailable(format!("{}: {e}", db_path.display())));
                return;
            }
        };
        self.phase.send_replace(Phase::Importing(db.clone()));
        for f in imports {
            let _ = import_one(&db, f).await;
        }
        self.phase.send_replace(Phase::Ready(db));
    }
}

/// Import `file` into `db` unless it is missing or unchanged; logs the
/// outcome with counts.
pub async fn import_one(db: &ApnDb, file: &Path) -> ImportOutcome {
    let data = match std::fs::read(file) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!(file = %file.display(), "no APN data file; install mobile-broadband-provider-info for default APNs");
            return ImportOutcome::Missing;
        }
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "cannot read the APN data file");
            return ImportOutcome::Failed(e.to_string());
        }
    };
    match db.is_current(file, &data).await {
        Ok(true) => {
            tracing::info!(file = %file.display(), "APN data unchanged since the last import");
            return ImportOutcome::Unchanged;
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "cannot compare the APN data with the database"),
    }
    let key = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let started = std::time::Instant::now();
    match db
        .import_bytes(&data, &key, &ImportOptions::default())
        .await
    {
        Ok(r) if r.unchanged => {
            tracing::info!(file = %file.display(), "APN data unchanged since the last import");
            ImportOutcome::Unchanged
        }
        Ok(r) => {
            tracing::info!(
                file = %file.display(),
                providers = r.counts.providers,
                apns = r.counts.apns,
                rows = r.counts.rows,
                cdma_sids = r.counts.cdma_sids,
                warnings = r.counts.warnings,
                replaced = r.replaced,
                ms = started.elapsed().as_millis() as u64,
                "APN data imported"
            );
            ImportOutcome::Imported {
                rows: r.counts.rows,
                apns: r.counts.apns,
            }
        }
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "APN data import failed; keeping the previous data");
            ImportOutcome::Failed(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MBPI: &str = r#"<?xml version="1.0"?>
<serviceproviders format="2.0">
 <country code="xx">
  <provider>
   <name>Test Network</name>
   <gsm><network-id mcc="001" mnc="01"/>
    <apn value="internet"><usage type="internet"/></apn>
   </gsm>
  </provider>
 </country>
</serviceproviders>
"#;

    #[tokio::test]
    async fn default_import_runs_once_and_then_finds_the_file_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let xml = dir.path().join("serviceproviders.xml");
        std::fs::write(&xml, MBPI).unwrap();
        let db = ApnDb::open(dir.path().join("apn.db")).await.unwrap();
        assert!(matches!(
            import_one(&db, &xml).await,
            ImportOutcome::Imported { rows: 1, .. }
        ));
        assert_eq!(import_one(&db, &xml).await, ImportOutcome::Unchanged);
        assert_eq!(
            import_one(&db, &dir.path().join("absent.xml")).await,
            ImportOutcome::Missing
        );
    }

    #[tokio::test]
    async fn a_broken_file_is_refused_and_the_old_data_stays() {
        let dir = tempfile::tempdir().unwrap();
        let xml = dir.path().join("serviceproviders.xml");
        std::fs::write(&xml, MBPI).unwrap();
        let db = ApnDb::open(dir.path().join("apn.db")).await.unwrap();
        import_one(&db, &xml).await;
        std::fs::write(&xml, "<serviceproviders format=\"2.0\"><country").unwrap();
        assert!(matches!(
            import_one(&db, &xml).await,
            ImportOutcome::Failed(_)
        ));
        let id = Identity {
            imsi: Some("001010123456789".into()),
            ..Identity::default()
        };
        let l = db.lookup(&id, Purpose::Internet, false).await.unwrap();
        assert_eq!(l.best().map(|c| c.apn.as_str()), Some("internet"));
    }

    #[tokio::test]
    async fn lookups_wait_for_the_background_import() {
        let dir = tempfile::tempdir().unwrap();
        let xml = dir.path().join("serviceproviders.xml");
        std::fs::write(&xml, MBPI).unwrap();
        let data = ApnData::start(dir.path().join("state/apn.db"), vec![xml]);
        let id = Identity {
            imsi: Some("001010123456789".into()),
            ..Identity::default()
        };
        let l = data
            .lookup(&id, Purpose::Internet, false)
            .await
            .unwrap()
            .expect("a database");
        assert_eq!(l.best().map(|c| c.apn.as_str()), Some("internet"));
        assert!(matches!(data.phase(), Phase::Ready(_)));
    }

    #[tokio::test]
    async fn an_unopenable_database_leaves_the_daemon_without_data() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: SQLite cannot open it.
        let bad = dir.path().join("apn.db");
        std::fs::create_dir_all(&bad).unwrap();
        let data = ApnData::start(bad, Vec::new());
        let l = data
            .lookup(&Identity::default(), Purpose::Internet, false)
            .await
            .unwrap();
        assert!(l.is_none());
        assert!(matches!(data.phase(), Phase::Unavailable(_)));
    }
}
