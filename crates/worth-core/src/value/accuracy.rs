//! Estimate accuracy: realized ÷ estimated over the same months, for solutions live longer
//! than the guideline's maturity.
//!
//! The estimate is the one frozen at approval, never a later re-estimate. A ratio within
//! `1 ± tolerance` is accurate. For groups (the portfolio, a business unit, an owner) Worth
//! reports the share of accurate estimates, the median ratio and the median absolute
//! percentage error `median(|realized − estimated| ÷ estimated)`, so owners and units whose
//! estimates run high or low can be calibrated.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::engine::Context;
use super::portfolio::Portfolio;
use crate::Problem;
use crate::period::{add_months, month_of, months_between};

/// One solution's accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolutionAccuracy {
    /// `business unit / name`.
    pub solution: String,
    /// Its business unit.
    pub business_unit: String,
    /// Its owner.
    pub owner: Option<String>,
    /// The month it went live.
    pub live_since: NaiveDate,
    /// Months compared: complete live months that the estimate covers.
    pub months: i64,
    /// The frozen estimate over those months, in the reporting currency.
    pub estimated: Decimal,
    /// Realized value over the same months.
    pub realized: Decimal,
    /// `realized ÷ estimated`; `None` when nothing was estimated for those months, or nothing
    /// realized (the estimate was never checked: see the problems).
    pub ratio: Option<f64>,
    /// Whether the ratio is within the tolerance.
    pub accurate: Option<bool>,
}

/// Accuracy statistics of a group of solutions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAccuracy {
    /// The group: a business unit, an owner, or `portfolio`.
    pub key: String,
    /// Solutions with a ratio.
    pub solutions: usize,
    /// Share of them within tolerance.
    pub share_accurate: Option<f64>,
    /// Median of their ratios.
    pub median_ratio: Option<f64>,
    /// Median absolute percentage error.
    pub mdape: Option<f64>,
}

/// The accuracy report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyReport {
    /// The tolerance used.
    pub tolerance: f64,
    /// Months live before a solution is compared.
    pub maturity_months: u32,
    /// The guideline version used.
    pub guideline_version: i64,
    /// Every mature solution.
    pub solutions: Vec<SolutionAccuracy>,
    /// The portfolio's statistics.
    pub portfolio: GroupAccuracy,
    /// By business unit.
    pub by_business_unit: Vec<GroupAccuracy>,
    /// By owner.
    pub by_owner: Vec<GroupAccuracy>,
    /// Mature solutions whose estimate was never checked against anything realized.
    pub problems: Vec<Problem>,
}

/// Accuracy of every solution live for at least the guideline's maturity.
pub fn accuracy(ctx: &Context<'_>, portfolio: &Portfolio) -> AccuracyReport {
    let this_month = month_of(ctx.today);
    let maturity = ctx.guideline.maturity_months;
    let tolerance = ctx.guideline.accuracy_tolerance;
    let mut solutions = Vec::new();
    let mut problems = Vec::new();
    for s in &portfolio.solutions {
        let Some(live) = s.live_since.map(month_of) else { continue };
        // Months are compared up to the retirement of a retired solution.
        let until = match s.stage {
            Some(crate::solution::Stage::Retired) => s
                .lines
                .iter()
                .flat_map(|l| l.expected.iter().map(|m| m.month))
                .max()
                .map_or(this_month, |m| add_months(m, 1).min(this_month)),
            _ => this_month,
        };
        if add_months(live, maturity) > until {
            continue;
        }
        let this_month = until;
        let money_lines = s.lines.iter().filter(|l| l.score.is_none());
        let (mut estimated, mut realized) = (Decimal::ZERO, Decimal::ZERO);
        for l in money_lines {
            estimated += l.estimated_between(live, this_month);
            realized += l.realized_between(live, this_month);
        }
        let key = format!("{} / {}", s.business_unit, s.name);
        // The months compared: complete live months that the estimate covers.
        let mut covered: Vec<NaiveDate> = s
            .lines
            .iter()
            .flat_map(|l| l.estimate.iter().map(|m| m.month))
            .filter(|m| *m >= live && *m < this_month)
            .collect();
        covered.sort();
        covered.dedup();
        let months = i64::try_from(covered.len()).unwrap_or(i64::MAX);
        let live_months = months_between(live, this_month);
        if realized.is_zero() {
            problems.push(Problem {
                kind: "never_checked".into(),
                subject: key.clone(),
                message: format!(
                    "live for {live_months} months with no realized value: import its usage or \
                     check that its external ids match the exports"
                ),
            });
        }
        // An estimate never checked against anything realized is a problem, not a ratio of 0.
        let ratio = (!estimated.is_zero() && !realized.is_zero())
            .then(|| (realized / estimated).to_f64().unwrap_or(0.0));
        // The ratio is taken on the exact sums; the sums are shown to the minor unit.
        let minor = ctx.currency.minor_units();
        let (estimated, realized) = (
            super::financial::round_amount(estimated, minor),
            super::financial::round_amount(realized, minor),
        );
        solutions.push(SolutionAccuracy {
            solution: key,
            business_unit: s.business_unit.clone(),
            owner: s.owner.clone(),
            live_since: live,
            months,
            estimated,
            realized,
            ratio,
            accurate: ratio.map(|r| (r - 1.0).abs() <= tolerance + 1e-12),
        });
    }
    let stats = |key: String, members: Vec<&SolutionAccuracy>| group(key, &members, tolerance);
    let grouped = |f: &dyn Fn(&SolutionAccuracy) -> String| {
        let mut by: BTreeMap<String, Vec<&SolutionAccuracy>> = BTreeMap::new();
        for s in &solutions {
            by.entry(f(s)).or_default().push(s);
        }
        by.into_iter().map(|(k, v)| stats(k, v)).collect::<Vec<_>>()
    };
    let by_business_unit = grouped(&|s| s.business_unit.clone());
    let by_owner = grouped(&|s| s.owner.clone().unwrap_or_else(|| "(no owner)".into()));
    let portfolio_stats = stats("portfolio".into(), solutions.iter().collect());
    AccuracyReport {
        tolerance,
        maturity_months: maturity,
        guideline_version: ctx.guideline_version,
        solutions,
        portfolio: portfolio_stats,
        by_business_unit,
        by_owner,
        problems,
    }
}

fn group(key: String, members: &[&SolutionAccuracy], tolerance: f64) -> GroupAccuracy {
    let ratios: Vec<f64> = members.iter().filter_map(|s| s.ratio).collect();
    let errors: Vec<f64> = ratios.iter().map(|r| (r - 1.0).abs()).collect();
    let accurate = errors.iter().filter(|e| **e <= tolerance + 1e-12).count();
    GroupAccuracy {
        key,
        solutions: ratios.len(),
        share_accurate: (!ratios.is_empty()).then(|| accurate as f64 / ratios.len() as f64),
        median_ratio: median(ratios),
        mdape: median(errors),
    }
}

/// The median; the mean of the two middle values for an even count.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
