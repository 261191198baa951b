//! Worth's domain: the register of solutions, money, ROI guidelines, rates, and the pure
//! computations that the rest of Worth builds on.
//!
//! This crate does no I/O, spawns nothing and logs nothing: every function is a computation
//! over its arguments, so that each figure Worth reports can be reproduced from its inputs.

pub mod audit;
pub mod error;
pub mod finance;
pub mod fx;
pub mod guideline;
pub mod money;
pub mod org;
pub mod period;
pub mod pseudonym;
pub mod rates;
pub mod solution;
pub mod suggest;
pub mod value;
pub mod workspace;

pub use error::{Problem, ValidationError};
pub use money::{Currency, Money};
