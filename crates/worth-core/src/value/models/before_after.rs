//! Before/after metric: `(measured − baseline) × value_per_unit`, or `(baseline − measured)`
//! when lower is better.
//!
//! For a business metric the solution moves (days to close a month, days sales outstanding,
//! complaints a month), with an agreed value of one unit of change. An estimate uses the metric
//! expected after go-live; realized value uses the metric measured that month.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, VariantNames};

use super::{Basis, Figure, Inputs, ModelError, measured, money, param};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::Estimate;

/// The formula, as documents show it.
pub const FORMULA: &str = "(measured − baseline) × value_per_unit, or (baseline − measured) × value_per_unit when \
     lower is better";

/// Which way the metric should move.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display, EnumString, VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Direction {
    /// Higher is better.
    Increase,
    /// Lower is better.
    Decrease,
}

/// Parameters of a before/after line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The metric's name.
    pub metric: String,
    /// Its value before the solution.
    pub baseline: Estimate,
    /// What one unit of improvement is worth, per month, in the line's currency.
    pub value_per_unit: Estimate,
    /// Which way is better.
    pub direction: Direction,
    /// The value expected after go-live, for the estimate.
    #[serde(default)]
    pub estimated_metric: Option<Estimate>,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        if self.metric.trim().is_empty() {
            return Err(ValidationError::new("metric", "must name the metric"));
        }
        self.baseline.check("baseline", false)?;
        self.value_per_unit.check("value_per_unit", true)
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (now, now_e): (Decimal, Explain) = match inputs.basis {
            Basis::Estimated => {
                let e = self.estimated_metric.as_ref().ok_or_else(|| {
                    ModelError::Missing("an estimate needs estimated_metric".into())
                })?;
                param(&format!("{} expected", self.metric), e)
            }
            Basis::Realized => {
                let m = measured(inputs)?;
                let v = m.metrics.get(self.metric.trim()).copied().ok_or_else(|| {
                    ModelError::Missing(format!(
                        "no measurement of {} for {}",
                        self.metric, inputs.month
                    ))
                })?;
                (v, Explain::input(format!("{} measured", self.metric), v, m.source.clone()))
            }
        };
        let (baseline, baseline_e) = param(&format!("{} baseline", self.metric), &self.baseline);
        let (per_unit, per_unit_e) = param("value per unit", &self.value_per_unit);
        let change = match self.direction {
            Direction::Increase => now - baseline,
            Direction::Decrease => baseline - now,
        };
        let amount = change * per_unit;
        Ok(Figure {
            amount,
            hours: None,
            explain: Explain::computed(
                format!("{} improvement", self.metric),
                money(amount, inputs),
                FORMULA,
                vec![now_e, baseline_e, per_unit_e],
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::value::models::test_support::*;

    fn params() -> Params {
        Params {
            metric: "days to close".into(),
            baseline: Estimate::exact(dec!(12)),
            value_per_unit: Estimate::exact(dec!(1000)),
            direction: Direction::Decrease,
            estimated_metric: Some(Estimate::exact(dec!(7))),
        }
    }

    #[test]
    fn estimate_by_hand() {
        // (12 − 7) days × 1,000 USD = 5,000 USD.
        let g = guideline();
        let f = params().evaluate(&inputs(Basis::Estimated, &g, None, None)).unwrap();
        assert_eq!(f.amount, dec!(5000));
    }

    #[test]
    fn realized_by_hand_including_a_change_for_the_worse() {
        let g = guideline();
        let mut m = sample_measured(0, 0);
        m.metrics.insert("days to close".into(), dec!(9));
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap();
        assert_eq!(f.amount, dec!(3000)); // (12 − 9) × 1,000
        m.metrics.insert("days to close".into(), dec!(13));
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap();
        assert_eq!(f.amount, dec!(-1000));
        let up = Params { direction: Direction::Increase, ..params() };
        assert_eq!(
            up.evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap().amount,
            dec!(1000)
        );
    }

    #[test]
    fn a_month_without_its_metric_is_missing_not_zero() {
        let g = guideline();
        let m = sample_measured(0, 0);
        let err = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap_err();
        assert!(err.to_string().contains("no measurement of days to close"));
    }
}
