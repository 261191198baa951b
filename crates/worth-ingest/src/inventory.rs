//! The inventory importer (not written yet).

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

/// What an inventory file will write.
#[derive(Debug, Default)]
pub(crate) struct InventoryBatch;

pub(crate) async fn write(
    _w: &mut worth_store::Writer,
    _b: &InventoryBatch,
) -> Result<Vec<String>> {
    Ok(Vec::new())
}
