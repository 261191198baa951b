//! `worth import` as a user runs it: a FOCUS file end to end, messages on stderr, `--strict`,
//! and a process killed half way through an import, which leaves the store as it was.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

fn focus_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../worth-ingest/tests/data/focus-1.0-sample.csv")
}

fn worth(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("worth").unwrap();
    cmd.current_dir(dir)
        .env_remove("WORTH_DB")
        .env_remove("WORTH_KEY_FILE")
        .env_remove("RUST_LOG")
        .env("WORTH_ACTOR", "tester");
    cmd
}

fn workspace() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    worth(dir.path()).arg("init").assert().success();
    dir
}

#[test]
fn a_focus_file_imports_and_a_second_time_is_skipped() {
    let dir = workspace();
    let out = worth(dir.path())
        .args(["import", "costs", "--format", "json"])
        .arg(focus_sample())
        .assert()
        .success()
        .stderr(predicate::str::contains("ignored column(s) not known to the costs format: Id"))
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(summary["files"][0]["read"], 1000);
    assert_eq!(summary["files"][0]["imported"], 1000);
    assert_eq!(summary["files"][0]["import_id"], 1);

    worth(dir.path())
        .args(["import", "costs"])
        .arg(focus_sample())
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped: the same content was imported"));
}

#[test]
fn strict_fails_with_exit_code_1_and_names_the_rejects_file() {
    let dir = workspace();
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "AppId,ObjectID,SessionId,timeaccessed\na,u,s,2024-09-01\na,u,s2,never\n",
    )
    .unwrap();
    worth(dir.path())
        .args(["import", "usage", "--strict"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--strict was given: nothing was imported"))
        .stderr(predicate::str::contains("worth-rejects-usage-"));
    // Without --strict the good row goes in and the bad one is explained.
    worth(dir.path())
        .args(["import", "usage"])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("bad.csv line 3, timeaccessed: 'never' is not a date"));
}

#[test]
fn a_missing_column_fails_naming_it() {
    let dir = workspace();
    let file = dir.path().join("u.csv");
    std::fs::write(&file, "AppId,ObjectID,timeaccessed\na,u,2024-09-01\n").unwrap();
    worth(dir.path())
        .args(["import", "usage"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the required column 'SessionId' is missing"))
        .stderr(predicate::str::contains("the store is unchanged"));
}

/// A usage file with many distinct (app, user) pairs, so that writing takes a while.
fn big_usage_file(path: &Path, rows: usize) {
    let mut text = String::with_capacity(rows * 80);
    text.push_str("AppId,ObjectID,SessionId,timeaccessed\n");
    for i in 0..rows {
        let day = i % 28 + 1;
        text.push_str(&format!("app-{},user-{},s-{i},2024-09-{day:02}T10:00:00Z\n", i % 97, i / 3));
    }
    std::fs::write(path, text).unwrap();
}

fn table_counts(db: &Path) -> Vec<(String, i64)> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store =
            worth_store::Store::open(&worth_store::Location::Sqlite(db.to_owned())).await.unwrap();
        let counts = store.ingest_row_counts().await.unwrap();
        store.close().await;
        counts.into_iter().map(|(t, n)| (t.to_owned(), n)).collect()
    })
}

#[test]
fn an_import_killed_half_way_leaves_the_store_as_it_was() {
    let dir = workspace();
    let small = dir.path().join("small.csv");
    std::fs::write(&small, "AppId,ObjectID,SessionId,timeaccessed\napp-1,ada,s1,2024-08-01\n")
        .unwrap();
    worth(dir.path()).args(["import", "usage"]).arg(&small).assert().success();
    let db = dir.path().join("worth.db");
    let before = table_counts(&db);

    let big = dir.path().join("big.csv");
    big_usage_file(&big, 300_000);
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("worth"))
        .current_dir(dir.path())
        .env_remove("WORTH_DB")
        .env_remove("WORTH_KEY_FILE")
        .env("WORTH_ACTOR", "tester")
        .env("RUST_LOG", "worth_ingest=info")
        .args(["import", "usage"])
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Kill it as soon as it says it is writing: the file is read, the transaction is open.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut saw_writing = false;
    for line in stderr.lines() {
        if line.unwrap().contains("writing") {
            saw_writing = true;
            child.kill().unwrap();
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(saw_writing, "the import never started writing");
    assert!(!status.success(), "the import finished before it was killed");

    assert_eq!(table_counts(&db), before);
    // And the store still works: the same file imports in full afterwards.
    worth(dir.path()).args(["import", "usage"]).arg(&big).assert().success();
    let after = table_counts(&db);
    let imports = after.iter().find(|(t, _)| t == "imports").unwrap().1;
    assert_eq!(imports, 2);
}
