//! Email campaigns and their activities: the rows. An activity keeps its footer address and
//! document properties as the domain types' JSON, its recipients as arrays of ids.

use roster_domain::ab_test::Arm;
use roster_domain::campaign::{
    ActivityContent, ActivityReference, ActivityRole, CampaignActivity, CampaignStatus,
    DocumentProperties, EmailCampaign, FooterAddress, Recipients,
};
use roster_domain::outbox::Lease;
use roster_domain::send::{ClaimedRecipient, EmailSend, RecipientEntry, SendState};
use roster_domain::{
    AccountId, CampaignActivityId, CampaignId, ContactId, ListId, SegmentId, SendId, StoreError,
    Timestamp,
};
use uuid::Uuid;

use super::convert::{corrupt, from_json, parse_enum, to_json};

fn status(text: String, what: &str) -> Result<CampaignStatus, StoreError> {
    CampaignStatus::parse_stored(&text).ok_or_else(|| corrupt(what))
}

/// Recipients as stored: the list ids and the segment ids as JSON arrays.
pub fn recipients(lists: &str, segments: &str) -> Result<Recipients, StoreError> {
    let lists: Vec<Uuid> = from_json(lists, "activity lists")?;
    let segments: Vec<i64> = from_json(segments, "activity segments")?;
    Ok(Recipients {
        contact_list_ids: lists.into_iter().map(ListId).collect(),
        segment_ids: segments.into_iter().map(SegmentId).collect(),
    })
}

/// The stored texts of recipients: the lists' ids and the segments' ids as JSON arrays.
pub fn recipients_json(recipients: &Recipients) -> (String, String) {
    let lists: Vec<Uuid> = recipients.contact_list_ids.iter().map(|l| l.0).collect();
    let segments: Vec<i64> = recipients.segment_ids.iter().map(|s| s.0).collect();
    (to_json(&lists), to_json(&segments))
}

#[derive(sqlx::FromRow)]
pub struct CampaignRow {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub status_before_removal: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub type_code: i64,
}

impl TryFrom<CampaignRow> for EmailCampaign {
    type Error = StoreError;

    fn try_from(row: CampaignRow) -> Result<Self, StoreError> {
        Ok(EmailCampaign {
            id: CampaignId(row.id),
            name: row.name,
            status: status(row.status, "campaign status")?,
            status_before_removal: parse_enum(
                row.status_before_removal,
                CampaignStatus::parse_stored,
                "campaign status",
            )?,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            type_code: row.type_code,
            activities: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ActivityReferenceRow {
    pub id: Uuid,
    pub role: String,
}

impl TryFrom<ActivityReferenceRow> for ActivityReference {
    type Error = StoreError;

    fn try_from(row: ActivityReferenceRow) -> Result<Self, StoreError> {
        Ok(ActivityReference {
            id: CampaignActivityId(row.id),
            role: ActivityRole::parse_stored(&row.role).ok_or_else(|| corrupt("activity role"))?,
        })
    }
}

/// The columns `CampaignActivityRow` reads.
pub const CAMPAIGN_ACTIVITY_COLUMNS: &str = "id, campaign_id, role, status, format_type, \
    from_name, from_email, reply_to_email, subject, preheader, html_content, footer_address, \
    document_properties, contact_list_ids, segment_ids, permalink_url, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub struct CampaignActivityRow {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub role: String,
    pub status: String,
    pub format_type: i64,
    pub from_name: String,
    pub from_email: String,
    pub reply_to_email: String,
    pub subject: String,
    pub preheader: Option<String>,
    pub html_content: String,
    pub footer_address: Option<String>,
    pub document_properties: Option<String>,
    pub contact_list_ids: String,
    pub segment_ids: String,
    pub permalink_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<CampaignActivityRow> for CampaignActivity {
    type Error = StoreError;

    fn try_from(row: CampaignActivityRow) -> Result<Self, StoreError> {
        let footer = row
            .footer_address
            .map(|text| from_json::<FooterAddress>(&text, "footer address"))
            .transpose()?;
        let properties = row
            .document_properties
            .map(|text| from_json::<DocumentProperties>(&text, "document properties"))
            .transpose()?;
        let recipients = recipients(&row.contact_list_ids, &row.segment_ids)?;
        Ok(CampaignActivity {
            id: CampaignActivityId(row.id),
            campaign_id: CampaignId(row.campaign_id),
            role: ActivityRole::parse_stored(&row.role).ok_or_else(|| corrupt("activity role"))?,
            status: status(row.status, "activity status")?,
            format_type: row.format_type,
            content: ActivityContent {
                from_name: row.from_name,
                from_email: row.from_email,
                reply_to_email: row.reply_to_email,
                subject: row.subject,
                preheader: row.preheader,
                html_content: row.html_content,
                physical_address_in_footer: footer,
            },
            document_properties: properties,
            recipients,
            permalink_url: row.permalink_url,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        })
    }
}

/// The stored texts of an activity's documents, in the order of the insert's columns.
pub struct ActivityDocuments {
    pub footer_address: Option<String>,
    pub document_properties: Option<String>,
    pub contact_list_ids: String,
    pub segment_ids: String,
}

impl ActivityDocuments {
    pub fn of(activity: &CampaignActivity) -> Self {
        let (contact_list_ids, segment_ids) = recipients_json(&activity.recipients);
        ActivityDocuments {
            footer_address: activity
                .content
                .physical_address_in_footer
                .as_ref()
                .map(to_json),
            document_properties: activity.document_properties.as_ref().map(to_json),
            contact_list_ids,
            segment_ids,
        }
    }
}

/// The columns `EmailSendRow` reads, from `email_sends s`.
pub const EMAIL_SEND_COLUMNS: &str = "s.id, s.campaign_activity_id, s.send_number, \
    s.contact_list_ids, s.segment_ids, s.state, s.reason_code, s.recipient_count, \
    s.started_at, s.finished_at, \
    (SELECT COUNT(*) FROM email_send_recipients r WHERE r.send_id = s.id AND r.state = 'sent') \
    AS sent, \
    (SELECT COUNT(*) FROM email_send_recipients r WHERE r.send_id = s.id AND r.state = 'failed') \
    AS failed";

#[derive(sqlx::FromRow)]
pub struct EmailSendRow {
    pub id: Uuid,
    pub campaign_activity_id: Uuid,
    pub send_number: i64,
    pub contact_list_ids: String,
    pub segment_ids: String,
    pub state: String,
    pub reason_code: i64,
    pub recipient_count: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub sent: i64,
    pub failed: i64,
}

impl TryFrom<EmailSendRow> for EmailSend {
    type Error = StoreError;

    fn try_from(row: EmailSendRow) -> Result<Self, StoreError> {
        let count = |n: i64| u64::try_from(n).map_err(|_| corrupt("send count"));
        Ok(EmailSend {
            id: SendId(row.id),
            activity: CampaignActivityId(row.campaign_activity_id),
            number: u32::try_from(row.send_number).map_err(|_| corrupt("send number"))?,
            recipients: recipients(&row.contact_list_ids, &row.segment_ids)?,
            state: SendState::parse(&row.state).ok_or_else(|| corrupt("send state"))?,
            reason_code: row.reason_code,
            recipient_count: count(row.recipient_count)?,
            sent: count(row.sent)?,
            failed: count(row.failed)?,
            started_at: Timestamp::from_millis(row.started_at),
            finished_at: row.finished_at.map(Timestamp::from_millis),
        })
    }
}

/// The columns `ClaimedRecipientRow` reads from `email_send_recipients`.
pub const CLAIMED_RECIPIENT_COLUMNS: &str = "account_id, send_id, campaign_activity_id, \
    contact_id, email, attempts, lease_token, send_number, subject_arm";

#[derive(sqlx::FromRow)]
pub struct ClaimedRecipientRow {
    pub account_id: Uuid,
    pub send_id: Uuid,
    pub campaign_activity_id: Uuid,
    pub contact_id: Uuid,
    pub email: String,
    pub attempts: i64,
    pub lease_token: Option<Uuid>,
    pub send_number: i64,
    pub subject_arm: Option<String>,
}

impl TryFrom<ClaimedRecipientRow> for ClaimedRecipient {
    type Error = StoreError;

    fn try_from(row: ClaimedRecipientRow) -> Result<Self, StoreError> {
        Ok(ClaimedRecipient {
            account: AccountId(row.account_id),
            send: SendId(row.send_id),
            send_number: u32::try_from(row.send_number).map_err(|_| corrupt("send number"))?,
            activity: CampaignActivityId(row.campaign_activity_id),
            contact: ContactId(row.contact_id),
            email: row.email,
            attempts: u32::try_from(row.attempts).map_err(|_| corrupt("attempts"))?,
            lease: Lease(
                row.lease_token
                    .ok_or_else(|| corrupt("claimed recipient's lease"))?,
            ),
            subject_arm: match row.subject_arm {
                Some(arm) => Some(Arm::parse_stored(&arm).ok_or_else(|| corrupt("subject arm"))?),
                None => None,
            },
        })
    }
}

/// The columns `RecipientEntryRow` reads from `email_send_recipients`.
/// (the claimed columns, `subject_arm` included, so `roster outbox show` renders the subject
/// the recipient's arm gets).
pub const RECIPIENT_ENTRY_COLUMNS: &str = "account_id, send_id, campaign_activity_id, \
    contact_id, email, attempts, lease_token, send_number, subject_arm, state, last_reply, \
    updated_at";

#[derive(sqlx::FromRow)]
pub struct RecipientEntryRow {
    #[sqlx(flatten)]
    pub recipient: ClaimedRecipientRow,
    pub state: String,
    pub last_reply: Option<String>,
    pub updated_at: i64,
}

impl TryFrom<RecipientEntryRow> for RecipientEntry {
    type Error = StoreError;

    fn try_from(mut row: RecipientEntryRow) -> Result<Self, StoreError> {
        // No lease is held once a delivery is recorded: the nil lease says so.
        row.recipient.lease_token = Some(row.recipient.lease_token.unwrap_or(Uuid::nil()));
        Ok(RecipientEntry {
            recipient: row.recipient.try_into()?,
            state: row.state,
            last_reply: row.last_reply,
            updated_at: Timestamp::from_millis(row.updated_at),
        })
    }
}
