//! KPIs, OKRs and chargeback statements on the web and in the API, computed by `worth_app` and
//! the store exactly as the CLI computes them; and the value check-in of a solution's owner.

use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, Redirect};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use worth_app::program::Program;
use worth_core::access::Action;
use worth_core::allocation::run::View;
use worth_core::solution::parse_choice;

use crate::api::csrf;
use crate::api::solutions::solution_for;
use crate::auth::Caller;
use crate::error::{ApiResult, Failure, PageResult};
use crate::state::AppState;
use crate::web::pages::render;
use crate::web::{Frame, PageCaller};

async fn program(state: &AppState, caller: &Caller) -> Result<Program, Failure> {
    caller.require(Action::ReadProgram)?;
    Ok(Program::load(state.store()).await?)
}

/// Every KPI's latest value per subject, with status, trend and what it predicts.
#[utoipa::path(get, path = "/api/kpis", responses((status = 200, description = "KPI rows")))]
pub async fn api_kpis(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    let p = program(&state, &caller).await?;
    Ok(Json(serde_json::to_value(p.kpi_rows(None)?).map_err(anyhow::Error::from)?))
}

/// Every objective with its key results computed from the data, progress and roll-up.
#[utoipa::path(get, path = "/api/okrs", responses((status = 200, description = "objectives")))]
pub async fn api_okrs(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    let p = program(&state, &caller).await?;
    Ok(Json(serde_json::to_value(p.okrs()?).map_err(anyhow::Error::from)?))
}

pub(crate) async fn kpis_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    let p = program(&state, &caller).await?;
    let rows = p.kpi_rows(None)?;
    render(&state, "kpis.html", json!({"frame": Frame::of(&caller), "rows": rows}))
}

pub(crate) async fn okrs_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    let p = program(&state, &caller).await?;
    let objectives = p.okrs()?;
    render(&state, "okrs.html", json!({"frame": Frame::of(&caller), "objectives": objectives}))
}

/// Which statement to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// `billed` (default) or `amortized`.
    view: Option<String>,
    /// Only this business unit.
    bu: Option<String>,
}

/// One line of a statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementLineOut {
    business_unit: String,
    solution: Option<String>,
    pool: String,
    rule: Option<String>,
    category: String,
    driver: Option<String>,
    #[schema(value_type = Option<String>)]
    quantity: Option<rust_decimal::Decimal>,
    #[schema(value_type = Option<String>)]
    share: Option<rust_decimal::Decimal>,
    reason: Option<String>,
    #[schema(value_type = String)]
    amount: rust_decimal::Decimal,
    currency: String,
}

/// The statement of the latest chargeback run.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementOut {
    run: i64,
    period: String,
    view: String,
    lines: Vec<StatementLineOut>,
    /// Totals of the lines shown, per currency (never added across currencies).
    totals: Vec<(String, String)>,
}

async fn statement(
    state: &AppState,
    caller: &Caller,
    q: &StatementQuery,
) -> Result<Option<StatementOut>, Failure> {
    caller.require(Action::ReadReport)?;
    let view: View = parse_choice("view", q.view.as_deref().unwrap_or("billed"))?;
    let Some(run) = state.store().latest_run(None).await? else { return Ok(None) };
    let wanted = q.bu.as_deref().map(|b| b.trim().to_lowercase());
    // Finance sees every unit's lines; anyone else only their own units'.
    let finance = caller.principal.may(Action::Finance);
    let lines: Vec<_> = run
        .view(view)
        .lines
        .iter()
        .filter(|l| finance || caller.principal.in_unit(&l.target))
        .filter(|l| wanted.as_deref().is_none_or(|w| l.target.to_lowercase() == w))
        .collect();
    let mut totals: std::collections::BTreeMap<String, rust_decimal::Decimal> = Default::default();
    for l in &lines {
        *totals.entry(l.amount.currency.code().to_owned()).or_default() += l.amount.amount;
    }
    Ok(Some(StatementOut {
        run: run.id,
        period: run.period.clone(),
        view: view.to_string(),
        lines: lines
            .into_iter()
            .map(|l| StatementLineOut {
                business_unit: l.target.clone(),
                solution: l.solution.clone(),
                pool: l.pool.clone(),
                rule: l.rule.clone(),
                category: l.category.to_string(),
                driver: l.driver.map(|d| d.to_string()),
                // Shown to four and six places: the exact split is in the amounts, to the cent.
                quantity: l.quantity.map(|q| q.round_dp(4).normalize()),
                share: l.share.map(|v| v.round_dp(6).normalize()),
                reason: l.reason.clone(),
                amount: l.amount.amount,
                currency: l.amount.currency.code().to_owned(),
            })
            .collect(),
        totals: totals.into_iter().map(|(c, a)| (c, a.to_string())).collect(),
    }))
}

/// The latest chargeback run's statement lines: every unit's for analysts and admins, one's
/// own units' for others.
#[utoipa::path(get, path = "/api/chargeback", params(StatementQuery),
    responses((status = 200, body = StatementOut), (status = 404, body = crate::api::ErrorBody)))]
pub async fn api_chargeback(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<StatementQuery>,
) -> ApiResult<Json<StatementOut>> {
    let s = statement(&state, &caller, &q).await?;
    Ok(Json(
        s.ok_or(Failure::NotFound("no chargeback run yet: run `worth chargeback run`".into()))?,
    ))
}

pub(crate) async fn chargeback_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<StatementQuery>,
) -> PageResult<Html<String>> {
    let s = statement(&state, &caller, &q).await?;
    render(&state, "chargeback.html", json!({"frame": Frame::of(&caller), "statement": s}))
}

/// An owner's check of a solution's realized value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckinIn {
    /// What the owner found.
    pub note: String,
}

async fn checkin(state: &AppState, caller: &Caller, id: i64, note: &str) -> Result<(), Failure> {
    let s = solution_for(state, caller, id, Action::WriteSolution).await?;
    let mut w = state.store().write(&caller.user.name).await?;
    let today = w.today();
    w.add_value_checkin(&s.name, Some(&s.business_unit), today, note).await?;
    w.commit().await?;
    Ok(())
}

/// Records today's value check-in of a solution.
#[utoipa::path(post, path = "/api/solutions/{id}/checkins", params(("id" = i64, Path)),
    request_body = CheckinIn,
    responses((status = 204), (status = 404, body = crate::api::ErrorBody)))]
pub async fn api_checkin(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<CheckinIn>,
) -> ApiResult<axum::http::StatusCode> {
    csrf(&caller, &headers)?;
    checkin(&state, &caller, id, &input.note).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The check-in form of the solution page.
#[derive(Debug, Deserialize)]
pub(crate) struct CheckinForm {
    csrf: String,
    note: String,
}

pub(crate) async fn checkin_form(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<CheckinForm>,
) -> PageResult<Redirect> {
    caller.check_csrf(Some(&form.csrf))?;
    checkin(&state, &caller, id, &form.note).await?;
    Ok(Redirect::to(&format!("/solutions/{id}")))
}

pub(crate) async fn guidelines_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Action::ReadDashboard)?;
    let versions = state.store().guideline_versions().await?;
    let rates = state.store().rates().await?;
    let shown: Vec<_> = versions
        .iter()
        .rev()
        .map(|v| {
            let doc = worth_report::guideline::GuidelineDocument::new(
                v.version,
                &v.settings,
                v.created_at,
                &v.created_by,
                v.note.as_deref(),
                &rates,
            );
            json!({"version": v.version, "created_at": v.created_at.to_rfc3339(),
                   "created_by": v.created_by, "html": crate::stories::markdown(&doc.to_markdown())})
        })
        .collect();
    render(&state, "guidelines.html", json!({"frame": Frame::of(&caller), "versions": shown}))
}
