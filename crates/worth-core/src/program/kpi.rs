//! Key performance indicators: their definition, status against thresholds, trend, and the
//! evaluation of a KPI whose source is an expression over other metrics.
//!
//! Status compares the latest value with two thresholds in the KPI's own unit. For a KPI
//! where more is better (`increase`): at or above `on_track` it is on track, at or below
//! `off_track` it is off track, in between at risk. Where less is better (`decrease`) the
//! comparisons are mirrored. Trend is the least-squares slope over the last
//! [`TREND_POINTS`] measurements, as the change it makes over those periods relative to
//! their mean: within ±[`STEADY_BAND`] it is steady, otherwise improving or worsening
//! according to the direction.

use std::collections::BTreeMap;

use evalexpr::{
    ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Value, build_operator_tree,
};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

choice_enum! {
    /// Whether an indicator predicts or records an outcome.
    Indicator {
        /// Moves first and predicts a lagging indicator.
        Leading,
        /// Records the outcome.
        Lagging,
    }
}

choice_enum! {
    /// Which way is better.
    Direction {
        /// More is better.
        Increase,
        /// Less is better.
        Decrease,
    }
}

choice_enum! {
    /// Where the latest value stands against the thresholds.
    Status {
        /// At or beyond the on-track threshold.
        OnTrack,
        /// Between the thresholds.
        AtRisk,
        /// At or beyond the off-track threshold.
        OffTrack,
    }
}

choice_enum! {
    /// Which way the recent measurements move, judged by the direction.
    Trend {
        /// Moving the better way.
        Improving,
        /// Within the steady band.
        Steady,
        /// Moving the worse way.
        Worsening,
    }
}

/// How many of the latest measurements the trend looks at.
pub const TREND_POINTS: usize = 4;
/// The relative change below which a trend is steady (2%).
pub const STEADY_BAND: f64 = 0.02;

/// Where a KPI's values come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of", rename_all = "kebab-case")]
pub enum Source {
    /// Typed in or imported as measurements.
    Manual,
    /// A built-in metric of Worth (see [`super::metrics`]), by name.
    Metric(String),
    /// An `evalexpr` expression over the values of other KPIs or metrics, by name with `-`
    /// and spaces written `_` (`cost_per_transaction * volume`).
    Expression(String),
}

/// A KPI's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    /// Its name, unique in the workspace.
    pub name: String,
    /// What it measures.
    pub description: String,
    /// A category of the program (adoption, efficiency, quality…).
    pub category: String,
    /// Leading or lagging.
    pub indicator: Indicator,
    /// The unit of its values (`%`, `GBP`, `days`).
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The value at the start, if known.
    pub baseline: Option<f64>,
    /// The value aimed at.
    pub target: f64,
    /// On track at or beyond this value.
    pub on_track: f64,
    /// Off track at or beyond this value, the other way.
    pub off_track: f64,
    /// Who answers for it.
    pub owner: Option<String>,
    /// How often it is measured (`monthly`, `quarterly`).
    pub frequency: String,
    /// Where its values come from.
    pub source: Source,
    /// The lagging KPIs a leading one predicts, by name.
    pub predicts: Vec<String>,
}

impl Kpi {
    /// Checks the thresholds against the direction and the links against the indicator.
    pub fn check(&self) -> Result<(), ValidationError> {
        crate::org::validate_name("name", &self.name)?;
        for (field, v) in
            [("target", self.target), ("on-track", self.on_track), ("off-track", self.off_track)]
        {
            if !v.is_finite() {
                return Err(ValidationError::new(field, "must be a finite number"));
            }
        }
        let ordered = match self.direction {
            Direction::Increase => self.off_track < self.on_track,
            Direction::Decrease => self.off_track > self.on_track,
        };
        if !ordered {
            let way = match self.direction {
                Direction::Increase => "below",
                Direction::Decrease => "above",
            };
            return Err(ValidationError::new(
                "off-track",
                format!(
                    "{} must lie {way} the on-track threshold {} for a KPI to {}",
                    self.off_track, self.on_track, self.direction
                ),
            ));
        }
        if !self.predicts.is_empty() && self.indicator == Indicator::Lagging {
            return Err(ValidationError::new(
                "predicts",
                "only a leading indicator predicts others; make this KPI leading or drop the links",
            ));
        }
        if let Source::Expression(e) = &self.source {
            build_operator_tree::<DefaultNumericTypes>(e).map_err(|err| {
                ValidationError::new("expression", format!("'{e}' cannot be read: {err}"))
            })?;
        }
        Ok(())
    }

    /// The status of `value` against the thresholds.
    pub fn status(&self, value: f64) -> Status {
        let better_or_equal = |a: f64, b: f64| match self.direction {
            Direction::Increase => a >= b,
            Direction::Decrease => a <= b,
        };
        if better_or_equal(value, self.on_track) {
            Status::OnTrack
        } else if better_or_equal(self.off_track, value) {
            Status::OffTrack
        } else {
            Status::AtRisk
        }
    }

    /// The trend of `values` (oldest first, one per period); `None` below two values.
    pub fn trend(&self, values: &[f64]) -> Option<Trend> {
        let change = relative_change(values)?;
        if change.abs() < STEADY_BAND {
            return Some(Trend::Steady);
        }
        let better = match self.direction {
            Direction::Increase => change > 0.0,
            Direction::Decrease => change < 0.0,
        };
        Some(if better { Trend::Improving } else { Trend::Worsening })
    }
}

/// The change the least-squares line makes over the last [`TREND_POINTS`] of `values`,
/// relative to their mean's magnitude: `slope × (n − 1) / |mean|`.
pub fn relative_change(values: &[f64]) -> Option<f64> {
    let tail = &values[values.len().saturating_sub(TREND_POINTS)..];
    let n = tail.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = tail.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in tail.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    if mean_y.abs() < f64::EPSILON {
        return Some(if slope.abs() < f64::EPSILON { 0.0 } else { slope.signum() });
    }
    Some(slope * (nf - 1.0) / mean_y.abs())
}

/// Evaluates an expression source over named values (a name's `-` and spaces are written `_`).
pub fn evaluate(expression: &str, values: &BTreeMap<String, f64>) -> Result<f64, ValidationError> {
    let bad = |e: String| ValidationError::new("expression", format!("'{expression}': {e}"));
    let tree =
        build_operator_tree::<DefaultNumericTypes>(expression).map_err(|e| bad(e.to_string()))?;
    let mut ctx = HashMapContext::<DefaultNumericTypes>::new();
    for (name, v) in values {
        ctx.set_value(name.replace(['-', ' '], "_"), Value::Float(*v))
            .map_err(|e| bad(e.to_string()))?;
    }
    let v = tree.eval_number_with_context(&ctx).map_err(|e| bad(e.to_string()))?;
    if v.is_finite() { Ok(v) } else { Err(bad(format!("the result {v} is not a finite number"))) }
}

/// A value read from a wide file: one row per subject, one column per period and measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WideValue {
    /// The measure (a KPI's name).
    pub measure: String,
    /// The subject of the row.
    pub subject: String,
    /// The period of the column.
    pub period: String,
    /// The value.
    pub value: rust_decimal::Decimal,
}

/// A row of a wide file: its subject and its fields, each a name and a value or nothing.
pub type WideRow = (String, Vec<(String, Option<rust_decimal::Decimal>)>);

/// Splits wide rows into values. A field named `PERIOD / MEASURE` holds the measure for that
/// period; other fields are ignored, as are empty cells. A measure whose every value in the
/// whole file is 0 is a placeholder column, not a series of zeros: it comes out missing, and
/// its name is returned apart so the caller can say so.
pub fn wide_values(rows: &[WideRow]) -> (Vec<WideValue>, Vec<String>) {
    let mut values = Vec::new();
    let mut nonzero: BTreeMap<String, bool> = BTreeMap::new();
    for (subject, fields) in rows {
        for (name, value) in fields {
            let Some((period, measure)) = name.split_once(" / ") else { continue };
            let measure = measure.trim().to_lowercase();
            let seen = nonzero.entry(measure.clone()).or_default();
            let Some(value) = value else { continue };
            *seen |= !value.is_zero();
            values.push(WideValue {
                measure,
                subject: subject.clone(),
                period: period.trim().to_owned(),
                value: *value,
            });
        }
    }
    let zero: Vec<String> =
        nonzero.iter().filter(|(_, nz)| !**nz).map(|(m, _)| m.clone()).collect();
    values.retain(|v| !zero.contains(&v.measure));
    (values, zero)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn kpi(direction: Direction, on: f64, off: f64) -> Kpi {
        Kpi {
            name: "digital take-up".into(),
            description: String::new(),
            category: "adoption".into(),
            indicator: Indicator::Leading,
            unit: "%".into(),
            direction,
            baseline: None,
            target: on,
            on_track: on,
            off_track: off,
            owner: None,
            frequency: "quarterly".into(),
            source: Source::Manual,
            predicts: vec![],
        }
    }

    #[rstest]
    #[case(Direction::Increase, 80.0, 60.0, 85.0, Status::OnTrack)]
    #[case(Direction::Increase, 80.0, 60.0, 80.0, Status::OnTrack)]
    #[case(Direction::Increase, 80.0, 60.0, 70.0, Status::AtRisk)]
    #[case(Direction::Increase, 80.0, 60.0, 60.0, Status::OffTrack)]
    #[case(Direction::Decrease, 5.0, 9.0, 4.0, Status::OnTrack)]
    #[case(Direction::Decrease, 5.0, 9.0, 7.5, Status::AtRisk)]
    #[case(Direction::Decrease, 5.0, 9.0, 12.0, Status::OffTrack)]
    fn status_follows_thresholds_and_direction(
        #[case] d: Direction,
        #[case] on: f64,
        #[case] off: f64,
        #[case] value: f64,
        #[case] expected: Status,
    ) {
        assert_eq!(kpi(d, on, off).status(value), expected);
    }

    #[test]
    fn thresholds_must_match_the_direction() {
        assert!(kpi(Direction::Increase, 80.0, 60.0).check().is_ok());
        let e = kpi(Direction::Increase, 60.0, 80.0).check().unwrap_err();
        assert!(e.message.contains("below"), "{e}");
        assert!(kpi(Direction::Decrease, 60.0, 80.0).check().is_ok());
    }

    #[test]
    fn trend_is_judged_by_the_direction() {
        // 10, 12, 14, 16: slope 2, over 3 periods 6, mean 13: +46% — improving for increase.
        let rising = [10.0, 12.0, 14.0, 16.0];
        assert!((relative_change(&rising).unwrap() - 6.0 / 13.0).abs() < 1e-12);
        assert_eq!(kpi(Direction::Increase, 1.0, 0.0).trend(&rising), Some(Trend::Improving));
        assert_eq!(kpi(Direction::Decrease, 0.0, 1.0).trend(&rising), Some(Trend::Worsening));
        // 100, 101, 100, 101: slope 0.2, × 3 = 0.6, ÷ 100.5 < 2%: steady.
        let flat = [100.0, 101.0, 100.0, 101.0];
        assert_eq!(kpi(Direction::Increase, 1.0, 0.0).trend(&flat), Some(Trend::Steady));
        assert_eq!(kpi(Direction::Increase, 1.0, 0.0).trend(&[3.0]), None);
    }

    #[test]
    fn zero_filled_columns_are_missing_and_real_zeros_kept() {
        use rust_decimal::Decimal;
        let d = |n: i64| Some(Decimal::from(n));
        let rows = vec![
            (
                "a".to_owned(),
                vec![
                    ("2017-Q1 / volume".to_owned(), d(10)),
                    ("2017-Q1 / completion rate".to_owned(), d(0)),
                    ("2017-Q1 / digital volume".to_owned(), d(0)),
                    ("Name".to_owned(), d(3)),
                ],
            ),
            (
                "b".to_owned(),
                vec![
                    ("2017-Q1 / volume".to_owned(), None),
                    ("2017-Q1 / completion rate".to_owned(), d(0)),
                    ("2017-Q1 / digital volume".to_owned(), d(4)),
                ],
            ),
        ];
        let (values, zero) = wide_values(&rows);
        assert_eq!(zero, ["completion rate"]);
        // a: volume 10, digital volume 0 (a real zero: b has 4); b: digital volume 4.
        assert_eq!(values.len(), 3);
        assert!(
            values
                .iter()
                .any(|v| v.subject == "a" && v.measure == "digital volume" && v.value.is_zero())
        );
    }

    #[test]
    fn expressions_read_other_metrics() {
        let values =
            BTreeMap::from([("cost-per-transaction".into(), 2.5), ("volume".into(), 40.0)]);
        assert!(
            (evaluate("cost_per_transaction * volume", &values).unwrap() - 100.0).abs() < 1e-12
        );
        assert!(evaluate("nothing + 1", &values).is_err());
    }
}
