//! Splitting an amount into parts rounded to a minor unit that sum exactly to the whole.
//!
//! Both functions use the largest-remainder method: every part is first rounded down to the
//! unit, then the units still missing go one each to the parts with the largest remainders.
//! Ties are broken by the parts' keys, never by their position, so the result does not depend
//! on the order in which the parts are given.

use rust_decimal::{Decimal, RoundingStrategy};

/// Why a split could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A weight below zero: a share cannot be negative.
    #[error("weight {weight} of '{key}' is negative; weights must be zero or more")]
    NegativeWeight {
        /// The key of the part.
        key: String,
        /// Its weight.
        weight: Decimal,
    },
    /// Two parts with the same key, which would make ties depend on input order.
    #[error("'{0}' is given twice; each target may appear once in a split")]
    DuplicateKey(String),
}

/// The whole rounded to `scale` decimal places, half away from zero.
pub fn round_total(total: Decimal, scale: u32) -> Decimal {
    total.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds exact parts to `scale` decimal places so that they sum to their exact sum rounded
/// half away from zero (see [`round_total`]). Parts may be negative (credits).
///
/// The result is sorted by key. Keys must be distinct.
pub fn apportion<K>(parts: &[(K, Decimal)], scale: u32) -> Result<Vec<(K, Decimal)>, SplitError>
where
    K: Ord + Clone + std::fmt::Display,
{
    let total: Decimal = parts.iter().map(|(_, v)| *v).sum();
    apportion_to(parts, round_total(total, scale), scale)
}

/// Splits `total` by non-negative `weights` into parts rounded to `scale` decimal places that
/// sum exactly to `total` rounded to `scale`.
///
/// Returns `Ok(None)` when every weight is zero (or there are none): nothing can be shared,
/// and the caller must send the amount to Unallocated instead of losing it. The result is
/// sorted by key and holds every key, with zero for a zero weight.
pub fn split<K>(
    total: Decimal,
    weights: &[(K, Decimal)],
    scale: u32,
) -> Result<Option<Vec<(K, Decimal)>>, SplitError>
where
    K: Ord + Clone + std::fmt::Display,
{
    if let Some((key, weight)) = weights.iter().find(|(_, w)| w.is_sign_negative() && !w.is_zero())
    {
        return Err(SplitError::NegativeWeight { key: key.to_string(), weight: *weight });
    }
    let sum: Decimal = weights.iter().map(|(_, w)| *w).sum();
    if sum.is_zero() {
        check_distinct(weights)?;
        return Ok(None);
    }
    let exact: Vec<(K, Decimal)> =
        weights.iter().map(|(k, w)| (k.clone(), share(total, *w, sum))).collect();
    apportion_to(&exact, round_total(total, scale), scale).map(Some)
}

/// `total × weight ÷ sum`, dividing first when the product would overflow.
fn share(total: Decimal, weight: Decimal, sum: Decimal) -> Decimal {
    match total.checked_mul(weight) {
        Some(product) => product / sum,
        None => total * (weight / sum),
    }
}

fn check_distinct<K: Ord + Clone + std::fmt::Display>(
    parts: &[(K, Decimal)],
) -> Result<(), SplitError> {
    let mut keys: Vec<&K> = parts.iter().map(|(k, _)| k).collect();
    keys.sort();
    match keys.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(SplitError::DuplicateKey(w[0].to_string())),
        None => Ok(()),
    }
}

/// Rounds `parts` down to `scale`, then hands the missing units of `target` (a whole at
/// `scale`, within half a unit of the parts' exact sum) to the largest remainders, ties to the
/// smaller key. A caller that knows the whole exactly passes it here, so that the last digits
/// lost when shares are divided cannot move the rounded whole.
pub fn apportion_to<K>(
    parts: &[(K, Decimal)],
    target: Decimal,
    scale: u32,
) -> Result<Vec<(K, Decimal)>, SplitError>
where
    K: Ord + Clone + std::fmt::Display,
{
    check_distinct(parts)?;
    let unit = Decimal::new(1, scale);
    let mut rows: Vec<(K, Decimal, Decimal)> = parts
        .iter()
        .map(|(k, v)| {
            let floor = v.round_dp_with_strategy(scale, RoundingStrategy::ToNegativeInfinity);
            (k.clone(), floor, *v - floor)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));

    // Rounding down loses less than one unit per part and the target is within half a unit of
    // the exact sum, so the units missing are between zero and the number of parts.
    let floors: Decimal = rows.iter().map(|r| r.1).sum();
    let missing = ((target - floors) / unit).round();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| rows[b].2.cmp(&rows[a].2).then_with(|| rows[a].0.cmp(&rows[b].0)));
    let mut given = Decimal::ZERO;
    for &i in &order {
        if given >= missing {
            break;
        }
        rows[i].1 += unit;
        given += Decimal::ONE;
    }
    Ok(rows
        .into_iter()
        .map(|(k, mut v, _)| {
            v.rescale(scale);
            (k, v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::dec;

    use super::*;

    fn weights(ws: &[(&'static str, Decimal)]) -> Vec<(&'static str, Decimal)> {
        ws.to_vec()
    }

    #[test]
    fn the_issue_example_gives_the_published_parts_in_any_order() {
        // 613 × w / 605: 99.299, 93.223, 99.299, 124.623, 103.342, 93.223; the floors sum to
        // 611, and the two missing units go to the largest remainders, d (.623) and e (.342).
        let ws = weights(&[
            ("a", dec!(98)),
            ("b", dec!(92)),
            ("c", dec!(98)),
            ("d", dec!(123)),
            ("e", dec!(102)),
            ("f", dec!(92)),
        ]);
        let expected = vec![
            ("a", dec!(99)),
            ("b", dec!(93)),
            ("c", dec!(99)),
            ("d", dec!(125)),
            ("e", dec!(104)),
            ("f", dec!(93)),
        ];
        assert_eq!(split(dec!(613), &ws, 0).unwrap().unwrap(), expected);
        let mut reversed = ws.clone();
        reversed.reverse();
        assert_eq!(split(dec!(613), &reversed, 0).unwrap().unwrap(), expected);
        let rotated: Vec<_> = ws[3..].iter().chain(&ws[..3]).copied().collect();
        assert_eq!(split(dec!(613), &rotated, 0).unwrap().unwrap(), expected);
    }

    #[test]
    fn ties_go_to_the_smaller_key_not_the_first_given() {
        // 1.00 in three equal parts: 0.333… each, one cent missing, all remainders equal.
        let ws = weights(&[("c", dec!(1)), ("b", dec!(1)), ("a", dec!(1))]);
        let got = split(dec!(1.00), &ws, 2).unwrap().unwrap();
        assert_eq!(got, vec![("a", dec!(0.34)), ("b", dec!(0.33)), ("c", dec!(0.33))]);
    }

    #[test]
    fn zero_weights_share_nothing_and_negative_weights_are_refused() {
        assert_eq!(split(dec!(10), &weights(&[("a", dec!(0)), ("b", dec!(0))]), 2), Ok(None));
        assert_eq!(split::<&str>(dec!(10), &[], 2), Ok(None));
        assert!(matches!(
            split(dec!(10), &weights(&[("a", dec!(-1)), ("b", dec!(2))]), 2),
            Err(SplitError::NegativeWeight { .. })
        ));
        assert_eq!(
            split(dec!(10), &weights(&[("a", dec!(1)), ("a", dec!(2))]), 2),
            Err(SplitError::DuplicateKey("a".into()))
        );
    }

    #[test]
    fn a_negative_total_splits_into_negative_parts() {
        // −1.00 ÷ 3 = −0.333…; floors −0.34 each sum to −1.02, two cents are given back.
        let ws = weights(&[("a", dec!(1)), ("b", dec!(1)), ("c", dec!(1))]);
        let got = split(dec!(-1.00), &ws, 2).unwrap().unwrap();
        assert_eq!(got, vec![("a", dec!(-0.33)), ("b", dec!(-0.33)), ("c", dec!(-0.34))]);
    }

    #[test]
    fn apportion_rounds_mixed_signs_to_the_rounded_sum() {
        // Exact sum 10.0075 + −2.6137 + 0.0049 = 7.3987, rounded 7.40; floors 10.00, −2.62,
        // 0.00 sum to 7.38, and the two cents go to the remainders .0075 and .0063.
        let parts = vec![("a", dec!(10.0075)), ("b", dec!(-2.6137)), ("c", dec!(0.0049))];
        let got = apportion(&parts, 2).unwrap();
        assert_eq!(got, vec![("a", dec!(10.01)), ("b", dec!(-2.61)), ("c", dec!(0.00))]);
    }

    fn amount() -> impl Strategy<Value = Decimal> {
        (-10_000_000_000i64..10_000_000_000, 0u32..6).prop_map(|(m, s)| Decimal::new(m, s))
    }

    fn weight() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            Just(Decimal::ZERO),
            (0i64..1_000_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s))
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_split_sums_exactly_to_the_rounded_amount(
            total in amount(),
            ws in prop::collection::vec(weight(), 0..12),
            scale in 0u32..4,
        ) {
            let keyed: Vec<(usize, Decimal)> = ws.iter().copied().enumerate().collect();
            match split(total, &keyed, scale).unwrap() {
                None => prop_assert!(ws.iter().all(|w| w.is_zero())),
                Some(parts) => {
                    let sum: Decimal = parts.iter().map(|p| p.1).sum();
                    prop_assert_eq!(sum, round_total(total, scale));
                    prop_assert_eq!(parts.len(), ws.len());
                    for (k, v) in &parts {
                        prop_assert_eq!(*v, round_total(*v, scale));
                        if ws[*k].is_zero() {
                            prop_assert!(v.is_zero());
                        }
                    }
                }
            }
        }

        #[test]
        fn the_order_of_the_targets_does_not_change_the_parts(
            total in amount(),
            ws in prop::collection::vec(weight(), 1..10),
            rotate in 0usize..10,
        ) {
            let keyed: Vec<(usize, Decimal)> = ws.iter().copied().enumerate().collect();
            let mut moved = keyed.clone();
            moved.rotate_left(rotate % keyed.len());
            moved.reverse();
            prop_assert_eq!(split(total, &keyed, 2).unwrap(), split(total, &moved, 2).unwrap());
        }

        #[test]
        fn apportion_keeps_the_rounded_sum(parts in prop::collection::vec(amount(), 0..12)) {
            let keyed: Vec<(usize, Decimal)> = parts.iter().copied().enumerate().collect();
            let got = apportion(&keyed, 2).unwrap();
            let sum: Decimal = got.iter().map(|p| p.1).sum();
            prop_assert_eq!(sum, round_total(parts.iter().copied().sum(), 2));
            for ((_, exact), (_, rounded)) in keyed.iter().zip(&got) {
                prop_assert!((*exact - *rounded).abs() < dec!(0.01));
            }
        }
    }
}
