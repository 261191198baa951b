//! A chargeback run: the rules applied in order to one period's cost records, in one view,
//! giving statement lines rounded to the minor unit.
//!
//! Sharing happens on exact amounts; rounding happens once, at the end, per pool and currency,
//! by the largest-remainder method over the pool's lines, so they sum to the pool's exact total
//! rounded to the cent whatever the rules, and sharing never changes the grand total. What no
//! rule takes is an Unallocated line with the reason; nothing is dropped.
//!
//! A rule's targets are business units or solutions ([`Level`]); a solution's line names the
//! solution and its business unit, so a business unit's statement holds its solutions' lines.
//! Totals stay per currency; [`convert`] gives a statement in one currency with dated rates,
//! refusing when a rate is missing, and rounds the converted lines once so they still sum to
//! the converted total.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rules::{ChargeCategory, DirectBy, Driver, Level, Method, Rule, normalize_tag_key};
use super::split::{SplitError, apportion_to, round_total};
use crate::fx::{FxTable, MissingRate};
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

/// Driver quantities per business unit for the period.
pub type Drivers = BTreeMap<Driver, BTreeMap<String, Decimal>>;

/// A solution as a target: its business unit and its name (unique within the unit).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SolutionTarget {
    /// The solution's business unit.
    pub business_unit: String,
    /// The solution's name.
    pub solution: String,
}

/// Driver quantities per solution for the period.
pub type SolutionDrivers = BTreeMap<Driver, BTreeMap<SolutionTarget, Decimal>>;

/// What a run's rules share among: the targets known at each level and their drivers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// Driver quantities per business unit.
    pub drivers: Drivers,
    /// Every business unit, for even rules without a list.
    pub business_units: Vec<String>,
    /// Driver quantities per solution.
    pub solution_drivers: SolutionDrivers,
    /// Every solution, for even solution rules without a list and to resolve names.
    pub solutions: Vec<SolutionTarget>,
}

impl Targets {
    /// The solution a rule names: `Solution`, or `Business unit / Solution` when the name is
    /// used in several units; case-insensitive.
    fn solution(&self, name: &str) -> Result<&SolutionTarget, String> {
        let name = name.trim();
        let same = crate::org::same_name;
        let by_name: Vec<&SolutionTarget> =
            self.solutions.iter().filter(|s| same(&s.solution, name)).collect();
        if let [one] = by_name.as_slice() {
            return Ok(one);
        }
        if let Some((bu, sol)) = name.split_once('/')
            && let Some(s) =
                self.solutions.iter().find(|s| same(&s.business_unit, bu) && same(&s.solution, sol))
        {
            return Ok(s);
        }
        Err(if by_name.is_empty() {
            format!("'{name}' is not a solution")
        } else {
            format!("'{name}' names solutions of several business units: write 'UNIT / {name}'")
        })
    }
}

/// A target inside a run: the business unit, and the solution for a solution's line.
type Target = (String, Option<String>);

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    /// The business unit (a solution's own unit on a solution's line), or [`UNALLOCATED`].
    pub target: String,
    /// The solution, on the line of a rule whose targets are solutions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
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
    solution: Option<String>,
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

/// Applies `rules` in order to `records` in `view`, to business units only. `drivers` holds
/// the period's quantities; `known_targets` are the targets an even rule without a list
/// shares among.
pub fn allocate(
    records: &[CostRecord],
    rules: &[Rule],
    drivers: &Drivers,
    known_targets: &[String],
    view: View,
) -> Result<Allocation, SplitError> {
    let targets = Targets {
        drivers: drivers.clone(),
        business_units: known_targets.to_vec(),
        ..Targets::default()
    };
    allocate_to(records, rules, &targets, view)
}

/// Applies `rules` in order to `records` in `view`, to the business units and solutions of
/// `targets`.
pub fn allocate_to(
    records: &[CostRecord],
    rules: &[Rule],
    targets: &Targets,
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
                direct(records, &matched, rule, (by, map), targets, &mut lines, &mut reasons)
            }
            _ => shared(records, &matched, rule, targets, &mut lines, &mut reasons),
        };
        open.retain(|(i, _)| !taken.contains(i));
    }

    // What is left goes to Unallocated, one line per pool, category and reason.
    for (i, amount) in open {
        let r = &records[i];
        let reason = reasons.remove(&i).unwrap_or_else(|| "no rule matches it".to_owned());
        let key = LineKey {
            target: UNALLOCATED.to_owned(),
            solution: None,
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
    let same = crate::org::same_name;
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
    (by, map): (&DirectBy, &BTreeMap<String, String>),
    targets: &Targets,
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
        let name = value.and_then(|v| {
            if map.is_empty() {
                Ok(v.to_owned())
            } else {
                map.get(&v.to_lowercase())
                    .map(|t| (*t).clone())
                    .ok_or_else(|| format!("'{v}' is not mapped by rule '{}'", rule.name))
            }
        });
        let target = name.and_then(|n| match rule.level {
            Level::BusinessUnit => Ok((n, None)),
            Level::Solution => targets
                .solution(&n)
                .map(|s| (s.business_unit.clone(), Some(s.solution.clone())))
                .map_err(|e| format!("{e} (rule '{}')", rule.name)),
        });
        match target {
            Ok((target, solution)) => {
                let key = LineKey {
                    target,
                    solution,
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
type Weights = (Option<Driver>, Vec<(Target, Decimal)>);

/// The targets and weights of a sharing rule, or why it cannot share. `allocated` is what
/// earlier rules gave each target (business unit and solution) in `currency`.
fn weights(
    rule: &Rule,
    targets: &Targets,
    allocated: &BTreeMap<(Currency, Target), Decimal>,
    currency: Currency,
) -> Result<Weights, String> {
    let solutions = rule.level == Level::Solution;
    // A name the rule gives, as a target of its level.
    let resolve = |name: &String| -> Result<Target, String> {
        if solutions {
            let s = targets.solution(name).map_err(|e| format!("{e} (rule '{}')", rule.name))?;
            Ok((s.business_unit.clone(), Some(s.solution.clone())))
        } else {
            Ok((name.clone(), None))
        }
    };
    let list = match &rule.method {
        Method::Proportional { driver, targets: wanted } => {
            let quantities = quantities(*driver, solutions, targets, allocated, currency);
            let list: Vec<(Target, Decimal)> = if wanted.is_empty() {
                quantities.into_iter().collect()
            } else {
                let by_key: BTreeMap<Target, Decimal> =
                    quantities.into_iter().map(|(k, v)| (folded(&k), v)).collect();
                wanted
                    .iter()
                    .map(|t| {
                        let t = resolve(t)?;
                        let w = by_key.get(&folded(&t)).copied().unwrap_or_default();
                        Ok((t, w))
                    })
                    .collect::<Result<_, String>>()?
            };
            if list.iter().all(|(_, w)| w.is_zero()) {
                return Err(format!(
                    "driver {driver} has no quantity for any target of rule '{}'",
                    rule.name
                ));
            }
            return Ok((Some(*driver), list));
        }
        Method::Even { targets: wanted } if wanted.is_empty() => {
            if solutions {
                let set: BTreeSet<&SolutionTarget> = targets.solutions.iter().collect();
                set.into_iter()
                    .map(|s| ((s.business_unit.clone(), Some(s.solution.clone())), Decimal::ONE))
                    .collect()
            } else {
                let set: BTreeSet<&String> = targets.business_units.iter().collect();
                set.into_iter().map(|t| ((t.clone(), None), Decimal::ONE)).collect()
            }
        }
        Method::Even { targets: wanted } => {
            let set = wanted.iter().map(resolve).collect::<Result<BTreeSet<Target>, String>>()?;
            set.into_iter().map(|t| (t, Decimal::ONE)).collect()
        }
        Method::Fixed { shares } => {
            shares.iter().map(|(t, p)| Ok((resolve(t)?, *p))).collect::<Result<Vec<_>, String>>()?
        }
        Method::Direct { .. } => Vec::new(),
    };
    if list.iter().all(|(_, w)| w.is_zero()) {
        return Err(format!("rule '{}' has no target", rule.name));
    }
    Ok((None, list))
}

/// A driver's quantity per target of a level in the period.
fn quantities(
    driver: Driver,
    solutions: bool,
    targets: &Targets,
    allocated: &BTreeMap<(Currency, Target), Decimal>,
    currency: Currency,
) -> BTreeMap<Target, Decimal> {
    match (driver, solutions) {
        (Driver::AllocatedCost, _) => {
            let mut out: BTreeMap<Target, Decimal> = BTreeMap::new();
            for ((c, (bu, sol)), a) in allocated {
                if *c != currency || bu == UNALLOCATED || (solutions && sol.is_none()) {
                    continue;
                }
                // A business unit's allocated cost includes its solutions' lines.
                let key = if solutions { (bu.clone(), sol.clone()) } else { (bu.clone(), None) };
                *out.entry(key).or_default() += *a;
            }
            out.into_iter().map(|(t, a)| (t, a.max(Decimal::ZERO))).collect()
        }
        (d, false) => targets
            .drivers
            .get(&d)
            .into_iter()
            .flatten()
            .map(|(t, q)| ((t.clone(), None), *q))
            .collect(),
        (d, true) => targets
            .solution_drivers
            .get(&d)
            .into_iter()
            .flatten()
            .map(|(s, q)| ((s.business_unit.clone(), Some(s.solution.clone())), *q))
            .collect(),
    }
}

/// A target compared case-insensitively.
fn folded(t: &Target) -> Target {
    (t.0.to_lowercase(), t.1.as_ref().map(|s| s.to_lowercase()))
}

/// Shares the matched records of a proportional, even or fixed rule, per pool, category and
/// currency; returns the records it took.
fn shared(
    records: &[CostRecord],
    matched: &[(usize, Decimal)],
    rule: &Rule,
    targets: &Targets,
    lines: &mut BTreeMap<(Currency, LineKey), Exact>,
    reasons: &mut BTreeMap<usize, String>,
) -> BTreeSet<usize> {
    let mut allocated: BTreeMap<(Currency, Target), Decimal> = BTreeMap::new();
    for ((c, k), e) in lines.iter() {
        *allocated.entry((*c, (k.target.clone(), k.solution.clone()))).or_default() += e.amount;
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
        let (driver, list) = match weights(rule, targets, &allocated, currency) {
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
        let mut parts: Vec<(Target, Decimal, Decimal)> =
            list.iter().map(|(t, w)| (t.clone(), *w, total * (*w / sum))).collect();
        let residual = total - parts.iter().map(|p| p.2).sum::<Decimal>();
        if let Some(top) = parts
            .iter_mut()
            .reduce(|a, b| if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) { b } else { a })
        {
            top.2 += residual;
        }
        for ((target, solution), weight, amount) in parts {
            let key = LineKey {
                target,
                solution,
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
                solution: key.solution,
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
        (a.target == UNALLOCATED, &a.target, &a.solution, &a.pool, &a.rule, a.category).cmp(&(
            b.target == UNALLOCATED,
            &b.target,
            &b.solution,
            &b.pool,
            &b.rule,
            b.category,
        ))
    });
    Ok(Allocation { view, lines: out, totals })
}

/// Statement lines converted to one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Converted {
    /// The currency converted to.
    pub currency: Currency,
    /// The day whose rates were used (the latest on or before it).
    pub on: NaiveDate,
    /// The rate used for each other currency, into `currency`.
    pub rates: Vec<(Currency, Decimal)>,
    /// Each line's amount in `currency`, in the order of the lines.
    pub amounts: Vec<Money>,
    /// The lines' total in `currency`: their exact converted sum rounded once.
    pub total: Money,
}

/// Converts `lines` into `to` with the rates of `fx` in force on `on`. Each rounded line is
/// converted exactly, the converted total is rounded once, and the lines are rounded by the
/// largest remainder so they sum to it exactly. A currency without a rate on or before `on`
/// is refused, naming the currency and the day: currencies are never added without a rate.
pub fn convert(
    lines: &[StatementLine],
    fx: &FxTable,
    to: Currency,
    on: NaiveDate,
) -> Result<Converted, ConvertError> {
    let mut rates: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for l in lines {
        let from = l.amount.currency;
        if from != to && !rates.contains_key(&from) {
            rates.insert(from, fx.rate(from, to, on)?);
        }
    }
    let rate = |c: Currency| rates.get(&c).copied().unwrap_or(Decimal::ONE);
    // Keys are the lines' positions, zero-padded so that their order is the statement's.
    let exact: Vec<(String, Decimal)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (format!("{i:09}"), l.amount.amount * rate(l.amount.currency)))
        .collect();
    let scale = to.minor_units();
    let whole = round_total(exact.iter().map(|e| e.1).sum(), scale);
    let rounded = apportion_to(&exact, whole, scale)?;
    Ok(Converted {
        currency: to,
        on,
        rates: rates.into_iter().collect(),
        amounts: rounded.into_iter().map(|(_, a)| Money::new(a, to)).collect(),
        total: Money::new(whole, to),
    })
}

/// Why a statement could not be converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    /// A currency of the statement has no rate on or before the day.
    #[error(transparent)]
    MissingRate(#[from] MissingRate),
    /// The converted lines could not be rounded.
    #[error(transparent)]
    Split(#[from] SplitError),
}
