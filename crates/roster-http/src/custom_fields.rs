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
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::error::ApiError;
use crate::wire::{date_time, IdPath, JsonBody, ObjectReader, PageLinks, QueryParams};
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
                    created_at: date_time(choice.created_at),
                    updated_at: date_time(choice.updated_at),
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

fn read_metadata(reader: &mut ObjectReader<'_>) -> CustomFieldMetadata {
    CustomFieldMetadata {
        display_type: reader.enumerated(
            "display_type",
            &["radio", "checkbox", "dropdown"],
            DisplayType::parse,
        ),
        allow_negative: reader.boolean("allow_negative"),
        decimal_places: reader.integer("decimal_places"),
        currency_code: reader.string("currency_code", 3),
        integer: reader.boolean("integer"),
        display_format: reader.string("display_format", 20),
    }
}

fn read_choices(reader: &mut ObjectReader<'_>, with_ids: bool) -> Option<Vec<ChoiceInput>> {
    reader.objects("choices", MAX_DROPDOWN_CHOICES, |choice| {
        let choice_id = if with_ids {
            choice.integer("choice_id")
        } else {
            None
        };
        let choice_label = choice.required_string("choice_label", MAX_CHOICE_LABEL_LEN)?;
        let display_order = choice.integer("display_order");
        Some(ChoiceInput {
            choice_id,
            choice_label,
            display_order,
        })
    })
}

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
    params(
        ("limit" = Option<i64>, Query, description = "Specifies the number of results displayed per page of output, from 1 - 100, default = 50."),
        ("cursor" = Option<String>, Query, description = "The opaque cursor of a `_links.next.href`; pages on from where the previous page ended."),
    ),
    responses(
        (status = 200, description = "Request successful", body = CustomFieldCollection),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<CustomFieldCollection>, ApiError> {
    let (limit, after) = state
        .cursors
        .page_position(&query, PAGE_DEFAULT, PAGE_MAX)?;
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
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<CustomFieldResource>), ApiError> {
    let draft = body.read_object(|r| {
        let label = r.required_string("label", MAX_LABEL_LEN);
        let field_type = if r.has("type") {
            r.enumerated("type", &TYPE_NAMES, CustomFieldType::parse)
        } else {
            r.error("type", "is required");
            None
        };
        let metadata = r.object("metadata", read_metadata);
        let version = r.integer("version");
        let choices = read_choices(r, false);
        Some(CustomFieldDraft {
            label: label?,
            field_type: field_type?,
            metadata,
            version,
            choices,
        })
    })?;
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
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
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
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CustomFieldId>,
    body: JsonBody,
) -> Result<Json<CustomFieldResource>, ApiError> {
    let put = body.read_object(|r| {
        let label = r.required_string("label", MAX_LABEL_LEN);
        let choices = read_choices(r, true);
        Some(CustomFieldReplacement {
            label: label?,
            choices,
        })
    })?;
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
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
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

// ---------------------------------------------------------------------------------------------
// Request bodies as the OpenAPI document describes them. The handlers read bodies with
// `ObjectReader`, which reports every problem at once; these types state the same properties
// for the document (docs/OPENAPI.md) and are never deserialised.

/// `metadata` of a custom field body.
#[derive(ToSchema)]
pub struct MetadataBody {
    #[schema(nullable = false)]
    pub display_type: Option<String>,
    #[schema(nullable = false)]
    pub allow_negative: Option<bool>,
    #[schema(nullable = false)]
    pub decimal_places: Option<i64>,
    #[schema(nullable = false)]
    pub currency_code: Option<String>,
    #[schema(nullable = false)]
    pub integer: Option<bool>,
    #[schema(nullable = false)]
    pub display_format: Option<String>,
}

/// A choice of a new dropdown field.
#[derive(ToSchema)]
pub struct NewChoiceBody {
    pub choice_label: String,
    #[schema(nullable = false)]
    pub display_order: Option<i64>,
}

/// A choice of a replaced field: an existing one keeps its `choice_id`.
#[derive(ToSchema)]
pub struct ChoiceBody {
    #[schema(nullable = false)]
    pub choice_id: Option<i64>,
    pub choice_label: String,
    #[schema(nullable = false)]
    pub display_order: Option<i64>,
}

/// POST /contact_custom_fields
#[derive(ToSchema)]
pub struct CustomFieldCreateBody {
    pub label: String,
    #[schema(rename = "type")]
    pub field_type: String,
    #[schema(nullable = false)]
    pub metadata: Option<MetadataBody>,
    #[schema(nullable = false)]
    pub choices: Option<Vec<NewChoiceBody>>,
    #[schema(nullable = false)]
    pub version: Option<i64>,
}

/// PUT /contact_custom_fields/{custom_field_id}
#[derive(ToSchema)]
pub struct CustomFieldReplaceBody {
    pub label: String,
    #[schema(nullable = false)]
    pub choices: Option<Vec<ChoiceBody>>,
}
