//! `worth import automation-kit`: the real sample package of Microsoft's Automation Kit (26
//! projects, 8 departments, 7,435 desktop flow run traces) imported with its known figures, one
//! project's estimate, realized value and accuracy worked out by hand from its raw fields, and
//! re-imports that change nothing.

mod common;

use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::dec;
use worth_core::fx::FxTable;
use worth_core::solution::Stage;
use worth_core::value::accuracy::accuracy;
use worth_core::value::engine::{Context, SolutionData};
use worth_core::value::portfolio::evaluate;
use worth_ingest::Kind;

use common::{Env, rejects, sqlite};

/// The package, beside the clone as CI has it.
fn package() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/automation-kit-sample-with-runs.zip"
    ))
}

/// How many rejects-file rows give a reason containing `text`.
fn rows_saying(rows: &[Vec<String>], text: &str) -> usize {
    rows.iter().filter(|r| r[3].contains(text)).count()
}

/// What a re-import must leave as it was.
async fn state(env: &Env) -> Vec<(String, i64)> {
    let s = &env.store;
    let mut out: Vec<(String, i64)> = env
        .counts()
        .await
        .into_iter()
        .filter(|(t, _)| !matches!(*t, "imports" | "audit_log"))
        .map(|(t, n)| (t.to_owned(), n))
        .collect();
    let len = |n: usize| i64::try_from(n).unwrap();
    out.push(("business units".into(), len(s.business_units().await.unwrap().len())));
    out.push(("rates".into(), len(s.rates().await.unwrap().len())));
    out.push(("value lines".into(), len(s.value_lines(None).await.unwrap().len())));
    out.push(("costs".into(), len(s.cost_lines().await.unwrap().len())));
    let stages: usize = s.solutions(None).await.unwrap().iter().map(|x| x.lifecycle.len()).sum();
    out.push(("stages".into(), len(stages)));
    out
}

#[tokio::test]
async fn the_sample_package_imports_with_its_known_figures() {
    let env = sqlite().await;
    let summary = env.import(Kind::AutomationKit, &[package()]).await.unwrap();
    let file = &summary.files[0];

    // 7,435 traces, 26 projects, 8 departments and 3 goals were read.
    assert_eq!(file.read, 7435 + 26 + 8 + 3);
    assert_eq!(file.duplicate, 0);
    assert!(
        file.stored.contains(&"7435 run traces (976 failed, 6459 succeeded), 5252 counted".into()),
        "{:?}",
        file.stored
    );
    assert!(file.stored.contains(&"26 projects: 26 new, 0 found by external id".into()));
    assert!(file.stored.contains(&"8 departments: 8 new business units".into()));
    assert!(file.stored.contains(&"3 corporate savings goals read, not stored".into()));

    // Every problem is in the rejects file, with its reason; none was guessed.
    let rows = rejects(&summary);
    assert_eq!(rows_saying(&rows, "no development cost"), 9);
    assert_eq!(rows_saying(&rows, "has no start time"), 972);
    assert_eq!(rows_saying(&rows, "is linked to no project"), 2102);
    assert_eq!(rows_saying(&rows, "which is not in the file"), 76);
    assert!(rows.iter().all(|r| r[0].ends_with(".zip!data.xml") && r[1] != "0"));
    // 972 + 2,102 traces overlap in 891: 2,183 traces are not counted.
    assert_eq!(file.rejected, 2183);

    // Departments are business units; projects are desktop flows with their external ids.
    let units = env.store.business_units().await.unwrap();
    assert_eq!(units.len(), 8);
    let solutions = env.store.solutions(None).await.unwrap();
    assert_eq!(solutions.len(), 26);
    assert!(solutions.iter().all(|s| s.kind.to_string() == "desktop-flow"
        && s.platform == "power-platform"
        && s.external_ids[0].system == "automationkit"));
    // Two "HR Onboarding" projects of Human Resources keep apart by their numbers; the
    // trailing space of "Test Project " is gone.
    let names: Vec<&str> = solutions.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"HR Onboarding (AP-000001046)"), "{names:?}");
    assert!(names.contains(&"Test Project"));
    let stage = |n: &str| solutions.iter().find(|s| s.name == n).unwrap().stage().unwrap();
    assert_eq!(stage("Manage Human Capital"), Stage::Live);
    assert_eq!(stage("SAP Process Invoice"), Stage::Approved);
    assert_eq!(stage("Manage Financial Resources"), Stage::Idea);
    let live = solutions.iter().filter(|s| s.stage() == Some(Stage::Live)).count();
    assert_eq!(live, 5);

    // Traces with a start and a project are rolled up: 5,208 + 41 successful, 3 failed.
    let runs = env.store.run_daily().await.unwrap();
    let sum =
        |status: &str| runs.iter().filter(|r| r.status == status).map(|r| r.runs).sum::<i64>();
    assert_eq!((sum("succeeded"), sum("failed")), (5249, 3));
}

#[tokio::test]
async fn one_projects_estimate_realized_value_and_accuracy_by_hand() {
    let env = sqlite().await;
    env.import(Kind::AutomationKit, &[package()]).await.unwrap();
    let store = &env.store;

    // Manage Human Capital, as data.xml has it: AVG Hourly Cost Per FTE 50.0000000000, Total
    // Processing Time in Minutes 40.0000000000, Processing Frequency Daily, Volume Per Process
    // Frequency 5.0000000000, Working Days Per Year 200.0000000000, AVG Error Rate %
    // 10.0000000000, AVG Rework Time in Minutes 15.0000000000; approved 2021-12-08; its first
    // successful run on 2022-03-25; the package exported on 2022-10-13.
    let (hourly, minutes, volume, days, error, rework) =
        (dec!(50), dec!(40), dec!(5), dec!(200), dec!(0.10), dec!(15));
    let uses_per_month = volume * days / dec!(12);
    let per_use = minutes / dec!(60) * hourly + error * rework / dec!(60) * hourly;
    // Live from March 2022; the lines run to September, the last complete month of the data.
    let months = dec!(7);
    let estimated = uses_per_month * per_use * months;
    assert_eq!(estimated.round_dp(2), dec!(20173.61));

    let s = store.solution("Manage Human Capital", None).await.unwrap();
    let flow = &s.external_ids[0].id;
    let from: NaiveDate = "2022-03-01".parse().unwrap();
    let to: NaiveDate = "2022-10-01".parse().unwrap();
    let runs: i64 = store
        .run_daily()
        .await
        .unwrap()
        .iter()
        .filter(|r| &r.flow_id == flow && r.status == "succeeded" && r.day >= from && r.day < to)
        .map(|r| r.runs)
        .sum();
    assert!(runs > 0);
    let realized = Decimal::from(runs) * per_use;

    // The engine, over what the import stored, gives the same figures.
    let g = store.guideline(None).await.unwrap();
    let inputs = store.value_inputs(&g.settings, g.version).await.unwrap();
    let (rates, fx) = (store.rates().await.unwrap(), FxTable::new(store.fx_rates().await.unwrap()));
    let ctx = Context {
        guideline: &g.settings,
        guideline_version: g.version,
        rates: &rates,
        fx: &fx,
        currency: store.settings().await.unwrap().currency,
        today: Utc::now().date_naive(),
        explain: false,
    };
    let data: Vec<SolutionData<'_>> = inputs
        .iter()
        .map(|i| SolutionData {
            solution: &i.solution,
            lines: &i.lines,
            costs: &i.costs,
            usage: &i.usage,
        })
        .collect();
    let portfolio = evaluate(&ctx, &data);
    let report = accuracy(&ctx, &portfolio);
    let mine = report
        .solutions
        .iter()
        .find(|a| a.solution == "Human Resources / Manage Human Capital")
        .unwrap();
    assert_eq!(mine.estimated.round_dp(2), estimated.round_dp(2));
    assert_eq!(mine.realized.round_dp(2), realized.round_dp(2));
    let ratio = (realized / estimated).round_dp(6);
    assert_eq!(Decimal::try_from(mine.ratio.unwrap()).unwrap().round_dp(6), ratio);

    // The estimate was frozen when the project was approved.
    let lines = store.value_lines(Some(s.id)).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.frozen.is_some()));
    // Its build cost is its development cost; maintenance is 5% of it a year, by month.
    let costs: Vec<_> =
        store.cost_lines().await.unwrap().into_iter().filter(|c| c.solution_id == s.id).collect();
    let amounts: Vec<Decimal> = costs.iter().map(|c| c.amount.amount).collect();
    assert_eq!(amounts, [dec!(1500), dec!(6.25)]);
}

#[tokio::test]
async fn a_reimport_changes_nothing() {
    let env = sqlite().await;
    env.import(Kind::AutomationKit, &[package()]).await.unwrap();
    let before = state(&env).await;

    // The same file again is skipped.
    let again = env.import(Kind::AutomationKit, &[package()]).await.unwrap();
    assert!(again.files[0].skipped.as_deref().unwrap().contains("nothing to add"));
    assert_eq!(state(&env).await, before);

    // The same records in a file of other bytes (a zip comment added) go through every upsert
    // and still change nothing but the record of the import.
    let mut bytes = std::fs::read(package()).unwrap();
    let comment = b"re-exported";
    let n = bytes.len();
    bytes[n - 2..].copy_from_slice(&u16::try_from(comment.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(comment);
    let copy = env.dir.path().join("copy.zip");
    std::fs::write(&copy, bytes).unwrap();
    let imports = env.store.imports().await.unwrap().len();
    let summary = env.import(Kind::AutomationKit, &[copy]).await.unwrap();
    assert!(summary.files[0].skipped.is_none());
    assert!(
        summary.files[0].stored.contains(&"26 projects: 0 new, 26 found by external id".into()),
        "{:?}",
        summary.files[0].stored
    );
    assert_eq!(env.store.imports().await.unwrap().len(), imports + 1);
    assert_eq!(state(&env).await, before);
}

#[tokio::test]
async fn a_file_that_is_not_a_package_is_refused_by_name() {
    let env = sqlite().await;
    let file = env.write("not-a-package.zip", "hello");
    let err = env.import(Kind::AutomationKit, &[file]).await.unwrap_err().to_string();
    assert!(err.contains("not-a-package.zip: not a zip package"), "{err}");
    assert_eq!(env.store.solutions(None).await.unwrap().len(), 0);
}
