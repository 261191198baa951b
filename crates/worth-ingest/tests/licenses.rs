//! `worth import licenses`: the Microsoft 365 active user detail report, pseudonymized, as a
//! snapshot that replaces the previous one.

mod common;

use worth_ingest::Kind;

use common::{backends, data, rejects, sqlite};

#[tokio::test]
async fn the_m365_report_becomes_pseudonymous_assignments() {
    for env in backends("the_m365_report").await {
        let summary = env.import(Kind::Licenses, &[data("m365_active_users.csv")]).await.unwrap();
        assert_eq!(
            (summary.read(), summary.imported(), summary.rejected()),
            (4, 2, 2),
            "{}",
            env.name
        );
        assert!(
            summary.files[0].ignored_columns.is_empty(),
            "{:?}",
            summary.files[0].ignored_columns
        );
        let rows = rejects(&summary);
        assert_eq!((rows[0][1].as_str(), rows[0][2].as_str()), ("4", "User Principal Name"));
        assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("5", "Last Activity Date"));

        let assignments = env.store.license_assignments().await.unwrap();
        assert_eq!(assignments.len(), 3);
        assert!(assignments.iter().all(|(source, _)| source == "m365"));
        let ada = env.key.pseudonymize("ada@contoso.com");
        let bob = env.key.pseudonymize("bob@contoso.com");
        let mut products: Vec<(String, String, Option<String>)> = assignments
            .iter()
            .map(|(_, a)| {
                let who = if a.user_key == ada {
                    "ada"
                } else if a.user_key == bob {
                    "bob"
                } else {
                    "?"
                };
                (who.to_owned(), a.product.clone(), a.last_activity_on.map(|d| d.to_string()))
            })
            .collect();
        products.sort();
        assert_eq!(
            products,
            [
                ("ada".into(), "MICROSOFT 365 E3".into(), Some("2024-09-29".into())),
                ("ada".into(), "POWER APPS PER USER PLAN".into(), Some("2024-09-29".into())),
                ("bob".into(), "MICROSOFT 365 E3".into(), None),
            ]
        );
    }
}

#[tokio::test]
async fn a_new_report_replaces_the_previous_snapshot() {
    let env = sqlite().await;
    env.import(Kind::Licenses, &[data("m365_active_users.csv")]).await.unwrap();
    let next = env.write(
        "next.csv",
        "Report Refresh Date,User Principal Name,Display Name,Assigned Products\n\
         2024-10-31,ada@contoso.com,Ada,MICROSOFT 365 E3\n",
    );
    env.import(Kind::Licenses, &[next]).await.unwrap();
    let assignments = env.store.license_assignments().await.unwrap();
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].1.product, "MICROSOFT 365 E3");
}

#[tokio::test]
async fn no_user_principal_name_reaches_the_store() {
    let env = sqlite().await;
    env.import(Kind::Licenses, &[data("m365_active_users.csv")]).await.unwrap();
    env.store.clone().close().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("worth.db") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(text.contains("power apps per user plan"));
    for secret in ["ada@contoso.com", "bob@contoso.com", "lovelace"] {
        assert!(!text.contains(secret), "{secret} reached the store");
    }
}
