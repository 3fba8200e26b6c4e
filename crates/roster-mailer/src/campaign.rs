//! Campaign mail: one recipient of a send, rendered when it is sent. Nothing rendered is
//! stored per recipient; the message is built from the claimed recipient row, the activity and
//! the contact as they are now, with the campaign renderer (roster-render), the one path that
//! previews and test sends take too. What every recipient of a send shares (the parsed
//! content, the footer, the account's details and custom fields) is loaded once per send and
//! kept while the send runs: an activity cannot be edited while it is EXECUTING. The send's
//! tracked links are rewritten then too, once (`tracking`), and the message is prepared
//! (roster-render's `PreparedMessage`: style rules inlined and the text part generated once);
//! per recipient, the values, the pixel, the links and the click tokens are filled in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use roster_domain::ab_test::Arm;
use roster_domain::account_services::{AccountProfile, PhysicalAddress};
use roster_domain::contact::Contact;
use roster_domain::custom_field::CustomField;
use roster_domain::outbox::{Mailbox, OutboxEntry, OutboxMessage, OutboxState};
use roster_domain::send::ClaimedRecipient;
use roster_domain::{EmailAddress, MailerStore, OutboxId, SendId, StoreError, Timestamp};
use roster_render::{
    tracked_urls, AccountDetails, CampaignContent, FooterAddress, PreparedMessage, Recipient,
    RecipientLinks,
};

use crate::tracking::{open_url_of, rewrite_links, tracking_image, ClickPlaceholders};
use crate::CampaignLinks;

/// The `kind` campaign mail is recorded under in logs and `roster outbox`.
pub const CAMPAIGN_KIND: &str = "campaign";

/// Why a recipient's message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// Nothing about this recipient will change on a retry: the message fails.
    #[error("{0}")]
    Permanent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What every message of one send shares.
struct SendContext {
    message: PreparedMessage,
    profile: AccountProfile,
    address: Option<PhysicalAddress>,
    custom_fields: Vec<CustomField>,
    from: Mailbox,
    reply_to: Mailbox,
    /// The placeholders of the tracked links in `content.html`, when it has any.
    clicks: Option<ClickPlaceholders>,
}

/// What a `SendContext` is cached under: its send, and the subject arm of an A/B test's
/// recipients (whose messages differ only in the subject).
type ContextKey = (SendId, Option<Arm>);

/// Builds campaign messages, keeping each running send's shared parts.
#[derive(Default)]
pub(crate) struct Composer {
    /// By send, and by subject arm within a send that mails an A/B test's two arms.
    sends: Mutex<HashMap<ContextKey, Arc<SendContext>>>,
    /// Where tracking links point and what signs them; None: no tracking (nor any campaign
    /// mail: its unsubscribe link needs them too).
    links: Option<CampaignLinks>,
}

/// A cache this size holds every send a node runs at once; beyond it, it starts afresh.
const CACHED_SENDS: usize = 64;

fn permanent(what: impl Into<String>) -> ComposeError {
    ComposeError::Permanent(what.into())
}

fn mailbox(name: Option<&str>, address: &str, what: &str) -> Result<Mailbox, ComposeError> {
    let email = EmailAddress::parse(address)
        .map_err(|_| permanent(format!("the {what} {address:?} is not an email address")))?;
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    Mailbox::new(name, email).map_err(|e| permanent(format!("the {what}: {e}")))
}

impl Composer {
    pub(crate) fn new(links: Option<CampaignLinks>) -> Self {
        Self {
            sends: Mutex::default(),
            links,
        }
    }

    async fn context(
        &self,
        store: &dyn MailerStore,
        recipient: &ClaimedRecipient,
    ) -> Result<Arc<SendContext>, ComposeError> {
        if let Ok(sends) = self.sends.lock() {
            if let Some(context) = sends.get(&(recipient.send, recipient.subject_arm)) {
                return Ok(context.clone());
            }
        }
        let account = recipient.account;
        let activity = store
            .campaign_activity(account, recipient.activity)
            .await?
            .ok_or_else(|| permanent("the campaign activity no longer exists"))?;
        let profile = store
            .account_profile(account)
            .await?
            .ok_or_else(|| permanent("the account no longer exists"))?;
        let address = store.physical_address(account).await?;
        let custom_fields = store.all_custom_fields(account).await?;
        let mut headers = activity.content.clone();
        if recipient.subject_arm == Some(Arm::B) {
            let test = store.ab_test(account, recipient.activity).await?;
            headers.subject = test
                .ok_or_else(|| permanent("the A/B test of arm B no longer exists"))?
                .alternative_subject;
        }
        let headers = &headers;
        let content = CampaignContent::check(
            "",
            &headers.subject,
            headers.preheader.as_deref(),
            &headers.html_content,
            None,
        )
        .map_err(|problems| {
            let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
            permanent(format!(
                "the content cannot be rendered: {}",
                reasons.join(" ")
            ))
        })?;
        let mut content = content;
        let mut clicks = None;
        if let Some(links) = &self.links {
            let (html, public_url) = (&headers.html_content, &links.public_url);
            let urls = tracked_urls(html, public_url).map_err(|e| permanent(e.to_string()))?;
            if !urls.is_empty() {
                let ids = store
                    .activity_link_ids(account, recipient.activity, &urls)
                    .await?;
                let (html, placeholders) =
                    rewrite_links(html, public_url, &urls, &ids).map_err(permanent)?;
                content.html = html;
                clicks = Some(placeholders);
            }
        }
        let footer = FooterAddress::of_message(
            &activity,
            profile.organization_name.as_deref(),
            address.as_ref(),
        );
        let message = PreparedMessage::prepare(&content, &footer, tracking_image)
            .map_err(|e| permanent(e.to_string()))?;
        let context = Arc::new(SendContext {
            clicks,
            message,
            from: mailbox(
                Some(&headers.from_name),
                &headers.from_email,
                "from address",
            )?,
            reply_to: mailbox(None, &headers.reply_to_email, "reply-to address")?,
            profile,
            address,
            custom_fields,
        });
        if let Ok(mut sends) = self.sends.lock() {
            if sends.len() >= CACHED_SENDS {
                sends.clear();
            }
            sends.insert((recipient.send, recipient.subject_arm), context.clone());
        }
        Ok(context)
    }

    /// The message for `recipient` (its `contact` as read with the batch it was claimed in;
    /// None when it was deleted since), as an outbox entry that is never stored: the relay gets
    /// it through the same writer as every other message.
    pub(crate) async fn compose(
        &self,
        store: &dyn MailerStore,
        recipient: &ClaimedRecipient,
        contact: Option<&Contact>,
        links: RecipientLinks<'_>,
        headers: &[(String, String)],
    ) -> Result<OutboxEntry, ComposeError> {
        let context = self.context(store, recipient).await?;
        let contact = contact.ok_or_else(|| permanent("the contact no longer exists"))?;
        let details = AccountDetails {
            profile: &context.profile,
            address: context.address.as_ref(),
        };
        let personal = Recipient::contact(contact, &context.custom_fields, details);
        let open_url = self
            .links
            .as_ref()
            .map(|l| open_url_of(&l.public_url, &l.key, recipient))
            .unwrap_or_default();
        let links = RecipientLinks {
            open_url: &open_url,
            ..links
        };
        let mut rendered = context
            .message
            .fill(&personal, links)
            .map_err(|e| permanent(e.to_string()))?;
        if let (Some(clicks), Some(keys)) = (&context.clicks, &self.links) {
            rendered.html = clicks.fill(&rendered.html, &keys.key, recipient);
            rendered.text = clicks.fill(&rendered.text, &keys.key, recipient);
        }
        if rendered.exceeds_size_limit() {
            return Err(permanent("the personalised message is over 400 KB"));
        }
        let to = mailbox(None, &recipient.email, "recipient address")?;
        let mut message = OutboxMessage::new(
            CAMPAIGN_KIND,
            context.from.clone(),
            vec![to],
            &rendered.subject,
            &rendered.text,
        )
        .map_err(|e| permanent(e.to_string()))?
        .for_account(recipient.account)
        .with_html(&rendered.html)
        .with_reply_to(context.reply_to.clone());
        for (name, value) in headers {
            message = message
                .with_header(name, value)
                .map_err(|e| permanent(e.to_string()))?;
        }
        let now = Timestamp::now();
        Ok(OutboxEntry {
            id: OutboxId(recipient.contact.0),
            message_id: recipient.message_id(context.from.domain()),
            message,
            state: OutboxState::Sending,
            attempts: recipient.attempts,
            last_reply: None,
            due_at: now,
            lease: Some(recipient.lease),
            // The send's start would keep Date stable across a retry too; the time of the
            // attempt is what receivers expect of a newsletter, and the Message-ID is stable.
            created_at: now,
            updated_at: now,
            finished_at: None,
        })
    }
}
