//! Account Services: GET /account/user/privileges, the privileges of the token's user (any
//! valid token; the document asks for no scope).

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{AnyToken, Caller};
use crate::wire::responses::Answers;

#[derive(Serialize, ToSchema)]
pub struct PrivilegeResource {
    privilege_id: i64,
    privilege_name: &'static str,
}

/// GET /v3/account/user/privileges
#[utoipa::path(
    get,
    path = "/account/user/privileges",
    operation_id = "getUserPrivileges",
    tag = "Account Services",
    summary = "GET User Privileges",
    responses(
        (status = 200, description = "Request successful.", body = Vec<PrivilegeResource>),
        Answers,
    ),
    security(("oauth2_implicit" = []), ("oauth2_access_code" = [])),
)]
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
