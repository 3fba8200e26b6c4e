//! The request bodies of the segment operations, read with `ObjectReader` (every problem at
//! once) and described for the OpenAPI document by the `*Body` types (docs/OPENAPI.md), which
//! are never deserialised.

use roster_domain::segment::{MAX_CRITERIA_LEN, MAX_NAME_LEN};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::JsonBody;

fn checked_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.map(|n| n.trim().to_string()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be blank"));
    }
    Ok(name)
}

/// POST /segments and PUT /segments/{segment_id}: the name (trimmed, not blank) and criteria.
pub(super) fn read_segment_body(body: JsonBody) -> Result<(String, String), ApiError> {
    let (name, criteria) = body.read_object(|r| {
        let name = r.required_string("name", MAX_NAME_LEN);
        let criteria = r.required_string("segment_criteria", MAX_CRITERIA_LEN);
        Some((name, criteria?))
    })?;
    Ok((checked_name(name)?, criteria))
}

/// PATCH /segments/{segment_id}/name: the new name, trimmed and not blank.
pub(super) fn read_rename(body: JsonBody) -> Result<String, ApiError> {
    let name = body.read_object(|r| Some(r.required_string("name", MAX_NAME_LEN)))?;
    checked_name(name)
}

/// POST /segments and PUT /segments/{segment_id}
#[derive(ToSchema)]
pub struct SegmentBody {
    pub name: String,
    /// The criteria JSON, as a string.
    pub segment_criteria: String,
}

/// PATCH /segments/{segment_id}/name
#[derive(ToSchema)]
pub struct SegmentRenameBody {
    pub name: String,
}
