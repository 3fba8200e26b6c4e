//! The `message/delivery-status` body of a DSN (RFC 3464 §2), which mail-parser leaves opaque:
//! one group of per-message fields, then one group per recipient, groups separated by blank
//! lines. Each group is read as a header block with mail-parser's `parse_headers`, which
//! unfolds continuation lines.

use mail_parser::MessageParser;
use roster_domain::bounce::{EnhancedStatus, SmtpReply};

/// What the reporting MTA did for one recipient (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Not delivered, and no further attempt will be made: the one a bounce is about.
    Failed,
    /// Not delivered yet; attempts go on (a warning, not a bounce).
    Delayed,
    Delivered,
    Relayed,
    Expanded,
    /// A value RFC 3464 does not define.
    Other,
}

impl Action {
    fn parse(text: &str) -> Self {
        // "failed (bad destination mailbox)": a comment may follow the value.
        let word = text.split_whitespace().next().unwrap_or("");
        match word.to_ascii_lowercase().as_str() {
            "failed" => Self::Failed,
            "delayed" => Self::Delayed,
            "delivered" => Self::Delivered,
            "relayed" => Self::Relayed,
            "expanded" => Self::Expanded,
            _ => Self::Other,
        }
    }
}

/// One per-recipient group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    /// `Final-Recipient`'s address (required by RFC 3464).
    pub final_recipient: Option<String>,
    /// `Original-Recipient`'s address, the one the sender gave, when the MTA kept it.
    pub original_recipient: Option<String>,
    pub action: Action,
    pub status: Option<EnhancedStatus>,
    /// `Diagnostic-Code` as written, without its type (`smtp; `), unfolded.
    pub diagnostic: Option<String>,
    /// The diagnostic read as an SMTP reply, when it is one.
    pub reply: Option<SmtpReply>,
}

impl RecipientStatus {
    /// Whether this recipient names `address` (final or original, case-insensitively).
    pub fn names(&self, address: &str) -> bool {
        [&self.final_recipient, &self.original_recipient]
            .into_iter()
            .flatten()
            .any(|a| a.eq_ignore_ascii_case(address))
    }
}

/// A parsed `message/delivery-status` body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryStatus {
    /// Message-IDs of the original message some MTAs add to the per-message fields
    /// (Gmail's `X-Original-Message-ID`).
    pub original_message_ids: Vec<String>,
    /// The original envelope sender, where the MTA names it (Postfix's `X-Postfix-Sender`).
    pub original_senders: Vec<String>,
    pub recipients: Vec<RecipientStatus>,
}

/// The address of an address-typed field (`rfc822; a@b.example`, `rfc822;<a@b.example>`).
fn typed_address(value: &str) -> Option<String> {
    let address = match value.split_once(';') {
        Some((_kind, address)) => address,
        None => value,
    };
    let address = address
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!address.is_empty()).then(|| address.to_string())
}

/// A field's value with continuation lines joined by one space.
fn unfolded(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The groups of the body: runs of lines separated by blank lines, each ending with a blank
/// line so that it reads as a complete header block.
fn groups(body: &str) -> Vec<String> {
    let mut groups = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                current.push_str("\r\n");
                groups.push(std::mem::take(&mut current));
            }
        } else {
            current.push_str(line);
            current.push_str("\r\n");
        }
    }
    if !current.is_empty() {
        current.push_str("\r\n");
        groups.push(current);
    }
    groups
}

/// Each group's fields as (name, unfolded value), in order.
fn fields_of(group: &str) -> Vec<(String, String)> {
    let Some(parsed) = MessageParser::new().parse_headers(group.as_bytes()) else {
        return Vec::new();
    };
    parsed
        .headers_raw()
        .map(|(name, value)| (name.to_ascii_lowercase(), unfolded(value)))
        .collect()
}

fn recipient_of(fields: &[(String, String)]) -> RecipientStatus {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    };
    let diagnostic = field("diagnostic-code").map(|value| match value.split_once(';') {
        Some((_kind, text)) => text.trim().to_string(),
        None => value.trim().to_string(),
    });
    let reply = field("diagnostic-code").and_then(|value| match value.split_once(';') {
        Some((kind, text)) if kind.trim().eq_ignore_ascii_case("smtp") => SmtpReply::parse(text),
        // Not an SMTP reply (X-Postfix; connect to ...: timed out).
        Some(_) => None,
        None => SmtpReply::parse(value),
    });
    RecipientStatus {
        final_recipient: field("final-recipient").and_then(typed_address),
        original_recipient: field("original-recipient").and_then(typed_address),
        action: field("action").map(Action::parse).unwrap_or(Action::Other),
        status: field("status").and_then(EnhancedStatus::parse_prefix),
        diagnostic,
        reply,
    }
}

/// Reads a `message/delivery-status` body; None when it holds no per-recipient group (one
/// with `Final-Recipient` or `Action`).
pub fn parse_delivery_status(body: &[u8]) -> Option<DeliveryStatus> {
    let body = String::from_utf8_lossy(body);
    let mut status = DeliveryStatus::default();
    for group in groups(&body) {
        let fields = fields_of(&group);
        let is_recipient = fields
            .iter()
            .any(|(name, _)| name == "final-recipient" || name == "action");
        if is_recipient {
            status.recipients.push(recipient_of(&fields));
            continue;
        }
        for (name, value) in &fields {
            match name.as_str() {
                "x-original-message-id" => status.original_message_ids.push(value.clone()),
                "x-postfix-sender" => status.original_senders.extend(typed_address(value)),
                _ => {}
            }
        }
    }
    (!status.recipients.is_empty()).then_some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_with_their_folded_fields() {
        let body = "Reporting-MTA: dns; relay.example.com\r\n\
                    X-Postfix-Sender: rfc822;\r\n    bounces+abc@bounce.example.com\r\n\
                    \r\n\
                    Final-Recipient: rfc822; nobody@example.org\r\n\
                    Original-Recipient: rfc822;<Nobody@Example.org>\r\n\
                    Action: failed (bad mailbox)\r\n\
                    Status: 5.1.1\r\n\
                    Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address\r\n\
                    \x20   rejected: User unknown\r\n\
                    \r\n\r\n\
                    Final-Recipient: rfc822;later@example.org\r\n\
                    Action: delayed\r\n\
                    Status: 4.4.1\r\n\
                    Diagnostic-Code: X-Postfix; connect to mx.example.org: timed out\r\n";
        let status = parse_delivery_status(body.as_bytes()).unwrap();
        assert_eq!(status.original_senders, ["bounces+abc@bounce.example.com"]);
        assert_eq!(status.recipients.len(), 2);
        let first = &status.recipients[0];
        assert_eq!(first.final_recipient.as_deref(), Some("nobody@example.org"));
        assert_eq!(
            first.original_recipient.as_deref(),
            Some("Nobody@Example.org")
        );
        assert!(first.names("NOBODY@example.org"));
        assert_eq!(first.action, Action::Failed);
        assert_eq!(
            first.status.map(|s| s.to_string()).as_deref(),
            Some("5.1.1")
        );
        assert_eq!(
            first.diagnostic.as_deref(),
            Some("550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown")
        );
        let reply = first.reply.as_ref().unwrap();
        assert_eq!(reply.code, 550);
        assert!(reply.text.ends_with("User unknown"));
        let second = &status.recipients[1];
        assert_eq!(second.action, Action::Delayed);
        assert_eq!(
            second.reply, None,
            "an X-Postfix diagnostic is not an SMTP reply"
        );
        assert_eq!(
            second.diagnostic.as_deref(),
            Some("connect to mx.example.org: timed out")
        );
    }

    #[test]
    fn a_body_without_recipients_is_none() {
        assert_eq!(parse_delivery_status(b""), None);
        assert_eq!(
            parse_delivery_status(b"Reporting-MTA: dns; x\r\n\r\n"),
            None
        );
        assert_eq!(parse_delivery_status(b"\xff\xfe garbage"), None);
    }
}
