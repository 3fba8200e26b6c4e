//! Contacts as the V3 document shows them, and the other contact responses (sign-up result,
//! consent counts, SMS history).

use roster_domain::contact::{Contact, Includes, PhoneKind, Source};
use roster_domain::{ListId, TagId, Timestamp};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::{date_time, PageLinks};

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
struct EmailResource {
    address: String,
    permission_to_send: &'static str,
    created_at: String,
    updated_at: String,
    opt_in_source: Option<&'static str>,
    opt_in_date: Option<String>,
    opt_out_source: Option<&'static str>,
    opt_out_date: Option<String>,
    opt_out_reason: Option<String>,
    confirm_status: &'static str,
}

#[derive(Serialize, ToSchema)]
struct CustomValueResource {
    custom_field_id: String,
    value: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    choice_ids: Vec<String>,
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
struct PhoneResource {
    phone_number_id: String,
    phone_number: Option<String>,
    kind: Option<&'static str>,
    created_at: String,
    updated_at: String,
    update_source: &'static str,
    create_source: &'static str,
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
struct AddressResource {
    street_address_id: String,
    kind: &'static str,
    street: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
struct NoteResource {
    note_id: String,
    created_at: String,
    content: String,
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
struct SmsConsentResource {
    sms_consent_permission: &'static str,
    consent_type: String,
    opt_in_date: Option<String>,
    opt_out_date: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
struct SmsResource {
    sms_channel_id: String,
    sms_address: String,
    dial_code: String,
    country_code: String,
    update_source: &'static str,
    create_source: &'static str,
    sms_channel_consents: Vec<SmsConsentResource>,
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ContactResource {
    contact_id: String,
    email_address: Option<EmailResource>,
    first_name: Option<String>,
    last_name: Option<String>,
    job_title: Option<String>,
    company_name: Option<String>,
    birthday_month: Option<u8>,
    birthday_day: Option<u8>,
    anniversary: Option<String>,
    update_source: &'static str,
    create_source: &'static str,
    created_at: String,
    updated_at: String,
    deleted_at: Option<String>,
    custom_fields: Option<Vec<CustomValueResource>>,
    phone_numbers: Option<Vec<PhoneResource>>,
    street_addresses: Option<Vec<AddressResource>>,
    list_memberships: Option<Vec<String>>,
    taggings: Option<Vec<String>>,
    notes: Option<Vec<NoteResource>>,
    sms_channel: Option<SmsResource>,
}

impl ContactResource {
    pub fn new(contact: Contact, includes: Includes) -> Self {
        let email_address = contact.email.map(|e| EmailResource {
            address: e.address.to_string(),
            permission_to_send: e.permission.as_str(),
            created_at: date_time(e.created_at),
            updated_at: date_time(e.updated_at),
            opt_in_source: e.opt_in_source.map(Source::as_str),
            opt_in_date: e.opt_in_date.map(date_time),
            opt_out_source: e.opt_out_source.map(Source::as_str),
            opt_out_date: e.opt_out_date.map(date_time),
            opt_out_reason: e.opt_out_reason,
            confirm_status: e.confirm_status.as_str(),
        });
        ContactResource {
            contact_id: contact.id.to_string(),
            email_address,
            first_name: contact.first_name,
            last_name: contact.last_name,
            job_title: contact.job_title,
            company_name: contact.company_name,
            birthday_month: contact.birthday.map(|b| b.month),
            birthday_day: contact.birthday.map(|b| b.day),
            anniversary: contact.anniversary,
            update_source: contact.update_source.as_str(),
            create_source: contact.create_source.as_str(),
            created_at: date_time(contact.created_at),
            updated_at: date_time(contact.updated_at),
            deleted_at: contact.deleted_at.map(Timestamp::to_date),
            custom_fields: includes.custom_fields.then(|| {
                contact
                    .custom_fields
                    .into_iter()
                    .map(|v| CustomValueResource {
                        custom_field_id: v.custom_field_id.to_string(),
                        value: v.value,
                        choice_ids: v.choice_ids.iter().map(i64::to_string).collect(),
                    })
                    .collect()
            }),
            phone_numbers: includes.phone_numbers.then(|| {
                contact
                    .phone_numbers
                    .into_iter()
                    .map(|p| PhoneResource {
                        phone_number_id: p.id.to_string(),
                        phone_number: p.phone_number,
                        kind: p.kind.map(PhoneKind::as_str),
                        created_at: date_time(p.created_at),
                        updated_at: date_time(p.updated_at),
                        update_source: p.update_source.as_str(),
                        create_source: p.create_source.as_str(),
                    })
                    .collect()
            }),
            street_addresses: includes.street_addresses.then(|| {
                contact
                    .street_addresses
                    .into_iter()
                    .map(|a| AddressResource {
                        street_address_id: a.id.to_string(),
                        kind: a.kind.as_str(),
                        street: a.street,
                        city: a.city,
                        state: a.state,
                        postal_code: a.postal_code,
                        country: a.country,
                        created_at: date_time(a.created_at),
                        updated_at: date_time(a.updated_at),
                    })
                    .collect()
            }),
            list_memberships: includes
                .list_memberships
                .then(|| contact.list_ids.iter().map(ListId::to_string).collect()),
            taggings: includes
                .taggings
                .then(|| contact.tag_ids.iter().map(TagId::to_string).collect()),
            notes: includes.notes.then(|| {
                contact
                    .notes
                    .into_iter()
                    .map(|n| NoteResource {
                        note_id: n.id.to_string(),
                        created_at: date_time(n.created_at),
                        content: n.content,
                    })
                    .collect()
            }),
            sms_channel: contact.sms_channel.map(|sms| SmsResource {
                sms_channel_id: sms.id.to_string(),
                sms_address: sms.sms_address,
                dial_code: sms.dial_code,
                country_code: sms.country_code,
                update_source: sms.update_source.as_str(),
                create_source: sms.create_source.as_str(),
                sms_channel_consents: sms
                    .consents
                    .into_iter()
                    .map(|c| SmsConsentResource {
                        sms_consent_permission: c.sms_consent_permission.as_str(),
                        consent_type: c.consent_type,
                        opt_in_date: c.opt_in_date.map(date_time),
                        opt_out_date: c.opt_out_date.map(date_time),
                        created_at: date_time(c.created_at),
                        updated_at: date_time(c.updated_at),
                    })
                    .collect(),
            }),
        }
    }
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ContactCollection {
    pub(super) contacts: Vec<ContactResource>,
    pub(super) contacts_count: Option<i64>,
    pub(super) _links: Option<PageLinks>,
}

#[derive(Serialize, ToSchema)]
pub struct SignUpResult {
    pub(super) contact_id: String,
    pub(super) action: &'static str,
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ContactCounts {
    pub(super) total: i64,
    pub(super) explicit: i64,
    pub(super) implicit: i64,
    pub(super) pending: i64,
    pub(super) unsubscribed: i64,
    pub(super) new_subscriber: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SmsHistoryEntry {
    pub(super) contact_id: String,
    pub(super) sms_channel_id: String,
    pub(super) sms_channel_history_id: String,
    pub(super) insert_time: String,
    pub(super) history_details: SmsHistoryDetails,
}

#[derive(Serialize, ToSchema)]
pub struct SmsHistoryDetails {
    pub(super) state: &'static str,
    pub(super) source: &'static str,
    pub(super) consent_type: String,
    pub(super) consent_action_time: String,
    pub(super) consent_action_type: &'static str,
    pub(super) source_sms_number: String,
}
