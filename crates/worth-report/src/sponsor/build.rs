//! Building the sponsor report from the engine's results: every figure summed from the
//! engine's month values and rounded once, then the headlines written from those figures.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use worth_core::period::{add_months, label, month_of, months, months_between};
use worth_core::solution::Stage;
use worth_core::value::engine::{LineValue, Source};
use worth_core::value::financial::{Financials, round_amount, round_money};
use worth_core::value::models::ModelSpec;
use worth_core::value::portfolio::{Group, SolutionValue};
use worth_core::value::quantity::Frequency;

use super::format;
use super::{
    AppendixEntry, Bar, Charts, EstimatePoint, FigureRef, GroupRow, GuidelineUsed, Headline,
    MonthRow, Period, ProblemRow, Quarter, ReportInput, SolutionRow, SponsorReport, TeiRow,
    TeiTable, Tiles, TimeToValue,
};

/// How many solutions the top and bottom lists hold at most.
const TOP: usize = 5;
/// How many solutions the top-solutions headline names at most.
const TOP_NAMED: usize = 3;

/// Rounding of the report: money to the currency's minor unit, percentages to two decimals,
/// months and hours to one.
#[derive(Debug, Clone, Copy)]
struct Round {
    minor: u32,
}

impl Round {
    fn amount(self, v: Decimal) -> Decimal {
        round_amount(v, self.minor)
    }
    fn money(self, v: f64) -> Decimal {
        round_money(v, self.minor)
    }
    fn percent(self, v: f64) -> Decimal {
        round_money(v * 100.0, 2)
    }
    fn tenth(self, v: f64) -> Decimal {
        round_money(v, 1)
    }
}

/// Sum of one source's gross value over months in `[from, to)`, over `lines`.
fn sum_of<'a>(
    lines: impl Iterator<Item = &'a LineValue>,
    source: Source,
    from: NaiveDate,
    to: NaiveDate,
    risk_adjusted: bool,
) -> Decimal {
    lines
        .flat_map(|l| l.expected.iter())
        .filter(|m| m.source == source && m.month >= from && m.month < to)
        .map(|m| if risk_adjusted { m.risk_adjusted } else { m.gross })
        .sum()
}

fn all_lines(solutions: &[SolutionValue]) -> impl Iterator<Item = &LineValue> + Clone {
    solutions.iter().flat_map(|s| s.lines.iter())
}

pub(super) fn build(input: &ReportInput<'_>) -> SponsorReport {
    let ctx = input.ctx;
    let p = input.portfolio;
    let r = Round { minor: ctx.currency.minor_units() };
    let locale = input.settings.locale.clone();
    let from = month_of(input.from);
    let to = month_of(input.to);
    let end = add_months(to, 1);
    let g = ctx.guideline;

    let guideline = GuidelineUsed {
        version: ctx.guideline_version,
        discount_rate_percent: r.percent(g.discount_rate),
        horizon_years: g.horizon_years,
        cost_risk_adjustment_percent: r.percent(g.cost_risk_adjustment),
        accuracy_tolerance_percent: r.percent(g.accuracy_tolerance),
        maturity_months: g.maturity_months,
    };

    // The months of the chart: value realized or forecast, and costs, then the running net.
    let costs_by_month = monthly_costs(input, from, end);
    let mut cumulative = Decimal::ZERO;
    let monthly: Vec<MonthRow> = months(from, end)
        .map(|month| {
            let next = add_months(month, 1);
            let realized =
                r.amount(sum_of(all_lines(&p.solutions), Source::Realized, month, next, false));
            let forecast =
                r.amount(sum_of(all_lines(&p.solutions), Source::Forecast, month, next, false));
            let costs = r.amount(costs_by_month.get(&month).copied().unwrap_or_default());
            let net = realized + forecast - costs;
            cumulative += net;
            MonthRow {
                month,
                value_realized: realized,
                value_forecast: forecast,
                costs,
                net,
                cumulative_net: cumulative,
            }
        })
        .collect();

    let quarter = quarter(input, r, to);
    let tiles = tiles(input, r, from, end, &monthly);
    let solutions = solution_rows(input, r, from, end);
    let k = solutions.len().div_ceil(2).min(TOP);
    let top: Vec<i64> = solutions.iter().take(k).map(|s| s.id).collect();
    let bottom: Vec<i64> =
        solutions.iter().rev().take((solutions.len() - k).min(TOP)).map(|s| s.id).collect();

    let business_units: Vec<GroupRow> = input
        .by_business_unit
        .iter()
        .map(|grp| {
            let lines = p.solutions.iter().filter(|s| s.business_unit == grp.key);
            let realized =
                sum_of(lines.flat_map(|s| s.lines.iter()), Source::Realized, from, end, false);
            group_row(r, grp, realized)
        })
        .collect();
    let categories: Vec<GroupRow> = input
        .by_category
        .iter()
        .map(|grp| {
            let lines = all_lines(&p.solutions).filter(|l| l.category.to_string() == grp.key);
            group_row(r, grp, sum_of(lines, Source::Realized, from, end, false))
        })
        .collect();

    let charts = Charts {
        monthly,
        value_by_business_unit: bars(&business_units),
        // Scored categories are never money: they have no bar in a chart of money.
        value_by_category: bars(
            &categories
                .iter()
                .filter(|c| {
                    !worth_core::value::portfolio::category_of(&c.key)
                        .is_some_and(|k| k.is_scored())
                })
                .cloned()
                .collect::<Vec<_>>(),
        ),
        estimated_vs_realized: input
            .accuracy
            .solutions
            .iter()
            .map(|a| EstimatePoint {
                solution: a.solution.clone(),
                months: a.months,
                estimated: r.amount(a.estimated),
                realized: r.amount(a.realized),
                ratio_percent: a.ratio.map(|x| r.percent(x)),
            })
            .collect(),
        time_to_value: time_to_value(input),
    };

    let problems = p
        .problems
        .iter()
        .map(|x| ("value", x))
        .chain(input.accuracy.problems.iter().map(|x| ("accuracy", x)))
        .map(|(by, x)| ProblemRow {
            found_by: by.into(),
            kind: x.kind.clone(),
            subject: x.subject.clone(),
            message: x.message.clone(),
        })
        .collect();

    let mut report = SponsorReport {
        title: "Value report".into(),
        currency: ctx.currency.code().into(),
        locale,
        today: ctx.today,
        period: Period { from, to, label: format!("{} to {}", label(from), label(to)) },
        guideline,
        headlines: Vec::new(),
        quarter,
        tiles,
        charts,
        tei: tei(r, &p.total, g.cost_risk_adjustment),
        solutions,
        top,
        bottom,
        business_units,
        categories,
        problems,
        appendix: Vec::new(),
        program: None,
        chargeback: None,
    };
    report.headlines = headlines(&report);
    report.appendix = appendix(&report);
    report
}

/// Costs falling in each month of `[from, end)`, converted as the engine converts them.
fn monthly_costs(
    input: &ReportInput<'_>,
    from: NaiveDate,
    end: NaiveDate,
) -> BTreeMap<NaiveDate, Decimal> {
    let ctx = input.ctx;
    let mut out = BTreeMap::new();
    for month in months(from, end) {
        let on = add_months(month, 1).pred_opt().unwrap_or(month).min(ctx.today);
        let total: Decimal = input
            .data
            .iter()
            .flat_map(|d| d.costs.iter())
            .filter_map(|c| {
                let v = c.in_month(month);
                if v.is_zero() {
                    return None;
                }
                // A missing rate is already one of the engine's problems.
                ctx.fx.convert(v, c.amount.currency, ctx.currency, on).ok()
            })
            .sum();
        out.insert(month, total);
    }
    out
}

fn quarter(input: &ReportInput<'_>, r: Round, to: NaiveDate) -> Quarter {
    let q_from = to.checked_sub_months(chrono::Months::new(2)).unwrap_or(to);
    let prev_from = q_from.checked_sub_months(chrono::Months::new(3)).unwrap_or(q_from);
    let sol = &input.portfolio.solutions;
    let now = r.amount(sum_of(all_lines(sol), Source::Realized, q_from, add_months(to, 1), false));
    let before = r.amount(sum_of(all_lines(sol), Source::Realized, prev_from, q_from, false));
    let change = (!before.is_zero()).then(|| {
        let ratio = (now - before) / before * Decimal::ONE_HUNDRED;
        round_amount(ratio, 2)
    });
    Quarter {
        from: q_from,
        to,
        value_realized: now,
        previous_value_realized: before,
        change_percent: change,
    }
}

fn tiles(
    input: &ReportInput<'_>,
    r: Round,
    from: NaiveDate,
    end: NaiveDate,
    monthly: &[MonthRow],
) -> Tiles {
    let p = input.portfolio;
    let t = &p.total;
    let realized = r.amount(sum_of(all_lines(&p.solutions), Source::Realized, from, end, false));
    let adjusted = r.amount(sum_of(all_lines(&p.solutions), Source::Realized, from, end, true));
    let costs: Decimal = monthly.iter().map(|m| m.costs).sum();
    let acc = &input.accuracy.portfolio;

    // Active users of the last complete month of the period, as the rollups count them.
    let last_complete = month_of(input.ctx.today).checked_sub_months(chrono::Months::new(1));
    let users_month = last_complete.map_or(month_of(input.to), |l| l.min(month_of(input.to)));
    let active_users =
        input.data.iter().filter_map(|d| d.usage.get(&users_month).map(|m| m.active_users)).sum();

    Tiles {
        value_realized: realized,
        value_realized_risk_adjusted: adjusted,
        costs,
        net: adjusted - costs,
        value_to_date: r.amount(t.value_to_date),
        pv_benefits: r.money(t.pv_benefits),
        pv_costs: r.money(t.pv_costs),
        npv: r.money(t.npv),
        roi_percent: t.roi.map(|x| r.percent(x)),
        payback_months: t.payback_months.map(|x| r.tenth(x)),
        accurate_estimates_percent: acc.share_accurate.map(|x| r.percent(x)),
        median_accuracy_percent: acc.median_ratio.map(|x| r.percent(x)),
        estimates_checked: acc.solutions,
        live_solutions: p.solutions.iter().filter(|s| s.stage == Some(Stage::Live)).count(),
        active_users,
        hours_returned: round_amount(hours_returned(input, from, end), 1),
    }
}

/// Hours given back in realized months of `[from, end)` by the time-saving models: uses ×
/// minutes per use ÷ 60, or active users × minutes per week × weeks per month ÷ 60, times the
/// line's attribution.
fn hours_returned(input: &ReportInput<'_>, from: NaiveDate, end: NaiveDate) -> Decimal {
    let g = input.ctx.guideline;
    let sixty = Decimal::from(60);
    let weeks = Frequency::Week.per_month(g);
    let mut hours = Decimal::ZERO;
    for d in input.data {
        let Some(sv) = input.portfolio.solutions.iter().find(|s| s.id == d.solution.id) else {
            continue;
        };
        for line in d.lines {
            let Some(lv) = sv.lines.iter().find(|l| l.line_id == line.id) else { continue };
            let realized = lv
                .expected
                .iter()
                .filter(|m| m.source == Source::Realized && m.month >= from && m.month < end);
            for m in realized {
                let Some(measured) = d.usage.get(&m.month) else { continue };
                let h = match &line.spec {
                    ModelSpec::TimeSavedPerUse(p) => {
                        measured.uses * p.minutes_per_use.likely / sixty
                    }
                    ModelSpec::TimeSavedPerUser(p) => {
                        measured.active_users * p.minutes_per_week.likely * weeks / sixty
                    }
                    _ => continue,
                };
                hours += h * line.attribution;
            }
        }
    }
    hours
}

fn solution_rows(
    input: &ReportInput<'_>,
    r: Round,
    from: NaiveDate,
    end: NaiveDate,
) -> Vec<SolutionRow> {
    let mut rows: Vec<SolutionRow> = input
        .portfolio
        .solutions
        .iter()
        .map(|s| {
            let key = format!("{} / {}", s.business_unit, s.name);
            let f = &s.financials;
            SolutionRow {
                id: s.id,
                name: s.name.clone(),
                business_unit: s.business_unit.clone(),
                kind: s.kind.to_string(),
                stage: s.stage.map(|x| x.to_string()),
                live_since: s.live_since,
                evidence: s
                    .lines
                    .iter()
                    .filter(|l| l.score.is_none())
                    .map(|l| l.evidence)
                    .max()
                    .map(|e| e.to_string()),
                value_realized: r.amount(sum_of(
                    s.lines.iter(),
                    Source::Realized,
                    from,
                    end,
                    false,
                )),
                pv_benefits: r.money(f.pv_benefits),
                pv_costs: r.money(f.pv_costs),
                npv: r.money(f.npv),
                roi_percent: f.roi.map(|x| r.percent(x)),
                payback_months: f.payback_months.map(|x| r.tenth(x)),
                accuracy_percent: input
                    .accuracy
                    .solutions
                    .iter()
                    .find(|a| a.solution == key)
                    .and_then(|a| a.ratio)
                    .map(|x| r.percent(x)),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.npv.cmp(&a.npv).then_with(|| a.name.cmp(&b.name)).then(a.id.cmp(&b.id)));
    rows
}

fn group_row(r: Round, grp: &Group, realized: Decimal) -> GroupRow {
    let f = &grp.financials;
    GroupRow {
        key: grp.key.clone(),
        solutions: grp.solutions,
        value_realized: r.amount(realized),
        pv_benefits: r.money(f.pv_benefits),
        pv_costs: grp.costs_apply.then(|| r.money(f.pv_costs)),
        npv: grp.costs_apply.then(|| r.money(f.npv)),
        roi_percent: f.roi.map(|x| r.percent(x)),
    }
}

fn bars(rows: &[GroupRow]) -> Vec<Bar> {
    rows.iter().map(|g| Bar { key: g.key.clone(), value: g.value_realized }).collect()
}

fn time_to_value(input: &ReportInput<'_>) -> Vec<TimeToValue> {
    let mut out = Vec::new();
    for d in input.data {
        let s = d.solution;
        let Some(intake) = s.lifecycle.first().map(|e| e.on) else { continue };
        let Some(sv) = input.portfolio.solutions.iter().find(|v| v.id == s.id) else { continue };
        let first = sv
            .lines
            .iter()
            .flat_map(|l| l.expected.iter())
            .filter(|m| m.source == Source::Realized && m.gross > Decimal::ZERO)
            .map(|m| m.month)
            .min();
        if let Some(first_value) = first {
            out.push(TimeToValue {
                solution: format!("{} / {}", s.business_unit, s.name),
                intake,
                first_value,
                months: months_between(month_of(intake), first_value),
            });
        }
    }
    out.sort_by(|a, b| a.months.cmp(&b.months).then_with(|| a.solution.cmp(&b.solution)));
    out
}

fn tei(r: Round, f: &Financials, cost_risk: f64) -> TeiTable {
    let cols: Vec<_> = std::iter::once(&f.initial).chain(&f.years).collect();
    let factor = Decimal::ONE + Decimal::from_f64(cost_risk).unwrap_or_default();
    let row = |label: &str, values: Vec<Decimal>, pv: Option<f64>| TeiRow {
        label: label.into(),
        total: values.iter().copied().sum(),
        values,
        present_value: pv.map(|v| r.money(v)),
    };
    let benefits: Vec<Decimal> = cols.iter().map(|c| r.amount(c.benefits)).collect();
    let adjusted: Vec<Decimal> = cols.iter().map(|c| r.amount(c.benefits_risk_adjusted)).collect();
    let costs: Vec<Decimal> = cols.iter().map(|c| r.amount(c.costs)).collect();
    let costs_adj: Vec<Decimal> = cols.iter().map(|c| r.amount(c.costs * factor)).collect();
    let net: Vec<Decimal> = adjusted.iter().zip(&costs_adj).map(|(b, c)| b - c).collect();
    let mut columns = vec!["Initial".to_owned()];
    columns.extend((1..=f.years.len()).map(|i| format!("Year {i}")));
    TeiTable {
        columns,
        rows: vec![
            row("Benefits before risk adjustment", benefits, Some(f.pv_benefits_unadjusted)),
            row("Benefits, risk-adjusted", adjusted, Some(f.pv_benefits)),
            row("Costs before risk adjustment", costs, None),
            row("Costs, risk-adjusted", costs_adj, Some(f.pv_costs)),
            row("Net benefits, risk-adjusted", net, Some(f.npv)),
        ],
    }
}

/// A headline being written: its text and the figures it quotes.
struct Writer<'a> {
    report: &'a SponsorReport,
    figures: Vec<FigureRef>,
}

impl Writer<'_> {
    fn money(&mut self, path: &str, value: Decimal) -> String {
        let shown = format::money(value, &self.report.currency, &self.report.locale);
        self.push(path, value, shown)
    }
    fn percent(&mut self, path: &str, value: Decimal, signed: bool) -> String {
        let mut shown = format::percent(value, &self.report.locale);
        if signed && value > Decimal::ZERO {
            shown.insert(0, '+');
        }
        self.push(path, value, shown)
    }
    fn number(&mut self, path: &str, value: Decimal) -> String {
        let shown = format::number(value, &self.report.locale);
        self.push(path, value, shown)
    }
    fn push(&mut self, path: &str, value: Decimal, shown: String) -> String {
        self.figures.push(FigureRef { path: path.into(), value, shown: shown.clone() });
        shown
    }
    fn done(self, id: &str, text: String) -> Headline {
        Headline { id: id.into(), text, figures: self.figures }
    }
}

fn headlines(report: &SponsorReport) -> Vec<Headline> {
    let w = || Writer { report, figures: Vec::new() };
    let t = &report.tiles;
    let mut out = Vec::new();

    let q = &report.quarter;
    let mut h = w();
    let text = match q.change_percent {
        Some(c) => {
            let value = h.money("/quarter/value_realized", q.value_realized);
            let change = h.percent("/quarter/change_percent", c, true);
            format!(
                "{value} of value was realized in the last quarter of the period, a change of \
                 {change} on the quarter before."
            )
        }
        None if q.value_realized.is_zero() => {
            "No value was realized in the last quarter of the period, nor in the quarter \
             before: import usage for the period, or choose another with --from and --to."
                .to_owned()
        }
        None => format!(
            "{} of value was realized in the last quarter of the period; nothing was realized \
             in the quarter before.",
            h.money("/quarter/value_realized", q.value_realized)
        ),
    };
    out.push(h.done("quarter-value", text));

    if let Some(roi) = t.roi_percent {
        let mut h = w();
        let years = h.number("/guideline/horizon_years", report.guideline.horizon_years.into());
        let roi = h.percent("/tiles/roi_percent", roi, false);
        let npv = h.money("/tiles/npv", t.npv);
        let payback = match t.payback_months {
            Some(m) => {
                format!(", and it pays back after {} months", h.number("/tiles/payback_months", m))
            }
            None => String::new(),
        };
        out.push(h.done(
            "roi",
            format!(
                "Over {years} years the portfolio returns {roi} on its costs after risk \
                 adjustment, a net present value of {npv}{payback}."
            ),
        ));
    }

    if t.hours_returned > Decimal::ZERO {
        let mut h = w();
        let hours = h.number("/tiles/hours_returned", t.hours_returned);
        out.push(h.done(
            "hours-returned",
            format!(
                "Time-saving solutions gave {hours} hours back to the business over the period."
            ),
        ));
    }

    let named: Vec<(usize, &SolutionRow)> = report
        .solutions
        .iter()
        .enumerate()
        .take(TOP_NAMED)
        .filter(|(_, s)| s.npv > Decimal::ZERO)
        .collect();
    if !named.is_empty() {
        let mut h = w();
        let parts: Vec<String> = named
            .iter()
            .map(|(i, s)| {
                format!("{} ({})", s.name, h.money(&format!("/solutions/{i}/npv"), s.npv))
            })
            .collect();
        let list = match parts.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => String::new(),
        };
        let what = if parts.len() == 1 {
            "solution worth the most is"
        } else {
            "solutions worth the most are"
        };
        out.push(h.done("top-solutions", format!("By net present value, the {what} {list}.")));
    }

    if t.estimates_checked > 0
        && let Some(share) = t.accurate_estimates_percent
    {
        let mut h = w();
        let share = h.percent("/tiles/accurate_estimates_percent", share, false);
        let n = h.number("/tiles/estimates_checked", t.estimates_checked.into());
        let noun = if t.estimates_checked == 1 { "estimate" } else { "estimates" };
        let tol = h.percent(
            "/guideline/accuracy_tolerance_percent",
            report.guideline.accuracy_tolerance_percent,
            false,
        );
        out.push(h.done(
            "estimate-accuracy",
            format!(
                "{share} of the {n} {noun} checked so far came within {tol} of the value \
                 realized."
            ),
        ));
    }
    out
}

fn appendix(report: &SponsorReport) -> Vec<AppendixEntry> {
    let g = &report.guideline;
    let e = |figure: &str, path: &str, formula: &str, inputs: String| AppendixEntry {
        figure: figure.into(),
        path: path.into(),
        formula: formula.into(),
        inputs,
    };
    vec![
        e(
            "Value realized",
            "/tiles/value_realized",
            "Σ over value lines and complete live months of the period: model figure × attribution",
            "measured uses, active users and metrics from the rollups (successful runs and \
             sessions in counted environments only), each line's model parameters, the rate \
             cards in force that month, and its attribution share; before the risk adjustment"
                .into(),
        ),
        e(
            "Value realized, risk-adjusted",
            "/tiles/value_realized_risk_adjusted",
            "Σ value realized × (1 − risk adjustment of the line's evidence grade)",
            format!("the risk adjustments of guideline v{}", g.version),
        ),
        e(
            "Costs",
            "/tiles/costs",
            "Σ cost lines falling in the period's months",
            "one-time costs in their month, monthly costs in each month they apply, converted \
             to the reporting currency at the month's rate"
                .into(),
        ),
        e(
            "Net",
            "/tiles/net",
            "value realized, risk-adjusted − costs",
            "the two figures above".into(),
        ),
        e(
            "PV benefits, PV costs, NPV",
            "/tiles/npv",
            "NPV = Σ benefits_y ÷ (1 + d)^y − Σ costs_y × (1 + c) ÷ (1 + d)^y",
            format!(
                "the TEI columns: initial (undiscounted) and years 1 to {} from each solution's \
                 go-live; d = {}% a year, c = {}% cost risk adjustment; realized months, then \
                 the current estimate for the months ahead",
                g.horizon_years, g.discount_rate_percent, g.cost_risk_adjustment_percent
            ),
        ),
        e(
            "ROI",
            "/tiles/roi_percent",
            "NPV ÷ PV costs",
            "the portfolio's present values; not defined without costs".into(),
        ),
        e(
            "Payback",
            "/tiles/payback_months",
            "first month the cumulative risk-adjusted net benefit reaches zero",
            "the portfolio's undiscounted yearly net benefits, spread evenly within a year".into(),
        ),
        e(
            "Estimate accuracy",
            "/tiles/accurate_estimates_percent",
            "share of solutions with realized ÷ estimated within 1 ± tolerance; median of the ratios",
            format!(
                "the estimate frozen at approval against realized value over the same complete \
                 months, for solutions live at least {} months; tolerance {}%",
                g.maturity_months, g.accuracy_tolerance_percent
            ),
        ),
        e(
            "Hours returned",
            "/tiles/hours_returned",
            "uses × minutes per use ÷ 60, or active users × minutes per week × weeks per month ÷ 60, × attribution",
            "realized months of the period of the time-saved-per-use and time-saved-per-user \
             lines; the likely value of each line's minutes"
                .into(),
        ),
        e(
            "Live solutions",
            "/tiles/live_solutions",
            "count of solutions whose current stage is live",
            "the lifecycle of each solution with value lines or costs".into(),
        ),
        e(
            "Active users",
            "/tiles/active_users",
            "Σ over solutions of distinct active users in the last complete month of the period",
            "the usage rollups; a person using two solutions is counted in each".into(),
        ),
        e(
            "Quarter and its change",
            "/quarter/change_percent",
            "(value realized in the last three months − the three before) ÷ the three before",
            "value realized, before the risk adjustment".into(),
        ),
        e(
            "Time to value",
            "/charts/time_to_value",
            "months from a solution's first lifecycle event (its intake) to its first month of realized value",
            "the lifecycle and the realized months of each solution".into(),
        ),
    ]
}
