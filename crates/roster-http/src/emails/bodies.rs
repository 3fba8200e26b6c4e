//! The request bodies of the Email Campaigns operations: POST /emails
//! (`EmailCampaignComplete`), PATCH /emails/{campaign_id} (`EmailCampaignName`) and PUT
//! /emails/activities/{campaign_activity_id} (`EmailCampaignActivity`), parsed into these types,
//! which also give the document its schemas, then checked into the domain's inputs with every
//! problem reported at once. Read-only properties are ignored, as are unknown ones.

use roster_domain::campaign::{
    check_recipients, ActivityContent, ActivityUpdate, CampaignInput, DocumentProperties,
    FooterAddress, FooterAddressDraft, Recipients, CUSTOM_CODE_FORMAT, MAX_CAMPAIGN_NAME_LEN,
    MAX_FROM_NAME_LEN, MAX_HTML_CONTENT_LEN, MAX_LISTS_PER_ACTIVITY, MAX_PREHEADER_LEN,
    MAX_SENDER_ADDRESS_LEN,
};
use roster_domain::{ListId, SegmentId};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::field::non_blank_name;
use crate::wire::{Check, Field, LooseInteger, Problems};

/// Subjects have no documented limit; a subject is one header line, kept to a sane size.
const MAX_SUBJECT_LEN: usize = 1_000;
/// `document_properties.text_content` and `style_content`.
const MAX_DOCUMENT_TEXT_LEN: usize = 150_000;

/// POST /emails
#[derive(Deserialize, ToSchema)]
pub struct CampaignCreateBody {
    #[schema(value_type = String, max_length = 80)]
    name: Field<String>,
    /// Exactly one activity.
    #[schema(value_type = Vec<ActivityInputBody>)]
    email_campaign_activities: Field<Vec<Field<ActivityInputBody>>>,
}

/// One item of `email_campaign_activities` (`EmailCampaignActivityInput`).
#[derive(Deserialize, ToSchema)]
pub struct ActivityInputBody {
    #[schema(value_type = i32)]
    format_type: Field<i64>,
    #[schema(value_type = String, max_length = 100)]
    from_name: Field<String>,
    #[schema(value_type = String, max_length = 80)]
    from_email: Field<String>,
    #[schema(value_type = String, max_length = 80)]
    reply_to_email: Field<String>,
    #[schema(value_type = String)]
    subject: Field<String>,
    #[schema(value_type = String, required = false, max_length = 200)]
    preheader: Field<String>,
    #[schema(value_type = String, max_length = 150000)]
    html_content: Field<String>,
    #[schema(value_type = FooterAddressBody, required = false)]
    physical_address_in_footer: Field<FooterAddressBody>,
}

/// `physical_address_in_footer` (`EmailPhysicalAddress`); `country_name` and `state_name` are
/// read-only and ignored.
#[derive(Deserialize, ToSchema)]
pub struct FooterAddressBody {
    #[schema(value_type = String)]
    organization_name: Field<String>,
    #[schema(value_type = String)]
    address_line1: Field<String>,
    #[schema(value_type = String, required = false)]
    address_line2: Field<String>,
    #[schema(value_type = String, required = false)]
    address_line3: Field<String>,
    #[schema(value_type = String, required = false)]
    address_optional: Field<String>,
    #[schema(value_type = String, required = false)]
    city: Field<String>,
    #[schema(value_type = String, required = false)]
    state_code: Field<String>,
    #[schema(value_type = String, required = false)]
    state_non_us_name: Field<String>,
    #[schema(value_type = String, required = false)]
    postal_code: Field<String>,
    #[schema(value_type = String)]
    country_code: Field<String>,
}

impl FooterAddressBody {
    fn check(c: &mut Check<'_>, body: Self) -> Option<FooterAddress> {
        let mut typed = true;
        // The lengths and the required properties are the domain's rules.
        let mut text = |c: &mut Check<'_>, name: &str, field: Field<String>| {
            let present = field.is_present();
            let value = c.string(name, field, usize::MAX);
            typed &= value.is_some() || !present;
            value
        };
        let draft = FooterAddressDraft {
            organization_name: text(c, "organization_name", body.organization_name),
            address_line1: text(c, "address_line1", body.address_line1),
            address_line2: text(c, "address_line2", body.address_line2),
            address_line3: text(c, "address_line3", body.address_line3),
            address_optional: text(c, "address_optional", body.address_optional),
            city: text(c, "city", body.city),
            state_code: text(c, "state_code", body.state_code),
            state_non_us_name: text(c, "state_non_us_name", body.state_non_us_name),
            postal_code: text(c, "postal_code", body.postal_code),
            country_code: text(c, "country_code", body.country_code),
        };
        // A property of the wrong type is reported as such, not also as missing.
        if !typed {
            return None;
        }
        let prefix = format!("{}.", c.path(""));
        match draft.validate(&prefix) {
            Ok(address) => Some(address),
            Err(problems) => {
                problems.into_iter().for_each(|p| c.push(p));
                None
            }
        }
    }
}

/// The sender headers and subject every activity body carries.
struct Headers {
    from_name: String,
    from_email: String,
    reply_to_email: String,
    subject: String,
}

fn headers(
    c: &mut Check<'_>,
    from_name: Field<String>,
    from_email: Field<String>,
    reply_to_email: Field<String>,
    subject: Field<String>,
) -> Option<Headers> {
    let from_name = c.required_string("from_name", from_name, MAX_FROM_NAME_LEN);
    let from_email = c.required_string("from_email", from_email, MAX_SENDER_ADDRESS_LEN);
    let reply_to_email =
        c.required_string("reply_to_email", reply_to_email, MAX_SENDER_ADDRESS_LEN);
    let subject = c.required_string("subject", subject, MAX_SUBJECT_LEN);
    let mut not_blank = |name: &str, value: Option<String>| match value {
        Some(text) if text.trim().is_empty() => {
            c.error(name, "must not be blank");
            None
        }
        other => other.map(|text| text.trim().to_string()),
    };
    Some(Headers {
        from_name: not_blank("from_name", from_name)?,
        from_email: not_blank("from_email", from_email)?,
        reply_to_email: not_blank("reply_to_email", reply_to_email)?,
        subject: not_blank("subject", subject)?,
    })
}

impl ActivityInputBody {
    fn check(c: &mut Check<'_>, body: Self) -> Option<ActivityContent> {
        let format_sent = body.format_type.is_present();
        match c.integer("format_type", body.format_type) {
            Some(CUSTOM_CODE_FORMAT) => {}
            Some(_) => c.error(
                "format_type",
                "must be 5 (custom code): the other formats need Constant Contact's editors",
            ),
            None if !format_sent => c.error("format_type", "is required"),
            None => {}
        }
        let headers = headers(
            c,
            body.from_name,
            body.from_email,
            body.reply_to_email,
            body.subject,
        );
        let preheader = c.string("preheader", body.preheader, MAX_PREHEADER_LEN);
        let html_content =
            c.required_string("html_content", body.html_content, MAX_HTML_CONTENT_LEN);
        let footer = c
            .object(
                "physical_address_in_footer",
                body.physical_address_in_footer,
                FooterAddressBody::check,
            )
            .flatten();
        let headers = headers?;
        Some(ActivityContent {
            from_name: headers.from_name,
            from_email: headers.from_email,
            reply_to_email: headers.reply_to_email,
            subject: headers.subject,
            preheader,
            html_content: html_content?,
            physical_address_in_footer: footer,
        })
    }
}

impl TryFrom<CampaignCreateBody> for CampaignInput {
    type Error = ApiError;

    fn try_from(body: CampaignCreateBody) -> Result<Self, ApiError> {
        let input = Problems::run(|c| {
            let name = c.required_string("name", body.name, MAX_CAMPAIGN_NAME_LEN);
            match &body.email_campaign_activities {
                Field::Absent => c.error("email_campaign_activities", "is required"),
                Field::Given(items) if items.is_empty() => c.error(
                    "email_campaign_activities",
                    "must contain exactly one activity",
                ),
                _ => {}
            }
            let content = c
                .objects(
                    "email_campaign_activities",
                    body.email_campaign_activities,
                    1,
                    ActivityInputBody::check,
                )
                .and_then(|mut activities| activities.pop());
            Some(CampaignInput {
                name: name?,
                content: content?,
            })
        })?;
        Ok(CampaignInput {
            name: non_blank_name(input.name)?,
            ..input
        })
    }
}

/// PATCH /emails/{campaign_id}
#[derive(Deserialize, ToSchema)]
pub struct CampaignNameBody {
    #[schema(value_type = String, max_length = 80)]
    name: Field<String>,
}

/// The new name, trimmed and not blank.
pub(super) struct CampaignRename {
    pub(super) name: String,
}

impl TryFrom<CampaignNameBody> for CampaignRename {
    type Error = ApiError;

    fn try_from(body: CampaignNameBody) -> Result<Self, ApiError> {
        let name = Problems::run(|c| c.required_string("name", body.name, MAX_CAMPAIGN_NAME_LEN))?;
        Ok(CampaignRename {
            name: non_blank_name(name)?,
        })
    }
}

/// `document_properties` (formats 1 and 2 in Constant Contact; kept as sent in Roster).
/// `letter_format` is read-only and ignored.
#[derive(Deserialize, ToSchema)]
pub struct DocumentPropertiesBody {
    #[schema(value_type = String, required = false, max_length = 150000)]
    style_content: Field<String>,
    #[schema(value_type = String, required = false, max_length = 50)]
    greeting_salutation: Field<String>,
    /// `F`, `L`, `B` or `N`.
    #[schema(value_type = String, required = false)]
    greeting_name_type: Field<String>,
    #[schema(value_type = String, required = false, max_length = 1500)]
    greeting_secondary: Field<String>,
    /// `"true"` or `"false"`.
    #[schema(value_type = String, required = false)]
    subscribe_link_enabled: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    subscribe_link_name: Field<String>,
    #[schema(value_type = String, required = false, max_length = 150000)]
    text_content: Field<String>,
    /// `"true"` or `"false"`.
    #[schema(value_type = String, required = false)]
    permission_reminder_enabled: Field<String>,
    #[schema(value_type = String, required = false, max_length = 1500)]
    permission_reminder: Field<String>,
    /// `"true"` or `"false"`.
    #[schema(value_type = String, required = false)]
    view_as_webpage_enabled: Field<String>,
    #[schema(value_type = String, required = false, max_length = 50)]
    view_as_webpage_text: Field<String>,
    #[schema(value_type = String, required = false, max_length = 50)]
    view_as_webpage_link_name: Field<String>,
    /// `"true"` or `"false"`.
    #[schema(value_type = String, required = false)]
    forward_email_link_enabled: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    forward_email_link_name: Field<String>,
}

const FLAGS: [&str; 2] = ["true", "false"];
const GREETING_NAME_TYPES: [&str; 4] = ["F", "L", "B", "N"];

impl DocumentPropertiesBody {
    fn check(c: &mut Check<'_>, body: Self) -> DocumentProperties {
        let one_of = |c: &mut Check<'_>, name: &str, field: Field<String>, allowed: &[&str]| {
            c.enumerated(name, field, allowed, |text| {
                allowed.contains(&text).then(|| text.to_string())
            })
        };
        DocumentProperties {
            style_content: c.string("style_content", body.style_content, MAX_DOCUMENT_TEXT_LEN),
            letter_format: None,
            greeting_salutation: c.string("greeting_salutation", body.greeting_salutation, 50),
            greeting_name_type: one_of(
                c,
                "greeting_name_type",
                body.greeting_name_type,
                &GREETING_NAME_TYPES,
            ),
            greeting_secondary: c.string("greeting_secondary", body.greeting_secondary, 1500),
            subscribe_link_enabled: one_of(
                c,
                "subscribe_link_enabled",
                body.subscribe_link_enabled,
                &FLAGS,
            ),
            subscribe_link_name: c.string("subscribe_link_name", body.subscribe_link_name, 80),
            text_content: c.string("text_content", body.text_content, MAX_DOCUMENT_TEXT_LEN),
            permission_reminder_enabled: one_of(
                c,
                "permission_reminder_enabled",
                body.permission_reminder_enabled,
                &FLAGS,
            ),
            permission_reminder: c.string("permission_reminder", body.permission_reminder, 1500),
            view_as_webpage_enabled: one_of(
                c,
                "view_as_webpage_enabled",
                body.view_as_webpage_enabled,
                &FLAGS,
            ),
            view_as_webpage_text: c.string("view_as_webpage_text", body.view_as_webpage_text, 50),
            view_as_webpage_link_name: c.string(
                "view_as_webpage_link_name",
                body.view_as_webpage_link_name,
                50,
            ),
            forward_email_link_enabled: one_of(
                c,
                "forward_email_link_enabled",
                body.forward_email_link_enabled,
                &FLAGS,
            ),
            forward_email_link_name: c.string(
                "forward_email_link_name",
                body.forward_email_link_name,
                80,
            ),
        }
    }
}

/// PUT /emails/activities/{campaign_activity_id} (`EmailCampaignActivity`). The read-only
/// properties (`campaign_activity_id`, `campaign_id`, `role`, `current_status`, `format_type`,
/// `permalink_url`) and `document_id` are ignored.
#[derive(Deserialize, ToSchema)]
pub struct ActivityUpdateBody {
    #[schema(value_type = String, max_length = 100)]
    from_name: Field<String>,
    #[schema(value_type = String, max_length = 80)]
    from_email: Field<String>,
    #[schema(value_type = String, max_length = 80)]
    reply_to_email: Field<String>,
    #[schema(value_type = String)]
    subject: Field<String>,
    #[schema(value_type = String, required = false, max_length = 200)]
    preheader: Field<String>,
    #[schema(value_type = String, required = false, max_length = 150000)]
    html_content: Field<String>,
    #[schema(value_type = FooterAddressBody, required = false)]
    physical_address_in_footer: Field<FooterAddressBody>,
    #[schema(value_type = DocumentPropertiesBody, required = false)]
    document_properties: Field<DocumentPropertiesBody>,
    /// List ids; never together with `segment_ids`.
    #[schema(value_type = Vec<String>, required = false)]
    contact_list_ids: Field<Vec<Value>>,
    /// A single segment id.
    #[schema(value_type = Vec<i64>, required = false)]
    segment_ids: Field<Vec<Field<LooseInteger>>>,
}

impl TryFrom<ActivityUpdateBody> for ActivityUpdate {
    type Error = ApiError;

    fn try_from(body: ActivityUpdateBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let headers = headers(
                c,
                body.from_name,
                body.from_email,
                body.reply_to_email,
                body.subject,
            );
            let preheader = c.string("preheader", body.preheader, MAX_PREHEADER_LEN);
            let html_present = body.html_content.is_present();
            let html_content = c.string("html_content", body.html_content, MAX_HTML_CONTENT_LEN);
            let footer = c
                .object(
                    "physical_address_in_footer",
                    body.physical_address_in_footer,
                    FooterAddressBody::check,
                )
                .flatten();
            let document_properties = c.object(
                "document_properties",
                body.document_properties,
                DocumentPropertiesBody::check,
            );
            // The document states no maximum; an account has at most 1,000 lists.
            let lists = c.ids::<ListId>(
                "contact_list_ids",
                body.contact_list_ids,
                MAX_LISTS_PER_ACTIVITY * 2,
            );
            let segments = c.integers("segment_ids", body.segment_ids, 1_000);
            let segments: Vec<SegmentId> = segments
                .unwrap_or_default()
                .into_iter()
                .map(SegmentId)
                .collect();
            let recipients = match check_recipients(lists.unwrap_or_default(), segments) {
                Ok(recipients) => recipients,
                Err(problems) => {
                    problems.into_iter().for_each(|p| c.push(p));
                    Recipients::default()
                }
            };
            if html_present && html_content.is_none() {
                return None;
            }
            let headers = headers?;
            Some(ActivityUpdate {
                from_name: headers.from_name,
                from_email: headers.from_email,
                reply_to_email: headers.reply_to_email,
                subject: headers.subject,
                preheader,
                html_content,
                physical_address_in_footer: footer,
                document_properties,
                recipients,
            })
        })
    }
}
