//! `/api/tokens` and `/api/users`: API tokens for automation (shown once, stored hashed,
//! revocable, limited to a role) and the users an admin manages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use worth_core::access::{Action, Role};
use worth_core::org::same_name;
use worth_core::solution::parse_choice;
use worth_store::{ApiToken, NewUser, StoreError, User};

use super::{ErrorBody, csrf};
use crate::auth::{Caller, digest, hash_password, secret};
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// An API token as listed: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    id: i64,
    user: String,
    name: String,
    role: String,
    #[schema(value_type = String)]
    created_at: DateTime<Utc>,
    #[schema(value_type = Option<String>)]
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id,
            user: t.user,
            name: t.name,
            role: t.role.to_string(),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's tokens; an admin's list holds every user's.
#[utoipa::path(get, path = "/api/tokens", responses((status = 200, body = [TokenOut])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TokenOut>>> {
    caller.require(Action::OwnTokens)?;
    let user = (!caller.principal.may(Action::Admin)).then_some(caller.user.name.as_str());
    let tokens = state.store().tokens(user).await?;
    Ok(Json(tokens.into_iter().map(TokenOut::from).collect()))
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenIn {
    /// What it is for, such as `power-bi`.
    pub name: String,
    /// The role it carries, at most the caller's (default the caller's).
    pub role: Option<String>,
}

/// A new token: the only time the token itself is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Send it as `Authorization: Bearer <token>`; it is not shown again.
    token: String,
    details: TokenOut,
}

/// Creates a token of the caller's own; the token is in the answer and never again.
pub(crate) async fn create_token(
    state: &AppState,
    caller: &Caller,
    input: NewTokenIn,
) -> Result<CreatedToken, Failure> {
    caller.require(Action::OwnTokens)?;
    let role: Role = match input.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => parse_choice("role", r)?,
        None => caller.principal.role,
    };
    if !caller.principal.may_grant(role) {
        return Err(Failure::Forbidden(format!(
            "a token cannot carry more than your role {}",
            caller.principal.role
        )));
    }
    let token = format!("worth_{}", secret());
    let mut w = state.store().write(&caller.user.name).await?;
    let details = w.add_token(&caller.user.name, &input.name, &digest(&token), role).await?;
    w.commit().await?;
    Ok(CreatedToken { token, details: details.into() })
}

/// Creates an API token of the caller's own.
#[utoipa::path(post, path = "/api/tokens", request_body = NewTokenIn,
    responses((status = 201, body = CreatedToken), (status = 403, body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(input): Json<NewTokenIn>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    csrf(&caller, &headers)?;
    Ok((StatusCode::CREATED, Json(create_token(&state, &caller, input).await?)))
}

/// Revokes a token: the caller's own, or any for an admin.
pub(crate) async fn revoke_token(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<ApiToken, Failure> {
    caller.require(Action::OwnTokens)?;
    let owner = (!caller.principal.may(Action::Admin)).then_some(caller.user.name.as_str());
    let mut w = state.store().write(&caller.user.name).await?;
    let token = w.revoke_token(id, owner).await?;
    w.commit().await?;
    Ok(token)
}

/// Revokes a token.
#[utoipa::path(delete, path = "/api/tokens/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = TokenOut), (status = 404, body = ErrorBody)))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<Json<TokenOut>> {
    csrf(&caller, &headers)?;
    Ok(Json(revoke_token(&state, &caller, id).await?.into()))
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    id: i64,
    name: String,
    person: Option<String>,
    role: String,
    business_units: Vec<String>,
    disabled: bool,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            name: u.name,
            person: u.person,
            role: u.role.to_string(),
            business_units: u.business_units,
            disabled: u.disabled,
        }
    }
}

/// Every user (admins only).
#[utoipa::path(get, path = "/api/users", responses((status = 200, body = [UserOut]),
    (status = 403, body = ErrorBody)))]
pub(crate) async fn users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<UserOut>>> {
    caller.require(Action::Admin)?;
    Ok(Json(state.store().users().await?.into_iter().map(UserOut::from).collect()))
}

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserIn {
    /// The login name.
    pub name: String,
    /// At least 10 characters.
    pub password: String,
    /// `admin`, `analyst`, `owner` or `sponsor`.
    pub role: String,
    /// The person the user is, as solutions name their owner.
    pub person: Option<String>,
    /// The business units of an owner or a sponsor.
    #[serde(default)]
    pub business_units: Vec<String>,
}

/// Creates a user (admins only).
pub(crate) async fn create_user(
    state: &AppState,
    caller: &Caller,
    input: NewUserIn,
) -> Result<User, Failure> {
    caller.require(Action::Admin)?;
    let role: Role = parse_choice("role", &input.role)?;
    let password = input.password;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| Failure::BadRequest(e.to_string()))?;
    let mut w = state.store().write(&caller.user.name).await?;
    w.confirm_role(&caller.user.name, Role::Admin)
        .await
        .map_err(|e| Failure::Forbidden(e.to_string()))?;
    let user = w
        .add_user(&NewUser {
            name: input.name,
            person: input.person.filter(|p| !p.trim().is_empty()),
            role,
            password_hash,
            business_units: input.business_units,
        })
        .await?;
    w.commit().await?;
    Ok(user)
}

/// Creates a user (admins only).
#[utoipa::path(post, path = "/api/users", request_body = NewUserIn,
    responses((status = 201, body = UserOut), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub(crate) async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(input): Json<NewUserIn>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    csrf(&caller, &headers)?;
    Ok((StatusCode::CREATED, Json(create_user(&state, &caller, input).await?.into())))
}

/// A change of a user's access; what is left out stays as it is, an unknown key is refused.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeIn {
    /// `admin`, `analyst`, `owner` or `sponsor`.
    pub role: Option<String>,
    /// The business units of an owner or a sponsor (replacing the current ones).
    pub business_units: Option<Vec<String>>,
    /// `true` disables the user (sessions end, tokens are revoked); `false` enables them.
    pub disabled: Option<bool>,
}

/// The user called `name`, in any case.
pub(crate) async fn user_named(state: &AppState, name: &str) -> Result<User, Failure> {
    let users = state.store().users().await?;
    users
        .into_iter()
        .find(|u| same_name(&u.name, name))
        .ok_or_else(|| Failure::NotFound(format!("no user '{}'", name.trim())))
}

/// Changes the access of user `name` (admins only; not their own: another admin does that).
pub(crate) async fn change_user(
    state: &AppState,
    caller: &Caller,
    name: &str,
    change: UserChangeIn,
) -> Result<User, Failure> {
    caller.require(Action::Admin)?;
    if same_name(name, &caller.user.name) {
        return Err(Failure::BadRequest(
            "you cannot change your own access: another admin does that".into(),
        ));
    }
    let role = change.role.as_deref().map(|r| parse_choice::<Role>("role", r)).transpose()?;
    let mut user = user_named(state, name).await?;
    let mut w = state.store().write(&caller.user.name).await?;
    w.confirm_role(&caller.user.name, Role::Admin)
        .await
        .map_err(|e| Failure::Forbidden(e.to_string()))?;
    if role.is_some() || change.business_units.is_some() {
        let units = change.business_units.unwrap_or(user.business_units);
        let units: Vec<String> = units.into_iter().filter(|u| !u.trim().is_empty()).collect();
        user = w.set_access(&user.name, role.unwrap_or(user.role), &units).await.map_err(|e| {
            match e {
                // A unit that does not exist is a mistake in the request, not a missing user.
                StoreError::NotFound { entity: "business unit", .. } => {
                    Failure::BadRequest(e.to_string())
                }
                other => other.into(),
            }
        })?;
    }
    match change.disabled {
        Some(true) => user = w.disable_user(&user.name).await?,
        Some(false) => user = w.enable_user(&user.name).await?,
        None => {}
    }
    w.commit().await?;
    Ok(user)
}

/// Changes a user's role, business units, or whether they may log in (admins only). Tokens
/// carrying more than the new role allows are revoked; the last active admin stays one.
#[utoipa::path(patch, path = "/api/users/{name}", params(("name" = String, Path)),
    request_body = UserChangeIn,
    responses((status = 200, body = UserOut), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn patch_user(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Json(change): Json<UserChangeIn>,
) -> ApiResult<Json<UserOut>> {
    csrf(&caller, &headers)?;
    Ok(Json(change_user(&state, &caller, &name, change).await?.into()))
}
