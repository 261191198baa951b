//! What a project becomes in Worth, decided from the package alone: its lifecycle, the window
//! its value lines cover, their models and parameters, its costs, and the problems that keep
//! any of it from being complete. Nothing here touches the store, so every rule is tested on
//! its own.
//!
//! The rules, each on purpose:
//!
//! - **Lifecycle.** An idea since the project was created; approved on its approval date when
//!   its status is approved (333820002); live from its first successful run when it is approved
//!   and runs are linked to it. The kit records no go-live date, and a project that is not
//!   approved stays an idea whatever dates it carries: each such case is a problem, not a
//!   guess.
//! - **Uses.** The volume per processing frequency, made yearly by the project's own working
//!   calendar (hourly: × working hours × working days; daily: × working days; weekly: × working
//!   days ÷ 5; monthly: × 12; quarterly: × 4), is the estimate's count per year. Realized uses
//!   are successful runs, as for every flow.
//! - **Value lines.** Time saved per use (processing minutes × the project's hourly cost per
//!   FTE) and errors and rework (the kit's error rate is the manual process's; the automation
//!   is taken to remove it, so the rate after is 0). Evidence: owner estimate. The number of
//!   FTEs is not a factor: the volume already says how much work there is.
//! - **Window.** From the month the benefit starts (going live, else approval, else creation)
//!   to the month the package was exported (excluded: its data ends part-way through it), so
//!   that estimate and realized value cover the same months the kit observed.
//! - **Costs.** Development costs as a one-time build cost on the approval day (the creation
//!   day before approval); maintenance overhead as a monthly share of them, over the window.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use worth_core::Currency;
use worth_core::period::{add_months, month_of, months_between};
use worth_core::solution::Stage;
use worth_core::value::models::{ModelSpec, errors_rework, time_per_use};
use worth_core::value::quantity::{Estimate, Frequency, Rate};
use worth_core::value::{Category, CostKind};

use super::read::{Package, Project, Status};

/// A value line to upsert.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinePlan {
    pub(crate) name: &'static str,
    pub(crate) category: Category,
    pub(crate) spec: ModelSpec,
}

/// A cost to add once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CostPlan {
    pub(crate) kind: CostKind,
    pub(crate) item: &'static str,
    pub(crate) amount: Decimal,
    pub(crate) start: NaiveDate,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) basis: String,
}

/// A problem found in a project, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectProblem {
    pub(crate) kind: ProblemKind,
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

/// The kinds of problems counted in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ProblemKind {
    NoDevelopmentCost,
    IncompleteEstimate,
    Lifecycle,
}

/// Everything one project becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProjectPlan {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) number: Option<String>,
    pub(crate) department: String,
    pub(crate) owner: Option<String>,
    pub(crate) currency: Currency,
    pub(crate) role: String,
    pub(crate) hourly_cost: Option<Decimal>,
    pub(crate) stages: Vec<(Stage, NaiveDate)>,
    pub(crate) start: NaiveDate,
    pub(crate) horizon_months: u32,
    pub(crate) lines: Vec<LinePlan>,
    pub(crate) costs: Vec<CostPlan>,
    pub(crate) problems: Vec<ProjectProblem>,
    pub(crate) line: u64,
}

/// Why a project cannot be planned at all: it names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlanError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

/// The first month after the package's data: the export's month, or this month.
pub(crate) fn end_month(exported_at: Option<DateTime<Utc>>, today: NaiveDate) -> NaiveDate {
    month_of(exported_at.map_or(today, |t| t.date_naive().min(today)))
}

/// The ISO currency of a Dataverse currency's display name.
pub(crate) fn currency(name: Option<&str>) -> Result<Currency, PlanError> {
    let err = |message: String| PlanError { field: "transactioncurrencyid", message };
    let name = name.ok_or_else(|| err("a currency is required here".into()))?;
    let code = match name.trim().to_lowercase().as_str() {
        "us dollar" => "USD",
        "euro" => "EUR",
        "pound sterling" | "british pound" => "GBP",
        "canadian dollar" => "CAD",
        "australian dollar" => "AUD",
        "swiss franc" => "CHF",
        "yen" | "japanese yen" => "JPY",
        "indian rupee" => "INR",
        // A currency written as its code.
        other if other.len() == 3 => return Currency::parse(other).map_err(|e| err(e.message)),
        _ => {
            return Err(err(format!(
                "'{name}' is not a currency Worth knows by name; name it by its ISO code"
            )));
        }
    };
    Currency::parse(code).map_err(|e| err(e.message))
}

/// The role whose rate card holds a project's hourly cost.
pub(crate) fn role(p: &Project) -> String {
    format!("fte {}", p.number.as_deref().unwrap_or(&p.id))
}

/// The project's uses per year by its own working calendar, or what is missing.
pub(crate) fn yearly_uses(p: &Project) -> Result<Decimal, String> {
    let volume = p.volume.ok_or("no volume per process frequency")?;
    let frequency = p.frequency.as_deref().ok_or("no processing frequency")?;
    let days = || p.working_days.ok_or("no working days per year");
    let periods = match frequency.to_lowercase().as_str() {
        "hourly" => p.working_hours.ok_or("no working hours per day")? * days()?,
        "daily" => days()?,
        "weekly" => days()? / Decimal::from(5),
        "monthly" => Decimal::from(12),
        "quarterly" => Decimal::from(4),
        "yearly" | "annually" => Decimal::ONE,
        _ => return Err(format!("the processing frequency '{frequency}' is not known")),
    };
    Ok(volume * periods)
}

/// Plans one project of `package`; `today` bounds every date.
pub(crate) fn plan(
    package: &Package,
    p: &Project,
    today: NaiveDate,
) -> Result<ProjectPlan, PlanError> {
    let currency = currency(p.currency_name.as_deref())?;
    let department = package
        .departments
        .iter()
        .find(|d| Some(&d.id) == p.department_id.as_ref())
        .map(|d| d.name.clone())
        .or_else(|| p.department_name.clone())
        .ok_or(PlanError {
            field: "autocoe_department",
            message: "a department is required".into(),
        })?;
    let created = p
        .created
        .map(|t| t.date_naive())
        .ok_or(PlanError { field: "createdon", message: "a creation time is required".into() })?;
    let mut problems = Vec::new();
    let mut problem = |kind, field, message: String| {
        problems.push(ProjectProblem { kind, field, message });
    };

    // The lifecycle the data supports.
    let approved = p.approved.map(|t| t.date_naive()).filter(|d| *d <= today);
    let successes = package.successes.get(&p.id).copied().unwrap_or(0);
    let first_run = package.first_success.get(&p.id).copied().filter(|d| *d <= today);
    let idea_on = [Some(created), approved].into_iter().flatten().min().unwrap_or(created);
    let mut stages = vec![(Stage::Idea, idea_on.min(today))];
    let mut live = None;
    match (p.status, approved) {
        (Status::Approved, Some(on)) => {
            stages.push((Stage::Approved, on));
            match first_run {
                Some(run) if run >= on => {
                    stages.push((Stage::Live, run));
                    live = Some(run);
                }
                Some(run) => problem(
                    ProblemKind::Lifecycle,
                    "autocoe_approvedon",
                    format!(
                        "its first successful run ({run}) precedes its approval ({on}): kept as \
                         approved, go-live unknown"
                    ),
                ),
                None => problem(
                    ProblemKind::Lifecycle,
                    "autocoe_automationprojectstatus",
                    "approved, but no successful run is linked to it: go-live unknown, kept as \
                     approved"
                        .into(),
                ),
            }
        }
        (Status::Approved, None) => problem(
            ProblemKind::Lifecycle,
            "autocoe_approvedon",
            "its status is approved but it has no approval date: kept as idea".into(),
        ),
        (status, _) => {
            let mut why =
                format!("its status is {} ({}): kept as idea", status.word(), code(status));
            if let Some(on) = approved {
                why.push_str(&format!("; its approval date ({on}) is not taken"));
            }
            if successes > 0 {
                why.push_str(&format!(
                    "; its {successes} successful run(s) count no realized value until it is \
                     approved and live"
                ));
            }
            problem(ProblemKind::Lifecycle, "autocoe_automationprojectstatus", why);
        }
    }

    // The months its lines cover.
    let start_day = live.or(approved.filter(|_| stages.len() > 1)).unwrap_or(idea_on);
    let start = month_of(start_day);
    let end = end_month(package.exported_at, today);
    let horizon_months = u32::try_from(months_between(start, end).clamp(1, 120)).unwrap_or(1);

    // Its value lines, from the estimate's parameters.
    let role = role(p);
    let mut lines = Vec::new();
    let uses = yearly_uses(p);
    let rate = |n: Decimal| Rate { count: Estimate::exact(n), per: Frequency::Year };
    match (&uses, p.minutes, p.hourly_cost) {
        (Ok(n), Some(minutes), Some(_)) => lines.push(LinePlan {
            name: "time saved",
            category: Category::TimeSavings,
            spec: ModelSpec::TimeSavedPerUse(time_per_use::Params {
                minutes_per_use: Estimate::exact(minutes),
                role: role.clone(),
                estimated_uses: Some(rate(*n)),
            }),
        }),
        (Err(what), _, _) => problem(
            ProblemKind::IncompleteEstimate,
            "autocoe_volumeperprocessfrequency",
            format!("{what}: time saved and rework avoided cannot be estimated"),
        ),
        (_, None, _) => problem(
            ProblemKind::IncompleteEstimate,
            "autocoe_totalprocessingtimeinminutes",
            "no processing time: time saved cannot be estimated".into(),
        ),
        (_, _, None) => problem(
            ProblemKind::IncompleteEstimate,
            "autocoe_avghourlycostperfte",
            "no hourly cost per FTE: no saving can be valued".into(),
        ),
    }
    match (&uses, p.error_rate, p.rework_minutes, p.hourly_cost) {
        (Ok(n), Some(rate_before), Some(minutes), Some(_))
            if !rate_before.is_zero() && !minutes.is_zero() =>
        {
            lines.push(LinePlan {
                name: "rework avoided",
                category: Category::Quality,
                spec: ModelSpec::ErrorsRework(errors_rework::Params {
                    error_rate_before: Estimate::exact(rate_before),
                    error_rate_after: Estimate::exact(Decimal::ZERO),
                    rework_minutes: Estimate::exact(minutes),
                    role: role.clone(),
                    estimated_uses: Some(rate(*n)),
                }),
            });
        }
        (Ok(_), None, _, Some(_)) | (Ok(_), _, None, Some(_)) => problem(
            ProblemKind::IncompleteEstimate,
            "autocoe_avgerrorratepct",
            "no error rate or rework time: rework avoided is not estimated".into(),
        ),
        _ => {}
    }

    // Its costs.
    let mut costs = Vec::new();
    let build_on = approved.filter(|_| stages.len() > 1).unwrap_or(idea_on);
    match p.development_cost {
        Some(dev) => {
            costs.push(CostPlan {
                kind: CostKind::OneTime,
                item: "build",
                amount: dev,
                start: build_on,
                end: None,
                basis: "development costs of the Automation Kit project".into(),
            });
            if let Some(share) = p.maintenance.filter(|m| !m.is_zero()) {
                let monthly = (dev * share / Decimal::from(12))
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
                costs.push(CostPlan {
                    kind: CostKind::Monthly,
                    item: "maintenance",
                    amount: monthly,
                    start,
                    end: Some(add_months(start, horizon_months)),
                    basis: format!(
                        "{}% of development costs {dev} a year ÷ 12, rounded half away from \
                         zero to cents",
                        (share * Decimal::ONE_HUNDRED).normalize()
                    ),
                });
            }
        }
        None => problem(
            ProblemKind::NoDevelopmentCost,
            "autocoe_developmentcosts",
            format!(
                "no development cost: no build cost is recorded{}, so its ROI leaves them out",
                if p.maintenance.is_some_and(|m| !m.is_zero()) {
                    " and its maintenance overhead cannot be valued"
                } else {
                    ""
                }
            ),
        ),
    }

    Ok(ProjectPlan {
        id: p.id.clone(),
        name: p.name.clone(),
        number: p.number.clone(),
        department,
        owner: p.owner.clone(),
        currency,
        role,
        hourly_cost: p.hourly_cost,
        stages,
        start,
        horizon_months,
        lines,
        costs,
        problems,
        line: p.line,
    })
}

fn code(status: Status) -> i64 {
    match status {
        Status::Saved => 333_820_000,
        Status::Submitted => 333_820_001,
        Status::Approved => 333_820_002,
        Status::Declined => 333_820_003,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;
    use worth_store::RunBatch;

    use super::*;
    use crate::automation_kit::read::{Department, TraceCounts};

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(s.parse().unwrap())
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// SAP Process Invoice as the sample package has it.
    fn project() -> Project {
        Project {
            id: "0d38fb6d-6d51-ec11-8c62-000d3a1f529f".into(),
            line: 100,
            name: "SAP Process Invoice".into(),
            number: Some("AP-000001000".into()),
            status: Status::Approved,
            department_id: Some("b9e1958a-6351-ec11-8c62-000d3a1f529f".into()),
            department_name: Some("Accounting".into()),
            currency_name: Some("US Dollar".into()),
            owner: Some("CoE Demo".into()),
            hourly_cost: Some(dec!(50)),
            ftes: Some(dec!(1)),
            minutes: Some(dec!(60)),
            frequency: Some("Daily".into()),
            volume: Some(dec!(10)),
            working_days: Some(dec!(200)),
            working_hours: Some(dec!(3)),
            error_rate: Some(dec!(0.10)),
            rework_minutes: Some(dec!(25)),
            maintenance: Some(dec!(0.15)),
            development_cost: Some(dec!(1000)),
            roi_potential: Some(dec!(36250)),
            drivers: vec![333_820_000],
            created: at("2021-11-29T23:38:21Z"),
            submitted: at("2021-11-29T23:40:50Z"),
            approved: at("2021-11-29T23:42:57Z"),
        }
    }

    fn package(projects: Vec<Project>, first_runs: &[(&str, &str, i64)]) -> Package {
        Package {
            exported_at: at("2022-10-13T22:57:17.9129018Z"),
            departments: vec![Department {
                id: "b9e1958a-6351-ec11-8c62-000d3a1f529f".into(),
                name: "Accounting".into(),
            }],
            projects,
            goals: 0,
            runs: RunBatch::default(),
            first_success: first_runs.iter().map(|(p, d, _)| ((*p).to_owned(), day(d))).collect(),
            successes: first_runs.iter().map(|(p, _, n)| ((*p).to_owned(), *n)).collect(),
            traces: TraceCounts::default(),
            ignored: Vec::new(),
        }
    }

    const TODAY: &str = "2026-01-15";

    #[test]
    fn daily_uses_follow_the_projects_working_days() {
        // 10 a day × 200 working days.
        assert_eq!(yearly_uses(&project()).unwrap(), dec!(2000));
        let hourly = Project { frequency: Some("Hourly".into()), ..project() };
        // 10 an hour × 3 hours × 200 days.
        assert_eq!(yearly_uses(&hourly).unwrap(), dec!(6000));
        let weekly = Project { frequency: Some("Weekly".into()), ..project() };
        assert_eq!(yearly_uses(&weekly).unwrap(), dec!(400));
        let monthly = Project { frequency: Some("Monthly".into()), ..project() };
        assert_eq!(yearly_uses(&monthly).unwrap(), dec!(120));
        let unknown = Project { frequency: Some("Fortnightly".into()), ..project() };
        assert!(yearly_uses(&unknown).unwrap_err().contains("'Fortnightly' is not known"));
    }

    #[test]
    fn an_approved_project_with_runs_is_live_from_its_first_successful_run() {
        let p = project();
        let pkg = package(vec![p.clone()], &[(&p.id, "2022-03-25", 29)]);
        let plan = plan(&pkg, &p, day(TODAY)).unwrap();
        assert_eq!(
            plan.stages,
            [
                (Stage::Idea, day("2021-11-29")),
                (Stage::Approved, day("2021-11-29")),
                (Stage::Live, day("2022-03-25"))
            ]
        );
        // March to September 2022: the export is dated 2022-10-13.
        assert_eq!((plan.start, plan.horizon_months), (day("2022-03-01"), 7));
        assert_eq!(plan.costs[0].amount, dec!(1000));
        // 1,000 × 15% ÷ 12.
        assert_eq!(plan.costs[1].amount, dec!(12.50));
        assert_eq!(plan.costs[1].end, Some(day("2022-10-01")));
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        assert_eq!(plan.lines.len(), 2);
    }

    #[test]
    fn an_approved_project_without_runs_stays_approved_and_says_so() {
        let p = project();
        let plan = plan(&package(vec![p.clone()], &[]), &p, day(TODAY)).unwrap();
        assert_eq!(plan.stages.last().unwrap().0, Stage::Approved);
        assert_eq!(plan.start, day("2021-11-01"));
        assert!(plan.problems[0].message.contains("go-live unknown"));
    }

    #[test]
    fn a_submitted_project_stays_an_idea_whatever_its_dates_and_runs() {
        let p = Project { status: Status::Submitted, ..project() };
        let pkg = package(vec![p.clone()], &[(&p.id, "2022-08-10", 1)]);
        let plan = plan(&pkg, &p, day(TODAY)).unwrap();
        assert_eq!(plan.stages, [(Stage::Idea, day("2021-11-29"))]);
        let message = &plan.problems[0].message;
        assert!(message.contains("submitted (333820001): kept as idea"), "{message}");
        assert!(message.contains("approval date (2021-11-29) is not taken"), "{message}");
        assert!(message.contains("1 successful run(s)"), "{message}");
    }

    #[test]
    fn no_development_cost_is_a_problem_not_a_zero() {
        let p = Project { development_cost: None, ..project() };
        let plan = plan(&package(vec![p.clone()], &[]), &p, day(TODAY)).unwrap();
        assert!(plan.costs.is_empty());
        let found = plan.problems.iter().find(|x| x.kind == ProblemKind::NoDevelopmentCost);
        assert!(found.unwrap().message.contains("maintenance overhead cannot be valued"));
    }

    #[test]
    fn a_missing_parameter_names_what_is_missing() {
        let p = Project { working_days: None, ..project() };
        let plan = plan(&package(vec![p.clone()], &[]), &p, day(TODAY)).unwrap();
        assert!(plan.lines.is_empty());
        assert!(plan.problems.iter().any(|x| x.message.starts_with("no working days per year")));
    }

    #[rstest::rstest]
    #[case(Some("US Dollar"), Ok("USD"))]
    #[case(Some("Euro"), Ok("EUR"))]
    #[case(Some("chf"), Ok("CHF"))]
    #[case(Some("Galleons"), Err("not a currency"))]
    #[case(None, Err("required"))]
    fn currencies_by_name(#[case] name: Option<&str>, #[case] expected: Result<&str, &str>) {
        match (currency(name), expected) {
            (Ok(c), Ok(code)) => assert_eq!(c.code(), code),
            (Err(e), Err(want)) => assert!(e.message.contains(want), "{}", e.message),
            (got, want) => panic!("{got:?} {want:?}"),
        }
    }

    #[test]
    fn the_window_ends_with_the_exports_month() {
        assert_eq!(end_month(at("2022-10-13T22:57:17Z"), day(TODAY)), day("2022-10-01"));
        assert_eq!(end_month(None, day(TODAY)), day("2026-01-01"));
    }
}
