//! `worth calc` through the binary: JSON in and out, exit codes, and the human form.

use assert_cmd::Command;
use rstest::rstest;
use serde_json::Value;

fn worth() -> Command {
    Command::cargo_bin("worth").expect("the worth binary is built")
}

/// Runs `worth calc FUNCTION --json` on `input`, returning the exit code and the JSON line.
fn calc_json(function: &str, input: &str) -> (i32, Value) {
    let out = worth().args(["calc", function, "--json"]).write_stdin(input).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON line on stdout: {text}");
    (out.status.code().unwrap(), serde_json::from_str(&text).unwrap())
}

#[rstest]
#[case::npv(
    "npv",
    r#"{"rate":0.1,"values":[-10000,3000,4200,6800],"convention":"excel"}"#,
    1188.44,
    0.005
)]
#[case::xnpv("xnpv", r#"{"rate":0.09,"flows":[{"date":"2008-01-01","amount":-10000},{"date":"2008-03-01","amount":2750},{"date":"2008-10-30","amount":4250},{"date":"2009-02-15","amount":3250},{"date":"2009-04-01","amount":2750}]}"#, 2086.65, 0.005)]
#[case::xirr("xirr", r#"{"flows":[{"date":"2008-01-01","amount":-10000},{"date":"2008-03-01","amount":2750},{"date":"2008-10-30","amount":4250},{"date":"2009-02-15","amount":3250},{"date":"2009-04-01","amount":2750}]}"#, 0.373362535, 1e-6)]
#[case::irr("irr", r#"{"values":[-70000,12000,15000,18000,21000,26000]}"#, 0.0866, 5e-5)]
#[case::mirr(
    "mirr",
    r#"{"values":[-120000,39000,30000,21000,37000,46000],"finance_rate":0.1,"reinvest_rate":0.12}"#,
    0.1261,
    5e-5
)]
#[case::pv("pv", r#"{"rate":0.07,"nper":20,"pmt":12000}"#, -127128.17, 0.005)]
#[case::fv("fv", r#"{"rate":0.075,"nper":20,"pmt":-2000,"when":"begin"}"#, 93105.064874, 1e-5)]
#[case::pmt("pmt", r#"{"rate":0.0066666666666666666,"nper":60,"pv":15000}"#, -304.145914, 1e-6)]
#[case::nper("nper", r#"{"rate":0.075,"pmt":-2000,"pv":0,"fv":100000}"#, 21.544944, 1e-5)]
#[case::rate("rate", r#"{"nper":10,"pmt":0,"pv":-3500,"fv":10000}"#, 0.1107, 1.5e-4)]
#[case::ipmt("ipmt", r#"{"rate":0.008333333333333333,"per":1,"nper":24,"pv":2000}"#, -16.666667, 1e-6)]
#[case::ppmt("ppmt", r#"{"rate":0.008333333333333333,"per":1,"nper":60,"pv":55000}"#, -710.25, 0.005)]
#[case::payback("payback", r#"{"values":[-1000,400,400,400]}"#, 2.5, 1e-12)]
fn json_success_exits_0_with_a_value(
    #[case] function: &str,
    #[case] input: &str,
    #[case] expected: f64,
    #[case] tolerance: f64,
) {
    let (code, out) = calc_json(function, input);
    assert_eq!(code, 0, "{out}");
    let value = out["value"].as_f64().unwrap_or_else(|| panic!("{out}"));
    assert!((value - expected).abs() <= tolerance, "{value} vs {expected}");
}

#[test]
fn irr_json_lists_every_root() {
    let (code, out) = calc_json(
        "irr",
        r#"{"values":[-1678.87,771.96,1814.05,3520.30,3552.95,3584.99,4789.91,-1]}"#,
    );
    assert_eq!(code, 0);
    let roots: Vec<f64> =
        out["roots"].as_array().unwrap().iter().filter_map(Value::as_f64).collect();
    assert_eq!(roots.len(), 2, "{out}");
    assert!(roots.iter().any(|r| (r + 0.9997912604283283).abs() < 1e-9));
    assert!((out["value"].as_f64().unwrap() - 1.004269848721).abs() < 1e-11);
}

#[test]
fn tei_json_writes_the_summary() {
    let input = r#"{"discount_rate":0.1,"initial":{"benefits":0,"costs":53150},"years":[{"benefits":1606511,"costs":666715},{"benefits":3061331,"costs":636772},{"benefits":4229760,"costs":647783}]}"#;
    let (code, out) = calc_json("tei", input);
    assert_eq!(code, 0, "{out}");
    assert!((out["pv_costs"].as_f64().unwrap() - 1_672_201.0).abs() < 1.0);
    assert!((out["pv_benefits"].as_f64().unwrap() - 7_168_371.0).abs() < 1.0);
    assert!((out["npv"].as_f64().unwrap() - 5_496_170.0).abs() < 1.0);
    assert!((out["roi"].as_f64().unwrap() - 3.2868).abs() < 5e-5);
    assert!(out["payback_months"].is_number());
}

#[rstest]
#[case::all_positive("irr", r#"{"values":[1,2,3]}"#, "no_sign_change")]
#[case::all_negative(
    "xirr",
    r#"{"flows":[{"date":"2020-01-01","amount":-1},{"date":"2021-01-01","amount":-2}]}"#,
    "no_sign_change"
)]
#[case::cancelling(
    "xirr",
    r#"{"flows":[{"date":"2020-01-01","amount":5},{"date":"2020-01-01","amount":-5}]}"#,
    "infinite_roots"
)]
#[case::missing_rate("npv", r#"{"values":[1,2]}"#, "invalid_input")]
#[case::not_json("npv", "rate=0.1", "invalid_json")]
fn json_failure_exits_1_with_an_error_object(
    #[case] function: &str,
    #[case] input: &str,
    #[case] kind: &str,
) {
    let (code, out) = calc_json(function, input);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out["error"]["kind"], kind, "{out}");
    assert!(out["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn human_form_takes_trailing_values() {
    let out = worth().args(["calc", "irr", "--", "-100", "39", "59", "55", "20"]).output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let value: f64 = line.trim().parse().unwrap_or_else(|_| panic!("one number: {line}"));
    assert!((value - 0.28095).abs() < 1.5e-4);
}

#[test]
fn human_form_takes_dated_flows_and_flags() {
    let out = worth()
        .args(["calc", "xnpv", "--rate", "0.09", "2008-01-01=-10000", "2008-03-01=2750"])
        .args(["2008-10-30=4250", "2009-02-15=3250", "2009-04-01=2750"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let value: f64 = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
    assert!((value - 2086.65).abs() < 0.005);
}

#[test]
fn human_failure_is_one_line_on_stderr_and_exit_1() {
    let out = worth().args(["calc", "irr", "1", "2", "3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("worth: error: no sign change"), "{err}");
}
