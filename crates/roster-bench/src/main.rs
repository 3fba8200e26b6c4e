//! `roster-bench`: run through `cargo run --release -p roster-bench -- all [--quick]
//! [--engine sqlite|postgres] [--scenario NAME]…`, so that the `roster` beside it is the
//! release build.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use roster_bench::{
    Engine, Options, FULL_CONTACTS, FULL_RECIPIENTS, FULL_SENDS, QUICK_CONTACTS, QUICK_RECIPIENTS,
    QUICK_SENDS, SCENARIOS,
};

#[derive(Debug, Parser)]
#[command(name = "roster-bench", about = "Roster's benchmark harness (issue 8)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the scenarios on a fresh database and update BENCHMARKS.md.
    All(AllArgs),
    /// Mixed reads and writes at high concurrency for minutes: errors and memory (issue 9).
    Soak(roster_bench::soak::SoakArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EngineArg {
    Sqlite,
    Postgres,
}

#[derive(Debug, clap::Args)]
struct AllArgs {
    /// 50,000 contacts, 5-second load runs, 10,000 recipients for the send scenario and
    /// 100,000 sends for the reports scenario instead of 1,000,000, 10 seconds, 100,000 and
    /// 1,000,000.
    #[arg(long)]
    quick: bool,
    #[arg(long, value_enum, default_value = "sqlite")]
    engine: EngineArg,
    /// Run only these scenarios (repeatable): http, memory, import, paginate, filter,
    /// counts, export, segment, campaigns, send, tracking, reports.
    #[arg(long = "scenario")]
    scenarios: Vec<String>,
    /// Override the number of contacts (same proportions).
    #[arg(long)]
    contacts: Option<usize>,
    /// Override the number of recipients of the send scenario's campaign.
    #[arg(long)]
    send_recipients: Option<usize>,
    /// Override the number of sends of the reports scenario (over its 20 campaigns; opens
    /// and clicks are 30% of them).
    #[arg(long)]
    report_sends: Option<usize>,
    /// Where the PostgreSQL run creates its database `roster_bench_<pid>` (dropped after).
    #[arg(
        long,
        env = "ROSTER_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// The report to update.
    #[arg(long, default_value = "BENCHMARKS.md")]
    output: PathBuf,
    /// Print the table without writing the report.
    #[arg(long)]
    no_write: bool,
    /// Leave the database behind and print its URL (to inspect query plans).
    #[arg(long)]
    keep_database: bool,
    /// Start each scenario at once instead of waiting up to 5 minutes for the 1-minute load
    /// average to fall below 1.0 (the load is still recorded; a loaded table is marked noisy).
    #[arg(long)]
    noisy: bool,
    /// Run each scenario but memory and import this many times and report the medians.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    repeat: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Cli::parse().command {
        Command::All(args) => args,
        Command::Soak(args) => return roster_bench::soak::main(args).await,
    };
    let roster_binary = match std::env::current_exe()
        .map_err(anyhow::Error::from)
        .and_then(|exe| roster_bench::server::roster_binary_beside(&exe))
    {
        Ok(path) => path,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let seconds = if args.quick { 5 } else { 10 };
    let mut command = String::from("cargo run --release -p roster-bench -- all");
    for arg in std::env::args().skip(2) {
        command.push(' ');
        command.push_str(&arg);
    }
    let options = Options {
        engine: match args.engine {
            EngineArg::Sqlite => Engine::Sqlite,
            EngineArg::Postgres => Engine::Postgres,
        },
        contacts: args.contacts.unwrap_or(if args.quick {
            QUICK_CONTACTS
        } else {
            FULL_CONTACTS
        }),
        scenarios: args.scenarios,
        throughput_time: Duration::from_secs(seconds),
        latency_time: Duration::from_secs(seconds),
        postgres_url: args.postgres_url,
        roster_binary,
        output: (!args.no_write).then_some(args.output),
        command,
        keep_database: args.keep_database,
        noisy: args.noisy,
        repeat: usize::from(args.repeat),
        send_recipients: args.send_recipients.unwrap_or(if args.quick {
            QUICK_RECIPIENTS
        } else {
            FULL_RECIPIENTS
        }),
        report_sends: args.report_sends.unwrap_or(if args.quick {
            QUICK_SENDS
        } else {
            FULL_SENDS
        }),
    };
    match roster_bench::run(&options).await {
        Ok(report) => {
            println!("{}", roster_bench::report::plain(&report.rows));
            println!(
                "machine load: {}",
                roster_bench::load_note(&options, &report.rows)
            );
            println!(
                "{} run finished in {:.0} s; scenarios: {}",
                options.engine.title(),
                report.elapsed.as_secs_f64(),
                if options.scenarios.is_empty() {
                    SCENARIOS.join(", ")
                } else {
                    options.scenarios.join(", ")
                }
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
