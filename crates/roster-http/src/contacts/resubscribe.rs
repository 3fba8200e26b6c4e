//! Resubscription's public side: PUT /v3/contacts/resubscribe/{contact_id} (in `handlers`: the
//! account asks an unsubscribed contact to opt in again, the lists are added at once and one
//! confirmation mail goes out) links its mail to these pages, outside /v3 and without
//! authentication:
//! GET/POST /contacts/resubscribe/confirm?token=…[&action=decline]. A GET only shows a form,
//! so mail scanners that prefetch links resubscribe nobody; the POST acts. The token is
//! secret (redacted in logs as `token`); only its SHA-256 is stored.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::resubscription::Resubscription;
use roster_domain::{StoreError, Timestamp};
use serde::Deserialize;

use crate::oauth::pages::{escape, hidden_inputs, page};
use crate::oauth::sha256_hex;
use crate::AppState;

/// Where the confirmation mail's links point, below the public URL.
pub const CONFIRM_PATH: &str = "/contacts/resubscribe/confirm";

/// How often a confirmation is retried when the contact changed between read and write.
const CONFIRM_ATTEMPTS: usize = 3;

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
