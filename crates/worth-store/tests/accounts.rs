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

    // A name of dots would be a path of its own in the users page's links.
    let dots = NewUser {
        name: "..".into(),
        person: None,
        role: Role::Analyst,
        password_hash: HASH.into(),
        business_units: vec![],
    };
    let mut w = store.write("root").await.unwrap();
    assert!(w.add_user(&dots).await.unwrap_err().to_string().contains("only dots"));
    drop(w);

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

    // Disabled, she keeps no token; enabled again, nothing comes back: not even a session a
    // login opened while she was being disabled.
    let mut w = store.write("root").await.unwrap();
    assert!(w.disable_user("ann").await.unwrap().disabled);
    w.commit().await.unwrap();
    let late = chrono::Utc::now() + chrono::Duration::hours(1);
    let opened = store.open_session("late-login", ann.id, HASH, "csrf", late).await.unwrap();
    assert!(!opened, "no session opens for a disabled user");
    assert!(store.session("late-login").await.unwrap().is_none());
    assert!(live_tokens(store, "ann").await.is_empty());
    assert!(store.login_user("ann").await.unwrap().is_none());
    let mut w = store.write("root").await.unwrap();
    assert!(!w.enable_user("ann").await.unwrap().disabled);
    w.commit().await.unwrap();
    assert!(live_tokens(store, "ann").await.is_empty());
    assert!(store.login_user("ann").await.unwrap().is_some());
    assert!(store.session("late-login").await.unwrap().is_none());
    // A login whose password was checked before a password change opens nothing after it.
    let other = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNob3RoZXJoYXNo";
    let mut w = store.write("root").await.unwrap();
    w.set_password("ann", other).await.unwrap();
    w.commit().await.unwrap();
    assert!(!store.open_session("stale", ann.id, HASH, "csrf", late).await.unwrap());
    assert!(store.open_session("fresh", ann.id, other, "csrf", late).await.unwrap());
    assert!(store.session("fresh").await.unwrap().is_some());

    // An analyst keeps no business unit: they see every one.
    let mut w = store.write("root").await.unwrap();
    let ann = w.set_access("ann", Role::Analyst, &["Sales".into()]).await.unwrap();
    assert!(ann.business_units.is_empty(), "{ann:?}");
    // Saying again what is already so writes nothing.
    w.set_access("ann", Role::Analyst, &[]).await.unwrap();
    w.commit().await.unwrap();

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
            r#""analyst"/false"#,
            r#""admin"/false"#
        ]
    );
    let text = serde_json::to_string(&entries.iter().map(|e| &e.after).collect::<Vec<_>>());
    assert!(!text.unwrap().contains("argon2"));
}

/// Two admins each demote the other, and one mints an admin token, in writes that overlap:
/// the later writes wait for the first and then see what it did.
async fn overlapping(store: &Store) {
    let mut w = store.write("setup").await.unwrap();
    for name in ["root", "root2"] {
        let user = NewUser {
            name: name.into(),
            person: None,
            role: Role::Admin,
            password_hash: HASH.into(),
            business_units: vec![],
        };
        w.add_user(&user).await.unwrap();
    }
    w.commit().await.unwrap();

    let mut first = store.write("root").await.unwrap();
    first.set_access("root2", Role::Analyst, &[]).await.unwrap();
    let (s1, s2) = (store.clone(), store.clone());
    let demote = tokio::spawn(async move {
        let mut w = s1.write("root2").await.unwrap();
        let done = w.set_access("root", Role::Analyst, &[]).await;
        if done.is_ok() {
            w.commit().await.unwrap();
        }
        done.map(|_| ())
    });
    let mint = tokio::spawn(async move {
        let mut w = s2.write("root2").await.unwrap();
        let done = w.add_token("root2", "late", "h-late", Role::Admin).await;
        if done.is_ok() {
            w.commit().await.unwrap();
        }
        done.map(|_| ())
    });
    let s3 = store.clone();
    let still_admin = tokio::spawn(async move {
        let mut w = s3.write("root2").await.unwrap();
        w.confirm_role("root2", Role::Admin).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    let e = still_admin.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("no longer an active admin"), "{e}");
    let e = demote.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("last active admin"), "{e}");
    assert!(mint.await.unwrap().is_err(), "an analyst's token carries no admin role");
    let admins: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Admin)
        .map(|u| u.name)
        .collect();
    assert_eq!(admins, ["root"]);
    assert!(live_tokens(store, "root2").await.is_empty());
}

#[tokio::test]
async fn overlapping_access_changes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(&Location::Sqlite(dir.path().join("w.db")), "USD").await.unwrap();
    overlapping(&store).await;
    store.close().await;
}

#[tokio::test]
async fn overlapping_access_changes_on_postgres() {
    let Some(db) = TestDb::postgres("overlapping_access_changes_on_postgres").await else {
        return;
    };
    let store = workspace(&db.location, "USD").await.unwrap();
    overlapping(&store).await;
    store.close().await;
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
