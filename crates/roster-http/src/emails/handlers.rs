//! The Email Campaigns handlers (docs/CAMPAIGNS.md).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::account_services::{
    AccountEmailFilter, AccountProfile, EmailConfirmStatus, PhysicalAddress,
};
use roster_domain::campaign::{
    create_campaign, ActivityContent, ActivityRole, ActivityUpdate, CampaignActivity,
    CampaignInput, CampaignStatus, MAX_LIVE_CAMPAIGNS_PER_ACCOUNT,
};
use roster_domain::store::CampaignRemoval;
use roster_domain::{AccountId, CampaignActivityId, CampaignId, FieldError, PageRequest};
use roster_domain::{SegmentId, Timestamp};

use super::bodies::{ActivityUpdateBody, CampaignCreateBody, CampaignNameBody, CampaignRename};
use super::content::check_content;
use super::query::{ActivityQuery, CampaignXrefsQuery, CampaignsQuery};
use roster_render::{AccountDetails, FooterAddress, Message, MessageLinks, Recipient};

use super::resources::{
    ActivityIncludes, ActivityPreview, ActivityResource, CampaignCollection, CampaignResource,
    CampaignSummary,
};
use crate::auth::{Caller, CampaignDelete, CampaignRead, CampaignWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::xrefs::{check_v2_ids, Xrefs};
use crate::wire::{Body, IdPath, Param, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;

fn campaign_not_found(id: CampaignId) -> ApiError {
    ApiError::NotFound(format!("The email campaign {id} was not found."))
}

fn activity_not_found(id: CampaignActivityId) -> ApiError {
    ApiError::NotFound(format!("The email campaign activity {id} was not found."))
}

/// The account's CONFIRMED sender addresses must hold `from_email` and `reply_to_email`
/// (GET /account/emails); `prefix` places the problems in the body.
async fn check_senders(
    state: &AppState,
    account: AccountId,
    content: &ActivityContent,
    prefix: &str,
    problems: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    let confirmed = state
        .store
        .account_emails(
            account,
            &AccountEmailFilter::Status(EmailConfirmStatus::Confirmed),
        )
        .await?;
    let is_confirmed = |address: &str| {
        confirmed
            .iter()
            .any(|email| email.address.as_str().eq_ignore_ascii_case(address))
    };
    for (name, address) in [
        ("from_email", &content.from_email),
        ("reply_to_email", &content.reply_to_email),
    ] {
        if !is_confirmed(address) {
            problems.push(FieldError::new(
                format!("{prefix}{name}"),
                "must be a confirmed email address of the account (GET /account/emails)",
            ));
        }
    }
    Ok(())
}

/// GET /emails
#[utoipa::path(
    get,
    path = "/emails",
    operation_id = "getAllEmailCampaigns",
    tag = "Email Campaigns",
    summary = "GET a Collection of Email Campaigns",
    params(CampaignsQuery),
    responses(
        (status = 200, description = "Request successful", body = CampaignCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn list(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    Query(params, query): Query<CampaignsQuery>,
) -> Result<Json<CampaignCollection>, ApiError> {
    let PageRequest { limit, after } = state.cursors.page_request::<CampaignId>(
        &params.limit,
        &params.cursor,
        PAGE_DEFAULT,
        PAGE_MAX,
    )?;
    let before = params.before_date.timestamp("before_date")?;
    let after_date = params.after_date.timestamp("after_date")?;
    let page = state
        .store
        .campaigns(
            caller.account,
            after_date,
            before,
            PageRequest { limit, after },
        )
        .await?;
    let links = state.cursors.links(
        "/v3/emails",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(CampaignCollection {
        campaigns: page.items.iter().map(CampaignSummary::new).collect(),
        _links: links,
    }))
}

/// POST /emails: answers 200, as the document declares (no 201).
#[utoipa::path(
    post,
    path = "/emails",
    operation_id = "createEmailCampaign",
    tag = "Email Campaigns",
    summary = "POST (Create) a New Email Campaign",
    request_body = CampaignCreateBody,
    responses(
        (status = 200, description = "Request successful", body = CampaignResource),
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn create(
    caller: Caller<CampaignWrite>,
    State(state): State<AppState>,
    Body(body): Body<CampaignCreateBody>,
) -> Result<Json<CampaignResource>, ApiError> {
    let input = CampaignInput::try_from(body)?;
    let prefix = "email_campaign_activities[0].";
    let mut problems = check_content(&state, caller.account, &input.content, prefix)
        .await?
        .err()
        .unwrap_or_default();
    check_senders(
        &state,
        caller.account,
        &input.content,
        prefix,
        &mut problems,
    )
    .await?;
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let (campaign, activities) = create_campaign(input, Timestamp::now());
    state
        .store
        .create_campaign(
            caller.account,
            &campaign,
            &activities,
            MAX_LIVE_CAMPAIGNS_PER_ACCOUNT,
        )
        .await?;
    Ok(Json(CampaignResource::new(&campaign)))
}

/// GET /emails/{campaign_id}: a Removed campaign too (`current_status` `Removed`).
#[utoipa::path(
    get,
    path = "/emails/{campaign_id}",
    operation_id = "getEmailCampaignById",
    tag = "Email Campaigns",
    summary = "GET Details About a Single Email Campaign",
    params(
        ("campaign_id" = String, Path,
            description = "The ID (UUID format) that uniquely identifies this email campaign."),
    ),
    responses(
        (status = 200, description = "Request successful", body = CampaignResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn get(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignId>,
) -> Result<Json<CampaignResource>, ApiError> {
    let campaign = state
        .store
        .campaign(caller.account, id)
        .await?
        .ok_or_else(|| campaign_not_found(id))?;
    Ok(Json(CampaignResource::new(&campaign)))
}

/// PATCH /emails/{campaign_id}: renames; a Removed campaign answers 409.
#[utoipa::path(
    patch,
    path = "/emails/{campaign_id}",
    operation_id = "patchEmailCampaignName",
    tag = "Email Campaigns",
    summary = "PATCH (Update) an Email Campaign Name",
    params(
        ("campaign_id" = String, Path,
            description = "The unique identifier for an email campaign."),
    ),
    request_body = CampaignNameBody,
    responses(
        (status = 200, description = "Request successful", body = CampaignResource),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn rename(
    caller: Caller<CampaignWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignId>,
    Body(body): Body<CampaignNameBody>,
) -> Result<Json<CampaignResource>, ApiError> {
    let CampaignRename { name } = CampaignRename::try_from(body)?;
    let campaign = state
        .store
        .campaign(caller.account, id)
        .await?
        .ok_or_else(|| campaign_not_found(id))?;
    let removed = || ApiError::Conflict(format!("The email campaign {id} is removed."));
    if campaign.status == CampaignStatus::Removed {
        return Err(removed());
    }
    let now = Timestamp::now();
    if !state
        .store
        .rename_campaign(caller.account, id, &name, now)
        .await?
    {
        return Err(removed());
    }
    let renamed = state
        .store
        .campaign(caller.account, id)
        .await?
        .ok_or_else(|| campaign_not_found(id))?;
    Ok(Json(CampaignResource::new(&renamed)))
}

/// DELETE /emails/{campaign_id}: the campaign becomes Removed (still listed). Scheduled or
/// Executing answers 400, as the operation declares no 409.
#[utoipa::path(
    delete,
    path = "/emails/{campaign_id}",
    operation_id = "deleteEmailCampaign",
    tag = "Email Campaigns",
    summary = "DELETE an Email Campaign",
    params(
        ("campaign_id" = String, Path,
            description = "The unique ID for the email campaign you are deleting."),
    ),
    responses(
        (status = 204, description = "Request successful, no content"),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn delete(
    caller: Caller<CampaignDelete>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignId>,
) -> Result<StatusCode, ApiError> {
    match state
        .store
        .remove_campaign(caller.account, id, Timestamp::now())
        .await?
    {
        CampaignRemoval::Removed => Ok(StatusCode::NO_CONTENT),
        CampaignRemoval::NotFound => Err(campaign_not_found(id)),
        CampaignRemoval::Refused(status) => Err(ApiError::BadRequest(format!(
            "The email campaign {id} is {} and cannot be deleted; unschedule it first.",
            status.campaign_name()
        ))),
    }
}

/// GET /emails/campaign_id_xrefs: Roster never had V2 ids, so none maps to a campaign.
#[utoipa::path(
    get,
    path = "/emails/campaign_id_xrefs",
    operation_id = "getEmailCampaignXrefs",
    tag = "Email Campaigns",
    summary = "GET a Collection of V2 and V3 API Email Campaign Identifiers",
    params(CampaignXrefsQuery),
    responses(
        (status = 200, description = "Request successful", body = Xrefs),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn xrefs(
    _caller: Caller<CampaignRead>,
    Query(params, _): Query<CampaignXrefsQuery>,
) -> Result<Json<Xrefs>, ApiError> {
    check_v2_ids(
        "v2_email_campaign_ids",
        &params.v2_email_campaign_ids,
        50,
        "V2 email campaign id",
    )?;
    Ok(Json(Xrefs { xrefs: Vec::new() }))
}

/// The activity, unless it is missing, another account's or Removed (all 404).
pub(super) async fn live_activity(
    state: &AppState,
    account: AccountId,
    id: CampaignActivityId,
) -> Result<CampaignActivity, ApiError> {
    state
        .store
        .campaign_activity(account, id)
        .await?
        .filter(|activity| activity.status != CampaignStatus::Removed)
        .ok_or_else(|| activity_not_found(id))
}

fn activity_includes(include: &Param) -> Result<ActivityIncludes, ApiError> {
    let mut includes = ActivityIncludes::default();
    for name in include.all_of("include", &ActivityIncludes::NAMES)? {
        includes.set(name);
    }
    Ok(includes)
}

/// GET /emails/activities/{campaign_activity_id}
#[utoipa::path(
    get,
    path = "/emails/activities/{campaign_activity_id}",
    operation_id = "getEmailCampaignActivity",
    tag = "Email Campaigns",
    summary = "GET a Single Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for an email campaign activity."),
        ActivityQuery,
    ),
    responses(
        (status = 200, description = "Request successful", body = ActivityResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn get_activity(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Query(params, _): Query<ActivityQuery>,
) -> Result<Json<ActivityResource>, ApiError> {
    let includes = activity_includes(&params.include)?;
    let mut activity = live_activity(&state, caller.account, id).await?;
    if includes.permalink_url {
        activity.permalink_url =
            super::permalink::published_url(&state, caller.account, &activity).await?;
    }
    Ok(Json(ActivityResource::new(&activity, includes)))
}

/// Unknown or other-account lists and segments named as recipients.
async fn check_recipients_exist(
    state: &AppState,
    account: AccountId,
    update: &ActivityUpdate,
    problems: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    let lists = &update.recipients.contact_list_ids;
    if !lists.is_empty() {
        let known = state.store.existing_lists(account, lists).await?;
        for (index, list) in lists.iter().enumerate() {
            if !known.contains(list) {
                problems.push(FieldError::new(
                    format!("contact_list_ids[{index}]"),
                    format!("names no contact list of the account: {list}"),
                ));
            }
        }
    }
    for (index, segment) in update.recipients.segment_ids.iter().enumerate() {
        let SegmentId(number) = *segment;
        if state.store.segment(account, *segment).await?.is_none() {
            problems.push(FieldError::new(
                format!("segment_ids[{index}]"),
                format!("names no segment of the account: {number}"),
            ));
        }
    }
    Ok(())
}

/// PUT /emails/activities/{campaign_activity_id}: only a `primary_email` activity in DRAFT or
/// DONE. Omitted top-level properties are overwritten, omitted sub-resources kept, read-only
/// properties ignored.
#[utoipa::path(
    put,
    path = "/emails/activities/{campaign_activity_id}",
    operation_id = "updateEmailCampaignActivity",
    tag = "Email Campaigns",
    summary = "PUT (Update) An Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the email campaign activity you are updating."),
    ),
    request_body = ActivityUpdateBody,
    responses(
        (status = 200, description = "Request successful", body = ActivityResource),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn update_activity(
    caller: Caller<CampaignWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Body(body): Body<ActivityUpdateBody>,
) -> Result<Json<ActivityResource>, ApiError> {
    let update = ActivityUpdate::try_from(body)?;
    let existing = live_activity(&state, caller.account, id).await?;
    if existing.role != ActivityRole::PrimaryEmail {
        return Err(ApiError::BadRequest(format!(
            "Only a primary_email activity can be updated; {id} is a {} activity.",
            existing.role.as_str()
        )));
    }
    if !existing.status.editable() {
        return Err(ApiError::BadRequest(format!(
            "The activity {id} is {} and can be updated only in DRAFT or DONE.",
            existing.status.activity_name()
        )));
    }
    let updated = existing.updated(update.clone(), Timestamp::now());
    let mut problems = check_content(&state, caller.account, &updated.content, "")
        .await?
        .err()
        .unwrap_or_default();
    check_senders(&state, caller.account, &updated.content, "", &mut problems).await?;
    check_recipients_exist(&state, caller.account, &update, &mut problems).await?;
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    if !state
        .store
        .update_campaign_activity(caller.account, &updated, existing.status)
        .await?
    {
        return Err(ApiError::BadRequest(format!(
            "The activity {id} changed state meanwhile and can no longer be updated."
        )));
    }
    let mut updated = updated;
    updated.permalink_url =
        super::permalink::published_url(&state, caller.account, &updated).await?;
    Ok(Json(ActivityResource::new(&updated, ActivityIncludes::ALL)))
}

/// The footer a message of `activity` carries: its own `physical_address_in_footer`, else the
/// account's name and address.
pub(super) fn footer_of(
    activity: &CampaignActivity,
    profile: &AccountProfile,
    address: Option<&PhysicalAddress>,
) -> FooterAddress {
    FooterAddress::of_message(activity, profile.organization_name.as_deref(), address)
}

/// GET /emails/activities/{campaign_activity_id}/previews: the message rendered for the account
/// owner (the spec: a format-5 preview shows the owner's details), without the tracking image.
#[utoipa::path(
    get,
    path = "/emails/activities/{campaign_activity_id}/previews",
    operation_id = "getEmailCampaignActivityPreview",
    tag = "Email Scheduling",
    summary = "GET the HTML Preview of an Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for an email campaign activity."),
    ),
    responses(
        (status = 200, description = "Request successful", body = ActivityPreview),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn preview(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<Json<ActivityPreview>, ApiError> {
    let activity = live_activity(&state, caller.account, id).await?;
    let profile = state
        .store
        .account_profile(caller.account)
        .await?
        .ok_or_else(|| ApiError::NotFound("The account was not found.".into()))?;
    let address = state.store.physical_address(caller.account).await?;
    let details = AccountDetails {
        profile: &profile,
        address: address.as_ref(),
    };
    // The stored content passed these checks when it was saved; a rule added since is reported
    // as the 400 a save would get.
    let content = check_content(&state, caller.account, &activity.content, "")
        .await?
        .map_err(ApiError::Validation)?;
    let footer = footer_of(&activity, &profile, address.as_ref());
    let message = Message::render(
        &content,
        &Recipient::account_owner(details),
        &footer,
        MessageLinks::PREVIEW,
    )
    .map_err(|error| ApiError::invalid("html_content", error.to_string()))?;
    let headers = &activity.content;
    Ok(Json(ActivityPreview {
        campaign_activity_id: activity.id.to_string(),
        from_email: headers.from_email.clone(),
        from_name: headers.from_name.clone(),
        reply_to_email: headers.reply_to_email.clone(),
        subject: message.subject,
        // The preheader rendered for the owner, as the subject is; absent when there is none.
        preheader: Some(message.preheader).filter(|p| !p.is_empty()),
        preview_html_content: message.html,
        preview_text_content: message.text,
    }))
}
