//! What the contact rules' unit tests share: an account with no custom fields, an address
//! input, contacts created through POST's rules, and the fields a refusal names.

use crate::contact::{AccountContext, Contact, ContactInput, EmailInput, Permission, Source};
use crate::{EmailAddress, FieldError, Timestamp};

/// The fields a refusal names, in order.
pub(super) fn fields(errors: Vec<FieldError>) -> Vec<String> {
    errors.into_iter().map(|e| e.field).collect()
}

/// An account context with no custom fields defined.
pub(super) fn context() -> AccountContext<'static> {
    AccountContext { custom_fields: &[] }
}

/// An address sent with `permission` (none: the path's default) and no opt-out reason.
pub(super) fn email(address: &str, permission: Option<Permission>) -> Option<EmailInput> {
    Some(EmailInput {
        address: EmailAddress::parse(address).unwrap(),
        permission,
        opt_out_reason: None,
    })
}

/// The contact POST creates from `input`, sent by the account at `millis`.
pub(super) fn created(input: ContactInput, millis: i64) -> Contact {
    let at = Timestamp::from_millis(millis);
    Contact::create(input, Source::Account, &context(), at).unwrap()
}

/// `a@example.com`, unsubscribed, created at 1.
pub(super) fn unsubscribed_contact() -> Contact {
    let input = ContactInput {
        email: email("a@example.com", Some(Permission::Unsubscribed)),
        ..Default::default()
    };
    created(input, 1)
}
