//! The request bodies of the tag operations, read with `ObjectReader` (every problem at once)
//! and described for the OpenAPI document by the `*Body` types (docs/OPENAPI.md), which are
//! never deserialised.

use roster_domain::tag::MAX_TAG_NAME_LEN;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::JsonBody;

const MAX_TAG_SOURCE_LEN: usize = 255;

fn checked_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.map(|n| n.trim().to_string()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "must not be blank"));
    }
    Ok(name)
}

/// POST /contact_tags: the name (trimmed, not blank) and the tag source (none when blank).
pub(super) fn read_create(body: JsonBody) -> Result<(String, Option<String>), ApiError> {
    let (name, tag_source) = body.read_object(|r| {
        let name = r.required_string("name", MAX_TAG_NAME_LEN);
        let source = r.string("tag_source", MAX_TAG_SOURCE_LEN);
        Some((name, source))
    })?;
    Ok((
        checked_name(name)?,
        tag_source.filter(|s| !s.trim().is_empty()),
    ))
}

/// PUT /contact_tags/{tag_id}: the new name, trimmed and not blank.
pub(super) fn read_rename(body: JsonBody) -> Result<String, ApiError> {
    let name = body.read_object(|r| Some(r.required_string("name", MAX_TAG_NAME_LEN)))?;
    checked_name(name)
}

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
