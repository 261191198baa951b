//! Revenue: `incremental units × margin_per_unit`.
//!
//! For a solution that lets the business sell more (quotes sent faster, leads followed up).
//! Realized units must be measured (`worth value measure SOLUTION units MONTH N`): uses of the
//! solution are not sales, so a month without a measurement realizes nothing and says so.

use serde::{Deserialize, Serialize};

use super::{Basis, Figure, Inputs, ModelError, measured, money, param, uses};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::{Estimate, Rate};

/// The formula, as documents show it.
pub const FORMULA: &str = "incremental units × margin_per_unit";

/// Parameters of a revenue line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The margin one more unit brings, in the line's currency.
    pub margin_per_unit: Estimate,
    /// Incremental units expected, for the estimate.
    #[serde(default)]
    pub estimated_units: Option<Rate>,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        self.margin_per_unit.check("margin_per_unit", false)
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (n, units_e) = match inputs.basis {
            Basis::Estimated => uses(inputs, self.estimated_units.as_ref(), "units")?,
            Basis::Realized => {
                let m = measured(inputs)?;
                let n = m.units.ok_or_else(|| {
                    ModelError::Missing(format!(
                        "no units measured for {}: revenue needs the incremental units sold",
                        inputs.month
                    ))
                })?;
                (n, Explain::input("units measured", n, m.source.clone()))
            }
        };
        let (margin, margin_e) = param("margin per unit", &self.margin_per_unit);
        let amount = n * margin;
        Ok(Figure {
            amount,
            hours: None,
            explain: Explain::computed(
                "incremental margin",
                money(amount, inputs),
                FORMULA,
                vec![units_e, margin_e],
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
            margin_per_unit: Estimate::exact(dec!(250)),
            estimated_units: Some("40/month".parse().unwrap()),
        }
    }

    #[test]
    fn estimate_and_realized_by_hand() {
        let g = guideline();
        let f = params().evaluate(&inputs(Basis::Estimated, &g, None, None)).unwrap();
        assert_eq!(f.amount, dec!(10000)); // 40 × 250
        let mut m = sample_measured(99, 1);
        let err = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap_err();
        assert!(err.to_string().contains("no units measured"), "uses are not sales: {err}");
        m.units = Some(dec!(35));
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap();
        assert_eq!(f.amount, dec!(8750)); // 35 × 250
    }
}
