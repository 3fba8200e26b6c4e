//! Where the scheduled waits read the time: the campaign scheduler, the resend to non-openers'
//! delay and the A/B test's winner wait (docs/CAMPAIGNS.md). Production always runs on
//! [`SystemClock`]; tests hand the mailer a clock they move forward, so a wait of days is
//! tested without a flag that would shorten it in production.

use std::fmt;
use std::sync::Arc;

use crate::Timestamp;

/// The source of "now" for work that waits.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock shared by the components that wait (cheap to clone).
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock, shared.
pub fn system_clock() -> SharedClock {
    Arc::new(SystemClock)
}
