//! What in an inbound message can name the message Roster sent: addresses that may be a VERP
//! bounce address (`bounces+TOKEN@domain`, whose token names the contact) and Message-IDs that
//! may be a campaign message's (`<SEND.CONTACT@domain>`). They are collected here as text;
//! the intake decides which of them are Roster's.

use mail_parser::Message;

/// Candidate references, most telling first, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// Where the report was sent (the envelope's recipients, `To`, `Delivered-To`, …) and the
    /// original message's envelope sender (its `Return-Path`, ARF's `Original-Mail-From`).
    pub addresses: Vec<String>,
    /// The original message's `Message-ID` (from the returned message or headers, or a DSN
    /// field), then the report's `In-Reply-To` and `References`.
    pub message_ids: Vec<String>,
}

impl References {
    pub fn add_address(&mut self, address: &str) {
        let address = address
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if address.contains('@')
            && !self
                .addresses
                .iter()
                .any(|a| a.eq_ignore_ascii_case(address))
        {
            self.addresses.push(address.to_string());
        }
    }

    pub fn add_message_id(&mut self, id: &str) {
        let id = id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if !id.is_empty() && !self.message_ids.iter().any(|m| m.eq_ignore_ascii_case(id)) {
            self.message_ids.push(id.to_string());
        }
    }

    /// Every address in an address-list header's raw value (`Name <a@b>, c@d`).
    pub fn add_addresses_in(&mut self, raw: &str) {
        for item in raw.split(',') {
            let item = item.trim();
            let address = match (item.rfind('<'), item.rfind('>')) {
                (Some(open), Some(close)) if open < close => &item[open + 1..close],
                _ => item,
            };
            self.add_address(address);
        }
    }

    /// Every Message-ID in a header's raw value: each `<…>`, or the whole text when it has
    /// no angle brackets (some generators omit them).
    pub fn add_message_ids_in(&mut self, raw: &str) {
        let mut rest = raw;
        let mut found = false;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            self.add_message_id(&rest[open + 1..open + close]);
            found = true;
            rest = &rest[open + close + 1..];
        }
        if !found && !raw.trim().contains(char::is_whitespace) {
            self.add_message_id(raw);
        }
    }

    /// The references in a message's own header (the report's, or the returned message's).
    pub fn add_header_references(&mut self, message: &Message<'_>, headers: &[HeaderRole]) {
        for (name, raw) in message.headers_raw() {
            for role in headers {
                if role.name().eq_ignore_ascii_case(name) {
                    match role {
                        HeaderRole::Addresses(_) => self.add_addresses_in(raw),
                        HeaderRole::MessageIds(_) => self.add_message_ids_in(raw),
                    }
                }
            }
        }
    }
}

/// A header that may carry a reference, and what kind.
#[derive(Debug, Clone, Copy)]
pub enum HeaderRole {
    Addresses(&'static str),
    MessageIds(&'static str),
}

impl HeaderRole {
    fn name(&self) -> &'static str {
        match self {
            Self::Addresses(name) | Self::MessageIds(name) => name,
        }
    }
}

/// Where the report itself was delivered: each names the VERP address when the report came
/// back to it. Relays add the first three; `To` is the report's own addressee.
pub const REPORT_ADDRESSES: &[HeaderRole] = &[
    HeaderRole::Addresses("Delivered-To"),
    HeaderRole::Addresses("X-Original-To"),
    HeaderRole::Addresses("Envelope-To"),
    HeaderRole::Addresses("To"),
];

/// The report's pointers to the message it answers (DSNs by Exim, Gmail and Microsoft 365,
/// and auto-replies, carry them).
pub const REPORT_MESSAGE_IDS: &[HeaderRole] = &[
    HeaderRole::MessageIds("In-Reply-To"),
    HeaderRole::MessageIds("References"),
];

/// The returned message's (or its headers') own: its Message-ID, and the envelope sender its
/// receiving MTA wrote down.
pub const RETURNED_MESSAGE: &[HeaderRole] = &[
    HeaderRole::MessageIds("Message-ID"),
    HeaderRole::Addresses("Return-Path"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_collected_once_without_brackets() {
        let mut references = References::default();
        references.add_addresses_in("Bounces <bounces+ab@x.example>, other@y.example");
        references.add_address("<BOUNCES+AB@X.EXAMPLE>");
        references.add_address("not an address");
        assert_eq!(
            references.addresses,
            ["bounces+ab@x.example", "other@y.example"]
        );
        references.add_message_ids_in("<a.b@c> <d@e>\r\n <a.b@c>");
        references.add_message_ids_in("8787KJ.mail@example.net");
        references.add_message_ids_in("two words");
        assert_eq!(
            references.message_ids,
            ["a.b@c", "d@e", "8787KJ.mail@example.net"]
        );
    }
}
