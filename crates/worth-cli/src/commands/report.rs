//! `worth report`: the sponsor value report of a workspace (index.html, value-report.xlsx,
//! headlines.md, report.json), from the value engine loaded exactly as `worth roi` loads it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use serde::Serialize;
use worth_core::period::{label, month_of, parse_month};
use worth_report::sponsor::chargeback::ChargebackSection;
use worth_report::sponsor::{SponsorReport, write_all};
use worth_store::Store;

use super::analysis::{Loaded, warn_problems};
use crate::context::{Globals, say};
use crate::output::{Table, emit};

/// Months reported when `--from` is not given.
const DEFAULT_MONTHS: u32 = 12;

/// Parses a `YYYY-MM` month, for clap.
fn month(text: &str) -> Result<NaiveDate, String> {
    parse_month(text).ok_or_else(|| format!("'{text}' is not a month of the form YYYY-MM"))
}

/// Options of `worth report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// The first month reported (YYYY-MM) [default: eleven months before --to].
    #[arg(long, value_parser = month)]
    from: Option<NaiveDate>,
    /// The last month reported (YYYY-MM) [default: the last complete month].
    #[arg(long, value_parser = month)]
    to: Option<NaiveDate>,
    /// The folder the report is written to.
    #[arg(long, default_value = "report")]
    out: PathBuf,
}

/// The period: `to` defaults to the last complete month, `from` to a year ending at `to`.
fn period(
    today: NaiveDate,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate)> {
    let last_complete =
        month_of(today).checked_sub_months(chrono::Months::new(1)).unwrap_or(month_of(today));
    let to = to.map_or(last_complete, month_of);
    let from = from.map_or_else(
        || to.checked_sub_months(chrono::Months::new(DEFAULT_MONTHS - 1)).unwrap_or(to),
        month_of,
    );
    if from > to {
        bail!(
            "--from {} is after --to {}: give a period that runs forward",
            label(from),
            label(to)
        );
    }
    if to > last_complete {
        bail!(
            "--to {} is not a complete month yet (the workspace is evaluated on {today}): \
             report up to {} at the latest",
            label(to),
            label(last_complete)
        );
    }
    Ok((from, to))
}

/// Builds the report of what `loaded` holds and writes it into `out`.
pub(crate) fn write_loaded(
    loaded: &Loaded,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    out: &Path,
    program: Option<worth_report::sponsor::program::ProgramSection>,
    chargeback: Option<ChargebackSection>,
) -> Result<(SponsorReport, Vec<PathBuf>)> {
    let (from, to) = period(loaded.today, from, to)?;
    let portfolio = loaded.portfolio(false);
    let (mut report, _, _) = worth_app::report::sponsor_report(loaded, &portfolio, from, to);
    report.program = program;
    report.chargeback = chargeback;
    let files = write_all(&report, out)
        .with_context(|| format!("cannot write the report into {}", out.display()))?;
    Ok((report, files))
}

/// Loads the engine from `store` as `worth roi` does, then builds and writes the report.
pub(crate) async fn write_report(
    store: &Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    out: &Path,
) -> Result<(SponsorReport, Vec<PathBuf>)> {
    let program = crate::commands::program::Program::load(store).await?;
    let section = program.section()?;
    let chargeback = super::chargeback::sponsor_section(store).await?;
    write_loaded(&program.loaded, from, to, out, Some(section), chargeback)
}

#[derive(Debug, Serialize)]
struct Written<'a> {
    period: &'a str,
    currency: &'a str,
    guideline_version: i64,
    files: Vec<String>,
}

pub(crate) async fn run(g: &Globals, args: ReportArgs) -> Result<()> {
    let store = g.open().await?;
    say(&format!("worth: writing the report into {}", args.out.display()));
    let (report, files) = write_report(&store, args.from, args.to, &args.out).await?;
    let problems: Vec<worth_core::Problem> = report
        .problems
        .iter()
        .map(|p| worth_core::Problem {
            kind: p.kind.clone(),
            subject: p.subject.clone(),
            message: p.message.clone(),
        })
        .collect();
    warn_problems(g, &problems);
    let mut table = Table::new(&["file"]);
    for f in &files {
        table.row([f.display().to_string()]);
    }
    let out = Written {
        period: &report.period.label,
        currency: &report.currency,
        guideline_version: report.guideline.version,
        files: files.iter().map(|f| f.display().to_string()).collect(),
    };
    emit(g.format, &out, &table)
}

#[cfg(test)]
mod tests {
    use super::period;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_period_is_the_year_to_the_last_complete_month() {
        assert_eq!(
            period(d("2025-10-15"), None, None).unwrap(),
            (d("2024-10-01"), d("2025-09-01"))
        );
        assert_eq!(
            period(d("2025-10-15"), Some(d("2025-01-01")), Some(d("2025-03-01"))).unwrap(),
            (d("2025-01-01"), d("2025-03-01"))
        );
        let err = period(d("2025-10-15"), Some(d("2025-05-01")), Some(d("2025-03-01")));
        assert!(err.unwrap_err().to_string().contains("after --to"));
    }
}
