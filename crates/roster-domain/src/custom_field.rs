//! Contact custom fields: the account-defined extra properties of a contact. This module owns
//! the rules the spec states for them (types, choices, metadata, the derived `name`), so both the
//! HTTP layer and the stores see only valid definitions.

use serde::{Deserialize, Serialize};

use crate::{CustomFieldId, FieldError, Timestamp};

/// The most custom fields one account may define.
pub const MAX_CUSTOM_FIELDS_PER_ACCOUNT: u32 = 100;
pub const MAX_LABEL_LEN: usize = 50;
pub const MAX_CHOICE_LABEL_LEN: usize = 255;
/// Choices allowed for drop-down selects (and selects with no display type).
pub const MAX_DROPDOWN_CHOICES: usize = 100;
/// Choices allowed for radio-button and checkbox selects.
pub const MAX_BUTTON_CHOICES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    String,
    Date,
    Number,
    Currency,
    SingleSelect,
    MultiSelect,
}

impl CustomFieldType {
    pub const ALL: [CustomFieldType; 6] = [
        Self::String,
        Self::Date,
        Self::Number,
        Self::Currency,
        Self::SingleSelect,
        Self::MultiSelect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Date => "date",
            Self::Number => "number",
            Self::Currency => "currency",
            Self::SingleSelect => "single_select",
            Self::MultiSelect => "multi_select",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    pub fn has_choices(self) -> bool {
        matches!(self, Self::SingleSelect | Self::MultiSelect)
    }

    fn is_numeric(self) -> bool {
        matches!(self, Self::Number | Self::Currency)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisplayType {
    Radio,
    Checkbox,
    Dropdown,
}

impl DisplayType {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "radio" => Some(Self::Radio),
            "checkbox" => Some(Self::Checkbox),
            "dropdown" => Some(Self::Dropdown),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Radio => "radio",
            Self::Checkbox => "checkbox",
            Self::Dropdown => "dropdown",
        }
    }
}

/// `metadata`: presentation settings whose meaning depends on the field's type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldMetadata {
    pub display_type: Option<DisplayType>,
    pub allow_negative: Option<bool>,
    pub decimal_places: Option<i64>,
    pub currency_code: Option<String>,
    pub integer: Option<bool>,
    pub display_format: Option<String>,
}

impl CustomFieldMetadata {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One option of a select field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFieldChoice {
    pub choice_id: i64,
    pub choice_label: String,
    pub display_order: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A stored custom field definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    pub id: CustomFieldId,
    pub label: String,
    /// Derived from the label; unique per account (case-insensitively).
    pub name: String,
    pub field_type: CustomFieldType,
    pub metadata: Option<CustomFieldMetadata>,
    pub version: Option<i64>,
    pub choices: Vec<CustomFieldChoice>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A choice as a request gives it; `choice_id` only in PUT bodies, naming an existing choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceInput {
    pub choice_id: Option<i64>,
    pub choice_label: String,
    pub display_order: Option<i64>,
}

/// The body of POST /contact_custom_fields after its shape was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFieldDraft {
    pub label: String,
    pub field_type: CustomFieldType,
    pub metadata: Option<CustomFieldMetadata>,
    pub version: Option<i64>,
    pub choices: Option<Vec<ChoiceInput>>,
}

/// The body of PUT /contact_custom_fields/{id}: only `label` and `choices` can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFieldReplacement {
    pub label: String,
    pub choices: Option<Vec<ChoiceInput>>,
}

/// `name` is the label with each blank replaced by an underscore.
pub fn name_from_label(label: &str) -> String {
    label.trim().replace(char::is_whitespace, "_")
}

fn check_label(label: &str, errors: &mut Vec<FieldError>) -> String {
    let label = label.trim();
    if label.is_empty() {
        errors.push(FieldError::new("label", "must not be blank"));
    }
    if label.chars().count() > MAX_LABEL_LEN {
        errors.push(FieldError::new(
            "label",
            format!("exceeds the maximum length of {MAX_LABEL_LEN} characters"),
        ));
    }
    label.to_string()
}

impl CustomField {
    /// Checks a draft against the spec's rules and builds the definition to store.
    pub fn create(draft: CustomFieldDraft, now: Timestamp) -> Result<CustomField, Vec<FieldError>> {
        let mut errors = Vec::new();
        let label = check_label(&draft.label, &mut errors);
        let metadata = draft.metadata.filter(|m| !m.is_empty());
        if let Some(metadata) = &metadata {
            check_metadata(draft.field_type, metadata, &mut errors);
        }
        let version = match (draft.field_type, draft.version) {
            (CustomFieldType::Date, None) => Some(2),
            (CustomFieldType::Date, Some(v @ (1 | 2))) => Some(v),
            (CustomFieldType::Date, Some(_)) => {
                errors.push(FieldError::new(
                    "version",
                    "must be 1 (legacy string dates) or 2 (real dates)",
                ));
                None
            }
            (_, None) => None,
            (_, Some(_)) => {
                errors.push(FieldError::new(
                    "version",
                    "is only allowed for date fields",
                ));
                None
            }
        };
        let display_type = metadata.as_ref().and_then(|m| m.display_type);
        let choices = check_choices(
            draft.field_type,
            display_type,
            draft.choices,
            &[],
            now,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CustomField {
            id: CustomFieldId::generate(),
            name: name_from_label(&label),
            label,
            field_type: draft.field_type,
            metadata,
            version,
            choices,
            created_at: now,
            updated_at: now,
        })
    }

    /// Applies a PUT: label and choices are replaced; the type, metadata and version stay.
    pub fn replace(
        &self,
        put: CustomFieldReplacement,
        now: Timestamp,
    ) -> Result<CustomField, Vec<FieldError>> {
        let mut errors = Vec::new();
        let label = check_label(&put.label, &mut errors);
        let display_type = self.metadata.as_ref().and_then(|m| m.display_type);
        let choices = check_choices(
            self.field_type,
            display_type,
            put.choices,
            &self.choices,
            now,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CustomField {
            name: name_from_label(&label),
            label,
            choices,
            updated_at: now,
            ..self.clone()
        })
    }
}

fn check_metadata(
    kind: CustomFieldType,
    metadata: &CustomFieldMetadata,
    errors: &mut Vec<FieldError>,
) {
    let not_for = |property: &str, types: &str| {
        FieldError::new(
            format!("metadata.{property}"),
            format!("applies only to {types} fields"),
        )
    };
    if metadata.display_type.is_some() && !kind.has_choices() {
        errors.push(not_for("display_type", "single_select and multi_select"));
    }
    if metadata.display_format.is_some() && kind != CustomFieldType::Date {
        errors.push(not_for("display_format", "date"));
    }
    if metadata.currency_code.is_some() && kind != CustomFieldType::Currency {
        errors.push(not_for("currency_code", "currency"));
    }
    for (property, present) in [
        ("allow_negative", metadata.allow_negative.is_some()),
        ("decimal_places", metadata.decimal_places.is_some()),
        ("integer", metadata.integer.is_some()),
    ] {
        if present && !kind.is_numeric() {
            errors.push(not_for(property, "number and currency"));
        }
    }
    if let Some(code) = &metadata.currency_code {
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            errors.push(FieldError::new(
                "metadata.currency_code",
                "must be a three-letter ISO 4217 code such as USD",
            ));
        }
    }
    if let Some(places) = metadata.decimal_places {
        if !(0..=4).contains(&places) {
            errors.push(FieldError::new(
                "metadata.decimal_places",
                "must be between 0 and 4",
            ));
        }
    }
    if metadata.integer == Some(false) && !matches!(metadata.decimal_places, Some(1..=4)) {
        errors.push(FieldError::new(
            "metadata.decimal_places",
            "must be between 1 and 4 when integer is false",
        ));
    }
    if let Some(format) = &metadata.display_format {
        let known = [
            "YYYY-MM-DD",
            "MM/DD/YYYY",
            "DD/MM/YYYY",
            "YYYY/MM/DD",
            "MM-DD-YYYY",
            "DD-MM-YYYY",
        ];
        if !known.contains(&format.as_str()) {
            errors.push(FieldError::new(
                "metadata.display_format",
                format!("must be one of {}", known.join(", ")),
            ));
        }
    }
}

/// Validates the requested choices and assigns ids: a PUT keeps the id (and creation time) of
/// each choice it names, numbers new ones after the highest id ever used, and drops the rest.
fn check_choices(
    kind: CustomFieldType,
    display_type: Option<DisplayType>,
    requested: Option<Vec<ChoiceInput>>,
    existing: &[CustomFieldChoice],
    now: Timestamp,
    errors: &mut Vec<FieldError>,
) -> Vec<CustomFieldChoice> {
    let requested = requested.unwrap_or_default();
    if !kind.has_choices() {
        if !requested.is_empty() {
            errors.push(FieldError::new(
                "choices",
                "are allowed only for single_select and multi_select fields",
            ));
        }
        return Vec::new();
    }
    if requested.is_empty() {
        errors.push(FieldError::new(
            "choices",
            "must hold at least one choice for a select field",
        ));
        return Vec::new();
    }
    let max = match display_type {
        Some(DisplayType::Radio | DisplayType::Checkbox) => MAX_BUTTON_CHOICES,
        Some(DisplayType::Dropdown) | None => MAX_DROPDOWN_CHOICES,
    };
    if requested.len() > max {
        errors.push(FieldError::new(
            "choices",
            format!("may hold at most {max} choices for this display type"),
        ));
    }
    let mut next_id = existing.iter().map(|c| c.choice_id).max().unwrap_or(0) + 1;
    let mut seen_labels = std::collections::HashSet::new();
    let mut seen_ids = std::collections::HashSet::new();
    let mut choices = Vec::with_capacity(requested.len());
    for (index, choice) in requested.into_iter().enumerate() {
        let field = |property: &str| format!("choices[{index}].{property}");
        let label = choice.choice_label.trim().to_string();
        if label.is_empty() {
            errors.push(FieldError::new(field("choice_label"), "must not be blank"));
        } else if label.chars().count() > MAX_CHOICE_LABEL_LEN {
            errors.push(FieldError::new(
                field("choice_label"),
                format!("exceeds the maximum length of {MAX_CHOICE_LABEL_LEN} characters"),
            ));
        } else if !seen_labels.insert(label.to_lowercase()) {
            errors.push(FieldError::new(
                field("choice_label"),
                "repeats another choice's label",
            ));
        }
        let display_order = choice.display_order.unwrap_or(index as i64 + 1);
        let (choice_id, created_at) = match choice.choice_id {
            Some(id) => match existing.iter().find(|c| c.choice_id == id) {
                Some(found) if seen_ids.insert(id) => (id, found.created_at),
                Some(_) => {
                    errors.push(FieldError::new(
                        field("choice_id"),
                        "names the same choice twice",
                    ));
                    continue;
                }
                None => {
                    errors.push(FieldError::new(
                        field("choice_id"),
                        format!("{id} is not a choice of this custom field"),
                    ));
                    continue;
                }
            },
            None => {
                let id = next_id;
                next_id += 1;
                (id, now)
            }
        };
        choices.push(CustomFieldChoice {
            choice_id,
            choice_label: label,
            display_order,
            created_at,
            updated_at: now,
        });
    }
    choices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: CustomFieldType) -> CustomFieldDraft {
        CustomFieldDraft {
            label: "Favorite fruit".into(),
            field_type: kind,
            metadata: None,
            version: None,
            choices: None,
        }
    }

    fn choice(label: &str) -> ChoiceInput {
        ChoiceInput {
            choice_id: None,
            choice_label: label.into(),
            display_order: None,
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn name_replaces_blanks_with_underscores() {
        let field = CustomField::create(draft(CustomFieldType::String), Timestamp::now()).unwrap();
        assert_eq!(field.name, "Favorite_fruit");
        assert_eq!(
            name_from_label(" Vehicle make and model year "),
            "Vehicle_make_and_model_year"
        );
    }

    #[test]
    fn date_fields_default_to_version_two() {
        let field = CustomField::create(draft(CustomFieldType::Date), Timestamp::now()).unwrap();
        assert_eq!(field.version, Some(2));
        let mut bad = draft(CustomFieldType::String);
        bad.version = Some(2);
        assert_eq!(
            fields(CustomField::create(bad, Timestamp::now()).unwrap_err()),
            ["version"]
        );
    }

    #[test]
    fn select_fields_need_choices_and_others_refuse_them() {
        assert_eq!(
            fields(
                CustomField::create(draft(CustomFieldType::SingleSelect), Timestamp::now())
                    .unwrap_err()
            ),
            ["choices"]
        );
        let mut with_choices = draft(CustomFieldType::String);
        with_choices.choices = Some(vec![choice("Apple")]);
        assert_eq!(
            fields(CustomField::create(with_choices, Timestamp::now()).unwrap_err()),
            ["choices"]
        );
    }

    #[test]
    fn radio_buttons_allow_twenty_choices() {
        let mut radio = draft(CustomFieldType::SingleSelect);
        radio.metadata = Some(CustomFieldMetadata {
            display_type: Some(DisplayType::Radio),
            ..Default::default()
        });
        radio.choices = Some((0..21).map(|n| choice(&format!("c{n}"))).collect());
        assert_eq!(
            fields(CustomField::create(radio.clone(), Timestamp::now()).unwrap_err()),
            ["choices"]
        );
        radio.choices = Some((0..20).map(|n| choice(&format!("c{n}"))).collect());
        let field = CustomField::create(radio, Timestamp::now()).unwrap();
        assert_eq!(
            field
                .choices
                .iter()
                .map(|c| c.choice_id)
                .collect::<Vec<_>>(),
            (1..=20).collect::<Vec<_>>()
        );
    }

    #[test]
    fn put_keeps_named_choices_and_numbers_new_ones_after_the_highest() {
        let mut select = draft(CustomFieldType::MultiSelect);
        select.choices = Some(vec![choice("A"), choice("B"), choice("C")]);
        let field = CustomField::create(select, Timestamp::from_millis(1)).unwrap();
        let put = CustomFieldReplacement {
            label: "Renamed label".into(),
            choices: Some(vec![
                ChoiceInput {
                    choice_id: Some(2),
                    choice_label: "B2".into(),
                    display_order: Some(5),
                },
                choice("D"),
            ]),
        };
        let updated = field.replace(put, Timestamp::from_millis(2)).unwrap();
        assert_eq!(updated.name, "Renamed_label");
        let ids: Vec<_> = updated
            .choices
            .iter()
            .map(|c| (c.choice_id, c.choice_label.as_str()))
            .collect();
        assert_eq!(ids, [(2, "B2"), (4, "D")]);
        assert_eq!(updated.choices[0].created_at, Timestamp::from_millis(1));
        let unknown = CustomFieldReplacement {
            label: "x".into(),
            choices: Some(vec![ChoiceInput {
                choice_id: Some(9),
                choice_label: "Z".into(),
                display_order: None,
            }]),
        };
        assert_eq!(
            fields(field.replace(unknown, Timestamp::now()).unwrap_err()),
            ["choices[0].choice_id"]
        );
    }

    #[test]
    fn metadata_must_fit_the_type() {
        let mut number = draft(CustomFieldType::Number);
        number.metadata = Some(CustomFieldMetadata {
            integer: Some(false),
            ..Default::default()
        });
        assert_eq!(
            fields(CustomField::create(number.clone(), Timestamp::now()).unwrap_err()),
            ["metadata.decimal_places"]
        );
        number.metadata = Some(CustomFieldMetadata {
            integer: Some(false),
            decimal_places: Some(2),
            ..Default::default()
        });
        assert!(CustomField::create(number, Timestamp::now()).is_ok());
        let mut text = draft(CustomFieldType::String);
        text.metadata = Some(CustomFieldMetadata {
            currency_code: Some("usd".into()),
            ..Default::default()
        });
        assert_eq!(
            fields(CustomField::create(text, Timestamp::now()).unwrap_err()),
            ["metadata.currency_code", "metadata.currency_code"]
        );
    }

    #[test]
    fn labels_are_limited_to_fifty_characters() {
        let mut long = draft(CustomFieldType::String);
        long.label = "x".repeat(51);
        assert_eq!(
            fields(CustomField::create(long, Timestamp::now()).unwrap_err()),
            ["label"]
        );
        let mut blank = draft(CustomFieldType::String);
        blank.label = "   ".into();
        assert_eq!(
            fields(CustomField::create(blank, Timestamp::now()).unwrap_err()),
            ["label"]
        );
    }
}
