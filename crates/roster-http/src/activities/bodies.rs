//! The request bodies of the bulk activities: each JSON body is parsed into its `*Body` type,
//! which also gives the document its schema, then checked into what the activity starts from
//! (every problem reported at once). The CSV import is a multipart form, read field by field
//! with the same messages.

use axum::extract::{Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use roster_domain::activity::ContactSelection;
use roster_domain::contact::Bucket;
use roster_domain::engagement::EngagementLevel;
use roster_domain::{ContactId, CustomFieldId, ListId, SegmentId, TagId, Timestamp};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::contacts::query::STATUS_FILTERS;
use crate::error::ApiError;
use crate::wire::{Check, Field, Problems};
use crate::AppState;

const SMS_PERMISSIONS: [&str; 2] = ["not_set", "explicit"];
/// An export's `status` takes the values of GET /contacts's.
const EXPORT_STATUSES: [&str; 7] = STATUS_FILTERS;

/// `sms_permission_to_send`, a string of [`SMS_PERMISSIONS`]: utoipa states the enum of a
/// field only through a schema function.
fn sms_permission_schema() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("not_set or explicit."))
        .enum_values(Some(SMS_PERMISSIONS))
        .build()
}

/// `status` of an export, a string of [`EXPORT_STATUSES`].
fn export_status_schema() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(EXPORT_STATUSES))
        .build()
}

/// `import_data` as sent, its rows kept as the JSON values the import takes
/// (`roster_activities::import::json_items` checks them one by one). Not the generic
/// `Field<Vec<Value>>` parse, which would copy every row of a 40,000-contact body into the
/// field and again into the vector: the rows are moved out of the request's JSON instead.
fn import_rows<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Field<Vec<Value>>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        None => Field::Absent,
        Some(Value::Array(rows)) => Field::Given(rows),
        Some(other) => Field::Unfit(other),
    })
}

/// POST /activities/contacts_json_import
#[derive(Deserialize, ToSchema)]
pub struct JsonImportBody {
    /// One object per contact, column name to value (`email`, `first_name`, `cf:<name>`, ...).
    #[serde(default, deserialize_with = "import_rows")]
    #[schema(value_type = Vec<serde_json::Map<String, Value>>, required = true)]
    import_data: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, max_items = 50)]
    list_ids: Field<Vec<Value>>,
    #[schema(schema_with = sms_permission_schema, required = false)]
    sms_permission_to_send: Field<String>,
}

/// The checked JSON import: the rows as sent and the lists they join.
pub(super) struct JsonImport {
    pub(super) rows: Vec<Value>,
    pub(super) list_ids: Vec<ListId>,
}

impl JsonImportBody {
    /// Checks the body against the server's import limit of `max_contacts` rows;
    /// `sms_permission_to_send` is checked, and has no effect.
    pub(super) fn check(self, max_contacts: usize) -> Result<JsonImport, ApiError> {
        Problems::run(|c| {
            let rows = match self.import_data {
                Field::Absent => {
                    c.error("import_data", "is required");
                    None
                }
                Field::Unfit(_) => {
                    c.error("import_data", "must be an array of contacts");
                    None
                }
                Field::Given(rows) if rows.len() > max_contacts => {
                    let message = format!("may hold at most {max_contacts} contacts");
                    c.error("import_data", message);
                    None
                }
                Field::Given(rows) if rows.is_empty() => {
                    c.error("import_data", "must hold at least one contact");
                    None
                }
                Field::Given(rows) => Some(rows),
            };
            let list_ids = target_lists(c, "list_ids", self.list_ids);
            let _ = c.enumerated(
                "sms_permission_to_send",
                self.sms_permission_to_send,
                &SMS_PERMISSIONS,
                |text| SMS_PERMISSIONS.contains(&text).then_some(()),
            );
            Some(JsonImport {
                rows: rows?,
                list_ids: list_ids?,
            })
        })
    }
}

/// `exclude` of a bulk activity body.
#[derive(Deserialize, ToSchema)]
pub struct ExcludeBody {
    #[schema(value_type = Vec<String>, required = false, max_items = 500)]
    contact_ids: Field<Vec<Value>>,
}

impl ExcludeBody {
    fn check(c: &mut Check<'_>, exclude: Self) -> Vec<ContactId> {
        c.ids("contact_ids", exclude.contact_ids, 500)
            .unwrap_or_default()
    }
}

/// `exclude` of an export: up to 50 contacts.
#[derive(Deserialize, ToSchema)]
pub struct ExportExcludeBody {
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    contact_ids: Field<Vec<Value>>,
}

impl ExportExcludeBody {
    fn check(c: &mut Check<'_>, exclude: Self) -> Vec<ContactId> {
        c.ids("contact_ids", exclude.contact_ids, 50)
            .unwrap_or_default()
    }
}

/// POST /activities/contact_exports
#[derive(Deserialize, ToSchema)]
pub struct ExportBody {
    #[schema(value_type = Vec<String>, required = false, max_items = 500)]
    contact_ids: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    list_ids: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    tag_ids: Field<Vec<Value>>,
    #[schema(value_type = bool, required = false)]
    new_subscriber: Field<bool>,
    #[schema(value_type = i64, required = false)]
    segment_id: Field<i64>,
    #[schema(value_type = Vec<String>, required = false, max_items = 200)]
    fields: Field<Vec<Value>>,
    #[schema(schema_with = export_status_schema, required = false)]
    status: Field<String>,
    #[schema(value_type = ExportExcludeBody, required = false)]
    exclude: Field<ExportExcludeBody>,
}

/// The checked export: the contacts to export and the fields (None: the default fields).
pub(super) struct Export {
    pub(super) selection: ContactSelection,
    pub(super) fields: Option<Vec<String>>,
}

impl TryFrom<ExportBody> for Export {
    type Error = ApiError;

    fn try_from(body: ExportBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let contact_ids = c.ids::<ContactId>("contact_ids", body.contact_ids, 500);
            let lists = c.ids::<ListId>("list_ids", body.list_ids, 50);
            let tags = c.ids::<TagId>("tag_ids", body.tag_ids, 50);
            let new_subscriber = c.boolean("new_subscriber", body.new_subscriber);
            let segment_id = segment_id(c, body.segment_id);
            let buckets = match c.string("status", body.status, 50) {
                None => Vec::new(),
                Some(text) => match Bucket::for_status_filter(&text) {
                    Some(buckets) => buckets.to_vec(),
                    None => {
                        let message = format!("must be one of: {}", EXPORT_STATUSES.join(", "));
                        c.error("status", message);
                        Vec::new()
                    }
                },
            };
            let exclude = c
                .object("exclude", body.exclude, ExportExcludeBody::check)
                .unwrap_or_default();
            let fields = export_fields(c, body.fields);
            Some(Export {
                selection: ContactSelection {
                    contact_ids: contact_ids.map(dedup),
                    lists: dedup(lists.unwrap_or_default()),
                    tags: dedup(tags.unwrap_or_default()),
                    buckets,
                    exclude,
                    opted_in_since: new_subscriber_since(new_subscriber.unwrap_or(false)),
                    segment_id,
                    engagement_level: None,
                },
                fields,
            })
        })
    }
}

/// `fields` of an export: None when absent (the default fields), else 1–200 names,
/// duplicates dropped.
fn export_fields(c: &mut Check<'_>, field: Field<Vec<Value>>) -> Option<Vec<String>> {
    if !field.is_present() {
        return None;
    }
    let mut names = Vec::new();
    for name in c.strings("fields", field, 200)? {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        c.error("fields", "must name at least one field");
        return None;
    }
    Some(names)
}

/// POST /activities/contact_delete: `contact_ids` or `list_ids`.
#[derive(Deserialize, ToSchema)]
pub struct ContactDeleteBody {
    #[schema(value_type = Vec<String>, required = false, max_items = 500)]
    contact_ids: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    list_ids: Field<Vec<Value>>,
}

impl TryFrom<ContactDeleteBody> for ContactSelection {
    type Error = ApiError;

    /// Up to 500 contact_ids, or every member of up to 50 lists.
    fn try_from(body: ContactDeleteBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let contact_ids = c.ids::<ContactId>("contact_ids", body.contact_ids, 500);
            let lists = c.ids::<ListId>("list_ids", body.list_ids, 50);
            match (&contact_ids, &lists) {
                (Some(_), Some(_)) => c.error("contact_ids", "and list_ids are mutually exclusive"),
                (None, None) => c.error("contact_ids", "or list_ids is required"),
                _ => {}
            }
            Some(ContactSelection {
                contact_ids: contact_ids.map(dedup),
                lists: dedup(lists.unwrap_or_default()),
                ..Default::default()
            })
        })
    }
}

/// `source` of a membership change: exactly one of its properties.
#[derive(Deserialize, ToSchema)]
pub struct MembershipSourceBody {
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    list_ids: Field<Vec<Value>>,
    #[schema(value_type = bool, required = false)]
    all_active_contacts: Field<bool>,
    #[schema(value_type = Vec<String>, required = false, max_items = 500)]
    contact_ids: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    tag_ids: Field<Vec<Value>>,
    #[schema(value_type = i64, required = false)]
    segment_id: Field<i64>,
    /// The contacts at this engagement level over their last 10 campaign messages: `high`,
    /// `medium` or `low` (any case; `MOST`, `SOMEWHAT`, `LEAST` as synonyms). docs/SEGMENTS.md.
    #[schema(value_type = String, required = false)]
    engagement_level: Field<String>,
}

/// `source` of a tagging change: exactly one of its properties.
#[derive(Deserialize, ToSchema)]
pub struct TaggingSourceBody {
    #[schema(value_type = Vec<String>, required = false, max_items = 500)]
    contact_ids: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    list_ids: Field<Vec<Value>>,
    #[schema(value_type = Vec<String>, required = false, max_items = 50)]
    tag_ids: Field<Vec<Value>>,
    #[schema(value_type = bool, required = false)]
    all_active_contacts: Field<bool>,
    #[schema(value_type = bool, required = false)]
    new_subscriber: Field<bool>,
    #[schema(value_type = i64, required = false)]
    segment_id: Field<i64>,
    /// Read only to refuse it: the tagging bodies do not declare it.
    #[schema(ignore)]
    engagement_level: Field<Value>,
}

/// What `engagement_level` was given as: a membership source reads it, a tagging source only
/// refuses it.
enum EngagementSource {
    Membership(Field<String>),
    Tagging(Field<Value>),
}

/// The properties of either source, checked alike; a membership source has no
/// `new_subscriber`, so it is absent there.
struct Source {
    contact_ids: Field<Vec<Value>>,
    list_ids: Field<Vec<Value>>,
    tag_ids: Field<Vec<Value>>,
    all_active_contacts: Field<bool>,
    new_subscriber: Field<bool>,
    segment_id: Field<i64>,
    engagement_level: EngagementSource,
}

impl From<MembershipSourceBody> for Source {
    fn from(body: MembershipSourceBody) -> Self {
        Source {
            contact_ids: body.contact_ids,
            list_ids: body.list_ids,
            tag_ids: body.tag_ids,
            all_active_contacts: body.all_active_contacts,
            new_subscriber: Field::Absent,
            segment_id: body.segment_id,
            engagement_level: EngagementSource::Membership(body.engagement_level),
        }
    }
}

impl From<TaggingSourceBody> for Source {
    fn from(body: TaggingSourceBody) -> Self {
        Source {
            contact_ids: body.contact_ids,
            list_ids: body.list_ids,
            tag_ids: body.tag_ids,
            all_active_contacts: body.all_active_contacts,
            new_subscriber: body.new_subscriber,
            segment_id: body.segment_id,
            engagement_level: EngagementSource::Tagging(body.engagement_level),
        }
    }
}

impl Source {
    fn check(c: &mut Check<'_>, source: Self) -> Option<ContactSelection> {
        let contact_ids = c.ids::<ContactId>("contact_ids", source.contact_ids, 500);
        let lists = c.ids::<ListId>("list_ids", source.list_ids, 50);
        let tags = c.ids::<TagId>("tag_ids", source.tag_ids, 50);
        let all_active = c
            .boolean("all_active_contacts", source.all_active_contacts)
            .unwrap_or(false);
        let new_subscriber = c
            .boolean("new_subscriber", source.new_subscriber)
            .unwrap_or(false);
        let segment_id = segment_id(c, source.segment_id);
        // A value that is not a level still counts as the source given, so it is reported
        // alone rather than with "exactly one".
        let engagement_given = matches!(
            &source.engagement_level,
            EngagementSource::Membership(field) if field.is_present()
        );
        let engagement_level = match source.engagement_level {
            EngagementSource::Membership(field) => c
                .string("engagement_level", field, 20)
                .and_then(|text| match EngagementLevel::parse(&text) {
                    Some(level) => Some(level),
                    None => {
                        c.error(
                            "engagement_level",
                            "must be high, medium or low (or MOST, SOMEWHAT, LEAST)",
                        );
                        None
                    }
                }),
            EngagementSource::Tagging(field) => {
                if field.is_present() {
                    c.error(
                        "engagement_level",
                        "is not a source of tagging activities (only of list memberships)",
                    );
                }
                None
            }
        };
        let given = [
            contact_ids.is_some(),
            lists.is_some(),
            tags.is_some(),
            all_active,
            new_subscriber,
            segment_id.is_some(),
            engagement_given,
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            c.error(
                "",
                "must name exactly one of contact_ids, list_ids, tag_ids, segment_id, \
                all_active_contacts, new_subscriber or (for list memberships) engagement_level",
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
            opted_in_since: new_subscriber_since(new_subscriber),
            segment_id,
            engagement_level,
        })
    }
}

/// The `source` and `exclude` of a membership or tagging body; exactly one source property.
fn selection<S: Into<Source>>(
    c: &mut Check<'_>,
    source: Field<S>,
    exclude: Field<ExcludeBody>,
) -> Option<ContactSelection> {
    // Checked first, so its problems are reported along with the source's.
    let exclude = c
        .object("exclude", exclude, ExcludeBody::check)
        .unwrap_or_default();
    if !source.is_present() {
        c.error("source", "is required");
        return None;
    }
    let selection = c.object("source", source, |s, body| Source::check(s, body.into()))??;
    Some(ContactSelection {
        exclude,
        ..selection
    })
}

/// POST /activities/add_list_memberships and /activities/remove_list_memberships
#[derive(Deserialize, ToSchema)]
pub struct MembershipBody {
    #[schema(value_type = MembershipSourceBody)]
    source: Field<MembershipSourceBody>,
    #[schema(value_type = ExcludeBody, required = false)]
    exclude: Field<ExcludeBody>,
    #[schema(value_type = Vec<String>, max_items = 50)]
    list_ids: Field<Vec<Value>>,
}

/// The checked membership change: the contacts and the lists.
pub(super) struct Membership {
    pub(super) selection: ContactSelection,
    pub(super) lists: Vec<ListId>,
}

impl TryFrom<MembershipBody> for Membership {
    type Error = ApiError;

    fn try_from(body: MembershipBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let selection = selection(c, body.source, body.exclude);
            let lists = target_lists(c, "list_ids", body.list_ids);
            Some(Membership {
                selection: selection?,
                lists: lists?,
            })
        })
    }
}

/// POST /activities/contacts_taggings_add and /activities/contacts_taggings_remove
#[derive(Deserialize, ToSchema)]
pub struct TaggingBody {
    #[schema(value_type = TaggingSourceBody)]
    source: Field<TaggingSourceBody>,
    #[schema(value_type = ExcludeBody, required = false)]
    exclude: Field<ExcludeBody>,
    #[schema(value_type = Vec<String>, max_items = 50)]
    tag_ids: Field<Vec<Value>>,
}

/// The checked tagging change: the contacts and the tags.
pub(super) struct Tagging {
    pub(super) selection: ContactSelection,
    pub(super) tags: Vec<TagId>,
}

impl TryFrom<TaggingBody> for Tagging {
    type Error = ApiError;

    fn try_from(body: TaggingBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let selection = selection(c, body.source, body.exclude);
            if !body.tag_ids.is_present() {
                c.error("tag_ids", "is required");
            }
            let tags = c.ids::<TagId>("tag_ids", body.tag_ids, 50).map(dedup);
            if tags.as_ref().is_some_and(Vec::is_empty) {
                c.error("tag_ids", "must name at least one tag");
            }
            Some(Tagging {
                selection: selection?,
                tags: tags?,
            })
        })
    }
}

/// POST /activities/list_delete
#[derive(Deserialize, ToSchema)]
pub struct ListDeleteBody {
    #[schema(value_type = Vec<String>, max_items = 100)]
    list_ids: Field<Vec<Value>>,
}

impl TryFrom<ListDeleteBody> for Vec<ListId> {
    type Error = ApiError;

    fn try_from(body: ListDeleteBody) -> Result<Self, ApiError> {
        Problems::run(|c| required_ids(c, "list_ids", body.list_ids, 100))
    }
}

/// POST /activities/contacts_tags_delete
#[derive(Deserialize, ToSchema)]
pub struct TagsDeleteBody {
    #[schema(value_type = Vec<String>, max_items = 500)]
    tag_ids: Field<Vec<Value>>,
}

impl TryFrom<TagsDeleteBody> for Vec<TagId> {
    type Error = ApiError;

    fn try_from(body: TagsDeleteBody) -> Result<Self, ApiError> {
        Problems::run(|c| required_ids(c, "tag_ids", body.tag_ids, 500))
    }
}

/// POST /activities/custom_fields_delete
#[derive(Deserialize, ToSchema)]
pub struct CustomFieldsDeleteBody {
    #[schema(value_type = Vec<String>, max_items = 100)]
    custom_field_ids: Field<Vec<Value>>,
}

impl TryFrom<CustomFieldsDeleteBody> for Vec<CustomFieldId> {
    type Error = ApiError;

    fn try_from(body: CustomFieldsDeleteBody) -> Result<Self, ApiError> {
        Problems::run(|c| required_ids(c, "custom_field_ids", body.custom_field_ids, 100))
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

/// `new_subscriber`: contacts who opted in during the last 30 days.
fn new_subscriber_since(new_subscriber: bool) -> Option<i64> {
    new_subscriber.then(|| Timestamp::now().plus_seconds(-30 * 86_400).millis())
}

/// `list_ids` of an import or membership change: required, 1–50 ids, duplicates dropped.
fn target_lists(c: &mut Check<'_>, name: &str, field: Field<Vec<Value>>) -> Option<Vec<ListId>> {
    if !field.is_present() {
        c.error(name, "is required");
        return None;
    }
    let ids = c.ids::<ListId>(name, field, 50)?;
    if ids.is_empty() {
        c.error(name, "must name at least one list");
        return None;
    }
    Some(dedup(ids))
}

/// A required, non-empty array of at most `max` ids, duplicates dropped.
fn required_ids<T>(
    c: &mut Check<'_>,
    name: &str,
    field: Field<Vec<Value>>,
    max: usize,
) -> Option<Vec<T>>
where
    T: std::str::FromStr + PartialEq + Copy,
{
    if !field.is_present() {
        c.error(name, "is required");
        return None;
    }
    let ids = c.ids::<T>(name, field, max)?;
    if ids.is_empty() {
        c.error(name, "must name at least one id");
        return None;
    }
    Some(dedup(ids))
}

/// `segment_id` of a source: a positive integer (its segment is checked when the activity
/// starts).
fn segment_id(c: &mut Check<'_>, field: Field<i64>) -> Option<SegmentId> {
    let id = c.integer("segment_id", field)?;
    if id <= 0 {
        c.error("segment_id", "is in an invalid format");
        return None;
    }
    Some(SegmentId(id))
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
