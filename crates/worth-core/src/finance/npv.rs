//! Net present value of periodic flows (two named conventions) and of dated flows (XNPV).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{FinanceError, Result, check_finite, check_rate};

/// Days in the year that XNPV and XIRR count in: actual days / 365, as Excel does.
pub const DAYS_PER_YEAR: f64 = 365.0;

/// Where the first of a series of periodic values sits in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NpvConvention {
    /// The first value is at time 0, undiscounted: `NPV = Σ v_i / (1 + r)^i`, i from 0.
    /// This is the convention of numpy-financial and of Worth's TEI summaries.
    #[default]
    T0,
    /// The first value is discounted one period, as Excel's and LibreOffice's `NPV`:
    /// `NPV = Σ v_i / (1 + r)^(i+1)`, i from 0.
    Excel,
}

/// An amount on a date, one element of a dated series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// The day the amount is paid (negative) or received (positive).
    pub date: NaiveDate,
    /// The amount, in the series' one currency.
    pub amount: f64,
}

impl Flow {
    /// A flow of `amount` on `date`.
    pub fn new(date: NaiveDate, amount: f64) -> Self {
        Self { date, amount }
    }
}

/// The net present value of periodic `values` at `rate` per period, under `convention`.
///
/// `t0`: `Σ v_i / (1 + r)^i`; `excel`: `Σ v_i / (1 + r)^(i+1)`, both with i from 0.
///
/// # Errors
///
/// `invalid_input` when `values` is empty, a value is not finite, or `rate` is not above −1.
///
/// # Examples
///
/// ```
/// use worth_core::finance::{npv, NpvConvention};
/// let v = npv(0.1, &[-10_000.0, 3_000.0, 4_200.0, 6_800.0], NpvConvention::Excel).unwrap();
/// assert!((v - 1_188.44).abs() < 0.005);
/// ```
pub fn npv(rate: f64, values: &[f64], convention: NpvConvention) -> Result<f64> {
    check_rate("rate", rate)?;
    check_finite("values", values)?;
    if values.is_empty() {
        return Err(FinanceError::InvalidInput("values is empty: give at least one value".into()));
    }

    // Horner's scheme in the discount factor, from the last value back to the first.
    let v = 1.0 / (1.0 + rate);
    let at_t0 = values.iter().rev().fold(0.0, |acc, x| acc * v + x);
    Ok(match convention {
        NpvConvention::T0 => at_t0,
        NpvConvention::Excel => at_t0 * v,
    })
}

/// Years from `start` to `date`, as actual days / 365.
pub fn year_fraction(start: NaiveDate, date: NaiveDate) -> f64 {
    let days = (date - start).num_days();
    #[allow(clippy::cast_precision_loss)] // a day count is far below 2^52
    let days = days as f64;
    days / DAYS_PER_YEAR
}

/// The net present value of dated `flows` at the yearly `rate`, as of the earliest date.
///
/// `XNPV = Σ a_i / (1 + r)^((d_i − d_0) / 365)` with `d_0` the earliest date: flows may come
/// in any order, and several may share a date.
///
/// # Errors
///
/// `invalid_input` when `flows` is empty, an amount is not finite, or `rate` is not above −1.
pub fn xnpv(rate: f64, flows: &[Flow]) -> Result<f64> {
    check_rate("rate", rate)?;
    check_flows(flows)?;
    let start = flows.iter().map(|f| f.date).min().unwrap_or_default();
    let ln_growth = rate.ln_1p();
    Ok(flows.iter().map(|f| f.amount * (-ln_growth * year_fraction(start, f.date)).exp()).sum())
}

/// Checks that a dated series is not empty and that its amounts are finite.
pub(crate) fn check_flows(flows: &[Flow]) -> Result<()> {
    if flows.is_empty() {
        return Err(FinanceError::InvalidInput("flows is empty: give at least one flow".into()));
    }
    match flows.iter().position(|f| !f.amount.is_finite()) {
        None => Ok(()),
        Some(i) => Err(FinanceError::InvalidInput(format!(
            "flows[{i}].amount must be a finite number, got {}",
            flows[i].amount
        ))),
    }
}
