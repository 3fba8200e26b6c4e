//! The contact record: a stored contact with all its sub-resources, and the bucket it is
//! counted in.

use super::bucket::Bucket;
use super::custom_values::CustomValue;
use super::email_channel::{EmailChannel, Permission};
use super::sms::SmsChannel;
use super::source::Source;
use super::sub_resources::{Note, PhoneNumber, StreetAddress};
use crate::{ContactId, ListId, TagId, Timestamp};

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
