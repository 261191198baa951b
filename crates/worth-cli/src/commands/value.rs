//! `worth value`: value lines (add, list, re-estimate, measure) and the value realized.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use worth_core::org::same_name;
use worth_core::period::{label, month_of, parse_month};
use worth_core::value::engine::Source;
use worth_core::value::financial::round_amount;
use worth_core::value::models::{CATALOGUE, ModelSpec};
use worth_core::value::{Category, EvidenceGrade, ValueLine};
use worth_core::{Currency, ValidationError};
use worth_store::{NewValueLine, Reestimate};

use super::analysis::{By, Loaded, warn_problems};
use super::choice;
use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// `worth value`: without a subcommand, the value realized, grouped.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ValueArgs {
    #[command(subcommand)]
    command: Option<ValueCommand>,
    /// How to group the value.
    #[arg(long, value_enum, default_value_t = By::Solution)]
    by: By,
    /// First month counted, YYYY-MM [default: the first with value].
    #[arg(long, value_parser = month)]
    from: Option<NaiveDate>,
    /// Last month counted, YYYY-MM [default: the last complete month].
    #[arg(long, value_parser = month)]
    to: Option<NaiveDate>,
}

fn month(text: &str) -> Result<NaiveDate, String> {
    let shaped = text.trim().len() == 7;
    match parse_month(text) {
        Some(m) if shaped && chrono::Datelike::year(&m) >= 1900 => Ok(m),
        _ => Err(format!("'{text}' is not a month of the form YYYY-MM")),
    }
}

/// Value line commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ValueCommand {
    /// Add a value line to a solution (`--param key=value`; `worth value models` lists them).
    Add(AddArgs),
    /// List value lines.
    List {
        /// Only this solution's lines.
        #[arg(long)]
        solution: Option<String>,
        /// The solution's business unit, when its name exists in several.
        #[arg(long)]
        bu: Option<String>,
    },
    /// Change a line's estimate; after approval this records a re-estimate.
    Reestimate {
        /// The solution.
        solution: String,
        /// The line's name.
        line: String,
        /// The solution's business unit, when its name exists in several.
        #[arg(long)]
        bu: Option<String>,
        /// A parameter to change, as key=value (repeatable).
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// A new attribution share.
        #[arg(long)]
        attribution: Option<String>,
        /// Why the estimate changes.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record a measured metric for a month (units, or a before/after line's metric).
    Measure {
        /// The solution.
        solution: String,
        /// The metric's name (`units`, or the metric of a before/after line).
        metric: String,
        /// The month, YYYY-MM.
        #[arg(value_parser = month)]
        month: NaiveDate,
        /// The value.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// The solution's business unit, when its name exists in several.
        #[arg(long)]
        bu: Option<String>,
        /// Where the figure comes from.
        #[arg(long, default_value = "entered by hand")]
        source: String,
    },
    /// List the value models, their formulas and parameters.
    Models,
}

/// Options of `worth value add`.
#[derive(Debug, clap::Args)]
pub(crate) struct AddArgs {
    /// The solution.
    solution: String,
    /// The line's name, unique within the solution.
    #[arg(long)]
    name: String,
    /// time-savings, cost-reduction, cost-avoidance, revenue, quality, risk-compliance,
    /// experience.
    #[arg(long, value_parser = choice::<Category>)]
    category: Category,
    /// The value model (`worth value models` lists them).
    #[arg(long)]
    model: String,
    /// A model parameter, as key=value; ranges as min..likely..max (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// The solution's business unit, when its name exists in several.
    #[arg(long)]
    bu: Option<String>,
    /// The currency of the line's amounts [default: the workspace's].
    #[arg(long)]
    currency: Option<String>,
    /// The share of the benefit attributed to this solution (`100%`, `0.5`).
    #[arg(long, default_value = "100%")]
    attribution: String,
    /// system-data, survey, owner-estimate or assumption.
    #[arg(long, value_parser = choice::<EvidenceGrade>, default_value = "owner-estimate")]
    evidence: EvidenceGrade,
    /// The process whose benefit the line claims (lines of one unit and process share 100%).
    #[arg(long)]
    process: Option<String>,
    /// The first month the benefit counts, YYYY-MM [default: this month].
    #[arg(long, value_parser = super::month_or_date)]
    start: Option<NaiveDate>,
    /// How many months it counts [default: the guideline's horizon].
    #[arg(long)]
    horizon_months: Option<u32>,
}

fn pairs(params: &[String]) -> Result<Vec<(String, String)>, ValidationError> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(params.len());
    for p in params {
        let Some((k, v)) = p.split_once('=') else {
            return Err(ValidationError::new("param", format!("'{p}' is not key=value")));
        };
        let k = k.trim().to_owned();
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(ValidationError::new(
                "param",
                format!("'{k}' is given twice: give it once"),
            ));
        }
        out.push((k, v.trim().to_owned()));
    }
    Ok(out)
}
fn share(text: &str) -> Result<Decimal, ValidationError> {
    let e: worth_core::value::quantity::Estimate = text.parse()?;
    if e.is_uncertain() {
        return Err(ValidationError::new("attribution", "is one share, not a range"));
    }
    Ok(e.likely)
}

pub(crate) async fn run(g: &Globals, args: ValueArgs) -> Result<()> {
    let store = g.open().await?;
    let Some(cmd) = args.command else {
        return realized(g, &store, args.by, args.from, args.to).await;
    };
    match cmd {
        ValueCommand::Add(a) => {
            let guideline = store.guideline(None).await?;
            let settings = store.settings().await?;
            let spec = ModelSpec::from_pairs(&a.model, &pairs(&a.params)?)?;
            let currency = match &a.currency {
                Some(c) => Currency::parse(c)?,
                None => settings.currency,
            };
            let mut w = store.write(&g.actor()).await?;
            let new = NewValueLine {
                name: a.name,
                category: a.category,
                spec,
                currency,
                attribution: share(&a.attribution)?,
                evidence: a.evidence,
                process: a.process,
                start: a.start.unwrap_or_else(|| w.today()),
                horizon_months: a.horizon_months.unwrap_or(guideline.settings.horizon_years * 12),
            };
            let line = w.add_value_line(&a.solution, a.bu.as_deref(), &new).await?;
            w.commit().await?;
            list(g, &store, &[line]).await
        }
        ValueCommand::List { solution, bu } => {
            let id = match &solution {
                Some(s) => Some(store.solution(s, bu.as_deref()).await?.id),
                None => None,
            };
            list(g, &store, &store.value_lines(id).await?).await
        }
        ValueCommand::Reestimate { solution, line, bu, params, attribution, reason } => {
            let s = store.solution(&solution, bu.as_deref()).await?;
            let lines = store.value_lines(Some(s.id)).await?;
            let current = lines.iter().find(|l| same_name(&l.name, &line));
            let spec = match (current, params.is_empty()) {
                (_, true) => None,
                (Some(l), false) => Some(l.spec.with_changes(&pairs(&params)?)?),
                (None, false) => None,
            };
            if spec.is_none() && attribution.is_none() && current.is_some() {
                bail!("nothing to change: give --param key=value or --attribution");
            }
            let change = Reestimate {
                spec,
                attribution: attribution.as_deref().map(share).transpose()?,
                reason,
            };
            let mut w = store.write(&g.actor()).await?;
            let updated = w.reestimate(&solution, bu.as_deref(), &line, &change).await?;
            w.commit().await?;
            if updated.frozen.is_some() {
                say("worth: recorded a re-estimate; the estimate frozen at approval is unchanged");
            }
            list(g, &store, &[updated]).await
        }
        ValueCommand::Measure { solution, metric, month, value, bu, source } => {
            let value = worth_core::money::parse_amount("value", value.trim_start_matches('-'))
                .map(|v| if value.trim().starts_with('-') { -v } else { v })?;
            let mut w = store.write(&g.actor()).await?;
            w.record_measurement(&solution, bu.as_deref(), &metric, month, value, &source).await?;
            w.commit().await?;
            let out = serde_json::json!({
                "solution": solution, "metric": metric, "month": label(month),
                "value": value.to_string(), "source": source,
            });
            let table = Table::fields(&[
                ("metric", metric.clone()),
                ("month", label(month)),
                ("value", value.to_string()),
            ]);
            emit(g.format, &out, &table)
        }
        ValueCommand::Models => {
            let mut table = Table::new(&["model", "formula", "parameters"]);
            for (name, formula, params) in CATALOGUE {
                table.row([*name, *formula, *params]);
            }
            let models: Vec<_> = CATALOGUE
                .iter()
                .map(|(n, f, p)| serde_json::json!({"model": n, "formula": f, "parameters": p}))
                .collect();
            emit(g.format, &models, &table)
        }
    }
}

async fn list(g: &Globals, store: &worth_store::Store, lines: &[ValueLine]) -> Result<()> {
    let names: BTreeMap<i64, String> = store
        .solutions(None)
        .await?
        .into_iter()
        .map(|s| (s.id, format!("{} / {}", s.business_unit, s.name)))
        .collect();
    let mut table = Table::new(&[
        "id",
        "solution",
        "name",
        "category",
        "model",
        "attribution",
        "evidence",
        "start",
        "months",
        "frozen",
    ]);
    for l in lines {
        table.row([
            l.id.to_string(),
            names.get(&l.solution_id).cloned().unwrap_or_else(|| l.solution_id.to_string()),
            l.name.clone(),
            l.category.to_string(),
            l.spec.name().to_owned(),
            format!("{}%", (l.attribution * Decimal::from(100)).normalize()),
            l.evidence.to_string(),
            label(l.start),
            l.horizon_months.to_string(),
            opt(l
                .frozen
                .as_ref()
                .map(|f| format!("{} (guideline v{})", f.frozen_on, f.guideline_version))),
        ]);
    }
    emit(g.format, lines, &table)
}

#[derive(Debug, Serialize)]
struct RealizedRow {
    key: String,
    realized: Decimal,
    realized_risk_adjusted: Decimal,
    estimated: Decimal,
    months: usize,
}

#[derive(Debug, Serialize)]
struct RealizedOut {
    currency: Currency,
    guideline_version: i64,
    from: Option<String>,
    to: Option<String>,
    rows: Vec<RealizedRow>,
    total: Decimal,
}

async fn realized(
    g: &Globals,
    store: &worth_store::Store,
    by: By,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<()> {
    let loaded = Loaded::load(store).await?;
    let p = loaded.portfolio(false);
    let (lo, hi) = (
        from.unwrap_or(NaiveDate::MIN),
        to.map_or(NaiveDate::MAX, |t| worth_core::period::add_months(month_of(t), 1)),
    );
    let mut groups: BTreeMap<String, RealizedRow> = BTreeMap::new();
    for s in &p.solutions {
        for l in s.lines.iter().filter(|l| l.score.is_none()) {
            let key = match by {
                By::Solution => format!("{} / {}", s.business_unit, s.name),
                By::Bu => s.business_unit.clone(),
                By::Category => l.category.to_string(),
                By::Platform => s.platform.clone(),
                By::Portfolio => "portfolio".into(),
            };
            let row = groups.entry(key.clone()).or_insert_with(|| RealizedRow {
                key,
                realized: Decimal::ZERO,
                realized_risk_adjusted: Decimal::ZERO,
                estimated: Decimal::ZERO,
                months: 0,
            });
            let months: Vec<_> = l
                .expected
                .iter()
                .filter(|m| m.source == Source::Realized && m.month >= lo && m.month < hi)
                .collect();
            for m in &months {
                row.realized += m.gross;
                row.realized_risk_adjusted += m.risk_adjusted;
                row.estimated += l
                    .estimate
                    .iter()
                    .filter(|e| e.month == m.month)
                    .map(|e| e.gross)
                    .sum::<Decimal>();
            }
            row.months = row.months.max(months.len());
        }
    }
    let minor = loaded.settings.currency.minor_units();
    let rows: Vec<RealizedRow> = groups
        .into_values()
        .map(|mut r| {
            r.realized = round_amount(r.realized, minor);
            r.realized_risk_adjusted = round_amount(r.realized_risk_adjusted, minor);
            r.estimated = round_amount(r.estimated, minor);
            r
        })
        .collect();
    let total = rows.iter().map(|r| r.realized).sum();
    let mut table =
        Table::new(&["group", "realized", "risk-adjusted", "estimated (same months)", "months"]);
    for r in &rows {
        table.row([
            r.key.clone(),
            r.realized.to_string(),
            r.realized_risk_adjusted.to_string(),
            r.estimated.to_string(),
            r.months.to_string(),
        ]);
    }
    warn_problems(g, &p.problems);
    let out = RealizedOut {
        currency: loaded.settings.currency,
        guideline_version: loaded.guideline.version,
        from: from.map(label),
        to: to.map(label),
        rows,
        total,
    };
    emit(g.format, &out, &table)
}
