//! The handlers of the pages: each checks the caller's role and scope, gathers what the page
//! shows through the same functions as the API, and renders one template.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use strum::VariantNames;
use worth_core::access::Action;
use worth_core::org::same_name;
use worth_core::value::financial::round_amount;
use worth_core::value::models::CATALOGUE;
use worth_core::value::portfolio::evaluate;
use worth_report::sponsor::format::money;
use worth_report::sponsor::{charts_svg, render_html, render_xlsx, tiles_display};

use super::{ClientAddr, Frame, PageCaller};
use crate::api::solutions::{
    NewSolutionIn, NewValueLineIn, SolutionFilter, explain_tree, new_solution, new_value_line,
    solution_for, visible,
};
use crate::api::tokens::{
    NewTokenIn, NewUserIn, UserChangeIn, change_user, create_token as make_token,
    create_user as make_user, revoke_token as drop_token, user_named,
};
use crate::auth::{SESSION_COOKIE, SESSION_HOURS, digest, secret, verify_password};
use crate::error::{Failure, PageResult};
use crate::state::{AppState, ScopeFigures};

pub(crate) fn render(
    state: &AppState,
    name: &str,
    ctx: serde_json::Value,
) -> PageResult<Html<String>> {
    let page = state
        .templates()
        .get_template(name)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
        .map_err(|e| Failure::Internal(anyhow::anyhow!("template {name}: {e}")))?;
    Ok(Html(page))
}

/// The login form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    name: String,
    password: String,
}

pub(crate) async fn login_form(State(state): State<AppState>) -> PageResult<Html<String>> {
    render(&state, "login.html", json!({"message": None::<String>}))
}

/// Whether a login form was posted from another site. The form has no session to carry a
/// token yet, so, as OWASP advises, the browser's own `Sec-Fetch-Site` and `Origin` headers
/// tell: a form posted from elsewhere would log the visitor in to an account of the other
/// site's choosing.
fn cross_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return true;
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        (Some(_), None) => true,
        _ => false,
    }
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult<Response> {
    if cross_site(&headers) {
        return Err(Failure::Csrf.into());
    }
    let user_key = format!("user:{}", form.name.trim().to_lowercase());
    let addr_key = addr.map(|a| format!("addr:{a}"));
    let limiter = state.limiter();
    // Each try counts before the slow check, so tries sent at once cannot all be checked.
    if !limiter.try_once(&user_key) {
        return Err(Failure::TooManyRequests.into());
    }
    if addr_key.as_deref().is_some_and(|k| !limiter.try_once(k)) {
        limiter.forgive(&user_key);
        return Err(Failure::TooManyRequests.into());
    }
    let found = state.store().login_user(&form.name).await?;
    let password = form.password;
    // The hash is checked even for an unknown user, so timing does not tell which names exist.
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, dummy_hash().to_owned()),
    };
    let checked = hash.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(anyhow::Error::from)?;
    let id = secret();
    let expires = Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    // The session opens only if the user is still enabled with the password just checked.
    let opened = match &user {
        Some(u) if ok => {
            state.store().open_session(&digest(&id), u.id, &checked, &secret(), expires).await?
        }
        _ => false,
    };
    let Some(user) = user.filter(|_| opened) else {
        tracing::warn!("failed login");
        let page =
            render(&state, "login.html", json!({"message": "The name or the password is wrong."}))?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response());
    };
    limiter.succeeded(&user_key);
    if let Some(k) = &addr_key {
        limiter.forgive(k);
    }
    tracing::info!(user = %user.name, "logged in");
    let cookie = Cookie::build((SESSION_COOKIE, id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings().secure_cookies)
        .path("/")
        .build();
    Ok((jar.add(cookie), Redirect::to("/")).into_response())
}

/// An argon2id hash of a random password nobody knows, verified when the user is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| crate::auth::hash_password(&secret()).unwrap_or_default())
}

/// A form that carries only its CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state.store().close_session(&digest(c.value())).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

/// The dashboard's view of a scope's figures, for one caller.
#[derive(Debug, Serialize)]
struct DashboardView<'a> {
    title: String,
    #[serde(flatten)]
    parts: &'a DashboardParts,
    top: Vec<TopRow>,
}

/// What a scope's dashboard shows whoever looks, drawn once per scope and store stamp and kept
/// with its figures: drawing the charts and ranking the solutions of a large portfolio took
/// most of the page's time.
#[derive(Debug, Serialize)]
pub(crate) struct DashboardParts {
    period: String,
    tiles: Vec<(String, String)>,
    /// Each chart's id, title and SVG, as a template value: pages share the drawing instead of
    /// copying it (the estimated-vs-realized chart of 10,000 solutions is 700 KB).
    charts: Vec<(&'static str, &'static str, minijinja::Value)>,
    units: Vec<UnitRow>,
    /// The ten solutions of highest NPV.
    #[serde(skip)]
    top: Vec<Ranked>,
}

/// A solution of the dashboard's top ten, with the business unit and owner the portfolio holds
/// for it (none: not in the portfolio), for the caller's link check.
#[derive(Debug)]
struct Ranked {
    row: TopRow,
    access: Option<(String, Option<String>)>,
}

#[derive(Debug, Serialize)]
struct UnitRow {
    name: String,
    solutions: usize,
    value_realized: String,
    npv: String,
    roi: String,
}

#[derive(Debug, Clone, Serialize)]
struct TopRow {
    id: i64,
    name: String,
    business_unit: String,
    npv: String,
    link: bool,
}

fn dashboard_parts(f: &ScopeFigures) -> Result<DashboardParts, Failure> {
    let r = &f.report;
    let (cur, loc) = (r.currency.as_str(), r.locale.as_str());
    let pct = |v: Option<Decimal>| v.map_or_else(|| "n/a".into(), |v| format!("{v}%"));
    let charts = charts_svg(r)
        .map_err(|e| Failure::Internal(e.into()))?
        .into_iter()
        .map(|(id, title, svg)| (id, title, minijinja::Value::from_safe_string(svg)))
        .collect();
    let mut top: Vec<_> = r.solutions.iter().collect();
    top.sort_by(|a, b| b.npv.cmp(&a.npv).then_with(|| a.name.cmp(&b.name)));
    let ids: BTreeMap<i64, (&str, Option<&str>)> = f
        .portfolio
        .solutions
        .iter()
        .map(|s| (s.id, (s.business_unit.as_str(), s.owner.as_deref())))
        .collect();
    Ok(DashboardParts {
        period: r.period.label.clone(),
        tiles: tiles_display(r),
        charts,
        units: r
            .business_units
            .iter()
            .map(|g| UnitRow {
                name: g.key.clone(),
                solutions: g.solutions,
                value_realized: money(g.value_realized, cur, loc),
                npv: g.npv.map_or_else(|| "n/a".into(), |v| money(v, cur, loc)),
                roi: pct(g.roi_percent),
            })
            .collect(),
        top: top
            .into_iter()
            .take(10)
            .map(|s| {
                let row = TopRow {
                    id: s.id,
                    name: s.name.clone(),
                    business_unit: s.business_unit.clone(),
                    npv: money(s.npv, cur, loc),
                    link: false,
                };
                let access =
                    ids.get(&s.id).map(|(bu, owner)| ((*bu).to_owned(), owner.map(str::to_owned)));
                Ranked { row, access }
            })
            .collect(),
    })
}

/// Renders a dashboard straight from its view: through `render`'s JSON value each request
/// copied the charts twice more.
fn render_dashboard(
    state: &AppState,
    caller: &crate::auth::Caller,
    view: &DashboardView<'_>,
) -> PageResult<Html<String>> {
    let size = view.parts.charts.iter().map(|(_, _, svg)| svg.len().unwrap_or(0)).sum::<usize>();
    let mut page = Vec::with_capacity(size + 64 * 1024);
    state
        .templates()
        .get_template("dashboard.html")
        .and_then(|t| {
            use minijinja::value::Serde;
            t.render_captured_to(
                minijinja::context! { frame => Serde(Frame::of(caller)), view => Serde(view) },
                &mut page,
            )
        })
        .map_err(|e| Failure::Internal(anyhow::anyhow!("template dashboard.html: {e}")))?;
    let page = String::from_utf8(page).map_err(|e| Failure::Internal(e.into()))?;
    Ok(Html(page))
}

fn dashboard_view<'a>(
    title: String,
    f: &'a ScopeFigures,
    caller: &crate::auth::Caller,
) -> Result<DashboardView<'a>, Failure> {
    let parts = match f.dashboard().get() {
        Some(p) => p,
        None => {
            let p = dashboard_parts(f)?;
            f.dashboard().get_or_init(|| p)
        }
    };
    let top = parts
        .top
        .iter()
        .map(|Ranked { row, access }| TopRow {
            link: access.as_ref().is_some_and(|(bu, owner)| {
                caller.principal.may_on_solution(Action::ReadSolutions, bu, owner.as_deref())
            }),
            ..row.clone()
        })
        .collect();
    Ok(DashboardView { title, parts, top })
}

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Action::ReadDashboard)?;
    let figures = state.figures(&caller.principal).await?;
    let title = if caller.principal.sees_all() {
        "Portfolio".to_owned()
    } else {
        caller.user.business_units.join(", ")
    };
    let view = dashboard_view(title, &figures, &caller)?;
    render_dashboard(&state, &caller, &view)
}

pub(crate) async fn business_unit(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(name): Path<String>,
) -> PageResult<Html<String>> {
    caller.require(Action::ReadDashboard)?;
    let units = state.store().business_units().await?;
    let unit = units
        .iter()
        .find(|u| same_name(&u.name, &name))
        .filter(|u| caller.principal.in_unit(&u.name));
    let Some(unit) = unit else {
        tracing::warn!(user = %caller.user.name, "refused: a business unit outside the caller's scope");
        return Err(Failure::NotFound(format!("no business unit '{}'", name.trim())).into());
    };
    let scope = crate::state::Scope::of(&caller.principal).in_unit(&unit.name);
    let figures = state.figures_of(scope).await?;
    let view = dashboard_view(unit.name.clone(), &figures, &caller)?;
    render_dashboard(&state, &caller, &view)
}

pub(crate) async fn solutions(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(filter): Query<SolutionFilter>,
) -> PageResult<Html<String>> {
    let list = visible(&state, &caller, &filter).await?;
    let rows: Vec<_> = list.iter().map(crate::api::SolutionOut::from).collect();
    let may_add = caller.principal.may(Action::WriteSolution);
    render(
        &state,
        "solutions.html",
        json!({"frame": Frame::of(&caller), "rows": rows, "may_add": may_add, "q": filter_q(&filter)}),
    )
}

fn filter_q(f: &SolutionFilter) -> String {
    f.q.clone().unwrap_or_default()
}

async fn form_choices(
    state: &AppState,
    caller: &crate::auth::Caller,
) -> PageResult<serde_json::Value> {
    let units: Vec<String> = state
        .store()
        .business_units()
        .await?
        .into_iter()
        .map(|u| u.name)
        .filter(|u| caller.principal.in_unit(u))
        .collect();
    Ok(
        json!({"units": units, "kinds": worth_core::solution::SolutionKind::VARIANTS, "criticalities": worth_core::solution::Criticality::VARIANTS, "env_types": worth_core::solution::EnvironmentType::VARIANTS}),
    )
}

/// The registration form: empty, or as typed with the reason it was refused.
pub(crate) async fn new_solution_page(
    state: &AppState,
    caller: &crate::auth::Caller,
    refused: Option<(&SolutionForm, String)>,
) -> PageResult<Html<String>> {
    caller.require(Action::WriteSolution)?;
    let choices = form_choices(state, caller).await?;
    let (typed, message) = match refused {
        Some((form, message)) => (json!(form), Some(message)),
        None => (json!({"criticality": "standard"}), None),
    };
    render(
        state,
        "solution_new.html",
        json!({"frame": Frame::of(caller), "choices": choices, "message": message,
            "typed": typed}),
    )
}

pub(crate) async fn new_solution_form(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    new_solution_page(&state, &caller, None).await
}

/// The registration form.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct SolutionForm {
    #[serde(skip_serializing)]
    csrf: String,
    name: String,
    kind: String,
    business_unit: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    environment: String,
    #[serde(default)]
    environment_type: String,
}

pub(crate) async fn create_solution(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<SolutionForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let input = NewSolutionIn {
        name: form.name.clone(),
        kind: form.kind.clone(),
        business_unit: form.business_unit.clone(),
        owner: Some(form.owner.clone()),
        criticality: Some(form.criticality.clone()),
        environment: Some(form.environment.clone()),
        environment_type: Some(form.environment_type.clone()),
        platform: None,
        external_ids: Vec::new(),
        stage: None,
    };
    let mut w = state.store().write(&caller.user.name).await?;
    let result = match new_solution(&caller, input, w.today()) {
        Ok(new) => w.add_solution(&new).await.map_err(Failure::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => {
            w.commit().await?;
            Ok(Redirect::to(&format!("/solutions/{}", s.id)).into_response())
        }
        Err(e) => {
            drop(w);
            let (status, m) = e.form_refusal()?;
            let page = new_solution_page(&state, &caller, Some((&form, m))).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Debug, Serialize)]
struct LineRow {
    name: String,
    category: String,
    model: String,
    evidence: String,
    estimated: String,
    realized: String,
    frozen: bool,
}

pub(crate) async fn solution(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let s = solution_for(&state, &caller, id, Action::ReadSolutions).await?;
    let loaded = state.loaded().await?;
    let (cur, loc) =
        (loaded.settings.currency.code().to_owned(), loaded.settings.locale.to_string());
    let minor = loaded.settings.currency.minor_units();
    let data: Vec<_> = loaded.data().into_iter().filter(|d| d.solution.id == s.id).collect();
    let p = evaluate(&loaded.ctx(false), &data);
    let value = p.solutions.first();
    let (from, to) = crate::state::dashboard_period(loaded.today);
    let to_end = to.checked_add_months(chrono::Months::new(1)).unwrap_or(to);
    let stored = state.store().value_lines(Some(s.id)).await?;
    let lines: Vec<LineRow> = value
        .map(|v| {
            v.lines
                .iter()
                .map(|l| LineRow {
                    name: l.name.clone(),
                    category: l.category.to_string(),
                    model: l.model.to_owned(),
                    evidence: l.evidence.to_string(),
                    // Rounded once to the currency's minor unit, as every shown amount is.
                    estimated: money(
                        round_amount(l.estimated_between(from, to_end), minor),
                        &cur,
                        &loc,
                    ),
                    realized: money(
                        round_amount(l.realized_between(from, to_end), minor),
                        &cur,
                        &loc,
                    ),
                    frozen: stored.iter().any(|x| x.id == l.line_id && x.frozen.is_some()),
                })
                .collect()
        })
        .unwrap_or_default();
    let figures = value.map(|v| {
        let r = crate::api::roi_row(v.name.clone(), 1, &v.financials, p.currency);
        let row = serde_json::to_value(&r).unwrap_or_default();
        let shown = |k: &str| {
            row[k].as_str().and_then(|t| t.parse::<Decimal>().ok()).map(|d| money(d, &cur, &loc))
        };
        json!({
            "pv_benefits": shown("pv_benefits"), "pv_costs": shown("pv_costs"),
            "npv": shown("npv"), "value_to_date": shown("value_to_date"),
            "roi_percent": row["roi_percent"], "payback_months": row["payback_months"],
        })
    });
    let costs: Vec<(String, String, String)> = state
        .store()
        .cost_lines()
        .await?
        .into_iter()
        .filter(|c| c.solution_id == s.id)
        .map(|c| {
            let code = c.amount.currency.code();
            let amount = round_amount(c.amount.amount, c.amount.currency.minor_units());
            (c.item, c.kind.to_string(), money(amount, code, &loc))
        })
        .collect();
    let explain = match explain_tree(&state, s.id).await {
        Ok(tree) => Some(tree),
        Err(Failure::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let may_assess = crate::api::solutions::permits(&caller, Action::WriteSolution, &s);
    let checkins: Vec<_> = state
        .store()
        .value_checkins()
        .await?
        .into_iter()
        .filter(|c| c.solution_id == s.id)
        .map(|c| json!({"on": c.checked_on.to_string(), "note": c.note}))
        .collect();
    render(
        &state,
        "solution.html",
        json!({"frame": Frame::of(&caller), "s": crate::api::SolutionOut::from(&s), "period": format!("{} to {}", worth_core::period::label(from), worth_core::period::label(to)), "lines": lines, "figures": figures, "costs": costs, "explain": explain, "may_assess": may_assess, "currency": cur, "checkins": checkins, "problems": p.problems}),
    )
}

async fn assess_page(
    state: &AppState,
    caller: &crate::auth::Caller,
    id: i64,
    message: Option<String>,
    given: Option<&AssessForm>,
) -> PageResult<Html<String>> {
    let s = solution_for(state, caller, id, Action::WriteSolution).await?;
    let models: Vec<_> =
        CATALOGUE.iter().map(|(n, f, p)| json!({"name": n, "formula": f, "params": p})).collect();
    render(
        state,
        "assess.html",
        json!({"frame": Frame::of(caller), "s": crate::api::SolutionOut::from(&s), "models": models, "categories": worth_core::value::Category::VARIANTS, "evidence": worth_core::value::EvidenceGrade::VARIANTS, "message": message, "given": given}),
    )
}

pub(crate) async fn assess_form(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    assess_page(&state, &caller, id, None, None).await
}

/// The value assessment form: parameters one `key=value` a line. Shown again as given when
/// it is refused, so nothing typed is lost.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct AssessForm {
    #[serde(skip_serializing)]
    csrf: String,
    name: String,
    category: String,
    model: String,
    #[serde(default)]
    params: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    attribution: String,
    #[serde(default)]
    start: String,
}

pub(crate) async fn assess(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<AssessForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let s = solution_for(&state, &caller, id, Action::WriteSolution).await?;
    let mut params = BTreeMap::new();
    for line in form.params.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((k, v)) = line.split_once('=') else {
            let m = format!("'{line}' is not key=value");
            return Ok(assess_page(&state, &caller, id, Some(m), Some(&form))
                .await?
                .into_response());
        };
        if params.insert(k.trim().to_owned(), v.trim().to_owned()).is_some() {
            let m = format!("'{}' is given twice: give it once", k.trim());
            return Ok(assess_page(&state, &caller, id, Some(m), Some(&form))
                .await?
                .into_response());
        }
    }
    let input = NewValueLineIn {
        name: form.name.clone(),
        category: form.category.clone(),
        model: form.model.clone(),
        params,
        evidence: Some(form.evidence.clone()),
        attribution: Some(form.attribution.clone()),
        start: Some(form.start.clone()),
        horizon_months: None,
        currency: None,
    };
    let mut w = state.store().write(&caller.user.name).await?;
    let result = match new_value_line(&state, input, w.today()).await {
        Ok(new) => {
            w.add_value_line(&s.name, Some(&s.business_unit), &new).await.map_err(Failure::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            w.commit().await?;
            Ok(Redirect::to(&format!("/solutions/{id}")).into_response())
        }
        Err(e) => {
            let (status, m) = e.form_refusal()?;
            let page = assess_page(&state, &caller, id, Some(m), Some(&form)).await?;
            Ok((status, page).into_response())
        }
    }
}

async fn users_page(
    state: &AppState,
    caller: &crate::auth::Caller,
    message: Option<String>,
) -> PageResult<Html<String>> {
    caller.require(Action::Admin)?;
    let users = state.store().users().await?;
    let choices = form_choices(state, caller).await?;
    render(
        state,
        "users.html",
        json!({"frame": Frame::of(caller), "users": users, "choices": choices, "message": message, "roles": worth_core::access::Role::VARIANTS}),
    )
}

pub(crate) async fn users(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    users_page(&state, &caller, None).await
}

/// The form that creates a user.
#[derive(Debug, Deserialize)]
pub(crate) struct UserForm {
    csrf: String,
    name: String,
    password: String,
    role: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    business_unit: String,
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<UserForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let input = NewUserIn {
        name: form.name,
        password: form.password,
        role: form.role,
        person: Some(form.person),
        business_units: Some(form.business_unit)
            .filter(|b| !b.trim().is_empty())
            .into_iter()
            .collect(),
    };
    match make_user(&state, &caller, input).await {
        Ok(_) => Ok(Redirect::to("/users").into_response()),
        Err(e) => {
            let (status, m) = e.form_refusal()?;
            Ok((status, users_page(&state, &caller, Some(m)).await?).into_response())
        }
    }
}

async fn tokens_page(
    state: &AppState,
    caller: &crate::auth::Caller,
    created: Option<String>,
    message: Option<String>,
) -> PageResult<Html<String>> {
    caller.require(Action::OwnTokens)?;
    let tokens = state.store().tokens(Some(&caller.user.name)).await?;
    let roles: Vec<&str> = worth_core::access::Role::VARIANTS
        .iter()
        .copied()
        .filter(|r| r.parse().is_ok_and(|r| caller.principal.may_grant(r)))
        .collect();
    render(
        state,
        "tokens.html",
        json!({"frame": Frame::of(caller), "tokens": tokens, "roles": roles, "created": created, "message": message}),
    )
}

pub(crate) async fn tokens(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    tokens_page(&state, &caller, None, None).await
}

/// The form that creates a token.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    csrf: String,
    name: String,
    #[serde(default)]
    role: String,
}

pub(crate) async fn create_token(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<TokenForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    match make_token(&state, &caller, NewTokenIn { name: form.name, role: Some(form.role) }).await {
        Ok(created) => {
            let token = serde_json::to_value(&created)
                .ok()
                .and_then(|v| v.get("token").and_then(|t| t.as_str().map(str::to_owned)));
            Ok(tokens_page(&state, &caller, token, None).await?.into_response())
        }
        Err(Failure::Forbidden(m)) => {
            let page = tokens_page(&state, &caller, None, Some(m)).await?;
            Ok((StatusCode::FORBIDDEN, page).into_response())
        }
        Err(e) => {
            let (status, m) = e.form_refusal()?;
            Ok((status, tokens_page(&state, &caller, None, Some(m)).await?).into_response())
        }
    }
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Redirect> {
    caller.check_csrf(Some(&form.csrf))?;
    drop_token(&state, &caller, id).await?;
    Ok(Redirect::to("/tokens"))
}

/// The report as a file to save: its inline style sheet, which the server's policy blocks, then
/// applies when the file is opened.
pub(crate) async fn report_html(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<impl IntoResponse> {
    caller.require(Action::ReadReport)?;
    let figures = state.figures(&caller.principal).await?;
    let html = render_html(&figures.report).map_err(|e| Failure::Internal(e.into()))?;
    let saved = (header::CONTENT_DISPOSITION, "attachment; filename=\"value-report.html\"");
    Ok(([saved], Html(html)))
}

pub(crate) async fn report_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    caller.require(Action::ReadReport)?;
    let figures = state.figures(&caller.principal).await?;
    let bytes = render_xlsx(&figures.report).map_err(|e| Failure::Internal(e.into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"value-report.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) async fn disable_user(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let change = UserChangeIn { disabled: Some(true), ..UserChangeIn::default() };
    user_change(&state, &caller, &name, change).await
}

pub(crate) async fn enable_user(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let change = UserChangeIn { disabled: Some(false), ..UserChangeIn::default() };
    user_change(&state, &caller, &name, change).await
}

/// The page that changes one user's access: their role selected, their units ticked, or
/// what was sent when the change was refused.
async fn access_page(
    state: &AppState,
    caller: &crate::auth::Caller,
    name: &str,
    sent: Option<(&str, &[String], String)>,
) -> PageResult<Response> {
    caller.require(Action::Admin)?;
    let user = user_named(state, name).await?;
    let (role, chosen, message, status) = match &sent {
        Some((role, units, message)) => {
            (role.to_string(), units.to_vec(), Some(message.clone()), StatusCode::BAD_REQUEST)
        }
        None => (user.role.to_string(), user.business_units.clone(), None, StatusCode::OK),
    };
    let units: Vec<_> = state
        .store()
        .business_units()
        .await?
        .into_iter()
        .map(|u| json!({"name": u.name, "checked": chosen.iter().any(|c| same_name(c, &u.name))}))
        .collect();
    let page = render(
        state,
        "user_access.html",
        json!({"frame": Frame::of(caller), "user": user, "role": role, "units": units,
            "roles": worth_core::access::Role::VARIANTS, "message": message}),
    )?;
    Ok((status, page).into_response())
}

pub(crate) async fn access_form(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(name): Path<String>,
) -> PageResult<Response> {
    access_page(&state, &caller, &name, None).await
}

/// The form that changes a user's access: `csrf`, `role`, and one `business_unit` per ticked
/// box (repeated keys, which is why it is read raw).
pub(crate) async fn change_access(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(name): Path<String>,
    RawForm(body): RawForm,
) -> PageResult<Response> {
    let (mut csrf, mut role, mut units) = (None, String::new(), Vec::new());
    for (key, value) in form_urlencoded::parse(&body) {
        match &*key {
            "csrf" => csrf = Some(value.into_owned()),
            "role" => role = value.into_owned(),
            "business_unit" => units.push(value.into_owned()),
            _ => {}
        }
    }
    caller.check_csrf(csrf.as_deref())?;
    let change = UserChangeIn {
        role: Some(role.clone()),
        business_units: Some(units.clone()),
        disabled: None,
    };
    match change_user(&state, &caller, &name, change).await {
        Ok(_) => Ok(Redirect::to("/users").into_response()),
        Err(e) => {
            let (_, m) = e.form_refusal()?;
            access_page(&state, &caller, &name, Some((&role, &units, m))).await
        }
    }
}

/// Applies a change from the users page: back to the page, with the reason when refused.
async fn user_change(
    state: &AppState,
    caller: &crate::auth::Caller,
    name: &str,
    change: UserChangeIn,
) -> PageResult<Response> {
    match change_user(state, caller, name, change).await {
        Ok(_) => Ok(Redirect::to("/users").into_response()),
        Err(e) => {
            let (status, m) = e.form_refusal()?;
            Ok((status, users_page(state, caller, Some(m)).await?).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;

    use super::cross_site;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_login_posted_from_another_site_is_refused() {
        assert!(cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "worth.local")
        ])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!cross_site(&headers(&[
            ("origin", "http://worth.local:8080"),
            ("host", "worth.local:8080")
        ])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        // Tools that send neither header (curl, scripts) are not browsers led by another site.
        assert!(!cross_site(&headers(&[("host", "worth.local")])));
    }
}
