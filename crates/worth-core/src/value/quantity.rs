//! The numbers people give a value model: a most likely value with an optional range, and
//! counts per period ("120 per week").

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, VariantNames};

use crate::ValidationError;
use crate::guideline::Guideline;

/// The largest size of any figure given to a value model: a billion (minutes, uses a day,
/// an amount a month). Products of such figures over a horizon stay far inside what a decimal
/// holds, so the engine's sums cannot overflow on any input a person may type.
pub const MAX_PARAMETER: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A figure with its uncertainty: the most likely value, and optionally the least and the most
/// it could be (a three-point estimate, sampled with a PERT distribution).
///
/// In JSON it is an object `{"min", "likely", "max"}`, and it is also read from a number or
/// from the text forms `5` and `3..5..8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EstimateRepr")]
pub struct Estimate {
    /// The smallest plausible value; the likely value when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    /// The most likely value.
    pub likely: Decimal,
    /// The largest plausible value; the likely value when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
}

impl Estimate {
    /// A figure known without a range.
    pub fn exact(value: Decimal) -> Self {
        Self { min: None, likely: value, max: None }
    }

    /// The smallest plausible value.
    pub fn low(&self) -> Decimal {
        self.min.unwrap_or(self.likely)
    }

    /// The largest plausible value.
    pub fn high(&self) -> Decimal {
        self.max.unwrap_or(self.likely)
    }

    /// Whether the figure carries a range.
    pub fn is_uncertain(&self) -> bool {
        self.low() < self.high()
    }

    /// Checks `min ≤ likely ≤ max`, that the figure is not negative when `non_negative`, and
    /// that no bound is beyond [`MAX_PARAMETER`] in size.
    pub fn check(&self, field: &str, non_negative: bool) -> Result<(), ValidationError> {
        if [self.low(), self.likely, self.high()].iter().any(|v| v.abs() > MAX_PARAMETER) {
            return Err(ValidationError::new(
                field,
                format!(
                    "{self} is beyond the largest figure a value model takes ({MAX_PARAMETER}): \
                     give it in a larger unit or per a shorter period"
                ),
            ));
        }
        if !(self.low() <= self.likely && self.likely <= self.high()) {
            return Err(ValidationError::new(
                field,
                format!("the range {self} must satisfy min ≤ likely ≤ max"),
            ));
        }
        if non_negative && self.low().is_sign_negative() && !self.low().is_zero() {
            return Err(ValidationError::new(field, format!("{self} must not be negative")));
        }
        Ok(())
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_uncertain() {
            write!(f, "{}..{}..{}", self.low(), self.likely, self.high())
        } else {
            write!(f, "{}", self.likely)
        }
    }
}

impl FromStr for Estimate {
    type Err = ValidationError;

    /// `5`, `4.5`, or a range `3..5..8` (min..likely..max); `%` makes a fraction (`12%`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split("..").map(str::trim).collect();
        let number = |t: &str| -> Result<Decimal, ValidationError> {
            let (t, scale) = match t.strip_suffix('%') {
                Some(p) => (p.trim(), Decimal::new(1, 2)),
                None => (t, Decimal::ONE),
            };
            Decimal::from_str(t)
                .map(|d| d * scale)
                .map_err(|_| ValidationError::new("value", format!("'{t}' is not a number")))
        };
        let estimate = match parts.as_slice() {
            [v] => Estimate::exact(number(v)?),
            [lo, likely, hi] => {
                Estimate { min: Some(number(lo)?), likely: number(likely)?, max: Some(number(hi)?) }
            }
            _ => {
                return Err(ValidationError::new(
                    "value",
                    format!("'{s}' is neither a number nor a range min..likely..max"),
                ));
            }
        };
        estimate.check("value", false)?;
        Ok(estimate)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EstimateRepr {
    Text(String),
    Number(serde_json::Number),
    Object {
        #[serde(default)]
        min: Option<Decimal>,
        likely: Decimal,
        #[serde(default)]
        max: Option<Decimal>,
    },
}

impl TryFrom<EstimateRepr> for Estimate {
    type Error = ValidationError;
    fn try_from(repr: EstimateRepr) -> Result<Self, Self::Error> {
        match repr {
            EstimateRepr::Text(t) => t.parse(),
            EstimateRepr::Number(n) => n.to_string().parse(),
            EstimateRepr::Object { min, likely, max } => {
                let e = Estimate { min, likely, max };
                e.check("value", false)?;
                Ok(e)
            }
        }
    }
}

/// How often something happens in an estimate.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Frequency {
    /// Every working hour.
    Hour,
    /// Every working day.
    Day,
    /// Every working week.
    Week,
    /// Every month.
    Month,
    /// Every quarter.
    Quarter,
    /// Every year.
    Year,
}

impl Frequency {
    /// How many of these periods a month holds, by the guideline's working calendar: a month
    /// is a twelfth of the working year, and a working week has five days.
    pub fn per_month(self, g: &Guideline) -> Decimal {
        let (numerator, denominator) = self.per_month_fraction(g);
        numerator / denominator
    }

    /// [`Frequency::per_month`] as a fraction, so that callers multiply before they divide.
    fn per_month_fraction(self, g: &Guideline) -> (Decimal, Decimal) {
        let days = Decimal::from(g.working_days_per_year);
        let hours = Decimal::try_from(g.working_hours_per_day).unwrap_or_default();
        match self {
            Self::Hour => (days * hours, Decimal::from(12)),
            Self::Day => (days, Decimal::from(12)),
            Self::Week => (days, Decimal::from(60)),
            Self::Month => (Decimal::ONE, Decimal::ONE),
            Self::Quarter => (Decimal::ONE, Decimal::from(3)),
            Self::Year => (Decimal::ONE, Decimal::from(12)),
        }
    }
}

/// A count per period, such as 120 approvals per week. Read from `{"count", "per"}` or from
/// the text form `120/week`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RateRepr")]
pub struct Rate {
    /// How many.
    pub count: Estimate,
    /// Per what.
    pub per: Frequency,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RateRepr {
    Text(String),
    Object { count: Estimate, per: Frequency },
}

impl TryFrom<RateRepr> for Rate {
    type Error = ValidationError;
    fn try_from(repr: RateRepr) -> Result<Self, Self::Error> {
        match repr {
            RateRepr::Text(t) => t.parse(),
            RateRepr::Object { count, per } => Ok(Rate { count, per }),
        }
    }
}

impl Rate {
    /// The count in one month, by the guideline's calendar.
    pub fn per_month(&self, g: &Guideline) -> Decimal {
        let (numerator, denominator) = self.per.per_month_fraction(g);
        self.count.likely * numerator / denominator
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", self.count, self.per)
    }
}

impl FromStr for Rate {
    type Err = ValidationError;

    /// `120/week`, `2..3..5/day`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((count, per)) = s.rsplit_once('/') else {
            return Err(ValidationError::new(
                "value",
                format!("'{s}' is not a count per period such as 120/week"),
            ));
        };
        let count: Estimate = count.parse()?;
        count.check("value", true)?;
        let per = crate::solution::parse_choice::<Frequency>("period", per)?;
        Ok(Rate { count, per })
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use rust_decimal::dec;

    use super::*;

    #[rstest]
    #[case("79228162514264337593543950335")]
    #[case("1000000001")]
    #[case("1..5..2000000000")]
    #[case("-1000000001")]
    fn figures_beyond_a_billion_are_refused_so_no_sum_can_overflow(#[case] text: &str) {
        let err = text.parse::<Estimate>().unwrap_err();
        assert!(err.to_string().contains("beyond the largest figure"), "{err}");
        assert!(format!("{text}/day").parse::<Rate>().is_err());
    }

    #[test]
    fn a_billion_itself_is_accepted() {
        assert_eq!("1000000000".parse::<Estimate>().unwrap().likely, dec!(1000000000));
    }

    #[rstest]
    #[case("5", None, dec!(5), None)]
    #[case("3..5..8", Some(dec!(3)), dec!(5), Some(dec!(8)))]
    #[case("12%", None, dec!(0.12), None)]
    #[case("1%..2%..4%", Some(dec!(0.01)), dec!(0.02), Some(dec!(0.04)))]
    fn estimates_parse(
        #[case] text: &str,
        #[case] min: Option<Decimal>,
        #[case] likely: Decimal,
        #[case] max: Option<Decimal>,
    ) {
        assert_eq!(text.parse::<Estimate>().unwrap(), Estimate { min, likely, max });
    }

    #[rstest]
    #[case("8..5..3")]
    #[case("1..2")]
    #[case("five")]
    fn bad_estimates_are_refused(#[case] text: &str) {
        assert!(text.parse::<Estimate>().is_err());
    }

    #[rstest]
    // 220 working days / 12 = 18.333… days a month.
    #[case("11/day", dec!(201.6666666667))]
    #[case("100/week", dec!(366.6666666667))]
    #[case("3/quarter", dec!(1))]
    #[case("12/year", dec!(1))]
    fn rates_convert_to_a_month_by_the_working_calendar(
        #[case] text: &str,
        #[case] per_month: Decimal,
    ) {
        let rate: Rate = text.parse().unwrap();
        assert_eq!(rate.per_month(&Guideline::default()).round_dp(10), per_month);
    }

    #[test]
    fn estimates_and_rates_read_every_json_form() {
        let forms = [r#"5"#, r#""5""#, r#"{"likely": "5"}"#];
        for f in forms {
            assert_eq!(
                serde_json::from_str::<Estimate>(f).unwrap(),
                Estimate::exact(dec!(5)),
                "{f}"
            );
        }
        let range: Estimate = serde_json::from_str(r#""3..5..8""#).unwrap();
        let back: Estimate = serde_json::from_str(&serde_json::to_string(&range).unwrap()).unwrap();
        assert_eq!(back, range);
        let rate: Rate = serde_json::from_str(r#""120/week""#).unwrap();
        assert_eq!(rate.per, Frequency::Week);
        let back: Rate = serde_json::from_str(&serde_json::to_string(&rate).unwrap()).unwrap();
        assert_eq!(back, rate);
        assert!(serde_json::from_str::<Estimate>(r#"{"min": "9", "likely": "5"}"#).is_err());
    }

    #[test]
    fn an_hourly_rate_uses_the_working_day() {
        let rate: Rate = "1/hour".parse().unwrap();
        // 220 / 12 × 8 hours.
        assert_eq!(rate.per_month(&Guideline::default()).round_dp(6), dec!(146.666667));
    }
}
