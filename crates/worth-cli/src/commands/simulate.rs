//! `worth simulate`: P10, P50 and P90 of NPV and ROI from the parameters' ranges.

use anyhow::Result;
use rust_decimal::Decimal;
use serde::Serialize;
use worth_core::value::engine::SolutionData;
use worth_core::value::financial::round_money;
use worth_core::value::simulate::{Outcome, Simulation, Simulator};

use super::analysis::{Loaded, warn_problems};
use crate::context::Globals;
use crate::output::{Table, emit};

/// Options of `worth simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct SimulateArgs {
    /// How many trials.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    trials: u32,
    /// The seed: the same seed gives the same percentiles.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

#[derive(Debug, Serialize)]
struct Row {
    key: String,
    npv_p10: Decimal,
    npv_p50: Decimal,
    npv_p90: Decimal,
    roi_p10_percent: Option<Decimal>,
    roi_p50_percent: Option<Decimal>,
    roi_p90_percent: Option<Decimal>,
    probability_roi_positive: Decimal,
}

#[derive(Debug, Serialize)]
struct Out {
    currency: worth_core::Currency,
    guideline_version: i64,
    trials: usize,
    seed: u64,
    solutions: Vec<Row>,
    portfolio: Row,
}

/// Runs the simulation's chunks on every core; the result does not depend on how many.
fn run_parallel(sim: &Simulator) -> Simulation {
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(sim.chunks().max(1));
    let chunks = sim.chunks();
    let mut results: Vec<(usize, _)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..chunks).step_by(threads).map(|i| (i, sim.run_chunk(i))).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    sim.finish(results.into_iter().map(|(_, r)| r).collect())
}

pub(crate) async fn run(g: &Globals, args: SimulateArgs) -> Result<()> {
    let store = g.open().await?;
    let loaded = Loaded::load(&store).await?;
    let p = loaded.portfolio(false);
    let data: Vec<SolutionData<'_>> = loaded.data();
    let ctx = loaded.ctx(false);
    let sim = Simulator::new(&ctx, &data, &p, args.trials as usize, args.seed);
    let result = run_parallel(&sim);
    let minor = loaded.settings.currency.minor_units();
    let row = |o: &Outcome| Row {
        key: o.key.clone(),
        npv_p10: round_money(o.npv_p10, minor),
        npv_p50: round_money(o.npv_p50, minor),
        npv_p90: round_money(o.npv_p90, minor),
        roi_p10_percent: o.roi_p10.map(|r| round_money(r * 100.0, 2)),
        roi_p50_percent: o.roi_p50.map(|r| round_money(r * 100.0, 2)),
        roi_p90_percent: o.roi_p90.map(|r| round_money(r * 100.0, 2)),
        probability_roi_positive: round_money(o.probability_roi_positive, 4),
    };
    let out = Out {
        currency: loaded.settings.currency,
        guideline_version: loaded.guideline.version,
        trials: result.trials,
        seed: result.seed,
        solutions: result.solutions.iter().map(row).collect(),
        portfolio: row(&result.portfolio),
    };
    let mut table =
        Table::new(&["solution", "NPV P10", "NPV P50", "NPV P90", "ROI P50", "P(ROI > 0)"]);
    for r in out.solutions.iter().chain(std::iter::once(&out.portfolio)) {
        table.row([
            r.key.clone(),
            r.npv_p10.to_string(),
            r.npv_p50.to_string(),
            r.npv_p90.to_string(),
            r.roi_p50_percent.map_or("n/a".into(), |v| format!("{v}%")),
            format!("{}%", (r.probability_roi_positive * Decimal::from(100)).round_dp(1)),
        ]);
    }
    warn_problems(g, &p.problems);
    emit(g.format, &out, &table)
}
