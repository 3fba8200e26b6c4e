//! The Contact Lists handlers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_activities::start::{StartError, StartRequest};
use roster_domain::contact_list::{
    ContactList, ListInput, ListStatusFilter, MAX_LISTS_PER_ACCOUNT,
};
use roster_domain::{ListId, PageRequest, StoreError, Timestamp};

use super::bodies::ListBody;
use super::query::{ListQuery, ListXrefsQuery, ListsQuery};
use super::resources::{
    CountedListResource, ListCollection, ListResource, MembershipCount, OneListDeleteActivity,
};
use crate::auth::{Caller, ListsRead, ListsWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::xrefs::{check_sequence_id_list, Xrefs};
use crate::wire::{Body, IdPath, Param, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 1000;

/// The count `include_membership_count` asks for.
fn membership_count(param: &Param) -> Result<MembershipCount, ApiError> {
    Ok(
        match param.one_of("include_membership_count", &["all", "active"])? {
            None => MembershipCount::None,
            Some("active") => MembershipCount::Active,
            Some(_) => MembershipCount::All,
        },
    )
}

fn not_found(id: ListId) -> ApiError {
    ApiError::NotFound(format!("The contact list {id} was not found."))
}

/// GET /contact_lists
#[utoipa::path(
    get,
    path = "/contact_lists",
    operation_id = "getAllLists",
    tag = "Contact Lists",
    summary = "GET Lists Collection",
    params(ListsQuery),
    responses(
        (status = 200, description = "Request successful", body = ListCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    Query(params, query): Query<ListsQuery>,
) -> Result<Json<ListCollection>, ApiError> {
    let PageRequest { limit, after } = state.cursors.page_request::<ListId>(
        &params.limit,
        &params.cursor,
        PAGE_DEFAULT,
        PAGE_MAX,
    )?;
    let include_count = params
        .include_count
        .boolean("include_count")?
        .unwrap_or(false);
    let count = membership_count(&params.include_membership_count)?;
    params
        .include_sms_membership_count
        .boolean("include_sms_membership_count")?;
    let statuses = params
        .status
        .all_of("status", &["all", "active", "deleted"])?;
    let status = match (
        statuses.contains(&"all"),
        statuses.contains(&"active"),
        statuses.contains(&"deleted"),
    ) {
        (true, _, _) | (false, true, true) => ListStatusFilter::All,
        (false, false, true) => ListStatusFilter::Deleted,
        _ => ListStatusFilter::Active,
    };
    let name = params
        .name
        .single()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    // Roster has email lists only: an SMS list collection is empty.
    if params
        .channel_type
        .one_of("channel_type", &["email", "sms"])?
        == Some("sms")
    {
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
            .map(|l| CountedListResource::new(l, count))
            .collect(),
        lists_count,
        _links: links,
    }))
}

/// POST /contact_lists
#[utoipa::path(
    post,
    path = "/contact_lists",
    operation_id = "createList",
    tag = "Contact Lists",
    summary = "POST (create) a List",
    request_body = ListBody,
    responses(
        (status = 201, description = "New list successfully created", body = ListResource),
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    Body(body): Body<ListBody>,
) -> Result<(StatusCode, Json<ListResource>), ApiError> {
    let input = ListInput::try_from(body)?;
    let list = ContactList::create(input, Timestamp::now());
    state
        .store
        .create_list(caller.account, &list, MAX_LISTS_PER_ACCOUNT)
        .await?;
    Ok((StatusCode::CREATED, Json(ListResource::new(list))))
}

/// GET /contact_lists/{list_id}
#[utoipa::path(
    get,
    path = "/contact_lists/{list_id}",
    operation_id = "getList",
    tag = "Contact Lists",
    summary = "GET a List",
    params(
        ("list_id" = String, Path,
            description = "The system generated ID that uniquely identifies a contact list."),
        ListQuery,
    ),
    responses(
        (status = 200, description = "Request successful", body = CountedListResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ListsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ListId>,
    Query(params, _): Query<ListQuery>,
) -> Result<Json<CountedListResource>, ApiError> {
    let count = membership_count(&params.include_membership_count)?;
    let list = state
        .store
        .list(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(CountedListResource::new(list, count)))
}

/// PUT /contact_lists/{list_id}: name, description and favorite are replaced.
#[utoipa::path(
    put,
    path = "/contact_lists/{list_id}",
    operation_id = "updateList",
    tag = "Contact Lists",
    summary = "PUT (update) a List",
    params(
        ("list_id" = String, Path, description = "Unique ID of the contact list to update"),
    ),
    request_body = ListBody,
    responses(
        (status = 200, description = "Request successful", body = ListResource),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ListId>,
    Body(body): Body<ListBody>,
) -> Result<Json<ListResource>, ApiError> {
    let input = ListInput::try_from(body)?;
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
    Ok(Json(ListResource::new(updated)))
}

/// DELETE /contact_lists/{list_id}: queues the list's deletion (its memberships go with it,
/// its contacts stay) and answers 202 with the activity.
#[utoipa::path(
    delete,
    path = "/contact_lists/{list_id}",
    operation_id = "deleteList",
    tag = "Contact Lists",
    summary = "DELETE a List",
    params(
        ("list_id" = String, Path, description = "Unique ID of the list to delete"),
    ),
    responses(
        (status = 202, description = "Accepted", body = OneListDeleteActivity),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ListsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ListId>,
) -> Result<(StatusCode, Json<OneListDeleteActivity>), ApiError> {
    let request = StartRequest::DeleteLists(vec![id]);
    let activity = state
        .start_activity(caller.account, request)
        .await
        .map_err(|error| match error {
            StartError::UnknownLists { .. } => not_found(id),
            other => other.into(),
        })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(OneListDeleteActivity::from(&activity)),
    ))
}

/// GET /contact_lists/list_id_xrefs: Roster never had V2 ids, so no sequence id maps to a list.
#[utoipa::path(
    get,
    path = "/contact_lists/list_id_xrefs",
    operation_id = "getListIdXrefs",
    tag = "Contact Lists",
    summary = "GET a collection of V2 and V3 API List IDs",
    params(ListXrefsQuery),
    responses(
        (status = 200, description = "Request successful", body = Xrefs),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn xrefs(
    _caller: Caller<ListsRead>,
    Query(params, _): Query<ListXrefsQuery>,
) -> Result<Json<Xrefs>, ApiError> {
    check_sequence_id_list(&params.sequence_ids)?;
    Ok(Json(Xrefs { xrefs: Vec::new() }))
}
