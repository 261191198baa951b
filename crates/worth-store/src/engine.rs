//! The value engine's inputs, loaded once from the store, shared by every front end (the CLI,
//! the server) so that a figure is computed the same way wherever it is shown.

use chrono::{NaiveDate, Utc};
use worth_core::fx::FxTable;
use worth_core::rates::RateCard;
use worth_core::value::engine::{Context, SolutionData};
use worth_core::value::portfolio::{Portfolio, evaluate};
use worth_core::workspace::WorkspaceSettings;

use crate::{GuidelineVersion, Result, SolutionInputs, Store};

/// Everything the engine needs, loaded once from the store.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The guideline version in force.
    pub guideline: GuidelineVersion,
    /// The rate cards.
    pub rates: Vec<RateCard>,
    /// The dated exchange rates.
    pub fx: FxTable,
    /// The workspace's settings.
    pub settings: WorkspaceSettings,
    /// Each solution with its lines, costs and measured usage.
    pub inputs: Vec<SolutionInputs>,
    /// The evaluation day: the workspace's `as_of`, or today in UTC.
    pub today: NaiveDate,
}

impl Loaded {
    /// Reads the engine's inputs from `store`.
    pub async fn load(store: &Store) -> Result<Self> {
        let guideline = store.guideline(None).await?;
        let inputs = store.value_inputs(&guideline.settings, guideline.version).await?;
        let settings = store.settings().await?;
        Ok(Self {
            rates: store.rates().await?,
            fx: FxTable::new(store.fx_rates().await?),
            today: settings.as_of.unwrap_or_else(|| Utc::now().date_naive()),
            settings,
            guideline,
            inputs,
        })
    }

    /// The evaluation context; with `explain`, every figure keeps its explanation tree.
    pub fn ctx(&self, explain: bool) -> Context<'_> {
        Context {
            guideline: &self.guideline.settings,
            guideline_version: self.guideline.version,
            rates: &self.rates,
            fx: &self.fx,
            currency: self.settings.currency,
            today: self.today,
            explain,
        }
    }

    /// The solutions with their inputs.
    pub fn inputs(&self) -> &[SolutionInputs] {
        &self.inputs
    }

    /// The engine's view of the inputs.
    pub fn data(&self) -> Vec<SolutionData<'_>> {
        self.inputs
            .iter()
            .map(|i| SolutionData {
                solution: &i.solution,
                lines: &i.lines,
                costs: &i.costs,
                usage: &i.usage,
            })
            .collect()
    }

    /// Every solution evaluated.
    pub fn portfolio(&self, explain: bool) -> Portfolio {
        evaluate(&self.ctx(explain), &self.data())
    }
}
