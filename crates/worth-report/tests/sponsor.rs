//! The sponsor report on a hand-built portfolio: report.json round-trips and agrees with the
//! engine to the cent, index.html is self-contained and its headlines quote report.json,
//! value-report.xlsx opens and agrees with report.json, text from the store stays text, and
//! report.json is snapshotted.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::dec;
use rust_decimal::prelude::FromPrimitive;
use serde_json::Value;
use worth_core::fx::FxTable;
use worth_core::guideline::Guideline;
use worth_core::period::add_months;
use worth_core::rates::RateCard;
use worth_core::solution::{Criticality, LifecycleEvent, Solution, SolutionKind, Stage};
use worth_core::value::accuracy::{AccuracyReport, accuracy};
use worth_core::value::engine::{Context, SolutionData};
use worth_core::value::financial::{round_amount, round_money};
use worth_core::value::models::{Measured, ModelSpec};
use worth_core::value::portfolio::{Group, GroupBy, Portfolio, evaluate};
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade, ValueLine};
use worth_core::workspace::WorkspaceSettings;
use worth_core::{Currency, Money};
use worth_report::sponsor::{
    ReportInput, SponsorReport, format, render_html, render_json, render_markdown, render_xlsx,
    write_all,
};

const SCRIPT_NAME: &str = "Vendor <script>alert(1)</script> checker";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn solution(id: i64, name: &str, bu: &str, kind: SolutionKind, live: &str) -> Solution {
    Solution {
        id,
        name: name.into(),
        kind,
        platform: "power-platform".into(),
        business_unit: bu.into(),
        environment: None,
        owner: Some(format!("owner of {name}")),
        criticality: Criticality::Standard,
        external_ids: vec![],
        lifecycle: vec![
            LifecycleEvent { stage: Stage::Idea, on: d("2024-10-07"), note: None },
            LifecycleEvent { stage: Stage::Live, on: d(live), note: None },
        ],
    }
}

fn spec(model: &str, pairs: &[(&str, &str)]) -> ModelSpec {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    ModelSpec::from_pairs(model, &pairs).unwrap()
}

fn line(id: i64, solution_id: i64, category: Category, spec: ModelSpec) -> ValueLine {
    ValueLine {
        id,
        solution_id,
        name: format!("line {id}"),
        category,
        spec,
        currency: usd(),
        attribution: Decimal::ONE,
        evidence: EvidenceGrade::SystemData,
        process: None,
        start: d("2025-01-01"),
        horizon_months: 36,
        frozen: None,
    }
}

fn cost(solution_id: i64, kind: CostKind, amount: Decimal, start: &str) -> CostLine {
    CostLine {
        id: 0,
        solution_id,
        kind,
        item: if kind == CostKind::OneTime { "build".into() } else { "license".into() },
        amount: Money::new(amount, usd()),
        start: d(start),
        end: None,
        basis: None,
    }
}

/// Monthly usage from January 2025: `uses` grows by `step` a month.
fn usage(uses: i64, step: i64, users: i64) -> BTreeMap<NaiveDate, Measured> {
    (0..9)
        .map(|i| {
            let month = add_months(d("2025-01-01"), i);
            let m = Measured {
                uses: Decimal::from(uses + step * i64::from(i)),
                active_users: Decimal::from(users),
                source: "test rollups".into(),
                ..Measured::default()
            };
            (month, m)
        })
        .collect()
}

/// The hand-built tenant: four solutions in two business units.
struct Tenant {
    solutions: Vec<Solution>,
    lines: Vec<Vec<ValueLine>>,
    costs: Vec<Vec<CostLine>>,
    usage: Vec<BTreeMap<NaiveDate, Measured>>,
    guideline: Guideline,
    rates: Vec<RateCard>,
    fx: FxTable,
}

fn tenant() -> Tenant {
    let solutions = vec![
        solution(1, "Invoice approvals", "Finance", SolutionKind::CloudFlow, "2025-01-10"),
        solution(2, "Onboarding app", "People", SolutionKind::CanvasApp, "2025-02-03"),
        solution(3, SCRIPT_NAME, "Finance", SolutionKind::CloudFlow, "2025-03-01"),
        solution(4, "Idle tracker", "People", SolutionKind::CanvasApp, "2025-01-05"),
    ];
    let per_use = |uses: &str| {
        spec(
            "time-saved-per-use",
            &[("minutes_per_use", "6"), ("role", "analyst"), ("estimated_uses", uses)],
        )
    };
    let mut vendor =
        line(3, 3, Category::CostReduction, spec("fixed-amount", &[("amount_per_month", "1000")]));
    vendor.evidence = EvidenceGrade::OwnerEstimate;
    let lines = vec![
        vec![line(1, 1, Category::TimeSavings, per_use("500/month"))],
        vec![line(
            2,
            2,
            Category::TimeSavings,
            spec(
                "time-saved-per-user",
                &[("minutes_per_week", "30"), ("role", "analyst"), ("estimated_users", "40")],
            ),
        )],
        vec![vendor],
        vec![line(4, 4, Category::TimeSavings, per_use("300/month"))],
    ];
    let costs = vec![
        vec![
            cost(1, CostKind::OneTime, dec!(3000), "2024-12-01"),
            cost(1, CostKind::Monthly, dec!(100), "2025-01-01"),
        ],
        vec![
            cost(2, CostKind::OneTime, dec!(5000), "2025-01-15"),
            cost(2, CostKind::Monthly, dec!(250), "2025-02-01"),
        ],
        vec![cost(3, CostKind::OneTime, dec!(2000), "2025-02-10")],
        vec![cost(4, CostKind::Monthly, dec!(50), "2025-01-01")],
    ];
    let usage = vec![usage(400, 25, 20), usage(0, 0, 30), BTreeMap::new(), BTreeMap::new()];
    let rates = vec![RateCard {
        id: 1,
        role: "Analyst".into(),
        business_unit: None,
        hourly: Money::new(dec!(60), usd()),
        valid_from: d("2024-01-01"),
        valid_to: None,
    }];
    Tenant {
        solutions,
        lines,
        costs,
        usage,
        guideline: Guideline::default(),
        rates,
        fx: FxTable::default(),
    }
}

struct Evaluated {
    portfolio: Portfolio,
    by_bu: Vec<Group>,
    by_category: Vec<Group>,
    accuracy: AccuracyReport,
}

fn ctx(t: &Tenant) -> Context<'_> {
    Context {
        guideline: &t.guideline,
        guideline_version: 2,
        rates: &t.rates,
        fx: &t.fx,
        currency: usd(),
        today: d("2025-10-15"),
        explain: false,
    }
}

fn data(t: &Tenant) -> Vec<SolutionData<'_>> {
    (0..t.solutions.len())
        .map(|i| SolutionData {
            solution: &t.solutions[i],
            lines: &t.lines[i],
            costs: &t.costs[i],
            usage: &t.usage[i],
        })
        .collect()
}

fn evaluated(t: &Tenant) -> Evaluated {
    let c = ctx(t);
    let portfolio = evaluate(&c, &data(t));
    Evaluated {
        by_bu: portfolio.group(&c, GroupBy::BusinessUnit),
        by_category: portfolio.group(&c, GroupBy::Category),
        accuracy: accuracy(&c, &portfolio),
        portfolio,
    }
}

fn report_for(t: &Tenant, e: &Evaluated, locale: &str) -> SponsorReport {
    report_between(t, e, locale, "2025-01-01", "2025-09-01")
}

fn report_between(t: &Tenant, e: &Evaluated, locale: &str, from: &str, to: &str) -> SponsorReport {
    let c = ctx(t);
    let data = data(t);
    let settings = WorkspaceSettings {
        currency: usd(),
        fiscal_year_start_month: 1,
        locale: locale.into(),
        as_of: None,
    };
    SponsorReport::build(&ReportInput {
        ctx: &c,
        data: &data,
        portfolio: &e.portfolio,
        by_business_unit: &e.by_bu,
        by_category: &e.by_category,
        accuracy: &e.accuracy,
        settings: &settings,
        from: d(from),
        to: d(to),
    })
}

fn report() -> (SponsorReport, Evaluated) {
    let t = tenant();
    let e = evaluated(&t);
    (report_for(&t, &e, "en-US"), e)
}

/// A JSON figure (a decimal string or a number) as a decimal.
fn decimal(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.to_string().parse().unwrap(),
        other => panic!("not a figure: {other}"),
    }
}

/// A number as the report writes it, read back: separators dropped, the decimal mark a point.
fn parse_shown(shown: &str, locale: &str) -> Decimal {
    let (group, mark) = format::separators(locale);
    let digits: String = shown
        .replace(group, "")
        .replace(mark, ".")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    digits.trim_end_matches('.').parse().unwrap()
}

#[test]
fn report_json_round_trips_and_its_tiles_are_the_engines_figures() {
    let (r, e) = report();
    let json = render_json(&r).unwrap();
    let back: SponsorReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);

    let t = &e.portfolio.total;
    assert_eq!(r.tiles.npv, round_money(t.npv, 2));
    assert_eq!(r.tiles.pv_benefits, round_money(t.pv_benefits, 2));
    assert_eq!(r.tiles.pv_costs, round_money(t.pv_costs, 2));
    assert_eq!(r.tiles.roi_percent, t.roi.map(|x| round_money(x * 100.0, 2)));
    assert_eq!(r.tiles.value_to_date, round_amount(t.value_to_date, 2));
    let realized: Decimal = e
        .portfolio
        .solutions
        .iter()
        .flat_map(|s| s.lines.iter())
        .map(|l| l.realized_between(d("2025-01-01"), d("2025-10-01")))
        .sum();
    assert_eq!(r.tiles.value_realized, round_amount(realized, 2));
    assert!(r.tiles.value_realized > Decimal::ZERO);
    assert_eq!(r.tiles.live_solutions, 4);
    // Costs in the period (the 3,000 build of December 2024 falls before it): 9 × 100,
    // 5,000 + 8 × 250, 2,000, 9 × 50.
    assert_eq!(r.tiles.costs, dec!(10350.00));
    // Invoice approvals: (400 + 425 + … + 600) uses × 6 min ÷ 60 = 450 h; onboarding: 30
    // users × 30 min a week × 8 months × weeks per month ÷ 60.
    let weeks = worth_core::value::quantity::Frequency::Week.per_month(&Guideline::default());
    let expected = dec!(450) + dec!(30) * dec!(30) * dec!(8) * weeks / dec!(60);
    assert_eq!(r.tiles.hours_returned, round_amount(expected, 1));
    // The monthly series adds up to the tiles.
    let costs: Decimal = r.charts.monthly.iter().map(|m| m.costs).sum();
    assert_eq!(costs, r.tiles.costs);
    let last = r.charts.monthly.last().unwrap();
    let value: Decimal = r.charts.monthly.iter().map(|m| m.value_realized).sum();
    assert_eq!(last.cumulative_net, value - costs);
    // Idle tracker was never checked, and the report says so.
    assert!(r.problems.iter().any(|p| p.kind == "never_checked" && p.subject.contains("Idle")));
}

#[test]
fn index_html_is_self_contained_and_its_headlines_quote_report_json() {
    let (r, _) = report();
    let html = render_html(&r).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert!(!html.to_lowercase().contains("<script"), "a script tag");
    let any = scraper::Selector::parse("*").unwrap();
    for el in doc.select(&any) {
        for (name, value) in el.value().attrs() {
            if name == "src" || name.ends_with("href") {
                let v = value.trim().to_lowercase();
                assert!(
                    !(v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")),
                    "external URL {name}={value}"
                );
            }
        }
    }
    let svg = scraper::Selector::parse("figure.chart svg").unwrap();
    assert_eq!(doc.select(&svg).count(), 5);
    let rects = scraper::Selector::parse("figure#chart-value-and-cost rect").unwrap();
    assert!(doc.select(&rects).count() > 9, "value-and-cost chart is empty");

    assert!(r.headlines.len() >= 4, "{:#?}", r.headlines);
    check_headlines(&r, &doc);
}

/// Every headline of the page is the report's, quotes its figures as report.json holds them,
/// and has no other number.
fn check_headlines(r: &SponsorReport, doc: &scraper::Html) {
    let json: Value = serde_json::from_str(&render_json(r).unwrap()).unwrap();
    let li = scraper::Selector::parse("li.headline").unwrap();
    let shown: Vec<String> = doc.select(&li).map(|e| e.text().collect()).collect();
    assert_eq!(shown.len(), r.headlines.len());
    let names: Vec<&str> = r.solutions.iter().map(|s| s.name.as_str()).collect();
    for (h, text) in r.headlines.iter().zip(&shown) {
        assert_eq!(&h.text, text);
        for f in &h.figures {
            let at = json.pointer(&f.path).unwrap_or_else(|| panic!("{} not in report", f.path));
            assert_eq!(decimal(at), f.value, "{}", f.path);
            assert!(text.contains(&f.shown), "{text} does not quote {}", f.shown);
            assert_eq!(parse_shown(&f.shown, &r.locale), f.value, "{}", f.shown);
        }
        // Every number in the sentence is one of its figures.
        let mut rest = text.clone();
        for n in &names {
            rest = rest.replace(n, "");
        }
        for f in &h.figures {
            rest = rest.replacen(&f.shown, "", 1);
        }
        assert!(!rest.chars().any(|c| c.is_ascii_digit()), "unquoted number in {text}: {rest}");
    }
}

#[test]
fn value_report_xlsx_opens_and_its_totals_are_report_jsons() {
    let (r, _) = report();
    let json: Value = serde_json::from_str(&render_json(&r).unwrap()).unwrap();
    let bytes = render_xlsx(&r).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Tiles", "TEI", "Solutions", "Business units", "Problems"].map(String::from)
    );
    let cents = |v: f64| Decimal::from_f64(v).unwrap().round_dp(2);

    let tiles = book.worksheet_range("Tiles").unwrap();
    let mut checked = 0;
    for row in tiles.rows().skip(1) {
        let (Some(Data::Float(v)), Some(Data::String(path))) = (row.get(1), row.get(2)) else {
            continue;
        };
        assert_eq!(cents(*v), decimal(json.pointer(path).unwrap()).round_dp(2), "{path}");
        checked += 1;
    }
    assert!(checked >= 12, "{checked}");

    let tei = book.worksheet_range("TEI").unwrap();
    let npv_row =
        tei.rows().find(|row| row[0] == Data::String("Net benefits, risk-adjusted".into()));
    let last = npv_row.unwrap().last().unwrap().clone();
    let Data::Float(npv) = last else { panic!("{last:?}") };
    assert_eq!(cents(npv), r.tiles.npv);

    let sols = book.worksheet_range("Solutions").unwrap();
    let sum: Decimal = sols
        .rows()
        .skip(1)
        .map(|row| match &row[6] {
            Data::Float(v) => cents(*v),
            other => panic!("{other:?}"),
        })
        .sum();
    let of_report: Decimal = r.solutions.iter().map(|s| s.value_realized).sum();
    assert_eq!(sum, of_report);
    assert_eq!(sum, r.tiles.value_realized);
}

#[test]
fn a_script_in_a_solution_name_stays_text() {
    let (r, _) = report();
    assert!(r.solutions.iter().any(|s| s.name == SCRIPT_NAME));
    let html = render_html(&r).unwrap();
    assert!(html.contains("Vendor &lt;script&gt;alert(1)&lt;"), "the name is not escaped");
    let doc = scraper::Html::parse_document(&html);
    let script = scraper::Selector::parse("script").unwrap();
    assert_eq!(doc.select(&script).count(), 0);
    let td = scraper::Selector::parse("td").unwrap();
    assert!(doc.select(&td).any(|e| e.text().collect::<String>() == SCRIPT_NAME));

    let md = render_markdown(&r);
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("\\<script\\>"), "{md}");
}

#[test]
fn amounts_follow_the_workspace_locale() {
    let t = tenant();
    let e = evaluated(&t);
    let de = report_for(&t, &e, "de-DE");
    let md = render_markdown(&de);
    let expected = format::money(de.tiles.costs, "USD", "de-DE");
    assert_eq!(expected, "10.350,00 USD");
    assert!(md.contains(&expected), "{md}");
    let html = render_html(&de).unwrap();
    assert!(html.contains("10.350,00"));
}

#[test]
fn write_all_writes_the_four_files() {
    let (r, _) = report();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let files = write_all(&r, &out).unwrap();
    let names: Vec<String> =
        files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["index.html", "value-report.xlsx", "headlines.md", "report.json"]);
    for f in &files {
        assert!(std::fs::metadata(f).unwrap().len() > 100, "{}", f.display());
    }
    let err = write_all(&r, &files[0].join("below-a-file")).unwrap_err();
    assert!(err.to_string().starts_with("cannot write"), "{err}");
}

#[test]
fn a_period_without_data_still_renders_and_its_headlines_still_quote_report_json() {
    let t = tenant();
    let e = evaluated(&t);
    let r = report_between(&t, &e, "fr-FR", "2023-01-01", "2023-06-01");
    assert!(r.tiles.value_realized.is_zero());
    assert!(r.headlines[0].text.starts_with("No value was realized"), "{:?}", r.headlines[0]);
    let doc = scraper::Html::parse_document(&render_html(&r).unwrap());
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    check_headlines(&r, &doc);
}

#[test]
fn report_json_snapshot() {
    let (r, _) = report();
    insta::assert_json_snapshot!("sponsor_report", r);
}

#[test]
fn the_program_sections_render_with_every_text_escaped() {
    use worth_report::sponsor::program::{
        KeyResultLine, ObjectiveLine, PilotLine, ProgramSection, StoryLine,
    };
    let (mut r, _) = report();
    assert!(!render_html(&r).unwrap().contains("Objectives and key results"));
    r.program = Some(ProgramSection {
        kpis: vec![],
        objectives: vec![ObjectiveLine {
            name: "Prove <b>value</b>".into(),
            progress_percent: Some(Decimal::new(625, 1)),
            key_results: vec![KeyResultLine {
                name: "Estimates within tolerance".into(),
                source: "estimate-accuracy".into(),
                value: "40%".into(),
                aim: "30% → 60%".into(),
                progress_percent: Some(Decimal::new(333, 1)),
                raw_percent: Some(Decimal::new(333, 1)),
                basis: "accurate ÷ checked".into(),
            }],
        }],
        stories: vec![StoryLine {
            title: SCRIPT_NAME.into(),
            status: "published".into(),
            measurable: true,
            headline: Some("realized 10 USD".into()),
        }],
        pilots: vec![PilotLine {
            name: "Triage".into(),
            kpi: "cases".into(),
            difference: None,
            interval: None,
            verdict: "cannot be told from chance".into(),
        }],
    });
    let html = render_html(&r).unwrap();
    assert!(html.contains("Prove &lt;b&gt;value&lt;&#x2f;b&gt;"), "{html}");
    assert!(html.contains("Estimates within tolerance") && html.contains("33.3%"));
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(doc.select(&scraper::Selector::parse("script").unwrap()).count(), 0);
    assert_eq!(doc.select(&scraper::Selector::parse("section#program").unwrap()).count(), 1);
    let md = render_markdown(&r);
    assert!(md.contains("## Objectives and key results") && !md.contains("<b>"), "{md}");
}
