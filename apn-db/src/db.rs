//! The SQLite file: schema and migrations, one-transaction imports, and the
//! SQLite-only lookup path.
//!
//! Schema versions are embedded SQL files (`migrations/NNNN_*.sql`) applied
//! at open, each in its own transaction together with `PRAGMA user_version`.
//! A file written by a newer build is refused rather than modified.
//!
//! Import: the file is read and parsed completely first (a parse error names
//! the file, line and reason and touches nothing), then the whole source is
//! replaced in one transaction. A source is identified by the file's
//! canonical path; when the stored SHA-256 equals the file's, nothing is
//! written at all, so a second import changes nothing.

use crate::error::Error;
use crate::import::{self, Counts, Warning};
use crate::lookup::{self, Identity, KeyRule, Lookup, Plmn, Rule, SourceRef, StoredRow};
use crate::model::{ApnRow, Auth, CdmaRow, IpType, MvnoType, Purpose, Purposes, SourceKind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Embedded migrations: (user_version after it, SQL).
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../migrations/0001_init.sql"))];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Import settings.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Tie-break priority of this source (lower wins); default by kind
    /// ([`SourceKind::default_priority`]).
    pub priority: Option<i64>,
    /// Re-import even when the file's hash is unchanged.
    pub force: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The source key (canonical path).
    pub file: PathBuf,
    /// Detected format.
    pub kind: SourceKind,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// True when the same content was already imported: nothing was written.
    pub unchanged: bool,
    /// True when an older version of this source was replaced.
    pub replaced: bool,
    /// Figures of the file.
    pub counts: Counts,
    /// Warnings (kept values that could not be fully mapped).
    pub warnings: Vec<Warning>,
}

/// A source as stored.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// Id.
    pub id: i64,
    /// Canonical path.
    pub path: String,
    /// Format.
    pub kind: SourceKind,
    /// SHA-256 hex.
    pub sha256: String,
    /// Tie-break priority.
    pub priority: i64,
    /// Unix seconds.
    pub imported_at: i64,
    /// `<apn>` elements.
    pub apns: i64,
    /// APN rows.
    pub rows: i64,
    /// CDMA SIDs.
    pub cdma_sids: i64,
    /// Warnings at import.
    pub warnings: i64,
}

/// One stored row with its source, for listings.
#[derive(Debug, Clone, Serialize)]
pub struct ListedRow {
    /// Source format.
    pub source: SourceKind,
    /// MCC.
    pub mcc: Option<String>,
    /// MNC.
    pub mnc: Option<String>,
    /// Provider.
    pub provider: String,
    /// APN.
    pub apn: String,
    /// Purposes.
    pub purposes: String,
    /// MVNO rule, `type:data`.
    pub mvno: Option<String>,
}

/// The APN database (one SQLite file).
#[derive(Debug, Clone)]
pub struct ApnDb {
    pool: SqlitePool,
}

const APN_COLUMNS: &str = "source_id, seq, record, mcc, mnc, country, provider, primary_flag, apn, name, \
     purposes, types_explicit, types_raw, plan, username, password, auth, ip_type, roaming_ip_type, \
     mvno_type, mvno_match, carrier_id, network_types, enabled, mmsc, mmsproxy, mmsport, proxy, port, \
     dns, gateway, extra";

/// Select list for [`row_from_sqlite`].
pub(crate) const SELECT_ROWS: &str = "SELECT a.id, a.source_id, s.kind AS source_kind, s.priority AS source_priority, \
     a.seq, a.record, a.mcc, a.mnc, a.country, a.provider, a.primary_flag, a.apn, a.name, a.purposes, \
     a.types_explicit, a.types_raw, a.plan, a.username, a.password, a.auth, a.ip_type, a.roaming_ip_type, \
     a.mvno_type, a.mvno_match, a.carrier_id, a.network_types, a.enabled, a.mmsc, a.mmsproxy, a.mmsport, \
     a.proxy, a.port, a.dns, a.gateway, a.extra FROM apn a JOIN source s ON s.id = a.source_id";

impl ApnDb {
    /// Open (creating if needed) the database at `path` and bring its schema
    /// up to date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        // WAL + synchronous=NORMAL: a commit is atomic and survives a crash
        // of the process; a power cut may lose the last import, which is
        // harmless for data that is re-imported from its files (and it
        // saves the fsyncs that dominate import time).
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        Self::open_with(opts).await
    }

    /// Open read-only (no migration; the schema must be current).
    pub async fn open_read_only(path: impl AsRef<Path>) -> Result<Self, Error> {
        let opts = SqliteConnectOptions::new()
            .filename(path.as_ref())
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        let db = ApnDb { pool };
        let v = db.user_version().await?;
        if v != SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(db)
    }

    /// An in-memory database (tests, tools).
    pub async fn open_in_memory() -> Result<Self, Error> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        Self::open_with(opts).await
    }

    async fn open_with(opts: SqliteConnectOptions) -> Result<Self, Error> {
        // One connection: the file is small and read-mostly; a single
        // connection keeps the statement cache warm and makes imports and
        // lookups serialise without SQLITE_BUSY.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        let db = ApnDb { pool };
        db.migrate().await?;
        Ok(db)
    }

    /// The sqlx pool (for callers that want raw queries).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// `PRAGMA user_version`.
    pub async fn user_version(&self) -> Result<i64, Error> {
        Ok(sqlx::query_scalar::<_, i64>("PRAGMA user_version")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn migrate(&self) -> Result<(), Error> {
        let current = self.user_version().await?;
        if current > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
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

    /// Import one file (format detected from its root element).
    pub async fn import_file(
        &self,
        path: impl AsRef<Path>,
        opts: &ImportOptions,
    ) -> Result<ImportReport, Error> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.import_bytes(&data, &key, opts).await
    }

    /// Whether the file at `path` (read as `data`) is already imported with
    /// this exact content, i.e. [`ApnDb::import_file`] would change nothing.
    /// Lets a caller skip parsing an unchanged file (the daemon's default
    /// import at every start).
    pub async fn is_current(&self, path: impl AsRef<Path>, data: &[u8]) -> Result<bool, Error> {
        let path = path.as_ref();
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let stored: Option<String> = sqlx::query_scalar("SELECT sha256 FROM source WHERE path = ?")
            .bind(key.to_string_lossy().into_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(stored.is_some_and(|s| s == hex(&Sha256::digest(data))))
    }

    /// Import a file's bytes under the source key `path`.
    pub async fn import_bytes(
        &self,
        data: &[u8],
        path: &Path,
        opts: &ImportOptions,
    ) -> Result<ImportReport, Error> {
        let sha256 = hex(&Sha256::digest(data));
        let parsed = import::parse(data, path)?;
        let kind = parsed.kind.unwrap_or(SourceKind::Mbpi);
        let key = path.to_string_lossy().into_owned();
        let mut report = ImportReport {
            file: path.to_path_buf(),
            kind,
            sha256: sha256.clone(),
            unchanged: false,
            replaced: false,
            counts: parsed.counts.clone(),
            warnings: parsed.warnings.clone(),
        };
        let mut tx = self.pool.begin().await?;
        let old: Option<(i64, String)> =
            sqlx::query_as("SELECT id, sha256 FROM source WHERE path = ?")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((_, old_sha)) = &old
            && *old_sha == sha256
            && !opts.force
        {
            report.unchanged = true;
            tx.rollback().await?;
            return Ok(report);
        }
        report.replaced = old.is_some();
        if let Some((id, _)) = old {
            sqlx::query("DELETE FROM source WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let c = &parsed.counts;
        let source_id: i64 = sqlx::query_scalar(
            "INSERT INTO source (path, kind, sha256, priority, imported_at, apns, rows, cdma_sids, warnings) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&key)
        .bind(kind.as_str())
        .bind(&sha256)
        .bind(opts.priority.unwrap_or(kind.default_priority()))
        .bind(now)
        .bind(c.apns as i64)
        .bind((c.rows + c.rows_without_plmn) as i64)
        .bind(c.cdma_sids as i64)
        .bind(c.warnings as i64)
        .fetch_one(&mut *tx)
        .await?;
        // 32 columns × 500 rows stays under SQLite's 32766 bound parameters.
        for chunk in parsed.rows.chunks(500) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new(format!("INSERT INTO apn ({APN_COLUMNS}) "));
            qb.push_values(chunk, |mut b, r| {
                let (mt, md) = match &r.mvno {
                    Some((t, d)) => (Some(t.as_str()), Some(d.clone())),
                    None => (None, None),
                };
                b.push_bind(source_id)
                    .push_bind(r.seq)
                    .push_bind(r.record)
                    .push_bind(r.mcc.clone())
                    .push_bind(r.mnc.clone())
                    .push_bind(r.country.clone())
                    .push_bind(r.provider.clone())
                    .push_bind(r.primary)
                    .push_bind(r.apn.clone())
                    .push_bind(r.name.clone())
                    .push_bind(i64::from(r.purposes.0))
                    .push_bind(r.types_explicit)
                    .push_bind(r.types_raw.clone())
                    .push_bind(r.plan.clone())
                    .push_bind(r.username.clone())
                    .push_bind(r.password.clone())
                    .push_bind(r.auth.map(Auth::as_str))
                    .push_bind(r.ip_type.map(IpType::as_str))
                    .push_bind(r.roaming_ip_type.map(IpType::as_str))
                    .push_bind(mt)
                    .push_bind(md)
                    .push_bind(r.carrier_id)
                    .push_bind(r.network_types)
                    .push_bind(r.enabled)
                    .push_bind(r.mmsc.clone())
                    .push_bind(r.mmsproxy.clone())
                    .push_bind(r.mmsport.clone())
                    .push_bind(r.proxy.clone())
                    .push_bind(r.port.clone())
                    .push_bind(r.dns.clone())
                    .push_bind(r.gateway.clone())
                    .push_bind(r.extra.clone());
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in parsed.cdma.chunks(1000) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO cdma (source_id, seq, sid, provider, country, username, password, dns) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(source_id)
                    .push_bind(r.seq)
                    .push_bind(r.sid)
                    .push_bind(r.provider.clone())
                    .push_bind(r.country.clone())
                    .push_bind(r.username.clone())
                    .push_bind(r.password.clone())
                    .push_bind(r.dns.clone());
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// The imported sources.
    pub async fn sources(&self) -> Result<Vec<SourceInfo>, Error> {
        let rows = sqlx::query("SELECT * FROM source ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let kind: String = r.try_get("kind")?;
                Ok(SourceInfo {
                    id,
                    path: r.try_get("path")?,
                    kind: SourceKind::from_name(&kind).ok_or_else(|| Error::BadRow {
                        id,
                        reason: format!("source kind {kind:?}"),
                    })?,
                    sha256: r.try_get("sha256")?,
                    priority: r.try_get("priority")?,
                    imported_at: r.try_get("imported_at")?,
                    apns: r.try_get("apns")?,
                    rows: r.try_get("rows")?,
                    cdma_sids: r.try_get("cdma_sids")?,
                    warnings: r.try_get("warnings")?,
                })
            })
            .collect()
    }

    /// Number of rows in `apn` and `cdma`.
    pub async fn row_counts(&self) -> Result<(i64, i64), Error> {
        let a: i64 = sqlx::query_scalar("SELECT count(*) FROM apn")
            .fetch_one(&self.pool)
            .await?;
        let c: i64 = sqlx::query_scalar("SELECT count(*) FROM cdma")
            .fetch_one(&self.pool)
            .await?;
        Ok((a, c))
    }

    /// SHA-256 over the content of every table, in a stable order and without
    /// row ids or timestamps: equal checksums mean equal data.
    pub async fn content_checksum(&self) -> Result<String, Error> {
        let mut h = Sha256::new();
        for sql in [
            "SELECT s.path, s.kind, s.sha256, s.priority, s.apns, s.rows, s.cdma_sids, s.warnings FROM source s ORDER BY s.path",
            "SELECT s.path, a.seq, a.record, a.mcc, a.mnc, a.country, a.provider, a.primary_flag, a.apn, a.name, \
             a.purposes, a.types_explicit, a.types_raw, a.plan, a.username, a.password, a.auth, a.ip_type, \
             a.roaming_ip_type, a.mvno_type, a.mvno_match, a.carrier_id, a.network_types, a.enabled, a.mmsc, \
             a.mmsproxy, a.mmsport, a.proxy, a.port, a.dns, a.gateway, a.extra \
             FROM apn a JOIN source s ON s.id = a.source_id ORDER BY s.path, a.seq",
            "SELECT s.path, c.seq, c.sid, c.provider, c.country, c.username, c.password, c.dns \
             FROM cdma c JOIN source s ON s.id = c.source_id ORDER BY s.path, c.seq",
        ] {
            let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
            for r in &rows {
                for i in 0..r.len() {
                    // Every column is TEXT or INTEGER; read as text, NULL as a marker.
                    let v: Option<String> = r.try_get::<Option<String>, _>(i).or_else(|_| {
                        r.try_get::<Option<i64>, _>(i)
                            .map(|o| o.map(|n| n.to_string()))
                    })?;
                    match v {
                        Some(s) => {
                            h.update(b"s");
                            h.update((s.len() as u64).to_le_bytes());
                            h.update(s.as_bytes());
                        }
                        None => h.update(b"n"),
                    }
                }
                h.update(b"\n");
            }
            h.update(b"\x00table\x00");
        }
        Ok(hex(&h.finalize()))
    }

    /// Rows, optionally of one MCC/MNC (`310410`, `310-410`), in source and
    /// document order.
    pub async fn list(&self, plmn: Option<Plmn>) -> Result<Vec<ListedRow>, Error> {
        let rows = match plmn {
            Some(p) => {
                let sql = format!(
                    "{SELECT_ROWS} WHERE a.mcc = ? AND a.mnc = ? ORDER BY a.source_id, a.seq"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(p.mcc_str())
                    .bind(p.mnc_str())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                let sql = format!("{SELECT_ROWS} ORDER BY a.mcc, a.mnc, a.source_id, a.seq");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let s = row_from_sqlite(r)?;
                Ok(ListedRow {
                    source: s.source.kind,
                    mcc: s.row.mcc,
                    mnc: s.row.mnc,
                    provider: s.row.provider,
                    apn: s.row.apn,
                    purposes: s.row.purposes.names(),
                    mvno: s.row.mvno.map(|(t, d)| format!("{}:{d}", t.as_str())),
                })
            })
            .collect()
    }

    /// Every stored APN row, in source and document order.
    pub async fn all_rows(&self) -> Result<Vec<StoredRow>, Error> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT '[' || group_concat(j, ',') || ']' FROM (SELECT json_array(a.id, a.source_id, s.kind, \
             s.priority, a.seq, a.record, a.mcc, a.mnc, a.country, a.provider, a.primary_flag, a.apn, a.name, \
             a.purposes, a.types_explicit, a.types_raw, a.plan, a.username, a.password, a.auth, a.ip_type, \
             a.roaming_ip_type, a.mvno_type, a.mvno_match, a.carrier_id, a.network_types, a.enabled, a.mmsc, \
             a.mmsproxy, a.mmsport, a.proxy, a.port, a.dns, a.gateway, a.extra) AS j \
             FROM apn a JOIN source s ON s.id = a.source_id ORDER BY a.source_id, a.seq)",
        )
        .fetch_one(&self.pool)
        .await?;
        rows_from_json(json.as_deref())
    }

    /// Rows of one key, in source and document order.
    pub async fn rows_for(&self, p: Plmn) -> Result<Vec<StoredRow>, Error> {
        // All rows of the key come back as one JSON text: sqlx's SQLite
        // driver hands rows one by one from its worker thread, which costs
        // more than the query itself (rows_from_json). A constant string:
        // sqlx caches the prepared statement per connection.
        let json: Option<String> = sqlx::query_scalar(
            "SELECT '[' || group_concat(j, ',') || ']' FROM (SELECT json_array(a.id, a.source_id, s.kind, \
             s.priority, a.seq, a.record, a.mcc, a.mnc, a.country, a.provider, a.primary_flag, a.apn, a.name, \
             a.purposes, a.types_explicit, a.types_raw, a.plan, a.username, a.password, a.auth, a.ip_type, \
             a.roaming_ip_type, a.mvno_type, a.mvno_match, a.carrier_id, a.network_types, a.enabled, a.mmsc, \
             a.mmsproxy, a.mmsport, a.proxy, a.port, a.dns, a.gateway, a.extra) AS j \
             FROM apn a JOIN source s ON s.id = a.source_id WHERE a.mcc = ? AND a.mnc = ? \
             ORDER BY a.source_id, a.seq)",
        )
        .bind(p.mcc_str())
        .bind(p.mnc_str())
        .fetch_one(&self.pool)
        .await?;
        rows_from_json(json.as_deref())
    }

    /// Every CDMA row, as candidate rows, with their SID.
    pub async fn all_cdma(&self) -> Result<Vec<(i64, StoredRow)>, Error> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT '[' || group_concat(j, ',') || ']' FROM (SELECT json_array(c.id, c.source_id, s.kind, \
             s.priority, c.seq, c.sid, c.provider, c.country, c.username, c.password, c.dns) AS j \
             FROM cdma c JOIN source s ON s.id = c.source_id ORDER BY c.source_id, c.seq)",
        )
        .fetch_one(&self.pool)
        .await?;
        cdma_from_json(json.as_deref())
    }

    /// The CDMA rows of one SID.
    pub async fn cdma_for(&self, sid: i64) -> Result<Vec<StoredRow>, Error> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT '[' || group_concat(j, ',') || ']' FROM (SELECT json_array(c.id, c.source_id, s.kind, \
             s.priority, c.seq, c.sid, c.provider, c.country, c.username, c.password, c.dns) AS j \
             FROM cdma c JOIN source s ON s.id = c.source_id WHERE c.sid = ? ORDER BY c.source_id, c.seq)",
        )
        .bind(sid)
        .fetch_one(&self.pool)
        .await?;
        Ok(cdma_from_json(json.as_deref())?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// The SQLite-only lookup (no in-memory index): same rules and ranking as
    /// [`crate::ApnIndex::lookup`].
    pub async fn lookup(
        &self,
        id: &Identity,
        purpose: Purpose,
        roaming: bool,
    ) -> Result<Lookup, Error> {
        if let Some(imsi) = id.imsi.as_deref() {
            check_imsi(imsi)?;
            let keys = lookup::imsi_keys(imsi, id.mnc_length);
            let mut found: Vec<(Plmn, KeyRule, Vec<StoredRow>)> = Vec::new();
            for (p, rule) in keys {
                let rows = self.rows_for(p).await?;
                if !rows.is_empty() {
                    found.push((p, rule, rows));
                }
            }
            if let Some((p, rule, rows)) = found.first() {
                let selected = lookup::select(rows.iter(), id, purpose);
                return Ok(Lookup {
                    plmn: Some(*p),
                    key_rule: *rule,
                    alternative_plmn: found.get(1).map(|f| f.0),
                    purpose,
                    roaming,
                    selected,
                });
            }
        }
        if let Some(sid) = id.sid {
            let rows = self.cdma_for(sid).await?;
            if !rows.is_empty() {
                let selected = lookup::select_with_rule(rows.iter(), id, purpose, Rule::CdmaSid);
                return Ok(Lookup {
                    plmn: None,
                    key_rule: KeyRule::CdmaSid,
                    alternative_plmn: None,
                    purpose,
                    roaming,
                    selected,
                });
            }
        }
        if let Some(name) = id.provider_name.as_deref() {
            let sql = format!(
                "{SELECT_ROWS} WHERE a.provider = ? COLLATE NOCASE ORDER BY a.source_id, a.seq"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(name.trim())
                .fetch_all(&self.pool)
                .await?;
            let rows: Vec<StoredRow> =
                rows.iter().map(row_from_sqlite).collect::<Result<_, _>>()?;
            if !rows.is_empty() {
                let selected =
                    lookup::select_with_rule(rows.iter(), id, purpose, Rule::ProviderName);
                return Ok(Lookup {
                    plmn: None,
                    key_rule: KeyRule::ProviderName,
                    alternative_plmn: None,
                    purpose,
                    roaming,
                    selected,
                });
            }
        }
        Ok(not_found(purpose, roaming))
    }

    /// Close the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The empty result.
pub(crate) fn not_found(purpose: Purpose, roaming: bool) -> Lookup {
    Lookup {
        plmn: None,
        key_rule: KeyRule::NotFound,
        alternative_plmn: None,
        purpose,
        roaming,
        selected: lookup::Selected {
            mvno: lookup::MvnoOutcome::NoMvnoRows,
            ambiguous: false,
            decided_by: lookup::TieBreak::None,
            candidates: Vec::new(),
        },
    }
}

/// Reject an IMSI that is not 5–15 digits.
pub(crate) fn check_imsi(imsi: &str) -> Result<(), Error> {
    if crate::model::is_digits(imsi.trim(), 5, 15) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            what: "IMSI",
            reason: format!("{imsi:?} is not 5 to 15 digits"),
        })
    }
}

fn source_of(r: &SqliteRow, id: i64) -> Result<SourceRef, Error> {
    let kind: String = r.try_get("source_kind")?;
    Ok(SourceRef {
        id: r.try_get("source_id")?,
        kind: SourceKind::from_name(&kind).ok_or_else(|| Error::BadRow {
            id,
            reason: format!("kind {kind:?}"),
        })?,
        priority: r.try_get("source_priority")?,
    })
}

/// Decode the JSON produced by the `json_array(...)` queries of
/// [`ApnDb::all_rows`] / [`ApnDb::rows_for`] (columns in that order). The
/// rows are sorted again by (source, seq): `group_concat` keeps the
/// subquery's order in practice but SQLite does not promise it.
fn rows_from_json(json: Option<&str>) -> Result<Vec<StoredRow>, Error> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    // serde's derived struct deserializer accepts a JSON array with the
    // fields in declaration order: typed and faster than `Value`.
    let rows: Vec<RowJson> = serde_json::from_str(json).map_err(|e| Error::BadRow {
        id: 0,
        reason: format!("row JSON: {e}"),
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for j in rows {
        let id = j.id;
        let bad = |reason: String| Error::BadRow { id, reason };
        let auth = match j.auth {
            Some(a) => Some(Auth::from_name(&a).ok_or_else(|| bad(format!("auth {a:?}")))?),
            None => None,
        };
        let ip = |v: Option<String>, what: &str| match v {
            Some(a) => IpType::from_name(&a)
                .map(Some)
                .ok_or_else(|| bad(format!("{what} {a:?}"))),
            None => Ok(None),
        };
        let ip_type = ip(j.ip_type, "ip_type")?;
        let roaming_ip_type = ip(j.roaming_ip_type, "roaming_ip_type")?;
        let mvno = match (j.mvno_type, j.mvno_match) {
            (Some(t), Some(d)) => Some((
                MvnoType::from_name(&t).ok_or_else(|| bad(format!("mvno_type {t:?}")))?,
                d,
            )),
            _ => None,
        };
        let purposes =
            u32::try_from(j.purposes).map_err(|_| bad(format!("purposes {}", j.purposes)))?;
        let kind =
            SourceKind::from_name(&j.kind).ok_or_else(|| bad(format!("kind {:?}", j.kind)))?;
        let row = ApnRow {
            seq: j.seq,
            record: j.record,
            mcc: j.mcc,
            mnc: j.mnc,
            country: j.country,
            provider: j.provider,
            primary: j.primary_flag.map(|x| x != 0),
            apn: j.apn,
            name: j.name,
            purposes: Purposes(purposes),
            types_explicit: j.types_explicit != 0,
            types_raw: j.types_raw,
            plan: j.plan,
            username: j.username,
            password: j.password,
            auth,
            ip_type,
            roaming_ip_type,
            mvno,
            carrier_id: j.carrier_id,
            network_types: j.network_types,
            enabled: j.enabled != 0,
            mmsc: j.mmsc,
            mmsproxy: j.mmsproxy,
            mmsport: j.mmsport,
            proxy: j.proxy,
            port: j.port,
            dns: j.dns,
            gateway: j.gateway,
            extra: j.extra,
        };
        out.push(StoredRow {
            source: SourceRef {
                id: j.source_id,
                kind,
                priority: j.priority,
            },
            row,
        });
    }
    out.sort_by_key(|r| (r.source.id, r.row.seq));
    Ok(out)
}

/// One row of the `json_array(...)` row queries, in column order.
#[derive(serde::Deserialize)]
struct RowJson {
    id: i64,
    source_id: i64,
    kind: String,
    priority: i64,
    seq: i64,
    record: i64,
    mcc: Option<String>,
    mnc: Option<String>,
    country: Option<String>,
    provider: String,
    primary_flag: Option<i64>,
    apn: String,
    name: Option<String>,
    purposes: i64,
    types_explicit: i64,
    types_raw: Option<String>,
    plan: Option<String>,
    username: Option<String>,
    password: Option<String>,
    auth: Option<String>,
    ip_type: Option<String>,
    roaming_ip_type: Option<String>,
    mvno_type: Option<String>,
    mvno_match: Option<String>,
    carrier_id: Option<i64>,
    network_types: Option<i64>,
    enabled: i64,
    mmsc: Option<String>,
    mmsproxy: Option<String>,
    mmsport: Option<String>,
    proxy: Option<String>,
    port: Option<String>,
    dns: Option<String>,
    gateway: Option<String>,
    extra: Option<String>,
}

/// Decode a row selected with [`SELECT_ROWS`].
pub(crate) fn row_from_sqlite(r: &SqliteRow) -> Result<StoredRow, Error> {
    let id: i64 = r.try_get("id")?;
    let bad = |reason: String| Error::BadRow { id, reason };
    let auth: Option<String> = r.try_get("auth")?;
    let ip: Option<String> = r.try_get("ip_type")?;
    let rip: Option<String> = r.try_get("roaming_ip_type")?;
    let mt: Option<String> = r.try_get("mvno_type")?;
    let md: Option<String> = r.try_get("mvno_match")?;
    let purposes: i64 = r.try_get("purposes")?;
    let row = ApnRow {
        seq: r.try_get("seq")?,
        record: r.try_get("record")?,
        mcc: r.try_get("mcc")?,
        mnc: r.try_get("mnc")?,
        country: r.try_get("country")?,
        provider: r.try_get("provider")?,
        primary: r.try_get("primary_flag")?,
        apn: r.try_get("apn")?,
        name: r.try_get("name")?,
        purposes: Purposes(
            u32::try_from(purposes).map_err(|_| bad(format!("purposes {purposes}")))?,
        ),
        types_explicit: r.try_get("types_explicit")?,
        types_raw: r.try_get("types_raw")?,
        plan: r.try_get("plan")?,
        username: r.try_get("username")?,
        password: r.try_get("password")?,
        auth: match auth {
            Some(a) => Some(Auth::from_name(&a).ok_or_else(|| bad(format!("auth {a:?}")))?),
            None => None,
        },
        ip_type: match ip {
            Some(a) => Some(IpType::from_name(&a).ok_or_else(|| bad(format!("ip_type {a:?}")))?),
            None => None,
        },
        roaming_ip_type: match rip {
            Some(a) => {
                Some(IpType::from_name(&a).ok_or_else(|| bad(format!("roaming_ip_type {a:?}")))?)
            }
            None => None,
        },
        mvno: match (mt, md) {
            (Some(t), Some(d)) => Some((
                MvnoType::from_name(&t).ok_or_else(|| bad(format!("mvno_type {t:?}")))?,
                d,
            )),
            _ => None,
        },
        carrier_id: r.try_get("carrier_id")?,
        network_types: r.try_get("network_types")?,
        enabled: r.try_get("enabled")?,
        mmsc: r.try_get("mmsc")?,
        mmsproxy: r.try_get("mmsproxy")?,
        mmsport: r.try_get("mmsport")?,
        proxy: r.try_get("proxy")?,
        port: r.try_get("port")?,
        dns: r.try_get("dns")?,
        gateway: r.try_get("gateway")?,
        extra: r.try_get("extra")?,
    };
    Ok(StoredRow {
        source: source_of(r, id)?,
        row,
    })
}

/// One CDMA row as selected by [`ApnDb::all_cdma`].
type CdmaJson = (
    i64,
    i64,
    String,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn cdma_from_json(json: Option<&str>) -> Result<Vec<(i64, StoredRow)>, Error> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let rows: Vec<CdmaJson> = serde_json::from_str(json).map_err(|e| Error::BadRow {
        id: 0,
        reason: format!("cdma JSON: {e}"),
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, source_id, kind, priority, seq, sid, provider, country, username, password, dns) in
        rows
    {
        let c = CdmaRow {
            seq,
            sid,
            provider,
            country,
            username,
            password,
            dns,
        };
        let kind = SourceKind::from_name(&kind).ok_or_else(|| Error::BadRow {
            id,
            reason: format!("kind {kind:?}"),
        })?;
        out.push((
            sid,
            StoredRow {
                source: SourceRef {
                    id: source_id,
                    kind,
                    priority,
                },
                row: cdma_as_row(&c),
            },
        ));
    }
    out.sort_by_key(|(_, r)| (r.source.id, r.row.seq));
    Ok(out)
}

/// A CDMA provider as a candidate row: no APN (CDMA data uses the NAI and the
/// credentials), serves every purpose.
pub(crate) fn cdma_as_row(c: &CdmaRow) -> ApnRow {
    ApnRow {
        seq: c.seq,
        record: c.seq,
        provider: c.provider.clone(),
        country: c.country.clone(),
        purposes: Purposes::ALL,
        username: c.username.clone(),
        password: c.password.clone(),
        dns: c.dns.clone(),
        enabled: true,
        ..ApnRow::default()
    }
}

pub(crate) fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}
