//! The HTTP API and the web app served by `worth serve`.
//!
//! One axum router serves both: the JSON API under `/api` (with its OpenAPI document at
//! `/api/openapi.json`, generated from the handlers by utoipa) and server-rendered pages
//! everywhere else. Every route takes a [`auth::Caller`] and checks the role policy of
//! `worth_core::access` before it reads or writes anything; pages render through minijinja with
//! auto-escaping, and every response carries the security headers set in [`router`].
//!
//! Only this crate knows HTTP. It computes nothing of its own: figures come from the value
//! engine through `worth_store::Loaded`, exactly as the CLI's.

pub mod api;
pub mod auth;
pub mod error;
pub mod imports;
pub mod program;
pub mod state;
pub mod stories;
pub mod web;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use state::{AppState, Settings};

/// The Content-Security-Policy of every response: no script at all, nothing from elsewhere,
/// never framed.
pub const CSP: &str = "default-src 'none'; script-src 'none'; style-src 'self'; \
                       img-src 'self' data:; form-action 'self'; base-uri 'none'; \
                       frame-ancestors 'none'";

/// The whole application: API, pages and security headers.
pub fn router(state: AppState) -> Router {
    let limit = state.settings().max_upload;
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    Router::new()
        .merge(api::routes())
        .merge(web::routes())
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(api_errors))
        .layer(middleware::from_fn(log_request))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(header::CACHE_CONTROL, "no-store"))
        .with_state(state)
}

/// Gives the API's error body (kind, message, id) to the failures axum answers in plain text
/// before any handler runs: a body that is not the JSON expected, a path or query that does not
/// parse, a body over the limit, no such route.
async fn api_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let answered = response.headers().get(header::CONTENT_TYPE).is_some_and(|c| {
        c.as_bytes().starts_with(b"application/json") || c.as_bytes().starts_with(b"text/html")
    });
    if answered || !status.is_client_error() {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let reason = status.canonical_reason().unwrap_or("refused").to_lowercase();
    let failure = match status {
        StatusCode::NOT_FOUND if api => error::Failure::NotFound("no such API route".into()),
        StatusCode::NOT_FOUND => error::Failure::NotFound("no such page".into()),
        StatusCode::PAYLOAD_TOO_LARGE => error::Failure::BadRequest(
            "the upload is larger than this server accepts (worth serve --max-upload-mib)".into(),
        ),
        _ => error::Failure::Refused(status, if text.is_empty() { reason } else { text }),
    };
    // Pages get the app's error page, the API its error body; both keep the status.
    let mut answer = if api {
        error::ApiError(failure).into_response()
    } else {
        error::PageError(failure).into_response()
    };
    *answer.status_mut() = status;
    answer
}

/// Logs each request's method, path, status and time at debug; never its query or body,
/// which may carry personal data.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// A handler that panicked answers 500 with an id, like any other fault, instead of closing
/// the connection; the panic goes to the log under that id.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned());
    error::ApiError(error::Failure::Internal(anyhow::anyhow!("panic: {message}"))).into_response()
}

/// Serves `state` on `addr` until the process is interrupted; `ready` is told the address
/// actually bound (port 0 picks a free one).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, store = %state.store().location(), "serving");
    let worker =
        state.settings().import_poll.map(|poll| imports::spawn_worker(state.clone(), poll));
    ready(bound);
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    if let Some(w) = worker {
        w.abort();
    }
    Ok(())
}
