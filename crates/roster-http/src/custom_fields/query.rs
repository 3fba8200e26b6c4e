//! The query strings of the custom field operations, typed; they also give the document its
//! parameters.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /contact_custom_fields.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldsQuery {
    /// Specifies the number of results displayed per page of output, from 1 - 100, default = 50.
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}
