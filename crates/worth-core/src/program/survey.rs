//! Survey perception: the positive share of answers per wave.
//!
//! Two scales are read. On a Likert scale of 1 to 5, answers 4 and 5 (agree, strongly agree)
//! are positive. On a 0 to 10 scale, answers 9 and 10 are positive: the promoters of the Net
//! Promoter convention, so a 0–10 wave's positive share is its share of promoters (not the
//! NPS, which also subtracts detractors). An answer outside its scale is refused with its
//! record, never counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

choice_enum! {
    /// The scale of a question.
    Scale {
        /// 1 to 5; 4–5 positive.
        Likert5,
        /// 0 to 10; 9–10 positive (promoters).
        Nps10,
    }
}

/// Whether `answer` is positive on `scale`.
pub fn is_positive(scale: Scale, answer: i64) -> Result<bool, ValidationError> {
    let (low, high, positive_from) = match scale {
        Scale::Likert5 => (1, 5, 4),
        Scale::Nps10 => (0, 10, 9),
    };
    if !(low..=high).contains(&answer) {
        return Err(ValidationError::new(
            "answer",
            format!("{answer} is outside the {scale} scale ({low} to {high})"),
        ));
    }
    Ok(answer >= positive_from)
}

/// One wave's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    /// The wave's label (`2025-Q1`); waves are ordered by it.
    pub wave: String,
    /// Answers counted.
    pub answers: usize,
    /// Positive answers.
    pub positive: usize,
    /// positive ÷ answers × 100.
    pub positive_share: f64,
}

/// The positive share of each wave of `(wave, scale, answer)`, in label order.
pub fn waves<'a>(
    answers: impl IntoIterator<Item = (&'a str, Scale, i64)>,
) -> Result<Vec<Wave>, ValidationError> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (wave, scale, answer) in answers {
        let positive = is_positive(scale, answer)
            .map_err(|e| ValidationError::new(e.field, format!("wave {wave}: {}", e.message)))?;
        let c = counts.entry(wave).or_default();
        c.0 += 1;
        c.1 += usize::from(positive);
    }
    Ok(counts
        .into_iter()
        .map(|(wave, (answers, positive))| Wave {
            wave: wave.to_owned(),
            answers,
            positive,
            positive_share: positive as f64 / answers as f64 * 100.0,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_shares_per_wave_on_both_scales() {
        // 2025-Q1: Likert 5, 4, 2, 3 → 2 of 4 = 50%; 2025-Q2: 0–10 answers 10, 9, 8 → 2 of 3.
        let w = waves([
            ("2025-Q1", Scale::Likert5, 5),
            ("2025-Q1", Scale::Likert5, 4),
            ("2025-Q1", Scale::Likert5, 2),
            ("2025-Q1", Scale::Likert5, 3),
            ("2025-Q2", Scale::Nps10, 10),
            ("2025-Q2", Scale::Nps10, 9),
            ("2025-Q2", Scale::Nps10, 8),
        ])
        .unwrap();
        assert_eq!((w[0].answers, w[0].positive), (4, 2));
        assert!((w[0].positive_share - 50.0).abs() < 1e-12);
        assert!((w[1].positive_share - 200.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn answers_outside_the_scale_are_refused() {
        assert!(is_positive(Scale::Likert5, 0).is_err());
        assert!(is_positive(Scale::Nps10, 11).is_err());
        let e = waves([("w1", Scale::Likert5, 6)]).unwrap_err();
        assert!(e.message.contains("wave w1"), "{e}");
    }
}
