//! The bounce endpoint's JSON event, for relays and providers that report bounces and
//! complaints by webhook rather than by mail: `{recipient, message_id or token, type:
//! hard|soft|complaint, smtp_status, diagnostic}` (docs/TRACKING.md, "Bounces"). Read here
//! into a checked [`BounceEvent`], every problem named at once.

use roster_domain::bounce::{EnhancedStatus, SmtpReply};
use roster_domain::{EmailAddress, FieldError};
use serde_json::{Map, Value};

/// The longest `smtp_status` taken.
pub const MAX_STATUS_CHARS: usize = 64;
/// The longest `diagnostic` taken.
pub const MAX_DIAGNOSTIC_CHARS: usize = 1000;
/// The longest `message_id` or `token` taken.
pub const MAX_REFERENCE_CHARS: usize = 998;

/// What the event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// A permanent failure.
    Hard,
    /// A transient failure the provider gave up on.
    Soft,
    /// A spam complaint.
    Complaint,
}

/// How the event names the message: its Message-ID, or the bounce address's token (the
/// 32 hexadecimal digits, or the whole VERP address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventReference {
    MessageId(String),
    Token(String),
}

/// A checked JSON event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceEvent {
    pub recipient: EmailAddress,
    pub reference: EventReference,
    pub kind: EventType,
    /// `smtp_status` when it starts with an enhanced status code (`5.1.1`).
    pub status: Option<EnhancedStatus>,
    /// The SMTP reply: `diagnostic` when it is one (`550 5.1.1 …`), else `smtp_status`'s
    /// three-digit code with `diagnostic` as its text.
    pub reply: Option<SmtpReply>,
}

fn text<'v>(
    object: &'v Map<String, Value>,
    field: &str,
    max: usize,
    problems: &mut Vec<FieldError>,
) -> Option<&'v str> {
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.trim().is_empty() => None,
        Some(Value::String(text)) if text.chars().count() > max => {
            problems.push(FieldError::new(
                field,
                format!("must be at most {max} characters long"),
            ));
            None
        }
        Some(Value::String(text)) => Some(text.trim()),
        Some(_) => {
            problems.push(FieldError::new(field, "must be a string"));
            None
        }
    }
}

impl BounceEvent {
    /// Reads the event from a JSON body; every problem found, when it is not one.
    pub fn from_json(body: &[u8]) -> Result<Self, Vec<FieldError>> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| vec![FieldError::new("body", format!("is not valid JSON ({e})"))])?;
        let Value::Object(object) = value else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        let mut problems = Vec::new();
        let recipient = match text(&object, "recipient", EmailAddress::MAX_LEN, &mut problems) {
            None if !object.contains_key("recipient") => {
                problems.push(FieldError::new("recipient", "is required"));
                None
            }
            None => None,
            Some(address) => match EmailAddress::parse(address) {
                Ok(address) => Some(address),
                Err(error) => {
                    problems.push(FieldError::new("recipient", error.to_string()));
                    None
                }
            },
        };
        let message_id = text(&object, "message_id", MAX_REFERENCE_CHARS, &mut problems);
        let token = text(&object, "token", MAX_REFERENCE_CHARS, &mut problems);
        let reference = match (message_id, token) {
            (Some(id), _) => Some(EventReference::MessageId(id.to_string())),
            (None, Some(token)) => Some(EventReference::Token(token.to_string())),
            (None, None) => {
                if !problems
                    .iter()
                    .any(|p| p.field == "message_id" || p.field == "token")
                {
                    problems.push(FieldError::new(
                        "message_id",
                        "or token is required (the Message-ID of the message sent, or the \
                         token of its bounce address)",
                    ));
                }
                None
            }
        };
        let kind = match object.get("type") {
            None | Some(Value::Null) => {
                problems.push(FieldError::new("type", "is required"));
                None
            }
            Some(Value::String(kind)) => match kind.as_str() {
                "hard" => Some(EventType::Hard),
                "soft" => Some(EventType::Soft),
                "complaint" => Some(EventType::Complaint),
                _ => {
                    problems.push(FieldError::new(
                        "type",
                        "must be one of hard, soft, complaint",
                    ));
                    None
                }
            },
            Some(_) => {
                problems.push(FieldError::new("type", "must be a string"));
                None
            }
        };
        let smtp_status = text(&object, "smtp_status", MAX_STATUS_CHARS, &mut problems);
        let diagnostic = text(&object, "diagnostic", MAX_DIAGNOSTIC_CHARS, &mut problems);
        let status = smtp_status.and_then(EnhancedStatus::parse_prefix);
        if smtp_status.is_some()
            && status.is_none()
            && smtp_status.and_then(SmtpReply::parse).is_none()
        {
            problems.push(FieldError::new(
                "smtp_status",
                "must be an enhanced status code (5.1.1) or an SMTP reply code (550)",
            ));
        }
        let reply = diagnostic.and_then(SmtpReply::parse).or_else(|| {
            // `smtp_status: "550"` with the reply's text in `diagnostic`.
            let code = smtp_status.and_then(SmtpReply::parse)?;
            SmtpReply::parse(&format!("{} {}", code.code, diagnostic.unwrap_or("")))
        });
        match (recipient, reference, kind) {
            (Some(recipient), Some(reference), Some(kind)) if problems.is_empty() => Ok(Self {
                recipient,
                reference,
                kind,
                status,
                reply,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_event_is_read() {
        let event = BounceEvent::from_json(
            br#"{"recipient": " Gone@Example.org ", "message_id": "<a.b@c>", "type": "hard",
                 "smtp_status": "5.1.1", "diagnostic": "550 5.1.1 user unknown"}"#,
        )
        .unwrap();
        assert_eq!(event.recipient.as_str(), "gone@example.org");
        assert_eq!(event.reference, EventReference::MessageId("<a.b@c>".into()));
        assert_eq!(event.kind, EventType::Hard);
        assert_eq!(event.status.unwrap().to_string(), "5.1.1");
        assert_eq!(event.reply.unwrap().text, "user unknown");

        let event = BounceEvent::from_json(
            br#"{"recipient": "a@b.example", "token": "abc", "type": "soft",
                 "smtp_status": "452", "diagnostic": "mailbox full"}"#,
        )
        .unwrap();
        assert_eq!(event.reference, EventReference::Token("abc".into()));
        assert_eq!(event.status, None);
        let reply = event.reply.unwrap();
        assert_eq!((reply.code, reply.text.as_str()), (452, "mailbox full"));

        let minimal = BounceEvent::from_json(
            br#"{"recipient":"a@b.example","token":"t","type":"complaint"}"#,
        )
        .unwrap();
        assert_eq!((minimal.kind, minimal.reply), (EventType::Complaint, None));
    }

    #[test]
    fn every_problem_is_named() {
        let problems = |body: &[u8]| -> Vec<String> {
            BounceEvent::from_json(body)
                .unwrap_err()
                .into_iter()
                .map(|p| p.to_string())
                .collect()
        };
        assert_eq!(
            problems(br#"{"type": "bounced", "smtp_status": "x", "diagnostic": 5}"#),
            [
                "recipient is required.",
                "message_id or token is required (the Message-ID of the message sent, or the \
                 token of its bounce address).",
                "type must be one of hard, soft, complaint.",
                "diagnostic must be a string.",
                "smtp_status must be an enhanced status code (5.1.1) or an SMTP reply code \
                 (550).",
            ]
        );
        assert_eq!(
            problems(br#"{"recipient": "nope", "token": 7, "type": 1}"#),
            [
                "recipient is not a valid email address.",
                "token must be a string.",
                "type must be a string.",
            ]
        );
        let long = format!(
            r#"{{"recipient":"a@b.example","token":"t","type":"hard","diagnostic":"{}"}}"#,
            "x".repeat(1001)
        );
        assert_eq!(
            problems(long.as_bytes()),
            ["diagnostic must be at most 1000 characters long."]
        );
        assert_eq!(problems(b"[1]"), ["body must be a JSON object."]);
        assert!(problems(b"{")
            .first()
            .unwrap()
            .starts_with("body is not valid JSON"));
    }
}
