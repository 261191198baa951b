//! `worth story` (write, link, move through the workflow) and `worth stories` (list, and
//! publish the cards of published stories as HTML and Markdown).

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use worth_core::org::same_name;
use worth_core::program::story::StoryStatus;
use worth_report::cards::{StoryCard, render_html, render_markdown};
use worth_store::{StoryEdit, StoryParts};

use super::{Program, StoryView};
use crate::commands::date;
use crate::context::{Globals, say};
use crate::output::{Table, emit, opt};

/// `worth story`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum StoryCommand {
    /// Write a new story (a draft by you).
    Add {
        /// Its title.
        title: String,
        /// The problem.
        #[arg(long)]
        problem: String,
        /// The solution.
        #[arg(long)]
        solution: String,
        /// The obstacles met.
        #[arg(long, default_value = "")]
        obstacles: String,
        /// The value, in words (figures are linked with `worth story link`).
        #[arg(long, default_value = "")]
        value: String,
        /// What comes next.
        #[arg(long, default_value = "")]
        next_steps: String,
        /// The day it was written [default: today].
        #[arg(long, value_parser = date)]
        on: Option<NaiveDate>,
    },
    /// Rewrite parts of your draft; the parts not given stay as they are.
    Edit(Edit),
    /// Link a figure of the value engine: a solution's realized value, or one line's.
    Link {
        /// The story.
        title: String,
        /// The solution.
        solution: String,
        /// Its business unit, if the name is in several.
        #[arg(long)]
        bu: Option<String>,
        /// One of its value lines [default: all].
        #[arg(long)]
        line: Option<String>,
    },
    /// Add a quote.
    Quote {
        /// The story.
        title: String,
        /// What was said.
        quote: String,
        /// Who said it.
        #[arg(long)]
        who: String,
    },
    /// Make the story the case study of a pilot.
    CaseStudy {
        /// The story.
        title: String,
        /// The pilot.
        pilot: String,
    },
    /// Hand a draft to an analyst.
    Submit(Move),
    /// Validate a submitted story's figures (an analyst other than the author).
    Validate(Move),
    /// Send a submitted story back to draft.
    Return(Move),
    /// Publish a validated story to sponsors.
    Publish(Move),
    /// Record that a sponsor acknowledged a published story.
    Acknowledge {
        /// The story.
        title: String,
        /// The sponsor.
        #[arg(long)]
        by: String,
        /// The day [default: today].
        #[arg(long, value_parser = date)]
        on: Option<NaiveDate>,
    },
    /// One story with its live figures.
    Show {
        /// The story.
        title: String,
    },
}

/// A workflow move.
#[derive(Debug, clap::Args)]
pub(crate) struct Move {
    /// The story.
    title: String,
    /// The day [default: today].
    #[arg(long, value_parser = date)]
    on: Option<NaiveDate>,
}

/// `worth story edit`: the parts to rewrite.
#[derive(Debug, clap::Args)]
pub(crate) struct Edit {
    /// The story.
    title: String,
    /// The problem.
    #[arg(long)]
    problem: Option<String>,
    /// The solution.
    #[arg(long)]
    solution: Option<String>,
    /// The obstacles met.
    #[arg(long)]
    obstacles: Option<String>,
    /// The value, in words.
    #[arg(long)]
    value: Option<String>,
    /// What comes next.
    #[arg(long)]
    next_steps: Option<String>,
}

/// Rewrites the given parts of a draft; the others stay as stored.
async fn edit_draft(store: &worth_store::Store, actor: &str, e: Edit) -> Result<()> {
    let edit = StoryEdit {
        problem: e.problem,
        solution: e.solution,
        obstacles: e.obstacles,
        value: e.value,
        next_steps: e.next_steps,
    };
    let mut w = store.write(actor).await?;
    w.edit_story(&e.title, &edit).await?;
    w.commit().await?;
    say(&format!("worth: the story {}: edited", e.title.trim()));
    Ok(())
}

/// `worth stories`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum StoriesCommand {
    /// Every story with its status, measurability and headline.
    List,
    /// Write the cards of every published story (HTML and Markdown) into a folder.
    Publish {
        /// The folder.
        #[arg(long, default_value = "stories")]
        out: PathBuf,
    },
}

pub(crate) async fn run(g: &Globals, cmd: StoryCommand) -> Result<()> {
    let store = g.open().await?;
    if let StoryCommand::Edit(edit) = cmd {
        return edit_draft(&store, &g.actor(), edit).await;
    }
    let mut w = store.write(&g.actor()).await?;
    let today = w.today();
    let (title, what) = match cmd {
        StoryCommand::Add { title, problem, solution, obstacles, value, next_steps, on } => {
            let parts = StoryParts { problem, solution, obstacles, value, next_steps };
            w.add_story(&title, &parts, on.unwrap_or(today)).await?;
            (title, "written as a draft")
        }
        StoryCommand::Edit(_) => unreachable!("an edit is written above"),
        StoryCommand::Link { title, solution, bu, line } => {
            w.link_figure(&title, &solution, bu.as_deref(), line.as_deref()).await?;
            (title, "linked to a figure")
        }
        StoryCommand::Quote { title, quote, who } => {
            w.add_quote(&title, &quote, &who).await?;
            (title, "quoted")
        }
        StoryCommand::CaseStudy { title, pilot } => {
            w.link_pilot(&title, &pilot).await?;
            (title, "made a case study")
        }
        StoryCommand::Submit(m) => {
            mv(&mut w, m, StoryStatus::Submitted, today, "submitted").await?
        }
        StoryCommand::Validate(m) => {
            mv(&mut w, m, StoryStatus::Validated, today, "validated").await?
        }
        StoryCommand::Return(m) => {
            mv(&mut w, m, StoryStatus::Draft, today, "returned to draft").await?
        }
        StoryCommand::Publish(m) => {
            mv(&mut w, m, StoryStatus::Published, today, "published").await?
        }
        StoryCommand::Acknowledge { title, by, on } => {
            w.acknowledge_story(&title, on.unwrap_or(today), &by).await?;
            (title, "acknowledged")
        }
        StoryCommand::Show { title } => {
            drop(w);
            let p = Program::load(&store).await?;
            let views = p.story_views();
            let v = views.iter().find(|v| same_name(&v.title, &title)).with_context(|| {
                format!("unknown story '{title}' (`worth stories list` lists them)")
            })?;
            let t = Table::fields(&[
                ("title", v.title.clone()),
                ("status", v.status.to_string()),
                ("measurable", if v.measurable { "yes" } else { "no" }.into()),
                ("headline", opt(v.headline.clone())),
            ]);
            return emit(g.format, v, &t);
        }
    };
    w.commit().await?;
    say(&format!("worth: the story {title}: {what}"));
    Ok(())
}

async fn mv(
    w: &mut worth_store::Writer,
    m: Move,
    to: StoryStatus,
    today: NaiveDate,
    what: &'static str,
) -> Result<(String, &'static str)> {
    w.move_story(&m.title, to, m.on.unwrap_or(today)).await?;
    Ok((m.title, what))
}

pub(crate) async fn run_many(g: &Globals, cmd: StoriesCommand) -> Result<()> {
    let store = g.open().await?;
    let p = Program::load(&store).await?;
    let views = p.story_views();
    match cmd {
        StoriesCommand::List => {
            let mut t = Table::new(&["story", "status", "measurable", "headline"]);
            for v in &views {
                t.row([
                    v.title.clone(),
                    v.status.to_string(),
                    if v.measurable { "yes" } else { "no" }.into(),
                    opt(v.headline.clone()),
                ]);
            }
            emit(g.format, &views, &t)
        }
        StoriesCommand::Publish { out } => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let mut written = Vec::new();
            for v in views.iter().filter(|v| v.status == StoryStatus::Published) {
                let card = card(&p, v);
                let stem = file_stem(&v.title, v.record.id);
                let html = out.join(format!("{stem}.html"));
                let md = out.join(format!("{stem}.md"));
                let page = render_html(&card).map_err(|e| anyhow::anyhow!("story card: {e}"))?;
                std::fs::write(&html, page)
                    .with_context(|| format!("cannot write {}", html.display()))?;
                std::fs::write(&md, render_markdown(&card))
                    .with_context(|| format!("cannot write {}", md.display()))?;
                written.push(html.display().to_string());
                written.push(md.display().to_string());
            }
            say(&format!("worth: wrote {} story cards into {}", written.len() / 2, out.display()));
            let mut t = Table::new(&["file"]);
            for f in &written {
                t.row([f.clone()]);
            }
            emit(g.format, &written, &t)
        }
    }
}

/// A file name from a title: letters and digits, dashes between, and the id for uniqueness.
fn file_stem(title: &str, id: i64) -> String {
    let mut s: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    format!("{id}-{}", s.trim_matches('-'))
}

/// The card of a story, its figures formatted now.
pub(crate) fn card(p: &Program, v: &StoryView) -> StoryCard {
    let r = &v.record;
    let parts = [
        ("Problem", &r.parts.problem),
        ("Solution", &r.parts.solution),
        ("Obstacles", &r.parts.obstacles),
        ("Value", &r.parts.value),
        ("Next steps", &r.parts.next_steps),
    ]
    .into_iter()
    .filter(|(_, t)| !t.trim().is_empty())
    .map(|(h, t)| (h.to_owned(), t.clone()))
    .collect();
    let figures = v
        .figures
        .iter()
        .map(|f| {
            let what = match &f.line {
                Some(l) => format!("{} — {l}", f.solution),
                None => f.solution.clone(),
            };
            let span = match (f.from, f.to) {
                (Some(a), Some(b)) => format!(
                    " ({} to {}, {} months)",
                    worth_core::period::label(a),
                    worth_core::period::label(b),
                    f.months
                ),
                _ => " (nothing realized yet)".into(),
            };
            (what, format!("{} {}{span}", f.realized, f.currency))
        })
        .collect();
    let validated = r.history.iter().rev().find(|e| e.status == StoryStatus::Validated);
    let published = r.history.iter().rev().find(|e| e.status == StoryStatus::Published);
    let provenance = format!(
        "By {}; validated {}; published {}. Figures as computed on {}.",
        r.author,
        validated.map_or("—".into(), |e| format!("by {} on {}", e.by, e.on)),
        published.map_or("—".into(), |e| format!("on {}", e.on)),
        p.today
    );
    let case_study = r.pilot.as_ref().map(|name| {
        match p.pilots.iter().find(|x| &x.pilot.name == name).map(|x| p.pilot_result(x)) {
            Some(Ok(res)) => format!("{name}: {}", res.verdict),
            Some(Err(e)) => format!("{name}: no result yet ({e})"),
            None => name.clone(),
        }
    });
    StoryCard {
        title: r.title.clone(),
        headline: v.headline.clone(),
        parts,
        figures,
        quotes: r.quotes.iter().map(|q| (q.quote.clone(), q.who.clone())).collect(),
        provenance,
        case_study,
    }
}
