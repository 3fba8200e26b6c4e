//! Contacts: POST/GET /contacts, GET/PUT/DELETE /contacts/{contact_id},
//! POST /contacts/sign_up_form, GET /contacts/counts, GET /contacts/contact_id_xrefs,
//! GET /contacts/sms_engagement_history/{contact_id} and PUT /contacts/resubscribe/{contact_id}
//! (with the public confirmation pages its mail links to, as the sign-up form's under
//! Confirmed Opt-In, `opt_in`). Bodies convert into the domain's
//! inputs here; ids they name are checked against the account; the domain applies the consent
//! rules.

pub mod bodies;
pub mod handlers;
pub mod opt_in;
pub mod query;
pub mod resources;
pub mod resubscribe;

pub use query::{contact_filter, includes, ContactsQuery, MAX_LIST_FILTER, MAX_TAG_FILTER};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(handlers::list, handlers::create))
        .routes(routes!(handlers::counts))
        .routes(routes!(handlers::sign_up))
        .routes(routes!(handlers::xrefs))
        .routes(routes!(handlers::resubscribe))
        .routes(routes!(handlers::sms_history))
        .routes(routes!(handlers::get, handlers::replace, handlers::delete))
}
