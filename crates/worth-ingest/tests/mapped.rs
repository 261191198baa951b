//! `worth import mapped`: CSV and XLSX files read through a column mapping, with typed fields,
//! Excel serial dates and pseudonymized user fields.

mod common;

use rstest::rstest;
use serde_json::{Value, json};
use worth_ingest::{ColumnMapping, ImportOptions, Kind};

use common::{data, rejects, sqlite};

fn options(env: &common::Env) -> ImportOptions {
    ImportOptions {
        mapping: Some(ColumnMapping::load(&data("survey-mapping.json")).unwrap()),
        ..env.options()
    }
}

#[tokio::test]
async fn an_xlsx_survey_with_excel_dates() {
    let env = sqlite().await;
    let summary =
        env.import_with(Kind::Mapped, &[data("survey.xlsx")], &options(&env)).await.unwrap();
    assert_eq!((summary.read(), summary.imported(), summary.rejected()), (4, 2, 2));
    assert_eq!(summary.files[0].ignored_columns, ["Comment"]);
    let rows = rejects(&summary);
    assert_eq!((rows[0][1].as_str(), rows[0][2].as_str()), ("4", "Hours saved per week"));
    assert!(rows[0][3].contains("'lots' is not a number"));
    assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("5", "App"));

    let records = env.store.mapped_records("survey").await.unwrap();
    let ada = env.key.pseudonymize("ada@contoso.com");
    assert_eq!(records[0].line, 2);
    assert_eq!(
        Value::Object(records[0].fields.clone()),
        json!({"solution": "Invoice Approvals", "respondent": ada, "hours_saved": "2.5",
               "answered_on": "2024-09-01"})
    );
    // A plain number in a date column of a workbook is an Excel serial; 1,234.50 is an amount.
    assert_eq!(records[1].fields["answered_on"], json!("2024-09-02"));
    assert_eq!(records[1].fields["hours_saved"], json!("1234.50"));
}

#[rstest]
#[case::iso("2024-09-01", Ok("2024-09-01"))]
#[case::space_time("2024-09-01 00:00:00", Ok("2024-09-01"))]
#[case::zulu("2024-09-01T00:00:00Z", Ok("2024-09-01"))]
#[case::offset("2024-09-01T00:00:00+02:00", Ok("2024-08-31"))]
#[case::serial_in_csv("45536", Err("not a date"))]
#[case::null("NULL", Err("required"))]
#[case::empty("", Err("required"))]
#[tokio::test]
async fn dirty_dates_in_a_mapped_csv(#[case] cell: &str, #[case] expected: Result<&str, &str>) {
    let env = sqlite().await;
    let path = env.write(
        "s.csv",
        &format!(
            "\u{feff}App,E-mail,Hours saved per week,Answered on\r\nInvoice,ada@x.com,\"(1.50)\",{cell}\r\n"
        ),
    );
    let summary = env.import_with(Kind::Mapped, &[path], &options(&env)).await.unwrap();
    let records = env.store.mapped_records("survey").await.unwrap();
    match expected {
        Ok(day) => {
            assert_eq!(summary.rejected(), 0, "{:?}", rejects(&summary));
            assert_eq!(records[0].fields["answered_on"], json!(day));
            assert_eq!(records[0].fields["hours_saved"], json!("-1.50"));
        }
        Err(reason) => {
            assert!(records.is_empty());
            let rows = rejects(&summary);
            assert_eq!(rows[0][2], "Answered on");
            assert!(rows[0][3].contains(reason), "{rows:?}");
        }
    }
}

#[tokio::test]
async fn a_mapped_import_needs_a_mapping_and_its_columns() {
    let env = sqlite().await;
    let path = env.write("s.csv", "App,E-mail\nInvoice,ada@x.com\n");
    let err = env.import(Kind::Mapped, std::slice::from_ref(&path)).await.unwrap_err().to_string();
    assert!(err.contains("--mapping"), "{err}");
    let err = env.import_with(Kind::Mapped, &[path], &options(&env)).await.unwrap_err();
    assert!(err.to_string().contains("'Answered on' is missing"), "{err}");
}

#[tokio::test]
async fn the_same_file_is_not_added_twice() {
    let env = sqlite().await;
    let o = options(&env);
    env.import_with(Kind::Mapped, &[data("survey.xlsx")], &o).await.unwrap();
    let again = env.import_with(Kind::Mapped, &[data("survey.xlsx")], &o).await.unwrap();
    assert!(again.files[0].skipped.is_some());
    assert_eq!(env.store.mapped_records("survey").await.unwrap().len(), 2);
}

#[tokio::test]
async fn missing_value_markers_named_by_the_mapping_are_missing_not_rejected() {
    let env = sqlite().await;
    let mapping: ColumnMapping = serde_json::from_value(json!({
        "target": "kpi-values",
        "missing": ["-", "[Not Provided]"],
        "fields": [
            { "name": "subject", "column": "Service", "required": true },
            { "name": "2017-Q4 / volume", "column": "Vol.", "type": "decimal" },
            { "name": "2017-Q4 / cost", "column": "CPT", "type": "decimal" } ] }))
    .unwrap();
    let path = env
        .write("k.csv", "Service,Vol.,CPT\r\nA,\"6,500\",-\r\nB,-,[not provided]\r\nC,#REF!,2\r\n");
    let opts = ImportOptions { mapping: Some(mapping), ..env.options() };
    let summary = env.import_with(Kind::Mapped, &[path], &opts).await.unwrap();
    // `-` and `[not provided]` (in any case) are missing; `#REF!`, not listed, is refused.
    assert_eq!((summary.imported(), summary.rejected()), (2, 1));
    let records = env.store.mapped_records("kpi-values").await.unwrap();
    assert_eq!(records[0].fields["2017-Q4 / volume"], json!("6500"));
    assert_eq!(records[0].fields["2017-Q4 / cost"], Value::Null);
    assert_eq!(records[1].fields["2017-Q4 / volume"], Value::Null);
    assert!(rejects(&summary)[0][3].contains("'#REF!' is not a number"));
}
