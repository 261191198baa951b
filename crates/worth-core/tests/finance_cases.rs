//! Table tests of the finance kernel for what the golden files do not cover: conventions,
//! errors, tangent and multiple roots in closed form, payback and the TEI adjustments.
//!
//! Expected values are written as the formula they come from, not as computed results.

use chrono::NaiveDate;
use rstest::rstest;
use worth_core::finance::{
    self, FinanceError, Flow, NpvConvention, Payback, TeiColumn, TeiInput, TeiRisk,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn assert_close(actual: f64, expected: f64, tolerance: f64) {
    assert!((actual - expected).abs() <= tolerance, "{actual} is not {expected} ± {tolerance}");
}

#[rstest]
#[case::excel_is_t0_discounted_once(0.1, &[-10_000.0, 3_000.0, 4_200.0, 6_800.0])]
#[case::negative_rate(-0.5, &[100.0, 50.0, 25.0])]
#[case::single_value(0.07, &[42.0])]
fn excel_convention_is_t0_discounted_one_period(#[case] rate: f64, #[case] values: &[f64]) {
    let t0 = finance::npv(rate, values, NpvConvention::T0).unwrap();
    let excel = finance::npv(rate, values, NpvConvention::Excel).unwrap();
    assert_close(excel, t0 / (1.0 + rate), 1e-12 * t0.abs().max(1.0));
}

#[rstest]
#[case::rate_minus_one(-1.0)]
#[case::rate_below_minus_one(-1.5)]
#[case::rate_nan(f64::NAN)]
#[case::rate_infinite(f64::INFINITY)]
fn rates_outside_the_domain_are_invalid(#[case] rate: f64) {
    let e = finance::npv(rate, &[1.0, 2.0], NpvConvention::T0).unwrap_err();
    assert_eq!(e.kind(), "invalid_input");
    let flows = [Flow::new(d(2020, 1, 1), 1.0)];
    assert_eq!(finance::xnpv(rate, &flows).unwrap_err().kind(), "invalid_input");
    assert_eq!(finance::irr(&[-1.0, 2.0], Some(rate)).unwrap_err().kind(), "invalid_input");
}

#[rstest]
#[case::empty(&[], "invalid_input")]
#[case::nan(&[-1.0, f64::NAN], "invalid_input")]
#[case::all_zero(&[0.0, 0.0, 0.0], "infinite_roots")]
#[case::one_value(&[-5.0], "no_sign_change")]
#[case::all_negative_with_zeros(&[0.0, -1.0, 0.0, -2.0], "no_sign_change")]
fn irr_errors_have_kinds(#[case] values: &[f64], #[case] kind: &str) {
    assert_eq!(finance::irr(values, None).unwrap_err().kind(), kind);
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        finance::irr(&[], None).unwrap_err(),
        finance::irr(&[1.0, 2.0], None).unwrap_err(),
        finance::irr(&[0.0], None).unwrap_err(),
        finance::mirr(&[1.0, 2.0], 0.1, 0.1).unwrap_err(),
        finance::nper(0.0, 0.0, 1.0, 0.0, finance::When::End).unwrap_err(),
        FinanceError::NoRoot,
    ];
    for e in errors {
        let text = e.to_string();
        assert!(text.starts_with(|c: char| c.is_lowercase()), "{text}");
        assert!(!text.ends_with('.'), "{text}");
    }
}

/// `[-1, 6, -11, 6]` is `−(1 − v)(1 − 2v)(1 − 3v)·…` in `v = 1/(1 + r)`: roots 1/(1 + r) of
/// 1, 1/2 and 1/3, that is r = 0, 1 and 2.
#[test]
fn three_roots_in_closed_form_are_all_found() {
    let found = finance::irr(&[-1.0, 6.0, -11.0, 6.0], None).unwrap();
    assert_eq!(found.roots.len(), 3, "{:?}", found.roots);
    for (root, expected) in found.roots.iter().zip([0.0, 1.0, 2.0]) {
        assert_close(*root, expected, 1e-12);
    }
    assert_close(found.rate, 0.0, 1e-12);
}

/// `(1 − v)^2 = 1 − 2v + v^2` touches zero at r = 0 without changing sign.
#[test]
fn tangent_root_at_zero_is_found() {
    let found = finance::irr(&[1.0, -2.0, 1.0], None).unwrap();
    assert_eq!(found.roots, vec![0.0]);
}

/// `(v − v0)^2` with `v0 = 1/1.1` touches zero at r = 10%; a double root is only defined to
/// about the square root of the rounding error.
#[test]
fn tangent_root_off_zero_is_found() {
    let v0 = 1.0 / 1.1;
    let found = finance::irr(&[v0 * v0, -2.0 * v0, 1.0], None).unwrap();
    assert!(found.roots.iter().any(|r| (r - 0.1).abs() < 1e-6), "{:?}", found.roots);
}

/// `(1 + r)^2 = 1e8` per period: a rate near 10^4 found to a relative tolerance.
#[test]
fn large_periodic_rate_is_found_relatively() {
    let found = finance::irr(&[-1.0, 0.0, 1e8], None).unwrap();
    assert_close(found.rate, 1e4 - 1.0, 1e-12 * 1e4);
}

#[test]
fn xnpv_adds_flows_on_one_date_and_ignores_order() {
    let split = [
        Flow::new(d(2021, 6, 30), 300.0),
        Flow::new(d(2021, 1, 1), -1_000.0),
        Flow::new(d(2021, 6, 30), 900.0),
    ];
    let merged = [Flow::new(d(2021, 1, 1), -1_000.0), Flow::new(d(2021, 6, 30), 1_200.0)];
    let a = finance::xnpv(0.08, &split).unwrap();
    let b = finance::xnpv(0.08, &merged).unwrap();
    let by_formula = -1_000.0 + 1_200.0 / 1.08_f64.powf(180.0 / 365.0);
    assert_close(a, b, 1e-9);
    assert_close(a, by_formula, 1e-9);
    let irr = finance::xirr(&split, None).unwrap();
    assert_close(irr.rate, 1.2_f64.powf(365.0 / 180.0) - 1.0, 1e-12);
}

#[test]
fn xirr_guess_changes_nothing() {
    let flows = [
        Flow::new(d(2020, 1, 1), -100.0),
        Flow::new(d(2021, 1, 1), 230.0),
        Flow::new(d(2022, 1, 1), -132.0),
    ];
    let plain = finance::xirr(&flows, None).unwrap();
    for guess in [-0.9, -0.2, 0.0, 0.5, 5.0, 1e6] {
        let guessed = finance::xirr(&flows, Some(guess)).unwrap();
        assert_eq!(guessed.roots.len(), plain.roots.len());
        assert_close(guessed.rate, plain.rate, 1e-12);
    }
}

#[rstest]
#[case::even_recovery(&[-1_000.0, 400.0, 400.0, 400.0], Payback::After(2.0 + 200.0 / 400.0))]
#[case::exact_period_end(&[-900.0, 300.0, 300.0, 300.0], Payback::After(3.0))]
#[case::thirds(&[-1_000.0, 300.0, 300.0, 300.0, 300.0], Payback::After(3.0 + 100.0 / 300.0))]
#[case::never(&[-1_000.0, 100.0, 100.0], Payback::Never)]
#[case::never_negative(&[100.0, 200.0], Payback::After(0.0))]
#[case::late_cost(&[0.0, -100.0, 200.0], Payback::After(1.0 + 100.0 / 200.0))]
fn payback_interpolates_inside_the_period(#[case] values: &[f64], #[case] expected: Payback) {
    assert_eq!(finance::payback(values).unwrap(), expected);
}

#[test]
fn discounted_payback_discounts_each_period() {
    let rate = 0.1;
    let values = [-1_000.0, 600.0, 600.0];
    let (first, second) = (600.0 / 1.1, 600.0 / 1.21);
    let expected = 1.0 + (1_000.0 - first) / second;
    let Payback::After(p) = finance::discounted_payback(rate, &values).unwrap() else {
        panic!("pays back")
    };
    assert_close(p, expected, 1e-12);
    assert_eq!(finance::discounted_payback(0.5, &values).unwrap(), Payback::Never);
}

fn forrester() -> TeiInput {
    let year = |benefits, costs| TeiColumn { benefits, costs };
    TeiInput {
        discount_rate: 0.10,
        initial: year(0.0, 53_150.0),
        years: vec![
            year(1_606_511.0, 666_715.0),
            year(3_061_331.0, 636_772.0),
            year(4_229_760.0, 647_783.0),
        ],
        risk: None,
    }
}

#[test]
fn tei_payback_is_in_months_of_undiscounted_net_benefit() {
    let summary = finance::tei(&forrester()).unwrap();
    let months = 12.0 * 53_150.0 / (1_606_511.0 - 666_715.0);
    assert_close(summary.payback_months.unwrap(), months, 1e-9);
}

#[test]
fn tei_risk_reduces_benefits_and_raises_costs() {
    let risk = TeiRisk { benefits: 0.1, costs: 0.05 };
    let plain = finance::tei(&forrester()).unwrap();
    let adjusted = finance::tei(&TeiInput { risk: Some(risk), ..forrester() }).unwrap();
    assert_close(adjusted.pv_benefits, plain.pv_benefits * 0.9, 1e-6);
    assert_close(adjusted.pv_costs, plain.pv_costs * 1.05, 1e-6);
    assert_close(adjusted.npv, adjusted.pv_benefits - adjusted.pv_costs, 1e-6);
    assert_close(adjusted.roi, adjusted.npv / adjusted.pv_costs, 1e-12);
}

#[rstest]
#[case::zero_costs(TeiInput { years: vec![TeiColumn { benefits: 5.0, costs: 0.0 }], initial: TeiColumn::default(), ..forrester() }, "undefined")]
#[case::reduction_above_one(TeiInput { risk: Some(TeiRisk { benefits: 1.5, costs: 0.0 }), ..forrester() }, "invalid_input")]
#[case::negative_increase(TeiInput { risk: Some(TeiRisk { benefits: 0.0, costs: -0.1 }), ..forrester() }, "invalid_input")]
#[case::bad_rate(TeiInput { discount_rate: -1.0, ..forrester() }, "invalid_input")]
fn tei_errors_have_kinds(#[case] input: TeiInput, #[case] kind: &str) {
    assert_eq!(finance::tei(&input).unwrap_err().kind(), kind);
}

#[test]
fn tei_never_paying_back_has_no_payback() {
    let input = TeiInput { years: vec![TeiColumn { benefits: 10.0, costs: 20.0 }], ..forrester() };
    assert_eq!(finance::tei(&input).unwrap().payback_months, None);
}

#[test]
fn rate_agrees_with_the_annuity_it_solves() {
    for when in [finance::When::End, finance::When::Begin] {
        let r = finance::rate(36, -300.0, 9_000.0, 0.0, when, None).unwrap();
        let back = finance::pmt(r, 36.0, 9_000.0, 0.0, when).unwrap();
        assert_close(back, -300.0, 1e-9);
    }
    assert_eq!(
        finance::rate(0, -1.0, 1.0, 0.0, finance::When::End, None).unwrap_err().kind(),
        "invalid_input"
    );
}

#[test]
fn ipmt_and_ppmt_add_up_to_pmt_and_period_bounds_hold() {
    let (rate, nper, pv) = (0.05 / 12.0, 60.0, 20_000.0);
    let pmt = finance::pmt(rate, nper, pv, 0.0, finance::When::End).unwrap();
    for per in [1, 2, 30, 60] {
        let i = finance::ipmt(rate, per, nper, pv, 0.0, finance::When::End).unwrap();
        let p = finance::ppmt(rate, per, nper, pv, 0.0, finance::When::End).unwrap();
        assert_close(i + p, pmt, 1e-9);
    }
    let late = finance::ipmt(rate, 61, nper, pv, 0.0, finance::When::End).unwrap_err();
    assert_eq!(late.kind(), "invalid_input");
}
