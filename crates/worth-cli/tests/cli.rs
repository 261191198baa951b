//! The `worth` binary as a user runs it: each register command, and each bad input the
//! register refuses with a clear message, exit code 1 and nothing written.

use predicates::prelude::*;
use rstest::rstest;
use serde_json::Value;

mod common;

use common::Workspace;

impl Workspace {
    fn audit_len(&self) -> usize {
        self.json(&["audit"]).as_array().unwrap().len()
    }

    /// A workspace with two units, a solution and a rate.
    fn registered() -> Self {
        let ws = Self::new();
        ws.ok(&["bu", "add", "Finance"]);
        ws.ok(&["bu", "add", "Accounts Payable", "--parent", "Finance"]);
        ws.ok(&[
            "solution",
            "add",
            "Invoice Approvals",
            "--bu",
            "Accounts Payable",
            "--kind",
            "canvas-app",
            "--owner",
            "Ada",
            "--environment",
            "Fin Prod",
            "--env-type",
            "production",
            "--external-id",
            "powerapps:1111",
            "--on",
            "2025-01-10",
        ]);
        ws.ok(&[
            "rate",
            "add",
            "--role",
            "analyst",
            "--hourly",
            "55",
            "--currency",
            "USD",
            "--from",
            "2025-01-01",
        ]);
        ws
    }
}

#[test]
fn init_creates_the_store_the_key_and_guideline_version_1() {
    let ws = Workspace::new();
    assert!(ws.dir.path().join("worth.db").exists());
    let key = std::fs::read_to_string(ws.dir.path().join("worth.key")).unwrap();
    assert_eq!(key.trim().len(), 64);
    let again = ws.json(&["init"]);
    assert_eq!(again["created"], false);
    assert_eq!(again["guideline_version"], 1);
    assert_eq!(ws.json(&["guideline", "show"])["settings"]["discount_rate"], 0.1);
}

#[test]
fn init_refuses_a_key_file_of_another_workspace() {
    let ws = Workspace::new();
    std::fs::write(ws.dir.path().join("other.key"), "ab".repeat(32)).unwrap();
    ws.cmd(&["init", "--key-file", "other.key"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not belong to this workspace"));
}

#[test]
fn commands_before_init_say_to_run_init_and_create_nothing() {
    let ws = Workspace::empty();
    ws.cmd(&["solution", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("run `worth init` first"));
    assert!(!ws.path().join("worth.db").exists());
}

#[test]
fn solution_add_then_audit_shows_the_change_with_before_and_after() {
    let ws = Workspace::registered();
    ws.ok(&["solution", "set-stage", "Invoice Approvals", "approved", "--on", "2025-02-01"]);
    let audit = ws.json(&["audit", "--entity", "solution"]);
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let created = &entries[0];
    assert_eq!(created["action"], "create");
    assert_eq!(created["actor"], "tester");
    assert_eq!(created["record"], "Accounts Payable / Invoice Approvals");
    assert_eq!(created["before"], Value::Null);
    assert_eq!(created["after"]["name"], "Invoice Approvals");
    assert_eq!(created["after"]["external_ids"][0]["id"], "1111");
    let moved = &entries[1];
    assert_eq!(moved["action"], "update");
    assert_eq!(moved["before"]["lifecycle"].as_array().unwrap().len(), 1);
    assert_eq!(moved["after"]["lifecycle"][1]["stage"], "approved");
    assert_eq!(moved["after"]["lifecycle"][1]["on"], "2025-02-01");
}

#[test]
fn solution_set_moves_a_solution_and_audits_the_change() {
    let ws = Workspace::registered();
    let moved = ws.json(&[
        "solution",
        "set",
        "Invoice Approvals",
        "--business-unit",
        "finance",
        "--criticality",
        "critical",
        "--owner",
        "Grace",
    ]);
    assert_eq!(moved["business_unit"], "Finance");
    assert_eq!(moved["criticality"], "critical");
    assert_eq!(moved["owner"], "Grace");
    let audit = ws.json(&["audit", "--entity", "solution", "--limit", "1"]);
    assert_eq!(audit[0]["before"]["business_unit"], "Accounts Payable");
    assert_eq!(audit[0]["after"]["business_unit"], "Finance");
    ws.cmd(&["solution", "set", "Invoice Approvals", "--criticality", "critical"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing changes"));
}

#[test]
fn csv_output_defuses_spreadsheet_formulas() {
    let ws = Workspace::new();
    ws.ok(&["bu", "add", "=HYPERLINK(\"http://x\",\"y\")"]);
    let csv = ws.ok(&["bu", "list", "--format", "csv"]);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
}

#[test]
fn lists_come_as_tables_json_and_csv() {
    let ws = Workspace::registered();
    let table = ws.ok(&["solution", "list"]);
    assert!(table.contains("Invoice Approvals") && table.contains("canvas-app"), "{table}");
    let csv = ws.ok(&["solution", "list", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("name,business unit,kind,stage,since,criticality,owner,environment")
    );
    assert_eq!(
        lines.next(),
        Some(
            "Invoice Approvals,Accounts Payable,canvas-app,idea,2025-01-10,standard,Ada,Fin Prod (production)"
        )
    );
    let units = ws.json(&["bu", "list"]);
    assert_eq!(units[0]["name"], "Accounts Payable");
    assert_eq!(units[0]["parent"], "Finance");
    let show = ws.json(&["solution", "show", "invoice approvals"]);
    assert_eq!(show["environment"]["env_type"], "production");
    let rates = ws.json(&["rate", "list"]);
    assert_eq!(rates[0]["hourly"]["amount"], "55");
    assert_eq!(rates[0]["hourly"]["currency"], "USD");
}

#[test]
fn guideline_set_publishes_a_version_and_keeps_the_old_one() {
    let ws = Workspace::new();
    let v2 = ws.json(&[
        "guideline",
        "set",
        "discount_rate=8%",
        "risk.assumption=0.4",
        "--note",
        "treasury",
    ]);
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["settings"]["discount_rate"], 0.08);
    assert_eq!(v2["settings"]["risk_adjustment"]["assumption"], 0.4);
    assert_eq!(ws.json(&["guideline", "show", "--version", "1"])["settings"]["discount_rate"], 0.1);
    assert_eq!(ws.json(&["guideline", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn fx_rates_are_dated_and_listed() {
    let ws = Workspace::new();
    ws.ok(&["fx", "add", "EUR", "USD", "1.08", "--on", "2026-01-31"]);
    let list = ws.json(&["fx", "list"]);
    assert_eq!(list[0]["base"], "EUR");
    assert_eq!(list[0]["rate"], "1.08");
    assert_eq!(list[0]["on"], "2026-01-31");
}

#[rstest]
#[case::unknown_business_unit(
    &["solution", "add", "X", "--bu", "Acounts Payable", "--kind", "cloud-flow"],
    "unknown business unit 'Acounts Payable' (did you mean 'Accounts Payable'?)"
)]
#[case::unknown_solution(
    &["solution", "set-stage", "Invoice Aprovals", "live"],
    "unknown solution 'Invoice Aprovals' (did you mean 'Invoice Approvals'?)"
)]
#[case::unknown_parent(
    &["bu", "add", "Tax", "--parent", "Finanse"],
    "unknown business unit 'Finanse' (did you mean 'Finance'?)"
)]
#[case::duplicate_solution(
    &["solution", "add", "invoice approvals", "--bu", "Accounts Payable", "--kind", "agent"],
    "solution 'Invoice Approvals' already exists in business unit 'Accounts Payable'"
)]
#[case::duplicate_business_unit(&["bu", "add", "FINANCE"], "business unit 'Finance' already exists")]
#[case::invalid_currency(
    &["rate", "add", "--role", "dev", "--hourly", "80", "--currency", "USX", "--from", "2025-01-01"],
    "'USX' is not an ISO 4217 currency code"
)]
#[case::negative_rate(
    &["rate", "add", "--role", "dev", "--hourly", "-80", "--currency", "USD", "--from", "2025-01-01"],
    "-80 must be a positive amount per hour"
)]
#[case::future_lifecycle_date(
    &["solution", "set-stage", "Invoice Approvals", "live", "--on", "2999-01-01"],
    "2999-01-01 is in the future"
)]
#[case::future_registration_date(
    &["solution", "add", "Y", "--bu", "Finance", "--kind", "agent", "--on", "2999-01-01"],
    "2999-01-01 is in the future"
)]
#[case::discount_rate_of_150_percent(
    &["guideline", "set", "discount_rate=150%"],
    "discount_rate: 150% is out of range: use a value from 0% to 100%"
)]
#[case::unknown_guideline_key(
    &["guideline", "set", "discount=0.1"],
    "did you mean discount_rate?"
)]
#[case::guideline_key_given_twice(
    &["guideline", "set", "discount_rate=8%", "discount_rate=9%"],
    "discount_rate is given twice"
)]
#[case::control_character_in_a_note(
    &["guideline", "set", "discount_rate=8%", "--note", "a\u{1}b"],
    "note: must not contain control characters"
)]
#[case::invalid_fx_currency(&["fx", "add", "EUR", "EURO", "1.1", "--on", "2026-01-01"], "'EURO' is not")]
fn bad_input_fails_with_a_clear_message_and_writes_nothing(
    #[case] args: &[&str],
    #[case] message: &str,
) {
    let ws = Workspace::registered();
    let before = ws.audit_len();
    ws.cmd(args)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(message));
    assert_eq!(ws.audit_len(), before, "a refused command wrote to the store");
}

#[rstest]
#[case::unknown_kind(&["solution", "add", "X", "--bu", "Finance", "--kind", "flow"], "is not one of")]
#[case::bad_date(&["solution", "set-stage", "Invoice Approvals", "live", "--on", "01/02/2025"], "YYYY-MM-DD")]
#[case::unknown_command(&["solutions"], "unrecognized subcommand")]
#[case::bad_format(&["bu", "list", "--format", "xml"], "invalid value")]
#[case::two_digit_year(
    &["solution", "add", "Y", "--bu", "Finance", "--kind", "agent", "--on", "24-01-01"],
    "YYYY-MM-DD"
)]
fn usage_errors_exit_with_2(#[case] args: &[&str], #[case] message: &str) {
    let ws = Workspace::registered();
    ws.cmd(args).assert().code(2).stderr(predicate::str::contains(message));
}

#[test]
fn users_are_added_changed_disabled_and_enabled_from_the_command_line() {
    let ws = Workspace::new();
    ws.ok(&["bu", "add", "Finance"]);
    ws.ok(&["bu", "add", "Sales"]);
    let add = |args: &[&str]| {
        let mut all = vec!["user", "add"];
        all.extend(args);
        all.push("--password-stdin");
        ws.cmd(&all).write_stdin("long enough secret\n").assert()
    };
    add(&["root", "--admin"]).success();
    add(&["olga", "--role", "owner", "--bu", "Finance"]).success();
    // An owner needs a unit; a password is never an argument.
    add(&["nobody", "--role", "owner"])
        .failure()
        .stderr(predicate::str::contains("name at least one"));
    ws.cmd(&["user", "add", "x", "--role", "analyst", "--password", "p"]).assert().failure();

    let olga = |users: &Value| -> Value {
        users.as_array().unwrap().iter().find(|u| u["name"] == "olga").unwrap().clone()
    };
    let changed = ws.json(&["user", "access", "olga", "--role", "sponsor", "--bu", "sales"]);
    assert_eq!(olga(&changed)["business_units"], serde_json::json!(["Sales"]));
    assert_eq!(olga(&ws.json(&["user", "list"]))["role"], "sponsor");
    ws.cmd(&["user", "access", "root", "--role", "analyst"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("last active admin"));
    ws.cmd(&["user", "disable", "root"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("last active admin"));

    assert_eq!(olga(&ws.json(&["user", "disable", "olga"]))["disabled"], true);
    assert_eq!(olga(&ws.json(&["user", "enable", "olga"]))["disabled"], false);
    let changes = ws.json(&["audit", "--entity", "user"]);
    assert_eq!(changes.as_array().unwrap().len(), 5, "{changes}");
    assert!(!changes.to_string().contains("argon2"));
}
