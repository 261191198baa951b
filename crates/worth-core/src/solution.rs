//! The register of solutions: apps, flows, agents and reports, where they run, who owns them,
//! how critical they are, and the dated history of their lifecycle.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::VariantNames;

use crate::ValidationError;

/// Parses one of a closed set of names, listing the accepted ones when the input is not one.
pub fn parse_choice<T>(field: &str, text: &str) -> Result<T, ValidationError>
where
    T: std::str::FromStr + VariantNames,
{
    let normalized = text.trim().to_lowercase().replace(['_', ' '], "-");
    normalized.parse::<T>().map_err(|_| {
        ValidationError::new(
            field,
            format!("'{}' is not one of: {}", excerpt(text.trim()), T::VARIANTS.join(", ")),
        )
    })
}

/// The start of a text a message quotes back: at most 40 characters, so that a huge value
/// sent by mistake (or on purpose) is not echoed whole.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

choice_enum! {
    /// What a solution is.
    SolutionKind {
        /// A canvas app (Power Apps) or any form-based app.
        CanvasApp,
        /// A model-driven app over a data model.
        ModelDrivenApp,
        /// A cloud flow (Power Automate) or any cloud workflow.
        CloudFlow,
        /// A desktop flow (robotic process automation).
        DesktopFlow,
        /// A conversational agent (Copilot Studio) or bot.
        Agent,
        /// A report or dashboard.
        Report,
        /// Anything else.
        Other,
    }
}

impl SolutionKind {
    /// Whether the solution is used in sessions (apps) rather than runs (flows and agents).
    pub fn is_app(self) -> bool {
        matches!(self, Self::CanvasApp | Self::ModelDrivenApp | Self::Report)
    }
}

choice_enum! {
    /// The type of an environment, which decides whether its usage counts (see the guideline).
    EnvironmentType {
        /// Production.
        Production,
        /// Sandbox (test, staging).
        Sandbox,
        /// A developer's own environment.
        Developer,
        /// The tenant's default environment.
        Default,
        /// A trial environment.
        Trial,
    }
}

choice_enum! {
    /// How much the business depends on a solution.
    Criticality {
        /// Failure stops a critical business process.
        Critical,
        /// Failure hurts a business process.
        Important,
        /// A team tool.
        Standard,
        /// Used by its maker alone.
        Personal,
    }
}

choice_enum! {
    /// A stage of a solution's lifecycle, in their usual order.
    Stage {
        /// Proposed, not yet approved.
        Idea,
        /// Approved for building; the value estimate is frozen here.
        Approved,
        /// Being built.
        Building,
        /// In use; realized value is counted from here.
        Live,
        /// No longer in use.
        Retired,
    }
}

/// An environment in which solutions run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// The store's identifier.
    pub id: i64,
    /// The environment's display name.
    pub name: String,
    /// Its type.
    pub env_type: EnvironmentType,
    /// The platform's identifier for it, when known.
    pub external_id: Option<String>,
}

/// An identifier that a platform export uses for a solution, such as a Power Apps app id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExternalId {
    /// The system that issued the id, such as `powerapps` or `coe`.
    pub system: String,
    /// The id in that system.
    pub id: String,
}

impl ExternalId {
    /// Parses `system:id`, the form used on the command line.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text.split_once(':') {
            Some((system, id)) if !system.trim().is_empty() && !id.trim().is_empty() => {
                Ok(Self { system: system.trim().to_lowercase(), id: id.trim().to_owned() })
            }
            _ => Err(ValidationError::new(
                "external-id",
                format!("'{text}' must have the form system:id, such as powerapps:1234-abcd"),
            )),
        }
    }
}

/// One dated step of a solution's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleEvent {
    /// The stage entered.
    pub stage: Stage,
    /// The day it was entered.
    pub on: NaiveDate,
    /// Why, if somebody said.
    pub note: Option<String>,
}

/// A registered solution, with its current stage and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    /// The store's identifier.
    pub id: i64,
    /// The solution's name, unique within its business unit.
    pub name: String,
    /// What it is.
    pub kind: SolutionKind,
    /// The platform it is built on, such as `power-platform`.
    pub platform: String,
    /// The business unit that owns it.
    pub business_unit: String,
    /// The environment it runs in, if known.
    pub environment: Option<Environment>,
    /// The person who owns it, if known.
    pub owner: Option<String>,
    /// How critical it is.
    pub criticality: Criticality,
    /// The ids that platform exports use for it.
    pub external_ids: Vec<ExternalId>,
    /// Its lifecycle, oldest first; the last event is the current stage.
    pub lifecycle: Vec<LifecycleEvent>,
}

impl Solution {
    /// The current stage: the stage of the latest lifecycle event.
    pub fn stage(&self) -> Option<Stage> {
        self.lifecycle.last().map(|e| e.stage)
    }

    /// The day the solution was retired, when retirement is its current stage.
    pub fn retired_since(&self) -> Option<NaiveDate> {
        self.lifecycle.last().filter(|e| e.stage == Stage::Retired).map(|e| e.on)
    }

    /// The first day the solution went live, if it ever did.
    pub fn live_since(&self) -> Option<NaiveDate> {
        self.lifecycle.iter().find(|e| e.stage == Stage::Live).map(|e| e.on)
    }
}

/// Checks that a solution may enter `stage` on `on`, given its history and today's date.
///
/// A stage date may not lie in the future, may not precede the latest recorded step, and the
/// stage must differ from the current one.
pub fn check_stage_change(
    history: &[LifecycleEvent],
    stage: Stage,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    if on > today {
        return Err(ValidationError::new(
            "date",
            format!("{on} is in the future (today is {today}); record a stage once it happened"),
        ));
    }
    if let Some(last) = history.last() {
        if last.stage == stage {
            return Err(ValidationError::new("stage", format!("the solution is already {stage}")));
        }
        if on < last.on {
            return Err(ValidationError::new(
                "date",
                format!(
                    "{on} is before the latest step ({} on {}); stages are recorded in order",
                    last.stage, last.on
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_refused_choice_is_quoted_back_in_part() {
        let e = parse_choice::<SolutionKind>("kind", &"é".repeat(100_000)).unwrap_err();
        assert!(e.message.starts_with(&format!("'{}…' is not one of", "é".repeat(40))), "{e}");
        let e = parse_choice::<SolutionKind>("kind", "robot").unwrap_err();
        assert!(e.message.starts_with("'robot' is not one of: canvas-app"), "{e}");
    }

    #[rstest]
    #[case("canvas-app", SolutionKind::CanvasApp)]
    #[case("Cloud Flow", SolutionKind::CloudFlow)]
    #[case("desktop_flow", SolutionKind::DesktopFlow)]
    fn kinds_parse_in_the_forms_people_type(#[case] text: &str, #[case] kind: SolutionKind) {
        assert_eq!(parse_choice::<SolutionKind>("kind", text).unwrap(), kind);
    }

    #[test]
    fn an_unknown_choice_lists_the_accepted_ones() {
        let err = parse_choice::<Criticality>("criticality", "urgent").unwrap_err();
        assert_eq!(err.message, "'urgent' is not one of: critical, important, standard, personal");
    }

    #[rstest]
    #[case("powerapps:abc-1", Some(("powerapps", "abc-1")))]
    #[case("CoE: x ", Some(("coe", "x")))]
    #[case("abc", None)]
    #[case(":abc", None)]
    fn external_ids_parse(#[case] text: &str, #[case] expected: Option<(&str, &str)>) {
        let got = ExternalId::parse(text).ok();
        assert_eq!(got.as_ref().map(|e| (e.system.as_str(), e.id.as_str())), expected);
    }

    #[rstest]
    #[case(Stage::Approved, "2026-03-01", Ok(()))]
    #[case(Stage::Approved, "2027-01-01", Err("date"))]
    #[case(Stage::Idea, "2026-03-01", Err("stage"))]
    #[case(Stage::Live, "2025-12-31", Err("date"))]
    fn stage_changes_are_checked(
        #[case] stage: Stage,
        #[case] on: &str,
        #[case] expected: Result<(), &str>,
    ) {
        let history = [LifecycleEvent { stage: Stage::Idea, on: day("2026-01-10"), note: None }];
        let got = check_stage_change(&history, stage, day(on), day("2026-12-04"));
        assert_eq!(got.map_err(|e| e.field), expected.map_err(str::to_owned));
    }
}
