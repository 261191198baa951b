//! What the CLI and the server both ask of a workspace, computed one way: the value program's
//! figures (KPIs, key results, stories, pilots, surveys, time to value) and the program's
//! sections of the sponsor report.
//!
//! The engine's inputs come from `worth_store::Loaded`; everything here is reads and pure
//! computation over them. A front end formats what it gets, and never computes a figure of
//! its own, so a page, an API answer and a CLI table always agree.

pub mod program;
pub mod report;
