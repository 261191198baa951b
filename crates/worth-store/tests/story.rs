//! One story of the register, run unchanged on SQLite and on PostgreSQL: business units,
//! solutions moving through their stages, rates, a guideline change, and the audit log.

use chrono::{Days, NaiveDate, Utc};
use rust_decimal::dec;
use worth_core::Currency;
use worth_core::guideline::Guideline;
use worth_core::pseudonym::SecretKey;
use worth_core::rates::FxRate;
use worth_core::solution::{Criticality, EnvironmentType, ExternalId, SolutionKind, Stage};
use worth_core::workspace::WorkspaceSettings;
use worth_store::testing::TestDb;
use worth_store::{AuditFilter, Location, NewRate, NewSolution, Store, StoreError};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn invoice_app() -> NewSolution {
    NewSolution {
        name: "Invoice Approvals".into(),
        kind: SolutionKind::CanvasApp,
        platform: "power-platform".into(),
        business_unit: "Finance".into(),
        environment: Some(("Finance Prod".into(), Some(EnvironmentType::Production))),
        owner: Some("Ada Lovelace".into()),
        criticality: Criticality::Important,
        external_ids: vec![ExternalId::parse("powerapps:1111-aaaa").unwrap()],
        stage: Stage::Idea,
        stage_on: day("2025-01-15"),
    }
}

async fn story(store: &Store) {
    // A workspace is created once.
    let mut w = store.write("ada").await.unwrap();
    let settings = WorkspaceSettings {
        currency: usd(),
        fiscal_year_start_month: 7,
        locale: "en-US".into(),
        as_of: None,
    };
    let key = SecretKey::from_bytes([9; 32]);
    let v1 = w.init_workspace(&settings, &key).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.settings, Guideline::default());
    assert!(store.is_initialized().await.unwrap());
    assert_eq!(store.settings().await.unwrap(), settings);
    let mut w = store.write("ada").await.unwrap();
    assert!(matches!(
        w.init_workspace(&settings, &key).await,
        Err(StoreError::Duplicate { entity: "workspace", .. })
    ));
    drop(w);

    // Business units form a tree; names are unique whatever their case.
    let mut w = store.write("ada").await.unwrap();
    w.add_business_unit("Corporate", None).await.unwrap();
    let finance = w.add_business_unit("Finance", Some("corporate")).await.unwrap();
    assert_eq!(finance.parent.as_deref(), Some("Corporate"));
    w.add_business_unit("Operations", Some("Corporate")).await.unwrap();
    let dup = w.add_business_unit("finance", None).await.unwrap_err();
    assert_eq!(dup.to_string(), "business unit 'Finance' already exists");
    let missing = w.add_business_unit("Sales", Some("Corprate")).await.unwrap_err();
    assert_eq!(missing.to_string(), "unknown business unit 'Corprate' (did you mean 'Corporate'?)");
    w.commit().await.unwrap();
    let units: Vec<String> =
        store.business_units().await.unwrap().into_iter().map(|b| b.name).collect();
    assert_eq!(units, ["Corporate", "Finance", "Operations"]);

    // Solutions are registered in a stage, unique per business unit.
    let mut w = store.write("ada").await.unwrap();
    let app = w.add_solution(&invoice_app()).await.unwrap();
    assert_eq!(app.stage(), Some(Stage::Idea));
    assert_eq!(app.owner.as_deref(), Some("Ada Lovelace"));
    assert_eq!(app.environment.as_ref().unwrap().env_type, EnvironmentType::Production);
    let err = w.add_solution(&invoice_app()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "solution 'Invoice Approvals' already exists in business unit 'Finance'"
    );
    let same_name_elsewhere = NewSolution {
        business_unit: "Operations".into(),
        external_ids: vec![],
        kind: SolutionKind::CloudFlow,
        ..invoice_app()
    };
    w.add_solution(&same_name_elsewhere).await.unwrap();
    let claimed_id = NewSolution { name: "Copy".into(), ..invoice_app() };
    let err = w.add_solution(&claimed_id).await.unwrap_err();
    assert!(err.to_string().contains("external id 'powerapps:1111-aaaa' already exists"), "{err}");
    w.commit().await.unwrap();

    // A name in two units needs its unit; a misspelt one gets a suggestion.
    let err = store.solution("invoice approvals", None).await.unwrap_err();
    assert!(matches!(err, StoreError::Ambiguous { .. }), "{err}");
    let err = store.solution("Invoice Aprovals", Some("Finance")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown solution 'Invoice Aprovals' (did you mean 'Invoice Approvals'?)"
    );

    // The solution moves through its stages, in order and never in the future.
    let mut w = store.write("grace").await.unwrap();
    w.set_stage("Invoice Approvals", Some("Finance"), Stage::Approved, day("2025-02-01"), None)
        .await
        .unwrap();
    w.set_stage("Invoice Approvals", Some("Finance"), Stage::Building, day("2025-02-10"), None)
        .await
        .unwrap();
    let live = w
        .set_stage("Invoice Approvals", Some("Finance"), Stage::Live, day("2025-04-01"), Some("go"))
        .await
        .unwrap();
    let tomorrow = Utc::now().date_naive().checked_add_days(Days::new(1)).unwrap();
    let err = w
        .set_stage("Invoice Approvals", Some("Finance"), Stage::Retired, tomorrow, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is in the future"), "{err}");
    w.commit().await.unwrap();
    assert_eq!(live.stage(), Some(Stage::Live));
    assert_eq!(live.live_since(), Some(day("2025-04-01")));
    let stages: Vec<Stage> = store
        .solution("Invoice Approvals", Some("Finance"))
        .await
        .unwrap()
        .lifecycle
        .iter()
        .map(|e| e.stage)
        .collect();
    assert_eq!(stages, [Stage::Idea, Stage::Approved, Stage::Building, Stage::Live]);

    // Rates: a new rate closes the open one; an overlap with a closed one is refused.
    let mut w = store.write("ada").await.unwrap();
    let rate = |from: &str, to: Option<&str>, hourly| NewRate {
        role: "Analyst".into(),
        business_unit: Some("Finance".into()),
        hourly,
        currency: usd(),
        valid_from: day(from),
        valid_to: to.map(day),
    };
    w.add_rate(&rate("2025-01-01", None, dec!(55.00))).await.unwrap();
    w.add_rate(&rate("2026-01-01", None, dec!(58.50))).await.unwrap();
    let err = w.add_rate(&rate("2025-06-01", Some("2025-07-01"), dec!(60))).await.unwrap_err();
    assert!(err.to_string().contains("overlaps rate"), "{err}");
    let err = w.add_rate(&rate("2027-01-01", None, dec!(-1))).await.unwrap_err();
    assert!(err.to_string().contains("must be a positive amount"), "{err}");
    w.commit().await.unwrap();
    let rates = store.rates().await.unwrap();
    assert_eq!(rates.len(), 2);
    assert_eq!(rates[0].valid_to, Some(day("2026-01-01")));
    assert_eq!(rates[1].hourly.amount, dec!(58.50));

    // Exchange rates are dated; a second rate for the same day replaces the first.
    let eur = Currency::parse("EUR").unwrap();
    let mut w = store.write("ada").await.unwrap();
    let fx = FxRate { base: eur, quote: usd(), rate: dec!(1.08), on: day("2026-01-31") };
    w.add_fx(&fx).await.unwrap();
    w.add_fx(&FxRate { rate: dec!(1.09), ..fx.clone() }).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(store.fx_rates().await.unwrap()[0].rate, dec!(1.09));

    // A guideline change makes version 2; version 1 stays readable.
    let mut changed = store.guideline(None).await.unwrap().settings;
    changed.set("discount_rate", "8%").unwrap();
    let mut w = store.write("grace").await.unwrap();
    let v2 = w.publish_guideline(&changed, Some("treasury rate")).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(v2.version, 2);
    assert!((store.guideline(None).await.unwrap().settings.discount_rate - 0.08).abs() < 1e-12);
    assert!((store.guideline(Some(1)).await.unwrap().settings.discount_rate - 0.10).abs() < 1e-12);

    // A write that is not committed leaves nothing behind, not even in the audit log.
    let entries_before = store.audit(&AuditFilter::default()).await.unwrap().len();
    let mut w = store.write("ada").await.unwrap();
    w.add_business_unit("Ghost", None).await.unwrap();
    drop(w);
    assert!(store.business_units().await.unwrap().iter().all(|b| b.name != "Ghost"));
    assert_eq!(store.audit(&AuditFilter::default()).await.unwrap().len(), entries_before);

    // The audit log tells who changed what, with the record before and after.
    let log = store.audit(&AuditFilter::default()).await.unwrap();
    let summary: Vec<(String, String, String)> =
        log.iter().map(|e| (e.action.to_string(), e.entity.clone(), e.record.clone())).collect();
    let expect = |a: &str, e: &str, r: &str| (a.to_owned(), e.to_owned(), r.to_owned());
    assert_eq!(summary[0], expect("create", "workspace", "settings"));
    assert_eq!(summary[1], expect("create", "guideline", "v1"));
    assert!(summary.contains(&expect("create", "solution", "Finance / Invoice Approvals")));
    assert!(summary.contains(&expect("create", "person", "Ada Lovelace")));
    assert!(summary.contains(&expect("create", "environment", "Finance Prod")));
    assert!(summary.contains(&expect("update", "fx-rate", "EUR/USD 2026-01-31")));
    let live_change = log
        .iter()
        .find(|e| {
            e.action.to_string() == "update"
                && e.after["lifecycle"].as_array().map(Vec::len) == Some(4)
        })
        .expect("the go-live is audited");
    assert_eq!(live_change.actor, "grace");
    assert_eq!(live_change.before["lifecycle"].as_array().unwrap().len(), 3);
    assert_eq!(live_change.after["lifecycle"][3]["stage"], "live");
    let rate_closed = log.iter().find(|e| e.entity == "rate" && e.action.to_string() == "update");
    let rate_closed = rate_closed.expect("closing a rate is audited");
    assert_eq!(rate_closed.before["valid_to"], serde_json::Value::Null);
    assert_eq!(rate_closed.after["valid_to"], "2026-01-01");
    assert_eq!(rate_closed.after["hourly"]["amount"], "55.00");
    let guideline_change = log.iter().rfind(|e| e.entity == "guideline").unwrap();
    assert_eq!(guideline_change.record, "v2");
    assert_eq!(guideline_change.before["discount_rate"], 0.1);
    assert_eq!(guideline_change.after["discount_rate"], 0.08);
    let only_solutions = store
        .audit(&AuditFilter { entity: Some("solution".into()), limit: Some(2) })
        .await
        .unwrap();
    assert_eq!(only_solutions.len(), 2);
    assert!(only_solutions.iter().all(|e| e.entity == "solution"));
    assert!(only_solutions[0].id < only_solutions[1].id);
}

#[tokio::test]
async fn the_register_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("worth.db"));
    let store = Store::open(&location).await.unwrap();
    story(&store).await;
    store.close().await;

    // The file is reopened with its schema and data as they were.
    let again = Store::open(&location).await.unwrap();
    assert_eq!(again.business_units().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_register_story_on_postgres() {
    let Some(db) = TestDb::postgres("the_register_story_on_postgres").await else { return };
    let store = Store::open(&db.location).await.unwrap();
    story(&store).await;
    store.close().await;
    let again = Store::open(&db.location).await.unwrap();
    assert_eq!(again.business_units().await.unwrap().len(), 3);
    again.close().await;
}
