//! The permalink id: the signed part of an activity's public web copy's URL,
//! `{public_url}/permalink/{id}` (docs/TRACKING.md, "Permalink"). It names the account and the
//! sent activity, and no contact: one URL per activity, the same for every reader. It is a
//! sibling of the recipient token (`crate::recipient_token`), signed under the same key, so
//! any node sharing the server secret verifies it without a database row and a forged or
//! altered id is refused before anything is read.
//!
//! Layout, base64url without padding (66 characters):
//! `format (1, = 5) | account (16) | activity (16) | MAC (16)`, the MAC being the first 16
//! bytes of HMAC-SHA256 over everything before it. The format byte 5 is one no recipient
//! token purpose takes (they are 1 to 4), and the lengths differ too, so neither format can be
//! read as the other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;
use uuid::Uuid;

use crate::recipient_token::RecipientKey;
use crate::{AccountId, CampaignActivityId};

/// Where permalinks point, below the public URL.
pub const PERMALINK_PATH: &str = "/permalink";

/// The first byte of every permalink id. Part of the format: never change it.
const FORMAT_BYTE: u8 = 5;
const MAC_LEN: usize = 16;
const PAYLOAD_LEN: usize = 1 + 16 + 16;
const ID_LEN: usize = PAYLOAD_LEN + MAC_LEN;

/// The activity a permalink shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PermalinkId {
    pub account: AccountId,
    pub activity: CampaignActivityId,
}

impl PermalinkId {
    fn payload(&self) -> [u8; PAYLOAD_LEN] {
        let mut payload = [0u8; PAYLOAD_LEN];
        payload[0] = FORMAT_BYTE;
        payload[1..17].copy_from_slice(self.account.0.as_bytes());
        payload[17..33].copy_from_slice(self.activity.0.as_bytes());
        payload
    }

    /// The id as it goes into the URL (base64url, no padding, 66 characters).
    pub fn issue(&self, key: &RecipientKey) -> String {
        let payload = self.payload();
        let tag = key.mac(&payload).finalize().into_bytes();
        let mut id = Vec::with_capacity(ID_LEN);
        id.extend_from_slice(&payload);
        id.extend_from_slice(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(id)
    }

    /// The id `text` stands for, if this server's key signed it; None for anything malformed,
    /// altered or signed under another key.
    pub fn verify(key: &RecipientKey, text: &str) -> Option<PermalinkId> {
        if text.len() > ID_LEN * 4 / 3 + 4 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        if bytes.len() != ID_LEN || bytes[0] != FORMAT_BYTE {
            return None;
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        // Constant time: a mismatch's position says nothing about the right MAC.
        key.mac(payload).verify_truncated_left(tag).ok()?;
        Some(PermalinkId {
            account: AccountId(Uuid::from_slice(&payload[1..17]).ok()?),
            activity: CampaignActivityId(Uuid::from_slice(&payload[17..33]).ok()?),
        })
    }

    /// `{public_url}/permalink/{id}`.
    pub fn url(&self, public_url: &str, key: &RecipientKey) -> String {
        format!(
            "{}{PERMALINK_PATH}/{}",
            public_url.trim_end_matches('/'),
            self.issue(key)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipient_token::{RecipientToken, TokenPurpose};
    use crate::ContactId;

    fn key(byte: u8) -> RecipientKey {
        RecipientKey::new([byte; 32])
    }

    fn id() -> PermalinkId {
        PermalinkId {
            account: AccountId::generate(),
            activity: CampaignActivityId::generate(),
        }
    }

    #[test]
    fn an_id_round_trips_compactly_under_the_public_url() {
        let id = id();
        let text = id.issue(&key(7));
        assert_eq!(text.len(), 66, "{text}");
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(PermalinkId::verify(&key(7), &text), Some(id));
        assert_eq!(PermalinkId::verify(&key(8), &text), None);
        let url = id.url("https://roster.example/", &key(7));
        assert_eq!(url, format!("https://roster.example/permalink/{text}"));
    }

    #[test]
    fn every_flipped_bit_and_malformed_text_is_refused() {
        let text = id().issue(&key(7));
        let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut altered = bytes.clone();
                altered[index] ^= 1 << bit;
                let altered = URL_SAFE_NO_PAD.encode(altered);
                assert_eq!(
                    PermalinkId::verify(&key(7), &altered),
                    None,
                    "{index}/{bit}"
                );
            }
        }
        for bad in [
            "",
            "abc",
            " ",
            &text[..text.len() - 1],
            &format!("{text}A"),
            &format!(" {text}"),
            &"A".repeat(10_000),
        ] {
            assert_eq!(PermalinkId::verify(&key(7), bad), None, "{bad}");
        }
    }

    #[test]
    fn recipient_tokens_and_permalink_ids_are_never_taken_for_each_other() {
        let id = id();
        for purpose in [
            TokenPurpose::Unsubscribe,
            TokenPurpose::Open,
            TokenPurpose::Click,
            TokenPurpose::Forward,
        ] {
            let token = RecipientToken {
                purpose,
                account: id.account,
                activity: id.activity,
                contact: ContactId::generate(),
                send: 1,
            }
            .issue(&key(7));
            assert_eq!(PermalinkId::verify(&key(7), &token), None, "{purpose:?}");
        }
        assert_eq!(RecipientToken::verify(&key(7), &id.issue(&key(7))), None);
    }
}
