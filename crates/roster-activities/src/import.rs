//! Import parsing, shared by the JSON import, the CSV import and `roster import`: each row, a
//! JSON object or a CSV record, becomes a checked `ImportRow` or the reason it was rejected,
//! named by its position. Problems with the whole upload (no email column, not CSV, too many
//! rows) are `UploadError`s, which the caller answers as a 400 or 415 before anything is queued.

use roster_domain::activity::{ImportAddress, ImportItem, ImportRow};
use roster_domain::contact::{
    check_custom_values, AccountContext, AddressKind, CustomValueInput, PhoneKind,
    MAX_ADDRESS_PART_LEN, MAX_CUSTOM_FIELDS, MAX_NAME_LEN, MAX_PHONE_LEN, MAX_STREET_LEN,
};
use roster_domain::custom_field::CustomField;
use roster_domain::time::parse_loose_date;
use roster_domain::EmailAddress;
use serde_json::Value;

/// Constant Contact's limits, the defaults: 40,000 contacts (a CSV of 40,000 lines with its
/// header holds 39,999).
pub const DEFAULT_MAX_CONTACTS: usize = 40_000;
/// JSON import addresses are at most 50 characters (the spec's `JsonImportContact`).
const MAX_JSON_EMAIL_LEN: usize = 50;
const MAX_CSV_EMAIL_LEN: usize = 80;

/// A problem with the whole upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// Not a CSV file at all (415).
    NotCsv(String),
    /// A CSV file Roster cannot import (400).
    Invalid(String),
}

/// The columns (and JSON properties) an import understands, besides `cf:<custom field name>`.
pub const COLUMNS: &[&str] = &[
    "email",
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
    "phone",
    "home_phone",
    "work_phone",
    "mobile_phone",
    "other_phone",
    "street",
    "street2",
    "city",
    "state",
    "zip",
    "country",
    "home_street",
    "home_street2",
    "home_city",
    "home_state",
    "home_zip",
    "home_country",
    "home country",
    "work_street",
    "work_street2",
    "work_city",
    "work_state",
    "work_zip",
    "work_country",
    "other_street",
    "other_street2",
    "other_city",
    "other_state",
    "other_zip",
    "other_country",
    "sms_number",
    "sms_consent_date",
];

fn known_column(name: &str) -> bool {
    COLUMNS.contains(&name) || name.starts_with("cf:")
}

/// One row's properties as (name, value) text pairs, blanks already dropped.
fn build_row(
    pairs: &[(String, String)],
    custom_fields: &[CustomField],
    max_email_len: usize,
) -> Result<ImportRow, String> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut problems: Vec<String> = Vec::new();
    let mut text = |name: &str, max: usize| -> Option<String> {
        let value = get(name)?;
        if value.chars().count() > max {
            problems.push(format!("{name} exceeds {max} characters"));
            return None;
        }
        Some(value)
    };
    let first_name = text("first_name", MAX_NAME_LEN);
    let last_name = text("last_name", MAX_NAME_LEN);
    let job_title = text("job_title", MAX_NAME_LEN);
    let company_name = text("company_name", MAX_NAME_LEN);
    let mut phones = Vec::new();
    for (name, kind) in [
        ("phone", None),
        ("home_phone", Some(PhoneKind::Home)),
        ("work_phone", Some(PhoneKind::Work)),
        ("mobile_phone", Some(PhoneKind::Mobile)),
        ("other_phone", Some(PhoneKind::Other)),
    ] {
        if let Some(number) = text(name, MAX_PHONE_LEN) {
            phones.push((kind, number));
        }
    }
    let mut addresses = Vec::new();
    // The primary address is the home address unless home_ columns are given too.
    for (prefix, kind) in [
        ("", AddressKind::Home),
        ("home_", AddressKind::Home),
        ("work_", AddressKind::Work),
        ("other_", AddressKind::Other),
    ] {
        let street = text(&format!("{prefix}street"), MAX_STREET_LEN);
        let street2 = text(&format!("{prefix}street2"), MAX_STREET_LEN);
        let street = match (street, street2) {
            (Some(a), Some(b)) => Some(format!("{a}, {b}")),
            (a, b) => a.or(b),
        };
        let country = text(&format!("{prefix}country"), MAX_ADDRESS_PART_LEN).or_else(|| {
            (prefix == "home_")
                .then(|| text("home country", MAX_ADDRESS_PART_LEN))
                .flatten()
        });
        let address = ImportAddress {
            kind,
            street: street.map(|s| s.chars().take(MAX_STREET_LEN).collect()),
            city: text(&format!("{prefix}city"), MAX_ADDRESS_PART_LEN),
            state: text(&format!("{prefix}state"), MAX_ADDRESS_PART_LEN),
            postal_code: text(&format!("{prefix}zip"), MAX_ADDRESS_PART_LEN),
            country,
        };
        let empty = address.street.is_none()
            && address.city.is_none()
            && address.state.is_none()
            && address.postal_code.is_none()
            && address.country.is_none();
        if !empty {
            addresses.retain(|a: &ImportAddress| a.kind != kind);
            addresses.push(address);
        }
    }
    let _ = text("sms_consent_date", 16);
    let _ = text("sms_number", 16);
    let email = match get("email") {
        None => {
            problems.push("email is required".into());
            None
        }
        Some(address) => match EmailAddress::parse_with_max(&address, max_email_len) {
            Ok(email) => Some(email),
            Err(error) => {
                problems.push(format!("email {address} {error}"));
                None
            }
        },
    };
    let birthday = match (get("birthday_month"), get("birthday_day")) {
        (None, None) => None,
        (Some(month), Some(day)) => {
            let parsed = month
                .parse::<u32>()
                .ok()
                .zip(day.parse::<u32>().ok())
                .filter(|(m, d)| chrono_free_valid_day(*m, *d));
            if parsed.is_none() {
                problems.push(format!(
                    "birthday_month {month} and birthday_day {day} are not a day of the year"
                ));
            }
            parsed.map(|(m, d)| (m as u8, d as u8))
        }
        _ => {
            problems.push("birthday_month and birthday_day must be given together".into());
            None
        }
    };
    let anniversary = get("anniversary").and_then(|text| {
        let date = parse_loose_date(&text);
        if date.is_none() {
            problems.push(format!("anniversary {text} is not a date"));
        }
        date
    });
    let mut inputs = Vec::new();
    for (name, value) in pairs.iter().filter(|(k, _)| k.starts_with("cf:")) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let label = &name[3..];
        match custom_fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(label) || f.label.eq_ignore_ascii_case(label))
        {
            Some(field) => inputs.push(CustomValueInput {
                custom_field_id: field.id,
                value: Some(value.to_string()),
                choice_ids: None,
            }),
            None => problems.push(format!("{name} names no custom field of this account")),
        }
    }
    if inputs.len() > MAX_CUSTOM_FIELDS {
        problems.push(format!(
            "a contact may have at most {MAX_CUSTOM_FIELDS} custom fields"
        ));
    }
    let mut field_errors = Vec::new();
    let context = AccountContext { custom_fields };
    let custom_values = check_custom_values(&inputs, &context, "custom_fields", &mut field_errors);
    problems.extend(field_errors.into_iter().map(|e| e.message));
    match email {
        Some(email) if problems.is_empty() => Ok(ImportRow {
            email: email.as_str().to_string(),
            first_name,
            last_name,
            job_title,
            company_name,
            birthday,
            anniversary,
            phones,
            addresses,
            custom_values,
        }),
        _ => Err(problems.join("; ")),
    }
}

fn chrono_free_valid_day(month: u32, day: u32) -> bool {
    let last = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// `import_data` of a JSON import: each item checked on its own.
pub fn json_items(items: &[Value], custom_fields: &[CustomField]) -> Vec<ImportItem> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let Value::Object(map) = item else {
                return ImportItem::Rejected(format!("import_data[{index}] is not an object"));
            };
            let mut pairs = Vec::with_capacity(map.len());
            let mut problems = Vec::new();
            for (name, value) in map {
                let text = match value {
                    Value::Null => continue,
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    _ => {
                        problems.push(format!("{name} must be a string"));
                        continue;
                    }
                };
                let name = if name == "home country" {
                    "home_country".to_string()
                } else {
                    name.clone()
                };
                if known_column(&name) {
                    pairs.push((name, text));
                }
            }
            match build_row(&pairs, custom_fields, MAX_JSON_EMAIL_LEN) {
                Ok(row) if problems.is_empty() => ImportItem::Row(row),
                Ok(_) => {
                    ImportItem::Rejected(format!("import_data[{index}]: {}", problems.join("; ")))
                }
                Err(reason) => {
                    problems.push(reason);
                    ImportItem::Rejected(format!("import_data[{index}]: {}", problems.join("; ")))
                }
            }
        })
        .collect()
}

/// Whether bytes look like a text CSV file: not UTF-16 (BOM), no NUL bytes at the start.
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    !(head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || head.contains(&0))
}

/// A CSV upload: the header names the columns (Constant Contact's names, custom fields as
/// `cf:<name>`); every later record is one item, rejected on its own when it is ragged, not
/// UTF-8, or invalid. At most `max_contacts` records.
pub fn csv_items(
    bytes: &[u8],
    custom_fields: &[CustomField],
    max_contacts: usize,
) -> Result<Vec<ImportItem>, UploadError> {
    if !looks_like_text(bytes) {
        return Err(UploadError::NotCsv(
            "Wrong file format, upload file must be of type .csv".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => {
            return Err(UploadError::Invalid(format!(
                "The header row cannot be read: {error}."
            )))
        }
        None => {
            return Err(UploadError::Invalid(
                "The file is empty; a header row with an email column is required.".into(),
            ))
        }
    };
    let mut columns = Vec::with_capacity(header.len());
    for field in header.iter() {
        let name = std::str::from_utf8(field)
            .map_err(|_| UploadError::Invalid("The header row is not UTF-8 text.".into()))?
            .trim()
            .to_string();
        let name = if name.starts_with("cf:") || name.starts_with("CF:") {
            format!("cf:{}", &name[3..])
        } else {
            name.to_ascii_lowercase()
                .replace("home country", "home_country")
        };
        if !known_column(&name) {
            return Err(UploadError::Invalid(format!(
                "The header names the unknown column \"{name}\"; columns are {} and \
                 cf:<custom field name>.",
                COLUMNS.join(", ")
            )));
        }
        columns.push(name);
    }
    if !columns.iter().any(|c| c == "email") {
        return Err(UploadError::Invalid(
            "The header row has no email column; every imported contact needs an email address."
                .into(),
        ));
    }
    let mut items = Vec::new();
    for (index, record) in records.enumerate() {
        let line = index + 2;
        if items.len() >= max_contacts {
            return Err(UploadError::Invalid(format!(
                "The file holds more than {max_contacts} contacts (at most {} lines with the \
                 header).",
                max_contacts + 1
            )));
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                items.push(ImportItem::Rejected(format!(
                    "line {line}: cannot be read: {error}"
                )));
                continue;
            }
        };
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            items.push(ImportItem::Rejected(format!(
                "line {line}: has {} fields but the header has {}",
                record.len(),
                columns.len()
            )));
            continue;
        }
        let mut pairs = Vec::with_capacity(columns.len());
        let mut utf8 = true;
        for (name, field) in columns.iter().zip(record.iter()) {
            match std::str::from_utf8(field) {
                Ok(text) => pairs.push((name.clone(), text.to_string())),
                Err(_) => utf8 = false,
            }
        }
        if !utf8 {
            items.push(ImportItem::Rejected(format!(
                "line {line}: is not UTF-8 text"
            )));
            continue;
        }
        items.push(match build_row(&pairs, custom_fields, MAX_CSV_EMAIL_LEN) {
            Ok(row) => ImportItem::Row(row),
            Err(reason) => ImportItem::Rejected(format!("line {line}: {reason}")),
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rejected(items: &[ImportItem]) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| match i {
                ImportItem::Rejected(r) => Some(r.clone()),
                ImportItem::Row(_) => None,
            })
            .collect()
    }

    #[test]
    fn json_rows_are_checked_one_by_one() {
        let items = json_items(
            &[
                json!({
                    "email": "A@Example.com",
                    "first_name": "Ann",
                    "home country": "US",
                    "home_city": "Boston"
                }),
                json!({"email": "not an address"}),
                json!({"first_name": "No email"}),
                json!({"email": "b@example.com", "birthday_month": 2, "birthday_day": 30}),
            ],
            &[],
        );
        let ImportItem::Row(row) = &items[0] else {
            panic!("{:?}", items[0])
        };
        assert_eq!(row.email, "a@example.com");
        assert_eq!(row.addresses[0].country.as_deref(), Some("US"));
        assert_eq!(rejected(&items).len(), 3);
    }

    #[test]
    fn csv_rows_keep_the_good_and_name_the_bad() {
        let csv = b"email,first_name\nann@example.com,Ann\nbob@example.com\n\
                    \xff@example.com,X\ncat@example.com,\"Cat\n";
        let items = csv_items(csv, &[], 10).unwrap();
        let problems = rejected(&items);
        assert_eq!(items.len(), 4);
        assert!(
            problems[0].starts_with("line 3: has 1 fields"),
            "{problems:?}"
        );
        assert!(problems[1].contains("UTF-8"), "{problems:?}");
    }

    #[test]
    fn whole_file_problems_refuse_the_upload() {
        assert!(matches!(
            csv_items(b"name\nx\n", &[], 10),
            Err(UploadError::Invalid(_))
        ));
        assert!(matches!(
            csv_items(b"\xff\xfee\0m", &[], 10),
            Err(UploadError::NotCsv(_))
        ));
        assert!(matches!(
            csv_items(b"email\na@example.com\nb@example.com\n", &[], 1),
            Err(UploadError::Invalid(_))
        ));
    }
}
