//! Token-signing keys: RSA 2048 pairs kept in the database with the private half encrypted
//! (AES-256-GCM) under a key derived from the server secret, so every node sharing the database
//! and the secret signs and verifies alike.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{anyhow, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use roster_domain::account::SigningKey;
use roster_domain::{SigningKeyStore, Timestamp};
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// The server secret (ROSTER_SECRET_KEY), from which purpose-specific keys are derived.
#[derive(Clone)]
pub struct ServerSecret(Vec<u8>);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(<redacted>)")
    }
}

impl ServerSecret {
    pub fn new(secret: impl Into<Vec<u8>>) -> anyhow::Result<Self> {
        let secret = secret.into();
        if secret.len() < 16 {
            return Err(anyhow!("the secret key must be at least 16 bytes long"));
        }
        Ok(Self(secret))
    }

    /// A 32-byte key for one purpose; different purposes never share a key.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"roster/");
        hasher.update(purpose.as_bytes());
        hasher.update([0]);
        hasher.update(&self.0);
        hasher.finalize().into()
    }

    /// The key of the recipient tokens in campaign links (unsubscribe, later opens and
    /// clicks); the sender signs with the same key.
    pub fn recipient_key(&self) -> roster_domain::recipient_token::RecipientKey {
        roster_domain::recipient_token::RecipientKey::new(
            self.derive(roster_domain::recipient_token::RecipientKey::LABEL),
        )
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.derive("signing-key-encryption").into())
    }

    pub fn encrypt(&self, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| anyhow!("cannot encrypt the signing key"))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub fn decrypt(&self, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        if sealed.len() < 12 {
            return Err(anyhow!("the stored signing key is truncated"));
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher().decrypt(Nonce::from_slice(nonce), body).map_err(|_| {
            anyhow!("cannot decrypt the stored signing key: the secret key differs from the one it \
                was stored with")
        })
    }
}

/// A key pair ready to use.
pub struct LoadedKey {
    pub kid: String,
    pub private_pkcs8_der: Vec<u8>,
    pub public: RsaPublicKey,
}

/// Creates a new RSA 2048 key pair and stores it (encrypted).
pub async fn create_signing_key(
    store: &dyn SigningKeyStore,
    secret: &ServerSecret,
) -> anyhow::Result<()> {
    let private = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048))
        .await
        .context("key generation task failed")?
        .context("cannot generate an RSA key")?;
    let der = private
        .to_pkcs8_der()
        .context("cannot encode the private key")?;
    let public_der = private
        .to_public_key()
        .to_pkcs1_der()
        .context("cannot encode the public key")?;
    let key = SigningKey {
        kid: uuid::Uuid::now_v7().simple().to_string(),
        encrypted_private_key: secret.encrypt(der.as_bytes())?,
        public_key_der: public_der.as_bytes().to_vec(),
        created_at: Timestamp::now(),
    };
    store.insert_signing_key(&key).await?;
    Ok(())
}

/// Makes sure a signing key exists (the first start of a new database creates one).
pub async fn ensure_signing_key(
    store: &dyn SigningKeyStore,
    secret: &ServerSecret,
) -> anyhow::Result<()> {
    if store.signing_keys().await?.is_empty() {
        create_signing_key(store, secret).await?;
    }
    Ok(())
}

/// Every stored key, newest first, decrypted.
pub async fn load_signing_keys(
    store: &dyn SigningKeyStore,
    secret: &ServerSecret,
) -> anyhow::Result<Vec<LoadedKey>> {
    store
        .signing_keys()
        .await?
        .into_iter()
        .map(|stored| {
            let private_pkcs8_der = secret.decrypt(&stored.encrypted_private_key)?;
            // Checks that the decrypted bytes are the key they claim to be.
            RsaPrivateKey::from_pkcs8_der(&private_pkcs8_der)
                .context("the stored private key is not PKCS#8 RSA")?;
            let public = RsaPublicKey::from_pkcs1_der(&stored.public_key_der)
                .context("the stored public key is not PKCS#1 RSA")?;
            Ok(LoadedKey {
                kid: stored.kid,
                private_pkcs8_der,
                public,
            })
        })
        .collect()
}

/// The JWK of a public key.
pub fn jwk(kid: &str, public: &RsaPublicKey) -> serde_json::Value {
    serde_json::json!({
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_secret() {
        let secret = ServerSecret::new("0123456789abcdef0123").unwrap();
        let sealed = secret.encrypt(b"private").unwrap();
        assert_eq!(secret.decrypt(&sealed).unwrap(), b"private");
        let other = ServerSecret::new("another secret of enough length").unwrap();
        assert!(other.decrypt(&sealed).is_err());
        assert!(ServerSecret::new("short").is_err());
        assert_ne!(secret.derive("a"), secret.derive("b"));
    }
}
