//! What contacts do through the links mailed to them, apart from resubscribing
//! (`resubscription`): confirming a sign-up under Confirmed Opt-In, and unsubscribing through a
//! campaign message's link, which is credited to the campaign activity that mailed it.

use crate::{AccountId, CampaignActivityId, ContactId, Timestamp};

/// How long a sign-up confirmation link works: a week, long enough for a holiday inbox, short
/// enough that an old mail forwarded around stops confirming.
pub const OPT_IN_LINK_LIFETIME_SECONDS: i64 = 7 * 24 * 3600;

/// A new sign-up of a contact whose link is still unconfirmed mails a new link only when the
/// last one was mailed at least this long ago, so a form submitted over and over (by a person
/// or a script) cannot flood an address with confirmations.
pub const OPT_IN_RESEND_AFTER_SECONDS: i64 = 3600;

/// The confirmation a sign-up under Confirmed Opt-In asks of a contact: one per contact, the
/// newest link replacing the one before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptInConfirmation {
    pub account: AccountId,
    pub contact: ContactId,
    /// SHA-256 (hex) of the token mailed in the link.
    pub token_sha256: String,
    pub requested_at: Timestamp,
    pub expires_at: Timestamp,
    pub confirmed_at: Option<Timestamp>,
}

impl OptInConfirmation {
    /// A confirmation requested now, for a link with the token whose SHA-256 is given.
    pub fn requested(
        account: AccountId,
        contact: ContactId,
        token_sha256: String,
        now: Timestamp,
    ) -> Self {
        Self {
            account,
            contact,
            token_sha256,
            requested_at: now,
            expires_at: now.plus_seconds(OPT_IN_LINK_LIFETIME_SECONDS),
            confirmed_at: None,
        }
    }

    /// Whether the link still confirms at `now`.
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.confirmed_at.is_none() && now < self.expires_at
    }
}

/// A contact's unsubscribe through a campaign message's link, credited to the activity (and
/// the send) that mailed it: reporting counts these per activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignOptOut {
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub contact: ContactId,
    /// The send-history `send_id` of the send whose message carried the link.
    pub send: u32,
    pub at: Timestamp,
    pub reason: Option<String>,
}

/// The longest unsubscribe reason kept (Constant Contact's `opt_out_reason` limit).
pub const MAX_OPT_OUT_REASON_CHARS: usize = 255;

/// The reason a contact typed on the unsubscribe page, trimmed, empty as none, and cut to
/// [`MAX_OPT_OUT_REASON_CHARS`] characters (a person's text is kept, not refused).
pub fn opt_out_reason(text: Option<&str>) -> Option<String> {
    let trimmed = text?.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(MAX_OPT_OUT_REASON_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_works_until_it_is_used_or_expires() {
        let now = Timestamp::from_millis(1_000);
        let mut link = OptInConfirmation::requested(
            AccountId::generate(),
            ContactId::generate(),
            "hash".into(),
            now,
        );
        assert!(link.is_usable(now));
        let last = now.plus_seconds(OPT_IN_LINK_LIFETIME_SECONDS);
        assert!(link.is_usable(Timestamp::from_millis(last.millis() - 1)));
        assert!(!link.is_usable(last));
        link.confirmed_at = Some(now);
        assert!(!link.is_usable(now));
    }

    #[test]
    fn reasons_are_trimmed_and_bounded() {
        assert_eq!(opt_out_reason(None), None);
        assert_eq!(opt_out_reason(Some("  ")), None);
        assert_eq!(opt_out_reason(Some(" too many ")), Some("too many".into()));
        let long = "é".repeat(300);
        assert_eq!(opt_out_reason(Some(&long)).unwrap().chars().count(), 255);
    }
}
