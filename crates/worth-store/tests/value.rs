//! Value lines in the store, on SQLite and PostgreSQL: the estimate frozen at approval, a
//! re-estimate that leaves it unchanged, costs, measurements, and the counting rules applied
//! when rollups become the engine's measurements.

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::dec;
use worth_core::Currency;
use worth_core::Money;
use worth_core::pseudonym::SecretKey;
use worth_core::solution::{Criticality, EnvironmentType, ExternalId, SolutionKind, Stage};
use worth_core::value::models::ModelSpec;
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade};
use worth_core::workspace::WorkspaceSettings;
use worth_store::testing::TestDb;
use worth_store::{
    ImportRecord, Location, NewSolution, NewValueLine, Reestimate, RunBatch, RunDay, Store,
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn spec(model: &str, pairs: &[(&str, &str)]) -> ModelSpec {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    ModelSpec::from_pairs(model, &pairs).unwrap()
}

fn flow(name: &str, env: &str, env_type: EnvironmentType, flow_id: &str) -> NewSolution {
    NewSolution {
        name: name.into(),
        kind: SolutionKind::CloudFlow,
        platform: "power-platform".into(),
        business_unit: "Finance".into(),
        environment: Some((env.into(), Some(env_type))),
        owner: Some("Ada".into()),
        criticality: Criticality::Important,
        external_ids: vec![ExternalId { system: "powerautomate".into(), id: flow_id.into() }],
        stage: Stage::Idea,
        stage_on: d("2025-01-02"),
    }
}

fn run(flow_id: &str, day: &str, status: &str, runs: i64) -> RunDay {
    RunDay {
        system: "powerautomate".into(),
        flow_id: flow_id.into(),
        day: d(day),
        status: status.into(),
        runs,
        timed_runs: runs,
        duration_ms: runs * 1000,
    }
}

async fn story(store: &Store) {
    let mut w = store.write("ada").await.unwrap();
    let settings = WorkspaceSettings {
        currency: usd(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &SecretKey::from_bytes([1; 32])).await.unwrap();
    w.add_business_unit("Finance", None).await.unwrap();
    w.add_solution(&flow("Invoice flow", "Prod", EnvironmentType::Production, "f-1"))
        .await
        .unwrap();
    w.add_solution(&flow("Dev copy", "Dev", EnvironmentType::Developer, "f-2")).await.unwrap();
    let line = NewValueLine {
        name: "approval time".into(),
        category: Category::TimeSavings,
        spec: spec(
            "time-saved-per-use",
            &[("minutes_per_use", "6"), ("role", "analyst"), ("estimated_uses", "500/month")],
        ),
        currency: usd(),
        attribution: Decimal::ONE,
        evidence: EvidenceGrade::OwnerEstimate,
        process: Some("invoice approval".into()),
        start: d("2025-02-01"),
        horizon_months: 24,
    };
    let added = w.add_value_line("Invoice flow", None, &line).await.unwrap();
    assert!(added.frozen.is_none(), "a draft before approval is not frozen");
    w.add_value_line("Dev copy", None, &line).await.unwrap();
    let err = w.add_value_line("Invoice flow", None, &line).await.unwrap_err();
    assert!(err.to_string().contains("already exists for solution 'Invoice flow'"), "{err}");

    // Approval freezes the estimate under the current guideline version.
    w.set_stage("Invoice flow", None, Stage::Approved, d("2025-01-20"), None).await.unwrap();
    w.set_stage("Invoice flow", None, Stage::Live, d("2025-02-03"), None).await.unwrap();
    w.set_stage("Dev copy", None, Stage::Live, d("2025-02-03"), None).await.unwrap();
    let cost = CostLine {
        id: 0,
        solution_id: 0,
        kind: CostKind::OneTime,
        item: "build".into(),
        amount: Money::new(dec!(4800), usd()),
        start: d("2025-01-15"),
        end: None,
        basis: Some("80 h × 60 USD, maker rate card".into()),
    };
    w.add_cost("Invoice flow", None, &cost).await.unwrap();
    w.commit().await.unwrap();

    // A re-estimate changes the current parameters and keeps the frozen estimate.
    let mut w = store.write("grace").await.unwrap();
    let changed = Reestimate {
        spec: Some(spec(
            "time-saved-per-use",
            &[("minutes_per_use", "4"), ("role", "analyst"), ("estimated_uses", "500/month")],
        )),
        attribution: None,
        reason: Some("time study".into()),
    };
    let after = w.reestimate("Invoice flow", None, "Approval Time", &changed).await.unwrap();
    let err = w.reestimate("Invoice flow", None, "aproval time", &changed).await.unwrap_err();
    assert!(err.to_string().contains("did you mean 'approval time'"), "{err}");
    w.commit().await.unwrap();
    let frozen = after.frozen.clone().expect("frozen at approval");
    assert_eq!(frozen.revision, 1);
    assert_eq!(frozen.guideline_version, 1);
    assert_eq!(frozen.frozen_on, Utc::now().date_naive());
    let minutes = |s: &ModelSpec| match s {
        ModelSpec::TimeSavedPerUse(p) => p.minutes_per_use.likely,
        _ => unreachable!(),
    };
    assert_eq!(minutes(&frozen.spec), dec!(6));
    assert_eq!(minutes(&after.spec), dec!(4));
    let revisions = store.estimate_revisions(after.id).await.unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[1].1.as_deref(), Some("time study"));

    // Runs: only successful ones count, and none in a developer environment.
    let mut w = store.write("ada").await.unwrap();
    let import = w
        .record_import(&ImportRecord {
            id: 0,
            kind: "runs".into(),
            source: "flow-runs".into(),
            file_name: "runs.csv".into(),
            content_hash: "abc".into(),
            read: 0,
            imported: 0,
            rejected: 0,
            duplicate: 0,
            first_day: None,
            last_day: None,
            rejects_file: None,
            started_at: Utc::now(),
            finished_at: Utc::now(),
            actor: String::new(),
        })
        .await
        .unwrap();
    let batch = RunBatch {
        days: vec![d("2025-03-03"), d("2025-03-04")],
        daily: vec![
            run("f-1", "2025-03-03", "succeeded", 40),
            run("f-1", "2025-03-03", "failed", 7),
            run("f-1", "2025-03-04", "cancelled", 3),
            run("f-1", "2025-03-04", "pending", 2),
            run("f-1", "2025-03-04", "running", 1),
            run("f-1", "2025-03-04", "succeeded", 60),
            run("f-2", "2025-03-03", "succeeded", 500),
        ],
    };
    w.replace_runs(import.id, "flow-runs", &batch).await.unwrap();
    w.commit().await.unwrap();

    let g = store.guideline(None).await.unwrap();
    let inputs = store.value_inputs(&g.settings, g.version).await.unwrap();
    assert_eq!(inputs.len(), 2);
    let prod = inputs.iter().find(|i| i.solution.name == "Invoice flow").unwrap();
    let march = &prod.usage[&d("2025-03-01")];
    assert_eq!(march.uses, dec!(100), "only the 40 + 60 successful runs count");
    assert!(march.source.contains("successful runs of powerautomate:f-1"), "{}", march.source);
    assert_eq!(prod.costs.len(), 1);
    let dev = inputs.iter().find(|i| i.solution.name == "Dev copy").unwrap();
    let dev_march = &dev.usage[&d("2025-03-01")];
    assert_eq!(dev_march.uses, Decimal::ZERO, "developer-environment runs add nothing");
    assert!(dev_march.source.contains("not counted: environment type developer"));

    // Measurements are kept per month; a second value replaces the first.
    let mut w = store.write("ada").await.unwrap();
    w.record_measurement("Invoice flow", None, "units", d("2025-03-01"), dec!(90), "ledger")
        .await
        .unwrap();
    w.record_measurement("Invoice flow", None, "units", d("2025-03-10"), dec!(95), "ledger")
        .await
        .unwrap();
    let err = w
        .record_measurement("Invoice flow", None, "units", d("2999-01-01"), dec!(1), "x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("in the future"));
    w.commit().await.unwrap();
    let inputs = store.value_inputs(&g.settings, g.version).await.unwrap();
    let prod = inputs.iter().find(|i| i.solution.name == "Invoice flow").unwrap();
    assert_eq!(prod.usage[&d("2025-03-01")].units, Some(dec!(95)));

    // Every change is in the audit log.
    let log = store.audit(&worth_store::AuditFilter::default()).await.unwrap();
    let entities: Vec<&str> = log.iter().map(|e| e.entity.as_str()).collect();
    for e in ["value-line", "value-estimate", "cost", "measurement"] {
        assert!(entities.contains(&e), "no {e} in the audit log");
    }
}

#[tokio::test]
async fn value_lines_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("w.db"))).await.unwrap();
    story(&store).await;
}

#[tokio::test]
async fn value_lines_on_postgres() {
    let Some(db) = TestDb::postgres("value_lines_on_postgres").await else { return };
    let store = Store::open(&db.location).await.unwrap();
    story(&store).await;
    store.close().await;
}
