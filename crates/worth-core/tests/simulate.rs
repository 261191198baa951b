//! The Monte Carlo simulation against the deterministic engine: at fixed parameters every
//! trial equals the engine's NPV, the same seed gives the same percentiles, and chunks run
//! apart give the same result as a run in one go.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::dec;
use worth_core::fx::FxTable;
use worth_core::guideline::Guideline;
use worth_core::rates::{FxRate, RateCard};
use worth_core::solution::{Criticality, LifecycleEvent, Solution, SolutionKind, Stage};
use worth_core::value::engine::{Context, SolutionData};
use worth_core::value::models::{Measured, ModelSpec};
use worth_core::value::portfolio::evaluate;
use worth_core::value::simulate::Simulator;
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade, ValueLine};
use worth_core::{Currency, Money};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn c(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn spec(model: &str, pairs: &[(&str, &str)]) -> ModelSpec {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    ModelSpec::from_pairs(model, &pairs).unwrap()
}

struct Fixture {
    solutions: Vec<Solution>,
    lines: Vec<Vec<ValueLine>>,
    costs: Vec<Vec<CostLine>>,
    usage: BTreeMap<NaiveDate, Measured>,
    rates: Vec<RateCard>,
    fx: FxTable,
    guideline: Guideline,
}

/// Every simulated model, realized and forecast months, a role's rate and a second currency.
fn fixture(ranges: bool) -> Fixture {
    let r = |likely: &str, range: &str| if ranges { range.to_owned() } else { likely.to_owned() };
    let models = vec![
        spec(
            "time-saved-per-use",
            &[
                ("minutes_per_use", &r("6", "3..6..12")),
                ("role", "clerk"),
                ("estimated_uses", &format!("{}/week", r("100", "60..100..150"))),
            ],
        ),
        spec(
            "time-saved-per-user",
            &[
                ("minutes_per_week", &r("30", "10..30..45")),
                ("role", "clerk"),
                ("estimated_users", &r("25", "20..25..40")),
            ],
        ),
        spec(
            "unit-cost",
            &[
                ("cost_before", &r("9", "8..9..11")),
                ("cost_after", "2"),
                ("estimated_units", "300/month"),
            ],
        ),
        spec(
            "before-after",
            &[
                ("metric", "backlog"),
                ("baseline", &r("40", "35..40..50")),
                ("value_per_unit", "120"),
                ("direction", "decrease"),
                ("estimated_metric", &r("25", "20..25..32")),
            ],
        ),
        spec(
            "errors-rework",
            &[
                ("error_rate_before", &r("10%", "6%..10%..14%")),
                ("error_rate_after", "2%"),
                ("rework_minutes", "20"),
                ("role", "clerk"),
                ("estimated_uses", "400/month"),
            ],
        ),
        spec("fixed-amount", &[("amount_per_month", &r("800", "500..800..900"))]),
        spec(
            "revenue",
            &[("margin_per_unit", &r("75", "50..75..90")), ("estimated_units", "12/month")],
        ),
    ];
    let solution = |id: i64, live: &str| Solution {
        id,
        name: format!("S{id}"),
        kind: SolutionKind::CloudFlow,
        platform: "power-platform".into(),
        business_unit: "Ops".into(),
        environment: None,
        owner: None,
        criticality: Criticality::Standard,
        external_ids: vec![],
        lifecycle: vec![LifecycleEvent { stage: Stage::Live, on: d(live), note: None }],
    };
    let mut solutions = Vec::new();
    let mut lines = Vec::new();
    let mut costs = Vec::new();
    for (i, m) in models.into_iter().enumerate() {
        let id = i64::try_from(i).unwrap() + 1;
        solutions.push(solution(id, "2025-01-10"));
        lines.push(vec![ValueLine {
            id,
            solution_id: id,
            name: "line".into(),
            category: Category::TimeSavings,
            spec: m,
            currency: if i % 2 == 0 { c("USD") } else { c("EUR") },
            attribution: dec!(0.8),
            evidence: EvidenceGrade::OwnerEstimate,
            process: None,
            start: d("2025-01-01"),
            horizon_months: 36,
            frozen: None,
        }]);
        costs.push(vec![CostLine {
            id,
            solution_id: id,
            kind: CostKind::OneTime,
            item: "build".into(),
            amount: Money::new(dec!(5000), c("USD")),
            start: d("2024-12-01"),
            end: None,
            basis: None,
        }]);
    }
    let mut usage = BTreeMap::new();
    for (m, n) in [("2025-01-01", 310), ("2025-02-01", 420), ("2025-03-01", 455)] {
        let mut metrics = BTreeMap::new();
        metrics.insert("backlog".to_owned(), Decimal::from(n / 12));
        usage.insert(
            d(m),
            Measured {
                uses: Decimal::from(n),
                active_users: Decimal::from(n / 15),
                units: Some(Decimal::from(n / 2)),
                metrics,
                source: "test".into(),
            },
        );
    }
    Fixture {
        solutions,
        lines,
        costs,
        usage,
        rates: vec![RateCard {
            id: 1,
            role: "clerk".into(),
            business_unit: None,
            hourly: Money::new(dec!(45), c("USD")),
            valid_from: d("2024-01-01"),
            valid_to: None,
        }],
        fx: FxTable::new(vec![FxRate {
            base: c("EUR"),
            quote: c("USD"),
            rate: dec!(1.1),
            on: d("2024-12-31"),
        }]),
        guideline: Guideline::default(),
    }
}

fn run(
    f: &Fixture,
    trials: usize,
    seed: u64,
) -> (worth_core::value::simulate::Simulation, Vec<f64>) {
    let ctx = Context {
        guideline: &f.guideline,
        guideline_version: 1,
        rates: &f.rates,
        fx: &f.fx,
        currency: c("USD"),
        today: d("2025-04-15"),
        explain: false,
    };
    let data: Vec<SolutionData<'_>> = (0..f.solutions.len())
        .map(|i| SolutionData {
            solution: &f.solutions[i],
            lines: &f.lines[i],
            costs: &f.costs[i],
            usage: &f.usage,
        })
        .collect();
    let p = evaluate(&ctx, &data);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let npvs = p.solutions.iter().map(|s| s.financials.npv).collect();
    (Simulator::new(&ctx, &data, &p, trials, seed).run(), npvs)
}

#[test]
fn without_ranges_every_trial_is_the_engines_npv() {
    let f = fixture(false);
    let (sim, npvs) = run(&f, 200, 7);
    for (o, npv) in sim.solutions.iter().zip(&npvs) {
        let tol = 1e-6 * npv.abs().max(1.0);
        assert!((o.npv_p10 - npv).abs() < tol, "{}: {} vs {npv}", o.key, o.npv_p10);
        assert!((o.npv_p90 - npv).abs() < tol, "{}: {} vs {npv}", o.key, o.npv_p90);
    }
    let total: f64 = npvs.iter().sum();
    assert!((sim.portfolio.npv_p50 - total).abs() < 1e-6 * total.abs());
}

#[test]
fn the_same_seed_gives_the_same_percentiles_and_ranges_spread_them() {
    let f = fixture(true);
    let (a, npvs) = run(&f, 20_000, 42);
    let (b, _) = run(&f, 20_000, 42);
    let (other, _) = run(&f, 20_000, 43);
    assert_eq!(a, b);
    assert!(
        (a.portfolio.npv_p50 - other.portfolio.npv_p50).abs() > 1e-9,
        "another seed, other draws"
    );
    for (o, npv) in a.solutions.iter().zip(&npvs) {
        assert!(o.npv_p10 < o.npv_p50 && o.npv_p50 < o.npv_p90, "{o:?}");
        // The deterministic NPV (likely values) lies inside the P10–P90 band.
        assert!(o.npv_p10 < *npv && *npv < o.npv_p90, "{}: {npv} outside {o:?}", o.key);
        assert!(o.roi_p50.is_some());
        assert!((0.0..=1.0).contains(&o.probability_roi_positive));
    }
}

#[test]
fn chunks_run_on_threads_give_the_same_result_as_one_run() {
    let f = fixture(true);
    let ctx = Context {
        guideline: &f.guideline,
        guideline_version: 1,
        rates: &f.rates,
        fx: &f.fx,
        currency: c("USD"),
        today: d("2025-04-15"),
        explain: false,
    };
    // Many copies of the fixture make several chunks.
    let mut data = Vec::new();
    for _ in 0..20 {
        for i in 0..f.solutions.len() {
            data.push(SolutionData {
                solution: &f.solutions[i],
                lines: &f.lines[i],
                costs: &f.costs[i],
                usage: &f.usage,
            });
        }
    }
    let p = evaluate(&ctx, &data);
    let sim = Simulator::new(&ctx, &data, &p, 2_000, 9);
    assert!(sim.chunks() > 2);
    let parallel: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..sim.chunks())
            .map(|i| {
                s.spawn({
                    let sim = &sim;
                    move || sim.run_chunk(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sim.finish(parallel), sim.run());
}
