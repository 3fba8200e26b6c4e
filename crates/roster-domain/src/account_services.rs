//! Account Services records and their rules: the account's profile (GET/PUT /account/summary),
//! its organization's physical address, and its sender addresses with their confirmation
//! status (GET/POST /account/emails). The country and state codes they accept are in
//! [`crate::region`].

use crate::region;
use crate::{EmailAddress, FieldError, Timestamp};

/// Longest values Roster stores where the document gives no limit (docs/WIRE.md).
pub const MAX_NAME_LEN: usize = 80;
pub const MAX_ORGANIZATION_NAME_LEN: usize = 255;
/// `contact_phone` has the document's maxLength 25; `organization_phone` gets the same.
pub const MAX_PHONE_LEN: usize = 25;
pub const MAX_WEBSITE_LEN: usize = 255;
pub const MAX_TIME_ZONE_LEN: usize = 64;
pub const MAX_ADDRESS_LINE_LEN: usize = 80;
pub const MAX_CITY_LEN: usize = 80;
pub const MAX_STATE_NAME_LEN: usize = 80;
pub const MAX_POSTAL_CODE_LEN: usize = 20;

/// What GET /account/summary shows; `encoded_id` never changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountProfile {
    pub encoded_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization_name: Option<String>,
    pub organization_phone: Option<String>,
    /// Always one of the account's confirmed sender addresses.
    pub contact_email: Option<EmailAddress>,
    pub contact_phone: Option<String>,
    /// Upper-case ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    /// Only with `country_code` US or CA, and then one of that country's codes.
    pub state_code: Option<String>,
    pub time_zone_id: Option<String>,
    pub website: Option<String>,
    /// An image hosted elsewhere (Roster has no image library).
    pub logo_external_url: Option<String>,
}

impl AccountProfile {
    /// The rules that tie properties together, checked on the profile as it would be stored.
    /// A state carried over from before a change to a country without states is dropped;
    /// `state_sent` says whether the request named one itself.
    pub fn check(&mut self, state_sent: bool) -> Vec<FieldError> {
        let mut problems = Vec::new();
        match self.country_code.as_deref() {
            Some(country) if region::has_states(country) => match self.state_code.as_deref() {
                None => problems.push(FieldError::new(
                    "state_code",
                    format!("is required when country_code is {country}"),
                )),
                Some(state) if !region::is_state(country, state) => problems.push(FieldError::new(
                    "state_code",
                    format!("is not a state code of {country}"),
                )),
                Some(_) => {}
            },
            _ if self.state_code.is_some() && state_sent => problems.push(FieldError::new(
                "state_code",
                "is only used when country_code is US or CA",
            )),
            _ => self.state_code = None,
        }
        problems
    }
}

/// Checks and normalises a country code (upper-case ISO 3166-1 alpha-2).
pub fn country_code(field: &str, text: &str) -> Result<String, FieldError> {
    let code = text.trim().to_ascii_uppercase();
    if region::is_country(&code) {
        Ok(code)
    } else {
        Err(FieldError::new(
            field,
            "is not an ISO 3166-1 alpha-2 country code",
        ))
    }
}

/// Checks the shape of an IANA time-zone name (`America/New_York`, `US/Eastern`, `UTC`).
/// Roster does not ship the time-zone database, so the name itself is not looked up.
pub fn time_zone_id(text: &str) -> Result<String, FieldError> {
    let name = text.trim();
    let part_ok = |part: &str| {
        !part.is_empty()
            && part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
    };
    if !name.is_empty() && name.split('/').all(part_ok) {
        Ok(name.to_string())
    } else {
        Err(FieldError::new(
            "time_zone_id",
            "is not an IANA time-zone name such as America/New_York",
        ))
    }
}

/// Checks a website: an absolute `http` or `https` URL with a host.
pub fn website(field: &str, text: &str) -> Result<String, FieldError> {
    let url = text.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| {
            let lower = url.to_ascii_lowercase();
            (lower.starts_with("https://") || lower.starts_with("http://"))
                .then(|| &url[url.find("://").map_or(0, |i| i + 3)..])
        });
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(host)
            if !host.is_empty()
                && !url.chars().any(char::is_whitespace)
                && host
                    .chars()
                    .all(|c| c.is_alphanumeric() || ".-:[]".contains(c)) =>
        {
            Ok(url.to_string())
        }
        _ => Err(FieldError::new(
            field,
            "must be an http or https URL, such as https://example.com",
        )),
    }
}

/// The organization's street address (the footer of every email the account sends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicalAddress {
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub city: String,
    /// US and CA only.
    pub state_code: Option<String>,
    /// Other countries only.
    pub state_name: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: String,
}

/// A physical address as sent (each property as text, if present), before the rules apply.
#[derive(Debug, Clone, Default)]
pub struct PhysicalAddressDraft {
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub city: Option<String>,
    pub state_code: Option<String>,
    pub state_name: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
}

/// One text property of an address as sent: trimmed; refused (with the problem recorded under
/// `field`) when required and absent, blank, or longer than `max` characters. The account's
/// physical address and a campaign's footer address share these rules.
pub(crate) fn address_text(
    problems: &mut Vec<FieldError>,
    field: String,
    value: Option<String>,
    max: usize,
    required: bool,
) -> Option<String> {
    match value.map(|v| v.trim().to_string()) {
        None if required => {
            problems.push(FieldError::new(field, "is required"));
            None
        }
        None => None,
        Some(v) if v.is_empty() => {
            problems.push(FieldError::new(field, "must not be blank"));
            None
        }
        Some(v) if v.chars().count() > max => {
            let message = format!("exceeds the maximum length of {max} characters");
            problems.push(FieldError::new(field, message));
            None
        }
        Some(v) => Some(v),
    }
}

impl PhysicalAddressDraft {
    /// Applies the rules (the document's required properties and lengths; `state_code` and a
    /// postal code for US and CA, `state_name` for other countries), naming each property that
    /// breaks one under `prefix` (e.g. `physical_address.`).
    pub fn validate(self, prefix: &str) -> Result<PhysicalAddress, Vec<FieldError>> {
        let mut problems = Vec::new();
        let field = |name: &str| format!("{prefix}{name}");
        let mut text = |name: &str, value: Option<String>, max: usize, required: bool| {
            address_text(&mut problems, field(name), value, max, required)
        };
        let line1 = text(
            "address_line1",
            self.address_line1,
            MAX_ADDRESS_LINE_LEN,
            true,
        );
        let line2 = text(
            "address_line2",
            self.address_line2,
            MAX_ADDRESS_LINE_LEN,
            false,
        );
        let line3 = text(
            "address_line3",
            self.address_line3,
            MAX_ADDRESS_LINE_LEN,
            false,
        );
        let city = text("city", self.city, MAX_CITY_LEN, true);
        let state_code = text("state_code", self.state_code, 2, false);
        let state_name = text("state_name", self.state_name, MAX_STATE_NAME_LEN, false);
        let postal_code = text("postal_code", self.postal_code, MAX_POSTAL_CODE_LEN, false);
        let country = text("country_code", self.country_code, 2, true);
        let country = country.and_then(|c| match country_code(&field("country_code"), &c) {
            Ok(code) => Some(code),
            Err(problem) => {
                problems.push(problem);
                None
            }
        });
        let state_code = state_code.map(|s| s.to_ascii_uppercase());
        if let Some(country) = country.as_deref() {
            if region::has_states(country) {
                match state_code.as_deref() {
                    None => problems.push(FieldError::new(
                        field("state_code"),
                        format!("is required when country_code is {country}"),
                    )),
                    Some(state) if !region::is_state(country, state) => {
                        problems.push(FieldError::new(
                            field("state_code"),
                            format!("is not a state code of {country}"),
                        ))
                    }
                    Some(_) => {}
                }
                if state_name.is_some() {
                    problems.push(FieldError::new(
                        field("state_name"),
                        format!("must be left out when country_code is {country}; use state_code"),
                    ));
                }
                if postal_code.is_none() {
                    problems.push(FieldError::new(
                        field("postal_code"),
                        format!("is required when country_code is {country}"),
                    ));
                }
            } else if state_code.is_some() {
                problems.push(FieldError::new(
                    field("state_code"),
                    "is only used when country_code is US or CA; use state_name",
                ));
            }
        }
        match (line1, city, country) {
            (Some(address_line1), Some(city), Some(country_code)) if problems.is_empty() => {
                Ok(PhysicalAddress {
                    address_line1,
                    address_line2: line2,
                    address_line3: line3,
                    city,
                    state_code,
                    state_name,
                    postal_code,
                    country_code,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Whether a sender address may be used yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailConfirmStatus {
    Confirmed,
    Unconfirmed,
}

impl EmailConfirmStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "CONFIRMED",
            Self::Unconfirmed => "UNCONFIRMED",
        }
    }

    /// The document's values, with its one-letter abbreviations.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "CONFIRMED" | "C" => Some(Self::Confirmed),
            "UNCONFIRMED" | "U" => Some(Self::Unconfirmed),
            _ => None,
        }
    }
}

/// What a confirmed address is used for in the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EmailRole {
    Contact,
    Billing,
    ReplyTo,
    Journaling,
    Other,
}

impl EmailRole {
    pub const ALL: [EmailRole; 5] = [
        Self::Contact,
        Self::Billing,
        Self::ReplyTo,
        Self::Journaling,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "CONTACT",
            Self::Billing => "BILLING",
            Self::ReplyTo => "REPLY_TO",
            Self::Journaling => "JOURNALING",
            Self::Other => "OTHER",
        }
    }

    /// The document's values, with its one-letter abbreviations.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_uppercase();
        Self::ALL.into_iter().find(|role| {
            role.as_str() == text || (text.len() == 1 && role.as_str().starts_with(text.as_str()))
        })
    }
}

/// The roles of the owner's sign-in address, the account's first sender address.
pub const OWNER_EMAIL_ROLES: [EmailRole; 2] = [EmailRole::Contact, EmailRole::Billing];
/// The role an added address will hold once confirmed.
pub const ADDED_EMAIL_PENDING_ROLES: [EmailRole; 1] = [EmailRole::Other];
/// Who confirmed an address that was confirmed through its link (or at account creation).
pub const CONFIRMED_BY_SITE_OWNER: &str = "SITE_OWNER";

/// A sender address of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEmail {
    /// Numbered from 1 per account, in the order addresses were added.
    pub email_id: i64,
    pub address: EmailAddress,
    pub status: EmailConfirmStatus,
    pub confirmed_at: Option<Timestamp>,
    pub confirm_source_type: Option<String>,
    pub roles: Vec<EmailRole>,
    pub pending_roles: Vec<EmailRole>,
    pub created_at: Timestamp,
}

/// GET /account/emails takes at most one filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountEmailFilter {
    All,
    Status(EmailConfirmStatus),
    Role(EmailRole),
    Address(EmailAddress),
}

/// Roles as stored: `,CONTACT,BILLING,` (delimited on both sides, so one role is a LIKE).
pub fn roles_to_text(roles: &[EmailRole]) -> String {
    if roles.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    format!(",{},", names.join(","))
}

pub fn roles_from_text(text: &str) -> Option<Vec<EmailRole>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(EmailRole::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(country: &str, state: Option<&str>, postal: Option<&str>) -> PhysicalAddressDraft {
        PhysicalAddressDraft {
            address_line1: Some("1 Main St".into()),
            city: Some("Boston".into()),
            country_code: Some(country.into()),
            state_code: state.map(Into::into),
            postal_code: postal.map(Into::into),
            ..PhysicalAddressDraft::default()
        }
    }

    fn fields(result: Result<PhysicalAddress, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn us_and_ca_need_a_known_state_and_a_postal_code() {
        let address = draft("us", Some("ma"), Some("02451")).validate("").unwrap();
        assert_eq!(address.country_code, "US");
        assert_eq!(address.state_code.as_deref(), Some("MA"));
        assert_eq!(
            fields(draft("US", None, None).validate("")),
            ["state_code", "postal_code"]
        );
        assert_eq!(
            fields(draft("CA", Some("MA"), Some("H0H")).validate("")),
            ["state_code"]
        );
        assert!(draft("CA", Some("QC"), Some("H2X 1Y4"))
            .validate("")
            .is_ok());
    }

    #[test]
    fn other_countries_take_a_state_name_not_a_code() {
        assert!(draft("DE", None, None).validate("").is_ok());
        assert_eq!(
            fields(draft("DE", Some("BY"), None).validate("p.")),
            ["p.state_code"]
        );
        assert_eq!(
            fields(draft("XX", None, None).validate("")),
            ["country_code"]
        );
    }

    #[test]
    fn required_and_blank_properties_are_named() {
        let problems = fields(PhysicalAddressDraft::default().validate(""));
        assert_eq!(problems, ["address_line1", "city", "country_code"]);
        let mut blank = draft("DE", None, None);
        blank.address_line2 = Some(" ".into());
        assert_eq!(fields(blank.validate("")), ["address_line2"]);
    }

    #[test]
    fn roles_round_trip_and_abbreviations_parse() {
        let text = roles_to_text(&OWNER_EMAIL_ROLES);
        assert_eq!(text, ",CONTACT,BILLING,");
        assert_eq!(roles_from_text(&text).unwrap(), OWNER_EMAIL_ROLES);
        assert_eq!(roles_from_text("").unwrap(), []);
        assert_eq!(EmailRole::parse("r"), Some(EmailRole::ReplyTo));
        assert_eq!(EmailRole::parse("J"), Some(EmailRole::Journaling));
        assert_eq!(EmailRole::parse("X"), None);
        assert_eq!(
            EmailConfirmStatus::parse("u"),
            Some(EmailConfirmStatus::Unconfirmed)
        );
    }

    #[test]
    fn profile_state_follows_the_country() {
        let mut profile = AccountProfile {
            country_code: Some("US".into()),
            ..AccountProfile::default()
        };
        assert_eq!(profile.check(false)[0].field, "state_code");
        profile.state_code = Some("MA".into());
        assert!(profile.check(true).is_empty());
        profile.country_code = Some("FR".into());
        assert!(profile.check(false).is_empty());
        assert_eq!(profile.state_code, None);
        profile.state_code = Some("MA".into());
        assert_eq!(profile.check(true)[0].field, "state_code");
    }

    #[test]
    fn websites_and_time_zones_are_shape_checked() {
        assert!(website("website", "https://example.com/x").is_ok());
        assert!(website("website", "HTTP://Example.com").is_ok());
        for bad in ["example.com", "ftp://x.org", "https://", "https://a b"] {
            assert!(website("website", bad).is_err(), "{bad}");
        }
        for good in ["America/New_York", "US/Eastern", "UTC", "Etc/GMT+5"] {
            assert!(time_zone_id(good).is_ok(), "{good}");
        }
        for bad in ["", "America//X", "../etc", "New York"] {
            assert!(time_zone_id(bad).is_err(), "{bad}");
        }
    }
}
