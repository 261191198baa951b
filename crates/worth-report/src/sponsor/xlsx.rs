//! value-report.xlsx: the report's tables as a workbook for finance partners, money as
//! numbers with a currency format so the sheets can be summed and checked.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{ReportError, SponsorReport};

/// What a tile's number is.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Money,
    Percent,
    Count,
}

fn n(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

struct Formats {
    money: Format,
    percent: Format,
    count: Format,
    bold: Format,
}

/// The workbook's bytes: sheets Tiles, TEI, Solutions, Business units and Problems.
pub fn render(report: &SponsorReport) -> Result<Vec<u8>, ReportError> {
    build(report).map_err(|e| ReportError::Xlsx(e.to_string()))
}

fn build(report: &SponsorReport) -> Result<Vec<u8>, XlsxError> {
    let digits = report.tiles.value_realized.scale().max(report.tiles.npv.scale());
    let zeros = "0".repeat(usize::try_from(digits).unwrap_or(2));
    let money_format = if zeros.is_empty() {
        format!("#,##0 \"{}\"", report.currency)
    } else {
        format!("#,##0.{zeros} \"{}\"", report.currency)
    };
    let fm = Formats {
        money: Format::new().set_num_format(money_format),
        percent: Format::new().set_num_format("0.00\"%\""),
        count: Format::new().set_num_format("#,##0.#"),
        bold: Format::new().set_bold(),
    };
    let mut wb = Workbook::new();
    tiles(wb.add_worksheet(), report, &fm)?;
    tei(wb.add_worksheet(), report, &fm)?;
    solutions(wb.add_worksheet(), report, &fm)?;
    business_units(wb.add_worksheet(), report, &fm)?;
    problems(wb.add_worksheet(), report, &fm)?;
    if let Some(p) = &report.program {
        super::program::key_results_sheet(wb.add_worksheet(), p, &fm.bold, &fm.percent)?;
    }
    if let Some(c) = &report.chargeback {
        super::chargeback::sheet(wb.add_worksheet(), c, &fm.money, &fm.bold)?;
    }
    wb.save_to_buffer()
}

fn header(ws: &mut Worksheet, fm: &Formats, cells: &[&str]) -> Result<(), XlsxError> {
    for (c, h) in cells.iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(c).unwrap_or(u16::MAX), *h, &fm.bold)?;
    }
    Ok(())
}

fn opt(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<Decimal>,
    format: &Format,
) -> Result<(), XlsxError> {
    match v {
        Some(v) => ws.write_number_with_format(row, col, n(v), format)?,
        None => ws.write_string(row, col, "n/a")?,
    };
    Ok(())
}

fn tiles(ws: &mut Worksheet, r: &SponsorReport, fm: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Tiles")?;
    header(ws, fm, &["figure", "value", "report.json"])?;
    let t = &r.tiles;
    let rows: Vec<(&str, Option<Decimal>, Unit, &str)> = vec![
        ("Value realized", Some(t.value_realized), Unit::Money, "/tiles/value_realized"),
        (
            "Value realized, risk-adjusted",
            Some(t.value_realized_risk_adjusted),
            Unit::Money,
            "/tiles/value_realized_risk_adjusted",
        ),
        ("Costs in the period", Some(t.costs), Unit::Money, "/tiles/costs"),
        ("Net in the period", Some(t.net), Unit::Money, "/tiles/net"),
        ("Value to date", Some(t.value_to_date), Unit::Money, "/tiles/value_to_date"),
        ("PV benefits", Some(t.pv_benefits), Unit::Money, "/tiles/pv_benefits"),
        ("PV costs", Some(t.pv_costs), Unit::Money, "/tiles/pv_costs"),
        ("NPV", Some(t.npv), Unit::Money, "/tiles/npv"),
        ("ROI", t.roi_percent, Unit::Percent, "/tiles/roi_percent"),
        ("Payback (months)", t.payback_months, Unit::Count, "/tiles/payback_months"),
        (
            "Estimates within tolerance",
            t.accurate_estimates_percent,
            Unit::Percent,
            "/tiles/accurate_estimates_percent",
        ),
        (
            "Median realized ÷ estimated",
            t.median_accuracy_percent,
            Unit::Percent,
            "/tiles/median_accuracy_percent",
        ),
        (
            "Estimates checked",
            Some(Decimal::from(t.estimates_checked)),
            Unit::Count,
            "/tiles/estimates_checked",
        ),
        (
            "Live solutions",
            Some(Decimal::from(t.live_solutions)),
            Unit::Count,
            "/tiles/live_solutions",
        ),
        ("Active users", Some(t.active_users), Unit::Count, "/tiles/active_users"),
        ("Hours returned", Some(t.hours_returned), Unit::Count, "/tiles/hours_returned"),
    ];
    for (i, (label, value, unit, path)) in rows.into_iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(row, 0, label)?;
        let format = match unit {
            Unit::Money => &fm.money,
            Unit::Percent => &fm.percent,
            Unit::Count => &fm.count,
        };
        opt(ws, row, 1, value, format)?;
        ws.write_string(row, 2, path)?;
    }
    ws.write_string(
        20,
        0,
        format!("Period {}, guideline v{}", r.period.label, r.guideline.version),
    )?;
    ws.set_column_width(0, 32)?;
    ws.set_column_width(1, 20)?;
    ws.set_column_width(2, 36)?;
    Ok(())
}

fn tei(ws: &mut Worksheet, r: &SponsorReport, fm: &Formats) -> Result<(), XlsxError> {
    ws.set_name("TEI")?;
    let mut heads: Vec<&str> = vec![""];
    heads.extend(r.tei.columns.iter().map(String::as_str));
    heads.extend(["Total", "Present value"]);
    header(ws, fm, &heads)?;
    for (i, row) in r.tei.rows.iter().enumerate() {
        let y = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(y, 0, &row.label)?;
        let mut col: u16 = 1;
        for v in &row.values {
            ws.write_number_with_format(y, col, n(*v), &fm.money)?;
            col += 1;
        }
        ws.write_number_with_format(y, col, n(row.total), &fm.money)?;
        if let Some(pv) = row.present_value {
            ws.write_number_with_format(y, col + 1, n(pv), &fm.money)?;
        }
    }
    ws.set_column_width(0, 32)?;
    Ok(())
}

fn solutions(ws: &mut Worksheet, r: &SponsorReport, fm: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Solutions")?;
    header(
        ws,
        fm,
        &[
            "id",
            "solution",
            "business unit",
            "kind",
            "stage",
            "evidence",
            "value realized",
            "PV benefits",
            "PV costs",
            "NPV",
            "ROI",
            "payback (months)",
            "realized ÷ estimated",
        ],
    )?;
    for (i, s) in r.solutions.iter().enumerate() {
        let y = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_number(y, 0, n(Decimal::from(s.id)))?;
        ws.write_string(y, 1, &s.name)?;
        ws.write_string(y, 2, &s.business_unit)?;
        ws.write_string(y, 3, &s.kind)?;
        ws.write_string(y, 4, s.stage.as_deref().unwrap_or(""))?;
        ws.write_string(y, 5, s.evidence.as_deref().unwrap_or(""))?;
        ws.write_number_with_format(y, 6, n(s.value_realized), &fm.money)?;
        ws.write_number_with_format(y, 7, n(s.pv_benefits), &fm.money)?;
        ws.write_number_with_format(y, 8, n(s.pv_costs), &fm.money)?;
        ws.write_number_with_format(y, 9, n(s.npv), &fm.money)?;
        opt(ws, y, 10, s.roi_percent, &fm.percent)?;
        opt(ws, y, 11, s.payback_months, &fm.count)?;
        opt(ws, y, 12, s.accuracy_percent, &fm.percent)?;
    }
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 20)?;
    Ok(())
}

fn business_units(ws: &mut Worksheet, r: &SponsorReport, fm: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Business units")?;
    header(
        ws,
        fm,
        &["business unit", "solutions", "value realized", "PV benefits", "PV costs", "NPV", "ROI"],
    )?;
    for (i, g) in r.business_units.iter().enumerate() {
        let y = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(y, 0, &g.key)?;
        ws.write_number(y, 1, n(Decimal::from(g.solutions)))?;
        ws.write_number_with_format(y, 2, n(g.value_realized), &fm.money)?;
        ws.write_number_with_format(y, 3, n(g.pv_benefits), &fm.money)?;
        opt(ws, y, 4, g.pv_costs, &fm.money)?;
        opt(ws, y, 5, g.npv, &fm.money)?;
        opt(ws, y, 6, g.roi_percent, &fm.percent)?;
    }
    ws.set_column_width(0, 28)?;
    Ok(())
}

fn problems(ws: &mut Worksheet, r: &SponsorReport, fm: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Problems")?;
    header(ws, fm, &["found by", "kind", "subject", "message"])?;
    for (i, p) in r.problems.iter().enumerate() {
        let y = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(y, 0, &p.found_by)?;
        ws.write_string(y, 1, &p.kind)?;
        ws.write_string(y, 2, &p.subject)?;
        ws.write_string(y, 3, &p.message)?;
    }
    ws.set_column_width(2, 40)?;
    ws.set_column_width(3, 80)?;
    Ok(())
}
