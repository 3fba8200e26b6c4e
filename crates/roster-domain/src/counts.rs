//! Maintained counts. Reading a count never scans contacts: every write computes how it moves
//! the per-bucket, per-list and per-tag counts (the difference between the contact's footprint
//! before and after) and the store applies those deltas in the same transaction.

use std::collections::BTreeMap;

use crate::contact::{Bucket, Contact};
use crate::{ListId, TagId};

/// What a contact contributes to the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Footprint {
    /// None when the contact does not exist.
    pub bucket: Option<Bucket>,
    pub lists: Vec<ListId>,
    pub tags: Vec<TagId>,
}

impl Footprint {
    pub fn of(contact: &Contact) -> Self {
        Self {
            bucket: Some(contact.bucket()),
            lists: contact.list_ids.clone(),
            tags: contact.tag_ids.clone(),
        }
    }
}

/// Changes to apply to the maintained counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountDeltas {
    pub buckets: BTreeMap<Bucket, i64>,
    /// (members that are not deleted, members that are active).
    pub lists: BTreeMap<ListId, (i64, i64)>,
    pub tags: BTreeMap<TagId, i64>,
}

impl CountDeltas {
    /// The change from `before` to `after` for one contact.
    pub fn between(before: &Footprint, after: &Footprint) -> Self {
        let mut deltas = Self::default();
        deltas.add_footprint(before, -1);
        deltas.add_footprint(after, 1);
        deltas.prune();
        deltas
    }

    fn add_footprint(&mut self, footprint: &Footprint, sign: i64) {
        let Some(bucket) = footprint.bucket else {
            return;
        };
        *self.buckets.entry(bucket).or_default() += sign;
        let counted = bucket != Bucket::Deleted;
        let active = bucket.is_active();
        for list in &footprint.lists {
            let entry = self.lists.entry(*list).or_default();
            entry.0 += sign * i64::from(counted);
            entry.1 += sign * i64::from(active);
        }
        for tag in &footprint.tags {
            *self.tags.entry(*tag).or_default() += sign * i64::from(counted);
        }
    }

    fn prune(&mut self) {
        self.buckets.retain(|_, n| *n != 0);
        self.lists
            .retain(|_, (all, active)| *all != 0 || *active != 0);
        self.tags.retain(|_, n| *n != 0);
    }

    /// Folds another batch's deltas into this one (bulk work applies one sum per batch).
    pub fn merge(&mut self, other: CountDeltas) {
        for (bucket, n) in other.buckets {
            *self.buckets.entry(bucket).or_default() += n;
        }
        for (list, (all, active)) in other.lists {
            let entry = self.lists.entry(list).or_default();
            entry.0 += all;
            entry.1 += active;
        }
        for (tag, n) in other.tags {
            *self.tags.entry(tag).or_default() += n;
        }
        self.prune();
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty() && self.lists.is_empty() && self.tags.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_member_removes_it_from_both_list_counts() {
        let list = ListId::generate();
        let tag = TagId::generate();
        let before = Footprint {
            bucket: Some(Bucket::Explicit),
            lists: vec![list],
            tags: vec![tag],
        };
        let after = Footprint {
            bucket: Some(Bucket::Deleted),
            ..before.clone()
        };
        let deltas = CountDeltas::between(&before, &after);
        assert_eq!(
            deltas.buckets,
            BTreeMap::from([(Bucket::Explicit, -1), (Bucket::Deleted, 1)])
        );
        assert_eq!(deltas.lists[&list], (-1, -1));
        assert_eq!(deltas.tags[&tag], -1);
    }

    #[test]
    fn unchanged_footprints_change_nothing() {
        let footprint = Footprint {
            bucket: Some(Bucket::Unsubscribed),
            lists: vec![ListId::generate()],
            tags: vec![],
        };
        assert!(CountDeltas::between(&footprint, &footprint).is_empty());
        let created = CountDeltas::between(&Footprint::default(), &footprint);
        assert_eq!(created.lists.values().next(), Some(&(1, 0)));
    }
}
