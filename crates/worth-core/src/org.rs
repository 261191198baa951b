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
    if trimmed.chars().count() > 200 {
        return Err(ValidationError::new(field, "must be at most 200 characters"));
    }
    Ok(trimmed.to_owned())
}

/// Checks a free text such as a note or a part of a story: no control characters but line
/// breaks and tabs, at most 2,000 characters. Returns it trimmed, its line breaks as `\n`
/// (a browser sends a textarea's as `\r\n`).
pub fn validate_text(field: &str, text: &str) -> Result<String, ValidationError> {
    let text = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ValidationError::new(field, "must not contain control characters"));
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
    fn a_text_is_at_most_two_thousand_characters() {
        assert!(validate_text("note", &"é".repeat(2000)).is_ok());
        assert!(validate_text("note", &"é".repeat(2001)).is_err());
    }
}
