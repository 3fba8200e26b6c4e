//! `roster tokens issue|revoke`: access tokens for scripts and local development, minted as
//! the token endpoint would (docs/OAUTH.md), and revoking a token, or every token of a user,
//! as POST /revoke would.

use std::sync::Arc;

use anyhow::{bail, Context};
use roster_domain::{EmailAddress, Store, Timestamp, UserId};
use roster_http::oauth::tokens::{
    Grant, TokenService, DEFAULT_LIFETIME_SECONDS, KNOWN_SCOPES, LEEWAY_SECONDS,
    MAX_LIFETIME_SECONDS,
};

use crate::cli::TokensCommand;
use crate::commands::{print_json, public_url_for_tokens, sha256_hex};
use crate::open_store;
use crate::settings::DatabaseArgs;

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
            let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let store = open_store(&database.database_url).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user signs in as {email}"))?;
            if store.client(client_id).await?.is_none() {
                bail!("no app has the client id {client_id}");
            }
            let public_url = public_url_for_tokens(store.as_ref(), public_url.as_deref()).await?;
            roster_http::oauth::keys::ensure_signing_key(store.as_ref(), &secret).await?;
            let tokens = TokenService::load(store, secret, &public_url).await?;
            let issued = tokens.mint(Grant {
                user: user.id,
                account: user.account_id,
                client_id: client_id.clone(),
                scopes,
                lifetime_seconds: *lifetime,
                role: user.role.clone(),
                grant: None,
            })?;
            print_json(serde_json::to_value(issued)?);
            Ok(())
        }
        TokensCommand::Revoke { token, email } => {
            let store = open_store(&database.database_url).await?;
            match (token, email) {
                (Some(token), _) => revoke_token(database, store, token).await,
                (None, Some(email)) => {
                    let email =
                        EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
                    let user = store
                        .user_by_email(&email)
                        .await?
                        .with_context(|| format!("no user signs in as {email}"))?;
                    let refresh = revoke_user_tokens(store.as_ref(), user.id).await?;
                    eprintln!(
                        "revoked every token of {email} issued until now ({refresh} refresh \
                         tokens among them)"
                    );
                    Ok(())
                }
                (None, None) => bail!("give a token, or --email"),
            }
        }
    }
}

/// Revokes every token `user` holds now (refresh tokens, and access tokens through a `user:`
/// revocation kept as long as any of them can live); how many refresh tokens it revoked.
pub async fn revoke_user_tokens(store: &dyn Store, user: UserId) -> anyhow::Result<u64> {
    let now = Timestamp::now();
    let until = now.plus_seconds(MAX_LIFETIME_SECONDS + LEEWAY_SECONDS + 60);
    Ok(store.revoke_user_tokens(user, now, until).await?)
}

/// Revokes one token by its text: a refresh token revokes its grant (as POST /revoke does),
/// an access token its `jti`.
async fn revoke_token(
    database: &DatabaseArgs,
    store: Arc<dyn Store>,
    token: &str,
) -> anyhow::Result<()> {
    let token = token.trim();
    let now = Timestamp::now();
    if let Some(refresh) = store.refresh_token(&sha256_hex(token)).await? {
        let until = now.plus_seconds(DEFAULT_LIFETIME_SECONDS + LEEWAY_SECONDS + 60);
        store.revoke_grant(refresh.grant, now, until).await?;
        eprintln!(
            "revoked the refresh token's grant {} (its access tokens too)",
            refresh.grant
        );
        return Ok(());
    }
    let secret = database.server_secret()?;
    // Any URL: the issuer and audience are not checked, only this database's signature.
    let tokens = TokenService::load(store.clone(), secret, "http://revoking.invalid").await?;
    let claims = tokens.signed_claims(token).await.map_err(|reason| {
        anyhow::anyhow!(
            "not a token of this database ({reason}): neither a refresh token it stores nor an \
             access token signed by its keys"
        )
    })?;
    if claims.exp + LEEWAY_SECONDS < now.unix_seconds() {
        eprintln!("the token expired already: nothing to revoke");
        return Ok(());
    }
    let until = Timestamp::from_millis((claims.exp + LEEWAY_SECONDS + 60) * 1000);
    store
        .insert_revocation(&format!("jti:{}", claims.jti), until)
        .await?;
    eprintln!(
        "revoked access token {} of client {}",
        claims.jti, claims.cid
    );
    Ok(())
}
