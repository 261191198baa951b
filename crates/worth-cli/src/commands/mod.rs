//! One module per top-level command.

pub(crate) mod analysis;
pub(crate) mod audit;
pub(crate) mod bu;
pub(crate) mod calc;
pub(crate) mod cost;
pub(crate) mod fx;
pub(crate) mod guideline;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod rate;
pub(crate) mod report;
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

/// Parses a `YYYY-MM-DD` date, for clap.
pub(crate) fn date(text: &str) -> Result<NaiveDate, String> {
    text.trim()
        .parse::<NaiveDate>()
        .map_err(|_| format!("'{text}' is not a date of the form YYYY-MM-DD"))
}
