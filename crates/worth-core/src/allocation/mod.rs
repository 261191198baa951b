//! Allocation: who pays for what (chargeback and showback), and which licenses to change.
//!
//! - [`split`]: the largest-remainder split, the only place amounts are rounded when shared;
//!   parts always sum to the whole and do not depend on the order of the targets.
//! - [`rules`]: the rule types (direct by tag or environment, proportional to a driver, even,
//!   fixed percentages) and tag-key normalization.
//! - [`run`]: a run of the rules over a period's cost records in the billed or amortized view,
//!   to business units or solutions, with the Unallocated row and credits as lines of their
//!   own, and a statement converted to one currency with dated rates.
//! - [`time`]: a charge that crosses a day or month boundary, split by time.
//! - [`unit`]: unit economics per business unit.
//! - [`licenses`]: the license strategy (unused licenses, cheaper plans).

pub mod licenses;
pub mod rules;
pub mod run;
pub mod split;
pub mod time;
pub mod unit;

pub use rules::{
    ChargeCategory, DirectBy, Driver, Level, Method, PoolFilter, Rule, normalize_tag_key,
};
pub use run::{
    Allocation, ConvertError, Converted, CostRecord, Drivers, SolutionDrivers, SolutionTarget,
    StatementLine, Targets, UNALLOCATED, View, allocate, allocate_to, convert,
};
pub use split::{SplitError, apportion, apportion_to, round_total, split};
