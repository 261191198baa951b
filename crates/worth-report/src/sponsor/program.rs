//! The value program's sections of the sponsor report: KPIs with status and trend,
//! objectives with their key results computed from the data, success stories and pilots.
//!
//! The caller (who has the store) computes the figures with `worth_core::program` and hands
//! them over rounded; the renderers only format them, and escape every text.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::markdown::escape;

/// The program's sections.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgramSection {
    /// Each KPI's latest value per subject.
    pub kpis: Vec<KpiLine>,
    /// Objectives with their key results.
    pub objectives: Vec<ObjectiveLine>,
    /// Success stories.
    pub stories: Vec<StoryLine>,
    /// Pilots.
    pub pilots: Vec<PilotLine>,
}

/// A KPI's latest value for one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiLine {
    /// Its name.
    pub kpi: String,
    /// Leading or lagging.
    pub indicator: String,
    /// The subject, empty for the whole program.
    pub subject: String,
    /// The period of the value.
    pub period: String,
    /// The value, rounded to 2 decimals, with its unit.
    pub value: String,
    /// On track, at risk, off track.
    pub status: String,
    /// Improving, steady, worsening, or empty.
    pub trend: String,
}

/// An objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveLine {
    /// Its name.
    pub name: String,
    /// Weighted progress of its key results, in percent.
    pub progress_percent: Option<Decimal>,
    /// Its key results.
    pub key_results: Vec<KeyResultLine>,
}

/// A key result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyResultLine {
    /// Its name.
    pub name: String,
    /// The built-in metric or KPI it is computed from, or `manual`.
    pub source: String,
    /// The value now, with its unit.
    pub value: String,
    /// Baseline → target.
    pub aim: String,
    /// Progress shown (clamped to 0–100), in percent.
    pub progress_percent: Option<Decimal>,
    /// Progress unclamped, in percent; none when baseline equals target.
    pub raw_percent: Option<Decimal>,
    /// What was counted.
    pub basis: String,
}

/// A story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryLine {
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: String,
    /// Whether it links a realized figure.
    pub measurable: bool,
    /// Its headline, from its figures.
    pub headline: Option<String>,
}

/// A pilot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PilotLine {
    /// Its name.
    pub name: String,
    /// The KPI.
    pub kpi: String,
    /// The difference in differences, rounded to 2 decimals.
    pub difference: Option<Decimal>,
    /// The 95% interval.
    pub interval: Option<(Decimal, Decimal)>,
    /// The verdict, or why there is none.
    pub verdict: String,
}

/// The program as Markdown, for headlines.md.
pub(crate) fn markdown(p: &ProgramSection, out: &mut String) {
    if !p.objectives.is_empty() {
        out.push_str("\n## Objectives and key results\n\n| objective | key result | value | aim | progress |\n|---|---|---|---|---|\n");
        for o in &p.objectives {
            let pct = |v: Option<Decimal>| v.map_or("n/a".into(), |v| format!("{v}%"));
            let _ = writeln!(
                out,
                "| {} | | | | {} |",
                escape(&o.name),
                escape(&pct(o.progress_percent))
            );
            for k in &o.key_results {
                let _ = writeln!(
                    out,
                    "| | {} | {} | {} | {} |",
                    escape(&k.name),
                    escape(&k.value),
                    escape(&k.aim),
                    escape(&pct(k.progress_percent))
                );
            }
        }
    }
    if !p.kpis.is_empty() {
        out.push_str("\n## KPIs\n\n| KPI | subject | period | value | status | trend |\n|---|---|---|---|---|---|\n");
        for k in &p.kpis {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                escape(&k.kpi),
                escape(&k.subject),
                escape(&k.period),
                escape(&k.value),
                escape(&k.status),
                escape(&k.trend)
            );
        }
    }
    if !p.stories.is_empty() {
        out.push_str("\n## Success stories\n\n");
        for s in &p.stories {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                escape(&s.title),
                escape(&s.status),
                escape(s.headline.as_deref().unwrap_or("no realized figure yet"))
            );
        }
    }
    if !p.pilots.is_empty() {
        out.push_str("\n## Pilots\n\n");
        for x in &p.pilots {
            let _ = writeln!(out, "- {}: {}", escape(&x.name), escape(&x.verdict));
        }
    }
}

/// The key results as one sheet of the workbook: objective, key result, metric, value, aim,
/// progress (a number in percent, or `n/a`) and what was counted.
pub(crate) fn key_results_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    p: &ProgramSection,
    bold: &rust_xlsxwriter::Format,
    percent: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_decimal::prelude::ToPrimitive;
    ws.set_name("Key results")?;
    let headers = ["objective", "key result", "computed from", "value", "aim", "progress", "basis"];
    for (c, h) in (0u16..).zip(headers) {
        ws.write_string_with_format(0, c, h, bold)?;
    }
    let mut y = 1u32;
    for o in &p.objectives {
        for k in &o.key_results {
            ws.write_string(y, 0, &o.name)?;
            ws.write_string(y, 1, &k.name)?;
            ws.write_string(y, 2, &k.source)?;
            ws.write_string(y, 3, &k.value)?;
            ws.write_string(y, 4, &k.aim)?;
            match k.progress_percent.and_then(|v| v.to_f64()) {
                Some(v) => ws.write_number_with_format(y, 5, v, percent)?,
                None => ws.write_string(y, 5, "n/a")?,
            };
            ws.write_string(y, 6, &k.basis)?;
            y += 1;
        }
    }
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 46)?;
    ws.set_column_width(6, 80)?;
    Ok(())
}
