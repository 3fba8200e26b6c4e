//! The query strings of the contact list operations, typed; they also give the document its
//! parameters. A description longer than a line is a `#[doc = "…"]` continued with `\`, so that
//! the document's description stays one line (the lines of a `///` comment join with `\n`).

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /contact_lists.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListsQuery {
    #[doc = "Set `include_count` to `true` to return the total number of contact lists that \
        meet your selection criteria."]
    #[param(value_type = Option<bool>)]
    pub include_count: Param,
    /// Use to include the total number of contacts per list.
    #[param(value_type = Option<String>)]
    pub include_membership_count: Param,
    /// Use to get details for a single list by entering the full name of the list.
    #[param(value_type = Option<String>)]
    pub name: Param,
    /// Use to get lists by status.
    #[param(value_type = Option<String>)]
    pub status: Param,
    /// Use to return lists by channel type.
    #[param(value_type = Option<String>)]
    pub channel_type: Param,
    /// Set to `true` to return the total number of SMS members in each list.
    #[param(value_type = Option<bool>)]
    pub include_sms_membership_count: Param,
    #[doc = "Use to specify the number of results displayed per page of output, from 1 - 500, \
        default = 50."]
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of GET /contact_lists/{list_id}.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Returns the total number of contacts per list that meet your selection criteria.
    #[param(value_type = Option<String>)]
    pub include_membership_count: Param,
}

/// The query of GET /contact_lists/list_id_xrefs.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListXrefsQuery {
    #[doc = "Comma delimited list of V2 API list `ids` to cross-reference with the V3 API \
        `list_id` value."]
    #[param(value_type = String)]
    pub sequence_ids: Param,
}
