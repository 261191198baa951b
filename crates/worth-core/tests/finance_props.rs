//! Properties of IRR, XIRR and XNPV that hold for any series: every returned root is a root,
//! no root is missed, and the order or scale of the flows changes nothing.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use worth_core::finance::{self, Flow, year_fraction};

/// `f(r) / Σ|c_i|·(1 + r)^(−t_i)` with the terms scaled so that none overflows.
fn signed_residual(times: &[f64], amounts: &[f64], rate: f64) -> f64 {
    let x = rate.ln_1p();
    let exponents: Vec<f64> = times.iter().map(|t| -x * t).collect();
    let top = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut value, mut size) = (0.0, 0.0);
    for (c, e) in amounts.iter().zip(&exponents) {
        let w = (e - top).exp();
        value += c * w;
        size += c.abs() * w;
    }
    value / size
}

/// Whether `rate` is a root to the precision f64 gives it: the present value is tiny there
/// relative to the flows, or changes sign between the neighbouring floats (near −1 a float
/// rate holds few digits of `1 + r`).
fn is_root(times: &[f64], amounts: &[f64], rate: f64) -> bool {
    let residual = signed_residual(times, amounts, rate);
    let below = signed_residual(times, amounts, rate.next_down());
    let above = signed_residual(times, amounts, rate.next_up());
    residual.abs() < 1e-9 || (below > 0.0) != (above > 0.0)
}

fn periods(n: usize) -> Vec<f64> {
    (0..n).map(|i| f64::from(u32::try_from(i).unwrap())).collect()
}

/// Periodic values with both signs, some zeros, and magnitudes over several decades.
fn any_values() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            1 => Just(0.0),
            6 => -1.0e4..1.0e4_f64,
            1 => -1.0e7..1.0e7_f64,
        ],
        2..40,
    )
}

/// A realistic dated series: an investment, then mostly returns, some further costs.
fn dated_series() -> impl Strategy<Value = Vec<Flow>> {
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    (1.0e3..1.0e6_f64, prop::collection::vec((1u64..120, -0.3..1.0_f64), 1..60)).prop_map(
        move |(investment, rest)| {
            let mut day = 0;
            let mut flows = vec![Flow::new(start, -investment)];
            for (gap, share) in rest {
                day += gap;
                flows.push(Flow::new(start + Days::new(day), share * investment / 10.0));
            }
            flows
        },
    )
}

/// Brackets of the sign changes of the present value on a fine grid in `x = ln(1 + r)`.
fn grid_sign_changes(values: &[f64]) -> Vec<(f64, f64)> {
    let times = periods(values.len());
    let value_at = |x: f64| {
        let exps: Vec<f64> = times.iter().map(|t| -x * t).collect();
        let top = exps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        values.iter().zip(&exps).map(|(c, e)| c * (e - top).exp()).sum::<f64>()
    };
    let grid: Vec<f64> = (-2000..=2000).map(|k| f64::from(k) * 0.005).collect();
    let mut brackets = Vec::new();
    for pair in grid.windows(2) {
        let (a, b) = (value_at(pair[0]), value_at(pair[1]));
        if a != 0.0 && b != 0.0 && (a > 0.0) != (b > 0.0) {
            brackets.push((pair[0].exp_m1(), pair[1].exp_m1()));
        }
    }
    brackets
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_irr_root_makes_npv_zero(values in any_values()) {
        if let Ok(found) = finance::irr(&values, None) {
            prop_assert!(found.roots.contains(&found.rate));
            let times = periods(values.len());
            for r in &found.roots {
                prop_assert!(*r > -1.0);
                prop_assert!(is_root(&times, &values, *r), "npv at {r} is not zero");
            }
        }
    }

    #[test]
    fn no_sign_change_on_a_grid_is_missed(values in any_values()) {
        let brackets = grid_sign_changes(&values);
        match finance::irr(&values, None) {
            Ok(found) => for (lo, hi) in brackets {
                prop_assert!(
                    found.roots.iter().any(|r| *r >= lo && *r <= hi),
                    "roots {:?} miss the sign change in [{lo}, {hi}]", found.roots
                );
            },
            Err(e) => prop_assert!(brackets.is_empty(), "{e} but npv changes sign: {brackets:?}"),
        }
    }

    #[test]
    fn default_root_is_the_smallest_non_negative_else_closest_negative(values in any_values()) {
        if let Ok(found) = finance::irr(&values, None) {
            let non_negative = found.roots.iter().copied().filter(|r| *r >= 0.0).reduce(f64::min);
            let negative = found.roots.iter().copied().filter(|r| *r < 0.0).reduce(f64::max);
            prop_assert_eq!(Some(found.rate), non_negative.or(negative));
        }
    }

    #[test]
    fn scaling_flows_leaves_irr_unchanged(values in any_values(), scale in prop_oneof![
        (1.0e-3..1.0e6_f64), (-1.0e6..-1.0e-3_f64)
    ]) {
        let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
        match (finance::irr(&values, None), finance::irr(&scaled, None)) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.roots.len(), b.roots.len());
                for (x, y) in a.roots.iter().zip(&b.roots) {
                    prop_assert!((x - y).abs() <= 1e-9 * (1.0 + x.abs()), "{x} vs {y}");
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.kind(), b.kind()),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }

    #[test]
    fn every_xirr_root_makes_xnpv_zero(flows in dated_series()) {
        if let Ok(found) = finance::xirr(&flows, None) {
            let start = flows.iter().map(|f| f.date).min().unwrap();
            let times: Vec<f64> = flows.iter().map(|f| year_fraction(start, f.date)).collect();
            let amounts: Vec<f64> = flows.iter().map(|f| f.amount).collect();
            for r in &found.roots {
                prop_assert!(is_root(&times, &amounts, *r), "xnpv at {r} is not zero");
            }
        }
    }

    #[test]
    fn shuffling_flows_leaves_xirr_and_xnpv_unchanged(
        flows in dated_series(),
        order in Just(()).prop_perturb(|(), mut rng| rng.random::<u64>()),
        rate in -0.5..2.0_f64,
    ) {
        let mut shuffled = flows.clone();
        // A seeded Fisher-Yates shuffle, so that a failure reproduces.
        let mut state = order | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = usize::try_from(state % u64::try_from(i + 1).unwrap()).unwrap();
            shuffled.swap(i, j);
        }
        let (a, b) = (finance::xnpv(rate, &flows).unwrap(), finance::xnpv(rate, &shuffled).unwrap());
        let size: f64 = flows.iter().map(|f| f.amount.abs()).sum();
        prop_assert!((a - b).abs() <= 1e-12 * size, "{a} vs {b}");
        match (finance::xirr(&flows, None), finance::xirr(&shuffled, None)) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.roots.len(), b.roots.len());
                prop_assert!((a.rate - b.rate).abs() <= 1e-9 * (1.0 + a.rate.abs()));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.kind(), b.kind()),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }
}
