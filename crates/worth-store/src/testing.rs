//! Throw-away stores for tests, on SQLite and on PostgreSQL.
//!
//! A PostgreSQL test gets a database of its own, created on the server named by
//! `WORTH_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/test`) and dropped when the
//! [`TestDb`] is dropped. When `WORTH_TEST_POSTGRES` is unset and no server answers, the test is
//! skipped with a loud message; when it is set, an unreachable server fails the test.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AnyConnection, AssertSqlSafe, Connection, Executor};

use crate::Location;

/// The server tests use when `WORTH_TEST_POSTGRES` is unset.
pub const DEFAULT_TEST_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database created for one test, dropped with it.
#[derive(Debug)]
pub struct TestDb {
    /// Where the test's store lives.
    pub location: Location,
    admin_url: String,
    name: String,
}

impl TestDb {
    /// Creates a fresh PostgreSQL database, or returns `None` (after saying so on stderr) when
    /// no server is configured or reachable and the environment does not demand one.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        sqlx::any::install_default_drivers();
        let required = std::env::var("WORTH_TEST_POSTGRES").ok().filter(|v| !v.is_empty());
        let admin_url = required.clone().unwrap_or_else(|| DEFAULT_TEST_POSTGRES.to_owned());
        let mut admin = match AnyConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(e) if required.is_none() => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!(
                        "\n*** SKIPPED: the PostgreSQL half of `{test}` did not run: no server at \
                         {DEFAULT_TEST_POSTGRES} ({e}). Set WORTH_TEST_POSTGRES to require it. ***\n"
                    );
                }
                return None;
            }
            Err(e) => panic!("WORTH_TEST_POSTGRES is set but the server cannot be reached: {e}"),
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "worth_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        // The name is made here of digits and underscores only, so it is safe to splice.
        admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
        let location = Location::Postgres(format!("{base}/{name}"));
        Some(TestDb { location, admin_url, name })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside any runtime, or inside one that may be shutting down: use a
        // runtime of its own on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut admin = AnyConnection::connect(&admin_url).await.ok()?;
                admin
                    .execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            tracing::warn!(database = %self.name, "could not drop a test database");
        }
    }
}

/// Opens the store at `location` and creates a workspace in it for a test: `currency`, a
/// January fiscal year, the `en-US` locale, and a fixed key (`TEST_KEY`).
pub async fn workspace(location: &Location, currency: &str) -> crate::Result<crate::Store> {
    let store = crate::Store::open(location).await?;
    let mut w = store.write("setup").await?;
    let settings = worth_core::workspace::WorkspaceSettings {
        currency: worth_core::Currency::parse(currency)?,
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &test_key()).await?;
    w.commit().await?;
    Ok(store)
}

/// The key of the workspaces [`workspace`] creates.
pub fn test_key() -> worth_core::pseudonym::SecretKey {
    worth_core::pseudonym::SecretKey::from_bytes([7; 32])
}
