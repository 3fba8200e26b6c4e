//! What each command does. Every command opens the database the same way, so they all work
//! while `roster serve` runs on the same database.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use roster_domain::account::{ClientApp, NewAccount};
use roster_domain::account_services::{PhysicalAddress, PhysicalAddressDraft};
use roster_domain::outbox::{OutboxEntry, OutboxState};
use roster_domain::{EmailAddress, OutboxId, PageRequest, Timestamp};
use roster_http::{AppState, OAuthSettings, RateLimitSettings, ServerConfig};
use roster_mailer::Mailer;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cli::{
    AccountsCommand, AddressArgs, AppsCommand, ExportCommand, ImportCommand, OutboxCommand,
    ServeArgs,
};
use crate::open_store;
use crate::settings::DatabaseArgs;
pub(crate) use crate::{account_of, print_json};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    roster_http::oauth::password::hash_password(password)
}

fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub async fn migrate(database: &DatabaseArgs) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    eprintln!("migrations applied ({})", store.engine());
    Ok(())
}

pub async fn serve(database: &DatabaseArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let mut mail = args.mail.mailer_config()?;
    mail.bounce_suspension = args.bounces.suspension();
    let bounces = args.bounces.bounce_settings(mail.bounce_address.clone())?;
    let bounce_listener = args.bounces.listener_config(mail.bounce_address.as_ref())?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let cert =
                std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display()))?;
            let key =
                std::fs::read(key).with_context(|| format!("cannot read {}", key.display()))?;
            Some(roster_http::tls::server_config(&cert, &key)?)
        }
        _ => None,
    };
    // Both addresses are bound before anything is created on disk, so a busy port stops
    // `serve` without leaving a new database and secret key behind; they listen only once the
    // database is ready, so a connection that succeeds means the server is.
    let http_socket =
        reserve(args.bind).with_context(|| format!("cannot listen on {}", args.bind))?;
    let inbound_socket = match &bounce_listener {
        Some((bind, _)) => {
            Some(reserve(*bind).with_context(|| format!("cannot listen for bounces on {bind}"))?)
        }
        None => None,
    };
    let secret = database.server_secret()?;
    let store = open_store(&database.database_url).await?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| default_public_url(args.bind, tls.is_some()));
    // `tokens issue` reads it, so its tokens carry this server's issuer and audience.
    store
        .record_public_url(&public_url, Timestamp::now())
        .await?;
    mail.campaign_links = Some(roster_mailer::CampaignLinks {
        public_url: public_url.clone(),
        key: secret.recipient_key(),
    });
    let config = ServerConfig {
        public_url: public_url.clone(),
        body_limit: args.body_limit,
        secret,
        oauth: OAuthSettings {
            revocation_refresh: std::time::Duration::from_secs(args.revocation_refresh_secs),
            ..OAuthSettings::default()
        },
        rate_limit: (args.rate_limit == "on").then(|| RateLimitSettings {
            per_second: args.rate_limit_per_second,
            per_day: args.rate_limit_per_day,
            flush_interval: std::time::Duration::from_secs(args.rate_limit_flush_secs),
        }),
        import_max_contacts: args.activities.import_max_contacts,
        bounces,
        forward_limits: roster_domain::forward::ForwardLimits {
            per_recipient_per_day: args.forward_limit_per_recipient,
            per_account_per_day: args.forward_limit_per_account,
        },
    };
    let mailer = Mailer::new(store.clone(), mail)?;
    let state = AppState::with_engine_config(store, config, args.activities.engine_config())
        .await?
        .with_mailer(mailer.clone());
    let listener = http_socket
        .listen(LISTEN_BACKLOG)
        .and_then(tokio::net::TcpListener::into_std)
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(
        address = %listener.local_addr()?,
        public_url,
        tls = tls.is_some(),
        "roster is serving"
    );
    let inbound = match (bounce_listener, inbound_socket) {
        (Some((bind, config)), Some(socket)) => {
            let socket = socket
                .listen(LISTEN_BACKLOG)
                .with_context(|| format!("cannot listen for bounces on {bind}"))?;
            let intake = state.bounce_intake.clone();
            Some(roster_bounces::smtp::SmtpListener::start(
                socket, config, intake,
            )?)
        }
        _ => None,
    };
    let delivery = mailer.start();
    let engine = state.activities.clone();
    engine.start(args.activities.activity_workers.max(1));
    let served = roster_http::serve(state, listener, tls, shutdown_signal()).await;
    // Workers give their activities back to the queue between batches, and finish the message
    // they hold; everything else stays queued for the next start. The bounce listener lets a
    // message it is receiving finish; a sender whose session it closes sends again later.
    if let Some(inbound) = inbound {
        inbound.stop().await;
    }
    engine.shutdown().await;
    delivery.stop().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// The listen backlog of `serve`'s sockets (the standard library's).
const LISTEN_BACKLOG: u32 = 128;

/// Binds a socket to `address` without listening yet (as `std::net::TcpListener::bind`
/// would, SO_REUSEADDR included): a busy address fails here.
fn reserve(address: SocketAddr) -> std::io::Result<tokio::net::TcpSocket> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    Ok(socket)
}

/// `serve`'s public URL with its default bind address, for commands run before any server.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The public URL a command mints tokens or links for: `--public-url` (or ROSTER_PUBLIC_URL)
/// when given, with a warning when it differs from the one `roster serve` last recorded in
/// the database; else the recorded one; else serve's default.
pub(crate) async fn public_url_for_tokens(
    store: &dyn roster_domain::Store,
    explicit: Option<&str>,
) -> anyhow::Result<String> {
    let recorded = store.recorded_public_url().await?;
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    Ok(match (explicit, recorded) {
        (Some(explicit), Some(recorded)) => {
            if !same(explicit, &recorded) {
                eprintln!(
                    "warning: --public-url {explicit} differs from {recorded}, the public URL \
                     `roster serve` last ran with on this database: that server refuses a token \
                     issued for {explicit} (its issuer and audience)"
                );
            }
            explicit.to_string()
        }
        (Some(explicit), None) => explicit.to_string(),
        (None, Some(recorded)) => recorded,
        (None, None) => {
            eprintln!(
                "note: no `roster serve` has run on this database yet: using {DEFAULT_PUBLIC_URL} \
                 (serve's default); give --public-url if the server will run elsewhere"
            );
            DEFAULT_PUBLIC_URL.to_string()
        }
    })
}

fn default_public_url(bind: SocketAddr, tls: bool) -> String {
    format!("{}://{bind}", if tls { "https" } else { "http" })
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// The address flags of `accounts create`, checked by the same rules as
/// POST /account/summary/physical_address; None when no flag is given.
fn physical_address(args: &AddressArgs) -> anyhow::Result<Option<PhysicalAddress>> {
    let draft = PhysicalAddressDraft {
        address_line1: args.address_line1.clone(),
        address_line2: args.address_line2.clone(),
        address_line3: args.address_line3.clone(),
        city: args.city.clone(),
        state_code: args.state_code.clone(),
        state_name: args.state_name.clone(),
        postal_code: args.postal_code.clone(),
        country_code: args.country_code.clone(),
    };
    let given = [
        &draft.address_line1,
        &draft.address_line2,
        &draft.address_line3,
        &draft.city,
        &draft.state_code,
        &draft.state_name,
        &draft.postal_code,
        &draft.country_code,
    ]
    .iter()
    .any(|value| value.is_some());
    if !given {
        return Ok(None);
    }
    draft.validate("--").map(Some).map_err(|problems| {
        let sentences: Vec<String> = problems
            .into_iter()
            .map(|p| format!("{} {}.", p.field.replace('_', "-"), p.message))
            .collect();
        anyhow::anyhow!(sentences.join(" "))
    })
}

pub async fn accounts(database: &DatabaseArgs, command: &AccountsCommand) -> anyhow::Result<()> {
    match command {
        AccountsCommand::Create {
            email,
            password,
            first_name,
            last_name,
            organization,
            address,
        } => {
            let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let physical_address = physical_address(address)?;
            let password = crate::password::password(password, "ROSTER_ACCOUNT_PASSWORD")?;
            let store = open_store(&database.database_url).await?;
            let (account, user) = store
                .create_account(NewAccount {
                    owner_email: email,
                    owner_password_hash: hash_password(&password)?,
                    first_name: first_name.clone(),
                    last_name: last_name.clone(),
                    organization_name: organization.clone(),
                    physical_address: physical_address.clone(),
                })
                .await?;
            let mut printed = json!({
                "encoded_account_id": account.encoded_id,
                "user_id": user.id.to_string(),
                "email": user.email.as_str(),
                "organization_name": account.organization_name,
            });
            if let Some(address) = physical_address {
                printed["physical_address"] = json!({
                    "address_line1": address.address_line1,
                    "address_line2": address.address_line2,
                    "address_line3": address.address_line3,
                    "city": address.city,
                    "state_code": address.state_code,
                    "state_name": address.state_name,
                    "postal_code": address.postal_code,
                    "country_code": address.country_code,
                });
            }
            print_json(printed);
            Ok(())
        }
        AccountsCommand::List => list_accounts(database).await,
        AccountsCommand::Set {
            account_email,
            confirmed_opt_in,
        } => {
            let store = open_store(&database.database_url).await?;
            let id = account_of(store.as_ref(), account_email).await?;
            if let Some(on) = confirmed_opt_in {
                if !store.set_confirmed_opt_in(id, *on).await? {
                    bail!("the account of {account_email} vanished");
                }
            }
            let account = store
                .account(id)
                .await?
                .with_context(|| format!("the account of {account_email} vanished"))?;
            print_json(json!({
                "encoded_account_id": account.encoded_id,
                "organization_name": account.organization_name,
                "confirmed_opt_in": account.confirmed_opt_in,
            }));
            Ok(())
        }
    }
}

/// `accounts list`: each account with its owners' sign-in emails and its number of users.
async fn list_accounts(database: &DatabaseArgs) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    let mut after = None;
    let mut shown = 0;
    loop {
        let page = store.accounts(PageRequest { limit: 500, after }).await?;
        for account in &page.items {
            let users = store.users(account.id).await?;
            let owners: Vec<&str> = users
                .iter()
                .filter(|user| user.role == roster_domain::account::OWNER_ROLE)
                .map(|user| user.email.as_str())
                .collect();
            print_json(json!({
                "encoded_account_id": account.encoded_id,
                "organization_name": account.organization_name,
                "owners": owners,
                "users": users.len(),
                "created_at": account.created_at.to_rfc3339(),
            }));
        }
        shown += page.items.len();
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    if shown == 0 {
        eprintln!("no accounts: `roster accounts create` makes one");
    }
    Ok(())
}

pub async fn apps(database: &DatabaseArgs, command: &AppsCommand) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    match command {
        AppsCommand::Create {
            name,
            redirect_uris,
            public,
        } => {
            for uri in redirect_uris {
                let scheme_ok =
                    uri.starts_with("https://") || uri.starts_with("http://") || uri.contains(":/");
                if !scheme_ok || uri.contains('#') {
                    bail!("--redirect-uri {uri} must be an absolute URI without a fragment");
                }
            }
            let client_id = uuid::Uuid::new_v4().to_string();
            let secret = (!public).then(|| random_token(32));
            store
                .create_client(&ClientApp {
                    client_id: client_id.clone(),
                    secret_sha256: secret.as_deref().map(sha256_hex),
                    name: name.clone(),
                    redirect_uris: redirect_uris.clone(),
                    created_at: Timestamp::now(),
                })
                .await?;
            match secret {
                Some(secret) => {
                    print_json(json!({"client_id": client_id, "client_secret": secret}))
                }
                None => print_json(json!({"client_id": client_id})),
            }
            Ok(())
        }
        AppsCommand::List => {
            let clients = store.clients().await?;
            for app in &clients {
                print_json(json!({
                    "client_id": app.client_id,
                    "name": app.name,
                    "public": app.is_public(),
                    "redirect_uris": app.redirect_uris,
                    "created_at": app.created_at.to_rfc3339(),
                }));
            }
            if clients.is_empty() {
                eprintln!("no apps: `roster apps create` registers one");
            }
            Ok(())
        }
        AppsCommand::Delete { client_id } => {
            if !store.delete_client(client_id).await? {
                bail!("no app has the client id {client_id}");
            }
            eprintln!("deleted app {client_id}");
            Ok(())
        }
    }
}

/// The outbox entry as `outbox list` prints it (one line each).
/// A campaign recipient as `outbox list` shows it.
fn recipient_summary(entry: &roster_domain::send::RecipientEntry) -> serde_json::Value {
    let recipient = &entry.recipient;
    json!({
        "id": format!("{}.{}", recipient.send, recipient.contact),
        "state": entry.state,
        "kind": roster_mailer::campaign::CAMPAIGN_KIND,
        "to": [recipient.email],
        "campaign_activity_id": recipient.activity.to_string(),
        "send_id": recipient.send_number,
        "attempts": recipient.attempts,
        "last_reply": entry.last_reply,
        "updated_at": entry.updated_at.to_rfc3339(),
    })
}

/// A campaign recipient's message, rendered now as a delivery would, and its summary.
async fn campaign_message(
    store: std::sync::Arc<dyn roster_domain::Store>,
    send: &str,
    contact: &str,
    public_url: &str,
    secret: &roster_http::oauth::keys::ServerSecret,
) -> anyhow::Result<(OutboxEntry, serde_json::Value)> {
    let unknown = || anyhow::anyhow!("{send}.{contact} is not a campaign recipient's id");
    let send: roster_domain::SendId = send.parse().map_err(|_| unknown())?;
    let contact: roster_domain::ContactId = contact.parse().map_err(|_| unknown())?;
    let entry = store
        .recipient_entry(send, contact)
        .await?
        .with_context(|| format!("no campaign recipient has the id {send}.{contact}"))?;
    let config = roster_mailer::MailerConfig {
        campaign_links: Some(roster_mailer::CampaignLinks {
            public_url: public_url.to_string(),
            key: secret.recipient_key(),
        }),
        ..roster_mailer::MailerConfig::default()
    };
    let mailer = Mailer::new(store, config)?;
    let rendered = mailer
        .render_campaign_message(&entry.recipient)
        .await
        .map_err(|error| anyhow::anyhow!("the message cannot be rendered: {error}"))?;
    Ok((rendered, recipient_summary(&entry)))
}

fn outbox_summary(entry: &OutboxEntry) -> serde_json::Value {
    let message = &entry.message;
    json!({
        "id": entry.id.to_string(),
        "state": entry.state.as_str(),
        "kind": message.kind(),
        "from": message.from().to_string(),
        "to": message.to().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "subject": message.subject(),
        "attempts": entry.attempts,
        "last_reply": entry.last_reply,
        "created_at": entry.created_at.to_rfc3339(),
    })
}

pub async fn outbox(database: &DatabaseArgs, command: &OutboxCommand) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    match command {
        OutboxCommand::List { state, limit } => {
            let state = state
                .as_deref()
                .map(|s| OutboxState::parse(s).with_context(|| format!("unknown state {s}")))
                .transpose()?;
            if *limit == 0 {
                bail!("--limit must be at least 1");
            }
            let page = store
                .outbox_messages(
                    state,
                    PageRequest {
                        limit: *limit,
                        after: None,
                    },
                )
                .await?;
            for entry in &page.items {
                print_json(outbox_summary(entry));
            }
            let campaign = store
                .recipient_entries(state.map(OutboxState::as_str), *limit)
                .await?;
            for entry in &campaign {
                print_json(recipient_summary(entry));
            }
            // On stderr: standard output stays one JSON object a line (none here).
            if page.items.is_empty() && campaign.is_empty() {
                match state {
                    Some(state) => eprintln!("no messages in state {}", state.as_str()),
                    None => eprintln!("no messages"),
                }
            }
            Ok(())
        }
        OutboxCommand::Show {
            id,
            raw,
            public_url,
        } => {
            let (entry, summary) = match id.split_once('.') {
                Some((send, contact)) => {
                    let secret = database.server_secret()?;
                    let public_url =
                        public_url_for_tokens(store.as_ref(), public_url.as_deref()).await?;
                    campaign_message(store, send, contact, &public_url, &secret).await?
                }
                None => {
                    let parsed: OutboxId = id
                        .parse()
                        .map_err(|_| anyhow::anyhow!("{id} is not an outbox message id"))?;
                    let entry = store
                        .outbox_message(parsed)
                        .await?
                        .with_context(|| format!("no outbox message has the id {id}"))?;
                    let summary = outbox_summary(&entry);
                    (entry, summary)
                }
            };
            let rfc5322 = roster_mailer::render::to_rfc5322(&entry);
            if *raw {
                print!("{}", rfc5322?);
                return Ok(());
            }
            let message = &entry.message;
            let mut shown = summary;
            let extra = json!({
                "subject": message.subject(),
                "from": message.from().to_string(),
                "message_id": entry.message_id,
                "account_id": message.account().map(|a| a.to_string()),
                "reply_to": message.reply_to().map(ToString::to_string),
                "headers": message.headers().iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "text": message.text(),
                "html": message.html(),
                "due_at": entry.due_at.to_rfc3339(),
                "updated_at": entry.updated_at.to_rfc3339(),
                "finished_at": entry.finished_at.map(Timestamp::to_rfc3339),
                "rfc5322": rfc5322.map_err(|e| e.to_string()).unwrap_or_else(|e| e),
            });
            if let (Some(shown), Some(extra)) = (shown.as_object_mut(), extra.as_object()) {
                shown.extend(extra.clone());
            }
            print_json(shown);
            Ok(())
        }
    }
}

fn parse_ids<T: std::str::FromStr>(values: &[String], flag: &str) -> anyhow::Result<Vec<T>> {
    values
        .iter()
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("{flag} {v} is not an id"))
        })
        .collect()
}

/// Queues an activity and runs the queue in this process (a server on the same database may
/// take part), showing the activity's progress until it finishes.
async fn run_activity(
    store: std::sync::Arc<dyn roster_domain::Store>,
    activity: &roster_domain::activity::Activity,
    job: &roster_domain::activity::ActivityJob,
    unit: &str,
) -> anyhow::Result<roster_domain::activity::Activity> {
    let engine = roster_activities::ActivityEngine::new(store.clone(), Default::default());
    engine.submit(activity, job).await?;
    let bar = indicatif::ProgressBar::new(activity.items_total.max(0) as u64);
    bar.set_style(indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit} ({{elapsed}})"
    ))?);
    let drain = tokio::spawn({
        let engine = engine.clone();
        async move { engine.drain().await }
    });
    loop {
        let current = store
            .activity(activity.account, activity.id)
            .await?
            .context("the activity disappeared")?;
        bar.set_length(current.items_total.max(0) as u64);
        bar.set_position(current.items_completed.max(0) as u64);
        if current.state.is_finished() {
            bar.finish();
            drain.await??;
            return Ok(current);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

pub async fn import(database: &DatabaseArgs, command: &ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Contacts {
        file,
        account_email,
        lists,
        max_contacts,
    } = command;
    use roster_activities::import::{csv_items, UploadError};
    use roster_domain::activity::{ActivityJob, ActivityKind};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if lists.len() > 50 {
        bail!("at most 50 --list values");
    }
    let store = open_store(&database.database_url).await?;
    let account = account_of(store.as_ref(), account_email).await?;
    let lists = crate::lists::resolve_lists(store.as_ref(), account, lists).await?;
    let custom_fields = store.all_custom_fields(account).await?;
    let items = csv_items(&bytes, &custom_fields, *max_contacts).map_err(|e| match e {
        UploadError::NotCsv(m) | UploadError::Invalid(m) => {
            anyhow::anyhow!("{}: {m}", file.display())
        }
    })?;
    let mut activity = roster_activities::new_activity(
        account,
        ActivityKind::ContactsFileImport,
        items.len() as i64,
    );
    activity.source_file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    activity.list_count = lists.len() as i64;
    let job = ActivityJob::Import {
        list_ids: lists,
        items,
    };
    let done = run_activity(store, &activity, &job, "rows").await?;
    for error in &done.errors {
        eprintln!("rejected: {error}");
    }
    eprintln!(
        "import {}: {} created, {} updated, {} rejected",
        done.state.as_str(),
        done.created_count,
        done.updated_count,
        done.error_count
    );
    if done.state != roster_domain::activity::ActivityState::Completed {
        bail!("the import ended {}", done.state.as_str());
    }
    Ok(())
}

pub async fn export(database: &DatabaseArgs, command: &ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::Contacts {
        account_email,
        lists,
        tags,
        status,
        fields,
    } = command;
    use roster_activities::export;
    use roster_domain::activity::{ActivityJob, ActivityKind, ActivityState, ContactSelection};
    use std::io::Write;
    let tags: Vec<roster_domain::TagId> = parse_ids(tags, "--tag")?;
    let buckets = match status {
        None => Vec::new(),
        Some(text) => roster_domain::contact::Bucket::for_status_filter(text)
            .with_context(|| format!("--status {text} is not a contact status"))?
            .to_vec(),
    };
    let store = open_store(&database.database_url).await?;
    let account = account_of(store.as_ref(), account_email).await?;
    let lists = crate::lists::resolve_lists(store.as_ref(), account, lists).await?;
    let custom_fields = store.all_custom_fields(account).await?;
    let fields = if fields.is_empty() {
        export::default_fields(&custom_fields)
    } else {
        if let Some(bad) = fields.iter().find(|f| !export::is_field(f)) {
            bail!(
                "--fields names the unknown field {bad}; fields are {} and cf:<name>",
                export::FIELDS.join(", ")
            );
        }
        fields.clone()
    };
    let selection = ContactSelection {
        lists,
        tags,
        buckets,
        ..Default::default()
    };
    let filter = roster_domain::contact::ContactFilter {
        buckets: if selection.buckets.is_empty() {
            roster_domain::contact::Bucket::NOT_DELETED.to_vec()
        } else {
            selection.buckets.clone()
        },
        lists: selection.lists.clone(),
        tags: selection.tags.clone(),
        ..Default::default()
    };
    let total = store.count_contacts(account, &filter).await?;
    let activity = roster_activities::new_activity(account, ActivityKind::ContactExports, total);
    let job = ActivityJob::Export { selection, fields };
    let done = run_activity(store.clone(), &activity, &job, "contacts").await?;
    if done.state != ActivityState::Completed {
        bail!("the export ended {}", done.state.as_str());
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut after = None;
    while let Some((seq, data)) = store.export_chunk(account, done.id, after).await? {
        out.write_all(&data)?;
        after = Some(seq);
    }
    out.flush()?;
    eprintln!("exported {} contacts", done.items_completed);
    Ok(())
}
