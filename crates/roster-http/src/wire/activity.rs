//! What every activity response shares, written once: its head (id, state, progress), its
//! start and completion times, its `_links`, and the item counts of the shapes that have them.
//! Each section that answers with an activity (Bulk Activities, and the single list and tag
//! deletes) composes the shape the V3 document gives its operation from these parts.

use roster_domain::activity::{Activity, ActivityKind};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::date_time;

#[derive(Serialize, ToSchema)]
pub struct Href {
    href: String,
}

#[derive(Serialize, ToSchema)]
pub struct SelfLink {
    #[serde(rename = "self")]
    this: Href,
}

impl SelfLink {
    pub fn of(activity: &Activity) -> Self {
        SelfLink {
            this: activity_href(activity),
        }
    }
}

/// `_links` of an activity that may point at its export file.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ResultLinks {
    #[serde(rename = "self")]
    this: Href,
    results: Option<Href>,
}

impl ResultLinks {
    pub fn of(activity: &Activity) -> Self {
        ResultLinks {
            this: activity_href(activity),
            results: (activity.kind == ActivityKind::ContactExports).then(|| Href {
                href: format!("/v3/contact_exports/{}", activity.id),
            }),
        }
    }
}

fn activity_href(activity: &Activity) -> Href {
    Href {
        href: format!("/v3/activities/{}", activity.id),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemStatus {
    items_total_count: i64,
    items_completed_count: i64,
}

impl ItemStatus {
    pub fn of(activity: &Activity) -> Self {
        ItemStatus {
            items_total_count: activity.items_total,
            items_completed_count: activity.items_completed,
        }
    }
}

/// What every activity shape shows.
#[derive(Serialize, ToSchema)]
pub struct ActivityHead {
    activity_id: String,
    state: &'static str,
    created_at: String,
    updated_at: String,
    percent_done: i64,
}

impl ActivityHead {
    pub fn of(activity: &Activity) -> Self {
        ActivityHead {
            activity_id: activity.id.to_string(),
            state: activity.state.as_str(),
            created_at: date_time(activity.created_at),
            updated_at: date_time(activity.updated_at),
            percent_done: activity.percent_done(),
        }
    }
}

/// When the activity started and completed, in every shape but the single deletes'.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ActivityTimes {
    started_at: Option<String>,
    completed_at: Option<String>,
}

impl ActivityTimes {
    pub fn of(activity: &Activity) -> Self {
        ActivityTimes {
            started_at: activity.started_at.map(date_time),
            completed_at: activity.completed_at.map(date_time),
        }
    }
}
