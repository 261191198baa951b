//! Amounts and percentages written for a locale: the digit grouping and decimal mark of the
//! workspace's language, with the currency code after the amount.
//!
//! Written by hand: three separator styles cover the locales Worth is used in, and the
//! locale crates that know every CLDR rule bring in far more than this needs. A locale this
//! does not know is written the `en` way.

use rust_decimal::Decimal;

/// The grouping separator and decimal mark of a locale such as `en-US`, `de-DE` or `fr-FR`.
pub fn separators(locale: &str) -> (&'static str, &'static str) {
    let lang = locale.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match (lang.as_str(), locale) {
        (_, "de-CH") => ("\u{2019}", "."),
        ("de" | "es" | "it" | "nl" | "pt" | "da" | "id" | "tr" | "el", _) => (".", ","),
        ("fr" | "nb" | "no" | "sv" | "fi" | "pl" | "cs" | "sk" | "ru" | "uk" | "hu", _) => {
            ("\u{202f}", ",")
        }
        _ => (",", "."),
    }
}

/// A decimal written with the locale's separators, keeping the digits it has
/// (`1234.50` in `de-DE` is `1.234,50`).
pub fn number(value: Decimal, locale: &str) -> String {
    let (group, mark) = separators(locale);
    let text = value.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(text.len() + whole.len() / 3 * group.len());
    out.push_str(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push_str(group);
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push_str(mark);
        out.push_str(f);
    }
    out
}

/// An amount with its currency code: `1,234.56 USD`.
pub fn money(value: Decimal, currency: &str, locale: &str) -> String {
    format!("{} {currency}", number(value, locale))
}

/// A percentage: `12.5%` in English, `12,5 %` where the language puts a space before it.
pub fn percent(value: Decimal, locale: &str) -> String {
    let lang = locale.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    let space = if matches!(lang.as_str(), "de" | "fr" | "sv" | "fi" | "nb" | "cs" | "sk") {
        "\u{a0}"
    } else {
        ""
    };
    format!("{}{space}%", number(value, locale))
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    #[test]
    fn amounts_in_three_locales() {
        for (locale, value, expected) in [
            ("en-US", dec!(1234.56), "1,234.56"),
            ("de-DE", dec!(1234.56), "1.234,56"),
            ("fr-FR", dec!(1234.56), "1\u{202f}234,56"),
            ("en-US", dec!(-1234567.5), "-1,234,567.5"),
            ("en-US", dec!(999.00), "999.00"),
            ("en-GB", dec!(100000), "100,000"),
            ("xx", dec!(0.25), "0.25"),
        ] {
            assert_eq!(number(value, locale), expected, "{locale} {value}");
        }
        assert_eq!(money(dec!(1234.5), "EUR", "de-DE"), "1.234,5 EUR");
        assert_eq!(percent(dec!(12.5), "fr-FR"), "12,5\u{a0}%");
        assert_eq!(percent(dec!(12.5), "en-US"), "12.5%");
    }
}
