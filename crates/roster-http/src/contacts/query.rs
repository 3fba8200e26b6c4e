//! The query parameters of the contact reads: GET /contacts' filters (or its segment) and the
//! `include` of sub-resources.

use roster_domain::contact::{Bucket, ContactFilter, Includes, SmsStatus};
use roster_domain::{AccountId, EmailAddress};

use crate::error::ApiError;
use crate::segments::criteria::checked_criteria;
use crate::wire::QueryParams;
use crate::AppState;
use roster_domain::SegmentId;

pub const MAX_LIST_FILTER: usize = 25;
pub const MAX_TAG_FILTER: usize = 50;

/// The `include` parameter of the contact reads.
pub fn includes(query: &QueryParams) -> Result<Includes, ApiError> {
    let mut includes = Includes::default();
    for name in query.all_of("include", &Includes::NAMES)? {
        includes.set(name);
    }
    Ok(includes)
}

/// The query filters of GET /contacts without `segment_id`. Public for the fuzz target
/// (`fuzz/fuzz_targets/contact_query.rs`), which feeds it arbitrary query strings.
pub fn contact_filter(query: &QueryParams) -> Result<ContactFilter, ApiError> {
    let mut buckets: Vec<Bucket> = Vec::new();
    let statuses = query.all_of(
        "status",
        &[
            "all",
            "active",
            "deleted",
            "not_set",
            "pending_confirmation",
            "temp_hold",
            "unsubscribed",
        ],
    )?;
    for status in &statuses {
        for bucket in Bucket::for_status_filter(status).unwrap_or_default() {
            if !buckets.contains(bucket) {
                buckets.push(*bucket);
            }
        }
    }
    if buckets.is_empty() {
        buckets = Bucket::NOT_DELETED.to_vec();
    }
    let email = match query
        .single("email")
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(text) => Some(
            EmailAddress::parse(text)
                .map_err(|problem| ApiError::invalid("email", problem.to_string()))?,
        ),
    };
    let sms_filter: Vec<&str> = ["all"]
        .into_iter()
        .chain(SmsStatus::NAMES.iter().copied())
        .collect();
    let sms = query.all_of("sms_status", &sms_filter)?;
    let sms_statuses = (!sms.is_empty() && !sms.contains(&"all"))
        .then(|| sms.iter().filter_map(|s| SmsStatus::parse(s)).collect());
    Ok(ContactFilter {
        buckets,
        email,
        lists: query.ids("lists", MAX_LIST_FILTER)?,
        tags: query.ids("tags", MAX_TAG_FILTER)?,
        created_after: query.timestamp("created_after")?,
        created_before: query.timestamp("created_before")?,
        updated_after: query.timestamp("updated_after")?,
        updated_before: query.timestamp("updated_before")?,
        optout_after: query.timestamp("optout_after")?,
        optout_before: query.timestamp("optout_before")?,
        sms_statuses,
        segment: None,
    })
}

/// `segment_id` "can only be combined with limit": the segment's criteria are the filter.
pub(super) async fn segment_filter(
    state: &AppState,
    account: AccountId,
    query: &QueryParams,
    segment: &str,
) -> Result<ContactFilter, ApiError> {
    if let Some((other, _)) = query
        .pairs()
        .iter()
        .find(|(k, _)| !matches!(k.as_str(), "segment_id" | "limit" | "cursor"))
    {
        return Err(ApiError::invalid(
            "segment_id",
            format!("can only be combined with limit, not with {other}"),
        ));
    }
    let id: SegmentId = segment
        .parse()
        .map_err(|_| ApiError::BadRequest("segment_id is in an invalid format.".into()))?;
    let stored = state
        .store
        .segment(account, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("The segment {} was not found.", id.0)))?;
    let node = checked_criteria(state, account, &stored.criteria).await?;
    Ok(ContactFilter {
        segment: Some(node),
        ..ContactFilter::default()
    })
}
