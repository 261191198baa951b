//! `worth rate`: rate cards, the loaded hourly cost of a role.

use anyhow::Result;
use chrono::NaiveDate;
use worth_core::Currency;
use worth_core::money::parse_amount;
use worth_store::NewRate;

use super::date;
use crate::context::Globals;
use crate::output::{Table, emit, opt};

/// Rate card commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum RateCommand {
    /// Add a rate card; an open-ended card of the same role and unit is closed when it starts.
    Add {
        /// The role, such as analyst.
        #[arg(long)]
        role: String,
        /// The loaded cost of one hour, such as 55.00.
        #[arg(long, allow_hyphen_values = true)]
        hourly: String,
        /// Its currency (ISO 4217).
        #[arg(long)]
        currency: String,
        /// The business unit it applies to [default: every unit without its own rate].
        #[arg(long)]
        bu: Option<String>,
        /// The first day it applies.
        #[arg(long, value_parser = date)]
        from: NaiveDate,
        /// The first day it no longer applies.
        #[arg(long, value_parser = date)]
        to: Option<NaiveDate>,
    },
    /// List rate cards.
    List,
}

pub(crate) async fn run(g: &Globals, cmd: RateCommand) -> Result<()> {
    let store = g.open().await?;
    let cards = match cmd {
        RateCommand::Add { role, hourly, currency, bu, from, to } => {
            let new = NewRate {
                role,
                business_unit: bu,
                hourly: parse_amount("hourly", &hourly)?,
                currency: Currency::parse(&currency)?,
                valid_from: from,
                valid_to: to,
            };
            let mut w = store.write(&g.actor()).await?;
            let card = w.add_rate(&new).await?;
            w.commit().await?;
            vec![card]
        }
        RateCommand::List => store.rates().await?,
    };
    let mut table =
        Table::new(&["id", "role", "business unit", "hourly", "currency", "from", "to"]);
    for r in &cards {
        table.row([
            r.id.to_string(),
            r.role.clone(),
            r.business_unit.clone().unwrap_or_else(|| "(all)".into()),
            r.hourly.amount.to_string(),
            r.hourly.currency.to_string(),
            r.valid_from.to_string(),
            opt(r.valid_to),
        ]);
    }
    emit(g.format, &cards, &table)
}
