//! `worth import KIND FILE...`: read platform exports into the store.

use std::path::PathBuf;

use anyhow::{Context, Result};
use worth_ingest::{ColumnMapping, ImportOptions, ImportSummary, Kind};
use worth_store::{Location, keyfile};

use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// What the files hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KindArg {
    /// Apps, flows and environments: self-service analytics (CDM folder or CSV), CoE admin_* tables.
    Inventory,
    /// The self-service analytics Usage entity (AppId, ObjectID, SessionId, timeaccessed, …).
    Usage,
    /// Cloud flow run history and desktop flow sessions.
    Runs,
    /// FOCUS 1.0–1.2 cost and usage data.
    Costs,
    /// Microsoft 365 active user detail or the Power Platform licensed-user report.
    Licenses,
    /// Any CSV or XLSX read through --mapping.
    Mapped,
    /// The Automation Kit's Dataverse package (zip) of automation projects and run traces.
    AutomationKit,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Inventory => Kind::Inventory,
            KindArg::Usage => Kind::Usage,
            KindArg::Runs => Kind::Runs,
            KindArg::Costs => Kind::Costs,
            KindArg::Licenses => Kind::Licenses,
            KindArg::Mapped => Kind::Mapped,
            KindArg::AutomationKit => Kind::AutomationKit,
        }
    }
}

/// Options of `worth import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// What the files hold.
    #[arg(value_enum)]
    kind: KindArg,
    /// The files to import (for inventory, also CDM folders holding a model.json).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Refuse the whole import, writing nothing, when any row is rejected.
    #[arg(long)]
    strict: bool,
    /// A JSON column mapping for files whose columns are named otherwise (required for mapped).
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The stream the files belong to: a later file of the same source replaces the days it
    /// covers [default: the platform of the format].
    #[arg(long)]
    source: Option<String>,
}

pub(crate) async fn run(g: &Globals, args: ImportArgs) -> Result<()> {
    let location = g.location()?;
    let store = g.open().await?;
    let key_path = g.key_file(&location);
    let key = keyfile::load(&key_path)?;
    store.check_key(&key, &key_path).await?;
    let mapping = match &args.mapping {
        Some(path) => Some(ColumnMapping::load(path)?),
        None => None,
    };
    let rejects_dir = match &location {
        Location::Sqlite(path) => path.parent().map(PathBuf::from).unwrap_or_default(),
        Location::Postgres(_) => PathBuf::from("."),
    };
    let options = ImportOptions {
        strict: args.strict,
        mapping,
        rejects_dir,
        progress: true,
        source: args.source.clone(),
        fail_before_commit: false,
    };
    let kind = Kind::from(args.kind);
    let summary = worth_ingest::import(&store, &key, &g.actor(), kind, &args.files, &options)
        .await
        .with_context(|| format!("the {kind} import did not happen; the store is unchanged"))?;
    tell(&summary);
    show(g, &summary)
}

/// Messages for a person, on stderr: ignored columns once per file, skipped files, rejects.
fn tell(summary: &ImportSummary) {
    for f in &summary.files {
        if !f.ignored_columns.is_empty() {
            say(&format!(
                "worth: {}: ignored column(s) not known to the {} format: {}",
                f.file,
                summary.kind,
                f.ignored_columns.join(", ")
            ));
        }
        if let Some(why) = &f.skipped {
            say(&format!("worth: {}: skipped: {why}", f.file));
        }
    }
    if let Some(path) = &summary.rejects_file {
        say(&format!(
            "worth: {} row(s) rejected and not imported; file, line, column and reason of each are \
             in {path}",
            summary.rejected()
        ));
        for r in &summary.first_rejects {
            let column =
                if r.column.is_empty() { String::new() } else { format!(", {}", r.column) };
            say(&format!("  {} line {}{column}: {}", r.file, r.line, r.reason));
        }
    }
}

fn show(g: &Globals, summary: &ImportSummary) -> Result<()> {
    let mut table = Table::new(&[
        "file",
        "import",
        "read",
        "imported",
        "rejected",
        "duplicate",
        "days",
        "stored",
    ]);
    for f in &summary.files {
        let days = match (f.first_day, f.last_day) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => String::new(),
        };
        table.row([
            f.file.clone(),
            match (&f.import_id, &f.skipped) {
                (Some(id), _) => format!("#{id}"),
                (None, Some(_)) => "skipped".to_owned(),
                (None, None) => String::new(),
            },
            f.read.to_string(),
            f.imported.to_string(),
            f.rejected.to_string(),
            f.duplicate.to_string(),
            days,
            opt(Some(f.stored.join(", "))),
        ]);
    }
    emit(g.format, summary, &table)
}
