//! Objectives and key results: the progress of a key result, the weighted roll-up of an
//! objective, and check-ins.
//!
//! The progress of a key result to increase is `(actual − baseline) / (target − baseline)`,
//! of one to decrease `(baseline − actual) / (baseline − target)`: the share of the way from
//! baseline to target that has been travelled. The raw value is kept (it may be negative, or
//! above 1 beyond the target); what is shown is clamped to 0–100%. A key result whose
//! baseline equals its target has no way to travel: it is met (100%) when the actual is at or
//! beyond the target in its direction, and not met (0%) otherwise; there is no division.
//!
//! An objective's progress is the weighted mean of its key results' shown (clamped)
//! progress, so a key result far beyond its target cannot hide another one that is behind.

use serde::{Deserialize, Serialize};

use super::kpi::Direction;
use crate::ValidationError;

/// Where a key result's actual value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of", rename_all = "kebab-case")]
pub enum KeyResultSource {
    /// The value of its latest check-in.
    Manual,
    /// A built-in metric, computed from the data.
    Metric(super::metrics::BuiltIn),
    /// The latest program-wide value of a KPI, by name.
    Kpi(String),
}

/// A key result's progress.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The share travelled from baseline to target, unclamped; `None` when the baseline
    /// equals the target.
    pub raw: Option<f64>,
    /// What is shown: `raw` clamped to 0–1, or 1 / 0 for met / not met.
    pub shown: f64,
    /// Whether the target is reached.
    pub met: bool,
}

/// The progress of `actual` from `baseline` to `target` in `direction`.
pub fn progress(direction: Direction, baseline: f64, target: f64, actual: f64) -> Progress {
    let reached = match direction {
        Direction::Increase => actual >= target,
        Direction::Decrease => actual <= target,
    };
    if (target - baseline).abs() < f64::EPSILON * target.abs().max(1.0) {
        return Progress { raw: None, shown: if reached { 1.0 } else { 0.0 }, met: reached };
    }
    let raw = match direction {
        Direction::Increase => (actual - baseline) / (target - baseline),
        Direction::Decrease => (baseline - actual) / (baseline - target),
    };
    Progress { raw: Some(raw), shown: raw.clamp(0.0, 1.0), met: reached }
}

/// The weighted mean of shown progress: `Σ wᵢ × shownᵢ / Σ wᵢ`; `None` without weight.
pub fn roll_up(results: &[(f64, Progress)]) -> Option<f64> {
    let total: f64 = results.iter().map(|(w, _)| w).sum();
    if total <= 0.0 {
        return None;
    }
    Some(results.iter().map(|(w, p)| w * p.shown).sum::<f64>() / total)
}

/// Checks a key result's weight: a positive finite number.
pub fn check_weight(weight: f64) -> Result<f64, ValidationError> {
    if weight.is_finite() && weight > 0.0 {
        Ok(weight)
    } else {
        Err(ValidationError::new("weight", format!("{weight} must be a number above 0")))
    }
}

/// Checks a check-in's confidence: a whole number from 0 (no chance) to 10 (certain).
pub fn check_confidence(confidence: i64) -> Result<u8, ValidationError> {
    u8::try_from(confidence).ok().filter(|c| *c <= 10).ok_or_else(|| {
        ValidationError::new(
            "confidence",
            format!("{confidence} must be a whole number from 0 (no chance) to 10 (certain)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[rstest]
    // (70 − 50) / (90 − 50) = 20 / 40 = 0.5
    #[case(Direction::Increase, 50.0, 90.0, 70.0, Some(0.5), 0.5, false)]
    // beyond target: (110 − 50) / 40 = 1.5, shown 1
    #[case(Direction::Increase, 50.0, 90.0, 110.0, Some(1.5), 1.0, true)]
    // below baseline: (40 − 50) / 40 = −0.25, shown 0
    #[case(Direction::Increase, 50.0, 90.0, 40.0, Some(-0.25), 0.0, false)]
    // decrease: (30 − 24) / (30 − 20) = 6 / 10 = 0.6
    #[case(Direction::Decrease, 30.0, 20.0, 24.0, Some(0.6), 0.6, false)]
    // decrease beyond: (30 − 15) / 10 = 1.5
    #[case(Direction::Decrease, 30.0, 20.0, 15.0, Some(1.5), 1.0, true)]
    // baseline = target: met or not, never a division
    #[case(Direction::Increase, 75.0, 75.0, 75.0, None, 1.0, true)]
    #[case(Direction::Increase, 75.0, 75.0, 74.0, None, 0.0, false)]
    #[case(Direction::Decrease, 10.0, 10.0, 9.0, None, 1.0, true)]
    #[case(Direction::Decrease, 10.0, 10.0, 11.0, None, 0.0, false)]
    fn progress_in_both_directions(
        #[case] d: Direction,
        #[case] baseline: f64,
        #[case] target: f64,
        #[case] actual: f64,
        #[case] raw: Option<f64>,
        #[case] shown: f64,
        #[case] met: bool,
    ) {
        let p = progress(d, baseline, target, actual);
        match (p.raw, raw) {
            (Some(a), Some(b)) => assert!(close(a, b), "{a} {b}"),
            (a, b) => assert_eq!(a, b),
        }
        assert!(close(p.shown, shown));
        assert_eq!(p.met, met);
    }

    #[test]
    fn objectives_roll_up_clamped_and_weighted() {
        // weights 2 and 1; shown 0.5 and 1 (raw 1.5): (2 × 0.5 + 1 × 1) / 3 = 2 / 3.
        let a = progress(Direction::Increase, 0.0, 10.0, 5.0);
        let b = progress(Direction::Increase, 0.0, 10.0, 15.0);
        assert!(close(roll_up(&[(2.0, a), (1.0, b)]).unwrap(), 2.0 / 3.0));
        assert_eq!(roll_up(&[]), None);
    }

    #[test]
    fn confidence_is_zero_to_ten() {
        assert_eq!(check_confidence(7), Ok(7));
        assert!(check_confidence(11).is_err());
        assert!(check_confidence(-1).is_err());
        assert!(check_weight(0.0).is_err());
    }
}
