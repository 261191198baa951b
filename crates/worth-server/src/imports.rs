//! Imports as background jobs: an upload is queued in the store, and a worker in every server
//! claims queued jobs one at a time and runs each through the same importer as `worth import`.
//!
//! Several servers on one PostgreSQL database each run a worker; the store's claim gives every
//! job to exactly one of them. The uploaded file is only ever parsed as data by the importer of
//! the kind the uploader chose; its name is reduced to a plain file name before it touches the
//! disk, in a folder of its own that is removed afterwards.

use std::path::PathBuf;
use std::time::Duration;

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use worth_core::access::Action;
use worth_ingest::{ImportOptions, Kind};
use worth_store::{ClaimedJob, ImportJob};

use crate::api::csrf;
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// The kinds a web upload may be: one file each. A mapped import needs its mapping too and
/// stays on the command line.
pub const UPLOAD_KINDS: [Kind; 6] =
    [Kind::Inventory, Kind::Usage, Kind::Runs, Kind::Costs, Kind::Licenses, Kind::AutomationKit];

fn kind_of(name: &str) -> Result<Kind, Failure> {
    UPLOAD_KINDS.into_iter().find(|k| k.as_str() == name.trim()).ok_or_else(|| {
        let names: Vec<&str> = UPLOAD_KINDS.iter().map(|k| k.as_str()).collect();
        Failure::BadRequest(format!("kind '{name}' is not one of {}", names.join(", ")))
    })
}

/// A plain file name: no folder, no leading dot, only characters safe on every disk.
fn plain_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() { "upload".to_owned() } else { cleaned.chars().take(100).collect() }
}

/// Starts the worker of this server: it polls for queued jobs every `poll` and runs them.
pub fn spawn_worker(state: AppState, poll: Duration) -> tokio::task::JoinHandle<()> {
    let worker = format!("worth-{}-{}", std::process::id(), crate::auth::short_id());
    tokio::spawn(async move {
        loop {
            match state.store().claim_import(&worker).await {
                Ok(Some(job)) => run(&state, job).await,
                Ok(None) => tokio::time::sleep(poll).await,
                Err(e) => {
                    tracing::error!(error = %e, "cannot claim import jobs");
                    tokio::time::sleep(poll * 5).await;
                }
            }
        }
    })
}

/// Runs one claimed job and records its end; a failure is the job's, never the server's.
async fn run(state: &AppState, claimed: ClaimedJob) {
    let id = claimed.job.id;
    tracing::info!(job = id, kind = %claimed.job.kind, "import job started");
    let state = state.clone();
    // The importer's future is not Send (it holds parsers across awaits), so it runs on a
    // blocking thread of its own, driven by this runtime's handle.
    let handle = tokio::runtime::Handle::current();
    let st = state.clone();
    let outcome = tokio::task::spawn_blocking(move || handle.block_on(import(&st, &claimed)))
        .await
        .map_err(|e| format!("the import stopped: {e}"))
        .and_then(|r| r.map_err(|e| format!("{e:#}")));
    match &outcome {
        Ok(_) => tracing::info!(job = id, "import job done"),
        Err(e) => tracing::warn!(job = id, error = %e, "import job failed"),
    }
    if let Err(e) = state.store().finish_import(id, outcome).await {
        tracing::error!(job = id, error = %e, "cannot record the end of an import job");
    }
}

async fn import(
    state: &AppState,
    claimed: &ClaimedJob,
) -> anyhow::Result<(serde_json::Value, Option<String>)> {
    let key = state.settings().key.as_ref().ok_or_else(|| {
        anyhow::anyhow!("the server was started without the workspace's key file: imports need it")
    })?;
    let kind = kind_of(&claimed.job.kind).map_err(|e| anyhow::anyhow!(e.public_message()))?;
    let dir = tempfile::tempdir()?;
    let path: PathBuf = dir.path().join(plain_name(&claimed.job.file_name));
    tokio::fs::write(&path, &claimed.content).await?;
    let options = ImportOptions {
        strict: claimed.job.strict,
        mapping: None,
        rejects_dir: dir.path().to_path_buf(),
        progress: false,
        source: None,
        fail_before_commit: false,
    };
    let summary = worth_ingest::import(
        state.store(),
        key,
        &claimed.job.created_by,
        kind,
        std::slice::from_ref(&path),
        &options,
    )
    .await?;
    // What the user sees names the file they uploaded, not the folder it was read from.
    let shown = path.display().to_string();
    let rejects = match &summary.rejects_file {
        Some(file) => {
            Some(tokio::fs::read_to_string(file).await?.replace(&shown, &claimed.job.file_name))
        }
        None => None,
    };
    let mut summary = summary;
    summary.rejects_file = None;
    for f in &mut summary.files {
        f.file.clone_from(&claimed.job.file_name);
    }
    for r in &mut summary.first_rejects {
        r.file.clone_from(&claimed.job.file_name);
    }
    Ok((serde_json::to_value(&summary)?, rejects))
}

/// A job as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobOut {
    id: i64,
    kind: String,
    file_name: String,
    strict: bool,
    /// `queued`, `running`, `done` or `failed`.
    state: String,
    created_by: String,
    created_at: String,
    finished_at: Option<String>,
    /// What the import read, imported, rejected and skipped, per file.
    #[schema(value_type = Option<Object>)]
    summary: Option<serde_json::Value>,
    /// Whether rows were rejected: their file, line, column and reason are at `/rejects`.
    has_rejects: bool,
    error: Option<String>,
}

impl From<ImportJob> for JobOut {
    fn from(j: ImportJob) -> Self {
        Self {
            id: j.id,
            kind: j.kind,
            file_name: j.file_name,
            strict: j.strict,
            state: serde_json::to_value(j.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            created_by: j.created_by,
            created_at: j.created_at.to_rfc3339(),
            finished_at: j.finished_at.map(|t| t.to_rfc3339()),
            summary: j.summary,
            has_rejects: j.has_rejects,
            error: j.error,
        }
    }
}

/// Reads a multipart upload (`kind`, `strict`, `file`, and for a page's form `csrf`) and
/// queues it. With `form_csrf`, the form's `csrf` field must match the session's before
/// anything is stored.
pub async fn queue(
    state: &AppState,
    caller: &Caller,
    mut form: Multipart,
    form_csrf: bool,
) -> Result<i64, Failure> {
    caller.require(Action::Finance)?;
    let (mut kind, mut strict, mut file, mut given_csrf) = (None, false, None, None);
    while let Some(field) =
        form.next_field().await.map_err(|e| Failure::BadRequest(format!("bad upload: {e}")))?
    {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "kind" => {
                kind = Some(field.text().await.map_err(|e| Failure::BadRequest(e.to_string()))?)
            }
            "strict" => strict = true,
            "csrf" => {
                given_csrf =
                    Some(field.text().await.map_err(|e| Failure::BadRequest(e.to_string()))?);
            }
            "file" => {
                let file_name = field.file_name().unwrap_or("upload").to_owned();
                let limit = state.settings().max_upload >> 20;
                let bytes = field.bytes().await.map_err(|e| {
                    Failure::BadRequest(format!(
                        "the upload could not be read; files over {limit} MiB are refused: {e}"
                    ))
                })?;
                file = Some((file_name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if form_csrf {
        caller.check_csrf(given_csrf.as_deref())?;
    }
    let kind = kind_of(kind.as_deref().unwrap_or(""))?;
    let (file_name, content) =
        file.ok_or_else(|| Failure::BadRequest("the upload has no file".into()))?;
    if content.is_empty() {
        return Err(Failure::BadRequest(format!("{file_name} is empty")));
    }
    let id = state
        .store()
        .enqueue_import(kind.as_str(), &file_name, content, strict, &caller.user.name)
        .await?;
    tracing::info!(job = id, kind = kind.as_str(), user = %caller.user.name, "import queued");
    Ok(id)
}

/// Uploads a file to import (multipart: `kind`, `file`, optional `strict`); the import runs as
/// a background job.
#[utoipa::path(post, path = "/api/imports", request_body(content_type = "multipart/form-data",
        description = "fields kind (inventory, usage, runs, costs, licenses, automation-kit), file, strict"),
    responses((status = 202, body = JobOut), (status = 400, body = crate::api::ErrorBody)))]
pub async fn api_queue(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    form: Multipart,
) -> ApiResult<(StatusCode, Json<JobOut>)> {
    csrf(&caller, &headers)?;
    let id = queue(&state, &caller, form, false).await?;
    let (job, _) = state.store().import_job(id).await?.ok_or(Failure::NotFound("job".into()))?;
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

/// Filters of the job list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    /// Only jobs in this state: `queued`, `running`, `done` or `failed`.
    state: Option<String>,
}

/// A page of import jobs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPage {
    total: usize,
    page: u32,
    per_page: u32,
    items: Vec<JobOut>,
}

/// The import jobs, newest first, a page at a time.
#[utoipa::path(get, path = "/api/imports", params(JobFilter, crate::api::Paging),
    responses((status = 200, body = JobPage)))]
pub async fn api_list(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(filter): axum::extract::Query<JobFilter>,
    axum::extract::Query(paging): axum::extract::Query<crate::api::Paging>,
) -> ApiResult<Json<JobPage>> {
    caller.require(Action::Finance)?;
    let jobs: Vec<JobOut> = state
        .store()
        .import_jobs(10_000)
        .await?
        .into_iter()
        .map(JobOut::from)
        .filter(|j| filter.state.as_deref().is_none_or(|s| j.state == s.trim()))
        .collect();
    let (items, total, page, per_page) = paging.apply(jobs)?;
    Ok(Json(JobPage { total, page, per_page, items }))
}

/// One import job.
#[utoipa::path(get, path = "/api/imports/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = JobOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn api_show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<JobOut>> {
    caller.require(Action::Finance)?;
    let (job, _) = state
        .store()
        .import_job(id)
        .await?
        .ok_or(Failure::NotFound(format!("no import job {id}")))?;
    Ok(Json(job.into()))
}

/// The rejects of an import job: a CSV of file, line, column and reason.
#[utoipa::path(get, path = "/api/imports/{id}/rejects", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = crate::api::ErrorBody)))]
pub async fn rejects(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    caller.require(Action::Finance)?;
    let (_, rejects) = state
        .store()
        .import_job(id)
        .await?
        .ok_or(Failure::NotFound(format!("no import job {id}")))?;
    let rejects = rejects.ok_or(Failure::NotFound(format!("import job {id} rejected no row")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"rejects-{id}.csv\"")),
        ],
        rejects,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::plain_name;

    #[test]
    fn uploaded_names_cannot_leave_their_folder() {
        assert_eq!(plain_name("../../etc/passwd"), "passwd");
        assert_eq!(plain_name("C:\\x\\..\\Usage.csv"), "Usage.csv");
        assert_eq!(plain_name(".hidden"), "hidden");
        assert_eq!(plain_name("a b;c.csv"), "a_b_c.csv");
        assert_eq!(plain_name(".."), "upload");
    }
}
