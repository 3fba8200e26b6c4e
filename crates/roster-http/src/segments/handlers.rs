//! The Segments handlers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::segment::{SegmentKey, SegmentSort};
use roster_domain::Timestamp;

use super::bodies::{SegmentBody, SegmentDraft, SegmentRename, SegmentRenameBody};
use super::criteria::{checked_criteria, CriteriaSource};
use super::query::SegmentsQuery;
use super::resources::{SegmentCollection, SegmentResource, SegmentSummary};
use crate::auth::{Caller, ListsRead, ListsWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::{Body, IdPath, Query};
use crate::AppState;
use roster_domain::SegmentId;

const PAGE_DEFAULT: u32 = 1000;
const PAGE_MAX: u32 = 1000;

fn not_found(id: SegmentId) -> ApiError {
    ApiError::NotFound(format!("The segment {} was not found.", id.0))
}

/// GET /segments
#[utoipa::path(
    get,
    path = "/segments",
    operation_id = "getAllSegments",
    tag = "Segments",
    summary = "GET all Segments",
    params(SegmentsQuery),
    responses(
        (status = 200, description = "Request successful.", body = SegmentCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    Query(params, query): Query<SegmentsQuery>,
) -> Result<Json<SegmentCollection>, ApiError> {
    let sort = match params.sort_by.one_of("sort_by", &["date", "name"])? {
        Some("name") => SegmentSort::Name,
        _ => SegmentSort::Date,
    };
    let (limit, after) =
        state
            .cursors
            .page_at(&params.limit, &params.cursor, PAGE_DEFAULT, PAGE_MAX)?;
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
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    Body(body): Body<SegmentBody>,
) -> Result<(StatusCode, Json<SegmentResource>), ApiError> {
    let SegmentDraft { name, criteria } = SegmentDraft::try_from(body)?;
    checked_criteria(&state, caller.account, &criteria, CriteriaSource::Request).await?;
    let segment = state
        .store
        .create_segment(caller.account, &name, &criteria, Timestamp::now())
        .await?;
    Ok((StatusCode::CREATED, Json(SegmentResource::new(segment))))
}

/// GET /segments/{segment_id}: a deleted segment too (the spec: "details about a deleted
/// segment"); every other operation treats it as gone.
#[utoipa::path(
    get,
    path = "/segments/{segment_id}",
    operation_id = "getSegmentById",
    tag = "Segments",
    summary = "GET a Segment's Details",
    params(
        ("segment_id" = i64, Path, description = "The system-generated unique ID that \
            identifies a segment."),
    ),
    responses(
        (status = 200, description = "The segment was successfully returned.",
            body = SegmentResource),
        Invalid, Scoped, Missing, Answers,
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
        .segment_with_deleted(caller.account, id)
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
        ("segment_id" = i64, Path, description = "The system generated ID that uniquely \
            identifies the segment that you want to modify."),
    ),
    request_body = SegmentBody,
    responses(
        (status = 200, description = "The segment was successfully updated.",
            body = SegmentResource),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
    Body(body): Body<SegmentBody>,
) -> Result<Json<SegmentResource>, ApiError> {
    let SegmentDraft { name, criteria } = SegmentDraft::try_from(body)?;
    let mut segment = state
        .store
        .segment(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    checked_criteria(&state, caller.account, &criteria, CriteriaSource::Request).await?;
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
        ("segment_id" = i64, Path, description = "The system generated ID that uniquely \
            identifies the segment that you want to modify."),
    ),
    request_body = SegmentRenameBody,
    responses(
        (status = 200, description = "The segment name was successfully updated.",
            body = SegmentResource),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn rename(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
    Body(body): Body<SegmentRenameBody>,
) -> Result<Json<SegmentResource>, ApiError> {
    let SegmentRename { name } = SegmentRename::try_from(body)?;
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
        ("segment_id" = i64, Path, description = "The system generated ID that uniquely \
            identifies the segment."),
    ),
    responses(
        (status = 204, description = "The segment was successfully deleted."),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .delete_segment(caller.account, id, Timestamp::now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(id))
    }
}
