//! All HTTP integration tests, as modules of one test binary (one link step). Each test runs
//! on SQLite and on PostgreSQL.

mod conventions;
mod custom_fields;
mod health;
mod isolation;
mod mailer;
mod oauth;
mod oauth_python;
mod privileges;
mod rate_limits;
mod support;
mod tokens;
