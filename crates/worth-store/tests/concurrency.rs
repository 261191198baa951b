//! Writes from many requests at once on the embedded SQLite store, as a server makes them:
//! each reads, then writes, and none may fail because another wrote in between.

use std::sync::Arc;

use worth_store::Location;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_sqlite_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("w.db"));
    let store = Arc::new(worth_store::testing::workspace(&location, "EUR").await.unwrap());

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
