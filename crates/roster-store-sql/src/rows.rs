//! Database rows as their own types, and their conversions to and from the domain. A row that
//! does not convert means the database holds something Roster never wrote: that is reported as
//! an outage, not handed to a client.

use roster_domain::account::{Account, ClientApp, NewAccount, SigningKey, User, OWNER_ROLE};
use roster_domain::account_services::{
    roles_from_text, AccountEmail, AccountProfile, EmailConfirmStatus, PhysicalAddress,
};
use roster_domain::contact::{
    Birthday, ConfirmStatus, Contact, CustomValue, EmailChannel, Permission, Source,
};
use roster_domain::contact_list::ContactList;
use roster_domain::custom_field::{CustomField, CustomFieldType};
use roster_domain::oauth::{
    AuthorizationCode, DeviceAuthorization, DeviceStatus, GrantId, RefreshToken,
};
use roster_domain::outbox::{
    DeliveryOutcome, Lease, Mailbox, OutboxEntry, OutboxMessage, OutboxState,
};
use roster_domain::tag::Tag;
use roster_domain::{
    AccountId, ContactId, CustomFieldId, EmailAddress, ListId, OutboxId, StoreError, TagId,
    Timestamp, UserId,
};
use uuid::Uuid;

use crate::documents::{
    domain, stored, ChoiceDocument, NoteDocument, PhoneNumberDocument, SmsChannelDocument,
    StreetAddressDocument,
};

fn corrupt(what: &str) -> StoreError {
    StoreError::unavailable(corrupt_error(what))
}

pub fn corrupt_error(what: &str) -> anyhow::Error {
    anyhow::anyhow!("the database holds an invalid {what}")
}

pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serialising plain data structures cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

pub fn duplicate_label_message(label: &str) -> String {
    format!("a custom field with the label \"{label}\" (or the same name) already exists")
}

/// The rows an account starts with; ids and the encoded account id are drawn here.
pub fn new_account_records(new: NewAccount) -> (Account, User, Option<PhysicalAddress>) {
    let now = Timestamp::now();
    let account = Account {
        id: AccountId::generate(),
        encoded_id: encoded_account_id(),
        organization_name: new.organization_name,
        created_at: now,
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
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            id: AccountId(row.id),
            encoded_id: row.encoded_id,
            organization_name: row.organization_name,
            created_at: Timestamp::from_millis(row.created_at),
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
            email: EmailAddress::parse(&row.email).map_err(|_| corrupt("user email"))?,
            password_hash: row.password_hash,
            first_name: row.first_name,
            last_name: row.last_name,
            role: row.role,
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
            redirect_uris: serde_json::from_str(&row.redirect_uris)
                .map_err(|_| corrupt("client redirect URI list"))?,
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
pub struct CustomFieldRow {
    pub id: Uuid,
    pub label: String,
    pub name: String,
    pub field_type: String,
    pub metadata: Option<String>,
    pub version: Option<i64>,
    pub choices: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl CustomFieldRow {
    pub fn from_domain(field: &CustomField) -> Self {
        CustomFieldRow {
            id: field.id.0,
            label: field.label.clone(),
            name: field.name.clone(),
            field_type: field.field_type.as_str().to_string(),
            metadata: field.metadata.as_ref().map(to_json),
            version: field.version,
            choices: to_json(&stored::<_, ChoiceDocument>(&field.choices)),
            created_at: field.created_at.millis(),
            updated_at: field.updated_at.millis(),
        }
    }
}

impl TryFrom<CustomFieldRow> for CustomField {
    type Error = StoreError;
    fn try_from(row: CustomFieldRow) -> Result<Self, StoreError> {
        Ok(CustomField {
            id: CustomFieldId(row.id),
            label: row.label,
            name: row.name,
            field_type: CustomFieldType::parse(&row.field_type)
                .ok_or_else(|| corrupt("custom field type"))?,
            metadata: row
                .metadata
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(|_| corrupt("custom field metadata"))?,
            version: row.version,
            choices: domain(from_json::<Vec<ChoiceDocument>>(
                &row.choices,
                "custom field choice list",
            )?),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        })
    }
}

/// A mailbox as the outbox stores it (JSON text).
#[derive(serde::Serialize, serde::Deserialize)]
struct MailboxJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    email: String,
}

fn mailbox_json(mailbox: &Mailbox) -> MailboxJson {
    MailboxJson {
        name: mailbox.name.clone(),
        email: mailbox.email.as_str().to_string(),
    }
}

fn mailbox_from_json(json: MailboxJson) -> Result<Mailbox, StoreError> {
    let email = EmailAddress::parse(&json.email).map_err(|_| corrupt("outbox address"))?;
    Mailbox::new(json.name.as_deref(), email).map_err(|_| corrupt("outbox display name"))
}

#[derive(sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub kind: String,
    pub message_id: String,
    pub from_mailbox: String,
    pub reply_to: Option<String>,
    pub recipients: String,
    pub subject: String,
    pub headers: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub last_reply: Option<String>,
    pub due_at: i64,
    pub lease_token: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

impl OutboxRow {
    pub fn from_domain(entry: &OutboxEntry) -> Self {
        let message = &entry.message;
        OutboxRow {
            id: entry.id.0,
            account_id: message.account().map(|a| a.0),
            kind: message.kind().to_string(),
            message_id: entry.message_id.clone(),
            from_mailbox: to_json(&mailbox_json(message.from())),
            reply_to: message.reply_to().map(|m| to_json(&mailbox_json(m))),
            recipients: to_json(&message.to().iter().map(mailbox_json).collect::<Vec<_>>()),
            subject: message.subject().to_string(),
            headers: to_json(message.headers()),
            text_body: message.text().to_string(),
            html_body: message.html().map(String::from),
            state: entry.state.as_str().to_string(),
            attempts: i64::from(entry.attempts),
            last_reply: entry.last_reply.clone(),
            due_at: entry.due_at.millis(),
            lease_token: entry.lease.map(|l| l.0),
            created_at: entry.created_at.millis(),
            updated_at: entry.updated_at.millis(),
            finished_at: entry.finished_at.map(Timestamp::millis),
        }
    }
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StoreError;
    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        let parse_mailbox = |text: &str| {
            serde_json::from_str::<MailboxJson>(text)
                .map_err(|_| corrupt("outbox mailbox"))
                .and_then(mailbox_from_json)
        };
        let recipients = serde_json::from_str::<Vec<MailboxJson>>(&row.recipients)
            .map_err(|_| corrupt("outbox recipient list"))?
            .into_iter()
            .map(mailbox_from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let headers: Vec<(String, String)> =
            serde_json::from_str(&row.headers).map_err(|_| corrupt("outbox header list"))?;
        let mut message = OutboxMessage::new(
            &row.kind,
            parse_mailbox(&row.from_mailbox)?,
            recipients,
            &row.subject,
            &row.text_body,
        )
        .map_err(|_| corrupt("outbox message"))?;
        for (name, value) in &headers {
            message = message
                .with_header(name, value)
                .map_err(|_| corrupt("outbox header"))?;
        }
        if let Some(reply_to) = &row.reply_to {
            message = message.with_reply_to(parse_mailbox(reply_to)?);
        }
        if let Some(html) = &row.html_body {
            message = message.with_html(html);
        }
        if let Some(account) = row.account_id {
            message = message.for_account(AccountId(account));
        }
        Ok(OutboxEntry {
            id: OutboxId(row.id),
            message_id: row.message_id,
            message,
            state: OutboxState::parse(&row.state).ok_or_else(|| corrupt("outbox state"))?,
            attempts: u32::try_from(row.attempts).map_err(|_| corrupt("outbox attempt count"))?,
            last_reply: row.last_reply,
            due_at: Timestamp::from_millis(row.due_at),
            lease: row.lease_token.map(Lease),
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            finished_at: row.finished_at.map(Timestamp::from_millis),
        })
    }
}

/// The columns a delivery outcome sets: (state, last reply, due_at, finished_at).
pub fn delivery_columns(
    outcome: &DeliveryOutcome,
    now: Timestamp,
) -> (&'static str, &str, i64, Option<i64>) {
    match outcome {
        DeliveryOutcome::Sent { reply } => ("sent", reply, now.millis(), Some(now.millis())),
        DeliveryOutcome::Retry { reply, at } => ("queued", reply, at.millis(), None),
        DeliveryOutcome::Failed { reply } => ("failed", reply, now.millis(), Some(now.millis())),
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

fn parse_enum<T>(
    text: Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parse(&t).ok_or_else(|| corrupt(what)))
        .transpose()
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what))
}

#[derive(sqlx::FromRow)]
pub struct ListRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub member_count: i64,
    pub active_member_count: i64,
}

impl From<ListRow> for ContactList {
    fn from(row: ListRow) -> Self {
        ContactList {
            id: ListId(row.id),
            name: row.name,
            description: row.description,
            favorite: row.favorite,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
            deleted_at: row.deleted_at.map(Timestamp::from_millis),
            member_count: row.member_count,
            active_member_count: row.active_member_count,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct TagRow {
    pub id: Uuid,
    pub name: String,
    pub tag_source: Option<String>,
    pub contacts_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<TagRow> for Tag {
    fn from(row: TagRow) -> Self {
        Tag {
            id: TagId(row.id),
            name: row.name,
            tag_source: row.tag_source,
            contacts_count: row.contacts_count,
            created_at: Timestamp::from_millis(row.created_at),
            updated_at: Timestamp::from_millis(row.updated_at),
        }
    }
}

/// The columns of `contacts` as Roster writes them.
#[derive(sqlx::FromRow)]
pub struct ContactRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub permission: Option<String>,
    pub opt_in_source: Option<String>,
    pub opt_in_date: Option<i64>,
    pub opt_out_source: Option<String>,
    pub opt_out_date: Option<i64>,
    pub opt_out_reason: Option<String>,
    pub confirm_status: Option<String>,
    pub email_created_at: Option<i64>,
    pub email_updated_at: Option<i64>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday_month: Option<i64>,
    pub birthday_day: Option<i64>,
    pub anniversary: Option<String>,
    pub create_source: String,
    pub update_source: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub phone_numbers: String,
    pub street_addresses: String,
    pub notes: String,
    pub sms_channel: Option<String>,
}

impl ContactRow {
    pub fn from_domain(contact: &Contact) -> Self {
        let email = contact.email.as_ref();
        ContactRow {
            id: contact.id.0,
            email: email.map(|e| e.address.as_str().to_string()),
            permission: email.map(|e| e.permission.as_str().to_string()),
            opt_in_source: email
                .and_then(|e| e.opt_in_source)
                .map(|s| s.as_str().to_string()),
            opt_in_date: email.and_then(|e| e.opt_in_date).map(Timestamp::millis),
            opt_out_source: email
                .and_then(|e| e.opt_out_source)
                .map(|s| s.as_str().to_string()),
            opt_out_date: email.and_then(|e| e.opt_out_date).map(Timestamp::millis),
            opt_out_reason: email.and_then(|e| e.opt_out_reason.clone()),
            confirm_status: email.map(|e| e.confirm_status.as_str().to_string()),
            email_created_at: email.map(|e| e.created_at.millis()),
            email_updated_at: email.map(|e| e.updated_at.millis()),
            first_name: contact.first_name.clone(),
            last_name: contact.last_name.clone(),
            job_title: contact.job_title.clone(),
            company_name: contact.company_name.clone(),
            birthday_month: contact.birthday.map(|b| i64::from(b.month)),
            birthday_day: contact.birthday.map(|b| i64::from(b.day)),
            anniversary: contact.anniversary.clone(),
            create_source: contact.create_source.as_str().to_string(),
            update_source: contact.update_source.as_str().to_string(),
            created_at: contact.created_at.millis(),
            updated_at: contact.updated_at.millis(),
            deleted_at: contact.deleted_at.map(Timestamp::millis),
            phone_numbers: to_json(&stored::<_, PhoneNumberDocument>(&contact.phone_numbers)),
            street_addresses: to_json(&stored::<_, StreetAddressDocument>(
                &contact.street_addresses,
            )),
            notes: to_json(&stored::<_, NoteDocument>(&contact.notes)),
            sms_channel: contact
                .sms_channel
                .as_ref()
                .map(|sms| to_json(&SmsChannelDocument::from(sms))),
        }
    }

    /// The contact without the sub-resources kept in their own tables (lists, tags, values).
    pub fn into_domain(self) -> Result<Contact, StoreError> {
        let email = match self.email {
            None => None,
            Some(address) => Some(EmailChannel {
                address: EmailAddress::parse(&address).map_err(|_| corrupt("contact email"))?,
                permission: parse_enum(self.permission, Permission::parse, "permission")?
                    .unwrap_or(Permission::NotSet),
                opt_in_source: parse_enum(self.opt_in_source, Source::parse, "opt-in source")?,
                opt_in_date: self.opt_in_date.map(Timestamp::from_millis),
                opt_out_source: parse_enum(self.opt_out_source, Source::parse, "opt-out source")?,
                opt_out_date: self.opt_out_date.map(Timestamp::from_millis),
                opt_out_reason: self.opt_out_reason,
                confirm_status: parse_enum(
                    self.confirm_status,
                    ConfirmStatus::parse,
                    "confirm status",
                )?
                .unwrap_or(ConfirmStatus::Off),
                created_at: Timestamp::from_millis(
                    self.email_created_at.unwrap_or(self.created_at),
                ),
                updated_at: Timestamp::from_millis(
                    self.email_updated_at.unwrap_or(self.updated_at),
                ),
            }),
        };
        let birthday = match (self.birthday_month, self.birthday_day) {
            (Some(month), Some(day)) => Some(Birthday {
                month: month as u8,
                day: day as u8,
            }),
            _ => None,
        };
        Ok(Contact {
            id: ContactId(self.id),
            email,
            first_name: self.first_name,
            last_name: self.last_name,
            job_title: self.job_title,
            company_name: self.company_name,
            birthday,
            anniversary: self.anniversary,
            create_source: Source::parse(&self.create_source)
                .ok_or_else(|| corrupt("create source"))?,
            update_source: Source::parse(&self.update_source)
                .ok_or_else(|| corrupt("update source"))?,
            created_at: Timestamp::from_millis(self.created_at),
            updated_at: Timestamp::from_millis(self.updated_at),
            deleted_at: self.deleted_at.map(Timestamp::from_millis),
            custom_fields: Vec::new(),
            phone_numbers: domain(from_json::<Vec<PhoneNumberDocument>>(
                &self.phone_numbers,
                "phone number list",
            )?),
            street_addresses: domain(from_json::<Vec<StreetAddressDocument>>(
                &self.street_addresses,
                "street address list",
            )?),
            notes: domain(from_json::<Vec<NoteDocument>>(&self.notes, "note list")?),
            list_ids: Vec::new(),
            tag_ids: Vec::new(),
            sms_channel: self
                .sms_channel
                .map(|text| from_json::<SmsChannelDocument>(&text, "SMS channel"))
                .transpose()?
                .map(Into::into),
        })
    }
}

/// A row of `contact_sql::links_query`: a membership, tagging or custom value of a contact.
#[derive(sqlx::FromRow)]
pub struct LinkRow {
    pub kind: i32,
    pub contact_id: Uuid,
    /// The list, the tag or the custom field.
    pub linked_id: Uuid,
    /// Custom values only.
    pub value: Option<String>,
    pub choice_ids: Option<String>,
}

pub fn choice_ids_text(value: &CustomValue) -> String {
    value
        .choice_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Attaches loaded sub-resource rows to the contacts they belong to.
/// Adds the links read by `contact_sql::links_query` to their contacts, in the order read.
pub fn attach(contacts: &mut [Contact], links: Vec<LinkRow>) {
    use crate::contact_sql::{LINK_CUSTOM_VALUE, LINK_LIST, LINK_TAG};
    let mut index: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for (position, contact) in contacts.iter().enumerate() {
        index.insert(contact.id.0, position);
    }
    for row in links {
        let Some(&at) = index.get(&row.contact_id) else {
            continue;
        };
        let contact = &mut contacts[at];
        match row.kind {
            LINK_LIST => contact.list_ids.push(ListId(row.linked_id)),
            LINK_TAG => contact.tag_ids.push(TagId(row.linked_id)),
            LINK_CUSTOM_VALUE => contact.custom_fields.push(CustomValue {
                custom_field_id: CustomFieldId(row.linked_id),
                value: row.value.unwrap_or_default(),
                choice_ids: row
                    .choice_ids
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|id| id.parse().ok())
                    .collect(),
            }),
            _ => {}
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct SegmentRow {
    pub id: i64,
    pub name: String,
    pub criteria: String,
    pub created_at: i64,
    pub edited_at: i64,
}

impl From<SegmentRow> for roster_domain::segment::Segment {
    fn from(row: SegmentRow) -> Self {
        roster_domain::segment::Segment {
            id: roster_domain::SegmentId(row.id),
            name: row.name,
            criteria: row.criteria,
            created_at: Timestamp::from_millis(row.created_at),
            edited_at: Timestamp::from_millis(row.edited_at),
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
                .map(|e| EmailAddress::parse(&e).map_err(|_| corrupt("account contact email")))
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

/// The columns of `activities` that `ActivityRow` reads (`columns::ACTIVITY_COLUMNS`).
#[derive(sqlx::FromRow)]
pub struct ActivityRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: String,
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub items_total: i64,
    pub items_completed: i64,
    pub created_count: i64,
    pub updated_count: i64,
    pub error_count: i64,
    pub cannot_add_to_list_count: i64,
    pub list_count: i64,
    pub source_file_name: Option<String>,
    pub cursor: Option<Uuid>,
}

impl ActivityRow {
    pub fn into_domain(self) -> Result<roster_domain::activity::Activity, StoreError> {
        use roster_domain::activity::{Activity, ActivityKind, ActivityState};
        Ok(Activity {
            id: roster_domain::ActivityId(self.id),
            account: AccountId(self.account_id),
            kind: ActivityKind::parse(&self.kind).ok_or_else(|| corrupt("activity kind"))?,
            state: ActivityState::parse(&self.state).ok_or_else(|| corrupt("activity state"))?,
            created_at: Timestamp::from_millis(self.created_at),
            updated_at: Timestamp::from_millis(self.updated_at),
            started_at: self.started_at.map(Timestamp::from_millis),
            completed_at: self.completed_at.map(Timestamp::from_millis),
            items_total: self.items_total,
            items_completed: self.items_completed,
            created_count: self.created_count,
            updated_count: self.updated_count,
            error_count: self.error_count,
            cannot_add_to_list_count: self.cannot_add_to_list_count,
            list_count: self.list_count,
            source_file_name: self.source_file_name,
            cursor: self.cursor.map(ContactId),
            errors: Vec::new(),
        })
    }
}

/// A claimed activity's row and its job text.
#[derive(sqlx::FromRow)]
pub struct ClaimedRow {
    #[sqlx(flatten)]
    pub activity: ActivityRow,
    pub job: String,
}

impl ClaimedRow {
    pub fn into_domain(self) -> Result<roster_domain::activity::ClaimedActivity, StoreError> {
        Ok(roster_domain::activity::ClaimedActivity {
            activity: self.activity.into_domain()?,
            job: serde_json::from_str(&self.job).map_err(|_| corrupt("activity job"))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ResubscriptionRow {
    pub account_id: Uuid,
    pub contact_id: Uuid,
    pub token_sha256: String,
    pub list_ids: String,
    pub requested_at: i64,
    pub confirmed_at: Option<i64>,
    pub declined_at: Option<i64>,
}

/// The list ids of a resubscription request as stored (a JSON array of UUIDs).
pub fn resubscription_list_ids(request: &roster_domain::resubscription::Resubscription) -> String {
    let ids: Vec<Uuid> = request.list_ids.iter().map(|l| l.0).collect();
    to_json(&ids)
}

impl TryFrom<ResubscriptionRow> for roster_domain::resubscription::Resubscription {
    type Error = StoreError;

    fn try_from(row: ResubscriptionRow) -> Result<Self, StoreError> {
        let lists: Vec<Uuid> = from_json(&row.list_ids, "resubscription list ids")?;
        Ok(Self {
            account: AccountId(row.account_id),
            contact: ContactId(row.contact_id),
            token_sha256: row.token_sha256,
            list_ids: lists.into_iter().map(ListId).collect(),
            requested_at: Timestamp::from_millis(row.requested_at),
            confirmed_at: row.confirmed_at.map(Timestamp::from_millis),
            declined_at: row.declined_at.map(Timestamp::from_millis),
        })
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
            address: EmailAddress::parse(&row.email).map_err(|_| corrupt("account email"))?,
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
