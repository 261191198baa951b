//! The Total Economic Impact summary: present values, NPV, ROI and payback of a study.
//!
//! The conventions are Forrester's: initial benefits and costs sit at time 0 undiscounted,
//! each later year is discounted at its end, benefits are reduced and costs increased by the
//! risk adjustments, ROI = (PV benefits − PV costs) / PV costs, and payback is the first time
//! the cumulative risk-adjusted net benefit (undiscounted) reaches zero.

use serde::{Deserialize, Serialize};

use super::error::{FinanceError, Result, check_finite, check_rate};
use super::payback::{Payback, payback};

/// Benefits and costs of one column of a study, both as positive amounts.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TeiColumn {
    /// What the column brings in.
    pub benefits: f64,
    /// What the column costs, as a positive amount.
    pub costs: f64,
}

/// Risk adjustments as fractions: benefits are multiplied by `1 − benefits`, costs by
/// `1 + costs`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TeiRisk {
    /// The reduction of every benefit, from 0 to 1.
    pub benefits: f64,
    /// The increase of every cost, 0 or more.
    pub costs: f64,
}

/// The inputs of a TEI summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeiInput {
    /// The discount rate per year, above −1 (Forrester uses 10%).
    pub discount_rate: f64,
    /// The initial column, at time 0, undiscounted.
    pub initial: TeiColumn,
    /// Years 1 to N, each discounted at its end.
    pub years: Vec<TeiColumn>,
    /// Risk adjustments; none when absent.
    #[serde(default)]
    pub risk: Option<TeiRisk>,
}

/// The outputs of a TEI summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TeiSummary {
    /// `B_0 + Σ B_y / (1 + d)^y`, risk-adjusted.
    pub pv_benefits: f64,
    /// `C_0 + Σ C_y / (1 + d)^y`, risk-adjusted.
    pub pv_costs: f64,
    /// `pv_benefits − pv_costs`.
    pub npv: f64,
    /// `npv / pv_costs`, a fraction (3.2868 is 328.68%).
    pub roi: f64,
    /// Months until the cumulative risk-adjusted net benefit reaches zero, interpolated
    /// linearly inside a year; `None` when it never does within the study.
    pub payback_months: Option<f64>,
}

/// The TEI summary of `input`.
///
/// # Errors
///
/// `invalid_input` for a number that is not finite, a discount rate not above −1, a benefit
/// reduction outside 0 to 1 or a negative cost increase; `undefined` when the present value of
/// costs is zero, since ROI divides by it.
///
/// # Examples
///
/// ```
/// use worth_core::finance::{tei, TeiColumn, TeiInput};
/// let input = TeiInput {
///     discount_rate: 0.1,
///     initial: TeiColumn { benefits: 0.0, costs: 100.0 },
///     years: vec![TeiColumn { benefits: 220.0, costs: 0.0 }],
///     risk: None,
/// };
/// let summary = tei(&input).unwrap();
/// assert!((summary.npv - 100.0).abs() < 1e-9);
/// assert!((summary.roi - 1.0).abs() < 1e-12);
/// ```
pub fn tei(input: &TeiInput) -> Result<TeiSummary> {
    check_rate("discount_rate", input.discount_rate)?;
    let risk = input.risk.unwrap_or_default();
    check_finite("risk", &[risk.benefits, risk.costs])?;
    if !(0.0..=1.0).contains(&risk.benefits) || risk.costs < 0.0 {
        return Err(FinanceError::InvalidInput(format!(
            "risk.benefits must be from 0 to 1 and risk.costs 0 or more, got {} and {}",
            risk.benefits, risk.costs
        )));
    }
    let columns: Vec<TeiColumn> =
        std::iter::once(input.initial).chain(input.years.clone()).collect();
    for (i, c) in columns.iter().enumerate() {
        let name = if i == 0 { "initial".to_string() } else { format!("years[{}]", i - 1) };
        check_finite(&name, &[c.benefits, c.costs])?;
    }

    // Risk-adjust every column, then discount year y by (1 + d)^y.
    let benefits: Vec<f64> = columns.iter().map(|c| c.benefits * (1.0 - risk.benefits)).collect();
    let costs: Vec<f64> = columns.iter().map(|c| c.costs * (1.0 + risk.costs)).collect();
    let factor = 1.0 / (1.0 + input.discount_rate);
    let present = |xs: &[f64]| xs.iter().rev().fold(0.0, |acc, x| acc * factor + x);
    let pv_benefits = present(&benefits);
    let pv_costs = present(&costs);
    if pv_costs == 0.0 {
        return Err(FinanceError::Undefined(
            "roi divides by the present value of costs, which is zero".into(),
        ));
    }
    let npv = pv_benefits - pv_costs;

    // Payback on the undiscounted net benefit, in months.
    let net: Vec<f64> = benefits.iter().zip(&costs).map(|(b, c)| b - c).collect();
    let payback_months = match payback(&net)? {
        Payback::After(years) => Some(years * 12.0),
        Payback::Never => None,
    };
    Ok(TeiSummary { pv_benefits, pv_costs, npv, roi: npv / pv_costs, payback_months })
}
