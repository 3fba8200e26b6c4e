//! The bucket a contact is counted in (its email permission, or deleted): what the `status`
//! filter selects and what the maintained counts are kept by.

use serde::{Deserialize, Serialize};

use super::wire_enum::wire_enum;

wire_enum!(
    /// The bucket a contact is counted in: its email permission, or `deleted`. The `status`
    /// filter's `active` means explicit or implicit.
    Bucket {
        Explicit = "explicit",
        Implicit = "implicit",
        NotSet = "not_set",
        PendingConfirmation = "pending_confirmation",
        TempHold = "temp_hold",
        Unsubscribed = "unsubscribed",
        Deleted = "deleted",
    }
);

impl Bucket {
    /// Whether the contact can be mailed (counts towards a list's `active` membership count).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Explicit | Self::Implicit)
    }

    /// The buckets a `status` filter value selects.
    pub fn for_status_filter(status: &str) -> Option<&'static [Bucket]> {
        Some(match status {
            "active" => &[Bucket::Explicit, Bucket::Implicit],
            "deleted" => &[Bucket::Deleted],
            "not_set" => &[Bucket::NotSet],
            "pending_confirmation" => &[Bucket::PendingConfirmation],
            "temp_hold" => &[Bucket::TempHold],
            "unsubscribed" => &[Bucket::Unsubscribed],
            "all" => &Bucket::ALL,
            _ => return None,
        })
    }

    /// Every bucket, `deleted` last: what the `status` filter's `all` selects.
    pub const ALL: [Bucket; 7] = [
        Bucket::Explicit,
        Bucket::Implicit,
        Bucket::NotSet,
        Bucket::PendingConfirmation,
        Bucket::TempHold,
        Bucket::Unsubscribed,
        Bucket::Deleted,
    ];

    /// Every bucket but `deleted`: what GET /contacts shows without a status filter.
    pub const NOT_DELETED: &'static [Bucket] = match Bucket::ALL.split_last() {
        Some((_deleted, rest)) => rest,
        None => &[],
    };
}

#[cfg(test)]
mod tests {
    use super::Bucket;

    #[test]
    fn not_deleted_is_every_bucket_but_deleted() {
        assert_eq!(Bucket::NOT_DELETED.len(), Bucket::ALL.len() - 1);
        assert!(!Bucket::NOT_DELETED.contains(&Bucket::Deleted));
    }
}
