//! Splitting a charge whose period crosses period boundaries by the time it spends in each.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::split::{SplitError, split};

/// Splits `amount`, charged for `[start, end)`, over the UTC days it covers, in proportion to
/// the seconds in each, rounded to `scale` by the largest-remainder method. A charge of no
/// duration belongs to the day of its start.
pub fn split_by_day(
    amount: Decimal,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    scale: u32,
) -> Result<Vec<(NaiveDate, Decimal)>, SplitError> {
    let mut weights = Vec::new();
    let mut day = start.date_naive();
    loop {
        let day_start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let next = day_start + Duration::days(1);
        let from = start.max(day_start);
        let to = end.min(next);
        if to > from {
            weights.push((day, Decimal::from((to - from).num_seconds())));
        }
        if next >= end {
            break;
        }
        day = next.date_naive();
    }
    match split(amount, &weights, scale)? {
        Some(parts) => Ok(parts),
        None => Ok(vec![(start.date_naive(), amount)]),
    }
}

/// The same split summed per month (the first day of each month).
pub fn split_by_month(
    amount: Decimal,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    scale: u32,
) -> Result<Vec<(NaiveDate, Decimal)>, SplitError> {
    let mut months: Vec<(NaiveDate, Decimal)> = Vec::new();
    for (day, part) in split_by_day(amount, start, end, scale)? {
        let month = day.with_day(1).unwrap_or(day);
        match months.last_mut() {
            Some((m, sum)) if *m == month => *sum += part,
            _ => months.push((month, part)),
        }
    }
    Ok(months)
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_charge_across_midnight_at_a_month_end_is_split_by_time() {
        // 23:00 on 30 September to 02:00 on 1 October: one hour in September, two in October,
        // so 9.00 splits 3.00 and 6.00.
        let got =
            split_by_month(dec!(9.00), at("2024-09-30T23:00:00Z"), at("2024-10-01T02:00:00Z"), 2)
                .unwrap();
        assert_eq!(
            got,
            vec![
                (NaiveDate::from_ymd_opt(2024, 9, 1).unwrap(), dec!(3.00)),
                (NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(), dec!(6.00))
            ]
        );
    }

    #[test]
    fn an_uneven_split_still_sums_to_the_charge() {
        // 23:20 to 01:00: 40 minutes on the 30th and 60 on the 1st, so 1.00 splits 0.40 and
        // 0.60.
        let got =
            split_by_day(dec!(1.00), at("2024-09-30T23:20:00Z"), at("2024-10-01T01:00:00Z"), 2)
                .unwrap();
        assert_eq!(got.iter().map(|p| p.1).collect::<Vec<_>>(), vec![dec!(0.40), dec!(0.60)]);
    }

    #[test]
    fn a_charge_ending_at_midnight_stays_in_its_day() {
        // Periods are half-open: 23:00 to 00:00 lies wholly in the first day.
        let got = split_by_day(dec!(5), at("2024-09-30T23:00:00Z"), at("2024-10-01T00:00:00Z"), 2)
            .unwrap();
        assert_eq!(got, vec![(NaiveDate::from_ymd_opt(2024, 9, 30).unwrap(), dec!(5))]);
        let instant =
            split_by_day(dec!(5), at("2024-09-30T23:00:00Z"), at("2024-09-30T23:00:00Z"), 2)
                .unwrap();
        assert_eq!(instant, vec![(NaiveDate::from_ymd_opt(2024, 9, 30).unwrap(), dec!(5))]);
    }
}
