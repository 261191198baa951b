//! The value program's records, run unchanged on SQLite and on PostgreSQL: a KPI and its
//! values, an objective with key results and check-ins, a story through its workflow, a pilot,
//! artifacts, value check-ins, a tool evaluation, and the audit entries of each.

use chrono::NaiveDate;
use rust_decimal::dec;
use worth_core::Currency;
use worth_core::program::kpi::{Direction, Indicator, Kpi, Source};
use worth_core::program::metrics::BuiltIn;
use worth_core::program::okr::KeyResultSource;
use worth_core::program::story::StoryStatus;
use worth_core::program::tool::{Criterion, Score, Tool};
use worth_core::pseudonym::SecretKey;
use worth_core::solution::{Criticality, SolutionKind, Stage};
use worth_core::workspace::WorkspaceSettings;
use worth_store::testing::TestDb;
use worth_store::{
    Artifact, AuditFilter, CheckIn, KpiValue, Location, NewKeyResult, NewPilot, NewSolution, Store,
    StoreError, StoryEdit, StoryParts, ToolEvaluationSpec,
};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn kpi(name: &str) -> Kpi {
    Kpi {
        name: name.into(),
        description: "cases closed by one agent in a month".into(),
        category: "efficiency".into(),
        indicator: Indicator::Lagging,
        unit: "cases".into(),
        direction: Direction::Increase,
        baseline: Some(40.0),
        target: 50.0,
        on_track: 50.0,
        off_track: 40.0,
        owner: None,
        frequency: "monthly".into(),
        source: Source::Manual,
        predicts: vec![],
    }
}

async fn story(store: &Store) {
    let mut w = store.write("ada").await.unwrap();
    let settings = WorkspaceSettings {
        currency: Currency::parse("USD").unwrap(),
        fiscal_year_start_month: 1,
        locale: "en-US".into(),
        as_of: None,
    };
    w.init_workspace(&settings, &SecretKey::from_bytes([3; 32])).await.unwrap();
    w.add_business_unit("Service", None).await.unwrap();
    w.add_solution(&NewSolution {
        name: "Case Triage".into(),
        kind: SolutionKind::CanvasApp,
        platform: "power-platform".into(),
        business_unit: "Service".into(),
        environment: None,
        owner: None,
        criticality: Criticality::Critical,
        external_ids: vec![],
        stage: Stage::Idea,
        stage_on: day("2025-01-10"),
    })
    .await
    .unwrap();

    // A KPI, its values (a second value of a period replaces the first), and a pilot on it.
    w.add_kpi(&kpi("cases closed")).await.unwrap();
    assert!(matches!(w.add_kpi(&kpi("Cases Closed")).await, Err(StoreError::Duplicate { .. })));
    for (subject, period, value) in [
        ("team 1", "2025-05", dec!(40)),
        ("team 1", "2025-05", dec!(41.5)),
        ("team 2", "2025-Q3", dec!(44)),
    ] {
        let v = KpiValue {
            subject: subject.into(),
            period: period.into(),
            value,
            source: "test".into(),
        };
        w.record_kpi_value("cases closed", &v).await.unwrap();
    }
    let bad = KpiValue {
        subject: String::new(),
        period: "2025-13".into(),
        value: dec!(1),
        source: "t".into(),
    };
    assert!(w.record_kpi_value("cases closed", &bad).await.is_err());
    let pilot = NewPilot {
        name: "Triage pilot".into(),
        kpi: "cases closed".into(),
        baseline: ("2025-05".into(), "2025-07".into()),
        pilot: ("2025-08".into(), "2025-10".into()),
        pilot_units: vec!["team 1".into()],
        comparison_units: vec!["team 2".into()],
    };
    w.add_pilot(&pilot).await.unwrap();

    // An objective with a built-in and a manual key result, and check-ins.
    w.add_objective("Prove value", "show what the platform returns", "FY2026", Some("CoE"))
        .await
        .unwrap();
    let kr = |name: &str, source| NewKeyResult {
        name: name.into(),
        direction: Direction::Increase,
        baseline: dec!(10),
        target: dec!(20),
        weight: dec!(2),
        source,
    };
    w.add_key_result(
        "Prove value",
        &kr("accuracy", KeyResultSource::Metric(BuiltIn::EstimateAccuracy)),
    )
    .await
    .unwrap();
    w.add_key_result("Prove value", &kr("workshops", KeyResultSource::Manual)).await.unwrap();
    let c = CheckIn {
        on: day("2025-09-01"),
        value: Some(dec!(15)),
        confidence: 7,
        note: "half way".into(),
    };
    w.check_in("Prove value", "workshops", &c).await.unwrap();
    let over = CheckIn { confidence: 11, ..c.clone() };
    assert!(w.check_in("Prove value", "workshops", &over).await.is_err());
    // A computed key result takes a confidence and a note, not a typed value.
    let typed = w.check_in("Prove value", "accuracy", &c).await.unwrap_err().to_string();
    assert!(typed.contains("computed from the data"), "{typed}");

    // Artifacts, a value check-in and a tool evaluation.
    w.add_artifact(&Artifact {
        name: "Template".into(),
        kind: "template".into(),
        shared_on: day("2025-03-01"),
        location: None,
    })
    .await
    .unwrap();
    w.add_value_checkin("Case Triage", None, day("2025-09-15"), "as expected").await.unwrap();
    let score = |c: &str, s| Score { criterion: c.into(), score: s, rationale: "trial".into() };
    let spec = ToolEvaluationSpec {
        criteria: vec![
            Criterion { name: "fit".into(), weight: dec!(60) },
            Criterion { name: "cost".into(), weight: dec!(40) },
        ],
        tools: vec![Tool {
            name: "A".into(),
            scores: vec![score("fit", 4), score("cost", 2)],
            one_time: dec!(10),
            yearly: dec!(5),
        }],
    };
    w.save_tool_evaluation("Tools", &spec).await.unwrap();
    w.commit().await.unwrap();

    // A story: written by Ada, validated by Grace, published; never published unvalidated.
    let parts = StoryParts {
        problem: "cases waited".into(),
        solution: "triage".into(),
        obstacles: String::new(),
        value: "faster answers".into(),
        next_steps: String::new(),
    };
    let mut w = store.write("ada").await.unwrap();
    w.add_story("Faster triage", &parts, day("2025-10-01")).await.unwrap();
    w.link_figure("Faster triage", "Case Triage", None, None).await.unwrap();
    let twice = w.link_figure("Faster triage", "Case Triage", None, None).await;
    assert!(matches!(twice, Err(StoreError::Duplicate { entity: "figure", .. })));
    w.add_quote("Faster triage", "no more queue", "an agent").await.unwrap();
    w.link_pilot("Faster triage", "Triage pilot").await.unwrap();
    // Its author edits the draft; once submitted it is not edited any more.
    let typed = StoryParts { value: " answers\r\nwithin a day\r\n".into(), ..parts.clone() };
    w.edit_story("faster triage", &(&typed).into()).await.unwrap();
    let edited = StoryParts { value: "answers\nwithin a day".into(), ..parts.clone() };
    let no_problem = StoryParts { problem: " \u{200B} ".into(), ..parts.clone() };
    let e = w.edit_story("Faster triage", &(&no_problem).into()).await.unwrap_err();
    assert!(e.to_string().contains("problem"), "{e}");
    w.commit().await.unwrap();
    let mut w = store.write("grace").await.unwrap();
    let by_another = w.edit_story("Faster triage", &(&parts).into()).await.unwrap_err();
    assert!(by_another.to_string().contains("only its author"), "{by_another}");
    drop(w);
    let mut w = store.write("ada").await.unwrap();
    w.move_story("Faster triage", StoryStatus::Submitted, day("2025-10-02")).await.unwrap();
    assert!(w.edit_story("Faster triage", &(&parts).into()).await.is_err());
    assert!(
        w.move_story("Faster triage", StoryStatus::Published, day("2025-10-03")).await.is_err()
    );
    assert!(
        w.move_story("Faster triage", StoryStatus::Validated, day("2025-10-03")).await.is_err()
    );
    w.commit().await.unwrap();
    let mut w = store.write("grace").await.unwrap();
    assert!(
        w.move_story("Faster triage", StoryStatus::Validated, day("2025-09-01")).await.is_err()
    );
    w.move_story("Faster triage", StoryStatus::Validated, day("2025-10-04")).await.unwrap();
    w.move_story("Faster triage", StoryStatus::Published, day("2025-10-05")).await.unwrap();
    w.acknowledge_story("Faster triage", day("2025-10-06"), "Sam Sponsor").await.unwrap();
    w.commit().await.unwrap();

    // Everything reads back as written.
    let kpis = store.kpis().await.unwrap();
    assert_eq!(kpis.len(), 1);
    assert_eq!(kpis[0].kpi, kpi("cases closed"));
    let values = store.kpi_values(kpis[0].id).await.unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0].value, dec!(41.5));
    let objectives = store.objectives().await.unwrap();
    assert_eq!(objectives[0].key_results.len(), 2);
    assert_eq!(
        objectives[0].key_results[0].result.source,
        KeyResultSource::Metric(BuiltIn::EstimateAccuracy)
    );
    assert_eq!(objectives[0].key_results[1].checkins, vec![c]);
    let pilots = store.pilots().await.unwrap();
    assert_eq!(pilots[0].pilot, pilot);
    let stories = store.stories().await.unwrap();
    let s = &stories[0];
    assert_eq!((s.author.as_str(), s.status), ("ada", StoryStatus::Published));
    let steps: Vec<(StoryStatus, &str)> =
        s.history.iter().map(|e| (e.status, e.by.as_str())).collect();
    assert_eq!(
        steps,
        [
            (StoryStatus::Draft, "ada"),
            (StoryStatus::Submitted, "ada"),
            (StoryStatus::Validated, "grace"),
            (StoryStatus::Published, "grace")
        ]
    );
    assert_eq!(s.parts, edited);
    assert_eq!(s.figures[0].solution, "Case Triage");
    assert_eq!(s.pilot.as_deref(), Some("Triage pilot"));
    assert_eq!(s.acknowledged, Some((day("2025-10-06"), "Sam Sponsor".to_owned())));
    assert_eq!(store.artifacts().await.unwrap().len(), 1);
    assert_eq!(store.value_checkins().await.unwrap()[0].checked_on, day("2025-09-15"));
    assert_eq!(store.tool_evaluations().await.unwrap()[0].1, spec);

    // Each write is in the audit log.
    let log = store.audit(&AuditFilter::default()).await.unwrap();
    for entity in [
        "kpi",
        "kpi-value",
        "pilot",
        "objective",
        "key-result",
        "okr-check-in",
        "artifact",
        "value-check-in",
        "tool-evaluation",
        "story",
        "story-figure",
        "story-quote",
    ] {
        assert!(log.iter().any(|e| e.entity == entity), "no audit entry for {entity}");
    }
    let replaced =
        log.iter().find(|e| e.entity == "kpi-value" && e.action.to_string() == "update").unwrap();
    assert_eq!((replaced.before.as_str(), replaced.after.as_str()), (Some("40"), Some("41.5")));
}

#[tokio::test]
async fn the_program_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Location::Sqlite(dir.path().join("worth.db"))).await.unwrap();
    story(&store).await;
    store.close().await;
}

#[tokio::test]
async fn the_program_story_on_postgres() {
    let Some(db) = TestDb::postgres("the_program_story_on_postgres").await else { return };
    let store = Store::open(&db.location).await.unwrap();
    story(&store).await;
    store.close().await;
}

/// A draft submitted while its author's edit is on its way: the edit, which read a draft,
/// finds it submitted when it writes, and is refused rather than changing what was submitted.
async fn edit_during_submit(store: &Store) {
    let parts = StoryParts {
        problem: "forms were lost".into(),
        solution: "a flow".into(),
        obstacles: String::new(),
        value: String::new(),
        next_steps: String::new(),
    };
    let mut w = store.write("ada").await.unwrap();
    w.add_story("Lost forms", &parts, day("2025-10-01")).await.unwrap();
    w.commit().await.unwrap();

    let mut submit = store.write("ada").await.unwrap();
    submit.move_story("Lost forms", StoryStatus::Submitted, day("2025-10-02")).await.unwrap();
    let other = store.clone();
    let late = StoryParts { problem: "changed after submitting".into(), ..parts.clone() };
    let edit = tokio::spawn(async move {
        let mut w = other.write("ada").await.unwrap();
        let done = w.edit_story("Lost forms", &(&late).into()).await;
        if done.is_ok() {
            w.commit().await.unwrap();
        }
        done
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    submit.commit().await.unwrap();
    assert!(edit.await.unwrap().is_err());
    let stories = store.stories().await.unwrap();
    assert_eq!((stories[0].status, &stories[0].parts), (StoryStatus::Submitted, &parts));
}

#[tokio::test]
async fn an_edit_during_a_submit_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = worth_store::testing::workspace(&Location::Sqlite(dir.path().join("w.db")), "USD")
        .await
        .unwrap();
    edit_during_submit(&store).await;
    store.close().await;
}

#[tokio::test]
async fn an_edit_during_a_submit_on_postgres() {
    let Some(db) = TestDb::postgres("an_edit_during_a_submit_on_postgres").await else { return };
    let store = worth_store::testing::workspace(&db.location, "USD").await.unwrap();
    edit_during_submit(&store).await;
    store.close().await;
}

/// Two edits of different parts of one draft that overlap: neither is lost. The later one
/// either waits and merges with the first (SQLite writes one at a time) or finds the draft
/// changed and is refused (PostgreSQL); it never writes back the parts it read before.
async fn overlapping_edits(store: &Store) {
    let parts = StoryParts {
        problem: "slow quotes".into(),
        solution: "a quote builder".into(),
        obstacles: String::new(),
        value: String::new(),
        next_steps: String::new(),
    };
    let mut w = store.write("ada").await.unwrap();
    w.add_story("Quotes", &parts, day("2025-10-01")).await.unwrap();
    w.commit().await.unwrap();

    let mut first = store.write("ada").await.unwrap();
    let problem = StoryEdit { problem: Some("quotes took days".into()), ..StoryEdit::default() };
    first.edit_story("Quotes", &problem).await.unwrap();
    let other = store.clone();
    let second = tokio::spawn(async move {
        let mut w = other.write("ada").await.unwrap();
        let value = StoryEdit { value: Some("same-day quotes".into()), ..StoryEdit::default() };
        let done = w.edit_story("Quotes", &value).await;
        if done.is_ok() {
            w.commit().await.unwrap();
        }
        done
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    let second = second.await.unwrap();
    let stored = store.stories().await.unwrap().remove(0).parts;
    assert_eq!(stored.problem, "quotes took days", "the first edit is kept");
    match second {
        Ok(()) => assert_eq!(stored.value, "same-day quotes", "the second edit is kept too"),
        Err(e) => {
            assert!(matches!(e, StoreError::Conflict(_)), "{e}");
            assert_eq!(stored.value, "");
        }
    }
}

#[tokio::test]
async fn overlapping_edits_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = worth_store::testing::workspace(&Location::Sqlite(dir.path().join("w.db")), "USD")
        .await
        .unwrap();
    overlapping_edits(&store).await;
    store.close().await;
}

#[tokio::test]
async fn overlapping_edits_on_postgres() {
    let Some(db) = TestDb::postgres("overlapping_edits_on_postgres").await else { return };
    let store = worth_store::testing::workspace(&db.location, "USD").await.unwrap();
    overlapping_edits(&store).await;
    store.close().await;
}
