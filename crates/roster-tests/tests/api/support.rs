//! What the test modules share: the exact V3 error bodies, custom-field set-up, and the health
//! check that closes every bad-input test (no input may leave the server unable to answer).

pub use roster_tests::{invalid, v3_error};
use roster_tests::{TestApp, TestResponse};
use serde_json::{json, Value};

pub const COLLECTION: &str = "/v3/contact_custom_fields";

/// The one-object body every 401 carries.
pub fn unauthorized() -> Value {
    json!({"error_key": "unauthorized", "error_message": "Unauthorized"})
}

/// The 409 body of a request that conflicts with what is stored (a name or address in use).
pub fn conflict(message: &str) -> Value {
    v3_error("contacts.api.conflict", message)
}

/// The 404 body naming the resource that was not found: `unknown_resource("contact list", id)`.
pub fn unknown_resource(what: &str, id: &str) -> Value {
    v3_error(
        "contacts.api.not_found",
        &format!("The {what} {id} was not found."),
    )
}

pub fn not_found(id: &str) -> Value {
    unknown_resource("custom field", id)
}

/// Asserts that no error message leaks serde's own wording.
pub fn assert_plain_words(response: &TestResponse) {
    for message in response.error_messages() {
        assert!(
            !message.contains("invalid type:") && !message.contains("expected"),
            "serde's raw text leaked: {message}"
        );
    }
}

pub fn field_path(id: &str) -> String {
    format!("{COLLECTION}/{id}")
}

/// Creates string fields `<prefix> 0` … and returns their ids in creation order.
pub async fn create_fields(app: &TestApp, prefix: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let field = app.create_string_field(&format!("{prefix} {n}")).await;
        ids.push(id_of(&field));
    }
    ids
}

pub fn id_of(field: &Value) -> String {
    field["custom_field_id"]
        .as_str()
        .expect("a custom_field_id")
        .to_string()
}

/// The ids of a custom-field collection page, in order.
pub fn ids_on_page(page: &Value) -> Vec<String> {
    page["custom_fields"]
        .as_array()
        .expect("a custom_fields array")
        .iter()
        .map(id_of)
        .collect()
}

/// The server still answers after whatever the test sent it.
pub async fn assert_still_healthy(app: &TestApp) {
    let response = app.get("/healthz").anonymous().send_unchecked().await;
    assert_eq!(
        response.status, 200,
        "the server stopped answering /healthz"
    );
    assert_eq!(response.json(), json!({"status": "ok"}));
}

/// Fills a path template of the document with a value no resource has: a UUID, or a number
/// for segments.
pub fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{segment_id}" => "987654321",
            _ if segment.starts_with('{') => "0195c3e4-0000-7000-8000-000000000000",
            _ => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}
