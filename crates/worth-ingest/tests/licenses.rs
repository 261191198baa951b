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
async fn each_report_is_kept_under_its_date_and_a_past_period_is_charged_its_own_licenses() {
    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use worth_core::allocation::licenses::PlanKind;
    use worth_core::{Currency, Money};
    use worth_store::PriceEntry;

    for env in backends("dated_license_reports").await {
        // September's report: ada holds E3 and the per user plan, bob E3 (the bad rows are
        // rejected). October's: ada holds E3 only.
        let sept = env.import(Kind::Licenses, &[data("m365_active_users.csv")]).await.unwrap();
        assert_eq!(sept.files[0].last_day, NaiveDate::from_ymd_opt(2024, 9, 30), "{}", env.name);
        let next = env.write(
            "next.csv",
            "Report Refresh Date,User Principal Name,Display Name,Assigned Products\n\
             2024-10-31,ada@contoso.com,Ada,MICROSOFT 365 E3\n",
        );
        env.import(Kind::Licenses, &[next]).await.unwrap();
        let mut w = env.store.write("tester").await.unwrap();
        w.set_price(&PriceEntry {
            sku: "POWER APPS PER USER PLAN".into(),
            kind: PlanKind::PerUser,
            price: Money::new(Decimal::from(20), Currency::parse("USD").unwrap()),
            valid_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            source: None,
        })
        .await
        .unwrap();
        w.commit().await.unwrap();

        let month = |m: u32| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
        let products = |list: &[(String, worth_store::LicenseAssignment)]| {
            let mut p: Vec<String> = list.iter().map(|(_, a)| a.product.clone()).collect();
            p.sort();
            p
        };
        let (sept_held, notes) = env.store.licenses_in_force(month(9)).await.unwrap();
        assert_eq!(
            products(&sept_held),
            ["MICROSOFT 365 E3", "MICROSOFT 365 E3", "POWER APPS PER USER PLAN"],
            "{}",
            env.name
        );
        assert!(notes.is_empty(), "{notes:?}");
        let (oct_held, _) = env.store.licenses_in_force(month(10)).await.unwrap();
        assert_eq!(products(&oct_held), ["MICROSOFT 365 E3"]);
        // Today's view is the latest report.
        assert_eq!(env.store.license_assignments().await.unwrap().len(), 1);
        // Before any report, the earliest stands in, and a note says so.
        let (aug_held, notes) = env.store.licenses_in_force(month(8)).await.unwrap();
        assert_eq!(aug_held.len(), 3);
        assert!(notes[0].contains("no license report of 'm365' is dated on or before 2024-08-31"));

        // A run of September charges the per user plan September held (20.00); October's
        // run charges none, though today's report is October's.
        let pool = |held: &worth_store::RunInputs| -> Decimal {
            held.records.iter().filter(|r| r.pool == "licenses").map(|r| r.billed).sum()
        };
        assert_eq!(pool(&env.store.run_inputs(month(9)).await.unwrap()), Decimal::from(20));
        assert_eq!(pool(&env.store.run_inputs(month(10)).await.unwrap()), Decimal::ZERO);
    }
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
