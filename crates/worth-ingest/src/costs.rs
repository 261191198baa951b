//! FOCUS cost and usage files, versions 1.0 to 1.2.
//!
//! Every mandatory column that Worth keeps is required; the other documented columns are
//! accepted and not read. Rows are summed per charge day, billing account, billing period,
//! provider, service, resource, tags, charge category and class, and currency; both
//! `BilledCost` and `EffectiveCost` are kept, exactly, in the row's currency. Usage, Purchase,
//! Tax, Credit and Adjustment rows are all kept with their category.
//!
//! `Tags` is a JSON object, stored canonically (keys sorted). Keys are kept exactly as written:
//! `org` and ` org` stay two keys, because FOCUS leaves tag keys to the provider and merging
//! them would attribute costs on a guess. An empty object counts as no tags.
//!
//! Rows are not de-duplicated: two identical FOCUS rows are two charges.
//!
//! A charge whose period runs past midnight UTC (an hour from 23:30, a monthly fee) is split
//! over the days it covers in proportion to the time in each, to ten decimals (or the
//! amounts' own precision if finer) by the largest-remainder method, so the parts sum exactly to the row and a
//! charge that crosses a month boundary lands in both months. The row counts once, on the
//! day it starts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use worth_core::Currency;
use worth_core::allocation::time::split_by_day;
use worth_store::CostFact;

use crate::driver::{Cells, Outcome, RowImporter};
use crate::header::Field;
use crate::rejects::Rejection;

const BILLED: usize = 0;
const EFFECTIVE: usize = 1;
const ACCOUNT: usize = 2;
const CURRENCY: usize = 3;
const PERIOD_START: usize = 4;
const PERIOD_END: usize = 5;
const CATEGORY: usize = 6;
const CHARGE_START: usize = 7;
const CHARGE_END: usize = 8;
const SERVICE: usize = 9;
const PROVIDER: usize = 10;
const ACCOUNT_NAME: usize = 11;
const CLASS: usize = 12;
const SERVICE_CATEGORY: usize = 13;
const RESOURCE_ID: usize = 14;
const RESOURCE_NAME: usize = 15;
const TAGS: usize = 16;

/// The columns read, in the order of the constants above.
fn fields() -> Vec<Field> {
    vec![
        Field::required("BilledCost", &[]),
        Field::required("EffectiveCost", &[]),
        Field::required("BillingAccountId", &[]),
        Field::required("BillingCurrency", &[]),
        Field::required("BillingPeriodStart", &[]),
        Field::required("BillingPeriodEnd", &[]),
        Field::required("ChargeCategory", &[]),
        Field::required("ChargePeriodStart", &[]),
        Field::required("ChargePeriodEnd", &[]),
        Field::required("ServiceName", &[]),
        Field::required("ProviderName", &["ServiceProviderName"]),
        Field::optional("BillingAccountName", &[]),
        Field::optional("ChargeClass", &[]),
        Field::optional("ServiceCategory", &[]),
        Field::optional("ResourceId", &[]),
        Field::optional("ResourceName", &[]),
        Field::optional("Tags", &[]),
    ]
}

/// FOCUS 1.0–1.2 columns that are accepted and not read.
const KNOWN: &[&str] = &[
    "AvailabilityZone",
    "BillingAccountType",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeDescription",
    "ChargeFrequency",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "HostProviderName",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceType",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
];

/// The charge categories of FOCUS 1.0 to 1.2.
const CATEGORIES: [&str; 5] = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    billing_account_id: String,
    billing_account_name: Option<String>,
    billing_period_start: NaiveDate,
    charge_day: NaiveDate,
    provider: String,
    service_name: String,
    service_category: Option<String>,
    resource_id: Option<String>,
    resource_name: Option<String>,
    tags_json: Option<String>,
    charge_category: &'static str,
    charge_class: Option<String>,
    currency: Currency,
}

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    billed: Decimal,
    effective: Decimal,
    rows: i64,
}

/// Reads FOCUS rows into summed cost facts.
#[derive(Debug)]
pub(crate) struct CostImporter {
    fields: Vec<Field>,
    facts: FxHashMap<Key, Sums>,
}

impl CostImporter {
    pub(crate) fn new() -> Self {
        Self { fields: fields(), facts: FxHashMap::default() }
    }

    /// The summed facts, in a stable order.
    pub(crate) fn finish(self) -> Vec<CostFact> {
        let mut facts: Vec<CostFact> = self
            .facts
            .into_iter()
            .map(|(k, s)| CostFact {
                billing_account_id: k.billing_account_id,
                billing_account_name: k.billing_account_name,
                billing_period_start: k.billing_period_start,
                charge_day: k.charge_day,
                provider: k.provider,
                service_name: k.service_name,
                service_category: k.service_category,
                resource_id: k.resource_id,
                resource_name: k.resource_name,
                tags_json: k.tags_json,
                charge_category: k.charge_category.to_owned(),
                charge_class: k.charge_class,
                currency: k.currency.code().to_owned(),
                billed_cost: s.billed,
                effective_cost: s.effective,
                source_rows: s.rows,
            })
            .collect();
        facts.sort_by(|a, b| {
            (a.charge_day, &a.billing_account_id, &a.service_name, &a.resource_id, &a.tags_json)
                .cmp(&(
                    b.charge_day,
                    &b.billing_account_id,
                    &b.service_name,
                    &b.resource_id,
                    &b.tags_json,
                ))
                .then(a.charge_category.cmp(&b.charge_category))
        });
        facts
    }
}

/// The canonical JSON of a `Tags` cell, or `None` for no tags.
pub(crate) fn canonical_tags(text: &str) -> Result<Option<String>, String> {
    let tags: BTreeMap<String, serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        format!(
            "Tags must be a JSON object such as {{\"team\": \"finance\"}} ({})",
            e.to_string().split(" at line").next().unwrap_or("")
        )
    })?;
    if tags.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(&tags).map(Some).map_err(|e| e.to_string())
}

fn owned(text: Option<&str>) -> Option<String> {
    text.map(str::to_owned)
}

impl RowImporter for CostImporter {
    fn fields(&self) -> &[Field] {
        &self.fields
    }

    fn known(&self) -> &[&str] {
        KNOWN
    }

    fn row(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        let billed = c.decimal(BILLED)?.ok_or_else(|| c.reject(BILLED, "a cost is required"))?;
        let effective =
            c.decimal(EFFECTIVE)?.ok_or_else(|| c.reject(EFFECTIVE, "a cost is required"))?;
        let currency =
            Currency::parse(c.required(CURRENCY)?).map_err(|e| c.reject(CURRENCY, e.message))?;
        let category_text = c.required(CATEGORY)?;
        let charge_category =
            CATEGORIES.iter().find(|k| k.eq_ignore_ascii_case(category_text)).ok_or_else(|| {
                c.reject(
                    CATEGORY,
                    format!("'{category_text}' is not one of: {}", CATEGORIES.join(", ")),
                )
            })?;
        let period_start =
            c.instant(PERIOD_START)?.ok_or_else(|| c.reject(PERIOD_START, "a date is required"))?;
        let period_end =
            c.instant(PERIOD_END)?.ok_or_else(|| c.reject(PERIOD_END, "a date is required"))?;
        if period_end < period_start {
            return Err(c.reject(PERIOD_END, "the billing period ends before it starts"));
        }
        let charge_start =
            c.instant(CHARGE_START)?.ok_or_else(|| c.reject(CHARGE_START, "a date is required"))?;
        let charge_end =
            c.instant(CHARGE_END)?.ok_or_else(|| c.reject(CHARGE_END, "a date is required"))?;
        if charge_end < charge_start {
            return Err(c.reject(CHARGE_END, "the charge period ends before it starts"));
        }
        let tags_json = match c.text(TAGS)? {
            Some(t) => canonical_tags(t).map_err(|e| c.reject(TAGS, e))?,
            None => None,
        };
        let mut key = Key {
            billing_account_id: c.required(ACCOUNT)?.to_owned(),
            billing_account_name: owned(c.text(ACCOUNT_NAME)?),
            billing_period_start: period_start.date_naive(),
            charge_day: charge_start.date_naive(),
            provider: c.required(PROVIDER)?.to_owned(),
            service_name: c.required(SERVICE)?.to_owned(),
            service_category: owned(c.text(SERVICE_CATEGORY)?),
            resource_id: owned(c.text(RESOURCE_ID)?),
            resource_name: owned(c.text(RESOURCE_NAME)?),
            tags_json,
            charge_category,
            charge_class: owned(c.text(CLASS)?),
            currency,
        };
        // Ten decimals at least, so that a whole-number cost still splits by the hour.
        let scale = billed.scale().max(effective.scale()).max(10);
        let split = |amount| {
            split_by_day(amount, charge_start, charge_end, scale)
                .map_err(|e| c.reject(CHARGE_END, e.to_string()))
        };
        let (billed_days, effective_days) = (split(billed)?, split(effective)?);
        for (i, ((day, b), (_, e))) in billed_days.into_iter().zip(effective_days).enumerate() {
            key.charge_day = day;
            let sums = self.facts.entry(key.clone()).or_default();
            sums.billed += b;
            sums.effective += e;
            sums.rows += i64::from(i == 0);
        }
        Ok(Outcome::Imported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stored_with_sorted_keys_and_exact_key_spelling() {
        let got = canonical_tags(r#"{"org": "a", " org": "b", "app": 1}"#).unwrap();
        assert_eq!(got.as_deref(), Some(r#"{" org":"b","app":1,"org":"a"}"#));
        assert_eq!(canonical_tags("{}").unwrap(), None);
        assert!(canonical_tags("[1]").unwrap_err().contains("JSON object"));
    }
}
