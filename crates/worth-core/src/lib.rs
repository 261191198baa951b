//! Worth's domain: the register of solutions, money, ROI guidelines, rates, and the pure
//! computations that the rest of Worth builds on.
//!
//! This crate does no I/O, spawns nothing and logs nothing: every function is a computation
//! over its arguments, so that each figure Worth reports can be reproduced from its inputs.

/// Declares an enum of a closed set of names (kinds, stages, categories, grades) with the
/// derives every such set needs: kebab-case names in JSON and in text, parsing, and the list
/// of names that messages give when an input is not one of them.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize,
            ::strum::Display, ::strum::EnumString, ::strum::VariantNames,
        )]
        #[serde(rename_all = "kebab-case")]
        #[strum(serialize_all = "kebab-case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}

pub mod access;
pub mod allocation;
pub mod audit;
pub mod error;
pub mod finance;
pub mod fx;
pub mod guideline;
pub mod money;
pub mod org;
pub mod period;
pub mod program;
pub mod pseudonym;
pub mod rates;
pub mod solution;
pub mod suggest;
pub mod value;
pub mod workspace;

pub use error::{Problem, ValidationError};
pub use money::{Currency, Money};
