//! The command line: `roster serve`, `accounts`, `users`, `apps`, `tokens`, `outbox`, `bounces`,
//! `import`, `export`, `campaigns`, `migrate`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::settings::{BounceArgs, DatabaseArgs, MailArgs};

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
    Serve(Box<ServeArgs>),
    /// Manage accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Manage the users of an account.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage OAuth clients (apps).
    #[command(subcommand)]
    Apps(AppsCommand),
    /// Mint access tokens for scripts and local development.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Read the outbox: the mail the server has sent, is sending, or holds (with no relay).
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Read the messages at the bounce address that could not be processed.
    #[command(subcommand)]
    Bounces(BouncesCommand),
    /// Import contacts from a file, through the bulk-activity engine.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export contacts as CSV to standard output, through the bulk-activity engine.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage email campaigns.
    #[command(subcommand)]
    Campaigns(CampaignsCommand),
    /// Apply pending database migrations and exit.
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum CampaignsCommand {
    /// The account's campaigns in creation order, one JSON object per line: id, name, status
    /// and the latest send's progress.
    List {
        /// The sign-in email of the account's user.
        #[arg(long)]
        account_email: String,
        /// At most this many (default 50).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One campaign in full (JSON): its primary activity's sender, subject and recipients,
    /// its schedule, every send's progress, and whether its From domain is DKIM-aligned.
    Show {
        /// The campaign's id (`campaign_id`).
        campaign_id: String,
        /// The sign-in email of the account's user.
        #[arg(long)]
        account_email: String,
        /// The domain `roster serve` signs for (`--dkim-domain`), to say whether the
        /// campaign's From domain is aligned with it.
        #[arg(long, env = "ROSTER_DKIM_DOMAIN")]
        dkim_domain: Option<String>,
    },
    /// The sends of a campaign (JSON, one line each): recipients, sent, failed, still to send,
    /// and the rate so far in messages per second.
    SendStatus {
        /// The campaign's id (`campaign_id`).
        campaign_id: String,
        /// The sign-in email of the account's user.
        #[arg(long)]
        account_email: String,
    },
    /// Put a deleted (Removed) campaign and its activities back in the status they had before
    /// DELETE, as Constant Contact's UI can (no API operation does).
    Restore {
        /// The campaign's id (`campaign_id`).
        campaign_id: String,
        /// The sign-in email of the account's user.
        #[arg(long)]
        account_email: String,
    },
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

    /// Constant Contact's rate limits per client id: on or off.
    #[arg(long, env = "ROSTER_RATE_LIMIT", default_value = "on", value_parser = ["on", "off"])]
    pub rate_limit: String,

    /// Requests per second allowed per client id (per node).
    #[arg(
        long,
        env = "ROSTER_RATE_LIMIT_PER_SECOND",
        default_value_t = 4,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub rate_limit_per_second: u32,

    /// Requests per UTC day allowed per client id (shared by every node).
    #[arg(
        long,
        env = "ROSTER_RATE_LIMIT_PER_DAY",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub rate_limit_per_day: u64,

    /// Seconds between each node's flushes of its request counts into the shared daily totals.
    #[arg(
        long,
        env = "ROSTER_RATE_LIMIT_FLUSH_SECS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub rate_limit_flush_secs: u64,

    /// Seconds between each node's reloads of the token revocations (a revoked token stops
    /// working everywhere within about this long).
    #[arg(
        long,
        env = "ROSTER_REVOCATION_REFRESH_SECS",
        default_value_t = 2,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub revocation_refresh_secs: u64,

    /// Addresses one recipient may forward one campaign email to per UTC day (the forward to a
    /// friend page; 5 per form).
    #[arg(
        long,
        env = "ROSTER_FORWARD_LIMIT_PER_RECIPIENT",
        default_value_t = roster_domain::forward::DEFAULT_FORWARDS_PER_RECIPIENT_PER_DAY,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub forward_limit_per_recipient: u32,

    /// Addresses an account's recipients may forward its campaign emails to per UTC day, all
    /// campaigns together (shared by every node).
    #[arg(
        long,
        env = "ROSTER_FORWARD_LIMIT_PER_ACCOUNT",
        default_value_t = roster_domain::forward::DEFAULT_FORWARDS_PER_ACCOUNT_PER_DAY,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub forward_limit_per_account: u32,

    #[command(flatten)]
    pub mail: MailArgs,

    #[command(flatten)]
    pub bounces: BounceArgs,

    #[command(flatten)]
    pub activities: ActivityArgs,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user to an account; prints the user as JSON.
    Add {
        /// The sign-in email of the account's owner (names the account).
        #[arg(long)]
        account_email: String,
        /// The new user's sign-in email.
        #[arg(long)]
        email: String,
        #[arg(long, env = "ROSTER_USER_PASSWORD", hide_env_values = true)]
        password: String,
        /// account_owner, account_manager, campaign_creator, author, reporter or contact_manager
        /// (docs/ROLES.md lists their privileges).
        #[arg(long)]
        role: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List messages, newest first, one JSON object per line: system mail, then campaign
    /// recipients (kind `campaign`, id `SEND_ID.CONTACT_ID`, also in state `skipped`).
    List {
        /// Only messages in this state.
        #[arg(long, value_parser = ["queued", "sending", "sent", "failed"])]
        state: Option<String>,
        /// At most this many messages.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show one message in full (JSON): state, attempts, the relay's last reply, headers,
    /// parts, and the message exactly as it goes to the relay.
    Show {
        /// The message's id (from `outbox list`). A campaign recipient's message is rendered
        /// now, as a delivery would render it: nothing rendered is stored per recipient.
        id: String,
        /// Print only the RFC 5322 message, as the relay receives it.
        #[arg(long)]
        raw: bool,
        /// The base URL of campaign mail's links, as `roster serve --public-url` has it.
        #[arg(
            long,
            env = "ROSTER_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BouncesCommand {
    /// The messages kept because they could not be read or name no message Roster sent,
    /// newest first, one JSON object per line: id, received_at, channel (smtp or http),
    /// client, envelope, reason, size.
    List {
        /// At most this many messages.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One kept message: the above and the message as it arrived.
    Show {
        /// The message's id (from `bounces list`).
        id: String,
        /// Print only the message, byte for byte.
        #[arg(long)]
        raw: bool,
    },
}

/// The bulk-activity engine's settings.
#[derive(Debug, Clone, clap::Args)]
pub struct ActivityArgs {
    /// Most contacts one import may carry.
    #[arg(
        long,
        env = "ROSTER_IMPORT_MAX_CONTACTS",
        default_value_t = roster_activities::import::DEFAULT_MAX_CONTACTS
    )]
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

// Parsed once per run: the size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
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
        #[command(flatten)]
        address: AddressArgs,
    },
    /// Change an account's settings; prints the account's settings as JSON.
    Set {
        /// The sign-in email of one of the account's users.
        #[arg(long)]
        account_email: String,
        /// Confirmed Opt-In: sign-ups through POST /v3/contacts/sign_up_form stay
        /// pending_confirmation until the contact follows the link mailed to them, and
        /// campaigns skip pending contacts.
        #[arg(long, value_parser = on_off)]
        confirmed_opt_in: Option<bool>,
    },
}

/// `on` or `off` (also true/false, yes/no, 1/0).
fn on_off(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(format!("expected on or off, not {text}")),
    }
}

/// The organization's physical address (optional; with any of these, `--address-line1`,
/// `--city` and `--country-code` are required, and for US and CA `--state-code` and
/// `--postal-code` too).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AddressArgs {
    #[arg(long)]
    pub address_line1: Option<String>,
    #[arg(long)]
    pub address_line2: Option<String>,
    #[arg(long)]
    pub address_line3: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    /// US and CA only, e.g. MA.
    #[arg(long)]
    pub state_code: Option<String>,
    /// Other countries only.
    #[arg(long)]
    pub state_name: Option<String>,
    #[arg(long)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. US.
    #[arg(long)]
    pub country_code: Option<String>,
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
