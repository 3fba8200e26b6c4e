//! The date parsers: ISO-8601 instants (`Timestamp::parse_iso8601`, every `*_after`/`*_before`
//! filter and segment date) and the loose dates of anniversaries and date custom fields
//! (`parse_loose_date`). What parses prints as text that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_domain::time::parse_loose_date;
use roster_domain::Timestamp;
use roster_fuzz::assert_timestamp_round_trips;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(at) = Timestamp::parse_iso8601(text) {
        assert_timestamp_round_trips(at, text);
    }
    if let Some(date) = parse_loose_date(text) {
        assert_eq!(date.len(), 10, "{text:?} became {date:?}, not YYYY-MM-DD");
        assert_eq!(
            parse_loose_date(&date).as_deref(),
            Some(date.as_str()),
            "{text:?} became {date:?}, which is not a fixed point"
        );
        assert!(
            Timestamp::parse_iso8601(&date).is_ok(),
            "{text:?} became {date:?}, which is not an ISO-8601 date"
        );
    }
});
