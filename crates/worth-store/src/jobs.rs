//! Import jobs: a file uploaded to the server waits in the store until exactly one server
//! claims it, runs it, and records what became of it.
//!
//! Claiming is one statement that moves the oldest queued job to `running`: on PostgreSQL the
//! row is taken with `FOR UPDATE SKIP LOCKED`, so two servers polling at once never take the
//! same job; on SQLite the database has one writer at a time, which gives the same guarantee.
//! The import itself is the audited one of `worth import`, in its own transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::rows::{instant, instant_text};
use crate::{Backend, Result, Store};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    /// Waiting for a server.
    Queued,
    /// Being imported by a server.
    Running,
    /// Imported (perhaps with rejects).
    Done,
    /// Refused or failed; the store is as it was.
    Failed,
}

impl JobState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => Self::Queued,
        }
    }
}

/// A job as listed: everything but the file's content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportJob {
    /// The store's identifier.
    pub id: i64,
    /// The import kind (`usage`, `runs`, `costs`, …).
    pub kind: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// Whether any reject refuses the whole import.
    pub strict: bool,
    /// Where it is.
    pub state: JobState,
    /// Who uploaded it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The server that ran it.
    pub claimed_by: Option<String>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// The import's summary (JSON), when done.
    pub summary: Option<serde_json::Value>,
    /// Whether rows were rejected (their file is kept with the job).
    pub has_rejects: bool,
    /// Why it failed.
    pub error: Option<String>,
}

/// A job claimed by a server, with the file to import.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// The job.
    pub job: ImportJob,
    /// The uploaded file.
    pub content: Vec<u8>,
}

const COLUMNS: &str = "id, kind, file_name, strict, state, created_by, created_at, claimed_by, \
                       finished_at, summary, \
                       CASE WHEN rejects IS NULL THEN 0 ELSE 1 END AS has_rejects, error";

fn job(r: &sqlx::any::AnyRow) -> Result<ImportJob> {
    let finished: Option<String> = r.get("finished_at");
    let summary: Option<String> = r.get("summary");
    Ok(ImportJob {
        id: r.get("id"),
        kind: r.get("kind"),
        file_name: r.get("file_name"),
        strict: r.get::<i32, _>("strict") != 0,
        state: JobState::parse(&r.get::<String, _>("state")),
        created_by: r.get("created_by"),
        created_at: instant("created_at", &r.get::<String, _>("created_at"))?,
        claimed_by: r.get("claimed_by"),
        finished_at: finished.map(|f| instant("finished_at", &f)).transpose()?,
        summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
        has_rejects: r.get::<i32, _>("has_rejects") != 0,
        error: r.get("error"),
    })
}

impl Store {
    /// Queues an import of `content` and returns its job id.
    pub async fn enqueue_import(
        &self,
        kind: &str,
        file_name: &str,
        content: Vec<u8>,
        strict: bool,
        by: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO import_jobs (kind, file_name, content, strict, state, created_by, \
             created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6) RETURNING id",
        )
        .bind(kind.to_owned())
        .bind(file_name.to_owned())
        .bind(content)
        .bind(i32::from(strict))
        .bind(by.to_owned())
        .bind(instant_text(Utc::now()))
        .fetch_one(self.pool())
        .await?;
        Ok(row.get("id"))
    }

    /// Claims the oldest queued job for `worker`, if there is one; no two workers ever get the
    /// same job.
    pub async fn claim_import(&self, worker: &str) -> Result<Option<ClaimedJob>> {
        let pick = match self.backend() {
            Backend::Postgres => {
                "SELECT id FROM import_jobs WHERE state = 'queued' ORDER BY id \
                 FOR UPDATE SKIP LOCKED LIMIT 1"
            }
            Backend::Sqlite => {
                "SELECT id FROM import_jobs WHERE state = 'queued' ORDER BY id LIMIT 1"
            }
        };
        let sql = format!(
            "UPDATE import_jobs SET state = 'running', claimed_by = $1, started_at = $2 \
             WHERE id = ({pick}) AND state = 'queued' RETURNING id"
        );
        // The statement is one of two constants above, never text from a user.
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker.to_owned())
            .bind(instant_text(Utc::now()))
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.get("id");
        let sql = format!("SELECT {COLUMNS}, content FROM import_jobs WHERE id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(self.pool()).await?;
        Ok(Some(ClaimedJob { job: job(&r)?, content: r.get("content") }))
    }

    /// Records the end of job `id`: its summary and rejects, or why it failed.
    pub async fn finish_import(
        &self,
        id: i64,
        outcome: std::result::Result<(serde_json::Value, Option<String>), String>,
    ) -> Result<()> {
        let (state, summary, rejects, error) = match outcome {
            Ok((summary, rejects)) => (JobState::Done, Some(summary.to_string()), rejects, None),
            Err(e) => (JobState::Failed, None, None, Some(e)),
        };
        sqlx::query(
            "UPDATE import_jobs SET state = $1, finished_at = $2, summary = $3, rejects = $4, \
             error = $5 WHERE id = $6",
        )
        .bind(state.as_str())
        .bind(instant_text(Utc::now()))
        .bind(summary)
        .bind(rejects)
        .bind(error)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The latest jobs, newest first.
    pub async fn import_jobs(&self, limit: i64) -> Result<Vec<ImportJob>> {
        let sql = format!("SELECT {COLUMNS} FROM import_jobs ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(job).collect()
    }

    /// One job and its rejects file, if it exists.
    pub async fn import_job(&self, id: i64) -> Result<Option<(ImportJob, Option<String>)>> {
        let sql = format!("SELECT {COLUMNS}, rejects FROM import_jobs WHERE id = $1");
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(self.pool()).await?;
        row.map(|r| Ok((job(&r)?, r.get("rejects")))).transpose()
    }
}
