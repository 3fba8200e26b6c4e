//! Contact Tags: create, read, rename, unique names, tag_source, contacts_count and the
//! collection's include_count, limit and pagination.

use roster_tests::{on_both_engines, TestApp};
use serde_json::json;

use crate::contact_support::{id, ids_in, walk};
use crate::support::{assert_still_healthy, conflict, unknown_resource};

on_both_engines!(
    create_read_and_rename_a_tag,
    tag_names_are_unique_regardless_of_case,
    tag_counts_and_collection_parameters,
    tag_bodies_are_checked,
);

fn tag_path(id: &str) -> String {
    format!("/v3/contact_tags/{id}")
}

async fn create_read_and_rename_a_tag(app: TestApp) {
    let created = app
        .create(
            "/v3/contact_tags",
            json!({"name": " VIP ", "tag_source": "Shopify"}),
        )
        .await;
    assert_eq!(created["name"], "VIP");
    assert_eq!(created["tag_source"], "Shopify");
    assert_eq!(created["contacts_count"], 0);
    let tag = id(&created, "tag_id");
    let read = app.get_json(&tag_path(&tag)).await;
    assert_eq!(read["name"], "VIP");
    assert_eq!(read["tag_source"], "Shopify");
    assert!(read.get("contacts_count").is_none());
    let renamed = app
        .put_json(
            &tag_path(&tag),
            json!({"name": "Very Important", "tag_source": "ignored"}),
        )
        .await;
    assert_eq!(renamed["name"], "Very Important");
    // tag_source cannot change.
    assert_eq!(renamed["tag_source"], "Shopify");
    assert_eq!(renamed["created_at"], created["created_at"]);
    let read = app.get_json(&tag_path(&tag)).await;
    assert_eq!(read["name"], "Very Important");
    let plain = app
        .create("/v3/contact_tags", json!({"name": "Plain"}))
        .await;
    assert!(plain.get("tag_source").is_none());
    let missing = uuid::Uuid::new_v4().to_string();
    let not_found = unknown_resource("tag", &missing);
    app.get(&tag_path(&missing))
        .answers(404, &not_found, "GET unknown tag")
        .await;
    app.put(&tag_path(&missing), json!({"name": "x"}))
        .answers(404, &not_found, "PUT unknown tag")
        .await;
}

async fn tag_names_are_unique_regardless_of_case(app: TestApp) {
    app.create_tag("Gold").await;
    app.post("/v3/contact_tags", json!({"name": "GOLD"}))
        .answers(
            409,
            &conflict("A tag named \"GOLD\" already exists."),
            "duplicate",
        )
        .await;
    let silver = app.create_tag("Silver").await;
    app.put(&tag_path(&silver), json!({"name": "gold"}))
        .answers(
            409,
            &conflict("A tag named \"gold\" already exists."),
            "rename onto another tag",
        )
        .await;
    assert_eq!(app.get_json(&tag_path(&silver)).await["name"], "Silver");
    // Renaming a tag to its own name in another case is fine.
    app.put(&tag_path(&silver), json!({"name": "SILVER"}))
        .send()
        .await
        .expect(200);
}

async fn tag_counts_and_collection_parameters(app: TestApp) {
    let mut tags = Vec::new();
    for name in ["A", "B", "C", "D"] {
        tags.push(app.create_tag(name).await);
    }
    for n in 0..3 {
        app.create_contact(
            json!({"email_address": {"address": format!("t{n}@example.com"), "permission_to_send": if n == 2 { "unsubscribed" } else { "explicit" }},
                   "taggings": tags[..=n].to_vec()}),
        )
        .await;
    }
    let page = app.get_json("/v3/contact_tags?include_count=true").await;
    assert_eq!(ids_in(&page, "tags", "tag_id"), tags);
    let counts: Vec<i64> = page["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["contacts_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [3, 2, 1, 0]);
    let plain = app.get_json("/v3/contact_tags").await;
    assert!(plain["tags"][0].get("contacts_count").is_none());
    let one = app
        .get_json(&format!("{}?include_count=true", tag_path(&tags[1])))
        .await;
    assert_eq!(one["contacts_count"], 2);
    let (all, pages) = walk(&app, "/v3/contact_tags?limit=3&include_count=true", "tags").await;
    assert_eq!(pages, 2);
    assert_eq!(
        all.iter().map(|t| id(t, "tag_id")).collect::<Vec<_>>(),
        tags
    );
    assert!(all.iter().all(|t| t.get("contacts_count").is_some()));
    let page = app.get_json("/v3/contact_tags?limit=500").await;
    assert_eq!(page["tags"].as_array().unwrap().len(), 4);
    for query in ["limit=0", "limit=501"] {
        app.get(&format!("/v3/contact_tags?{query}"))
            .refused(&["limit must be a whole number from 1 to 500."], query)
            .await;
    }
}

async fn tag_bodies_are_checked(app: TestApp) {
    let tag = app.create_tag("Valid").await;
    for (body, message) in [
        (json!({}), "name is required."),
        (json!({"name": ""}), "name must not be blank."),
        (
            json!({"name": "n".repeat(256)}),
            "name exceeds the maximum length of 255 characters.",
        ),
    ] {
        app.post("/v3/contact_tags", body.clone())
            .refused(&[message], &format!("POST {body}"))
            .await;
        app.put(&tag_path(&tag), body.clone())
            .refused(&[message], &format!("PUT {body}"))
            .await;
    }
    app.post(
        "/v3/contact_tags",
        json!({"name": "ok", "tag_source": "s".repeat(256)}),
    )
    .refused(
        &["tag_source exceeds the maximum length of 255 characters."],
        "long tag_source",
    )
    .await;
    assert_still_healthy(&app).await;
}
