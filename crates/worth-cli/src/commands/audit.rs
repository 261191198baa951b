//! `worth audit`: the audit log, oldest first, with each change's before and after.

use std::collections::BTreeSet;

use anyhow::Result;
use worth_core::audit::AuditEntry;
use worth_store::AuditFilter;

use crate::context::Globals;
use crate::output::{Table, emit};

/// Options of `worth audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct AuditArgs {
    /// Only changes to this kind of record: solution, business-unit, rate, guideline, …
    #[arg(long)]
    entity: Option<String>,
    /// Only the latest N changes.
    #[arg(long)]
    limit: Option<i64>,
}

pub(crate) async fn run(g: &Globals, args: AuditArgs) -> Result<()> {
    let store = g.open().await?;
    let entries = store.audit(&AuditFilter { entity: args.entity, limit: args.limit }).await?;
    let mut table = Table::new(&["id", "at", "actor", "action", "entity", "record", "changed"]);
    for e in &entries {
        table.row([
            e.id.to_string(),
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.actor.clone(),
            e.action.to_string(),
            e.entity.clone(),
            e.record.clone(),
            changed_fields(e),
        ]);
    }
    emit(g.format, &entries, &table)
}

/// The top-level fields that differ between before and after, for the table view.
fn changed_fields(e: &AuditEntry) -> String {
    let (Some(before), Some(after)) = (e.before.as_object(), e.after.as_object()) else {
        return String::new();
    };
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
