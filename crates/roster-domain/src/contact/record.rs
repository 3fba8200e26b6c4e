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
