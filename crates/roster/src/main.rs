//! `roster`: parse the command line, set up logging, run the command.

use clap::Parser;
use roster::cli::{Cli, Command};
use roster::commands;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    return_large_buffers_to_the_system();
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
        Command::Users(command) => roster::users::users(&cli.database, command).await,
        Command::Apps(command) => commands::apps(&cli.database, command).await,
        Command::Lists(command) => roster::lists::lists(&cli.database, command).await,
        Command::Tokens(command) => roster::tokens::tokens(&cli.database, command).await,
        Command::Outbox(command) => commands::outbox(&cli.database, command).await,
        Command::Bounces(command) => roster::bounces::bounces(&cli.database, command).await,
        Command::Import(command) => commands::import(&cli.database, command).await,
        Command::Export(command) => commands::export(&cli.database, command).await,
        Command::Campaigns(command) => roster::campaigns::campaigns(&cli.database, command).await,
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

/// glibc's malloc serves a freed large buffer's size from its heaps afterwards (its mmap
/// threshold rises up to 32 MB after each such free), and with one heap per thread those
/// heaps keep what a request freed: the benchmark's import of 4 MB JSON bodies (tens of MB
/// each as parsed values and jobs) left `roster serve` at 400–675 MB resident. A fixed
/// 128 KiB threshold maps every larger buffer on its own and unmaps it when freed: 159 MB
/// on the same import. The small allocations of a parsed body stay in the heaps; two heaps
/// (rather than up to eight per core) keep fewer half-empty ones around (207 MB with only
/// this setting on the same import).
fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets malloc parameters (under malloc's own lock, so the runtime's
    // threads may already exist); it is called with valid options and values.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
