//! Segments: GET/POST /segments, GET/PUT/DELETE /segments/{segment_id} and
//! PATCH /segments/{segment_id}/name. Criteria are parsed and checked by the domain
//! (roster_domain::segment) and compiled to SQL by the stores; GET /contacts?segment_id= uses
//! the same evaluation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::segment::{
    parse_criteria, CriteriaContext, Node, Segment, SegmentKey, SegmentSort, MAX_CRITERIA_LEN,
    MAX_NAME_LEN,
};
use roster_domain::FieldError;
use roster_domain::{AccountId, SegmentId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, ListsRead, ListsWrite};
use crate::error::ApiError;
use crate::wire::{date_time, IdPath, JsonBody, PageLinks, QueryParams};
use crate::AppState;

const PAGE_DEFAULT: u32 = 1000;
const PAGE_MAX: u32 = 1000;

/// A segment as GET /segments lists it: without its criteria.
#[derive(Serialize, ToSchema)]
pub struct SegmentSummary {
    name: String,
    segment_id: i64,
    created_at: String,
    edited_at: String,
}

impl SegmentSummary {
    fn new(segment: &Segment) -> Self {
        SegmentSummary {
            name: segment.name.clone(),
            segment_id: segment.id.0,
            created_at: date_time(segment.created_at),
            edited_at: date_time(segment.edited_at),
        }
    }
}

/// One segment with its criteria.
#[derive(Serialize, ToSchema)]
pub struct SegmentResource {
    #[serde(flatten)]
    summary: SegmentSummary,
    segment_criteria: String,
}

impl SegmentResource {
    fn new(segment: Segment) -> Self {
        SegmentResource {
            summary: SegmentSummary::new(&segment),
            segment_criteria: segment.criteria,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SegmentCollection {
    segments: Vec<SegmentSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    _links: Option<PageLinks>,
}

fn not_found(id: SegmentId) -> ApiError {
    ApiError::NotFound(format!("The segment {} was not found.", id.0))
}

fn checked_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.map(|n| n.trim().to_string()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be blank"));
    }
    Ok(name)
}

/// Parses criteria against the account: its custom fields, lists and tags must exist.
pub async fn checked_criteria(
    state: &AppState,
    account: AccountId,
    text: &str,
) -> Result<Node, ApiError> {
    let definitions = state.store.all_custom_fields(account).await?;
    let (node, referenced) = parse_criteria(
        text,
        &CriteriaContext {
            custom_fields: &definitions,
        },
        Timestamp::now(),
    )
    .map_err(ApiError::Validation)?;
    let mut errors = Vec::new();
    let lists = state
        .store
        .existing_lists(account, &referenced.lists)
        .await?;
    for list in referenced.lists.iter().filter(|l| !lists.contains(l)) {
        errors.push(FieldError::new(
            "segment_criteria",
            format!("names the list {list}, which is not a contact list of this account"),
        ));
    }
    let tags = state.store.existing_tags(account, &referenced.tags).await?;
    for tag in referenced.tags.iter().filter(|t| !tags.contains(t)) {
        errors.push(FieldError::new(
            "segment_criteria",
            format!("names the tag {tag}, which is not a tag of this account"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(node)
}

fn read_segment_body(body: JsonBody) -> Result<(String, String), ApiError> {
    let (name, criteria) = body.read_object(|r| {
        let name = r.required_string("name", MAX_NAME_LEN);
        let criteria = r.required_string("segment_criteria", MAX_CRITERIA_LEN);
        Some((name, criteria?))
    })?;
    Ok((checked_name(name)?, criteria))
}

/// GET /segments
#[utoipa::path(
    get,
    path = "/segments",
    operation_id = "getAllSegments",
    tag = "Segments",
    summary = "GET all Segments",
    params(
        ("sort_by" = Option<String>, Query, description = "Specify the segment sort order to use."),
        ("limit" = Option<i64>, Query, description = "The number of segments to return on a page."),
        ("cursor" = Option<String>, Query, description = "The opaque cursor of a `_links.next.href`; pages on from where the previous page ended."),
    ),
    responses(
        (status = 200, description = "Request successful.", body = SegmentCollection),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<SegmentCollection>, ApiError> {
    let sort = match query.one_of("sort_by", &["date", "name"])? {
        Some("name") => SegmentSort::Name,
        _ => SegmentSort::Date,
    };
    let (limit, after) = state
        .cursors
        .page_position(&query, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            SegmentKey::decode(&key)
                .filter(|k| {
                    matches!(
                        (k, sort),
                        (SegmentKey::Date { .. }, SegmentSort::Date)
                            | (SegmentKey::Name { .. }, SegmentSort::Name)
                    )
                })
                .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let page = state
        .store
        .segments(caller.account, sort, after, limit)
        .await?;
    let links = state.cursors.links(
        "/v3/segments",
        &query,
        limit,
        page.next.map(|key| key.encode()),
    );
    Ok(Json(SegmentCollection {
        segments: page
            .items
            .into_iter()
            .map(|s| SegmentSummary::new(&s))
            .collect(),
        _links: links,
    }))
}

/// POST /segments
#[utoipa::path(
    post,
    path = "/segments",
    operation_id = "createSegment",
    tag = "Segments",
    summary = "POST (create) a Segment",
    request_body = SegmentBody,
    responses(
        (status = 201, description = "Segment successfully created.", body = SegmentResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<SegmentResource>), ApiError> {
    let (name, criteria) = read_segment_body(body)?;
    checked_criteria(&state, caller.account, &criteria).await?;
    let segment = state
        .store
        .create_segment(caller.account, &name, &criteria, Timestamp::now())
        .await?;
    Ok((StatusCode::CREATED, Json(SegmentResource::new(segment))))
}

/// GET /segments/{segment_id}
#[utoipa::path(
    get,
    path = "/segments/{segment_id}",
    operation_id = "getSegmentById",
    tag = "Segments",
    summary = "GET a Segment's Details",
    params(
        ("segment_id" = i64, Path, description = "The system-generated unique ID that identifies a segment."),
    ),
    responses(
        (status = 200, description = "The segment was successfully returned.", body = SegmentResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
) -> Result<Json<SegmentResource>, ApiError> {
    let segment = state
        .store
        .segment(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(SegmentResource::new(segment)))
}

/// PUT /segments/{segment_id}: name and criteria are both required.
#[utoipa::path(
    put,
    path = "/segments/{segment_id}",
    operation_id = "updateSegment",
    tag = "Segments",
    summary = "PUT (update) a Segment",
    params(
        ("segment_id" = i64, Path, description = "The system generated ID that uniquely identifies the segment that you want to modify."),
    ),
    request_body = SegmentBody,
    responses(
        (status = 200, description = "The segment was successfully updated.", body = SegmentResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
    body: JsonBody,
) -> Result<Json<SegmentResource>, ApiError> {
    let (name, criteria) = read_segment_body(body)?;
    let mut segment = state
        .store
        .segment(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    checked_criteria(&state, caller.account, &criteria).await?;
    segment.name = name;
    segment.criteria = criteria;
    segment.edited_at = Timestamp::now();
    if !state.store.update_segment(caller.account, &segment).await? {
        return Err(not_found(id));
    }
    Ok(Json(SegmentResource::new(segment)))
}

/// PATCH /segments/{segment_id}/name
#[utoipa::path(
    patch,
    path = "/segments/{segment_id}/name",
    operation_id = "updateSegmentName",
    tag = "Segments",
    summary = "PATCH (rename) a Segment",
    params(
        ("segment_id" = i64, Path, description = "The system generated ID that uniquely identifies the segment that you want to modify."),
    ),
    request_body = SegmentRenameBody,
    responses(
        (status = 200, description = "The segment name was successfully updated.", body = SegmentResource),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Conflicting, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn rename(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
    body: JsonBody,
) -> Result<Json<SegmentResource>, ApiError> {
    let name = body.read_object(|r| Some(r.required_string("name", MAX_NAME_LEN)))?;
    let name = checked_name(name)?;
    let mut segment = state
        .store
        .segment(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    segment.name = name;
    segment.edited_at = Timestamp::now();
    if !state.store.update_segment(caller.account, &segment).await? {
        return Err(not_found(id));
    }
    Ok(Json(SegmentResource::new(segment)))
}

/// DELETE /segments/{segment_id}
#[utoipa::path(
    delete,
    path = "/segments/{segment_id}",
    operation_id = "deleteSegment",
    tag = "Segments",
    summary = "DELETE a Segment",
    params(
        ("segment_id" = i64, Path, description = "The system generated ID that uniquely identifies the segment."),
    ),
    responses(
        (status = 204, description = "The segment was successfully deleted."),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_segment(caller.account, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(id))
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies as the OpenAPI document describes them. The handlers read bodies with
// `ObjectReader`, which reports every problem at once; these types state the same properties
// for the document (docs/OPENAPI.md) and are never deserialised.

/// POST /segments and PUT /segments/{segment_id}
#[derive(ToSchema)]
pub struct SegmentBody {
    pub name: String,
    /// The criteria JSON, as a string.
    pub segment_criteria: String,
}

/// PATCH /segments/{segment_id}/name
#[derive(ToSchema)]
pub struct SegmentRenameBody {
    pub name: String,
}
