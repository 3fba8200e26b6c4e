//! Contacts Reporting: GET /reports/contact_reports/{contact_id}/activity_details,
//! …/open_and_click_rates and …/activity_summary: one contact's campaign history, from its
//! sends and its own tracking events (docs/REPORTS.md, "Contact reports").

pub mod handlers;
pub mod query;
pub mod resources;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The section's operations: one `routes!` per path.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(handlers::activity_details))
        .routes(routes!(handlers::open_and_click_rates))
        .routes(routes!(handlers::activity_summary))
}
