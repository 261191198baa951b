//! `worth chargeback` and `worth licenses` as a user runs them: the real FOCUS sample
//! allocated by its `business_unit` tag, rules refused with a reason, the platform team's cost
//! shared, XLSX statements, and license savings a person can check by hand.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, open_workbook};
use chrono::{Duration, Utc};
use common::Workspace;
use predicates::prelude::*;
use serde_json::Value;

fn focus_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../worth-ingest/tests/data/focus-1.0-sample.csv")
}

fn money(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("money is a string: {v}")).to_owned()
}

fn line<'a>(lines: &'a [Value], reason: &str, category: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["reason"] == reason && l["category"] == category)
        .unwrap_or_else(|| panic!("a line {reason} {category} in {lines:#?}"))
}

#[test]
fn the_focus_sample_allocated_by_its_business_unit_tag_reconciles_in_both_views() {
    let ws = Workspace::new();
    let sample = focus_sample();
    ws.ok(&["import", "costs", sample.to_str().unwrap()]);
    ws.ok(&["chargeback", "rule", "add", "by business unit", "--tag", "business_unit"]);
    let run = ws.json(&["chargeback", "run", "--period", "2024-09"]);

    // Expected figures computed independently from the CSV with Python's csv and decimal
    // modules (sum of BilledCost, of EffectiveCost for non-Purchase rows, per Tags):
    //   BilledCost 20.52022672899 → 20.52; EffectiveCost 14.97651418586 → 14.98;
    //   rows with no tags: usage billed 0.91135030080, the credit −2.61370000000;
    //   tagged rows without business_unit: billed 1.97651418586;
    //   business_unit PeoriaData: billed 15.95809931820, effective 16.00000000000.
    let total = run["targets"].as_array().unwrap();
    let totals = |target: &str| {
        total.iter().find(|t| t["target"] == target).unwrap_or_else(|| panic!("{target}")).clone()
    };
    let recon = run["reconciliation"].as_array().unwrap();
    assert_eq!(recon.len(), 2, "one pool, two views: {recon:#?}");
    for r in recon {
        assert_eq!(r["reconciles"], true, "{r}");
        let want = if r["view"] == "billed" { "20.52" } else { "14.98" };
        assert_eq!(money(&r["source"]), want);
        assert_eq!(money(&r["statements"]), want);
    }
    assert_eq!(money(&totals("PeoriaData")["amortized"]), "16.00");

    let unallocated = ws.json(&["chargeback", "statement", "unallocated"]);
    let lines = unallocated["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    // Each line is its exact sum rounded up or down to the cent (largest remainder).
    assert_eq!(money(&line(lines, "no tags", "usage")["amount"]["amount"]), "0.91");
    assert_eq!(money(&line(lines, "no tags", "credit")["amount"]["amount"]), "-2.61");
    assert_eq!(money(&line(lines, "no tag 'business_unit'", "usage")["amount"]["amount"]), "1.98");

    // The amortized view of the same run totals the file's EffectiveCost.
    let all = ws.json(&["chargeback", "statement", "all", "--view", "amortized"]);
    assert_eq!(money(&all["totals"][0]["amount"]), "14.98");
    let sum: rust_decimal::Decimal = all["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| money(&l["amount"]["amount"]).parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(sum.to_string(), "14.98");
}

#[test]
fn rules_that_cannot_work_are_refused_with_what_to_do() {
    let ws = Workspace::new();
    ws.ok(&["bu", "add", "Finance"]);
    ws.cmd(&["chargeback", "rule", "add", "split", "--fixed", "Finance=60", "--fixed", "Ops=30"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fixed shares sum to 90%, not 100%"));
    ws.cmd(&["chargeback", "rule", "add", "x", "--even", "--pool", "clouds"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a pool: use one of cloud"));
    ws.cmd(&["chargeback", "rule", "add", "x", "--even", "--tag", "bu"]).assert().code(2);
    ws.cmd(&["chargeback", "run", "--period", "2026-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing to allocate in 2026-01"));
    ws.cmd(&["chargeback", "statement", "Finance"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("worth chargeback run --period"));
}

#[test]
fn the_platform_team_cost_is_shared_and_the_statement_is_a_workbook() {
    let ws = Workspace::new();
    for bu in ["Finance", "Sales", "Ops"] {
        ws.ok(&["bu", "add", bu]);
    }
    ws.ok(&["chargeback", "platform-cost", "set", "CoE salaries", "1000.00", "--month", "2026-03"]);
    ws.ok(&["chargeback", "platform-cost", "set", "tooling", "0.01", "--month", "2026-03"]);
    ws.ok(&[
        "chargeback",
        "rule",
        "add",
        "team",
        "--fixed",
        "Finance=50",
        "--fixed",
        "Sales=30",
        "--fixed",
        "Ops=20",
        "--pool",
        "platform-team",
    ]);
    ws.json(&["chargeback", "run", "--period", "2026-03"]);
    // 1000.01 × 50% = 500.005, × 30% = 300.003, × 20% = 200.002: floors 500.00, 300.00,
    // 200.00 leave one cent, which goes to the largest remainder, Finance's .005.
    let csv = ws.ok(&["chargeback", "statement", "all", "--format", "csv"]);
    assert!(csv.contains("Finance,,platform-team,team,usage,,50,50%,2,USD,500.01,"), "{csv}");
    assert!(csv.contains("Sales,,platform-team,team,usage,,30,30%,2,USD,300.00,"), "{csv}");
    assert!(csv.contains("Ops,,platform-team,team,usage,,20,20%,2,USD,200.00,"), "{csv}");
    assert!(csv.contains("total,,,,,,,,,USD,1000.01,"), "{csv}");

    let out = ws.path().join("finance.xlsx");
    ws.ok(&["chargeback", "statement", "finance", "--xlsx", out.to_str().unwrap()]);
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let sheet = book.worksheet_range("Statement").unwrap();
    assert_eq!(sheet.get_value((0, 10)).unwrap().to_string(), "amount");
    assert_eq!(sheet.get_value((1, 0)).unwrap().to_string(), "Finance");
    assert_eq!(sheet.get_value((1, 10)).unwrap(), &calamine::Data::Float(500.01));

    // Unit economics: Finance's 500.01 over its 3 solutions is 166.67 (500.01 ÷ 3 = 166.67
    // exactly); no usage was imported, so there is no cost per active user or run.
    for name in ["Invoices", "Expenses", "Budgets"] {
        ws.ok(&[
            "solution",
            "add",
            name,
            "--bu",
            "Finance",
            "--kind",
            "canvas-app",
            "--on",
            "2026-01-10",
        ]);
    }
    let units = ws.json(&["chargeback", "units"]);
    let finance = units.as_array().unwrap().iter().find(|u| u["target"] == "Finance").unwrap();
    assert_eq!(money(&finance["per_solution"]["amount"]), "166.67");
    assert_eq!(finance["per_active_user"], Value::Null);
    let sales = units.as_array().unwrap().iter().find(|u| u["target"] == "Sales").unwrap();
    assert_eq!(sales["per_solution"], Value::Null, "no solution, no ratio");

    // The audit log names every change.
    let audit = ws.json(&["audit", "--entity", "chargeback-run"]);
    assert_eq!(audit[0]["after"]["billed"][0]["amount"], "1000.01");
}

#[test]
fn solutions_are_targets_and_a_statement_converts_to_the_workspace_currency_to_the_cent() {
    let ws = Workspace::new();
    for bu in ["Finance", "Sales"] {
        ws.ok(&["bu", "add", bu]);
    }
    for (name, bu) in [("Invoices", "Finance"), ("Quotes", "Sales"), ("Leads", "Sales")] {
        ws.ok(&["solution", "add", name, "--bu", bu, "--kind", "canvas-app", "--on", "2026-01-10"]);
    }
    ws.ok(&["chargeback", "platform-cost", "set", "CoE", "10.00", "--month", "2026-03"]);
    ws.ok(&[
        "chargeback",
        "platform-cost",
        "set",
        "tooling",
        "1.00",
        "--month",
        "2026-03",
        "--currency",
        "EUR",
    ]);
    ws.ok(&["chargeback", "rule", "add", "apps", "--level", "solution", "--even"]);
    let rules = ws.ok(&["chargeback", "rule", "list"]);
    assert!(rules.contains("to solutions, even over every solution"), "{rules}");
    ws.ok(&["chargeback", "run", "--period", "2026-03"]);

    // 10.00 USD evenly over three solutions: 3.333… each; the cent left goes to the first by
    // business unit and name (Finance / Invoices). 1.00 EUR: 0.34, 0.33, 0.33.
    let all = ws.json(&["chargeback", "statement", "all"]);
    let lines = all["lines"].as_array().unwrap();
    let amount = |solution: &str, currency: &str| {
        let l = lines
            .iter()
            .find(|l| l["solution"] == solution && l["amount"]["currency"] == currency)
            .unwrap_or_else(|| panic!("{solution} {currency} in {lines:#?}"));
        (l["target"].as_str().unwrap().to_owned(), money(&l["amount"]["amount"]))
    };
    assert_eq!(amount("Invoices", "USD"), ("Finance".into(), "3.34".into()));
    assert_eq!(amount("Quotes", "USD"), ("Sales".into(), "3.33".into()));
    assert_eq!(amount("Leads", "USD"), ("Sales".into(), "3.33".into()));
    assert_eq!(amount("Invoices", "EUR").1, "0.34");
    // The business unit's statement holds its solutions' lines.
    let sales = ws.json(&["chargeback", "statement", "sales"]);
    assert_eq!(sales["lines"].as_array().unwrap().len(), 4);
    assert_eq!(money(&sales["totals"][1]["amount"]), "6.66", "{sales}");

    // Without a rate for EUR on or before the period's last day, conversion is refused.
    ws.cmd(&["chargeback", "statement", "all", "--convert"]).assert().code(1).stderr(
        predicate::str::contains("no exchange rate from EUR to USD on or before 2026-03-31"),
    );
    ws.ok(&["fx", "add", "EUR", "USD", "1.1", "--on", "2026-03-01"]);
    ws.ok(&["fx", "add", "EUR", "USD", "2", "--on", "2026-04-01"]);
    let converted = ws.json(&["chargeback", "statement", "all", "--convert"]);
    // In USD at March's 1.1 (April's rate comes after the period): 0.374 + 0.363 + 0.363 =
    // 1.10 exactly, and 10.00; rounding each line would give 0.37 + 0.36 + 0.36 = 1.09, so the
    // cent goes to the largest remainder (Invoices' .004): 0.38, and the lines sum to 11.10.
    let c = &converted["converted"];
    assert_eq!(money(&c["total"]["amount"]), "11.10");
    let amounts: Vec<rust_decimal::Decimal> = c["amounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| money(&a["amount"]).parse().unwrap())
        .collect();
    assert_eq!(amounts.iter().sum::<rust_decimal::Decimal>().to_string(), "11.10");
    let lines = converted["lines"].as_array().unwrap();
    let i = lines
        .iter()
        .position(|l| l["solution"] == "Invoices" && l["amount"]["currency"] == "EUR")
        .unwrap();
    assert_eq!(amounts[i].to_string(), "0.38");
    let csv = ws.ok(&["chargeback", "statement", "all", "--convert", "--format", "csv"]);
    assert!(csv.contains("total converted,,,,,,,,,USD,11.10,,11.10"), "{csv}");
}

#[test]
fn licenses_lists_savings_with_the_rule_and_figures_behind_each() {
    let ws = Workspace::new();
    ws.ok(&["chargeback", "price", "defaults"]);
    let today = Utc::now().date_naive();
    let idle = today - Duration::days(200);
    let recent = today - Duration::days(3);
    let report = format!(
        "Report Refresh Date,User Principal Name,Display Name,Last Activity Date,Assigned Products\n\
         {today},idle@example.com,Idle,{idle},POWER APPS PER USER PLAN\n\
         {today},two@example.com,Two,{recent},POWER APPS PER USER PLAN\n\
         {today},many@example.com,Many,{recent},POWER APPS PER USER PLAN\n\
         {today},office@example.com,Office,{recent},MICROSOFT 365 E3\n"
    );
    std::fs::write(ws.path().join("m365.csv"), report).unwrap();
    let mut usage = String::from("AppId,environmentId,ObjectID,SessionId,timeaccessed\n");
    let apps = ["a1", "a2", "a3", "a4", "a5"];
    for (i, app) in apps.iter().enumerate() {
        usage.push_str(&format!("{app},env,many@example.com,s{i},2026-10-0{}T09:00:00Z\n", i + 1));
    }
    usage.push_str("a1,env,two@example.com,t1,2026-10-02T10:00:00Z\n");
    usage.push_str("a2,env,two@example.com,t2,2026-10-03T10:00:00Z\n");
    std::fs::write(ws.path().join("usage.csv"), usage).unwrap();
    ws.ok(&["import", "licenses", "m365.csv"]);
    ws.ok(&["import", "usage", "usage.csv"]);

    let got = ws.json(&["licenses", "--month", "2026-10"]);
    let recs = got["recommendations"].as_array().unwrap();
    // idle: 200 days without activity > 90: remove, saves the per user plan's USD 20.
    // two: 2 apps × USD 5 per app = 10 < 20 (pay-as-you-go 2 × 10 = 20): saves 10.
    // many: 5 apps × 5 = 25 and 5 × 10 = 50, both above 20: nothing. Total 30 a month.
    assert_eq!(recs.len(), 2, "{recs:#?}");
    assert_eq!(recs[0]["action"], "remove");
    assert_eq!(money(&recs[0]["saving"]["amount"]), "20");
    assert!(recs[0]["rule"].as_str().unwrap().contains("unused for 90 days or more"));
    assert_eq!(recs[1]["action"], "switch-to-per-app");
    assert_eq!(money(&recs[1]["saving"]["amount"]), "10");
    assert!(recs[1]["rule"].as_str().unwrap().contains("2 distinct app(s) in 2026-10 × 5 USD"));
    assert_eq!(money(&got["saving_per_month"][0]["amount"]), "30");
    assert_eq!(got["unpriced"][0][0], "MICROSOFT 365 E3");
    // No personal identifier is printed: users appear by pseudonym only.
    assert!(!serde_json::to_string(&got).unwrap().contains("example.com"));

    // With 365 days the idle user is no longer unused, but used no app in 2026-10, so needs
    // no plan at all: the same 20 is saved, by the cheaper-plan rule.
    ws.cmd(&["licenses", "--set-unused-days", "365"]).assert().success();
    let longer = ws.json(&["licenses", "--month", "2026-10"]);
    assert_eq!(longer["unused_days"], 365);
    let first = &longer["recommendations"][0];
    assert_eq!(first["action"], "remove");
    assert!(first["rule"].as_str().unwrap().contains("no app used in 2026-10"), "{first}");
    assert_eq!(money(&longer["saving_per_month"][0]["amount"]), "30");
}

#[test]
fn a_charge_across_midnight_at_a_month_end_is_charged_to_both_months_by_time() {
    let ws = Workspace::new();
    // 23:00 on 30 September to 02:00 on 1 October UTC: a third of 9.00 in September.
    let file = "BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,BillingPeriodStart,\
BillingPeriodEnd,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ServiceName,ProviderName,Tags\n\
9.00,9.00,acct,USD,2024-09-01,2024-10-01,Usage,2024-09-30 23:00:00,2024-10-01 02:00:00,VM,\
Contoso,\"{\"\"business_unit\"\": \"\"Sales\"\"}\"\n";
    std::fs::write(ws.path().join("midnight.csv"), file).unwrap();
    ws.ok(&["import", "costs", "midnight.csv"]);
    ws.ok(&["chargeback", "rule", "add", "bu", "--tag", "BusinessUnit"]);
    let sept = ws.json(&["chargeback", "run", "--period", "2024-09"]);
    let oct = ws.json(&["chargeback", "run", "--period", "2024-10"]);
    assert_eq!(money(&sept["targets"][0]["billed"]), "3.00");
    assert_eq!(money(&oct["targets"][0]["billed"]), "6.00");
    assert_eq!(sept["targets"][0]["target"], "Sales");
}
