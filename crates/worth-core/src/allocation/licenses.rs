//! License strategy: licenses nobody uses, and users whose use makes another plan cheaper.
//!
//! Two rules, each named on the recommendation it makes:
//! - **unused**: a license whose holder has not been active for `unused_days` (or never) can be
//!   removed; the saving is the license's monthly price.
//! - **cheaper plan**: a per-user plan holder who used `k` distinct apps in the month would cost
//!   `k ×` the per-app price on per-app plans, or `k ×` the pay-as-you-go meter; when the
//!   cheaper of the two is below the per-user price, the difference is the saving; a holder who
//!   used no app in the month needs neither, and the license can go.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Currency, Money};

choice_enum! {
    /// How a SKU is charged.
    PlanKind {
        /// Per licensed user per month, any number of apps.
        PerUser,
        /// Per licensed user per app per month.
        PerApp,
        /// Per active user per app per month, metered (pay-as-you-go).
        PayAsYouGo,
        /// Per flow run, metered.
        PerRun,
        /// Per GB of storage above the entitlement per month, metered.
        PerGb,
        /// Anything else with a monthly price.
        Other,
    }
}

/// The price of one SKU in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuPrice {
    /// The SKU as license reports name it (case-insensitive).
    pub sku: String,
    /// How it is charged.
    pub kind: PlanKind,
    /// The price of one unit per month.
    pub price: Money,
}

/// One license held by one pseudonymous user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldLicense {
    /// The user's pseudonym.
    pub user_key: String,
    /// The product.
    pub product: String,
    /// The user's last activity, if any.
    pub last_activity_on: Option<NaiveDate>,
}

choice_enum! {
    /// What a recommendation proposes.
    LicenseAction { Remove, SwitchToPerApp, SwitchToPayAsYouGo }
}

/// One recommendation for one license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The user's pseudonym.
    pub user_key: String,
    /// The license concerned.
    pub product: String,
    /// What to do.
    pub action: LicenseAction,
    /// What it costs per month now.
    pub current: Money,
    /// What it would cost per month.
    pub proposed: Money,
    /// `current − proposed`.
    pub saving: Money,
    /// The rule and the figures that led to it.
    pub rule: String,
}

/// What the license strategy found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseReport {
    /// The recommendations, largest saving first.
    pub recommendations: Vec<Recommendation>,
    /// The projected saving per month, per currency.
    pub saving_per_month: Vec<Money>,
    /// Products held but not in the price list, with how many licenses (no saving computed).
    pub unpriced: Vec<(String, usize)>,
}

/// Finds savings. `apps_used` holds each user's distinct apps in `month`; `as_of` is the day
/// the license report describes; prices are those of `month`.
pub fn recommend(
    held: &[HeldLicense],
    prices: &[SkuPrice],
    apps_used: &BTreeMap<String, u32>,
    unused_days: u32,
    as_of: NaiveDate,
    month: NaiveDate,
) -> LicenseReport {
    let price_of = |sku: &str| prices.iter().find(|p| crate::org::same_name(&p.sku, sku));
    let cheapest = |kind: PlanKind, currency: Currency| {
        prices
            .iter()
            .filter(|p| p.kind == kind && p.price.currency == currency)
            .min_by(|a, b| a.price.amount.cmp(&b.price.amount).then_with(|| a.sku.cmp(&b.sku)))
    };
    let cutoff = as_of - chrono::Duration::days(i64::from(unused_days));
    let month_label = crate::period::label(month);
    let mut recs = Vec::new();
    let mut unpriced: BTreeMap<String, usize> = BTreeMap::new();

    for h in held {
        let Some(price) = price_of(&h.product) else {
            *unpriced.entry(h.product.trim().to_owned()).or_default() += 1;
            continue;
        };
        if !matches!(price.kind, PlanKind::PerUser | PlanKind::PerApp | PlanKind::Other) {
            continue;
        }
        let idle = h.last_activity_on.is_none_or(|d| d < cutoff);
        if idle {
            let last = h.last_activity_on.map_or("never active".to_owned(), |d| {
                format!("last active {d}, {} days before {as_of}", (as_of - d).num_days())
            });
            recs.push(Recommendation {
                user_key: h.user_key.clone(),
                product: h.product.clone(),
                action: LicenseAction::Remove,
                current: price.price,
                proposed: Money::zero(price.price.currency),
                saving: price.price,
                rule: format!("unused for {unused_days} days or more: {last}"),
            });
            continue;
        }
        if price.kind != PlanKind::PerUser {
            continue;
        }
        let k = apps_used.get(&h.user_key).copied().unwrap_or(0);
        let currency = price.price.currency;
        if k == 0 {
            recs.push(Recommendation {
                user_key: h.user_key.clone(),
                product: h.product.clone(),
                action: LicenseAction::Remove,
                current: price.price,
                proposed: Money::zero(currency),
                saving: price.price,
                rule: format!(
                    "cheaper plan: no app used in {month_label}, so no per-app plan or \
                     pay-as-you-go charge is needed in place of {} {currency} for {}",
                    price.price.amount, price.sku
                ),
            });
            continue;
        }
        let options = [
            (LicenseAction::SwitchToPerApp, cheapest(PlanKind::PerApp, currency)),
            (LicenseAction::SwitchToPayAsYouGo, cheapest(PlanKind::PayAsYouGo, currency)),
        ];
        let best = options
            .iter()
            .filter_map(|(action, p)| p.map(|p| (*action, p, p.price.amount * Decimal::from(k))))
            .min_by(|a, b| a.2.cmp(&b.2));
        if let Some((action, alt, cost)) = best
            && cost < price.price.amount
        {
            recs.push(Recommendation {
                user_key: h.user_key.clone(),
                product: h.product.clone(),
                action,
                current: price.price,
                proposed: Money::new(cost, currency),
                saving: Money::new(price.price.amount - cost, currency),
                rule: format!(
                    "cheaper plan: {k} distinct app(s) in {month_label} × {} {} ({}) = {} {currency} \
                     < {} {currency} for {}",
                    alt.price.amount, currency, alt.sku, cost, price.price.amount, price.sku
                ),
            });
        }
    }

    recs.sort_by(|a, b| {
        b.saving.amount.cmp(&a.saving.amount).then_with(|| a.user_key.cmp(&b.user_key))
    });
    let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for r in &recs {
        *totals.entry(r.saving.currency).or_default() += r.saving.amount;
    }
    LicenseReport {
        recommendations: recs,
        saving_per_month: totals.into_iter().map(|(c, a)| Money::new(a, c)).collect(),
        unpriced: unpriced.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    fn usd(a: Decimal) -> Money {
        Money::new(a, Currency::parse("USD").unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn prices() -> Vec<SkuPrice> {
        let p = |sku: &str, kind, a| SkuPrice { sku: sku.into(), kind, price: usd(a) };
        vec![
            p("POWER APPS PER USER PLAN", PlanKind::PerUser, dec!(20)),
            p("POWER APPS PER APP PLAN", PlanKind::PerApp, dec!(5)),
            p("POWER APPS PAY-AS-YOU-GO", PlanKind::PayAsYouGo, dec!(10)),
        ]
    }

    #[test]
    fn unused_licenses_and_cheaper_plans_are_found_with_their_rule() {
        let held = |u: &str, p: &str, last: Option<&str>| HeldLicense {
            user_key: u.into(),
            product: p.into(),
            last_activity_on: last.map(d),
        };
        let licenses = vec![
            // Idle since 2026-01-01: 120 days before 2026-05-01, over the 90-day setting.
            held("idle", "POWER APPS PER USER PLAN", Some("2026-01-01")),
            // Active, 2 apps: per app 2 × 5 = 10 < 20, pay-as-you-go 2 × 10 = 20; saves 10.
            held("two", "POWER APPS PER USER PLAN", Some("2026-04-28")),
            // Active, 5 apps: 25 and 50, both above 20; no recommendation.
            held("five", "POWER APPS per user plan", Some("2026-04-28")),
            held("other", "MICROSOFT 365 E3", Some("2026-04-28")),
        ];
        let apps: BTreeMap<String, u32> = [("two".into(), 2), ("five".into(), 5)].into();
        let got = recommend(&licenses, &prices(), &apps, 90, d("2026-05-01"), d("2026-04-01"));
        assert_eq!(got.recommendations.len(), 2, "{got:#?}");
        let idle = &got.recommendations[0];
        assert_eq!((idle.user_key.as_str(), idle.action), ("idle", LicenseAction::Remove));
        assert_eq!(idle.saving, usd(dec!(20)));
        assert!(idle.rule.contains("120 days before 2026-05-01"), "{}", idle.rule);
        let two = &got.recommendations[1];
        assert_eq!(two.action, LicenseAction::SwitchToPerApp);
        assert_eq!((two.proposed, two.saving), (usd(dec!(10)), usd(dec!(10))));
        assert!(two.rule.contains("2 distinct app(s) in 2026-04"), "{}", two.rule);
        assert_eq!(got.saving_per_month, vec![usd(dec!(30))]);
        assert_eq!(got.unpriced, vec![("MICROSOFT 365 E3".to_owned(), 1)]);
    }
}
