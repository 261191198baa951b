//! What the importers' tests share: a fresh workspace on SQLite and, when a server answers, on
//! PostgreSQL, and a one-call import.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use worth_core::Currency;
use worth_core::pseudonym::SecretKey;
use worth_core::workspace::WorkspaceSettings;
use worth_ingest::{ImportOptions, ImportSummary, Kind};
use worth_store::testing::TestDb;
use worth_store::{Location, Store};

/// A workspace for one test.
pub struct Env {
    pub store: Store,
    pub key: SecretKey,
    pub dir: TempDir,
    pub name: &'static str,
    _pg: Option<TestDb>,
}

async fn init(location: &Location, dir: TempDir, name: &'static str, pg: Option<TestDb>) -> Env {
    let store = Store::open(location).await.unwrap();
    let key = SecretKey::from_bytes([42; 32]);
    let settings = WorkspaceSettings {
        currency: Currency::parse("USD").unwrap(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    let mut w = store.write("tester").await.unwrap();
    w.init_workspace(&settings, &key).await.unwrap();
    w.commit().await.unwrap();
    Env { store, key, dir, name, _pg: pg }
}

/// A workspace in a SQLite file of a temporary folder.
pub async fn sqlite() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("worth.db"));
    init(&location, dir, "sqlite", None).await
}

/// A workspace on each backend that can be reached: SQLite always, PostgreSQL when a server
/// answers (and always when WORTH_TEST_POSTGRES is set).
pub async fn backends(test: &str) -> Vec<Env> {
    let mut envs = vec![sqlite().await];
    if let Some(db) = TestDb::postgres(test).await {
        let location = db.location.clone();
        envs.push(init(&location, tempfile::tempdir().unwrap(), "postgres", Some(db)).await);
    }
    envs
}

/// A test data file of this crate.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("data").join(name)
}

impl Env {
    /// The default options, with the rejects file in the test's folder.
    pub fn options(&self) -> ImportOptions {
        ImportOptions { rejects_dir: self.dir.path().to_owned(), ..ImportOptions::default() }
    }

    /// Imports `files` with the default options.
    pub async fn import(
        &self,
        kind: Kind,
        files: &[PathBuf],
    ) -> worth_ingest::Result<ImportSummary> {
        self.import_with(kind, files, &self.options()).await
    }

    /// Imports `files` with `options`.
    pub async fn import_with(
        &self,
        kind: Kind,
        files: &[PathBuf],
        options: &ImportOptions,
    ) -> worth_ingest::Result<ImportSummary> {
        worth_ingest::import(&self.store, &self.key, "tester", kind, files, options).await
    }

    /// Writes a file into the test's folder and returns its path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// The PostgreSQL URL of the test's database, when it is on PostgreSQL.
    pub fn pg_url(&self) -> Option<String> {
        match &self._pg.as_ref()?.location {
            Location::Postgres(url) => Some(url.clone()),
            Location::Sqlite(_) => None,
        }
    }

    /// The row counts of every table an import writes.
    pub async fn counts(&self) -> Vec<(&'static str, i64)> {
        self.store.ingest_row_counts().await.unwrap()
    }
}

/// The rows of a rejects file, without its header.
pub fn rejects(summary: &ImportSummary) -> Vec<Vec<String>> {
    let Some(path) = &summary.rejects_file else { return Vec::new() };
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}
