//! The Contacts Custom Fields handlers: each reads its request (bodies.rs), lets the domain
//! apply the rules and the store persist, and answers with the resources (resources.rs).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::custom_field::{
    CustomField, CustomFieldDraft, CustomFieldReplacement, MAX_CUSTOM_FIELDS_PER_ACCOUNT,
};
use roster_domain::{CustomFieldId, PageRequest, Timestamp};

use super::bodies::{CustomFieldCreateBody, CustomFieldReplaceBody};
use super::query::CustomFieldsQuery;
use super::resources::{CustomFieldCollection, CustomFieldResource};
use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::{Body, IdPath, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 100;

/// Turns the domain's rule violations into the 400 they are.
fn rules(
    result: Result<CustomField, Vec<roster_domain::FieldError>>,
) -> Result<CustomField, ApiError> {
    result.map_err(ApiError::Validation)
}

fn not_found(id: CustomFieldId) -> ApiError {
    ApiError::NotFound(format!("The custom field {id} was not found."))
}

/// GET /contact_custom_fields
#[utoipa::path(
    get,
    path = "/contact_custom_fields",
    operation_id = "getAllCustomFields",
    tag = "Contacts Custom Fields",
    summary = "GET custom_fields Collection",
    params(CustomFieldsQuery),
    responses(
        (status = 200, description = "Request successful", body = CustomFieldCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    Query(params, query): Query<CustomFieldsQuery>,
) -> Result<Json<CustomFieldCollection>, ApiError> {
    let PageRequest { limit, after } = state.cursors.page_request::<CustomFieldId>(
        &params.limit,
        &params.cursor,
        PAGE_DEFAULT,
        PAGE_MAX,
    )?;
    let page = state
        .store
        .custom_fields(caller.account, PageRequest { limit, after })
        .await?;
    let links = state.cursors.links(
        "/v3/contact_custom_fields",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(CustomFieldCollection {
        custom_fields: page.items.into_iter().map(Into::into).collect(),
        _links: links,
    }))
}

/// POST /contact_custom_fields
#[utoipa::path(
    post,
    path = "/contact_custom_fields",
    operation_id = "createCustomFields",
    tag = "Contacts Custom Fields",
    summary = "POST (create) a custom_field",
    request_body = CustomFieldCreateBody,
    responses(
        (status = 201, description = "New custom field successfully created",
            body = CustomFieldResource),
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<CustomFieldCreateBody>,
) -> Result<(StatusCode, Json<CustomFieldResource>), ApiError> {
    let draft = CustomFieldDraft::try_from(body)?;
    let field = rules(CustomField::create(draft, Timestamp::now()))?;
    state
        .store
        .create_custom_field(caller.account, &field, MAX_CUSTOM_FIELDS_PER_ACCOUNT)
        .await?;
    Ok((StatusCode::CREATED, Json(field.into())))
}

/// GET /contact_custom_fields/{custom_field_id}
#[utoipa::path(
    get,
    path = "/contact_custom_fields/{custom_field_id}",
    operation_id = "getCustomField",
    tag = "Contacts Custom Fields",
    summary = "GET a custom_field",
    params(
        ("custom_field_id" = String, Path, description = "The ID that uniquely identifies the \
            custom field."),
    ),
    responses(
        (status = 200, description = "Request successful", body = CustomFieldResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CustomFieldId>,
) -> Result<Json<CustomFieldResource>, ApiError> {
    let field = state
        .store
        .custom_field(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(field.into()))
}

/// PUT /contact_custom_fields/{custom_field_id}: label and choices are replaced; omitted ones
/// would become null, so `label` is required (a field cannot lose its label) and a select
/// field must keep at least one choice.
#[utoipa::path(
    put,
    path = "/contact_custom_fields/{custom_field_id}",
    operation_id = "updateCustomField",
    tag = "Contacts Custom Fields",
    summary = "Update a custom field.",
    params(
        ("custom_field_id" = String, Path, description = "The ID that uniquely identifies the \
            custom field to update."),
    ),
    request_body = CustomFieldReplaceBody,
    responses(
        (status = 200, description = "Success - custom_field updated", body = CustomFieldResource),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CustomFieldId>,
    Body(body): Body<CustomFieldReplaceBody>,
) -> Result<Json<CustomFieldResource>, ApiError> {
    let put = CustomFieldReplacement::try_from(body)?;
    let existing = state
        .store
        .custom_field(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let updated = rules(existing.replace(put, Timestamp::now()))?;
    if !state
        .store
        .update_custom_field(caller.account, &updated)
        .await?
    {
        return Err(not_found(id));
    }
    Ok(Json(updated.into()))
}

/// DELETE /contact_custom_fields/{custom_field_id}
#[utoipa::path(
    delete,
    path = "/contact_custom_fields/{custom_field_id}",
    operation_id = "deleteCustomField",
    tag = "Contacts Custom Fields",
    summary = "DELETE a custom_field",
    params(
        ("custom_field_id" = String, Path, description = "The ID that uniquely identifies the \
            custom field to delete."),
    ),
    responses(
        (status = 204, description = "Request successful; No content returned"),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CustomFieldId>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_custom_field(caller.account, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(id))
    }
}
