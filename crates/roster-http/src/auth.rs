//! The authenticated caller. `Caller<P>` verifies the bearer token and checks that it carries
//! the OAuth scope that the permission `P` names (the official document's `security` of each
//! operation); a missing or invalid token is 401, a missing scope 403.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use roster_domain::{AccountId, UserId};

use crate::error::ApiError;
use crate::AppState;

/// What an operation requires: the document's OAuth scope and `x-authorization-privileges`.
pub trait Permission {
    const SCOPE: &'static str;
    const PRIVILEGE: &'static str;
}

macro_rules! permission {
    ($(#[$doc:meta])* $name:ident, $scope:literal, $privilege:literal) => {
        $(#[$doc])*
        pub struct $name;
        impl Permission for $name {
            const SCOPE: &'static str = $scope;
            const PRIVILEGE: &'static str = $privilege;
        }
    };
}

permission!(
    /// Reading contacts, custom fields and tags.
    ContactsRead, "contact_data", "contacts:read"
);
permission!(
    /// Changing contacts, custom fields and tags.
    ContactsWrite, "contact_data", "contacts:write"
);
permission!(
    /// Reading contact lists.
    ListsRead, "contact_data", "contacts:lists:read"
);
permission!(
    /// Changing contact lists.
    ListsWrite, "contact_data", "contacts:lists:write"
);

/// A caller whose token is valid and holds `P`'s scope.
pub struct Caller<P> {
    pub account: AccountId,
    pub user: UserId,
    pub client_id: String,
    _permission: PhantomData<P>,
}

impl<P: Permission + Send + Sync> FromRequestParts<AppState> for Caller<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthorized)?;
        let claims = state.tokens.verify(token).await?;
        let (Some(account), Some(user)) = (claims.account_id(), claims.user_id()) else {
            return Err(ApiError::Unauthorized);
        };
        if !claims.scp.iter().any(|scope| scope == P::SCOPE) {
            return Err(ApiError::Forbidden(format!(
                "Forbidden request. The access token lacks the {} scope this operation requires.",
                P::SCOPE
            )));
        }
        Ok(Caller {
            account,
            user,
            client_id: claims.cid,
            _permission: PhantomData,
        })
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
