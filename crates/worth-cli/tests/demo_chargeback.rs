//! The demo tenant's chargeback and license strategy, checked against the demo's own export
//! files: the statements reconcile to the imported invoice and to the other pools' sources to
//! the cent, and every license saving can be recomputed from the license and usage reports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;

fn worth(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("worth")
        .unwrap()
        .current_dir(dir)
        .env_remove("WORTH_DB")
        .env_remove("WORTH_KEY_FILE")
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("a decimal string: {v}")).parse().unwrap()
}

#[test]
fn the_demo_statements_reconcile_and_its_license_savings_can_be_checked_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    worth(dir.path(), &["demo"]);
    let db = dir.path().join("worth-demo/worth.db");
    let db = db.to_str().unwrap();

    // Pool totals worked out from the demo's inputs, independently of the run:
    // - cloud: the FOCUS sample's BilledCost 20.52022672899 → 20.52 and EffectiveCost
    //   14.97651418586 → 14.98 (Python csv + decimal over the file);
    // - platform team: 42,000.00 + 3,500.00 = 45,500.00 as the demo enters them;
    // - meters: 1,250 runs × 0.60 + 3.5 GB × 48 + 40 user-apps × 10 = 750 + 168 + 400 = 1,318.00;
    // - licenses: the license report's priced products at their list prices (below).
    let report =
        std::fs::read_to_string(dir.path().join("worth-demo/exports/m365-active-users.csv"))
            .unwrap();
    let price = |p: &str| match p {
        "POWER APPS PER USER PLAN" => Some(Decimal::from(20)),
        "POWER APPS PER APP PLAN" => Some(Decimal::from(5)),
        "POWER AUTOMATE PREMIUM" => Some(Decimal::from(15)),
        _ => None,
    };
    let mut holders: Vec<(String, NaiveDate, Vec<String>)> = Vec::new();
    for row in report.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        let products = cells[8].split('+').map(str::to_owned).collect();
        holders.push((cells[1].to_owned(), cells[7].parse().unwrap(), products));
    }
    let licenses: Decimal = holders.iter().flat_map(|h| h.2.iter()).filter_map(|p| price(p)).sum();
    let expected: BTreeMap<&str, (Decimal, Decimal)> = [
        ("cloud", (Decimal::new(2052, 2), Decimal::new(1498, 2))),
        ("platform-team", (Decimal::new(4_550_000, 2), Decimal::new(4_550_000, 2))),
        ("pay-as-you-go", (Decimal::new(131_800, 2), Decimal::new(131_800, 2))),
        ("licenses", (licenses, licenses)),
    ]
    .into();

    for (view, pick) in [("billed", 0), ("amortized", 1)] {
        let st = worth(dir.path(), &["--db", db, "chargeback", "statement", "all", "--view", view]);
        assert_eq!(st["period"], "2024-09");
        let mut by_pool: BTreeMap<String, Decimal> = BTreeMap::new();
        for l in st["lines"].as_array().unwrap() {
            *by_pool.entry(l["pool"].as_str().unwrap().to_owned()).or_default() +=
                dec(&l["amount"]["amount"]);
        }
        for (pool, want) in &expected {
            let want = if pick == 0 { want.0 } else { want.1 };
            assert_eq!(by_pool[*pool], want, "{view} {pool}");
        }
        let grand: Decimal = expected.values().map(|w| if pick == 0 { w.0 } else { w.1 }).sum();
        assert_eq!(dec(&st["totals"][0]["amount"]), grand, "{view}");
    }

    // License savings, recomputed from the two reports. The workspace is evaluated as of
    // 2025-12-01; unused means no activity for 90 days (before 2025-09-02); app use is that of
    // 2025-11, the latest month of the usage export.
    let as_of: NaiveDate = "2025-12-01".parse().unwrap();
    let cutoff = as_of - Duration::days(90);
    let usage = std::fs::read_to_string(dir.path().join("worth-demo/exports/Usage.csv")).unwrap();
    let mut apps: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in usage.lines().skip(1) {
        let cells: Vec<&str> = row.splitn(7, ',').collect();
        if cells[5].starts_with("2025-11") {
            apps.entry(cells[3]).or_default().insert(cells[0]);
        }
    }
    let mut want: Vec<(String, Decimal)> = Vec::new();
    for (upn, last, products) in &holders {
        for p in products {
            let Some(cost) = price(p) else { continue };
            if *last < cutoff {
                want.push(("remove".into(), cost));
            } else if p == "POWER APPS PER USER PLAN" {
                let k = Decimal::from(apps.get(upn.as_str()).map_or(0, BTreeSet::len));
                if k.is_zero() {
                    want.push(("remove".into(), cost));
                } else if k * Decimal::from(5) < cost {
                    want.push(("switch-to-per-app".into(), cost - k * Decimal::from(5)));
                }
            }
        }
    }
    want.sort();
    let got = worth(dir.path(), &["--db", db, "licenses"]);
    assert_eq!(got["month"], "2025-11");
    let mut found: Vec<(String, Decimal)> = got["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(
                dec(&r["current"]["amount"]) - dec(&r["proposed"]["amount"]),
                dec(&r["saving"]["amount"])
            );
            (r["action"].as_str().unwrap().to_owned(), dec(&r["saving"]["amount"]))
        })
        .collect();
    found.sort();
    assert!(!want.is_empty(), "the demo has licenses to save on");
    assert_eq!(found, want);
    let total: Decimal = want.iter().map(|w| w.1).sum();
    assert_eq!(dec(&got["saving_per_month"][0]["amount"]), total);
}
