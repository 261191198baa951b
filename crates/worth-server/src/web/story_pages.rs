//! The pages of success stories: the list, the editor of a draft, a story with its live
//! figures and its workflow buttons.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use worth_core::access::Action;
use worth_core::program::story::StoryStatus;

use super::pages::render;
use super::{Frame, PageCaller};
use crate::auth::Caller;
use crate::error::{Failure, PageResult};
use crate::state::AppState;
use crate::stories::{
    NewStoryIn, StoryPartsIn, create, edit, may_edit, move_to, readable, story_for, view,
};

pub(crate) async fn list(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    let stories: Vec<_> = readable(&state, &caller)
        .await?
        .into_iter()
        .map(|s| json!({"id": s.id, "title": s.title, "author": s.author, "status": s.status.to_string()}))
        .collect();
    let may_write = caller.principal.may(Action::WriteProgram);
    render(
        &state,
        "stories.html",
        json!({"frame": Frame::of(&caller), "stories": stories, "may_write": may_write}),
    )
}

/// The form of a new story: empty, or as typed with the reason it was refused.
async fn editor(
    state: &AppState,
    caller: &Caller,
    refused: Option<(&StoryForm, String)>,
) -> PageResult<Html<String>> {
    caller.require(Action::WriteProgram)?;
    let solutions: Vec<_> = state
        .store()
        .solutions(None)
        .await?
        .into_iter()
        .filter(|s| crate::api::solutions::permits(caller, Action::WriteSolution, s))
        .map(|s| json!({"id": s.id, "name": s.name, "business_unit": s.business_unit}))
        .collect();
    let (typed, message) = match refused {
        Some((form, message)) => (json!(form), Some(message)),
        None => (json!({}), None),
    };
    render(
        state,
        "story_new.html",
        json!({"frame": Frame::of(caller), "solutions": solutions, "message": message,
            "typed": typed}),
    )
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    editor(&state, &caller, None).await
}

/// The story editor's form.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct StoryForm {
    #[serde(skip_serializing)]
    csrf: String,
    title: String,
    problem: String,
    solution: String,
    #[serde(default)]
    obstacles: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    solution_id: String,
}

pub(crate) async fn create_story(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<StoryForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let solution_id = match form.solution_id.trim() {
        "" => None,
        id => Some(
            id.parse::<i64>()
                .map_err(|_| Failure::BadRequest(format!("'{id}' is not a solution id")))?,
        ),
    };
    let input = NewStoryIn {
        title: form.title.clone(),
        problem: form.problem.clone(),
        solution: form.solution.clone(),
        obstacles: form.obstacles.clone(),
        value: form.value.clone(),
        next_steps: form.next_steps.clone(),
        solution_id,
    };
    match create(&state, &caller, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/stories/{id}")).into_response()),
        Err(e) => {
            let (status, m) = e.form_refusal()?;
            Ok((status, editor(&state, &caller, Some((&form, m))).await?).into_response())
        }
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let story = story_for(&state, &caller, id).await?;
    let v = view(&state, &caller, &story).await?;
    render(&state, "story.html", json!({"frame": Frame::of(&caller), "story": v}))
}

/// The editor of a draft: its parts as stored, or as typed when a save was refused.
async fn edit_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    typed: Option<(&EditForm, String)>,
) -> PageResult<Response> {
    caller.require(Action::WriteProgram)?;
    let story = story_for(state, caller, id).await?;
    if !may_edit(caller, &story) {
        let why = if story.status == StoryStatus::Draft {
            format!("only its author, {}, edits this story", story.author)
        } else {
            crate::stories::not_editable(story.status)
        };
        return Err(Failure::Forbidden(why).into());
    }
    let (parts, message, status) = match typed {
        Some((form, message)) => (json!(form), Some(message), StatusCode::BAD_REQUEST),
        None => (json!(story.parts), None, StatusCode::OK),
    };
    let page = render(
        state,
        "story_edit.html",
        json!({"frame": Frame::of(caller), "story": {"id": story.id, "title": story.title},
            "parts": parts, "message": message}),
    )?;
    Ok((status, page).into_response())
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    edit_page(&state, &caller, id, None).await
}

/// The form of a draft's parts.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct EditForm {
    #[serde(skip_serializing)]
    csrf: String,
    problem: String,
    solution: String,
    #[serde(default)]
    obstacles: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    next_steps: String,
}

pub(crate) async fn edit_story(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> PageResult<Response> {
    caller.check_csrf(Some(&form.csrf))?;
    let input = StoryPartsIn {
        problem: Some(form.problem.clone()),
        solution: Some(form.solution.clone()),
        obstacles: Some(form.obstacles.clone()),
        value: Some(form.value.clone()),
        next_steps: Some(form.next_steps.clone()),
    };
    match edit(&state, &caller, id, input).await {
        Ok(()) => Ok(Redirect::to(&format!("/stories/{id}")).into_response()),
        Err(e) => {
            let (_, m) = e.form_refusal()?;
            edit_page(&state, &caller, id, Some((&form, m))).await
        }
    }
}

/// A workflow move from the story page.
#[derive(Debug, Deserialize)]
pub(crate) struct MoveForm {
    csrf: String,
    to: String,
}

pub(crate) async fn move_story(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> PageResult<Redirect> {
    caller.check_csrf(Some(&form.csrf))?;
    move_to(&state, &caller, id, &form.to).await?;
    Ok(Redirect::to(&format!("/stories/{id}")))
}
