//! `worth fx`: dated exchange rates, the only way amounts of two currencies meet.

use anyhow::Result;
use chrono::NaiveDate;
use worth_core::Currency;
use worth_core::rates::FxRate;

use super::date;
use crate::context::Globals;
use crate::output::{Table, emit};

/// Exchange rate commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum FxCommand {
    /// Record that one BASE is worth RATE QUOTE on a day.
    Add {
        /// The currency converted from.
        base: String,
        /// The currency converted to.
        quote: String,
        /// Units of QUOTE per unit of BASE.
        #[arg(allow_hyphen_values = true)]
        rate: String,
        /// The day of the rate.
        #[arg(long, value_parser = date)]
        on: NaiveDate,
    },
    /// List exchange rates.
    List,
}

pub(crate) async fn run(g: &Globals, cmd: FxCommand) -> Result<()> {
    let store = g.open().await?;
    let rates = match cmd {
        FxCommand::Add { base, quote, rate, on } => {
            let fx = FxRate {
                base: Currency::parse(&base)?,
                quote: Currency::parse(&quote)?,
                rate: worth_core::money::parse_amount("rate", &rate)?,
                on,
            };
            let mut w = store.write(&g.actor()).await?;
            let fx = w.add_fx(&fx).await?;
            w.commit().await?;
            vec![fx]
        }
        FxCommand::List => store.fx_rates().await?,
    };
    let mut table = Table::new(&["base", "quote", "rate", "on"]);
    for r in &rates {
        table.row([r.base.to_string(), r.quote.to_string(), r.rate.to_string(), r.on.to_string()]);
    }
    emit(g.format, &rates, &table)
}
