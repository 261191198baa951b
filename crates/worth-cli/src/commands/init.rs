//! `worth init`: create a workspace, or confirm the one that is there.

use anyhow::Result;
use worth_core::Currency;
use worth_core::workspace::WorkspaceSettings;
use worth_store::{Store, keyfile};

use crate::context::{Globals, say};
use crate::output::{Table, emit};

/// Options of `worth init`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// The reporting currency of the workspace (ISO 4217).
    #[arg(long, default_value = "USD")]
    currency: String,
    /// The month (1–12) in which the fiscal year starts.
    #[arg(long, default_value_t = 1)]
    fiscal_year_start: u32,
    /// The locale of amounts and dates in reports.
    #[arg(long, default_value = "en-US")]
    locale: String,
}

#[derive(Debug, serde::Serialize)]
struct Initialized {
    store: String,
    key_file: String,
    created: bool,
    settings: WorkspaceSettings,
    guideline_version: i64,
}

pub(crate) async fn run(g: &Globals, args: InitArgs) -> Result<()> {
    let location = g.location()?;
    let key_path = g.key_file(&location);
    let settings = WorkspaceSettings {
        currency: Currency::parse(&args.currency)?,
        fiscal_year_start_month: args.fiscal_year_start,
        locale: args.locale.trim().to_owned(),
        as_of: None,
    };
    settings.check()?;
    let store = Store::open(&location).await?;

    let created = if store.is_initialized().await? {
        let key = keyfile::load(&key_path)?;
        store.check_key(&key, &key_path).await?;
        say(&format!(
            "worth: the workspace in {} exists already; nothing changed",
            store.location()
        ));
        false
    } else {
        let key = keyfile::load_or_create(&key_path)?;
        let mut w = store.write(&g.actor()).await?;
        w.init_workspace(&settings, &key).await?;
        w.commit().await?;
        say(&format!(
            "worth: created the workspace in {}; its secret key is in {} (keep it private and \
             back it up: without it, new imports cannot be matched to earlier ones)",
            store.location(),
            key_path.display()
        ));
        true
    };

    let current = store.settings().await?;
    let guideline = store.guideline(None).await?;
    let out = Initialized {
        store: store.location(),
        key_file: key_path.display().to_string(),
        created,
        settings: current.clone(),
        guideline_version: guideline.version,
    };
    let table = Table::fields(&[
        ("store", out.store.clone()),
        ("key file", out.key_file.clone()),
        ("currency", current.currency.to_string()),
        ("fiscal year starts", format!("month {}", current.fiscal_year_start_month)),
        ("locale", current.locale.clone()),
        ("guideline version", guideline.version.to_string()),
    ]);
    emit(g.format, &out, &table)
}
