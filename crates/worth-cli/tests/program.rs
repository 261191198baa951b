//! The value program through the `worth` binary: stories and their workflow, key results,
//! the demo's built-in key results against counts made here by hand from its files and other
//! commands, and the GOV.UK transactions file as a real KPI series.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Workspace;
use serde_json::{Value, json};

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// A workspace with one live solution whose realized value comes from measured units.
fn workspace_with_revenue() -> Workspace {
    let ws = Workspace::new();
    ws.ok(&["bu", "add", "Sales"]);
    ws.ok(&[
        "solution",
        "add",
        "Quote Builder",
        "--bu",
        "Sales",
        "--kind",
        "canvas-app",
        "--on",
        "2026-01-05",
    ]);
    ws.ok(&[
        "value",
        "add",
        "Quote Builder",
        "--name",
        "deals",
        "--category",
        "revenue",
        "--model",
        "revenue",
        "--param",
        "margin_per_unit=100",
        "--param",
        "estimated_units=5/month",
        "--evidence",
        "system-data",
        "--start",
        "2026-03-01",
    ]);
    for (stage, on) in
        [("approved", "2026-02-01"), ("building", "2026-02-10"), ("live", "2026-03-01")]
    {
        ws.ok(&["solution", "set-stage", "Quote Builder", stage, "--on", on]);
    }
    ws.ok(&["value", "measure", "Quote Builder", "units", "2026-03", "4"]);
    ws
}

fn story_figure(ws: &Workspace) -> f64 {
    let stories = ws.json(&["stories", "list"]);
    let realized = &stories[0]["figures"][0]["realized"];
    realized.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_story_is_published_only_after_validation_and_its_figures_follow_the_data() {
    let ws = workspace_with_revenue();
    ws.ok(&[
        "story",
        "add",
        "<script>alert(1)</script> Quotes",
        "--problem",
        "quotes took <b>days</b>",
        "--solution",
        "a quote builder",
    ]);
    let title = "<script>alert(1)</script> Quotes";
    ws.ok(&["story", "link", title, "Quote Builder"]);

    // Draft → published is refused; so is validation by the author.
    let out = ws.cmd(&["story", "publish", title]).assert().failure().get_output().stderr.clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("published only after an analyst validated it"), "{err}");
    // Its author rewrites one part of the draft; the others stay.
    ws.ok(&["story", "edit", title, "--value", "quotes the same day"]);
    let parts = &ws.json(&["stories", "list"])[0]["record"]["parts"];
    assert_eq!(parts["value"], "quotes the same day", "{parts}");
    assert_eq!(parts["solution"], "a quote builder", "{parts}");
    let out = ws
        .cmd(&["story", "edit", title, "--value", "by another"])
        .env("WORTH_ACTOR", "analyst")
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("only its author edits it"));
    ws.ok(&["story", "submit", title]);
    let out = ws.cmd(&["story", "edit", title, "--value", "x"]).assert().failure();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("only a draft"), "{err}");
    let out = ws.cmd(&["story", "validate", title]).assert().failure().get_output().stderr.clone();
    assert!(String::from_utf8(out).unwrap().contains("another analyst must validate it"));
    ws.cmd(&["story", "validate", title]).env("WORTH_ACTOR", "analyst").assert().success();
    ws.ok(&["story", "publish", title]);

    // 4 units × 100 margin realized in March; the figure is computed, not stored.
    let before = story_figure(&ws);
    assert!(before > 0.0, "{before}");
    ws.ok(&["value", "measure", "Quote Builder", "units", "2026-04", "6"]);
    let after = story_figure(&ws);
    // April adds 6 units at the same margin and risk adjustment: 10 / 4 of the March figure.
    assert!(close(after, before * 10.0 / 4.0), "{before} {after}");
    let list = ws.json(&["stories", "list"]);
    assert_eq!(list[0]["status"], "published");
    assert_eq!(list[0]["measurable"], true);
    assert!(list[0]["headline"].as_str().unwrap().contains("Quote Builder realized"));

    // The cards escape every text.
    ws.ok(&["stories", "publish", "--out", "cards"]);
    let files: Vec<_> =
        std::fs::read_dir(ws.path().join("cards")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 2);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("<script>") && !text.contains("<b>days"),
            "{}: {text}",
            path.display()
        );
    }
}

#[test]
fn key_results_show_raw_and_clamped_progress_and_met_for_equal_baseline_and_target() {
    let ws = Workspace::new();
    ws.ok(&["okr", "objective", "Grow", "--period", "FY2027"]);
    ws.ok(&[
        "okr",
        "kr",
        "Grow",
        "users",
        "--direction",
        "increase",
        "--baseline",
        "100",
        "--target",
        "200",
        "--weight",
        "3",
    ]);
    ws.ok(&[
        "okr",
        "kr",
        "Grow",
        "errors",
        "--direction",
        "decrease",
        "--baseline",
        "5",
        "--target",
        "5",
    ]);
    ws.ok(&[
        "okr",
        "check-in",
        "Grow",
        "users",
        "--confidence",
        "7",
        "--value",
        "250",
        "--note",
        "ahead",
    ]);
    ws.ok(&["okr", "check-in", "Grow", "errors", "--confidence", "9", "--value", "4"]);
    let okr = ws.json(&["okr"]);
    let krs = &okr[0]["key_results"];
    // (250 − 100) / (200 − 100) = 1.5 raw, shown 1.
    assert!(close(f(&krs[0]["progress"]["raw"]), 1.5));
    assert!(close(f(&krs[0]["progress"]["shown"]), 1.0));
    // baseline = target = 5, decrease, actual 4: met, no raw value.
    assert_eq!(krs[1]["progress"]["raw"], Value::Null);
    assert_eq!(krs[1]["progress"]["met"], true);
    // (3 × 1 + 1 × 1) / 4 = 1.
    assert!(close(f(&okr[0]["progress"]), 1.0));
    let bad =
        ws.cmd(&["okr", "check-in", "Grow", "users", "--confidence", "11"]).assert().failure();
    let err = String::from_utf8(bad.get_output().stderr.clone()).unwrap();
    assert!(err.contains("from 0 (no chance) to 10"), "{err}");
}

/// Reads a CSV written by the demo into rows of named cells.
fn csv_rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

#[test]
fn every_key_result_of_the_demo_is_computed_from_data_and_matches_a_count_by_hand() {
    let ws = Workspace::empty();
    ws.ok(&["demo", "--dir", "d"]);
    let db = ws.path().join("d/worth.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db];
        all.extend_from_slice(args);
        ws.json(&all)
    };
    let okr = run(&["okr"]);
    let mut by_metric: BTreeMap<String, Value> = BTreeMap::new();
    for o in okr.as_array().unwrap() {
        for k in o["key_results"].as_array().unwrap() {
            assert_eq!(k["source"]["kind"], "metric", "{k}");
            assert!(k["value"].is_number(), "a key result without a value: {k}");
            assert!(k["progress"].is_object(), "{k}");
            by_metric.insert(k["source"]["of"].as_str().unwrap().to_owned(), k.clone());
        }
    }
    assert_eq!(by_metric.len(), 13, "every built-in metric is a key result of the demo");
    let value = |m: &str| f(&by_metric[m]["value"]);

    // Estimate accuracy: accurate ÷ checked in `worth accuracy`.
    let acc = run(&["accuracy"]);
    let checked: Vec<bool> = acc["solutions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["accurate"].as_bool())
        .collect();
    let accurate = checked.iter().filter(|a| **a).count();
    assert!(close(value("estimate-accuracy"), accurate as f64 / checked.len() as f64 * 100.0));

    // Stories: the demo publishes two, a sponsor acknowledges one; three of four link a live
    // solution (the draft's is not live yet).
    assert!(close(value("headline-success"), 50.0));
    assert!(close(value("measurable-stories"), 75.0));

    // Artifacts: ten shared by 2025-12-01; four in 2025-Q3 against one in 2025-Q2.
    let artifacts = run(&["artifact", "list"]);
    assert_eq!(artifacts.as_array().unwrap().len(), 10);
    let in_quarter = |from: &str, to: &str| {
        artifacts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                let d = a["shared_on"].as_str().unwrap();
                d >= from && d < to
            })
            .count() as f64
    };
    assert!(close(value("shared-artifacts"), 10.0));
    let (q3, q2) = (in_quarter("2025-07-01", "2025-10-01"), in_quarter("2025-04-01", "2025-07-01"));
    assert!(close(value("artifact-growth"), (q3 - q2) / q2 * 100.0), "{q3} {q2}");

    // Training: distinct trained people of the license report ÷ people of the license report.
    let exports = ws.path().join("d/exports");
    let licensed: BTreeSet<String> = csv_rows(&exports.join("m365-active-users.csv"))
        .into_iter()
        .map(|r| r["User Principal Name"].to_lowercase())
        .collect();
    let trained: BTreeSet<String> = csv_rows(&exports.join("roi-training.csv"))
        .into_iter()
        .map(|r| r["Employee"].to_lowercase())
        .filter(|u| licensed.contains(u))
        .collect();
    assert!(close(value("training-share"), trained.len() as f64 / licensed.len() as f64 * 100.0));

    // Survey: answers 4 and 5 of the last wave ÷ its answers; change against the first wave.
    let answers = csv_rows(&exports.join("pulse-survey.csv"));
    let share = |wave: &str| {
        let w: Vec<i64> = answers
            .iter()
            .filter(|r| r["Wave"] == wave)
            .map(|r| r["The platform helps my team deliver value (1-5)"].parse().unwrap())
            .collect();
        w.iter().filter(|a| **a >= 4).count() as f64 / w.len() as f64 * 100.0
    };
    assert!(close(value("positive-perception"), share("2025-Q4")));
    assert!(close(value("perception-change"), share("2025-Q4") - share("2025-Q2")));

    // Cost reduction: the realized risk-adjusted cost-reduction value of the last 12 months,
    // as `worth value --by category` sums it.
    let v = run(&["value", "--by", "category", "--from", "2024-12", "--to", "2025-11"]);
    let row = v["rows"].as_array().unwrap().iter().find(|r| r["key"] == "cost-reduction").unwrap();
    let realized: f64 = row["realized_risk_adjusted"].as_str().unwrap().parse().unwrap();
    assert!(close(value("cost-reduction"), realized));

    // The ROI process and critical coverage, from the register and the audit log.
    let solutions = run(&["solution", "list"]);
    let lines = run(&["value", "list"]);
    let with_frozen: BTreeSet<i64> = lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["frozen"].is_object())
        .map(|l| l["solution_id"].as_i64().unwrap())
        .collect();
    let checkins = run(&["audit", "--entity", "value-check-in"]);
    let checked_on: Vec<(i64, String)> = checkins
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["after"]["solution_id"].as_i64().unwrap(),
                e["after"]["checked_on"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let (mut enterprise, mut following, mut critical) = (0, 0, 0);
    for s in solutions.as_array().unwrap() {
        let id = s["id"].as_i64().unwrap();
        let crit = s["criticality"].as_str().unwrap();
        critical += usize::from(crit == "critical");
        let stages = s["lifecycle"].as_array().unwrap();
        let last = stages.last().map(|e| e["stage"].as_str().unwrap());
        if !matches!(crit, "critical" | "important") || last != Some("live") {
            continue;
        }
        enterprise += 1;
        let live = stages
            .iter()
            .filter(|e| e["stage"] == "live")
            .map(|e| e["on"].as_str().unwrap())
            .max()
            .unwrap();
        if with_frozen.contains(&id)
            && checked_on.iter().any(|(sid, on)| *sid == id && on.as_str() >= live)
        {
            following += 1;
        }
    }
    let process = &by_metric["roi-process"];
    assert_eq!(
        (f(&process["numerator"]), f(&process["denominator"])),
        (following as f64, enterprise as f64)
    );
    assert!(close(f(&by_metric["critical-coverage"]["denominator"]), critical as f64));

    // Time to value: the latest quarter of go-live with realized value, as `worth ttv` shows it.
    let ttv = run(&["ttv"]);
    let quarters = ttv.as_array().unwrap();
    let latest =
        quarters.iter().rev().find(|q| q["live_to_value"]["solutions"].as_u64() > Some(0)).unwrap();
    let base = f(&quarters[0]["live_to_value"]["median_days"]);
    let median = f(&latest["live_to_value"]["median_days"]);
    assert!(close(value("median-time-to-value"), median));
    assert!(close(value("time-to-value-change"), (median - base) / base * 100.0));

    // The report shows every key result.
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.path().join("d/report/report.json")).unwrap(),
    )
    .unwrap();
    let shown: BTreeSet<String> = report["program"]["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| {
            o["key_results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["source"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(shown, by_metric.keys().cloned().collect());
    let html = std::fs::read_to_string(ws.path().join("d/report/index.html")).unwrap();
    for k in by_metric.values() {
        assert!(html.contains(k["name"].as_str().unwrap()), "{} is not in index.html", k["name"]);
    }
    assert!(html.contains("Case triage assistant"));
    let md = std::fs::read_to_string(ws.path().join("d/report/headlines.md")).unwrap();
    assert!(
        md.contains("## Objectives and key results") && md.contains("Employees trained in ROI")
    );

    // The pilot: a significant improvement, its interval above zero.
    let pilots = run(&["pilot", "list"]);
    let r = &pilots[0]["result"];
    assert!(f(&r["interval"][0]) > 0.0 && r["significant"] == true, "{r}");
}

#[test]
fn the_govuk_transactions_file_is_a_kpi_series_with_missing_values_kept_missing() {
    let ws = Workspace::new();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/govuk-transactions-services.csv");
    // The mapping shipped with Worth: volume, digital volume and cost per transaction per
    // quarter, completion rate and satisfaction up to 2014-Q4, `-` and the like as missing.
    let mapping = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/mappings/govuk-transactions.json");
    for args in [
        &[
            "kpi",
            "add",
            "volume",
            "--indicator",
            "lagging",
            "--direction",
            "increase",
            "--target",
            "1",
            "--off-track",
            "0",
        ][..],
        &[
            "kpi",
            "add",
            "digital volume",
            "--indicator",
            "leading",
            "--direction",
            "increase",
            "--target",
            "1",
            "--off-track",
            "0",
        ],
        &[
            "kpi",
            "add",
            "completion rate",
            "--indicator",
            "lagging",
            "--direction",
            "increase",
            "--target",
            "90",
            "--off-track",
            "50",
        ],
        &[
            "kpi",
            "add",
            "cost per transaction",
            "--indicator",
            "lagging",
            "--direction",
            "decrease",
            "--unit",
            "GBP",
            "--target",
            "5",
            "--off-track",
            "20",
        ],
        &[
            "kpi",
            "add",
            "digital take-up",
            "--indicator",
            "leading",
            "--direction",
            "increase",
            "--unit",
            "%",
            "--target",
            "90",
            "--off-track",
            "60",
            "--expression",
            "digital_volume / volume * 100",
            "--predicts",
            "cost per transaction",
        ],
    ] {
        ws.ok(args);
    }
    ws.ok(&["import", "mapped", data.to_str().unwrap(), "--mapping", mapping.to_str().unwrap()]);
    let loaded = ws.json(&["kpi", "load"]);
    // Completion rate and satisfaction hold only zeros: missing, not 0%.
    assert_eq!(loaded["zero_filled"], json!(["completion rate", "user satisfaction"]));
    assert_eq!(loaded["unknown_measures"], json!([]));

    let rows = ws.json(&["kpi"]);
    let row = |kpi: &str, subject: &str| -> Value {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["kpi"] == kpi && r["subject"] == subject)
            .unwrap_or_else(|| panic!("no {kpi} for {subject}"))
            .clone()
    };
    assert!(!rows.as_array().unwrap().iter().any(|r| r["kpi"] == "completion rate"));

    // Cells of the file, 2017-Q1 to 2017-Q4, digital vol. ÷ vol. × 100:
    // Student finance 97.11, 97.16, 97.12, 96.88: least-squares change −0.23% → steady.
    let s = "Student finance: applications for full-time study support";
    let t = row("digital take-up", s);
    assert_eq!(t["period"], "2017-Q4");
    assert!((f(&t["value"]) - 96.876_677_614_835_88).abs() < 1e-9, "{t}");
    assert_eq!((t["status"].as_str(), t["trend"].as_str()), (Some("on-track"), Some("steady")));
    // Its cost per transaction: 43.80 (2016-Q3), 45.16, 45.80, 42.13 (2017-Q4; Q2 and Q3 are
    // empty): change −2.96%, improving for a cost; 42.13 is beyond the off-track 20.
    let c = row("cost per transaction", s);
    assert!(close(f(&c["value"]), 42.13));
    assert_eq!((c["status"].as_str(), c["trend"].as_str()), (Some("off-track"), Some("improving")));
    // BeeBase: 77.07, 79.04, 76.38, 97.59 → +21.4%, improving and on track.
    let b = row("digital take-up", "BeeBase: beekeeper registrations");
    assert_eq!((b["status"].as_str(), b["trend"].as_str()), (Some("on-track"), Some("improving")));
    // ARAMS: 71.64, 71.81, 72.44, 73.08 → +2.06%, improving but at risk (between 60 and 90).
    let a =
        row("digital take-up", "Animal Reporting and Movement Service (ARAMS): animal movements");
    assert_eq!((a["status"].as_str(), a["trend"].as_str()), (Some("at-risk"), Some("improving")));
    // A `-` volume is missing: offshore decommissioning liabilities has volumes 8, 8, 5, 5, 3,
    // 2, 2, 0, 0, 0, 0 from 2012-Q4 to 2015-Q2 and `-` in 2016-Q1, so its latest volume is the
    // real 0 of 2015-Q2, out of 11 periods; read as 0, the `-` would make a twelfth.
    let v = row("volume", "Notifications of offshore decommissioning liabilities");
    assert_eq!((v["period"].as_str(), v["periods"].as_u64()), (Some("2015-Q2"), Some(11)), "{v}");
    assert!(close(f(&v["value"]), 0.0));
}

#[test]
fn a_kpi_over_a_metric_keeps_a_snapshot_per_quarter_and_refuses_typed_values() {
    let ws = Workspace::new();
    ws.ok(&[
        "kpi",
        "add",
        "artifacts shared",
        "--indicator",
        "leading",
        "--direction",
        "increase",
        "--target",
        "3",
        "--off-track",
        "1",
        "--metric",
        "shared-artifacts",
    ]);
    for (name, on) in [("ROI template", "2025-01-15"), ("calculator", "2025-02-01")] {
        ws.ok(&["artifact", "add", name, "--kind", "template", "--on", on]);
    }
    // The metric computed now: two artifacts shared up to today, this quarter's value.
    let recorded = ws.json(&["kpi", "snapshot"]);
    assert_eq!(recorded[0]["kpi"], "artifacts shared");
    assert_eq!(recorded[0]["value"], "2");
    let quarter = recorded[0]["period"].as_str().unwrap().to_owned();
    let audit = ws.json(&["audit", "--entity", "kpi-value"]);
    assert_eq!(audit[0]["record"], format!("artifacts shared /  / {quarter}"));
    // Again in the same quarter replaces it: one value per quarter.
    ws.ok(&["artifact", "add", "guide", "--kind", "guide", "--on", "2025-03-01"]);
    assert_eq!(ws.json(&["kpi", "snapshot"])[0]["value"], "3");
    let rows = ws.json(&["kpi"]);
    assert_eq!(rows[0]["periods"], 1);
    assert_eq!(rows[0]["value"].as_f64(), Some(3.0));
    assert_eq!(rows[0]["status"], "on-track");
    // Its values are the metric's, never typed.
    ws.cmd(&["kpi", "record", "artifacts shared", "2025-Q1", "1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("takes its values from the metric shared-artifacts"));
}
