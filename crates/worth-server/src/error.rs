//! What a request that fails returns: a short public reason and an id for the client, the full
//! error in the log under the same id.
//!
//! API routes answer `{"error": {"kind", "message", "id"}}`; pages answer a small HTML page with
//! the same reason. A client error is logged at warn (someone may be probing), a server fault
//! at error.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;
use worth_store::StoreError;

/// Why a request failed.
#[derive(Debug)]
pub enum Failure {
    /// The input was refused; the message says what to change.
    BadRequest(String),
    /// No session or token, or not a valid one.
    Unauthorized,
    /// The caller's role or scope does not allow this.
    Forbidden(String),
    /// Nothing with that id, or nothing the caller may see.
    NotFound(String),
    /// The record exists already, or changed meanwhile.
    Conflict(String),
    /// A request the framework refused before any handler ran, with its own status: a wrong
    /// method (405), a body that is not the type expected (415) or not the shape (422).
    Refused(StatusCode, String),
    /// Too many failed logins.
    TooManyRequests,
    /// The form's CSRF token is missing or wrong.
    Csrf,
    /// A fault of the server or the store; the message goes to the log only.
    Internal(anyhow::Error),
}

impl Failure {
    /// What a form shows when this refuses what was sent: the status and the reason, the form
    /// being drawn again with it; any other failure is given back as it is.
    pub(crate) fn form_refusal(self) -> Result<(StatusCode, String), Failure> {
        match self {
            Self::BadRequest(m) => Ok((StatusCode::BAD_REQUEST, m)),
            Self::Conflict(m) => Ok((StatusCode::CONFLICT, m)),
            other => Err(other),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Refused(status, _) => *status,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Refused(status, _) => match *status {
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
                _ => "bad_request",
            },
            Self::TooManyRequests => "too_many_requests",
            Self::Csrf => "csrf",
            Self::Internal(_) => "internal",
        }
    }

    /// The reason a client is given; never the internals of a fault.
    pub fn public_message(&self) -> String {
        match self {
            Self::BadRequest(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::Refused(_, m) => m.clone(),
            Self::Unauthorized => "log in, or send a valid API token".into(),
            Self::TooManyRequests => "too many failed logins: wait a few minutes".into(),
            Self::Csrf => "the form has expired: reload the page and try again".into(),
            Self::Internal(_) => "the server could not answer: give the id to an admin".into(),
        }
    }

    /// Logs the failure under a fresh id and returns the id.
    fn log(&self) -> String {
        let id = crate::auth::short_id();
        match self {
            Self::Internal(e) => {
                tracing::error!(error_id = %id, error = %format!("{e:#}"), "request failed")
            }
            Self::Unauthorized | Self::Csrf | Self::TooManyRequests | Self::Forbidden(_) => {
                tracing::warn!(error_id = %id, kind = self.kind(), reason = %self.public_message(), "request refused");
            }
            _ => {
                tracing::debug!(error_id = %id, kind = self.kind(), reason = %self.public_message(), "request refused")
            }
        }
        id
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Self::NotFound(e.to_string()),
            StoreError::Duplicate { .. } | StoreError::Conflict(_) => Self::Conflict(e.to_string()),
            StoreError::Invalid(_) | StoreError::Ambiguous { .. } => {
                Self::BadRequest(e.to_string())
            }
            other => Self::Internal(other.into()),
        }
    }
}

impl From<worth_core::ValidationError> for Failure {
    fn from(e: worth_core::ValidationError) -> Self {
        Self::BadRequest(e.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

/// A failure of an API route: JSON.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let id = self.0.log();
        let body = json!({"error": {
            "kind": self.0.kind(),
            "message": self.0.public_message(),
            "id": id,
        }});
        (self.0.status(), Json(body)).into_response()
    }
}

/// A failure of a page: a small HTML page, or the login page when no one is logged in.
#[derive(Debug)]
pub struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, Failure::Unauthorized) {
            return Redirect::to("/login").into_response();
        }
        let id = self.0.log();
        let page = crate::web::error_page(self.0.status().as_u16(), &self.0.public_message(), &id);
        (self.0.status(), Html(page)).into_response()
    }
}

/// The result of an API route.
pub type ApiResult<T> = Result<T, ApiError>;
/// The result of a page.
pub type PageResult<T> = Result<T, PageError>;
