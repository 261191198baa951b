//! What imports write and read: the record of each imported file, usage and run rollups, cost
//! facts, license assignments, mapped records and solutions upserted from inventories.
//!
//! An import is written by one [`Writer`], so a file is kept whole or not at all. Fact rows are
//! not audited one by one: the import writes one audit entry (entity `import`) that names the
//! file, its content hash and its counts. Solutions and environments are business records, so
//! each one an inventory creates or changes is audited as any other write.
//!
//! Rollups and facts are written with `INSERT … SELECT` statements that bind one JSON array of
//! rows, unpacked by the database; the statements are built here from constants (the table and
//! its columns): user data only ever reaches SQL as bound parameters.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use worth_core::audit::Action;
use worth_core::solution::{
    Criticality, EnvironmentType, ExternalId, Solution, SolutionKind, Stage,
};

use crate::read::{self, Solutions};
use crate::rows::{date, instant, instant_text, name_key, parse};
use crate::{NewSolution, Result, Store, StoreError, Writer};

/// The business unit that solutions found by an inventory import belong to until someone
/// assigns them.
pub const UNASSIGNED_BUSINESS_UNIT: &str = "Unassigned";

/// The record of one imported file, as stored in `imports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    /// The store's id; 0 before it is stored.
    pub id: i64,
    /// What was imported: `usage`, `costs`, …
    pub kind: String,
    /// The stream the data belongs to; a later file of the same source replaces what it covers.
    pub source: String,
    /// The file's name as given.
    pub file_name: String,
    /// BLAKE3 of the file's bytes, in hex: the file's identity.
    pub content_hash: String,
    /// Data rows read.
    pub read: i64,
    /// Rows that contributed to what was stored.
    pub imported: i64,
    /// Rows refused, each one written to the rejects file with its reason.
    pub rejected: i64,
    /// Rows that repeated an earlier row (the same session, run or record) and were not
    /// counted twice.
    pub duplicate: i64,
    /// The first day the file's data covers, when it is dated.
    pub first_day: Option<NaiveDate>,
    /// The last day the file's data covers.
    pub last_day: Option<NaiveDate>,
    /// Where the rejected rows were written, if any were.
    pub rejects_file: Option<String>,
    /// When reading the file started.
    pub started_at: DateTime<Utc>,
    /// When the import was written.
    pub finished_at: DateTime<Utc>,
    /// Who imported it.
    pub actor: String,
}

/// Sessions and distinct users of one app on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageDay {
    /// The system that issued the app's id, such as `powerapps`.
    pub system: String,
    /// The app's id in that system.
    pub external_id: String,
    /// The day (UTC).
    pub day: NaiveDate,
    /// Distinct sessions.
    pub sessions: i64,
    /// Distinct users.
    pub users: i64,
}

/// The pseudonymous users of one app in one month, with the days each used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppMonthUsers {
    /// The system that issued the app's id.
    pub system: String,
    /// The app's id.
    pub external_id: String,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Each user's pseudonym and day mask (bit `d - 1` set when the user used the app on day
    /// `d`), sorted by pseudonym.
    pub users: Vec<(String, u32)>,
}

/// What one usage file contributes: it replaces every day it covers for its source.
#[derive(Debug, Clone, Default)]
pub struct UsageBatch {
    /// The days the file covers.
    pub days: Vec<NaiveDate>,
    /// Daily rollups.
    pub daily: Vec<UsageDay>,
    /// Monthly users, holding only the file's days.
    pub monthly: Vec<AppMonthUsers>,
}

/// Distinct users of one app in one month, over every source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyUsers {
    /// The system that issued the app's id.
    pub system: String,
    /// The app's id.
    pub external_id: String,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Distinct pseudonymous users.
    pub users: i64,
}

/// Runs of one flow on one day with one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunDay {
    /// The system that issued the flow's id, such as `powerautomate`.
    pub system: String,
    /// The flow's id.
    pub flow_id: String,
    /// The day the runs started (UTC).
    pub day: NaiveDate,
    /// `succeeded`, `failed`, `cancelled`, `running` or `pending`.
    pub status: String,
    /// Distinct runs.
    pub runs: i64,
    /// Runs with both a start and an end.
    pub timed_runs: i64,
    /// Total duration of the timed runs, in milliseconds.
    pub duration_ms: i64,
}

/// What one runs file contributes: it replaces every day it covers for its source.
#[derive(Debug, Clone, Default)]
pub struct RunBatch {
    /// The days the file covers.
    pub days: Vec<NaiveDate>,
    /// Daily rollups.
    pub daily: Vec<RunDay>,
}

/// Summed FOCUS rows of one charge day, billing account, service, resource, tags, charge
/// category and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostFact {
    /// `BillingAccountId`.
    pub billing_account_id: String,
    /// `BillingAccountName`.
    pub billing_account_name: Option<String>,
    /// The first day of `BillingPeriodStart`.
    pub billing_period_start: NaiveDate,
    /// The day of `ChargePeriodStart` (UTC).
    pub charge_day: NaiveDate,
    /// `ProviderName`.
    pub provider: String,
    /// `ServiceName`.
    pub service_name: String,
    /// `ServiceCategory`.
    pub service_category: Option<String>,
    /// `ResourceId`.
    pub resource_id: Option<String>,
    /// `ResourceName`.
    pub resource_name: Option<String>,
    /// `Tags` as canonical JSON (keys sorted), or none for rows without tags.
    pub tags_json: Option<String>,
    /// `ChargeCategory`: Usage, Purchase, Tax, Credit or Adjustment.
    pub charge_category: String,
    /// `ChargeClass` (Correction), when given.
    pub charge_class: Option<String>,
    /// `BillingCurrency`, ISO 4217.
    pub currency: String,
    /// Sum of `BilledCost`.
    pub billed_cost: Decimal,
    /// Sum of `EffectiveCost`.
    pub effective_cost: Decimal,
    /// How many source rows were summed.
    pub source_rows: i64,
}

/// One license assigned to one pseudonymous user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseAssignment {
    /// The user's pseudonym.
    pub user_key: String,
    /// The product or SKU name.
    pub product: String,
    /// The user's last activity, when the report gives it.
    pub last_activity_on: Option<NaiveDate>,
}

/// One row of a generic file read through a column mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedRecord {
    /// What the rows are: `value-register`, `survey`, `check-in`, …
    pub target: String,
    /// The row's line (or sheet row) in its file.
    pub line: i64,
    /// The mapped fields.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// An environment found in an inventory export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEnvironment {
    /// The platform's id for it.
    pub external_id: String,
    /// Its display name.
    pub name: String,
    /// Its type, when the export says.
    pub env_type: Option<EnvironmentType>,
}

/// A solution found in an inventory export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryItem {
    /// The platform's id for it.
    pub external_id: ExternalId,
    /// Its display name.
    pub name: String,
    /// What it is.
    pub kind: SolutionKind,
    /// The platform's id of its environment, when known.
    pub environment_id: Option<String>,
    /// The day it was created, when known.
    pub created_on: Option<NaiveDate>,
}

/// What an inventory upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct UpsertCounts {
    /// Records created.
    pub created: i64,
    /// Records changed.
    pub updated: i64,
    /// Records found as they were.
    pub unchanged: i64,
}

/// A value bound to a multi-row insert.
enum Param {
    Int(i64),
    Text(String),
    OptText(Option<String>),
}

/// How many rows one JSON statement carries.
const JSON_ROWS: usize = 20_000;

/// Inserts many rows with few statements: each statement binds one JSON array of rows, which
/// the database unpacks itself (`json_each` in SQLite, `json_array_elements` in PostgreSQL),
/// so that the cost of binding is paid once per statement, not once per value.
async fn insert_json(
    conn: &mut AnyConnection,
    table: &'static str,
    columns: &'static [&'static str],
    suffix: &'static str,
    rows: impl IntoIterator<Item = Vec<Param>>,
) -> Result<()> {
    let postgres = conn.backend_name().eq_ignore_ascii_case("postgresql");
    let mut rows = rows.into_iter().peekable();
    let mut json = String::new();
    while rows.peek().is_some() {
        json.clear();
        json.push('[');
        let mut types: Vec<bool> = Vec::new();
        for (n, row) in rows.by_ref().take(JSON_ROWS).enumerate() {
            if n > 0 {
                json.push(',');
            }
            json.push('[');
            types.clear();
            for (i, p) in row.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                match p {
                    Param::Int(v) => json.push_str(&v.to_string()),
                    Param::Text(v) => push_json_string(&mut json, v),
                    Param::OptText(Some(v)) => push_json_string(&mut json, v),
                    Param::OptText(None) => json.push_str("null"),
                }
                types.push(matches!(p, Param::Int(_)));
            }
            json.push(']');
        }
        json.push(']');
        // The statement is made of the constant table and column names passed in by this
        // module and of element positions numbered here; the rows are one bound value.
        let sql = json_insert_sql(table, columns, &types, suffix, postgres);
        sqlx::query(AssertSqlSafe(sql)).bind(json.clone()).execute(&mut *conn).await?;
    }
    Ok(())
}

fn push_json_string(out: &mut String, text: &str) {
    // serde_json escapes exactly as JSON requires.
    out.push_str(&serde_json::Value::from(text).to_string());
}

/// `INSERT INTO t (a, b) SELECT e->>0, CAST(e->>1 AS BIGINT) FROM <rows of $1> suffix`.
fn json_insert_sql(
    table: &str,
    columns: &[&str],
    integer: &[bool],
    suffix: &str,
    postgres: bool,
) -> String {
    let element = if postgres { "e" } else { "value" };
    let picks: Vec<String> = (0..columns.len())
        .map(|i| {
            let pick = format!("{element} ->> {i}");
            if integer.get(i).copied().unwrap_or(false) {
                format!("CAST({pick} AS BIGINT)")
            } else {
                pick
            }
        })
        .collect();
    // SQLite needs a WHERE before ON CONFLICT after a SELECT, to tell the clauses apart.
    let from = if postgres {
        "FROM json_array_elements(CAST($1 AS JSON)) AS e WHERE true"
    } else {
        "FROM json_each($1) WHERE true"
    };
    format!(
        "INSERT INTO {table} ({}) SELECT {} {from} {suffix}",
        columns.join(", "),
        picks.join(", ")
    )
}

fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

impl Writer {
    /// Stores the record of an imported file and its audit entry; returns its id.
    pub async fn record_import(&mut self, import: &ImportRecord) -> Result<ImportRecord> {
        let mut stored = import.clone();
        stored.actor = self.actor().to_owned();
        stored.finished_at = self.now();
        let row = sqlx::query(
            "INSERT INTO imports (kind, source, file_name, content_hash, rows_read, \
             rows_imported, rows_rejected, rows_duplicate, first_day, last_day, rejects_file, \
             started_at, finished_at, actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(stored.kind.clone())
        .bind(stored.source.clone())
        .bind(stored.file_name.clone())
        .bind(stored.content_hash.clone())
        .bind(stored.read)
        .bind(stored.imported)
        .bind(stored.rejected)
        .bind(stored.duplicate)
        .bind(stored.first_day.map(|d| d.to_string()))
        .bind(stored.last_day.map(|d| d.to_string()))
        .bind(stored.rejects_file.clone())
        .bind(instant_text(stored.started_at))
        .bind(instant_text(stored.finished_at))
        .bind(stored.actor.clone())
        .fetch_one(self.conn())
        .await?;
        stored.id = row.get("id");
        let key = format!("#{} {} {}", stored.id, stored.kind, stored.file_name);
        self.record(Action::Create, "import", &key, None, Some(&stored)).await?;
        Ok(stored)
    }

    /// Writes a usage file's rollups: every day it covers is replaced for `source`, in the
    /// daily rollups and in the monthly user masks.
    pub async fn replace_usage(
        &mut self,
        import_id: i64,
        source: &str,
        batch: &UsageBatch,
    ) -> Result<()> {
        let conn = self.conn();

        // Take the covered days out: their daily rows, and their bits in every month's masks.
        let mut months: Vec<(String, i64)> = Vec::new();
        for &day in &batch.days {
            sqlx::query("DELETE FROM usage_daily WHERE source = $1 AND day = $2")
                .bind(source.to_owned())
                .bind(day.to_string())
                .execute(&mut *conn)
                .await?;
            let month = month_of(day);
            let bit = 1i64 << (day.day() - 1);
            match months.iter_mut().find(|(m, _)| *m == month) {
                Some((_, bits)) => *bits |= bit,
                None => months.push((month, bit)),
            }
        }
        for (month, bits) in &months {
            sqlx::query(
                "UPDATE usage_monthly_users SET day_mask = day_mask & $1 \
                 WHERE source = $2 AND month = $3 AND (day_mask & $4) <> 0",
            )
            .bind(!bits & 0x7fff_ffff)
            .bind(source.to_owned())
            .bind(month.clone())
            .bind(*bits)
            .execute(&mut *conn)
            .await?;
        }

        // Put the file's days in, then drop masks left without any day.
        let rows = batch.daily.iter().map(|d| {
            vec![
                Param::Text(source.to_owned()),
                Param::Text(d.system.clone()),
                Param::Text(d.external_id.clone()),
                Param::Text(d.day.to_string()),
                Param::Int(d.sessions),
                Param::Int(d.users),
            ]
        });
        const DAILY: &[&str] = &["source", "system", "external_id", "day", "sessions", "users"];
        insert_json(conn, "usage_daily", DAILY, "", rows).await?;
        let rows = batch.monthly.iter().flat_map(|m| {
            m.users.iter().map(|(user, mask)| {
                vec![
                    Param::Text(source.to_owned()),
                    Param::Text(m.system.clone()),
                    Param::Text(m.external_id.clone()),
                    Param::Text(m.month.clone()),
                    Param::Text(user.clone()),
                    Param::Int(i64::from(*mask)),
                ]
            })
        });
        const MONTHLY: &[&str] =
            &["source", "system", "external_id", "month", "user_key", "day_mask"];
        let upsert = "ON CONFLICT (source, system, external_id, month, user_key) \
                      DO UPDATE SET day_mask = usage_monthly_users.day_mask | excluded.day_mask";
        insert_json(conn, "usage_monthly_users", MONTHLY, upsert, rows).await?;
        sqlx::query("DELETE FROM usage_monthly_users WHERE source = $1 AND day_mask = 0")
            .bind(source.to_owned())
            .execute(&mut *conn)
            .await?;
        mark_days(conn, "usage_days", source, &batch.days, import_id).await
    }

    /// Writes a runs file's rollups: every day it covers is replaced for `source`.
    pub async fn replace_runs(
        &mut self,
        import_id: i64,
        source: &str,
        batch: &RunBatch,
    ) -> Result<()> {
        let conn = self.conn();
        for &day in &batch.days {
            sqlx::query("DELETE FROM run_daily WHERE source = $1 AND day = $2")
                .bind(source.to_owned())
                .bind(day.to_string())
                .execute(&mut *conn)
                .await?;
        }
        insert_json(
            conn,
            "run_daily",
            &["source", "system", "flow_id", "day", "status", "runs", "timed_runs", "duration_ms"],
            "",
            batch.daily.iter().map(|d| {
                vec![
                    Param::Text(source.to_owned()),
                    Param::Text(d.system.clone()),
                    Param::Text(d.flow_id.clone()),
                    Param::Text(d.day.to_string()),
                    Param::Text(d.status.clone()),
                    Param::Int(d.runs),
                    Param::Int(d.timed_runs),
                    Param::Int(d.duration_ms),
                ]
            }),
        )
        .await?;
        mark_days(conn, "run_days", source, &batch.days, import_id).await
    }

    /// Writes cost facts: every (billing account, billing period) the facts cover is replaced.
    pub async fn replace_costs(&mut self, import_id: i64, facts: &[CostFact]) -> Result<()> {
        let conn = self.conn();
        let mut periods: Vec<(&str, NaiveDate)> =
            facts.iter().map(|f| (f.billing_account_id.as_str(), f.billing_period_start)).collect();
        periods.sort_unstable();
        periods.dedup();
        for (account, start) in periods {
            sqlx::query(
                "DELETE FROM cost_facts WHERE billing_account_id = $1 AND billing_period_start = $2",
            )
            .bind(account.to_owned())
            .bind(start.to_string())
            .execute(&mut *conn)
            .await?;
        }
        insert_json(
            conn,
            "cost_facts",
            &[
                "import_id",
                "billing_account_id",
                "billing_account_name",
                "billing_period_start",
                "charge_day",
                "provider",
                "service_name",
                "service_category",
                "resource_id",
                "resource_name",
                "tags_json",
                "charge_category",
                "charge_class",
                "currency",
                "billed_cost",
                "effective_cost",
                "source_rows",
            ],
            "",
            facts.iter().map(|f| {
                vec![
                    Param::Int(import_id),
                    Param::Text(f.billing_account_id.clone()),
                    Param::OptText(f.billing_account_name.clone()),
                    Param::Text(f.billing_period_start.to_string()),
                    Param::Text(f.charge_day.to_string()),
                    Param::Text(f.provider.clone()),
                    Param::Text(f.service_name.clone()),
                    Param::OptText(f.service_category.clone()),
                    Param::OptText(f.resource_id.clone()),
                    Param::OptText(f.resource_name.clone()),
                    Param::OptText(f.tags_json.clone()),
                    Param::Text(f.charge_category.clone()),
                    Param::OptText(f.charge_class.clone()),
                    Param::Text(f.currency.clone()),
                    Param::Text(f.billed_cost.to_string()),
                    Param::Text(f.effective_cost.to_string()),
                    Param::Int(f.source_rows),
                ]
            }),
        )
        .await
    }

    /// Keeps the license assignments of a report of `source` dated `as_of`; a report of the
    /// same source and date replaces the earlier one, and reports of other dates stay, so a
    /// past period is charged the licenses of its own time.
    pub async fn replace_licenses(
        &mut self,
        import_id: i64,
        source: &str,
        as_of: NaiveDate,
        assignments: &[LicenseAssignment],
    ) -> Result<()> {
        let conn = self.conn();
        sqlx::query("DELETE FROM license_assignments WHERE source = $1 AND as_of = $2")
            .bind(source.to_owned())
            .bind(as_of.to_string())
            .execute(&mut *conn)
            .await?;
        insert_json(
            conn,
            "license_assignments",
            &["source", "as_of", "user_key", "product", "last_activity_on", "import_id"],
            "",
            assignments.iter().map(|a| {
                vec![
                    Param::Text(source.to_owned()),
                    Param::Text(as_of.to_string()),
                    Param::Text(a.user_key.clone()),
                    Param::Text(a.product.clone()),
                    Param::OptText(a.last_activity_on.map(|d| d.to_string())),
                    Param::Int(import_id),
                ]
            }),
        )
        .await
    }

    /// Adds the records of a mapped file.
    pub async fn add_mapped(&mut self, import_id: i64, records: &[MappedRecord]) -> Result<()> {
        let mut rows = Vec::with_capacity(records.len());
        for r in records {
            let json =
                serde_json::to_string(&r.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            rows.push(vec![
                Param::Int(import_id),
                Param::Text(r.target.clone()),
                Param::Int(r.line),
                Param::Text(json),
            ]);
        }
        insert_json(
            self.conn(),
            "mapped_records",
            &["import_id", "target", "line", "fields_json"],
            "",
            rows,
        )
        .await
    }

    /// Creates or updates an environment by its platform id; audited when it changes.
    pub async fn upsert_environment(
        &mut self,
        env: &InventoryEnvironment,
        counts: &mut UpsertCounts,
    ) -> Result<i64> {
        let name = worth_core::org::validate_name("environment", &env.name)?;
        let existing = sqlx::query(
            "SELECT id, name, env_type, external_id FROM environments WHERE external_id = $1",
        )
        .bind(env.external_id.clone())
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = existing {
            let before = worth_core::solution::Environment {
                id: row.get("id"),
                name: row.get("name"),
                env_type: parse("env_type", &row.get::<String, _>("env_type"))?,
                external_id: row.get("external_id"),
            };
            let mut after = before.clone();
            after.name = self.free_environment_name(&name, Some(before.id)).await?;
            after.env_type = env.env_type.unwrap_or(before.env_type);
            if after == before {
                counts.unchanged += 1;
                return Ok(before.id);
            }
            sqlx::query(
                "UPDATE environments SET name = $1, name_key = $2, env_type = $3 WHERE id = $4",
            )
            .bind(after.name.clone())
            .bind(name_key(&after.name))
            .bind(after.env_type.to_string())
            .bind(after.id)
            .execute(self.conn())
            .await?;
            counts.updated += 1;
            self.record(Action::Update, "environment", &after.name, Some(&before), Some(&after))
                .await?;
            return Ok(after.id);
        }
        let name = self.free_environment_name(&name, None).await?;
        let env_type = env.env_type.unwrap_or(EnvironmentType::Production);
        let row = sqlx::query(
            "INSERT INTO environments (name, name_key, env_type, external_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(env_type.to_string())
        .bind(env.external_id.clone())
        .bind(instant_text(self.now()))
        .fetch_one(self.conn())
        .await?;
        let created = worth_core::solution::Environment {
            id: row.get("id"),
            name: name.clone(),
            env_type,
            external_id: Some(env.external_id.clone()),
        };
        counts.created += 1;
        self.record(Action::Create, "environment", &name, None, Some(&created)).await?;
        Ok(created.id)
    }

    /// Creates or updates a solution by its external id; audited when it changes.
    ///
    /// The export's name, kind and environment are taken; the business unit, criticality,
    /// owner and lifecycle of a solution that exists are kept as they were set by hand. A new
    /// solution goes to the business unit [`UNASSIGNED_BUSINESS_UNIT`], live since its creation
    /// day.
    pub async fn upsert_solution(
        &mut self,
        item: &InventoryItem,
        counts: &mut UpsertCounts,
    ) -> Result<Solution> {
        let environment_id = match &item.environment_id {
            Some(ext) => sqlx::query("SELECT id FROM environments WHERE external_id = $1")
                .bind(ext.clone())
                .fetch_optional(self.conn())
                .await?
                .map(|r| r.get::<i64, _>("id")),
            None => None,
        };
        let found = sqlx::query(
            "SELECT solution_id FROM solution_external_ids WHERE system = $1 AND external_id = $2",
        )
        .bind(item.external_id.system.clone())
        .bind(item.external_id.id.clone())
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = found {
            let id: i64 = row.get("solution_id");
            let before = self.solution_by_id(id).await?;
            let bu_id: i64 = sqlx::query("SELECT business_unit_id FROM solutions WHERE id = $1")
                .bind(id)
                .fetch_one(self.conn())
                .await?
                .get("business_unit_id");
            let name =
                self.free_solution_name(bu_id, &item.name, &item.external_id, Some(id)).await?;
            let env_now = before.environment.as_ref().map(|e| e.id);
            let environment_id = environment_id.or(env_now);
            if name == before.name && item.kind == before.kind && environment_id == env_now {
                counts.unchanged += 1;
                return Ok(before);
            }
            sqlx::query(
                "UPDATE solutions SET name = $1, name_key = $2, kind = $3, environment_id = $4 \
                 WHERE id = $5",
            )
            .bind(name.clone())
            .bind(name_key(&name))
            .bind(item.kind.to_string())
            .bind(environment_id)
            .bind(id)
            .execute(self.conn())
            .await?;
            let after = self.solution_by_id(id).await?;
            counts.updated += 1;
            let key = format!("{} / {}", after.business_unit, after.name);
            self.record(Action::Update, "solution", &key, Some(&before), Some(&after)).await?;
            return Ok(after);
        }

        let bu_id = match read::business_unit_id(self.conn(), UNASSIGNED_BUSINESS_UNIT).await {
            Ok((id, _)) => id,
            Err(StoreError::NotFound { .. }) => {
                self.add_business_unit(UNASSIGNED_BUSINESS_UNIT, None).await?.id
            }
            Err(e) => return Err(e),
        };
        let name = self.free_solution_name(bu_id, &item.name, &item.external_id, None).await?;
        let today = self.today();
        let new = NewSolution {
            name,
            kind: item.kind,
            platform: "power-platform".to_owned(),
            business_unit: UNASSIGNED_BUSINESS_UNIT.to_owned(),
            environment: None,
            owner: None,
            criticality: Criticality::Standard,
            external_ids: vec![item.external_id.clone()],
            stage: Stage::Live,
            stage_on: item.created_on.filter(|d| *d <= today).unwrap_or(today),
        };
        let mut solution = self.add_solution(&new).await?;
        if let Some(env) = environment_id {
            sqlx::query("UPDATE solutions SET environment_id = $1 WHERE id = $2")
                .bind(env)
                .bind(solution.id)
                .execute(self.conn())
                .await?;
            solution = self.solution_by_id(solution.id).await?;
        }
        counts.created += 1;
        Ok(solution)
    }

    async fn solution_by_id(&mut self, id: i64) -> Result<Solution> {
        read::solutions(self.conn(), Solutions::Id(id))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("solution {id}")))
    }

    /// `name`, or `name (id)` when another solution of the business unit has the name.
    async fn free_solution_name(
        &mut self,
        bu_id: i64,
        name: &str,
        ext: &ExternalId,
        own_id: Option<i64>,
    ) -> Result<String> {
        let name = worth_core::org::validate_name("name", name)?;
        let clash =
            sqlx::query("SELECT id FROM solutions WHERE business_unit_id = $1 AND name_key = $2")
                .bind(bu_id)
                .bind(name_key(&name))
                .fetch_optional(self.conn())
                .await?
                .map(|r| r.get::<i64, _>("id"));
        Ok(match clash {
            Some(other) if Some(other) != own_id => format!("{name} ({})", ext.id),
            _ => name,
        })
    }

    /// `name`, or `name (2)`, … when another environment has the name.
    async fn free_environment_name(&mut self, name: &str, own_id: Option<i64>) -> Result<String> {
        let mut candidate = name.to_owned();
        for n in 2.. {
            let clash = sqlx::query("SELECT id FROM environments WHERE name_key = $1")
                .bind(name_key(&candidate))
                .fetch_optional(self.conn())
                .await?
                .map(|r| r.get::<i64, _>("id"));
            match clash {
                Some(other) if Some(other) != own_id => candidate = format!("{name} ({n})"),
                _ => break,
            }
        }
        Ok(candidate)
    }
}

/// Records which import supplied each covered day of `source`.
async fn mark_days(
    conn: &mut AnyConnection,
    table: &'static str,
    source: &str,
    days: &[NaiveDate],
    import_id: i64,
) -> Result<()> {
    let rows = days.iter().map(|d| {
        vec![Param::Text(source.to_owned()), Param::Text(d.to_string()), Param::Int(import_id)]
    });
    insert_json(
        conn,
        table,
        &["source", "day", "import_id"],
        "ON CONFLICT (source, day) DO UPDATE SET import_id = excluded.import_id",
        rows,
    )
    .await
}

fn import_from_row(r: &sqlx::any::AnyRow) -> Result<ImportRecord> {
    let day = |c: &str| -> Result<Option<NaiveDate>> {
        r.get::<Option<String>, _>(c).map(|t| date(c, &t)).transpose()
    };
    Ok(ImportRecord {
        id: r.get("id"),
        kind: r.get("kind"),
        source: r.get("source"),
        file_name: r.get("file_name"),
        content_hash: r.get("content_hash"),
        read: r.get("rows_read"),
        imported: r.get("rows_imported"),
        rejected: r.get("rows_rejected"),
        duplicate: r.get("rows_duplicate"),
        first_day: day("first_day")?,
        last_day: day("last_day")?,
        rejects_file: r.get("rejects_file"),
        started_at: instant("started_at", &r.get::<String, _>("started_at"))?,
        finished_at: instant("finished_at", &r.get::<String, _>("finished_at"))?,
        actor: r.get("actor"),
    })
}

const IMPORT_COLUMNS: &str = "id, kind, source, file_name, content_hash, rows_read, \
     rows_imported, rows_rejected, rows_duplicate, first_day, last_day, rejects_file, \
     started_at, finished_at, actor";

impl Store {
    /// The earlier import of a file of this kind with the same content, if there was one.
    pub async fn find_import(
        &self,
        kind: &str,
        content_hash: &str,
    ) -> Result<Option<ImportRecord>> {
        let mut conn = self.pool().acquire().await?;
        // The column list is a constant of this module.
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE kind = $1 AND content_hash = $2 \
             ORDER BY id LIMIT 1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(kind.to_owned())
            .bind(content_hash.to_owned())
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(import_from_row).transpose()
    }

    /// The latest import of a kind and source, if any.
    pub async fn latest_import(&self, kind: &str, source: &str) -> Result<Option<ImportRecord>> {
        let mut conn = self.pool().acquire().await?;
        // The column list is a constant of this module.
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE kind = $1 AND source = $2 \
             ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(kind.to_owned())
            .bind(source.to_owned())
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(import_from_row).transpose()
    }

    /// Every import, oldest first.
    pub async fn imports(&self) -> Result<Vec<ImportRecord>> {
        let mut conn = self.pool().acquire().await?;
        // The column list is a constant of this module.
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
        rows.iter().map(import_from_row).collect()
    }

    /// Daily usage rollups over every source, by app and day.
    pub async fn usage_daily(&self) -> Result<Vec<UsageDay>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT system, external_id, day, CAST(SUM(sessions) AS BIGINT) AS sessions, CAST(SUM(users) AS BIGINT) AS users \
             FROM usage_daily GROUP BY system, external_id, day ORDER BY system, external_id, day",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UsageDay {
                    system: r.get("system"),
                    external_id: r.get("external_id"),
                    day: date("day", &r.get::<String, _>("day"))?,
                    sessions: r.get("sessions"),
                    users: r.get("users"),
                })
            })
            .collect()
    }

    /// Distinct users per app and month, over every source.
    pub async fn monthly_users(&self) -> Result<Vec<MonthlyUsers>> {
        Ok(self
            .month_users()
            .await?
            .into_iter()
            .map(|m| MonthlyUsers {
                system: m.system,
                external_id: m.external_id,
                month: m.month,
                users: i64::try_from(m.users.len()).unwrap_or(i64::MAX),
            })
            .collect())
    }

    /// The pseudonymous users of each app and month with their days, over every source.
    pub async fn month_users(&self) -> Result<Vec<AppMonthUsers>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT system, external_id, month, user_key, day_mask FROM usage_monthly_users \
             WHERE day_mask <> 0 ORDER BY system, external_id, month, user_key",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out: Vec<AppMonthUsers> = Vec::new();
        for r in rows {
            let (system, external_id, month): (String, String, String) =
                (r.get("system"), r.get("external_id"), r.get("month"));
            let user: String = r.get("user_key");
            let mask = u32::try_from(r.get::<i64, _>("day_mask"))
                .map_err(|_| StoreError::Corrupt("usage_monthly_users.day_mask".into()))?;
            let same = out.last().is_some_and(|l| {
                (&l.system, &l.external_id, &l.month) == (&system, &external_id, &month)
            });
            if !same {
                out.push(AppMonthUsers { system, external_id, month, users: Vec::new() });
            }
            let Some(last) = out.last_mut() else { continue };
            // Several sources may have the same user: the masks are combined.
            match last.users.last_mut() {
                Some((u, m)) if *u == user => *m |= mask,
                _ => last.users.push((user, mask)),
            }
        }
        Ok(out)
    }

    /// Daily run rollups over every source, by flow, day and status.
    pub async fn run_daily(&self) -> Result<Vec<RunDay>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT system, flow_id, day, status, CAST(SUM(runs) AS BIGINT) AS runs, \
             CAST(SUM(timed_runs) AS BIGINT) AS timed_runs, CAST(SUM(duration_ms) AS BIGINT) AS duration_ms FROM run_daily \
             GROUP BY system, flow_id, day, status ORDER BY system, flow_id, day, status",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RunDay {
                    system: r.get("system"),
                    flow_id: r.get("flow_id"),
                    day: date("day", &r.get::<String, _>("day"))?,
                    status: r.get("status"),
                    runs: r.get("runs"),
                    timed_runs: r.get("timed_runs"),
                    duration_ms: r.get("duration_ms"),
                })
            })
            .collect()
    }

    /// Every cost fact, by charge day, billing account and service.
    pub async fn cost_facts(&self) -> Result<Vec<CostFact>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT billing_account_id, billing_account_name, billing_period_start, charge_day, \
             provider, service_name, service_category, resource_id, resource_name, tags_json, \
             charge_category, charge_class, currency, billed_cost, effective_cost, source_rows \
             FROM cost_facts ORDER BY charge_day, billing_account_id, service_name, id",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CostFact {
                    billing_account_id: r.get("billing_account_id"),
                    billing_account_name: r.get("billing_account_name"),
                    billing_period_start: date(
                        "billing_period_start",
                        &r.get::<String, _>("billing_period_start"),
                    )?,
                    charge_day: date("charge_day", &r.get::<String, _>("charge_day"))?,
                    provider: r.get("provider"),
                    service_name: r.get("service_name"),
                    service_category: r.get("service_category"),
                    resource_id: r.get("resource_id"),
                    resource_name: r.get("resource_name"),
                    tags_json: r.get("tags_json"),
                    charge_category: r.get("charge_category"),
                    charge_class: r.get("charge_class"),
                    currency: r.get("currency"),
                    billed_cost: parse("billed_cost", &r.get::<String, _>("billed_cost"))?,
                    effective_cost: parse("effective_cost", &r.get::<String, _>("effective_cost"))?,
                    source_rows: r.get("source_rows"),
                })
            })
            .collect()
    }

    /// The license assignments of the latest report of every source, by user and product.
    pub async fn license_assignments(&self) -> Result<Vec<(String, LicenseAssignment)>> {
        let all = self.license_reports().await?;
        let mut latest: BTreeMap<&str, NaiveDate> = BTreeMap::new();
        for (source, as_of, _) in &all {
            let l = latest.entry(source.as_str()).or_insert(*as_of);
            *l = (*l).max(*as_of);
        }
        Ok(all
            .iter()
            .filter(|(source, as_of, _)| latest.get(source.as_str()) == Some(as_of))
            .map(|(source, _, a)| (source.clone(), a.clone()))
            .collect())
    }

    /// Every license report kept: per source and report date, its assignments by user and
    /// product.
    pub async fn license_reports(&self) -> Result<Vec<(String, NaiveDate, LicenseAssignment)>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT source, as_of, user_key, product, last_activity_on FROM license_assignments \
             ORDER BY source, as_of, user_key, product",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let last: Option<String> = r.get("last_activity_on");
                Ok((
                    r.get("source"),
                    date("as_of", &r.get::<String, _>("as_of"))?,
                    LicenseAssignment {
                        user_key: r.get("user_key"),
                        product: r.get("product"),
                        last_activity_on: last.map(|t| date("last_activity_on", &t)).transpose()?,
                    },
                ))
            })
            .collect()
    }

    /// The mapped records of a target, in the order they were imported.
    pub async fn mapped_records(&self, target: &str) -> Result<Vec<MappedRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT target, line, fields_json FROM mapped_records WHERE target = $1 ORDER BY id",
        )
        .bind(target.to_owned())
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let fields: serde_json::Value =
                    serde_json::from_str(&r.get::<String, _>("fields_json"))
                        .map_err(|_| StoreError::Corrupt("mapped_records.fields_json".into()))?;
                Ok(MappedRecord {
                    target: r.get("target"),
                    line: r.get("line"),
                    fields: match fields {
                        serde_json::Value::Object(m) => m,
                        _ => return Err(StoreError::Corrupt("mapped_records.fields_json".into())),
                    },
                })
            })
            .collect()
    }

    /// How many rows each table of imported data holds, to check that a failed import left
    /// everything as it was.
    pub async fn ingest_row_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        const TABLES: [&str; 13] = [
            "imports",
            "solutions",
            "solution_external_ids",
            "environments",
            "usage_days",
            "usage_daily",
            "usage_monthly_users",
            "run_days",
            "run_daily",
            "cost_facts",
            "license_assignments",
            "mapped_records",
            "audit_log",
        ];
        let mut conn = self.pool().acquire().await?;
        let mut counts = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            // The table names are the constants above.
            let sql = format!("SELECT COUNT(*) AS n FROM {table}");
            let row = sqlx::query(AssertSqlSafe(sql)).fetch_one(&mut *conn).await?;
            counts.push((table, row.get::<i64, _>("n")));
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_named_by_their_year_and_number() {
        assert_eq!(month_of("2024-08-31".parse().unwrap()), "2024-08");
    }

    #[test]
    fn json_inserts_pick_each_column_of_the_bound_rows() {
        assert_eq!(
            json_insert_sql("t", &["a", "n"], &[false, true], "", false),
            "INSERT INTO t (a, n) SELECT value ->> 0, CAST(value ->> 1 AS BIGINT) \
             FROM json_each($1) WHERE true "
        );
        assert!(json_insert_sql("t", &["a"], &[false], "", true).contains("json_array_elements"));
    }
}
