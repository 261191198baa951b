//! `worth import runs`: daily runs per status and durations, duplicates, replacement of
//! re-imported days, and dirty cells, on SQLite and PostgreSQL.

mod common;

use rstest::rstest;
use worth_ingest::Kind;

use common::{backends, rejects, sqlite};

/// (flow, day, status, runs, timed runs, duration in ms) of every rollup.
async fn daily(env: &common::Env) -> Vec<(String, String, String, i64, i64, i64)> {
    let rows = env.store.run_daily().await.unwrap();
    rows.into_iter()
        .map(|r| (r.flow_id, r.day.to_string(), r.status, r.runs, r.timed_runs, r.duration_ms))
        .collect()
}

fn r(
    flow: &str,
    day: &str,
    status: &str,
    runs: i64,
    timed: i64,
    ms: i64,
) -> (String, String, String, i64, i64, i64) {
    (flow.into(), day.into(), status.into(), runs, timed, ms)
}

#[tokio::test]
async fn runs_roll_up_per_flow_day_and_status() {
    for env in backends("runs_roll_up").await {
        let file = env.write(
            "runs.csv",
            "Flow Id,Run Id,Start time,End time,Status\n\
             FLOW-1,r1,2024-09-01T10:00:00Z,2024-09-01T10:00:30Z,Succeeded\n\
             flow-1,r2,2024-09-01 11:00:00,2024-09-01 11:01:00,Succeeded\n\
             flow-1,r2,2024-09-01 11:00:00,2024-09-01 11:01:00,Succeeded\n\
             flow-1,r3,2024-09-01T12:00:00Z,2024-09-01T12:00:01.5Z,Failed\n\
             flow-1,r4,2024-09-02T00:00:00Z,,Running\n\
             flow-2,r5,2024-09-02T08:00:00+02:00,NULL,Pending\n\
             flow-2,r6,2024-09-02T09:00:00Z,2024-09-02T09:00:02Z,Canceled\n",
        );
        let summary = env.import(Kind::Runs, &[file]).await.unwrap();
        assert_eq!((summary.read(), summary.imported(), summary.duplicate()), (7, 6, 1));
        assert_eq!(
            daily(&env).await,
            [
                r("flow-1", "2024-09-01", "failed", 1, 1, 1500),
                r("flow-1", "2024-09-01", "succeeded", 2, 2, 90_000),
                r("flow-1", "2024-09-02", "running", 1, 0, 0),
                r("flow-2", "2024-09-02", "cancelled", 1, 1, 2000),
                r("flow-2", "2024-09-02", "pending", 1, 0, 0),
            ],
            "{}",
            env.name
        );
    }
}

#[tokio::test]
async fn a_re_exported_day_replaces_the_earlier_one() {
    for env in backends("re_exported_run_days").await {
        let first = env.write(
            "1.csv",
            "FlowId,RunId,StartTime,EndTime,Status\n\
             f,r1,2024-09-01T10:00:00Z,2024-09-01T10:00:10Z,Running\n\
             f,r2,2024-09-02T10:00:00Z,2024-09-02T10:00:10Z,Succeeded\n",
        );
        // The 2nd is exported again later: r1's day is not in it and stays.
        let second = env.write(
            "2.csv",
            "FlowId,RunId,StartTime,EndTime,Status\n\
             f,r2,2024-09-02T10:00:00Z,2024-09-02T10:00:10Z,Succeeded\n\
             f,r3,2024-09-02T11:00:00Z,2024-09-02T11:00:10Z,Succeeded\n",
        );
        env.import(Kind::Runs, &[first]).await.unwrap();
        env.import(Kind::Runs, std::slice::from_ref(&second)).await.unwrap();
        let expected = [
            r("f", "2024-09-01", "running", 1, 0, 0),
            r("f", "2024-09-02", "succeeded", 2, 2, 20_000),
        ];
        assert_eq!(daily(&env).await, expected, "{}", env.name);
        let again = env.import(Kind::Runs, &[second]).await.unwrap();
        assert!(again.files[0].skipped.is_some());
        assert_eq!(daily(&env).await, expected);
    }
}

#[rstest]
#[case::bom_and_crlf("f,r,2024-09-01T00:00:00Z,2024-09-01T00:00:01Z,Succeeded", Ok("2024-09-01"))]
#[case::offset("f,r,2024-09-01T00:00:00+02:00,,Running", Ok("2024-08-31"))]
#[case::null_end("f,r,2024-09-01 00:00:00,NULL,Pending", Ok("2024-09-01"))]
#[case::ends_before_start("f,r,2024-09-01T10:00:00Z,2024-09-01T09:00:00Z,Failed", Err("EndTime"))]
#[case::unknown_status("f,r,2024-09-01T10:00:00Z,,Skipped", Err("Status"))]
#[case::no_start("f,r,,,Succeeded", Err("StartTime"))]
#[case::no_run_id("f,NULL,2024-09-01T10:00:00Z,,Succeeded", Err("RunId"))]
#[tokio::test]
async fn dirty_run_cells(#[case] row: &str, #[case] expected: Result<&str, &str>) {
    let env = sqlite().await;
    let path =
        env.write("r.csv", &format!("\u{feff}FlowId,RunId,StartTime,EndTime,Status\r\n{row}\r\n"));
    let summary = env.import(Kind::Runs, &[path]).await.unwrap();
    let rows = daily(&env).await;
    match expected {
        Ok(day) => {
            assert_eq!(summary.rejected(), 0, "{:?}", rejects(&summary));
            assert_eq!(rows[0].1, day);
        }
        Err(column) => {
            assert!(rows.is_empty());
            let rejected = rejects(&summary);
            assert_eq!((rejected[0][1].as_str(), rejected[0][2].as_str()), ("2", column));
        }
    }
}

#[tokio::test]
async fn a_missing_status_column_refuses_the_file() {
    let env = sqlite().await;
    let path = env.write("r.csv", "FlowId,RunId,StartTime\nf,r,2024-09-01\n");
    let err = env.import(Kind::Runs, &[path]).await.unwrap_err().to_string();
    assert!(err.contains("'Status' is missing"), "{err}");
}
