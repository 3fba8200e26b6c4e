//! All HTTP integration tests, as modules of one test binary (one link step). Each test runs
//! on SQLite and on PostgreSQL.

mod custom_fields;
