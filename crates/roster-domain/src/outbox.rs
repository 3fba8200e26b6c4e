//! The outbox: every message the server sends (confirmations, test sends, campaigns) is recorded
//! here before delivery is attempted, and delivery workers move it from `queued` through
//! `sending` to `sent` or `failed`. A message is checked once, on construction: addresses are
//! `EmailAddress`es, and no header can carry a line break (no header injection) or replace the
//! headers the mailer writes itself.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AccountId, EmailAddress, OutboxId, Timestamp};

/// An address with an optional display name, as in `"Acme" <news@acme.example>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub email: EmailAddress,
}

impl Mailbox {
    pub fn new(name: Option<&str>, email: EmailAddress) -> Result<Self, InvalidMessage> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        if let Some(name) = name {
            single_line("display name", name)?;
        }
        Ok(Self {
            name: name.map(String::from),
            email,
        })
    }

    pub fn address(email: EmailAddress) -> Self {
        Self { name: None, email }
    }

    /// The domain of the address (for the Message-ID).
    pub fn domain(&self) -> &str {
        self.email
            .as_str()
            .rsplit_once('@')
            .map_or("localhost", |(_, domain)| domain)
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "\"{}\" <{}>", name.replace('"', "'"), self.email),
            None => write!(f, "{}", self.email),
        }
    }
}

/// Why a message cannot be queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidMessage {
    #[error("a message needs at least one recipient")]
    NoRecipient,
    #[error("the {0} must be one line")]
    LineBreak(&'static str),
    #[error("{0} is not a valid header name")]
    HeaderName(String),
    #[error("the {0} header is written by the mailer and cannot be set")]
    ReservedHeader(String),
    #[error("{0}")]
    Syntax(String),
}

/// Headers the mailer writes from the message's own fields.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

fn single_line(what: &'static str, text: &str) -> Result<(), InvalidMessage> {
    if text.contains(['\r', '\n', '\0']) {
        return Err(InvalidMessage::LineBreak(what));
    }
    Ok(())
}

/// What a feature hands to the mailer: who, what, and both parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    account: Option<AccountId>,
    kind: String,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    to: Vec<Mailbox>,
    subject: String,
    headers: Vec<(String, String)>,
    text: String,
    html: Option<String>,
}

impl OutboxMessage {
    /// `kind` names what the message is for (`resubscribe_confirmation`, `test_send`, …), so
    /// the outbox can be read by purpose.
    pub fn new(
        kind: &str,
        from: Mailbox,
        to: Vec<Mailbox>,
        subject: &str,
        text: &str,
    ) -> Result<Self, InvalidMessage> {
        if to.is_empty() {
            return Err(InvalidMessage::NoRecipient);
        }
        if kind.is_empty()
            || !kind
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
        {
            return Err(InvalidMessage::Syntax(format!(
                "{kind:?} is not a valid message kind"
            )));
        }
        single_line("subject", subject)?;
        Ok(Self {
            account: None,
            kind: kind.to_string(),
            from,
            reply_to: None,
            to,
            subject: subject.to_string(),
            headers: Vec::new(),
            text: text.to_string(),
            html: None,
        })
    }

    /// The account the message is sent for (None for server mail).
    pub fn for_account(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    pub fn with_html(mut self, html: &str) -> Self {
        self.html = Some(html.to_string());
        self
    }

    pub fn with_reply_to(mut self, reply_to: Mailbox) -> Self {
        self.reply_to = Some(reply_to);
        self
    }

    /// Adds a header such as `List-Unsubscribe`. Names are RFC 5322 field names; the headers
    /// built from the message's fields (From, To, Subject, Date, Message-ID, MIME) are refused.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, InvalidMessage> {
        let name_ok = !name.is_empty()
            && name.len() <= 76
            && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
        if !name_ok {
            return Err(InvalidMessage::HeaderName(name.to_string()));
        }
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(InvalidMessage::ReservedHeader(name.to_string()));
        }
        single_line("header value", value)?;
        self.headers.push((name.to_string(), value.to_string()));
        Ok(self)
    }

    pub fn account(&self) -> Option<AccountId> {
        self.account
    }
    pub fn kind(&self) -> &str {
        &self.kind
    }
    pub fn from(&self) -> &Mailbox {
        &self.from
    }
    pub fn reply_to(&self) -> Option<&Mailbox> {
        self.reply_to.as_ref()
    }
    pub fn to(&self) -> &[Mailbox] {
        &self.to
    }
    pub fn subject(&self) -> &str {
        &self.subject
    }
    /// The extra headers, in the order they were added.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn html(&self) -> Option<&str> {
        self.html.as_deref()
    }
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting for a worker (first attempt, or a retry once `due_at` has passed).
    Queued,
    /// Claimed by a worker until `due_at` (its lease); claimable again after that.
    Sending,
    /// The relay accepted it.
    Sent,
    /// The relay refused it permanently, or every attempt failed.
    Failed,
}

impl OutboxState {
    pub const ALL: [OutboxState; 4] = [Self::Queued, Self::Sending, Self::Sent, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for OutboxState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Proof of a claim: only the worker holding the current lease can record the outcome, so a
/// worker whose lease expired (and whose message another worker took over) changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lease(pub Uuid);

impl Lease {
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }
}

/// A message as the outbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: OutboxId,
    /// The RFC 5322 `Message-ID`, angle brackets included; fixed at enqueue time, so a resend
    /// after a crash carries the same one and the recipient's system can recognise it.
    pub message_id: String,
    pub message: OutboxMessage,
    pub state: OutboxState,
    /// Delivery attempts started (a claim counts, so an attempt cut short by a crash counts).
    pub attempts: u32,
    /// The relay's last reply (or the connection error), verbatim.
    pub last_reply: Option<String>,
    /// Queued: the earliest next attempt. Sending: when the lease expires.
    pub due_at: Timestamp,
    pub lease: Option<Lease>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When it was sent or finally failed.
    pub finished_at: Option<Timestamp>,
}

impl OutboxEntry {
    /// A message newly queued, due at once.
    pub fn queue(message: OutboxMessage, now: Timestamp) -> Self {
        let id = OutboxId::generate();
        let message_id = format!("<{}@{}>", id.0.simple(), message.from().domain());
        Self {
            id,
            message_id,
            message,
            state: OutboxState::Queued,
            attempts: 0,
            last_reply: None,
            due_at: now,
            lease: None,
            created_at: now,
            updated_at: now,
            finished_at: None,
        }
    }
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Accepted by the relay (its reply).
    Sent { reply: String },
    /// A transient failure (4xx, or the relay was out of reach): queued again, due at `at`.
    Retry { reply: String, at: Timestamp },
    /// A permanent failure (5xx), or the last allowed attempt failed.
    Failed { reply: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(text: &str) -> Mailbox {
        Mailbox::address(EmailAddress::parse(text).unwrap())
    }

    fn message() -> OutboxMessage {
        OutboxMessage::new(
            "test_send",
            mailbox("from@example.com"),
            vec![mailbox("to@example.com")],
            "Hello",
            "Hi",
        )
        .unwrap()
    }

    #[test]
    fn refuses_header_injection_and_reserved_headers() {
        assert_eq!(
            message().with_header("X-Tag", "a\r\nBcc: x@example.com"),
            Err(InvalidMessage::LineBreak("header value"))
        );
        assert_eq!(
            message().with_header("Message-Id", "<x@y>"),
            Err(InvalidMessage::ReservedHeader("Message-Id".into()))
        );
        assert!(matches!(
            message().with_header("Bad Name", "v"),
            Err(InvalidMessage::HeaderName(_))
        ));
        assert!(OutboxMessage::new(
            "test_send",
            mailbox("from@example.com"),
            vec![mailbox("to@example.com")],
            "Hello\nBcc: x@example.com",
            "Hi",
        )
        .is_err());
        assert!(Mailbox::new(
            Some("Na\r\nBcc: x@example.com"),
            EmailAddress::parse("a@example.com").unwrap()
        )
        .is_err());
        assert!(message()
            .with_header("List-Unsubscribe", "<https://x.example/u>")
            .is_ok());
    }

    #[test]
    fn needs_a_recipient() {
        assert_eq!(
            OutboxMessage::new("test_send", mailbox("from@example.com"), vec![], "s", "t"),
            Err(InvalidMessage::NoRecipient)
        );
    }

    #[test]
    fn message_ids_are_unique_and_use_the_sender_domain() {
        let a = OutboxEntry::queue(message(), Timestamp::now());
        let b = OutboxEntry::queue(message(), Timestamp::now());
        assert_ne!(a.message_id, b.message_id);
        assert!(a.message_id.starts_with('<') && a.message_id.ends_with("@example.com>"));
    }

    #[test]
    fn states_round_trip() {
        for state in OutboxState::ALL {
            assert_eq!(OutboxState::parse(state.as_str()), Some(state));
        }
        assert_eq!(OutboxState::parse("lost"), None);
    }
}
