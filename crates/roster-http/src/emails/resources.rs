//! Email campaigns and their activities as the V3 document shows them: the campaign in title
//! case (`Draft`), its activities in upper case (`DRAFT`).

use roster_domain::ab_test::{AB_TEST_TYPE, AB_TEST_TYPE_CODE};
use roster_domain::campaign::{
    CampaignActivity, DocumentProperties, EmailCampaign, FooterAddress, NEWSLETTER_TYPE,
};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::{date_time, PageLinks};

/// `campaign_activities[]` of a campaign.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ActivityReferenceResource {
    campaign_activity_id: String,
    role: &'static str,
}

/// The `type` of a `type_code`: the two Roster's campaigns have.
fn campaign_type(code: i64) -> &'static str {
    if code == AB_TEST_TYPE_CODE {
        AB_TEST_TYPE
    } else {
        NEWSLETTER_TYPE
    }
}

/// GET /emails/{campaign_id}, POST /emails and PATCH /emails/{campaign_id} (`EmailCampaign`).
#[derive(Serialize, ToSchema)]
pub struct CampaignResource {
    campaign_id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    type_code: i64,
    current_status: &'static str,
    created_at: String,
    updated_at: String,
    campaign_activities: Vec<ActivityReferenceResource>,
}

impl CampaignResource {
    pub fn new(campaign: &EmailCampaign) -> Self {
        CampaignResource {
            campaign_id: campaign.id.to_string(),
            name: campaign.name.clone(),
            kind: campaign_type(campaign.type_code),
            type_code: campaign.type_code,
            current_status: campaign.status.campaign_name(),
            created_at: date_time(campaign.created_at),
            updated_at: date_time(campaign.updated_at),
            campaign_activities: campaign
                .activities
                .iter()
                .map(|a| ActivityReferenceResource {
                    campaign_activity_id: a.id.to_string(),
                    role: a.role.as_str(),
                })
                .collect(),
        }
    }
}

/// An item of GET /emails (`EmailCampaigns`): no activities.
#[derive(Serialize, ToSchema)]
pub struct CampaignSummary {
    campaign_id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    type_code: i64,
    current_status: &'static str,
    created_at: String,
    updated_at: String,
}

impl CampaignSummary {
    pub fn new(campaign: &EmailCampaign) -> Self {
        CampaignSummary {
            campaign_id: campaign.id.to_string(),
            name: campaign.name.clone(),
            kind: campaign_type(campaign.type_code),
            type_code: campaign.type_code,
            current_status: campaign.status.campaign_name(),
            created_at: date_time(campaign.created_at),
            updated_at: date_time(campaign.updated_at),
        }
    }
}

/// GET /emails (`PagedEmailCampaignResponse`).
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct CampaignCollection {
    pub(super) campaigns: Vec<CampaignSummary>,
    pub(super) _links: Option<PageLinks>,
}

/// `physical_address_in_footer` (`EmailPhysicalAddress`). The read-only `country_name` and
/// `state_name` are not shown (docs/CAMPAIGNS.md).
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct FooterAddressResource {
    organization_name: String,
    address_line1: String,
    address_line2: Option<String>,
    address_line3: Option<String>,
    address_optional: Option<String>,
    city: Option<String>,
    state_code: Option<String>,
    state_non_us_name: Option<String>,
    postal_code: Option<String>,
    country_code: String,
}

impl From<&FooterAddress> for FooterAddressResource {
    fn from(address: &FooterAddress) -> Self {
        let address = address.clone();
        FooterAddressResource {
            organization_name: address.organization_name,
            address_line1: address.address_line1,
            address_line2: address.address_line2,
            address_line3: address.address_line3,
            address_optional: address.address_optional,
            city: address.city,
            state_code: address.state_code,
            state_non_us_name: address.state_non_us_name,
            postal_code: address.postal_code,
            country_code: address.country_code,
        }
    }
}

/// `document_properties`, as they were sent.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct DocumentPropertiesResource {
    style_content: Option<String>,
    letter_format: Option<String>,
    greeting_salutation: Option<String>,
    greeting_name_type: Option<String>,
    greeting_secondary: Option<String>,
    subscribe_link_enabled: Option<String>,
    subscribe_link_name: Option<String>,
    text_content: Option<String>,
    permission_reminder_enabled: Option<String>,
    permission_reminder: Option<String>,
    view_as_webpage_enabled: Option<String>,
    view_as_webpage_text: Option<String>,
    view_as_webpage_link_name: Option<String>,
    forward_email_link_enabled: Option<String>,
    forward_email_link_name: Option<String>,
}

impl From<&DocumentProperties> for DocumentPropertiesResource {
    fn from(properties: &DocumentProperties) -> Self {
        let p = properties.clone();
        DocumentPropertiesResource {
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

/// The sub-resources GET /emails/activities/{id} shows only when `include` names them.
#[derive(Debug, Clone, Copy, Default)]
pub struct ActivityIncludes {
    pub physical_address_in_footer: bool,
    pub permalink_url: bool,
    pub html_content: bool,
    pub document_properties: bool,
}

impl ActivityIncludes {
    pub const NAMES: [&'static str; 4] = [
        "physical_address_in_footer",
        "permalink_url",
        "html_content",
        "document_properties",
    ];

    /// Everything: what PUT answers with.
    pub const ALL: ActivityIncludes = ActivityIncludes {
        physical_address_in_footer: true,
        permalink_url: true,
        html_content: true,
        document_properties: true,
    };

    pub fn set(&mut self, name: &str) {
        match name {
            "physical_address_in_footer" => self.physical_address_in_footer = true,
            "permalink_url" => self.permalink_url = true,
            "html_content" => self.html_content = true,
            _ => self.document_properties = true,
        }
    }
}

/// GET and PUT /emails/activities/{campaign_activity_id} (`EmailCampaignActivity`).
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ActivityResource {
    campaign_activity_id: String,
    campaign_id: String,
    role: &'static str,
    contact_list_ids: Vec<String>,
    segment_ids: Vec<i64>,
    current_status: &'static str,
    format_type: i64,
    from_email: String,
    from_name: String,
    reply_to_email: String,
    subject: String,
    preheader: Option<String>,
    html_content: Option<String>,
    permalink_url: Option<String>,
    physical_address_in_footer: Option<FooterAddressResource>,
    document_properties: Option<DocumentPropertiesResource>,
}

impl ActivityResource {
    pub fn new(activity: &CampaignActivity, include: ActivityIncludes) -> Self {
        let content = &activity.content;
        ActivityResource {
            campaign_activity_id: activity.id.to_string(),
            campaign_id: activity.campaign_id.to_string(),
            role: activity.role.as_str(),
            contact_list_ids: activity
                .recipients
                .contact_list_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            segment_ids: activity
                .recipients
                .segment_ids
                .iter()
                .map(|s| s.0)
                .collect(),
            current_status: activity.status.activity_name(),
            format_type: activity.format_type,
            from_email: content.from_email.clone(),
            from_name: content.from_name.clone(),
            reply_to_email: content.reply_to_email.clone(),
            subject: content.subject.clone(),
            preheader: content.preheader.clone(),
            html_content: include.html_content.then(|| content.html_content.clone()),
            permalink_url: activity
                .permalink_url
                .clone()
                .filter(|_| include.permalink_url),
            physical_address_in_footer: content
                .physical_address_in_footer
                .as_ref()
                .filter(|_| include.physical_address_in_footer)
                .map(FooterAddressResource::from),
            document_properties: activity
                .document_properties
                .as_ref()
                .filter(|_| include.document_properties)
                .map(DocumentPropertiesResource::from),
        }
    }
}

/// GET /emails/activities/{campaign_activity_id}/previews (`EmailCampaignActivityPreview`).
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ActivityPreview {
    pub(super) campaign_activity_id: String,
    pub(super) from_email: String,
    pub(super) from_name: String,
    pub(super) reply_to_email: String,
    pub(super) subject: String,
    pub(super) preheader: Option<String>,
    pub(super) preview_html_content: String,
    pub(super) preview_text_content: String,
}
