//! Time saved per user: `active users × minutes_per_week × weeks per month ÷ 60 × hourly cost`.
//!
//! For personal productivity tools, where the saving is per person rather than per use.
//! Weeks per month follow the guideline's calendar (working days a year ÷ 5 ÷ 12).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Basis, Figure, Inputs, MINUTES_PER_HOUR, ModelError, hourly, measured, money, param};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::{Estimate, Frequency};

/// The formula, as documents show it.
pub const FORMULA: &str =
    "active users × minutes_per_week × working weeks per month ÷ 60 × hourly cost of the role";

/// Parameters of a time-saved-per-user line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Minutes each active user saves in a week.
    pub minutes_per_week: Estimate,
    /// The users' role.
    pub role: String,
    /// How many people will use it, for the estimate.
    #[serde(default)]
    pub estimated_users: Option<Estimate>,
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        self.minutes_per_week.check("minutes_per_week", true)?;
        if let Some(u) = &self.estimated_users {
            u.check("estimated_users", true)?;
        }
        Ok(())
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let (users, users_e): (Decimal, Explain) = match inputs.basis {
            Basis::Estimated => {
                let e = self.estimated_users.as_ref().ok_or_else(|| {
                    ModelError::Missing("an estimate needs estimated_users".into())
                })?;
                param("active users", e)
            }
            Basis::Realized => {
                let m = measured(inputs)?;
                (m.active_users, Explain::input("active users", m.active_users, m.source.clone()))
            }
        };
        let (minutes, minutes_e) = param("minutes per week", &self.minutes_per_week);
        let weeks = Frequency::Week.per_month(inputs.guideline);
        let weeks_e = Explain::input(
            "working weeks per month",
            weeks.round_dp(4),
            format!("guideline: {} working days a year", inputs.guideline.working_days_per_year),
        );
        let (rate, rate_e) = hourly(inputs, &self.role)?;
        let hours = users * minutes * weeks / MINUTES_PER_HOUR;
        let amount = hours * rate.amount;
        Ok(Figure {
            amount,
            hours: Some(hours),
            explain: Explain::computed(
                "time saved per user",
                money(amount, inputs),
                FORMULA,
                vec![users_e, minutes_e, weeks_e, rate_e],
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
            minutes_per_week: Estimate::exact(dec!(20)),
            role: "analyst".into(),
            estimated_users: Some(Estimate::exact(dec!(30))),
        }
    }

    #[test]
    fn estimate_by_hand() {
        // 30 users × 20 min × 3.6667 weeks ÷ 60 × 60 USD = 2,200.00 USD.
        let (g, h) = (guideline(), sample_hourly());
        let f = params().evaluate(&inputs(Basis::Estimated, &g, None, Some(&h))).unwrap();
        assert_eq!(f.amount.round_dp(2), dec!(2200.00));
    }

    #[test]
    fn realized_by_hand() {
        // 25 active users × 20 × 3.6667 ÷ 60 × 60 = 1,833.33 USD.
        let (g, h) = (guideline(), sample_hourly());
        let m = sample_measured(999, 25);
        let f = params().evaluate(&inputs(Basis::Realized, &g, Some(&m), Some(&h))).unwrap();
        assert_eq!(f.amount.round_dp(2), dec!(1833.33));
        // 25 × 20 min × 44 weeks ÷ 12 months ÷ 60 = 22,000 ÷ 720 = 30.5556 hours.
        assert_eq!(f.hours.map(|h| h.round_dp(4)), Some(dec!(30.5556)));
    }
}
