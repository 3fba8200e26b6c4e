//! Bounces and complaints coming back to Roster (docs/TRACKING.md, "Bounces"): reading what
//! arrives at the bounce address, a delivery status notification (RFC 3464), a feedback-loop
//! complaint (ARF, RFC 5965) or an auto-reply, and the references in it that name the
//! message Roster sent; and the inbound SMTP listener that takes such mail for the bounce
//! domain.

pub mod dsn;
pub mod event;
pub mod inbound;
pub mod intake;
pub mod references;
pub mod report;
pub mod smtp;

pub use intake::{Intake, IntakeSettings, Outcome};
pub use report::{read_report, FeedbackKind, InboundReport, Report, Unparseable};

/// The largest inbound message taken, through the SMTP listener or the bounce endpoint: a DSN
/// carrying a whole campaign message back stays well under it.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
