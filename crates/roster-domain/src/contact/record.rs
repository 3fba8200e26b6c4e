//! The contact record and everything it is made of: who did something to it (`Source`), the
//! bucket it is counted in, its email address with its consent state, its SMS channel, and its
//! phone numbers, street addresses and notes, with how a sent list of them replaces the stored
//! one. The rules of each path that creates or changes a contact (`rules`, `sign_up`) build on
//! these types.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::custom_values::CustomValue;
use super::wire_enum::wire_enum;
use crate::{ContactId, EmailAddress, ListId, TagId, Timestamp};

// Who did something to a contact: the `create_source`, `update_source`, `opt_in_source` and
// `opt_out_source` every part of the record carries.
wire_enum!(
    /// Who did something: `create_source`, `update_source`, `opt_in_source`, `opt_out_source`.
    Source { Contact = "Contact", Account = "Account" }
);

// The bucket a contact is counted in (its email permission, or deleted): what the `status`
// filter selects and what the maintained counts are kept by.
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
            "all" => &Bucket::ALL,
            _ => return None,
        })
    }

    /// Every bucket, `deleted` last: what the `status` filter's `all` selects.
    pub const ALL: [Bucket; 7] = [
        Bucket::Explicit,
        Bucket::Implicit,
        Bucket::NotSet,
        Bucket::PendingConfirmation,
        Bucket::TempHold,
        Bucket::Unsubscribed,
        Bucket::Deleted,
    ];

    /// Every bucket but `deleted`: what GET /contacts shows without a status filter.
    pub const NOT_DELETED: &'static [Bucket] = match Bucket::ALL.split_last() {
        Some((_deleted, rest)) => rest,
        None => &[],
    };
}

// The contact's email address and its consent state: the permission to send, confirmation,
// the opt-in and opt-out facts, and how a requested permission changes them.
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
    /// `email_address.confirm_status`.
    ConfirmStatus { Pending = "pending", Confirmed = "confirmed", Off = "off" }
);

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailInput {
    pub address: EmailAddress,
    pub permission: Option<Permission>,
    pub opt_out_reason: Option<String>,
}

impl EmailChannel {
    /// The email state of an address that arrives now with `permission`, given by `source`:
    /// the opt-in or opt-out facts stamped, confirmation off until asked for.
    pub fn arriving(
        address: EmailAddress,
        permission: Permission,
        source: Source,
        opt_out_reason: Option<String>,
        now: Timestamp,
    ) -> Self {
        let mut channel = EmailChannel {
            address,
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
        apply_permission(&mut channel, permission, source, opt_out_reason, now);
        channel
    }
}

/// The email state a contact gets when an address arrives with a requested permission.
pub(super) fn new_email_channel(
    input: &EmailInput,
    source: Source,
    now: Timestamp,
    default: Permission,
) -> EmailChannel {
    let permission = input.permission.unwrap_or(default);
    let reason = input.opt_out_reason.clone();
    EmailChannel::arriving(input.address.clone(), permission, source, reason, now)
}

/// Moves an email channel to `permission`, stamping the opt-in or opt-out facts.
pub(super) fn apply_permission(
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

// A contact's SMS channel: the number able to receive SMS, its consents, and the split of a
// full SMS address into dial code, national number and country.
wire_enum!(
    /// An SMS consent's `sms_consent_permission`, and the `sms_status` of a contact (its SMS
    /// channel's newest consent's, `not_set` without one) that GET /contacts filters by.
    SmsStatus {
        Explicit = "explicit",
        Unsubscribed = "unsubscribed",
        PendingConfirmation = "pending_confirmation",
        NotSet = "not_set",
    }
);

/// One SMS consent of the contact's SMS channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConsent {
    pub sms_consent_permission: SmsStatus,
    pub consent_type: String,
    pub consent_medium_details: Option<String>,
    pub opt_in_date: Option<Timestamp>,
    pub opt_out_date: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The SMS channel: a phone number able to receive SMS and its consents.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub fn status(&self) -> SmsStatus {
        self.consents
            .last()
            .map_or(SmsStatus::NotSet, |c| c.sms_consent_permission)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConsentInput {
    pub sms_consent_permission: SmsStatus,
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

pub(super) fn build_sms(
    input: SmsInput,
    source: Source,
    now: Timestamp,
    old: Option<&SmsChannel>,
) -> SmsChannel {
    let consents = input
        .consents
        .into_iter()
        .map(|c| {
            let opted_in = c.sms_consent_permission == SmsStatus::Explicit;
            let opted_out = c.sms_consent_permission == SmsStatus::Unsubscribed;
            SmsConsent {
                opt_in_date: opted_in.then_some(now),
                opt_out_date: opted_out.then_some(now),
                sms_consent_permission: c.sms_consent_permission,
                consent_type: c.consent_type,
                consent_medium_details: c.consent_medium_details,
                created_at: now,
                updated_at: now,
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

// A contact's phone numbers, street addresses and notes: the stored sub-resources, their
// inputs, and how a sent list replaces the stored one (an unchanged entry keeps its id and
// creation time).
wire_enum!(
    /// `phone_numbers[].kind`.
    PhoneKind { Home = "home", Work = "work", Mobile = "mobile", Other = "other" }
);

wire_enum!(
    /// `street_addresses[].kind`.
    AddressKind { Home = "home", Work = "work", Other = "other" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub id: Uuid,
    pub phone_number: Option<String>,
    pub kind: Option<PhoneKind>,
    pub create_source: Source,
    pub update_source: Source,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetAddress {
    pub id: Uuid,
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: Uuid,
    pub created_at: Timestamp,
    pub content: String,
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

pub(super) fn build_phones(
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
                created_at: same.map(|p| p.created_at).unwrap_or(now),
                updated_at: same.map(|p| p.updated_at).unwrap_or(now),
            }
        })
        .collect()
}

pub(super) fn build_addresses(
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
                created_at: same.map(|a| a.created_at).unwrap_or(now),
                updated_at: same.map(|a| a.updated_at).unwrap_or(now),
            }
        })
        .collect()
}

pub(super) fn build_notes(inputs: Vec<NoteInput>, now: Timestamp) -> Vec<Note> {
    let mut notes: Vec<Note> = inputs
        .into_iter()
        .map(|input| Note {
            id: input.note_id.unwrap_or_else(Uuid::now_v7),
            created_at: input.created_at.unwrap_or(now),
            content: input.content,
        })
        .collect();
    // "listed by most recent note first"
    notes.sort_by_key(|note| std::cmp::Reverse(note.created_at));
    notes
}

// The contact record: a stored contact with all its sub-resources, and the bucket it is
// counted in.
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
    /// A new contact with nothing but its id and stamps, created by `source` now: no address,
    /// names, sub-resources or links. Each path that creates a contact fills in what it knows.
    pub fn blank(source: Source, now: Timestamp) -> Contact {
        Contact {
            id: ContactId::generate(),
            email: None,
            first_name: None,
            last_name: None,
            job_title: None,
            company_name: None,
            birthday: None,
            anniversary: None,
            create_source: source,
            update_source: source,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            custom_fields: Vec::new(),
            phone_numbers: Vec::new(),
            street_addresses: Vec::new(),
            notes: Vec::new(),
            list_ids: Vec::new(),
            tag_ids: Vec::new(),
            sms_channel: None,
        }
    }

    /// Overwrites the names a sign-up form or an import row sends; a name it leaves out keeps
    /// its stored value (they add to a contact, never blank it).
    pub fn overwrite_sent_names(&mut self, names: [&Option<String>; 4]) {
        let [first_name, last_name, job_title, company_name] = names;
        for (slot, sent) in [
            (&mut self.first_name, first_name),
            (&mut self.last_name, last_name),
            (&mut self.job_title, job_title),
            (&mut self.company_name, company_name),
        ] {
            if sent.is_some() {
                slot.clone_from(sent);
            }
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_deleted_is_every_bucket_but_deleted() {
        assert_eq!(Bucket::NOT_DELETED.len(), Bucket::ALL.len() - 1);
        assert!(!Bucket::NOT_DELETED.contains(&Bucket::Deleted));
    }

    #[test]
    fn sms_statuses_keep_their_wire_spelling() {
        for status in [
            SmsStatus::Explicit,
            SmsStatus::Unsubscribed,
            SmsStatus::PendingConfirmation,
            SmsStatus::NotSet,
        ] {
            assert_eq!(SmsStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert_eq!(
            SmsStatus::NAMES,
            [
                "explicit",
                "unsubscribed",
                "pending_confirmation",
                "not_set"
            ]
        );
        assert_eq!(SmsStatus::parse("Explicit"), None);
    }

    #[test]
    fn a_channel_is_in_the_status_of_its_newest_consent() {
        let consent = |permission| SmsConsentInput {
            sms_consent_permission: permission,
            consent_type: "promotional_sms".into(),
            consent_medium_details: None,
        };
        let input = SmsInput {
            dial_code: "1".into(),
            sms_address: "5551234567".into(),
            country_code: "US".into(),
            consents: vec![],
        };
        let now = Timestamp::from_millis(7);
        let none = build_sms(input.clone(), Source::Account, now, None);
        assert_eq!(none.status(), SmsStatus::NotSet);
        let both = SmsInput {
            consents: vec![
                consent(SmsStatus::Explicit),
                consent(SmsStatus::Unsubscribed),
            ],
            ..input
        };
        let channel = build_sms(both, Source::Account, now, None);
        assert_eq!(channel.status(), SmsStatus::Unsubscribed);
        assert_eq!(channel.consents[0].opt_in_date, Some(now));
        assert_eq!(channel.consents[1].opt_out_date, Some(now));
    }

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
