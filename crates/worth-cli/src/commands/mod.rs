//! One module per top-level command.

pub(crate) mod analysis;
pub(crate) mod audit;
pub(crate) mod bu;
pub(crate) mod calc;
pub(crate) mod chargeback;
pub(crate) mod cost;
pub(crate) mod fx;
pub(crate) mod guideline;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod licenses;
pub(crate) mod program;
pub(crate) mod rate;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod simulate;
pub(crate) mod solution;
pub(crate) mod value;

use chrono::NaiveDate;
use worth_core::solution::parse_choice;

/// Parses a value of one of the register's closed sets, for clap.
pub(crate) fn choice<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr + strum::VariantNames,
{
    parse_choice::<T>("value", text).map_err(|e| e.message)
}

/// Parses a `YYYY-MM-DD` date, for clap: four digits of year from 1900, two of month and day.
pub(crate) fn date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let shaped = t.len() == 10
        && t.bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    match t.parse::<NaiveDate>() {
        Ok(d) if shaped && chrono::Datelike::year(&d) >= 1900 => Ok(d),
        _ => Err(format!("'{text}' is not a date of the form YYYY-MM-DD (from 1900 on)")),
    }
}

/// Parses a month `YYYY-MM` as its first day, or a `YYYY-MM-DD` date, for clap.
pub(crate) fn month_or_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.len() == 7 {
        return date(&format!("{t}-01")).map_err(|_| format!("'{text}' is not a month YYYY-MM"));
    }
    date(t)
}
