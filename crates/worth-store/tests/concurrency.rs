//! Writes from many requests at once on the embedded SQLite store, as a server makes them:
//! each reads, then writes, and none may fail because another wrote in between.

use std::sync::Arc;

use worth_core::Currency;
use worth_core::pseudonym::SecretKey;
use worth_core::workspace::WorkspaceSettings;
use worth_store::{Location, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_sqlite_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&Location::Sqlite(dir.path().join("w.db"))).await.unwrap());
    let mut w = store.write("setup").await.unwrap();
    let settings = WorkspaceSettings {
        currency: Currency::parse("EUR").unwrap(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &SecretKey::from_bytes([1; 32])).await.unwrap();
    w.commit().await.unwrap();

    // Each write reads first (the unit's name is checked) and then inserts: under deferred
    // transactions the upgrade to a write lock failed at once whenever another had written.
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut w = store.write("ada").await?;
            w.add_business_unit(&format!("Unit {i}"), None).await?;
            tokio::task::yield_now().await;
            w.commit().await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(store.business_units().await.unwrap().len(), 32);
}
