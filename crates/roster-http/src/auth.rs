//! The authenticated caller. `Caller<P>` verifies the bearer token and checks that it carries
//! both the OAuth scope and the user privilege that the permission `P` names (the official
//! document's `security` and `x-authorization-privileges` of each operation); a missing or
//! invalid token is 401, a missing scope or privilege 403. The token's role (fixed when it was
//! issued) decides its privileges, through the one table in `roster_domain::privilege`.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use roster_domain::{AccountId, Privilege, Role, UserId};

use crate::error::ApiError;
use crate::oauth::tokens::{AccessClaims, Refusal};
use crate::AppState;

/// What an operation requires: the document's OAuth scope and `x-authorization-privileges`
/// (None where the document asks for none).
pub trait Permission {
    const SCOPE: Option<&'static str>;
    const PRIVILEGE: Option<Privilege>;
}

macro_rules! permission {
    ($(#[$doc:meta])* $name:ident, $scope:expr, $privilege:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl Permission for $name {
            const SCOPE: Option<&'static str> = $scope;
            const PRIVILEGE: Option<Privilege> = $privilege;
        }
    };
}

permission!(
    /// Any valid token (GET /account/user/privileges).
    AnyToken, None, None
);
permission!(
    /// Reading contacts, custom fields and tags.
    ContactsRead, Some("contact_data"), Some(Privilege::ContactsRead)
);
permission!(
    /// Changing contacts, custom fields and tags; bulk activities.
    ContactsWrite, Some("contact_data"), Some(Privilege::ContactsWrite)
);
permission!(
    /// Reading contact lists.
    ListsRead, Some("contact_data"), Some(Privilege::ContactsListsRead)
);
permission!(
    /// Changing contact lists.
    ListsWrite, Some("contact_data"), Some(Privilege::ContactsListsWrite)
);
permission!(
    /// Contacts Reporting.
    ContactMetrics, Some("contact_data"), Some(Privilege::CampaignMetrics)
);
permission!(
    /// Account Services reads.
    AccountRead, Some("account_read"), Some(Privilege::AccountRead)
);
permission!(
    /// Account Services changes.
    AccountUpdate, Some("account_update"), Some(Privilege::AccountUpdate)
);
permission!(
    /// Reading email campaigns.
    CampaignRead, Some("campaign_data"), Some(Privilege::CampaignRead)
);
permission!(
    /// Creating and changing email campaigns.
    CampaignWrite, Some("campaign_data"), Some(Privilege::CampaignWrite)
);
permission!(
    /// Deleting email campaigns.
    CampaignDelete, Some("campaign_data"), Some(Privilege::CampaignDelete)
);
permission!(
    /// Scheduling and sending email campaigns.
    CampaignSend, Some("campaign_data"), Some(Privilege::CampaignSend)
);
permission!(
    /// Email, landing page and SMS reporting.
    CampaignMetrics, Some("campaign_data"), Some(Privilege::CampaignMetrics)
);

/// Claims the rate-limit middleware verified already, so the extractor does not repeat it.
#[derive(Clone)]
pub struct VerifiedClaims(pub AccessClaims);

/// A caller whose token is valid and holds `P`'s scope and privilege.
pub struct Caller<P> {
    pub account: AccountId,
    pub user: UserId,
    pub client_id: String,
    pub role: Role,
    _permission: PhantomData<P>,
}

impl<P: Permission + Send + Sync> FromRequestParts<AppState> for Caller<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let claims = match parts.extensions.get::<VerifiedClaims>() {
            Some(verified) => verified.0.clone(),
            None => {
                let checked = match bearer_token(&parts.headers) {
                    Some(token) => state.tokens.check(token).await,
                    None => Err(Refusal::Missing),
                };
                checked.map_err(|reason| unauthorized(&reason))?
            }
        };
        let (Some(account), Some(user)) = (claims.account_id(), claims.user_id()) else {
            return Err(unauthorized(&Refusal::Malformed));
        };
        if let Some(scope) = P::SCOPE {
            if !claims.scp.iter().any(|granted| granted == scope) {
                return Err(ApiError::Forbidden(format!(
                    "Forbidden request. The access token lacks the {scope} scope this operation \
                        requires."
                )));
            }
        }
        let role = claims.role().ok_or_else(|| {
            ApiError::Forbidden(
                "Forbidden request. The access token names no known user role.".into(),
            )
        })?;
        if let Some(privilege) = P::PRIVILEGE {
            if !role.holds(privilege) {
                return Err(ApiError::Forbidden(format!(
                    "Forbidden request. You lack the necessary user privileges: this operation \
                        requires {}.",
                    privilege.name()
                )));
            }
        }
        Ok(Caller {
            account,
            user,
            client_id: claims.cid,
            role,
            _permission: PhantomData,
        })
    }
}

/// The 401 of a refused token, its reason logged at debug (the answer never says why, as
/// Constant Contact's does not; an operator reads it with `ROSTER_LOG=debug`).
fn unauthorized(reason: &Refusal) -> ApiError {
    tracing::debug!(%reason, "401: bearer token refused");
    ApiError::Unauthorized
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
