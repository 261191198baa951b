//! Generic CSV and XLSX files read through a column mapping: value registers, survey answers,
//! check-ins, or anything a later importer builds on.
//!
//! The mapping file names the target (`"target": "survey"`) and, for each field, the column
//! that holds it, its type and whether it is required:
//!
//! ```json
//! { "target": "survey",
//!   "fields": [
//!     { "name": "solution", "column": "App", "required": true },
//!     { "name": "respondent", "column": "E-mail", "type": "user" },
//!     { "name": "hours_saved", "column": "Hours saved per week", "type": "decimal" },
//!     { "name": "answered_on", "column": "Date", "type": "date" } ] }
//! ```
//!
//! `"missing": ["-", "[not provided]"]` lists the cell texts that this file writes for "no
//! value"; they are read as missing, like an empty cell.
//!
//! Each row becomes one record: a JSON object of the mapped fields, decimals as exact strings,
//! dates as `YYYY-MM-DD`, user fields pseudonymized. In XLSX files, dates are Excel serial
//! numbers; a date cell, or a number in a date field, is read as one (1900 date system).

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use csv::ByteRecord;
use serde_json::{Map, Value};
use worth_store::MappedRecord;

use crate::driver::{self, Cells, Counts, FileRead, Header, Outcome, RowImporter};
use crate::error::{IngestError, Result};
use crate::header::{self, ColumnMapping, Field, MappedField, MappedType};
use crate::pseudonyms::Pseudonyms;
use crate::rejects::{Rejection, RejectsFile};
use crate::{ParseContext, Parsed, cell, source};

/// Reads rows into records as a mapping says.
#[derive(Debug)]
pub(crate) struct MappedImporter {
    target: String,
    mapped: Vec<MappedField>,
    fields: Vec<Field>,
    users: Pseudonyms,
    xlsx: bool,
    missing: Vec<String>,
    records: Vec<MappedRecord>,
}

impl MappedImporter {
    fn new(path: &Path, mapping: &ColumnMapping, users: Pseudonyms, xlsx: bool) -> Result<Self> {
        let bad = |message: &str| IngestError::Mapping {
            path: path.to_owned(),
            message: message.to_owned(),
        };
        let target = mapping
            .target
            .clone()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| bad("a mapped import needs a mapping file with a \"target\""))?;
        if mapping.fields.is_empty() {
            return Err(bad("the mapping file lists no \"fields\" to read"));
        }
        let fields = mapping
            .fields
            .iter()
            .map(|f| Field { name: f.column.clone().into(), aliases: &[], required: f.required })
            .collect();
        Ok(Self {
            target,
            mapped: mapping.fields.clone(),
            fields,
            users,
            xlsx,
            missing: mapping.missing.iter().map(|m| m.trim().to_lowercase()).collect(),
            records: Vec::new(),
        })
    }

    fn value(&mut self, c: &Cells<'_>, i: usize) -> Result<Value, Rejection> {
        let (kind, required) = (self.mapped[i].kind, self.mapped[i].required);
        let text = c.text(i)?.filter(|t| !self.missing.contains(&t.to_lowercase()));
        let Some(text) = text else {
            if required {
                return Err(c.reject(i, "a value is required here"));
            }
            return Ok(Value::Null);
        };
        let reason = |e: String| c.reject(i, e);
        Ok(match kind {
            MappedType::Text => Value::from(text),
            MappedType::Decimal => {
                Value::from(cell::parse_decimal(text).map_err(reason)?.to_string())
            }
            MappedType::Integer => Value::from(cell::parse_integer(text).map_err(reason)?),
            MappedType::Date => {
                let day = match text.parse::<f64>() {
                    Ok(serial) if self.xlsx => {
                        cell::excel_serial(serial).map_err(reason)?.date_naive()
                    }
                    _ => cell::parse_day(text).map_err(reason)?,
                };
                Value::from(day.to_string())
            }
            MappedType::User => {
                let n = self.users.intern(text.as_bytes());
                Value::from(self.users.pseudonym(n))
            }
            MappedType::Boolean => match text.to_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => Value::Bool(true),
                "false" | "no" | "n" | "0" => Value::Bool(false),
                _ => {
                    return Err(c.reject(
                        i,
                        format!("'{text}' is not yes or no (true, false, yes, no, 1, 0)"),
                    ));
                }
            },
        })
    }
}

impl RowImporter for MappedImporter {
    fn fields(&self) -> &[Field] {
        &self.fields
    }

    fn row(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        let mut fields = Map::new();
        for i in 0..self.mapped.len() {
            let value = self.value(c, i)?;
            fields.insert(self.mapped[i].name.clone(), value);
        }
        self.records.push(MappedRecord {
            target: self.target.clone(),
            line: i64::try_from(c.line()).unwrap_or(i64::MAX),
            fields,
        });
        Ok(Outcome::Imported)
    }
}

fn is_xlsx(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(e.to_lowercase().as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
    })
}

/// The text of a spreadsheet cell, as the rules of `cell` read it.
fn sheet_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => match cell::excel_serial(d.as_f64()) {
            Ok(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            Err(_) => d.as_f64().to_string(),
        },
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => e.to_string(),
    }
}

fn parse_sheet(
    path: &Path,
    ctx: &ParseContext,
    mapping: &ColumnMapping,
    rejects: &mut RejectsFile,
) -> Result<Parsed> {
    let content_hash = source::hash_file(path)?;
    let unsupported = |message: String| IngestError::Unsupported { path: path.to_owned(), message };
    let mut workbook = open_workbook_auto(path)
        .map_err(|e| unsupported(format!("not a readable workbook ({e})")))?;
    let sheet = match &mapping.sheet {
        Some(name) => name.clone(),
        None => workbook
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| unsupported("the workbook has no sheet".into()))?,
    };
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| unsupported(format!("cannot read the sheet '{sheet}' ({e})")))?;
    // Rows are numbered as Excel shows them.
    let first_row = range.start().map_or(1, |(r, _)| u64::from(r) + 1);
    let mut rows = range.rows();
    let names: Vec<String> = rows
        .next()
        .ok_or_else(|| IngestError::NoHeader { path: path.to_owned() })?
        .iter()
        .map(sheet_text)
        .collect();
    let mut importer = MappedImporter::new(path, mapping, Pseudonyms::new(ctx.key.clone()), true)?;
    let columns = header::resolve(path, &names, importer.fields(), &[], None)?;
    let mut counts = Counts::default();
    for (n, row) in rows.enumerate() {
        let cells: Vec<String> = row.iter().map(sheet_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = first_row + 1 + n as u64;
        counts.read += 1;
        let record = ByteRecord::from(cells);
        match importer.row(&Cells::new(&record, &columns, line)) {
            Ok(_) => counts.imported += 1,
            Err(rejection) => {
                counts.rejected += 1;
                rejects.add(path, line, rejection)?;
            }
        }
    }
    let read = FileRead { counts, unknown_columns: columns.unknown, content_hash };
    Ok(finish(read, importer))
}

fn finish(read: FileRead, importer: MappedImporter) -> Parsed {
    let stored = vec![format!("{} {} records", importer.records.len(), importer.target)];
    Parsed { read, output: crate::Output::Mapped(importer.records), days: None, stored }
}

pub(crate) fn parse(path: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    let mapping = ctx.mapping.clone().ok_or_else(|| IngestError::Mapping {
        path: path.to_owned(),
        message: "a mapped import needs --mapping FILE naming the target and its fields".into(),
    })?;
    if is_xlsx(path) {
        return parse_sheet(path, ctx, &mapping, rejects);
    }
    let src = source::Source::open(path, source::progress_bar(path, ctx.progress))?;
    let mut importer =
        MappedImporter::new(path, &mapping, Pseudonyms::new(ctx.key.clone()), false)?;
    let read = driver::read_csv(path, src, Header::FirstRow, None, &mut importer, rejects)?;
    Ok(finish(read, importer))
}
