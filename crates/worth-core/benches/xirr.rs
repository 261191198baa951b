//! XIRR over 100,000 seeded random realistic series of 10 to 120 dated flows.
//!
//! The series come from SplitMix64 with a fixed seed, a generator simple enough that
//! `scripts/bench-xirr.py` draws the very same series in Python to time pyxirr and
//! numpy-financial on them (see `docs/benchmarks.md`). Each series is an investment followed
//! by flows 1 to 90 days apart: nine in ten are returns of 0.5% to 5.5% of the investment,
//! one in ten a further cost of up to 10%.
//!
//! With `WORTH_BENCH_OUT=FILE` the bench first writes each series' default rate and number of
//! roots (or its error kind) to FILE, one line per series, for the script to compare. With
//! `WORTH_BENCH_BREAKDOWN=1` it also prints the mean time per series by number of roots.

use std::hint::black_box;
use std::io::Write;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use worth_core::finance::{Flow, xirr};

/// The seed that the Python script uses too.
const SEED: u64 = 20_240_601;
/// How many series one iteration of the bench solves.
const SERIES: usize = 100_000;

/// SplitMix64: a tiny, well-mixed generator, easy to reproduce in another language.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1) with 53 random bits.
    fn unit(&mut self) -> f64 {
        #[allow(clippy::cast_precision_loss)] // 53 bits fit f64 exactly
        let top = (self.next() >> 11) as f64;
        top * (1.0 / 9_007_199_254_740_992.0)
    }
}

/// The series of the benchmark, in the order the script draws them.
fn series() -> Vec<Vec<Flow>> {
    let mut rng = SplitMix64(SEED);
    let epoch = NaiveDate::from_ymd_opt(2015, 1, 1).expect("a valid date");
    (0..SERIES)
        .map(|_| {
            let n = 10 + rng.next() % 111;
            let start = epoch + Days::new(rng.next() % 3650);
            let investment = 1_000.0 + rng.unit() * 999_000.0;
            let mut flows = vec![Flow::new(start, -investment)];
            let mut day = 0;
            for _ in 1..n {
                day += 1 + rng.next() % 90;
                let (kind, size) = (rng.unit(), rng.unit());
                let amount = if kind < 0.1 {
                    -investment * 0.1 * size
                } else {
                    investment * (0.005 + 0.05 * size)
                };
                flows.push(Flow::new(start + Days::new(day), amount));
            }
            flows
        })
        .collect()
}

/// Writes one line per series: `rate roots`, or the error kind.
fn write_results(path: &str, all: &[Vec<Flow>]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("results file"));
    for flows in all {
        match xirr(flows, None) {
            Ok(found) => writeln!(out, "{:e} {}", found.rate, found.roots.len()),
            Err(e) => writeln!(out, "{}", e.kind()),
        }
        .expect("results are written");
    }
}

/// Prints the mean time per series for the series with each number of roots (or error).
fn breakdown(all: &[Vec<Flow>]) {
    let mut groups: std::collections::BTreeMap<String, Vec<&Vec<Flow>>> =
        std::collections::BTreeMap::new();
    for flows in all {
        let key = match xirr(flows, None) {
            Ok(found) => format!("{} root(s)", found.roots.len()),
            Err(e) => e.kind().to_string(),
        };
        groups.entry(key).or_default().push(flows);
    }
    let mut total = 0.0;
    for (key, group) in &groups {
        let rounds = 5;
        let begin = std::time::Instant::now();
        for _ in 0..rounds {
            for flows in group {
                let _ = black_box(xirr(black_box(flows), None));
            }
        }
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        let per = begin.elapsed().as_secs_f64() * 1e6 / (rounds * group.len()) as f64;
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        let share = group.len() as f64 / all.len() as f64;
        total += per * share;
        eprintln!("  {key:<14} {:>6} series {per:>9.2} µs/series", group.len());
    }
    eprintln!("  all            {:>6} series {total:>9.2} µs/series", all.len());
}

fn bench(c: &mut Criterion) {
    let all = series();
    let flows: usize = all.iter().map(Vec::len).sum();
    let amounts: f64 = all.iter().flatten().map(|f| f.amount).sum();
    eprintln!("xirr bench: {SERIES} series, {flows} flows, amounts sum to {amounts:.6e}");
    if let Ok(path) = std::env::var("WORTH_BENCH_OUT") {
        write_results(&path, &all);
    }
    if std::env::var_os("WORTH_BENCH_BREAKDOWN").is_some() {
        breakdown(&all);
    }

    let mut group = c.benchmark_group("xirr");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SERIES as u64));
    group.bench_function("100k_series", |b| {
        b.iter(|| {
            for flows in &all {
                let _ = black_box(xirr(black_box(flows), None));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
