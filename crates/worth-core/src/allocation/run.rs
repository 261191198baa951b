//! A chargeback run: the rules applied in order to one period's cost records, in one view,
//! giving statement lines rounded to the minor unit.
//!
//! Sharing happens on exact amounts; rounding happens once, at the end, per pool and currency,
//! by the largest-remainder method over the pool's lines, so they sum to the pool's exact total
//! rounded to the cent whatever the rules, and sharing never changes the grand total. What no rule takes is
//! an Unallocated line with the reason; nothing is dropped.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rules::{ChargeCategory, DirectBy, Driver, Method, Rule, normalize_tag_key};
use super::split::{SplitError, apportion_to, round_total};
use crate::{Currency, Money};

/// The name of the row that holds what no rule took.
pub const UNALLOCATED: &str = "Unallocated";

choice_enum! {
    /// Which cost a statement shows.
    View {
        /// What the invoice bills (`BilledCost`).
        Billed,
        /// What the period consumed (`EffectiveCost`), purchases that cover future charges
        /// left out because their cost is spread over the charges they cover.
        Amortized,
    }
}

/// One cost record of a pool in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRecord {
    /// The pool: `cloud`, `licenses`, `pay-as-you-go` or `platform-team`.
    pub pool: String,
    /// The service, SKU or meter.
    pub service: String,
    /// The billing account, or empty.
    pub billing_account: String,
    /// The environment, when known.
    pub environment: Option<String>,
    /// Tags as written (keys are normalized when read).
    pub tags: BTreeMap<String, String>,
    /// The charge category.
    pub category: ChargeCategory,
    /// The currency of both amounts.
    pub currency: Currency,
    /// What the invoice bills.
    pub billed: Decimal,
    /// What the period consumed.
    pub effective: Decimal,
}

impl CostRecord {
    /// The record's amount in `view`, or `None` when the view leaves it out.
    pub fn amount(&self, view: View) -> Option<Decimal> {
        match view {
            View::Billed => Some(self.billed),
            View::Amortized if self.category == ChargeCategory::Purchase => None,
            View::Amortized => Some(self.effective),
        }
    }

    fn tag(&self, keys: &[String]) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| keys.contains(&normalize_tag_key(k)))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Driver quantities per target for the period.
pub type Drivers = BTreeMap<Driver, BTreeMap<String, Decimal>>;

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    /// The business unit, or [`UNALLOCATED`].
    // FIXME(#7): targets are business units (or any name a direct rule maps to); solutions as
    // targets, with their own drivers, are not offered yet.
    pub target: String,
    /// The pool the amount came from.
    pub pool: String,
    /// The rule that placed it; none on an Unallocated line.
    pub rule: Option<String>,
    /// The charge category; credits and adjustments are lines of their own.
    pub category: ChargeCategory,
    /// The driver, for a proportional rule.
    pub driver: Option<Driver>,
    /// The target's driver quantity (or its weight: 1 for even, the percentage for fixed).
    pub quantity: Option<Decimal>,
    /// The target's share of what the rule shared, as a fraction.
    pub share: Option<Decimal>,
    /// Why nothing took it, on an Unallocated line.
    pub reason: Option<String>,
    /// How many records contributed.
    pub records: usize,
    /// The amount, rounded to the currency's minor unit.
    pub amount: Money,
}

/// The statement lines of one run in one view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The view.
    pub view: View,
    /// The lines, by target, pool, rule and category.
    pub lines: Vec<StatementLine>,
    /// The grand total per currency: the sum of each pool's exact total rounded once.
    // FIXME(#7): totals stay per currency; a statement converted with the workspace's dated
    // exchange rates is not offered yet.
    pub totals: Vec<Money>,
}

impl Allocation {
    /// The total of `target` per currency.
    pub fn target_totals(&self, target: &str) -> Vec<Money> {
        let mut sums: BTreeMap<Currency, Decimal> = BTreeMap::new();
        for l in self.lines.iter().filter(|l| l.target == target) {
            *sums.entry(l.amount.currency).or_default() += l.amount.amount;
        }
        sums.into_iter().map(|(c, a)| Money::new(a, c)).collect()
    }

    /// The distinct targets, Unallocated last.
    pub fn targets(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.lines.iter().map(|l| l.target.as_str()).collect();
        let mut list: Vec<String> =
            set.iter().filter(|t| **t != UNALLOCATED).map(|t| (*t).to_owned()).collect();
        if set.contains(UNALLOCATED) {
            list.push(UNALLOCATED.to_owned());
        }
        list
    }
}

/// The identity of a line before rounding; its order is the statement's order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct LineKey {
    target: String,
    pool: String,
    rule: Option<String>,
    category: ChargeCategory,
    reason: Option<String>,
}

impl std::fmt::Display for LineKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {} / {:?}", self.target, self.pool, self.rule)
    }
}

#[derive(Debug, Default)]
struct Exact {
    amount: Decimal,
    records: usize,
    driver: Option<Driver>,
    quantity: Option<Decimal>,
    share: Option<Decimal>,
}

/// Applies `rules` in order to `records` in `view`. `drivers` holds the period's quantities;
/// `known_targets` are the targets an even rule without a list shares among.
pub fn allocate(
    records: &[CostRecord],
    rules: &[Rule],
    drivers: &Drivers,
    known_targets: &[String],
    view: View,
) -> Result<Allocation, SplitError> {
    let mut lines: BTreeMap<(Currency, LineKey), Exact> = BTreeMap::new();
    let mut open: Vec<(usize, Decimal)> =
        records.iter().enumerate().filter_map(|(i, r)| r.amount(view).map(|a| (i, a))).collect();
    let mut reasons: BTreeMap<usize, String> = BTreeMap::new();
    // Each pool's exact total, from the records themselves: what its lines must round to.
    let mut pool_totals: BTreeMap<(Currency, String), Decimal> = BTreeMap::new();
    for &(i, amount) in &open {
        *pool_totals.entry((records[i].currency, records[i].pool.clone())).or_default() += amount;
    }

    for rule in rules {
        let matched: Vec<(usize, Decimal)> =
            open.iter().copied().filter(|(i, _)| matches(&records[*i], rule)).collect();
        if matched.is_empty() {
            continue;
        }
        let taken = match &rule.method {
            Method::Direct { by, map } => {
                direct(records, &matched, rule, by, map, &mut lines, &mut reasons)
            }
            _ => shared(records, &matched, rule, drivers, known_targets, &mut lines, &mut reasons),
        };
        open.retain(|(i, _)| !taken.contains(i));
    }

    // What is left goes to Unallocated, one line per pool, category and reason.
    for (i, amount) in open {
        let r = &records[i];
        let reason = reasons.remove(&i).unwrap_or_else(|| "no rule matches it".to_owned());
        let key = LineKey {
            target: UNALLOCATED.to_owned(),
            pool: r.pool.clone(),
            rule: None,
            category: r.category,
            reason: Some(reason),
        };
        let e = lines.entry((r.currency, key)).or_default();
        e.amount += amount;
        e.records += 1;
    }
    round(lines, &pool_totals, view)
}

fn matches(r: &CostRecord, rule: &Rule) -> bool {
    let f = &rule.filter;
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    f.pool.as_deref().is_none_or(|p| same(p, &r.pool))
        && f.service.as_deref().is_none_or(|s| same(s, &r.service))
        && f.billing_account.as_deref().is_none_or(|b| same(b, &r.billing_account))
        && f.environment
            .as_deref()
            .is_none_or(|e| r.environment.as_deref().is_some_and(|re| same(e, re)))
        && f.tag.as_ref().is_none_or(|(k, v)| match r.tag(&[normalize_tag_key(k)]) {
            Some(found) => v == "*" || same(v, found),
            None => false,
        })
}

/// Places each matched record by its tag or environment; returns the records it took.
fn direct(
    records: &[CostRecord],
    matched: &[(usize, Decimal)],
    rule: &Rule,
    by: &DirectBy,
    map: &BTreeMap<String, String>,
    lines: &mut BTreeMap<(Currency, LineKey), Exact>,
    reasons: &mut BTreeMap<usize, String>,
) -> BTreeSet<usize> {
    let keys = rule.tag_keys();
    let map: BTreeMap<String, &String> =
        map.iter().map(|(k, v)| (k.trim().to_lowercase(), v)).collect();
    let mut taken = BTreeSet::new();
    for &(i, amount) in matched {
        let r = &records[i];
        let value = match by {
            DirectBy::Tag { key, .. } => r.tag(&keys).ok_or_else(|| {
                if r.tags.is_empty() { "no tags".to_owned() } else { format!("no tag '{key}'") }
            }),
            DirectBy::Environment => {
                r.environment.as_deref().ok_or_else(|| "no environment".into())
            }
        };
        let target = value.and_then(|v| {
            if map.is_empty() {
                Ok(v.to_owned())
            } else {
                map.get(&v.to_lowercase())
                    .map(|t| (*t).clone())
                    .ok_or_else(|| format!("'{v}' is not mapped by rule '{}'", rule.name))
            }
        });
        match target {
            Ok(target) => {
                let key = LineKey {
                    target,
                    pool: r.pool.clone(),
                    rule: Some(rule.name.clone()),
                    category: r.category,
                    reason: None,
                };
                let e = lines.entry((r.currency, key)).or_default();
                e.amount += amount;
                e.records += 1;
                taken.insert(i);
            }
            Err(reason) => {
                reasons.insert(i, reason);
            }
        }
    }
    taken
}

/// The driver of a sharing rule and its targets with their weights.
type Weights = (Option<Driver>, Vec<(String, Decimal)>);

/// The targets and weights of a sharing rule, or why it cannot share.
fn weights(
    rule: &Rule,
    drivers: &Drivers,
    known: &[String],
    allocated: &BTreeMap<(Currency, String), Decimal>,
    currency: Currency,
) -> Result<Weights, String> {
    let list = match &rule.method {
        Method::Proportional { driver, targets } => {
            let quantities: BTreeMap<String, Decimal> = match driver {
                Driver::AllocatedCost => allocated
                    .iter()
                    .filter(|((c, t), _)| *c == currency && t != UNALLOCATED)
                    .map(|((_, t), a)| (t.clone(), (*a).max(Decimal::ZERO)))
                    .collect(),
                d => drivers.get(d).cloned().unwrap_or_default(),
            };
            let list: Vec<(String, Decimal)> = if targets.is_empty() {
                quantities.into_iter().collect()
            } else {
                let lower: BTreeMap<String, Decimal> =
                    quantities.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
                targets
                    .iter()
                    .map(|t| (t.clone(), lower.get(&t.to_lowercase()).copied().unwrap_or_default()))
                    .collect()
            };
            if list.iter().all(|(_, w)| w.is_zero()) {
                return Err(format!(
                    "driver {driver} has no quantity for any target of rule '{}'",
                    rule.name
                ));
            }
            return Ok((Some(*driver), list));
        }
        Method::Even { targets } => {
            let names = if targets.is_empty() { known } else { targets.as_slice() };
            let set: BTreeSet<&String> = names.iter().collect();
            set.into_iter().map(|t| (t.clone(), Decimal::ONE)).collect::<Vec<_>>()
        }
        Method::Fixed { shares } => shares.clone(),
        Method::Direct { .. } => Vec::new(),
    };
    if list.iter().all(|(_, w)| w.is_zero()) {
        return Err(format!("rule '{}' has no target", rule.name));
    }
    Ok((None, list))
}

/// Shares the matched records of a proportional, even or fixed rule, per pool, category and
/// currency; returns the records it took.
fn shared(
    records: &[CostRecord],
    matched: &[(usize, Decimal)],
    rule: &Rule,
    drivers: &Drivers,
    known: &[String],
    lines: &mut BTreeMap<(Currency, LineKey), Exact>,
    reasons: &mut BTreeMap<usize, String>,
) -> BTreeSet<usize> {
    let mut allocated: BTreeMap<(Currency, String), Decimal> = BTreeMap::new();
    for ((c, k), e) in lines.iter() {
        *allocated.entry((*c, k.target.clone())).or_default() += e.amount;
    }
    let mut groups: BTreeMap<(Currency, String, ChargeCategory), (Decimal, Vec<usize>)> =
        BTreeMap::new();
    for &(i, amount) in matched {
        let r = &records[i];
        let g = groups.entry((r.currency, r.pool.clone(), r.category)).or_default();
        g.0 += amount;
        g.1.push(i);
    }
    let mut taken = BTreeSet::new();
    for ((currency, pool, category), (total, members)) in groups {
        let (driver, list) = match weights(rule, drivers, known, &allocated, currency) {
            Ok(w) => w,
            Err(reason) => {
                for i in members {
                    reasons.insert(i, reason.clone());
                }
                continue;
            }
        };
        let sum: Decimal = list.iter().map(|(_, w)| *w).sum();
        // Exact shares; what the last digit of division loses goes to the largest weight
        // (the first by name among equals), so the shares sum exactly to the pool.
        let mut parts: Vec<(String, Decimal, Decimal)> =
            list.iter().map(|(t, w)| (t.clone(), *w, total * (*w / sum))).collect();
        let residual = total - parts.iter().map(|p| p.2).sum::<Decimal>();
        if let Some(top) = parts
            .iter_mut()
            .reduce(|a, b| if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) { b } else { a })
        {
            top.2 += residual;
        }
        for (target, weight, amount) in parts {
            let key = LineKey {
                target,
                pool: pool.clone(),
                rule: Some(rule.name.clone()),
                category,
                reason: None,
            };
            let e = lines.entry((currency, key)).or_default();
            e.amount += amount;
            e.records += members.len();
            e.driver = driver;
            e.quantity = Some(weight);
            e.share = Some(weight / sum);
        }
        taken.extend(members);
    }
    taken
}

/// Rounds every line to its currency's minor unit so that the lines of each pool and currency
/// sum to the pool's exact total rounded once: each pool then reconciles to its source (the
/// invoice, the price list, the platform team's figures) to the cent.
fn round(
    lines: BTreeMap<(Currency, LineKey), Exact>,
    pool_totals: &BTreeMap<(Currency, String), Decimal>,
    view: View,
) -> Result<Allocation, SplitError> {
    let mut by_pool: BTreeMap<(Currency, String), Vec<(LineKey, Exact)>> = BTreeMap::new();
    for ((c, k), e) in lines {
        by_pool.entry((c, k.pool.clone())).or_default().push((k, e));
    }
    let mut out = Vec::new();
    let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for ((currency, pool), mut entries) in by_pool {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let exact: Vec<(LineKey, Decimal)> =
            entries.iter().map(|(k, e)| (k.clone(), e.amount)).collect();
        let scale = currency.minor_units();
        let whole = pool_totals
            .get(&(currency, pool))
            .copied()
            .unwrap_or_else(|| exact.iter().map(|e| e.1).sum());
        let rounded = apportion_to(&exact, round_total(whole, scale), scale)?;
        *totals.entry(currency).or_default() += rounded.iter().map(|r| r.1).sum::<Decimal>();
        for ((key, e), (_, amount)) in entries.into_iter().zip(rounded) {
            out.push(StatementLine {
                target: key.target,
                pool: key.pool,
                rule: key.rule,
                category: key.category,
                driver: e.driver,
                quantity: e.quantity,
                share: e.share,
                reason: key.reason,
                records: e.records,
                amount: Money::new(amount, currency),
            });
        }
    }
    let totals = totals.into_iter().map(|(c, a)| Money::new(a, c)).collect();
    out.sort_by(|a, b| {
        (a.target == UNALLOCATED, &a.target, &a.pool, &a.rule, a.category).cmp(&(
            b.target == UNALLOCATED,
            &b.target,
            &b.pool,
            &b.rule,
            b.category,
        ))
    });
    Ok(Allocation { view, lines: out, totals })
}
