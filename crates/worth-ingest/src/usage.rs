//! The self-service analytics Usage entity: one row per app session (`AppId, environmentId,
//! tenantid, ObjectID, SessionId, timeaccessed, Country, platform, PlayerVersion, AppVersion,
//! Browsername, DataVersion`).
//!
//! Rows are aggregated as they are read into, per app and UTC day, the distinct sessions, and
//! per app, month and pseudonymous user, a bitmask of the days of use. From these come the daily
//! rollups (sessions, distinct users) and the monthly distinct (app, user) pairs; raw rows are
//! not stored. Memory grows with distinct sessions, apps, users and days, never with rows.
//!
//! Sessions are told apart by a 64-bit fingerprint of their `SessionId`: exact unless two
//! sessions of one app on one day collide, which for a million sessions has odds of about one in
//! thirty million. A row repeating a session already seen that day is a duplicate.
//!
//! A file is taken as the complete record of each day it holds: importing it replaces those days
//! for its source, in the daily rollups and in the monthly masks, so overlapping files never
//! count a day twice.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rustc_hash::{FxHashMap, FxHashSet};
use worth_store::{AppMonthUsers, UsageBatch, UsageDay};

use crate::driver::{self, Cells, Outcome, RowImporter};
use crate::error::{IngestError, Result};
use crate::header::Field;
use crate::pseudonyms::Pseudonyms;
use crate::rejects::{Rejection, RejectsFile};
use crate::{ParseContext, Parsed, cell, source};

/// The system that issues the app ids of this export.
pub const SYSTEM: &str = "powerapps";

const APP: usize = 0;
const USER: usize = 1;
const SESSION: usize = 2;
const TIME: usize = 3;

fn fields() -> Vec<Field> {
    vec![
        Field::required("AppId", &["App Id"]),
        Field::required("ObjectID", &["Object Id", "UserId"]),
        Field::required("SessionId", &["Session Id"]),
        Field::required("timeaccessed", &["Time Accessed", "AccessTime"]),
    ]
}

/// Usage columns that are accepted and not read.
const KNOWN: &[&str] = &[
    "environmentId",
    "tenantid",
    "Country",
    "platform",
    "PlayerVersion",
    "AppVersion",
    "Browsername",
    "DataVersion",
];

/// A day as a number (days since 0001-01-01).
type Day = i32;

/// Aggregates usage rows.
#[derive(Debug)]
pub struct UsageAggregator {
    users: Pseudonyms,
    /// Raw spelling of an app id → app number; spellings that differ by case share one.
    app_index: FxHashMap<Box<[u8]>, u32>,
    app_by_name: FxHashMap<String, u32>,
    apps: Vec<String>,
    /// (app, day) → index into `sessions`.
    slots: FxHashMap<(u32, Day), u32>,
    slot_keys: Vec<(u32, Day)>,
    sessions: Vec<FxHashSet<u64>>,
    /// (app, user, month number) → days of the month used, bit 0 = day 1.
    masks: FxHashMap<(u32, u32, i32), u32>,
    days: DayReader,
    last_slot: Option<((u32, Day), u32)>,
    fingerprint: std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>,
    scratch: Vec<u8>,
}

impl UsageAggregator {
    /// An empty aggregator pseudonymizing with `users`.
    pub fn new(users: Pseudonyms) -> Self {
        Self {
            users,
            app_index: FxHashMap::default(),
            app_by_name: FxHashMap::default(),
            apps: Vec::new(),
            slots: FxHashMap::default(),
            slot_keys: Vec::new(),
            sessions: Vec::new(),
            masks: FxHashMap::default(),
            days: DayReader::default(),
            last_slot: None,
            fingerprint: std::hash::BuildHasherDefault::default(),
            scratch: Vec::new(),
        }
    }

    /// Adds one session of `app` by `user` at `time` (the raw cells); `Ok(false)` when the
    /// session was already counted that day.
    pub fn add(
        &mut self,
        app: &[u8],
        user: &[u8],
        session: &[u8],
        time: &[u8],
    ) -> Result<bool, String> {
        let day = self.days.day(time)?;
        Ok(self.add_on_day(app, user, session, day))
    }

    /// Adds one session on a day already read (see [`DayReader`]); false when the session was
    /// already counted that day.
    fn add_on_day(&mut self, app: &[u8], user: &[u8], session: &[u8], day: Day) -> bool {
        let app = self.app(app);
        let user = self.users.intern(user);
        let slot = self.slot(app, day);
        let mut h = self.fingerprint.build_hasher();
        if session.iter().any(u8::is_ascii_uppercase) {
            // Session ids are GUIDs, whose case carries no meaning.
            self.scratch.clear();
            self.scratch.extend(session.iter().map(u8::to_ascii_lowercase));
            h.write(&self.scratch);
        } else {
            h.write(session);
        }
        let new = self.sessions[slot as usize].insert(h.finish());
        let (month, bit) = month_and_bit(day);
        *self.masks.entry((app, user, month)).or_insert(0) |= bit;
        new
    }
}

/// Reads the UTC day of `timeaccessed` cells, remembering the last date seen since rows come in
/// runs of one day.
#[derive(Debug, Default)]
pub struct DayReader {
    last_date: [u8; 10],
    last_day: Day,
}

impl DayReader {
    fn day(&mut self, time: &[u8]) -> Result<Day, String> {
        // The common forms (`2024-09-01`, `2024-09-01T10:00:00Z`, `2024-09-01 10:00:00.123`)
        // have their UTC day in the first ten bytes; a zone offset may move it and takes the
        // general parser.
        let simple = time.len() >= 10
            && time[4] == b'-'
            && time[7] == b'-'
            && (time.len() == 10
                || ((time[10] == b'T' || time[10] == b' ')
                    && !time[11..].iter().any(|&b| b == b'+' || b == b'-')
                    && time.len() >= 16
                    && time[13] == b':'));
        if simple {
            if time[..10] == self.last_date {
                return Ok(self.last_day);
            }
            let text = std::str::from_utf8(&time[..10]).map_err(|_| not_a_time(time))?;
            let date: NaiveDate = text.parse().map_err(|_| not_a_time(time))?;
            self.last_date.copy_from_slice(&time[..10]);
            self.last_day = date.num_days_from_ce();
            return Ok(self.last_day);
        }
        let text = std::str::from_utf8(time).map_err(|_| not_a_time(time))?;
        let text = cell::clean(text).ok_or_else(|| "a time is required here".to_owned())?;
        Ok(cell::parse_instant(text)?.date_naive().num_days_from_ce())
    }
}

impl UsageAggregator {
    fn app(&mut self, raw: &[u8]) -> u32 {
        if let Some(&n) = self.app_index.get(raw) {
            return n;
        }
        let name = String::from_utf8_lossy(raw).trim().to_lowercase();
        let n = match self.app_by_name.get(&name) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(self.apps.len()).unwrap_or(u32::MAX);
                self.app_by_name.insert(name.clone(), n);
                self.apps.push(name);
                n
            }
        };
        self.app_index.insert(raw.into(), n);
        n
    }

    fn slot(&mut self, app: u32, day: Day) -> u32 {
        if let Some((key, slot)) = self.last_slot
            && key == (app, day)
        {
            return slot;
        }
        let next = u32::try_from(self.slot_keys.len()).unwrap_or(u32::MAX);
        let slot = *self.slots.entry((app, day)).or_insert(next);
        if slot == next {
            self.slot_keys.push((app, day));
            self.sessions.push(FxHashSet::default());
        }
        self.last_slot = Some(((app, day), slot));
        slot
    }

    /// The rollups: daily sessions and distinct users, the monthly masks, and the days covered.
    pub fn finish(self) -> UsageBatch {
        let Self { users, apps, slot_keys, sessions, masks, .. } = self;

        // Sessions per app and day; the session sets go as soon as they are counted.
        let mut daily: FxHashMap<(u32, Day), (i64, i64)> = FxHashMap::default();
        for (key, set) in slot_keys.into_iter().zip(sessions) {
            daily.insert(key, (to_i64(set.len()), 0));
        }

        // Distinct users per app and day, from the bits of the masks; users per app and month.
        let mut by_month: FxHashMap<(u32, i32), Vec<(String, u32)>> = FxHashMap::default();
        for ((app, user, month), mask) in masks {
            let first = first_day_of_month(month);
            let mut bits = mask;
            while bits != 0 {
                let d = bits.trailing_zeros();
                bits &= bits - 1;
                let day = first + i32::try_from(d).unwrap_or(0);
                if let Some(entry) = daily.get_mut(&(app, day)) {
                    entry.1 += 1;
                }
            }
            by_month
                .entry((app, month))
                .or_default()
                .push((users.pseudonym(user).to_owned(), mask));
        }
        let mut monthly: Vec<AppMonthUsers> = by_month
            .into_iter()
            .map(|((app, month), mut list)| {
                list.sort_unstable();
                AppMonthUsers {
                    system: SYSTEM.to_owned(),
                    external_id: apps[app as usize].clone(),
                    month: month_text(month),
                    users: list,
                }
            })
            .collect();
        monthly
            .sort_unstable_by(|a, b| (&a.external_id, &a.month).cmp(&(&b.external_id, &b.month)));

        let mut days: Vec<NaiveDate> = daily.keys().filter_map(|&(_, d)| date_of(d)).collect();
        days.sort_unstable();
        days.dedup();
        let mut daily: Vec<UsageDay> = daily
            .into_iter()
            .filter_map(|((app, day), (sessions, users))| {
                Some(UsageDay {
                    system: SYSTEM.to_owned(),
                    external_id: apps[app as usize].clone(),
                    day: date_of(day)?,
                    sessions,
                    users,
                })
            })
            .collect();
        daily.sort_unstable_by(|a, b| (&a.external_id, a.day).cmp(&(&b.external_id, b.day)));
        UsageBatch { days, daily, monthly }
    }
}

fn not_a_time(raw: &[u8]) -> String {
    format!(
        "'{}' is not a date or time (write it as 2024-09-01T13:45:00Z)",
        String::from_utf8_lossy(raw)
    )
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn date_of(day: Day) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day)
}

/// The month number (year × 12 + month − 1) of a day and the day's bit in that month's mask.
fn month_and_bit(day: Day) -> (i32, u32) {
    let date = date_of(day).unwrap_or_default();
    // Months are counted from year 0 so that they fit an i32 for every date chrono allows.
    #[allow(clippy::cast_possible_wrap)]
    let month = date.year() * 12 + date.month0() as i32;
    (month, 1u32 << date.day0())
}

fn first_day_of_month(month: i32) -> Day {
    // month.rem_euclid(12) is in 0..12.
    #[allow(clippy::cast_sign_loss)]
    let m = month.rem_euclid(12) as u32 + 1;
    NaiveDate::from_ymd_opt(month.div_euclid(12), m, 1).map_or(0, |d| d.num_days_from_ce())
}

fn month_text(month: i32) -> String {
    format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1)
}

/// Trims spaces and quotes that survive in hand-edited files.
fn trimmed(raw: &[u8]) -> &[u8] {
    raw.trim_ascii()
}

/// How many aggregators share the work; rows go to one by their app, so that each app's
/// sessions, users and days are counted in one place.
const PARTS: usize = 2;

/// Rows handed to an aggregator at once.
const BATCH_ROWS: usize = 8192;

/// Rows for one aggregator: the cells' bytes end to end, and where each row's cells end.
#[derive(Debug, Default)]
struct Batch {
    bytes: Vec<u8>,
    rows: Vec<(u32, u32, u32, Day)>,
}

impl Batch {
    fn push(&mut self, app: &[u8], user: &[u8], session: &[u8], day: Day) {
        let end = |b: &mut Vec<u8>, cell: &[u8]| {
            b.extend_from_slice(cell);
            u32::try_from(b.len()).unwrap_or(u32::MAX)
        };
        let a = end(&mut self.bytes, app);
        let u = end(&mut self.bytes, user);
        let s = end(&mut self.bytes, session);
        self.rows.push((a, u, s, day));
    }

    fn each(&self, mut f: impl FnMut(&[u8], &[u8], &[u8], Day)) {
        let mut start = 0usize;
        for &(a, u, s, day) in &self.rows {
            let (a, u, s) = (a as usize, u as usize, s as usize);
            f(&self.bytes[start..a], &self.bytes[a..u], &self.bytes[u..s], day);
            start = s;
        }
    }
}

/// Checks each row on the reading thread and routes it to the aggregator of its app.
#[derive(Debug)]
struct Router {
    fields: Vec<Field>,
    days: DayReader,
    batches: Vec<Batch>,
    senders: Vec<std::sync::mpsc::SyncSender<Batch>>,
}

impl Router {
    fn send(&mut self, part: usize) {
        let full = std::mem::take(&mut self.batches[part]);
        // A closed channel means its aggregator stopped; its error is reported when joined.
        let _ = self.senders[part].send(full);
    }

    fn flush(&mut self) {
        for part in 0..PARTS {
            if !self.batches[part].rows.is_empty() {
                self.send(part);
            }
        }
    }
}

/// The part of an app: a hash of its id that ignores the case of letters, as app ids do.
fn part_of(app: &[u8]) -> usize {
    let h = app.iter().fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b | 0x20)));
    (h.rotate_right(7) as usize) % PARTS
}

impl RowImporter for Router {
    fn fields(&self) -> &[Field] {
        &self.fields
    }

    fn known(&self) -> &[&str] {
        KNOWN
    }

    fn row(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        let app = trimmed(c.raw(APP));
        if app.is_empty() || app.eq_ignore_ascii_case(b"null") {
            return Err(c.reject(APP, "an app id is required here"));
        }
        let user = trimmed(c.raw(USER));
        if user.is_empty() || user.eq_ignore_ascii_case(b"null") {
            // The value is not repeated: it may be a personal identifier.
            return Err(c.reject(USER, "a user id is required here"));
        }
        let session = trimmed(c.raw(SESSION));
        if session.is_empty() || session.eq_ignore_ascii_case(b"null") {
            return Err(c.reject(SESSION, "a session id is required here"));
        }
        let day = self.days.day(trimmed(c.raw(TIME))).map_err(|e| c.reject(TIME, e))?;
        let part = part_of(app);
        self.batches[part].push(app, user, session, day);
        if self.batches[part].rows.len() >= BATCH_ROWS {
            self.send(part);
        }
        // Whether it repeats a session is known to the aggregator; counted when it finishes.
        Ok(Outcome::Imported)
    }
}

/// What one aggregator found.
struct PartResult {
    batch: UsageBatch,
    duplicates: u64,
    apps: usize,
    users: Vec<String>,
}

fn aggregate(batches: std::sync::mpsc::Receiver<Batch>, users: Pseudonyms) -> PartResult {
    let mut agg = UsageAggregator::new(users);
    let mut duplicates = 0u64;
    for batch in batches {
        batch.each(|app, user, session, day| {
            if !agg.add_on_day(app, user, session, day) {
                duplicates += 1;
            }
        });
    }
    let apps = agg.apps.len();
    let users = (0..agg.users.len())
        .map(|n| agg.users.pseudonym(u32::try_from(n).unwrap_or(u32::MAX)).to_owned())
        .collect();
    PartResult { batch: agg.finish(), duplicates, apps, users }
}

/// Rollups of several aggregators: their apps are disjoint, so their rows are simply joined.
fn merge(parts: Vec<UsageBatch>) -> UsageBatch {
    let mut out = UsageBatch::default();
    for p in parts {
        out.days.extend(p.days);
        out.daily.extend(p.daily);
        out.monthly.extend(p.monthly);
    }
    out.days.sort_unstable();
    out.days.dedup();
    out.daily.sort_unstable_by(|a, b| (&a.external_id, a.day).cmp(&(&b.external_id, b.day)));
    out.monthly
        .sort_unstable_by(|a, b| (&a.external_id, &a.month).cmp(&(&b.external_id, &b.month)));
    out
}

pub(crate) fn parse(path: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    let src = source::Source::open(path, source::progress_bar(path, ctx.progress))?;
    let (read, parts) = std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(PARTS);
        let mut workers = Vec::with_capacity(PARTS);
        for _ in 0..PARTS {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(4);
            let users = Pseudonyms::new(ctx.key.clone());
            senders.push(tx);
            workers.push(scope.spawn(move || aggregate(rx, users)));
        }
        let mut router = Router {
            fields: fields(),
            days: DayReader::default(),
            batches: (0..PARTS).map(|_| Batch::default()).collect(),
            senders,
        };
        let read = driver::read_csv(
            path,
            src,
            driver::Header::FirstRow,
            ctx.mapping.as_ref(),
            &mut router,
            rejects,
        );
        router.flush();
        // Closing the channels lets the aggregators finish.
        drop(router);
        let parts: std::result::Result<Vec<PartResult>, _> =
            workers.into_iter().map(|w| w.join()).collect();
        (read, parts)
    });
    let mut read = read?;
    let parts = parts.map_err(|_| IngestError::Internal("a usage aggregator failed".into()))?;

    let duplicates: u64 = parts.iter().map(|p| p.duplicates).sum();
    read.counts.imported -= duplicates;
    read.counts.duplicate += duplicates;
    let apps: usize = parts.iter().map(|p| p.apps).sum();
    let users: FxHashSet<&str> =
        parts.iter().flat_map(|p| p.users.iter().map(String::as_str)).collect();
    let users = users.len();
    let batch = merge(parts.into_iter().map(|p| p.batch).collect());
    let days = batch.days.first().copied().zip(batch.days.last().copied());
    let stored = vec![
        format!("{apps} apps"),
        format!("{users} users"),
        format!("{} days", batch.days.len()),
        format!("{} app-days", batch.daily.len()),
        format!(
            "{} monthly app-user pairs",
            batch.monthly.iter().map(|m| m.users.len()).sum::<usize>()
        ),
    ];
    Ok(Parsed { read, output: crate::Output::Usage(batch), days, stored })
}

#[cfg(test)]
mod tests {
    use worth_core::pseudonym::SecretKey;

    use super::*;

    fn aggregator() -> UsageAggregator {
        UsageAggregator::new(Pseudonyms::new(SecretKey::from_bytes([1; 32])))
    }

    #[test]
    fn sessions_and_users_roll_up_per_app_and_day() {
        let mut a = aggregator();
        assert_eq!(a.add(b"APP-1", b"u1", b"s1", b"2024-09-01T10:00:00Z"), Ok(true));
        assert_eq!(a.add(b"app-1", b"U1", b"s2", b"2024-09-01 11:00:00"), Ok(true));
        assert_eq!(a.add(b"app-1", b"u2", b"S1", b"2024-09-01T12:00:00Z"), Ok(false));
        assert_eq!(a.add(b"app-1", b"u2", b"s3", b"2024-09-02T00:30:00+02:00"), Ok(true));
        let batch = a.finish();
        let daily: Vec<(String, i64, i64)> =
            batch.daily.iter().map(|d| (d.day.to_string(), d.sessions, d.users)).collect();
        // The last session, at 00:30 in UTC+2, is on the 1st in UTC.
        assert_eq!(daily, [("2024-09-01".to_owned(), 3, 2)]);
        assert_eq!(batch.monthly.len(), 1);
        assert_eq!(batch.monthly[0].external_id, "app-1");
        assert_eq!(batch.monthly[0].users.iter().map(|u| u.1).collect::<Vec<_>>(), [1, 1]);
    }

    #[test]
    fn an_app_goes_to_one_part_whatever_the_case_of_its_id() {
        let id = b"C7BEAAC2-386C-4E50-8557-26D6C5B36ED0";
        assert_eq!(part_of(id), part_of(&id.to_ascii_lowercase()));
        let spread: FxHashSet<usize> =
            (0..64).map(|i| part_of(format!("app-{i}").as_bytes())).collect();
        assert_eq!(spread.len(), PARTS, "apps are spread over every part");
    }

    #[test]
    fn months_and_bits() {
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap().num_days_from_ce();
        let (month, bit) = month_and_bit(day);
        assert_eq!((month_text(month), bit), ("2024-02".to_owned(), 1 << 28));
        assert_eq!(date_of(first_day_of_month(month)).unwrap().to_string(), "2024-02-01");
    }

    #[test]
    fn a_bad_time_is_explained() {
        let mut a = aggregator();
        let err = a.add(b"a", b"u", b"s", b"01/09/2024").unwrap_err();
        assert!(err.contains("'01/09/2024'"), "{err}");
        assert!(a.add(b"a", b"u", b"s", b"2024-02-30").is_err());
    }
}
