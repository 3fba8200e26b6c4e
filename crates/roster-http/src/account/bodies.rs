//! The request bodies of the Account Services operations, read with `ObjectReader` (every
//! problem at once) and described for the OpenAPI document by the `*Body` types
//! (docs/OPENAPI.md), which are never deserialised.

use roster_domain::account_services::{
    country_code, time_zone_id, website, AccountProfile, PhysicalAddress, PhysicalAddressDraft,
    MAX_NAME_LEN, MAX_ORGANIZATION_NAME_LEN, MAX_PHONE_LEN, MAX_TIME_ZONE_LEN, MAX_WEBSITE_LEN,
};
use roster_domain::EmailAddress;
use roster_domain::FieldError;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{JsonBody, ObjectReader};

/// A property of the summary as sent: None when absent; an empty string clears it.
/// PUT /account/summary: applies the body's changes to `profile`; returns the new contact email
/// address, if the body changes it (it must be a confirmed sender address).
pub(super) fn read_summary(
    body: JsonBody,
    profile: &mut AccountProfile,
) -> Result<Option<EmailAddress>, ApiError> {
    body.read_object(|r| read_summary_changes(r, profile))
}

/// POST /account/emails: the address to add.
pub(super) fn read_new_email(body: JsonBody) -> Result<EmailAddress, ApiError> {
    body.read_object(|r| {
        let text = r.required_string("email_address", EmailAddress::MAX_LEN)?;
        match EmailAddress::parse(&text) {
            Ok(address) => Some(address),
            Err(problem) => {
                r.error("email_address", problem.to_string());
                None
            }
        }
    })
}

fn trimmed(value: Option<String>) -> Option<Option<String>> {
    value.map(|v| Some(v.trim().to_string()).filter(|v| !v.is_empty()))
}

/// Reads a PUT /account/summary body onto `profile`: only the properties sent change.
/// Returns the contact email to check against the confirmed sender addresses, if one was sent.
fn read_summary_changes(
    r: &mut ObjectReader<'_>,
    profile: &mut AccountProfile,
) -> Option<Option<EmailAddress>> {
    let plain = [
        ("first_name", MAX_NAME_LEN),
        ("last_name", MAX_NAME_LEN),
        ("organization_name", MAX_ORGANIZATION_NAME_LEN),
        ("organization_phone", MAX_PHONE_LEN),
        ("contact_phone", MAX_PHONE_LEN),
    ];
    for (name, max) in plain {
        if let Some(value) = trimmed(r.string(name, max)) {
            let slot = match name {
                "first_name" => &mut profile.first_name,
                "last_name" => &mut profile.last_name,
                "organization_name" => &mut profile.organization_name,
                "organization_phone" => &mut profile.organization_phone,
                _ => &mut profile.contact_phone,
            };
            *slot = value;
        }
    }
    let check = |r: &mut ObjectReader<'_>, result: Result<String, FieldError>| match result {
        Ok(value) => Some(value),
        Err(problem) => {
            r.push(problem);
            None
        }
    };
    if let Some(value) = trimmed(r.string("country_code", 2)) {
        profile.country_code = match value {
            None => None,
            Some(code) => check(r, country_code("country_code", &code)),
        };
    }
    let state_sent = match trimmed(r.string("state_code", 2)) {
        Some(value) => {
            profile.state_code = value.map(|s| s.to_ascii_uppercase());
            profile.state_code.is_some()
        }
        None => false,
    };
    if let Some(value) = trimmed(r.string("time_zone_id", MAX_TIME_ZONE_LEN)) {
        profile.time_zone_id = match value {
            None => None,
            Some(name) => check(r, time_zone_id(&name)),
        };
    }
    if let Some(value) = trimmed(r.string("website", MAX_WEBSITE_LEN)) {
        profile.website = match value {
            None => None,
            Some(url) => check(r, website("website", &url)),
        };
    }
    let logo = r
        .object("company_logo", |logo| {
            trimmed(logo.string("external_url", MAX_WEBSITE_LEN))
        })
        .flatten();
    if let Some(value) = logo {
        profile.logo_external_url = match value {
            None => None,
            Some(url) => check(r, website("company_logo.external_url", &url)),
        };
    }
    let contact_email = match trimmed(r.string("contact_email", EmailAddress::MAX_LEN)) {
        None => None,
        Some(None) => {
            r.error("contact_email", "must not be blank");
            None
        }
        Some(Some(text)) => match EmailAddress::parse(&text) {
            Ok(address) => Some(address),
            Err(problem) => {
                r.error("contact_email", problem.to_string());
                None
            }
        },
    };
    for problem in profile.check(state_sent) {
        r.push(problem);
    }
    Some(contact_email)
}

/// Reads a physical address body; every property is text, checked by the domain's rules.
/// POST and PUT /account/summary/physical_address: the address, checked.
pub(super) fn read_address(body: JsonBody) -> Result<PhysicalAddress, ApiError> {
    body.read_object(|r| {
        let mut typed = true;
        let mut text = |r: &mut ObjectReader<'_>, name: &str| {
            let value = r.string(name, usize::MAX);
            typed &= value.is_some() || !r.has(name);
            value
        };
        let draft = PhysicalAddressDraft {
            address_line1: text(r, "address_line1"),
            address_line2: text(r, "address_line2"),
            address_line3: text(r, "address_line3"),
            city: text(r, "city"),
            state_code: text(r, "state_code"),
            state_name: text(r, "state_name"),
            postal_code: text(r, "postal_code"),
            country_code: text(r, "country_code"),
        };
        // A property of the wrong type is reported as such, not also as missing.
        if !typed {
            return None;
        }
        match draft.validate("") {
            Ok(address) => Some(address),
            Err(problems) => {
                for problem in problems {
                    r.push(problem);
                }
                None
            }
        }
    })
}

/// `company_logo` of PUT /account/summary.
#[derive(ToSchema)]
pub struct CompanyLogoBody {
    #[schema(nullable = false)]
    pub external_url: Option<String>,
}

/// PUT /account/summary: the properties it changes; the others are left as they are.
#[derive(ToSchema)]
pub struct SummaryBody {
    #[schema(nullable = false)]
    pub contact_email: Option<String>,
    #[schema(nullable = false)]
    pub contact_phone: Option<String>,
    #[schema(nullable = false)]
    pub country_code: Option<String>,
    #[schema(nullable = false)]
    pub first_name: Option<String>,
    #[schema(nullable = false)]
    pub last_name: Option<String>,
    #[schema(nullable = false)]
    pub organization_name: Option<String>,
    #[schema(nullable = false)]
    pub organization_phone: Option<String>,
    #[schema(nullable = false)]
    pub state_code: Option<String>,
    #[schema(nullable = false)]
    pub time_zone_id: Option<String>,
    #[schema(nullable = false)]
    pub website: Option<String>,
    #[schema(nullable = false)]
    pub company_logo: Option<CompanyLogoBody>,
}

/// POST /account/emails
#[derive(ToSchema)]
pub struct AccountEmailBody {
    pub email_address: String,
}
