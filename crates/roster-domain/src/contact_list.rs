//! Contact lists: named groups of contacts. Names are unique per account (case-insensitively);
//! member counts are maintained by the stores as memberships and contacts change.

use crate::{FieldError, ListId, Timestamp};

pub const MAX_LIST_NAME_LEN: usize = 255;
/// Constant Contact's API guide: at most 1,000 lists per account.
pub const MAX_LISTS_PER_ACCOUNT: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactList {
    pub id: ListId,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
    /// Members that are not deleted contacts.
    pub member_count: i64,
    /// Members that can be mailed (explicit or implicit permission).
    pub active_member_count: i64,
}

/// The body of POST and PUT /contact_lists (`ListInput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInput {
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
}

impl ListInput {
    /// Trims the name and checks it is not blank.
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            return Err(vec![FieldError::new("name", "must not be blank")]);
        }
        Ok(self)
    }
}

impl ContactList {
    pub fn create(input: ListInput, now: Timestamp) -> ContactList {
        ContactList {
            id: ListId::generate(),
            name: input.name,
            description: input.description,
            favorite: input.favorite,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            member_count: 0,
            active_member_count: 0,
        }
    }

    /// PUT replaces name, description and favorite.
    pub fn replace(&self, input: ListInput, now: Timestamp) -> ContactList {
        ContactList {
            name: input.name,
            description: input.description,
            favorite: input.favorite,
            updated_at: now,
            ..self.clone()
        }
    }
}

/// Which lists a collection GET shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStatusFilter {
    Active,
    Deleted,
    All,
}
