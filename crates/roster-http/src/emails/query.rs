//! The query strings of the Email Campaigns operations, typed; they also give the document its
//! parameters.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::wire::Param;

/// The query of GET /emails.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignsQuery {
    #[doc = "Specifies the number of campaigns to display on each page of output that is \
        returned (from 1 - 500, default = 50)."]
    #[param(value_type = Option<i64>)]
    pub limit: Param,
    #[doc = "Use to return email campaigns with `updated_at` timestamps that are before a \
        specific date and time (in ISO-8601 format)."]
    #[param(value_type = Option<String>)]
    pub before_date: Param,
    #[doc = "Use to return email campaigns with last `updated_at` timestamps that are after a \
        specific date and time (in ISO-8601 format)."]
    #[param(value_type = Option<String>)]
    pub after_date: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of GET /emails/activities/{campaign_activity_id}.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    #[doc = "Use the `include` query parameter to enter a comma separated list of additional \
        email campaign activity properties for the V3 API to return. Valid values are \
        `physical_address_in_footer`, `permalink_url`, `html_content`, and \
        `document_properties`."]
    #[param(value_type = Option<String>)]
    pub include: Param,
}

/// The query of GET /emails/campaign_id_xrefs.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignXrefsQuery {
    #[doc = "Comma-separated list of `v2_email_campaign_id` values to cross-reference with V3 \
        `campaign_id` and `campaign_activity_id` values (at most 50)."]
    #[param(value_type = String)]
    pub v2_email_campaign_ids: Param,
}
