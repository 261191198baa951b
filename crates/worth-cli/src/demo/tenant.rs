//! A sample tenant: business units, people, solutions and eighteen months of their life,
//! written in the real export formats that `worth import` reads.
//!
//! Everything is drawn from one seed, so a seed always gives the same tenant. The tenant is
//! meant to look like a real one: apps that grow, dip in August and December, or are
//! abandoned; flows that fail and are cancelled; solutions in developer environments whose
//! usage must not count; estimates made at intake that are optimistic, pessimistic or never
//! checked; licenses nobody uses.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use worth_core::period::add_months;
use worth_core::solution::{Criticality, EnvironmentType, SolutionKind};

/// The first month of the tenant's history.
pub(crate) const START: NaiveDate = match NaiveDate::from_ymd_opt(2024, 6, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// Months of history.
pub(crate) const MONTHS: u32 = 18;

/// The day the tenant is evaluated: the first day after its history.
pub(crate) fn as_of() -> NaiveDate {
    add_months(START, MONTHS)
}

/// The business units, their head count and the share of people who use the platform.
pub(crate) const UNITS: [(&str, u32); 8] = [
    ("Finance", 140),
    ("Human Resources", 90),
    ("Operations", 320),
    ("Sales", 200),
    ("Customer Service", 260),
    ("IT", 110),
    ("Supply Chain", 180),
    ("Legal and Compliance", 50),
];

const NAMES: [[&str; 17]; 8] = [
    [
        "Invoice Approvals",
        "Expense Claims",
        "Vendor Onboarding",
        "Month-End Close",
        "Budget Requests",
        "Payment Reminders",
        "Purchase Orders",
        "Credit Checks",
        "Audit Evidence",
        "Tax Forms Intake",
        "Cash Forecast",
        "Invoice Capture",
        "Bank Reconciliation",
        "Asset Register",
        "Grant Tracking",
        "Cost Centre Requests",
        "Finance Assistant",
    ],
    [
        "Leave Requests",
        "Onboarding Checklist",
        "Offboarding Tasks",
        "Job Requisitions",
        "Training Records",
        "Timesheet Reminders",
        "Benefits Enrolment",
        "Interview Scheduling",
        "Policy Attestation",
        "Staff Directory",
        "Performance Reviews",
        "Recruiting Pipeline",
        "Contract Letters",
        "Wellbeing Survey",
        "Shift Swaps",
        "Visa Tracking",
        "HR Helpdesk Agent",
    ],
    [
        "Site Inspections",
        "Maintenance Requests",
        "Safety Incidents",
        "Shift Handover",
        "Equipment Checkout",
        "Work Orders",
        "Permit to Work",
        "Downtime Log",
        "Quality Checks",
        "Fleet Bookings",
        "Energy Readings",
        "Spare Parts",
        "Inspection Forms Reader",
        "Waste Tracking",
        "Visitor Sign-In",
        "Cleaning Rounds",
        "Operations Assistant",
    ],
    [
        "Quote Builder",
        "Lead Capture",
        "Deal Desk Approvals",
        "Commission Statements",
        "Price Lists",
        "Trade Show Leads",
        "Account Plans",
        "Discount Requests",
        "Sales Forecast",
        "Territory Planner",
        "Contract Renewals",
        "Customer Visits",
        "Order Entry Bot",
        "Product Samples",
        "Partner Portal",
        "Win-Loss Notes",
        "Sales Coach Agent",
    ],
    [
        "Case Triage",
        "Returns Processing",
        "Complaint Log",
        "Callback Scheduler",
        "Warranty Claims",
        "Knowledge Articles",
        "Service Requests",
        "Field Visit Reports",
        "Refund Approvals",
        "Customer Feedback",
        "Escalations",
        "SLA Monitor",
        "Email Classifier",
        "Order Status Bot",
        "Loyalty Enrolment",
        "Survey Follow-Up",
        "Customer Service Agent",
    ],
    [
        "Access Requests",
        "Asset Inventory",
        "Change Approvals",
        "License Requests",
        "Incident Reports",
        "New Starter Laptops",
        "Password Reset Bot",
        "Software Catalogue",
        "Backup Checks",
        "Patch Tracker",
        "Vendor Risk",
        "Project Intake",
        "Service Catalogue",
        "Team Sites Requests",
        "Printer Requests",
        "Mobile Devices",
        "IT Support Agent",
    ],
    [
        "Goods Receipt",
        "Supplier Scorecards",
        "Stock Counts",
        "Delivery Exceptions",
        "Shipment Booking",
        "Customs Documents",
        "Purchase Requests",
        "Supplier Onboarding",
        "Freight Invoices",
        "Demand Plan",
        "Returns to Vendor",
        "Warehouse Slots",
        "Label Printing Bot",
        "Container Tracking",
        "Recall Manager",
        "Pallet Exchange",
        "Supply Chain Assistant",
    ],
    [
        "Contract Review",
        "NDA Requests",
        "Policy Library",
        "Conflict Checks",
        "Legal Holds",
        "Compliance Training",
        "Gifts Register",
        "Whistleblowing",
        "Regulatory Filings",
        "Board Minutes",
        "Data Requests",
        "Matter Intake",
        "Sanctions Screening",
        "Trademark Watch",
        "Records Retention",
        "Privacy Assessments",
        "Compliance Assistant",
    ],
];

const FIRST: [&str; 24] = [
    "ada", "alan", "grace", "linus", "margaret", "ken", "barbara", "dennis", "frances", "john",
    "karen", "tim", "radia", "vint", "hedy", "edsger", "anita", "niklaus", "sophie", "yukihiro",
    "adele", "donald", "jean", "fran",
];
const LAST: [&str; 16] = [
    "lovelace", "turing", "hopper", "torvalds", "hamilton", "thompson", "liskov", "ritchie",
    "allen", "backus", "spark", "berners", "perlman", "cerf", "lamarr", "dijkstra",
];

/// A deterministic random source.
pub(crate) struct Dice(Pcg64Mcg);

impl Dice {
    pub(crate) fn new(seed: u64) -> Self {
        Self(Pcg64Mcg::seed_from_u64(seed))
    }

    /// A uniform draw in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi - lo + 1);
        lo + u32::try_from(self.0.next_u64() % span).unwrap_or(0)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A random GUID in its usual lowercase form.
    pub(crate) fn guid(&mut self) -> String {
        let a = self.0.next_u64();
        let b = self.0.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// One of `items`.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.0.next_u64() % items.len() as u64).unwrap_or(0);
        &items[i]
    }
}

/// An environment of the tenant.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) env_type: EnvironmentType,
}

/// What happens to a solution over the history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fate {
    /// Grows to its audience and stays.
    Adopted,
    /// Grows, then fades out.
    Abandoned,
    /// Live, then retired.
    Retired,
    /// Approved or being built at the end of the history.
    NotLive,
}

/// A solution of the tenant.
#[derive(Debug, Clone)]
pub(crate) struct Sol {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) unit: usize,
    pub(crate) kind: SolutionKind,
    pub(crate) env: usize,
    pub(crate) owner: String,
    pub(crate) criticality: Criticality,
    /// Registered at intake (the others are found by the inventory).
    pub(crate) registered: bool,
    /// The id typed at intake; differs from `id` for estimates that will never be checked.
    pub(crate) intake_id: String,
    pub(crate) idea: NaiveDate,
    pub(crate) approved: NaiveDate,
    pub(crate) building: NaiveDate,
    pub(crate) live: Option<NaiveDate>,
    pub(crate) retired: Option<NaiveDate>,
    pub(crate) fate: Fate,
    /// Users at full adoption (apps) or runs per working day (flows, agents).
    pub(crate) scale: f64,
    /// Months to reach full adoption.
    pub(crate) ramp: f64,
    /// Share of runs that fail.
    pub(crate) failure: f64,
    /// Estimated ÷ true usage at intake: above 1 is optimistic.
    pub(crate) optimism: f64,
    /// Minutes saved per use.
    pub(crate) minutes: u32,
}

/// The whole tenant.
pub(crate) struct Tenant {
    pub(crate) envs: Vec<Env>,
    pub(crate) solutions: Vec<Sol>,
    /// People by business unit: their user principal names.
    pub(crate) people: Vec<Vec<String>>,
    pub(crate) tenant_id: String,
    /// How many solutions the seeded tenant has; those after them are the long tail of
    /// [`Tenant::with_registered`], whose exports are drawn from a generator of their own.
    base: usize,
}

/// The paths of the written exports.
pub(crate) struct Exports {
    pub(crate) inventory: Vec<PathBuf>,
    pub(crate) usage: PathBuf,
    pub(crate) runs: PathBuf,
    pub(crate) licenses: PathBuf,
    pub(crate) costs: PathBuf,
    pub(crate) usage_rows: u64,
    pub(crate) run_rows: u64,
}

impl Tenant {
    /// Draws a tenant from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut d = Dice::new(seed);
        let tenant_id = d.guid();
        let mut envs = vec![Env {
            id: d.guid(),
            name: "Contoso (default)".into(),
            env_type: EnvironmentType::Default,
        }];
        for (unit, _) in UNITS {
            envs.push(Env {
                id: d.guid(),
                name: format!("{unit} Prod"),
                env_type: EnvironmentType::Production,
            });
        }
        envs.push(Env {
            id: d.guid(),
            name: "Makers Dev".into(),
            env_type: EnvironmentType::Developer,
        });
        envs.push(Env {
            id: d.guid(),
            name: "Test Sandbox".into(),
            env_type: EnvironmentType::Sandbox,
        });
        envs.push(Env {
            id: d.guid(),
            name: "Trial 30 days".into(),
            env_type: EnvironmentType::Trial,
        });

        let people: Vec<Vec<String>> = UNITS
            .iter()
            .enumerate()
            .map(|(u, (_, heads))| {
                (0..*heads)
                    .map(|i| {
                        let f = FIRST[(i as usize + u * 5) % FIRST.len()];
                        let l = LAST[(i as usize / FIRST.len() + u * 3) % LAST.len()];
                        format!("{f}.{l}{i}.{}@contoso.example", u)
                    })
                    .collect()
            })
            .collect();

        let mut solutions = Vec::new();
        for (u, names) in NAMES.iter().enumerate() {
            for (i, name) in names.iter().enumerate() {
                solutions.push(solution(&mut d, name, u, kind_of(name, i), true, &people));
            }
        }
        // Found by the inventory only: personal tools and makers' experiments, some of them in
        // developer, sandbox and trial environments whose usage must not count.
        for (i, name) in [
            "My Task Tracker",
            "Lunch Orders",
            "Copy of Expense Claims",
            "Test Flow 7",
            "Demo Inspection App",
            "Personal Reminders",
            "Team Birthday List",
            "Draft Quote Tool",
            "Trial Chat Bot",
            "Sandbox Approvals",
            "Book Club",
            "Old Timesheets",
            "Prototype Portal",
            "Scratch Flow",
        ]
        .iter()
        .enumerate()
        {
            let kind = if i % 3 == 1 { SolutionKind::CloudFlow } else { SolutionKind::CanvasApp };
            let mut s = solution(&mut d, name, i % UNITS.len(), kind, false, &people);
            s.env = match i % 4 {
                0 => UNITS.len() + 1,
                1 => UNITS.len() + 2,
                2 => UNITS.len() + 3,
                _ => 0,
            };
            s.criticality = Criticality::Personal;
            solutions.push(s);
        }
        let base = solutions.len();
        Self { envs, solutions, people, tenant_id, base }
    }

    /// Draws the tenant of `seed` with `registered` solutions registered at intake in all: the
    /// seeded tenant's, then a long tail of small apps and flows drawn from a second generator
    /// (named after the seeded ones with a number: "Invoice Approvals 2"), so the seeded
    /// tenant and its figures stay as they are. For load tests of a large workspace.
    pub(crate) fn with_registered(seed: u64, registered: usize) -> Result<Self> {
        let mut t = Self::new(seed);
        let have = t.solutions.iter().filter(|s| s.registered).count();
        anyhow::ensure!(
            registered >= have,
            "the sample tenant registers {have} solutions; ask for {have} or more"
        );
        let mut d = Dice::new(seed ^ 0x7a11);
        let per_round = NAMES.iter().map(|n| n.len()).sum::<usize>();
        for n in 0..registered - have {
            let round = 2 + n / per_round;
            let k = n % per_round;
            let (u, i) = (k / NAMES[0].len(), k % NAMES[0].len());
            let name = NAMES[u][i];
            let kind = kind_of(name, i);
            let mut s = solution(&mut d, &format!("{name} {round}"), u, kind, true, &t.people);
            // The long tail: a few users a day, a few runs a day.
            s.scale = match kind {
                SolutionKind::CanvasApp | SolutionKind::ModelDrivenApp => 1.0 + 7.0 * d.unit(),
                SolutionKind::Agent => 1.0 + 5.0 * d.unit(),
                _ => 0.5 + 4.0 * d.unit(),
            };
            t.solutions.push(s);
        }
        Ok(t)
    }

    /// Writes every export into `dir`.
    pub(crate) fn write(&self, dir: &Path, seed: u64) -> Result<Exports> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let envs = dir.join("Environments.csv");
        let apps = dir.join("Apps.csv");
        let flows = dir.join("admin_flow.csv");
        let usage = dir.join("Usage.csv");
        let runs = dir.join("flow-runs.csv");
        let licenses = dir.join("m365-active-users.csv");
        let costs = dir.join("focus-costs.csv");

        let mut w = writer(&envs)?;
        writeln!(w, "Environmentid,name,environmenttype,isDefault")?;
        for e in &self.envs {
            let t = match e.env_type {
                EnvironmentType::Production => "Production",
                EnvironmentType::Sandbox => "Sandbox",
                EnvironmentType::Developer => "Developer",
                EnvironmentType::Default => "Default",
                EnvironmentType::Trial => "Trial",
            };
            writeln!(w, "{},{},{t},{}", e.id, e.name, e.env_type == EnvironmentType::Default)?;
        }
        w.flush()?;

        let mut w = writer(&apps)?;
        writeln!(w, "AppName,Name,Environmentid,Type,Owner,CreatedTime")?;
        let mut fw = writer(&flows)?;
        writeln!(
            fw,
            "admin_flowid,admin_displayname,admin_flowenvironmentid,admin_flowcreatedon,admin_flowstate"
        )?;
        for s in &self.solutions {
            let created = s.building.max(START);
            match s.kind {
                SolutionKind::CanvasApp | SolutionKind::ModelDrivenApp => {
                    let t =
                        if s.kind == SolutionKind::CanvasApp { "Canvas" } else { "Model-driven" };
                    writeln!(
                        w,
                        "{},\"{}\",{},{t},{},{}T09:00:00Z",
                        s.id, s.name, self.envs[s.env].id, s.owner, created
                    )?;
                }
                SolutionKind::CloudFlow => {
                    writeln!(
                        fw,
                        "{},\"{}\",{},{}T09:00:00Z,Started",
                        s.id, s.name, self.envs[s.env].id, created
                    )?;
                }
                _ => {}
            }
        }
        w.flush()?;
        fw.flush()?;

        let mut d = Dice::new(seed ^ 0x5eed);
        // The long tail's rows come from a generator of their own, so the seeded tenant's
        // rows are the same whatever the tail.
        let mut tail = Dice::new(seed ^ 0x7a11_5eed);
        let usage_rows = self.write_usage(&usage, &mut d, &mut tail)?;
        let run_rows = self.write_runs(&runs, &mut d, &mut tail)?;
        self.write_licenses(&licenses, &mut d)?;
        std::fs::write(&costs, FOCUS_SAMPLE)
            .with_context(|| format!("cannot write {}", costs.display()))?;
        Ok(Exports {
            inventory: vec![envs, apps, flows],
            usage,
            runs,
            licenses,
            costs,
            usage_rows,
            run_rows,
        })
    }

    fn write_usage(&self, path: &Path, d: &mut Dice, tail: &mut Dice) -> Result<u64> {
        let mut w = writer(path)?;
        writeln!(
            w,
            "AppId,environmentId,tenantid,ObjectID,SessionId,timeaccessed,Country,platform,PlayerVersion,AppVersion,Browsername,DataVersion"
        )?;
        let mut rows = 0u64;
        let mut line = String::with_capacity(256);
        for (n, s) in self.solutions.iter().enumerate().filter(|(_, s)| s.kind.is_app()) {
            let d = if n < self.base { &mut *d } else { &mut *tail };
            let people = &self.people[s.unit];
            for day in days() {
                let active = activity(s, day);
                if active <= 0.0 || !is_working_day(day) {
                    continue;
                }
                let users = usize::try_from(whole(s.scale * active)).unwrap_or(0).min(people.len());
                for u in 0..users {
                    // Most of the audience opens the app on a working day.
                    if !d.chance(0.7) {
                        continue;
                    }
                    let who = &people[(u * 7 + s.minutes as usize) % people.len()];
                    let sessions = 1 + u32::from(d.chance(0.5)) + u32::from(d.chance(0.2));
                    for _ in 0..sessions {
                        line.clear();
                        let _ = write!(
                            line,
                            "{},{},{},{},{},{}T{:02}:{:02}:{:02}Z,{},{},3.24.{},1.0.{},{},2024-01",
                            s.id,
                            self.envs[s.env].id,
                            self.tenant_id,
                            who,
                            d.guid(),
                            day,
                            d.range(7, 18),
                            d.range(0, 59),
                            d.range(0, 59),
                            d.pick(&["US", "GB", "DE", "IN"]),
                            d.pick(&["Web", "Android", "iOS", "Windows"]),
                            d.range(1, 9),
                            d.range(1, 40),
                            d.pick(&["Edge", "Chrome", "Safari", "Other"]),
                        );
                        line.push('\n');
                        w.write_all(line.as_bytes())?;
                        rows += 1;
                    }
                }
            }
        }
        w.flush()?;
        Ok(rows)
    }

    fn write_runs(&self, path: &Path, d: &mut Dice, tail: &mut Dice) -> Result<u64> {
        let mut w = writer(path)?;
        writeln!(w, "FlowId,RunId,StartTime,EndTime,Status")?;
        let mut rows = 0u64;
        let mut line = String::with_capacity(160);
        let end = as_of();
        for (n, s) in self.solutions.iter().enumerate().filter(|(_, s)| !s.kind.is_app()) {
            let d = if n < self.base { &mut *d } else { &mut *tail };
            for day in days() {
                let active = activity(s, day);
                let weekend_share = if s.kind == SolutionKind::Agent { 0.4 } else { 0.05 };
                let factor = if is_working_day(day) { 1.0 } else { weekend_share };
                let expected = s.scale * active * factor;
                if expected <= 0.0 {
                    continue;
                }
                let n = whole(expected * (0.8 + 0.4 * d.unit()));
                for _ in 0..n {
                    let start_s = d.range(6 * 3600, 20 * 3600);
                    let start = day.and_hms_opt(0, 0, 0).unwrap_or_default()
                        + Duration::seconds(i64::from(start_s));
                    let secs = i64::from(
                        d.range(5, if s.kind == SolutionKind::DesktopFlow { 900 } else { 120 }),
                    );
                    let roll = d.unit();
                    let last_day = day + Duration::days(1) == end;
                    let status = if last_day && roll < 0.01 {
                        "Running"
                    } else if last_day && roll < 0.02 {
                        "Pending"
                    } else if roll < s.failure {
                        "Failed"
                    } else if roll < s.failure + 0.015 {
                        "Cancelled"
                    } else {
                        "Succeeded"
                    };
                    line.clear();
                    let ended = !matches!(status, "Running" | "Pending");
                    let _ = write!(
                        line,
                        "{},{},{}Z,",
                        s.id,
                        d.guid(),
                        start.format("%Y-%m-%dT%H:%M:%S")
                    );
                    if ended {
                        let _ = write!(
                            line,
                            "{}Z",
                            (start + Duration::seconds(secs)).format("%Y-%m-%dT%H:%M:%S")
                        );
                    }
                    let _ = writeln!(line, ",{status}");
                    w.write_all(line.as_bytes())?;
                    rows += 1;
                }
            }
        }
        w.flush()?;
        Ok(rows)
    }

    fn write_licenses(&self, path: &Path, d: &mut Dice) -> Result<()> {
        let mut w = writer(path)?;
        writeln!(
            w,
            "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Last Activity Date,Assigned Products"
        )?;
        let refresh = as_of() - Duration::days(1);
        for (u, people) in self.people.iter().enumerate() {
            for (i, upn) in people.iter().enumerate() {
                let makers = i % 9 == 0;
                let product = if makers {
                    "MICROSOFT 365 E3+POWER APPS PER USER PLAN+POWER AUTOMATE PREMIUM"
                } else if i % 4 == 0 {
                    "MICROSOFT 365 E3+POWER APPS PER APP PLAN"
                } else {
                    "MICROSOFT 365 E3"
                };
                // One licensed maker in five has not been active for months.
                let idle = makers && d.chance(0.2);
                let last = if idle {
                    refresh - Duration::days(i64::from(d.range(95, 300)))
                } else {
                    refresh - Duration::days(i64::from(d.range(0, 20)))
                };
                let display = upn.split('@').next().unwrap_or(upn).replace('.', " ");
                writeln!(w, "{refresh},{upn},{display},False,,True,True,{last},{product}")?;
                let _ = u;
            }
        }
        w.flush()?;
        Ok(())
    }
}

/// The real FOCUS sample, as the platform's cloud cost: "FOCUS Sample Data, FinOps
/// Foundation, CC BY 4.0" (see crates/worth-ingest/tests/data/README.md).
const FOCUS_SAMPLE: &[u8] = include_bytes!("../../../worth-ingest/tests/data/focus-1.0-sample.csv");

fn writer(path: &Path) -> Result<BufWriter<File>> {
    let f = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, f))
}

fn days() -> impl Iterator<Item = NaiveDate> {
    let end = as_of();
    START.iter_days().take_while(move |d| *d < end)
}

fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// How active a solution is on a day, from 0 to about 1.1: its ramp after go-live, the dips
/// of August and December, and its fate.
pub(crate) fn activity(s: &Sol, day: NaiveDate) -> f64 {
    let Some(live) = s.live else { return 0.0 };
    if day < live || s.retired.is_some_and(|r| day >= r) {
        return 0.0;
    }
    let months = f64::from(u32::try_from((day - live).num_days()).unwrap_or(0)) / 30.4;
    let mut level = 1.0 / (1.0 + (-(months - s.ramp / 2.0) * 6.0 / s.ramp.max(0.5)).exp());
    if s.fate == Fate::Abandoned {
        let peak = s.ramp + 3.0;
        if months > peak {
            level *= (1.0 - (months - peak) / 4.0).max(0.0);
        }
    }
    let season = match day.month() {
        8 => 0.75,
        12 => 0.7,
        _ => 1.0,
    };
    level * season
}

/// The kind of the seeded tenant's `i`-th solution of a business unit, called `name`.
fn kind_of(name: &str, i: usize) -> SolutionKind {
    if name.ends_with("Agent") || name.ends_with("Assistant") {
        SolutionKind::Agent
    } else if name.ends_with("Bot") || name.ends_with("Reader") || name.ends_with("Classifier") {
        SolutionKind::DesktopFlow
    } else if i % 3 == 1 {
        SolutionKind::CloudFlow
    } else if i % 7 == 3 {
        SolutionKind::ModelDrivenApp
    } else {
        SolutionKind::CanvasApp
    }
}

fn solution(
    d: &mut Dice,
    name: &str,
    unit: usize,
    kind: SolutionKind,
    registered: bool,
    people: &[Vec<String>],
) -> Sol {
    let id = d.guid();
    let heads = f64::from(UNITS[unit].1);
    // Go-live between four months before the history and two months before its end.
    let live_month = d.range(0, MONTHS + 1);
    let live =
        add_months(START, live_month).checked_sub_months(chrono::Months::new(4)).unwrap_or(START)
            + Duration::days(i64::from(d.range(0, 25)));
    let fate = match d.range(0, 19) {
        0..=1 => Fate::Abandoned,
        2 => Fate::Retired,
        3..=4 => Fate::NotLive,
        _ => Fate::Adopted,
    };
    let fate = if !registered { Fate::Adopted } else { fate };
    let building = live - Duration::days(i64::from(d.range(30, 110)));
    let approved = building - Duration::days(i64::from(d.range(5, 40)));
    let idea = approved - Duration::days(i64::from(d.range(10, 90)));
    let (live_on, retired) = match fate {
        Fate::NotLive => (None, None),
        Fate::Retired => (Some(live), Some(live + Duration::days(i64::from(d.range(150, 300))))),
        _ => (Some(live), None),
    };
    let retired = retired.filter(|r| *r < as_of());
    let scale = if kind.is_app() {
        heads * (0.1 + 0.5 * d.unit())
    } else if kind == SolutionKind::Agent {
        8.0 + 30.0 * d.unit()
    } else {
        2.0 + 40.0 * d.unit() * d.unit()
    };
    let optimism = *d.pick(&[0.5, 0.75, 0.9, 1.0, 1.0, 1.1, 1.3, 1.6, 2.2, 3.0]);
    let never_checked = registered && d.chance(0.06);
    let owners = &people[unit];
    Sol {
        intake_id: if never_checked { d.guid() } else { id.clone() },
        id,
        name: name.to_owned(),
        unit,
        kind,
        env: 1 + unit,
        owner: {
            let upn = d.pick(owners);
            let local = upn.split('@').next().unwrap_or(upn);
            local.split('.').map(capitalize).collect::<Vec<_>>().join(" ")
        },
        criticality: *d.pick(&[
            Criticality::Critical,
            Criticality::Important,
            Criticality::Important,
            Criticality::Standard,
            Criticality::Standard,
        ]),
        registered,
        idea,
        approved,
        building,
        live: live_on,
        retired,
        fate,
        scale,
        ramp: 1.0 + 5.0 * d.unit(),
        failure: 0.01 + 0.12 * d.unit() * d.unit(),
        optimism,
        minutes: match kind {
            SolutionKind::CanvasApp | SolutionKind::ModelDrivenApp => d.range(1, 3),
            SolutionKind::Agent => d.range(2, 6),
            _ => d.range(2, 10),
        },
    }
}

fn capitalize(word: &str) -> String {
    let word: String = word.chars().filter(|c| c.is_alphabetic()).collect();
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A non-negative count from a drawn figure, rounded.
pub(crate) fn whole(v: f64) -> u64 {
    rust_decimal::Decimal::try_from(v.max(0.0).round())
        .ok()
        .and_then(|d| u64::try_from(d).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_larger_tenant_keeps_the_seeded_one_and_adds_a_long_tail_of_unique_names() {
        let seeded = Tenant::new(42);
        let large = Tenant::with_registered(42, 1_000).unwrap();
        assert_eq!(large.solutions.iter().filter(|s| s.registered).count(), 1_000);
        for (a, b) in seeded.solutions.iter().zip(&large.solutions) {
            assert_eq!((&a.id, &a.name, a.live, a.scale), (&b.id, &b.name, b.live, b.scale));
        }
        let names: std::collections::BTreeSet<_> =
            large.solutions.iter().map(|s| s.name.to_lowercase()).collect();
        assert_eq!(names.len(), large.solutions.len());
        assert!(Tenant::with_registered(42, 10).is_err());
    }
}
