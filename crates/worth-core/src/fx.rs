//! Conversion between currencies with dated rates: the only way two currencies meet.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::Currency;
use crate::rates::FxRate;

/// A workspace's exchange rates, searchable by pair and date.
#[derive(Debug, Clone, Default)]
pub struct FxTable {
    rates: Vec<FxRate>,
}

/// No rate was recorded for a pair on or before a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no exchange rate from {from} to {to} on or before {on}: add one with `worth fx add {from} \
     {to} RATE --on {on}`"
)]
pub struct MissingRate {
    /// The currency converted from.
    pub from: Currency,
    /// The currency converted to.
    pub to: Currency,
    /// The day of the conversion.
    pub on: NaiveDate,
}

impl FxTable {
    /// A table of these rates.
    pub fn new(mut rates: Vec<FxRate>) -> Self {
        rates.sort_by_key(|r| r.on);
        Self { rates }
    }

    /// The rate that converts `from` into `to` on `on`: the latest recorded on or before that
    /// day, directly or as the inverse of the opposite pair. Rates after the day are never used.
    pub fn rate(
        &self,
        from: Currency,
        to: Currency,
        on: NaiveDate,
    ) -> Result<Decimal, MissingRate> {
        if from == to {
            return Ok(Decimal::ONE);
        }
        self.rates
            .iter()
            .rev()
            .filter(|r| r.on <= on)
            .find_map(|r| {
                if r.base == from && r.quote == to {
                    Some(r.rate)
                } else if r.base == to && r.quote == from && !r.rate.is_zero() {
                    Some(Decimal::ONE / r.rate)
                } else {
                    None
                }
            })
            .ok_or(MissingRate { from, to, on })
    }

    /// `amount` of `from` in `to` on `on`.
    pub fn convert(
        &self,
        amount: Decimal,
        from: Currency,
        to: Currency,
        on: NaiveDate,
    ) -> Result<Decimal, MissingRate> {
        Ok(amount * self.rate(from, to, on)?)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_latest_earlier_rate_is_used_directly_or_inverted_never_a_later_one() {
        let t = FxTable::new(vec![
            FxRate { base: c("EUR"), quote: c("USD"), rate: dec!(1.10), on: d("2025-01-31") },
            FxRate { base: c("EUR"), quote: c("USD"), rate: dec!(1.08), on: d("2025-02-28") },
        ]);
        assert_eq!(t.rate(c("EUR"), c("USD"), d("2025-02-15")).unwrap(), dec!(1.10));
        assert_eq!(t.rate(c("EUR"), c("USD"), d("2025-03-01")).unwrap(), dec!(1.08));
        assert_eq!(t.convert(dec!(108), c("USD"), c("EUR"), d("2025-03-01")).unwrap(), dec!(100));
        let err = t.rate(c("EUR"), c("USD"), d("2025-01-01")).unwrap_err();
        assert!(err.to_string().contains("worth fx add EUR USD RATE --on 2025-01-01"));
        assert!(t.rate(c("GBP"), c("USD"), d("2025-03-01")).is_err());
    }
}
