//! Contacts Custom Fields: GET/POST /contact_custom_fields and GET/PUT/DELETE
//! /contact_custom_fields/{custom_field_id}. The request types convert into the domain's
//! drafts here; the domain owns the rules, the store the quota and uniqueness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::custom_field::{
    ChoiceInput, CustomField, CustomFieldChoice, CustomFieldDraft, CustomFieldMetadata,
    CustomFieldReplacement, CustomFieldType, DisplayType, MAX_CHOICE_LABEL_LEN,
    MAX_CUSTOM_FIELDS_PER_ACCOUNT, MAX_DROPDOWN_CHOICES, MAX_LABEL_LEN,
};
use roster_domain::{CustomFieldId, PageRequest, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::error::ApiError;
use crate::wire::{date_time, Body, Check, Field, IdPath, PageLinks, Param, Problems, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 100;
const TYPE_NAMES: [&str; 6] = [
    "string",
    "date",
    "number",
    "currency",
    "single_select",
    "multi_select",
];

#[derive(Serialize, ToSchema)]
pub struct CustomFieldResource {
    custom_field_id: String,
    label: String,
    name: String,
    #[serde(rename = "type")]
    field_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    metadata: Option<MetadataResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    choices: Option<Vec<ChoiceResource>>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
struct MetadataResource {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    display_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    allow_negative: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    decimal_places: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    integer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    display_format: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ChoiceResource {
    custom_field_id: String,
    choice_id: i64,
    choice_label: String,
    display_order: i64,
    created_at: String,
    updated_at: String,
}

impl From<CustomField> for CustomFieldResource {
    fn from(field: CustomField) -> Self {
        let id = field.id.to_string();
        let choices = field.field_type.has_choices().then(|| {
            field
                .choices
                .iter()
                .map(|choice: &CustomFieldChoice| ChoiceResource {
                    custom_field_id: id.clone(),
                    choice_id: choice.choice_id,
                    choice_label: choice.choice_label.clone(),
                    display_order: choice.display_order,
                    created_at: date_time(Timestamp::from_millis(choice.created_at_millis)),
                    updated_at: date_time(Timestamp::from_millis(choice.updated_at_millis)),
                })
                .collect()
        });
        CustomFieldResource {
            custom_field_id: id,
            label: field.label,
            name: field.name,
            field_type: field.field_type.as_str(),
            metadata: field.metadata.map(|m| MetadataResource {
                display_type: m.display_type.map(DisplayType::as_str),
                allow_negative: m.allow_negative,
                decimal_places: m.decimal_places,
                currency_code: m.currency_code,
                integer: m.integer,
                display_format: m.display_format,
            }),
            version: field.version,
            choices,
            created_at: date_time(field.created_at),
            updated_at: date_time(field.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CustomFieldCollection {
    custom_fields: Vec<CustomFieldResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    _links: Option<PageLinks>,
}

/// Turns the domain's rule violations into the 400 they are.
fn rules(
    result: Result<CustomField, Vec<roster_domain::custom_field::FieldError>>,
) -> Result<CustomField, ApiError> {
    result.map_err(ApiError::Validation)
}

fn not_found(id: CustomFieldId) -> ApiError {
    ApiError::NotFound(format!("The custom field {id} was not found."))
}

/// The query of GET /contact_custom_fields.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldsQuery {
    /// Specifies the number of results displayed per page of output, from 1 - 100, default = 50.
    #[param(value_type = Option<i64>)]
    limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    cursor: Param,
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
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    Query(params, query): Query<CustomFieldsQuery>,
) -> Result<Json<CustomFieldCollection>, ApiError> {
    let (limit, after) =
        state
            .cursors
            .page_at(&params.limit, &params.cursor, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            key.parse::<CustomFieldId>()
                .map_err(|_| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
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
        (status = 201, description = "New custom field successfully created", body = CustomFieldResource),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Conflicting, crate::wire::responses::BodyRejected, crate::wire::responses::Answers,
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
        ("custom_field_id" = String, Path, description = "The ID that uniquely identifies the custom field."),
    ),
    responses(
        (status = 200, description = "Request successful", body = CustomFieldResource),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Missing, crate::wire::responses::Answers,
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
        ("custom_field_id" = String, Path, description = "The ID that uniquely identifies the custom field to update."),
    ),
    request_body = CustomFieldReplaceBody,
    responses(
        (status = 200, description = "Success - custom_field updated", body = CustomFieldResource),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Missing, crate::wire::responses::BodyRejected, crate::wire::responses::Answers,
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
        ("custom_field_id" = String, Path, description = "The ID that uniquely identifies the custom field to delete."),
    ),
    responses(
        (status = 204, description = "Request successful; No content returned"),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Missing, crate::wire::responses::Answers,
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

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(get, replace, delete))
}

// ---------------------------------------------------------------------------------------------
// Request bodies: parsed into these types, which also give the document its schemas, then
// checked into the domain's drafts (every problem reported at once).

/// `metadata` of a custom field body.
#[derive(Deserialize, ToSchema)]
pub struct MetadataBody {
    #[schema(value_type = String, required = false)]
    display_type: Field<String>,
    #[schema(value_type = bool, required = false)]
    allow_negative: Field<bool>,
    #[schema(value_type = i64, required = false)]
    decimal_places: Field<i64>,
    #[schema(value_type = String, required = false, max_length = 3)]
    currency_code: Field<String>,
    #[schema(value_type = bool, required = false)]
    integer: Field<bool>,
    #[schema(value_type = String, required = false, max_length = 20)]
    display_format: Field<String>,
}

impl MetadataBody {
    fn check(c: &mut Check<'_>, metadata: Self) -> CustomFieldMetadata {
        CustomFieldMetadata {
            display_type: c.enumerated(
                "display_type",
                metadata.display_type,
                &["radio", "checkbox", "dropdown"],
                DisplayType::parse,
            ),
            allow_negative: c.boolean("allow_negative", metadata.allow_negative),
            decimal_places: c.integer("decimal_places", metadata.decimal_places),
            currency_code: c.string("currency_code", metadata.currency_code, 3),
            integer: c.boolean("integer", metadata.integer),
            display_format: c.string("display_format", metadata.display_format, 20),
        }
    }
}

/// A choice of a new dropdown field.
#[derive(Deserialize, ToSchema)]
pub struct NewChoiceBody {
    #[schema(value_type = String, max_length = 255)]
    choice_label: Field<String>,
    #[schema(value_type = i64, required = false)]
    display_order: Field<i64>,
}

impl NewChoiceBody {
    fn check(c: &mut Check<'_>, choice: Self) -> Option<ChoiceInput> {
        let choice_label =
            c.required_string("choice_label", choice.choice_label, MAX_CHOICE_LABEL_LEN);
        let display_order = c.integer("display_order", choice.display_order);
        Some(ChoiceInput {
            choice_id: None,
            choice_label: choice_label?,
            display_order,
        })
    }
}

/// A choice of a replaced field: an existing one keeps its `choice_id`.
#[derive(Deserialize, ToSchema)]
pub struct ChoiceBody {
    #[schema(value_type = i64, required = false)]
    choice_id: Field<i64>,
    #[schema(value_type = String, max_length = 255)]
    choice_label: Field<String>,
    #[schema(value_type = i64, required = false)]
    display_order: Field<i64>,
}

impl ChoiceBody {
    fn check(c: &mut Check<'_>, choice: Self) -> Option<ChoiceInput> {
        let choice_id = c.integer("choice_id", choice.choice_id);
        let choice_label =
            c.required_string("choice_label", choice.choice_label, MAX_CHOICE_LABEL_LEN);
        let display_order = c.integer("display_order", choice.display_order);
        Some(ChoiceInput {
            choice_id,
            choice_label: choice_label?,
            display_order,
        })
    }
}

/// POST /contact_custom_fields
#[derive(Deserialize, ToSchema)]
pub struct CustomFieldCreateBody {
    #[schema(value_type = String, max_length = 50)]
    label: Field<String>,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    field_type: Field<String>,
    #[schema(value_type = MetadataBody, required = false)]
    metadata: Field<MetadataBody>,
    #[schema(value_type = Vec<NewChoiceBody>, required = false, max_items = 100)]
    choices: Field<Vec<Field<NewChoiceBody>>>,
    #[schema(value_type = i64, required = false)]
    version: Field<i64>,
}

impl TryFrom<CustomFieldCreateBody> for CustomFieldDraft {
    type Error = ApiError;

    fn try_from(body: CustomFieldCreateBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let label = c.required_string("label", body.label, MAX_LABEL_LEN);
            let field_type = if body.field_type.is_present() {
                c.enumerated("type", body.field_type, &TYPE_NAMES, CustomFieldType::parse)
            } else {
                c.error("type", "is required");
                None
            };
            let metadata = c.object("metadata", body.metadata, MetadataBody::check);
            let version = c.integer("version", body.version);
            let choices = c.objects(
                "choices",
                body.choices,
                MAX_DROPDOWN_CHOICES,
                NewChoiceBody::check,
            );
            Some(CustomFieldDraft {
                label: label?,
                field_type: field_type?,
                metadata,
                version,
                choices,
            })
        })
    }
}

/// PUT /contact_custom_fields/{custom_field_id}
#[derive(Deserialize, ToSchema)]
pub struct CustomFieldReplaceBody {
    #[schema(value_type = String, max_length = 50)]
    label: Field<String>,
    #[schema(value_type = Vec<ChoiceBody>, required = false, max_items = 100)]
    choices: Field<Vec<Field<ChoiceBody>>>,
}

impl TryFrom<CustomFieldReplaceBody> for CustomFieldReplacement {
    type Error = ApiError;

    fn try_from(body: CustomFieldReplaceBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let label = c.required_string("label", body.label, MAX_LABEL_LEN);
            let choices = c.objects(
                "choices",
                body.choices,
                MAX_DROPDOWN_CHOICES,
                ChoiceBody::check,
            );
            Some(CustomFieldReplacement {
                label: label?,
                choices,
            })
        })
    }
}
