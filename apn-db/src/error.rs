//! Error types of the APN database. Parse errors name the file, the line and
//! the reason, so that a rejected import can be fixed by hand.

use std::path::PathBuf;

/// A file that could not be imported: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {reason}", file.display())]
pub struct ParseError {
    /// The file being imported.
    pub file: PathBuf,
    /// 1-based line of the offending element (or of the XML syntax error).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// Errors of the APN database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid APN data file; nothing was imported.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// SQLite reported an error.
    #[error("database: {0}")]
    Sqlite(#[from] sqlx::Error),
    /// The database file has a schema version newer than this program knows.
    #[error("database schema version {found} is newer than the supported {supported}")]
    SchemaTooNew {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A stored value could not be understood (a corrupted or foreign database).
    #[error("database row {id}: {reason}")]
    BadRow {
        /// The row id.
        id: i64,
        /// What is wrong.
        reason: String,
    },
    /// An argument given by the caller is invalid (e.g. a non-digit IMSI).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which input.
        what: &'static str,
        /// Why.
        reason: String,
    },
}
