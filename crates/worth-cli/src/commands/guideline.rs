//! `worth guideline`: the ROI guideline's versions. A change publishes a new version.

use anyhow::{Context, Result, bail};
use worth_core::guideline::KEYS;
use worth_store::GuidelineVersion;

use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// Guideline commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum GuidelineCommand {
    /// Show the current version, or another one.
    Show {
        /// The version to show [default: the current one].
        #[arg(long)]
        version: Option<i64>,
    },
    /// Change settings, publishing a new version (`worth guideline set discount_rate=8%`).
    Set {
        /// KEY=VALUE pairs; `worth guideline keys` lists the keys.
        #[arg(required = true, value_name = "KEY=VALUE")]
        changes: Vec<String>,
        /// Why the guideline changes.
        #[arg(long)]
        note: Option<String>,
    },
    /// List every version.
    List,
    /// List the settings that `set` accepts.
    Keys,
    /// Write a version as a readable document: Markdown and a self-contained HTML page.
    Publish {
        /// The version to publish [default: the current one].
        #[arg(long)]
        version: Option<i64>,
        /// The folder to write to.
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
}

pub(crate) async fn run(g: &Globals, cmd: GuidelineCommand) -> Result<()> {
    if let GuidelineCommand::Keys = cmd {
        let mut table = Table::new(&["key", "meaning"]);
        for (k, m) in KEYS {
            table.row([*k, *m]);
        }
        let keys: Vec<_> =
            KEYS.iter().map(|(k, m)| serde_json::json!({"key": k, "meaning": m})).collect();
        return emit(g.format, &keys, &table);
    }
    let store = g.open().await?;
    match cmd {
        GuidelineCommand::Show { version } => show(g, &store.guideline(version).await?),
        GuidelineCommand::Set { changes, note } => {
            let mut settings = store.guideline(None).await?.settings;
            let mut seen: Vec<&str> = Vec::new();
            for change in &changes {
                let Some((key, value)) = change.split_once('=') else {
                    bail!("'{change}' is not KEY=VALUE (for example discount_rate=8%)");
                };
                if seen.contains(&key.trim()) {
                    bail!("{} is given twice: give each setting once", key.trim());
                }
                seen.push(key.trim());
                settings.set(key, value)?;
            }
            let mut w = store.write(&g.actor()).await?;
            let version = w.publish_guideline(&settings, note.as_deref()).await?;
            w.commit().await?;
            say(&format!("worth: published guideline version {}", version.version));
            show(g, &version)
        }
        GuidelineCommand::List => {
            let versions = store.guideline_versions().await?;
            let mut table = Table::new(&["version", "created", "by", "note"]);
            for v in &versions {
                table.row([
                    v.version.to_string(),
                    v.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    v.created_by.clone(),
                    opt(v.note.as_ref()),
                ]);
            }
            emit(g.format, &versions, &table)
        }
        GuidelineCommand::Publish { version, out } => {
            let v = store.guideline(version).await?;
            let doc = worth_report::guideline::GuidelineDocument::new(
                v.version,
                &v.settings,
                v.created_at,
                &v.created_by,
                v.note.as_deref(),
                &store.rates().await?,
            );
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create the folder {}", out.display()))?;
            let md = out.join(format!("roi-guidelines-v{}.md", v.version));
            let html = out.join(format!("roi-guidelines-v{}.html", v.version));
            std::fs::write(&md, doc.to_markdown())
                .with_context(|| format!("cannot write {}", md.display()))?;
            std::fs::write(&html, doc.to_html()?)
                .with_context(|| format!("cannot write {}", html.display()))?;
            say(&format!("worth: published guideline version {}", v.version));
            let files = vec![md.display().to_string(), html.display().to_string()];
            let mut table = Table::new(&["file"]);
            for f in &files {
                table.row([f.clone()]);
            }
            emit(g.format, &files, &table)
        }
        GuidelineCommand::Keys => unreachable!("handled above"),
    }
}

fn percent(f: f64) -> String {
    format!("{}%", (f * 10_000.0).round() / 100.0)
}

fn show(g: &Globals, v: &GuidelineVersion) -> Result<()> {
    let s = &v.settings;
    let mut pairs = vec![
        ("version", v.version.to_string()),
        ("created", format!("{} by {}", v.created_at.format("%Y-%m-%d %H:%M UTC"), v.created_by)),
        ("note", opt(v.note.as_ref())),
        ("horizon_years", s.horizon_years.to_string()),
        ("discount_rate", percent(s.discount_rate)),
    ];
    let risk: Vec<String> =
        s.risk_adjustment.iter().map(|(grade, r)| format!("{grade} {}", percent(*r))).collect();
    pairs.push(("risk adjustment", risk.join(", ")));
    pairs.extend([
        ("cost_risk_adjustment", percent(s.cost_risk_adjustment)),
        ("working_days_per_year", s.working_days_per_year.to_string()),
        ("working_hours_per_day", s.working_hours_per_day.to_string()),
        ("accuracy_tolerance", format!("±{}", percent(s.accuracy_tolerance))),
        ("maturity_months", s.maturity_months.to_string()),
        (
            "counted_environments",
            s.counted_environments.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        ),
    ]);
    emit(g.format, v, &Table::fields(&pairs))
}
