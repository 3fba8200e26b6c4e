//! The column lists that row types read, each written once: a `SELECT` (or `RETURNING`)
//! names them in the order the row type's fields expect, and `format!` puts them in a query's
//! text, built once per query (a `LazyLock` beside the query).

/// The columns `rows::ContactRow` reads, qualified by the alias `c`.
pub const CONTACT_COLUMNS: &str = "c.id, c.email, c.permission, c.opt_in_source, c.opt_in_date, \
                                   c.opt_out_source, c.opt_out_date, c.opt_out_reason, \
                                   c.confirm_status, c.email_created_at, c.email_updated_at, \
                                   c.first_name, c.last_name, c.job_title, c.company_name, \
                                   c.birthday_month, c.birthday_day, c.anniversary, \
                                   c.create_source, c.update_source, c.created_at, c.updated_at, \
                                   c.deleted_at, c.phone_numbers, c.street_addresses, c.notes, \
                                   c.sms_channel";

/// The columns `rows::CustomFieldRow` reads.
pub const CUSTOM_FIELD_COLUMNS: &str =
    "id, label, name, field_type, metadata, version, choices, created_at, updated_at";

/// The columns `rows::ListRow` reads.
pub const LIST_COLUMNS: &str = "id, name, description, favorite, created_at, updated_at, \
                                deleted_at, member_count, active_member_count";

/// The columns `rows::DeviceAuthorizationRow` reads.
pub const DEVICE_AUTHORIZATION_COLUMNS: &str = "device_code_sha256, user_code, client_id, scopes, \
                                                status, account_id, user_id, interval_seconds, \
                                                last_polled_at, created_at, expires_at";

/// The columns `rows::OutboxRow` reads, also the order the outbox's insert writes them in.
pub const OUTBOX_COLUMNS: &str = "id, account_id, kind, message_id, from_mailbox, reply_to, \
                                  recipients, subject, headers, text_body, html_body, state, \
                                  attempts, last_reply, due_at, lease_token, created_at, \
                                  updated_at, finished_at";

/// The columns `rows::AccountEmailRow` reads.
pub const ACCOUNT_EMAIL_COLUMNS: &str = "email_id, email, confirm_status, confirmed_at, \
                                         confirm_source_type, roles, pending_roles, created_at";

/// The columns `rows::ActivityRow` reads (`rows::ClaimedRow` adds `job`).
pub const ACTIVITY_COLUMNS: &str = "id, account_id, kind, state, created_at, updated_at, \
                                    started_at, completed_at, items_total, items_completed, \
                                    created_count, updated_count, error_count, \
                                    cannot_add_to_list_count, list_count, source_file_name, \
                                    cursor";
