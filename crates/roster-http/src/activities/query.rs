//! The query strings of the bulk activity operations, typed; they also give the document its
//! parameters.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /activities.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivitiesQuery {
    #[doc = "Use this parameter to filter the response to include only activities in one of \
        the following states: cancelled, completed, failed, processing, or timed_out."]
    #[param(value_type = Option<String>)]
    pub state: Param,
    #[doc = "Specifies the number of results displayed per page of output, from 1 - 500, \
        default = 50."]
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}
