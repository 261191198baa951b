//! The demo's chargeback: the documented default prices, the platform team's cost and a few
//! meters of the month the cloud invoice covers, rules a platform team would write, and one
//! run of that month, made through the same `Writer` methods and run function as the CLI.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use worth_core::allocation::{DirectBy, Driver, Level, Method, PoolFilter, Rule};
use worth_core::{Currency, Money};
use worth_store::{ChargebackRun, Meter, PlatformCost, Store, default_prices};

/// The month of the cloud invoice in the demo's FOCUS sample (September 2024).
pub(crate) const PERIOD: NaiveDate = match NaiveDate::from_ymd_opt(2024, 9, 1) {
    Some(d) => d,
    None => panic!("a valid month"),
};

/// The business unit a FOCUS `business_unit` value maps to, by the team it names at its end
/// (`PeoriaData` → Operations); values that name none stay unallocated.
fn unit_of(value: &str) -> Option<&'static str> {
    const SUFFIXES: [(&str, &str); 9] = [
        ("Finance", "Finance"),
        ("Procurement", "Finance"),
        ("IT", "IT"),
        ("SRE", "IT"),
        ("Architecture", "IT"),
        ("Engineering", "Operations"),
        ("Data", "Operations"),
        ("AI", "Customer Service"),
        ("Design", "Sales"),
    ];
    SUFFIXES.iter().find(|(s, _)| value.ends_with(s)).map(|(_, u)| *u)
}

/// The map of every `business_unit` tag value in the imported cost facts to a unit.
async fn cloud_map(store: &Store) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeSet::new();
    for f in store.cost_facts().await? {
        let Some(tags) = f.tags_json else { continue };
        let tags: BTreeMap<String, serde_json::Value> = serde_json::from_str(&tags)?;
        if let Some(serde_json::Value::String(v)) = tags.get("business_unit") {
            values.insert(v.clone());
        }
    }
    Ok(values.into_iter().filter_map(|v| unit_of(&v).map(|u| (v.clone(), u.to_owned()))).collect())
}

/// Sets up the demo's chargeback and runs it over [`PERIOD`].
pub(crate) async fn set_up_and_run(store: &Store, usd: Currency) -> Result<ChargebackRun> {
    let map = cloud_map(store).await?;
    let mut w = store.write("demo").await?;
    for p in default_prices() {
        w.set_price(&p).await?;
    }
    for (item, amount) in
        [("CoE team", Decimal::new(4_200_000, 2)), ("tooling", Decimal::new(350_000, 2))]
    {
        w.set_platform_cost(&PlatformCost {
            month: PERIOD,
            item: item.into(),
            amount: Money::new(amount, usd),
        })
        .await?;
    }
    for (meter, bu, quantity) in [
        ("POWER AUTOMATE CLOUD FLOW RUN", "Operations", Decimal::new(1_250, 0)),
        ("DATAVERSE DATABASE CAPACITY", "Finance", Decimal::new(35, 1)),
        ("POWER APPS PAY-AS-YOU-GO", "Customer Service", Decimal::new(40, 0)),
    ] {
        w.set_meter(&Meter {
            month: PERIOD,
            meter: meter.into(),
            business_unit: Some(bu.into()),
            environment: None,
            quantity,
        })
        .await?;
    }
    let pool = |p: &str| PoolFilter { pool: Some(p.into()), ..PoolFilter::default() };
    let tag = |key: &str, map| Method::Direct {
        by: DirectBy::Tag { key: key.into(), aliases: vec!["cost center".into()] },
        map,
    };
    let rules = [
        Rule {
            name: "cloud by business unit tag".into(),
            level: Level::BusinessUnit,
            filter: pool("cloud"),
            method: tag("business_unit", map),
        },
        Rule {
            name: "meters to their unit".into(),
            level: Level::BusinessUnit,
            filter: pool("pay-as-you-go"),
            method: tag("business_unit", BTreeMap::new()),
        },
        Rule {
            name: "licenses by active users".into(),
            level: Level::BusinessUnit,
            filter: pool("licenses"),
            method: Method::Proportional { driver: Driver::ActiveUsers, targets: vec![] },
        },
        Rule {
            name: "platform team by allocated cost".into(),
            level: Level::BusinessUnit,
            filter: pool("platform-team"),
            method: Method::Proportional { driver: Driver::AllocatedCost, targets: vec![] },
        },
    ];
    for r in &rules {
        w.add_rule(r).await?;
    }
    w.commit().await?;
    let (run, _notes) = crate::commands::chargeback::record_run("demo", store, PERIOD).await?;
    Ok(run)
}
