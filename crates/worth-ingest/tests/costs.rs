//! `worth import costs`: the real FOCUS 1.0 sample with its known figures, re-import,
//! atomicity, and the dirty cells of FOCUS files, on SQLite and PostgreSQL.

mod common;

use rstest::rstest;
use rust_decimal::Decimal;
use rust_decimal::dec;
use worth_ingest::{IngestError, Kind};

use common::{backends, data, rejects, sqlite};

const HEADER: &str = "BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,\
BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ServiceName,\
ProviderName,Tags";

/// A one-row FOCUS file whose `BilledCost` cell and `ChargePeriodStart` cell are given.
fn one_row(billed: &str, start: &str) -> String {
    format!(
        "{HEADER}\n{billed},1,acct-1,USD,2024-09-01,2024-10-01,Usage,{start},2024-09-02 00:00:00,\
         Compute,Contoso,\"{{\"\"team\"\": \"\"a\"\"}}\"\n"
    )
}

#[tokio::test]
async fn the_focus_sample_imports_with_its_known_figures() {
    for env in backends("the_focus_sample_imports_with_its_known_figures").await {
        let summary = env.import(Kind::Costs, &[data("focus-1.0-sample.csv")]).await.unwrap();
        let file = &summary.files[0];
        assert_eq!((file.read, file.imported, file.rejected), (1000, 1000, 0), "{}", env.name);
        assert_eq!(file.ignored_columns, ["Id"], "the non-FOCUS column is reported once");
        assert!(summary.rejects_file.is_none());

        let facts = env.store.cost_facts().await.unwrap();
        let rows: i64 = facts.iter().map(|f| f.source_rows).sum();
        let billed: Decimal = facts.iter().map(|f| f.billed_cost).sum();
        let effective: Decimal = facts.iter().map(|f| f.effective_cost).sum();
        let untagged: i64 =
            facts.iter().filter(|f| f.tags_json.is_none()).map(|f| f.source_rows).sum();
        assert_eq!(rows, 1000);
        assert_eq!(billed, dec!(20.52022672899), "{}", env.name);
        assert_eq!(effective, dec!(14.97651418586), "{}", env.name);
        assert_eq!(untagged, 289);
        assert!(facts.iter().all(|f| f.currency == "USD"));

        // Every category is kept with its rows; the credit keeps both of its costs.
        let rows_of = |category: &str| -> i64 {
            facts.iter().filter(|f| f.charge_category == category).map(|f| f.source_rows).sum()
        };
        assert_eq!((rows_of("Usage"), rows_of("Adjustment"), rows_of("Credit")), (997, 2, 1));
        let credit = facts.iter().find(|f| f.charge_category == "Credit").unwrap();
        assert_ne!(credit.billed_cost, credit.effective_cost);

        // Tag keys are kept as written: `org` and ` org` are two keys.
        assert!(
            facts.iter().any(|f| f.tags_json.as_deref().is_some_and(|t| t.contains("\" org\"")))
        );
        assert!(
            facts.iter().any(|f| f.tags_json.as_deref().is_some_and(|t| t.contains("\"org\"")))
        );

        // One import record and one audit entry for the whole file.
        let imports = env.store.imports().await.unwrap();
        assert_eq!(imports.len(), 1);
        assert_eq!((imports[0].read, imports[0].imported), (1000, 1000));
        let audit = env
            .store
            .audit(&worth_store::AuditFilter { entity: Some("import".into()), limit: None })
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
    }
}

#[tokio::test]
async fn re_importing_the_sample_changes_nothing() {
    for env in backends("re_importing_the_sample_changes_nothing").await {
        env.import(Kind::Costs, &[data("focus-1.0-sample.csv")]).await.unwrap();
        let before = env.counts().await;
        let facts = env.store.cost_facts().await.unwrap();
        let again = env.import(Kind::Costs, &[data("focus-1.0-sample.csv")]).await.unwrap();
        assert!(again.files[0].skipped.as_deref().unwrap().contains("import #1"), "{}", env.name);
        assert_eq!(env.counts().await, before);

        // The same rows in another file (one more byte) replace the billing period, never add.
        let copy = std::fs::read_to_string(data("focus-1.0-sample.csv")).unwrap() + "\n";
        let copy = env.write("copy.csv", &copy);
        env.import(Kind::Costs, &[copy]).await.unwrap();
        assert_eq!(env.store.cost_facts().await.unwrap(), facts, "{}", env.name);
    }
}

#[tokio::test]
async fn a_failed_import_leaves_the_store_as_it_was() {
    for env in backends("a_failed_import_leaves_the_store_as_it_was").await {
        env.import(Kind::Costs, &[data("focus-1.0-sample.csv")]).await.unwrap();
        let before = env.counts().await;
        let other = env.write("other.csv", &one_row("5", "2024-09-01 00:00:00"));
        let options = worth_ingest::ImportOptions { fail_before_commit: true, ..env.options() };
        let err =
            env.import_with(Kind::Costs, std::slice::from_ref(&other), &options).await.unwrap_err();
        assert!(matches!(err, IngestError::Internal(_)), "{err}");
        assert_eq!(env.counts().await, before, "{}", env.name);
        // The file was not recorded either: importing it for real works.
        let done = env.import(Kind::Costs, &[other]).await.unwrap();
        assert!(done.files[0].import_id.is_some());
    }
}

#[rstest]
#[case::plain("12.5", "2024-09-01 00:00:00", Ok((dec!(12.5), "2024-09-01")))]
#[case::thousands("\"1,234.50\"", "2024-09-01 00:00:00", Ok((dec!(1234.50), "2024-09-01")))]
#[case::accounting_negative("(12.00)", "2024-09-01 00:00:00", Ok((dec!(-12.00), "2024-09-01")))]
#[case::bom_in_value("\u{feff}7", "2024-09-01 00:00:00", Ok((dec!(7), "2024-09-01")))]
#[case::t_and_zone("1", "2024-09-01T00:00:00Z", Ok((dec!(1), "2024-09-01")))]
// 22:00 UTC on 31 August to midnight on 2 September: 2 of its 26 hours fall on the 31st.
#[case::offset_moves_the_day("1", "2024-09-01T00:00:00+02:00", Ok((dec!(0.0769230769), "2024-08-31")))]
#[case::null_cost("NULL", "2024-09-01 00:00:00", Err("BilledCost"))]
#[case::empty_cost("", "2024-09-01 00:00:00", Err("BilledCost"))]
#[case::text_cost("twelve", "2024-09-01 00:00:00", Err("BilledCost"))]
#[case::bad_date("1", "09/01/2024", Err("ChargePeriodStart"))]
#[tokio::test]
async fn dirty_focus_cells(
    #[case] billed: &str,
    #[case] start: &str,
    #[case] expected: Result<(Decimal, &str), &str>,
) {
    let env = sqlite().await;
    let path = env.write("dirty.csv", &one_row(billed, start));
    let summary = env.import(Kind::Costs, &[path]).await.unwrap();
    let facts = env.store.cost_facts().await.unwrap();
    match expected {
        Ok((amount, day)) => {
            assert_eq!(summary.rejected(), 0, "{:?}", rejects(&summary));
            assert!(!facts.is_empty());
            assert_eq!(facts[0].billed_cost, amount);
            assert_eq!(facts[0].charge_day.to_string(), day);
        }
        Err(column) => {
            assert_eq!(summary.rejected(), 1);
            assert!(facts.is_empty());
            let rows = rejects(&summary);
            assert_eq!(rows.len(), 1);
            assert!(rows[0][0].ends_with("dirty.csv"));
            assert_eq!(rows[0][1], "2", "the row is on line 2");
            assert_eq!(rows[0][2], column, "{rows:?}");
            assert!(!rows[0][3].is_empty());
        }
    }
}

#[tokio::test]
async fn a_bom_and_crlf_are_accepted() {
    let env = sqlite().await;
    let text = format!("\u{feff}{}", one_row("3", "2024-09-01 00:00:00").replace('\n', "\r\n"));
    let path = env.write("bom.csv", &text);
    let summary = env.import(Kind::Costs, &[path]).await.unwrap();
    assert_eq!((summary.imported(), summary.rejected()), (1, 0));
}

#[tokio::test]
async fn a_missing_required_column_refuses_the_file_and_names_it() {
    let env = sqlite().await;
    let text = one_row("3", "2024-09-01 00:00:00").replace("EffectiveCost", "Effective");
    let path = env.write("missing.csv", &text);
    let before = env.counts().await;
    let err = env.import(Kind::Costs, &[path]).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("missing.csv") && message.contains("'EffectiveCost'"), "{message}");
    assert_eq!(env.counts().await, before);
}

#[tokio::test]
async fn an_unknown_category_or_currency_is_rejected_with_the_reason() {
    let env = sqlite().await;
    let good = one_row("1", "2024-09-01 00:00:00");
    let bad_category = good.lines().nth(1).unwrap().replace("Usage", "Refund");
    let bad_currency = good.lines().nth(1).unwrap().replace("USD", "XYZ");
    let text = format!("{good}{bad_category}\n{bad_currency}\n");
    let summary = env.import(Kind::Costs, &[env.write("c.csv", &text)]).await.unwrap();
    assert_eq!((summary.read(), summary.imported(), summary.rejected()), (3, 1, 2));
    let rows = rejects(&summary);
    assert_eq!((rows[0][1].as_str(), rows[0][2].as_str()), ("3", "ChargeCategory"));
    assert!(
        rows[0][3].contains("'Refund' is not one of: Usage, Purchase, Tax, Credit, Adjustment")
    );
    assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("4", "BillingCurrency"));
}

#[tokio::test]
async fn strict_refuses_the_whole_import_when_a_row_is_rejected() {
    let env = sqlite().await;
    let text = format!("{}\n", one_row("1", "2024-09-01 00:00:00"))
        + one_row("oops", "2024-09-01 00:00:00").lines().nth(1).unwrap();
    let path = env.write("s.csv", &text);
    let before = env.counts().await;
    let options = worth_ingest::ImportOptions { strict: true, ..env.options() };
    let err = env.import_with(Kind::Costs, &[path], &options).await.unwrap_err();
    assert!(matches!(err, IngestError::Strict { rejected: 1, .. }), "{err}");
    assert!(err.to_string().contains("worth-rejects-costs"), "{err}");
    assert_eq!(env.counts().await, before);
}

#[tokio::test]
async fn a_charge_across_midnight_at_a_month_end_is_split_by_time() {
    let env = sqlite().await;
    // 23:00 on 30 September to 02:00 on 1 October: one hour in September, two in October.
    // BilledCost 9.00 splits 3 and 6; EffectiveCost 1.00 splits 0.3333333333 and
    // 0.6666666667 (ten decimals, the last unit to the larger remainder).
    let file = format!(
        "{HEADER}\n9.00,1.00,acct-1,USD,2024-09-01,2024-10-01,Usage,2024-09-30 23:00:00,\
         2024-10-01 02:00:00,Compute,Contoso,\n"
    );
    let path = env.dir.path().join("midnight.csv");
    std::fs::write(&path, file).unwrap();
    env.import(Kind::Costs, &[path]).await.unwrap();
    let facts = env.store.cost_facts().await.unwrap();
    let got: Vec<(String, Decimal, Decimal, i64)> = facts
        .iter()
        .map(|f| (f.charge_day.to_string(), f.billed_cost, f.effective_cost, f.source_rows))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2024-09-30".to_owned(), dec!(3), dec!(0.3333333333), 1),
            ("2024-10-01".to_owned(), dec!(6), dec!(0.6666666667), 0),
        ]
    );
}
