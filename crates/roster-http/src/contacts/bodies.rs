//! The request bodies of the contact operations, read with `ObjectReader` into the domain's
//! inputs (every problem reported at once), and described for the OpenAPI document by the
//! `*Body` types (docs/OPENAPI.md), which are never deserialised.

use roster_domain::contact::{
    split_sms_address, AddressInput, AddressKind, ContactInput, CustomValueInput, EmailInput,
    NoteInput, Permission, PhoneInput, PhoneKind, SignUpInput, SmsConsentInput, SmsInput,
    SmsStatus, Source, MAX_ADDRESS_PART_LEN, MAX_CUSTOM_FIELDS, MAX_CUSTOM_VALUE_LEN,
    MAX_LIST_MEMBERSHIPS, MAX_NAME_LEN, MAX_NOTES, MAX_NOTE_LEN, MAX_OPT_OUT_REASON_LEN,
    MAX_PHONE_LEN, MAX_PHONE_NUMBERS, MAX_STREET_ADDRESSES, MAX_STREET_LEN, MAX_TAGGINGS,
};
use roster_domain::{EmailAddress, ListId, Timestamp};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{JsonBody, ObjectReader};

const MAX_SIGN_UP_EMAIL_LEN: usize = 50;
const MAX_SIGN_UP_CUSTOM_FIELDS: usize = 50;

const MAX_SMS_TEXT_LEN: usize = 255;

/// POST /contacts: the contact and its `create_source`.
pub(super) fn read_create(body: JsonBody) -> Result<(ContactInput, Source), ApiError> {
    body.read_object(|r| {
        let source = read_source(r, "create_source", true);
        let input = read_contact_input(r);
        Some((input, source?))
    })
}

/// PUT /contacts/{contact_id}: the contact and its `update_source`.
pub(super) fn read_replace(body: JsonBody) -> Result<(ContactInput, Source), ApiError> {
    body.read_object(|r| {
        let source = read_source(r, "update_source", true);
        let input = read_contact_input(r);
        Some((input, source?))
    })
}

/// POST /contacts/sign_up_form
pub(super) fn read_sign_up(body: JsonBody) -> Result<SignUpInput, ApiError> {
    body.read_object(read_sign_up_form)
}

/// PUT /contacts/resubscribe/{contact_id}: the lists to add, 1 to 50.
pub(super) fn read_resubscribe(body: JsonBody) -> Result<Vec<ListId>, ApiError> {
    body.read_object(|r| {
        if !r.has("list_ids") {
            r.error("list_ids", "is required");
            return None;
        }
        let lists: Vec<ListId> = r.ids("list_ids", MAX_RESUBSCRIBE_LISTS)?;
        if lists.is_empty() {
            r.error("list_ids", "must name at least one contact list");
            return None;
        }
        Some(lists)
    })
}

fn read_source(r: &mut ObjectReader<'_>, name: &str, required: bool) -> Option<Source> {
    if required && !r.has(name) {
        r.error(name, "is required (Contact or Account)");
        return None;
    }
    r.enumerated(name, Source::NAMES, Source::parse)
}

fn read_email(r: &mut ObjectReader<'_>) -> Option<EmailInput> {
    r.object("email_address", |e| {
        let address = e.required_string("address", EmailAddress::MAX_LEN);
        let permission = e.enumerated("permission_to_send", Permission::NAMES, Permission::parse);
        let opt_out_reason = e.string("opt_out_reason", MAX_OPT_OUT_REASON_LEN);
        let address = match address.map(|a| EmailAddress::parse(&a)) {
            Some(Ok(address)) => address,
            Some(Err(problem)) => {
                e.error("address", problem.to_string());
                return None;
            }
            None => return None,
        };
        Some(EmailInput {
            address,
            permission,
            opt_out_reason,
        })
    })
    .flatten()
}

fn read_custom_values(r: &mut ObjectReader<'_>, max: usize) -> Option<Vec<CustomValueInput>> {
    r.objects("custom_fields", max, |v| {
        let id = v.required_string("custom_field_id", 64);
        let value = v.string("value", MAX_CUSTOM_VALUE_LEN);
        let choice_ids = v.integers("choice_ids", 100);
        let custom_field_id = match id.map(|id| id.parse()) {
            Some(Ok(id)) => id,
            Some(Err(_)) => {
                v.error("custom_field_id", "is not a valid id");
                return None;
            }
            None => return None,
        };
        Some(CustomValueInput {
            custom_field_id,
            value,
            choice_ids,
        })
    })
}

fn read_address(a: &mut ObjectReader<'_>) -> Option<AddressInput> {
    let kind = if a.has("kind") {
        a.enumerated("kind", AddressKind::NAMES, AddressKind::parse)
    } else {
        a.error("kind", "is required (home, work or other)");
        None
    };
    let street = a.string("street", MAX_STREET_LEN);
    let city = a.string("city", MAX_ADDRESS_PART_LEN);
    let state = a.string("state", MAX_ADDRESS_PART_LEN);
    let postal_code = a.string("postal_code", MAX_ADDRESS_PART_LEN);
    let country = a.string("country", MAX_ADDRESS_PART_LEN);
    Some(AddressInput {
        kind: kind?,
        street,
        city,
        state,
        postal_code,
        country,
    })
}

fn read_sms_consents(
    s: &mut ObjectReader<'_>,
    medium_required: bool,
) -> Option<Vec<SmsConsentInput>> {
    if !s.has("sms_channel_consents") {
        s.error("sms_channel_consents", "is required");
        return None;
    }
    s.objects("sms_channel_consents", 10, |c| {
        let permission = if c.has("sms_consent_permission") {
            c.enumerated("sms_consent_permission", SmsStatus::NAMES, SmsStatus::parse)
        } else {
            c.error("sms_consent_permission", "is required");
            None
        };
        let consent_type = c.required_string("consent_type", MAX_SMS_TEXT_LEN);
        let details = if medium_required {
            let medium_type = c.required_string("consent_medium_type", MAX_SMS_TEXT_LEN);
            let medium_url = c.required_string("consent_medium_url", 2000);
            let details = c.required_string("consent_medium_details", MAX_SMS_TEXT_LEN);
            c.integer("advertised_frequency");
            c.string("advertised_interval", MAX_SMS_TEXT_LEN);
            medium_type?;
            medium_url?;
            details
        } else {
            c.string("consent_medium_details", MAX_SMS_TEXT_LEN)
        };
        Some(SmsConsentInput {
            sms_consent_permission: permission?,
            consent_type: consent_type?,
            consent_medium_details: details,
        })
    })
}

/// `sms_channel` of POST and PUT bodies (`ContactSmsChannel`).
fn read_sms(r: &mut ObjectReader<'_>) -> Option<SmsInput> {
    r.object("sms_channel", |s| {
        let full = s.required_string("full_sms_address", 32);
        let consents = read_sms_consents(s, false);
        let (dial_code, sms_address, country_code) = match full.as_deref().map(split_sms_address) {
            Some(Some(parts)) => parts,
            Some(None) => {
                s.error(
                    "full_sms_address",
                    "is not a phone number with a known country dial code, such as +15555550100",
                );
                return None;
            }
            None => return None,
        };
        Some(SmsInput {
            dial_code,
            sms_address,
            country_code,
            consents: consents?,
        })
    })
    .flatten()
}

/// The properties POST and PUT bodies share.
fn read_contact_input(r: &mut ObjectReader<'_>) -> ContactInput {
    ContactInput {
        email: read_email(r),
        first_name: r.string("first_name", MAX_NAME_LEN),
        last_name: r.string("last_name", MAX_NAME_LEN),
        job_title: r.string("job_title", MAX_NAME_LEN),
        company_name: r.string("company_name", MAX_NAME_LEN),
        birthday_month: r.integer("birthday_month"),
        birthday_day: r.integer("birthday_day"),
        anniversary: r.string("anniversary", 10),
        custom_fields: read_custom_values(r, MAX_CUSTOM_FIELDS),
        phone_numbers: r.objects("phone_numbers", MAX_PHONE_NUMBERS, |p| {
            let phone_number = p.string("phone_number", MAX_PHONE_LEN);
            let kind = p.enumerated("kind", PhoneKind::NAMES, PhoneKind::parse);
            Some(PhoneInput { phone_number, kind })
        }),
        street_addresses: r.objects("street_addresses", MAX_STREET_ADDRESSES, read_address),
        list_ids: r.ids("list_memberships", MAX_LIST_MEMBERSHIPS),
        tag_ids: r.ids("taggings", MAX_TAGGINGS),
        notes: r.objects("notes", MAX_NOTES, |n| {
            let note_id = n.string("note_id", 64).and_then(|id| match id.parse() {
                Ok(id) => Some(id),
                Err(_) => {
                    n.error("note_id", "is not a valid id");
                    None
                }
            });
            let created_at =
                n.string("created_at", 64)
                    .and_then(|at| match Timestamp::parse_iso8601(&at) {
                        Ok(at) => Some(at),
                        Err(_) => {
                            n.error("created_at", "must be an ISO-8601 date-time");
                            None
                        }
                    });
            let content = n.required_string("content", MAX_NOTE_LEN)?;
            Some(NoteInput {
                note_id,
                created_at,
                content,
            })
        }),
        sms_channel: read_sms(r),
    }
}

fn read_sign_up_form(r: &mut ObjectReader<'_>) -> Option<SignUpInput> {
    let email = r
        .string("email_address", MAX_SIGN_UP_EMAIL_LEN)
        .and_then(
            |text| match EmailAddress::parse_with_max(&text, MAX_SIGN_UP_EMAIL_LEN) {
                Ok(address) => Some(address),
                Err(problem) => {
                    r.error("email_address", problem.to_string());
                    None
                }
            },
        );
    let list_ids = if r.has("list_memberships") {
        r.ids("list_memberships", MAX_LIST_MEMBERSHIPS)
    } else {
        r.error("list_memberships", "is required (1 to 50 list ids)");
        None
    };
    if list_ids.as_ref().is_some_and(Vec::is_empty) {
        r.error("list_memberships", "must name at least one list");
    }
    let sms_channel = r
        .object("sms_channel", |s| {
            let sms_address = s.required_string("sms_address", 20);
            let dial_code = s.required_string("dial_code", 4);
            let country_code = s.required_string("country_code", 2);
            let consents = read_sms_consents(s, true);
            let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
            if sms_address.as_deref().is_some_and(|a| !digits(a)) {
                s.error("sms_address", "must hold digits only");
            }
            if dial_code.as_deref().is_some_and(|d| !digits(d)) {
                s.error("dial_code", "must hold digits only");
            }
            Some(SmsInput {
                sms_address: sms_address?,
                dial_code: dial_code?,
                country_code: country_code?.to_uppercase(),
                consents: consents?,
            })
        })
        .flatten();
    let input = SignUpInput {
        email,
        first_name: r.string("first_name", MAX_NAME_LEN),
        last_name: r.string("last_name", MAX_NAME_LEN),
        job_title: r.string("job_title", MAX_NAME_LEN),
        company_name: r.string("company_name", MAX_NAME_LEN),
        phone_number: r.string("phone_number", MAX_PHONE_LEN),
        list_ids: list_ids.unwrap_or_default(),
        custom_fields: read_custom_values(r, MAX_SIGN_UP_CUSTOM_FIELDS).unwrap_or_default(),
        anniversary: r.string("anniversary", 10),
        birthday_month: r.integer("birthday_month"),
        birthday_day: r.integer("birthday_day"),
        street_address: r.object("street_address", read_address).flatten(),
        sms_channel,
    };
    if input.email.is_none()
        && input.sms_channel.is_none()
        && !r.has("email_address")
        && !r.has("sms_channel")
    {
        r.error("email_address", "is required unless sms_channel is given");
    }
    Some(input)
}

/// `email_address` of a contact body.
#[derive(ToSchema)]
pub struct EmailBody {
    pub address: String,
    #[schema(nullable = false)]
    pub permission_to_send: Option<String>,
    #[schema(nullable = false)]
    pub opt_out_reason: Option<String>,
}

/// A custom field value of a contact body.
#[derive(ToSchema)]
pub struct CustomValueBody {
    pub custom_field_id: String,
    #[schema(nullable = false)]
    pub value: Option<String>,
    #[schema(nullable = false)]
    /// Numeric strings; whole numbers are accepted too.
    pub choice_ids: Option<Vec<String>>,
}

/// A phone number of a contact body.
#[derive(ToSchema)]
pub struct PhoneBody {
    #[schema(nullable = false)]
    pub phone_number: Option<String>,
    #[schema(nullable = false)]
    pub kind: Option<String>,
}

/// A street address of a contact body.
#[derive(ToSchema)]
pub struct AddressBody {
    /// home, work or other.
    pub kind: String,
    #[schema(nullable = false)]
    pub street: Option<String>,
    #[schema(nullable = false)]
    pub city: Option<String>,
    #[schema(nullable = false)]
    pub state: Option<String>,
    #[schema(nullable = false)]
    pub postal_code: Option<String>,
    #[schema(nullable = false)]
    pub country: Option<String>,
}

/// A note of a contact body.
#[derive(ToSchema)]
pub struct NoteBody {
    #[schema(nullable = false)]
    pub note_id: Option<String>,
    #[schema(nullable = false)]
    pub created_at: Option<String>,
    pub content: String,
}

/// One SMS consent.
#[derive(ToSchema)]
pub struct SmsConsentBody {
    pub sms_consent_permission: String,
    pub consent_type: String,
    #[schema(nullable = false)]
    pub consent_medium_details: Option<String>,
}

/// `sms_channel` of a contact body.
#[derive(ToSchema)]
pub struct SmsChannelBody {
    pub full_sms_address: String,
    pub sms_channel_consents: Vec<SmsConsentBody>,
}

/// The properties POST /contacts and PUT /contacts/{contact_id} share.
#[derive(ToSchema)]
pub struct ContactFieldsBody {
    #[schema(nullable = false)]
    pub email_address: Option<EmailBody>,
    #[schema(nullable = false)]
    pub first_name: Option<String>,
    #[schema(nullable = false)]
    pub last_name: Option<String>,
    #[schema(nullable = false)]
    pub job_title: Option<String>,
    #[schema(nullable = false)]
    pub company_name: Option<String>,
    #[schema(nullable = false)]
    pub birthday_month: Option<i64>,
    #[schema(nullable = false)]
    pub birthday_day: Option<i64>,
    #[schema(nullable = false)]
    pub anniversary: Option<String>,
    #[schema(nullable = false)]
    pub custom_fields: Option<Vec<CustomValueBody>>,
    #[schema(nullable = false)]
    pub phone_numbers: Option<Vec<PhoneBody>>,
    #[schema(nullable = false)]
    pub street_addresses: Option<Vec<AddressBody>>,
    #[schema(nullable = false)]
    pub list_memberships: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub taggings: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub notes: Option<Vec<NoteBody>>,
    #[schema(nullable = false)]
    pub sms_channel: Option<SmsChannelBody>,
}

/// POST /contacts
#[derive(ToSchema)]
pub struct ContactCreateBody {
    /// Contact or Account.
    pub create_source: String,
    #[serde(flatten)]
    pub fields: ContactFieldsBody,
}

/// PUT /contacts/{contact_id}
#[derive(ToSchema)]
pub struct ContactReplaceBody {
    /// Contact or Account.
    pub update_source: String,
    #[serde(flatten)]
    pub fields: ContactFieldsBody,
}

/// One SMS consent of a sign-up, with the medium the consent was given through.
#[derive(ToSchema)]
pub struct SignUpConsentBody {
    pub sms_consent_permission: String,
    pub consent_type: String,
    pub consent_medium_type: String,
    pub consent_medium_url: String,
    pub consent_medium_details: String,
    #[schema(nullable = false)]
    pub advertised_frequency: Option<i64>,
    #[schema(nullable = false)]
    pub advertised_interval: Option<String>,
}

/// `sms_channel` of a sign-up.
#[derive(ToSchema)]
pub struct SignUpSmsBody {
    pub sms_address: String,
    pub dial_code: String,
    pub country_code: String,
    pub sms_channel_consents: Vec<SignUpConsentBody>,
}

/// A custom field value of a sign-up.
#[derive(ToSchema)]
pub struct SignUpValueBody {
    pub custom_field_id: String,
    #[schema(nullable = false)]
    pub value: Option<String>,
}

/// POST /contacts/sign_up_form: `email_address` is required unless `sms_channel` is given.
#[derive(ToSchema)]
pub struct SignUpBody {
    #[schema(nullable = false)]
    pub email_address: Option<String>,
    #[schema(nullable = false)]
    pub first_name: Option<String>,
    #[schema(nullable = false)]
    pub last_name: Option<String>,
    #[schema(nullable = false)]
    pub job_title: Option<String>,
    #[schema(nullable = false)]
    pub company_name: Option<String>,
    #[schema(nullable = false)]
    pub phone_number: Option<String>,
    pub list_memberships: Vec<String>,
    #[schema(nullable = false)]
    pub custom_fields: Option<Vec<SignUpValueBody>>,
    #[schema(nullable = false)]
    pub anniversary: Option<String>,
    #[schema(nullable = false)]
    pub birthday_month: Option<i64>,
    #[schema(nullable = false)]
    pub birthday_day: Option<i64>,
    #[schema(nullable = false)]
    pub street_address: Option<AddressBody>,
    #[schema(nullable = false)]
    pub sms_channel: Option<SignUpSmsBody>,
}

const MAX_RESUBSCRIBE_LISTS: usize = 50;

/// PUT /contacts/resubscribe/{contact_id}
#[derive(ToSchema)]
pub struct ResubscribeBody {
    /// The lists the contact asks to rejoin (at least one).
    pub list_ids: Vec<String>,
}
