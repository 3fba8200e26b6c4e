//! Forward to a friend (docs/TRACKING.md, "Forward to a friend"): `/forward/{token}`, outside
//! /v3, without a login, the page the "Forward email" link of every campaign message's footer
//! opens. The token is a `RecipientToken` of purpose Forward naming the account, activity,
//! contact and send, signed under the server secret; a forged one, or one naming a contact or
//! activity that is gone (or an activity Removed or never sent), answers the 404 page.
//!
//! - GET shows the form (up to 5 addresses and a note of up to 1,000 characters); nothing
//!   changes, since scanners fetch every link in a message.
//! - POST checks the form (the page again with every problem named, 400), claims the daily
//!   limits per recipient and per account (an HTTP 429 page past them), and mails each friend
//!   the activity's public copy opened by the forwarder's name and note, as system mail
//!   through the outbox. One Forward event is recorded per use. The friends do not become
//!   contacts; an address that is an unsubscribed contact of the account is not mailed (the
//!   page does not say so: it would tell a stranger who unsubscribed).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use roster_domain::contact::{Contact, Permission};
use roster_domain::forward::{
    grouped, ForwardClaim, ForwardProblem, ForwardQuota, ForwardRequest, MAX_FORWARD_ADDRESSES,
    MAX_FORWARD_NOTE_CHARS,
};
use roster_domain::outbox::Mailbox;
use roster_domain::recipient_token::{RecipientToken, TokenPurpose, FORWARD_PATH};
use roster_domain::tracking::{EventKind, TrackingEvent};
use roster_domain::{EmailAddress, StoreResult, Timestamp};
use roster_mailer::ForwardedCopy;

use super::permalink::{public_copy, PublicCopy};
use crate::error::ApiError;
use crate::oauth::pages::{escape, page};
use crate::oauth::signin::form_fields;
use crate::AppState;

/// The route, below the public URL (the token is the last segment).
pub const ROUTE: &str = "/forward/{token}";

const TITLE: &str = "Forward to a friend";
const DAY_MILLIS: i64 = 86_400_000;

/// Who is forwarding what: the verified token, its contact and the activity's public copy.
struct Forwarding {
    token: RecipientToken,
    contact: Contact,
    forwarder: EmailAddress,
    copy: PublicCopy,
}

/// What the token names, if it is ours, its contact still has an address, and its activity
/// has a public copy (sent, not Removed); None answers the 404 page.
async fn forwarding(state: &AppState, token: &str) -> StoreResult<Option<Forwarding>> {
    let Some(token) =
        RecipientToken::verify_for(&state.recipient_key, TokenPurpose::Forward, token)
    else {
        return Ok(None);
    };
    let Some(contact) = state
        .store
        .contact(token.account, token.contact)
        .await?
        .filter(|c| c.deleted_at.is_none())
    else {
        return Ok(None);
    };
    let Some(forwarder) = contact.email.as_ref().map(|e| e.address.clone()) else {
        return Ok(None);
    };
    let Some(copy) = public_copy(state, token.account, token.activity).await? else {
        return Ok(None);
    };
    Ok(Some(Forwarding {
        token,
        contact,
        forwarder,
        copy,
    }))
}

/// The 404 page of a forged or stale forwarding link, and of other paths under `/forward`.
pub async fn unknown_link() -> Response {
    unknown_link_page()
}

fn unknown_link_page() -> Response {
    page(
        StatusCode::NOT_FOUND,
        TITLE,
        "<p class=\"error\">This forwarding link is not valid, or the email is no longer \
            available. Please use the link from the email exactly as it was sent.</p>",
        &[],
    )
}

fn failure(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "a forward to a friend failed");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        TITLE,
        "<p class=\"error\">Something went wrong on our side. Please try again later.</p>",
        &[],
    )
}

/// What the form shows: the values as entered, and the problems with them.
#[derive(Default)]
struct FormState<'a> {
    addresses: &'a str,
    note: &'a str,
    problems: &'a [ForwardProblem],
}

/// The form, with `form`'s values and problems; `token` is the path's, as sent.
fn form_page(
    status: StatusCode,
    token: &str,
    forwarding: &Forwarding,
    form: FormState,
) -> Response {
    let subject = &forwarding.copy.message.subject;
    let organization = organization_of(&forwarding.copy);
    let mut body = String::new();
    if !form.problems.is_empty() {
        body.push_str(
            "<div class=\"error\" role=\"alert\"><p>The email was not forwarded:</p><ul>",
        );
        for problem in form.problems {
            body.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>",
                problem.field(),
                escape(&problem.to_string())
            ));
        }
        body.push_str("</ul></div>\n");
    }
    body.push_str(&format!(
        "<p>Send <strong>{subject}</strong> from {organization} to up to {MAX_FORWARD_ADDRESSES} \
         friends. Each receives this one email, with your address ({forwarder}) and your \
         note; they are not added to any mailing list.</p>\n\
         <form method=\"post\" action=\"{action}\">\n",
        subject = escape(subject),
        organization = escape(organization),
        forwarder = escape(forwarding.forwarder.as_str()),
        action = escape(&format!("{FORWARD_PATH}/{token}")),
    ));
    body.push_str(&field(
        "addresses",
        "Your friends' email addresses",
        &format!("Up to {MAX_FORWARD_ADDRESSES}, separated by commas or on separate lines."),
        "rows=\"3\" required autocomplete=\"off\"",
        form.addresses,
        form.problems,
    ));
    body.push_str(&field(
        "note",
        "A note to go with it (optional)",
        &format!("Up to {} characters.", grouped(MAX_FORWARD_NOTE_CHARS)),
        &format!("rows=\"5\" maxlength=\"{MAX_FORWARD_NOTE_CHARS}\""),
        form.note,
        form.problems,
    ));
    body.push_str("<button type=\"submit\">Forward</button>\n</form>");
    page(status, TITLE, &body, &[])
}

/// A labelled text area with its hint, and its problems when it has any (announced with the
/// field: `aria-describedby`, `aria-invalid`).
fn field(
    name: &str,
    label: &str,
    hint: &str,
    attributes: &str,
    value: &str,
    problems: &[ForwardProblem],
) -> String {
    let own: Vec<String> = problems
        .iter()
        .filter(|p| p.field() == name)
        .map(|p| escape(&p.to_string()))
        .collect();
    let mut described_by = format!("{name}-hint");
    let mut errors = String::new();
    if !own.is_empty() {
        described_by.push_str(&format!(" {name}-error"));
        errors = format!(
            "<p id=\"{name}-error\" class=\"error\">{}</p>\n",
            own.join(" ")
        );
    }
    let invalid = if own.is_empty() {
        ""
    } else {
        " aria-invalid=\"true\""
    };
    format!(
        "<label for=\"{name}\">{label}</label>\n<p id=\"{name}-hint\" class=\"hint\">{hint}</p>\n\
         {errors}<textarea id=\"{name}\" name=\"{name}\" {attributes} \
         aria-describedby=\"{described_by}\"{invalid}>{value}</textarea>\n",
        label = escape(label),
        hint = escape(hint),
        value = escape(value),
    )
}

/// Who the email is from: the organisation's name, else the sender's name.
fn organization_of(copy: &PublicCopy) -> &str {
    let name = copy.organization.trim();
    if name.is_empty() {
        copy.activity.content.from_name.trim()
    } else {
        name
    }
}

/// GET /forward/{token}: the form; nothing changes.
pub async fn forward_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match forwarding(&state, &token).await {
        Ok(Some(forwarding)) => {
            form_page(StatusCode::OK, &token, &forwarding, FormState::default())
        }
        Ok(None) => unknown_link_page(),
        Err(error) => failure(&error),
    }
}

/// POST /forward/{token}: checks the form, claims the limits, mails each friend a copy and
/// records the forward.
pub async fn forward(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let forwarding = match forwarding(&state, &token).await {
        Ok(Some(forwarding)) => forwarding,
        Ok(None) => return unknown_link_page(),
        Err(error) => return failure(&error),
    };
    let fields = form_fields(&body);
    let addresses = fields.get("addresses").map(String::as_str).unwrap_or("");
    let note = fields.get("note").map(String::as_str).unwrap_or("");
    let request = match ForwardRequest::parse(addresses, note) {
        Ok(request) => request,
        Err(problems) => {
            let form = FormState {
                addresses,
                note,
                problems: &problems,
            };
            return form_page(StatusCode::BAD_REQUEST, &token, &forwarding, form);
        }
    };
    let now = Timestamp::now();
    let claim = ForwardClaim {
        account: forwarding.token.account,
        activity: forwarding.token.activity,
        contact: forwarding.token.contact,
        day: now.millis().div_euclid(DAY_MILLIS),
        addresses: u32::try_from(request.addresses.len()).unwrap_or(u32::MAX),
        limits: state.config.forward_limits,
    };
    match state.store.claim_forwards(&claim).await {
        Ok(ForwardQuota::Claimed) => {}
        Ok(ForwardQuota::RecipientLimit | ForwardQuota::AccountLimit) => {
            return too_many(now);
        }
        Err(error) => return failure(&error),
    }
    if let Err(error) = mail_copies(&state, &forwarding, &request).await {
        return failure(&error);
    }
    // One event per use of the page (the forwards report's rows; `em_forwards` counts the
    // contacts), committed before the answer like the unsubscribe's: a forward is rare, and
    // its copies are queued already.
    let event = TrackingEvent::for_recipient(&forwarding.token, EventKind::Forward, now);
    if let Err(error) = state.store.record_events(&[event]).await {
        return failure(&error);
    }
    tracing::info!(
        activity = %forwarding.token.activity,
        addresses = request.addresses.len(),
        "email forwarded to friends"
    );
    forwarded(&request)
}

/// Queues one copy per friend, skipping addresses that are unsubscribed contacts of the
/// account.
async fn mail_copies(
    state: &AppState,
    forwarding: &Forwarding,
    request: &ForwardRequest,
) -> Result<(), ApiError> {
    // The senders were checked when the activity was saved, and the content when it was sent.
    let internal = |what: &str, error: &dyn std::fmt::Display| {
        ApiError::Internal(anyhow::anyhow!("the activity's {what}: {error}"))
    };
    let headers = &forwarding.copy.activity.content;
    let from_email =
        EmailAddress::parse(&headers.from_email).map_err(|e| internal("from_email", &e))?;
    let from = Mailbox::new(Some(&headers.from_name), from_email)
        .map_err(|e| internal("from_name", &e))?;
    let reply_to = EmailAddress::parse(&headers.reply_to_email)
        .map(Mailbox::address)
        .map_err(|e| internal("reply_to_email", &e))?;
    // Mail leaves with its style rules inlined, as every campaign message does.
    let message = forwarding
        .copy
        .message
        .clone()
        .with_inlined_css()
        .map_err(|e| internal("html_content", &e))?;
    let name = contact_name(&forwarding.contact);
    let copy = ForwardedCopy {
        account: forwarding.token.account,
        from,
        reply_to,
        organization: organization_of(&forwarding.copy),
        forwarder_name: name.as_deref(),
        forwarder: &forwarding.forwarder,
        note: &request.note,
        message: &message,
    };
    for to in &request.addresses {
        if unsubscribed(state, forwarding, to).await? {
            continue;
        }
        let mail = state
            .mailer
            .forwarded_copy(&copy, to)
            .map_err(|e| ApiError::Internal(e.into()))?;
        state
            .mailer
            .enqueue(mail)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok(())
}

/// Whether `address` belongs to a contact of the account who unsubscribed.
async fn unsubscribed(
    state: &AppState,
    forwarding: &Forwarding,
    address: &EmailAddress,
) -> StoreResult<bool> {
    let contact = state
        .store
        .contact_by_email(forwarding.token.account, address)
        .await?;
    Ok(contact.is_some_and(|c| {
        c.deleted_at.is_none()
            && c.email.as_ref().map(|e| e.permission) == Some(Permission::Unsubscribed)
    }))
}

/// The contact's first and last name, when it has either.
fn contact_name(contact: &Contact) -> Option<String> {
    let parts: Vec<&str> = [contact.first_name.as_deref(), contact.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The answer to a forward that was queued.
fn forwarded(request: &ForwardRequest) -> Response {
    let items: String = request
        .addresses
        .iter()
        .map(|a| format!("<li>{}</li>", escape(a.as_str())))
        .collect();
    page(
        StatusCode::OK,
        "Email forwarded",
        &format!("<p>The email is on its way to:</p>\n<ul>{items}</ul>"),
        &[],
    )
}

/// The 429 page: a limit is reached until the next UTC day, which `Retry-After` names.
fn too_many(now: Timestamp) -> Response {
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        TITLE,
        "<p class=\"error\">This email has been forwarded as many times as we allow today. \
            Please try again tomorrow.</p>",
        &[],
    );
    let wait_millis = DAY_MILLIS - now.millis().rem_euclid(DAY_MILLIS);
    let seconds = (wait_millis + 999) / 1000;
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}
