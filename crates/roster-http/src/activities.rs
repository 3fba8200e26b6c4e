//! Bulk Activities: the POST /activities/* operations that queue work for the engine, GET
//! /activities and /activities/{activity_id} that report it, and GET
//! /contact_exports/{file_export_id}, which streams an export file from the database chunk by
//! chunk. Each operation answers with the activity shape the V3 document gives it.

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_activities::{change_for, export, import, new_activity};
use roster_domain::activity::{
    Activity, ActivityJob, ActivityKind, ActivityState, ContactSelection, ImportItem, HISTORY_DAYS,
};
use roster_domain::contact::Bucket;
use roster_domain::{
    AccountId, ActivityId, ContactId, CustomFieldId, ListId, PageRequest, StoreError, TagId,
    Timestamp,
};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::{Caller, ContactsWrite};
use crate::error::ApiError;
use crate::wire::{
    date_time, FileExportId, IdPath, JsonBody, ObjectReader, PageLinks, QueryParams,
};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;
const QUEUE_FULL: &str =
    "Too many requests. You exceeded 1,000 queued activities for this user account.";

/// The response shapes of the V3 document, one per group of operations.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `Activity`: GET /activities/{id} and the items of GET /activities.
    Full,
    Import,
    Export,
    ContactDelete,
    Membership,
    ListDelete,
    Tagging,
    CustomFieldsDelete,
    /// DELETE /contact_lists/{list_id} (202).
    OneListDelete,
    /// DELETE /contact_tags/{tag_id} (202).
    OneTagDelete,
}

// ---------------------------------------------------------------------------------------------
// Wire shapes of responses: one type per shape of the V3 document, so the OpenAPI document
// describes exactly what `render` writes.

#[derive(Serialize, ToSchema)]
pub struct Href {
    href: String,
}

#[derive(Serialize, ToSchema)]
pub struct SelfLink {
    #[serde(rename = "self")]
    this: Href,
}

/// `_links` of an activity that may point at its export file.
#[derive(Serialize, ToSchema)]
pub struct ResultLinks {
    #[serde(rename = "self")]
    this: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    results: Option<Href>,
}

#[derive(Serialize, ToSchema)]
pub struct FullStatus {
    items_total_count: i64,
    items_completed_count: i64,
    person_count: i64,
    error_count: i64,
    correctable_count: i64,
    cannot_add_to_list_count: i64,
    list_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportStatus {
    items_total_count: i64,
    person_count: i64,
    error_count: i64,
    correctable_count: i64,
    cannot_add_to_list_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ItemStatus {
    items_total_count: i64,
    items_completed_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ListItemStatus {
    list_count: i64,
    items_total_count: i64,
    items_completed_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ListStatus {
    list_count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityErrorMessage {
    message: String,
}

/// What every activity shape shows.
#[derive(Serialize, ToSchema)]
pub struct ActivityHead {
    activity_id: String,
    state: &'static str,
    created_at: String,
    updated_at: String,
    percent_done: i64,
}

/// When the activity started and completed, in every shape but the single deletes'.
#[derive(Serialize, ToSchema)]
pub struct ActivityTimes {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    completed_at: Option<String>,
}

/// GET /activities/{activity_id} and the items of GET /activities.
#[derive(Serialize, ToSchema)]
pub struct FullActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    source_file_name: Option<String>,
    activity_errors: Vec<String>,
    status: FullStatus,
    _links: ResultLinks,
}

/// The two contact imports.
#[derive(Serialize, ToSchema)]
pub struct ImportActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    source_file_name: Option<String>,
    activity_errors: Vec<String>,
    status: ImportStatus,
    _links: SelfLink,
}

/// A timed shape without a source file, with its status and links types.
macro_rules! timed_activity {
    ($(#[$doc:meta])* $name:ident, $status:ty, $links:ty) => {
        $(#[$doc])*
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            #[serde(flatten)]
            head: ActivityHead,
            #[serde(flatten)]
            times: ActivityTimes,
            activity_errors: Vec<String>,
            status: $status,
            _links: $links,
        }
    };
}

timed_activity!(
    /// The contact export.
    ExportActivity, ItemStatus, ResultLinks
);
timed_activity!(
    /// Bulk contact deletes and list membership changes.
    ListItemActivity, ListItemStatus, SelfLink
);
timed_activity!(
    /// Bulk list deletes.
    ListDeleteActivity, ListStatus, SelfLink
);
timed_activity!(
    /// Taggings added or removed, tags deleted in bulk.
    TaggingActivity, ItemStatus, SelfLink
);

/// Bulk custom field deletes: no status.
#[derive(Serialize, ToSchema)]
pub struct CustomFieldsDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    #[serde(flatten)]
    times: ActivityTimes,
    activity_errors: Vec<String>,
    _links: SelfLink,
}

/// DELETE /contact_lists/{list_id} (202).
#[derive(Serialize, ToSchema)]
pub struct OneListDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    activity_errors: Vec<String>,
    _links: SelfLink,
}

/// DELETE /contact_tags/{tag_id} (202): its errors are objects.
#[derive(Serialize, ToSchema)]
pub struct OneTagDeleteActivity {
    #[serde(flatten)]
    head: ActivityHead,
    activity_errors: Vec<ActivityErrorMessage>,
    status: ItemStatus,
    _links: SelfLink,
}

/// An activity as the shape `shape` shows it.
pub fn render(activity: &Activity, shape: Shape) -> Value {
    let head = || ActivityHead {
        activity_id: activity.id.to_string(),
        state: activity.state.as_str(),
        created_at: date_time(activity.created_at),
        updated_at: date_time(activity.updated_at),
        percent_done: activity.percent_done(),
    };
    let times = || ActivityTimes {
        started_at: activity.started_at.map(date_time),
        completed_at: activity.completed_at.map(date_time),
    };
    let errors = || activity.errors.clone();
    let this = || Href {
        href: format!("/v3/activities/{}", activity.id),
    };
    let self_link = || SelfLink { this: this() };
    let result_links = || ResultLinks {
        this: this(),
        results: (activity.kind == ActivityKind::ContactExports).then(|| Href {
            href: format!("/v3/contact_exports/{}", activity.id),
        }),
    };
    let items = || ItemStatus {
        items_total_count: activity.items_total,
        items_completed_count: activity.items_completed,
    };
    let person_count = activity.created_count + activity.updated_count;
    let rendered = match shape {
        Shape::Full => serde_json::to_value(FullActivity {
            head: head(),
            times: times(),
            source_file_name: activity.source_file_name.clone(),
            activity_errors: errors(),
            status: FullStatus {
                items_total_count: activity.items_total,
                items_completed_count: activity.items_completed,
                person_count,
                error_count: activity.error_count,
                correctable_count: 0,
                cannot_add_to_list_count: activity.cannot_add_to_list_count,
                list_count: activity.list_count,
            },
            _links: result_links(),
        }),
        Shape::Import => serde_json::to_value(ImportActivity {
            head: head(),
            times: times(),
            source_file_name: activity.source_file_name.clone(),
            activity_errors: errors(),
            status: ImportStatus {
                items_total_count: activity.items_total,
                person_count,
                error_count: activity.error_count,
                correctable_count: 0,
                cannot_add_to_list_count: activity.cannot_add_to_list_count,
            },
            _links: self_link(),
        }),
        Shape::Export => serde_json::to_value(ExportActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: items(),
            _links: result_links(),
        }),
        Shape::ContactDelete | Shape::Membership => serde_json::to_value(ListItemActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: ListItemStatus {
                list_count: activity.list_count,
                items_total_count: activity.items_total,
                items_completed_count: activity.items_completed,
            },
            _links: self_link(),
        }),
        Shape::ListDelete => serde_json::to_value(ListDeleteActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: ListStatus {
                list_count: activity.list_count,
            },
            _links: self_link(),
        }),
        Shape::Tagging => serde_json::to_value(TaggingActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            status: items(),
            _links: self_link(),
        }),
        Shape::CustomFieldsDelete => serde_json::to_value(CustomFieldsDeleteActivity {
            head: head(),
            times: times(),
            activity_errors: errors(),
            _links: self_link(),
        }),
        Shape::OneListDelete => serde_json::to_value(OneListDeleteActivity {
            head: head(),
            activity_errors: errors(),
            _links: self_link(),
        }),
        Shape::OneTagDelete => serde_json::to_value(OneTagDeleteActivity {
            head: head(),
            activity_errors: activity
                .errors
                .iter()
                .map(|message| ActivityErrorMessage {
                    message: message.clone(),
                })
                .collect(),
            status: items(),
            _links: self_link(),
        }),
    };
    // Serialising these plain structs of strings and integers cannot fail.
    rendered.unwrap_or_default()
}

/// Queues an activity; a full queue answers 429 with the spec's text.
pub async fn queue(
    state: &AppState,
    activity: &Activity,
    job: &ActivityJob,
) -> Result<(), ApiError> {
    match state.activities.submit(activity, job).await {
        Err(StoreError::LimitReached(_)) => Err(ApiError::TooManyRequests(QUEUE_FULL.into())),
        other => Ok(other?),
    }
}

fn created(activity: &Activity, shape: Shape) -> (StatusCode, Json<Value>) {
    (StatusCode::CREATED, Json(render(activity, shape)))
}

async fn check_lists(
    state: &AppState,
    account: AccountId,
    ids: &[ListId],
    name: &str,
) -> Result<(), ApiError> {
    let found = state.store.existing_lists(account, ids).await?;
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(ToString::to_string)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            name,
            format!("names lists that do not exist: {}", unknown.join(", ")),
        ))
    }
}

async fn check_tags(
    state: &AppState,
    account: AccountId,
    ids: &[TagId],
    name: &str,
) -> Result<(), ApiError> {
    let found = state.store.existing_tags(account, ids).await?;
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(ToString::to_string)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            name,
            format!("names tags that do not exist: {}", unknown.join(", ")),
        ))
    }
}

fn dedup<T: PartialEq + Copy>(ids: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// How many contacts a selection names now (the activity's `items_total_count`).
async fn selection_total(
    state: &AppState,
    account: AccountId,
    selection: &ContactSelection,
) -> Result<i64, ApiError> {
    if let Some(ids) = &selection.contact_ids {
        return Ok(ids.len() as i64);
    }
    let filter = roster_activities::selection_filter(state.store.as_ref(), account, selection)
        .await?
        .map_err(ApiError::BadRequest)?;
    Ok(state.store.count_contacts(account, &filter).await?)
}

// ---------------------------------------------------------------------------------------------
// Imports

/// POST /activities/contacts_json_import
#[utoipa::path(
    post,
    path = "/activities/contacts_json_import",
    operation_id = "createImportJSONActivity",
    tag = "Bulk Activities",
    summary = "Import Contacts using a JSON Payload",
    request_body = JsonImportBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = ImportActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn json_import(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let max = state.config.import_max_contacts;
    let mut body = body;
    // Taken, not cloned: a 4 MB body is tens of MB as a `Value`, and the server's peak memory
    // during an import is a handful of such requests and their jobs.
    let raw_items = match body.0.get_mut("import_data") {
        Some(Value::Array(items)) => Some(std::mem::take(items)),
        _ => None,
    };
    let (list_ids, sms) = body.read_object(|r| {
        if !r.has("import_data") {
            r.error("import_data", "is required");
        } else if raw_items.is_none() {
            r.error("import_data", "must be an array of contacts");
        } else if raw_items.as_ref().is_some_and(|items| items.len() > max) {
            r.error("import_data", format!("may hold at most {max} contacts"));
        } else if raw_items.as_ref().is_some_and(Vec::is_empty) {
            r.error("import_data", "must hold at least one contact");
        }
        let lists = read_target_lists(r, "list_ids");
        let sms = r.enumerated("sms_permission_to_send", &["not_set", "explicit"], |t| {
            matches!(t, "not_set" | "explicit").then(|| t.to_string())
        });
        Some((lists?, sms))
    })?;
    let _ = sms;
    check_lists(&state, caller.account, &list_ids, "list_ids").await?;
    let custom_fields = state.store.all_custom_fields(caller.account).await?;
    let items = import::json_items(&raw_items.unwrap_or_default(), &custom_fields);
    start_import(
        &state,
        caller.account,
        ActivityKind::ContactsJsonImport,
        None,
        list_ids,
        items,
    )
    .await
}

/// `list_ids` of an import or membership change: required, 1–50 ids, duplicates dropped.
fn read_target_lists(r: &mut ObjectReader<'_>, name: &str) -> Option<Vec<ListId>> {
    if !r.has(name) {
        r.error(name, "is required");
        return None;
    }
    let ids = r.ids::<ListId>(name, 50)?;
    if ids.is_empty() {
        r.error(name, "must name at least one list");
        return None;
    }
    Some(dedup(ids))
}

async fn start_import(
    state: &AppState,
    account: AccountId,
    kind: ActivityKind,
    file_name: Option<String>,
    list_ids: Vec<ListId>,
    items: Vec<ImportItem>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut activity = new_activity(account, kind, items.len() as i64);
    activity.source_file_name = file_name;
    activity.list_count = list_ids.len() as i64;
    queue(state, &activity, &ActivityJob::Import { list_ids, items }).await?;
    Ok(created(&activity, Shape::Import))
}

fn multipart_error(error: axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge { limit }
    } else {
        ApiError::BadRequest(format!(
            "The multipart form cannot be read: {}.",
            error.body_text()
        ))
    }
}

/// POST /activities/contacts_file_import: a multipart form with `file` (CSV), `list_ids`
/// (comma-separated) and optionally `sms_permission_to_send`.
#[utoipa::path(
    post,
    path = "/activities/contacts_file_import",
    operation_id = "createCSVImportActivity",
    tag = "Bulk Activities",
    summary = "Import Contacts using a CSV File",
    request_body(content = FileImportBody, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = ImportActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn file_import(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(ApiError::UnsupportedMediaType(
            "This endpoint takes a multipart/form-data upload; let the HTTP library set the Content-Type.".into(),
        ));
    }
    let limit = state.config.body_limit;
    let mut form =
        <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await
            .map_err(|rejection| {
                ApiError::BadRequest(format!(
                    "The multipart form cannot be read: {}.",
                    rejection.body_text()
                ))
            })?;
    let mut file: Option<(Option<String>, Option<String>, Vec<u8>)> = None;
    let mut list_text: Option<String> = None;
    let mut sms: Option<String> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().map(String::from);
                let media = field.content_type().map(String::from);
                let bytes = field.bytes().await.map_err(|e| multipart_error(e, limit))?;
                file = Some((name, media, bytes.to_vec()));
            }
            "list_ids" => {
                list_text = Some(field.text().await.map_err(|e| multipart_error(e, limit))?)
            }
            "sms_permission_to_send" => {
                sms = Some(field.text().await.map_err(|e| multipart_error(e, limit))?)
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    if file.is_none() {
        problems.push(roster_domain::FieldError::new("file", "is required"));
    }
    let mut list_ids = Vec::new();
    match list_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => problems.push(roster_domain::FieldError::new("list_ids", "is required")),
        Some(text) => {
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match part.parse::<ListId>() {
                    Ok(id) => list_ids.push(id),
                    Err(_) => problems.push(roster_domain::FieldError::new(
                        "list_ids",
                        format!("holds {part}, which is not a list id"),
                    )),
                }
            }
            list_ids = dedup(list_ids);
            if list_ids.len() > 50 {
                problems.push(roster_domain::FieldError::new(
                    "list_ids",
                    "may hold at most 50 items",
                ));
            }
        }
    }
    if let Some(value) = &sms {
        if !matches!(value.trim(), "not_set" | "explicit") {
            problems.push(roster_domain::FieldError::new(
                "sms_permission_to_send",
                "must be one of: not_set, explicit",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let Some((file_name, media, bytes)) = file else {
        return Err(ApiError::invalid("file", "is required"));
    };
    let named_csv = file_name
        .as_deref()
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".csv"));
    let typed_csv = media.as_deref().is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        m.starts_with("text/csv")
            || m.starts_with("application/csv")
            || m.starts_with("application/vnd.ms-excel")
    });
    if !named_csv && !typed_csv {
        return Err(ApiError::UnsupportedMediaType(
            "Wrong file format, upload file must be of type .csv".into(),
        ));
    }
    check_lists(&state, caller.account, &list_ids, "list_ids").await?;
    let custom_fields = state.store.all_custom_fields(caller.account).await?;
    let items = match import::csv_items(&bytes, &custom_fields, state.config.import_max_contacts) {
        Ok(items) => items,
        Err(import::UploadError::NotCsv(message)) => {
            return Err(ApiError::UnsupportedMediaType(message))
        }
        Err(import::UploadError::Invalid(message)) => return Err(ApiError::BadRequest(message)),
    };
    start_import(
        &state,
        caller.account,
        ActivityKind::ContactsFileImport,
        file_name,
        list_ids,
        items,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Exports

/// POST /activities/contact_exports
#[utoipa::path(
    post,
    path = "/activities/contact_exports",
    operation_id = "createExportActivity",
    tag = "Bulk Activities",
    summary = "Export Contacts to a File",
    request_body = ExportBody,
    responses(
        (status = 201, description = "Request successful, queued for processing.", body = ExportActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn export_contacts(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (selection, fields) = body.read_object(|r| {
        let contact_ids = r.ids::<ContactId>("contact_ids", 500);
        let lists = r.ids::<ListId>("list_ids", 50).unwrap_or_default();
        let tags = r.ids::<TagId>("tag_ids", 50).unwrap_or_default();
        let new_subscriber = r.boolean("new_subscriber").unwrap_or(false);
        let segment_id = read_segment_id(r);
        let status = r.string("status", 50);
        let buckets = match status.as_deref() {
            None => Vec::new(),
            Some(text) => match Bucket::for_status_filter(text) {
                Some(buckets) => buckets.to_vec(),
                None => {
                    r.error("status", "must be one of: all, active, deleted, not_set, pending_confirmation, temp_hold, unsubscribed");
                    Vec::new()
                }
            },
        };
        let exclude = r
            .object("exclude", |e| e.ids::<ContactId>("contact_ids", 50).unwrap_or_default())
            .unwrap_or_default();
        let fields = read_fields(r);
        Some((
            ContactSelection {
                contact_ids: contact_ids.map(dedup),
                lists: dedup(lists),
                tags: dedup(tags),
                buckets,
                exclude,
                opted_in_since: new_subscriber.then(|| Timestamp::now().plus_seconds(-30 * 86_400).millis()),
                segment_id,
            },
            fields,
        ))
    })?;
    check_lists(&state, caller.account, &selection.lists, "list_ids").await?;
    check_tags(&state, caller.account, &selection.tags, "tag_ids").await?;
    check_segment(&state, caller.account, &selection, "segment_id").await?;
    let custom_fields = state.store.all_custom_fields(caller.account).await?;
    let fields = match fields {
        Some(fields) => {
            let unknown: Vec<&String> = fields
                .iter()
                .filter(|f| {
                    !export::is_field(f)
                        || f.strip_prefix("cf:").is_some_and(|name| {
                            !custom_fields
                                .iter()
                                .any(|c| c.name.eq_ignore_ascii_case(name))
                        })
                })
                .collect();
            if !unknown.is_empty() {
                return Err(ApiError::invalid(
                    "fields",
                    format!(
                        "names unknown fields ({}); fields are {} and cf:<custom field name>",
                        unknown
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        export::FIELDS.join(", ")
                    ),
                ));
            }
            fields
        }
        None => export::default_fields(&custom_fields),
    };
    let total = selection_total(&state, caller.account, &selection).await?;
    let activity = new_activity(caller.account, ActivityKind::ContactExports, total);
    queue(
        &state,
        &activity,
        &ActivityJob::Export { selection, fields },
    )
    .await?;
    Ok(created(&activity, Shape::Export))
}

fn read_fields(r: &mut ObjectReader<'_>) -> Option<Vec<String>> {
    if !r.has("fields") {
        return None;
    }
    let mut out = Vec::new();
    let items = r.strings("fields", 200)?;
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    if out.is_empty() {
        r.error("fields", "must name at least one field");
        return None;
    }
    Some(out)
}

/// GET /contact_exports/{file_export_id}: the CSV, streamed from the stored chunks.
#[utoipa::path(
    get,
    path = "/contact_exports/{file_export_id}",
    operation_id = "getCSVExportFile",
    tag = "Bulk Activities",
    summary = "Retrieve Exported Contacts File",
    params(
        ("file_export_id" = String, Path, description = "The unique ID of the exported file provided in the results: section of the export contacts activity response."),
    ),
    responses(
        (status = 200, description = "Request Successful", body = String, content_type = "text/csv"),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn download(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(FileExportId(id)): IdPath<FileExportId>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("No export file has the id {id}."));
    let activity = state
        .store
        .activity(caller.account, id)
        .await?
        .ok_or_else(not_found)?;
    if activity.kind != ActivityKind::ContactExports {
        return Err(not_found());
    }
    if activity.state != ActivityState::Completed {
        return Err(ApiError::NotFound(format!(
            "The export {id} is {}; its file is available once the activity is completed.",
            activity.state.as_str()
        )));
    }
    let store = state.store.clone();
    let account = caller.account;
    // One chunk in memory at a time: the next is read only when the client took the last.
    let stream = futures_util::stream::unfold(Some(None::<i64>), move |position| {
        let store = store.clone();
        async move {
            let after = position?;
            match store.export_chunk(account, id, after).await {
                Ok(Some((seq, data))) => Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(data)),
                    Some(Some(seq)),
                )),
                Ok(None) => None,
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "export download interrupted");
                    Some((
                        Err(std::io::Error::other("the export file could not be read")),
                        None,
                    ))
                }
            }
        }
    });
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"contacts-{id}.csv\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Contact-walking activities

/// `segment_id` of a source: a positive integer (its segment is checked by `check_segment`).
fn read_segment_id(r: &mut ObjectReader<'_>) -> Option<roster_domain::SegmentId> {
    let id = r.integer("segment_id")?;
    if id <= 0 {
        r.error("segment_id", "is in an invalid format");
        return None;
    }
    Some(roster_domain::SegmentId(id))
}

/// A selection's segment must be one of the account's, with criteria that still parse.
async fn check_segment(
    state: &AppState,
    account: AccountId,
    selection: &ContactSelection,
    field: &str,
) -> Result<(), ApiError> {
    let Some(id) = selection.segment_id else {
        return Ok(());
    };
    let segment = state.store.segment(account, id).await?.ok_or_else(|| {
        ApiError::invalid(field, format!("{id} is not a segment of this account"))
    })?;
    crate::segments::checked_criteria(state, account, &segment.criteria).await?;
    Ok(())
}

/// The `source` and `exclude` of a membership or tagging body; exactly one source property.
fn read_source(r: &mut ObjectReader<'_>, allow_new_subscriber: bool) -> Option<ContactSelection> {
    // Read first, so its problems are reported along with the source's.
    let exclude = r
        .object("exclude", |e| {
            e.ids::<ContactId>("contact_ids", 500).unwrap_or_default()
        })
        .unwrap_or_default();
    if !r.has("source") {
        r.error("source", "is required");
        return None;
    }
    let selection = r.object("source", |s| {
        let contact_ids = s.ids::<ContactId>("contact_ids", 500);
        let lists = s.ids::<ListId>("list_ids", 50);
        let tags = s.ids::<TagId>("tag_ids", 50);
        let all_active = s.boolean("all_active_contacts").unwrap_or(false);
        let new_subscriber = allow_new_subscriber && s.boolean("new_subscriber").unwrap_or(false);
        let segment_id = read_segment_id(s);
        if s.has("engagement_level") {
            s.error("engagement_level", "is not supported; Roster keeps no engagement data");
        }
        let given = [contact_ids.is_some(), lists.is_some(), tags.is_some(), all_active, new_subscriber, segment_id.is_some()]
            .iter()
            .filter(|g| **g)
            .count();
        if given != 1 {
            s.error("", "must name exactly one of contact_ids, list_ids, tag_ids, segment_id, all_active_contacts or new_subscriber");
            return None;
        }
        Some(ContactSelection {
            contact_ids: contact_ids.map(dedup),
            lists: dedup(lists.unwrap_or_default()),
            tags: dedup(tags.unwrap_or_default()),
            buckets: if all_active { vec![Bucket::Explicit, Bucket::Implicit] } else { Vec::new() },
            exclude: Vec::new(),
            opted_in_since: new_subscriber.then(|| Timestamp::now().plus_seconds(-30 * 86_400).millis()),
            segment_id,
        })
    })??;
    Some(ContactSelection {
        exclude,
        ..selection
    })
}

async fn start_change(
    state: &AppState,
    account: AccountId,
    kind: ActivityKind,
    selection: ContactSelection,
    lists: Vec<ListId>,
    tags: Vec<TagId>,
    shape: Shape,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_lists(state, account, &selection.lists, "source.list_ids").await?;
    check_tags(state, account, &selection.tags, "source.tag_ids").await?;
    check_segment(state, account, &selection, "source.segment_id").await?;
    let total = selection_total(state, account, &selection).await?;
    let mut activity = new_activity(account, kind, total);
    activity.list_count = lists.len() as i64;
    let change = change_for(kind, lists, tags)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no change for {}", kind.as_str())))?;
    queue(
        state,
        &activity,
        &ActivityJob::ChangeContacts { selection, change },
    )
    .await?;
    Ok(created(&activity, shape))
}

async fn membership(
    caller: Caller<ContactsWrite>,
    state: AppState,
    body: JsonBody,
    kind: ActivityKind,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (selection, lists) = body.read_object(|r| {
        let selection = read_source(r, false);
        let lists = read_target_lists(r, "list_ids");
        Some((selection?, lists?))
    })?;
    check_lists(&state, caller.account, &lists, "list_ids").await?;
    start_change(
        &state,
        caller.account,
        kind,
        selection,
        lists,
        Vec::new(),
        Shape::Membership,
    )
    .await
}

/// POST /activities/add_list_memberships
#[utoipa::path(
    post,
    path = "/activities/add_list_memberships",
    operation_id = "createListAddActivity",
    tag = "Bulk Activities",
    summary = "Add Contacts to Lists",
    request_body = MembershipBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = ListItemActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn add_list_memberships(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    membership(caller, state, body, ActivityKind::AddListMemberships).await
}

/// POST /activities/remove_list_memberships
#[utoipa::path(
    post,
    path = "/activities/remove_list_memberships",
    operation_id = "createListRemoveActivity",
    tag = "Bulk Activities",
    summary = "Remove Contacts from Lists",
    request_body = MembershipBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = ListItemActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn remove_list_memberships(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    membership(caller, state, body, ActivityKind::RemoveListMemberships).await
}

async fn tagging(
    caller: Caller<ContactsWrite>,
    state: AppState,
    body: JsonBody,
    kind: ActivityKind,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (selection, tags) = body.read_object(|r| {
        let selection = read_source(r, true);
        if !r.has("tag_ids") {
            r.error("tag_ids", "is required");
        }
        let tags = r.ids::<TagId>("tag_ids", 50).map(dedup);
        if tags.as_ref().is_some_and(Vec::is_empty) {
            r.error("tag_ids", "must name at least one tag");
        }
        Some((selection?, tags?))
    })?;
    check_tags(&state, caller.account, &tags, "tag_ids").await?;
    start_change(
        &state,
        caller.account,
        kind,
        selection,
        Vec::new(),
        tags,
        Shape::Tagging,
    )
    .await
}

/// POST /activities/contacts_taggings_add
#[utoipa::path(
    post,
    path = "/activities/contacts_taggings_add",
    operation_id = "createTagAddContactActivity",
    tag = "Bulk Activities",
    summary = "Add Tags to Contacts",
    request_body = TaggingBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = TaggingActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn taggings_add(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    tagging(caller, state, body, ActivityKind::TaggingsAdd).await
}

/// POST /activities/contacts_taggings_remove
#[utoipa::path(
    post,
    path = "/activities/contacts_taggings_remove",
    operation_id = "createTagRemoveActivity",
    tag = "Bulk Activities",
    summary = "Remove Tags from Contacts",
    request_body = TaggingBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = TaggingActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn taggings_remove(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    tagging(caller, state, body, ActivityKind::TaggingsRemove).await
}

/// POST /activities/contact_delete: up to 500 contact_ids, or every member of up to 50 lists.
#[utoipa::path(
    post,
    path = "/activities/contact_delete",
    operation_id = "createDeleteActivity",
    tag = "Bulk Activities",
    summary = "Delete Contacts in Bulk",
    request_body = ContactDeleteBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = ListItemActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn contact_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let selection = body.read_object(|r| {
        let contact_ids = r.ids::<ContactId>("contact_ids", 500);
        let lists = r.ids::<ListId>("list_ids", 50);
        match (&contact_ids, &lists) {
            (Some(_), Some(_)) => r.error("contact_ids", "and list_ids are mutually exclusive"),
            (None, None) => r.error("contact_ids", "or list_ids is required"),
            _ => {}
        }
        Some(ContactSelection {
            contact_ids: contact_ids.map(dedup),
            lists: dedup(lists.unwrap_or_default()),
            ..Default::default()
        })
    })?;
    let list_count = selection.lists.len() as i64;
    check_lists(&state, caller.account, &selection.lists, "list_ids").await?;
    let total = selection_total(&state, caller.account, &selection).await?;
    let mut activity = new_activity(caller.account, ActivityKind::ContactDelete, total);
    activity.list_count = list_count;
    let job = ActivityJob::ChangeContacts {
        selection,
        change: roster_domain::activity::ContactChange::Delete,
    };
    queue(&state, &activity, &job).await?;
    Ok(created(&activity, Shape::ContactDelete))
}

// ---------------------------------------------------------------------------------------------
// Deletes of lists, tags and custom fields

/// A required, non-empty array of at most `max` ids, duplicates dropped.
fn read_required_ids<T>(body: JsonBody, name: &str, max: usize) -> Result<Vec<T>, ApiError>
where
    T: std::str::FromStr + PartialEq + Copy,
{
    body.read_object(|r| {
        if !r.has(name) {
            r.error(name, "is required");
            return None;
        }
        let ids = r.ids::<T>(name, max)?;
        if ids.is_empty() {
            r.error(name, "must name at least one id");
            return None;
        }
        Some(dedup(ids))
    })
}

/// Queues the deletion of lists (memberships go with them; contacts stay).
pub async fn start_list_delete(
    state: &AppState,
    account: AccountId,
    lists: Vec<ListId>,
) -> Result<Activity, ApiError> {
    let mut activity = new_activity(account, ActivityKind::ListDelete, lists.len() as i64);
    activity.list_count = lists.len() as i64;
    queue(state, &activity, &ActivityJob::DeleteLists(lists)).await?;
    Ok(activity)
}

/// Queues the deletion of tags (taggings go with them; contacts stay).
pub async fn start_tags_delete(
    state: &AppState,
    account: AccountId,
    tags: Vec<TagId>,
) -> Result<Activity, ApiError> {
    let activity = new_activity(account, ActivityKind::TagsDelete, tags.len() as i64);
    queue(state, &activity, &ActivityJob::DeleteTags(tags)).await?;
    Ok(activity)
}

/// POST /activities/list_delete
#[utoipa::path(
    post,
    path = "/activities/list_delete",
    operation_id = "createListDeleteActivity",
    tag = "Bulk Activities",
    summary = "Delete Contact Lists",
    request_body = ListDeleteBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = ListDeleteActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let lists: Vec<ListId> = read_required_ids(body, "list_ids", 100)?;
    check_lists(&state, caller.account, &lists, "list_ids").await?;
    let activity = start_list_delete(&state, caller.account, lists).await?;
    Ok(created(&activity, Shape::ListDelete))
}

/// POST /activities/contacts_tags_delete
#[utoipa::path(
    post,
    path = "/activities/contacts_tags_delete",
    operation_id = "createTagDeleteActivity",
    tag = "Bulk Activities",
    summary = "Delete Tags",
    request_body = TagsDeleteBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = TaggingActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn tags_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tags: Vec<TagId> = read_required_ids(body, "tag_ids", 500)?;
    check_tags(&state, caller.account, &tags, "tag_ids").await?;
    let activity = start_tags_delete(&state, caller.account, tags).await?;
    Ok(created(&activity, Shape::Tagging))
}

/// POST /activities/custom_fields_delete
#[utoipa::path(
    post,
    path = "/activities/custom_fields_delete",
    operation_id = "postCustomFieldDelete",
    tag = "Bulk Activities",
    summary = "Delete Custom Fields",
    request_body = CustomFieldsDeleteBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.", body = CustomFieldsDeleteActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::BodyRejected, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn custom_fields_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let ids: Vec<CustomFieldId> = read_required_ids(body, "custom_field_ids", 100)?;
    let known = state.store.all_custom_fields(caller.account).await?;
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !known.iter().any(|f| f.id == **id))
        .map(ToString::to_string)
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::NotFound(format!(
            "No custom field has the id {}.",
            unknown.join(", ")
        )));
    }
    let activity = new_activity(
        caller.account,
        ActivityKind::CustomFieldsDelete,
        ids.len() as i64,
    );
    queue(&state, &activity, &ActivityJob::DeleteCustomFields(ids)).await?;
    Ok(created(&activity, Shape::CustomFieldsDelete))
}

// ---------------------------------------------------------------------------------------------
// Status

/// GET /activities/{activity_id}
#[utoipa::path(
    get,
    path = "/activities/{activity_id}",
    operation_id = "getActivityById",
    tag = "Bulk Activities",
    summary = "GET an Activity Status",
    params(
        ("activity_id" = String, Path, description = "The unique ID of the activity to GET"),
    ),
    responses(
        (status = 200, description = "Request Successful", body = FullActivity),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Missing, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ActivityId>,
) -> Result<Json<Value>, ApiError> {
    let activity = state
        .store
        .activity(caller.account, id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound("Resource not found for the activity_id provided".into())
        })?;
    Ok(Json(render(&activity, Shape::Full)))
}

/// GET /activities: the account's activities of the last 10 days, newest first.
#[utoipa::path(
    get,
    path = "/activities",
    operation_id = "getAllActivities",
    tag = "Bulk Activities",
    summary = "GET Activity Status Collection",
    params(
        ("state" = Option<String>, Query, description = "Use this parameter to filter the response to include only activities in one of the following states: cancelled, completed, failed, processing, or timed_out."),
        ("limit" = Option<i64>, Query, description = "Specifies the number of results displayed per page of output, from 1 - 500, default = 50."),
        ("cursor" = Option<String>, Query, description = "The opaque cursor of a `_links.next.href`; pages on from where the previous page ended."),
    ),
    responses(
        (status = 200, description = "Request Successful", body = ActivityCollection),
        crate::openapi::Invalid, crate::openapi::Scoped, crate::openapi::Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<ActivityCollection>, ApiError> {
    let (limit, after) = state
        .cursors
        .page_position(&query, PAGE_DEFAULT, PAGE_MAX)?;
    let after = after
        .map(|key| {
            key.parse::<ActivityId>()
                .map_err(|_| ApiError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let filter = query
        .one_of(
            "state",
            &[
                "processing",
                "completed",
                "cancelled",
                "failed",
                "timed_out",
            ],
        )?
        .and_then(ActivityState::parse);
    let since = Timestamp::now().plus_seconds(-HISTORY_DAYS * 86_400);
    let page = state
        .store
        .activities(caller.account, filter, since, PageRequest { limit, after })
        .await?;
    let links = state.cursors.links(
        "/v3/activities",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(ActivityCollection {
        activities: page.items.iter().map(|a| render(a, Shape::Full)).collect(),
        _links: links,
    }))
}

/// GET /activities.
#[derive(Serialize, ToSchema)]
pub struct ActivityCollection {
    /// Each rendered as [`FullActivity`].
    #[schema(value_type = Vec<FullActivity>)]
    activities: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    _links: Option<PageLinks>,
}

// ---------------------------------------------------------------------------------------------
// Request bodies as the OpenAPI document describes them. The handlers read bodies with
// `ObjectReader`, which reports every problem at once; these types state the same properties
// for the document (docs/OPENAPI.md) and are never deserialised.

/// POST /activities/contacts_json_import
#[derive(ToSchema)]
pub struct JsonImportBody {
    /// One object per contact, column name to value (`email`, `first_name`, `cf:<name>`, ...).
    pub import_data: Vec<serde_json::Map<String, Value>>,
    pub list_ids: Vec<String>,
    /// not_set or explicit.
    #[schema(nullable = false)]
    pub sms_permission_to_send: Option<String>,
}

/// POST /activities/contacts_file_import (multipart/form-data)
#[derive(ToSchema)]
pub struct FileImportBody {
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
    /// Comma-separated list ids.
    pub list_ids: String,
    #[schema(nullable = false)]
    pub sms_permission_to_send: Option<String>,
}

/// `exclude` of a bulk activity body.
#[derive(ToSchema)]
pub struct ExcludeBody {
    #[schema(nullable = false)]
    pub contact_ids: Option<Vec<String>>,
}

/// POST /activities/contact_exports
#[derive(ToSchema)]
pub struct ExportBody {
    #[schema(nullable = false)]
    pub contact_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub list_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub tag_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub new_subscriber: Option<bool>,
    #[schema(nullable = false)]
    pub segment_id: Option<i64>,
    #[schema(nullable = false)]
    pub fields: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub status: Option<String>,
    #[schema(nullable = false)]
    pub exclude: Option<ExcludeBody>,
}

/// POST /activities/contact_delete: `contact_ids` or `list_ids`.
#[derive(ToSchema)]
pub struct ContactDeleteBody {
    #[schema(nullable = false)]
    pub contact_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub list_ids: Option<Vec<String>>,
}

/// `source` of a membership change: exactly one of its properties.
#[derive(ToSchema)]
pub struct MembershipSourceBody {
    #[schema(nullable = false)]
    pub list_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub all_active_contacts: Option<bool>,
    #[schema(nullable = false)]
    pub contact_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub tag_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub segment_id: Option<i64>,
}

/// POST /activities/add_list_memberships and /activities/remove_list_memberships
#[derive(ToSchema)]
pub struct MembershipBody {
    pub source: MembershipSourceBody,
    #[schema(nullable = false)]
    pub exclude: Option<ExcludeBody>,
    pub list_ids: Vec<String>,
}

/// `source` of a tagging change: exactly one of its properties.
#[derive(ToSchema)]
pub struct TaggingSourceBody {
    #[schema(nullable = false)]
    pub contact_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub list_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub tag_ids: Option<Vec<String>>,
    #[schema(nullable = false)]
    pub all_active_contacts: Option<bool>,
    #[schema(nullable = false)]
    pub new_subscriber: Option<bool>,
    #[schema(nullable = false)]
    pub segment_id: Option<i64>,
}

/// POST /activities/contacts_taggings_add and /activities/contacts_taggings_remove
#[derive(ToSchema)]
pub struct TaggingBody {
    pub source: TaggingSourceBody,
    #[schema(nullable = false)]
    pub exclude: Option<ExcludeBody>,
    pub tag_ids: Vec<String>,
}

/// POST /activities/list_delete
#[derive(ToSchema)]
pub struct ListDeleteBody {
    pub list_ids: Vec<String>,
}

/// POST /activities/contacts_tags_delete
#[derive(ToSchema)]
pub struct TagsDeleteBody {
    pub tag_ids: Vec<String>,
}

/// POST /activities/custom_fields_delete
#[derive(ToSchema)]
pub struct CustomFieldsDeleteBody {
    pub custom_field_ids: Vec<String>,
}
