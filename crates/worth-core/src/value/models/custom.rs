//! Custom models: an expression over named parameters and the month's measurements.
//!
//! Expressions are evaluated by the `evalexpr` crate. The variables are the line's parameters
//! (their likely values), and: `uses`, `users`, `units`, `metric` (the measurement named
//! `metric`; all four measured on the realized
//! basis; on the estimated basis taken from parameters `estimated_uses`, `estimated_users`,
//! `estimated_units`, `estimated_metric`), `hourly` (the hourly cost of the line's role, when
//! it has one) and `hours_per_month` (the guideline's working hours in a month). The result is
//! money per month in the line's currency. Arithmetic is in binary floating point, as the
//! crate does it; the result is rounded to 10 decimal places before it joins decimal money.
//! An expression is checked when it is entered: it must parse, name only known variables, and
//! give a number.

use std::collections::BTreeMap;

use evalexpr::{
    ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node, Value,
    build_operator_tree,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Basis, Figure, Inputs, ModelError, measured, money};
use crate::ValidationError;
use crate::value::explain::Explain;
use crate::value::quantity::Estimate;

/// The formula, as documents show it.
pub const FORMULA: &str = "an expression over the line's parameters and uses, users, units, \
                           metric, hourly and hours_per_month";

const MEASURED: [&str; 4] = ["uses", "users", "units", "metric"];

/// Parameters of a custom line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The expression, such as `uses * minutes / 60 * hourly + licences_retired * 20`.
    pub expression: String,
    /// The role whose hourly cost `hourly` is, if the expression uses it.
    #[serde(default)]
    pub role: Option<String>,
    /// Named parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, Estimate>,
}

/// Moves every `key=value` pair that is not a field of [`Params`] into `parameters`.
pub(crate) fn gather_parameters(object: &mut serde_json::Map<String, serde_json::Value>) {
    let keys: Vec<String> = object
        .keys()
        .filter(|k| !matches!(k.as_str(), "model" | "expression" | "role" | "parameters"))
        .cloned()
        .collect();
    let mut params = serde_json::Map::new();
    for k in keys {
        if let Some(v) = object.remove(&k) {
            params.insert(k, v);
        }
    }
    object.insert("parameters".into(), serde_json::Value::Object(params));
}

impl Params {
    fn tree(&self) -> Result<Node<DefaultNumericTypes>, ValidationError> {
        build_operator_tree::<DefaultNumericTypes>(&self.expression).map_err(|e| {
            ValidationError::new("expression", format!("'{}' does not parse: {e}", self.expression))
        })
    }

    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        let tree = self.tree()?;
        for (name, e) in &self.parameters {
            e.check(name, false)?;
        }
        let mut known: Vec<String> = self.parameters.keys().cloned().collect();
        known.extend(MEASURED.iter().map(|s| (*s).to_owned()));
        known.push("hours_per_month".into());
        if self.role.is_some() {
            known.push("hourly".into());
        }
        for var in tree.iter_variable_identifiers() {
            if !known.iter().any(|k| k == var) {
                let hint = if var == "hourly" { " (give role=... to use hourly)" } else { "" };
                return Err(ValidationError::new(
                    "expression",
                    format!("'{var}' is not a parameter or a measurement{hint}"),
                ));
            }
        }
        // A trial run with every variable at 1 catches expressions that give no number.
        let mut ctx = HashMapContext::<DefaultNumericTypes>::new();
        for k in &known {
            set(&mut ctx, k, 1.0).map_err(|e| ValidationError::new("expression", e))?;
        }
        tree.eval_number_with_context(&ctx).map_err(|e| {
            ValidationError::new(
                "expression",
                format!("'{}' gives no number: {e}", self.expression),
            )
        })?;
        Ok(())
    }

    pub(crate) fn evaluate(&self, inputs: &Inputs<'_>) -> Result<Figure, ModelError> {
        let tree = self.tree().map_err(|e| ModelError::Expression(e.message))?;
        let mut ctx = HashMapContext::<DefaultNumericTypes>::new();
        let mut children = Vec::new();
        for (name, e) in &self.parameters {
            set(&mut ctx, name, to_f64(e.likely)).map_err(ModelError::Expression)?;
            children.push(Explain::input(name.clone(), e.likely, "parameter"));
        }
        let used: Vec<&str> = tree.iter_variable_identifiers().collect();
        for name in MEASURED.iter().filter(|n| used.contains(*n)) {
            let (value, source) = match inputs.basis {
                Basis::Estimated => {
                    let key = format!("estimated_{name}");
                    let e = self.parameters.get(&key).ok_or_else(|| {
                        ModelError::Missing(format!("an estimate needs the parameter {key}"))
                    })?;
                    (e.likely, format!("parameter {key}"))
                }
                Basis::Realized => {
                    let m = measured(inputs)?;
                    let v = match *name {
                        "uses" => Some(m.uses),
                        "users" => Some(m.active_users),
                        "units" => Some(m.units.unwrap_or(m.uses)),
                        _ => m.metrics.get("metric").copied(),
                    };
                    let v = v.ok_or_else(|| {
                        ModelError::Missing(format!("no {name} measured for {}", inputs.month))
                    })?;
                    (v, m.source.clone())
                }
            };
            set(&mut ctx, name, to_f64(value)).map_err(ModelError::Expression)?;
            children.push(Explain::input(*name, value, source));
        }
        if used.contains(&"hourly") {
            let role = self.role.as_deref().unwrap_or_default();
            let (h, e) = super::hourly(inputs, role)?;
            set(&mut ctx, "hourly", to_f64(h.amount)).map_err(ModelError::Expression)?;
            children.push(e);
        }
        let g = inputs.guideline;
        let hours = f64::from(g.working_days_per_year) / 12.0 * g.working_hours_per_day;
        set(&mut ctx, "hours_per_month", hours).map_err(ModelError::Expression)?;
        let result = tree
            .eval_number_with_context(&ctx)
            .map_err(|e| ModelError::Expression(e.to_string()))?;
        // A month's value beyond a trillion is a runaway expression, not a benefit; refusing it
        // keeps the engine's sums inside what a decimal holds.
        if !result.is_finite() || result.abs() > 1e12 {
            return Err(ModelError::Expression(format!(
                "the result {result} is beyond a trillion a month: check the expression"
            )));
        }
        let amount = Decimal::from_f64_retain(result)
            .ok_or_else(|| ModelError::Expression(format!("the result {result} is not a number")))?
            .round_dp(10);
        Ok(Figure {
            amount,
            hours: None,
            explain: Explain::computed(
                "custom value",
                money(amount, inputs),
                self.expression.clone(),
                children,
            ),
        })
    }
}

fn set(
    ctx: &mut HashMapContext<DefaultNumericTypes>,
    name: &str,
    value: f64,
) -> Result<(), String> {
    ctx.set_value(name.to_owned(), Value::Float(value)).map_err(|e| e.to_string())
}

fn to_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::value::models::ModelSpec;
    use crate::value::models::test_support::*;

    fn spec() -> ModelSpec {
        let pairs = [
            ("expression", "uses * minutes / 60 * hourly + fixed"),
            ("role", "analyst"),
            ("minutes", "3"),
            ("fixed", "100"),
            ("estimated_uses", "200"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        ModelSpec::from_pairs("custom", &pairs).unwrap()
    }

    #[test]
    fn estimate_and_realized_by_hand() {
        let (g, h) = (guideline(), sample_hourly());
        let s = spec();
        // 200 × 3 ÷ 60 × 60 + 100 = 700.
        let f = s.evaluate(&inputs(Basis::Estimated, &g, None, Some(&h))).unwrap();
        assert_eq!(f.amount, dec!(700));
        // 150 × 3 ÷ 60 × 60 + 100 = 550.
        let m = sample_measured(150, 4);
        let f = s.evaluate(&inputs(Basis::Realized, &g, Some(&m), Some(&h))).unwrap();
        assert_eq!(f.amount, dec!(550));
    }

    #[test]
    fn expressions_are_checked_when_entered() {
        let bad = |expr: &str| {
            let pairs = [("expression".to_owned(), expr.to_owned())];
            ModelSpec::from_pairs("custom", &pairs).unwrap_err().message
        };
        let unparsable = bad("uses *");
        assert!(
            unparsable.contains("does not parse") || unparsable.contains("gives no number"),
            "{unparsable}"
        );
        assert!(bad("(uses").contains("does not parse"), "{}", bad("(uses"));
        assert!(bad("uses * speed").contains("'speed' is not a parameter"));
        assert!(bad("uses * hourly").contains("give role=... to use hourly"));
        assert!(bad("\"text\"").contains("gives no number"));
    }
}
