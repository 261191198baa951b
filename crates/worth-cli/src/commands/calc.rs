//! `worth calc`: the finance kernel on the command line, as JSON in and JSON out or as flags.
//!
//! `worth calc FUNCTION --json` reads one JSON object on stdin and writes one on stdout:
//! `{"value": …}` (irr and xirr add `"roots"`, tei writes its five figures) with exit 0, or
//! `{"error": {"kind": …, "message": …}}` with exit 1. Without `--json` the inputs come from
//! flags and trailing values (`worth calc irr -- -100 39 59 55 20`), the result is one plain
//! line on stdout and a failure one `worth: error:` line on stderr; tei, whose input is a
//! table, reads the same JSON on stdin in both forms.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use worth_core::finance::{
    self, FinanceError, Flow, NpvConvention, TeiColumn, TeiInput, TeiRisk, TeiSummary, When,
};

/// The functions of `worth calc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Function {
    /// Net present value of periodic values (`--convention t0` or `excel`).
    Npv,
    /// Net present value of dated flows, actual days / 365.
    Xnpv,
    /// Internal rate of return of periodic values, with every root.
    Irr,
    /// Internal rate of return of dated flows, with every root.
    Xirr,
    /// Modified internal rate of return.
    Mirr,
    /// Present value of an annuity.
    Pv,
    /// Future value of an annuity.
    Fv,
    /// Payment of an annuity.
    Pmt,
    /// Number of periods of an annuity.
    Nper,
    /// Rate per period of an annuity.
    Rate,
    /// Interest part of one payment.
    Ipmt,
    /// Principal part of one payment.
    Ppmt,
    /// Payback period (discounted when a rate is given).
    Payback,
    /// Total Economic Impact summary: PV of benefits and costs, NPV, ROI, payback months.
    Tei,
}

/// The NPV conventions, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Convention {
    /// The first value at time 0, undiscounted.
    T0,
    /// The first value discounted one period, as Excel's NPV.
    Excel,
}

/// When annuity payments fall, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Timing {
    /// At the end of each period.
    End,
    /// At the beginning of each period.
    Begin,
}

/// Compute one figure of the finance kernel.
#[derive(Debug, clap::Args)]
pub(crate) struct CalcArgs {
    /// The function to compute.
    #[arg(value_enum)]
    function: Function,
    /// Read one JSON object on stdin and write one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Values (npv, irr, mirr, payback) or DATE=AMOUNT flows (xnpv, xirr); put them after `--`
    /// when the first is negative.
    #[arg(allow_hyphen_values = true)]
    items: Vec<String>,
    /// The rate per period (npv, xnpv, pv, fv, pmt, nper, ipmt, ppmt; discounted payback).
    #[arg(long, allow_hyphen_values = true)]
    rate: Option<f64>,
    /// Where the first NPV value sits: t0 (time 0) or excel (one period in).
    #[arg(long, value_enum)]
    convention: Option<Convention>,
    /// The rate negative values are financed at (mirr).
    #[arg(long, allow_hyphen_values = true)]
    finance_rate: Option<f64>,
    /// The rate positive values are reinvested at (mirr).
    #[arg(long, allow_hyphen_values = true)]
    reinvest_rate: Option<f64>,
    /// The number of periods.
    #[arg(long, allow_hyphen_values = true)]
    nper: Option<f64>,
    /// The payment per period.
    #[arg(long, allow_hyphen_values = true)]
    pmt: Option<f64>,
    /// The present value.
    #[arg(long, allow_hyphen_values = true)]
    pv: Option<f64>,
    /// The future value (0 when absent).
    #[arg(long, allow_hyphen_values = true)]
    fv: Option<f64>,
    /// The period, from 1 to nper (ipmt, ppmt).
    #[arg(long, allow_hyphen_values = true)]
    per: Option<f64>,
    /// When payments fall: end (default) or begin.
    #[arg(long, value_enum)]
    when: Option<Timing>,
    /// Where the root search starts (irr, xirr, rate); it never changes the result.
    #[arg(long, allow_hyphen_values = true)]
    guess: Option<f64>,
}

/// The JSON input of every function; each reads the keys it needs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    rate: Option<f64>,
    values: Option<Vec<f64>>,
    flows: Option<Vec<Flow>>,
    convention: Option<NpvConvention>,
    finance_rate: Option<f64>,
    reinvest_rate: Option<f64>,
    nper: Option<f64>,
    pmt: Option<f64>,
    pv: Option<f64>,
    fv: Option<f64>,
    per: Option<f64>,
    when: Option<When>,
    guess: Option<f64>,
    discount_rate: Option<f64>,
    initial: Option<TeiColumn>,
    years: Option<Vec<TeiColumn>>,
    risk: Option<TeiRisk>,
}

/// What a function computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
enum Output {
    /// One number.
    Value { value: f64 },
    /// A rate with every root.
    Rates { value: f64, roots: Vec<f64> },
    /// A payback period; `null` when it is never reached.
    Payback { value: Option<f64> },
    /// The TEI summary.
    Tei(TeiSummary),
}

/// Why a calculation failed, with the stable kind reported to callers.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    kind: &'static str,
    message: String,
}

impl Failure {
    fn invalid(message: String) -> Self {
        Self { kind: "invalid_input", message }
    }
}

impl From<FinanceError> for Failure {
    fn from(e: FinanceError) -> Self {
        Self { kind: e.kind(), message: e.to_string() }
    }
}

/// Runs `worth calc`.
pub(crate) fn run(args: &CalcArgs) -> anyhow::Result<ExitCode> {
    let needs_stdin = args.json || args.function == Function::Tei;
    let mut text = String::new();
    if needs_stdin {
        std::io::stdin().lock().read_to_string(&mut text).context("reading stdin")?;
    }
    let result = if needs_stdin { parse_json(&text) } else { from_flags(args) }
        .and_then(|input| compute(args.function, &input));

    let mut stdout = std::io::stdout().lock();
    match (result, args.json) {
        (Ok(output), true) => writeln!(stdout, "{}", serde_json::to_string(&output)?)?,
        (Ok(output), false) => writeln!(stdout, "{}", human(&output))?,
        (Err(failure), true) => {
            let body = json!({"error": {"kind": failure.kind, "message": failure.message}});
            writeln!(stdout, "{body}")?;
            return Ok(ExitCode::FAILURE);
        }
        (Err(failure), false) => {
            writeln!(std::io::stderr().lock(), "worth: error: {}", failure.message)?;
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the one JSON object of the input.
fn parse_json(text: &str) -> Result<Input, Failure> {
    serde_json::from_str(text).map_err(|e| Failure {
        kind: "invalid_json",
        message: format!("stdin is not a valid input object: {e}"),
    })
}

/// Builds the input from flags and trailing items.
fn from_flags(args: &CalcArgs) -> Result<Input, Failure> {
    let mut input = Input {
        rate: args.rate,
        convention: args.convention.map(|c| match c {
            Convention::T0 => NpvConvention::T0,
            Convention::Excel => NpvConvention::Excel,
        }),
        finance_rate: args.finance_rate,
        reinvest_rate: args.reinvest_rate,
        nper: args.nper,
        pmt: args.pmt,
        pv: args.pv,
        fv: args.fv,
        per: args.per,
        when: args.when.map(|w| match w {
            Timing::End => When::End,
            Timing::Begin => When::Begin,
        }),
        guess: args.guess,
        ..Input::default()
    };
    match args.function {
        Function::Xnpv | Function::Xirr => {
            input.flows = Some(args.items.iter().map(|i| parse_flow(i)).collect::<Result<_, _>>()?);
        }
        _ if !args.items.is_empty() => {
            input.values =
                Some(args.items.iter().map(|i| parse_number(i)).collect::<Result<_, _>>()?);
        }
        _ => {}
    }
    Ok(input)
}

fn parse_number(text: &str) -> Result<f64, Failure> {
    text.trim().parse::<f64>().map_err(|_| Failure::invalid(format!("'{text}' is not a number")))
}

/// Parses a `DATE=AMOUNT` flow such as `2008-01-01=-10000`.
fn parse_flow(text: &str) -> Result<Flow, Failure> {
    let bad = || Failure::invalid(format!("'{text}' is not a flow of the form YYYY-MM-DD=AMOUNT"));
    let (date, amount) = text.split_once('=').ok_or_else(bad)?;
    let date: NaiveDate = date.trim().parse().map_err(|_| bad())?;
    Ok(Flow::new(date, parse_number(amount)?))
}

/// Takes a required key of the input, or says which function needs it.
fn need<T: Clone>(function: Function, key: &str, value: Option<&T>) -> Result<T, Failure> {
    value.cloned().ok_or_else(|| {
        let name = format!("{function:?}").to_lowercase();
        Failure::invalid(format!("{name} needs `{key}`: give it in the input object or as --{key}"))
    })
}

/// A whole number of periods from a JSON or flag number.
fn whole(key: &str, value: f64) -> Result<u32, Failure> {
    if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) {
        // The value is a whole number within u32's range, so the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u32)
    } else {
        Err(Failure::invalid(format!("{key} must be a whole number of periods, got {value}")))
    }
}

/// Runs one function of the kernel on its input.
fn compute(function: Function, input: &Input) -> Result<Output, Failure> {
    use Function as F;
    let key = |k: &str, v: Option<f64>| need(function, k, v.as_ref());
    let values = || need(function, "values", input.values.as_ref());
    let flows = || need(function, "flows", input.flows.as_ref());
    let when = input.when.unwrap_or_default();
    let fv = input.fv.unwrap_or(0.0);
    let one = |value: f64| Output::Value { value };
    let rates = |irr: finance::Irr| Output::Rates { value: irr.rate, roots: irr.roots };
    Ok(match function {
        F::Npv => one(finance::npv(
            key("rate", input.rate)?,
            &values()?,
            input.convention.unwrap_or_default(),
        )?),
        F::Xnpv => one(finance::xnpv(key("rate", input.rate)?, &flows()?)?),
        F::Irr => rates(finance::irr(&values()?, input.guess)?),
        F::Xirr => rates(finance::xirr(&flows()?, input.guess)?),
        F::Mirr => one(finance::mirr(
            &values()?,
            key("finance_rate", input.finance_rate)?,
            key("reinvest_rate", input.reinvest_rate)?,
        )?),
        F::Pv => one(finance::pv(
            key("rate", input.rate)?,
            key("nper", input.nper)?,
            key("pmt", input.pmt)?,
            fv,
            when,
        )?),
        F::Fv => one(finance::fv(
            key("rate", input.rate)?,
            key("nper", input.nper)?,
            key("pmt", input.pmt)?,
            input.pv.unwrap_or(0.0),
            when,
        )?),
        F::Pmt => one(finance::pmt(
            key("rate", input.rate)?,
            key("nper", input.nper)?,
            key("pv", input.pv)?,
            fv,
            when,
        )?),
        F::Nper => one(finance::nper(
            key("rate", input.rate)?,
            key("pmt", input.pmt)?,
            key("pv", input.pv)?,
            fv,
            when,
        )?),
        F::Rate => one(finance::rate(
            whole("nper", key("nper", input.nper)?)?,
            key("pmt", input.pmt)?,
            key("pv", input.pv)?,
            fv,
            when,
            input.guess,
        )?),
        F::Ipmt | F::Ppmt => {
            let part = if function == F::Ipmt { finance::ipmt } else { finance::ppmt };
            one(part(
                key("rate", input.rate)?,
                whole("per", key("per", input.per)?)?,
                key("nper", input.nper)?,
                key("pv", input.pv)?,
                fv,
                when,
            )?)
        }
        F::Payback => {
            let values = values()?;
            let payback = match input.rate {
                Some(rate) => finance::discounted_payback(rate, &values)?,
                None => finance::payback(&values)?,
            };
            Output::Payback { value: payback.periods() }
        }
        F::Tei => Output::Tei(finance::tei(&TeiInput {
            discount_rate: key("discount_rate", input.discount_rate)?,
            initial: need(function, "initial", input.initial.as_ref())?,
            years: need(function, "years", input.years.as_ref())?,
            risk: input.risk,
        })?),
    })
}

/// The one plain line of a result.
fn human(output: &Output) -> String {
    match output {
        Output::Value { value } => value.to_string(),
        Output::Rates { value, roots } if roots.len() > 1 => {
            let all: Vec<String> = roots.iter().map(f64::to_string).collect();
            format!("{value} (roots: {})", all.join(", "))
        }
        Output::Rates { value, .. } => value.to_string(),
        Output::Payback { value: Some(periods) } => periods.to_string(),
        Output::Payback { value: None } => "never".to_string(),
        Output::Tei(s) => {
            let payback = s.payback_months.map_or_else(|| "never".to_string(), |m| m.to_string());
            format!(
                "pv_benefits={} pv_costs={} npv={} roi={} payback_months={payback}",
                s.pv_benefits, s.pv_costs, s.npv, s.roi
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::Value;

    use super::*;

    fn json_run(function: Function, input: &str) -> Value {
        let result = parse_json(input).and_then(|i| compute(function, &i));
        match result {
            Ok(output) => serde_json::to_value(&output).unwrap(),
            Err(f) => json!({"error": {"kind": f.kind, "message": f.message}}),
        }
    }

    #[rstest]
    #[case::npv_excel(
        Function::Npv,
        r#"{"rate":0.1,"values":[-10000,3000,4200,6800],"convention":"excel"}"#,
        1188.44,
        0.005
    )]
    #[case::irr(
        Function::Irr,
        r#"{"values":[-70000,12000,15000,18000,21000,26000]}"#,
        0.0866,
        5e-5
    )]
    #[case::mirr(Function::Mirr, r#"{"values":[-120000,39000,30000,21000,37000,46000],"finance_rate":0.1,"reinvest_rate":0.12}"#, 0.1261, 5e-5)]
    #[case::pmt(Function::Pmt, r#"{"rate":0.0066666666666666666,"nper":60,"pv":15000}"#, -304.145914, 1e-6)]
    #[case::rate(Function::Rate, r#"{"nper":10,"pmt":0,"pv":-3500,"fv":10000}"#, 0.1107, 1.5e-4)]
    #[case::ipmt_begin(Function::Ipmt, r#"{"rate":0.001988079518355057,"per":2,"nper":360,"pv":300000,"when":"begin"}"#, -594.107158, 1e-3)]
    #[case::payback(Function::Payback, r#"{"values":[-1000,400,400,400]}"#, 2.5, 1e-12)]
    fn json_value_is_the_kernel_value(
        #[case] function: Function,
        #[case] input: &str,
        #[case] expected: f64,
        #[case] tolerance: f64,
    ) {
        let out = json_run(function, input);
        let value = out["value"].as_f64().unwrap_or_else(|| panic!("{out}"));
        assert!((value - expected).abs() <= tolerance, "{value} vs {expected}");
    }

    #[rstest]
    #[case::no_sign_change(Function::Irr, r#"{"values":[1,2,3]}"#, "no_sign_change")]
    #[case::infinite_roots(Function::Irr, r#"{"values":[0,0]}"#, "infinite_roots")]
    #[case::missing_key(Function::Npv, r#"{"values":[1]}"#, "invalid_input")]
    #[case::unknown_key(Function::Npv, r#"{"rate":0.1,"values":[1],"rat":2}"#, "invalid_json")]
    #[case::not_json(Function::Irr, "[1, 2", "invalid_json")]
    #[case::bad_date(
        Function::Xirr,
        r#"{"flows":[{"date":"2020-13-01","amount":1}]}"#,
        "invalid_json"
    )]
    #[case::fractional_per(
        Function::Ipmt,
        r#"{"rate":0.1,"per":1.5,"nper":3,"pv":1}"#,
        "invalid_input"
    )]
    #[case::mirr_one_sign(
        Function::Mirr,
        r#"{"values":[1,2],"finance_rate":0.1,"reinvest_rate":0.1}"#,
        "no_sign_change"
    )]
    fn json_failures_have_kinds(
        #[case] function: Function,
        #[case] input: &str,
        #[case] kind: &str,
    ) {
        let out = json_run(function, input);
        assert_eq!(out["error"]["kind"], kind, "{out}");
        assert!(out["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    #[test]
    fn irr_reports_every_root() {
        let out = json_run(
            Function::Irr,
            r#"{"values":[-1678.87,771.96,1814.05,3520.30,3552.95,3584.99,4789.91,-1]}"#,
        );
        assert_eq!(out["roots"].as_array().unwrap().len(), 2, "{out}");
        assert!((out["value"].as_f64().unwrap() - 1.004269848721).abs() < 1e-11);
    }

    #[test]
    fn xirr_reads_dated_flows() {
        let input = r#"{"flows":[{"date":"2008-01-01","amount":-10000},{"date":"2008-03-01","amount":2750},
            {"date":"2008-10-30","amount":4250},{"date":"2009-02-15","amount":3250},{"date":"2009-04-01","amount":2750}]}"#;
        let out = json_run(Function::Xirr, input);
        assert!((out["value"].as_f64().unwrap() - 0.373362535).abs() < 1e-6, "{out}");
    }

    #[test]
    fn tei_writes_its_five_figures() {
        let input = r#"{"discount_rate":0.1,"initial":{"benefits":0,"costs":53150},
            "years":[{"benefits":1606511,"costs":666715},{"benefits":3061331,"costs":636772},
            {"benefits":4229760,"costs":647783}]}"#;
        let out = json_run(Function::Tei, input);
        for key in ["pv_benefits", "pv_costs", "npv", "roi", "payback_months"] {
            assert!(out[key].is_number(), "{key} in {out}");
        }
        assert!((out["roi"].as_f64().unwrap() - 3.2868).abs() < 5e-5);
    }

    #[test]
    fn payback_never_is_null() {
        assert_eq!(json_run(Function::Payback, r#"{"values":[-10,1]}"#), json!({"value": null}));
    }

    #[test]
    fn flags_build_the_same_input() {
        use clap::Parser;
        #[derive(Debug, clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            calc: CalcArgs,
        }
        let parse = |argv: &[&str]| Wrapper::try_parse_from(argv).unwrap().calc;
        let args = parse(&["calc", "irr", "--", "-100", "39", "59", "55", "20"]);
        let out = compute(args.function, &from_flags(&args).unwrap()).unwrap();
        assert!(human(&out).starts_with("0.2809"), "{}", human(&out));

        let args = parse(&[
            "calc",
            "xnpv",
            "--rate",
            "0.09",
            "2008-01-01=-10000",
            "2008-03-01=2750",
            "2008-10-30=4250",
            "2009-02-15=3250",
            "2009-04-01=2750",
        ]);
        let Output::Value { value } = compute(args.function, &from_flags(&args).unwrap()).unwrap()
        else {
            panic!("xnpv is one value")
        };
        assert!((value - 2086.65).abs() < 0.005);

        let args = parse(&[
            "calc", "fv", "--rate", "0.075", "--nper", "20", "--pmt", "-2000", "--when", "begin",
        ]);
        let out = compute(args.function, &from_flags(&args).unwrap()).unwrap();
        assert!(human(&out).starts_with("93105.06"), "{}", human(&out));

        let args = parse(&["calc", "xirr", "2008-01-01:-1"]);
        assert_eq!(from_flags(&args).unwrap_err().kind, "invalid_input");
    }

    #[test]
    fn human_line_lists_roots_only_when_there_are_several() {
        let one = Output::Rates { value: 0.1, roots: vec![0.1] };
        let two = Output::Rates { value: 0.1, roots: vec![-0.5, 0.1] };
        assert_eq!(human(&one), "0.1");
        assert_eq!(human(&two), "0.1 (roots: -0.5, 0.1)");
    }
}
