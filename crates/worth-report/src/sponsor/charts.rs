//! The report's charts, drawn with plotters' SVG backend into strings for inline use.
//!
//! Text is written as SVG `<text>` (escaped by the backend) and laid out with plotters'
//! font-free estimate, so no system font is needed; the page's CSS chooses the face. Amounts
//! are plotted as `f64`, which is drawing only: every figure shown as text comes from the
//! report's decimals.

use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Bar, ReportError, SponsorReport, format};

const WIDTH: u32 = 720;
const FONT: &str = "sans-serif";
/// Label size in plotters' points (it draws them at about 0.8 px a point).
const LABEL: u32 = 15;
const VALUE: RGBColor = RGBColor(0x1b, 0x7f, 0x5c);
const FORECAST: RGBColor = RGBColor(0x9c, 0xd6, 0xbf);
const COST: RGBColor = RGBColor(0xc4, 0x4d, 0x3a);
const NET: RGBColor = RGBColor(0x1f, 0x4e, 0x9c);

/// One chart: its id, title and SVG.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) svg: String,
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A range that holds `values` and zero, never empty.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.08).max(1.0);
    (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad)
}

fn err(chart: &'static str) -> impl Fn(String) -> ReportError {
    move |message| ReportError::Chart { chart, message }
}

fn draw<F>(
    id: &'static str,
    title: &'static str,
    height: u32,
    paint: F,
) -> Result<Chart, ReportError>
where
    F: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string()).map_err(err(id))?;
        paint(&root).map_err(err(id))?;
        root.present().map_err(|e| e.to_string()).map_err(err(id))?;
    }
    Ok(Chart { id, title, svg })
}

/// Every chart of the report, in the order the page shows them.
pub(crate) fn all(report: &SponsorReport) -> Result<Vec<Chart>, ReportError> {
    Ok(vec![
        monthly(report)?,
        horizontal_bars(
            "value-by-business-unit",
            "Value realized by business unit",
            &report.charts.value_by_business_unit,
            report,
        )?,
        horizontal_bars(
            "value-by-category",
            "Value realized by category",
            &report.charts.value_by_category,
            report,
        )?,
        scatter(report)?,
        time_to_value(report)?,
    ])
}

fn short_money(v: f64, report: &SponsorReport) -> String {
    let d = Decimal::from_f64_retain(v.round()).unwrap_or_default();
    format::number(d, &report.locale)
}

fn monthly(report: &SponsorReport) -> Result<Chart, ReportError> {
    let rows = &report.charts.monthly;
    draw("value-and-cost", "Value and cost per month, with the cumulative net", 380, |root| {
        let n = rows.len().max(1);
        let (lo, hi) = range(rows.iter().flat_map(|m| {
            [f(m.value_realized + m.value_forecast), f(m.costs), f(m.cumulative_net)]
        }));
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(84)
            .build_cartesian_2d(0f64..n as f64, lo..hi)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> =
            rows.iter().map(|m| m.month.format("%Y-%m").to_string()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.min(12))
            .x_label_formatter(&|x| {
                labels
                    .iter()
                    .enumerate()
                    .find(|(j, _)| (*j as f64) <= *x && *x < *j as f64 + 1.0)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| short_money(*y, report))
            .label_style((FONT, LABEL))
            .draw()
            .map_err(|e| e.to_string())?;
        let at = |i: usize| i as f64;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, m)| {
                Rectangle::new(
                    [(at(i) + 0.1, 0.0), (at(i) + 0.48, f(m.value_realized))],
                    VALUE.filled(),
                )
            }))
            .map_err(|e| e.to_string())?
            .label(format!("value realized ({})", report.currency))
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], VALUE.filled()));
        chart
            .draw_series(rows.iter().enumerate().filter(|(_, m)| !m.value_forecast.is_zero()).map(
                |(i, m)| {
                    let base = f(m.value_realized);
                    Rectangle::new(
                        [(at(i) + 0.1, base), (at(i) + 0.48, base + f(m.value_forecast))],
                        FORECAST.filled(),
                    )
                },
            ))
            .map_err(|e| e.to_string())?
            .label("value forecast")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], FORECAST.filled()));
        chart
            .draw_series(rows.iter().enumerate().map(|(i, m)| {
                Rectangle::new([(at(i) + 0.52, 0.0), (at(i) + 0.9, f(m.costs))], COST.filled())
            }))
            .map_err(|e| e.to_string())?
            .label("costs")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], COST.filled()));
        chart
            .draw_series(LineSeries::new(
                rows.iter().enumerate().map(|(i, m)| (at(i) + 0.5, f(m.cumulative_net))),
                NET.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?
            .label("cumulative net")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], NET.stroke_width(3)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, LABEL))
            .draw()
            .map_err(|e| e.to_string())
    })
}

fn horizontal_bars(
    id: &'static str,
    title: &'static str,
    bars: &[Bar],
    report: &SponsorReport,
) -> Result<Chart, ReportError> {
    let n = bars.len().max(1);
    let height = u32::try_from(60 + 34 * n).unwrap_or(u32::MAX).min(1600);
    draw(id, title, height, |root| {
        let (lo, hi) = range(bars.iter().map(|b| f(b.value)));
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(180)
            .build_cartesian_2d(lo..hi, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    bars.get(*i).map(|b| shorten(&b.key, 28)).unwrap_or_default()
                }
                _ => String::new(),
            })
            .x_label_formatter(&|x| short_money(*x, report))
            .x_labels(6)
            .label_style((FONT, LABEL))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let mut r = Rectangle::new(
                    [(0.0, SegmentValue::Exact(i)), (f(b.value), SegmentValue::Exact(i + 1))],
                    VALUE.filled(),
                );
                r.set_margin(5, 5, 0, 0);
                r
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

fn scatter(report: &SponsorReport) -> Result<Chart, ReportError> {
    let points = &report.charts.estimated_vs_realized;
    draw("estimated-vs-realized", "Estimated against realized value, per solution", 420, |root| {
        let (_, hi) = range(points.iter().flat_map(|p| [f(p.estimated), f(p.realized)]));
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d(0f64..hi, 0f64..hi)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(format!("estimated ({})", report.currency))
            .y_desc(format!("realized ({})", report.currency))
            .x_label_formatter(&|x| short_money(*x, report))
            .y_label_formatter(&|y| short_money(*y, report))
            .x_labels(5)
            .label_style((FONT, LABEL))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (hi, hi)], BLACK.mix(0.4)))
            .map_err(|e| e.to_string())?
            .label("realized = estimated")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.mix(0.4)));
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((f(p.estimated), f(p.realized)), 5, NET.filled())),
            )
            .map_err(|e| e.to_string())?
            .label("a solution")
            .legend(|(x, y)| Circle::new((x + 6, y), 5, NET.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, LABEL))
            .draw()
            .map_err(|e| e.to_string())
    })
}

fn time_to_value(report: &SponsorReport) -> Result<Chart, ReportError> {
    let rows = &report.charts.time_to_value;
    draw(
        "time-to-value",
        "Time to value: months from intake to first realized value",
        320,
        |root| {
            let months: Vec<usize> =
                rows.iter().map(|t| usize::try_from(t.months.max(0)).unwrap_or(0)).collect();
            let top = months.iter().copied().max().unwrap_or(0) + 1;
            let mut counts = vec![0u32; top];
            for m in &months {
                counts[*m] += 1;
            }
            let most = counts.iter().copied().max().unwrap_or(0).max(1);
            let mut chart = ChartBuilder::on(root)
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(50)
                .build_cartesian_2d((0..top).into_segmented(), 0u32..most + 1)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("months")
                .y_desc("solutions")
                .x_labels(top.min(24))
                .y_labels(usize::try_from(most + 2).unwrap_or(2).min(10))
                .label_style((FONT, LABEL))
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(
                    Histogram::vertical(&chart)
                        .style(VALUE.filled())
                        .margin(4)
                        .data(months.iter().map(|m| (*m, 1u32))),
                )
                .map_err(|e| e.to_string())?;
            Ok(())
        },
    )
}
