//! `worth cost`: what a solution costs, once or every month.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use worth_core::money::parse_amount;
use worth_core::value::{CostKind, CostLine};
use worth_core::{Currency, Money};

use super::{choice, date};
use crate::context::Globals;
use crate::output::{Table, emit, opt};

/// Cost commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CostCommand {
    /// Add a cost: an amount, or build hours × a role's rate card.
    Add(Box<AddArgs>),
    /// List costs.
    List,
}

/// Options of `worth cost add`.
#[derive(Debug, clap::Args)]
pub(crate) struct AddArgs {
    /// The solution.
    solution: String,
    /// one-time or monthly.
    #[arg(long, value_parser = choice::<CostKind>)]
    kind: CostKind,
    /// What it is for: build, license, capacity, pay-as-you-go, maintenance, external…
    #[arg(long)]
    item: String,
    /// The amount (once, or per month).
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["hours", "role", "percent_of_build"])]
    amount: Option<String>,
    /// A monthly maintenance cost as a yearly percentage of the solution's one-time costs
    /// (`15%`: 15% of the build a year, charged monthly).
    #[arg(long, conflicts_with_all = ["hours", "role"])]
    percent_of_build: Option<String>,
    /// Its currency [default: the workspace's].
    #[arg(long)]
    currency: Option<String>,
    /// Hours of work, priced with the role's rate card on the start day.
    #[arg(long, requires = "role")]
    hours: Option<String>,
    /// The role whose rate card prices the hours.
    #[arg(long, requires = "hours")]
    role: Option<String>,
    /// The day of a one-time cost, or the first day of a monthly one [default: today].
    #[arg(long, value_parser = date)]
    start: Option<NaiveDate>,
    /// The first day a monthly cost no longer applies.
    #[arg(long, value_parser = date)]
    end: Option<NaiveDate>,
    /// The solution's business unit, when its name exists in several.
    #[arg(long)]
    bu: Option<String>,
}

pub(crate) async fn run(g: &Globals, cmd: CostCommand) -> Result<()> {
    let store = g.open().await?;
    let costs = match cmd {
        CostCommand::Add(a) => {
            let solution = store.solution(&a.solution, a.bu.as_deref()).await?;
            let settings = store.settings().await?;
            let start = a.start.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let (amount, basis) = match (&a.amount, &a.hours, &a.role) {
                (None, None, None) if a.percent_of_build.is_some() => {
                    let text = a.percent_of_build.as_deref().unwrap_or_default();
                    let pct: worth_core::value::quantity::Estimate = text.parse()?;
                    if a.kind != CostKind::Monthly {
                        bail!("--percent-of-build makes a monthly cost: use --kind monthly");
                    }
                    let builds: Vec<CostLine> = store
                        .cost_lines()
                        .await?
                        .into_iter()
                        .filter(|c| c.solution_id == solution.id && c.kind == CostKind::OneTime)
                        .collect();
                    let Some(first) = builds.first() else {
                        bail!("'{}' has no one-time costs to take a percentage of", solution.name);
                    };
                    let currency = first.amount.currency;
                    if builds.iter().any(|c| c.amount.currency != currency) {
                        bail!("the one-time costs are in several currencies: give --amount");
                    }
                    let total: rust_decimal::Decimal = builds.iter().map(|c| c.amount.amount).sum();
                    let monthly = (total * pct.likely / rust_decimal::Decimal::from(12))
                        .round_dp(currency.minor_units());
                    let basis = format!(
                        "{}% a year of one-time costs {total} {currency}, ÷ 12",
                        (pct.likely * rust_decimal::Decimal::from(100)).normalize()
                    );
                    (Money::new(monthly, currency), Some(basis))
                }
                (Some(text), None, None) => {
                    let currency = match &a.currency {
                        Some(c) => Currency::parse(c)?,
                        None => settings.currency,
                    };
                    (Money::new(parse_amount("amount", text)?, currency), None)
                }
                (None, Some(hours), Some(role)) => {
                    let hours = parse_amount("hours", hours)?;
                    let rates = store.rates().await?;
                    let (amount, basis) = worth_core::rates::price_hours(
                        &rates,
                        role,
                        &solution.business_unit,
                        start,
                        hours,
                    )?;
                    (amount, Some(basis))
                }
                _ => bail!("give --amount, --hours with --role, or --percent-of-build"),
            };
            let cost = CostLine {
                id: 0,
                solution_id: solution.id,
                kind: a.kind,
                item: a.item,
                amount,
                start,
                end: a.end,
                basis,
            };
            let mut w = store.write(&g.actor()).await?;
            let added = w.add_cost(&solution.name, Some(&solution.business_unit), &cost).await?;
            w.commit().await?;
            vec![added]
        }
        CostCommand::List => store.cost_lines().await?,
    };
    let mut table = Table::new(&[
        "id",
        "solution id",
        "kind",
        "item",
        "amount",
        "currency",
        "start",
        "end",
        "basis",
    ]);
    for c in &costs {
        table.row([
            c.id.to_string(),
            c.solution_id.to_string(),
            c.kind.to_string(),
            c.item.clone(),
            c.amount.amount.to_string(),
            c.amount.currency.to_string(),
            c.start.to_string(),
            opt(c.end),
            c.basis.clone().unwrap_or_default(),
        ]);
    }
    emit(g.format, &costs, &table)
}
