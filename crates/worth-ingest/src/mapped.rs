//! The mapped importer (not written yet).

use std::path::Path;

use crate::error::{IngestError, Result};
use crate::rejects::RejectsFile;
use crate::{ParseContext, Parsed};

pub(crate) fn parse(
    path: &Path,
    _ctx: &ParseContext,
    _rejects: &mut RejectsFile,
) -> Result<Parsed> {
    Err(IngestError::Unsupported { path: path.to_owned(), message: "not yet".into() })
}
