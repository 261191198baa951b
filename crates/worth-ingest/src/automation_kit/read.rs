//! Reading the package: `data_schema.xml` is checked for the entities and fields Worth reads,
//! then `data.xml` is streamed out of the zip, record by record, with quick-xml.
//!
//! Departments, projects and goals are few and kept; run traces are many, and each is rolled up
//! into its project's day and status as it is read, so memory does not grow with the number of
//! traces. A trace that cannot be counted (no start time, no project, a bad field) goes to the
//! rejects file with its line in `data.xml`, the field and the reason.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;
use worth_store::{RunBatch, RunDay};

use super::values;
use crate::rejects::{Rejection, RejectsFile};
use crate::runs::{RunStatus, Tally};

/// The entry holding the records.
pub(crate) const DATA: &str = "data.xml";
/// The entry describing the entities and their fields.
pub(crate) const SCHEMA: &str = "data_schema.xml";

pub(crate) const PROJECT: &str = "autocoe_automationproject";
pub(crate) const DEPARTMENT: &str = "autocoe_department";
pub(crate) const GOAL: &str = "autocoe_automationcorporategoals";
pub(crate) const TRACE: &str = "autocoe_flowsessiontrace";

/// The fields Worth reads, by entity, with the type `data_schema.xml` must give them.
const READ: &[(&str, &[(&str, &str)])] = &[
    (DEPARTMENT, &[("autocoe_departmentid", "guid"), ("autocoe_name", "string")]),
    (
        PROJECT,
        &[
            ("autocoe_automationprojectid", "guid"),
            ("autocoe_automationproject", "string"),
            ("autocoe_automationprojectnumber", "string"),
            ("autocoe_automationprojectstatus", "optionsetvalue"),
            ("autocoe_department", "entityreference"),
            ("autocoe_avghourlycostperfte", "decimal"),
            ("autocoe_numberofftesneeded", "decimal"),
            ("autocoe_totalprocessingtimeinminutes", "decimal"),
            ("autocoe_processingfrequency", "entityreference"),
            ("autocoe_volumeperprocessfrequency", "decimal"),
            ("autocoe_workingdaysperyear", "decimal"),
            ("autocoe_workinghoursperday", "decimal"),
            ("autocoe_avgerrorratepct", "decimal"),
            ("autocoe_avgreworktimeinminutes", "decimal"),
            ("autocoe_maintenanceoverhead", "decimal"),
            ("autocoe_developmentcosts", "money"),
            ("autocoe_roisavingpotential", "money"),
            ("autocoe_primaryimprovementdriver", "optionsetvaluecollection"),
            ("autocoe_approvedon", "datetime"),
            ("autocoe_submittedon", "datetime"),
            ("createdon", "datetime"),
        ],
    ),
    (GOAL, &[("autocoe_goalname", "string")]),
    (
        TRACE,
        &[
            ("autocoe_flowsessiontraceid", "guid"),
            ("autocoe_automationprojectid", "string"),
            ("autocoe_flowid", "string"),
            ("autocoe_flowname", "string"),
            ("autocoe_overallstatus", "string"),
            ("autocoe_startedon", "datetime"),
            ("autocoe_completedon", "datetime"),
        ],
    ),
];

/// Why the package could not be read at all. A bad trace is not one of these: it is rejected.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The file is not a zip, or an entry is missing or unreadable.
    #[error("{path}: {message}")]
    Zip {
        /// The package.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An XML entry is not well-formed, or lacks what the format requires.
    #[error("{path}: {entry} line {line}: {message}")]
    Structure {
        /// The package.
        path: PathBuf,
        /// `data.xml` or `data_schema.xml`.
        entry: &'static str,
        /// The line where reading stopped.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A field of a department or project holds a value that cannot be read.
    #[error(transparent)]
    Field(Box<FieldError>),
}

/// A field of a department or project whose value cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {entry} line {line}: {entity} record {record}: field {field}: {message}")]
pub struct FieldError {
    /// The package.
    pub path: PathBuf,
    /// Always `data.xml`.
    pub entry: &'static str,
    /// The line of the record.
    pub line: u64,
    /// The entity.
    pub entity: String,
    /// The record's id.
    pub record: String,
    /// The field.
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// One `<field>`: its value and, for a lookup, the name of the record it points to.
#[derive(Debug, Clone, Default)]
struct FieldValue {
    value: String,
    lookup_name: Option<String>,
}

/// One `<record>` as read, before it is understood.
#[derive(Debug, Default)]
struct RawRecord {
    id: String,
    line: u64,
    fields: HashMap<String, FieldValue>,
}

/// A department of the kit: a business unit for Worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Department {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// The stage an automation project's status code gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// 333820000: saved as a draft.
    Saved,
    /// 333820001: submitted for approval.
    Submitted,
    /// 333820002: approved.
    Approved,
    /// 333820003: declined.
    Declined,
}

impl Status {
    /// The status of a code, as the kit's `autocoe_automationprojectstatus` option set defines
    /// it.
    pub(crate) fn from_code(code: i64) -> Result<Self, String> {
        Ok(match code {
            333_820_000 => Self::Saved,
            333_820_001 => Self::Submitted,
            333_820_002 => Self::Approved,
            333_820_003 => Self::Declined,
            _ => {
                return Err(format!(
                    "{code} is not a project status (333820000 saved, 333820001 submitted, \
                     333820002 approved, 333820003 declined)"
                ));
            }
        })
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Saved => "saved",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }
}

/// An automation project with the parameters of its savings estimate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Project {
    pub(crate) id: String,
    pub(crate) line: u64,
    pub(crate) name: String,
    pub(crate) number: Option<String>,
    pub(crate) status: Status,
    pub(crate) department_id: Option<String>,
    pub(crate) department_name: Option<String>,
    pub(crate) currency_name: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) hourly_cost: Option<Decimal>,
    pub(crate) ftes: Option<Decimal>,
    pub(crate) minutes: Option<Decimal>,
    pub(crate) frequency: Option<String>,
    pub(crate) volume: Option<Decimal>,
    pub(crate) working_days: Option<Decimal>,
    pub(crate) working_hours: Option<Decimal>,
    pub(crate) error_rate: Option<Decimal>,
    pub(crate) rework_minutes: Option<Decimal>,
    pub(crate) maintenance: Option<Decimal>,
    pub(crate) development_cost: Option<Decimal>,
    pub(crate) roi_potential: Option<Decimal>,
    pub(crate) drivers: Vec<i64>,
    pub(crate) created: Option<DateTime<Utc>>,
    pub(crate) submitted: Option<DateTime<Utc>>,
    pub(crate) approved: Option<DateTime<Utc>>,
}

/// What the traces of the package amount to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TraceCounts {
    pub(crate) read: u64,
    pub(crate) duplicate: u64,
    pub(crate) by_status: BTreeMap<&'static str, u64>,
    pub(crate) no_start: u64,
    pub(crate) no_project: u64,
    pub(crate) unknown_project: u64,
    pub(crate) bad: u64,
    pub(crate) rolled_up: u64,
}

/// Everything read from a package.
#[derive(Debug)]
pub(crate) struct Package {
    pub(crate) exported_at: Option<DateTime<Utc>>,
    pub(crate) departments: Vec<Department>,
    pub(crate) projects: Vec<Project>,
    pub(crate) goals: u64,
    pub(crate) runs: RunBatch,
    /// The first day with a successful run, by project id.
    pub(crate) first_success: BTreeMap<String, NaiveDate>,
    /// Successful runs by project id.
    pub(crate) successes: BTreeMap<String, i64>,
    pub(crate) traces: TraceCounts,
    /// Entities in the package that Worth does not read, with their record counts.
    pub(crate) ignored: Vec<String>,
}

/// A buffered reader that counts the lines of what quick-xml has consumed.
#[derive(Debug)]
struct Lines<R> {
    inner: R,
    newlines: u64,
}

impl<R: BufRead> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += count_newlines(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            self.newlines += count_newlines(&buf[..amt.min(buf.len())]);
        }
        self.inner.consume(amt);
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// Reads the package at `path`; rejected traces go to `rejects`.
pub(crate) fn read(path: &Path, rejects: &mut RejectsFile) -> Result<Package, PackageError> {
    let zip_error = |message: String| PackageError::Zip { path: path.to_owned(), message };
    let file = File::open(path).map_err(|e| zip_error(format!("cannot open the package: {e}")))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        zip_error(format!(
            "not a zip package ({e}); export it with the Configuration Migration tool"
        ))
    })?;
    let entry = |archive: &mut zip::ZipArchive<File>, name: &'static str| {
        archive.by_name(name).map(|_| ()).map_err(|_| {
            zip_error(format!(
                "the package has no {name}; is it a Dataverse Configuration Migration package?"
            ))
        })
    };
    entry(&mut archive, SCHEMA)?;
    entry(&mut archive, DATA)?;
    {
        let schema = archive.by_name(SCHEMA).map_err(|e| zip_error(e.to_string()))?;
        check_schema(path, BufReader::new(schema))?;
    }
    let data = archive.by_name(DATA).map_err(|e| zip_error(e.to_string()))?;
    let reject_path = PathBuf::from(format!("{}!{DATA}", path.display()));
    read_data(path, &reject_path, BufReader::with_capacity(1 << 16, data), rejects)
}

/// Checks that the schema declares every entity and field Worth reads, with the type it
/// expects.
fn check_schema<R: BufRead>(path: &Path, src: R) -> Result<(), PackageError> {
    let mut reader = quick_xml::Reader::from_reader(Lines { inner: src, newlines: 0 });
    let mut buf = Vec::new();
    let mut declared: HashMap<(String, String), String> = HashMap::new();
    let mut entity: Option<String> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| PackageError::Structure {
            path: path.to_owned(),
            entry: SCHEMA,
            line: reader.get_ref().newlines + 1,
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = attributes(&e, reader.decoder());
                match e.name().as_ref() {
                    b"entity" => entity = attrs.get("name").cloned(),
                    b"field" => {
                        if let (Some(ent), Some(name), Some(ty)) =
                            (&entity, attrs.get("name"), attrs.get("type"))
                        {
                            declared.insert((ent.clone(), name.clone()), ty.clone());
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    for (ent, fields) in READ {
        for (field, ty) in *fields {
            match declared.get(&((*ent).to_owned(), (*field).to_owned())) {
                Some(found) if found == ty => {}
                found => {
                    return Err(PackageError::Structure {
                        path: path.to_owned(),
                        entry: SCHEMA,
                        line: 0,
                        message: match found {
                            Some(other) => format!(
                                "field {field} of entity {ent} has type {other}, not {ty}; \
                                 is this an Automation Kit package of another version?"
                            ),
                            None => format!(
                                "entity {ent} has no field {field}; is this an Automation Kit \
                                 package?"
                            ),
                        },
                    });
                }
            }
        }
    }
    Ok(())
}

/// The attributes of a tag, unescaped once (as XML says).
fn attributes(
    e: &BytesStart<'_>,
    decoder: quick_xml::encoding::Decoder,
) -> HashMap<String, String> {
    e.attributes()
        .filter_map(Result::ok)
        .filter_map(|a| {
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            a.decode_and_unescape_value(decoder).ok().map(|v| (key, v.into_owned()))
        })
        .collect()
}

/// The state of the reading of `data.xml`.
struct DataReader<'a> {
    path: &'a Path,
    reject_path: &'a Path,
    rejects: &'a mut RejectsFile,
    departments: Vec<Department>,
    projects: Vec<Project>,
    goals: u64,
    traces: TraceCounts,
    seen: HashSet<String>,
    days: HashMap<(String, NaiveDate, RunStatus), Tally>,
    first_success: BTreeMap<String, NaiveDate>,
    successes: BTreeMap<String, i64>,
    project_ids: Option<HashSet<String>>,
    pending_traces: Vec<RawRecord>,
    ignored: BTreeMap<String, u64>,
}

fn read_data<R: BufRead>(
    path: &Path,
    reject_path: &Path,
    src: R,
    rejects: &mut RejectsFile,
) -> Result<Package, PackageError> {
    let mut reader = quick_xml::Reader::from_reader(Lines { inner: src, newlines: 0 });
    let mut buf = Vec::new();
    let mut state = DataReader {
        path,
        reject_path,
        rejects,
        departments: Vec::new(),
        projects: Vec::new(),
        goals: 0,
        traces: TraceCounts::default(),
        seen: HashSet::new(),
        days: HashMap::new(),
        first_success: BTreeMap::new(),
        successes: BTreeMap::new(),
        project_ids: None,
        pending_traces: Vec::new(),
        ignored: BTreeMap::new(),
    };
    let mut exported_at = None;
    let mut entity: Option<String> = None;
    let mut record: Option<RawRecord> = None;
    loop {
        let line = reader.get_ref().newlines + 1;
        let structure = |message: String| PackageError::Structure {
            path: path.to_owned(),
            entry: DATA,
            line,
            message,
        };
        let event = reader.read_event_into(&mut buf).map_err(|e| structure(e.to_string()))?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = attributes(&e, reader.decoder());
                match e.name().as_ref() {
                    b"entities" => {
                        exported_at =
                            match attrs.get("timestamp") {
                                Some(t) => Some(values::instant(t).map_err(|m| {
                                    structure(format!("the package's timestamp: {m}"))
                                })?),
                                None => None,
                            };
                    }
                    b"entity" => entity = attrs.get("name").cloned(),
                    b"record" => {
                        let id = attrs.get("id").cloned().unwrap_or_default();
                        let r = RawRecord { id, line, fields: HashMap::new() };
                        if is_empty {
                            state.record(entity.as_deref(), r)?;
                        } else {
                            record = Some(r);
                        }
                    }
                    b"field" => {
                        if let (Some(r), Some(name)) = (record.as_mut(), attrs.get("name")) {
                            let value = FieldValue {
                                value: attrs.get("value").cloned().unwrap_or_default(),
                                lookup_name: attrs.get("lookupentityname").cloned(),
                            };
                            r.fields.insert(name.clone(), value);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"record" => {
                    if let Some(r) = record.take() {
                        state.record(entity.as_deref(), r)?;
                    }
                }
                b"entity" => {
                    if entity.as_deref() == Some(PROJECT) {
                        state.projects_done()?;
                    }
                    entity = None;
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // Traces read before the projects are counted now that every project is known.
    state.projects_done()?;
    state.finish(exported_at)
}

impl DataReader<'_> {
    fn record(&mut self, entity: Option<&str>, r: RawRecord) -> Result<(), PackageError> {
        match entity {
            Some(DEPARTMENT) => {
                let d = self.department(&r)?;
                self.departments.push(d);
            }
            Some(PROJECT) => {
                let p = self.project(&r)?;
                self.projects.push(p);
            }
            Some(GOAL) => self.goals += 1,
            Some(TRACE) => {
                if self.project_ids.is_some() {
                    self.trace(&r)?;
                } else {
                    // Projects come first in the kit's packages; keep the rare trace that
                    // does not until they are all known.
                    self.pending_traces.push(r);
                }
            }
            Some(other) => *self.ignored.entry(other.to_owned()).or_default() += 1,
            None => {}
        }
        Ok(())
    }

    fn projects_done(&mut self) -> Result<(), PackageError> {
        if self.project_ids.is_none() {
            self.project_ids = Some(self.projects.iter().map(|p| p.id.clone()).collect());
        }
        for r in std::mem::take(&mut self.pending_traces) {
            self.trace(&r)?;
        }
        Ok(())
    }

    fn field_error(
        &self,
        entity: &str,
        r: &RawRecord,
        field: &str,
        message: String,
    ) -> PackageError {
        PackageError::Field(Box::new(FieldError {
            path: self.path.to_owned(),
            entry: DATA,
            line: r.line,
            entity: entity.to_owned(),
            record: r.id.clone(),
            field: field.to_owned(),
            message,
        }))
    }

    /// The field's value, or `None` when the field is absent (null) or blank.
    fn get<'r>(r: &'r RawRecord, field: &str) -> Option<&'r FieldValue> {
        r.fields.get(field).filter(|f| !f.value.trim().is_empty())
    }

    fn parsed<T>(
        &self,
        entity: &str,
        r: &RawRecord,
        field: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, PackageError> {
        Self::get(r, field)
            .map(|f| parse(&f.value).map_err(|m| self.field_error(entity, r, field, m)))
            .transpose()
    }

    fn required_text(
        &self,
        entity: &str,
        r: &RawRecord,
        field: &str,
    ) -> Result<String, PackageError> {
        let text = Self::get(r, field).map(|f| values::text(&f.value)).unwrap_or_default();
        if text.is_empty() {
            return Err(self.field_error(entity, r, field, "a value is required here".into()));
        }
        Ok(text)
    }

    fn department(&self, r: &RawRecord) -> Result<Department, PackageError> {
        let id =
            self.parsed(DEPARTMENT, r, "autocoe_departmentid", values::guid)?.ok_or_else(|| {
                self.field_error(
                    DEPARTMENT,
                    r,
                    "autocoe_departmentid",
                    "a value is required here".into(),
                )
            })?;
        Ok(Department { id, name: self.required_text(DEPARTMENT, r, "autocoe_name")? })
    }

    fn project(&self, r: &RawRecord) -> Result<Project, PackageError> {
        let e = PROJECT;
        let dec = |field: &str| self.parsed(e, r, field, values::decimal);
        let pct = |field: &str| self.parsed(e, r, field, values::percent);
        let at = |field: &str| self.parsed(e, r, field, values::instant);
        let text = |field: &str| Self::get(r, field).map(|f| values::text(&f.value));
        let id =
            self.parsed(e, r, "autocoe_automationprojectid", values::guid)?.ok_or_else(|| {
                self.field_error(
                    e,
                    r,
                    "autocoe_automationprojectid",
                    "a value is required here".into(),
                )
            })?;
        let code = self
            .parsed(e, r, "autocoe_automationprojectstatus", values::option)?
            .ok_or_else(|| {
                self.field_error(
                    e,
                    r,
                    "autocoe_automationprojectstatus",
                    "a value is required here".into(),
                )
            })?;
        let status = Status::from_code(code)
            .map_err(|m| self.field_error(e, r, "autocoe_automationprojectstatus", m))?;
        let department = Self::get(r, "autocoe_department");
        Ok(Project {
            line: r.line,
            name: self.required_text(e, r, "autocoe_automationproject")?,
            number: text("autocoe_automationprojectnumber").filter(|t| !t.is_empty()),
            status,
            department_id: self.parsed(e, r, "autocoe_department", values::guid)?,
            department_name: department.and_then(|d| d.lookup_name.as_deref().map(values::text)),
            currency_name: Self::get(r, "transactioncurrencyid")
                .and_then(|c| c.lookup_name.as_deref().map(values::text)),
            owner: text("autocoe_businessowner").filter(|t| !t.is_empty()),
            hourly_cost: dec("autocoe_avghourlycostperfte")?,
            ftes: dec("autocoe_numberofftesneeded")?,
            minutes: dec("autocoe_totalprocessingtimeinminutes")?,
            frequency: Self::get(r, "autocoe_processingfrequency")
                .and_then(|f| f.lookup_name.as_deref().map(values::text)),
            volume: dec("autocoe_volumeperprocessfrequency")?,
            working_days: dec("autocoe_workingdaysperyear")?,
            working_hours: dec("autocoe_workinghoursperday")?,
            error_rate: pct("autocoe_avgerrorratepct")?,
            rework_minutes: dec("autocoe_avgreworktimeinminutes")?,
            maintenance: pct("autocoe_maintenanceoverhead")?,
            development_cost: dec("autocoe_developmentcosts")?,
            roi_potential: dec("autocoe_roisavingpotential")?,
            drivers: self
                .parsed(e, r, "autocoe_primaryimprovementdriver", values::multi_select)?
                .unwrap_or_default(),
            created: at("createdon")?,
            submitted: at("autocoe_submittedon")?,
            approved: at("autocoe_approvedon")?,
            id,
        })
    }

    fn reject(&mut self, r: &RawRecord, field: &str, reason: String) -> Result<(), PackageError> {
        let rejection = Rejection::new(field, format!("run trace {}: {reason}", r.id));
        self.rejects
            .add(self.reject_path, r.line, rejection)
            .map_err(|e| PackageError::Zip { path: self.path.to_owned(), message: e.to_string() })
    }

    fn trace(&mut self, r: &RawRecord) -> Result<(), PackageError> {
        self.traces.read += 1;
        if !self.seen.insert(r.id.to_ascii_lowercase()) {
            self.traces.duplicate += 1;
            return Ok(());
        }
        let flow = Self::get(r, "autocoe_flowname")
            .map(|f| values::text(&f.value))
            .or_else(|| Self::get(r, "autocoe_flowid").map(|f| f.value.trim().to_owned()))
            .unwrap_or_else(|| "(no flow)".into());
        let mut rejected = false;

        // The status, start and end; a bad value rejects the trace, named with its field.
        let status = match Self::get(r, "autocoe_overallstatus").map(|f| RunStatus::parse(&f.value))
        {
            Some(Ok(s)) => Some(s),
            Some(Err(m)) => {
                self.reject(r, "autocoe_overallstatus", m)?;
                self.traces.bad += 1;
                return Ok(());
            }
            None => {
                self.reject(r, "autocoe_overallstatus", "a status is required".into())?;
                self.traces.bad += 1;
                return Ok(());
            }
        };
        let status = status.unwrap_or(RunStatus::Pending);
        *self.traces.by_status.entry(status.as_str()).or_default() += 1;
        let mut times = [None, None];
        for (slot, field) in times.iter_mut().zip(["autocoe_startedon", "autocoe_completedon"]) {
            match Self::get(r, field).map(|f| values::instant(&f.value)) {
                Some(Ok(t)) => *slot = Some(t),
                Some(Err(m)) => {
                    self.reject(r, field, m)?;
                    self.traces.bad += 1;
                    return Ok(());
                }
                None => {}
            }
        }
        let [start, end] = times;
        if start.is_none() {
            self.traces.no_start += 1;
            rejected = true;
            self.reject(
                r,
                "autocoe_startedon",
                format!(
                    "{} run of flow '{flow}' has no start time: its day is unknown, so it is not \
                     counted",
                    status.as_str()
                ),
            )?;
        }

        // The project it belongs to, as the kit links it: never guessed from names.
        let project = Self::get(r, "autocoe_automationprojectid").map(|f| values::guid(&f.value));
        let project = match project {
            None => {
                self.traces.no_project += 1;
                rejected = true;
                self.reject(
                    r,
                    "autocoe_automationprojectid",
                    format!(
                        "{} run of flow '{flow}' is linked to no project: it counts for none \
                         (link the flow to its project in the kit)",
                        status.as_str()
                    ),
                )?;
                None
            }
            Some(Err(m)) => {
                self.traces.bad += 1;
                self.reject(r, "autocoe_automationprojectid", m)?;
                return Ok(());
            }
            Some(Ok(id)) => {
                let known = self.project_ids.as_ref().is_some_and(|ids| ids.contains(&id));
                if !known {
                    self.traces.unknown_project += 1;
                    self.reject(
                        r,
                        "autocoe_automationprojectid",
                        format!(
                            "{} run of flow '{flow}' is linked to project {id}, which is not in \
                             the file: kept under that project's id, it counts for no solution \
                             until that project is imported",
                            status.as_str()
                        ),
                    )?;
                }
                Some(id)
            }
        };
        let (Some(start), Some(project), false) = (start, project, rejected) else {
            return Ok(());
        };
        let duration_ms = match end {
            Some(end) if end < start => {
                self.traces.bad += 1;
                self.reject(r, "autocoe_completedon", "the run ends before it starts".into())?;
                return Ok(());
            }
            Some(end) => Some((end - start).num_milliseconds()),
            None => None,
        };
        let day = start.date_naive();
        if status == RunStatus::Succeeded {
            let first = self.first_success.entry(project.clone()).or_insert(day);
            *first = (*first).min(day);
            *self.successes.entry(project.clone()).or_default() += 1;
        }
        let tally = self.days.entry((project, day, status)).or_default();
        tally.runs += 1;
        if let Some(ms) = duration_ms {
            tally.timed += 1;
            tally.duration_ms += ms;
        }
        self.traces.rolled_up += 1;
        Ok(())
    }

    fn finish(self, exported_at: Option<DateTime<Utc>>) -> Result<Package, PackageError> {
        let mut days: Vec<NaiveDate> = self.days.keys().map(|k| k.1).collect();
        days.sort_unstable();
        days.dedup();
        let mut daily: Vec<RunDay> = self
            .days
            .into_iter()
            .map(|((project, day, status), t)| RunDay {
                system: super::SYSTEM.to_owned(),
                flow_id: project,
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
        Ok(Package {
            exported_at,
            departments: self.departments,
            projects: self.projects,
            goals: self.goals,
            runs: RunBatch { days, daily },
            first_success: self.first_success,
            successes: self.successes,
            traces: self.traces,
            ignored: self
                .ignored
                .into_iter()
                .map(|(e, n)| format!("entity {e} ({n} records)"))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_as_quick_xml_consumes() {
        let xml = "<a>\n<b x=\"1\"/>\n\n<c/>\n</a>";
        let mut reader =
            quick_xml::Reader::from_reader(Lines { inner: xml.as_bytes(), newlines: 0 });
        let mut buf = Vec::new();
        let mut seen = Vec::new();
        loop {
            let line = reader.get_ref().newlines + 1;
            match reader.read_event_into(&mut buf).unwrap() {
                Event::Empty(e) => {
                    seen.push((String::from_utf8_lossy(e.name().as_ref()).into_owned(), line))
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        assert_eq!(seen, [("b".to_owned(), 2), ("c".to_owned(), 4)]);
    }

    #[test]
    fn status_codes_are_the_kits() {
        assert_eq!(Status::from_code(333_820_002).unwrap(), Status::Approved);
        assert!(Status::from_code(7).unwrap_err().contains("not a project status"));
    }
}
