//! The group-commit writer. One transaction per event cannot keep up with the pixel: SQLite
//! with `synchronous=FULL` commits about 2,100–2,800 times a second on the reference machine,
//! while the pixel can be asked for tens of thousands of times a second. So a request hands
//! its event to [`EventWriter::record`], which queues it in memory and returns at once, and
//! one commit loop per node records whatever is queued, in one transaction per batch of at
//! most [`WriterConfig::batch`] events (`EventStore::record_events`: the rows and the
//! counters together), at least every [`WriterConfig::interval`] and as soon as a batch's
//! worth is waiting.
//!
//! The crash bound: a kill loses the events queued but not yet committed, at most one
//! interval's worth (or one batch, whichever is reached first, plus the batch being
//! committed). What was committed is whole: counters and rows always agree.
//!
//! A database that stays down is retried every interval; meanwhile events queue up to
//! [`WriterConfig::capacity`], beyond which new ones are dropped (and counted, and logged),
//! so a stalled database never takes the node's memory with it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster_domain::tracking::TrackingEvent;
use roster_domain::{EventStore, StoreResult};
use tokio::sync::Notify;

/// How often and how much the writer commits.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// The longest an event waits before its batch commits.
    pub interval: Duration,
    /// The most events one transaction records; a batch this size commits at once.
    pub batch: usize,
    /// The most events kept waiting; beyond it new events are dropped.
    pub capacity: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(100),
            batch: 1000,
            capacity: 200_000,
        }
    }
}

struct Shared {
    store: Arc<dyn EventStore>,
    config: WriterConfig,
    queue: Mutex<VecDeque<TrackingEvent>>,
    /// Woken when a batch's worth is waiting, and on stop.
    wake: Notify,
    /// One commit at a time, so batches commit in the order their events were recorded and a
    /// flush waits for the batch in flight.
    turn: tokio::sync::Mutex<()>,
    dropped: AtomicU64,
}

/// Queues tracking events and commits them in batches. Cheap to clone: clones share the queue.
#[derive(Clone)]
pub struct EventWriter {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EventWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventWriter")
            .field("pending", &self.pending())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl EventWriter {
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self::with_config(store, WriterConfig::default())
    }

    pub fn with_config(store: Arc<dyn EventStore>, config: WriterConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                store,
                config,
                queue: Mutex::new(VecDeque::new()),
                wake: Notify::new(),
                turn: tokio::sync::Mutex::new(()),
                dropped: AtomicU64::new(0),
            }),
        }
    }

    /// Queues `event` and returns at once; it is committed within the interval (while the
    /// commit loop runs) or by the next `flush`.
    pub fn record(&self, event: TrackingEvent) {
        let shared = &self.shared;
        let waiting = match shared.queue.lock() {
            Ok(mut queue) if queue.len() < shared.config.capacity => {
                queue.push_back(event);
                Some(queue.len())
            }
            _ => None,
        };
        match waiting {
            Some(waiting) if waiting == shared.config.batch => shared.wake.notify_one(),
            Some(_) => {}
            None => {
                let dropped = shared.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                // The first drop, then one line per 10,000: a stalled database must not
                // also flood the log.
                if dropped % 10_000 == 1 {
                    tracing::error!(dropped, "tracking events dropped: the queue is full");
                }
            }
        }
    }

    /// Events queued and not yet committed.
    pub fn pending(&self) -> usize {
        self.shared.queue.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// Events dropped because the queue was full, since the start.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Commits every event recorded before the call (the drain hook of tests, and the last
    /// step of a shutdown). On an error the events stay queued for the next attempt.
    pub async fn flush(&self) -> StoreResult<()> {
        let shared = &self.shared;
        let _turn = shared.turn.lock().await;
        loop {
            let batch: Vec<TrackingEvent> = {
                let Ok(mut queue) = shared.queue.lock() else {
                    return Ok(());
                };
                let take = queue.len().min(shared.config.batch);
                queue.drain(..take).collect()
            };
            if batch.is_empty() {
                return Ok(());
            }
            if let Err(error) = shared.store.record_events(&batch).await {
                self.requeue(batch);
                return Err(error);
            }
        }
    }

    /// Puts a batch that failed back at the front of the queue, as far as there is room.
    fn requeue(&self, batch: Vec<TrackingEvent>) {
        let shared = &self.shared;
        let Ok(mut queue) = shared.queue.lock() else {
            return;
        };
        let room = shared.config.capacity.saturating_sub(queue.len());
        let lost = batch.len().saturating_sub(room);
        for event in batch.into_iter().take(room).rev() {
            queue.push_front(event);
        }
        if lost > 0 {
            shared.dropped.fetch_add(lost as u64, Ordering::Relaxed);
            tracing::error!(lost, "tracking events dropped: the queue is full");
        }
    }

    /// Starts the commit loop on the current runtime. Stop it with [`WriterTask::stop`],
    /// which commits what is left.
    pub fn start(&self) -> WriterTask {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = self.clone();
        let stopping = stop.clone();
        let handle = tokio::spawn(async move { writer.run(&stopping).await });
        WriterTask {
            writer: self.clone(),
            stop,
            handle,
        }
    }

    async fn run(&self, stop: &std::sync::atomic::AtomicBool) {
        let interval = self.shared.config.interval;
        let mut failing = false;
        while !stop.load(Ordering::Acquire) {
            // Either the interval passed or a batch's worth is waiting.
            let _ = tokio::time::timeout(interval, self.shared.wake.notified()).await;
            match self.flush().await {
                Ok(()) if failing => {
                    failing = false;
                    tracing::info!("tracking events are being recorded again");
                }
                Ok(()) => {}
                Err(error) => {
                    if !failing {
                        tracing::error!(
                            error = format!("{error:#}"),
                            pending = self.pending(),
                            "cannot record tracking events; retrying"
                        );
                    }
                    failing = true;
                }
            }
        }
    }
}

/// The running commit loop of a writer.
pub struct WriterTask {
    writer: EventWriter,
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: tokio::task::JoinHandle<()>,
}

impl WriterTask {
    /// Stops the loop after its current commit (never in the middle of one, so no taken batch
    /// is lost) and commits what is still queued.
    pub async fn stop(self) -> StoreResult<()> {
        self.stop.store(true, Ordering::Release);
        self.writer.shared.wake.notify_one();
        let _ = self.handle.await;
        self.writer.flush().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use async_trait::async_trait;
    use roster_domain::tracking::{EventKind, TrackingCounts};
    use roster_domain::{AccountId, CampaignActivityId, ContactId, StoreError, Timestamp};

    use super::*;

    /// Remembers each batch; fails while `failing` is set.
    #[derive(Default)]
    struct Batches {
        batches: StdMutex<Vec<usize>>,
        failing: std::sync::atomic::AtomicBool,
    }

    #[async_trait]
    impl EventStore for Batches {
        async fn record_events(&self, events: &[TrackingEvent]) -> StoreResult<()> {
            if self.failing.load(Ordering::SeqCst) {
                return Err(StoreError::unavailable(std::io::Error::other("down")));
            }
            self.batches.lock().unwrap().push(events.len());
            Ok(())
        }
        async fn tracking_counts(
            &self,
            _: AccountId,
            _: CampaignActivityId,
        ) -> StoreResult<TrackingCounts> {
            unreachable!()
        }
        async fn recount_tracking(
            &self,
            _: AccountId,
            _: CampaignActivityId,
        ) -> StoreResult<TrackingCounts> {
            unreachable!()
        }
        async fn recent_events(
            &self,
            _: AccountId,
            _: CampaignActivityId,
            _: u32,
        ) -> StoreResult<Vec<TrackingEvent>> {
            unreachable!()
        }
        async fn activity_link_ids(
            &self,
            _: AccountId,
            _: CampaignActivityId,
            _: &[String],
        ) -> StoreResult<Vec<u32>> {
            unreachable!()
        }
        async fn activity_link(
            &self,
            _: AccountId,
            _: CampaignActivityId,
            _: u32,
        ) -> StoreResult<Option<String>> {
            unreachable!()
        }
    }

    fn event() -> TrackingEvent {
        TrackingEvent::new(
            AccountId::generate(),
            CampaignActivityId::generate(),
            ContactId::generate(),
            1,
            EventKind::Open,
            Timestamp::now(),
        )
    }

    fn writer(store: Arc<Batches>, capacity: usize) -> EventWriter {
        EventWriter::with_config(
            store,
            WriterConfig {
                interval: Duration::from_millis(100),
                batch: 10,
                capacity,
            },
        )
    }

    #[tokio::test]
    async fn a_flush_commits_everything_in_batches_of_at_most_the_batch_size() {
        let store = Arc::new(Batches::default());
        let writer = writer(store.clone(), 1000);
        for _ in 0..25 {
            writer.record(event());
        }
        assert_eq!(writer.pending(), 25);
        writer.flush().await.unwrap();
        assert_eq!(*store.batches.lock().unwrap(), vec![10, 10, 5]);
        assert_eq!(writer.pending(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_loop_commits_within_the_interval_and_at_once_for_a_full_batch() {
        let store = Arc::new(Batches::default());
        let writer = writer(store.clone(), 1000);
        let task = writer.start();
        writer.record(event());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(*store.batches.lock().unwrap(), vec![1]);
        for _ in 0..10 {
            writer.record(event());
        }
        // A full batch wakes the loop long before the interval.
        tokio::time::sleep(Duration::from_millis(1)).await;
        tokio::task::yield_now().await;
        assert_eq!(*store.batches.lock().unwrap(), vec![1, 10]);
        writer.record(event());
        task.stop().await.unwrap();
        assert_eq!(*store.batches.lock().unwrap(), vec![1, 10, 1]);
    }

    #[tokio::test]
    async fn a_failed_batch_stays_queued_and_a_full_queue_drops() {
        let store = Arc::new(Batches::default());
        let writer = writer(store.clone(), 15);
        store.failing.store(true, Ordering::SeqCst);
        for _ in 0..20 {
            writer.record(event());
        }
        assert_eq!((writer.pending(), writer.dropped()), (15, 5));
        assert!(writer.flush().await.is_err());
        assert_eq!(writer.pending(), 15);
        store.failing.store(false, Ordering::SeqCst);
        writer.flush().await.unwrap();
        assert_eq!(*store.batches.lock().unwrap(), vec![10, 5]);
    }
}
