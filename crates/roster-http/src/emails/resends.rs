//! Resend to non-openers: GET and POST /emails/activities/{campaign_activity_id}/non_opener_resends
//! and DELETE …/non_opener_resends/{resend_request_id} (docs/CAMPAIGNS.md, "Resend to
//! non-openers"). The resend is an activity of its own; the mailer's scheduler starts it when
//! its delay after the primary's send has passed, and mails the primary's non-openers.

use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use axum::Json;
use roster_domain::campaign::CUSTOM_CODE_FORMAT;
use roster_domain::campaign::{ActivityRole, CampaignActivity, CampaignStatus};
use roster_domain::resend::{
    NewResend, ResendCreation, ResendDelay, ResendRemoval, ResendRequest, MAX_DELAY_DAYS,
    MAX_DELAY_MINUTES, MIN_DELAY_DAYS, MIN_DELAY_MINUTES,
};
use roster_domain::{CampaignActivityId, StoreError, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::content::check_subject;
use super::handlers::live_activity;
use crate::auth::{Caller, CampaignRead, CampaignSend};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::{Body, Field, IdPath, Problems};
use crate::AppState;

/// A resend's subject is one header line, kept to the size the primary's subject may have.
const MAX_RESEND_SUBJECT_LEN: usize = 1_000;

/// POST …/non_opener_resends (`ResendToNonOpenersInput`). One of the delays is required; when
/// both are given the minutes are ignored.
#[derive(Deserialize, ToSchema)]
pub struct ResendBody {
    /// The subject line of the resend.
    #[schema(value_type = String)]
    resend_subject: Field<String>,
    /// Days to wait after the primary's send, 1 to 10.
    #[schema(value_type = i32, required = false, minimum = 1, maximum = 10)]
    delay_days: Field<i64>,
    /// Minutes to wait after the primary's send, 720 to 14,400.
    #[schema(value_type = i32, required = false, minimum = 720, maximum = 14400)]
    delay_minutes: Field<i64>,
}

impl TryFrom<ResendBody> for NewResend {
    type Error = ApiError;

    fn try_from(body: ResendBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let subject = c.required_string(
                "resend_subject",
                body.resend_subject,
                MAX_RESEND_SUBJECT_LEN,
            );
            let subject = match subject {
                Some(text) if text.trim().is_empty() => {
                    c.error("resend_subject", "must not be blank");
                    None
                }
                other => other.map(|text| text.trim().to_string()),
            };
            let days = c.integer("delay_days", body.delay_days);
            let minutes = c.integer("delay_minutes", body.delay_minutes);
            let delay = if c.has_problems() {
                None
            } else {
                ResendDelay::from_input(days, minutes)
                    .map_err(|problem| c.push(problem))
                    .ok()
            };
            Some(NewResend {
                subject: subject?,
                delay: delay?,
            })
        })
    }
}

// Written once for both ranges, so the document and the check cannot drift apart.
const _: () = assert!(MIN_DELAY_DAYS == 1 && MAX_DELAY_DAYS == 10);
const _: () = assert!(MIN_DELAY_MINUTES == 720 && MAX_DELAY_MINUTES == 14_400);

/// The resend as POST answers it (`ResendToNonOpenersObject`).
#[serde_with::skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ResendCreated {
    resend_subject: String,
    /// Given when the delay is a whole number of days.
    delay_days: Option<i64>,
    delay_minutes: i64,
    /// When the resend is due (SCHEDULED) or was sent.
    #[schema(format = DateTime)]
    resend_date: Option<String>,
    /// `DRAFT` while the primary is a draft, then the resend's numeric id.
    resend_request_id: String,
}

/// One resend as GET lists it (`ResendToNonOpeners` item).
#[serde_with::skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ResendResource {
    resend_subject: String,
    /// Given when the delay is a whole number of days.
    delay_days: Option<i64>,
    delay_minutes: i64,
    /// When the resend is due (SCHEDULED) or was sent.
    #[schema(format = DateTime)]
    resend_date: Option<String>,
    /// `DRAFT` while the primary is a draft, then the resend's numeric id.
    resend_request_id: String,
    /// The resend activity's status, once it is scheduled or sent.
    resend_status: Option<&'static str>,
}

fn resend_date(resend: &ResendRequest) -> Option<String> {
    resend
        .sent_at
        .or(resend.scheduled_at)
        .map(Timestamp::to_rfc3339)
}

impl From<&ResendRequest> for ResendCreated {
    fn from(resend: &ResendRequest) -> Self {
        Self {
            resend_subject: resend.subject.clone(),
            delay_days: resend.delay.whole_days(),
            delay_minutes: resend.delay.minutes(),
            resend_date: resend_date(resend),
            resend_request_id: resend.request_id(),
        }
    }
}

impl From<&ResendRequest> for ResendResource {
    fn from(resend: &ResendRequest) -> Self {
        Self {
            resend_subject: resend.subject.clone(),
            delay_days: resend.delay.whole_days(),
            delay_minutes: resend.delay.minutes(),
            resend_date: resend_date(resend),
            resend_request_id: resend.request_id(),
            resend_status: (resend.status != CampaignStatus::Draft)
                .then(|| resend.status.activity_name()),
        }
    }
}

fn not_primary(id: CampaignActivityId) -> ApiError {
    ApiError::NotFound(format!(
        "The email campaign activity {id} is not a primary_email activity."
    ))
}

fn refused(activity: &CampaignActivity) -> ApiError {
    ApiError::Conflict(format!(
        "A resend to non-openers needs a format 5 primary_email activity in DRAFT, SCHEDULED \
         or DONE; this one is a {} activity of format {} in {}.",
        activity.role.as_str(),
        activity.format_type,
        activity.status.activity_name()
    ))
}

fn exists() -> ApiError {
    ApiError::Conflict("The email campaign already has a resend to non-openers.".into())
}

/// GET /emails/activities/{campaign_activity_id}/non_opener_resends: `[]` or the one resend.
#[utoipa::path(
    get,
    path = "/emails/activities/{campaign_activity_id}/non_opener_resends",
    operation_id = "getResendEmailCampaign",
    tag = "Email Campaigns",
    summary = "GET Details for a Resend to Non-openers Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
    ),
    responses(
        (status = 200, description = "Request successful.", body = Vec<ResendResource>),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn get_resends(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<Json<Vec<ResendResource>>, ApiError> {
    let activity = live_activity(&state, caller.account, id).await?;
    if activity.role != ActivityRole::PrimaryEmail {
        return Err(not_primary(id));
    }
    let resends = state.store.resends(caller.account, id).await?;
    Ok(Json(resends.iter().map(ResendResource::from).collect()))
}

/// POST /emails/activities/{campaign_activity_id}/non_opener_resends: 201 with the resend; 409
/// for a second one, or for an activity of another role, format or status.
#[utoipa::path(
    post,
    path = "/emails/activities/{campaign_activity_id}/non_opener_resends",
    operation_id = "createResendEmailCampaign",
    tag = "Email Campaigns",
    summary = "POST a Resend to Non-openers Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
    ),
    request_body = ResendBody,
    responses(
        (status = 201, description = "Request successful.", body = ResendCreated),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn create_resend(
    caller: Caller<CampaignSend>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Body(body): Body<ResendBody>,
) -> Result<(StatusCode, Json<ResendCreated>), ApiError> {
    let resend = NewResend::try_from(body)?;
    let activity = live_activity(&state, caller.account, id).await?;
    let allowed = matches!(
        activity.status,
        CampaignStatus::Draft | CampaignStatus::Scheduled | CampaignStatus::Done
    );
    if activity.role != ActivityRole::PrimaryEmail
        || activity.format_type != CUSTOM_CODE_FORMAT
        || !allowed
    {
        return Err(refused(&activity));
    }
    check_subject(
        &state,
        caller.account,
        &activity,
        &resend.subject,
        "resend_subject",
    )
    .await?;
    let created = state
        .store
        .create_resend(caller.account, id, &resend, Timestamp::now())
        .await
        .map_err(|error| match error {
            StoreError::Conflict(_) => exists(),
            other => other.into(),
        })?;
    match created {
        ResendCreation::Created(resend) => {
            // A resend of a DONE primary may be due at once.
            state.mailer.notify_scheduled();
            Ok((StatusCode::CREATED, Json(ResendCreated::from(&resend))))
        }
        ResendCreation::NotFound => Err(ApiError::NotFound(format!(
            "The email campaign activity {id} was not found."
        ))),
        ResendCreation::Refused(status) => Err(refused(&CampaignActivity { status, ..activity })),
        ResendCreation::Exists => Err(exists()),
    }
}

/// DELETE …/non_opener_resends/{resend_request_id}: 204; 404 for an id the campaign's resend
/// does not have; 409 once the resend's send started.
#[utoipa::path(
    delete,
    path = "/emails/activities/{campaign_activity_id}/non_opener_resends/{resend_request_id}",
    operation_id = "deleteResendEmailCampaign",
    tag = "Email Campaigns",
    summary = "DELETE a Resend to Non Openers Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
        ("resend_request_id" = String, Path,
            description = "The resend's `resend_request_id` (`DRAFT` while the primary is a \
                           draft)."),
    ),
    responses(
        (status = 204, description = "The resend to non-openers was deleted."),
        Invalid, Scoped, Missing, Conflicting, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn delete_resend(
    caller: Caller<CampaignSend>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    params: RawPathParams,
) -> Result<StatusCode, ApiError> {
    let request_id = params
        .iter()
        .find(|(name, _)| *name == "resend_request_id")
        .map(|(_, value)| value.to_string())
        .unwrap_or_default();
    let activity = live_activity(&state, caller.account, id).await?;
    if activity.role != ActivityRole::PrimaryEmail {
        return Err(not_primary(id));
    }
    let unknown = || {
        ApiError::NotFound(format!(
            "The email campaign activity {id} has no resend to non-openers {}.",
            request_id
        ))
    };
    let resends = state.store.resends(caller.account, id).await?;
    let Some(resend) = resends.iter().find(|r| r.is_named(&request_id)) else {
        return Err(unknown());
    };
    let sent = || ApiError::Conflict("The resend to non-openers was sent already.".into());
    if !resend.deletable() {
        return Err(sent());
    }
    match state
        .store
        .delete_resend(caller.account, id, resend.number, Timestamp::now())
        .await?
    {
        ResendRemoval::Removed => Ok(StatusCode::NO_CONTENT),
        ResendRemoval::NotFound => Err(unknown()),
        ResendRemoval::Sent => Err(sent()),
    }
}
