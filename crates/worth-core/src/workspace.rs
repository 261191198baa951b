//! Workspace settings: the reporting currency, the fiscal year and the locale of amounts.

use serde::{Deserialize, Serialize};

use crate::{Currency, ValidationError};

/// Settings chosen when a workspace is created; they are not versioned like guidelines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    /// The currency in which portfolio totals are reported.
    pub currency: Currency,
    /// The month (1–12) in which the fiscal year starts.
    pub fiscal_year_start_month: u32,
    /// The locale used to format amounts and dates, such as `en-US`.
    pub locale: String,
    /// The day the workspace is evaluated on, when it is not today: a sample tenant with a
    /// fixed history, or a closed reporting period. Months from this day on are forecasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<chrono::NaiveDate>,
}

impl WorkspaceSettings {
    /// Checks the settings: a month from 1 to 12 and a locale of the form `ll` or `ll-CC`.
    pub fn check(&self) -> Result<(), ValidationError> {
        if !(1..=12).contains(&self.fiscal_year_start_month) {
            return Err(ValidationError::new(
                "fiscal-year-start",
                format!("{} is not a month: use 1 to 12", self.fiscal_year_start_month),
            ));
        }
        let parts: Vec<&str> = self.locale.split('-').collect();
        let ok = match parts.as_slice() {
            [lang] => lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()),
            [lang, region] => {
                lang.len() == 2
                    && lang.chars().all(|c| c.is_ascii_lowercase())
                    && region.len() == 2
                    && region.chars().all(|c| c.is_ascii_uppercase())
            }
            _ => false,
        };
        if !ok {
            return Err(ValidationError::new(
                "locale",
                format!("'{}' is not a locale such as en-US or fr-FR", self.locale),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(1, "en-US", true)]
    #[case(7, "fr", true)]
    #[case(13, "en-US", false)]
    #[case(0, "en-US", false)]
    #[case(1, "english", false)]
    #[case(1, "en_us", false)]
    fn settings_are_checked(#[case] month: u32, #[case] locale: &str, #[case] ok: bool) {
        let s = WorkspaceSettings {
            currency: Currency::parse("USD").unwrap(),
            fiscal_year_start_month: month,
            locale: locale.to_owned(),
            as_of: None,
        };
        assert_eq!(s.check().is_ok(), ok);
    }
}
