//! The query strings of the Contacts Reporting operations, typed; they also give the document
//! its parameters.

use roster_domain::contact_report::{RangeError, ReportRange};
use roster_domain::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::wire::Param;

/// The query of GET …/activity_details.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityDetailsQuery {
    #[doc = "Specify one or more tracking activity types to include as a comma-delimited \
        string. The `tracking_activities_list` and `tracking_activity_type` query parameters \
        are mutually exclusive."]
    #[param(value_type = Option<String>)]
    pub tracking_activities_list: Param,
    #[doc = "Specify one or more tracking activity types to include as an array. The \
        `tracking_activities_list` and `tracking_activity_type` query parameters are mutually \
        exclusive."]
    #[param(value_type = Option<Vec<String>>)]
    pub tracking_activity_type: Param,
    #[doc = "Default (`true`) returns campaign activity names in the results."]
    #[param(value_type = Option<bool>)]
    pub include_campaign_activity_names: Param,
    #[doc = "The number of tracking activities to return in a single page. Valid values are \
        1 to 100. Default is 100."]
    #[param(value_type = Option<String>)]
    pub limit: Param,
    /// The opaque cursor of a `_links.next.href`; pages on from where the previous page ended.
    #[param(value_type = Option<String>)]
    pub cursor: Param,
}

/// The query of GET …/open_and_click_rates and …/activity_summary.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    #[doc = "The starting date, in ISO 8601 format, to use to get campaigns. For example: \
        2019-01-01T00:00:00-0500."]
    #[param(value_type = String)]
    pub start: Param,
    #[doc = "The ending date, in ISO 8601 format, to use to get campaigns. For example: \
        2019-12-01T00:00:00-0500."]
    #[param(value_type = String)]
    pub end: Param,
}

/// One required bound. A `+` offset sent unencoded arrives as a space (form decoding), so a
/// space is read back as the `+` it was.
fn bound(param: &Param, name: &str) -> Result<Timestamp, ApiError> {
    let text = param
        .single()
        .ok_or_else(|| ApiError::invalid(name, "is required"))?;
    Timestamp::parse_iso8601(&text.trim().replace(' ', "+")).map_err(|_| {
        ApiError::invalid(
            name,
            "must be an ISO-8601 date-time such as 2019-01-01T00:00:00-0500",
        )
    })
}

impl RangeQuery {
    /// `start` and `end`, both required, in order, at most five years apart.
    pub fn range(&self) -> Result<ReportRange, ApiError> {
        let start = bound(&self.start, "start");
        let end = bound(&self.end, "end");
        let (start, end) = match (start, end) {
            (Ok(start), Ok(end)) => (start, end),
            (Err(ApiError::Validation(mut a)), Err(ApiError::Validation(b))) => {
                a.extend(b);
                return Err(ApiError::Validation(a));
            }
            (Err(error), _) | (_, Err(error)) => return Err(error),
        };
        ReportRange::new(start, end).map_err(|error| match error {
            RangeError::EndBeforeStart => ApiError::invalid("end", "must not be before start"),
            RangeError::TooLong => ApiError::invalid("end", "must be at most 5 years after start"),
        })
    }
}
