//! A message as it goes on the wire: the envelope (`MAIL FROM`, `RCPT TO`) and the RFC 5322
//! bytes, with a `DKIM-Signature` header in front when the From domain is the DKIM domain or
//! under it. Every sending path (the outbox's system mail, campaign mail) ends here, so each
//! message gets the same envelope sender rule and the same signing.

use lettre::address::Envelope;
use lettre::message::header;
use lettre::{Address, Message};
use uuid::Uuid;

use crate::dkim::DkimError;
use crate::render::RenderError;
use crate::MailerConfig;

/// Ready for `send_raw`.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
    /// Whether a DKIM signature was added.
    pub signed: bool,
}

/// Why a message cannot go out; each is the message's fault or the settings', so a retry
/// would meet it again.
#[derive(Debug, thiserror::Error)]
pub enum OutgoingError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("the envelope cannot be built: {0}")]
    Envelope(String),
    #[error(transparent)]
    Dkim(#[from] DkimError),
    #[error("the DKIM signing task stopped: {0}")]
    SigningTask(String),
}

impl MailerConfig {
    /// The envelope sender of the message with `id`: `--bounce-address` made for it (VERP),
    /// else `--mail-from`'s address.
    pub fn envelope_sender(&self, id: Uuid) -> String {
        match &self.bounce_address {
            Some(bounces) => bounces.for_id(id),
            None => self.system_from.email.as_str().to_string(),
        }
    }
}

/// The domain of the message's first From address.
fn from_domain(message: &Message) -> Option<String> {
    let from = lettre::message::Mailboxes::from(message.headers().get::<header::From>()?);
    let first = from.iter().next()?;
    Some(first.email.domain().to_string())
}

/// Seals `message` for sending: envelope sender by the rule above (for the message with `id`),
/// its recipients, and, when configured and aligned, the DKIM signature (computed on the
/// blocking pool). The bytes are the message lettre formats, so the Message-ID and Date are
/// the ones it was built with.
pub async fn seal(
    config: &MailerConfig,
    message: &Message,
    id: Uuid,
) -> Result<Outgoing, OutgoingError> {
    let sender: Address = config
        .envelope_sender(id)
        .parse()
        .map_err(|error| OutgoingError::Envelope(format!("the envelope sender: {error}")))?;
    let recipients = message.envelope().to().to_vec();
    let envelope = Envelope::new(Some(sender), recipients)
        .map_err(|error| OutgoingError::Envelope(error.to_string()))?;
    let bytes = message.formatted();
    let dkim = config
        .dkim
        .as_ref()
        .filter(|dkim| from_domain(message).is_some_and(|domain| dkim.aligned(&domain)));
    let Some(dkim) = dkim.cloned() else {
        return Ok(Outgoing {
            envelope,
            bytes,
            signed: false,
        });
    };
    // RSA signing is a millisecond of CPU: off the async workers.
    let signed = tokio::task::spawn_blocking(move || {
        let signature = dkim.signature_header(&bytes)?;
        let mut signed = Vec::with_capacity(signature.len() + bytes.len());
        signed.extend_from_slice(signature.as_bytes());
        signed.extend_from_slice(&bytes);
        Ok::<_, DkimError>(signed)
    })
    .await
    .map_err(|error| OutgoingError::SigningTask(error.to_string()))??;
    Ok(Outgoing {
        envelope,
        bytes: signed,
        signed: true,
    })
}

/// Says at start how mail will be signed and enveloped: the DNS record to publish (public by
/// nature; the key itself is never logged), and a warning when the system sender's own domain
/// is not covered by the signature.
pub(crate) fn log_settings(config: &MailerConfig) {
    if let Some(dkim) = &config.dkim {
        tracing::info!(
            dns_name = %dkim.dns_name(),
            record = %dkim.dns_record(),
            "DKIM signing on for mail from {} and its subdomains",
            dkim.domain()
        );
        if !dkim.aligned(config.system_from.domain()) {
            tracing::warn!(
                mail_from = %config.system_from.email,
                dkim_domain = dkim.domain(),
                "From domain not aligned: receivers with DMARC p=reject will refuse it"
            );
        }
    }
    if let Some(bounces) = &config.bounce_address {
        tracing::info!(bounce_address = %bounces, "envelope sender per message (VERP)");
    }
}
