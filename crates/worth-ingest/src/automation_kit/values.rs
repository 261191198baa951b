//! The value forms of a Dataverse Configuration Migration package, each read on purpose: every
//! value is an attribute string, and an absent `<field>` means null.
//!
//! - decimals and money carry 10 fractional digits (`5.0000000000`): read exactly, then
//!   normalized (`5`);
//! - option sets are integer codes (`333820002`), multi-selects a bracketed list in which `-1`
//!   marks an empty slot (`[-1,333820000,-1]`);
//! - timestamps have 7 fractional digits, most with `Z` and some without: a timestamp without
//!   a zone is UTC, as every other timestamp of the package is;
//! - free text was escaped twice by the exporter (`&amp;#39;` in the file, `&#39;` after XML
//!   unescaping): a second unescaping pass is made, and text that does not unescape (a bare
//!   `&`) is kept as it is;
//! - names may end with spaces (`Test Project `): they are trimmed.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::cell;

/// Reads a decimal or money value.
pub(crate) fn decimal(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    cell::parse_decimal(text)
        .map(|d| d.normalize())
        .map_err(|_| format!("'{text}' is not a decimal number such as 5.0000000000"))
}

/// Reads a percentage written as a number of percent (`15.0000000000` is 15%) as a fraction.
pub(crate) fn percent(text: &str) -> Result<Decimal, String> {
    let d = decimal(text)?;
    if d.is_sign_negative() || d > Decimal::ONE_HUNDRED {
        return Err(format!("'{}' is not a percentage from 0 to 100", text.trim()));
    }
    Ok(d / Decimal::ONE_HUNDRED)
}

/// Reads an option set value: an integer code.
pub(crate) fn option(text: &str) -> Result<i64, String> {
    let text = text.trim();
    text.parse::<i64>().map_err(|_| format!("'{text}' is not an option set code such as 333820000"))
}

/// Reads a multi-select option set: `[-1,333820000,-1]` gives `[333820000]`; `-1` marks an
/// empty slot.
pub(crate) fn multi_select(text: &str) -> Result<Vec<i64>, String> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| format!("'{trimmed}' is not a multi-select such as [-1,333820000,-1]"))?;
    let mut codes = Vec::new();
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let code = option(part)
            .map_err(|_| format!("'{trimmed}' is not a multi-select such as [-1,333820000,-1]"))?;
        if code != -1 {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// Reads a timestamp; one without a zone is UTC.
pub(crate) fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    cell::parse_instant(text)
        .map_err(|_| format!("'{text}' is not a timestamp such as 2022-08-07T06:57:43.0000000Z"))
}

/// Reads free text: trimmed, and unescaped a second time when the exporter escaped it twice.
pub(crate) fn text(raw: &str) -> String {
    let once: Cow<'_, str> = if raw.contains('&') {
        quick_xml::escape::unescape(raw).unwrap_or(Cow::Borrowed(raw))
    } else {
        Cow::Borrowed(raw)
    };
    once.trim().to_owned()
}

/// Reads a GUID as the package writes it, in lowercase so that links compare equal.
pub(crate) fn guid(text: &str) -> Result<String, String> {
    let t = text.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase();
    let groups: Vec<&str> = t.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    if ok { Ok(t) } else { Err(format!("'{}' is not a GUID", text.trim())) }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use rust_decimal::dec;

    use super::*;

    #[rstest]
    #[case("5.0000000000", Ok(dec!(5)))]
    #[case("21125.8400000000", Ok(dec!(21125.84)))]
    #[case("0.2500000000", Ok(dec!(0.25)))]
    #[case(" 12 ", Ok(dec!(12)))]
    #[case("5,0", Err("not a decimal"))]
    #[case("abc", Err("not a decimal"))]
    fn decimals_with_ten_fractional_digits(
        #[case] raw: &str,
        #[case] expected: Result<Decimal, &str>,
    ) {
        match (decimal(raw), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(got), Err(want)) => assert!(got.contains(want), "{got}"),
            (got, want) => panic!("{raw}: {got:?} {want:?}"),
        }
    }

    #[test]
    fn percentages_become_fractions() {
        assert_eq!(percent("15.0000000000").unwrap(), dec!(0.15));
        assert!(percent("120").unwrap_err().contains("0 to 100"));
        assert!(percent("-1").is_err());
    }

    #[rstest]
    #[case("333820002", Ok(333_820_002))]
    #[case("0", Ok(0))]
    #[case("Approved", Err(()))]
    #[case("3.5", Err(()))]
    fn option_sets_are_integer_codes(#[case] raw: &str, #[case] expected: Result<i64, ()>) {
        assert_eq!(option(raw).map_err(|_| ()), expected);
    }

    #[rstest]
    #[case("[-1,333820000,-1]", vec![333_820_000])]
    #[case("[333820000,333820001]", vec![333_820_000, 333_820_001])]
    #[case("[-1,-1]", vec![])]
    #[case("[]", vec![])]
    fn multi_selects_drop_empty_slots(#[case] raw: &str, #[case] expected: Vec<i64>) {
        assert_eq!(multi_select(raw).unwrap(), expected);
    }

    #[rstest]
    #[case("333820000")]
    #[case("[a,b]")]
    fn bad_multi_selects_are_explained(#[case] raw: &str) {
        assert!(multi_select(raw).unwrap_err().contains("not a multi-select"));
    }

    #[rstest]
    #[case("2022-08-07T06:57:43.0000000Z", "2022-08-07T06:57:43Z")]
    #[case("2022-04-15T07:47:13.0000000", "2022-04-15T07:47:13Z")]
    #[case("2022-10-13T22:57:17.9129018Z", "2022-10-13T22:57:17.912901800Z")]
    #[case("2022-10-13T22:57:17.9129018+02:00", "2022-10-13T20:57:17.912901800Z")]
    fn timestamps_with_seven_digits_and_without_a_zone_are_utc(
        #[case] raw: &str,
        #[case] expected: &str,
    ) {
        let got = instant(raw).unwrap();
        assert_eq!(got.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), expected);
    }

    #[test]
    fn a_bad_timestamp_is_explained() {
        assert!(instant("yesterday").unwrap_err().contains("'yesterday' is not a timestamp"));
    }

    #[rstest]
    // After XML unescaping, the exporter's second escape is still there.
    #[case("Problem with action &#39;Attach&#39;", "Problem with action 'Attach'")]
    #[case("R&amp;D", "R&D")]
    // A bare ampersand does not unescape: kept as written.
    #[case("R&D ", "R&D")]
    #[case("Test Project ", "Test Project")]
    #[case("SalesInovoices Process ", "SalesInovoices Process")]
    fn text_is_unescaped_twice_and_trimmed(#[case] raw: &str, #[case] expected: &str) {
        assert_eq!(text(raw), expected);
    }

    #[rstest]
    #[case("0D38FB6D-6D51-EC11-8C62-000D3A1F529F", Ok("0d38fb6d-6d51-ec11-8c62-000d3a1f529f"))]
    #[case("{0d38fb6d-6d51-ec11-8c62-000d3a1f529f}", Ok("0d38fb6d-6d51-ec11-8c62-000d3a1f529f"))]
    #[case("0d38fb6d", Err(()))]
    fn guids_are_lowercased(#[case] raw: &str, #[case] expected: Result<&str, ()>) {
        assert_eq!(guid(raw).map_err(|_| ()), expected.map(str::to_owned));
    }
}
