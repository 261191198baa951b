//! Non-financial benefits: a score from 1 to 5 and a statement.
//!
//! Employee or customer experience, risk and compliance. The score is reported beside money and
//! never added to it: the figure's amount is always zero.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Figure, Inputs, ModelError};
use crate::ValidationError;
use crate::value::explain::Explain;

/// The formula, as documents show it.
pub const FORMULA: &str = "a score from 1 (little) to 5 (transformative), with a statement";

/// Parameters of a scored line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The score, 1 to 5.
    #[serde(deserialize_with = "score")]
    pub score: u8,
    /// What the benefit is, in a sentence.
    pub statement: String,
}

fn score<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(u8),
        Text(String),
    }
    match Repr::deserialize(d)? {
        Repr::Number(n) => Ok(n),
        Repr::Text(t) => t.trim().parse().map_err(serde::de::Error::custom),
    }
}

impl Params {
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        if !(1..=5).contains(&self.score) {
            return Err(ValidationError::new(
                "score",
                format!("{} is not from 1 to 5", self.score),
            ));
        }
        if self.statement.trim().is_empty() {
            return Err(ValidationError::new("statement", "must say what the benefit is"));
        }
        Ok(())
    }

    pub(crate) fn evaluate(&self, _inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        Ok(Figure {
            amount: Decimal::ZERO,
            hours: None,
            explain: Explain::input(
                "score",
                format!("{}/5", self.score),
                format!("statement: {}", self.statement),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::models::Basis;
    use crate::value::models::test_support::*;

    #[test]
    fn a_score_is_never_money() {
        let g = guideline();
        let p = Params { score: 4, statement: "fewer late nights at month end".into() };
        p.check().unwrap();
        let f = p.evaluate(&inputs(Basis::Estimated, &g, None, None)).unwrap();
        assert_eq!(f.amount, Decimal::ZERO);
        assert_eq!(f.explain.value, "4/5");
        assert!(Params { score: 6, ..p }.check().is_err());
    }
}
