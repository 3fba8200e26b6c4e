//! What a read of contacts selects and loads: the filters of GET /contacts (and of bulk
//! sources), and the sub-resources the `include` parameter asks for.

use super::record::Bucket;
use super::record::SmsStatus;
use crate::{EmailAddress, ListId, TagId, Timestamp};

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
    /// SMS statuses: the contact's SMS channel's (`not_set` without one) is one of them.
    pub sms_statuses: Option<Vec<SmsStatus>>,
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
