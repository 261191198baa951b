//! Unit cost: `units × (cost_before − cost_after)`.
//!
//! For work that was paid per unit (an invoice keyed by a service provider, a form printed and
//! posted) and now costs less per unit. Units are measured units when the month has them, else
//! the uses that count.

use serde::{Deserialize, Serialize};

use super::{Figure, Inputs, ModelError, money, param, uses};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::{Estimate, Rate};

/// The formula, as documents show it.
pub const FORMULA: &str = "units × (cost_before − cost_after)";

/// Parameters of a unit-cost line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Cost of one unit before the solution, in the line's currency.
    pub cost_before: Estimate,
    /// Cost of one unit with the solution.
    pub cost_after: Estimate,
    /// Units expected, for the estimate.
    #[serde(default)]
    pub estimated_units: Option<Rate>,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        self.cost_before.check("cost_before", true)?;
        self.cost_after.check("cost_after", true)
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (n, units_e) = uses(inputs, self.estimated_units.as_ref(), "units")?;
        let (before, before_e) = param("cost per unit before", &self.cost_before);
        let (after, after_e) = param("cost per unit after", &self.cost_after);
        let amount = n * (before - after);
        Ok(Figure {
            amount,
            hours: None,
            explain: Explain::computed(
                "unit cost saved",
                money(amount, inputs),
                FORMULA,
                vec![units_e, before_e, after_e],
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::value::models::Basis;
    use crate::value::models::test_support::*;

    fn params() -> Params {
        Params {
            cost_before: Estimate::exact(dec!(12.50)),
            cost_after: Estimate::exact(dec!(4.00)),
            estimated_units: Some("500/month".parse().unwrap()),
        }
    }

    #[test]
    fn estimate_by_hand() {
        // 500 × (12.50 − 4.00) = 4,250 USD.
        let g = guideline();
        let f = params().evaluate(&inputs(Basis::Estimated, &g, None, None)).unwrap();
        assert_eq!(f.amount, dec!(4250.00));
    }

    #[test]
    fn realized_by_hand_from_measured_units_else_uses() {
        let g = guideline();
        let mut m = sample_measured(410, 3);
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap();
        assert_eq!(f.amount, dec!(3485.00)); // 410 × 8.50
        m.units = Some(dec!(430));
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap();
        assert_eq!(f.amount, dec!(3655.00)); // 430 × 8.50
    }
}
