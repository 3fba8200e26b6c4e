//! The request body of POST and PUT /contact_lists: parsed into `ListBody`, which also gives the
//! document its schema, then checked into the domain's `ListInput` (every problem reported at
//! once).

use roster_domain::contact_list::{ListInput, MAX_LIST_NAME_LEN};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{Field, Problems};

/// List descriptions have no documented limit; this keeps them to a sane size.
const MAX_DESCRIPTION_LEN: usize = 10_000;

/// POST /contact_lists and PUT /contact_lists/{list_id}
#[derive(Deserialize, ToSchema)]
pub struct ListBody {
    #[schema(value_type = String, max_length = 255)]
    name: Field<String>,
    #[schema(value_type = bool, required = false)]
    favorite: Field<bool>,
    #[schema(value_type = String, required = false, max_length = 10000)]
    description: Field<String>,
}

/// The list's name (trimmed, not blank), description and favorite flag, checked.
impl TryFrom<ListBody> for ListInput {
    type Error = ApiError;

    fn try_from(body: ListBody) -> Result<Self, ApiError> {
        let input = Problems::run(|c| {
            let name = c.required_string("name", body.name, MAX_LIST_NAME_LEN);
            let description = c.string("description", body.description, MAX_DESCRIPTION_LEN);
            let favorite = c.boolean("favorite", body.favorite);
            Some(ListInput {
                name: name?,
                description,
                favorite: favorite.unwrap_or(false),
            })
        })?;
        input.checked().map_err(ApiError::Validation)
    }
}
