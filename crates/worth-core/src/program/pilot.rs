//! Pilots: the difference in differences between a pilot group and a comparison group, with
//! a 95% confidence interval and a verdict in plain words.
//!
//! Each unit of a group (a user or a business unit) gives its mean value of the metric in the
//! baseline period and in the pilot period; its change is the second minus the first. The
//! estimate is the pilot group's mean change minus the comparison group's. Its standard error
//! is Welch's, `√(s²ₚ/nₚ + s²꜀/n꜀)` over the sample variances of the changes, with the
//! Welch–Satterthwaite degrees of freedom, and the interval is the estimate ± the 0.975
//! quantile of Student's t (from `statrs`) × the standard error. Units observed in only one
//! period are left out and counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::kpi::Direction;
use super::stats::mean_variance;
use crate::ValidationError;

choice_enum! {
    /// Which group a unit belongs to.
    Group {
        /// Given the change.
        Pilot,
        /// Not given it.
        Comparison,
    }
}

choice_enum! {
    /// Which period an observation belongs to.
    Phase {
        /// Before the pilot.
        Baseline,
        /// During the pilot.
        Pilot,
    }
}

/// One observation of the metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The user or business unit observed.
    pub unit: String,
    /// Its group.
    pub group: Group,
    /// The period.
    pub phase: Phase,
    /// The metric's value.
    pub value: f64,
}

/// The result of a pilot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PilotResult {
    /// Units with both periods, per group.
    pub pilot_units: usize,
    /// Comparison units with both periods.
    pub comparison_units: usize,
    /// Units observed in one period only, left out.
    pub left_out: usize,
    /// The pilot group's mean change.
    pub pilot_change: f64,
    /// The comparison group's mean change.
    pub comparison_change: f64,
    /// Pilot change − comparison change.
    pub difference: f64,
    /// Welch's standard error of the difference.
    pub standard_error: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub degrees_of_freedom: f64,
    /// The 95% confidence interval, low and high.
    pub interval: (f64, f64),
    /// Whether the interval excludes 0.
    pub significant: bool,
    /// What it means, in words.
    pub verdict: String,
}

/// The difference in differences of `observations` for `metric`, better in `direction`.
pub fn difference_in_differences(
    metric: &str,
    direction: Direction,
    observations: &[Observation],
) -> Result<PilotResult, ValidationError> {
    // Each unit's mean per phase, then its change.
    let mut sums: BTreeMap<(Group, &str), [(f64, usize); 2]> = BTreeMap::new();
    for o in observations {
        if !o.value.is_finite() {
            return Err(ValidationError::new(
                "value",
                format!("{} of {} is not a number", o.value, o.unit),
            ));
        }
        let slot = &mut sums.entry((o.group, o.unit.as_str())).or_default()[o.phase as usize];
        slot.0 += o.value;
        slot.1 += 1;
    }
    let (mut changes, mut left_out) = (BTreeMap::<Group, Vec<f64>>::new(), 0);
    for ((group, _), [base, pilot]) in &sums {
        if base.1 == 0 || pilot.1 == 0 {
            left_out += 1;
            continue;
        }
        let change = pilot.0 / pilot.1 as f64 - base.0 / base.1 as f64;
        changes.entry(*group).or_default().push(change);
    }
    let stats = |g: Group| {
        let v = changes.get(&g).map(Vec::as_slice).unwrap_or_default();
        match mean_variance(v) {
            Some((m, var)) if v.len() >= 2 => Ok((v.len(), m, var)),
            _ => Err(ValidationError::new(
                "observations",
                format!(
                    "the {g} group has {} unit(s) observed in both periods; at least 2 are needed",
                    v.len()
                ),
            )),
        }
    };
    let (np, mp, vp) = stats(Group::Pilot)?;
    let (nc, mc, vc) = stats(Group::Comparison)?;
    let (ap, ac) = (vp / np as f64, vc / nc as f64);
    let se = (ap + ac).sqrt();
    let df = (ap + ac).powi(2) / (ap.powi(2) / (np - 1) as f64 + ac.powi(2) / (nc - 1) as f64);
    let difference = mp - mc;
    let (interval, significant) = if se > 0.0 && df.is_finite() {
        let t = StudentsT::new(0.0, 1.0, df)
            .map_err(|e| ValidationError::new("observations", e.to_string()))?
            .inverse_cdf(0.975);
        let half = t * se;
        ((difference - half, difference + half), difference - half > 0.0 || difference + half < 0.0)
    } else {
        ((difference, difference), difference.abs() > 0.0)
    };
    let verdict = verdict(metric, direction, difference, interval, significant);
    Ok(PilotResult {
        pilot_units: np,
        comparison_units: nc,
        left_out,
        pilot_change: mp,
        comparison_change: mc,
        difference,
        standard_error: se,
        degrees_of_freedom: df,
        interval,
        significant,
        verdict,
    })
}

fn verdict(
    metric: &str,
    d: Direction,
    diff: f64,
    (lo, hi): (f64, f64),
    significant: bool,
) -> String {
    if !significant {
        return format!(
            "The pilot's effect on {metric} cannot be told from chance: the difference of {diff:.2} \
             has a 95% interval from {lo:.2} to {hi:.2}, which includes no change."
        );
    }
    let better = match d {
        Direction::Increase => diff > 0.0,
        Direction::Decrease => diff < 0.0,
    };
    let way = if diff > 0.0 { "raised" } else { "lowered" };
    let judgement = if better { "an improvement" } else { "a change for the worse" };
    format!(
        "The pilot {way} {metric} by {:.2} beyond the comparison group's change ({judgement}; \
         95% interval {lo:.2} to {hi:.2}).",
        diff.abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(group: Group, changes: &[(f64, f64)]) -> Vec<Observation> {
        let mut out = Vec::new();
        for (i, (before, after)) in changes.iter().enumerate() {
            let unit = format!("{group}-{i}");
            out.push(Observation {
                unit: unit.clone(),
                group,
                phase: Phase::Baseline,
                value: *before,
            });
            out.push(Observation { unit, group, phase: Phase::Pilot, value: *after });
        }
        out
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn a_hand_computed_difference_with_its_interval() {
        // Pilot changes 5, 6, 7: mean 6, sample variance (1 + 0 + 1) / 2 = 1.
        // Comparison changes 1, 2, 3: mean 2, variance 1.
        // Difference 6 − 2 = 4. SE = √(1/3 + 1/3) = √(2/3) = 0.816497.
        // df = (2/3)² / ((1/3)²/2 + (1/3)²/2) = (4/9) / (1/9) = 4.
        // t(0.975, 4) = 2.776445 (any table of Student's t); half width 2.776445 × 0.816497
        // = 2.266958, so the interval is 1.733042 to 6.266958 and excludes 0.
        let mut o = obs(Group::Pilot, &[(10.0, 15.0), (20.0, 26.0), (30.0, 37.0)]);
        o.extend(obs(Group::Comparison, &[(10.0, 11.0), (20.0, 22.0), (30.0, 33.0)]));
        let r = difference_in_differences("tickets closed", Direction::Increase, &o).unwrap();
        assert!(close(r.difference, 4.0, 1e-12));
        assert!(close(r.standard_error, (2.0f64 / 3.0).sqrt(), 1e-12));
        assert!(close(r.degrees_of_freedom, 4.0, 1e-9));
        assert!(close(r.interval.0, 1.733042, 1e-5), "{:?}", r.interval);
        assert!(close(r.interval.1, 6.266958, 1e-5), "{:?}", r.interval);
        assert!(r.significant);
        assert!(r.verdict.starts_with("The pilot raised tickets closed by 4.00"), "{}", r.verdict);
        assert!(r.verdict.contains("an improvement"));
    }

    #[test]
    fn a_wide_interval_is_no_verdict() {
        // Pilot changes 4, 6, 8 (variance 4), comparison 0, 2, 4 (variance 4): difference 4,
        // SE √(8/3) = 1.632993, df 4, half width 2.776445 × 1.632993 = 4.533915: −0.533915 to 8.533915.
        let mut o = obs(Group::Pilot, &[(0.0, 4.0), (0.0, 6.0), (0.0, 8.0)]);
        o.extend(obs(Group::Comparison, &[(0.0, 0.0), (0.0, 2.0), (0.0, 4.0)]));
        o.push(Observation {
            unit: "late".into(),
            group: Group::Pilot,
            phase: Phase::Pilot,
            value: 9.0,
        });
        let r = difference_in_differences("x", Direction::Increase, &o).unwrap();
        assert!(close(r.interval.0, -0.533915, 1e-5), "{:?}", r.interval);
        assert!(!r.significant);
        assert_eq!(r.left_out, 1);
        assert!(r.verdict.contains("cannot be told from chance"));
    }

    #[test]
    fn one_unit_per_group_is_too_few() {
        let mut o = obs(Group::Pilot, &[(0.0, 4.0)]);
        o.extend(obs(Group::Comparison, &[(0.0, 0.0), (0.0, 2.0)]));
        let e = difference_in_differences("x", Direction::Increase, &o).unwrap_err();
        assert!(e.message.contains("pilot group has 1"), "{e}");
    }
}
