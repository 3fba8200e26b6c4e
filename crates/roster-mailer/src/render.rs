//! An outbox entry as the RFC 5322 message that goes to the relay: Date (the enqueue time),
//! the fixed Message-ID, From/Reply-To/To, Subject, MIME-Version, the extra headers, and a
//! text part, or `multipart/alternative` with text and HTML. A resend renders the same headers.

use std::time::{Duration, SystemTime};

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{MultiPart, SinglePart};
use lettre::Message;
use roster_domain::outbox::{Mailbox, OutboxEntry};

/// The entry cannot be written as a message (the relay would never see it).
#[derive(Debug, thiserror::Error)]
#[error("the message cannot be encoded: {0}")]
pub struct RenderError(String);

fn mailbox(mailbox: &Mailbox) -> Result<lettre::message::Mailbox, RenderError> {
    let address = mailbox
        .email
        .as_str()
        .parse()
        .map_err(|e| RenderError(format!("{}: {e}", mailbox.email)))?;
    Ok(lettre::message::Mailbox::new(mailbox.name.clone(), address))
}

/// The message lettre sends for `entry`.
pub fn to_message(entry: &OutboxEntry) -> Result<Message, RenderError> {
    let message = &entry.message;
    let created = SystemTime::UNIX_EPOCH
        + Duration::from_millis(u64::try_from(entry.created_at.millis()).unwrap_or(0));
    let mut builder = Message::builder()
        .message_id(Some(entry.message_id.clone()))
        .date(created)
        .from(mailbox(message.from())?)
        .subject(message.subject());
    if let Some(reply_to) = message.reply_to() {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for to in message.to() {
        builder = builder.to(mailbox(to)?);
    }
    for (name, value) in message.headers() {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| RenderError(format!("{name} is not a header name")))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    let built = match message.html() {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            message.text().to_string(),
            html.to_string(),
        )),
        None => builder.singlepart(SinglePart::plain(message.text().to_string())),
    };
    built.map_err(|e| RenderError(e.to_string()))
}

/// The message as text, exactly as it would go to the relay (for `roster outbox show`).
pub fn to_rfc5322(entry: &OutboxEntry) -> Result<String, RenderError> {
    Ok(String::from_utf8_lossy(&to_message(entry)?.formatted()).into_owned())
}
