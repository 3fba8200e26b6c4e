//! Contacts: POST/GET /contacts, GET/PUT/DELETE /contacts/{contact_id},
//! POST /contacts/sign_up_form, GET /contacts/counts, GET /contacts/contact_id_xrefs and
//! GET /contacts/sms_engagement_history/{contact_id}. Bodies convert into the domain's inputs
//! here; ids they name are checked against the account; the domain applies the consent rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::contact::{
    split_sms_address, AccountContext, AddressInput, AddressKind, Bucket, Contact, ContactFilter,
    ContactInput, CustomValueInput, EmailInput, Includes, NoteInput, Permission, PhoneInput,
    PhoneKind, SignUpInput, SmsConsentInput, SmsInput, SmsStatus, Source, MAX_ADDRESS_PART_LEN,
    MAX_CUSTOM_FIELDS, MAX_CUSTOM_VALUE_LEN, MAX_LIST_MEMBERSHIPS, MAX_NAME_LEN, MAX_NOTES,
    MAX_NOTE_LEN, MAX_OPT_OUT_REASON_LEN, MAX_PHONE_LEN, MAX_PHONE_NUMBERS, MAX_STREET_ADDRESSES,
    MAX_STREET_LEN, MAX_TAGGINGS,
};
use roster_domain::FieldError;
use roster_domain::{AccountId, ContactId, EmailAddress, ListId, PageRequest, TagId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::contact_lists::{check_sequence_ids, Xrefs};
use crate::error::ApiError;
use crate::wire::{date_time, IdPath, JsonBody, ObjectReader, PageLinks, QueryParams};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;
pub const MAX_LIST_FILTER: usize = 25;
pub const MAX_TAG_FILTER: usize = 50;
const MAX_SIGN_UP_EMAIL_LEN: usize = 50;
const MAX_SIGN_UP_CUSTOM_FIELDS: usize = 50;
const MAX_SMS_TEXT_LEN: usize = 255;
/// `new_subscriber` counts contacts that opted in within this many days.
const NEW_SUBSCRIBER_DAYS: i64 = 30;

// ---------------------------------------------------------------------------------------------
// Wire shapes of responses.

#[derive(Serialize, ToSchema)]
struct EmailResource {
    address: String,
    permission_to_send: &'static str,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    opt_in_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    opt_in_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    opt_out_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    opt_out_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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

#[derive(Serialize, ToSchema)]
struct PhoneResource {
    phone_number_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    kind: Option<&'static str>,
    created_at: String,
    updated_at: String,
    update_source: &'static str,
    create_source: &'static str,
}

#[derive(Serialize, ToSchema)]
struct AddressResource {
    street_address_id: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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

#[derive(Serialize, ToSchema)]
struct SmsConsentResource {
    sms_consent_permission: &'static str,
    consent_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    opt_in_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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

#[derive(Serialize, ToSchema)]
pub struct ContactResource {
    contact_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email_address: Option<EmailResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    birthday_month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    birthday_day: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    anniversary: Option<String>,
    update_source: &'static str,
    create_source: &'static str,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    deleted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    custom_fields: Option<Vec<CustomValueResource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_numbers: Option<Vec<PhoneResource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    street_addresses: Option<Vec<AddressResource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    list_memberships: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    taggings: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    notes: Option<Vec<NoteResource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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

#[derive(Serialize, ToSchema)]
pub struct ContactCollection {
    contacts: Vec<ContactResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    contacts_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    _links: Option<PageLinks>,
}

// ---------------------------------------------------------------------------------------------
// Reading request bodies.

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

/// Checks that every list and tag a body names belongs to the account, and returns the
/// account's custom-field definitions for the domain's checks.
async fn check_references(
    state: &AppState,
    account: AccountId,
    lists: &[ListId],
    list_field: &str,
    tags: &[TagId],
) -> Result<Vec<roster_domain::custom_field::CustomField>, ApiError> {
    let mut errors = Vec::new();
    let known_lists = state.store.existing_lists(account, lists).await?;
    for (index, list) in lists.iter().enumerate() {
        if !known_lists.contains(list) {
            errors.push(FieldError::new(
                format!("{list_field}[{index}]"),
                format!("{list} is not a contact list of this account"),
            ));
        }
    }
    let known_tags = state.store.existing_tags(account, tags).await?;
    for (index, tag) in tags.iter().enumerate() {
        if !known_tags.contains(tag) {
            errors.push(FieldError::new(
                format!("taggings[{index}]"),
                format!("{tag} is not a tag of this account"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(state.store.all_custom_fields(account).await?)
}

/// The `include` parameter of the contact reads.
pub fn includes(query: &QueryParams) -> Result<Includes, ApiError> {
    let mut includes = Includes::default();
    for name in query.all_of("include", &Includes::NAMES)? {
        includes.set(name);
    }
    Ok(includes)
}

fn not_found(id: ContactId) -> ApiError {
    ApiError::NotFound(format!("The contact {id} was not found."))
}

// ---------------------------------------------------------------------------------------------
// Handlers.

/// POST /contacts
#[utoipa::path(
    post,
    path = "/contacts",
    operation_id = "createContact",
    tag = "Contacts",
    summary = "POST (create) a Contact",
    request_body = ContactCreateBody,
    responses(
        (status = 201, description = "New contact successfully created", body = ContactResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<ContactResource>), ApiError> {
    let (input, source) = body.read_object(|r| {
        let source = read_source(r, "create_source", true);
        let input = read_contact_input(r);
        Some((input, source?))
    })?;
    let definitions = check_references(
        &state,
        caller.account,
        input.list_ids.as_deref().unwrap_or_default(),
        "list_memberships",
        input.tag_ids.as_deref().unwrap_or_default(),
    )
    .await?;
    let contact = Contact::create(
        input,
        source,
        &AccountContext {
            custom_fields: &definitions,
        },
        Timestamp::now(),
    )
    .map_err(ApiError::Validation)?;
    state.store.insert_contact(caller.account, &contact).await?;
    Ok((
        StatusCode::CREATED,
        Json(ContactResource::new(contact, Includes::all())),
    ))
}

/// The query filters of GET /contacts without `segment_id`. Public for the fuzz target
/// (`fuzz/fuzz_targets/contact_query.rs`), which feeds it arbitrary query strings.
pub fn contact_filter(query: &QueryParams) -> Result<ContactFilter, ApiError> {
    let mut buckets: Vec<Bucket> = Vec::new();
    let statuses = query.all_of(
        "status",
        &[
            "all",
            "active",
            "deleted",
            "not_set",
            "pending_confirmation",
            "temp_hold",
            "unsubscribed",
        ],
    )?;
    for status in &statuses {
        for bucket in Bucket::for_status_filter(status).unwrap_or_default() {
            if !buckets.contains(bucket) {
                buckets.push(*bucket);
            }
        }
    }
    if buckets.is_empty() {
        buckets = Bucket::NOT_DELETED.to_vec();
    }
    let email = match query
        .single("email")
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(text) => Some(
            EmailAddress::parse(text)
                .map_err(|problem| ApiError::invalid("email", problem.to_string()))?,
        ),
    };
    let sms_filter: Vec<&str> = ["all"]
        .into_iter()
        .chain(SmsStatus::NAMES.iter().copied())
        .collect();
    let sms = query.all_of("sms_status", &sms_filter)?;
    let sms_statuses = (!sms.is_empty() && !sms.contains(&"all"))
        .then(|| sms.iter().filter_map(|s| SmsStatus::parse(s)).collect());
    Ok(ContactFilter {
        buckets,
        email,
        lists: query.ids("lists", MAX_LIST_FILTER)?,
        tags: query.ids("tags", MAX_TAG_FILTER)?,
        created_after: query.timestamp("created_after")?,
        created_before: query.timestamp("created_before")?,
        updated_after: query.timestamp("updated_after")?,
        updated_before: query.timestamp("updated_before")?,
        optout_after: query.timestamp("optout_after")?,
        optout_before: query.timestamp("optout_before")?,
        sms_statuses,
        segment: None,
    })
}

/// `segment_id` "can only be combined with limit": the segment's criteria are the filter.
async fn segment_filter(
    state: &AppState,
    account: AccountId,
    query: &QueryParams,
    segment: &str,
) -> Result<ContactFilter, ApiError> {
    if let Some((other, _)) = query
        .pairs()
        .iter()
        .find(|(k, _)| !matches!(k.as_str(), "segment_id" | "limit" | "cursor"))
    {
        return Err(ApiError::invalid(
            "segment_id",
            format!("can only be combined with limit, not with {other}"),
        ));
    }
    let id: roster_domain::SegmentId = segment
        .parse()
        .map_err(|_| ApiError::BadRequest("segment_id is in an invalid format.".into()))?;
    let stored = state
        .store
        .segment(account, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("The segment {} was not found.", id.0)))?;
    let node = crate::segments::checked_criteria(state, account, &stored.criteria).await?;
    Ok(ContactFilter {
        segment: Some(node),
        ..ContactFilter::default()
    })
}

/// GET /contacts
#[utoipa::path(
    get,
    path = "/contacts",
    operation_id = "getAllContacts",
    tag = "Contacts",
    summary = "GET Contacts Collection",
    params(
        ("status" = Option<String>, Query, description = "Use the `status` query parameter to search for contacts by status."),
        ("email" = Option<String>, Query, description = "Use the `email` query parameter to search for a contact using a specific email address."),
        ("lists" = Option<String>, Query, description = "Use the `lists` query parameter to search for contacts that are members of one or more specified lists."),
        ("segment_id" = Option<String>, Query, description = "Use to get contacts that meet the segment criteria for a single specified `segment_id`."),
        ("tags" = Option<String>, Query, description = "Use to get contact details for up to 50 specified tags."),
        ("updated_after" = Option<String>, Query, description = "Use `updated_after` to search for contacts that have been updated after the date you specify."),
        ("updated_before" = Option<String>, Query, description = "Use `updated_before` to search for contacts that have been updated before a specified date."),
        ("created_after" = Option<String>, Query, description = "Use `created_after` to search for contacts created after a specified date."),
        ("created_before" = Option<String>, Query, description = "Use `created_before` to search for contacts created before a specified date."),
        ("optout_after" = Option<String>, Query, description = "Use `optout_after` to search for contacts that unsubscribed after a specified date."),
        ("optout_before" = Option<String>, Query, description = "Use `optout_before` to search for contacts that unsubscribed before a specified date."),
        ("include" = Option<String>, Query, description = "Use `include` to specify which contact sub-resources to include in the response."),
        ("sms_status" = Option<String>, Query, description = "Use to get contacts by their SMS status."),
        ("include_count" = Option<bool>, Query, description = "Set `include_count=true` to include the total number of contacts (`contacts_count`) that meet all search criteria in the response body."),
        ("limit" = Option<i64>, Query, description = "Specifies the number of results displayed per page of output in the response, from 1 - 500, default = 50."),
        ("limit" = Option<i64>, Query, description = "Specifies the number of results displayed per page of output in the response, from 1 - 500, default = 50."),
        ("cursor" = Option<String>, Query, description = "The opaque cursor of a `_links.next.href`; pages on from where the previous page ended."),
    ),
    responses(
        (status = 200, description = "Request successful", body = ContactCollection),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<ContactCollection>, ApiError> {
    let (limit, after) = state
        .cursors
        .page_position(&query, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            key.parse::<ContactId>()
                .map_err(|_| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let filter = match query.single("segment_id") {
        None => contact_filter(&query)?,
        Some(segment) => segment_filter(&state, caller.account, &query, segment).await?,
    };
    let includes = includes(&query)?;
    let include_count = query.boolean("include_count")?.unwrap_or(false);
    let page = state
        .store
        .contacts(
            caller.account,
            &filter,
            includes,
            PageRequest { limit, after },
        )
        .await?;
    let contacts_count = if include_count {
        Some(state.store.count_contacts(caller.account, &filter).await?)
    } else {
        None
    };
    let links = state.cursors.links(
        "/v3/contacts",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(ContactCollection {
        contacts: page
            .items
            .into_iter()
            .map(|c| ContactResource::new(c, includes))
            .collect(),
        contacts_count,
        _links: links,
    }))
}

/// GET /contacts/{contact_id}
#[utoipa::path(
    get,
    path = "/contacts/{contact_id}",
    operation_id = "getContactById",
    tag = "Contacts",
    summary = "GET a Contact",
    params(
        ("contact_id" = String, Path, description = "Unique ID of contact to GET"),
        ("include" = Option<String>, Query, description = "Use `include` to specify which contact sub-resources to include in the response."),
    ),
    responses(
        (status = 200, description = "Request successful", body = ContactResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
    query: QueryParams,
) -> Result<Json<ContactResource>, ApiError> {
    let includes = includes(&query)?;
    let contact = state
        .store
        .contact_with(caller.account, id, includes)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(ContactResource::new(contact, includes)))
}

/// PUT /contacts/{contact_id}
#[utoipa::path(
    put,
    path = "/contacts/{contact_id}",
    operation_id = "updateContact",
    tag = "Contacts",
    summary = "PUT (update) a Contact",
    params(
        ("contact_id" = String, Path, description = "Unique ID of contact to update"),
    ),
    request_body = ContactReplaceBody,
    responses(
        (status = 200, description = "Contact resource has been updated", body = ContactResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
    body: JsonBody,
) -> Result<Json<ContactResource>, ApiError> {
    let (input, source) = body.read_object(|r| {
        let source = read_source(r, "update_source", true);
        let input = read_contact_input(r);
        Some((input, source?))
    })?;
    let definitions = check_references(
        &state,
        caller.account,
        input.list_ids.as_deref().unwrap_or_default(),
        "list_memberships",
        input.tag_ids.as_deref().unwrap_or_default(),
    )
    .await?;
    let existing = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let updated = existing
        .replace(
            input,
            source,
            &AccountContext {
                custom_fields: &definitions,
            },
            Timestamp::now(),
        )
        .map_err(ApiError::Validation)?;
    if !state.store.save_contact(caller.account, &updated).await? {
        return Err(not_found(id));
    }
    Ok(Json(ContactResource::new(updated, Includes::all())))
}

/// DELETE /contacts/{contact_id}: marks the contact deleted. Deleting a deleted contact
/// answers 204 again and keeps its first deletion date (the contact still exists for GET).
#[utoipa::path(
    delete,
    path = "/contacts/{contact_id}",
    operation_id = "deleteContact",
    tag = "Contacts",
    summary = "DELETE a Contact",
    params(
        ("contact_id" = String, Path, description = "Unique ID of contact to DELETE"),
    ),
    responses(
        (status = 204, description = "Request successful; No content returned"),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
) -> Result<StatusCode, ApiError> {
    let existing = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if existing.deleted_at.is_some() {
        return Ok(StatusCode::NO_CONTENT);
    }
    if !state
        .store
        .save_contact(caller.account, &existing.deleted(Timestamp::now()))
        .await?
    {
        return Err(not_found(id));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SignUpResult {
    contact_id: String,
    action: &'static str,
}

fn read_sign_up(r: &mut ObjectReader<'_>) -> Option<SignUpInput> {
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

/// POST /contacts/sign_up_form: creates the contact (201) or updates the one with the same
/// address (200). Two concurrent calls for a new address create one contact: the one that
/// loses the insert updates what the other created.
#[utoipa::path(
    post,
    path = "/contacts/sign_up_form",
    operation_id = "createOrUpdateContact",
    tag = "Contacts",
    summary = "Create or Update a Contact",
    request_body = SignUpBody,
    responses(
        (status = 200, description = "Contact successfully updated.", body = SignUpResult),
        (status = 201, description = "Contact successfully created.", body = SignUpResult),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn sign_up(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<SignUpResult>), ApiError> {
    let form = body.read_object(read_sign_up)?;
    let definitions = check_references(
        &state,
        caller.account,
        &form.list_ids,
        "list_memberships",
        &[],
    )
    .await?;
    let context = AccountContext {
        custom_fields: &definitions,
    };
    let Some(email) = form.email.clone() else {
        // An SMS-only sign-up always creates a contact.
        let contact = form
            .create(false, &context, Timestamp::now())
            .map_err(ApiError::Validation)?;
        state.store.insert_contact(caller.account, &contact).await?;
        return Ok((
            StatusCode::CREATED,
            Json(SignUpResult {
                contact_id: contact.id.to_string(),
                action: "created",
            }),
        ));
    };
    for _ in 0..2 {
        match state.store.contact_by_email(caller.account, &email).await? {
            Some(existing) => {
                let updated = form
                    .update(&existing, &context, Timestamp::now())
                    .map_err(ApiError::Validation)?;
                if state.store.save_contact(caller.account, &updated).await? {
                    return Ok((
                        StatusCode::OK,
                        Json(SignUpResult {
                            contact_id: updated.id.to_string(),
                            action: "updated",
                        }),
                    ));
                }
            }
            None => {
                let contact = form
                    .create(false, &context, Timestamp::now())
                    .map_err(ApiError::Validation)?;
                match state.store.insert_contact(caller.account, &contact).await {
                    Ok(()) => {
                        return Ok((
                            StatusCode::CREATED,
                            Json(SignUpResult {
                                contact_id: contact.id.to_string(),
                                action: "created",
                            }),
                        ))
                    }
                    // Another request created it in between: update that one instead.
                    Err(roster_domain::StoreError::Conflict(_)) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
        }
    }
    Err(ApiError::Conflict(
        "Conflict. You sent simultaneous requests that are attempting to modify the same contact."
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ContactCounts {
    total: i64,
    explicit: i64,
    implicit: i64,
    pending: i64,
    unsubscribed: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    new_subscriber: Option<i64>,
}

/// GET /contacts/counts, from the maintained counts.
#[utoipa::path(
    get,
    path = "/contacts/counts",
    operation_id = "getContactCounts",
    tag = "Contacts",
    summary = "GET Contact Consent Counts",
    params(
        ("include" = Option<String>, Query, description = "Use to return the total number of contacts that subscribed within the last 30 days in the results."),
    ),
    responses(
        (status = 200, description = "Request successful", body = ContactCounts),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn counts(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<ContactCounts>, ApiError> {
    let new_subscriber = query
        .all_of("include", &["new_subscriber"])?
        .contains(&"new_subscriber");
    let counts = state.store.contact_bucket_counts(caller.account).await?;
    let count = |bucket: Bucket| counts.get(&bucket).copied().unwrap_or(0);
    let new_subscriber = if new_subscriber {
        let since = Timestamp::now().plus_seconds(-NEW_SUBSCRIBER_DAYS * 24 * 3600);
        Some(
            state
                .store
                .count_new_subscribers(caller.account, since)
                .await?,
        )
    } else {
        None
    };
    Ok(Json(ContactCounts {
        total: Bucket::NOT_DELETED.iter().map(|b| count(*b)).sum(),
        explicit: count(Bucket::Explicit),
        implicit: count(Bucket::Implicit),
        pending: count(Bucket::PendingConfirmation),
        unsubscribed: count(Bucket::Unsubscribed),
        new_subscriber,
    }))
}

/// GET /contacts/contact_id_xrefs: Roster never had V2 ids, so no sequence id maps to a contact.
#[utoipa::path(
    get,
    path = "/contacts/contact_id_xrefs",
    operation_id = "getContactIdXrefs",
    tag = "Contacts",
    summary = "GET a collection of V2 and V3 API contact IDs",
    params(
        ("sequence_ids" = String, Query, description = "Comma delimited list of V2 API contact `ids` to cross-reference with the V3 API `contact_id` value."),
    ),
    responses(
        (status = 200, description = "Request successful", body = crate::contact_lists::Xrefs),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn xrefs(
    _caller: Caller<ContactsRead>,
    query: QueryParams,
) -> Result<Json<Xrefs>, ApiError> {
    check_sequence_ids(&query)?;
    Ok(Json(Xrefs { xrefs: Vec::new() }))
}

#[derive(Serialize, ToSchema)]
pub struct SmsHistoryEntry {
    contact_id: String,
    sms_channel_id: String,
    sms_channel_history_id: String,
    insert_time: String,
    history_details: SmsHistoryDetails,
}

#[derive(Serialize, ToSchema)]
pub struct SmsHistoryDetails {
    state: &'static str,
    source: &'static str,
    consent_type: String,
    consent_action_time: String,
    consent_action_type: &'static str,
    source_sms_number: String,
}

/// GET /contacts/sms_engagement_history/{contact_id}: the consent changes recorded on the
/// contact's SMS channel (Roster sends no SMS, so consents are its whole SMS history).
#[utoipa::path(
    get,
    path = "/contacts/sms_engagement_history/{contact_id}",
    operation_id = "getSmsEngagementHistory",
    tag = "Contacts",
    summary = "GET SMS Engagement History for a Contact",
    params(
        ("contact_id" = String, Path, description = "The contact's unique ID."),
    ),
    responses(
        (status = 200, description = "Request successful", body = Vec<SmsHistoryEntry>),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn sms_history(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
) -> Result<Json<Vec<SmsHistoryEntry>>, ApiError> {
    let contact = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let Some(sms) = contact.sms_channel else {
        return Ok(Json(Vec::new()));
    };
    let entries = sms
        .consents
        .iter()
        .enumerate()
        .map(|(index, consent)| SmsHistoryEntry {
            contact_id: contact.id.to_string(),
            sms_channel_id: sms.id.to_string(),
            sms_channel_history_id: format!("{}-{}", sms.id.simple(), index + 1),
            insert_time: date_time(consent.created_at),
            history_details: SmsHistoryDetails {
                state: consent.sms_consent_permission.as_str(),
                source: sms.update_source.as_str(),
                consent_type: consent.consent_type.clone(),
                consent_action_time: date_time(consent.updated_at),
                consent_action_type: if consent.sms_consent_permission == SmsStatus::Unsubscribed {
                    "opt_out"
                } else {
                    "opt_in"
                },
                source_sms_number: format!("+{}{}", sms.dial_code, sms.sms_address),
            },
        })
        .collect();
    Ok(Json(entries))
}

// ---------------------------------------------------------------------------------------------
// Request bodies as the OpenAPI document describes them. The handlers read bodies with
// `ObjectReader`, which reports every problem at once; these types state the same properties
// for the document (docs/OPENAPI.md) and are never deserialised.

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
