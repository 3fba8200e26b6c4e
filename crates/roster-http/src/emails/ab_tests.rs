//! A/B subject tests: GET, POST and DELETE /emails/activities/{campaign_activity_id}/abtest
//! (tag "Email Campaigns AB Tests"; docs/CAMPAIGNS.md, "A/B tests"). Only a primary_email
//! activity in DRAFT takes one, and only in DRAFT is it deleted; the campaign's type is A/B
//! test (57) while it exists. Its send, the arms and the winner, is the mailer's.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::ab_test::{AbTest, AbTestChange, NewAbTest};
use roster_domain::campaign::{ActivityRole, CampaignStatus};
use roster_domain::{CampaignActivityId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::content::check_subject;
use super::handlers::live_activity;
use crate::auth::{Caller, CampaignRead, CampaignWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::{Body, Field, IdPath, Problems};
use crate::AppState;

/// An alternative subject is one header line, kept to the size the activity's may have.
const MAX_ALTERNATIVE_SUBJECT_LEN: usize = 1_000;

/// POST …/abtest (`ABTestData`).
#[derive(Deserialize, ToSchema)]
pub struct AbTestBody {
    /// Subject B.
    #[schema(value_type = String)]
    alternative_subject: Field<String>,
    /// The percentage of the recipients in each arm, 5 to 50.
    #[schema(value_type = i32, minimum = 5, maximum = 50)]
    test_size: Field<i64>,
    /// Hours between the arms' send and the winner's: 6, 12, 24 or 48.
    #[schema(value_type = i32)]
    winner_wait_duration: Field<i64>,
}

impl TryFrom<AbTestBody> for NewAbTest {
    type Error = ApiError;

    fn try_from(body: AbTestBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let subject = c.required_string(
                "alternative_subject",
                body.alternative_subject,
                MAX_ALTERNATIVE_SUBJECT_LEN,
            );
            let subject = match subject {
                Some(text) if text.trim().is_empty() => {
                    c.error("alternative_subject", "must not be blank");
                    None
                }
                other => other.map(|text| text.trim().to_string()),
            };
            let mut integer = |name: &str, field: Field<i64>| {
                if !field.is_present() {
                    c.error(name, "is required");
                }
                c.integer(name, field)
            };
            let test_size = integer("test_size", body.test_size);
            let wait = integer("winner_wait_duration", body.winner_wait_duration);
            let (test_size, wait) = (test_size?, wait?);
            for problem in NewAbTest::check_ranges(test_size, wait) {
                c.push(problem);
            }
            Some(NewAbTest {
                alternative_subject: subject?,
                test_size,
                winner_wait_hours: wait,
            })
        })
    }
}

/// The test as GET and POST answer it (`ABTestData`).
#[derive(Serialize, ToSchema)]
pub struct AbTestResource {
    alternative_subject: String,
    test_size: i64,
    winner_wait_duration: i64,
}

impl From<&AbTest> for AbTestResource {
    fn from(test: &AbTest) -> Self {
        Self {
            alternative_subject: test.alternative_subject.clone(),
            test_size: test.test_size,
            winner_wait_duration: test.winner_wait_hours,
        }
    }
}

fn none(id: CampaignActivityId) -> ApiError {
    ApiError::NotFound(format!("The email campaign activity {id} has no A/B test."))
}

fn refused(id: CampaignActivityId, status: CampaignStatus, what: &str) -> ApiError {
    ApiError::Conflict(format!(
        "An A/B test is {what} only on a primary_email activity in DRAFT; the activity {id} is \
         in {}.",
        status.activity_name()
    ))
}

/// GET /emails/activities/{campaign_activity_id}/abtest: 404 when there is none.
#[utoipa::path(
    get,
    path = "/emails/activities/{campaign_activity_id}/abtest",
    operation_id = "getABTestEmailCampaign",
    tag = "Email Campaigns AB Tests",
    summary = "GET A/B Test Details for an Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
    ),
    responses(
        (status = 200, description = "Request successful.", body = AbTestResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn get_ab_test(
    caller: Caller<CampaignRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<Json<AbTestResource>, ApiError> {
    live_activity(&state, caller.account, id).await?;
    let test = state.store.ab_test(caller.account, id).await?;
    test.as_ref()
        .map(|test| Json(AbTestResource::from(test)))
        .ok_or_else(|| none(id))
}

/// POST /emails/activities/{campaign_activity_id}/abtest: 201 with the test; 409 for a second
/// one, another role, or an activity not in DRAFT.
#[utoipa::path(
    post,
    path = "/emails/activities/{campaign_activity_id}/abtest",
    operation_id = "createABTestEmailCampaign",
    tag = "Email Campaigns AB Tests",
    summary = "POST (Create) an A/B Test for an Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
    ),
    request_body = AbTestBody,
    responses(
        (status = 201, description = "Request successful.", body = AbTestResource),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn create_ab_test(
    caller: Caller<CampaignWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Body(body): Body<AbTestBody>,
) -> Result<(StatusCode, Json<AbTestResource>), ApiError> {
    let test = NewAbTest::try_from(body)?;
    let activity = live_activity(&state, caller.account, id).await?;
    if activity.role != ActivityRole::PrimaryEmail || activity.status != CampaignStatus::Draft {
        return Err(refused(id, activity.status, "created"));
    }
    let field = "alternative_subject";
    check_subject(
        &state,
        caller.account,
        &activity,
        &test.alternative_subject,
        field,
    )
    .await?;
    match state
        .store
        .create_ab_test(caller.account, id, &test, Timestamp::now())
        .await?
    {
        AbTestChange::Done => {}
        AbTestChange::Exists => {
            return Err(ApiError::Conflict(format!(
                "The email campaign activity {id} already has an A/B test."
            )))
        }
        AbTestChange::Refused(status) => return Err(refused(id, status, "created")),
        AbTestChange::NotFound | AbTestChange::Missing => {
            return Err(ApiError::NotFound(format!(
                "The email campaign activity {id} was not found."
            )))
        }
    }
    let stored = state.store.ab_test(caller.account, id).await?;
    let stored = stored.ok_or_else(|| none(id))?;
    Ok((StatusCode::CREATED, Json(AbTestResource::from(&stored))))
}

/// DELETE /emails/activities/{campaign_activity_id}/abtest: 204; 404 when there is none; 409
/// unless the activity is in DRAFT. The campaign's type goes back to 10.
#[utoipa::path(
    delete,
    path = "/emails/activities/{campaign_activity_id}/abtest",
    operation_id = "deleteABTestEmailCampaign",
    tag = "Email Campaigns AB Tests",
    summary = "DELETE an A/B Test for an Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for the primary email campaign activity."),
    ),
    responses(
        (status = 204, description = "The A/B test was deleted."),
        Invalid, Scoped, Missing, Conflicting, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn delete_ab_test(
    caller: Caller<CampaignWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
) -> Result<StatusCode, ApiError> {
    live_activity(&state, caller.account, id).await?;
    match state
        .store
        .delete_ab_test(caller.account, id, Timestamp::now())
        .await?
    {
        AbTestChange::Done => Ok(StatusCode::NO_CONTENT),
        AbTestChange::Missing | AbTestChange::NotFound => Err(none(id)),
        AbTestChange::Refused(status) => Err(refused(id, status, "deleted")),
        AbTestChange::Exists => Err(ApiError::Conflict(
            "The A/B test cannot be deleted now.".into(),
        )),
    }
}
