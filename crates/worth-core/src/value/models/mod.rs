//! Value models: how a value line's parameters and a month's measurements become money.
//!
//! One module per model, each with its formula documented. A model is evaluated for one month
//! on one of two bases: **estimated**, from the parameters alone (counts per period converted
//! by the guideline's working calendar), or **realized**, from what was measured that month
//! (successful runs or sessions from the usage rollups, active users, measured units or metric
//! values). Attribution and the risk adjustment are applied by the engine, not here.

pub mod before_after;
pub mod custom;
pub mod errors_rework;
pub mod fixed_amount;
pub mod revenue;
pub mod scored;
pub mod time_per_use;
pub mod time_per_user;
pub mod unit_cost;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::explain::Explain;
use super::quantity::{Estimate, Rate};
use crate::guideline::Guideline;
use crate::{Currency, ValidationError};

/// Which figure a model computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// From the parameters alone, as at intake.
    Estimated,
    /// From the month's measurements.
    Realized,
}

/// What was measured for a solution in one month.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Measured {
    /// Uses that count: successful runs (flows, agents) or sessions (apps), in counted
    /// environments only.
    pub uses: Decimal,
    /// Distinct active users.
    pub active_users: Decimal,
    /// Units processed, when they are measured apart from uses.
    pub units: Option<Decimal>,
    /// Metrics measured that month, by name, for before/after lines.
    #[serde(default)]
    pub metrics: std::collections::BTreeMap<String, Decimal>,
    /// Where the measurements came from, for explanations.
    pub source: String,
}

/// An hourly cost, already in the line's currency, with the rate card it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hourly {
    /// Cost of one hour.
    pub amount: Decimal,
    /// The rate card, as a person reads it.
    pub source: String,
}

/// Everything a model may use for one month.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Estimated or realized.
    pub basis: Basis,
    /// The first day of the month.
    pub month: NaiveDate,
    /// The guideline in force, for the working calendar.
    pub guideline: &'a Guideline,
    /// The month's measurements (realized basis).
    pub measured: Option<&'a Measured>,
    /// The hourly cost of the line's role, when the model needs one.
    pub hourly: Option<&'a Hourly>,
    /// The line's currency.
    pub currency: Currency,
}

/// A model's result for one month, before attribution and risk.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The amount in the line's currency.
    pub amount: Decimal,
    /// The hours of work saved behind the amount, for the two time-saving models; none for
    /// the others, whose figures are not time.
    pub hours: Option<Decimal>,
    /// How it was made.
    pub explain: Explain,
}

/// Why a model could not produce a figure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// An input the model needs is missing.
    #[error("{0}")]
    Missing(String),
    /// A custom expression failed.
    #[error("expression: {0}")]
    Expression(String),
}

/// A value model with its parameters, as a value line stores it (`{"model": "…", …}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "kebab-case")]
pub enum ModelSpec {
    /// Minutes saved each time a solution is used.
    TimeSavedPerUse(time_per_use::Params),
    /// Minutes saved each week by each active user.
    TimeSavedPerUser(time_per_user::Params),
    /// Units processed at a lower cost per unit.
    UnitCost(unit_cost::Params),
    /// A metric moved from its baseline, valued per unit of change.
    BeforeAfter(before_after::Params),
    /// Fewer errors, less rework.
    ErrorsRework(errors_rework::Params),
    /// A fixed amount per month: retired licenses or systems.
    FixedAmount(fixed_amount::Params),
    /// Incremental units sold at a margin.
    Revenue(revenue::Params),
    /// An expression over named parameters and the month's measurements.
    Custom(custom::Params),
    /// A non-financial benefit: a 1–5 score and a statement.
    Scored(scored::Params),
}

/// The models' names, formulas and parameters, for help texts and the guideline document.
pub const CATALOGUE: &[(&str, &str, &str)] = &[
    (
        "time-saved-per-use",
        time_per_use::FORMULA,
        "minutes_per_use, role, estimated_uses (count/period)",
    ),
    ("time-saved-per-user", time_per_user::FORMULA, "minutes_per_week, role, estimated_users"),
    ("unit-cost", unit_cost::FORMULA, "cost_before, cost_after, estimated_units (count/period)"),
    (
        "before-after",
        before_after::FORMULA,
        "metric, baseline, value_per_unit, direction (increase|decrease), estimated_metric",
    ),
    (
        "errors-rework",
        errors_rework::FORMULA,
        "error_rate_before, error_rate_after, rework_minutes, role, estimated_uses (count/period)",
    ),
    ("fixed-amount", fixed_amount::FORMULA, "amount_per_month, cashable (true|false)"),
    ("revenue", revenue::FORMULA, "margin_per_unit, estimated_units (count/period)"),
    ("custom", custom::FORMULA, "expression, and any named parameters"),
    ("scored", scored::FORMULA, "score (1–5), statement"),
];

impl ModelSpec {
    /// The model's name, as stored.
    pub fn name(&self) -> &'static str {
        match self {
            Self::TimeSavedPerUse(_) => "time-saved-per-use",
            Self::TimeSavedPerUser(_) => "time-saved-per-user",
            Self::UnitCost(_) => "unit-cost",
            Self::BeforeAfter(_) => "before-after",
            Self::ErrorsRework(_) => "errors-rework",
            Self::FixedAmount(_) => "fixed-amount",
            Self::Revenue(_) => "revenue",
            Self::Custom(_) => "custom",
            Self::Scored(_) => "scored",
        }
    }

    /// The role whose hourly cost the model needs, if any.
    pub fn role(&self) -> Option<&str> {
        match self {
            Self::TimeSavedPerUse(p) => Some(&p.role),
            Self::TimeSavedPerUser(p) => Some(&p.role),
            Self::ErrorsRework(p) => Some(&p.role),
            Self::Custom(p) => p.role.as_deref(),
            _ => None,
        }
    }

    /// Whether the model yields a score rather than money.
    pub fn is_scored(&self) -> bool {
        matches!(self, Self::Scored(_))
    }

    /// Checks the parameters when a line is entered.
    pub fn check(&self) -> Result<(), ValidationError> {
        match self {
            Self::TimeSavedPerUse(p) => p.check(),
            Self::TimeSavedPerUser(p) => p.check(),
            Self::UnitCost(p) => p.check(),
            Self::BeforeAfter(p) => p.check(),
            Self::ErrorsRework(p) => p.check(),
            Self::FixedAmount(p) => p.check(),
            Self::Revenue(p) => p.check(),
            Self::Custom(p) => p.check(),
            Self::Scored(p) => p.check(),
        }
    }

    /// The model's figure for one month, before attribution and risk; scored models give 0.
    pub fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        match self {
            Self::TimeSavedPerUse(p) => p.evaluate(inputs),
            Self::TimeSavedPerUser(p) => p.evaluate(inputs),
            Self::UnitCost(p) => p.evaluate(inputs),
            Self::BeforeAfter(p) => p.evaluate(inputs),
            Self::ErrorsRework(p) => p.evaluate(inputs),
            Self::FixedAmount(p) => p.evaluate(inputs),
            Self::Revenue(p) => p.evaluate(inputs),
            Self::Custom(p) => p.evaluate(inputs),
            Self::Scored(p) => p.evaluate(inputs),
        }
    }

    /// This spec with some parameters changed (`key`, value as text): the re-estimate of a
    /// line keeps every parameter it is not given.
    pub fn with_changes(&self, changes: &[(String, String)]) -> Result<ModelSpec, ValidationError> {
        let serde_json::Value::Object(mut object) = serde_json::to_value(self).unwrap_or_default()
        else {
            return Err(ValidationError::new("model", "cannot read the line's parameters"));
        };
        let model =
            object.remove("model").and_then(|m| m.as_str().map(str::to_owned)).unwrap_or_default();
        let mut current: Vec<(String, String)> = Vec::new();
        if let Some(serde_json::Value::Object(params)) = object.remove("parameters") {
            for (k, v) in params {
                current.push((k, text_of(&v)));
            }
        }
        for (k, v) in object {
            current.push((k, text_of(&v)));
        }
        for (k, v) in changes {
            match current.iter_mut().find(|(ck, _)| ck == k) {
                Some(slot) => slot.1 = v.clone(),
                None => current.push((k.clone(), v.clone())),
            }
        }
        ModelSpec::from_pairs(&model, &current)
    }

    /// Builds a model from `key=value` pairs, as typed on the command line.
    pub fn from_pairs(model: &str, pairs: &[(String, String)]) -> Result<Self, ValidationError> {
        let mut object = serde_json::Map::new();
        object.insert("model".into(), serde_json::Value::String(model.trim().to_owned()));
        for (k, v) in pairs {
            let value = match v.trim() {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                text => serde_json::Value::String(text.to_owned()),
            };
            object.insert(k.trim().to_owned(), value);
        }
        if model.trim() == "custom" {
            custom::gather_parameters(&mut object);
        }
        let spec: ModelSpec = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|e| ValidationError::new("model", model_error_text(model, &e.to_string())))?;
        spec.check()?;
        Ok(spec)
    }
}

fn model_error_text(model: &str, serde_message: &str) -> String {
    let known: Vec<&str> = CATALOGUE.iter().map(|(n, _, _)| *n).collect();
    if !known.contains(&model.trim()) {
        return format!("'{model}' is not a value model; known: {}", known.join(", "));
    }
    let wants = CATALOGUE.iter().find(|(n, _, _)| *n == model.trim()).map_or("", |(_, _, p)| p);
    format!("{serde_message} (the {model} model takes: {wants})")
}

/// The uses of a month: estimated from a rate, or measured.
pub(crate) fn uses(
    inputs: &Inputs<'_>,
    estimated: Option<&Rate>,
    what: &str,
) -> Result<(Decimal, Explain), ModelError> {
    match inputs.basis {
        Basis::Estimated => {
            let rate = estimated.ok_or_else(|| {
                ModelError::Missing(format!(
                    "an estimate needs estimated_{what} (such as 120/week)"
                ))
            })?;
            let n = rate.per_month(inputs.guideline);
            let source = format!(
                "estimate {rate}, {} working days a year",
                inputs.guideline.working_days_per_year
            );
            Ok((n, Explain::input(format!("{what} per month"), n.round_dp(2), source)))
        }
        Basis::Realized => {
            let m = measured(inputs)?;
            let n = if what == "units" { m.units.unwrap_or(m.uses) } else { m.uses };
            Ok((n, Explain::input(format!("{what} counted"), n, m.source.clone())))
        }
    }
}

/// The month's measurements, required on the realized basis.
pub(crate) fn measured<'a>(inputs: &Inputs<'a>) -> Result<&'a Measured, ModelError> {
    inputs
        .measured
        .ok_or_else(|| ModelError::Missing(format!("no measurements for {}", inputs.month)))
}

/// The hourly cost the model needs.
pub(crate) fn hourly<'a>(
    inputs: &Inputs<'a>,
    role: &str,
) -> Result<(&'a Hourly, Explain), ModelError> {
    let h = inputs.hourly.ok_or_else(|| {
        ModelError::Missing(format!("no rate card for role '{role}' on {}", inputs.month))
    })?;
    let e = Explain::input(
        "hourly cost",
        format!("{} {}", h.amount, inputs.currency),
        h.source.clone(),
    );
    Ok((h, e))
}

/// A parameter's likely value, with its explanation.
pub(crate) fn param(label: &str, e: &Estimate) -> (Decimal, Explain) {
    let source = if e.is_uncertain() {
        format!("parameter, range {e}; the likely value is used")
    } else {
        "parameter".to_owned()
    };
    (e.likely, Explain::input(label, e.likely, source))
}

/// Formats an amount of the line's currency for explanations.
pub(crate) fn money(amount: Decimal, inputs: &Inputs<'_>) -> String {
    format!(
        "{} {}",
        amount.round_dp(inputs.currency.minor_units() + 2).normalize(),
        inputs.currency
    )
}

/// Sixty, for minutes to hours.
pub(crate) const MINUTES_PER_HOUR: Decimal = Decimal::from_parts(60, 0, 0, false, 0);

/// A parameter's JSON form back as the text a user types.
fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) if o.contains_key("count") => {
            let count = o.get("count").map(text_of).unwrap_or_default();
            let per = o.get("per").and_then(|p| p.as_str()).unwrap_or("month");
            format!("{count}/{per}")
        }
        serde_json::Value::Object(o) if o.contains_key("likely") => {
            let get = |k: &str| o.get(k).map(text_of);
            match (get("min"), get("likely"), get("max")) {
                (Some(lo), Some(l), Some(hi)) => format!("{lo}..{l}..{hi}"),
                (_, Some(l), _) => l,
                _ => String::new(),
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Inputs for the models' hand-computed cases.

    use rust_decimal::dec;

    use super::*;

    pub(crate) fn guideline() -> Guideline {
        Guideline::default()
    }

    pub(crate) fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    pub(crate) fn sample_measured(uses: u32, users: u32) -> Measured {
        Measured {
            uses: Decimal::from(uses),
            active_users: Decimal::from(users),
            units: None,
            metrics: Default::default(),
            source: "test rollups".into(),
        }
    }

    pub(crate) fn sample_hourly() -> Hourly {
        Hourly { amount: dec!(60), source: "analyst, all units, from 2025-01-01".into() }
    }

    pub(crate) fn inputs<'a>(
        basis: Basis,
        g: &'a Guideline,
        m: Option<&'a Measured>,
        h: Option<&'a Hourly>,
    ) -> Inputs<'a> {
        Inputs {
            basis,
            month: "2025-03-01".parse().unwrap(),
            guideline: g,
            measured: m,
            hourly: h,
            currency: usd(),
        }
    }
}
