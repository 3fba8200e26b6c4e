//! The public tracking endpoints campaign messages point to (docs/TRACKING.md), outside /v3,
//! without a login: the open pixel `/t/o/{token}` and the click redirect `/t/c/{token}`.
//! Neither waits for the database to record anything: the event goes to the group-commit
//! writer (`AppState::events`) and the answer leaves at once.
//!
//! - The pixel always answers the 1×1 image, 200, `Cache-Control: no-store`, whatever the
//!   token: a mail client must never show a broken image. Only a token this server signed for
//!   an open records one.
//! - The redirect answers 302 to the URL stored for the token's `url_id` in its activity, never
//!   to anything taken from the request, so it cannot be used as an open redirect. A forged or
//!   altered token, or a `url_id` the activity does not have, answers the 404 page.
//!
//! A Removed campaign or a deleted contact still gets its image or redirect; the writer drops
//! the event when it commits (`EventStore::record_events`).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, REFERRER_POLICY, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster_domain::recipient_token::{ClickToken, RecipientToken, TokenPurpose};
use roster_domain::recipient_token::{CLICK_PATH, OPEN_PATH};
use roster_domain::tracking::{EventKind, TrackingEvent};
use roster_domain::{AccountId, CampaignActivityId, Timestamp};

use crate::oauth::pages::page;
use crate::AppState;

/// The routes, below the public URL (the token is the last segment).
pub fn open_route() -> String {
    format!("{OPEN_PATH}/{{token}}")
}

pub fn click_route() -> String {
    format!("{CLICK_PATH}/{{token}}")
}

/// A transparent 1×1 GIF (43 bytes).
const PIXEL: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\
\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers.get(USER_AGENT).and_then(|v| v.to_str().ok())
}

/// GET /t/o/{token}: records an open for a valid token, and always answers the image.
pub async fn open_pixel(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(recipient) =
        RecipientToken::verify_for(&state.recipient_key, TokenPurpose::Open, &token)
    {
        let source = state.user_agents.classify(user_agent(&headers));
        let event = TrackingEvent::for_recipient(&recipient, EventKind::Open, Timestamp::now())
            .with_device(source.device, source.machine);
        state.events.record(event);
    }
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/gif")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        PIXEL,
    )
        .into_response()
}

const TITLE: &str = "Link not found";

fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        TITLE,
        "<p class=\"error\">This link is not valid. Please use the link from the email exactly \
         as it was sent.</p>",
        &[],
    )
}

/// GET /t/c/{token}: records the click and redirects to the link's stored URL.
pub async fn click(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(click) = ClickToken::verify(&state.recipient_key, &token) else {
        return unknown_link();
    };
    let recipient = click.recipient;
    let url = match state
        .links
        .url(&state, recipient.account, recipient.activity, click.url_id)
        .await
    {
        Ok(Some(url)) => url,
        Ok(None) => return unknown_link(),
        Err(error) => {
            tracing::error!(error = %error, "cannot read a tracked link");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "<p class=\"error\">This link cannot be followed right now. Please try again \
                 in a moment.</p>",
                &[],
            );
        }
    };
    let Ok(location) = HeaderValue::from_str(&location_value(&url)) else {
        // Not reachable: location_value leaves only visible ASCII.
        return unknown_link();
    };
    let source = state.user_agents.classify(user_agent(&headers));
    let event = TrackingEvent::for_recipient(&recipient, EventKind::Click, Timestamp::now())
        .with_url(click.url_id)
        .with_device(source.device, source.machine);
    state.events.record(event);
    (
        StatusCode::FOUND,
        [
            (LOCATION, location),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
    )
        .into_response()
}

/// A stored URL as a `Location` value: every byte outside visible ASCII percent-encoded (a
/// browser decodes it again, and applies IDNA to a host), everything else as written.
fn location_value(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_graphic() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The URLs of tracked links, by (account, activity, url_id): a link's URL never changes once
/// numbered, so a click reads the database once per link and node.
#[derive(Default)]
pub struct LinkCache {
    urls: Mutex<HashMap<(AccountId, CampaignActivityId, u32), std::sync::Arc<str>>>,
}

/// Links kept; beyond it the cache starts afresh.
const CACHED_LINKS: usize = 10_000;

impl LinkCache {
    async fn url(
        &self,
        state: &AppState,
        account: AccountId,
        activity: CampaignActivityId,
        url_id: u32,
    ) -> roster_domain::StoreResult<Option<std::sync::Arc<str>>> {
        let key = (account, activity, url_id);
        if let Ok(urls) = self.urls.lock() {
            if let Some(url) = urls.get(&key) {
                return Ok(Some(url.clone()));
            }
        }
        let Some(url) = state.store.activity_link(account, activity, url_id).await? else {
            return Ok(None);
        };
        let url: std::sync::Arc<str> = url.into();
        if let Ok(mut urls) = self.urls.lock() {
            if urls.len() >= CACHED_LINKS {
                urls.clear();
            }
            urls.insert(key, url.clone());
        }
        Ok(Some(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_visible_ascii() {
        assert_eq!(
            location_value("https://a.example/p?q=1&r=é x"),
            "https://a.example/p?q=1&r=%C3%A9%20x"
        );
        assert_eq!(PIXEL.len(), 43);
    }
}
