//! License reports: the Microsoft 365 active user detail report (`User Principal Name, …,
//! Assigned Products, …`) and the Power Platform licensed-user report.
//!
//! Each row is one user with the products assigned to them (`+`-separated in the Microsoft 365
//! report). The user principal name is pseudonymized as it is read; display names and the
//! other personal columns of the reports are not read. A report is a snapshot: importing it
//! replaces the assignments of its source (`m365` or `power-platform`, told by its columns).

use std::path::Path;

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

fn fields() -> Vec<Field> {
    vec![
        Field::required("User Principal Name", &["UserPrincipalName", "UPN", "User", "Email"]),
        Field::required(
            "Assigned Products",
            &["License", "Licenses", "License Name", "SKU", "Product", "Products"],
        ),
        Field::optional("Last Activity Date", &["LastActivityDate", "Last activity"]),
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
}

impl LicenseImporter {
    pub(crate) fn new(users: Pseudonyms) -> Self {
        Self { fields: fields(), users, seen: FxHashSet::default(), assignments: Vec::new() }
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
    let stored = vec![format!("{users} users"), format!("{} assignments", assignments.len())];
    Ok(Parsed {
        read,
        output: crate::Output::Licenses { source: source.to_owned(), assignments },
        days: None,
        stored,
    })
}
