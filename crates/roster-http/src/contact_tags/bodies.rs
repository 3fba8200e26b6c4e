//! The request bodies of the tag operations: parsed into these types, which also give the
//! document its schemas, then checked (every problem reported at once).

use roster_domain::tag::MAX_TAG_NAME_LEN;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::field::non_blank_name;
use crate::wire::{Field, Problems};

const MAX_TAG_SOURCE_LEN: usize = 255;

/// POST /contact_tags
#[derive(Deserialize, ToSchema)]
pub struct TagCreateBody {
    #[schema(value_type = String, max_length = 255)]
    name: Field<String>,
    #[schema(value_type = String, required = false, max_length = 255)]
    tag_source: Field<String>,
}

/// A new tag as POST /contact_tags asks for it: the name (trimmed, not blank) and the tag
/// source (none when blank).
pub(super) struct NewTag {
    pub name: String,
    pub tag_source: Option<String>,
}

impl TryFrom<TagCreateBody> for NewTag {
    type Error = ApiError;

    fn try_from(body: TagCreateBody) -> Result<Self, ApiError> {
        let (name, tag_source) = Problems::run(|c| {
            let name = c.required_string("name", body.name, MAX_TAG_NAME_LEN);
            let source = c.string("tag_source", body.tag_source, MAX_TAG_SOURCE_LEN);
            Some((name?, source))
        })?;
        Ok(NewTag {
            name: non_blank_name(name)?,
            tag_source: tag_source.filter(|s| !s.trim().is_empty()),
        })
    }
}

/// PUT /contact_tags/{tag_id}
#[derive(Deserialize, ToSchema)]
pub struct TagRenameBody {
    #[schema(value_type = String, max_length = 255)]
    name: Field<String>,
}

/// A tag's new name as PUT /contact_tags/{tag_id} gives it: trimmed and not blank.
pub(super) struct TagName(pub String);

impl TryFrom<TagRenameBody> for TagName {
    type Error = ApiError;

    fn try_from(body: TagRenameBody) -> Result<Self, ApiError> {
        let name = Problems::run(|c| c.required_string("name", body.name, MAX_TAG_NAME_LEN))?;
        non_blank_name(name).map(TagName)
    }
}
