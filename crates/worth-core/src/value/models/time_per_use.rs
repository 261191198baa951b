//! Time saved per use: `uses × minutes_per_use ÷ 60 × hourly cost`.
//!
//! Uses are successful runs (flows, agents) or sessions (apps) in counted environments; for an
//! estimate, a count per period converted to a month by the guideline's working calendar.

use serde::{Deserialize, Serialize};

use super::{Figure, Inputs, MINUTES_PER_HOUR, ModelError, hourly, money, param, uses};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::{Estimate, Rate};

/// The formula, as documents show it.
pub const FORMULA: &str = "uses × minutes_per_use ÷ 60 × hourly cost of the role";

/// Parameters of a time-saved-per-use line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Minutes a person saves each time.
    pub minutes_per_use: Estimate,
    /// The role whose time is saved (its rate card gives the hourly cost).
    pub role: String,
    /// How often it is used, for the estimate.
    #[serde(default)]
    pub estimated_uses: Option<Rate>,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        self.minutes_per_use.check("minutes_per_use", true)?;
        if let Some(r) = &self.estimated_uses {
            r.count.check("estimated_uses", true)?;
        }
        Ok(())
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (n, uses_e) = uses(inputs, self.estimated_uses.as_ref(), "uses")?;
        let (minutes, minutes_e) = param("minutes per use", &self.minutes_per_use);
        let (rate, rate_e) = hourly(inputs, &self.role)?;
        let hours = n * minutes / MINUTES_PER_HOUR;
        let amount = hours * rate.amount;
        Ok(Figure {
            amount,
            hours: Some(hours),
            explain: Explain::computed(
                "time saved per use",
                money(amount, inputs),
                FORMULA,
                vec![uses_e, minutes_e, rate_e],
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
            minutes_per_use: Estimate::exact(dec!(6)),
            role: "analyst".into(),
            estimated_uses: Some("100/week".parse().unwrap()),
        }
    }

    #[test]
    fn estimate_by_hand() {
        // 100 a week × 44 working weeks a year ÷ 12 = 366.67 uses a month; × 6 min = 36.67 h;
        // × 60 USD = 2,200.00 USD.
        let g = guideline();
        let h = sample_hourly();
        let f = params().evaluate(&inputs(Basis::Estimated, &g, None, Some(&h))).unwrap();
        assert_eq!(f.amount.round_dp(2), dec!(2200.00));
    }

    #[test]
    fn realized_by_hand() {
        // 412 successful runs × 6 min ÷ 60 × 60 USD = 2,472 USD.
        let g = guideline();
        let h = sample_hourly();
        let m = sample_measured(412, 30);
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), Some(&h))).unwrap();
        assert_eq!(f.amount, dec!(2472));
        // 412 × 6 ÷ 60 = 41.2 hours behind that amount.
        assert_eq!(f.hours, Some(dec!(41.2)));
        assert!(f.explain.to_text().contains("uses counted: 412  [test rollups]"));
    }

    #[test]
    fn without_a_rate_card_it_says_which_role_is_missing() {
        let g = guideline();
        let m = sample_measured(1, 1);
        let err = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), None)).unwrap_err();
        assert_eq!(err.to_string(), "no rate card for role 'analyst' on 2025-03-01");
    }
}
