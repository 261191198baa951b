//! ROI guidelines: the workspace's published rules for valuing solutions, kept in versions.
//!
//! Every computed figure names the guideline version it used. A change never edits a
//! version: it creates the next one, and old versions stay readable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::solution::EnvironmentType;
use crate::value::EvidenceGrade;

/// The settings of one guideline version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guideline {
    /// Analysis horizon in years (TEI default: 3).
    pub horizon_years: u32,
    /// Yearly discount rate as a fraction (TEI default: 0.10).
    pub discount_rate: f64,
    /// Reduction applied to benefits of each evidence grade, as a fraction.
    pub risk_adjustment: BTreeMap<EvidenceGrade, f64>,
    /// Increase applied to costs for their uncertainty, as a fraction.
    pub cost_risk_adjustment: f64,
    /// Working days in a year, for estimates given per day or week.
    pub working_days_per_year: u32,
    /// Working hours in a day.
    pub working_hours_per_day: f64,
    /// An estimate is accurate when realized ÷ estimated is within 1 ± this fraction.
    pub accuracy_tolerance: f64,
    /// Months live before a solution's estimate is checked against realized value.
    pub maturity_months: u32,
    /// Environment types whose usage counts as value. Only successful runs ever count.
    pub counted_environments: Vec<EnvironmentType>,
}

impl Default for Guideline {
    /// The documented defaults of a new workspace.
    ///
    /// Horizon and discount rate follow Forrester's Total Economic Impact methodology (three
    /// years at 10%). The risk adjustments grow as evidence weakens; TEI studies commonly
    /// reduce benefits by 10–20% for risk, and Worth's defaults span that range.
    /// 220 working days of 8 hours is the usual full-time year (1,760 hours).
    fn default() -> Self {
        Self {
            horizon_years: 3,
            discount_rate: 0.10,
            risk_adjustment: BTreeMap::from([
                (EvidenceGrade::SystemData, 0.05),
                (EvidenceGrade::Survey, 0.10),
                (EvidenceGrade::OwnerEstimate, 0.20),
                (EvidenceGrade::Assumption, 0.30),
            ]),
            cost_risk_adjustment: 0.05,
            working_days_per_year: 220,
            working_hours_per_day: 8.0,
            accuracy_tolerance: 0.25,
            maturity_months: 6,
            counted_environments: vec![EnvironmentType::Production, EnvironmentType::Default],
        }
    }
}

/// The keys that `set` accepts, with what each means; shown when a key is unknown.
pub const KEYS: &[(&str, &str)] = &[
    ("horizon_years", "analysis horizon in years, 1 to 10"),
    ("discount_rate", "yearly discount rate, 0 to 1 (or 0% to 100%)"),
    ("risk.system-data", "benefit reduction for data measured from systems, 0 to 0.9"),
    ("risk.survey", "benefit reduction for survey or time-study data, 0 to 0.9"),
    ("risk.owner-estimate", "benefit reduction for owner estimates, 0 to 0.9"),
    ("risk.assumption", "benefit reduction for assumptions, 0 to 0.9"),
    ("cost_risk_adjustment", "cost increase for uncertainty, 0 to 1"),
    ("working_days_per_year", "working days in a year, 1 to 366"),
    ("working_hours_per_day", "working hours in a day, above 0 and at most 24"),
    ("accuracy_tolerance", "tolerance of estimate accuracy, above 0 and at most 1"),
    ("maturity_months", "months live before accuracy is checked, 1 to 60"),
    ("counted_environments", "environment types whose usage counts, comma separated"),
];

impl Guideline {
    /// Sets one setting from its textual form, checking its range.
    ///
    /// Fractions may be written as `0.08` or `8%`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ValidationError> {
        let key = key.trim();
        match key {
            "horizon_years" => self.horizon_years = int_in(key, value, 1, 10)?,
            "discount_rate" => self.discount_rate = fraction_in(key, value, 0.0, 1.0)?,
            "cost_risk_adjustment" => {
                self.cost_risk_adjustment = fraction_in(key, value, 0.0, 1.0)?;
            }
            "working_days_per_year" => self.working_days_per_year = int_in(key, value, 1, 366)?,
            "working_hours_per_day" => {
                let hours = number(key, value)?;
                if !(hours > 0.0 && hours <= 24.0) {
                    return Err(out_of_range(key, value, "above 0 and at most 24"));
                }
                self.working_hours_per_day = hours;
            }
            "accuracy_tolerance" => {
                let t = fraction_in(key, value, 0.0, 1.0)?;
                if t <= 0.0 {
                    return Err(out_of_range(key, value, "above 0 and at most 1"));
                }
                self.accuracy_tolerance = t;
            }
            "maturity_months" => self.maturity_months = int_in(key, value, 1, 60)?,
            "counted_environments" => {
                let mut types = Vec::new();
                for part in value.split(',').filter(|p| !p.trim().is_empty()) {
                    let t = crate::solution::parse_choice::<EnvironmentType>(key, part)?;
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
                if types.is_empty() {
                    return Err(ValidationError::new(key, "must name at least one type"));
                }
                self.counted_environments = types;
            }
            _ => {
                if let Some(grade) = key.strip_prefix("risk.") {
                    let grade = crate::solution::parse_choice::<EvidenceGrade>(key, grade)?;
                    let adjustment = fraction_in(key, value, 0.0, 0.9)?;
                    self.risk_adjustment.insert(grade, adjustment);
                } else {
                    let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                    let hint = crate::suggest::closest(key, known.iter().copied())
                        .map(|k| format!("did you mean {k}? "))
                        .unwrap_or_default();
                    return Err(ValidationError::new(
                        key,
                        format!("is not a guideline setting; {hint}known: {}", known.join(", ")),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The benefit reduction for an evidence grade (0 when the guideline has none for it).
    pub fn risk_for(&self, grade: EvidenceGrade) -> f64 {
        self.risk_adjustment.get(&grade).copied().unwrap_or(0.0)
    }
}

fn number(key: &str, value: &str) -> Result<f64, ValidationError> {
    let text = value.trim();
    let (text, scale) = match text.strip_suffix('%') {
        Some(t) => (t.trim(), 0.01),
        None => (text, 1.0),
    };
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n * scale),
        _ => Err(ValidationError::new(key, format!("'{value}' is not a number"))),
    }
}

fn fraction_in(key: &str, value: &str, min: f64, max: f64) -> Result<f64, ValidationError> {
    let n = number(key, value)?;
    if n < min || n > max {
        let range = format!("from {}% to {}%", min * 100.0, max * 100.0);
        return Err(out_of_range(key, value, &range));
    }
    Ok(n)
}

fn int_in(key: &str, value: &str, min: u32, max: u32) -> Result<u32, ValidationError> {
    match value.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(_) => Err(out_of_range(key, value, &format!("from {min} to {max}"))),
        Err(_) => Err(ValidationError::new(key, format!("'{value}' is not a whole number"))),
    }
}

fn out_of_range(key: &str, value: &str, range: &str) -> ValidationError {
    ValidationError::new(key, format!("{} is out of range: use a value {range}", value.trim()))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("discount_rate", "0.08", Ok(()))]
    #[case("discount_rate", "8%", Ok(()))]
    #[case("discount_rate", "150%", Err("out of range"))]
    #[case("discount_rate", "1.5", Err("out of range"))]
    #[case("discount_rate", "abc", Err("not a number"))]
    #[case("horizon_years", "0", Err("out of range"))]
    #[case("horizon_years", "5", Ok(()))]
    #[case("risk.owner-estimate", "25%", Ok(()))]
    #[case("risk.owner_estimate", "0.95", Err("out of range"))]
    #[case("risk.guess", "0.1", Err("is not one of"))]
    #[case("discount", "0.1", Err("did you mean discount_rate"))]
    #[case("working_hours_per_day", "0", Err("out of range"))]
    #[case("counted_environments", "production, sandbox", Ok(()))]
    #[case("counted_environments", "prod", Err("is not one of"))]
    fn settings_are_checked(
        #[case] key: &str,
        #[case] value: &str,
        #[case] expected: Result<(), &str>,
    ) {
        let mut g = Guideline::default();
        match (g.set(key, value), expected) {
            (Ok(()), Ok(())) => {}
            (Err(e), Err(fragment)) => assert!(e.message.contains(fragment), "{e}"),
            (got, want) => panic!("{key}={value}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn percentages_and_fractions_mean_the_same() {
        let mut a = Guideline::default();
        let mut b = Guideline::default();
        a.set("discount_rate", "8%").unwrap();
        b.set("discount_rate", "0.08").unwrap();
        assert!((a.discount_rate - b.discount_rate).abs() < 1e-15);
        a.set("risk.survey", "0.15").unwrap();
        assert!((a.risk_for(EvidenceGrade::Survey) - 0.15).abs() < 1e-15);
    }

    #[test]
    fn a_guideline_round_trips_through_json() {
        let g = Guideline::default();
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<Guideline>(&json).unwrap(), g);
        assert!(json.contains(r#""owner-estimate":0.2"#), "{json}");
    }
}
