//! `worth licenses`: licenses nobody uses and users whose monthly apps make another plan
//! cheaper, with the saving per month and the rule behind each recommendation.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use worth_core::allocation::licenses::{LicenseReport, recommend};
use worth_core::period::label;
use worth_store::{Store, prices_in};

use super::month_or_date;
use crate::context::{Globals, say};
use crate::output::{Table, emit};

/// Options of `worth licenses`.
#[derive(Debug, clap::Args)]
pub(crate) struct LicensesArgs {
    /// A license is unused after this many days without activity [default: the workspace
    /// setting, 90 unless changed with --set-unused-days].
    #[arg(long)]
    unused_days: Option<u32>,
    /// Keep N as the workspace's setting of --unused-days.
    #[arg(long, value_name = "N")]
    set_unused_days: Option<u32>,
    /// The month whose distinct apps per user are compared [default: the latest with usage].
    #[arg(long, value_parser = month_or_date)]
    month: Option<NaiveDate>,
    /// Also write the recommendations as an XLSX workbook to this file.
    #[arg(long)]
    xlsx: Option<PathBuf>,
}

/// What `worth licenses` prints.
#[derive(Debug, Serialize)]
pub(crate) struct Licenses {
    /// The day activity is measured from.
    pub(crate) as_of: NaiveDate,
    /// The setting used.
    pub(crate) unused_days: u32,
    /// The month of app use compared, and of the prices.
    pub(crate) month: String,
    /// What was found.
    #[serde(flatten)]
    pub(crate) report: LicenseReport,
}

/// Runs the license strategy; shared with the sponsor report.
pub(crate) async fn strategy(
    store: &Store,
    unused_days: Option<u32>,
    month: Option<NaiveDate>,
) -> Result<Licenses> {
    let settings = store.settings().await?;
    let as_of = settings.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let unused_days = match unused_days {
        Some(d) => d,
        None => store.license_unused_days().await?,
    };
    let month = match month {
        Some(m) => worth_core::period::month_of(m),
        None => {
            store.latest_usage_month().await?.unwrap_or_else(|| worth_core::period::month_of(as_of))
        }
    };
    let prices = prices_in(&store.price_list().await?, month);
    let held = store.held_licenses().await?;
    let apps = store.apps_per_user(month).await?;
    let report = recommend(&held, &prices, &apps, unused_days, as_of, month);
    Ok(Licenses { as_of, unused_days, month: label(month), report })
}

pub(crate) async fn run(g: &Globals, args: LicensesArgs) -> Result<()> {
    let store = g.open().await?;
    if let Some(n) = args.set_unused_days {
        let mut w = store.write(&g.actor()).await?;
        w.set_license_unused_days(n).await?;
        w.commit().await?;
        say(&format!("licenses unused for {n} days now count as unused"));
    }
    let found = strategy(&store, args.unused_days, args.month).await?;
    for (product, n) in &found.report.unpriced {
        say(&format!(
            "note: {n} license(s) of '{product}' have no price; `worth chargeback price set` adds one"
        ));
    }
    let mut table = Table::new(&[
        "user", "license", "action", "current", "proposed", "saving", "currency", "rule",
    ]);
    for r in &found.report.recommendations {
        table.row([
            r.user_key.chars().take(12).collect::<String>(),
            r.product.clone(),
            r.action.to_string(),
            r.current.amount.to_string(),
            r.proposed.amount.to_string(),
            r.saving.amount.to_string(),
            r.saving.currency.to_string(),
            r.rule.clone(),
        ]);
    }
    for t in &found.report.saving_per_month {
        table.row([
            "total per month".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            t.amount.to_string(),
            t.currency.to_string(),
            format!("{} recommendation(s)", found.report.recommendations.len()),
        ]);
    }
    if let Some(path) = &args.xlsx {
        super::chargeback::write_xlsx(path, "Licenses", &table)?;
        say(&format!("wrote {}", path.display()));
    }
    emit(g.format, &found, &table)
}
