//! Matching a file's header to the fields a format reads: names compared case-insensitively
//! with surrounding spaces and a byte-order mark trimmed, documented aliases, and a column
//! mapping file for files whose columns are named otherwise.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{IngestError, Result};

/// A field a format reads, with the column names it is known by.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The documented column name, used in messages.
    pub(crate) name: Cow<'static, str>,
    /// Other names the same column has in other exports.
    pub(crate) aliases: &'static [&'static str],
    /// Whether a file without it is refused.
    pub(crate) required: bool,
}

impl Field {
    /// A required field.
    pub(crate) const fn required(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Self { name: Cow::Borrowed(name), aliases, required: true }
    }

    /// An optional field.
    pub(crate) const fn optional(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Self { name: Cow::Borrowed(name), aliases, required: false }
    }
}

/// A column mapping file (JSON): which column of the file holds each field, and for the
/// `mapped` kind the target and the typed fields.
///
/// ```json
/// { "columns": { "AppId": "Application", "timeaccessed": "When" } }
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// Field name (as the format documents it) → column name in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// For `mapped`: what the rows are (`value-register`, `survey`, `check-in`, …).
    #[serde(default)]
    pub target: Option<String>,
    /// For `mapped`: the fields to read, in order.
    #[serde(default)]
    pub fields: Vec<MappedField>,
    /// For `mapped` XLSX files: the sheet to read (the first one by default).
    #[serde(default)]
    pub sheet: Option<String>,
    /// For `mapped`: cell texts that mean "no value" in this file (`-`, `[not provided]`,
    /// `#REF!`), read as missing like an empty cell, in any case.
    #[serde(default)]
    pub missing: Vec<String>,
}

/// A field of a `mapped` import.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedField {
    /// The field's name in the stored record.
    pub name: String,
    /// The file's column that holds it.
    pub column: String,
    /// How it is read.
    #[serde(rename = "type", default)]
    pub kind: MappedType,
    /// Whether a row without it is rejected.
    #[serde(default)]
    pub required: bool,
}

/// How a mapped field is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MappedType {
    /// Text, as it is.
    #[default]
    Text,
    /// A decimal number, kept exactly (as a string in the record).
    Decimal,
    /// A whole number.
    Integer,
    /// A day (`YYYY-MM-DD`; an Excel serial in XLSX).
    Date,
    /// A personal identifier (e-mail, UPN, object id): pseudonymized.
    User,
    /// Yes/no: true, false, yes, no, 1, 0.
    Boolean,
}

impl ColumnMapping {
    /// Reads a mapping file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            IngestError::Mapping {
                path: path.to_owned(),
                message: format!(
                    "not a column mapping ({e}); expected JSON such as \
                     {{\"columns\": {{\"AppId\": \"Application\"}}}}"
                ),
            }
        })
    }
}

/// The normalized form of a column name: trimmed, without a BOM, lowercase.
pub(crate) fn normalize(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_lowercase()
}

/// Where each field is in a file, and the file's columns that no field reads.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// For each field, in the order given, the index of its column.
    pub(crate) index: Vec<Option<usize>>,
    /// The header as read (trimmed), for naming columns in rejects.
    pub(crate) header: Vec<String>,
    /// Columns neither read nor known to the format, to report once.
    pub(crate) unknown: Vec<String>,
    /// The fields' documented names, for naming an absent column.
    pub(crate) fields: Vec<String>,
}

impl Columns {
    /// The index of field `i`'s column.
    pub(crate) fn get(&self, i: usize) -> Option<usize> {
        self.index.get(i).copied().flatten()
    }
}

/// Finds each field's column in `header`. A missing required field refuses the file, naming it.
///
/// `known` lists columns the format documents but Worth does not read: they are not reported as
/// unknown.
pub(crate) fn resolve(
    path: &Path,
    header: &[String],
    fields: &[Field],
    known: &[&str],
    mapping: Option<&ColumnMapping>,
) -> Result<Columns> {
    let normalized: Vec<String> = header.iter().map(|h| normalize(h)).collect();
    let mut used = vec![false; header.len()];
    let mut index = Vec::with_capacity(fields.len());
    for field in fields {
        let mapped = mapping.and_then(|m| {
            m.columns.iter().find(|(k, _)| normalize(k) == normalize(&field.name)).map(|(_, v)| v)
        });
        let wanted: Vec<String> = match mapped {
            Some(column) => vec![normalize(column)],
            None => std::iter::once(field.name.as_ref())
                .chain(field.aliases.iter().copied())
                .map(normalize)
                .collect(),
        };
        let found = wanted.iter().find_map(|w| {
            normalized.iter().enumerate().find(|(i, h)| *h == w && !used[*i]).map(|(i, _)| i)
        });
        if let Some(i) = found {
            used[i] = true;
        } else if field.required {
            return Err(IngestError::MissingColumn {
                path: path.to_owned(),
                column: match mapped {
                    Some(column) => format!("{column}' (mapped to '{}", field.name),
                    None => field.name.to_string(),
                },
                found: header.join(", "),
            });
        }
        index.push(found);
    }
    let known: Vec<String> = known.iter().map(|k| normalize(k)).collect();
    let unknown = header
        .iter()
        .zip(&normalized)
        .zip(&used)
        .filter(|((_, n), used)| !**used && !n.is_empty() && !known.contains(n))
        .map(|((h, _), _)| h.trim().to_owned())
        .collect();
    Ok(Columns {
        index,
        header: header.iter().map(|h| normalize_display(h)).collect(),
        unknown,
        fields: fields.iter().map(|f| f.name.to_string()).collect(),
    })
}

fn normalize_display(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [Field; 3] = [
        Field::required("AppId", &["App Id"]),
        Field::required("timeaccessed", &[]),
        Field::optional("Country", &[]),
    ];

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn names_match_whatever_their_case_spaces_and_bom() {
        let h = header(&["\u{feff} TIMEACCESSED ", "app id", "Extra"]);
        let cols = resolve(Path::new("u.csv"), &h, &FIELDS, &[], None).unwrap();
        assert_eq!(cols.index, [Some(1), Some(0), None]);
        assert_eq!(cols.unknown, ["Extra"]);
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let h = header(&["AppId", "Country"]);
        let err = resolve(Path::new("u.csv"), &h, &FIELDS, &[], None).unwrap_err().to_string();
        assert!(err.contains("u.csv") && err.contains("'timeaccessed' is missing"), "{err}");
    }

    #[test]
    fn a_mapping_names_the_column_of_a_field() {
        let mapping = ColumnMapping {
            columns: [("timeaccessed".to_owned(), "When".to_owned())].into(),
            ..ColumnMapping::default()
        };
        let h = header(&["AppId", "when"]);
        let cols = resolve(Path::new("u.csv"), &h, &FIELDS, &[], Some(&mapping)).unwrap();
        assert_eq!(cols.index, [Some(0), Some(1), None]);
    }

    #[test]
    fn documented_columns_that_are_not_read_are_not_unknown() {
        let h = header(&["AppId", "timeaccessed", "tenantid"]);
        let cols = resolve(Path::new("u.csv"), &h, &FIELDS, &["TenantId"], None).unwrap();
        assert!(cols.unknown.is_empty());
    }
}
