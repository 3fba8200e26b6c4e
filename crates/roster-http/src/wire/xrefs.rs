//! The V2-to-V3 id cross references (GET /contacts/contact_id_xrefs and
//! /contact_lists/list_id_xrefs): the query they both take and the collection they answer.
//! Roster never had V2 ids, so no sequence id maps to anything.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::Param;

#[derive(Serialize, ToSchema)]
pub struct Xrefs {
    pub xrefs: Vec<serde_json::Value>,
}

/// Checks `sequence_ids` of an xrefs request: V2 sequence ids are positive integers.
pub fn check_sequence_id_list(sequence_ids: &Param) -> Result<(), ApiError> {
    check_v2_ids("sequence_ids", sequence_ids, 500, "V2 sequence id")
}

/// Checks a required list of V2 ids (positive integers, each a `kind`) of at most `max` values.
pub fn check_v2_ids(name: &str, ids: &Param, max: usize, kind: &str) -> Result<(), ApiError> {
    let ids = ids.list();
    if ids.is_empty() {
        return Err(ApiError::invalid(name, "is required"));
    }
    if ids.len() > max {
        return Err(ApiError::invalid(
            name,
            format!("may name at most {max} ids"),
        ));
    }
    if let Some(bad) = ids.iter().find(|id| id.parse::<u64>().is_err()) {
        return Err(ApiError::invalid(
            name,
            format!("holds {bad}, which is not a {kind}"),
        ));
    }
    Ok(())
}
