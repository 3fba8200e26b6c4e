//! All HTTP integration tests, as modules of one test binary (one link step). Each test runs
//! on SQLite and on PostgreSQL.

mod account;
mod activities;
mod bulk;
mod contact_counts;
mod contact_lists;
mod contact_support;
mod contact_tags;
mod contacts;
mod contacts_bad_input;
mod contacts_isolation;
mod contacts_query;
mod contacts_resubscribe;
mod contacts_semantics;
mod conventions;
mod custom_fields;
mod durability;
mod emails;
mod health;
mod hostile_input;
mod isolation;
mod mail_signing;
mod mailer;
mod oauth;
mod oauth_python;
mod openapi;
mod privileges;
mod python_sdk;
mod rate_limits;
mod request_schemas;
mod segments;
mod support;
mod tokens;
