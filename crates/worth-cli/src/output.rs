//! How results reach stdout: a table for people, JSON or CSV for machines.
//!
//! Commands build their data once; a [`Table`] is the human and CSV view of it, and the same
//! data serializes to JSON. Messages never go through here: they go to stderr.

use std::io::{self, Write};

use anyhow::Result;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table as Grid};
use serde::Serialize;

/// The output format of data, chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A table for a terminal.
    Table,
    /// JSON, one document.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Rows and columns of text: the human and CSV view of a command's data.
#[derive(Debug, Default)]
pub(crate) struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub(crate) fn new(headers: &[&'static str]) -> Self {
        Self { headers: headers.to_vec(), rows: Vec::new() }
    }

    /// Appends a row; it must have one cell per header.
    pub(crate) fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let row: Vec<String> = cells.into_iter().map(Into::into).collect();
        debug_assert_eq!(row.len(), self.headers.len(), "a row must fill every column");
        self.rows.push(row);
    }

    /// The column headers.
    pub(crate) fn headers(&self) -> &[&'static str] {
        &self.headers
    }

    /// The rows.
    pub(crate) fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// A two-column table of named values.
    pub(crate) fn fields(pairs: &[(&'static str, String)]) -> Self {
        let mut t = Table::new(&["field", "value"]);
        for (k, v) in pairs {
            t.row([(*k).to_owned(), v.clone()]);
        }
        t
    }
}

/// Writes `data` to stdout in `format`: `table` for the table and CSV forms, `data` for JSON.
pub(crate) fn emit<T: Serialize + ?Sized>(format: Format, data: &T, table: &Table) -> Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, data)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&table.headers)?;
            for row in &table.rows {
                w.write_record(row.iter().map(|cell| guard_formula(cell).into_owned()))?;
            }
            w.flush()?;
        }
        Format::Table => {
            if table.rows.is_empty() {
                return Ok(());
            }
            let mut grid = Grid::new();
            grid.load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(table.headers.clone());
            for row in &table.rows {
                grid.add_row(row.clone());
            }
            writeln!(out, "{grid}")?;
        }
    }
    Ok(())
}

/// A CSV cell that a spreadsheet would run as a formula (`=…`, `@…`, `+…` or `-…` that is not
/// a number) gets a leading apostrophe, so that a name typed into Worth cannot become a formula
/// in the finance team's spreadsheet. Numbers, negative ones included, are left as they are.
pub(crate) fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => cell.parse::<f64>().is_err(),
        _ => false,
    };
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Shows an optional value in a table cell.
pub(crate) fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::guard_formula;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(guard_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard_formula("-2+3"), "'-2+3");
        assert_eq!(guard_formula("-1200.50"), "-1200.50");
        assert_eq!(guard_formula("Invoice Approvals"), "Invoice Approvals");
    }
}
