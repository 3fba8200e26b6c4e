//! Database rows as their own types, and their conversions to and from the domain. A row that
//! does not convert means the database holds something Roster never wrote: that is reported as
//! an outage, not handed to a client.
//!
//! One file per side of the schema (the account side, the contact side, the queued work, the
//! campaigns, the contacts' own consent links, the tracking events, bounces coming back, the
//! email reports); `convert` holds what they all use, and imports none of them.

mod accounts;
mod bounces;
mod campaigns;
mod consent;
mod contact_reports;
mod contacts;
mod convert;
mod follow_ups;
mod queues;
mod reports;
mod tracking;

pub use accounts::*;
pub use bounces::*;
pub use campaigns::*;
pub use consent::*;
pub use contact_reports::*;
pub use contacts::*;
pub use convert::{corrupt_error, to_json};
pub use follow_ups::*;
pub use queues::*;
pub use reports::*;
pub use tracking::*;
