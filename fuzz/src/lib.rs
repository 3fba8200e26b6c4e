//! What the fuzz targets share: the custom fields an account has while its CSV imports and
//! segment criteria are parsed (one of each kind the parsers treat differently), and checks
//! that more than one target asserts.

use roster_domain::custom_field::{CustomField, CustomFieldType};
use roster_domain::{CustomFieldId, Timestamp};

/// Fixed ids, so the seed corpus can name them (`cf:` columns use the names).
pub const TEXT_FIELD_ID: &str = "0190a000-0000-7000-8000-000000000001";
pub const NUMBER_FIELD_ID: &str = "0190a000-0000-7000-8000-000000000002";
pub const DATE_FIELD_ID: &str = "0190a000-0000-7000-8000-000000000003";

fn field(id: &str, name: &str, field_type: CustomFieldType) -> CustomField {
    CustomField {
        id: id.parse::<CustomFieldId>().expect("a fixed valid id"),
        label: name.to_string(),
        name: name.to_string(),
        field_type,
        metadata: None,
        version: None,
        choices: Vec::new(),
        created_at: Timestamp::from_millis(0),
        updated_at: Timestamp::from_millis(0),
    }
}

/// `shoe_size` (text), `points` (number), `renewal` (date).
pub fn custom_fields() -> Vec<CustomField> {
    vec![
        field(TEXT_FIELD_ID, "shoe_size", CustomFieldType::String),
        field(NUMBER_FIELD_ID, "points", CustomFieldType::Number),
        field(DATE_FIELD_ID, "renewal", CustomFieldType::Date),
    ]
}

/// A parsed instant prints as text that parses back to the same instant, and its date prints
/// as a bare date that parses to the midnight that starts its UTC day.
pub fn assert_timestamp_round_trips(at: Timestamp, source: &str) {
    let printed = at.to_rfc3339();
    assert_eq!(
        Timestamp::parse_iso8601(&printed),
        Ok(at),
        "{source:?} parsed to {at:?}, printed as {printed:?}, which does not parse back"
    );
    let day = at.to_date();
    let midnight = Timestamp::parse_iso8601(&day)
        .unwrap_or_else(|_| panic!("{source:?}: the date {day:?} does not parse"));
    assert!(
        midnight <= at && at.millis() - midnight.millis() < 86_400_000,
        "{source:?}: {at:?} is not within the day {day:?}"
    );
}
