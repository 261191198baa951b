//! Conversions between the store's column representations and the domain's types.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::{Result, StoreError};

/// Parses a column value written by Worth; a failure means the store was changed by hand.
pub(crate) fn parse<T: FromStr>(column: &str, text: &str) -> Result<T> {
    text.parse::<T>().map_err(|_| StoreError::Corrupt(format!("{column} = '{text}'")))
}

/// Reads a date column (`YYYY-MM-DD`).
pub(crate) fn date(column: &str, text: &str) -> Result<NaiveDate> {
    parse::<NaiveDate>(column, text)
}

/// Reads an instant column (RFC 3339, UTC).
pub(crate) fn instant(column: &str, text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("{column} = '{text}'")))
}

/// Writes an instant with a fixed width, so that text order is time order.
pub(crate) fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a JSON column.
pub(crate) fn json(column: &str, text: Option<&str>) -> Result<serde_json::Value> {
    match text {
        None => Ok(serde_json::Value::Null),
        Some(t) => {
            serde_json::from_str(t).map_err(|_| StoreError::Corrupt(format!("{column} (json)")))
        }
    }
}

/// The case-insensitive key under which a name is unique.
pub(crate) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_sort_as_text_in_time_order() {
        let a = instant_text("2026-01-02T03:04:05Z".parse().unwrap());
        let b = instant_text("2026-01-02T03:04:05.5Z".parse().unwrap());
        assert!(a < b, "{a} {b}");
        assert_eq!(
            instant("at", &a).unwrap(),
            "2026-01-02T03:04:05Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
