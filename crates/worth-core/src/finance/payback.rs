//! Payback periods, plain and discounted, with linear interpolation inside a period.

use serde::{Deserialize, Serialize};

use super::error::{FinanceError, Result, check_finite, check_rate};

/// When the cumulative net flow of a series first climbs back to zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Payback {
    /// After this many periods (fractional), counted from time 0.
    After(f64),
    /// The cumulative net flow never climbs back to zero within the series.
    Never,
}

impl Payback {
    /// The periods, or `None` for [`Payback::Never`].
    pub fn periods(self) -> Option<f64> {
        match self {
            Payback::After(p) => Some(p),
            Payback::Never => None,
        }
    }
}

/// The payback period of `values`: `values[0]` at time 0, `values[i]` earned evenly over
/// period `i` (from time `i − 1` to `i`).
///
/// The cumulative sum `S_k = v_0 + … + v_k` is followed from its first negative value; the
/// payback is the first `k` with `S_k ≥ 0`, interpolated linearly inside period `k`:
/// `(k − 1) + (−S_(k−1)) / v_k`. A series that is never negative pays back at 0.
///
/// # Errors
///
/// `invalid_input` when `values` is empty or a value is not finite.
///
/// # Examples
///
/// ```
/// use worth_core::finance::{payback, Payback};
/// assert_eq!(payback(&[-1_000.0, 400.0, 400.0, 400.0]).unwrap(), Payback::After(2.5));
/// ```
pub fn payback(values: &[f64]) -> Result<Payback> {
    check_finite("values", values)?;
    if values.is_empty() {
        return Err(FinanceError::InvalidInput("values is empty: give at least one value".into()));
    }
    Ok(first_recovery(values))
}

/// The discounted payback of `values` at `rate` per period: the payback of
/// `v_i / (1 + r)^i`, interpolated linearly inside a period as for [`payback`].
///
/// # Errors
///
/// `invalid_input` when `values` is empty, a value is not finite or `rate` is not above −1.
pub fn discounted_payback(rate: f64, values: &[f64]) -> Result<Payback> {
    check_rate("rate", rate)?;
    let discounted: Vec<f64> = {
        let factor = 1.0 / (1.0 + rate);
        let mut weight = 1.0;
        values
            .iter()
            .map(|v| {
                let d = v * weight;
                weight *= factor;
                d
            })
            .collect()
    };
    payback(&discounted)
}

/// The first recovery of the cumulative sum, from its first negative value on.
fn first_recovery(values: &[f64]) -> Payback {
    let mut cumulative = 0.0;
    let mut behind = false;
    for (k, v) in values.iter().enumerate() {
        let before = cumulative;
        cumulative += v;
        if cumulative < 0.0 {
            behind = true;
        } else if behind {
            #[allow(clippy::cast_precision_loss)] // a period index is far below 2^52
            let start = (k - 1) as f64;
            return Payback::After(start + (-before) / v);
        }
    }
    if behind { Payback::Never } else { Payback::After(0.0) }
}
