//! License reports: the Microsoft 365 active user detail report (`User Principal Name, …,
//! Assigned Products, …`) and the Power Platform licensed-user report.
//!
//! Each row is one user with the products assigned to them (`+`-separated in the Microsoft 365
//! report). The user principal name is pseudonymized as it is read; display names and the
//! other personal columns of the reports are not read. A report is a snapshot dated by its
//! `Report Refresh Date` (the latest in the file), or by the day it is imported when it has
//! none: importing it replaces the assignments of its source (`m365` or `power-platform`, told
//! by its columns) of that date only, so that earlier reports stay for past periods.

use std::path::Path;

use chrono::NaiveDate;
use rustc_hash::FxHashSet;
use worth_store::LicenseAssignment;

use crate::driver::{self, Cells, Header, Outcome, RowImporter};
use crate::error::Result;
use crate::header::{Field, normalize};
use crate::pseudonyms::Pseudonyms;
use crate::rejects::{Rejection, RejectsFile};
use crate::{ParseContext, Parsed, source};

const USER: usize = 0;
const PRODUCTS: usize = 1;
const LAST_ACTIVITY: usize = 2;
const REFRESHED: usize = 3;

fn fields() -> Vec<Field> {
    vec![
        Field::required("User Principal Name", &["UserPrincipalName", "UPN", "User", "Email"]),
        Field::required(
            "Assigned Products",
            &["License", "Licenses", "License Name", "SKU", "Product", "Products"],
        ),
        Field::optional("Last Activity Date", &["LastActivityDate", "Last activity"]),
        Field::optional("Report Refresh Date", &["ReportRefreshDate", "Report Date", "As Of"]),
    ]
}

/// Whether a column is one of the report's own (service flags, dates, counts, names), which
/// are not read and not reported as unknown.
fn is_report_column(column: &str) -> bool {
    let c = normalize(column);
    c.starts_with("has ")
        || c.starts_with("is ")
        || c.ends_with(" date")
        || c.contains("display name")
        || c.contains("report")
        || c.contains("license assign")
}

/// Reads license reports.
#[derive(Debug)]
pub(crate) struct LicenseImporter {
    fields: Vec<Field>,
    users: Pseudonyms,
    seen: FxHashSet<(u32, String)>,
    assignments: Vec<LicenseAssignment>,
    /// The latest refresh date of the report's rows.
    refreshed: Option<NaiveDate>,
}

impl LicenseImporter {
    pub(crate) fn new(users: Pseudonyms) -> Self {
        Self {
            fields: fields(),
            users,
            seen: FxHashSet::default(),
            assignments: Vec::new(),
            refreshed: None,
        }
    }
}

impl RowImporter for LicenseImporter {
    fn fields(&self) -> &[Field] {
        &self.fields
    }

    fn row(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        // The value is never repeated in a reason: it is a personal identifier.
        let user = c.text(USER)?.ok_or_else(|| c.reject(USER, "a user is required here"))?;
        let products = c.text(PRODUCTS)?.unwrap_or("");
        let last_activity = c.day(LAST_ACTIVITY)?;
        if let Some(day) = c.day(REFRESHED)? {
            self.refreshed = Some(self.refreshed.map_or(day, |d| d.max(day)));
        }
        let n = self.users.intern(user.as_bytes());
        let mut added = false;
        let mut repeated = false;
        for product in products.split(['+', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            if !self.seen.insert((n, product.to_lowercase())) {
                repeated = true;
                continue;
            }
            added = true;
            self.assignments.push(LicenseAssignment {
                user_key: self.users.pseudonym(n).to_owned(),
                product: product.to_owned(),
                last_activity_on: last_activity,
            });
        }
        Ok(if repeated && !added { Outcome::Duplicate } else { Outcome::Imported })
    }
}

pub(crate) fn parse(path: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    let src = source::Source::open(path, source::progress_bar(path, ctx.progress))?;
    let mut importer = LicenseImporter::new(Pseudonyms::new(ctx.key.clone()));
    let mut read = driver::read_csv(
        path,
        src,
        Header::FirstRow,
        ctx.mapping.as_ref(),
        &mut importer,
        rejects,
    )?;
    read.unknown_columns.retain(|c| !is_report_column(c));
    // The Microsoft 365 report names its products column "Assigned Products".
    let header = csv::Reader::from_path(path)
        .ok()
        .and_then(|mut r| r.headers().ok().map(|h| h.iter().map(normalize).collect::<Vec<_>>()))
        .unwrap_or_default();
    let source =
        if header.iter().any(|h| h == "assigned products") { "m365" } else { "power-platform" };
    let users = importer.users.len();
    let assignments = importer.assignments;
    let as_of = importer.refreshed;
    let mut stored = vec![format!("{users} users"), format!("{} assignments", assignments.len())];
    stored.extend(as_of.map(|d| format!("as of {d}")));
    Ok(Parsed {
        read,
        output: crate::Output::Licenses { source: source.to_owned(), as_of, assignments },
        days: as_of.map(|d| (d, d)),
        stored,
    })
}
