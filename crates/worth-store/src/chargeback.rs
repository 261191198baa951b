//! Chargeback in the store: the price list, pay-as-you-go meters, the platform team's cost,
//! allocation rules and runs with their statement lines; and the inputs of a run, read from
//! what the importers keep (cost facts, license assignments, usage and run rollups).
//!
//! Every change goes through the audited [`Writer`]; a run is recorded with its lines in one
//! transaction, and its audit entry holds the totals rather than every line.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use worth_core::allocation::licenses::{HeldLicense, PlanKind, SkuPrice};
use worth_core::allocation::{
    Allocation, ChargeCategory, CostRecord, Driver, Rule, SolutionTarget, StatementLine, Targets,
    View,
};
use worth_core::audit::Action;
use worth_core::org::{validate_name, validate_text};
use worth_core::period::{add_months, label, month_of};
use worth_core::{Currency, Money, ValidationError};

use crate::read::{self, Solutions};
use crate::rows::{date, instant, instant_text, name_key, parse};
use crate::{LicenseAssignment, Result, Store, StoreError, Writer};

/// The pools a run draws from.
pub const POOLS: [&str; 4] = ["cloud", "licenses", "pay-as-you-go", "platform-team"];

/// A price of the price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceEntry {
    /// The SKU, as license reports and meters name it.
    pub sku: String,
    /// How it is charged.
    pub kind: PlanKind,
    /// The price of one unit per month.
    pub price: Money,
    /// The first month it applies.
    pub valid_from: NaiveDate,
    /// Where the price comes from.
    pub source: Option<String>,
}

/// A metered quantity of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meter {
    /// The month (its first day).
    pub month: NaiveDate,
    /// The meter's SKU in the price list.
    pub meter: String,
    /// The business unit it is for, when known.
    pub business_unit: Option<String>,
    /// The environment it was measured in, when known.
    pub environment: Option<String>,
    /// The quantity: active user-apps, runs, or GB above the entitlement.
    pub quantity: Decimal,
}

/// One item of the platform team's own cost in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformCost {
    /// The month (its first day).
    pub month: NaiveDate,
    /// What it is (salaries, tooling…).
    pub item: String,
    /// The amount.
    pub amount: Money,
}

/// What one pool holds in a period, per currency, before any rule: what a run must reconcile
/// to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSource {
    /// The pool.
    pub pool: String,
    /// The currency.
    pub currency: Currency,
    /// The exact sum of the billed amounts.
    pub billed: Decimal,
    /// The exact sum of the amortized amounts (purchases left out).
    pub amortized: Decimal,
    /// How many records.
    pub records: usize,
}

/// The inputs of a run of one period.
#[derive(Debug, Clone)]
pub struct RunInputs {
    /// The period (first day of the month).
    pub period: NaiveDate,
    /// The cost records of every pool.
    pub records: Vec<CostRecord>,
    /// The business units and solutions with their driver quantities.
    pub targets: Targets,
    /// The rules in order.
    pub rules: Vec<Rule>,
    /// What each pool holds.
    pub sources: Vec<PoolSource>,
    /// Things a person should know (unpriced licenses or meters).
    pub notes: Vec<String>,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChargebackRun {
    /// Its number.
    pub id: i64,
    /// The period.
    pub period: String,
    /// When it was run.
    pub run_at: chrono::DateTime<chrono::Utc>,
    /// Who ran it.
    pub actor: String,
    /// The rules in force.
    pub rules: Vec<Rule>,
    /// What each pool held.
    pub sources: Vec<PoolSource>,
    /// The billed view.
    pub billed: Allocation,
    /// The amortized view.
    pub amortized: Allocation,
}

impl ChargebackRun {
    /// The view asked for.
    pub fn view(&self, view: View) -> &Allocation {
        match view {
            View::Billed => &self.billed,
            View::Amortized => &self.amortized,
        }
    }
}

fn money_of(amount: &str, currency: &str) -> Result<Money> {
    Ok(Money::new(parse::<Decimal>("amount", amount)?, parse::<Currency>("currency", currency)?))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

async fn prices(conn: &mut AnyConnection) -> Result<Vec<PriceEntry>> {
    let rows = sqlx::query(
        "SELECT sku, kind, amount, currency, valid_from, source FROM price_list \
         ORDER BY sku_key, valid_from",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PriceEntry {
                sku: r.get("sku"),
                kind: parse("kind", &r.get::<String, _>("kind"))?,
                price: money_of(&r.get::<String, _>("amount"), &r.get::<String, _>("currency"))?,
                valid_from: date("valid_from", &r.get::<String, _>("valid_from"))?,
                source: r.get("source"),
            })
        })
        .collect()
}

async fn rules(conn: &mut AnyConnection) -> Result<Vec<Rule>> {
    let rows = sqlx::query("SELECT definition FROM allocation_rules ORDER BY position, id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.get::<String, _>("definition"))
                .map_err(|e| corrupt("allocation rule", e))
        })
        .collect()
}

/// The prices in force in `month`: for each SKU the latest from that month or before.
pub fn prices_in(list: &[PriceEntry], month: NaiveDate) -> Vec<SkuPrice> {
    let mut latest: BTreeMap<String, &PriceEntry> = BTreeMap::new();
    for p in list.iter().filter(|p| p.valid_from <= month) {
        let key = name_key(&p.sku);
        if latest.get(&key).is_none_or(|q| q.valid_from <= p.valid_from) {
            latest.insert(key, p);
        }
    }
    latest
        .into_values()
        .map(|p| SkuPrice { sku: p.sku.clone(), kind: p.kind, price: p.price })
        .collect()
}

impl Writer {
    /// Sets the price of a SKU from a month on; the same SKU and month again replaces it.
    pub async fn set_price(&mut self, entry: &PriceEntry) -> Result<PriceEntry> {
        let sku = validate_name("sku", &entry.sku)?;
        if entry.price.amount.is_sign_negative() {
            return Err(ValidationError::new("price", "a price must be zero or more").into());
        }
        let source = entry.source.as_deref().map(|s| validate_text("source", s)).transpose()?;
        let entry = PriceEntry {
            sku: sku.clone(),
            valid_from: month_of(entry.valid_from),
            source: source.filter(|s| !s.is_empty()),
            ..entry.clone()
        };
        let before = prices(self.conn())
            .await?
            .into_iter()
            .find(|p| name_key(&p.sku) == name_key(&sku) && p.valid_from == entry.valid_from);
        sqlx::query("DELETE FROM price_list WHERE sku_key = $1 AND valid_from = $2")
            .bind(name_key(&sku))
            .bind(entry.valid_from.to_string())
            .execute(&mut *self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO price_list (sku, sku_key, kind, amount, currency, valid_from, source, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(sku.clone())
        .bind(name_key(&sku))
        .bind(entry.kind.to_string())
        .bind(entry.price.amount.to_string())
        .bind(entry.price.currency.code())
        .bind(entry.valid_from.to_string())
        .bind(entry.source.clone())
        .bind(instant_text(self.now()))
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{sku} from {}", label(entry.valid_from));
        let action = if before.is_some() { Action::Update } else { Action::Create };
        self.record(action, "price", &key, before.as_ref(), Some(&entry)).await?;
        Ok(entry)
    }

    /// Records a metered quantity; the same month, meter, unit and environment replaces it.
    pub async fn set_meter(&mut self, meter: &Meter) -> Result<Meter> {
        let name = validate_name("meter", &meter.meter)?;
        if meter.quantity.is_sign_negative() && !meter.quantity.is_zero() {
            return Err(ValidationError::new("quantity", "must be zero or more").into());
        }
        let bu = match &meter.business_unit {
            Some(b) => Some(read::business_unit_id(self.conn(), b).await?.1),
            None => None,
        };
        let env =
            meter.environment.as_deref().map(|e| validate_name("environment", e)).transpose()?;
        let meter = Meter {
            month: month_of(meter.month),
            meter: name.clone(),
            business_unit: bu,
            environment: env,
            quantity: meter.quantity,
        };
        let (bu_text, env_text) = (
            meter.business_unit.clone().unwrap_or_default(),
            meter.environment.clone().unwrap_or_default(),
        );
        let before = meters(self.conn(), Some(meter.month)).await?.into_iter().find(|m| {
            name_key(&m.meter) == name_key(&name)
                && m.business_unit == meter.business_unit
                && m.environment == meter.environment
        });
        let deleted = sqlx::query(
            "DELETE FROM payg_meters WHERE month = $1 AND meter_key = $2 AND business_unit = $3 \
             AND environment = $4",
        )
        .bind(meter.month.to_string())
        .bind(name_key(&name))
        .bind(bu_text.clone())
        .bind(env_text.clone())
        .execute(&mut *self.conn())
        .await?
        .rows_affected();
        sqlx::query(
            "INSERT INTO payg_meters (month, meter, meter_key, business_unit, environment, \
             quantity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(meter.month.to_string())
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(bu_text.clone())
        .bind(env_text.clone())
        .bind(meter.quantity.to_string())
        .bind(instant_text(self.now()))
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{name} {} {bu_text} {env_text}", label(meter.month));
        let action = if deleted > 0 { Action::Update } else { Action::Create };
        self.record(action, "meter", key.trim(), before.as_ref(), Some(&meter)).await?;
        Ok(meter)
    }

    /// Sets an item of the platform team's cost of a month; the same item again replaces it.
    pub async fn set_platform_cost(&mut self, cost: &PlatformCost) -> Result<PlatformCost> {
        let item = validate_name("item", &cost.item)?;
        let cost =
            PlatformCost { month: month_of(cost.month), item: item.clone(), amount: cost.amount };
        let before = platform_costs(self.conn(), Some(cost.month))
            .await?
            .into_iter()
            .find(|c| name_key(&c.item) == name_key(&item));
        sqlx::query("DELETE FROM platform_costs WHERE month = $1 AND item_key = $2")
            .bind(cost.month.to_string())
            .bind(name_key(&item))
            .execute(&mut *self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO platform_costs (month, item, item_key, amount, currency, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(cost.month.to_string())
        .bind(item.clone())
        .bind(name_key(&item))
        .bind(cost.amount.amount.to_string())
        .bind(cost.amount.currency.code())
        .bind(instant_text(self.now()))
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{item} {}", label(cost.month));
        let action = if before.is_some() { Action::Update } else { Action::Create };
        self.record(action, "platform-cost", &key, before.as_ref(), Some(&cost)).await?;
        Ok(cost)
    }

    /// Appends a rule after the existing ones.
    pub async fn add_rule(&mut self, rule: &Rule) -> Result<Rule> {
        rule.check()?;
        let mut rule = rule.clone();
        rule.name = validate_name("name", &rule.name)?;
        let clash = sqlx::query("SELECT name FROM allocation_rules WHERE name_key = $1")
            .bind(name_key(&rule.name))
            .fetch_optional(&mut *self.conn())
            .await?;
        if let Some(row) = clash {
            return Err(StoreError::Duplicate {
                entity: "allocation rule",
                name: row.get("name"),
                context: String::new(),
            });
        }
        let position: i64 =
            sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM allocation_rules")
                .fetch_one(&mut *self.conn())
                .await?
                .get("next");
        let json = serde_json::to_string(&rule).map_err(|e| corrupt("rule", e))?;
        sqlx::query(
            "INSERT INTO allocation_rules (position, name, name_key, definition, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(position)
        .bind(rule.name.clone())
        .bind(name_key(&rule.name))
        .bind(json)
        .bind(instant_text(self.now()))
        .execute(&mut *self.conn())
        .await?;
        self.record(Action::Create, "allocation-rule", &rule.name.clone(), None, Some(&rule))
            .await?;
        Ok(rule)
    }

    /// Removes a rule by name.
    pub async fn remove_rule(&mut self, name: &str) -> Result<Rule> {
        let list = rules(self.conn()).await?;
        let Some(rule) = list.iter().find(|r| name_key(&r.name) == name_key(name)).cloned() else {
            return Err(StoreError::NotFound {
                entity: "allocation rule",
                name: name.trim().to_owned(),
                suggestion: worth_core::suggest::closest(
                    name,
                    list.iter().map(|r| r.name.as_str()),
                )
                .map(str::to_owned),
            });
        };
        sqlx::query("DELETE FROM allocation_rules WHERE name_key = $1")
            .bind(name_key(name))
            .execute(&mut *self.conn())
            .await?;
        self.record(Action::Delete, "allocation-rule", &rule.name.clone(), Some(&rule), None)
            .await?;
        Ok(rule)
    }

    /// Records a run of `inputs` with its two views.
    pub async fn record_run(
        &mut self,
        inputs: &RunInputs,
        billed: &Allocation,
        amortized: &Allocation,
    ) -> Result<ChargebackRun> {
        let rules_json = serde_json::to_string(&inputs.rules).map_err(|e| corrupt("rules", e))?;
        let sources_json =
            serde_json::to_string(&inputs.sources).map_err(|e| corrupt("sources", e))?;
        let id: i64 = sqlx::query(
            "INSERT INTO chargeback_runs (period, rules_json, sources_json, run_at, actor) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(label(inputs.period))
        .bind(rules_json)
        .bind(sources_json)
        .bind(instant_text(self.now()))
        .bind(self.actor().to_owned())
        .fetch_one(&mut *self.conn())
        .await?
        .get("id");
        for a in [billed, amortized] {
            for l in &a.lines {
                insert_line(self.conn(), id, a.view, l).await?;
            }
        }
        let run = ChargebackRun {
            id,
            period: label(inputs.period),
            run_at: self.now(),
            actor: self.actor().to_owned(),
            rules: inputs.rules.clone(),
            sources: inputs.sources.clone(),
            billed: billed.clone(),
            amortized: amortized.clone(),
        };
        let summary = serde_json::json!({
            "period": run.period,
            "billed": billed.totals,
            "amortized": amortized.totals,
            "lines": billed.lines.len() + amortized.lines.len(),
        });
        self.record(
            Action::Create,
            "chargeback-run",
            &format!("#{id} {}", run.period),
            None,
            Some(&summary),
        )
        .await?;
        Ok(run)
    }
}

async fn insert_line(
    conn: &mut AnyConnection,
    run: i64,
    view: View,
    l: &StatementLine,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO statement_lines (run_id, view, target, target_key, pool, rule, category, \
         driver, quantity, share, reason, records, amount, currency, solution) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(run)
    .bind(view.to_string())
    .bind(l.target.clone())
    .bind(name_key(&l.target))
    .bind(l.pool.clone())
    .bind(l.rule.clone())
    .bind(l.category.to_string())
    .bind(l.driver.map(|d| d.to_string()))
    .bind(l.quantity.map(|q| q.to_string()))
    .bind(l.share.map(|s| s.to_string()))
    .bind(l.reason.clone())
    .bind(i64::try_from(l.records).unwrap_or(i64::MAX))
    .bind(l.amount.amount.to_string())
    .bind(l.amount.currency.code())
    .bind(l.solution.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn platform_costs(
    conn: &mut AnyConnection,
    month: Option<NaiveDate>,
) -> Result<Vec<PlatformCost>> {
    let rows = sqlx::query(
        "SELECT month, item, amount, currency FROM platform_costs ORDER BY month, item_key",
    )
    .fetch_all(&mut *conn)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(PlatformCost {
                month: date("month", &r.get::<String, _>("month"))?,
                item: r.get("item"),
                amount: money_of(&r.get::<String, _>("amount"), &r.get::<String, _>("currency"))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(list.into_iter().filter(|c| month.is_none_or(|m| c.month == m)).collect())
}

async fn meters(conn: &mut AnyConnection, month: Option<NaiveDate>) -> Result<Vec<Meter>> {
    let rows = sqlx::query(
        "SELECT month, meter, business_unit, environment, quantity FROM payg_meters \
         ORDER BY month, meter_key, business_unit, environment",
    )
    .fetch_all(&mut *conn)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            let text = |c: &str| Some(r.get::<String, _>(c)).filter(|t| !t.is_empty());
            Ok(Meter {
                month: date("month", &r.get::<String, _>("month"))?,
                meter: r.get("meter"),
                business_unit: text("business_unit"),
                environment: text("environment"),
                quantity: parse("quantity", &r.get::<String, _>("quantity"))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(list.into_iter().filter(|m| month.is_none_or(|x| m.month == x)).collect())
}

impl Store {
    /// The whole price list, by SKU and month.
    pub async fn price_list(&self) -> Result<Vec<PriceEntry>> {
        let mut conn = self.pool().acquire().await?;
        prices(&mut conn).await
    }

    /// Meters, of one month or all.
    pub async fn meters(&self, month: Option<NaiveDate>) -> Result<Vec<Meter>> {
        let mut conn = self.pool().acquire().await?;
        meters(&mut conn, month).await
    }

    /// The platform team's cost, of one month or all.
    pub async fn platform_costs(&self, month: Option<NaiveDate>) -> Result<Vec<PlatformCost>> {
        let mut conn = self.pool().acquire().await?;
        platform_costs(&mut conn, month).await
    }

    /// The allocation rules in order.
    pub async fn allocation_rules(&self) -> Result<Vec<Rule>> {
        let mut conn = self.pool().acquire().await?;
        rules(&mut conn).await
    }

    /// The latest run of `period`, or of any period when none is given.
    pub async fn latest_run(&self, period: Option<NaiveDate>) -> Result<Option<ChargebackRun>> {
        let mut conn = self.pool().acquire().await?;
        let row = match period {
            Some(p) => {
                sqlx::query(
                    "SELECT id, period, rules_json, sources_json, run_at, actor FROM \
                     chargeback_runs WHERE period = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(label(p))
                .fetch_optional(&mut *conn)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT id, period, rules_json, sources_json, run_at, actor FROM \
                     chargeback_runs ORDER BY period DESC, id DESC LIMIT 1",
                )
                .fetch_optional(&mut *conn)
                .await?
            }
        };
        let Some(r) = row else { return Ok(None) };
        let id: i64 = r.get("id");
        let lines = sqlx::query(
            "SELECT view, target, solution, pool, rule, category, driver, quantity, share, reason, \
             records, amount, currency FROM statement_lines WHERE run_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut views: BTreeMap<View, Vec<StatementLine>> = BTreeMap::new();
        for l in &lines {
            let opt = |c: &str| l.get::<Option<String>, _>(c);
            let view: View = parse("view", &l.get::<String, _>("view"))?;
            views.entry(view).or_default().push(StatementLine {
                target: l.get("target"),
                solution: opt("solution"),
                pool: l.get("pool"),
                rule: opt("rule"),
                category: parse("category", &l.get::<String, _>("category"))?,
                driver: opt("driver").map(|d| parse::<Driver>("driver", &d)).transpose()?,
                quantity: opt("quantity").map(|q| parse::<Decimal>("quantity", &q)).transpose()?,
                share: opt("share").map(|q| parse::<Decimal>("share", &q)).transpose()?,
                reason: opt("reason"),
                records: usize::try_from(l.get::<i64, _>("records")).unwrap_or(0),
                amount: money_of(&l.get::<String, _>("amount"), &l.get::<String, _>("currency"))?,
            });
        }
        let allocation = |view: View, lines: Vec<StatementLine>| {
            let mut sums: BTreeMap<Currency, Decimal> = BTreeMap::new();
            for l in &lines {
                *sums.entry(l.amount.currency).or_default() += l.amount.amount;
            }
            Allocation {
                view,
                lines,
                totals: sums.into_iter().map(|(c, a)| Money::new(a, c)).collect(),
            }
        };
        Ok(Some(ChargebackRun {
            id,
            period: r.get("period"),
            run_at: instant("run_at", &r.get::<String, _>("run_at"))?,
            actor: r.get("actor"),
            rules: serde_json::from_str(&r.get::<String, _>("rules_json"))
                .map_err(|e| corrupt("run rules", e))?,
            sources: serde_json::from_str(&r.get::<String, _>("sources_json"))
                .map_err(|e| corrupt("run sources", e))?,
            billed: allocation(View::Billed, views.remove(&View::Billed).unwrap_or_default()),
            amortized: allocation(
                View::Amortized,
                views.remove(&View::Amortized).unwrap_or_default(),
            ),
        }))
    }

    /// Every license held, as the strategy reads them.
    pub async fn held_licenses(&self) -> Result<Vec<HeldLicense>> {
        Ok(self
            .license_assignments()
            .await?
            .into_iter()
            .map(|(_, a)| HeldLicense {
                user_key: a.user_key,
                product: a.product,
                last_activity_on: a.last_activity_on,
            })
            .collect())
    }

    /// The license assignments in force in `period`: of each source, those of its latest report
    /// dated on or before the period's last day. A source whose every report is later stands in
    /// with its earliest one, and a note says so, rather than charging nothing silently.
    pub async fn licenses_in_force(
        &self,
        period: NaiveDate,
    ) -> Result<(Vec<(String, LicenseAssignment)>, Vec<String>)> {
        let last_day = add_months(month_of(period), 1).pred_opt().unwrap_or(period);
        let reports = self.license_reports().await?;
        let mut chosen: BTreeMap<&str, NaiveDate> = BTreeMap::new();
        let mut notes = Vec::new();
        let sources: BTreeSet<&str> = reports.iter().map(|r| r.0.as_str()).collect();
        for source in sources {
            let dates: BTreeSet<NaiveDate> =
                reports.iter().filter(|r| r.0 == source).map(|r| r.1).collect();
            let date = match dates.range(..=last_day).next_back() {
                Some(d) => *d,
                None => {
                    let first = dates.first().copied().unwrap_or(last_day);
                    notes.push(format!(
                        "no license report of '{source}' is dated on or before {last_day}: the \
                         earliest, of {first}, stands in for {}; import the report of that time \
                         to charge the licenses then held",
                        label(period)
                    ));
                    first
                }
            };
            chosen.insert(source, date);
        }
        let in_force = reports
            .iter()
            .filter(|(source, as_of, _)| chosen.get(source.as_str()) == Some(as_of))
            .map(|(source, _, a)| (source.clone(), a.clone()))
            .collect();
        Ok((in_force, notes))
    }

    /// Each pseudonymous user's distinct apps in `month`.
    pub async fn apps_per_user(&self, month: NaiveDate) -> Result<BTreeMap<String, u32>> {
        let wanted = label(month);
        let mut apps: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
        for m in self.month_users().await?.into_iter().filter(|m| m.month == wanted) {
            for (user, _) in m.users {
                apps.entry(user).or_default().insert((m.system.clone(), m.external_id.clone()));
            }
        }
        Ok(apps.into_iter().map(|(u, s)| (u, u32::try_from(s.len()).unwrap_or(u32::MAX))).collect())
    }

    /// Reads everything a run of `period` needs.
    pub async fn run_inputs(&self, period: NaiveDate) -> Result<RunInputs> {
        let period = month_of(period);
        let next = add_months(period, 1);
        let mut records = Vec::new();
        let mut notes = Vec::new();

        // Cloud: the FOCUS cost facts charged in the period.
        for f in self.cost_facts().await? {
            if f.charge_day < period || f.charge_day >= next {
                continue;
            }
            let tags: BTreeMap<String, String> = match &f.tags_json {
                Some(t) => serde_json::from_str::<BTreeMap<String, serde_json::Value>>(t)
                    .map_err(|e| corrupt("cost_facts.tags_json", e))?
                    .into_iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (k, text)
                    })
                    .collect(),
                None => BTreeMap::new(),
            };
            records.push(CostRecord {
                pool: "cloud".into(),
                service: f.service_name,
                billing_account: f.billing_account_id,
                environment: None,
                tags,
                category: ChargeCategory::from_focus(&f.charge_category),
                currency: parse("currency", &f.currency)?,
                billed: f.billed_cost,
                effective: f.effective_cost,
            });
        }

        // Licenses: each priced product held in the period, at the period's list price.
        let price_list = self.price_list().await?;
        let priced = prices_in(&price_list, period);
        let price_of = |sku: &str| priced.iter().find(|p| name_key(&p.sku) == name_key(sku));
        let mut held: BTreeMap<String, usize> = BTreeMap::new();
        let (in_force, license_notes) = self.licenses_in_force(period).await?;
        notes.extend(license_notes);
        for (_, a) in in_force {
            *held.entry(a.product.trim().to_owned()).or_default() += 1;
        }
        for (product, count) in held {
            match price_of(&product) {
                Some(p)
                    if matches!(p.kind, PlanKind::PerUser | PlanKind::PerApp | PlanKind::Other) =>
                {
                    let amount = p.price.amount * Decimal::from(count);
                    records.push(CostRecord {
                        pool: "licenses".into(),
                        service: p.sku.clone(),
                        billing_account: String::new(),
                        environment: None,
                        tags: BTreeMap::new(),
                        category: ChargeCategory::Usage,
                        currency: p.price.currency,
                        billed: amount,
                        effective: amount,
                    });
                }
                Some(_) => {}
                None => notes.push(format!(
                    "{count} license(s) of '{product}' have no price in {}: add one with \
                     `worth chargeback price set` to charge them",
                    label(period)
                )),
            }
        }

        // Pay-as-you-go: each meter of the period at its price.
        let mut storage: BTreeMap<String, Decimal> = BTreeMap::new();
        for m in self.meters(Some(period)).await? {
            let Some(p) = price_of(&m.meter) else {
                notes.push(format!(
                    "meter '{}' of {} has no price: add one with `worth chargeback price set`",
                    m.meter,
                    label(period)
                ));
                continue;
            };
            if p.kind == PlanKind::PerGb
                && let Some(bu) = &m.business_unit
            {
                *storage.entry(bu.clone()).or_default() += m.quantity;
            }
            let amount = p.price.amount * m.quantity;
            let tags =
                m.business_unit.iter().map(|b| ("business_unit".to_owned(), b.clone())).collect();
            records.push(CostRecord {
                pool: "pay-as-you-go".into(),
                service: p.sku.clone(),
                billing_account: String::new(),
                environment: m.environment.clone(),
                tags,
                category: ChargeCategory::Usage,
                currency: p.price.currency,
                billed: amount,
                effective: amount,
            });
        }

        // The platform team's own cost.
        for c in self.platform_costs(Some(period)).await? {
            records.push(CostRecord {
                pool: "platform-team".into(),
                service: c.item,
                billing_account: String::new(),
                environment: None,
                tags: BTreeMap::new(),
                category: ChargeCategory::Usage,
                currency: c.amount.currency,
                billed: c.amount.amount,
                effective: c.amount.amount,
            });
        }

        let mut targets = self.usage_drivers(period).await?;
        targets.drivers.insert(Driver::Storage, storage);
        targets.business_units = self.business_units().await?.into_iter().map(|b| b.name).collect();
        Ok(RunInputs {
            period,
            sources: sources(&records),
            records,
            targets,
            rules: self.allocation_rules().await?,
            notes,
        })
    }

    /// Active users, sessions and successful runs of each solution in the period, from the
    /// usage and run rollups, and their sums per business unit; every solution as a target.
    async fn usage_drivers(&self, period: NaiveDate) -> Result<Targets> {
        let next = add_months(period, 1);
        let mut conn = self.pool().acquire().await?;
        let mut owner: HashMap<(String, String), SolutionTarget> = HashMap::new();
        let mut solutions = Vec::new();
        for s in read::solutions(&mut conn, Solutions::All).await? {
            let target =
                SolutionTarget { business_unit: s.business_unit.clone(), solution: s.name.clone() };
            for x in &s.external_ids {
                owner.insert((x.system.clone(), x.id.clone()), target.clone());
            }
            solutions.push(target);
        }
        drop(conn);
        let mut users: BTreeMap<SolutionTarget, BTreeSet<String>> = BTreeMap::new();
        for m in self.month_users().await?.into_iter().filter(|m| m.month == label(period)) {
            if let Some(s) = owner.get(&(m.system.clone(), m.external_id.clone())) {
                users.entry(s.clone()).or_default().extend(m.users.into_iter().map(|u| u.0));
            }
        }
        let mut sessions: BTreeMap<SolutionTarget, Decimal> = BTreeMap::new();
        for d in self.usage_daily().await? {
            if d.day >= period
                && d.day < next
                && let Some(s) = owner.get(&(d.system.clone(), d.external_id.clone()))
            {
                *sessions.entry(s.clone()).or_default() += Decimal::from(d.sessions);
            }
        }
        let mut runs: BTreeMap<SolutionTarget, Decimal> = BTreeMap::new();
        for d in self.run_daily().await? {
            if d.day >= period
                && d.day < next
                && d.status == "succeeded"
                && let Some(s) = owner.get(&(d.system.clone(), d.flow_id.clone()))
            {
                *runs.entry(s.clone()).or_default() += Decimal::from(d.runs);
            }
        }
        // A business unit's active users are the distinct users of its solutions, not the
        // sum of each solution's (one person may use several).
        let mut unit_users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (s, set) in &users {
            unit_users.entry(s.business_unit.clone()).or_default().extend(set.iter().cloned());
        }
        let per_unit = |per: &BTreeMap<SolutionTarget, Decimal>| {
            let mut out: BTreeMap<String, Decimal> = BTreeMap::new();
            for (s, q) in per {
                *out.entry(s.business_unit.clone()).or_default() += *q;
            }
            out
        };
        let count = |set: &BTreeSet<String>| Decimal::from(set.len());
        let drivers = [
            (Driver::ActiveUsers, unit_users.iter().map(|(b, s)| (b.clone(), count(s))).collect()),
            (Driver::Sessions, per_unit(&sessions)),
            (Driver::SuccessfulRuns, per_unit(&runs)),
        ]
        .into();
        let solution_drivers = [
            (Driver::ActiveUsers, users.iter().map(|(s, set)| (s.clone(), count(set))).collect()),
            (Driver::Sessions, sessions),
            (Driver::SuccessfulRuns, runs),
        ]
        .into();
        Ok(Targets { drivers, business_units: Vec::new(), solution_drivers, solutions })
    }
}

/// What each pool holds per currency.
pub fn sources(records: &[CostRecord]) -> Vec<PoolSource> {
    let mut map: BTreeMap<(String, Currency), PoolSource> = BTreeMap::new();
    for r in records {
        let s = map.entry((r.pool.clone(), r.currency)).or_insert_with(|| PoolSource {
            pool: r.pool.clone(),
            currency: r.currency,
            billed: Decimal::ZERO,
            amortized: Decimal::ZERO,
            records: 0,
        });
        s.billed += r.billed;
        s.amortized += r.amount(View::Amortized).unwrap_or_default();
        s.records += 1;
    }
    map.into_values().collect()
}

/// The documented default list prices (USD, per month), each with the month it applies from
/// and its public source. A workspace adds them with `worth chargeback price defaults` and
/// replaces any with its own negotiated prices.
pub fn default_prices() -> Vec<PriceEntry> {
    let usd = |a: Decimal| Money::new(a, Currency::parse("USD").unwrap_or_else(|_| unreachable!()));
    let entry = |sku: &str, kind, amount: Decimal, from: (i32, u32), source: &str| PriceEntry {
        sku: sku.to_owned(),
        kind,
        price: usd(amount),
        valid_from: NaiveDate::from_ymd_opt(from.0, from.1, 1).unwrap_or_default(),
        source: Some(source.to_owned()),
    };
    // Microsoft cut the Power Apps per user plan to USD 20 and the per app plan to USD 5 on
    // 1 October 2021 (Power Apps pricing page, microsoft.com/power-platform/products/power-apps/pricing).
    // The pay-as-you-go meters (USD 10 per active user per app, USD 48 per GB of Dataverse
    // database above the entitlement) are those announced with the Azure-billed plans
    // (Microsoft Power Platform licensing guide; "Power Apps Pay-As-You-Go", licensingschool.co.uk,
    // 2022-03-30). Power Automate Premium is USD 15 per user and a pay-as-you-go cloud flow run
    // USD 0.60 (Power Automate pricing page, microsoft.com/power-platform/products/power-automate/pricing).
    let apps = "Microsoft Power Apps pricing page, list price as of 2021-10-01";
    let payg = "Microsoft Power Platform pay-as-you-go meters, list price as of 2022-03-30";
    let automate = "Microsoft Power Automate pricing page, list price as of 2023-08-01";
    vec![
        entry("POWER APPS PER USER PLAN", PlanKind::PerUser, Decimal::new(20, 0), (2021, 10), apps),
        entry("POWER APPS PER APP PLAN", PlanKind::PerApp, Decimal::new(5, 0), (2021, 10), apps),
        entry(
            "POWER APPS PAY-AS-YOU-GO",
            PlanKind::PayAsYouGo,
            Decimal::new(10, 0),
            (2022, 3),
            payg,
        ),
        entry("DATAVERSE DATABASE CAPACITY", PlanKind::PerGb, Decimal::new(48, 0), (2022, 3), payg),
        entry("POWER AUTOMATE PREMIUM", PlanKind::Other, Decimal::new(15, 0), (2023, 8), automate),
        entry(
            "POWER AUTOMATE CLOUD FLOW RUN",
            PlanKind::PerRun,
            Decimal::new(60, 2),
            (2023, 8),
            automate,
        ),
    ]
}

/// The default of the license strategy's "unused for N days" setting.
pub const DEFAULT_UNUSED_DAYS: u32 = 90;

impl Writer {
    /// Sets after how many days without activity a license counts as unused.
    pub async fn set_license_unused_days(&mut self, days: u32) -> Result<u32> {
        if days == 0 || days > 3660 {
            return Err(ValidationError::new("unused-days", "must be from 1 to 3660 days").into());
        }
        let before = read::setting(self.conn(), "license_unused_days").await?;
        sqlx::query("DELETE FROM workspace WHERE key = $1")
            .bind("license_unused_days")
            .execute(&mut *self.conn())
            .await?;
        sqlx::query("INSERT INTO workspace (key, value) VALUES ($1, $2)")
            .bind("license_unused_days")
            .bind(days.to_string())
            .execute(&mut *self.conn())
            .await?;
        let action = if before.is_some() { Action::Update } else { Action::Create };
        let after = days.to_string();
        self.record(action, "setting", "license_unused_days", before.as_ref(), Some(&after))
            .await?;
        Ok(days)
    }
}

impl Store {
    /// After how many days without activity a license counts as unused.
    pub async fn license_unused_days(&self) -> Result<u32> {
        let mut conn = self.pool().acquire().await?;
        match read::setting(&mut conn, "license_unused_days").await? {
            Some(v) => parse("license_unused_days", &v),
            None => Ok(DEFAULT_UNUSED_DAYS),
        }
    }

    /// The latest month with monthly app users, if any.
    pub async fn latest_usage_month(&self) -> Result<Option<NaiveDate>> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query("SELECT MAX(month) AS m FROM usage_monthly_users")
            .fetch_one(&mut *conn)
            .await?;
        let m: Option<String> = row.get("m");
        Ok(m.and_then(|m| worth_core::period::parse_month(&m)))
    }
}
