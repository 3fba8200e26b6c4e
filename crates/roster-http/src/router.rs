//! Every route Roster serves, in one place. Operations of the official document that no
//! feature implements yet are not routed: they answer 404 like any unknown path.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, on, post, MethodFilter, MethodRouter};
use axum::{middleware, Router};

use crate::error::ApiError;
use crate::{
    account, activities, contact_lists, contact_tags, contacts, custom_fields, health, oauth,
    openapi, ratelimit, resubscribe, segments, user_privileges, wire, AppState,
};

/// One V3 operation: where it is served and by which handler. The `/v3` router is built from
/// [`V3_ROUTES`] alone, so the table is the complete list of what Roster serves under `/v3`, and
/// the OpenAPI document (`openapi.rs`) is checked against it by the test suite.
pub struct V3Route {
    pub method: Method,
    pub path: &'static str,
    /// The same method as `method`, in the form axum routes on.
    filter: MethodFilter,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

impl V3Route {
    fn method_router(&self) -> MethodRouter<AppState> {
        (self.handler)(self.filter)
    }
}

macro_rules! v3 {
    ($method:ident $path:literal => $handler:path) => {
        V3Route {
            method: Method::$method,
            path: $path,
            filter: MethodFilter::$method,
            handler: |filter| on(filter, $handler),
        }
    };
}

/// Every route under `/v3`. Paths served by several methods appear once per method; axum merges them.
pub const V3_ROUTES: &[V3Route] = &[
    v3!(GET "/v3/activities" => activities::list),
    v3!(GET "/v3/activities/{activity_id}" => activities::get),
    v3!(POST "/v3/activities/contacts_json_import" => activities::json_import),
    v3!(POST "/v3/activities/contacts_file_import" => activities::file_import),
    v3!(POST "/v3/activities/contact_exports" => activities::export_contacts),
    v3!(GET "/v3/contact_exports/{file_export_id}" => activities::download),
    v3!(POST "/v3/activities/contact_delete" => activities::contact_delete),
    v3!(POST "/v3/activities/add_list_memberships" => activities::add_list_memberships),
    v3!(POST "/v3/activities/remove_list_memberships" => activities::remove_list_memberships),
    v3!(POST "/v3/activities/list_delete" => activities::list_delete),
    v3!(POST "/v3/activities/contacts_taggings_add" => activities::taggings_add),
    v3!(POST "/v3/activities/contacts_taggings_remove" => activities::taggings_remove),
    v3!(POST "/v3/activities/contacts_tags_delete" => activities::tags_delete),
    v3!(POST "/v3/activities/custom_fields_delete" => activities::custom_fields_delete),
    v3!(GET "/v3/contact_custom_fields" => custom_fields::list),
    v3!(POST "/v3/contact_custom_fields" => custom_fields::create),
    v3!(GET "/v3/contact_custom_fields/{custom_field_id}" => custom_fields::get),
    v3!(PUT "/v3/contact_custom_fields/{custom_field_id}" => custom_fields::replace),
    v3!(DELETE "/v3/contact_custom_fields/{custom_field_id}" => custom_fields::delete),
    v3!(GET "/v3/contacts" => contacts::list),
    v3!(POST "/v3/contacts" => contacts::create),
    v3!(GET "/v3/contacts/counts" => contacts::counts),
    v3!(POST "/v3/contacts/sign_up_form" => contacts::sign_up),
    v3!(GET "/v3/contacts/contact_id_xrefs" => contacts::xrefs),
    v3!(PUT "/v3/contacts/resubscribe/{contact_id}" => resubscribe::request),
    v3!(GET "/v3/contacts/sms_engagement_history/{contact_id}" => contacts::sms_history),
    v3!(GET "/v3/contacts/{contact_id}" => contacts::get),
    v3!(PUT "/v3/contacts/{contact_id}" => contacts::replace),
    v3!(DELETE "/v3/contacts/{contact_id}" => contacts::delete),
    v3!(GET "/v3/contact_lists" => contact_lists::list),
    v3!(POST "/v3/contact_lists" => contact_lists::create),
    v3!(GET "/v3/contact_lists/list_id_xrefs" => contact_lists::xrefs),
    v3!(GET "/v3/contact_lists/{list_id}" => contact_lists::get),
    v3!(PUT "/v3/contact_lists/{list_id}" => contact_lists::replace),
    v3!(DELETE "/v3/contact_lists/{list_id}" => contact_lists::delete),
    v3!(GET "/v3/contact_tags" => contact_tags::list),
    v3!(POST "/v3/contact_tags" => contact_tags::create),
    v3!(GET "/v3/contact_tags/{tag_id}" => contact_tags::get),
    v3!(PUT "/v3/contact_tags/{tag_id}" => contact_tags::rename),
    v3!(DELETE "/v3/contact_tags/{tag_id}" => contact_tags::delete),
    v3!(GET "/v3/segments" => segments::list),
    v3!(POST "/v3/segments" => segments::create),
    v3!(GET "/v3/segments/{segment_id}" => segments::get),
    v3!(PUT "/v3/segments/{segment_id}" => segments::replace),
    v3!(DELETE "/v3/segments/{segment_id}" => segments::delete),
    v3!(PATCH "/v3/segments/{segment_id}/name" => segments::rename),
    v3!(GET "/v3/account/user/privileges" => user_privileges::list),
    v3!(GET "/v3/account/summary" => account::summary),
    v3!(PUT "/v3/account/summary" => account::update_summary),
    v3!(GET "/v3/account/summary/physical_address" => account::physical_address),
    v3!(POST "/v3/account/summary/physical_address" => account::add_physical_address),
    v3!(PUT "/v3/account/summary/physical_address" => account::replace_physical_address),
    v3!(GET "/v3/account/emails" => account::emails),
    v3!(POST "/v3/account/emails" => account::add_email),
];

pub fn build(state: AppState) -> Router {
    let mut v3 = Router::new();
    for route in V3_ROUTES {
        v3 = v3.route(route.path, route.method_router());
    }
    let v3 = v3
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ratelimit::limit_by_client,
        ))
        .layer(middleware::from_fn(wire::accept::require_json_accept));

    let open = Router::new()
        .route("/healthz", get(health::alive))
        .route(
            account::CONFIRM_PATH,
            get(account::confirm_page).post(account::confirm),
        )
        .route("/readyz", get(health::ready))
        .route("/oauth2/default/v1/keys", get(oauth::jwks))
        .route(
            resubscribe::CONFIRM_PATH,
            get(resubscribe::confirm_page).post(resubscribe::confirm),
        )
        .route(
            "/oauth2/default/v1/authorize",
            get(oauth::authorize::authorize_page).post(oauth::authorize::decide),
        )
        .route("/oauth2/default/v1/signin", post(oauth::signin::sign_in))
        .route("/oauth2/default/v1/token", post(oauth::token::token))
        .route(
            "/oauth2/default/v1/device/authorize",
            post(oauth::device::start),
        )
        .route(
            "/oauth2/default/v1/device",
            get(oauth::device::verification_page).post(oauth::device::decide),
        )
        .route("/oauth2/default/v1/revoke", post(oauth::revoke::revoke))
        .route(
            "/oauth2/default/v1/introspect",
            post(oauth::revoke::introspect),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata::metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server/oauth2/default",
            get(oauth::metadata::metadata),
        )
        .route(
            "/oauth2/default/.well-known/oauth-authorization-server",
            get(oauth::metadata::metadata),
        );

    v3.merge(open)
        .merge(openapi::routes())
        .fallback(|| async { ApiError::NotFound("The requested resource was not found.".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
