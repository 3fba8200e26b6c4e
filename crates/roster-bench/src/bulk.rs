//! The scenarios that go through bulk activities and segments: the import (the data set's
//! rows through `contacts_json_import` into a second account, beside the raw bulk insert of
//! the same rows), the CSV export (beside a plain SELECT of the same columns) and the first
//! page of a segment (beside GET /contacts/{id}).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use roster_domain::contact::Contact;
use roster_domain::{AccountId, ListId};
use serde_json::{json, Value};

use crate::dataset::{AccountSetup, Contacts};
use crate::report::{Outcome, Row, Target};
use crate::server::{Engine, RssSampler};
use crate::{say, Bench};

/// Import requests stay under this many bytes (the server's limit is 4 MiB).
const IMPORT_REQUEST_BYTES: usize = 4_000_000;
/// How often an activity's state is read while waiting for it.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The account the import scenario loads the data set into, created with the data set.
pub struct ImportTarget {
    pub setup: AccountSetup,
    /// The import's list for the contacts in neither L1 nor L2 (`list_ids` takes 1–50 ids).
    pub unlisted: ListId,
    pub token: String,
}

/// What the import scenario measured.
pub struct Imported {
    pub contacts_per_second: f64,
    pub requests: usize,
    pub largest_request: usize,
    pub elapsed: Duration,
    /// Peak VmRSS of `roster serve` sampled while the import ran, in bytes.
    pub peak_rss: u64,
}

/// One contact as a `contacts_json_import` row: the properties it carries, custom values
/// as `cf:<name>`.
fn import_row(contact: &Contact, setup: &AccountSetup) -> Value {
    let mut row = serde_json::Map::new();
    if let Some(email) = &contact.email {
        row.insert("email".into(), json!(email.address.as_str()));
    }
    for (name, value) in [
        ("first_name", &contact.first_name),
        ("last_name", &contact.last_name),
        ("job_title", &contact.job_title),
        ("company_name", &contact.company_name),
    ] {
        if let Some(value) = value {
            row.insert(name.into(), json!(value));
        }
    }
    for value in &contact.custom_fields {
        if let Some(at) = setup
            .fields
            .iter()
            .position(|f| *f == value.custom_field_id)
        {
            row.insert(format!("cf:{}", setup.field_names[at]), json!(value.value));
        }
    }
    Value::Object(row)
}

/// Rows waiting for one list combination's next request, serialized.
#[derive(Default)]
struct PendingRequest {
    rows: Vec<String>,
    bytes: usize,
}

impl PendingRequest {
    fn body(&mut self, list_ids: &[ListId]) -> String {
        let ids: Vec<String> = list_ids.iter().map(|id| format!("\"{id}\"")).collect();
        let body = format!(
            "{{\"list_ids\":[{}],\"import_data\":[{}]}}",
            ids.join(","),
            self.rows.join(",")
        );
        self.rows.clear();
        self.bytes = 0;
        body
    }
}

impl Bench<'_> {
    pub(crate) async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<String>,
    ) -> anyhow::Result<(reqwest::StatusCode, Value)> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {value}");
        }
        Ok((status, value))
    }

    /// Waits for an activity to complete; fails on `failed` or `timed_out`.
    async fn completed_activity(&self, id: &str, token: &str) -> anyhow::Result<Value> {
        loop {
            let (_, activity) = self
                .send_json(
                    reqwest::Method::GET,
                    &format!("/v3/activities/{id}"),
                    token,
                    None,
                )
                .await?;
            match activity["state"].as_str() {
                Some("completed") => return Ok(activity),
                Some("failed" | "timed_out" | "cancelled") => {
                    bail!("activity {id} ended {}: {}", activity["state"], activity)
                }
                _ => tokio::time::sleep(POLL_INTERVAL).await,
            }
        }
    }

    /// The data set's rows through `contacts_json_import` into the import account, in
    /// requests of up to 4 MB, one list combination per request (an import's `list_ids` apply
    /// to all its rows), from the first POST until the last activity completes.
    pub(crate) async fn import(&self, target: &ImportTarget, pid: u32) -> anyhow::Result<Imported> {
        let max_rows = roster_activities::import::DEFAULT_MAX_CONTACTS;
        let mut pending: BTreeMap<Vec<ListId>, PendingRequest> = BTreeMap::new();
        let mut activity_ids = Vec::new();
        let mut largest_request = 0;
        let sampler = RssSampler::start(pid);
        let started = Instant::now();
        let contacts = Contacts::new(&target.setup, self.options.contacts, self.loaded.now);
        let mut bodies_sent = 0usize;
        for contact in contacts {
            let list_ids = if contact.list_ids.is_empty() {
                vec![target.unlisted]
            } else {
                contact.list_ids.clone()
            };
            let row = import_row(&contact, &target.setup).to_string();
            let request = pending.entry(list_ids.clone()).or_default();
            // 100 bytes for the envelope and the list ids.
            if request.bytes + row.len() + 1 + 100 > IMPORT_REQUEST_BYTES
                || request.rows.len() == max_rows
            {
                let body = request.body(&list_ids);
                largest_request = largest_request.max(body.len());
                activity_ids.push(self.queue_import(body, &target.token).await?);
                bodies_sent += 1;
            }
            request.bytes += row.len() + 1;
            request.rows.push(row);
        }
        for (list_ids, request) in pending.iter_mut() {
            if !request.rows.is_empty() {
                let body = request.body(list_ids);
                largest_request = largest_request.max(body.len());
                activity_ids.push(self.queue_import(body, &target.token).await?);
                bodies_sent += 1;
            }
        }
        let (mut people, mut errors) = (0, 0);
        for id in &activity_ids {
            let activity = self.completed_activity(id, &target.token).await?;
            people += activity["status"]["person_count"].as_i64().unwrap_or(0);
            errors += activity["status"]["error_count"].as_i64().unwrap_or(0);
        }
        let elapsed = started.elapsed();
        let peak_rss = sampler.finish();
        if errors > 0 || people != self.options.contacts as i64 {
            bail!(
                "the import created or updated {people} contacts with {errors} errors, not {}",
                self.options.contacts
            );
        }
        let (_, counts) = self
            .send_json(
                reqwest::Method::GET,
                "/v3/contacts/counts",
                &target.token,
                None,
            )
            .await?;
        if counts["total"].as_i64() != Some(self.options.contacts as i64) {
            bail!(
                "after the import the account holds {} contacts, not {}",
                counts["total"],
                self.options.contacts
            );
        }
        Ok(Imported {
            contacts_per_second: self.options.contacts as f64 / elapsed.as_secs_f64(),
            requests: bodies_sent,
            largest_request,
            elapsed,
            peak_rss,
        })
    }

    async fn queue_import(&self, body: String, token: &str) -> anyhow::Result<String> {
        let (_, activity) = self
            .send_json(
                reqwest::Method::POST,
                "/v3/activities/contacts_json_import",
                token,
                Some(body),
            )
            .await?;
        activity["activity_id"]
            .as_str()
            .map(String::from)
            .context("the import answered no activity_id")
    }

    /// Every contact exported to CSV (the default columns), from the POST until the file is
    /// downloaded, beside a plain SELECT of the same columns by the same engine.
    pub(crate) async fn export(&self, figure: &str) -> anyhow::Result<Row> {
        let started = Instant::now();
        let (_, activity) = self
            .send_json(
                reqwest::Method::POST,
                "/v3/activities/contact_exports",
                self.token,
                Some("{}".into()),
            )
            .await?;
        let id = activity["activity_id"]
            .as_str()
            .context("the export answered no activity_id")?
            .to_string();
        self.completed_activity(&id, self.token).await?;
        let mut response = self
            .http
            .get(format!("{}/v3/contact_exports/{id}", self.base_url))
            .bearer_auth(self.token)
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::OK {
            bail!(
                "GET /v3/contact_exports/{id} answered {}",
                response.status()
            );
        }
        let mut lines = 0usize;
        while let Some(chunk) = response.chunk().await? {
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let exported = started.elapsed();
        // The header is one line; the data set's values hold no line breaks.
        let rows = lines.saturating_sub(1);
        if rows != self.options.contacts {
            bail!(
                "the export holds {rows} rows, not {}",
                self.options.contacts
            );
        }
        let selected =
            plain_select(self.options.engine, self.database_url, self.loaded.account).await?;
        if selected.rows != rows {
            bail!(
                "the plain SELECT read {} contacts, the export {rows}",
                selected.rows
            );
        }
        say(format!(
            "  export: {rows} rows in {:.1} s; plain SELECT in {:.1} s",
            exported.as_secs_f64(),
            selected.elapsed.as_secs_f64()
        ));
        Ok(Row {
            scenario: "export",
            figure: format!(
                "{figure} ({rows} rows in {:.1} s, POST to downloaded)",
                exported.as_secs_f64()
            ),
            unit: "rows/s",
            outcome: Outcome::Measured {
                value: rows as f64 / exported.as_secs_f64(),
                baseline: Some((
                    rows as f64 / selected.elapsed.as_secs_f64(),
                    "a plain SELECT of the same columns, in-process".into(),
                )),
            },
            target: Target::RatioAtLeast(0.5),
            load: None,
        })
    }

    /// The segment of the issue, created through POST /v3/segments: member of L2, custom
    /// field 1 (Tier, ten values each held by 10%) equal to one value, created in the last
    /// 90 days. Returns the path of its first page.
    pub(crate) async fn segment_page_path(&self) -> anyhow::Result<String> {
        let criteria = json!({
            "version": "1.0.0",
            "criteria": {"type": "and", "group": [
                {"source": "list_membership", "op": "contains-any",
                 "const_value": self.loaded.l2.to_string()},
                {"source": "contact", "field": "custom_field",
                 "param": self.loaded.setup.fields[0].to_string(),
                 "op": "eq", "const_value": "tier-3"},
                {"source": "contact", "field": "created_at", "op": "in-last-days",
                 "const_value": "90"},
            ]},
        });
        let body = json!({
            "name": "L2, tier-3, created in the last 90 days",
            "segment_criteria": criteria.to_string(),
        });
        let (_, segment) = self
            .send_json(
                reqwest::Method::POST,
                "/v3/segments",
                self.token,
                Some(body.to_string()),
            )
            .await?;
        let id = segment["segment_id"]
            .as_i64()
            .context("the segment answered no segment_id")?;
        Ok(format!("/v3/contacts?segment_id={id}&limit=50"))
    }
}

pub struct Selected {
    pub rows: usize,
    pub elapsed: Duration,
}

/// The columns the export writes by default, read by a plain SELECT (the contact rows, then
/// their custom values), rows fetched and dropped. Only the contact rows are counted.
const SELECT_CONTACTS: &str = "SELECT email, first_name, last_name, job_title, company_name, \
    birthday_month, birthday_day, anniversary, phone_numbers, street_addresses, permission, \
    created_at, updated_at FROM contacts WHERE account_id = $1 AND deleted_at IS NULL";
const SELECT_CUSTOM_VALUES: &str =
    "SELECT contact_id, custom_field_id, value FROM contact_custom_values WHERE account_id = $1";

/// The plain SELECT on one engine's connection type `C`: the contact rows counted, then their
/// custom values read, both fetched and dropped row by row.
async fn timed_select<C>(url: &str, account: AccountId) -> anyhow::Result<Selected>
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
    for<'q> <C::Database as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, C::Database>,
{
    use futures_util::TryStreamExt;
    let mut connection = C::connect(url).await?;
    let started = Instant::now();
    let mut rows = 0usize;
    {
        let mut contacts = sqlx::query(SELECT_CONTACTS)
            .bind(account.0)
            .fetch(&mut connection);
        while contacts.try_next().await?.is_some() {
            rows += 1;
        }
    }
    {
        let mut values = sqlx::query(SELECT_CUSTOM_VALUES)
            .bind(account.0)
            .fetch(&mut connection);
        while values.try_next().await?.is_some() {}
    }
    let elapsed = started.elapsed();
    connection.close().await?;
    Ok(Selected { rows, elapsed })
}

async fn plain_select(
    engine: Engine,
    database_url: &str,
    account: AccountId,
) -> anyhow::Result<Selected> {
    Ok(match engine {
        Engine::Sqlite => timed_select::<sqlx::SqliteConnection>(database_url, account).await?,
        Engine::Postgres => timed_select::<sqlx::PgConnection>(database_url, account).await?,
    })
}
