//! `worth chargeback`: the price list, meters, the platform team's cost, allocation rules,
//! runs of a period and the statement of a business unit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use worth_core::allocation::licenses::PlanKind;
use worth_core::allocation::unit::{UnitEconomics, UnitInputs, unit_economics};
use worth_core::allocation::{
    Allocation, Converted, DirectBy, Driver, Level, Method, PoolFilter, Rule, StatementLine,
    UNALLOCATED, View, allocate_to, convert,
};
use worth_core::money::parse_amount;
use worth_core::org::same_name;
use worth_core::period::label;
use worth_core::{Currency, Money};
use worth_report::sponsor::chargeback::ChargebackSection;
use worth_store::{ChargebackRun, Meter, PlatformCost, PriceEntry, Store, default_prices};

use super::{choice, month_or_date};
use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// Chargeback and showback commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ChargebackCommand {
    /// Allocate a period's costs by the rules and record the statements.
    Run {
        /// The period, YYYY-MM.
        #[arg(long, value_parser = month_or_date)]
        period: NaiveDate,
    },
    /// The statement of one business unit (or `all`) from the latest run.
    Statement(StatementArgs),
    /// Cost per active user, per solution, per successful run and per hour saved.
    Units {
        /// The period, YYYY-MM [default: the latest run's].
        #[arg(long, value_parser = month_or_date)]
        period: Option<NaiveDate>,
        /// Which view.
        #[arg(long, value_parser = choice::<View>, default_value = "billed")]
        view: View,
    },
    /// The price list: per SKU per month, dated.
    #[command(subcommand)]
    Price(PriceCommand),
    /// Pay-as-you-go meters of a month.
    #[command(subcommand)]
    Meter(MeterCommand),
    /// The platform team's own cost of a month.
    #[command(subcommand, name = "platform-cost")]
    PlatformCost(PlatformCostCommand),
    /// Allocation rules, applied in order.
    #[command(subcommand)]
    Rule(RuleCommand),
}

/// Options of `worth chargeback statement`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatementArgs {
    /// The business unit, or `all`.
    bu: String,
    /// The period, YYYY-MM [default: the latest run's].
    #[arg(long, value_parser = month_or_date)]
    period: Option<NaiveDate>,
    /// Which view.
    #[arg(long, value_parser = choice::<View>, default_value = "billed")]
    view: View,
    /// Also write the statement as an XLSX workbook to this file.
    #[arg(long)]
    xlsx: Option<PathBuf>,
    /// Also convert every line to the workspace currency with the exchange rates in force on
    /// the period's last day (`worth fx add`); refused when a currency has no such rate.
    #[arg(long)]
    convert: bool,
}

/// Price list commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PriceCommand {
    /// Set the price of a SKU from a month on.
    Set {
        /// The SKU, as the license report or meter names it.
        sku: String,
        /// The price of one unit per month.
        amount: String,
        /// per-user, per-app, pay-as-you-go, per-run, per-gb or other.
        #[arg(long, value_parser = choice::<PlanKind>)]
        kind: PlanKind,
        /// Its currency [default: the workspace's].
        #[arg(long)]
        currency: Option<String>,
        /// The first month it applies, YYYY-MM.
        #[arg(long, value_parser = month_or_date)]
        from: NaiveDate,
        /// Where the price comes from.
        #[arg(long)]
        source: Option<String>,
    },
    /// Add Worth's documented default list prices, with their dates and sources.
    Defaults,
    /// List the price list.
    List,
}

/// Meter commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum MeterCommand {
    /// Record a metered quantity of a month.
    Set {
        /// The meter's SKU in the price list.
        meter: String,
        /// The quantity: active user-apps, runs, or GB above the entitlement.
        quantity: String,
        /// The month, YYYY-MM.
        #[arg(long, value_parser = month_or_date)]
        month: NaiveDate,
        /// The business unit it is for.
        #[arg(long)]
        bu: Option<String>,
        /// The environment it was measured in.
        #[arg(long)]
        environment: Option<String>,
    },
    /// List meters.
    List {
        /// Only this month.
        #[arg(long, value_parser = month_or_date)]
        month: Option<NaiveDate>,
    },
}

/// Platform team cost commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PlatformCostCommand {
    /// Set an item of the platform team's cost of a month.
    Set {
        /// What it is: salaries, tooling…
        item: String,
        /// The amount.
        amount: String,
        /// The month, YYYY-MM.
        #[arg(long, value_parser = month_or_date)]
        month: NaiveDate,
        /// Its currency [default: the workspace's].
        #[arg(long)]
        currency: Option<String>,
    },
    /// List the platform team's cost.
    List {
        /// Only this month.
        #[arg(long, value_parser = month_or_date)]
        month: Option<NaiveDate>,
    },
}

/// Rule commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum RuleCommand {
    /// Append a rule: one of --tag, --by-environment, --proportional, --even, --fixed.
    Add(Box<RuleArgs>),
    /// List the rules in the order they apply.
    List,
    /// Remove a rule.
    Remove {
        /// Its name.
        name: String,
    },
}

/// Options of `worth chargeback rule add`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("method").required(true)
    .args(["tag", "by_environment", "proportional", "even", "fixed"])))]
pub(crate) struct RuleArgs {
    /// The rule's name.
    name: String,
    /// What the targets are: business-unit, or solution (named `Solution` or
    /// `Business unit / Solution`, with drivers counted per solution).
    #[arg(long, value_parser = choice::<Level>, default_value = "business-unit")]
    level: Level,
    /// Direct: each record to the target its tag KEY names.
    #[arg(long)]
    tag: Option<String>,
    /// Direct: each record to the target its environment maps to (with --map).
    #[arg(long)]
    by_environment: bool,
    /// Other tag keys that mean the same as --tag (`cost center`).
    #[arg(long, requires = "tag")]
    alias: Vec<String>,
    /// VALUE=TARGET: map a tag value or environment to a business unit or solution.
    #[arg(long)]
    map: Vec<String>,
    /// In proportion to a driver: active-users, sessions, successful-runs, storage,
    /// allocated-cost.
    #[arg(long, value_parser = choice::<Driver>)]
    proportional: Option<Driver>,
    /// The same to each target (business unit or solution), once per period.
    #[arg(long)]
    even: bool,
    /// TARGET=PERCENT, repeated; the percentages must sum to 100.
    #[arg(long)]
    fixed: Vec<String>,
    /// Only these targets (for --proportional and --even).
    #[arg(long)]
    target: Vec<String>,
    /// Only records of this pool: cloud, licenses, pay-as-you-go, platform-team.
    #[arg(long)]
    pool: Option<String>,
    /// Only records of this service, SKU or meter.
    #[arg(long)]
    service: Option<String>,
    /// Only records of this billing account.
    #[arg(long)]
    account: Option<String>,
    /// Only records of this environment.
    #[arg(long)]
    environment: Option<String>,
    /// KEY=VALUE: only records with this tag (VALUE `*`: any value).
    #[arg(long)]
    with_tag: Option<String>,
}

pub(crate) async fn run(g: &Globals, cmd: ChargebackCommand) -> Result<()> {
    let store = g.open().await?;
    match cmd {
        ChargebackCommand::Run { period } => run_period(g, &store, period).await,
        ChargebackCommand::Statement(a) => statement(g, &store, &a).await,
        ChargebackCommand::Units { period, view } => units(g, &store, period, view).await,
        ChargebackCommand::Price(c) => price(g, &store, c).await,
        ChargebackCommand::Meter(c) => meter(g, &store, c).await,
        ChargebackCommand::PlatformCost(c) => platform_cost(g, &store, c).await,
        ChargebackCommand::Rule(c) => rule(g, &store, c).await,
    }
}

/// What `worth chargeback run` prints: per target and view, and how each pool reconciles.
#[derive(Debug, Serialize)]
struct RunSummary {
    run: i64,
    period: String,
    targets: Vec<TargetTotal>,
    reconciliation: Vec<Reconciliation>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct TargetTotal {
    target: String,
    currency: Currency,
    billed: Decimal,
    amortized: Decimal,
}

/// A pool's source total, rounded once, beside the sum of its statement lines.
#[derive(Debug, Serialize)]
pub(crate) struct Reconciliation {
    pub(crate) pool: String,
    pub(crate) currency: Currency,
    pub(crate) view: View,
    pub(crate) source: Decimal,
    pub(crate) statements: Decimal,
    pub(crate) reconciles: bool,
}

/// Runs the rules over a period and records the run; shared with the demo.
pub(crate) async fn record_run(
    actor: &str,
    store: &Store,
    period: NaiveDate,
) -> Result<(ChargebackRun, Vec<String>)> {
    let inputs = store.run_inputs(period).await?;
    if inputs.records.is_empty() {
        bail!(
            "nothing to allocate in {}: import costs (`worth import costs`), or set prices, meters \
             or the platform team's cost for that month",
            label(period)
        );
    }
    let go = |view| allocate_to(&inputs.records, &inputs.rules, &inputs.targets, view);
    let billed = go(View::Billed)?;
    let amortized = go(View::Amortized)?;
    let mut w = store.write(actor).await?;
    let run = w.record_run(&inputs, &billed, &amortized).await?;
    w.commit().await?;
    Ok((run, inputs.notes))
}

/// Each pool's source total beside its statement lines, in both views.
pub(crate) fn reconcile(run: &ChargebackRun) -> Vec<Reconciliation> {
    let mut out = Vec::new();
    for s in &run.sources {
        for (view, exact) in [(View::Billed, s.billed), (View::Amortized, s.amortized)] {
            let mut source = worth_core::allocation::round_total(exact, s.currency.minor_units());
            source.rescale(s.currency.minor_units());
            let statements: Decimal = run
                .view(view)
                .lines
                .iter()
                .filter(|l| l.pool == s.pool && l.amount.currency == s.currency)
                .map(|l| l.amount.amount)
                .sum();
            out.push(Reconciliation {
                pool: s.pool.clone(),
                currency: s.currency,
                view,
                source,
                statements,
                reconciles: source == statements,
            });
        }
    }
    out
}

async fn run_period(g: &Globals, store: &Store, period: NaiveDate) -> Result<()> {
    let (run, notes) = record_run(&g.actor(), store, period).await?;
    for n in &notes {
        say(&format!("note: {n}"));
    }
    let mut targets = Vec::new();
    for t in run.billed.targets().into_iter().chain(run.amortized.targets()) {
        if targets.iter().any(|x: &TargetTotal| x.target == t) {
            continue;
        }
        let amortized = run.amortized.target_totals(&t);
        for b in run.billed.target_totals(&t) {
            let a = amortized
                .iter()
                .find(|a| a.currency == b.currency)
                .map_or(Decimal::ZERO, |a| a.amount);
            targets.push(TargetTotal {
                target: t.clone(),
                currency: b.currency,
                billed: b.amount,
                amortized: a,
            });
        }
    }
    let reconciliation = reconcile(&run);
    if let Some(r) = reconciliation.iter().find(|r| !r.reconciles) {
        bail!(
            "the {} view of pool {} does not reconcile: source {} {}, statements {}; this is a bug",
            r.view,
            r.pool,
            r.source,
            r.currency,
            r.statements
        );
    }
    say(&format!(
        "run #{} of {}: {} lines; every pool reconciles to its source to the cent",
        run.id,
        run.period,
        run.billed.lines.len() + run.amortized.lines.len()
    ));
    let mut table = Table::new(&["target", "currency", "billed", "amortized"]);
    for t in &targets {
        table.row([
            t.target.clone(),
            t.currency.to_string(),
            t.billed.to_string(),
            t.amortized.to_string(),
        ]);
    }
    for total in &run.billed.totals {
        let a = run.amortized.totals.iter().find(|a| a.currency == total.currency);
        table.row([
            "total".to_owned(),
            total.currency.to_string(),
            total.amount.to_string(),
            a.map_or(String::new(), |a| a.amount.to_string()),
        ]);
    }
    let summary =
        RunSummary { run: run.id, period: run.period.clone(), targets, reconciliation, notes };
    emit(g.format, &summary, &table)
}

/// What `worth chargeback statement` prints.
#[derive(Debug, Serialize)]
struct Statement {
    run: i64,
    period: String,
    view: View,
    business_unit: String,
    lines: Vec<StatementLine>,
    totals: Vec<Money>,
    /// The lines in the workspace currency, with `--convert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    converted: Option<Converted>,
}

async fn latest(store: &Store, period: Option<NaiveDate>) -> Result<ChargebackRun> {
    store.latest_run(period).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "no chargeback run{}: make one with `worth chargeback run --period YYYY-MM`",
            period.map(|p| format!(" of {}", label(p))).unwrap_or_default()
        )
    })
}

async fn statement(g: &Globals, store: &Store, a: &StatementArgs) -> Result<()> {
    let run = latest(store, a.period).await?;
    let all = a.bu.trim().eq_ignore_ascii_case("all");
    let view = run.view(a.view);
    let wanted = if all {
        None
    } else {
        let targets = view.targets();
        let found = targets.iter().find(|t| same_name(t, &a.bu)).cloned();
        match found {
            Some(t) => Some(t),
            None => {
                let hint = worth_core::suggest::closest(&a.bu, targets.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                bail!(
                    "'{}' has no line in run #{} of {}{hint}; `worth chargeback statement all` \
                     lists every target",
                    a.bu.trim(),
                    run.id,
                    run.period
                );
            }
        }
    };
    let lines: Vec<StatementLine> = view
        .lines
        .iter()
        .filter(|l| wanted.as_ref().is_none_or(|w| &l.target == w))
        .cloned()
        .collect();
    let totals = match &wanted {
        Some(t) => view.target_totals(t),
        None => view.totals.clone(),
    };
    let converted = if a.convert { Some(converted(store, &run, &lines).await?) } else { None };
    let statement = Statement {
        run: run.id,
        period: run.period.clone(),
        view: a.view,
        business_unit: wanted.unwrap_or_else(|| "all".into()),
        lines,
        totals,
        converted,
    };
    let table = statement_table(&statement);
    if let Some(path) = &a.xlsx {
        write_xlsx(path, "Statement", &table)?;
        say(&format!("wrote {}", path.display()));
    }
    emit(g.format, &statement, &table)
}

/// The lines converted to the workspace currency with the rates in force on the run's last day.
async fn converted(
    store: &Store,
    run: &ChargebackRun,
    lines: &[StatementLine],
) -> Result<Converted> {
    let period = worth_core::period::parse_month(&run.period)
        .with_context(|| format!("run #{} has a bad period '{}'", run.id, run.period))?;
    let last_day = worth_core::period::add_months(period, 1).pred_opt().unwrap_or(period);
    let fx = worth_core::fx::FxTable::new(store.fx_rates().await?);
    let to = store.settings().await?.currency;
    convert(lines, &fx, to, last_day).with_context(|| {
        format!(
            "cannot convert the statement of {} to {to}: currencies are never added",
            run.period
        )
    })
}

fn statement_table(s: &Statement) -> Table {
    let mut headers = vec![
        "target", "solution", "pool", "rule", "category", "driver", "quantity", "share", "records",
        "currency", "amount", "reason",
    ];
    if s.converted.is_some() {
        headers.push("converted");
    }
    let mut t = Table::new(&headers);
    let blank = String::new;
    for (i, l) in s.lines.iter().enumerate() {
        let mut row = vec![
            l.target.clone(),
            opt(l.solution.as_ref()),
            l.pool.clone(),
            opt(l.rule.as_ref()),
            l.category.to_string(),
            opt(l.driver),
            opt(l.quantity.map(|q| q.round_dp(4).normalize())),
            opt(l
                .share
                .map(|s| format!("{}%", (s * Decimal::ONE_HUNDRED).round_dp(2).normalize()))),
            l.records.to_string(),
            l.amount.currency.to_string(),
            l.amount.amount.to_string(),
            opt(l.reason.as_ref()),
        ];
        if let Some(c) = &s.converted {
            row.push(c.amounts.get(i).map_or_else(blank, |a| a.amount.to_string()));
        }
        t.row(row);
    }
    // One total per currency, and the converted total in the workspace currency.
    let converted = s.converted.iter().map(|c| ("total converted", c.total));
    for (label, total) in s.totals.iter().map(|t| ("total", *t)).chain(converted) {
        let mut row = vec![label.to_owned()];
        row.extend(std::iter::repeat_with(blank).take(8));
        row.extend([total.currency.to_string(), total.amount.to_string(), blank()]);
        if s.converted.is_some() {
            row.push(if label == "total" { blank() } else { total.amount.to_string() });
        }
        t.row(row);
    }
    t
}

/// Writes a table as a one-sheet workbook; cells that are decimal numbers become numbers so
/// the sheet can be summed, and text is written as text cells, which a spreadsheet never runs
/// as a formula.
pub(crate) fn write_xlsx(path: &Path, sheet: &str, table: &Table) -> Result<()> {
    use rust_decimal::prelude::ToPrimitive;
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in table.headers().iter().enumerate() {
            ws.write_string_with_format(0, u16::try_from(c).unwrap_or(u16::MAX), *h, &bold)?;
        }
        for (r, row) in table.rows().iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell.parse::<Decimal>() {
                    Ok(d) => ws.write_number(r, c, d.to_f64().unwrap_or(0.0))?,
                    Err(_) => ws.write_string(r, c, cell)?,
                };
            }
        }
        wb.save_to_buffer()
    };
    let bytes = build().map_err(|e| anyhow::anyhow!("cannot build the workbook: {e}"))?;
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

async fn units(g: &Globals, store: &Store, period: Option<NaiveDate>, view: View) -> Result<()> {
    let run = latest(store, period).await?;
    let list = unit_rows(store, &run, view).await?;
    let mut table = Table::new(&[
        "business unit",
        "cost",
        "per active user",
        "per solution",
        "per successful run",
        "per hour saved",
        "value to cost",
    ]);
    let m = |x: &Option<Money>| opt(x.map(|m| m.amount));
    for u in &list {
        table.row([
            u.target.clone(),
            u.cost.to_string(),
            m(&u.per_active_user),
            m(&u.per_solution),
            m(&u.per_successful_run),
            m(&u.per_hour_saved),
            opt(u.value_to_cost),
        ]);
    }
    emit(g.format, &list, &table)
}

/// Unit economics of every business unit of a run, joined with the value engine's realized
/// value and hours saved of the run's month.
pub(crate) async fn unit_rows(
    store: &Store,
    run: &ChargebackRun,
    view: View,
) -> Result<Vec<UnitEconomics>> {
    let period = worth_core::period::parse_month(&run.period)
        .with_context(|| format!("run #{} has a bad period '{}'", run.id, run.period))?;
    let inputs = store.run_inputs(period).await?;
    let solutions = store.solutions(None).await?;
    let value = month_value_by_bu(store, period).await?;
    let allocation: &Allocation = run.view(view);
    let mut out = Vec::new();
    for target in allocation.targets().into_iter().filter(|t| t != UNALLOCATED) {
        for cost in allocation.target_totals(&target) {
            let quantity = |d: Driver| {
                let per_unit = inputs.targets.drivers.get(&d);
                per_unit.and_then(|m| m.get(&target)).copied().unwrap_or_default()
            };
            let count = |d: Driver| quantity(d).to_u64_checked();
            let (value_money, hours) =
                value.get(&target.to_lowercase()).cloned().unwrap_or_default();
            out.push(unit_economics(&UnitInputs {
                target: target.clone(),
                cost,
                active_users: count(Driver::ActiveUsers),
                solutions: solutions.iter().filter(|s| same_name(&s.business_unit, &target)).count()
                    as u64,
                successful_runs: count(Driver::SuccessfulRuns),
                hours_saved: hours,
                value: value_money.filter(|v: &Money| v.currency == cost.currency),
            }));
        }
    }
    Ok(out)
}

/// Each business unit's realized value in `period` (keyed by the lower-cased name), in the
/// workspace currency, and its hours saved.
async fn month_value_by_bu(
    store: &Store,
    period: NaiveDate,
) -> Result<BTreeMap<String, (Option<Money>, Decimal)>> {
    let loaded = super::analysis::Loaded::load(store).await?;
    let portfolio = loaded.portfolio(false);
    let next = worth_core::period::add_months(period, 1);
    let mut out: BTreeMap<String, (Option<Money>, Decimal)> = BTreeMap::new();
    for s in &portfolio.solutions {
        let realized: Decimal = s.lines.iter().map(|l| l.realized_between(period, next)).sum();
        // The hours behind the time-savings lines' realized value, as the engine counted them.
        let hours: Decimal =
            s.lines.iter().filter_map(|l| l.realized_hours_between(period, next)).sum();
        let e = out.entry(s.business_unit.to_lowercase()).or_default();
        let sum = e.0.map_or(Decimal::ZERO, |m| m.amount) + realized;
        e.0 = Some(Money::new(sum, portfolio.currency));
        e.1 += hours;
    }
    Ok(out)
}

trait ToU64 {
    fn to_u64_checked(self) -> u64;
}

impl ToU64 for Decimal {
    fn to_u64_checked(self) -> u64 {
        use rust_decimal::prelude::ToPrimitive;
        self.trunc().to_u64().unwrap_or(0)
    }
}

/// The sponsor report's chargeback and license section: the latest run and the license
/// strategy with the workspace's setting, or none when the workspace has no run.
pub(crate) async fn sponsor_section(store: &Store) -> Result<Option<ChargebackSection>> {
    let Some(run) = store.latest_run(None).await? else { return Ok(None) };
    let currency = store.settings().await?.currency;
    let licenses = super::licenses::strategy(store, None, None).await?;
    let reconciles = reconcile(&run).iter().all(|r| r.reconciles);
    Ok(Some(ChargebackSection::build(
        run.id,
        &run.period,
        currency.code(),
        &run.billed,
        &run.amortized,
        reconciles,
        &licenses.report,
        licenses.unused_days,
        &licenses.month,
    )))
}

async fn currency_or_default(store: &Store, code: Option<&str>) -> Result<Currency> {
    Ok(match code {
        Some(c) => Currency::parse(c)?,
        None => store.settings().await?.currency,
    })
}

async fn price(g: &Globals, store: &Store, cmd: PriceCommand) -> Result<()> {
    let list = match cmd {
        PriceCommand::Set { sku, amount, kind, currency, from, source } => {
            let currency = currency_or_default(store, currency.as_deref()).await?;
            let entry = PriceEntry {
                sku,
                kind,
                price: Money::new(parse_amount("amount", &amount)?, currency),
                valid_from: from,
                source,
            };
            let mut w = store.write(&g.actor()).await?;
            let e = w.set_price(&entry).await?;
            w.commit().await?;
            vec![e]
        }
        PriceCommand::Defaults => {
            let mut w = store.write(&g.actor()).await?;
            let mut added = Vec::new();
            for p in default_prices() {
                added.push(w.set_price(&p).await?);
            }
            w.commit().await?;
            added
        }
        PriceCommand::List => store.price_list().await?,
    };
    let mut table = Table::new(&["sku", "kind", "price", "currency", "from", "source"]);
    for p in &list {
        table.row([
            p.sku.clone(),
            p.kind.to_string(),
            p.price.amount.to_string(),
            p.price.currency.to_string(),
            label(p.valid_from),
            opt(p.source.as_ref()),
        ]);
    }
    emit(g.format, &list, &table)
}

async fn meter(g: &Globals, store: &Store, cmd: MeterCommand) -> Result<()> {
    let list = match cmd {
        MeterCommand::Set { meter, quantity, month, bu, environment } => {
            let m = Meter {
                month,
                meter,
                business_unit: bu,
                environment,
                quantity: parse_amount("quantity", &quantity)?,
            };
            let mut w = store.write(&g.actor()).await?;
            let m = w.set_meter(&m).await?;
            w.commit().await?;
            vec![m]
        }
        MeterCommand::List { month } => store.meters(month).await?,
    };
    let mut table = Table::new(&["month", "meter", "business unit", "environment", "quantity"]);
    for m in &list {
        table.row([
            label(m.month),
            m.meter.clone(),
            opt(m.business_unit.as_ref()),
            opt(m.environment.as_ref()),
            m.quantity.to_string(),
        ]);
    }
    emit(g.format, &list, &table)
}

async fn platform_cost(g: &Globals, store: &Store, cmd: PlatformCostCommand) -> Result<()> {
    let list = match cmd {
        PlatformCostCommand::Set { item, amount, month, currency } => {
            let currency = currency_or_default(store, currency.as_deref()).await?;
            let c = PlatformCost {
                month,
                item,
                amount: Money::new(parse_amount("amount", &amount)?, currency),
            };
            let mut w = store.write(&g.actor()).await?;
            let c = w.set_platform_cost(&c).await?;
            w.commit().await?;
            vec![c]
        }
        PlatformCostCommand::List { month } => store.platform_costs(month).await?,
    };
    let mut table = Table::new(&["month", "item", "amount", "currency"]);
    for c in &list {
        table.row([
            label(c.month),
            c.item.clone(),
            c.amount.amount.to_string(),
            c.amount.currency.to_string(),
        ]);
    }
    emit(g.format, &list, &table)
}

fn pair(flag: &str, text: &str) -> Result<(String, String)> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_owned(), v.trim().to_owned()))
        }
        _ => bail!("--{flag} '{text}' must be of the form NAME=VALUE"),
    }
}

/// The rule that `worth chargeback rule add` describes.
fn rule_of(a: &RuleArgs) -> Result<Rule> {
    let map = a.map.iter().map(|m| pair("map", m)).collect::<Result<BTreeMap<String, String>>>()?;
    let method = if let Some(key) = &a.tag {
        Method::Direct { by: DirectBy::Tag { key: key.clone(), aliases: a.alias.clone() }, map }
    } else if a.by_environment {
        Method::Direct { by: DirectBy::Environment, map }
    } else if let Some(driver) = a.proportional {
        Method::Proportional { driver, targets: a.target.clone() }
    } else if a.even {
        Method::Even { targets: a.target.clone() }
    } else {
        let shares = a
            .fixed
            .iter()
            .map(|f| {
                let (bu, pct) = pair("fixed", f)?;
                let pct = parse_amount("fixed", pct.trim_end_matches('%'))?;
                Ok((bu, pct))
            })
            .collect::<Result<Vec<_>>>()?;
        Method::Fixed { shares }
    };
    if !a.map.is_empty() && !matches!(method, Method::Direct { .. }) {
        bail!("--map applies to --tag and --by-environment rules only");
    }
    let tag = a.with_tag.as_deref().map(|t| pair("with-tag", t)).transpose()?;
    if let Some(pool) = &a.pool
        && !worth_store::POOLS.contains(&pool.trim().to_lowercase().as_str())
    {
        bail!("--pool '{pool}' is not a pool: use one of {}", worth_store::POOLS.join(", "));
    }
    Ok(Rule {
        name: a.name.clone(),
        level: a.level,
        filter: PoolFilter {
            pool: a.pool.clone(),
            service: a.service.clone(),
            billing_account: a.account.clone(),
            environment: a.environment.clone(),
            tag,
        },
        method,
    })
}

fn describe(r: &Rule) -> String {
    let every = match r.level {
        Level::BusinessUnit => " over every business unit",
        Level::Solution => " over every solution",
    };
    let to = match r.level {
        Level::BusinessUnit => "",
        Level::Solution => "to solutions, ",
    };
    let text = match &r.method {
        Method::Direct { by: DirectBy::Tag { key, aliases }, map } => format!(
            "direct by tag '{key}'{}{}",
            if aliases.is_empty() {
                String::new()
            } else {
                format!(" (or {})", aliases.join(", "))
            },
            if map.is_empty() { String::new() } else { format!(", {} mapped value(s)", map.len()) }
        ),
        Method::Direct { by: DirectBy::Environment, map } => {
            format!("direct by environment, {} mapped", map.len())
        }
        Method::Proportional { driver, targets } => format!(
            "proportional to {driver}{}",
            if targets.is_empty() {
                String::new()
            } else {
                format!(" over {}", targets.join(", "))
            }
        ),
        Method::Even { targets } => format!(
            "even{}",
            if targets.is_empty() {
                every.to_owned()
            } else {
                format!(" over {}", targets.join(", "))
            }
        ),
        Method::Fixed { shares } => format!(
            "fixed {}",
            shares.iter().map(|(t, p)| format!("{t} {p}%")).collect::<Vec<_>>().join(", ")
        ),
    };
    format!("{to}{text}")
}

fn filter_text(f: &PoolFilter) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &f.pool {
        parts.push(format!("pool {p}"));
    }
    if let Some(s) = &f.service {
        parts.push(format!("service {s}"));
    }
    if let Some(a) = &f.billing_account {
        parts.push(format!("account {a}"));
    }
    if let Some(e) = &f.environment {
        parts.push(format!("environment {e}"));
    }
    if let Some((k, v)) = &f.tag {
        parts.push(format!("tag {k}={v}"));
    }
    if parts.is_empty() { "everything".to_owned() } else { parts.join(", ") }
}

async fn rule(g: &Globals, store: &Store, cmd: RuleCommand) -> Result<()> {
    let list = match cmd {
        RuleCommand::Add(a) => {
            let rule = rule_of(&a)?;
            let mut w = store.write(&g.actor()).await?;
            let r = w.add_rule(&rule).await?;
            w.commit().await?;
            vec![r]
        }
        RuleCommand::List => store.allocation_rules().await?,
        RuleCommand::Remove { name } => {
            let mut w = store.write(&g.actor()).await?;
            let r = w.remove_rule(&name).await?;
            w.commit().await?;
            vec![r]
        }
    };
    let mut table = Table::new(&["#", "name", "takes", "method"]);
    for (i, r) in list.iter().enumerate() {
        table.row([(i + 1).to_string(), r.name.clone(), filter_text(&r.filter), describe(r)]);
    }
    emit(g.format, &list, &table)
}
