//! The value engine end to end on hand-built portfolios: the TEI table of a published study
//! reproduced, realized against forecast months, attribution and risk, accuracy against the
//! frozen estimate, and problems reported instead of guessed figures.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::dec;
use worth_core::fx::FxTable;
use worth_core::guideline::Guideline;
use worth_core::rates::{FxRate, RateCard};
use worth_core::solution::{Criticality, LifecycleEvent, Solution, SolutionKind, Stage};
use worth_core::value::accuracy::accuracy;
use worth_core::value::engine::{Context, SolutionData, Source};
use worth_core::value::models::{Measured, ModelSpec};
use worth_core::value::portfolio::{GroupBy, evaluate};
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade, FrozenEstimate, ValueLine};
use worth_core::{Currency, Money};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn solution(id: i64, name: &str, bu: &str, live: Option<&str>) -> Solution {
    let mut lifecycle =
        vec![LifecycleEvent { stage: Stage::Idea, on: d("2024-01-05"), note: None }];
    if let Some(l) = live {
        lifecycle.push(LifecycleEvent { stage: Stage::Live, on: d(l), note: None });
    }
    Solution {
        id,
        name: name.into(),
        kind: SolutionKind::CloudFlow,
        platform: "power-platform".into(),
        business_unit: bu.into(),
        environment: None,
        owner: Some("Ada".into()),
        criticality: Criticality::Standard,
        external_ids: vec![],
        lifecycle,
    }
}

fn spec(model: &str, pairs: &[(&str, &str)]) -> ModelSpec {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    ModelSpec::from_pairs(model, &pairs).unwrap()
}

fn line(
    id: i64,
    solution_id: i64,
    name: &str,
    spec: ModelSpec,
    start: &str,
    months: u32,
) -> ValueLine {
    ValueLine {
        id,
        solution_id,
        name: name.into(),
        category: Category::TimeSavings,
        spec,
        currency: usd(),
        attribution: Decimal::ONE,
        evidence: EvidenceGrade::SystemData,
        process: None,
        start: d(start),
        horizon_months: months,
        frozen: None,
    }
}

fn cost(
    solution_id: i64,
    kind: CostKind,
    amount: Decimal,
    start: &str,
    end: Option<&str>,
) -> CostLine {
    CostLine {
        id: 0,
        solution_id,
        kind,
        item: "build".into(),
        amount: Money::new(amount, usd()),
        start: d(start),
        end: end.map(d),
        basis: None,
    }
}

fn ctx<'a>(g: &'a Guideline, rates: &'a [RateCard], fx: &'a FxTable, today: &str) -> Context<'a> {
    Context {
        guideline: g,
        guideline_version: 1,
        rates,
        fx,
        currency: usd(),
        today: d(today),
        explain: true,
    }
}

fn no_risk() -> Guideline {
    let mut g = Guideline::default();
    for grade in ["system-data", "survey", "owner-estimate", "assumption"] {
        g.set(&format!("risk.{grade}"), "0").unwrap();
    }
    g.set("cost_risk_adjustment", "0").unwrap();
    g
}

/// Forrester TEI table (a published study's summary): costs (53,150) initial, (666,715),
/// (636,772), (647,783); benefits 0, 1,606,511, 3,061,331, 4,229,760; at 10%: PV costs
/// 1,672,201, PV benefits 7,168,371, NPV 5,496,170, ROI 329%.
#[test]
fn a_portfolio_with_the_tei_tables_years_reproduces_its_present_values() {
    let g = no_risk();
    let s = solution(1, "Claims", "Operations", None);
    let fixed = |amount: Decimal| {
        spec("fixed-amount", &[("amount_per_month", &(amount / dec!(12)).to_string())])
    };
    let lines = vec![
        line(1, 1, "year 1", fixed(dec!(1606511)), "2025-01-01", 12),
        line(2, 1, "year 2", fixed(dec!(3061331)), "2026-01-01", 12),
        line(3, 1, "year 3", fixed(dec!(4229760)), "2027-01-01", 12),
    ];
    let costs = vec![
        cost(1, CostKind::OneTime, dec!(53150), "2024-12-15", None),
        cost(1, CostKind::Monthly, dec!(666715) / dec!(12), "2025-01-01", Some("2026-01-01")),
        cost(1, CostKind::Monthly, dec!(636772) / dec!(12), "2026-01-01", Some("2027-01-01")),
        cost(1, CostKind::Monthly, dec!(647783) / dec!(12), "2027-01-01", Some("2028-01-01")),
    ];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &costs, usage: &usage }];
    let fx = FxTable::default();
    // Today before year 1: every month is a forecast from the estimate.
    let p = evaluate(&ctx(&g, &[], &fx, "2024-12-20"), &data);
    let t = &p.total;
    assert_eq!(p.solutions[0].year_one, d("2025-01-01"));
    assert!((t.pv_costs - 1_672_201.0).abs() < 1.0, "{}", t.pv_costs);
    assert!((t.pv_benefits - 7_168_371.0).abs() < 1.0, "{}", t.pv_benefits);
    assert!((t.npv - 5_496_170.0).abs() < 1.0, "{}", t.npv);
    assert!((t.roi.unwrap() - 3.2868).abs() < 0.0001, "{:?}", t.roi);
    assert_eq!(t.initial.costs, dec!(53150));
    assert_eq!(t.years[1].benefits.round_dp(2), dec!(3061331.00));
}

#[test]
fn realized_months_use_measured_uses_and_later_months_are_forecast() {
    let g = Guideline::default(); // system-data risk 5%, cost risk 5%
    let s = solution(1, "Invoice flow", "Finance", Some("2025-01-20"));
    let mut l = line(
        1,
        1,
        "approvals",
        spec(
            "time-saved-per-use",
            &[("minutes_per_use", "6"), ("role", "analyst"), ("estimated_uses", "500/month")],
        ),
        "2025-01-01",
        12,
    );
    l.attribution = dec!(0.5);
    let lines = vec![l];
    let rates = vec![RateCard {
        id: 7,
        role: "Analyst".into(),
        business_unit: None,
        hourly: Money::new(dec!(60), usd()),
        valid_from: d("2024-01-01"),
        valid_to: None,
    }];
    let mut usage = BTreeMap::new();
    for (m, uses) in [("2025-01-01", 100), ("2025-02-01", 400), ("2025-03-01", 999)] {
        usage.insert(
            d(m),
            Measured {
                uses: Decimal::from(uses),
                source: format!("rollups {m}"),
                ..Measured::default()
            },
        );
    }
    let data = [SolutionData { solution: &s, lines: &lines, costs: &[], usage: &usage }];
    let fx = FxTable::default();
    // Today is in March: January and February are realized, March on is forecast.
    let p = evaluate(&ctx(&g, &rates, &fx, "2025-03-10"), &data);
    let months = &p.solutions[0].lines[0].expected;
    assert_eq!(months.len(), 12);
    assert_eq!(months[0].source, Source::Realized);
    // 100 uses × 6 min ÷ 60 × 60 USD × 50% = 300; risk-adjusted × 0.95 = 285.
    assert_eq!(months[0].gross, dec!(300));
    assert_eq!(months[0].risk_adjusted, dec!(285.00));
    assert_eq!(months[1].gross, dec!(1200)); // 400 uses
    // March is not complete: forecast from 500 a month, not the 999 measured so far.
    assert_eq!(months[2].source, Source::Forecast);
    assert_eq!(months[2].gross, dec!(1500));
    let fin = &p.solutions[0].financials;
    assert_eq!(fin.value_to_date, dec!(1500));
    assert_eq!(fin.value_last_month, dec!(1200));
    // Without costs, ROI is not defined rather than infinite.
    assert_eq!(fin.roi, None);
    let text = p.solutions[0].explain.as_ref().unwrap().to_text();
    assert!(text.contains("uses counted: 100  [rollups 2025-01-01]"), "{text}");
    assert!(text.contains("rate card #7"), "{text}");
    assert!(text.contains("evidence system-data, guideline v1"), "{text}");
}

#[test]
fn lines_claiming_the_same_process_over_100_percent_are_reported_by_name() {
    let s1 = solution(1, "Intake app", "Finance", None);
    let s2 = solution(2, "Intake flow", "Finance", None);
    let fixed = spec("fixed-amount", &[("amount_per_month", "100")]);
    let mut a = line(1, 1, "faster intake", fixed.clone(), "2025-01-01", 12);
    a.process = Some("Invoice intake".into());
    a.attribution = dec!(0.7);
    let mut b = line(2, 2, "intake automation", fixed, "2025-01-01", 12);
    b.process = Some("invoice intake".into());
    b.attribution = dec!(0.6);
    let (l1, l2) = (vec![a], vec![b]);
    let usage = BTreeMap::new();
    let data = [
        SolutionData { solution: &s1, lines: &l1, costs: &[], usage: &usage },
        SolutionData { solution: &s2, lines: &l2, costs: &[], usage: &usage },
    ];
    let g = Guideline::default();
    let fx = FxTable::default();
    let p = evaluate(&ctx(&g, &[], &fx, "2025-01-01"), &data);
    let over: Vec<_> = p.problems.iter().filter(|p| p.kind == "over_attribution").collect();
    assert_eq!(over.len(), 1);
    assert!(over[0].message.contains("130%"), "{}", over[0].message);
    assert!(over[0].message.contains("Intake app / faster intake (70%)"));
    assert!(over[0].message.contains("Intake flow / intake automation (60%)"));
    // Nothing is capped: each line keeps its own share.
    assert_eq!(p.solutions[0].lines[0].attribution, dec!(0.7));
}

#[test]
fn a_process_claimed_by_many_lines_names_ten_and_counts_the_rest() {
    let fixed = spec("fixed-amount", &[("amount_per_month", "100")]);
    let solutions: Vec<_> =
        (1..=25).map(|i| solution(i, &format!("Intake {i:02}"), "Finance", None)).collect();
    let lines: Vec<Vec<_>> = (1..=25)
        .map(|i| {
            let mut l = line(i, i, "intake", fixed.clone(), "2025-01-01", 12);
            l.process = Some("intake".into());
            l.attribution = dec!(0.1);
            vec![l]
        })
        .collect();
    let usage = BTreeMap::new();
    let data: Vec<_> = solutions
        .iter()
        .zip(&lines)
        .map(|(s, l)| SolutionData { solution: s, lines: l, costs: &[], usage: &usage })
        .collect();
    let (g, fx) = (Guideline::default(), FxTable::default());
    let p = evaluate(&ctx(&g, &[], &fx, "2025-01-01"), &data);
    let message = &p.problems.iter().find(|p| p.kind == "over_attribution").unwrap().message;
    assert!(message.contains("lines claim 250%"), "{message}");
    assert!(message.contains("Intake 10 / intake (10%)"), "{message}");
    assert!(!message.contains("Intake 11 /"), "{message}");
    assert!(message.contains("and 15 more lines"), "{message}");
}

#[test]
fn accuracy_compares_realized_with_the_frozen_estimate_not_a_re_estimate() {
    let g = Guideline::default();
    let s = solution(1, "Vendor portal", "Procurement", Some("2025-01-01"));
    let original = spec("fixed-amount", &[("amount_per_month", "1000")]);
    let mut l = line(
        1,
        1,
        "licenses retired",
        spec("fixed-amount", &[("amount_per_month", "700")]),
        "2025-01-01",
        24,
    );
    l.frozen = Some(FrozenEstimate {
        revision: 1,
        spec: original,
        attribution: Decimal::ONE,
        guideline_version: 1,
        frozen_on: d("2024-12-01"),
    });
    let lines = vec![l];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &[], usage: &usage }];
    let fx = FxTable::default();
    let c = ctx(&g, &[], &fx, "2025-09-15");
    let p = evaluate(&c, &data);
    let report = accuracy(&c, &p);
    assert_eq!(report.solutions.len(), 1);
    let a = &report.solutions[0];
    // Eight complete live months: realized 8 × 700, estimated 8 × 1,000 (the frozen estimate).
    assert_eq!(a.months, 8);
    assert_eq!(a.realized, dec!(5600));
    assert_eq!(a.estimated, dec!(8000));
    assert!((a.ratio.unwrap() - 0.7).abs() < 1e-12);
    assert_eq!(a.accurate, Some(false)); // outside ±25%
    assert_eq!(report.portfolio.share_accurate, Some(0.0));
    assert!((report.portfolio.mdape.unwrap() - 0.3).abs() < 1e-12);
}

#[test]
fn a_retired_solution_creates_nothing_after_retirement_and_is_compared_until_then() {
    let g = Guideline::default();
    let mut s = solution(1, "Old portal", "Sales", Some("2025-01-01"));
    s.lifecycle.push(LifecycleEvent { stage: Stage::Retired, on: d("2025-08-20"), note: None });
    let lines = vec![line(
        1,
        1,
        "x",
        spec("fixed-amount", &[("amount_per_month", "100")]),
        "2025-01-01",
        24,
    )];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &[], usage: &usage }];
    let fx = FxTable::default();
    let c = ctx(&g, &[], &fx, "2026-03-15");
    let p = evaluate(&c, &data);
    let expected = &p.solutions[0].lines[0].expected;
    assert_eq!(expected.last().unwrap().month, d("2025-07-01"), "nothing from August on");
    let report = accuracy(&c, &p);
    assert_eq!(report.solutions[0].months, 7, "January to July");
    assert_eq!(report.solutions[0].ratio, Some(1.0));
}

#[test]
fn an_estimate_never_checked_is_a_problem_not_an_inaccurate_estimate() {
    let g = Guideline::default();
    let s = solution(1, "Quiet flow", "Ops", Some("2025-01-01"));
    let lines = vec![line(
        1,
        1,
        "x",
        spec(
            "time-saved-per-use",
            &[("minutes_per_use", "5"), ("role", "clerk"), ("estimated_uses", "10/day")],
        ),
        "2025-01-01",
        24,
    )];
    let rates = vec![RateCard {
        id: 1,
        role: "clerk".into(),
        business_unit: None,
        hourly: Money::new(dec!(40), usd()),
        valid_from: d("2024-01-01"),
        valid_to: None,
    }];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &[], usage: &usage }];
    let fx = FxTable::default();
    let c = ctx(&g, &rates, &fx, "2025-10-15");
    let report = accuracy(&c, &evaluate(&c, &data));
    assert_eq!(report.solutions[0].ratio, None);
    assert_eq!(report.portfolio.solutions, 0, "it does not count as inaccurate");
    assert_eq!(report.problems[0].kind, "never_checked");
}

#[test]
fn a_solution_live_less_than_the_maturity_is_not_compared_yet() {
    let g = Guideline::default();
    let s = solution(1, "New app", "Sales", Some("2025-06-01"));
    let lines = vec![line(
        1,
        1,
        "x",
        spec("fixed-amount", &[("amount_per_month", "10")]),
        "2025-06-01",
        12,
    )];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &[], usage: &usage }];
    let fx = FxTable::default();
    let c = ctx(&g, &[], &fx, "2025-09-15");
    assert!(accuracy(&c, &evaluate(&c, &data)).solutions.is_empty());
}

#[test]
fn a_missing_rate_card_or_exchange_rate_is_a_problem_not_a_guess() {
    let g = Guideline::default();
    let s = solution(1, "Flow", "Finance", None);
    let mut eur_line = line(
        2,
        1,
        "in euros",
        spec("fixed-amount", &[("amount_per_month", "10")]),
        "2025-01-01",
        3,
    );
    eur_line.currency = Currency::parse("EUR").unwrap();
    let lines = vec![
        line(
            1,
            1,
            "time",
            spec(
                "time-saved-per-use",
                &[("minutes_per_use", "5"), ("role", "clerk"), ("estimated_uses", "10/day")],
            ),
            "2025-01-01",
            3,
        ),
        eur_line,
    ];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &[], usage: &usage }];
    let fx = FxTable::default();
    let p = evaluate(&ctx(&g, &[], &fx, "2025-01-01"), &data);
    let kinds: Vec<&str> = p.problems.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["missing_rate", "missing_fx_rate"]);
    assert!(p.problems[0].message.contains("no rate card for role 'clerk'"));
    assert!(p.solutions[0].lines.iter().all(|l| l.expected.is_empty()));

    // With a dated rate, the euro line converts at the latest rate on or before each month end.
    let fx = FxTable::new(vec![FxRate {
        base: Currency::parse("EUR").unwrap(),
        quote: usd(),
        rate: dec!(1.1),
        on: d("2024-12-31"),
    }]);
    let p = evaluate(&ctx(&g, &[], &fx, "2025-01-01"), &data);
    assert_eq!(p.solutions[0].lines[1].expected[0].gross, dec!(11.0));
}

#[test]
fn payback_is_found_month_by_month_not_on_yearly_sums() {
    // A 4,400 build before year 1, then 2,000 a month of benefits: year 1's sum is positive and
    // would hide the outlay; month by month, 2,400 is still short after month 1 and 400 after
    // month 2, recovered 0.2 into month 3 → 2.2 months.
    let mut g = no_risk();
    g.set("horizon_years", "1").unwrap();
    let s = solution(1, "Flow", "Ops", None);
    let lines = vec![line(
        1,
        1,
        "x",
        spec("fixed-amount", &[("amount_per_month", "2000")]),
        "2025-03-01",
        10,
    )];
    let costs = vec![
        cost(1, CostKind::OneTime, dec!(4400), "2025-02-10", None),
        cost(1, CostKind::OneTime, dec!(0.01), "2025-01-05", None),
    ];
    let usage = BTreeMap::new();
    let data = [SolutionData { solution: &s, lines: &lines, costs: &costs, usage: &usage }];
    let fx = FxTable::default();
    let p = evaluate(&ctx(&g, &[], &fx, "2024-12-01"), &data);
    let fin = &p.solutions[0].financials;
    assert_eq!(p.solutions[0].year_one, d("2025-03-01"));
    let payback = fin.payback_months.unwrap();
    assert!((payback - 2.2).abs() < 0.01, "{payback}");
}

#[test]
fn groups_by_business_unit_and_category_add_up_to_the_portfolio() {
    let g = Guideline::default();
    let s1 = solution(1, "A", "Finance", None);
    let s2 = solution(2, "B", "Sales", None);
    let mut rev = line(
        2,
        2,
        "upsell",
        spec("revenue", &[("margin_per_unit", "50"), ("estimated_units", "10/month")]),
        "2025-01-01",
        12,
    );
    rev.category = Category::Revenue;
    let l1 = vec![line(
        1,
        1,
        "saving",
        spec("fixed-amount", &[("amount_per_month", "100")]),
        "2025-01-01",
        12,
    )];
    let l2 = vec![rev];
    let c1 = vec![cost(1, CostKind::OneTime, dec!(500), "2024-12-01", None)];
    let usage = BTreeMap::new();
    let data = [
        SolutionData { solution: &s1, lines: &l1, costs: &c1, usage: &usage },
        SolutionData { solution: &s2, lines: &l2, costs: &[], usage: &usage },
    ];
    let fx = FxTable::default();
    let c = ctx(&g, &[], &fx, "2025-01-01");
    let p = evaluate(&c, &data);
    let by_bu = p.group(&c, GroupBy::BusinessUnit);
    let by_cat = p.group(&c, GroupBy::Category);
    let sum_pv = |gs: &[worth_core::value::portfolio::Group]| {
        gs.iter().map(|g| g.financials.pv_benefits).sum::<f64>()
    };
    assert!((sum_pv(&by_bu) - p.total.pv_benefits).abs() < 1e-6);
    assert!((sum_pv(&by_cat) - p.total.pv_benefits).abs() < 1e-6);
    assert_eq!(
        by_cat.iter().map(|g| g.key.as_str()).collect::<Vec<_>>(),
        ["revenue", "time-savings"]
    );
    assert!(by_cat.iter().all(|g| !g.costs_apply && g.financials.roi.is_none()));
    assert_eq!(by_bu[0].financials.initial.costs, dec!(500));
}
