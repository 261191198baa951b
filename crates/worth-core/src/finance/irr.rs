//! Internal rates of return: IRR of periodic values, XIRR of dated flows, and MIRR.
//!
//! IRR and XIRR return every real root above −1 (see [`roots`](super::roots) for the
//! search) and pick one as the default, so a caller never gets an arbitrary root from
//! wherever a Newton run happened to land.

use serde::{Deserialize, Serialize};

use super::error::{FinanceError, Result, check_finite, check_rate};
use super::npv::{Flow, NpvConvention, check_flows, npv};
use super::roots::{ExpSum, all_roots, has_sign_change};

/// Excel's default guess. Worth does not need one: without a guess the search starts from an
/// estimate made from the flows, and from this rate only when no estimate can be made.
pub const DEFAULT_GUESS: f64 = 0.1;

/// The rates that make a series' present value zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Irr {
    /// The default root: the smallest non-negative root if there is one, else the negative
    /// root closest to zero.
    pub rate: f64,
    /// Every real root above −1, ascending; `rate` is one of them.
    pub roots: Vec<f64>,
}

impl Irr {
    /// Picks the default root from `roots`, ascending rates; `None` when there is none.
    fn from_roots(roots: Vec<f64>) -> Option<Self> {
        let rate = roots
            .iter()
            .copied()
            .find(|r| *r >= 0.0)
            .or_else(|| roots.iter().copied().rfind(|r| *r < 0.0))?;
        Some(Self { rate, roots })
    }
}

/// The internal rate of return of `values` at whole periods 0, 1, 2, …: every rate `r > −1`
/// with `Σ v_i / (1 + r)^i = 0`, and the default among them (see [`Irr`]).
///
/// `guess` is where the search for a lone root starts (without one, an estimate from the
/// values); it changes how fast the roots are found, never which. Roots are found to a relative tolerance of a few ulps in
/// `1 + r`, among rates whose `1 + r` lies between machine epsilon and about 8e307.
///
/// # Errors
///
/// `invalid_input` for an empty list, a value that is not finite, or a guess not above −1;
/// `infinite_roots` when every value is zero; `no_sign_change` when the nonzero values are
/// all of one sign; `no_root` when no rate in range makes the value zero.
///
/// # Examples
///
/// ```
/// use worth_core::finance::irr;
/// let irr = irr(&[-70_000.0, 12_000.0, 15_000.0, 18_000.0, 21_000.0, 26_000.0], None).unwrap();
/// assert!((irr.rate - 0.0866).abs() < 5e-5);
/// assert_eq!(irr.roots.len(), 1);
/// ```
pub fn irr(values: &[f64], guess: Option<f64>) -> Result<Irr> {
    check_finite("values", values)?;
    if values.is_empty() {
        return Err(FinanceError::InvalidInput("values is empty: give at least one value".into()));
    }
    let start = start_point(guess)?;
    let sum = ExpSum::periods(values).ok_or(FinanceError::InfiniteRoots)?;
    solve(&sum, start, "values")
}

/// The internal rate of return of dated `flows`, per year of 365 days: every rate `r > −1`
/// with `Σ a_i / (1 + r)^((d_i − d_0) / 365) = 0`, `d_0` the earliest date, and the default
/// among them (see [`Irr`]).
///
/// Flows may come in any order; flows on one date are added together first. `guess` and the
/// tolerance are as for [`irr`].
///
/// # Errors
///
/// As for [`irr`]; `infinite_roots` when the flows on every date add up to zero.
pub fn xirr(flows: &[Flow], guess: Option<f64>) -> Result<Irr> {
    check_flows(flows)?;
    let start = start_point(guess)?;

    // Order by date and add up the amounts that share a date.
    let sorted_copy;
    let sorted = if flows.is_sorted_by_key(|f| f.date) {
        flows
    } else {
        let mut copy = flows.to_vec();
        copy.sort_by_key(|f| f.date);
        sorted_copy = copy;
        &sorted_copy[..]
    };
    // Day numbers since 1970 are plain integers (chrono's own date difference goes through
    // 400-year cycles and costs about as much as the rest of the conversion).
    let first = sorted[0].date.to_epoch_days();
    let mut years: Vec<f64> = Vec::with_capacity(sorted.len());
    let mut amounts: Vec<f64> = Vec::with_capacity(sorted.len());
    let mut last_day = None;
    for f in sorted {
        let day = f.date.to_epoch_days() - first;
        match amounts.last_mut() {
            Some(a) if last_day == Some(day) => *a += f.amount,
            _ => {
                years.push(f64::from(day) / super::npv::DAYS_PER_YEAR);
                amounts.push(f.amount);
                last_day = Some(day);
            }
        }
    }

    let sum = ExpSum::from_years(years, amounts).ok_or(FinanceError::InfiniteRoots)?;
    solve(&sum, start, "flows")
}

/// Checks a guess and turns it into a starting point in `x = ln(1 + r)`; without a guess the
/// search starts from an estimate made from the flows themselves.
fn start_point(guess: Option<f64>) -> Result<Option<f64>> {
    let Some(guess) = guess else { return Ok(None) };
    check_rate("guess", guess)?;
    Ok(Some(guess.ln_1p()))
}

/// Finds the roots of a series that is known not to be all zero.
fn solve(sum: &ExpSum, start: Option<f64>, what: &str) -> Result<Irr> {
    if !has_sign_change(sum) {
        return Err(FinanceError::NoSignChange(format!(
            "the nonzero {what} are all of one sign, so no rate makes their present value \
             zero: an investment needs both a negative and a positive amount"
        )));
    }
    let roots: Vec<f64> = all_roots(sum, start).into_iter().map(f64::exp_m1).collect();
    Irr::from_roots(roots).ok_or(FinanceError::NoRoot)
}

/// The modified internal rate of return of `values` at whole periods 0, 1, 2, …: negative
/// values are financed at `finance_rate`, positive values reinvested at `reinvest_rate`.
///
/// `MIRR = (|NPV(reinvest, positives)| / |NPV(finance, negatives)|)^(1/(n−1))
/// · (1 + reinvest) − 1`, both NPVs in the `t0` convention, which is Excel's `MIRR`.
///
/// # Errors
///
/// `no_sign_change` when the values have no positive or no negative value (where some
/// libraries return −1 or NaN); `invalid_input` for a value that is not finite or a rate not
/// above −1.
pub fn mirr(values: &[f64], finance_rate: f64, reinvest_rate: f64) -> Result<f64> {
    check_finite("values", values)?;
    check_rate("finance_rate", finance_rate)?;
    check_rate("reinvest_rate", reinvest_rate)?;
    let positives: Vec<f64> = values.iter().map(|v| v.max(0.0)).collect();
    let negatives: Vec<f64> = values.iter().map(|v| v.min(0.0)).collect();
    if !positives.iter().any(|v| *v > 0.0) || !negatives.iter().any(|v| *v < 0.0) {
        return Err(FinanceError::NoSignChange(
            "mirr needs at least one positive and one negative value".into(),
        ));
    }
    let gains = npv(reinvest_rate, &positives, NpvConvention::T0)?.abs();
    let costs = npv(finance_rate, &negatives, NpvConvention::T0)?.abs();
    #[allow(clippy::cast_precision_loss)] // a period count is far below 2^52
    let periods = (values.len() - 1) as f64;
    Ok((gains / costs).powf(1.0 / periods) * (1.0 + reinvest_rate) - 1.0)
}
