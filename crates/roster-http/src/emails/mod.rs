//! Email Campaigns: GET/POST /emails, GET/PATCH/DELETE /emails/{campaign_id},
//! GET /emails/campaign_id_xrefs, GET/PUT /emails/activities/{campaign_activity_id}, its
//! previews, schedules, send history, test sends, resend to non-openers and A/B tests
//! (docs/CAMPAIGNS.md). A campaign's status
//! is its primary activity's. The public pages a campaign message links to, outside /v3:
//! `unsubscribe` (docs/MAIL.md), `permalink` (the public web copy) and `forward` (forward to a
//! friend) (docs/TRACKING.md).

pub mod ab_tests;
pub mod bodies;
pub mod content;
pub mod forward;
pub mod handlers;
pub mod permalink;
pub mod query;
pub mod resends;
pub mod resources;
pub mod schedules;
pub mod test_sends;
pub mod unsubscribe;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(handlers::list, handlers::create))
        .routes(routes!(handlers::xrefs))
        .routes(routes!(handlers::get, handlers::rename, handlers::delete))
        .routes(routes!(handlers::get_activity, handlers::update_activity))
        .routes(routes!(handlers::preview))
        .routes(routes!(
            schedules::get_schedule,
            schedules::schedule,
            schedules::unschedule
        ))
        .routes(routes!(schedules::send_history))
        .routes(routes!(test_sends::test_send))
        .routes(routes!(resends::get_resends, resends::create_resend))
        .routes(routes!(resends::delete_resend))
        .routes(routes!(
            ab_tests::get_ab_test,
            ab_tests::create_ab_test,
            ab_tests::delete_ab_test
        ))
}
