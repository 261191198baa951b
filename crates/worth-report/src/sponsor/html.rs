//! index.html: one self-contained page (inline CSS and SVG, no script, no external URL) that
//! reads on a phone and prints to PDF. The template escapes every value; only the charts,
//! whose SVG plotters writes with its text escaped, are inserted as markup.

use minijinja::Environment;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{ReportError, SolutionRow, SponsorReport, charts, format, tiles_display};

#[derive(Debug, Serialize)]
struct Tile {
    label: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct ChartView {
    id: &'static str,
    title: &'static str,
    svg: String,
}

#[derive(Debug, Serialize)]
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Everything the template shows, formatted.
#[derive(Debug, Serialize)]
struct View<'a> {
    report: &'a SponsorReport,
    tiles: Vec<Tile>,
    charts: Vec<ChartView>,
    tei: Table,
    top: Table,
    bottom: Table,
    business_units: Table,
    categories: Table,
    all_solutions: Table,
    chargeback: String,
}

struct Fmt<'a> {
    report: &'a SponsorReport,
}

impl Fmt<'_> {
    fn money(&self, v: Decimal) -> String {
        format::number(v, &self.report.locale)
    }
    fn opt_money(&self, v: Option<Decimal>) -> String {
        v.map_or_else(|| "n/a".into(), |v| self.money(v))
    }
    fn pct(&self, v: Option<Decimal>) -> String {
        v.map_or_else(|| "n/a".into(), |v| format::percent(v, &self.report.locale))
    }
    fn months(&self, v: Option<Decimal>) -> String {
        v.map_or_else(|| "not reached".into(), |v| format::number(v, &self.report.locale))
    }
}

fn solutions_table(f: &Fmt<'_>, ids: &[i64]) -> Table {
    let cur = &f.report.currency;
    let rows = ids
        .iter()
        .filter_map(|id| f.report.solution(*id))
        .map(|s: &SolutionRow| {
            vec![
                s.name.clone(),
                s.business_unit.clone(),
                s.evidence.clone().unwrap_or_else(|| "none".into()),
                f.money(s.value_realized),
                f.money(s.npv),
                f.pct(s.roi_percent),
                f.pct(s.accuracy_percent),
            ]
        })
        .collect();
    Table {
        headers: vec![
            "solution".into(),
            "business unit".into(),
            "evidence".into(),
            format!("value realized ({cur})"),
            format!("NPV ({cur})"),
            "ROI".into(),
            "realized ÷ estimated".into(),
        ],
        rows,
    }
}

/// The page.
pub fn render(report: &SponsorReport) -> Result<String, ReportError> {
    let f = Fmt { report };
    let cur = &report.currency;
    let tiles: Vec<Tile> =
        tiles_display(report).into_iter().map(|(label, value)| Tile { label, value }).collect();
    let charts: Vec<ChartView> = charts::all(report)?
        .into_iter()
        .map(|c| ChartView { id: c.id, title: c.title, svg: c.svg })
        .collect();

    let mut tei_headers = vec![format!("{cur}")];
    tei_headers.extend(report.tei.columns.iter().cloned());
    tei_headers.push("Total".into());
    tei_headers.push("Present value".into());
    let tei = Table {
        headers: tei_headers,
        rows: report
            .tei
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![r.label.clone()];
                row.extend(r.values.iter().map(|v| f.money(*v)));
                row.push(f.money(r.total));
                row.push(r.present_value.map_or_else(String::new, |v| f.money(v)));
                row
            })
            .collect(),
    };
    let groups = |rows: &[super::GroupRow], with_costs: bool| Table {
        headers: if with_costs {
            vec![
                "business unit".into(),
                "solutions".into(),
                format!("value realized ({cur})"),
                format!("PV benefits ({cur})"),
                format!("PV costs ({cur})"),
                format!("NPV ({cur})"),
                "ROI".into(),
            ]
        } else {
            vec![
                "category".into(),
                "solutions".into(),
                format!("value realized ({cur})"),
                format!("PV benefits ({cur})"),
            ]
        },
        rows: rows
            .iter()
            .map(|g| {
                let mut row = vec![
                    g.key.clone(),
                    g.solutions.to_string(),
                    f.money(g.value_realized),
                    f.money(g.pv_benefits),
                ];
                if with_costs {
                    row.extend([f.opt_money(g.pv_costs), f.opt_money(g.npv), f.pct(g.roi_percent)]);
                }
                row
            })
            .collect(),
    };
    let all_solutions = Table {
        headers: vec![
            "solution".into(),
            "business unit".into(),
            "stage".into(),
            "evidence".into(),
            format!("value realized ({cur})"),
            format!("PV benefits ({cur})"),
            format!("PV costs ({cur})"),
            format!("NPV ({cur})"),
            "ROI".into(),
            "payback (months)".into(),
        ],
        rows: report
            .solutions
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.business_unit.clone(),
                    s.stage.clone().unwrap_or_default(),
                    s.evidence.clone().unwrap_or_else(|| "none".into()),
                    f.money(s.value_realized),
                    f.money(s.pv_benefits),
                    f.money(s.pv_costs),
                    f.money(s.npv),
                    f.pct(s.roi_percent),
                    f.months(s.payback_months),
                ]
            })
            .collect(),
    };

    let chargeback = match &report.chargeback {
        Some(c) => super::chargeback::html(c, &report.locale)
            .map_err(|e| ReportError::Html(e.to_string()))?,
        None => String::new(),
    };

    let mut env = Environment::new();
    env.add_template("sponsor.html", include_str!("../../templates/sponsor.html"))
        .map_err(|e| ReportError::Html(e.to_string()))?;
    env.add_template("program.html", include_str!("../../templates/program.html"))
        .map_err(|e| ReportError::Html(e.to_string()))?;
    env.get_template("sponsor.html")
        .and_then(|t| {
            t.render(minijinja::Value::from(minijinja::value::Serde(View {
                report,
                tiles,
                charts,
                tei,
                top: solutions_table(&f, &report.top),
                bottom: solutions_table(&f, &report.bottom),
                business_units: groups(&report.business_units, true),
                categories: groups(&report.categories, false),
                all_solutions,
                chargeback,
            })))
        })
        .map_err(|e| ReportError::Html(e.to_string()))
}
