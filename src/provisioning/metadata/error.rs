//! Errors of the service-metadata layer.

use std::path::PathBuf;

/// Why a metadata file or package was refused.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// A file is not well-formed or breaks the schema rules.
    #[error("{file}:{line}:{column}: <{element}>: {message}")]
    Parse {
        /// File name inside the package.
        file: String,
        /// Element the error is about (empty when none applies).
        element: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The package as a whole is wrong (a missing file, a bad reference).
    #[error("bad package: {0}")]
    Package(String),
    /// The CAB archive cannot be read or holds unsafe names.
    #[error("bad cabinet {path}: {message}")]
    Cab {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing the store failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl MetadataError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        MetadataError::Io {
            path: path.into(),
            source,
        }
    }
}
