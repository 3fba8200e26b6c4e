//! The V3 API's limits on a contact's properties and sub-resources (the HTTP edge checks the
//! lengths; the rules here check the counts).

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
