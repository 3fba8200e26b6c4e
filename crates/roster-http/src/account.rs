//! Account Services: GET/PUT /account/summary, GET/POST/PUT /account/summary/physical_address,
//! GET/POST /account/emails, and the public page that confirms a sender address
//! (GET/POST /account/emails/confirm, the link the confirmation mail carries). GET
//! /account/user/privileges lives in `user_privileges.rs`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use roster_domain::account_services::{
    country_code, time_zone_id, website, AccountEmail, AccountEmailFilter, AccountProfile,
    EmailConfirmStatus, EmailRole, PhysicalAddress, PhysicalAddressDraft, MAX_NAME_LEN,
    MAX_ORGANIZATION_NAME_LEN, MAX_PHONE_LEN, MAX_TIME_ZONE_LEN, MAX_WEBSITE_LEN,
};
use roster_domain::outbox::OutboxEntry;
use roster_domain::FieldError;
use roster_domain::{AccountId, EmailAddress, Timestamp};
use roster_mailer::SystemMail;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{AccountRead, AccountUpdate, Caller};
use crate::error::ApiError;
use crate::oauth::pages::{escape, hidden_inputs, page};
use crate::oauth::{random_secret, sha256_hex};
use crate::wire::{date_time, JsonBody, ObjectReader, QueryParams};
use crate::AppState;

/// Where the confirmation link of a sender address points (outside /v3: a page for people).
pub const CONFIRM_PATH: &str = "/account/emails/confirm";

#[derive(Serialize, ToSchema)]
pub struct PhysicalAddressResource {
    address_line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    address_line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    address_line3: Option<String>,
    city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    state_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    state_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    postal_code: Option<String>,
    country_code: String,
}

impl From<PhysicalAddress> for PhysicalAddressResource {
    fn from(address: PhysicalAddress) -> Self {
        Self {
            address_line1: address.address_line1,
            address_line2: address.address_line2,
            address_line3: address.address_line3,
            city: address.city,
            state_code: address.state_code,
            state_name: address.state_name,
            postal_code: address.postal_code,
            country_code: address.country_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompanyLogoResource {
    external_url: String,
}

/// `Customer` (GET) and `CustomerPut` (the PUT's answer, without the extra fields).
/// The account's details as PUT /account/summary answers them.
#[derive(Serialize, ToSchema)]
pub struct AccountDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    contact_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    contact_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    country_code: Option<String>,
    encoded_account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    organization_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    organization_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    state_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    time_zone_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    website: Option<String>,
}

/// GET /account/summary: the details, with the `extra_fields` the request asks for.
#[derive(Serialize, ToSchema)]
pub struct SummaryResource {
    #[serde(flatten)]
    details: AccountDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    physical_address: Option<PhysicalAddressResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    company_logo: Option<CompanyLogoResource>,
}

impl AccountDetails {
    fn new(profile: AccountProfile) -> Self {
        Self {
            contact_email: profile.contact_email.map(|e| e.as_str().to_string()),
            contact_phone: profile.contact_phone,
            country_code: profile.country_code,
            encoded_account_id: profile.encoded_id,
            first_name: profile.first_name,
            last_name: profile.last_name,
            organization_name: profile.organization_name,
            organization_phone: profile.organization_phone,
            state_code: profile.state_code,
            time_zone_id: profile.time_zone_id,
            website: profile.website,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountEmailResource {
    email_address: String,
    email_id: i64,
    confirm_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    confirm_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    confirm_source_type: Option<String>,
    roles: Vec<&'static str>,
    pending_roles: Vec<&'static str>,
}

impl From<AccountEmail> for AccountEmailResource {
    fn from(email: AccountEmail) -> Self {
        Self {
            email_address: email.address.as_str().to_string(),
            email_id: email.email_id,
            confirm_status: email.status.as_str(),
            confirm_time: email.confirmed_at.map(date_time),
            confirm_source_type: email.confirm_source_type,
            roles: email.roles.iter().map(|r| r.as_str()).collect(),
            pending_roles: email.pending_roles.iter().map(|r| r.as_str()).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountEmailCreated {
    email_address: String,
    email_id: i64,
    confirm_status: &'static str,
}

async fn profile(state: &AppState, account: AccountId) -> Result<AccountProfile, ApiError> {
    state
        .store
        .account_profile(account)
        .await?
        .ok_or_else(|| ApiError::Unauthorized)
}

fn no_address() -> ApiError {
    ApiError::NotFound(
        "The account has no physical address yet; add one with POST /v3/account/summary/physical_address."
            .into(),
    )
}

/// GET /account/summary
#[utoipa::path(
    get,
    path = "/account/summary",
    operation_id = "getAccountDetails",
    tag = "Account Services",
    summary = "GET a Summary of Account Details",
    params(
        ("extra_fields" = Option<String>, Query, description = "Use the `extra_fields` query parameter to include the `physical_address` and/or `company_logo` details in the response body."),
    ),
    responses(
        (status = 200, description = "Request successful", body = SummaryResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_read"]), ("oauth2_access_code" = ["account_read"])),
)]
pub async fn summary(
    caller: Caller<AccountRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<SummaryResource>, ApiError> {
    let extra = query.all_of("extra_fields", &["physical_address", "company_logo"])?;
    let profile = profile(&state, caller.account).await?;
    let logo = profile.logo_external_url.clone();
    let mut resource = SummaryResource {
        details: AccountDetails::new(profile),
        physical_address: None,
        company_logo: None,
    };
    if extra.contains(&"physical_address") {
        resource.physical_address = state
            .store
            .physical_address(caller.account)
            .await?
            .map(Into::into);
    }
    if extra.contains(&"company_logo") {
        resource.company_logo = logo.map(|external_url| CompanyLogoResource { external_url });
    }
    Ok(Json(resource))
}

/// A property of the summary as sent: None when absent; an empty string clears it.
fn trimmed(value: Option<String>) -> Option<Option<String>> {
    value.map(|v| Some(v.trim().to_string()).filter(|v| !v.is_empty()))
}

/// Reads a PUT /account/summary body onto `profile`: only the properties sent change.
/// Returns the contact email to check against the confirmed sender addresses, if one was sent.
fn read_summary_changes(
    r: &mut ObjectReader<'_>,
    profile: &mut AccountProfile,
) -> Option<Option<EmailAddress>> {
    let plain = [
        ("first_name", MAX_NAME_LEN),
        ("last_name", MAX_NAME_LEN),
        ("organization_name", MAX_ORGANIZATION_NAME_LEN),
        ("organization_phone", MAX_PHONE_LEN),
        ("contact_phone", MAX_PHONE_LEN),
    ];
    for (name, max) in plain {
        if let Some(value) = trimmed(r.string(name, max)) {
            let slot = match name {
                "first_name" => &mut profile.first_name,
                "last_name" => &mut profile.last_name,
                "organization_name" => &mut profile.organization_name,
                "organization_phone" => &mut profile.organization_phone,
                _ => &mut profile.contact_phone,
            };
            *slot = value;
        }
    }
    let check = |r: &mut ObjectReader<'_>, result: Result<String, FieldError>| match result {
        Ok(value) => Some(value),
        Err(problem) => {
            r.push(problem);
            None
        }
    };
    if let Some(value) = trimmed(r.string("country_code", 2)) {
        profile.country_code = match value {
            None => None,
            Some(code) => check(r, country_code("country_code", &code)),
        };
    }
    let state_sent = match trimmed(r.string("state_code", 2)) {
        Some(value) => {
            profile.state_code = value.map(|s| s.to_ascii_uppercase());
            profile.state_code.is_some()
        }
        None => false,
    };
    if let Some(value) = trimmed(r.string("time_zone_id", MAX_TIME_ZONE_LEN)) {
        profile.time_zone_id = match value {
            None => None,
            Some(name) => check(r, time_zone_id(&name)),
        };
    }
    if let Some(value) = trimmed(r.string("website", MAX_WEBSITE_LEN)) {
        profile.website = match value {
            None => None,
            Some(url) => check(r, website("website", &url)),
        };
    }
    let logo = r
        .object("company_logo", |logo| {
            trimmed(logo.string("external_url", MAX_WEBSITE_LEN))
        })
        .flatten();
    if let Some(value) = logo {
        profile.logo_external_url = match value {
            None => None,
            Some(url) => check(r, website("company_logo.external_url", &url)),
        };
    }
    let contact_email = match trimmed(r.string("contact_email", EmailAddress::MAX_LEN)) {
        None => None,
        Some(None) => {
            r.error("contact_email", "must not be blank");
            None
        }
        Some(Some(text)) => match EmailAddress::parse(&text) {
            Ok(address) => Some(address),
            Err(problem) => {
                r.error("contact_email", problem.to_string());
                None
            }
        },
    };
    for problem in profile.check(state_sent) {
        r.push(problem);
    }
    Some(contact_email)
}

/// PUT /account/summary: a partial update (properties left out keep their values; an empty
/// string clears one; `encoded_account_id` is ignored).
#[utoipa::path(
    put,
    path = "/account/summary",
    operation_id = "updateAccount",
    tag = "Account Services",
    summary = "PUT (update) Account Details",
    request_body = SummaryBody,
    responses(
        (status = 200, description = "Request successful", body = AccountDetails),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn update_summary(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Json<AccountDetails>, ApiError> {
    let mut profile = profile(&state, caller.account).await?;
    let contact_email = body.read_object(|r| read_summary_changes(r, &mut profile))?;
    if let Some(address) = contact_email {
        let confirmed = state
            .store
            .account_emails(
                caller.account,
                &AccountEmailFilter::Address(address.clone()),
            )
            .await?
            .into_iter()
            .any(|e| e.status == EmailConfirmStatus::Confirmed);
        if !confirmed {
            return Err(ApiError::invalid(
                "contact_email",
                "must be one of the account's CONFIRMED email addresses (GET /v3/account/emails)",
            ));
        }
        profile.contact_email = Some(address);
    }
    if !state
        .store
        .save_account_profile(caller.account, &profile)
        .await?
    {
        return Err(ApiError::Unauthorized);
    }
    Ok(Json(AccountDetails::new(profile)))
}

/// Reads a physical address body; every property is text, checked by the domain's rules.
fn read_address(body: JsonBody) -> Result<PhysicalAddress, ApiError> {
    body.read_object(|r| {
        let mut typed = true;
        let mut text = |r: &mut ObjectReader<'_>, name: &str| {
            let value = r.string(name, usize::MAX);
            typed &= value.is_some() || !r.has(name);
            value
        };
        let draft = PhysicalAddressDraft {
            address_line1: text(r, "address_line1"),
            address_line2: text(r, "address_line2"),
            address_line3: text(r, "address_line3"),
            city: text(r, "city"),
            state_code: text(r, "state_code"),
            state_name: text(r, "state_name"),
            postal_code: text(r, "postal_code"),
            country_code: text(r, "country_code"),
        };
        // A property of the wrong type is reported as such, not also as missing.
        if !typed {
            return None;
        }
        match draft.validate("") {
            Ok(address) => Some(address),
            Err(problems) => {
                for problem in problems {
                    r.push(problem);
                }
                None
            }
        }
    })
}

/// GET /account/summary/physical_address
#[utoipa::path(
    get,
    path = "/account/summary/physical_address",
    operation_id = "getAccountPhysicalAddress",
    tag = "Account Services",
    summary = "GET the Physical Address for the Account",
    responses(
        (status = 200, description = "Request successful", body = PhysicalAddressResource),
        crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_read"]), ("oauth2_access_code" = ["account_read"])),
)]
pub async fn physical_address(
    caller: Caller<AccountRead>,
    State(state): State<AppState>,
) -> Result<Json<PhysicalAddressResource>, ApiError> {
    let address = state
        .store
        .physical_address(caller.account)
        .await?
        .ok_or_else(no_address)?;
    Ok(Json(address.into()))
}

/// POST /account/summary/physical_address: 409 when the account has an address already.
#[utoipa::path(
    post,
    path = "/account/summary/physical_address",
    operation_id = "addPhysicalAddress",
    tag = "Account Services",
    summary = "POST the Physical Address for the Account",
    request_body = PhysicalAddressResource,
    responses(
        (status = 201, description = "Request successful", body = PhysicalAddressResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn add_physical_address(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<PhysicalAddressResource>), ApiError> {
    let address = read_address(body)?;
    state
        .store
        .insert_physical_address(caller.account, &address, Timestamp::now())
        .await?;
    Ok((StatusCode::CREATED, Json(address.into())))
}

/// PUT /account/summary/physical_address: replaces the whole address (a property left out is
/// removed); 404 before one was added.
#[utoipa::path(
    put,
    path = "/account/summary/physical_address",
    operation_id = "updateAccountPhysicalAddress",
    tag = "Account Services",
    summary = "PUT (update) the Physical Address for an Account",
    request_body = PhysicalAddressResource,
    responses(
        (status = 200, description = "Request successful", body = PhysicalAddressResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn replace_physical_address(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Json<PhysicalAddressResource>, ApiError> {
    let address = read_address(body)?;
    if !state
        .store
        .replace_physical_address(caller.account, &address, Timestamp::now())
        .await?
    {
        return Err(no_address());
    }
    Ok(Json(address.into()))
}

/// The one filter of GET /account/emails.
fn email_filter(query: &QueryParams) -> Result<AccountEmailFilter, ApiError> {
    const NAMES: [&str; 3] = ["confirm_status", "role_code", "email_address"];
    let given: Vec<&str> = NAMES
        .into_iter()
        .filter(|name| query.single(name).is_some())
        .collect();
    if given.len() > 1 {
        return Err(ApiError::BadRequest(format!(
            "Use only one of the filters confirm_status, role_code and email_address per request; this one has {}.",
            given.join(" and ")
        )));
    }
    let Some(name) = given.first().copied() else {
        return Ok(AccountEmailFilter::All);
    };
    let value = query.single(name).unwrap_or_default();
    match name {
        "confirm_status" => EmailConfirmStatus::parse(value)
            .map(AccountEmailFilter::Status)
            .ok_or_else(|| ApiError::invalid(name, "must be one of: CONFIRMED, C, UNCONFIRMED, U")),
        "role_code" => EmailRole::parse(value)
            .map(AccountEmailFilter::Role)
            .ok_or_else(|| {
                ApiError::invalid(
                    name,
                    "must be one of: CONTACT, C, BILLING, B, JOURNALING, J, REPLY_TO, R, OTHER, O",
                )
            }),
        _ => EmailAddress::parse(value)
            .map(AccountEmailFilter::Address)
            .map_err(|problem| ApiError::invalid(name, problem.to_string())),
    }
}

/// GET /account/emails
#[utoipa::path(
    get,
    path = "/account/emails",
    operation_id = "getAllAccountEmailAddresses",
    tag = "Account Services",
    summary = "GET a Collection of Account Email Addresses",
    params(
        ("confirm_status" = Option<String>, Query, description = "Use the `confirm_status` query parameter to search for account emails using the email status."),
        ("role_code" = Option<String>, Query, description = "Use the `role_code` query parameter to search for account emails that have a specific role."),
        ("email_address" = Option<String>, Query, description = "Use the `email_address` query parameter to search for a specific account email address."),
    ),
    responses(
        (status = 200, description = "Request successful.", body = Vec<AccountEmailResource>),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_read"]), ("oauth2_access_code" = ["account_read"])),
)]
pub async fn emails(
    caller: Caller<AccountRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Vec<AccountEmailResource>>, ApiError> {
    let filter = email_filter(&query)?;
    let emails = state.store.account_emails(caller.account, &filter).await?;
    Ok(Json(emails.into_iter().map(Into::into).collect()))
}

/// A confirmation token: the account's id (so the lookup is scoped to the account like every
/// other) and 256 random bits; only its SHA-256 is stored.
fn new_confirmation_token(account: AccountId) -> String {
    format!("{}.{}", account.0.simple(), random_secret(32))
}

fn parse_confirmation_token(token: &str) -> Option<(AccountId, String)> {
    let (account, secret) = token.trim().split_once('.')?;
    let account = uuid::Uuid::try_parse(account).ok()?;
    (!secret.is_empty()).then(|| (AccountId(account), sha256_hex(token.trim())))
}

/// POST /account/emails: the address starts UNCONFIRMED; a confirmation link is mailed to it
/// (queued in the same transaction as the address, so one never exists without the other).
#[utoipa::path(
    post,
    path = "/account/emails",
    operation_id = "addAccountEmailAddress",
    tag = "Account Services",
    summary = "POST Add an Account Email Address",
    request_body = AccountEmailBody,
    responses(
        (status = 201, description = "Request successful.", body = AccountEmailCreated),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn add_email(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<AccountEmailCreated>), ApiError> {
    let address = body.read_object(|r| {
        let text = r.required_string("email_address", EmailAddress::MAX_LEN)?;
        match EmailAddress::parse(&text) {
            Ok(address) => Some(address),
            Err(problem) => {
                r.error("email_address", problem.to_string());
                None
            }
        }
    })?;
    let organization = state
        .store
        .account(caller.account)
        .await?
        .and_then(|a| a.organization_name)
        .unwrap_or_else(|| "A Roster account".to_string());
    let token = new_confirmation_token(caller.account);
    let now = Timestamp::now();
    let mail = SystemMail::SenderAddressConfirmation {
        account: caller.account,
        organization,
        address: address.clone(),
        confirm_url: format!(
            "{}{CONFIRM_PATH}?token={token}",
            state.config.public_url.trim_end_matches('/')
        ),
    };
    let message = state
        .mailer
        .system_message(&mail)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let added = state
        .store
        .add_account_email(
            caller.account,
            &address,
            &sha256_hex(&token),
            &OutboxEntry::queue(message, now),
            now,
        )
        .await?;
    state.mailer.notify_queued();
    tracing::info!(
        email_id = added.email_id,
        "sender address added; confirmation queued"
    );
    Ok((
        StatusCode::CREATED,
        Json(AccountEmailCreated {
            email_address: added.address.as_str().to_string(),
            email_id: added.email_id,
            confirm_status: added.status.as_str(),
        }),
    ))
}

fn unknown_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "<p class=\"error\">This confirmation link is not valid, or it was used already.</p>",
        &[],
    )
}

/// GET /account/emails/confirm?token=…: shows the address and a button. Only the button's POST
/// confirms, so link scanners that fetch every URL in a message confirm nothing.
pub async fn confirm_page(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Response, ApiError> {
    let token = query.single("token").unwrap_or_default().to_string();
    let Some((account, token_sha256)) = parse_confirmation_token(&token) else {
        return Ok(unknown_link());
    };
    let Some(email) = state
        .store
        .account_email_by_token(account, &token_sha256)
        .await?
    else {
        return Ok(unknown_link());
    };
    let body = format!(
        "<p>Confirm that <strong>{address}</strong> may be used as a sender address of this Roster account.</p>\n\
         <form method=\"post\" action=\"{CONFIRM_PATH}\">\n{hidden}\
         <button type=\"submit\">Confirm {address}</button>\n</form>",
        address = escape(email.address.as_str()),
        hidden = hidden_inputs(&[("token".into(), token)]),
    );
    Ok(page(StatusCode::OK, "Confirm sender address", &body, &[]))
}

/// POST /account/emails/confirm (form field `token`): confirms the address, once.
pub async fn confirm(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let fields = crate::oauth::signin::form_fields(&body);
    let token = fields.get("token").map(String::as_str).unwrap_or_default();
    let Some((account, token_sha256)) = parse_confirmation_token(token) else {
        return Ok(unknown_link());
    };
    let Some(email) = state
        .store
        .confirm_account_email(account, &token_sha256, Timestamp::now())
        .await?
    else {
        return Ok(unknown_link());
    };
    tracing::info!(email_id = email.email_id, "sender address confirmed");
    let body = format!(
        "<p><strong>{}</strong> is confirmed: the account may now send email from it.</p>",
        escape(email.address.as_str())
    );
    Ok(page(StatusCode::OK, "Sender address confirmed", &body, &[]))
}

// ---------------------------------------------------------------------------------------------
// Request bodies as the OpenAPI document describes them. The handlers read bodies with
// `ObjectReader`, which reports every problem at once; these types state the same properties
// for the document (docs/OPENAPI.md) and are never deserialised.

/// `company_logo` of PUT /account/summary.
#[derive(ToSchema)]
pub struct CompanyLogoBody {
    #[schema(nullable = false)]
    pub external_url: Option<String>,
}

/// PUT /account/summary: the properties it changes; the others are left as they are.
#[derive(ToSchema)]
pub struct SummaryBody {
    #[schema(nullable = false)]
    pub contact_email: Option<String>,
    #[schema(nullable = false)]
    pub contact_phone: Option<String>,
    #[schema(nullable = false)]
    pub country_code: Option<String>,
    #[schema(nullable = false)]
    pub first_name: Option<String>,
    #[schema(nullable = false)]
    pub last_name: Option<String>,
    #[schema(nullable = false)]
    pub organization_name: Option<String>,
    #[schema(nullable = false)]
    pub organization_phone: Option<String>,
    #[schema(nullable = false)]
    pub state_code: Option<String>,
    #[schema(nullable = false)]
    pub time_zone_id: Option<String>,
    #[schema(nullable = false)]
    pub website: Option<String>,
    #[schema(nullable = false)]
    pub company_logo: Option<CompanyLogoBody>,
}

/// POST /account/emails
#[derive(ToSchema)]
pub struct AccountEmailBody {
    pub email_address: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_account_and_hash_whole() {
        let account = AccountId::generate();
        let token = new_confirmation_token(account);
        let (parsed, hash) = parse_confirmation_token(&token).unwrap();
        assert_eq!(parsed, account);
        assert_eq!(hash, sha256_hex(&token));
        for bad in [
            "",
            "abc",
            "not-a-uuid.secret",
            &format!("{}.", account.0.simple()),
        ] {
            assert!(parse_confirmation_token(bad).is_none(), "{bad}");
        }
    }
}
