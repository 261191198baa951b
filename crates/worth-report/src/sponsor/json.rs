//! report.json: the report value as pretty JSON, money as decimal strings.

use super::{ReportError, SponsorReport};

/// The report as pretty JSON, ending with a newline.
pub fn render(report: &SponsorReport) -> Result<String, ReportError> {
    let mut text =
        serde_json::to_string_pretty(report).map_err(|e| ReportError::Json(e.to_string()))?;
    text.push('\n');
    Ok(text)
}
