//! Activities as the V3 document shows them: one type per shape the document gives an
//! operation, so the OpenAPI document describes exactly what each answers.

use roster_domain::activity::{Activity, ActivityKind};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::wire::{date_time, PageLinks};

/// The response shapes of the V3 document, one per group of operations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `Activity`: GET /activities/{id} and the items of GET /activities.
    Full,
    Import,
    Export,
    ContactDelete,
    Membership,
    ListDelete,
    Tagging,
    CustomFieldsDelete,
    /// DELETE /contact_lists/{list_id} (202).
    OneListDelete,
    /// DELETE /contact_tags/{tag_id} (202).
    OneTagDelete,
}

#[derive(Serialize, ToSchema)]
pub struct Href {
    href: String,
}

#[derive(Serialize, ToSchema)]
pub struct SelfLink {
    #[serde(rename = "self")]
    this: Href,
}

/// `_links` of an activity that may point at its export file.
#[derive(Serialize, ToSchema)]
pub struct ResultLinks {
    #[serde(rename = "self")]
    this: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    results: Option<Href>,
}

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
pub struct ItemStatus {
    items_total_count: i64,
    items_completed_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ListItemStatus {
    list_count: i64,
    items_total_count: i64,
    items_completed_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ListStatus {
    list_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityErrorMessage {
    message: String,
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

/// When the activity started and completed, in every shape but the single deletes'.
#[derive(Serialize, ToSchema)]
pub struct ActivityTimes {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    completed_at: Option<String>,
}

/// GET /activities/{activity_id} and the items of GET /activities.
#[derive(Serialize, ToSchema)]
pub struct FullActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    source_file_name: Option<String>,
    activity_errors: Vec<String>,
    status: FullStatus,
    _links: ResultLinks,
}

/// The two contact imports.
#[derive(Serialize, ToSchema)]
pub struct ImportActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    source_file_name: Option<String>,
    activity_errors: Vec<String>,
    status: ImportStatus,
    _links: SelfLink,
}

/// A timed shape without a source file, with its status and links types.
macro_rules! timed_activity {
    ($(#[$doc:meta])* $name:ident, $status:ty, $links:ty) => {
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

/// DELETE /contact_lists/{list_id} (202).
#[derive(Serialize, ToSchema)]
pub struct OneListDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    activity_errors: Vec<String>,
    _links: SelfLink,
}

/// DELETE /contact_tags/{tag_id} (202): its errors are objects.
#[derive(Serialize, ToSchema)]
pub struct OneTagDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    activity_errors: Vec<ActivityErrorMessage>,
    status: ItemStatus,
    _links: SelfLink,
}

/// An activity as the shape `shape` shows it.
pub fn render(activity: &Activity, shape: Shape) -> Value {
    let head = || ActivityHead {
        activity_id: activity.id.to_string(),
        state: activity.state.as_str(),
        created_at: date_time(activity.created_at),
        updated_at: date_time(activity.updated_at),
        percent_done: activity.percent_done(),
    };
    let times = || ActivityTimes {
        started_at: activity.started_at.map(date_time),
        completed_at: activity.completed_at.map(date_time),
    };
    let errors = || activity.errors.clone();
    let this = || Href {
        href: format!("/v3/activities/{}", activity.id),
    };
    let self_link = || SelfLink { this: this() };
    let result_links = || ResultLinks {
        this: this(),
        results: (activity.kind == ActivityKind::ContactExports).then(|| Href {
            href: format!("/v3/contact_exports/{}", activity.id),
        }),
    };
    let items = || ItemStatus {
        items_total_count: activity.items_total,
        items_completed_count: activity.items_completed,
    };
    let person_count = activity.created_count + activity.updated_count;
    let rendered = match shape {
        Shape::Full => serde_json::to_value(FullActivity {
            head: head(),
            times: times(),
            source_file_name: activity.source_file_name.clone(),
            activity_errors: errors(),
            status: FullStatus {
                items_total_count: activity.items_total,
                items_completed_count: activity.items_completed,
                person_count,
                error_count: activity.error_count,
                correctable_count: 0,
                cannot_add_to_list_count: activity.cannot_add_to_list_count,
                list_count: activity.list_count,
            },
            _links: result_links(),
        }),
        Shape::Import => serde_json::to_value(ImportActivity {
            head: head(),
            times: times(),
            source_file_name: activity.source_file_name.clone(),
            activity_errors: errors(),
            status: ImportStatus {
                items_total_count: activity.items_total,
                person_count,
                error_count: activity.error_count,
                correctable_count: 0,
                cannot_add_to_list_count: activity.cannot_add_to_list_count,
            },
            _links: self_link(),
        }),
        Shape::Export => serde_json::to_value(ExportActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: items(),
            _links: result_links(),
        }),
        Shape::ContactDelete | Shape::Membership => serde_json::to_value(ListItemActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: ListItemStatus {
                list_count: activity.list_count,
                items_total_count: activity.items_total,
                items_completed_count: activity.items_completed,
            },
            _links: self_link(),
        }),
        Shape::ListDelete => serde_json::to_value(ListDeleteActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: ListStatus {
                list_count: activity.list_count,
            },
            _links: self_link(),
        }),
        Shape::Tagging => serde_json::to_value(TaggingActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: items(),
            _links: self_link(),
        }),
        Shape::CustomFieldsDelete => serde_json::to_value(CustomFieldsDeleteActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            _links: self_link(),
        }),
        Shape::OneListDelete => serde_json::to_value(OneListDeleteActivity {
            head: head(),
            activity_errors: errors(),
            _links: self_link(),
        }),
        Shape::OneTagDelete => serde_json::to_value(OneTagDeleteActivity {
            head: head(),
            activity_errors: activity
                .errors
                .iter()
                .map(|message| ActivityErrorMessage {
                    message: message.clone(),
                })
                .collect(),
            status: items(),
            _links: self_link(),
        }),
    };
    // Serialising these plain structs of strings and integers cannot fail.
    rendered.unwrap_or_default()
}

/// GET /activities.
#[derive(Serialize, ToSchema)]
pub struct ActivityCollection {
    /// Each rendered as [`FullActivity`].
    #[schema(value_type = Vec<FullActivity>)]
    pub(super) activities: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(super) _links: Option<PageLinks>,
}
