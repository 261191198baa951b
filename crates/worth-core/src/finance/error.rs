//! The errors of the finance kernel: one enum, each variant with a stable kind string.

use thiserror::Error;

/// Why a finance computation has no single answer.
///
/// Each variant has a stable [`kind`](FinanceError::kind) that the command line and the
/// server report to callers; the message says what failed and what to do about it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FinanceError {
    /// An argument is out of its domain: an empty list, a rate at or below −1, a NaN.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The flows are all of one sign (zeros aside), so no rate makes their value zero.
    #[error("no sign change: {0}")]
    NoSignChange(String),
    /// The flows change sign, but no rate above −1 that f64 can hold makes their value zero.
    #[error("no root: the flows change sign but no rate above -1 makes their present value zero")]
    NoRoot,
    /// The flows cancel on every date, so every rate is a root.
    #[error("infinite roots: the flows cancel out on every date, so every rate is a root")]
    InfiniteRoots,
    /// The equation has no finite solution, for example a loan that is never repaid.
    #[error("no solution: {0}")]
    NoSolution(String),
    /// The figure is undefined for these inputs, for example a return on zero costs.
    #[error("undefined: {0}")]
    Undefined(String),
}

impl FinanceError {
    /// The stable, machine-readable name of this error, such as `no_sign_change`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidInput(_) => "invalid_input",
            Self::NoSignChange(_) => "no_sign_change",
            Self::NoRoot => "no_root",
            Self::InfiniteRoots => "infinite_roots",
            Self::NoSolution(_) => "no_solution",
            Self::Undefined(_) => "undefined",
        }
    }
}

/// The result type of the finance kernel.
pub type Result<T> = std::result::Result<T, FinanceError>;

/// Checks that a rate is a finite number above −1, the domain of every discount factor.
pub(crate) fn check_rate(name: &str, rate: f64) -> Result<()> {
    if rate.is_finite() && rate > -1.0 {
        Ok(())
    } else {
        Err(FinanceError::InvalidInput(format!(
            "{name} must be a finite number above -1, got {rate}"
        )))
    }
}

/// Checks that every value is finite.
pub(crate) fn check_finite(name: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(FinanceError::InvalidInput(format!(
            "{name}[{i}] must be a finite number, got {}",
            values[i]
        ))),
    }
}
