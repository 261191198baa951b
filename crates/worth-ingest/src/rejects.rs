//! The rejects file: every row that could not be read, with its file, line, column and reason,
//! written as CSV next to the store while the import runs, so that memory does not grow with
//! the number of bad rows.
//!
//! Reasons never quote a personal identifier: importers describe a bad user id without
//! repeating it.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{IngestError, Result};

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The file, as given.
    pub file: String,
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The column at fault, as the file names it, or empty for the row as a whole.
    pub column: String,
    /// Why the row was not imported.
    pub reason: String,
}

/// Why one row was refused, before the file and line are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) column: String,
    pub(crate) reason: String,
}

impl Rejection {
    pub(crate) fn new(column: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { column: column.into(), reason: reason.into() }
    }
}

/// Where rejects go: a CSV file created at the first reject.
#[derive(Debug)]
pub(crate) struct RejectsFile {
    path: PathBuf,
    writer: Option<csv::Writer<File>>,
    count: u64,
    first: Vec<Reject>,
}

/// How many rejects are kept in memory to show in the summary.
const SHOWN: usize = 5;

impl RejectsFile {
    /// Rejects will be written at `path` if there are any.
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path, writer: None, count: 0, first: Vec::new() }
    }

    /// Records a rejected row.
    pub(crate) fn add(&mut self, file: &Path, line: u64, rejection: Rejection) -> Result<()> {
        let reject = Reject {
            file: file.display().to_string(),
            line,
            column: rejection.column,
            reason: rejection.reason,
        };
        if self.writer.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| self.error(e))?;
            }
            let mut w = csv::Writer::from_path(&self.path).map_err(|e| self.error(e.into()))?;
            w.write_record(["file", "line", "column", "reason"])
                .map_err(|e| self.error(e.into()))?;
            self.writer = Some(w);
        }
        if let Some(w) = self.writer.as_mut() {
            let line = reject.line.to_string();
            let written = w.write_record([&reject.file, &line, &reject.column, &reject.reason]);
            if let Err(e) = written {
                return Err(self.error(e.into()));
            }
        }
        self.count += 1;
        if self.first.len() < SHOWN {
            self.first.push(reject);
        }
        Ok(())
    }

    /// Rejects so far.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Flushes the file; returns its path and the first rejects, or `None` when there were none.
    pub(crate) fn finish(mut self) -> Result<Option<(PathBuf, Vec<Reject>)>> {
        match self.writer.take() {
            Some(mut w) => {
                w.flush().map_err(|e| self.error(e))?;
                Ok(Some((self.path, self.first)))
            }
            None => Ok(None),
        }
    }

    fn error(&self, source: std::io::Error) -> IngestError {
        IngestError::Rejects { path: self.path.clone(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rejects_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        assert!(RejectsFile::new(path.clone()).finish().unwrap().is_none());
        assert!(!path.exists());
    }

    #[test]
    fn rejects_are_written_as_csv_with_file_line_column_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("r.csv");
        let mut rejects = RejectsFile::new(path.clone());
        rejects
            .add(Path::new("a.csv"), 3, Rejection::new("Cost", "'x, y' is not a number"))
            .unwrap();
        assert_eq!(rejects.count(), 1);
        let (written, first) = rejects.finish().unwrap().unwrap();
        assert_eq!(written, path);
        assert_eq!(first[0].line, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "file,line,column,reason\na.csv,3,Cost,\"'x, y' is not a number\"\n");
    }
}
