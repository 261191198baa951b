//! The value engine on data imported by the importers, as a user runs it: flow runs imported
//! from a run history file give the realized value, only successful runs count, a developer
//! environment counts nothing, and `worth roi --by bu` agrees with `worth explain` to the cent.

use std::fmt::Write as _;

mod common;

use common::Workspace;

/// Runs in March to May 2025: per flow and month, how many of each status.
fn runs_file() -> String {
    let mut csv = String::from("FlowId,RunId,StartTime,EndTime,Status\n");
    let mut n = 0;
    for (flow, month, succeeded, failed, cancelled) in [
        ("flow-a", "2025-03", 30, 4, 2),
        ("flow-a", "2025-04", 45, 1, 0),
        ("flow-a", "2025-05", 50, 0, 3),
        ("flow-b", "2025-03", 500, 0, 0),
    ] {
        let mut line = |status: &str| {
            n += 1;
            let day = 1 + n % 27;
            let _ = writeln!(
                csv,
                "{flow},run-{n},{month}-{day:02}T08:00:00Z,{month}-{day:02}T08:01:30Z,{status}"
            );
        };
        (0..succeeded).for_each(|_| line("Succeeded"));
        (0..failed).for_each(|_| line("Failed"));
        (0..cancelled).for_each(|_| line("Cancelled"));
    }
    csv.push_str("flow-a,run-p1,2025-05-30T08:00:00Z,,Running\n");
    csv.push_str("flow-a,run-p2,2025-05-30T09:00:00Z,,Pending\n");
    csv
}

fn workspace() -> Workspace {
    let dir = Workspace::new();
    for args in [
        &["bu", "add", "Finance"][..],
        &["bu", "add", "IT"],
        &[
            "solution",
            "add",
            "Invoice routing",
            "--bu",
            "Finance",
            "--kind",
            "cloud-flow",
            "--environment",
            "Finance Prod",
            "--env-type",
            "production",
            "--external-id",
            "powerautomate:flow-a",
            "--on",
            "2025-01-10",
        ],
        &[
            "solution",
            "add",
            "Routing test",
            "--bu",
            "IT",
            "--kind",
            "cloud-flow",
            "--environment",
            "IT Dev",
            "--env-type",
            "developer",
            "--external-id",
            "powerautomate:flow-b",
            "--on",
            "2025-01-10",
        ],
        &[
            "rate",
            "add",
            "--role",
            "clerk",
            "--hourly",
            "60",
            "--currency",
            "USD",
            "--from",
            "2024-01-01",
        ],
    ] {
        dir.ok(args);
    }
    for s in ["Invoice routing", "Routing test"] {
        dir.ok(&[
            "value",
            "add",
            s,
            "--name",
            "routing time",
            "--category",
            "time-savings",
            "--model",
            "time-saved-per-use",
            "--param",
            "minutes_per_use=6",
            "--param",
            "role=clerk",
            "--param",
            "estimated_uses=40/month",
            "--start",
            "2025-03-01",
            "--evidence",
            "system-data",
        ]);
        dir.ok(&[
            "cost",
            "add",
            s,
            "--kind",
            "one-time",
            "--item",
            "build",
            "--amount",
            "1500",
            "--start",
            "2025-02-01",
        ]);
        dir.ok(&["solution", "set-stage", s, "approved", "--on", "2025-02-01"]);
        dir.ok(&["solution", "set-stage", s, "live", "--on", "2025-03-01"]);
    }
    std::fs::write(dir.path().join("runs.csv"), runs_file()).unwrap();
    dir.ok(&["import", "runs", "runs.csv"]);
    dir
}

#[test]
fn imported_runs_give_realized_value_counting_only_successes_in_counted_environments() {
    let dir = workspace();
    let value = dir.json(&["value", "--by", "solution", "--from", "2025-03", "--to", "2025-05"]);
    let rows = value["rows"].as_array().unwrap();
    let routing = rows.iter().find(|r| r["key"] == "Finance / Invoice routing").unwrap();
    // (30 + 45 + 50) successful runs × 6 min ÷ 60 × 60 USD = 750.00; failed, cancelled,
    // running and pending runs add nothing.
    assert_eq!(routing["realized"], "750.00");
    // The system-data risk adjustment of guideline v1 is 5%.
    assert_eq!(routing["realized_risk_adjusted"], "712.50");
    let test = rows.iter().find(|r| r["key"] == "IT / Routing test").unwrap();
    assert_eq!(test["realized"], "0.00", "a developer environment counts nothing");
    let text = dir.ok(&["explain", "solution", "Routing test"]);
    assert!(text.contains("not counted: environment type developer"), "{text}");
}

#[test]
fn roi_by_business_unit_and_explain_agree_to_the_cent() {
    let dir = workspace();
    let by_bu = dir.json(&["roi", "--by", "bu"]);
    for (bu, solution) in [("Finance", "Invoice routing"), ("IT", "Routing test")] {
        let row = by_bu["rows"].as_array().unwrap().iter().find(|r| r["key"] == bu).unwrap();
        let explained = dir.json(&["explain", "solution", solution]);
        for figure in ["npv", "pv_benefits", "pv_costs", "roi_percent", "value_to_date"] {
            assert_eq!(explained["figures"][figure], row[figure], "{bu} {figure}");
        }
        let npv = row["npv"].as_str().unwrap();
        assert_eq!(explained["explain"]["value"], format!("{npv} USD").as_str());
        let text = dir.ok(&["explain", "solution", solution]);
        assert!(text.starts_with(&format!("NPV: {npv} USD")), "{text}");
    }
    for (args, key) in [
        (&["explain", "bu", "finance"][..], "Finance"),
        (&["explain", "portfolio"][..], "portfolio"),
    ] {
        let explained = dir.json(args);
        let rows = if key == "portfolio" { dir.json(&["roi"]) } else { by_bu.clone() };
        let row = rows["rows"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap();
        for figure in ["npv", "pv_benefits", "pv_costs", "roi_percent"] {
            assert_eq!(explained["figures"][figure], row[figure], "{key} {figure}");
        }
    }
    let finance_text = dir.ok(&["explain", "solution", "Invoice routing"]);
    assert!(
        finance_text.contains("uses counted: 30  [successful runs of powerautomate:flow-a"),
        "{finance_text}"
    );
}

#[test]
fn cost_per_hour_saved_divides_the_allocated_cost_by_the_engines_hours() {
    let dir = workspace();
    dir.ok(&["chargeback", "platform-cost", "set", "CoE", "90.00", "--month", "2025-04"]);
    dir.ok(&["chargeback", "rule", "add", "all to finance", "--fixed", "Finance=100"]);
    dir.ok(&["chargeback", "run", "--period", "2025-04"]);
    let units = dir.json(&["chargeback", "units", "--period", "2025-04"]);
    let finance = units.as_array().unwrap().iter().find(|u| u["target"] == "Finance").unwrap();
    // April: 45 successful runs × 6 min ÷ 60 = 4.5 hours saved (attribution 100%);
    // 90.00 ÷ 4.5 = 20.00 per hour saved, and 90.00 ÷ 45 runs = 2.00 per run.
    assert_eq!(finance["hours_saved"], "4.5");
    assert_eq!(finance["per_hour_saved"]["amount"], "20.00");
    assert_eq!(finance["per_successful_run"]["amount"], "2.00");
}
