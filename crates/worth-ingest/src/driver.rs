//! The loop every CSV importer shares: read the header, match it to the format's fields, then
//! hand each row to the importer and route what it refuses to the rejects file.
//!
//! An importer only says what a row means ([`RowImporter::row`]); reading, line numbers,
//! encodings, ragged rows and counting are done here once.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use csv::ByteRecord;
use rust_decimal::Decimal;

use crate::cell;
use crate::error::{IngestError, Result};
use crate::header::{self, ColumnMapping, Columns, Field};
use crate::rejects::{Rejection, RejectsFile};
use crate::source::Source;

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It contributed to what is stored.
    Imported,
    /// It repeated an earlier row and was not counted again.
    Duplicate,
}

/// An importer of one CSV format.
pub(crate) trait RowImporter {
    /// The fields it reads, in the order of [`Columns::index`].
    fn fields(&self) -> &[Field];
    /// Columns the format documents but the importer does not read.
    fn known(&self) -> &[&str] {
        &[]
    }
    /// Reads one row.
    fn row(&mut self, cells: &Cells<'_>) -> Result<Outcome, Rejection>;
}

/// The counts of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) read: u64,
    pub(crate) imported: u64,
    pub(crate) rejected: u64,
    pub(crate) duplicate: u64,
}

/// What reading one file gave, besides what the importer kept.
#[derive(Debug, Clone)]
pub(crate) struct FileRead {
    pub(crate) counts: Counts,
    pub(crate) unknown_columns: Vec<String>,
    pub(crate) content_hash: String,
}

/// Where the header comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Header<'a> {
    /// The first row of the file.
    FirstRow,
    /// Given elsewhere (a CDM model.json); every row is data.
    Given(&'a [String]),
}

/// Reads `source` (the file at `path`) with `importer`.
pub(crate) fn read_csv<I: RowImporter>(
    path: &Path,
    mut source: Source,
    header: Header<'_>,
    mapping: Option<&ColumnMapping>,
    importer: &mut I,
    rejects: &mut RejectsFile,
) -> Result<FileRead> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // Records end at `\n` only, so that line numbers count CRLF lines exactly; the `\r`
        // left at the end of the last cell is trimmed like any surrounding space.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_reader(&mut source);
    let mut record = ByteRecord::new();
    let csv_error = |e: csv::Error| IngestError::Csv {
        path: path.to_owned(),
        line: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    };

    let names: Vec<String> = match header {
        Header::Given(names) => names.to_vec(),
        Header::FirstRow => {
            if !reader.read_byte_record(&mut record).map_err(csv_error)? {
                return Err(IngestError::NoHeader { path: path.to_owned() });
            }
            if record.as_slice().starts_with(&[0xff, 0xfe])
                || record.as_slice().starts_with(&[0xfe, 0xff])
            {
                return Err(IngestError::Unsupported {
                    path: path.to_owned(),
                    message: "the file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel)".into(),
                });
            }
            record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect()
        }
    };
    let columns = header::resolve(path, &names, importer.fields(), importer.known(), mapping)?;

    let mut counts = Counts::default();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() == 1 && record.get(0).is_some_and(|c| c.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        counts.read += 1;
        let outcome = if record.len() > names.len() {
            Err(Rejection::new(
                "",
                format!(
                    "the row has {} cells but the header has {} columns; is a comma missing its \
                     quotes?",
                    record.len(),
                    names.len()
                ),
            ))
        } else {
            importer.row(&Cells { record: &record, columns: &columns, line })
        };
        match outcome {
            Ok(Outcome::Imported) => counts.imported += 1,
            Ok(Outcome::Duplicate) => counts.duplicate += 1,
            Err(rejection) => {
                counts.rejected += 1;
                rejects.add(path, line, rejection)?;
            }
        }
    }
    drop(reader);
    let content_hash = source.finish()?;
    Ok(FileRead { counts, unknown_columns: columns.unknown, content_hash })
}

/// The cells of one row, read by field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cells<'a> {
    record: &'a ByteRecord,
    columns: &'a Columns,
    line: u64,
}

impl<'a> Cells<'a> {
    /// The cells of `record`, placed by `columns`.
    pub(crate) fn new(record: &'a ByteRecord, columns: &'a Columns, line: u64) -> Self {
        Self { record, columns, line }
    }

    /// The line the row starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The bytes of field `f`, empty when the column is absent or the row is short.
    pub(crate) fn raw(&self, f: usize) -> &'a [u8] {
        self.columns.get(f).and_then(|i| self.record.get(i)).unwrap_or(b"")
    }

    /// The name of field `f`'s column, as the file writes it.
    pub(crate) fn column(&self, f: usize) -> String {
        match self.columns.get(f) {
            Some(i) => self.columns.header.get(i).cloned().unwrap_or_default(),
            None => self.columns.fields.get(f).cloned().unwrap_or_default(),
        }
    }

    /// The cleaned text of field `f`, or `None` when it is empty or `NULL`.
    pub(crate) fn text(&self, f: usize) -> Result<Option<&'a str>, Rejection> {
        let raw = self.raw(f);
        let text = std::str::from_utf8(raw).map_err(|_| {
            Rejection::new(self.column(f), "the cell is not UTF-8 text; save the file as UTF-8")
        })?;
        Ok(cell::clean(text))
    }

    /// The text of a field that must have a value.
    pub(crate) fn required(&self, f: usize) -> Result<&'a str, Rejection> {
        self.text(f)?.ok_or_else(|| Rejection::new(self.column(f), "a value is required here"))
    }

    /// A decimal, or `None` when the cell is empty.
    pub(crate) fn decimal(&self, f: usize) -> Result<Option<Decimal>, Rejection> {
        self.text(f)?
            .map(|t| cell::parse_decimal(t).map_err(|e| Rejection::new(self.column(f), e)))
            .transpose()
    }

    /// An instant in UTC, or `None` when the cell is empty.
    pub(crate) fn instant(&self, f: usize) -> Result<Option<DateTime<Utc>>, Rejection> {
        self.text(f)?
            .map(|t| cell::parse_instant(t).map_err(|e| Rejection::new(self.column(f), e)))
            .transpose()
    }

    /// A day, or `None` when the cell is empty.
    pub(crate) fn day(&self, f: usize) -> Result<Option<NaiveDate>, Rejection> {
        Ok(self.instant(f)?.map(|t| t.date_naive()))
    }

    /// Rejects the row for field `f` with `reason`.
    pub(crate) fn reject(&self, f: usize, reason: impl Into<String>) -> Rejection {
        Rejection::new(self.column(f), reason)
    }
}
