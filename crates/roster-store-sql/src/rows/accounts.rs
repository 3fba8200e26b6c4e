//! The account side: accounts, their users and the token signing keys, Account Services
//! (the profile, the physical address, the sender addresses) and OAuth's records (clients,
//! authorization codes, refresh tokens, device authorizations).

use roster_domain::account::{Account, ClientApp, NewAccount, SigningKey, User, OWNER_ROLE};
use roster_domain::account_services::{
    roles_from_text, AccountEmail, AccountProfile, EmailConfirmStatus, PhysicalAddress,
};
use roster_domain::oauth::{
    AuthorizationCode, DeviceAuthorization, DeviceStatus, GrantId, RefreshToken,
};
use roster_domain::{AccountId, StoreError, Timestamp, UserId};
use uuid::Uuid;

use super::convert::{corrupt, from_json, parse_email};

/// The rows an account starts with; ids and the encoded account id are drawn here.
pub fn new_account_records(new: NewAccount) -> (Account, User, Option<PhysicalAddress>) {
    let now = Timestamp::now();
    let account = Account {
        id: AccountId::generate(),
        encoded_id: encoded_account_id(),
        organization_name: new.organization_name,
        created_at: now,
        confirmed_opt_in: false,
    };
    let user = User {
        id: UserId::generate(),
        account_id: account.id,
        email: new.owner_email,
        password_hash: new.owner_password_hash,
        first_name: new.first_name,
        last_name: new.last_name,
        role: OWNER_ROLE.to_string(),
        created_at: now,
    };
    (account, user, new.physical_address)
}

/// Constant Contact's encoded account ids are short opaque strings such as `a07e1lxqkz7a`.
fn encoded_account_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let random = Uuid::new_v4().as_u128();
    let mut text = String::from("a");
    let mut rest = random;
    for _ in 0..11 {
        text.push(ALPHABET[(rest % 36) as usize] as char);
        rest /= 36;
    }
    text
}

#[derive(sqlx::FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub encoded_id: String,
    pub organization_name: Option<String>,
    pub created_at: i64,
    pub confirmed_opt_in: bool,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            id: AccountId(row.id),
            encoded_id: row.encoded_id,
            organization_name: row.organization_name,
            created_at: Timestamp::from_millis(row.created_at),
            confirmed_opt_in: row.confirmed_opt_in,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: String,
    pub created_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: UserId(row.id),
            account_id: AccountId(row.account_id),
            email: parse_email(&row.email, "user email")?,
            password_hash: row.password_hash,
            first_name: row.first_name,
            last_name: row.last_name,
            role: row.role,
            created_at: Timestamp::from_millis(row.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub encrypted_private_key: Vec<u8>,
    pub public_key_der: Vec<u8>,
    pub created_at: i64,
}

impl From<SigningKeyRow> for SigningKey {
    fn from(row: SigningKeyRow) -> Self {
        SigningKey {
            kid: row.kid,
            encrypted_private_key: row.encrypted_private_key,
            public_key_der: row.public_key_der,
            created_at: Timestamp::from_millis(row.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct AccountProfileRow {
    pub encoded_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization_name: Option<String>,
    pub organization_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub country_code: Option<String>,
    pub state_code: Option<String>,
    pub time_zone_id: Option<String>,
    pub website: Option<String>,
    pub logo_external_url: Option<String>,
}

impl TryFrom<AccountProfileRow> for AccountProfile {
    type Error = StoreError;
    fn try_from(row: AccountProfileRow) -> Result<Self, StoreError> {
        Ok(AccountProfile {
            encoded_id: row.encoded_id,
            first_name: row.first_name,
            last_name: row.last_name,
            organization_name: row.organization_name,
            organization_phone: row.organization_phone,
            contact_email: row
                .contact_email
                .map(|e| parse_email(&e, "account contact email"))
                .transpose()?,
            contact_phone: row.contact_phone,
            country_code: row.country_code,
            state_code: row.state_code,
            time_zone_id: row.time_zone_id,
            website: row.website,
            logo_external_url: row.logo_external_url,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct PhysicalAddressRow {
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub city: String,
    pub state_code: Option<String>,
    pub state_name: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: String,
}

impl From<PhysicalAddressRow> for PhysicalAddress {
    fn from(row: PhysicalAddressRow) -> Self {
        PhysicalAddress {
            address_line1: row.address_line1,
            address_line2: row.address_line2,
            address_line3: row.address_line3,
            city: row.city,
            state_code: row.state_code,
            state_name: row.state_name,
            postal_code: row.postal_code,
            country_code: row.country_code,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct AccountEmailRow {
    pub email_id: i64,
    pub email: String,
    pub confirm_status: String,
    pub confirmed_at: Option<i64>,
    pub confirm_source_type: Option<String>,
    pub roles: String,
    pub pending_roles: String,
    pub created_at: i64,
}

impl TryFrom<AccountEmailRow> for AccountEmail {
    type Error = StoreError;
    fn try_from(row: AccountEmailRow) -> Result<Self, StoreError> {
        Ok(AccountEmail {
            email_id: row.email_id,
            address: parse_email(&row.email, "account email")?,
            status: EmailConfirmStatus::parse(&row.confirm_status)
                .ok_or_else(|| corrupt("account email status"))?,
            confirmed_at: row.confirmed_at.map(Timestamp::from_millis),
            confirm_source_type: row.confirm_source_type,
            roles: roles_from_text(&row.roles).ok_or_else(|| corrupt("account email role"))?,
            pending_roles: roles_from_text(&row.pending_roles)
                .ok_or_else(|| corrupt("account email role"))?,
            created_at: Timestamp::from_millis(row.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ClientRow {
    pub client_id: String,
    pub secret_sha256: Option<String>,
    pub name: String,
    pub redirect_uris: String,
    pub created_at: i64,
}

impl TryFrom<ClientRow> for ClientApp {
    type Error = StoreError;
    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        Ok(ClientApp {
            client_id: row.client_id,
            secret_sha256: row.secret_sha256,
            name: row.name,
            redirect_uris: from_json(&row.redirect_uris, "client redirect URI list")?,
            created_at: Timestamp::from_millis(row.created_at),
        })
    }
}

/// Scopes are stored space-separated, in the order granted.
pub fn scopes_to_text(scopes: &[String]) -> String {
    scopes.join(" ")
}

pub fn scopes_from_text(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

#[derive(sqlx::FromRow)]
pub struct AuthorizationCodeRow {
    pub code_sha256: String,
    pub grant_id: Uuid,
    pub client_id: String,
    pub account_id: Uuid,
    pub user_id: Uuid,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl From<AuthorizationCodeRow> for AuthorizationCode {
    fn from(row: AuthorizationCodeRow) -> Self {
        AuthorizationCode {
            code_sha256: row.code_sha256,
            grant: GrantId(row.grant_id),
            client_id: row.client_id,
            account: AccountId(row.account_id),
            user: UserId(row.user_id),
            redirect_uri: row.redirect_uri,
            scopes: scopes_from_text(&row.scopes),
            code_challenge: row.code_challenge,
            created_at: Timestamp::from_millis(row.created_at),
            expires_at: Timestamp::from_millis(row.expires_at),
            used_at: row.used_at.map(Timestamp::from_millis),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct RefreshTokenRow {
    pub token_sha256: String,
    pub grant_id: Uuid,
    pub client_id: String,
    pub account_id: Uuid,
    pub user_id: Uuid,
    pub scopes: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<RefreshTokenRow> for RefreshToken {
    fn from(row: RefreshTokenRow) -> Self {
        RefreshToken {
            token_sha256: row.token_sha256,
            grant: GrantId(row.grant_id),
            client_id: row.client_id,
            account: AccountId(row.account_id),
            user: UserId(row.user_id),
            scopes: scopes_from_text(&row.scopes),
            created_at: Timestamp::from_millis(row.created_at),
            expires_at: Timestamp::from_millis(row.expires_at),
            used_at: row.used_at.map(Timestamp::from_millis),
            revoked_at: row.revoked_at.map(Timestamp::from_millis),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct DeviceAuthorizationRow {
    pub device_code_sha256: String,
    pub user_code: String,
    pub client_id: String,
    pub scopes: String,
    pub status: String,
    pub account_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub interval_seconds: i64,
    pub last_polled_at: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl TryFrom<DeviceAuthorizationRow> for DeviceAuthorization {
    type Error = StoreError;
    fn try_from(row: DeviceAuthorizationRow) -> Result<Self, StoreError> {
        Ok(DeviceAuthorization {
            device_code_sha256: row.device_code_sha256,
            user_code: row.user_code,
            client_id: row.client_id,
            scopes: scopes_from_text(&row.scopes),
            status: DeviceStatus::parse(&row.status)
                .ok_or_else(|| corrupt("device authorization status"))?,
            approved_by: match (row.account_id, row.user_id) {
                (Some(account), Some(user)) => Some((AccountId(account), UserId(user))),
                _ => None,
            },
            interval_seconds: row.interval_seconds,
            last_polled_at: row.last_polled_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(row.created_at),
            expires_at: Timestamp::from_millis(row.expires_at),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoded_account_ids_are_short_and_distinct() {
        let a = super::encoded_account_id();
        let b = super::encoded_account_id();
        assert_eq!(a.len(), 12);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
