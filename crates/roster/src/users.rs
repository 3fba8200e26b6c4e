//! `roster users add|list|remove|set-role|reset-password|unlock`: an account's users, as an
//! operator manages them (docs/ROLES.md). Every change goes through the store the API uses; an
//! account keeps at least one account_owner (`roster_domain::account::leaves_no_owner`).

use anyhow::{bail, Context};
use roster_domain::account::{leaves_no_owner, User};
use roster_domain::{EmailAddress, Role, Store, Timestamp, UserId};
use serde_json::json;

use crate::cli::UsersCommand;
use crate::commands::{hash_password, print_json};
use crate::open_store;
use crate::password::password;
use crate::settings::DatabaseArgs;
use crate::tokens::revoke_user_tokens;

fn summary(user: &User) -> serde_json::Value {
    let privileges: Vec<&str> = Role::parse(&user.role)
        .map(|role| role.privileges().iter().map(|p| p.name()).collect())
        .unwrap_or_default();
    json!({
        "user_id": user.id.to_string(),
        "email": user.email.as_str(),
        "role": user.role,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "created_at": user.created_at.to_rfc3339(),
        "privileges": privileges,
    })
}

fn parse_email(flag: &str, text: &str) -> anyhow::Result<EmailAddress> {
    EmailAddress::parse(text).map_err(|e| anyhow::anyhow!("{flag} {e}"))
}

/// The user signing in as `email`.
async fn user_signing_in_as(store: &dyn Store, email: &str) -> anyhow::Result<User> {
    let email = parse_email("--email", email)?;
    store
        .user_by_email(&email)
        .await?
        .with_context(|| format!("no user signs in as {email}"))
}

/// Refuses a change that would leave the user's account without an account_owner.
async fn keep_an_owner(
    store: &dyn Store,
    user: &User,
    new_role: Option<&str>,
) -> anyhow::Result<()> {
    let users = store.users(user.account_id).await?;
    if leaves_no_owner(&users, user.id, new_role) {
        bail!(
            "{} is the account's last account_owner: make another user account_owner first \
             (`roster users set-role --email OTHER --role account_owner`)",
            user.email
        );
    }
    Ok(())
}

pub async fn users(database: &DatabaseArgs, command: &UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::Add {
            account_email,
            email,
            password: given,
            role,
            first_name,
            last_name,
        } => {
            let account_email = parse_email("--account-email", account_email)?;
            let email = parse_email("--email", email)?;
            let role = Role::parse(role).with_context(|| format!("unknown role {role}"))?;
            let password = password(given, "ROSTER_USER_PASSWORD")?;
            let store = open_store(&database.database_url).await?;
            let member = store
                .user_by_email(&account_email)
                .await?
                .with_context(|| format!("no account has a user signing in as {account_email}"))?;
            let user = User {
                id: UserId::generate(),
                account_id: member.account_id,
                email,
                password_hash: hash_password(&password)?,
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                role: role.name().to_string(),
                created_at: Timestamp::now(),
            };
            store.create_user(&user).await?;
            print_json(summary(&user));
            Ok(())
        }
        UsersCommand::List { account_email } => {
            let store = open_store(&database.database_url).await?;
            let member = user_signing_in_as(store.as_ref(), account_email).await?;
            for user in store.users(member.account_id).await? {
                print_json(summary(&user));
            }
            Ok(())
        }
        UsersCommand::Remove { email } => {
            let store = open_store(&database.database_url).await?;
            let user = user_signing_in_as(store.as_ref(), email).await?;
            keep_an_owner(store.as_ref(), &user, None).await?;
            // Revoked first: deleting the user cascades to its refresh tokens, but its access
            // tokens live on until the revocation says otherwise.
            revoke_user_tokens(store.as_ref(), user.id).await?;
            if !store.delete_user(user.account_id, user.id).await? {
                bail!("{} was removed meanwhile", user.email);
            }
            eprintln!("removed {} and revoked its tokens", user.email);
            Ok(())
        }
        UsersCommand::SetRole { email, role } => {
            let role = Role::parse(role).with_context(|| format!("unknown role {role}"))?;
            let store = open_store(&database.database_url).await?;
            let mut user = user_signing_in_as(store.as_ref(), email).await?;
            keep_an_owner(store.as_ref(), &user, Some(role.name())).await?;
            if !store
                .set_user_role(user.account_id, user.id, role.name())
                .await?
            {
                bail!("{} was removed meanwhile", user.email);
            }
            // A token carries the role it was issued with: revoking them applies the new one.
            revoke_user_tokens(store.as_ref(), user.id).await?;
            user.role = role.name().to_string();
            print_json(summary(&user));
            eprintln!(
                "revoked the tokens {} held: new ones carry the new role",
                user.email
            );
            Ok(())
        }
        UsersCommand::ResetPassword {
            email,
            password: given,
            revoke_tokens,
        } => {
            let store = open_store(&database.database_url).await?;
            let user = user_signing_in_as(store.as_ref(), email).await?;
            let password = password(given, "ROSTER_USER_PASSWORD")?;
            let hash = hash_password(&password)?;
            if !store
                .set_user_password(user.account_id, user.id, &hash)
                .await?
            {
                bail!("{} was removed meanwhile", user.email);
            }
            store
                .clear_signin_failures(&account_key(&user.email))
                .await?;
            if *revoke_tokens {
                revoke_user_tokens(store.as_ref(), user.id).await?;
            }
            eprintln!(
                "new password set for {}{}",
                user.email,
                if *revoke_tokens {
                    "; its tokens are revoked"
                } else {
                    ""
                }
            );
            Ok(())
        }
        UsersCommand::Unlock { email, address } => {
            let store = open_store(&database.database_url).await?;
            let user = user_signing_in_as(store.as_ref(), email).await?;
            store
                .clear_signin_failures(&account_key(&user.email))
                .await?;
            if let Some(address) = address {
                store
                    .clear_signin_failures(&format!("address:{address}"))
                    .await?;
            }
            eprintln!("{} may sign in again", user.email);
            Ok(())
        }
    }
}

/// The sign-in throttle's key of an email (as the sign-in page counts failures).
fn account_key(email: &EmailAddress) -> String {
    format!("account:{}", email.as_str())
}
