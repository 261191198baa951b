//! Every real root of a sum of exponentials, the engine under IRR, XIRR and RATE.
//!
//! A series of flows `c_i` at times `t_i ≥ 0` has the present value
//! `f(x) = Σ c_i · e^(−x·t_i)` with `x = ln(1 + r)`, so rates above −1 are the whole real line
//! in `x`. A tolerance in `x` is a relative tolerance in `1 + r`, which is what lets the same
//! search find rates near −1 and rates of 10^8 and more.
//!
//! The search never trusts a single Newton run. It splits the line at `x = 0` (`r = 0`) and
//! bounds the number of roots in each half before it looks for any:
//!
//! - Descartes' rule of signs, which holds for real exponents: the number of real roots,
//!   counted with multiplicity, is at most the number of sign changes of the coefficients;
//! - a sharper bound per half: `f(x) = x·∫₀^∞ e^(−x·s)·A(s) ds` where `A` is the running sum
//!   of the flows, and the Laplace transform does not add sign changes, so the number of roots
//!   with `r > 0` is at most the number of sign changes of the running sums taken forward in
//!   time, and the number with `−1 < r < 0` at most that of the running sums taken backward.
//!
//! A half with no root is skipped, and a half with at most one root and opposite signs at its
//! ends has exactly one, found by Newton's method kept inside the bracket (bisection whenever
//! a step would leave it or fails to shrink it). A half with a bound of two or more is cut
//! into stretches until the count is settled (see [`bounds`]): a stretch is proven free of
//! roots, or to hold one, from convexity bounds on the value and slope at its ends, and the
//! root bound and the parity of sign changes settle the rest. Should that take too many cuts
//! (a tangent root, a root on a cut), the half goes to isolation by Rolle's theorem: between
//! two roots of `d/dx (e^(x·t_j)·f)` the function is monotone, that derivative is again a sum
//! of exponentials with one sign change fewer, and the recursion ends at one.

mod bounds;

/// The smallest `x` searched: `1 + r` = machine epsilon, below which `r` rounds to −1.
pub(crate) const X_MIN: f64 = -36.04365338911715;
/// The largest `x` searched: `1 + r` ≈ 8.2e307, near the top of f64.
pub(crate) const X_MAX: f64 = 709.0;

/// The most steps one bracketed solve takes; bisection alone halves the bracket each step.
const MAX_STEPS: usize = 300;

/// A sum of exponentials `Σ c_i · e^(−x·t_i)` with times ascending from 0 and nonzero ends.
#[derive(Debug, Clone)]
pub(crate) struct ExpSum {
    coef: Vec<f64>,
    /// `None`: `coef[i]` sits at time `i` (whole periods). `Some`: at `times[i]` (years).
    times: Option<Vec<f64>>,
    /// The value at r = 0, `Σ c_i`, summed in order.
    total: f64,
    /// `Σ |c_i|`, summed in order.
    size: f64,
    /// Sign changes of the coefficients (Descartes' bound on all real roots).
    changes: usize,
}

/// One side of `x = 0`, each evaluated with its own scaling so that no term overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Half {
    /// `x ≤ 0`, that is `−1 < r ≤ 0`.
    Neg,
    /// `x ≥ 0`, that is `r ≥ 0`.
    Pos,
}

impl Half {
    fn bounds(self) -> (f64, f64) {
        match self {
            Half::Neg => (X_MIN, 0.0),
            Half::Pos => (0.0, X_MAX),
        }
    }
}

/// The value of a scaled sum at one point, its slope and the size of its terms.
#[derive(Debug, Clone, Copy)]
struct Point {
    value: f64,
    slope: f64,
    /// The second derivative, for Halley's correction to Newton's step.
    curvature: f64,
    /// `Σ |c_i| · weight_i`: what the rounding error of `value` is proportional to.
    magnitude: f64,
}

impl ExpSum {
    /// The sum of `coef` at `times`, with the figures every search needs computed once.
    fn new(coef: Vec<f64>, times: Option<Vec<f64>>) -> Self {
        let (mut total, mut size) = (0.0_f64, 0.0_f64);
        for c in &coef {
            total += c;
            size += c.abs();
        }
        let changes = sign_changes(coef.iter().copied());
        Self { coef, times, total, size, changes }
    }

    /// Flows at whole periods `0, 1, 2, …`; zeros inside the series are kept.
    ///
    /// Returns `None` when every value is zero.
    pub(crate) fn periods(values: &[f64]) -> Option<Self> {
        let first = values.iter().position(|v| *v != 0.0)?;
        let last = values.iter().rposition(|v| *v != 0.0)?;
        Some(Self::new(values[first..=last].to_vec(), None))
    }

    /// As [`years`](Self::years), taking the vectors over.
    pub(crate) fn from_years(mut times: Vec<f64>, mut amounts: Vec<f64>) -> Option<Self> {
        let mut kept = 0;
        for i in 0..amounts.len() {
            if amounts[i] != 0.0 {
                amounts[kept] = amounts[i];
                times[kept] = times[i];
                kept += 1;
            }
        }
        amounts.truncate(kept);
        times.truncate(kept);
        let start = *times.first()?;
        if start != 0.0 {
            times.iter_mut().for_each(|t| *t -= start);
        }
        Some(Self::new(amounts, Some(times)))
    }

    /// Flows at times in years, ascending and distinct; zero amounts are dropped.
    ///
    /// Returns `None` when every amount is zero.
    pub(crate) fn years(times: &[f64], amounts: &[f64]) -> Option<Self> {
        let (t, c): (Vec<f64>, Vec<f64>) =
            times.iter().zip(amounts).filter(|(_, c)| **c != 0.0).map(|(t, c)| (*t, *c)).unzip();
        let start = *t.first()?;
        Some(Self::new(c, Some(t.iter().map(|t| t - start).collect())))
    }

    fn len(&self) -> usize {
        self.coef.len()
    }

    fn time(&self, i: usize) -> f64 {
        match &self.times {
            #[allow(clippy::cast_precision_loss)] // a period index is far below 2^52
            None => i as f64,
            Some(t) => t[i],
        }
    }

    /// The scaled value, slope and term size at `x`, for a point of `half`.
    ///
    /// On the positive half the sum is `Σ c_i·e^(−x·t_i)` (the first term has weight 1); on
    /// the negative half it is multiplied by `e^(x·T)`, `T` the last time, so that the last
    /// term has weight 1. Both are positive multiples of `f`, so signs and roots are those of
    /// `f`, and no weight exceeds 1.
    fn eval(&self, x: f64, half: Half) -> Point {
        match (&self.times, half) {
            (None, Half::Pos) => {
                let v = (-x).exp();
                let (mut p, mut dp, mut ddp, mut m) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
                for c in self.coef.iter().rev() {
                    ddp = ddp * v + dp;
                    dp = dp * v + p;
                    p = p * v + c;
                    m = m * v + c.abs();
                }
                // f(x) = P(v), v = e^(−x): f′ = −v·P′, f″ = v·P′ + v²·P″ (P″ = 2·ddp).
                Point {
                    value: p,
                    slope: -v * dp,
                    curvature: v * dp + 2.0 * v * v * ddp,
                    magnitude: m,
                }
            }
            (None, Half::Neg) => {
                let w = x.exp();
                let (mut p, mut dp, mut ddp, mut m) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
                for c in &self.coef {
                    ddp = ddp * w + dp;
                    dp = dp * w + p;
                    p = p * w + c;
                    m = m * w + c.abs();
                }
                // g(x) = Q(w), w = e^x: g′ = w·Q′, g″ = w·Q′ + w²·Q″ (Q″ = 2·ddp).
                Point {
                    value: p,
                    slope: w * dp,
                    curvature: w * dp + 2.0 * w * w * ddp,
                    magnitude: m,
                }
            }
            (Some(t), Half::Pos) => {
                let (mut p, mut dp, mut ddp, mut m) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
                for (c, t) in self.coef.iter().zip(t) {
                    let ce = c * (-x * t).exp();
                    p += ce;
                    dp -= t * ce;
                    ddp += t * t * ce;
                    m += ce.abs();
                }
                Point { value: p, slope: dp, curvature: ddp, magnitude: m }
            }
            (Some(t), Half::Neg) => {
                let end = t[t.len() - 1];
                let (mut p, mut dp, mut ddp, mut m) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
                for (c, t) in self.coef.iter().zip(t) {
                    let s = end - t;
                    let ce = c * (x * s).exp();
                    p += ce;
                    dp += s * ce;
                    ddp += s * s * ce;
                    m += ce.abs();
                }
                Point { value: p, slope: dp, curvature: ddp, magnitude: m }
            }
        }
    }

    /// The rounding noise of a value whose terms have size `magnitude`.
    #[allow(clippy::cast_precision_loss)] // a term count is far below 2^52
    fn noise(&self, magnitude: f64) -> f64 {
        4.0 * self.len() as f64 * f64::EPSILON * magnitude
    }

    /// Whether the value at `p` cannot be told from zero.
    fn is_zero(&self, p: Point) -> bool {
        p.value.abs() <= self.noise(p.magnitude)
    }

    /// Sign changes of the nonzero coefficients (Descartes' bound on all real roots).
    fn coefficient_sign_changes(&self) -> usize {
        self.changes
    }

    /// Sign changes of the running sums in the direction that bounds the roots of `half`,
    /// or `None` when a running sum is too close to zero for its sign to be trusted.
    fn running_sum_sign_changes(&self, half: Half) -> Option<usize> {
        let mut sum = 0.0_f64;
        let mut size = 0.0_f64;
        let mut changes = 0;
        let mut last_positive: Option<bool> = None;
        let mut step = |c: f64| -> Option<()> {
            sum += c;
            size += c.abs();
            if sum.abs() <= self.noise(size) {
                return None;
            }
            let positive = sum > 0.0;
            if last_positive.is_some_and(|p| p != positive) {
                changes += 1;
            }
            last_positive = Some(positive);
            Some(())
        };
        match half {
            Half::Pos => self.coef.iter().try_for_each(|c| step(*c))?,
            Half::Neg => self.coef.iter().rev().try_for_each(|c| step(*c))?,
        }
        Some(changes)
    }

    /// A bound on the number of roots inside `half`, counted with multiplicity.
    fn root_bound(&self, half: Half) -> usize {
        match self.running_sum_sign_changes(half) {
            Some(w) => w.min(self.coefficient_sign_changes()),
            None => self.coefficient_sign_changes(),
        }
    }

    /// The sum whose roots are the critical points of `e^(x·t_j)·f`, with `j` the last term
    /// of the first run of one sign: its coefficients are `(t_j − t_i)·c_i`, and it has one
    /// sign change fewer.
    fn rolle(&self) -> Option<Self> {
        let first_positive = self.coef[0] > 0.0;
        let next = self.coef.iter().position(|c| *c != 0.0 && (*c > 0.0) != first_positive)?;
        let j = self.coef[..next].iter().rposition(|c| *c != 0.0)?;
        let tj = self.time(j);
        let coef: Vec<f64> =
            self.coef.iter().enumerate().map(|(i, c)| (tj - self.time(i)) * c).collect();
        match &self.times {
            None => Self::periods(&coef),
            Some(t) => Self::years(t, &coef),
        }
    }

    /// Every root of `f` in the closed range of `half`, ascending, as values of `x`.
    ///
    /// `start` is where a Newton run begins when the half holds exactly one root; without
    /// one, the run starts from [`estimate`](Self::estimate).
    fn roots_in(&self, half: Half, start: Option<f64>, out: &mut Vec<f64>) {
        let (lo, hi) = half.bounds();
        // At r = 0 every weight is 1, whichever the half.
        let at_zero = Point { value: self.total, slope: 0.0, curvature: 0.0, magnitude: self.size };
        let zero_is_root = self.is_zero(at_zero);
        let bound = self.root_bound(half);

        // No root inside the half: at most the one at r = 0.
        if bound == 0 {
            if zero_is_root {
                out.push(0.0);
            }
            return;
        }

        // At most one root inside, and a clear sign at r = 0: the far end decides.
        if bound == 1 && !zero_is_root {
            let far = match half {
                Half::Neg => lo,
                Half::Pos => hi,
            };
            let far_value =
                self.sign_at_far_end(half).unwrap_or_else(|| self.eval(far, half).value);
            if (far_value > 0.0) != (at_zero.value > 0.0) && far_value != 0.0 {
                let start = start.unwrap_or_else(|| self.estimate(half));
                out.push(self.solve(half, (0.0, at_zero.value), far, start));
            }
            return;
        }

        // Otherwise first try to settle the half by convexity bounds on a few cuts; Rolle's
        // isolation below is the fallback, which always decides but costs more evaluations.
        if !zero_is_root && !rolle_only() && self.isolate_by_bounds(half, bound, start, out) {
            return;
        }

        // Isolate by Rolle's theorem: f is monotone between consecutive critical points.
        let mut cuts = vec![lo];
        if let Some(derived) = self.rolle() {
            derived.roots_in(half, start, &mut cuts);
        }
        cuts.push(hi);
        cuts.dedup_by(|a, b| (*a - *b).abs() <= f64::EPSILON * a.abs().max(1.0));
        let points: Vec<Point> = cuts.iter().map(|x| self.eval(*x, half)).collect();
        for (i, (x, p)) in cuts.iter().zip(&points).enumerate() {
            let artificial_end = (*x == X_MIN) || (*x == X_MAX);
            if !artificial_end && self.is_zero(*p) {
                out.push(*x);
                continue;
            }
            let Some((next_x, next_p)) = cuts.get(i + 1).zip(points.get(i + 1)) else { break };
            let next_end = (*next_x == X_MIN) || (*next_x == X_MAX);
            let next_zero = !next_end && self.is_zero(*next_p);
            if !next_zero && next_p.value != 0.0 && (p.value > 0.0) != (next_p.value > 0.0) {
                let mid = match start {
                    Some(start) if start > *x && start < *next_x => start,
                    _ => 0.5 * (x + next_x),
                };
                out.push(self.solve(half, (*x, p.value), *next_x, mid));
            }
        }
    }

    /// The sign of the value at the far end of `half` (`X_MAX` or `X_MIN`) when one term
    /// outweighs all the others there, as a value of that sign; `None` when that is not clear
    /// without evaluating the sum.
    fn sign_at_far_end(&self, half: Half) -> Option<f64> {
        let n = self.len();
        if n < 2 {
            return Some(self.coef[0]);
        }
        // The term that keeps weight 1 at the far end, the nearest other time, and the sum of
        // the other terms' sizes: each of them weighs at most e^(−|far|·gap) there.
        let (lead, gap, rest) = match half {
            Half::Pos => (0, self.time(1) - self.time(0), self.coef[1..].iter()),
            Half::Neg => (n - 1, self.time(n - 1) - self.time(n - 2), self.coef[..n - 1].iter()),
        };
        let far = match half {
            Half::Pos => X_MAX,
            Half::Neg => -X_MIN,
        };
        let others = (-far * gap).exp() * rest.map(|c| c.abs()).sum::<f64>();
        let lead = self.coef[lead];
        (others < 0.5 * lead.abs()).then_some(lead)
    }

    /// A starting point for the root of `half` when the caller gave none: the root of the
    /// model `A + B·e^(−τ·x)` (a constant plus one exponential) that matches the value, slope
    /// and curvature of the sum at `x = 0`, where they cost no exponential; on the negative
    /// half the same with the times counted back from the last one.
    fn estimate(&self, half: Half) -> f64 {
        let end = self.time(self.len() - 1);
        let (mut s0, mut s1, mut s2) = (0.0_f64, 0.0_f64, 0.0_f64);
        for (i, c) in self.coef.iter().enumerate() {
            let t = match half {
                Half::Pos => self.time(i),
                Half::Neg => end - self.time(i),
            };
            s0 += c;
            s1 += c * t;
            s2 += c * t * t;
        }
        // Value s0, slope ∓s1, curvature s2 at x = 0; in the model τ = s2 / s1, B = s1 / τ.
        let fallback = match half {
            Half::Pos => 0.1,
            Half::Neg => -0.1,
        };
        let tau = s2 / s1;
        let b = s1 / tau;
        let ratio = (b - s0) / b;
        let x = match half {
            Half::Pos => -ratio.ln() / tau,
            Half::Neg => ratio.ln() / tau,
        };
        let (lo, hi) = half.bounds();
        if x.is_finite() && x > lo && x < hi && x != 0.0 { x } else { fallback }
    }

    /// The root between `a.0` and `b`, where `f(a.0)` has the sign of `a.1` and `f(b)` the
    /// other sign: Halley's method (Newton's with a curvature correction) from `start`, kept
    /// inside the bracket.
    fn solve(&self, half: Half, a: (f64, f64), b: f64, start: f64) -> f64 {
        let (mut neg, mut pos) = if a.1 < 0.0 { (a.0, b) } else { (b, a.0) };
        let (lo, hi) = (a.0.min(b), a.0.max(b));
        let mut x = if start > lo && start < hi { start } else { 0.5 * (lo + hi) };
        let mut last_step = hi - lo;
        // Whether the last move was a Newton or Halley step (not the start or a bisection).
        let mut stepped = false;
        for _ in 0..MAX_STEPS {
            let p = self.eval(x, half);
            if p.value == 0.0 || p.value.abs() <= 4.0 * f64::EPSILON * p.magnitude {
                return x;
            }
            if p.value < 0.0 {
                neg = x;
            } else {
                pos = x;
            }
            let (lo, hi) = (neg.min(pos), neg.max(pos));
            let newton = p.value / p.slope;
            let halley = newton / (1.0 - 0.5 * newton * p.curvature / p.slope);
            let inside = |step: f64| {
                let next = x - step;
                next.is_finite() && next > lo && next < hi && 2.0 * step.abs() <= last_step
            };
            let step = if inside(halley) {
                Some(halley)
            } else if inside(newton) {
                Some(newton)
            } else {
                None
            };
            let next = if let Some(step) = step {
                // A step this small after one at least a thousand times larger: the iteration
                // converges at least quadratically, so the error after it is below rounding.
                let converged = stepped
                    && step.abs() <= 1e-8 * (x.abs() + 1e-3)
                    && step.abs() <= 1e-3 * last_step;
                last_step = step.abs();
                stepped = true;
                if converged {
                    return x - step;
                }
                x - step
            } else {
                // The next step may then span the whole half that bisection keeps.
                last_step = hi - lo;
                stepped = false;
                0.5 * (lo + hi)
            };
            let tolerance = 4.0 * f64::EPSILON * (next.abs() + 1e-9);
            if (next - x).abs() <= tolerance || hi - lo <= tolerance {
                return next;
            }
            x = next;
        }
        x
    }
}

#[cfg(test)]
thread_local! {
    /// Set by tests that compare the convexity bounds with Rolle's isolation alone.
    static ROLLE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the convexity bounds are switched off (only ever in tests).
fn rolle_only() -> bool {
    #[cfg(test)]
    return ROLLE_ONLY.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// Sign changes of a sequence, zeros skipped.
fn sign_changes(values: impl Iterator<Item = f64>) -> usize {
    let mut changes = 0;
    let mut last: Option<bool> = None;
    for v in values.filter(|v| *v != 0.0) {
        let positive = v > 0.0;
        if last.is_some_and(|l| l != positive) {
            changes += 1;
        }
        last = Some(positive);
    }
    changes
}

/// Every root of `sum` with `x` in `[X_MIN, X_MAX]`, ascending, as values of `x`.
///
/// `guess` is a starting point for Newton's method; it changes how fast the roots are found,
/// never which.
pub(crate) fn all_roots(sum: &ExpSum, guess: Option<f64>) -> Vec<f64> {
    let mut roots = Vec::new();
    let start_neg = guess.filter(|g| *g < 0.0);
    let start_pos = guess.filter(|g| *g > 0.0);
    sum.roots_in(Half::Neg, start_neg, &mut roots);
    sum.roots_in(Half::Pos, start_pos, &mut roots);
    roots.sort_by(f64::total_cmp);
    roots.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * a.abs().max(1.0));
    roots
}

/// Whether the nonzero coefficients change sign at all.
pub(crate) fn has_sign_change(sum: &ExpSum) -> bool {
    sum.coefficient_sign_changes() > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An investment and monthly returns: one root above 0, none below.
    fn one_root() -> ExpSum {
        let times: Vec<f64> = (0..40).map(|i| f64::from(i) * 30.0 / 365.0).collect();
        let amounts: Vec<f64> =
            (0..40).map(|i| if i == 0 { -1_000.0 } else { 35.0 + f64::from(i % 3) }).collect();
        ExpSum::from_years(times, amounts).unwrap()
    }

    #[test]
    fn the_estimate_changes_the_start_not_the_root() {
        let sum = one_root();
        let estimated = all_roots(&sum, None);
        for guess in [-0.5_f64, 0.01, 0.1, 3.0] {
            let guessed = all_roots(&sum, Some(guess.ln_1p()));
            assert_eq!(estimated.len(), guessed.len());
            for (a, b) in estimated.iter().zip(&guessed) {
                assert!((a - b).abs() <= 1e-12 * (1.0 + a.abs()), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn the_far_end_shortcut_agrees_with_the_sum() {
        let sum = one_root();
        for (half, far) in [(Half::Pos, X_MAX), (Half::Neg, X_MIN)] {
            if let Some(sign) = sum.sign_at_far_end(half) {
                let value = sum.eval(far, half).value;
                assert_eq!(sign > 0.0, value > 0.0, "{half:?}");
            }
        }
    }

    /// The roots of `sum` by Rolle's isolation alone, as rates.
    fn rolle_roots(sum: &ExpSum) -> Vec<f64> {
        ROLLE_ONLY.with(|r| r.set(true));
        let roots = all_roots(sum, None);
        ROLLE_ONLY.with(|r| r.set(false));
        roots.into_iter().map(f64::exp_m1).collect()
    }

    /// Series with several sign changes, periodic and dated, from a fixed seed: the
    /// convexity bounds find the same roots as Rolle's isolation, which they shortcut.
    #[test]
    fn the_bounds_find_the_roots_rolle_finds() {
        use rand_core::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        #[allow(clippy::cast_precision_loss)] // 53 bits fit f64 exactly
        let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let (mut multiple, mut compared) = (0, 0);
        for case in 0..3_000 {
            let n = 3 + (case * 7 + 11) % 30;
            let negative_share = [0.1, 0.3, 0.5][case % 3];
            let mut t = 0.0;
            let (mut times, mut amounts) = (Vec::new(), Vec::new());
            for i in 0..n {
                let size = 10f64.powf(unit() * 4.0);
                let sign = if i == 0 || unit() < negative_share { -1.0 } else { 1.0 };
                times.push(t);
                amounts.push(sign * size);
                t += 0.01 + unit() * 0.5;
            }
            let sum = if case % 2 == 0 {
                ExpSum::periods(&amounts)
            } else {
                ExpSum::from_years(times, amounts)
            };
            let Some(sum) = sum else { continue };
            if !has_sign_change(&sum) {
                continue;
            }
            let fast: Vec<f64> = all_roots(&sum, None).into_iter().map(f64::exp_m1).collect();
            let slow = rolle_roots(&sum);
            assert_eq!(fast.len(), slow.len(), "case {case}: {fast:?} vs {slow:?}");
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() <= 1e-9 * (1.0 + b), "case {case}: {fast:?} vs {slow:?}");
            }
            compared += 1;
            multiple += usize::from(fast.len() >= 2);
        }
        // The comparison covers many series with several roots, not only easy ones.
        assert!(compared > 2_500 && multiple > 300, "{compared} compared, {multiple} multiple");
    }

    #[test]
    fn from_years_drops_zeros_and_starts_at_zero() {
        let sum = ExpSum::from_years(vec![0.5, 1.0, 2.0], vec![0.0, -1.0, 2.0]).unwrap();
        assert_eq!(sum.coef, vec![-1.0, 2.0]);
        assert_eq!(sum.times, Some(vec![0.0, 1.0]));
        assert!(ExpSum::from_years(vec![0.0], vec![0.0]).is_none());
    }
}
