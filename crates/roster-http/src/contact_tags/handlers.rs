//! The Contact Tags handlers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_activities::start::{StartError, StartRequest};
use roster_domain::tag::Tag;
use roster_domain::{PageRequest, TagId, Timestamp};

use super::bodies::{NewTag, TagCreateBody, TagName, TagRenameBody};
use super::query::{TagQuery, TagsQuery};
use super::resources::{OneTagDeleteActivity, TagCollection, TagResource};
use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::{Body, IdPath, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;

fn not_found(id: TagId) -> ApiError {
    ApiError::NotFound(format!("The tag {id} was not found."))
}

/// GET /contact_tags
#[utoipa::path(
    get,
    path = "/contact_tags",
    operation_id = "getAllTags",
    tag = "Contact Tags",
    summary = "GET Details for All Tags",
    params(TagsQuery),
    responses(
        (status = 200, description = "Request Successful", body = TagCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    Query(params, query): Query<TagsQuery>,
) -> Result<Json<TagCollection>, ApiError> {
    let PageRequest { limit, after } = state.cursors.page_request::<TagId>(
        &params.limit,
        &params.cursor,
        PAGE_DEFAULT,
        PAGE_MAX,
    )?;
    let include_count = params
        .include_count
        .boolean("include_count")?
        .unwrap_or(false);
    let page = state
        .store
        .tags(caller.account, PageRequest { limit, after })
        .await?;
    let links = state.cursors.links(
        "/v3/contact_tags",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(TagCollection {
        tags: page
            .items
            .into_iter()
            .map(|t| TagResource::new(t, include_count))
            .collect(),
        _links: links,
    }))
}

/// POST /contact_tags
#[utoipa::path(
    post,
    path = "/contact_tags",
    operation_id = "postTag",
    tag = "Contact Tags",
    summary = "POST (Create) a Tag",
    request_body = TagCreateBody,
    responses(
        (status = 201, description = "Request Successful", body = TagResource),
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<TagCreateBody>,
) -> Result<(StatusCode, Json<TagResource>), ApiError> {
    let NewTag { name, tag_source } = NewTag::try_from(body)?;
    let tag = Tag::create(name, tag_source, Timestamp::now());
    state.store.create_tag(caller.account, &tag).await?;
    Ok((StatusCode::CREATED, Json(TagResource::new(tag, true))))
}

/// GET /contact_tags/{tag_id}
#[utoipa::path(
    get,
    path = "/contact_tags/{tag_id}",
    operation_id = "getTag",
    tag = "Contact Tags",
    summary = "GET Tag Details",
    params(
        ("tag_id" = String, Path,
            description = "The ID that uniquely identifies a tag (UUID format)."),
        TagQuery,
    ),
    responses(
        (status = 200, description = "Request Successful", body = TagResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<TagId>,
    Query(params, _): Query<TagQuery>,
) -> Result<Json<TagResource>, ApiError> {
    let include_count = params
        .include_count
        .boolean("include_count")?
        .unwrap_or(false);
    let tag = state
        .store
        .tag(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(TagResource::new(tag, include_count)))
}

/// PUT /contact_tags/{tag_id}: renames the tag.
#[utoipa::path(
    put,
    path = "/contact_tags/{tag_id}",
    operation_id = "putTag",
    tag = "Contact Tags",
    summary = "PUT (Update) a Tag",
    params(
        ("tag_id" = String, Path, description = "The system generated ID used to uniquely \
            identify the tag that you want to rename (UUID format)."),
    ),
    request_body = TagRenameBody,
    responses(
        (status = 200, description = "Request Successful", body = TagResource),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn rename(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<TagId>,
    Body(body): Body<TagRenameBody>,
) -> Result<Json<TagResource>, ApiError> {
    let TagName(name) = TagName::try_from(body)?;
    let mut tag = state
        .store
        .tag(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    tag.name = name;
    tag.updated_at = Timestamp::now();
    if !state.store.update_tag(caller.account, &tag).await? {
        return Err(not_found(id));
    }
    Ok(Json(TagResource::new(tag, true)))
}

/// DELETE /contact_tags/{tag_id}: queues the tag's deletion (its taggings go with it, its
/// contacts stay) and answers 202 with the activity.
#[utoipa::path(
    delete,
    path = "/contact_tags/{tag_id}",
    operation_id = "deleteTag",
    tag = "Contact Tags",
    summary = "DELETE a Tag",
    params(
        ("tag_id" = String, Path, description = "The ID that uniquely identifies a tag in UUID \
            format."),
    ),
    responses(
        (status = 202, description = "The asynchronous request was successfully accepted. \
            To view the results of the activity request, use the href link returned in the \
            response.",
            body = OneTagDeleteActivity),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<TagId>,
) -> Result<(StatusCode, Json<OneTagDeleteActivity>), ApiError> {
    let request = StartRequest::DeleteTags(vec![id]);
    let activity = state
        .start_activity(caller.account, request)
        .await
        .map_err(|error| match error {
            StartError::UnknownTags { .. } => not_found(id),
            other => other.into(),
        })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(OneTagDeleteActivity::from(&activity)),
    ))
}
