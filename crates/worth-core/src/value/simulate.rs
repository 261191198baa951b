//! Uncertainty: a seeded Monte Carlo run over the ranges of the value lines' parameters.
//!
//! Each parameter given as a range (min..likely..max) is drawn from its PERT distribution, a
//! beta distribution on [min, max] with shape `α = 1 + 4(likely − min)/(max − min)`,
//! `β = 1 + 4(max − likely)/(max − min)` (mean `(min + 4·likely + max)/6`). Costs and measured
//! quantities are certain. The result is P10, P50 and P90 of NPV and ROI and the probability
//! that ROI is positive, per solution and for the portfolio, over the same TEI view as
//! `worth roi`.
//!
//! Every model except `custom` is linear in each of its parameters and in the month's
//! quantity, so a line's present value is a short formula of its parameters over a few sums
//! prepared once (discounted quantities of realized months, discounted rates of forecast
//! months). A trial is then a few draws and multiplications per line. Custom lines, whose
//! expressions may be anything, are evaluated month by month in every trial: correct, and
//! slower in proportion to their number.
//!
//! Draws come from a PCG generator seeded by the run's seed and the solution's id, so a
//! solution's draws do not depend on the others or on how work is split, and the same seed
//! gives the same percentiles. This module spawns nothing: callers with several cores run its
//! chunks on threads of their own.

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::engine::{Context, SolutionData, Source, rate_card};
use super::models::{ModelSpec, before_after::Direction};
use super::portfolio::Portfolio;
use super::quantity::{Estimate, Frequency, Rate};
use crate::period::{add_months, months_between};

/// Percentiles and probabilities of one simulated figure set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// `business unit / name`, or `portfolio`.
    pub key: String,
    /// P10 of NPV.
    pub npv_p10: f64,
    /// P50 of NPV.
    pub npv_p50: f64,
    /// P90 of NPV.
    pub npv_p90: f64,
    /// P10, P50 and P90 of ROI; `None` without costs.
    pub roi_p10: Option<f64>,
    /// P50 of ROI.
    pub roi_p50: Option<f64>,
    /// P90 of ROI.
    pub roi_p90: Option<f64>,
    /// Share of trials with ROI above zero (NPV above zero).
    pub probability_roi_positive: f64,
}

/// A simulation's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Trials run.
    pub trials: usize,
    /// The seed.
    pub seed: u64,
    /// Per solution.
    pub solutions: Vec<Outcome>,
    /// For the portfolio: NPVs added trial by trial.
    pub portfolio: Outcome,
}

/// A quantile table of a PERT distribution, for draws by inverse transform.
#[derive(Debug, Clone)]
pub struct Pert {
    min: f64,
    span: f64,
    quantiles: Vec<f64>,
}

const TABLE: usize = 512;
const GRID: usize = 2048;

/// `ln x` and `ln (1 − x)` at the inner points of the integration grid, computed once: a
/// table then costs one `exp` per grid point.
fn log_grid() -> &'static [(f64, f64)] {
    static GRID_LOGS: std::sync::OnceLock<Vec<(f64, f64)>> = std::sync::OnceLock::new();
    GRID_LOGS.get_or_init(|| {
        (1..GRID)
            .map(|i| {
                let x = i as f64 / GRID as f64;
                (x.ln(), (1.0 - x).ln())
            })
            .collect()
    })
}

impl Pert {
    /// The PERT distribution of `min ≤ likely ≤ max` (`min < max`).
    pub fn new(min: f64, likely: f64, max: f64) -> Self {
        let span = max - min;
        let a = 4.0 * (likely - min) / span; // α − 1
        let b = 4.0 * (max - likely) / span; // β − 1
        // The beta density x^(α−1) (1 − x)^(β−1) is bounded for α, β ≥ 1: integrate it on a
        // fine grid (trapezoids) and invert the cumulative distribution at evenly spaced
        // probabilities.
        let edge = |exponent: f64| if exponent == 0.0 { 1.0 } else { 0.0 };
        let step = 1.0 / GRID as f64;
        let mut cdf = Vec::with_capacity(GRID + 1);
        cdf.push(0.0);
        let mut total = 0.0;
        let mut prev = edge(a);
        for (lx, l1x) in log_grid() {
            let d = (a * lx + b * l1x).exp();
            total += (prev + d) * 0.5 * step;
            cdf.push(total);
            prev = d;
        }
        total += (prev + edge(b)) * 0.5 * step;
        cdf.push(total);
        let mut quantiles = Vec::with_capacity(TABLE + 1);
        let mut j = 0;
        for k in 0..=TABLE {
            let p = k as f64 / TABLE as f64 * total;
            while j < GRID && cdf[j + 1] < p {
                j += 1;
            }
            let (c0, c1) = (cdf[j], cdf[(j + 1).min(GRID)]);
            let frac = if c1 > c0 { (p - c0) / (c1 - c0) } else { 0.0 };
            quantiles.push(((j as f64 + frac) * step).clamp(0.0, 1.0));
        }
        Self { min, span, quantiles }
    }

    /// The value at probability `u` in [0, 1).
    #[inline]
    // `u × TABLE` lies in [0, TABLE]: the cast keeps its whole part, as intended.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub fn at(&self, u: f64) -> f64 {
        let x = u * TABLE as f64;
        let i = (x as usize).min(TABLE - 1);
        let frac = x - i as f64;
        let q = self.quantiles[i] + (self.quantiles[i + 1] - self.quantiles[i]) * frac;
        self.min + self.span * q
    }
}

/// One parameter: fixed, or drawn.
#[derive(Debug, Clone)]
enum Param {
    Fixed(f64),
    Drawn(Pert),
}

impl Param {
    fn of(e: &Estimate) -> Self {
        let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
        if e.is_uncertain() {
            Param::Drawn(Pert::new(f(e.low()), f(e.likely), f(e.high())))
        } else {
            Param::Fixed(f(e.likely))
        }
    }

    #[inline]
    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        match self {
            Param::Fixed(v) => *v,
            Param::Drawn(p) => p.at(uniform(rng)),
        }
    }
}

#[inline]
fn uniform(rng: &mut Pcg64Mcg) -> f64 {
    // 53 random bits: a uniform draw in [0, 1).
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A line's present value as a formula of its parameters.
#[derive(Debug, Clone)]
enum LineForm {
    /// `factor × (a − b) × (q + count × f)`, the fixed parts folded into `q` and `f`:
    /// per-use, per-unit, rework and revenue models.
    PerUse {
        factor: Option<Param>,
        difference: Option<(Param, Param)>,
        count: Option<Param>,
        q: f64,
        f: f64,
    },
    /// `minutes × (q + users × f)`.
    PerUser { minutes: Param, users: Option<Param>, q: f64, f: f64 },
    /// `vpu × sign × (q − baseline × dr + (expected − baseline) × df)`.
    BeforeAfter {
        vpu: Param,
        baseline: Param,
        expected: Option<Param>,
        sign: f64,
        q: f64,
        dr: f64,
        df: f64,
    },
    /// `amount × d`.
    Fixed { amount: Param, d: f64 },
    /// A custom expression, evaluated for every month of every trial.
    Custom(Box<CustomForm>),
    /// A constant present value.
    Constant(f64),
}

/// A custom line: its expression, its parameters and the months it is evaluated for.
#[derive(Debug, Clone)]
struct CustomForm {
    tree: evalexpr::Node<evalexpr::DefaultNumericTypes>,
    params: Vec<(String, Param)>,
    months: Vec<CustomMonth>,
    hours_per_month: f64,
}

/// One month of a custom line: its weight (discount × attribution × risk × exchange rate) and
/// what was measured, for realized months.
#[derive(Debug, Clone)]
struct CustomMonth {
    weight: f64,
    measured: Option<[Option<f64>; 4]>,
    hourly: f64,
}

impl CustomForm {
    fn sample(&self, rng: &mut Pcg64Mcg) -> f64 {
        use evalexpr::{ContextWithMutableVariables, HashMapContext, Value};
        let mut ctx = HashMapContext::<evalexpr::DefaultNumericTypes>::new();
        let mut drawn = Vec::with_capacity(self.params.len());
        for (name, p) in &self.params {
            let v = p.draw(rng);
            drawn.push((name.as_str(), v));
            let _ = ctx.set_value(name.clone(), Value::Float(v));
        }
        let _ = ctx.set_value("hours_per_month".into(), Value::Float(self.hours_per_month));
        let estimated = |name: &str| {
            drawn.iter().find(|(n, _)| n.strip_prefix("estimated_") == Some(name)).map(|(_, v)| *v)
        };
        let mut pv = 0.0;
        for m in &self.months {
            for (i, name) in ["uses", "users", "units", "metric"].into_iter().enumerate() {
                let v = match &m.measured {
                    Some(values) => values[i],
                    None => estimated(name),
                };
                if let Some(v) = v {
                    let _ = ctx.set_value(name.into(), Value::Float(v));
                }
            }
            let _ = ctx.set_value("hourly".into(), Value::Float(m.hourly));
            if let Ok(v) = self.tree.eval_number_with_context(&ctx) {
                pv += m.weight * v;
            }
        }
        pv
    }
}

impl LineForm {
    #[inline]
    fn sample(&self, rng: &mut Pcg64Mcg) -> f64 {
        match self {
            LineForm::PerUse { factor, difference, count, q, f } => {
                let mut v = factor.as_ref().map_or(1.0, |p| p.draw(rng));
                if let Some((a, b)) = difference {
                    v *= a.draw(rng) - b.draw(rng);
                }
                let n = count.as_ref().map_or(0.0, |c| c.draw(rng));
                v * (q + n * f)
            }
            LineForm::PerUser { minutes, users, q, f } => {
                let m = minutes.draw(rng);
                let u = users.as_ref().map_or(0.0, |c| c.draw(rng));
                m * (q + u * f)
            }
            LineForm::BeforeAfter { vpu, baseline, expected, sign, q, dr, df } => {
                let (v, b) = (vpu.draw(rng), baseline.draw(rng));
                let e = expected.as_ref().map_or(b, |x| x.draw(rng));
                v * sign * (q - b * dr + (e - b) * df)
            }
            LineForm::Fixed { amount, d } => amount.draw(rng) * d,
            LineForm::Custom(c) => c.sample(rng),
            LineForm::Constant(v) => *v,
        }
    }
}

/// The sums a line's formula needs, over the months of its expected series.
#[derive(Debug, Default)]
struct Sums {
    /// Σ over realized months of disc × k × quantity.
    q: f64,
    /// Σ over forecast months of disc × k × per-month factor of the estimate's count.
    f: f64,
    /// Σ over realized months of disc × k.
    dr: f64,
    /// Σ over forecast months of disc × k.
    df: f64,
}

/// One solution ready to simulate.
#[derive(Debug, Clone)]
struct Prepared {
    key: String,
    id: i64,
    lines: Vec<LineForm>,
    pv_costs: f64,
}

/// Solutions per chunk: the unit of work that callers may run on threads of their own.
pub const CHUNK: usize = 32;

/// A simulation ready to run: each solution's formula prepared once.
///
/// The work is cut into chunks of [`CHUNK`] solutions. [`Simulator::run`] runs them in turn; a
/// caller with several cores may run [`Simulator::run_chunk`] on threads of its own and pass
/// the results, in chunk order, to [`Simulator::finish`]: the result is the same.
#[derive(Debug, Clone)]
pub struct Simulator {
    trials: usize,
    seed: u64,
    solutions: Vec<Prepared>,
}

/// What one chunk yields: its solutions' outcomes and its NPVs added trial by trial.
#[derive(Debug, Clone)]
pub struct ChunkResult {
    outcomes: Vec<Outcome>,
    sums: Vec<f64>,
}

impl Simulator {
    /// Prepares `trials` trials with `seed` over an evaluated portfolio.
    pub fn new(
        ctx: &Context<'_>,
        data: &[SolutionData<'_>],
        portfolio: &Portfolio,
        trials: usize,
        seed: u64,
    ) -> Self {
        let solutions = portfolio
            .solutions
            .iter()
            .zip(data)
            .map(|(s, d)| Prepared {
                key: format!("{} / {}", s.business_unit, s.name),
                id: s.id,
                lines: d
                    .lines
                    .iter()
                    .zip(&s.lines)
                    .map(|(line, value)| line_form(ctx, d, s.year_one, line, value))
                    .collect(),
                pv_costs: s.financials.pv_costs,
            })
            .collect();
        Self { trials, seed, solutions }
    }

    /// How many chunks the work has.
    pub fn chunks(&self) -> usize {
        self.solutions.len().div_ceil(CHUNK)
    }

    /// Runs chunk `i`.
    pub fn run_chunk(&self, i: usize) -> ChunkResult {
        let chunk = self.solutions.chunks(CHUNK).nth(i).unwrap_or(&[]);
        let mut sums = vec![0.0; self.trials];
        let mut npvs = vec![0.0; self.trials];
        let mut outcomes = Vec::with_capacity(chunk.len());
        for s in chunk {
            let stream = (s.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut rng = Pcg64Mcg::seed_from_u64(self.seed ^ stream);
            for (slot, sum) in npvs.iter_mut().zip(sums.iter_mut()) {
                let mut pv = 0.0;
                for l in &s.lines {
                    pv += l.sample(&mut rng);
                }
                *slot = pv - s.pv_costs;
                *sum += *slot;
            }
            outcomes.push(outcome(s.key.clone(), &mut npvs, s.pv_costs));
        }
        ChunkResult { outcomes, sums }
    }

    /// Combines the chunks' results, given in chunk order.
    pub fn finish(&self, results: Vec<ChunkResult>) -> Simulation {
        let mut solutions = Vec::with_capacity(self.solutions.len());
        let mut total = vec![0.0; self.trials];
        for r in results {
            solutions.extend(r.outcomes);
            for (t, v) in total.iter_mut().zip(r.sums) {
                *t += v;
            }
        }
        let pv_costs: f64 = self.solutions.iter().map(|s| s.pv_costs).sum();
        let portfolio = outcome("portfolio".into(), &mut total, pv_costs);
        Simulation { trials: self.trials, seed: self.seed, solutions, portfolio }
    }

    /// Runs every chunk in turn.
    pub fn run(&self) -> Simulation {
        self.finish((0..self.chunks()).map(|i| self.run_chunk(i)).collect())
    }
}

fn outcome(key: String, npvs: &mut [f64], pv_costs: f64) -> Outcome {
    let n = npvs.len();
    let positive = npvs.iter().filter(|v| **v > 0.0).count();
    let (p10, p50, p90) = percentiles(npvs);
    let roi = |v: f64| (pv_costs > 0.0).then(|| v / pv_costs);
    Outcome {
        key,
        npv_p10: p10,
        npv_p50: p50,
        npv_p90: p90,
        roi_p10: roi(p10),
        roi_p50: roi(p50),
        roi_p90: roi(p90),
        probability_roi_positive: if n == 0 { 0.0 } else { positive as f64 / n as f64 },
    }
}

/// P10, P50 and P90 by the nearest-rank method (the value at rank ⌈p·n⌉), exactly.
///
/// Values are first counted into buckets between the minimum and the maximum; only the
/// buckets that hold the three ranks are then searched, which takes a few passes instead of
/// three selections over every trial.
// Ranks and buckets are whole parts of non-negative numbers below `n` and `BUCKETS`.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn percentiles(v: &mut [f64]) -> (f64, f64, f64) {
    let n = v.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let rank = |p: f64| ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
    let ranks = [rank(0.1), rank(0.5), rank(0.9)];
    let (lo, hi) =
        v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
    const BUCKETS: usize = 2048;
    if hi <= lo || !lo.is_finite() || !hi.is_finite() || n < 4 * BUCKETS {
        return select_three(v, ranks);
    }
    let scale = BUCKETS as f64 / (hi - lo);
    let bucket = |x: f64| (((x - lo) * scale) as usize).min(BUCKETS - 1);
    let mut counts = vec![0usize; BUCKETS];
    for x in v.iter() {
        counts[bucket(*x)] += 1;
    }
    // The bucket of each rank, and the rank's position among that bucket's values.
    let mut found = [(0usize, 0usize); 3];
    let mut before = 0;
    let mut k = 0;
    for (b, c) in counts.iter().enumerate() {
        while k < 3 && ranks[k] < before + c {
            found[k] = (b, ranks[k] - before);
            k += 1;
        }
        before += c;
    }
    let mut members: [Vec<f64>; 3] = Default::default();
    for x in v.iter() {
        let b = bucket(*x);
        for (i, (fb, _)) in found.iter().enumerate() {
            if b == *fb {
                members[i].push(*x);
            }
        }
    }
    let mut pick = |i: usize| {
        let offset = found[i].1;
        *members[i].select_nth_unstable_by(offset, f64::total_cmp).1
    };
    (pick(0), pick(1), pick(2))
}

fn select_three(v: &mut [f64], [i10, i50, i90]: [usize; 3]) -> (f64, f64, f64) {
    let (left, p50, right) = v.select_nth_unstable_by(i50, f64::total_cmp);
    let p50 = *p50;
    let p10 = if i10 < i50 { *left.select_nth_unstable_by(i10, f64::total_cmp).1 } else { p50 };
    let p90 = if i90 > i50 {
        *right.select_nth_unstable_by(i90 - i50 - 1, f64::total_cmp).1
    } else {
        p50
    };
    (p10, p50, p90)
}

/// The formula of one line: its model's parameters over the discounted sums of its months.
fn line_form(
    ctx: &Context<'_>,
    d: &SolutionData<'_>,
    t0: chrono::NaiveDate,
    line: &super::ValueLine,
    value: &super::engine::LineValue,
) -> LineForm {
    let f = |x: Decimal| x.to_f64().unwrap_or(0.0);
    let keep = (1.0 - value.risk_adjustment) * f(line.attribution);
    let rate = ctx.guideline.discount_rate;
    let end = add_months(t0, ctx.guideline.horizon_years * 12);
    let disc = |m: chrono::NaiveDate| -> f64 {
        if m < t0 {
            1.0
        } else {
            let year = months_between(t0, m) / 12 + 1;
            (1.0 + rate).powi(i32::try_from(year).unwrap_or(i32::MAX)).recip()
        }
    };
    // The scale of a month: its hourly cost (for models that have a role) and its exchange
    // rate into the reporting currency, as the engine applies them.
    let k = |m: chrono::NaiveDate| -> f64 {
        let on = add_months(m, 1).pred_opt().unwrap_or(m).min(ctx.today);
        let fx = ctx.fx.rate(line.currency, ctx.currency, on).map_or(0.0, f);
        let hourly = match line.spec.role() {
            Some(role) => rate_card(ctx, role, &d.solution.business_unit, m)
                .and_then(|card| {
                    ctx.fx.convert(card.hourly.amount, card.hourly.currency, line.currency, m).ok()
                })
                .map_or(0.0, f),
            None => 1.0,
        };
        fx * hourly
    };
    let quantity = |m: chrono::NaiveDate| -> f64 {
        let Some(u) = d.usage.get(&m) else { return 0.0 };
        match &line.spec {
            ModelSpec::TimeSavedPerUser(_) => f(u.active_users),
            ModelSpec::UnitCost(_) => f(u.units.unwrap_or(u.uses)),
            ModelSpec::Revenue(_) => u.units.map_or(0.0, f),
            ModelSpec::BeforeAfter(p) => u.metrics.get(p.metric.trim()).copied().map_or(0.0, f),
            _ => f(u.uses),
        }
    };
    let per_month = |r: Option<&Rate>| r.map_or(1.0, |r| f(r.per.per_month(ctx.guideline)));
    let factor = match &line.spec {
        ModelSpec::TimeSavedPerUse(p) => per_month(p.estimated_uses.as_ref()),
        ModelSpec::ErrorsRework(p) => per_month(p.estimated_uses.as_ref()),
        ModelSpec::UnitCost(p) => per_month(p.estimated_units.as_ref()),
        ModelSpec::Revenue(p) => per_month(p.estimated_units.as_ref()),
        _ => 1.0,
    };
    let mut s = Sums::default();
    for m in value.expected.iter().filter(|m| m.month < end) {
        let w = disc(m.month) * k(m.month) * keep;
        match m.source {
            Source::Realized => {
                s.q += w * quantity(m.month);
                s.dr += w;
            }
            _ => {
                s.f += w * factor;
                s.df += w;
            }
        }
    }
    let count = |r: &Option<Rate>| r.as_ref().map(|r| Param::of(&r.count));
    match &line.spec {
        ModelSpec::TimeSavedPerUse(p) => LineForm::PerUse {
            factor: Some(Param::of(&p.minutes_per_use)),
            difference: None,
            count: count(&p.estimated_uses),
            q: s.q / 60.0,
            f: s.f / 60.0,
        },
        ModelSpec::ErrorsRework(p) => LineForm::PerUse {
            factor: Some(Param::of(&p.rework_minutes)),
            difference: Some((Param::of(&p.error_rate_before), Param::of(&p.error_rate_after))),
            count: count(&p.estimated_uses),
            q: s.q / 60.0,
            f: s.f / 60.0,
        },
        ModelSpec::UnitCost(p) => LineForm::PerUse {
            factor: None,
            difference: Some((Param::of(&p.cost_before), Param::of(&p.cost_after))),
            count: count(&p.estimated_units),
            q: s.q,
            f: s.f,
        },
        ModelSpec::Revenue(p) => LineForm::PerUse {
            factor: Some(Param::of(&p.margin_per_unit)),
            difference: None,
            count: count(&p.estimated_units),
            q: s.q,
            f: s.f,
        },
        ModelSpec::TimeSavedPerUser(p) => {
            let weeks = f(Frequency::Week.per_month(ctx.guideline)) / 60.0;
            LineForm::PerUser {
                minutes: Param::of(&p.minutes_per_week),
                users: p.estimated_users.as_ref().map(Param::of),
                q: s.q * weeks,
                f: s.df * weeks,
            }
        }
        ModelSpec::BeforeAfter(p) => LineForm::BeforeAfter {
            vpu: Param::of(&p.value_per_unit),
            baseline: Param::of(&p.baseline),
            expected: p.estimated_metric.as_ref().map(Param::of),
            sign: if p.direction == Direction::Increase { 1.0 } else { -1.0 },
            q: s.q,
            dr: s.dr,
            df: s.df,
        },
        ModelSpec::FixedAmount(p) => {
            LineForm::Fixed { amount: Param::of(&p.amount_per_month), d: s.dr + s.df }
        }
        ModelSpec::Custom(p) => {
            let Ok(tree) =
                evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(&p.expression)
            else {
                return LineForm::Constant(0.0);
            };
            let months = value
                .expected
                .iter()
                .filter(|m| m.month < end)
                .map(|m| {
                    let on = add_months(m.month, 1).pred_opt().unwrap_or(m.month).min(ctx.today);
                    let fx = ctx.fx.rate(line.currency, ctx.currency, on).map_or(0.0, f);
                    let hourly = p
                        .role
                        .as_deref()
                        .and_then(|role| rate_card(ctx, role, &d.solution.business_unit, m.month))
                        .and_then(|card| {
                            ctx.fx
                                .convert(
                                    card.hourly.amount,
                                    card.hourly.currency,
                                    line.currency,
                                    m.month,
                                )
                                .ok()
                        })
                        .map_or(0.0, f);
                    let measured = (m.source == Source::Realized).then(|| {
                        let u = d.usage.get(&m.month);
                        [
                            Some(u.map_or(0.0, |u| f(u.uses))),
                            Some(u.map_or(0.0, |u| f(u.active_users))),
                            Some(u.map_or(0.0, |u| f(u.units.unwrap_or(u.uses)))),
                            u.and_then(|u| u.metrics.get("metric").copied()).map(f),
                        ]
                    });
                    CustomMonth { weight: disc(m.month) * keep * fx, measured, hourly }
                })
                .collect();
            let g = ctx.guideline;
            LineForm::Custom(Box::new(CustomForm {
                tree,
                params: p.parameters.iter().map(|(k, e)| (k.clone(), Param::of(e))).collect(),
                months,
                hours_per_month: f64::from(g.working_days_per_year) / 12.0
                    * g.working_hours_per_day,
            }))
        }
        ModelSpec::Scored(_) => LineForm::Constant(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pert_table_has_the_pert_mean_and_bounds() {
        let p = Pert::new(10.0, 15.0, 40.0);
        let mean_pert = (10.0 + 4.0 * 15.0 + 40.0) / 6.0;
        let n = 200_000;
        let mean: f64 = (0..n).map(|i| p.at((i as f64 + 0.5) / n as f64)).sum::<f64>() / n as f64;
        assert!((mean - mean_pert).abs() / mean_pert < 0.002, "{mean} vs {mean_pert}");
        assert!((p.at(0.0) - 10.0).abs() < 1e-9);
        assert!((p.at(0.999_999) - 40.0).abs() < 0.05);
        // A symmetric PERT has its median at the likely value.
        let sym = Pert::new(0.0, 5.0, 10.0);
        assert!((sym.at(0.5) - 5.0).abs() < 1e-3);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentiles(&mut v), (10.0, 50.0, 90.0));
    }

    #[test]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn bucketed_percentiles_equal_a_full_sort() {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        // Skewed values with ties and an outlier, large enough for the bucketed path.
        let mut v: Vec<f64> = (0..50_000)
            .map(|i| {
                let u = uniform(&mut rng);
                if i == 7 { 1e9 } else { (u * u * 1000.0).floor() }
            })
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |p: f64| sorted[((p * 50_000.0_f64).ceil() as usize) - 1];
        assert_eq!(percentiles(&mut v), (at(0.1), at(0.5), at(0.9)));
    }
}
