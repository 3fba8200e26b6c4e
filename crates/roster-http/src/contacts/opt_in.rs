//! Confirmed Opt-In: with the account setting on, POST /v3/contacts/sign_up_form (in
//! `handlers`) leaves a contact unconfirmed and mails it a link to these pages, outside /v3
//! and without authentication: GET/POST /contacts/opt_in/confirm?token=…. A GET only shows a
//! form, so mail scanners that prefetch links confirm nobody; the POST confirms. The token is
//! secret (redacted in logs as `token`); only its SHA-256 is stored. A link works once, for
//! `OPT_IN_LINK_LIFETIME_SECONDS`.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::account::Account;
use roster_domain::consent::{OptInConfirmation, OPT_IN_RESEND_AFTER_SECONDS};
use roster_domain::contact::Contact;
use roster_domain::outbox::OutboxEntry;
use roster_domain::{StoreError, Timestamp};
use roster_mailer::SystemMail;
use serde::Deserialize;

use crate::error::ApiError;
use crate::oauth::pages::{escape, hidden_inputs, page};
use crate::oauth::{random_secret, sha256_hex};
use crate::AppState;

/// Where the confirmation mail's link points, below the public URL.
pub const CONFIRM_PATH: &str = "/contacts/opt_in/confirm";

/// How often a confirmation is retried when the contact changed between read and write.
const CONFIRM_ATTEMPTS: usize = 3;

const TITLE: &str = "Confirm your subscription";

/// Mails `contact` a confirmation link, unless one was mailed within
/// `OPT_IN_RESEND_AFTER_SECONDS` and is still unconfirmed. The link and its mail are written
/// together; if that fails the contact stays unconfirmed and the next sign-up mails again.
pub(super) async fn request_confirmation(
    state: &AppState,
    account: &Account,
    contact: &Contact,
) -> Result<(), ApiError> {
    let Some(address) = contact.email.as_ref().map(|e| e.address.clone()) else {
        return Ok(());
    };
    let now = Timestamp::now();
    let token = random_secret(32);
    let request = OptInConfirmation::requested(account.id, contact.id, sha256_hex(&token), now);
    let mail = SystemMail::OptInConfirmation {
        account: account.id,
        organization: account
            .organization_name
            .clone()
            .unwrap_or_else(|| "our mailing list".into()),
        contact: address,
        confirm_url: format!(
            "{}{CONFIRM_PATH}?token={token}",
            state.config.public_url.trim_end_matches('/')
        ),
    };
    let message = state.mailer.system_message(&mail).map_err(|error| {
        ApiError::Internal(anyhow::Error::new(error).context("cannot build the opt-in mail"))
    })?;
    let entry = OutboxEntry::queue(message, now);
    let resend_before = now.plus_seconds(-OPT_IN_RESEND_AFTER_SECONDS);
    if state
        .store
        .request_opt_in(&request, &entry, resend_before)
        .await?
    {
        state.mailer.notify_queued();
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct PageQuery {
    token: Option<String>,
}

/// Forged, used and expired links look the same: nothing says which tokens exist.
fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        TITLE,
        "<p class=\"error\">This confirmation link is not valid, was used already, or has \
            expired.</p>",
        &[],
    )
}

fn failure() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        TITLE,
        "<p class=\"error\">Something went wrong on our side. Please try again later.</p>",
        &[],
    )
}

/// The usable link a token names with its contact, or the page to answer instead.
async fn usable(state: &AppState, token: &str) -> Result<(OptInConfirmation, Contact), Response> {
    if token.is_empty() {
        return Err(unknown_link());
    }
    let found = async {
        let Some(link) = state.store.opt_in_by_token(&sha256_hex(token)).await? else {
            return Ok(None);
        };
        if !link.is_usable(Timestamp::now()) {
            return Ok(None);
        }
        let contact = state.store.contact(link.account, link.contact).await?;
        Ok::<_, StoreError>(contact.map(|c| (link, c)))
    };
    match found.await {
        Ok(Some((link, contact))) if contact.deleted_at.is_none() && contact.email.is_some() => {
            Ok((link, contact))
        }
        Ok(_) => Err(unknown_link()),
        Err(error) => {
            tracing::error!(error = %error, "cannot read an opt-in confirmation");
            Err(failure())
        }
    }
}

/// GET /contacts/opt_in/confirm?token=…: the address and a button; nothing changes.
pub async fn confirm_page(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    let (_, contact) = match usable(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let address = contact
        .email
        .as_ref()
        .map(|e| e.address.as_str().to_string())
        .unwrap_or_default();
    let body = format!(
        "<p>Confirm that <strong>{address}</strong> wants to receive our email.</p>\n\
         <form method=\"post\" action=\"{CONFIRM_PATH}\">\n{hidden}\
         <button type=\"submit\">Yes, subscribe me</button>\n</form>\n\
         <p>If you do nothing, you will not receive our email.</p>",
        address = escape(&address),
        hidden = hidden_inputs(&[("token".into(), token)]),
    );
    page(StatusCode::OK, TITLE, &body, &[])
}

/// POST /contacts/opt_in/confirm (form field `token`): the address becomes explicit, once.
pub async fn confirm(State(state): State<AppState>, body: Bytes) -> Response {
    let fields = crate::oauth::signin::form_fields(&body);
    let token = fields.get("token").map(String::as_str).unwrap_or_default();
    let token_sha256 = sha256_hex(token);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (_, contact) = match usable(&state, token).await {
            Ok(found) => found,
            Err(page) => return page,
        };
        let now = Timestamp::now();
        let confirmed = contact.confirmed_by_contact(now);
        match state
            .store
            .confirm_opt_in(&token_sha256, &confirmed, contact.updated_at, now)
            .await
        {
            Ok(true) => {
                return page(
                    StatusCode::OK,
                    "Subscription confirmed",
                    "<p>Thank you: your subscription is confirmed.</p>",
                    &[],
                )
            }
            Ok(false) => return unknown_link(),
            Err(StoreError::Conflict(_)) if attempts < CONFIRM_ATTEMPTS => continue,
            Err(error) => {
                tracing::error!(error = %error, "cannot confirm an opt-in");
                return failure();
            }
        }
    }
}
