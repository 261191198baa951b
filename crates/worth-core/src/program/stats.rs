//! Order statistics shared by the program's metrics.

/// The `p`-th quantile (0 ≤ p ≤ 1) of `values`, by linear interpolation between closest ranks
/// (the method of Excel's `PERCENTILE.INC` and of numpy's default): the rank is
/// `p × (n − 1)` counted from 0. `None` for no values.
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = p * (sorted.len() - 1) as f64;
    let below = rank.floor();
    // The rank lies in 0..=n − 1, so its floor is a valid index.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = below as usize;
    let Some(&next) = sorted.get(i + 1) else { return sorted.last().copied() };
    Some(sorted[i] + (next - sorted[i]) * (rank - below))
}

/// The median of `values`, as [`quantile`] at 0.5.
pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// The arithmetic mean and the sample variance (divided by n − 1) of `values`.
pub fn mean_variance(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = if n < 2 {
        f64::NAN
    } else {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    };
    Some((mean, var))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        // 10, 20, 30, 40: median at rank 1.5 = 25; p90 at rank 2.7 = 30 + 0.7 × 10 = 37.
        let v = [40.0, 10.0, 30.0, 20.0];
        assert!(close(median(&v), 25.0));
        assert!(close(quantile(&v, 0.9), 37.0));
        assert!(close(quantile(&[7.0], 0.9), 7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn variance_is_the_sample_one() {
        // 2, 4, 6: mean 4, squared deviations 4 + 0 + 4 = 8, ÷ 2 = 4.
        let (m, v) = mean_variance(&[2.0, 4.0, 6.0]).unwrap();
        assert!((m - 4.0).abs() < 1e-12 && (v - 4.0).abs() < 1e-12);
    }
}
