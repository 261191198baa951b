//! The report's chargeback and license section: who paid what in the latest chargeback run
//! (both views, the Unallocated row, whether every pool reconciles to its source), and what
//! the license strategy would save each month. Built from the allocation's own results: the
//! amounts are the run's rounded statement lines, quoted, not recomputed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};
use worth_core::allocation::licenses::LicenseReport;
use worth_core::allocation::{Allocation, UNALLOCATED};

use super::format;
use crate::markdown::escape;

/// What the section shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargebackSection {
    /// The run's number.
    pub run: i64,
    /// Its period, `YYYY-MM`.
    pub period: String,
    /// The currency of the amounts (other currencies are left out and counted).
    pub currency: String,
    /// One row per business unit, Unallocated last.
    pub rows: Vec<ChargebackRow>,
    /// The billed total.
    pub total_billed: Decimal,
    /// The amortized total.
    pub total_amortized: Decimal,
    /// Whether every pool's lines sum to its source, to the cent, in both views.
    pub reconciles: bool,
    /// Lines in other currencies, not shown.
    pub other_currency_lines: usize,
    /// The license strategy.
    pub licenses: LicenseSection,
}

/// One business unit's charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargebackRow {
    /// The business unit, or `Unallocated`.
    pub target: String,
    /// What the invoice view charges it.
    pub billed: Decimal,
    /// What the amortized view charges it.
    pub amortized: Decimal,
}

/// The license strategy in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseSection {
    /// Licenses count as unused after this many days.
    pub unused_days: u32,
    /// The month of app use compared.
    pub month: String,
    /// Per action: how many recommendations and their saving per month.
    pub by_action: Vec<LicenseAction>,
    /// The projected saving per month, in the report's currency.
    pub saving_per_month: Decimal,
}

/// Recommendations of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseAction {
    /// `remove`, `switch-to-per-app` or `switch-to-pay-as-you-go`.
    pub action: String,
    /// How many.
    pub count: usize,
    /// Their saving per month.
    pub saving: Decimal,
}

impl ChargebackSection {
    /// Builds the section from a run's two views and the license strategy's findings.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        run: i64,
        period: &str,
        currency: &str,
        billed: &Allocation,
        amortized: &Allocation,
        reconciles: bool,
        licenses: &LicenseReport,
        unused_days: u32,
        month: &str,
    ) -> Self {
        let mut rows: BTreeMap<(bool, String), (Decimal, Decimal)> = BTreeMap::new();
        let mut other = 0;
        for (view, a) in [(0, billed), (1, amortized)] {
            for l in &a.lines {
                if l.amount.currency.code() != currency {
                    other += 1;
                    continue;
                }
                let e = rows.entry((l.target == UNALLOCATED, l.target.clone())).or_default();
                if view == 0 {
                    e.0 += l.amount.amount;
                } else {
                    e.1 += l.amount.amount;
                }
            }
        }
        let rows: Vec<ChargebackRow> = rows
            .into_iter()
            .map(|((_, target), (b, a))| ChargebackRow { target, billed: b, amortized: a })
            .collect();
        let mut by_action: BTreeMap<String, (usize, Decimal)> = BTreeMap::new();
        for r in licenses.recommendations.iter().filter(|r| r.saving.currency.code() == currency) {
            let e = by_action.entry(r.action.to_string()).or_default();
            e.0 += 1;
            e.1 += r.saving.amount;
        }
        let saving_per_month = by_action.values().map(|v| v.1).sum();
        Self {
            run,
            period: period.to_owned(),
            currency: currency.to_owned(),
            total_billed: rows.iter().map(|r| r.billed).sum(),
            total_amortized: rows.iter().map(|r| r.amortized).sum(),
            rows,
            reconciles,
            other_currency_lines: other,
            licenses: LicenseSection {
                unused_days,
                month: month.to_owned(),
                by_action: by_action
                    .into_iter()
                    .map(|(action, (count, saving))| LicenseAction { action, count, saving })
                    .collect(),
                saving_per_month,
            },
        }
    }
}

/// The section as HTML, every value escaped by minijinja.
pub(super) fn html(c: &ChargebackSection, locale: &str) -> Result<String, minijinja::Error> {
    const TEMPLATE: &str = r#"<section id="chargeback">
<h2>Chargeback {{ c.period }}</h2>
<p class="note">Run #{{ c.run }}: every cost pool {% if c.reconciles %}reconciles{% else %}does <strong>not</strong> reconcile{% endif %} to its source to the cent. Billed is what the invoices charge; amortized spreads purchases over the charges they cover.</p>
<table><thead><tr><th>business unit</th><th class="num">billed ({{ c.currency }})</th><th class="num">amortized ({{ c.currency }})</th></tr></thead>
<tbody>{% for r in rows %}<tr><td>{{ r.0 }}</td><td class="num">{{ r.1 }}</td><td class="num">{{ r.2 }}</td></tr>
{% endfor %}<tr><td><strong>total</strong></td><td class="num">{{ total.0 }}</td><td class="num">{{ total.1 }}</td></tr></tbody></table>
<h2>Licenses</h2>
<p>Licenses unused for {{ c.licenses.unused_days }} days, and plans that app use in {{ c.licenses.month }} makes cheaper, would save {{ saving }} a month.</p>
<table><thead><tr><th>action</th><th class="num">licenses</th><th class="num">saving a month ({{ c.currency }})</th></tr></thead>
<tbody>{% for a in actions %}<tr><td>{{ a.0 }}</td><td class="num">{{ a.1 }}</td><td class="num">{{ a.2 }}</td></tr>
{% endfor %}</tbody></table>
</section>"#;
    let n = |v: Decimal| format::number(v, locale);
    let rows: Vec<(String, String, String)> =
        c.rows.iter().map(|r| (r.target.clone(), n(r.billed), n(r.amortized))).collect();
    let actions: Vec<(String, usize, String)> =
        c.licenses.by_action.iter().map(|a| (a.action.clone(), a.count, n(a.saving))).collect();
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("chargeback.html", TEMPLATE)?;
    #[derive(Serialize)]
    struct View<'a> {
        c: &'a ChargebackSection,
        rows: Vec<(String, String, String)>,
        actions: Vec<(String, usize, String)>,
        total: (String, String),
        saving: String,
    }
    let view = View {
        c,
        rows,
        actions,
        total: (n(c.total_billed), n(c.total_amortized)),
        saving: format::money(c.licenses.saving_per_month, &c.currency, locale),
    };
    env.get_template("chargeback.html")?
        .render(minijinja::Value::from(minijinja::value::Serde(view)))
}

/// The section as Markdown lines, text escaped.
pub(super) fn markdown(c: &ChargebackSection, locale: &str) -> String {
    let mut out = String::new();
    let m = |v: Decimal| escape(&format::money(v, &c.currency, locale));
    let _ = writeln!(
        out,
        "\n## Chargeback {}\n\n| business unit | billed | amortized |\n|---|---|---|",
        escape(&c.period)
    );
    for r in &c.rows {
        let _ = writeln!(out, "| {} | {} | {} |", escape(&r.target), m(r.billed), m(r.amortized));
    }
    let _ = writeln!(
        out,
        "| total | {} | {} |\n\nLicenses: {} a month could be saved ({} days unused, app use of {}).",
        m(c.total_billed),
        m(c.total_amortized),
        m(c.licenses.saving_per_month),
        c.licenses.unused_days,
        escape(&c.licenses.month)
    );
    out
}

/// The section as a worksheet, money as numbers.
pub(super) fn sheet(
    ws: &mut Worksheet,
    c: &ChargebackSection,
    money: &Format,
    bold: &Format,
) -> Result<(), XlsxError> {
    use rust_decimal::prelude::ToPrimitive;
    let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    ws.set_name("Chargeback")?;
    for (i, h) in ["business unit", "billed", "amortized"].iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(i).unwrap_or(0), *h, bold)?;
    }
    let mut y = 1u32;
    for r in &c.rows {
        ws.write_string(y, 0, &r.target)?;
        ws.write_number_with_format(y, 1, f(r.billed), money)?;
        ws.write_number_with_format(y, 2, f(r.amortized), money)?;
        y += 1;
    }
    ws.write_string_with_format(y, 0, "total", bold)?;
    ws.write_number_with_format(y, 1, f(c.total_billed), money)?;
    ws.write_number_with_format(y, 2, f(c.total_amortized), money)?;
    y += 2;
    for (i, h) in ["license action", "licenses", "saving a month"].iter().enumerate() {
        ws.write_string_with_format(y, u16::try_from(i).unwrap_or(0), *h, bold)?;
    }
    for a in &c.licenses.by_action {
        y += 1;
        ws.write_string(y, 0, &a.action)?;
        ws.write_number(y, 1, f(Decimal::from(a.count)))?;
        ws.write_number_with_format(y, 2, f(a.saving), money)?;
    }
    ws.set_column_width(0, 28)?;
    Ok(())
}
