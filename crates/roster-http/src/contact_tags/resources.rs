//! Tags as the V3 document shows them, and the activity DELETE answers with.

use roster_domain::activity::Activity;
use roster_domain::tag::Tag;
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::activity::{ActivityHead, ItemStatus, SelfLink};
use crate::wire::{date_time, PageLinks};

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct TagResource {
    tag_id: String,
    name: String,
    contacts_count: Option<i64>,
    created_at: String,
    updated_at: String,
    tag_source: Option<String>,
}

impl TagResource {
    pub(super) fn new(tag: Tag, include_count: bool) -> Self {
        TagResource {
            tag_id: tag.id.to_string(),
            name: tag.name,
            contacts_count: include_count.then_some(tag.contacts_count),
            created_at: date_time(tag.created_at),
            updated_at: date_time(tag.updated_at),
            tag_source: tag.tag_source,
        }
    }
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct TagCollection {
    pub(super) tags: Vec<TagResource>,
    pub(super) _links: Option<PageLinks>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityErrorMessage {
    message: String,
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

impl From<&Activity> for OneTagDeleteActivity {
    fn from(activity: &Activity) -> Self {
        OneTagDeleteActivity {
            head: ActivityHead::of(activity),
            activity_errors: activity
                .errors
                .iter()
                .map(|message| ActivityErrorMessage {
                    message: message.clone(),
                })
                .collect(),
            status: ItemStatus::of(activity),
            _links: SelfLink::of(activity),
        }
    }
}
