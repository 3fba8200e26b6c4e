//! Tracking events (docs/TRACKING.md): the group-commit writer that the open pixel, the click
//! redirect, the forward page and the bounce intake hand their events to. It is a job engine
//! like the mailer's workers: `roster serve` runs its commit loop, tests drain it with
//! `flush`.

mod writer;

pub use writer::{EventWriter, WriterConfig, WriterTask};
