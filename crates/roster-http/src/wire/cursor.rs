//! The pagination cursor and `_links.next.href`. Like Constant Contact's, the cursor is base64 of
//! `limit=N&next=<last key>`; Roster appends a MAC so a cursor that was altered answers 400
//! instead of silently paging from somewhere else. The href repeats the request's own query with
//! the new cursor, so filters carry over.

use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use roster_domain::PageRequest;
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

use super::query::{Param, QueryParams};
use crate::error::ApiError;

type HmacSha256 = Hmac<Sha256>;

fn not_issued() -> ApiError {
    ApiError::invalid("cursor", "is not a cursor this server issued")
}

/// Signs and checks cursors with a key derived from the server secret, so every node that
/// shares the secret accepts every other node's cursors.
#[derive(Clone)]
pub struct CursorCodec {
    key: [u8; 32],
}

/// A decoded cursor: the page size and the key to continue after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub limit: u32,
    pub after: String,
}

impl CursorCodec {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn tag(&self, payload: &str) -> String {
        let mut mac =
            HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(payload.as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes[..12].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn encode(&self, limit: u32, after: &str) -> String {
        let payload = format!("limit={limit}&next={after}");
        let signed = format!("{payload}&sig={}", self.tag(&payload));
        URL_SAFE_NO_PAD.encode(signed)
    }

    pub fn decode(&self, cursor: &str) -> Result<Cursor, ApiError> {
        let invalid = not_issued;
        let trimmed = cursor.trim().trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD.decode(trimmed).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (payload, tag) = text.rsplit_once("&sig=").ok_or_else(invalid)?;
        if !constant_time_eq(tag.as_bytes(), self.tag(payload).as_bytes()) {
            return Err(invalid());
        }
        // The key is everything after `&next=`, whatever it holds: splitting the payload on
        // every `&` refused keys containing one (found by fuzz/fuzz_targets/cursor.rs).
        let (limit, after) = payload
            .strip_prefix("limit=")
            .and_then(|rest| rest.split_once("&next="))
            .ok_or_else(invalid)?;
        Ok(Cursor {
            limit: limit.parse().map_err(|_| invalid())?,
            after: after.to_string(),
        })
    }

    /// The page request of a collection GET: the cursor's position, and its page size unless
    /// the query sets `limit` itself.
    pub fn page_at(
        &self,
        limit: &Param,
        cursor: &Param,
        default: u32,
        max: u32,
    ) -> Result<(u32, Option<String>), ApiError> {
        let explicit = limit.single().is_some();
        let limit = limit.limit(default, max)?;
        match cursor.single() {
            None => Ok((limit, None)),
            Some(text) => {
                let cursor = self.decode(text)?;
                let limit = if explicit {
                    limit
                } else {
                    cursor.limit.clamp(1, max)
                };
                Ok((limit, Some(cursor.after)))
            }
        }
    }

    /// [`Self::page_at`] with the cursor's position read as the collection's key: a position
    /// that is not a `K` is not a cursor this collection issued.
    pub fn page_request<K: FromStr>(
        &self,
        limit: &Param,
        cursor: &Param,
        default: u32,
        max: u32,
    ) -> Result<PageRequest<K>, ApiError> {
        let (limit, after) = self.page_at(limit, cursor, default, max)?;
        let after = after
            .map(|key| key.parse::<K>().map_err(|_| not_issued()))
            .transpose()?;
        Ok(PageRequest { limit, after })
    }

    /// `_links` for a page: present only when a next page exists.
    pub fn links(
        &self,
        path: &str,
        query: &QueryParams,
        limit: u32,
        next: Option<String>,
    ) -> Option<PageLinks> {
        let next = next?;
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (key, value) in query.pairs().iter().filter(|(k, _)| k != "cursor") {
            serializer.append_pair(key, value);
        }
        serializer.append_pair("cursor", &self.encode(limit, &next));
        Some(PageLinks {
            next: Link {
                href: format!("{path}?{}", serializer.finish()),
            },
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageLinks {
    pub next: Link,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub href: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_tampering() {
        let codec = CursorCodec::new([7; 32]);
        let cursor = codec.encode(5, "0193c2b4-0000-7000-8000-000000000001");
        assert_eq!(
            codec.decode(&cursor).unwrap(),
            Cursor {
                limit: 5,
                after: "0193c2b4-0000-7000-8000-000000000001".into()
            }
        );
        let forged = URL_SAFE_NO_PAD.encode(
            String::from_utf8(URL_SAFE_NO_PAD.decode(&cursor).unwrap())
                .unwrap()
                .replace("limit=5", "limit=6"),
        );
        assert!(codec.decode(&forged).is_err());
        assert!(codec.decode("not base64 !").is_err());
        assert!(CursorCodec::new([8; 32]).decode(&cursor).is_err());
    }

    #[test]
    fn any_key_round_trips() {
        // The fuzzer's first crash: a key holding `&` (and `=`, `&next=`, `&sig=`, NUL).
        let codec = CursorCodec::new([7; 32]);
        for after in [
            "a&b",
            "&0-0000=7~",
            "x&next=y",
            "k&sig=00",
            "\0&\u{fffd}",
            "",
        ] {
            assert_eq!(
                codec.decode(&codec.encode(50, after)).unwrap(),
                Cursor {
                    limit: 50,
                    after: after.into()
                },
                "{after:?}"
            );
        }
    }

    #[test]
    fn links_keep_the_query_and_replace_the_cursor() {
        let codec = CursorCodec::new([1; 32]);
        let query = QueryParams::parse("limit=2&cursor=old&status=a%20b");
        let links = codec
            .links("/v3/things", &query, 2, Some("k".into()))
            .unwrap();
        assert!(
            links
                .next
                .href
                .starts_with("/v3/things?limit=2&status=a+b&cursor="),
            "{}",
            links.next.href
        );
        assert!(codec.links("/v3/things", &query, 2, None).is_none());
    }
}
