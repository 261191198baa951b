//! The built-in metrics of a value program: each a documented function over plain counts
//! that the store and the value engine provide, so that a key result's value is computed
//! from the data and never typed.
//!
//! Shares are in percent (0–100) with their numerator and denominator kept, so a reader can
//! recount them; a share of nothing is `None`, not 0%.

use serde::{Deserialize, Serialize};

choice_enum! {
    /// The metrics Worth computes itself.
    BuiltIn {
        /// Estimates within the guideline's tolerance ÷ estimates checked (mature live
        /// solutions), as `worth accuracy` counts them.
        EstimateAccuracy,
        /// Published stories acknowledged by a sponsor ÷ stories published: the headlines
        /// that reached their reader.
        HeadlineSuccess,
        /// Critical solutions with a value assessment (at least one value line) and data
        /// gathering in place (imported usage or runs, or a measurement) ÷ critical solutions.
        CriticalCoverage,
        /// Shared ROI artifacts recorded up to the end of the period.
        SharedArtifacts,
        /// Artifacts shared in the last quarter against the quarter before, in percent.
        ArtifactGrowth,
        /// Enterprise solutions (critical or important, live) with an estimate frozen at
        /// intake and a value check-in after go-live ÷ enterprise solutions.
        RoiProcess,
        /// Employees (distinct users of the license report) with a completed ROI training
        /// ÷ employees.
        TrainingShare,
        /// Success stories with at least one realized figure ÷ success stories.
        MeasurableStories,
        /// The positive share of the latest survey wave.
        PositivePerception,
        /// The latest wave's positive share minus the first wave's, in percentage points.
        PerceptionChange,
        /// Median days from live to first realized value, over solutions that went live in
        /// the latest quarter with any.
        MedianTimeToValue,
        /// The latest quarter's median days to value against the baseline quarter (the first
        /// with any), in percent.
        TimeToValueChange,
        /// Realized cash cost reduction (cost-reduction lines, whose models measure against
        /// their own baseline) over the last twelve complete months, in the currency.
        CostReduction,
    }
}

choice_enum! {
    /// The unit of a metric's value.
    Unit {
        /// Percent, 0–100 for shares.
        Percent,
        /// Percentage points.
        Points,
        /// A count.
        Count,
        /// Days.
        Days,
        /// The workspace currency.
        Money,
    }
}

/// A metric's value and how it was counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// The value; `None` when there is nothing to count.
    pub value: Option<f64>,
    /// Its unit.
    pub unit: Unit,
    /// The count above the line of a share or a change.
    pub numerator: Option<f64>,
    /// The count below it.
    pub denominator: Option<f64>,
    /// What was counted, in words.
    pub basis: String,
}

/// `part ÷ whole × 100`, `None` for a whole of 0.
pub fn share(part: usize, whole: usize, basis: impl Into<String>) -> MetricValue {
    MetricValue {
        value: (whole > 0).then(|| part as f64 / whole as f64 * 100.0),
        unit: Unit::Percent,
        numerator: Some(part as f64),
        denominator: Some(whole as f64),
        basis: basis.into(),
    }
}

/// `(now − before) ÷ before × 100`, `None` when `before` is 0 or either is missing.
pub fn change_percent(
    now: Option<f64>,
    before: Option<f64>,
    basis: impl Into<String>,
) -> MetricValue {
    let value = match (now, before) {
        (Some(n), Some(b)) if b.abs() > f64::EPSILON => Some((n - b) / b.abs() * 100.0),
        _ => None,
    };
    MetricValue {
        value,
        unit: Unit::Percent,
        numerator: now,
        denominator: before,
        basis: basis.into(),
    }
}

/// A plain value in `unit`.
pub fn plain(value: Option<f64>, unit: Unit, basis: impl Into<String>) -> MetricValue {
    MetricValue { value, unit, numerator: None, denominator: None, basis: basis.into() }
}

/// What the critical-coverage metric needs of one critical solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// It has at least one value line.
    pub assessed: bool,
    /// Usage, runs or measurements reach it.
    pub data: bool,
}

/// [`BuiltIn::CriticalCoverage`] over the critical solutions.
pub fn critical_coverage(critical: &[Coverage]) -> MetricValue {
    let covered = critical.iter().filter(|c| c.assessed && c.data).count();
    share(
        covered,
        critical.len(),
        "critical solutions with a value line and data ÷ critical solutions",
    )
}

/// What the ROI-process metric needs of one enterprise solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Process {
    /// An estimate was frozen when it was approved.
    pub estimate_at_intake: bool,
    /// A value check-in was recorded on or after its go-live.
    pub checkin_after_live: bool,
}

/// [`BuiltIn::RoiProcess`] over the enterprise solutions.
pub fn roi_process(enterprise: &[Process]) -> MetricValue {
    let following =
        enterprise.iter().filter(|p| p.estimate_at_intake && p.checkin_after_live).count();
    share(
        following,
        enterprise.len(),
        "live critical or important solutions with an intake estimate and a check-in after go-live ÷ those solutions",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_keep_their_counts_and_refuse_nothing() {
        let s = share(3, 4, "x");
        assert_eq!(s.value, Some(75.0));
        assert_eq!((s.numerator, s.denominator), (Some(3.0), Some(4.0)));
        assert_eq!(share(0, 0, "x").value, None);
    }

    #[test]
    fn coverage_needs_both_an_assessment_and_data() {
        let c = |assessed, data| Coverage { assessed, data };
        // 1 of 3 has both.
        let m = critical_coverage(&[c(true, true), c(true, false), c(false, true)]);
        assert_eq!(m.numerator, Some(1.0));
        assert!((m.value.unwrap() - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_process_needs_an_estimate_and_a_check_in() {
        let p = |e, c| Process { estimate_at_intake: e, checkin_after_live: c };
        assert_eq!(roi_process(&[p(true, true), p(true, false)]).value, Some(50.0));
    }

    #[test]
    fn change_is_relative_to_the_before() {
        // (30 − 40) / 40 = −25%
        assert_eq!(change_percent(Some(30.0), Some(40.0), "x").value, Some(-25.0));
        assert_eq!(change_percent(Some(30.0), Some(0.0), "x").value, None);
    }
}
