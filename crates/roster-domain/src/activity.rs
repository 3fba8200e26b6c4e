//! Bulk activities: large changes a client starts and then polls. This module owns the
//! activity record (kind, state, counters), the persisted job description each kind runs, and
//! the import rule (upsert by email: a new contact gets implicit permission from the Account;
//! an existing one gets only the properties the row carries, never a permission change).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::{
    AddressKind, Bucket, Contact, CustomValue, EmailChannel, Permission, PhoneKind, PhoneNumber,
    Source, StreetAddress, MAX_LIST_MEMBERSHIPS, MAX_PHONE_NUMBERS, MAX_STREET_ADDRESSES,
};
use crate::{
    AccountId, ActivityId, ContactId, CustomFieldId, EmailAddress, ListId, SegmentId, TagId,
    Timestamp,
};

/// Constant Contact's cap on queued activities per account (answered 429 beyond it).
pub const MAX_QUEUED_ACTIVITIES: u32 = 1000;
/// GET /activities shows what the account submitted over this many days.
pub const HISTORY_DAYS: i64 = 10;
/// Activities (and export files) older than this are purged.
pub const RETENTION_DAYS: i64 = 30;
/// At most this many errors are kept per activity; the counters still count every one.
pub const MAX_STORED_ERRORS: i64 = 1000;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(
    /// What an activity does; the names are the V3 operation paths.
    ActivityKind {
        ContactsJsonImport = "contacts_json_import",
        ContactsFileImport = "contacts_file_import",
        ContactExports = "contact_exports",
        ContactDelete = "contact_delete",
        AddListMemberships = "add_list_memberships",
        RemoveListMemberships = "remove_list_memberships",
        ListDelete = "list_delete",
        TaggingsAdd = "contacts_taggings_add",
        TaggingsRemove = "contacts_taggings_remove",
        TagsDelete = "contacts_tags_delete",
        CustomFieldsDelete = "custom_fields_delete",
    }
);

text_enum!(
    /// initialized → processing → completed | failed | cancelled | timed_out.
    ActivityState {
        Initialized = "initialized",
        Processing = "processing",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
        TimedOut = "timed_out",
    }
);

impl ActivityState {
    pub fn is_finished(self) -> bool {
        !matches!(self, Self::Initialized | Self::Processing)
    }
}

/// An activity as stored: its counters move as batches commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: ActivityId,
    pub account: AccountId,
    pub kind: ActivityKind,
    pub state: ActivityState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    /// Items the activity will process (rows of an import, contacts of a change).
    pub items_total: i64,
    /// Items processed so far (the resume point of imports).
    pub items_completed: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub error_count: i64,
    /// Contacts that could not join a list (already in 50 lists).
    pub cannot_add_to_list_count: i64,
    pub list_count: i64,
    pub source_file_name: Option<String>,
    /// The last contact a contact-walking job processed (its resume point).
    pub cursor: Option<ContactId>,
    /// The first `MAX_STORED_ERRORS` problems, in order.
    pub errors: Vec<String>,
}

impl Activity {
    pub fn new(account: AccountId, kind: ActivityKind, items_total: i64, now: Timestamp) -> Self {
        Activity {
            id: ActivityId::generate(),
            account,
            kind,
            state: ActivityState::Initialized,
            created_at: now,
            updated_at: now,
            started_at: None,
            completed_at: None,
            items_total,
            items_completed: 0,
            created_count: 0,
            updated_count: 0,
            error_count: 0,
            cannot_add_to_list_count: 0,
            list_count: 0,
            source_file_name: None,
            cursor: None,
            errors: Vec::new(),
        }
    }

    pub fn percent_done(&self) -> i64 {
        if self.state == ActivityState::Completed {
            return 100;
        }
        if self.items_total <= 0 {
            return 0;
        }
        (self.items_completed * 100 / self.items_total).clamp(0, 99)
    }
}

/// Which contacts a contact-walking job visits. `contact_ids` (when given) names them directly;
/// otherwise contacts in any of `lists`, tagged with any of `tags`, or all, within `buckets`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSelection {
    pub contact_ids: Option<Vec<ContactId>>,
    pub lists: Vec<ListId>,
    pub tags: Vec<TagId>,
    pub buckets: Vec<Bucket>,
    pub exclude: Vec<ContactId>,
    /// Only contacts that opted in since this instant (milliseconds since the epoch).
    pub opted_in_since: Option<i64>,
    /// Contacts matching this segment's criteria (evaluated when the activity runs).
    #[serde(default)]
    pub segment_id: Option<SegmentId>,
    /// Contacts at this engagement level (evaluated when the activity runs).
    #[serde(default)]
    pub engagement_level: Option<crate::engagement::EngagementLevel>,
}

/// What a contact-walking job changes on each contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactChange {
    AddLists(Vec<ListId>),
    RemoveLists(Vec<ListId>),
    AddTags(Vec<TagId>),
    RemoveTags(Vec<TagId>),
    Delete,
}

/// One import item: a row ready to upsert, or the reason it was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportItem {
    Row(ImportRow),
    Rejected(String),
}

/// The persisted description of what an activity does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityJob {
    Import {
        list_ids: Vec<ListId>,
        items: Vec<ImportItem>,
    },
    Export {
        selection: ContactSelection,
        fields: Vec<String>,
    },
    ChangeContacts {
        selection: ContactSelection,
        change: ContactChange,
    },
    DeleteLists(Vec<ListId>),
    DeleteTags(Vec<TagId>),
    DeleteCustomFields(Vec<CustomFieldId>),
}

/// A claimed activity and its job.
#[derive(Debug, Clone)]
pub struct ClaimedActivity {
    pub activity: Activity,
    pub job: ActivityJob,
}

/// What one committed import batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: i64,
    pub updated: i64,
}

/// One import row, already checked: the properties it carries, normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Normalised (trimmed, lower-case).
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday: Option<(u8, u8)>,
    /// `YYYY-MM-DD`.
    pub anniversary: Option<String>,
    pub phones: Vec<(Option<PhoneKind>, String)>,
    pub addresses: Vec<ImportAddress>,
    pub custom_values: Vec<CustomValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportAddress {
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

impl ImportRow {
    pub fn address(&self) -> Result<EmailAddress, String> {
        EmailAddress::parse(&self.email).map_err(|e| format!("{}: {e}", self.email))
    }

    /// The contact after this row is imported: a new contact (implicit permission, opted in
    /// by the Account) or `existing` with only the row's properties changed. Returns whether a
    /// list could not be joined because the contact is already in 50 lists.
    pub fn apply(
        &self,
        existing: Option<&Contact>,
        lists: &[ListId],
        now: Timestamp,
    ) -> Result<(Contact, bool), String> {
        let address = self.address()?;
        let mut contact = match existing {
            Some(contact) => {
                let mut contact = contact.clone();
                // An import revives a deleted contact but never changes its permission.
                contact.deleted_at = None;
                contact.update_source = Source::Account;
                contact.updated_at = now;
                contact
            }
            None => {
                let email = EmailChannel::arriving(
                    address,
                    Permission::Implicit,
                    Source::Account,
                    None,
                    now,
                );
                Contact {
                    email: Some(email),
                    ..Contact::blank(Source::Account, now)
                }
            }
        };
        contact.overwrite_sent_names([
            &self.first_name,
            &self.last_name,
            &self.job_title,
            &self.company_name,
        ]);
        if self.anniversary.is_some() {
            contact.anniversary.clone_from(&self.anniversary);
        }
        if let Some((month, day)) = self.birthday {
            contact.birthday = Some(crate::contact::Birthday { month, day });
        }
        for (kind, number) in &self.phones {
            if contact
                .phone_numbers
                .iter()
                .any(|p| p.phone_number.as_deref() == Some(number.as_str()) && p.kind == *kind)
            {
                continue;
            }
            let phone = PhoneNumber {
                id: Uuid::now_v7(),
                phone_number: Some(number.clone()),
                kind: *kind,
                create_source: Source::Account,
                update_source: Source::Account,
                created_at: now,
                updated_at: now,
            };
            let count = contact.phone_numbers.len();
            let same_kind = contact
                .phone_numbers
                .iter()
                .position(|p| p.kind.is_some() && p.kind == *kind);
            match same_kind {
                Some(at) => contact.phone_numbers[at] = phone,
                None if count < MAX_PHONE_NUMBERS => contact.phone_numbers.push(phone),
                None => contact.phone_numbers[count - 1] = phone,
            }
        }
        for sent in &self.addresses {
            let address = StreetAddress {
                id: Uuid::now_v7(),
                kind: sent.kind,
                street: sent.street.clone(),
                city: sent.city.clone(),
                state: sent.state.clone(),
                postal_code: sent.postal_code.clone(),
                country: sent.country.clone(),
                created_at: now,
                updated_at: now,
            };
            let count = contact.street_addresses.len();
            match contact
                .street_addresses
                .iter_mut()
                .find(|a| a.kind == sent.kind)
            {
                Some(slot) => {
                    let id = slot.id;
                    let created_at = slot.created_at;
                    *slot = StreetAddress {
                        id,
                        created_at,
                        ..address
                    };
                }
                None if count < MAX_STREET_ADDRESSES => contact.street_addresses.push(address),
                None => {}
            }
        }
        for value in &self.custom_values {
            match contact
                .custom_fields
                .iter_mut()
                .find(|v| v.custom_field_id == value.custom_field_id)
            {
                Some(slot) => *slot = value.clone(),
                None => contact.custom_fields.push(value.clone()),
            }
        }
        let mut refused = false;
        for list in lists {
            if contact.list_ids.contains(list) {
                continue;
            }
            if contact.list_ids.len() >= MAX_LIST_MEMBERSHIPS {
                refused = true;
                continue;
            }
            contact.list_ids.push(*list);
        }
        Ok((contact, refused))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(email: &str) -> ImportRow {
        ImportRow {
            email: email.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_contact_is_implicit_from_the_account() {
        let list = ListId::generate();
        let (contact, refused) = row("a@example.com")
            .apply(None, &[list], Timestamp::from_millis(9))
            .unwrap();
        let email = contact.email.unwrap();
        assert_eq!(email.permission, Permission::Implicit);
        assert_eq!(email.opt_in_source, Some(Source::Account));
        assert_eq!(contact.list_ids, vec![list]);
        assert!(!refused);
    }

    #[test]
    fn an_existing_contact_keeps_its_permission_and_unsent_properties() {
        let mut first = row("a@example.com");
        first.first_name = Some("Ann".into());
        first.job_title = Some("CTO".into());
        let (mut existing, _) = first.apply(None, &[], Timestamp::from_millis(1)).unwrap();
        existing.email.as_mut().unwrap().permission = Permission::Unsubscribed;
        let mut second = row("a@example.com");
        second.first_name = Some("Anna".into());
        let (updated, _) = second
            .apply(Some(&existing), &[], Timestamp::from_millis(2))
            .unwrap();
        assert_eq!(updated.id, existing.id);
        assert_eq!(updated.first_name.as_deref(), Some("Anna"));
        assert_eq!(updated.job_title.as_deref(), Some("CTO"));
        assert_eq!(updated.email.unwrap().permission, Permission::Unsubscribed);
    }

    #[test]
    fn the_fifty_first_list_is_refused() {
        let lists: Vec<ListId> = (0..51).map(|_| ListId::generate()).collect();
        let (contact, refused) = row("a@example.com")
            .apply(None, &lists, Timestamp::from_millis(1))
            .unwrap();
        assert_eq!(contact.list_ids.len(), 50);
        assert!(refused);
    }

    #[test]
    fn percent_done_reaches_100_only_when_completed() {
        let mut activity = Activity::new(
            AccountId::generate(),
            ActivityKind::ContactDelete,
            10,
            Timestamp::from_millis(1),
        );
        activity.items_completed = 10;
        assert_eq!(activity.percent_done(), 99);
        activity.state = ActivityState::Completed;
        assert_eq!(activity.percent_done(), 100);
    }
}
