//! The wall between accounts: another account's contacts, lists and tags are unknown ids (404),
//! never appear in collections, and never move counts.

use roster_tests::{on_both_engines, TestApp};
use serde_json::json;

use crate::contact_support::id;
use crate::support::invalid;

on_both_engines!(accounts_see_only_their_own_contacts_lists_and_tags);

async fn accounts_see_only_their_own_contacts_lists_and_tags(app: TestApp) {
    let list = app.create_list("A list").await;
    let tag = app.create_tag("A tag").await;
    let contact = id(
        &app.create_contact(
            json!({"email_address": {"address": "shared@example.com", "permission_to_send": "explicit"},
                   "list_memberships": [list], "taggings": [tag],
                   "sms_channel": {"full_sms_address": "+15555550100",
                                   "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}]}}),
        )
        .await,
        "contact_id",
    );
    let b = app.create_account("b@example.com").await;

    for path in [
        format!("/v3/contacts/{contact}"),
        format!("/v3/contacts/sms_engagement_history/{contact}"),
        format!("/v3/contact_lists/{list}"),
        format!("/v3/contact_tags/{tag}"),
    ] {
        let response = app.get(&path).token(&b.token).send().await;
        assert_eq!(response.status, 404, "GET {path}");
    }
    let response = app
        .put(
            &format!("/v3/contacts/{contact}"),
            json!({"first_name": "Mallory", "update_source": "Account"}),
        )
        .token(&b.token)
        .send()
        .await;
    assert_eq!(response.status, 404);
    let response = app
        .delete(&format!("/v3/contacts/{contact}"))
        .token(&b.token)
        .send()
        .await;
    assert_eq!(response.status, 404);
    let response = app
        .put(
            &format!("/v3/contact_lists/{list}"),
            json!({"name": "Mine"}),
        )
        .token(&b.token)
        .send()
        .await;
    assert_eq!(response.status, 404);
    let response = app
        .put(&format!("/v3/contact_tags/{tag}"), json!({"name": "Mine"}))
        .token(&b.token)
        .send()
        .await;
    assert_eq!(response.status, 404);
    // A's list and tag are unknown ids in B's bodies.
    let response = app
        .post(
            "/v3/contacts",
            json!({"email_address": {"address": "b1@example.com"}, "create_source": "Account",
                   "list_memberships": [list], "taggings": [tag]}),
        )
        .token(&b.token)
        .send()
        .await;
    assert_eq!(
        response.json(),
        invalid(&[
            &format!("list_memberships[0] {list} is not a contact list of this account."),
            &format!("taggings[0] {tag} is not a tag of this account."),
        ])
    );
    let response = app
        .post(
            "/v3/contacts/sign_up_form",
            json!({"email_address": "shared@example.com", "list_memberships": [list]}),
        )
        .token(&b.token)
        .send()
        .await;
    assert_eq!(response.status, 400);

    // B's collections, counts and filters see none of A's rows.
    let get_b = |path: String| {
        let token = b.token.clone();
        let app = &app;
        async move { app.get(&path).token(&token).expect_json(200).await }
    };
    let contacts = get_b("/v3/contacts?status=all&include_count=true".into()).await;
    assert_eq!(contacts, json!({"contacts": [], "contacts_count": 0}));
    let filtered = get_b(format!("/v3/contacts?lists={list}&include_count=true")).await;
    assert_eq!(filtered, json!({"contacts": [], "contacts_count": 0}));
    let filtered = get_b(format!("/v3/contacts?tags={tag}&include_count=true")).await;
    assert_eq!(filtered, json!({"contacts": [], "contacts_count": 0}));
    let filtered = get_b("/v3/contacts?email=shared@example.com&include_count=true".into()).await;
    assert_eq!(filtered, json!({"contacts": [], "contacts_count": 0}));
    let filtered = get_b("/v3/contacts?sms_status=explicit&include_count=true".into()).await;
    assert_eq!(filtered, json!({"contacts": [], "contacts_count": 0}));
    let counts = get_b("/v3/contacts/counts?include=new_subscriber".into()).await;
    assert_eq!(
        counts,
        json!({"total": 0, "explicit": 0, "implicit": 0, "pending": 0, "unsubscribed": 0, "new_subscriber": 0})
    );
    let lists = get_b("/v3/contact_lists?include_count=true&status=all".into()).await;
    assert_eq!(lists, json!({"lists": [], "lists_count": 0}));
    let tags = get_b("/v3/contact_tags?include_count=true".into()).await;
    assert_eq!(tags, json!({"tags": []}));

    // B may use the same address, list name and tag name; A's counts do not move.
    let b_list = app
        .post("/v3/contact_lists", json!({"name": "A list"}))
        .token(&b.token)
        .expect_json(201)
        .await;
    app.post("/v3/contact_tags", json!({"name": "A tag"}))
        .token(&b.token)
        .send()
        .await
        .expect(201);
    let b_contact = app
        .post(
            "/v3/contacts",
            json!({"email_address": {"address": "shared@example.com", "permission_to_send": "explicit"},
                   "create_source": "Account", "list_memberships": [b_list["list_id"]]}),
        )
        .token(&b.token)
        .expect_json(201).await;
    assert_ne!(b_contact["contact_id"], contact.as_str());
    let a_counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(a_counts["total"], 1);
    assert_eq!(app.membership_count(&list, "all").await, 1);
    let a_contacts = app.get_json("/v3/contacts?email=shared@example.com").await;
    assert_eq!(a_contacts["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(a_contacts["contacts"][0]["contact_id"], contact.as_str());
    let unchanged = app.get_json(&format!("/v3/contacts/{contact}")).await;
    assert!(unchanged.get("first_name").is_none());
    assert!(unchanged.get("deleted_at").is_none());
}
