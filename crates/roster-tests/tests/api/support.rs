//! What the test modules share: the exact V3 error bodies, custom-field set-up, and the health
//! check that closes every bad-input test (no input may leave the server unable to answer).

use roster_tests::{TestApp, TestResponse};
use serde_json::{json, Value};

pub const COLLECTION: &str = "/v3/contact_custom_fields";

/// The one-object body every 401 carries.
pub fn unauthorized() -> Value {
    json!({"error_key": "unauthorized", "error_message": "Unauthorized"})
}

/// A V3 error array with one entry.
pub fn error(key: &str, message: &str) -> Value {
    json!([{"error_key": key, "error_message": message}])
}

/// A 400 body with one validation entry per message, in order.
pub fn invalid(messages: &[&str]) -> Value {
    Value::Array(
        messages
            .iter()
            .map(|m| json!({"error_key": "contacts.api.validation.error", "error_message": m}))
            .collect(),
    )
}

pub fn not_found(id: &str) -> Value {
    error(
        "contacts.api.not_found",
        &format!("The custom field {id} was not found."),
    )
}

/// Asserts status and exact JSON body; `what` names the case in the failure message.
pub fn assert_answer(response: &TestResponse, status: u16, body: &Value, what: &str) {
    assert_eq!(
        response.status,
        status,
        "{what}: unexpected status; body: {}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(&response.json(), body, "{what}: unexpected body");
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/json"),
        "{what}: errors are JSON"
    );
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

/// Creates a string custom field and returns its resource.
pub async fn create_field(app: &TestApp, label: &str) -> Value {
    app.post(COLLECTION, json!({"label": label, "type": "string"}))
        .send()
        .await
        .expect(201)
        .json()
}

/// Creates string fields `<prefix> 0` … and returns their ids in creation order.
pub async fn create_fields(app: &TestApp, prefix: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let field = create_field(app, &format!("{prefix} {n}")).await;
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
