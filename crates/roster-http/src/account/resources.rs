//! The account's summary, physical address and sender addresses as the V3 document shows them.

use roster_domain::account_services::{AccountEmail, AccountProfile, PhysicalAddress};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::date_time;

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct PhysicalAddressResource {
    address_line1: String,
    address_line2: Option<String>,
    address_line3: Option<String>,
    city: String,
    state_code: Option<String>,
    state_name: Option<String>,
    postal_code: Option<String>,
    country_code: String,
}

impl From<PhysicalAddress> for PhysicalAddressResource {
    fn from(address: PhysicalAddress) -> Self {
        Self {
            address_line1: address.address_line1,
            address_line2: address.address_line2,
            address_line3: address.address_line3,
            city: address.city,
            state_code: address.state_code,
            state_name: address.state_name,
            postal_code: address.postal_code,
            country_code: address.country_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompanyLogoResource {
    pub(super) external_url: String,
}

/// `Customer` (GET) and `CustomerPut` (the PUT's answer, without the extra fields).
/// The account's details as PUT /account/summary answers them.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct AccountDetails {
    contact_email: Option<String>,
    contact_phone: Option<String>,
    country_code: Option<String>,
    encoded_account_id: String,
    first_name: Option<String>,
    last_name: Option<String>,
    organization_name: Option<String>,
    organization_phone: Option<String>,
    state_code: Option<String>,
    time_zone_id: Option<String>,
    website: Option<String>,
}

/// GET /account/summary: the details, with the `extra_fields` the request asks for.
#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct SummaryResource {
    #[serde(flatten)]
    pub(super) details: AccountDetails,
    pub(super) physical_address: Option<PhysicalAddressResource>,
    pub(super) company_logo: Option<CompanyLogoResource>,
}

impl AccountDetails {
    pub(super) fn new(profile: AccountProfile) -> Self {
        Self {
            contact_email: profile.contact_email.map(|e| e.as_str().to_string()),
            contact_phone: profile.contact_phone,
            country_code: profile.country_code,
            encoded_account_id: profile.encoded_id,
            first_name: profile.first_name,
            last_name: profile.last_name,
            organization_name: profile.organization_name,
            organization_phone: profile.organization_phone,
            state_code: profile.state_code,
            time_zone_id: profile.time_zone_id,
            website: profile.website,
        }
    }
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct AccountEmailResource {
    email_address: String,
    email_id: i64,
    confirm_status: &'static str,
    confirm_time: Option<String>,
    confirm_source_type: Option<String>,
    roles: Vec<&'static str>,
    pending_roles: Vec<&'static str>,
}

impl From<AccountEmail> for AccountEmailResource {
    fn from(email: AccountEmail) -> Self {
        Self {
            email_address: email.address.as_str().to_string(),
            email_id: email.email_id,
            confirm_status: email.status.as_str(),
            confirm_time: email.confirmed_at.map(date_time),
            confirm_source_type: email.confirm_source_type,
            roles: email.roles.iter().map(|r| r.as_str()).collect(),
            pending_roles: email.pending_roles.iter().map(|r| r.as_str()).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountEmailCreated {
    pub(super) email_address: String,
    pub(super) email_id: i64,
    pub(super) confirm_status: &'static str,
}
