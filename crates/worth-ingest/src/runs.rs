//! Cloud flow run history and desktop flow sessions: one row per run with its flow, run id,
//! start, end and status (Succeeded, Failed, Cancelled, Running or Pending).
//!
//! Runs are rolled up per flow, UTC day of their start and status, with the total duration of
//! those that ended. A run id seen again is a duplicate. Column names of the Power Automate run
//! history export and of the Dataverse `flowrun` and `flowsession` tables are all accepted.
//!
//! As for usage, a file is taken as the complete record of each day it holds: importing it
//! replaces those days for its source.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use worth_store::{RunBatch, RunDay};

use crate::driver::{self, Cells, Outcome, RowImporter};
use crate::error::Result;
use crate::header::Field;
use crate::rejects::{Rejection, RejectsFile};
use crate::{ParseContext, Parsed, source};

/// The system that issues the flow ids of these exports.
pub const SYSTEM: &str = "powerautomate";

const FLOW: usize = 0;
const RUN: usize = 1;
const START: usize = 2;
const END: usize = 3;
const STATUS: usize = 4;

fn fields() -> Vec<Field> {
    vec![
        Field::required(
            "FlowId",
            &["Flow Id", "flow_id", "workflowid", "regardingobjectid", "admin_flowid"],
        ),
        Field::required("RunId", &["Run Id", "run_id", "flowrunid", "flowsessionid", "name"]),
        Field::required("StartTime", &["Start", "Start time", "startedon", "start_time"]),
        Field::optional("EndTime", &["End", "End time", "completedon", "end_time"]),
        Field::required("Status", &["statuscode", "state", "Run status"]),
    ]
}

const KNOWN: &[&str] =
    &["FlowName", "Flow Name", "Duration", "Trigger", "environmentId", "EnvironmentName"];

/// A run's status as Worth counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Ended well; only these runs create value.
    Succeeded,
    /// Ended with an error (a time-out is a failure).
    Failed,
    /// Stopped before its end.
    Cancelled,
    /// Still running when exported.
    Running,
    /// Waiting to start.
    Pending,
}

impl RunStatus {
    /// Reads a status as the exports write it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let key: String =
            text.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
        Ok(match key.as_str() {
            "succeeded" | "success" | "successful" | "completed" => Self::Succeeded,
            "failed" | "failure" | "timedout" | "faulted" => Self::Failed,
            "cancelled" | "canceled" | "aborted" | "terminated" => Self::Cancelled,
            "running" | "inprogress" => Self::Running,
            "pending" | "waiting" | "queued" | "notstarted" | "scheduled" => Self::Pending,
            _ => {
                return Err(format!(
                    "'{text}' is not a run status (Succeeded, Failed, Cancelled, Running or \
                     Pending)"
                ));
            }
        })
    }

    /// The status as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Running => "running",
            Self::Pending => "pending",
        }
    }
}

/// Runs of one flow, day and status rolled up: runs, timed runs and their duration. The
/// automation-kit reader rolls its traces up the same way.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) runs: i64,
    pub(crate) timed: i64,
    pub(crate) duration_ms: i64,
}

/// Rolls runs up per flow, day and status.
#[derive(Debug)]
pub(crate) struct RunImporter {
    fields: Vec<Field>,
    seen: FxHashSet<u64>,
    flows: FxHashMap<String, u32>,
    flow_names: Vec<String>,
    days: FxHashMap<(u32, NaiveDate, RunStatus), Tally>,
    hasher: std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>,
}

impl RunImporter {
    pub(crate) fn new() -> Self {
        Self {
            fields: fields(),
            seen: FxHashSet::default(),
            flows: FxHashMap::default(),
            flow_names: Vec::new(),
            days: FxHashMap::default(),
            hasher: std::hash::BuildHasherDefault::default(),
        }
    }

    fn flow(&mut self, id: &str) -> u32 {
        let id = id.to_lowercase();
        if let Some(&n) = self.flows.get(&id) {
            return n;
        }
        let n = u32::try_from(self.flow_names.len()).unwrap_or(u32::MAX);
        self.flows.insert(id.clone(), n);
        self.flow_names.push(id);
        n
    }

    pub(crate) fn finish(self) -> RunBatch {
        let mut days: Vec<NaiveDate> = self.days.keys().map(|k| k.1).collect();
        days.sort_unstable();
        days.dedup();
        let mut daily: Vec<RunDay> = self
            .days
            .into_iter()
            .map(|((flow, day, status), t)| RunDay {
                system: SYSTEM.to_owned(),
                flow_id: self.flow_names[flow as usize].clone(),
                day,
                status: status.as_str().to_owned(),
                runs: t.runs,
                timed_runs: t.timed,
                duration_ms: t.duration_ms,
            })
            .collect();
        daily.sort_unstable_by(|a, b| {
            (&a.flow_id, a.day, &a.status).cmp(&(&b.flow_id, b.day, &b.status))
        });
        RunBatch { days, daily }
    }
}

impl RowImporter for RunImporter {
    fn fields(&self) -> &[Field] {
        &self.fields
    }

    fn known(&self) -> &[&str] {
        KNOWN
    }

    fn row(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        let flow = c.required(FLOW)?;
        let run = c.required(RUN)?;
        let status = RunStatus::parse(c.required(STATUS)?).map_err(|e| c.reject(STATUS, e))?;
        let start = c.instant(START)?.ok_or_else(|| c.reject(START, "a start time is required"))?;
        let end = c.instant(END)?;
        let duration_ms = match end {
            Some(end) if end < start => {
                return Err(c.reject(END, "the run ends before it starts"));
            }
            Some(end)
                if matches!(
                    status,
                    RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled
                ) =>
            {
                Some((end - start).num_milliseconds())
            }
            _ => None,
        };
        let mut h = self.hasher.build_hasher();
        h.write(flow.to_lowercase().as_bytes());
        h.write_u8(0);
        h.write(run.to_lowercase().as_bytes());
        if !self.seen.insert(h.finish()) {
            return Ok(Outcome::Duplicate);
        }
        let flow = self.flow(flow);
        let tally = self.days.entry((flow, start.date_naive(), status)).or_default();
        tally.runs += 1;
        if let Some(ms) = duration_ms {
            tally.timed += 1;
            tally.duration_ms += ms;
        }
        Ok(Outcome::Imported)
    }
}

pub(crate) fn parse(path: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    let src = source::Source::open(path, source::progress_bar(path, ctx.progress))?;
    let mut importer = RunImporter::new();
    let read = driver::read_csv(
        path,
        src,
        driver::Header::FirstRow,
        ctx.mapping.as_ref(),
        &mut importer,
        rejects,
    )?;
    let flows = importer.flow_names.len();
    let batch = importer.finish();
    let days = batch.days.first().copied().zip(batch.days.last().copied());
    let stored = vec![format!("{flows} flows"), format!("{} days", batch.days.len())];
    Ok(Parsed { read, output: crate::Output::Runs(batch), days, stored })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("Succeeded", Ok(RunStatus::Succeeded))]
    #[case("Canceled", Ok(RunStatus::Cancelled))]
    #[case("TimedOut", Ok(RunStatus::Failed))]
    #[case("In progress", Ok(RunStatus::Running))]
    #[case("waiting", Ok(RunStatus::Pending))]
    #[case("Skipped", Err("not a run status"))]
    fn statuses_parse(#[case] text: &str, #[case] expected: Result<RunStatus, &str>) {
        match (RunStatus::parse(text), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want),
            (Err(got), Err(want)) => assert!(got.contains(want)),
            (got, want) => panic!("{text}: {got:?} {want:?}"),
        }
    }
}
