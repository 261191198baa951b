//! Root counting by convexity bounds: proves a stretch of a half free of roots, or the sum
//! monotone on it, from the values and slopes at its two ends, with no derivative sum to solve.
//!
//! Write the scaled sum as `f = U + V` with `U` the terms of positive coefficient and `V`
//! those of negative coefficient. On the negative half every exponent `λ = T − t_i` is
//! `≥ 0`, on the positive half every `λ = −t_i` is `≤ 0`, so the `k`-th derivative of each
//! part, `Σ c_i·λ_i^k·e^(λ_i·x)`, has a second derivative of one sign: each part of `f` and of
//! `f′` is convex or concave on the whole half. On `[a, b]` a convex part lies above both of
//! its tangents at `a` and `b` and below its chord, a concave part the other way round; so
//!
//! `f ≥ max(tangent of the convex part at a, at b) + chord of the concave part`,
//!
//! a convex broken line whose minimum is at `a`, at `b` or where the two tangents cross, and
//! symmetrically for an upper bound. The bound is exact at the ends and off by `O((b − a)²)`
//! inside, so a few cuts settle a stretch unless the sum nearly touches zero there. Each
//! part is moreover a sum of exponentials of one sign, so its size is log-convex, which gives
//! a second, tighter bound where the sum looks exponential (see [`log_dominates`]); a
//! stretch is settled when either bound proves it.
//!
//! The count then follows from the half's root bound `k` (see the module above): with `m`
//! stretches whose ends have opposite signs, each holds an odd number of roots and every other
//! stretch an even number, all counted with multiplicity, and they add up to at most `k`. So
//! when `k < m + 2`, or when every stretch is proven root-free or monotone, the roots are
//! exactly one per opposite stretch.

use super::{ExpSum, Half};

/// The most points evaluated before the search gives up and leaves the half to Rolle.
const MAX_POINTS: usize = 24;

/// One point of a half: the parts of the sum and of its first two derivatives.
#[derive(Debug, Clone, Copy)]
struct Parts {
    x: f64,
    /// `sums[k][0]`: `Σ c_i·λ_i^k·e^(λ_i·x)` over the terms with `c_i > 0`; `sums[k][1]` over
    /// those with `c_i < 0`.
    sums: [[f64; 2]; 3],
    /// `Σ |c_i|·e^(λ_i·x)`: what the rounding error of the value is proportional to.
    magnitude: f64,
}

impl Parts {
    fn value(&self) -> f64 {
        self.sums[0][0] + self.sums[0][1]
    }

    /// Where Newton's step from this point lands.
    fn newton(&self) -> f64 {
        self.x - self.value() / (self.sums[1][0] + self.sums[1][1])
    }
}

/// `e^e`, without calling `exp` where the answer is 1 or below the smallest f64.
fn weight(e: f64) -> f64 {
    if e == 0.0 {
        1.0
    } else if e < -746.0 {
        0.0
    } else {
        e.exp()
    }
}

/// A stretch between two consecutive points, and whether its root count is already proven.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    settled: bool,
}

/// The lower bound on `[a, b]` (width `w`) of `U + V`, `U` convex with values `ua`, `ub` and
/// slopes `dua`, `dub` at the ends, `V` concave with values `va`, `vb`; with the point where
/// it is reached and the rounding allowance `tol` times the size of what was added.
fn lower_bound(u: [f64; 4], va: f64, vb: f64, w: f64, tol: f64) -> (f64, f64, f64) {
    let [ua, dua, ub, dub] = u;
    let at_ends = (ua + va).min(ub + vb);
    // The tangents at a and b cross at a + δ; when U is straight they do not cross inside.
    let mut bound = at_ends;
    let mut delta = 0.5 * w;
    if dub > dua {
        let d = ((dub * w - (ub - ua)) / (dub - dua)).clamp(0.0, w);
        let inner = ua + dua * d + va + (vb - va) * (d / w);
        if inner < bound {
            bound = inner;
        }
        delta = d;
    }
    let size = ua.abs() + ub.abs() + va.abs() + vb.abs() + (dua.abs() + dub.abs()) * w;
    (bound, delta, tol * size)
}

/// Whether side `big` of the `k`-th derivative outweighs the other side on all of
/// `[a.x, b.x]`, and where that bound is weakest (`None` when it cannot be formed).
///
/// Each side is a sum of terms `c_i·λ_i^k·e^(λ_i·x)` of one sign, so its size is
/// log-convex: the logarithm of a sum of exponentials is convex. The size of side `big` lies
/// above the exponentials tangent to it at `a` and at `b`, the size of the other below the
/// geometric interpolation of its end values; in logarithms both are straight lines, so the
/// gap is a convex broken line whose minimum is at an end or where the two tangents cross.
/// This is tighter than the linear bounds wherever the sum looks exponential, which is the
/// case near the far ends of a half. Ends whose sizes are zero or near the bottom of f64
/// (where underflow would break log-convexity) give no bound.
fn log_dominates(k: usize, a: &Parts, b: &Parts, big: usize, tol: f64) -> (bool, Option<f64>) {
    let small = 1 - big;
    let tiny = 1e-290;
    let (aa, ab) = (a.sums[k][big].abs(), b.sums[k][big].abs());
    let (ba, bb) = (a.sums[k][small].abs(), b.sums[k][small].abs());
    if !(aa > tiny && ab > tiny && ba > tiny && bb > tiny) {
        return (false, None);
    }
    let w = b.x - a.x;
    // Log-slopes of the size of side `big`: d/dx |S| = sign(S)·S′.
    let ra = a.sums[k + 1][big] * a.sums[k][big].signum() / aa;
    let rb = b.sums[k + 1][big] * b.sums[k][big].signum() / ab;
    let (la, lb, ga, gb) = (aa.ln(), ab.ln(), ba.ln(), bb.ln());
    let gap = |d: f64| (la + ra * d).max(lb + rb * (d - w)) - (ga + (gb - ga) * (d / w));
    let mut low = gap(0.0).min(gap(w));
    let mut delta = 0.5 * w;
    if rb > ra {
        delta = ((rb * w - (lb - la)) / (rb - ra)).clamp(0.0, w);
        low = low.min(gap(delta));
    }
    let err = tol * (4.0 + (ra.abs() + rb.abs()) * w)
        + 4.0 * f64::EPSILON * (la.abs() + lb.abs() + ga.abs() + gb.abs());
    (low.is_finite() && low > err, Some((a.x + delta).clamp(a.x, b.x)))
}

impl ExpSum {
    /// The parts at `x` of `half`, scaled as [`eval`](ExpSum::eval) scales the value.
    fn parts(&self, x: f64, half: Half) -> Parts {
        let mut sums = [[0.0_f64; 2]; 3];
        let mut magnitude = 0.0_f64;
        let mut add = |c: f64, lambda: f64, weight: f64| {
            let side = usize::from(c < 0.0);
            let term = c * weight;
            let slope = term * lambda;
            sums[0][side] += term;
            sums[1][side] += slope;
            sums[2][side] += slope * lambda;
            magnitude += term.abs();
        };
        let n = self.len();
        match (&self.times, half) {
            (None, Half::Pos) => {
                // λ_i = −i, e^(λ_i·x) = v^i.
                let v = (-x).exp();
                let mut weight = 1.0;
                for (i, c) in self.coef.iter().enumerate() {
                    #[allow(clippy::cast_precision_loss)] // a period index is far below 2^52
                    add(*c, -(i as f64), weight);
                    weight *= v;
                }
            }
            (None, Half::Neg) => {
                // λ_i = n − 1 − i, e^(λ_i·x) = w^(n − 1 − i).
                let w = x.exp();
                let mut weight = 1.0;
                for (i, c) in self.coef.iter().enumerate().rev() {
                    #[allow(clippy::cast_precision_loss)] // a period index is far below 2^52
                    add(*c, (n - 1 - i) as f64, weight);
                    weight *= w;
                }
            }
            (Some(t), Half::Pos) => {
                for (c, t) in self.coef.iter().zip(t) {
                    add(*c, -t, weight(-x * t));
                }
            }
            (Some(t), Half::Neg) => {
                let end = t[n - 1];
                for (c, t) in self.coef.iter().zip(t) {
                    let s = end - t;
                    add(*c, s, weight(x * s));
                }
            }
        }
        Parts { x, sums, magnitude }
    }

    /// The rounding allowance, relative to the size of the sums a bound adds up.
    #[allow(clippy::cast_precision_loss)] // a term count is far below 2^52
    fn bound_tolerance(&self) -> f64 {
        16.0 * self.len() as f64 * f64::EPSILON
    }

    /// Whether the value at `p` cannot be told from zero.
    fn parts_zero(&self, p: &Parts) -> bool {
        p.value() == 0.0 || p.value().abs() <= self.noise(p.magnitude)
    }

    /// The lower bound of the `k`-th derivative (`k` = 0 or 1) on `[a.x, b.x]`, the point
    /// where it is reached, and its rounding allowance.
    fn derivative_lower_bound(half: Half, k: usize, a: &Parts, b: &Parts, tol: f64) -> [f64; 3] {
        // The part of coefficients c_i·λ_i^k whose second derivative c_i·λ_i^(k+2) is ≥ 0.
        let convex = usize::from(half == Half::Pos && k % 2 == 1);
        let concave = 1 - convex;
        let u =
            [a.sums[k][convex], a.sums[k + 1][convex], b.sums[k][convex], b.sums[k + 1][convex]];
        let (bound, delta, allowance) =
            lower_bound(u, a.sums[k][concave], b.sums[k][concave], b.x - a.x, tol);
        [bound, (a.x + delta).clamp(a.x, b.x), allowance]
    }

    /// As [`derivative_lower_bound`](Self::derivative_lower_bound), an upper bound: minus the
    /// lower bound of the negated derivative, whose convex part is the negated concave one.
    fn derivative_upper_bound(half: Half, k: usize, a: &Parts, b: &Parts, tol: f64) -> [f64; 3] {
        let convex = usize::from(half == Half::Pos && k % 2 == 1);
        let concave = 1 - convex;
        let u = [
            -a.sums[k][concave],
            -a.sums[k + 1][concave],
            -b.sums[k][concave],
            -b.sums[k + 1][concave],
        ];
        let (bound, delta, allowance) =
            lower_bound(u, -a.sums[k][convex], -b.sums[k][convex], b.x - a.x, tol);
        [-bound, (a.x + delta).clamp(a.x, b.x), allowance]
    }

    /// Where to cut a stretch whose ends have opposite signs and whose slope is not yet
    /// proven of one sign. At the far end of a half (`X_MIN`, `X_MAX`) the slope vanishes, so
    /// a stretch that reaches it is never proven monotone: it is cut past the root, twice as
    /// far from the other end as Newton's step from there, so that the far part keeps one
    /// sign and the near part is short. Elsewhere it is cut in the middle.
    fn crossing_cut(half: Half, a: &Parts, b: &Parts) -> f64 {
        let (lo, hi) = half.bounds();
        let near = match half {
            Half::Neg if a.x <= lo => b,
            Half::Pos if b.x >= hi => a,
            _ => return 0.5 * (a.x + b.x),
        };
        let step = near.newton() - near.x;
        let x = near.x + 2.0 * step;
        if x > a.x && x < b.x { x } else { 0.5 * (a.x + b.x) }
    }

    /// Finds every root of `half` (whose root bound is `bound ≥ 2` and whose value at r = 0
    /// is clearly nonzero) by cutting it until the convexity bounds and the root bound settle
    /// every stretch, and pushes them ascending; `false`, having pushed nothing, when that
    /// takes more than [`MAX_POINTS`] points or a cut lands where the value is lost in
    /// rounding.
    pub(super) fn isolate_by_bounds(
        &self,
        half: Half,
        bound: usize,
        start: Option<f64>,
        out: &mut Vec<f64>,
    ) -> bool {
        let (lo, hi) = half.bounds();
        let mut points = vec![self.parts(lo, half), self.parts(hi, half)];
        if points.iter().any(|p| self.parts_zero(p)) {
            return false;
        }
        let mut stretches = vec![Stretch { settled: false }];
        let tol = self.bound_tolerance();
        let opposite =
            |points: &[Parts], i: usize| (points[i].value() > 0.0) != (points[i + 1].value() > 0.0);
        loop {
            let crossings = (0..stretches.len()).filter(|i| opposite(&points, *i)).count();
            let open = if crossings + 2 > bound {
                None
            } else {
                stretches.iter().position(|s| !s.settled)
            };
            let Some(i) = open else {
                // Settled: one root in each stretch whose ends differ in sign.
                for i in 0..stretches.len() {
                    if opposite(&points, i) {
                        let (a, b) = (&points[i], &points[i + 1]);
                        let mid = match start {
                            Some(s) if s > a.x && s < b.x => s,
                            _ => [a.newton(), b.newton()]
                                .into_iter()
                                .find(|x| *x > a.x && *x < b.x)
                                .unwrap_or(0.5 * (a.x + b.x)),
                        };
                        out.push(self.solve(half, (a.x, a.value()), b.x, mid));
                    }
                }
                return true;
            };
            let (a, b) = (points[i], points[i + 1]);
            let positive = a.value() > 0.0;
            // A stretch with ends of one sign has no root if the value keeps that sign; one
            // with ends of opposite signs has one root if the slope keeps one sign.
            let (proven, cut) = if opposite(&points, i) {
                let [low, _, low_err] = Self::derivative_lower_bound(half, 1, &a, &b, tol);
                let [high, _, high_err] = Self::derivative_upper_bound(half, 1, &a, &b, tol);
                let proven = low > low_err
                    || high < -high_err
                    || log_dominates(1, &a, &b, 0, tol).0
                    || log_dominates(1, &a, &b, 1, tol).0;
                (proven, Self::crossing_cut(half, &a, &b))
            } else {
                let (linear, at) = if positive {
                    let [low, at, err] = Self::derivative_lower_bound(half, 0, &a, &b, tol);
                    (low > err, at)
                } else {
                    let [high, at, err] = Self::derivative_upper_bound(half, 0, &a, &b, tol);
                    (high < -err, at)
                };
                let (log, log_at) = log_dominates(0, &a, &b, usize::from(!positive), tol);
                (linear || log, log_at.unwrap_or(at))
            };
            if proven {
                stretches[i].settled = true;
                continue;
            }
            if points.len() >= MAX_POINTS {
                return false;
            }
            // Cut where the bound is weakest, kept off the ends so that every cut shrinks.
            let w = b.x - a.x;
            let x = cut.clamp(a.x + w / 256.0, b.x - w / 256.0);
            if !(x > a.x && x < b.x) {
                return false;
            }
            let p = self.parts(x, half);
            if self.parts_zero(&p) {
                return false;
            }
            points.insert(i + 1, p);
            stretches.insert(i + 1, Stretch { settled: false });
            stretches[i].settled = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::all_roots;
    use super::*;

    /// The coefficients of `Π (1 − (1 + r_j)·v)` in powers of `v = 1/(1 + r)`: a periodic
    /// series whose roots are exactly the rates `r_j`.
    fn with_roots(rates: &[f64]) -> Vec<f64> {
        let mut coef = vec![1.0];
        for r in rates {
            let mut next = vec![0.0; coef.len() + 1];
            for (i, c) in coef.iter().enumerate() {
                next[i] += c;
                next[i + 1] -= (1.0 + r) * c;
            }
            coef = next;
        }
        coef
    }

    /// Three roots below zero and one above, in closed form: the negative half is settled by
    /// the bounds alone, and the roots are those the product was built from.
    #[test]
    fn isolation_finds_closed_form_roots() {
        let rates = [-0.75, -0.5, -0.2, 0.4];
        let sum = ExpSum::periods(&with_roots(&rates)).unwrap();
        let bound = sum.root_bound(Half::Neg);
        assert!(bound >= 3, "{bound}");
        let mut found = Vec::new();
        assert!(sum.isolate_by_bounds(Half::Neg, bound, None, &mut found));
        assert_eq!(found.len(), 3, "{found:?}");
        for (x, r) in found.iter().zip(rates) {
            assert!((x.exp_m1() - r).abs() <= 1e-12, "{} vs {r}", x.exp_m1());
        }
        let all: Vec<f64> = all_roots(&sum, None).into_iter().map(f64::exp_m1).collect();
        assert_eq!(all.len(), 4, "{all:?}");
    }

    /// `(1 − 2v)²` touches zero at r = 1 without crossing it: no bound can prove anything
    /// near the tangent, so the half is left to Rolle's isolation, which finds it.
    #[test]
    fn a_double_root_is_left_to_rolle() {
        let sum = ExpSum::periods(&[1.0, -4.0, 4.0]).unwrap();
        let bound = sum.root_bound(Half::Pos);
        assert_eq!(bound, 2);
        let mut found = Vec::new();
        assert!(!sum.isolate_by_bounds(Half::Pos, bound, None, &mut found));
        assert!(found.is_empty());
        let all = all_roots(&sum, None);
        assert_eq!(all.len(), 1, "{all:?}");
        assert!((all[0].exp_m1() - 1.0).abs() <= 1e-6, "{}", all[0].exp_m1());
    }

    /// Dated sums of up to 30 terms, a few days to a few months apart.
    fn dated_sum() -> impl Strategy<Value = ExpSum> {
        prop::collection::vec((0.003_f64..0.3, -1e6_f64..1e6), 2..30).prop_filter_map(
            "two nonzero terms",
            |terms| {
                let mut t = 0.0;
                let mut times = Vec::new();
                let mut amounts = Vec::new();
                for (gap, amount) in terms {
                    times.push(t);
                    amounts.push(amount);
                    t += gap;
                }
                ExpSum::from_years(times, amounts).filter(|s| s.len() >= 2)
            },
        )
    }

    proptest! {
        /// The lower and upper bounds of the value and of the slope on a stretch hold at every
        /// point of a fine grid on it (up to their rounding allowance).
        #[test]
        fn bounds_enclose_the_sum_and_its_slope(
            sum in dated_sum(),
            positive in any::<bool>(),
            ends in (0.0_f64..1.0, 0.0_f64..1.0),
        ) {
            let half = if positive { Half::Pos } else { Half::Neg };
            let (lo, hi) = match half {
                Half::Neg => (-3.0, 0.0),
                Half::Pos => (0.0, 3.0),
            };
            let (u, v) = (ends.0.min(ends.1), ends.0.max(ends.1));
            prop_assume!(v - u > 1e-3);
            let (a, b) = (lo + u * (hi - lo), lo + v * (hi - lo));
            let (pa, pb) = (sum.parts(a, half), sum.parts(b, half));
            let tol = sum.bound_tolerance();
            for k in 0..2 {
                let [low, at, low_err] = ExpSum::derivative_lower_bound(half, k, &pa, &pb, tol);
                let [high, _, high_err] = ExpSum::derivative_upper_bound(half, k, &pa, &pb, tol);
                prop_assert!((a..=b).contains(&at));
                for j in 0..=64 {
                    let x = a + (b - a) * f64::from(j) / 64.0;
                    let p = sum.parts(x, half);
                    let exact = p.sums[k][0] + p.sums[k][1];
                    prop_assert!(low <= exact + low_err, "k {k} x {x}: {low} > {exact}");
                    prop_assert!(high >= exact - high_err, "k {k} x {x}: {high} < {exact}");
                }
                // Where the logarithmic bound claims one side outweighs the other, it does.
                for big in 0..2 {
                    let (proven, at) = log_dominates(k, &pa, &pb, big, tol);
                    if let Some(at) = at {
                        prop_assert!((a..=b).contains(&at));
                    }
                    if proven {
                        for j in 0..=64 {
                            let x = a + (b - a) * f64::from(j) / 64.0;
                            let p = sum.parts(x, half);
                            let (heavy, light) = (p.sums[k][big].abs(), p.sums[k][1 - big].abs());
                            prop_assert!(heavy > light, "k {k} side {big} x {x}: {heavy} <= {light}");
                        }
                    }
                }
            }
        }
    }
}
