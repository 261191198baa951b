//! Reading dirty cells: the rules every importer shares for empty and `NULL` markers, amounts
//! with thousands separators or accounting parentheses, and timestamps with or without `T`,
//! fractional seconds and a zone.
//!
//! Each function returns the value or a reason, written to be read in a rejects file after the
//! file, line and column: lowercase, saying what was found and what is accepted.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;

/// The cell without surrounding spaces (a BOM and non-breaking spaces count as spaces), or
/// `None` when it holds nothing: empty, or a `NULL` marker in any case.
pub fn clean(raw: &str) -> Option<&str> {
    let text = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{a0}');
    if text.is_empty() || text.eq_ignore_ascii_case("null") { None } else { Some(text) }
}

/// Parses an amount: `1234.5`, `-3`, `1,234.50` (thousands separators in groups of three),
/// `(12.00)` (accounting negative), `1.5E-7`.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let bad = || format!("'{text}' is not a number (write it as 1234.50 or -12.00)");
    let (negative, body) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, text),
    };
    if body.starts_with('(') || body.ends_with(')') {
        return Err(bad());
    }
    let plain: std::borrow::Cow<'_, str> = if body.contains(',') {
        if !thousands_grouped(body) {
            return Err(format!(
                "'{text}' has a comma that is not a thousands separator (use a point for \
                 decimals: 1234.50)"
            ));
        }
        body.replace(',', "").into()
    } else {
        body.into()
    };
    let value = if plain.contains(['e', 'E']) {
        Decimal::from_scientific(&plain).map_err(|_| bad())?
    } else {
        plain.parse::<Decimal>().map_err(|_| bad())?
    };
    if negative {
        if value.is_sign_negative() {
            return Err(bad());
        }
        Ok(-value)
    } else {
        Ok(value)
    }
}

/// Whether the integer part of `body` is grouped by commas in threes (`1,234,567.8`).
fn thousands_grouped(body: &str) -> bool {
    let unsigned = body.strip_prefix(['-', '+']).unwrap_or(body);
    let int_part = unsigned.split('.').next().unwrap_or("");
    if unsigned[int_part.len()..].contains(',') {
        return false;
    }
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses a whole number, with the same separators as [`parse_decimal`].
pub fn parse_integer(text: &str) -> Result<i64, String> {
    let value = parse_decimal(text)?;
    if !value.fract().is_zero() {
        return Err(format!("'{text}' is not a whole number"));
    }
    i64::try_from(value).map_err(|_| format!("'{text}' is too large"))
}

/// Parses an instant and brings it to UTC: `2024-09-01`, `2024-09-01 00:00:00`,
/// `2024-09-01T00:00:00`, with optional fractional seconds, and a zone (`Z`, `+02:00`, `+0200`)
/// or none (taken as UTC, as the platforms' exports are).
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let normalized = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalized) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(&normalized, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    let naive = normalized.strip_suffix('Z').unwrap_or(&normalized);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_time(NaiveTime::MIN).and_utc());
    }
    Err(format!(
        "'{text}' is not a date or time (write it as 2024-09-01, 2024-09-01 13:45:00 or \
         2024-09-01T13:45:00Z)"
    ))
}

/// Parses a day: a date, or an instant whose UTC day is taken.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    parse_instant(text).map(|t| t.date_naive())
}

/// The instant of an Excel serial date (days since 1899-12-30, the fraction being the time of
/// day), as XLSX stores dates. Serials before 1900-03-01 are refused: Excel counts a
/// 29 February 1900 that did not exist, so they are ambiguous.
pub fn excel_serial(serial: f64) -> Result<DateTime<Utc>, String> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return Err(format!("{serial} is not an Excel date serial after 1900-03-01"));
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).map(|d| d.and_time(NaiveTime::MIN));
    let millis = (serial * 86_400_000.0).round();
    // The range check above bounds the value far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let delta = TimeDelta::milliseconds(millis as i64);
    base.and_then(|b| b.checked_add_signed(delta))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{serial} is not an Excel date serial"))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use rust_decimal::dec;

    use super::*;

    #[rstest]
    #[case("  12.5 ", Some("12.5"))]
    #[case("\u{feff}AppId", Some("AppId"))]
    #[case("NULL", None)]
    #[case("null", None)]
    #[case("", None)]
    #[case("   ", None)]
    #[case("\u{a0}x\u{a0}", Some("x"))]
    fn cells_are_cleaned(#[case] raw: &str, #[case] expected: Option<&str>) {
        assert_eq!(clean(raw), expected);
    }

    #[rstest]
    #[case("1234.50", Ok(dec!(1234.50)))]
    #[case("1,234.50", Ok(dec!(1234.50)))]
    #[case("1,234,567", Ok(dec!(1234567)))]
    #[case("(12.00)", Ok(dec!(-12.00)))]
    #[case("-0.00000080000", Ok(dec!(-0.00000080000)))]
    #[case("1.5E-7", Ok(dec!(0.00000015)))]
    #[case("12,34", Err("comma"))]
    #[case("1,23.4", Err("comma"))]
    #[case("12.3,4", Err("comma"))]
    #[case("(-5)", Err("not a number"))]
    #[case("abc", Err("not a number"))]
    #[case("$5", Err("not a number"))]
    fn amounts_parse(#[case] text: &str, #[case] expected: Result<Decimal, &str>) {
        match (parse_decimal(text), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(got), Err(want)) => assert!(got.contains(want), "{got}"),
            (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
        }
    }

    #[rstest]
    #[case("2024-09-01 00:00:00", "2024-09-01T00:00:00Z")]
    #[case("2024-09-01T00:00:00Z", "2024-09-01T00:00:00Z")]
    #[case("2024-09-01T00:00:00+02:00", "2024-08-31T22:00:00Z")]
    #[case("2024-09-01T00:00:00+0200", "2024-08-31T22:00:00Z")]
    #[case("2024-09-01T10:11:12.1234567Z", "2024-09-01T10:11:12.123456700Z")]
    #[case("2024-09-01 10:11", "2024-09-01T10:11:00Z")]
    #[case("2024-09-01", "2024-09-01T00:00:00Z")]
    fn instants_parse_to_utc(#[case] text: &str, #[case] expected: &str) {
        let want: DateTime<Utc> = expected.parse().unwrap();
        assert_eq!(parse_instant(text).unwrap(), want);
    }

    #[rstest]
    #[case("09/01/2024")]
    #[case("2024-13-01")]
    #[case("yesterday")]
    fn bad_instants_are_explained(#[case] text: &str) {
        let err = parse_instant(text).unwrap_err();
        assert!(err.contains(text) && err.contains("2024-09-01"), "{err}");
    }

    #[rstest]
    #[case(45536.0, "2024-09-01T00:00:00Z")]
    #[case(45536.5, "2024-09-01T12:00:00Z")]
    #[case(61.0, "1900-03-01T00:00:00Z")]
    fn excel_serials_are_days_since_1899_12_30(#[case] serial: f64, #[case] expected: &str) {
        assert_eq!(excel_serial(serial).unwrap(), expected.parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn ambiguous_excel_serials_are_refused() {
        assert!(excel_serial(59.0).is_err());
        assert!(excel_serial(-1.0).is_err());
    }
}
