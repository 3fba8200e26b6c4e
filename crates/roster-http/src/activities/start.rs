//! Starting an activity: the references a request names are checked against the account, the
//! activity is built and queued with the engine (a full queue is 429).

use axum::http::StatusCode;
use axum::Json;
use roster_activities::{change_for, new_activity};
use roster_domain::activity::{Activity, ActivityJob, ActivityKind, ContactSelection, ImportItem};
use roster_domain::{AccountId, ListId, StoreError, TagId};
use serde_json::Value;

use super::resources::{render, Shape};
use crate::error::ApiError;
use crate::segments::criteria::checked_criteria;
use crate::AppState;

const QUEUE_FULL: &str =
    "Too many requests. You exceeded 1,000 queued activities for this user account.";

/// Queues an activity; a full queue answers 429 with the spec's text.
pub async fn queue(
    state: &AppState,
    activity: &Activity,
    job: &ActivityJob,
) -> Result<(), ApiError> {
    match state.activities.submit(activity, job).await {
        Err(StoreError::LimitReached(_)) => Err(ApiError::TooManyRequests(QUEUE_FULL.into())),
        other => Ok(other?),
    }
}

pub(super) fn created(activity: &Activity, shape: Shape) -> (StatusCode, Json<Value>) {
    (StatusCode::CREATED, Json(render(activity, shape)))
}

pub(super) async fn check_lists(
    state: &AppState,
    account: AccountId,
    ids: &[ListId],
    name: &str,
) -> Result<(), ApiError> {
    let found = state.store.existing_lists(account, ids).await?;
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(ToString::to_string)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            name,
            format!("names lists that do not exist: {}", unknown.join(", ")),
        ))
    }
}

pub(super) async fn check_tags(
    state: &AppState,
    account: AccountId,
    ids: &[TagId],
    name: &str,
) -> Result<(), ApiError> {
    let found = state.store.existing_tags(account, ids).await?;
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(ToString::to_string)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            name,
            format!("names tags that do not exist: {}", unknown.join(", ")),
        ))
    }
}

/// How many contacts a selection names now (the activity's `items_total_count`).
pub(super) async fn selection_total(
    state: &AppState,
    account: AccountId,
    selection: &ContactSelection,
) -> Result<i64, ApiError> {
    if let Some(ids) = &selection.contact_ids {
        return Ok(ids.len() as i64);
    }
    let filter = roster_activities::selection_filter(state.store.as_ref(), account, selection)
        .await?
        .map_err(ApiError::BadRequest)?;
    Ok(state.store.count_contacts(account, &filter).await?)
}

/// A selection's segment must be one of the account's, with criteria that still parse.
pub(super) async fn check_segment(
    state: &AppState,
    account: AccountId,
    selection: &ContactSelection,
    field: &str,
) -> Result<(), ApiError> {
    let Some(id) = selection.segment_id else {
        return Ok(());
    };
    let segment = state.store.segment(account, id).await?.ok_or_else(|| {
        ApiError::invalid(field, format!("{id} is not a segment of this account"))
    })?;
    checked_criteria(state, account, &segment.criteria).await?;
    Ok(())
}

pub(super) async fn start_import(
    state: &AppState,
    account: AccountId,
    kind: ActivityKind,
    file_name: Option<String>,
    list_ids: Vec<ListId>,
    items: Vec<ImportItem>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut activity = new_activity(account, kind, items.len() as i64);
    activity.source_file_name = file_name;
    activity.list_count = list_ids.len() as i64;
    queue(state, &activity, &ActivityJob::Import { list_ids, items }).await?;
    Ok(created(&activity, Shape::Import))
}

pub(super) async fn start_change(
    state: &AppState,
    account: AccountId,
    kind: ActivityKind,
    selection: ContactSelection,
    lists: Vec<ListId>,
    tags: Vec<TagId>,
    shape: Shape,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_lists(state, account, &selection.lists, "source.list_ids").await?;
    check_tags(state, account, &selection.tags, "source.tag_ids").await?;
    check_segment(state, account, &selection, "source.segment_id").await?;
    let total = selection_total(state, account, &selection).await?;
    let mut activity = new_activity(account, kind, total);
    activity.list_count = lists.len() as i64;
    let change = change_for(kind, lists, tags)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no change for {}", kind.as_str())))?;
    queue(
        state,
        &activity,
        &ActivityJob::ChangeContacts { selection, change },
    )
    .await?;
    Ok(created(&activity, shape))
}

/// Queues the deletion of lists (memberships go with them; contacts stay).
pub async fn start_list_delete(
    state: &AppState,
    account: AccountId,
    lists: Vec<ListId>,
) -> Result<Activity, ApiError> {
    let mut activity = new_activity(account, ActivityKind::ListDelete, lists.len() as i64);
    activity.list_count = lists.len() as i64;
    queue(state, &activity, &ActivityJob::DeleteLists(lists)).await?;
    Ok(activity)
}

/// Queues the deletion of tags (taggings go with them; contacts stay).
pub async fn start_tags_delete(
    state: &AppState,
    account: AccountId,
    tags: Vec<TagId>,
) -> Result<Activity, ApiError> {
    let activity = new_activity(account, ActivityKind::TagsDelete, tags.len() as i64);
    queue(state, &activity, &ActivityJob::DeleteTags(tags)).await?;
    Ok(activity)
}
