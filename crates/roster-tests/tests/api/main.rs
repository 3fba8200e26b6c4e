//! All HTTP integration tests, as modules of one test binary (one link step). Each test runs
//! on SQLite and on PostgreSQL.

mod conventions;
mod custom_fields;
mod health;
mod mailer;
mod support;
mod tokens;
