//! Resubscription: an account asks an unsubscribed contact to opt in again. The contact gets
//! one confirmation mail; only following its link (and pressing the button) makes the address
//! explicit again. The account can ask once per contact.

use crate::contact::{Bucket, Contact};
use crate::{AccountId, ContactId, ListId, Timestamp};

/// A request, pending until the contact confirms or declines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resubscription {
    pub account: AccountId,
    pub contact: ContactId,
    /// SHA-256 (hex) of the token mailed in the confirmation link.
    pub token_sha256: String,
    pub list_ids: Vec<ListId>,
    pub requested_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
    pub declined_at: Option<Timestamp>,
}

impl Resubscription {
    /// Whether the link still works.
    pub fn is_pending(&self) -> bool {
        self.confirmed_at.is_none() && self.declined_at.is_none()
    }
}

/// Why a contact cannot be sent a resubscription request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotResubscribable {
    /// Its address is not unsubscribed (or it has none, or it is deleted).
    NotUnsubscribed,
}

impl Contact {
    /// The contact once the account asked to resubscribe it: the lists are added at once (it
    /// stays unsubscribed, so no active count moves).
    pub fn with_resubscription_lists(
        &self,
        lists: &[ListId],
        now: Timestamp,
    ) -> Result<Contact, NotResubscribable> {
        if self.bucket() != Bucket::Unsubscribed {
            return Err(NotResubscribable::NotUnsubscribed);
        }
        let mut contact = self.clone();
        for list in lists {
            if !contact.list_ids.contains(list) {
                contact.list_ids.push(*list);
            }
        }
        contact.updated_at = now;
        Ok(contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{EmailChannel, Permission, Source};
    use crate::EmailAddress;

    fn contact(permission: Permission) -> Contact {
        let now = Timestamp::from_millis(1);
        let address = EmailAddress::parse("jo@example.com").unwrap();
        let reason = Some("too many".into());
        let mut email = EmailChannel::arriving(
            address,
            Permission::Unsubscribed,
            Source::Contact,
            reason,
            now,
        );
        email.permission = permission;
        Contact {
            email: Some(email),
            ..Contact::blank(Source::Account, now)
        }
    }

    #[test]
    fn only_unsubscribed_contacts_get_the_lists() {
        let list = ListId::generate();
        let now = Timestamp::from_millis(9);
        let updated = contact(Permission::Unsubscribed)
            .with_resubscription_lists(&[list, list], now)
            .unwrap();
        assert_eq!(updated.list_ids, [list]);
        assert_eq!(updated.bucket(), Bucket::Unsubscribed);
        assert_eq!(
            contact(Permission::Explicit).with_resubscription_lists(&[list], now),
            Err(NotResubscribable::NotUnsubscribed)
        );
    }

    #[test]
    fn confirming_makes_the_address_explicit_from_the_contact() {
        let now = Timestamp::from_millis(9);
        let confirmed = contact(Permission::Unsubscribed).resubscribed_by_contact(now);
        let email = confirmed.email.unwrap();
        assert_eq!(email.permission, Permission::Explicit);
        assert_eq!(email.opt_in_source, Some(Source::Contact));
        assert_eq!(email.opt_in_date, Some(now));
        assert_eq!(email.opt_out_date, None);
        assert_eq!(email.opt_out_reason, None);
        assert_eq!(confirmed.update_source, Source::Contact);
    }
}
