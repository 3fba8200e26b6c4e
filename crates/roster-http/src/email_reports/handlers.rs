//! The per-activity reports (docs/REPORTS.md): the links report and the eight tracking pages.
//! Each answers 404 for an activity the caller's account does not have (or a Removed one) and
//! 400 for one whose role has no reports (only `primary_email` and `resend` have); before the
//! first send, 200 with empty arrays.

use axum::extract::State;
use axum::Json;
use roster_domain::email_report::{
    has_reports, ReportActivity, TrackingFilter, TrackingKey, TrackingReport, TrackingRow,
};
use roster_domain::tracking::BounceCode;
use roster_domain::{AccountId, CampaignActivityId, PageRequest};

use super::query::{BouncesQuery, ClicksQuery, LinksQuery, TrackingQuery};
use super::resources::{
    BouncesTrackingActivitiesPage, BouncesTrackingActivity, ClicksTrackingActivitiesPage,
    ClicksTrackingActivity, ContactActivitiesPage, ContactActivity, EmailLinks,
    OpensTrackingActivitiesPage, OpensTrackingActivity, OptoutsTrackingActivitiesPage,
    OptoutsTrackingActivity,
};
use crate::auth::{Caller, CampaignMetrics};
use crate::error::ApiError;
use crate::wire::responses::{Answers, Invalid, Missing, Scoped};
use crate::wire::{IdPath, PageLinks, Param, Query, QueryParams};
use crate::AppState;

/// The tracking pages' `limit`: a string from 1 to 500, 500 when absent (the document).
const PAGE_MAX: u32 = 500;

/// The activity, if the account has it, it is not Removed, and its role has reports.
pub(super) async fn reported_activity(
    state: &AppState,
    account: AccountId,
    id: CampaignActivityId,
) -> Result<ReportActivity, ApiError> {
    let activity = state
        .store
        .report_activity(account, id)
        .await?
        .filter(|activity| !activity.is_removed())
        .ok_or_else(|| {
            ApiError::NotFound(format!("The email campaign activity {id} was not found."))
        })?;
    if !has_reports(activity.role) {
        return Err(ApiError::invalid(
            "campaign_activity_id",
            format!(
                "names a {} activity; reports exist for primary_email and resend activities \
                 only",
                activity.role.as_str()
            ),
        ));
    }
    Ok(activity)
}

/// One page of a tracking report and its `_links`.
async fn tracking<R>(
    state: &AppState,
    account: AccountId,
    id: CampaignActivityId,
    (limit, cursor, query): (&Param, &Param, &QueryParams),
    (report, filter): (TrackingReport, TrackingFilter),
    row: fn(CampaignActivityId, &'static str, &TrackingRow) -> R,
) -> Result<(Vec<R>, Option<PageLinks>), ApiError> {
    let page = state
        .cursors
        .page_request::<TrackingKey>(limit, cursor, PAGE_MAX, PAGE_MAX)?;
    // A cursor of another kind of page would sort nowhere sensible: refuse it.
    if page
        .after
        .is_some_and(|key| key.contact.is_some() != report.keyed_by_contact())
    {
        return Err(ApiError::invalid(
            "cursor",
            "is not a cursor this server issued",
        ));
    }
    reported_activity(state, account, id).await?;
    let found = state
        .store
        .tracking_page(
            account,
            id,
            report,
            &filter,
            PageRequest {
                limit: page.limit,
                after: page.after,
            },
        )
        .await?;
    let path = format!(
        "/v3/reports/email_reports/{id}/tracking/{}",
        match report {
            TrackingReport::Sends => "sends",
            TrackingReport::Opens => "opens",
            TrackingReport::UniqueOpens => "unique_opens",
            TrackingReport::DidNotOpens => "didnotopens",
            TrackingReport::Clicks => "clicks",
            TrackingReport::Forwards => "forwards",
            TrackingReport::OptOuts => "optouts",
            TrackingReport::Bounces => "bounces",
        }
    );
    let links = state.cursors.links(
        &path,
        query,
        page.limit,
        found.next.map(|key| key.to_string()),
    );
    let kind = report.activity_type();
    let rows = found.items.iter().map(|item| row(id, kind, item)).collect();
    Ok((rows, links))
}

/// Declares the handler of a tracking page without filters.
macro_rules! tracking_handler {
    (
        $name:ident, $path:literal, $operation:literal, $summary:literal, $report:expr,
        $page:ident, $row:ident
    ) => {
        #[doc = concat!("GET ", $path)]
        #[utoipa::path(
            get,
            path = $path,
            operation_id = $operation,
            tag = "Email Reporting",
            summary = $summary,
            params(
                ("campaign_activity_id" = String, Path,
                    description = "The ID that uniquely identifies the email campaign activity."),
                TrackingQuery,
            ),
            responses(
                (status = 200, description = "Request was successful", body = $page),
                Invalid, Scoped, Missing, Answers,
            ),
            security(
                ("oauth2_implicit" = ["campaign_data"]),
                ("oauth2_access_code" = ["campaign_data"])
            ),
        )]
        pub async fn $name(
            caller: Caller<CampaignMetrics>,
            State(state): State<AppState>,
            IdPath(id): IdPath<CampaignActivityId>,
            Query(params, query): Query<TrackingQuery>,
        ) -> Result<Json<$page>, ApiError> {
            let (rows, links) = tracking(
                &state,
                caller.account,
                id,
                (&params.limit, &params.cursor, &query),
                ($report, TrackingFilter::default()),
                $row::new,
            )
            .await?;
            Ok(Json($page::new(rows, links)))
        }
    };
}

tracking_handler!(
    sends,
    "/reports/email_reports/{campaign_activity_id}/tracking/sends",
    "getEmailSendsReport",
    "GET an Email Sends Report",
    TrackingReport::Sends,
    ContactActivitiesPage,
    ContactActivity
);
tracking_handler!(
    opens,
    "/reports/email_reports/{campaign_activity_id}/tracking/opens",
    "getEmailOpensReport",
    "GET an Email Opens Report",
    TrackingReport::Opens,
    OpensTrackingActivitiesPage,
    OpensTrackingActivity
);
tracking_handler!(
    unique_opens,
    "/reports/email_reports/{campaign_activity_id}/tracking/unique_opens",
    "getUniqueOpensReport",
    "GET an Email Unique Opens Report",
    TrackingReport::UniqueOpens,
    OpensTrackingActivitiesPage,
    OpensTrackingActivity
);
tracking_handler!(
    did_not_opens,
    "/reports/email_reports/{campaign_activity_id}/tracking/didnotopens",
    "getDidNotOpensReport",
    "GET an Email Did Not Opens Report",
    TrackingReport::DidNotOpens,
    ContactActivitiesPage,
    ContactActivity
);
tracking_handler!(
    forwards,
    "/reports/email_reports/{campaign_activity_id}/tracking/forwards",
    "getForwardsReport",
    "GET an Email Forwards Report",
    TrackingReport::Forwards,
    ContactActivitiesPage,
    ContactActivity
);
tracking_handler!(
    optouts,
    "/reports/email_reports/{campaign_activity_id}/tracking/optouts",
    "getOptoutsReport",
    "GET an Email Opt-outs Report",
    TrackingReport::OptOuts,
    OptoutsTrackingActivitiesPage,
    OptoutsTrackingActivity
);

/// GET /reports/email_reports/{campaign_activity_id}/tracking/clicks
#[utoipa::path(
    get,
    path = "/reports/email_reports/{campaign_activity_id}/tracking/clicks",
    operation_id = "getClicksReport",
    tag = "Email Reporting",
    summary = "GET an Email Clicks Report",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The ID that uniquely identifies the email campaign activity."),
        ClicksQuery,
    ),
    responses(
        (status = 200, description = "Request was successful",
            body = ClicksTrackingActivitiesPage),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn clicks(
    caller: Caller<CampaignMetrics>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Query(params, query): Query<ClicksQuery>,
) -> Result<Json<ClicksTrackingActivitiesPage>, ApiError> {
    let url_id = params
        .url_id
        .single()
        .map(|text| {
            text.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid("url_id", "must be a whole number"))
        })
        .transpose()?;
    let filter = TrackingFilter {
        url_id,
        bounce_codes: Vec::new(),
    };
    let (rows, links) = tracking(
        &state,
        caller.account,
        id,
        (&params.limit, &params.cursor, &query),
        (TrackingReport::Clicks, filter),
        ClicksTrackingActivity::new,
    )
    .await?;
    Ok(Json(ClicksTrackingActivitiesPage::new(rows, links)))
}

/// GET /reports/email_reports/{campaign_activity_id}/tracking/bounces
#[utoipa::path(
    get,
    path = "/reports/email_reports/{campaign_activity_id}/tracking/bounces",
    operation_id = "getBouncesReport",
    tag = "Email Reporting",
    summary = "GET an Email Bounces Report",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The ID that uniquely identifies the email campaign activity."),
        BouncesQuery,
    ),
    responses(
        (status = 200, description = "Request was successful",
            body = BouncesTrackingActivitiesPage),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn bounces(
    caller: Caller<CampaignMetrics>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Query(params, query): Query<BouncesQuery>,
) -> Result<Json<BouncesTrackingActivitiesPage>, ApiError> {
    let letters: Vec<&str> = BounceCode::ALL.iter().map(|c| c.as_str()).collect();
    let bounce_codes = params
        .bounce_code
        .all_of("bounce_code", &letters)?
        .into_iter()
        .filter_map(BounceCode::parse)
        .collect();
    let filter = TrackingFilter {
        url_id: None,
        bounce_codes,
    };
    let (rows, links) = tracking(
        &state,
        caller.account,
        id,
        (&params.limit, &params.cursor, &query),
        (TrackingReport::Bounces, filter),
        BouncesTrackingActivity::new,
    )
    .await?;
    Ok(Json(BouncesTrackingActivitiesPage::new(rows, links)))
}

/// GET /reports/email_reports/{campaign_activity_id}/links
#[utoipa::path(
    get,
    path = "/reports/email_reports/{campaign_activity_id}/links",
    operation_id = "getCampaignActivityLinkReport",
    tag = "Email Reporting",
    summary = "GET an Email Links Report",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for an email campaign activity."),
        LinksQuery,
    ),
    responses(
        (status = 200, description = "Request was successful", body = EmailLinks),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn links(
    caller: Caller<CampaignMetrics>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Query(params, _): Query<LinksQuery>,
) -> Result<Json<EmailLinks>, ApiError> {
    let with_unclicked = params.no_clicks.boolean("no_clicks")?.unwrap_or(false);
    reported_activity(&state, caller.account, id).await?;
    let links = state
        .store
        .link_clicks(caller.account, id, with_unclicked)
        .await?;
    Ok(Json(EmailLinks::new(id, &links)))
}
