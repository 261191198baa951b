//! Value lines and cost lines: what a solution is claimed to return, and what it costs.
//!
//! The models that turn a value line's parameters into money per period arrive with the value
//! engine (issue #5); this module holds the records the register keeps.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, VariantNames};

use crate::Money;

/// The category of a benefit.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Category {
    /// Hours given back to people.
    TimeSavings,
    /// Spend that stops (cashable).
    CostReduction,
    /// Spend that would have happened and does not.
    CostAvoidance,
    /// Incremental revenue.
    Revenue,
    /// Fewer errors and less rework.
    Quality,
    /// Risk and compliance (non-financial, scored).
    RiskCompliance,
    /// Employee or customer experience (non-financial, scored).
    Experience,
}

impl Category {
    /// Whether lines of this category carry a 1–5 score instead of money.
    pub fn is_scored(self) -> bool {
        matches!(self, Self::RiskCompliance | Self::Experience)
    }
}

/// How a benefit's figures are known, from the strongest evidence to the weakest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum EvidenceGrade {
    /// Measured from system data (telemetry, logs).
    SystemData,
    /// Measured by a survey or a time study.
    Survey,
    /// Estimated by the solution's owner.
    OwnerEstimate,
    /// An assumption.
    Assumption,
}

/// One claimed benefit of a solution under one value model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueLine {
    /// The store's identifier.
    pub id: i64,
    /// The solution it belongs to.
    pub solution: String,
    /// The benefit's category.
    pub category: Category,
    /// The value model's name, such as `time-saved-per-use`.
    pub model: String,
    /// The model's parameters, as the model documents them.
    pub parameters: serde_json::Value,
    /// The share of the benefit attributed to this solution, from 0 to 1.
    pub attribution: Decimal,
    /// How the figures are known.
    pub evidence: EvidenceGrade,
    /// The process this benefit belongs to; lines with the same process claim the same benefit.
    pub process: Option<String>,
    /// The first day the benefit counts.
    pub start: NaiveDate,
    /// How many months it counts.
    pub horizon_months: u32,
}

/// Whether a cost happens once or recurs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum CostKind {
    /// Build hours, external spend: once, at the start.
    OneTime,
    /// Licenses, capacity, pay-as-you-go, maintenance: every month.
    Monthly,
}

/// One cost of a solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    /// The store's identifier.
    pub id: i64,
    /// The solution it belongs to.
    pub solution: String,
    /// Once or every month.
    pub kind: CostKind,
    /// What the cost is for, such as `build`, `license`, `capacity`.
    pub item: String,
    /// The amount, once or per month.
    pub amount: Money,
    /// The first day of the cost.
    pub start: NaiveDate,
    /// The first day it no longer applies (half-open), if it ends.
    pub end: Option<NaiveDate>,
}
