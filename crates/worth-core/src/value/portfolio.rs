//! The portfolio: every solution evaluated, its financial view, and views by business unit,
//! category and platform, with the problems found on the way.

use serde::Serialize;

use super::Category;
use super::engine::{Context, LineValue, SolutionData, evaluate_lines};
use super::explain::Explain;
use super::financial::{
    Column, Financials, add_columns, explain_financials, financials, line_columns,
    solution_columns, solution_monthly_net, with_monthly_net,
};
use crate::Problem;
use crate::solution::{SolutionKind, Stage};
use chrono::NaiveDate;

/// One solution's value and financial view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolutionValue {
    /// The solution's store id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its business unit.
    pub business_unit: String,
    /// Its owner.
    pub owner: Option<String>,
    /// Its platform.
    pub platform: String,
    /// What it is.
    pub kind: SolutionKind,
    /// Its current stage.
    pub stage: Option<Stage>,
    /// When it went live.
    pub live_since: Option<NaiveDate>,
    /// The month its year 1 starts.
    pub year_one: NaiveDate,
    /// Its value lines, evaluated.
    pub lines: Vec<LineValue>,
    /// Its financial view.
    pub financials: Financials,
    /// How the financial view was made, when explanations were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// The whole portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portfolio {
    /// The reporting currency of every amount.
    pub currency: crate::Currency,
    /// The guideline version used.
    pub guideline_version: i64,
    /// The day of the evaluation.
    pub today: NaiveDate,
    /// Every solution with value lines or costs.
    pub solutions: Vec<SolutionValue>,
    /// The portfolio's financial view.
    pub total: Financials,
    /// What needs a person's attention.
    pub problems: Vec<Problem>,
}

/// How to group the portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per solution.
    Solution,
    /// One row per business unit.
    BusinessUnit,
    /// One row per benefit category (benefits only: costs belong to solutions, not categories).
    Category,
    /// One row per platform.
    Platform,
}

/// One row of a grouped view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The group's name.
    pub key: String,
    /// How many solutions it holds.
    pub solutions: usize,
    /// Its financial view.
    pub financials: Financials,
    /// Whether costs belong to the group (false for categories, whose ROI is not defined).
    pub costs_apply: bool,
}

/// Evaluates every solution and the portfolio.
pub fn evaluate(ctx: &Context<'_>, data: &[SolutionData<'_>]) -> Portfolio {
    let mut problems = super::attribution::over_attribution(data);
    let mut solutions = Vec::new();
    for d in data {
        let (lines, mut p) = evaluate_lines(ctx, d);
        let (initial, years, t0, p2) = solution_columns(ctx, d, &lines);
        p.extend(p2);
        let refs: Vec<&LineValue> = lines.iter().collect();
        let fin = with_monthly_net(
            financials(ctx, initial, years, &refs),
            solution_monthly_net(ctx, d, &lines, t0),
        );
        let explain = ctx.explain.then(|| explain_financials(ctx, &fin, t0, &lines, d));
        problems.extend(p);
        let s = d.solution;
        solutions.push(SolutionValue {
            id: s.id,
            name: s.name.clone(),
            business_unit: s.business_unit.clone(),
            owner: s.owner.clone(),
            platform: s.platform.clone(),
            kind: s.kind,
            stage: s.stage(),
            live_since: s.live_since(),
            year_one: t0,
            lines,
            financials: fin,
            explain,
        });
    }
    let total = combine(ctx, solutions.iter());
    Portfolio {
        currency: ctx.currency,
        guideline_version: ctx.guideline_version,
        today: ctx.today,
        solutions,
        total,
        problems,
    }
}

fn combine<'a, I: Iterator<Item = &'a SolutionValue> + Clone>(
    ctx: &Context<'_>,
    solutions: I,
) -> Financials {
    let horizon = ctx.guideline.horizon_years;
    let (initial, years) = add_columns(
        solutions.clone().map(|s| (&s.financials.initial, s.financials.years.as_slice())),
        horizon,
    );
    let mut monthly = vec![0.0; horizon as usize * 12 + 1];
    for s in solutions.clone() {
        for (total, v) in monthly.iter_mut().zip(&s.financials.monthly_net) {
            *total += v;
        }
    }
    let lines: Vec<&LineValue> = solutions.flat_map(|s| s.lines.iter()).collect();
    with_monthly_net(financials(ctx, initial, years, &lines), monthly)
}

impl Portfolio {
    /// The portfolio grouped, rows in name order.
    pub fn group(&self, ctx: &Context<'_>, by: GroupBy) -> Vec<Group> {
        let mut keys: Vec<String> = match by {
            GroupBy::Solution => {
                self.solutions.iter().map(|s| format!("{} / {}", s.business_unit, s.name)).collect()
            }
            GroupBy::BusinessUnit => {
                self.solutions.iter().map(|s| s.business_unit.clone()).collect()
            }
            GroupBy::Platform => self.solutions.iter().map(|s| s.platform.clone()).collect(),
            GroupBy::Category => self
                .solutions
                .iter()
                .flat_map(|s| s.lines.iter().map(|l| l.category.to_string()))
                .collect(),
        };
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|key| match by {
                GroupBy::Category => self.category_group(ctx, &key),
                _ => {
                    let members: Vec<&SolutionValue> = self
                        .solutions
                        .iter()
                        .filter(|s| match by {
                            GroupBy::Solution => format!("{} / {}", s.business_unit, s.name) == key,
                            GroupBy::BusinessUnit => s.business_unit == key,
                            _ => s.platform == key,
                        })
                        .collect();
                    Group {
                        solutions: members.len(),
                        financials: combine(ctx, members.iter().copied()),
                        key,
                        costs_apply: true,
                    }
                }
            })
            .collect()
    }

    fn category_group(&self, ctx: &Context<'_>, key: &str) -> Group {
        let horizon = ctx.guideline.horizon_years;
        let mut parts: Vec<(Column, Vec<Column>)> = Vec::new();
        let mut lines: Vec<&LineValue> = Vec::new();
        let mut members = 0;
        for s in &self.solutions {
            let of_category: Vec<&LineValue> =
                s.lines.iter().filter(|l| l.category.to_string() == key).collect();
            if of_category.is_empty() {
                continue;
            }
            members += 1;
            for l in of_category {
                parts.push(line_columns(s.year_one, horizon, l));
                lines.push(l);
            }
        }
        let (initial, years) = add_columns(parts.iter().map(|(i, y)| (i, y.as_slice())), horizon);
        let mut fin = financials(ctx, initial, years, &lines);
        fin.roi = None;
        fin.irr = None;
        fin.payback_months = None;
        Group { key: key.to_owned(), solutions: members, financials: fin, costs_apply: false }
    }
}

/// The category of a group key, for callers that need the enum back.
pub fn category_of(key: &str) -> Option<Category> {
    key.parse().ok()
}

impl Portfolio {
    /// The financial view of a business unit (or of the whole portfolio when `bu` is `None`)
    /// with its explanation: each column down to the solutions that fill it. Each solution's
    /// own explanation goes on down to its inputs.
    pub fn explain_group(
        &self,
        ctx: &Context<'_>,
        bu: Option<&str>,
    ) -> Option<(Financials, Explain)> {
        let members: Vec<&SolutionValue> =
            self.solutions.iter().filter(|s| bu.is_none_or(|b| s.business_unit == b)).collect();
        if members.is_empty() {
            return None;
        }
        let fin = combine(ctx, members.iter().copied());
        let cur = ctx.currency;
        let minor = cur.minor_units();
        let money = |v: f64| format!("{} {cur}", super::financial::round_money(v, minor));
        let amount = |v: rust_decimal::Decimal| {
            format!("{} {cur}", super::financial::round_amount(v, minor))
        };
        let rate = ctx.guideline.discount_rate;
        let column = |i: usize,
                      pick: &dyn Fn(&Column) -> rust_decimal::Decimal,
                      total: rust_decimal::Decimal| {
            let label = if i == 0 { "initial".to_owned() } else { format!("year {i}") };
            let children = members
                .iter()
                .filter_map(|s| {
                    let c = if i == 0 {
                        &s.financials.initial
                    } else {
                        s.financials.years.get(i - 1)?
                    };
                    let v = pick(c);
                    (!v.is_zero()).then(|| {
                        Explain::input(
                            format!("{} / {}", s.business_unit, s.name),
                            amount(v),
                            format!(
                                "year 1 from {}; `worth explain solution` goes on",
                                crate::period::label(s.year_one)
                            ),
                        )
                    })
                })
                .collect();
            let discount = if i == 0 {
                "taken undiscounted into the PV".to_owned()
            } else {
                format!("shown undiscounted; ÷ (1 + {rate})^{i} in the PV")
            };
            Explain::computed(label, amount(total), format!("Σ solutions, {discount}"), children)
        };
        let cols: Vec<&Column> = std::iter::once(&fin.initial).chain(&fin.years).collect();
        let benefits = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                column(i, &|c: &Column| c.benefits_risk_adjusted, c.benefits_risk_adjusted)
            })
            .collect();
        let costs = cols
            .iter()
            .enumerate()
            .map(|(i, c)| column(i, &|c: &Column| c.costs, c.costs))
            .collect();
        let explain = Explain::computed(
            "NPV",
            money(fin.npv),
            "PV benefits − PV costs",
            vec![
                Explain::computed(
                    "PV benefits",
                    money(fin.pv_benefits),
                    "Σ benefits_y ÷ (1 + d)^y, risk-adjusted",
                    benefits,
                ),
                Explain::computed(
                    "PV costs",
                    money(fin.pv_costs),
                    format!("Σ costs_y × (1 + {}) ÷ (1 + d)^y", ctx.guideline.cost_risk_adjustment),
                    costs,
                ),
                Explain::input(
                    "ROI",
                    fin.roi.map_or("n/a (no costs)".into(), |r| {
                        format!("{}%", super::financial::round_money(r * 100.0, 2))
                    }),
                    "NPV ÷ PV costs",
                ),
                Explain::input(
                    "guideline",
                    format!("v{}", ctx.guideline_version),
                    format!("discount rate {}%", rate * 100.0),
                ),
            ],
        );
        Some((fin, explain))
    }
}
