//! Import jobs on a shared database: two servers' workers poll the same store, and every job
//! is run by exactly one of them.

use std::collections::BTreeSet;
use std::time::Duration;

use worth_core::Currency;
use worth_core::pseudonym::SecretKey;
use worth_core::workspace::WorkspaceSettings;
use worth_server::{AppState, Settings, imports};
use worth_store::testing::TestDb;
use worth_store::{JobState, Location, Store};

const JOBS: usize = 8;

async fn workspace(location: &Location) -> Store {
    let store = Store::open(location).await.unwrap();
    let mut w = store.write("setup").await.unwrap();
    let settings = WorkspaceSettings {
        currency: Currency::parse("USD").unwrap(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &SecretKey::from_bytes([7; 32])).await.unwrap();
    w.commit().await.unwrap();
    store
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
        key: Some(SecretKey::from_bytes([7; 32])),
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
