//! Ids in paths. A malformed id answers 400 "`<name>` is in an invalid format." before any
//! lookup; a well-formed id that names nothing is the handler's 404.

use std::str::FromStr;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use roster_domain::{
    ActivityId, CampaignActivityId, CampaignId, ContactId, CustomFieldId, ListId, SegmentId, TagId,
};

use crate::error::ApiError;

/// An id type that appears in paths, with the parameter name the spec gives it.
pub trait PathId: FromStr {
    const PARAM: &'static str;
}

impl PathId for CustomFieldId {
    const PARAM: &'static str = "custom_field_id";
}

impl PathId for ContactId {
    const PARAM: &'static str = "contact_id";
}

impl PathId for ListId {
    const PARAM: &'static str = "list_id";
}

impl PathId for ActivityId {
    const PARAM: &'static str = "activity_id";
}

impl PathId for TagId {
    const PARAM: &'static str = "tag_id";
}

impl PathId for SegmentId {
    const PARAM: &'static str = "segment_id";
}

impl PathId for CampaignId {
    const PARAM: &'static str = "campaign_id";
}

impl PathId for CampaignActivityId {
    const PARAM: &'static str = "campaign_activity_id";
}

/// `file_export_id` of GET /contact_exports/{file_export_id}: the id of the export activity
/// that wrote the file, under the parameter name the document gives it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileExportId(pub ActivityId);

impl FromStr for FileExportId {
    type Err = <ActivityId as FromStr>::Err;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(Self)
    }
}

impl PathId for FileExportId {
    const PARAM: &'static str = "file_export_id";
}

/// The path parameter `T::PARAM`, parsed.
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: PathId> FromRequestParts<S> for IdPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let invalid = || ApiError::BadRequest(format!("{} is in an invalid format.", T::PARAM));
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| invalid())?;
        let raw = params
            .iter()
            .find(|(name, _)| *name == T::PARAM)
            .map(|(_, value)| value)
            .ok_or_else(invalid)?;
        raw.parse().map(IdPath).map_err(|_| invalid())
    }
}
