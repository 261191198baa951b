//! The sponsor report of what a [`Loaded`] workspace holds, built the one way the CLI's
//! `worth report` and the server's dashboard both use.

use chrono::NaiveDate;
use worth_core::value::accuracy::accuracy;
use worth_core::value::portfolio::{Group, GroupBy, Portfolio};
use worth_report::sponsor::{ReportInput, SponsorReport};
use worth_store::Loaded;

/// The report of `portfolio` (evaluated from `loaded`) over the months `from` to `to`, with the
/// groupings by business unit and by category it was built from.
pub fn sponsor_report(
    loaded: &Loaded,
    portfolio: &Portfolio,
    from: NaiveDate,
    to: NaiveDate,
) -> (SponsorReport, Vec<Group>, Vec<Group>) {
    let ctx = loaded.ctx(false);
    let data = loaded.data();
    let by_business_unit = portfolio.group(&ctx, GroupBy::BusinessUnit);
    let by_category = portfolio.group(&ctx, GroupBy::Category);
    let accuracy = accuracy(&ctx, portfolio);
    let report = SponsorReport::build(&ReportInput {
        ctx: &ctx,
        data: &data,
        portfolio,
        by_business_unit: &by_business_unit,
        by_category: &by_category,
        accuracy: &accuracy,
        settings: &loaded.settings,
        from,
        to,
    });
    (report, by_business_unit, by_category)
}
