//! What every request shares: the store, the templates, the login limiter, and the figures
//! computed from the store, cached until the store changes.
//!
//! Evaluating the portfolio takes a while on a large workspace, and every dashboard would do it
//! again; instead the engine's inputs are loaded once per [`Store::data_stamp`] (which moves
//! with every audited write and every import, on any server of a shared database), and each
//! scope's report is built once from them.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{Months, NaiveDate};
use worth_core::access::{Principal, Role};
use worth_core::period::month_of;
use worth_core::solution::Solution;
use worth_core::value::portfolio::{Group, GroupBy, Portfolio};
use worth_report::sponsor::SponsorReport;
use worth_store::{Loaded, Store};

use crate::auth::LoginLimiter;
use crate::web::DashboardParts;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether cookies are marked Secure (the server is reached over TLS).
    pub secure_cookies: bool,
    /// The largest upload accepted, in bytes.
    pub max_upload: usize,
    /// The workspace's pseudonymization key, which imports need; without it uploads are
    /// queued but fail.
    pub key: Option<worth_core::pseudonym::SecretKey>,
    /// How often the import worker looks for queued jobs; `None` runs no worker.
    pub import_poll: Option<Duration>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_upload: 50 * 1024 * 1024,
            key: None,
            import_poll: Some(Duration::from_secs(1)),
        }
    }
}

/// Which solutions a dashboard covers: every one, those of some business units, and of those
/// only the ones a person owns (an owner sees their own solutions' figures, never a peer's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The name keys of the business units, or every unit.
    units: Option<BTreeSet<String>>,
    /// The name key of the owner, when only their solutions count.
    owner: Option<String>,
}

impl Scope {
    /// Every solution.
    pub fn all() -> Self {
        Self { units: None, owner: None }
    }

    /// What `principal` sees on dashboards.
    pub fn of(principal: &Principal) -> Self {
        match principal.role {
            Role::Admin | Role::Analyst => Self::all(),
            Role::Sponsor => Self { units: Some(principal.business_units.clone()), owner: None },
            Role::Owner => Self {
                units: Some(principal.business_units.clone()),
                // An owner with no person on record owns by their login name, as the policy says.
                owner: Some(key(principal.person.as_deref().unwrap_or(&principal.user))),
            },
        }
    }

    /// This scope narrowed to the one business unit `unit`.
    pub fn in_unit(self, unit: &str) -> Self {
        Self { units: Some(BTreeSet::from([key(unit)])), ..self }
    }

    /// Whether `solution` counts in this scope.
    pub fn admits(&self, solution: &worth_core::solution::Solution) -> bool {
        self.units.as_ref().is_none_or(|u| u.contains(&key(&solution.business_unit)))
            && self
                .owner
                .as_ref()
                .is_none_or(|o| solution.owner.as_deref().is_some_and(|so| key(so) == *o))
    }
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The figures of one scope, built once per store stamp.
#[derive(Debug)]
pub struct ScopeFigures {
    /// The sponsor report of the scope's solutions over the last twelve complete months.
    pub report: SponsorReport,
    /// The evaluated solutions of the scope.
    pub portfolio: Portfolio,
    /// The dashboard's parts that do not depend on who looks (its charts take milliseconds
    /// to draw for a large portfolio), drawn by the page on first use.
    dashboard: OnceLock<DashboardParts>,
    /// The engine's inputs of the scope, for groupings asked later.
    loaded: Arc<Loaded>,
    /// The groupings of the portfolio computed so far (by business unit and by category when
    /// the report is built; the others when first asked).
    groups: Mutex<Vec<(GroupBy, Arc<Vec<Group>>)>>,
}

impl ScopeFigures {
    /// The scope's portfolio grouped `by`, computed once per grouping (grouping 10,000
    /// solutions takes milliseconds).
    pub fn group(&self, by: GroupBy) -> Arc<Vec<Group>> {
        let lock = || self.groups.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, g)) = lock().iter().find(|(b, _)| *b == by) {
            return g.clone();
        }
        let g = Arc::new(self.portfolio.group(&self.loaded.ctx(false), by));
        lock().push((by, g.clone()));
        g
    }

    /// The slot of the dashboard's parts drawn from these figures.
    pub(crate) fn dashboard(&self) -> &OnceLock<DashboardParts> {
        &self.dashboard
    }
}

/// What is read or computed from the store at one stamp; emptied when the stamp moves, and
/// each part read again on first use.
#[derive(Debug, Default)]
struct Cache {
    stamp: Option<(i64, i64)>,
    loaded: Option<Arc<Loaded>>,
    solutions: Option<Arc<Vec<Solution>>>,
    scopes: HashMap<Scope, Arc<ScopeFigures>>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    settings: Settings,
    limiter: LoginLimiter,
    cache: tokio::sync::Mutex<Cache>,
    templates: minijinja::Environment<'static>,
    started: std::time::Instant,
}

/// The state shared by every request.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// A state over `store`.
    pub fn new(store: Store, settings: Settings) -> Self {
        Self(Arc::new(Inner {
            store,
            settings,
            limiter: LoginLimiter::new(5, Duration::from_secs(15 * 60)),
            cache: tokio::sync::Mutex::new(Cache::default()),
            templates: crate::web::templates(),
            started: std::time::Instant::now(),
        }))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The server's settings.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The limiter of failed logins.
    pub fn limiter(&self) -> &LoginLimiter {
        &self.0.limiter
    }

    /// The page templates.
    pub fn templates(&self) -> &minijinja::Environment<'static> {
        &self.0.templates
    }

    /// The engine's inputs as the store holds them now.
    pub async fn loaded(&self) -> anyhow::Result<Arc<Loaded>> {
        let mut cache = self.0.cache.lock().await;
        self.refresh(&mut cache).await
    }

    /// The figures of the solutions `principal` may see on dashboards.
    pub async fn figures(&self, principal: &Principal) -> anyhow::Result<Arc<ScopeFigures>> {
        self.figures_of(Scope::of(principal)).await
    }

    /// The figures of the solutions in `scope`.
    pub async fn figures_of(&self, scope: Scope) -> anyhow::Result<Arc<ScopeFigures>> {
        let mut cache = self.0.cache.lock().await;
        let loaded = self.refresh(&mut cache).await?;
        if let Some(f) = cache.scopes.get(&scope) {
            return Ok(f.clone());
        }
        let scoped = if scope == Scope::all() {
            loaded
        } else {
            let mut l = (*loaded).clone();
            l.inputs.retain(|i| scope.admits(&i.solution));
            Arc::new(l)
        };
        // The evaluation is CPU work of up to seconds: off the async threads.
        let figures = tokio::task::spawn_blocking(move || build_figures(scoped)).await?;
        let figures = Arc::new(figures);
        cache.scopes.insert(scope, figures.clone());
        Ok(figures)
    }

    /// The register: every solution with its lifecycle, as the store holds it now. Lists read
    /// it here rather than from the store on every call (a second or more for 10,000
    /// solutions).
    pub async fn solutions(&self) -> anyhow::Result<Arc<Vec<Solution>>> {
        let mut cache = self.0.cache.lock().await;
        self.current(&mut cache).await?;
        if let Some(s) = &cache.solutions {
            return Ok(s.clone());
        }
        let solutions = Arc::new(self.0.store.solutions(None).await?);
        cache.solutions = Some(solutions.clone());
        Ok(solutions)
    }

    /// Empties the cache when the store's stamp has moved. The stamp is read before anything
    /// is loaded, so a write during a load moves it again and the next call loads anew.
    async fn current(&self, cache: &mut Cache) -> anyhow::Result<()> {
        let stamp = self.0.store.data_stamp().await?;
        if cache.stamp != Some(stamp) {
            *cache = Cache { stamp: Some(stamp), ..Cache::default() };
        }
        Ok(())
    }

    async fn refresh(&self, cache: &mut Cache) -> anyhow::Result<Arc<Loaded>> {
        self.current(cache).await?;
        if let Some(l) = &cache.loaded {
            return Ok(l.clone());
        }
        let loaded = Arc::new(Loaded::load(&self.0.store).await?);
        cache.loaded = Some(loaded.clone());
        Ok(loaded)
    }

    /// How long the server has been up, for the health check.
    pub fn uptime_seconds(&self) -> u64 {
        self.0.started.elapsed().as_secs()
    }
}

/// The twelve complete months before the evaluation day: the dashboard's period.
pub fn dashboard_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this = month_of(today);
    let to = this.checked_sub_months(Months::new(1)).unwrap_or(this);
    let from = to.checked_sub_months(Months::new(11)).unwrap_or(to);
    (from, to)
}

fn build_figures(loaded: Arc<Loaded>) -> ScopeFigures {
    let portfolio = loaded.portfolio(false);
    let (from, to) = dashboard_period(loaded.today);
    let (report, by_business_unit, by_category) =
        worth_app::report::sponsor_report(&loaded, &portfolio, from, to);
    let groups = vec![
        (GroupBy::BusinessUnit, Arc::new(by_business_unit)),
        (GroupBy::Category, Arc::new(by_category)),
    ];
    ScopeFigures {
        report,
        portfolio,
        dashboard: OnceLock::new(),
        loaded,
        groups: Mutex::new(groups),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rust_decimal::Decimal;
    use worth_core::pseudonym::SecretKey;
    use worth_core::solution::{Criticality, SolutionKind, Stage};
    use worth_core::value::portfolio::GroupBy;
    use worth_core::value::{CostKind, CostLine};
    use worth_core::workspace::WorkspaceSettings;
    use worth_core::{Currency, Money};
    use worth_store::{Location, NewSolution, Store};

    use super::{AppState, Settings, dashboard_period};

    async fn add(store: &Store, name: &str, build: i64) {
        let usd = Currency::parse("USD").unwrap();
        let on = "2025-01-10".parse().unwrap();
        let mut w = store.write("ada").await.unwrap();
        w.add_solution(&NewSolution {
            name: name.into(),
            kind: SolutionKind::CanvasApp,
            platform: "power-platform".into(),
            business_unit: "Finance".into(),
            environment: None,
            owner: None,
            criticality: Criticality::Standard,
            external_ids: vec![],
            stage: Stage::Idea,
            stage_on: on,
        })
        .await
        .unwrap();
        let cost = CostLine {
            id: 0,
            solution_id: 0,
            kind: CostKind::OneTime,
            item: "build".into(),
            amount: Money::new(Decimal::from(build), usd),
            start: on,
            end: None,
            basis: None,
        };
        w.add_cost(name, None, &cost).await.unwrap();
        w.commit().await.unwrap();
    }

    #[tokio::test]
    async fn cached_register_figures_and_groupings_follow_every_audited_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Location::Sqlite(dir.path().join("worth.db"))).await.unwrap();
        let mut w = store.write("ada").await.unwrap();
        let settings = WorkspaceSettings {
            currency: Currency::parse("USD").unwrap(),
            fiscal_year_start_month: 7,
            locale: "en-US".into(),
            as_of: Some("2025-07-01".parse().unwrap()),
        };
        w.init_workspace(&settings, &SecretKey::from_bytes([9; 32])).await.unwrap();
        w.add_business_unit("Finance", None).await.unwrap();
        w.commit().await.unwrap();
        add(&store, "Invoice Approvals", 1_000).await;
        let state = AppState::new(store, Settings::default());

        let register = state.solutions().await.unwrap();
        let figures = state.figures_of(super::Scope::all()).await.unwrap();
        let by_bu = figures.group(GroupBy::BusinessUnit);
        let by_solution = figures.group(GroupBy::Solution);
        assert_eq!(register.len(), 1);
        assert_eq!((by_bu.len(), by_bu[0].solutions), (1, 1));
        // Nothing written: the same figures, not computed again.
        assert!(Arc::ptr_eq(&register, &state.solutions().await.unwrap()));
        assert!(Arc::ptr_eq(&figures, &state.figures_of(super::Scope::all()).await.unwrap()));
        assert!(Arc::ptr_eq(&by_solution, &figures.group(GroupBy::Solution)));

        add(state.store(), "Expense Claims", 500).await;
        let register = state.solutions().await.unwrap();
        let after = state.figures_of(super::Scope::all()).await.unwrap();
        assert_eq!(register.len(), 2);
        assert!(!Arc::ptr_eq(&figures, &after));
        assert!(after.dashboard().get().is_none());
        let by_bu = after.group(GroupBy::BusinessUnit);
        assert_eq!((by_bu.len(), by_bu[0].solutions), (1, 2));
        assert_eq!(after.group(GroupBy::Solution).len(), 2);
        assert!(
            by_bu[0].financials.pv_costs
                > figures.group(GroupBy::BusinessUnit)[0].financials.pv_costs
        );
    }

    #[test]
    fn the_dashboard_shows_the_twelve_complete_months_before_today() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(dashboard_period(d("2025-10-15")), (d("2024-10-01"), d("2025-09-01")));
        assert_eq!(dashboard_period(d("2025-01-01")), (d("2024-01-01"), d("2024-12-01")));
    }
}
