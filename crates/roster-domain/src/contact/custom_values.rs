//! A contact's custom-field values: checked against the account's definitions (type, number
//! format, dates, select choices) and normalised.

use serde::{Deserialize, Serialize};

use crate::custom_field::{CustomField, CustomFieldType};
use crate::time::parse_loose_date;
use crate::{CustomFieldId, FieldError};

/// A contact's value for one custom field. For select fields `choice_ids` names the chosen
/// choices and `value` holds their labels (comma-separated for multi-select).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomValue {
    pub custom_field_id: CustomFieldId,
    pub value: String,
    pub choice_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomValueInput {
    pub custom_field_id: CustomFieldId,
    pub value: Option<String>,
    pub choice_ids: Option<Vec<i64>>,
}

/// What the rules need from the account: its custom-field definitions.
pub struct AccountContext<'a> {
    pub custom_fields: &'a [CustomField],
}

/// Checks custom-field values against the account's definitions and normalises them.
pub fn check_custom_values(
    inputs: &[CustomValueInput],
    context: &AccountContext<'_>,
    field_name: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<CustomValue> {
    let mut values: Vec<CustomValue> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let path = |property: &str| format!("{field_name}[{index}].{property}");
        let Some(definition) = context
            .custom_fields
            .iter()
            .find(|f| f.id == input.custom_field_id)
        else {
            errors.push(FieldError::new(
                path("custom_field_id"),
                format!(
                    "{} is not a custom field of this account",
                    input.custom_field_id
                ),
            ));
            continue;
        };
        if values
            .iter()
            .any(|v| v.custom_field_id == input.custom_field_id)
        {
            errors.push(FieldError::new(
                path("custom_field_id"),
                "repeats a custom field given earlier",
            ));
            continue;
        }
        match normalise_value(definition, input) {
            Ok(value) => values.push(value),
            Err(message) => errors.push(FieldError::new(path("value"), message)),
        }
    }
    values
}

fn normalise_value(
    definition: &CustomField,
    input: &CustomValueInput,
) -> Result<CustomValue, String> {
    let raw = input.value.clone().unwrap_or_default();
    let plain = |value: String| CustomValue {
        custom_field_id: definition.id,
        value,
        choice_ids: Vec::new(),
    };
    match definition.field_type {
        CustomFieldType::String => Ok(plain(raw)),
        CustomFieldType::Number | CustomFieldType::Currency => {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                return Ok(plain(String::new()));
            }
            let number: f64 = trimmed
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| {
                    format!(
                        "must be a number for the {} field {}",
                        definition.field_type.as_str(),
                        definition.name
                    )
                })?;
            let metadata = definition.metadata.clone().unwrap_or_default();
            if number < 0.0 && metadata.allow_negative != Some(true) {
                return Err(format!(
                    "must not be negative for the field {}",
                    definition.name
                ));
            }
            let decimals = trimmed
                .split_once('.')
                .map(|(_, d)| d.len() as i64)
                .unwrap_or(0);
            let allowed = if metadata.integer == Some(true) {
                0
            } else {
                metadata.decimal_places.unwrap_or(4)
            };
            if decimals > allowed {
                return Err(format!(
                    "may have at most {allowed} decimal places for the field {}",
                    definition.name
                ));
            }
            Ok(plain(trimmed.to_string()))
        }
        CustomFieldType::Date => {
            if definition.version == Some(1) || raw.trim().is_empty() {
                return Ok(plain(raw));
            }
            parse_loose_date(&raw).map(plain).ok_or_else(|| {
                format!(
                    "must be a real date (such as 2024-05-31) for the date field {}",
                    definition.name
                )
            })
        }
        CustomFieldType::SingleSelect | CustomFieldType::MultiSelect => {
            let chosen: Vec<&crate::custom_field::CustomFieldChoice> = match &input.choice_ids {
                Some(ids) if !ids.is_empty() => ids
                    .iter()
                    .map(|id| {
                        definition
                            .choices
                            .iter()
                            .find(|c| c.choice_id == *id)
                            .ok_or_else(|| {
                                format!(
                                    "choice_id {id} is not a choice of the field {}",
                                    definition.name
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    let labels: Vec<&str> = if definition.field_type == CustomFieldType::MultiSelect
                    {
                        raw.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .collect()
                    } else {
                        Some(raw.trim())
                            .filter(|s| !s.is_empty())
                            .into_iter()
                            .collect()
                    };
                    labels
                        .iter()
                        .map(|label| {
                            definition
                                .choices
                                .iter()
                                .find(|c| c.choice_label.eq_ignore_ascii_case(label))
                                .ok_or_else(|| {
                                    format!(
                                        "\"{label}\" is not a choice of the field {}",
                                        definition.name
                                    )
                                })
                        })
                        .collect::<Result<_, _>>()?
                }
            };
            if definition.field_type == CustomFieldType::SingleSelect && chosen.len() > 1 {
                return Err(format!(
                    "may name only one choice for the single_select field {}",
                    definition.name
                ));
            }
            Ok(CustomValue {
                custom_field_id: definition.id,
                value: chosen
                    .iter()
                    .map(|c| c.choice_label.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                choice_ids: chosen.iter().map(|c| c.choice_id).collect(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::fixtures::fields;
    use crate::Timestamp;

    /// A value sent as text for the field `id`.
    fn sent(id: CustomFieldId, value: &str) -> CustomValueInput {
        CustomValueInput {
            custom_field_id: id,
            value: Some(value.into()),
            choice_ids: None,
        }
    }

    #[test]
    fn custom_values_are_checked_against_definitions() {
        use crate::custom_field::{ChoiceInput, CustomFieldDraft};
        let now = Timestamp::now();
        let number = CustomField::create(
            CustomFieldDraft {
                label: "Size".into(),
                field_type: CustomFieldType::Number,
                metadata: None,
                version: None,
                choices: None,
            },
            now,
        )
        .unwrap();
        let select = CustomField::create(
            CustomFieldDraft {
                label: "Fruit".into(),
                field_type: CustomFieldType::MultiSelect,
                metadata: None,
                version: None,
                choices: Some(vec![
                    ChoiceInput {
                        choice_id: None,
                        choice_label: "Apple".into(),
                        display_order: None,
                    },
                    ChoiceInput {
                        choice_id: None,
                        choice_label: "Pear".into(),
                        display_order: None,
                    },
                ]),
            },
            now,
        )
        .unwrap();
        let definitions = [number.clone(), select.clone()];
        let context = AccountContext {
            custom_fields: &definitions,
        };
        let mut errors = Vec::new();
        let values = check_custom_values(
            &[sent(number.id, "12"), sent(select.id, "pear, apple")],
            &context,
            "custom_fields",
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(values[1].value, "Pear,Apple");
        assert_eq!(values[1].choice_ids, vec![2, 1]);
        let bad = check_custom_values(
            &[
                sent(number.id, "-3"),
                sent(select.id, "Plum"),
                sent(CustomFieldId::generate(), "x"),
            ],
            &context,
            "custom_fields",
            &mut errors,
        );
        assert!(bad.is_empty());
        assert_eq!(
            fields(errors),
            [
                "custom_fields[0].value",
                "custom_fields[1].value",
                "custom_fields[2].custom_field_id"
            ]
        );
    }
}
