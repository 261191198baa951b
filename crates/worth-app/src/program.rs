//! The value program's figures: [`Program`], the store's program records loaded once beside
//! the value engine's results, from which every built-in metric, KPI status, key result and
//! story figure is computed, for the CLI's commands and the server's pages alike.

pub mod section;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use worth_core::org::same_name;
use worth_core::period::month_of;
use worth_core::program::kpi::{Source, Status, Trend};
use worth_core::program::metrics::{self, BuiltIn, Coverage, MetricValue, Process, Unit};
use worth_core::program::okr::{KeyResultSource, Progress, progress, roll_up};
use worth_core::program::pilot::{Observation, Phase, PilotResult, difference_in_differences};
use worth_core::program::story::{Figure, StoryStatus, headline, is_measurable, linked_figure};
use worth_core::program::survey::{Scale, Wave, waves};
use worth_core::program::ttv::{Quarter, Timeline, per_quarter, quarter_of};
use worth_core::solution::{Criticality, Solution, Stage};
use worth_core::value::Category;
use worth_core::value::accuracy::{AccuracyReport, accuracy};
use worth_core::value::engine::Source as MonthSource;
use worth_core::value::financial::round_amount;
use worth_core::value::portfolio::Portfolio;
use worth_store::{
    Artifact, KpiRecord, KpiValue, MappedRecord, ObjectiveRecord, PilotRecord, Store, StoryRecord,
    ValueCheckin,
};

use worth_store::Loaded;

/// The mapped-import target of survey answers: fields `wave`, `scale` (`likert5`, `nps10`),
/// `answer` (integer) and optionally `respondent` (user).
pub const SURVEY_TARGET: &str = "survey";
/// The mapped-import target of training completions: fields `employee` (user), `course`,
/// `completed_on` (date).
pub const TRAINING_TARGET: &str = "training";

/// Everything the program's figures are computed from.
#[derive(Debug)]
pub struct Program {
    pub loaded: Loaded,
    pub portfolio: Portfolio,
    pub accuracy: AccuracyReport,
    pub today: NaiveDate,
    pub kpis: Vec<KpiRecord>,
    pub kpi_values: BTreeMap<i64, Vec<KpiValue>>,
    pub objectives: Vec<ObjectiveRecord>,
    pub stories: Vec<StoryRecord>,
    pub pilots: Vec<PilotRecord>,
    pub artifacts: Vec<Artifact>,
    pub checkins: Vec<ValueCheckin>,
    pub frozen: BTreeSet<i64>,
    pub solutions: Vec<Solution>,
    pub survey: Vec<MappedRecord>,
    pub training: Vec<MappedRecord>,
    pub employees: BTreeSet<String>,
}

impl Program {
    pub async fn load(store: &Store) -> Result<Self> {
        let loaded = Loaded::load(store).await?;
        let portfolio = loaded.portfolio(false);
        let accuracy = accuracy(&loaded.ctx(false), &portfolio);
        let today = loaded.ctx(false).today;
        let kpis = store.kpis().await?;
        let mut kpi_values = BTreeMap::new();
        for k in &kpis {
            kpi_values.insert(k.id, store.kpi_values(k.id).await?);
        }
        let employees =
            store.license_assignments().await?.into_iter().map(|(_, a)| a.user_key).collect();
        Ok(Self {
            portfolio,
            accuracy,
            today,
            kpis,
            kpi_values,
            objectives: store.objectives().await?,
            stories: store.stories().await?,
            pilots: store.pilots().await?,
            artifacts: store.artifacts().await?,
            checkins: store.value_checkins().await?,
            frozen: store.solutions_with_frozen_estimate().await?.into_iter().collect(),
            solutions: store.solutions(None).await?,
            survey: store.mapped_records(SURVEY_TARGET).await?,
            training: store.mapped_records(TRAINING_TARGET).await?,
            employees,
            loaded,
        })
    }

    fn minor(&self) -> u32 {
        self.loaded.settings.currency.minor_units()
    }

    /// The first day of the current (incomplete) quarter.
    fn quarter_start(&self) -> NaiveDate {
        let m = self.today.month0() / 3 * 3 + 1;
        NaiveDate::from_ymd_opt(self.today.year(), m, 1).unwrap_or(self.today)
    }

    /// A built-in metric, computed from the data.
    pub fn builtin(&self, metric: BuiltIn) -> Result<MetricValue> {
        Ok(match metric {
            BuiltIn::EstimateAccuracy => {
                let checked: Vec<bool> =
                    self.accuracy.solutions.iter().filter_map(|s| s.accurate).collect();
                let accurate = checked.iter().filter(|a| **a).count();
                metrics::share(
                    accurate,
                    checked.len(),
                    format!(
                        "estimates within ±{}% of realized value ÷ estimates checked",
                        self.accuracy.tolerance * 100.0
                    ),
                )
            }
            BuiltIn::HeadlineSuccess => {
                let published: Vec<&StoryRecord> =
                    self.stories.iter().filter(|s| s.status == StoryStatus::Published).collect();
                let acknowledged = published.iter().filter(|s| s.acknowledged.is_some()).count();
                metrics::share(
                    acknowledged,
                    published.len(),
                    "published stories acknowledged by a sponsor ÷ published stories",
                )
            }
            BuiltIn::CriticalCoverage => {
                let critical: Vec<Coverage> = self
                    .solutions
                    .iter()
                    .filter(|s| s.criticality == Criticality::Critical)
                    .map(|s| {
                        let input = self.loaded.inputs().iter().find(|i| i.solution.id == s.id);
                        Coverage {
                            assessed: input.is_some_and(|i| !i.lines.is_empty()),
                            data: input.is_some_and(|i| {
                                i.usage.values().any(|m| {
                                    !m.uses.is_zero() || m.units.is_some() || !m.metrics.is_empty()
                                })
                            }),
                        }
                    })
                    .collect();
                metrics::critical_coverage(&critical)
            }
            BuiltIn::SharedArtifacts => {
                let n = self.artifacts.iter().filter(|a| a.shared_on <= self.today).count();
                metrics::plain(Some(n as f64), Unit::Count, "ROI artifacts shared up to today")
            }
            BuiltIn::ArtifactGrowth => {
                let end = self.quarter_start();
                let (last, before) = (add_months_back(end, 3), add_months_back(end, 6));
                let count = |from: NaiveDate, to: NaiveDate| {
                    self.artifacts
                        .iter()
                        .filter(|a| a.shared_on >= from && a.shared_on < to)
                        .count() as f64
                };
                metrics::change_percent(
                    Some(count(last, end)),
                    Some(count(before, last)),
                    format!(
                        "artifacts shared in {} against {}",
                        quarter_of(last),
                        quarter_of(before)
                    ),
                )
            }
            BuiltIn::RoiProcess => {
                let enterprise: Vec<Process> = self
                    .solutions
                    .iter()
                    .filter(|s| {
                        matches!(s.criticality, Criticality::Critical | Criticality::Important)
                    })
                    .filter_map(|s| Some((s, live_since(s)?)))
                    .filter(|(s, _)| s.stage() == Some(Stage::Live))
                    .map(|(s, live)| Process {
                        estimate_at_intake: self.frozen.contains(&s.id),
                        checkin_after_live: self
                            .checkins
                            .iter()
                            .any(|c| c.solution_id == s.id && c.checked_on >= live),
                    })
                    .collect();
                metrics::roi_process(&enterprise)
            }
            BuiltIn::TrainingShare => {
                let trained: BTreeSet<&str> = self
                    .training
                    .iter()
                    .filter(|r| {
                        text(r, "completed_on")
                            .and_then(|d| d.parse::<NaiveDate>().ok())
                            .is_some_and(|d| d <= self.today)
                    })
                    .filter_map(|r| text(r, "employee"))
                    .filter(|e| self.employees.contains(*e))
                    .collect();
                metrics::share(
                    trained.len(),
                    self.employees.len(),
                    "employees (users of the license report) with a completed ROI training ÷ employees",
                )
            }
            BuiltIn::MeasurableStories => {
                let measurable =
                    self.stories.iter().filter(|s| is_measurable(&self.figures(s))).count();
                metrics::share(
                    measurable,
                    self.stories.len(),
                    "stories with at least one realized figure ÷ stories",
                )
            }
            BuiltIn::PositivePerception => {
                let w = self.waves()?;
                let last = w.last();
                MetricValue {
                    value: last.map(|w| w.positive_share),
                    unit: Unit::Percent,
                    numerator: last.map(|w| w.positive as f64),
                    denominator: last.map(|w| w.answers as f64),
                    basis: match last {
                        Some(w) => format!("positive answers ÷ answers in wave {}", w.wave),
                        None => "no survey wave imported".into(),
                    },
                }
            }
            BuiltIn::PerceptionChange => {
                let w = self.waves()?;
                let (first, last) = (w.first(), w.last());
                let value = match (first, last) {
                    (Some(f), Some(l)) if w.len() >= 2 => Some(l.positive_share - f.positive_share),
                    _ => None,
                };
                MetricValue {
                    value,
                    unit: Unit::Points,
                    numerator: last.map(|w| w.positive_share),
                    denominator: first.map(|w| w.positive_share),
                    basis: match (first, last) {
                        (Some(f), Some(l)) => {
                            format!("positive share of {} minus {}", l.wave, f.wave)
                        }
                        _ => "no survey wave imported".into(),
                    },
                }
            }
            BuiltIn::MedianTimeToValue | BuiltIn::TimeToValueChange => {
                let q = self.ttv(None);
                let latest = q.iter().rev().find(|q| q.live_to_value.solutions > 0);
                let basis = match (q.first(), latest) {
                    (Some(b), Some(l)) => format!(
                        "days from live to first realized value, solutions live in {} (baseline {})",
                        l.quarter, b.quarter
                    ),
                    _ => "no solution has realized value yet".into(),
                };
                if metric == BuiltIn::MedianTimeToValue {
                    MetricValue {
                        value: latest.and_then(|l| l.live_to_value.median_days),
                        unit: Unit::Days,
                        numerator: None,
                        denominator: latest.map(|l| l.live_to_value.solutions as f64),
                        basis,
                    }
                } else {
                    let base = q.first().and_then(|b| b.live_to_value.median_days);
                    metrics::change_percent(
                        latest.and_then(|l| l.live_to_value.median_days),
                        base,
                        basis,
                    )
                }
            }
            BuiltIn::CostReduction => {
                let end = month_of(self.today);
                let from = add_months_back(end, 12);
                let mut total = Decimal::ZERO;
                for s in &self.portfolio.solutions {
                    for l in s.lines.iter().filter(|l| l.category == Category::CostReduction) {
                        total += l
                            .expected
                            .iter()
                            .filter(|m| m.source == MonthSource::Realized)
                            .filter(|m| m.month >= from && m.month < end)
                            .map(|m| m.risk_adjusted)
                            .sum::<Decimal>();
                    }
                }
                let total = round_amount(total, self.minor());
                metrics::plain(
                    total.to_f64(),
                    Unit::Money,
                    format!(
                        "realized cost reduction from {} to {} ({})",
                        worth_core::period::label(from),
                        worth_core::period::label(add_months_back(end, 1)),
                        self.loaded.settings.currency.code()
                    ),
                )
            }
        })
    }

    /// The survey waves, in label order.
    pub fn waves(&self) -> Result<Vec<Wave>> {
        let mut answers = Vec::new();
        for r in &self.survey {
            let bad = |what: &str| {
                anyhow::anyhow!(
                    "survey record of line {}: {what}; re-import the file with a mapping that \
                     gives wave, scale (likert5 or nps10) and answer",
                    r.line
                )
            };
            let wave = text(r, "wave").ok_or_else(|| bad("no wave"))?;
            let scale: Scale = text(r, "scale")
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad("no scale likert5 or nps10"))?;
            let answer = r.fields.get("answer").and_then(serde_json::Value::as_i64);
            let answer = answer.ok_or_else(|| bad("no whole-number answer"))?;
            answers.push((wave, scale, answer));
        }
        Ok(waves(answers)?)
    }

    /// Time to value per quarter of go-live.
    pub fn ttv(&self, baseline: Option<&str>) -> Vec<Quarter> {
        let timelines: Vec<Timeline> = self
            .solutions
            .iter()
            .map(|s| Timeline {
                idea: s.lifecycle.iter().find(|e| e.stage == Stage::Idea).map(|e| e.on),
                live: live_since(s),
                first_value: self.first_value(s.id),
            })
            .collect();
        per_quarter(&timelines, baseline)
    }

    /// The first month with realized value of a solution.
    fn first_value(&self, id: i64) -> Option<NaiveDate> {
        let s = self.portfolio.solutions.iter().find(|s| s.id == id)?;
        s.lines
            .iter()
            .flat_map(|l| &l.expected)
            .filter(|m| m.source == MonthSource::Realized && m.gross > Decimal::ZERO)
            .map(|m| m.month)
            .min()
    }

    /// A story's figures, computed now from the engine.
    pub fn figures(&self, story: &StoryRecord) -> Vec<Figure> {
        let currency = self.loaded.settings.currency;
        story
            .figures
            .iter()
            .map(|f| {
                let line = f.line.as_ref().map(|(id, n)| (*id, n.as_str()));
                linked_figure(&self.portfolio, f.solution_id, &f.solution, line, currency)
            })
            .collect()
    }

    /// The result of a pilot, over its KPI's values per subject.
    pub fn pilot_result(&self, p: &PilotRecord) -> Result<PilotResult> {
        let kpi = self
            .kpis
            .iter()
            .find(|k| same_name(&k.kpi.name, &p.pilot.kpi))
            .ok_or_else(|| anyhow::anyhow!("the pilot's KPI '{}' is gone", p.pilot.kpi))?;
        let values = self.kpi_values.get(&kpi.id).map(Vec::as_slice).unwrap_or_default();
        let group = |subject: &str| {
            if p.pilot.pilot_units.iter().any(|u| u == subject) {
                Some(worth_core::program::pilot::Group::Pilot)
            } else if p.pilot.comparison_units.iter().any(|u| u == subject) {
                Some(worth_core::program::pilot::Group::Comparison)
            } else {
                None
            }
        };
        let within = |period: &str, (from, to): &(String, String)| {
            period >= from.as_str() && period <= to.as_str()
        };
        let observations: Vec<Observation> = values
            .iter()
            .filter_map(|v| {
                let group = group(&v.subject)?;
                let phase = if within(&v.period, &p.pilot.baseline) {
                    Phase::Baseline
                } else if within(&v.period, &p.pilot.pilot) {
                    Phase::Pilot
                } else {
                    return None;
                };
                Some(Observation {
                    unit: v.subject.clone(),
                    group,
                    phase,
                    value: v.value.to_f64()?,
                })
            })
            .collect();
        Ok(difference_in_differences(&kpi.kpi.name, kpi.kpi.direction, &observations)?)
    }

    /// The value series of a KPI per subject (periods in order), its expression evaluated
    /// over the other KPIs of the same subject and period.
    pub fn kpi_series(&self, kpi: &KpiRecord) -> Result<BTreeMap<String, Vec<(String, f64)>>> {
        let mut out: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
        match &kpi.kpi.source {
            Source::Manual => {
                for v in self.kpi_values.get(&kpi.id).into_iter().flatten() {
                    if let Some(x) = v.value.to_f64() {
                        out.entry(v.subject.clone()).or_default().push((v.period.clone(), x));
                    }
                }
            }
            Source::Metric(name) => {
                // Earlier quarters come from the snapshots `worth kpi snapshot` recorded;
                // today's quarter is the metric computed now.
                let metric: BuiltIn = worth_core::solution::parse_choice("metric", name)?;
                let stored = self.kpi_values.get(&kpi.id).map(Vec::as_slice).unwrap_or_default();
                let live = self.builtin(metric)?.value;
                let series = metric_series(stored, live, &quarter_of(self.today));
                if !series.is_empty() {
                    out.insert(String::new(), series);
                }
            }
            Source::Expression(e) => {
                // Values of the other manual KPIs by subject and period.
                let mut inputs: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
                for other in self.kpis.iter().filter(|k| k.id != kpi.id) {
                    for v in self.kpi_values.get(&other.id).into_iter().flatten() {
                        if let Some(x) = v.value.to_f64() {
                            inputs
                                .entry((v.subject.clone(), v.period.clone()))
                                .or_default()
                                .insert(other.kpi.name.to_lowercase(), x);
                        }
                    }
                }
                for ((subject, period), values) in inputs {
                    // A period missing one of the expression's inputs has no value.
                    if let Ok(x) = worth_core::program::kpi::evaluate(e, &values) {
                        out.entry(subject).or_default().push((period, x));
                    }
                }
            }
        }
        for series in out.values_mut() {
            series.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(out)
    }

    /// Every KPI's latest value per subject with its status and trend.
    pub fn kpi_rows(&self, subject: Option<&str>) -> Result<Vec<KpiRow>> {
        let mut rows = Vec::new();
        for k in &self.kpis {
            for (s, series) in self.kpi_series(k)? {
                if subject.is_some_and(|want| !same_name(want, &s)) {
                    continue;
                }
                let Some((period, value)) = series.last().cloned() else { continue };
                let values: Vec<f64> = series.iter().map(|(_, v)| *v).collect();
                rows.push(KpiRow {
                    kpi: k.kpi.name.clone(),
                    indicator: k.kpi.indicator.to_string(),
                    unit: k.kpi.unit.clone(),
                    subject: s,
                    period,
                    value,
                    target: k.kpi.target,
                    status: k.kpi.status(value),
                    trend: k.kpi.trend(&values),
                    predicts: k.kpi.predicts.clone(),
                    periods: series.len(),
                });
            }
        }
        Ok(rows)
    }

    /// Every objective with its key results computed.
    pub fn okrs(&self) -> Result<Vec<ObjectiveView>> {
        let mut out = Vec::new();
        for o in &self.objectives {
            let mut krs = Vec::new();
            for k in &o.key_results {
                let r = &k.result;
                let metric = match &r.source {
                    KeyResultSource::Manual => {
                        let last = k.checkins.iter().rev().find_map(|c| c.value);
                        metrics::plain(
                            last.and_then(|v| v.to_f64()),
                            Unit::Count,
                            "the latest check-in's value",
                        )
                    }
                    KeyResultSource::Metric(m) => self.builtin(*m)?,
                    KeyResultSource::Kpi(name) => {
                        let kpi = self.kpis.iter().find(|x| same_name(&x.kpi.name, name));
                        let last = match kpi {
                            Some(kpi) => {
                                self.kpi_series(kpi)?.get("").and_then(|s| s.last().cloned())
                            }
                            None => None,
                        };
                        metrics::plain(
                            last.as_ref().map(|(_, v)| *v),
                            Unit::Count,
                            format!("the latest program-wide value of the KPI {name}"),
                        )
                    }
                };
                let (baseline, target) =
                    (r.baseline.to_f64().unwrap_or(0.0), r.target.to_f64().unwrap_or(0.0));
                let progress = metric.value.map(|v| progress(r.direction, baseline, target, v));
                let last = k.checkins.last();
                krs.push(KeyResultView {
                    name: r.name.clone(),
                    source: r.source.clone(),
                    direction: r.direction.to_string(),
                    baseline,
                    target,
                    weight: r.weight.to_f64().unwrap_or(0.0),
                    value: metric.value,
                    unit: metric.unit,
                    numerator: metric.numerator,
                    denominator: metric.denominator,
                    basis: metric.basis,
                    progress,
                    confidence: last.map(|c| c.confidence),
                    last_note: last.map(|c| c.note.clone()),
                });
            }
            // A key result with nothing to count yet (n/a) is left out of the roll-up.
            let weighted: Vec<(f64, Progress)> =
                krs.iter().filter_map(|k| Some((k.weight, k.progress?))).collect();
            out.push(ObjectiveView {
                name: o.name.clone(),
                description: o.description.clone(),
                period: o.period.clone(),
                owner: o.owner.clone(),
                progress: roll_up(&weighted),
                key_results: krs,
            });
        }
        Ok(out)
    }

    /// Every story with its figures, measurability and headline.
    pub fn story_views(&self) -> Vec<StoryView> {
        self.stories
            .iter()
            .map(|s| {
                let figures = self.figures(s);
                StoryView {
                    title: s.title.clone(),
                    author: s.author.clone(),
                    status: s.status,
                    measurable: is_measurable(&figures),
                    headline: headline(&s.title, &figures),
                    figures,
                    record: s.clone(),
                }
            })
            .collect()
    }
}

/// The history of a KPI over a built-in metric: the snapshots of earlier quarters (the whole
/// program's, subject empty) and, for `this_quarter`, the metric's `live` value, which takes
/// the place of a snapshot of the same quarter. A quarter without a value is left out.
pub fn metric_series(
    stored: &[KpiValue],
    live: Option<f64>,
    this_quarter: &str,
) -> Vec<(String, f64)> {
    let mut by_period: BTreeMap<String, f64> = stored
        .iter()
        .filter(|v| v.subject.is_empty() && v.period.as_str() < this_quarter)
        .filter_map(|v| Some((v.period.clone(), v.value.to_f64()?)))
        .collect();
    if let Some(v) = live {
        by_period.insert(this_quarter.to_owned(), v);
    }
    by_period.into_iter().collect()
}

/// Months back from a month's first day.
fn add_months_back(month: NaiveDate, n: u32) -> NaiveDate {
    let back = month.year() * 12 + month.month0() as i32 - n as i32;
    let (y, m) = (back.div_euclid(12), back.rem_euclid(12) as u32 + 1);
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(month)
}

/// The day a solution last went live.
fn live_since(s: &Solution) -> Option<NaiveDate> {
    s.lifecycle.iter().filter(|e| e.stage == Stage::Live).map(|e| e.on).max()
}

fn text<'a>(r: &'a MappedRecord, field: &str) -> Option<&'a str> {
    r.fields.get(field).and_then(serde_json::Value::as_str)
}

/// A KPI's latest value for one subject.
#[derive(Debug, Clone, Serialize)]
pub struct KpiRow {
    pub kpi: String,
    pub indicator: String,
    pub unit: String,
    pub subject: String,
    pub period: String,
    pub value: f64,
    pub target: f64,
    pub status: Status,
    pub trend: Option<Trend>,
    pub predicts: Vec<String>,
    pub periods: usize,
}

/// A key result, computed.
#[derive(Debug, Clone, Serialize)]
pub struct KeyResultView {
    pub name: String,
    pub source: KeyResultSource,
    pub direction: String,
    pub baseline: f64,
    pub target: f64,
    pub weight: f64,
    pub value: Option<f64>,
    pub unit: Unit,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub basis: String,
    pub progress: Option<Progress>,
    pub confidence: Option<u8>,
    pub last_note: Option<String>,
}

/// An objective, computed.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveView {
    pub name: String,
    pub description: String,
    pub period: String,
    pub owner: Option<String>,
    pub progress: Option<f64>,
    pub key_results: Vec<KeyResultView>,
}

/// A story with its live figures.
#[derive(Debug, Clone, Serialize)]
pub struct StoryView {
    pub title: String,
    pub author: String,
    pub status: StoryStatus,
    pub measurable: bool,
    pub headline: Option<String>,
    pub figures: Vec<Figure>,
    pub record: StoryRecord,
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    fn snapshot(period: &str, value: Decimal) -> KpiValue {
        KpiValue { subject: String::new(), period: period.into(), value, source: "snapshot".into() }
    }

    #[test]
    fn a_metric_kpi_has_its_snapshots_as_history_and_todays_value_for_this_quarter() {
        let stored = [
            snapshot("2025-Q2", dec!(40)),
            snapshot("2025-Q1", dec!(25)),
            // A snapshot of this quarter gives way to the metric computed now.
            snapshot("2025-Q3", dec!(45)),
            // Values of a subject are not the whole program's.
            KpiValue { subject: "Sales".into(), ..snapshot("2024-Q4", dec!(99)) },
        ];
        let series = metric_series(&stored, Some(50.0), "2025-Q3");
        assert_eq!(
            series,
            [("2025-Q1".to_owned(), 25.0), ("2025-Q2".into(), 40.0), ("2025-Q3".into(), 50.0)]
        );
        // Status is today's value's, the trend that of the three quarters.
        let kpi = worth_core::program::kpi::Kpi {
            name: "artifacts shared".into(),
            description: String::new(),
            category: "adoption".into(),
            indicator: worth_core::program::kpi::Indicator::Leading,
            unit: String::new(),
            direction: worth_core::program::kpi::Direction::Increase,
            baseline: None,
            target: 50.0,
            on_track: 50.0,
            off_track: 30.0,
            owner: None,
            frequency: "quarterly".into(),
            source: Source::Metric("shared-artifacts".into()),
            predicts: vec![],
        };
        let values: Vec<f64> = series.iter().map(|s| s.1).collect();
        assert_eq!(kpi.status(values[2]), Status::OnTrack);
        assert_eq!(kpi.trend(&values), Some(Trend::Improving));
        assert_eq!(kpi.trend(&values[2..]), None, "one quarter alone has no trend");
        // n/a today: the history stays, this quarter has no value.
        assert_eq!(metric_series(&stored, None, "2025-Q3").len(), 2);
        assert!(metric_series(&[], None, "2025-Q3").is_empty());
    }
}
