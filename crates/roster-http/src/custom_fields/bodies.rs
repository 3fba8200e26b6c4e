//! The request bodies of the custom field operations: read with `ObjectReader` into the
//! domain's drafts, every problem reported at once, and described for the OpenAPI document by
//! the `*Body` types (docs/OPENAPI.md), which are never deserialised.

use roster_domain::custom_field::{
    ChoiceInput, CustomFieldDraft, CustomFieldMetadata, CustomFieldReplacement, CustomFieldType,
    DisplayType, MAX_CHOICE_LABEL_LEN, MAX_DROPDOWN_CHOICES, MAX_LABEL_LEN,
};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::wire::{JsonBody, ObjectReader};

const TYPE_NAMES: [&str; 6] = [
    "string",
    "date",
    "number",
    "currency",
    "single_select",
    "multi_select",
];

/// POST /contact_custom_fields: the new field's draft.
pub(super) fn read_create(body: JsonBody) -> Result<CustomFieldDraft, ApiError> {
    body.read_object(|r| {
        let label = r.required_string("label", MAX_LABEL_LEN);
        let field_type = if r.has("type") {
            r.enumerated("type", &TYPE_NAMES, CustomFieldType::parse)
        } else {
            r.error("type", "is required");
            None
        };
        let metadata = r.object("metadata", read_metadata);
        let version = r.integer("version");
        let choices = read_choices(r, false);
        Some(CustomFieldDraft {
            label: label?,
            field_type: field_type?,
            metadata,
            version,
            choices,
        })
    })
}

/// PUT /contact_custom_fields/{custom_field_id}: what replaces the field's label and choices.
pub(super) fn read_replacement(body: JsonBody) -> Result<CustomFieldReplacement, ApiError> {
    body.read_object(|r| {
        let label = r.required_string("label", MAX_LABEL_LEN);
        let choices = read_choices(r, true);
        Some(CustomFieldReplacement {
            label: label?,
            choices,
        })
    })
}

fn read_metadata(reader: &mut ObjectReader<'_>) -> CustomFieldMetadata {
    CustomFieldMetadata {
        display_type: reader.enumerated(
            "display_type",
            &["radio", "checkbox", "dropdown"],
            DisplayType::parse,
        ),
        allow_negative: reader.boolean("allow_negative"),
        decimal_places: reader.integer("decimal_places"),
        currency_code: reader.string("currency_code", 3),
        integer: reader.boolean("integer"),
        display_format: reader.string("display_format", 20),
    }
}

fn read_choices(reader: &mut ObjectReader<'_>, with_ids: bool) -> Option<Vec<ChoiceInput>> {
    reader.objects("choices", MAX_DROPDOWN_CHOICES, |choice| {
        let choice_id = if with_ids {
            choice.integer("choice_id")
        } else {
            None
        };
        let choice_label = choice.required_string("choice_label", MAX_CHOICE_LABEL_LEN)?;
        let display_order = choice.integer("display_order");
        Some(ChoiceInput {
            choice_id,
            choice_label,
            display_order,
        })
    })
}

/// `metadata` of a custom field body.
#[derive(ToSchema)]
pub struct MetadataBody {
    #[schema(nullable = false)]
    pub display_type: Option<String>,
    #[schema(nullable = false)]
    pub allow_negative: Option<bool>,
    #[schema(nullable = false)]
    pub decimal_places: Option<i64>,
    #[schema(nullable = false)]
    pub currency_code: Option<String>,
    #[schema(nullable = false)]
    pub integer: Option<bool>,
    #[schema(nullable = false)]
    pub display_format: Option<String>,
}

/// A choice of a new dropdown field.
#[derive(ToSchema)]
pub struct NewChoiceBody {
    pub choice_label: String,
    #[schema(nullable = false)]
    pub display_order: Option<i64>,
}

/// A choice of a replaced field: an existing one keeps its `choice_id`.
#[derive(ToSchema)]
pub struct ChoiceBody {
    #[schema(nullable = false)]
    pub choice_id: Option<i64>,
    pub choice_label: String,
    #[schema(nullable = false)]
    pub display_order: Option<i64>,
}

/// POST /contact_custom_fields
#[derive(ToSchema)]
pub struct CustomFieldCreateBody {
    pub label: String,
    #[schema(rename = "type")]
    pub field_type: String,
    #[schema(nullable = false)]
    pub metadata: Option<MetadataBody>,
    #[schema(nullable = false)]
    pub choices: Option<Vec<NewChoiceBody>>,
    #[schema(nullable = false)]
    pub version: Option<i64>,
}

/// PUT /contact_custom_fields/{custom_field_id}
#[derive(ToSchema)]
pub struct CustomFieldReplaceBody {
    pub label: String,
    #[schema(nullable = false)]
    pub choices: Option<Vec<ChoiceBody>>,
}
