//! A segment's criteria checked against the account, for the segment operations and GET
//! /contacts?segment_id= (bulk activities whose source is a segment check it the same way, in
//! `roster_activities::start`, where the check lives).

use roster_domain::segment::Node;
use roster_domain::AccountId;

use crate::error::ApiError;
use crate::AppState;

/// Parses criteria against the account: its custom fields, lists and tags must exist; every
/// problem is one entry of the 400.
pub async fn checked_criteria(
    state: &AppState,
    account: AccountId,
    text: &str,
) -> Result<Node, ApiError> {
    roster_activities::start::checked_criteria(state.store.as_ref(), account, text)
        .await?
        .map_err(ApiError::Validation)
}
