//! `roster`: parse the command line, set up logging, run the command.

use clap::Parser;
use roster::cli::{Cli, Command};
use roster::commands;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_env("ROSTER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.log_format == "json" {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    let result = match &cli.command {
        Command::Serve(args) => commands::serve(&cli.database, args).await,
        Command::Accounts(command) => commands::accounts(&cli.database, command).await,
        Command::Users(command) => commands::users(&cli.database, command).await,
        Command::Apps(command) => commands::apps(&cli.database, command).await,
        Command::Tokens(command) => commands::tokens(&cli.database, command).await,
        Command::Outbox(command) => commands::outbox(&cli.database, command).await,
        Command::Import(command) => commands::import(&cli.database, command).await,
        Command::Export(command) => commands::export(&cli.database, command).await,
        Command::Migrate => commands::migrate(&cli.database).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
