//! The web app: server-rendered pages for every person who uses Worth, with no script at all.
//!
//! Pages render through minijinja templates (`templates/`, compiled into the binary) with
//! auto-escaping on, so every value from the store or a user is escaped; the only markup
//! inserted as is are the report's SVG charts, which the report crate draws from escaped text.
//! Every form carries the session's CSRF token, checked before anything is written.

mod import_pages;
pub(crate) mod pages;
mod story_pages;

pub(crate) use pages::DashboardParts;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use minijinja::Environment;
use serde::Serialize;
use worth_core::access::Action;

use crate::auth::Caller;
use crate::state::AppState;

/// The page templates, compiled into the binary.
const TEMPLATES: [(&str, &str); 21] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("solutions.html", include_str!("../../templates/solutions.html")),
    ("solution.html", include_str!("../../templates/solution.html")),
    ("solution_new.html", include_str!("../../templates/solution_new.html")),
    ("assess.html", include_str!("../../templates/assess.html")),
    ("users.html", include_str!("../../templates/users.html")),
    ("user_access.html", include_str!("../../templates/user_access.html")),
    ("tokens.html", include_str!("../../templates/tokens.html")),
    ("stories.html", include_str!("../../templates/stories.html")),
    ("story.html", include_str!("../../templates/story.html")),
    ("story_new.html", include_str!("../../templates/story_new.html")),
    ("story_edit.html", include_str!("../../templates/story_edit.html")),
    ("imports.html", include_str!("../../templates/imports.html")),
    ("import.html", include_str!("../../templates/import.html")),
    ("kpis.html", include_str!("../../templates/kpis.html")),
    ("okrs.html", include_str!("../../templates/okrs.html")),
    ("chargeback.html", include_str!("../../templates/chargeback.html")),
    ("guidelines.html", include_str!("../../templates/guidelines.html")),
];

/// The style sheet, served from `/static/app.css` (the policy allows no inline style).
const CSS: &str = include_str!("../../static/app.css");

/// One path segment of a link: every character but letters, digits and `-._~` is
/// percent-encoded, `/` included, so a name with a slash still names one record.
fn segment(value: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(value, KEEP).to_string()
}

/// The template environment, with auto-escaping of every `.html` template and the `segment`
/// filter for names in links.
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    env.add_filter("segment", segment);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("the compiled-in templates parse");
    }
    env
}

/// The pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/", get(pages::dashboard))
        .route("/business-units/{name}", get(pages::business_unit))
        .route("/solutions", get(pages::solutions).post(pages::create_solution))
        .route("/solutions/new", get(pages::new_solution_form))
        .route("/solutions/{id}", get(pages::solution))
        .route("/solutions/{id}/assess", get(pages::assess_form).post(pages::assess))
        .route("/users", get(pages::users).post(pages::create_user))
        .route("/users/{name}/access", get(pages::access_form).post(pages::change_access))
        .route("/users/{name}/disable", post(pages::disable_user))
        .route("/users/{name}/enable", post(pages::enable_user))
        .route("/tokens", get(pages::tokens).post(pages::create_token))
        .route("/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/stories", get(story_pages::list).post(story_pages::create_story))
        .route("/stories/new", get(story_pages::new_form))
        .route("/stories/{id}", get(story_pages::show))
        .route("/stories/{id}/edit", get(story_pages::edit_form).post(story_pages::edit_story))
        .route("/stories/{id}/move", post(story_pages::move_story))
        .route("/imports", get(import_pages::list).post(import_pages::upload))
        .route("/imports/{id}", get(import_pages::show))
        .route("/kpis", get(crate::program::kpis_page))
        .route("/okrs", get(crate::program::okrs_page))
        .route("/chargeback", get(crate::program::chargeback_page))
        .route("/guidelines", get(crate::program::guidelines_page))
        .route("/solutions/{id}/checkin", post(crate::program::checkin_form))
        .route("/report.html", get(pages::report_html))
        .route("/report.xlsx", get(pages::report_xlsx))
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

/// What every page's frame shows: who is logged in, the links their role may follow, and the
/// CSRF token of their forms.
#[derive(Debug, Serialize)]
pub struct Frame {
    user: String,
    role: String,
    csrf: String,
    nav: Vec<(&'static str, &'static str)>,
}

impl Frame {
    /// The frame of `caller`'s pages.
    pub fn of(caller: &Caller) -> Self {
        let p = &caller.principal;
        let mut nav = vec![("/", "Dashboard")];
        if p.may(Action::ReadSolutions) {
            nav.push(("/solutions", "Solutions"));
        }
        if p.may(Action::Finance) {
            nav.push(("/imports", "Imports"));
        }
        if p.may(Action::Admin) {
            nav.push(("/users", "Users"));
        }
        nav.push(("/stories", "Stories"));
        if p.may(Action::ReadProgram) {
            nav.push(("/kpis", "KPIs"));
            nav.push(("/okrs", "OKRs"));
        }
        nav.push(("/chargeback", "Chargeback"));
        nav.push(("/guidelines", "Guidelines"));
        nav.push(("/tokens", "API tokens"));
        Self {
            user: caller.user.name.clone(),
            role: p.role.to_string(),
            csrf: caller.csrf().to_owned(),
            nav,
        }
    }
}

/// The small page of a failure: its status, the public reason and the id of the log entry.
pub fn error_page(status: u16, message: &str, id: &str) -> String {
    templates()
        .get_template("error.html")
        .and_then(|t| t.render(minijinja::context! { status, message, id, frame => () }))
        .unwrap_or_else(|_| "error".to_owned())
}

/// The client's address, when the server knows it, for the login limiter.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// The caller of a page: as [`Caller`], but one who is not logged in is sent to the login page.
#[derive(Debug, Clone)]
pub struct PageCaller(pub Caller);

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = crate::error::PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(Caller::from_request_parts(parts, state).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn a_name_in_a_link_stays_one_segment() {
        assert_eq!(segment("R&D/Labs"), "R%26D%2FLabs");
        assert_eq!(segment("Supply Chain"), "Supply%20Chain");
        assert_eq!(segment("a-b_c.d~e"), "a-b_c.d~e");
    }
}
