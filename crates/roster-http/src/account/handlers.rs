//! The Account Services handlers (the caller's privileges are in `user_privileges.rs`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::account_services::{
    AccountEmailFilter, AccountProfile, EmailConfirmStatus, EmailRole, PhysicalAddress,
};
use roster_domain::outbox::OutboxEntry;
use roster_domain::{AccountId, EmailAddress, Timestamp};
use roster_mailer::SystemMail;

use super::bodies::{AccountEmailBody, PhysicalAddressBody, SummaryBody};
use super::confirm::{new_confirmation_token, CONFIRM_PATH};
use super::query::{AccountEmailsQuery, SummaryQuery};
use super::resources::{
    AccountDetails, AccountEmailCreated, AccountEmailResource, CompanyLogoResource,
    PhysicalAddressResource, SummaryResource,
};
use crate::auth::{AccountRead, AccountUpdate, Caller};
use crate::error::ApiError;
use crate::oauth::sha256_hex;
use crate::wire::responses::{Answers, BodyRejected, Invalid, Scoped};
use crate::wire::{Body, Param, Query};
use crate::AppState;

async fn profile(state: &AppState, account: AccountId) -> Result<AccountProfile, ApiError> {
    state
        .store
        .account_profile(account)
        .await?
        .ok_or_else(|| ApiError::Unauthorized)
}

fn no_address() -> ApiError {
    ApiError::NotFound(
        "The account has no physical address yet; add one with POST \
         /v3/account/summary/physical_address."
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
    params(SummaryQuery),
    responses(
        (status = 200, description = "Request successful", body = SummaryResource),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["account_read"]), ("oauth2_access_code" = ["account_read"])),
)]
pub async fn summary(
    caller: Caller<AccountRead>,
    State(state): State<AppState>,
    Query(params, _): Query<SummaryQuery>,
) -> Result<Json<SummaryResource>, ApiError> {
    let extra = params
        .extra_fields
        .all_of("extra_fields", &["physical_address", "company_logo"])?;
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
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn update_summary(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    Body(body): Body<SummaryBody>,
) -> Result<Json<AccountDetails>, ApiError> {
    let mut profile = profile(&state, caller.account).await?;
    let contact_email = body.apply(&mut profile)?;
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

/// GET /account/summary/physical_address
#[utoipa::path(
    get,
    path = "/account/summary/physical_address",
    operation_id = "getAccountPhysicalAddress",
    tag = "Account Services",
    summary = "GET the Physical Address for the Account",
    responses(
        (status = 200, description = "Request successful", body = PhysicalAddressResource),
        Scoped, Answers,
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
    request_body = PhysicalAddressBody,
    responses(
        (status = 201, description = "Request successful", body = PhysicalAddressResource),
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn add_physical_address(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    Body(body): Body<PhysicalAddressBody>,
) -> Result<(StatusCode, Json<PhysicalAddressResource>), ApiError> {
    let address = PhysicalAddress::try_from(body)?;
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
    request_body = PhysicalAddressBody,
    responses(
        (status = 200, description = "Request successful", body = PhysicalAddressResource),
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn replace_physical_address(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    Body(body): Body<PhysicalAddressBody>,
) -> Result<Json<PhysicalAddressResource>, ApiError> {
    let address = PhysicalAddress::try_from(body)?;
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
fn email_filter(params: &AccountEmailsQuery) -> Result<AccountEmailFilter, ApiError> {
    let filters: [(&str, &Param); 3] = [
        ("confirm_status", &params.confirm_status),
        ("role_code", &params.role_code),
        ("email_address", &params.email_address),
    ];
    let given: Vec<(&str, &str)> = filters
        .into_iter()
        .filter_map(|(name, param)| Some((name, param.single()?)))
        .collect();
    if given.len() > 1 {
        let names: Vec<&str> = given.iter().map(|(name, _)| *name).collect();
        return Err(ApiError::BadRequest(format!(
            "Use only one of the filters confirm_status, role_code and email_address per request; \
             this one has {}.",
            names.join(" and ")
        )));
    }
    let Some((name, value)) = given.first().copied() else {
        return Ok(AccountEmailFilter::All);
    };
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
    params(AccountEmailsQuery),
    responses(
        (status = 200, description = "Request successful.", body = Vec<AccountEmailResource>),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["account_read"]), ("oauth2_access_code" = ["account_read"])),
)]
pub async fn emails(
    caller: Caller<AccountRead>,
    State(state): State<AppState>,
    Query(params, _): Query<AccountEmailsQuery>,
) -> Result<Json<Vec<AccountEmailResource>>, ApiError> {
    let filter = email_filter(&params)?;
    let emails = state.store.account_emails(caller.account, &filter).await?;
    Ok(Json(emails.into_iter().map(Into::into).collect()))
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
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["account_update"]), ("oauth2_access_code" = ["account_update"])),
)]
pub async fn add_email(
    caller: Caller<AccountUpdate>,
    State(state): State<AppState>,
    Body(body): Body<AccountEmailBody>,
) -> Result<(StatusCode, Json<AccountEmailCreated>), ApiError> {
    let address = EmailAddress::try_from(body)?;
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
