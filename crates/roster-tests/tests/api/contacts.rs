//! Contacts, lists and tags end to end.

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::contact_support::contacts_count;

on_both_engines!(
    contact_lifecycle_with_sub_resources,
    lists_and_tags_count_their_members,
    sign_up_form_creates_then_updates
);

async fn contact_lifecycle_with_sub_resources(app: TestApp) {
    let list = app.create_list("Newsletter").await;
    let tag = app.create_tag("VIP").await;
    let field = app
        .create(
            "/v3/contact_custom_fields",
            json!({"label": "Size", "type": "number"}),
        )
        .await;
    let field_id = field["custom_field_id"].as_str().unwrap();
    let created = app.create(
        "/v3/contacts",
        json!({
            "email_address": {"address": "Ann@Example.com", "permission_to_send": "explicit"},
            "first_name": "Ann", "last_name": "Lee", "job_title": "CTO", "company_name": "Acme",
            "birthday_month": 2, "birthday_day": 29, "anniversary": "11/15/2006",
            "create_source": "Account",
            "custom_fields": [{"custom_field_id": field_id, "value": "42"}],
            "phone_numbers": [{"phone_number": "+1 555 0100", "kind": "mobile"}],
            "street_addresses": [{"kind": "home", "street": "1 Main St", "city": "Boston", "country": "US"}],
            "list_memberships": [list], "taggings": [tag],
            "notes": [{"content": "Met at the fair"}]
        }),
    )
    .await;
    assert_eq!(created["email_address"]["address"], "ann@example.com");
    assert_eq!(created["email_address"]["permission_to_send"], "explicit");
    assert_eq!(created["email_address"]["opt_in_source"], "Account");
    assert_eq!(created["anniversary"], "2006-11-15");
    assert_eq!(created["list_memberships"], json!([list]));
    let id = created["contact_id"].as_str().unwrap().to_string();

    let plain = app.get_json(&format!("/v3/contacts/{id}")).await;
    assert!(plain.get("list_memberships").is_none());
    let full = app
        .get_json(&format!(
            "/v3/contacts/{id}?include=custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"
        ))
        .await;
    assert_eq!(
        full["custom_fields"],
        json!([{"custom_field_id": field_id, "value": "42"}])
    );
    assert_eq!(full["taggings"], json!([tag]));
    assert_eq!(full["notes"][0]["content"], "Met at the fair");

    // Duplicate address, any case: 409.
    app.post(
        "/v3/contacts",
        json!({"email_address": {"address": "ANN@example.com"}, "create_source": "Contact"}),
    )
    .send()
    .await
    .expect(409);

    // PUT: top level overwritten, omitted sub-resources kept.
    let put = app
        .put_json(
            &format!("/v3/contacts/{id}"),
            json!({"email_address": {"address": "ann@example.com"}, "first_name": "Anne",
                   "update_source": "Account"}),
        )
        .await;
    assert_eq!(put["first_name"], "Anne");
    assert!(put.get("last_name").is_none());
    assert_eq!(put["list_memberships"], json!([list]));

    app.delete(&format!("/v3/contacts/{id}"))
        .send()
        .await
        .expect(204);
    let deleted = app.get_json(&format!("/v3/contacts/{id}")).await;
    assert_eq!(deleted["deleted_at"].as_str().unwrap().len(), 10);
    let active = app.get_json("/v3/contacts").await;
    assert_eq!(active["contacts"], json!([]));
    assert_eq!(contacts_count(&app, "status=all").await, 1);
    // A deleted contact's address still conflicts on POST.
    app.post(
        "/v3/contacts",
        json!({"email_address": {"address": "ann@example.com"}, "create_source": "Account"}),
    )
    .send()
    .await
    .expect(409);
}

async fn lists_and_tags_count_their_members(app: TestApp) {
    let list = app.create_list("Members").await;
    let tag = app.create_tag("Tagged").await;
    for (n, permission) in ["explicit", "implicit", "unsubscribed"].iter().enumerate() {
        app.post(
            "/v3/contacts",
            json!({"email_address": {"address": format!("m{n}@example.com"), "permission_to_send": permission},
                   "create_source": "Account", "list_memberships": [list], "taggings": [tag]}),
        )
        .send()
        .await
        .expect(201);
    }
    assert_eq!(app.membership_count(&list, "all").await, 3);
    assert_eq!(app.membership_count(&list, "active").await, 2);
    assert_eq!(app.tag_contacts_count(&tag).await, 3);
    let counts = app
        .get_json("/v3/contacts/counts?include=new_subscriber")
        .await;
    assert_eq!(
        counts,
        json!({"total": 3, "explicit": 1, "implicit": 1, "pending": 0, "unsubscribed": 1, "new_subscriber": 2})
    );
    let in_list: Value = app
        .get_json(&format!(
            "/v3/contacts?lists={list}&include_count=true&limit=1"
        ))
        .await;
    assert_eq!(in_list["contacts_count"], 3);
    assert_eq!(in_list["contacts"].as_array().unwrap().len(), 1);
    let next = in_list["_links"]["next"]["href"].as_str().unwrap();
    let second = app.get_json(next).await;
    assert_eq!(second["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(contacts_count(&app, "status=unsubscribed").await, 1);
}

async fn sign_up_form_creates_then_updates(app: TestApp) {
    let list_a = app.create_list("A").await;
    let list_b = app.create_list("B").await;
    let first = app
        .create(
            "/v3/contacts/sign_up_form",
            json!({"email_address": "new@example.com", "list_memberships": [list_a]}),
        )
        .await;
    assert_eq!(first["action"], "created");
    let second = app
        .post("/v3/contacts/sign_up_form", json!({"email_address": "NEW@example.com", "first_name": "Neo", "list_memberships": [list_b]}))
        .expect_json(200).await;
    assert_eq!(
        second,
        json!({"contact_id": first["contact_id"], "action": "updated"})
    );
    let contact = app
        .get_json(&format!(
            "/v3/contacts/{}?include=list_memberships",
            first["contact_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(contact["list_memberships"], json!([list_a, list_b]));
    assert_eq!(contact["email_address"]["permission_to_send"], "explicit");
    assert_eq!(contact["first_name"], "Neo");
}
