//! The request body of POST and PUT /contact_lists, read with `ObjectReader` (every problem at
//! once) and described for the OpenAPI document by `ListBody` (docs/OPENAPI.md), which is never
//! deserialised.

use roster_domain::contact_list::{ListInput, MAX_LIST_NAME_LEN};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::JsonBody;

/// List descriptions have no documented limit; this keeps them to a sane size.
const MAX_DESCRIPTION_LEN: usize = 10_000;

/// POST /contact_lists and PUT /contact_lists/{list_id}: the list's name, description and
/// favorite flag, checked.
pub(super) fn read_list_input(body: JsonBody) -> Result<ListInput, ApiError> {
    let input = body.read_object(|r| {
        let name = r.required_string("name", MAX_LIST_NAME_LEN);
        let description = r.string("description", MAX_DESCRIPTION_LEN);
        let favorite = r.boolean("favorite");
        Some(ListInput {
            name: name?,
            description,
            favorite: favorite.unwrap_or(false),
        })
    })?;
    input.checked().map_err(ApiError::Validation)
}

/// POST /contact_lists and PUT /contact_lists/{list_id}
#[derive(ToSchema)]
pub struct ListBody {
    pub name: String,
    #[schema(nullable = false)]
    pub favorite: Option<bool>,
    #[schema(nullable = false)]
    pub description: Option<String>,
}
