//! The request bodies of the custom field operations: parsed into these types, which also
//! give the document its schemas, then checked into the domain's drafts (every problem
//! reported at once).

use roster_domain::custom_field::{
    ChoiceInput, CustomFieldDraft, CustomFieldMetadata, CustomFieldReplacement, CustomFieldType,
    DisplayType, MAX_CHOICE_LABEL_LEN, MAX_DROPDOWN_CHOICES, MAX_LABEL_LEN,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{Check, Field, Problems};

const TYPE_NAMES: [&str; 6] = [
    "string",
    "date",
    "number",
    "currency",
    "single_select",
    "multi_select",
];

/// `metadata` of a custom field body.
#[derive(Deserialize, ToSchema)]
pub struct MetadataBody {
    #[schema(value_type = String, required = false)]
    display_type: Field<String>,
    #[schema(value_type = bool, required = false)]
    allow_negative: Field<bool>,
    #[schema(value_type = i64, required = false)]
    decimal_places: Field<i64>,
    #[schema(value_type = String, required = false, max_length = 3)]
    currency_code: Field<String>,
    #[schema(value_type = bool, required = false)]
    integer: Field<bool>,
    #[schema(value_type = String, required = false, max_length = 20)]
    display_format: Field<String>,
}

impl MetadataBody {
    fn check(c: &mut Check<'_>, metadata: Self) -> CustomFieldMetadata {
        CustomFieldMetadata {
            display_type: c.enumerated(
                "display_type",
                metadata.display_type,
                &["radio", "checkbox", "dropdown"],
                DisplayType::parse,
            ),
            allow_negative: c.boolean("allow_negative", metadata.allow_negative),
            decimal_places: c.integer("decimal_places", metadata.decimal_places),
            currency_code: c.string("currency_code", metadata.currency_code, 3),
            integer: c.boolean("integer", metadata.integer),
            display_format: c.string("display_format", metadata.display_format, 20),
        }
    }
}

/// A choice of a new dropdown field.
#[derive(Deserialize, ToSchema)]
pub struct NewChoiceBody {
    #[schema(value_type = String, max_length = 255)]
    choice_label: Field<String>,
    #[schema(value_type = i64, required = false)]
    display_order: Field<i64>,
}

impl NewChoiceBody {
    fn check(c: &mut Check<'_>, choice: Self) -> Option<ChoiceInput> {
        let choice_label =
            c.required_string("choice_label", choice.choice_label, MAX_CHOICE_LABEL_LEN);
        let display_order = c.integer("display_order", choice.display_order);
        Some(ChoiceInput {
            choice_id: None,
            choice_label: choice_label?,
            display_order,
        })
    }
}

/// A choice of a replaced field: an existing one keeps its `choice_id`.
#[derive(Deserialize, ToSchema)]
pub struct ChoiceBody {
    #[schema(value_type = i64, required = false)]
    choice_id: Field<i64>,
    #[schema(value_type = String, max_length = 255)]
    choice_label: Field<String>,
    #[schema(value_type = i64, required = false)]
    display_order: Field<i64>,
}

impl ChoiceBody {
    fn check(c: &mut Check<'_>, choice: Self) -> Option<ChoiceInput> {
        let choice_id = c.integer("choice_id", choice.choice_id);
        let choice_label =
            c.required_string("choice_label", choice.choice_label, MAX_CHOICE_LABEL_LEN);
        let display_order = c.integer("display_order", choice.display_order);
        Some(ChoiceInput {
            choice_id,
            choice_label: choice_label?,
            display_order,
        })
    }
}

/// POST /contact_custom_fields
#[derive(Deserialize, ToSchema)]
pub struct CustomFieldCreateBody {
    #[schema(value_type = String, max_length = 50)]
    label: Field<String>,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    field_type: Field<String>,
    #[schema(value_type = MetadataBody, required = false)]
    metadata: Field<MetadataBody>,
    #[schema(value_type = Vec<NewChoiceBody>, required = false, max_items = 100)]
    choices: Field<Vec<Field<NewChoiceBody>>>,
    #[schema(value_type = i64, required = false)]
    version: Field<i64>,
}

impl TryFrom<CustomFieldCreateBody> for CustomFieldDraft {
    type Error = ApiError;

    fn try_from(body: CustomFieldCreateBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let label = c.required_string("label", body.label, MAX_LABEL_LEN);
            let field_type = if body.field_type.is_present() {
                c.enumerated("type", body.field_type, &TYPE_NAMES, CustomFieldType::parse)
            } else {
                c.error("type", "is required");
                None
            };
            let metadata = c.object("metadata", body.metadata, MetadataBody::check);
            let version = c.integer("version", body.version);
            let choices = c.objects(
                "choices",
                body.choices,
                MAX_DROPDOWN_CHOICES,
                NewChoiceBody::check,
            );
            Some(CustomFieldDraft {
                label: label?,
                field_type: field_type?,
                metadata,
                version,
                choices,
            })
        })
    }
}

/// PUT /contact_custom_fields/{custom_field_id}
#[derive(Deserialize, ToSchema)]
pub struct CustomFieldReplaceBody {
    #[schema(value_type = String, max_length = 50)]
    label: Field<String>,
    #[schema(value_type = Vec<ChoiceBody>, required = false, max_items = 100)]
    choices: Field<Vec<Field<ChoiceBody>>>,
}

impl TryFrom<CustomFieldReplaceBody> for CustomFieldReplacement {
    type Error = ApiError;

    fn try_from(body: CustomFieldReplaceBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let label = c.required_string("label", body.label, MAX_LABEL_LEN);
            let choices = c.objects(
                "choices",
                body.choices,
                MAX_DROPDOWN_CHOICES,
                ChoiceBody::check,
            );
            Some(CustomFieldReplacement {
                label: label?,
                choices,
            })
        })
    }
}
