//! Errors and rework: `uses × (error_rate_before − error_rate_after) × rework_minutes ÷ 60 ×
//! hourly cost`.

use serde::{Deserialize, Serialize};

use super::{Figure, Inputs, MINUTES_PER_HOUR, ModelError, hourly, money, param, uses};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::{Estimate, Rate};

/// The formula, as documents show it.
pub const FORMULA: &str =
    "uses × (error_rate_before − error_rate_after) × rework_minutes ÷ 60 × hourly cost of the role";

/// Parameters of an errors-and-rework line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Share of cases with an error before the solution, as a fraction (`8%` or `0.08`).
    pub error_rate_before: Estimate,
    /// Share with the solution.
    pub error_rate_after: Estimate,
    /// Minutes of rework an error costs.
    pub rework_minutes: Estimate,
    /// Who does the rework.
    pub role: String,
    /// How often it is used, for the estimate.
    #[serde(default)]
    pub estimated_uses: Option<Rate>,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        for (field, e) in [
            ("error_rate_before", &self.error_rate_before),
            ("error_rate_after", &self.error_rate_after),
        ] {
            e.check(field, true)?;
            if e.high() > rust_decimal::Decimal::ONE {
                return Err(ValidationError::new(field, format!("{e} is a rate above 100%")));
            }
        }
        self.rework_minutes.check("rework_minutes", true)
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (n, uses_e) = uses(inputs, self.estimated_uses.as_ref(), "uses")?;
        let (before, before_e) = param("error rate before", &self.error_rate_before);
        let (after, after_e) = param("error rate after", &self.error_rate_after);
        let (minutes, minutes_e) = param("rework minutes per error", &self.rework_minutes);
        let (rate, rate_e) = hourly(inputs, &self.role)?;
        let amount = n * (before - after) * minutes / MINUTES_PER_HOUR * rate.amount;
        Ok(Figure {
            amount,
            hours: None,
            explain: Explain::computed(
                "rework avoided",
                money(amount, inputs),
                FORMULA,
                vec![uses_e, before_e, after_e, minutes_e, rate_e],
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
            error_rate_before: "8%".parse().unwrap(),
            error_rate_after: "2%".parse().unwrap(),
            rework_minutes: Estimate::exact(dec!(30)),
            role: "analyst".into(),
            estimated_uses: Some("1000/month".parse().unwrap()),
        }
    }

    #[test]
    fn estimate_by_hand() {
        // 1,000 × 6% × 30 min ÷ 60 × 60 USD = 1,800 USD.
        let (g, h) = (guideline(), sample_hourly());
        let f = params().evaluate(&inputs(Basis::Estimated, &g, None, Some(&h))).unwrap();
        assert_eq!(f.amount, dec!(1800));
    }

    #[test]
    fn realized_by_hand() {
        // 900 × 6% × 0.5 h × 60 USD = 1,620 USD.
        let (g, h) = (guideline(), sample_hourly());
        let m = sample_measured(900, 10);
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), Some(&h))).unwrap();
        assert_eq!(f.amount, dec!(1620));
    }

    #[test]
    fn a_rate_above_100_percent_is_refused() {
        let p = Params { error_rate_before: "120%".parse().unwrap(), ..params() };
        assert!(p.check().unwrap_err().message.contains("above 100%"));
    }
}
