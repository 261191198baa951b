//! The HTTP API and the pages against a real server on a random loopback port, on SQLite and on
//! PostgreSQL: logins and their limit (parallel guesses included), sessions and CSRF, API
//! tokens, disabled users, a solution registered and assessed and then seen in the list, the
//! dashboard and the ROI view, escaping of every name a page shows, the report downloads, the
//! security headers, the OpenAPI document and the shape of every error.

mod common;

use common::{ADMIN, ANALYST, Backend, OTHER_OWNER, OWNER, PASSWORD, SPONSOR, Server};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};
use worth_core::access::Role;

/// Asserts an API failure's status and body: `{"error": {kind, message, id}}`, and returns it.
async fn failure(res: reqwest::Response, status: u16, kind: &str) -> Value {
    assert_eq!(res.status(), status, "{}", res.url());
    let body: Value = res.json().await.unwrap();
    let e = &body["error"];
    assert_eq!(e["kind"], kind, "{body}");
    assert!(!e["message"].as_str().unwrap().is_empty(), "{body}");
    let id = e["id"].as_str().unwrap();
    assert!(id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()), "{body}");
    body
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_login_sets_a_strict_cookie_and_failed_logins_are_limited(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "login").await else { return };
    let client = Server::client();

    let form = client.get(s.url("/login")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains("name=\"password\" type=\"password\""));

    // A good login: a session cookie scripts cannot read and other sites do not send.
    let res = client
        .post(s.url("/login"))
        .form(&[("name", OWNER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("worth_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP on loopback: {cookie}");
    let me: Value = client.get(s.url("/api/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"], OWNER);
    assert_eq!(me["role"], "owner");

    // Logging in does not use up the address's allowance of tries.
    for _ in 0..6 {
        s.login(SPONSOR).await;
    }

    // Five wrong passwords are each refused, and logged without the password.
    for attempt in 1..=5 {
        let res = Server::client()
            .post(s.url("/login"))
            .form(&[("name", ANALYST), ("password", "wrong password!")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert!(res.headers().get("set-cookie").is_none());
        assert!(res.text().await.unwrap().contains("The name or the password is wrong."));
    }
    assert_eq!(s.logs.warnings().iter().filter(|l| l.contains("failed login")).count(), 5);
    assert!(!s.logs.text().contains("wrong password!"));

    // The sixth attempt is refused before the password is looked at, even the right one, and
    // so is any other name tried from the same address.
    for name in [ANALYST, SPONSOR] {
        let res = Server::client()
            .post(s.url("/login"))
            .form(&[("name", name), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{name}");
        assert!(res.headers().get("set-cookie").is_none());
    }

    // An unknown user fails like a wrong password (here: limited like one).
    let res = Server::client()
        .post(s.url("/login"))
        .form(&[("name", "nobody"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_session_changes_nothing_without_its_csrf_token(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "csrf").await else { return };
    let session = s.login(ANALYST).await;
    let body = json!({"name": "Expense bot", "kind": "cloud-flow", "business_unit": "Finance"});

    // Reading needs no token; changing does, in the header, and exactly the session's.
    let res = session.client.get(s.url("/api/solutions")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = session.client.post(s.url("/api/solutions")).json(&body).send().await.unwrap();
    failure(res, 403, "csrf").await;
    let wrong = "0".repeat(session.csrf.len());
    let res = session
        .client
        .post(s.url("/api/solutions"))
        .header("x-csrf-token", wrong.as_str())
        .json(&body)
        .send()
        .await
        .unwrap();
    failure(res, 403, "csrf").await;
    let listed: Value = session
        .client
        .get(s.url("/api/solutions?q=expense"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 0, "nothing was written");
    assert!(s.logs.warnings().iter().any(|l| l.contains("kind=\"csrf\"")), "{}", s.logs.text());

    let res = session
        .client
        .post(s.url("/api/solutions"))
        .header("x-csrf-token", session.csrf.as_str())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // The token of another session does not do.
    let other = s.login(ADMIN).await;
    assert_ne!(other.csrf, session.csrf);
    let res = session
        .client
        .post(s.url("/api/tokens"))
        .header("x-csrf-token", other.csrf.as_str())
        .json(&json!({"name": "stolen"}))
        .send()
        .await
        .unwrap();
    failure(res, 403, "csrf").await;

    // Forms carry it in their hidden field.
    let form = [
        ("csrf", "forged"),
        ("name", "Forged"),
        ("kind", "cloud-flow"),
        ("business_unit", "Finance"),
    ];
    let res = session.client.post(s.url("/solutions")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let form = [
        ("csrf", session.csrf.as_str()),
        ("name", "Form flow"),
        ("kind", "cloud-flow"),
        ("business_unit", "Finance"),
    ];
    let res = session.client.post(s.url("/solutions")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/solutions/"));

    // Logging out needs the token too, and ends the session for good.
    let res =
        session.client.post(s.url("/logout")).form(&[("csrf", "forged")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res = session
        .client
        .post(s.url("/logout"))
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
    failure(session.client.get(s.url("/api/me")).send().await.unwrap(), 401, "unauthorized").await;
    let res = session.client.get(s.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_api_token_is_shown_once_limited_to_its_role_and_dies_when_revoked(
    #[case] backend: Backend,
) {
    let Some(s) = Server::start(backend, "tokens").await else { return };
    let session = s.login(ANALYST).await;
    let create = |body: Value| {
        session
            .client
            .post(s.url("/api/tokens"))
            .header("x-csrf-token", session.csrf.as_str())
            .json(&body)
            .send()
    };

    let res = create(json!({"name": "power-bi"})).await.unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("worth_") && token.len() == 70, "{token}");
    assert_eq!(created["details"]["role"], "analyst", "the user's role by default");
    let id = created["details"]["id"].as_i64().unwrap();

    // Shown once: neither the list nor the page nor the log holds it again.
    let listed =
        session.client.get(s.url("/api/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(listed.contains("power-bi") && !listed.contains(&token[6..]), "{listed}");
    let page = session.client.get(s.url("/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("power-bi") && !page.contains(&token[6..]));
    assert!(!s.logs.text().contains(&token[6..]));

    // It works as a bearer, with no cookie and no CSRF header.
    let bearer = reqwest::Client::new();
    let me: Value = bearer
        .get(s.url("/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((me["user"].as_str(), me["role"].as_str()), (Some(ANALYST), Some("analyst")));
    let res = bearer
        .post(s.url("/api/solutions"))
        .bearer_auth(&token)
        .json(&json!({"name": "Token flow", "kind": "cloud-flow", "business_unit": "Sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // Never more than its user's role; a lesser one limits it.
    failure(create(json!({"name": "root", "role": "admin"})).await.unwrap(), 403, "forbidden")
        .await;
    let res = create(json!({"name": "board", "role": "sponsor"})).await.unwrap();
    assert_eq!(res.status(), 201);
    let sponsor_token = res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let res = bearer.get(s.url("/api/solutions")).bearer_auth(&sponsor_token).send().await.unwrap();
    failure(res, 403, "forbidden").await;
    let res = bearer.get(s.url("/api/dashboard")).bearer_auth(&sponsor_token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // Its owner is the caller, not the role: a token cannot make its user someone else.
    let res = bearer
        .post(s.url("/api/tokens"))
        .bearer_auth(&sponsor_token)
        .json(&json!({"name": "escalate", "role": "analyst"}))
        .send()
        .await
        .unwrap();
    failure(res, 403, "forbidden").await;

    // Another user cannot revoke it; its user can, and then it opens nothing.
    let owner = s.login(OWNER).await;
    let res = owner
        .client
        .delete(s.url(&format!("/api/tokens/{id}")))
        .header("x-csrf-token", owner.csrf.as_str())
        .send()
        .await
        .unwrap();
    failure(res, 404, "not_found").await;
    let res = session
        .client
        .delete(s.url(&format!("/api/tokens/{id}")))
        .header("x-csrf-token", session.csrf.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["revoked_at"].is_string());
    failure(
        bearer.get(s.url("/api/me")).bearer_auth(&token).send().await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
    // Nor does a made-up token, or a header that is not a bearer.
    let res = bearer.get(s.url("/api/me")).bearer_auth("worth_0000").send().await.unwrap();
    failure(res, 401, "unauthorized").await;
    let res =
        bearer.get(s.url("/api/me")).basic_auth(ANALYST, Some(PASSWORD)).send().await.unwrap();
    failure(res, 401, "unauthorized").await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_solution_registered_and_assessed_shows_in_the_list_the_dashboard_and_the_roi(
    #[case] backend: Backend,
) {
    let Some(s) = Server::start(backend, "story").await else { return };
    let ada = s.login(OWNER).await;
    let post = |path: String, body: Value| {
        ada.client.post(s.url(&path)).header("x-csrf-token", ada.csrf.as_str()).json(&body).send()
    };
    let get = |client: &reqwest::Client, path: &str| {
        let req = client.get(s.url(path));
        let path = path.to_owned();
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };

    // An owner registers a solution in her unit as an idea; she is its owner whatever she
    // says, and she cannot register it as live herself.
    let live = json!({"name": "Expense bot", "kind": "cloud-flow", "business_unit": "Finance",
               "owner": "Somebody Else", "stage": "live"});
    assert_eq!(post("/api/solutions".into(), live).await.unwrap().status(), 403);
    let res = post(
        "/api/solutions".into(),
        json!({"name": "Expense bot", "kind": "cloud-flow", "business_unit": "Finance",
               "owner": "Somebody Else"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["owner"], "Ada");
    assert_eq!(created["stage"], "idea");
    let id = created["id"].as_i64().unwrap();
    // An analyst takes it live.
    let (_, analyst) = s.token(ANALYST, Role::Analyst).await;
    let moved: Value = Server::client()
        .post(s.url(&format!("/api/solutions/{id}/stage")))
        .bearer_auth(&analyst)
        .json(&json!({"stage": "live"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["stage"], "live", "{moved}");

    // Her value assessment: 5 minutes saved each use, 100 uses a month, an analyst's time.
    let line = json!({"name": "claims typed", "category": "time-savings",
        "model": "time-saved-per-use",
        "params": {"minutes_per_use": "5", "role": "analyst", "estimated_uses": "100/month"}});
    let res = post(format!("/api/solutions/{id}/value-lines"), line.clone()).await.unwrap();
    assert_eq!(res.status(), 201);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["category"], "time-savings");
    assert_eq!(saved["spec"]["model"], "time-saved-per-use", "{saved}");
    assert_eq!(saved["horizon_months"], 36, "the guideline's three years");
    let res = post(format!("/api/solutions/{id}/value-lines"), line).await.unwrap();
    failure(res, 409, "conflict").await;
    let bad = json!({"name": "bad", "category": "time-savings", "model": "time-saved-per-use",
        "params": {"minutes_per_use": "five", "role": "analyst"}});
    failure(
        post(format!("/api/solutions/{id}/value-lines"), bad).await.unwrap(),
        400,
        "bad_request",
    )
    .await;

    // The register: Ada sees her own two; an analyst sees all four, filtered and paged.
    let mine = get(&ada.client, "/api/solutions").await;
    let names: Vec<&str> =
        mine["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Expense bot", "Invoice flow"], "by unit and name");
    let ann = s.login(ANALYST).await;
    for (query, total, first) in [
        ("", 4, Some("Expense bot")),
        ("?bu=sales", 1, Some("Lead app")),
        ("?stage=live", 1, Some("Expense bot")),
        ("?kind=cloud-flow&stage=idea", 3, Some("Invoice flow")),
        ("?kind=canvas-app", 0, None),
        ("?q=EXPENSE", 1, Some("Expense bot")),
        ("?q=app&bu=Finance", 1, Some("Ledger app")),
    ] {
        let page = get(&ann.client, &format!("/api/solutions{query}")).await;
        assert_eq!(page["total"], total, "{query}: {page}");
        assert_eq!(page["items"][0]["name"].as_str(), first, "{query}");
    }
    let page = get(&ann.client, "/api/solutions?per_page=3&page=2").await;
    assert_eq!(
        (page["total"].as_u64(), page["page"].as_u64(), page["per_page"].as_u64()),
        (Some(4), Some(2), Some(3))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    for far in ["?page=9", "?page=4294967295&per_page=500"] {
        let page = get(&ann.client, &format!("/api/solutions{far}")).await;
        assert_eq!((page["total"].as_u64(), page["items"].as_array().unwrap().len()), (Some(4), 0));
    }
    for query in ["?per_page=0", "?per_page=501", "?page=0", "?stage=someday"] {
        let res = ann.client.get(s.url(&format!("/api/solutions{query}"))).send().await.unwrap();
        failure(res, 400, "bad_request").await;
    }

    // Its figures: the same on the solution, in the ROI view and counted on the dashboard.
    let detail = get(&ann.client, &format!("/api/solutions/{id}")).await;
    assert_eq!(detail["value_lines"][0]["name"], "claims typed");
    let figures = &detail["figures"];
    let pv: rust_decimal::Decimal = figures["pv_benefits"].as_str().unwrap().parse().unwrap();
    assert!(pv > rust_decimal::Decimal::ZERO, "{figures}");
    let rows = get(&ann.client, "/api/roi?by=solution").await;
    let row =
        rows.as_array().unwrap().iter().find(|r| r["key"] == "Finance / Expense bot").unwrap();
    assert_eq!(row["pv_benefits"], figures["pv_benefits"]);
    assert_eq!(row["npv"], figures["npv"]);
    let units = get(&ann.client, "/api/roi").await;
    let keys: Vec<&str> =
        units.as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["Finance", "Sales"]);
    let res = ann.client.get(s.url("/api/roi?by=colour")).send().await.unwrap();
    failure(res, 400, "bad_request").await;
    let tiles = get(&ann.client, "/api/dashboard").await;
    assert_eq!(
        (tiles["live_solutions"].as_u64(), tiles["currency"].as_str()),
        (Some(1), Some("USD"))
    );

    // A Finance sponsor sees it on the Finance dashboard; a Sales owner does not.
    let sam = s.login(SPONSOR).await;
    assert_eq!(get(&sam.client, "/api/dashboard").await["live_solutions"], 1);
    let sam_roi = get(&sam.client, "/api/roi?by=solution").await;
    assert_eq!(sam_roi.as_array().unwrap().len(), 3, "Finance's three: {sam_roi}");
    assert!(
        sam_roi.as_array().unwrap().iter().all(|r| r["key"] != "Sales / Lead app"),
        "{sam_roi}"
    );
    let grace = s.login(OTHER_OWNER).await;
    assert_eq!(get(&grace.client, "/api/dashboard").await["live_solutions"], 0);

    // And its page shows the assessment, escaped.
    let page = ada.client.get(s.url(&format!("/solutions/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Expense bot") && page.contains("claims typed"));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_response_carries_the_security_headers(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "headers").await else { return };
    let admin = s.login(ADMIN).await;
    let anonymous = Server::client();
    for (client, path, status) in [
        (&anonymous, "/login", 200),
        (&anonymous, "/", 303),
        (&anonymous, "/api/solutions", 401),
        (&anonymous, "/api/health", 200),
        (&anonymous, "/static/app.css", 200),
        (&anonymous, "/no/such/page", 404),
        (&admin.client, "/", 200),
        (&admin.client, "/solutions", 200),
        (&admin.client, "/users", 200),
        (&admin.client, "/report.html", 200),
        (&admin.client, "/api/solutions/424242", 404),
    ] {
        let res = client.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in ["default-src 'none'", "script-src 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        let html =
            h.get("content-type").is_some_and(|c| c.to_str().unwrap().starts_with("text/html"));
        if html {
            // The policy forbids scripts, and no page depends on one.
            let body = res.text().await.unwrap().to_lowercase();
            assert!(!body.contains("<script") && !body.contains(" onclick="), "{path}");
        }
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_openapi_document_lists_every_api_route(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "openapi").await else { return };
    let res = Server::client().get(s.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let api: Vec<_> = common::router_routes()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/") && p != "/api/openapi.json")
        .collect();
    assert!(api.len() >= 17, "the router's API routes are read: {api:?}");
    for (method, path) in api {
        let op = &doc["paths"][&path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in /api/openapi.json");
        assert!(op["responses"].is_object(), "{method} {path}");
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn errors_carry_a_kind_a_message_and_an_id_and_never_the_internals(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "errors").await else { return };
    let (_, token) = s.token(ANALYST, worth_core::access::Role::Analyst).await;
    let bearer = reqwest::Client::new();

    // A client error: its id names the warn line that holds it.
    let body =
        failure(bearer.get(s.url("/api/me")).send().await.unwrap(), 401, "unauthorized").await;
    let id = body["error"]["id"].as_str().unwrap();
    assert!(
        s.logs.warnings().iter().any(|l| l.contains(&format!("error_id={id}"))),
        "{}",
        s.logs.text()
    );
    let res = bearer.get(s.url("/api/solutions/424242")).bearer_auth(&token).send().await.unwrap();
    let body = failure(res, 404, "not_found").await;
    assert_eq!(body["error"]["message"], "no solution 424242");
    let res = bearer
        .post(s.url("/api/solutions"))
        .bearer_auth(&token)
        .json(&json!({"name": "Invoice flow", "kind": "cloud-flow", "business_unit": "Finance"}))
        .send()
        .await
        .unwrap();
    let body = failure(res, 409, "conflict").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("Invoice flow"), "{body}");
    let res = bearer
        .post(s.url("/api/solutions"))
        .bearer_auth(&token)
        .json(&json!({"name": "X", "kind": "spreadsheet", "business_unit": "Finance"}))
        .send()
        .await
        .unwrap();
    failure(res, 400, "bad_request").await;

    // A fault of the store: the client gets the id, the log gets the error under it.
    s.store.clone().close().await;
    let res = bearer.get(s.url("/api/solutions")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 500);
    let text = res.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["kind"], "internal");
    assert_eq!(body["error"]["message"], "the server could not answer: give the id to an admin");
    let id = body["error"]["id"].as_str().unwrap();
    let logged = s.logs.text();
    let line = logged
        .lines()
        .find(|l| l.contains(" ERROR ") && l.contains(&format!("error_id={id}")))
        .unwrap_or_else(|| panic!("no error line for {id}: {logged}"));
    assert!(line.contains("closed pool"), "the log holds the cause: {line}");
    for internal in ["pool", "sqlx", "SELECT", "postgres", "sqlite", ".rs"] {
        assert!(!text.contains(internal), "{internal} in {text}");
    }
    let res = Server::client().get(s.url("/api/health")).send().await.unwrap();
    failure(res, 500, "internal").await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_request_the_api_cannot_read_gets_the_same_error_body(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "unreadable").await else { return };
    let (_, token) = s.token(ANALYST, worth_core::access::Role::Analyst).await;
    let client = reqwest::Client::new();
    for (method, path, body, status, kind, says) in [
        ("POST", "/api/solutions", "not json", 400, "bad_request", "as JSON"),
        (
            "POST",
            "/api/solutions",
            r#"{"name": "x"}"#,
            422,
            "unprocessable",
            "missing field `kind`",
        ),
        ("GET", "/api/solutions/abc", "", 400, "bad_request", "Cannot parse `abc`"),
        ("GET", "/api/solutions?page=-1", "", 400, "bad_request", "page"),
        ("GET", "/api/no-such-thing", "", 404, "not_found", "no such API route"),
        ("PUT", "/api/solutions", "", 405, "method_not_allowed", "method not allowed"),
    ] {
        let res = client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), s.url(path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let body = failure(res, status, kind).await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{method} {path}: {message}");
    }
    // Pages are not the API: an unknown page gets the app's error page.
    let res = client.get(s.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("no such page"));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn parallel_wrong_passwords_cannot_outrun_the_login_limit(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "parallel_logins").await else { return };
    // Twenty guesses sent at once, before any of them is answered.
    let attempts: Vec<_> = (0..20)
        .map(|i| {
            let request = Server::client()
                .post(s.url("/login"))
                .form(&[("name", ANALYST.to_owned()), ("password", format!("guess number {i}"))]);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 5, "only five passwords are ever checked: {statuses:?}");
    assert!(statuses.iter().all(|s| [401, 429].contains(s)), "{statuses:?}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_name_a_page_shows_is_escaped(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "escaping").await else { return };
    const UNIT: &str = "<img src=x onerror=alert(1)>";
    const NAME: &str = "<script>alert(\"x\")</script>";

    // A hostile unit and solution, live with realized value so they reach tiles and charts.
    let mut w = s.store.write("seed").await.unwrap();
    w.add_business_unit(UNIT, None).await.unwrap();
    let mut new = common::solution(NAME, UNIT, "Ada");
    new.stage = worth_core::solution::Stage::Live;
    let id = w.add_solution(&new).await.unwrap().id;
    w.add_value_line(NAME, Some(UNIT), &common::time_saved(NAME)).await.unwrap();
    let today = w.today();
    for back in 1..=6 {
        let month = today.checked_sub_months(chrono::Months::new(back)).unwrap();
        w.record_measurement(NAME, Some(UNIT), "units", month, 120.into(), "test").await.unwrap();
    }
    w.commit().await.unwrap();

    let admin = s.login(ADMIN).await;
    let res = admin
        .client
        .post(s.url("/api/tokens"))
        .header("x-csrf-token", admin.csrf.as_str())
        .json(&json!({"name": NAME}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let unit_path = format!("/business-units/{}", UNIT.replace(' ', "%20"));
    let mut shown = 0;
    for path in [
        "/".to_owned(),
        unit_path,
        "/solutions".to_owned(),
        format!("/solutions/{id}"),
        format!("/solutions/{id}/assess"),
        "/solutions/new".to_owned(),
        "/tokens".to_owned(),
        "/report.html".to_owned(),
    ] {
        let res = admin.client.get(s.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let page = res.text().await.unwrap();
        assert!(!page.contains("<script") && !page.contains("<img"), "{path} holds markup");
        if path == "/" {
            // The charts go into the page as they are: their own escaping is what holds.
            let charts: Vec<&str> = page.split("<svg").skip(1).collect();
            assert!(charts.iter().any(|c| c.contains("&lt;")), "a chart names the unit");
        }
        if page.contains("&lt;script&gt;") || page.contains("&lt;img") {
            shown += 1;
        }
    }
    assert_eq!(shown, 8, "every page shows the names, escaped");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn behind_tls_the_session_cookie_is_secure(#[case] backend: Backend) {
    let settings = worth_server::Settings { secure_cookies: true, ..Default::default() };
    let Some(s) = Server::start_with(backend, "secure", settings).await else { return };
    let res = Server::client()
        .post(s.url("/login"))
        .form(&[("name", OWNER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_disabled_user_is_shut_out_of_sessions_tokens_and_logins(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "disabled").await else { return };
    let session = s.login(ANALYST).await;
    let (_, token) = s.token(ANALYST, worth_core::access::Role::Analyst).await;
    let bearer = reqwest::Client::new();
    assert_eq!(session.client.get(s.url("/api/me")).send().await.unwrap().status(), 200);
    assert_eq!(
        bearer.get(s.url("/api/me")).bearer_auth(&token).send().await.unwrap().status(),
        200
    );

    let mut w = s.store.write(ADMIN).await.unwrap();
    w.disable_user(ANALYST).await.unwrap();
    w.commit().await.unwrap();

    failure(session.client.get(s.url("/api/me")).send().await.unwrap(), 401, "unauthorized").await;
    let res = bearer.get(s.url("/api/me")).bearer_auth(&token).send().await.unwrap();
    failure(res, 401, "unauthorized").await;
    let res = Server::client()
        .post(s.url("/login"))
        .form(&[("name", ANALYST), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_reports_download_as_files(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "reports").await else { return };
    let sam = s.login(SPONSOR).await;

    // The HTML report styles itself inline, which the pages' policy forbids: it is a file to
    // open, not a page to show.
    let res = sam.client.get(s.url("/report.html")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"value-report.html\"");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("<style>") && html.contains("Invoice flow"), "Finance's report");
    assert!(!html.contains("Lead app"), "a Finance sponsor's report holds no Sales solution");

    let res = sam.client.get(s.url("/report.xlsx")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"value-report.xlsx\"");
    assert!(res.bytes().await.unwrap().starts_with(b"PK\x03\x04"), "an XLSX is a zip");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_story_is_edited_by_its_author_as_a_draft_then_validated_by_another_and_published(
    #[case] backend: Backend,
) {
    let Some(s) = Server::start(backend, "story_flow").await else { return };
    let (_, ada) = s.token(OWNER, Role::Owner).await;
    let (_, ann) = s.token(ANALYST, Role::Analyst).await;
    let (_, sam) = s.token(SPONSOR, Role::Sponsor).await;
    let (_, grace) = s.token(OTHER_OWNER, Role::Owner).await;
    let send = |token: &str, method: reqwest::Method, path: String, body: Option<Value>| {
        let mut req = Server::client().request(method, s.url(&path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send()
    };
    let id = s.ids.story;
    let story = format!("/api/stories/{id}");
    let parts = json!({"problem": "Invoices waited **nine** days <script>alert(1)</script>",
        "solution": "a flow", "value": "paid on time"});

    // Ada rewrites her draft: the parts change, the title and the linked figure stay.
    let res = send(&ada, reqwest::Method::PATCH, story.clone(), Some(parts.clone())).await.unwrap();
    assert_eq!(res.status(), 200);
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["title"], "Seeded draft");
    assert_eq!(edited["status"], "draft");
    assert_eq!(edited["editable"], true);
    let problem = edited["parts"][0][1].as_str().unwrap();
    assert!(problem.contains("<strong>nine</strong>"), "{problem}");
    assert!(problem.contains("&lt;script&gt;") && !problem.contains("<script"), "{problem}");
    assert_eq!(edited["figures"][0]["solution"], "Invoice flow", "{edited}");
    assert_eq!(edited["markdown"]["value"], "paid on time", "the parts as written: {edited}");
    // A part left out stays; a misspelt one is refused rather than taken for one left out.
    let one = json!({"next_steps": "every unit"});
    let res = send(&ada, reqwest::Method::PATCH, story.clone(), Some(one)).await.unwrap();
    let kept: Value = res.json().await.unwrap();
    assert_eq!(kept["markdown"]["value"], "paid on time", "{kept}");
    assert_eq!(kept["markdown"]["next_steps"], "every unit", "{kept}");
    let typo = json!({"nextSteps": "lost"});
    let res = send(&ada, reqwest::Method::PATCH, story.clone(), Some(typo)).await.unwrap();
    let body = failure(res, 422, "unprocessable").await;
    assert!(body.to_string().contains("nextSteps"), "{body}");
    let empty = json!({"problem": "", "solution": "a flow"});
    failure(
        send(&ada, reqwest::Method::PATCH, story.clone(), Some(empty)).await.unwrap(),
        400,
        "bad_request",
    )
    .await;

    // Taken out of Finance, Ada still reads her draft but no longer its Finance figure.
    let (_, admin) = s.token(ADMIN, Role::Admin).await;
    let units = |list: Value| {
        Server::client()
            .patch(s.url(&format!("/api/users/{OWNER}")))
            .bearer_auth(&admin)
            .json(&json!({"business_units": list}))
            .send()
    };
    assert_eq!(units(json!(["Sales"])).await.unwrap().status(), 200);
    let res = send(&ada, reqwest::Method::GET, story.clone(), None).await.unwrap();
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["figures"], json!([]), "{moved}");
    assert_eq!(units(json!(["Finance"])).await.unwrap().status(), 200);

    // Nobody else edits it, not even an analyst; the sponsor and another unit's owner do not
    // see a draft at all.
    let res = send(&ann, reqwest::Method::PATCH, story.clone(), Some(parts.clone())).await.unwrap();
    failure(res, 403, "forbidden").await;
    for token in [&sam, &grace] {
        let res = send(token, reqwest::Method::GET, story.clone(), None).await.unwrap();
        failure(res, 404, "not_found").await;
    }

    // Submitted, it is no longer edited; the analyst validates and publishes it.
    let mv = |token: &str, to: &str| {
        send(token, reqwest::Method::POST, format!("{story}/move"), Some(json!({"to": to})))
    };
    assert_eq!(mv(&ada, "submitted").await.unwrap().status(), 200);
    let res = send(&ada, reqwest::Method::PATCH, story.clone(), Some(parts.clone())).await.unwrap();
    failure(res, 403, "forbidden").await;
    failure(mv(&ada, "validated").await.unwrap(), 403, "forbidden").await;
    for to in ["validated", "published"] {
        let res = mv(&ann, to).await.unwrap();
        assert_eq!(res.status(), 200, "{to}");
        assert_eq!(res.json::<Value>().await.unwrap()["status"], to);
    }

    // Published, Finance's sponsor reads it with its edited parts; Sales' owner still does not.
    let res = send(&sam, reqwest::Method::GET, story.clone(), None).await.unwrap();
    assert_eq!(res.status(), 200);
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["parts"][3][1], "<p>paid on time</p>\n", "{read}");
    assert_eq!(read["editable"], false);
    let list: Value = send(&sam, reqwest::Method::GET, "/api/stories".into(), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let res = send(&grace, reqwest::Method::GET, story.clone(), None).await.unwrap();
    failure(res, 404, "not_found").await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_admin_changes_a_users_role_and_units_and_disables_and_enables_them(
    #[case] backend: Backend,
) {
    let Some(s) = Server::start(backend, "access").await else { return };
    let (_, admin) = s.token(ADMIN, Role::Admin).await;
    let patch = |who: &str, body: Value| {
        Server::client()
            .patch(s.url(&format!("/api/users/{who}")))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let created = Server::client()
        .post(s.url("/api/users"))
        .bearer_auth(&admin)
        .json(&json!({"name": "olga", "password": PASSWORD, "role": "owner", "person": "Olga",
            "business_units": ["Finance"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let olga = s.login("olga").await;
    let (_, olga_owner_token) = s.token("olga", Role::Owner).await;
    let solutions = |client: &reqwest::Client, token: Option<&str>| {
        let mut req = client.get(s.url("/api/solutions"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(solutions(&olga.client, None).await, 200);

    // Olga becomes a sponsor of Sales: her session reads no register any more and her owner
    // token is revoked.
    let res = patch("olga", json!({"role": "sponsor", "business_units": ["sales"]})).await.unwrap();
    assert_eq!(res.status(), 200);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(
        (changed["role"].as_str(), &changed["business_units"]),
        (Some("sponsor"), &json!(["Sales"]))
    );
    assert_eq!(solutions(&olga.client, None).await, 403);
    assert_eq!(solutions(&Server::client(), Some(&olga_owner_token)).await, 401);
    let me: Value = olga.client.get(s.url("/api/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "sponsor", "{me}");

    // Refused: an owner with no unit, a unit that does not exist, one's own access, a
    // non-admin's change.
    failure(
        patch("olga", json!({"role": "owner", "business_units": []})).await.unwrap(),
        400,
        "bad_request",
    )
    .await;
    failure(
        patch("olga", json!({"business_units": ["Nowhere"]})).await.unwrap(),
        400,
        "bad_request",
    )
    .await;
    failure(patch("olga", json!({"disable": true})).await.unwrap(), 422, "unprocessable").await;
    failure(patch(ADMIN, json!({"role": "analyst"})).await.unwrap(), 400, "bad_request").await;
    let (_, analyst) = s.token(ANALYST, Role::Analyst).await;
    let res = Server::client()
        .patch(s.url("/api/users/olga"))
        .bearer_auth(&analyst)
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    failure(res, 403, "forbidden").await;

    // The users page's form: one box ticked per business unit.
    let root = s.login(ADMIN).await;
    let page = root.client.get(s.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"href="/users/olga/access""#), "{page}");
    // The form shows her access as it is: sponsor of Sales.
    let page = root.client.get(s.url("/users/olga/access")).send().await.unwrap().text().await;
    let page = page.unwrap();
    assert!(page.contains(r#"<option value="sponsor" selected>"#), "{page}");
    assert!(page.contains(r#"name="business_unit" value="Sales" checked>"#), "{page}");
    assert!(page.contains(r#"name="business_unit" value="Finance">"#), "{page}");
    let form = [
        ("csrf", root.csrf.as_str()),
        ("role", "owner"),
        ("business_unit", "Finance"),
        ("business_unit", "Sales"),
    ];
    let res = root.client.post(s.url("/users/olga/access")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let users: Value =
        root.client.get(s.url("/api/users")).send().await.unwrap().json().await.unwrap();
    let o = users.as_array().unwrap().iter().find(|u| u["name"] == "olga").unwrap();
    assert_eq!((&o["role"], &o["business_units"]), (&json!("owner"), &json!(["Finance", "Sales"])));
    let mine = [("csrf", root.csrf.as_str()), ("role", "sponsor")];
    let res = root.client.post(s.url(&format!("/users/{ADMIN}/access"))).form(&mine).send();
    let res = res.await.unwrap();
    assert_eq!(res.status(), 400, "the form again, with the reason");
    let page = res.text().await.unwrap();
    assert!(page.contains("another admin does that"), "{page}");
    assert!(page.contains(r#"<option value="sponsor" selected>"#), "what was sent: {page}");

    // Disabled, her session ends; enabled, she logs in again.
    let res = patch("olga", json!({"disabled": true})).await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["disabled"], true);
    assert_eq!(olga.client.get(s.url("/api/me")).send().await.unwrap().status(), 401);
    let res = patch("olga", json!({"disabled": false})).await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["disabled"], false);
    let again = s.login("olga").await;
    assert_eq!(again.client.get(s.url("/api/me")).send().await.unwrap().status(), 200);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_refused_form_comes_back_with_its_reason_and_a_failure_status(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "refusals").await else { return };
    let ada = s.login(OWNER).await;
    let post = |name: &'static str| {
        let form = [
            ("csrf", ada.csrf.as_str()),
            ("name", name),
            ("kind", "cloud-flow"),
            ("business_unit", "Finance"),
        ];
        ada.client.post(s.url("/solutions")).form(&form).send()
    };
    for (name, status, reason) in
        [("   ", 400, "must not be empty"), ("Invoice flow", 409, "already")]
    {
        let res = post(name).await.unwrap();
        assert_eq!(res.status(), status, "{name:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains(reason) && page.contains(r#"action="/solutions""#), "{page}");
        // What was typed is still there.
        assert!(page.contains(r#"<option value="cloud-flow" selected>"#), "{page}");
    }
    assert_eq!(post("Expense flow").await.unwrap().status(), 303);

    // A form sent as JSON is refused by the framework: the page says the status it has.
    let json_form = ada.client.post(s.url("/solutions")).json(&json!({"name": "x"})).send();
    let res = json_form.await.unwrap();
    assert_eq!(res.status(), 415);
    assert!(res.text().await.unwrap().contains("<h1>Error 415</h1>"));

    // A story refused for its empty problem comes back with what was written.
    let story = [
        ("csrf", ada.csrf.as_str()),
        ("title", "Typed <title>"),
        ("problem", "\u{200B}"),
        ("solution", "a long\r\nanswer"),
    ];
    let res = ada.client.post(s.url("/stories")).form(&story).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"value="Typed &lt;title&gt;""#), "{page}");
    assert!(page.contains("a long\r\nanswer</textarea>"), "{page}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_figure_the_engine_cannot_make_says_why_on_the_solution(#[case] backend: Backend) {
    let Some(s) = Server::start(backend, "problems").await else { return };
    let ada = s.login(OWNER).await;
    let own = s.ids.own;
    // An engineer's time, and no rate card for engineers.
    let line = json!({"name": "engineer time", "category": "time-savings",
        "model": "time-saved-per-use",
        "params": {"minutes_per_use": "5", "role": "engineer", "estimated_uses": "100/month"}});
    let res = ada
        .client
        .post(s.url(&format!("/api/solutions/{own}/value-lines")))
        .header("x-csrf-token", ada.csrf.as_str())
        .json(&line)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let detail: Value = ada
        .client
        .get(s.url(&format!("/api/solutions/{own}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let problems = detail["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{detail}");
    assert_eq!(problems[0]["kind"], "missing_rate");
    assert!(problems[0]["message"].as_str().unwrap().contains("engineer"), "{detail}");
    let page = ada.client.get(s.url(&format!("/solutions/{own}"))).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Why some figures are missing") && page.contains("engineer"), "{page}");
    // The seeded line's own solution page has nothing to explain.
    let peer = s.login(ANALYST).await;
    let other = peer.client.get(s.url(&format!("/solutions/{}", s.ids.other))).send().await;
    assert!(!other.unwrap().text().await.unwrap().contains("Why some figures are missing"));
}
