//! Scheduling an email campaign activity and its send history: GET, POST and DELETE
//! /emails/activities/{campaign_activity_id}/schedules and GET …/send_history (tag "Email
//! Scheduling"; docs/CAMPAIGNS.md, "Sending"). The send itself is the mailer's: its scheduler
//! starts the activity when the schedule falls due, and its workers deliver.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::campaign::{ActivityRole, CampaignActivity, CampaignStatus};
use roster_domain::send::{EmailSend, ScheduledDate, SendState};
use roster_domain::store::ScheduleChange;
use roster_domain::{AccountId, CampaignActivityId, FieldError, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::handlers::live_activity;
use crate::auth::{Caller, CampaignRead, CampaignSend};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Invalid, Missing, Scoped};
use crate::wire::{Body, Field, IdPath, Problems};
use crate::AppState;

/// POST …/schedules (`EmailScheduleInput`).
#[derive(Deserialize, ToSchema)]
pub struct ScheduleBody {
    /// A date (`2022-05-17`, 00:00 UTC), a date-time in any offset (UTC without one), or
    /// `"0"` to send now; an instant not in the future also means now.
    #[schema(value_type = String, format = DateTime)]
    scheduled_date: Field<String>,
}

/// The longest `scheduled_date` read: an ISO-8601 date-time with fractions and an offset.
const MAX_SCHEDULED_DATE_LEN: usize = 40;

impl ScheduleBody {
    fn scheduled_date(self, now: Timestamp) -> Result<ScheduledDate, ApiError> {
        let text = Problems::run(|c| {
            c.required_string(
                "scheduled_date",
                self.scheduled_date,
                MAX_SCHEDULED_DATE_LEN,
            )
        })?;
        ScheduledDate::parse(&text, now).ok_or_else(|| {
            ApiError::invalid(
                "scheduled_date",
                "must be \"0\" (now), a date such as 2022-05-17, or an ISO-8601 date-time",
            )
        })
    }
}

/// One item of the schedule array (`EmailScheduleResponse`).
#[derive(Serialize, ToSchema)]
pub struct ScheduleResource {
    #[schema(format = DateTime)]
    scheduled_date: String,
}

/// The schedule as the spec's array: one item while SCHEDULED, none otherwise.
fn schedule_array(due_at: Option<Timestamp>) -> Vec<ScheduleResource> {
    due_at
        .map(|at| ScheduleResource {
            scheduled_date: at.to_rfc3339(),
        })
        .into_iter()
        .collect()
}

/// One send of the activity (`EmailSendHistory` item). `send_status` and `reason_code` are
/// left out while the send is still executing: the document's two statuses are outcomes.
#[serde_with::skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct SendHistoryResource {
    send_id: u32,
    contact_list_ids: Vec<String>,
    segment_ids: Vec<i64>,
    /// Contacts mailed so far.
    count: u64,
    #[schema(format = DateTime)]
    run_date: String,
    /// `COMPLETED` or `ERRORED`.
    send_status: Option<&'static str>,
    reason_code: Option<i64>,
}

impl From<&EmailSend> for SendHistoryResource {
    fn from(send: &EmailSend) -> Self {
        let status = match send.state {
            SendState::Executing => None,
            SendState::Completed => Some("COMPLETED"),
            SendState::Errored => Some("ERRORED"),
        };
        Self {
            send_id: send.number,
            contact_list_ids: send
                .recipients
                .contact_list_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            segment_ids: send.recipients.segment_ids.iter().map(|s| s.0).collect(),
            count: send.sent,
            run_date: send.started_at.to_rfc3339(),
            send_status: status,
            reason_code: status.map(|_| send.reason_code),
        }
    }
}

fn not_primary(id: CampaignActivityId) -> ApiError {
    ApiError::NotFound(format!(
        "The email campaign activity {id} is not a primary_email activity."
    ))
}

/// The primary_email activity `id` of the account (404 for another role, as the spec's path
/// parameter names primary_email activities).
async fn primary_activity(
    state: &AppState,
    account: AccountId,
    id: CampaignActivityId,
) -> Result<CampaignActivity, ApiError> {
    let activity = live_activity(state, account, id).await?;
    if activity.role != ActivityRole::PrimaryEmail {
        return Err(not_primary(id));
    }
    Ok(activity)
}

/// What scheduling needs besides the status: recipients, an address for the footer, and no
/// link longer than 1,005 characters.
async fn check_sendable(
    state: &AppState,
    account: AccountId,
    activity: &CampaignActivity,
) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    let recipients = &activity.recipients;
    if recipients.contact_list_ids.is_empty() && recipients.segment_ids.is_empty() {
        problems.push(FieldError::new(
            "contact_list_ids",
            "the activity has no recipients: set contact_list_ids or segment_ids \
             (PUT /emails/activities/{campaign_activity_id}) before scheduling it",
        ));
    }
    if activity.content.physical_address_in_footer.is_none()
        && state.store.physical_address(account).await?.is_none()
    {
        problems.push(FieldError::new(
            "physical_address_in_footer",
            "the activity has no physical_address_in_footer and the account has no physical \
             address (PUT /account/summary/physical_address): every message must carry one",
        ));
    }
    // Constant Contact fails such a send with reason code 8; Roster refuses to schedule it, so
    // that code never occurs.
    problems.extend(roster_render::check_link_lengths(
        "html_content",
        &activity.content.html_content,
    ));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(problems))
    }
}

/// Scheduling a campaign whose From domain the server does not sign for succeeds (the relay may
/// sign it), with a warning; `roster campaigns show` says the same (docs/MAIL.md, "DKIM").
fn warn_unless_aligned(state: &AppState, activity: &CampaignActivity) {
    let Some(dkim) = &state.mailer.config().dkim else {
        return;
    };
    let from = &activity.content.from_email;
    let domain = from.rsplit('@').next().unwrap_or_default();
    if !dkim.aligned(domain) {
        tracing::warn!(
            activity = %activity.id,
            from,
            dkim_domain = dkim.domain(),
            "{}",
            roster_mailer::dkim::NOT_ALIGNED
        );
    }
}

fn refused(status: CampaignStatus, what: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "An email campaign activity in {} cannot be {what}.",
        status.activity_name()
    ))
}

/// GET /emails/activities/{campaign_activity_id}/schedules
#[utoipa::path(
    get,
    path = "/emails/activities/{campaign_activity_id}/schedules",
    operation_id = "getEmailCampaignActivitySchedule",
    tag = "Email Scheduling",
    summary = "GET an Email Campaign Activity Schedule",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for an email campaign activity."),
    ),
    responses(
        (status = 200, description = "Request successful.", body = Vec<ScheduleResource>),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn get_schedule(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<Json<Vec<ScheduleResource>>, ApiError> {
    live_activity(&state, caller.account, id).await?;
    let due_at = state.store.activity_schedule(caller.account, id).await?;
    Ok(Json(schedule_array(due_at)))
}

/// POST /emails/activities/{campaign_activity_id}/schedules: 201 with `[]` when sent now, or
/// the schedule.
#[utoipa::path(
    post,
    path = "/emails/activities/{campaign_activity_id}/schedules",
    operation_id = "scheduleEmailCampaignActivity",
    tag = "Email Scheduling",
    summary = "POST (Create) an Email Campaign Activity Schedule",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
    ),
    request_body = ScheduleBody,
    responses(
        (status = 201, description = "Request successful.", body = Vec<ScheduleResource>),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn schedule(
    caller: Caller<CampaignSend>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Body(body): Body<ScheduleBody>,
) -> Result<(StatusCode, Json<Vec<ScheduleResource>>), ApiError> {
    let now = Timestamp::now();
    let when = body.scheduled_date(now)?;
    let activity = primary_activity(&state, caller.account, id).await?;
    if !matches!(
        activity.status,
        CampaignStatus::Draft | CampaignStatus::Done | CampaignStatus::Error
    ) {
        return Err(refused(activity.status, "scheduled"));
    }
    check_sendable(&state, caller.account, &activity).await?;
    let due_at = when.due_at(now);
    match state
        .store
        .schedule_activity(caller.account, id, due_at, now)
        .await?
    {
        ScheduleChange::Done => {}
        ScheduleChange::NotFound => return Err(not_primary(id)),
        ScheduleChange::Refused(status) => return Err(refused(status, "scheduled")),
    }
    warn_unless_aligned(&state, &activity);
    if due_at <= now {
        // Started by this node's scheduler at once rather than at its next poll.
        state.mailer.notify_scheduled();
    }
    let answer = match when {
        ScheduledDate::Now => Vec::new(),
        ScheduledDate::At(at) => schedule_array(Some(at)),
    };
    Ok((StatusCode::CREATED, Json(answer)))
}

/// DELETE /emails/activities/{campaign_activity_id}/schedules: back to the status held before
/// (DRAFT, DONE or ERROR); only a SCHEDULED activity (400 otherwise, as no 409 is declared).
#[utoipa::path(
    delete,
    path = "/emails/activities/{campaign_activity_id}/schedules",
    operation_id = "unscheduleEmailCampaignActivity",
    tag = "Email Scheduling",
    summary = "DELETE an Email Campaign Activity Schedule",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for an email campaign activity."),
    ),
    responses(
        (status = 204, description = "Email campaign activity schedule successfully deleted."),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn unschedule(
    caller: Caller<CampaignSend>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<StatusCode, ApiError> {
    live_activity(&state, caller.account, id).await?;
    match state
        .store
        .unschedule_activity(caller.account, id, Timestamp::now())
        .await?
    {
        ScheduleChange::Done => Ok(StatusCode::NO_CONTENT),
        ScheduleChange::NotFound => Err(ApiError::NotFound(format!(
            "The email campaign activity {id} was not found."
        ))),
        ScheduleChange::Refused(status) => Err(refused(status, "unscheduled")),
    }
}

/// GET /emails/activities/{campaign_activity_id}/send_history: one item per send, first first.
#[utoipa::path(
    get,
    path = "/emails/activities/{campaign_activity_id}/send_history",
    operation_id = "getEmailCampaignActivitySendHistory",
    tag = "Email Scheduling",
    summary = "GET the Send History of an Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for a primary_email or resend email campaign activity."),
    ),
    responses(
        (status = 200, description = "Request successful.", body = Vec<SendHistoryResource>),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn send_history(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<Json<Vec<SendHistoryResource>>, ApiError> {
    // A resend to non-openers has a send history of its own (the spec: primary_email and
    // resend activities).
    let activity = live_activity(&state, caller.account, id).await?;
    if activity.role == ActivityRole::Permalink {
        return Err(not_primary(id));
    }
    let sends = state.store.sends(caller.account, id).await?;
    Ok(Json(sends.iter().map(SendHistoryResource::from).collect()))
}
