//! The program's sections of the sponsor report, from [`Program`]'s computed figures.

use anyhow::Result;
use rust_decimal::Decimal;
use worth_core::program::metrics::Unit;
use worth_core::program::okr::KeyResultSource;
use worth_report::sponsor::program::{
    KeyResultLine, KpiLine, ObjectiveLine, PilotLine, ProgramSection, StoryLine,
};

use super::Program;

/// Rounds a rate for the report: 2 decimals, half away from zero.
fn dec(v: f64, dp: u32) -> Option<Decimal> {
    Decimal::from_f64_retain(v)
        .map(|d| d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// A value with its unit, as the report shows it.
pub fn shown(value: Option<f64>, unit: Unit, currency: &str) -> String {
    let Some(v) = value.and_then(|v| dec(v, 2)) else { return "n/a".into() };
    match unit {
        Unit::Percent => format!("{v}%"),
        Unit::Points => format!("{v} points"),
        Unit::Days => format!("{v} days"),
        Unit::Money => format!("{v} {currency}"),
        Unit::Count => v.normalize().to_string(),
    }
}

impl Program {
    /// The report's program sections.
    pub fn section(&self) -> Result<ProgramSection> {
        let currency = self.loaded.settings.currency.code().to_owned();
        let kpis = self
            .kpi_rows(None)?
            .into_iter()
            .map(|r| KpiLine {
                value: match dec(r.value, 2) {
                    Some(v) if r.unit.is_empty() => v.to_string(),
                    Some(v) if r.unit == "%" => format!("{v}%"),
                    Some(v) => format!("{v} {}", r.unit),
                    None => "n/a".into(),
                },
                kpi: r.kpi,
                indicator: r.indicator,
                subject: r.subject,
                period: r.period,
                status: r.status.to_string(),
                trend: r.trend.map(|t| t.to_string()).unwrap_or_default(),
            })
            .collect();
        let objectives = self
            .okrs()?
            .into_iter()
            .map(|o| ObjectiveLine {
                name: o.name,
                progress_percent: o.progress.and_then(|p| dec(p * 100.0, 1)),
                key_results: o
                    .key_results
                    .into_iter()
                    .map(|k| KeyResultLine {
                        source: match &k.source {
                            KeyResultSource::Manual => "manual".into(),
                            KeyResultSource::Metric(m) => m.to_string(),
                            KeyResultSource::Kpi(n) => format!("KPI {n}"),
                        },
                        value: shown(k.value, k.unit, &currency),
                        aim: format!(
                            "{} → {}",
                            shown(Some(k.baseline), k.unit, &currency),
                            shown(Some(k.target), k.unit, &currency)
                        ),
                        progress_percent: k.progress.and_then(|p| dec(p.shown * 100.0, 1)),
                        raw_percent: k.progress.and_then(|p| p.raw).and_then(|r| dec(r * 100.0, 1)),
                        basis: k.basis,
                        name: k.name,
                    })
                    .collect(),
            })
            .collect();
        // Sponsors see the stories published to them.
        let stories = self
            .story_views()
            .into_iter()
            .filter(|s| s.status == worth_core::program::story::StoryStatus::Published)
            .map(|s| StoryLine {
                title: s.title,
                status: s.status.to_string(),
                measurable: s.measurable,
                headline: s.headline,
            })
            .collect();
        let pilots = self
            .pilots
            .iter()
            .map(|x| match self.pilot_result(x) {
                Ok(r) => PilotLine {
                    name: x.pilot.name.clone(),
                    kpi: x.pilot.kpi.clone(),
                    difference: dec(r.difference, 2),
                    interval: dec(r.interval.0, 2).zip(dec(r.interval.1, 2)),
                    verdict: r.verdict,
                },
                Err(e) => PilotLine {
                    name: x.pilot.name.clone(),
                    kpi: x.pilot.kpi.clone(),
                    difference: None,
                    interval: None,
                    verdict: format!("no result yet: {e}"),
                },
            })
            .collect();
        Ok(ProgramSection { kpis, objectives, stories, pilots })
    }
}
