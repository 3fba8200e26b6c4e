//! The contact side: the contact row and the links read with it (memberships, taggings,
//! custom values), resubscription requests, custom field definitions, and the ways an account
//! groups contacts (lists, tags, segments).

use roster_domain::contact::{
    Birthday, ConfirmStatus, Contact, CustomValue, EmailChannel, Permission, Source,
};
use roster_domain::contact_list::ContactList;
use roster_domain::custom_field::{CustomField, CustomFieldType};
use roster_domain::tag::Tag;
use roster_domain::{AccountId, ContactId, CustomFieldId, ListId, StoreError, TagId, Timestamp};
use uuid::Uuid;

use super::convert::{corrupt, from_json, parse_email, parse_enum, to_json};
use crate::documents::{
    domain, stored, ChoiceDocument, NoteDocument, PhoneNumberDocument, SmsChannelDocument,
    StreetAddressDocument,
};

/// The columns of `contacts` as Roster writes them.
#[derive(sqlx::FromRow)]
pub struct ContactRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub permission: Option<String>,
    pub opt_in_source: Option<String>,
    pub opt_in_date: Option<i64>,
    pub opt_out_source: Option<String>,
    pub opt_out_date: Option<i64>,
    pub opt_out_reason: Option<String>,
    pub confirm_status: Option<String>,
    pub email_created_at: Option<i64>,
    pub email_updated_at: Option<i64>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday_month: Option<i64>,
    pub birthday_day: Option<i64>,
    pub anniversary: Option<String>,
    pub create_source: String,
    pub update_source: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub phone_numbers: String,
    pub street_addresses: String,
    pub notes: String,
    pub sms_channel: Option<String>,
}

impl ContactRow {
    pub fn from_domain(contact: &Contact) -> Self {
        let email = contact.email.as_ref();
        ContactRow {
            id: contact.id.0,
            email: email.map(|e| e.address.as_str().to_string()),
            permission: email.map(|e| e.permission.as_str().to_string()),
            opt_in_source: email
                .and_then(|e| e.opt_in_source)
                .map(|s| s.as_str().to_string()),
            opt_in_date: email.and_then(|e| e.opt_in_date).map(Timestamp::millis),
            opt_out_source: email
                .and_then(|e| e.opt_out_source)
                .map(|s| s.as_str().to_string()),
            opt_out_date: email.and_then(|e| e.opt_out_date).map(Timestamp::millis),
            opt_out_reason: email.and_then(|e| e.opt_out_reason.clone()),
            confirm_status: email.map(|e| e.confirm_status.as_str().to_string()),
            email_created_at: email.map(|e| e.created_at.millis()),
            email_updated_at: email.map(|e| e.updated_at.millis()),
            first_name: contact.first_name.clone(),
            last_name: contact.last_name.clone(),
            job_title: contact.job_title.clone(),
            company_name: contact.company_name.clone(),
            birthday_month: contact.birthday.map(|b| i64::from(b.month)),
            birthday_day: contact.birthday.map(|b| i64::from(b.day)),
            anniversary: contact.anniversary.clone(),
            create_source: contact.create_source.as_str().to_string(),
            update_source: contact.update_source.as_str().to_string(),
            created_at: contact.created_at.millis(),
            updated_at: contact.updated_at.millis(),
            deleted_at: contact.deleted_at.map(Timestamp::millis),
            phone_numbers: to_json(&stored::<_, PhoneNumberDocument>(&contact.phone_numbers)),
            street_addresses: to_json(&stored::<_, StreetAddressDocument>(
                &contact.street_addresses,
            )),
            notes: to_json(&stored::<_, NoteDocument>(&contact.notes)),
            sms_channel: contact
                .sms_channel
                .as_ref()
                .map(|sms| to_json(&SmsChannelDocument::from(sms))),
        }
    }
}

/// The contact without the sub-resources kept in their own tables (lists, tags, values).
impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(row: ContactRow) -> Result<Self, StoreError> {
        let email = match row.email {
            None => None,
            Some(address) => Some(EmailChannel {
                address: parse_email(&address, "contact email")?,
                permission: parse_enum(row.permission, Permission::parse, "permission")?
                    .unwrap_or(Permission::NotSet),
                opt_in_source: parse_enum(row.opt_in_source, Source::parse, "opt-in source")?,
                opt_in_date: row.opt_in_date.map(Timestamp::from_millis),
                opt_out_source: parse_enum(row.opt_out_source, Source::parse, "opt-out source")?,
                opt_out_date: row.opt_out_date.map(Timestamp::from_millis),
                opt_out_reason: row.opt_out_reason,
                confirm_status: parse_enum(
                    row.confirm_status,
                    ConfirmStatus::parse,
                    "confirm status",
                )?
                .unwrap_or(ConfirmStatus::Off),
                created_at: Timestamp::from_millis(row.email_created_at.unwrap_or(row.created_at)),
                updated_at: Timestamp::from_millis(row.email_updated_at.unwrap_or(row.updated_at)),
            }),
        };
        let birthday = match (row.birthday_month, row.birthday_day) {
            (Some(month), Some(day)) => Some(Birthday {
                month: month as u8,
                day: day as u8,
            }),
            _ => None,
        };
        Ok(Contact {
            id: ContactId(row.id),
            email,
            first_name: row.first_name,
            last_name: row.last_name,
            job_title: row.job_title,
            company_name: row.company_name,
            birthday,
            anniversary: row.anniversary,
            create_source: Source::parse(&row.create_source)
                .ok_or_else(|| corrupt("create source"))?,
            update_source: Source::parse(&row.update_source)
                .ok_or_else(|| corrupt("update source"))?,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            deleted_at: row.deleted_at.map(Timestamp::from_millis),
            custom_fields: Vec::new(),
            phone_numbers: domain(from_json::<Vec<PhoneNumberDocument>>(
                &row.phone_numbers,
                "phone number list",
            )?),
            street_addresses: domain(from_json::<Vec<StreetAddressDocument>>(
                &row.street_addresses,
                "street address list",
            )?),
            notes: domain(from_json::<Vec<NoteDocument>>(&row.notes, "note list")?),
            list_ids: Vec::new(),
            tag_ids: Vec::new(),
            sms_channel: row
                .sms_channel
                .map(|text| from_json::<SmsChannelDocument>(&text, "SMS channel"))
                .transpose()?
                .map(Into::into),
        })
    }
}

/// A row of `contact_sql::links_query`: a membership, tagging or custom value of a contact.
#[derive(sqlx::FromRow)]
pub struct LinkRow {
    pub kind: i32,
    pub contact_id: Uuid,
    /// The list, the tag or the custom field.
    pub linked_id: Uuid,
    /// Custom values only.
    pub value: Option<String>,
    pub choice_ids: Option<String>,
}

pub fn choice_ids_text(value: &CustomValue) -> String {
    value
        .choice_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Attaches loaded sub-resource rows to the contacts they belong to.
/// Adds the links read by `contact_sql::links_query` to their contacts, in the order read.
pub fn attach(contacts: &mut [Contact], links: Vec<LinkRow>) {
    use crate::contact_sql::{LINK_CUSTOM_VALUE, LINK_LIST, LINK_TAG};
    let mut index: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for (position, contact) in contacts.iter().enumerate() {
        index.insert(contact.id.0, position);
    }
    for row in links {
        let Some(&at) = index.get(&row.contact_id) else {
            continue;
        };
        let contact = &mut contacts[at];
        match row.kind {
            LINK_LIST => contact.list_ids.push(ListId(row.linked_id)),
            LINK_TAG => contact.tag_ids.push(TagId(row.linked_id)),
            LINK_CUSTOM_VALUE => contact.custom_fields.push(CustomValue {
                custom_field_id: CustomFieldId(row.linked_id),
                value: row.value.unwrap_or_default(),
                choice_ids: row
                    .choice_ids
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|id| id.parse().ok())
                    .collect(),
            }),
            _ => {}
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct ResubscriptionRow {
    pub account_id: Uuid,
    pub contact_id: Uuid,
    pub token_sha256: String,
    pub list_ids: String,
    pub requested_at: i64,
    pub confirmed_at: Option<i64>,
    pub declined_at: Option<i64>,
}

/// The list ids of a resubscription request as stored (a JSON array of UUIDs).
pub fn resubscription_list_ids(request: &roster_domain::resubscription::Resubscription) -> String {
    let ids: Vec<Uuid> = request.list_ids.iter().map(|l| l.0).collect();
    to_json(&ids)
}

impl TryFrom<ResubscriptionRow> for roster_domain::resubscription::Resubscription {
    type Error = StoreError;

    fn try_from(row: ResubscriptionRow) -> Result<Self, StoreError> {
        let lists: Vec<Uuid> = from_json(&row.list_ids, "resubscription list ids")?;
        Ok(Self {
            account: AccountId(row.account_id),
            contact: ContactId(row.contact_id),
            token_sha256: row.token_sha256,
            list_ids: lists.into_iter().map(ListId).collect(),
            requested_at: Timestamp::from_millis(row.requested_at),
            confirmed_at: row.confirmed_at.map(Timestamp::from_millis),
            declined_at: row.declined_at.map(Timestamp::from_millis),
        })
    }
}

pub fn duplicate_label_message(label: &str) -> String {
    format!("a custom field with the label \"{label}\" (or the same name) already exists")
}

#[derive(sqlx::FromRow)]
pub struct CustomFieldRow {
    pub id: Uuid,
    pub label: String,
    pub name: String,
    pub field_type: String,
    pub metadata: Option<String>,
    pub version: Option<i64>,
    pub choices: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CustomFieldRow {
    pub fn from_domain(field: &CustomField) -> Self {
        CustomFieldRow {
            id: field.id.0,
            label: field.label.clone(),
            name: field.name.clone(),
            field_type: field.field_type.as_str().to_string(),
            metadata: field.metadata.as_ref().map(to_json),
            version: field.version,
            choices: to_json(&stored::<_, ChoiceDocument>(&field.choices)),
            created_at: field.created_at.millis(),
            updated_at: field.updated_at.millis(),
        }
    }
}

impl TryFrom<CustomFieldRow> for CustomField {
    type Error = StoreError;
    fn try_from(row: CustomFieldRow) -> Result<Self, StoreError> {
        Ok(CustomField {
            id: CustomFieldId(row.id),
            label: row.label,
            name: row.name,
            field_type: CustomFieldType::parse(&row.field_type)
                .ok_or_else(|| corrupt("custom field type"))?,
            metadata: row
                .metadata
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(|_| corrupt("custom field metadata"))?,
            version: row.version,
            choices: domain(from_json::<Vec<ChoiceDocument>>(
                &row.choices,
                "custom field choice list",
            )?),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ListRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub member_count: i64,
    pub active_member_count: i64,
}

impl From<ListRow> for ContactList {
    fn from(row: ListRow) -> Self {
        ContactList {
            id: ListId(row.id),
            name: row.name,
            description: row.description,
            favorite: row.favorite,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            deleted_at: row.deleted_at.map(Timestamp::from_millis),
            member_count: row.member_count,
            active_member_count: row.active_member_count,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct TagRow {
    pub id: Uuid,
    pub name: String,
    pub tag_source: Option<String>,
    pub contacts_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<TagRow> for Tag {
    fn from(row: TagRow) -> Self {
        Tag {
            id: TagId(row.id),
            name: row.name,
            tag_source: row.tag_source,
            contacts_count: row.contacts_count,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct SegmentRow {
    pub id: i64,
    pub name: String,
    pub criteria: String,
    pub created_at: i64,
    pub edited_at: i64,
}

impl From<SegmentRow> for roster_domain::segment::Segment {
    fn from(row: SegmentRow) -> Self {
        roster_domain::segment::Segment {
            id: roster_domain::SegmentId(row.id),
            name: row.name,
            criteria: row.criteria,
            created_at: Timestamp::from_millis(row.created_at),
            edited_at: Timestamp::from_millis(row.edited_at),
        }
    }
}
