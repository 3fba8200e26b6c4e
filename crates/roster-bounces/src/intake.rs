//! The bounce intake: what the SMTP listener and the bounce endpoint hand a message or a JSON
//! event to. It finds the message Roster sent (the Message-ID names the send and the contact,
//! the VERP token the contact), codes what happened, and records it: a bounce (with the
//! suspension a repeated non-existent address causes), a complaint (which unsubscribes the
//! contact), or nothing for a report that is no failure. What cannot be read, or names no
//! message Roster sent, is kept for the operator; it is never refused.

use std::sync::Arc;

use async_trait::async_trait;
use roster_domain::bounce::{
    classify, code_of_failed_recipient, BounceTarget, InboundChannel, RefusalReason,
    SuspensionPolicy, UnprocessedMessage, COMPLAINT_OPT_OUT_REASON,
};
use roster_domain::send::campaign_message_of;
use roster_domain::tracking::BounceCode;
use roster_domain::{BounceIntakeStore, ContactId, InboundMessageId, StoreError, Timestamp};
use roster_mailer::BounceAddress;
use uuid::Uuid;

use crate::dsn::{Action, RecipientStatus};
use crate::event::{BounceEvent, EventReference, EventType};
use crate::inbound::{InboundHandler, InboundMessage, TryLater};
use crate::references::References;
use crate::report::{read_report, FeedbackKind, Report};

/// How often a complaint is retried when the contact changed between read and write.
const ATTEMPTS: usize = 3;

/// The intake's settings.
#[derive(Debug, Clone, Default)]
pub struct IntakeSettings {
    /// `--bounce-address`, whose VERP tokens name contacts; without it only Message-IDs (and a
    /// JSON event's bare token) name messages.
    pub bounce_address: Option<BounceAddress>,
    pub suspension: SuspensionPolicy,
}

/// What taking a message or an event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A bounce recorded for the recipient.
    Bounced {
        target: BounceTarget,
        code: BounceCode,
        /// The address is suspended now (the bounce was recorded as S).
        suspended: bool,
    },
    /// A complaint recorded; the contact is unsubscribed (`unsubscribed`: by this complaint,
    /// rather than before it).
    Complained {
        target: BounceTarget,
        unsubscribed: bool,
    },
    /// Read, but nothing to record (a delay warning, a report of delivery, a feedback report
    /// that is no complaint, a contact or activity that is gone).
    Ignored { reason: String },
    /// Kept for the operator: it could not be read, or names no message Roster sent.
    Kept {
        id: InboundMessageId,
        reason: String,
    },
}

/// The bounce intake, shared by the SMTP listener and the bounce endpoint.
pub struct Intake {
    store: Arc<dyn BounceIntakeStore>,
    settings: IntakeSettings,
}

impl Intake {
    pub fn new(store: Arc<dyn BounceIntakeStore>, settings: IntakeSettings) -> Self {
        Self { store, settings }
    }

    pub fn settings(&self) -> &IntakeSettings {
        &self.settings
    }

    /// Takes one raw message (a DSN, an ARF report, an auto-reply, or anything else).
    pub async fn take_message(&self, message: InboundMessage) -> Result<Outcome, StoreError> {
        let report = match read_report(&message.raw, &message.envelope_to) {
            Ok(report) => report,
            Err(unparseable) => return self.keep(message, unparseable.to_string()).await,
        };
        let Some(target) = self.target_of(&report.references).await? else {
            return self
                .keep(message, "it names no message Roster sent".into())
                .await;
        };
        match report.report {
            Report::Delivery(recipients) => {
                let Some(failed) = failed_recipient(&recipients, &target.email) else {
                    return Ok(Outcome::Ignored {
                        reason: "the report names no failed recipient (a delay or a delivery)"
                            .into(),
                    });
                };
                let code = code_of_failed_recipient(failed.status, failed.reply.as_ref());
                self.bounce(target, code, message.received_at).await
            }
            Report::Feedback {
                kind: FeedbackKind::Abuse,
                ..
            } => self.complain(target, message.received_at).await,
            Report::Feedback { kind, .. } => Ok(Outcome::Ignored {
                reason: format!("a feedback report of type {kind:?}, not a complaint"),
            }),
            Report::AutoReply { .. } => {
                self.bounce(target, BounceCode::Vacation, message.received_at)
                    .await
            }
        }
    }

    /// Takes one JSON event; `raw` is its body, kept when it names no message Roster sent.
    pub async fn take_event(
        &self,
        event: BounceEvent,
        raw: &[u8],
        at: Timestamp,
    ) -> Result<Outcome, StoreError> {
        let target = match &event.reference {
            EventReference::MessageId(id) => match campaign_message_of(id) {
                Some((send, contact)) => self.store.bounce_target_of_message(send, contact).await?,
                None => None,
            },
            EventReference::Token(token) => match self.contact_of_token(token) {
                Some(contact) => self.store.bounce_target_of_contact(contact).await?,
                None => None,
            },
        };
        let as_message = || InboundMessage {
            raw: raw.to_vec(),
            channel: InboundChannel::Http,
            client: None,
            envelope_from: None,
            envelope_to: Vec::new(),
            received_at: at,
        };
        let Some(target) = target else {
            let reason = "it names no message Roster sent".to_string();
            return self.keep(as_message(), reason).await;
        };
        if !target.email.eq_ignore_ascii_case(event.recipient.as_str()) {
            let reason = format!(
                "its recipient {} is not the address the message was sent to",
                event.recipient
            );
            return self.keep(as_message(), reason).await;
        }
        let code = match event.kind {
            EventType::Complaint => return self.complain(target, at).await,
            EventType::Hard if event.status.is_none() && event.reply.is_none() => {
                BounceCode::NonExistent
            }
            EventType::Hard => code_of_failed_recipient(event.status, event.reply.as_ref()),
            EventType::Soft => match classify(event.status, event.reply.as_ref()) {
                RefusalReason::MailboxFull => BounceCode::MailboxFull,
                _ => BounceCode::Undeliverable,
            },
        };
        self.bounce(target, code, at).await
    }

    /// The contact a JSON event's token names: the VERP token's 32 hexadecimal digits, or a
    /// whole VERP address of this server's bounce address.
    fn contact_of_token(&self, token: &str) -> Option<ContactId> {
        let token = token.trim();
        if token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Uuid::try_parse(token).ok().map(ContactId);
        }
        let address = self.settings.bounce_address.as_ref()?;
        address.id_in(token).map(ContactId)
    }

    /// The message a report names: a campaign Message-ID whose contact the VERP address names
    /// too, else the contact's last message by the VERP token, else any campaign Message-ID.
    async fn target_of(&self, references: &References) -> Result<Option<BounceTarget>, StoreError> {
        let verp_contacts: Vec<ContactId> = match &self.settings.bounce_address {
            Some(address) => references
                .addresses
                .iter()
                .filter_map(|a| address.id_in(a).map(ContactId))
                .collect(),
            None => Vec::new(),
        };
        let messages: Vec<_> = references
            .message_ids
            .iter()
            .filter_map(|id| campaign_message_of(id))
            .collect();
        let (agreeing, others): (Vec<_>, Vec<_>) = messages
            .into_iter()
            .partition(|(_, contact)| verp_contacts.contains(contact));
        for (send, contact) in agreeing {
            if let Some(target) = self.store.bounce_target_of_message(send, contact).await? {
                return Ok(Some(target));
            }
        }
        for contact in verp_contacts {
            if let Some(target) = self.store.bounce_target_of_contact(contact).await? {
                return Ok(Some(target));
            }
        }
        for (send, contact) in others {
            if let Some(target) = self.store.bounce_target_of_message(send, contact).await? {
                return Ok(Some(target));
            }
        }
        Ok(None)
    }

    async fn bounce(
        &self,
        target: BounceTarget,
        code: BounceCode,
        at: Timestamp,
    ) -> Result<Outcome, StoreError> {
        let recorded = self
            .store
            .record_bounce(&target, code, self.settings.suspension, at)
            .await?;
        Ok(match recorded {
            Some(recorded) => {
                tracing::info!(activity = %target.activity, contact = %target.contact,
                    code = recorded.code.as_str(), suspended = recorded.suspended,
                    "bounce recorded");
                Outcome::Bounced {
                    target,
                    code: recorded.code,
                    suspended: recorded.suspended,
                }
            }
            None => gone(),
        })
    }

    /// Records a complaint and unsubscribes the contact (the Contact's own opt-out: the
    /// recipient told their mailbox provider they do not want the mail).
    async fn complain(&self, target: BounceTarget, at: Timestamp) -> Result<Outcome, StoreError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let Some(contact) = self
                .store
                .contact(target.account, target.contact)
                .await?
                .filter(|c| c.deleted_at.is_none())
            else {
                return Ok(gone());
            };
            let unsubscribed =
                contact.unsubscribed_by_contact(Some(COMPLAINT_OPT_OUT_REASON.into()), at);
            match self
                .store
                .record_complaint(&target, unsubscribed.as_ref(), contact.updated_at, at)
                .await
            {
                Ok(true) => {
                    tracing::info!(activity = %target.activity, contact = %target.contact,
                        "complaint recorded; contact unsubscribed");
                    return Ok(Outcome::Complained {
                        target,
                        unsubscribed: unsubscribed.is_some(),
                    });
                }
                Ok(false) => return Ok(gone()),
                Err(StoreError::Conflict(_)) if attempts < ATTEMPTS => continue,
                Err(error) => return Err(error),
            }
        }
    }

    async fn keep(&self, message: InboundMessage, reason: String) -> Result<Outcome, StoreError> {
        let kept = UnprocessedMessage {
            id: InboundMessageId::generate(),
            received_at: message.received_at,
            channel: message.channel,
            client: message.client.map(|ip| ip.to_string()),
            envelope_from: message.envelope_from,
            envelope_to: message.envelope_to,
            reason: reason.clone(),
            raw: message.raw,
        };
        self.store.keep_unprocessed(&kept).await?;
        tracing::warn!(id = %kept.id, channel = kept.channel.as_str(), reason,
            "an inbound message could not be processed; kept");
        Ok(Outcome::Kept {
            id: kept.id,
            reason,
        })
    }
}

fn gone() -> Outcome {
    Outcome::Ignored {
        reason: "the contact or the campaign activity is gone".into(),
    }
}

/// The failed recipient a DSN reports for `email` (the address Roster mailed), or its first
/// failed recipient when none names it (a relay may have rewritten the address).
fn failed_recipient<'r>(
    recipients: &'r [RecipientStatus],
    email: &str,
) -> Option<&'r RecipientStatus> {
    let mut failed = recipients.iter().filter(|r| r.action == Action::Failed);
    let first = failed.clone().next();
    failed.find(|r| r.names(email)).or(first)
}

#[async_trait]
impl InboundHandler for Intake {
    async fn take(&self, message: InboundMessage) -> Result<(), TryLater> {
        match self.take_message(message).await {
            Ok(_) => Ok(()),
            Err(error) => Err(TryLater(error.to_string())),
        }
    }
}
