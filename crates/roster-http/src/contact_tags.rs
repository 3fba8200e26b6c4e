//! Contact Tags: GET/POST /contact_tags and GET/PUT /contact_tags/{tag_id}. (DELETE is a bulk
//! activity.)

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::tag::{Tag, MAX_TAG_NAME_LEN};
use roster_domain::{PageRequest, TagId, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::error::ApiError;
use crate::wire::{date_time, IdPath, JsonBody, PageLinks, QueryParams};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;
const MAX_TAG_SOURCE_LEN: usize = 255;

#[derive(Serialize, ToSchema)]
pub struct TagResource {
    tag_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    contacts_count: Option<i64>,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    tag_source: Option<String>,
}

impl TagResource {
    fn new(tag: Tag, include_count: bool) -> Self {
        TagResource {
            tag_id: tag.id.to_string(),
            name: tag.name,
            contacts_count: include_count.then_some(tag.contacts_count),
            created_at: date_time(tag.created_at),
            updated_at: date_time(tag.updated_at),
            tag_source: tag.tag_source,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TagCollection {
    tags: Vec<TagResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    _links: Option<PageLinks>,
}

fn checked_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.map(|n| n.trim().to_string()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be blank"));
    }
    Ok(name)
}

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
    params(
        ("include_count" = Option<bool>, Query, description = "Returns the total number of contacts (`contacts_count`) to which a tag applies."),
        ("limit" = Option<i64>, Query, description = "Use to specify the number of tag results (up to `500`) to display per page of output."),
        ("cursor" = Option<String>, Query, description = "The opaque cursor of a `_links.next.href`; pages on from where the previous page ended."),
    ),
    responses(
        (status = 200, description = "Request Successful", body = TagCollection),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<TagCollection>, ApiError> {
    let (limit, after) = state
        .cursors
        .page_position(&query, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            key.parse::<TagId>()
                .map_err(|_| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let include_count = query.boolean("include_count")?.unwrap_or(false);
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
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Conflicting, crate::wire::responses::BodyRejected, crate::wire::responses::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<TagResource>), ApiError> {
    let (name, tag_source) = body.read_object(|r| {
        let name = r.required_string("name", MAX_TAG_NAME_LEN);
        let source = r.string("tag_source", MAX_TAG_SOURCE_LEN);
        Some((name, source))
    })?;
    let tag = Tag::create(
        checked_name(name)?,
        tag_source.filter(|s| !s.trim().is_empty()),
        Timestamp::now(),
    );
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
        ("tag_id" = String, Path, description = "The ID that uniquely identifies a tag (UUID format)."),
        ("include_count" = Option<bool>, Query, description = "Use to include (`true`) or exclude (`false`) the total number of tagged contacts (`contacts_count`) from the results."),
    ),
    responses(
        (status = 200, description = "Request Successful", body = TagResource),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Missing, crate::wire::responses::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<TagId>,
    query: QueryParams,
) -> Result<Json<TagResource>, ApiError> {
    let include_count = query.boolean("include_count")?.unwrap_or(false);
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
        ("tag_id" = String, Path, description = "The system generated ID used to uniquely identify the tag that you want to rename (UUID format)."),
    ),
    request_body = TagRenameBody,
    responses(
        (status = 200, description = "Request Successful", body = TagResource),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Missing, crate::wire::responses::Conflicting, crate::wire::responses::BodyRejected, crate::wire::responses::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn rename(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<TagId>,
    body: JsonBody,
) -> Result<Json<TagResource>, ApiError> {
    let name = body.read_object(|r| Some(r.required_string("name", MAX_TAG_NAME_LEN)))?;
    let name = checked_name(name)?;
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
        ("tag_id" = String, Path, description = "The ID that uniquely identifies a tag in UUID format."),
    ),
    responses(
        (status = 202, description = "The asynchronous request was successfully accepted. To view the results of the activity request, use the href link returned in the response.", body = crate::activities::OneTagDeleteActivity),
        crate::wire::responses::Invalid, crate::wire::responses::Scoped, crate::wire::responses::Missing, crate::wire::responses::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<TagId>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    if state.store.tag(caller.account, id).await?.is_none() {
        return Err(not_found(id));
    }
    let activity = crate::activities::start_tags_delete(&state, caller.account, vec![id]).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(crate::activities::render(
            &activity,
            crate::activities::Shape::OneTagDelete,
        )),
    ))
}

/// The section's operations: each `routes!` registers one path's handlers with the router and
/// their `#[utoipa::path]` attributes with the document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(get, rename, delete))
}

// ---------------------------------------------------------------------------------------------
// Request bodies as the OpenAPI document describes them. The handlers read bodies with
// `ObjectReader`, which reports every problem at once; these types state the same properties
// for the document (docs/OPENAPI.md) and are never deserialised.

/// POST /contact_tags
#[derive(ToSchema)]
pub struct TagCreateBody {
    pub name: String,
    #[schema(nullable = false)]
    pub tag_source: Option<String>,
}

/// PUT /contact_tags/{tag_id}
#[derive(ToSchema)]
pub struct TagRenameBody {
    pub name: String,
}
