//! Validation errors and problems: how the core says that an input is not acceptable.

use std::fmt;

/// A rejected input: which field, what was wrong with it, and what to do instead.
///
/// Messages are lowercase sentences without a full stop, so that callers can prefix them with
/// where the input came from (a file and line, a CLI flag, a form field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The name of the field or argument, as the user knows it.
    pub field: String,
    /// What is wrong and, where possible, what would be accepted.
    pub message: String,
}

impl ValidationError {
    /// Builds an error for `field` with a message saying what is wrong.
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self { field: field.into(), message: message.to_string() }
    }
}

/// Something found in the data that a user should look at; not a failure.
///
/// Engines return problems beside their results instead of failing, so that one bad record
/// never hides the rest of a computation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// A stable, machine-readable kind, such as `over_attribution`.
    pub kind: String,
    /// The record or records concerned, by their keys.
    pub subject: String,
    /// A sentence for a person.
    pub message: String,
}
