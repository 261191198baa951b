//! Tool evaluation: candidate tools scored 1–5 against weighted criteria, their three-year
//! cost of ownership, the ranking, and how sensitive the first place is to the weights.
//!
//! A tool's score is `Σ weightᵢ × scoreᵢ / 100` (weights in percent, summing to 100). Tools
//! rank by score, highest first; equal scores by lower cost. The three-year cost of
//! ownership is the one-time cost plus three years of the yearly cost, undiscounted.
//!
//! Sensitivity: for each criterion, its weight is moved by δ while the other weights are
//! scaled in proportion so that the sum stays 100. The gap between the first two tools is
//! then linear in δ, and the δ that closes it is solved exactly. The smallest such δ (in
//! absolute value) that keeps the weight within 0–100 is reported: the smallest change of
//! one weight that would swap the first two.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A weighted criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// Its name.
    pub name: String,
    /// Its weight in percent.
    pub weight: Decimal,
}

/// A score of a tool on a criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The criterion's name.
    pub criterion: String,
    /// 1 (poor) to 5 (excellent).
    pub score: u8,
    /// Why.
    pub rationale: String,
}

/// A candidate tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// One score per criterion.
    pub scores: Vec<Score>,
    /// The one-time cost (set-up, migration).
    pub one_time: Decimal,
    /// The yearly cost (licenses, support).
    pub yearly: Decimal,
}

/// A tool's place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// Its rank from 1.
    pub rank: usize,
    /// Its name.
    pub tool: String,
    /// The weighted score, 1–5.
    pub score: f64,
    /// One-time + 3 × yearly.
    pub tco_3_years: Decimal,
}

/// The weight change that swaps the first two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swap {
    /// The criterion whose weight moves.
    pub criterion: String,
    /// Its weight now, in percent.
    pub weight: f64,
    /// The weight at which the first two tie, in percent.
    pub tie_weight: f64,
    /// The change, in percentage points.
    pub change: f64,
}

/// An evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The tools, best first.
    pub ranking: Vec<Ranked>,
    /// The smallest change of one weight that swaps the first two, if any exists.
    pub swap: Option<Swap>,
}

/// Checks the inputs and ranks the tools.
pub fn evaluate(criteria: &[Criterion], tools: &[Tool]) -> Result<Evaluation, ValidationError> {
    let total: Decimal = criteria.iter().map(|c| c.weight).sum();
    if total != Decimal::ONE_HUNDRED || criteria.iter().any(|c| c.weight.is_sign_negative()) {
        return Err(ValidationError::new(
            "weights",
            format!("the weights sum to {total}%; they must be 0 or more and sum to 100%"),
        ));
    }
    for (i, c) in criteria.iter().enumerate() {
        if criteria[..i].iter().any(|o| crate::org::same_name(&o.name, &c.name)) {
            return Err(ValidationError::new("criteria", format!("{} is named twice", c.name)));
        }
    }
    let mut matrix = Vec::new();
    for t in tools {
        let mut row = Vec::new();
        for c in criteria {
            let s = t
                .scores
                .iter()
                .find(|s| crate::org::same_name(&s.criterion, &c.name))
                .ok_or_else(|| {
                    ValidationError::new("score", format!("{} has no score for {}", t.name, c.name))
                })?;
            if !(1..=5).contains(&s.score) {
                return Err(ValidationError::new(
                    "score",
                    format!("{} on {}: {} is not from 1 to 5", t.name, c.name, s.score),
                ));
            }
            if s.rationale.trim().is_empty() {
                return Err(ValidationError::new(
                    "rationale",
                    format!("{} on {}: say why it scores {}", t.name, c.name, s.score),
                ));
            }
            row.push(f64::from(s.score));
        }
        matrix.push(row);
    }
    let w: Vec<f64> = criteria.iter().map(|c| c.weight.to_f64().unwrap_or(0.0)).collect();
    let score = |row: &[f64]| row.iter().zip(&w).map(|(s, w)| s * w).sum::<f64>() / 100.0;
    let mut order: Vec<usize> = (0..tools.len()).collect();
    let tco = |t: &Tool| t.one_time + t.yearly * Decimal::from(3);
    order.sort_by(|&a, &b| {
        score(&matrix[b]).total_cmp(&score(&matrix[a])).then(tco(&tools[a]).cmp(&tco(&tools[b])))
    });
    let ranking = order
        .iter()
        .enumerate()
        .map(|(i, &t)| Ranked {
            rank: i + 1,
            tool: tools[t].name.clone(),
            score: score(&matrix[t]),
            tco_3_years: tco(&tools[t]),
        })
        .collect();
    let swap = match order.as_slice() {
        [a, b, ..] => smallest_swap(criteria, &w, &matrix[*a], &matrix[*b]),
        _ => None,
    };
    Ok(Evaluation { ranking, swap })
}

/// Solves, criterion by criterion, the weight at which tools `a` and `b` tie.
///
/// With weight wᵢ moved to wᵢ + δ and the others scaled by (100 − wᵢ − δ) / (100 − wᵢ), the
/// gap × 100 is `(wᵢ + δ) dᵢ + (100 − wᵢ − δ) r`, where dᵢ is the score difference on i and
/// r = Σⱼ≠ᵢ wⱼ dⱼ / (100 − wᵢ). It is zero at δ = −(wᵢ dᵢ + (100 − wᵢ) r) / (dᵢ − r).
fn smallest_swap(criteria: &[Criterion], w: &[f64], a: &[f64], b: &[f64]) -> Option<Swap> {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mut best: Option<Swap> = None;
    for i in 0..w.len() {
        let rest = 100.0 - w[i];
        if rest <= 0.0 {
            continue;
        }
        let r = (0..w.len()).filter(|&j| j != i).map(|j| w[j] * d[j]).sum::<f64>() / rest;
        let slope = d[i] - r;
        if slope.abs() < 1e-12 {
            continue;
        }
        let delta = -(w[i] * d[i] + rest * r) / slope;
        let tie = w[i] + delta;
        if !(0.0..=100.0).contains(&tie) {
            continue;
        }
        if best.as_ref().is_none_or(|s| delta.abs() < s.change.abs()) {
            best = Some(Swap {
                criterion: criteria[i].name.clone(),
                weight: w[i],
                tie_weight: tie,
                change: delta,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    fn tool(name: &str, scores: &[u8], one_time: Decimal, yearly: Decimal) -> Tool {
        let names = ["fit", "cost", "support"];
        Tool {
            name: name.into(),
            scores: scores
                .iter()
                .zip(names)
                .map(|(s, c)| Score {
                    criterion: c.into(),
                    score: *s,
                    rationale: "seen in the trial".into(),
                })
                .collect(),
            one_time,
            yearly,
        }
    }

    fn criteria(weights: [Decimal; 3]) -> Vec<Criterion> {
        ["fit", "cost", "support"]
            .iter()
            .zip(weights)
            .map(|(n, w)| Criterion { name: (*n).into(), weight: w })
            .collect()
    }

    #[test]
    fn ranking_tco_and_the_smallest_swap() {
        // Weights 50 / 30 / 20. A scores 5, 2, 4: 2.5 + 0.6 + 0.8 = 3.9.
        // B scores 3, 5, 3: 1.5 + 1.5 + 0.6 = 3.6. C scores 1, 1, 1 = 1.
        let c = criteria([dec!(50), dec!(30), dec!(20)]);
        let tools = [
            tool("B", &[3, 5, 3], dec!(1000), dec!(500)),
            tool("A", &[5, 2, 4], dec!(2000), dec!(800)),
            tool("C", &[1, 1, 1], dec!(0), dec!(100)),
        ];
        let e = evaluate(&c, &tools).unwrap();
        assert_eq!(e.ranking[0].tool, "A");
        assert!((e.ranking[0].score - 3.9).abs() < 1e-12);
        assert!((e.ranking[1].score - 3.6).abs() < 1e-12);
        // 2000 + 3 × 800 = 4400.
        assert_eq!(e.ranking[0].tco_3_years, dec!(4400));
        // d = A − B = (2, −3, 1). Moving cost (w = 30): r = (50 × 2 + 20 × 1) / 70 = 120/70;
        // δ = −(30 × −3 + 70 × 120/70) / (−3 − 120/70) = −(−90 + 120) / (−330/70) = 30 × 70/330
        // = 6.3636. Moving fit (w = 50): r = (30 × −3 + 20 × 1) / 50 = −1.4;
        // δ = −(100 − 70) / (2 + 1.4) = −8.82. Support: r = (100 − 90) / 80 = 0.125,
        // δ = −(20 + 10) / (1 − 0.125) = −34.3. The smallest is cost, 30 → 36.36%.
        let s = e.swap.unwrap();
        assert_eq!(s.criterion, "cost");
        assert!((s.change - 2100.0 / 330.0).abs() < 1e-9, "{s:?}");
        // Check: weights 36.3636 / 45.4545 / 18.1818 give A 5×.454545 + 2×.363636 + 4×.181818
        // = 2.2727 + 0.7273 + 0.7273 = 3.7273 and B 1.3636 + 1.8182 + 0.5455 = 3.7273: a tie.
    }

    #[test]
    fn weights_must_sum_to_a_hundred_and_scores_be_one_to_five() {
        let bad = criteria([dec!(50), dec!(30), dec!(30)]);
        let tools = [tool("A", &[5, 2, 4], dec!(0), dec!(0))];
        assert!(evaluate(&bad, &tools).unwrap_err().message.contains("sum to 110%"));
        let c = criteria([dec!(50), dec!(30), dec!(20)]);
        let e = evaluate(&c, &[tool("A", &[6, 2, 4], dec!(0), dec!(0))]).unwrap_err();
        assert!(e.message.contains("not from 1 to 5"));
    }
}
