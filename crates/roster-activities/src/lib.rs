//! The bulk-activity engine. Activities are rows in the database; workers inside `roster serve`
//! claim them atomically (the store's claim: `FOR UPDATE SKIP LOCKED` on PostgreSQL, one
//! writer on SQLite) under a lease that every committed batch renews. Each batch commits its
//! changes together with the activity's progress, so a node that dies mid-activity leaves it
//! at its last committed batch; once the lease expires any node resumes it from there, and the
//! upsert by email means no contact is ever created twice. `drain` runs everything queued to
//! completion in the caller's task, for tests and the CLI.

pub mod export;
pub mod import;
pub mod start;

use std::sync::Arc;
use std::time::Duration;

use roster_domain::activity::{
    Activity, ActivityJob, ActivityKind, ActivityState, ClaimedActivity, ContactChange,
    ContactSelection, RETENTION_DAYS,
};
use roster_domain::contact::{Bucket, Contact, ContactFilter, Includes};
use roster_domain::{
    ActivityEngineStore, ContactId, CustomFieldStore, PageRequest, SegmentStore, StoreError,
    StoreResult, Timestamp,
};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Rows committed per import transaction: each commit has a fixed cost (the lease check, the
/// fsync of `synchronous = FULL`), and 2,000 rows import nearly twice as fast as 500 did
/// (BENCHMARKS.md) while holding SQLite's write lock for about a tenth of a second.
pub const IMPORT_BATCH: usize = 2000;
/// Contacts visited per membership, tagging or delete transaction.
pub const CHANGE_BATCH: u32 = 500;
/// Contacts written per export chunk.
pub const EXPORT_BATCH: u32 = 1000;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How long a claim holds without a committed batch before another node may resume it.
    pub lease: Duration,
    /// How often idle workers look for work queued by other nodes.
    pub poll: Duration,
    /// An activity still running this long after it started is ended as timed_out.
    pub max_runtime: Duration,
    /// Most queued (not finished) activities per account.
    pub max_queued: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(2),
            max_runtime: Duration::from_secs(6 * 3600),
            max_queued: roster_domain::activity::MAX_QUEUED_ACTIVITIES,
        }
    }
}

struct Inner {
    store: Arc<dyn ActivityEngineStore>,
    config: EngineConfig,
    /// This process's name in leases.
    node: String,
    wake: Notify,
    stop: watch::Sender<bool>,
    workers: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

/// A handle on the engine; clones share it.
#[derive(Clone)]
pub struct ActivityEngine {
    inner: Arc<Inner>,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl ActivityEngine {
    /// An engine with no workers yet: activities queue until `start` or `drain`.
    pub fn new(store: Arc<dyn ActivityEngineStore>, config: EngineConfig) -> Self {
        let (stop, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                node: format!("node-{}", uuid::Uuid::new_v4()),
                wake: Notify::new(),
                stop,
                workers: std::sync::Mutex::new(Vec::new()),
            }),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Queues an activity and wakes a worker. `LimitReached` beyond the per-account cap.
    pub async fn submit(&self, activity: &Activity, job: &ActivityJob) -> StoreResult<()> {
        self.inner
            .store
            .create_activity(activity, job, self.inner.config.max_queued)
            .await?;
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Starts `count` workers and the retention sweep.
    pub fn start(&self, count: usize) {
        let mut workers = self.inner.workers.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..count {
            let engine = self.clone();
            workers.push(tokio::spawn(async move { engine.work().await }));
        }
        let engine = self.clone();
        workers.push(tokio::spawn(async move { engine.sweep().await }));
    }

    /// Stops the workers: each gives its activity back to the queue between batches.
    pub async fn shutdown(&self) {
        let _ = self.inner.stop.send(true);
        let workers: Vec<JoinHandle<()>> = {
            let mut guard = self.inner.workers.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *guard)
        };
        for worker in workers {
            let _ = worker.await;
        }
    }

    fn stopping(&self) -> bool {
        *self.inner.stop.borrow()
    }

    async fn work(&self) {
        let mut stop = self.inner.stop.subscribe();
        while !self.stopping() {
            match self.run_next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "activity queue unavailable")
                }
            }
            tokio::select! {
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(self.inner.config.poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Drops finished activities (and their export files) after the retention period.
    async fn sweep(&self) {
        let mut stop = self.inner.stop.subscribe();
        while !self.stopping() {
            let before = Timestamp::now().plus_seconds(-RETENTION_DAYS * 86_400);
            match self.inner.store.purge_activities(before).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "purged activities past retention"),
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "cannot purge activities")
                }
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(3600)) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Runs everything queued to completion in this task, waiting for activities that other
    /// workers hold, and returns when none is left unfinished.
    pub async fn drain(&self) -> StoreResult<()> {
        loop {
            if self.run_next().await? {
                continue;
            }
            if self.inner.store.unfinished_activities().await? == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Claims and runs one activity; false when none was claimable.
    async fn run_next(&self) -> StoreResult<bool> {
        let now = Timestamp::now();
        let lease_until = Timestamp::from_millis(now.millis() + millis(self.inner.config.lease));
        let Some(claimed) = self
            .inner
            .store
            .claim_activity(&self.inner.node, now, lease_until)
            .await?
        else {
            return Ok(false);
        };
        let id = claimed.activity.id;
        let kind = claimed.activity.kind;
        tracing::info!(activity = %id, kind = kind.as_str(), "activity claimed");
        match self.run(&claimed).await {
            Ok(Some((state, errors))) => {
                self.finish(&claimed.activity, state, &errors).await?;
                tracing::info!(activity = %id, state = state.as_str(), "activity finished");
            }
            Ok(None) => {
                // Stopping: the activity goes back to the queue at its last committed batch.
                self.inner
                    .store
                    .release_activity(id, &self.inner.node)
                    .await?;
            }
            Err(StoreError::Conflict(reason)) => {
                // Either another node took the activity over (its lease expired here), or a
                // concurrent write collided with the batch. Releasing is a no-op in the first
                // case and makes the batch retry at once in the second.
                tracing::warn!(
                    activity = %id,
                    reason,
                    "activity batch refused; released for a retry"
                );
                self.inner
                    .store
                    .release_activity(id, &self.inner.node)
                    .await?;
            }
            Err(error) => {
                tracing::error!(activity = %id, error = format!("{error:#}"), "activity failed");
                let applied = self
                    .inner
                    .store
                    .activity(claimed.activity.account, id)
                    .await
                    .ok()
                    .flatten()
                    .map(|a| a.items_completed)
                    .unwrap_or(claimed.activity.items_completed);
                let message = format!(
                    "Processing stopped after {applied} of {} items were applied: the database \
                     failed.",
                    claimed.activity.items_total
                );
                self.finish(&claimed.activity, ActivityState::Failed, &[message])
                    .await?;
            }
        }
        Ok(true)
    }

    async fn finish(
        &self,
        activity: &Activity,
        state: ActivityState,
        errors: &[String],
    ) -> StoreResult<()> {
        match self
            .inner
            .store
            .finish_activity(
                activity.id,
                &self.inner.node,
                state,
                errors,
                Timestamp::now(),
            )
            .await
        {
            Err(StoreError::Conflict(_)) => Ok(()),
            other => other,
        }
    }

    fn lease_until(&self) -> Timestamp {
        Timestamp::from_millis(Timestamp::now().millis() + millis(self.inner.config.lease))
    }

    /// Whether the activity must stop here: `Some(state)` to end it, `None` to go on.
    fn checkpoint(&self, activity: &Activity) -> Option<Option<(ActivityState, Vec<String>)>> {
        if self.stopping() {
            return Some(None);
        }
        let started = activity.started_at.unwrap_or(activity.created_at);
        if Timestamp::now().millis() - started.millis() >= millis(self.inner.config.max_runtime) {
            return Some(Some((
                ActivityState::TimedOut,
                vec![format!(
                    "The activity ran longer than {} seconds and was stopped; the items \
                     processed before were applied.",
                    self.inner.config.max_runtime.as_secs()
                )],
            )));
        }
        None
    }

    /// Runs a claimed activity from its last committed batch. `Ok(None)` when stopping.
    async fn run(
        &self,
        claimed: &ClaimedActivity,
    ) -> StoreResult<Option<(ActivityState, Vec<String>)>> {
        let store = &self.inner.store;
        let activity = &claimed.activity;
        let node = &self.inner.node;
        match &claimed.job {
            ActivityJob::Import { list_ids, items } => {
                let mut done = activity.items_completed;
                while (done as usize) < items.len() {
                    if let Some(stop) = self.checkpoint(activity) {
                        return Ok(stop);
                    }
                    let end = (done as usize + IMPORT_BATCH).min(items.len());
                    let batch = &items[done as usize..end];
                    store
                        .import_contacts_batch(
                            activity.account,
                            activity.id,
                            node,
                            done,
                            batch,
                            list_ids,
                            Timestamp::now(),
                            self.lease_until(),
                        )
                        .await?;
                    done = end as i64;
                }
                Ok(Some((ActivityState::Completed, Vec::new())))
            }
            ActivityJob::ChangeContacts { selection, change } => {
                let filter = match &selection.contact_ids {
                    Some(_) => None,
                    None => {
                        match selection_filter(store.as_ref(), activity.account, selection).await? {
                            Ok(filter) => Some(filter),
                            Err(reason) => return Ok(Some((ActivityState::Failed, vec![reason]))),
                        }
                    }
                };
                let mut done = activity.items_completed;
                let mut cursor = activity.cursor;
                loop {
                    if let Some(stop) = self.checkpoint(activity) {
                        return Ok(stop);
                    }
                    let page = self
                        .select(
                            activity,
                            selection,
                            filter.as_ref(),
                            cursor,
                            CHANGE_BATCH,
                            false,
                        )
                        .await?;
                    let Some(last) = page.last else { break };
                    let count = page.visited;
                    let ids = page.ids;
                    store
                        .change_contacts_batch(
                            activity.account,
                            activity.id,
                            node,
                            done,
                            change,
                            &ids,
                            count,
                            Some(last),
                            Timestamp::now(),
                            self.lease_until(),
                        )
                        .await?;
                    done += count;
                    cursor = Some(last);
                }
                Ok(Some((ActivityState::Completed, Vec::new())))
            }
            ActivityJob::Export { selection, fields } => {
                let filter = match &selection.contact_ids {
                    Some(_) => None,
                    None => {
                        match selection_filter(store.as_ref(), activity.account, selection).await? {
                            Ok(filter) => Some(filter),
                            Err(reason) => return Ok(Some((ActivityState::Failed, vec![reason]))),
                        }
                    }
                };
                let custom_fields = store.all_custom_fields(activity.account).await?;
                let mut done = activity.items_completed;
                let mut cursor = activity.cursor;
                loop {
                    if let Some(stop) = self.checkpoint(activity) {
                        return Ok(stop);
                    }
                    let page = self
                        .select(
                            activity,
                            selection,
                            filter.as_ref(),
                            cursor,
                            EXPORT_BATCH,
                            true,
                        )
                        .await?;
                    let last = page.last;
                    // The header goes with the first chunk, or alone when nothing matches.
                    if last.is_none() && (done > 0 || cursor.is_some()) {
                        break;
                    }
                    let header = done == 0 && cursor.is_none();
                    let chunk = export::write_csv(&page.contacts, fields, &custom_fields, header)
                        .map_err(StoreError::Unavailable)?;
                    let count = page.visited;
                    store
                        .append_export_chunk(
                            activity.account,
                            activity.id,
                            node,
                            done,
                            &chunk,
                            count,
                            last,
                            Timestamp::now(),
                            self.lease_until(),
                        )
                        .await?;
                    let Some(last) = last else { break };
                    done += count;
                    cursor = Some(last);
                    if count == 0 {
                        break;
                    }
                }
                Ok(Some((ActivityState::Completed, Vec::new())))
            }
            ActivityJob::DeleteLists(lists) => {
                let deleted = store.delete_lists(activity.account, lists).await?;
                let errors = missing(lists.len() as i64 - deleted, "lists");
                Ok(Some((ActivityState::Completed, errors)))
            }
            ActivityJob::DeleteTags(tags) => {
                let deleted = store.delete_tags(activity.account, tags).await?;
                let errors = missing(tags.len() as i64 - deleted, "tags");
                Ok(Some((ActivityState::Completed, errors)))
            }
            ActivityJob::DeleteCustomFields(fields) => {
                let mut errors = Vec::new();
                for field in fields {
                    if !store.delete_custom_field(activity.account, *field).await? {
                        errors.push(format!("custom field {field} was not found"));
                    }
                }
                Ok(Some((ActivityState::Completed, errors)))
            }
        }
    }

    /// The next contacts of a selection after `cursor`: every visited id moves the cursor,
    /// but excluded ones (and, for explicit ids, nothing else) are left out of `ids`.
    async fn select(
        &self,
        activity: &Activity,
        selection: &ContactSelection,
        filter: Option<&ContactFilter>,
        cursor: Option<ContactId>,
        limit: u32,
        load: bool,
    ) -> StoreResult<Selected> {
        let store = &self.inner.store;
        let account = activity.account;
        let keep = |contact: &Contact| {
            !selection.exclude.contains(&contact.id)
                && selection.opted_in_since.is_none_or(|since| {
                    contact
                        .email
                        .as_ref()
                        .and_then(|e| e.opt_in_date)
                        .is_some_and(|at| at.millis() >= since)
                })
        };
        if let Some(ids) = &selection.contact_ids {
            let mut ids: Vec<ContactId> = ids
                .iter()
                .copied()
                .filter(|id| cursor.is_none_or(|c| *id > c))
                .collect();
            ids.sort();
            ids.dedup();
            ids.truncate(limit as usize);
            let last = ids.last().copied();
            let visited = ids.len() as i64;
            ids.retain(|id| !selection.exclude.contains(id));
            let mut contacts = Vec::new();
            if load {
                for id in &ids {
                    if let Some(contact) = store.contact(account, *id).await? {
                        if contact.bucket() != Bucket::Deleted && keep(&contact) {
                            contacts.push(contact);
                        }
                    }
                }
            }
            return Ok(Selected {
                contacts,
                ids,
                last,
                visited,
            });
        }
        let filter = match filter {
            Some(filter) => filter,
            None => {
                return Ok(Selected {
                    contacts: Vec::new(),
                    ids: Vec::new(),
                    last: None,
                    visited: 0,
                })
            }
        };
        let includes = Includes {
            custom_fields: load,
            list_memberships: false,
            phone_numbers: load,
            street_addresses: load,
            taggings: false,
            notes: false,
        };
        let page = store
            .contacts(
                account,
                filter,
                includes,
                PageRequest {
                    limit,
                    after: cursor,
                },
            )
            .await?;
        let last = page.items.last().map(|c| c.id);
        let visited = page.items.len() as i64;
        let contacts: Vec<Contact> = page.items.into_iter().filter(|c| keep(c)).collect();
        Ok(Selected {
            ids: contacts.iter().map(|c| c.id).collect(),
            contacts,
            last,
            visited,
        })
    }
}

/// The contact filter a selection walks (unless it names contact ids): its buckets, lists and
/// tags, and a segment's criteria parsed against the account's custom fields as they are now
/// (the same evaluation as GET /contacts?segment_id=). `Err` names why the selection cannot be
/// evaluated any more (its segment was deleted or no longer parses).
pub async fn selection_filter<S>(
    store: &S,
    account: roster_domain::AccountId,
    selection: &ContactSelection,
) -> StoreResult<Result<ContactFilter, String>>
where
    S: SegmentStore + CustomFieldStore + ?Sized,
{
    let mut filter = ContactFilter {
        buckets: if selection.buckets.is_empty() {
            Bucket::NOT_DELETED.to_vec()
        } else {
            selection.buckets.clone()
        },
        lists: selection.lists.clone(),
        tags: selection.tags.clone(),
        segment: selection.engagement_level.map(|level| {
            roster_domain::segment::Node::Condition(roster_domain::segment::Condition::Engagement(
                level,
            ))
        }),
        ..Default::default()
    };
    if let Some(id) = selection.segment_id {
        let Some(segment) = store.segment(account, id).await? else {
            return Ok(Err(format!("The segment {id} no longer exists.")));
        };
        let definitions = store.all_custom_fields(account).await?;
        let context = roster_domain::segment::CriteriaContext {
            custom_fields: &definitions,
        };
        match roster_domain::segment::parse_stored_criteria(
            &segment.criteria,
            &context,
            Timestamp::now(),
        ) {
            Ok((node, _)) => filter.segment = Some(node),
            Err(problems) => {
                let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
                return Ok(Err(format!(
                    "The segment {id} can no longer be evaluated: {}",
                    reasons.join(" ")
                )));
            }
        }
    }
    Ok(Ok(filter))
}

struct Selected {
    contacts: Vec<Contact>,
    ids: Vec<ContactId>,
    last: Option<ContactId>,
    visited: i64,
}

/// The activity and job a request starts, built the same way by HTTP handlers and the CLI.
pub fn new_activity(
    account: roster_domain::AccountId,
    kind: ActivityKind,
    items_total: i64,
) -> Activity {
    Activity::new(account, kind, items_total, Timestamp::now())
}

/// The change a contact-walking activity applies, by kind.
pub fn change_for(
    kind: ActivityKind,
    lists: Vec<roster_domain::ListId>,
    tags: Vec<roster_domain::TagId>,
) -> Option<ContactChange> {
    Some(match kind {
        ActivityKind::AddListMemberships => ContactChange::AddLists(lists),
        ActivityKind::RemoveListMemberships => ContactChange::RemoveLists(lists),
        ActivityKind::TaggingsAdd => ContactChange::AddTags(tags),
        ActivityKind::TaggingsRemove => ContactChange::RemoveTags(tags),
        ActivityKind::ContactDelete => ContactChange::Delete,
        _ => return None,
    })
}

fn missing(count: i64, what: &str) -> Vec<String> {
    if count > 0 {
        vec![format!(
            "{count} of the {what} were not found (or were already deleted)"
        )]
    } else {
        Vec::new()
    }
}
