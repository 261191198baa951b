//! `worth import inventory`: a CDM folder of the self-service analytics export, plain CSV, and
//! CoE admin tables; re-imports never duplicate and keep what was set by hand.

mod common;

use worth_core::solution::{Criticality, EnvironmentType, SolutionKind, Stage};
use worth_ingest::Kind;
use worth_store::UNASSIGNED_BUSINESS_UNIT;

use common::{backends, data, rejects, sqlite};

#[tokio::test]
async fn a_cdm_folder_registers_apps_in_their_environments() {
    for env in backends("a_cdm_folder_registers_apps").await {
        let summary = env.import(Kind::Inventory, &[data("cdm")]).await.unwrap();
        let file = &summary.files[0];
        assert_eq!((file.read, file.imported, file.rejected), (5, 4, 1), "{}", env.name);
        assert_eq!(rejects(&summary)[0][2], "AppName", "the row without an id");

        let solutions = env.store.solutions(None).await.unwrap();
        let names: Vec<&str> = solutions.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Field Inspections", "Invoice Approvals"]);
        let invoice = &solutions[1];
        assert_eq!(invoice.business_unit, UNASSIGNED_BUSINESS_UNIT);
        assert_eq!(invoice.kind, SolutionKind::CanvasApp);
        assert_eq!(solutions[0].kind, SolutionKind::ModelDrivenApp);
        assert_eq!(invoice.external_ids[0].system, "powerapps");
        assert_eq!(invoice.external_ids[0].id, "11111111-1111-4111-8111-111111111111");
        assert_eq!(invoice.lifecycle[0].stage, Stage::Live);
        assert_eq!(invoice.lifecycle[0].on.to_string(), "2024-01-15");
        let environment = invoice.environment.as_ref().unwrap();
        assert_eq!(
            (environment.name.as_str(), environment.env_type),
            ("Finance Prod", EnvironmentType::Production)
        );
        let default = solutions[0].environment.as_ref().unwrap();
        assert_eq!(default.env_type, EnvironmentType::Default);
        assert!(invoice.owner.is_none(), "the export's owner is a personal id and is not kept");
    }
}

#[tokio::test]
async fn re_imports_update_what_the_export_carries_and_keep_what_was_set_by_hand() {
    for env in backends("inventory_re_imports").await {
        env.import(Kind::Inventory, &[data("cdm")]).await.unwrap();
        // Someone assigns the app to Finance, makes it critical and names its owner.
        let mut w = env.store.write("ada").await.unwrap();
        w.add_business_unit("Finance", None).await.unwrap();
        w.commit().await.unwrap();
        let id = env.store.solution("Invoice Approvals", None).await.unwrap().id;
        let conn_sql = [
            "UPDATE solutions SET business_unit_id = (SELECT id FROM business_units WHERE name = 'Finance'), criticality = 'critical' WHERE id = $1",
        ];
        let pool = sqlx_pool(&env).await;
        for sql in conn_sql {
            sqlx::query(sql).bind(id).execute(&pool).await.unwrap();
        }
        let counts = env.counts().await;

        // The same folder again: nothing new, nothing duplicated.
        let again = env.import(Kind::Inventory, &[data("cdm")]).await.unwrap();
        assert!(again.files[0].skipped.is_some());
        assert_eq!(env.counts().await, counts);

        // The CoE table renames the app and adds another: the hand-set fields stay.
        let summary = env.import(Kind::Inventory, &[data("coe_admin_app.csv")]).await.unwrap();
        assert!(
            summary.files[0].stored.iter().any(|s| s.contains("1 new, 1 changed")),
            "{:?}",
            summary.files[0].stored
        );
        let invoice = env.store.solution("Invoice Approvals v2", None).await.unwrap();
        assert_eq!(invoice.id, id);
        assert_eq!(invoice.business_unit, "Finance");
        assert_eq!(invoice.criticality, Criticality::Critical);
        assert_eq!(env.store.solutions(None).await.unwrap().len(), 3, "{}", env.name);
    }
}

async fn sqlx_pool(env: &common::Env) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = match env.name {
        "sqlite" => format!("sqlite://{}", env.dir.path().join("worth.db").display()),
        _ => env.pg_url().unwrap(),
    };
    sqlx::AnyPool::connect(&url).await.unwrap()
}

#[tokio::test]
async fn coe_flows_and_makers() {
    let env = sqlite().await;
    let summary = env.import(Kind::Inventory, &[data("coe_admin_flow.csv")]).await.unwrap();
    assert_eq!(summary.imported(), 1);
    let flow = env.store.solution("Invoice Reminder", None).await.unwrap();
    assert_eq!(flow.kind, SolutionKind::CloudFlow);
    assert_eq!(flow.external_ids[0].system, "powerautomate");
    assert!(summary.files[0].ignored_columns.is_empty(), "admin_* columns are the export's own");

    let before = env.counts().await;
    let makers = env.import(Kind::Inventory, &[data("coe_admin_maker.csv")]).await.unwrap();
    assert!(makers.files[0].stored.iter().any(|s| s.contains("2 makers counted, not stored")));
    let after = env.counts().await;
    let changed: Vec<_> =
        before.iter().zip(&after).filter(|(a, b)| a != b).map(|(a, _)| a.0).collect();
    assert_eq!(changed, ["imports", "audit_log"], "makers are people: only the import is recorded");
}

#[tokio::test]
async fn a_file_that_is_no_inventory_is_refused() {
    let env = sqlite().await;
    let path = env.write("x.csv", "Foo,Bar\n1,2\n");
    let err = env.import(Kind::Inventory, &[path]).await.unwrap_err().to_string();
    assert!(err.contains("not an inventory export"), "{err}");
}

#[tokio::test]
async fn a_plain_apps_csv_with_swapped_name_columns() {
    let env = sqlite().await;
    let path = env.write(
        "apps.csv",
        "\u{feff}Name,AppName,Environmentid,Type,CreatedTime\r\n\
         55555555-5555-4555-8555-555555555555,Leave Requests,,Canvas,2024-09-01\r\n\
         55555555-5555-4555-8555-555555555555,Leave Requests,,Canvas,2024-09-01\r\n",
    );
    let summary = env.import(Kind::Inventory, &[path]).await.unwrap();
    assert_eq!((summary.imported(), summary.duplicate()), (1, 1));
    let app = env.store.solution("Leave Requests", None).await.unwrap();
    assert_eq!(app.external_ids[0].id, "55555555-5555-4555-8555-555555555555");
}

#[tokio::test]
async fn a_mapping_names_the_columns_of_another_apps_export() {
    let env = sqlite().await;
    let path = env.write(
        "apps.csv",
        "App ID,App name\n66666666-6666-4666-8666-666666666666,Expense Claims\n",
    );
    let mapping =
        env.write("map.json", r#"{"columns": {"AppName": "App ID", "Name": "App name"}}"#);
    let options = worth_ingest::ImportOptions {
        mapping: Some(worth_ingest::ColumnMapping::load(&mapping).unwrap()),
        ..env.options()
    };
    let summary = env.import_with(Kind::Inventory, &[path], &options).await.unwrap();
    assert_eq!(summary.imported(), 1);
    let app = env.store.solution("Expense Claims", None).await.unwrap();
    assert_eq!(app.external_ids[0].id, "66666666-6666-4666-8666-666666666666");
}
