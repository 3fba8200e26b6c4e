//! A segment's criteria checked against the account, for the segment operations, GET
//! /contacts?segment_id= and bulk activities whose source is a segment.

use roster_domain::segment::{parse_criteria, CriteriaContext, Node};
use roster_domain::FieldError;
use roster_domain::{AccountId, Timestamp};

use crate::error::ApiError;
use crate::AppState;

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
