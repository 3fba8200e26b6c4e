//! Contact lists as the V3 document shows them, and the activity DELETE answers with.

use roster_domain::activity::Activity;
use roster_domain::contact_list::ContactList;
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::activity::{ActivityHead, SelfLink};
use crate::wire::{date_time, PageLinks};

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ListResource {
    list_id: String,
    name: String,
    description: Option<String>,
    favorite: bool,
    created_at: String,
    updated_at: String,
    deleted_at: Option<String>,
}

/// A list as the reads show it: with its membership count when the request asks for one.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct CountedListResource {
    #[serde(flatten)]
    list: ListResource,
    membership_count: Option<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MembershipCount {
    None,
    All,
    Active,
}

impl CountedListResource {
    pub(super) fn new(list: ContactList, count: MembershipCount) -> Self {
        let membership_count = match count {
            MembershipCount::None => None,
            MembershipCount::All => Some(list.member_count),
            MembershipCount::Active => Some(list.active_member_count),
        };
        CountedListResource {
            list: ListResource::new(list),
            membership_count,
        }
    }
}

impl ListResource {
    pub(super) fn new(list: ContactList) -> Self {
        ListResource {
            list_id: list.id.to_string(),
            name: list.name,
            description: list.description,
            favorite: list.favorite,
            created_at: date_time(list.created_at),
            updated_at: date_time(list.updated_at),
            deleted_at: list.deleted_at.map(date_time),
        }
    }
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct ListCollection {
    pub(super) lists: Vec<CountedListResource>,
    pub(super) lists_count: Option<i64>,
    pub(super) _links: Option<PageLinks>,
}

/// DELETE /contact_lists/{list_id} (202).
#[derive(Serialize, ToSchema)]
pub struct OneListDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    activity_errors: Vec<String>,
    _links: SelfLink,
}

impl From<&Activity> for OneListDeleteActivity {
    fn from(activity: &Activity) -> Self {
        OneListDeleteActivity {
            head: ActivityHead::of(activity),
            activity_errors: activity.errors.clone(),
            _links: SelfLink::of(activity),
        }
    }
}
