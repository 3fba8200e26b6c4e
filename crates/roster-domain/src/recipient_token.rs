//! The signed token a campaign message carries for one recipient: in its unsubscribe link now,
//! in its open pixel and click links later (the tracking issue). It names the account, the
//! campaign activity, the contact and the send (the send-history `send_id`), and carries an
//! HMAC-SHA256 over them under a key derived from the server secret, so any node that shares
//! the secret can verify it without a database row, and a forged or altered token is refused
//! before anything is read.
//!
//! Layout, base64url without padding (92 characters):
//! `purpose (1) | account (16) | activity (16) | contact (16) | send (4, big-endian) | MAC (16)`,
//! the MAC being the first 16 bytes of HMAC-SHA256 over everything before it. The purpose is
//! covered by the MAC, so an open token can never be replayed as an unsubscribe.
//!
//! A tracked link's token ([`ClickToken`], purpose Click) adds the link's `url_id` after the
//! send, under the same MAC (98 characters):
//! `purpose (1) | account | activity | contact | send (4) | url_id (4, big-endian) | MAC (16)`.
//! Altering the `url_id` breaks the MAC like any other byte, so a click token names exactly one
//! link of one activity, and the redirect can only lead to that link's stored URL.
//!
//! The first byte is shared with a sibling format signed under the same key: 5 begins a
//! permalink id (`crate::permalink`), which names an activity and no contact; no recipient
//! purpose ever takes that byte, so neither format can be read as the other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::{AccountId, CampaignActivityId, ContactId};

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the MAC kept in a token: 128 bits, beyond any online guessing.
const MAC_LEN: usize = 16;
const PAYLOAD_LEN: usize = 1 + 16 + 16 + 16 + 4;
const CLICK_PAYLOAD_LEN: usize = PAYLOAD_LEN + 4;

/// Where the unsubscribe links of campaign messages point, below the public URL.
pub const UNSUBSCRIBE_PATH: &str = "/unsubscribe";
/// Where the forward-to-a-friend links of campaign messages point, below the public URL.
pub const FORWARD_PATH: &str = "/forward";

/// What a token may be used for. The byte values are part of the format: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// The unsubscribe link and the `List-Unsubscribe` header.
    Unsubscribe,
    /// The open-tracking image (tracking issue).
    Open,
    /// A tracked link (tracking issue).
    Click,
    /// The forward-to-a-friend page (`/forward/{token}`).
    Forward,
}

impl TokenPurpose {
    fn byte(self) -> u8 {
        match self {
            Self::Unsubscribe => 1,
            Self::Open => 2,
            Self::Click => 3,
            Self::Forward => 4,
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::Unsubscribe),
            2 => Some(Self::Open),
            3 => Some(Self::Click),
            4 => Some(Self::Forward),
            _ => None,
        }
    }
}

/// The key recipient tokens are signed with. Build it from the server secret's key for
/// [`RecipientKey::LABEL`] (`RecipientKey::new(secret.derive(RecipientKey::LABEL))`; in
/// roster-http, `ServerSecret::recipient_key()`), so every node sharing the secret agrees.
#[derive(Clone)]
pub struct RecipientKey([u8; 32]);

impl std::fmt::Debug for RecipientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecipientKey(<redacted>)")
    }
}

impl RecipientKey {
    /// The purpose label the key is derived under (no other key uses it).
    pub const LABEL: &'static str = "recipient-token";

    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    pub(crate) fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(payload);
        mac
    }
}

/// One recipient of one send of a campaign activity, for one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecipientToken {
    pub purpose: TokenPurpose,
    pub account: AccountId,
    pub activity: CampaignActivityId,
    pub contact: ContactId,
    /// The send-history `send_id` of the activity's send that mailed the link.
    pub send: u32,
}

impl RecipientToken {
    fn payload(&self) -> [u8; PAYLOAD_LEN] {
        let mut payload = [0u8; PAYLOAD_LEN];
        payload[0] = self.purpose.byte();
        payload[1..17].copy_from_slice(self.account.0.as_bytes());
        payload[17..33].copy_from_slice(self.activity.0.as_bytes());
        payload[33..49].copy_from_slice(self.contact.0.as_bytes());
        payload[49..53].copy_from_slice(&self.send.to_be_bytes());
        payload
    }

    /// The token as it goes into a URL (base64url, no padding, 92 characters).
    pub fn issue(&self, key: &RecipientKey) -> String {
        signed(key, &self.payload())
    }

    /// The token `text` stands for, if this server's key signed it; None for anything
    /// malformed, altered or signed under another key.
    pub fn verify(key: &RecipientKey, text: &str) -> Option<RecipientToken> {
        let payload = verified::<PAYLOAD_LEN>(key, text)?;
        Self::from_payload(&payload)
    }

    fn from_payload(payload: &[u8]) -> Option<RecipientToken> {
        let uuid = |range: std::ops::Range<usize>| Uuid::from_slice(&payload[range]).ok();
        let mut send = [0u8; 4];
        send.copy_from_slice(&payload[49..53]);
        Some(RecipientToken {
            purpose: TokenPurpose::from_byte(payload[0])?,
            account: AccountId(uuid(1..17)?),
            activity: CampaignActivityId(uuid(17..33)?),
            contact: ContactId(uuid(33..49)?),
            send: u32::from_be_bytes(send),
        })
    }

    /// [`Self::verify`], accepting only tokens issued for `purpose`.
    pub fn verify_for(
        key: &RecipientKey,
        purpose: TokenPurpose,
        text: &str,
    ) -> Option<RecipientToken> {
        Self::verify(key, text).filter(|token| token.purpose == purpose)
    }
}

/// `payload` and its MAC, as base64url.
fn signed(key: &RecipientKey, payload: &[u8]) -> String {
    let tag = key.mac(payload).finalize().into_bytes();
    let mut token = Vec::with_capacity(payload.len() + MAC_LEN);
    token.extend_from_slice(payload);
    token.extend_from_slice(&tag[..MAC_LEN]);
    URL_SAFE_NO_PAD.encode(token)
}

/// The payload of `text` if it is a token of `LEN` payload bytes whose MAC this key made.
fn verified<const LEN: usize>(key: &RecipientKey, text: &str) -> Option<[u8; LEN]> {
    let token_len = LEN + MAC_LEN;
    if text.len() > token_len * 4 / 3 + 4 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    if bytes.len() != token_len {
        return None;
    }
    let (payload, tag) = bytes.split_at(LEN);
    // Constant time: a mismatch's position says nothing about the right MAC.
    key.mac(payload).verify_truncated_left(tag).ok()?;
    payload.try_into().ok()
}

/// Where the open pixel and the click redirect are served, below the public URL.
pub const OPEN_PATH: &str = "/t/o";
pub const CLICK_PATH: &str = "/t/c";

/// A tracked link of one recipient's message: the recipient (purpose Click) and the link's
/// `url_id` within the activity, under one MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClickToken {
    pub recipient: RecipientToken,
    pub url_id: u32,
}

impl ClickToken {
    /// The token as it goes into a URL (base64url, no padding, 98 characters). The recipient's
    /// purpose is Click whatever it was.
    pub fn issue(&self, key: &RecipientKey) -> String {
        let recipient = RecipientToken {
            purpose: TokenPurpose::Click,
            ..self.recipient
        };
        let mut payload = [0u8; CLICK_PAYLOAD_LEN];
        payload[..PAYLOAD_LEN].copy_from_slice(&recipient.payload());
        payload[PAYLOAD_LEN..].copy_from_slice(&self.url_id.to_be_bytes());
        signed(key, &payload)
    }

    /// The click token `text` stands for, if this server's key signed it; None otherwise
    /// (recipient tokens of other purposes included).
    pub fn verify(key: &RecipientKey, text: &str) -> Option<ClickToken> {
        let payload = verified::<CLICK_PAYLOAD_LEN>(key, text)?;
        let recipient = RecipientToken::from_payload(&payload[..PAYLOAD_LEN])?;
        let mut url_id = [0u8; 4];
        url_id.copy_from_slice(&payload[PAYLOAD_LEN..]);
        (recipient.purpose == TokenPurpose::Click).then_some(ClickToken {
            recipient,
            url_id: u32::from_be_bytes(url_id),
        })
    }
}

/// The open pixel's URL for one recipient: `{public_url}/t/o/{token}` (purpose Open).
pub fn open_url(public_url: &str, key: &RecipientKey, recipient: &RecipientToken) -> String {
    let token = RecipientToken {
        purpose: TokenPurpose::Open,
        ..*recipient
    };
    format!(
        "{}{OPEN_PATH}/{}",
        public_url.trim_end_matches('/'),
        token.issue(key)
    )
}

/// A tracked link's URL for one recipient: `{public_url}/t/c/{click token}`.
pub fn click_url(
    public_url: &str,
    key: &RecipientKey,
    recipient: &RecipientToken,
    url_id: u32,
) -> String {
    let token = ClickToken {
        recipient: *recipient,
        url_id,
    };
    format!(
        "{}{CLICK_PATH}/{}",
        public_url.trim_end_matches('/'),
        token.issue(key)
    )
}

/// The unsubscribe URL of one recipient of one send: `{public_url}/unsubscribe/{token}`, for
/// the message's footer link and its `List-Unsubscribe` header (RFC 8058 one-click: the same
/// URL answers the POST).
pub fn unsubscribe_url(
    public_url: &str,
    key: &RecipientKey,
    account: AccountId,
    activity: CampaignActivityId,
    contact: ContactId,
    send: u32,
) -> String {
    let token = RecipientToken {
        purpose: TokenPurpose::Unsubscribe,
        account,
        activity,
        contact,
        send,
    };
    format!(
        "{}{UNSUBSCRIBE_PATH}/{}",
        public_url.trim_end_matches('/'),
        token.issue(key)
    )
}

/// The forward-to-a-friend URL of one recipient of one send: `{public_url}/forward/{token}`,
/// for the message's footer link.
pub fn forward_url(public_url: &str, key: &RecipientKey, recipient: &RecipientToken) -> String {
    let token = RecipientToken {
        purpose: TokenPurpose::Forward,
        ..*recipient
    };
    format!(
        "{}{FORWARD_PATH}/{}",
        public_url.trim_end_matches('/'),
        token.issue(key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> RecipientKey {
        RecipientKey::new([byte; 32])
    }

    fn token(purpose: TokenPurpose) -> RecipientToken {
        RecipientToken {
            purpose,
            account: AccountId::generate(),
            activity: CampaignActivityId::generate(),
            contact: ContactId::generate(),
            send: 0x0102_0304,
        }
    }

    #[test]
    fn a_token_round_trips_compactly() {
        for purpose in [
            TokenPurpose::Unsubscribe,
            TokenPurpose::Open,
            TokenPurpose::Click,
            TokenPurpose::Forward,
        ] {
            let token = token(purpose);
            let text = token.issue(&key(7));
            assert_eq!(text.len(), 92, "{text}");
            assert!(text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(RecipientToken::verify(&key(7), &text), Some(token));
            assert_eq!(
                RecipientToken::verify_for(&key(7), purpose, &text),
                Some(token)
            );
        }
    }

    #[test]
    fn every_flipped_bit_is_refused() {
        let text = token(TokenPurpose::Unsubscribe).issue(&key(7));
        let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut altered = bytes.clone();
                altered[index] ^= 1 << bit;
                let altered = URL_SAFE_NO_PAD.encode(altered);
                assert_eq!(
                    RecipientToken::verify(&key(7), &altered),
                    None,
                    "{index}/{bit}"
                );
            }
        }
    }

    #[test]
    fn another_key_or_purpose_is_refused() {
        let token = token(TokenPurpose::Open);
        let text = token.issue(&key(7));
        assert_eq!(RecipientToken::verify(&key(8), &text), None);
        assert_eq!(
            RecipientToken::verify_for(&key(7), TokenPurpose::Unsubscribe, &text),
            None
        );
        // Relabelling the purpose byte breaks the MAC.
        let mut bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        bytes[0] = TokenPurpose::Unsubscribe.byte();
        let relabelled = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(RecipientToken::verify(&key(7), &relabelled), None);
    }

    #[test]
    fn malformed_text_is_refused() {
        let text = token(TokenPurpose::Unsubscribe).issue(&key(7));
        for bad in [
            "",
            "abc",
            "!!!!",
            &text[..text.len() - 1],
            &format!("{text}A"),
            &format!("{text}=="),
            &"A".repeat(10_000),
        ] {
            assert_eq!(RecipientToken::verify(&key(7), bad), None, "{bad}");
        }
    }

    #[test]
    fn a_click_token_carries_its_url_id_under_the_mac() {
        let click = ClickToken {
            recipient: token(TokenPurpose::Click),
            url_id: 7,
        };
        let text = click.issue(&key(7));
        assert_eq!(text.len(), 98, "{text}");
        assert_eq!(ClickToken::verify(&key(7), &text), Some(click));
        assert_eq!(ClickToken::verify(&key(8), &text), None);
        // Not a recipient token, and a recipient token is not a click token.
        assert_eq!(RecipientToken::verify(&key(7), &text), None);
        let open = token(TokenPurpose::Open).issue(&key(7));
        assert_eq!(ClickToken::verify(&key(7), &open), None);
        // Issued from any purpose, it is a click token.
        let relabelled = ClickToken {
            recipient: token(TokenPurpose::Unsubscribe),
            url_id: 7,
        };
        let verified = ClickToken::verify(&key(7), &relabelled.issue(&key(7))).unwrap();
        assert_eq!(verified.recipient.purpose, TokenPurpose::Click);
        // Every flipped bit, the url_id's included, is refused.
        let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut altered = bytes.clone();
                altered[index] ^= 1 << bit;
                let altered = URL_SAFE_NO_PAD.encode(altered);
                assert_eq!(ClickToken::verify(&key(7), &altered), None, "{index}/{bit}");
            }
        }
    }

    #[test]
    fn tracking_urls_are_under_the_public_url() {
        let recipient = token(TokenPurpose::Unsubscribe);
        let open = open_url("https://r.example/", &key(7), &recipient);
        let text = open.strip_prefix("https://r.example/t/o/").unwrap();
        let verified = RecipientToken::verify_for(&key(7), TokenPurpose::Open, text).unwrap();
        assert_eq!(verified.contact, recipient.contact);
        let click = click_url("https://r.example", &key(7), &recipient, 3);
        let text = click.strip_prefix("https://r.example/t/c/").unwrap();
        assert_eq!(ClickToken::verify(&key(7), text).unwrap().url_id, 3);
    }

    #[test]
    fn the_url_is_under_the_public_url() {
        let token = token(TokenPurpose::Unsubscribe);
        let url = unsubscribe_url(
            "https://roster.example/",
            &key(7),
            token.account,
            token.activity,
            token.contact,
            token.send,
        );
        let text = url
            .strip_prefix("https://roster.example/unsubscribe/")
            .unwrap();
        assert_eq!(RecipientToken::verify(&key(7), text), Some(token));
        let forward = forward_url("https://roster.example", &key(7), &token);
        let text = forward
            .strip_prefix("https://roster.example/forward/")
            .unwrap();
        let forwarding = RecipientToken::verify_for(&key(7), TokenPurpose::Forward, text);
        assert_eq!(
            forwarding,
            Some(RecipientToken {
                purpose: TokenPurpose::Forward,
                ..token
            })
        );
    }
}
