//! Identifier newtypes. V3 resource ids are lowercase UUIDs on the wire (segments' are
//! integers); each resource gets its own type so an id of one kind can never be passed where
//! another is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The text did not hold an id of the expected shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier")]
pub struct InvalidId;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7): keyset pagination over ids then follows
            /// creation order.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            /// Accepts only the hyphenated 8-4-4-4-12 form the V3 API uses (any letter case).
            fn from_str(text: &str) -> Result<Self, InvalidId> {
                if text.len() != 36 {
                    return Err(InvalidId);
                }
                Uuid::try_parse(text).map(Self).map_err(|_| InvalidId)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        // Both ways to the UUID, so code that handles ids of any kind (a store reading back
        // which of some ids exist) can be written once.
        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

/// The smallest UUID v7 of the millisecond `at`: every v7 id generated at `at` or later sorts
/// at or after it. A contact's id is generated after its `created_at` is read from the same
/// clock (and `generate` never goes back in time), so "created at `at` or later" implies
/// "id at or after `id_floor(at)`": a creation-time bound becomes a bound on the primary key.
pub fn id_floor(at: crate::Timestamp) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(at.millis().max(0) as u64, &[0; 10]).into_uuid()
}

uuid_id!(
    /// An account's internal id (never shown on the wire; `encoded_account_id` is).
    AccountId
);
uuid_id!(
    /// A user who signs in; an account has one owner and possibly more users.
    UserId
);
uuid_id!(
    /// `custom_field_id`.
    CustomFieldId
);
uuid_id!(
    /// The `jti` of an access token.
    TokenId
);
uuid_id!(
    /// A message in the outbox (never on the wire; the message's own `Message-ID` is derived
    /// from it).
    OutboxId
);
uuid_id!(
    /// `contact_id`.
    ContactId
);
uuid_id!(
    /// `list_id`.
    ListId
);
uuid_id!(
    /// `tag_id`.
    TagId
);

uuid_id!(
    /// A bulk activity (and, for exports, its file).
    ActivityId
);
uuid_id!(
    /// `campaign_id` of an email campaign.
    CampaignId
);
uuid_id!(
    /// `campaign_activity_id`: one of a campaign's activities (not a bulk activity).
    CampaignActivityId
);
uuid_id!(
    /// A message kept at the bounce address because it could not be processed (never on the
    /// wire but in `roster bounces`).
    InboundMessageId
);

/// `segment_id`: unlike the other ids, a positive integer on the wire, as in Constant
/// Contact's document, assigned by the database in creation order (`INTEGER PRIMARY KEY
/// AUTOINCREMENT` on SQLite, `BIGSERIAL` on PostgreSQL) and stored as that integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SegmentId(pub i64);

impl FromStr for SegmentId {
    type Err = InvalidId;
    /// Accepts only a positive decimal integer without a sign.
    fn from_str(text: &str) -> Result<Self, InvalidId> {
        match text.parse::<i64>() {
            Ok(id) if id > 0 && !text.starts_with('+') => Ok(Self(id)),
            _ => Err(InvalidId),
        }
    }
}

impl fmt::Display for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hyphenated_uuids_only() {
        let id: CustomFieldId = "1618AE62-4752-11e9-9c8a-fa163e6b01c1".parse().unwrap();
        assert_eq!(id.to_string(), "1618ae62-4752-11e9-9c8a-fa163e6b01c1");
        assert!("1618ae6247524-11e9-9c8a-fa163e6b01c1"
            .parse::<CustomFieldId>()
            .is_err());
        assert!("1618ae62475211e99c8afa163e6b01c1"
            .parse::<CustomFieldId>()
            .is_err());
        assert!("{1618ae62-4752-11e9-9c8a-fa163e6b01c}"
            .parse::<CustomFieldId>()
            .is_err());
        assert!("".parse::<CustomFieldId>().is_err());
    }

    #[test]
    fn ids_generated_at_or_after_a_time_sort_at_or_after_its_floor() {
        let before = crate::Timestamp::now();
        let id = ContactId::generate();
        assert!(id.0 >= id_floor(before));
        assert!(id.0 < id_floor(before.plus_seconds(60)));
        assert!(id_floor(before) < id_floor(crate::Timestamp::from_millis(before.millis() + 1)));
    }

    #[test]
    fn segment_ids_are_positive_integers() {
        assert_eq!("14".parse::<SegmentId>(), Ok(SegmentId(14)));
        for bad in ["0", "-3", "+3", "1.5", "abc", "", "99999999999999999999"] {
            assert!(bad.parse::<SegmentId>().is_err(), "{bad}");
        }
        assert_eq!(SegmentId(14).to_string(), "14");
        assert_eq!(serde_json::to_string(&SegmentId(14)).unwrap(), "14");
    }

    #[test]
    fn generated_ids_sort_by_creation() {
        let a = CustomFieldId::generate();
        let b = CustomFieldId::generate();
        assert!(a < b);
    }
}
uuid_id!(
    /// One send of a campaign activity (its send-history entry, numbered per activity on the
    /// wire as `send_id`).
    SendId
);
