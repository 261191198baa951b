//! Every route the router serves, against every role and an anonymous caller, on SQLite and on
//! PostgreSQL: the status each must get, with a session (and its CSRF token) and with an API
//! token of the same role. And the owner who guesses the id of another unit's solution: refused
//! as if it did not exist, and the attempt logged at warn.

mod common;

use common::{ADMIN, ANALYST, Backend, OTHER_OWNER, OWNER, PASSWORD, SPONSOR, Server};
use reqwest::Method;
use rstest::rstest;
use serde_json::{Value, json};
use worth_core::access::Role;

/// The callers, in the order of each row's statuses.
const CALLERS: [(&str, Option<(&str, Role)>); 5] = [
    ("admin", Some((ADMIN, Role::Admin))),
    ("analyst", Some((ANALYST, Role::Analyst))),
    ("owner", Some((OWNER, Role::Owner))),
    ("sponsor", Some((SPONSOR, Role::Sponsor))),
    ("anonymous", None),
];

/// What a request sends.
#[derive(Debug, Clone, Copy)]
enum Body {
    Empty,
    /// JSON, with `{n}` replaced by a number fresh for each request.
    Json(&'static str),
    /// A form, with `{csrf}` replaced by the session's token and `{n}` as above.
    Form(&'static [(&'static str, &'static str)]),
    /// The login form, sent from a browser of its own (it would replace the caller's session).
    Login,
    /// A multipart upload of a small runs file, with the session's token in its `csrf` field.
    Upload,
}

/// One row: a request and the status of admin, analyst, owner, sponsor and anonymous.
///
/// In paths, `{own}` is a solution of the owner's (Finance, owned by Ada), `{peer}` another
/// owner's solution in the owner's unit, `{other}` a solution of another unit (Sales),
/// `{story}` a draft story of the owner's;
/// `{token}` a fresh token of the caller's user, `{admin_token}` a fresh token of the admin.
type Row = (&'static str, &'static str, Body, [u16; 5]);

const LINE: &str = r#"{"name": "line {n}", "category": "time-savings", "model": "time-saved-per-use",
    "params": {"minutes_per_use": "5", "role": "analyst", "estimated_uses": "100/month"}}"#;
const ASSESS: &[(&str, &str)] = &[
    ("csrf", "{csrf}"),
    ("name", "assessed {n}"),
    ("category", "time-savings"),
    ("model", "time-saved-per-use"),
    ("params", "minutes_per_use=5\nrole=analyst\nestimated_uses=100/month"),
];
const CSRF_ONLY: &[(&str, &str)] = &[("csrf", "{csrf}")];

#[rustfmt::skip]
const ROUTES: &[Row] = &[
    // The API. Anonymous callers get 401; sponsors read figures, never the register.
    ("GET", "/api/health", Body::Empty, [200, 200, 200, 200, 200]),
    ("GET", "/api/openapi.json", Body::Empty, [200, 200, 200, 200, 200]),
    ("GET", "/api/me", Body::Empty, [200, 200, 200, 200, 401]),
    ("GET", "/api/business-units", Body::Empty, [200, 200, 200, 200, 401]),
    ("GET", "/api/dashboard", Body::Empty, [200, 200, 200, 200, 401]),
    ("GET", "/api/roi", Body::Empty, [200, 200, 200, 200, 401]),
    ("GET", "/api/roi?by=solution", Body::Empty, [200, 200, 200, 200, 401]),
    ("GET", "/api/solutions", Body::Empty, [200, 200, 200, 403, 401]),
    ("POST", "/api/solutions",
        Body::Json(r#"{"name": "New {n}", "kind": "cloud-flow", "business_unit": "Finance"}"#),
        [201, 201, 201, 403, 401]),
    ("POST", "/api/solutions",
        Body::Json(r#"{"name": "New {n}", "kind": "cloud-flow", "business_unit": "Sales"}"#),
        [201, 201, 403, 403, 401]),
    ("GET", "/api/solutions/{own}", Body::Empty, [200, 200, 200, 403, 401]),
    ("GET", "/api/solutions/{peer}", Body::Empty, [200, 200, 404, 403, 401]),
    ("GET", "/api/solutions/{other}", Body::Empty, [200, 200, 404, 403, 401]),
    ("GET", "/api/solutions/987654", Body::Empty, [404, 404, 404, 403, 401]),
    ("GET", "/api/solutions/{own}/explain", Body::Empty, [200, 200, 200, 403, 401]),
    ("GET", "/api/solutions/{other}/explain", Body::Empty, [200, 200, 404, 403, 401]),
    ("GET", "/api/solutions/{own}/value-lines", Body::Empty, [200, 200, 200, 403, 401]),
    ("GET", "/api/solutions/{peer}/value-lines", Body::Empty, [200, 200, 404, 403, 401]),
    ("POST", "/api/solutions/{own}/value-lines", Body::Json(LINE), [201, 201, 201, 403, 401]),
    ("POST", "/api/solutions/{other}/value-lines", Body::Json(LINE), [201, 201, 404, 403, 401]),
    ("POST", "/api/solutions/{own}/measurements",
        Body::Json(r#"{"metric": "units", "month": "2025-01", "value": "{n}"}"#),
        [204, 204, 204, 403, 401]),
    ("POST", "/api/solutions/{other}/measurements",
        Body::Json(r#"{"metric": "units", "month": "2025-01", "value": "{n}"}"#),
        [204, 204, 404, 403, 401]),
    ("GET", "/api/tokens", Body::Empty, [200, 200, 200, 200, 401]),
    ("POST", "/api/tokens", Body::Json(r#"{"name": "t{n}"}"#), [201, 201, 201, 201, 401]),
    // An owner's token cannot be a sponsor's, which would see the peers' figures.
    ("POST", "/api/tokens", Body::Json(r#"{"name": "t{n}", "role": "sponsor"}"#),
        [201, 201, 403, 201, 401]),
    ("POST", "/api/tokens", Body::Json(r#"{"name": "t{n}", "role": "analyst"}"#),
        [201, 201, 403, 403, 401]),
    ("POST", "/api/tokens", Body::Json(r#"{"name": "t{n}", "role": "admin"}"#),
        [201, 403, 403, 403, 401]),
    ("DELETE", "/api/tokens/{token}", Body::Empty, [200, 200, 200, 200, 401]),
    ("DELETE", "/api/tokens/{admin_token}", Body::Empty, [200, 404, 404, 404, 401]),
    // A stage dated in the future is refused, but only to those who may move a stage at all.
    ("POST", "/api/solutions/{own}/stage", Body::Json(r#"{"stage": "retired", "on": "2999-01-01"}"#),
        [400, 400, 403, 403, 401]),
    ("GET", "/api/solutions/{own}/costs", Body::Empty, [200, 200, 200, 403, 401]),
    ("GET", "/api/solutions/{other}/costs", Body::Empty, [200, 200, 404, 403, 401]),
    ("POST", "/api/solutions/{own}/costs",
        Body::Json(r#"{"kind": "monthly", "item": "license {n}", "amount": "10"}"#),
        [201, 201, 201, 403, 401]),
    ("POST", "/api/solutions/{other}/costs",
        Body::Json(r#"{"kind": "one-time", "item": "build", "hours": "8", "role": "analyst"}"#),
        [201, 201, 404, 403, 401]),
    ("GET", "/api/solutions/{own}/value-lines/987654/estimates", Body::Empty,
        [404, 404, 404, 403, 401]),
    ("POST", "/api/solutions/{own}/value-lines/987654/reestimate",
        Body::Json(r#"{"params": {"minutes_per_use": "6"}}"#), [404, 404, 404, 403, 401]),
    ("POST", "/api/solutions/{own}/checkins", Body::Json(r#"{"note": "on track {n}"}"#),
        [204, 204, 204, 403, 401]),
    ("POST", "/api/solutions/{other}/checkins", Body::Json(r#"{"note": "on track {n}"}"#),
        [204, 204, 404, 403, 401]),
    ("GET", "/api/report", Body::Empty, [200, 200, 200, 200, 401]),
    ("GET", "/api/kpis", Body::Empty, [200, 200, 200, 403, 401]),
    ("GET", "/api/okrs", Body::Empty, [200, 200, 200, 403, 401]),
    ("GET", "/api/chargeback", Body::Empty, [404, 404, 404, 404, 401]),
    ("GET", "/api/stories", Body::Empty, [200, 200, 200, 200, 401]),
    ("POST", "/api/stories",
        Body::Json(r#"{"title": "Story {n}", "problem": "slow", "solution": "an app"}"#),
        [201, 201, 201, 403, 401]),
    ("POST", "/api/stories/987654/move", Body::Json(r#"{"to": "submitted"}"#),
        [404, 404, 404, 404, 401]),
    ("GET", "/api/stories/{story}", Body::Empty, [200, 200, 200, 404, 401]),
    ("GET", "/api/stories/987654", Body::Empty, [404, 404, 404, 404, 401]),
    ("PATCH", "/api/stories/{story}",
        Body::Json(r#"{"problem": "invoices waited {n} days", "solution": "a flow"}"#),
        [403, 403, 200, 403, 401]),
    ("GET", "/api/imports", Body::Empty, [200, 200, 403, 403, 401]),
    ("POST", "/api/imports", Body::Upload, [202, 202, 403, 403, 401]),
    ("GET", "/api/imports/987654", Body::Empty, [404, 404, 403, 403, 401]),
    ("GET", "/api/imports/987654/rejects", Body::Empty, [404, 404, 403, 403, 401]),
    ("GET", "/api/users", Body::Empty, [200, 403, 403, 403, 401]),
    ("POST", "/api/users",
        Body::Json(r#"{"name": "user{n}", "password": "long enough secret", "role": "analyst"}"#),
        [201, 403, 403, 403, 401]),
    ("PATCH", "/api/users/nobody", Body::Json(r#"{"role": "analyst"}"#), [404, 403, 403, 403, 401]),

    // The pages. Anonymous callers are sent to the login page (303).
    ("GET", "/static/app.css", Body::Empty, [200, 200, 200, 200, 200]),
    ("GET", "/login", Body::Empty, [200, 200, 200, 200, 200]),
    ("POST", "/login", Body::Login, [303, 303, 303, 303, 303]),
    ("GET", "/", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/business-units/Finance", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/business-units/Sales", Body::Empty, [200, 200, 404, 404, 303]),
    ("GET", "/solutions", Body::Empty, [200, 200, 200, 403, 303]),
    ("GET", "/solutions?q=invoice&bu=Finance", Body::Empty, [200, 200, 200, 403, 303]),
    ("POST", "/solutions",
        Body::Form(&[("csrf", "{csrf}"), ("name", "Form {n}"), ("kind", "canvas-app"),
            ("business_unit", "Finance")]),
        [303, 303, 303, 403, 303]),
    ("GET", "/solutions/new", Body::Empty, [200, 200, 200, 403, 303]),
    ("GET", "/solutions/{own}", Body::Empty, [200, 200, 200, 403, 303]),
    ("GET", "/solutions/{peer}", Body::Empty, [200, 200, 404, 403, 303]),
    ("GET", "/solutions/{other}", Body::Empty, [200, 200, 404, 403, 303]),
    ("GET", "/solutions/{own}/assess", Body::Empty, [200, 200, 200, 403, 303]),
    ("GET", "/solutions/{other}/assess", Body::Empty, [200, 200, 404, 403, 303]),
    ("POST", "/solutions/{own}/assess", Body::Form(ASSESS), [303, 303, 303, 403, 303]),
    ("POST", "/solutions/{other}/assess", Body::Form(ASSESS), [303, 303, 404, 403, 303]),
    ("GET", "/users", Body::Empty, [200, 403, 403, 403, 303]),
    ("POST", "/users",
        Body::Form(&[("csrf", "{csrf}"), ("name", "form-user{n}"),
            ("password", "long enough secret"), ("role", "sponsor"), ("business_unit", "Sales")]),
        [303, 403, 403, 403, 303]),
    ("GET", "/tokens", Body::Empty, [200, 200, 200, 200, 303]),
    ("POST", "/tokens", Body::Form(&[("csrf", "{csrf}"), ("name", "page t{n}")]),
        [200, 200, 200, 200, 303]),
    ("POST", "/tokens/{token}/revoke", Body::Form(CSRF_ONLY), [303, 303, 303, 303, 303]),
    ("POST", "/tokens/{admin_token}/revoke", Body::Form(CSRF_ONLY), [303, 404, 404, 404, 303]),
    ("POST", "/users/nobody/disable", Body::Form(CSRF_ONLY), [404, 403, 403, 403, 303]),
    ("POST", "/users/nobody/enable", Body::Form(CSRF_ONLY), [404, 403, 403, 403, 303]),
    ("GET", "/users/nobody/access", Body::Empty, [404, 403, 403, 403, 303]),
    ("POST", "/users/nobody/access",
        Body::Form(&[("csrf", "{csrf}"), ("role", "owner"), ("business_unit", "Finance")]),
        [404, 403, 403, 403, 303]),
    ("POST", "/solutions/{own}/checkin", Body::Form(&[("csrf", "{csrf}"), ("note", "ok {n}")]),
        [303, 303, 303, 403, 303]),
    ("POST", "/solutions/{other}/checkin", Body::Form(&[("csrf", "{csrf}"), ("note", "ok {n}")]),
        [303, 303, 404, 403, 303]),
    ("GET", "/stories", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/stories/new", Body::Empty, [200, 200, 200, 403, 303]),
    ("POST", "/stories",
        Body::Form(&[("csrf", "{csrf}"), ("title", "Page story {n}"), ("problem", "slow"),
            ("solution", "an app")]),
        [303, 303, 303, 403, 303]),
    ("GET", "/stories/987654", Body::Empty, [404, 404, 404, 404, 303]),
    ("POST", "/stories/987654/move", Body::Form(&[("csrf", "{csrf}"), ("to", "submitted")]),
        [404, 404, 404, 404, 303]),
    ("GET", "/stories/{story}", Body::Empty, [200, 200, 200, 404, 303]),
    ("GET", "/stories/{story}/edit", Body::Empty, [403, 403, 200, 403, 303]),
    ("POST", "/stories/{story}/edit",
        Body::Form(&[("csrf", "{csrf}"), ("problem", "waited {n} days"), ("solution", "a flow")]),
        [403, 403, 303, 403, 303]),
    ("GET", "/kpis", Body::Empty, [200, 200, 200, 403, 303]),
    ("GET", "/okrs", Body::Empty, [200, 200, 200, 403, 303]),
    ("GET", "/chargeback", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/guidelines", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/imports", Body::Empty, [200, 200, 403, 403, 303]),
    ("POST", "/imports", Body::Upload, [303, 303, 403, 403, 303]),
    ("GET", "/imports/987654", Body::Empty, [404, 404, 403, 403, 303]),
    ("GET", "/report.html", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/report.xlsx", Body::Empty, [200, 200, 200, 200, 303]),
    ("GET", "/no/such/page", Body::Empty, [404, 404, 404, 404, 404]),
    // Last: it ends the session the rows above used.
    ("POST", "/logout", Body::Form(CSRF_ONLY), [303, 303, 303, 303, 303]),
];

/// How a caller proves who they are.
#[derive(Debug, Clone)]
enum Credential {
    Anonymous,
    Session(common::Session),
    Bearer(String),
}

/// Sends one row's request as `user` (when not anonymous) and returns the status.
async fn call(s: &Server, user: Option<&str>, cred: &Credential, row: &Row, n: usize) -> u16 {
    let (method, path, body, _) = row;
    let mut path = path
        .replace("{own}", &s.ids.own.to_string())
        .replace("{peer}", &s.ids.peer.to_string())
        .replace("{other}", &s.ids.other.to_string())
        .replace("{story}", &s.ids.story.to_string());
    if path.contains("{token}") {
        // A token of the caller's own, with the caller's role (an owner may not mint another).
        let role = CALLERS
            .iter()
            .filter_map(|(_, c)| *c)
            .find(|(name, _)| Some(*name) == user)
            .map_or(Role::Analyst, |(_, role)| role);
        let (id, _) = s.token(user.unwrap_or(ANALYST), role).await;
        path = path.replace("{token}", &id.to_string());
    }
    if path.contains("{admin_token}") {
        let (id, _) = s.token(ADMIN, Role::Sponsor).await;
        path = path.replace("{admin_token}", &id.to_string());
    }
    let csrf = match cred {
        Credential::Session(session) => session.csrf.clone(),
        _ => String::new(),
    };
    let client = match cred {
        Credential::Session(session) if !matches!(body, Body::Login) => session.client.clone(),
        _ => Server::client(),
    };
    let mut req = client.request(Method::from_bytes(method.as_bytes()).unwrap(), s.url(&path));
    match cred {
        Credential::Bearer(token) => req = req.bearer_auth(token),
        Credential::Session(_) => req = req.header("x-csrf-token", csrf.as_str()),
        Credential::Anonymous => {}
    }
    let fill = |v: &str| v.replace("{n}", &n.to_string()).replace("{csrf}", &csrf);
    req = match body {
        Body::Empty => req,
        Body::Json(text) => req.json(&serde_json::from_str::<Value>(&fill(text)).unwrap()),
        Body::Form(pairs) => {
            req.form(&pairs.iter().map(|(k, v)| (*k, fill(v))).collect::<Vec<_>>())
        }
        Body::Login => req.form(&[("name", SPONSOR), ("password", PASSWORD)]),
        Body::Upload => {
            let file = format!(
                "FlowId,RunId,StartTime,EndTime,Status\nf,r{n},2024-09-01T10:00:00Z,\
                 2024-09-01T10:00:10Z,Succeeded\n"
            );
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf.clone())
                .text("kind", "runs")
                .part("file", reqwest::multipart::Part::text(file).file_name("runs.csv"));
            req.multipart(form)
        }
    };
    req.send().await.unwrap().status().as_u16()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_route_refuses_the_roles_it_should(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "routes").await else { return };
    let mut wrong = Vec::new();
    let mut n = 0;
    for (column, (label, who)) in CALLERS.iter().enumerate() {
        // A token of the user's own role must open exactly what the session opens.
        let credentials = match who {
            None => vec![("", Credential::Anonymous)],
            Some((user, role)) => vec![
                ("token", Credential::Bearer(s.token(user, *role).await.1)),
                ("session", Credential::Session(s.login(user).await)),
            ],
        };
        for (how, cred) in &credentials {
            for row in ROUTES {
                n += 1;
                let got = call(&s, who.map(|w| w.0), cred, row, n).await;
                if got != row.3[column] {
                    wrong.push(format!(
                        "{} {} as {label} {how}: {got}, expected {}",
                        row.0, row.1, row.3[column]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_table_has_a_row_for_every_route_the_router_serves() {
    let routes = common::router_routes();
    assert!(routes.len() >= 30, "the router's routes are read: {routes:?}");
    let missing: Vec<_> = routes
        .iter()
        .filter(|(method, template)| {
            !ROUTES.iter().any(|r| r.0 == method && common::matches_template(r.1, template))
        })
        .collect();
    assert!(missing.is_empty(), "routes with no row in ROUTES: {missing:?}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_owner_who_guesses_another_units_solution_id_is_refused_and_logged(
    #[case] backend: Backend,
) {
    let Some(s) = Server::start(backend, "guess").await else { return };
    let ada = s.login(OWNER).await;
    let other = s.ids.other;
    let refusal = |id: i64| {
        let logs = s.logs.warnings();
        logs.into_iter().filter(move |l| {
            l.contains("refused: a solution outside the caller's business units or ownership")
                && l.contains(&format!("solution_id={id}"))
                && l.contains("user=ada")
                && l.contains("role=owner")
        })
    };

    // Refused exactly as an id that does not exist, so ids cannot be probed.
    let guessed = ada.client.get(s.url(&format!("/api/solutions/{other}"))).send().await.unwrap();
    assert_eq!(guessed.status(), 404);
    let guessed: Value = guessed.json().await.unwrap();
    assert_eq!(guessed["error"]["message"], format!("no solution {other}"));
    let missing = ada.client.get(s.url("/api/solutions/987654")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let missing: Value = missing.json().await.unwrap();
    assert_eq!(missing["error"]["kind"], guessed["error"]["kind"]);
    assert_eq!(missing["error"]["message"], "no solution 987654");

    // But the log tells them apart: the guess is a warning naming who guessed what.
    assert_eq!(refusal(other).count(), 1, "{}", s.logs.text());
    assert_eq!(refusal(987654).count(), 0, "{}", s.logs.text());

    // A write to it is refused the same way, logged, and writes nothing.
    let res = ada
        .client
        .post(s.url(&format!("/api/solutions/{other}/value-lines")))
        .header("x-csrf-token", ada.csrf.as_str())
        .json(&json!({"name": "stolen", "category": "time-savings", "model": "fixed-amount",
            "params": {"amount_per_month": "1000000", "cashable": "true"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(refusal(other).count(), 2);
    assert_eq!(s.store.value_lines(Some(other)).await.unwrap().len(), 1, "only the seeded line");

    // Its page too.
    let res = ada.client.get(s.url(&format!("/solutions/{other}"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("Lead app"));
    assert_eq!(refusal(other).count(), 3);

    // The same solution is hers to read for the owner of its unit.
    let grace = s.login(OTHER_OWNER).await;
    let res = grace.client.get(s.url(&format!("/api/solutions/{other}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(refusal(other).count(), 3);

    // A sponsor who guesses another unit's page is refused and logged alike.
    let sam = s.login(SPONSOR).await;
    let res = sam.client.get(s.url("/business-units/Sales")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        s.logs
            .warnings()
            .iter()
            .any(|l| l.contains("refused: a business unit outside") && l.contains("user=sam")),
        "{}",
        s.logs.text()
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_owner_without_a_person_sees_the_solutions_they_register(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "no_person").await else { return };
    let admin = s.login(ADMIN).await;
    let res = admin
        .client
        .post(s.url("/api/users"))
        .header("x-csrf-token", admin.csrf.as_str())
        .json(&json!({"name": "linus", "password": PASSWORD, "role": "owner",
            "business_units": ["Sales"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let linus = s.login("linus").await;
    let res = linus
        .client
        .post(s.url("/api/solutions"))
        .header("x-csrf-token", linus.csrf.as_str())
        .json(&json!({"name": "Quote app", "kind": "canvas-app", "business_unit": "Sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["owner"], "linus", "registered under the login name");
    let id = created["id"].as_i64().unwrap();

    let res = linus.client.get(s.url(&format!("/api/solutions/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), 200, "the owner reads what they registered");
    let list: Value =
        linus.client.get(s.url("/api/solutions")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["name"], "Quote app");
}

/// What a list answers: the names it holds.
fn names(path: &str, body: &Value) -> Vec<String> {
    let (rows, field) = match path {
        "/api/solutions" => (&body["items"], "name"),
        "/api/business-units" => (body, "name"),
        "/api/tokens" => (body, "user"),
        _ => (body, "key"),
    };
    let mut names: Vec<String> =
        rows.as_array().unwrap().iter().map(|r| r[field].as_str().unwrap().to_owned()).collect();
    if field == "user" {
        // Tokens come in the order they were made: compare their users as a set.
        names.sort();
    }
    names.dedup();
    names
}

/// Who sees what in the lists: a role's scope, beyond whether the route answers at all.
#[rustfmt::skip]
const SCOPES: &[(&str, Role, &str, &[&str])] = &[
    (ADMIN, Role::Admin, "/api/solutions", &["Invoice flow", "Ledger app", "Lead app"]),
    (ANALYST, Role::Analyst, "/api/solutions", &["Invoice flow", "Ledger app", "Lead app"]),
    (OWNER, Role::Owner, "/api/solutions", &["Invoice flow"]),
    (OTHER_OWNER, Role::Owner, "/api/solutions", &["Lead app"]),
    (ADMIN, Role::Admin, "/api/business-units", &["Finance", "Sales"]),
    (OWNER, Role::Owner, "/api/business-units", &["Finance"]),
    (SPONSOR, Role::Sponsor, "/api/business-units", &["Finance"]),
    (OTHER_OWNER, Role::Owner, "/api/business-units", &["Sales"]),
    (ANALYST, Role::Analyst, "/api/roi", &["Finance", "Sales"]),
    (SPONSOR, Role::Sponsor, "/api/roi", &["Finance"]),
    (ANALYST, Role::Analyst, "/api/roi?by=solution",
        &["Finance / Invoice flow", "Finance / Ledger app", "Sales / Lead app"]),
    (SPONSOR, Role::Sponsor, "/api/roi?by=solution",
        &["Finance / Invoice flow", "Finance / Ledger app"]),
    // Owners read the figures of their own solutions only, never a peer's in the same unit.
    (OWNER, Role::Owner, "/api/roi?by=solution", &["Finance / Invoice flow"]),
    (OTHER_OWNER, Role::Owner, "/api/roi?by=solution", &["Sales / Lead app"]),
    // An admin's token of a lesser role is scoped as that role: an owner with no unit.
    (ADMIN, Role::Owner, "/api/solutions", &[]),
    (ADMIN, Role::Admin, "/api/tokens", &["ada", "ann", "grace", "root", "sam"]),
    (ANALYST, Role::Analyst, "/api/tokens", &["ann"]),
    (SPONSOR, Role::Sponsor, "/api/tokens", &["sam"]),
];

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn each_role_sees_only_its_scope_in_the_lists(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "scopes").await else { return };
    let mut tokens = std::collections::BTreeMap::new();
    for (user, role, _, _) in SCOPES {
        if let std::collections::btree_map::Entry::Vacant(e) = tokens.entry((user, role)) {
            e.insert(s.token(user, *role).await.1);
        }
    }
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    for (user, role, path, expected) in SCOPES {
        let res = client.get(s.url(path)).bearer_auth(&tokens[&(user, role)]).send().await.unwrap();
        assert_eq!(res.status(), 200, "{user} as {role}: {path}");
        let got = names(path.split('?').next().unwrap(), &res.json().await.unwrap());
        if got != *expected {
            wrong.push(format!("{user} as {role}: {path}: {got:?}, expected {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
