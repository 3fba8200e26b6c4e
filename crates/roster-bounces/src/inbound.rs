//! One message as it arrived at the bounce address, whichever way it came (the SMTP listener or
//! the HTTP endpoint), and what takes it in.

use std::net::IpAddr;

use async_trait::async_trait;
use roster_domain::bounce::InboundChannel;
use roster_domain::Timestamp;

/// A raw message and its envelope.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    pub raw: Vec<u8>,
    pub channel: InboundChannel,
    /// The client's address (the SMTP peer); None over HTTP.
    pub client: Option<IpAddr>,
    /// `MAIL FROM` (empty for a DSN's null sender); None over HTTP.
    pub envelope_from: Option<String>,
    /// `RCPT TO`s; empty over HTTP.
    pub envelope_to: Vec<String>,
    pub received_at: Timestamp,
}

/// The store could not take the message now; the sender should try again later (the SMTP
/// listener answers 451).
#[derive(Debug, thiserror::Error)]
#[error("the message cannot be taken in now: {0}")]
pub struct TryLater(pub String);

/// What takes an inbound message in: reads it, records what it reports, or keeps it.
#[async_trait]
pub trait InboundHandler: Send + Sync {
    async fn take(&self, message: InboundMessage) -> Result<(), TryLater>;
}
