//! The query strings of the segment operations, typed; they also give the document its
//! parameters.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /segments.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SegmentsQuery {
    /// Specify the segment sort order to use.
    #[param(value_type = Option<String>)]
    pub sort_by: Param,
    /// The number of segments to return on a page.
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}
