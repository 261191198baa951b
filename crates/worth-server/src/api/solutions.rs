//! `/api/solutions`: the register, value assessments, measurements and explanations, each
//! checked against the caller's role and business units.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use worth_core::access::{Action, Role};
use worth_core::money::parse_amount;
use worth_core::rates::price_hours;
use worth_core::solution::{
    Criticality, EnvironmentType, ExternalId, Solution, SolutionKind, Stage, parse_choice,
};
use worth_core::value::models::ModelSpec;
use worth_core::value::portfolio::evaluate;
use worth_core::value::quantity::Estimate;
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade, ValueLine};
use worth_core::{Currency, Money};
use worth_store::{NewSolution, NewValueLine};

use super::{ErrorBody, Paging, RoiRow, csrf, roi_row};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// A solution of the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SolutionOut {
    id: i64,
    name: String,
    kind: String,
    platform: String,
    business_unit: String,
    owner: Option<String>,
    criticality: String,
    stage: Option<String>,
    environment: Option<String>,
    #[schema(value_type = Option<String>)]
    live_since: Option<NaiveDate>,
    external_ids: Vec<String>,
}

impl From<&Solution> for SolutionOut {
    fn from(s: &Solution) -> Self {
        Self {
            id: s.id,
            name: s.name.clone(),
            kind: s.kind.to_string(),
            platform: s.platform.clone(),
            business_unit: s.business_unit.clone(),
            owner: s.owner.clone(),
            criticality: s.criticality.to_string(),
            stage: s.stage().map(|st| st.to_string()),
            environment: s.environment.as_ref().map(|e| e.name.clone()),
            live_since: s.live_since(),
            external_ids: s.external_ids.iter().map(|x| format!("{}:{}", x.system, x.id)).collect(),
        }
    }
}

/// A page of solutions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SolutionPage {
    total: usize,
    page: u32,
    per_page: u32,
    items: Vec<SolutionOut>,
}

/// Filters of the solution list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SolutionFilter {
    /// Only this business unit.
    bu: Option<String>,
    /// Only this kind (`canvas-app`, `cloud-flow`…).
    kind: Option<String>,
    /// Only this stage (`idea`, `approved`, `building`, `live`, `retired`).
    stage: Option<String>,
    /// Names containing this text, case-insensitive.
    pub(crate) q: Option<String>,
}

/// Whether `caller` may take `action` on `s`.
pub(crate) fn permits(caller: &Caller, action: Action, s: &Solution) -> bool {
    caller.principal.may_on_solution(action, &s.business_unit, s.owner.as_deref())
}

/// The solution `id`, if `caller` may take `action` on it. A solution outside the caller's
/// scope is answered as not found, so ids cannot be probed, and the attempt is logged at warn.
pub(crate) async fn solution_for(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<Solution, Failure> {
    caller.require(action)?;
    let found = state.store().solution_by_id(id).await?;
    match found {
        Some(s) if permits(caller, action, &s) => Ok(s),
        Some(_) => {
            tracing::warn!(
                user = %caller.user.name,
                role = %caller.principal.role,
                solution_id = id,
                "refused: a solution outside the caller's business units or ownership"
            );
            Err(Failure::NotFound(format!("no solution {id}")))
        }
        None => Err(Failure::NotFound(format!("no solution {id}"))),
    }
}

/// Solutions the caller may see, filtered.
pub(crate) async fn visible(
    state: &AppState,
    caller: &Caller,
    f: &SolutionFilter,
) -> Result<Vec<Solution>, Failure> {
    caller.require(Action::ReadSolutions)?;
    let all = state.solutions().await?;
    Ok(visible_in(&all, caller, f)?.into_iter().cloned().collect())
}

/// The solutions of the register `all` that the caller may see, filtered.
pub(crate) fn visible_in<'a>(
    all: &'a [Solution],
    caller: &Caller,
    f: &SolutionFilter,
) -> Result<Vec<&'a Solution>, Failure> {
    caller.require(Action::ReadSolutions)?;
    let kind: Option<SolutionKind> =
        f.kind.as_deref().map(|k| parse_choice("kind", k)).transpose()?;
    let stage: Option<Stage> = f.stage.as_deref().map(|k| parse_choice("stage", k)).transpose()?;
    let q = f.q.as_deref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
    let bu = f.bu.as_deref().map(|b| b.trim().to_lowercase());
    Ok(all
        .iter()
        .filter(|s| permits(caller, Action::ReadSolutions, s))
        .filter(|s| bu.as_deref().is_none_or(|b| s.business_unit.to_lowercase() == b))
        .filter(|s| kind.is_none_or(|k| s.kind == k))
        .filter(|s| stage.is_none_or(|st| s.stage() == Some(st)))
        .filter(|s| q.as_deref().is_none_or(|q| s.name.to_lowercase().contains(q)))
        .collect())
}

/// The solutions the caller may see: all for analysts and admins, their own for owners.
#[utoipa::path(get, path = "/api/solutions", params(SolutionFilter, Paging),
    responses((status = 200, body = SolutionPage), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<SolutionFilter>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<SolutionPage>> {
    caller.require(Action::ReadSolutions)?;
    let all = state.solutions().await?;
    let (rows, total, page, per_page) = paging.apply(visible_in(&all, &caller, &filter)?)?;
    Ok(Json(SolutionPage {
        total,
        page,
        per_page,
        items: rows.into_iter().map(SolutionOut::from).collect(),
    }))
}

/// A solution to register.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSolutionIn {
    /// Unique within its business unit.
    pub name: String,
    /// `canvas-app`, `model-driven-app`, `cloud-flow`, `desktop-flow`, `agent`, `report`…
    pub kind: String,
    /// The owning business unit.
    pub business_unit: String,
    /// The owner's name (an owner registers solutions as themselves).
    pub owner: Option<String>,
    /// `critical`, `important`, `standard` or `personal` (default `standard`).
    pub criticality: Option<String>,
    /// The environment's name.
    pub environment: Option<String>,
    /// Its type when the environment is new: `production`, `sandbox`, `developer`…
    pub environment_type: Option<String>,
    /// The platform (default `power-platform`).
    pub platform: Option<String>,
    /// Ids in platform exports, as `system:id`.
    #[serde(default)]
    pub external_ids: Vec<String>,
    /// The stage it is registered in (default `idea`).
    pub stage: Option<String>,
}

/// Checks a registration against the caller and turns it into the store's form.
pub(crate) fn new_solution(
    caller: &Caller,
    input: NewSolutionIn,
    today: NaiveDate,
) -> Result<NewSolution, Failure> {
    caller.require(Action::WriteSolution)?;
    let owner = match caller.principal.role {
        Role::Owner => {
            if !caller.principal.in_unit(&input.business_unit) {
                return Err(Failure::Forbidden(format!(
                    "business unit '{}' is not one of yours",
                    input.business_unit.trim()
                )));
            }
            Some(caller.user.person.clone().unwrap_or_else(|| caller.user.name.clone()))
        }
        _ => input.owner.filter(|o| !o.trim().is_empty()),
    };
    let env_type: Option<EnvironmentType> = input
        .environment_type
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| parse_choice("environment type", t))
        .transpose()?;
    let external_ids = input
        .external_ids
        .iter()
        .map(|x| {
            x.split_once(':')
                .map(|(s, id)| ExternalId { system: s.trim().to_owned(), id: id.trim().to_owned() })
                .ok_or_else(|| Failure::BadRequest(format!("external id '{x}' is not system:id")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewSolution {
        name: input.name,
        kind: parse_choice("kind", &input.kind)?,
        platform: input.platform.unwrap_or_else(|| "power-platform".into()),
        business_unit: input.business_unit,
        environment: input.environment.filter(|e| !e.trim().is_empty()).map(|e| (e, env_type)),
        owner,
        criticality: input
            .criticality
            .as_deref()
            .filter(|c| !c.is_empty())
            .map_or(Ok(Criticality::Standard), |c| parse_choice("criticality", c))?,
        external_ids,
        stage: match input.stage.as_deref().filter(|c| !c.is_empty()) {
            None => Stage::Idea,
            // Approval freezes the estimate: an owner registers an idea, an analyst moves it on.
            Some(c) => match parse_choice::<Stage>("stage", c)? {
                Stage::Idea => Stage::Idea,
                _ if caller.principal.role == Role::Owner => {
                    return Err(Failure::Forbidden(
                        "an owner registers a solution as an idea; an analyst approves it".into(),
                    ));
                }
                stage => stage,
            },
        },
        stage_on: today,
    })
}

/// Registers a solution; an owner registers it in one of their units, as its owner.
#[utoipa::path(post, path = "/api/solutions", request_body = NewSolutionIn,
    responses((status = 201, body = SolutionOut), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(input): Json<NewSolutionIn>,
) -> ApiResult<(StatusCode, Json<SolutionOut>)> {
    csrf(&caller, &headers)?;
    let mut w = state.store().write(&caller.user.name).await?;
    let new = new_solution(&caller, input, w.today())?;
    let s = w.add_solution(&new).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(SolutionOut::from(&s))))
}

/// A solution with its value lines and TEI figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SolutionDetail {
    solution: SolutionOut,
    value_lines: Vec<ValueLineOut>,
    figures: Option<RoiRow>,
    /// What kept the engine from a figure or makes one doubtful (a role with no rate card, a
    /// missing exchange rate, lines claiming more than the whole of a benefit).
    #[schema(value_type = Vec<Object>)]
    problems: Vec<worth_core::Problem>,
}

/// A solution, its value lines and its figures.
#[utoipa::path(get, path = "/api/solutions/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = SolutionDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SolutionDetail>> {
    let s = solution_for(&state, &caller, id, Action::ReadSolutions).await?;
    let lines = state.store().value_lines(Some(s.id)).await?;
    let loaded = state.loaded().await?;
    let data: Vec<_> = loaded.data().into_iter().filter(|d| d.solution.id == s.id).collect();
    let p = evaluate(&loaded.ctx(false), &data);
    let figures =
        p.solutions.first().map(|v| roi_row(v.name.clone(), 1, &v.financials, p.currency));
    Ok(Json(SolutionDetail {
        solution: SolutionOut::from(&s),
        value_lines: lines.iter().map(ValueLineOut::from).collect(),
        figures,
        problems: p.problems,
    }))
}

/// Every figure of a solution down to its inputs, as a tree.
#[utoipa::path(get, path = "/api/solutions/{id}/explain", params(("id" = i64, Path)),
    responses((status = 200, description = "the explanation tree: label, value, formula, source, children"),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn explain(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    let s = solution_for(&state, &caller, id, Action::ReadSolutions).await?;
    let tree = explain_tree(&state, s.id).await?;
    Ok(Json(serde_json::to_value(tree).map_err(anyhow::Error::from)?))
}

/// The explanation of a solution's figures, computed with the engine's explanations on.
pub(crate) async fn explain_tree(
    state: &AppState,
    id: i64,
) -> Result<worth_core::value::explain::Explain, Failure> {
    let loaded = state.loaded().await?;
    let data: Vec<_> = loaded.data().into_iter().filter(|d| d.solution.id == id).collect();
    let p = evaluate(&loaded.ctx(true), &data);
    p.solutions.into_iter().next().and_then(|v| v.explain).ok_or_else(|| {
        Failure::NotFound("this solution has no value lines or costs yet to explain".into())
    })
}

/// A value line with its model, parameters and frozen estimate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueLineOut {
    id: i64,
    name: String,
    category: String,
    /// The model and its parameters.
    #[schema(value_type = Object)]
    spec: serde_json::Value,
    currency: String,
    #[schema(value_type = String)]
    attribution: Decimal,
    evidence: String,
    #[schema(value_type = String)]
    start: NaiveDate,
    horizon_months: u32,
    /// The revision frozen at approval, if any.
    frozen_revision: Option<i64>,
}

impl From<&ValueLine> for ValueLineOut {
    fn from(l: &ValueLine) -> Self {
        Self {
            id: l.id,
            name: l.name.clone(),
            category: l.category.to_string(),
            spec: serde_json::to_value(&l.spec).unwrap_or_default(),
            currency: l.currency.code().to_owned(),
            attribution: l.attribution,
            evidence: l.evidence.to_string(),
            start: l.start,
            horizon_months: l.horizon_months,
            frozen_revision: l.frozen.as_ref().map(|f| f.revision),
        }
    }
}

/// A solution's value lines.
#[utoipa::path(get, path = "/api/solutions/{id}/value-lines", params(("id" = i64, Path)),
    responses((status = 200, body = [ValueLineOut]), (status = 404, body = ErrorBody)))]
pub(crate) async fn value_lines(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ValueLineOut>>> {
    let s = solution_for(&state, &caller, id, Action::ReadSolutions).await?;
    let lines = state.store().value_lines(Some(s.id)).await?;
    Ok(Json(lines.iter().map(ValueLineOut::from).collect()))
}

/// A value assessment: one benefit under one documented model.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewValueLineIn {
    /// Unique within the solution.
    pub name: String,
    /// `time-savings`, `cost-reduction`, `cost-avoidance`, `revenue`, `quality`,
    /// `risk-compliance` or `experience`.
    pub category: String,
    /// The value model (`time-saved-per-use`, …).
    pub model: String,
    /// The model's parameters; ranges as `min..likely..max`, counts per period as `120/week`.
    #[schema(value_type = Object)]
    pub params: std::collections::BTreeMap<String, String>,
    /// `system-data`, `survey`, `owner-estimate` (default) or `assumption`.
    pub evidence: Option<String>,
    /// The attributed share (`100%`, `0.5`); default 100%.
    pub attribution: Option<String>,
    /// The first month it counts, `YYYY-MM` (default this month).
    pub start: Option<String>,
    /// How many months it counts (default the guideline's horizon).
    pub horizon_months: Option<u32>,
    /// The currency (default the workspace's).
    pub currency: Option<String>,
}

/// Checks an assessment and turns it into the store's form.
pub(crate) async fn new_value_line(
    state: &AppState,
    input: NewValueLineIn,
    today: NaiveDate,
) -> Result<NewValueLine, Failure> {
    let pairs: Vec<(String, String)> = input
        .params
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let spec = ModelSpec::from_pairs(&input.model, &pairs)?;
    let loaded = state.loaded().await?;
    let currency = match input.currency.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Currency::parse(c)?,
        None => loaded.settings.currency,
    };
    let attribution = match input.attribution.as_deref().filter(|a| !a.trim().is_empty()) {
        None => Decimal::ONE,
        Some(a) => {
            let e: Estimate =
                a.parse().map_err(|e| Failure::BadRequest(format!("attribution: {e}")))?;
            if e.is_uncertain() {
                return Err(Failure::BadRequest("attribution is one share, not a range".into()));
            }
            e.likely
        }
    };
    let start = match input.start.as_deref().filter(|s| !s.trim().is_empty()) {
        None => today,
        Some(m) => worth_core::period::parse_month(m).ok_or_else(|| {
            Failure::BadRequest(format!("start '{m}' is not a month of the form YYYY-MM"))
        })?,
    };
    Ok(NewValueLine {
        name: input.name,
        category: parse_choice::<Category>("category", &input.category)?,
        spec,
        currency,
        attribution,
        evidence: input
            .evidence
            .as_deref()
            .filter(|e| !e.is_empty())
            .map_or(Ok(EvidenceGrade::OwnerEstimate), |e| parse_choice("evidence", e))?,
        process: None,
        start,
        horizon_months: input
            .horizon_months
            .unwrap_or(loaded.guideline.settings.horizon_years * 12),
    })
}

/// Adds a value line (a value assessment) to a solution.
#[utoipa::path(post, path = "/api/solutions/{id}/value-lines", params(("id" = i64, Path)),
    request_body = NewValueLineIn,
    responses((status = 201, body = ValueLineOut), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn add_value_line(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<NewValueLineIn>,
) -> ApiResult<(StatusCode, Json<ValueLineOut>)> {
    csrf(&caller, &headers)?;
    let s = solution_for(&state, &caller, id, Action::WriteSolution).await?;
    let mut w = state.store().write(&caller.user.name).await?;
    let new = new_value_line(&state, input, w.today()).await?;
    let line = w.add_value_line(&s.name, Some(&s.business_unit), &new).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(ValueLineOut::from(&line))))
}

/// A move of a solution through its lifecycle.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StageIn {
    /// `idea`, `approved`, `building`, `live` or `retired`.
    pub stage: String,
    /// The day it entered the stage (default today).
    #[schema(value_type = Option<String>)]
    pub on: Option<NaiveDate>,
    /// Why, for the lifecycle history.
    pub note: Option<String>,
}

/// Moves a solution to a stage (analysts and admins): approval freezes its estimates under
/// the guideline in force.
#[utoipa::path(post, path = "/api/solutions/{id}/stage", params(("id" = i64, Path)),
    request_body = StageIn,
    responses((status = 200, body = SolutionOut), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn set_stage(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<StageIn>,
) -> ApiResult<Json<SolutionOut>> {
    csrf(&caller, &headers)?;
    caller.require(Action::SetStage)?;
    let s = solution_for(&state, &caller, id, Action::WriteSolution).await?;
    let stage: Stage = parse_choice("stage", &input.stage)?;
    let mut w = state.store().write(&caller.user.name).await?;
    let on = input.on.unwrap_or_else(|| w.today());
    let moved =
        w.set_stage(&s.name, Some(&s.business_unit), stage, on, input.note.as_deref()).await?;
    w.commit().await?;
    Ok(Json(SolutionOut::from(&moved)))
}

/// A measured metric of a month.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeasurementIn {
    /// The metric (`units`, or a before/after line's metric).
    pub metric: String,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The value, as a decimal string.
    #[schema(value_type = String)]
    pub value: Decimal,
}

/// Records a measured metric of a solution for a month.
#[utoipa::path(post, path = "/api/solutions/{id}/measurements", params(("id" = i64, Path)),
    request_body = MeasurementIn,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn measure(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<MeasurementIn>,
) -> ApiResult<StatusCode> {
    csrf(&caller, &headers)?;
    let s = solution_for(&state, &caller, id, Action::WriteSolution).await?;
    let month = worth_core::period::parse_month(&input.month).ok_or_else(|| {
        Failure::BadRequest(format!("month '{}' is not of the form YYYY-MM", input.month))
    })?;
    let mut w = state.store().write(&caller.user.name).await?;
    w.record_measurement(&s.name, Some(&s.business_unit), &input.metric, month, input.value, "api")
        .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A cost of a solution.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostOut {
    id: i64,
    /// `one-time` or `monthly`.
    kind: String,
    item: String,
    #[schema(value_type = String)]
    amount: Decimal,
    currency: String,
    #[schema(value_type = String)]
    start: NaiveDate,
    #[schema(value_type = Option<String>)]
    end: Option<NaiveDate>,
    /// How the amount was priced, such as hours × a rate card.
    basis: Option<String>,
}

impl From<&CostLine> for CostOut {
    fn from(c: &CostLine) -> Self {
        Self {
            id: c.id,
            kind: c.kind.to_string(),
            item: c.item.clone(),
            amount: c.amount.amount,
            currency: c.amount.currency.code().to_owned(),
            start: c.start,
            end: c.end,
            basis: c.basis.clone(),
        }
    }
}

/// A solution's costs.
#[utoipa::path(get, path = "/api/solutions/{id}/costs", params(("id" = i64, Path)),
    responses((status = 200, body = [CostOut]), (status = 404, body = ErrorBody)))]
pub(crate) async fn costs(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CostOut>>> {
    let s = solution_for(&state, &caller, id, Action::ReadSolutions).await?;
    let all = state.store().cost_lines().await?;
    Ok(Json(all.iter().filter(|c| c.solution_id == s.id).map(CostOut::from).collect()))
}

/// A cost to add: an amount, or hours of a role priced with its rate card.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCostIn {
    /// `one-time` or `monthly`.
    pub kind: String,
    /// What it is for: `build`, `license`, `capacity`, `maintenance`…
    pub item: String,
    /// The amount, once or per month, as a decimal string.
    pub amount: Option<String>,
    /// The amount's currency (default the workspace's).
    pub currency: Option<String>,
    /// Hours of work, priced with `role`'s rate card on the start day.
    pub hours: Option<String>,
    /// The role whose rate card prices the hours.
    pub role: Option<String>,
    /// The day of a one-time cost or the first day of a monthly one (default today).
    #[schema(value_type = Option<String>)]
    pub start: Option<NaiveDate>,
    /// The first day a monthly cost no longer applies.
    #[schema(value_type = Option<String>)]
    pub end: Option<NaiveDate>,
}

/// Adds a cost to a solution.
#[utoipa::path(post, path = "/api/solutions/{id}/costs", params(("id" = i64, Path)),
    request_body = NewCostIn,
    responses((status = 201, body = CostOut), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn add_cost(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<NewCostIn>,
) -> ApiResult<(StatusCode, Json<CostOut>)> {
    csrf(&caller, &headers)?;
    let s = solution_for(&state, &caller, id, Action::WriteSolution).await?;
    let mut w = state.store().write(&caller.user.name).await?;
    let start = input.start.unwrap_or_else(|| w.today());
    let (amount, basis) = match (&input.amount, &input.hours, &input.role) {
        (Some(a), None, None) => {
            let currency = match input.currency.as_deref() {
                Some(c) => Currency::parse(c)?,
                None => state.loaded().await?.settings.currency,
            };
            (Money::new(parse_amount("amount", a)?, currency), None)
        }
        (None, Some(h), Some(role)) => {
            let rates = state.store().rates().await?;
            let hours = parse_amount("hours", h)?;
            let (m, basis) = price_hours(&rates, role, &s.business_unit, start, hours)?;
            (m, Some(basis))
        }
        _ => return Err(Failure::BadRequest("give amount, or hours with role".into()).into()),
    };
    let cost = CostLine {
        id: 0,
        solution_id: s.id,
        kind: parse_choice::<CostKind>("kind", &input.kind)?,
        item: input.item,
        amount,
        start,
        end: input.end,
        basis,
    };
    let added = w.add_cost(&s.name, Some(&s.business_unit), &cost).await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(CostOut::from(&added))))
}

/// One revision of a value line's estimate.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstimateOut {
    revision: i64,
    #[schema(value_type = Object)]
    spec: serde_json::Value,
    #[schema(value_type = String)]
    attribution: Decimal,
    guideline_version: i64,
    #[schema(value_type = String)]
    frozen_on: NaiveDate,
    reason: Option<String>,
}

async fn line_of(
    state: &AppState,
    caller: &Caller,
    id: i64,
    line_id: i64,
    action: Action,
) -> Result<(Solution, ValueLine), Failure> {
    let s = solution_for(state, caller, id, action).await?;
    let line = state
        .store()
        .value_lines(Some(s.id))
        .await?
        .into_iter()
        .find(|l| l.id == line_id)
        .ok_or_else(|| {
        Failure::NotFound(format!("no value line {line_id} in solution {id}"))
    })?;
    Ok((s, line))
}

/// Every estimate revision of a value line: revision 1 is the one frozen at approval.
#[utoipa::path(get, path = "/api/solutions/{id}/value-lines/{line_id}/estimates",
    params(("id" = i64, Path), ("line_id" = i64, Path)),
    responses((status = 200, body = [EstimateOut]), (status = 404, body = ErrorBody)))]
pub(crate) async fn estimates(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, line_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Vec<EstimateOut>>> {
    let (_, line) = line_of(&state, &caller, id, line_id, Action::ReadSolutions).await?;
    let revisions = state.store().estimate_revisions(line.id).await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|(e, reason)| EstimateOut {
                revision: e.revision,
                spec: serde_json::to_value(&e.spec).unwrap_or_default(),
                attribution: e.attribution,
                guideline_version: e.guideline_version,
                frozen_on: e.frozen_on,
                reason,
            })
            .collect(),
    ))
}

/// A re-estimate of a value line.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReestimateIn {
    /// The parameters that change; the others stay.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub params: std::collections::BTreeMap<String, String>,
    /// A new attribution (`80%`).
    pub attribution: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// Changes a value line's estimate; after approval it is a new revision and the frozen one
/// stays as it was.
#[utoipa::path(post, path = "/api/solutions/{id}/value-lines/{line_id}/reestimate",
    params(("id" = i64, Path), ("line_id" = i64, Path)), request_body = ReestimateIn,
    responses((status = 200, body = ValueLineOut), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn reestimate(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((id, line_id)): Path<(i64, i64)>,
    Json(input): Json<ReestimateIn>,
) -> ApiResult<Json<ValueLineOut>> {
    csrf(&caller, &headers)?;
    let (s, line) = line_of(&state, &caller, id, line_id, Action::WriteSolution).await?;
    let changes: Vec<(String, String)> = input.params.into_iter().collect();
    let spec = (!changes.is_empty()).then(|| line.spec.with_changes(&changes)).transpose()?;
    let attribution = match input.attribution.as_deref() {
        Some(a) => {
            let e: Estimate = a.parse()?;
            Some(e.likely)
        }
        None => None,
    };
    if spec.is_none() && attribution.is_none() {
        return Err(
            Failure::BadRequest("nothing to change: give params or attribution".into()).into()
        );
    }
    let change = worth_store::Reestimate { spec, attribution, reason: input.reason };
    let mut w = state.store().write(&caller.user.name).await?;
    let updated = w.reestimate(&s.name, Some(&s.business_unit), &line.name, &change).await?;
    w.commit().await?;
    Ok(Json(ValueLineOut::from(&updated)))
}
