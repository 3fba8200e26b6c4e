//! Contacts: the people an account mails. This module owns the contact record, its
//! sub-resources and the rules the V3 API states for them: field limits, birthday and
//! anniversary dates, custom-field values checked against the account's definitions, and the
//! consent rules of each path that creates or changes a contact (POST, PUT, sign-up form).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::custom_field::{CustomField, CustomFieldType, FieldError};
use crate::time::parse_loose_date;
use crate::{ContactId, CustomFieldId, EmailAddress, ListId, TagId, Timestamp};

pub const MAX_NAME_LEN: usize = 50;
pub const MAX_CUSTOM_FIELDS: usize = 25;
pub const MAX_PHONE_NUMBERS: usize = 3;
pub const MAX_STREET_ADDRESSES: usize = 3;
pub const MAX_LIST_MEMBERSHIPS: usize = 50;
pub const MAX_TAGGINGS: usize = 50;
pub const MAX_NOTES: usize = 150;
pub const MAX_NOTE_LEN: usize = 2000;
pub const MAX_CUSTOM_VALUE_LEN: usize = 255;
pub const MAX_PHONE_LEN: usize = 25;
pub const MAX_STREET_LEN: usize = 255;
pub const MAX_ADDRESS_PART_LEN: usize = 50;
pub const MAX_OPT_OUT_REASON_LEN: usize = 255;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Exact wire spelling.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

wire_enum!(
    /// `email_address.permission_to_send`.
    Permission {
        Explicit = "explicit",
        Implicit = "implicit",
        NotSet = "not_set",
        PendingConfirmation = "pending_confirmation",
        TempHold = "temp_hold",
        Unsubscribed = "unsubscribed",
    }
);

wire_enum!(
    /// Who did something: `create_source`, `update_source`, `opt_in_source`, `opt_out_source`.
    Source { Contact = "Contact", Account = "Account" }
);

wire_enum!(
    /// `email_address.confirm_status`.
    ConfirmStatus { Pending = "pending", Confirmed = "confirmed", Off = "off" }
);

wire_enum!(
    /// `phone_numbers[].kind`.
    PhoneKind { Home = "home", Work = "work", Mobile = "mobile", Other = "other" }
);

wire_enum!(
    /// `street_addresses[].kind`.
    AddressKind { Home = "home", Work = "work", Other = "other" }
);

wire_enum!(
    /// The bucket a contact is counted in: its email permission, or `deleted`. The `status`
    /// filter's `active` means explicit or implicit.
    Bucket {
        Explicit = "explicit",
        Implicit = "implicit",
        NotSet = "not_set",
        PendingConfirmation = "pending_confirmation",
        TempHold = "temp_hold",
        Unsubscribed = "unsubscribed",
        Deleted = "deleted",
    }
);

impl Bucket {
    /// Whether the contact can be mailed (counts towards a list's `active` membership count).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Explicit | Self::Implicit)
    }

    /// The buckets a `status` filter value selects.
    pub fn for_status_filter(status: &str) -> Option<&'static [Bucket]> {
        Some(match status {
            "active" => &[Bucket::Explicit, Bucket::Implicit],
            "deleted" => &[Bucket::Deleted],
            "not_set" => &[Bucket::NotSet],
            "pending_confirmation" => &[Bucket::PendingConfirmation],
            "temp_hold" => &[Bucket::TempHold],
            "unsubscribed" => &[Bucket::Unsubscribed],
            "all" => &[
                Bucket::Explicit,
                Bucket::Implicit,
                Bucket::NotSet,
                Bucket::PendingConfirmation,
                Bucket::TempHold,
                Bucket::Unsubscribed,
                Bucket::Deleted,
            ],
            _ => return None,
        })
    }

    /// Every bucket but `deleted`: what GET /contacts shows without a status filter.
    pub const NOT_DELETED: [Bucket; 6] = [
        Bucket::Explicit,
        Bucket::Implicit,
        Bucket::NotSet,
        Bucket::PendingConfirmation,
        Bucket::TempHold,
        Bucket::Unsubscribed,
    ];
}

/// The contact's email address and its consent state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChannel {
    pub address: EmailAddress,
    pub permission: Permission,
    pub opt_in_source: Option<Source>,
    pub opt_in_date: Option<Timestamp>,
    pub opt_out_source: Option<Source>,
    pub opt_out_date: Option<Timestamp>,
    pub opt_out_reason: Option<String>,
    pub confirm_status: ConfirmStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub id: Uuid,
    pub phone_number: Option<String>,
    pub kind: Option<PhoneKind>,
    pub create_source: Source,
    pub update_source: Source,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetAddress {
    pub id: Uuid,
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: Uuid,
    pub created_at: i64,
    pub content: String,
}

/// A contact's value for one custom field. For select fields `choice_ids` names the chosen
/// choices and `value` holds their labels (comma-separated for multi-select).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomValue {
    pub custom_field_id: CustomFieldId,
    pub value: String,
    pub choice_ids: Vec<i64>,
}

/// One SMS consent of the contact's SMS channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsConsent {
    pub sms_consent_permission: String,
    pub consent_type: String,
    pub consent_medium_details: Option<String>,
    pub opt_in_date: Option<i64>,
    pub opt_out_date: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The SMS channel: a phone number able to receive SMS and its consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsChannel {
    pub id: Uuid,
    pub dial_code: String,
    pub sms_address: String,
    pub country_code: String,
    pub create_source: Source,
    pub update_source: Source,
    pub consents: Vec<SmsConsent>,
}

impl SmsChannel {
    /// The permission of the newest consent, which is the channel's status for `sms_status`.
    pub fn status(&self) -> &str {
        self.consents
            .last()
            .map(|c| c.sms_consent_permission.as_str())
            .unwrap_or("not_set")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birthday {
    pub month: u8,
    pub day: u8,
}

/// A stored contact with all its sub-resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub email: Option<EmailChannel>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday: Option<Birthday>,
    /// Normalised to `YYYY-MM-DD`.
    pub anniversary: Option<String>,
    pub create_source: Source,
    pub update_source: Source,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    pub custom_fields: Vec<CustomValue>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub street_addresses: Vec<StreetAddress>,
    pub notes: Vec<Note>,
    pub list_ids: Vec<ListId>,
    pub tag_ids: Vec<TagId>,
    pub sms_channel: Option<SmsChannel>,
}

impl Contact {
    pub fn bucket(&self) -> Bucket {
        if self.deleted_at.is_some() {
            return Bucket::Deleted;
        }
        match self.email.as_ref().map(|e| e.permission) {
            Some(Permission::Explicit) => Bucket::Explicit,
            Some(Permission::Implicit) => Bucket::Implicit,
            Some(Permission::PendingConfirmation) => Bucket::PendingConfirmation,
            Some(Permission::TempHold) => Bucket::TempHold,
            Some(Permission::Unsubscribed) => Bucket::Unsubscribed,
            Some(Permission::NotSet) | None => Bucket::NotSet,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Input: what request bodies carry once their shape was checked at the HTTP edge.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailInput {
    pub address: EmailAddress,
    pub permission: Option<Permission>,
    pub opt_out_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneInput {
    pub phone_number: Option<String>,
    pub kind: Option<PhoneKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressInput {
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteInput {
    pub note_id: Option<Uuid>,
    pub created_at: Option<Timestamp>,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomValueInput {
    pub custom_field_id: CustomFieldId,
    pub value: Option<String>,
    pub choice_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConsentInput {
    pub sms_consent_permission: String,
    pub consent_type: String,
    pub consent_medium_details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsInput {
    pub dial_code: String,
    pub sms_address: String,
    pub country_code: String,
    pub consents: Vec<SmsConsentInput>,
}

/// The properties of a POST or PUT body (every one optional at this level).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub email: Option<EmailInput>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday_month: Option<i64>,
    pub birthday_day: Option<i64>,
    pub anniversary: Option<String>,
    pub custom_fields: Option<Vec<CustomValueInput>>,
    pub phone_numbers: Option<Vec<PhoneInput>>,
    pub street_addresses: Option<Vec<AddressInput>>,
    pub list_ids: Option<Vec<ListId>>,
    pub tag_ids: Option<Vec<TagId>>,
    pub notes: Option<Vec<NoteInput>>,
    pub sms_channel: Option<SmsInput>,
}

/// What the rules need from the account: its custom-field definitions.
pub struct AccountContext<'a> {
    pub custom_fields: &'a [CustomField],
}

fn days_in_month(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn check_birthday(
    month: Option<i64>,
    day: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<Birthday> {
    match (month, day) {
        (None, None) => None,
        (Some(_), None) => {
            errors.push(FieldError::new(
                "birthday_day",
                "is required when birthday_month is given",
            ));
            None
        }
        (None, Some(_)) => {
            errors.push(FieldError::new(
                "birthday_month",
                "is required when birthday_day is given",
            ));
            None
        }
        (Some(month), Some(day)) => {
            if !(1..=12).contains(&month) {
                errors.push(FieldError::new("birthday_month", "must be from 1 to 12"));
                return None;
            }
            let month = month as u8;
            let last = days_in_month(month);
            if !(1..=i64::from(last)).contains(&day) {
                errors.push(FieldError::new(
                    "birthday_day",
                    format!("must be from 1 to {last} for month {month}"),
                ));
                return None;
            }
            Some(Birthday {
                month,
                day: day as u8,
            })
        }
    }
}

fn check_anniversary(text: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = text?;
    match parse_loose_date(&text) {
        Some(date) => Some(date),
        None => {
            errors.push(FieldError::new(
                "anniversary",
                "must be a real date in one of the forms MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, YYYY/M/D, YYYY-MM-DD, YYYY-M-D, M-D-YYYY or MM-DD-YYYY",
            ));
            None
        }
    }
}

fn check_count(name: &str, len: usize, max: usize, errors: &mut Vec<FieldError>) -> bool {
    if len > max {
        errors.push(FieldError::new(
            name,
            format!("may hold at most {max} items"),
        ));
        return false;
    }
    true
}

fn dedup<T: PartialEq + Copy>(ids: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

/// Checks custom-field values against the account's definitions and normalises them.
pub fn check_custom_values(
    inputs: &[CustomValueInput],
    context: &AccountContext<'_>,
    field_name: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<CustomValue> {
    let mut values: Vec<CustomValue> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let path = |property: &str| format!("{field_name}[{index}].{property}");
        let Some(definition) = context
            .custom_fields
            .iter()
            .find(|f| f.id == input.custom_field_id)
        else {
            errors.push(FieldError::new(
                path("custom_field_id"),
                format!(
                    "{} is not a custom field of this account",
                    input.custom_field_id
                ),
            ));
            continue;
        };
        if values
            .iter()
            .any(|v| v.custom_field_id == input.custom_field_id)
        {
            errors.push(FieldError::new(
                path("custom_field_id"),
                "repeats a custom field given earlier",
            ));
            continue;
        }
        match normalise_value(definition, input) {
            Ok(value) => values.push(value),
            Err(message) => errors.push(FieldError::new(path("value"), message)),
        }
    }
    values
}

fn normalise_value(
    definition: &CustomField,
    input: &CustomValueInput,
) -> Result<CustomValue, String> {
    let raw = input.value.clone().unwrap_or_default();
    let plain = |value: String| CustomValue {
        custom_field_id: definition.id,
        value,
        choice_ids: Vec::new(),
    };
    match definition.field_type {
        CustomFieldType::String => Ok(plain(raw)),
        CustomFieldType::Number | CustomFieldType::Currency => {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                return Ok(plain(String::new()));
            }
            let number: f64 = trimmed
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| {
                    format!(
                        "must be a number for the {} field {}",
                        definition.field_type.as_str(),
                        definition.name
                    )
                })?;
            let metadata = definition.metadata.clone().unwrap_or_default();
            if number < 0.0 && metadata.allow_negative != Some(true) {
                return Err(format!(
                    "must not be negative for the field {}",
                    definition.name
                ));
            }
            let decimals = trimmed
                .split_once('.')
                .map(|(_, d)| d.len() as i64)
                .unwrap_or(0);
            let allowed = if metadata.integer == Some(true) {
                0
            } else {
                metadata.decimal_places.unwrap_or(4)
            };
            if decimals > allowed {
                return Err(format!(
                    "may have at most {allowed} decimal places for the field {}",
                    definition.name
                ));
            }
            Ok(plain(trimmed.to_string()))
        }
        CustomFieldType::Date => {
            if definition.version == Some(1) || raw.trim().is_empty() {
                return Ok(plain(raw));
            }
            parse_loose_date(&raw).map(plain).ok_or_else(|| {
                format!(
                    "must be a real date (such as 2024-05-31) for the date field {}",
                    definition.name
                )
            })
        }
        CustomFieldType::SingleSelect | CustomFieldType::MultiSelect => {
            let chosen: Vec<&crate::custom_field::CustomFieldChoice> = match &input.choice_ids {
                Some(ids) if !ids.is_empty() => ids
                    .iter()
                    .map(|id| {
                        definition
                            .choices
                            .iter()
                            .find(|c| c.choice_id == *id)
                            .ok_or_else(|| {
                                format!(
                                    "choice_id {id} is not a choice of the field {}",
                                    definition.name
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    let labels: Vec<&str> = if definition.field_type == CustomFieldType::MultiSelect
                    {
                        raw.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .collect()
                    } else {
                        Some(raw.trim())
                            .filter(|s| !s.is_empty())
                            .into_iter()
                            .collect()
                    };
                    labels
                        .iter()
                        .map(|label| {
                            definition
                                .choices
                                .iter()
                                .find(|c| c.choice_label.eq_ignore_ascii_case(label))
                                .ok_or_else(|| {
                                    format!(
                                        "\"{label}\" is not a choice of the field {}",
                                        definition.name
                                    )
                                })
                        })
                        .collect::<Result<_, _>>()?
                }
            };
            if definition.field_type == CustomFieldType::SingleSelect && chosen.len() > 1 {
                return Err(format!(
                    "may name only one choice for the single_select field {}",
                    definition.name
                ));
            }
            Ok(CustomValue {
                custom_field_id: definition.id,
                value: chosen
                    .iter()
                    .map(|c| c.choice_label.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                choice_ids: chosen.iter().map(|c| c.choice_id).collect(),
            })
        }
    }
}

fn build_phones(
    inputs: Vec<PhoneInput>,
    source: Source,
    now: Timestamp,
    old: &[PhoneNumber],
) -> Vec<PhoneNumber> {
    inputs
        .into_iter()
        .map(|input| {
            // An unchanged number keeps its id and creation time.
            let same = old
                .iter()
                .find(|p| p.phone_number == input.phone_number && p.kind == input.kind);
            PhoneNumber {
                id: same.map(|p| p.id).unwrap_or_else(Uuid::now_v7),
                phone_number: input.phone_number,
                kind: input.kind,
                create_source: same.map(|p| p.create_source).unwrap_or(source),
                update_source: source,
                created_at: same.map(|p| p.created_at).unwrap_or(now.millis()),
                updated_at: same.map(|p| p.updated_at).unwrap_or(now.millis()),
            }
        })
        .collect()
}

fn build_addresses(
    inputs: Vec<AddressInput>,
    now: Timestamp,
    old: &[StreetAddress],
) -> Vec<StreetAddress> {
    inputs
        .into_iter()
        .map(|input| {
            let same = old.iter().find(|a| {
                a.kind == input.kind
                    && a.street == input.street
                    && a.city == input.city
                    && a.state == input.state
                    && a.postal_code == input.postal_code
                    && a.country == input.country
            });
            StreetAddress {
                id: same.map(|a| a.id).unwrap_or_else(Uuid::now_v7),
                kind: input.kind,
                street: input.street,
                city: input.city,
                state: input.state,
                postal_code: input.postal_code,
                country: input.country,
                created_at: same.map(|a| a.created_at).unwrap_or(now.millis()),
                updated_at: same.map(|a| a.updated_at).unwrap_or(now.millis()),
            }
        })
        .collect()
}

fn build_notes(inputs: Vec<NoteInput>, now: Timestamp) -> Vec<Note> {
    let mut notes: Vec<Note> = inputs
        .into_iter()
        .map(|input| Note {
            id: input.note_id.unwrap_or_else(Uuid::now_v7),
            created_at: input.created_at.unwrap_or(now).millis(),
            content: input.content,
        })
        .collect();
    // "listed by most recent note first"
    notes.sort_by_key(|note| std::cmp::Reverse(note.created_at));
    notes
}

fn build_sms(
    input: SmsInput,
    source: Source,
    now: Timestamp,
    old: Option<&SmsChannel>,
) -> SmsChannel {
    let consents = input
        .consents
        .into_iter()
        .map(|c| {
            let opted_in = c.sms_consent_permission == "explicit";
            SmsConsent {
                opt_in_date: opted_in.then_some(now.millis()),
                opt_out_date: (c.sms_consent_permission == "unsubscribed").then_some(now.millis()),
                sms_consent_permission: c.sms_consent_permission,
                consent_type: c.consent_type,
                consent_medium_details: c.consent_medium_details,
                created_at: now.millis(),
                updated_at: now.millis(),
            }
        })
        .collect();
    SmsChannel {
        id: old.map(|o| o.id).unwrap_or_else(Uuid::now_v7),
        dial_code: input.dial_code,
        sms_address: input.sms_address,
        country_code: input.country_code,
        create_source: old.map(|o| o.create_source).unwrap_or(source),
        update_source: source,
        consents,
    }
}

/// The email state a contact gets when an address arrives with a requested permission.
fn new_email_channel(
    input: &EmailInput,
    source: Source,
    now: Timestamp,
    default: Permission,
) -> EmailChannel {
    let permission = input.permission.unwrap_or(default);
    let mut channel = EmailChannel {
        address: input.address.clone(),
        permission,
        opt_in_source: None,
        opt_in_date: None,
        opt_out_source: None,
        opt_out_date: None,
        opt_out_reason: None,
        confirm_status: ConfirmStatus::Off,
        created_at: now,
        updated_at: now,
    };
    apply_permission(
        &mut channel,
        permission,
        source,
        input.opt_out_reason.clone(),
        now,
    );
    channel
}

/// Moves an email channel to `permission`, stamping the opt-in or opt-out facts.
fn apply_permission(
    channel: &mut EmailChannel,
    permission: Permission,
    source: Source,
    reason: Option<String>,
    now: Timestamp,
) {
    let changed = channel.permission != permission
        || channel.opt_in_source.is_none() && channel.opt_out_source.is_none();
    channel.permission = permission;
    if !changed {
        return;
    }
    match permission {
        Permission::Explicit | Permission::Implicit => {
            channel.opt_in_source = Some(source);
            channel.opt_in_date = Some(now);
            channel.opt_out_source = None;
            channel.opt_out_date = None;
            channel.opt_out_reason = None;
            if channel.confirm_status == ConfirmStatus::Pending
                && permission == Permission::Explicit
            {
                channel.confirm_status = ConfirmStatus::Confirmed;
            }
        }
        Permission::Unsubscribed => {
            channel.opt_out_source = Some(source);
            channel.opt_out_date = Some(now);
            channel.opt_out_reason = reason;
        }
        Permission::PendingConfirmation => channel.confirm_status = ConfirmStatus::Pending,
        Permission::NotSet | Permission::TempHold => {}
    }
    channel.updated_at = now;
}

struct Common {
    custom_fields: Option<Vec<CustomValue>>,
    birthday: Option<Birthday>,
    anniversary: Option<String>,
}

/// The checks every path shares; the list, tag and custom-field ids were checked to exist
/// by the caller (custom fields via `context`).
fn check_common(
    input: &mut ContactInput,
    context: &AccountContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Common {
    let birthday = check_birthday(input.birthday_month, input.birthday_day, errors);
    let anniversary = check_anniversary(input.anniversary.take(), errors);
    let custom_fields = input.custom_fields.as_ref().and_then(|inputs| {
        check_count("custom_fields", inputs.len(), MAX_CUSTOM_FIELDS, errors)
            .then(|| check_custom_values(inputs, context, "custom_fields", errors))
    });
    if let Some(phones) = &input.phone_numbers {
        check_count("phone_numbers", phones.len(), MAX_PHONE_NUMBERS, errors);
    }
    if let Some(addresses) = &input.street_addresses {
        check_count(
            "street_addresses",
            addresses.len(),
            MAX_STREET_ADDRESSES,
            errors,
        );
    }
    if let Some(lists) = &input.list_ids {
        check_count(
            "list_memberships",
            lists.len(),
            MAX_LIST_MEMBERSHIPS,
            errors,
        );
    }
    if let Some(tags) = &input.tag_ids {
        check_count("taggings", tags.len(), MAX_TAGGINGS, errors);
    }
    if let Some(notes) = &input.notes {
        check_count("notes", notes.len(), MAX_NOTES, errors);
    }
    Common {
        custom_fields,
        birthday,
        anniversary,
    }
}

impl Contact {
    /// POST /contacts: a new contact as sent. `create_source` is required; so is one of
    /// first_name, last_name, email_address or sms_channel. Permission defaults to implicit
    /// when an address is sent without one.
    pub fn create(
        mut input: ContactInput,
        create_source: Source,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        if input.first_name.is_none()
            && input.last_name.is_none()
            && input.email.is_none()
            && input.sms_channel.is_none()
        {
            errors.push(FieldError::new(
                "email_address",
                "is required unless first_name, last_name or sms_channel is given",
            ));
        }
        let common = check_common(&mut input, context, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let email = input
            .email
            .as_ref()
            .map(|e| new_email_channel(e, create_source, now, Permission::Implicit));
        Ok(Contact {
            id: ContactId::generate(),
            email,
            first_name: input.first_name,
            last_name: input.last_name,
            job_title: input.job_title,
            company_name: input.company_name,
            birthday: common.birthday,
            anniversary: common.anniversary,
            create_source,
            update_source: create_source,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            custom_fields: common.custom_fields.unwrap_or_default(),
            phone_numbers: build_phones(
                input.phone_numbers.unwrap_or_default(),
                create_source,
                now,
                &[],
            ),
            street_addresses: build_addresses(input.street_addresses.unwrap_or_default(), now, &[]),
            notes: build_notes(input.notes.unwrap_or_default(), now),
            list_ids: dedup(&input.list_ids.unwrap_or_default()),
            tag_ids: dedup(&input.tag_ids.unwrap_or_default()),
            sms_channel: input
                .sms_channel
                .map(|sms| build_sms(sms, create_source, now, None)),
        })
    }

    /// PUT /contacts/{id}: top-level properties are overwritten (omitted ones become null);
    /// sub-resources are replaced only when sent. A deleted contact is revived only when the
    /// update comes from the Account. An unsubscribed contact is re-subscribed only when the
    /// change comes from the Contact; from the Account, its permission stays unsubscribed.
    pub fn replace(
        &self,
        mut input: ContactInput,
        update_source: Source,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.deleted_at.is_some() && update_source != Source::Account {
            errors.push(FieldError::new(
                "update_source",
                "must be Account to restore a deleted contact",
            ));
        }
        let common = check_common(&mut input, context, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let email = match (&input.email, &self.email) {
            (None, existing) => existing.clone(),
            (Some(sent), None) => Some(new_email_channel(
                sent,
                update_source,
                now,
                Permission::Implicit,
            )),
            (Some(sent), Some(existing)) => {
                let mut channel = existing.clone();
                if channel.address != sent.address {
                    channel.address = sent.address.clone();
                    channel.updated_at = now;
                }
                if let Some(requested) = sent.permission {
                    let resubscribing = existing.permission == Permission::Unsubscribed
                        && requested != Permission::Unsubscribed;
                    if !resubscribing || update_source == Source::Contact {
                        apply_permission(
                            &mut channel,
                            requested,
                            update_source,
                            sent.opt_out_reason.clone(),
                            now,
                        );
                    }
                }
                if channel.permission == Permission::Unsubscribed && sent.opt_out_reason.is_some() {
                    channel.opt_out_reason = sent.opt_out_reason.clone();
                }
                Some(channel)
            }
        };
        Ok(Contact {
            id: self.id,
            email,
            first_name: input.first_name,
            last_name: input.last_name,
            job_title: input.job_title,
            company_name: input.company_name,
            birthday: common.birthday,
            anniversary: common.anniversary,
            create_source: self.create_source,
            update_source,
            created_at: self.created_at,
            updated_at: now,
            deleted_at: None,
            custom_fields: common
                .custom_fields
                .unwrap_or_else(|| self.custom_fields.clone()),
            phone_numbers: match input.phone_numbers {
                Some(phones) => build_phones(phones, update_source, now, &self.phone_numbers),
                None => self.phone_numbers.clone(),
            },
            street_addresses: match input.street_addresses {
                Some(addresses) => build_addresses(addresses, now, &self.street_addresses),
                None => self.street_addresses.clone(),
            },
            notes: input
                .notes
                .map(|notes| build_notes(notes, now))
                .unwrap_or_else(|| self.notes.clone()),
            list_ids: input
                .list_ids
                .map(|ids| dedup(&ids))
                .unwrap_or_else(|| self.list_ids.clone()),
            tag_ids: input
                .tag_ids
                .map(|ids| dedup(&ids))
                .unwrap_or_else(|| self.tag_ids.clone()),
            sms_channel: match input.sms_channel {
                Some(sms) => Some(build_sms(
                    sms,
                    update_source,
                    now,
                    self.sms_channel.as_ref(),
                )),
                None => self.sms_channel.clone(),
            },
        })
    }

    /// The contact once it confirmed a resubscription request through the mailed link: its
    /// address becomes explicit, opted in by the Contact now, and the opt-out facts are cleared.
    pub fn resubscribed_by_contact(&self, now: Timestamp) -> Contact {
        let mut contact = self.clone();
        if let Some(channel) = &mut contact.email {
            apply_permission(channel, Permission::Explicit, Source::Contact, None, now);
        }
        contact.update_source = Source::Contact;
        contact.updated_at = now;
        contact
    }

    /// DELETE /contacts/{id}: the contact stays, marked deleted (its memberships remain for
    /// a later revival but no longer count).
    pub fn deleted(&self, now: Timestamp) -> Contact {
        let mut contact = self.clone();
        contact.deleted_at = Some(now);
        contact.updated_at = now;
        contact
    }
}

/// The body of POST /contacts/sign_up_form once its shape was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpInput {
    pub email: Option<EmailAddress>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub phone_number: Option<String>,
    pub list_ids: Vec<ListId>,
    pub custom_fields: Vec<CustomValueInput>,
    pub anniversary: Option<String>,
    pub birthday_month: Option<i64>,
    pub birthday_day: Option<i64>,
    pub street_address: Option<AddressInput>,
    pub sms_channel: Option<SmsInput>,
}

impl SignUpInput {
    /// The sign-up form as a partial contact input; `custom_fields` limit is 50 here.
    fn as_contact_input(&self) -> ContactInput {
        ContactInput {
            email: self.email.clone().map(|address| EmailInput {
                address,
                permission: None,
                opt_out_reason: None,
            }),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            job_title: self.job_title.clone(),
            company_name: self.company_name.clone(),
            birthday_month: self.birthday_month,
            birthday_day: self.birthday_day,
            anniversary: self.anniversary.clone(),
            custom_fields: None,
            phone_numbers: self.phone_number.clone().map(|n| {
                vec![PhoneInput {
                    phone_number: Some(n),
                    kind: None,
                }]
            }),
            street_addresses: self.street_address.clone().map(|a| vec![a]),
            list_ids: Some(self.list_ids.clone()),
            tag_ids: None,
            notes: None,
            sms_channel: self.sms_channel.clone(),
        }
    }

    fn checked_values(
        &self,
        context: &AccountContext<'_>,
        errors: &mut Vec<FieldError>,
    ) -> Vec<CustomValue> {
        check_custom_values(&self.custom_fields, context, "custom_fields", errors)
    }

    /// A new contact from the form: explicit permission from the Contact, or
    /// pending_confirmation when the account uses Confirmed Opt-In.
    pub fn create(
        &self,
        confirmed_opt_in: bool,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let values = self.checked_values(context, &mut errors);
        let mut input = self.as_contact_input();
        let permission = if confirmed_opt_in {
            Permission::PendingConfirmation
        } else {
            Permission::Explicit
        };
        if let Some(email) = &mut input.email {
            email.permission = Some(permission);
        }
        let created = Contact::create(input, Source::Contact, context, now);
        match created {
            Ok(mut contact) if errors.is_empty() => {
                contact.custom_fields = values;
                Ok(contact)
            }
            Ok(_) => Err(errors),
            Err(mut more) => {
                errors.append(&mut more);
                Err(errors)
            }
        }
    }

    /// An existing contact updated by the form: only the properties sent change; lists and
    /// custom fields are appended; permission becomes explicit; a deleted contact is restored.
    pub fn update(
        &self,
        existing: &Contact,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let values = self.checked_values(context, &mut errors);
        let birthday = check_birthday(self.birthday_month, self.birthday_day, &mut errors);
        let anniversary = check_anniversary(self.anniversary.clone(), &mut errors);
        let mut contact = existing.clone();
        for value in values {
            match contact
                .custom_fields
                .iter_mut()
                .find(|v| v.custom_field_id == value.custom_field_id)
            {
                Some(slot) => *slot = value,
                None => contact.custom_fields.push(value),
            }
        }
        check_count(
            "custom_fields",
            contact.custom_fields.len(),
            MAX_CUSTOM_FIELDS,
            &mut errors,
        );
        for list in &self.list_ids {
            if !contact.list_ids.contains(list) {
                contact.list_ids.push(*list);
            }
        }
        check_count(
            "list_memberships",
            contact.list_ids.len(),
            MAX_LIST_MEMBERSHIPS,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        let overwrite = |slot: &mut Option<String>, sent: &Option<String>| {
            if sent.is_some() {
                slot.clone_from(sent);
            }
        };
        overwrite(&mut contact.first_name, &self.first_name);
        overwrite(&mut contact.last_name, &self.last_name);
        overwrite(&mut contact.job_title, &self.job_title);
        overwrite(&mut contact.company_name, &self.company_name);
        if birthday.is_some() {
            contact.birthday = birthday;
        }
        if anniversary.is_some() {
            contact.anniversary = anniversary;
        }
        if let Some(number) = &self.phone_number {
            if !contact
                .phone_numbers
                .iter()
                .any(|p| p.phone_number.as_deref() == Some(number))
            {
                let input = PhoneInput {
                    phone_number: Some(number.clone()),
                    kind: None,
                };
                contact
                    .phone_numbers
                    .extend(build_phones(vec![input], Source::Contact, now, &[]));
                if contact.phone_numbers.len() > MAX_PHONE_NUMBERS {
                    contact.phone_numbers.remove(0);
                }
            }
        }
        if let Some(address) = &self.street_address {
            contact.street_addresses.extend(build_addresses(
                vec![address.clone()],
                now,
                &contact.street_addresses,
            ));
            contact.street_addresses.dedup_by(|a, b| a.id == b.id);
            if contact.street_addresses.len() > MAX_STREET_ADDRESSES {
                contact.street_addresses.remove(0);
            }
        }
        if let Some(sms) = &self.sms_channel {
            contact.sms_channel = Some(build_sms(
                sms.clone(),
                Source::Contact,
                now,
                contact.sms_channel.as_ref(),
            ));
        }
        match (&mut contact.email, &self.email) {
            (Some(channel), _) => {
                apply_permission(channel, Permission::Explicit, Source::Contact, None, now)
            }
            (None, Some(address)) => {
                let input = EmailInput {
                    address: address.clone(),
                    permission: Some(Permission::Explicit),
                    opt_out_reason: None,
                };
                contact.email = Some(new_email_channel(
                    &input,
                    Source::Contact,
                    now,
                    Permission::Explicit,
                ));
            }
            (None, None) => {}
        }
        contact.deleted_at = None;
        contact.update_source = Source::Contact;
        contact.updated_at = now;
        Ok(contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> AccountContext<'static> {
        AccountContext { custom_fields: &[] }
    }

    fn email(address: &str, permission: Option<Permission>) -> Option<EmailInput> {
        Some(EmailInput {
            address: EmailAddress::parse(address).unwrap(),
            permission,
            opt_out_reason: None,
        })
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn birthdays_must_be_real_days() {
        let mut errors = Vec::new();
        assert_eq!(
            check_birthday(Some(2), Some(29), &mut errors),
            Some(Birthday { month: 2, day: 29 })
        );
        assert_eq!(check_birthday(Some(2), Some(31), &mut errors), None);
        assert_eq!(check_birthday(Some(13), Some(1), &mut errors), None);
        assert_eq!(check_birthday(Some(4), None, &mut errors), None);
        assert_eq!(
            fields(errors),
            ["birthday_day", "birthday_month", "birthday_day"]
        );
    }

    #[test]
    fn post_needs_a_name_an_address_or_sms() {
        let errors = Contact::create(
            ContactInput::default(),
            Source::Account,
            &context(),
            Timestamp::now(),
        )
        .unwrap_err();
        assert_eq!(fields(errors), ["email_address"]);
        let input = ContactInput {
            first_name: Some("Ann".into()),
            ..Default::default()
        };
        assert!(Contact::create(input, Source::Account, &context(), Timestamp::now()).is_ok());
    }

    #[test]
    fn post_defaults_to_implicit_permission_from_the_creator() {
        let input = ContactInput {
            email: email("a@example.com", None),
            ..Default::default()
        };
        let contact = Contact::create(
            input,
            Source::Account,
            &context(),
            Timestamp::from_millis(5),
        )
        .unwrap();
        let channel = contact.email.unwrap();
        assert_eq!(channel.permission, Permission::Implicit);
        assert_eq!(channel.opt_in_source, Some(Source::Account));
        assert_eq!(channel.opt_in_date, Some(Timestamp::from_millis(5)));
    }

    fn unsubscribed_contact() -> Contact {
        let input = ContactInput {
            email: email("a@example.com", Some(Permission::Unsubscribed)),
            ..Default::default()
        };
        Contact::create(
            input,
            Source::Account,
            &context(),
            Timestamp::from_millis(1),
        )
        .unwrap()
    }

    #[test]
    fn put_from_the_account_does_not_resubscribe() {
        let contact = unsubscribed_contact();
        let put = ContactInput {
            email: email("a@example.com", Some(Permission::Explicit)),
            ..Default::default()
        };
        let updated = contact
            .replace(
                put.clone(),
                Source::Account,
                &context(),
                Timestamp::from_millis(2),
            )
            .unwrap();
        assert_eq!(
            updated.email.as_ref().unwrap().permission,
            Permission::Unsubscribed
        );
        let by_contact = contact
            .replace(put, Source::Contact, &context(), Timestamp::from_millis(2))
            .unwrap();
        assert_eq!(by_contact.email.unwrap().permission, Permission::Explicit);
    }

    #[test]
    fn put_overwrites_top_level_and_keeps_omitted_sub_resources() {
        let input = ContactInput {
            first_name: Some("Ann".into()),
            job_title: Some("CEO".into()),
            phone_numbers: Some(vec![PhoneInput {
                phone_number: Some("555".into()),
                kind: Some(PhoneKind::Work),
            }]),
            ..Default::default()
        };
        let contact = Contact::create(
            input,
            Source::Account,
            &context(),
            Timestamp::from_millis(1),
        )
        .unwrap();
        let put = ContactInput {
            first_name: Some("Anne".into()),
            ..Default::default()
        };
        let updated = contact
            .replace(put, Source::Account, &context(), Timestamp::from_millis(2))
            .unwrap();
        assert_eq!(updated.first_name.as_deref(), Some("Anne"));
        assert_eq!(updated.job_title, None);
        assert_eq!(updated.phone_numbers, contact.phone_numbers);
    }

    #[test]
    fn deleted_contacts_are_restored_only_by_the_account() {
        let contact = unsubscribed_contact().deleted(Timestamp::from_millis(3));
        assert_eq!(contact.bucket(), Bucket::Deleted);
        let put = ContactInput {
            first_name: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(
                contact
                    .replace(put.clone(), Source::Contact, &context(), Timestamp::now())
                    .unwrap_err()
            ),
            ["update_source"]
        );
        let revived = contact
            .replace(put, Source::Account, &context(), Timestamp::now())
            .unwrap();
        assert_eq!(revived.bucket(), Bucket::Unsubscribed);
    }

    #[test]
    fn sign_up_appends_lists_and_opts_in_explicitly() {
        let list_a = ListId::generate();
        let list_b = ListId::generate();
        let mut contact = unsubscribed_contact();
        contact.list_ids = vec![list_a];
        let form = SignUpInput {
            email: Some(EmailAddress::parse("a@example.com").unwrap()),
            first_name: Some("Ann".into()),
            last_name: None,
            job_title: None,
            company_name: None,
            phone_number: None,
            list_ids: vec![list_b, list_a],
            custom_fields: vec![],
            anniversary: None,
            birthday_month: None,
            birthday_day: None,
            street_address: None,
            sms_channel: None,
        };
        let updated = form
            .update(
                &contact.deleted(Timestamp::from_millis(2)),
                &context(),
                Timestamp::from_millis(3),
            )
            .unwrap();
        assert_eq!(updated.list_ids, vec![list_a, list_b]);
        assert_eq!(updated.bucket(), Bucket::Explicit);
        assert_eq!(updated.email.unwrap().opt_in_source, Some(Source::Contact));
        let created = form.create(true, &context(), Timestamp::now()).unwrap();
        assert_eq!(created.bucket(), Bucket::PendingConfirmation);
        assert_eq!(created.create_source, Source::Contact);
    }

    #[test]
    fn custom_values_are_checked_against_definitions() {
        use crate::custom_field::{ChoiceInput, CustomFieldDraft};
        let now = Timestamp::now();
        let number = CustomField::create(
            CustomFieldDraft {
                label: "Size".into(),
                field_type: CustomFieldType::Number,
                metadata: None,
                version: None,
                choices: None,
            },
            now,
        )
        .unwrap();
        let select = CustomField::create(
            CustomFieldDraft {
                label: "Fruit".into(),
                field_type: CustomFieldType::MultiSelect,
                metadata: None,
                version: None,
                choices: Some(vec![
                    ChoiceInput {
                        choice_id: None,
                        choice_label: "Apple".into(),
                        display_order: None,
                    },
                    ChoiceInput {
                        choice_id: None,
                        choice_label: "Pear".into(),
                        display_order: None,
                    },
                ]),
            },
            now,
        )
        .unwrap();
        let definitions = [number.clone(), select.clone()];
        let context = AccountContext {
            custom_fields: &definitions,
        };
        let mut errors = Vec::new();
        let values = check_custom_values(
            &[
                CustomValueInput {
                    custom_field_id: number.id,
                    value: Some("12".into()),
                    choice_ids: None,
                },
                CustomValueInput {
                    custom_field_id: select.id,
                    value: Some("pear, apple".into()),
                    choice_ids: None,
                },
            ],
            &context,
            "custom_fields",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(values[1].value, "Pear,Apple");
        assert_eq!(values[1].choice_ids, vec![2, 1]);
        let bad = check_custom_values(
            &[
                CustomValueInput {
                    custom_field_id: number.id,
                    value: Some("-3".into()),
                    choice_ids: None,
                },
                CustomValueInput {
                    custom_field_id: select.id,
                    value: Some("Plum".into()),
                    choice_ids: None,
                },
                CustomValueInput {
                    custom_field_id: CustomFieldId::generate(),
                    value: Some("x".into()),
                    choice_ids: None,
                },
            ],
            &context,
            "custom_fields",
            &mut errors,
        );
        assert!(bad.is_empty());
        assert_eq!(
            fields(errors),
            [
                "custom_fields[0].value",
                "custom_fields[1].value",
                "custom_fields[2].custom_field_id"
            ]
        );
    }
}

/// The filters of GET /contacts (and of bulk sources later), all ANDed together.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactFilter {
    /// Never empty: without a status filter, every bucket but `deleted`.
    pub buckets: Vec<Bucket>,
    pub email: Option<EmailAddress>,
    /// Member of any of these lists.
    pub lists: Vec<ListId>,
    /// Tagged with any of these tags.
    pub tags: Vec<TagId>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    pub updated_after: Option<Timestamp>,
    pub updated_before: Option<Timestamp>,
    pub optout_after: Option<Timestamp>,
    pub optout_before: Option<Timestamp>,
    /// SMS consent statuses (`explicit`, `unsubscribed`, `pending_confirmation`, `not_set`).
    pub sms_statuses: Option<Vec<String>>,
    /// A segment's parsed criteria.
    pub segment: Option<crate::segment::Node>,
}

impl Default for ContactFilter {
    fn default() -> Self {
        Self {
            buckets: Bucket::NOT_DELETED.to_vec(),
            email: None,
            lists: Vec::new(),
            tags: Vec::new(),
            created_after: None,
            created_before: None,
            updated_after: None,
            updated_before: None,
            optout_after: None,
            optout_before: None,
            sms_statuses: None,
            segment: None,
        }
    }
}

impl ContactFilter {
    /// True when nothing but the buckets restricts the result.
    pub fn only_buckets(&self) -> bool {
        self.email.is_none()
            && self.lists.is_empty()
            && self.tags.is_empty()
            && self.created_after.is_none()
            && self.created_before.is_none()
            && self.updated_after.is_none()
            && self.updated_before.is_none()
            && self.optout_after.is_none()
            && self.optout_before.is_none()
            && self.sms_statuses.is_none()
            && self.segment.is_none()
    }
}

/// Which sub-resources a read loads (the `include` parameter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Includes {
    pub custom_fields: bool,
    pub list_memberships: bool,
    pub phone_numbers: bool,
    pub street_addresses: bool,
    pub taggings: bool,
    pub notes: bool,
}

impl Includes {
    pub const NAMES: [&'static str; 6] = [
        "custom_fields",
        "list_memberships",
        "phone_numbers",
        "street_addresses",
        "taggings",
        "notes",
    ];

    pub fn all() -> Self {
        Self {
            custom_fields: true,
            list_memberships: true,
            phone_numbers: true,
            street_addresses: true,
            taggings: true,
            notes: true,
        }
    }

    /// Sets the flag a name selects; false for an unknown name.
    pub fn set(&mut self, name: &str) -> bool {
        let flag = match name {
            "custom_fields" => &mut self.custom_fields,
            "list_memberships" => &mut self.list_memberships,
            "phone_numbers" => &mut self.phone_numbers,
            "street_addresses" => &mut self.street_addresses,
            "taggings" => &mut self.taggings,
            "notes" => &mut self.notes,
            _ => return false,
        };
        *flag = true;
        true
    }
}

/// Country calling codes Roster recognises in a full SMS address, with the ISO country each
/// stands for (the first listed where several countries share a code).
const DIAL_CODES: &[(&str, &str)] = &[
    ("1", "US"),
    ("7", "RU"),
    ("20", "EG"),
    ("27", "ZA"),
    ("30", "GR"),
    ("31", "NL"),
    ("32", "BE"),
    ("33", "FR"),
    ("34", "ES"),
    ("36", "HU"),
    ("39", "IT"),
    ("40", "RO"),
    ("41", "CH"),
    ("43", "AT"),
    ("44", "GB"),
    ("45", "DK"),
    ("46", "SE"),
    ("47", "NO"),
    ("48", "PL"),
    ("49", "DE"),
    ("51", "PE"),
    ("52", "MX"),
    ("54", "AR"),
    ("55", "BR"),
    ("56", "CL"),
    ("57", "CO"),
    ("60", "MY"),
    ("61", "AU"),
    ("62", "ID"),
    ("63", "PH"),
    ("64", "NZ"),
    ("65", "SG"),
    ("66", "TH"),
    ("81", "JP"),
    ("82", "KR"),
    ("84", "VN"),
    ("86", "CN"),
    ("90", "TR"),
    ("91", "IN"),
    ("92", "PK"),
    ("351", "PT"),
    ("353", "IE"),
    ("358", "FI"),
    ("420", "CZ"),
    ("852", "HK"),
    ("971", "AE"),
    ("972", "IL"),
];

/// Splits `+<dial code><number>` (spaces, dashes, dots and parentheses ignored) into its dial
/// code, national number and country. Without `+`, a ten-digit number is taken as North American.
pub fn split_sms_address(full: &str) -> Option<(String, String, String)> {
    let trimmed = full.trim();
    let international = trimmed.starts_with('+');
    let digits: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 15 {
        return None;
    }
    if !international {
        return (digits.len() == 10).then(|| ("1".to_string(), digits, "US".to_string()));
    }
    let (code, country) = DIAL_CODES
        .iter()
        .filter(|(code, _)| digits.starts_with(code))
        .max_by_key(|(code, _)| code.len())?;
    let national = &digits[code.len()..];
    (national.len() >= 4).then(|| (code.to_string(), national.to_string(), country.to_string()))
}

#[cfg(test)]
mod sms_tests {
    use super::split_sms_address;

    #[test]
    fn splits_dial_codes() {
        assert_eq!(
            split_sms_address("+1 (555) 123-4567"),
            Some(("1".into(), "5551234567".into(), "US".into()))
        );
        assert_eq!(
            split_sms_address("+353 87 123 4567"),
            Some(("353".into(), "871234567".into(), "IE".into()))
        );
        assert_eq!(
            split_sms_address("5551234567"),
            Some(("1".into(), "5551234567".into(), "US".into()))
        );
        assert_eq!(split_sms_address("+999 1234"), None);
        assert_eq!(split_sms_address("call me"), None);
    }
}
