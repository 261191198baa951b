//! Worth's persistence: one API over SQLite (the embedded default) and PostgreSQL.
//!
//! Both backends run the same SQL through sqlx's `Any` driver, with `$N` placeholders and the
//! same column representations (dates as ISO text, money as decimal strings), so a behaviour
//! proved on one is the behaviour of the other. Each backend has its own migrations, applied
//! when the store is opened and never edited once released.
//!
//! Reads are methods of [`Store`]. Every write of a business record goes through a
//! [`Writer`]: one transaction that records each change in the audit log with the record
//! before and after it, and that leaves the store as it was unless it is committed.

mod accounts;
mod chargeback;
mod engine;
mod error;
mod ingest;
mod jobs;
pub mod keyfile;
mod program;
mod read;
mod rows;
pub mod testing;
mod value;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use accounts::{ApiToken, NewUser, User};
pub use chargeback::{
    ChargebackRun, DEFAULT_UNUSED_DAYS, Meter, POOLS, PlatformCost, PoolSource, PriceEntry,
    RunInputs, default_prices, prices_in, sources,
};
pub use engine::Loaded;
pub use error::{Result, StoreError};
pub use ingest::{
    AppMonthUsers, CostFact, ImportRecord, InventoryEnvironment, InventoryItem, LicenseAssignment,
    MappedRecord, MonthlyUsers, RunBatch, RunDay, UNASSIGNED_BUSINESS_UNIT, UpsertCounts,
    UsageBatch, UsageDay,
};
pub use jobs::{ClaimedJob, ImportJob, JobState};
pub use program::{
    Artifact, CheckIn, FigureLink, KeyResultRecord, KpiRecord, KpiValue, NewKeyResult, NewPilot,
    ObjectiveRecord, PilotRecord, Quote, StoryEdit, StoryParts, StoryRecord, ToolEvaluationSpec,
    ValueCheckin, check_period,
};
pub use read::{AuditFilter, GuidelineVersion};
pub use value::{NewValueLine, Reestimate, SolutionInputs};
pub use writer::{NewRate, NewSolution, SolutionChange, Writer};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a store lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file, in WAL mode with foreign keys enforced.
    Sqlite,
    /// A PostgreSQL database, shared by several servers.
    Postgres,
}

/// Where a store lives, parsed from `--db` or `WORTH_DB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Location {
    /// Parses a store location: `postgres://…` or `postgresql://…`, `sqlite://PATH`,
    /// `sqlite:PATH`, or a plain file path.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::BadUrl(text.to_owned()));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        let path = match text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")) {
            // Options after `?` are Worth's to set: WAL, foreign keys, create on first use.
            Some(url_path) => url_path.split('?').next().unwrap_or(url_path),
            None => text,
        };
        if path.is_empty() || path.contains("://") {
            return Err(StoreError::BadUrl(text.to_owned()));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The default place of the workspace's key file: beside a SQLite file, or `./worth.key`.
    pub fn default_key_file(&self) -> PathBuf {
        match self {
            Self::Sqlite(path) => path.with_extension("key"),
            Self::Postgres(_) => PathBuf::from("worth.key"),
        }
    }

    /// The location without any password, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                format!("{scheme}://{user}@{host}")
            }
        }
        None => url.to_owned(),
    }
}

/// An open store: a connection pool and the backend behind it.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    location: Location,
}

impl Store {
    /// Opens the store at `location`, creating a SQLite file on first use, and brings its
    /// schema up to date.
    pub async fn open(location: &Location) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (url, backend) = match location {
            Location::Sqlite(path) => (sqlite_url(path), Backend::Sqlite),
            Location::Postgres(url) => (url.clone(), Backend::Postgres),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        // A store that cannot be reached or read fails within seconds, not after retrying.
        let pool_options = AnyPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_secs(5))
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            });
        let pool = match backend {
            Backend::Sqlite => {
                pool_options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => pool_options.connect_with(options).await?,
        };
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        tracing::debug!(store = %location.redacted(), ?backend, "store opened");
        Ok(Self { pool, backend, location: location.clone() })
    }

    /// The backend of this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the store lives, without secrets.
    pub fn location(&self) -> String {
        self.location.redacted()
    }

    /// Starts a write on behalf of `actor`: one transaction, audited, kept only if committed.
    pub async fn write(&self, actor: &str) -> Result<Writer> {
        Writer::begin(&self.pool, actor, self.backend == Backend::Sqlite).await
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// The sqlx URL of a SQLite file. sqlx percent-decodes the path, so the characters that would
/// end it or change its meaning are encoded.
fn sqlite_url(path: &Path) -> String {
    let encoded =
        path.display().to_string().replace('%', "%25").replace('?', "%3F").replace('#', "%23");
    format!("sqlite://{encoded}?mode=rwc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        assert_eq!(Location::parse("worth.db").unwrap(), Location::Sqlite("worth.db".into()));
        assert_eq!(
            Location::parse("sqlite:///tmp/w.db").unwrap(),
            Location::Sqlite("/tmp/w.db".into())
        );
        assert!(matches!(Location::parse("postgres://u@h/db").unwrap(), Location::Postgres(_)));
        assert!(Location::parse("mysql://u@h/db").is_err());
        assert!(Location::parse("").is_err());
    }

    #[test]
    fn passwords_never_show() {
        let loc = Location::parse("postgres://worth:s3cret@db.internal/worth").unwrap();
        assert_eq!(loc.redacted(), "postgres://worth:***@db.internal/worth");
        assert!(!format!("{}", StoreError::BadUrl(loc.redacted())).contains("s3cret"));
    }

    #[test]
    fn the_key_file_sits_beside_a_sqlite_store() {
        let loc = Location::parse("data/worth.db").unwrap();
        assert_eq!(loc.default_key_file(), PathBuf::from("data/worth.key"));
    }
}
