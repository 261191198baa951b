//! The value program's records: KPIs and their values, objectives with key results and
//! check-ins, success stories, pilots, shared artifacts, value check-ins and tool
//! evaluations. Writes are audited `Writer` methods; reads are `Store` methods.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use worth_core::ValidationError;
use worth_core::audit::Action;
use worth_core::org::{says_something, validate_name, validate_text};
use worth_core::program::kpi::{Direction, Kpi};
use worth_core::program::okr::{KeyResultSource, check_confidence, check_weight};
use worth_core::program::pilot::Group;
use worth_core::program::story::{StoryEvent, StoryStatus, check_edit, check_move};
use worth_core::program::tool::{Criterion, Tool};
use worth_core::suggest;

use crate::rows::{date, name_key, parse};
use crate::{Result, Store, StoreError, Writer, read};

/// A KPI with its store identifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiRecord {
    /// The store's identifier.
    pub id: i64,
    /// The definition.
    pub kpi: Kpi,
}

/// One value of a KPI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiValue {
    /// What was measured: a service, a business unit; empty for the whole program.
    pub subject: String,
    /// `YYYY-MM` or `YYYY-Qn`.
    pub period: String,
    /// The value.
    pub value: Decimal,
    /// Where it came from.
    pub source: String,
}

/// A key result to add.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewKeyResult {
    /// Its name, unique in its objective.
    pub name: String,
    /// Which way is better.
    pub direction: Direction,
    /// Where it starts.
    pub baseline: Decimal,
    /// Where it should get.
    pub target: Decimal,
    /// Its weight in the objective.
    pub weight: Decimal,
    /// Where its actual value comes from.
    pub source: KeyResultSource,
}

/// A check-in of a key result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckIn {
    /// The day.
    pub on: NaiveDate,
    /// The value reported (manual key results), if any.
    pub value: Option<Decimal>,
    /// 0 (no chance) to 10 (certain).
    pub confidence: u8,
    /// What the owner said.
    pub note: String,
}

/// A key result as stored, with its check-ins (oldest first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyResultRecord {
    /// The store's identifier.
    pub id: i64,
    /// The definition.
    #[serde(flatten)]
    pub result: NewKeyResult,
    /// Its check-ins.
    pub checkins: Vec<CheckIn>,
}

/// An objective with its key results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveRecord {
    /// The store's identifier.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it aims at.
    pub description: String,
    /// The period it is set for (`FY2026`).
    pub period: String,
    /// Who answers for it.
    pub owner: Option<String>,
    /// Its key results.
    pub key_results: Vec<KeyResultRecord>,
}

/// The five parts of a success story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryParts {
    /// The problem.
    pub problem: String,
    /// The solution.
    pub solution: String,
    /// The obstacles met.
    pub obstacles: String,
    /// The value, in words (the figures are linked, not typed).
    pub value: String,
    /// What comes next.
    pub next_steps: String,
}

/// Parts of a story to rewrite; those left `None` stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryEdit {
    /// The problem.
    pub problem: Option<String>,
    /// The solution.
    pub solution: Option<String>,
    /// The obstacles met.
    pub obstacles: Option<String>,
    /// The value, in words.
    pub value: Option<String>,
    /// What comes next.
    pub next_steps: Option<String>,
}

impl From<&StoryParts> for StoryEdit {
    /// Every part replaced.
    fn from(p: &StoryParts) -> Self {
        Self {
            problem: Some(p.problem.clone()),
            solution: Some(p.solution.clone()),
            obstacles: Some(p.obstacles.clone()),
            value: Some(p.value.clone()),
            next_steps: Some(p.next_steps.clone()),
        }
    }
}

/// A figure link of a story: a solution, and one of its value lines or all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureLink {
    /// The solution's identifier.
    pub solution_id: i64,
    /// Its name.
    pub solution: String,
    /// Its business unit.
    pub business_unit: String,
    /// The value line's identifier and name, or every line.
    pub line: Option<(i64, String)>,
}

/// A quote in a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// What was said.
    pub quote: String,
    /// Who said it.
    pub who: String,
}

/// A story as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryRecord {
    /// The store's identifier.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Who wrote it.
    pub author: String,
    /// Its five parts.
    pub parts: StoryParts,
    /// Where it is in its workflow.
    pub status: StoryStatus,
    /// Its workflow, oldest first.
    pub history: Vec<StoryEvent>,
    /// Its linked figures.
    pub figures: Vec<FigureLink>,
    /// Its quotes.
    pub quotes: Vec<Quote>,
    /// The pilot it is the case study of.
    pub pilot: Option<String>,
    /// The day a sponsor acknowledged it, and who.
    pub acknowledged: Option<(NaiveDate, String)>,
}

/// A pilot to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPilot {
    /// Its name.
    pub name: String,
    /// The KPI measured, whose values per subject are the observations.
    pub kpi: String,
    /// First and last period of the baseline (inclusive).
    pub baseline: (String, String),
    /// First and last period of the pilot (inclusive).
    pub pilot: (String, String),
    /// Subjects given the change.
    pub pilot_units: Vec<String>,
    /// Subjects not given it.
    pub comparison_units: Vec<String>,
}

/// A pilot as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PilotRecord {
    /// The store's identifier.
    pub id: i64,
    /// The definition.
    #[serde(flatten)]
    pub pilot: NewPilot,
}

/// A shared ROI artifact (a template, a calculator, a guide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: String,
    /// The day it was shared.
    pub shared_on: NaiveDate,
    /// Where it is, if said.
    pub location: Option<String>,
}

/// A check of a solution's realized value by its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueCheckin {
    /// The solution's identifier.
    pub solution_id: i64,
    /// The day.
    pub checked_on: NaiveDate,
    /// What the owner found.
    pub note: String,
}

/// A tool evaluation's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ToolEvaluationSpec {
    /// The weighted criteria.
    pub criteria: Vec<Criterion>,
    /// The candidate tools.
    pub tools: Vec<Tool>,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> StoreError {
    ValidationError::new(field, message).into()
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(format!("{column} (json)")))
}

/// The id of the record of `table` whose key column equals `name`'s key, or a not-found error
/// with the closest name. `table`, `key` and `label` are constants of this module.
async fn find(
    conn: &mut AnyConnection,
    entity: &'static str,
    sql_by_key: &'static str,
    sql_names: &'static str,
    name: &str,
) -> Result<i64> {
    if let Some(r) = sqlx::query(sql_by_key).bind(name_key(name)).fetch_optional(&mut *conn).await?
    {
        return Ok(r.get("id"));
    }
    let names: Vec<String> =
        sqlx::query(sql_names).fetch_all(&mut *conn).await?.iter().map(|r| r.get("name")).collect();
    Err(StoreError::NotFound {
        entity,
        name: name.trim().to_owned(),
        suggestion: suggest::closest(name, names.iter().map(String::as_str)).map(str::to_owned),
    })
}

async fn kpi_id(conn: &mut AnyConnection, name: &str) -> Result<i64> {
    find(conn, "KPI", "SELECT id FROM kpis WHERE name_key = $1", "SELECT name FROM kpis", name)
        .await
}

async fn objective_id(conn: &mut AnyConnection, name: &str) -> Result<i64> {
    find(
        conn,
        "objective",
        "SELECT id FROM objectives WHERE name_key = $1",
        "SELECT name FROM objectives",
        name,
    )
    .await
}

fn moved_meanwhile(story: &str) -> StoreError {
    StoreError::Conflict(format!(
        "'{story}' was moved in its workflow or edited meanwhile: look at it again"
    ))
}

/// The parts of a story checked and normalized: each a text (see [`validate_text`]), the
/// problem and the solution not empty.
fn checked_parts(parts: &StoryParts) -> Result<StoryParts> {
    let checked = StoryParts {
        problem: validate_text("problem", &parts.problem)?,
        solution: validate_text("solution", &parts.solution)?,
        obstacles: validate_text("obstacles", &parts.obstacles)?,
        value: validate_text("value", &parts.value)?,
        next_steps: validate_text("next-steps", &parts.next_steps)?,
    };
    for (field, text) in [("problem", &checked.problem), ("solution", &checked.solution)] {
        if !says_something(text) {
            return Err(invalid(
                field,
                "must not be empty: a story says what the problem was and how it was solved"
                    .to_owned(),
            ));
        }
    }
    Ok(checked)
}

async fn story_id(conn: &mut AnyConnection, title: &str) -> Result<i64> {
    find(
        conn,
        "story",
        "SELECT id FROM stories WHERE title_key = $1",
        "SELECT title AS name FROM stories",
        title,
    )
    .await
}

async fn pilot_id(conn: &mut AnyConnection, name: &str) -> Result<i64> {
    find(
        conn,
        "pilot",
        "SELECT id FROM pilots WHERE name_key = $1",
        "SELECT name FROM pilots",
        name,
    )
    .await
}

/// Checks a period label: `YYYY-MM` or `YYYY-Qn`.
pub fn check_period(text: &str) -> Result<String> {
    let t = text.trim();
    let ok = match t.split_once('-') {
        Some((y, rest)) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
            matches!(rest.as_bytes(), [b'Q', b'1'..=b'4'])
                || (rest.len() == 2 && rest.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)))
        }
        _ => false,
    };
    if ok {
        Ok(t.to_owned())
    } else {
        Err(invalid("period", format!("'{text}' is not a period YYYY-MM or YYYY-Qn")))
    }
}

impl Writer {
    /// Adds a KPI.
    pub async fn add_kpi(&mut self, kpi: &Kpi) -> Result<KpiRecord> {
        kpi.check()?;
        let key = name_key(&kpi.name);
        if sqlx::query("SELECT id FROM kpis WHERE name_key = $1")
            .bind(key.clone())
            .fetch_optional(&mut *self.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::Duplicate {
                entity: "KPI",
                name: kpi.name.clone(),
                context: String::new(),
            });
        }
        // A leading KPI predicts lagging ones that exist.
        for other in &kpi.predicts {
            let id = kpi_id(self.conn(), other).await?;
            let definition: String = sqlx::query("SELECT definition FROM kpis WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *self.conn())
                .await?
                .get("definition");
            let predicted: Kpi = from_json("kpis.definition", &definition)?;
            if predicted.indicator != worth_core::program::kpi::Indicator::Lagging {
                return Err(invalid(
                    "predicts",
                    format!("'{other}' is a leading indicator; a KPI predicts lagging ones"),
                ));
            }
        }
        let now = crate::rows::instant_text(self.now());
        let row = sqlx::query(
            "INSERT INTO kpis (name, name_key, definition, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(kpi.name.trim().to_owned())
        .bind(key)
        .bind(to_json(kpi)?)
        .bind(now)
        .fetch_one(&mut *self.conn())
        .await?;
        let record = KpiRecord { id: row.get("id"), kpi: kpi.clone() };
        self.record(Action::Create, "kpi", &kpi.name, None, Some(&record)).await?;
        Ok(record)
    }

    /// Records a KPI's value for a subject and period; a second value replaces the first.
    pub async fn record_kpi_value(&mut self, kpi: &str, value: &KpiValue) -> Result<()> {
        let id = kpi_id(self.conn(), kpi).await?;
        let period = check_period(&value.period)?;
        let subject = value.subject.trim().to_owned();
        let before: Option<String> = sqlx::query(
            "SELECT value FROM kpi_values WHERE kpi_id = $1 AND subject = $2 AND period = $3",
        )
        .bind(id)
        .bind(subject.clone())
        .bind(period.clone())
        .fetch_optional(&mut *self.conn())
        .await?
        .map(|r| r.get("value"));
        sqlx::query("DELETE FROM kpi_values WHERE kpi_id = $1 AND subject = $2 AND period = $3")
            .bind(id)
            .bind(subject.clone())
            .bind(period.clone())
            .execute(&mut *self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO kpi_values (kpi_id, subject, period, value, source) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(subject.clone())
        .bind(period.clone())
        .bind(value.value.to_string())
        .bind(value.source.clone())
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{kpi} / {subject} / {period}");
        let after = value.value.to_string();
        let action = if before.is_some() { Action::Update } else { Action::Create };
        self.record(action, "kpi-value", &key, before.as_ref(), Some(&after)).await
    }

    /// Adds an objective.
    pub async fn add_objective(
        &mut self,
        name: &str,
        description: &str,
        period: &str,
        owner: Option<&str>,
    ) -> Result<i64> {
        let name = validate_name("name", name)?;
        let description = validate_text("description", description)?;
        if sqlx::query("SELECT id FROM objectives WHERE name_key = $1")
            .bind(name_key(&name))
            .fetch_optional(&mut *self.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::Duplicate {
                entity: "objective",
                name,
                context: String::new(),
            });
        }
        let now = crate::rows::instant_text(self.now());
        let row = sqlx::query(
            "INSERT INTO objectives (name, name_key, description, period, owner, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(description.clone())
        .bind(period.trim().to_owned())
        .bind(owner.map(|o| o.trim().to_owned()))
        .bind(now)
        .fetch_one(&mut *self.conn())
        .await?;
        let after = serde_json::json!({ "name": name, "description": description,
            "period": period.trim(), "owner": owner });
        self.record(Action::Create, "objective", &name, None, Some(&after)).await?;
        Ok(row.get("id"))
    }

    /// Adds a key result to an objective.
    pub async fn add_key_result(&mut self, objective: &str, kr: &NewKeyResult) -> Result<i64> {
        let oid = objective_id(self.conn(), objective).await?;
        let name = validate_name("name", &kr.name)?;
        check_weight(to_f64(kr.weight))?;
        if let KeyResultSource::Kpi(k) = &kr.source {
            kpi_id(self.conn(), k).await?;
        }
        if sqlx::query("SELECT id FROM key_results WHERE objective_id = $1 AND name_key = $2")
            .bind(oid)
            .bind(name_key(&name))
            .fetch_optional(&mut *self.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::Duplicate {
                entity: "key result",
                name,
                context: format!(" in objective '{objective}'"),
            });
        }
        let now = crate::rows::instant_text(self.now());
        let row = sqlx::query(
            "INSERT INTO key_results (objective_id, name, name_key, direction, baseline, target, \
             weight, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(oid)
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(kr.direction.to_string())
        .bind(kr.baseline.to_string())
        .bind(kr.target.to_string())
        .bind(kr.weight.to_string())
        .bind(to_json(&kr.source)?)
        .bind(now)
        .fetch_one(&mut *self.conn())
        .await?;
        let key = format!("{objective} / {name}");
        self.record(Action::Create, "key-result", &key, None, Some(kr)).await?;
        Ok(row.get("id"))
    }

    /// Records a check-in of a key result.
    pub async fn check_in(&mut self, objective: &str, key_result: &str, c: &CheckIn) -> Result<()> {
        let oid = objective_id(self.conn(), objective).await?;
        let row = sqlx::query(
            "SELECT id, source FROM key_results WHERE objective_id = $1 AND name_key = $2",
        )
        .bind(oid)
        .bind(name_key(key_result))
        .fetch_optional(&mut *self.conn())
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                entity: "key result",
                name: key_result.trim().to_owned(),
                suggestion: None,
            });
        };
        let id: i64 = row.get("id");
        let source: KeyResultSource =
            from_json("key_results.source", &row.get::<String, _>("source"))?;
        if c.value.is_some() && source != KeyResultSource::Manual {
            return Err(invalid(
                "value",
                format!(
                    "'{key_result}' is computed from the data; a check-in gives it a confidence and a note, not a value"
                ),
            ));
        }
        check_confidence(i64::from(c.confidence))?;
        let note = validate_text("note", &c.note)?;
        let now = crate::rows::instant_text(self.now());
        sqlx::query(
            "INSERT INTO okr_checkins (key_result_id, checked_on, value, confidence, note, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(c.on.to_string())
        .bind(c.value.map(|v| v.to_string()))
        .bind(i64::from(c.confidence))
        .bind(note)
        .bind(now)
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{objective} / {key_result} / {}", c.on);
        self.record(Action::Create, "okr-check-in", &key, None, Some(c)).await
    }

    /// Adds a success story as a draft of `on`, written by this write's actor.
    pub async fn add_story(
        &mut self,
        title: &str,
        parts: &StoryParts,
        on: NaiveDate,
    ) -> Result<i64> {
        let title = validate_name("title", title)?;
        let parts = &checked_parts(parts)?;
        if sqlx::query("SELECT id FROM stories WHERE title_key = $1")
            .bind(name_key(&title))
            .fetch_optional(&mut *self.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::Duplicate {
                entity: "story",
                name: title,
                context: String::new(),
            });
        }
        let now = crate::rows::instant_text(self.now());
        let author = self.actor().to_owned();
        let row = sqlx::query(
            "INSERT INTO stories (title, title_key, author, problem, solution_text, obstacles, \
             value_text, next_steps, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(title.clone())
        .bind(name_key(&title))
        .bind(author.clone())
        .bind(parts.problem.clone())
        .bind(parts.solution.clone())
        .bind(parts.obstacles.clone())
        .bind(parts.value.clone())
        .bind(parts.next_steps.clone())
        .bind(StoryStatus::Draft.to_string())
        .bind(now.clone())
        .fetch_one(&mut *self.conn())
        .await?;
        let id: i64 = row.get("id");
        self.story_event(id, StoryStatus::Draft, on, &author, &now).await?;
        self.record(Action::Create, "story", &title, None, Some(parts)).await?;
        Ok(id)
    }

    /// Rewrites parts of a draft story on behalf of its author (this write's actor): the parts
    /// `edit` gives replace the stored ones, the others stay. The title, its figures and its
    /// workflow stay as they are; the audit log keeps the parts before and after. The parts
    /// are merged with what this write reads and written only if they are still what it read,
    /// so two overlapping edits of different parts never lose one: the later is refused.
    pub async fn edit_story(&mut self, story: &str, edit: &StoryEdit) -> Result<()> {
        let sid = story_id(self.conn(), story).await?;
        let row = sqlx::query(
            "SELECT title, status, author, problem, solution_text, obstacles, value_text, \
             next_steps FROM stories WHERE id = $1",
        )
        .bind(sid)
        .fetch_one(&mut *self.conn())
        .await?;
        let status: StoryStatus = parse("stories.status", &row.get::<String, _>("status"))?;
        let author: String = row.get("author");
        check_edit(status, &author, self.actor())?;
        let before = StoryParts {
            problem: row.get("problem"),
            solution: row.get("solution_text"),
            obstacles: row.get("obstacles"),
            value: row.get("value_text"),
            next_steps: row.get("next_steps"),
        };
        let title: String = row.get("title");
        let pick = |new: &Option<String>, old: &String| new.clone().unwrap_or_else(|| old.clone());
        let parts = &checked_parts(&StoryParts {
            problem: pick(&edit.problem, &before.problem),
            solution: pick(&edit.solution, &before.solution),
            obstacles: pick(&edit.obstacles, &before.obstacles),
            value: pick(&edit.value, &before.value),
            next_steps: pick(&edit.next_steps, &before.next_steps),
        })?;
        if &before == parts {
            return Ok(());
        }
        // Only while it is still the draft read above: a move or another edit committed since
        // then wins.
        let changed = sqlx::query(
            "UPDATE stories SET problem = $1, solution_text = $2, obstacles = $3, \
             value_text = $4, next_steps = $5 WHERE id = $6 AND status = $7 \
             AND problem = $8 AND solution_text = $9 AND obstacles = $10 AND value_text = $11 \
             AND next_steps = $12",
        )
        .bind(parts.problem.clone())
        .bind(parts.solution.clone())
        .bind(parts.obstacles.clone())
        .bind(parts.value.clone())
        .bind(parts.next_steps.clone())
        .bind(sid)
        .bind(StoryStatus::Draft.to_string())
        .bind(before.problem.clone())
        .bind(before.solution.clone())
        .bind(before.obstacles.clone())
        .bind(before.value.clone())
        .bind(before.next_steps.clone())
        .execute(&mut *self.conn())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(moved_meanwhile(&title));
        }
        self.record(Action::Update, "story", &title, Some(&before), Some(parts)).await
    }

    async fn story_event(
        &mut self,
        id: i64,
        status: StoryStatus,
        on: NaiveDate,
        by: &str,
        now: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO story_events (story_id, status, occurred_on, actor, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(status.to_string())
        .bind(on.to_string())
        .bind(by.to_owned())
        .bind(now.to_owned())
        .execute(&mut *self.conn())
        .await?;
        Ok(())
    }

    /// Links a figure of the value engine to a story: a solution, and one value line or all.
    pub async fn link_figure(
        &mut self,
        story: &str,
        solution: &str,
        bu: Option<&str>,
        line: Option<&str>,
    ) -> Result<()> {
        let sid = story_id(self.conn(), story).await?;
        let s = read::find_solution(self.conn(), solution, bu).await?;
        let line_id: Option<i64> = match line {
            None => None,
            Some(l) => {
                let row = sqlx::query(
                    "SELECT id FROM value_lines WHERE solution_id = $1 AND name_key = $2",
                )
                .bind(s.id)
                .bind(name_key(l))
                .fetch_optional(&mut *self.conn())
                .await?;
                Some(row.map(|r| r.get("id")).ok_or_else(|| StoreError::NotFound {
                    entity: "value line",
                    name: l.trim().to_owned(),
                    suggestion: None,
                })?)
            }
        };
        let linked = sqlx::query(
            "SELECT value_line_id FROM story_figures WHERE story_id = $1 AND solution_id = $2",
        )
        .bind(sid)
        .bind(s.id)
        .fetch_all(&mut *self.conn())
        .await?
        .iter()
        .any(|r| r.get::<Option<i64>, _>("value_line_id") == line_id);
        if linked {
            return Err(StoreError::Duplicate {
                entity: "figure",
                name: s.name.clone(),
                context: format!(" in story '{story}'"),
            });
        }
        sqlx::query(
            "INSERT INTO story_figures (story_id, solution_id, value_line_id) VALUES ($1, $2, $3)",
        )
        .bind(sid)
        .bind(s.id)
        .bind(line_id)
        .execute(&mut *self.conn())
        .await?;
        let key = format!("{story} / {}", s.name);
        let after = serde_json::json!({ "solution": s.name, "business_unit": s.business_unit,
            "line": line });
        self.record(Action::Create, "story-figure", &key, None, Some(&after)).await
    }

    /// Adds a quote to a story.
    pub async fn add_quote(&mut self, story: &str, quote: &str, who: &str) -> Result<()> {
        let sid = story_id(self.conn(), story).await?;
        let q = Quote { quote: validate_text("quote", quote)?, who: validate_name("who", who)? };
        sqlx::query("INSERT INTO story_quotes (story_id, quote, who) VALUES ($1, $2, $3)")
            .bind(sid)
            .bind(q.quote.clone())
            .bind(q.who.clone())
            .execute(&mut *self.conn())
            .await?;
        self.record(Action::Create, "story-quote", story, None, Some(&q)).await
    }

    /// Makes a story the case study of a pilot.
    pub async fn link_pilot(&mut self, story: &str, pilot: &str) -> Result<()> {
        let sid = story_id(self.conn(), story).await?;
        let pid = pilot_id(self.conn(), pilot).await?;
        sqlx::query("UPDATE stories SET pilot_id = $1 WHERE id = $2")
            .bind(pid)
            .bind(sid)
            .execute(&mut *self.conn())
            .await?;
        let after = serde_json::json!({ "pilot": pilot });
        self.record(Action::Update, "story", story, None, Some(&after)).await
    }

    /// Moves a story in its workflow on behalf of this write's actor, on `on`.
    pub async fn move_story(&mut self, story: &str, to: StoryStatus, on: NaiveDate) -> Result<()> {
        let sid = story_id(self.conn(), story).await?;
        let row = sqlx::query("SELECT status, author FROM stories WHERE id = $1")
            .bind(sid)
            .fetch_one(&mut *self.conn())
            .await?;
        let from: StoryStatus = parse("stories.status", &row.get::<String, _>("status"))?;
        let author: String = row.get("author");
        let by = self.actor().to_owned();
        check_move(from, to, &author, &by)?;
        let last: Option<String> = sqlx::query(
            "SELECT occurred_on FROM story_events WHERE story_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(sid)
        .fetch_optional(&mut *self.conn())
        .await?
        .map(|r| r.get("occurred_on"));
        if let Some(last) = last.map(|l| date("story_events.occurred_on", &l)).transpose()?
            && on < last
        {
            return Err(invalid("on", format!("{on} is before the story's last step on {last}")));
        }
        // Only from the status read above: a move or an edit committed since then wins.
        let changed = sqlx::query("UPDATE stories SET status = $1 WHERE id = $2 AND status = $3")
            .bind(to.to_string())
            .bind(sid)
            .bind(from.to_string())
            .execute(&mut *self.conn())
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(moved_meanwhile(story));
        }
        let now = crate::rows::instant_text(self.now());
        self.story_event(sid, to, on, &by, &now).await?;
        let (b, a) = (from.to_string(), to.to_string());
        self.record(Action::Update, "story", story, Some(&b), Some(&a)).await
    }

    /// Records that a sponsor acknowledged a published story.
    pub async fn acknowledge_story(&mut self, story: &str, on: NaiveDate, by: &str) -> Result<()> {
        let sid = story_id(self.conn(), story).await?;
        let status: String = sqlx::query("SELECT status FROM stories WHERE id = $1")
            .bind(sid)
            .fetch_one(&mut *self.conn())
            .await?
            .get("status");
        if status != StoryStatus::Published.to_string() {
            return Err(invalid(
                "story",
                format!("'{story}' is {status}; only a published story is acknowledged"),
            ));
        }
        let by = validate_name("by", by)?;
        sqlx::query("UPDATE stories SET acknowledged_on = $1, acknowledged_by = $2 WHERE id = $3")
            .bind(on.to_string())
            .bind(by.clone())
            .bind(sid)
            .execute(&mut *self.conn())
            .await?;
        let after = serde_json::json!({ "acknowledged_on": on, "acknowledged_by": by });
        self.record(Action::Update, "story", story, None, Some(&after)).await
    }

    /// Adds a pilot over a KPI's values per subject.
    pub async fn add_pilot(&mut self, p: &NewPilot) -> Result<i64> {
        let name = validate_name("name", &p.name)?;
        let kid = kpi_id(self.conn(), &p.kpi).await?;
        for period in [&p.baseline.0, &p.baseline.1, &p.pilot.0, &p.pilot.1] {
            check_period(period)?;
        }
        if p.baseline.0 > p.baseline.1 || p.pilot.0 > p.pilot.1 || p.baseline.1 >= p.pilot.0 {
            return Err(invalid(
                "periods",
                "each period must start before it ends, and the baseline must end before the pilot starts",
            ));
        }
        if p.pilot_units.is_empty() || p.comparison_units.is_empty() {
            return Err(invalid(
                "units",
                "a pilot needs units in both the pilot and the comparison group",
            ));
        }
        let now = crate::rows::instant_text(self.now());
        let row = sqlx::query(
            "INSERT INTO pilots (name, name_key, kpi_id, baseline_from, baseline_to, pilot_from, \
             pilot_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(kid)
        .bind(p.baseline.0.clone())
        .bind(p.baseline.1.clone())
        .bind(p.pilot.0.clone())
        .bind(p.pilot.1.clone())
        .bind(now)
        .fetch_one(&mut *self.conn())
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
                entity: "pilot",
                name: name.clone(),
                context: String::new(),
            },
            e => e.into(),
        })?;
        let id: i64 = row.get("id");
        for (units, group) in
            [(&p.pilot_units, Group::Pilot), (&p.comparison_units, Group::Comparison)]
        {
            for u in units {
                sqlx::query(
                    "INSERT INTO pilot_units (pilot_id, subject, unit_group) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(u.trim().to_owned())
                .bind(group.to_string())
                .execute(&mut *self.conn())
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => {
                        invalid("units", format!("'{u}' is named twice; a unit is in one group"))
                    }
                    e => e.into(),
                })?;
            }
        }
        self.record(Action::Create, "pilot", &name, None, Some(p)).await?;
        Ok(id)
    }

    /// Records a shared ROI artifact.
    pub async fn add_artifact(&mut self, a: &Artifact) -> Result<()> {
        let name = validate_name("name", &a.name)?;
        let kind = validate_name("kind", &a.kind)?;
        let now = crate::rows::instant_text(self.now());
        sqlx::query(
            "INSERT INTO artifacts (name, kind, shared_on, location, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(name.clone())
        .bind(kind)
        .bind(a.shared_on.to_string())
        .bind(a.location.clone())
        .bind(now)
        .execute(&mut *self.conn())
        .await?;
        self.record(Action::Create, "artifact", &name, None, Some(a)).await
    }

    /// Records an owner's check of a solution's realized value.
    pub async fn add_value_checkin(
        &mut self,
        solution: &str,
        bu: Option<&str>,
        on: NaiveDate,
        note: &str,
    ) -> Result<()> {
        let s = read::find_solution(self.conn(), solution, bu).await?;
        let note = validate_text("note", note)?;
        let now = crate::rows::instant_text(self.now());
        sqlx::query(
            "INSERT INTO value_checkins (solution_id, checked_on, note, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(s.id)
        .bind(on.to_string())
        .bind(note.clone())
        .bind(now)
        .execute(&mut *self.conn())
        .await?;
        let c = ValueCheckin { solution_id: s.id, checked_on: on, note };
        let key = format!("{} / {} / {on}", s.business_unit, s.name);
        self.record(Action::Create, "value-check-in", &key, None, Some(&c)).await
    }

    /// Saves a tool evaluation's inputs under a name; the ranking is computed when read.
    pub async fn save_tool_evaluation(
        &mut self,
        name: &str,
        spec: &ToolEvaluationSpec,
    ) -> Result<()> {
        let name = validate_name("name", name)?;
        worth_core::program::tool::evaluate(&spec.criteria, &spec.tools)?;
        let now = crate::rows::instant_text(self.now());
        sqlx::query(
            "INSERT INTO tool_evaluations (name, name_key, spec, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(name.clone())
        .bind(name_key(&name))
        .bind(to_json(spec)?)
        .bind(now)
        .execute(&mut *self.conn())
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
                entity: "tool evaluation",
                name: name.clone(),
                context: String::new(),
            },
            e => e.into(),
        })?;
        self.record(Action::Create, "tool-evaluation", &name, None, Some(spec)).await
    }
}

fn to_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(f64::NAN)
}

impl Store {
    /// Every KPI, by name.
    pub async fn kpis(&self) -> Result<Vec<KpiRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query("SELECT id, definition FROM kpis ORDER BY name_key")
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(KpiRecord {
                    id: r.get("id"),
                    kpi: from_json("kpis.definition", &r.get::<String, _>("definition"))?,
                })
            })
            .collect()
    }

    /// The values of a KPI, by subject and period.
    pub async fn kpi_values(&self, kpi_id: i64) -> Result<Vec<KpiValue>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT subject, period, value, source FROM kpi_values WHERE kpi_id = $1 \
             ORDER BY subject, period",
        )
        .bind(kpi_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KpiValue {
                    subject: r.get("subject"),
                    period: r.get("period"),
                    value: parse("kpi_values.value", &r.get::<String, _>("value"))?,
                    source: r.get("source"),
                })
            })
            .collect()
    }

    /// Every objective with its key results and their check-ins.
    pub async fn objectives(&self) -> Result<Vec<ObjectiveRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows =
            sqlx::query("SELECT id, name, description, period, owner FROM objectives ORDER BY id")
                .fetch_all(&mut *conn)
                .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.get("id");
            let krs = sqlx::query(
                "SELECT id, name, direction, baseline, target, weight, source FROM key_results \
                 WHERE objective_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let mut key_results = Vec::new();
            for k in &krs {
                let kid: i64 = k.get("id");
                let checkins = sqlx::query(
                    "SELECT checked_on, value, confidence, note FROM okr_checkins \
                     WHERE key_result_id = $1 ORDER BY checked_on, id",
                )
                .bind(kid)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|c| {
                    Ok(CheckIn {
                        on: date("okr_checkins.checked_on", &c.get::<String, _>("checked_on"))?,
                        value: c
                            .get::<Option<String>, _>("value")
                            .map(|v| parse("okr_checkins.value", &v))
                            .transpose()?,
                        confidence: u8::try_from(c.get::<i64, _>("confidence"))
                            .map_err(|_| StoreError::Corrupt("okr_checkins.confidence".into()))?,
                        note: c.get("note"),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
                key_results.push(KeyResultRecord {
                    id: kid,
                    result: NewKeyResult {
                        name: k.get("name"),
                        direction: parse(
                            "key_results.direction",
                            &k.get::<String, _>("direction"),
                        )?,
                        baseline: parse("key_results.baseline", &k.get::<String, _>("baseline"))?,
                        target: parse("key_results.target", &k.get::<String, _>("target"))?,
                        weight: parse("key_results.weight", &k.get::<String, _>("weight"))?,
                        source: from_json("key_results.source", &k.get::<String, _>("source"))?,
                    },
                    checkins,
                });
            }
            out.push(ObjectiveRecord {
                id,
                name: r.get("name"),
                description: r.get("description"),
                period: r.get("period"),
                owner: r.get("owner"),
                key_results,
            });
        }
        Ok(out)
    }

    /// Every story with its history, figure links and quotes.
    pub async fn stories(&self) -> Result<Vec<StoryRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT s.id, s.title, s.author, s.problem, s.solution_text, s.obstacles, \
             s.value_text, s.next_steps, s.status, p.name AS pilot, s.acknowledged_on, \
             s.acknowledged_by FROM stories s LEFT JOIN pilots p ON p.id = s.pilot_id \
             ORDER BY s.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.get("id");
            let history = sqlx::query(
                "SELECT status, occurred_on, actor FROM story_events WHERE story_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|e| {
                Ok(StoryEvent {
                    status: parse("story_events.status", &e.get::<String, _>("status"))?,
                    on: date("story_events.occurred_on", &e.get::<String, _>("occurred_on"))?,
                    by: e.get("actor"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let figures = sqlx::query(
                "SELECT f.solution_id, s.name AS solution, b.name AS bu, f.value_line_id, \
                 l.name AS line FROM story_figures f JOIN solutions s ON s.id = f.solution_id \
                 JOIN business_units b ON b.id = s.business_unit_id \
                 LEFT JOIN value_lines l ON l.id = f.value_line_id \
                 WHERE f.story_id = $1 ORDER BY f.id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|f| FigureLink {
                solution_id: f.get("solution_id"),
                solution: f.get("solution"),
                business_unit: f.get("bu"),
                line: f
                    .get::<Option<i64>, _>("value_line_id")
                    .map(|lid| (lid, f.get::<Option<String>, _>("line").unwrap_or_default())),
            })
            .collect();
            let quotes =
                sqlx::query("SELECT quote, who FROM story_quotes WHERE story_id = $1 ORDER BY id")
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|q| Quote { quote: q.get("quote"), who: q.get("who") })
                    .collect();
            let acknowledged = match (
                r.get::<Option<String>, _>("acknowledged_on"),
                r.get::<Option<String>, _>("acknowledged_by"),
            ) {
                (Some(on), Some(by)) => Some((date("stories.acknowledged_on", &on)?, by)),
                _ => None,
            };
            out.push(StoryRecord {
                id,
                title: r.get("title"),
                author: r.get("author"),
                parts: StoryParts {
                    problem: r.get("problem"),
                    solution: r.get("solution_text"),
                    obstacles: r.get("obstacles"),
                    value: r.get("value_text"),
                    next_steps: r.get("next_steps"),
                },
                status: parse("stories.status", &r.get::<String, _>("status"))?,
                history,
                figures,
                quotes,
                pilot: r.get("pilot"),
                acknowledged,
            });
        }
        Ok(out)
    }

    /// Every pilot with its groups.
    pub async fn pilots(&self) -> Result<Vec<PilotRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT p.id, p.name, k.name AS kpi, p.baseline_from, p.baseline_to, p.pilot_from, \
             p.pilot_to FROM pilots p JOIN kpis k ON k.id = p.kpi_id ORDER BY p.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.get("id");
            let units = sqlx::query(
                "SELECT subject, unit_group FROM pilot_units WHERE pilot_id = $1 ORDER BY subject",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let (mut pilot_units, mut comparison_units) = (Vec::new(), Vec::new());
            for u in &units {
                let g: Group = parse("pilot_units.unit_group", &u.get::<String, _>("unit_group"))?;
                match g {
                    Group::Pilot => pilot_units.push(u.get("subject")),
                    Group::Comparison => comparison_units.push(u.get("subject")),
                }
            }
            out.push(PilotRecord {
                id,
                pilot: NewPilot {
                    name: r.get("name"),
                    kpi: r.get("kpi"),
                    baseline: (r.get("baseline_from"), r.get("baseline_to")),
                    pilot: (r.get("pilot_from"), r.get("pilot_to")),
                    pilot_units,
                    comparison_units,
                },
            });
        }
        Ok(out)
    }

    /// Every shared artifact, oldest first.
    pub async fn artifacts(&self) -> Result<Vec<Artifact>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT name, kind, shared_on, location FROM artifacts ORDER BY shared_on, id",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Artifact {
                    name: r.get("name"),
                    kind: r.get("kind"),
                    shared_on: date("artifacts.shared_on", &r.get::<String, _>("shared_on"))?,
                    location: r.get("location"),
                })
            })
            .collect()
    }

    /// Every value check-in of a solution.
    pub async fn value_checkins(&self) -> Result<Vec<ValueCheckin>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT solution_id, checked_on, note FROM value_checkins ORDER BY checked_on, id",
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ValueCheckin {
                    solution_id: r.get("solution_id"),
                    checked_on: date(
                        "value_checkins.checked_on",
                        &r.get::<String, _>("checked_on"),
                    )?,
                    note: r.get("note"),
                })
            })
            .collect()
    }

    /// Every tool evaluation, by name.
    pub async fn tool_evaluations(&self) -> Result<Vec<(String, ToolEvaluationSpec)>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query("SELECT name, spec FROM tool_evaluations ORDER BY name_key")
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.get("name"),
                    from_json("tool_evaluations.spec", &r.get::<String, _>("spec"))?,
                ))
            })
            .collect()
    }
}

impl Store {
    /// The solutions whose value lines carry an estimate frozen at approval (revision 1).
    pub async fn solutions_with_frozen_estimate(&self) -> Result<Vec<i64>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT DISTINCT l.solution_id FROM value_lines l \
             JOIN value_estimates e ON e.value_line_id = l.id WHERE e.revision = 1 \
             ORDER BY l.solution_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.iter().map(|r| r.get("solution_id")).collect())
    }
}
