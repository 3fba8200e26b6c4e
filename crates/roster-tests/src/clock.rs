//! A clock tests move forward, handed to a mailer (`MailerConfig::clock`) so a resend's delay
//! or an A/B test's winner wait passes without waiting: the wall clock plus an offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use roster_domain::clock::Clock;
use roster_domain::Timestamp;

#[derive(Debug, Default)]
pub struct TestClock {
    offset_millis: AtomicI64,
}

impl TestClock {
    /// The wall clock, for now; shared, so a mailer and the test see the same moves.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Moves the clock `by` forward.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).expect("a test-sized duration");
        self.offset_millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(
            Timestamp::now().millis() + self.offset_millis.load(Ordering::SeqCst),
        )
    }
}
