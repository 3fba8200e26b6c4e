//! Email campaigns and their activities: the rows, and the JSON documents an activity keeps its
//! footer address, document properties and recipients in (the field names are the stored text).

use roster_domain::campaign::{
    ActivityContent, ActivityReference, ActivityRole, CampaignActivity, CampaignStatus,
    DocumentProperties, EmailCampaign, FooterAddress, Recipients,
};
use roster_domain::{CampaignActivityId, CampaignId, ListId, SegmentId, StoreError, Timestamp};
use serde::{Deserialize, Serialize};
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

#[derive(Serialize, Deserialize)]
pub struct FooterAddressDocument {
    pub organization_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub address_optional: Option<String>,
    pub city: Option<String>,
    pub state_code: Option<String>,
    pub state_non_us_name: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: String,
}

impl From<&FooterAddress> for FooterAddressDocument {
    fn from(address: &FooterAddress) -> Self {
        let a = address.clone();
        FooterAddressDocument {
            organization_name: a.organization_name,
            address_line1: a.address_line1,
            address_line2: a.address_line2,
            address_line3: a.address_line3,
            address_optional: a.address_optional,
            city: a.city,
            state_code: a.state_code,
            state_non_us_name: a.state_non_us_name,
            postal_code: a.postal_code,
            country_code: a.country_code,
        }
    }
}

impl From<FooterAddressDocument> for FooterAddress {
    fn from(d: FooterAddressDocument) -> Self {
        FooterAddress {
            organization_name: d.organization_name,
            address_line1: d.address_line1,
            address_line2: d.address_line2,
            address_line3: d.address_line3,
            address_optional: d.address_optional,
            city: d.city,
            state_code: d.state_code,
            state_non_us_name: d.state_non_us_name,
            postal_code: d.postal_code,
            country_code: d.country_code,
        }
    }
}

/// `document_properties` as stored: the properties that were sent, by name.
#[derive(Serialize, Deserialize, Default)]
pub struct DocumentPropertiesDocument {
    pub style_content: Option<String>,
    pub letter_format: Option<String>,
    pub greeting_salutation: Option<String>,
    pub greeting_name_type: Option<String>,
    pub greeting_secondary: Option<String>,
    pub subscribe_link_enabled: Option<String>,
    pub subscribe_link_name: Option<String>,
    pub text_content: Option<String>,
    pub permission_reminder_enabled: Option<String>,
    pub permission_reminder: Option<String>,
    pub view_as_webpage_enabled: Option<String>,
    pub view_as_webpage_text: Option<String>,
    pub view_as_webpage_link_name: Option<String>,
    pub forward_email_link_enabled: Option<String>,
    pub forward_email_link_name: Option<String>,
}

impl From<&DocumentProperties> for DocumentPropertiesDocument {
    fn from(properties: &DocumentProperties) -> Self {
        let p = properties.clone();
        DocumentPropertiesDocument {
            style_content: p.style_content,
            letter_format: p.letter_format,
            greeting_salutation: p.greeting_salutation,
            greeting_name_type: p.greeting_name_type,
            greeting_secondary: p.greeting_secondary,
            subscribe_link_enabled: p.subscribe_link_enabled,
            subscribe_link_name: p.subscribe_link_name,
            text_content: p.text_content,
            permission_reminder_enabled: p.permission_reminder_enabled,
            permission_reminder: p.permission_reminder,
            view_as_webpage_enabled: p.view_as_webpage_enabled,
            view_as_webpage_text: p.view_as_webpage_text,
            view_as_webpage_link_name: p.view_as_webpage_link_name,
            forward_email_link_enabled: p.forward_email_link_enabled,
            forward_email_link_name: p.forward_email_link_name,
        }
    }
}

impl From<DocumentPropertiesDocument> for DocumentProperties {
    fn from(d: DocumentPropertiesDocument) -> Self {
        DocumentProperties {
            style_content: d.style_content,
            letter_format: d.letter_format,
            greeting_salutation: d.greeting_salutation,
            greeting_name_type: d.greeting_name_type,
            greeting_secondary: d.greeting_secondary,
            subscribe_link_enabled: d.subscribe_link_enabled,
            subscribe_link_name: d.subscribe_link_name,
            text_content: d.text_content,
            permission_reminder_enabled: d.permission_reminder_enabled,
            permission_reminder: d.permission_reminder,
            view_as_webpage_enabled: d.view_as_webpage_enabled,
            view_as_webpage_text: d.view_as_webpage_text,
            view_as_webpage_link_name: d.view_as_webpage_link_name,
            forward_email_link_enabled: d.forward_email_link_enabled,
            forward_email_link_name: d.forward_email_link_name,
        }
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
            .map(|text| from_json::<FooterAddressDocument>(&text, "footer address"))
            .transpose()?;
        let properties = row
            .document_properties
            .map(|text| from_json::<DocumentPropertiesDocument>(&text, "document properties"))
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
                physical_address_in_footer: footer.map(FooterAddress::from),
            },
            document_properties: properties.map(DocumentProperties::from),
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
                .map(|a| to_json(&FooterAddressDocument::from(a))),
            document_properties: activity
                .document_properties
                .as_ref()
                .map(|p| to_json(&DocumentPropertiesDocument::from(p))),
            contact_list_ids: to_json(&lists),
            segment_ids: to_json(&segments),
        }
    }
}
