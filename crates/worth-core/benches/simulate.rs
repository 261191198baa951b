//! Monte Carlo speed: 100,000 trials over 1,000 solutions, on the machine's cores.
//!
//! The goal (issue #5) is under 2 s on 2 cores. Each solution has a time-saving line and a
//! unit-cost line with three-point ranges, 12 realized months and forecast months after.

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use worth_core::fx::FxTable;
use worth_core::guideline::Guideline;
use worth_core::rates::RateCard;
use worth_core::solution::{Criticality, LifecycleEvent, Solution, SolutionKind, Stage};
use worth_core::value::engine::{Context, SolutionData};
use worth_core::value::models::{Measured, ModelSpec};
use worth_core::value::portfolio::evaluate;
use worth_core::value::simulate::{Simulation, Simulator};
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade, ValueLine};
use worth_core::{Currency, Money};

const SOLUTIONS: usize = 1_000;
const TRIALS: usize = 100_000;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn spec(model: &str, pairs: &[(&str, String)]) -> ModelSpec {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    ModelSpec::from_pairs(model, &pairs).expect("a valid model")
}

/// Runs the simulation's chunks on every core, as `worth simulate` does.
fn run_parallel(sim: &Simulator) -> Simulation {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunks = sim.chunks();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..chunks).step_by(threads).map(|i| (i, sim.run_chunk(i))).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a worker")).collect()
    });
    let mut ordered: Vec<_> = results;
    ordered.sort_by_key(|(i, _)| *i);
    sim.finish(ordered.into_iter().map(|(_, r)| r).collect())
}

fn bench(c: &mut Criterion) {
    let usd = Currency::parse("USD").expect("USD");
    let g = Guideline::default();
    let rates = vec![RateCard {
        id: 1,
        role: "clerk".into(),
        business_unit: None,
        hourly: Money::new(Decimal::from(50), usd),
        valid_from: d("2020-01-01"),
        valid_to: None,
    }];
    let fx = FxTable::default();
    let mut usage = BTreeMap::new();
    for m in 1..=12 {
        let month = d(&format!("2025-{m:02}-01"));
        usage.insert(
            month,
            Measured {
                uses: Decimal::from(300 + m * 10),
                units: Some(Decimal::from(150)),
                source: "bench".into(),
                ..Measured::default()
            },
        );
    }
    let solutions: Vec<Solution> = (0..SOLUTIONS)
        .map(|i| Solution {
            id: i64::try_from(i).expect("an id") + 1,
            name: format!("S{i}"),
            kind: SolutionKind::CloudFlow,
            platform: "power-platform".into(),
            business_unit: format!("BU{}", i % 8),
            environment: None,
            owner: None,
            criticality: Criticality::Standard,
            external_ids: vec![],
            lifecycle: vec![LifecycleEvent { stage: Stage::Live, on: d("2025-01-05"), note: None }],
        })
        .collect();
    let lines: Vec<Vec<ValueLine>> = solutions
        .iter()
        .map(|s| {
            let k = s.id % 7;
            let line = |id: i64, category, spec| ValueLine {
                id,
                solution_id: s.id,
                name: format!("l{id}"),
                category,
                spec,
                currency: usd,
                attribution: Decimal::ONE,
                evidence: EvidenceGrade::OwnerEstimate,
                process: None,
                start: d("2025-01-01"),
                horizon_months: 36,
                frozen: None,
            };
            vec![
                line(
                    s.id * 2,
                    Category::TimeSavings,
                    spec(
                        "time-saved-per-use",
                        &[
                            ("minutes_per_use", format!("{}..{}..{}", 2 + k, 5 + k, 12 + k)),
                            ("role", "clerk".into()),
                            ("estimated_uses", format!("{}..{}..{}/week", 50, 80 + k, 140)),
                        ],
                    ),
                ),
                line(
                    s.id * 2 + 1,
                    Category::CostReduction,
                    spec(
                        "unit-cost",
                        &[
                            ("cost_before", "8..10..14".into()),
                            ("cost_after", "2..3..4".into()),
                            ("estimated_units", "200/month".into()),
                        ],
                    ),
                ),
            ]
        })
        .collect();
    let costs: Vec<Vec<CostLine>> = solutions
        .iter()
        .map(|s| {
            vec![CostLine {
                id: s.id,
                solution_id: s.id,
                kind: CostKind::OneTime,
                item: "build".into(),
                amount: Money::new(Decimal::from(20_000), usd),
                start: d("2024-12-01"),
                end: None,
                basis: None,
            }]
        })
        .collect();
    let ctx = Context {
        guideline: &g,
        guideline_version: 1,
        rates: &rates,
        fx: &fx,
        currency: usd,
        today: d("2026-01-15"),
        explain: false,
    };
    let data: Vec<SolutionData<'_>> = (0..SOLUTIONS)
        .map(|i| SolutionData {
            solution: &solutions[i],
            lines: &lines[i],
            costs: &costs[i],
            usage: &usage,
        })
        .collect();
    let portfolio = evaluate(&ctx, &data);
    let sim = Simulator::new(&ctx, &data, &portfolio, TRIALS, 2026);

    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    group.bench_function("100k trials x 1k solutions, all cores", |b| {
        b.iter(|| black_box(run_parallel(&sim)));
    });
    group.bench_function("prepare 1k solutions", |b| {
        b.iter(|| black_box(Simulator::new(&ctx, &data, &portfolio, TRIALS, 2026)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
