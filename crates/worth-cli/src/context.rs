//! What every command shares: the global options, opening the store, logging, and errors.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use worth_store::{Location, Store, StoreError};

use crate::output::Format;

/// Options that every command takes.
#[derive(Debug, clap::Args)]
pub(crate) struct Globals {
    /// The store: a SQLite file path, sqlite://PATH, or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "WORTH_DB", default_value = "worth.db")]
    pub(crate) db: String,
    /// The workspace's secret key file [default: beside the SQLite file, or ./worth.key].
    #[arg(long, global = true, env = "WORTH_KEY_FILE")]
    pub(crate) key_file: Option<PathBuf>,
    /// How data is printed on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Who makes the changes, as the audit log will name them [default: the login name].
    #[arg(long, global = true, env = "WORTH_ACTOR")]
    pub(crate) actor: Option<String>,
    /// More detail on stderr (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

impl Globals {
    /// The parsed store location.
    pub(crate) fn location(&self) -> Result<Location> {
        Ok(Location::parse(&self.db)?)
    }

    /// The key file's path.
    pub(crate) fn key_file(&self, location: &Location) -> PathBuf {
        self.key_file.clone().unwrap_or_else(|| location.default_key_file())
    }

    /// Who the audit log names for changes made by this command.
    pub(crate) fn actor(&self) -> String {
        self.actor
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "cli".to_owned())
    }

    /// Opens the store, which must hold a workspace.
    pub(crate) async fn open(&self) -> Result<Store> {
        let location = self.location()?;
        if let Location::Sqlite(path) = &location
            && !path.exists()
        {
            return Err(StoreError::NotInitialized(location.redacted()).into());
        }
        let store = Store::open(&location)
            .await
            .with_context(|| format!("cannot open the store {}", location.redacted()))?;
        if !store.is_initialized().await? {
            return Err(StoreError::NotInitialized(location.redacted()).into());
        }
        Ok(store)
    }
}

/// Sets up logging on stderr: warnings by default (milestones too for a server, whose log is
/// where its operators look), more with `-v`, or as `RUST_LOG` says.
pub(crate) fn init_tracing(verbose: u8, server: bool) {
    // sqlx logs the store's failures itself; Worth reports them once, as its own error.
    let default = match (verbose, server) {
        (0, false) => "warn,sqlx=off",
        (0, true) | (1, _) => "info,sqlx=warn",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}

/// Prints an error and its causes on stderr, one line, prefixed with `worth: error:`.
pub(crate) fn report_error(err: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "worth: error: {err:#}");
}

/// Prints a message for a person on stderr.
pub(crate) fn say(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{message}");
}
