//! Months: the period of every rollup and every computed figure.
//!
//! A month is represented by its first day. Periods are half-open: a month covers its first
//! day up to, not including, the first day of the next.

use chrono::{Datelike, Months, NaiveDate};

/// The first day of the month that contains `day`.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the month `n` months after `month`.
pub fn add_months(month: NaiveDate, n: u32) -> NaiveDate {
    month.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX)
}

/// Months from `from` (inclusive) to `to` (exclusive), both first days of a month.
pub fn months(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let mut next = month_of(from);
    std::iter::from_fn(move || {
        (next < to).then(|| {
            let this = next;
            next = add_months(next, 1);
            this
        })
    })
}

/// How many whole months lie between two first days of a month.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

/// A month as `YYYY-MM`.
pub fn label(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

/// Parses `YYYY-MM` into the month's first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_are_half_open_and_cross_years() {
        let all: Vec<String> = months(d("2024-11-15"), d("2025-02-01")).map(label).collect();
        assert_eq!(all, ["2024-11", "2024-12", "2025-01"]);
        assert_eq!(months_between(d("2024-11-01"), d("2025-02-01")), 3);
        assert_eq!(add_months(d("2025-01-01"), 12), d("2026-01-01"));
        assert_eq!(parse_month("2025-07"), Some(d("2025-07-01")));
        assert_eq!(parse_month("2025-13"), None);
    }
}
