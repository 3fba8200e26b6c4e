//! A contact's SMS channel: the number able to receive SMS, its consents, and the split of a
//! full SMS address into dial code, national number and country.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::source::Source;
use super::wire_enum::wire_enum;
use crate::Timestamp;

wire_enum!(
    /// An SMS consent's `sms_consent_permission`, and the `sms_status` of a contact (its SMS
    /// channel's newest consent's, `not_set` without one) that GET /contacts filters by.
    SmsStatus {
        Explicit = "explicit",
        Unsubscribed = "unsubscribed",
        PendingConfirmation = "pending_confirmation",
        NotSet = "not_set",
    }
);

/// One SMS consent of the contact's SMS channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConsent {
    pub sms_consent_permission: SmsStatus,
    pub consent_type: String,
    pub consent_medium_details: Option<String>,
    pub opt_in_date: Option<Timestamp>,
    pub opt_out_date: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The SMS channel: a phone number able to receive SMS and its consents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsChannel {
    pub id: Uuid,
    pub dial_code: String,
    pub sms_address: String,
    pub country_code: String,
    pub create_source: Source,
    pub update_source: Source,
    pub consents: Vec<SmsConsent>,
}

impl SmsChannel {
    /// The permission of the newest consent, which is the channel's status for `sms_status`.
    pub fn status(&self) -> SmsStatus {
        self.consents
            .last()
            .map_or(SmsStatus::NotSet, |c| c.sms_consent_permission)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsConsentInput {
    pub sms_consent_permission: SmsStatus,
    pub consent_type: String,
    pub consent_medium_details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsInput {
    pub dial_code: String,
    pub sms_address: String,
    pub country_code: String,
    pub consents: Vec<SmsConsentInput>,
}

pub(super) fn build_sms(
    input: SmsInput,
    source: Source,
    now: Timestamp,
    old: Option<&SmsChannel>,
) -> SmsChannel {
    let consents = input
        .consents
        .into_iter()
        .map(|c| {
            let opted_in = c.sms_consent_permission == SmsStatus::Explicit;
            let opted_out = c.sms_consent_permission == SmsStatus::Unsubscribed;
            SmsConsent {
                opt_in_date: opted_in.then_some(now),
                opt_out_date: opted_out.then_some(now),
                sms_consent_permission: c.sms_consent_permission,
                consent_type: c.consent_type,
                consent_medium_details: c.consent_medium_details,
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    SmsChannel {
        id: old.map(|o| o.id).unwrap_or_else(Uuid::now_v7),
        dial_code: input.dial_code,
        sms_address: input.sms_address,
        country_code: input.country_code,
        create_source: old.map(|o| o.create_source).unwrap_or(source),
        update_source: source,
        consents,
    }
}

/// Country calling codes Roster recognises in a full SMS address, with the ISO country each
/// stands for (the first listed where several countries share a code).
const DIAL_CODES: &[(&str, &str)] = &[
    ("1", "US"),
    ("7", "RU"),
    ("20", "EG"),
    ("27", "ZA"),
    ("30", "GR"),
    ("31", "NL"),
    ("32", "BE"),
    ("33", "FR"),
    ("34", "ES"),
    ("36", "HU"),
    ("39", "IT"),
    ("40", "RO"),
    ("41", "CH"),
    ("43", "AT"),
    ("44", "GB"),
    ("45", "DK"),
    ("46", "SE"),
    ("47", "NO"),
    ("48", "PL"),
    ("49", "DE"),
    ("51", "PE"),
    ("52", "MX"),
    ("54", "AR"),
    ("55", "BR"),
    ("56", "CL"),
    ("57", "CO"),
    ("60", "MY"),
    ("61", "AU"),
    ("62", "ID"),
    ("63", "PH"),
    ("64", "NZ"),
    ("65", "SG"),
    ("66", "TH"),
    ("81", "JP"),
    ("82", "KR"),
    ("84", "VN"),
    ("86", "CN"),
    ("90", "TR"),
    ("91", "IN"),
    ("92", "PK"),
    ("351", "PT"),
    ("353", "IE"),
    ("358", "FI"),
    ("420", "CZ"),
    ("852", "HK"),
    ("971", "AE"),
    ("972", "IL"),
];

/// Splits `+<dial code><number>` (spaces, dashes, dots and parentheses ignored) into its dial
/// code, national number and country. Without `+`, a ten-digit number is taken as North American.
pub fn split_sms_address(full: &str) -> Option<(String, String, String)> {
    let trimmed = full.trim();
    let international = trimmed.starts_with('+');
    let digits: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 15 {
        return None;
    }
    if !international {
        return (digits.len() == 10).then(|| ("1".to_string(), digits, "US".to_string()));
    }
    let (code, country) = DIAL_CODES
        .iter()
        .filter(|(code, _)| digits.starts_with(code))
        .max_by_key(|(code, _)| code.len())?;
    let national = &digits[code.len()..];
    (national.len() >= 4).then(|| (code.to_string(), national.to_string(), country.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_statuses_keep_their_wire_spelling() {
        for status in [
            SmsStatus::Explicit,
            SmsStatus::Unsubscribed,
            SmsStatus::PendingConfirmation,
            SmsStatus::NotSet,
        ] {
            assert_eq!(SmsStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert_eq!(
            SmsStatus::NAMES,
            [
                "explicit",
                "unsubscribed",
                "pending_confirmation",
                "not_set"
            ]
        );
        assert_eq!(SmsStatus::parse("Explicit"), None);
    }

    #[test]
    fn a_channel_is_in_the_status_of_its_newest_consent() {
        let consent = |permission| SmsConsentInput {
            sms_consent_permission: permission,
            consent_type: "promotional_sms".into(),
            consent_medium_details: None,
        };
        let input = SmsInput {
            dial_code: "1".into(),
            sms_address: "5551234567".into(),
            country_code: "US".into(),
            consents: vec![],
        };
        let now = Timestamp::from_millis(7);
        let none = build_sms(input.clone(), Source::Account, now, None);
        assert_eq!(none.status(), SmsStatus::NotSet);
        let both = SmsInput {
            consents: vec![
                consent(SmsStatus::Explicit),
                consent(SmsStatus::Unsubscribed),
            ],
            ..input
        };
        let channel = build_sms(both, Source::Account, now, None);
        assert_eq!(channel.status(), SmsStatus::Unsubscribed);
        assert_eq!(channel.consents[0].opt_in_date, Some(now));
        assert_eq!(channel.consents[1].opt_out_date, Some(now));
    }

    #[test]
    fn splits_dial_codes() {
        assert_eq!(
            split_sms_address("+1 (555) 123-4567"),
            Some(("1".into(), "5551234567".into(), "US".into()))
        );
        assert_eq!(
            split_sms_address("+353 87 123 4567"),
            Some(("353".into(), "871234567".into(), "IE".into()))
        );
        assert_eq!(
            split_sms_address("5551234567"),
            Some(("1".into(), "5551234567".into(), "US".into()))
        );
        assert_eq!(split_sms_address("+999 1234"), None);
        assert_eq!(split_sms_address("call me"), None);
    }
}
