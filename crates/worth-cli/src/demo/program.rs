//! The demo tenant's value program: KPIs, objectives whose key results are Worth's built-in
//! metrics, success stories through their workflow, a pilot, two survey waves and training
//! completions (written as files and imported through the mapped importer), shared
//! artifacts, value check-ins and a tool evaluation. Everything goes through the same
//! `Writer` methods and importer as the CLI.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use strum::VariantNames;
use worth_core::program::kpi::{Direction, Indicator, Kpi, Source};
use worth_core::program::metrics::BuiltIn;
use worth_core::program::okr::KeyResultSource;
use worth_core::program::story::StoryStatus;
use worth_core::program::tool::{Criterion, Score, Tool};
use worth_core::pseudonym::SecretKey;
use worth_core::solution::Criticality;
use worth_ingest::{ColumnMapping, ImportOptions, Kind};
use worth_store::{Artifact, CheckIn, KpiValue, NewKeyResult, NewPilot, Store, StoryParts};

use super::tenant::{Dice, Tenant, UNITS, as_of};

/// Who plays which part in the demo's program.
pub(crate) const AUTHOR: &str = "Dana Maker";
/// The analyst who validates stories.
pub(crate) const ANALYST: &str = "Ari Analyst";
/// The sponsor who acknowledges them.
pub(crate) const SPONSOR: &str = "Sam Sponsor";
/// The pilot's KPI and its teams.
pub(crate) const PILOT_KPI: &str = "cases closed per agent";
const TEAMS: usize = 8;

fn day(text: &str) -> Result<NaiveDate> {
    Ok(text.parse()?)
}

/// Seeds the program after the exports are imported.
pub(crate) async fn seed(
    store: &Store,
    key: &SecretKey,
    dir: &Path,
    t: &Tenant,
    seed: u64,
    options: &ImportOptions,
) -> Result<()> {
    let mut d = Dice::new(seed ^ 0x0b7);
    import_people_files(store, key, dir, t, &mut d, options).await?;

    let mut w = store.write("demo").await?;
    kpis_and_pilot(&mut w, &mut d).await?;
    objectives(&mut w).await?;
    artifacts_and_checkins(&mut w, t).await?;
    tool_evaluation(&mut w).await?;
    w.commit().await?;

    stories(store, t).await
}

/// Survey answers and training completions: CSV files with mappings, imported as a user would.
async fn import_people_files(
    store: &Store,
    key: &SecretKey,
    dir: &Path,
    t: &Tenant,
    d: &mut Dice,
    options: &ImportOptions,
) -> Result<()> {
    let exports = dir.join("exports");
    let survey = exports.join("pulse-survey.csv");
    let mut f = std::fs::File::create(&survey)
        .with_context(|| format!("cannot write {}", survey.display()))?;
    writeln!(f, "Wave,Scale,Respondent,The platform helps my team deliver value (1-5)")?;
    // The second wave is more positive than the first, as the program matures.
    for (wave, lift) in [("2025-Q2", 0.0), ("2025-Q4", 0.12)] {
        for people in &t.people {
            for upn in people.iter().step_by(11) {
                let u = d.unit() + lift;
                let answer = match u {
                    x if x < 0.08 => 1,
                    x if x < 0.22 => 2,
                    x if x < 0.45 => 3,
                    x if x < 0.82 => 4,
                    _ => 5,
                };
                writeln!(f, "{wave},likert5,{upn},{answer}")?;
            }
        }
    }
    drop(f);
    let training = exports.join("roi-training.csv");
    let mut f = std::fs::File::create(&training)
        .with_context(|| format!("cannot write {}", training.display()))?;
    writeln!(f, "Employee,Course,Completed on")?;
    for people in &t.people {
        for upn in people.iter().step_by(7) {
            let completed = day("2025-02-03")? + Duration::days(i64::from(d.range(0, 290)));
            writeln!(f, "{upn},ROI basics,{completed}")?;
        }
    }
    drop(f);
    let mappings = [
        (
            survey,
            r#"{ "target": "survey", "fields": [
                { "name": "wave", "column": "Wave", "required": true },
                { "name": "scale", "column": "Scale", "required": true },
                { "name": "respondent", "column": "Respondent", "type": "user" },
                { "name": "answer", "column": "The platform helps my team deliver value (1-5)",
                  "type": "integer", "required": true } ] }"#,
        ),
        (
            training,
            r#"{ "target": "training", "fields": [
                { "name": "employee", "column": "Employee", "type": "user", "required": true },
                { "name": "course", "column": "Course" },
                { "name": "completed_on", "column": "Completed on", "type": "date", "required": true } ] }"#,
        ),
    ];
    for (file, mapping) in mappings {
        let mapping_path = file.with_extension("mapping.json");
        std::fs::write(&mapping_path, mapping)?;
        let mapping: ColumnMapping = serde_json::from_str(mapping)?;
        let opts = ImportOptions { mapping: Some(mapping), ..options.clone() };
        worth_ingest::import(store, key, "demo", Kind::Mapped, std::slice::from_ref(&file), &opts)
            .await
            .with_context(|| format!("the demo's import of {} failed", file.display()))?;
    }
    Ok(())
}

async fn kpis_and_pilot(w: &mut worth_store::Writer, d: &mut Dice) -> Result<()> {
    let kpi =
        |name: &str, indicator, direction, unit: &str, target, off, source, predicts: &[&str]| {
            Kpi {
                name: name.into(),
                description: String::new(),
                category: "value program".into(),
                indicator,
                unit: unit.into(),
                direction,
                baseline: None,
                target,
                on_track: target,
                off_track: off,
                owner: Some("CoE lead".into()),
                frequency: "monthly".into(),
                source,
                predicts: predicts.iter().map(|p| (*p).to_owned()).collect(),
            }
        };
    let metric = |m: BuiltIn| Source::Metric(m.to_string());
    for k in [
        kpi(
            "estimate accuracy",
            Indicator::Lagging,
            Direction::Increase,
            "%",
            60.0,
            30.0,
            metric(BuiltIn::EstimateAccuracy),
            &[],
        ),
        kpi(
            "median days to value",
            Indicator::Lagging,
            Direction::Decrease,
            "days",
            30.0,
            60.0,
            metric(BuiltIn::MedianTimeToValue),
            &[],
        ),
        kpi(
            "ROI training share",
            Indicator::Leading,
            Direction::Increase,
            "%",
            25.0,
            5.0,
            metric(BuiltIn::TrainingShare),
            &["estimate accuracy"],
        ),
        kpi(
            "ROI process share",
            Indicator::Leading,
            Direction::Increase,
            "%",
            80.0,
            40.0,
            metric(BuiltIn::RoiProcess),
            &["estimate accuracy", "median days to value"],
        ),
        kpi(
            PILOT_KPI,
            Indicator::Lagging,
            Direction::Increase,
            "cases",
            50.0,
            40.0,
            Source::Manual,
            &[],
        ),
    ] {
        w.add_kpi(&k).await?;
    }
    // Cases closed per agent, monthly, for eight service teams; teams 1–4 get the triage
    // assistant from August 2025.
    for team in 1..=TEAMS {
        let level = 38.0 + f64::from(d.range(0, 8));
        for (month, in_pilot) in [
            ("2025-05", false),
            ("2025-06", false),
            ("2025-07", false),
            ("2025-08", true),
            ("2025-09", true),
            ("2025-10", true),
        ] {
            let lift = match (in_pilot, team <= TEAMS / 2) {
                (true, true) => 6.0,
                (true, false) => 1.0,
                _ => 0.0,
            };
            let noise = f64::from(d.range(0, 20)) / 10.0 - 1.0;
            let value =
                Decimal::from_f64_retain(level + lift + noise).unwrap_or_default().round_dp(1);
            let v = KpiValue {
                subject: format!("Service team {team}"),
                period: month.into(),
                value,
                source: "ticketing system export".into(),
            };
            w.record_kpi_value(PILOT_KPI, &v).await?;
        }
    }
    let teams =
        |r: std::ops::RangeInclusive<usize>| r.map(|t| format!("Service team {t}")).collect();
    w.add_pilot(&NewPilot {
        name: "Case triage assistant".into(),
        kpi: PILOT_KPI.into(),
        baseline: ("2025-05".into(), "2025-07".into()),
        pilot: ("2025-08".into(), "2025-10".into()),
        pilot_units: teams(1..=TEAMS / 2),
        comparison_units: teams(TEAMS / 2 + 1..=TEAMS),
    })
    .await?;
    Ok(())
}

/// A key result of the demo: name, metric, direction, baseline and target.
type DemoKr = (&'static str, BuiltIn, Direction, i64, i64);

/// Three objectives whose key results are every built-in metric.
pub(crate) const OBJECTIVES: [(&str, &[DemoKr]); 3] = [
    (
        "Prove the platform's value",
        &[
            ("Estimates within tolerance", BuiltIn::EstimateAccuracy, Direction::Increase, 30, 60),
            (
                "Headlines acknowledged by sponsors",
                BuiltIn::HeadlineSuccess,
                Direction::Increase,
                0,
                80,
            ),
            (
                "Stories with measured figures",
                BuiltIn::MeasurableStories,
                Direction::Increase,
                0,
                100,
            ),
            (
                "Cash cost reduction in 12 months",
                BuiltIn::CostReduction,
                Direction::Increase,
                0,
                200_000,
            ),
        ],
    ),
    (
        "Make the ROI process the norm",
        &[
            (
                "Critical solutions assessed and measured",
                BuiltIn::CriticalCoverage,
                Direction::Increase,
                50,
                100,
            ),
            (
                "Enterprise solutions following the ROI process",
                BuiltIn::RoiProcess,
                Direction::Increase,
                20,
                80,
            ),
            ("Employees trained in ROI", BuiltIn::TrainingShare, Direction::Increase, 0, 25),
            ("Shared ROI artifacts", BuiltIn::SharedArtifacts, Direction::Increase, 0, 12),
            ("Growth of shared artifacts", BuiltIn::ArtifactGrowth, Direction::Increase, 0, 20),
        ],
    ),
    (
        "Deliver value faster, and be seen to",
        &[
            ("Median days to first value", BuiltIn::MedianTimeToValue, Direction::Decrease, 60, 30),
            (
                "Change of days to value against the baseline",
                BuiltIn::TimeToValueChange,
                Direction::Decrease,
                0,
                -25,
            ),
            (
                "Positive perception in the survey",
                BuiltIn::PositivePerception,
                Direction::Increase,
                50,
                70,
            ),
            (
                "Change of positive perception",
                BuiltIn::PerceptionChange,
                Direction::Increase,
                0,
                10,
            ),
        ],
    ),
];

async fn objectives(w: &mut worth_store::Writer) -> Result<()> {
    debug_assert_eq!(
        OBJECTIVES.iter().map(|(_, k)| k.len()).sum::<usize>(),
        BuiltIn::VARIANTS.len(),
        "every built-in metric is a key result of the demo"
    );
    for (name, krs) in OBJECTIVES {
        w.add_objective(name, "", "FY2026", Some("CoE lead")).await?;
        for (kr, metric, direction, baseline, target) in krs {
            w.add_key_result(
                name,
                &NewKeyResult {
                    name: (*kr).into(),
                    direction: *direction,
                    baseline: Decimal::from(*baseline),
                    target: Decimal::from(*target),
                    weight: Decimal::ONE,
                    source: KeyResultSource::Metric(*metric),
                },
            )
            .await?;
        }
    }
    for (objective, kr, confidence, note) in [
        (OBJECTIVES[0].0, OBJECTIVES[0].1[0].0, 6, "estimates of flows are still optimistic"),
        (OBJECTIVES[1].0, OBJECTIVES[1].1[2].0, 8, "two more training sessions booked"),
        (OBJECTIVES[2].0, OBJECTIVES[2].1[0].0, 5, "data gathering starts late on new flows"),
    ] {
        let c = CheckIn { on: day("2025-11-20")?, value: None, confidence, note: note.into() };
        w.check_in(objective, kr, &c).await?;
    }
    Ok(())
}

async fn artifacts_and_checkins(w: &mut worth_store::Writer, t: &Tenant) -> Result<()> {
    for (name, kind, on) in [
        ("Value estimate template", "template", "2024-11-04"),
        ("Time-saved calculator", "calculator", "2025-01-20"),
        ("ROI guideline v1", "guide", "2025-03-10"),
        ("Check-in questionnaire", "template", "2025-05-05"),
        ("Success story template", "template", "2025-07-14"),
        ("Flow savings calculator", "calculator", "2025-07-28"),
        ("Sponsor headline guide", "guide", "2025-08-18"),
        ("Pilot design checklist", "guide", "2025-09-22"),
        ("Cost per transaction worksheet", "calculator", "2025-10-06"),
        ("Value review deck", "template", "2025-11-10"),
    ] {
        w.add_artifact(&Artifact {
            name: name.into(),
            kind: kind.into(),
            shared_on: day(on)?,
            location: Some("CoE SharePoint / ROI toolkit".into()),
        })
        .await?;
    }
    // Owners of every other live enterprise solution checked its value two months after
    // go-live, when that day had come.
    let live: Vec<_> = t
        .solutions
        .iter()
        .filter(|s| s.registered && s.retired.is_none())
        .filter(|s| matches!(s.criticality, Criticality::Critical | Criticality::Important))
        .filter_map(|s| Some((s, s.live?)))
        .collect();
    for (i, (s, live)) in live.iter().enumerate() {
        let on = *live + Duration::days(60);
        if i % 2 == 0 && on < as_of() {
            w.add_value_checkin(&s.name, Some(UNITS[s.unit].0), on, "usage as expected").await?;
        }
    }
    Ok(())
}

async fn tool_evaluation(w: &mut worth_store::Writer) -> Result<()> {
    let criteria =
        [("fit to our processes", 40), ("ease of use", 25), ("governance", 20), ("support", 15)];
    let tool = |name: &str, scores: [u8; 4], one_time: i64, yearly: i64| Tool {
        name: name.into(),
        scores: criteria
            .iter()
            .zip(scores)
            .map(|((c, _), s)| Score {
                criterion: (*c).into(),
                score: s,
                rationale: format!("scored {s} by the evaluation panel after the trial"),
            })
            .collect(),
        one_time: Decimal::from(one_time),
        yearly: Decimal::from(yearly),
    };
    let spec = worth_store::ToolEvaluationSpec {
        criteria: criteria
            .iter()
            .map(|(n, w)| Criterion { name: (*n).into(), weight: Decimal::from(*w) })
            .collect(),
        tools: vec![
            tool("Process Miner A", [5, 3, 4, 3], 20_000, 30_000),
            tool("Process Miner B", [4, 5, 3, 4], 8_000, 24_000),
            tool("Task Recorder C", [2, 4, 2, 3], 0, 9_000),
        ],
    };
    w.save_tool_evaluation("Process mining tool", &spec).await?;
    Ok(())
}

/// Four stories: two published (one acknowledged by a sponsor, one the pilot's case study),
/// one validated, and a draft about a solution not yet live, which has no realized figure.
async fn stories(store: &Store, t: &Tenant) -> Result<()> {
    let live: Vec<_> = t
        .solutions
        .iter()
        .filter(|s| {
            s.registered
                && s.retired.is_none()
                && s.live.is_some_and(|l| l < day("2025-03-01").unwrap_or(l))
        })
        .take(3)
        .collect();
    let not_live = t.solutions.iter().find(|s| s.registered && s.live.is_none());
    let mut subjects: Vec<(&super::tenant::Sol, StoryStatus)> = live
        .iter()
        .zip([StoryStatus::Published, StoryStatus::Published, StoryStatus::Validated])
        .map(|(s, st)| (*s, st))
        .collect();
    if let Some(s) = not_live {
        subjects.push((s, StoryStatus::Draft));
    }
    for (i, (s, status)) in subjects.iter().enumerate() {
        let title = format!("{} gives {} time back", s.name, UNITS[s.unit].0);
        let mut w = store.write(AUTHOR).await?;
        w.add_story(
            &title,
            &StoryParts {
                problem: format!(
                    "{} ran on e-mail and spreadsheets; requests got lost.",
                    UNITS[s.unit].0
                ),
                solution: format!("{} routes every request and records each step.", s.name),
                obstacles: "Two legacy lists had to be cleaned before go-live.".into(),
                value: "People spend the time saved on the work that needs them.".into(),
                next_steps: "Extend it to the next team.".into(),
            },
            day("2025-10-20")?,
        )
        .await?;
        w.link_figure(&title, &s.name, Some(UNITS[s.unit].0), None).await?;
        w.add_quote(&title, "We stopped chasing paper.", &s.owner).await?;
        if i == 1 {
            w.link_pilot(&title, "Case triage assistant").await?;
        }
        if *status != StoryStatus::Draft {
            w.move_story(&title, StoryStatus::Submitted, day("2025-11-03")?).await?;
        }
        w.commit().await?;
        if *status == StoryStatus::Draft {
            continue;
        }
        let mut w = store.write(ANALYST).await?;
        w.move_story(&title, StoryStatus::Validated, day("2025-11-10")?).await?;
        if *status == StoryStatus::Published {
            w.move_story(&title, StoryStatus::Published, day("2025-11-17")?).await?;
        }
        if i == 0 {
            w.acknowledge_story(&title, day("2025-11-24")?, SPONSOR).await?;
        }
        w.commit().await?;
    }
    Ok(())
}
