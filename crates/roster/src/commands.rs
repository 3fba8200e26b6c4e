//! What each command does. Every command opens the database the same way, so they all work
//! while `roster serve` runs on the same database.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use roster_domain::account::{ClientApp, NewAccount};
use roster_domain::{EmailAddress, Timestamp};
use roster_http::oauth::tokens::{Grant, TokenService, KNOWN_SCOPES};
use roster_http::{AppState, ServerConfig};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cli::{AccountsCommand, AppsCommand, ServeArgs, TokensCommand};
use crate::open_store;
use crate::settings::DatabaseArgs;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn print_json(value: serde_json::Value) {
    println!("{value}");
}

pub async fn migrate(database: &DatabaseArgs) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    eprintln!("migrations applied ({})", store.engine());
    Ok(())
}

pub async fn serve(database: &DatabaseArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let secret = database.server_secret()?;
    let store = open_store(&database.database_url).await?;
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
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| default_public_url(args.bind, tls.is_some()));
    let config = ServerConfig {
        public_url: public_url.clone(),
        body_limit: args.body_limit,
        secret,
        import_max_contacts: args.activities.import_max_contacts,
    };
    let state =
        AppState::with_engine_config(store, config, args.activities.engine_config()).await?;
    let listener = std::net::TcpListener::bind(args.bind)
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(address = %listener.local_addr()?, public_url, tls = tls.is_some(), "roster is serving");
    let engine = state.activities.clone();
    engine.start(args.activities.activity_workers.max(1));
    let served = roster_http::serve(state, listener, tls, shutdown_signal()).await;
    // Workers give their activities back to the queue between batches.
    engine.shutdown().await;
    served?;
    tracing::info!("stopped");
    Ok(())
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

pub async fn accounts(database: &DatabaseArgs, command: &AccountsCommand) -> anyhow::Result<()> {
    match command {
        AccountsCommand::Create {
            email,
            password,
            first_name,
            last_name,
            organization,
        } => {
            let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            if password.chars().count() < 8 {
                bail!("--password must be at least 8 characters long");
            }
            let store = open_store(&database.database_url).await?;
            let (account, user) = store
                .create_account(NewAccount {
                    owner_email: email,
                    owner_password_hash: hash_password(password)?,
                    first_name: first_name.clone(),
                    last_name: last_name.clone(),
                    organization_name: organization.clone(),
                })
                .await?;
            print_json(json!({
                "encoded_account_id": account.encoded_id,
                "user_id": user.id.to_string(),
                "email": user.email.as_str(),
                "organization_name": account.organization_name,
            }));
            Ok(())
        }
    }
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
        AppsCommand::Delete { client_id } => {
            if !store.delete_client(client_id).await? {
                bail!("no app has the client id {client_id}");
            }
            eprintln!("deleted app {client_id}");
            Ok(())
        }
    }
}

pub async fn tokens(database: &DatabaseArgs, command: &TokensCommand) -> anyhow::Result<()> {
    match command {
        TokensCommand::Issue {
            email,
            client_id,
            scope,
            lifetime,
            public_url,
        } => {
            let secret = database.server_secret()?;
            let scopes: Vec<String> = scope
                .split([' ', '+', ','])
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            if scopes.is_empty() {
                bail!(
                    "--scope names no scope; known scopes: {}",
                    KNOWN_SCOPES.join(" ")
                );
            }
            if let Some(unknown) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
                bail!(
                    "unknown scope {unknown}; known scopes: {}",
                    KNOWN_SCOPES.join(" ")
                );
            }
            if *lifetime <= 0 {
                bail!("--lifetime must be a positive number of seconds");
            }
            let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let store = open_store(&database.database_url).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user signs in as {email}"))?;
            if store.client(client_id).await?.is_none() {
                bail!("no app has the client id {client_id}");
            }
            roster_http::oauth::keys::ensure_signing_key(store.as_ref(), &secret).await?;
            let tokens = TokenService::load(store, secret, public_url).await?;
            let issued = tokens.mint(Grant {
                user: user.id,
                account: user.account_id,
                client_id: client_id.clone(),
                scopes,
                lifetime_seconds: *lifetime,
            })?;
            print_json(serde_json::to_value(issued)?);
            Ok(())
        }
    }
}
