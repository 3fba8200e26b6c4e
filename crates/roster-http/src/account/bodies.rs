//! The request bodies of the Account Services operations: parsed into these types, which also
//! give the document its schemas, then checked into the domain's values (every problem
//! reported at once).

use roster_domain::account_services::{
    country_code, time_zone_id, website, AccountProfile, PhysicalAddress, PhysicalAddressDraft,
    MAX_NAME_LEN, MAX_ORGANIZATION_NAME_LEN, MAX_PHONE_LEN, MAX_TIME_ZONE_LEN, MAX_WEBSITE_LEN,
};
use roster_domain::{EmailAddress, FieldError};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{Check, Field, Problems};

/// A property of the summary as sent: None when absent; an empty string clears it.
fn trimmed(value: Option<String>) -> Option<Option<String>> {
    value.map(|v| Some(v.trim().to_string()).filter(|v| !v.is_empty()))
}

/// Sets `slot` to the property's value when it was sent (an empty string clears it).
fn set_text(
    c: &mut Check<'_>,
    name: &str,
    field: Field<String>,
    max_len: usize,
    slot: &mut Option<String>,
) {
    if let Some(value) = trimmed(c.string(name, field, max_len)) {
        *slot = value;
    }
}

/// The value a domain rule accepted, or None with its problem recorded.
fn accepted(c: &mut Check<'_>, result: Result<String, FieldError>) -> Option<String> {
    match result {
        Ok(value) => Some(value),
        Err(problem) => {
            c.push(problem);
            None
        }
    }
}

/// `company_logo` of PUT /account/summary.
#[derive(Deserialize, ToSchema)]
pub struct CompanyLogoBody {
    #[schema(value_type = String, required = false, max_length = 255)]
    external_url: Field<String>,
}

impl CompanyLogoBody {
    fn check(c: &mut Check<'_>, logo: Self) -> Option<Option<String>> {
        trimmed(c.string("external_url", logo.external_url, MAX_WEBSITE_LEN))
    }
}

/// PUT /account/summary: the properties it changes; the others are left as they are.
#[derive(Deserialize, ToSchema)]
pub struct SummaryBody {
    #[schema(value_type = String, required = false, max_length = 80)]
    contact_email: Field<String>,
    #[schema(value_type = String, required = false, max_length = 25)]
    contact_phone: Field<String>,
    #[schema(value_type = String, required = false, max_length = 2)]
    country_code: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    first_name: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    last_name: Field<String>,
    #[schema(value_type = String, required = false, max_length = 255)]
    organization_name: Field<String>,
    #[schema(value_type = String, required = false, max_length = 25)]
    organization_phone: Field<String>,
    #[schema(value_type = String, required = false, max_length = 2)]
    state_code: Field<String>,
    #[schema(value_type = String, required = false, max_length = 64)]
    time_zone_id: Field<String>,
    #[schema(value_type = String, required = false, max_length = 255)]
    website: Field<String>,
    #[schema(value_type = CompanyLogoBody, required = false)]
    company_logo: Field<CompanyLogoBody>,
}

impl SummaryBody {
    /// Applies the body's changes to `profile`, the account's as stored: only the properties
    /// sent change, and the rules that tie properties together are checked on the result, in
    /// the same 400 as the properties' own problems (which is why this is no `TryFrom`: it
    /// needs the stored profile). Returns the contact email to check against the confirmed
    /// sender addresses, if one was sent.
    pub(super) fn apply(
        self,
        profile: &mut AccountProfile,
    ) -> Result<Option<EmailAddress>, ApiError> {
        Problems::run(|c| {
            set_text(
                c,
                "first_name",
                self.first_name,
                MAX_NAME_LEN,
                &mut profile.first_name,
            );
            set_text(
                c,
                "last_name",
                self.last_name,
                MAX_NAME_LEN,
                &mut profile.last_name,
            );
            set_text(
                c,
                "organization_name",
                self.organization_name,
                MAX_ORGANIZATION_NAME_LEN,
                &mut profile.organization_name,
            );
            set_text(
                c,
                "organization_phone",
                self.organization_phone,
                MAX_PHONE_LEN,
                &mut profile.organization_phone,
            );
            set_text(
                c,
                "contact_phone",
                self.contact_phone,
                MAX_PHONE_LEN,
                &mut profile.contact_phone,
            );
            if let Some(value) = trimmed(c.string("country_code", self.country_code, 2)) {
                profile.country_code = match value {
                    None => None,
                    Some(code) => accepted(c, country_code("country_code", &code)),
                };
            }
            let state_sent = match trimmed(c.string("state_code", self.state_code, 2)) {
                Some(value) => {
                    profile.state_code = value.map(|s| s.to_ascii_uppercase());
                    profile.state_code.is_some()
                }
                None => false,
            };
            let time_zone = c.string("time_zone_id", self.time_zone_id, MAX_TIME_ZONE_LEN);
            if let Some(value) = trimmed(time_zone) {
                profile.time_zone_id = match value {
                    None => None,
                    Some(name) => accepted(c, time_zone_id(&name)),
                };
            }
            if let Some(value) = trimmed(c.string("website", self.website, MAX_WEBSITE_LEN)) {
                profile.website = match value {
                    None => None,
                    Some(url) => accepted(c, website("website", &url)),
                };
            }
            let logo = c
                .object("company_logo", self.company_logo, CompanyLogoBody::check)
                .flatten();
            if let Some(value) = logo {
                profile.logo_external_url = match value {
                    None => None,
                    Some(url) => accepted(c, website("company_logo.external_url", &url)),
                };
            }
            let email = c.string("contact_email", self.contact_email, EmailAddress::MAX_LEN);
            let contact_email = match trimmed(email) {
                None => None,
                Some(None) => {
                    c.error("contact_email", "must not be blank");
                    None
                }
                Some(Some(text)) => match EmailAddress::parse(&text) {
                    Ok(address) => Some(address),
                    Err(problem) => {
                        c.error("contact_email", problem.to_string());
                        None
                    }
                },
            };
            for problem in profile.check(state_sent) {
                c.push(problem);
            }
            Some(contact_email)
        })
    }
}

/// POST and PUT /account/summary/physical_address; the domain's rules check every property.
#[derive(Deserialize, ToSchema)]
pub struct PhysicalAddressBody {
    #[schema(value_type = String, max_length = 80)]
    address_line1: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    address_line2: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    address_line3: Field<String>,
    #[schema(value_type = String, max_length = 80)]
    city: Field<String>,
    #[schema(value_type = String, required = false, max_length = 2)]
    state_code: Field<String>,
    #[schema(value_type = String, required = false, max_length = 80)]
    state_name: Field<String>,
    #[schema(value_type = String, required = false, max_length = 20)]
    postal_code: Field<String>,
    #[schema(value_type = String, max_length = 2)]
    country_code: Field<String>,
}

impl TryFrom<PhysicalAddressBody> for PhysicalAddress {
    type Error = ApiError;

    fn try_from(body: PhysicalAddressBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let mut typed = true;
            // The lengths are the domain's rules (they apply to the trimmed text).
            let mut text = |c: &mut Check<'_>, name: &str, field: Field<String>| {
                let present = field.is_present();
                let value = c.string(name, field, usize::MAX);
                typed &= value.is_some() || !present;
                value
            };
            let draft = PhysicalAddressDraft {
                address_line1: text(c, "address_line1", body.address_line1),
                address_line2: text(c, "address_line2", body.address_line2),
                address_line3: text(c, "address_line3", body.address_line3),
                city: text(c, "city", body.city),
                state_code: text(c, "state_code", body.state_code),
                state_name: text(c, "state_name", body.state_name),
                postal_code: text(c, "postal_code", body.postal_code),
                country_code: text(c, "country_code", body.country_code),
            };
            // A property of the wrong type is reported as such, not also as missing.
            if !typed {
                return None;
            }
            match draft.validate("") {
                Ok(address) => Some(address),
                Err(problems) => {
                    for problem in problems {
                        c.push(problem);
                    }
                    None
                }
            }
        })
    }
}

/// POST /account/emails
#[derive(Deserialize, ToSchema)]
pub struct AccountEmailBody {
    #[schema(value_type = String, max_length = 80)]
    email_address: Field<String>,
}

/// POST /account/emails: the address to add.
impl TryFrom<AccountEmailBody> for EmailAddress {
    type Error = ApiError;

    fn try_from(body: AccountEmailBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let text =
                c.required_string("email_address", body.email_address, EmailAddress::MAX_LEN)?;
            match EmailAddress::parse(&text) {
                Ok(address) => Some(address),
                Err(problem) => {
                    c.error("email_address", problem.to_string());
                    None
                }
            }
        })
    }
}
