//! The conversions every row type shares: what a row that does not convert is reported as,
//! and the parsing of the JSON and enum texts some columns hold.

use roster_domain::{EmailAddress, StoreError};

pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::unavailable(corrupt_error(what))
}

pub fn corrupt_error(what: &str) -> anyhow::Error {
    anyhow::anyhow!("the database holds an invalid {what}")
}

pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serialising plain data structures cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

pub(super) fn parse_enum<T>(
    text: Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parse(&t).ok_or_else(|| corrupt(what)))
        .transpose()
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what))
}

/// A stored email address; `what` names the column for the outage.
pub(super) fn parse_email(text: &str, what: &str) -> Result<EmailAddress, StoreError> {
    EmailAddress::parse(text).map_err(|_| corrupt(what))
}
