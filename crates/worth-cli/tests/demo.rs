//! `worth demo` as a new user runs it: the sample tenant is built, imported and reported;
//! a seed always gives the same report; the report is self-contained and its figures agree
//! with the rest of Worth.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn demo(dir: &Path, seed: &str) -> String {
    let out = Command::cargo_bin("worth")
        .unwrap()
        .current_dir(dir)
        .args(["demo", "--seed", seed, "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_demo_builds_a_tenant_and_a_reproducible_report() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let headlines = demo(a.path(), "42");
    let report_dir = a.path().join("worth-demo/report");
    for file in ["index.html", "value-report.xlsx", "headlines.md", "report.json"] {
        assert!(report_dir.join(file).exists(), "no {file}");
    }
    let report = read_json(&report_dir.join("report.json"));

    // The same seed in another folder gives the same report, byte for byte.
    assert_eq!(demo(b.path(), "42"), headlines);
    let again = std::fs::read(b.path().join("worth-demo/report/report.json")).unwrap();
    assert_eq!(again, std::fs::read(report_dir.join("report.json")).unwrap());

    // The tenant looks like one: many solutions across kinds and units, usage in the millions
    // of rows, problems to look at.
    let solutions = report["solutions"].as_array().unwrap();
    assert!(solutions.len() >= 130, "{} solutions", solutions.len());
    assert_eq!(report["business_units"].as_array().unwrap().len(), 8);
    assert!(!report["problems"].as_array().unwrap().is_empty());
    let exports = a.path().join("worth-demo/exports/Usage.csv");
    let usage_rows = std::fs::read_to_string(&exports).unwrap().lines().count() - 1;
    assert!(usage_rows > 1_000_000, "{usage_rows} usage rows");

    // The report agrees with worth roi on the same workspace, evaluated on the same day.
    let html = std::fs::read_to_string(report_dir.join("index.html")).unwrap();
    assert!(!html.contains("<script"), "the page runs no script");
    assert!(!html.contains("url("), "the styles load nothing");
    let page = scraper::Html::parse_document(&html);
    assert!(page.errors.is_empty(), "{:?}", page.errors);
    let every = scraper::Selector::parse("*").unwrap();
    for element in page.select(&every) {
        for attr in ["src", "href", "xlink:href", "srcset", "action"] {
            if let Some(v) = element.value().attr(attr) {
                assert!(!v.contains("//") && !v.contains(':'), "{attr}={v} loads from elsewhere");
            }
        }
    }

    // Every headline quotes figures of report.json, as the sentence shows them.
    let number = |v: &Value| -> f64 {
        match v {
            Value::String(t) => t.parse().unwrap(),
            other => other.as_f64().unwrap(),
        }
    };
    for h in report["headlines"].as_array().unwrap() {
        let text = h["text"].as_str().unwrap();
        for f in h["figures"].as_array().unwrap() {
            let path = f["path"].as_str().unwrap();
            let held = report.pointer(path).unwrap_or_else(|| panic!("{path} not in report.json"));
            assert!(
                (number(held) - number(&f["value"])).abs() < 1e-9,
                "{path}: {held} vs {}",
                f["value"]
            );
            assert!(text.contains(f["shown"].as_str().unwrap()), "{text} lacks {}", f["shown"]);
        }
    }

    // The workbook opens and its tiles are report.json's.
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(report_dir.join("value-report.xlsx")).unwrap();
    let tiles = book.worksheet_range("Tiles").unwrap();
    let mut compared = 0;
    for row in tiles.rows().skip(1) {
        let (Some(value), Some(path)) =
            (row.get(1).and_then(calamine::DataType::as_f64), row.get(2))
        else {
            continue;
        };
        let path = path.to_string();
        let Some(held) = report.pointer(&path) else { continue };
        if held.is_null() {
            continue;
        }
        assert!((number(held) - value).abs() < 0.005, "{path}: xlsx {value} vs json {held}");
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} tiles compared");

    // A snapshot of the whole report.json: any change to a figure of the seeded demo shows.
    insta::assert_json_snapshot!("demo_seed_42", report);
}

#[test]
fn another_seed_gives_another_tenant() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_ne!(demo(a.path(), "1"), demo(b.path(), "2"));
}
