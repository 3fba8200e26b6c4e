//! Access tokens: RS256 JWTs with a `kid` header, as Constant Contact's authorization server
//! issues them. Verification needs no database read per request: keys are cached, and an
//! unknown `kid` (a key created by another node or by the CLI) triggers at most one reload per
//! interval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use roster_domain::{AccountId, Store, Timestamp, TokenId, UserId};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};

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

const RELOAD_INTERVAL: Duration = Duration::from_secs(1);

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
}

impl AccessClaims {
    pub fn account_id(&self) -> Option<AccountId> {
        self.account.parse().ok()
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.sub.parse().ok()
    }
}

/// What a token endpoint answers (exactly these fields; some clients reject others).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
}

/// Who a new token is for.
pub struct Grant {
    pub user: UserId,
    pub account: AccountId,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub lifetime_seconds: i64,
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
            last_reload: Mutex::new(Instant::now()),
        };
        service.reload().await?;
        Ok(service)
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

    /// Checks signature (RS256 only, by `kid`), issuer, audience and expiry.
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| ApiError::Unauthorized)?;
        if header.alg != Algorithm::RS256 {
            return Err(ApiError::Unauthorized);
        }
        let kid = header.kid.ok_or(ApiError::Unauthorized)?;
        let key = match self.decoding_key(&kid) {
            Some(key) => key,
            None => {
                self.reload_if_due().await;
                self.decoding_key(&kid).ok_or(ApiError::Unauthorized)?
            }
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::Unauthorized)
    }
}
