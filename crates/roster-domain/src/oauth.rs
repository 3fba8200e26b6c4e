//! The authorization server's records: authorization codes, refresh tokens, device
//! authorizations and consents. Secrets (codes, refresh tokens, device codes) are stored only as
//! SHA-256 hashes; a grant id ties together every token issued from one authorization, so a
//! replayed code or refresh token revokes them all.

use uuid::Uuid;

use crate::{AccountId, Timestamp, UserId};

/// One authorization (a code exchange, a device approval, an implicit grant) and everything
/// issued from it: its refresh-token family and its access tokens (the `gid` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GrantId(pub Uuid);

impl GrantId {
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }
}

impl std::fmt::Display for GrantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// An authorization code (single use, short-lived).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_sha256: String,
    pub grant: GrantId,
    pub client_id: String,
    pub account: AccountId,
    pub user: UserId,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// The PKCE S256 challenge, when one was sent.
    pub code_challenge: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// A refresh token; rotated on every use, the family shares the grant id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_sha256: String,
    pub grant: GrantId,
    pub client_id: String,
    pub account: AccountId,
    pub user: UserId,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Set when it was exchanged for its successor.
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    Pending,
    Approved,
    Denied,
    /// Exchanged for tokens.
    Used,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Used => "used",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Denied, Self::Used]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// An RFC 8628 device authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub device_code_sha256: String,
    /// Normalised: eight letters, no separator.
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub status: DeviceStatus,
    /// Set on approval.
    pub approved_by: Option<(AccountId, UserId)>,
    pub interval_seconds: i64,
    pub last_polled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What a poll of the token endpoint found (the store records the poll atomically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevicePoll {
    Unknown,
    /// Polled sooner than the interval; the interval has grown by 5 seconds.
    SlowDown,
    Current(DeviceAuthorization),
}

/// The revocation of every token of a user issued up to `cutoff` (`roster tokens revoke
/// --email`, `users remove`, `users set-role`): `user:<id>:<milliseconds>`. Tokens issued later
/// stay valid, so the user can be given new ones at once.
pub fn user_revocation_subject(user: crate::UserId, cutoff: crate::Timestamp) -> String {
    format!("user:{user}:{}", cutoff.millis())
}

/// The user and cutoff (milliseconds) of a `user_revocation_subject`.
pub fn parse_user_revocation(subject: &str) -> Option<(&str, i64)> {
    let (user, cutoff) = subject.strip_prefix("user:")?.rsplit_once(':')?;
    Some((user, cutoff.parse().ok()?))
}

#[cfg(test)]
mod revocation_tests {
    #[test]
    fn user_revocations_round_trip() {
        let user = crate::UserId::generate();
        let at = crate::Timestamp::from_millis(1_700_000_000_123);
        let subject = super::user_revocation_subject(user, at);
        let user_text = user.to_string();
        assert_eq!(
            super::parse_user_revocation(&subject),
            Some((user_text.as_str(), 1_700_000_000_123))
        );
        assert_eq!(super::parse_user_revocation("grant:x"), None);
        assert_eq!(super::parse_user_revocation("user:x:soon"), None);
    }
}
