//! The fixtures the HTTP tests share: the requests nearly every test makes (read a resource,
//! create one, replace one) with the status the document promises asserted, the resources most
//! tests set up first (lists, tags, contacts, custom fields), and the V3 error assertion.
//! Each helper asserts at least what the requests it replaces asserted: the response is checked
//! against the official document by `send`, then its status.

use serde_json::{json, Value};

use crate::{TestApp, TestRequest, TestResponse};

impl TestApp {
    /// GET `path` as the owner, expecting 200: the JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).expect_json(200).await
    }

    /// POST `body` to `path` as the owner, expecting 201 (a created resource or a started
    /// activity): the JSON body.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        self.post(path, body).expect_json(201).await
    }

    /// PUT `body` to `path` as the owner, expecting 200: the JSON body.
    pub async fn put_json(&self, path: &str, body: Value) -> Value {
        self.put(path, body).expect_json(200).await
    }

    /// Creates a contact list named `name`; its id.
    pub async fn create_list(&self, name: &str) -> String {
        let list = self
            .create("/v3/contact_lists", json!({"name": name}))
            .await;
        id(&list, "list_id")
    }

    /// Creates a tag named `name`; its id.
    pub async fn create_tag(&self, name: &str) -> String {
        let tag = self.create("/v3/contact_tags", json!({"name": name})).await;
        id(&tag, "tag_id")
    }

    /// POSTs a contact (create_source Account unless the body has one); its resource.
    pub async fn create_contact(&self, mut body: Value) -> Value {
        if body.get("create_source").is_none() {
            body["create_source"] = json!("Account");
        }
        self.create("/v3/contacts", body).await
    }

    /// A list's `membership_count` as GET /contact_lists/{list_id} answers it with
    /// `include_membership_count=which` (`all` or `active`).
    pub async fn membership_count(&self, list: &str, which: &str) -> i64 {
        let path = format!("/v3/contact_lists/{list}?include_membership_count={which}");
        self.count_at(&path, "membership_count").await
    }

    /// A tag's `contacts_count` as GET /contact_tags/{tag_id}?include_count=true answers it.
    pub async fn tag_contacts_count(&self, tag: &str) -> i64 {
        let path = format!("/v3/contact_tags/{tag}?include_count=true");
        self.count_at(&path, "contacts_count").await
    }

    /// The integer `property` of the resource GET `path` answers.
    async fn count_at(&self, path: &str, property: &str) -> i64 {
        let resource = self.get_json(path).await;
        resource[property]
            .as_i64()
            .unwrap_or_else(|| panic!("no {property} in {resource}"))
    }

    /// Creates a custom field of type string labelled `label`; its resource.
    pub async fn create_string_field(&self, label: &str) -> Value {
        self.create(
            "/v3/contact_custom_fields",
            json!({"label": label, "type": "string"}),
        )
        .await
    }

    /// Runs `statement` on the test's database directly: for states no operation can reach
    /// yet or would take too long to reach (an expired code, a full quota, a sending campaign).
    pub async fn execute_sql(&self, statement: &str) {
        match self.engine {
            crate::Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database_url)
                    .await
                    .expect("the test database opens");
                sqlx::query(statement)
                    .execute(&pool)
                    .await
                    .expect("the statement runs");
                pool.close().await;
            }
            crate::Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database_url)
                    .await
                    .expect("the test database opens");
                sqlx::query(statement)
                    .execute(&pool)
                    .await
                    .expect("the statement runs");
                pool.close().await;
            }
        }
    }
}

/// A V3 error array with one entry.
pub fn v3_error(key: &str, message: &str) -> Value {
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

/// The string `key` of a resource (an id), panicking with the resource when it is absent.
pub fn id(resource: &Value, key: &str) -> String {
    resource[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {resource}"))
        .to_string()
}

impl TestResponse {
    /// Asserts the whole answer: `status`, exactly `body` as JSON, and the JSON content type
    /// (error bodies are compared whole, so a test pins the V3 error array it expects). `what`
    /// names the case in the failure message, for tests that loop over cases.
    pub fn assert_answer(&self, status: u16, body: &Value, what: &str) {
        assert_eq!(
            self.status,
            status,
            "{what}: unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(&self.json(), body, "{what}: unexpected body");
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json"),
            "{what}: errors are JSON"
        );
    }
}

impl TestRequest<'_> {
    /// Sends and asserts a 400 whose V3 error array is exactly one validation entry per
    /// message, in order.
    pub async fn refused(self, messages: &[&str], what: &str) -> TestResponse {
        self.answers(400, &invalid(messages), what).await
    }

    /// Sends (checked against the document), asserts `status`, and returns the JSON body.
    pub async fn expect_json(self, status: u16) -> Value {
        self.send().await.expect(status).json()
    }

    /// Sends (checked against the document) and asserts the answer as
    /// [`TestResponse::assert_answer`] does.
    pub async fn answers(self, status: u16, body: &Value, what: &str) -> TestResponse {
        let response = self.send().await;
        response.assert_answer(status, body, what);
        response
    }
}
