//! The bounce endpoint, `POST /bounces/inbound`, outside /v3 (docs/TRACKING.md, "Bounces"):
//! for relays and providers that hand bounces and complaints over by HTTP instead of mail. The
//! body is a raw message (a DSN, an ARF report or an auto-reply; `message/rfc822` and the
//! like) or a JSON event (`application/json`), authenticated by an HMAC-SHA256 of the body
//! under `--bounce-webhook-secret` in `X-Roster-Signature: sha256=HEX`. Without the secret
//! the endpoint does not exist (404).
//!
//! Answers: 200 with what was recorded or why nothing was; 202 when the message was kept for
//! the operator (it could not be read, or names no message Roster sent): never a 5xx for what
//! the body holds. 400 for a JSON event with problems, 403 for a missing or wrong signature,
//! 413 past 1 MB, 415 for another media type.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use hmac::{Hmac, Mac};
use roster_bounces::event::BounceEvent;
use roster_bounces::inbound::InboundMessage;
use roster_bounces::{Outcome, MAX_MESSAGE_BYTES};
use roster_domain::bounce::InboundChannel;
use roster_domain::Timestamp;
use serde::Serialize;
use sha2::Sha256;

use crate::error::ApiError;
use crate::AppState;

/// The route, below the public URL.
pub const ROUTE: &str = "/bounces/inbound";

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "x-roster-signature";

/// The media types read as a raw message.
const MESSAGE_TYPES: &[&str] = &[
    "message/rfc822",
    "message/global",
    "multipart/report",
    "text/plain",
    "application/octet-stream",
];

/// The secret bounce endpoint bodies are signed with (`--bounce-webhook-secret`).
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// At least 16 bytes: the HMAC's key must not be guessable.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, &'static str> {
        let secret = secret.into();
        if secret.len() < 16 {
            return Err("the bounce webhook secret must be at least 16 bytes long");
        }
        Ok(Self(secret))
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
    }

    /// The signature of `body`, as the header carries it: `sha256=` and 64 hex digits.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(body);
        let digest = mac.finalize().into_bytes();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256={hex}")
    }

    /// Whether `header` is the signature of `body` (compared in constant time).
    fn verifies(&self, body: &[u8], header: &str) -> bool {
        let hex = header.trim();
        let hex = hex.strip_prefix("sha256=").unwrap_or(hex);
        let Some(signature) = decode_hex(hex) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(body);
        mac.verify_slice(&signature).is_ok()
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The endpoint's answer: what was recorded, or why nothing was.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct IntakeAnswer {
    /// `bounce`, `complaint`, `ignored` or `kept`.
    pub outcome: &'static str,
    pub contact_id: Option<String>,
    pub campaign_activity_id: Option<String>,
    /// The bounce code recorded (B, D, F, S, V, X, Z).
    pub bounce_code: Option<&'static str>,
    /// The address is suspended now.
    pub suspended: Option<bool>,
    /// The contact was unsubscribed by this complaint (false: it was already).
    pub unsubscribed: Option<bool>,
    /// The kept message's id (`roster bounces show ID`).
    pub id: Option<String>,
    pub reason: Option<String>,
}

impl IntakeAnswer {
    fn empty(outcome: &'static str) -> Self {
        Self {
            outcome,
            contact_id: None,
            campaign_activity_id: None,
            bounce_code: None,
            suspended: None,
            unsubscribed: None,
            id: None,
            reason: None,
        }
    }
}

fn answer(outcome: Outcome) -> (StatusCode, Json<IntakeAnswer>) {
    let (status, answer) = match outcome {
        Outcome::Bounced {
            target,
            code,
            suspended,
        } => (
            StatusCode::OK,
            IntakeAnswer {
                contact_id: Some(target.contact.to_string()),
                campaign_activity_id: Some(target.activity.to_string()),
                bounce_code: Some(code.as_str()),
                suspended: Some(suspended),
                ..IntakeAnswer::empty("bounce")
            },
        ),
        Outcome::Complained {
            target,
            unsubscribed,
        } => (
            StatusCode::OK,
            IntakeAnswer {
                contact_id: Some(target.contact.to_string()),
                campaign_activity_id: Some(target.activity.to_string()),
                unsubscribed: Some(unsubscribed),
                ..IntakeAnswer::empty("complaint")
            },
        ),
        Outcome::Ignored { reason } => (
            StatusCode::OK,
            IntakeAnswer {
                reason: Some(reason),
                ..IntakeAnswer::empty("ignored")
            },
        ),
        Outcome::Kept { id, reason } => (
            StatusCode::ACCEPTED,
            IntakeAnswer {
                id: Some(id.to_string()),
                reason: Some(reason),
                ..IntakeAnswer::empty("kept")
            },
        ),
    };
    (status, Json(answer))
}

/// The body's media type, lowercase, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// POST /bounces/inbound.
pub async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<IntakeAnswer>), ApiError> {
    let Some(secret) = &state.config.bounces.webhook_secret else {
        return Err(ApiError::NotFound(
            "The requested resource was not found.".into(),
        ));
    };
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            limit: MAX_MESSAGE_BYTES,
        },
        _ => ApiError::BadRequest(format!("The body could not be read: {rejection}")),
    })?;
    let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::Forbidden(
            "The X-Roster-Signature header is missing: sign the body with HMAC-SHA256 under \
             the bounce webhook secret and send sha256=HEX."
                .into(),
        ));
    };
    if !secret.verifies(&body, signature) {
        return Err(ApiError::Forbidden(
            "The X-Roster-Signature header is not the HMAC-SHA256 of this body under the \
             bounce webhook secret."
                .into(),
        ));
    }
    let now = Timestamp::now();
    let intake = &state.bounce_intake;
    let outcome = match media_type(&headers).as_deref() {
        Some("application/json") => {
            let event = BounceEvent::from_json(&body).map_err(ApiError::Validation)?;
            intake.take_event(event, &body, now).await?
        }
        Some(kind) if MESSAGE_TYPES.contains(&kind) => {
            let message = InboundMessage {
                raw: body.to_vec(),
                channel: InboundChannel::Http,
                client: None,
                envelope_from: None,
                envelope_to: Vec::new(),
                received_at: now,
            };
            intake.take_message(message).await?
        }
        _ => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "Send a raw message as one of {} or a JSON event as application/json.",
                MESSAGE_TYPES.join(", ")
            )))
        }
    };
    Ok(answer(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_body_and_secret() {
        let secret = WebhookSecret::new("a bounce webhook secret").unwrap();
        let signature = secret.sign(b"body");
        assert!(signature.starts_with("sha256=") && signature.len() == 71);
        assert!(secret.verifies(b"body", &signature));
        assert!(secret.verifies(b"body", signature.trim_start_matches("sha256=")));
        assert!(secret.verifies(
            b"body",
            &format!(
                " {} ",
                signature.to_uppercase().replace("SHA256=", "sha256=")
            )
        ));
        assert!(!secret.verifies(b"other", &signature));
        let other = WebhookSecret::new("another bounce webhook secret").unwrap();
        assert!(!other.verifies(b"body", &signature));
        for bad in ["", "sha256=", "sha256=zz", &signature[..70], "sha1=abc"] {
            assert!(!secret.verifies(b"body", bad), "{bad}");
        }
        assert!(WebhookSecret::new("short").is_err());
        assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted>)");
    }
}
