//! Reading the register: queries shared by the store's reads and by writers inside their
//! transaction, so a writer sees its own uncommitted changes.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use worth_core::audit::{Action, AuditEntry};
use worth_core::guideline::Guideline;
use worth_core::org::BusinessUnit;
use worth_core::rates::{FxRate, RateCard};
use worth_core::solution::{Environment, ExternalId, LifecycleEvent, Solution};
use worth_core::workspace::WorkspaceSettings;
use worth_core::{Currency, Money, suggest};

use crate::rows::{date, instant, json, name_key, parse};
use crate::{Result, Store, StoreError};

/// Which audit entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries about this kind of record (`solution`, `business-unit`, …).
    pub entity: Option<String>,
    /// Only the latest `limit` entries.
    pub limit: Option<i64>,
}

/// A guideline version with its settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GuidelineVersion {
    /// The version number, from 1.
    pub version: i64,
    /// The settings.
    pub settings: Guideline,
    /// Why it was made.
    pub note: Option<String>,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Who made it.
    pub created_by: String,
}

pub(crate) async fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM workspace WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.get::<String, _>("value")))
}

pub(crate) async fn business_units(conn: &mut AnyConnection) -> Result<Vec<BusinessUnit>> {
    let rows = sqlx::query(
        "SELECT b.id, b.name, p.name AS parent FROM business_units b \
         LEFT JOIN business_units p ON p.id = b.parent_id ORDER BY b.name_key",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| BusinessUnit { id: r.get("id"), name: r.get("name"), parent: r.get("parent") })
        .collect())
}

/// The id and name of the business unit called `name` (case-insensitive).
pub(crate) async fn business_unit_id(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<(i64, String)> {
    // A name no unit could have is refused as such, and never quoted back whole.
    let name = &worth_core::org::validate_name("business unit", name)?;
    let row = sqlx::query("SELECT id, name FROM business_units WHERE name_key = $1")
        .bind(name_key(name))
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = row {
        return Ok((r.get("id"), r.get("name")));
    }
    let names: Vec<String> = business_units(conn).await?.into_iter().map(|b| b.name).collect();
    Err(StoreError::NotFound {
        entity: "business unit",
        name: name.trim().to_owned(),
        suggestion: suggest::closest(name, names.iter().map(String::as_str)).map(str::to_owned),
    })
}

/// Which solutions to load.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Solutions {
    All,
    InBusinessUnit(i64),
    Id(i64),
}

impl Solutions {
    /// The condition on `s` (solutions) and its parameter. The SQL is one of these constants,
    /// never text from a user, which is why the queries built from it are asserted safe.
    fn condition(self) -> (&'static str, Option<i64>) {
        match self {
            Self::All => ("1 = 1", None),
            Self::InBusinessUnit(id) => ("s.business_unit_id = $1", Some(id)),
            Self::Id(id) => ("s.id = $1", Some(id)),
        }
    }
}

pub(crate) async fn solutions(conn: &mut AnyConnection, which: Solutions) -> Result<Vec<Solution>> {
    let (condition, bind) = which.condition();
    let sql = format!(
        "SELECT s.id, s.name, s.kind, s.platform, b.name AS bu, s.criticality, \
         e.id AS env_id, e.name AS env_name, e.env_type, e.external_id AS env_external_id, \
         p.name AS owner \
         FROM solutions s JOIN business_units b ON b.id = s.business_unit_id \
         LEFT JOIN environments e ON e.id = s.environment_id \
         LEFT JOIN people p ON p.id = s.owner_id \
         WHERE {condition} ORDER BY b.name_key, s.name_key"
    );
    let rows = bind_opt(sqlx::query(AssertSqlSafe(sql)), bind).fetch_all(&mut *conn).await?;
    let mut list = Vec::with_capacity(rows.len());
    let mut index = HashMap::new();
    for r in &rows {
        let env_id: Option<i64> = r.get("env_id");
        let environment = match env_id {
            Some(id) => Some(Environment {
                id,
                name: r.get("env_name"),
                env_type: parse("env_type", &r.get::<String, _>("env_type"))?,
                external_id: r.get("env_external_id"),
            }),
            None => None,
        };
        let solution = Solution {
            id: r.get("id"),
            name: r.get("name"),
            kind: parse("kind", &r.get::<String, _>("kind"))?,
            platform: r.get("platform"),
            business_unit: r.get("bu"),
            environment,
            owner: r.get("owner"),
            criticality: parse("criticality", &r.get::<String, _>("criticality"))?,
            external_ids: Vec::new(),
            lifecycle: Vec::new(),
        };
        index.insert(solution.id, list.len());
        list.push(solution);
    }

    let sql = format!(
        "SELECT x.solution_id, x.system, x.external_id FROM solution_external_ids x \
         JOIN solutions s ON s.id = x.solution_id WHERE {condition} \
         ORDER BY x.solution_id, x.system, x.external_id"
    );
    for r in bind_opt(sqlx::query(AssertSqlSafe(sql)), bind).fetch_all(&mut *conn).await? {
        if let Some(&i) = index.get(&r.get::<i64, _>("solution_id")) {
            list[i]
                .external_ids
                .push(ExternalId { system: r.get("system"), id: r.get("external_id") });
        }
    }

    let sql = format!(
        "SELECT l.solution_id, l.stage, l.occurred_on, l.note FROM lifecycle_events l \
         JOIN solutions s ON s.id = l.solution_id WHERE {condition} \
         ORDER BY l.solution_id, l.occurred_on, l.id"
    );
    for r in bind_opt(sqlx::query(AssertSqlSafe(sql)), bind).fetch_all(&mut *conn).await? {
        if let Some(&i) = index.get(&r.get::<i64, _>("solution_id")) {
            list[i].lifecycle.push(LifecycleEvent {
                stage: parse("stage", &r.get::<String, _>("stage"))?,
                on: date("occurred_on", &r.get::<String, _>("occurred_on"))?,
                note: r.get("note"),
            });
        }
    }
    Ok(list)
}

fn bind_opt(
    query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    bind: Option<i64>,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    match bind {
        Some(v) => query.bind(v),
        None => query,
    }
}

/// The solution called `name`, in business unit `bu` when given; names are case-insensitive.
pub(crate) async fn find_solution(
    conn: &mut AnyConnection,
    name: &str,
    bu: Option<&str>,
) -> Result<Solution> {
    let rows = match bu {
        Some(bu) => {
            let (bu_id, _) = business_unit_id(conn, bu).await?;
            sqlx::query("SELECT id FROM solutions WHERE name_key = $1 AND business_unit_id = $2")
                .bind(name_key(name))
                .bind(bu_id)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query("SELECT id FROM solutions WHERE name_key = $1")
                .bind(name_key(name))
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    match ids.as_slice() {
        [id] => solutions(conn, Solutions::Id(*id))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("solution {id}"))),
        [] => {
            let names: Vec<String> = sqlx::query("SELECT name FROM solutions ORDER BY name_key")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.get("name"))
                .collect();
            Err(StoreError::NotFound {
                entity: "solution",
                name: name.trim().to_owned(),
                suggestion: suggest::closest(name, names.iter().map(String::as_str))
                    .map(str::to_owned),
            })
        }
        _ => {
            let places: Vec<String> = solutions(conn, Solutions::All)
                .await?
                .into_iter()
                .filter(|s| ids.contains(&s.id))
                .map(|s| s.business_unit)
                .collect();
            Err(StoreError::Ambiguous {
                entity: "solution",
                name: name.trim().to_owned(),
                places: places.join(", "),
            })
        }
    }
}

pub(crate) async fn rates(conn: &mut AnyConnection) -> Result<Vec<RateCard>> {
    let rows = sqlx::query(
        "SELECT r.id, r.role, b.name AS bu, r.hourly_amount, r.currency, r.valid_from, r.valid_to \
         FROM rate_cards r LEFT JOIN business_units b ON b.id = r.business_unit_id \
         ORDER BY r.role, b.name_key, r.valid_from, r.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let valid_to: Option<String> = r.get("valid_to");
            Ok(RateCard {
                id: r.get("id"),
                role: r.get("role"),
                business_unit: r.get("bu"),
                hourly: Money::new(
                    parse::<Decimal>("hourly_amount", &r.get::<String, _>("hourly_amount"))?,
                    parse::<Currency>("currency", &r.get::<String, _>("currency"))?,
                ),
                valid_from: date("valid_from", &r.get::<String, _>("valid_from"))?,
                valid_to: valid_to.map(|t| date("valid_to", &t)).transpose()?,
            })
        })
        .collect()
}

pub(crate) async fn fx_rates(conn: &mut AnyConnection) -> Result<Vec<FxRate>> {
    let rows = sqlx::query(
        "SELECT base, quote, rate, valid_on FROM fx_rates ORDER BY base, quote, valid_on",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FxRate {
                base: parse("base", &r.get::<String, _>("base"))?,
                quote: parse("quote", &r.get::<String, _>("quote"))?,
                rate: parse("rate", &r.get::<String, _>("rate"))?,
                on: date("valid_on", &r.get::<String, _>("valid_on"))?,
            })
        })
        .collect()
}

pub(crate) async fn guideline_versions(conn: &mut AnyConnection) -> Result<Vec<GuidelineVersion>> {
    let rows = sqlx::query(
        "SELECT version, settings, note, created_at, created_by FROM guideline_versions \
         ORDER BY version",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let settings: String = r.get("settings");
            Ok(GuidelineVersion {
                version: r.get("version"),
                settings: serde_json::from_str(&settings)
                    .map_err(|e| StoreError::Corrupt(format!("guideline settings: {e}")))?,
                note: r.get("note"),
                created_at: instant("created_at", &r.get::<String, _>("created_at"))?,
                created_by: r.get("created_by"),
            })
        })
        .collect()
}

pub(crate) async fn audit(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>> {
    let limit = filter.limit.unwrap_or(i64::MAX).max(0);
    let rows = match &filter.entity {
        Some(entity) => {
            sqlx::query(
                "SELECT id, at, actor, action, entity, record, before_json, after_json \
                 FROM audit_log WHERE entity = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(entity.clone())
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(
                "SELECT id, at, actor, action, entity, record, before_json, after_json \
                 FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut entries = rows
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.get("id"),
                at: instant("at", &r.get::<String, _>("at"))?,
                actor: r.get("actor"),
                action: parse::<Action>("action", &r.get::<String, _>("action"))?,
                entity: r.get("entity"),
                record: r.get("record"),
                before: json("before_json", r.get::<Option<String>, _>("before_json").as_deref())?,
                after: json("after_json", r.get::<Option<String>, _>("after_json").as_deref())?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    entries.reverse();
    Ok(entries)
}

impl Store {
    /// Whether `worth init` has made a workspace in this store.
    pub async fn is_initialized(&self) -> Result<bool> {
        let mut conn = self.pool().acquire().await?;
        Ok(setting(&mut conn, "key_fingerprint").await?.is_some())
    }

    /// The workspace's settings; an error when the workspace is not initialized.
    pub async fn settings(&self) -> Result<WorkspaceSettings> {
        let mut conn = self.pool().acquire().await?;
        let text = setting(&mut conn, "settings")
            .await?
            .ok_or_else(|| StoreError::NotInitialized(self.location()))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("settings: {e}")))
    }

    /// Checks that `key` is the workspace's pseudonymization key.
    pub async fn check_key(
        &self,
        key: &worth_core::pseudonym::SecretKey,
        path: &std::path::Path,
    ) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        let expected = setting(&mut conn, "key_fingerprint")
            .await?
            .ok_or_else(|| StoreError::NotInitialized(self.location()))?;
        let found = key.fingerprint();
        if found != expected {
            return Err(StoreError::WrongKey { path: path.display().to_string(), found, expected });
        }
        Ok(())
    }

    /// All business units, by name.
    pub async fn business_units(&self) -> Result<Vec<BusinessUnit>> {
        let mut conn = self.pool().acquire().await?;
        business_units(&mut conn).await
    }

    /// Solutions, all or of one business unit, by business unit and name.
    pub async fn solutions(&self, bu: Option<&str>) -> Result<Vec<Solution>> {
        let mut conn = self.pool().acquire().await?;
        let which = match bu {
            Some(name) => Solutions::InBusinessUnit(business_unit_id(&mut conn, name).await?.0),
            None => Solutions::All,
        };
        solutions(&mut conn, which).await
    }

    /// A stamp that changes whenever a business record or an import is written, so that a
    /// cache of computed figures knows when it is stale. Cheap: two lookups of a maximum key.
    pub async fn data_stamp(&self) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM audit_log) AS a, \
             (SELECT COALESCE(MAX(id), 0) FROM imports) AS i",
        )
        .fetch_one(self.pool())
        .await?;
        Ok((row.get("a"), row.get("i")))
    }

    /// One solution by its id, if it exists.
    pub async fn solution_by_id(&self, id: i64) -> Result<Option<Solution>> {
        let mut conn = self.pool().acquire().await?;
        Ok(solutions(&mut conn, Solutions::Id(id)).await?.pop())
    }

    /// One solution by name, within a business unit when the name is not unique.
    pub async fn solution(&self, name: &str, bu: Option<&str>) -> Result<Solution> {
        let mut conn = self.pool().acquire().await?;
        find_solution(&mut conn, name, bu).await
    }

    /// All rate cards.
    pub async fn rates(&self) -> Result<Vec<RateCard>> {
        let mut conn = self.pool().acquire().await?;
        rates(&mut conn).await
    }

    /// All exchange rates.
    pub async fn fx_rates(&self) -> Result<Vec<FxRate>> {
        let mut conn = self.pool().acquire().await?;
        fx_rates(&mut conn).await
    }

    /// Every guideline version, oldest first.
    pub async fn guideline_versions(&self) -> Result<Vec<GuidelineVersion>> {
        let mut conn = self.pool().acquire().await?;
        guideline_versions(&mut conn).await
    }

    /// One guideline version, or the current one.
    pub async fn guideline(&self, version: Option<i64>) -> Result<GuidelineVersion> {
        let versions = self.guideline_versions().await?;
        let found = match version {
            Some(v) => versions.into_iter().find(|g| g.version == v),
            None => versions.into_iter().last(),
        };
        found.ok_or_else(|| match version {
            Some(v) => StoreError::NotFound {
                entity: "guideline version",
                name: v.to_string(),
                suggestion: None,
            },
            None => StoreError::NotInitialized(self.location()),
        })
    }

    /// Audit entries, oldest first.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut conn = self.pool().acquire().await?;
        audit(&mut conn, filter).await
    }
}
