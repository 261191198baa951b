//! Value lines and cost lines: what a solution is claimed to return, and what it costs, and
//! the models and engine that turn them into money per month.

pub mod accuracy;
pub mod attribution;
pub mod engine;
pub mod explain;
pub mod financial;
pub mod models;
pub mod portfolio;
pub mod quantity;
pub mod simulate;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Currency, Money, ValidationError};
use models::ModelSpec;

choice_enum! {
    /// The category of a benefit.
    Category {
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
}

impl Category {
    /// Whether lines of this category carry a 1–5 score instead of money.
    pub fn is_scored(self) -> bool {
        matches!(self, Self::RiskCompliance | Self::Experience)
    }
}

choice_enum! {
    /// How a benefit's figures are known, from the strongest evidence to the weakest.
    EvidenceGrade {
        /// Measured from system data (telemetry, logs).
        SystemData,
        /// Measured by a survey or a time study.
        Survey,
        /// Estimated by the solution's owner.
        OwnerEstimate,
        /// An assumption.
        Assumption,
    }
}

/// One claimed benefit of a solution under one value model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueLine {
    /// The store's identifier.
    pub id: i64,
    /// The solution's store identifier.
    pub solution_id: i64,
    /// The line's name, unique within its solution.
    pub name: String,
    /// The benefit's category.
    pub category: Category,
    /// The model and its current parameters (the latest estimate).
    pub spec: ModelSpec,
    /// The currency of the line's amounts.
    pub currency: Currency,
    /// The share of the benefit attributed to this solution, from 0 to 1.
    pub attribution: Decimal,
    /// How the figures are known.
    pub evidence: EvidenceGrade,
    /// The process this benefit belongs to; lines of one business unit with the same process
    /// claim the same benefit, and their attributions may not exceed 100% together.
    pub process: Option<String>,
    /// The first month the benefit counts in an estimate.
    pub start: NaiveDate,
    /// How many months it counts.
    pub horizon_months: u32,
    /// The estimate frozen when the solution was approved, if it has been.
    pub frozen: Option<FrozenEstimate>,
}

/// An estimate as it stood when it was frozen: at approval, or as a later re-estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenEstimate {
    /// 1 for the estimate frozen at approval; 2 and up for re-estimates.
    pub revision: i64,
    /// The model and parameters as they were.
    pub spec: ModelSpec,
    /// The attribution as it was.
    pub attribution: Decimal,
    /// The guideline version in force when it was frozen.
    pub guideline_version: i64,
    /// The day it was frozen.
    pub frozen_on: NaiveDate,
}

impl ValueLine {
    /// Checks a line before it is stored.
    pub fn check(&self) -> Result<(), ValidationError> {
        crate::org::validate_name("name", &self.name)?;
        if self.attribution < Decimal::ZERO || self.attribution > Decimal::ONE {
            return Err(ValidationError::new(
                "attribution",
                format!(
                    "{}% must be from 0% to 100%",
                    (self.attribution * Decimal::from(100)).normalize()
                ),
            ));
        }
        if self.horizon_months == 0 || self.horizon_months > 120 {
            return Err(ValidationError::new(
                "horizon-months",
                format!("{} must be from 1 to 120 months", self.horizon_months),
            ));
        }
        if self.category.is_scored() != self.spec.is_scored() {
            return Err(ValidationError::new(
                "model",
                format!(
                    "{} lines are {}; use {}",
                    self.category,
                    if self.category.is_scored() { "scored" } else { "money" },
                    if self.category.is_scored() { "the scored model" } else { "a money model" }
                ),
            ));
        }
        self.spec.check()
    }
}

choice_enum! {
    /// Whether a cost happens once or recurs.
    CostKind {
        /// Build hours, external spend: once, at the start.
        OneTime,
        /// Licenses, capacity, pay-as-you-go, maintenance: every month.
        Monthly,
    }
}

/// One cost of a solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    /// The store's identifier.
    pub id: i64,
    /// The solution's store identifier.
    pub solution_id: i64,
    /// Once or every month.
    pub kind: CostKind,
    /// What the cost is for, such as `build`, `license`, `capacity`, `maintenance`.
    pub item: String,
    /// The amount, once or per month.
    pub amount: Money,
    /// The day of a one-time cost, or the first day of a monthly one.
    pub start: NaiveDate,
    /// The first day a monthly cost no longer applies (half-open), if it ends.
    pub end: Option<NaiveDate>,
    /// How the amount was worked out (`120 h × 55 USD, analyst rate card`), if it was.
    pub basis: Option<String>,
}

impl CostLine {
    /// Checks a cost before it is stored.
    pub fn check(&self) -> Result<(), ValidationError> {
        crate::org::validate_name("item", &self.item)?;
        if self.amount.amount.is_sign_negative() && !self.amount.amount.is_zero() {
            return Err(ValidationError::new(
                "amount",
                format!("{} must not be negative; record savings as value lines", self.amount),
            ));
        }
        if let Some(end) = self.end
            && end <= self.start
        {
            return Err(ValidationError::new("end", format!("{end} must be after {}", self.start)));
        }
        Ok(())
    }

    /// The cost falling in the month that starts on `month` (one-time costs fall in their
    /// month; monthly costs in every month from their start's month until their end).
    pub fn in_month(&self, month: NaiveDate) -> rust_decimal::Decimal {
        let first = crate::period::month_of(self.start);
        match self.kind {
            CostKind::OneTime if first == month => self.amount.amount,
            CostKind::Monthly if month >= first && self.end.is_none_or(|end| month < end) => {
                self.amount.amount
            }
            _ => rust_decimal::Decimal::ZERO,
        }
    }
}
