//! Value lines, their frozen estimates, costs and measurements; and the engine's inputs,
//! gathered from the register, the rollups and the guideline.
//!
//! An estimate is frozen when its solution is approved (or at once, for a line added to an
//! approved solution): revision 1 of `value_estimates`, never changed. A later change to the
//! line is a re-estimate: a new revision, and the line's current parameters.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{AnyConnection, Row};
use worth_core::audit::Action;
use worth_core::guideline::Guideline;
use worth_core::period::{label, month_of, parse_month};
use worth_core::solution::{Solution, Stage};
use worth_core::value::models::{Measured, ModelSpec};
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade, FrozenEstimate, ValueLine};
use worth_core::{Currency, Money, ValidationError};

use crate::read::{self, Solutions};
use crate::rows::{date, instant_text, name_key, parse};
use crate::{Result, Store, StoreError, Writer};

/// A value line to add.
#[derive(Debug, Clone)]
pub struct NewValueLine {
    /// The line's name, unique within its solution.
    pub name: String,
    /// The benefit's category.
    pub category: Category,
    /// The model and its parameters.
    pub spec: ModelSpec,
    /// The currency of its amounts.
    pub currency: Currency,
    /// The attributed share, 0 to 1.
    pub attribution: Decimal,
    /// How its figures are known.
    pub evidence: EvidenceGrade,
    /// The process whose benefit it claims.
    pub process: Option<String>,
    /// The first month the benefit counts.
    pub start: NaiveDate,
    /// How many months it counts.
    pub horizon_months: u32,
}

/// A change to a value line's estimate.
#[derive(Debug, Clone, Default)]
pub struct Reestimate {
    /// New model parameters, if they change.
    pub spec: Option<ModelSpec>,
    /// A new attribution, if it changes.
    pub attribution: Option<Decimal>,
    /// Why.
    pub reason: Option<String>,
}

/// Everything the engine needs about one solution.
#[derive(Debug, Clone)]
pub struct SolutionInputs {
    /// The solution.
    pub solution: Solution,
    /// Its value lines.
    pub lines: Vec<ValueLine>,
    /// Its costs.
    pub costs: Vec<CostLine>,
    /// What was measured, per month, counting rules applied.
    pub usage: BTreeMap<NaiveDate, Measured>,
}

const STAGES_FROZEN: [Stage; 4] = [Stage::Approved, Stage::Building, Stage::Live, Stage::Retired];

impl Writer {
    /// Adds a value line to a solution. On a solution already approved, its estimate is frozen
    /// at once.
    pub async fn add_value_line(
        &mut self,
        solution: &str,
        bu: Option<&str>,
        new: &NewValueLine,
    ) -> Result<ValueLine> {
        let s = read::find_solution(self.conn(), solution, bu).await?;
        let mut line = ValueLine {
            id: 0,
            solution_id: s.id,
            name: new.name.trim().to_owned(),
            category: new.category,
            spec: new.spec.clone(),
            currency: new.currency,
            attribution: new.attribution,
            evidence: new.evidence,
            process: new.process.as_ref().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()),
            start: month_of(new.start),
            horizon_months: new.horizon_months,
            frozen: None,
        };
        line.check()?;
        let clash =
            sqlx::query("SELECT name FROM value_lines WHERE solution_id = $1 AND name_key = $2")
                .bind(s.id)
                .bind(name_key(&line.name))
                .fetch_optional(&mut *self.conn())
                .await?;
        if let Some(row) = clash {
            return Err(StoreError::Duplicate {
                entity: "value line",
                name: row.get("name"),
                context: format!(" for solution '{}'", s.name),
            });
        }
        let spec_json = json(&line.spec)?;
        let now = instant_text(self.now());
        let row = sqlx::query(
            "INSERT INTO value_lines (solution_id, name, name_key, category, spec, currency, \
             attribution, evidence, process, start_on, horizon_months, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(s.id)
        .bind(line.name.clone())
        .bind(name_key(&line.name))
        .bind(line.category.to_string())
        .bind(spec_json)
        .bind(line.currency.code())
        .bind(line.attribution.to_string())
        .bind(line.evidence.to_string())
        .bind(line.process.clone())
        .bind(line.start.to_string())
        .bind(i64::from(line.horizon_months))
        .bind(now)
        .fetch_one(&mut *self.conn())
        .await?;
        line.id = row.get("id");
        let key = format!("{} / {} / {}", s.business_unit, s.name, line.name);
        self.record(Action::Create, "value-line", &key, None, Some(&line)).await?;
        if s.stage().is_some_and(|st| STAGES_FROZEN.contains(&st)) {
            self.freeze_estimates(s.id).await?;
        }
        value_line(self.conn(), line.id).await
    }

    /// Freezes the estimate of every line of a solution that has none yet, under the current
    /// guideline version. Called when the solution is approved.
    pub(crate) async fn freeze_estimates(&mut self, solution_id: i64) -> Result<()> {
        let version = read::guideline_versions(self.conn()).await?.last().map_or(1, |v| v.version);
        let today = self.today();
        for line in value_lines(self.conn(), Some(solution_id)).await? {
            if line.frozen.is_some() {
                continue;
            }
            let frozen = FrozenEstimate {
                revision: 1,
                spec: line.spec.clone(),
                attribution: line.attribution,
                guideline_version: version,
                frozen_on: today,
            };
            self.insert_estimate(line.id, &frozen, Some("frozen at approval")).await?;
            let key = format!("{} / revision 1", line.name);
            self.record(Action::Create, "value-estimate", &key, None, Some(&frozen)).await?;
        }
        Ok(())
    }

    async fn insert_estimate(
        &mut self,
        line_id: i64,
        e: &FrozenEstimate,
        reason: Option<&str>,
    ) -> Result<()> {
        let now = instant_text(self.now());
        sqlx::query(
            "INSERT INTO value_estimates (value_line_id, revision, spec, attribution, \
             guideline_version, frozen_on, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(line_id)
        .bind(e.revision)
        .bind(json(&e.spec)?)
        .bind(e.attribution.to_string())
        .bind(e.guideline_version)
        .bind(e.frozen_on.to_string())
        .bind(reason.map(str::to_owned))
        .bind(now)
        .execute(&mut *self.conn())
        .await?;
        Ok(())
    }

    /// Changes a line's estimate. Before approval the draft is simply changed; after, the
    /// change is recorded as a re-estimate and the frozen estimate stays as it was.
    pub async fn reestimate(
        &mut self,
        solution: &str,
        bu: Option<&str>,
        line_name: &str,
        change: &Reestimate,
    ) -> Result<ValueLine> {
        let s = read::find_solution(self.conn(), solution, bu).await?;
        let before = find_line(self.conn(), &s, line_name).await?;
        let mut after = before.clone();
        if let Some(spec) = &change.spec {
            after.spec = spec.clone();
        }
        if let Some(a) = change.attribution {
            after.attribution = a;
        }
        after.check()?;
        if after.spec == before.spec && after.attribution == before.attribution {
            return Err(ValidationError::new("value line", "nothing changes").into());
        }
        sqlx::query("UPDATE value_lines SET spec = $1, attribution = $2 WHERE id = $3")
            .bind(json(&after.spec)?)
            .bind(after.attribution.to_string())
            .bind(before.id)
            .execute(&mut *self.conn())
            .await?;
        if before.frozen.is_some() {
            let last: i64 = sqlx::query(
                "SELECT MAX(revision) AS r FROM value_estimates WHERE value_line_id = $1",
            )
            .bind(before.id)
            .fetch_one(&mut *self.conn())
            .await?
            .get("r");
            let version =
                read::guideline_versions(self.conn()).await?.last().map_or(1, |v| v.version);
            let revision = FrozenEstimate {
                revision: last + 1,
                spec: after.spec.clone(),
                attribution: after.attribution,
                guideline_version: version,
                frozen_on: self.today(),
            };
            self.insert_estimate(before.id, &revision, change.reason.as_deref()).await?;
        }
        let key = format!("{} / {} / {}", s.business_unit, s.name, before.name);
        self.record(Action::Update, "value-line", &key, Some(&before), Some(&after)).await?;
        value_line(self.conn(), before.id).await
    }

    /// Adds a cost to a solution.
    pub async fn add_cost(
        &mut self,
        solution: &str,
        bu: Option<&str>,
        cost: &CostLine,
    ) -> Result<CostLine> {
        let s = read::find_solution(self.conn(), solution, bu).await?;
        let mut cost = CostLine { solution_id: s.id, ..cost.clone() };
        cost.check()?;
        let now = instant_text(self.now());
        let row = sqlx::query(
            "INSERT INTO cost_lines (solution_id, kind, item, amount, currency, start_on, end_on, \
             basis, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(s.id)
        .bind(cost.kind.to_string())
        .bind(cost.item.trim().to_owned())
        .bind(cost.amount.amount.to_string())
        .bind(cost.amount.currency.code())
        .bind(cost.start.to_string())
        .bind(cost.end.map(|e| e.to_string()))
        .bind(cost.basis.clone())
        .bind(now)
        .fetch_one(&mut *self.conn())
        .await?;
        cost.id = row.get("id");
        let key = format!("{} / {} / {} #{}", s.business_unit, s.name, cost.item, cost.id);
        self.record(Action::Create, "cost", &key, None, Some(&cost)).await?;
        Ok(cost)
    }

    /// Records a measured metric of a solution for a month; a second value for the same month
    /// replaces the first.
    pub async fn record_measurement(
        &mut self,
        solution: &str,
        bu: Option<&str>,
        metric: &str,
        month: NaiveDate,
        value: Decimal,
        source: &str,
    ) -> Result<()> {
        let s = read::find_solution(self.conn(), solution, bu).await?;
        let metric = worth_core::org::validate_name("metric", metric)?;
        // A measured figure feeds the engine's sums like a model's parameter: bounded alike.
        let bound = worth_core::value::quantity::MAX_PARAMETER * Decimal::from(1000);
        if value.abs() > bound {
            return Err(ValidationError::new(
                "value",
                format!("{value} is beyond the largest measurement Worth takes ({bound})"),
            )
            .into());
        }
        if metric == "units" && value.is_sign_negative() && !value.is_zero() {
            return Err(ValidationError::new(
                "value",
                format!("{value} units: a count of units cannot be negative"),
            )
            .into());
        }
        let month = month_of(month);
        if month > month_of(self.today()) {
            return Err(ValidationError::new(
                "month",
                format!("{} is in the future", label(month)),
            )
            .into());
        }
        let before: Option<String> = sqlx::query(
            "SELECT value FROM measurements WHERE solution_id = $1 AND metric = $2 AND month = $3",
        )
        .bind(s.id)
        .bind(metric.clone())
        .bind(label(month))
        .fetch_optional(&mut *self.conn())
        .await?
        .map(|r| r.get("value"));
        sqlx::query(
            "DELETE FROM measurements WHERE solution_id = $1 AND metric = $2 AND month = $3",
        )
        .bind(s.id)
        .bind(metric.clone())
        .bind(label(month))
        .execute(&mut *self.conn())
        .await?;
        sqlx::query(
            "INSERT INTO measurements (solution_id, metric, month, value, source) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(s.id)
        .bind(metric.clone())
        .bind(label(month))
        .bind(value.to_string())
        .bind(source.to_owned())
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{} / {} / {} {}", s.business_unit, s.name, metric, label(month));
        let after = serde_json::json!({ "value": value.to_string(), "source": source });
        let before = before.map(|v| serde_json::json!({ "value": v }));
        let action = if before.is_some() { Action::Update } else { Action::Create };
        self.record(action, "measurement", &key, before.as_ref(), Some(&after)).await
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

async fn find_line(conn: &mut AnyConnection, s: &Solution, name: &str) -> Result<ValueLine> {
    let lines = value_lines(conn, Some(s.id)).await?;
    if let Some(l) = lines.iter().find(|l| name_key(&l.name) == name_key(name)) {
        return Ok(l.clone());
    }
    Err(StoreError::NotFound {
        entity: "value line",
        name: name.trim().to_owned(),
        suggestion: worth_core::suggest::closest(name, lines.iter().map(|l| l.name.as_str()))
            .map(str::to_owned),
    })
}

async fn value_line(conn: &mut AnyConnection, id: i64) -> Result<ValueLine> {
    let row = sqlx::query("SELECT solution_id FROM value_lines WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    value_lines(conn, Some(row.get("solution_id")))
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| StoreError::Corrupt(format!("value line {id}")))
}

pub(crate) async fn value_lines(
    conn: &mut AnyConnection,
    solution_id: Option<i64>,
) -> Result<Vec<ValueLine>> {
    let base = "SELECT id, solution_id, name, category, spec, currency, attribution, evidence, \
                process, start_on, horizon_months FROM value_lines";
    let rows = match solution_id {
        Some(id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{base} WHERE solution_id = $1 ORDER BY solution_id, name_key"
            )))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{base} ORDER BY solution_id, name_key")))
                .fetch_all(&mut *conn)
                .await?
        }
    };
    // The frozen estimates of the same lines only: reading every solution's to show one made
    // each approval, and each solution's page, read the whole register's estimates.
    let estimates = "SELECT value_line_id, revision, spec, attribution, guideline_version, \
                     frozen_on FROM value_estimates WHERE revision = 1";
    let frozen_rows = match solution_id {
        Some(id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{estimates} AND value_line_id IN \
                 (SELECT id FROM value_lines WHERE solution_id = $1)"
            )))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => sqlx::query(sqlx::AssertSqlSafe(estimates)).fetch_all(&mut *conn).await?,
    };
    let mut frozen = BTreeMap::new();
    for r in &frozen_rows {
        let spec: String = r.get("spec");
        frozen.insert(
            r.get::<i64, _>("value_line_id"),
            FrozenEstimate {
                revision: r.get("revision"),
                spec: serde_json::from_str(&spec)
                    .map_err(|e| StoreError::Corrupt(format!("estimate spec: {e}")))?,
                attribution: parse("attribution", &r.get::<String, _>("attribution"))?,
                guideline_version: r.get("guideline_version"),
                frozen_on: date("frozen_on", &r.get::<String, _>("frozen_on"))?,
            },
        );
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.get("id");
            let spec: String = r.get("spec");
            let horizon: i64 = r.get("horizon_months");
            Ok(ValueLine {
                id,
                solution_id: r.get("solution_id"),
                name: r.get("name"),
                category: parse("category", &r.get::<String, _>("category"))?,
                spec: serde_json::from_str(&spec)
                    .map_err(|e| StoreError::Corrupt(format!("line spec: {e}")))?,
                currency: parse("currency", &r.get::<String, _>("currency"))?,
                attribution: parse("attribution", &r.get::<String, _>("attribution"))?,
                evidence: parse("evidence", &r.get::<String, _>("evidence"))?,
                process: r.get("process"),
                start: date("start_on", &r.get::<String, _>("start_on"))?,
                horizon_months: u32::try_from(horizon)
                    .map_err(|_| StoreError::Corrupt("horizon".into()))?,
                frozen: frozen.remove(&id),
            })
        })
        .collect()
}

async fn cost_lines(conn: &mut AnyConnection) -> Result<Vec<CostLine>> {
    let rows = sqlx::query(
        "SELECT id, solution_id, kind, item, amount, currency, start_on, end_on, basis \
         FROM cost_lines ORDER BY solution_id, start_on, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let end: Option<String> = r.get("end_on");
            Ok(CostLine {
                id: r.get("id"),
                solution_id: r.get("solution_id"),
                kind: parse::<CostKind>("kind", &r.get::<String, _>("kind"))?,
                item: r.get("item"),
                amount: Money::new(
                    parse("amount", &r.get::<String, _>("amount"))?,
                    parse("currency", &r.get::<String, _>("currency"))?,
                ),
                start: date("start_on", &r.get::<String, _>("start_on"))?,
                end: end.map(|e| date("end_on", &e)).transpose()?,
                basis: r.get("basis"),
            })
        })
        .collect()
}

/// What the engine counts of every app, flow and solution, per month, read in a few queries
/// over the whole store rather than a few per solution (on 10,000 solutions the queries'
/// round trips, not the sums, took most of the time).
#[derive(Debug, Default)]
struct Rollups {
    /// Sessions per app (system, id) and month.
    sessions: BTreeMap<(String, String), Vec<(NaiveDate, i64)>>,
    /// Successful runs per flow (system, id) and month.
    runs: BTreeMap<(String, String), Vec<(NaiveDate, i64)>>,
    /// Distinct users per app and month, over every source.
    users: UsersByApp,
    /// Measured units and metrics per solution: (metric, month, value).
    measured: BTreeMap<i64, Vec<(String, NaiveDate, Decimal)>>,
}

impl Rollups {
    async fn read(conn: &mut AnyConnection) -> Result<Self> {
        let mut r = Self::default();
        for (sql, into) in [
            (
                "SELECT system, external_id AS id, substr(day, 1, 7) AS month, \
                 CAST(SUM(sessions) AS BIGINT) AS n FROM usage_daily \
                 GROUP BY system, external_id, substr(day, 1, 7)",
                &mut r.sessions,
            ),
            (
                "SELECT system, flow_id AS id, substr(day, 1, 7) AS month, \
                 CAST(SUM(runs) AS BIGINT) AS n FROM run_daily WHERE status = 'succeeded' \
                 GROUP BY system, flow_id, substr(day, 1, 7)",
                &mut r.runs,
            ),
            (
                // A user seen by several sources is one user.
                "SELECT system, external_id AS id, month, \
                 CAST(COUNT(DISTINCT user_key) AS BIGINT) AS n FROM usage_monthly_users \
                 WHERE day_mask <> 0 GROUP BY system, external_id, month",
                &mut r.users,
            ),
        ] {
            for row in sqlx::query(sql).fetch_all(&mut *conn).await? {
                let Some(month) = parse_month(&row.get::<String, _>("month")) else { continue };
                let app = (row.get::<String, _>("system"), row.get::<String, _>("id"));
                into.entry(app).or_default().push((month, row.get::<i64, _>("n")));
            }
        }
        let rows = sqlx::query("SELECT solution_id, metric, month, value FROM measurements")
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let Some(month) = parse_month(&row.get::<String, _>("month")) else { continue };
            let value: Decimal = parse("value", &row.get::<String, _>("value"))?;
            r.measured.entry(row.get("solution_id")).or_default().push((
                row.get("metric"),
                month,
                value,
            ));
        }
        Ok(r)
    }
}

/// What was measured for a solution per month, with the counting rules applied: successful
/// runs (flows, agents) or sessions (apps) of its external ids, only when its environment's
/// type is counted by the guideline; distinct users; measured units and metrics.
fn usage(
    s: &Solution,
    g: &Guideline,
    version: i64,
    rollups: &Rollups,
) -> BTreeMap<NaiveDate, Measured> {
    let mut out: BTreeMap<NaiveDate, Measured> = BTreeMap::new();
    let counted =
        s.environment.as_ref().is_none_or(|e| g.counted_environments.contains(&e.env_type));
    let uses = if s.kind.is_app() { &rollups.sessions } else { &rollups.runs };
    for ext in &s.external_ids {
        let app = (ext.system.clone(), ext.id.clone());
        for (month, n) in uses.get(&app).into_iter().flatten() {
            let m = out.entry(*month).or_default();
            if counted {
                m.uses += Decimal::from(*n);
            }
        }
        for (month, n) in rollups.users.get(&app).into_iter().flatten() {
            if counted {
                out.entry(*month).or_default().active_users += Decimal::from(*n);
            }
        }
    }
    for (metric, month, value) in rollups.measured.get(&s.id).into_iter().flatten() {
        let m = out.entry(*month).or_default();
        if metric == "units" {
            m.units = Some(*value);
        } else {
            m.metrics.insert(metric.clone(), *value);
        }
    }
    let ids: Vec<String> =
        s.external_ids.iter().map(|e| format!("{}:{}", e.system, e.id)).collect();
    let what = if s.kind.is_app() { "sessions" } else { "successful runs" };
    for (month, m) in &mut out {
        m.source = if counted {
            format!("{what} of {} in {}, usage rollups", ids.join(", "), label(*month))
        } else {
            format!(
                "not counted: environment type {} (guideline v{version} counts {})",
                s.environment.as_ref().map_or("?".into(), |e| e.env_type.to_string()),
                g.counted_environments
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
    }
    out
}

/// Distinct users per app (system, id) and month.
type UsersByApp = BTreeMap<(String, String), Vec<(NaiveDate, i64)>>;

impl Store {
    /// Value lines, of one solution or all.
    pub async fn value_lines(&self, solution_id: Option<i64>) -> Result<Vec<ValueLine>> {
        let mut conn = self.pool().acquire().await?;
        value_lines(&mut conn, solution_id).await
    }

    /// Every estimate revision of a line, oldest first.
    pub async fn estimate_revisions(
        &self,
        line_id: i64,
    ) -> Result<Vec<(FrozenEstimate, Option<String>)>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT revision, spec, attribution, guideline_version, frozen_on, reason \
             FROM value_estimates WHERE value_line_id = $1 ORDER BY revision",
        )
        .bind(line_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let spec: String = r.get("spec");
                Ok((
                    FrozenEstimate {
                        revision: r.get("revision"),
                        spec: serde_json::from_str(&spec)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        attribution: parse("attribution", &r.get::<String, _>("attribution"))?,
                        guideline_version: r.get("guideline_version"),
                        frozen_on: date("frozen_on", &r.get::<String, _>("frozen_on"))?,
                    },
                    r.get("reason"),
                ))
            })
            .collect()
    }

    /// All cost lines.
    pub async fn cost_lines(&self) -> Result<Vec<CostLine>> {
        let mut conn = self.pool().acquire().await?;
        cost_lines(&mut conn).await
    }

    /// Everything the value engine needs, for every solution with value lines or costs.
    pub async fn value_inputs(&self, g: &Guideline, version: i64) -> Result<Vec<SolutionInputs>> {
        let mut conn = self.pool().acquire().await?;
        let rollups = Rollups::read(&mut conn).await?;
        let solutions = read::solutions(&mut conn, Solutions::All).await?;
        let mut lines: BTreeMap<i64, Vec<ValueLine>> = BTreeMap::new();
        for l in value_lines(&mut conn, None).await? {
            lines.entry(l.solution_id).or_default().push(l);
        }
        let mut costs: BTreeMap<i64, Vec<CostLine>> = BTreeMap::new();
        for c in cost_lines(&mut conn).await? {
            costs.entry(c.solution_id).or_default().push(c);
        }
        let mut out = Vec::new();
        for s in solutions {
            let (l, c) =
                (lines.remove(&s.id).unwrap_or_default(), costs.remove(&s.id).unwrap_or_default());
            if l.is_empty() && c.is_empty() {
                continue;
            }
            let usage = usage(&s, g, version, &rollups);
            out.push(SolutionInputs { solution: s, lines: l, costs: c, usage });
        }
        Ok(out)
    }
}
