//! The Bulk Activities handlers: each reads its request (bodies.rs), starts the activity with
//! one call below HTTP (`roster_activities::start`, which checks what the request names and
//! queues it) and answers with the shape the V3 document gives the operation (resources.rs).

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_activities::start::{ImportSource, StartRequest};
use roster_domain::activity::{
    ActivityKind, ActivityState, ContactChange, ContactSelection, HISTORY_DAYS,
};
use roster_domain::{ActivityId, CustomFieldId, ListId, PageRequest, TagId, Timestamp};

use super::bodies::{
    read_csv_upload, ContactDeleteBody, CsvUpload, CustomFieldsDeleteBody, Export, ExportBody,
    FileImportBody, JsonImport, JsonImportBody, ListDeleteBody, Membership, MembershipBody,
    Tagging, TaggingBody, TagsDeleteBody,
};
use super::query::ActivitiesQuery;
use super::resources::{
    ActivityCollection, CustomFieldsDeleteActivity, ExportActivity, FullActivity, ImportActivity,
    ListDeleteActivity, ListItemActivity, TaggingActivity,
};
use crate::auth::{Caller, ContactsWrite};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Invalid, Missing, Scoped};
use crate::wire::{Body, FileExportId, IdPath, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;

/// 201 with the activity as the operation's shape shows it.
fn created<T>(shape: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(shape))
}

/// POST /activities/contacts_json_import
#[utoipa::path(
    post,
    path = "/activities/contacts_json_import",
    operation_id = "createImportJSONActivity",
    tag = "Bulk Activities",
    summary = "Import Contacts using a JSON Payload",
    request_body = JsonImportBody,
    responses(
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = ImportActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn json_import(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<JsonImportBody>,
) -> Result<(StatusCode, Json<ImportActivity>), ApiError> {
    let JsonImport { rows, list_ids } = body.check(state.config.import_max_contacts)?;
    let request = StartRequest::Import {
        list_ids,
        source: ImportSource::Json(rows),
    };
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(ImportActivity::from(&activity)))
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = ImportActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn file_import(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<ImportActivity>), ApiError> {
    let CsvUpload {
        file_name,
        bytes,
        list_ids,
    } = read_csv_upload(request, &state).await?;
    let source = ImportSource::Csv {
        file_name,
        bytes,
        max_contacts: state.config.import_max_contacts,
    };
    let request = StartRequest::Import { list_ids, source };
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(ImportActivity::from(&activity)))
}

/// POST /activities/contact_exports
#[utoipa::path(
    post,
    path = "/activities/contact_exports",
    operation_id = "createExportActivity",
    tag = "Bulk Activities",
    summary = "Export Contacts to a File",
    request_body = ExportBody,
    responses(
        (status = 201, description = "Request successful, queued for processing.",
            body = ExportActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn export_contacts(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<ExportBody>,
) -> Result<(StatusCode, Json<ExportActivity>), ApiError> {
    let Export { selection, fields } = Export::try_from(body)?;
    let request = StartRequest::Export { selection, fields };
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(ExportActivity::from(&activity)))
}

/// GET /contact_exports/{file_export_id}: the CSV, streamed from the stored chunks.
#[utoipa::path(
    get,
    path = "/contact_exports/{file_export_id}",
    operation_id = "getCSVExportFile",
    tag = "Bulk Activities",
    summary = "Retrieve Exported Contacts File",
    params(
        ("file_export_id" = String, Path, description = "The unique ID of the exported file \
            provided in the results: section of the export contacts activity response."),
    ),
    responses(
        (status = 200, description = "Request Successful",
            body = String, content_type = "text/csv"),
        Invalid, Scoped, Missing, Answers,
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
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// Adds the selected contacts to lists, or removes them, by `change`.
async fn membership(
    caller: Caller<ContactsWrite>,
    state: AppState,
    body: MembershipBody,
    change: fn(Vec<ListId>) -> ContactChange,
) -> Result<(StatusCode, Json<ListItemActivity>), ApiError> {
    let Membership { selection, lists } = Membership::try_from(body)?;
    let request = StartRequest::ChangeContacts {
        selection,
        change: change(lists),
    };
    let activity = state
        .start_activity(caller.account, request)
        .await
        .map_err(|error| ApiError::not_started(error, "source."))?;
    Ok(created(ListItemActivity::from(&activity)))
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = ListItemActivity),
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn add_list_memberships(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<MembershipBody>,
) -> Result<(StatusCode, Json<ListItemActivity>), ApiError> {
    membership(caller, state, body, ContactChange::AddLists).await
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = ListItemActivity),
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn remove_list_memberships(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<MembershipBody>,
) -> Result<(StatusCode, Json<ListItemActivity>), ApiError> {
    membership(caller, state, body, ContactChange::RemoveLists).await
}

/// Tags the selected contacts, or untags them, by `change`.
async fn tagging(
    caller: Caller<ContactsWrite>,
    state: AppState,
    body: TaggingBody,
    change: fn(Vec<TagId>) -> ContactChange,
) -> Result<(StatusCode, Json<TaggingActivity>), ApiError> {
    let Tagging { selection, tags } = Tagging::try_from(body)?;
    let request = StartRequest::ChangeContacts {
        selection,
        change: change(tags),
    };
    let activity = state
        .start_activity(caller.account, request)
        .await
        .map_err(|error| ApiError::not_started(error, "source."))?;
    Ok(created(TaggingActivity::from(&activity)))
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = TaggingActivity),
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn taggings_add(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<TaggingBody>,
) -> Result<(StatusCode, Json<TaggingActivity>), ApiError> {
    tagging(caller, state, body, ContactChange::AddTags).await
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = TaggingActivity),
        Invalid, Scoped, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn taggings_remove(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<TaggingBody>,
) -> Result<(StatusCode, Json<TaggingActivity>), ApiError> {
    tagging(caller, state, body, ContactChange::RemoveTags).await
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = ListItemActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn contact_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<ContactDeleteBody>,
) -> Result<(StatusCode, Json<ListItemActivity>), ApiError> {
    let selection = ContactSelection::try_from(body)?;
    let request = StartRequest::ChangeContacts {
        selection,
        change: ContactChange::Delete,
    };
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(ListItemActivity::from(&activity)))
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = ListDeleteActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<ListDeleteBody>,
) -> Result<(StatusCode, Json<ListDeleteActivity>), ApiError> {
    let lists = Vec::<ListId>::try_from(body)?;
    let request = StartRequest::DeleteLists(lists);
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(ListDeleteActivity::from(&activity)))
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = TaggingActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn tags_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<TagsDeleteBody>,
) -> Result<(StatusCode, Json<TaggingActivity>), ApiError> {
    let tags = Vec::<TagId>::try_from(body)?;
    let request = StartRequest::DeleteTags(tags);
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(TaggingActivity::from(&activity)))
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
        (status = 201, description = "Request successful. Activity queued for processing.",
            body = CustomFieldsDeleteActivity),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn custom_fields_delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<CustomFieldsDeleteBody>,
) -> Result<(StatusCode, Json<CustomFieldsDeleteActivity>), ApiError> {
    let ids = Vec::<CustomFieldId>::try_from(body)?;
    let request = StartRequest::DeleteCustomFields(ids);
    let activity = state.start_activity(caller.account, request).await?;
    Ok(created(CustomFieldsDeleteActivity::from(&activity)))
}

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
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ActivityId>,
) -> Result<Json<FullActivity>, ApiError> {
    let activity = state
        .store
        .activity(caller.account, id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound("Resource not found for the activity_id provided".into())
        })?;
    Ok(Json(FullActivity::from(&activity)))
}

/// GET /activities: the account's activities of the last 10 days, newest first.
#[utoipa::path(
    get,
    path = "/activities",
    operation_id = "getAllActivities",
    tag = "Bulk Activities",
    summary = "GET Activity Status Collection",
    params(ActivitiesQuery),
    responses(
        (status = 200, description = "Request Successful", body = ActivityCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Query(params, query): Query<ActivitiesQuery>,
) -> Result<Json<ActivityCollection>, ApiError> {
    let PageRequest { limit, after } = state.cursors.page_request::<ActivityId>(
        &params.limit,
        &params.cursor,
        PAGE_DEFAULT,
        PAGE_MAX,
    )?;
    let filter = params
        .state
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
        activities: page.items.iter().map(FullActivity::from).collect(),
        _links: links,
    }))
}
