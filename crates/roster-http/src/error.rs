//! The one error type of the HTTP layer and its one conversion to the V3 error body: a JSON
//! array of `{error_key, error_message}` (401 alone is a single object, as Constant Contact
//! answers it). Handlers return `Result<_, ApiError>` and use `?`; internal failures are logged
//! here, once, with their cause chain, and answered without internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_activities::import::UploadError;
use roster_activities::start::{Named, StartError};
use roster_domain::FieldError;
use roster_domain::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Error keys, one per kind of failure (documented in docs/WIRE.md).
pub mod keys {
    pub const VALIDATION: &str = "contacts.api.validation.error";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "contacts.api.not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method.not_allowed";
    pub const NOT_ACCEPTABLE: &str = "not_acceptable";
    pub const CONFLICT: &str = "contacts.api.conflict";
    pub const TOO_LARGE: &str = "request.entity.too_large";
    pub const MEDIA_TYPE: &str = "unsupported.media_type";
    pub const TOO_MANY_REQUESTS: &str = "too_many_requests";
    pub const SERVER_ERROR: &str = "server.error";
    pub const UNAVAILABLE: &str = "service.unavailable";
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One entry per problem found in the request.
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    /// A request problem that is not about one property.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("not acceptable")]
    NotAcceptable,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    /// A per-account queue is full (1,000 queued activities).
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// The database is out of reach: a real outage.
    #[error("store unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A defect of ours.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

#[derive(Serialize, ToSchema)]
pub struct ErrorEntry {
    pub error_key: String,
    pub error_message: String,
}

impl ErrorEntry {
    fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            error_key: key.to_string(),
            error_message: message.into(),
        }
    }
}

impl ApiError {
    /// One validation problem.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn entries(&self) -> Vec<ErrorEntry> {
        match self {
            Self::Validation(problems) => problems
                .iter()
                .map(|p| ErrorEntry::new(keys::VALIDATION, p.to_string()))
                .collect(),
            Self::BadRequest(message) => vec![ErrorEntry::new(keys::VALIDATION, message.clone())],
            Self::Unauthorized => vec![ErrorEntry::new(keys::UNAUTHORIZED, "Unauthorized")],
            Self::Forbidden(message) => vec![ErrorEntry::new(keys::FORBIDDEN, message.clone())],
            Self::NotFound(message) => vec![ErrorEntry::new(keys::NOT_FOUND, message.clone())],
            Self::MethodNotAllowed => {
                vec![ErrorEntry::new(
                    keys::METHOD_NOT_ALLOWED,
                    "The HTTP method is not supported for this resource.",
                )]
            }
            Self::NotAcceptable => vec![ErrorEntry::new(
                keys::NOT_ACCEPTABLE,
                "The Accept header admits no media type this operation produces; use \
                    application/json.",
            )],
            Self::Conflict(message) => vec![ErrorEntry::new(keys::CONFLICT, message.clone())],
            Self::PayloadTooLarge { limit } => vec![ErrorEntry::new(
                keys::TOO_LARGE,
                format!("The request body exceeds the limit of {limit} bytes."),
            )],
            Self::UnsupportedMediaType(message) => {
                vec![ErrorEntry::new(keys::MEDIA_TYPE, message.clone())]
            }
            Self::TooManyRequests(message) => {
                vec![ErrorEntry::new(keys::TOO_MANY_REQUESTS, message.clone())]
            }
            Self::Unavailable(_) => vec![ErrorEntry::new(
                keys::UNAVAILABLE,
                "Our internal service is temporarily unavailable.",
            )],
            Self::Internal(_) => vec![ErrorEntry::new(
                keys::SERVER_ERROR,
                "There was a problem with our internal service.",
            )],
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Unavailable(cause) => {
                tracing::error!(error = format!("{cause:#}"), "database unavailable")
            }
            Self::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error")
            }
            _ => {}
        }
        let status = self.status();
        let mut entries = self.entries();
        if status == StatusCode::UNAUTHORIZED {
            let entry = entries.remove(0);
            return (status, Json(entry)).into_response();
        }
        (status, Json(entries)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(what) => Self::Conflict(capitalise(&what)),
            StoreError::LimitReached(what) => Self::BadRequest(capitalise(&what)),
            StoreError::Unavailable(cause) => Self::Unavailable(cause),
        }
    }
}

const QUEUE_FULL: &str =
    "Too many requests. You exceeded 1,000 queued activities for this user account.";

impl ApiError {
    /// Why a bulk activity did not start, as the request that asked for it is answered.
    /// `selection` is where its body holds the contacts' selection: `""` at the top (exports,
    /// bulk deletes), `"source."` for membership and tagging changes; each problem names its
    /// property there.
    pub fn not_started(error: StartError, selection: &str) -> Self {
        let field = |named: Named, name: &str| match named {
            Named::Target => name.to_string(),
            Named::Selection => format!("{selection}{name}"),
        };
        let joined = |ids: Vec<String>| ids.join(", ");
        match error {
            StartError::UnknownLists { named, ids } => Self::invalid(
                field(named, "list_ids"),
                format!(
                    "names lists that do not exist: {}",
                    joined(ids.iter().map(ToString::to_string).collect())
                ),
            ),
            StartError::UnknownTags { named, ids } => Self::invalid(
                field(named, "tag_ids"),
                format!(
                    "names tags that do not exist: {}",
                    joined(ids.iter().map(ToString::to_string).collect())
                ),
            ),
            StartError::UnknownSegment(id) => Self::invalid(
                field(Named::Selection, "segment_id"),
                format!("{id} is not a segment of this account"),
            ),
            StartError::SegmentCriteria(problems) => Self::Validation(problems),
            StartError::Unevaluable(reason) => Self::BadRequest(reason),
            StartError::UnknownCustomFields(ids) => Self::NotFound(format!(
                "No custom field has the id {}.",
                joined(ids.iter().map(ToString::to_string).collect())
            )),
            StartError::UnknownExportFields(fields) => Self::invalid(
                "fields",
                format!(
                    "names unknown fields ({}); fields are {} and cf:<custom field name>",
                    fields.join(", "),
                    roster_activities::export::FIELDS.join(", ")
                ),
            ),
            StartError::Upload(UploadError::NotCsv(message)) => Self::UnsupportedMediaType(message),
            StartError::Upload(UploadError::Invalid(message)) => Self::BadRequest(message),
            StartError::QueueFull => Self::TooManyRequests(QUEUE_FULL.into()),
            StartError::Store(error) => error.into(),
        }
    }
}

/// A bulk activity's selection at the top of its body.
impl From<StartError> for ApiError {
    fn from(error: StartError) -> Self {
        Self::not_started(error, "")
    }
}

/// Store messages are sentence fragments; the wire gets sentences.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
