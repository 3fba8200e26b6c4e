//! All HTTP integration tests, as modules of one test binary (one link step). Each test runs
//! on SQLite and on PostgreSQL.

mod bulk;
mod contacts;
mod conventions;
mod custom_fields;
mod health;
mod support;
mod tokens;
