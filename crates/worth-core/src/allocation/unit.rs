//! Unit economics: what a target's allocated cost comes to per active user, per solution, per
//! successful run and per hour saved, and its value-to-cost ratio.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::Money;

/// What is known of one target in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInputs {
    /// The business unit.
    pub target: String,
    /// Its allocated cost.
    pub cost: Money,
    /// Distinct active users.
    pub active_users: u64,
    /// Solutions it owns.
    pub solutions: u64,
    /// Successful flow runs.
    pub successful_runs: u64,
    /// Hours saved, from the value engine.
    pub hours_saved: Decimal,
    /// Value realized in the period, from the value engine, when in the cost's currency.
    pub value: Option<Money>,
}

/// The unit costs of one target; a ratio over zero is absent, not infinite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEconomics {
    /// The business unit.
    pub target: String,
    /// Its allocated cost.
    pub cost: Money,
    /// Cost ÷ active users.
    pub per_active_user: Option<Money>,
    /// Cost ÷ solutions.
    pub per_solution: Option<Money>,
    /// Cost ÷ successful runs.
    pub per_successful_run: Option<Money>,
    /// The hours saved behind the time-savings lines' realized value, from the value engine.
    pub hours_saved: Decimal,
    /// Cost ÷ hours saved.
    pub per_hour_saved: Option<Money>,
    /// Value ÷ cost, to two decimals.
    pub value_to_cost: Option<Decimal>,
}

/// Divides a cost by each quantity; amounts rounded half away from zero to the minor unit.
pub fn unit_economics(u: &UnitInputs) -> UnitEconomics {
    let per = |q: Decimal| {
        (!q.is_zero()).then(|| {
            let minor = u.cost.currency.minor_units();
            let mut a = (u.cost.amount / q)
                .round_dp_with_strategy(minor, RoundingStrategy::MidpointAwayFromZero);
            // Shown to the minor unit (20.00, not 20), as every amount of a statement.
            a.rescale(minor);
            Money::new(a, u.cost.currency)
        })
    };
    let value_to_cost = u
        .value
        .filter(|v| v.currency == u.cost.currency && u.cost.amount > Decimal::ZERO)
        .map(|v| {
            (v.amount / u.cost.amount)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        });
    UnitEconomics {
        target: u.target.clone(),
        cost: u.cost,
        per_active_user: per(Decimal::from(u.active_users)),
        per_solution: per(Decimal::from(u.solutions)),
        per_successful_run: per(Decimal::from(u.successful_runs)),
        hours_saved: u.hours_saved.normalize(),
        per_hour_saved: per(u.hours_saved),
        value_to_cost,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::Currency;

    #[test]
    fn unit_costs_divide_the_allocated_cost() {
        let eur = Currency::parse("EUR").unwrap();
        let got = unit_economics(&UnitInputs {
            target: "Finance".into(),
            cost: Money::new(dec!(1000.00), eur),
            active_users: 3,
            solutions: 4,
            successful_runs: 0,
            hours_saved: dec!(80),
            value: Some(Money::new(dec!(2500), eur)),
        });
        // 1000 ÷ 3 = 333.333… → 333.33; 1000 ÷ 4 = 250; no runs; 1000 ÷ 80 = 12.50;
        // 2500 ÷ 1000 = 2.5.
        assert_eq!(got.per_active_user, Some(Money::new(dec!(333.33), eur)));
        assert_eq!(got.per_solution, Some(Money::new(dec!(250), eur)));
        assert_eq!(got.per_successful_run, None);
        assert_eq!(got.per_hour_saved, Some(Money::new(dec!(12.50), eur)));
        assert_eq!(got.value_to_cost, Some(dec!(2.50)));
    }
}
