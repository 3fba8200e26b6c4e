//! The command line: `roster serve`, `accounts`, `apps`, `tokens`, `import`, `export`, `migrate`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::settings::DatabaseArgs;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "A self-hosted server that speaks the Constant Contact V3 API"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Log format: text or json.
    #[arg(long, env = "ROSTER_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Manage OAuth clients (apps).
    #[command(subcommand)]
    Apps(AppsCommand),
    /// Mint access tokens for scripts and local development.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Import contacts from a file, through the bulk-activity engine.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export contacts as CSV to standard output, through the bulk-activity engine.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Apply pending database migrations and exit.
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a CSV file (header row with Constant Contact's column names: email, first_name,
    /// ..., cf:<custom field name>) into an account; upserts by email.
    Contacts {
        /// The CSV file.
        file: PathBuf,
        /// The sign-in email of the account's user.
        #[arg(long)]
        account_email: String,
        /// A list every imported contact joins (repeat for several, at most 50).
        #[arg(long = "list")]
        lists: Vec<String>,
        /// Most contacts the file may hold.
        #[arg(long, default_value_t = roster_activities::import::DEFAULT_MAX_CONTACTS)]
        max_contacts: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write an account's contacts as CSV to standard output.
    Contacts {
        /// The sign-in email of the account's user.
        #[arg(long)]
        account_email: String,
        /// Only members of this list (repeat for any of several).
        #[arg(long = "list")]
        lists: Vec<String>,
        /// Only contacts with this tag (repeat for any of several).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Only contacts with this status: all, active, deleted, not_set,
        /// pending_confirmation, temp_hold, unsubscribed.
        #[arg(long)]
        status: Option<String>,
        /// Comma-separated columns (default: every standard column and custom field).
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The externally visible base URL (default: http:// or https:// plus the bind address).
    #[arg(long, env = "ROSTER_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// PEM certificate chain; with --tls-key, serve HTTPS (TLS 1.2 and 1.3, AEAD suites only).
    #[arg(long, env = "ROSTER_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, env = "ROSTER_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ROSTER_BODY_LIMIT", default_value_t = roster_http::DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,

    #[command(flatten)]
    pub activities: ActivityArgs,
}

/// The bulk-activity engine's settings.
#[derive(Debug, Clone, clap::Args)]
pub struct ActivityArgs {
    /// Most contacts one import may carry.
    #[arg(long, env = "ROSTER_IMPORT_MAX_CONTACTS", default_value_t = roster_activities::import::DEFAULT_MAX_CONTACTS)]
    pub import_max_contacts: usize,

    /// Workers that run bulk activities in this process.
    #[arg(long, env = "ROSTER_ACTIVITY_WORKERS", default_value_t = 2)]
    pub activity_workers: usize,

    /// Seconds a node holds an activity without committing a batch before another node may
    /// resume it (after a crash).
    #[arg(long, env = "ROSTER_ACTIVITY_LEASE_SECONDS", default_value_t = 60)]
    pub activity_lease_seconds: u64,
}

impl ActivityArgs {
    pub fn engine_config(&self) -> roster_activities::EngineConfig {
        roster_activities::EngineConfig {
            lease: std::time::Duration::from_secs(self.activity_lease_seconds.max(1)),
            ..Default::default()
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account and its owner; prints the account as JSON.
    Create {
        /// The owner's sign-in email, also the account's first confirmed sender address.
        #[arg(long)]
        email: String,
        #[arg(long, env = "ROSTER_ACCOUNT_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        #[arg(long)]
        organization: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Register an OAuth client; prints {"client_id", "client_secret"}.
    Create {
        #[arg(long)]
        name: String,
        /// A redirect URI the client may use (repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// A public client (no secret; PKCE required).
        #[arg(long)]
        public: bool,
    },
    /// Delete an OAuth client.
    Delete { client_id: String },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Mint an access token for a user and client; prints what a token endpoint answers.
    Issue {
        /// The user's sign-in email.
        #[arg(long)]
        email: String,
        #[arg(long)]
        client_id: String,
        /// Space-separated scopes, e.g. "contact_data campaign_data".
        #[arg(long)]
        scope: String,
        /// Lifetime in seconds (default 24 hours).
        #[arg(long, default_value_t = roster_http::oauth::tokens::DEFAULT_LIFETIME_SECONDS)]
        lifetime: i64,
        /// The server's public URL, which fixes the token's issuer and audience.
        #[arg(
            long,
            env = "ROSTER_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
}
