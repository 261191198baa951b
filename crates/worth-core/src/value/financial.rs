//! The financial view in the TEI layout: an initial column and the years of the guideline's
//! horizon, with present values, NPV, ROI, IRR and payback from the finance kernel.
//!
//! A solution's year 1 starts in the month it went live (or, before go-live, in the month its
//! first value line starts); what falls before — build costs, licenses during the build — is
//! the initial column, undiscounted, as in Forrester's TEI. Benefits are the lines' expected
//! value: realized in complete live months, forecast from the current estimate after. Benefits
//! are risk-adjusted line by line by their evidence grade; costs are increased by the
//! guideline's cost risk adjustment. Groups (business units, platforms, the portfolio) add
//! their solutions' columns year by year, as a TEI composite does.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;

use super::engine::{Context, LineValue, SolutionData, Source};
use super::explain::Explain;
use super::{CostKind, CostLine};
use crate::Problem;
use crate::finance::{self, NpvConvention, Payback, TeiColumn, TeiInput, TeiRisk};
use crate::period::{add_months, label, month_of, months, months_between};

/// One column of the TEI layout, in the reporting currency.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Column {
    /// Benefits before the risk adjustment.
    pub benefits: Decimal,
    /// Benefits after the risk adjustment.
    pub benefits_risk_adjusted: Decimal,
    /// Costs before the cost risk adjustment.
    pub costs: Decimal,
}

impl Column {
    fn add(&mut self, other: &Column) {
        self.benefits += other.benefits;
        self.benefits_risk_adjusted += other.benefits_risk_adjusted;
        self.costs += other.costs;
    }
}

/// A financial view: the TEI columns and what the kernel makes of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Financials {
    /// Time 0, undiscounted.
    pub initial: Column,
    /// Years 1 to N.
    pub years: Vec<Column>,
    /// Present value of risk-adjusted benefits.
    pub pv_benefits: f64,
    /// Present value of benefits before the risk adjustment.
    pub pv_benefits_unadjusted: f64,
    /// Present value of risk-adjusted costs.
    pub pv_costs: f64,
    /// `pv_benefits − pv_costs`.
    pub npv: f64,
    /// `npv ÷ pv_costs`; `None` without costs.
    pub roi: Option<f64>,
    /// The default IRR of the yearly net flows, when they have one.
    pub irr: Option<f64>,
    /// Months to payback of the undiscounted risk-adjusted net, month by month; `None` when
    /// not reached within the horizon.
    pub payback_months: Option<f64>,
    /// Realized value (before the risk adjustment) of complete months so far.
    pub value_to_date: Decimal,
    /// The risk-adjusted net of each month: index 0 holds everything before year 1, index `k`
    /// the `k`-th month of the horizon. Payback is found on it, not on yearly columns, whose
    /// sums hide a month of outlay followed by months of return.
    #[serde(skip)]
    pub monthly_net: Vec<f64>,
    /// Realized value of the last complete month.
    pub value_last_month: Decimal,
    /// Realized value of the last three complete months against the three before, as a
    /// fraction (0.1 is 10% more); `None` when the earlier three have none.
    pub trend: Option<f64>,
}

/// Builds the columns of one solution: benefits from its evaluated lines, costs from its
/// cost lines. Returns the columns, the month year 1 starts, and problems found.
pub fn solution_columns(
    ctx: &Context<'_>,
    data: &SolutionData<'_>,
    lines: &[LineValue],
) -> (Column, Vec<Column>, NaiveDate, Vec<Problem>) {
    let horizon = ctx.guideline.horizon_years;
    let t0 = start_month(data);
    let end = add_months(t0, horizon * 12);
    let mut initial = Column::default();
    let mut years = vec![Column::default(); horizon as usize];
    let mut problems = Vec::new();
    let slot = |month: NaiveDate| -> Option<usize> {
        if month >= end {
            None
        } else if month < t0 {
            Some(0)
        } else {
            usize::try_from(months_between(t0, month) / 12 + 1).ok()
        }
    };

    for line in lines.iter().filter(|l| l.score.is_none()) {
        let (i, ys) = line_columns(t0, horizon, line);
        initial.add(&i);
        for (total, y) in years.iter_mut().zip(&ys) {
            total.add(y);
        }
    }

    for cost in data.costs {
        for month in cost_months(cost, end) {
            let Some(i) = slot(month) else { continue };
            let on = add_months(month, 1).pred_opt().unwrap_or(month).min(ctx.today);
            match ctx.fx.convert(cost.in_month(month), cost.amount.currency, ctx.currency, on) {
                Ok(amount) => {
                    let col = if i == 0 { &mut initial } else { &mut years[i - 1] };
                    col.costs += amount;
                }
                Err(e) => {
                    let subject =
                        format!("{} / {}", data.solution.business_unit, data.solution.name);
                    if !problems
                        .iter()
                        .any(|p: &Problem| p.subject == subject && p.kind == "missing_fx_rate")
                    {
                        problems.push(Problem {
                            kind: "missing_fx_rate".into(),
                            subject,
                            message: e.to_string(),
                        });
                    }
                }
            }
        }
    }
    (initial, years, t0, problems)
}

/// The benefit columns of one line, for a solution whose year 1 starts at `t0`.
pub fn line_columns(t0: NaiveDate, horizon: u32, line: &LineValue) -> (Column, Vec<Column>) {
    let end = add_months(t0, horizon * 12);
    let mut initial = Column::default();
    let mut years = vec![Column::default(); horizon as usize];
    for m in line.expected.iter().filter(|m| m.month < end) {
        let col = if m.month < t0 {
            &mut initial
        } else {
            let i = usize::try_from(months_between(t0, m.month) / 12).unwrap_or(0);
            &mut years[i]
        };
        col.benefits += m.gross;
        col.benefits_risk_adjusted += m.risk_adjusted;
    }
    (initial, years)
}

/// The month a solution's year 1 starts: its go-live, or its first value line's start, or
/// its first cost.
pub fn start_month(data: &SolutionData<'_>) -> NaiveDate {
    data.solution
        .live_since()
        .or_else(|| data.lines.iter().map(|l| l.start).min())
        .or_else(|| data.costs.iter().map(|c| c.start).min())
        .map(month_of)
        .unwrap_or(NaiveDate::MIN)
}

fn cost_months(cost: &CostLine, horizon_end: NaiveDate) -> Vec<NaiveDate> {
    let first = month_of(cost.start);
    match cost.kind {
        CostKind::OneTime => vec![first],
        CostKind::Monthly => {
            let end = cost.end.map_or(horizon_end, |e| e.min(horizon_end));
            months(first, end).collect()
        }
    }
}

/// The financial view of columns, with realized-value figures from `lines`.
pub fn financials(
    ctx: &Context<'_>,
    initial: Column,
    years: Vec<Column>,
    lines: &[&LineValue],
) -> Financials {
    let rate = ctx.guideline.discount_rate;
    let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let adjusted: Vec<f64> =
        std::iter::once(&initial).chain(&years).map(|c| f(c.benefits_risk_adjusted)).collect();
    let unadjusted: Vec<f64> =
        std::iter::once(&initial).chain(&years).map(|c| f(c.benefits)).collect();
    let cost_factor = 1.0 + ctx.guideline.cost_risk_adjustment;
    let costs: Vec<f64> =
        std::iter::once(&initial).chain(&years).map(|c| f(c.costs) * cost_factor).collect();
    let present = |v: &[f64]| finance::npv(rate, v, NpvConvention::T0).unwrap_or(0.0);

    let tei = finance::tei(&TeiInput {
        discount_rate: rate,
        initial: TeiColumn { benefits: adjusted[0], costs: f(initial.costs) },
        years: years
            .iter()
            .map(|c| TeiColumn { benefits: f(c.benefits_risk_adjusted), costs: f(c.costs) })
            .collect(),
        risk: Some(TeiRisk { benefits: 0.0, costs: ctx.guideline.cost_risk_adjustment }),
    });
    let (pv_benefits, pv_costs, npv, roi, payback_months) = match tei {
        Ok(s) => (s.pv_benefits, s.pv_costs, s.npv, Some(s.roi), s.payback_months),
        Err(_) => {
            let (b, c) = (present(&adjusted), present(&costs));
            let net: Vec<f64> = adjusted.iter().zip(&costs).map(|(b, c)| b - c).collect();
            let payback = match finance::payback(&net) {
                Ok(Payback::After(years)) => Some(years * 12.0),
                _ => None,
            };
            (b, c, b - c, None, payback)
        }
    };
    let net: Vec<f64> = adjusted.iter().zip(&costs).map(|(b, c)| b - c).collect();
    let irr = finance::irr(&net, None).ok().map(|r| r.rate);

    let this_month = month_of(ctx.today);
    let realized_in = |from: NaiveDate, to: NaiveDate| -> Decimal {
        lines
            .iter()
            .flat_map(|l| l.expected.iter())
            .filter(|m| m.source == Source::Realized && m.month >= from && m.month < to)
            .map(|m| m.gross)
            .sum()
    };
    let last = months_back(this_month, 1);
    let three_ago = months_back(this_month, 3);
    let six_ago = months_back(this_month, 6);
    let recent = realized_in(three_ago, this_month);
    let before = realized_in(six_ago, three_ago);
    let trend = (!before.is_zero()).then(|| f((recent - before) / before));
    Financials {
        initial,
        years,
        pv_benefits,
        pv_benefits_unadjusted: present(&unadjusted),
        pv_costs,
        npv,
        roi,
        irr,
        payback_months,
        value_to_date: realized_in(NaiveDate::MIN, this_month),
        monthly_net: Vec::new(),
        value_last_month: realized_in(last, this_month),
        trend,
    }
}

fn months_back(month: NaiveDate, n: u32) -> NaiveDate {
    month.checked_sub_months(chrono::Months::new(n)).unwrap_or(NaiveDate::MIN)
}

/// The risk-adjusted net of a solution month by month over its horizon (see
/// [`Financials::monthly_net`]).
pub fn solution_monthly_net(
    ctx: &Context<'_>,
    data: &SolutionData<'_>,
    lines: &[LineValue],
    t0: NaiveDate,
) -> Vec<f64> {
    let months = ctx.guideline.horizon_years as usize * 12;
    let end = add_months(t0, ctx.guideline.horizon_years * 12);
    let mut net = vec![0.0; months + 1];
    let slot = |m: NaiveDate| -> Option<usize> {
        if m >= end {
            None
        } else if m < t0 {
            Some(0)
        } else {
            usize::try_from(months_between(t0, m) + 1).ok()
        }
    };
    let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    for l in lines.iter().filter(|l| l.score.is_none()) {
        for m in &l.expected {
            if let Some(i) = slot(m.month) {
                net[i] += f(m.risk_adjusted);
            }
        }
    }
    let cost_factor = 1.0 + ctx.guideline.cost_risk_adjustment;
    for cost in data.costs {
        for month in cost_months(cost, end) {
            let Some(i) = slot(month) else { continue };
            let on = add_months(month, 1).pred_opt().unwrap_or(month).min(ctx.today);
            if let Ok(v) =
                ctx.fx.convert(cost.in_month(month), cost.amount.currency, ctx.currency, on)
            {
                net[i] -= f(v) * cost_factor;
            }
        }
    }
    net
}

/// Sets the monthly net of a financial view and the payback found on it.
pub fn with_monthly_net(mut fin: Financials, monthly_net: Vec<f64>) -> Financials {
    fin.payback_months = match finance::payback(&monthly_net) {
        Ok(Payback::After(months)) => Some(months),
        _ => None,
    };
    fin.monthly_net = monthly_net;
    fin
}

/// Adds columns year by year.
pub fn add_columns<'a, I>(parts: I, horizon: u32) -> (Column, Vec<Column>)
where
    I: IntoIterator<Item = (&'a Column, &'a [Column])>,
{
    let mut initial = Column::default();
    let mut years = vec![Column::default(); horizon as usize];
    for (i, ys) in parts {
        initial.add(i);
        for (total, y) in years.iter_mut().zip(ys) {
            total.add(y);
        }
    }
    (initial, years)
}

/// The explanation of a financial view: NPV, ROI and payback down to the columns, and each
/// column down to the lines and months that fill it.
pub fn explain_financials(
    ctx: &Context<'_>,
    fin: &Financials,
    t0: NaiveDate,
    lines: &[LineValue],
    data: &SolutionData<'_>,
) -> Explain {
    let cur = ctx.currency;
    let minor = cur.minor_units();
    let money = |v: f64| format!("{} {cur}", round_money(v, minor));
    let dec = |v: Decimal| format!("{} {cur}", round_amount(v, minor));
    let rate = ctx.guideline.discount_rate;
    let col_label = |i: usize| {
        if i == 0 {
            format!("initial (before {})", label(t0))
        } else {
            let from = add_months(t0, year_offset(i));
            format!("year {i} ({} to {})", label(from), label(add_months(from, 11)))
        }
    };
    let columns: Vec<&Column> = std::iter::once(&fin.initial).chain(&fin.years).collect();

    let mut benefit_cols = Vec::new();
    let mut cost_cols = Vec::new();
    for (i, col) in columns.iter().enumerate() {
        let (from, to) = if i == 0 {
            (NaiveDate::MIN, t0)
        } else {
            let from = add_months(t0, year_offset(i));
            (from, add_months(from, 12))
        };
        let mut per_line = Vec::new();
        for l in lines.iter().filter(|l| l.score.is_none()) {
            let ms: Vec<_> =
                l.expected.iter().filter(|m| m.month >= from && m.month < to).collect();
            if ms.is_empty() {
                continue;
            }
            let total: Decimal = ms.iter().map(|m| m.risk_adjusted).sum();
            let realized = ms.iter().filter(|m| m.source == Source::Realized).count();
            let children = ms.iter().filter_map(|m| m.explain.clone()).collect();
            per_line.push(Explain::computed(
                format!("line '{}' ({}, {})", l.name, l.model, l.evidence),
                dec(total),
                format!(
                    "Σ {} months: {realized} realized, {} forecast",
                    ms.len(),
                    ms.len() - realized
                ),
                children,
            ));
        }
        let discount = if i == 0 {
            "taken undiscounted into the PV".to_owned()
        } else {
            format!("shown undiscounted; ÷ (1 + {rate})^{i} in the PV")
        };
        benefit_cols.push(Explain::computed(
            col_label(i),
            dec(col.benefits_risk_adjusted),
            format!("Σ lines, risk-adjusted, {discount}"),
            per_line,
        ));
        let mut per_cost = Vec::new();
        for c in data.costs {
            let total: Decimal = cost_months(c, to)
                .into_iter()
                .filter(|m| *m >= from && *m < to)
                .map(|m| c.in_month(m))
                .sum();
            if total.is_zero() {
                continue;
            }
            per_cost.push(Explain::input(
                format!("cost '{}' ({})", c.item, c.kind),
                format!(
                    "{} {}",
                    round_amount(total, c.amount.currency.minor_units()),
                    c.amount.currency
                ),
                c.basis
                    .clone()
                    .unwrap_or_else(|| format!("{} {} from {}", c.amount, c.kind, c.start)),
            ));
        }
        cost_cols.push(Explain::computed(
            col_label(i),
            dec(col.costs),
            format!("Σ costs × (1 + {} cost risk), {discount}", ctx.guideline.cost_risk_adjustment),
            per_cost,
        ));
    }
    let pv_b = Explain::computed(
        "PV benefits",
        money(fin.pv_benefits),
        "Σ benefits_y ÷ (1 + d)^y",
        benefit_cols,
    );
    let pv_c = Explain::computed(
        "PV costs",
        money(fin.pv_costs),
        "Σ costs_y × (1 + cost risk) ÷ (1 + d)^y",
        cost_cols,
    );
    let guide = Explain::input(
        "guideline",
        format!("v{}", ctx.guideline_version),
        format!(
            "discount rate {}%, horizon {} years, cost risk {}%",
            rate * 100.0,
            ctx.guideline.horizon_years,
            ctx.guideline.cost_risk_adjustment * 100.0
        ),
    );
    Explain::computed(
        "NPV",
        money(fin.npv),
        "PV benefits − PV costs",
        vec![
            pv_b,
            pv_c,
            Explain::input(
                "ROI",
                fin.roi.map_or("n/a (no costs)".into(), |r| format!("{:.2}%", r * 100.0)),
                "NPV ÷ PV costs",
            ),
            Explain::input(
                "payback",
                fin.payback_months
                    .map_or("not within the horizon".into(), |m| format!("{m:.1} months")),
                "first month the cumulative risk-adjusted net reaches zero",
            ),
            guide,
        ],
    )
}

/// Months from year 1's start to the start of column `i` (column 1 is year 1).
fn year_offset(i: usize) -> u32 {
    u32::try_from(i.saturating_sub(1) * 12).unwrap_or(u32::MAX)
}

/// Converts a kernel figure for display: money rounded to the minor unit, half away from
/// zero. Every place that shows a computed amount uses this, so that a report and the
/// explanation of its figures agree to the cent.
pub fn round_money(v: f64, minor_units: u32) -> Decimal {
    round_amount(Decimal::from_f64(v).unwrap_or_default(), minor_units)
}

/// Rounds a decimal amount for display the same way as [`round_money`].
/// The result always shows the minor unit's digits (`4800.00`).
pub fn round_amount(v: Decimal, minor_units: u32) -> Decimal {
    let mut r =
        v.round_dp_with_strategy(minor_units, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(minor_units);
    r
}
