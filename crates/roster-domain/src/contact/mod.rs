//! Contacts: the people an account mails. This folder owns the contact record, its
//! sub-resources and the rules the V3 API states for them: field limits, birthday and
//! anniversary dates, custom-field values checked against the account's definitions, and the
//! consent rules of each path that creates or changes a contact (POST, PUT, sign-up form).
//!
//! One file per part, each importing only the parts below it (`wire_enum`, `limits` and
//! `source` at the bottom, the record in the middle, the rules of each path on top); this file
//! only declares them and re-exports their public items, so `roster_domain::contact::X` names
//! every one of them.

mod bucket;
mod custom_values;
mod email_channel;
mod filter;
#[cfg(test)]
mod fixtures;
mod limits;
mod record;
mod rules;
mod sign_up;
mod sms;
mod source;
mod sub_resources;
mod wire_enum;

pub use bucket::Bucket;
pub use custom_values::{check_custom_values, AccountContext, CustomValue, CustomValueInput};
pub use email_channel::{ConfirmStatus, EmailChannel, EmailInput, Permission};
pub use filter::{ContactFilter, Includes};
pub use limits::*;
pub use record::{Birthday, Contact};
pub use rules::ContactInput;
pub use sign_up::SignUpInput;
pub use sms::{split_sms_address, SmsChannel, SmsConsent, SmsConsentInput, SmsInput, SmsStatus};
pub use source::Source;
pub use sub_resources::{
    AddressInput, AddressKind, Note, NoteInput, PhoneInput, PhoneKind, PhoneNumber, StreetAddress,
};
