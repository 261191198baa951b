//! Golden tests of the finance kernel: every case of `tests/golden/*.json`, whose expected
//! values come from independent sources (see `tests/golden/README.md`).

use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use rstest::rstest;
use serde_json::Value;
use worth_core::finance::{self, FinanceError, Flow, NpvConvention, TeiInput, When};

/// What a kernel call produced, in the shape the golden files describe.
#[derive(Debug)]
enum Outcome {
    Value { value: f64, roots: Vec<f64> },
    Tei(finance::TeiSummary),
}

fn number(input: &Value, key: &str) -> f64 {
    input[key].as_f64().unwrap_or_else(|| panic!("case input lacks number {key}: {input}"))
}

fn number_or(input: &Value, key: &str, default: f64) -> f64 {
    input.get(key).and_then(Value::as_f64).unwrap_or(default)
}

fn whole(input: &Value, key: &str) -> u32 {
    let n = input[key].as_u64().unwrap_or_else(|| panic!("case input lacks whole {key}"));
    u32::try_from(n).expect("a period count fits u32")
}

fn when(input: &Value) -> When {
    match input.get("when").and_then(Value::as_str) {
        Some("begin") => When::Begin,
        _ => When::End,
    }
}

fn values(input: &Value) -> Vec<f64> {
    if let Some(runs) = input.get("values_runs").and_then(Value::as_array) {
        let mut out = Vec::new();
        for run in runs {
            let count = run[1].as_u64().expect("a run count");
            out.extend(std::iter::repeat_n(
                run[0].as_f64().expect("a run value"),
                usize::try_from(count).unwrap(),
            ));
        }
        return out;
    }
    input["values"].as_array().expect("values").iter().map(|v| v.as_f64().unwrap()).collect()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a YYYY-MM-DD date")
}

/// The last day of the month that `d` is in.
fn month_end(d: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap();
    first + Months::new(1) - chrono::Days::new(1)
}

fn flows(input: &Value) -> Vec<Flow> {
    let mut out: Vec<Flow> = input["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .map(|f| Flow::new(date(f["date"].as_str().unwrap()), f["amount"].as_f64().unwrap()))
        .collect();
    for run in input.get("month_end_runs").and_then(Value::as_array).into_iter().flatten() {
        let from = date(run["from"].as_str().unwrap());
        for k in 0..run["count"].as_u64().unwrap() {
            let month = from + Months::new(u32::try_from(k).unwrap());
            out.push(Flow::new(month_end(month), run["amount"].as_f64().unwrap()));
        }
    }
    out
}

fn single(value: f64) -> Outcome {
    Outcome::Value { value, roots: Vec::new() }
}

/// Runs one case's function on its input.
fn run(function: &str, input: &Value) -> Result<Outcome, FinanceError> {
    let rate = || number(input, "rate");
    Ok(match function {
        "npv" => {
            let convention = match input.get("convention").and_then(Value::as_str) {
                Some("excel") => NpvConvention::Excel,
                _ => NpvConvention::T0,
            };
            single(finance::npv(rate(), &values(input), convention)?)
        }
        "xnpv" => single(finance::xnpv(rate(), &flows(input))?),
        "irr" => {
            let irr = finance::irr(&values(input), None)?;
            Outcome::Value { value: irr.rate, roots: irr.roots }
        }
        "xirr" => {
            let irr = finance::xirr(&flows(input), None)?;
            Outcome::Value { value: irr.rate, roots: irr.roots }
        }
        "mirr" => single(finance::mirr(
            &values(input),
            number(input, "finance_rate"),
            number(input, "reinvest_rate"),
        )?),
        "pv" => single(finance::pv(
            rate(),
            number(input, "nper"),
            number(input, "pmt"),
            number_or(input, "fv", 0.0),
            when(input),
        )?),
        "fv" => single(finance::fv(
            rate(),
            number(input, "nper"),
            number(input, "pmt"),
            number_or(input, "pv", 0.0),
            when(input),
        )?),
        "pmt" => single(finance::pmt(
            rate(),
            number(input, "nper"),
            number(input, "pv"),
            number_or(input, "fv", 0.0),
            when(input),
        )?),
        "nper" => single(finance::nper(
            rate(),
            number(input, "pmt"),
            number(input, "pv"),
            number_or(input, "fv", 0.0),
            when(input),
        )?),
        "rate" => single(finance::rate(
            whole(input, "nper"),
            number(input, "pmt"),
            number(input, "pv"),
            number_or(input, "fv", 0.0),
            when(input),
            None,
        )?),
        "ipmt" | "ppmt" => {
            let f = if function == "ipmt" { finance::ipmt } else { finance::ppmt };
            single(f(
                rate(),
                whole(input, "per"),
                number(input, "nper"),
                number(input, "pv"),
                number_or(input, "fv", 0.0),
                when(input),
            )?)
        }
        "tei" => {
            let tei: TeiInput = serde_json::from_value(input.clone()).expect("a tei input");
            Outcome::Tei(finance::tei(&tei)?)
        }
        other => panic!("unknown function {other} in a golden file"),
    })
}

/// Whether `actual` is within the case's tolerance of `expected`.
fn close(expect: &Value, expected: f64, actual: f64) -> bool {
    let tolerance = match (expect.get("abs"), expect.get("rel")) {
        (Some(abs), _) => abs.as_f64().unwrap(),
        (None, Some(rel)) => rel.as_f64().unwrap() * expected.abs(),
        (None, None) => panic!("case expect has neither abs nor rel: {expect}"),
    };
    (actual - expected).abs() <= tolerance
}

/// Every way `outcome` differs from `expect`, as sentences.
fn differences(expect: &Value, outcome: Result<Outcome, FinanceError>) -> Vec<String> {
    let mut problems = Vec::new();
    match (expect.get("error").and_then(Value::as_str), outcome) {
        (Some(kind), Err(e)) if e.kind() == kind => {}
        (Some(kind), other) => problems.push(format!("expected error {kind}, got {other:?}")),
        (None, Err(e)) => problems.push(format!("unexpected error {e}")),
        (None, Ok(Outcome::Value { value, roots })) => {
            if let Some(expected) = expect.get("value").and_then(Value::as_f64)
                && !close(expect, expected, value)
            {
                problems.push(format!("value {value} is not {expected}"));
            }
            for want in expect.get("roots_contain").and_then(Value::as_array).into_iter().flatten()
            {
                let want = want.as_f64().unwrap();
                if !roots.iter().any(|r| close(expect, want, *r)) {
                    problems.push(format!("roots {roots:?} lack {want}"));
                }
            }
            if let Some(count) = expect.get("root_count").and_then(Value::as_u64)
                && roots.len() as u64 != count
            {
                problems.push(format!("roots {roots:?} are not {count} roots"));
            }
        }
        (None, Ok(Outcome::Tei(summary))) => {
            let money = expect["abs_money"].as_f64().unwrap();
            let roi = expect["abs_roi"].as_f64().unwrap();
            for (name, actual, tolerance) in [
                ("pv_costs", summary.pv_costs, money),
                ("pv_benefits", summary.pv_benefits, money),
                ("npv", summary.npv, money),
                ("roi", summary.roi, roi),
            ] {
                let expected = expect[name].as_f64().unwrap();
                if (actual - expected).abs() > tolerance {
                    problems.push(format!("{name} {actual} is not {expected}"));
                }
            }
        }
    }
    problems
}

#[rstest]
#[case::numpy_financial("numpy_financial.json")]
#[case::excel_docs("excel_docs.json")]
#[case::forrester_tei("forrester_tei.json")]
#[case::bug_reports("bug_reports.json")]
fn golden_file_cases_hold(#[case] file: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(file);
    let text = std::fs::read_to_string(&path).expect("golden file is readable");
    let golden: Value = serde_json::from_str(&text).expect("golden file is json");
    assert!(golden["source"].is_string(), "{file} names its source");
    let cases = golden["cases"].as_array().expect("golden file has cases");
    assert!(!cases.is_empty());

    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let outcome = run(case["function"].as_str().unwrap(), &case["input"]);
        for problem in differences(&case["expect"], outcome) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
}
