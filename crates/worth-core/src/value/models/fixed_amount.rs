//! Cost reduction and cost avoidance: a fixed `amount_per_month`.
//!
//! For retired licenses or systems, or a contract not renewed. Cashable amounts leave the
//! budget (cost reduction); others are spend that would have happened and does not (cost
//! avoidance). Realized value is the same amount for each month the solution is live.

use serde::{Deserialize, Serialize};

use super::{Figure, Inputs, ModelError, money, param};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::Estimate;

/// The formula, as documents show it.
pub const FORMULA: &str = "amount_per_month (cashable: cost reduction; otherwise cost avoidance)";

/// Parameters of a fixed-amount line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The amount saved each month, in the line's currency.
    pub amount_per_month: Estimate,
    /// Whether the saving leaves the budget.
    #[serde(default)]
    pub cashable: bool,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        self.amount_per_month.check("amount_per_month", true)
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (amount, amount_e) = param("amount per month", &self.amount_per_month);
        let label = if self.cashable { "cost reduction" } else { "cost avoidance" };
        Ok(Figure {
            amount,
            hours: None,
            explain: Explain::computed(label, money(amount, inputs), FORMULA, vec![amount_e]),
        })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::value::models::Basis;
    use crate::value::models::test_support::*;

    #[test]
    fn the_amount_is_the_same_estimated_and_realized() {
        let g = guideline();
        let p = Params { amount_per_month: Estimate::exact(dec!(1500)), cashable: true };
        let m = sample_measured(0, 0);
        for basis in [Basis::Estimated, Basis::Realized] {
            let f = p.evaluate(&inputs(basis, &g, Some(&m), None)).unwrap();
            assert_eq!(f.amount, dec!(1500));
            assert_eq!(f.explain.label, "cost reduction");
        }
    }
}
