//! Email campaigns and their activities: the rows. An activity keeps its footer address and
//! document properties as the domain types' JSON, its recipients as arrays of ids.

use roster_domain::campaign::{
    ActivityContent, ActivityReference, ActivityRole, CampaignActivity, CampaignStatus,
    DocumentProperties, EmailCampaign, FooterAddress, Recipients,
};
use roster_domain::{CampaignActivityId, CampaignId, ListId, SegmentId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::{corrupt, from_json, parse_enum, to_json};

fn status(text: String, what: &str) -> Result<CampaignStatus, StoreError> {
    CampaignStatus::parse_stored(&text).ok_or_else(|| corrupt(what))
}

#[derive(sqlx::FromRow)]
pub struct CampaignRow {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub status_before_removal: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
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
        let lists: Vec<Uuid> = from_json(&row.contact_list_ids, "activity lists")?;
        let segments: Vec<i64> = from_json(&row.segment_ids, "activity segments")?;
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
            recipients: Recipients {
                contact_list_ids: lists.into_iter().map(ListId).collect(),
                segment_ids: segments.into_iter().map(SegmentId).collect(),
            },
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
        let lists: Vec<Uuid> = activity
            .recipients
            .contact_list_ids
            .iter()
            .map(|l| l.0)
            .collect();
        let segments: Vec<i64> = activity
            .recipients
            .segment_ids
            .iter()
            .map(|s| s.0)
            .collect();
        ActivityDocuments {
            footer_address: activity
                .content
                .physical_address_in_footer
                .as_ref()
                .map(to_json),
            document_properties: activity.document_properties.as_ref().map(to_json),
            contact_list_ids: to_json(&lists),
            segment_ids: to_json(&segments),
        }
    }
}
