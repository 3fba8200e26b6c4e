//! Access tokens: RS256 JWTs with a `kid` header, as Constant Contact's authorization server
//! issues them. Verification needs no database read per request: keys are cached, and an
//! unknown `kid` (a key created by another node or by the CLI) triggers at most one reload per
//! interval; revocations (of one token, of a grant, of a deleted client) are cached as a set
//! that a background task refreshes from the database every few seconds.
//!
//! An RS256 signature check costs about 0.2 ms of CPU, more than the rest of a simple request
//! (the benchmark's profile: a quarter of the server's CPU). A token that verified once is
//! therefore remembered, keyed by the SHA-256 of its text, until its expiry: later requests
//! with the same token skip the signature but still pass the expiry, key and revocation
//! checks, so a revoked token fails on its next request exactly as without the cache (the
//! revocation set, not the cache, decides, on this node and on every other one alike).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use roster_domain::oauth::GrantId;
use roster_domain::{AccountId, Role, Store, Timestamp, TokenId, UserId};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::{jwk, load_signing_keys, ServerSecret};
use crate::error::ApiError;

/// The OAuth scopes the V3 API knows.
pub const KNOWN_SCOPES: [&str; 6] = [
    "contact_data",
    "campaign_data",
    "account_read",
    "account_update",
    "billing_data",
    "offline_access",
];

/// Default lifetime of an access token: 24 hours.
pub const DEFAULT_LIFETIME_SECONDS: i64 = 24 * 3600;
/// The longest lifetime a token can have (`roster tokens issue --lifetime`; the OAuth flows
/// issue 24 hours at most): a revocation of every token of a user is kept this long.
pub const MAX_LIFETIME_SECONDS: i64 = 366 * 24 * 3600;
/// Lifetime of an implicit-flow (client flow) access token: 8 hours.
pub const IMPLICIT_LIFETIME_SECONDS: i64 = 8 * 3600;
/// Verification tolerates this much clock skew; revocations outlive tokens by as much.
pub const LEEWAY_SECONDS: i64 = 5;

const RELOAD_INTERVAL: Duration = Duration::from_secs(1);
/// Verified tokens remembered at most; when full, expired ones are dropped first, and if
/// none are, the whole cache (a miss only costs one signature check again).
const VERIFIED_CACHE_ENTRIES: usize = 10_000;

/// The claims of a Roster access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The user the token acts for.
    pub sub: String,
    /// The account the token acts in.
    pub account: String,
    /// The OAuth client the token was issued to.
    pub cid: String,
    /// Granted scopes.
    pub scp: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The grant (authorization) the token was issued from; absent on tokens minted by the CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    /// The user's role when the token was issued; it fixes the token's privileges.
    #[serde(default)]
    pub rol: String,
}

impl AccessClaims {
    pub fn account_id(&self) -> Option<AccountId> {
        self.account.parse().ok()
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse().ok()
    }

    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.rol)
    }

    /// The revocation subjects that would stop this token.
    fn revocation_subjects(&self) -> impl Iterator<Item = String> + '_ {
        [
            Some(format!("jti:{}", self.jti)),
            self.gid.as_ref().map(|gid| format!("grant:{gid}")),
            Some(format!("client:{}", self.cid)),
        ]
        .into_iter()
        .flatten()
    }
}

impl AccessClaims {
    /// When the token was issued, in milliseconds: its `jti` is a UUID v7, whose first 48 bits
    /// are exactly that (`iat`, in seconds, is too coarse to tell a token issued just before a
    /// `user:` revocation from one issued just after); `iat` for any other `jti`.
    fn issued_at_millis(&self) -> i64 {
        uuid::Uuid::parse_str(&self.jti)
            .ok()
            .filter(|id| id.get_version_num() == 7)
            .and_then(|id| id.get_timestamp())
            .map(|at| {
                let (seconds, nanos) = at.to_unix();
                seconds as i64 * 1000 + i64::from(nanos / 1_000_000)
            })
            .unwrap_or(self.iat * 1000)
    }
}

/// The revocations in force: subjects a token's `jti`, `gid` or `cid` may match, and per user
/// the latest `user:` cutoff (tokens of that user issued at or before it are revoked).
#[derive(Default)]
struct Revocations {
    subjects: HashSet<String>,
    user_cutoffs: HashMap<String, i64>,
}

impl Revocations {
    fn new(subjects: HashSet<String>) -> Self {
        let mut revocations = Self::default();
        for subject in subjects {
            revocations.insert(subject);
        }
        revocations
    }

    fn insert(&mut self, subject: String) {
        if let Some((user, cutoff)) = roster_domain::oauth::parse_user_revocation(&subject) {
            let latest = self.user_cutoffs.entry(user.to_string()).or_insert(cutoff);
            *latest = (*latest).max(cutoff);
        }
        self.subjects.insert(subject);
    }

    fn contains(&self, subject: &str) -> bool {
        self.subjects.contains(subject)
    }
}

/// What a token endpoint answers (exactly these fields; some clients reject others).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Who a new token is for.
pub struct Grant {
    pub user: UserId,
    pub account: AccountId,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub lifetime_seconds: i64,
    /// The user's role (`Role::name`).
    pub role: String,
    pub grant: Option<GrantId>,
}

struct KeySet {
    signing: Option<(String, EncodingKey)>,
    verifying: HashMap<String, DecodingKey>,
    jwks: serde_json::Value,
}

pub struct TokenService {
    store: Arc<dyn Store>,
    secret: ServerSecret,
    issuer: String,
    audience: String,
    keys: RwLock<KeySet>,
    last_reload: Mutex<Instant>,
    revoked: RwLock<Revocations>,
    noted: Mutex<HashMap<String, Instant>>,
    /// Tokens whose signature, issuer and audience checked out, by SHA-256 of the token text.
    verified: Mutex<HashMap<[u8; 32], VerifiedToken>>,
}

/// A token that passed the signature check: its claims and the key that signed it.
struct VerifiedToken {
    claims: AccessClaims,
    kid: String,
}

impl TokenService {
    /// Loads the stored keys; `public_url` fixes the issuer and audience.
    pub async fn load(
        store: Arc<dyn Store>,
        secret: ServerSecret,
        public_url: &str,
    ) -> anyhow::Result<Self> {
        let public_url = public_url.trim_end_matches('/');
        let service = Self {
            store,
            secret,
            issuer: format!("{public_url}/oauth2/default"),
            audience: format!("{public_url}/v3"),
            keys: RwLock::new(KeySet {
                signing: None,
                verifying: HashMap::new(),
                jwks: serde_json::json!({"keys": []}),
            }),
            // The first unknown kid may reload at once: a key the CLI created while this server
            // started (it listens before it loads its keys) is then found on the first request.
            last_reload: Mutex::new(
                Instant::now()
                    .checked_sub(RELOAD_INTERVAL)
                    .unwrap_or_else(Instant::now),
            ),
            revoked: RwLock::new(Revocations::default()),
            noted: Mutex::new(HashMap::new()),
            verified: Mutex::new(HashMap::new()),
        };
        service.reload().await?;
        service.refresh_revocations().await?;
        Ok(service)
    }

    /// Replaces the cached revocations with the database's (the background task calls this
    /// every few seconds; tests call it to be synchronous).
    pub async fn refresh_revocations(&self) -> anyhow::Result<()> {
        let subjects = self.store.revocations(Timestamp::now()).await?;
        let mut fresh: HashSet<String> = subjects.into_iter().collect();
        let mut local = self
            .noted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A revocation noted here while the read was under way may be missing from it; local
        // notes are kept for a minute, far longer than any read takes.
        local.retain(|_, at| at.elapsed() < Duration::from_secs(60));
        fresh.extend(local.keys().cloned());
        *self
            .revoked
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Revocations::new(fresh);
        Ok(())
    }

    /// Notes a revocation this node just stored, so it applies here at once.
    pub fn note_revoked(&self, subject: String) {
        self.noted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(subject.clone(), Instant::now());
        self.revoked
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(subject);
    }

    fn is_revoked(&self, claims: &AccessClaims) -> bool {
        let revoked = self
            .revoked
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        claims
            .revocation_subjects()
            .any(|subject| revoked.contains(&subject))
            || revoked
                .user_cutoffs
                .get(&claims.sub)
                .is_some_and(|&cutoff| claims.issued_at_millis() <= cutoff)
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    async fn reload(&self) -> anyhow::Result<()> {
        let loaded = load_signing_keys(self.store.as_ref(), &self.secret).await?;
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        let mut signing = None;
        for key in &loaded {
            let n = URL_SAFE_NO_PAD.encode(key.public.n().to_bytes_be());
            let e = URL_SAFE_NO_PAD.encode(key.public.e().to_bytes_be());
            verifying.insert(
                key.kid.clone(),
                DecodingKey::from_rsa_components(&n, &e).context("bad public key")?,
            );
            jwks.push(jwk(&key.kid, &key.public));
            if signing.is_none() {
                let private = rsa::RsaPrivateKey::from_pkcs8_der(&key.private_pkcs8_der)
                    .context("bad private key")?;
                let pkcs1 = private
                    .to_pkcs1_der()
                    .context("cannot encode the private key")?;
                signing = Some((key.kid.clone(), EncodingKey::from_rsa_der(pkcs1.as_bytes())));
            }
        }
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *keys = KeySet {
            signing,
            verifying,
            jwks: serde_json::json!({ "keys": jwks }),
        };
        Ok(())
    }

    /// Reloads keys unless that was done less than a second ago.
    async fn reload_if_due(&self) {
        {
            let mut last = self
                .last_reload
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if last.elapsed() < RELOAD_INTERVAL {
                return;
            }
            *last = Instant::now();
        }
        if let Err(error) = self.reload().await {
            tracing::warn!(
                error = format!("{error:#}"),
                "cannot reload the signing keys"
            );
        }
    }

    pub async fn jwks(&self) -> serde_json::Value {
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .jwks
            .clone()
    }

    /// Signs a new access token with the newest key.
    pub fn mint(&self, grant: Grant) -> anyhow::Result<IssuedToken> {
        let now = Timestamp::now();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: grant.user.to_string(),
            account: grant.account.to_string(),
            cid: grant.client_id,
            scp: grant.scopes.clone(),
            exp: now.unix_seconds() + grant.lifetime_seconds,
            iat: now.unix_seconds(),
            jti: TokenId::generate().to_string(),
            gid: grant.grant.map(|g| g.to_string()),
            rol: grant.role,
        };
        let keys = self
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (kid, key) = keys.signing.as_ref().context("no signing key is stored")?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.clone());
        let access_token =
            jsonwebtoken::encode(&header, &claims, key).context("cannot sign the token")?;
        Ok(IssuedToken {
            access_token,
            token_type: "Bearer".into(),
            expires_in: grant.lifetime_seconds,
            scope: grant.scopes.join(" "),
            refresh_token: None,
        })
    }

    fn decoding_key(&self, kid: &str) -> Option<DecodingKey> {
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .verifying
            .get(kid)
            .cloned()
    }

    /// Checks signature (RS256 only, by `kid`), issuer, audience, expiry and revocation; the
    /// signature only the first time a token is seen (see the module's comment).
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, ApiError> {
        self.check(token).await.map_err(|_| ApiError::Unauthorized)
    }

    /// `verify`, saying why a token is refused (the API answers 401 `unauthorized` whatever the
    /// reason, and logs the reason at debug).
    pub async fn check(&self, token: &str) -> Result<AccessClaims, Refusal> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let claims = match self.remembered(&digest) {
            Some(claims) => claims,
            None => {
                let (claims, kid) = self.verify_signature(token).await?;
                self.remember(digest, &claims, kid);
                claims
            }
        };
        if self.is_revoked(&claims) {
            return Err(Refusal::Revoked);
        }
        Ok(claims)
    }

    /// The claims of a token verified before, while it is unexpired and its key still loaded.
    fn remembered(&self, digest: &[u8; 32]) -> Option<AccessClaims> {
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = verified.get(digest)?;
        // The same test as `Validation`'s: expired once `exp` is more than the leeway ago.
        let expired = entry.claims.exp < Timestamp::now().unix_seconds() - LEEWAY_SECONDS;
        let key_known = self
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .verifying
            .contains_key(&entry.kid);
        if expired || !key_known {
            verified.remove(digest);
            return None;
        }
        Some(entry.claims.clone())
    }

    fn remember(&self, digest: [u8; 32], claims: &AccessClaims, kid: String) {
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified.len() >= VERIFIED_CACHE_ENTRIES {
            let now = Timestamp::now().unix_seconds();
            verified.retain(|_, entry| entry.claims.exp >= now - LEEWAY_SECONDS);
            if verified.len() >= VERIFIED_CACHE_ENTRIES {
                verified.clear();
            }
        }
        verified.insert(
            digest,
            VerifiedToken {
                claims: claims.clone(),
                kid,
            },
        );
    }

    /// The signature, issuer, audience and expiry checks; the claims and the signing key's id.
    async fn verify_signature(&self, token: &str) -> Result<(AccessClaims, String), Refusal> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(Refusal::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(Refusal::NoKeyId)?;
        let key = match self.decoding_key(&kid) {
            Some(key) => key,
            None => {
                self.reload_if_due().await;
                self.decoding_key(&kid)
                    .ok_or_else(|| Refusal::UnknownKey(kid.clone()))?
            }
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS as u64;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|error| self.refusal(token, error.kind()))?;
        Ok((claims, kid))
    }

    /// The claims of a token signed by one of this database's keys, whatever its issuer,
    /// audience and expiry (`roster tokens revoke`, which may run with another public URL).
    pub async fn signed_claims(&self, token: &str) -> Result<AccessClaims, Refusal> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(Refusal::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(Refusal::NoKeyId)?;
        let key = self
            .decoding_key(&kid)
            .ok_or_else(|| Refusal::UnknownKey(kid.clone()))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.set_required_spec_claims::<&str>(&[]);
        jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|error| self.refusal(token, error.kind()))
    }

    /// Why jsonwebtoken refused a token whose header named a known key.
    fn refusal(&self, token: &str, kind: &jsonwebtoken::errors::ErrorKind) -> Refusal {
        use jsonwebtoken::errors::ErrorKind;
        match kind {
            ErrorKind::ExpiredSignature => Refusal::Expired,
            // Both follow the public URL the token was issued for; the audience says which.
            ErrorKind::InvalidAudience | ErrorKind::InvalidIssuer => {
                let audience = unverified_claim(token, "aud");
                if audience.as_deref() != Some(self.audience.as_str()) {
                    Refusal::Audience {
                        token: audience,
                        expected: self.audience.clone(),
                    }
                } else {
                    Refusal::Issuer {
                        token: unverified_claim(token, "iss"),
                        expected: self.issuer.clone(),
                    }
                }
            }
            ErrorKind::InvalidSignature => Refusal::Signature,
            ErrorKind::MissingRequiredClaim(claim) => Refusal::MissingClaim(claim.clone()),
            _ => Refusal::Malformed,
        }
    }
}

/// Why a bearer token is refused. Only logged (at debug): the answer is 401 `unauthorized`
/// whatever the reason, as Constant Contact's is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a JWT, or claims of the wrong shape.
    Malformed,
    Algorithm(String),
    NoKeyId,
    /// Signed with a key this server does not have (another server's, or a deleted one).
    UnknownKey(String),
    Signature,
    Expired,
    /// Issued for another public URL (`tokens issue --public-url`, docs/OAUTH.md).
    Audience {
        token: Option<String>,
        expected: String,
    },
    Issuer {
        token: Option<String>,
        expected: String,
    },
    MissingClaim(String),
    Revoked,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unknown = "none".to_string();
        match self {
            Self::Missing => write!(f, "no bearer token"),
            Self::Malformed => write!(f, "malformed token"),
            Self::Algorithm(alg) => write!(f, "unsupported algorithm {alg} (RS256 only)"),
            Self::NoKeyId => write!(f, "no kid in the token's header"),
            Self::UnknownKey(kid) => write!(f, "unknown kid {kid:?}"),
            Self::Signature => write!(f, "invalid signature"),
            Self::Expired => write!(f, "token expired"),
            Self::Audience { token, expected } => write!(
                f,
                "wrong audience {:?}, this server's is {expected:?} (issued for another \
                 --public-url?)",
                token.as_ref().unwrap_or(&unknown)
            ),
            Self::Issuer { token, expected } => write!(
                f,
                "wrong issuer {:?}, this server's is {expected:?}",
                token.as_ref().unwrap_or(&unknown)
            ),
            Self::MissingClaim(claim) => write!(f, "missing claim {claim}"),
            Self::Revoked => write!(f, "token revoked"),
        }
    }
}

/// A string claim of a token whose signature checked out but whose claims did not, for the
/// log line that says why (never trusted for anything else).
fn unverified_claim(token: &str, name: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some(claims.get(name)?.as_str()?.to_string())
}
