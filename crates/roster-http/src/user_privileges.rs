//! Account Services: GET /account/user/privileges, the privileges of the token's user (any
//! valid token; the document asks for no scope).

use axum::Json;
use serde::Serialize;

use crate::auth::{AnyToken, Caller};

#[derive(Serialize)]
pub struct PrivilegeResource {
    privilege_id: i64,
    privilege_name: &'static str,
}

/// GET /v3/account/user/privileges
pub async fn list(caller: Caller<AnyToken>) -> Json<Vec<PrivilegeResource>> {
    Json(
        caller
            .role
            .privileges()
            .iter()
            .map(|privilege| PrivilegeResource {
                privilege_id: privilege.id(),
                privilege_name: privilege.name(),
            })
            .collect(),
    )
}
