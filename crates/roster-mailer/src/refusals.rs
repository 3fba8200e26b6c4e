//! Bounces at send time (docs/TRACKING.md, "Bounces"): a campaign recipient the relay refused
//! permanently (5xx), or whose transient failures (4xx) used up the retries, bounced. Coded by
//! the reply (`roster_domain::bounce::code_of_send_failure`: user unknown B, mailbox full F,
//! policy Z, other X, retries used up D) and recorded as a tracking event with the suspension
//! a repeated non-existent address causes.

use lettre::transport::smtp;
use roster_domain::bounce::{code_of_send_failure, BounceTarget, RecordedBounce, SmtpReply};
use roster_domain::send::ClaimedRecipient;
use roster_domain::MailerStore;

use crate::{MailerConfig, MailerError};

/// The relay's reply in a failed delivery, read as an SMTP reply; None when there was none
/// (the relay out of reach, a timeout, a message the client could not send).
pub fn reply_of(error: &smtp::Error) -> Option<SmtpReply> {
    let code = error.status()?;
    let text = std::error::Error::source(error)
        .map(|source| source.to_string())
        .unwrap_or_default();
    SmtpReply::parse(&format!("{code} {text}"))
}

/// Records the bounce of a campaign recipient whose delivery failed with `reply`, after the
/// failure itself was recorded. `retries_exhausted`: the delivery will not be tried again.
/// Nothing is recorded for a transient failure that will be retried, nor for a reply that is
/// no failure. Called by the delivery worker for campaign recipients only: system mail
/// (confirmations, test sends) belongs to no activity.
pub async fn record_send_refusal(
    store: &dyn MailerStore,
    config: &MailerConfig,
    recipient: &ClaimedRecipient,
    reply: &SmtpReply,
    retries_exhausted: bool,
) -> Result<Option<RecordedBounce>, MailerError> {
    let Some(code) = code_of_send_failure(reply, retries_exhausted) else {
        return Ok(None);
    };
    let target = BounceTarget::from(recipient);
    let recorded = store
        .record_bounce(&target, code, config.bounce_suspension, config.clock.now())
        .await?;
    if let Some(recorded) = recorded {
        tracing::info!(send = %recipient.send, contact = %recipient.contact,
            code = recorded.code.as_str(), suspended = recorded.suspended,
            "refused at send time: bounce recorded");
    }
    Ok(recorded)
}
