//! The command line: `roster serve`, `accounts`, `users`, `apps`, `lists`, `tokens`, `outbox`,
//! `bounces`,
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

    /// Log format: text or json. The level filter is ROSTER_LOG (default info; e.g. debug, or
    /// info,roster_http::auth=debug for why tokens are refused).
    #[arg(
        long,
        env = "ROSTER_LOG_FORMAT",
        default_value = "text",
        value_parser = ["text", "json"],
        global = true
    )]
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
    /// Manage the contact lists of an account.
    #[command(subcommand)]
    Lists(ListsCommand),
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
pub enum ListsCommand {
    /// Create a contact list, as POST /v3/contact_lists does; prints it as JSON.
    Create {
        /// The sign-in email of one of the account's users (names the account).
        #[arg(long)]
        account_email: String,
        /// The list's name, unique in the account (case-insensitively), at most 255
        /// characters.
        #[arg(long)]
        name: String,
        /// A description of the list.
        #[arg(long)]
        description: Option<String>,
        /// Mark the list as a favorite.
        #[arg(long)]
        favorite: bool,
    },
    /// The account's lists in creation order, one JSON object per line: list_id, name,
    /// description, favorite, membership_count, created_at.
    List {
        /// The sign-in email of one of the account's users (names the account).
        #[arg(long)]
        account_email: String,
        /// Include deleted lists (with their deleted_at).
        #[arg(long)]
        deleted: bool,
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
        /// A list every imported contact joins, by id or by name (repeat for several, at most
        /// 50; `roster lists list` shows them).
        #[arg(long = "list")]
        lists: Vec<String>,
        /// Most contacts the file may hold (the same setting as `serve
        /// --import-max-contacts`).
        #[arg(
            long = "import-max-contacts",
            visible_alias = "max-contacts",
            env = "ROSTER_IMPORT_MAX_CONTACTS",
            default_value_t = roster_activities::import::DEFAULT_MAX_CONTACTS
        )]
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
        /// Only members of this list, by id or by name (repeat for any of several).
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

/// The roles `--role` takes (docs/ROLES.md lists their privileges).
fn roles() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(roster_domain::Role::ALL.map(|role| role.name()))
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user to an account; prints the user as JSON.
    Add {
        /// The sign-in email of any user of the account (names the account).
        #[arg(long)]
        account_email: String,
        /// The new user's sign-in email (unique across all accounts).
        #[arg(long)]
        email: String,
        /// The new user's password, at least 8 characters. Prefer ROSTER_USER_PASSWORD or the
        /// prompt (asked when neither is given): a flag stays in the shell's history.
        #[arg(long, env = "ROSTER_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The user's role (docs/ROLES.md lists the privileges of each).
        #[arg(long, value_parser = roles())]
        role: String,
        /// The user's first name.
        #[arg(long)]
        first_name: Option<String>,
        /// The user's last name.
        #[arg(long)]
        last_name: Option<String>,
    },
    /// The users of an account, one JSON object per line: user_id, email, role, names,
    /// created_at.
    List {
        /// The sign-in email of any user of the account (names the account).
        #[arg(long)]
        account_email: String,
    },
    /// Remove a user: deletes it with its refresh tokens and consents, and revokes its access
    /// tokens. An account's last account_owner cannot be removed.
    Remove {
        /// The user's sign-in email.
        #[arg(long)]
        email: String,
    },
    /// Give a user another role; the user's tokens issued before are revoked, so the new
    /// privileges apply at once. An account keeps at least one account_owner.
    SetRole {
        /// The user's sign-in email.
        #[arg(long)]
        email: String,
        /// The new role (docs/ROLES.md lists the privileges of each).
        #[arg(long, value_parser = roles())]
        role: String,
    },
    /// Set a new password for a user and lift the sign-in lock-out on its email.
    ResetPassword {
        /// The user's sign-in email.
        #[arg(long)]
        email: String,
        /// The new password, at least 8 characters. Prefer ROSTER_USER_PASSWORD or the prompt
        /// (asked when neither is given): a flag stays in the shell's history.
        #[arg(long, env = "ROSTER_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Also revoke every token the user holds (a password that leaked).
        #[arg(long)]
        revoke_tokens: bool,
    },
    /// Lift the sign-in lock-out (5 failed sign-ins in 15 minutes) on a user's email, and
    /// optionally on a client address (20 failures in 15 minutes).
    Unlock {
        /// The user's sign-in email.
        #[arg(long)]
        email: String,
        /// Also lift the lock-out on this client address (an IP address, as the sign-in page
        /// saw it).
        #[arg(long)]
        address: Option<std::net::IpAddr>,
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
        /// The base URL of campaign mail's links (default: the public URL `roster serve` last
        /// ran with on this database, else http://127.0.0.1:8080).
        #[arg(long, env = "ROSTER_PUBLIC_URL")]
        public_url: Option<String>,
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
        /// The owner's password, at least 8 characters. Prefer ROSTER_ACCOUNT_PASSWORD or the
        /// prompt (asked when neither is given): a flag stays in the shell's history.
        #[arg(long, env = "ROSTER_ACCOUNT_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The owner's first name (also the account's contact name).
        #[arg(long)]
        first_name: Option<String>,
        /// The owner's last name.
        #[arg(long)]
        last_name: Option<String>,
        /// The organization's name (the account summary's organization_name, shown in
        /// campaign footers).
        #[arg(long)]
        organization: Option<String>,
        #[command(flatten)]
        address: AddressArgs,
    },
    /// Every account, in creation order, one JSON object per line: encoded_account_id,
    /// organization_name, owners (their sign-in emails), users, created_at.
    List,
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
    /// The organization's street address, first line (required with any address flag).
    #[arg(long)]
    pub address_line1: Option<String>,
    /// The street address, second line.
    #[arg(long)]
    pub address_line2: Option<String>,
    /// The street address, third line.
    #[arg(long)]
    pub address_line3: Option<String>,
    /// The city (required with any address flag).
    #[arg(long)]
    pub city: Option<String>,
    /// The state or province's code, US and CA only (required there), e.g. MA.
    #[arg(long)]
    pub state_code: Option<String>,
    /// The state or province's name, other countries only.
    #[arg(long)]
    pub state_name: Option<String>,
    /// The postal code (required for US and CA).
    #[arg(long)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. US (required with any address flag).
    #[arg(long)]
    pub country_code: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Register an OAuth client; prints {"client_id", "client_secret"}.
    Create {
        /// The app's name, shown to users on the consent page.
        #[arg(long)]
        name: String,
        /// A redirect URI the client may use (repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// A public client (no secret; PKCE required).
        #[arg(long)]
        public: bool,
    },
    /// Every OAuth client, in registration order, one JSON object per line: client_id, name,
    /// public, redirect_uris, created_at (never the secret, which is stored hashed).
    List,
    /// Delete an OAuth client: its refresh tokens and codes go, its access tokens stop working.
    Delete {
        /// The app's client id (`roster apps list` shows them).
        client_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Mint an access token for a user and client; prints what a token endpoint answers.
    Issue {
        /// The user's sign-in email.
        #[arg(long)]
        email: String,
        /// The client id of the app the token is for (`roster apps create` prints it,
        /// `roster apps list` shows it).
        #[arg(long)]
        client_id: String,
        /// Space-separated scopes, e.g. "contact_data campaign_data".
        #[arg(long)]
        scope: String,
        /// Lifetime in seconds (default 24 hours, at most 366 days).
        #[arg(
            long,
            default_value_t = roster_http::oauth::tokens::DEFAULT_LIFETIME_SECONDS,
            value_parser = clap::value_parser!(i64)
                .range(1..=roster_http::oauth::tokens::MAX_LIFETIME_SECONDS)
        )]
        lifetime: i64,
        /// The server's public URL, which fixes the token's issuer and audience (default: the
        /// public URL `roster serve` last ran with on this database, else
        /// http://127.0.0.1:8080; a different one is issued with a warning).
        #[arg(long, env = "ROSTER_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Revoke an access or refresh token (its text), or every token of a user (--email): they
    /// stop working on every node within --revocation-refresh-secs.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["token", "email"])))]
    Revoke {
        /// The token's text: an access token (a JWT from this server), or a refresh token
        /// (which revokes its whole grant).
        token: Option<String>,
        /// Revoke every token the user holds now (tokens issued afterwards work).
        #[arg(long)]
        email: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    /// Every flag and argument of every command, with the command's path.
    fn arguments(command: &clap::Command, path: &str, found: &mut Vec<(String, String, bool)>) {
        for argument in command.get_arguments() {
            let id = argument.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let described = argument
                .get_help()
                .is_some_and(|h| !h.to_string().trim().is_empty());
            found.push((path.to_string(), id.to_string(), described));
        }
        for sub in command.get_subcommands() {
            let described = sub
                .get_about()
                .is_some_and(|a| !a.to_string().trim().is_empty());
            let sub_path = format!("{path} {}", sub.get_name());
            found.push((sub_path.clone(), "(the command)".into(), described));
            arguments(sub, &sub_path, found);
        }
    }

    /// Issue 25, item 10: `--help` describes every command, flag and argument.
    #[test]
    fn every_command_flag_and_argument_has_help() {
        let command = super::Cli::command();
        command.clone().debug_assert();
        let mut found = Vec::new();
        arguments(&command, "roster", &mut found);
        assert!(
            found.len() > 100,
            "the walk found only {} arguments",
            found.len()
        );
        let missing: Vec<String> = found
            .iter()
            .filter(|(_, _, described)| !described)
            .map(|(path, id, _)| format!("{path}: {id}"))
            .collect();
        assert!(
            missing.is_empty(),
            "without help text:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn unknown_log_formats_are_refused() {
        let parsed = super::Cli::try_parse_from(["roster", "--log-format", "xml", "migrate"]);
        let error = parsed.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("text") && error.contains("json"), "{error}");
    }
}
