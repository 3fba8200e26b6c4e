//! The inbound SMTP listener's settings, and which recipients it takes mail for.

use std::time::Duration;

use roster_mailer::BounceAddress;

use crate::MAX_MESSAGE_BYTES;

/// How the listener behaves (`roster serve --bounce-smtp-bind`, docs/TRACKING.md).
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// `--bounce-address`: mail is taken for its VERP forms, the address itself, and the
    /// domain's `postmaster` and `abuse`; anything else is refused, so nothing is relayed.
    pub bounce_address: BounceAddress,
    /// The name in the greeting and the EHLO reply.
    pub hostname: String,
    /// Messages larger than this are refused with 552.
    pub max_message_bytes: usize,
    /// Messages one client address may send a minute (a token bucket of that size, refilled
    /// over the minute); beyond it MAIL FROM answers 450 until a token is back.
    pub messages_per_minute_per_client: u32,
    /// Connections one client address may hold at once; more are answered 421 and closed.
    pub connections_per_client: usize,
    /// Connections held at once in all.
    pub max_connections: usize,
    /// How long the listener waits for each command or each line of a message.
    pub read_timeout: Duration,
    /// Recipients one message may have.
    pub max_recipients: usize,
}

impl ListenerConfig {
    /// The defaults for `bounce_address`.
    pub fn new(bounce_address: BounceAddress) -> Self {
        Self {
            hostname: bounce_address.domain(),
            bounce_address,
            max_message_bytes: MAX_MESSAGE_BYTES,
            messages_per_minute_per_client: 60,
            connections_per_client: 10,
            max_connections: 512,
            // RFC 5321 §4.5.3.2 suggests 5 minutes per command and 10 for the message; one
            // bound for both keeps a slow client from holding a connection for long.
            read_timeout: Duration::from_secs(300),
            max_recipients: 100,
        }
    }

    /// Whether mail for `address` is taken: it must be on the bounce domain, and be the
    /// bounce address (with or without a token) or the domain's `postmaster` or `abuse`.
    pub fn accepts(&self, address: &str) -> Recipient {
        let address = address.trim().to_ascii_lowercase();
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Recipient::Relay;
        };
        if domain != self.bounce_address.domain() {
            return Recipient::Relay;
        }
        let own = self.bounce_address.id_in(&address).is_some()
            || self.bounce_address.base_address().as_deref() == Some(address.as_str())
            || matches!(local, "postmaster" | "abuse");
        if own {
            Recipient::Accepted
        } else {
            Recipient::Unknown
        }
    }
}

/// What RCPT TO makes of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Accepted,
    /// On the bounce domain, but no address Roster reads.
    Unknown,
    /// Another domain: relaying, which the listener never does.
    Relay,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bounce_addresses_are_taken() {
        let config =
            ListenerConfig::new(BounceAddress::parse("bounces@Bounce.Example.com").unwrap());
        let token = "0192f1c47b1e7c399a513f0c8e2d4b10";
        for taken in [
            format!("bounces+{token}@bounce.example.com"),
            format!("BOUNCES+{}@BOUNCE.EXAMPLE.COM", token.to_uppercase()),
            "bounces@bounce.example.com".into(),
            "postmaster@bounce.example.com".into(),
            "abuse@bounce.example.com".into(),
        ] {
            assert_eq!(config.accepts(&taken), Recipient::Accepted, "{taken}");
        }
        for unknown in [
            "someone@bounce.example.com",
            "bounces+xyz@bounce.example.com",
        ] {
            assert_eq!(config.accepts(unknown), Recipient::Unknown, "{unknown}");
        }
        for relay in [
            format!("bounces+{token}@example.com"),
            "victim@example.org".into(),
            "bounces@bounce.example.com.evil.example".into(),
            "no-at-sign".into(),
        ] {
            assert_eq!(config.accepts(&relay), Recipient::Relay, "{relay}");
        }
    }
}
