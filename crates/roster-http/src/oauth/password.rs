//! Password hashing: argon2id with a random salt. Hashing is deliberately slow, so it runs on
//! the blocking pool, and the sign-in throttle is checked before it.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes a password with argon2id (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored PHC hash, computed off the async workers.
pub async fn verify_password(password: String, stored_hash: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored_hash)
            .map_err(|e| anyhow::anyhow!("the stored password hash is not a PHC string: {e}"))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| anyhow::anyhow!("the hashing task failed: {e}"))?
}

/// A hash of nothing anyone knows, verified against when the email is unknown so that an
/// unknown email costs as much time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        hash_password(&super::random_secret(24)).unwrap_or_else(|_| String::from("$argon2id$"))
    })
}
