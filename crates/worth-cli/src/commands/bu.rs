//! `worth bu`: business units.

use anyhow::Result;

use crate::context::Globals;
use crate::output::{Table, emit, opt};

/// Business unit commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum BuCommand {
    /// Add a business unit.
    Add {
        /// Its name, unique in the workspace.
        name: String,
        /// The unit it belongs to.
        #[arg(long)]
        parent: Option<String>,
    },
    /// List business units.
    List,
}

pub(crate) async fn run(g: &Globals, cmd: BuCommand) -> Result<()> {
    let store = g.open().await?;
    let units = match cmd {
        BuCommand::Add { name, parent } => {
            let mut w = store.write(&g.actor()).await?;
            let unit = w.add_business_unit(&name, parent.as_deref()).await?;
            w.commit().await?;
            vec![unit]
        }
        BuCommand::List => store.business_units().await?,
    };
    let mut table = Table::new(&["name", "parent"]);
    for u in &units {
        table.row([u.name.clone(), opt(u.parent.as_ref())]);
    }
    emit(g.format, &units, &table)
}
