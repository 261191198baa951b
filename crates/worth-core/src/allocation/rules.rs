//! Allocation rules: which records of a cost pool a rule takes, and how it shares them.
//!
//! Rules are applied in order; each takes, among the records no earlier rule took, those its
//! filter matches and it can place. Tag keys are compared normalized (trimmed, case-folded,
//! spaces, underscores, hyphens and dots removed), so `business_unit`, `BusinessUnit` and
//! ` business unit` are one key; a rule may name further aliases (`cost center`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::org::validate_name;

choice_enum! {
    /// A quantity that shares a pool in proportion.
    Driver {
        /// Distinct active users of the target's apps in the period.
        ActiveUsers,
        /// App sessions in the period.
        Sessions,
        /// Successful flow runs in the period.
        SuccessfulRuns,
        /// Dataverse storage in GB recorded for the target.
        Storage,
        /// What earlier rules of the run gave the target, in the same view and currency.
        AllocatedCost,
    }
}

choice_enum! {
    /// What a rule's targets are.
    #[derive(Default)]
    Level {
        /// Business units: the rule names them, and drivers count per business unit.
        #[default]
        BusinessUnit,
        /// Solutions: the rule names them (`Solution` or `Business unit / Solution`), drivers
        /// count per solution, and each line names the solution and its business unit.
        Solution,
    }
}

impl Level {
    fn is_business_unit(&self) -> bool {
        *self == Self::BusinessUnit
    }
}

choice_enum! {
    /// The FOCUS `ChargeCategory` of a charge.
    ChargeCategory { Usage, Purchase, Tax, Credit, Adjustment }
}

impl ChargeCategory {
    /// Reads a FOCUS category case-insensitively; anything else counts as usage.
    pub fn from_focus(text: &str) -> Self {
        text.trim().to_ascii_lowercase().parse().unwrap_or(Self::Usage)
    }
}

/// The key of a tag, normalized for comparison.
pub fn normalize_tag_key(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which records of the pools a rule considers; an absent field matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolFilter {
    /// The pool: `cloud`, `licenses`, `pay-as-you-go` or `platform-team`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// The service name, case-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The billing account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<String>,
    /// The environment, case-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// A tag that must be present, with this value unless the value is `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<(String, String)>,
}

/// How a direct rule finds a record's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "by")]
pub enum DirectBy {
    /// The value of a tag (under its key or one of the aliases).
    Tag {
        /// The tag key.
        key: String,
        /// Other keys that mean the same.
        #[serde(default)]
        aliases: Vec<String>,
    },
    /// The record's environment.
    Environment,
}

/// How a rule shares what it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum Method {
    /// Each record to the target named by its tag or environment: through `map` (keys
    /// case-insensitive), or the value itself when the map is empty.
    Direct {
        /// Where the target comes from.
        #[serde(flatten)]
        by: DirectBy,
        /// Value → target; empty means the value is the target's name.
        #[serde(default)]
        map: BTreeMap<String, String>,
    },
    /// In proportion to a driver's quantity per target.
    Proportional {
        /// The driver.
        driver: Driver,
        /// Only these targets; empty means every target with a quantity.
        #[serde(default)]
        targets: Vec<String>,
    },
    /// The same to each distinct target, once per period.
    Even {
        /// The targets; empty means every known target.
        #[serde(default)]
        targets: Vec<String>,
    },
    /// Fixed percentages that sum to 100.
    Fixed {
        /// Target and percentage.
        shares: Vec<(String, Decimal)>,
    },
}

/// One allocation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Its name, unique in the workspace.
    pub name: String,
    /// What it takes.
    #[serde(default)]
    pub filter: PoolFilter,
    /// What its targets are; rules stored before solutions could be targets are
    /// business-unit rules.
    #[serde(default, skip_serializing_if = "Level::is_business_unit")]
    pub level: Level,
    /// How it shares.
    #[serde(flatten)]
    pub method: Method,
}

impl Rule {
    /// Checks the rule: a name, non-empty tag keys, percentages from 0 summing to 100,
    /// targets named once.
    pub fn check(&self) -> Result<(), ValidationError> {
        validate_name("name", &self.name)?;
        match &self.method {
            Method::Direct { by: DirectBy::Tag { key, aliases }, .. } => {
                if std::iter::once(key).chain(aliases).any(|k| normalize_tag_key(k).is_empty()) {
                    return Err(ValidationError::new("tag", "a tag key must not be empty"));
                }
            }
            Method::Direct { by: DirectBy::Environment, .. } => {}
            Method::Proportional { targets, .. } | Method::Even { targets } => {
                distinct("targets", targets.iter())?;
            }
            Method::Fixed { shares } => {
                distinct("shares", shares.iter().map(|s| &s.0))?;
                if let Some((t, p)) =
                    shares.iter().find(|s| s.1.is_sign_negative() && !s.1.is_zero())
                {
                    return Err(ValidationError::new(
                        "shares",
                        format!("the share of '{t}' is {p}%; shares must be 0% or more"),
                    ));
                }
                let sum: Decimal = shares.iter().map(|s| s.1).sum();
                if sum != Decimal::ONE_HUNDRED {
                    return Err(ValidationError::new(
                        "shares",
                        format!("fixed shares sum to {sum}%, not 100%; change them so they do"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The tag keys a direct rule reads, normalized.
    pub(crate) fn tag_keys(&self) -> Vec<String> {
        match &self.method {
            Method::Direct { by: DirectBy::Tag { key, aliases }, .. } => {
                std::iter::once(key).chain(aliases).map(|k| normalize_tag_key(k)).collect()
            }
            _ => Vec::new(),
        }
    }
}

fn distinct<'a>(
    field: &str,
    names: impl Iterator<Item = &'a String>,
) -> Result<(), ValidationError> {
    let mut seen = std::collections::BTreeSet::new();
    for n in names {
        if !seen.insert(n.trim().to_lowercase()) {
            return Err(ValidationError::new(field, format!("'{n}' is named twice")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    #[test]
    fn tag_keys_are_one_key_however_they_are_written() {
        for k in ["business_unit", "BusinessUnit", " business unit", "Business-Unit"] {
            assert_eq!(normalize_tag_key(k), "businessunit", "{k}");
        }
        assert_eq!(normalize_tag_key(" org"), normalize_tag_key("org"));
        assert_eq!(normalize_tag_key("cost center"), normalize_tag_key("CostCenter"));
    }

    #[test]
    fn fixed_shares_must_sum_to_one_hundred() {
        let rule = |shares: Vec<(&str, Decimal)>| Rule {
            name: "r".into(),
            filter: PoolFilter::default(),
            level: Level::BusinessUnit,
            method: Method::Fixed {
                shares: shares.into_iter().map(|(t, p)| (t.to_owned(), p)).collect(),
            },
        };
        assert!(rule(vec![("a", dec!(60)), ("b", dec!(40))]).check().is_ok());
        let err = rule(vec![("a", dec!(60)), ("b", dec!(30))]).check().unwrap_err();
        assert!(err.message.contains("sum to 90%"), "{}", err.message);
        assert!(rule(vec![("a", dec!(110)), ("b", dec!(-10))]).check().is_err());
        assert!(rule(vec![("a", dec!(50)), ("A", dec!(50))]).check().is_err());
    }

    #[test]
    fn focus_categories_are_read_whatever_their_case() {
        assert_eq!(ChargeCategory::from_focus("Credit"), ChargeCategory::Credit);
        assert_eq!(ChargeCategory::from_focus("purchase"), ChargeCategory::Purchase);
        assert_eq!(ChargeCategory::from_focus("Usage"), ChargeCategory::Usage);
    }
}
