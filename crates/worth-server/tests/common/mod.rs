//! The harness of the server's tests: a real `worth serve` on a random loopback port over a
//! seeded store (SQLite in a temporary directory, or a PostgreSQL database of its own), clients
//! that log in as each role, and the server's log captured for assertions.
//!
//! The log is captured by a subscriber set as the default of the test's thread; tests run on
//! tokio's current-thread runtime so that the server's tasks log on that thread too.

// Each test crate compiles this module and uses a part of it; its items are `pub` for them.
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use reqwest::redirect::Policy;
use rust_decimal::Decimal;
use worth_core::Currency;
use worth_core::access::Role;
use worth_core::pseudonym::SecretKey;
use worth_core::solution::{Criticality, SolutionKind, Stage};
use worth_core::value::models::ModelSpec;
use worth_core::value::{Category, EvidenceGrade};
use worth_core::workspace::WorkspaceSettings;
use worth_server::auth::{digest, hash_password, secret};
use worth_server::{AppState, Settings};
use worth_store::testing::TestDb;
use worth_store::{Location, NewRate, NewSolution, NewUser, NewValueLine, Store};

/// Every seeded user's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The seeded users: one of each role, and a second owner in another business unit.
pub const ADMIN: &str = "root";
pub const ANALYST: &str = "ann";
/// An owner in Finance; the person "Ada".
pub const OWNER: &str = "ada";
/// A sponsor of Finance.
pub const SPONSOR: &str = "sam";
/// An owner in Sales; the person "Grace".
pub const OTHER_OWNER: &str = "grace";

/// The ids of the seeded solutions.
#[derive(Debug, Clone, Copy)]
pub struct Ids {
    /// "Invoice flow": Finance, owned by Ada.
    pub own: i64,
    /// "Ledger app": Finance, owned by Bob (Ada's unit, not hers).
    pub peer: i64,
    /// "Lead app": Sales, owned by Grace.
    pub other: i64,
    /// "Seeded draft": a draft story written by Ada, linking her solution.
    pub story: i64,
}

/// The server's log, shared with the subscriber that writes it.
#[derive(Debug, Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The lines logged so far at warn.
    pub fn warnings(&self) -> Vec<String> {
        self.text().lines().filter(|l| l.contains(" WARN ")).map(str::to_owned).collect()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps the store's files or database alive as long as the server.
#[derive(Debug)]
enum Holder {
    Dir(tempfile::TempDir),
    Db(TestDb),
}

/// A server running for one test.
#[derive(Debug)]
pub struct Server {
    pub base: String,
    pub store: Store,
    pub ids: Ids,
    pub logs: Logs,
    task: tokio::task::JoinHandle<()>,
    _log_guard: tracing::subscriber::DefaultGuard,
    _holder: Holder,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One password hash for every seeded user: argon2id is slow on purpose, and the tests need
/// only that each user's password verifies.
fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap()).clone()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

impl Server {
    /// Starts a server on `backend` over a seeded store, or `None` when the PostgreSQL half
    /// cannot run here (see `TestDb::postgres`).
    pub async fn start(backend: Backend, test: &str) -> Option<Self> {
        Self::start_with(backend, test, Settings::default()).await
    }

    /// As [`Server::start`], with `settings`.
    pub async fn start_with(backend: Backend, test: &str, settings: Settings) -> Option<Self> {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let log_guard = tracing::subscriber::set_default(subscriber);

        let (location, holder) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (Location::Sqlite(dir.path().join("worth.db")), Holder::Dir(dir))
            }
            Backend::Postgres => {
                let db = TestDb::postgres(test).await?;
                (db.location.clone(), Holder::Db(db))
            }
        };
        let store = Store::open(&location).await.unwrap();
        let ids = seed(&store).await;

        let state = AppState::new(store.clone(), settings);
        let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
        let task = tokio::spawn(async move {
            let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
            worth_server::serve(state, addr, move |bound| tx.send(bound).unwrap()).await.unwrap();
        });
        let bound = rx.await.expect("the server binds a loopback port");
        Some(Self {
            base: format!("http://{bound}"),
            store,
            ids,
            logs,
            task,
            _log_guard: log_guard,
            _holder: holder,
        })
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies and does not follow redirects, so tests see them.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
    }

    /// Logs `user` in through the login form and reads the CSRF token from the dashboard.
    pub async fn login(&self, user: &str) -> Session {
        let client = Self::client();
        let res = client
            .post(self.url("/login"))
            .form(&[("name", user), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{user} logs in");
        let page = client.get(self.url("/")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_csrf(&page).unwrap_or_else(|| panic!("no csrf field for {user}"));
        Session { client, csrf }
    }

    /// A fresh API token of `user` carrying `role`, made through the store: (id, token).
    pub async fn token(&self, user: &str, role: Role) -> (i64, String) {
        let token = format!("worth_{}", secret());
        let mut w = self.store.write(ADMIN).await.unwrap();
        let t = w.add_token(user, &format!("t-{}", &token[6..14]), &digest(&token), role).await;
        let t = t.unwrap();
        w.commit().await.unwrap();
        (t.id, token)
    }
}

/// A logged-in browser: its cookie jar and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
}

/// The value of the first hidden `csrf` field of a page.
pub fn hidden_csrf(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let rest = &page[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

pub fn solution(name: &str, unit: &str, owner: &str) -> NewSolution {
    NewSolution {
        name: name.into(),
        kind: SolutionKind::CloudFlow,
        platform: "power-platform".into(),
        business_unit: unit.into(),
        environment: None,
        owner: Some(owner.into()),
        criticality: Criticality::Standard,
        external_ids: Vec::new(),
        stage: Stage::Idea,
        stage_on: d("2025-01-02"),
    }
}

/// A time-saved-per-use assessment: 5 minutes a use, 100 uses a month, an analyst's time.
pub fn time_saved(name: &str) -> NewValueLine {
    let pairs = [("minutes_per_use", "5"), ("role", "analyst"), ("estimated_uses", "100/month")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
    NewValueLine {
        name: name.into(),
        category: Category::TimeSavings,
        spec: ModelSpec::from_pairs("time-saved-per-use", &pairs).unwrap(),
        currency: usd(),
        attribution: Decimal::ONE,
        evidence: EvidenceGrade::OwnerEstimate,
        process: None,
        start: d("2025-01-01"),
        horizon_months: 36,
    }
}

/// The workspace every test starts from, made through the store's own writer as `worth init`
/// and `worth user add` make it.
async fn seed(store: &Store) -> Ids {
    let mut w = store.write("seed").await.unwrap();
    let settings = WorkspaceSettings {
        currency: usd(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &SecretKey::from_bytes([7; 32])).await.unwrap();
    w.add_business_unit("Finance", None).await.unwrap();
    w.add_business_unit("Sales", None).await.unwrap();
    w.add_rate(&NewRate {
        role: "analyst".into(),
        business_unit: None,
        hourly: Decimal::from(60),
        currency: usd(),
        valid_from: d("2020-01-01"),
        valid_to: None,
    })
    .await
    .unwrap();
    let users = [
        (ADMIN, Role::Admin, None, vec![]),
        (ANALYST, Role::Analyst, None, vec![]),
        (OWNER, Role::Owner, Some("Ada"), vec!["Finance"]),
        (SPONSOR, Role::Sponsor, None, vec!["Finance"]),
        (OTHER_OWNER, Role::Owner, Some("Grace"), vec!["Sales"]),
    ];
    for (name, role, person, units) in users {
        w.add_user(&NewUser {
            name: name.into(),
            person: person.map(str::to_owned),
            role,
            password_hash: password_hash(),
            business_units: units.into_iter().map(str::to_owned).collect(),
        })
        .await
        .unwrap();
    }
    let mut ids = Vec::new();
    for (name, unit, owner) in [
        ("Invoice flow", "Finance", "Ada"),
        ("Ledger app", "Finance", "Bob"),
        ("Lead app", "Sales", "Grace"),
    ] {
        ids.push(w.add_solution(&solution(name, unit, owner)).await.unwrap().id);
        w.add_value_line(name, Some(unit), &time_saved("approval time")).await.unwrap();
    }
    w.commit().await.unwrap();
    let mut w = store.write(OWNER).await.unwrap();
    let parts = worth_store::StoryParts {
        problem: "invoices waited".into(),
        solution: "a flow".into(),
        obstacles: String::new(),
        value: String::new(),
        next_steps: String::new(),
    };
    let story = w.add_story("Seeded draft", &parts, d("2024-09-01")).await.unwrap();
    w.link_figure("Seeded draft", "Invoice flow", Some("Finance"), None).await.unwrap();
    w.commit().await.unwrap();
    Ids { own: ids[0], peer: ids[1], other: ids[2], story }
}

/// Every (method, path) the router serves, read from the source of its route tables, so that
/// a route added there without a row in the tests' tables fails them.
pub fn router_routes() -> Vec<(String, String)> {
    let sources = [include_str!("../../src/api/mod.rs"), include_str!("../../src/web/mod.rs")];
    let mut routes = Vec::new();
    for source in sources {
        for call in source.split(".route(").skip(1) {
            let path = call.split('"').nth(1).expect("a route starts with its path").to_owned();
            // The handlers of this route are up to the closing parenthesis of `.route(`.
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(call.len(), |(i, _)| i);
            let handlers = &call[..end];
            for method in ["get", "post", "put", "patch", "delete"] {
                let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0
                        || !handlers[..i]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if called {
                    routes.push((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    routes
}

/// Whether a concrete path (query dropped) matches a route's template with `{param}`s.
pub fn matches_template(path: &str, template: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (p, t): (Vec<_>, Vec<_>) = (path.split('/').collect(), template.split('/').collect());
    p.len() == t.len()
        && p.iter().zip(&t).all(|(a, b)| a == b || (b.starts_with('{') && b.ends_with('}')))
}
