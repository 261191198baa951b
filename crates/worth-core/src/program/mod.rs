//! The value program: KPIs, OKRs and the built-in metrics that feed them, success stories,
//! pilots, survey perception, time to value and tool evaluation.
//!
//! Every module is pure arithmetic over plain inputs that the store and the value engine
//! provide; each formula is documented where it is defined and has hand-computed tests.

pub mod kpi;
pub mod metrics;
pub mod okr;
pub mod pilot;
pub mod stats;
pub mod story;
pub mod survey;
pub mod tool;
pub mod ttv;
