//! The query strings of the contact reads, typed; they also give the document its parameters.
//! GET /contacts' filters (or its segment) and the `include` of sub-resources are read here.

use roster_domain::contact::{Bucket, ContactFilter, Includes, SmsStatus};
use roster_domain::{AccountId, EmailAddress};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::segments::criteria::{checked_criteria, CriteriaSource};
use crate::wire::{Param, QueryParams};
use crate::AppState;
use roster_domain::SegmentId;

pub const MAX_LIST_FILTER: usize = 25;
pub const MAX_TAG_FILTER: usize = 50;

/// The query of GET /contacts. Public, with [`contact_filter`], for the fuzz target
/// (`fuzz/fuzz_targets/contact_query.rs`).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactsQuery {
    /// Use the `status` query parameter to search for contacts by status.
    #[param(value_type = Option<String>)]
    pub status: Param,
    /// Use the `email` query parameter to search for a contact using a specific email address.
    #[param(value_type = Option<String>)]
    pub email: Param,
    #[doc = "Use the `lists` query parameter to search for contacts that are members of one or \
             more specified lists."]
    #[param(value_type = Option<String>)]
    pub lists: Param,
    /// Use to get contacts that meet the segment criteria for a single specified `segment_id`.
    #[param(value_type = Option<String>)]
    pub segment_id: Param,
    /// Use to get contact details for up to 50 specified tags.
    #[param(value_type = Option<String>)]
    pub tags: Param,
    #[doc = "Use `updated_after` to search for contacts that have been updated after the date \
             you specify."]
    #[param(value_type = Option<String>)]
    pub updated_after: Param,
    #[doc = "Use `updated_before` to search for contacts that have been updated before a \
             specified date."]
    #[param(value_type = Option<String>)]
    pub updated_before: Param,
    /// Use `created_after` to search for contacts created after a specified date.
    #[param(value_type = Option<String>)]
    pub created_after: Param,
    /// Use `created_before` to search for contacts created before a specified date.
    #[param(value_type = Option<String>)]
    pub created_before: Param,
    /// Use `optout_after` to search for contacts that unsubscribed after a specified date.
    #[param(value_type = Option<String>)]
    pub optout_after: Param,
    /// Use `optout_before` to search for contacts that unsubscribed before a specified date.
    #[param(value_type = Option<String>)]
    pub optout_before: Param,
    /// Use `include` to specify which contact sub-resources to include in the response.
    #[param(value_type = Option<String>)]
    pub include: Param,
    /// Use to get contacts by their SMS status.
    #[param(value_type = Option<String>)]
    pub sms_status: Param,
    #[doc = "Set `include_count=true` to include the total number of contacts \
             (`contacts_count`) that meet all search criteria in the response body."]
    #[param(value_type = Option<bool>)]
    pub include_count: Param,
    #[doc = "Specifies the number of results displayed per page of output in the response, \
             from 1 - 500, default = 50."]
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of GET /contacts/{contact_id}.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Use `include` to specify which contact sub-resources to include in the response.
    #[param(value_type = Option<String>)]
    pub include: Param,
}

/// The query of GET /contacts/counts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactCountsQuery {
    #[doc = "Use to return the total number of contacts that subscribed within the last 30 days \
             in the results."]
    #[param(value_type = Option<String>)]
    pub include: Param,
}

/// The query of GET /contacts/contact_id_xrefs.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactXrefsQuery {
    #[doc = "Comma delimited list of V2 API contact `ids` to cross-reference with the V3 API \
             `contact_id` value."]
    #[param(value_type = String)]
    pub sequence_ids: Param,
}

/// The `include` parameter of the contact reads.
pub fn includes(include: &Param) -> Result<Includes, ApiError> {
    let mut includes = Includes::default();
    for name in include.all_of("include", &Includes::NAMES)? {
        includes.set(name);
    }
    Ok(includes)
}

/// The values of a contact `status` filter (GET /contacts, and a contact export's `status`),
/// each naming the consent buckets `Bucket::for_status_filter` gives it.
pub const STATUS_FILTERS: [&str; 7] = [
    "all",
    "active",
    "deleted",
    "not_set",
    "pending_confirmation",
    "temp_hold",
    "unsubscribed",
];

/// The query filters of GET /contacts without `segment_id`. Public for the fuzz target
/// (`fuzz/fuzz_targets/contact_query.rs`), which feeds it arbitrary query strings.
pub fn contact_filter(params: &ContactsQuery) -> Result<ContactFilter, ApiError> {
    let mut buckets: Vec<Bucket> = Vec::new();
    let statuses = params.status.all_of("status", &STATUS_FILTERS)?;
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
    let email = match params
        .email
        .single()
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
    let sms = params.sms_status.all_of("sms_status", &sms_filter)?;
    let sms_statuses = (!sms.is_empty() && !sms.contains(&"all"))
        .then(|| sms.iter().filter_map(|s| SmsStatus::parse(s)).collect());
    Ok(ContactFilter {
        buckets,
        email,
        lists: params.lists.ids("lists", MAX_LIST_FILTER)?,
        tags: params.tags.ids("tags", MAX_TAG_FILTER)?,
        created_after: params.created_after.timestamp("created_after")?,
        created_before: params.created_before.timestamp("created_before")?,
        updated_after: params.updated_after.timestamp("updated_after")?,
        updated_before: params.updated_before.timestamp("updated_before")?,
        optout_after: params.optout_after.timestamp("optout_after")?,
        optout_before: params.optout_before.timestamp("optout_before")?,
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
    let node = checked_criteria(state, account, &stored.criteria, CriteriaSource::Stored).await?;
    Ok(ContactFilter {
        segment: Some(node),
        ..ContactFilter::default()
    })
}
