//! Every route Roster serves, in one place. Operations of the official document that no
//! feature implements yet are not routed: they answer 404 like any unknown path.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post, put};
use axum::{middleware, Router};

use crate::error::ApiError;
use crate::{
    account, activities, contact_lists, contact_tags, contacts, custom_fields, health, oauth,
    ratelimit, resubscribe, segments, user_privileges, wire, AppState,
};

pub fn build(state: AppState) -> Router {
    let v3 = Router::new()
        .route("/v3/activities", get(activities::list))
        .route("/v3/activities/{activity_id}", get(activities::get))
        .route(
            "/v3/activities/contacts_json_import",
            post(activities::json_import),
        )
        .route(
            "/v3/activities/contacts_file_import",
            post(activities::file_import),
        )
        .route(
            "/v3/activities/contact_exports",
            post(activities::export_contacts),
        )
        .route(
            "/v3/contact_exports/{file_export_id}",
            get(activities::download),
        )
        .route(
            "/v3/activities/contact_delete",
            post(activities::contact_delete),
        )
        .route(
            "/v3/activities/add_list_memberships",
            post(activities::add_list_memberships),
        )
        .route(
            "/v3/activities/remove_list_memberships",
            post(activities::remove_list_memberships),
        )
        .route("/v3/activities/list_delete", post(activities::list_delete))
        .route(
            "/v3/activities/contacts_taggings_add",
            post(activities::taggings_add),
        )
        .route(
            "/v3/activities/contacts_taggings_remove",
            post(activities::taggings_remove),
        )
        .route(
            "/v3/activities/contacts_tags_delete",
            post(activities::tags_delete),
        )
        .route(
            "/v3/activities/custom_fields_delete",
            post(activities::custom_fields_delete),
        )
        .route(
            "/v3/contact_custom_fields",
            get(custom_fields::list).post(custom_fields::create),
        )
        .route(
            "/v3/contact_custom_fields/{custom_field_id}",
            get(custom_fields::get)
                .put(custom_fields::replace)
                .delete(custom_fields::delete),
        )
        .route("/v3/contacts", get(contacts::list).post(contacts::create))
        .route("/v3/contacts/counts", get(contacts::counts))
        .route("/v3/contacts/sign_up_form", post(contacts::sign_up))
        .route("/v3/contacts/contact_id_xrefs", get(contacts::xrefs))
        .route(
            "/v3/contacts/resubscribe/{contact_id}",
            put(resubscribe::request),
        )
        .route(
            "/v3/contacts/sms_engagement_history/{contact_id}",
            get(contacts::sms_history),
        )
        .route(
            "/v3/contacts/{contact_id}",
            get(contacts::get)
                .put(contacts::replace)
                .delete(contacts::delete),
        )
        .route(
            "/v3/contact_lists",
            get(contact_lists::list).post(contact_lists::create),
        )
        .route("/v3/contact_lists/list_id_xrefs", get(contact_lists::xrefs))
        .route(
            "/v3/contact_lists/{list_id}",
            get(contact_lists::get)
                .put(contact_lists::replace)
                .delete(contact_lists::delete),
        )
        .route(
            "/v3/contact_tags",
            get(contact_tags::list).post(contact_tags::create),
        )
        .route(
            "/v3/contact_tags/{tag_id}",
            get(contact_tags::get)
                .put(contact_tags::rename)
                .delete(contact_tags::delete),
        )
        .route("/v3/segments", get(segments::list).post(segments::create))
        .route(
            "/v3/segments/{segment_id}",
            get(segments::get)
                .put(segments::replace)
                .delete(segments::delete),
        )
        .route("/v3/segments/{segment_id}/name", patch(segments::rename))
        .route("/v3/account/user/privileges", get(user_privileges::list))
        .route(
            "/v3/account/summary",
            get(account::summary).put(account::update_summary),
        )
        .route(
            "/v3/account/summary/physical_address",
            get(account::physical_address)
                .post(account::add_physical_address)
                .put(account::replace_physical_address),
        )
        .route(
            "/v3/account/emails",
            get(account::emails).post(account::add_email),
        )
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
        .fallback(|| async { ApiError::NotFound("The requested resource was not found.".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
