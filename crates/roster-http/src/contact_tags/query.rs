//! The query strings of the tag operations, typed; they also give the document its parameters.
//! A description longer than a line is a `#[doc = "…"]` continued with `\`, so that the
//! document's description stays one line (the lines of a `///` comment join with `\n`).

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /contact_tags.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagsQuery {
    /// Returns the total number of contacts (`contacts_count`) to which a tag applies.
    #[param(value_type = Option<bool>)]
    pub include_count: Param,
    #[doc = "Use to specify the number of tag results (up to `500`) to display per page of \
        output."]
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of GET /contact_tags/{tag_id}.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagQuery {
    #[doc = "Use to include (`true`) or exclude (`false`) the total number of tagged contacts \
        (`contacts_count`) from the results."]
    #[param(value_type = Option<bool>)]
    pub include_count: Param,
}
