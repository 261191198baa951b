//! `worth roi`, `worth accuracy` and `worth explain`: the value engine over the store.

use anyhow::Result;
use rust_decimal::Decimal;
use serde::Serialize;
use worth_core::org::same_name;
use worth_core::period::label;
use worth_core::value::accuracy::accuracy;
use worth_core::value::financial::{Column, Financials, round_amount, round_money};
use worth_core::value::portfolio::{Group, GroupBy, Portfolio};
use worth_core::{Currency, Problem};

use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

pub(crate) use worth_store::Loaded;

/// How `--by` groups results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum By {
    /// One row per solution.
    Solution,
    /// One row per business unit.
    Bu,
    /// One row per benefit category (benefits only).
    Category,
    /// One row per platform.
    Platform,
    /// One row for the whole portfolio.
    Portfolio,
}

/// A TEI column for output: money as decimal strings rounded to the minor unit.
#[derive(Debug, Serialize)]
pub(crate) struct ColumnOut {
    benefits: Decimal,
    benefits_risk_adjusted: Decimal,
    costs: Decimal,
}

/// A financial view for output.
#[derive(Debug, Serialize)]
pub(crate) struct RoiRow {
    pub(crate) key: String,
    solutions: usize,
    currency: Currency,
    pub(crate) pv_benefits: Decimal,
    pv_benefits_unadjusted: Decimal,
    pub(crate) pv_costs: Decimal,
    pub(crate) npv: Decimal,
    /// ROI in percent, two decimals.
    pub(crate) roi_percent: Option<Decimal>,
    irr_percent: Option<Decimal>,
    payback_months: Option<Decimal>,
    pub(crate) value_to_date: Decimal,
    value_last_month: Decimal,
    trend_percent: Option<Decimal>,
    costs_apply: bool,
    initial: ColumnOut,
    years: Vec<ColumnOut>,
}

fn percent(v: f64) -> Decimal {
    round_money(v * 100.0, 2)
}

pub(crate) fn roi_row(
    key: String,
    solutions: usize,
    f: &Financials,
    currency: Currency,
    costs_apply: bool,
) -> RoiRow {
    let m = currency.minor_units();
    let col = |c: &Column| ColumnOut {
        benefits: round_amount(c.benefits, m),
        benefits_risk_adjusted: round_amount(c.benefits_risk_adjusted, m),
        costs: round_amount(c.costs, m),
    };
    RoiRow {
        key,
        solutions,
        currency,
        pv_benefits: round_money(f.pv_benefits, m),
        pv_benefits_unadjusted: round_money(f.pv_benefits_unadjusted, m),
        pv_costs: round_money(f.pv_costs, m),
        npv: round_money(f.npv, m),
        roi_percent: f.roi.map(percent),
        irr_percent: f.irr.map(percent),
        payback_months: f.payback_months.map(|p| round_money(p, 1)),
        value_to_date: round_amount(f.value_to_date, m),
        value_last_month: round_amount(f.value_last_month, m),
        trend_percent: f.trend.map(percent),
        costs_apply,
        initial: col(&f.initial),
        years: f.years.iter().map(col).collect(),
    }
}

/// The rows of `worth roi` and `worth value`, grouped.
pub(crate) fn rows(loaded: &Loaded, p: &Portfolio, by: By) -> Vec<RoiRow> {
    let cur = loaded.settings.currency;
    let ctx = loaded.ctx(false);
    let group = |g: GroupBy| -> Vec<RoiRow> {
        p.group(&ctx, g)
            .into_iter()
            .map(|Group { key, solutions, financials, costs_apply }| {
                roi_row(key, solutions, &financials, cur, costs_apply)
            })
            .collect()
    };
    match by {
        By::Solution => group(GroupBy::Solution),
        By::Bu => group(GroupBy::BusinessUnit),
        By::Category => group(GroupBy::Category),
        By::Platform => group(GroupBy::Platform),
        By::Portfolio => vec![roi_row("portfolio".into(), p.solutions.len(), &p.total, cur, true)],
    }
}

#[derive(Debug, Serialize)]
struct RoiOut<'a> {
    currency: Currency,
    guideline_version: i64,
    discount_rate: f64,
    horizon_years: u32,
    rows: Vec<RoiRow>,
    problems: &'a [Problem],
}

/// Options of `worth roi`.
#[derive(Debug, clap::Args)]
pub(crate) struct RoiArgs {
    /// How to group the rows.
    #[arg(long, value_enum, default_value_t = By::Portfolio)]
    by: By,
}

pub(crate) async fn roi(g: &Globals, args: RoiArgs) -> Result<()> {
    let store = g.open().await?;
    let loaded = Loaded::load(&store).await?;
    let p = loaded.portfolio(false);
    let rows = rows(&loaded, &p, args.by);
    let mut table = Table::new(&[
        "group",
        "solutions",
        "PV benefits",
        "PV costs",
        "NPV",
        "ROI",
        "IRR",
        "payback (months)",
    ]);
    for r in &rows {
        let na = |v: Option<Decimal>, suffix: &str| {
            v.map_or("n/a".to_owned(), |v| format!("{v}{suffix}"))
        };
        table.row([
            r.key.clone(),
            r.solutions.to_string(),
            r.pv_benefits.to_string(),
            if r.costs_apply { r.pv_costs.to_string() } else { "n/a".into() },
            if r.costs_apply { r.npv.to_string() } else { "n/a".into() },
            na(r.roi_percent, "%"),
            na(r.irr_percent, "%"),
            na(r.payback_months, ""),
        ]);
    }
    warn_problems(g, &p.problems);
    let out = RoiOut {
        currency: loaded.settings.currency,
        guideline_version: loaded.guideline.version,
        discount_rate: loaded.guideline.settings.discount_rate,
        horizon_years: loaded.guideline.settings.horizon_years,
        rows,
        problems: &p.problems,
    };
    emit(g.format, &out, &table)
}

/// Tells on stderr how many problems were found (the JSON output lists them).
pub(crate) fn warn_problems(g: &Globals, problems: &[Problem]) {
    if problems.is_empty() {
        return;
    }
    say(&format!("worth: {} problem(s) found:", problems.len()));
    for p in problems.iter().take(if g.verbose > 0 { usize::MAX } else { 10 }) {
        say(&format!("  {} [{}]: {}", p.subject, p.kind, p.message));
    }
    if problems.len() > 10 && g.verbose == 0 {
        say("  … (-v lists them all; --format json includes them)");
    }
}

pub(crate) async fn accuracy_cmd(g: &Globals) -> Result<()> {
    let store = g.open().await?;
    let loaded = Loaded::load(&store).await?;
    let p = loaded.portfolio(false);
    let report = accuracy(&loaded.ctx(false), &p);
    let mut table = Table::new(&[
        "solution",
        "live since",
        "months",
        "estimated",
        "realized",
        "ratio",
        "accurate",
    ]);
    let m = loaded.settings.currency.minor_units();
    for s in &report.solutions {
        table.row([
            s.solution.clone(),
            label(s.live_since),
            s.months.to_string(),
            round_amount(s.estimated, m).to_string(),
            round_amount(s.realized, m).to_string(),
            opt(s.ratio.map(|r| format!("{:.2}", r))),
            opt(s.accurate.map(|a| if a { "yes" } else { "no" })),
        ]);
    }
    let stats = &report.portfolio;
    say(&format!(
        "worth: {} solutions compared; {} within ±{}%; median absolute error {}",
        stats.solutions,
        stats.share_accurate.map_or("n/a".into(), |s| format!("{:.0}%", s * 100.0)),
        report.tolerance * 100.0,
        stats.mdape.map_or("n/a".into(), |e| format!("{:.0}%", e * 100.0)),
    ));
    warn_problems(g, &report.problems);
    emit(g.format, &report, &table)
}

/// What `worth explain` explains.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ExplainCommand {
    /// A solution's NPV, ROI and payback, down to rollups, parameters, rates and guideline.
    Solution {
        /// The solution's name.
        name: String,
        /// Its business unit, when the name exists in several.
        #[arg(long)]
        bu: Option<String>,
    },
    /// A business unit's NPV and ROI, down to the solutions that make them.
    Bu {
        /// The business unit's name.
        name: String,
    },
    /// The portfolio's NPV and ROI, down to its solutions.
    Portfolio,
}

#[derive(Debug, Serialize)]
struct ExplainOut {
    solution: String,
    figures: RoiRow,
    explain: worth_core::value::explain::Explain,
    problems: Vec<Problem>,
}

pub(crate) async fn explain(g: &Globals, cmd: ExplainCommand) -> Result<()> {
    let (name, bu) = match cmd {
        ExplainCommand::Solution { name, bu } => (name, bu),
        ExplainCommand::Bu { name } => return explain_group(g, Some(name)).await,
        ExplainCommand::Portfolio => return explain_group(g, None).await,
    };
    let store = g.open().await?;
    let wanted = store.solution(&name, bu.as_deref()).await?;
    let loaded = Loaded::load(&store).await?;
    let p = loaded.portfolio(true);
    let Some(s) = p.solutions.iter().find(|s| s.id == wanted.id) else {
        anyhow::bail!(
            "solution '{}' has no value lines or costs yet: add them with `worth value add` and \
             `worth cost add`",
            wanted.name
        );
    };
    let key = format!("{} / {}", s.business_unit, s.name);
    let problems: Vec<Problem> =
        p.problems.iter().filter(|pr| pr.subject.starts_with(&key)).cloned().collect();
    let explain = s.explain.clone().unwrap_or_else(|| unreachable!("explanations were asked for"));
    let out = ExplainOut {
        solution: key.clone(),
        figures: roi_row(key, 1, &s.financials, loaded.settings.currency, true),
        explain,
        problems,
    };
    if g.format == crate::output::Format::Table {
        let text = out.explain.to_text();
        let mut stdout = std::io::stdout().lock();
        std::io::Write::write_all(&mut stdout, text.as_bytes())?;
        warn_problems(g, &out.problems);
        return Ok(());
    }
    emit(
        g.format,
        &out,
        &Table::fields(&[("solution", out.solution.clone()), ("npv", out.figures.npv.to_string())]),
    )
}

async fn explain_group(g: &Globals, bu: Option<String>) -> Result<()> {
    let store = g.open().await?;
    let bu = match bu {
        Some(name) => {
            let units = store.business_units().await?;
            let found = units.iter().find(|u| same_name(&u.name, &name));
            let Some(unit) = found else {
                let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
                let hint = worth_core::suggest::closest(&name, names)
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                anyhow::bail!("unknown business unit '{}'{hint}", name.trim());
            };
            Some(unit.name.clone())
        }
        None => None,
    };
    let loaded = Loaded::load(&store).await?;
    let p = loaded.portfolio(false);
    let key = bu.clone().unwrap_or_else(|| "portfolio".into());
    let Some((fin, explain)) = p.explain_group(&loaded.ctx(false), bu.as_deref()) else {
        anyhow::bail!("'{key}' has no solutions with value lines or costs yet");
    };
    let members =
        p.solutions.iter().filter(|s| bu.as_deref().is_none_or(|b| s.business_unit == b)).count();
    let out = ExplainOut {
        solution: key.clone(),
        figures: roi_row(key, members, &fin, loaded.settings.currency, true),
        explain,
        problems: p.problems.clone(),
    };
    if g.format == crate::output::Format::Table {
        let mut stdout = std::io::stdout().lock();
        std::io::Write::write_all(&mut stdout, out.explain.to_text().as_bytes())?;
        return Ok(());
    }
    emit(
        g.format,
        &out,
        &Table::fields(&[("group", out.solution.clone()), ("npv", out.figures.npv.to_string())]),
    )
}
