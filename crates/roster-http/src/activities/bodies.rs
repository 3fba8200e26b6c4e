//! The request bodies of the bulk activities, read with `ObjectReader` (every problem at once)
//! and described for the OpenAPI document by the `*Body` types (docs/OPENAPI.md), which are
//! never deserialised.

use axum::extract::{Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use roster_domain::activity::ContactSelection;
use roster_domain::contact::Bucket;
use roster_domain::{ContactId, ListId, TagId, Timestamp};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{JsonBody, ObjectReader};
use crate::AppState;

/// POST /activities/contacts_json_import: the contact rows, taken out of the body, and the
/// lists they join (`sms_permission_to_send` is checked, and has no effect).
pub(super) fn read_json_import(
    mut body: JsonBody,
    max: usize,
) -> Result<(Vec<Value>, Vec<ListId>), ApiError> {
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
    Ok((raw_items.unwrap_or_default(), list_ids))
}

/// The CSV upload of POST /activities/contacts_file_import.
pub(super) struct CsvUpload {
    pub(super) file_name: Option<String>,
    pub(super) bytes: Vec<u8>,
    pub(super) list_ids: Vec<ListId>,
}

/// POST /activities/contacts_file_import: a multipart form with `file` (CSV), `list_ids`
/// (comma-separated) and optionally `sms_permission_to_send` (checked, and without effect).
pub(super) async fn read_csv_upload(
    request: Request,
    state: &AppState,
) -> Result<CsvUpload, ApiError> {
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
            "This endpoint takes a multipart/form-data upload; let the HTTP library set the \
                Content-Type."
                .into(),
        ));
    }
    let limit = state.config.body_limit;
    let mut form =
        <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, state)
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
    Ok(CsvUpload {
        file_name,
        bytes,
        list_ids,
    })
}

/// POST /activities/contact_exports: the contacts to export and the fields (None: the default
/// fields).
pub(super) fn read_export(
    body: JsonBody,
) -> Result<(ContactSelection, Option<Vec<String>>), ApiError> {
    body.read_object(|r| {
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
                    r.error(
                        "status",
                        "must be one of: all, active, deleted, not_set, \
                        pending_confirmation, temp_hold, unsubscribed",
                    );
                    Vec::new()
                }
            },
        };
        let exclude = r
            .object("exclude", |e| {
                e.ids::<ContactId>("contact_ids", 50).unwrap_or_default()
            })
            .unwrap_or_default();
        let fields = read_fields(r);
        Some((
            ContactSelection {
                contact_ids: contact_ids.map(dedup),
                lists: dedup(lists),
                tags: dedup(tags),
                buckets,
                exclude,
                opted_in_since: new_subscriber
                    .then(|| Timestamp::now().plus_seconds(-30 * 86_400).millis()),
                segment_id,
            },
            fields,
        ))
    })
}

/// POST /activities/add_list_memberships and remove_list_memberships: the contacts and the
/// lists.
pub(super) fn read_membership(body: JsonBody) -> Result<(ContactSelection, Vec<ListId>), ApiError> {
    body.read_object(|r| {
        let selection = read_source(r, false);
        let lists = read_target_lists(r, "list_ids");
        Some((selection?, lists?))
    })
}

/// POST /activities/contacts_taggings_add and contacts_taggings_remove: the contacts and the
/// tags.
pub(super) fn read_tagging(body: JsonBody) -> Result<(ContactSelection, Vec<TagId>), ApiError> {
    body.read_object(|r| {
        let selection = read_source(r, true);
        if !r.has("tag_ids") {
            r.error("tag_ids", "is required");
        }
        let tags = r.ids::<TagId>("tag_ids", 50).map(dedup);
        if tags.as_ref().is_some_and(Vec::is_empty) {
            r.error("tag_ids", "must name at least one tag");
        }
        Some((selection?, tags?))
    })
}

/// POST /activities/contact_delete: up to 500 contact_ids, or every member of up to 50 lists.
pub(super) fn read_contact_delete(body: JsonBody) -> Result<ContactSelection, ApiError> {
    body.read_object(|r| {
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
    })
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

/// `segment_id` of a source: a positive integer (its segment is checked by `check_segment`).
fn read_segment_id(r: &mut ObjectReader<'_>) -> Option<roster_domain::SegmentId> {
    let id = r.integer("segment_id")?;
    if id <= 0 {
        r.error("segment_id", "is in an invalid format");
        return None;
    }
    Some(roster_domain::SegmentId(id))
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
            s.error(
                "engagement_level",
                "is not supported; Roster keeps no engagement data",
            );
        }
        let given = [
            contact_ids.is_some(),
            lists.is_some(),
            tags.is_some(),
            all_active,
            new_subscriber,
            segment_id.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            s.error(
                "",
                "must name exactly one of contact_ids, list_ids, tag_ids, segment_id, \
                all_active_contacts or new_subscriber",
            );
            return None;
        }
        Some(ContactSelection {
            contact_ids: contact_ids.map(dedup),
            lists: dedup(lists.unwrap_or_default()),
            tags: dedup(tags.unwrap_or_default()),
            buckets: if all_active {
                vec![Bucket::Explicit, Bucket::Implicit]
            } else {
                Vec::new()
            },
            exclude: Vec::new(),
            opted_in_since: new_subscriber
                .then(|| Timestamp::now().plus_seconds(-30 * 86_400).millis()),
            segment_id,
        })
    })??;
    Some(ContactSelection {
        exclude,
        ..selection
    })
}

/// A required, non-empty array of at most `max` ids, duplicates dropped.
pub(super) fn read_required_ids<T>(
    body: JsonBody,
    name: &str,
    max: usize,
) -> Result<Vec<T>, ApiError>
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
