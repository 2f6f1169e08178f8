//! Shared helpers: where the real data is, and a database on a temporary file.
#![allow(dead_code)]

use apn_db::{ApnDb, ImportOptions};
use std::path::PathBuf;

/// `shared/data` next to the repository (the CI lays it beside the clone).
pub fn data_dir() -> PathBuf {
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

pub fn data(name: &str) -> PathBuf {
    data_dir().join(name)
}

pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub db: ApnDb,
}

impl TempDb {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("apn.db")
    }
}

pub async fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().unwrap();
    let db = ApnDb::open(dir.path().join("apn.db")).await.unwrap();
    TempDb { dir, db }
}

/// A temporary database with the Debian MBPI file and the LineageOS file.
pub async fn bench_db() -> TempDb {
    let t = temp_db().await;
    t.db.import_file(data("serviceproviders.xml"), &ImportOptions::default())
        .await
        .unwrap();
    t.db.import_file(data("apns-conf.xml"), &ImportOptions::default())
        .await
        .unwrap();
    t
}
