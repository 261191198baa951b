//! The errors that stop an import: each names the file and, where it applies, the line and
//! column, and says what to do. A bad row is not an error: it is a reject (see `rejects`).

use std::path::PathBuf;

/// Why an import did not happen. Nothing is written to the store when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file is not CSV that can be read at all (not a bad row: the structure).
    #[error("{path}: line {line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line where reading stopped.
        line: u64,
        /// What went wrong.
        message: String,
    },
    /// A column the format requires is not in the file's header.
    #[error(
        "{path}: the required column '{column}' is missing (the header has: {found}); add it, or \
         map it with --mapping"
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column's name as the format documents it.
        column: String,
        /// The columns the header has.
        found: String,
    },
    /// The file has no header row (or is empty).
    #[error("{path}: the file is empty or has no header row")]
    NoHeader {
        /// The file.
        path: PathBuf,
    },
    /// A mapping file or CDM model.json is unusable.
    #[error("{path}: {message}")]
    Mapping {
        /// The mapping or model file.
        path: PathBuf,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The file is of a kind this importer does not read.
    #[error("{path}: {message}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What was expected.
        message: String,
    },
    /// `--strict` was given and rows were rejected.
    #[error(
        "{rejected} row(s) rejected and --strict was given: nothing was imported; the reasons are \
         in {rejects_file}"
    )]
    Strict {
        /// How many rows were rejected.
        rejected: u64,
        /// Where their reasons were written.
        rejects_file: String,
    },
    /// The rejects file could not be written.
    #[error("cannot write the rejects file {path}: {source}")]
    Rejects {
        /// The rejects file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The store refused or failed; nothing of the import was kept.
    #[error(transparent)]
    Store(#[from] worth_store::StoreError),
    /// A worker thread of the import failed.
    #[error("the import stopped unexpectedly: {0}")]
    Internal(String),
}

/// The result type of the importers.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;
