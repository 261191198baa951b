//! The Automation Kit for Power Platform: its Dataverse Configuration Migration package (a zip
//! holding `data.xml` and `data_schema.xml`) of automation projects, departments, corporate
//! savings goals and desktop flow run traces.
//!
//! `worth import automation-kit FILE` writes, in one transaction of audited writes:
//!
//! - each department as a business unit, if none has its name;
//! - each project as a desktop-flow solution of platform `power-platform` with the external id
//!   `automationkit:<project id>` (a re-import finds it by that id and never duplicates it),
//!   its lifecycle, a rate card for its role from its hourly cost per FTE, its value lines
//!   (owner estimates, frozen when the project is approved) and its build and maintenance
//!   costs (see [`plan`] for every rule);
//! - the run traces as daily rollups per project, day and status under the flow id of the
//!   project's external id, so that its successful runs are its realized uses.
//!
//! What cannot be taken as it is goes to the rejects file with the line in `data.xml`, the
//! field and the reason, and is counted in the summary: projects without development cost,
//! traces without a start time, traces linked to no project or to a project not in the file,
//! lifecycles the data does not complete. None of it is guessed. Corporate goals are counted
//! but not stored: Worth has no goals yet. Entities Worth does not read are listed once.

mod plan;
mod read;
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rust_decimal::Decimal;
use worth_core::Money;
use worth_core::period::month_of;
use worth_core::solution::{Criticality, ExternalId, Solution, SolutionKind, Stage};
use worth_core::value::{CostLine, EvidenceGrade, ValueLine};
use worth_store::{ImportRecord, NewRate, NewSolution, NewValueLine, Reestimate, Store, Writer};

pub use read::{FieldError, PackageError};

use crate::error::{IngestError, Result};
use crate::rejects::{Rejection, RejectsFile};
use crate::{FileSummary, ImportOptions, ImportSummary, Kind, source};
use plan::{ProblemKind, ProjectPlan};
use read::Package;

/// The system of the external ids of automation projects.
pub const SYSTEM: &str = "automationkit";

/// The source of the run rollups of these packages.
pub const SOURCE: &str = "automation-kit";

impl From<PackageError> for IngestError {
    fn from(e: PackageError) -> Self {
        let path = match &e {
            PackageError::Zip { path, .. } | PackageError::Structure { path, .. } => path.clone(),
            PackageError::Field(f) => f.path.clone(),
        };
        let text = e.to_string();
        let message =
            text.strip_prefix(&format!("{}: ", path.display())).map_or(text.clone(), str::to_owned);
        IngestError::Unsupported { path, message }
    }
}

/// A package, read and planned.
#[derive(Debug)]
struct Parsed {
    package: Package,
    plans: Vec<ProjectPlan>,
    hash: String,
}

/// Imports one Automation Kit package into `store` on behalf of `actor`.
pub(crate) async fn import(
    store: &Store,
    actor: &str,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportSummary> {
    let [path] = files else {
        return Err(IngestError::Unsupported {
            path: files.get(1).cloned().unwrap_or_default(),
            message: "import one automation kit package at a time: each is a complete snapshot"
                .into(),
        });
    };
    let started = Utc::now();
    let today = started.date_naive();
    let rejects_path = options.rejects_dir.join(format!(
        "worth-rejects-{}-{}.csv",
        Kind::AutomationKit,
        started.format("%Y%m%dT%H%M%S%.3fZ")
    ));

    // Read and plan the whole package; nothing is written yet.
    let (parsed, rejects) = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            let mut rejects = RejectsFile::new(rejects_path);
            let parsed = parse(&path, today, &mut rejects);
            (parsed, rejects)
        })
        .await
        .map_err(|e| IngestError::Internal(e.to_string()))?
    };
    let parsed = parsed?;
    let rejected = rejects.count();
    let (rejects_file, first_rejects) = match rejects.finish()? {
        Some((p, first)) => (Some(p.display().to_string()), first),
        None => (None, Vec::new()),
    };
    if options.strict && rejected > 0 {
        return Err(IngestError::Strict {
            rejected,
            rejects_file: rejects_file.clone().unwrap_or_default(),
        });
    }
    let mut summary = file_summary(path, &parsed);
    tell_problems(&parsed);

    // The same content again changes nothing, unless a later package replaced its days.
    let kind = Kind::AutomationKit.as_str();
    if let Some(earlier) = store.find_import(kind, &parsed.hash).await? {
        let latest = store.latest_import(kind, SOURCE).await?;
        if latest.is_none_or(|l| l.id == earlier.id) {
            summary.skipped = Some(format!(
                "the same content was imported on {} as import #{} ({}); nothing to add",
                earlier.finished_at.format("%Y-%m-%d %H:%M UTC"),
                earlier.id,
                earlier.file_name
            ));
            return Ok(ImportSummary {
                kind: Kind::AutomationKit,
                files: vec![summary],
                rejects_file,
                first_rejects,
            });
        }
    }

    // What the store holds before this import, to upsert against.
    let mut known = Known {
        units: store.business_units().await?.into_iter().map(|b| b.name).collect(),
        solutions: store.solutions(None).await?,
        rates: store.rates().await?,
        lines: store.value_lines(None).await?,
        costs: store.cost_lines().await?,
    };

    // Write it all in one transaction.
    let mut writer = store.write(actor).await?;
    let record = ImportRecord {
        id: 0,
        kind: kind.to_owned(),
        source: SOURCE.to_owned(),
        file_name: path.display().to_string(),
        content_hash: parsed.hash.clone(),
        read: to_i64(summary.read),
        imported: to_i64(summary.imported),
        rejected: to_i64(summary.rejected),
        duplicate: to_i64(summary.duplicate),
        first_day: summary.first_day,
        last_day: summary.last_day,
        rejects_file: rejects_file.clone(),
        started_at: started,
        finished_at: started,
        actor: actor.to_owned(),
    };
    let stored = writer.record_import(&record).await?;
    summary.import_id = Some(stored.id);
    let done = write(&mut writer, &mut known, &parsed).await?;
    writer.replace_runs(stored.id, SOURCE, &parsed.package.runs).await?;
    summary.stored.splice(0..0, done);
    if options.fail_before_commit {
        return Err(IngestError::Internal("stopped before the commit, as the test asked".into()));
    }
    writer.commit().await?;
    Ok(ImportSummary {
        kind: Kind::AutomationKit,
        files: vec![summary],
        rejects_file,
        first_rejects,
    })
}

/// Reads the package and plans its projects; every problem goes to `rejects`.
fn parse(path: &Path, today: chrono::NaiveDate, rejects: &mut RejectsFile) -> Result<Parsed> {
    let package = read::read(path, rejects)?;
    let reject_path = PathBuf::from(format!("{}!{}", path.display(), read::DATA));
    let mut plans = Vec::with_capacity(package.projects.len());
    for p in &package.projects {
        let plan = plan::plan(&package, p, today).map_err(|e| {
            PackageError::Field(Box::new(read::FieldError {
                path: path.to_owned(),
                entry: read::DATA,
                line: p.line,
                entity: read::PROJECT.to_owned(),
                record: p.id.clone(),
                field: e.field.to_owned(),
                message: e.message,
            }))
        })?;
        for problem in &plan.problems {
            let reason = format!("automation project '{}' ({}): {}", p.name, p.id, problem.message);
            rejects.add(&reject_path, p.line, Rejection::new(problem.field, reason))?;
        }
        plans.push(plan);
    }
    let hash = source::hash_file(path)?;
    Ok(Parsed { package, plans, hash })
}

/// The summary of a package before it is written.
fn file_summary(path: &Path, parsed: &Parsed) -> FileSummary {
    let pkg = &parsed.package;
    let t = &pkg.traces;
    let records = (pkg.projects.len() + pkg.departments.len()) as u64;
    let count =
        |kind| parsed.plans.iter().flat_map(|p| &p.problems).filter(|x| x.kind == kind).count();
    let statuses: Vec<String> = t.by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    FileSummary {
        file: path.display().to_string(),
        import_id: None,
        skipped: None,
        read: t.read + records + pkg.goals,
        imported: t.rolled_up + records,
        rejected: t.read - t.duplicate - t.rolled_up,
        duplicate: t.duplicate,
        ignored_columns: pkg.ignored.clone(),
        first_day: pkg.runs.days.first().copied(),
        last_day: pkg.runs.days.last().copied(),
        stored: vec![
            format!("{} run traces ({}), {} counted", t.read, statuses.join(", "), t.rolled_up),
            format!("{} corporate savings goals read, not stored", pkg.goals),
            format!(
                "problems: {} projects without development cost, {} with an incomplete \
                 estimate, {} with a lifecycle the data does not complete; {} traces without a \
                 start time, {} linked to no project, {} linked to a project not in the file, \
                 {} with a bad field",
                count(ProblemKind::NoDevelopmentCost),
                count(ProblemKind::IncompleteEstimate),
                count(ProblemKind::Lifecycle),
                t.no_start,
                t.no_project,
                t.unknown_project,
                t.bad
            ),
        ],
    }
}

/// Says on the log (stderr for the CLI) what was found wanting, by kind.
fn tell_problems(parsed: &Parsed) {
    let t = &parsed.package.traces;
    let missing_cost: Vec<&str> = parsed
        .plans
        .iter()
        .filter(|p| p.problems.iter().any(|x| x.kind == ProblemKind::NoDevelopmentCost))
        .map(|p| p.name.as_str())
        .collect();
    if !missing_cost.is_empty() {
        tracing::warn!(
            "{} projects have no development cost: {}",
            missing_cost.len(),
            missing_cost.join(", ")
        );
    }
    for (n, what) in [
        (t.no_start, "run traces have no start time and are not counted"),
        (t.no_project, "run traces are linked to no project and count for none"),
        (t.unknown_project, "run traces are linked to a project not in the file"),
        (t.bad, "run traces have a bad field and are not counted"),
    ] {
        if n > 0 {
            tracing::warn!("{n} {what}");
        }
    }
    for p in &parsed.plans {
        for x in p.problems.iter().filter(|x| x.kind != ProblemKind::NoDevelopmentCost) {
            tracing::warn!("automation project '{}': {}", p.name, x.message);
        }
    }
}

/// What the store held before the import, kept up to date as the import writes.
#[derive(Debug)]
struct Known {
    units: Vec<String>,
    solutions: Vec<Solution>,
    rates: Vec<worth_core::rates::RateCard>,
    lines: Vec<ValueLine>,
    costs: Vec<CostLine>,
}

/// Counts of what the write did.
#[derive(Debug, Default)]
struct Done {
    units: u32,
    solutions_new: u32,
    solutions_found: u32,
    stages: u32,
    rates: u32,
    lines_new: u32,
    lines_changed: u32,
    lines_same: u32,
    costs: u32,
    notes: Vec<String>,
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Writes the departments and projects of a package.
async fn write(w: &mut Writer, known: &mut Known, parsed: &Parsed) -> Result<Vec<String>> {
    let mut done = Done::default();
    for d in &parsed.package.departments {
        unit(w, known, &d.name, &mut done).await?;
    }
    let names = file_names(&parsed.plans);
    for (plan, name) in parsed.plans.iter().zip(names) {
        project(w, known, plan, name, &mut done).await?;
    }
    let mut out = vec![
        format!(
            "{} projects: {} new, {} found by external id",
            parsed.plans.len(),
            done.solutions_new,
            done.solutions_found
        ),
        format!(
            "{} departments: {} new business units",
            parsed.package.departments.len(),
            done.units
        ),
        format!(
            "value lines: {} new, {} re-estimated, {} unchanged; {} rate cards, {} costs, {} \
             stage changes",
            done.lines_new,
            done.lines_changed,
            done.lines_same,
            done.rates,
            done.costs,
            done.stages
        ),
    ];
    out.append(&mut done.notes);
    Ok(out)
}

async fn unit(w: &mut Writer, known: &mut Known, name: &str, done: &mut Done) -> Result<()> {
    if !known.units.iter().any(|u| key(u) == key(name)) {
        let unit = w.add_business_unit(name, None).await?;
        known.units.push(unit.name);
        done.units += 1;
    }
    Ok(())
}

/// The names projects get: their own, or with their number when two of one department share
/// a name in the file.
fn file_names(plans: &[ProjectPlan]) -> Vec<String> {
    let mut seen: BTreeMap<(String, String), u32> = BTreeMap::new();
    for p in plans {
        *seen.entry((key(&p.department), key(&p.name))).or_default() += 1;
    }
    plans
        .iter()
        .map(|p| {
            if seen[&(key(&p.department), key(&p.name))] > 1 {
                format!("{} ({})", p.name, p.number.as_deref().unwrap_or(&p.id))
            } else {
                p.name.clone()
            }
        })
        .collect()
}

async fn project(
    w: &mut Writer,
    known: &mut Known,
    plan: &ProjectPlan,
    name: String,
    done: &mut Done,
) -> Result<()> {
    let ext = ExternalId { system: SYSTEM.to_owned(), id: plan.id.clone() };
    unit(w, known, &plan.department, done).await?;

    // The solution: found by its external id, or registered as an idea.
    let solution = match known.solutions.iter().find(|s| s.external_ids.contains(&ext)) {
        Some(s) => {
            done.solutions_found += 1;
            s.clone()
        }
        None => {
            let taken = known.solutions.iter().any(|s| {
                key(&s.business_unit) == key(&plan.department) && key(&s.name) == key(&name)
            });
            let name = if taken {
                format!("{name} ({})", plan.number.as_deref().unwrap_or(&plan.id))
            } else {
                name
            };
            let new = NewSolution {
                name,
                kind: SolutionKind::DesktopFlow,
                platform: "power-platform".to_owned(),
                business_unit: plan.department.clone(),
                environment: None,
                owner: plan.owner.clone(),
                criticality: Criticality::Standard,
                external_ids: vec![ext],
                stage: Stage::Idea,
                stage_on: plan.stages[0].1,
            };
            let s = w.add_solution(&new).await?;
            known.solutions.push(s.clone());
            done.solutions_new += 1;
            s
        }
    };
    let (sname, bu) = (solution.name.as_str(), Some(solution.business_unit.as_str()));

    // The rate card of its role, in its business unit.
    if let Some(hourly) = plan.hourly_cost {
        let card = known.rates.iter().find(|r| {
            key(&r.role) == key(&plan.role)
                && r.business_unit.as_deref().map(key) == Some(key(&solution.business_unit))
        });
        match card {
            None => {
                let new = NewRate {
                    role: plan.role.clone(),
                    business_unit: Some(solution.business_unit.clone()),
                    hourly,
                    currency: plan.currency,
                    valid_from: month_of(plan.stages[0].1),
                    valid_to: None,
                };
                let card = w.add_rate(&new).await?;
                known.rates.push(card);
                done.rates += 1;
            }
            Some(card) if card.hourly != Money::new(hourly, plan.currency) => {
                done.notes.push(format!(
                    "{sname}: the file's hourly cost {hourly} {} differs from rate card #{} ({}); \
                     the card is kept: change it with `worth rate add`",
                    plan.currency, card.id, card.hourly
                ));
            }
            Some(_) => {}
        }
    }

    // Its value lines, before the stages: approval freezes them.
    for l in &plan.lines {
        let existing = known
            .lines
            .iter()
            .find(|x| x.solution_id == solution.id && key(&x.name) == key(l.name));
        match existing {
            None => {
                let new = NewValueLine {
                    name: l.name.to_owned(),
                    category: l.category,
                    spec: l.spec.clone(),
                    currency: plan.currency,
                    attribution: Decimal::ONE,
                    evidence: EvidenceGrade::OwnerEstimate,
                    process: None,
                    start: plan.start,
                    horizon_months: plan.horizon_months,
                };
                let line = w.add_value_line(sname, bu, &new).await?;
                known.lines.push(line);
                done.lines_new += 1;
            }
            Some(x) if x.spec != l.spec => {
                let change = Reestimate {
                    spec: Some(l.spec.clone()),
                    attribution: None,
                    reason: Some("re-imported from the automation kit".into()),
                };
                w.reestimate(sname, bu, l.name, &change).await?;
                done.lines_changed += 1;
            }
            Some(_) => done.lines_same += 1,
        }
    }

    // Its costs, each once.
    for c in &plan.costs {
        let exists = known
            .costs
            .iter()
            .any(|x| x.solution_id == solution.id && x.kind == c.kind && key(&x.item) == c.item);
        if exists {
            continue;
        }
        let cost = CostLine {
            id: 0,
            solution_id: solution.id,
            kind: c.kind,
            item: c.item.to_owned(),
            amount: Money::new(c.amount, plan.currency),
            start: c.start,
            end: c.end,
            basis: Some(c.basis.clone()),
        };
        let cost = w.add_cost(sname, bu, &cost).await?;
        known.costs.push(cost);
        done.costs += 1;
    }

    // Its lifecycle, as far as the data goes; a stage set by hand beyond it is kept.
    let mut current = solution.stage();
    for &(stage, on) in plan.stages.iter().skip(1) {
        let reached = solution.lifecycle.iter().any(|e| e.stage == stage);
        if reached || current.is_some_and(|c| c >= stage) {
            continue;
        }
        let note = match stage {
            Stage::Live => "first successful run in the automation kit's traces",
            _ => "approval date in the automation kit",
        };
        w.set_stage(sname, bu, stage, on, Some(note)).await?;
        current = Some(stage);
        done.stages += 1;
    }
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_shared_in_a_department_get_the_project_number() {
        let base = |name: &str, dept: &str, number: &str| ProjectPlan {
            id: number.to_lowercase(),
            name: name.into(),
            number: Some(number.into()),
            department: dept.into(),
            owner: None,
            currency: worth_core::Currency::parse("USD").unwrap(),
            role: "fte".into(),
            hourly_cost: None,
            stages: vec![(Stage::Idea, "2022-01-01".parse().unwrap())],
            start: "2022-01-01".parse().unwrap(),
            horizon_months: 1,
            lines: vec![],
            costs: vec![],
            problems: vec![],
            line: 1,
        };
        let plans = [
            base("HR Onboarding", "Human Resources", "AP-1"),
            base("HR onboarding", "Human Resources", "AP-2"),
            base("HR Onboarding", "Finance", "AP-3"),
        ];
        assert_eq!(
            file_names(&plans),
            ["HR Onboarding (AP-1)", "HR onboarding (AP-2)", "HR Onboarding"]
        );
    }
}
