//! `worth import usage`: daily rollups and monthly distinct users, replacement of re-imported
//! days, pseudonymization, and dirty cells, on SQLite and PostgreSQL.

mod common;

use rstest::rstest;
use worth_ingest::{ImportOptions, Kind};

use common::{backends, rejects, sqlite};

const HEADER: &str = "AppId,environmentId,tenantid,ObjectID,SessionId,timeaccessed,Country,\
platform,PlayerVersion,AppVersion,Browsername,DataVersion";

/// A usage file of `(app, user, session, time)` rows.
fn usage(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut text = format!("{HEADER}\n");
    for (app, user, session, time) in rows {
        text.push_str(&format!(
            "{app},env-1,tenant-1,{user},{session},{time},US,Web,3.1,1.0,Edge,1\n"
        ));
    }
    text
}

/// (app, day, sessions, users) of every daily rollup.
async fn daily(env: &common::Env) -> Vec<(String, String, i64, i64)> {
    let rows = env.store.usage_daily().await.unwrap();
    rows.into_iter().map(|d| (d.external_id, d.day.to_string(), d.sessions, d.users)).collect()
}

/// (app, month, users) of every monthly count.
async fn monthly(env: &common::Env) -> Vec<(String, String, i64)> {
    let rows = env.store.monthly_users().await.unwrap();
    rows.into_iter().map(|m| (m.external_id, m.month, m.users)).collect()
}

fn s(a: &str, b: &str, c: i64, d: i64) -> (String, String, i64, i64) {
    (a.to_owned(), b.to_owned(), c, d)
}

#[tokio::test]
async fn sessions_and_distinct_users_roll_up_per_app_day_and_month() {
    for env in backends("sessions_and_distinct_users_roll_up").await {
        let file = env.write(
            "u.csv",
            &usage(&[
                ("APP-1", "ada@contoso.com", "s1", "2024-09-01T08:00:00Z"),
                ("app-1", "Ada@Contoso.com", "s2", "2024-09-01 09:00:00"),
                ("app-1", "bob@contoso.com", "s2", "2024-09-01T09:00:05Z"),
                ("app-1", "bob@contoso.com", "s3", "2024-09-02T10:00:00Z"),
                ("app-2", "ada@contoso.com", "s4", "2024-10-01T00:30:00+02:00"),
            ]),
        );
        let summary = env.import(Kind::Usage, &[file]).await.unwrap();
        assert_eq!((summary.read(), summary.imported(), summary.duplicate()), (5, 4, 1));
        assert_eq!(
            daily(&env).await,
            [
                s("app-1", "2024-09-01", 2, 2),
                s("app-1", "2024-09-02", 1, 1),
                s("app-2", "2024-09-30", 1, 1),
            ],
            "{}",
            env.name
        );
        let months = monthly(&env).await;
        assert_eq!(
            months,
            [
                ("app-1".to_owned(), "2024-09".to_owned(), 2),
                ("app-2".to_owned(), "2024-09".to_owned(), 1)
            ]
        );
    }
}

#[tokio::test]
async fn overlapping_files_replace_the_days_they_share_and_never_add() {
    for env in backends("overlapping_usage_files").await {
        // The first export covers 1–3 September; Carl used the app only on the 2nd.
        let first = env.write(
            "first.csv",
            &usage(&[
                ("app-1", "ada", "a1", "2024-09-01T08:00:00Z"),
                ("app-1", "carl", "c1", "2024-09-02T08:00:00Z"),
                ("app-1", "ada", "a2", "2024-09-03T08:00:00Z"),
            ]),
        );
        // The second covers 2–4 September again, corrected: Carl's session was Bob's.
        let second = env.write(
            "second.csv",
            &usage(&[
                ("app-1", "bob", "c1", "2024-09-02T08:00:00Z"),
                ("app-1", "ada", "a2", "2024-09-03T08:00:00Z"),
                ("app-1", "ada", "a3", "2024-09-03T09:00:00Z"),
                ("app-1", "bob", "b4", "2024-09-04T08:00:00Z"),
            ]),
        );
        env.import(Kind::Usage, std::slice::from_ref(&first)).await.unwrap();
        assert_eq!(monthly(&env).await[0].2, 2, "ada and carl");
        env.import(Kind::Usage, std::slice::from_ref(&second)).await.unwrap();
        let expected = [
            s("app-1", "2024-09-01", 1, 1),
            s("app-1", "2024-09-02", 1, 1),
            s("app-1", "2024-09-03", 2, 1),
            s("app-1", "2024-09-04", 1, 1),
        ];
        assert_eq!(daily(&env).await, expected, "{}", env.name);
        // Carl's only day was replaced: he is no longer a user of September.
        assert_eq!(monthly(&env).await, [("app-1".to_owned(), "2024-09".to_owned(), 2)]);

        // Importing both again, in either order, with a changed byte, changes nothing more.
        let first_again =
            env.write("first2.csv", &(std::fs::read_to_string(&first).unwrap() + "\n"));
        env.import(Kind::Usage, &[first_again, second]).await.unwrap();
        assert_eq!(daily(&env).await, expected, "{}", env.name);
        assert_eq!(monthly(&env).await, [("app-1".to_owned(), "2024-09".to_owned(), 2)]);
    }
}

#[tokio::test]
async fn re_importing_a_file_is_idempotent() {
    for env in backends("re_importing_usage").await {
        let file = env.write(
            "u.csv",
            &usage(&[
                ("app-1", "ada", "a1", "2024-09-01T08:00:00Z"),
                ("app-1", "bob", "b1", "2024-09-30T23:59:59Z"),
            ]),
        );
        env.import(Kind::Usage, std::slice::from_ref(&file)).await.unwrap();
        let (d, m, counts) = (daily(&env).await, monthly(&env).await, env.counts().await);
        let again = env.import(Kind::Usage, &[file]).await.unwrap();
        assert!(again.files[0].skipped.is_some());
        assert_eq!((daily(&env).await, monthly(&env).await, env.counts().await), (d, m, counts));
    }
}

#[tokio::test]
async fn user_ids_are_never_stored() {
    let env = sqlite().await;
    let file = env.write(
        "u.csv",
        &usage(&[("app-1", "secret.person@contoso.com", "a1", "2024-09-01T08:00:00Z")]),
    );
    env.import(Kind::Usage, &[file]).await.unwrap();
    env.store.clone().close().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("worth.db") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(text.contains("app-1"), "the store was read");
    assert!(!text.contains("secret.person"), "a user id reached the store");
}

#[tokio::test]
async fn a_failed_usage_import_leaves_the_store_as_it_was() {
    for env in backends("a_failed_usage_import").await {
        let one = env.write("1.csv", &usage(&[("app-1", "ada", "a1", "2024-09-01T08:00:00Z")]));
        env.import(Kind::Usage, &[one]).await.unwrap();
        let before = (daily(&env).await, monthly(&env).await, env.counts().await);
        let two = env.write("2.csv", &usage(&[("app-1", "bob", "b1", "2024-09-01T08:00:00Z")]));
        let options = ImportOptions { fail_before_commit: true, ..env.options() };
        assert!(env.import_with(Kind::Usage, &[two], &options).await.is_err());
        assert_eq!((daily(&env).await, monthly(&env).await, env.counts().await), before);
    }
}

#[rstest]
#[case::t_and_z("app-1,ada,s1,2024-09-01T00:00:00Z", Ok("2024-09-01"))]
#[case::space_no_zone("app-1,ada,s1,2024-09-01 00:00:00", Ok("2024-09-01"))]
#[case::offset("app-1,ada,s1,2024-09-01T00:00:00+02:00", Ok("2024-08-31"))]
#[case::fractions("app-1,ada,s1,2024-09-01T10:00:00.1234567Z", Ok("2024-09-01"))]
#[case::quoted_with_spaces("\" app-1 \",ada,s1,\"2024-09-01T00:00:00Z\"", Ok("2024-09-01"))]
#[case::date_only("app-1,ada,s1,2024-09-01", Ok("2024-09-01"))]
#[case::null_user("app-1,NULL,s1,2024-09-01T00:00:00Z", Err(("ObjectID", "a user id is required")))]
#[case::empty_session("app-1,ada,,2024-09-01T00:00:00Z", Err(("SessionId", "required")))]
#[case::empty_app(",ada,s1,2024-09-01T00:00:00Z", Err(("AppId", "required")))]
#[case::null_time("app-1,ada,s1,NULL", Err(("timeaccessed", "required")))]
#[case::us_date("app-1,ada,s1,09/01/2024 10:00", Err(("timeaccessed", "not a date")))]
#[case::impossible_date("app-1,ada,s1,2024-02-30T00:00:00Z", Err(("timeaccessed", "not a date")))]
#[case::too_many_cells("app-1,ada,s1,2024-09-01T00:00:00Z,x", Err(("", "header has 4 columns")))]
#[tokio::test]
async fn dirty_usage_cells(#[case] row: &str, #[case] expected: Result<&str, (&str, &str)>) {
    let env = sqlite().await;
    let path =
        env.write("u.csv", &format!("\u{feff}AppId,ObjectID,SessionId,timeaccessed\r\n{row}\r\n"));
    let summary = env.import(Kind::Usage, &[path]).await.unwrap();
    let rows = daily(&env).await;
    match expected {
        Ok(day) => {
            assert_eq!(summary.rejected(), 0, "{:?}", rejects(&summary));
            assert_eq!(rows, [s("app-1", day, 1, 1)]);
        }
        Err((column, reason)) => {
            assert!(rows.is_empty());
            let rejected = rejects(&summary);
            assert_eq!(rejected.len(), 1);
            assert_eq!((rejected[0][1].as_str(), rejected[0][2].as_str()), ("2", column));
            assert!(rejected[0][3].contains(reason), "{rejected:?}");
            assert!(!rejected[0][3].contains("ada"), "a user id reached the rejects file");
        }
    }
}

#[tokio::test]
async fn a_missing_column_refuses_the_file_and_an_extra_one_is_reported_once() {
    let env = sqlite().await;
    let missing = env.write("m.csv", "AppId,ObjectID,timeaccessed\napp-1,ada,2024-09-01\n");
    let err = env.import(Kind::Usage, &[missing]).await.unwrap_err().to_string();
    assert!(err.contains("m.csv") && err.contains("'SessionId' is missing"), "{err}");

    let extra = env.write(
        "e.csv",
        "AppId,ObjectID,SessionId,timeaccessed,Mood,Country\n\
         app-1,ada,s1,2024-09-01,happy,US\napp-1,bob,s2,2024-09-01,sad,FR\n",
    );
    let summary = env.import(Kind::Usage, &[extra]).await.unwrap();
    assert_eq!(summary.files[0].ignored_columns, ["Mood"]);
    assert_eq!(summary.imported(), 2);
}

#[tokio::test]
async fn a_mapping_file_names_columns_of_another_export() {
    let env = sqlite().await;
    let path = env.write("x.csv", "App,User,Session,When\napp-1,ada,s1,2024-09-01T10:00:00Z\n");
    let mapping = env.write(
        "map.json",
        r#"{"columns": {"AppId": "App", "ObjectID": "User", "SessionId": "Session", "timeaccessed": "When"}}"#,
    );
    let options = ImportOptions {
        mapping: Some(worth_ingest::ColumnMapping::load(&mapping).unwrap()),
        ..env.options()
    };
    let summary = env.import_with(Kind::Usage, &[path], &options).await.unwrap();
    assert_eq!((summary.imported(), summary.files[0].ignored_columns.len()), (1, 0));
    assert_eq!(daily(&env).await, [s("app-1", "2024-09-01", 1, 1)]);
}

#[tokio::test]
async fn strict_writes_nothing_when_a_row_is_rejected() {
    let env = sqlite().await;
    let path = env.write(
        "u.csv",
        &usage(&[("app-1", "ada", "s1", "2024-09-01"), ("app-1", "", "s2", "2024-09-01")]),
    );
    let before = env.counts().await;
    let options = ImportOptions { strict: true, ..env.options() };
    let err = env.import_with(Kind::Usage, &[path], &options).await.unwrap_err();
    assert!(err.to_string().contains("--strict"), "{err}");
    assert_eq!(env.counts().await, before);
}
