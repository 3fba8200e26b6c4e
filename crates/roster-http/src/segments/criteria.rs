//! A segment's criteria checked against the account, for the segment operations and GET
//! /contacts?segment_id= (bulk activities whose source is a segment check it the same way, in
//! `roster_activities::start`, where the check lives).

pub use roster_activities::start::CriteriaSource;
use roster_domain::segment::Node;
use roster_domain::AccountId;

use crate::error::ApiError;
use crate::AppState;

/// Parses criteria against the account: its custom fields, lists and tags (and, in a request,
/// campaigns) must exist; every problem is one entry of the 400.
pub async fn checked_criteria(
    state: &AppState,
    account: AccountId,
    text: &str,
    source: CriteriaSource,
) -> Result<Node, ApiError> {
    roster_activities::start::checked_criteria(state.store.as_ref(), account, text, source)
        .await?
        .map_err(ApiError::Validation)
}

/// Logs one line listing the stored segments with a tracking condition outside the supported
/// set (stored before tracking conditions were evaluated): they keep their old evaluation (a
/// `not_…` field holds for every contact, any other for none) until they are updated.
pub async fn log_legacy_tracking_segments(store: &dyn roster_domain::Store) {
    match store.segments_with_tracking().await {
        Ok(segments) => {
            let legacy: Vec<String> = segments
                .iter()
                .filter(|(_, s)| {
                    roster_domain::segment::legacy_tracking_conditions(&s.criteria) > 0
                })
                .map(|(account, s)| format!("{} (account {account})", s.id.0))
                .collect();
            if !legacy.is_empty() {
                tracing::warn!(
                    segments = legacy.join(", "),
                    "segments with tracking conditions Roster does not evaluate keep their old \
                     evaluation (docs/SEGMENTS.md)"
                );
            }
        }
        Err(error) => tracing::error!(
            error = format!("{error:#}"),
            "cannot list the segments with tracking conditions"
        ),
    }
}
