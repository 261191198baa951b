//! The published ROI guidelines: one guideline version as a document for the people who
//! estimate value and the people who check it.

use chrono::{DateTime, Utc};
use minijinja::{Environment, context};
use serde::Serialize;
use strum::VariantNames;
use worth_core::guideline::Guideline;
use worth_core::rates::RateCard;
use worth_core::value::Category;
use worth_core::value::models::CATALOGUE;

use crate::markdown::escape;

/// One row of a table in the document.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The cells.
    pub cells: Vec<String>,
}

/// The guideline document.
#[derive(Debug, Clone, Serialize)]
pub struct GuidelineDocument {
    /// The version published.
    pub version: i64,
    /// When it was made.
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// Why it was made.
    pub note: Option<String>,
    /// The financial conventions, one sentence each.
    pub conventions: Vec<String>,
    /// Value categories and whether they are money or scored.
    pub categories: Vec<Row>,
    /// Value models: name, formula, parameters.
    pub models: Vec<Row>,
    /// Evidence grades with their risk adjustment.
    pub evidence: Vec<Row>,
    /// Rate cards in force: role, business unit, hourly cost, valid from, valid to.
    pub rates: Vec<Row>,
    /// What counts as usage, one rule each.
    pub usage_rules: Vec<String>,
    /// How estimates are checked, one rule each.
    pub accuracy_rules: Vec<String>,
}

fn pct(f: f64) -> String {
    let v = (f * 10_000.0).round() / 100.0;
    format!("{v}%")
}

impl GuidelineDocument {
    /// The document of guideline version `version` with the workspace's rate cards.
    pub fn new(
        version: i64,
        g: &Guideline,
        created_at: DateTime<Utc>,
        created_by: &str,
        note: Option<&str>,
        rates: &[RateCard],
    ) -> Self {
        let conventions = vec![
            format!(
                "Value and costs are analysed over {} years in the layout of Forrester's Total \
                 Economic Impact (TEI): an initial column and one column a year.",
                g.horizon_years
            ),
            format!(
                "Future amounts are discounted at {} a year; initial amounts at time 0 are not \
                 discounted, and each year is discounted at its end.",
                pct(g.discount_rate)
            ),
            "NPV = PV of benefits − PV of costs; ROI = NPV ÷ PV of costs; payback is the first \
             month the cumulative risk-adjusted net benefit reaches zero."
                .to_owned(),
            format!(
                "Benefits are reduced by the risk adjustment of their evidence grade; costs are \
                 increased by {} for their uncertainty.",
                pct(g.cost_risk_adjustment)
            ),
            format!(
                "Counts per period are converted with a working year of {} days of {} hours (a \
                 working week has 5 days; a month is a twelfth of the year).",
                g.working_days_per_year, g.working_hours_per_day
            ),
            "A solution's year 1 starts in the month it goes live; what happens before is the \
             initial column."
                .to_owned(),
            "Lines of one business unit that claim the same process may not claim more than \
             100% of it together; an excess is reported, never capped silently."
                .to_owned(),
            "Amounts of different currencies are converted with the dated rate of the month; \
             without one, the figure is reported as a problem."
                .to_owned(),
        ];
        let categories = Category::VARIANTS
            .iter()
            .map(|c| {
                let scored = c.parse::<Category>().is_ok_and(Category::is_scored);
                Row {
                    cells: vec![
                        (*c).to_owned(),
                        if scored { "scored 1–5, never added to money" } else { "money" }
                            .to_owned(),
                    ],
                }
            })
            .collect();
        let models = CATALOGUE
            .iter()
            .map(|(n, f, p)| Row { cells: vec![(*n).into(), (*f).into(), (*p).into()] })
            .collect();
        let evidence = g
            .risk_adjustment
            .iter()
            .map(|(grade, r)| Row { cells: vec![grade.to_string(), pct(*r)] })
            .collect();
        let rates = rates
            .iter()
            .map(|r| Row {
                cells: vec![
                    r.role.clone(),
                    r.business_unit.clone().unwrap_or_else(|| "all units".into()),
                    format!("{} {}", r.hourly.amount, r.hourly.currency),
                    r.valid_from.to_string(),
                    r.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                ],
            })
            .collect();
        let envs: Vec<String> = g.counted_environments.iter().map(ToString::to_string).collect();
        let usage_rules = vec![
            "Only successful runs of flows and agents count; failed, cancelled, running and \
             pending runs count zero."
                .to_owned(),
            "Apps count their sessions and their distinct active users.".to_owned(),
            format!(
                "Usage counts only in environments of type {}; other environments (developer, \
                 sandbox, trial) are excluded unless the guideline says otherwise.",
                envs.join(", ")
            ),
            "Realized value is counted in complete months from go-live; the current month is a \
             forecast until it ends."
                .to_owned(),
        ];
        let accuracy_rules = vec![
            "An estimate is frozen when its solution is approved, with the guideline version in \
             force; later changes are re-estimates and leave it as it was."
                .to_owned(),
            format!(
                "Accuracy is realized ÷ estimated over the same months, checked once a solution \
                 has been live for {} months.",
                g.maturity_months
            ),
            format!("An estimate is accurate within ±{}.", pct(g.accuracy_tolerance)),
        ];
        Self {
            version,
            created_at: created_at.format("%Y-%m-%d").to_string(),
            created_by: created_by.to_owned(),
            note: note.map(str::to_owned),
            conventions,
            categories,
            models,
            evidence,
            rates,
            usage_rules,
            accuracy_rules,
        }
    }

    /// The document as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("# ROI guidelines, version {}\n\n", self.version));
        out.push_str(&format!(
            "Published {} by {}.{}\n\n",
            self.created_at,
            escape(&self.created_by),
            self.note.as_deref().map(|n| format!(" {}", escape(n))).unwrap_or_default()
        ));
        let list = |out: &mut String, title: &str, items: &[String]| {
            out.push_str(&format!("## {title}\n\n"));
            for i in items {
                out.push_str(&format!("- {}\n", escape(i)));
            }
            out.push('\n');
        };
        let table = |out: &mut String, title: &str, headers: &[&str], rows: &[Row]| {
            out.push_str(&format!(
                "## {title}\n\n| {} |\n|{}\n",
                headers.join(" | "),
                "---|".repeat(headers.len())
            ));
            for r in rows {
                let cells: Vec<String> = r.cells.iter().map(|c| escape(c)).collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            out.push('\n');
        };
        list(&mut out, "Conventions", &self.conventions);
        table(&mut out, "Value categories", &["category", "measured as"], &self.categories);
        table(&mut out, "Value models", &["model", "formula", "parameters"], &self.models);
        table(
            &mut out,
            "Evidence grades and risk adjustments",
            &["evidence", "benefit reduction"],
            &self.evidence,
        );
        table(
            &mut out,
            "Rate cards",
            &["role", "business unit", "hourly cost", "from", "to"],
            &self.rates,
        );
        list(&mut out, "What counts as usage", &self.usage_rules);
        list(&mut out, "Estimates and accuracy", &self.accuracy_rules);
        out
    }

    /// The document as a self-contained HTML page (inline CSS, no scripts, every value
    /// escaped).
    pub fn to_html(&self) -> Result<String, minijinja::Error> {
        let mut env = Environment::new();
        env.add_template("guideline.html", include_str!("../templates/guideline.html"))?;
        let doc = minijinja::Value::from(minijinja::value::Serde(self));
        env.get_template("guideline.html")?.render(context! { doc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(note: &str) -> GuidelineDocument {
        let mut g = Guideline::default();
        g.set("discount_rate", "8%").unwrap();
        GuidelineDocument::new(2, &g, Utc::now(), "ada", Some(note), &[])
    }

    #[test]
    fn the_document_states_the_versions_settings() {
        let md = doc("treasury rate").to_markdown();
        assert!(md.starts_with("# ROI guidelines, version 2\n"));
        assert!(md.contains("discounted at 8% a year"), "{md}");
        assert!(md.contains("| owner-estimate | 20% |"), "{md}");
        // Each table's delimiter row has one cell per header, as CommonMark tables require.
        assert!(md.contains("| evidence | benefit reduction |\n|---|---|\n"), "{md}");
        assert!(md.contains("| time-saved-per-use | uses × minutes\\_per\\_use"), "{md}");
        assert!(md.contains("environments of type production, default"), "{md}");
    }

    #[test]
    fn text_from_the_store_is_escaped_in_both_forms() {
        let d = doc("<script>alert(1)</script> | *bold*");
        let html = d.to_html().unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("http://") && !html.contains("https://"), "no external resource");
        let md = d.to_markdown();
        assert!(md.contains("\\<script\\>") && md.contains("\\| \\*bold\\*"), "{md}");
    }
}
