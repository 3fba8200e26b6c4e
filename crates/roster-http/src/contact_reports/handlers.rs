//! The Contacts Reporting handlers: contact_data scope and the `ui:campaign:metrics` privilege
//! (`ContactMetrics`); a contact that is not the caller account's answers 404.

use axum::extract::State;
use axum::Json;
use roster_domain::contact::Includes;
use roster_domain::contact_report::{ContactActivityKey, ContactActivityType, SUMMARY_ACTIVITIES};
use roster_domain::{AccountId, ContactId, PageRequest};

use super::query::{ActivityDetailsQuery, RangeQuery};
use super::resources::{
    CampaignActivitySummaryResource, ContactCampaignActivitiesSummary, ContactOpenAndClickRates,
    ContactTrackingActivitiesPage, ContactTrackingActivityResource,
};
use crate::auth::{Caller, ContactMetrics};
use crate::error::ApiError;
use crate::wire::responses::{Answers, Invalid, Missing, Scoped};
use crate::wire::{IdPath, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 100;
const PAGE_MAX: u32 = 100;

/// The contact must be the account's (in any status: a deleted contact keeps its history).
async fn known_contact(
    state: &AppState,
    account: AccountId,
    contact: ContactId,
) -> Result<(), ApiError> {
    state
        .store
        .contact_with(account, contact, Includes::default())
        .await?
        .map(drop)
        .ok_or_else(|| ApiError::NotFound(format!("The contact {contact} was not found.")))
}

/// The types asked for: exactly one of the two parameters, naming at least one known type.
fn activity_types(params: &ActivityDetailsQuery) -> Result<Vec<ContactActivityType>, ApiError> {
    let (name, given) = match (
        params.tracking_activities_list.list(),
        params.tracking_activity_type.list(),
    ) {
        (list, types) if !list.is_empty() && !types.is_empty() => {
            return Err(ApiError::BadRequest(
                "tracking_activities_list and tracking_activity_type are mutually exclusive; \
                 give one of them."
                    .into(),
            ))
        }
        (list, _) if !list.is_empty() => ("tracking_activities_list", list),
        (_, types) if !types.is_empty() => ("tracking_activity_type", types),
        _ => {
            return Err(ApiError::BadRequest(
                "One of tracking_activities_list or tracking_activity_type is required.".into(),
            ))
        }
    };
    let mut types = Vec::new();
    for value in &given {
        let parsed = ContactActivityType::parse(value.trim()).ok_or_else(|| {
            ApiError::invalid(
                name,
                format!(
                    "holds {value}; allowed values are: {}",
                    ContactActivityType::NAMES.join(", ")
                ),
            )
        })?;
        if !types.contains(&parsed) {
            types.push(parsed);
        }
    }
    Ok(types)
}

/// GET /reports/contact_reports/{contact_id}/activity_details: the contact's sends and own
/// events of the types asked for, newest first.
#[utoipa::path(
    get,
    path = "/reports/contact_reports/{contact_id}/activity_details",
    operation_id = "getContactTrackingReport",
    tag = "Contacts Reporting",
    summary = "GET Contact Activity Details",
    params(
        ("contact_id" = String, Path, description = "The contact's ID for which tracking \
            activity data is requested."),
        ActivityDetailsQuery,
    ),
    responses(
        (status = 200, description = "successful operation", body = ContactTrackingActivitiesPage),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn activity_details(
    caller: Caller<ContactMetrics>,
    State(state): State<AppState>,
    IdPath(contact): IdPath<ContactId>,
    Query(params, query): Query<ActivityDetailsQuery>,
) -> Result<Json<ContactTrackingActivitiesPage>, ApiError> {
    let types = activity_types(&params)?;
    let with_names = params
        .include_campaign_activity_names
        .boolean("include_campaign_activity_names")?
        .unwrap_or(true);
    let (limit, after) =
        state
            .cursors
            .page_at(&params.limit, &params.cursor, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            ContactActivityKey::decode(&key)
                .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    known_contact(&state, caller.account, contact).await?;
    let page = state
        .store
        .contact_activities(
            caller.account,
            contact,
            &types,
            with_names,
            PageRequest { limit, after },
        )
        .await?;
    let links = state.cursors.links(
        &format!("/v3/reports/contact_reports/{contact}/activity_details"),
        &query,
        limit,
        page.next.map(|key| key.encode()),
    );
    Ok(Json(ContactTrackingActivitiesPage {
        tracking_activities: page
            .items
            .into_iter()
            .map(|row| ContactTrackingActivityResource::new(contact, row, with_names))
            .collect(),
        _links: links,
    }))
}

/// GET /reports/contact_reports/{contact_id}/open_and_click_rates: over the activities sent to
/// the contact within the range, the share it opened and the share it clicked.
#[utoipa::path(
    get,
    path = "/reports/contact_reports/{contact_id}/open_and_click_rates",
    operation_id = "getContactOpenClickRateReport",
    tag = "Contacts Reporting",
    summary = "GET Average Open and Click Rates",
    params(
        ("contact_id" = String, Path, description = "The contact id which is requesting \
            tracking activity data."),
        RangeQuery,
    ),
    responses(
        (status = 200, description = "Request Successful", body = ContactOpenAndClickRates),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn open_and_click_rates(
    caller: Caller<ContactMetrics>,
    State(state): State<AppState>,
    IdPath(contact): IdPath<ContactId>,
    Query(params, _): Query<RangeQuery>,
) -> Result<Json<ContactOpenAndClickRates>, ApiError> {
    let range = params.range()?;
    known_contact(&state, caller.account, contact).await?;
    let engagement = state
        .store
        .contact_engagement(caller.account, contact, range)
        .await?;
    Ok(Json(ContactOpenAndClickRates::new(contact, engagement)))
}

/// GET /reports/contact_reports/{contact_id}/activity_summary: the activities sent to the
/// contact within the range (the 200 most recently sent) and what it did with each.
#[utoipa::path(
    get,
    path = "/reports/contact_reports/{contact_id}/activity_summary",
    operation_id = "getContactTrackingCountReport",
    tag = "Contacts Reporting",
    summary = "GET Contact Action Summary",
    params(
        ("contact_id" = String, Path, description = "The contact id which is requesting \
            tracking activity data."),
        RangeQuery,
    ),
    responses(
        (status = 200, description = "successful operation",
            body = ContactCampaignActivitiesSummary),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn activity_summary(
    caller: Caller<ContactMetrics>,
    State(state): State<AppState>,
    IdPath(contact): IdPath<ContactId>,
    Query(params, _): Query<RangeQuery>,
) -> Result<Json<ContactCampaignActivitiesSummary>, ApiError> {
    let range = params.range()?;
    known_contact(&state, caller.account, contact).await?;
    let summaries = state
        .store
        .contact_activity_summaries(caller.account, contact, range, SUMMARY_ACTIVITIES)
        .await?;
    Ok(Json(ContactCampaignActivitiesSummary {
        contact_id: contact.to_string(),
        campaign_activities: summaries
            .into_iter()
            .map(CampaignActivitySummaryResource::from)
            .collect(),
    }))
}
