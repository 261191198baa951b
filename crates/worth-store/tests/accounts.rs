//! Users' access changed through the writer, on SQLite and on PostgreSQL: a role and business
//! units changed (tokens above the new role revoked, the rest kept), a user disabled (every
//! token revoked) and enabled again (nothing revived), and never a workspace with no admin.

use worth_core::access::Role;
use worth_store::testing::{TestDb, workspace};
use worth_store::{AuditFilter, Location, NewUser, Store};

/// A hash in the form the store accepts; no password opens it.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

async fn live_tokens(store: &Store, user: &str) -> Vec<(String, Role)> {
    let tokens = store.tokens(Some(user)).await.unwrap();
    tokens.into_iter().filter(|t| t.revoked_at.is_none()).map(|t| (t.name, t.role)).collect()
}

async fn story(store: &Store) {
    let mut w = store.write("setup").await.unwrap();
    w.add_business_unit("Finance", None).await.unwrap();
    w.add_business_unit("Sales", None).await.unwrap();
    for (name, role) in [("root", Role::Admin), ("ann", Role::Analyst)] {
        let user = NewUser {
            name: name.into(),
            person: None,
            role,
            password_hash: HASH.into(),
            business_units: vec![],
        };
        w.add_user(&user).await.unwrap();
    }
    w.add_token("ann", "as analyst", "h1", Role::Analyst).await.unwrap();
    w.add_token("ann", "as sponsor", "h2", Role::Sponsor).await.unwrap();
    w.commit().await.unwrap();

    // An owner or a sponsor needs a unit; the last admin stays admin and active.
    let mut w = store.write("root").await.unwrap();
    assert!(w.set_access("ann", Role::Sponsor, &[]).await.is_err());
    let e = w.set_access("root", Role::Analyst, &[]).await.unwrap_err();
    assert!(e.to_string().contains("last active admin"), "{e}");
    let e = w.disable_user("root").await.unwrap_err();
    assert!(e.to_string().contains("last active admin"), "{e}");
    let e = w.set_access("ann", Role::Sponsor, &["Marketing".into()]).await.unwrap_err();
    assert!(e.to_string().contains("Marketing"), "{e}");

    // Ann becomes a sponsor of Sales and Finance: her analyst token goes, her sponsor one stays.
    let units = ["sales".to_owned(), "Finance".to_owned(), "SALES".to_owned()];
    let ann = w.set_access("ann", Role::Sponsor, &units).await.unwrap();
    assert_eq!(
        (ann.role, ann.business_units.clone()),
        (Role::Sponsor, vec!["Finance".to_owned(), "Sales".to_owned()])
    );
    w.commit().await.unwrap();
    let users = store.users().await.unwrap();
    let stored = users.iter().find(|u| u.name == "ann").unwrap();
    assert_eq!(stored, &ann);
    assert_eq!(live_tokens(store, "ann").await, [("as sponsor".to_owned(), Role::Sponsor)]);
    assert!(store.token_user("h1").await.unwrap().is_none());
    let (user, role) = store.token_user("h2").await.unwrap().unwrap();
    assert_eq!((user.role, role), (Role::Sponsor, Role::Sponsor));

    // Disabled, she keeps no token; enabled again, nothing comes back.
    let mut w = store.write("root").await.unwrap();
    assert!(w.disable_user("ann").await.unwrap().disabled);
    w.commit().await.unwrap();
    assert!(live_tokens(store, "ann").await.is_empty());
    assert!(store.login_user("ann").await.unwrap().is_none());
    let mut w = store.write("root").await.unwrap();
    assert!(!w.enable_user("ann").await.unwrap().disabled);
    w.commit().await.unwrap();
    assert!(live_tokens(store, "ann").await.is_empty());
    assert!(store.login_user("ann").await.unwrap().is_some());

    // A second admin lets the first step down.
    let mut w = store.write("root").await.unwrap();
    w.set_access("ann", Role::Admin, &[]).await.unwrap();
    w.set_access("root", Role::Analyst, &[]).await.unwrap();
    w.commit().await.unwrap();

    // Every change is in the audit log, and no hash is.
    let filter = AuditFilter { entity: Some("user".into()), limit: None };
    let mut entries = store.audit(&filter).await.unwrap();
    entries.sort_by_key(|e| e.id);
    let roles: Vec<String> = entries
        .iter()
        .filter(|e| e.record == "ann")
        .map(|e| format!("{}/{}", e.after["role"], e.after["disabled"]))
        .collect();
    assert_eq!(
        roles,
        [
            r#""analyst"/false"#,
            r#""sponsor"/false"#,
            r#""sponsor"/true"#,
            r#""sponsor"/false"#,
            r#""admin"/false"#
        ]
    );
    let text = serde_json::to_string(&entries.iter().map(|e| &e.after).collect::<Vec<_>>());
    assert!(!text.unwrap().contains("argon2"));
}

#[tokio::test]
async fn access_changes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(&Location::Sqlite(dir.path().join("w.db")), "USD").await.unwrap();
    story(&store).await;
    store.close().await;
}

#[tokio::test]
async fn access_changes_on_postgres() {
    let Some(db) = TestDb::postgres("access_changes_on_postgres").await else { return };
    let store = workspace(&db.location, "USD").await.unwrap();
    story(&store).await;
    store.close().await;
}
