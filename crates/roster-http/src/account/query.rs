//! The query strings of the Account Services operations, typed; those of V3 operations also
//! give the document its parameters. A description longer than a line is a `#[doc = "…"]`
//! continued with `\`, so that the document's text stays one line, as it was.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /account/summary.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    #[doc = "Use the `extra_fields` query parameter to include the `physical_address` and/or \
             `company_logo` details in the response body."]
    #[param(value_type = Option<String>)]
    pub extra_fields: Param,
}

/// The query of GET /account/emails: at most one of its filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountEmailsQuery {
    #[doc = "Use the `confirm_status` query parameter to search for account emails using the \
             email status."]
    #[param(value_type = Option<String>)]
    pub confirm_status: Param,
    #[doc = "Use the `role_code` query parameter to search for account emails that have a \
             specific role."]
    #[param(value_type = Option<String>)]
    pub role_code: Param,
    /// Use the `email_address` query parameter to search for a specific account email address.
    #[param(value_type = Option<String>)]
    pub email_address: Param,
}

/// The query of GET /account/emails/confirm, the page a confirmation mail links to (not a V3
/// operation, so in no document).
#[derive(Deserialize)]
pub struct ConfirmQuery {
    /// The confirmation token the link carries.
    pub token: Param,
}
