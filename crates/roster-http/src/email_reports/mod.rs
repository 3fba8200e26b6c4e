//! Email Reporting: the links report and the eight tracking pages of an activity, the stats of
//! activities and of campaigns, and the campaign summaries (docs/REPORTS.md). Everything is
//! read from the sends and the tracking counters and events (docs/TRACKING.md); nothing here
//! writes.

pub mod handlers;
pub mod query;
pub mod resources;
pub mod stats;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(handlers::links))
        .routes(routes!(handlers::sends))
        .routes(routes!(handlers::opens))
        .routes(routes!(handlers::unique_opens))
        .routes(routes!(handlers::did_not_opens))
        .routes(routes!(handlers::clicks))
        .routes(routes!(handlers::forwards))
        .routes(routes!(handlers::optouts))
        .routes(routes!(handlers::bounces))
        .routes(routes!(stats::summaries))
        .routes(routes!(stats::campaign_stats))
        .routes(routes!(stats::activity_stats))
}
