//! Roster's domain: the validated types every layer shares (ids, email addresses, timestamps),
//! the records the server keeps (accounts, users, OAuth clients, signing keys, custom fields),
//! bulk activities, and the storage contract that both database engines implement. Nothing here knows HTTP or SQL.

pub mod account;
pub mod activity;
pub mod contact;
pub mod contact_list;
pub mod counts;
pub mod custom_field;
pub mod email;
pub mod ids;
pub mod page;
pub mod store;
pub mod tag;
pub mod time;

pub use email::EmailAddress;
pub use ids::*;
pub use page::{Page, PageRequest};
pub use store::{Store, StoreError};
pub use time::Timestamp;
