//! The imports page: upload an export, follow its job, read its rejects.

use axum::extract::{Multipart, Path, State};
use axum::response::{Html, Redirect};
use serde_json::json;
use worth_core::access::Action;

use super::pages::render;
use super::{Frame, PageCaller};
use crate::error::{Failure, PageResult};
use crate::imports::{JobOut, UPLOAD_KINDS, queue};
use crate::state::AppState;

pub(crate) async fn list(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Action::Finance)?;
    let jobs: Vec<JobOut> =
        state.store().import_jobs(50).await?.into_iter().map(JobOut::from).collect();
    let kinds: Vec<&str> = UPLOAD_KINDS.iter().map(|k| k.as_str()).collect();
    render(
        &state,
        "imports.html",
        json!({"frame": Frame::of(&caller), "jobs": jobs, "kinds": kinds}),
    )
}

pub(crate) async fn upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    form: Multipart,
) -> PageResult<Redirect> {
    // The CSRF token travels in the form; the job is queued only after it matched.
    let id = queue(&state, &caller, form, true).await?;
    Ok(Redirect::to(&format!("/imports/{id}")))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    caller.require(Action::Finance)?;
    let (job, rejects) = state
        .store()
        .import_job(id)
        .await?
        .ok_or(Failure::NotFound(format!("no import job {id}")))?;
    let preview: Vec<String> =
        rejects.as_deref().unwrap_or("").lines().take(51).map(str::to_owned).collect();
    let job = JobOut::from(job);
    let summary = serde_json::to_string_pretty(
        &serde_json::to_value(&job).ok().and_then(|v| v.get("summary").cloned()),
    )
    .unwrap_or_default();
    render(
        &state,
        "import.html",
        json!({"frame": Frame::of(&caller), "job": job, "preview": preview, "summary": summary}),
    )
}
