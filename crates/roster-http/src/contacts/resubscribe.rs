//! Resubscription: PUT /v3/contacts/resubscribe/{contact_id} (the account asks an unsubscribed
//! contact to opt in again: the lists are added at once and one confirmation mail goes out),
//! and the pages the mail links to, outside /v3 and without authentication:
//! GET/POST /contacts/resubscribe/confirm?token=…[&action=decline]. A GET only shows a form,
//! so mail scanners that prefetch links resubscribe nobody; the POST acts. The token is
//! secret (redacted in logs as `token`); only its SHA-256 is stored.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::resubscription::Resubscription;
use roster_domain::{ContactId, ListId, StoreError, Timestamp};
use roster_mailer::SystemMail;
use serde::Deserialize;

use super::bodies::ResubscribeBody;
use crate::auth::{Caller, ContactsWrite};
use crate::error::ApiError;
use crate::oauth::pages::{escape, hidden_inputs, page};
use crate::oauth::{random_secret, sha256_hex};
use crate::wire::responses::{Answers, BodyRejected, Invalid, Missing, Scoped};
use crate::wire::{Body, IdPath};
use crate::AppState;

/// Where the confirmation mail's links point, below the public URL.
pub const CONFIRM_PATH: &str = "/contacts/resubscribe/confirm";

/// How often a confirmation is retried when the contact changed between read and write.
const CONFIRM_ATTEMPTS: usize = 3;

/// PUT /v3/contacts/resubscribe/{contact_id}: 200 with an empty body.
#[utoipa::path(
    put,
    path = "/contacts/resubscribe/{contact_id}",
    operation_id = "resubscribeContact",
    tag = "Contacts",
    summary = "PUT Resubscribe a Contact",
    params(
        ("contact_id" = String, Path, description = "The ID that uniquely identifies the contact \
            to resubscribe."),
    ),
    request_body = ResubscribeBody,
    responses(
        (status = 200, description = "Contact resource has been updated."),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn request(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
    Body(body): Body<ResubscribeBody>,
) -> Result<StatusCode, ApiError> {
    let lists = Vec::<ListId>::try_from(body)?;
    let known = state.store.existing_lists(caller.account, &lists).await?;
    let unknown: Vec<_> = lists
        .iter()
        .enumerate()
        .filter(|(_, list)| !known.contains(list))
        .map(|(index, list)| {
            roster_domain::FieldError::new(
                format!("list_ids[{index}]"),
                format!("{list} is not a contact list of this account"),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let not_found = || ApiError::NotFound(format!("The contact {id} was not found."));
    let contact = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(not_found)?;
    let Some(address) = contact.email.as_ref().map(|e| e.address.clone()) else {
        return Err(not_unsubscribed());
    };
    let now = Timestamp::now();
    let updated = contact
        .with_resubscription_lists(&lists, now)
        .map_err(|_| not_unsubscribed())?;
    let token = random_secret(32);
    let request = Resubscription {
        account: caller.account,
        contact: id,
        token_sha256: sha256_hex(&token),
        list_ids: lists,
        requested_at: now,
        confirmed_at: None,
        declined_at: None,
    };
    if !state
        .store
        .request_resubscription(&request, &updated, contact.updated_at)
        .await?
    {
        return Err(not_found());
    }
    let organization = state
        .store
        .account(caller.account)
        .await?
        .and_then(|a| a.organization_name)
        .unwrap_or_else(|| "our mailing list".into());
    let link = format!(
        "{}{CONFIRM_PATH}?token={token}",
        state.config.public_url.trim_end_matches('/')
    );
    let mail = SystemMail::ResubscribeConfirmation {
        account: caller.account,
        organization,
        contact: address,
        confirm_url: link.clone(),
        // The contact is unsubscribed already: "stop all email" declines the request, which
        // keeps them so and kills the link (RFC 8058 one-click POSTs land there too).
        unsubscribe_url: format!("{link}&action=decline"),
    };
    if let Err(error) = state.mailer.enqueue_system(&mail).await {
        // Without its mail the request is worthless; withdrawing it lets the account retry.
        // The lists stay: the contact is unsubscribed, so they change no active count.
        if let Err(withdraw) = state
            .store
            .withdraw_resubscription(caller.account, id)
            .await
        {
            tracing::error!(error = %withdraw, "cannot withdraw a resubscription whose mail \
                failed");
        }
        return Err(ApiError::Internal(
            anyhow::Error::new(error).context("cannot queue the resubscription mail"),
        ));
    }
    Ok(StatusCode::OK)
}

fn not_unsubscribed() -> ApiError {
    ApiError::Conflict(
        "The contact can only be resubscribed when unsubscribed (its email permission is \
            unsubscribed)."
            .into(),
    )
}

#[derive(Deserialize)]
pub struct PageQuery {
    token: Option<String>,
    action: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Confirm,
    Decline,
}

fn action(text: Option<&str>) -> Action {
    match text {
        Some("decline") => Action::Decline,
        _ => Action::Confirm,
    }
}

const TITLE: &str = "Your subscription";

fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        TITLE,
        "<p class=\"error\">This link is not valid. Please use the link from the email exactly as \
            it was sent.</p>",
        &[],
    )
}

fn used_link() -> Response {
    page(
        StatusCode::GONE,
        TITLE,
        "<p class=\"error\">This link was used already or is no longer valid.</p>",
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

/// The request a token names while it can still be used, or the page to answer instead.
async fn pending(state: &AppState, token: Option<&str>) -> Result<Resubscription, Response> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(unknown_link());
    };
    match state
        .store
        .resubscription_by_token(&sha256_hex(token))
        .await
    {
        Ok(Some(request)) if request.is_pending() => Ok(request),
        Ok(Some(_)) => Err(used_link()),
        Ok(None) => Err(unknown_link()),
        Err(error) => {
            tracing::error!(error = %error, "cannot read a resubscription request");
            Err(failure())
        }
    }
}

/// GET /contacts/resubscribe/confirm: a form that asks before anything changes.
pub async fn confirm_page(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    let token = query.token.as_deref();
    if let Err(page) = pending(&state, token).await {
        return page;
    }
    let action = action(query.action.as_deref());
    let (question, button) = match action {
        Action::Confirm => (
            "Do you want to receive email from us again?",
            "<button type=\"submit\" name=\"action\" value=\"confirm\">Yes, subscribe me \
                again</button>",
        ),
        Action::Decline => (
            "Do you want to stay unsubscribed? This link will then stop working.",
            "<button type=\"submit\" name=\"action\" value=\"decline\">Stay unsubscribed</button>",
        ),
    };
    let body = format!(
        "<p>{question}</p>\n<form method=\"post\" \
            action=\"{action_url}\">\n{hidden}{button}\n</form>\n\
         <p>If you do nothing, you stay unsubscribed.</p>",
        action_url = escape(CONFIRM_PATH),
        hidden = hidden_inputs(&[("token".into(), token.unwrap_or_default().into())]),
    );
    page(StatusCode::OK, TITLE, &body, &[])
}

/// POST /contacts/resubscribe/confirm: the form's answer (token and action in the form), or a
/// one-click unsubscribe (RFC 8058: token and `action=decline` in the query).
pub async fn confirm(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
    body: Bytes,
) -> Response {
    let mut token = query.token;
    let mut action_text = query.action;
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "token" => token = Some(value.into_owned()),
            "action" => action_text = Some(value.into_owned()),
            _ => {}
        }
    }
    let token = token.unwrap_or_default();
    let request = match pending(&state, Some(&token)).await {
        Ok(request) => request,
        Err(page) => return page,
    };
    let token_sha256 = sha256_hex(&token);
    let outcome = match action(action_text.as_deref()) {
        Action::Decline => state
            .store
            .decline_resubscription(&token_sha256, Timestamp::now())
            .await
            .map(|done| {
                done.then_some(
                    "<p>You stay unsubscribed. You will not receive email from us, and this link \
                        no longer works.</p>",
                )
            }),
        Action::Confirm => confirm_request(&state, &request, &token_sha256).await,
    };
    match outcome {
        Ok(Some(message)) => page(StatusCode::OK, TITLE, message, &[]),
        Ok(None) => used_link(),
        Err(error) => {
            tracing::error!(error = %error, "cannot answer a resubscription request");
            failure()
        }
    }
}

/// Makes the contact explicit; retried when the contact changed between read and write.
async fn confirm_request(
    state: &AppState,
    request: &Resubscription,
    token_sha256: &str,
) -> Result<Option<&'static str>, StoreError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let Some(contact) = state
            .store
            .contact(request.account, request.contact)
            .await?
        else {
            return Ok(None);
        };
        if contact.deleted_at.is_some() || contact.email.is_none() {
            return Ok(None);
        }
        let now = Timestamp::now();
        let confirmed = contact.resubscribed_by_contact(now);
        match state
            .store
            .confirm_resubscription(token_sha256, &confirmed, contact.updated_at, now)
            .await
        {
            Ok(true) => return Ok(Some("<p>You are subscribed again. Thank you!</p>")),
            Ok(false) => return Ok(None),
            Err(StoreError::Conflict(_)) if attempts < CONFIRM_ATTEMPTS => continue,
            Err(error) => return Err(error),
        }
    }
}
