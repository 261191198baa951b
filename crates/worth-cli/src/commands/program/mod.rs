//! The value program's commands (`worth kpi`, `okr`, `story`, `stories`, `pilot`, `survey`,
//! `training`, `artifact`, `ttv`, `tool`, `checkin`) over [`Program`], which `worth_app`
//! computes for the CLI and the server alike.

pub(crate) mod kpi;
pub(crate) mod okr;
pub(crate) mod other;
pub(crate) mod story;

pub(crate) use worth_app::program::*;
