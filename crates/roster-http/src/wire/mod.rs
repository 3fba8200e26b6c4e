//! The V3 wire conventions, written once and shared by every endpoint: JSON bodies with our
//! rejections, request bodies parsed into their documented types with every problem reported
//! at once, typed query parameters, path ids,
//! the pagination cursor, content negotiation, timestamps, the error responses every
//! operation's OpenAPI entry lists, the parts every activity response shares, and the V2 id
//! cross-references.

pub mod accept;
pub mod activity;
pub mod body;
pub mod cursor;
pub mod field;
pub mod path;
pub mod query;
pub mod responses;
pub mod xrefs;

pub use body::JsonBody;
pub use cursor::{CursorCodec, PageLinks};
pub use field::{Body, Check, Field, LooseInteger, Problems};
pub use path::{FileExportId, IdPath, PathId};
pub use query::{Param, Query, QueryParams};

use roster_domain::Timestamp;

/// How every date-time is written on the wire: UTC, milliseconds, ending in `Z`.
pub fn date_time(at: Timestamp) -> String {
    at.to_rfc3339()
}
