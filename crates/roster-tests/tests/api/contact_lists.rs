//! Contact Lists: create, read, rename, the 1,000-list quota, unique names, the collection's
//! parameters (include_count, include_membership_count, name, status, limit) and pagination.

use roster_domain::contact_list::{ContactList, ListInput, MAX_LISTS_PER_ACCOUNT};
use roster_domain::Timestamp;
use roster_tests::{on_both_engines, TestApp};
use serde_json::json;

use crate::contact_support::{id, ids_in, lists_with_counts, membership_count_in, sorted, walk};
use crate::support::{assert_still_healthy, conflict, invalid, unknown_resource, v3_error};

on_both_engines!(
    create_read_and_replace_a_list,
    list_names_are_unique_regardless_of_case,
    at_most_1000_lists_per_account,
    collection_parameters,
    membership_counts_all_and_active,
    list_bodies_are_checked,
);

fn list_path(id: &str) -> String {
    format!("/v3/contact_lists/{id}")
}

async fn create_read_and_replace_a_list(app: TestApp) {
    let created = app
        .create(
            "/v3/contact_lists",
            json!({"name": "  Newsletter ", "description": "Monthly", "favorite": true}),
        )
        .await;
    assert_eq!(created["name"], "Newsletter");
    assert_eq!(created["description"], "Monthly");
    assert_eq!(created["favorite"], true);
    assert!(created.get("membership_count").is_none());
    assert!(created.get("deleted_at").is_none());
    let list = id(&created, "list_id");
    let read = app.get_json(&list_path(&list)).await;
    assert_eq!(read, created);
    // PUT replaces name, description and favorite: omitted ones reset.
    let replaced = app
        .put_json(&list_path(&list), json!({"name": "Weekly"}))
        .await;
    assert_eq!(replaced["name"], "Weekly");
    assert!(replaced.get("description").is_none());
    assert_eq!(replaced["favorite"], false);
    assert_eq!(replaced["created_at"], created["created_at"]);
    assert_eq!(app.get_json(&list_path(&list)).await, replaced);
    // Renaming to its own name in another case is fine.
    app.put(
        &list_path(&list),
        json!({"name": "WEEKLY", "favorite": true}),
    )
    .send()
    .await
    .expect(200);
    let missing = uuid::Uuid::new_v4().to_string();
    let not_found = unknown_resource("contact list", &missing);
    app.get(&list_path(&missing))
        .answers(404, &not_found, "GET unknown list")
        .await;
    app.put(&list_path(&missing), json!({"name": "x"}))
        .answers(404, &not_found, "PUT unknown list")
        .await;
}

async fn list_names_are_unique_regardless_of_case(app: TestApp) {
    let first = app.create_list("Customers").await;
    app.post("/v3/contact_lists", json!({"name": "customers"}))
        .answers(
            409,
            &conflict("A contact list named \"customers\" already exists."),
            "duplicate name",
        )
        .await;
    let second = app.create_list("Prospects").await;
    // The document declares no 409 for PUT /contact_lists/{list_id}: a 400 naming the field.
    app.put(&list_path(&second), json!({"name": "CUSTOMERS"}))
        .refused(
            &["name is already used by another contact list."],
            "rename onto another list",
        )
        .await;
    let page = app.get_json("/v3/contact_lists?include_count=true").await;
    assert_eq!(page["lists_count"], 2);
    assert_eq!(app.get_json(&list_path(&second)).await["name"], "Prospects");
    assert_eq!(app.get_json(&list_path(&first)).await["name"], "Customers");
}

async fn at_most_1000_lists_per_account(app: TestApp) {
    // 999 through the store (1,000 POSTs would be slow), the last two over HTTP.
    for n in 0..MAX_LISTS_PER_ACCOUNT - 1 {
        let list = ContactList::create(
            ListInput {
                name: format!("Bulk {n}"),
                description: None,
                favorite: false,
            },
            Timestamp::now(),
        );
        app.store()
            .create_list(app.owner.account, &list, MAX_LISTS_PER_ACCOUNT)
            .await
            .expect("the list is stored");
    }
    app.create_list("The thousandth").await;
    app.post("/v3/contact_lists", json!({"name": "One too many"}))
        .answers(
            400,
            &v3_error(
                "contacts.api.validation.error",
                "The account already has the maximum of 1000 contact lists.",
            ),
            "1001st list",
        )
        .await;
    let page = app
        .get_json("/v3/contact_lists?include_count=true&limit=1000")
        .await;
    assert_eq!(page["lists_count"], 1000);
    assert_eq!(page["lists"].as_array().unwrap().len(), 1000);
    assert!(page.get("_links").is_none());
    // Another account has its own quota.
    let other = app.create_account("b@example.com").await;
    let response = app
        .post("/v3/contact_lists", json!({"name": "One too many"}))
        .token(&other.token)
        .send()
        .await;
    assert_eq!(response.status, 201);
    assert_still_healthy(&app).await;
}

async fn collection_parameters(app: TestApp) {
    let mut ids = Vec::new();
    for name in ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"] {
        ids.push(app.create_list(name).await);
    }
    let plain = app.get_json("/v3/contact_lists").await;
    assert_eq!(ids_in(&plain, "lists", "list_id"), ids);
    assert!(plain.get("lists_count").is_none());
    assert!(plain["lists"][0].get("membership_count").is_none());
    let counted = app
        .get_json("/v3/contact_lists?include_count=true&limit=2")
        .await;
    assert_eq!(counted["lists_count"], 5);
    assert_eq!(counted["lists"].as_array().unwrap().len(), 2);
    // Pagination carries the parameters.
    let href = counted["_links"]["next"]["href"].as_str().unwrap();
    assert!(href.starts_with("/v3/contact_lists?"), "{href}");
    assert!(href.contains("include_count=true"), "{href}");
    let (all, pages) = walk(&app, "/v3/contact_lists?limit=2", "lists").await;
    assert_eq!(pages, 3);
    let walked: Vec<String> = all.iter().map(|l| id(l, "list_id")).collect();
    assert_eq!(walked, ids);
    assert_eq!(sorted(walked.clone()), walked, "lists come in id order");
    // name: the full name, any case.
    let named = app
        .get_json("/v3/contact_lists?name=gamma&include_count=true")
        .await;
    assert_eq!(ids_in(&named, "lists", "list_id"), vec![ids[2].clone()]);
    assert_eq!(named["lists_count"], 1);
    let none = app.get_json("/v3/contact_lists?name=Gam").await;
    assert_eq!(none["lists"], json!([]));
    // status: Roster's lists are deleted only by the bulk activity, so none is deleted here.
    for (status, expected) in [
        ("active", ids.clone()),
        ("all", ids.clone()),
        ("deleted", vec![]),
        ("active,deleted", ids.clone()),
    ] {
        let page = app
            .get_json(&format!("/v3/contact_lists?status={status}"))
            .await;
        assert_eq!(
            ids_in(&page, "lists", "list_id"),
            expected,
            "status={status}"
        );
    }
    let sms = app
        .get_json("/v3/contact_lists?channel_type=sms&include_count=true")
        .await;
    assert_eq!(sms, json!({"lists": [], "lists_count": 0}));
    for (query, message) in [
        ("limit=0", "limit must be a whole number from 1 to 1000."),
        ("limit=1001", "limit must be a whole number from 1 to 1000."),
        (
            "status=archived",
            "status holds archived; allowed values are: all, active, deleted.",
        ),
        (
            "include_membership_count=some",
            "include_membership_count must be one of: all, active.",
        ),
        (
            "include_count=maybe",
            "include_count must be true or false.",
        ),
    ] {
        let response = app.get(&format!("/v3/contact_lists?{query}")).send().await;
        response.assert_answer(400, &invalid(&[message]), query);
    }
    let page = app.get_json("/v3/contact_lists?limit=1000").await;
    assert_eq!(page["lists"].as_array().unwrap().len(), 5);
    // The document declares no 400 for GET /contact_lists/{list_id}; Roster answers one for a
    // bad parameter all the same (docs/WIRE.md), so this response is not checked against it.
    let response = app
        .get(&format!(
            "{}?include_membership_count=none",
            list_path(&ids[0])
        ))
        .send_unchecked()
        .await;
    response.assert_answer(
        400,
        &invalid(&["include_membership_count must be one of: all, active."]),
        "single list",
    );
}

async fn membership_counts_all_and_active(app: TestApp) {
    let list = app.create_list("Members").await;
    let empty = app.create_list("Empty").await;
    for (n, permission) in [
        "explicit",
        "implicit",
        "unsubscribed",
        "pending_confirmation",
        "explicit",
    ]
    .iter()
    .enumerate()
    {
        let contact = app.create_contact(
            json!({"email_address": {"address": format!("m{n}@example.com"), "permission_to_send": permission},
                   "list_memberships": [list]}),
        )
        .await;
        if n == 4 {
            let contact = id(&contact, "contact_id");
            app.delete(&format!("/v3/contacts/{contact}"))
                .send()
                .await
                .expect(204);
        }
    }
    let (all, active) = lists_with_counts(&app).await;
    assert_eq!(membership_count_in(&all, &list), 4);
    assert_eq!(membership_count_in(&all, &empty), 0);
    assert_eq!(membership_count_in(&active, &list), 2);
    assert_eq!(membership_count_in(&active, &empty), 0);
    assert_eq!(app.membership_count(&list, "active").await, 2);
    assert_eq!(app.membership_count(&list, "all").await, 4);
}

async fn list_bodies_are_checked(app: TestApp) {
    let list = app.create_list("Valid").await;
    let long = "x".repeat(256);
    for (body, messages) in [
        (json!({}), vec!["name is required."]),
        (json!({"name": "   "}), vec!["name must not be blank."]),
        (
            json!({"name": long}),
            vec!["name exceeds the maximum length of 255 characters."],
        ),
        (
            json!({"name": 5, "favorite": "yes"}),
            vec![
                "name must be a string, not a number.",
                "favorite must be a boolean, not a string.",
            ],
        ),
    ] {
        app.post("/v3/contact_lists", body.clone())
            .refused(&messages, &format!("POST {body}"))
            .await;
        app.put(&list_path(&list), body.clone())
            .refused(&messages, &format!("PUT {body}"))
            .await;
    }
    let ok = "y".repeat(255);
    let created = app.create("/v3/contact_lists", json!({"name": ok})).await;
    assert_eq!(created["name"].as_str().unwrap().len(), 255);
    assert_still_healthy(&app).await;
}
