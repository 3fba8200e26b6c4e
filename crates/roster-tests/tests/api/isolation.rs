//! Account isolation: account B's token on account A's ids answers exactly as for a nonexistent
//! id, and no collection shows another account's rows. The matrix lists every routed operation
//! that takes an id; a new one belongs here.

use reqwest::Method;
use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

on_both_engines!(
    another_accounts_ids_answer_404,
    collections_show_only_own_rows
);

/// (method, path with an id placeholder, body) for every routed operation that takes an id.
fn id_routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/v3/contact_custom_fields/{id}", None),
        (
            Method::PUT,
            "/v3/contact_custom_fields/{id}",
            Some(json!({"label": "Taken over"})),
        ),
        (Method::DELETE, "/v3/contact_custom_fields/{id}", None),
        (Method::GET, "/v3/contacts/{contact}", None),
        (
            Method::PUT,
            "/v3/contacts/{contact}",
            Some(
                json!({"email_address": {"address": "taken@example.com"}, "update_source": "Account"}),
            ),
        ),
        (Method::DELETE, "/v3/contacts/{contact}", None),
        (
            Method::GET,
            "/v3/contacts/sms_engagement_history/{contact}",
            None,
        ),
        (Method::GET, "/v3/contact_lists/{list}", None),
        (
            Method::PUT,
            "/v3/contact_lists/{list}",
            Some(json!({"name": "Taken over"})),
        ),
        (Method::GET, "/v3/contact_tags/{tag}", None),
        (
            Method::PUT,
            "/v3/contact_tags/{tag}",
            Some(json!({"name": "Taken over"})),
        ),
        (Method::DELETE, "/v3/contact_lists/{list}", None),
        (Method::DELETE, "/v3/contact_tags/{tag}", None),
        (Method::GET, "/v3/segments/{segment}", None),
        (
            Method::PUT,
            "/v3/segments/{segment}",
            Some(json!({"name": "Taken over", "segment_criteria": TRACKING})),
        ),
        (
            Method::PATCH,
            "/v3/segments/{segment}/name",
            Some(json!({"name": "Taken over"})),
        ),
        (Method::DELETE, "/v3/segments/{segment}", None),
        (Method::GET, "/v3/activities/{activity}", None),
        (Method::GET, "/v3/contact_exports/{activity}", None),
    ]
}

const TRACKING: &str = r#"{"version":"1.0.0","criteria":{"type":"and","group":[{"source":"tracking","field":"not_opened","op":"contains-any","const_value":"last-n-campaigns","param":"5"}]}}"#;

/// One row of each kind that paths take an id of, owned by account A: (placeholder, id).
async fn account_a_rows(app: &TestApp) -> Vec<(&'static str, String)> {
    let id_of = |body: Value, key: &str| body[key].as_str().unwrap().to_string();
    let contact = app
        .create(
            "/v3/contacts",
            json!({"email_address": {"address": "a-only@example.com"}, "create_source": "Account"}),
        )
        .await;
    let list = app
        .create("/v3/contact_lists", json!({"name": "A only"}))
        .await;
    let tag = app
        .create("/v3/contact_tags", json!({"name": "A only"}))
        .await;
    let segment = app
        .create(
            "/v3/segments",
            json!({"name": "A only", "segment_criteria": TRACKING}),
        )
        .await;
    let export = app
        .create("/v3/activities/contact_exports", json!({}))
        .await;
    app.drain_activities().await;
    vec![
        ("{id}", a_custom_field(app).await),
        ("{contact}", id_of(contact, "contact_id")),
        ("{list}", id_of(list, "list_id")),
        ("{tag}", id_of(tag, "tag_id")),
        ("{segment}", segment["segment_id"].to_string()),
        ("{activity}", id_of(export, "activity_id")),
    ]
}

async fn a_custom_field(app: &TestApp) -> String {
    app.create_string_field("Account A only").await["custom_field_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn another_accounts_ids_answer_404(app: TestApp) {
    let rows = account_a_rows(&app).await;
    let id = rows[0].1.clone();
    let intruder = app.create_account("intruder@example.com").await;
    let unknown_uuid = uuid::Uuid::now_v7().to_string();
    let unknown_segment = "999999999".to_string();
    for (method, path, body) in id_routes() {
        let (placeholder, owned) = rows
            .iter()
            .find(|(p, _)| path.contains(p))
            .expect("a row for every placeholder");
        let mut answers = Vec::new();
        let unknown = if *placeholder == "{segment}" {
            &unknown_segment
        } else {
            &unknown_uuid
        };
        for target in [owned, unknown] {
            let mut request = app
                .request(method.clone(), &path.replace(placeholder, target))
                .token(&intruder.token);
            if let Some(body) = &body {
                request = request.json(body.clone());
            }
            let response = request.send().await;
            // Messages may name the id asked for; everything else must be identical.
            let body = String::from_utf8_lossy(&response.body).replace(target.as_str(), "{id}");
            answers.push((response.status, body));
        }
        assert_eq!(answers[0].0, 404, "{method} {path}");
        assert_eq!(
            answers[0], answers[1],
            "{method} {path}: another account's id differs from a missing one"
        );
    }
    // Account A's field is untouched.
    let field = app
        .get_json(&format!("/v3/contact_custom_fields/{id}"))
        .await;
    assert_eq!(field["label"], "Account A only");
}

async fn collections_show_only_own_rows(app: TestApp) {
    account_a_rows(&app).await;
    let intruder = app.create_account("intruder@example.com").await;
    for path in [
        "/v3/contact_custom_fields",
        "/v3/contacts",
        "/v3/contact_lists",
        "/v3/contact_tags",
        "/v3/segments",
        "/v3/activities",
    ] {
        let body = app.get(path).token(&intruder.token).expect_json(200).await;
        let (_, rows) = body.as_object().unwrap().iter().next().unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 0, "{path}: {body}");
        let own = app.get_json(path).await;
        let (_, rows) = own.as_object().unwrap().iter().next().unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 1, "{path}");
    }
}
