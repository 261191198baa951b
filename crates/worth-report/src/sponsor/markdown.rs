//! headlines.md: the headlines and the tiles, for a message or a wiki page.

use std::fmt::Write as _;

use super::{SponsorReport, format, tiles_display};
use crate::markdown::escape;

/// The headlines and tiles as Markdown; every text from the store is escaped.
pub fn render(report: &SponsorReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}\n", escape(&report.title), escape(&report.period.label));
    for h in &report.headlines {
        let _ = writeln!(out, "- {}", escape(&h.text));
    }
    out.push_str("\n| figure | value |\n|---|---|\n");
    for (label, value) in tiles_display(report) {
        let _ = writeln!(out, "| {} | {} |", escape(&label), escape(&value));
    }
    for (title, ids) in [("Top solutions", &report.top), ("Bottom solutions", &report.bottom)] {
        if ids.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n## {title}\n\n| solution | business unit | evidence | NPV |\n|---|---|---|---|"
        );
        for s in ids.iter().filter_map(|id| report.solution(*id)) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&s.name),
                escape(&s.business_unit),
                escape(s.evidence.as_deref().unwrap_or("none")),
                escape(&format::money(s.npv, &report.currency, &report.locale)),
            );
        }
    }
    if let Some(p) = &report.program {
        super::program::markdown(p, &mut out);
    }
    if let Some(c) = &report.chargeback {
        out.push_str(&super::chargeback::markdown(c, &report.locale));
    }
    let _ = writeln!(
        out,
        "\nAmounts in {}, guideline v{}, as of {}. Every figure is in report.json.",
        escape(&report.currency),
        report.guideline.version,
        report.today
    );
    out
}
