//! Contact Lists: GET/POST /contact_lists, GET/PUT/DELETE /contact_lists/{list_id} and
//! GET /contact_lists/list_id_xrefs. DELETE starts a bulk activity and answers 202 with it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::contact_list::{
    ContactList, ListInput, ListStatusFilter, MAX_LISTS_PER_ACCOUNT, MAX_LIST_NAME_LEN,
};
use roster_domain::{ListId, PageRequest, StoreError, Timestamp};
use serde::Serialize;

use crate::auth::{Caller, ListsRead, ListsWrite};
use crate::error::ApiError;
use crate::wire::{date_time, IdPath, JsonBody, PageLinks, QueryParams};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 1000;
/// List descriptions have no documented limit; this keeps them to a sane size.
const MAX_DESCRIPTION_LEN: usize = 10_000;

#[derive(Serialize)]
pub struct ListResource {
    list_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    favorite: bool,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    membership_count: Option<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MembershipCount {
    None,
    All,
    Active,
}

impl ListResource {
    fn new(list: ContactList, count: MembershipCount) -> Self {
        ListResource {
            list_id: list.id.to_string(),
            name: list.name,
            description: list.description,
            favorite: list.favorite,
            created_at: date_time(list.created_at),
            updated_at: date_time(list.updated_at),
            deleted_at: list.deleted_at.map(date_time),
            membership_count: match count {
                MembershipCount::None => None,
                MembershipCount::All => Some(list.member_count),
                MembershipCount::Active => Some(list.active_member_count),
            },
        }
    }
}

#[derive(Serialize)]
pub struct ListCollection {
    lists: Vec<ListResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lists_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    _links: Option<PageLinks>,
}

fn membership_count(query: &QueryParams) -> Result<MembershipCount, ApiError> {
    Ok(
        match query.one_of("include_membership_count", &["all", "active"])? {
            None => MembershipCount::None,
            Some("active") => MembershipCount::Active,
            Some(_) => MembershipCount::All,
        },
    )
}

fn read_list_input(body: JsonBody) -> Result<ListInput, ApiError> {
    let input = body.read_object(|r| {
        let name = r.required_string("name", MAX_LIST_NAME_LEN);
        let description = r.string("description", MAX_DESCRIPTION_LEN);
        let favorite = r.boolean("favorite");
        Some(ListInput {
            name: name?,
            description,
            favorite: favorite.unwrap_or(false),
        })
    })?;
    input.checked().map_err(ApiError::Validation)
}

fn not_found(id: ListId) -> ApiError {
    ApiError::NotFound(format!("The contact list {id} was not found."))
}

/// GET /contact_lists
pub async fn list(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<ListCollection>, ApiError> {
    let (limit, after) = state
        .cursors
        .page_position(&query, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            key.parse::<ListId>()
                .map_err(|_| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let include_count = query.boolean("include_count")?.unwrap_or(false);
    let count = membership_count(&query)?;
    query.boolean("include_sms_membership_count")?;
    let statuses = query.all_of("status", &["all", "active", "deleted"])?;
    let status = match (
        statuses.contains(&"all"),
        statuses.contains(&"active"),
        statuses.contains(&"deleted"),
    ) {
        (true, _, _) | (false, true, true) => ListStatusFilter::All,
        (false, false, true) => ListStatusFilter::Deleted,
        _ => ListStatusFilter::Active,
    };
    let name = query
        .single("name")
        .map(str::trim)
        .filter(|n| !n.is_empty());
    // Roster has email lists only: an SMS list collection is empty.
    if query.one_of("channel_type", &["email", "sms"])? == Some("sms") {
        return Ok(Json(ListCollection {
            lists: Vec::new(),
            lists_count: include_count.then_some(0),
            _links: None,
        }));
    }
    let page = state
        .store
        .lists(caller.account, status, name, PageRequest { limit, after })
        .await?;
    let lists_count = if include_count {
        Some(
            state
                .store
                .count_lists(caller.account, status, name)
                .await?,
        )
    } else {
        None
    };
    let links = state.cursors.links(
        "/v3/contact_lists",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(ListCollection {
        lists: page
            .items
            .into_iter()
            .map(|l| ListResource::new(l, count))
            .collect(),
        lists_count,
        _links: links,
    }))
}

/// POST /contact_lists
pub async fn create(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<ListResource>), ApiError> {
    let input = read_list_input(body)?;
    let list = ContactList::create(input, Timestamp::now());
    state
        .store
        .create_list(caller.account, &list, MAX_LISTS_PER_ACCOUNT)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ListResource::new(list, MembershipCount::None)),
    ))
}

/// GET /contact_lists/{list_id}
pub async fn get(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ListId>,
    query: QueryParams,
) -> Result<Json<ListResource>, ApiError> {
    let count = membership_count(&query)?;
    let list = state
        .store
        .list(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(ListResource::new(list, count)))
}

/// PUT /contact_lists/{list_id}: name, description and favorite are replaced.
pub async fn replace(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ListId>,
    body: JsonBody,
) -> Result<Json<ListResource>, ApiError> {
    let input = read_list_input(body)?;
    let existing = state
        .store
        .list(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let updated = existing.replace(input, Timestamp::now());
    // The document declares no 409 for this operation: a taken name is a bad `name`.
    let stored = match state.store.update_list(caller.account, &updated).await {
        Err(StoreError::Conflict(_)) => Err(ApiError::invalid(
            "name",
            "is already used by another contact list",
        )),
        other => other.map_err(ApiError::from),
    }?;
    if !stored {
        return Err(not_found(id));
    }
    Ok(Json(ListResource::new(updated, MembershipCount::None)))
}

/// DELETE /contact_lists/{list_id}: queues the list's deletion (its memberships go with it,
/// its contacts stay) and answers 202 with the activity.
pub async fn delete(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ListId>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    if state
        .store
        .existing_lists(caller.account, &[id])
        .await?
        .is_empty()
    {
        return Err(not_found(id));
    }
    let activity = crate::activities::start_list_delete(&state, caller.account, vec![id]).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(crate::activities::render(
            &activity,
            crate::activities::Shape::OneListDelete,
        )),
    ))
}

#[derive(Serialize)]
pub struct Xrefs {
    pub xrefs: Vec<serde_json::Value>,
}

/// Checks `sequence_ids` of an xrefs request: V2 sequence ids are positive integers.
pub fn check_sequence_ids(query: &QueryParams) -> Result<(), ApiError> {
    let ids = query.list("sequence_ids");
    if ids.is_empty() {
        return Err(ApiError::invalid("sequence_ids", "is required"));
    }
    if ids.len() > 500 {
        return Err(ApiError::invalid(
            "sequence_ids",
            "may name at most 500 ids",
        ));
    }
    if let Some(bad) = ids.iter().find(|id| id.parse::<u64>().is_err()) {
        return Err(ApiError::invalid(
            "sequence_ids",
            format!("holds {bad}, which is not a V2 sequence id"),
        ));
    }
    Ok(())
}

/// GET /contact_lists/list_id_xrefs: Roster never had V2 ids, so no sequence id maps to a list.
pub async fn xrefs(
    _caller: Caller<ListsRead>,
    query: QueryParams,
) -> Result<Json<Xrefs>, ApiError> {
    check_sequence_ids(&query)?;
    Ok(Json(Xrefs { xrefs: Vec::new() }))
}
