//! Segments: GET/POST /segments, GET/PUT/DELETE /segments/{segment_id} and
//! PATCH /segments/{segment_id}/name. Criteria are parsed and checked by the domain
//! (roster_domain::segment) and compiled to SQL by the stores; GET /contacts?segment_id= uses
//! the same evaluation.

use std::str::FromStr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::custom_field::FieldError;
use roster_domain::segment::{
    parse_criteria, CriteriaContext, Node, Segment, SegmentKey, SegmentSort, MAX_CRITERIA_LEN,
    MAX_NAME_LEN,
};
use roster_domain::{AccountId, Timestamp};
use serde::Serialize;

use crate::auth::{Caller, ListsRead, ListsWrite};
use crate::error::ApiError;
use crate::wire::{date_time, IdPath, JsonBody, PageLinks, PathId, QueryParams};
use crate::AppState;

const PAGE_DEFAULT: u32 = 1000;
const PAGE_MAX: u32 = 1000;

/// `segment_id`: a positive integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentId(pub i64);

impl FromStr for SegmentId {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text.parse::<i64>() {
            Ok(id) if id > 0 && !text.starts_with('+') => Ok(Self(id)),
            _ => Err(()),
        }
    }
}

impl PathId for SegmentId {
    const PARAM: &'static str = "segment_id";
}

#[derive(Serialize)]
pub struct SegmentResource {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    segment_criteria: Option<String>,
    segment_id: i64,
    created_at: String,
    edited_at: String,
}

impl SegmentResource {
    fn new(segment: Segment, with_criteria: bool) -> Self {
        SegmentResource {
            name: segment.name,
            segment_criteria: with_criteria.then_some(segment.criteria),
            segment_id: segment.id,
            created_at: date_time(segment.created_at),
            edited_at: date_time(segment.edited_at),
        }
    }
}

#[derive(Serialize)]
pub struct SegmentCollection {
    segments: Vec<SegmentResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
            .map(|s| SegmentResource::new(s, false))
            .collect(),
        _links: links,
    }))
}

/// POST /segments
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
    Ok((
        StatusCode::CREATED,
        Json(SegmentResource::new(segment, true)),
    ))
}

/// GET /segments/{segment_id}
pub async fn get(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
) -> Result<Json<SegmentResource>, ApiError> {
    let segment = state
        .store
        .segment(caller.account, id.0)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(SegmentResource::new(segment, true)))
}

/// PUT /segments/{segment_id}: name and criteria are both required.
pub async fn replace(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
    body: JsonBody,
) -> Result<Json<SegmentResource>, ApiError> {
    let (name, criteria) = read_segment_body(body)?;
    let mut segment = state
        .store
        .segment(caller.account, id.0)
        .await?
        .ok_or_else(|| not_found(id))?;
    checked_criteria(&state, caller.account, &criteria).await?;
    segment.name = name;
    segment.criteria = criteria;
    segment.edited_at = Timestamp::now();
    if !state.store.update_segment(caller.account, &segment).await? {
        return Err(not_found(id));
    }
    Ok(Json(SegmentResource::new(segment, true)))
}

/// PATCH /segments/{segment_id}/name
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
        .segment(caller.account, id.0)
        .await?
        .ok_or_else(|| not_found(id))?;
    segment.name = name;
    segment.edited_at = Timestamp::now();
    if !state.store.update_segment(caller.account, &segment).await? {
        return Err(not_found(id));
    }
    Ok(Json(SegmentResource::new(segment, true)))
}

/// DELETE /segments/{segment_id}
pub async fn delete(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<SegmentId>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_segment(caller.account, id.0).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(id))
    }
}

#[cfg(test)]
mod tests {
    use super::SegmentId;

    #[test]
    fn segment_ids_are_positive_integers() {
        assert_eq!("14".parse::<SegmentId>(), Ok(SegmentId(14)));
        for bad in ["0", "-3", "+3", "1.5", "abc", "", "99999999999999999999"] {
            assert!(bad.parse::<SegmentId>().is_err(), "{bad}");
        }
    }
}
