//! The JSON API under `/api`, for Power BI, Excel and automation, with its OpenAPI document at
//! `/api/openapi.json` generated from these handlers.
//!
//! Authentication is a bearer token (`Authorization: Bearer …`) or the web app's session
//! cookie; a session caller that changes anything must also send its CSRF token in the
//! `X-CSRF-Token` header. Lists are paginated (`page` from 1, `per_page` up to 500) and
//! filtered by query parameters. Money is a decimal string, never a binary float.

pub mod solutions;
pub mod tokens;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use worth_core::access::Action;
use worth_core::value::financial::{Financials, round_amount, round_money};
use worth_core::value::portfolio::GroupBy;

use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

pub use solutions::{SolutionOut, ValueLineOut};

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/me", get(me))
        .route("/api/business-units", get(business_units))
        .route("/api/dashboard", get(dashboard))
        .route("/api/roi", get(roi))
        .route("/api/solutions", get(solutions::list).post(solutions::create))
        .route("/api/solutions/{id}", get(solutions::show))
        .route("/api/solutions/{id}/explain", get(solutions::explain))
        .route(
            "/api/solutions/{id}/value-lines",
            get(solutions::value_lines).post(solutions::add_value_line),
        )
        .route("/api/solutions/{id}/measurements", post(solutions::measure))
        .route("/api/solutions/{id}/stage", post(solutions::set_stage))
        .route("/api/solutions/{id}/costs", get(solutions::costs).post(solutions::add_cost))
        .route("/api/solutions/{id}/value-lines/{line_id}/estimates", get(solutions::estimates))
        .route("/api/solutions/{id}/value-lines/{line_id}/reestimate", post(solutions::reestimate))
        .route("/api/report", get(report))
        .route("/api/stories", get(crate::stories::api_list).post(crate::stories::api_create))
        .route("/api/stories/{id}", get(crate::stories::api_show).patch(crate::stories::api_edit))
        .route("/api/stories/{id}/move", post(crate::stories::api_move))
        .route("/api/imports", get(crate::imports::api_list).post(crate::imports::api_queue))
        .route("/api/imports/{id}", get(crate::imports::api_show))
        .route("/api/imports/{id}/rejects", get(crate::imports::rejects))
        .route("/api/kpis", get(crate::program::api_kpis))
        .route("/api/okrs", get(crate::program::api_okrs))
        .route("/api/chargeback", get(crate::program::api_chargeback))
        .route("/api/solutions/{id}/checkins", post(crate::program::api_checkin))
        .route("/api/tokens", get(tokens::list).post(tokens::create))
        .route("/api/tokens/{id}", delete(tokens::revoke))
        .route("/api/users", get(tokens::users).post(tokens::add_user))
        .route("/api/users/{name}", patch(tokens::patch_user))
}

/// The OpenAPI document of the API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "Worth API", description = "The value and ROI of a low-code platform."),
    paths(
        health, me, business_units, dashboard, roi,
        solutions::list, solutions::create, solutions::show, solutions::explain,
        solutions::value_lines, solutions::add_value_line, solutions::measure,
        solutions::set_stage, solutions::costs, solutions::add_cost, solutions::estimates, solutions::reestimate, report,
        tokens::list, tokens::create, tokens::revoke, tokens::users, tokens::add_user,
        tokens::patch_user,
        crate::stories::api_list, crate::stories::api_create, crate::stories::api_move,
        crate::stories::api_show, crate::stories::api_edit,
        crate::imports::api_queue, crate::imports::api_list, crate::imports::api_show,
        crate::imports::rejects, crate::program::api_kpis, crate::program::api_okrs,
        crate::program::api_chargeback, crate::program::api_checkin,
    ),
    components(schemas(
        Health, Me, UnitOut, TilesOut, RoiRow, ErrorBody, ErrorDetail,
        solutions::SolutionOut, solutions::SolutionPage, solutions::SolutionDetail,
        solutions::NewSolutionIn, solutions::ValueLineOut, solutions::NewValueLineIn,
        solutions::MeasurementIn, solutions::StageIn, solutions::CostOut, solutions::NewCostIn,
        solutions::EstimateOut, solutions::ReestimateIn, tokens::TokenOut, tokens::NewTokenIn, tokens::CreatedToken,
        tokens::UserOut, tokens::NewUserIn, tokens::UserChangeIn,
        crate::stories::StoryView, crate::stories::StoryPage, crate::stories::NewStoryIn,
        crate::stories::MoveIn, crate::stories::StoryPartsIn,
        crate::imports::JobOut, crate::imports::JobPage, crate::program::StatementOut, crate::program::StatementLineOut,
        crate::program::CheckinIn,
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The body of every failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unprocessable` (a JSON body of the wrong shape), `unsupported_media_type`,
    /// `method_not_allowed`, `unauthorized`, `forbidden`, `not_found`, `conflict` (exists
    /// already, or changed meanwhile), `too_many_requests`, `csrf`, `internal`.
    kind: String,
    /// What to do about it.
    message: String,
    /// The id under which the server logged the failure.
    id: String,
}

/// Refuses a session caller that changes data without the CSRF header.
pub(crate) fn csrf(caller: &Caller, headers: &HeaderMap) -> Result<(), Failure> {
    caller.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

/// A page of a list.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The page, from 1.
    page: Option<u32>,
    /// Rows per page, 1 to 500 (default 50).
    per_page: Option<u32>,
}

impl Paging {
    /// The rows of `all` on this page, with the total.
    pub(crate) fn apply<T>(self, all: Vec<T>) -> Result<(Vec<T>, usize, u32, u32), Failure> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if page == 0 || !(1..=500).contains(&per_page) {
            return Err(Failure::BadRequest("page starts at 1 and per_page is 1 to 500".into()));
        }
        let total = all.len();
        // In u64: a far page times per_page overflows u32 (a panic in debug builds).
        let skip = usize::try_from(u64::from(page - 1) * u64::from(per_page)).unwrap_or(usize::MAX);
        let rows = all.into_iter().skip(skip).take(per_page as usize).collect();
        Ok((rows, total, page, per_page))
    }
}

/// The server's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    uptime_seconds: u64,
}

/// Whether the server and its store answer.
#[utoipa::path(get, path = "/api/health", security(()), responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store().data_stamp().await?;
    Ok(Json(Health { status: "ok", uptime_seconds: state.uptime_seconds() }))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    user: String,
    role: String,
    business_units: Vec<String>,
    person: Option<String>,
}

/// Who the caller is, with the role in force.
#[utoipa::path(get, path = "/api/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        user: caller.user.name.clone(),
        role: caller.principal.role.to_string(),
        business_units: caller.user.business_units.clone(),
        person: caller.user.person.clone(),
    })
}

/// A business unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitOut {
    id: i64,
    name: String,
    parent: Option<String>,
}

/// The business units the caller may see.
#[utoipa::path(get, path = "/api/business-units", responses((status = 200, body = [UnitOut])))]
async fn business_units(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<UnitOut>>> {
    caller.require(Action::ReadDashboard)?;
    let units = state.store().business_units().await?;
    Ok(Json(
        units
            .into_iter()
            .filter(|u| caller.principal.in_unit(&u.name))
            .map(|u| UnitOut { id: u.id, name: u.name, parent: u.parent })
            .collect(),
    ))
}

/// The dashboard's headline figures over the last twelve complete months.
#[derive(Debug, Serialize, ToSchema)]
pub struct TilesOut {
    period: String,
    currency: String,
    #[schema(value_type = String)]
    value_realized: rust_decimal::Decimal,
    #[schema(value_type = String)]
    value_realized_risk_adjusted: rust_decimal::Decimal,
    #[schema(value_type = String)]
    costs: rust_decimal::Decimal,
    #[schema(value_type = String)]
    npv: rust_decimal::Decimal,
    #[schema(value_type = Option<String>)]
    roi_percent: Option<rust_decimal::Decimal>,
    #[schema(value_type = Option<String>)]
    payback_months: Option<rust_decimal::Decimal>,
    live_solutions: usize,
}

/// The dashboard's tiles, over the solutions the caller may see.
#[utoipa::path(get, path = "/api/dashboard", responses((status = 200, body = TilesOut)))]
async fn dashboard(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<TilesOut>> {
    caller.require(Action::ReadDashboard)?;
    let figures = state.figures(&caller.principal).await?;
    let r = &figures.report;
    let t = &r.tiles;
    Ok(Json(TilesOut {
        period: r.period.label.clone(),
        currency: r.currency.clone(),
        value_realized: t.value_realized,
        value_realized_risk_adjusted: t.value_realized_risk_adjusted,
        costs: t.costs,
        npv: t.npv,
        roi_percent: t.roi_percent,
        payback_months: t.payback_months,
        live_solutions: t.live_solutions,
    }))
}

/// How `/api/roi` groups.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoiQuery {
    /// `solution`, `bu`, `category`, `platform` or `portfolio` (default `bu`).
    by: Option<String>,
}

/// One row of the TEI view.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoiRow {
    key: String,
    solutions: usize,
    currency: String,
    #[schema(value_type = String)]
    pv_benefits: rust_decimal::Decimal,
    #[schema(value_type = String)]
    pv_costs: rust_decimal::Decimal,
    #[schema(value_type = String)]
    npv: rust_decimal::Decimal,
    #[schema(value_type = Option<String>)]
    roi_percent: Option<rust_decimal::Decimal>,
    #[schema(value_type = Option<String>)]
    payback_months: Option<rust_decimal::Decimal>,
    #[schema(value_type = String)]
    value_to_date: rust_decimal::Decimal,
}

pub(crate) fn roi_row(
    key: String,
    solutions: usize,
    f: &Financials,
    currency: worth_core::Currency,
) -> RoiRow {
    let m = currency.minor_units();
    RoiRow {
        key,
        solutions,
        currency: currency.code().to_owned(),
        pv_benefits: round_money(f.pv_benefits, m),
        pv_costs: round_money(f.pv_costs, m),
        npv: round_money(f.npv, m),
        roi_percent: f.roi.map(|r| round_money(r * 100.0, 2)),
        payback_months: f.payback_months.map(|p| round_money(p, 1)),
        value_to_date: round_amount(f.value_to_date, m),
    }
}

/// The TEI view (PV of benefits and costs, NPV, ROI, payback) of the caller's solutions.
#[utoipa::path(get, path = "/api/roi", params(RoiQuery), responses((status = 200, body = [RoiRow])))]
async fn roi(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<RoiQuery>,
) -> ApiResult<Json<Vec<RoiRow>>> {
    caller.require(Action::ReadDashboard)?;
    let by = match q.by.as_deref().unwrap_or("bu") {
        "portfolio" => None,
        "solution" => Some(GroupBy::Solution),
        "bu" => Some(GroupBy::BusinessUnit),
        "category" => Some(GroupBy::Category),
        "platform" => Some(GroupBy::Platform),
        other => {
            return Err(Failure::BadRequest(format!(
                "by={other} is not one of solution, bu, category, platform, portfolio"
            ))
            .into());
        }
    };
    let figures = state.figures(&caller.principal).await?;
    let p = &figures.portfolio;
    let rows = match by {
        None => vec![roi_row("portfolio".into(), p.solutions.len(), &p.total, p.currency)],
        Some(by) => figures
            .group(by)
            .iter()
            .map(|g| roi_row(g.key.clone(), g.solutions, &g.financials, p.currency))
            .collect(),
    };
    Ok(Json(rows))
}

/// The sponsor report of the caller's solutions over the last twelve complete months, as the
/// `report.json` that `worth report` writes.
#[utoipa::path(get, path = "/api/report", responses((status = 200, description = "the report")))]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require(Action::ReadReport)?;
    let figures = state.figures(&caller.principal).await?;
    Ok(Json(serde_json::to_value(&figures.report).map_err(anyhow::Error::from)?))
}
