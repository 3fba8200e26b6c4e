//! The query strings and path lists of the Email Reporting operations, typed; they also give
//! the document its parameters.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::wire::Param;

/// The query of the sends, opens, unique opens, did-not-opens, forwards and opt-outs pages.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackingQuery {
    /// The number of tracking activities to return on a page (1 to 500, default 500).
    #[param(value_type = Option<String>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of the clicks page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClicksQuery {
    #[doc = "The ID that uniquely identifies a single link URL for which you want to get a \
        clicks report."]
    #[param(value_type = Option<i64>, format = Int64)]
    pub url_id: Param,
    /// The number of tracking activities to return on a page (1 to 500, default 500).
    #[param(value_type = Option<String>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of the bounces page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BouncesQuery {
    #[doc = "Bounces of these codes only (B, D, F, S, V, X, Z); repeat the parameter for \
        several, e.g. `bounce_code=B&bounce_code=D`."]
    #[param(value_type = Option<Vec<String>>, explode = true)]
    pub bounce_code: Param,
    /// The number of tracking activities to return on a page (1 to 500, default 500).
    #[param(value_type = Option<String>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of the links report.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// Set to `true` to also list the links nobody clicked.
    #[param(value_type = Option<bool>)]
    pub no_clicks: Param,
}

/// The query of the campaign summaries.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummariesQuery {
    #[doc = "The number of email campaign summaries to return on a page (1 to 500, default \
        50)."]
    #[param(value_type = Option<String>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The comma-separated ids of the stats calls' path, as given (trimmed). A malformed list or
/// id is the caller's 404 (the document: "a 404 error response is returned for all").
pub struct IdListPath(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdListPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("The ids in the path are not valid.".into()))?;
        let raw = params.iter().next().map(|(_, value)| value).unwrap_or("");
        Ok(Self(
            raw.split(',').map(|id| id.trim().to_string()).collect(),
        ))
    }
}
