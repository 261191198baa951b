//! `worth okr`: objectives with key results computed from the data, and their check-ins.

use anyhow::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use strum::VariantNames;
use worth_core::program::kpi::Direction;
use worth_core::program::metrics::{BuiltIn, Unit};
use worth_core::program::okr::KeyResultSource;
use worth_store::{CheckIn, NewKeyResult};

use super::{KeyResultView, Program};
use crate::commands::{choice, date};
use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// `worth okr`: every objective and key result with its value and progress, or a subcommand.
#[derive(Debug, clap::Args)]
pub(crate) struct OkrArgs {
    #[command(subcommand)]
    command: Option<OkrCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum OkrCommand {
    /// Add an objective.
    Objective {
        /// Its name.
        name: String,
        /// What it aims at.
        #[arg(long, default_value = "")]
        description: String,
        /// The period it is set for.
        #[arg(long)]
        period: String,
        /// Who answers for it.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Add a key result to an objective.
    Kr {
        /// The objective.
        objective: String,
        /// The key result's name.
        name: String,
        /// Which way is better.
        #[arg(long, value_parser = choice::<Direction>)]
        direction: Direction,
        /// Where it starts.
        #[arg(long)]
        baseline: Decimal,
        /// Where it should get.
        #[arg(long)]
        target: Decimal,
        /// Its weight in the objective.
        #[arg(long, default_value = "1")]
        weight: Decimal,
        /// A built-in metric that computes it (`worth okr metrics`).
        #[arg(long, value_parser = choice::<BuiltIn>, conflicts_with = "kpi")]
        metric: Option<BuiltIn>,
        /// A KPI whose latest program-wide value it is.
        #[arg(long)]
        kpi: Option<String>,
    },
    /// Check in on a key result: confidence 0–10, a note, and a value for manual ones.
    CheckIn {
        /// The objective.
        objective: String,
        /// The key result.
        key_result: String,
        /// 0 (no chance) to 10 (certain).
        #[arg(long)]
        confidence: i64,
        /// What the owner says.
        #[arg(long, default_value = "")]
        note: String,
        /// The value now, for a key result entered by hand.
        #[arg(long)]
        value: Option<Decimal>,
        /// The day [default: today].
        #[arg(long, value_parser = date)]
        on: Option<NaiveDate>,
    },
    /// The built-in metrics a key result can use, with their values now.
    Metrics,
}

pub(crate) async fn run(g: &Globals, args: OkrArgs) -> Result<()> {
    let store = g.open().await?;
    match args.command {
        None => {
            let p = Program::load(&store).await?;
            let okrs = p.okrs()?;
            let mut t = Table::new(&[
                "objective",
                "key result",
                "value",
                "baseline",
                "target",
                "progress",
                "raw",
                "confidence",
            ]);
            for o in &okrs {
                t.row([
                    o.name.clone(),
                    "(objective)".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    opt(o.progress.map(|p| format!("{:.0}%", p * 100.0))),
                    String::new(),
                    String::new(),
                ]);
                for k in &o.key_results {
                    t.row(kr_row(o.name.as_str(), k));
                }
            }
            emit(g.format, &okrs, &t)
        }
        Some(OkrCommand::Objective { name, description, period, owner }) => {
            let mut w = store.write(&g.actor()).await?;
            w.add_objective(&name, &description, &period, owner.as_deref()).await?;
            w.commit().await?;
            say(&format!("worth: added the objective {name}"));
            Ok(())
        }
        Some(OkrCommand::Kr {
            objective,
            name,
            direction,
            baseline,
            target,
            weight,
            metric,
            kpi,
        }) => {
            let source = match (metric, kpi) {
                (Some(m), _) => KeyResultSource::Metric(m),
                (None, Some(k)) => KeyResultSource::Kpi(k),
                (None, None) => KeyResultSource::Manual,
            };
            let kr = NewKeyResult { name, direction, baseline, target, weight, source };
            let mut w = store.write(&g.actor()).await?;
            w.add_key_result(&objective, &kr).await?;
            w.commit().await?;
            say(&format!("worth: added the key result {} to {objective}", kr.name));
            Ok(())
        }
        Some(OkrCommand::CheckIn { objective, key_result, confidence, note, value, on }) => {
            let mut w = store.write(&g.actor()).await?;
            let confidence = worth_core::program::okr::check_confidence(confidence)?;
            let c = CheckIn { on: on.unwrap_or_else(|| w.today()), value, confidence, note };
            w.check_in(&objective, &key_result, &c).await?;
            w.commit().await?;
            say(&format!("worth: checked in on {objective} / {key_result}"));
            Ok(())
        }
        Some(OkrCommand::Metrics) => {
            let p = Program::load(&store).await?;
            let mut t = Table::new(&["metric", "value", "unit", "basis"]);
            let mut all = Vec::new();
            for name in BuiltIn::VARIANTS {
                let m: BuiltIn = name.parse().map_err(|_| anyhow::anyhow!("metric {name}"))?;
                let v = p.builtin(m)?;
                t.row([
                    (*name).to_owned(),
                    opt(v.value.map(|x| format!("{x:.2}"))),
                    v.unit.to_string(),
                    v.basis.clone(),
                ]);
                all.push(serde_json::json!({ "metric": name, "value": v }));
            }
            emit(g.format, &all, &t)
        }
    }
}

fn kr_row(objective: &str, k: &KeyResultView) -> Vec<String> {
    let value = k.value.map(|v| match k.unit {
        Unit::Percent => format!("{v:.1}%"),
        Unit::Points => format!("{v:+.1} pts"),
        Unit::Days => format!("{v:.1} days"),
        Unit::Money | Unit::Count => format!("{v:.2}"),
    });
    vec![
        objective.to_owned(),
        k.name.clone(),
        opt(value),
        format!("{}", k.baseline),
        format!("{}", k.target),
        opt(k.progress.map(|p| format!("{:.0}%", p.shown * 100.0))),
        opt(k.progress.and_then(|p| p.raw).map(|r| format!("{:.0}%", r * 100.0))),
        opt(k.confidence),
    ]
}
