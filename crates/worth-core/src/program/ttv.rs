//! Time to value: days from idea to live, and from live to the first realized value, per
//! quarter of go-live, with the median and the 90th percentile (see [`super::stats`]) and
//! the change of the median against a baseline quarter.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::stats::{median, quantile};

/// One solution's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    /// The day it entered the idea stage.
    pub idea: Option<NaiveDate>,
    /// The day it went live.
    pub live: Option<NaiveDate>,
    /// The first day of the first month with realized value.
    pub first_value: Option<NaiveDate>,
}

/// Medians and 90th percentiles of a set of durations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Durations {
    /// How many solutions.
    pub solutions: usize,
    /// Median days.
    pub median_days: Option<f64>,
    /// 90th percentile in days.
    pub p90_days: Option<f64>,
}

impl Durations {
    fn of(days: &[f64]) -> Self {
        Self { solutions: days.len(), median_days: median(days), p90_days: quantile(days, 0.9) }
    }
}

/// One quarter of go-live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quarter {
    /// `YYYY-Qn`.
    pub quarter: String,
    /// Idea to live.
    pub idea_to_live: Durations,
    /// Live to first realized value (solutions with some).
    pub live_to_value: Durations,
    /// Change of the live-to-value median against the baseline quarter, in percent.
    pub value_change_percent: Option<f64>,
    /// Change of the idea-to-live median against the baseline quarter, in percent.
    pub live_change_percent: Option<f64>,
}

/// The quarter label of a day.
pub fn quarter_of(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

/// Time to value per quarter of go-live; the baseline is `baseline`, or the first quarter.
pub fn per_quarter(timelines: &[Timeline], baseline: Option<&str>) -> Vec<Quarter> {
    let mut by: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for t in timelines {
        let Some(live) = t.live else { continue };
        let q = by.entry(quarter_of(live)).or_default();
        if let Some(idea) = t.idea.filter(|i| *i <= live) {
            q.0.push((live - idea).num_days() as f64);
        }
        if let Some(first) = t.first_value.filter(|f| *f >= live) {
            q.1.push((first - live).num_days() as f64);
        }
    }
    let mut out: Vec<Quarter> = by
        .into_iter()
        .map(|(quarter, (a, b))| Quarter {
            quarter,
            idea_to_live: Durations::of(&a),
            live_to_value: Durations::of(&b),
            value_change_percent: None,
            live_change_percent: None,
        })
        .collect();
    let base = match baseline {
        Some(b) => out.iter().find(|q| q.quarter == b),
        None => out.first(),
    }
    .map(|q| (q.idea_to_live.median_days, q.live_to_value.median_days));
    if let Some((base_live, base_value)) = base {
        let change = |now: Option<f64>, before: Option<f64>| match (now, before) {
            (Some(n), Some(b)) if b > 0.0 => Some((n - b) / b * 100.0),
            _ => None,
        };
        for q in &mut out {
            q.live_change_percent = change(q.idea_to_live.median_days, base_live);
            q.value_change_percent = change(q.live_to_value.median_days, base_value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn medians_and_change_per_quarter_of_go_live() {
        let t = |idea: &str, live: &str, value: Option<&str>| Timeline {
            idea: Some(d(idea)),
            live: Some(d(live)),
            first_value: value.map(d),
        };
        let q = per_quarter(
            &[
                // 2025-Q1: idea→live 31 and 59 days; live→value 31 and 28 days.
                t("2024-12-01", "2025-01-01", Some("2025-02-01")),
                t("2025-01-01", "2025-03-01", Some("2025-03-29")),
                // 2025-Q2: idea→live 30 days; live→value 15 days; one without value yet.
                t("2025-03-02", "2025-04-01", Some("2025-04-16")),
                t("2025-03-02", "2025-04-01", None),
            ],
            None,
        );
        assert_eq!(q[0].quarter, "2025-Q1");
        // Median of 31, 59 = 45; p90 = 31 + 0.9 × 28 = 56.2.
        assert_eq!(q[0].idea_to_live.median_days, Some(45.0));
        assert!((q[0].idea_to_live.p90_days.unwrap() - 56.2).abs() < 1e-9);
        // Median of 28, 31 = 29.5; Q2 is 15: (15 − 29.5) / 29.5 = −49.15%.
        assert_eq!(q[0].live_to_value.median_days, Some(29.5));
        assert_eq!(q[1].live_to_value.solutions, 1);
        assert!((q[1].value_change_percent.unwrap() + 14.5 / 29.5 * 100.0).abs() < 1e-9);
        assert_eq!(q[0].value_change_percent, Some(0.0));
    }
}
