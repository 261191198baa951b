//! Success stories: five parts, quotes, figures linked from the value engine, and the
//! workflow draft → submitted → validated → published.
//!
//! A story never holds a typed amount: it links solutions (and optionally one of their value
//! lines), and its figures are computed again from the engine each time it is shown, so they
//! change when the data does. It is measurable only when at least one linked figure is
//! realized (measured value in complete months); its headline is a sentence built from those
//! figures.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::value::engine::Source;
use crate::value::financial::round_amount;
use crate::value::portfolio::Portfolio;
use crate::{Currency, ValidationError};

choice_enum! {
    /// Where a story is in its workflow.
    StoryStatus {
        /// Being written.
        Draft,
        /// Handed to an analyst.
        Submitted,
        /// Its figures checked by an analyst.
        Validated,
        /// Shown to sponsors.
        Published,
    }
}

/// One step of a story's workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryEvent {
    /// The status entered.
    pub status: StoryStatus,
    /// The day.
    pub on: NaiveDate,
    /// Who moved it.
    pub by: String,
}

/// Checks an edit of a story's text: only its author edits it, and only while it is a draft.
/// A submitted story goes back to draft to be edited, so what an analyst validated is what
/// sponsors read.
pub fn check_edit(status: StoryStatus, author: &str, by: &str) -> Result<(), ValidationError> {
    if status != StoryStatus::Draft {
        return Err(ValidationError::new(
            "status",
            format!(
                "a {status} story is not edited; only a draft is (move a submitted story back to draft first)"
            ),
        ));
    }
    if !crate::org::same_name(author, by) {
        return Err(ValidationError::new(
            "by",
            format!("{author} wrote this story; only its author edits it"),
        ));
    }
    Ok(())
}

/// Checks a workflow move: forward one step, or a submitted story back to draft. Validation
/// is an analyst's, who must not be the story's author.
pub fn check_move(
    from: StoryStatus,
    to: StoryStatus,
    author: &str,
    by: &str,
) -> Result<(), ValidationError> {
    use StoryStatus::*;
    let allowed = matches!(
        (from, to),
        (Draft, Submitted) | (Submitted, Validated) | (Submitted, Draft) | (Validated, Published)
    );
    if !allowed {
        let hint = match to {
            Published => "; a story is published only after an analyst validated it",
            Validated => "; only a submitted story can be validated",
            _ => "",
        };
        return Err(ValidationError::new(
            "status",
            format!("a {from} story cannot become {to}{hint}"),
        ));
    }
    if to == Validated && crate::org::same_name(author, by) {
        return Err(ValidationError::new(
            "by",
            format!("{by} wrote this story; another analyst must validate it"),
        ));
    }
    Ok(())
}

/// A figure linked to a story, as the engine computes it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The solution.
    pub solution: String,
    /// The value line, or every line of the solution.
    pub line: Option<String>,
    /// Realized value (risk-adjusted, complete months while live), rounded to the minor unit.
    pub realized: rust_decimal::Decimal,
    /// The currency code.
    pub currency: String,
    /// The months that realized it.
    pub months: usize,
    /// The first and last of those months.
    pub from: Option<NaiveDate>,
    /// The last month.
    pub to: Option<NaiveDate>,
}

impl Figure {
    /// Whether the figure is realized: some measured value in at least one complete month.
    pub fn is_realized(&self) -> bool {
        self.months > 0 && !self.realized.is_zero()
    }
}

/// The live figure of a link to solution `solution_id` (named `solution`), over one of its
/// value lines (`line`: id and name) or all of them: the risk-adjusted value realized in the
/// evaluated `portfolio`, rounded once to the currency's minor unit.
pub fn linked_figure(
    portfolio: &Portfolio,
    solution_id: i64,
    solution: &str,
    line: Option<(i64, &str)>,
    currency: Currency,
) -> Figure {
    let s = portfolio.solutions.iter().find(|s| s.id == solution_id);
    let months: Vec<(NaiveDate, Decimal)> = s
        .into_iter()
        .flat_map(|s| &s.lines)
        .filter(|l| line.is_none_or(|(id, _)| id == l.line_id))
        .flat_map(|l| &l.expected)
        .filter(|m| m.source == Source::Realized)
        .map(|m| (m.month, m.risk_adjusted))
        .collect();
    let distinct: BTreeSet<NaiveDate> = months.iter().map(|(m, _)| *m).collect();
    Figure {
        solution: solution.to_owned(),
        line: line.map(|(_, n)| n.to_owned()),
        realized: round_amount(months.iter().map(|(_, v)| *v).sum(), currency.minor_units()),
        currency: currency.code().to_owned(),
        months: distinct.len(),
        from: distinct.first().copied(),
        to: distinct.last().copied(),
    }
}

/// Measurable: at least one linked figure is realized.
pub fn is_measurable(figures: &[Figure]) -> bool {
    figures.iter().any(Figure::is_realized)
}

/// The headline of a story from its realized figures, or `None` when it has none:
/// "Invoice Approvals realized 12,400.00 USD from 2025-03 to 2025-08." with several figures
/// joined and totalled per currency.
pub fn headline(title: &str, figures: &[Figure]) -> Option<String> {
    let realized: Vec<&Figure> = figures.iter().filter(|f| f.is_realized()).collect();
    if realized.is_empty() {
        return None;
    }
    let parts: Vec<String> = realized
        .iter()
        .map(|f| {
            let what = match &f.line {
                Some(l) => format!("{} ({l})", f.solution),
                None => f.solution.clone(),
            };
            let span = match (f.from, f.to) {
                (Some(a), Some(b)) => {
                    format!(" from {} to {}", crate::period::label(a), crate::period::label(b))
                }
                _ => String::new(),
            };
            format!("{what} realized {} {}{span}", f.realized, f.currency)
        })
        .collect();
    Some(format!("{title}: {}.", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use StoryStatus::*;

    #[test]
    fn publishing_needs_validation_first() {
        let e = check_move(Submitted, Published, "ada", "bob").unwrap_err();
        assert!(e.message.contains("only after an analyst validated"), "{e}");
        assert!(check_move(Draft, Published, "ada", "ada").is_err());
        assert!(check_move(Submitted, Validated, "ada", "bob").is_ok());
        assert!(check_move(Validated, Published, "ada", "ada").is_ok());
    }

    #[test]
    fn only_the_author_edits_and_only_a_draft() {
        assert!(check_edit(Draft, "Ada", " ada").is_ok());
        assert!(check_edit(Draft, "Élodie", "élodie").is_ok());
        let e = check_edit(Draft, "ada", "bob").unwrap_err();
        assert_eq!(e.field, "by");
        for status in [Submitted, Validated, Published] {
            let e = check_edit(status, "ada", "ada").unwrap_err();
            assert!(e.message.contains("only a draft"), "{e}");
        }
    }

    #[test]
    fn an_author_does_not_validate_their_own_story() {
        assert!(check_move(Submitted, Validated, "Ada", "ada ").is_err());
        assert!(check_move(Submitted, Validated, "Élodie", "élodie").is_err());
    }

    #[test]
    fn measurable_means_a_realized_figure() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let f = |amount: i64, months| Figure {
            solution: "Invoice Approvals".into(),
            line: None,
            realized: Decimal::new(amount, 2),
            currency: "USD".into(),
            months,
            from: (months > 0).then(|| d("2025-03-01")),
            to: (months > 0).then(|| d("2025-08-01")),
        };
        assert!(!is_measurable(&[f(0, 0)]));
        assert!(is_measurable(&[f(0, 0), f(1_240_000, 6)]));
        assert_eq!(
            headline("Faster invoices", &[f(1_240_000, 6)]).unwrap(),
            "Faster invoices: Invoice Approvals realized 12400.00 USD from 2025-03 to 2025-08."
        );
        assert_eq!(headline("x", &[f(0, 0)]), None);
    }
}
