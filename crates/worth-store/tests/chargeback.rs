//! The chargeback story, run unchanged on SQLite and on PostgreSQL: a dated price list, a
//! meter, the platform team's cost, rules in order, and a run recorded and read back.

use chrono::NaiveDate;
use rust_decimal::dec;
use worth_core::allocation::licenses::PlanKind;
use worth_core::allocation::{
    DirectBy, Driver, Level, Method, PoolFilter, Rule, UNALLOCATED, View, allocate_to,
};
use worth_core::pseudonym::SecretKey;
use worth_core::workspace::WorkspaceSettings;
use worth_core::{Currency, Money};
use worth_store::testing::TestDb;
use worth_store::{AuditFilter, Location, Meter, PlatformCost, PriceEntry, Store, StoreError};

fn month(s: &str) -> NaiveDate {
    format!("{s}-01").parse().unwrap()
}

fn usd(a: rust_decimal::Decimal) -> Money {
    Money::new(a, Currency::parse("USD").unwrap())
}

async fn story(store: &Store) {
    let mut w = store.write("ada").await.unwrap();
    let settings = WorkspaceSettings {
        currency: Currency::parse("USD").unwrap(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &SecretKey::from_bytes([3; 32])).await.unwrap();
    w.add_business_unit("Finance", None).await.unwrap();
    w.add_business_unit("Sales", None).await.unwrap();
    let price = |sku: &str, kind, a, from: &str| PriceEntry {
        sku: sku.into(),
        kind,
        price: usd(a),
        valid_from: month(from),
        source: Some("test".into()),
    };
    w.set_price(&price("Dataverse database", PlanKind::PerGb, dec!(40), "2025-01")).await.unwrap();
    w.set_price(&price("Dataverse database", PlanKind::PerGb, dec!(48), "2025-06")).await.unwrap();
    w.set_meter(&Meter {
        month: month("2025-07"),
        meter: "dataverse DATABASE".into(),
        business_unit: Some("finance".into()),
        environment: None,
        quantity: dec!(2.5),
    })
    .await
    .unwrap();
    // The same meter again replaces it, and the audit log keeps the quantity before.
    w.set_meter(&Meter {
        month: month("2025-07"),
        meter: "Dataverse database".into(),
        business_unit: Some("Finance".into()),
        environment: None,
        quantity: dec!(2.5),
    })
    .await
    .unwrap();
    w.set_platform_cost(&PlatformCost {
        month: month("2025-07"),
        item: "CoE team".into(),
        amount: usd(dec!(1000.01)),
    })
    .await
    .unwrap();
    let by_bu = Rule {
        name: "meters by bu".into(),
        level: Level::BusinessUnit,
        filter: PoolFilter { pool: Some("pay-as-you-go".into()), ..PoolFilter::default() },
        method: Method::Direct {
            by: DirectBy::Tag { key: "business_unit".into(), aliases: vec![] },
            map: Default::default(),
        },
    };
    let even = Rule {
        name: "platform even".into(),
        level: Level::BusinessUnit,
        filter: PoolFilter { pool: Some("platform-team".into()), ..PoolFilter::default() },
        method: Method::Even { targets: vec![] },
    };
    w.add_rule(&by_bu).await.unwrap();
    w.add_rule(&even).await.unwrap();
    assert!(matches!(w.add_rule(&even).await, Err(StoreError::Duplicate { .. })));
    let bad = Rule {
        name: "bad".into(),
        level: Level::BusinessUnit,
        filter: PoolFilter::default(),
        method: Method::Fixed { shares: vec![("Finance".into(), dec!(90))] },
    };
    assert!(w.add_rule(&bad).await.is_err());
    w.commit().await.unwrap();

    // A dropped writer keeps nothing.
    let mut w = store.write("ada").await.unwrap();
    w.remove_rule("platform even").await.unwrap();
    drop(w);
    let rules = store.allocation_rules().await.unwrap();
    assert_eq!(
        rules.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["meters by bu", "platform even"]
    );

    // July uses the June price: 2.5 GB × 48 = 120.00; the team's 1000.01 evenly over two
    // units is 500.005 each, rounded 500.01 (Finance, first by name) and 500.00.
    let inputs = store.run_inputs(month("2025-07")).await.unwrap();
    assert_eq!(inputs.records.len(), 2);
    assert_eq!(inputs.targets.drivers[&Driver::Storage]["Finance"], dec!(2.5));
    let billed =
        allocate_to(&inputs.records, &inputs.rules, &inputs.targets, View::Billed).unwrap();
    let amortized =
        allocate_to(&inputs.records, &inputs.rules, &inputs.targets, View::Amortized).unwrap();
    assert_eq!(billed.target_totals("Finance"), vec![usd(dec!(620.01))]);
    assert_eq!(billed.target_totals("Sales"), vec![usd(dec!(500.00))]);
    assert!(billed.target_totals(UNALLOCATED).is_empty());
    assert_eq!(billed.totals, vec![usd(dec!(1120.01))]);

    let mut w = store.write("ada").await.unwrap();
    let run = w.record_run(&inputs, &billed, &amortized).await.unwrap();
    w.commit().await.unwrap();
    let back = store.latest_run(Some(month("2025-07"))).await.unwrap().unwrap();
    assert_eq!(back.id, run.id);
    assert_eq!(back.billed, billed);
    assert_eq!(back.amortized, amortized);
    assert_eq!(back.sources, inputs.sources);
    assert!(store.latest_run(Some(month("2025-08"))).await.unwrap().is_none());

    let log = store.audit(&AuditFilter::default()).await.unwrap();
    let entities: Vec<&str> = log.iter().map(|e| e.entity.as_str()).collect();
    for e in ["price", "meter", "platform-cost", "allocation-rule", "chargeback-run"] {
        assert!(entities.contains(&e), "{e} is audited: {entities:?}");
    }
    let meter_update = log.iter().rfind(|e| e.entity == "meter").unwrap();
    assert_eq!(meter_update.before["quantity"], "2.5");
    assert_eq!(store.meters(None).await.unwrap().len(), 1);
    let run_entry = log.iter().find(|e| e.entity == "chargeback-run").unwrap();
    assert_eq!(run_entry.after["billed"][0]["amount"], "1120.01");
}

#[tokio::test]
async fn the_chargeback_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("worth.db"))).await.unwrap();
    story(&store).await;
    store.close().await;
}

#[tokio::test]
async fn the_chargeback_story_on_postgres() {
    let Some(db) = TestDb::postgres("the_chargeback_story_on_postgres").await else { return };
    let store = Store::open(&db.location).await.unwrap();
    story(&store).await;
    store.close().await;
}
