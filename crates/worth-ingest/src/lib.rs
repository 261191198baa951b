//! Streaming importers for the exports that low-code platforms produce.
//!
//! `worth import KIND FILE...` reads each file once, as a stream, and keeps only what Worth
//! stores: rollups and facts whose size depends on the number of distinct keys (apps and days,
//! flows and statuses, cost dimensions), never on the number of rows. One module per format:
//!
//! | kind | module | reads |
//! |---|---|---|
//! | `inventory` | [`inventory`] | self-service analytics Apps and Environments (CDM folders or CSV), CoE `admin_*` tables |
//! | `usage` | [`usage`] | the self-service analytics Usage entity |
//! | `runs` | [`runs`] | cloud flow run history and desktop flow sessions |
//! | `costs` | [`costs`] | FOCUS 1.0–1.2 cost and usage data |
//! | `licenses` | [`licenses`] | Microsoft 365 active user detail, Power Platform licensed users |
//! | `mapped` | [`mapped`] | any CSV or XLSX read through a column mapping file |
//! | `automation-kit` | [`automation_kit`] | the Automation Kit's Dataverse package of projects and run traces |
//!
//! What every importer shares: header matching ([`header`]), dirty cells ([`cell`]), the
//! rejects file ([`rejects`]), the loop over rows (`driver`) and reading with a progress bar
//! (`source`). A file is parsed first; then everything the command read is written in one
//! store transaction, so an import that fails or is killed leaves the store as it was.
//!
//! User identifiers are pseudonymized with the workspace key as they are read ([`pseudonyms`]);
//! they are never stored, logged or written to the rejects file.

pub mod automation_kit;
pub mod cell;
pub mod costs;
mod driver;
pub mod error;
pub mod header;
pub mod inventory;
pub mod licenses;
pub mod mapped;
pub mod pseudonyms;
pub mod rejects;
pub mod runs;
mod source;
pub mod usage;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use worth_core::pseudonym::SecretKey;
use worth_store::{
    CostFact, ImportRecord, LicenseAssignment, MappedRecord, RunBatch, Store, UsageBatch,
};

pub use error::{IngestError, Result};
pub use header::{ColumnMapping, MappedField, MappedType};
pub use rejects::Reject;

use crate::driver::FileRead;
use crate::rejects::RejectsFile;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Apps, flows, environments and makers.
    Inventory,
    /// App sessions by user.
    Usage,
    /// Flow runs.
    Runs,
    /// FOCUS costs.
    Costs,
    /// License assignments.
    Licenses,
    /// Generic rows through a column mapping.
    Mapped,
    /// Automation Kit projects, departments and run traces.
    AutomationKit,
}

impl Kind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [Kind; 7] = [
        Self::Inventory,
        Self::Usage,
        Self::Runs,
        Self::Costs,
        Self::Licenses,
        Self::Mapped,
        Self::AutomationKit,
    ];

    /// The kind's name on the command line and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inventory => "inventory",
            Self::Usage => "usage",
            Self::Runs => "runs",
            Self::Costs => "costs",
            Self::Licenses => "licenses",
            Self::Mapped => "mapped",
            Self::AutomationKit => "automation-kit",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Refuse the whole import when any row is rejected.
    pub strict: bool,
    /// A column mapping for files whose columns are named otherwise (required for `mapped`).
    pub mapping: Option<ColumnMapping>,
    /// The folder of the rejects file: beside the store.
    pub rejects_dir: PathBuf,
    /// Show a progress bar on stderr when it is a terminal.
    pub progress: bool,
    /// The stream the files belong to; a later file of the same source replaces the days it
    /// covers. Defaults to the platform of the format (`powerapps`, `powerautomate`, …).
    pub source: Option<String>,
    /// For tests of atomicity: fail after every file was written, before the commit.
    #[doc(hidden)]
    pub fail_before_commit: bool,
}

/// What became of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// The file, as given.
    pub file: String,
    /// The store's import id, when it was imported.
    pub import_id: Option<i64>,
    /// Why it was skipped, when it was (the same content was imported before).
    pub skipped: Option<String>,
    /// Data rows read.
    pub read: u64,
    /// Rows that contributed.
    pub imported: u64,
    /// Rows rejected, each in the rejects file.
    pub rejected: u64,
    /// Rows that repeated an earlier one.
    pub duplicate: u64,
    /// Columns not known to the format, ignored (reported once per file).
    pub ignored_columns: Vec<String>,
    /// The first day the file covers.
    pub first_day: Option<NaiveDate>,
    /// The last day it covers.
    pub last_day: Option<NaiveDate>,
    /// What was stored, in the words of the format (`12 apps`, `30 days`).
    pub stored: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// The kind imported.
    pub kind: Kind,
    /// Each file.
    pub files: Vec<FileSummary>,
    /// The rejects file, when rows were rejected.
    pub rejects_file: Option<String>,
    /// The first rejects, to show.
    pub first_rejects: Vec<Reject>,
}

impl ImportSummary {
    /// Rows read over every file.
    pub fn read(&self) -> u64 {
        self.files.iter().map(|f| f.read).sum()
    }
    /// Rows imported over every file.
    pub fn imported(&self) -> u64 {
        self.files.iter().map(|f| f.imported).sum()
    }
    /// Rows rejected over every file.
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }
    /// Duplicate rows over every file.
    pub fn duplicate(&self) -> u64 {
        self.files.iter().map(|f| f.duplicate).sum()
    }
}

/// What parsing needs besides the file.
#[derive(Debug, Clone)]
pub(crate) struct ParseContext {
    pub(crate) key: SecretKey,
    pub(crate) mapping: Option<ColumnMapping>,
    pub(crate) progress: bool,
}

/// What a parsed file will write.
#[derive(Debug)]
pub(crate) enum Output {
    Inventory(inventory::InventoryBatch),
    Usage(UsageBatch),
    Runs(RunBatch),
    Costs(Vec<CostFact>),
    Licenses { source: String, as_of: Option<NaiveDate>, assignments: Vec<LicenseAssignment> },
    Mapped(Vec<MappedRecord>),
}

/// A parsed file.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) read: FileRead,
    pub(crate) output: Output,
    pub(crate) days: Option<(NaiveDate, NaiveDate)>,
    pub(crate) stored: Vec<String>,
}

fn parse_file(
    kind: Kind,
    path: &Path,
    ctx: &ParseContext,
    rejects: &mut RejectsFile,
) -> Result<Parsed> {
    match kind {
        Kind::Inventory => inventory::parse(path, ctx, rejects),
        Kind::Usage => usage::parse(path, ctx, rejects),
        Kind::Runs => runs::parse(path, ctx, rejects),
        Kind::Costs => parse_costs(path, ctx, rejects),
        Kind::Licenses => licenses::parse(path, ctx, rejects),
        Kind::Mapped => mapped::parse(path, ctx, rejects),
        Kind::AutomationKit => Err(IngestError::Internal("read by automation_kit::import".into())),
    }
}

fn parse_costs(path: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    let bar = source::progress_bar(path, ctx.progress);
    let src = source::Source::open(path, bar)?;
    let mut importer = costs::CostImporter::new();
    let read = driver::read_csv(
        path,
        src,
        driver::Header::FirstRow,
        ctx.mapping.as_ref(),
        &mut importer,
        rejects,
    )?;
    let facts = importer.finish();
    let days =
        facts.iter().map(|f| f.charge_day).fold(None, |acc: Option<(NaiveDate, NaiveDate)>, d| {
            match acc {
                None => Some((d, d)),
                Some((a, b)) => Some((a.min(d), b.max(d))),
            }
        });
    let stored = vec![format!("{} cost facts", facts.len())];
    Ok(Parsed { read, output: Output::Costs(facts), days, stored })
}

/// The default source of a kind's files.
fn default_source(kind: Kind) -> &'static str {
    match kind {
        Kind::Inventory | Kind::Usage => "powerapps",
        Kind::Runs => "powerautomate",
        Kind::Costs => "focus",
        Kind::Licenses => "licenses",
        Kind::Mapped => "mapped",
        Kind::AutomationKit => automation_kit::SOURCE,
    }
}

/// Imports `files` of one kind into `store`, pseudonymizing user ids with `key`, on behalf of
/// `actor`.
///
/// Every file is read before anything is written; then one transaction writes them all, in the
/// order given, with one import record and one audit entry per file. A file whose content was
/// imported before is skipped. With `strict`, one rejected row refuses the whole import.
pub async fn import(
    store: &Store,
    key: &SecretKey,
    actor: &str,
    kind: Kind,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportSummary> {
    if kind == Kind::AutomationKit {
        return automation_kit::import(store, actor, files, options).await;
    }
    let started = Utc::now();
    let rejects_path = options
        .rejects_dir
        .join(format!("worth-rejects-{kind}-{}.csv", started.format("%Y%m%dT%H%M%S%.3fZ")));
    let ctx = ParseContext {
        key: key.clone(),
        mapping: options.mapping.clone(),
        progress: options.progress,
    };

    // Read every file; nothing is written yet.
    let mut rejects = RejectsFile::new(rejects_path);
    let mut parsed = Vec::with_capacity(files.len());
    for path in files {
        let file_started = Utc::now();
        let (result, back) = {
            let path = path.clone();
            let ctx = ctx.clone();
            tokio::task::spawn_blocking(move || {
                let result = parse_file(kind, &path, &ctx, &mut rejects);
                (result, rejects)
            })
            .await
            .map_err(|e| IngestError::Internal(e.to_string()))?
        };
        rejects = back;
        let file = result?;
        tracing::info!(
            kind = %kind,
            file = %path.display(),
            read = file.read.counts.read,
            rejected = file.read.counts.rejected,
            "file read"
        );
        parsed.push((path.clone(), file_started, file));
    }
    let rejected = rejects.count();
    let rejects_done = rejects.finish()?;
    let (rejects_file, first_rejects) = match rejects_done {
        Some((path, first)) => (Some(path.display().to_string()), first),
        None => (None, Vec::new()),
    };
    if options.strict && rejected > 0 {
        return Err(IngestError::Strict {
            rejected,
            rejects_file: rejects_file.clone().unwrap_or_default(),
        });
    }

    // Write them all in one transaction.
    let source = options.source.clone().unwrap_or_else(|| default_source(kind).to_owned());
    let mut writer = store.write(actor).await?;
    let mut summaries = Vec::with_capacity(parsed.len());
    let mut seen: Vec<String> = Vec::new();
    let mut wrote_any = false;
    for (path, file_started, mut file) in parsed {
        // A license report is kept under its date: its refresh date, or else the day it is
        // imported, which the import then records as its first and last day.
        if let Output::Licenses { as_of, .. } = &mut file.output {
            let day = *as_of.get_or_insert(writer.today());
            file.days = Some((day, day));
        }
        let counts = &file.read.counts;
        let mut summary = FileSummary {
            file: path.display().to_string(),
            import_id: None,
            skipped: None,
            read: counts.read,
            imported: counts.imported,
            rejected: counts.rejected,
            duplicate: counts.duplicate,
            ignored_columns: file.read.unknown_columns.clone(),
            first_day: file.days.map(|d| d.0),
            last_day: file.days.map(|d| d.1),
            stored: file.stored.clone(),
        };
        let hash = file.read.content_hash.clone();
        let file_source = match &file.output {
            Output::Licenses { source: s, .. } if options.source.is_none() => s.clone(),
            Output::Mapped(_) => mapped_target(&ctx),
            _ => source.clone(),
        };
        if let Some(earlier) = store.find_import(kind.as_str(), &hash).await? {
            // The same content again changes nothing, unless a later file replaced some of
            // what it held: then it is applied again, as the latest word on its days. Files
            // that only add (mapped) or upsert (inventory) are never applied twice.
            let latest = store.latest_import(kind.as_str(), &file_source).await?;
            let replaces = !matches!(kind, Kind::Mapped | Kind::Inventory);
            let still_latest = latest.is_none_or(|l| l.id == earlier.id) && !wrote_any;
            if !replaces || still_latest {
                summary.skipped = Some(format!(
                    "the same content was imported on {} as import #{} ({}); nothing to add",
                    earlier.finished_at.format("%Y-%m-%d %H:%M UTC"),
                    earlier.id,
                    earlier.file_name
                ));
                summaries.push(summary);
                continue;
            }
        }
        if seen.contains(&hash) {
            summary.skipped = Some("the same content was given twice; read once".to_owned());
            summaries.push(summary);
            continue;
        }
        seen.push(hash.clone());
        tracing::info!(kind = %kind, file = %path.display(), "writing");
        let record = ImportRecord {
            id: 0,
            kind: kind.as_str().to_owned(),
            source: file_source,
            file_name: path.display().to_string(),
            content_hash: hash,
            read: to_i64(counts.read),
            imported: to_i64(counts.imported),
            rejected: to_i64(counts.rejected),
            duplicate: to_i64(counts.duplicate),
            first_day: summary.first_day,
            last_day: summary.last_day,
            rejects_file: rejects_file.clone().filter(|_| counts.rejected > 0),
            started_at: file_started,
            finished_at: file_started,
            actor: actor.to_owned(),
        };
        let stored = writer.record_import(&record).await?;
        summary.import_id = Some(stored.id);
        write_output(&mut writer, stored.id, &stored.source, file.output, &mut summary).await?;
        wrote_any = true;
        summaries.push(summary);
    }
    if options.fail_before_commit {
        return Err(IngestError::Internal("stopped before the commit, as the test asked".into()));
    }
    writer.commit().await?;
    Ok(ImportSummary { kind, files: summaries, rejects_file, first_rejects })
}

fn mapped_target(ctx: &ParseContext) -> String {
    ctx.mapping.as_ref().and_then(|m| m.target.clone()).unwrap_or_else(|| "mapped".to_owned())
}

async fn write_output(
    writer: &mut worth_store::Writer,
    import_id: i64,
    source: &str,
    output: Output,
    summary: &mut FileSummary,
) -> Result<()> {
    match output {
        Output::Usage(batch) => writer.replace_usage(import_id, source, &batch).await?,
        Output::Runs(batch) => writer.replace_runs(import_id, source, &batch).await?,
        Output::Costs(facts) => writer.replace_costs(import_id, &facts).await?,
        Output::Licenses { assignments, as_of, .. } => {
            let as_of = as_of.unwrap_or_else(|| writer.today());
            writer.replace_licenses(import_id, source, as_of, &assignments).await?;
        }
        Output::Mapped(records) => writer.add_mapped(import_id, &records).await?,
        Output::Inventory(batch) => {
            let done = inventory::write(writer, &batch).await?;
            summary.stored = done;
        }
    }
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
