//! Starting an activity, the one use case every "start some bulk work" request shares: what the
//! request names (lists, tags, a segment, custom fields, export fields) is checked against the
//! account, the activity is built with its counts, and the engine queues it, refusing it when
//! the account's queue is full. HTTP handlers read their bodies into a [`StartRequest`], call
//! [`start`] and answer with the [`Activity`] it returns, or with the error it names.

use std::fmt;

use roster_domain::activity::{
    Activity, ActivityJob, ActivityKind, ContactChange, ContactSelection,
};
use roster_domain::segment::{parse_criteria, parse_stored_criteria, CriteriaContext, Node};
use roster_domain::store::StoreResult;
use roster_domain::FieldError;
use roster_domain::{AccountId, CustomFieldId, ListId, Store, StoreError, TagId, Timestamp};
use serde_json::Value;

use crate::import::UploadError;
use crate::{export, import, new_activity, selection_filter, ActivityEngine};

/// The activity a request asks for, with what it names as the request gave it.
#[derive(Debug)]
pub enum StartRequest {
    /// Contacts imported into `list_ids`.
    Import {
        list_ids: Vec<ListId>,
        source: ImportSource,
    },
    /// The selected contacts written to a CSV file; `fields: None` means the default fields.
    Export {
        selection: ContactSelection,
        fields: Option<Vec<String>>,
    },
    /// A change applied to every selected contact (list memberships, taggings, deletion).
    ChangeContacts {
        selection: ContactSelection,
        change: ContactChange,
    },
    DeleteLists(Vec<ListId>),
    DeleteTags(Vec<TagId>),
    DeleteCustomFields(Vec<CustomFieldId>),
}

/// Where an import's contacts come from.
#[derive(Debug)]
pub enum ImportSource {
    /// The rows of a JSON import, one object per contact.
    Json(Vec<Value>),
    /// An uploaded CSV file of at most `max_contacts` records.
    Csv {
        file_name: Option<String>,
        bytes: Vec<u8>,
        max_contacts: usize,
    },
}

/// Where a request names lists or tags: as what the activity changes (the lists an import or a
/// membership change adds to, the tags a tagging adds, the lists or tags it deletes), or in the
/// selection of the contacts it walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Target,
    Selection,
}

/// Why an activity was not started. Ids are listed in the order the request named them.
#[derive(Debug)]
pub enum StartError {
    UnknownLists {
        named: Named,
        ids: Vec<ListId>,
    },
    UnknownTags {
        named: Named,
        ids: Vec<TagId>,
    },
    /// The selection's segment is not one of the account's.
    UnknownSegment(roster_domain::SegmentId),
    /// The selection's segment has criteria that no longer check out against the account.
    SegmentCriteria(Vec<FieldError>),
    /// The selection cannot be evaluated (its segment changed meanwhile); the reason.
    Unevaluable(String),
    UnknownCustomFields(Vec<CustomFieldId>),
    /// Export fields that are neither known columns nor `cf:<name>` of a custom field.
    UnknownExportFields(Vec<String>),
    /// The uploaded file cannot be imported.
    Upload(UploadError),
    /// The account has as many unfinished activities as the engine accepts.
    QueueFull,
    Store(StoreError),
}

impl From<StoreError> for StartError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownLists { ids, .. } => write!(f, "{} unknown lists", ids.len()),
            Self::UnknownTags { ids, .. } => write!(f, "{} unknown tags", ids.len()),
            Self::UnknownSegment(id) => write!(f, "unknown segment {id}"),
            Self::SegmentCriteria(problems) => {
                write!(f, "{} problems with the segment's criteria", problems.len())
            }
            Self::Unevaluable(reason) => f.write_str(reason),
            Self::UnknownCustomFields(ids) => write!(f, "{} unknown custom fields", ids.len()),
            Self::UnknownExportFields(fields) => {
                write!(f, "unknown export fields: {}", fields.join(", "))
            }
            Self::Upload(UploadError::NotCsv(message) | UploadError::Invalid(message)) => {
                f.write_str(message)
            }
            Self::QueueFull => f.write_str("the activity queue is full"),
            Self::Store(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(error) => Some(error),
            _ => None,
        }
    }
}

/// Checks what `request` names against `account`, builds the activity and queues it with
/// `engine`. Checks run in the order a request's problems are reported: the activity's target
/// lists or tags first, then the selection's lists, tags and segment, then the fields and
/// custom fields, so a request with several problems is answered by the first.
pub async fn start(
    store: &dyn Store,
    engine: &ActivityEngine,
    account: AccountId,
    request: StartRequest,
) -> Result<Activity, StartError> {
    let (activity, job) = match request {
        StartRequest::Import { list_ids, source } => {
            check_lists(store, account, &list_ids, Named::Target).await?;
            let custom_fields = store.all_custom_fields(account).await?;
            let (kind, file_name, items) = match source {
                ImportSource::Json(rows) => (
                    ActivityKind::ContactsJsonImport,
                    None,
                    import::json_items(&rows, &custom_fields),
                ),
                ImportSource::Csv {
                    file_name,
                    bytes,
                    max_contacts,
                } => (
                    ActivityKind::ContactsFileImport,
                    file_name,
                    import::csv_items(&bytes, &custom_fields, max_contacts)
                        .map_err(StartError::Upload)?,
                ),
            };
            let mut activity = new_activity(account, kind, items.len() as i64);
            activity.source_file_name = file_name;
            activity.list_count = list_ids.len() as i64;
            (activity, ActivityJob::Import { list_ids, items })
        }
        StartRequest::Export { selection, fields } => {
            check_selection(store, account, &selection).await?;
            let custom_fields = store.all_custom_fields(account).await?;
            let fields = match fields {
                Some(fields) => {
                    let unknown: Vec<String> = fields
                        .iter()
                        .filter(|f| {
                            !export::is_field(f)
                                || f.strip_prefix("cf:").is_some_and(|name| {
                                    !custom_fields
                                        .iter()
                                        .any(|c| c.name.eq_ignore_ascii_case(name))
                                })
                        })
                        .cloned()
                        .collect();
                    if !unknown.is_empty() {
                        return Err(StartError::UnknownExportFields(unknown));
                    }
                    fields
                }
                None => export::default_fields(&custom_fields),
            };
            let total = selection_total(store, account, &selection).await?;
            let activity = new_activity(account, ActivityKind::ContactExports, total);
            (activity, ActivityJob::Export { selection, fields })
        }
        StartRequest::ChangeContacts { selection, change } => {
            let (kind, list_count) = match &change {
                ContactChange::AddLists(lists) => {
                    check_lists(store, account, lists, Named::Target).await?;
                    (ActivityKind::AddListMemberships, lists.len())
                }
                ContactChange::RemoveLists(lists) => {
                    check_lists(store, account, lists, Named::Target).await?;
                    (ActivityKind::RemoveListMemberships, lists.len())
                }
                ContactChange::AddTags(tags) => {
                    check_tags(store, account, tags, Named::Target).await?;
                    (ActivityKind::TaggingsAdd, 0)
                }
                ContactChange::RemoveTags(tags) => {
                    check_tags(store, account, tags, Named::Target).await?;
                    (ActivityKind::TaggingsRemove, 0)
                }
                // A bulk delete counts the lists whose members it deletes.
                ContactChange::Delete => (ActivityKind::ContactDelete, selection.lists.len()),
            };
            check_selection(store, account, &selection).await?;
            let total = selection_total(store, account, &selection).await?;
            let mut activity = new_activity(account, kind, total);
            activity.list_count = list_count as i64;
            (activity, ActivityJob::ChangeContacts { selection, change })
        }
        StartRequest::DeleteLists(lists) => {
            check_lists(store, account, &lists, Named::Target).await?;
            let mut activity = new_activity(account, ActivityKind::ListDelete, lists.len() as i64);
            activity.list_count = lists.len() as i64;
            (activity, ActivityJob::DeleteLists(lists))
        }
        StartRequest::DeleteTags(tags) => {
            check_tags(store, account, &tags, Named::Target).await?;
            let activity = new_activity(account, ActivityKind::TagsDelete, tags.len() as i64);
            (activity, ActivityJob::DeleteTags(tags))
        }
        StartRequest::DeleteCustomFields(ids) => {
            let known = store.all_custom_fields(account).await?;
            let unknown: Vec<CustomFieldId> = ids
                .iter()
                .filter(|id| !known.iter().any(|f| f.id == **id))
                .copied()
                .collect();
            if !unknown.is_empty() {
                return Err(StartError::UnknownCustomFields(unknown));
            }
            let activity =
                new_activity(account, ActivityKind::CustomFieldsDelete, ids.len() as i64);
            (activity, ActivityJob::DeleteCustomFields(ids))
        }
    };
    match engine.submit(&activity, &job).await {
        Ok(()) => Ok(activity),
        Err(StoreError::LimitReached(_)) => Err(StartError::QueueFull),
        Err(other) => Err(other.into()),
    }
}

async fn check_lists(
    store: &dyn Store,
    account: AccountId,
    ids: &[ListId],
    named: Named,
) -> Result<(), StartError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = store.existing_lists(account, ids).await?;
    let unknown: Vec<ListId> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StartError::UnknownLists {
            named,
            ids: unknown,
        })
    }
}

async fn check_tags(
    store: &dyn Store,
    account: AccountId,
    ids: &[TagId],
    named: Named,
) -> Result<(), StartError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = store.existing_tags(account, ids).await?;
    let unknown: Vec<TagId> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StartError::UnknownTags {
            named,
            ids: unknown,
        })
    }
}

/// The selection's lists, tags and segment must be the account's, the segment's criteria must
/// still check out.
async fn check_selection(
    store: &dyn Store,
    account: AccountId,
    selection: &ContactSelection,
) -> Result<(), StartError> {
    check_lists(store, account, &selection.lists, Named::Selection).await?;
    check_tags(store, account, &selection.tags, Named::Selection).await?;
    let Some(id) = selection.segment_id else {
        return Ok(());
    };
    let segment = store
        .segment(account, id)
        .await?
        .ok_or(StartError::UnknownSegment(id))?;
    checked_criteria(store, account, &segment.criteria, CriteriaSource::Stored)
        .await?
        .map_err(StartError::SegmentCriteria)?;
    Ok(())
}

/// How many contacts a selection names now (the activity's `items_total_count`).
async fn selection_total(
    store: &dyn Store,
    account: AccountId,
    selection: &ContactSelection,
) -> Result<i64, StartError> {
    if let Some(ids) = &selection.contact_ids {
        return Ok(ids.len() as i64);
    }
    let filter = selection_filter(store, account, selection)
        .await?
        .map_err(StartError::Unevaluable)?;
    Ok(store.count_contacts(account, &filter).await?)
}

/// Where criteria come from, which decides how a tracking condition outside the supported set
/// is read (docs/SEGMENTS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriteriaSource {
    /// A client creating or changing a segment: refused.
    Request,
    /// A stored segment about to be evaluated: it keeps its old evaluation.
    Stored,
}

/// A segment's criteria checked against the account: they parse with its custom fields as they
/// are now, and every list and tag they name is one of its own (and, in a request, every
/// campaign). Shared by the segment operations, GET /contacts?segment_id= and activities whose
/// selection is a segment. `Err` holds every problem, each under `segment_criteria` or the
/// criteria's own path.
pub async fn checked_criteria(
    store: &dyn Store,
    account: AccountId,
    text: &str,
    source: CriteriaSource,
) -> StoreResult<Result<Node, Vec<FieldError>>> {
    let definitions = store.all_custom_fields(account).await?;
    let context = CriteriaContext {
        custom_fields: &definitions,
    };
    let parsed = match source {
        CriteriaSource::Request => parse_criteria(text, &context, Timestamp::now()),
        CriteriaSource::Stored => parse_stored_criteria(text, &context, Timestamp::now()),
    };
    let (node, referenced) = match parsed {
        Ok(parsed) => parsed,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut errors = Vec::new();
    let lists = store.existing_lists(account, &referenced.lists).await?;
    for list in referenced.lists.iter().filter(|l| !lists.contains(l)) {
        errors.push(FieldError::new(
            "segment_criteria",
            format!("names the list {list}, which is not a contact list of this account"),
        ));
    }
    let tags = store.existing_tags(account, &referenced.tags).await?;
    for tag in referenced.tags.iter().filter(|t| !tags.contains(t)) {
        errors.push(FieldError::new(
            "segment_criteria",
            format!("names the tag {tag}, which is not a tag of this account"),
        ));
    }
    if source == CriteriaSource::Request {
        for campaign in &referenced.campaigns {
            if store.campaign(account, *campaign).await?.is_none() {
                errors.push(FieldError::new(
                    "segment_criteria",
                    format!(
                        "names the campaign {campaign}, which is not a campaign of this account"
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(Ok(node))
    } else {
        Ok(Err(errors))
    }
}
