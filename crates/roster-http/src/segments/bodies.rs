//! The request bodies of the segment operations: parsed into these types, which also give the
//! document its schemas, then checked into the name and criteria the handlers store (every
//! problem reported at once).

use roster_domain::segment::{MAX_CRITERIA_LEN, MAX_NAME_LEN};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::field::non_blank_name;
use crate::wire::{Field, Problems};

/// POST /segments and PUT /segments/{segment_id}
#[derive(Deserialize, ToSchema)]
pub struct SegmentBody {
    #[schema(value_type = String, max_length = 255)]
    name: Field<String>,
    /// The criteria JSON, as a string.
    #[schema(value_type = String, max_length = 20000)]
    segment_criteria: Field<String>,
}

/// A segment as POST /segments and PUT /segments/{segment_id} send it: the name (trimmed, not
/// blank) and the criteria text, not yet checked against the account.
pub(super) struct SegmentDraft {
    pub(super) name: String,
    pub(super) criteria: String,
}

impl TryFrom<SegmentBody> for SegmentDraft {
    type Error = ApiError;

    fn try_from(body: SegmentBody) -> Result<Self, ApiError> {
        let (name, criteria) = Problems::run(|c| {
            let name = c.required_string("name", body.name, MAX_NAME_LEN);
            let criteria =
                c.required_string("segment_criteria", body.segment_criteria, MAX_CRITERIA_LEN);
            Some((name?, criteria?))
        })?;
        Ok(SegmentDraft {
            name: non_blank_name(name)?,
            criteria,
        })
    }
}

/// PATCH /segments/{segment_id}/name
#[derive(Deserialize, ToSchema)]
pub struct SegmentRenameBody {
    #[schema(value_type = String, max_length = 255)]
    name: Field<String>,
}

/// PATCH /segments/{segment_id}/name: the new name, trimmed and not blank.
pub(super) struct SegmentRename {
    pub(super) name: String,
}

impl TryFrom<SegmentRenameBody> for SegmentRename {
    type Error = ApiError;

    fn try_from(body: SegmentRenameBody) -> Result<Self, ApiError> {
        let name = Problems::run(|c| c.required_string("name", body.name, MAX_NAME_LEN))?;
        Ok(SegmentRename {
            name: non_blank_name(name)?,
        })
    }
}
