//! The permalink (docs/TRACKING.md, "Permalink"): `/permalink/{id}`, outside /v3, without a
//! login, the public web copy of a sent activity. One URL per activity, the same for every
//! reader: the id is a `PermalinkId` (roster-domain) naming the account and the activity and
//! no contact, signed under the server secret, so a forged one is refused before anything is
//! read. The page is the activity's content as it is now, rendered as a public copy: every
//! contact tag its fallback, the account's tags their values, no tracking image, and a footer
//! with the organisation's address and no personal link.
//!
//! The activity's `permalink_url` shows the URL once the activity has been sent (it has a send
//! in its history); before that, and once its campaign is Removed, the page answers 404.
//!
//! The public copy is also what a forward to a friend mails (`super::forward`).

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_domain::campaign::{ActivityRole, CampaignActivity, CampaignStatus};
use roster_domain::permalink::PermalinkId;
use roster_domain::{AccountId, CampaignActivityId, StoreResult};
use roster_render::{AccountDetails, CampaignContent, Message, Recipient};

use super::handlers::footer_of;
use crate::oauth::pages::page;
use crate::AppState;

/// The route, below the public URL.
pub const ROUTE: &str = "/permalink/{id}";

/// What a permalink page may load: the author's images, style sheets and fonts, and nothing
/// else. No script runs: `default-src 'none'` leaves no source for one (inline scripts, event
/// handler attributes and `javascript:` links included). The sandbox gives the page an origin
/// of its own, so the author's markup never shares Roster's (its cookies, its pages); it allows
/// scripts only because the policy above already forbids every one, and a document with
/// scripting turned off also stops the browser's own tools (the accessibility checks) on it.
/// The page cannot be framed or post a form; its links open, in the same tab or a new one.
const PERMALINK_POLICY: &str = "default-src 'none'; img-src http: https: data:; \
    style-src 'unsafe-inline' http: https:; font-src http: https: data:; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'; sandbox allow-scripts allow-popups \
    allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";

const UNAVAILABLE_TITLE: &str = "Email not available";

/// The URL of the activity's public copy, once it has been sent: None for an activity that has
/// no send yet, or a Removed one. A `permalink` activity shows its campaign's primary
/// activity's URL: that is the content it stands for.
pub async fn published_url(
    state: &AppState,
    account: AccountId,
    activity: &CampaignActivity,
) -> StoreResult<Option<String>> {
    if activity.status == CampaignStatus::Removed {
        return Ok(None);
    }
    let shown = match activity.role {
        ActivityRole::Permalink => {
            let Some(campaign) = state.store.campaign(account, activity.campaign_id).await? else {
                return Ok(None);
            };
            let primary = campaign
                .activities
                .iter()
                .find(|a| a.role == ActivityRole::PrimaryEmail);
            let Some(primary) = primary else {
                return Ok(None);
            };
            primary.id
        }
        ActivityRole::PrimaryEmail | ActivityRole::Resend => activity.id,
    };
    if !has_been_sent(state, account, shown).await? {
        return Ok(None);
    }
    let id = PermalinkId {
        account,
        activity: shown,
    };
    Ok(Some(id.url(&state.config.public_url, &state.recipient_key)))
}

async fn has_been_sent(
    state: &AppState,
    account: AccountId,
    activity: CampaignActivityId,
) -> StoreResult<bool> {
    Ok(!state.store.sends(account, activity).await?.is_empty())
}

/// The public copy of a sent activity, with what a forwarded copy also needs.
pub struct PublicCopy {
    pub activity: CampaignActivity,
    pub organization: String,
    pub message: Message,
}

/// The public copy of `activity`, as it is now; None when there is none to show (no such
/// activity, a Removed one, one never sent, an account that is gone, or content that no longer
/// renders, which is logged).
pub async fn public_copy(
    state: &AppState,
    account: AccountId,
    activity: CampaignActivityId,
) -> StoreResult<Option<PublicCopy>> {
    let Some(activity) = state
        .store
        .campaign_activity(account, activity)
        .await?
        .filter(|a| a.status != CampaignStatus::Removed)
    else {
        return Ok(None);
    };
    if !has_been_sent(state, account, activity.id).await? {
        return Ok(None);
    }
    let Some(profile) = state.store.account_profile(account).await? else {
        return Ok(None);
    };
    let address = state.store.physical_address(account).await?;
    let details = AccountDetails {
        profile: &profile,
        address: address.as_ref(),
    };
    let headers = &activity.content;
    // A custom field deleted since the send renders its fallback, as in a send: the account's
    // fields are not consulted (the sender does the same).
    let content = match CampaignContent::check(
        "",
        &headers.subject,
        headers.preheader.as_deref(),
        &headers.html_content,
        None,
    ) {
        Ok(content) => content,
        Err(problems) => {
            tracing::warn!(
                activity = %activity.id,
                problems = problems.len(),
                "a sent activity's content no longer passes the content checks"
            );
            return Ok(None);
        }
    };
    let footer = footer_of(&activity, &profile, address.as_ref());
    let message = match Message::render_public_copy(
        &content,
        &Recipient::with_account(details),
        &footer,
    ) {
        Ok(message) => message,
        Err(error) => {
            tracing::warn!(activity = %activity.id, error = %error, "cannot render a public copy");
            return Ok(None);
        }
    };
    Ok(Some(PublicCopy {
        organization: profile.organization_name.clone().unwrap_or_default(),
        activity,
        message,
    }))
}

fn unavailable(status: StatusCode, message: &str) -> Response {
    page(
        status,
        UNAVAILABLE_TITLE,
        &format!("<p class=\"error\">{message}</p>"),
        &[],
    )
}

/// GET /permalink/{id}: the public copy, or a 404 page.
pub async fn permalink_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(id) = PermalinkId::verify(&state.recipient_key, &id) else {
        return not_found_page();
    };
    match public_copy(&state, id.account, id.activity).await {
        Ok(Some(copy)) => web_copy(&copy),
        Ok(None) => not_found_page(),
        Err(error) => {
            tracing::error!(error = %error, "cannot read a permalink's activity");
            unavailable(
                StatusCode::SERVICE_UNAVAILABLE,
                "Something went wrong on our side. Please try again later.",
            )
        }
    }
}

/// The 404 page of an unknown, forged, unsent or removed permalink.
pub async fn not_found() -> Response {
    not_found_page()
}

fn not_found_page() -> Response {
    unavailable(
        StatusCode::NOT_FOUND,
        "This email is not available. The link may be mistyped, or the email was withdrawn.",
    )
}

/// The public copy as a page: the author's document with a title and a language.
fn web_copy(copy: &PublicCopy) -> Response {
    let html = roster_render::web_page::web_page(&copy.message.html, &copy.message.subject);
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(PERMALINK_POLICY),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    // Public, but revalidated: an edited or withdrawn email shows at once.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
