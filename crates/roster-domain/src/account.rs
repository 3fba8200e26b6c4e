//! Accounts, their users, the OAuth clients that act for them, and the server's signing keys.

use crate::{AccountId, EmailAddress, Timestamp, UserId};

/// A Constant Contact account: the unit every contact-data row belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    /// The opaque id the API shows (`encoded_account_id`).
    pub encoded_id: String,
    pub organization_name: Option<String>,
    pub created_at: Timestamp,
    /// Confirmed Opt-In: contacts who sign up through POST /contacts/sign_up_form stay
    /// `pending_confirmation` until they follow the link mailed to them, and campaigns skip
    /// pending contacts. Off by default; set with `roster accounts set --confirmed-opt-in`.
    pub confirmed_opt_in: bool,
}

/// A person who signs in to an account. The owner holds every privilege.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: EmailAddress,
    pub password_hash: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: String,
    pub created_at: Timestamp,
}

/// What `roster accounts create` asks for; the password arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub owner_email: EmailAddress,
    pub owner_password_hash: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization_name: Option<String>,
    /// The organization's street address, if known at creation.
    pub physical_address: Option<crate::account_services::PhysicalAddress>,
}

/// The role of an account's first user.
pub const OWNER_ROLE: &str = "account_owner";

/// Whether removing `user` from its account's `users` (`new_role` None), or giving it
/// `new_role`, would leave the account without an `account_owner`: the one role that can
/// change the account's settings, so an account keeps at least one (docs/ROLES.md).
pub fn leaves_no_owner(users: &[User], user: UserId, new_role: Option<&str>) -> bool {
    let owners_after = users
        .iter()
        .filter(|u| {
            let role = if u.id == user {
                new_role
            } else {
                Some(u.role.as_str())
            };
            role == Some(OWNER_ROLE)
        })
        .count();
    owners_after == 0
}

/// An OAuth client (an "app" in Constant Contact's developer portal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientApp {
    pub client_id: String,
    /// SHA-256 of the secret, hex; `None` for public clients (PKCE only).
    pub secret_sha256: Option<String>,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub created_at: Timestamp,
}

impl ClientApp {
    pub fn is_public(&self) -> bool {
        self.secret_sha256.is_none()
    }
}

/// A token-signing key pair; the private half is stored only encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// The JWT `kid`.
    pub kid: String,
    /// The PKCS#8 DER private key, encrypted with the server secret (nonce || ciphertext).
    pub encrypted_private_key: Vec<u8>,
    /// The PKCS#1 DER public key (for the JWKS).
    pub public_key_der: Vec<u8>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod owner_tests {
    use super::{leaves_no_owner, User, OWNER_ROLE};
    use crate::{AccountId, EmailAddress, Timestamp, UserId};

    fn user(role: &str) -> User {
        User {
            id: UserId::generate(),
            account_id: AccountId::generate(),
            email: EmailAddress::parse("u@example.com").unwrap(),
            password_hash: String::new(),
            first_name: None,
            last_name: None,
            role: role.into(),
            created_at: Timestamp::now(),
        }
    }

    #[test]
    fn an_account_keeps_one_owner() {
        let (owner, author) = (user(OWNER_ROLE), user("author"));
        let users = [owner.clone(), author.clone()];
        assert!(leaves_no_owner(&users, owner.id, None));
        assert!(leaves_no_owner(&users, owner.id, Some("reporter")));
        assert!(!leaves_no_owner(&users, owner.id, Some(OWNER_ROLE)));
        assert!(!leaves_no_owner(&users, author.id, None));
        let second = user(OWNER_ROLE);
        let users = [owner.clone(), author, second];
        assert!(!leaves_no_owner(&users, owner.id, None));
    }
}
