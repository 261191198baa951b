//! `worth kpi`: define KPIs, record or load their values, and show status and trend.

use anyhow::{Result, bail};
use rust_decimal::Decimal;
use serde::Serialize;
use worth_core::org::same_name;
use worth_core::program::kpi::{Direction, Indicator, Kpi, Source, wide_values};
use worth_store::KpiValue;

use super::Program;
use crate::commands::choice;
use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// The mapped-import target of KPI values: a field `subject` and fields `PERIOD / KPI NAME`.
pub(crate) const KPI_TARGET: &str = "kpi-values";

/// `worth kpi`: status and trend of every KPI, or a subcommand.
#[derive(Debug, clap::Args)]
pub(crate) struct KpiArgs {
    #[command(subcommand)]
    command: Option<KpiCommand>,
    /// Only this subject (a service, a business unit).
    #[arg(long)]
    subject: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum KpiCommand {
    /// Define a KPI.
    Add(AddArgs),
    /// Record a KPI's value for a period (and a subject).
    Record {
        /// The KPI.
        kpi: String,
        /// The period, YYYY-MM or YYYY-Qn.
        period: String,
        /// The value.
        value: Decimal,
        /// What was measured (a service, a business unit); the whole program by default.
        #[arg(long, default_value = "")]
        subject: String,
    },
    /// Turn the records of a mapped import (target `kpi-values`: a field `subject` and
    /// fields `PERIOD / KPI NAME`) into KPI values.
    Load,
    /// Record today's value of every KPI over a built-in metric as its value of this quarter,
    /// so that its status and trend come from several quarters. Run it once a quarter (again
    /// in the same quarter replaces that quarter's value).
    Snapshot,
}

#[derive(Debug, clap::Args)]
struct AddArgs {
    /// Its name.
    name: String,
    /// Leading or lagging.
    #[arg(long, value_parser = choice::<Indicator>)]
    indicator: Indicator,
    /// Which way is better: increase or decrease.
    #[arg(long, value_parser = choice::<Direction>)]
    direction: Direction,
    /// The unit of its values.
    #[arg(long, default_value = "")]
    unit: String,
    /// The value aimed at.
    #[arg(long)]
    target: f64,
    /// On track at or beyond this value [default: the target].
    #[arg(long)]
    on_track: Option<f64>,
    /// Off track at or beyond this value, the other way.
    #[arg(long)]
    off_track: f64,
    /// The value at the start.
    #[arg(long)]
    baseline: Option<f64>,
    /// What it measures.
    #[arg(long, default_value = "")]
    description: String,
    /// Its category.
    #[arg(long, default_value = "general")]
    category: String,
    /// Who answers for it.
    #[arg(long)]
    owner: Option<String>,
    /// How often it is measured.
    #[arg(long, default_value = "monthly")]
    frequency: String,
    /// A built-in metric as its source (`worth okr metrics` lists them).
    #[arg(long, conflicts_with = "expression")]
    metric: Option<String>,
    /// An expression over other KPIs of the same subject and period (`digital_volume / volume * 100`).
    #[arg(long)]
    expression: Option<String>,
    /// A lagging KPI this leading one predicts (repeatable).
    #[arg(long)]
    predicts: Vec<String>,
}

pub(crate) async fn run(g: &Globals, args: KpiArgs) -> Result<()> {
    let store = g.open().await?;
    match args.command {
        None => {
            let p = Program::load(&store).await?;
            let rows = p.kpi_rows(args.subject.as_deref())?;
            let mut t = Table::new(&[
                "kpi",
                "indicator",
                "subject",
                "period",
                "value",
                "target",
                "status",
                "trend",
                "predicts",
            ]);
            for r in &rows {
                t.row([
                    r.kpi.clone(),
                    r.indicator.clone(),
                    r.subject.clone(),
                    r.period.clone(),
                    format!("{:.2}{}", r.value, unit_suffix(&r.unit)),
                    format!("{:.2}", r.target),
                    r.status.to_string(),
                    opt(r.trend),
                    r.predicts.join(", "),
                ]);
            }
            emit(g.format, &rows, &t)
        }
        Some(KpiCommand::Add(a)) => {
            let source = match (a.metric, a.expression) {
                (Some(m), _) => {
                    worth_core::solution::parse_choice::<worth_core::program::metrics::BuiltIn>(
                        "metric", &m,
                    )?;
                    Source::Metric(m)
                }
                (None, Some(e)) => Source::Expression(e),
                (None, None) => Source::Manual,
            };
            let kpi = Kpi {
                name: a.name,
                description: a.description,
                category: a.category,
                indicator: a.indicator,
                unit: a.unit,
                direction: a.direction,
                baseline: a.baseline,
                target: a.target,
                on_track: a.on_track.unwrap_or(a.target),
                off_track: a.off_track,
                owner: a.owner,
                frequency: a.frequency,
                source,
                predicts: a.predicts,
            };
            let mut w = store.write(&g.actor()).await?;
            let rec = w.add_kpi(&kpi).await?;
            w.commit().await?;
            say(&format!("worth: added the KPI {}", rec.kpi.name));
            emit(g.format, &rec, &Table::fields(&[("kpi", rec.kpi.name.clone())]))
        }
        Some(KpiCommand::Record { kpi, period, value, subject }) => {
            if let Some(metric) = metric_of(&store, &kpi).await? {
                bail!(
                    "'{}' takes its values from the metric {metric}, not by hand: `worth kpi \
                     snapshot` records this quarter's",
                    kpi.trim()
                );
            }
            let mut w = store.write(&g.actor()).await?;
            let v = KpiValue { subject, period, value, source: "entered".into() };
            w.record_kpi_value(&kpi, &v).await?;
            w.commit().await?;
            say(&format!("worth: recorded {kpi} {} = {}", v.period, v.value));
            Ok(())
        }
        Some(KpiCommand::Load) => load(g, &store).await,
        Some(KpiCommand::Snapshot) => snapshot(g, &store).await,
    }
}

/// The built-in metric a KPI takes its values from, if it is one.
async fn metric_of(store: &worth_store::Store, kpi: &str) -> Result<Option<String>> {
    Ok(store.kpis().await?.into_iter().find(|k| same_name(&k.kpi.name, kpi)).and_then(|k| match k
        .kpi
        .source
    {
        Source::Metric(m) => Some(m),
        _ => None,
    }))
}

/// One value `worth kpi snapshot` recorded.
#[derive(Debug, Serialize)]
struct Snapshot {
    kpi: String,
    metric: String,
    period: String,
    value: Decimal,
}

/// Records each metric KPI's value of today as its value of today's quarter, through the
/// audited writer, in one transaction.
async fn snapshot(g: &Globals, store: &worth_store::Store) -> Result<()> {
    use rust_decimal::prelude::FromPrimitive;
    let p = Program::load(store).await?;
    let period = worth_core::program::ttv::quarter_of(p.today);
    let mut recorded = Vec::new();
    let mut w = store.write(&g.actor()).await?;
    for k in &p.kpis {
        let Source::Metric(metric) = &k.kpi.source else { continue };
        let builtin = worth_core::solution::parse_choice("metric", metric)?;
        let Some(value) = p.builtin(builtin)?.value.and_then(Decimal::from_f64) else {
            say(&format!("worth: {} has no value today (n/a): nothing recorded", k.kpi.name));
            continue;
        };
        // Four decimals keep a percentage's hundredths and make the stored text stable.
        let value = value.round_dp(4).normalize();
        let v = KpiValue {
            subject: String::new(),
            period: period.clone(),
            value,
            source: format!("snapshot of metric {metric}"),
        };
        w.record_kpi_value(&k.kpi.name, &v).await?;
        recorded.push(Snapshot {
            kpi: k.kpi.name.clone(),
            metric: metric.clone(),
            period: period.clone(),
            value,
        });
    }
    w.commit().await?;
    say(&format!("worth: recorded {} KPI value(s) of {period}", recorded.len()));
    let mut t = Table::new(&["kpi", "metric", "period", "value"]);
    for r in &recorded {
        t.row([r.kpi.clone(), r.metric.clone(), r.period.clone(), r.value.to_string()]);
    }
    emit(g.format, &recorded, &t)
}

fn unit_suffix(unit: &str) -> String {
    match unit {
        "" => String::new(),
        "%" => "%".into(),
        u => format!(" {u}"),
    }
}

/// What `worth kpi load` did.
#[derive(Debug, Serialize)]
struct Loaded {
    values: usize,
    subjects: usize,
    zero_filled: Vec<String>,
    unknown_measures: Vec<String>,
}

async fn load(g: &Globals, store: &worth_store::Store) -> Result<()> {
    let records = store.mapped_records(KPI_TARGET).await?;
    if records.is_empty() {
        bail!(
            "no mapped records of target '{KPI_TARGET}': import the file first with \
             `worth import mapped FILE --mapping MAPPING` whose target is {KPI_TARGET}"
        );
    }
    let mut rows = Vec::new();
    for r in &records {
        let Some(subject) = r.fields.get("subject").and_then(|v| v.as_str()) else {
            bail!(
                "the {KPI_TARGET} record of line {} has no subject; map a column to \"subject\"",
                r.line
            );
        };
        let fields = r
            .fields
            .iter()
            .filter(|(k, _)| k.as_str() != "subject")
            .map(|(k, v)| {
                let value = v.as_str().and_then(|s| s.parse::<Decimal>().ok());
                (k.clone(), value)
            })
            .collect();
        rows.push((subject.to_owned(), fields));
    }
    let (values, zero_filled) = wide_values(&rows);
    let kpis = store.kpis().await?;
    let mut unknown = std::collections::BTreeSet::new();
    let mut from_metric = std::collections::BTreeSet::new();
    let mut subjects = std::collections::BTreeSet::new();
    let mut n = 0;
    let mut w = store.write(&g.actor()).await?;
    for v in &values {
        let Some(k) = kpis.iter().find(|k| same_name(&k.kpi.name, &v.measure)) else {
            unknown.insert(v.measure.clone());
            continue;
        };
        if matches!(k.kpi.source, Source::Metric(_)) {
            from_metric.insert(k.kpi.name.clone());
            continue;
        }
        let value = KpiValue {
            subject: v.subject.clone(),
            period: v.period.clone(),
            value: v.value,
            source: format!("mapped import {KPI_TARGET}"),
        };
        w.record_kpi_value(&k.kpi.name, &value).await?;
        subjects.insert(v.subject.clone());
        n += 1;
    }
    w.commit().await?;
    for z in &zero_filled {
        say(&format!(
            "worth: the column {z} holds only zeros in every row: read as missing, not 0"
        ));
    }
    for m in &from_metric {
        say(&format!(
            "worth: {m} takes its values from a built-in metric; its column was not loaded \
             (`worth kpi snapshot` records them)"
        ));
    }
    for u in &unknown {
        say(&format!(
            "worth: no KPI is called '{u}'; its values were not loaded (add it with `worth kpi add`)"
        ));
    }
    say(&format!("worth: loaded {n} KPI values for {} subjects", subjects.len()));
    let out = Loaded {
        values: n,
        subjects: subjects.len(),
        zero_filled,
        unknown_measures: unknown.into_iter().collect(),
    };
    emit(g.format, &out, &Table::fields(&[("values", n.to_string())]))
}
