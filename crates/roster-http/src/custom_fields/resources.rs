//! Custom fields as the V3 document shows them.

use roster_domain::custom_field::{CustomField, CustomFieldChoice, DisplayType};
use serde::Serialize;
use serde_with::skip_serializing_none;
use utoipa::ToSchema;

use crate::wire::{date_time, PageLinks};

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct CustomFieldResource {
    custom_field_id: String,
    label: String,
    name: String,
    #[serde(rename = "type")]
    field_type: &'static str,
    metadata: Option<MetadataResource>,
    version: Option<i64>,
    choices: Option<Vec<ChoiceResource>>,
    created_at: String,
    updated_at: String,
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
struct MetadataResource {
    display_type: Option<&'static str>,
    allow_negative: Option<bool>,
    decimal_places: Option<i64>,
    currency_code: Option<String>,
    integer: Option<bool>,
    display_format: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ChoiceResource {
    custom_field_id: String,
    choice_id: i64,
    choice_label: String,
    display_order: i64,
    created_at: String,
    updated_at: String,
}

impl From<CustomField> for CustomFieldResource {
    fn from(field: CustomField) -> Self {
        let id = field.id.to_string();
        let choices = field.field_type.has_choices().then(|| {
            field
                .choices
                .iter()
                .map(|choice: &CustomFieldChoice| ChoiceResource {
                    custom_field_id: id.clone(),
                    choice_id: choice.choice_id,
                    choice_label: choice.choice_label.clone(),
                    display_order: choice.display_order,
                    created_at: date_time(choice.created_at),
                    updated_at: date_time(choice.updated_at),
                })
                .collect()
        });
        CustomFieldResource {
            custom_field_id: id,
            label: field.label,
            name: field.name,
            field_type: field.field_type.as_str(),
            metadata: field.metadata.map(|m| MetadataResource {
                display_type: m.display_type.map(DisplayType::as_str),
                allow_negative: m.allow_negative,
                decimal_places: m.decimal_places,
                currency_code: m.currency_code,
                integer: m.integer,
                display_format: m.display_format,
            }),
            version: field.version,
            choices,
            created_at: date_time(field.created_at),
            updated_at: date_time(field.updated_at),
        }
    }
}

#[skip_serializing_none]
#[derive(Serialize, ToSchema)]
pub struct CustomFieldCollection {
    pub(super) custom_fields: Vec<CustomFieldResource>,
    pub(super) _links: Option<PageLinks>,
}
