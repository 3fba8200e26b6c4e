//! What a contact does to its own consent through a link mailed to it: confirming its address
//! (a sign-up under Confirmed Opt-In) and unsubscribing (a campaign message's link). Both come
//! from the Contact, so they may move any permission (the consent rule limits only the
//! Account).

use super::record::{apply_permission, Contact, Permission, Source};
use crate::Timestamp;

impl Contact {
    /// The contact once it confirmed its address through the mailed link: explicit, opted in
    /// by the Contact now, any opt-out facts cleared (as a confirmed resubscription).
    pub fn confirmed_by_contact(&self, now: Timestamp) -> Contact {
        self.resubscribed_by_contact(now)
    }

    /// The contact once it unsubscribed through a link: `unsubscribed` by the Contact now,
    /// with its reason. None when there is nothing to change: no address, or unsubscribed
    /// already (the first opt-out's date, source and reason stay).
    pub fn unsubscribed_by_contact(&self, reason: Option<String>, now: Timestamp) -> Option<Self> {
        let mut contact = self.clone();
        let channel = contact.email.as_mut()?;
        if channel.permission == Permission::Unsubscribed {
            return None;
        }
        apply_permission(
            channel,
            Permission::Unsubscribed,
            Source::Contact,
            reason,
            now,
        );
        contact.update_source = Source::Contact;
        contact.updated_at = now;
        Some(contact)
    }
}

#[cfg(test)]
mod tests {
    use crate::contact::fixtures::unsubscribed_contact;
    use crate::contact::{Bucket, Permission, Source};
    use crate::Timestamp;

    #[test]
    fn unsubscribing_records_the_contacts_opt_out_once() {
        let now = Timestamp::from_millis(50);
        let mut contact = unsubscribed_contact();
        assert_eq!(contact.unsubscribed_by_contact(None, now), None);
        contact.email.as_mut().unwrap().permission = Permission::Explicit;
        let out = contact
            .unsubscribed_by_contact(Some("too many".into()), now)
            .unwrap();
        assert_eq!(out.bucket(), Bucket::Unsubscribed);
        let email = out.email.as_ref().unwrap();
        assert_eq!(email.opt_out_source, Some(Source::Contact));
        assert_eq!(email.opt_out_date, Some(now));
        assert_eq!(email.opt_out_reason.as_deref(), Some("too many"));
        assert_eq!(out.update_source, Source::Contact);
        assert_eq!(out.unsubscribed_by_contact(None, now), None);
    }

    #[test]
    fn confirming_makes_a_pending_address_explicit() {
        let now = Timestamp::from_millis(50);
        let mut contact = unsubscribed_contact();
        contact.email.as_mut().unwrap().permission = Permission::PendingConfirmation;
        let confirmed = contact.confirmed_by_contact(now);
        let email = confirmed.email.unwrap();
        assert_eq!(email.permission, Permission::Explicit);
        assert_eq!(email.opt_in_source, Some(Source::Contact));
        assert_eq!(email.opt_in_date, Some(now));
    }
}
