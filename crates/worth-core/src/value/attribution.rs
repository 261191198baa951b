//! Attribution: value lines that claim the same benefit may not claim more than all of it.
//!
//! Lines of one business unit with the same process tag claim the same benefit. Their
//! attribution shares must not exceed 100% together; an excess is reported as a problem that
//! names the lines, and nothing is capped silently.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::engine::SolutionData;
use crate::Problem;

/// How many lines a problem names before it counts the rest.
const MAX_NAMED: usize = 10;

/// The over-attributed processes, one problem each.
pub fn over_attribution(data: &[SolutionData<'_>]) -> Vec<Problem> {
    let mut claims: BTreeMap<(String, String), Vec<(String, Decimal)>> = BTreeMap::new();
    for d in data {
        for line in d.lines {
            let Some(process) = line.process.as_deref().map(str::trim).filter(|p| !p.is_empty())
            else {
                continue;
            };
            claims
                .entry((d.solution.business_unit.clone(), process.to_lowercase()))
                .or_default()
                .push((format!("{} / {}", d.solution.name, line.name), line.attribution));
        }
    }
    claims
        .into_iter()
        .filter_map(|((bu, process), lines)| {
            let total: Decimal = lines.iter().map(|(_, a)| *a).sum();
            (total > Decimal::ONE).then(|| {
                // A person reads the first lines; a process claimed by hundreds of lines is
                // not listed whole.
                let mut named: Vec<String> = lines
                    .iter()
                    .take(MAX_NAMED)
                    .map(|(n, a)| format!("{n} ({}%)", (*a * Decimal::from(100)).normalize()))
                    .collect();
                if lines.len() > MAX_NAMED {
                    named.push(format!("and {} more lines", lines.len() - MAX_NAMED));
                }
                Problem {
                    kind: "over_attribution".into(),
                    subject: format!("{bu} / process {process}"),
                    message: format!(
                        "lines claim {}% of the same benefit: {}; lower their attribution so \
                         that they add up to 100% at most",
                        (total * Decimal::from(100)).normalize(),
                        named.join(", ")
                    ),
                }
            })
        })
        .collect()
}
