//! Two servers on one database: both serve the same data, and of the import jobs queued, each
//! is run by exactly one of their workers.

use std::collections::BTreeSet;
use std::time::Duration;

use std::net::SocketAddr;

use worth_core::access::Role;
use worth_server::{AppState, Settings, imports};
use worth_store::testing::TestDb;
use worth_store::{JobState, Location, NewUser, Store};

const JOBS: usize = 8;

async fn workspace(location: &Location) -> Store {
    worth_store::testing::workspace(location, "USD").await.unwrap()
}

/// A run history of one flow on day `day` of September 2024.
fn runs_file(day: usize) -> Vec<u8> {
    format!(
        "FlowId,RunId,StartTime,EndTime,Status\n\
         flow-{day},run-{day},2024-09-{day:02}T10:00:00Z,2024-09-{day:02}T10:00:10Z,Succeeded\n"
    )
    .into_bytes()
}

async fn every_job_runs_once(location: Location) {
    let first = workspace(&location).await;
    let second = Store::open(&location).await.unwrap();
    let settings = Settings {
        key: Some(worth_store::testing::test_key()),
        import_poll: None,
        ..Settings::default()
    };
    for day in 1..=JOBS {
        first
            .enqueue_import("runs", &format!("runs-{day}.csv"), runs_file(day), false, "ada")
            .await
            .unwrap();
    }
    // Two servers' workers race for the same queue.
    let poll = Duration::from_millis(5);
    let workers = [
        imports::spawn_worker(AppState::new(first.clone(), settings.clone()), poll),
        imports::spawn_worker(AppState::new(second, settings), poll),
    ];
    let mut jobs = Vec::new();
    for _ in 0..400 {
        jobs = first.import_jobs(100).await.unwrap();
        if jobs.iter().all(|j| matches!(j.state, JobState::Done | JobState::Failed)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for w in workers {
        w.abort();
    }
    assert_eq!(jobs.len(), JOBS);
    for j in &jobs {
        assert_eq!(j.state, JobState::Done, "job {} failed: {:?}", j.id, j.error);
        assert!(j.claimed_by.is_some());
        let files = &j.summary.as_ref().unwrap()["files"];
        assert_eq!(files[0]["file"], j.file_name.as_str(), "the summary names the upload");
        assert_eq!(files[0]["read"], 1);
    }
    // Each job made one import of its own: no job was imported twice.
    let import_ids: BTreeSet<i64> = jobs
        .iter()
        .map(|j| j.summary.as_ref().unwrap()["files"][0]["import_id"].as_i64().unwrap())
        .collect();
    assert_eq!(import_ids.len(), JOBS);
    assert_eq!(first.data_stamp().await.unwrap().1, i64::try_from(JOBS).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_postgres_run_each_import_job_once() {
    let Some(db) = TestDb::postgres("two_servers_run_each_import_job_once").await else { return };
    every_job_runs_once(db.location.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_sqlite_run_each_import_job_once() {
    let dir = tempfile::tempdir().unwrap();
    every_job_runs_once(Location::Sqlite(dir.path().join("worth.db"))).await;
}

/// Starts a server on a random loopback port over `store`.
async fn start(store: Store) -> SocketAddr {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let settings = Settings { import_poll: None, ..Settings::default() };
    tokio::spawn(worth_server::serve(
        AppState::new(store, settings),
        "127.0.0.1:0".parse().unwrap(),
        |a| {
            let _ = tx.send(a);
        },
    ));
    rx.await.unwrap()
}

async fn both_serve_the_same_data(location: Location) {
    let store = workspace(&location).await;
    let mut w = store.write("setup").await.unwrap();
    w.add_business_unit("Finance", None).await.unwrap();
    let password_hash = worth_server::auth::hash_password("correct horse battery").unwrap();
    let new = NewUser {
        name: "ada".into(),
        person: None,
        role: Role::Analyst,
        password_hash,
        business_units: Vec::new(),
    };
    w.add_user(&new).await.unwrap();
    w.commit().await.unwrap();
    let a = start(store).await;
    let b = start(Store::open(&location).await.unwrap()).await;
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();

    // A session opened on one server is good on the other: sessions live in the store.
    let login = http
        .post(format!("http://{a}/login"))
        .form(&[("name", "ada"), ("password", "correct horse battery")])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success() || login.status().is_redirection());
    let made: serde_json::Value = http
        .post(format!("http://{b}/api/tokens"))
        .header("x-csrf-token", csrf_of(&http, b).await)
        .json(&serde_json::json!({"name": "two servers"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = made["token"].as_str().unwrap().to_owned();

    // A solution registered through one server is listed, with the same figures, by the other.
    let created = reqwest::Client::new()
        .post(format!("http://{a}/api/solutions"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Invoice Approvals", "kind": "canvas-app", "business_unit": "Finance"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    for server in [a, b] {
        let page: serde_json::Value = reqwest::Client::new()
            .get(format!("http://{server}/api/solutions"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1, "{server}: {page}");
        assert_eq!(page["items"][0]["name"], "Invoice Approvals");
    }
}

/// The CSRF token of the session `http` holds, read from a page's form.
async fn csrf_of(http: &reqwest::Client, server: SocketAddr) -> String {
    let page =
        http.get(format!("http://{server}/tokens")).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    page[at..at + 64].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_postgres_serve_the_same_data() {
    let Some(db) = TestDb::postgres("two_servers_serve_the_same_data").await else { return };
    both_serve_the_same_data(db.location.clone()).await;
}

/// An upload through the API becomes a job; the job's rows that cannot be read are kept with
/// their line and reason, downloadable, and named after the uploaded file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_file_is_imported_by_a_job_and_its_rejects_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("worth.db"));
    let store = workspace(&location).await;
    let mut w = store.write("setup").await.unwrap();
    let password_hash = worth_server::auth::hash_password("correct horse battery").unwrap();
    let new = NewUser {
        name: "ada".into(),
        person: None,
        role: Role::Analyst,
        password_hash,
        business_units: Vec::new(),
    };
    w.add_user(&new).await.unwrap();
    let digest = worth_server::auth::digest("worth_test-token");
    w.add_token("ada", "uploads", &digest, Role::Analyst).await.unwrap();
    w.commit().await.unwrap();
    let settings = Settings {
        key: Some(worth_store::testing::test_key()),
        import_poll: Some(Duration::from_millis(20)),
        ..Settings::default()
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(worth_server::serve(
        AppState::new(store, settings),
        "127.0.0.1:0".parse().unwrap(),
        |a| {
            let _ = tx.send(a);
        },
    ));
    let server: SocketAddr = rx.await.unwrap();
    let http = reqwest::Client::new();

    let file = "FlowId,RunId,StartTime,EndTime,Status\n\
                f,r1,2024-09-01T10:00:00Z,2024-09-01T10:00:10Z,Succeeded\n\
                f,r2,not a time,2024-09-01T10:00:10Z,Succeeded\n";
    let form = reqwest::multipart::Form::new()
        .text("kind", "runs")
        .part("file", reqwest::multipart::Part::text(file).file_name("../flow runs.csv"));
    let queued = http
        .post(format!("http://{server}/api/imports"))
        .bearer_auth("worth_test-token")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    let job: serde_json::Value = queued.json().await.unwrap();
    let id = job["id"].as_i64().unwrap();
    let mut done = serde_json::Value::Null;
    for _ in 0..200 {
        done = http
            .get(format!("http://{server}/api/imports/{id}"))
            .bearer_auth("worth_test-token")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if done["state"] == "done" || done["state"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["has_rejects"], true);
    assert_eq!(done["summary"]["files"][0]["read"], 2);
    assert_eq!(done["summary"]["files"][0]["rejected"], 1);
    let rejects = http
        .get(format!("http://{server}/api/imports/{id}/rejects"))
        .bearer_auth("worth_test-token")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(rejects.contains("not a time"), "{rejects}");
    assert!(rejects.contains("../flow runs.csv"), "the rejects name the upload: {rejects}");
    assert!(!rejects.contains("/tmp"), "no server path leaks: {rejects}");
    let listed: serde_json::Value = http
        .get(format!("http://{server}/api/imports?state=done&per_page=10"))
        .bearer_auth("worth_test-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], id);
}
