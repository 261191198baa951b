//! The sponsor value report: one typed value built from the value engine's results, and its
//! renderers (HTML with charts, XLSX, Markdown headlines, JSON), each in its own module.
//!
//! Every amount in the report is a `Decimal` rounded once, here, by the engine's own
//! `round_amount` / `round_money`, so the report, `worth roi` and `worth explain` agree to the
//! cent; renderers only format what the report holds. Nothing here does I/O except
//! [`write_all`].

mod build;
pub mod chargeback;
mod charts;
pub mod format;
mod html;
mod json;
mod markdown;
pub mod program;
mod xlsx;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use worth_core::value::accuracy::AccuracyReport;
use worth_core::value::engine::{Context, SolutionData};
use worth_core::value::portfolio::{Group, Portfolio};
use worth_core::workspace::WorkspaceSettings;

pub use html::render as render_html;
pub use json::render as render_json;
pub use markdown::render as render_markdown;
pub use xlsx::render as render_xlsx;

/// What the report is built from: the engine's results and the inputs they came from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The evaluation context: guideline and its version, currency, exchange rates, today.
    pub ctx: &'a Context<'a>,
    /// The engine's inputs (solutions with their lines, costs and usage), for the monthly
    /// costs, hours and active users the portfolio does not carry.
    pub data: &'a [SolutionData<'a>],
    /// Every solution evaluated.
    pub portfolio: &'a Portfolio,
    /// The portfolio grouped by business unit.
    pub by_business_unit: &'a [Group],
    /// The portfolio grouped by benefit category.
    pub by_category: &'a [Group],
    /// Estimate accuracy.
    pub accuracy: &'a AccuracyReport,
    /// The workspace's currency and locale.
    pub settings: &'a WorkspaceSettings,
    /// The first month of the period reported.
    pub from: NaiveDate,
    /// The last month of the period reported (inclusive).
    pub to: NaiveDate,
}

/// The sponsor value report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SponsorReport {
    /// The report's title.
    pub title: String,
    /// The currency code of every amount.
    pub currency: String,
    /// The locale amounts are written for.
    pub locale: String,
    /// The day of the evaluation.
    pub today: NaiveDate,
    /// The period reported.
    pub period: Period,
    /// The guideline version used and the settings the figures depend on.
    pub guideline: GuidelineUsed,
    /// Sentences for sponsors, each naming the figures it quotes.
    pub headlines: Vec<Headline>,
    /// The last quarter of the period against the quarter before.
    pub quarter: Quarter,
    /// The portfolio's headline figures.
    pub tiles: Tiles,
    /// The data of each chart.
    pub charts: Charts,
    /// The portfolio in the TEI layout.
    pub tei: TeiTable,
    /// Every solution, by NPV, highest first.
    pub solutions: Vec<SolutionRow>,
    /// Ids of the solutions with the highest NPV.
    pub top: Vec<i64>,
    /// Ids of the solutions with the lowest NPV.
    pub bottom: Vec<i64>,
    /// By business unit.
    pub business_units: Vec<GroupRow>,
    /// By benefit category (no costs, so no ROI).
    pub categories: Vec<GroupRow>,
    /// What needs a person's attention.
    pub problems: Vec<ProblemRow>,
    /// What each figure means: formula and inputs in words.
    pub appendix: Vec<AppendixEntry>,
    /// The value program: KPIs, OKRs, stories and pilots, when the caller adds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<program::ProgramSection>,
    /// The latest chargeback run and the license strategy, when the workspace has a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chargeback: Option<chargeback::ChargebackSection>,
}

/// A period of whole months, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first month.
    pub from: NaiveDate,
    /// The last month.
    pub to: NaiveDate,
    /// `YYYY-MM to YYYY-MM`.
    pub label: String,
}

/// The guideline version and the settings that shape the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuidelineUsed {
    /// The version.
    pub version: i64,
    /// The yearly discount rate, in percent.
    pub discount_rate_percent: Decimal,
    /// The analysis horizon.
    pub horizon_years: u32,
    /// The increase of costs for their uncertainty, in percent.
    pub cost_risk_adjustment_percent: Decimal,
    /// The tolerance within which an estimate is accurate, in percent.
    pub accuracy_tolerance_percent: Decimal,
    /// Months live before a solution's estimate is checked.
    pub maturity_months: u32,
}

/// One sentence for sponsors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// A stable id, such as `quarter-value`.
    pub id: String,
    /// The sentence.
    pub text: String,
    /// The figures it quotes, in order.
    pub figures: Vec<FigureRef>,
}

/// A figure quoted in a headline, traceable to report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureRef {
    /// The JSON pointer of the figure in report.json, such as `/tiles/roi_percent`.
    pub path: String,
    /// The figure as report.json holds it.
    pub value: Decimal,
    /// The figure as the sentence writes it.
    pub shown: String,
}

/// The last quarter of the period against the quarter before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quarter {
    /// Its first month.
    pub from: NaiveDate,
    /// Its last month.
    pub to: NaiveDate,
    /// Value realized in it, before the risk adjustment.
    pub value_realized: Decimal,
    /// Value realized in the three months before.
    pub previous_value_realized: Decimal,
    /// The change, in percent; `None` when the quarter before had none.
    pub change_percent: Option<Decimal>,
}

/// The portfolio's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tiles {
    /// Value realized in the period, before the risk adjustment.
    pub value_realized: Decimal,
    /// Value realized in the period after the risk adjustment of each line's evidence.
    pub value_realized_risk_adjusted: Decimal,
    /// Costs falling in the period.
    pub costs: Decimal,
    /// `value_realized_risk_adjusted − costs`.
    pub net: Decimal,
    /// Realized value of all complete months so far.
    pub value_to_date: Decimal,
    /// Present value of risk-adjusted benefits over the horizon.
    pub pv_benefits: Decimal,
    /// Present value of risk-adjusted costs over the horizon.
    pub pv_costs: Decimal,
    /// `pv_benefits − pv_costs`.
    pub npv: Decimal,
    /// `npv ÷ pv_costs` in percent; `None` without costs.
    pub roi_percent: Option<Decimal>,
    /// Months to payback; `None` when not reached within the horizon.
    pub payback_months: Option<Decimal>,
    /// Share of checked estimates within tolerance, in percent.
    pub accurate_estimates_percent: Option<Decimal>,
    /// Median of realized ÷ estimated, in percent.
    pub median_accuracy_percent: Option<Decimal>,
    /// Solutions whose estimate was checked.
    pub estimates_checked: usize,
    /// Solutions live now.
    pub live_solutions: usize,
    /// Distinct active users of the last month of the period, summed over solutions.
    pub active_users: Decimal,
    /// Hours given back by time-saving lines in the period.
    pub hours_returned: Decimal,
}

/// The data of each chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charts {
    /// Value and costs month by month, with the cumulative net.
    pub monthly: Vec<MonthRow>,
    /// Value realized in the period by business unit.
    pub value_by_business_unit: Vec<Bar>,
    /// Value realized in the period by category.
    pub value_by_category: Vec<Bar>,
    /// The frozen estimate against realized value, per checked solution.
    pub estimated_vs_realized: Vec<EstimatePoint>,
    /// Months from intake to the first realized value, per solution that has some.
    pub time_to_value: Vec<TimeToValue>,
}

/// One month of the value-and-cost chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthRow {
    /// The month.
    pub month: NaiveDate,
    /// Value realized, before the risk adjustment.
    pub value_realized: Decimal,
    /// Value forecast for a month not yet complete.
    pub value_forecast: Decimal,
    /// Costs falling in the month.
    pub costs: Decimal,
    /// `value_realized + value_forecast − costs`.
    pub net: Decimal,
    /// The net summed from the period's first month.
    pub cumulative_net: Decimal,
}

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// What it stands for.
    pub key: String,
    /// Its amount.
    pub value: Decimal,
}

/// One point of the estimated-against-realized chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatePoint {
    /// `business unit / name`.
    pub solution: String,
    /// Months compared.
    pub months: i64,
    /// The frozen estimate over them.
    pub estimated: Decimal,
    /// Realized value over them.
    pub realized: Decimal,
    /// `realized ÷ estimated` in percent.
    pub ratio_percent: Option<Decimal>,
}

/// One solution's time to value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToValue {
    /// `business unit / name`.
    pub solution: String,
    /// The day it was first recorded (its intake).
    pub intake: NaiveDate,
    /// The first month with realized value.
    pub first_value: NaiveDate,
    /// Months between the two.
    pub months: i64,
}

/// The TEI table: rows of columns (initial, years), their total and present value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeiTable {
    /// Column headings: `Initial`, `Year 1`, ….
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<TeiRow>,
}

/// One row of the TEI table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeiRow {
    /// What it holds.
    pub label: String,
    /// One amount per column.
    pub values: Vec<Decimal>,
    /// The undiscounted sum.
    pub total: Decimal,
    /// The present value, where the guideline defines one.
    pub present_value: Option<Decimal>,
}

/// One solution in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolutionRow {
    /// The store id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its business unit.
    pub business_unit: String,
    /// What it is.
    pub kind: String,
    /// Its current stage.
    pub stage: Option<String>,
    /// When it went live.
    pub live_since: Option<NaiveDate>,
    /// The weakest evidence grade among its money lines.
    pub evidence: Option<String>,
    /// Value realized in the period.
    pub value_realized: Decimal,
    /// Present value of risk-adjusted benefits.
    pub pv_benefits: Decimal,
    /// Present value of risk-adjusted costs.
    pub pv_costs: Decimal,
    /// NPV.
    pub npv: Decimal,
    /// ROI in percent.
    pub roi_percent: Option<Decimal>,
    /// Months to payback.
    pub payback_months: Option<Decimal>,
    /// Realized ÷ estimated, in percent, when checked.
    pub accuracy_percent: Option<Decimal>,
}

/// One group (business unit or category).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// The group.
    pub key: String,
    /// Solutions in it.
    pub solutions: usize,
    /// Value realized in the period.
    pub value_realized: Decimal,
    /// Present value of risk-adjusted benefits.
    pub pv_benefits: Decimal,
    /// Present value of risk-adjusted costs; `None` for categories.
    pub pv_costs: Option<Decimal>,
    /// NPV; `None` for categories.
    pub npv: Option<Decimal>,
    /// ROI in percent.
    pub roi_percent: Option<Decimal>,
}

/// A problem found by the engine or the accuracy check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemRow {
    /// `value` or `accuracy`.
    pub found_by: String,
    /// A stable kind, such as `over_attribution` or `never_checked`.
    pub kind: String,
    /// The records concerned.
    pub subject: String,
    /// A sentence for a person.
    pub message: String,
}

/// What one figure means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppendixEntry {
    /// The figure's name.
    pub figure: String,
    /// Where report.json holds it.
    pub path: String,
    /// How it is computed.
    pub formula: String,
    /// What goes into it, in words.
    pub inputs: String,
}

/// Why the report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The HTML template failed.
    #[error("cannot render index.html: {0}")]
    Html(String),
    /// A chart could not be drawn.
    #[error("cannot draw the chart {chart} for index.html: {message}")]
    Chart {
        /// The chart.
        chart: &'static str,
        /// Why.
        message: String,
    },
    /// The workbook could not be built.
    #[error("cannot build value-report.xlsx: {0}")]
    Xlsx(String),
    /// The JSON could not be written.
    #[error("cannot serialize report.json: {0}")]
    Json(String),
}

impl SponsorReport {
    /// Builds the report from the engine's results. Pure: the same input gives the same
    /// report.
    pub fn build(input: &ReportInput<'_>) -> Self {
        build::build(input)
    }

    /// A solution's row by id.
    pub fn solution(&self, id: i64) -> Option<&SolutionRow> {
        self.solutions.iter().find(|s| s.id == id)
    }
}

/// The tiles as (label, formatted value) pairs, in the order renderers show them.
pub fn tiles_display(report: &SponsorReport) -> Vec<(String, String)> {
    let t = &report.tiles;
    let (cur, loc) = (report.currency.as_str(), report.locale.as_str());
    let money = |v: Decimal| format::money(v, cur, loc);
    let pct = |v: Option<Decimal>| v.map_or_else(|| "n/a".to_owned(), |v| format::percent(v, loc));
    let num = |v: Decimal| format::number(v, loc);
    vec![
        ("Value realized".into(), money(t.value_realized)),
        ("Value realized, risk-adjusted".into(), money(t.value_realized_risk_adjusted)),
        ("Costs in the period".into(), money(t.costs)),
        ("Net in the period".into(), money(t.net)),
        ("ROI over the horizon".into(), pct(t.roi_percent)),
        ("NPV".into(), money(t.npv)),
        (
            "Payback".into(),
            t.payback_months.map_or_else(|| "not reached".into(), |m| format!("{} months", num(m))),
        ),
        ("Estimates within tolerance".into(), pct(t.accurate_estimates_percent)),
        ("Median realized ÷ estimated".into(), pct(t.median_accuracy_percent)),
        ("Live solutions".into(), num(Decimal::from(t.live_solutions))),
        ("Active users".into(), num(t.active_users)),
        ("Hours returned".into(), num(t.hours_returned)),
    ]
}

/// Every chart of the report as (id, title, SVG), in the order the report page shows them,
/// for pages that embed them (the web app's dashboard).
pub fn charts_svg(
    report: &SponsorReport,
) -> Result<Vec<(&'static str, &'static str, String)>, ReportError> {
    Ok(charts::all(report)?.into_iter().map(|c| (c.id, c.title, c.svg)).collect())
}

/// Writes `index.html`, `value-report.xlsx`, `headlines.md` and `report.json` into `dir`
/// (created when missing) and returns their paths.
pub fn write_all(report: &SponsorReport, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir)
        .map_err(|source| ReportError::Write { path: dir.to_owned(), source })?;
    let files: [(&str, Vec<u8>); 4] = [
        ("index.html", render_html(report)?.into_bytes()),
        ("value-report.xlsx", render_xlsx(report)?),
        ("headlines.md", render_markdown(report).into_bytes()),
        ("report.json", render_json(report)?.into_bytes()),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes)
            .map_err(|source| ReportError::Write { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}
