//! The values one message is personalised with: a contact's properties, its custom-field
//! values by field name, and the account's properties. The caller builds a `Recipient` from
//! the records it loaded (a contact for a send, the account owner for a preview); rendering
//! only looks values up.

use std::collections::{BTreeMap, HashMap};

use roster_domain::account_services::{AccountProfile, PhysicalAddress};
use roster_domain::contact::{Contact, PhoneKind};
use roster_domain::custom_field::CustomField;

use crate::tags::{AccountTag, ContactTag, Tag};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The account a message is sent from: its profile (GET /account/summary) and its physical
/// address, if it has one.
#[derive(Debug, Clone, Copy)]
pub struct AccountDetails<'a> {
    pub profile: &'a AccountProfile,
    pub address: Option<&'a PhysicalAddress>,
}

/// The values one message is rendered with. A tag without a value (absent or blank) renders its
/// fallback, else nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipient {
    contact: BTreeMap<ContactTag, String>,
    /// Keyed by the field name in lower case: `[[CUSTOM.name]]` matches case-insensitively,
    /// as custom field names are unique per account case-insensitively.
    custom: HashMap<String, String>,
    account: BTreeMap<AccountTag, String>,
}

impl Recipient {
    /// A contact of the account, with its custom values named by the account's definitions
    /// (`custom_fields`; a value whose field is not among them is left out).
    pub fn contact(
        contact: &Contact,
        custom_fields: &[CustomField],
        account: AccountDetails<'_>,
    ) -> Self {
        let mut recipient = Self::with_account(account);
        let mut set = |tag, value: Option<&str>| recipient.set_contact(tag, value);
        set(ContactTag::FirstName, contact.first_name.as_deref());
        set(ContactTag::LastName, contact.last_name.as_deref());
        set(ContactTag::CompanyName, contact.company_name.as_deref());
        set(ContactTag::JobTitle, contact.job_title.as_deref());
        set(
            ContactTag::EmailAddress,
            contact.email.as_ref().map(|e| e.address.as_str()),
        );
        set(ContactTag::Anniversary, contact.anniversary.as_deref());
        let birthday = contact.birthday.and_then(|b| {
            let month = MONTHS.get(usize::from(b.month).checked_sub(1)?)?;
            Some(format!("{month} {}", b.day))
        });
        set(ContactTag::Birthday, birthday.as_deref());
        if let Some(address) = contact.street_addresses.first() {
            let [line1, line2, line3] = street_lines(address.street.as_deref().unwrap_or(""));
            set(ContactTag::AddressLine1, Some(&line1));
            set(ContactTag::AddressLine2, Some(&line2));
            set(ContactTag::AddressLine3, Some(&line3));
            set(ContactTag::City, address.city.as_deref());
            set(ContactTag::StateName, address.state.as_deref());
            set(ContactTag::PostalCode, address.postal_code.as_deref());
            set(ContactTag::Country, address.country.as_deref());
        }
        for (tag, kind) in [
            (ContactTag::HomePhone, PhoneKind::Home),
            (ContactTag::WorkPhone, PhoneKind::Work),
        ] {
            let phone = contact
                .phone_numbers
                .iter()
                .find(|p| p.kind == Some(kind))
                .and_then(|p| p.phone_number.as_deref());
            set(tag, phone);
        }
        for value in &contact.custom_fields {
            if let Some(field) = custom_fields.iter().find(|f| f.id == value.custom_field_id) {
                recipient.set_custom(&field.name, &value.value);
            }
        }
        recipient
    }

    /// The account owner as the recipient, for previews: first and last name and contact email
    /// of the account's profile; every other contact tag and every custom field falls back.
    pub fn account_owner(account: AccountDetails<'_>) -> Self {
        let mut recipient = Self::with_account(account);
        let profile = account.profile;
        recipient.set_contact(ContactTag::FirstName, profile.first_name.as_deref());
        recipient.set_contact(ContactTag::LastName, profile.last_name.as_deref());
        recipient.set_contact(
            ContactTag::EmailAddress,
            profile.contact_email.as_ref().map(|e| e.as_str()),
        );
        recipient
    }

    /// A test send's values. The official document: a test send "does not process any dynamic
    /// content [...] Dynamic content includes contact and custom field variables". So every
    /// contact and custom-field tag renders its fallback, or nothing, while the account tags,
    /// which are the same for every recipient, render the account's values. Constant Contact's
    /// knowledge base says a test shows the owner's details instead (docs/CAMPAIGNS.md, "Test
    /// sends", records the contradiction and why the document wins).
    pub fn for_test_send(account: AccountDetails<'_>) -> Self {
        Self::with_account(account)
    }

    /// Only the account's values: every contact tag falls back.
    pub fn with_account(account: AccountDetails<'_>) -> Self {
        let mut recipient = Self::default();
        let profile = account.profile;
        let mut set = |tag, value: Option<&str>| recipient.set_account(tag, value);
        set(
            AccountTag::OrganizationName,
            profile.organization_name.as_deref(),
        );
        set(AccountTag::SiteUrl, profile.website.as_deref());
        set(AccountTag::LogoUrl, profile.logo_external_url.as_deref());
        let owner = [profile.first_name.as_deref(), profile.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        set(AccountTag::SignatureName, Some(&owner));
        set(
            AccountTag::SignatureEmail,
            profile.contact_email.as_ref().map(|e| e.as_str()),
        );
        if let Some(address) = account.address {
            set(AccountTag::AddressLine1, Some(&address.address_line1));
            set(AccountTag::AddressLine2, address.address_line2.as_deref());
            set(AccountTag::AddressLine3, address.address_line3.as_deref());
            set(AccountTag::City, Some(&address.city));
            set(
                AccountTag::State,
                address
                    .state_name
                    .as_deref()
                    .or(address.state_code.as_deref()),
            );
            set(AccountTag::UsState, address.state_code.as_deref());
            set(AccountTag::Country, Some(&address.country_code));
            set(AccountTag::CountryCode, Some(&address.country_code));
            set(AccountTag::PostalCode, address.postal_code.as_deref());
        }
        recipient
    }

    /// Sets (or, with `None` or a blank value, clears) a contact property.
    pub fn set_contact(&mut self, tag: ContactTag, value: Option<&str>) {
        set_value(&mut self.contact, tag, value);
    }

    pub fn set_account(&mut self, tag: AccountTag, value: Option<&str>) {
        set_value(&mut self.account, tag, value);
    }

    /// Sets the value of the custom field named `name` (any case).
    pub fn set_custom(&mut self, name: &str, value: &str) {
        let key = name.to_lowercase();
        if is_blank(value) {
            self.custom.remove(&key);
        } else {
            self.custom.insert(key, value.to_string());
        }
    }

    /// The value a tag renders, if there is one (never blank).
    pub fn value(&self, tag: &Tag) -> Option<&str> {
        match tag {
            Tag::Contact(tag) => self.contact.get(tag),
            Tag::Account(tag) => self.account.get(tag),
            Tag::Custom(name) => self.custom.get(&name.to_lowercase()),
            Tag::TrackingImage => None,
        }
        .map(String::as_str)
    }
}

fn is_blank(value: &str) -> bool {
    value.trim().is_empty()
}

fn set_value<K: Ord>(map: &mut BTreeMap<K, String>, key: K, value: Option<&str>) {
    match value.filter(|v| !is_blank(v)) {
        Some(value) => map.insert(key, value.to_string()),
        None => map.remove(&key),
    };
}

/// A contact's `street` as three address lines: the first two lines as they are, the third
/// holding every further line joined by ", " (Roster stores one `street`; Constant Contact's
/// table has three line tags).
fn street_lines(street: &str) -> [String; 3] {
    let mut lines = street
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty());
    let first = lines.next().unwrap_or_default().to_string();
    let second = lines.next().unwrap_or_default().to_string();
    let rest = lines.collect::<Vec<_>>().join(", ");
    [first, second, rest]
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::contact::{
        AddressKind, Birthday, CustomValue, EmailChannel, Permission, PhoneNumber, Source,
        StreetAddress,
    };
    use roster_domain::custom_field::CustomFieldType;
    use roster_domain::{CustomFieldId, EmailAddress, Timestamp};

    fn profile() -> AccountProfile {
        AccountProfile {
            first_name: Some("Olive".into()),
            last_name: Some("Owner".into()),
            organization_name: Some("Acme & Co".into()),
            contact_email: EmailAddress::parse("owner@acme.example").ok(),
            website: Some("https://acme.example".into()),
            ..AccountProfile::default()
        }
    }

    fn address() -> PhysicalAddress {
        PhysicalAddress {
            address_line1: "1 Main St".into(),
            address_line2: None,
            address_line3: None,
            city: "Springfield".into(),
            state_code: Some("IL".into()),
            state_name: None,
            postal_code: Some("62701".into()),
            country_code: "US".into(),
        }
    }

    fn custom_field(name: &str) -> CustomField {
        CustomField {
            id: CustomFieldId::generate(),
            label: name.into(),
            name: name.into(),
            field_type: CustomFieldType::String,
            metadata: None,
            version: None,
            choices: vec![],
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        }
    }

    fn contact(field: &CustomField) -> Contact {
        let now = Timestamp::now();
        let mut contact = Contact::blank(Source::Account, now);
        contact.email = EmailAddress::parse("ann@example.com").ok().map(|address| {
            EmailChannel::arriving(address, Permission::Explicit, Source::Account, None, now)
        });
        contact.first_name = Some("Ann".into());
        contact.last_name = Some("  ".into());
        contact.company_name = Some("Widgets".into());
        contact.birthday = Some(Birthday { month: 3, day: 5 });
        contact.anniversary = Some("2020-06-01".into());
        contact.custom_fields = vec![CustomValue {
            custom_field_id: field.id,
            value: "42".into(),
            choice_ids: vec![],
        }];
        contact.phone_numbers = vec![PhoneNumber {
            id: Default::default(),
            phone_number: Some("555-0100".into()),
            kind: Some(PhoneKind::Work),
            create_source: Source::Account,
            update_source: Source::Account,
            created_at: now,
            updated_at: now,
        }];
        contact.street_addresses = vec![StreetAddress {
            id: Default::default(),
            kind: AddressKind::Home,
            street: Some("Flat 2\n10 High St\nBlock B\nEast Wing".into()),
            city: Some("Leeds".into()),
            state: None,
            postal_code: Some("LS1".into()),
            country: Some("GB".into()),
            created_at: now,
            updated_at: now,
        }];
        contact
    }

    #[test]
    fn a_contact_gives_its_properties_custom_values_and_the_account() {
        let (profile, address) = (profile(), address());
        let field = custom_field("Shoe_Size");
        let account = AccountDetails {
            profile: &profile,
            address: Some(&address),
        };
        let recipient = Recipient::contact(&contact(&field), std::slice::from_ref(&field), account);
        let value = |tag: ContactTag| recipient.value(&Tag::Contact(tag));
        assert_eq!(value(ContactTag::FirstName), Some("Ann"));
        assert_eq!(value(ContactTag::LastName), None, "blank is no value");
        assert_eq!(value(ContactTag::EmailAddress), Some("ann@example.com"));
        assert_eq!(value(ContactTag::Birthday), Some("March 5"));
        assert_eq!(value(ContactTag::Anniversary), Some("2020-06-01"));
        assert_eq!(value(ContactTag::AddressLine1), Some("Flat 2"));
        assert_eq!(value(ContactTag::AddressLine2), Some("10 High St"));
        assert_eq!(value(ContactTag::AddressLine3), Some("Block B, East Wing"));
        assert_eq!(value(ContactTag::Country), Some("GB"));
        assert_eq!(value(ContactTag::WorkPhone), Some("555-0100"));
        assert_eq!(value(ContactTag::HomePhone), None);
        assert_eq!(value(ContactTag::MiddleName), None);
        assert_eq!(
            recipient.value(&Tag::Custom("SHOE_size".into())),
            Some("42")
        );
        let account = |tag: AccountTag| recipient.value(&Tag::Account(tag));
        assert_eq!(account(AccountTag::OrganizationName), Some("Acme & Co"));
        assert_eq!(account(AccountTag::State), Some("IL"));
        assert_eq!(account(AccountTag::SignatureName), Some("Olive Owner"));
        assert_eq!(account(AccountTag::AddressLine2), None);
    }

    #[test]
    fn the_account_owner_stands_in_for_the_contact_in_previews() {
        let profile = profile();
        let recipient = Recipient::account_owner(AccountDetails {
            profile: &profile,
            address: None,
        });
        let value = |tag: ContactTag| recipient.value(&Tag::Contact(tag));
        assert_eq!(value(ContactTag::FirstName), Some("Olive"));
        assert_eq!(value(ContactTag::EmailAddress), Some("owner@acme.example"));
        assert_eq!(value(ContactTag::CompanyName), None);
        assert_eq!(recipient.value(&Tag::Account(AccountTag::City)), None);
    }

    #[test]
    fn a_test_send_has_the_account_values_and_no_contact_values() {
        let (profile, address) = (profile(), address());
        let recipient = Recipient::for_test_send(AccountDetails {
            profile: &profile,
            address: Some(&address),
        });
        for tag in ContactTag::ALL {
            assert_eq!(recipient.value(&Tag::Contact(tag)), None, "{tag:?}");
        }
        assert_eq!(recipient.value(&Tag::Custom("x".into())), None);
        let account = |tag: AccountTag| recipient.value(&Tag::Account(tag));
        assert_eq!(account(AccountTag::OrganizationName), Some("Acme & Co"));
        assert_eq!(account(AccountTag::City), Some("Springfield"));
    }

    #[test]
    fn an_impossible_birthday_month_is_no_value() {
        let field = custom_field("x");
        let mut contact = contact(&field);
        contact.birthday = Some(Birthday { month: 0, day: 1 });
        let profile = AccountProfile::default();
        let account = AccountDetails {
            profile: &profile,
            address: None,
        };
        let recipient = Recipient::contact(&contact, &[], account);
        assert_eq!(recipient.value(&Tag::Contact(ContactTag::Birthday)), None);
        assert_eq!(recipient.value(&Tag::Custom("x".into())), None);
    }
}
