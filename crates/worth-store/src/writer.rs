//! The one path for writing business records: a transaction that audits every change.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};
use worth_core::audit::Action;
use worth_core::guideline::Guideline;
use worth_core::org::{BusinessUnit, validate_name, validate_text};
use worth_core::pseudonym::SecretKey;
use worth_core::rates::{FxRate, RateCard, check_rate};
use worth_core::solution::{
    Criticality, EnvironmentType, ExternalId, Solution, SolutionKind, Stage, check_stage_change,
};
use worth_core::workspace::WorkspaceSettings;
use worth_core::{Currency, Money, ValidationError};

use crate::read::{self, GuidelineVersion, Solutions};
use crate::rows::{instant_text, name_key};
use crate::{Result, StoreError};

/// A solution to register.
#[derive(Debug, Clone)]
pub struct NewSolution {
    /// Its name, unique within its business unit.
    pub name: String,
    /// What it is.
    pub kind: SolutionKind,
    /// The platform, such as `power-platform`.
    pub platform: String,
    /// The owning business unit's name.
    pub business_unit: String,
    /// The environment's name and, to create it if it does not exist, its type.
    pub environment: Option<(String, Option<EnvironmentType>)>,
    /// The owner's name; a person is created on first mention.
    pub owner: Option<String>,
    /// How critical it is.
    pub criticality: Criticality,
    /// The ids that platform exports use for it.
    pub external_ids: Vec<ExternalId>,
    /// The stage it is registered in, and since when.
    pub stage: Stage,
    /// The day it entered that stage.
    pub stage_on: NaiveDate,
}

/// Changes to a solution's register fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SolutionChange {
    /// Move it to this business unit.
    pub business_unit: Option<String>,
    /// A new criticality.
    pub criticality: Option<Criticality>,
    /// A new owner (a person is created on first mention).
    pub owner: Option<String>,
}

/// A rate card to add.
#[derive(Debug, Clone)]
pub struct NewRate {
    /// The role.
    pub role: String,
    /// The business unit, or every unit.
    pub business_unit: Option<String>,
    /// Cost of one hour.
    pub hourly: Decimal,
    /// Its currency.
    pub currency: Currency,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// First day it no longer applies, if known.
    pub valid_to: Option<NaiveDate>,
}

/// What a write may lock for its whole transaction (see [`Writer::lock`]); each value is the
/// key of a PostgreSQL advisory lock.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WriteLock {
    /// Users, their access and their tokens.
    Accounts,
}

impl WriteLock {
    /// The key of its PostgreSQL advisory lock: "worth" in ASCII, then the lock's number.
    fn key(self) -> i64 {
        match self {
            Self::Accounts => 0x776f_7274_6801,
        }
    }

    /// Takes the lock on PostgreSQL until the end of the transaction of `conn`.
    pub(crate) async fn take(self, conn: &mut AnyConnection) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(self.key()).execute(conn).await?;
        Ok(())
    }
}

/// A write in progress: one transaction on behalf of one actor.
///
/// Every method that changes a business record writes an audit entry in the same transaction.
/// Dropped without [`Writer::commit`], the transaction is rolled back and nothing is kept.
#[derive(Debug)]
pub struct Writer {
    tx: Transaction<'static, Any>,
    actor: String,
    now: DateTime<Utc>,
    sqlite: bool,
}

impl Writer {
    pub(crate) async fn begin(pool: &AnyPool, actor: &str, sqlite: bool) -> Result<Self> {
        let actor = actor.trim();
        if actor.is_empty() {
            return Err(ValidationError::new("actor", "must name who makes the change").into());
        }
        // On SQLite a write takes the database's write lock when it begins, waiting for it up
        // to the busy timeout: a deferred transaction that reads first would fail at once when
        // it upgrades after another connection (another request of the server) has written.
        let tx =
            if sqlite { pool.begin_with("BEGIN IMMEDIATE").await? } else { pool.begin().await? };
        Ok(Self { tx, actor: actor.to_owned(), now: Utc::now(), sqlite })
    }

    /// Serializes this write with every other write that takes the same lock, until it ends.
    /// On SQLite every write already holds the database's write lock from its start; on
    /// PostgreSQL (read committed) a check followed by a change, such as "another admin is
    /// left" then a demotion, needs it so that two such writes cannot both pass the check.
    pub(crate) async fn lock(&mut self, lock: WriteLock) -> Result<()> {
        if !self.sqlite {
            lock.take(&mut self.tx).await?;
        }
        Ok(())
    }

    /// Keeps every change of this write.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// The connection of this write's transaction, for queries of other modules.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Today's date in UTC, as this write sees it.
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// Who makes this write, as the audit log names them.
    pub(crate) fn actor(&self) -> &str {
        &self.actor
    }

    /// The instant this write is made at, as the audit log records it.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records one change of one record in the audit log. Every business write calls this.
    pub(crate) async fn record<T: Serialize>(
        &mut self,
        action: Action,
        entity: &str,
        record: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<()> {
        let to_json = |v: Option<&T>| {
            v.map(|v| serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string())))
                .transpose()
        };
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, entity, record, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(instant_text(self.now))
        .bind(self.actor.clone())
        .bind(action.to_string())
        .bind(entity.to_owned())
        .bind(record.to_owned())
        .bind(to_json(before)?)
        .bind(to_json(after)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Creates the workspace: its settings, the key's fingerprint and guideline version 1.
    pub async fn init_workspace(
        &mut self,
        settings: &WorkspaceSettings,
        key: &SecretKey,
    ) -> Result<GuidelineVersion> {
        settings.check()?;
        if read::setting(self.conn(), "key_fingerprint").await?.is_some() {
            return Err(StoreError::Duplicate {
                entity: "workspace",
                name: "this store".into(),
                context: String::new(),
            });
        }
        let settings_json =
            serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for (k, v) in [
            ("key_fingerprint", key.fingerprint()),
            ("settings", settings_json),
            ("created_at", instant_text(self.now)),
        ] {
            sqlx::query("INSERT INTO workspace (key, value) VALUES ($1, $2)")
                .bind(k)
                .bind(v)
                .execute(&mut *self.tx)
                .await?;
        }
        self.record(Action::Create, "workspace", "settings", None, Some(settings)).await?;
        self.publish_guideline(&Guideline::default(), Some("defaults of a new workspace")).await
    }

    /// Adds a business unit, under `parent` when given.
    pub async fn add_business_unit(
        &mut self,
        name: &str,
        parent: Option<&str>,
    ) -> Result<BusinessUnit> {
        let name = validate_name("name", name)?;
        let exists = sqlx::query("SELECT name FROM business_units WHERE name_key = $1")
            .bind(name_key(&name))
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(row) = exists {
            return Err(StoreError::Duplicate {
                entity: "business unit",
                name: row.get("name"),
                context: String::new(),
            });
        }
        let parent = match parent {
            Some(p) => Some(read::business_unit_id(self.conn(), p).await?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO business_units (name, name_key, parent_id, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(parent.as_ref().map(|p| p.0))
        .bind(instant_text(self.now))
        .fetch_one(&mut *self.tx)
        .await?;
        let unit = BusinessUnit { id: row.get("id"), name, parent: parent.map(|p| p.1) };
        self.record(Action::Create, "business-unit", &unit.name.clone(), None, Some(&unit)).await?;
        Ok(unit)
    }

    /// Registers a solution in its first stage.
    pub async fn add_solution(&mut self, new: &NewSolution) -> Result<Solution> {
        let name = validate_name("name", &new.name)?;
        let platform = validate_name("platform", &new.platform)?.to_lowercase();
        let (bu_id, bu_name) = read::business_unit_id(self.conn(), &new.business_unit).await?;
        let clash =
            sqlx::query("SELECT name FROM solutions WHERE business_unit_id = $1 AND name_key = $2")
                .bind(bu_id)
                .bind(name_key(&name))
                .fetch_optional(&mut *self.tx)
                .await?;
        if let Some(row) = clash {
            return Err(StoreError::Duplicate {
                entity: "solution",
                name: row.get("name"),
                context: format!(" in business unit '{bu_name}'"),
            });
        }
        for ext in &new.external_ids {
            let owner = sqlx::query(
                "SELECT s.name FROM solution_external_ids x JOIN solutions s \
                 ON s.id = x.solution_id WHERE x.system = $1 AND x.external_id = $2",
            )
            .bind(ext.system.clone())
            .bind(ext.id.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
            if let Some(row) = owner {
                return Err(StoreError::Duplicate {
                    entity: "external id",
                    name: format!("{}:{}", ext.system, ext.id),
                    context: format!(" for solution '{}'", row.get::<String, _>("name")),
                });
            }
        }
        check_stage_change(&[], new.stage, new.stage_on, self.today())?;

        let environment_id = match &new.environment {
            Some((env, env_type)) => Some(self.environment_id(env, *env_type).await?),
            None => None,
        };
        let owner_id = match &new.owner {
            Some(owner) => Some(self.person_id(owner).await?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO solutions (name, name_key, kind, platform, business_unit_id, \
             environment_id, owner_id, criticality, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(new.kind.to_string())
        .bind(platform)
        .bind(bu_id)
        .bind(environment_id)
        .bind(owner_id)
        .bind(new.criticality.to_string())
        .bind(instant_text(self.now))
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.get("id");
        for ext in &new.external_ids {
            sqlx::query(
                "INSERT INTO solution_external_ids (system, external_id, solution_id) \
                 VALUES ($1, $2, $3)",
            )
            .bind(ext.system.clone())
            .bind(ext.id.clone())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        }
        self.insert_stage(id, new.stage, new.stage_on, None).await?;

        let solution = self.load_solution(id).await?;
        let key = solution_key(&solution);
        self.record(Action::Create, "solution", &key, None, Some(&solution)).await?;
        Ok(solution)
    }

    /// Moves a solution to `stage` on the day `on`.
    pub async fn set_stage(
        &mut self,
        name: &str,
        bu: Option<&str>,
        stage: Stage,
        on: NaiveDate,
        note: Option<&str>,
    ) -> Result<Solution> {
        let before = read::find_solution(self.conn(), name, bu).await?;
        check_stage_change(&before.lifecycle, stage, on, self.today())?;
        let note = note.map(|n| validate_text("note", n)).transpose()?.filter(|n| !n.is_empty());
        self.insert_stage(before.id, stage, on, note.as_deref()).await?;
        if stage != Stage::Idea {
            // Approval (or any later stage reached first) freezes the value estimates.
            self.freeze_estimates(before.id).await?;
        }
        let after = self.load_solution(before.id).await?;
        self.record(Action::Update, "solution", &solution_key(&after), Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    /// Changes a solution's business unit, criticality or owner: the fields a platform's
    /// exports do not carry and people set by hand.
    pub async fn update_solution(
        &mut self,
        name: &str,
        bu: Option<&str>,
        change: &SolutionChange,
    ) -> Result<Solution> {
        let before = read::find_solution(self.conn(), name, bu).await?;
        if let Some(target) = &change.business_unit {
            let (bu_id, bu_name) = read::business_unit_id(self.conn(), target).await?;
            if bu_name != before.business_unit {
                let clash = sqlx::query(
                    "SELECT name FROM solutions WHERE business_unit_id = $1 AND name_key = $2",
                )
                .bind(bu_id)
                .bind(name_key(&before.name))
                .fetch_optional(&mut *self.tx)
                .await?;
                if clash.is_some() {
                    return Err(StoreError::Duplicate {
                        entity: "solution",
                        name: before.name.clone(),
                        context: format!(" in business unit '{bu_name}'"),
                    });
                }
                sqlx::query("UPDATE solutions SET business_unit_id = $1 WHERE id = $2")
                    .bind(bu_id)
                    .bind(before.id)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        if let Some(c) = change.criticality {
            sqlx::query("UPDATE solutions SET criticality = $1 WHERE id = $2")
                .bind(c.to_string())
                .bind(before.id)
                .execute(&mut *self.tx)
                .await?;
        }
        if let Some(owner) = &change.owner {
            let owner_id = self.person_id(owner).await?;
            sqlx::query("UPDATE solutions SET owner_id = $1 WHERE id = $2")
                .bind(owner_id)
                .bind(before.id)
                .execute(&mut *self.tx)
                .await?;
        }
        let after = self.load_solution(before.id).await?;
        if after == before {
            return Err(ValidationError::new("solution", "nothing changes").into());
        }
        self.record(Action::Update, "solution", &solution_key(&after), Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    /// Adds a rate card. An open-ended card of the same role and unit that starts earlier is
    /// closed the day the new one starts; any other overlap is refused.
    pub async fn add_rate(&mut self, new: &NewRate) -> Result<RateCard> {
        let role = validate_name("role", &new.role)?;
        check_rate(new.hourly, new.valid_from, new.valid_to)?;
        let bu = match &new.business_unit {
            Some(b) => Some(read::business_unit_id(self.conn(), b).await?),
            None => None,
        };
        let bu_name = bu.as_ref().map(|b| b.1.clone());
        let same: Vec<RateCard> = read::rates(self.conn())
            .await?
            .into_iter()
            .filter(|r| name_key(&r.role) == name_key(&role) && r.business_unit == bu_name)
            .collect();
        for old in same {
            let old_ends_after_new_starts = old.valid_to.is_none_or(|to| to > new.valid_from);
            let new_ends_after_old_starts = new.valid_to.is_none_or(|to| to > old.valid_from);
            if !(old_ends_after_new_starts && new_ends_after_old_starts) {
                continue;
            }
            if old.valid_to.is_none() && old.valid_from < new.valid_from {
                let mut closed = old.clone();
                closed.valid_to = Some(new.valid_from);
                sqlx::query("UPDATE rate_cards SET valid_to = $1 WHERE id = $2")
                    .bind(new.valid_from.to_string())
                    .bind(old.id)
                    .execute(&mut *self.tx)
                    .await?;
                let key = rate_key(&closed);
                self.record(Action::Update, "rate", &key, Some(&old), Some(&closed)).await?;
            } else {
                return Err(ValidationError::new(
                    "from",
                    format!(
                        "the rate overlaps rate #{} for {} valid from {}{}; end that one first",
                        old.id,
                        old.role,
                        old.valid_from,
                        old.valid_to.map(|t| format!(" to {t}")).unwrap_or_default()
                    ),
                )
                .into());
            }
        }
        let row = sqlx::query(
            "INSERT INTO rate_cards (role, business_unit_id, hourly_amount, currency, \
             valid_from, valid_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(role.clone())
        .bind(bu.as_ref().map(|b| b.0))
        .bind(new.hourly.to_string())
        .bind(new.currency.code())
        .bind(new.valid_from.to_string())
        .bind(new.valid_to.map(|d| d.to_string()))
        .bind(instant_text(self.now))
        .fetch_one(&mut *self.tx)
        .await?;
        let card = RateCard {
            id: row.get("id"),
            role,
            business_unit: bu_name,
            hourly: Money::new(new.hourly, new.currency),
            valid_from: new.valid_from,
            valid_to: new.valid_to,
        };
        self.record(Action::Create, "rate", &rate_key(&card), None, Some(&card)).await?;
        Ok(card)
    }

    /// Publishes a new guideline version; earlier versions stay as they were.
    pub async fn publish_guideline(
        &mut self,
        settings: &Guideline,
        note: Option<&str>,
    ) -> Result<GuidelineVersion> {
        let versions = read::guideline_versions(self.conn()).await?;
        let previous = versions.last().map(|v| v.settings.clone());
        if previous.as_ref() == Some(settings) {
            return Err(ValidationError::new(
                "guideline",
                "the settings are those of the current version; nothing to publish",
            )
            .into());
        }
        let version = versions.last().map_or(1, |v| v.version + 1);
        let note = note.map(|n| validate_text("note", n)).transpose()?.filter(|n| !n.is_empty());
        let json =
            serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO guideline_versions (version, settings, note, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version)
        .bind(json)
        .bind(note.clone())
        .bind(instant_text(self.now))
        .bind(self.actor.clone())
        .execute(&mut *self.tx)
        .await?;
        let key = format!("v{version}");
        self.record(Action::Create, "guideline", &key, previous.as_ref(), Some(settings)).await?;
        Ok(GuidelineVersion {
            version,
            settings: settings.clone(),
            note,
            created_at: self.now,
            created_by: self.actor.clone(),
        })
    }

    /// Records an exchange rate; a second rate for the same pair and day replaces the first.
    pub async fn add_fx(&mut self, rate: &FxRate) -> Result<FxRate> {
        rate.check()?;
        let before = read::fx_rates(self.conn())
            .await?
            .into_iter()
            .find(|r| r.base == rate.base && r.quote == rate.quote && r.on == rate.on);
        let key = format!("{}/{} {}", rate.base, rate.quote, rate.on);
        if before.is_some() {
            sqlx::query(
                "UPDATE fx_rates SET rate = $1 WHERE base = $2 AND quote = $3 AND valid_on = $4",
            )
            .bind(rate.rate.to_string())
            .bind(rate.base.code())
            .bind(rate.quote.code())
            .bind(rate.on.to_string())
            .execute(&mut *self.tx)
            .await?;
            self.record(Action::Update, "fx-rate", &key, before.as_ref(), Some(rate)).await?;
        } else {
            sqlx::query(
                "INSERT INTO fx_rates (base, quote, valid_on, rate) VALUES ($1, $2, $3, $4)",
            )
            .bind(rate.base.code())
            .bind(rate.quote.code())
            .bind(rate.on.to_string())
            .bind(rate.rate.to_string())
            .execute(&mut *self.tx)
            .await?;
            self.record(Action::Create, "fx-rate", &key, None, Some(rate)).await?;
        }
        Ok(rate.clone())
    }

    async fn insert_stage(
        &mut self,
        solution_id: i64,
        stage: Stage,
        on: NaiveDate,
        note: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO lifecycle_events (solution_id, stage, occurred_on, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(solution_id)
        .bind(stage.to_string())
        .bind(on.to_string())
        .bind(note.map(str::to_owned))
        .bind(instant_text(self.now))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn load_solution(&mut self, id: i64) -> Result<Solution> {
        read::solutions(self.conn(), Solutions::Id(id))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt(format!("solution {id}")))
    }

    /// The id of the environment called `name`, created with `env_type` when it is new.
    async fn environment_id(
        &mut self,
        name: &str,
        env_type: Option<EnvironmentType>,
    ) -> Result<i64> {
        let name = validate_name("environment", name)?;
        let row = sqlx::query("SELECT id, env_type FROM environments WHERE name_key = $1")
            .bind(name_key(&name))
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(row) = row {
            let existing: String = row.get("env_type");
            if let Some(t) = env_type
                && t.to_string() != existing
            {
                return Err(ValidationError::new(
                    "env-type",
                    format!("environment '{name}' exists with type {existing}, not {t}"),
                )
                .into());
            }
            return Ok(row.get("id"));
        }
        let env_type = env_type.unwrap_or(EnvironmentType::Production);
        let row = sqlx::query(
            "INSERT INTO environments (name, name_key, env_type, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(env_type.to_string())
        .bind(instant_text(self.now))
        .fetch_one(&mut *self.tx)
        .await?;
        let env = worth_core::solution::Environment {
            id: row.get("id"),
            name: name.clone(),
            env_type,
            external_id: None,
        };
        self.record(Action::Create, "environment", &name, None, Some(&env)).await?;
        Ok(env.id)
    }

    /// The id of the person called `name`, created on first mention.
    async fn person_id(&mut self, name: &str) -> Result<i64> {
        let name = validate_name("owner", name)?;
        let row = sqlx::query("SELECT id FROM people WHERE name_key = $1")
            .bind(name_key(&name))
            .fetch_optional(&mut *self.tx)
            .await?;
        if let Some(row) = row {
            return Ok(row.get("id"));
        }
        let row = sqlx::query(
            "INSERT INTO people (name, name_key, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(instant_text(self.now))
        .fetch_one(&mut *self.tx)
        .await?;
        let person = worth_core::org::Person { id: row.get("id"), name: name.clone() };
        self.record(Action::Create, "person", &name, None, Some(&person)).await?;
        Ok(person.id)
    }
}

fn solution_key(s: &Solution) -> String {
    format!("{} / {}", s.business_unit, s.name)
}

fn rate_key(r: &RateCard) -> String {
    format!(
        "{} ({}) from {}",
        r.role,
        r.business_unit.as_deref().unwrap_or("all units"),
        r.valid_from
    )
}
