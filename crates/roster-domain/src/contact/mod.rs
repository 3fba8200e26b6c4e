//! Contacts: the people an account mails. This folder owns the contact record, its
//! sub-resources and the rules the V3 API states for them: field limits, birthday and
//! anniversary dates, custom-field values checked against the account's definitions, and the
//! consent rules of each path that creates or changes a contact (POST, PUT, sign-up form).
//!
//! The record and its parts are one file (`record`); the rules of each path build on it, and
//! `wire_enum`, `limits` and `custom_values` sit below it. This file only declares the files
//! and re-exports their public items, so `roster_domain::contact::X` names every one of them.

mod custom_values;
mod filter;
#[cfg(test)]
mod fixtures;
mod limits;
mod record;
mod rules;
mod self_service;
mod sign_up;
mod wire_enum;

pub use custom_values::{check_custom_values, AccountContext, CustomValue, CustomValueInput};
pub use filter::{ContactFilter, Includes};
pub use limits::*;
pub use record::{
    split_sms_address, AddressInput, AddressKind, Birthday, Bucket, ConfirmStatus, Contact,
    EmailChannel, EmailInput, Note, NoteInput, Permission, PhoneInput, PhoneKind, PhoneNumber,
    SmsChannel, SmsConsent, SmsConsentInput, SmsInput, SmsStatus, Source, StreetAddress,
};
pub use rules::ContactInput;
pub use sign_up::SignUpInput;
