//! Settings shared by every command. Only this module and the clap definitions read the
//! environment; secrets are never printed or logged.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use roster_http::oauth::keys::ServerSecret;
use roster_store_sqlite::SqliteStore;

use std::time::Duration;

use roster_bounces::smtp::config::ListenerConfig;
use roster_bounces::IntakeSettings;
use roster_domain::bounce::SuspensionPolicy;
use roster_domain::outbox::Mailbox;
use roster_domain::EmailAddress;
use roster_http::bounces::WebhookSecret;
use roster_http::BounceSettings;
use roster_mailer::{BounceAddress, DkimConfig, MailerConfig, RelayUrl};

use crate::Engine;

/// The embedded default: a SQLite file in `./roster-data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://roster-data/roster.db";
const SECRET_FILE: &str = "roster-secret.key";

#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// sqlite://relative.db, sqlite:///absolute/path.db or postgres://user@host/db
    #[arg(long, env = "ROSTER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// The secret that encrypts signing keys and signs cursors (at least 16 bytes). Without it,
    /// a SQLite database gets a generated key file beside it; PostgreSQL requires it, since
    /// every node must share it.
    #[arg(
        long = "secret-key",
        env = "ROSTER_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<String>,
}

impl DatabaseArgs {
    pub fn server_secret(&self) -> anyhow::Result<ServerSecret> {
        if let Some(secret) = &self.secret_key {
            return ServerSecret::new(secret.as_bytes().to_vec())
                .context("ROSTER_SECRET_KEY is not usable");
        }
        match Engine::of_url(&self.database_url)? {
            Engine::Postgres => anyhow::bail!(
                "ROSTER_SECRET_KEY (or --secret-key) is required with PostgreSQL: every node \
                 must share it"
            ),
            Engine::Sqlite => {
                let database = SqliteStore::database_path(&self.database_url)?;
                let directory = database
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                secret_from_file(&directory.join(SECRET_FILE))
            }
        }
    }
}

/// Reads the generated secret, creating it (mode 0600) on first use.
fn secret_from_file(path: &PathBuf) -> anyhow::Result<ServerSecret> {
    if let Ok(existing) = std::fs::read(path) {
        return ServerSecret::new(existing)
            .with_context(|| format!("{} is not a usable secret", path.display()));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::warn!(
                path = %path.display(),
                "ROSTER_SECRET_KEY is not set: generated a secret key file; keep it with the \
                 database"
            );
            ServerSecret::new(text.into_bytes())
        }
        // Another process created it at the same moment: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            ServerSecret::new(std::fs::read(path)?)
                .with_context(|| format!("{} is not a usable secret", path.display()))
        }
        Err(error) => Err(error).with_context(|| format!("cannot create {}", path.display())),
    }
}

/// Outbound mail: the relay and how delivery behaves (docs/MAIL.md).
#[derive(Debug, Clone, clap::Args)]
pub struct MailArgs {
    /// The SMTP relay: smtp://[user:password@]host[:port] (STARTTLS required;
    /// append ?tls=opportunistic or ?tls=none to relax) or smtps://… (TLS from the start).
    /// Without it, mail is kept in the outbox and not sent.
    #[arg(long, env = "ROSTER_SMTP_URL", hide_env_values = true, value_parser = parse_relay_url)]
    pub smtp_url: Option<RelayUrl>,

    /// The sender of the server's own mail (confirmations): `address` or `Name <address>`.
    #[arg(
        long,
        env = "ROSTER_MAIL_FROM",
        default_value = "Roster <no-reply@roster.localhost>"
    )]
    pub mail_from: String,

    /// Messages per second this node sends at most (0: no limit).
    #[arg(long, env = "ROSTER_SMTP_RATE", default_value_t = 10.0)]
    pub smtp_rate: f64,

    /// Messages this node sends at once.
    #[arg(long, env = "ROSTER_SMTP_CONCURRENCY", default_value_t = 4)]
    pub smtp_concurrency: usize,

    /// Campaign messages per second this node sends at most, within --smtp-rate (default, or
    /// 0: no share of their own; the node's rate applies).
    #[arg(long, env = "ROSTER_CAMPAIGN_RATE")]
    pub campaign_rate: Option<f64>,

    /// Campaign messages this node sends at once, within --smtp-concurrency (default: one
    /// fewer, at least 1, so a worker stays free for confirmations and test sends).
    #[arg(long, env = "ROSTER_CAMPAIGN_CONCURRENCY")]
    pub campaign_concurrency: Option<usize>,

    /// The envelope sender (MAIL FROM) of every message: `bounces@example.com` becomes
    /// `bounces+TOKEN@example.com` per message (VERP), or put `{token}` where the token goes.
    /// Default: --mail-from's address.
    #[arg(long, env = "ROSTER_BOUNCE_ADDRESS")]
    pub bounce_address: Option<String>,

    /// The address for the `mailto:` half of campaign mail's List-Unsubscribe header
    /// (optional; the https URL is always there).
    #[arg(long, env = "ROSTER_UNSUBSCRIBE_MAILTO")]
    pub unsubscribe_mailto: Option<String>,

    /// DKIM: the signing domain (d=); mail whose From domain is it or under it is signed.
    /// Needs --dkim-selector and --dkim-key.
    #[arg(long, env = "ROSTER_DKIM_DOMAIN")]
    pub dkim_domain: Option<String>,

    /// DKIM: the selector (s=); the public key is published at
    /// SELECTOR._domainkey.DOMAIN.
    #[arg(long, env = "ROSTER_DKIM_SELECTOR")]
    pub dkim_selector: Option<String>,

    /// DKIM: the private key, a PEM file (RSA in PKCS#8 or PKCS#1, or Ed25519 in PKCS#8).
    #[arg(long, env = "ROSTER_DKIM_KEY")]
    pub dkim_key: Option<PathBuf>,

    /// Attempts before a message that keeps failing with 4xx replies is marked failed.
    #[arg(long, env = "ROSTER_SMTP_MAX_ATTEMPTS", default_value_t = 8)]
    pub smtp_max_attempts: u32,

    /// Seconds before the first retry; the delay doubles per attempt.
    #[arg(long, env = "ROSTER_SMTP_RETRY_DELAY", default_value_t = 60.0)]
    pub smtp_retry_delay: f64,

    /// The longest delay between retries, in seconds.
    #[arg(long, env = "ROSTER_SMTP_RETRY_MAX_DELAY", default_value_t = 3600.0)]
    pub smtp_retry_max_delay: f64,

    /// Seconds to wait for each reply of the relay.
    #[arg(long, env = "ROSTER_SMTP_TIMEOUT", default_value_t = 60.0)]
    pub smtp_timeout: f64,

    /// Seconds a worker holds a message it is sending; after that (the worker died) the
    /// message is sent again. Must exceed the timeout.
    #[arg(long, env = "ROSTER_SMTP_LEASE", default_value_t = 300.0)]
    pub smtp_lease: f64,
}

/// Bounces and complaints coming back (docs/TRACKING.md, "Bounces").
#[derive(Debug, Clone, clap::Args)]
pub struct BounceArgs {
    /// The key of the bounce endpoint's signatures (POST /bounces/inbound, HMAC-SHA256 of the
    /// body in X-Roster-Signature), at least 16 bytes. Without it the endpoint answers 404.
    #[arg(long, env = "ROSTER_BOUNCE_WEBHOOK_SECRET", hide_env_values = true)]
    pub bounce_webhook_secret: Option<String>,

    /// Run the inbound SMTP listener for the bounce domain (--bounce-address's) on this
    /// address, e.g. 0.0.0.0:25. Off without it.
    #[arg(long, env = "ROSTER_BOUNCE_SMTP_BIND")]
    pub bounce_smtp_bind: Option<std::net::SocketAddr>,

    /// Messages one client address may send the SMTP listener a minute.
    #[arg(
        long,
        env = "ROSTER_BOUNCE_SMTP_RATE",
        default_value_t = 60,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub bounce_smtp_rate: u32,

    /// A non-existent address (bounce code B) is suspended after bouncing from this many
    /// campaign activities; 1 suspends it at the first.
    #[arg(
        long,
        env = "ROSTER_BOUNCE_SUSPEND_AFTER",
        default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub bounce_suspend_after: u32,
}

impl BounceArgs {
    pub fn suspension(&self) -> SuspensionPolicy {
        SuspensionPolicy {
            after_nonexistent_bounces: self.bounce_suspend_after,
        }
    }

    /// The HTTP layer's bounce settings, with the bounce address `--bounce-address` gave.
    pub fn bounce_settings(
        &self,
        bounce_address: Option<BounceAddress>,
    ) -> anyhow::Result<BounceSettings> {
        let webhook_secret = self
            .bounce_webhook_secret
            .as_deref()
            .map(|secret| WebhookSecret::new(secret.as_bytes().to_vec()))
            .transpose()
            .map_err(|e| anyhow::anyhow!("--bounce-webhook-secret: {e}"))?;
        Ok(BounceSettings {
            webhook_secret,
            intake: IntakeSettings {
                bounce_address,
                suspension: self.suspension(),
            },
        })
    }

    /// The SMTP listener's settings, when `--bounce-smtp-bind` asks for it: it takes mail
    /// for the bounce address's domain, so `--bounce-address` is required.
    pub fn listener_config(
        &self,
        bounce_address: Option<&BounceAddress>,
    ) -> anyhow::Result<Option<(std::net::SocketAddr, ListenerConfig)>> {
        let Some(bind) = self.bounce_smtp_bind else {
            return Ok(None);
        };
        let Some(address) = bounce_address else {
            anyhow::bail!(
                "--bounce-smtp-bind needs --bounce-address: the listener takes mail for its \
                 domain only"
            );
        };
        let mut config = ListenerConfig::new(address.clone());
        config.messages_per_minute_per_client = self.bounce_smtp_rate;
        Ok(Some((bind, config)))
    }
}

fn parse_relay_url(text: &str) -> Result<RelayUrl, String> {
    RelayUrl::parse(text).map_err(|e| e.to_string())
}

impl MailArgs {
    /// The mailer's configuration, checked.
    pub fn mailer_config(&self) -> anyhow::Result<MailerConfig> {
        let seconds = |flag: &str, value: f64| {
            Duration::try_from_secs_f64(value)
                .map_err(|_| anyhow::anyhow!("--{flag} must be a number of seconds, not {value}"))
        };
        let config = MailerConfig {
            relay: self.smtp_url.clone(),
            system_from: parse_mailbox(&self.mail_from)
                .with_context(|| format!("--mail-from {}", self.mail_from))?,
            rate_per_second: self.smtp_rate,
            concurrency: self.smtp_concurrency,
            campaign_rate_per_second: self.campaign_rate,
            campaign_concurrency: self.campaign_concurrency,
            dkim: self.dkim()?,
            bounce_address: self
                .bounce_address
                .as_deref()
                .map(BounceAddress::parse)
                .transpose()
                .context("--bounce-address")?,
            unsubscribe_mailto: self
                .unsubscribe_mailto
                .as_deref()
                .map(|address| {
                    EmailAddress::parse(address)
                        .map_err(|e| anyhow::anyhow!("--unsubscribe-mailto {address}: {e}"))
                })
                .transpose()?,
            max_attempts: self.smtp_max_attempts,
            retry_delay: seconds("smtp-retry-delay", self.smtp_retry_delay)?,
            retry_max_delay: seconds("smtp-retry-max-delay", self.smtp_retry_max_delay)?,
            lease: seconds("smtp-lease", self.smtp_lease)?,
            timeout: seconds("smtp-timeout", self.smtp_timeout)?,
            ..MailerConfig::default()
        };
        config.validate()?;
        Ok(config)
    }

    /// The DKIM settings: all three flags, or none.
    fn dkim(&self) -> anyhow::Result<Option<DkimConfig>> {
        match (&self.dkim_domain, &self.dkim_selector, &self.dkim_key) {
            (None, None, None) => Ok(None),
            (Some(domain), Some(selector), Some(key)) => {
                Ok(Some(DkimConfig::load(domain, selector, key)?))
            }
            (domain, selector, key) => {
                let missing: Vec<&str> = [
                    (domain.is_none(), "--dkim-domain"),
                    (selector.is_none(), "--dkim-selector"),
                    (key.is_none(), "--dkim-key"),
                ]
                .into_iter()
                .filter_map(|(absent, flag)| absent.then_some(flag))
                .collect();
                anyhow::bail!(
                    "DKIM signing needs --dkim-domain, --dkim-selector and --dkim-key together; \
                     missing: {}",
                    missing.join(", ")
                )
            }
        }
    }
}

/// `address` or `Display Name <address>` (quotes around the name optional).
pub fn parse_mailbox(text: &str) -> anyhow::Result<Mailbox> {
    let text = text.trim();
    let (name, address) = match text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
        Some((name, address)) => (Some(name.trim().trim_matches('"').trim()), address),
        None => (None, text),
    };
    let email = EmailAddress::parse(address).map_err(|e| anyhow::anyhow!("{address} {e}"))?;
    Ok(Mailbox::new(name, email)?)
}

#[cfg(test)]
mod tests {
    use super::{parse_mailbox, MailArgs};
    use clap::Parser;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        mail: MailArgs,
    }

    fn mail_settings(args: &[&str]) -> anyhow::Result<roster_mailer::MailerConfig> {
        let serve = Serve::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))?;
        serve.mail.mailer_config()
    }

    #[test]
    fn dkim_takes_all_three_settings_or_none() {
        assert!(mail_settings(&[]).unwrap().dkim.is_none());
        let error = mail_settings(&["--dkim-domain", "acme.example"])
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with("missing: --dkim-selector, --dkim-key"),
            "{error}"
        );
        let error = mail_settings(&["--dkim-selector", "s1", "--dkim-key", "/k.pem"])
            .unwrap_err()
            .to_string();
        assert!(error.ends_with("missing: --dkim-domain"), "{error}");
        let unreadable = mail_settings(&[
            "--dkim-domain",
            "acme.example",
            "--dkim-selector",
            "s1",
            "--dkim-key",
            "/nonexistent/dkim.pem",
        ])
        .unwrap_err();
        assert!(unreadable.to_string().contains("/nonexistent/dkim.pem"));
    }

    #[test]
    fn campaign_share_bounce_address_and_mailto_are_read_and_checked() {
        let config = mail_settings(&[
            "--smtp-rate",
            "50",
            "--campaign-rate",
            "40",
            "--campaign-concurrency",
            "2",
            "--bounce-address",
            "bounces@mail.example.com",
            "--unsubscribe-mailto",
            "Unsubscribe@Example.com",
        ])
        .unwrap();
        assert_eq!(config.campaign_rate(), 40.0);
        assert_eq!(config.campaign_concurrency(), 2);
        assert_eq!(
            config.bounce_address.unwrap().to_string(),
            "bounces+{token}@mail.example.com"
        );
        assert_eq!(
            config.unsubscribe_mailto.unwrap().as_str(),
            "unsubscribe@example.com"
        );
        for refused in [
            &["--smtp-rate", "50", "--campaign-rate", "60"][..],
            &["--campaign-concurrency", "5"],
            &["--bounce-address", "nobody"],
            &["--unsubscribe-mailto", "not an address"],
        ] {
            assert!(mail_settings(refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn mailboxes_parse_with_or_without_a_name() {
        let plain = parse_mailbox("no-reply@example.com").unwrap();
        assert_eq!(
            (plain.name, plain.email.as_str()),
            (None, "no-reply@example.com")
        );
        let named = parse_mailbox("\"Acme News\" <News@Example.com>").unwrap();
        assert_eq!(named.name.as_deref(), Some("Acme News"));
        assert_eq!(named.email.as_str(), "news@example.com");
        assert!(parse_mailbox("Acme <not an address>").is_err());
    }
}
