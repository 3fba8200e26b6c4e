//! The statistics calls and the campaign summaries (docs/REPORTS.md). The stats calls take a
//! comma-separated list of ids in the path: a malformed one answers 404 for the whole call
//! (the document), too many 400, and each id the account cannot report on goes to `errors[]`
//! beside the `results[]` of the others, with 200.

use std::str::FromStr;

use axum::extract::State;
use axum::Json;
use roster_domain::email_report::{
    has_reports, ActivityStats, CampaignStats, EmailStats, SummaryKey, MAX_STATS_ACTIVITIES,
    MAX_STATS_CAMPAIGNS,
};
use roster_domain::{CampaignActivityId, CampaignId, PageRequest, Timestamp};

use super::query::{IdListPath, SummariesQuery};
use super::resources::{
    ActivityStatsResult, BulkEmailCampaignSummariesPage, BulkEmailCampaignSummary,
    CampaignActivityStatsQueryResultEmail, CampaignStatsQueryResultEmail, CampaignStatsResult,
    StatsError,
};
use crate::auth::{Caller, CampaignMetrics};
use crate::error::ApiError;
use crate::wire::responses::{Answers, Invalid, Missing, Scoped};
use crate::wire::Query;
use crate::AppState;

const SUMMARIES_DEFAULT: u32 = 50;
const SUMMARIES_MAX: u32 = 500;

/// The path's ids, each once in the order given: 400 beyond `max`, 404 when one is malformed
/// (or the list is empty).
fn ids<T: FromStr + PartialEq>(
    IdListPath(given): IdListPath,
    name: &str,
    max: usize,
) -> Result<Vec<T>, ApiError> {
    if given.len() > max {
        return Err(ApiError::invalid(
            name,
            format!("may name at most {max} ids"),
        ));
    }
    let mut ids: Vec<T> = Vec::with_capacity(given.len());
    for text in &given {
        let id = text.parse::<T>().map_err(|_| {
            ApiError::NotFound(format!(
                "{name} holds {text:?}, which is not a valid id: no stats are returned."
            ))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

const ACTIVITY_NOT_FOUND: &str = "reportingsvc.not_found.campaign_activity_ids";
const CAMPAIGN_NOT_FOUND: &str = "reportingsvc.not_found.campaign_ids";

/// Why an activity of the account has no stats, if it has none.
fn activity_problem(stats: &ActivityStats) -> Option<String> {
    let id = stats.activity.activity;
    if stats.activity.is_removed() {
        Some(format!("The campaign activity {id} was deleted."))
    } else if !has_reports(stats.activity.role) {
        Some(format!(
            "The campaign activity {id} is a {} activity; stats exist for primary_email and \
             resend activities only.",
            stats.activity.role.as_str()
        ))
    } else if stats.send_count == 0 {
        Some(format!(
            "The campaign activity {id} has not been sent, so it has no stats."
        ))
    } else {
        None
    }
}

/// GET /reports/stats/email_campaign_activities/{campaign_activity_ids}
#[utoipa::path(
    get,
    path = "/reports/stats/email_campaign_activities/{campaign_activity_ids}",
    operation_id = "getEmailCampaignActivityReport",
    tag = "Email Reporting",
    summary = "GET an Email Campaign Activity Stats Report",
    params(
        ("campaign_activity_ids" = String, Path,
            description = "A comma-separated list of `campaign_activity_id`s (UUIDs), at most 10."),
    ),
    responses(
        (status = 200, description = "Request was successful.",
            body = CampaignActivityStatsQueryResultEmail),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn activity_stats(
    caller: Caller<CampaignMetrics>,
    State(state): State<AppState>,
    path: IdListPath,
) -> Result<Json<CampaignActivityStatsQueryResultEmail>, ApiError> {
    let wanted: Vec<CampaignActivityId> = ids(path, "campaign_activity_ids", MAX_STATS_ACTIVITIES)?;
    let found = state
        .store
        .activity_stats(caller.account, &wanted, Timestamp::now())
        .await?;
    let mut answer = CampaignActivityStatsQueryResultEmail {
        errors: Vec::new(),
        results: Vec::new(),
    };
    for id in wanted {
        let problem = match found.iter().find(|s| s.activity.activity == id) {
            None => Some(format!("The campaign activity {id} was not found.")),
            Some(stats) => match activity_problem(stats) {
                None => {
                    answer.results.push(ActivityStatsResult::new(stats));
                    None
                }
                problem => problem,
            },
        };
        if let Some(message) = problem {
            answer
                .errors
                .push(StatsError::new(ACTIVITY_NOT_FOUND, message));
        }
    }
    Ok(Json(answer))
}

/// GET /reports/stats/email_campaigns/{campaign_ids}
#[utoipa::path(
    get,
    path = "/reports/stats/email_campaigns/{campaign_ids}",
    operation_id = "getEmailStatsReport",
    tag = "Email Reporting",
    summary = "GET an Email Campaign Stats Report",
    params(
        ("campaign_ids" = String, Path,
            description = "A comma-separated list of `campaign_id`s (UUIDs), at most 150."),
    ),
    responses(
        (status = 200, description = "Request was successful.",
            body = CampaignStatsQueryResultEmail),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn campaign_stats(
    caller: Caller<CampaignMetrics>,
    State(state): State<AppState>,
    path: IdListPath,
) -> Result<Json<CampaignStatsQueryResultEmail>, ApiError> {
    let wanted: Vec<CampaignId> = ids(path, "campaign_ids", MAX_STATS_CAMPAIGNS)?;
    let activities = state
        .store
        .campaign_activity_stats(caller.account, &wanted, Timestamp::now())
        .await?;
    let campaigns = CampaignStats::of(&activities);
    let mut answer = CampaignStatsQueryResultEmail {
        errors: Vec::new(),
        results: Vec::new(),
    };
    for id in wanted {
        let problem = match campaigns.iter().find(|c| c.campaign == id) {
            None => format!("The campaign {id} was not found."),
            Some(campaign) if campaign.removed => format!("The campaign {id} was deleted."),
            Some(campaign) if !campaign.sent => {
                format!("The campaign {id} has not been sent, so it has no stats.")
            }
            Some(campaign) => {
                answer.results.push(CampaignStatsResult::new(campaign));
                continue;
            }
        };
        answer
            .errors
            .push(StatsError::new(CAMPAIGN_NOT_FOUND, problem));
    }
    Ok(Json(answer))
}

/// GET /reports/summary_reports/email_campaign_summaries
#[utoipa::path(
    get,
    path = "/reports/summary_reports/email_campaign_summaries",
    operation_id = "getEmailCampaignReport",
    tag = "Email Reporting",
    summary = "GET an Email Campaigns Summary Report",
    params(SummariesQuery),
    responses(
        (status = 200, description = "Request was successful.",
            body = BulkEmailCampaignSummariesPage),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn summaries(
    caller: Caller<CampaignMetrics>,
    State(state): State<AppState>,
    Query(params, query): Query<SummariesQuery>,
) -> Result<Json<BulkEmailCampaignSummariesPage>, ApiError> {
    let page = state.cursors.page_request::<SummaryKey>(
        &params.limit,
        &params.cursor,
        SUMMARIES_DEFAULT,
        SUMMARIES_MAX,
    )?;
    let sent = state
        .store
        .sent_campaigns(
            caller.account,
            PageRequest {
                limit: page.limit,
                after: page.after,
            },
        )
        .await?;
    let ids: Vec<CampaignId> = sent.items.iter().map(|key| key.campaign).collect();
    let activities = state
        .store
        .campaign_activity_stats(caller.account, &ids, Timestamp::now())
        .await?;
    let campaigns = CampaignStats::of(&activities);
    let mut total = EmailStats::default();
    let mut summaries = Vec::with_capacity(sent.items.len());
    for key in &sent.items {
        // A campaign removed between the two reads is left out of the page.
        if let Some(campaign) = campaigns.iter().find(|c| c.campaign == key.campaign) {
            total.add(&campaign.stats);
            summaries.push(BulkEmailCampaignSummary::new(campaign, key.last_sent));
        }
    }
    let links = state.cursors.links(
        "/v3/reports/summary_reports/email_campaign_summaries",
        &query,
        page.limit,
        sent.next.map(|key| key.to_string()),
    );
    Ok(Json(BulkEmailCampaignSummariesPage {
        bulk_email_campaign_summaries: summaries,
        aggregate_percents: total.percents().into(),
        _links: links,
    }))
}
