//! `worth solution`: the register of solutions and their lifecycle.

use anyhow::Result;
use chrono::NaiveDate;
use worth_core::solution::{
    Criticality, EnvironmentType, ExternalId, Solution, SolutionKind, Stage,
};
use worth_store::NewSolution;

use super::{choice, date};
use crate::context::Globals;
use crate::output::{Table, emit, opt};

/// Solution commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum SolutionCommand {
    /// Register a solution.
    Add(AddArgs),
    /// List solutions.
    List {
        /// Only the solutions of this business unit.
        #[arg(long)]
        bu: Option<String>,
    },
    /// Show one solution with its lifecycle.
    Show {
        /// The solution's name.
        name: String,
        /// Its business unit, when the name exists in several.
        #[arg(long)]
        bu: Option<String>,
    },
    /// Change a solution's business unit, criticality or owner.
    Set {
        /// The solution's name.
        name: String,
        /// Its current business unit, when the name exists in several.
        #[arg(long)]
        bu: Option<String>,
        /// Move it to this business unit.
        #[arg(long)]
        business_unit: Option<String>,
        /// critical, important, standard or personal.
        #[arg(long, value_parser = choice::<Criticality>)]
        criticality: Option<Criticality>,
        /// The person who owns it.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Move a solution to another lifecycle stage.
    SetStage {
        /// The solution's name.
        name: String,
        /// The stage entered: idea, approved, building, live, retired.
        #[arg(value_parser = choice::<Stage>)]
        stage: Stage,
        /// Its business unit, when the name exists in several.
        #[arg(long)]
        bu: Option<String>,
        /// The day the stage was entered [default: today].
        #[arg(long, value_parser = date)]
        on: Option<NaiveDate>,
        /// Why.
        #[arg(long)]
        note: Option<String>,
    },
}

/// Options of `worth solution add`.
#[derive(Debug, clap::Args)]
pub(crate) struct AddArgs {
    /// The solution's name, unique within its business unit.
    name: String,
    /// The business unit that owns it.
    #[arg(long)]
    bu: String,
    /// canvas-app, model-driven-app, cloud-flow, desktop-flow, agent, report or other.
    #[arg(long, value_parser = choice::<SolutionKind>)]
    kind: SolutionKind,
    /// The platform it is built on.
    #[arg(long, default_value = "power-platform")]
    platform: String,
    /// The environment it runs in; created on first mention.
    #[arg(long)]
    environment: Option<String>,
    /// The environment's type when it is new: production, sandbox, developer, default, trial.
    #[arg(long, value_parser = choice::<EnvironmentType>, requires = "environment")]
    env_type: Option<EnvironmentType>,
    /// The person who owns it.
    #[arg(long)]
    owner: Option<String>,
    /// critical, important, standard or personal.
    #[arg(long, value_parser = choice::<Criticality>, default_value = "standard")]
    criticality: Criticality,
    /// An id used for it in platform exports, as system:id (repeatable).
    #[arg(long = "external-id")]
    external_ids: Vec<String>,
    /// The stage it is registered in.
    #[arg(long, value_parser = choice::<Stage>, default_value = "idea")]
    stage: Stage,
    /// The day it entered that stage [default: today].
    #[arg(long, value_parser = date)]
    on: Option<NaiveDate>,
}

pub(crate) async fn run(g: &Globals, cmd: SolutionCommand) -> Result<()> {
    let store = g.open().await?;
    match cmd {
        SolutionCommand::Add(a) => {
            let external_ids = a
                .external_ids
                .iter()
                .map(|e| ExternalId::parse(e))
                .collect::<Result<Vec<_>, _>>()?;
            let mut w = store.write(&g.actor()).await?;
            let new = NewSolution {
                name: a.name,
                kind: a.kind,
                platform: a.platform,
                business_unit: a.bu,
                environment: a.environment.map(|e| (e, a.env_type)),
                owner: a.owner,
                criticality: a.criticality,
                external_ids,
                stage: a.stage,
                stage_on: a.on.unwrap_or_else(|| w.today()),
            };
            let solution = w.add_solution(&new).await?;
            w.commit().await?;
            show(g, &solution)
        }
        SolutionCommand::List { bu } => {
            let list = store.solutions(bu.as_deref()).await?;
            let mut table = Table::new(&[
                "name",
                "business unit",
                "kind",
                "stage",
                "since",
                "criticality",
                "owner",
                "environment",
            ]);
            for s in &list {
                let last = s.lifecycle.last();
                table.row([
                    s.name.clone(),
                    s.business_unit.clone(),
                    s.kind.to_string(),
                    opt(last.map(|e| e.stage)),
                    opt(last.map(|e| e.on)),
                    s.criticality.to_string(),
                    opt(s.owner.as_ref()),
                    opt(s.environment.as_ref().map(|e| format!("{} ({})", e.name, e.env_type))),
                ]);
            }
            emit(g.format, &list, &table)
        }
        SolutionCommand::Show { name, bu } => {
            let solution = store.solution(&name, bu.as_deref()).await?;
            show(g, &solution)
        }
        SolutionCommand::Set { name, bu, business_unit, criticality, owner } => {
            let change = worth_store::SolutionChange { business_unit, criticality, owner };
            let mut w = store.write(&g.actor()).await?;
            let solution = w.update_solution(&name, bu.as_deref(), &change).await?;
            w.commit().await?;
            show(g, &solution)
        }
        SolutionCommand::SetStage { name, stage, bu, on, note } => {
            let mut w = store.write(&g.actor()).await?;
            let on = on.unwrap_or_else(|| w.today());
            let solution = w.set_stage(&name, bu.as_deref(), stage, on, note.as_deref()).await?;
            w.commit().await?;
            show(g, &solution)
        }
    }
}

fn show(g: &Globals, s: &Solution) -> Result<()> {
    let history: Vec<String> = s
        .lifecycle
        .iter()
        .map(|e| match &e.note {
            Some(n) => format!("{} {} ({n})", e.on, e.stage),
            None => format!("{} {}", e.on, e.stage),
        })
        .collect();
    let ids: Vec<String> =
        s.external_ids.iter().map(|x| format!("{}:{}", x.system, x.id)).collect();
    let table = Table::fields(&[
        ("name", s.name.clone()),
        ("business unit", s.business_unit.clone()),
        ("kind", s.kind.to_string()),
        ("platform", s.platform.clone()),
        ("stage", opt(s.stage())),
        ("criticality", s.criticality.to_string()),
        ("owner", opt(s.owner.as_ref())),
        (
            "environment",
            opt(s.environment.as_ref().map(|e| format!("{} ({})", e.name, e.env_type))),
        ),
        ("external ids", ids.join(", ")),
        ("lifecycle", history.join("; ")),
    ]);
    emit(g.format, s, &table)
}
