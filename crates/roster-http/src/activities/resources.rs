//! Activities as the V3 document shows them: one type per shape the document gives an
//! operation, each built from the activity (`From<&Activity>`), so the OpenAPI document
//! describes exactly what each operation answers. The parts every shape shares are in
//! `wire/activity.rs`.

use roster_domain::activity::Activity;
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::activity::{ActivityHead, ActivityTimes, ItemStatus, ResultLinks, SelfLink};
use crate::wire::PageLinks;

#[derive(Serialize, ToSchema)]
pub struct FullStatus {
    items_total_count: i64,
    items_completed_count: i64,
    person_count: i64,
    error_count: i64,
    correctable_count: i64,
    cannot_add_to_list_count: i64,
    list_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportStatus {
    items_total_count: i64,
    person_count: i64,
    error_count: i64,
    correctable_count: i64,
    cannot_add_to_list_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ListItemStatus {
    list_count: i64,
    items_total_count: i64,
    items_completed_count: i64,
}

impl ListItemStatus {
    fn of(activity: &Activity) -> Self {
        ListItemStatus {
            list_count: activity.list_count,
            items_total_count: activity.items_total,
            items_completed_count: activity.items_completed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ListStatus {
    list_count: i64,
}

impl ListStatus {
    fn of(activity: &Activity) -> Self {
        ListStatus {
            list_count: activity.list_count,
        }
    }
}

/// Contacts an import created or updated.
fn person_count(activity: &Activity) -> i64 {
    activity.created_count + activity.updated_count
}

/// GET /activities/{activity_id} and the items of GET /activities.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct FullActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    source_file_name: Option<String>,
    activity_errors: Vec<String>,
    status: FullStatus,
    _links: ResultLinks,
}

impl From<&Activity> for FullActivity {
    fn from(activity: &Activity) -> Self {
        FullActivity {
            head: ActivityHead::of(activity),
            times: ActivityTimes::of(activity),
            source_file_name: activity.source_file_name.clone(),
            activity_errors: activity.errors.clone(),
            status: FullStatus {
                items_total_count: activity.items_total,
                items_completed_count: activity.items_completed,
                person_count: person_count(activity),
                error_count: activity.error_count,
                correctable_count: 0,
                cannot_add_to_list_count: activity.cannot_add_to_list_count,
                list_count: activity.list_count,
            },
            _links: ResultLinks::of(activity),
        }
    }
}

/// The two contact imports.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ImportActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    source_file_name: Option<String>,
    activity_errors: Vec<String>,
    status: ImportStatus,
    _links: SelfLink,
}

impl From<&Activity> for ImportActivity {
    fn from(activity: &Activity) -> Self {
        ImportActivity {
            head: ActivityHead::of(activity),
            times: ActivityTimes::of(activity),
            source_file_name: activity.source_file_name.clone(),
            activity_errors: activity.errors.clone(),
            status: ImportStatus {
                items_total_count: activity.items_total,
                person_count: person_count(activity),
                error_count: activity.error_count,
                correctable_count: 0,
                cannot_add_to_list_count: activity.cannot_add_to_list_count,
            },
            _links: SelfLink::of(activity),
        }
    }
}

/// A timed shape without a source file, with its status and links types (each built by its
/// own `of(&Activity)`).
macro_rules! timed_activity {
    ($(#[$doc:meta])* $name:ident, $status:ident, $links:ident) => {
        $(#[$doc])*
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            #[serde(flatten)]
            head: ActivityHead,
            #[serde(flatten)]
            times: ActivityTimes,
            activity_errors: Vec<String>,
            status: $status,
            _links: $links,
        }

        impl From<&Activity> for $name {
            fn from(activity: &Activity) -> Self {
                $name {
                    head: ActivityHead::of(activity),
                    times: ActivityTimes::of(activity),
                    activity_errors: activity.errors.clone(),
                    status: $status::of(activity),
                    _links: $links::of(activity),
                }
            }
        }
    };
}

timed_activity!(
    /// The contact export.
    ExportActivity, ItemStatus, ResultLinks
);

timed_activity!(
    /// Bulk contact deletes and list membership changes.
    ListItemActivity, ListItemStatus, SelfLink
);

timed_activity!(
    /// Bulk list deletes.
    ListDeleteActivity, ListStatus, SelfLink
);

timed_activity!(
    /// Taggings added or removed, tags deleted in bulk.
    TaggingActivity, ItemStatus, SelfLink
);

/// Bulk custom field deletes: no status.
#[derive(Serialize, ToSchema)]
pub struct CustomFieldsDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    activity_errors: Vec<String>,
    _links: SelfLink,
}

impl From<&Activity> for CustomFieldsDeleteActivity {
    fn from(activity: &Activity) -> Self {
        CustomFieldsDeleteActivity {
            head: ActivityHead::of(activity),
            times: ActivityTimes::of(activity),
            activity_errors: activity.errors.clone(),
            _links: SelfLink::of(activity),
        }
    }
}

/// GET /activities.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ActivityCollection {
    /// Each rendered as [`FullActivity`].
    pub(super) activities: Vec<FullActivity>,
    pub(super) _links: Option<PageLinks>,
}
