//! The unsubscribe link every campaign message carries, in its footer and its
//! `List-Unsubscribe` header: `/unsubscribe/{token}`, outside /v3, without a login or cookie.
//! The token is a `RecipientToken` (roster-domain) naming the account, activity, contact and
//! send, signed under the server secret; a forged one is refused before anything is read.
//!
//! - POST is RFC 8058's one-click (`List-Unsubscribe=One-Click`, sent by mailbox providers) and
//!   the page's form (with an optional `reason`): it unsubscribes and answers a short page,
//!   never a redirect.
//! - GET shows the form and changes nothing, since scanners fetch every link in a message.
//!
//! The opt-out is account-wide and idempotent: the contact becomes `unsubscribed` by the
//! Contact, and the first opt-out from an activity is credited to it (`campaign_opt_outs`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::consent::{opt_out_reason, CampaignOptOut, MAX_OPT_OUT_REASON_CHARS};
use roster_domain::contact::{Contact, Permission};
use roster_domain::recipient_token::{RecipientToken, TokenPurpose, UNSUBSCRIBE_PATH};
use roster_domain::{StoreError, StoreResult, Timestamp};

use crate::oauth::pages::{escape, page};
use crate::AppState;

/// The route, below the public URL (the token is the last segment).
pub const ROUTE: &str = "/unsubscribe/{token}";

/// How often an opt-out is retried when the contact changed between read and write.
const ATTEMPTS: usize = 3;

const TITLE: &str = "Unsubscribe";

fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        TITLE,
        "<p class=\"error\">This unsubscribe link is not valid. Please use the link from the \
            email exactly as it was sent.</p>",
        &[],
    )
}

fn unsubscribed(address: &str) -> Response {
    let body = format!(
        "<p><strong>{}</strong> is unsubscribed: you will not receive our email any more.</p>",
        escape(address)
    );
    page(StatusCode::OK, "You are unsubscribed", &body, &[])
}

fn failure() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        TITLE,
        "<p class=\"error\">Something went wrong on our side. Please try again later.</p>",
        &[],
    )
}

fn address_of(contact: &Contact) -> String {
    contact
        .email
        .as_ref()
        .map(|e| e.address.as_str().to_string())
        .unwrap_or_default()
}

/// The recipient a token names and its contact, if the token is ours and the contact still
/// has an address; None answers the 404 page.
async fn recipient(
    state: &AppState,
    token: &str,
) -> StoreResult<Option<(RecipientToken, Contact)>> {
    let Some(recipient) =
        RecipientToken::verify_for(&state.recipient_key, TokenPurpose::Unsubscribe, token)
    else {
        return Ok(None);
    };
    let contact = state
        .store
        .contact(recipient.account, recipient.contact)
        .await?;
    Ok(contact
        .filter(|c| c.deleted_at.is_none() && c.email.is_some())
        .map(|c| (recipient, c)))
}

/// GET /unsubscribe/{token}: the form (with an optional reason); nothing changes.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    let contact = match recipient(&state, &token).await {
        Ok(Some((_, contact))) => contact,
        Ok(None) => return unknown_link(),
        Err(error) => {
            tracing::error!(error = %error, "cannot read an unsubscribe link's contact");
            return failure();
        }
    };
    let address = address_of(&contact);
    if contact.email.as_ref().map(|e| e.permission) == Some(Permission::Unsubscribed) {
        return unsubscribed(&address);
    }
    let body = format!(
        "<p>Unsubscribe <strong>{address}</strong> from all our email?</p>\n\
         <form method=\"post\" action=\"{action}\">\n\
         <label for=\"reason\">Why are you leaving? (optional)</label>\
         <input type=\"text\" id=\"reason\" name=\"reason\" \
             maxlength=\"{MAX_OPT_OUT_REASON_CHARS}\">\n\
         <button type=\"submit\">Unsubscribe</button>\n</form>",
        address = escape(&address),
        action = escape(&format!("{UNSUBSCRIBE_PATH}/{token}")),
    );
    page(StatusCode::OK, TITLE, &body, &[])
}

/// POST /unsubscribe/{token}: one-click (RFC 8058) or the page's form; 200 with a short page.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let fields = crate::oauth::signin::form_fields(&body);
    let reason = opt_out_reason(fields.get("reason").map(String::as_str));
    let mut attempts = 0;
    loop {
        attempts += 1;
        match opt_out(&state, &token, reason.clone()).await {
            Ok(Some(address)) => return unsubscribed(&address),
            Ok(None) => return unknown_link(),
            Err(StoreError::Conflict(_)) if attempts < ATTEMPTS => continue,
            Err(error) => {
                tracing::error!(error = %error, "cannot record an unsubscribe");
                return failure();
            }
        }
    }
}

/// Unsubscribes the contact a token names and credits its activity; the address, or None for
/// a link that names nothing (forged, or a contact or activity that is gone).
async fn opt_out(
    state: &AppState,
    token: &str,
    reason: Option<String>,
) -> StoreResult<Option<String>> {
    let Some((recipient, contact)) = recipient(state, token).await? else {
        return Ok(None);
    };
    let address = address_of(&contact);
    let now = Timestamp::now();
    let Some(updated) = contact.unsubscribed_by_contact(reason.clone(), now) else {
        // Unsubscribed already: the first opt-out's facts stay.
        return Ok(Some(address));
    };
    let record = CampaignOptOut {
        account: recipient.account,
        activity: recipient.activity,
        contact: recipient.contact,
        send: recipient.send,
        at: now,
        reason,
    };
    let recorded = state
        .store
        .record_campaign_opt_out(&record, &updated, contact.updated_at)
        .await?;
    if recorded {
        tracing::info!(activity = %recipient.activity, "contact unsubscribed by link");
    }
    Ok(recorded.then_some(address))
}
