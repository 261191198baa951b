//! The organisation: business units (a hierarchy) and the people who own solutions.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A business unit. Units form a tree through `parent`; names are unique in a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessUnit {
    /// The store's identifier.
    pub id: i64,
    /// The unit's name, unique in the workspace.
    pub name: String,
    /// The name of the parent unit, if any.
    pub parent: Option<String>,
}

/// A person known to the register: a solution owner, later a user of the web app.
///
/// These are business contacts entered by hand. Identifiers that come from telemetry are
/// never stored as people: they are pseudonymized at ingest (see [`crate::pseudonym`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The store's identifier.
    pub id: i64,
    /// The name by which the register refers to the person.
    pub name: String,
}

/// Checks a name typed for a register record: not blank, no control characters, not too long.
pub fn validate_name(field: &str, name: &str) -> Result<String, ValidationError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(field, "must not contain control characters"));
    }
    if trimmed.chars().any(is_bidi_control) {
        return Err(ValidationError::new(field, BIDI));
    }
    if trimmed.chars().any(is_invisible) {
        return Err(ValidationError::new(
            field,
            "must not contain invisible characters (zero-width spaces and joiners, soft \
             hyphens, byte-order marks): two names that look the same must be the same name",
        ));
    }
    if trimmed.chars().count() > 200 {
        return Err(ValidationError::new(field, "must be at most 200 characters"));
    }
    Ok(trimmed.to_owned())
}

const BIDI: &str = "must not contain bidirectional embedding, override or isolate \
     characters (U+202A to U+202E, U+2066 to U+2069): they make text show in another order than \
     it is read";

/// The characters that reorder how text is shown (the "Trojan Source" characters), which
/// could make a name or a note read differently on screen than it is stored.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show as nothing: a name holding one looks like another name.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Whether a text says something: at least one letter or digit, so that a blank made of
/// invisible characters (a zero-width space, a soft hyphen) is not taken for one.
pub fn says_something(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Whether two names are the same name: equal once trimmed and lowercased, in every script,
/// as the store matches them ("Zoë" is "ZOË").
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    // The engine looks names up often, and most are ASCII: compared with no string made.
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    // `str::to_lowercase`, as the store's keys, with its final sigma ("ΟΔΟΣ" is "οδος").
    a.to_lowercase() == b.to_lowercase()
}

/// Checks a free text such as a note or a part of a story: no control characters but line
/// breaks and tabs, at most 2,000 characters. Returns it trimmed, its line breaks as `\n`
/// (a browser sends a textarea's as `\r\n`).
pub fn validate_text(field: &str, text: &str) -> Result<String, ValidationError> {
    let text = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ValidationError::new(field, "must not contain control characters"));
    }
    if text.chars().any(is_bidi_control) {
        return Err(ValidationError::new(field, BIDI));
    }
    if text.chars().count() > 2000 {
        return Err(ValidationError::new(field, "must be at most 2,000 characters"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("  Finance ", Ok("Finance"))]
    #[case("   ", Err("must not be empty"))]
    #[case("a\tb", Err("must not contain control characters"))]
    fn names_are_trimmed_and_checked(#[case] input: &str, #[case] expected: Result<&str, &str>) {
        let got = validate_name("name", input);
        match expected {
            Ok(name) => assert_eq!(got.unwrap(), name),
            Err(message) => assert_eq!(got.unwrap_err().message, message),
        }
    }

    #[rstest]
    #[case("  two\r\nlines\r\n", Ok("two\nlines"))]
    #[case("old\rmac", Ok("old\nmac"))]
    #[case("    code\n\tindented", Ok("code\n\tindented"))]
    #[case("bell\u{7}", Err("must not contain control characters"))]
    fn texts_keep_their_lines_and_tabs(#[case] input: &str, #[case] expected: Result<&str, &str>) {
        let got = validate_text("note", input);
        match expected {
            Ok(text) => assert_eq!(got.unwrap(), text),
            Err(message) => assert_eq!(got.unwrap_err().message, message),
        }
    }

    #[test]
    fn text_that_reorders_itself_on_screen_is_refused() {
        for text in ["admin\u{202E}nimda", "a\u{2066}b"] {
            assert!(validate_name("name", text).is_err(), "{text:?}");
            assert!(validate_text("note", text).is_err(), "{text:?}");
        }
        // Right-to-left text itself is fine.
        assert!(validate_name("name", "\u{5E9}\u{5DC}\u{5D5}\u{5DD}").is_ok());
    }

    #[test]
    fn a_name_with_invisible_characters_is_refused() {
        for name in ["ro\u{200B}ot", "\u{200B}", "ad\u{AD}min", "\u{FEFF}Finance"] {
            let e = validate_name("name", name).unwrap_err();
            assert!(e.message.contains("invisible"), "{name:?}: {e}");
        }
    }

    #[test]
    fn invisible_text_says_nothing() {
        assert!(!says_something("\u{200B}\u{AD} "));
        assert!(says_something("\u{200B}x"));
        assert!(says_something("42"));
    }

    #[test]
    fn names_match_in_every_script() {
        assert!(same_name(" Zoë", "ZOË "));
        assert!(same_name("élodie", "Élodie"));
        assert!(!same_name("Zoe", "Zoë"));
        assert!(same_name("ΟΔΟΣ", "οδος"));
        assert!(same_name(" Invoice ", "INVOICE"));
    }

    #[test]
    fn a_text_is_at_most_two_thousand_characters() {
        assert!(validate_text("note", &"é".repeat(2000)).is_ok());
        assert!(validate_text("note", &"é".repeat(2001)).is_err());
    }
}
