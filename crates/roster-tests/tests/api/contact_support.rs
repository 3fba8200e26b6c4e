//! What the contact, list and tag tests share beyond the harness's fixtures: contacts with a
//! permission, reading ids, and walking a collection through `_links.next.href`.

pub use roster_tests::id;
use roster_tests::TestApp;
use serde_json::{json, Value};

/// Every value of `permission_to_send`.
pub const PERMISSIONS: [&str; 6] = [
    "explicit",
    "implicit",
    "not_set",
    "pending_confirmation",
    "temp_hold",
    "unsubscribed",
];

/// A contact with just an address and a permission; returns its id.
pub async fn contact_with(app: &TestApp, address: &str, permission: &str) -> String {
    let contact = app
        .create_contact(
            json!({"email_address": {"address": address, "permission_to_send": permission}}),
        )
        .await;
    id(&contact, "contact_id")
}

/// The values of `key` in each item of `collection[array]`.
pub fn ids_in(page: &Value, array: &str, key: &str) -> Vec<String> {
    page[array]
        .as_array()
        .unwrap_or_else(|| panic!("no {array} array in {page}"))
        .iter()
        .map(|item| id(item, key))
        .collect()
}

/// Every item of a collection, following `_links.next.href` from `path`; also returns how many
/// pages it took.
pub async fn walk(app: &TestApp, path: &str, array: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut next = Some(path.to_string());
    let mut pages = 0;
    while let Some(href) = next {
        let page = app.get_json(&href).await;
        pages += 1;
        assert!(pages < 10_000, "pagination does not end");
        items.extend(page[array].as_array().expect("a collection array").clone());
        next = page["_links"]["next"]["href"].as_str().map(String::from);
        if let Some(href) = &next {
            assert!(href.starts_with("/v3/"), "{href}");
        }
    }
    (items, pages)
}

/// The sorted contact ids a GET /contacts query answers (all pages).
pub async fn contact_ids(app: &TestApp, query: &str) -> Vec<String> {
    let separator = if query.is_empty() { "" } else { "?" };
    let (items, _) = walk(app, &format!("/v3/contacts{separator}{query}"), "contacts").await;
    let mut ids: Vec<String> = items.iter().map(|c| id(c, "contact_id")).collect();
    ids.sort();
    ids
}

pub fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// `contacts_count` of GET /contacts?`query`&include_count=true.
pub async fn contacts_count(app: &TestApp, query: &str) -> i64 {
    let page = app
        .get_json(&format!("/v3/contacts?{query}&include_count=true&limit=1"))
        .await;
    page["contacts_count"]
        .as_i64()
        .unwrap_or_else(|| panic!("no contacts_count for {query}: {page}"))
}

/// The lists collection with each list's membership count: (counting all members, counting
/// active ones).
pub async fn lists_with_counts(app: &TestApp) -> (Value, Value) {
    let all = app
        .get_json("/v3/contact_lists?include_membership_count=all")
        .await;
    let active = app
        .get_json("/v3/contact_lists?include_membership_count=active")
        .await;
    (all, active)
}

/// The `membership_count` of `list` on a page of the lists collection.
pub fn membership_count_in(page: &Value, list: &str) -> i64 {
    page["lists"]
        .as_array()
        .unwrap_or_else(|| panic!("no lists array in {page}"))
        .iter()
        .find(|l| l["list_id"] == list)
        .unwrap_or_else(|| panic!("list {list} is not in {page}"))["membership_count"]
        .as_i64()
        .expect("a membership_count")
}
