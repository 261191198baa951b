//! `worth pilot`, `survey`, `training`, `artifact`, `ttv`, `tool` and `checkin`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use worth_core::program::metrics::BuiltIn;
use worth_core::program::tool::evaluate;
use worth_store::{Artifact, NewPilot, ToolEvaluationSpec};

use super::Program;
use crate::commands::date;
use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// `worth pilot`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PilotCommand {
    /// Define a pilot over a KPI's values per subject.
    Add {
        /// Its name.
        name: String,
        /// The KPI measured.
        #[arg(long)]
        kpi: String,
        /// The baseline period, FROM..TO (YYYY-MM or YYYY-Qn, both inclusive).
        #[arg(long, value_parser = range)]
        baseline: (String, String),
        /// The pilot period, FROM..TO.
        #[arg(long, value_parser = range)]
        during: (String, String),
        /// A unit of the pilot group (repeatable).
        #[arg(long = "pilot-unit", required = true)]
        pilot_units: Vec<String>,
        /// A unit of the comparison group (repeatable).
        #[arg(long = "comparison-unit", required = true)]
        comparison_units: Vec<String>,
    },
    /// Every pilot's difference in differences with its 95% interval and verdict.
    List,
}

fn range(text: &str) -> Result<(String, String), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("'{text}' is not a range FROM..TO (2025-01..2025-03)"))?;
    Ok((a.trim().to_owned(), b.trim().to_owned()))
}

/// A pilot's result for output.
#[derive(Debug, Serialize)]
struct PilotRow {
    pilot: String,
    kpi: String,
    result: Option<worth_core::program::pilot::PilotResult>,
    problem: Option<String>,
}

pub(crate) async fn pilot(g: &Globals, cmd: PilotCommand) -> Result<()> {
    let store = g.open().await?;
    match cmd {
        PilotCommand::Add { name, kpi, baseline, during, pilot_units, comparison_units } => {
            let p = NewPilot { name, kpi, baseline, pilot: during, pilot_units, comparison_units };
            let mut w = store.write(&g.actor()).await?;
            w.add_pilot(&p).await?;
            w.commit().await?;
            say(&format!("worth: added the pilot {}", p.name));
            Ok(())
        }
        PilotCommand::List => {
            let p = Program::load(&store).await?;
            let rows: Vec<PilotRow> = p.pilots.iter().map(|x| pilot_row(&p, x)).collect();
            let mut t = Table::new(&["pilot", "kpi", "difference", "95% interval", "verdict"]);
            for r in &rows {
                match &r.result {
                    Some(res) => t.row([
                        r.pilot.clone(),
                        r.kpi.clone(),
                        format!("{:.2}", res.difference),
                        format!("{:.2} to {:.2}", res.interval.0, res.interval.1),
                        res.verdict.clone(),
                    ]),
                    None => t.row([
                        r.pilot.clone(),
                        r.kpi.clone(),
                        String::new(),
                        String::new(),
                        opt(r.problem.clone()),
                    ]),
                }
            }
            emit(g.format, &rows, &t)
        }
    }
}

fn pilot_row(p: &Program, x: &worth_store::PilotRecord) -> PilotRow {
    let (result, problem) = match p.pilot_result(x) {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    PilotRow { pilot: x.pilot.name.clone(), kpi: x.pilot.kpi.clone(), result, problem }
}

/// `worth survey`: the positive share per wave of the imported survey answers.
pub(crate) async fn survey(g: &Globals) -> Result<()> {
    let store = g.open().await?;
    let p = Program::load(&store).await?;
    let waves = p.waves()?;
    let mut t = Table::new(&["wave", "answers", "positive", "positive share"]);
    for w in &waves {
        t.row([
            w.wave.clone(),
            w.answers.to_string(),
            w.positive.to_string(),
            format!("{:.1}%", w.positive_share),
        ]);
    }
    if waves.is_empty() {
        say(
            "worth: no survey answers: import them with `worth import mapped FILE --mapping M` (target survey)",
        );
    }
    emit(g.format, &waves, &t)
}

/// `worth training`: the share of employees with a completed ROI training.
pub(crate) async fn training(g: &Globals) -> Result<()> {
    let store = g.open().await?;
    let p = Program::load(&store).await?;
    let m = p.builtin(BuiltIn::TrainingShare)?;
    let t = Table::fields(&[
        ("trained", opt(m.numerator)),
        ("employees", opt(m.denominator)),
        ("share", opt(m.value.map(|v| format!("{v:.1}%")))),
    ]);
    emit(g.format, &m, &t)
}

/// `worth artifact`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ArtifactCommand {
    /// Record a shared ROI artifact.
    Add {
        /// Its name.
        name: String,
        /// What it is (template, calculator, guide…).
        #[arg(long)]
        kind: String,
        /// The day it was shared.
        #[arg(long, value_parser = date)]
        on: NaiveDate,
        /// Where it is.
        #[arg(long)]
        location: Option<String>,
    },
    /// Every shared artifact.
    List,
}

pub(crate) async fn artifact(g: &Globals, cmd: ArtifactCommand) -> Result<()> {
    let store = g.open().await?;
    match cmd {
        ArtifactCommand::Add { name, kind, on, location } => {
            let a = Artifact { name, kind, shared_on: on, location };
            let mut w = store.write(&g.actor()).await?;
            w.add_artifact(&a).await?;
            w.commit().await?;
            say(&format!("worth: recorded the artifact {}", a.name));
            Ok(())
        }
        ArtifactCommand::List => {
            let list = store.artifacts().await?;
            let mut t = Table::new(&["artifact", "kind", "shared on", "location"]);
            for a in &list {
                t.row([
                    a.name.clone(),
                    a.kind.clone(),
                    a.shared_on.to_string(),
                    opt(a.location.clone()),
                ]);
            }
            emit(g.format, &list, &t)
        }
    }
}

/// `worth ttv`.
#[derive(Debug, clap::Args)]
pub(crate) struct TtvArgs {
    /// The baseline quarter (YYYY-Qn) [default: the first].
    #[arg(long)]
    baseline: Option<String>,
}

pub(crate) async fn ttv(g: &Globals, args: TtvArgs) -> Result<()> {
    let store = g.open().await?;
    let p = Program::load(&store).await?;
    let q = p.ttv(args.baseline.as_deref());
    let d = |v: Option<f64>| opt(v.map(|v| format!("{v:.1}")));
    let mut t = Table::new(&[
        "quarter live",
        "solutions",
        "idea→live median",
        "p90",
        "live→value median",
        "p90",
        "change",
    ]);
    for x in &q {
        t.row([
            x.quarter.clone(),
            x.idea_to_live.solutions.to_string(),
            d(x.idea_to_live.median_days),
            d(x.idea_to_live.p90_days),
            d(x.live_to_value.median_days),
            d(x.live_to_value.p90_days),
            opt(x.value_change_percent.map(|c| format!("{c:+.0}%"))),
        ]);
    }
    emit(g.format, &q, &t)
}

/// `worth tool`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ToolCommand {
    /// Save a tool evaluation from a JSON file: `{"criteria": [{"name", "weight"}],
    /// "tools": [{"name", "scores": [{"criterion", "score", "rationale"}], "one_time", "yearly"}]}`.
    Add {
        /// Its name.
        name: String,
        /// The JSON file.
        file: PathBuf,
    },
    /// The ranking of every evaluation and the smallest weight change that swaps the first two.
    List,
}

pub(crate) async fn tool(g: &Globals, cmd: ToolCommand) -> Result<()> {
    let store = g.open().await?;
    match cmd {
        ToolCommand::Add { name, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let spec: ToolEvaluationSpec = serde_json::from_str(&text).with_context(|| {
                format!("{} is not a tool evaluation (see `worth tool add --help`)", file.display())
            })?;
            let mut w = store.write(&g.actor()).await?;
            w.save_tool_evaluation(&name, &spec).await?;
            w.commit().await?;
            say(&format!("worth: saved the tool evaluation {name}"));
            Ok(())
        }
        ToolCommand::List => {
            let mut all = Vec::new();
            let mut t = Table::new(&["evaluation", "rank", "tool", "score", "3-year TCO", "swap"]);
            for (name, spec) in store.tool_evaluations().await? {
                let e = evaluate(&spec.criteria, &spec.tools)?;
                let swap = e
                    .swap
                    .as_ref()
                    .map(|s| format!("{} {:.1}% → {:.1}%", s.criterion, s.weight, s.tie_weight));
                for r in &e.ranking {
                    t.row([
                        name.clone(),
                        r.rank.to_string(),
                        r.tool.clone(),
                        format!("{:.2}", r.score),
                        r.tco_3_years.to_string(),
                        if r.rank == 1 { opt(swap.clone()) } else { String::new() },
                    ]);
                }
                all.push(serde_json::json!({ "name": name, "evaluation": e }));
            }
            emit(g.format, &all, &t)
        }
    }
}

/// `worth checkin`: an owner's check of a solution's realized value after go-live.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckinArgs {
    /// The solution.
    solution: String,
    /// Its business unit, if the name is in several.
    #[arg(long)]
    bu: Option<String>,
    /// The day [default: today].
    #[arg(long, value_parser = date)]
    on: Option<NaiveDate>,
    /// What the owner found.
    #[arg(long, default_value = "")]
    note: String,
}

pub(crate) async fn checkin(g: &Globals, a: CheckinArgs) -> Result<()> {
    let store = g.open().await?;
    let mut w = store.write(&g.actor()).await?;
    let on = a.on.unwrap_or_else(|| w.today());
    w.add_value_checkin(&a.solution, a.bu.as_deref(), on, &a.note).await?;
    w.commit().await?;
    say(&format!("worth: recorded a value check-in of {} on {on}", a.solution));
    Ok(())
}
