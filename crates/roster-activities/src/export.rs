//! Export files: the CSV columns an export may ask for and the writing of one batch of
//! contacts as CSV (the file is stored chunk by chunk and streamed back the same way).

use roster_domain::contact::Contact;
use roster_domain::custom_field::CustomField;

/// The standard columns, in file order, when `fields` is not given.
pub const FIELDS: &[&str] = &[
    "email",
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
    "phone",
    "street",
    "city",
    "state",
    "zip",
    "country",
    "permission_to_send",
    "created_at",
    "updated_at",
];

/// Whether `field` is a column an export can write.
pub fn is_field(field: &str) -> bool {
    FIELDS.contains(&field) || field.starts_with("cf:")
}

/// The default columns: every standard one, then each custom field as `cf:<name>`.
pub fn default_fields(custom_fields: &[CustomField]) -> Vec<String> {
    FIELDS
        .iter()
        .map(|f| f.to_string())
        .chain(custom_fields.iter().map(|f| format!("cf:{}", f.name)))
        .collect()
}

fn value(contact: &Contact, field: &str, custom_fields: &[CustomField]) -> String {
    let address = contact.street_addresses.first();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        "email" => contact
            .email
            .as_ref()
            .map(|e| e.address.as_str().to_string())
            .unwrap_or_default(),
        "first_name" => opt(&contact.first_name),
        "last_name" => opt(&contact.last_name),
        "job_title" => opt(&contact.job_title),
        "company_name" => opt(&contact.company_name),
        "birthday_month" => contact
            .birthday
            .map(|b| b.month.to_string())
            .unwrap_or_default(),
        "birthday_day" => contact
            .birthday
            .map(|b| b.day.to_string())
            .unwrap_or_default(),
        "anniversary" => opt(&contact.anniversary),
        "phone" => contact
            .phone_numbers
            .first()
            .and_then(|p| p.phone_number.clone())
            .unwrap_or_default(),
        "street" => address.and_then(|a| a.street.clone()).unwrap_or_default(),
        "city" => address.and_then(|a| a.city.clone()).unwrap_or_default(),
        "state" => address.and_then(|a| a.state.clone()).unwrap_or_default(),
        "zip" => address
            .and_then(|a| a.postal_code.clone())
            .unwrap_or_default(),
        "country" => address.and_then(|a| a.country.clone()).unwrap_or_default(),
        "permission_to_send" => contact.bucket().as_str().to_string(),
        "created_at" => contact.created_at.to_rfc3339(),
        "updated_at" => contact.updated_at.to_rfc3339(),
        other => other
            .strip_prefix("cf:")
            .and_then(|name| {
                custom_fields
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(name))
            })
            .and_then(|field| {
                contact
                    .custom_fields
                    .iter()
                    .find(|v| v.custom_field_id == field.id)
            })
            .map(|v| v.value.clone())
            .unwrap_or_default(),
    }
}

/// One batch as CSV; the header first when `header` is set.
pub fn write_csv(
    contacts: &[Contact],
    fields: &[String],
    custom_fields: &[CustomField],
    header: bool,
) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if header {
        writer.write_record(fields)?;
    }
    for contact in contacts {
        writer.write_record(fields.iter().map(|f| value(contact, f, custom_fields)))?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
