//! Rate cards (the loaded hourly cost of a role) and dated exchange rates.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Currency, Money, ValidationError};

/// The loaded hourly cost of a role, optionally for one business unit, valid over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCard {
    /// The store's identifier.
    pub id: i64,
    /// The role, such as `analyst` or `field engineer`.
    pub role: String,
    /// The business unit the rate applies to; `None` for every unit without its own rate.
    pub business_unit: Option<String>,
    /// Cost of one hour, loaded with overheads.
    pub hourly: Money,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// First day it no longer applies (half-open), or `None` while it is current.
    pub valid_to: Option<NaiveDate>,
}

/// Prices `hours` of `role`'s work on day `on` for a solution of `business_unit`: the rate
/// card of that unit when there is one in force, else the one for every unit. Returns the
/// amount and the basis a person reads (`80 h × 55.00 EUR (analyst rate card #3)`).
pub fn price_hours(
    cards: &[RateCard],
    role: &str,
    business_unit: &str,
    on: NaiveDate,
    hours: Decimal,
) -> Result<(Money, String), ValidationError> {
    let valid = |r: &&RateCard| {
        crate::org::same_name(&r.role, role)
            && r.valid_from <= on
            && r.valid_to.is_none_or(|t| on < t)
    };
    let card = cards
        .iter()
        .filter(valid)
        .find(|r| r.business_unit.as_deref() == Some(business_unit))
        .or_else(|| cards.iter().filter(valid).find(|r| r.business_unit.is_none()))
        .ok_or_else(|| {
            ValidationError::new(
                "role",
                format!(
                    "no rate card for role '{}' on {on}: add one with `worth rate add --role \
                     {} ...`, or give an amount",
                    role.trim(),
                    role.trim()
                ),
            )
        })?;
    let basis = format!(
        "{hours} h × {} {} ({} rate card #{})",
        card.hourly.amount, card.hourly.currency, card.role, card.id
    );
    Ok((Money::new(hours * card.hourly.amount, card.hourly.currency), basis))
}

/// Checks the figures of a rate card before it is stored.
pub fn check_rate(
    hourly: Decimal,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
) -> Result<(), ValidationError> {
    if hourly.is_sign_negative() || hourly.is_zero() {
        return Err(ValidationError::new(
            "hourly",
            format!("{hourly} must be a positive amount per hour"),
        ));
    }
    if let Some(to) = valid_to
        && to <= valid_from
    {
        return Err(ValidationError::new(
            "to",
            format!("{to} must be after the start of validity {valid_from}"),
        ));
    }
    Ok(())
}

/// One unit of `base` is worth `rate` units of `quote` on the day `on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxRate {
    /// The currency converted from.
    pub base: Currency,
    /// The currency converted to.
    pub quote: Currency,
    /// Units of `quote` per unit of `base`.
    pub rate: Decimal,
    /// The day of the rate.
    pub on: NaiveDate,
}

impl FxRate {
    /// Checks a rate before it is stored: two different currencies and a positive rate.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.base == self.quote {
            return Err(ValidationError::new("quote", "must differ from the base currency"));
        }
        if self.rate <= Decimal::ZERO {
            return Err(ValidationError::new("rate", format!("{} must be positive", self.rate)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use rust_decimal::dec;

    #[test]
    fn hours_are_priced_with_the_units_own_card_in_force_else_the_general_one() {
        let eur = Currency::parse("EUR").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let card = |id, bu: Option<&str>, hourly: i64, from: &str, to: Option<&str>| RateCard {
            id,
            role: "analyst".into(),
            business_unit: bu.map(str::to_owned),
            hourly: Money::new(Decimal::from(hourly), eur),
            valid_from: d(from),
            valid_to: to.map(d),
        };
        let cards = [
            card(1, None, 50, "2025-01-01", None),
            card(2, Some("Finance"), 60, "2025-01-01", Some("2025-07-01")),
        ];
        let h = Decimal::from(10);
        let (m, basis) = price_hours(&cards, "Analyst", "Finance", d("2025-03-01"), h).unwrap();
        assert_eq!(m.amount, Decimal::from(600));
        assert!(basis.contains("rate card #2"), "{basis}");
        // Finance's card has ended: the general one prices the work.
        let (m, _) = price_hours(&cards, "analyst", "Finance", d("2025-07-01"), h).unwrap();
        assert_eq!(m.amount, Decimal::from(500));
        let (m, _) = price_hours(&cards, "analyst", "Sales", d("2025-03-01"), h).unwrap();
        assert_eq!(m.amount, Decimal::from(500));
        assert!(price_hours(&cards, "analyst", "Sales", d("2024-12-31"), h).is_err());
        assert!(price_hours(&cards, "architect", "Sales", d("2025-03-01"), h).is_err());
        // A role is the same role in any case, in every script, as the store keeps it.
        let mut accented = card(3, None, 70, "2025-01-01", None);
        accented.role = "Ingénieure".into();
        let (m, _) = price_hours(&[accented], " INGÉNIEURE ", "Sales", d("2025-03-01"), h).unwrap();
        assert_eq!(m.amount, Decimal::from(700));
    }

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[rstest]
    #[case(dec!(55), None, None)]
    #[case(dec!(-5), None, Some("hourly"))]
    #[case(dec!(0), None, Some("hourly"))]
    #[case(dec!(55), Some("2026-01-01"), Some("to"))]
    #[case(dec!(55), Some("2026-02-01"), None)]
    fn rates_are_checked(
        #[case] hourly: Decimal,
        #[case] to: Option<&str>,
        #[case] failing_field: Option<&str>,
    ) {
        let got = check_rate(hourly, day("2026-01-01"), to.map(day));
        assert_eq!(got.err().map(|e| e.field), failing_field.map(str::to_owned));
    }

    #[test]
    fn an_exchange_rate_needs_two_currencies_and_a_positive_rate() {
        let usd = Currency::parse("USD").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        let good = FxRate { base: usd, quote: eur, rate: dec!(0.92), on: day("2026-01-01") };
        assert!(good.check().is_ok());
        assert!(FxRate { quote: usd, ..good.clone() }.check().is_err());
        assert!(FxRate { rate: dec!(0), ..good }.check().is_err());
    }
}
