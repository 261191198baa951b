//! `worth demo`: a realistic sample tenant, imported and evaluated the way a user would.
//!
//! It writes the tenant's exports in the real formats, registers what a platform team would
//! register by hand (business units, rate cards, intake of solutions with their value
//! estimates and costs, their stages), imports every export through `worth import`'s own
//! code, and evaluates the portfolio as of the day after the tenant's history, so that a seed
//! always gives the same figures.

mod chargeback;
mod program;
mod tenant;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use worth_core::Currency;
use worth_core::Money;
use worth_core::solution::{ExternalId, SolutionKind, Stage};
use worth_core::value::models::ModelSpec;
use worth_core::value::{Category, CostKind, CostLine, EvidenceGrade};
use worth_core::workspace::WorkspaceSettings;
use worth_ingest::{ImportOptions, Kind};
use worth_store::{Location, NewRate, NewSolution, NewValueLine, SolutionChange, Store, keyfile};

use crate::context::{Globals, say};
use tenant::{Dice, Fate, Sol, Tenant, UNITS, whole};

/// Options of `worth demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// The seed of the sample tenant: the same seed gives the same tenant and figures.
    #[arg(long, default_value_t = 42)]
    pub(crate) seed: u64,
    /// The folder of the demo workspace; it is made anew.
    #[arg(long, default_value = "worth-demo")]
    pub(crate) dir: PathBuf,
    /// Solutions registered at intake, in all (default: the sample tenant's 136). More are
    /// drawn as a long tail of small apps and flows with their estimates, costs and usage,
    /// after the sample tenant's own, whose figures stay the same; for load tests.
    #[arg(long)]
    pub(crate) solutions: Option<usize>,
}

/// The role whose time each business unit's solutions save, and its loaded hourly cost.
const ROLES: [(&str, u32); 8] = [
    ("analyst", 62),
    ("hr officer", 48),
    ("technician", 52),
    ("seller", 70),
    ("service agent", 42),
    ("engineer", 85),
    ("planner", 50),
    ("paralegal", 58),
];
const MAKER_RATE: u32 = 65;

/// What the demo built, for the report and the summary.
pub(crate) struct Demo {
    pub(crate) store: Store,
    pub(crate) dir: PathBuf,
    pub(crate) as_of: NaiveDate,
}

/// Builds the demo workspace in `args.dir`.
pub(crate) async fn build(args: &DemoArgs) -> Result<Demo> {
    let started = Instant::now();
    let dir = args.dir.clone();
    prepare(&dir)?;
    say(&format!("worth: demo: drawing a sample tenant (seed {})", args.seed));
    let tenant = match args.solutions {
        Some(n) => Tenant::with_registered(args.seed, n)?,
        None => Tenant::new(args.seed),
    };
    let exports = tenant.write(&dir.join("exports"), args.seed)?;
    say(&format!(
        "worth: demo: wrote the exports to {} ({} usage rows, {} flow runs) in {:.1}s",
        dir.join("exports").display(),
        exports.usage_rows,
        exports.run_rows,
        started.elapsed().as_secs_f64()
    ));

    let location = Location::Sqlite(dir.join("worth.db"));
    let store = Store::open(&location).await?;
    let key_path = location.default_key_file();
    let key = keyfile::load_or_create(&key_path)?;
    let usd = Currency::parse("USD")?;
    let settings = WorkspaceSettings {
        currency: usd,
        fiscal_year_start_month: 7,
        locale: "en-US".into(),
        as_of: Some(tenant::as_of()),
    };
    let mut w = store.write("demo").await?;
    w.init_workspace(&settings, &key).await?;
    register(&mut w, &tenant, args.seed, usd).await?;
    w.commit().await?;
    say(&format!(
        "worth: demo: registered {} business units and {} solutions with their estimates and costs",
        UNITS.len(),
        tenant.solutions.iter().filter(|s| s.registered).count()
    ));

    let options = ImportOptions {
        strict: false,
        mapping: None,
        rejects_dir: dir.clone(),
        progress: false,
        source: None,
        fail_before_commit: false,
    };
    for (kind, files) in [
        (Kind::Inventory, exports.inventory.clone()),
        (Kind::Usage, vec![exports.usage.clone()]),
        (Kind::Runs, vec![exports.runs.clone()]),
        (Kind::Licenses, vec![exports.licenses.clone()]),
        (Kind::Costs, vec![exports.costs.clone()]),
    ] {
        let t = Instant::now();
        let summary = worth_ingest::import(&store, &key, "demo", kind, &files, &options)
            .await
            .with_context(|| format!("the demo's {kind} import failed"))?;
        say(&format!(
            "worth: demo: imported {kind}: {} rows read, {} imported, {} rejected ({:.1}s)",
            summary.read(),
            summary.imported(),
            summary.rejected(),
            t.elapsed().as_secs_f64()
        ));
    }

    // The inventory found solutions nobody registered; the platform team files them.
    let mut w = store.write("demo").await?;
    for s in tenant.solutions.iter().filter(|s| !s.registered) {
        let change = SolutionChange {
            business_unit: Some(UNITS[s.unit].0.to_owned()),
            criticality: Some(s.criticality),
            owner: Some(s.owner.clone()),
        };
        w.update_solution(&s.name, Some(worth_store::UNASSIGNED_BUSINESS_UNIT), &change).await?;
    }
    w.commit().await?;
    program::seed(&store, &key, &dir, &tenant, args.seed, &options).await?;
    say("worth: demo: set up the value program: KPIs, OKRs, stories, a pilot, surveys, training");
    let run = chargeback::set_up_and_run(&store, usd).await?;
    say(&format!(
        "worth: demo: chargeback run #{} of {} reconciles to the imported invoice",
        run.id, run.period
    ));
    say(&format!("worth: demo: built in {:.1}s", started.elapsed().as_secs_f64()));
    Ok(Demo { store, dir, as_of: tenant::as_of() })
}

/// Makes the folder anew: removes what an earlier demo left there, and nothing else.
fn prepare(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for name in ["worth.db", "worth.db-wal", "worth.db-shm", "worth.key"] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    for sub in ["exports", "report"] {
        let path = dir.join(sub);
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("worth-rejects-") {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn spec(model: &str, pairs: &[(&str, String)]) -> Result<ModelSpec> {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    Ok(ModelSpec::from_pairs(model, &pairs)?)
}

/// Registers business units, rate cards and the solutions of the intake, with their value
/// lines, costs and stages.
async fn register(w: &mut worth_store::Writer, t: &Tenant, seed: u64, usd: Currency) -> Result<()> {
    let since: NaiveDate = "2023-01-01".parse()?;
    for (unit, _) in UNITS {
        w.add_business_unit(unit, None).await?;
    }
    for (i, (role, hourly)) in ROLES.iter().enumerate() {
        let rate = NewRate {
            role: (*role).to_owned(),
            business_unit: Some(UNITS[i].0.to_owned()),
            hourly: Decimal::from(*hourly),
            currency: usd,
            valid_from: since,
            valid_to: None,
        };
        w.add_rate(&rate).await?;
    }
    w.add_rate(&NewRate {
        role: "maker".into(),
        business_unit: None,
        hourly: Decimal::from(MAKER_RATE),
        currency: usd,
        valid_from: since,
        valid_to: None,
    })
    .await?;

    let mut d = Dice::new(seed ^ 0xe57);
    for (n, s) in t.solutions.iter().filter(|s| s.registered).enumerate() {
        let system = if s.kind.is_app() { "powerapps" } else { "powerautomate" };
        let unit = UNITS[s.unit].0;
        w.add_solution(&NewSolution {
            name: s.name.clone(),
            kind: s.kind,
            platform: "power-platform".into(),
            business_unit: unit.to_owned(),
            environment: None,
            owner: Some(s.owner.clone()),
            criticality: s.criticality,
            external_ids: vec![ExternalId { system: system.into(), id: s.intake_id.clone() }],
            stage: Stage::Idea,
            stage_on: s.idea,
        })
        .await?;
        let (lines, revenue_units) = value_lines(s, n, &mut d)?;
        for line in &lines {
            w.add_value_line(&s.name, Some(unit), line).await?;
        }
        let hours = d.range(40, 320);
        let build = Decimal::from(hours * MAKER_RATE);
        let cost =
            |kind, item: &str, amount: Decimal, start: NaiveDate, basis: Option<String>| CostLine {
                id: 0,
                solution_id: 0,
                kind,
                item: item.into(),
                amount: Money::new(amount, usd),
                start,
                end: None,
                basis,
            };
        let basis = Some(format!("{hours} h × {MAKER_RATE} USD (maker rate card)"));
        w.add_cost(
            &s.name,
            Some(unit),
            &cost(CostKind::OneTime, "build", build, s.building, basis),
        )
        .await?;
        if let Some(live) = s.live {
            let maintenance = (build * Decimal::new(15, 2) / Decimal::from(12)).round_dp(2);
            let basis = Some(format!("15% a year of the build {build} USD, ÷ 12"));
            w.add_cost(
                &s.name,
                Some(unit),
                &cost(CostKind::Monthly, "maintenance", maintenance, live, basis),
            )
            .await?;
            if d.chance(0.4) {
                let licenses = Decimal::from(d.range(2, 30) * 10);
                w.add_cost(
                    &s.name,
                    Some(unit),
                    &cost(CostKind::Monthly, "premium licenses", licenses, live, None),
                )
                .await?;
            }
        }
        w.set_stage(&s.name, Some(unit), Stage::Approved, s.approved, None).await?;
        w.set_stage(&s.name, Some(unit), Stage::Building, s.building, None).await?;
        if let Some(live) = s.live {
            w.set_stage(&s.name, Some(unit), Stage::Live, live, None).await?;
        }
        if let (Some(retired), Fate::Retired) = (s.retired, s.fate) {
            w.set_stage(&s.name, Some(unit), Stage::Retired, retired, Some("replaced")).await?;
        }
        // Sales reports the deals the solution helped win, month by month.
        if let (Some(estimated), Some(live)) = (revenue_units, s.live) {
            let first = worth_core::period::month_of(live);
            for month in worth_core::period::months(first, tenant::as_of()) {
                let mid = month + chrono::Duration::days(14);
                let won = f64::from(estimated) / s.optimism * tenant::activity(s, mid);
                let won = Decimal::from(whole(won));
                w.record_measurement(
                    &s.name,
                    Some(unit),
                    "units",
                    month,
                    won,
                    "CRM report of won deals",
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The value lines an owner would enter at intake: time saved on every solution, with an
/// estimate of use that is optimistic or pessimistic as owners' estimates are; and, on some,
/// rework avoided, licenses retired, extra revenue or a better experience.
fn value_lines(s: &Sol, n: usize, d: &mut Dice) -> Result<(Vec<NewValueLine>, Option<u32>)> {
    let role = ROLES[s.unit].0.to_owned();
    let weekly_true =
        if s.kind.is_app() { s.scale * 0.7 * 1.7 * 5.0 } else { s.scale * 5.0 * (1.0 - s.failure) };
    let weekly = whole(weekly_true * s.optimism).max(1);
    let minutes = if n.is_multiple_of(3) {
        format!("{}..{}..{}", (s.minutes / 2).max(1), s.minutes, s.minutes * 2)
    } else {
        s.minutes.to_string()
    };
    let evidence = *d.pick(&[
        EvidenceGrade::OwnerEstimate,
        EvidenceGrade::OwnerEstimate,
        EvidenceGrade::OwnerEstimate,
        EvidenceGrade::Survey,
        EvidenceGrade::SystemData,
        EvidenceGrade::Assumption,
    ]);
    let line =
        |name: &str, category, spec, evidence, process: Option<&str>, attribution: Decimal| {
            NewValueLine {
                name: name.into(),
                category,
                spec,
                currency: Currency::parse("USD")
                    .unwrap_or_else(|_| unreachable!("USD is a currency")),
                attribution,
                evidence,
                process: process.map(str::to_owned),
                start: s.live.unwrap_or(s.building),
                horizon_months: 36,
            }
        };
    let process = (s.unit == 0 && s.name.starts_with("Invoice")).then_some("invoice processing");
    let attribution = if process.is_some() { Decimal::new(60, 2) } else { Decimal::ONE };
    let mut lines = vec![line(
        "time saved",
        Category::TimeSavings,
        spec(
            "time-saved-per-use",
            &[
                ("minutes_per_use", minutes),
                ("role", role.clone()),
                ("estimated_uses", format!("{weekly}/week")),
            ],
        )?,
        evidence,
        process,
        attribution,
    )];
    if !s.kind.is_app() && n % 4 == 1 {
        lines.push(line(
            "rework avoided",
            Category::Quality,
            spec(
                "errors-rework",
                &[
                    ("error_rate_before", "6%..9%..14%".into()),
                    ("error_rate_after", format!("{}%", (s.failure * 100.0).round().max(1.0))),
                    ("rework_minutes", "25".into()),
                    ("role", role.clone()),
                    ("estimated_uses", format!("{weekly}/week")),
                ],
            )?,
            EvidenceGrade::Survey,
            None,
            Decimal::ONE,
        ));
    }
    if n % 7 == 2 {
        let amount = d.range(3, 15) * 100;
        lines.push(line(
            "licenses retired",
            Category::CostReduction,
            spec(
                "fixed-amount",
                &[("amount_per_month", amount.to_string()), ("cashable", "true".into())],
            )?,
            EvidenceGrade::SystemData,
            None,
            Decimal::ONE,
        ));
    }
    let mut revenue_units = None;
    if s.unit == 3 && n.is_multiple_of(3) {
        let units = d.range(2, 12);
        revenue_units = Some(units);
        lines.push(line(
            "faster quotes win deals",
            Category::Revenue,
            spec(
                "revenue",
                &[
                    ("margin_per_unit", "150..400..900".into()),
                    ("estimated_units", format!("{units}/month")),
                ],
            )?,
            EvidenceGrade::Assumption,
            None,
            Decimal::new(50, 2),
        ));
    }
    if s.kind == SolutionKind::CanvasApp && n.is_multiple_of(5) {
        lines.push(line(
            "less frustration",
            Category::Experience,
            spec(
                "scored",
                &[
                    ("score", d.range(3, 5).to_string()),
                    ("statement", "people no longer chase paper forms".into()),
                ],
            )?,
            EvidenceGrade::Survey,
            None,
            Decimal::ONE,
        ));
    }
    Ok((lines, revenue_units))
}

/// `worth demo`: builds the demo workspace, evaluates it, writes the sponsor report and
/// prints its headlines.
pub(crate) async fn run(g: &Globals, args: DemoArgs) -> Result<()> {
    let demo = build(&args).await?;
    let program = crate::commands::program::Program::load(&demo.store).await?;
    let loaded = &program.loaded;
    debug_assert_eq!(loaded.ctx(false).today, demo.as_of);
    let out = demo.dir.join("report");
    let section = Some(program.section()?);
    let chargeback = crate::commands::chargeback::sponsor_section(&demo.store).await?;
    let (report, paths) =
        crate::commands::report::write_loaded(loaded, None, None, &out, section, chargeback)?;
    for p in &paths {
        say(&format!("worth: demo: wrote {}", p.display()));
    }
    say(&format!(
        "worth: demo: open {} in a browser; the workspace is {} (try `worth --db {} roi --by bu`)",
        out.join("index.html").display(),
        demo.dir.display(),
        demo.dir.join("worth.db").display()
    ));
    let mut table = crate::output::Table::new(&["headline"]);
    for h in &report.headlines {
        table.row([h.text.clone()]);
    }
    crate::output::emit(g.format, &report.headlines, &table)
}
