//! `worth report` through the binary: it writes the four files of the sponsor report, and
//! report.json's figures are those of `worth roi` to the cent.

use serde_json::Value;

mod common;

use common::Workspace;

/// One live solution with a measured unit-cost line and two costs.
fn workspace() -> Workspace {
    let dir = Workspace::new();
    let steps: &[&[&str]] = &[
        &["bu", "add", "Finance"],
        &[
            "solution",
            "add",
            "Invoice intake",
            "--bu",
            "Finance",
            "--kind",
            "cloud-flow",
            "--on",
            "2025-01-02",
        ],
        &[
            "value",
            "add",
            "Invoice intake",
            "--name",
            "cheaper invoices",
            "--category",
            "cost-reduction",
            "--model",
            "unit-cost",
            "--param",
            "cost_before=12.50",
            "--param",
            "cost_after=4.00",
            "--param",
            "estimated_units=500/month",
            "--start",
            "2025-02-01",
            "--evidence",
            "system-data",
        ],
        &[
            "cost",
            "add",
            "Invoice intake",
            "--kind",
            "one-time",
            "--item",
            "build",
            "--amount",
            "6000",
            "--start",
            "2025-01-10",
        ],
        &[
            "cost",
            "add",
            "Invoice intake",
            "--kind",
            "monthly",
            "--item",
            "license",
            "--amount",
            "100",
            "--start",
            "2025-02-01",
        ],
        &["solution", "set-stage", "Invoice intake", "approved", "--on", "2025-01-15"],
        &["solution", "set-stage", "Invoice intake", "live", "--on", "2025-02-01"],
    ];
    for args in steps {
        dir.ok(args);
    }
    for (month, units) in [("2025-02", "420"), ("2025-03", "480"), ("2025-04", "510")] {
        dir.ok(&["value", "measure", "Invoice intake", "units", month, units]);
    }
    dir
}

#[test]
fn worth_report_writes_four_files_whose_figures_are_worth_rois() {
    let dir = workspace();
    let out: Value = serde_json::from_str(&dir.ok(&[
        "report", "--from", "2025-02", "--to", "2025-04", "--out", "rep", "--format", "json",
    ]))
    .unwrap();
    let files: Vec<&str> =
        out["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files.len(), 4);
    for name in ["index.html", "value-report.xlsx", "headlines.md", "report.json"] {
        let path = dir.path().join("rep").join(name);
        assert!(path.is_file(), "{} missing", path.display());
        assert!(files.iter().any(|f| f.ends_with(name)), "{files:?}");
    }
    assert_eq!(out["period"], "2025-02 to 2025-04");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("rep/report.json")).unwrap())
            .unwrap();
    let roi: Value = serde_json::from_str(&dir.ok(&["roi", "--format", "json"])).unwrap();
    let row = &roi["rows"][0];
    for (tile, column) in [("npv", "npv"), ("pv_benefits", "pv_benefits"), ("pv_costs", "pv_costs")]
    {
        assert_eq!(report["tiles"][tile], row[column], "{tile}");
    }
    assert_eq!(report["tiles"]["roi_percent"], row["roi_percent"]);
    // (12.50 − 4.00) × (420 + 480 + 510) units realized in the period.
    assert_eq!(report["tiles"]["value_realized"], "11985.00");
    // The build falls before the period; the license is 100 a month.
    assert_eq!(report["tiles"]["costs"], "300.00");
    let html = std::fs::read_to_string(dir.path().join("rep/index.html")).unwrap();
    assert!(html.contains("Invoice intake"));
}

#[test]
fn a_period_that_runs_backwards_is_refused() {
    let dir = workspace();
    let out = dir.cmd(&["report", "--from", "2025-05", "--to", "2025-02"]).assert().failure();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("--from 2025-05 is after --to 2025-02"), "{err}");
    assert!(!dir.path().join("report").exists());
}
