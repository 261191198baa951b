//! The value engine: value lines evaluated month by month, estimated and realized, with
//! attribution, the risk adjustment of their evidence grade, and conversion to the reporting
//! currency.
//!
//! Counting rules live upstream, in what the store hands over as [`Measured`]: only successful
//! runs count, and only usage in the environment types the guideline counts. Here, a month is
//! **realized** when it is complete (before the current month) and the solution was live in
//! it; a later month of the line's horizon is **forecast** from the line's current estimate.
//! A retired solution has no expected value from the month of its retirement.
//! The **estimate** series is the frozen original estimate (or, before approval, the draft),
//! over the line's own start and horizon: it is what accuracy compares realized value with.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Serialize;

use super::explain::Explain;
use super::models::{Basis, Hourly, Inputs, Measured, ModelSpec};
use super::{Category, EvidenceGrade, ValueLine};
use crate::fx::FxTable;
use crate::guideline::Guideline;
use crate::period::{add_months, label, month_of, months};
use crate::rates::RateCard;
use crate::solution::Solution;
use crate::{Currency, Problem};

/// What every evaluation shares.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The guideline in force.
    pub guideline: &'a Guideline,
    /// Its version, named in every result.
    pub guideline_version: i64,
    /// The workspace's rate cards.
    pub rates: &'a [RateCard],
    /// The workspace's exchange rates.
    pub fx: &'a FxTable,
    /// The reporting currency.
    pub currency: Currency,
    /// Today: months before this one are complete.
    pub today: NaiveDate,
    /// Whether to build explanations (they cost time on large portfolios).
    pub explain: bool,
}

/// A solution with everything the engine needs about it.
#[derive(Debug, Clone, Copy)]
pub struct SolutionData<'a> {
    /// The solution.
    pub solution: &'a Solution,
    /// Its value lines.
    pub lines: &'a [ValueLine],
    /// Its costs.
    pub costs: &'a [super::CostLine],
    /// What was measured, per month (first day), counting rules already applied.
    pub usage: &'a BTreeMap<NaiveDate, Measured>,
}

/// Where a month's figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Measured, in a complete month while live.
    Realized,
    /// Forecast from the current estimate, for a month not yet complete or not yet live.
    Forecast,
    /// The frozen estimate (or the draft before approval).
    Estimate,
}

/// One month of one line, in the reporting currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthValue {
    /// The month's first day.
    pub month: NaiveDate,
    /// Where the figure comes from.
    pub source: Source,
    /// The model's figure × attribution.
    pub gross: Decimal,
    /// `gross × (1 − risk adjustment)`.
    pub risk_adjusted: Decimal,
    /// The hours saved behind `gross` (the model's hours × attribution), for the time-saving
    /// models: what cost per hour saved divides by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// How it was made, when explanations were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// One line, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineValue {
    /// The line's store id.
    pub line_id: i64,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Its model's name.
    pub model: &'static str,
    /// Its evidence grade.
    pub evidence: EvidenceGrade,
    /// The benefit reduction its grade gets from the guideline.
    pub risk_adjustment: f64,
    /// Its attribution share.
    pub attribution: Decimal,
    /// The frozen estimate (or draft) over the line's horizon.
    pub estimate: Vec<MonthValue>,
    /// Realized months, then forecast months, in order: the line's expected value.
    pub expected: Vec<MonthValue>,
    /// The score of a scored line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
}

impl LineValue {
    /// The sum of realized gross value over months in `[from, to)`.
    pub fn realized_between(&self, from: NaiveDate, to: NaiveDate) -> Decimal {
        self.expected
            .iter()
            .filter(|m| m.source == Source::Realized && m.month >= from && m.month < to)
            .map(|m| m.gross)
            .sum()
    }

    /// The hours saved behind realized months in `[from, to)`, for a line of one of the two
    /// time-saving models; none for the other models, whose figures are not time.
    pub fn realized_hours_between(&self, from: NaiveDate, to: NaiveDate) -> Option<Decimal> {
        if !matches!(self.model, "time-saved-per-use" | "time-saved-per-user") {
            return None;
        }
        Some(
            self.expected
                .iter()
                .filter(|m| m.source == Source::Realized && m.month >= from && m.month < to)
                .filter_map(|m| m.hours)
                .sum(),
        )
    }

    /// The sum of the estimate's gross value over months in `[from, to)`.
    pub fn estimated_between(&self, from: NaiveDate, to: NaiveDate) -> Decimal {
        self.estimate.iter().filter(|m| m.month >= from && m.month < to).map(|m| m.gross).sum()
    }
}

/// Evaluates every line of a solution; what cannot be evaluated is reported, not guessed.
pub fn evaluate_lines(
    ctx: &Context<'_>,
    data: &SolutionData<'_>,
) -> (Vec<LineValue>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut values = Vec::new();
    for line in data.lines {
        values.push(evaluate_line(ctx, data, line, &mut problems));
    }
    (values, problems)
}

fn evaluate_line(
    ctx: &Context<'_>,
    data: &SolutionData<'_>,
    line: &ValueLine,
    problems: &mut Vec<Problem>,
) -> LineValue {
    let risk = ctx.guideline.risk_for(line.evidence);
    let keep = Decimal::from_f64(1.0 - risk).unwrap_or(Decimal::ONE);
    let subject =
        format!("{} / {} / {}", data.solution.business_unit, data.solution.name, line.name);
    let this_month = month_of(ctx.today);
    let start = month_of(line.start);
    let end = add_months(start, line.horizon_months);
    let live = data.solution.live_since().map(month_of);
    let retired = data.solution.retired_since().map(month_of);
    let (estimate_spec, estimate_attr) = match &line.frozen {
        Some(f) => (&f.spec, f.attribution),
        None => (&line.spec, line.attribution),
    };

    let mut month_value = |month: NaiveDate,
                           basis: Basis,
                           spec: &ModelSpec,
                           attribution: Decimal| {
        evaluate_month(ctx, data, line, month, basis, spec, attribution, keep, problems, &subject)
    };

    let mut estimate = Vec::new();
    for month in months(start, end) {
        if let Some(mut v) = month_value(month, Basis::Estimated, estimate_spec, estimate_attr) {
            v.source = Source::Estimate;
            estimate.push(v);
        }
    }

    let mut expected = Vec::new();
    let realized_from = live.unwrap_or(NaiveDate::MAX);
    let expected_start = live.map_or(start, |l| l.max(start));
    let expected_end = add_months(expected_start, line.horizon_months);
    // A retired solution creates no value from the month it was retired.
    let expected_end = retired.map_or(expected_end, |r| r.min(expected_end));
    for month in months(expected_start, expected_end) {
        let realized = month >= realized_from && month < this_month;
        let value = if realized {
            month_value(month, Basis::Realized, &line.spec, line.attribution)
        } else if month >= this_month {
            month_value(month, Basis::Estimated, &line.spec, line.attribution).map(|mut v| {
                v.source = Source::Forecast;
                v
            })
        } else {
            None
        };
        expected.extend(value);
    }

    let score = match &line.spec {
        ModelSpec::Scored(p) => Some(p.score),
        _ => None,
    };
    LineValue {
        line_id: line.id,
        name: line.name.clone(),
        category: line.category,
        model: line.spec.name(),
        evidence: line.evidence,
        risk_adjustment: risk,
        attribution: line.attribution,
        estimate,
        expected,
        score,
    }
}

#[allow(clippy::too_many_arguments)]
fn evaluate_month(
    ctx: &Context<'_>,
    data: &SolutionData<'_>,
    line: &ValueLine,
    month: NaiveDate,
    basis: Basis,
    spec: &ModelSpec,
    attribution: Decimal,
    keep: Decimal,
    problems: &mut Vec<Problem>,
    subject: &str,
) -> Option<MonthValue> {
    let empty = Measured { source: "no usage recorded this month".into(), ..Measured::default() };
    let measured = match basis {
        Basis::Realized => Some(data.usage.get(&month).unwrap_or(&empty)),
        Basis::Estimated => None,
    };
    let hourly = match spec.role() {
        Some(role) => {
            match hourly_rate(ctx, role, &data.solution.business_unit, month, line.currency) {
                Ok(h) => Some(h),
                Err(message) => {
                    push_once(problems, "missing_rate", subject, message);
                    return None;
                }
            }
        }
        None => None,
    };
    let inputs = Inputs {
        basis,
        month,
        guideline: ctx.guideline,
        measured,
        hourly: hourly.as_ref(),
        currency: line.currency,
    };
    let figure = match spec.evaluate(&inputs) {
        Ok(f) => f,
        Err(e) => {
            push_once(problems, "missing_input", subject, format!("{}: {e}", label(month)));
            return None;
        }
    };
    let in_line_currency = figure.amount * attribution;
    // Hours are not money: attribution shares them, but no exchange rate applies.
    let hours_saved = figure.hours.map(|h| h * attribution);
    let on = add_months(month, 1).pred_opt().unwrap_or(month).min(ctx.today);
    let gross = match ctx.fx.convert(in_line_currency, line.currency, ctx.currency, on) {
        Ok(v) => v,
        Err(e) => {
            push_once(problems, "missing_fx_rate", subject, e.to_string());
            return None;
        }
    };
    let risk_adjusted = gross * keep;
    let explain = ctx.explain.then(|| {
        let mut children = vec![figure.explain];
        children.push(Explain::input(
            "attribution",
            format!("{}%", (attribution * Decimal::from(100)).normalize()),
            "value line",
        ));
        if line.currency != ctx.currency {
            let rate = ctx.fx.rate(line.currency, ctx.currency, on).unwrap_or_default();
            children.push(Explain::input(
                format!("{}/{} rate", line.currency, ctx.currency),
                rate,
                format!("fx table, latest on or before {on}"),
            ));
        }
        children.push(Explain::input(
            "risk adjustment",
            format!("{}%", ((Decimal::ONE - keep) * Decimal::from(100)).normalize()),
            format!("evidence {}, guideline v{}", line.evidence, ctx.guideline_version),
        ));
        Explain::computed(
            format!("{} ({})", label(month), source_word(basis)),
            format!(
                "{} {} risk-adjusted",
                super::financial::round_amount(risk_adjusted, ctx.currency.minor_units()),
                ctx.currency
            ),
            "model × attribution × (1 − risk adjustment)",
            children,
        )
    });
    Some(MonthValue {
        month,
        source: if basis == Basis::Realized { Source::Realized } else { Source::Forecast },
        gross,
        risk_adjusted,
        hours: hours_saved,
        explain,
    })
}

fn source_word(basis: Basis) -> &'static str {
    match basis {
        Basis::Realized => "realized",
        Basis::Estimated => "estimated",
    }
}

/// The rate card that prices `role` for business unit `bu` on `month`: the unit's own card
/// first, else the card for all units.
pub(crate) fn rate_card<'a>(
    ctx: &Context<'a>,
    role: &str,
    bu: &str,
    month: NaiveDate,
) -> Option<&'a RateCard> {
    let role = role.trim();
    let valid = |r: &&RateCard| {
        crate::org::same_name(&r.role, role)
            && r.valid_from <= month
            && r.valid_to.is_none_or(|to| month < to)
    };
    ctx.rates
        .iter()
        .filter(valid)
        .find(|r| r.business_unit.as_deref() == Some(bu))
        .or_else(|| ctx.rates.iter().filter(valid).find(|r| r.business_unit.is_none()))
}

/// The hourly cost of `role` for business unit `bu` on the first day of `month`, in the
/// line's currency, with the card it came from.
pub(crate) fn hourly_rate(
    ctx: &Context<'_>,
    role: &str,
    bu: &str,
    month: NaiveDate,
    currency: Currency,
) -> Result<Hourly, String> {
    let card = rate_card(ctx, role, bu, month).ok_or_else(|| {
        format!(
            "no rate card for role '{role}' in business unit '{bu}' or for all units on \
             {month}: add one with `worth rate add --role {role} ...`"
        )
    })?;
    let amount = ctx
        .fx
        .convert(card.hourly.amount, card.hourly.currency, currency, month)
        .map_err(|e| e.to_string())?;
    Ok(Hourly {
        amount,
        source: format!(
            "rate card #{} {} ({}) {} {} from {}",
            card.id,
            card.role,
            card.business_unit.as_deref().unwrap_or("all units"),
            card.hourly.amount,
            card.hourly.currency,
            card.valid_from
        ),
    })
}

fn push_once(problems: &mut Vec<Problem>, kind: &str, subject: &str, message: String) {
    if !problems.iter().any(|p| p.kind == kind && p.subject == subject) {
        problems.push(Problem { kind: kind.into(), subject: subject.into(), message });
    }
}
