//! Money: a decimal amount with an ISO 4217 currency. Never a binary float.
//!
//! Amounts of different currencies are never added here: [`Money::checked_add`] refuses, and
//! conversion needs a dated rate (see [`crate::rates::FxRate`]).

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// An ISO 4217 currency, such as `USD` or `JPY`, with its number of minor units.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Parses an ISO 4217 alphabetic code; case and surrounding spaces are ignored.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let code = code.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&code).map(Currency).ok_or_else(|| {
            ValidationError::new(
                "currency",
                format!(
                    "'{code}' is not an ISO 4217 currency code (use a code such as USD or EUR)"
                ),
            )
        })
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point of the minor unit: 2 for USD, 0 for JPY, 3 for BHD.
    ///
    /// Currencies without a minor unit in ISO 4217 (such as XAU) count as 0.
    pub fn minor_units(self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of one currency. In JSON the amount is a decimal string, never a float.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Money {
    /// The exact decimal amount.
    pub amount: Decimal,
    /// The currency of the amount.
    pub currency: Currency,
}

/// Two amounts of different currencies met where one currency was needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {left} and {right} without an exchange rate")]
pub struct CurrencyMismatch {
    /// The currency of the left-hand amount.
    pub left: Currency,
    /// The currency of the right-hand amount.
    pub right: Currency,
}

impl Money {
    /// An amount in a currency.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// The sum of two amounts of the same currency; a mismatch is an error, never a conversion.
    pub fn checked_add(self, other: Money) -> Result<Money, CurrencyMismatch> {
        if self.currency != other.currency {
            return Err(CurrencyMismatch { left: self.currency, right: other.currency });
        }
        Ok(Money::new(self.amount + other.amount, self.currency))
    }

    /// The amount rounded to the currency's minor unit, half away from zero (commercial
    /// rounding). Splits do not use this: they use the largest-remainder method so that the
    /// parts sum to the whole.
    pub fn round_to_minor(self) -> Money {
        let dp = self.currency.minor_units();
        Money::new(
            self.amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero),
            self.currency,
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Parses a non-negative decimal amount typed by a person, such as `55`, `55.50` or `1,234.50`.
///
/// Thousands separators are accepted only as commas between groups of three digits.
pub fn parse_amount(field: &str, text: &str) -> Result<Decimal, ValidationError> {
    let trimmed = text.trim();
    let plain: String = trimmed.chars().filter(|c| *c != ',').collect();
    let grouped_ok = !trimmed.contains(',') || {
        let int_part = trimmed.split('.').next().unwrap_or("");
        let int_part = int_part.strip_prefix('-').unwrap_or(int_part);
        let mut groups = int_part.split(',');
        let first = groups.next().unwrap_or("");
        (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
    };
    match Decimal::from_str(&plain) {
        Ok(value) if grouped_ok => Ok(value),
        _ => Err(ValidationError::new(field, format!("'{trimmed}' is not a decimal amount"))),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use rust_decimal::dec;

    use super::*;

    #[rstest]
    #[case("usd", "USD", 2)]
    #[case(" JPY ", "JPY", 0)]
    #[case("BHD", "BHD", 3)]
    fn currencies_parse_with_their_minor_units(
        #[case] input: &str,
        #[case] code: &str,
        #[case] minor: u32,
    ) {
        let c = Currency::parse(input).unwrap();
        assert_eq!((c.code(), c.minor_units()), (code, minor));
    }

    #[rstest]
    #[case("US")]
    #[case("XYZ")]
    #[case("")]
    fn unknown_currencies_are_refused(#[case] input: &str) {
        let err = Currency::parse(input).unwrap_err();
        assert!(err.message.contains("ISO 4217"), "{err}");
    }

    #[test]
    fn adding_two_currencies_is_refused() {
        let usd = Money::new(dec!(1), Currency::parse("USD").unwrap());
        let eur = Money::new(dec!(1), Currency::parse("EUR").unwrap());
        assert!(usd.checked_add(eur).is_err());
        assert_eq!(usd.checked_add(usd).unwrap().amount, dec!(2));
    }

    #[rstest]
    #[case("USD", dec!(2.345), dec!(2.35))]
    #[case("USD", dec!(-2.345), dec!(-2.35))]
    #[case("JPY", dec!(2.5), dec!(3))]
    #[case("BHD", dec!(1.0005), dec!(1.001))]
    fn rounding_to_the_minor_unit_is_half_away_from_zero(
        #[case] code: &str,
        #[case] amount: Decimal,
        #[case] expected: Decimal,
    ) {
        let m = Money::new(amount, Currency::parse(code).unwrap());
        assert_eq!(m.round_to_minor().amount, expected);
    }

    #[rstest]
    #[case("55", Some(dec!(55)))]
    #[case("1,234.50", Some(dec!(1234.50)))]
    #[case("12,34.5", None)]
    #[case("abc", None)]
    fn amounts_parse_with_thousands_separators(
        #[case] text: &str,
        #[case] expected: Option<Decimal>,
    ) {
        assert_eq!(parse_amount("amount", text).ok(), expected);
    }

    #[test]
    fn money_serializes_its_amount_as_a_string() {
        let m = Money::new(dec!(10.10), Currency::parse("EUR").unwrap());
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"10.10","currency":"EUR"}"#);
    }
}
