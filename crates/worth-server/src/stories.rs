//! Success stories on the web and in the API: who may see and write which story, their
//! Markdown rendered to sanitized HTML, and their figures computed live by the engine.
//!
//! A story belongs to the business units of the solutions it links. Analysts and admins see
//! every story; an owner sees the stories they wrote and the published ones of their units; a
//! sponsor sees the published ones of their units. The store enforces the workflow itself (an
//! analyst other than the author validates); the server checks the role before asking it.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use worth_core::access::{Action, Role};
use worth_core::org::same_name;
use worth_core::program::story::{Figure, StoryStatus, headline, is_measurable, linked_figure};
use worth_core::solution::parse_choice;
use worth_store::{StoryEdit, StoryParts, StoryRecord};

use crate::api::csrf;
use crate::api::solutions::solution_for;
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// Markdown to HTML. HTML typed into a story is shown as the text it is, never as markup, and
/// the result is cleaned by ammonia as well, so no link can run `javascript:` and nothing but
/// the formatting Markdown makes gets through.
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::Event;
    let options = pulldown_cmark::Options::ENABLE_TABLES;
    let parser = pulldown_cmark::Parser::new_ext(text, options).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::clean(&html)
}

/// The business units a story belongs to: those of the solutions it links.
fn units(story: &StoryRecord) -> BTreeSet<String> {
    story.figures.iter().map(|f| f.business_unit.clone()).collect()
}

/// Whether `caller` may read `story`.
pub fn may_read(caller: &Caller, story: &StoryRecord) -> bool {
    let p = &caller.principal;
    if p.sees_all() {
        return true;
    }
    let own = p.role == Role::Owner && same_name(&story.author, &caller.user.name);
    let published_here =
        story.status == StoryStatus::Published && units(story).iter().any(|u| p.in_unit(u));
    own || published_here
}

/// A story as shown: its parts rendered, its figures live, its headline.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryView {
    id: i64,
    title: String,
    author: String,
    status: String,
    /// Each part as sanitized HTML, in the order problem, solution, obstacles, value, next steps.
    #[schema(value_type = Vec<Object>)]
    parts: Vec<(String, String)>,
    #[schema(value_type = Vec<Object>)]
    figures: Vec<Figure>,
    measurable: bool,
    headline: Option<String>,
    /// Workflow moves the caller may make now.
    moves: Vec<String>,
    /// Whether the caller may rewrite its parts now (its author, while it is a draft).
    editable: bool,
    /// The parts as written (Markdown), to be edited.
    #[schema(value_type = Object)]
    markdown: StoryParts,
}

fn moves(caller: &Caller, story: &StoryRecord) -> Vec<String> {
    use StoryStatus::*;
    let author = same_name(&story.author, &caller.user.name);
    let validator = caller.principal.may(Action::ValidateStory);
    let candidates: &[(StoryStatus, bool)] = match story.status {
        Draft => &[(Submitted, author)],
        Submitted => &[(Validated, validator && !author), (Draft, author || validator)],
        Validated => &[(Published, validator)],
        Published => &[],
    };
    candidates.iter().filter(|(_, ok)| *ok).map(|(s, _)| s.to_string()).collect()
}

/// Whether `caller` may rewrite the parts of `story`: its author, while it is a draft (the
/// store checks the same again).
pub fn may_edit(caller: &Caller, story: &StoryRecord) -> bool {
    caller.principal.may(Action::WriteProgram)
        && story.status == StoryStatus::Draft
        && same_name(&story.author, &caller.user.name)
}

/// The view of `story` for `caller`, with its figures computed from the whole portfolio.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    story: &StoryRecord,
) -> Result<StoryView, Failure> {
    let figures = state.figures_of(crate::state::Scope::all()).await?;
    let loaded = state.loaded().await?;
    // A published story was checked for its sponsors and shows every figure it links. Before
    // that, its author sees only the figures of units they still cover: taken out of a unit,
    // an owner no longer reads its solutions' figures through a story of theirs.
    let p = &caller.principal;
    let shown = |f: &&worth_store::FigureLink| {
        p.sees_all() || story.status == StoryStatus::Published || p.in_unit(&f.business_unit)
    };
    let figures: Vec<Figure> = story
        .figures
        .iter()
        .filter(shown)
        .map(|f| {
            let line = f.line.as_ref().map(|(id, n)| (*id, n.as_str()));
            linked_figure(
                &figures.portfolio,
                f.solution_id,
                &f.solution,
                line,
                loaded.settings.currency,
            )
        })
        .collect();
    let p = &story.parts;
    Ok(StoryView {
        id: story.id,
        title: story.title.clone(),
        author: story.author.clone(),
        status: story.status.to_string(),
        parts: [
            ("Problem", &p.problem),
            ("Solution", &p.solution),
            ("Obstacles", &p.obstacles),
            ("Value", &p.value),
            ("Next steps", &p.next_steps),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), markdown(v)))
        .collect(),
        measurable: is_measurable(&figures),
        headline: headline(&story.title, &figures),
        moves: moves(caller, story),
        editable: may_edit(caller, story),
        markdown: story.parts.clone(),
        figures,
    })
}

/// The stories `caller` may read.
pub async fn readable(state: &AppState, caller: &Caller) -> Result<Vec<StoryRecord>, Failure> {
    caller.require(Action::ReadDashboard)?;
    Ok(state.store().stories().await?.into_iter().filter(|s| may_read(caller, s)).collect())
}

/// The story `id`, if `caller` may read it; another's story is answered as not found.
pub async fn story_for(state: &AppState, caller: &Caller, id: i64) -> Result<StoryRecord, Failure> {
    let found = state.store().stories().await?.into_iter().find(|s| s.id == id);
    match found {
        Some(s) if may_read(caller, &s) => Ok(s),
        Some(_) => {
            tracing::warn!(user = %caller.user.name, story_id = id, "refused: a story outside the caller's scope");
            Err(Failure::NotFound(format!("no story {id}")))
        }
        None => Err(Failure::NotFound(format!("no story {id}"))),
    }
}

/// A story to write.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewStoryIn {
    /// Its title, unique.
    pub title: String,
    /// The problem (Markdown).
    pub problem: String,
    /// The solution (Markdown).
    pub solution: String,
    /// The obstacles met (Markdown).
    #[serde(default)]
    pub obstacles: String,
    /// The value, in words (Markdown); figures are linked, not typed.
    #[serde(default)]
    pub value: String,
    /// What comes next (Markdown).
    #[serde(default)]
    pub next_steps: String,
    /// The id of a solution whose realized value the story quotes.
    pub solution_id: Option<i64>,
}

/// Writes a draft story, linked to a solution the caller may write to.
pub async fn create(state: &AppState, caller: &Caller, input: NewStoryIn) -> Result<i64, Failure> {
    caller.require(Action::WriteProgram)?;
    let linked = match input.solution_id {
        Some(id) => Some(solution_for(state, caller, id, Action::WriteSolution).await?),
        None => None,
    };
    let parts = StoryParts {
        problem: input.problem,
        solution: input.solution,
        obstacles: input.obstacles,
        value: input.value,
        next_steps: input.next_steps,
    };
    let mut w = state.store().write(&caller.user.name).await?;
    let today = w.today();
    let id = w.add_story(&input.title, &parts, today).await?;
    if let Some(s) = linked {
        w.link_figure(input.title.trim(), &s.name, Some(&s.business_unit), None).await?;
    }
    w.commit().await?;
    Ok(id)
}

/// Why a story that is no longer a draft is not edited.
pub fn not_editable(status: StoryStatus) -> String {
    if status == StoryStatus::Submitted {
        "a submitted story is not edited: move it back to draft first".to_owned()
    } else {
        format!("a {status} story is not edited: what was validated is what sponsors read")
    }
}

/// Parts of a draft to rewrite, as Markdown; a part left out stays as it is, an unknown key
/// is refused (so a misspelt part never passes for one left out).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoryPartsIn {
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

/// Rewrites the parts of the draft story `id`; only its author may.
pub async fn edit(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: StoryPartsIn,
) -> Result<(), Failure> {
    caller.require(Action::WriteProgram)?;
    let story = story_for(state, caller, id).await?;
    if !same_name(&story.author, &caller.user.name) {
        return Err(Failure::Forbidden(format!(
            "only its author, {}, edits this story",
            story.author
        )));
    }
    if story.status != StoryStatus::Draft {
        return Err(Failure::Forbidden(not_editable(story.status)));
    }
    let edit = StoryEdit {
        problem: input.problem,
        solution: input.solution,
        obstacles: input.obstacles,
        value: input.value,
        next_steps: input.next_steps,
    };
    let mut w = state.store().write(&caller.user.name).await?;
    w.edit_story(&story.title, &edit).await?;
    w.commit().await?;
    Ok(())
}

/// Moves a story one step of its workflow.
pub async fn move_to(state: &AppState, caller: &Caller, id: i64, to: &str) -> Result<(), Failure> {
    let story = story_for(state, caller, id).await?;
    let to: StoryStatus = parse_choice("status", to)?;
    if !moves(caller, &story).contains(&to.to_string()) {
        return Err(Failure::Forbidden(format!(
            "you may not move this {} story to {to}",
            story.status
        )));
    }
    let mut w = state.store().write(&caller.user.name).await?;
    let today = w.today();
    w.move_story(&story.title, to, today).await?;
    w.commit().await?;
    Ok(())
}

/// Filters of the story list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoryFilter {
    /// Only stories in this status: `draft`, `submitted`, `validated` or `published`.
    status: Option<String>,
}

/// A page of stories.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryPage {
    total: usize,
    page: u32,
    per_page: u32,
    items: Vec<StoryView>,
}

/// The stories the caller may read, with live figures, a page at a time.
#[utoipa::path(get, path = "/api/stories", params(StoryFilter, crate::api::Paging),
    responses((status = 200, body = StoryPage)))]
pub async fn api_list(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(filter): axum::extract::Query<StoryFilter>,
    axum::extract::Query(paging): axum::extract::Query<crate::api::Paging>,
) -> ApiResult<Json<StoryPage>> {
    let status: Option<StoryStatus> =
        filter.status.as_deref().map(|s| parse_choice("status", s)).transpose()?;
    let stories: Vec<StoryRecord> = readable(&state, &caller)
        .await?
        .into_iter()
        .filter(|s| status.is_none_or(|st| s.status == st))
        .collect();
    let (rows, total, page, per_page) = paging.apply(stories)?;
    let mut items = Vec::with_capacity(rows.len());
    for s in &rows {
        items.push(view(&state, &caller, s).await?);
    }
    Ok(Json(StoryPage { total, page, per_page, items }))
}

/// Writes a draft story.
#[utoipa::path(post, path = "/api/stories", request_body = NewStoryIn,
    responses((status = 201, body = StoryView), (status = 400, body = crate::api::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(input): Json<NewStoryIn>,
) -> ApiResult<(StatusCode, Json<StoryView>)> {
    csrf(&caller, &headers)?;
    let id = create(&state, &caller, input).await?;
    let story = story_for(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &caller, &story).await?)))
}

/// A workflow move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveIn {
    /// `submitted`, `validated`, `published`, or `draft` (back from submitted).
    pub to: String,
}

/// Moves a story through draft → submitted → validated → published.
#[utoipa::path(post, path = "/api/stories/{id}/move", params(("id" = i64, Path)),
    request_body = MoveIn,
    responses((status = 200, body = StoryView), (status = 403, body = crate::api::ErrorBody)))]
pub async fn api_move(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<MoveIn>,
) -> ApiResult<Json<StoryView>> {
    csrf(&caller, &headers)?;
    move_to(&state, &caller, id, &input.to).await?;
    let story = story_for(&state, &caller, id).await?;
    Ok(Json(view(&state, &caller, &story).await?))
}

/// One story the caller may read, with live figures.
#[utoipa::path(get, path = "/api/stories/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = StoryView), (status = 404, body = crate::api::ErrorBody)))]
pub async fn api_show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<StoryView>> {
    caller.require(Action::ReadDashboard)?;
    let story = story_for(&state, &caller, id).await?;
    Ok(Json(view(&state, &caller, &story).await?))
}

/// Rewrites parts of a draft story; only its author may. The parts left out stay.
#[utoipa::path(patch, path = "/api/stories/{id}", params(("id" = i64, Path)),
    request_body = StoryPartsIn,
    responses((status = 200, body = StoryView), (status = 400, body = crate::api::ErrorBody),
        (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn api_edit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<StoryPartsIn>,
) -> ApiResult<Json<StoryView>> {
    csrf(&caller, &headers)?;
    edit(&state, &caller, id, input).await?;
    let story = story_for(&state, &caller, id).await?;
    Ok(Json(view(&state, &caller, &story).await?))
}

#[cfg(test)]
mod tests {
    use super::markdown;

    #[test]
    fn html_typed_in_a_story_shows_as_text() {
        let html =
            markdown("**saved** 3 days\n\n<script>alert(1)</script><img src=x onerror=alert(2)>");
        assert!(html.contains("<strong>saved</strong>"));
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text: {html}");
    }

    #[test]
    fn links_cannot_run_javascript() {
        let html = markdown("[click](javascript:alert(1))");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
