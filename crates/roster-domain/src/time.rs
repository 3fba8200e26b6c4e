//! Timestamps and dates. The V3 API accepts ISO-8601 with any offset and answers in UTC ending
//! in `Z`. Roster keeps milliseconds (what it prints), so a value read back and sent as a filter
//! matches exactly what was stored. Calendar dates (anniversaries, date custom fields, segment
//! operands) arrive in the loose forms `parse_loose_date` reads.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};

/// A UTC instant with millisecond precision, stored as milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// The text is not an ISO-8601 date-time the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO-8601 date-time")]
pub struct InvalidTimestamp;

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    fn to_chrono(self) -> DateTime<Utc> {
        // Out-of-range millis cannot come from parse() or now(); clamp rather than panic.
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Parses ISO-8601 as clients send it: `Z`, `±HH:MM`, `±HHMM` or `±HH` offsets, with or
    /// without fractional seconds; a bare date means midnight UTC. Sub-millisecond digits are
    /// truncated.
    pub fn parse_iso8601(text: &str) -> Result<Self, InvalidTimestamp> {
        let text = text.trim();
        if text.len() > 40 || !starts_with_a_four_digit_year(text) {
            return Err(InvalidTimestamp);
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            if text.len() == 10 {
                let midnight = date.and_hms_opt(0, 0, 0).ok_or(InvalidTimestamp)?;
                return Ok(Self(midnight.and_utc().timestamp_millis()));
            }
        }
        let (local, offset) = split_offset(text).ok_or(InvalidTimestamp)?;
        let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(local, format).ok())
            .ok_or(InvalidTimestamp)?;
        let utc_millis = naive.and_utc().timestamp_millis() - i64::from(offset) * 1000;
        // An offset can carry year 0000 or 9999 over the edge into a year that prints as
        // neither a four-digit year nor anything this parser reads back.
        if !(EARLIEST_MILLIS..=LATEST_MILLIS).contains(&utc_millis) {
            return Err(InvalidTimestamp);
        }
        Ok(Self(utc_millis))
    }

    /// `2013-03-29T19:20:30.000Z`.
    pub fn to_rfc3339(self) -> String {
        self.to_chrono()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// `2013-03-29`, for the fields the spec types as `date`.
    pub fn to_date(self) -> String {
        self.to_chrono().format("%Y-%m-%d").to_string()
    }

    /// Seconds since the epoch, for JWT claims.
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds.saturating_mul(1000)))
    }
}

/// The instants the API reads and writes: the four-digit years of RFC 3339, 0000 to 9999.
/// chrono's `%Y` also reads signed and longer years (`-021-01-01`, found by the fuzz target
/// fuzz/fuzz_targets/contact_query.rs), which print as text no client or this parser reads.
const EARLIEST_MILLIS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const LATEST_MILLIS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

fn starts_with_a_four_digit_year(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-'
}

/// Splits `2020-01-01T10:00:00+05:30` into the local part and the offset in seconds east.
fn split_offset(text: &str) -> Option<(&str, i32)> {
    if let Some(local) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Some((local, 0));
    }
    // The offset sign is the last '+' or '-' after the time separator.
    let time_start = text.find(['T', 't'])?;
    let sign_at = text[time_start..].rfind(['+', '-'])? + time_start;
    let (local, offset) = text.split_at(sign_at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    // ':' is only allowed as HH:MM.
    if offset.contains(':') && !(offset.len() == 6 && offset.as_bytes()[3] == b':') {
        return None;
    }
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((local, sign * (hours * 3600 + minutes * 60)))
}

/// Parses the date forms the V3 API accepts for anniversaries and date custom fields
/// (MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, YYYY/M/D, YYYY-MM-DD, YYYY-M-D, M-D-YYYY, MM-DD-YYYY)
/// into `YYYY-MM-DD`.
pub fn parse_loose_date(text: &str) -> Option<String> {
    let text = text.trim();
    let separator = if text.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = text.split(separator).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (year, month, day) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 {
        (parts[2], parts[0], parts[1])
    } else {
        return None;
    };
    if month.len() > 2 || day.len() > 2 {
        return None;
    }
    let (year, month, day): (i32, u32, u32) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    Some(date.format("%Y-%m-%d").to_string())
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_dates_accept_the_documented_forms_only() {
        for (text, expected) in [
            ("11/15/2006", "2006-11-15"),
            ("1/5/2006", "2006-01-05"),
            ("2006/11/15", "2006-11-15"),
            ("2006/1/5", "2006-01-05"),
            ("2006-11-15", "2006-11-15"),
            ("2006-1-5", "2006-01-05"),
            ("1-5-2006", "2006-01-05"),
            ("11-15-2006", "2006-11-15"),
            ("2/29/2024", "2024-02-29"),
        ] {
            assert_eq!(parse_loose_date(text).as_deref(), Some(expected), "{text}");
        }
        for bad in [
            "13/45/2020",
            "2/29/2023",
            "2006.11.15",
            "15/11/06",
            "",
            "2006-11",
            "x/y/zzzz",
            "111/1/2006",
        ] {
            assert_eq!(parse_loose_date(bad), None, "{bad}");
        }
    }

    fn utc(text: &str) -> String {
        Timestamp::parse_iso8601(text).unwrap().to_rfc3339()
    }

    #[test]
    fn accepts_every_offset_form_and_answers_in_utc() {
        assert_eq!(utc("2013-03-29T19:20:30.00Z"), "2013-03-29T19:20:30.000Z");
        assert_eq!(utc("2016-03-03T10:53:04-05:00"), "2016-03-03T15:53:04.000Z");
        assert_eq!(utc("2019-01-01T00:00:00-0500"), "2019-01-01T05:00:00.000Z");
        assert_eq!(utc("2019-01-01T00:00:00+05"), "2018-12-31T19:00:00.000Z");
        assert_eq!(utc("2022-01-01T16:37:59.091Z"), "2022-01-01T16:37:59.091Z");
        assert_eq!(
            utc("2022-01-01T16:37:59.091999+00:00"),
            "2022-01-01T16:37:59.091Z"
        );
        assert_eq!(utc("2022-01-01"), "2022-01-01T00:00:00.000Z");
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        for bad in [
            "",
            "yesterday",
            "2022-13-01T00:00:00Z",
            "2022-02-30T00:00:00Z",
            "2022-01-01T25:00:00Z",
            "2022-01-01T00:00:00+25:00",
            "2022-01-01T00:00:00+0:00",
            "2022-01-01T00:00:00",
            "13/45/2020",
            // Years outside 0000–9999, as written or after the offset (fuzzing found these).
            "-021-01-01T00:00-01",
            "+2022-01-01T00:00:00Z",
            "12022-01-01T00:00:00Z",
            "202-01-01",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-00:01",
        ] {
            assert!(Timestamp::parse_iso8601(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_first_and_last_instants_round_trip() {
        for edge in ["0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"] {
            assert_eq!(utc(edge), edge);
            let at = Timestamp::parse_iso8601(edge).unwrap();
            assert!(Timestamp::parse_iso8601(&at.to_date()).is_ok());
        }
    }

    #[test]
    fn dates_print_as_dates() {
        assert_eq!(
            Timestamp::parse_iso8601("2020-02-29T23:59:59-01:00")
                .unwrap()
                .to_date(),
            "2020-03-01"
        );
    }

    proptest::proptest! {
        #[test]
        fn printing_then_parsing_is_identity(
            millis in -2_000_000_000_000i64..8_000_000_000_000i64
        ) {
            let t = Timestamp::from_millis(millis);
            proptest::prop_assert_eq!(Timestamp::parse_iso8601(&t.to_rfc3339()).unwrap(), t);
        }

        #[test]
        fn never_panics(text in "\\PC{0,48}") {
            let _ = Timestamp::parse_iso8601(&text);
        }
    }
}
