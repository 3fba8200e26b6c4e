//! Reading one inbound message (a raw RFC 5322 message, as the bounce endpoint or the SMTP
//! listener receives it): a delivery status notification (RFC 3464), a feedback-loop report
//! (ARF, RFC 5965, read with mail-auth), or an auto-reply (RFC 3834); and what in it can name
//! the message Roster sent.

use mail_auth::report::{Feedback, FeedbackType};
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use crate::dsn::{parse_delivery_status, RecipientStatus};
use crate::references::{References, REPORT_ADDRESSES, REPORT_MESSAGE_IDS, RETURNED_MESSAGE};

/// What an ARF report says happened (RFC 5965 §7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackKind {
    /// The recipient marked the message as spam: a complaint.
    Abuse,
    Fraud,
    Virus,
    NotSpam,
    AuthFailure,
    Other,
}

impl From<FeedbackType> for FeedbackKind {
    fn from(kind: FeedbackType) -> Self {
        match kind {
            FeedbackType::Abuse => Self::Abuse,
            FeedbackType::Fraud => Self::Fraud,
            FeedbackType::Virus => Self::Virus,
            FeedbackType::NotSpam => Self::NotSpam,
            FeedbackType::AuthFailure => Self::AuthFailure,
            FeedbackType::Other => Self::Other,
        }
    }
}

/// What an inbound message reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A DSN: each recipient's outcome.
    Delivery(Vec<RecipientStatus>),
    /// A feedback-loop report about the message sent to `recipient` (its `Original-Rcpt-To`).
    Feedback {
        kind: FeedbackKind,
        recipient: Option<String>,
    },
    /// An automatic reply (out of office, vacation): the message reached the mailbox.
    AutoReply { from: Option<String> },
}

/// One inbound message, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundReport {
    pub report: Report,
    pub references: References,
}

/// Why a message could not be read as a report. The message is kept all the same.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unparseable {
    #[error("not an RFC 5322 message (no header found)")]
    NotAMessage,
    #[error("neither a delivery status notification, a feedback report nor an auto-reply")]
    NotAReport,
    #[error("its message/delivery-status part names no recipient")]
    EmptyDeliveryStatus,
    #[error("its message/feedback-report part cannot be read: {0}")]
    BadFeedbackReport(String),
}

/// The parts of a report message that matter.
#[derive(Default)]
struct Parts<'m> {
    delivery_status: Option<&'m [u8]>,
    feedback_report: bool,
    /// The returned message (message/rfc822) or its headers (text/rfc822-headers).
    returned: Option<Returned<'m>>,
}

enum Returned<'m> {
    Message(&'m Message<'m>),
    Headers(&'m str),
}

fn parts_of<'m>(message: &'m Message<'m>) -> Parts<'m> {
    let mut parts = Parts::default();
    for part in &message.parts {
        let is = |kind: &str, subtype: &str| part.is_content_type(kind, subtype);
        if is("message", "delivery-status") || is("message", "global-delivery-status") {
            parts.delivery_status.get_or_insert(part.contents());
        } else if is("message", "feedback-report") {
            parts.feedback_report = true;
        } else if is("text", "rfc822-headers") || is("message", "global-headers") {
            if parts.returned.is_none() {
                if let Some(text) = part.text_contents() {
                    parts.returned = Some(Returned::Headers(text));
                }
            }
        } else if let PartType::Message(returned) = &part.body {
            parts.returned.get_or_insert(Returned::Message(returned));
        }
    }
    parts
}

/// RFC 3834's markers of an automatic reply, and the subjects of the auto-responders that set
/// none (lowercase prefixes).
fn is_auto_reply(message: &Message<'_>) -> bool {
    const SUBJECTS: &[&str] = &[
        "out of office",
        "out of the office",
        "automatic reply",
        "auto-reply",
        "autoreply",
        "auto reply",
        "auto:",
        "away from my desk",
        "vacation reply",
        "abwesenheitsnotiz",
        "réponse automatique",
    ];
    let header = |name: &str| {
        message
            .headers_raw()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim().to_ascii_lowercase())
    };
    if header("auto-submitted").is_some_and(|v| v.starts_with("auto-replied")) {
        return true;
    }
    if ["x-autoreply", "x-autorespond", "x-autoresponder"]
        .iter()
        .any(|name| header(name).is_some())
        || header("precedence").as_deref() == Some("auto_reply")
    {
        return true;
    }
    let subject = message.subject().unwrap_or("").trim().to_lowercase();
    SUBJECTS.iter().any(|prefix| subject.starts_with(prefix))
}

/// Reads `raw`, delivered to `envelope_recipients` (the SMTP listener's `RCPT TO`s; none when
/// it came through the HTTP endpoint).
pub fn read_report(
    raw: &[u8],
    envelope_recipients: &[String],
) -> Result<InboundReport, Unparseable> {
    let message = MessageParser::new()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(Unparseable::NotAMessage)?;
    let mut references = References::default();
    for recipient in envelope_recipients {
        references.add_address(recipient);
    }
    references.add_header_references(&message, REPORT_ADDRESSES);
    let parts = parts_of(&message);

    let report = if parts.feedback_report {
        let feedback = Feedback::parse_rfc5322(raw)
            .map_err(|error| Unparseable::BadFeedbackReport(format!("{error:?}")))?;
        if let Some(sender) = feedback.original_mail_from() {
            references.add_address(sender);
        }
        Report::Feedback {
            kind: feedback.feedback_type().into(),
            recipient: feedback
                .original_rcpt_to()
                .map(|r| r.trim().trim_matches(['<', '>']).to_string()),
        }
    } else if let Some(body) = parts.delivery_status {
        let status = parse_delivery_status(body).ok_or(Unparseable::EmptyDeliveryStatus)?;
        for id in &status.original_message_ids {
            references.add_message_ids_in(id);
        }
        for sender in &status.original_senders {
            references.add_address(sender);
        }
        Report::Delivery(status.recipients)
    } else if is_auto_reply(&message) {
        let from = message
            .from()
            .and_then(|from| from.first())
            .and_then(|address| address.address())
            .map(str::to_string);
        Report::AutoReply { from }
    } else {
        return Err(Unparseable::NotAReport);
    };

    match parts.returned {
        Some(Returned::Message(returned)) => {
            references.add_header_references(returned, RETURNED_MESSAGE)
        }
        Some(Returned::Headers(text)) => {
            if let Some(headers) = MessageParser::new().parse_headers(text.as_bytes()) {
                references.add_header_references(&headers, RETURNED_MESSAGE);
            }
        }
        None => {}
    }
    references.add_header_references(&message, REPORT_MESSAGE_IDS);
    Ok(InboundReport { report, references })
}
