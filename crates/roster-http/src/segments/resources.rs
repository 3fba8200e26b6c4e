//! Segments as the V3 document shows them: a summary in lists, the criteria when read alone.

use roster_domain::segment::Segment;
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::{date_time, PageLinks};

/// A segment as GET /segments lists it: without its criteria.
#[derive(Serialize, ToSchema)]
pub struct SegmentSummary {
    name: String,
    segment_id: i64,
    created_at: String,
    edited_at: String,
}

impl SegmentSummary {
    pub(super) fn new(segment: &Segment) -> Self {
        SegmentSummary {
            name: segment.name.clone(),
            segment_id: segment.id.0,
            created_at: date_time(segment.created_at),
            edited_at: date_time(segment.edited_at),
        }
    }
}

/// One segment with its criteria.
#[derive(Serialize, ToSchema)]
pub struct SegmentResource {
    #[serde(flatten)]
    summary: SegmentSummary,
    segment_criteria: String,
}

impl SegmentResource {
    pub(super) fn new(segment: Segment) -> Self {
        SegmentResource {
            summary: SegmentSummary::new(&segment),
            segment_criteria: segment.criteria,
        }
    }
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct SegmentCollection {
    pub(super) segments: Vec<SegmentSummary>,
    pub(super) _links: Option<PageLinks>,
}
