//! Email campaigns (docs/CAMPAIGNS.md). A campaign is a named container whose status is its
//! primary activity's; creating one creates two activities, `primary_email` (the content, the
//! headers and the recipients) and `permalink` (the public web copy). Campaigns created through
//! the API are custom-code emails (format 5) of type NEWSLETTER (10).

use serde::{Deserialize, Serialize};

use crate::account_services::{
    address_text, country_code, MAX_ADDRESS_LINE_LEN, MAX_CITY_LEN, MAX_ORGANIZATION_NAME_LEN,
    MAX_POSTAL_CODE_LEN, MAX_STATE_NAME_LEN,
};
use crate::{region, CampaignActivityId, CampaignId, FieldError, ListId, SegmentId, Timestamp};

pub const MAX_CAMPAIGN_NAME_LEN: usize = 80;
pub const MAX_FROM_NAME_LEN: usize = 100;
/// `from_email` and `reply_to_email`.
pub const MAX_SENDER_ADDRESS_LEN: usize = 80;
pub const MAX_PREHEADER_LEN: usize = 200;
pub const MAX_HTML_CONTENT_LEN: usize = 150_000;
/// Roster's limit (the official document states none): campaigns that are not Removed.
pub const MAX_LIVE_CAMPAIGNS_PER_ACCOUNT: u32 = 10_000;
/// The lists one activity may be sent to: an account has at most 1,000 lists.
pub const MAX_LISTS_PER_ACTIVITY: usize = 1_000;
/// The one format the API creates: custom code.
pub const CUSTOM_CODE_FORMAT: i64 = 5;
/// `type` and `type_code` of a campaign created through the API.
pub const NEWSLETTER_TYPE: &str = "NEWSLETTER";
pub const NEWSLETTER_TYPE_CODE: i64 = 10;

/// Where a campaign or activity stands (REMAINING-OPERATIONS.md §2.2). The campaign shows it in
/// title case (`Draft`), its activities in upper case (`DRAFT`), as the document does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignStatus {
    Draft,
    Scheduled,
    Executing,
    Done,
    Error,
    Removed,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 6] = [
        Self::Draft,
        Self::Scheduled,
        Self::Executing,
        Self::Done,
        Self::Error,
        Self::Removed,
    ];

    /// The activity's spelling, which is also the stored one.
    pub fn activity_name(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Scheduled => "SCHEDULED",
            Self::Executing => "EXECUTING",
            Self::Done => "DONE",
            Self::Error => "ERROR",
            Self::Removed => "REMOVED",
        }
    }

    /// The campaign's spelling.
    pub fn campaign_name(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Scheduled => "Scheduled",
            Self::Executing => "Executing",
            Self::Done => "Done",
            Self::Error => "Error",
            Self::Removed => "Removed",
        }
    }

    pub fn parse_stored(text: &str) -> Option<CampaignStatus> {
        Self::ALL.into_iter().find(|s| s.activity_name() == text)
    }

    /// PUT on the primary activity: in DRAFT or DONE only (the spec; the scheduling guide's
    /// narrower "DONE for format 3 only" is not followed: docs/CAMPAIGNS.md).
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Done)
    }
}

/// What an activity is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityRole {
    PrimaryEmail,
    Permalink,
    Resend,
}

impl ActivityRole {
    pub const ALL: [ActivityRole; 3] = [Self::PrimaryEmail, Self::Permalink, Self::Resend];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PrimaryEmail => "primary_email",
            Self::Permalink => "permalink",
            Self::Resend => "resend",
        }
    }

    pub fn parse_stored(text: &str) -> Option<ActivityRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// An activity as its campaign lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityReference {
    pub id: CampaignActivityId,
    pub role: ActivityRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailCampaign {
    pub id: CampaignId,
    pub name: String,
    /// The primary activity's status.
    pub status: CampaignStatus,
    /// What DELETE found, so that `roster campaigns restore` can put it back.
    pub status_before_removal: Option<CampaignStatus>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// 10 (newsletter), or 57 while its primary activity carries an A/B test.
    pub type_code: i64,
    /// `primary_email` first, then `permalink`, then a `resend` if there is one.
    pub activities: Vec<ActivityReference>,
}

/// `physical_address_in_footer` (`EmailPhysicalAddress`). `country_name` and `state_name` are
/// read-only on the wire and derived from the codes when shown, so they are not kept. Stored as
/// this type's JSON (its field names are the stored text).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FooterAddress {
    pub organization_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub address_optional: Option<String>,
    pub city: Option<String>,
    pub state_code: Option<String>,
    pub state_non_us_name: Option<String>,
    pub postal_code: Option<String>,
    /// Upper-case ISO 3166-1 alpha-2.
    pub country_code: String,
}

/// `physical_address_in_footer` as sent (each property as text, if present), before the rules.
#[derive(Debug, Clone, Default)]
pub struct FooterAddressDraft {
    pub organization_name: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub address_optional: Option<String>,
    pub city: Option<String>,
    pub state_code: Option<String>,
    pub state_non_us_name: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
}

impl FooterAddressDraft {
    /// The official schema's rules: `organization_name`, `address_line1` and `country_code`
    /// required, `state_code` required when the country is US and, where given for a country
    /// with states (US, CA), one of its states. A CA address without a state is accepted, as
    /// the schema asks for a state in the US only. Problems are named under `prefix`.
    pub fn validate(self, prefix: &str) -> Result<FooterAddress, Vec<FieldError>> {
        let mut problems = Vec::new();
        let field = |name: &str| format!("{prefix}{name}");
        let mut text = |name: &str, value: Option<String>, max: usize, required: bool| {
            address_text(&mut problems, field(name), value, max, required)
        };
        let organization_name = text(
            "organization_name",
            self.organization_name,
            MAX_ORGANIZATION_NAME_LEN,
            true,
        );
        let line1 = text(
            "address_line1",
            self.address_line1,
            MAX_ADDRESS_LINE_LEN,
            true,
        );
        let line2 = text(
            "address_line2",
            self.address_line2,
            MAX_ADDRESS_LINE_LEN,
            false,
        );
        let line3 = text(
            "address_line3",
            self.address_line3,
            MAX_ADDRESS_LINE_LEN,
            false,
        );
        let optional = text(
            "address_optional",
            self.address_optional,
            MAX_ADDRESS_LINE_LEN,
            false,
        );
        let city = text("city", self.city, MAX_CITY_LEN, false);
        let state_code = text("state_code", self.state_code, 2, false);
        let state_non_us_name = text(
            "state_non_us_name",
            self.state_non_us_name,
            MAX_STATE_NAME_LEN,
            false,
        );
        let postal_code = text("postal_code", self.postal_code, MAX_POSTAL_CODE_LEN, false);
        let country = text("country_code", self.country_code, 2, true);
        let country = country.and_then(|c| match country_code(&field("country_code"), &c) {
            Ok(code) => Some(code),
            Err(problem) => {
                problems.push(problem);
                None
            }
        });
        let state_code = state_code.map(|s| s.to_ascii_uppercase());
        if let Some(country) = country.as_deref() {
            match state_code.as_deref() {
                None if country == "US" => problems.push(FieldError::new(
                    field("state_code"),
                    "is required when country_code is US",
                )),
                Some(state) if region::has_states(country) && !region::is_state(country, state) => {
                    problems.push(FieldError::new(
                        field("state_code"),
                        format!("is not a state code of {country}"),
                    ))
                }
                Some(_) if region::has_states(country) => {}
                Some(_) => problems.push(FieldError::new(
                    field("state_code"),
                    "is only used when country_code is US or CA; use state_non_us_name",
                )),
                None => {}
            }
        }
        match (organization_name, line1, country) {
            (Some(organization_name), Some(address_line1), Some(country_code))
                if problems.is_empty() =>
            {
                Ok(FooterAddress {
                    organization_name,
                    address_line1,
                    address_line2: line2,
                    address_line3: line3,
                    address_optional: optional,
                    city,
                    state_code,
                    state_non_us_name,
                    postal_code,
                    country_code,
                })
            }
            _ => Err(problems),
        }
    }
}

/// `document_properties`: the legacy formats' (1 and 2) settings. Roster creates format 5 only,
/// for which Constant Contact ignores them; they are kept as sent (validated) and shown back,
/// stored as this type's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentProperties {
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

/// Who an activity is sent to: lists or one segment, never both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recipients {
    pub contact_list_ids: Vec<ListId>,
    pub segment_ids: Vec<SegmentId>,
}

/// The headers and the content of an activity, as create and PUT give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityContent {
    pub from_name: String,
    pub from_email: String,
    pub reply_to_email: String,
    pub subject: String,
    pub preheader: Option<String>,
    pub html_content: String,
    pub physical_address_in_footer: Option<FooterAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignActivity {
    pub id: CampaignActivityId,
    pub campaign_id: CampaignId,
    pub role: ActivityRole,
    pub status: CampaignStatus,
    pub format_type: i64,
    pub content: ActivityContent,
    pub document_properties: Option<DocumentProperties>,
    pub recipients: Recipients,
    /// Not stored (the column stays empty): the HTTP layer fills it when answering, once the
    /// activity has been sent, from the server's public URL (docs/TRACKING.md, "Permalink").
    pub permalink_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// POST /emails, checked: the campaign's name and its one activity's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInput {
    pub name: String,
    pub content: ActivityContent,
}

/// PUT /emails/activities/{id}: what the body sets. Omitted sub-resources (`None`) keep their
/// stored value; top-level properties are all overwritten (`preheader` and the recipients
/// become empty when omitted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityUpdate {
    pub from_name: String,
    pub from_email: String,
    pub reply_to_email: String,
    pub subject: String,
    pub preheader: Option<String>,
    pub html_content: Option<String>,
    pub physical_address_in_footer: Option<FooterAddress>,
    pub document_properties: Option<DocumentProperties>,
    pub recipients: Recipients,
}

/// A new campaign with its two activities, both DRAFT.
pub fn create_campaign(
    input: CampaignInput,
    now: Timestamp,
) -> (EmailCampaign, [CampaignActivity; 2]) {
    let campaign_id = CampaignId::generate();
    let activity = |role: ActivityRole| CampaignActivity {
        id: CampaignActivityId::generate(),
        campaign_id,
        role,
        status: CampaignStatus::Draft,
        format_type: CUSTOM_CODE_FORMAT,
        content: input.content.clone(),
        document_properties: None,
        recipients: Recipients::default(),
        permalink_url: None,
        created_at: now,
        updated_at: now,
    };
    let activities = [
        activity(ActivityRole::PrimaryEmail),
        activity(ActivityRole::Permalink),
    ];
    let campaign = EmailCampaign {
        id: campaign_id,
        name: input.name,
        status: CampaignStatus::Draft,
        status_before_removal: None,
        created_at: now,
        updated_at: now,
        type_code: NEWSLETTER_TYPE_CODE,
        activities: activities
            .iter()
            .map(|a| ActivityReference {
                id: a.id,
                role: a.role,
            })
            .collect(),
    };
    (campaign, activities)
}

impl CampaignActivity {
    /// The activity after PUT: every top-level property from `update`, each omitted
    /// sub-resource as it was.
    pub fn updated(&self, update: ActivityUpdate, now: Timestamp) -> CampaignActivity {
        let content = ActivityContent {
            from_name: update.from_name,
            from_email: update.from_email,
            reply_to_email: update.reply_to_email,
            subject: update.subject,
            preheader: update.preheader,
            html_content: update
                .html_content
                .unwrap_or_else(|| self.content.html_content.clone()),
            physical_address_in_footer: update
                .physical_address_in_footer
                .or_else(|| self.content.physical_address_in_footer.clone()),
        };
        CampaignActivity {
            content,
            document_properties: update
                .document_properties
                .or_else(|| self.document_properties.clone()),
            recipients: update.recipients,
            updated_at: now,
            ..self.clone()
        }
    }
}

/// Recipients as sent: lists or a single segment, never both; duplicates dropped.
pub fn check_recipients(
    lists: Vec<ListId>,
    segments: Vec<SegmentId>,
) -> Result<Recipients, Vec<FieldError>> {
    let mut problems = Vec::new();
    if !lists.is_empty() && !segments.is_empty() {
        problems.push(FieldError::new(
            "segment_ids",
            "cannot be used together with contact_list_ids",
        ));
    }
    if segments.len() > 1 {
        problems.push(FieldError::new(
            "segment_ids",
            "must contain a single segment_id",
        ));
    }
    let mut unique_lists: Vec<ListId> = Vec::with_capacity(lists.len());
    for list in lists {
        if !unique_lists.contains(&list) {
            unique_lists.push(list);
        }
    }
    if unique_lists.len() > MAX_LISTS_PER_ACTIVITY {
        problems.push(FieldError::new(
            "contact_list_ids",
            format!("must name at most {MAX_LISTS_PER_ACTIVITY} lists"),
        ));
    }
    if problems.is_empty() {
        Ok(Recipients {
            contact_list_ids: unique_lists,
            segment_ids: segments,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> ActivityContent {
        ActivityContent {
            from_name: "Ann".into(),
            from_email: "ann@example.com".into(),
            reply_to_email: "ann@example.com".into(),
            subject: "Hello".into(),
            preheader: Some("pre".into()),
            html_content: "<html><body>[[trackingImage]]Hi</body></html>".into(),
            physical_address_in_footer: None,
        }
    }

    #[test]
    fn a_new_campaign_has_a_draft_primary_email_and_permalink() {
        let (campaign, activities) = create_campaign(
            CampaignInput {
                name: "Spring".into(),
                content: content(),
            },
            Timestamp::now(),
        );
        assert_eq!(campaign.status.campaign_name(), "Draft");
        assert_eq!(activities[0].status.activity_name(), "DRAFT");
        let roles: Vec<_> = campaign
            .activities
            .iter()
            .map(|a| a.role.as_str())
            .collect();
        assert_eq!(roles, ["primary_email", "permalink"]);
        assert!(activities.iter().all(|a| a.campaign_id == campaign.id));
        assert_eq!(activities[0].format_type, CUSTOM_CODE_FORMAT);
    }

    #[test]
    fn put_overwrites_top_level_properties_and_keeps_omitted_sub_resources() {
        let (_, [primary, _]) = create_campaign(
            CampaignInput {
                name: "Spring".into(),
                content: ActivityContent {
                    physical_address_in_footer: Some(FooterAddress {
                        organization_name: "Org".into(),
                        address_line1: "1 Main St".into(),
                        country_code: "CA".into(),
                        ..FooterAddress::default()
                    }),
                    ..content()
                },
            },
            Timestamp::now(),
        );
        let update = ActivityUpdate {
            from_name: "Bob".into(),
            from_email: "bob@example.com".into(),
            reply_to_email: "bob@example.com".into(),
            subject: "New".into(),
            preheader: None,
            html_content: None,
            physical_address_in_footer: None,
            document_properties: None,
            recipients: Recipients::default(),
        };
        let updated = primary.updated(update, Timestamp::now());
        assert_eq!(updated.content.from_name, "Bob");
        assert_eq!(updated.content.preheader, None);
        assert_eq!(updated.content.html_content, primary.content.html_content);
        assert_eq!(
            updated.content.physical_address_in_footer,
            primary.content.physical_address_in_footer
        );
    }

    #[test]
    fn recipients_are_lists_or_one_segment() {
        let list = ListId::generate();
        assert!(check_recipients(vec![list], vec![SegmentId(1)]).is_err());
        assert!(check_recipients(vec![], vec![SegmentId(1), SegmentId(2)]).is_err());
        let ok = check_recipients(vec![list, list], vec![]).unwrap();
        assert_eq!(ok.contact_list_ids, vec![list]);
    }

    #[test]
    fn statuses_round_trip_and_gate_put() {
        for status in CampaignStatus::ALL {
            assert_eq!(
                CampaignStatus::parse_stored(status.activity_name()),
                Some(status)
            );
        }
        assert!(CampaignStatus::Done.editable());
        assert!(!CampaignStatus::Error.editable());
    }
}
