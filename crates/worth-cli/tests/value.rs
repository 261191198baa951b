//! Value lines, costs, ROI, accuracy and explain through the `worth` binary: the figures of
//! `worth roi` and `worth explain` agree to the cent, and refused input says why.

use predicates::prelude::*;
use rstest::rstest;
use serde_json::Value;

mod common;

use common::Workspace as Ws;

impl Ws {
    /// Two solutions in two units: one live with a measured unit-cost line and costs, one
    /// approved with a forecast-only time-saving line.
    fn portfolio() -> Self {
        let ws = Ws::new();
        for args in [
            &["bu", "add", "Finance"][..],
            &["bu", "add", "Sales"],
            &[
                "solution",
                "add",
                "Invoice intake",
                "--bu",
                "Finance",
                "--kind",
                "cloud-flow",
                "--on",
                "2025-01-02",
            ],
            &[
                "solution",
                "add",
                "Quote builder",
                "--bu",
                "Sales",
                "--kind",
                "canvas-app",
                "--on",
                "2025-01-02",
            ],
            &[
                "rate",
                "add",
                "--role",
                "seller",
                "--hourly",
                "80",
                "--currency",
                "USD",
                "--from",
                "2024-01-01",
            ],
            &[
                "value",
                "add",
                "Invoice intake",
                "--name",
                "cheaper invoices",
                "--category",
                "cost-reduction",
                "--model",
                "unit-cost",
                "--param",
                "cost_before=12.50",
                "--param",
                "cost_after=4.00",
                "--param",
                "estimated_units=500/month",
                "--start",
                "2025-02-01",
                "--evidence",
                "system-data",
            ],
            &[
                "value",
                "add",
                "Quote builder",
                "--name",
                "faster quotes",
                "--category",
                "time-savings",
                "--model",
                "time-saved-per-use",
                "--param",
                "minutes_per_use=10..15..30",
                "--param",
                "role=seller",
                "--param",
                "estimated_uses=40/week",
                "--start",
                "2025-03-01",
            ],
            &[
                "cost",
                "add",
                "Invoice intake",
                "--kind",
                "one-time",
                "--item",
                "build",
                "--amount",
                "6000",
                "--start",
                "2025-01-10",
            ],
            &[
                "cost",
                "add",
                "Invoice intake",
                "--kind",
                "monthly",
                "--item",
                "license",
                "--amount",
                "100",
                "--start",
                "2025-02-01",
            ],
            &[
                "cost",
                "add",
                "Quote builder",
                "--kind",
                "one-time",
                "--item",
                "build",
                "--hours",
                "120",
                "--role",
                "seller",
                "--start",
                "2025-02-01",
            ],
            &["solution", "set-stage", "Invoice intake", "approved", "--on", "2025-01-15"],
            &["solution", "set-stage", "Invoice intake", "live", "--on", "2025-02-01"],
            &["solution", "set-stage", "Quote builder", "approved", "--on", "2025-02-15"],
        ] {
            ws.ok(args);
        }
        for (month, units) in [("2025-02", "420"), ("2025-03", "480"), ("2025-04", "510")] {
            ws.ok(&["value", "measure", "Invoice intake", "units", month, units]);
        }
        ws
    }
}

#[test]
fn roi_and_explain_agree_to_the_cent() {
    let ws = Ws::portfolio();
    let roi = ws.json(&["roi", "--by", "solution"]);
    let rows = roi["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let key = row["key"].as_str().unwrap();
        let name = key.split(" / ").nth(1).unwrap();
        let explained = ws.json(&["explain", "solution", name]);
        for figure in ["npv", "pv_benefits", "pv_costs", "roi_percent", "value_to_date"] {
            assert_eq!(explained["figures"][figure], row[figure], "{key} {figure}");
        }
        let text = ws.ok(&["explain", "solution", name]);
        let npv = row["npv"].as_str().unwrap();
        assert!(text.starts_with(&format!("NPV: {npv} USD")), "{text}");
        let tree_npv = explained["explain"]["value"].as_str().unwrap();
        assert_eq!(tree_npv, format!("{npv} USD"));
    }
}

#[test]
fn realized_value_is_measured_and_the_explanation_names_its_inputs() {
    let ws = Ws::portfolio();
    let explained = ws.json(&["explain", "solution", "Invoice intake"]);
    // 420 + 480 + 510 units × (12.50 − 4.00) = 11,985.00 realized before risk.
    assert_eq!(explained["figures"]["value_to_date"], "11985.00");
    let text = ws.ok(&["explain", "solution", "Invoice intake"]);
    assert!(text.contains("units counted: 420"), "{text}");
    assert!(text.contains("cost 'build' (one-time): 6000.00 USD"), "{text}");
    assert!(text.contains("guideline: v1"), "{text}");
    let value = ws.json(&["value", "--by", "bu"]);
    assert_eq!(value["rows"][0]["key"], "Finance");
    assert_eq!(value["rows"][0]["realized"], "11985.00");
    // The estimate for the same months: every complete month since go-live (unmeasured
    // months realize nothing), each 500 × 8.50.
    let months = value["rows"][0]["months"].as_u64().unwrap();
    assert!(months >= 3);
    let expected = format!("{}.00", months * 4250);
    assert_eq!(value["rows"][0]["estimated"], expected.as_str());
    let march = ws.json(&["value", "--by", "portfolio", "--from", "2025-03", "--to", "2025-03"]);
    assert_eq!(march["total"], "4080.00"); // 480 × 8.50
}

#[test]
fn business_units_add_up_to_the_portfolio() {
    let ws = Ws::portfolio();
    let total = ws.json(&["roi"]);
    let by_bu = ws.json(&["roi", "--by", "bu"]);
    let amount = |v: &Value| -> rust_decimal::Decimal { v.as_str().unwrap().parse().unwrap() };
    for field in ["pv_benefits", "pv_costs"] {
        let sum: rust_decimal::Decimal =
            by_bu["rows"].as_array().unwrap().iter().map(|r| amount(&r[field])).sum();
        let whole = amount(&total["rows"][0][field]);
        assert!((sum - whole).abs() <= rust_decimal::dec!(0.02), "{field}: {sum} vs {whole}");
    }
    assert_eq!(total["guideline_version"], 1);
}

#[test]
fn a_re_estimate_after_approval_keeps_the_frozen_estimate() {
    let ws = Ws::portfolio();
    let lines = ws.json(&["value", "list", "--solution", "Invoice intake"]);
    assert_eq!(lines[0]["frozen"]["revision"], 1);
    let changed = ws.json(&[
        "value",
        "reestimate",
        "Invoice intake",
        "cheaper invoices",
        "--param",
        "cost_after=6.00",
        "--reason",
        "supplier price rise",
    ]);
    assert_eq!(changed[0]["spec"]["cost_after"]["likely"], "6.00");
    assert_eq!(changed[0]["frozen"]["spec"]["cost_after"]["likely"], "4.00");
    assert_eq!(changed[0]["spec"]["cost_before"]["likely"], "12.50");
    // Accuracy and the estimate series still use the frozen estimate: 8.50 saved a unit.
    let value = ws.json(&["value", "--by", "bu"]);
    let months = value["rows"][0]["months"].as_u64().unwrap();
    assert_eq!(value["rows"][0]["estimated"], format!("{}.00", months * 4250).as_str());
    // Realized value uses the current parameters: 6.50 saved a unit.
    assert_eq!(value["rows"][0]["realized"], "9165.00"); // 1,410 units × 6.50
}

#[test]
fn maintenance_as_a_percentage_of_the_build_is_a_monthly_cost() {
    let ws = Ws::portfolio();
    let cost = ws.json(&[
        "cost",
        "add",
        "Invoice intake",
        "--kind",
        "monthly",
        "--item",
        "maintenance",
        "--percent-of-build",
        "15%",
        "--start",
        "2025-02-01",
    ]);
    // 15% a year of the 6,000.00 build, charged monthly: 75.00.
    assert_eq!(cost[0]["amount"]["amount"], "75.00");
    assert!(cost[0]["basis"].as_str().unwrap().contains("15% a year of one-time costs 6000"));
}

#[test]
fn accuracy_reports_mature_solutions_and_the_ones_never_checked() {
    let ws = Ws::portfolio();
    let report = ws.json(&["accuracy"]);
    let solutions = report["solutions"].as_array().unwrap();
    assert_eq!(solutions.len(), 1, "only the live solution is mature");
    assert_eq!(solutions[0]["solution"], "Finance / Invoice intake");
    assert_eq!(report["tolerance"], 0.25);
}

#[rstest]
#[case::unknown_model(
    &["value", "add", "Invoice intake", "--name", "x", "--category", "revenue", "--model", "magic"],
    "'magic' is not a value model; known: time-saved-per-use"
)]
#[case::missing_parameter(
    &["value", "add", "Invoice intake", "--name", "x", "--category", "revenue", "--model",
      "revenue"],
    "missing field `margin_per_unit`"
)]
#[case::attribution_over_100(
    &["value", "add", "Invoice intake", "--name", "x", "--category", "revenue", "--model",
      "revenue", "--param", "margin_per_unit=5", "--attribution", "150%"],
    "attribution: 150% must be from 0% to 100%"
)]
#[case::bad_range(
    &["value", "add", "Invoice intake", "--name", "x", "--category", "revenue", "--model",
      "revenue", "--param", "margin_per_unit=9..5..7"],
    "min ≤ likely ≤ max"
)]
#[case::bad_expression(
    &["value", "add", "Invoice intake", "--name", "x", "--category", "revenue", "--model",
      "custom", "--param", "expression=uses * speed"],
    "'speed' is not a parameter or a measurement"
)]
#[case::scored_category_with_money_model(
    &["value", "add", "Invoice intake", "--name", "x", "--category", "experience", "--model",
      "revenue", "--param", "margin_per_unit=5"],
    "experience lines are scored"
)]
#[case::cost_without_rate_card(
    &["cost", "add", "Invoice intake", "--kind", "one-time", "--item", "build", "--hours", "10",
      "--role", "wizard"],
    "no rate card for role 'wizard'"
)]
#[case::negative_units(
    &["value", "measure", "Invoice intake", "units", "2025-05", "-430"],
    "a count of units cannot be negative"
)]
#[case::explain_unknown_solution(&["explain", "solution", "Invoice intak"], "did you mean 'Invoice intake'?")]
fn refused_value_input_says_why(#[case] args: &[&str], #[case] message: &str) {
    let ws = Ws::portfolio();
    ws.cmd(args).assert().code(1).stderr(predicate::str::contains(message));
}
