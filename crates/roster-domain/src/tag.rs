//! Contact tags: labels an account puts on contacts. Names are unique per account
//! (case-insensitively); `contacts_count` is maintained by the stores.

use crate::{TagId, Timestamp};

pub const MAX_TAG_NAME_LEN: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    /// Who created the tag (free text in the spec, e.g. the integration's name).
    pub tag_source: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Tagged contacts that are not deleted.
    pub contacts_count: i64,
}

impl Tag {
    pub fn create(name: String, tag_source: Option<String>, now: Timestamp) -> Tag {
        Tag {
            id: TagId::generate(),
            name,
            tag_source,
            created_at: now,
            updated_at: now,
            contacts_count: 0,
        }
    }
}
