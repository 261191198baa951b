//! `worth`: the command line of Worth, the measure of what a low-code platform is worth.
//!
//! Results go to stdout (a table, or `--format json|csv`); messages go to stderr. Exit codes:
//! 0 success, 1 failure (bad input, unknown record, a store error), 2 usage error.

mod commands;
mod context;
mod demo;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::context::Globals;

/// Worth measures the business value of a low-code platform and the return on what is
/// invested in it.
#[derive(Debug, Parser)]
#[command(name = "worth", version, about)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a sample tenant, import it, and show what Worth makes of it.
    Demo(demo::DemoArgs),
    /// Create the workspace: the store, guideline version 1 and the pseudonymization key.
    Init(commands::init::InitArgs),
    /// Business units.
    #[command(subcommand)]
    Bu(commands::bu::BuCommand),
    /// The register of solutions.
    #[command(subcommand)]
    Solution(commands::solution::SolutionCommand),
    /// Rate cards: the loaded hourly cost of a role.
    #[command(subcommand)]
    Rate(commands::rate::RateCommand),
    /// ROI guideline versions.
    #[command(subcommand)]
    Guideline(commands::guideline::GuidelineCommand),
    /// Dated exchange rates.
    #[command(subcommand)]
    Fx(commands::fx::FxCommand),
    /// The audit log: who changed which record, with before and after.
    Audit(commands::audit::AuditArgs),
    /// Import platform exports: inventory, usage, runs, costs, licenses, mapped.
    Import(commands::import::ImportArgs),
    /// Value lines, and the value realized (`worth value --by bu`).
    Value(commands::value::ValueArgs),
    /// Costs of solutions.
    #[command(subcommand)]
    Cost(commands::cost::CostCommand),
    /// ROI, NPV, IRR and payback in the TEI layout (`worth roi --by bu`).
    Roi(commands::analysis::RoiArgs),
    /// Estimate accuracy: realized ÷ estimated for mature solutions.
    Accuracy,
    /// The sponsor value report: index.html, value-report.xlsx, headlines.md, report.json.
    Report(commands::report::ReportArgs),
    /// P10, P50 and P90 of NPV and ROI from the ranges of the value parameters.
    Simulate(commands::simulate::SimulateArgs),
    /// How a figure was made, down to its inputs.
    #[command(subcommand)]
    Explain(commands::analysis::ExplainCommand),
    /// Chargeback and showback: who pays for what, reconciled to the invoice.
    #[command(subcommand)]
    Chargeback(commands::chargeback::ChargebackCommand),
    /// License strategy: unused licenses and cheaper plans, with the saving per month.
    Licenses(commands::licenses::LicensesArgs),
    /// Finance functions (NPV, IRR, XIRR, payback, TEI…), as JSON in and out or as flags.
    Calc(commands::calc::CalcArgs),
    /// KPIs: definitions, values, status and trend (`worth kpi`).
    Kpi(commands::program::kpi::KpiArgs),
    /// Objectives and key results computed from the data (`worth okr`).
    Okr(commands::program::okr::OkrArgs),
    /// A success story: write it, link its figures, move it through validation.
    #[command(subcommand)]
    Story(commands::program::story::StoryCommand),
    /// Success stories: list them, publish their cards (HTML and Markdown).
    #[command(subcommand)]
    Stories(commands::program::story::StoriesCommand),
    /// Pilots: difference in differences against a comparison group.
    #[command(subcommand)]
    Pilot(commands::program::other::PilotCommand),
    /// Positive share per wave of the imported survey answers.
    Survey,
    /// Share of employees with a completed ROI training.
    Training,
    /// Shared ROI artifacts.
    #[command(subcommand)]
    Artifact(commands::program::other::ArtifactCommand),
    /// Time to value per quarter of go-live: median and 90th percentile.
    Ttv(commands::program::other::TtvArgs),
    /// Tool evaluations: weighted criteria, three-year cost, ranking, sensitivity.
    #[command(subcommand)]
    Tool(commands::program::other::ToolCommand),
    /// A solution owner's check of realized value after go-live.
    Checkin(commands::program::other::CheckinArgs),
    /// The web app and the HTTP API (default http://127.0.0.1:8080/).
    Serve(commands::serve::ServeArgs),
    /// Accounts of the web app and the API; the first admin comes from here.
    #[command(subcommand)]
    User(commands::serve::UserCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    context::init_tracing(cli.globals.verbose, matches!(cli.command, Command::Serve(_)));
    match run(cli) {
        Ok(code) => code,
        // A reader that stops early (`worth audit | head`) is not a failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            context::report_error(&err);
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<serde_json::Error>().and_then(|e| e.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<csv::Error>().is_some_and(|e| {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // calc needs no store and sets its own exit code.
    if let Command::Calc(args) = &cli.command {
        return commands::calc::run(args);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let g = cli.globals;
    rt.block_on(async move {
        match cli.command {
            Command::Demo(args) => demo::run(&g, args).await,
            Command::Init(args) => commands::init::run(&g, args).await,
            Command::Bu(cmd) => commands::bu::run(&g, cmd).await,
            Command::Solution(cmd) => commands::solution::run(&g, cmd).await,
            Command::Rate(cmd) => commands::rate::run(&g, cmd).await,
            Command::Guideline(cmd) => commands::guideline::run(&g, cmd).await,
            Command::Fx(cmd) => commands::fx::run(&g, cmd).await,
            Command::Audit(args) => commands::audit::run(&g, args).await,
            Command::Import(args) => commands::import::run(&g, args).await,
            Command::Value(args) => commands::value::run(&g, args).await,
            Command::Cost(cmd) => commands::cost::run(&g, cmd).await,
            Command::Roi(args) => commands::analysis::roi(&g, args).await,
            Command::Accuracy => commands::analysis::accuracy_cmd(&g).await,
            Command::Report(args) => commands::report::run(&g, args).await,
            Command::Explain(cmd) => commands::analysis::explain(&g, cmd).await,
            Command::Simulate(args) => commands::simulate::run(&g, args).await,
            Command::Kpi(args) => commands::program::kpi::run(&g, args).await,
            Command::Okr(args) => commands::program::okr::run(&g, args).await,
            Command::Story(cmd) => commands::program::story::run(&g, cmd).await,
            Command::Stories(cmd) => commands::program::story::run_many(&g, cmd).await,
            Command::Pilot(cmd) => commands::program::other::pilot(&g, cmd).await,
            Command::Survey => commands::program::other::survey(&g).await,
            Command::Training => commands::program::other::training(&g).await,
            Command::Artifact(cmd) => commands::program::other::artifact(&g, cmd).await,
            Command::Ttv(args) => commands::program::other::ttv(&g, args).await,
            Command::Tool(cmd) => commands::program::other::tool(&g, cmd).await,
            Command::Checkin(args) => commands::program::other::checkin(&g, args).await,
            Command::Chargeback(cmd) => commands::chargeback::run(&g, cmd).await,
            Command::Licenses(args) => commands::licenses::run(&g, args).await,
            Command::Serve(args) => commands::serve::serve(&g, args).await,
            Command::User(cmd) => commands::serve::user(&g, cmd).await,
            Command::Calc(_) => unreachable!("calc runs without a store"),
        }?;
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
