//! The store's errors: what went wrong, about which record, and what to do.

use worth_core::ValidationError;

/// An error of the store. Messages are lowercase and name the record concerned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A record referred to by name does not exist.
    #[error("unknown {entity} '{name}'{}", hint(.suggestion))]
    NotFound {
        /// The kind of record, as a user says it (`business unit`).
        entity: &'static str,
        /// The name that was asked for.
        name: String,
        /// The closest existing name, when one is close enough.
        suggestion: Option<String>,
    },
    /// A record with the same key exists already.
    #[error("{entity} '{name}' already exists{context}")]
    Duplicate {
        /// The kind of record.
        entity: &'static str,
        /// Its name.
        name: String,
        /// Where it exists (` in business unit 'Finance'`), or empty.
        context: String,
    },
    /// A name matches records in several places; the user must say which.
    #[error("{entity} '{name}' exists in several business units ({places}): name one with --bu")]
    Ambiguous {
        /// The kind of record.
        entity: &'static str,
        /// Its name.
        name: String,
        /// The business units it exists in.
        places: String,
    },
    /// An input was refused by the domain's checks.
    #[error(transparent)]
    Invalid(#[from] ValidationError),

    /// A record changed between the read and the write of one change; read it again.
    #[error("{0}")]
    Conflict(String),
    /// The store has no workspace yet.
    #[error("no workspace in {0}: run `worth init` first")]
    NotInitialized(String),
    /// The key file does not belong to this workspace.
    #[error(
        "the key file {path} does not belong to this workspace (its fingerprint is {found}, the \
         workspace expects {expected}): point --key-file or WORTH_KEY_FILE at the right file"
    )]
    WrongKey {
        /// The key file's path.
        path: String,
        /// The fingerprint of the key in the file.
        found: String,
        /// The fingerprint stored in the workspace.
        expected: String,
    },
    /// The key file is missing or unreadable.
    #[error("cannot use the key file {path}: {reason}")]
    KeyFile {
        /// The key file's path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The store URL is not one Worth knows.
    #[error(
        "'{0}' is not a store location: use a SQLite file path (worth.db), sqlite://PATH or \
         postgres://USER@HOST/DB"
    )]
    BadUrl(String),
    /// A record in the store could not be read back; the store was changed by hand or is newer.
    #[error("the store holds a record Worth cannot read ({0}); was it edited by another tool?")]
    Corrupt(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("cannot bring the store's schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

fn hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean '{s}'?)"),
        None => String::new(),
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
