//! Contact Tags: create, read, rename, unique names, tag_source, contacts_count and the
//! collection's include_count, limit and pagination.

use roster_tests::{on_both_engines, TestApp};
use serde_json::json;

use crate::contact_support::{create_contact, create_tag, get_json, id, ids_in, walk};
use crate::support::{assert_answer, assert_still_healthy, error, invalid};

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
        .post(
            "/v3/contact_tags",
            json!({"name": " VIP ", "tag_source": "Shopify"}),
        )
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(created["name"], "VIP");
    assert_eq!(created["tag_source"], "Shopify");
    assert_eq!(created["contacts_count"], 0);
    let tag = id(&created, "tag_id");
    let read = get_json(&app, &tag_path(&tag)).await;
    assert_eq!(read["name"], "VIP");
    assert_eq!(read["tag_source"], "Shopify");
    assert!(read.get("contacts_count").is_none());
    let renamed = app
        .put(
            &tag_path(&tag),
            json!({"name": "Very Important", "tag_source": "ignored"}),
        )
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(renamed["name"], "Very Important");
    // tag_source cannot change.
    assert_eq!(renamed["tag_source"], "Shopify");
    assert_eq!(renamed["created_at"], created["created_at"]);
    let read = get_json(&app, &tag_path(&tag)).await;
    assert_eq!(read["name"], "Very Important");
    let plain = app
        .post("/v3/contact_tags", json!({"name": "Plain"}))
        .send()
        .await
        .expect(201)
        .json();
    assert!(plain.get("tag_source").is_none());
    let missing = uuid::Uuid::new_v4().to_string();
    let not_found = error(
        "contacts.api.not_found",
        &format!("The tag {missing} was not found."),
    );
    let response = app.get(&tag_path(&missing)).send().await;
    assert_answer(&response, 404, &not_found, "GET unknown tag");
    let response = app
        .put(&tag_path(&missing), json!({"name": "x"}))
        .send()
        .await;
    assert_answer(&response, 404, &not_found, "PUT unknown tag");
}

async fn tag_names_are_unique_regardless_of_case(app: TestApp) {
    create_tag(&app, "Gold").await;
    let response = app
        .post("/v3/contact_tags", json!({"name": "GOLD"}))
        .send()
        .await;
    assert_answer(
        &response,
        409,
        &error(
            "contacts.api.conflict",
            "A tag named \"GOLD\" already exists.",
        ),
        "duplicate",
    );
    let silver = create_tag(&app, "Silver").await;
    let response = app
        .put(&tag_path(&silver), json!({"name": "gold"}))
        .send()
        .await;
    assert_answer(
        &response,
        409,
        &error(
            "contacts.api.conflict",
            "A tag named \"gold\" already exists.",
        ),
        "rename onto another tag",
    );
    assert_eq!(get_json(&app, &tag_path(&silver)).await["name"], "Silver");
    // Renaming a tag to its own name in another case is fine.
    app.put(&tag_path(&silver), json!({"name": "SILVER"}))
        .send()
        .await
        .expect(200);
}

async fn tag_counts_and_collection_parameters(app: TestApp) {
    let mut tags = Vec::new();
    for name in ["A", "B", "C", "D"] {
        tags.push(create_tag(&app, name).await);
    }
    for n in 0..3 {
        create_contact(
            &app,
            json!({"email_address": {"address": format!("t{n}@example.com"), "permission_to_send": if n == 2 { "unsubscribed" } else { "explicit" }},
                   "taggings": tags[..=n].to_vec()}),
        )
        .await;
    }
    let page = get_json(&app, "/v3/contact_tags?include_count=true").await;
    assert_eq!(ids_in(&page, "tags", "tag_id"), tags);
    let counts: Vec<i64> = page["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["contacts_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [3, 2, 1, 0]);
    let plain = get_json(&app, "/v3/contact_tags").await;
    assert!(plain["tags"][0].get("contacts_count").is_none());
    let one = get_json(&app, &format!("{}?include_count=true", tag_path(&tags[1]))).await;
    assert_eq!(one["contacts_count"], 2);
    let (all, pages) = walk(&app, "/v3/contact_tags?limit=3&include_count=true", "tags").await;
    assert_eq!(pages, 2);
    assert_eq!(
        all.iter().map(|t| id(t, "tag_id")).collect::<Vec<_>>(),
        tags
    );
    assert!(all.iter().all(|t| t.get("contacts_count").is_some()));
    let page = get_json(&app, "/v3/contact_tags?limit=500").await;
    assert_eq!(page["tags"].as_array().unwrap().len(), 4);
    for query in ["limit=0", "limit=501"] {
        let response = app.get(&format!("/v3/contact_tags?{query}")).send().await;
        assert_answer(
            &response,
            400,
            &invalid(&["limit must be a whole number from 1 to 500."]),
            query,
        );
    }
}

async fn tag_bodies_are_checked(app: TestApp) {
    let tag = create_tag(&app, "Valid").await;
    for (body, message) in [
        (json!({}), "name is required."),
        (json!({"name": ""}), "name must not be blank."),
        (
            json!({"name": "n".repeat(256)}),
            "name exceeds the maximum length of 255 characters.",
        ),
    ] {
        let response = app.post("/v3/contact_tags", body.clone()).send().await;
        assert_answer(
            &response,
            400,
            &invalid(&[message]),
            &format!("POST {body}"),
        );
        let response = app.put(&tag_path(&tag), body.clone()).send().await;
        assert_answer(&response, 400, &invalid(&[message]), &format!("PUT {body}"));
    }
    let response = app
        .post(
            "/v3/contact_tags",
            json!({"name": "ok", "tag_source": "s".repeat(256)}),
        )
        .send()
        .await;
    assert_answer(
        &response,
        400,
        &invalid(&["tag_source exceeds the maximum length of 255 characters."]),
        "long tag_source",
    );
    assert_still_healthy(&app).await;
}
