//! `FieldError`: one problem with a request, tied to the property it concerns. Every rule of
//! the domain reports its problems as a list of these, all at once, and the HTTP layer answers
//! them as the V3 error array.

/// One problem with a request, tied to the property it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The property's path in the request, e.g. `choices[2].choice_label`.
    pub field: String,
    /// Completes a sentence that starts with the field, e.g. "is required".
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}.", self.field, self.message)
    }
}
